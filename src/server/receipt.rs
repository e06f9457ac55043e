//! Delivery receipts the server generates (§2.11, Appendix B): when registered_delivery asks for
//! one, a [`ReceiptPolicy`] says after how long and with which outcome.

use std::net::SocketAddr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;

use crate::pdu::{
    COctetString, DeliverSm, EsmClass, MessageState, Npi, RegisteredDelivery, ShortMessage, Ton,
};
use crate::receipt::{DeliveryReceipt, ReceiptStat, ReceiptTime};
use crate::tlv::Tlv;

use super::SessionId;

/// A message the server accepted with receipts requested, as the [`ReceiptPolicy`] sees it.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Submitted {
    /// The session it came on.
    pub session_id: SessionId,
    /// The submitting ESME's system_id (the receipt goes to a receiver of this system_id).
    pub system_id: String,
    /// The ESME's address.
    pub peer_addr: Option<SocketAddr>,
    /// The id the handler gave it.
    pub message_id: String,
    /// Its source address (TON, NPI, address).
    pub source: (Ton, Npi, String),
    /// Its destination address.
    pub destination: (Ton, Npi, String),
    /// What it asked for.
    pub registered_delivery: RegisteredDelivery,
    /// Its user data (short_message, or message_payload).
    pub short_message: Bytes,
    /// When it was accepted.
    pub submitted_at: SystemTime,
}

/// When to send a receipt and what it says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiptPlan {
    /// Wait this long after the submit_sm_resp.
    pub delay: Duration,
    /// The final state (`stat:` and the message_state TLV).
    pub stat: ReceiptStat,
    /// `err:` (a network-specific error code; 0 for none), written with 3 digits.
    pub err: u16,
}

impl ReceiptPlan {
    /// DELIVRD after `delay`.
    pub fn delivered(delay: Duration) -> Self {
        Self {
            delay,
            stat: ReceiptStat::Delivered,
            err: 0,
        }
    }
}

/// Decides the receipt of each accepted message that asked for one. The server applies
/// registered_delivery itself: it calls the policy only when a receipt was asked for (bits 0-1 of
/// §5.2.17 not 0), and with "on failure only" (0x02) it drops a DELIVRD receipt. `None` sends
/// nothing. Closures `Fn(&Submitted) -> Option<ReceiptPlan>` are policies.
///
/// ```
/// use std::time::Duration;
/// use smpp::receipt::ReceiptStat;
/// use smpp::server::{ReceiptPlan, Server, Submitted};
///
/// // Numbers ending in 9 fail after 2 s; the others are delivered at once.
/// let builder = Server::builder().receipt_policy(|m: &Submitted| {
///     Some(if m.destination.2.ends_with('9') {
///         ReceiptPlan { delay: Duration::from_secs(2), stat: ReceiptStat::Undeliverable, err: 1 }
///     } else {
///         ReceiptPlan::delivered(Duration::ZERO)
///     })
/// });
/// ```
pub trait ReceiptPolicy: Send + Sync + 'static {
    /// The receipt of `message`, if any.
    fn plan(&self, message: &Submitted) -> Option<ReceiptPlan>;
}

impl<F> ReceiptPolicy for F
where
    F: Fn(&Submitted) -> Option<ReceiptPlan> + Send + Sync + 'static,
{
    fn plan(&self, message: &Submitted) -> Option<ReceiptPlan> {
        self(message)
    }
}

/// Every message is delivered at once (the default policy).
#[derive(Debug, Clone, Copy, Default)]
pub struct DeliveredAtOnce;

impl ReceiptPolicy for DeliveredAtOnce {
    fn plan(&self, _: &Submitted) -> Option<ReceiptPlan> {
        Some(ReceiptPlan::delivered(Duration::ZERO))
    }
}

/// No receipt is ever sent.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoReceipts;

impl ReceiptPolicy for NoReceipts {
    fn plan(&self, _: &Submitted) -> Option<ReceiptPlan> {
        None
    }
}

/// Whether registered_delivery asks for an SMSC receipt with this outcome (§5.2.17 bits 0-1:
/// 01 on success or failure, 10 on failure only, 11 reserved and read as 01).
pub(crate) fn wanted(registered_delivery: RegisteredDelivery, stat: &ReceiptStat) -> bool {
    match registered_delivery.smsc_receipt() {
        0 => false,
        2 => *stat != ReceiptStat::Delivered,
        _ => true,
    }
}

