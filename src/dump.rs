//! Rendering decoded PDUs for people (text, hex dump) and machines (JSON), and splitting a byte stream
//! into decoded PDUs and error records: the engine of `smpp-dump`, the snapshots and wire logs.
//!
//! # JSON form ([`to_json`])
//!
//! One object per PDU (keys are sorted by `serde_json`; wire order is in the text form):
//!
//! | key | value |
//! |---|---|
//! | `command_id` | spec name (`"submit_sm"`), or `"0x%08x"` for an id v3.4 does not define |
//! | `command_status`, `command_status_name` | the number; its spec name or `null` |
//! | `sequence_number`, `command_length` | numbers (`command_length` as it is on the wire) |
//! | every mandatory field | under its spec name: integers as numbers, C-Octet Strings as strings (`""` when NULL), octet strings (`short_message`) as lowercase hex; the length and count fields `sm_length`, `number_of_dests`, `no_unsuccess` as numbers |
//! | `dest_addresses` | submit_multi: `{"dest_flag": 1, "dest_addr_ton", "dest_addr_npi", "destination_addr"}` or `{"dest_flag": 2, "dl_name"}` |
//! | `unsuccess_sme` | submit_multi_resp: `{"dest_addr_ton", "dest_addr_npi", "destination_addr", "error_status_code"}` |
//! | `short_message_text` | every PDU with a short_message: the text when data_coding names a text alphabet ([`crate::text::DataCodingInfo`]; data_coding 0 as [`DumpOptions::default_alphabet`], GSM 03.38 unpacked by default) and the octets decode in it, else `null` |
//! | `udh` | only when esm_class has UDHI: the User Data Header of short_message in hex (left out of the text), `null` when its UDHL runs past the data |
//! | `tlvs` | list in wire order of `{"tag", "name" (or null), "value" (hex), "decoded"}`; `decoded` is the typed value (number, string, object) or `null` for unknown tags and malformed values; for message_payload it is the text as for `short_message_text` (plus a `"udh"` key in the entry when UDHI is set) |
//! | `body` | only for an unknown command_id: the body in hex |
//! | `body_omitted` | only `true`, on a response whose body the spec defines but which came header-only (an error response, §4.1.2, §4.4.2): no body fields, `tlvs` empty |
//! | `warnings` | list of `{"kind", "message", "offset"}` (offset from the start of the PDU), empty when none |
//!
//! A C-Octet String that is not UTF-8 (SMPP strings are ASCII) shows with U+FFFD replacements, and its
//! exact octets come in an extra key `<field>_hex`.
//!
//! ```
//! use smpp::{Command, dump};
//! // 10.9 of the reference: enquire_link, sequence_number 3
//! let frame = [0, 0, 0, 0x10, 0, 0, 0, 0x15, 0, 0, 0, 0, 0, 0, 0, 3];
//! let cmd = Command::decode_slice(&frame)?;
//! let json = dump::to_json(&cmd, &frame, &[], &dump::DumpOptions::default());
//! assert_eq!(json["command_id"], "enquire_link");
//! assert_eq!(json["sequence_number"], 3);
//! assert_eq!(dump::to_text(&cmd, &frame, &[], &dump::DumpOptions::default()),
//!            "enquire_link seq=3 status=ESME_ROK len=16\n");
//! # Ok::<(), smpp::DecodeError>(())
//! ```

use std::fmt::Write as _;

use bytes::Bytes;
use serde_json::{Map, Value, json};

use crate::codec::DecodeOptions;
use crate::error::{DecodeError, DecodeErrorKind, Warning};
use crate::fields::{Field, FieldValue};
use crate::framer::Framer;
use crate::pdu::{
    Command, CommandId, CommandStatus, DataCoding, DestAddress, EsmClass, HEADER_LEN, Header,
    MessageState, Npi, Pdu, RegisteredDelivery, Ton, UnsuccessSme,
};
use crate::text::{self, Alphabet};
use crate::tlv::{RawTlv, Tlv, TlvTag};

/// Options for rendering.
///
/// ```
/// use smpp::dump::DumpOptions;
/// use smpp::text::Alphabet;
/// let opts = DumpOptions::default().with_default_alphabet(Alphabet::Latin1);
/// assert_eq!(opts.default_alphabet, Alphabet::Latin1);
/// assert_eq!(DumpOptions::default().default_alphabet, Alphabet::Gsm7);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct DumpOptions {
    /// The alphabet data_coding 0 ("SMSC default alphabet", §5.2.19) stands for, which each SMSC
    /// picks: [`Alphabet::Gsm7`] (unpacked, one septet per octet) by default.
    pub default_alphabet: Alphabet,
}

impl Default for DumpOptions {
    fn default() -> Self {
        Self {
            default_alphabet: Alphabet::Gsm7,
        }
    }
}

impl DumpOptions {
    /// These options with data_coding 0 read as `alphabet`.
    #[must_use]
    pub fn with_default_alphabet(mut self, alphabet: Alphabet) -> Self {
        self.default_alphabet = alphabet;
        self
    }
}

// ---------------------------------------------------------------------------------------------------
// JSON
// ---------------------------------------------------------------------------------------------------

/// The JSON object of one decoded PDU (see the [module docs](self) for its keys).
///
/// `frame` is the PDU as it came (its command_length is read from it; when it is shorter than a
/// header the encoded length is shown), `warnings` what lenient decoding reported.
///
/// ```
/// use smpp::{Command, DecodeOptions, dump};
/// // 10.4 of the reference: submit_sm "Hello" with user_message_reference 1
/// let frame = bytes::Bytes::from(hex::decode(
///     "0000003d00000004000000000000000200010131323334350001013434373931313132333435360000\
///      0000000001000000054865 6c6c6f0204000200 01".replace(' ', ""))?);
/// let d = Command::decode_with(&frame, DecodeOptions::LENIENT)?;
/// let json = dump::to_json(&d.command, &frame, &d.warnings, &Default::default());
/// assert_eq!(json["destination_addr"], "447911123456");
/// assert_eq!(json["short_message"], "48656c6c6f");
/// assert_eq!(json["short_message_text"], "Hello");
/// assert_eq!(json["tlvs"][0]["name"], "user_message_reference");
/// assert_eq!(json["tlvs"][0]["decoded"], 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn to_json(command: &Command, frame: &[u8], warnings: &[Warning], opts: &DumpOptions) -> Value {
    let view = View::new(command, frame, warnings, opts);
    let mut o = Map::new();
    o.insert("command_id".into(), json!(command_id_str(view.id)));
    o.insert("command_status".into(), json!(command.command_status.0));
    o.insert(
        "command_status_name".into(),
        json!(command.command_status.name()),
    );
    o.insert("sequence_number".into(), json!(command.sequence_number));
    o.insert("command_length".into(), json!(view.command_length));
    for field in &view.fields {
        insert_field_json(&mut o, field);
    }
    if let Some(ud) = &view.user_data {
        o.insert("short_message_text".into(), json!(ud.text));
        if ud.udhi {
            o.insert("udh".into(), json!(ud.udh.as_ref().map(hex::encode)));
        }
    }
    if let Pdu::Unknown { body, .. } = &command.pdu {
        o.insert("body".into(), json!(hex::encode(body)));
    }
    if view.body_omitted {
        o.insert("body_omitted".into(), json!(true));
    }
    let tlvs: Vec<Value> = view.tlvs.iter().map(tlv_json).collect();
    o.insert("tlvs".into(), Value::Array(tlvs));
    let warnings: Vec<Value> = view.notes.iter().map(Note::to_json).collect();
    o.insert("warnings".into(), Value::Array(warnings));
    Value::Object(o)
}

