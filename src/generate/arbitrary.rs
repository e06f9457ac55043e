//! [`Arbitrary`] for every PDU: structure-aware and valid by construction.
//!
//! Field types draw only values their constructors accept (C-Octet Strings within their maximum and
//! without NUL, times NULL or `YYMMDDhhmmsstnnp`, short_message up to 254 octets, lists up to 254
//! entries, small as a rule). A body's TLVs come from its `ALLOWED_TLVS` or from unknown tags, with
//! well-formed values, the SAR triple whole and callback_num beside its presentation and alpha tag.
//! [`Command`] keeps the header rules: a sequence_number in 1..=0x7FFFFFFF, ESME_ROK in requests, a
//! body in every successful response and none where the spec omits it on error.

use arbitrary::{Arbitrary, Error, Result, Unstructured};

use super::{CALLBACK_TAGS, SAR_TAGS, body_omitted_on_error, drop_response_body, single_tags};
use crate::pdu::*;
use crate::tlv::{Tlv, TlvTag, Tlvs};

/// `len` octets from `u`, zero-padded when `u` runs dry.
fn octets(u: &mut Unstructured<'_>, len: usize) -> Result<Vec<u8>> {
    let mut v = u.bytes(len.min(u.len()))?.to_vec();
    v.resize(len, 0);
    Ok(v)
}

/// A length in `min..=max`, never above what `u` still holds (beyond `min`).
fn length(u: &mut Unstructured<'_>, min: usize, max: usize) -> Result<usize> {
    u.int_in_range(min..=max.min(min.saturating_add(u.len())))
}

impl<'a, const MAX: usize> Arbitrary<'a> for COctetString<MAX> {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        if u.ratio(1, 4)? {
            return Ok(Self::empty());
        }
        let len = length(u, 0, Self::MAX_LEN)?;
        let mut v = octets(u, len)?;
        for b in &mut v {
            if *b == 0 {
                *b = b'0';
            }
        }
        Self::new(v).map_err(|_| Error::IncorrectFormat)
    }
}

impl<'a, const MIN: usize, const MAX: usize> Arbitrary<'a> for OctetString<MIN, MAX> {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let len = length(u, MIN, MAX)?;
        Self::new(octets(u, len)?).map_err(|_| Error::IncorrectFormat)
    }
}

impl<'a> Arbitrary<'a> for ShortMessage {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let len = length(u, 0, Self::MAX_LEN)?;
        Self::new(octets(u, len)?).map_err(|_| Error::IncorrectFormat)
    }
}

impl<'a> Arbitrary<'a> for SmppTime {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        if u.ratio(1, 2)? {
            return Ok(Self::empty());
        }
        // §7.1.1: YYMMDDhhmmss, tenths, quarter hours from UTC (00-48), and +, - or R (relative).
        let p = *u.choose(&['+', '-', 'R'])?;
        let s = format!(
            "{:02}{:02}{:02}{:02}{:02}{:02}{}{:02}{}",
            u.int_in_range(0..=99u8)?,
            u.int_in_range(1..=12u8)?,
            u.int_in_range(1..=31u8)?,
            u.int_in_range(0..=23u8)?,
            u.int_in_range(0..=59u8)?,
            u.int_in_range(0..=59u8)?,
            u.int_in_range(0..=9u8)?,
            u.int_in_range(0..=48u8)?,
            p
        );
        Self::new(&s).map_err(|_| Error::IncorrectFormat)
    }
}

impl<'a> Arbitrary<'a> for DestAddress {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        Ok(if u.ratio(3, 4)? {
            Self::SmeAddress {
                dest_addr_ton: u.arbitrary()?,
                dest_addr_npi: u.arbitrary()?,
                destination_addr: u.arbitrary()?,
            }
        } else {
            Self::DistributionList {
                dl_name: u.arbitrary()?,
            }
        })
    }
}

impl<'a> Arbitrary<'a> for UnsuccessSme {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        Ok(Self {
            dest_addr_ton: u.arbitrary()?,
            dest_addr_npi: u.arbitrary()?,
            destination_addr: u.arbitrary()?,
            error_status_code: command_status(u)?,
        })
    }
}

impl<'a, T: Entry + Arbitrary<'a>> Arbitrary<'a> for Entries<T> {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        // Small as a rule; now and then up to the 254 the count octet allows (§5.2.24).
        let n = if u.ratio(1, 16)? {
            u.int_in_range(0..=Self::MAX)?
        } else {
            u.int_in_range(0..=3)?
        };
        let entries = (0..n).map(|_| u.arbitrary()).collect::<Result<Vec<T>>>()?;
        Self::new(entries).map_err(|_| Error::IncorrectFormat)
    }
}

/// A named status half of the time, any value otherwise.
fn command_status(u: &mut Unstructured<'_>) -> Result<CommandStatus> {
    if u.ratio(1, 2)? {
        u.choose(CommandStatus::ALL).copied()
    } else {
        u.arbitrary()
    }
}

