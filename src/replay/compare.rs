//! How a live PDU differs from the captured one: command_id, command_status, every mandatory field
//! by its spec name, every TLV by its name, and a delivery receipt's Appendix B text part by part.
//!
//! Fields that change from one run to the next are skipped by default ([`DEFAULT_IGNORED`]):
//! message ids and time stamps. sequence_number is never compared here: a replay matches
//! responses by it, and the peer's own requests by their order.
//!
//! ```
//! use smpp::replay::compare::{CompareOptions, compare};
//! use smpp::{Command, CommandStatus, Pdu, SubmitSmResp};
//!
//! let resp = |id: &str, status| {
//!     let body = SubmitSmResp { message_id: id.try_into().unwrap(), ..Default::default() };
//!     Command::response(status, 2, Pdu::SubmitSmResp(Some(body))).to_bytes()
//! };
//! let opts = CompareOptions::default();
//! // Another message_id: the same, by default.
//! assert!(compare(&resp("1", CommandStatus::ESME_ROK), &resp("2", CommandStatus::ESME_ROK), &opts).is_empty());
//! // Another status: a difference.
//! let diffs = compare(&resp("1", CommandStatus::ESME_ROK), &resp("1", CommandStatus::ESME_RTHROTTLED), &opts);
//! assert_eq!(diffs[0].to_string(), "command_status: ESME_ROK → ESME_RTHROTTLED");
//! // Everything compared.
//! let all = CompareOptions::compare_all();
//! assert_eq!(compare(&resp("1", CommandStatus::ESME_ROK), &resp("2", CommandStatus::ESME_ROK), &all).len(), 1);
//! ```

use std::collections::BTreeSet;
use std::fmt;

use bytes::Bytes;

use crate::fields::{Field, FieldValue};
use crate::pdu::{Command, Header, Pdu};
use crate::receipt::DeliveryReceipt;
use crate::text::{self, Alphabet, DataCodingInfo, Mode};
use crate::tlv::TlvTag;
use crate::{DecodeOptions, RawTlv};

/// Fields skipped unless [`CompareOptions::compare_all`]: the ids an SMSC gives messages and the
/// time stamps, which differ on every run. `short_message.id`, `short_message.submit_date` and
/// `short_message.done_date` are the parts of a delivery receipt's text (Appendix B).
pub const DEFAULT_IGNORED: &[&str] = &[
    "message_id",
    "receipted_message_id",
    "final_date",
    "schedule_delivery_time",
    "validity_period",
    "short_message.id",
    "short_message.submit_date",
    "short_message.done_date",
];

/// What is compared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompareOptions {
    ignored: BTreeSet<String>,
    all: bool,
}

impl Default for CompareOptions {
    /// Everything but [`DEFAULT_IGNORED`].
    fn default() -> Self {
        Self {
            ignored: DEFAULT_IGNORED.iter().map(|s| (*s).to_owned()).collect(),
            all: false,
        }
    }
}

impl CompareOptions {
    /// Every field, and an enquire_link the peer sent on its own counts as unexpected.
    #[must_use]
    pub fn compare_all() -> Self {
        Self {
            ignored: BTreeSet::new(),
            all: true,
        }
    }

    /// Also skips `field`: a mandatory field or TLV by spec name (`system_id`,
    /// `sc_interface_version`), a TLV tag in hex (`0x1400`), a receipt part
    /// (`short_message.stat`), or `command_status`.
    #[must_use]
    pub fn ignore(mut self, field: impl Into<String>) -> Self {
        self.ignored.insert(field.into());
        self
    }

    /// Whether `field` is skipped (`short_message.id` is when `short_message` is).
    #[must_use]
    pub fn is_ignored(&self, field: &str) -> bool {
        self.ignored.contains(field)
            || field
                .split_once('.')
                .is_some_and(|(parent, _)| self.ignored.contains(parent))
    }

    /// The skipped fields, sorted.
    pub fn ignored(&self) -> impl Iterator<Item = &str> {
        self.ignored.iter().map(String::as_str)
    }