/// The JSON object of a PDU that could not be decoded (or of octets that could not be framed):
/// `{"error": {"kind", "command_status", "command_status_name", "message", "offset", "header"}, "offset"}`.
///
/// The outer `offset` is `offset_in_input`, where the PDU (or the bad octets) starts in the input;
/// `error.offset` is the problem's offset from that start; `error.header` is the header when 16
/// octets could be read (`{"command_length", "command_id", "command_status", "sequence_number"}`),
/// else `null`.
///
/// ```
/// use smpp::{Command, dump};
/// let err = Command::decode_slice(&[0, 0, 0, 12, 0, 0, 0, 0x15, 0, 0, 0, 0, 0, 0, 0, 1]).unwrap_err();
/// let json = dump::error_json(&err, 100);
/// assert_eq!(json["error"]["kind"], "command_length_too_small");
/// assert_eq!(json["error"]["command_status"], 2); // ESME_RINVCMDLEN
/// assert_eq!(json["offset"], 100);
/// ```
pub fn error_json(err: &DecodeError, offset_in_input: usize) -> Value {
    let status = err.command_status();
    let header = err.header.map(|h| {
        json!({
            "command_length": h.command_length,
            "command_id": command_id_str(h.command_id),
            "command_status": h.command_status.0,
            "sequence_number": h.sequence_number,
        })
    });
    json!({
        "error": {
            "kind": err.kind.name(),
            "command_status": status.0,
            "command_status_name": status.name(),
            "message": err.kind.to_string(),
            "offset": err.offset,
            "header": header,
        },
        "offset": offset_in_input,
    })
}

fn insert_field_json(o: &mut Map<String, Value>, field: &Field<'_>) {
    match field.value {
        FieldValue::Int(v) => {
            o.insert(field.name.into(), json!(v));
        }
        FieldValue::COctet(s) => insert_c_octet(o, field.name, s),
        FieldValue::Octets(b) => {
            o.insert("sm_length".into(), json!(b.len()));
            o.insert(field.name.into(), json!(hex::encode(b)));
        }
        FieldValue::DestAddresses(list) => {
            o.insert("number_of_dests".into(), json!(list.len()));
            let entries = list.iter().map(dest_address_json).collect();
            o.insert(field.name.into(), Value::Array(entries));
        }
        FieldValue::UnsuccessSmes(list) => {
            o.insert("no_unsuccess".into(), json!(list.len()));
            let entries = list.iter().map(unsuccess_json).collect();
            o.insert(field.name.into(), Value::Array(entries));
        }
    }
}

/// A C-Octet String as a JSON string, with `<name>_hex` when its octets are not UTF-8.
fn insert_c_octet(o: &mut Map<String, Value>, name: &str, s: &[u8]) {
    o.insert(name.into(), json!(String::from_utf8_lossy(s)));
    if std::str::from_utf8(s).is_err() {
        o.insert(format!("{name}_hex"), json!(hex::encode(s)));
    }
}

fn dest_address_json(d: &DestAddress) -> Value {
    let mut o = Map::new();
    o.insert("dest_flag".into(), json!(d.dest_flag()));
    match d {
        DestAddress::SmeAddress {
            dest_addr_ton,
            dest_addr_npi,
            destination_addr,
        } => {
            o.insert("dest_addr_ton".into(), json!(dest_addr_ton.0));
            o.insert("dest_addr_npi".into(), json!(dest_addr_npi.0));
            insert_c_octet(&mut o, "destination_addr", destination_addr.as_bytes());
        }
        DestAddress::DistributionList { dl_name } => {
            insert_c_octet(&mut o, "dl_name", dl_name.as_bytes());
        }
    }
    Value::Object(o)
}

fn unsuccess_json(u: &UnsuccessSme) -> Value {
    let mut o = Map::new();
    o.insert("dest_addr_ton".into(), json!(u.dest_addr_ton.0));
    o.insert("dest_addr_npi".into(), json!(u.dest_addr_npi.0));
    insert_c_octet(&mut o, "destination_addr", u.destination_addr.as_bytes());
    o.insert("error_status_code".into(), json!(u.error_status_code.0));
    Value::Object(o)
}

fn tlv_json(t: &TlvView) -> Value {
    let mut o = Map::new();
    o.insert("tag".into(), json!(t.raw.tag.0));
    o.insert("name".into(), json!(t.raw.tag.name()));
    o.insert("value".into(), json!(hex::encode(&t.raw.value)));
    let decoded = match &t.payload {
        Some(ud) => {
            if ud.udhi {
                o.insert("udh".into(), json!(ud.udh.as_ref().map(hex::encode)));
            }
            json!(ud.text)
        }
        None => tlv_decoded_json(&t.raw.typed()),
    };
    o.insert("decoded".into(), decoded);
    Value::Object(o)
}

