//! query_sm and query_sm_resp (§4.8).

use super::body::body;
use super::{COctetString, MessageState, Npi, SmppTime, Ton};

body! {
    /// query_sm (§4.8.1, T 4-22): the state of a submitted message.
    pub struct QuerySm {
        /// The id the SMSC gave the message (max 65).
        message_id: COctetString<65>,
        /// TON of source_addr; must match the original.
        source_addr_ton: Ton,
        /// NPI of source_addr; must match the original.
        source_addr_npi: Npi,
        /// The original source address (max 21).
        source_addr: COctetString<21>,
    }
    tlvs: &[];
}

body! {
    /// query_sm_resp (§4.8.2, T 4-23).
    pub struct QuerySmResp {
        /// The id queried (max 65).
        message_id: COctetString<65>,
        /// When the message reached its final state; NULL while it has not.
        final_date: SmppTime,
        /// The state (§5.2.28).
        message_state: MessageState,
        /// A network error code, where relevant.
        error_code: u8,
    }
    tlvs: &[];
}
