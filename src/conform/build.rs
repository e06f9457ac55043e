//! PDUs from scenario values: the typed form (spec field names, defaults, text by data_coding),
//! the builder form (items written as they are), mutations, and the by-name view of a received PDU
//! that matchers and captures read.

use bytes::{BufMut, Bytes, BytesMut};
use serde_json::Value;

use crate::fields::FieldValue;
use crate::generate::mutate::{self, Mutation};
use crate::pdu::*;
use crate::raw::RawPdu;
use crate::text::{self, Alphabet, DataCodingInfo, Mode};
use crate::tlv::TlvTag;
use crate::{DecodeOptions, Header};

use super::model::{BodyItem, MutateSpec, OrderedMap};

/// How a mandatory field travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// One-octet integer.
    Int,
    /// C-Octet String.
    COctet,
    /// short_message (sm_length derived).
    Octets,
    /// submit_multi's destinations.
    DestAddresses,
    /// submit_multi_resp's failed destinations.
    UnsuccessSmes,
}

/// A PDU of this id with a (default) body, `None` for ids v3.4 does not define.
pub fn template(id: CommandId) -> Option<Pdu> {
    Some(match id {
        CommandId::BIND_TRANSMITTER => Pdu::BindTransmitter(Bind::default()),
        CommandId::BIND_RECEIVER => Pdu::BindReceiver(Bind::default()),
        CommandId::BIND_TRANSCEIVER => Pdu::BindTransceiver(Bind::default()),
        CommandId::BIND_TRANSMITTER_RESP => Pdu::BindTransmitterResp(Some(BindResp::default())),
        CommandId::BIND_RECEIVER_RESP => Pdu::BindReceiverResp(Some(BindResp::default())),
        CommandId::BIND_TRANSCEIVER_RESP => Pdu::BindTransceiverResp(Some(BindResp::default())),
        CommandId::OUTBIND => Pdu::Outbind(Outbind::default()),
        CommandId::SUBMIT_SM => Pdu::SubmitSm(SubmitSm::default()),
        CommandId::SUBMIT_SM_RESP => Pdu::SubmitSmResp(Some(SubmitSmResp::default())),
        CommandId::SUBMIT_MULTI => Pdu::SubmitMulti(SubmitMulti::default()),
        CommandId::SUBMIT_MULTI_RESP => Pdu::SubmitMultiResp(Some(SubmitMultiResp::default())),
        CommandId::DELIVER_SM => Pdu::DeliverSm(DeliverSm::default()),
        CommandId::DELIVER_SM_RESP => Pdu::DeliverSmResp(Some(DeliverSmResp::default())),
        CommandId::DATA_SM => Pdu::DataSm(DataSm::default()),
        CommandId::DATA_SM_RESP => Pdu::DataSmResp(Some(DataSmResp::default())),
        CommandId::QUERY_SM => Pdu::QuerySm(QuerySm::default()),
        CommandId::QUERY_SM_RESP => Pdu::QuerySmResp(Some(QuerySmResp::default())),
        CommandId::CANCEL_SM => Pdu::CancelSm(CancelSm::default()),
        CommandId::REPLACE_SM => Pdu::ReplaceSm(ReplaceSm::default()),
        CommandId::ALERT_NOTIFICATION => Pdu::AlertNotification(AlertNotification::default()),
        CommandId::GENERIC_NACK => Pdu::GenericNack,
        CommandId::UNBIND => Pdu::Unbind,
        CommandId::UNBIND_RESP => Pdu::UnbindResp,
        CommandId::ENQUIRE_LINK => Pdu::EnquireLink,
        CommandId::ENQUIRE_LINK_RESP => Pdu::EnquireLinkResp,
        CommandId::CANCEL_SM_RESP => Pdu::CancelSmResp,
        CommandId::REPLACE_SM_RESP => Pdu::ReplaceSmResp,
        _ => return None,
    })
}

/// The mandatory fields of `id` by spec name, in wire order (`None` for unknown ids).
pub fn schema(id: CommandId) -> Option<Vec<(&'static str, FieldKind)>> {
    let pdu = template(id)?;
    Some(
        pdu.fields()
            .iter()
            .map(|f| {
                let kind = match f.value {
                    FieldValue::Int(_) => FieldKind::Int,
                    FieldValue::COctet(_) => FieldKind::COctet,
                    FieldValue::Octets(_) => FieldKind::Octets,
                    FieldValue::DestAddresses(_) => FieldKind::DestAddresses,
                    FieldValue::UnsuccessSmes(_) => FieldKind::UnsuccessSmes,
                };
                (f.name, kind)
            })
            .collect(),
    )
}