/// A TLV with a tag v3.4 does not define (vendor, SMPP 5.0 or reserved), with a short value.
fn unknown_tlv(u: &mut Unstructured<'_>) -> Result<Tlv> {
    let raw: u16 = u.arbitrary()?;
    // Known tags are moved into the vendor block 0x1400-0x17FF, where v3.4 defines none.
    let tag = if TlvTag(raw).name().is_some() {
        TlvTag(0x1400 | (raw & 0x03FF))
    } else {
        TlvTag(raw)
    };
    let len = length(u, 0, 16)?;
    let value = OctetString::new(octets(u, len)?).map_err(|_| Error::IncorrectFormat)?;
    Ok(Tlv::Other { tag, value })
}

/// TLVs valid in a PDU that allows `allowed`: allowed known tags with well-formed values and unknown
/// tags, in any order; the SAR triple whole, callback_num_pres_ind and callback_num_atag only beside
/// callback_num (as many of each); message_payload only when `payload` is set.
pub(crate) fn tlvs(u: &mut Unstructured<'_>, allowed: &[TlvTag], payload: bool) -> Result<Tlvs> {
    let single = single_tags(allowed, payload);
    let mut out = Vec::new();
    let n = if u.ratio(1, 8)? {
        u.int_in_range(0..=12)?
    } else {
        u.int_in_range(0..=3)?
    };
    for _ in 0..n {
        let known = match single.is_empty() {
            false if u.ratio(3, 4)? => crate::tlv::arbitrary_known(*u.choose(&single)?, u)?,
            _ => None,
        };
        out.push(match known {
            Some(t) => t,
            None => unknown_tlv(u)?,
        });
    }
    if SAR_TAGS.iter().all(|t| allowed.contains(t)) && u.ratio(1, 4)? {
        // §5.3.2.23-24: 1..=255 segments, numbered from 1.
        let total = u.int_in_range(1..=255u8)?;
        out.push(Tlv::SarMsgRefNum(u.arbitrary()?));
        out.push(Tlv::SarTotalSegments(total));
        out.push(Tlv::SarSegmentSeqnum(u.int_in_range(1..=total)?));
    }
    if allowed.contains(&TlvTag::CALLBACK_NUM) && u.ratio(1, 4)? {
        // T 4-10: callback_num may repeat; pres_ind and atag, when present, as many times.
        let count = u.int_in_range(1..=2)?;
        let pres = allowed.contains(&CALLBACK_TAGS[1]) && u.arbitrary()?;
        let atag = allowed.contains(&CALLBACK_TAGS[2]) && u.arbitrary()?;
        for _ in 0..count {
            out.push(Tlv::CallbackNum(u.arbitrary()?));
            if pres {
                out.push(Tlv::CallbackNumPresInd(u.arbitrary()?));
            }
            if atag {
                out.push(Tlv::CallbackNumAtag(u.arbitrary()?));
            }
        }
    }
    // Fisher-Yates: TLVs come in any order (§3.2.4).
    for i in (1..out.len()).rev() {
        let j = u.int_in_range(0..=i)?;
        out.swap(i, j);
    }
    Ok(out.into())
}

/// Bodies whose fields are all independent: each drawn as its type, then the TLVs.
macro_rules! arbitrary_bodies {
    ($( $name:ident { $($field:ident),* $(,)? } )*) => {$(
        impl<'a> Arbitrary<'a> for $name {
            fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
                Ok(Self {
                    $( $field: u.arbitrary()?, )*
                    tlvs: tlvs(u, Self::ALLOWED_TLVS, true)?,
                })
            }
        }
    )*};
}

/// Bodies with short_message and message_payload: §5.3.2.32 allows one of the two, so a quarter
/// carry an empty short_message and may carry message_payload.
macro_rules! arbitrary_user_data_bodies {
    ($( $name:ident { $($field:ident),* $(,)? } )*) => {$(
        impl<'a> Arbitrary<'a> for $name {
            fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
                let mut body = Self {
                    $( $field: u.arbitrary()?, )*
                    short_message: ShortMessage::empty(),
                    tlvs: Tlvs::new(),
                };
                if !u.ratio(1, 4)? {
                    body.short_message = u.arbitrary()?;
                }
                body.tlvs = tlvs(u, Self::ALLOWED_TLVS, body.short_message.is_empty())?;
                Ok(body)
            }
        }
    )*};
}

