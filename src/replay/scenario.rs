//! One captured session written as an `smpp-conform` scenario (the YAML format of
//! `conformance/FORMAT.md`), so that a capture becomes a regression test of the SMSC it was
//! recorded against.
//!
//! The scenario plays the ESME (role `esme`, one session `main`):
//!
//! * each request the ESME sent is a typed `send` with its mandatory fields and TLVs by spec name
//!   (fields at their default left out; `data_coding` always written beside user data; text as
//!   text when it encodes back to the same octets, else `{hex: ...}`), named with `as`, its
//!   sequence_number written when the runner's counter would not give the captured one; a PDU the
//!   typed form cannot express (undecodable, a string that is not UTF-8, a repeated TLV) is sent
//!   `raw`;
//! * the bind's system_id and password become `${system_id}` and `${password}`, with the
//!   captured values as the scenario's `vars` (a refused bind keeps its literal values);
//! * what the SMSC sent between two requests of the ESME is one `expect` (or an `expect_all`,
//!   in any order): a response with `reply_to` and its status; every field an equality matcher,
//!   but a message_id is captured (`capture: {msg_id_1: message_id}`) the first time it is
//!   seen and matched as `${msg_id_1}` after, and time stamps (final_date,
//!   schedule_delivery_time, validity_period) match anything; the ESME's later requests carry
//!   `${msg_id_1}` where they carried the id;
//! * a request of the SMSC (deliver_sm ...) is answered as the ESME answered it (`respond`); a
//!   delivery receipt's text is matched by a regular expression with its id and dates left open
//!   (the id is `${msg_id_N}` when it was captured before, else it is captured and `check`ed
//!   after the step); an enquire_link the SMSC sent is left to `auto_respond`;
//! * a connection the capture saw closed ends with `expect_close: {within: 5s, by: any}`.
//!
//! The writer is this one module so that it can follow the format where it moves.

use std::collections::{BTreeSet, HashSet};
use std::fmt::Write as _;
use std::time::Duration;

use super::compare::{TlvShape, tlv_c_octet, tlv_int, tlv_name, tlv_shape};
use super::plan::Plan;
use super::yaml::{self, Y};
use crate::fields::FieldValue;
use crate::pcap::read::{ConnEnd, SmppDirection, rfc3339};
use crate::pdu::{Command, CommandId, CommandStatus, DestAddress, Pdu};
use crate::receipt::DeliveryReceipt;
use crate::text::{self, Alphabet, DataCodingInfo, Mode};
use crate::{DecodeOptions, RawTlv};

/// Choices of the writer.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct ScenarioOptions {
    /// The scenario's id (default `SECTION/replay-<capture>-conn<N>`).
    pub id: Option<String>,
    /// The capture's file name, for the id, the title and the description.
    pub capture_name: String,
}

impl ScenarioOptions {
    /// Options for a capture named `capture_name`.
    #[must_use]
    pub fn new(capture_name: impl Into<String>) -> Self {
        Self {
            id: None,
            capture_name: capture_name.into(),
        }
    }

    /// The scenario's id.
    #[must_use]
    pub fn with_id(mut self, id: impl Into<String>) -> Self {
        self.id = Some(id.into());
        self
    }
}

/// Map entries in order.
type Entries = Vec<(String, Y)>;

/// Fields that hold a time stamp: matched with `{any: true}`.
const TIME_FIELDS: &[&str] = &["final_date", "schedule_delivery_time", "validity_period"];

/// The spec section of a command (FORMAT.md ids start with one).
fn section(id: CommandId) -> Option<&'static str> {
    let req = if id.is_response() && id != CommandId::GENERIC_NACK {
        id.request()?
    } else {
        id
    };
    Some(match req {
        CommandId::BIND_TRANSMITTER
        | CommandId::BIND_RECEIVER
        | CommandId::BIND_TRANSCEIVER
        | CommandId::OUTBIND => "4.1",
        CommandId::UNBIND => "4.2",
        CommandId::GENERIC_NACK => "4.3",
        CommandId::SUBMIT_SM => "4.4",
        CommandId::SUBMIT_MULTI => "4.5",
        CommandId::DELIVER_SM => "4.6",
        CommandId::DATA_SM => "4.7",
        CommandId::QUERY_SM => "4.8",
        CommandId::CANCEL_SM => "4.9",
        CommandId::REPLACE_SM => "4.10",
        CommandId::ENQUIRE_LINK => "4.11",
        CommandId::ALERT_NOTIFICATION => "4.12",
        _ => return None,
    })
}

/// Short names for `as`.
fn short_name(id: CommandId) -> &'static str {
    match id {
        CommandId::BIND_TRANSMITTER | CommandId::BIND_RECEIVER | CommandId::BIND_TRANSCEIVER => {
            "bind"
        }
        CommandId::SUBMIT_SM => "submit",
        CommandId::SUBMIT_MULTI => "multi",
        CommandId::DATA_SM => "data",
        CommandId::QUERY_SM => "query",
        CommandId::CANCEL_SM => "cancel",
        CommandId::REPLACE_SM => "replace",
        CommandId::ENQUIRE_LINK => "enquire",
        CommandId::UNBIND => "unbind",
        _ => "pdu",
    }
}