/// The typed value of a TLV as JSON (`null` for unknown tags and malformed values).
fn tlv_decoded_json(tlv: &Tlv) -> Value {
    use Tlv::*;
    match tlv {
        DestAddrSubunit(v)
        | DestNetworkType(v)
        | DestBearerType(v)
        | SourceAddrSubunit(v)
        | SourceNetworkType(v)
        | SourceBearerType(v)
        | SourceTelematicsId(v)
        | PayloadType(v)
        | MsMsgWaitFacilities(v)
        | PrivacyIndicator(v)
        | UserResponseCode(v)
        | LanguageIndicator(v)
        | SarTotalSegments(v)
        | SarSegmentSeqnum(v)
        | ScInterfaceVersion(v)
        | CallbackNumPresInd(v)
        | NumberOfMessages(v)
        | DpfResult(v)
        | SetDpf(v)
        | MsAvailabilityStatus(v)
        | DeliveryFailureReason(v)
        | MoreMessagesToSend(v)
        | UssdServiceOp(v)
        | DisplayTime(v)
        | MsValidity(v)
        | ItsReplyType(v) => json!(v),
        DestTelematicsId(v)
        | UserMessageReference(v)
        | SourcePort(v)
        | DestinationPort(v)
        | SarMsgRefNum(v)
        | SmsSignal(v) => json!(v),
        QosTimeToLive(v) => json!(v),
        MessageState(v) => json!(v.0),
        AdditionalStatusInfoText(s) => json!(s.to_str_lossy()),
        ReceiptedMessageId(s) => json!(s.to_str_lossy()),
        NetworkErrorCode(n) => json!({"network_type": n.network_type, "error_code": n.error_code}),
        AlertOnMessageDelivery(()) => json!(true),
        // §5.3.2.15-16: octet 1 is the subaddress type, the rest the subaddress.
        SourceSubaddress(v) | DestSubaddress(v) => match v.as_bytes().split_first() {
            Some((kind, rest)) => json!({"type": kind, "subaddress": hex::encode(rest)}),
            None => Value::Null,
        },
        // §5.3.2.36: digit mode, TON, NPI, then the number's digits in ASCII.
        CallbackNum(v) => match v.as_bytes() {
            [mode, ton, npi, digits @ ..] => json!({
                "digit_mode": mode,
                "ton": ton,
                "npi": npi,
                "number": String::from_utf8_lossy(digits),
            }),
            _ => Value::Null,
        },
        // §5.3.2.38: octet 1 is a data_coding, the rest the display characters.
        CallbackNumAtag(v) => match v.as_bytes().split_first() {
            Some((dc, rest)) => json!({"data_coding": dc, "display": hex::encode(rest)}),
            None => Value::Null,
        },
        // §5.3.2.43: session number; dialogue sequence number (bits 7-1) and end-of-session (bit 0).
        ItsSessionInfo(v) => match v.as_bytes() {
            [session, seq] => json!({
                "session_number": session,
                "sequence_number": seq >> 1,
                "end_of_session": seq & 1,
            }),
            _ => Value::Null,
        },
        // message_payload is decoded by data_coding before this is reached; unknown tags and
        // malformed values have no typed form.
        _ => Value::Null,
    }
}

// ---------------------------------------------------------------------------------------------------
// Text
// ---------------------------------------------------------------------------------------------------

/// The readable form of one decoded PDU: a header line (`submit_sm seq=2 status=ESME_ROK len=61`),
/// then one line per field with its offset in the PDU, spec name and value (TON, NPI, data_coding,
/// statuses named; esm_class and registered_delivery bits explained), the TLVs with names and decoded
/// values, and the warnings. A header-only PDU is the header line alone.
///
/// ```
/// use smpp::{Command, dump};
/// // 10.3 of the reference: bind_transmitter_resp ESME_RINVPASWD, body omitted
/// let frame = [0, 0, 0, 0x10, 0x80, 0, 0, 2, 0, 0, 0, 0x0e, 0, 0, 0, 1];
/// let cmd = Command::decode_slice(&frame)?;
/// let text = dump::to_text(&cmd, &frame, &[], &Default::default());
/// assert!(text.starts_with("bind_transmitter_resp seq=1 status=ESME_RINVPASWD len=16\n"));
/// assert!(text.contains("omitted (header-only response)"));
/// # Ok::<(), smpp::DecodeError>(())
/// ```
pub fn to_text(
    command: &Command,
    frame: &[u8],
    warnings: &[Warning],
    opts: &DumpOptions,
) -> String {
    let view = View::new(command, frame, warnings, opts);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} seq={} status={} len={}",
        command_id_str(view.id),
        command.sequence_number,
        command.command_status,
        view.command_length
    );
    let mut w = TextWriter {
        out: &mut out,
        offsets: view.offsets.is_some(),
    };
    let offsets = view.offsets.as_deref().unwrap_or_default();
    for (i, field) in view.fields.iter().enumerate() {
        let at = offsets.get(i).copied();
        text_field(&mut w, at, field, &view);
    }
    if let Pdu::Unknown { body, .. } = &command.pdu {
        w.line(Some(HEADER_LEN), "body", &hex_or_empty(body));
    }
    if view.body_omitted {
        w.line(None, "body", "omitted (header-only response)");
    }
    let mut at = view.tlv_start;
    for t in &view.tlvs {
        text_tlv(&mut w, at, t);
        at = at.map(|a| a + 4 + t.raw.value.len());
    }
    for note in &view.notes {
        let _ = writeln!(
            w.out,
            "warning at {}: {} [{}]",
            note.offset, note.message, note.kind
        );
    }
    out
}

/// The readable form of a decode error: `error at input offset N (+M in the PDU): message [kind,
/// STATUS]`, with the header when it could be read.
///
/// ```
/// use smpp::{Command, dump};
/// let err = Command::decode_slice(&[0, 0, 0, 12, 0, 0, 0, 0x15, 0, 0, 0, 0, 0, 0, 0, 1]).unwrap_err();
/// assert!(dump::error_text(&err, 0).starts_with("error at input offset 0"));
/// ```
pub fn error_text(err: &DecodeError, offset_in_input: usize) -> String {
    let mut out = format!(
        "error at input offset {} (+{} in the PDU): {} [{}, {}]\n",
        offset_in_input,
        err.offset,
        err.kind,
        err.kind.name(),
        err.command_status()
    );
    if let Some(h) = err.header {
        let _ = writeln!(
            out,
            "  header as read: {} seq={} status={} len={}",
            command_id_str(h.command_id),
            h.sequence_number,
            h.command_status,
            h.command_length
        );
    }
    out
}

/// A hex dump: offset, 16 octets a line (a gap after 8), and an ASCII column (`.` for anything not
/// printable).
///
/// ```
/// let dump = smpp::dump::hex_dump(&[0, 0, 0, 0x10, 0, 0, 0, 0x15, 0, 0, 0, 0, 0, 0, 0, 3]);
/// assert_eq!(dump, "0000  00 00 00 10 00 00 00 15  00 00 00 00 00 00 00 03  |................|\n");
/// ```
pub fn hex_dump(frame: &[u8]) -> String {
    let mut out = String::new();
    for (i, chunk) in frame.chunks(16).enumerate() {
        let _ = write!(out, "{:04x} ", i * 16);
        for j in 0..16 {
            if j == 8 {
                out.push(' ');
            }
            match chunk.get(j) {
                Some(b) => {
                    let _ = write!(out, " {b:02x}");
                }
                None => out.push_str("   "),
            }
        }
        out.push_str("  |");
        out.extend(chunk.iter().map(|&b| {
            if b.is_ascii_graphic() || b == b' ' {
                char::from(b)
            } else {
                '.'
            }
        }));
        out.push_str("|\n");
    }
    out
}

struct TextWriter<'a> {
    out: &'a mut String,
    offsets: bool,
}

