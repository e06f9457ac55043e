//! A reference decoder, written apart from the codec from the spec's tables, that says what strict
//! decoding of a PDU must give: the oracle of the mutator's negative tests.
//!
//! It knows each command's mandatory fields from an empty body of its type (names and kinds from
//! [`crate::Pdu::fields`]; sizes from T 4-x, kept here), the TLV value sizes from T 5-7 and
//! §5.3.2, and applies the checks in the order the codec documents: frame length, header,
//! command_id, body presence, fields in wire order, then each TLV (stream, value, allowed), the TLVs
//! that need each other, and short_message against message_payload.

use crate::error::DecodeErrorKind;
use crate::fields::FieldValue;
use crate::pdu::*;
use crate::tlv::TlvTag;

use super::body_omitted_on_error;

/// A mandatory field, as the walk reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FieldKind {
    U8,
    COctet { max: usize, time: bool },
    ShortMessage,
    DestAddresses,
    UnsuccessSmes,
}

/// Where a field or TLV lies in a PDU (offsets from the start of the PDU).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Segment {
    pub(crate) name: &'static str,
    pub(crate) kind: SegmentKind,
    pub(crate) start: usize,
    pub(crate) end: usize,
}

/// What a [`Segment`] holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SegmentKind {
    Int,
    /// A C-Octet String; `end` is one past its NUL.
    COctet {
        max: usize,
    },
    /// A one-octet length or count (sm_length, number_of_dests, no_unsuccess).
    Count,
    Octets,
    /// A whole TLV, header included.
    Tlv,
}

/// The largest C-Octet String (NUL included) T 4-1..4-30 allow for `field` in command `id`.
pub(crate) fn c_octet_max(id: CommandId, field: &str) -> usize {
    match field {
        "system_id" => 16,
        "password" => 9,
        "system_type" => 13,
        "address_range" => 41,
        "service_type" => 6,
        "message_id" => 65,
        "dl_name" => 21,
        "esme_addr" => 65,
        "schedule_delivery_time" | "validity_period" | "final_date" => 17,
        "source_addr" if id == CommandId::DATA_SM || id == CommandId::ALERT_NOTIFICATION => 65,
        "destination_addr" if id == CommandId::DATA_SM => 65,
        "source_addr" | "destination_addr" => 21,
        _ => 0,
    }
}

fn is_time_field(field: &str) -> bool {
    matches!(
        field,
        "schedule_delivery_time" | "validity_period" | "final_date"
    )
}

/// The mandatory fields of `valid`'s body, in wire order.
fn schema(valid: &Command) -> Vec<(&'static str, FieldKind)> {
    let id = valid.command_id();
    valid
        .pdu
        .fields()
        .iter()
        .map(|f| {
            let kind = match f.value {
                FieldValue::Int(_) => FieldKind::U8,
                FieldValue::COctet(_) => FieldKind::COctet {
                    max: c_octet_max(id, f.name),
                    time: is_time_field(f.name),
                },
                FieldValue::Octets(_) => FieldKind::ShortMessage,
                FieldValue::DestAddresses(_) => FieldKind::DestAddresses,
                FieldValue::UnsuccessSmes(_) => FieldKind::UnsuccessSmes,
            };
            (f.name, kind)
        })
        .collect()
}

/// The TLV tags T 4-x allow in `id` (the codec's lists, which follow the tables).
fn allowed_tlvs(id: CommandId) -> &'static [TlvTag] {
    match id {
        CommandId::BIND_TRANSMITTER | CommandId::BIND_RECEIVER | CommandId::BIND_TRANSCEIVER => {
            Bind::ALLOWED_TLVS
        }
        CommandId::BIND_TRANSMITTER_RESP
        | CommandId::BIND_RECEIVER_RESP
        | CommandId::BIND_TRANSCEIVER_RESP => BindResp::ALLOWED_TLVS,
        CommandId::OUTBIND => Outbind::ALLOWED_TLVS,
        CommandId::SUBMIT_SM => SubmitSm::ALLOWED_TLVS,
        CommandId::SUBMIT_SM_RESP => SubmitSmResp::ALLOWED_TLVS,
        CommandId::SUBMIT_MULTI => SubmitMulti::ALLOWED_TLVS,
        CommandId::SUBMIT_MULTI_RESP => SubmitMultiResp::ALLOWED_TLVS,
        CommandId::DELIVER_SM => DeliverSm::ALLOWED_TLVS,
        CommandId::DELIVER_SM_RESP => DeliverSmResp::ALLOWED_TLVS,
        CommandId::DATA_SM => DataSm::ALLOWED_TLVS,
        CommandId::DATA_SM_RESP => DataSmResp::ALLOWED_TLVS,
        CommandId::QUERY_SM => QuerySm::ALLOWED_TLVS,
        CommandId::QUERY_SM_RESP => QuerySmResp::ALLOWED_TLVS,
        CommandId::CANCEL_SM => CancelSm::ALLOWED_TLVS,
        CommandId::REPLACE_SM => ReplaceSm::ALLOWED_TLVS,
        CommandId::ALERT_NOTIFICATION => AlertNotification::ALLOWED_TLVS,
        _ => &[],
    }
}