/// Whether the PDU carries text in short_message or message_payload.
pub fn has_text(id: CommandId) -> bool {
    matches!(
        id,
        CommandId::SUBMIT_SM
            | CommandId::SUBMIT_MULTI
            | CommandId::DELIVER_SM
            | CommandId::DATA_SM
            | CommandId::REPLACE_SM
    )
}

/// The default field values of a typed send (FORMAT.md), as templates with `${}`.
pub fn default_fields(id: CommandId) -> &'static [(&'static str, &'static str)] {
    match id {
        CommandId::BIND_TRANSMITTER | CommandId::BIND_RECEIVER | CommandId::BIND_TRANSCEIVER => &[
            ("system_id", "${system_id}"),
            ("password", "${password}"),
            ("system_type", "${system_type}"),
            ("interface_version", "52"),
        ],
        CommandId::SUBMIT_SM | CommandId::DATA_SM => &[
            ("source_addr", "${source_addr}"),
            ("destination_addr", "${destination_addr}"),
        ],
        CommandId::SUBMIT_MULTI | CommandId::QUERY_SM | CommandId::REPLACE_SM => {
            &[("source_addr", "${source_addr}")]
        }
        CommandId::CANCEL_SM => &[
            ("source_addr", "${source_addr}"),
            ("destination_addr", "${destination_addr}"),
        ],
        _ => &[],
    }
}

/// A command_id from a name (`submit_sm`) or a number (`4`, `0x00000004`, `"0x4"`).
pub fn command_id_of(v: &Value) -> Result<CommandId, String> {
    if let Value::String(s) = v
        && let Some(id) = CommandId::from_name(s)
    {
        return Ok(id);
    }
    match int_of(v) {
        Ok(n) => u32::try_from(n)
            .map(CommandId)
            .map_err(|_| format!("command_id {n} does not fit 32 bits")),
        Err(_) => Err(format!(
            "unknown PDU `{}` (a spec name such as submit_sm, or a number)",
            show(v)
        )),
    }
}

/// A command_status from a name (`ESME_ROK`) or a number.
pub fn status_of(v: &Value) -> Result<CommandStatus, String> {
    if let Value::String(s) = v
        && let Some(st) = CommandStatus::from_name(s)
    {
        return Ok(st);
    }
    match int_of(v) {
        Ok(n) => u32::try_from(n)
            .map(CommandStatus)
            .map_err(|_| format!("command_status {n} does not fit 32 bits")),
        Err(_) => Err(format!(
            "unknown command_status `{}` (ESME_... or a number)",
            show(v)
        )),
    }
}

/// A TLV tag from its spec name or a hex/decimal number.
pub fn tlv_tag_of(name: &str) -> Result<TlvTag, String> {
    if let Some(t) = TlvTag::from_name(name) {
        return Ok(t);
    }
    parse_int(name)
        .and_then(|n| u16::try_from(n).ok())
        .map(TlvTag)
        .ok_or_else(|| format!("unknown TLV `{name}` (a spec name, or a tag such as \"0x1400\")"))
}

/// A non-negative integer from a number or a string holding one (`52`, `0x34`).
pub fn int_of(v: &Value) -> Result<u64, String> {
    match v {
        Value::Number(n) => n
            .as_u64()
            .ok_or_else(|| format!("{n} is not a non-negative integer")),
        Value::String(s) => parse_int(s).ok_or_else(|| format!("`{s}` is not an integer")),
        Value::Bool(b) => Ok(u64::from(*b)),
        other => Err(format!("{} is not an integer", show(other))),
    }
}

/// `52`, `0x34`, `0b110`.
pub fn parse_int(s: &str) -> Option<u64> {
    let s = s.trim();
    let s = s.strip_prefix('+').unwrap_or(s);
    if let Some(h) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        u64::from_str_radix(&h.replace('_', ""), 16).ok()
    } else if let Some(b) = s.strip_prefix("0b") {
        u64::from_str_radix(b, 2).ok()
    } else {
        s.replace('_', "").parse().ok()
    }
}

/// A value as a string field (numbers in decimal).
pub fn string_of(v: &Value) -> Result<String, String> {
    match v {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        other => Err(format!("{} is not a string", show(other))),
    }
}

/// Octets from hex, spaces, `:` and `_` ignored.
pub fn hex_of(s: &str) -> Result<Vec<u8>, String> {
    let clean: String = s
        .chars()
        .filter(|c| !c.is_whitespace() && *c != ':' && *c != '_')
        .collect();
    hex::decode(&clean).map_err(|e| format!("bad hex `{s}`: {e}"))
}

