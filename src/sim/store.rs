//! The simulator's message store: every accepted message with its schedule, its outcome and its
//! state, on which query_sm, cancel_sm and replace_sm work and from which receipts are sent.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use bytes::Bytes;

use crate::pdu::{MessageState, Npi, RegisteredDelivery, Ton};
use crate::receipt::ReceiptStat;

/// One stored message.
#[derive(Debug, Clone)]
pub(crate) struct Message {
    pub(crate) system_id: Arc<str>,
    pub(crate) service_type: String,
    pub(crate) source: (Ton, Npi, String),
    pub(crate) destination: (Ton, Npi, String),
    pub(crate) registered_delivery: RegisteredDelivery,
    pub(crate) short_message: Bytes,
    pub(crate) submitted_at: SystemTime,
    /// When it leaves ENROUTE: its schedule (or submission) plus the receipt delay, or its
    /// validity end when that comes first.
    pub(crate) final_at: SystemTime,
    pub(crate) outcome: ReceiptStat,
    pub(crate) err: u16,
    pub(crate) no_receipt: bool,
    pub(crate) cancelled_at: Option<SystemTime>,
    /// Bumped by replace_sm: a receipt timer of an older generation does nothing.
    pub(crate) generation: u32,
}

impl Message {
    /// Its state at `now` and, once final, when it became so.
    pub(crate) fn state(&self, now: SystemTime) -> (ReceiptStat, Option<SystemTime>) {
        if let Some(t) = self.cancelled_at {
            return (ReceiptStat::Deleted, Some(t));
        }
        if now >= self.final_at {
            (self.outcome.clone(), Some(self.final_at))
        } else {
            (ReceiptStat::Enroute, None)
        }
    }

    pub(crate) fn is_pending(&self, now: SystemTime) -> bool {
        self.state(now).1.is_none()
    }
}

/// message_state of a receipt outcome.
pub(crate) fn message_state(stat: &ReceiptStat) -> MessageState {
    MessageState(stat.message_state().unwrap_or(MessageState::UNKNOWN.0))
}

/// Messages by number, oldest first; the oldest go when it is full.
#[derive(Debug)]
pub(crate) struct Store {
    messages: HashMap<u64, Message>,
    order: VecDeque<u64>,
    capacity: usize,
    next: u64,
    pub(crate) evicted: u64,
}

impl Store {
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            messages: HashMap::new(),
            order: VecDeque::new(),
            capacity: capacity.max(1),
            next: 1,
            evicted: 0,
        }
    }

    /// The number the next message will get.
    pub(crate) fn reserve(&mut self) -> u64 {
        let n = self.next;
        self.next += 1;
        n
    }

    pub(crate) fn insert(&mut self, n: u64, m: Message) {
        while self.messages.len() >= self.capacity {
            let Some(old) = self.order.pop_front() else {
                break;
            };
            if self.messages.remove(&old).is_some() {
                self.evicted += 1;
            }
        }
        self.messages.insert(n, m);
        self.order.push_back(n);
    }

    pub(crate) fn get(&self, n: u64) -> Option<&Message> {
        self.messages.get(&n)
    }

    pub(crate) fn get_mut(&mut self, n: u64) -> Option<&mut Message> {
        self.messages.get_mut(&n)
    }

    pub(crate) fn len(&self) -> usize {
        self.messages.len()
    }

    pub(crate) fn iter_mut(&mut self) -> impl Iterator<Item = (&u64, &mut Message)> {
        self.messages.iter_mut()
    }

    /// Messages by state at `now`.
    pub(crate) fn states(&self, now: SystemTime) -> std::collections::BTreeMap<String, u64> {
        let mut out = std::collections::BTreeMap::new();
        for m in self.messages.values() {
            *out.entry(m.state(now).0.as_str().to_owned()).or_default() += 1;
        }
        out
    }
}

/// The message_id text of message number `n`: 10 decimal digits, as Appendix B shows them.
pub(crate) fn format_id(n: u64) -> String {
    format!("{n:010}")
}

/// The message number of an id this simulator gave.
pub(crate) fn parse_id(id: &str) -> Option<u64> {
    let id = id.trim();
    if id.is_empty() || !id.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    id.parse().ok()
}

/// A 64-bit mix of `seed` and `n` (SplitMix64): the deterministic coin of message `n`.
pub(crate) fn coin(seed: u64, n: u64) -> u64 {
    let mut z = seed ^ n.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Saturating `a - b` of two system times.
pub(crate) fn until(t: SystemTime, now: SystemTime) -> Duration {
    t.duration_since(now).unwrap_or(Duration::ZERO)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(final_at: SystemTime) -> Message {
        Message {
            system_id: Arc::from("a"),
            service_type: String::new(),
            source: (Ton::UNKNOWN, Npi::UNKNOWN, "1".into()),
            destination: (Ton::UNKNOWN, Npi::UNKNOWN, "2".into()),
            registered_delivery: RegisteredDelivery::NONE,
            short_message: Bytes::new(),
            submitted_at: SystemTime::UNIX_EPOCH,
            final_at,
            outcome: ReceiptStat::Delivered,
            err: 0,
            no_receipt: false,
            cancelled_at: None,
            generation: 0,
        }
    }

    #[test]
    fn ids_and_eviction() {
        assert_eq!(format_id(42), "0000000042");
        assert_eq!(parse_id("0000000042"), Some(42));
        assert_eq!(parse_id("x1"), None);
        let mut s = Store::new(2);
        for _ in 0..3 {
            let n = s.reserve();
            s.insert(n, msg(SystemTime::UNIX_EPOCH));
        }
        assert_eq!(s.len(), 2);
        assert!(s.get(1).is_none() && s.get(3).is_some());
        assert_eq!(s.evicted, 1);
    }

    #[test]
    fn states() {
        let t = SystemTime::UNIX_EPOCH + Duration::from_secs(100);
        let mut m = msg(t);
        assert_eq!(m.state(t - Duration::from_secs(1)).0, ReceiptStat::Enroute);
        assert_eq!(m.state(t), (ReceiptStat::Delivered, Some(t)));
        m.cancelled_at = Some(t);
        assert_eq!(m.state(t + Duration::from_secs(5)).0, ReceiptStat::Deleted);
        assert_ne!(coin(1, 1), coin(1, 2));
        assert_eq!(coin(7, 9), coin(7, 9));
    }
}
