//! submit_sm, submit_multi and their responses (§4.4, §4.5).

use super::body::{body, payload_or_short_message};
use super::{
    COctetString, DataCoding, EsmClass, Npi, RegisteredDelivery, ShortMessage, SmppTime, Ton,
    ValueError,
};
use crate::codec::{Reader, WireField, Writer};
use crate::error::DecodeErrorKind;
use crate::fields::FieldValue;
use crate::tlv::TlvTag;

/// The TLVs T 4-10 allows in submit_sm.
pub(crate) const SUBMIT_SM_TLVS: &[TlvTag] = &[
    TlvTag::USER_MESSAGE_REFERENCE,
    TlvTag::SOURCE_PORT,
    TlvTag::SOURCE_ADDR_SUBUNIT,
    TlvTag::DESTINATION_PORT,
    TlvTag::DEST_ADDR_SUBUNIT,
    TlvTag::SAR_MSG_REF_NUM,
    TlvTag::SAR_TOTAL_SEGMENTS,
    TlvTag::SAR_SEGMENT_SEQNUM,
    TlvTag::MORE_MESSAGES_TO_SEND,
    TlvTag::PAYLOAD_TYPE,
    TlvTag::MESSAGE_PAYLOAD,
    TlvTag::PRIVACY_INDICATOR,
    TlvTag::CALLBACK_NUM,
    TlvTag::CALLBACK_NUM_PRES_IND,
    TlvTag::CALLBACK_NUM_ATAG,
    TlvTag::SOURCE_SUBADDRESS,
    TlvTag::DEST_SUBADDRESS,
    TlvTag::USER_RESPONSE_CODE,
    TlvTag::DISPLAY_TIME,
    TlvTag::SMS_SIGNAL,
    TlvTag::MS_VALIDITY,
    TlvTag::MS_MSG_WAIT_FACILITIES,
    TlvTag::NUMBER_OF_MESSAGES,
    TlvTag::ALERT_ON_MESSAGE_DELIVERY,
    TlvTag::LANGUAGE_INDICATOR,
    TlvTag::ITS_REPLY_TYPE,
    TlvTag::ITS_SESSION_INFO,
    TlvTag::USSD_SERVICE_OP,
];

/// The TLVs T 4-12 allows in submit_multi (dest_subaddress included: T 4-12 lists it although
/// §5.3.2.16 says submit_multi does not support it).
pub(crate) const SUBMIT_MULTI_TLVS: &[TlvTag] = &[
    TlvTag::USER_MESSAGE_REFERENCE,
    TlvTag::SOURCE_PORT,
    TlvTag::SOURCE_ADDR_SUBUNIT,
    TlvTag::DESTINATION_PORT,
    TlvTag::DEST_ADDR_SUBUNIT,
    TlvTag::SAR_MSG_REF_NUM,
    TlvTag::SAR_TOTAL_SEGMENTS,
    TlvTag::SAR_SEGMENT_SEQNUM,
    TlvTag::PAYLOAD_TYPE,
    TlvTag::MESSAGE_PAYLOAD,
    TlvTag::PRIVACY_INDICATOR,
    TlvTag::CALLBACK_NUM,
    TlvTag::CALLBACK_NUM_PRES_IND,
    TlvTag::CALLBACK_NUM_ATAG,
    TlvTag::SOURCE_SUBADDRESS,
    TlvTag::DEST_SUBADDRESS,
    TlvTag::DISPLAY_TIME,
    TlvTag::SMS_SIGNAL,
    TlvTag::MS_VALIDITY,
    TlvTag::MS_MSG_WAIT_FACILITIES,
    TlvTag::ALERT_ON_MESSAGE_DELIVERY,
    TlvTag::LANGUAGE_INDICATOR,
];