/// The fields a typed send fills in by itself when they are left out (FORMAT.md): these are
/// written even when empty.
fn nonempty_defaults(id: CommandId) -> &'static [&'static str] {
    match id {
        CommandId::BIND_TRANSMITTER | CommandId::BIND_RECEIVER | CommandId::BIND_TRANSCEIVER => {
            &["system_id", "password", "system_type"]
        }
        CommandId::SUBMIT_SM | CommandId::DATA_SM | CommandId::CANCEL_SM => {
            &["source_addr", "destination_addr"]
        }
        CommandId::SUBMIT_MULTI | CommandId::QUERY_SM | CommandId::REPLACE_SM => &["source_addr"],
        _ => &[],
    }
}

/// Whether data_coding is picked from the text when left out.
fn has_text(id: CommandId) -> bool {
    matches!(
        id,
        CommandId::SUBMIT_SM
            | CommandId::SUBMIT_MULTI
            | CommandId::DELIVER_SM
            | CommandId::DATA_SM
            | CommandId::REPLACE_SM
    )
}

/// `${` written so that the runner leaves it alone.
fn lit(s: &str) -> String {
    s.replace("${", "$${")
}

fn name_of(id: CommandId) -> Y {
    match id.name() {
        Some(n) => Y::str(n),
        None => Y::str(format!("{:#010x}", id.0)),
    }
}

fn status_of(s: CommandStatus) -> Y {
    match s.name() {
        Some(n) => Y::str(n),
        None => Y::str(format!("{:#010x}", s.0)),
    }
}

fn hex(b: &[u8]) -> Y {
    Y::map([("hex", Y::str(hex::encode(b)))])
}