/// A short text for messages.
pub fn show(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// How a TLV value travels (T 5-7, §5.3.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlvShape {
    /// An integer of this many octets (0: no value).
    Int(usize),
    /// A C-Octet String.
    COctet,
    /// Octets.
    Octets,
    /// message_payload: text or octets.
    Payload,
}

/// The shape of a known tag (`None` for unknown tags).
pub fn tlv_shape(tag: TlvTag) -> Option<TlvShape> {
    use TlvShape::*;
    Some(match tag.0 {
        0x0005 | 0x0006 | 0x0007 | 0x000D | 0x000E | 0x000F | 0x0010 | 0x0019 | 0x0030 | 0x0201
        | 0x0205 | 0x020D | 0x020E | 0x020F | 0x0210 | 0x0302 | 0x0304 | 0x0420 | 0x0421
        | 0x0422 | 0x0425 | 0x0426 | 0x0427 | 0x0501 | 0x1201 | 0x1204 | 0x1380 => Int(1),
        0x0008 | 0x0204 | 0x020A | 0x020B | 0x020C | 0x1203 => Int(2),
        0x0423 => Int(3),
        0x0017 => Int(4),
        0x130C => Int(0),
        0x001D | 0x001E => COctet,
        0x0424 => Payload,
        0x0202 | 0x0203 | 0x0303 | 0x0381 | 0x1383 => Octets,
        _ => return None,
    })
}

/// The alphabet `data_coding` selects (0: GSM 7-bit).
pub fn alphabet_of(dc: u8) -> Alphabet {
    DataCodingInfo::from_data_coding(dc, Alphabet::Gsm7).alphabet
}

/// Octets of a user-data value: text per data_coding, `{hex}`, or `{udh, text}`.
fn user_data(v: &Value, dc: u8) -> Result<Vec<u8>, String> {
    let encode = |t: &str| -> Result<Vec<u8>, String> {
        let alphabet = alphabet_of(dc);
        if !alphabet.is_text() {
            return Err(format!(
                "data_coding {dc:#04x} ({alphabet}) does not carry text: give {{hex: ...}}"
            ));
        }
        text::encode(t, alphabet, Mode::Strict).map_err(|e| format!("text: {e}"))
    };
    match v {
        Value::String(s) => encode(s),
        Value::Number(n) => encode(&n.to_string()),
        Value::Object(m) => {
            let mut out = Vec::new();
            if let Some(h) = m.get("udh") {
                out.extend(hex_of(&string_of(h)?)?);
            }
            if let Some(h) = m.get("hex") {
                out.extend(hex_of(&string_of(h)?)?);
            }
            if let Some(t) = m.get("text") {
                out.extend(encode(&string_of(t)?)?);
            }
            if m.keys()
                .any(|k| !matches!(k.as_str(), "udh" | "hex" | "text"))
            {
                return Err("user data takes `hex`, `udh` and `text`".into());
            }
            Ok(out)
        }
        other => Err(format!("{} is not user data", show(other))),
    }
}

/// The text of a user-data value, when it is one (to pick data_coding).
fn text_in(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Object(m) if !m.contains_key("hex") => m.get("text").map(show),
        _ => None,
    }
}

/// A typed PDU built from substituted values.
#[derive(Debug, Clone)]
pub struct Built {
    /// The octets to write.
    pub bytes: Bytes,
    /// The typed PDU, when valid (before any mutation).
    pub command: Option<Command>,
}