body! {
    /// submit_sm (§4.4.1, T 4-10): an ESME submits a short message.
    ///
    /// ```
    /// use smpp::{Command, Pdu, SubmitSm};
    /// let submit = SubmitSm {
    ///     destination_addr: "447911123456".try_into().unwrap(),
    ///     short_message: "Hello".try_into().unwrap(),
    ///     ..Default::default()
    /// };
    /// let bytes = Command::new(2, Pdu::SubmitSm(submit)).to_bytes();
    /// // header + 17 one-octet fields and NULs + "447911123456" + "Hello"
    /// assert_eq!(bytes.len(), 16 + 17 + 12 + 5);
    /// ```
    pub struct SubmitSm {
        /// The SMS application service (max 6); NULL for the SMSC default.
        service_type: COctetString<6>,
        /// TON of source_addr.
        source_addr_ton: Ton,
        /// NPI of source_addr.
        source_addr_npi: Npi,
        /// Address of the originating SME (max 21).
        source_addr: COctetString<21>,
        /// TON of destination_addr.
        dest_addr_ton: Ton,
        /// NPI of destination_addr.
        dest_addr_npi: Npi,
        /// Address of the recipient (max 21).
        destination_addr: COctetString<21>,
        /// Message mode and type (§5.2.12).
        esm_class: EsmClass,
        /// GSM TP-PID (§5.2.13).
        protocol_id: u8,
        /// Priority (§5.2.14).
        priority_flag: u8,
        /// When to deliver; NULL for immediately (§7.1.1).
        schedule_delivery_time: SmppTime,
        /// Until when to keep trying; NULL for the SMSC default (§7.1.1).
        validity_period: SmppTime,
        /// Receipts and acknowledgements asked for (§5.2.17).
        registered_delivery: RegisteredDelivery,
        /// Replace a pending message with the same source, destination and service_type (§5.2.18).
        replace_if_present_flag: u8,
        /// Encoding of short_message (§5.2.19).
        data_coding: DataCoding,
        /// A canned message to send instead of short_message (§5.2.20).
        sm_default_msg_id: u8,
        /// Up to 254 octets of user data; sm_length is derived (§5.2.21-22).
        short_message: ShortMessage,
    }
    tlvs: SUBMIT_SM_TLVS;
    check: SubmitSm::check;
}

impl SubmitSm {
    fn check(&self, r: &mut Reader<'_>) {
        payload_or_short_message(&self.short_message, &self.tlvs, r);
    }
}

body! {
    /// submit_sm_resp (§4.4.2, T 4-11). Its body is not returned when command_status is non-zero, so
    /// [`crate::Pdu::SubmitSmResp`] holds `None` then.
    pub struct SubmitSmResp {
        /// The id the SMSC gave the message (max 65).
        message_id: COctetString<65>,
    }
    tlvs: &[];
}

/// One destination of a submit_multi (§4.5.1.1, T 4-13..15).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DestAddress {
    /// dest_flag 1: an SME address.
    SmeAddress {
        /// TON of destination_addr.
        dest_addr_ton: Ton,
        /// NPI of destination_addr.
        dest_addr_npi: Npi,
        /// The address (max 21).
        destination_addr: COctetString<21>,
    },
    /// dest_flag 2: a distribution list.
    DistributionList {
        /// The list's name (max 21).
        dl_name: COctetString<21>,
    },
}

impl DestAddress {
    /// dest_flag 1 (SME address).
    pub const SME_ADDRESS: u8 = 1;
    /// dest_flag 2 (distribution list name).
    pub const DISTRIBUTION_LIST: u8 = 2;

    /// The dest_flag of this entry.
    pub fn dest_flag(&self) -> u8 {
        match self {
            Self::SmeAddress { .. } => Self::SME_ADDRESS,
            Self::DistributionList { .. } => Self::DISTRIBUTION_LIST,
        }
    }
}

/// One destination a submit_multi could not reach (§4.5.2, T 4-17).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UnsuccessSme {
    /// TON of destination_addr.
    pub dest_addr_ton: Ton,
    /// NPI of destination_addr.
    pub dest_addr_npi: Npi,
    /// The address (max 21).
    pub destination_addr: COctetString<21>,
    /// Why it failed (a command_status code).
    pub error_status_code: crate::CommandStatus,
}

/// An entry of a list whose length is one count octet (number_of_dests, no_unsuccess).
pub trait Entry: sealed::EntryCodec {}

