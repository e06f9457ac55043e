//! cancel_sm and replace_sm (§4.9, §4.10); their responses carry no body.

use super::body::body;
use super::{COctetString, Npi, RegisteredDelivery, ShortMessage, SmppTime, Ton};

body! {
    /// cancel_sm (§4.9.1, T 4-24): cancel one pending message, or all those matching the addresses.
    pub struct CancelSm {
        /// Cancel the messages of this service (max 6), or NULL.
        service_type: COctetString<6>,
        /// The message to cancel (max 65), or NULL to cancel by addresses.
        message_id: COctetString<65>,
        /// TON of source_addr.
        source_addr_ton: Ton,
        /// NPI of source_addr.
        source_addr_npi: Npi,
        /// The original source address (max 21).
        source_addr: COctetString<21>,
        /// TON of destination_addr (may be NULL when message_id is given).
        dest_addr_ton: Ton,
        /// NPI of destination_addr (may be NULL when message_id is given).
        dest_addr_npi: Npi,
        /// The original destination (max 21; may be NULL when message_id is given).
        destination_addr: COctetString<21>,
    }
    tlvs: &[];
}

body! {
    /// replace_sm (§4.10.1, T 4-26): replace a pending message.
    pub struct ReplaceSm {
        /// The message to replace (max 65).
        message_id: COctetString<65>,
        /// TON of source_addr.
        source_addr_ton: Ton,
        /// NPI of source_addr.
        source_addr_npi: Npi,
        /// The original source address (max 21).
        source_addr: COctetString<21>,
        /// New delivery time; NULL keeps the original.
        schedule_delivery_time: SmppTime,
        /// New validity; NULL keeps the original.
        validity_period: SmppTime,
        /// New receipt request.
        registered_delivery: RegisteredDelivery,
        /// New canned message id.
        sm_default_msg_id: u8,
        /// The new user data; sm_length is derived.
        short_message: ShortMessage,
    }
    tlvs: &[];
}