/// A literal part of a regular expression: metacharacters escaped, `$` as `\x24` so that no
/// `${` is left for the runner to substitute.
fn regex_escape(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        match c {
            '$' => out.push_str("\\x24"),
            '\\' | '.' | '+' | '*' | '?' | '(' | ')' | '|' | '[' | ']' | '{' | '}' | '^' | '#'
            | '&' | '-' | '~' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// User data as the typed form takes it: text when it encodes back to the same octets in the
/// alphabet data_coding names, `{udh, text}` with UDHI, else `{hex}`.
fn user_data(b: &[u8], dc: u8, udhi: bool) -> Y {
    let alphabet = DataCodingInfo::from_data_coding(dc, Alphabet::Gsm7).alphabet;
    let as_text = |data: &[u8]| -> Option<String> {
        if !alphabet.is_text() {
            return None;
        }
        let t = text::decode(data, alphabet, Mode::Strict).ok()?;
        (text::encode(&t, alphabet, Mode::Strict).ok()? == data).then_some(t)
    };
    if udhi {
        if let Ok((Some(_), rest)) = text::split_udh(b, true) {
            let udh = &b[..b.len() - rest.len()];
            if let Some(t) = as_text(rest) {
                return Y::map([("udh", Y::str(hex::encode(udh))), ("text", Y::str(lit(&t)))]);
            }
        }
        return hex(b);
    }
    as_text(b).map_or_else(|| hex(b), |t| Y::str(lit(&t)))
}

/// A message id seen in the capture and the variable holding it live.
struct MsgVar {
    value: Vec<u8>,
    var: String,
    /// The step group that captured it.
    group: usize,
}

struct Writer<'a> {
    plan: &'a Plan,
    steps: Vec<Y>,
    group: Vec<Y>,
    /// For each expectation of `group`: whether its receipt id is left open.
    group_open: Vec<bool>,
    group_checks: Vec<Y>,
    group_id: usize,
    /// Time stamp of the ESME's last request written.
    last_send_ts: std::time::Duration,
    names: Vec<Option<String>>,
    used: HashSet<String>,
    msgs: Vec<MsgVar>,
    receipts: usize,
    counter: u32,
    vars: Vec<(String, Y)>,
    creds_set: bool,
    requires: BTreeSet<&'static str>,
    sections: BTreeSet<&'static str>,
    notes: Vec<String>,
}

/// Writes `plan` as a scenario (one YAML document).
#[must_use]
pub fn to_scenario(plan: &Plan, opts: &ScenarioOptions) -> String {
    let mut w = Writer {
        plan,
        steps: Vec::new(),
        group: Vec::new(),
        group_open: Vec::new(),
        group_checks: Vec::new(),
        group_id: 0,
        last_send_ts: plan.start_ts(),
        names: vec![None; plan.events.len()],
        used: HashSet::new(),
        msgs: Vec::new(),
        receipts: 0,
        counter: 1,
        vars: Vec::new(),
        creds_set: false,
        requires: BTreeSet::new(),
        sections: BTreeSet::new(),
        notes: Vec::new(),
    };
    w.walk();
    w.document(opts)
}

impl Writer<'_> {
    fn walk(&mut self) {
        let plan = self.plan;
        for (i, ev) in plan.events.iter().enumerate() {
            if let Some(s) = section(ev.header.command_id) {
                self.sections.insert(s);
            }
            let esme = ev.direction == SmppDirection::EsmeToSmsc;
            match (esme, ev.is_request()) {
                (true, true) => {
                    self.flush();
                    let step = self.send(i);
                    self.steps.push(step);
                    self.last_send_ts = ev.ts;
                }
                (true, false) => {} // answers: `respond` of the SMSC's request
                (false, true) if ev.header.command_id == CommandId::ENQUIRE_LINK => {
                    self.notes.push(format!(
                        "#{}: the SMSC's enquire_link is left to auto_respond",
                        ev.frame_number
                    ));
                }
                (false, _) => {
                    let checks = self.group_checks.len();
                    let e = self.expect(i);
                    self.group.push(e);
                    self.group_open.push(self.group_checks.len() > checks);
                }
            }
        }
        self.flush();
        if matches!(self.plan.end, ConnEnd::Fin | ConnEnd::Rst) {
            self.steps.push(Y::map([(
                "expect_close",
                Y::map([("within", Y::str("5s")), ("by", Y::str("any"))]),
            )]));
        }
    }

    fn flush(&mut self) {
        let mut group = std::mem::take(&mut self.group);
        // Expectations whose receipt id is left open go last, so that a receipt matches the
        // expectation naming its id first.
        let open: Vec<Y> = {
            let flagged: Vec<(Y, bool)> = group
                .drain(..)
                .zip(std::mem::take(&mut self.group_open))
                .collect();
            let (open, named): (Vec<_>, Vec<_>) = flagged.into_iter().partition(|(_, o)| *o);
            group = named.into_iter().map(|(y, _)| y).collect();
            open.into_iter().map(|(y, _)| y).collect()
        };
        group.extend(open);
        match group.len() {
            0 => {}
            1 => {
                let e = group.into_iter().next().unwrap_or(Y::Map(Vec::new()));
                let step = match e {
                    Y::Noted(note, inner) => Y::Noted(note, Box::new(Y::map([("expect", *inner)]))),
                    e => Y::map([("expect", e)]),
                };
                self.steps.push(step);
            }
            _ => self.steps.push(Y::map([("expect_all", Y::Seq(group))])),
        }
        self.steps.append(&mut self.group_checks);
        self.group_id += 1;
    }

    fn name_for(&mut self, i: usize) -> String {
        let h = self.plan.events[i].header;
        let base = format!("{}{}", short_name(h.command_id), h.sequence_number);
        let mut name = base.clone();
        let mut k = 2;
        while self.used.contains(&name) {
            name = format!("{base}_{k}");
            k += 1;
        }
        self.used.insert(name.clone());
        self.names[i] = Some(name.clone());
        name
    }

    fn note_requires(&mut self, cmd: &Command) {
        let id = cmd.command_id();
        if let Some(n) = id.name()
            && matches!(
                id,
                CommandId::BIND_TRANSMITTER
                    | CommandId::BIND_RECEIVER
                    | CommandId::BIND_TRANSCEIVER
                    | CommandId::SUBMIT_SM
                    | CommandId::SUBMIT_MULTI
                    | CommandId::DATA_SM
                    | CommandId::QUERY_SM
                    | CommandId::CANCEL_SM
                    | CommandId::REPLACE_SM
            )
        {
            self.requires.insert(n);
        }
        for f in cmd.pdu.fields() {
            match (f.name, f.value) {
                ("esm_class", FieldValue::Int(n)) if n & 0x40 != 0 => {
                    self.requires.insert("udh");
                }
                ("data_coding", FieldValue::Int(8)) => {
                    self.requires.insert("ucs2");
                }
                ("data_coding", FieldValue::Int(3)) => {
                    self.requires.insert("latin1");
                }
                ("schedule_delivery_time", FieldValue::COctet(b)) if !b.is_empty() => {
                    self.requires.insert("scheduled_delivery");
                }
                ("dest_addresses", FieldValue::DestAddresses(d))
                    if d.iter()
                        .any(|a| matches!(a, DestAddress::DistributionList { .. })) =>
                {
                    self.requires.insert("distribution_lists");
                }
                _ => {}
            }
        }
        if let Some(tlvs) = cmd.pdu.tlvs() {
            for t in tlvs.iter() {
                match t.tag.0 {
                    0x0424 => {
                        self.requires.insert("message_payload");
                    }
                    0x020C | 0x020E | 0x020F => {
                        self.requires.insert("sar");
                    }
                    _ => {}
                }
            }
        }
    }

    fn send(&mut self, i: usize) -> Y {
        let ev = &self.plan.events[i];
        let name = self.name_for(i);
        let strict = Command::decode(&ev.frame).ok();
        if let Some(cmd) = &strict {
            self.note_requires(cmd);
        }
        let typed = strict.as_ref().and_then(|c| self.typed_send(i, c));
        let body = match typed {
            Some((fields, tlvs)) => {
                let mut m = vec![("pdu".to_owned(), name_of(ev.header.command_id))];
                m.push(("as".into(), Y::str(&name)));
                if ev.header.sequence_number == self.counter {
                    self.counter = self.counter.wrapping_add(1);
                } else {
                    m.push((
                        "sequence_number".into(),
                        Y::Int(i64::from(ev.header.sequence_number)),
                    ));
                }
                if !fields.is_empty() {
                    m.push(("fields".into(), Y::Map(fields)));
                }
                if !tlvs.is_empty() {
                    m.push(("tlvs".into(), Y::Map(tlvs)));
                }
                Y::Map(m)
            }
            None => {
                let h = hex::encode(&ev.frame);
                let spaced: Vec<&str> = (0..h.len())
                    .step_by(8)
                    .filter_map(|k| h.get(k..(k + 8).min(h.len())))
                    .collect();
                Y::map([("raw", Y::str(spaced.join(" "))), ("as", Y::str(&name))])
            }
        };
        Y::Noted(
            format!("#{} {}", ev.frame_number, ev.label()),
            Box::new(Y::map([("send", body)])),
        )
    }

    /// Whether the bind at `i` was accepted in the capture.
    fn bind_accepted(&self, i: usize) -> bool {
        self.plan
            .paired(i)
            .is_some_and(|r| r.header.command_status.is_ok() && r.header.command_id.is_response())
    }

    /// Fields and TLVs of a typed send, or `None` when the typed form cannot say it.
    fn typed_send(&mut self, i: usize, cmd: &Command) -> Option<(Entries, Entries)> {
        let id = cmd.command_id();
        if matches!(cmd.pdu, Pdu::Unknown { .. }) || !cmd.command_status.is_ok() {
            return None;
        }
        let fields = cmd.pdu.fields();
        let dc = int_field(&fields, "data_coding")
            .and_then(|n| u8::try_from(n).ok())
            .unwrap_or(0);
        let udhi = int_field(&fields, "esm_class").is_some_and(|e| e & 0x40 != 0);
        let has_user_data = fields
            .iter()
            .any(|f| matches!(f.value, FieldValue::Octets(b) if !b.is_empty()))
            || cmd
                .pdu
                .tlvs()
                .is_some_and(|t| t.contains(crate::TlvTag::MESSAGE_PAYLOAD));
        let is_bind = matches!(
            id,
            CommandId::BIND_TRANSMITTER | CommandId::BIND_RECEIVER | CommandId::BIND_TRANSCEIVER
        );
        let creds = is_bind && self.bind_accepted(i) && !self.creds_set;
        let mut out = Vec::new();
        for f in &fields {
            let v = match f.value {
                FieldValue::Int(n) => {
                    let keep = if is_bind && f.name == "interface_version" {
                        n != 0x34
                    } else {
                        n != 0 || (f.name == "data_coding" && has_text(id) && has_user_data)
                    };
                    if !keep {
                        continue;
                    }
                    Y::Int(i64::from(n))
                }
                FieldValue::COctet(b) => {
                    let s = std::str::from_utf8(b).ok()?;
                    if creds && (f.name == "system_id" || f.name == "password") {
                        self.vars.push((f.name.to_owned(), Y::str(s)));
                        Y::str(format!("${{{}}}", f.name))
                    } else if f.name == "message_id" && self.msg_var(b).is_some() {
                        let var = self.msg_var(b).map(|m| m.var.clone()).unwrap_or_default();
                        Y::str(format!("${{{var}}}"))
                    } else if !s.is_empty() || nonempty_defaults(id).contains(&f.name) {
                        Y::str(lit(s))
                    } else {
                        continue;
                    }
                }
                FieldValue::Octets(b) => {
                    if b.is_empty() {
                        continue;
                    }
                    user_data(b, dc, udhi)
                }
                FieldValue::DestAddresses(list) => Y::Seq(
                    list.iter()
                        .map(|d| match d {
                            DestAddress::SmeAddress {
                                dest_addr_ton,
                                dest_addr_npi,
                                destination_addr,
                            } => Some(Y::map([
                                (
                                    "destination_addr",
                                    Y::str(lit(
                                        std::str::from_utf8(destination_addr.as_bytes()).ok()?
                                    )),
                                ),
                                ("dest_addr_ton", Y::Int(i64::from(dest_addr_ton.0))),
                                ("dest_addr_npi", Y::Int(i64::from(dest_addr_npi.0))),
                            ])),
                            DestAddress::DistributionList { dl_name } => Some(Y::map([(
                                "dl_name",
                                Y::str(lit(std::str::from_utf8(dl_name.as_bytes()).ok()?)),
                            )])),
                        })
                        .collect::<Option<Vec<_>>>()?,
                ),
                FieldValue::UnsuccessSmes(_) => return None,
            };
            out.push((f.name.to_owned(), v));
        }
        if creds {
            self.creds_set = true;
        }
        let mut tlvs = Vec::new();
        let mut seen = HashSet::new();
        for t in cmd
            .pdu
            .tlvs()
            .map(|t| t.iter().collect::<Vec<_>>())
            .unwrap_or_default()
        {
            if !seen.insert(t.tag) {
                return None; // a map cannot repeat a key
            }
            let v = match tlv_shape(t.tag) {
                TlvShape::Int(0) if t.value.is_empty() => Y::Int(0),
                TlvShape::Int(_) => tlv_int(&t).map_or_else(|| hex(&t.value), |n| Y::Int(n as i64)),
                TlvShape::COctet => {
                    tlv_c_octet(&t).map_or_else(|| hex(&t.value), |s| Y::str(lit(&s)))
                }
                TlvShape::Payload => user_data(&t.value, dc, udhi),
                TlvShape::Octets => hex(&t.value),
            };
            tlvs.push((tlv_name(t.tag), v));
        }
        Some((out, tlvs))
    }

    fn msg_var(&self, value: &[u8]) -> Option<&MsgVar> {
        self.msgs.iter().find(|m| m.value == value)
    }

    /// A message id's variable usable in a matcher of the running group: one captured in an
    /// earlier step.
    fn earlier_msg_var(&self, value: &[u8]) -> Option<String> {
        self.msg_var(value)
            .filter(|m| m.group < self.group_id)
            .map(|m| m.var.clone())
    }

    fn new_msg_var(&mut self, value: &[u8]) -> String {
        let var = format!("msg_id_{}", self.msgs.len() + 1);
        self.msgs.push(MsgVar {
            value: value.to_vec(),
            var: var.clone(),
            group: self.group_id,
        });
        var
    }

    fn expect(&mut self, i: usize) -> Y {
        let plan = self.plan;
        let ev = &plan.events[i];
        let h = ev.header;
        let mut m: Vec<(String, Y)> = vec![("pdu".into(), name_of(h.command_id))];
        let request = plan.paired(i);
        if !ev.is_request() {
            if let Some(name) = plan.pair[i].and_then(|q| self.names[q].clone()) {
                m.push(("reply_to".into(), Y::str(name)));
            }
            m.push(("status".into(), status_of(h.command_status)));
        }
        let decoded = Command::decode_with(&ev.frame, DecodeOptions::LENIENT)
            .ok()
            .map(|d| d.command);
        let mut captures: Vec<(String, Y)> = Vec::new();
        if let Some(cmd) = &decoded {
            let (fields, tlvs) = self.matchers(cmd, &mut captures);
            if !fields.is_empty() {
                m.push(("fields".into(), Y::Map(fields)));
            }
            if !tlvs.is_empty() {
                m.push(("tlvs".into(), Y::Map(tlvs)));
            }
            if ev.is_request() && h.command_id == CommandId::DELIVER_SM {
                let receipt = int_field(&cmd.pdu.fields(), "esm_class")
                    .is_some_and(|e| matches!(e & 0x3c, 0x04 | 0x08 | 0x10));
                let intermediate =
                    int_field(&cmd.pdu.fields(), "esm_class").is_some_and(|e| e & 0x3c == 0x20);
                self.requires.insert(if receipt {
                    "delivery_receipts"
                } else if intermediate {
                    "intermediate_notifications"
                } else {
                    "deliver_sm"
                });
            }
            if h.command_id == CommandId::ALERT_NOTIFICATION {
                self.requires.insert("alert_notification");
            }
        }
        if !captures.is_empty() {
            m.push(("capture".into(), Y::Map(captures)));
        }
        if ev.is_request()
            && let Some(answer) = request
        {
            m.push(("respond".into(), self.respond(answer)));
        }
        let wait = ev.ts.saturating_sub(self.last_send_ts);
        if wait > Duration::from_millis(2500) {
            let secs = (wait.as_secs_f64() * 2.0).ceil().max(5.0) as u64;
            m.push(("timeout".into(), Y::str(format!("{secs}s"))));
        }
        Y::Noted(
            format!("#{} {}", ev.frame_number, ev.label()),
            Box::new(Y::Map(m)),
        )
    }

    /// `respond` from the ESME's captured answer.
    fn respond(&self, answer: &super::Event) -> Y {
        let mut m = Vec::new();
        if !answer.header.command_status.is_ok() {
            m.push(("status".to_owned(), status_of(answer.header.command_status)));
        }
        if let Ok(cmd) = Command::decode(&answer.frame) {
            let mut fields = Vec::new();
            for f in cmd.pdu.fields() {
                match f.value {
                    FieldValue::Int(n) if n != 0 => {
                        fields.push((f.name.to_owned(), Y::Int(i64::from(n))))
                    }
                    FieldValue::COctet(b) if !b.is_empty() => {
                        if let Ok(s) = std::str::from_utf8(b) {
                            fields.push((f.name.to_owned(), Y::str(lit(s))));
                        }
                    }
                    _ => {}
                }
            }
            if !fields.is_empty() {
                m.push(("fields".to_owned(), Y::Map(fields)));
            }
        }
        Y::Map(m)
    }

    /// Field and TLV matchers of a PDU the SMSC sent; message ids captured into `captures`.
    fn matchers(&mut self, cmd: &Command, captures: &mut Vec<(String, Y)>) -> (Entries, Entries) {
        let any = || Y::map([("any", Y::Bool(true))]);
        let fields = cmd.pdu.fields();
        let dc = int_field(&fields, "data_coding")
            .and_then(|n| u8::try_from(n).ok())
            .unwrap_or(0);
        let udhi = int_field(&fields, "esm_class").is_some_and(|e| e & 0x40 != 0);
        let tlv_list: Vec<RawTlv> = cmd
            .pdu
            .tlvs()
            .map(|t| t.iter().collect())
            .unwrap_or_default();
        let receipted = tlv_list
            .iter()
            .find(|t| t.tag == crate::TlvTag::RECEIPTED_MESSAGE_ID)
            .and_then(tlv_c_octet);
        let mut out = Vec::new();
        // The id the receipt refers to: in the TLV, or in the text.
        let mut receipt_of: Option<Vec<u8>> = receipted.as_ref().map(|s| s.as_bytes().to_vec());
        for f in &fields {
            let v = match f.value {
                _ if TIME_FIELDS.contains(&f.name) => any(),
                FieldValue::Int(n) => Y::Int(i64::from(n)),
                FieldValue::COctet(b) if f.name == "message_id" => {
                    if let Some(var) = self.earlier_msg_var(b) {
                        Y::str(format!("${{{var}}}"))
                    } else if b.is_empty() {
                        Y::str("")
                    } else {
                        let var = self.new_msg_var(b);
                        captures.push((var, Y::str("message_id")));
                        continue;
                    }
                }
                FieldValue::COctet(b) => match std::str::from_utf8(b) {
                    Ok(s) => Y::str(lit(s)),
                    Err(_) => hex(b),
                },
                FieldValue::Octets(b) => {
                    let text = super::compare::user_text(
                        text::split_udh(b, udhi).map_or(b, |(_, rest)| rest),
                        dc,
                    );
                    match text
                        .as_deref()
                        .map(|t| (t, DeliveryReceipt::parse(t.as_bytes())))
                    {
                        Some((t, Ok(r))) => {
                            if receipt_of.is_none() {
                                receipt_of = Some(r.id.as_bytes().to_vec());
                            }
                            let id_pattern = self
                                .earlier_msg_var(r.id.as_bytes())
                                .map_or_else(|| "\\S+".to_owned(), |v| format!("${{{v}}}"));
                            receipt_regex(t, &r, &id_pattern).map_or_else(
                                || Y::str(lit(t)),
                                |re| Y::map([("regex", Y::Lit(re))]),
                            )
                        }
                        Some((t, Err(_))) => Y::str(lit(t)),
                        None => hex(b),
                    }
                }
                FieldValue::DestAddresses(d) => Y::map([("len", Y::Int(d.len() as i64))]),
                FieldValue::UnsuccessSmes(u) => Y::map([("len", Y::Int(u.len() as i64))]),
            };
            out.push((f.name.to_owned(), v));
        }
        // A receipt of a message whose id was captured in this same step: capture its id and
        // check it after the step.
        if let Some(id) = &receipt_of
            && self.earlier_msg_var(id).is_none()
            && let Some(var) = self.msg_var(id).map(|m| m.var.clone())
        {
            self.receipts += 1;
            let rvar = format!("receipt_id_{}", self.receipts);
            let spec = if receipted.is_some() {
                Y::map([("tlv", Y::str("receipted_message_id"))])
            } else {
                Y::map([
                    ("field", Y::str("short_message")),
                    ("regex", Y::Lit("id:(\\S+)".into())),
                ])
            };
            captures.push((rvar.clone(), spec));
            self.group_checks.push(Y::map([(
                "check",
                Y::map([
                    ("value", Y::str(format!("${{{rvar}}}"))),
                    ("is", Y::str(format!("${{{var}}}"))),
                ]),
            )]));
        }
        let mut tlvs = Vec::new();
        let mut seen = HashSet::new();
        for t in &tlv_list {
            if !seen.insert(t.tag) {
                continue; // a matcher names the first of a tag
            }
            let v = if t.tag == crate::TlvTag::RECEIPTED_MESSAGE_ID {
                match self.earlier_msg_var(&t.value[..t.value.len().saturating_sub(1)]) {
                    Some(var) => Y::str(format!("${{{var}}}")),
                    None => any(),
                }
            } else {
                match tlv_shape(t.tag) {
                    TlvShape::Int(0) if t.value.is_empty() => any(),
                    TlvShape::Int(_) => {
                        tlv_int(t).map_or_else(|| hex(&t.value), |n| Y::Int(n as i64))
                    }
                    TlvShape::COctet => {
                        tlv_c_octet(t).map_or_else(|| hex(&t.value), |s| Y::str(lit(&s)))
                    }
                    TlvShape::Payload => match super::compare::user_text(&t.value, dc) {
                        Some(s) => Y::str(lit(&s)),
                        None => hex(&t.value),
                    },
                    TlvShape::Octets => hex(&t.value),
                }
            };
            tlvs.push((tlv_name(t.tag), v));
        }
        (out, tlvs)
    }

    fn document(&self, opts: &ScenarioOptions) -> String {
        let plan = self.plan;
        let first = plan.sections_first();
        let stem = std::path::Path::new(&opts.capture_name)
            .file_stem()
            .map_or_else(
                || "capture".to_owned(),
                |s| s.to_string_lossy().into_owned(),
            );
        let id = opts.id.clone().unwrap_or_else(|| {
            let section = first.and_then(section).unwrap_or("4.1");
            format!("{section}/replay-{}-conn{}", slug(&stem), plan.conn)
        });
        let mut counts: Vec<(CommandId, usize)> = Vec::new();
        for e in plan
            .events
            .iter()
            .filter(|e| e.direction == SmppDirection::EsmeToSmsc && e.is_request())
        {
            match counts.iter_mut().find(|(c, _)| *c == e.header.command_id) {
                Some((_, n)) => *n += 1,
                None => counts.push((e.header.command_id, 1)),
            }
        }
        let what: Vec<String> = counts
            .iter()
            .map(|(c, n)| {
                if *n == 1 {
                    c.to_string()
                } else {
                    format!("{n} {c}")
                }
            })
            .collect();
        let title = format!(
            "as captured in {} (connection {}): {}",
            opts.capture_name,
            plan.conn,
            if what.is_empty() {
                "no request".to_owned()
            } else {
                what.join(", ")
            }
        );
        let mut sections: Vec<&str> = self.sections.iter().copied().collect();
        sections.sort_by_key(|s| {
            s.split('.')
                .map(|n| n.parse::<u32>().unwrap_or(0))
                .collect::<Vec<_>>()
        });
        let spec = sections
            .iter()
            .map(|s| format!("§{s}"))
            .collect::<Vec<_>>()
            .join(", ");
        let (esme_n, smsc_n) = plan.counts();
        let mut description = format!(
            "Written by smpp-replay --to-scenario from {}, connection {} (ESME {} ↔ SMSC {}, \
             {} + {} PDUs, from {}). Message ids are captured and reused, time stamps match \
             anything, every other field must be as captured.",
            opts.capture_name,
            plan.conn,
            plan.esme,
            plan.smsc,
            esme_n,
            smsc_n,
            rfc3339(plan.start_ts()),
        );
        if plan.problems > 0 {
            write!(
                description,
                " The capture lost or skipped octets in this connection ({} problem(s)): only \
                 the PDUs read whole are here.",
                plan.problems
            )
            .unwrap_or_default();
        }
        let mut doc: Vec<(String, Y)> = vec![
            ("id".into(), Y::str(id)),
            ("title".into(), Y::str(title)),
            (
                "spec".into(),
                Y::str(if spec.is_empty() {
                    "§4".to_owned()
                } else {
                    spec
                }),
            ),
            ("role".into(), Y::str("esme")),
        ];
        if !self.requires.is_empty() {
            doc.push((
                "requires".into(),
                Y::Seq(self.requires.iter().map(|r| Y::str(*r)).collect()),
            ));
        }
        doc.push(("description".into(), Y::str(description)));
        if !self.vars.is_empty() {
            doc.push(("vars".into(), Y::Map(self.vars.clone())));
        }
        doc.push((
            "timeouts".into(),
            Y::map([
                ("step", Y::str("5s")),
                ("scenario", Y::str(self.scenario_timeout())),
            ]),
        ));
        let mut steps = self.steps.clone();
        if steps.is_empty() {
            steps.push(Y::map([("sleep", Y::str("1s"))]));
        }
        let steps_y = if self.notes.is_empty() {
            Y::Seq(steps)
        } else {
            Y::Noted(self.notes.join("\n"), Box::new(Y::Seq(steps)))
        };
        doc.push(("steps".into(), steps_y));
        format!(
            "# smpp-replay --to-scenario {} --session {}\n{}",
            opts.capture_name,
            plan.conn,
            yaml::to_string(&Y::Map(doc))
        )
    }

    fn scenario_timeout(&self) -> String {
        let span = self.plan.events.last().map_or(Duration::ZERO, |e| {
            e.ts.saturating_sub(self.plan.start_ts())
        });
        let secs = (span.as_secs_f64() * 3.0).ceil().max(60.0) as u64;
        format!("{secs}s")
    }
}