impl Entry for DestAddress {}
impl Entry for UnsuccessSme {}

mod sealed {
    use super::*;

    /// How an entry travels; crate-private so that only the spec's entry types are lists.
    pub trait EntryCodec: Sized {
        /// The spec name of the count field.
        const COUNT_FIELD: &'static str;
        /// Reads one entry; on failure records it in the reader and returns a default entry.
        fn read(r: &mut Reader<'_>) -> Self;
        fn write(&self, w: &mut Writer<'_>);
        fn wire_len(&self) -> usize;
        fn field_value(list: &[Self]) -> FieldValue<'_>;
    }
}

use sealed::EntryCodec;

impl EntryCodec for DestAddress {
    const COUNT_FIELD: &'static str = "number_of_dests";

    fn read(r: &mut Reader<'_>) -> Self {
        let at = r.pos();
        match r.u8("dest_flag") {
            Self::SME_ADDRESS => Self::SmeAddress {
                dest_addr_ton: Ton::read(r, "dest_addr_ton"),
                dest_addr_npi: Npi::read(r, "dest_addr_npi"),
                destination_addr: COctetString::read(r, "destination_addr"),
            },
            Self::DISTRIBUTION_LIST => Self::DistributionList {
                dl_name: COctetString::read(r, "dl_name"),
            },
            other => {
                if !r.failed() {
                    r.fail_at(at, DecodeErrorKind::InvalidDestFlag(other));
                }
                Self::DistributionList {
                    dl_name: COctetString::empty(),
                }
            }
        }
    }

    fn write(&self, w: &mut Writer<'_>) {
        w.u8(self.dest_flag());
        match self {
            Self::SmeAddress {
                dest_addr_ton,
                dest_addr_npi,
                destination_addr,
            } => {
                dest_addr_ton.write(w);
                dest_addr_npi.write(w);
                destination_addr.write(w);
            }
            Self::DistributionList { dl_name } => dl_name.write(w),
        }
    }

    fn wire_len(&self) -> usize {
        1 + match self {
            Self::SmeAddress {
                destination_addr, ..
            } => 2 + destination_addr.wire_len(),
            Self::DistributionList { dl_name } => dl_name.wire_len(),
        }
    }

    fn field_value(list: &[Self]) -> FieldValue<'_> {
        FieldValue::DestAddresses(list)
    }
}

impl EntryCodec for UnsuccessSme {
    const COUNT_FIELD: &'static str = "no_unsuccess";

    fn read(r: &mut Reader<'_>) -> Self {
        Self {
            dest_addr_ton: Ton::read(r, "dest_addr_ton"),
            dest_addr_npi: Npi::read(r, "dest_addr_npi"),
            destination_addr: COctetString::read(r, "destination_addr"),
            error_status_code: crate::CommandStatus(r.u32("error_status_code")),
        }
    }

    fn write(&self, w: &mut Writer<'_>) {
        self.dest_addr_ton.write(w);
        self.dest_addr_npi.write(w);
        self.destination_addr.write(w);
        w.u32(self.error_status_code.0);
    }

    fn wire_len(&self) -> usize {
        2 + self.destination_addr.wire_len() + 4
    }

    fn field_value(list: &[Self]) -> FieldValue<'_> {
        FieldValue::UnsuccessSmes(list)
    }
}

/// A list counted by one octet: at most 254 entries (§5.2.24), so that it always encodes.
///
/// ```
/// use smpp::{DestAddress, Entries};
/// let dests = Entries::new(vec![DestAddress::DistributionList { dl_name: "staff".try_into().unwrap() }]).unwrap();
/// assert_eq!(dests.len(), 1);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entries<T>(Vec<T>);

impl<T> Default for Entries<T> {
    fn default() -> Self {
        Self(Vec::new())
    }
}

impl<T: Entry> Entries<T> {
    /// The most entries a list holds (§5.2.24: number_of_dests max 254).
    pub const MAX: usize = 254;

    /// A checked list of at most 254 entries.
    pub fn new(entries: Vec<T>) -> Result<Self, ValueError> {
        if entries.len() > Self::MAX {
            return Err(ValueError::TooManyEntries {
                max: Self::MAX,
                len: entries.len(),
            });
        }
        Ok(Self(entries))
    }