    /// Whether [`CompareOptions::compare_all`] was asked for: then an enquire_link the peer
    /// sends on its own, or one it sent in the capture and not now, counts as a difference.
    #[must_use]
    pub fn counts_keepalives(&self) -> bool {
        self.all
    }
}

/// One field that differs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    /// `command_id`, `command_status`, a field's or TLV's spec name, `short_message.stat`, ...
    pub field: String,
    /// The captured value, rendered (`"text"` quoted, numbers as they are, `absent`).
    pub expected: String,
    /// The live value, rendered.
    pub actual: String,
}

impl fmt::Display for Difference {
    /// `command_status: ESME_ROK → ESME_RTHROTTLED`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {} → {}", self.field, self.expected, self.actual)
    }
}

fn diff(
    field: impl Into<String>,
    expected: impl Into<String>,
    actual: impl Into<String>,
) -> Difference {
    Difference {
        field: field.into(),
        expected: expected.into(),
        actual: actual.into(),
    }
}

/// How `actual` differs from `expected` (both whole PDUs), in wire order; empty when they agree
/// on everything compared.
#[must_use]
pub fn compare(expected: &[u8], actual: &[u8], opts: &CompareOptions) -> Vec<Difference> {
    let mut out = Vec::new();
    let (Some(eh), Some(ah)) = (Header::parse(expected), Header::parse(actual)) else {
        if expected != actual {
            out.push(diff("octets", hex::encode(expected), hex::encode(actual)));
        }
        return out;
    };
    if eh.command_id != ah.command_id {
        out.push(diff(
            "command_id",
            eh.command_id.to_string(),
            ah.command_id.to_string(),
        ));
    }
    if eh.command_status != ah.command_status && !opts.is_ignored("command_status") {
        out.push(diff(
            "command_status",
            eh.command_status.to_string(),
            ah.command_status.to_string(),
        ));
    }
    if eh.command_id != ah.command_id {
        return out;
    }
    let decode = |b: &[u8]| {
        Command::decode_with(&Bytes::copy_from_slice(b), DecodeOptions::LENIENT)
            .ok()
            .map(|d| d.command)
    };
    let (Some(e), Some(a)) = (decode(expected), decode(actual)) else {
        let (eb, ab) = (body(expected), body(actual));
        if eb != ab && !opts.is_ignored("body") {
            out.push(diff("body", show_hex(eb), show_hex(ab)));
        }
        return out;
    };
    compare_pdus(&e.pdu, &a.pdu, opts, &mut out);
    out
}

fn body(frame: &[u8]) -> &[u8] {
    frame.get(crate::HEADER_LEN..).unwrap_or_default()
}

fn show_hex(b: &[u8]) -> String {
    if b.is_empty() {
        "(empty)".into()
    } else {
        hex::encode(b)
    }
}