impl TextWriter<'_> {
    /// Octets in hex after `prefix`, 32 a line.
    fn hex_lines(&mut self, at: Option<usize>, name: &str, prefix: &str, octets: &[u8]) {
        let mut chunks = octets.chunks(32);
        let first = chunks
            .next()
            .map_or_else(|| "(empty)".to_owned(), hex::encode);
        self.line(at, name, &format!("{prefix}{first}"));
        let indent = " ".repeat(prefix.len());
        for chunk in chunks {
            self.line(None, "", &format!("{indent}{}", hex::encode(chunk)));
        }
    }

    fn line(&mut self, at: Option<usize>, name: &str, value: &str) {
        let _ = match (self.offsets, at) {
            (true, Some(at)) => writeln!(self.out, "{at:>5}  {name:<27} {value}"),
            _ => writeln!(self.out, "       {name:<27} {value}"),
        };
    }
}

fn text_field(w: &mut TextWriter<'_>, at: Option<usize>, field: &Field<'_>, view: &View<'_>) {
    match field.value {
        FieldValue::Int(v) => w.line(at, field.name, &int_text(field.name, v, view.id)),
        FieldValue::COctet(s) => w.line(at, field.name, &quoted(s)),
        FieldValue::Octets(b) => {
            w.line(at, "sm_length", &b.len().to_string());
            w.hex_lines(at.map(|a| a + 1), field.name, "", b);
            if let Some(ud) = &view.user_data {
                user_data_text(w, ud);
            }
        }
        FieldValue::DestAddresses(list) => {
            w.line(at, "number_of_dests", &list.len().to_string());
            let mut at = at.map(|a| a + 1);
            for (i, d) in list.iter().enumerate() {
                let value = match d {
                    DestAddress::SmeAddress {
                        dest_addr_ton,
                        dest_addr_npi,
                        destination_addr,
                    } => format!(
                        "dest_flag=1 (SME address) dest_addr_ton={} dest_addr_npi={} destination_addr={}",
                        ton_text(*dest_addr_ton),
                        npi_text(*dest_addr_npi),
                        quoted(destination_addr.as_bytes())
                    ),
                    DestAddress::DistributionList { dl_name } => format!(
                        "dest_flag=2 (distribution list) dl_name={}",
                        quoted(dl_name.as_bytes())
                    ),
                };
                w.line(at, &format!("dest_address[{i}]"), &value);
                at = at.map(|a| a + dest_address_len(d));
            }
        }
        FieldValue::UnsuccessSmes(list) => {
            w.line(at, "no_unsuccess", &list.len().to_string());
            let mut at = at.map(|a| a + 1);
            for (i, u) in list.iter().enumerate() {
                let value = format!(
                    "dest_addr_ton={} dest_addr_npi={} destination_addr={} error_status_code={}",
                    ton_text(u.dest_addr_ton),
                    npi_text(u.dest_addr_npi),
                    quoted(u.destination_addr.as_bytes()),
                    status_text(u.error_status_code)
                );
                w.line(at, &format!("unsuccess_sme[{i}]"), &value);
                at = at.map(|a| a + unsuccess_len(u));
            }
        }
    }
}

fn user_data_text(w: &mut TextWriter<'_>, ud: &UserData) {
    if ud.udhi {
        let udh = match &ud.udh {
            Some(udh) => hex_or_empty(udh),
            None => "(UDHL runs past the data)".to_owned(),
        };
        w.line(None, "  udh", &udh);
    }
    if let Some(text) = &ud.text {
        w.line(None, "  text", &format!("{text:?}"));
    }
}

fn text_tlv(w: &mut TextWriter<'_>, at: Option<usize>, t: &TlvView) {
    let name = match t.raw.tag.name() {
        Some(n) => n.to_owned(),
        None => "(unknown tlv)".to_owned(),
    };
    let decoded = match &t.payload {
        Some(_) => String::new(),
        None => tlv_text_value(&t.raw.typed()).map_or_else(String::new, |v| format!(" = {v}")),
    };
    let prefix = format!("[tlv 0x{:04x} len {}] ", t.raw.tag.0, t.raw.value.len());
    if t.raw.value.len() <= 32 {
        w.line(
            at,
            &name,
            &format!("{prefix}{}{decoded}", hex_or_empty(&t.raw.value)),
        );
    } else {
        w.hex_lines(at, &name, &prefix, &t.raw.value);
        if !decoded.is_empty() {
            w.line(None, "", decoded.trim_start_matches(' '));
        }
    }
    if let Some(ud) = &t.payload {
        user_data_text(w, ud);
    }
}

/// The decoded value of a TLV for the text form, with a name for a few enumerated values.
fn tlv_text_value(tlv: &Tlv) -> Option<String> {
    let named = |v: u8, name: Option<&str>| match name {
        Some(n) => format!("{v} ({n})"),
        None => v.to_string(),
    };
    Some(match tlv {
        Tlv::MessageState(s) => format!("{} ({s})", s.0),
        Tlv::ScInterfaceVersion(v) => format!("0x{v:02x} ({})", interface_version_text(*v)),
        // §5.3.2.30.
        Tlv::MsAvailabilityStatus(v) => named(
            *v,
            match v {
                0 => Some("available"),
                1 => Some("denied"),
                2 => Some("unavailable"),
                _ => None,
            },
        ),
        // §5.3.2.31.
        Tlv::NetworkErrorCode(n) => format!(
            "network_type {} ({}), error_code {}",
            n.network_type,
            match n.network_type {
                1 => "ANSI-136",
                2 => "IS-95",
                3 => "GSM",
                _ => "reserved",
            },
            n.error_code
        ),
        Tlv::Other { .. } => return None,
        tlv => match tlv_decoded_json(tlv) {
            Value::Null => return None,
            Value::String(s) => format!("{s:?}"),
            v => v.to_string(),
        },
    })
}

fn int_text(name: &str, v: u32, id: CommandId) -> String {
    let byte = u8::try_from(v).unwrap_or(u8::MAX);
    match name {
        "addr_ton" | "source_addr_ton" | "dest_addr_ton" | "esme_addr_ton" => ton_text(Ton(byte)),
        "addr_npi" | "source_addr_npi" | "dest_addr_npi" | "esme_addr_npi" => npi_text(Npi(byte)),
        "data_coding" => format!("0x{byte:02x} ({})", data_coding_text(byte)),
        "esm_class" => format!("0x{byte:02x} ({})", esm_class_text(EsmClass(byte), id)),
        "registered_delivery" => format!(
            "0x{byte:02x} ({})",
            registered_delivery_text(RegisteredDelivery(byte))
        ),
        "interface_version" => format!("0x{byte:02x} ({})", interface_version_text(byte)),
        "message_state" => format!("{v} ({})", MessageState(byte)),
        _ => v.to_string(),
    }
}

fn ton_text(t: Ton) -> String {
    format!("{} ({})", t.0, t.name().unwrap_or("reserved"))
}

fn npi_text(n: Npi) -> String {
    format!("{} ({})", n.0, n.name().unwrap_or("reserved"))
}

