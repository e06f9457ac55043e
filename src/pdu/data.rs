//! data_sm and data_sm_resp (§4.7).

use super::body::body;
use super::{COctetString, DataCoding, EsmClass, Npi, RegisteredDelivery, Ton};
use crate::tlv::TlvTag;

/// The TLVs T 4-20 allows in data_sm.
pub(crate) const DATA_SM_TLVS: &[TlvTag] = &[
    TlvTag::SOURCE_PORT,
    TlvTag::SOURCE_ADDR_SUBUNIT,
    TlvTag::SOURCE_NETWORK_TYPE,
    TlvTag::SOURCE_BEARER_TYPE,
    TlvTag::SOURCE_TELEMATICS_ID,
    TlvTag::DESTINATION_PORT,
    TlvTag::DEST_ADDR_SUBUNIT,
    TlvTag::DEST_NETWORK_TYPE,
    TlvTag::DEST_BEARER_TYPE,
    TlvTag::DEST_TELEMATICS_ID,
    TlvTag::SAR_MSG_REF_NUM,
    TlvTag::SAR_TOTAL_SEGMENTS,
    TlvTag::SAR_SEGMENT_SEQNUM,
    TlvTag::MORE_MESSAGES_TO_SEND,
    TlvTag::QOS_TIME_TO_LIVE,
    TlvTag::PAYLOAD_TYPE,
    TlvTag::MESSAGE_PAYLOAD,
    TlvTag::SET_DPF,
    TlvTag::RECEIPTED_MESSAGE_ID,
    TlvTag::MESSAGE_STATE,
    TlvTag::NETWORK_ERROR_CODE,
    TlvTag::USER_MESSAGE_REFERENCE,
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
];

body! {
    /// data_sm (§4.7.1, T 4-20): user data travels in the message_payload TLV.
    pub struct DataSm {
        /// The SMS application service (max 6).
        service_type: COctetString<6>,
        /// TON of source_addr.
        source_addr_ton: Ton,
        /// NPI of source_addr.
        source_addr_npi: Npi,
        /// Address of the originating SME (max 65).
        source_addr: COctetString<65>,
        /// TON of destination_addr.
        dest_addr_ton: Ton,
        /// NPI of destination_addr.
        dest_addr_npi: Npi,
        /// Address of the recipient (max 65).
        destination_addr: COctetString<65>,
        /// Message mode and type.
        esm_class: EsmClass,
        /// Receipts and acknowledgements asked for.
        registered_delivery: RegisteredDelivery,
        /// Encoding of the user data.
        data_coding: DataCoding,
    }
    tlvs: DATA_SM_TLVS;
}

body! {
    /// data_sm_resp (§4.7.2, T 4-21).
    pub struct DataSmResp {
        /// The id the SMSC gave the message (max 65).
        message_id: COctetString<65>,
    }
    tlvs: &[
        TlvTag::DELIVERY_FAILURE_REASON,
        TlvTag::NETWORK_ERROR_CODE,
        TlvTag::ADDITIONAL_STATUS_INFO_TEXT,
        TlvTag::DPF_RESULT,
    ];
}