arbitrary_bodies! {
    Bind { system_id, password, system_type, interface_version, addr_ton, addr_npi, address_range }
    BindResp { system_id }
    Outbind { system_id, password }
    SubmitSmResp { message_id }
    SubmitMultiResp { message_id, unsuccess_sme }
    DeliverSmResp { message_id }
    DataSm {
        service_type, source_addr_ton, source_addr_npi, source_addr, dest_addr_ton, dest_addr_npi,
        destination_addr, esm_class, registered_delivery, data_coding,
    }
    DataSmResp { message_id }
    QuerySm { message_id, source_addr_ton, source_addr_npi, source_addr }
    QuerySmResp { message_id, final_date, message_state, error_code }
    CancelSm {
        service_type, message_id, source_addr_ton, source_addr_npi, source_addr, dest_addr_ton,
        dest_addr_npi, destination_addr,
    }
    ReplaceSm {
        message_id, source_addr_ton, source_addr_npi, source_addr, schedule_delivery_time,
        validity_period, registered_delivery, sm_default_msg_id, short_message,
    }
    AlertNotification {
        source_addr_ton, source_addr_npi, source_addr, esme_addr_ton, esme_addr_npi, esme_addr,
    }
}

arbitrary_user_data_bodies! {
    SubmitSm {
        service_type, source_addr_ton, source_addr_npi, source_addr, dest_addr_ton, dest_addr_npi,
        destination_addr, esm_class, protocol_id, priority_flag, schedule_delivery_time,
        validity_period, registered_delivery, replace_if_present_flag, data_coding, sm_default_msg_id,
    }
    SubmitMulti {
        service_type, source_addr_ton, source_addr_npi, source_addr, dest_addresses, esm_class,
        protocol_id, priority_flag, schedule_delivery_time, validity_period, registered_delivery,
        replace_if_present_flag, data_coding, sm_default_msg_id,
    }
    DeliverSm {
        service_type, source_addr_ton, source_addr_npi, source_addr, dest_addr_ton, dest_addr_npi,
        destination_addr, esm_class, protocol_id, priority_flag, schedule_delivery_time,
        validity_period, registered_delivery, replace_if_present_flag, data_coding, sm_default_msg_id,
    }
}

/// Any v3.4 PDU (never [`Pdu::Unknown`]); responses always carry their body, so that the PDU is
/// valid with ESME_ROK. [`Command`] drops bodies to match an error status.
impl<'a> Arbitrary<'a> for Pdu {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        Ok(match u.int_in_range(0..=26u8)? {
            0 => Pdu::GenericNack,
            1 => Pdu::Unbind,
            2 => Pdu::UnbindResp,
            3 => Pdu::EnquireLink,
            4 => Pdu::EnquireLinkResp,
            5 => Pdu::CancelSmResp,
            6 => Pdu::ReplaceSmResp,
            7 => Pdu::BindTransmitter(u.arbitrary()?),
            8 => Pdu::BindReceiver(u.arbitrary()?),
            9 => Pdu::BindTransceiver(u.arbitrary()?),
            10 => Pdu::Outbind(u.arbitrary()?),
            11 => Pdu::SubmitSm(u.arbitrary()?),
            12 => Pdu::SubmitMulti(u.arbitrary()?),
            13 => Pdu::DeliverSm(u.arbitrary()?),
            14 => Pdu::DataSm(u.arbitrary()?),
            15 => Pdu::QuerySm(u.arbitrary()?),
            16 => Pdu::CancelSm(u.arbitrary()?),
            17 => Pdu::ReplaceSm(u.arbitrary()?),
            18 => Pdu::AlertNotification(u.arbitrary()?),
            19 => Pdu::BindTransmitterResp(Some(u.arbitrary()?)),
            20 => Pdu::BindReceiverResp(Some(u.arbitrary()?)),
            21 => Pdu::BindTransceiverResp(Some(u.arbitrary()?)),
            22 => Pdu::SubmitSmResp(Some(u.arbitrary()?)),
            23 => Pdu::SubmitMultiResp(Some(u.arbitrary()?)),
            24 => Pdu::DeliverSmResp(Some(u.arbitrary()?)),
            25 => Pdu::DataSmResp(Some(u.arbitrary()?)),
            _ => Pdu::QuerySmResp(Some(u.arbitrary()?)),
        })
    }
}

/// A whole valid PDU: sequence_number 1..=0x7FFFFFFF, ESME_ROK in requests, any status in responses
/// (ESME_ROK half of the time), no body where the spec omits it on error, and either form where it
/// says nothing.
impl<'a> Arbitrary<'a> for Command {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let mut pdu: Pdu = u.arbitrary()?;
        let sequence_number = u.int_in_range(1..=MAX_SEQUENCE_NUMBER)?;
        let id = pdu.command_id();
        let command_status = if id.is_response() && !u.ratio(1, 2)? {
            command_status(u)?
        } else {
            CommandStatus::ESME_ROK
        };
        if !command_status.is_ok() && (body_omitted_on_error(id) || u.arbitrary()?) {
            drop_response_body(&mut pdu);
        }
        Ok(Command {
            command_status,
            sequence_number,
            pdu,
        })
    }
}