fn compare_pdus(e: &Pdu, a: &Pdu, opts: &CompareOptions, out: &mut Vec<Difference>) {
    if let Pdu::Unknown { body: eb, .. } = e {
        let ab = match a {
            Pdu::Unknown { body, .. } => &body[..],
            _ => &[][..],
        };
        if &eb[..] != ab && !opts.is_ignored("body") {
            out.push(diff("body", show_hex(eb), show_hex(ab)));
        }
        return;
    }
    // A response whose body the spec leaves out on error: present on one side only.
    if e.tlvs().is_some() != a.tlvs().is_some() {
        let side = |p: &Pdu| {
            if p.tlvs().is_some() {
                "present"
            } else {
                "absent (header only)"
            }
        };
        if !opts.is_ignored("body") {
            out.push(diff("body", side(e), side(a)));
        }
        return;
    }
    let (ef, af) = (e.fields(), a.fields());
    let (edc, adc) = (data_coding(&ef), data_coding(&af));
    for (x, y) in ef.iter().zip(af.iter()) {
        if x.name == "short_message" {
            compare_user_data(x, y, edc, adc, opts, out);
            continue;
        }
        if opts.is_ignored(x.name) || x.value == y.value {
            continue;
        }
        out.push(diff(x.name, show_field(x, edc), show_field(y, adc)));
    }
    if let (Some(et), Some(at)) = (e.tlvs(), a.tlvs()) {
        let (et, at): (Vec<RawTlv>, Vec<RawTlv>) = (et.iter().collect(), at.iter().collect());
        let mut tags: Vec<TlvTag> = Vec::new();
        for t in et.iter().chain(at.iter()) {
            if !tags.contains(&t.tag) {
                tags.push(t.tag);
            }
        }
        for tag in tags {
            let name = tlv_name(tag);
            if opts.is_ignored(&name) {
                continue;
            }
            let ev: Vec<&RawTlv> = et.iter().filter(|t| t.tag == tag).collect();
            let av: Vec<&RawTlv> = at.iter().filter(|t| t.tag == tag).collect();
            for i in 0..ev.len().max(av.len()) {
                let (x, y) = (ev.get(i), av.get(i));
                if x.map(|t| &t.value) == y.map(|t| &t.value) {
                    continue;
                }
                let show = |t: Option<&&RawTlv>, dc| {
                    t.map_or_else(|| "absent".to_owned(), |t| show_tlv(t, dc))
                };
                let field = if ev.len().max(av.len()) > 1 {
                    format!("{name}[{i}]")
                } else {
                    name.clone()
                };
                out.push(diff(field, show(x, edc), show(y, adc)));
            }
        }
    }
}

/// A TLV's name: its spec name, or its tag in hex.
pub(crate) fn tlv_name(tag: TlvTag) -> String {
    tag.name()
        .map_or_else(|| format!("{:#06x}", tag.0), str::to_owned)
}