/// Header-only PDUs (§4.2, §4.3, §4.9.2, §4.10.2, §4.11).
fn header_only(id: CommandId) -> bool {
    matches!(
        id,
        CommandId::GENERIC_NACK
            | CommandId::UNBIND
            | CommandId::UNBIND_RESP
            | CommandId::ENQUIRE_LINK
            | CommandId::ENQUIRE_LINK_RESP
            | CommandId::CANCEL_SM_RESP
            | CommandId::REPLACE_SM_RESP
    )
}

/// A TLV value's size rule (T 5-7, §5.3.2.x).
enum Shape {
    Fixed(usize),
    COctet(usize),
    Octets(usize, usize),
}

fn tlv_shape(tag: u16) -> Option<Shape> {
    use Shape::*;
    Some(match tag {
        0x0005 | 0x0006 | 0x0007 | 0x000D | 0x000E | 0x000F | 0x0010 | 0x0019 | 0x0030 | 0x0201
        | 0x0205 | 0x020D | 0x020E | 0x020F | 0x0210 | 0x0302 | 0x0304 | 0x0420 | 0x0421
        | 0x0422 | 0x0425 | 0x0426 | 0x0427 | 0x0501 | 0x1201 | 0x1204 | 0x1380 => Fixed(1),
        0x0008 | 0x0204 | 0x020A | 0x020B | 0x020C | 0x1203 | 0x1383 => Fixed(2),
        0x0423 => Fixed(3),
        0x0017 => Fixed(4),
        0x130C => Fixed(0),
        0x001D => COctet(256),
        0x001E => COctet(65),
        0x0202 | 0x0203 => Octets(2, 23),
        0x0303 => Octets(0, 65),
        0x0381 => Octets(4, 19),
        0x0424 => Octets(0, 65535),
        _ => return None,
    })
}

/// The first problem with a TLV value, if any.
fn tlv_value_problem(tag: TlvTag, value: &[u8]) -> Option<DecodeErrorKind> {
    let length = u16::try_from(value.len()).unwrap_or(u16::MAX);
    let bad_length = Some(DecodeErrorKind::TlvLength {
        tag,
        length,
        expected: "",
    });
    let bad_value = Some(DecodeErrorKind::TlvValue { tag, reason: "" });
    match tlv_shape(tag.0)? {
        Shape::Fixed(n) => (value.len() != n).then_some(bad_length?),
        Shape::Octets(min, max) => (!(min..=max).contains(&value.len())).then_some(bad_length?),
        Shape::COctet(max) => {
            if value.is_empty() || value.len() > max {
                bad_length
            } else if value.iter().position(|b| *b == 0) != Some(value.len() - 1) {
                bad_value
            } else {
                None
            }
        }
    }
}

/// Whether two kinds are the same problem, ignoring their descriptive texts (`expected`, `reason`).
pub fn same_kind(a: &DecodeErrorKind, b: &DecodeErrorKind) -> bool {
    use DecodeErrorKind::*;
    match (a, b) {
        (
            TlvLength {
                tag: t1,
                length: l1,
                ..
            },
            TlvLength {
                tag: t2,
                length: l2,
                ..
            },
        ) => t1 == t2 && l1 == l2,
        (TlvValue { tag: t1, .. }, TlvValue { tag: t2, .. }) => t1 == t2,
        _ => a == b,
    }
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    let mut w = [0u8; 4];
    for (i, o) in w.iter_mut().enumerate() {
        *o = b.get(at + i).copied().unwrap_or(0);
    }
    u32::from_be_bytes(w)
}

/// A cursor over one PDU that records where each field lies.
struct Walk<'a> {
    b: &'a [u8],
    pos: usize,
    segments: Vec<Segment>,
}

type Step<T> = Result<T, DecodeErrorKind>;