    /// Appends an entry, unless the list is full.
    pub fn push(&mut self, entry: T) -> Result<(), ValueError> {
        if self.0.len() >= Self::MAX {
            return Err(ValueError::TooManyEntries {
                max: Self::MAX,
                len: self.0.len() + 1,
            });
        }
        self.0.push(entry);
        Ok(())
    }

    /// The entries.
    pub fn as_slice(&self) -> &[T] {
        &self.0
    }

    /// The entries, owned.
    pub fn into_vec(self) -> Vec<T> {
        self.0
    }
}

impl<T> core::ops::Deref for Entries<T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        &self.0
    }
}

impl<T: Entry> WireField for Entries<T> {
    fn read(r: &mut Reader<'_>, _field: &'static str) -> Self {
        let at = r.pos();
        let count = r.u8(T::COUNT_FIELD);
        if usize::from(count) > Self::MAX {
            r.deviation_at(
                at,
                DecodeErrorKind::TooManyEntries {
                    field: T::COUNT_FIELD,
                    count,
                },
            );
        }
        // Bounded by the count octet (at most 255 entries), and each entry needs at least 2 octets of
        // the checked body, so this allocation never exceeds what the frame can hold.
        let mut entries = Vec::with_capacity(usize::from(count).min(r.remaining() / 2));
        for _ in 0..count {
            if r.failed() {
                break;
            }
            entries.push(T::read(r));
        }
        Self(entries)
    }

    fn write(&self, w: &mut Writer<'_>) {
        // Invariant: at most 255 entries (254 through the API, 255 only from lenient decoding).
        w.u8(u8::try_from(self.0.len()).unwrap_or(u8::MAX));
        for e in &self.0 {
            e.write(w);
        }
    }

    fn wire_len(&self) -> usize {
        1 + self.0.iter().map(T::wire_len).sum::<usize>()
    }

    fn field_value(&self) -> FieldValue<'_> {
        T::field_value(&self.0)
    }
}

body! {
    /// submit_multi (§4.5.1, T 4-12): one message to up to 254 SME addresses and distribution lists.
    pub struct SubmitMulti {
        /// The SMS application service (max 6).
        service_type: COctetString<6>,
        /// TON of source_addr.
        source_addr_ton: Ton,
        /// NPI of source_addr.
        source_addr_npi: Npi,
        /// Address of the originating SME (max 21).
        source_addr: COctetString<21>,
        /// The destinations; number_of_dests is derived.
        dest_addresses: Entries<DestAddress>,
        /// Message mode and type (§5.2.12).
        esm_class: EsmClass,
        /// GSM TP-PID.
        protocol_id: u8,
        /// Priority.
        priority_flag: u8,
        /// When to deliver; NULL for immediately.
        schedule_delivery_time: SmppTime,
        /// Until when to keep trying; NULL for the SMSC default.
        validity_period: SmppTime,
        /// Receipts and acknowledgements asked for.
        registered_delivery: RegisteredDelivery,
        /// Reserved in submit_multi: must be NULL.
        replace_if_present_flag: u8,
        /// Encoding of short_message.
        data_coding: DataCoding,
        /// A canned message to send instead of short_message.
        sm_default_msg_id: u8,
        /// Up to 254 octets of user data; sm_length is derived.
        short_message: ShortMessage,
    }
    tlvs: SUBMIT_MULTI_TLVS;
    check: SubmitMulti::check;
}

impl SubmitMulti {
    fn check(&self, r: &mut Reader<'_>) {
        payload_or_short_message(&self.short_message, &self.tlvs, r);
    }
}

body! {
    /// submit_multi_resp (§4.5.2, T 4-16).
    pub struct SubmitMultiResp {
        /// The id the SMSC gave the message (max 65).
        message_id: COctetString<65>,
        /// The destinations that failed; no_unsuccess is derived.
        unsuccess_sme: Entries<UnsuccessSme>,
    }
    tlvs: &[];
}