fn data_coding(fields: &[Field<'_>]) -> u8 {
    fields
        .iter()
        .find(|f| f.name == "data_coding")
        .and_then(|f| match f.value {
            FieldValue::Int(n) => u8::try_from(n).ok(),
            _ => None,
        })
        .unwrap_or(0)
}

/// User data as quoted text when data_coding names a text alphabet and it decodes, else hex.
pub(crate) fn show_user_data(b: &[u8], dc: u8) -> String {
    match user_text(b, dc) {
        Some(t) => format!("{t:?}"),
        None => show_hex(b),
    }
}

/// User data as text, when data_coding names a text alphabet and the octets decode strictly.
pub(crate) fn user_text(b: &[u8], dc: u8) -> Option<String> {
    let alphabet = DataCodingInfo::from_data_coding(dc, Alphabet::Gsm7).alphabet;
    if !alphabet.is_text() {
        return None;
    }
    text::decode(b, alphabet, Mode::Strict).ok()
}

fn show_field(f: &Field<'_>, dc: u8) -> String {
    match f.value {
        FieldValue::Int(n) => n.to_string(),
        FieldValue::COctet(b) => format!("{:?}", String::from_utf8_lossy(b)),
        FieldValue::Octets(b) => show_user_data(b, dc),
        FieldValue::DestAddresses(d) => format!("{d:?}"),
        FieldValue::UnsuccessSmes(u) => format!("{u:?}"),
    }
}

fn compare_user_data(
    x: &Field<'_>,
    y: &Field<'_>,
    edc: u8,
    adc: u8,
    opts: &CompareOptions,
    out: &mut Vec<Difference>,
) {
    let (FieldValue::Octets(eb), FieldValue::Octets(ab)) = (x.value, y.value) else {
        return;
    };
    if eb == ab || opts.is_ignored("short_message") {
        return;
    }
    if let (Ok(er), Ok(ar)) = (DeliveryReceipt::parse(eb), DeliveryReceipt::parse(ab)) {
        let parts = receipt_parts(&er, &ar);
        for (part, ev, av) in &parts {
            let name = format!("short_message.{part}");
            if ev != av && !opts.is_ignored(&name) {
                out.push(diff(name, ev.clone(), av.clone()));
            }
        }
        // Every part equal but the octets not (spacing, key case): the layout differs.
        if parts.iter().all(|(_, e, a)| e == a) {
            out.push(diff(
                "short_message",
                show_user_data(eb, edc),
                show_user_data(ab, adc),
            ));
        }
        return;
    }
    out.push(diff(
        "short_message",
        show_user_data(eb, edc),
        show_user_data(ab, adc),
    ));
}

/// The parts of two receipts, side by side: (name, captured, live).
fn receipt_parts(e: &DeliveryReceipt, a: &DeliveryReceipt) -> Vec<(&'static str, String, String)> {
    let opt = |v: Option<String>| v.unwrap_or_else(|| "absent".into());
    let text = |t: &Option<Vec<u8>>| {
        opt(t
            .as_ref()
            .map(|t| format!("{:?}", String::from_utf8_lossy(t))))
    };
    let extra = |r: &DeliveryReceipt| {
        r.extra
            .iter()
            .map(|x| format!("{}:{}", x.key, String::from_utf8_lossy(&x.value)))
            .collect::<Vec<_>>()
            .join(" ")
    };
    vec![
        ("id", format!("{:?}", e.id), format!("{:?}", a.id)),
        (
            "sub",
            opt(e.sub.map(|c| c.to_string())),
            opt(a.sub.map(|c| c.to_string())),
        ),
        (
            "dlvrd",
            opt(e.dlvrd.map(|c| c.to_string())),
            opt(a.dlvrd.map(|c| c.to_string())),
        ),
        (
            "submit_date",
            opt(e.submit_date.map(|t| t.to_string())),
            opt(a.submit_date.map(|t| t.to_string())),
        ),
        (
            "done_date",
            opt(e.done_date.map(|t| t.to_string())),
            opt(a.done_date.map(|t| t.to_string())),
        ),
        (
            "stat",
            e.stat.as_str().to_owned(),
            a.stat.as_str().to_owned(),
        ),
        ("err", opt(e.err.clone()), opt(a.err.clone())),
        ("text", text(&e.text), text(&a.text)),
        ("extra", extra(e), extra(a)),
    ]
}

/// How a TLV's value travels, for rendering: an integer of n octets, a C-Octet String, or octets.
pub(crate) enum TlvShape {
    Int(usize),
    COctet,
    Payload,
    Octets,
}

/// The shape of a v3.4 TLV (octets for unknown tags).
pub(crate) fn tlv_shape(tag: TlvTag) -> TlvShape {
    match tag.0 {
        0x0005 | 0x0006 | 0x0007 | 0x000D | 0x000E | 0x000F | 0x0010 | 0x0019 | 0x0030 | 0x0201
        | 0x0205 | 0x020D | 0x020E | 0x020F | 0x0210 | 0x0302 | 0x0304 | 0x0420 | 0x0421
        | 0x0422 | 0x0425 | 0x0426 | 0x0427 | 0x0501 | 0x1201 | 0x1204 | 0x1380 => TlvShape::Int(1),
        0x0008 | 0x0204 | 0x020A | 0x020B | 0x020C | 0x1203 => TlvShape::Int(2),
        0x0423 => TlvShape::Int(3),
        0x0017 => TlvShape::Int(4),
        0x130C => TlvShape::Int(0),
        0x001D | 0x001E => TlvShape::COctet,
        0x0424 => TlvShape::Payload,
        _ => TlvShape::Octets,
    }
}

/// A TLV's value as an integer when its tag says so and its length fits.
pub(crate) fn tlv_int(t: &RawTlv) -> Option<u64> {
    match tlv_shape(t.tag) {
        TlvShape::Int(n) if n > 0 && t.value.len() == n => Some(
            t.value
                .iter()
                .fold(0u64, |acc, b| (acc << 8) | u64::from(*b)),
        ),
        _ => None,
    }
}

/// A C-Octet String TLV's text (without its NUL), when it is terminated ASCII/UTF-8.
pub(crate) fn tlv_c_octet(t: &RawTlv) -> Option<String> {
    let content = t.value.strip_suffix(&[0])?;
    if content.contains(&0) {
        return None;
    }
    String::from_utf8(content.to_vec()).ok()
}

fn show_tlv(t: &RawTlv, dc: u8) -> String {
    if let Some(n) = tlv_int(t) {
        return n.to_string();
    }
    match tlv_shape(t.tag) {
        TlvShape::COctet => tlv_c_octet(t).map_or_else(|| show_hex(&t.value), |s| format!("{s:?}")),
        TlvShape::Payload => show_user_data(&t.value, dc),
        _ => show_hex(&t.value),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pdu::{DeliverSm, EsmClass, MessageState, SubmitSmResp};
    use crate::tlv::Tlv;
    use crate::{CommandStatus, Tlvs};

    fn receipt(id: &str, date: &str, stat: &str) -> Bytes {
        let text = format!(
            "id:{id} sub:001 dlvrd:001 submit date:{date} done date:{date} stat:{stat} err:000 text:Hi"
        );
        let mut tlvs = Tlvs::new();
        tlvs.push(Tlv::ReceiptedMessageId(id.try_into().unwrap()));
        tlvs.push(Tlv::MessageState(MessageState::DELIVERED));
        let pdu = DeliverSm {
            esm_class: EsmClass::DELIVERY_RECEIPT,
            short_message: text.as_str().try_into().unwrap(),
            tlvs,
            ..DeliverSm::default()
        };
        Command::new(1, pdu).to_bytes()
    }

    #[test]
    fn receipts_compare_part_by_part_ids_and_dates_skipped() {
        let opts = CompareOptions::default();
        let a = receipt("0000000001", "2611261602", "DELIVRD");
        let b = receipt("a7", "2401011200", "DELIVRD");
        assert_eq!(compare(&a, &b, &opts), vec![]);
        let c = receipt("a7", "2401011200", "UNDELIV");
        let d = compare(&a, &c, &opts);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].to_string(), "short_message.stat: DELIVRD → UNDELIV");
        let all = compare(&a, &c, &CompareOptions::compare_all());
        let names: Vec<&str> = all.iter().map(|d| d.field.as_str()).collect();
        assert_eq!(
            names,
            [
                "short_message.id",
                "short_message.submit_date",
                "short_message.done_date",
                "short_message.stat",
                "receipted_message_id"
            ]
        );
    }

    #[test]
    fn header_only_and_unknown_and_tlvs() {
        let opts = CompareOptions::default();
        let ok = Command::response(
            CommandStatus::ESME_ROK,
            2,
            Pdu::SubmitSmResp(Some(SubmitSmResp::default())),
        )
        .to_bytes();
        let err = Command::empty_response(
            crate::CommandId::SUBMIT_SM_RESP,
            CommandStatus::ESME_RSYSERR,
            2,
        )
        .unwrap()
        .to_bytes();
        let d = compare(&ok, &err, &opts);
        assert_eq!(d[0].field, "command_status");
        assert_eq!(d[1].to_string(), "body: present → absent (header only)");
        let enquire = Command::new(2, Pdu::EnquireLink).to_bytes();
        assert_eq!(compare(&ok, &enquire, &opts)[0].field, "command_id");
        assert_eq!(compare(&ok, &enquire, &opts).len(), 1);
        // garbage never panics
        assert!(!compare(&[1, 2], &ok, &opts).is_empty());
        let mut cut = ok.to_vec();
        cut.truncate(16);
        assert!(!compare(&ok, &cut, &opts).is_empty());
    }

    #[test]
    fn ignore_by_parent_and_tlv_hex() {
        let o = CompareOptions::compare_all()
            .ignore("short_message")
            .ignore("0x1400");
        assert!(o.is_ignored("short_message.stat"));
        assert!(o.is_ignored("0x1400"));
        assert_eq!(tlv_name(TlvTag(0x1400)), "0x1400");
        assert!(!o.is_ignored("message_id"));
    }
}