impl Walk<'_> {
    fn left(&self) -> usize {
        self.b.len().saturating_sub(self.pos)
    }

    fn take(&mut self, name: &'static str, n: usize, kind: SegmentKind) -> Step<&[u8]> {
        if self.left() < n {
            return Err(DecodeErrorKind::Truncated {
                field: name,
                needed: n,
                available: self.left(),
            });
        }
        let start = self.pos;
        self.pos += n;
        self.segments.push(Segment {
            name,
            kind,
            start,
            end: self.pos,
        });
        Ok(&self.b[start..self.pos])
    }

    fn u8(&mut self, name: &'static str, kind: SegmentKind) -> Step<u8> {
        Ok(self.take(name, 1, kind)?[0])
    }

    /// §3.1: octets then a NUL, at most `max` with the NUL.
    fn c_octet(&mut self, name: &'static str, max: usize, time: bool) -> Step<()> {
        let rest = &self.b[self.pos.min(self.b.len())..];
        let Some(len) = rest.iter().position(|b| *b == 0) else {
            return Err(if rest.is_empty() {
                DecodeErrorKind::Truncated {
                    field: name,
                    needed: 1,
                    available: 0,
                }
            } else {
                DecodeErrorKind::COctetNotTerminated { field: name }
            });
        };
        if len + 1 > max {
            return Err(DecodeErrorKind::COctetTooLong {
                field: name,
                max,
                len: len + 1,
            });
        }
        let s = &rest[..len];
        // §7.1.1: NULL or YYMMDDhhmmsstnnp.
        let is_time = s.len() == 16
            && s[..15].iter().all(u8::is_ascii_digit)
            && matches!(s[15], b'+' | b'-' | b'R');
        if time && len != 0 && !is_time {
            return Err(DecodeErrorKind::InvalidTime { field: name, len });
        }
        self.take(name, len + 1, SegmentKind::COctet { max })?;
        Ok(())
    }

    fn field(&mut self, name: &'static str, kind: FieldKind) -> Step<bool> {
        let mut user_data = false;
        match kind {
            FieldKind::U8 => {
                self.u8(name, SegmentKind::Int)?;
            }
            FieldKind::COctet { max, time } => self.c_octet(name, max, time)?,
            FieldKind::ShortMessage => {
                let at = self.pos;
                let sm_length = self.u8("sm_length", SegmentKind::Count)?;
                // §5.2.21: 0..=254; 255 is not allowed.
                if sm_length == 255 {
                    self.pos = at;
                    return Err(DecodeErrorKind::InvalidSmLength { sm_length });
                }
                if sm_length > 0 {
                    self.take(name, usize::from(sm_length), SegmentKind::Octets)?;
                }
                user_data = sm_length > 0;
            }
            FieldKind::DestAddresses | FieldKind::UnsuccessSmes => {
                let dests = kind == FieldKind::DestAddresses;
                let count_field = if dests {
                    "number_of_dests"
                } else {
                    "no_unsuccess"
                };
                let count = self.u8(count_field, SegmentKind::Count)?;
                // §5.2.24: at most 254 destinations.
                if count == 255 {
                    return Err(DecodeErrorKind::TooManyEntries {
                        field: count_field,
                        count,
                    });
                }
                for _ in 0..count {
                    if dests {
                        match self.u8("dest_flag", SegmentKind::Int)? {
                            1 => {
                                self.u8("dest_addr_ton", SegmentKind::Int)?;
                                self.u8("dest_addr_npi", SegmentKind::Int)?;
                                self.c_octet("destination_addr", 21, false)?;
                            }
                            2 => self.c_octet("dl_name", 21, false)?,
                            flag => return Err(DecodeErrorKind::InvalidDestFlag(flag)),
                        }
                    } else {
                        self.u8("dest_addr_ton", SegmentKind::Int)?;
                        self.u8("dest_addr_npi", SegmentKind::Int)?;
                        self.c_octet("destination_addr", 21, false)?;
                        self.take("error_status_code", 4, SegmentKind::Int)?;
                    }
                }
            }
        }
        Ok(user_data)
    }

    /// §3.2.4: TLVs to the end of the body; then the TLVs that need each other.
    fn tlvs(&mut self, id: CommandId, user_data: bool) -> Step<()> {
        let allowed = allowed_tlvs(id);
        let mut tags = Vec::new();
        while self.left() > 0 {
            let available = self.left();
            if available < 4 {
                return Err(DecodeErrorKind::TlvTruncated {
                    needed: 4,
                    available,
                });
            }
            let tag = TlvTag(u16::from_be_bytes([self.b[self.pos], self.b[self.pos + 1]]));
            let len = usize::from(u16::from_be_bytes([
                self.b[self.pos + 2],
                self.b[self.pos + 3],
            ]));
            if available < 4 + len {
                return Err(DecodeErrorKind::TlvTruncated {
                    needed: 4 + len,
                    available,
                });
            }
            let value = &self.b[self.pos + 4..self.pos + 4 + len];
            if let Some(problem) = tlv_value_problem(tag, value) {
                return Err(problem);
            }
            // T 4-x: a known tag the PDU does not list.
            if tag.name().is_some() && !allowed.contains(&tag) {
                return Err(DecodeErrorKind::TlvNotAllowed {
                    tag,
                    command_id: id,
                });
            }
            tags.push(tag);
            self.take("tlv", 4 + len, SegmentKind::Tlv)?;
        }
        // §5.3.2.22-24: the SAR triple, all or none.
        let sar = super::SAR_TAGS;
        if let Some(because) = sar.iter().find(|t| tags.contains(t))
            && let Some(missing) = sar.iter().find(|t| !tags.contains(t))
        {
            return Err(DecodeErrorKind::TlvMissing {
                missing: *missing,
                because: *because,
            });
        }
        // §5.3.2.37-38: presentation indicator and alpha tag need callback_num.
        let extra = tags
            .iter()
            .rev()
            .find(|t| **t == TlvTag::CALLBACK_NUM_PRES_IND || **t == TlvTag::CALLBACK_NUM_ATAG);
        if let (Some(because), false) = (extra, tags.contains(&TlvTag::CALLBACK_NUM)) {
            return Err(DecodeErrorKind::TlvMissing {
                missing: TlvTag::CALLBACK_NUM,
                because: *because,
            });
        }
        // §5.3.2.32: short_message or message_payload, not both.
        if user_data && tags.contains(&TlvTag::MESSAGE_PAYLOAD) {
            return Err(DecodeErrorKind::PayloadAndShortMessage);
        }
        Ok(())
    }
}

