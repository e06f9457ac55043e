//! `command_id`: which PDU a header announces (§5.1.2.1, T 5-1).

use crate::wire::wire_enum;

wire_enum! {
    /// The `command_id` header field (§5.1.2.1, T 5-1).
    ///
    /// Open: an id the spec does not name (a reserved or vendor id) is kept as its number.
    ///
    /// ```
    /// use smpp::CommandId;
    /// assert_eq!(CommandId::SUBMIT_SM.response(), Some(CommandId::SUBMIT_SM_RESP));
    /// assert_eq!(format!("{:?}", CommandId(0x0001_0200)), "0x00010200");
    /// ```
    pub struct CommandId(u32) {
        /// generic_nack (§4.3).
        GENERIC_NACK = 0x8000_0000 => "generic_nack",
        /// bind_receiver (§4.1.3).
        BIND_RECEIVER = 0x0000_0001 => "bind_receiver",
        /// bind_receiver_resp (§4.1.4).
        BIND_RECEIVER_RESP = 0x8000_0001 => "bind_receiver_resp",
        /// bind_transmitter (§4.1.1).
        BIND_TRANSMITTER = 0x0000_0002 => "bind_transmitter",
        /// bind_transmitter_resp (§4.1.2).
        BIND_TRANSMITTER_RESP = 0x8000_0002 => "bind_transmitter_resp",
        /// query_sm (§4.8.1).
        QUERY_SM = 0x0000_0003 => "query_sm",
        /// query_sm_resp (§4.8.2).
        QUERY_SM_RESP = 0x8000_0003 => "query_sm_resp",
        /// submit_sm (§4.4.1).
        SUBMIT_SM = 0x0000_0004 => "submit_sm",
        /// submit_sm_resp (§4.4.2).
        SUBMIT_SM_RESP = 0x8000_0004 => "submit_sm_resp",
        /// deliver_sm (§4.6.1).
        DELIVER_SM = 0x0000_0005 => "deliver_sm",
        /// deliver_sm_resp (§4.6.2).
        DELIVER_SM_RESP = 0x8000_0005 => "deliver_sm_resp",
        /// unbind (§4.2.1).
        UNBIND = 0x0000_0006 => "unbind",
        /// unbind_resp (§4.2.2).
        UNBIND_RESP = 0x8000_0006 => "unbind_resp",
        /// replace_sm (§4.10.1).
        REPLACE_SM = 0x0000_0007 => "replace_sm",
        /// replace_sm_resp (§4.10.2).
        REPLACE_SM_RESP = 0x8000_0007 => "replace_sm_resp",
        /// cancel_sm (§4.9.1).
        CANCEL_SM = 0x0000_0008 => "cancel_sm",
        /// cancel_sm_resp (§4.9.2).
        CANCEL_SM_RESP = 0x8000_0008 => "cancel_sm_resp",
        /// bind_transceiver (§4.1.5).
        BIND_TRANSCEIVER = 0x0000_0009 => "bind_transceiver",
        /// bind_transceiver_resp (§4.1.6).
        BIND_TRANSCEIVER_RESP = 0x8000_0009 => "bind_transceiver_resp",
        /// outbind (§4.1.7); it has no response.
        OUTBIND = 0x0000_000B => "outbind",
        /// enquire_link (§4.11.1).
        ENQUIRE_LINK = 0x0000_0015 => "enquire_link",
        /// enquire_link_resp (§4.11.2).
        ENQUIRE_LINK_RESP = 0x8000_0015 => "enquire_link_resp",
        /// submit_multi (§4.5.1).
        SUBMIT_MULTI = 0x0000_0021 => "submit_multi",
        /// submit_multi_resp (§4.5.2).
        SUBMIT_MULTI_RESP = 0x8000_0021 => "submit_multi_resp",
        /// alert_notification (§4.12.1); it has no response.
        ALERT_NOTIFICATION = 0x0000_0102 => "alert_notification",
        /// data_sm (§4.7.1).
        DATA_SM = 0x0000_0103 => "data_sm",
        /// data_sm_resp (§4.7.2).
        DATA_SM_RESP = 0x8000_0103 => "data_sm_resp",
    }
    hex = 8;
}

/// Bit 31 of `command_id` marks a response (§5.1.2).
const RESPONSE_BIT: u32 = 0x8000_0000;

impl CommandId {
    /// Whether bit 31 is set: a response id (generic_nack included).
    pub const fn is_response(self) -> bool {
        self.0 & RESPONSE_BIT != 0
    }

    /// Whether this is one of the ids SMPP v3.4 defines.
    pub const fn is_known(self) -> bool {
        self.name().is_some()
    }

    /// The response id of a v3.4 request that has one (§5.1.2: the request id with bit 31 set).
    ///
    /// `None` for responses, for outbind and alert_notification (which have no response), and for ids
    /// v3.4 does not define.
    pub const fn response(self) -> Option<Self> {
        if self.is_response() || self.0 == Self::OUTBIND.0 || self.0 == Self::ALERT_NOTIFICATION.0 {
            return None;
        }
        let resp = Self(self.0 | RESPONSE_BIT);
        if resp.is_known() { Some(resp) } else { None }
    }

    /// The request id a v3.4 response answers (`None` for generic_nack and for requests).
    pub const fn request(self) -> Option<Self> {
        if !self.is_response() || self.0 == Self::GENERIC_NACK.0 {
            return None;
        }
        let req = Self(self.0 & !RESPONSE_BIT);
        if self.is_known() && req.is_known() {
            Some(req)
        } else {
            None
        }
    }
}