impl Plan {
    /// The command the scenario is mostly about: the ESME's first request other than a bind,
    /// enquire_link or unbind, else its first request.
    fn sections_first(&self) -> Option<CommandId> {
        let requests = || {
            self.events
                .iter()
                .filter(|e| e.direction == SmppDirection::EsmeToSmsc && e.is_request())
                .map(|e| e.header.command_id)
        };
        requests()
            .find(|c| {
                !matches!(
                    *c,
                    CommandId::BIND_TRANSMITTER
                        | CommandId::BIND_RECEIVER
                        | CommandId::BIND_TRANSCEIVER
                        | CommandId::ENQUIRE_LINK
                        | CommandId::UNBIND
                )
            })
            .or_else(|| requests().next())
    }
}

fn int_field(fields: &[crate::fields::Field<'_>], name: &str) -> Option<u32> {
    fields
        .iter()
        .find(|f| f.name == name)
        .and_then(|f| match f.value {
            FieldValue::Int(n) => Some(n),
            _ => None,
        })
}

/// `[a-z0-9][a-z0-9._-]*` from a file name.
fn slug(s: &str) -> String {
    let mut out: String = s
        .chars()
        .map(|c| {
            let c = c.to_ascii_lowercase();
            if c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '-'
            }
        })
        .collect();
    while out.starts_with(|c: char| !c.is_ascii_alphanumeric()) {
        out.remove(0);
    }
    if out.is_empty() {
        "capture".into()
    } else {
        out
    }
}