fn status_text(s: CommandStatus) -> String {
    match s.name() {
        Some(n) => format!("0x{:08x} ({n})", s.0),
        None => format!("0x{:08x}", s.0),
    }
}

fn interface_version_text(v: u8) -> String {
    match v {
        0x34 => "v3.4".to_owned(),
        0..=0x33 => "v3.3 or earlier".to_owned(),
        _ => "reserved".to_owned(),
    }
}

/// §5.2.19, with the GSM 03.38 groups of the high values.
fn data_coding_text(dc: u8) -> &'static str {
    if let Some(name) = DataCoding(dc).name() {
        return name;
    }
    match dc {
        0xC0..=0xCF => "GSM MWI control, discard message",
        0xD0..=0xDF => "GSM MWI control, store message",
        0xF0..=0xFF if dc & 0x04 == 0 => "GSM message class control, default alphabet",
        0xF0..=0xFF => "GSM message class control, 8-bit data",
        _ => "reserved",
    }
}

/// §5.2.12: messaging mode (ESME→SMSC only), message type, GSM features.
fn esm_class_text(e: EsmClass, id: CommandId) -> String {
    let mut parts = Vec::new();
    // Bits 1-0 are not applicable from the SMSC (deliver_sm).
    if id != CommandId::DELIVER_SM {
        parts.push(match e.messaging_mode() {
            0 => "default mode",
            1 => "datagram mode",
            2 => "forward mode",
            _ => "store and forward mode",
        });
    }
    parts.push(match e.message_type() {
        0x00 => "default message type",
        0x04 => "SMSC delivery receipt",
        0x08 => "SME delivery acknowledgement",
        0x10 => "SME manual/user acknowledgement",
        0x18 => "conversation abort",
        0x20 => "intermediate delivery notification",
        _ => "reserved message type",
    });
    if e.udhi() {
        parts.push("UDHI");
    }
    if e.reply_path() {
        parts.push("reply path");
    }
    parts.join(", ")
}

/// §5.2.17: SMSC receipt (bits 1-0), SME acknowledgement (bits 3-2), intermediate notification (bit 4).
fn registered_delivery_text(r: RegisteredDelivery) -> String {
    let mut parts = Vec::new();
    match r.smsc_receipt() {
        0 => {}
        1 => parts.push("SMSC receipt on success or failure"),
        2 => parts.push("SMSC receipt on failure"),
        _ => parts.push("SMSC receipt (reserved value 3)"),
    }
    match r.sme_ack() {
        0 => {}
        0x04 => parts.push("SME delivery acknowledgement"),
        0x08 => parts.push("SME manual/user acknowledgement"),
        _ => parts.push("SME delivery and manual/user acknowledgements"),
    }
    if r.intermediate_notification() {
        parts.push("intermediate notification");
    }
    if r.0 & 0xE0 != 0 {
        parts.push("reserved bits 7-5 set");
    }
    if parts.is_empty() {
        "none".to_owned()
    } else {
        parts.join(", ")
    }
}

/// A C-Octet String in double quotes, non-printable octets escaped (`\x01`).
fn quoted(s: &[u8]) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for &b in s {
        out.extend(std::ascii::escape_default(b).map(char::from));
    }
    out.push('"');
    out
}

fn hex_or_empty(b: &[u8]) -> String {
    if b.is_empty() {
        "(empty)".to_owned()
    } else {
        hex::encode(b)
    }
}

fn command_id_str(id: CommandId) -> String {
    match id.name() {
        Some(n) => n.to_owned(),
        None => format!("0x{:08x}", id.0),
    }
}

// ---------------------------------------------------------------------------------------------------
// The view both forms are made from
// ---------------------------------------------------------------------------------------------------

/// A warning to show: the codec's, or one of the dump's own (e.g. a UDH cut short).
struct Note {
    kind: &'static str,
    message: String,
    offset: usize,
}

impl Note {
    fn to_json(&self) -> Value {
        json!({"kind": self.kind, "message": self.message, "offset": self.offset})
    }
}

/// User data read as text.
struct UserData {
    udhi: bool,
    /// The UDH (UDHL included), `None` when UDHI is clear or the UDHL runs past the data.
    udh: Option<Vec<u8>>,
    text: Option<String>,
}

struct TlvView {
    raw: RawTlv,
    /// For message_payload: its user data read as text.
    payload: Option<UserData>,
}

struct View<'a> {
    id: CommandId,
    command_length: u64,
    fields: Vec<Field<'a>>,
    /// Offset in the PDU of each field, when the layout adds up to the frame.
    offsets: Option<Vec<usize>>,
    tlv_start: Option<usize>,
    tlvs: Vec<TlvView>,
    user_data: Option<UserData>,
    body_omitted: bool,
    notes: Vec<Note>,
}

impl<'a> View<'a> {
    fn new(command: &'a Command, frame: &[u8], warnings: &[Warning], opts: &DumpOptions) -> Self {
        let pdu = &command.pdu;
        let id = pdu.command_id();
        let command_length = Header::parse(frame).map_or_else(
            || u64::try_from(command.encoded_len()).unwrap_or(u64::MAX),
            |h| u64::from(h.command_length),
        );
        let fields = pdu.fields();
        let mut notes: Vec<Note> = warnings
            .iter()
            .map(|w| Note {
                kind: w.kind.name(),
                message: w.kind.to_string(),
                offset: w.offset,
            })
            .collect();
        let warned_unknown = warnings
            .iter()
            .any(|w| matches!(w.kind, DecodeErrorKind::UnknownCommandId(_)));
        if let (Pdu::Unknown { command_id, .. }, false) = (pdu, warned_unknown) {
            let kind = DecodeErrorKind::UnknownCommandId(*command_id);
            notes.push(Note {
                kind: kind.name(),
                message: kind.to_string(),
                offset: 4,
            });
        }

        let (offsets, end) = layout(&fields);
        let tlv_bytes = match pdu {
            Pdu::Unknown { body, .. } => body.len(),
            _ => pdu.tlvs().map_or(0, |t| t.as_bytes().len()),
        };
        let pdu_len = if frame.len() >= HEADER_LEN {
            frame.len()
        } else {
            command.encoded_len()
        };
        let consistent = end + tlv_bytes == pdu_len;
        let (offsets, tlv_start) = if consistent {
            (Some(offsets), Some(end))
        } else {
            (None, None)
        };

        let data_coding = field_int(&fields, "data_coding").unwrap_or(0);
        let esm_class = EsmClass(field_int(&fields, "esm_class").unwrap_or(0));
        let mut user_data = None;
        for (i, f) in fields.iter().enumerate() {
            if let FieldValue::Octets(b) = f.value {
                let at = offsets.as_ref().and_then(|o| o.get(i)).map(|a| a + 1);
                let ud = read_user_data(b, data_coding, esm_class, opts);
                if ud.udhi && ud.udh.is_none() {
                    notes.push(udh_note(at, "short_message"));
                }
                user_data = Some(ud);
            }
        }

        let mut tlvs = Vec::new();
        let mut at = tlv_start;
        for raw in pdu.tlvs().map(|t| t.iter()).into_iter().flatten() {
            let payload = (raw.tag == TlvTag::MESSAGE_PAYLOAD)
                .then(|| read_user_data(&raw.value, data_coding, esm_class, opts));
            if payload.as_ref().is_some_and(|p| p.udhi && p.udh.is_none()) {
                notes.push(udh_note(at.map(|a| a + 4), "message_payload"));
            }
            at = at.map(|a| a + 4 + raw.value.len());
            tlvs.push(TlvView { raw, payload });
        }

        let body_omitted = is_body_omitted(pdu);
        Self {
            id,
            command_length,
            fields,
            offsets,
            tlv_start,
            tlvs,
            user_data,
            body_omitted,
            notes,
        }
    }
}