/// Builds a typed PDU: `fields` and `tlvs` already substituted, defaults already merged.
pub fn build_typed(
    id: CommandId,
    sequence_number: u32,
    status: CommandStatus,
    fields: &[(String, Value)],
    tlvs: &[(String, Value)],
) -> Result<Built, String> {
    let Some(schema) = schema(id) else {
        if !fields.is_empty() || !tlvs.is_empty() {
            return Err(format!(
                "{id} is not a v3.4 PDU: it takes no fields (use body)"
            ));
        }
        let raw = RawPdu::builder(id)
            .sequence_number(sequence_number)
            .command_status(status)
            .build();
        return Ok(Built {
            bytes: raw.to_bytes(),
            command: None,
        });
    };
    for (name, _) in fields {
        if !schema.iter().any(|(n, _)| n == name) {
            return Err(unknown_field(id, name, &schema));
        }
    }
    let get = |name: &str| fields.iter().find(|(n, _)| n == name).map(|(_, v)| v);
    // data_coding: given, or picked by the text.
    let text_value = get("short_message")
        .or_else(|| {
            tlvs.iter()
                .find(|(n, _)| n == "message_payload")
                .map(|(_, v)| v)
        })
        .and_then(text_in);
    let mut dc = match get("data_coding") {
        Some(v) => u8::try_from(int_of(v)?).map_err(|_| "data_coding: above 255".to_string())?,
        None => 0,
    };
    let auto_dc = get("data_coding").is_none() && has_text(id);
    if auto_dc && let Some(t) = &text_value {
        dc = Alphabet::best_for(t).to_data_coding();
    }
    let header_only = fields.is_empty() && tlvs.is_empty() && id.is_response() && !status.is_ok();
    let mut body = BytesMut::new();
    if !header_only {
        for (name, kind) in &schema {
            let v = get(name);
            let err = |e: String| format!("{name}: {e}");
            match kind {
                FieldKind::Int => {
                    let n = match (v, *name) {
                        (Some(v), _) => int_of(v).map_err(err)?,
                        (None, "data_coding") => u64::from(dc),
                        (None, _) => 0,
                    };
                    let n = u8::try_from(n).map_err(|_| err(format!("{n} is above 255")))?;
                    body.put_u8(n);
                }
                FieldKind::COctet => {
                    let s = v
                        .map(string_of)
                        .transpose()
                        .map_err(err)?
                        .unwrap_or_default();
                    body.put_slice(s.as_bytes());
                    body.put_u8(0);
                }
                FieldKind::Octets => {
                    let data = v
                        .map(|v| user_data(v, dc))
                        .transpose()
                        .map_err(err)?
                        .unwrap_or_default();
                    let len = u8::try_from(data.len())
                        .ok()
                        .filter(|l| *l <= 254)
                        .ok_or_else(|| {
                            err(format!(
                                "{} octets, 254 at most (use message_payload, or mutate/body to send more)",
                                data.len()
                            ))
                        })?;
                    body.put_u8(len);
                    body.put_slice(&data);
                }
                FieldKind::DestAddresses => dest_addresses(v, &mut body).map_err(err)?,
                FieldKind::UnsuccessSmes => unsuccess(v, &mut body).map_err(err)?,
            }
        }
        for (name, v) in tlvs {
            let tag = tlv_tag_of(name)?;
            let value = tlv_value(tag, v, dc).map_err(|e| format!("TLV {name}: {e}"))?;
            let len = u16::try_from(value.len()).map_err(|_| format!("TLV {name}: too long"))?;
            body.put_u16(tag.0);
            body.put_u16(len);
            body.put_slice(&value);
        }
    }
    let raw = RawPdu {
        command_length: None,
        command_id: id,
        command_status: status,
        sequence_number,
        body: body.freeze(),
    };
    let bytes = raw.to_bytes();
    let command = Command::decode(&bytes).map_err(|e| {
        format!("not a valid {id} PDU: {e} (to send an invalid PDU use mutate, body or raw)")
    })?;
    Ok(Built {
        bytes,
        command: Some(command),
    })
}

fn unknown_field(id: CommandId, name: &str, schema: &[(&str, FieldKind)]) -> String {
    if schema.is_empty() {
        format!("{id} has no fields (header only), not `{name}`")
    } else {
        let names: Vec<&str> = schema.iter().map(|(n, _)| *n).collect();
        format!(
            "{id} has no field `{name}`; its fields: {}",
            names.join(", ")
        )
    }
}

/// Checks field names against `id`'s schema (load time).
pub fn check_field_name(id: CommandId, name: &str) -> Result<FieldKind, String> {
    let Some(schema) = schema(id) else {
        return Err(format!("{id} is not a v3.4 PDU: it has no fields"));
    };
    schema
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, k)| *k)
        .ok_or_else(|| unknown_field(id, name, &schema))
}

fn dest_addresses(v: Option<&Value>, body: &mut BytesMut) -> Result<(), String> {
    let list = match v {
        None => return Err("submit_multi needs dest_addresses".into()),
        Some(Value::Array(a)) => a,
        Some(other) => return Err(format!("{} is not a list", show(other))),
    };
    body.put_u8(u8::try_from(list.len()).map_err(|_| "more than 255 destinations")?);
    for d in list {
        let Value::Object(m) = d else {
            return Err(format!("{} is not a destination map", show(d)));
        };
        if let Some(dl) = m.get("dl_name") {
            body.put_u8(2);
            body.put_slice(string_of(dl)?.as_bytes());
            body.put_u8(0);
        } else {
            body.put_u8(1);
            for f in ["dest_addr_ton", "dest_addr_npi"] {
                let n = m.get(f).map(int_of).transpose()?.unwrap_or(0);
                body.put_u8(u8::try_from(n).map_err(|_| format!("{f}: above 255"))?);
            }
            let a = m
                .get("destination_addr")
                .map(string_of)
                .transpose()?
                .unwrap_or_default();
            body.put_slice(a.as_bytes());
            body.put_u8(0);
        }
        for k in m.keys() {
            if !matches!(
                k.as_str(),
                "dl_name" | "dest_addr_ton" | "dest_addr_npi" | "destination_addr"
            ) {
                return Err(format!("destination has no key `{k}`"));
            }
        }
    }
    Ok(())
}

