//! bind_transmitter, bind_receiver, bind_transceiver and their responses; outbind (§4.1).

use super::body::body;
use super::{COctetString, Npi, Ton};
use crate::tlv::TlvTag;

body! {
    /// The body of bind_transmitter, bind_receiver and bind_transceiver (§4.1.1, §4.1.3, §4.1.5):
    /// identical for the three.
    pub struct Bind {
        /// Identifies the ESME requesting to bind (C-Octet String, max 16).
        system_id: COctetString<16>,
        /// The password for authentication (max 9).
        password: COctetString<9>,
        /// The type of ESME (max 13).
        system_type: COctetString<13>,
        /// The SMPP version the ESME supports (0x34 for v3.4).
        interface_version: u8,
        /// TON of the ESME address(es) served.
        addr_ton: Ton,
        /// NPI of the ESME address(es) served.
        addr_npi: Npi,
        /// A single ESME address or a range of addresses (UNIX regular expression, max 41).
        address_range: COctetString<41>,
    }
    tlvs: &[];
}

body! {
    /// The body of bind_transmitter_resp, bind_receiver_resp and bind_transceiver_resp (§4.1.2,
    /// §4.1.4, §4.1.6).
    pub struct BindResp {
        /// Identifies the SMSC (max 16).
        system_id: COctetString<16>,
    }
    tlvs: &[TlvTag::SC_INTERFACE_VERSION];
}

body! {
    /// outbind (§4.1.7): the SMSC asks the ESME to bind_receiver.
    pub struct Outbind {
        /// Identifies the SMSC (max 16).
        system_id: COctetString<16>,
        /// Lets the ESME authenticate the SMSC (max 9).
        password: COctetString<9>,
    }
    tlvs: &[];
}
