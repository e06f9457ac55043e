//! deliver_sm and deliver_sm_resp (§4.6).

use super::body::{body, payload_or_short_message};
use super::{
    COctetString, DataCoding, EsmClass, Npi, RegisteredDelivery, ShortMessage, SmppTime, Ton,
};
use crate::codec::Reader;
use crate::tlv::TlvTag;

/// The TLVs T 4-18 allows in deliver_sm, plus ussd_service_op, which T 4-18 omits but USSD gateways
/// send in deliver_sm for network-initiated USSD (jsmpp issue #150).
pub(crate) const DELIVER_SM_TLVS: &[TlvTag] = &[
    TlvTag::USER_MESSAGE_REFERENCE,
    TlvTag::SOURCE_PORT,
    TlvTag::DESTINATION_PORT,
    TlvTag::SAR_MSG_REF_NUM,
    TlvTag::SAR_TOTAL_SEGMENTS,
    TlvTag::SAR_SEGMENT_SEQNUM,
    TlvTag::USER_RESPONSE_CODE,
    TlvTag::PRIVACY_INDICATOR,
    TlvTag::PAYLOAD_TYPE,
    TlvTag::MESSAGE_PAYLOAD,
    TlvTag::CALLBACK_NUM,
    TlvTag::SOURCE_SUBADDRESS,
    TlvTag::DEST_SUBADDRESS,
    TlvTag::LANGUAGE_INDICATOR,
    TlvTag::ITS_SESSION_INFO,
    TlvTag::NETWORK_ERROR_CODE,
    TlvTag::MESSAGE_STATE,
    TlvTag::RECEIPTED_MESSAGE_ID,
    TlvTag::USSD_SERVICE_OP,
];

body! {
    /// deliver_sm (§4.6.1, T 4-18): the SMSC delivers a message, or a delivery receipt (esm_class
    /// message type 0x04), to an ESME. Same layout as submit_sm; schedule_delivery_time,
    /// validity_period, replace_if_present_flag and sm_default_msg_id are unused and NULL.
    pub struct DeliverSm {
        /// The SMS application service (max 6).
        service_type: COctetString<6>,
        /// TON of source_addr.
        source_addr_ton: Ton,
        /// NPI of source_addr.
        source_addr_npi: Npi,
        /// Address of the originating SME (max 21); for a receipt, the original destination.
        source_addr: COctetString<21>,
        /// TON of destination_addr.
        dest_addr_ton: Ton,
        /// NPI of destination_addr.
        dest_addr_npi: Npi,
        /// Address of the recipient (max 21).
        destination_addr: COctetString<21>,
        /// Message type and GSM features (§5.2.12, SMSC→ESME coding).
        esm_class: EsmClass,
        /// GSM TP-PID.
        protocol_id: u8,
        /// Priority.
        priority_flag: u8,
        /// Unused: NULL.
        schedule_delivery_time: SmppTime,
        /// Unused: NULL.
        validity_period: SmppTime,
        /// Whether an SME acknowledgement is asked for.
        registered_delivery: RegisteredDelivery,
        /// Unused: NULL.
        replace_if_present_flag: u8,
        /// Encoding of short_message.
        data_coding: DataCoding,
        /// Unused: NULL.
        sm_default_msg_id: u8,
        /// Up to 254 octets of user data (or the receipt text); sm_length is derived.
        short_message: ShortMessage,
    }
    tlvs: DELIVER_SM_TLVS;
    check: DeliverSm::check;
}

impl DeliverSm {
    fn check(&self, r: &mut Reader<'_>) {
        payload_or_short_message(&self.short_message, &self.tlvs, r);
    }
}

body! {
    /// deliver_sm_resp (§4.6.2, T 4-19).
    pub struct DeliverSmResp {
        /// Unused: NULL.
        message_id: COctetString<65>,
    }
    tlvs: &[];
}