fn unsuccess(v: Option<&Value>, body: &mut BytesMut) -> Result<(), String> {
    let list = match v {
        None => Vec::new(),
        Some(Value::Array(a)) => a.clone(),
        Some(other) => return Err(format!("{} is not a list", show(other))),
    };
    body.put_u8(u8::try_from(list.len()).map_err(|_| "more than 255 entries")?);
    for d in &list {
        let Value::Object(m) = d else {
            return Err(format!("{} is not a map", show(d)));
        };
        for f in ["dest_addr_ton", "dest_addr_npi"] {
            let n = m.get(f).map(int_of).transpose()?.unwrap_or(0);
            body.put_u8(u8::try_from(n).map_err(|_| format!("{f}: above 255"))?);
        }
        let a = m
            .get("destination_addr")
            .map(string_of)
            .transpose()?
            .unwrap_or_default();
        body.put_slice(a.as_bytes());
        body.put_u8(0);
        let st = m
            .get("error_status_code")
            .map(status_of)
            .transpose()?
            .unwrap_or(CommandStatus::ESME_ROK);
        body.put_u32(st.0);
    }
    Ok(())
}

fn tlv_value(tag: TlvTag, v: &Value, dc: u8) -> Result<Vec<u8>, String> {
    let hex_form = |v: &Value| -> Option<Result<Vec<u8>, String>> {
        match v {
            Value::Object(m) if m.len() == 1 => m.get("hex").map(|h| hex_of(&string_of(h)?)),
            _ => None,
        }
    };
    if let Some(h) = hex_form(v) {
        return h;
    }
    match tlv_shape(tag) {
        Some(TlvShape::Int(0)) => Ok(Vec::new()),
        Some(TlvShape::Int(n)) => {
            let x = int_of(v)?;
            let bytes = x.to_be_bytes();
            if n < 8 && x >> (8 * n) != 0 {
                return Err(format!("{x} does not fit {n} octet(s)"));
            }
            Ok(bytes[8 - n..].to_vec())
        }
        Some(TlvShape::COctet) => {
            let mut s = string_of(v)?.into_bytes();
            s.push(0);
            Ok(s)
        }
        Some(TlvShape::Payload) => user_data(v, dc),
        Some(TlvShape::Octets) | None => match v {
            Value::String(s) => Ok(s.as_bytes().to_vec()),
            other => Err(format!(
                "{} : give octets as {{hex: \"...\"}} or a string",
                show(other)
            )),
        },
    }
}

/// Builder form: `body` items after a header.
pub fn build_body(
    id: CommandId,
    sequence_number: u32,
    status: CommandStatus,
    items: &[BodyItem],
    vars: &super::vars::Vars,
) -> Result<RawPdu, String> {
    let mut b = RawPdu::builder(id)
        .sequence_number(sequence_number)
        .command_status(status);
    let s = |v: &Value| -> Result<Value, String> { vars.substitute_value(v) };
    for item in items {
        b = match item {
            BodyItem::U8(v) => b.u8(u8::try_from(int_of(&s(v)?)?).map_err(|_| "u8: above 255")?),
            BodyItem::U16(v) => {
                b.u16(u16::try_from(int_of(&s(v)?)?).map_err(|_| "u16: above 65535")?)
            }
            BodyItem::U32(v) => b.u32(u32::try_from(int_of(&s(v)?)?).map_err(|_| "u32: too big")?),
            BodyItem::COctet(v) => b.c_octet(string_of(&s(v)?)?),
            BodyItem::COctetUnterminated(v) => b.c_octet_unterminated(string_of(&s(v)?)?),
            BodyItem::ShortMessage(v) => b.short_message(user_data(&s(v)?, 0)?),
            BodyItem::SmLength(v) => {
                b.u8(u8::try_from(int_of(&s(v)?)?).map_err(|_| "sm_length: above 255")?)
            }
            BodyItem::Hex(v) => b.octets(hex_of(&string_of(&s(v)?)?)?),
            BodyItem::Tlv(t) => {
                let tag = match s(&t.tag)? {
                    Value::String(n) => tlv_tag_of(&n)?,
                    other => {
                        TlvTag(u16::try_from(int_of(&other)?).map_err(|_| "tag: above 0xFFFF")?)
                    }
                };
                let value = match &t.value {
                    Some(v) => hex_of(&string_of(&s(v)?)?)?,
                    None => Vec::new(),
                };
                match &t.length {
                    Some(l) => {
                        let l = u16::try_from(int_of(&s(l)?)?).map_err(|_| "length: too big")?;
                        b.tlv_with_length(tag, l, value)
                    }
                    None => b.tlv(tag, value),
                }
            }
        };
    }
    Ok(b.build())
}