/// The civil date and time (UTC) of `t`.
fn receipt_time(t: SystemTime) -> Option<ReceiptTime> {
    let secs = t.duration_since(UNIX_EPOCH).ok()?.as_secs();
    let days = i64::try_from(secs / 86_400).ok()?;
    let rem = secs % 86_400;
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let time = ReceiptTime::new(
        u16::try_from(year).ok()?,
        u8::try_from(month).ok()?,
        u8::try_from(day).ok()?,
        u8::try_from(rem / 3600).ok()?,
        u8::try_from(rem % 3600 / 60).ok()?,
    )
    .ok()?;
    time.with_seconds(u8::try_from(rem % 60).ok()?).ok()
}

/// The deliver_sm carrying the receipt of `m` (§2.11: source and destination swapped, esm_class
/// "SMSC delivery receipt", Appendix B text, receipted_message_id and message_state TLVs).
pub(crate) fn receipt_pdu(m: &Submitted, plan: &ReceiptPlan, done: SystemTime) -> DeliverSm {
    let submit_date = receipt_time(m.submitted_at);
    let done_date = receipt_time(done);
    let text = match (submit_date, done_date) {
        (Some(s), Some(d)) => {
            DeliveryReceipt::builder(m.message_id.clone(), plan.stat.clone(), s, d)
                .err(format!("{:03}", plan.err))
                .original_text(&m.short_message)
                .build()
        }
        _ => DeliveryReceipt {
            id: m.message_id.clone(),
            sub: None,
            dlvrd: None,
            submit_date: None,
            done_date: None,
            stat: plan.stat.clone(),
            err: Some(format!("{:03}", plan.err)),
            text: None,
            extra: Vec::new(),
        },
    };
    let mut bytes = text.to_bytes();
    bytes.truncate(ShortMessage::MAX_LEN);
    let mut tlvs = crate::tlv::Tlvs::default();
    if let Ok(id) = COctetString::<65>::try_from(m.message_id.as_str()) {
        tlvs.push(Tlv::ReceiptedMessageId(id));
    }
    if let Some(state) = plan.stat.message_state() {
        tlvs.push(Tlv::MessageState(MessageState(state)));
    }
    DeliverSm {
        source_addr_ton: m.destination.0,
        source_addr_npi: m.destination.1,
        source_addr: m.destination.2.as_str().try_into().unwrap_or_default(),
        dest_addr_ton: m.source.0,
        dest_addr_npi: m.source.1,
        destination_addr: m.source.2.as_str().try_into().unwrap_or_default(),
        esm_class: EsmClass::DELIVERY_RECEIPT,
        short_message: ShortMessage::new(bytes).unwrap_or_default(),
        tlvs,
        ..DeliverSm::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_time() {
        // 2024-02-29 13:45:07 UTC
        let t = UNIX_EPOCH + Duration::from_secs(1_709_214_307);
        assert_eq!(receipt_time(t).unwrap().to_string(), "240229134507");
        assert_eq!(
            receipt_time(UNIX_EPOCH).unwrap().to_string(),
            "700101000000"
        );
    }

    #[test]
    fn registered_delivery_bits() {
        let ok = ReceiptStat::Delivered;
        let failed = ReceiptStat::Undeliverable;
        assert!(!wanted(RegisteredDelivery(0), &ok));
        assert!(wanted(RegisteredDelivery(1), &ok) && wanted(RegisteredDelivery(1), &failed));
        assert!(!wanted(RegisteredDelivery(2), &ok) && wanted(RegisteredDelivery(2), &failed));
        assert!(wanted(RegisteredDelivery(0x11), &ok));
    }

    #[test]
    fn receipt_is_parsed_back() {
        let m = Submitted {
            session_id: SessionId(1),
            system_id: "esme".into(),
            peer_addr: None,
            message_id: "abc123".into(),
            source: (Ton::INTERNATIONAL, Npi::ISDN, "111".into()),
            destination: (Ton::INTERNATIONAL, Npi::ISDN, "222".into()),
            registered_delivery: RegisteredDelivery::SMSC_RECEIPT,
            short_message: Bytes::from_static(b"Hello there, a rather long text indeed"),
            submitted_at: UNIX_EPOCH + Duration::from_secs(1_709_214_307),
        };
        let plan = ReceiptPlan::delivered(Duration::ZERO);
        let pdu = receipt_pdu(&m, &plan, m.submitted_at + Duration::from_secs(3));
        assert_eq!(pdu.source_addr, "222");
        assert_eq!(pdu.destination_addr, "111");
        let view = pdu.receipt().unwrap();
        assert!(view.id_matches("abc123"));
        assert_eq!(view.stat, Some(ReceiptStat::Delivered));
        assert!(view.conflicts.is_empty(), "{:?}", view.conflicts);
        let text = view.text.unwrap();
        assert_eq!(text.text.as_deref(), Some(&b"Hello there, a rathe"[..]));
    }
}
