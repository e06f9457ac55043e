//! alert_notification (§4.12): a mobile became available; never answered.

use super::body::body;
use super::{COctetString, Npi, Ton};
use crate::tlv::TlvTag;

body! {
    /// alert_notification (§4.12.1, T 4-30).
    pub struct AlertNotification {
        /// TON of source_addr.
        source_addr_ton: Ton,
        /// NPI of source_addr.
        source_addr_npi: Npi,
        /// The mobile that became available (max 65).
        source_addr: COctetString<65>,
        /// TON of esme_addr.
        esme_addr_ton: Ton,
        /// NPI of esme_addr.
        esme_addr_npi: Npi,
        /// The ESME that asked for the alert (max 65).
        esme_addr: COctetString<65>,
    }
    tlvs: &[TlvTag::MS_AVAILABILITY_STATUS];
}