/// The mutation a `mutate` spec names, for this valid PDU.
pub fn mutation(spec: &MutateSpec, valid: &Command) -> Result<Mutation, String> {
    Ok(match spec {
        MutateSpec::CommandLength(d) => Mutation::CommandLength(*d),
        MutateSpec::Truncate(t) => Mutation::Truncate {
            at: t.at,
            patch_length: t.patch_length,
        },
        MutateSpec::COctetTooLong(f) | MutateSpec::COctetUnterminated(f) => {
            let names = mutate::c_octet_fields(valid);
            let Some(field) = names.iter().find(|n| *n == f).copied() else {
                return Err(format!(
                    "{} has no C-Octet String `{f}`; it has: {}",
                    valid.command_id(),
                    names.join(", ")
                ));
            };
            if matches!(spec, MutateSpec::COctetTooLong(_)) {
                Mutation::COctetTooLong { field }
            } else {
                Mutation::COctetUnterminated { field }
            }
        }
        MutateSpec::TlvLengthTooLong(by) => Mutation::TlvLengthTooLong { by: *by },
        MutateSpec::TlvLengthTooShort(by) => Mutation::TlvLengthTooShort { by: *by },
        MutateSpec::TlvCut(by) => Mutation::TlvCut { by: *by },
        MutateSpec::Append(h) => Mutation::AppendGarbage(Bytes::from(hex_of(h)?)),
        MutateSpec::CommandId(id) => Mutation::UnknownCommandId(CommandId(*id)),
        MutateSpec::SmLength(n) => Mutation::SmLength(*n),
        MutateSpec::NumberOfDests(n) => Mutation::NumberOfDests(*n),
        MutateSpec::StatusInRequest(v) => Mutation::StatusInRequest(status_of(v)?),
        MutateSpec::SequenceNumberZero(_) => Mutation::SequenceNumberZero,
    })
}

/// Applies a mutation to a valid PDU.
pub fn apply_mutation(valid: &Command, m: Mutation) -> Bytes {
    mutate::mutate(valid, m).to_bytes()
}

/// Writes `len` into the command_length of `bytes`.
pub fn patch_length(bytes: &Bytes, len: u32) -> Bytes {
    let mut b = BytesMut::from(&bytes[..]);
    if b.len() >= 4 {
        b[..4].copy_from_slice(&len.to_be_bytes());
    } else {
        b.clear();
        b.put_u32(len);
    }
    b.freeze()
}

/// A PDU as received: its header, and the decoded PDU when it decodes.
#[derive(Debug, Clone)]
pub struct Received {
    /// The frame.
    pub frame: Bytes,
    /// The header (`None` when fewer than 16 octets came).
    pub header: Option<Header>,
    /// The PDU, strictly decoded or (with `deviation`) leniently.
    pub command: Option<Command>,
    /// Why strict decoding refused it, when lenient decoding accepted it.
    pub deviation: Option<String>,
    /// Why it does not decode at all.
    pub error: Option<String>,
}

impl Received {
    /// Decodes a frame: strictly, else leniently.
    pub fn decode(frame: Bytes) -> Self {
        let header = Header::parse(&frame);
        match Command::decode(&frame) {
            Ok(c) => Self {
                frame,
                header,
                command: Some(c),
                deviation: None,
                error: None,
            },
            Err(strict) => match Command::decode_with(&frame, DecodeOptions::LENIENT) {
                Ok(d) => Self {
                    frame,
                    header,
                    command: Some(d.command),
                    deviation: Some(strict.to_string()),
                    error: None,
                },
                Err(e) => Self {
                    frame,
                    header,
                    command: None,
                    deviation: None,
                    error: Some(e.to_string()),
                },
            },
        }
    }

    /// The command_id in the header.
    pub fn command_id(&self) -> Option<CommandId> {
        self.header.map(|h| h.command_id)
    }

    /// The sequence_number in the header.
    pub fn sequence_number(&self) -> Option<u32> {
        self.header.map(|h| h.sequence_number)
    }