fn udh_note(at: Option<usize>, field: &str) -> Note {
    Note {
        kind: "udh_truncated",
        message: format!("esm_class has UDHI but the UDHL of {field} runs past its end"),
        offset: at.unwrap_or(0),
    }
}

/// Whether this is a response whose body the spec defines but that came header-only.
fn is_body_omitted(pdu: &Pdu) -> bool {
    matches!(
        pdu,
        Pdu::BindTransmitterResp(None)
            | Pdu::BindReceiverResp(None)
            | Pdu::BindTransceiverResp(None)
            | Pdu::SubmitSmResp(None)
            | Pdu::SubmitMultiResp(None)
            | Pdu::DeliverSmResp(None)
            | Pdu::DataSmResp(None)
            | Pdu::QuerySmResp(None)
    )
}

fn field_int(fields: &[Field<'_>], name: &str) -> Option<u8> {
    fields
        .iter()
        .find(|f| f.name == name)
        .and_then(|f| match f.value {
            FieldValue::Int(v) => u8::try_from(v).ok(),
            _ => None,
        })
}

/// The offset of each mandatory field and the offset after the last one. Every top-level integer
/// field of a v3.4 body is one octet (§4); the layout is checked against the frame by the caller.
fn layout(fields: &[Field<'_>]) -> (Vec<usize>, usize) {
    let mut at = HEADER_LEN;
    let mut offsets = Vec::with_capacity(fields.len());
    for f in fields {
        offsets.push(at);
        at += match f.value {
            FieldValue::Int(_) => 1,
            FieldValue::COctet(s) => s.len() + 1,
            FieldValue::Octets(b) => 1 + b.len(),
            FieldValue::DestAddresses(l) => 1 + l.iter().map(dest_address_len).sum::<usize>(),
            FieldValue::UnsuccessSmes(l) => 1 + l.iter().map(unsuccess_len).sum::<usize>(),
        };
    }
    (offsets, at)
}

fn dest_address_len(d: &DestAddress) -> usize {
    match d {
        DestAddress::SmeAddress {
            destination_addr, ..
        } => 1 + 2 + destination_addr.len() + 1,
        DestAddress::DistributionList { dl_name } => 1 + dl_name.len() + 1,
    }
}

fn unsuccess_len(u: &UnsuccessSme) -> usize {
    2 + u.destination_addr.len() + 1 + 4
}

/// Splits off the UDH (its UDHL and that many octets) when UDHI is set, and reads the rest as text
/// when data_coding names a text alphabet. The UDH is cut by its UDHL alone, not parsed, so that a
/// malformed header still shows.
fn read_user_data(
    data: &[u8],
    data_coding: u8,
    esm_class: EsmClass,
    opts: &DumpOptions,
) -> UserData {
    if !esm_class.udhi() {
        return UserData {
            udhi: false,
            udh: None,
            text: decode_text(data_coding, data, opts),
        };
    }
    let udh_len = data.first().map(|&udhl| 1 + usize::from(udhl));
    match udh_len.and_then(|n| data.split_at_checked(n)) {
        Some((udh, rest)) => UserData {
            udhi: true,
            udh: Some(udh.to_vec()),
            text: decode_text(data_coding, rest, opts),
        },
        None => UserData {
            udhi: true,
            udh: None,
            text: None,
        },
    }
}

/// The user data as text, when data_coding names a text alphabet ([`text::DataCodingInfo`]) and the
/// octets decode in it strictly (GSM 7-bit unpacked); `None` for binary, compressed, other codings
/// and octets that are not valid in the alphabet.
fn decode_text(data_coding: u8, data: &[u8], opts: &DumpOptions) -> Option<String> {
    let info = text::DataCodingInfo::from_data_coding(data_coding, opts.default_alphabet);
    if !info.alphabet.is_text() || info.compressed {
        return None;
    }
    text::decode(data, info.alphabet, text::Mode::Strict).ok()
}

// ---------------------------------------------------------------------------------------------------
// Streams
// ---------------------------------------------------------------------------------------------------

/// One record of a decoded byte stream: a PDU, or an error where octets could not be framed or
/// decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
// Records are made one at a time and consumed at once: boxing the PDU would buy nothing.
#[allow(clippy::large_enum_variant)]
pub enum Item {
    /// A PDU that decoded.
    Pdu {
        /// Where the PDU starts in the input.
        offset: usize,
        /// Its octets.
        frame: Bytes,
        /// The PDU.
        command: Command,
        /// What lenient decoding overlooked.
        warnings: Vec<Warning>,
    },
    /// A PDU that did not decode, a command_length out of bounds, or an incomplete PDU at the end.
    Error {
        /// Where the PDU (or the octets skipped) starts in the input.
        offset: usize,
        /// The octets concerned: the whole frame for a bad body, the skipped octets after a bad
        /// command_length, the tail for an incomplete PDU.
        octets: Bytes,
        /// What went wrong.
        error: DecodeError,
    },
}

impl Item {
    /// The JSON of this record: [`to_json`] with an `"offset"` key added, or [`error_json`].
    pub fn to_json(&self, opts: &DumpOptions) -> Value {
        match self {
            Self::Pdu {
                offset,
                frame,
                command,
                warnings,
            } => {
                let mut v = to_json(command, frame, warnings, opts);
                if let Value::Object(o) = &mut v {
                    o.insert("offset".into(), json!(offset));
                }
                v
            }
            Self::Error { offset, error, .. } => error_json(error, *offset),
        }
    }

    /// The readable form of this record: `[offset] ` and [`to_text`], or [`error_text`].
    pub fn to_text(&self, opts: &DumpOptions) -> String {
        match self {
            Self::Pdu {
                offset,
                frame,
                command,
                warnings,
            } => format!("[{offset}] {}", to_text(command, frame, warnings, opts)),
            Self::Error { offset, error, .. } => error_text(error, *offset),
        }
    }

    /// The octets of this record (for [`hex_dump`]).
    pub fn octets(&self) -> &[u8] {
        match self {
            Self::Pdu { frame, .. } => frame,
            Self::Error { octets, .. } => octets,
        }
    }

    /// Whether this is an error record.
    pub fn is_error(&self) -> bool {
        matches!(self, Self::Error { .. })
    }
}

/// Splits `input` into PDUs with a [`Framer`] and decodes each, yielding a record per PDU or error.
///
/// Decoding goes on after an error wherever the framing allows: a bad body moves on to the next
/// frame; a command_length out of bounds skips to the next plausible header ([`Framer::resync`]);
/// octets left at the end that do not make a whole PDU are one last error.
///
/// ```
/// use smpp::{DecodeOptions, dump};
/// let enquire_link = [0, 0, 0, 0x10, 0, 0, 0, 0x15, 0, 0, 0, 0, 0, 0, 0, 1];
/// let mut input = vec![0, 0, 0, 3]; // a command_length of 3
/// input.extend_from_slice(&enquire_link);
/// let items: Vec<_> = dump::Items::new(&input, smpp::DEFAULT_MAX_COMMAND_LENGTH, DecodeOptions::LENIENT).collect();
/// assert_eq!(items.len(), 2);
/// assert!(items[0].is_error());
/// assert!(matches!(&items[1], dump::Item::Pdu { offset: 4, .. }));
/// ```
#[derive(Debug)]
pub struct Items {
    input: Bytes,
    framer: Framer,
    offset: usize,
    opts: DecodeOptions,
}

impl Items {
    /// The records of `input`, refusing command_length above `max_command_length`.
    pub fn new(input: &[u8], max_command_length: u32, opts: DecodeOptions) -> Self {
        let input = Bytes::copy_from_slice(input);
        let mut framer = Framer::new(max_command_length);
        framer.push(&input);
        Self {
            input,
            framer,
            offset: 0,
            opts,
        }
    }
}

impl Iterator for Items {
    type Item = Item;

    fn next(&mut self) -> Option<Item> {
        let offset = self.offset;
        match self.framer.next_frame() {
            Some(Ok(frame)) => {
                self.offset += frame.len();
                Some(match Command::decode_with(&frame, self.opts) {
                    Ok(d) => Item::Pdu {
                        offset,
                        frame,
                        command: d.command,
                        warnings: d.warnings,
                    },
                    Err(error) => Item::Error {
                        offset,
                        octets: frame,
                        error,
                    },
                })
            }
            Some(Err(error)) => {
                let dropped = self.framer.resync();
                self.offset += dropped;
                // The framer was fed `input` whole, so what it skipped is `input[offset..]`.
                let end = self.offset.min(self.input.len());
                Some(Item::Error {
                    offset,
                    octets: self.input.slice(offset.min(end)..end),
                    error,
                })
            }
            None if self.framer.buffered() > 0 => {
                let tail = self.framer.take_remaining();
                self.offset += tail.len();
                let error = match tail.get(..4).map(|l| l.try_into().map(u32::from_be_bytes)) {
                    Some(Ok(command_length)) => DecodeError::new(
                        Header::parse(&tail),
                        0,
                        DecodeErrorKind::LengthMismatch {
                            command_length,
                            available: tail.len(),
                        },
                    ),
                    // Not even a whole command_length.
                    _ => DecodeError::new(
                        None,
                        0,
                        DecodeErrorKind::Truncated {
                            field: "command_length",
                            needed: 4,
                            available: tail.len(),
                        },
                    ),
                };
                Some(Item::Error {
                    offset,
                    octets: tail,
                    error,
                })
            }
            None => None,
        }
    }
}

// ---------------------------------------------------------------------------------------------------
// Hex input
// ---------------------------------------------------------------------------------------------------

/// Why [`parse_hex`] refused its input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HexError {
    /// A character that is neither a hex digit nor a separator.
    #[error("{0:?} is not a hex digit")]
    NotHex(char),
    /// A group of digits with an odd count (half an octet).
    #[error("{0:?} has an odd number of hex digits")]
    OddDigits(String),
}

/// The octets of hex text as people write it: hex digits, with whitespace, `,` and `:` between
/// groups, a `0x` prefix on any group and everything from `#` to the end of a line ignored (the
/// form of the `fixtures/pdus/*.hex` files).
///
/// ```
/// use smpp::dump::{HexError, parse_hex};
/// assert_eq!(parse_hex("# enquire_link\n0x00000010 00,00:00:15")?, [0, 0, 0, 0x10, 0, 0, 0, 0x15]);
/// assert_eq!(parse_hex("abc"), Err(HexError::OddDigits("abc".into())));
/// # Ok::<(), HexError>(())
/// ```
pub fn parse_hex(text: &str) -> Result<Vec<u8>, HexError> {
    let mut out = Vec::with_capacity(text.len() / 2);
    for line in text.lines() {
        let line = line.split('#').next().unwrap_or_default();
        for group in line.split(|c: char| c.is_whitespace() || c == ',' || c == ':') {
            let group = group
                .strip_prefix("0x")
                .or_else(|| group.strip_prefix("0X"))
                .unwrap_or(group);
            if let Some(bad) = group.chars().find(|c| !c.is_ascii_hexdigit()) {
                return Err(HexError::NotHex(bad));
            }
            let octets = hex::decode(group).map_err(|_| HexError::OddDigits(group.to_owned()))?;
            out.extend(octets);
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------------
// Captures
// ---------------------------------------------------------------------------------------------------

/// One record of a packet capture ([`crate::pcap::read::Record`]) with its PDU decoded: what
/// `smpp-dump capture.pcap` prints.
///
/// The JSON form is that of [`Item::to_json`] (a PDU's fields, or an `error` object), where
/// `offset` is the offset in the direction's TCP stream, plus:
///
/// | key | value |
/// |---|---|
/// | `ts`, `first_ts` | RFC 3339 time stamps (UTC) of the records holding the PDU's last and first octets |
/// | `frame_number`, `first_frame_number` | their 1-based record numbers |
/// | `connection` | `"10.0.0.1:40000 → 10.0.0.2:2775"`, sender first |
/// | `src`, `dst` | `{"ip", "port"}` of sender and receiver |
/// | `conn` | the connection's number (0-based) |
/// | `direction` | `"esme_to_smsc"` or `"smsc_to_esme"` |
/// | `gap_before` | octets were missing or skipped just before this PDU |
///
/// Stream problems are error objects whose `error.problem` is `gap` (with `missing`), `skipped`
/// (with `skipped` and `cause`: `gap` or `stream_start`), `bad_command_length` (with `skipped`)
/// or `incomplete` (with `cut_by`: `gap` or `end`).
///
/// ```
/// use std::time::Duration;
/// use smpp::pcap::{PcapWriter, TcpConversation};
/// use smpp::pcap::read::Capture;
/// use smpp::dump::{CapturedItem, DumpOptions};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let mut pcap = PcapWriter::new(Vec::new())?;
/// let mut c = TcpConversation::new(
///     "10.0.0.1:40000".parse::<std::net::SocketAddr>()?,
///     "10.0.0.2:2775".parse::<std::net::SocketAddr>()?,
/// )?;
/// c.handshake(&mut pcap, Duration::from_secs(1_700_000_000))?;
/// c.client_sends(&mut pcap, &[0, 0, 0, 16, 0, 0, 0, 0x15, 0, 0, 0, 0, 0, 0, 0, 3],
///     Duration::from_secs(1_700_000_000))?;
/// let record = Capture::from_bytes(pcap.into_inner())?.next().unwrap();
/// let item = CapturedItem::new(record, smpp::DecodeOptions::LENIENT);
/// let json = item.to_json(&DumpOptions::default());
/// assert_eq!(json["command_id"], "enquire_link");
/// assert_eq!(json["connection"], "10.0.0.1:40000 → 10.0.0.2:2775");
/// assert_eq!(json["direction"], "esme_to_smsc");
/// assert_eq!(json["ts"], "2023-11-14T22:13:20.000000Z");
/// assert!(item.to_text(&DumpOptions::default())
///     .starts_with("[2023-11-14T22:13:20.000000Z #4 conn 0 esme_to_smsc 10.0.0.1:40000 → 10.0.0.2:2775 @0] enquire_link seq=3"));
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CapturedItem {
    /// The record.
    pub record: crate::pcap::read::Record,
    /// For a PDU: its decode.
    pub decoded: Option<Result<crate::Decoded, DecodeError>>,
}

impl CapturedItem {
    /// `record`, its PDU decoded with `opts`.
    pub fn new(record: crate::pcap::read::Record, opts: DecodeOptions) -> Self {
        let decoded = match &record {
            crate::pcap::read::Record::Pdu(p) => Some(p.decode(opts)),
            crate::pcap::read::Record::Problem(_) => None,
        };
        Self { record, decoded }
    }

    /// Whether this is a problem or a PDU that did not decode.
    pub fn is_error(&self) -> bool {
        !matches!(self.decoded, Some(Ok(_)))
    }

    /// The octets concerned (for [`hex_dump`]).
    pub fn octets(&self) -> &[u8] {
        match &self.record {
            crate::pcap::read::Record::Pdu(p) => &p.frame,
            crate::pcap::read::Record::Problem(p) => &p.octets,
        }
    }

    /// The JSON object (see the type's docs).
    pub fn to_json(&self, opts: &DumpOptions) -> Value {
        use crate::pcap::read::{ProblemKind, Record, SkipCause, rfc3339};
        let offset = usize::try_from(self.record.stream_offset()).unwrap_or(usize::MAX);
        let mut v = match (&self.record, &self.decoded) {
            (Record::Pdu(p), Some(Ok(d))) => {
                let mut v = to_json(&d.command, &p.frame, &d.warnings, opts);
                if let Value::Object(o) = &mut v {
                    o.insert("offset".into(), json!(offset));
                }
                v
            }
            (_, Some(Err(e))) => error_json(e, offset),
            (Record::Problem(p), _) => {
                let mut v = match p.kind.decode_error(&p.octets) {
                    Some(e) => error_json(&e, offset),
                    None => json!({
                        "error": {
                            "kind": p.kind.name(),
                            "command_status": null,
                            "command_status_name": null,
                            "offset": 0,
                            "header": null,
                        },
                        "offset": offset,
                    }),
                };
                if let Some(Value::Object(e)) = v.get_mut("error") {
                    e.insert("problem".into(), json!(p.kind.name()));
                    e.insert("message".into(), json!(p.kind.to_string()));
                    match &p.kind {
                        ProblemKind::Gap { missing } => {
                            e.insert("missing".into(), json!(missing));
                        }
                        ProblemKind::Skipped { skipped, cause } => {
                            e.insert("skipped".into(), json!(skipped));
                            let cause = match cause {
                                SkipCause::BadLength(_) => "bad_command_length",
                                SkipCause::Gap => "gap",
                                _ => "stream_start",
                            };
                            e.insert("cause".into(), json!(cause));
                        }
                        ProblemKind::Incomplete { cut_by, .. } => {
                            let cut = match cut_by {
                                crate::pcap::read::Cut::Gap => "gap",
                                crate::pcap::read::Cut::End => "end",
                            };
                            e.insert("cut_by".into(), json!(cut));
                        }
                    }
                }
                v
            }
            (Record::Pdu(_), None) => Value::Null,
        };
        if let Value::Object(o) = &mut v {
            let key = self.record.key();
            let endpoint =
                |a: std::net::SocketAddr| json!({"ip": a.ip().to_string(), "port": a.port()});
            o.insert("ts".into(), json!(rfc3339(self.record.ts())));
            o.insert("frame_number".into(), json!(self.record.frame_number()));
            o.insert("connection".into(), json!(key.to_string()));
            o.insert("src".into(), endpoint(key.src));
            o.insert("dst".into(), endpoint(key.dst));
            o.insert("conn".into(), json!(self.record.conn()));
            o.insert("direction".into(), json!(self.record.direction().name()));
            if let Record::Pdu(p) = &self.record {
                o.insert("first_ts".into(), json!(rfc3339(p.first_ts)));
                o.insert("first_frame_number".into(), json!(p.first_frame_number));
                o.insert("gap_before".into(), json!(p.gap_before));
            }
        }
        v
    }

    /// The readable form: `[ts #frame conn N direction src → dst @offset] ` and the PDU as
    /// [`to_text`] shows it, or the problem.
    pub fn to_text(&self, opts: &DumpOptions) -> String {
        use crate::pcap::read::{Record, rfc3339};
        let prefix = format!(
            "[{} #{} conn {} {} {} @{}]",
            rfc3339(self.record.ts()),
            self.record.frame_number(),
            self.record.conn(),
            self.record.direction(),
            self.record.key(),
            self.record.stream_offset()
        );
        match (&self.record, &self.decoded) {
            (Record::Pdu(p), Some(Ok(d))) => {
                let gap = if p.gap_before {
                    " (after missing octets)"
                } else {
                    ""
                };
                format!(
                    "{prefix}{gap} {}",
                    to_text(&d.command, &p.frame, &d.warnings, opts)
                )
            }
            (_, Some(Err(e))) => format!("{prefix} {}", error_text(e, p_offset(&self.record))),
            (Record::Problem(p), _) => format!("{prefix} error: {}\n", p.kind),
            (Record::Pdu(_), None) => format!("{prefix}\n"),
        }
    }
}

fn p_offset(record: &crate::pcap::read::Record) -> usize {
    usize::try_from(record.stream_offset()).unwrap_or(usize::MAX)
}