/// What strict decoding of `bytes` (one whole frame) must give: `None` when it must accept it. Also
/// returns the segments read up to the first problem.
pub(crate) fn check(bytes: &[u8]) -> (Option<DecodeErrorKind>, Vec<Segment>) {
    let mut w = Walk {
        b: bytes,
        pos: HEADER_LEN,
        segments: Vec::new(),
    };
    let r = walk(&mut w);
    (r.err(), w.segments)
}

fn walk(w: &mut Walk<'_>) -> Step<()> {
    let b = w.b;
    // §3.2.2: command_length counts the whole PDU, header included, so it is at least 16.
    let command_length = if b.len() >= 4 { u32_at(b, 0) } else { 0 };
    if b.len() >= 4 && command_length < 16 {
        return Err(DecodeErrorKind::CommandLengthTooSmall { command_length });
    }
    if b.len() < HEADER_LEN || usize::try_from(command_length).ok() != Some(b.len()) {
        return Err(DecodeErrorKind::LengthMismatch {
            command_length,
            available: b.len(),
        });
    }
    let id = CommandId(u32_at(b, 4));
    let status = CommandStatus(u32_at(b, 8));
    let seq = u32_at(b, 12);
    // §5.1.4: 1..=0x7FFFFFFF; 0 only in a generic_nack for an undecodable PDU (T 4-9).
    if seq > MAX_SEQUENCE_NUMBER || (seq == 0 && id != CommandId::GENERIC_NACK) {
        return Err(DecodeErrorKind::SequenceNumberOutOfRange(seq));
    }
    // §5.1.3: NULL in requests.
    if !id.is_response() && id.is_known() && !status.is_ok() {
        return Err(DecodeErrorKind::StatusInRequest(status));
    }
    if !id.is_known() {
        return Err(DecodeErrorKind::UnknownCommandId(id));
    }
    let body = b.len() - HEADER_LEN;
    if header_only(id) {
        return match body {
            0 => Ok(()),
            count => Err(DecodeErrorKind::TrailingBytes { count }),
        };
    }
    if super::has_optional_body(id) {
        if body == 0 {
            return match status.is_ok() {
                true => Err(DecodeErrorKind::MissingBody { command_id: id }),
                false => Ok(()),
            };
        }
        if body_omitted_on_error(id) && !status.is_ok() {
            return Err(DecodeErrorKind::BodyOnErrorResponse { command_id: id });
        }
    }
    let fields = schema(&Command::new(1, template(id)));
    let mut user_data = false;
    for (name, kind) in fields {
        user_data |= w.field(name, kind)?;
    }
    w.tlvs(id, user_data)
}

/// A PDU of this id with a body, for its field list.
fn template(id: CommandId) -> Pdu {
    match id {
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
        _ => Pdu::EnquireLink,
    }
}