    /// One line: `submit_sm_resp seq=2 status=ESME_ROK message_id="1"`.
    pub fn summary(&self) -> String {
        let Some(h) = self.header else {
            return format!("{} octets that are not a PDU", self.frame.len());
        };
        let mut s = format!("{} seq={}", h.command_id, h.sequence_number);
        if h.command_id.is_response() {
            s.push_str(&format!(" status={}", h.command_status));
        }
        if let Some(c) = &self.command {
            for f in c.pdu.fields().iter().take(8) {
                let v = match f.value {
                    FieldValue::Int(n) => n.to_string(),
                    FieldValue::COctet(b) => format!("{:?}", String::from_utf8_lossy(b)),
                    FieldValue::Octets(b) => format!("{} octets", b.len()),
                    FieldValue::DestAddresses(d) => format!("[{} entries]", d.len()),
                    FieldValue::UnsuccessSmes(d) => format!("[{} entries]", d.len()),
                };
                if v != "0" && v != "\"\"" {
                    s.push_str(&format!(" {}={v}", f.name));
                }
            }
            if let Some(t) = c.pdu.tlvs().filter(|t| !t.is_empty()) {
                let names: Vec<String> = t.iter().map(|r| r.tag.to_string()).collect();
                s.push_str(&format!(" tlvs=[{}]", names.join(",")));
            }
        }
        if let Some(d) = &self.deviation {
            s.push_str(&format!(" (deviation: {d})"));
        }
        if let Some(e) = &self.error {
            s.push_str(&format!(" (undecodable: {e})"));
        }
        s
    }

    /// A field's value for matchers; `Absent` when the body is not there.
    pub fn field(&self, name: &str) -> Actual {
        let Some(c) = &self.command else {
            return Actual::Absent;
        };
        let fields = c.pdu.fields();
        let dc = fields
            .iter()
            .find(|f| f.name == "data_coding")
            .and_then(|f| match f.value {
                FieldValue::Int(n) => u8::try_from(n).ok(),
                _ => None,
            })
            .unwrap_or(0);
        let udhi = fields
            .iter()
            .find(|f| f.name == "esm_class")
            .is_some_and(|f| matches!(f.value, FieldValue::Int(n) if n & 0x40 != 0));
        let Some(f) = fields.iter().find(|f| f.name == name) else {
            return Actual::Absent;
        };
        match f.value {
            FieldValue::Int(n) => Actual::Int(u64::from(n)),
            FieldValue::COctet(b) => Actual::Text {
                text: String::from_utf8_lossy(b).into_owned(),
                octets: b.to_vec(),
            },
            FieldValue::Octets(b) => Actual::Text {
                text: user_text(b, dc, udhi),
                octets: b.to_vec(),
            },
            FieldValue::DestAddresses(d) => Actual::List {
                count: d.len(),
                octets: encoded_field(c, name),
            },
            FieldValue::UnsuccessSmes(d) => Actual::List {
                count: d.len(),
                octets: encoded_field(c, name),
            },
        }
    }

    /// A TLV's value for matchers (the first with this tag).
    pub fn tlv(&self, tag: TlvTag) -> Actual {
        let Some(tlvs) = self.command.as_ref().and_then(|c| c.pdu.tlvs()) else {
            return Actual::Absent;
        };
        let Some(raw) = tlvs.get_raw(tag) else {
            return Actual::Absent;
        };
        match tlv_shape(tag) {
            Some(TlvShape::Int(n)) if raw.len() == n && n > 0 => {
                Actual::Int(raw.iter().fold(0u64, |a, b| (a << 8) | u64::from(*b)))
            }
            Some(TlvShape::COctet) => Actual::Text {
                text: String::from_utf8_lossy(raw.strip_suffix(&[0]).unwrap_or(&raw)).into_owned(),
                octets: raw.to_vec(),
            },
            Some(TlvShape::Payload) => {
                let dc = match self.field("data_coding") {
                    Actual::Int(n) => u8::try_from(n).unwrap_or(0),
                    _ => 0,
                };
                let udhi = matches!(self.field("esm_class"), Actual::Int(n) if n & 0x40 != 0);
                Actual::Text {
                    text: user_text(&raw, dc, udhi),
                    octets: raw.to_vec(),
                }
            }
            _ => Actual::Text {
                text: String::from_utf8_lossy(&raw).into_owned(),
                octets: raw.to_vec(),
            },
        }
    }
}

/// The encoded octets of a list field (for `{hex}` matchers): the body without the other fields is
/// not separable cheaply, so the whole body is given.
fn encoded_field(c: &Command, _name: &str) -> Vec<u8> {
    let mut b = BytesMut::new();
    c.pdu.encode_body(&mut b);
    b.to_vec()
}

/// User data as text per data_coding (UDH skipped), or hex when it is not text.
fn user_text(b: &[u8], dc: u8, udhi: bool) -> String {
    let data = match text::split_udh(b, udhi) {
        Ok((_, rest)) => rest,
        Err(_) => b,
    };
    let alphabet = alphabet_of(dc);
    if alphabet.is_text() {
        text::decode(data, alphabet, Mode::Lossy).unwrap_or_else(|_| hex::encode(data))
    } else {
        hex::encode(data)
    }
}