/// A regular expression for a receipt's text: literal but for its id (`id_pattern`) and its
/// dates (`\d+`), anchored.
fn receipt_regex(text: &str, r: &DeliveryReceipt, id_pattern: &str) -> Option<String> {
    let lower = text.to_ascii_lowercase();
    let at_token = |p: usize| {
        p == 0
            || text
                .as_bytes()
                .get(p - 1)
                .is_some_and(u8::is_ascii_whitespace)
    };
    let value_start = |p: usize| {
        let mut v = p;
        while text.as_bytes().get(v) == Some(&b' ') {
            v += 1;
        }
        v
    };
    let mut spans: Vec<(usize, usize, String)> = Vec::new();
    if !r.id.is_empty() {
        let p = lower
            .match_indices("id:")
            .map(|(p, _)| p)
            .find(|p| at_token(*p))?;
        let v = value_start(p + 3);
        if !text.get(v..)?.starts_with(&r.id) {
            return None;
        }
        spans.push((v, v + r.id.len(), id_pattern.to_owned()));
    }
    for key in ["submit date:", "done date:"] {
        if let Some(p) = lower
            .match_indices(key)
            .map(|(p, _)| p)
            .find(|p| at_token(*p))
        {
            let v = value_start(p + key.len());
            let len = text.as_bytes()[v..]
                .iter()
                .take_while(|b| b.is_ascii_digit())
                .count();
            if len > 0 {
                spans.push((v, v + len, "\\d+".into()));
            }
        }
    }
    spans.sort_by_key(|s| s.0);
    let mut re = String::from("^");
    let mut at = 0;
    for (s, e, pat) in spans {
        if s < at {
            return None;
        }
        re.push_str(&regex_escape(text.get(at..s)?));
        re.push_str(&pat);
        at = e;
    }
    re.push_str(&regex_escape(text.get(at..)?));
    re.push('$');
    Some(re)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn receipt_regex_leaves_id_and_dates_open() {
        let t = "id:0000000001 sub:001 dlvrd:001 submit date:2611261602 done date:2611261602 stat:DELIVRD err:000 text:Hello (a) $5";
        let r = DeliveryReceipt::parse(t.as_bytes()).unwrap();
        assert_eq!(
            receipt_regex(t, &r, "${msg_id_1}").unwrap(),
            "^id:${msg_id_1} sub:001 dlvrd:001 submit date:\\d+ done date:\\d+ stat:DELIVRD err:000 text:Hello \\(a\\) \\x245$"
        );
    }

    #[test]
    fn user_data_forms() {
        assert_eq!(user_data(b"Hi ${x}", 1, false), Y::str("Hi $${x}"));
        // data_coding 0 is GSM 03.38: 0x24 is the currency sign, written so that it encodes back
        assert_eq!(user_data(b"1$", 0, false), Y::str("1\u{a4}"));
        assert_eq!(user_data(&[0xff, 0x00], 4, false), hex(&[0xff, 0x00]));
        assert_eq!(
            user_data(&[5, 0, 3, 1, 2, 1, b'H', b'i'], 0, true),
            Y::map([("udh", Y::str("050003010201")), ("text", Y::str("Hi"))])
        );
        assert_eq!(slug("Node-Client_node-server"), "node-client_node-server");
        assert_eq!(slug("__x y"), "x-y");
    }
}