/// A value read from a received PDU.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actual {
    /// An integer.
    Int(u64),
    /// A string or user data: text (decoded) and octets.
    Text {
        /// As text.
        text: String,
        /// As octets.
        octets: Vec<u8>,
    },
    /// A list (submit_multi destinations, unsuccess_sme).
    List {
        /// Entries.
        count: usize,
        /// Encoded octets.
        octets: Vec<u8>,
    },
    /// Not there.
    Absent,
}

impl std::fmt::Display for Actual {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Int(n) => write!(f, "{n}"),
            Self::Text { text, .. } => write!(f, "{text:?}"),
            Self::List { count, .. } => write!(f, "{count} entries"),
            Self::Absent => f.write_str("absent"),
        }
    }
}

/// Substituted typed values of an [`OrderedMap`].
pub fn substitute_map(
    map: Option<&OrderedMap<serde_saphyr::Spanned<Value>>>,
    vars: &super::vars::Vars,
) -> Result<Vec<(String, Value)>, String> {
    let mut out = Vec::new();
    if let Some(m) = map {
        for (k, v) in m.iter() {
            out.push((
                vars.substitute(k)?,
                vars.substitute_value(&v.value)
                    .map_err(|e| format!("{k}: {e}"))?,
            ));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn typed_submit_with_text_and_tlv() {
        let b = build_typed(
            CommandId::SUBMIT_SM,
            2,
            CommandStatus::ESME_ROK,
            &[
                ("source_addr".into(), json!(12345)),
                ("destination_addr".into(), json!("447911123456")),
                ("registered_delivery".into(), json!(1)),
                ("short_message".into(), json!("Hello")),
            ],
            &[("user_message_reference".into(), json!(1))],
        )
        .unwrap();
        // 10.4 of the reference, apart from the TON/NPI (defaults 0 here)
        assert_eq!(b.bytes.len(), 0x3d);
        let c = b.command.unwrap();
        let Pdu::SubmitSm(s) = c.pdu else { panic!() };
        assert_eq!(s.short_message.as_bytes(), b"Hello");
        assert_eq!(s.data_coding, DataCoding(0));
    }

    #[test]
    fn text_picks_ucs2() {
        let b = build_typed(
            CommandId::SUBMIT_SM,
            1,
            CommandStatus::ESME_ROK,
            &[("short_message".into(), json!("Привет"))],
            &[],
        )
        .unwrap();
        let Pdu::SubmitSm(s) = b.command.unwrap().pdu else {
            panic!()
        };
        assert_eq!(s.data_coding, DataCoding::UCS2);
        assert_eq!(s.short_message.len(), 12);
    }

    #[test]
    fn errors_name_the_field() {
        let e = build_typed(
            CommandId::SUBMIT_SM,
            1,
            CommandStatus::ESME_ROK,
            &[("destination".into(), json!("1"))],
            &[],
        )
        .unwrap_err();
        assert!(e.contains("no field `destination`"), "{e}");
        let e = build_typed(
            CommandId::SUBMIT_SM,
            1,
            CommandStatus::ESME_ROK,
            &[("esm_class".into(), json!(300))],
            &[],
        )
        .unwrap_err();
        assert!(e.starts_with("esm_class:"), "{e}");
    }

    #[test]
    fn error_response_is_header_only() {
        let b = build_typed(
            CommandId::SUBMIT_SM_RESP,
            3,
            CommandStatus::ESME_RSUBMITFAIL,
            &[],
            &[],
        )
        .unwrap();
        assert_eq!(b.bytes.len(), 16);
    }

    #[test]
    fn received_view() {
        let b = build_typed(
            CommandId::DELIVER_SM,
            7,
            CommandStatus::ESME_ROK,
            &[
                ("esm_class".into(), json!(4)),
                ("short_message".into(), json!("id:42 stat:DELIVRD")),
            ],
            &[
                ("receipted_message_id".into(), json!("42")),
                ("message_state".into(), json!(2)),
            ],
        )
        .unwrap();
        let r = Received::decode(b.bytes);
        assert_eq!(r.field("esm_class"), Actual::Int(4));
        assert!(
            matches!(r.field("short_message"), Actual::Text { ref text, .. } if text == "id:42 stat:DELIVRD")
        );
        assert!(
            matches!(r.tlv(TlvTag::RECEIPTED_MESSAGE_ID), Actual::Text { ref text, .. } if text == "42")
        );
        assert_eq!(r.tlv(TlvTag::MESSAGE_STATE), Actual::Int(2));
        assert_eq!(r.tlv(TlvTag::SAR_MSG_REF_NUM), Actual::Absent);
    }
}
