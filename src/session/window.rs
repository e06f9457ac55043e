//! The window: requests in flight by sequence_number, their response deadlines in order, and the
//! sequence_number allocator (§5.1.4: 1..=0x7FFFFFFF, wrapping back to 1).

use std::collections::{BTreeSet, HashMap};
use std::time::Instant;

use crate::pdu::{CommandId, MAX_SEQUENCE_NUMBER, Pdu};

use super::state::BindType;

/// Who put a request in flight, which decides what its response does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `send_request`: the response is an `Event::Response`.
    App,
    /// `send_request_unchecked` outside the rules: reported, no effect on the state.
    Unchecked,
    /// The bind that put the session in BINDING.
    Bind(BindType),
    /// The unbind that put the session in UNBINDING.
    Unbind,
    /// An enquire_link the session sent by itself: its response is consumed silently.
    EnquireLink,
}

/// One request awaiting its response.
#[derive(Debug, Clone)]
pub(crate) struct InFlight {
    pub(crate) command_id: CommandId,
    /// Boxed: the window's entries stay small (a request is moved in once and out once).
    pub(crate) pdu: Box<Pdu>,
    pub(crate) kind: Kind,
    pub(crate) sent_at: Instant,
    deadline: Option<Instant>,
    serial: u64,
}

#[derive(Debug)]
pub(crate) struct Window {
    size: usize,
    next_seq: u32,
    serial: u64,
    map: HashMap<u32, InFlight>,
    /// (deadline, serial, sequence_number) of every request in `map` that has a deadline.
    deadlines: BTreeSet<(Instant, u64, u32)>,
}

impl Window {
    pub(crate) fn new(size: usize) -> Self {
        // At least one slot; fewer slots than sequence numbers, so allocation always finds a free one.
        let size = size.clamp(1, MAX_SEQUENCE_NUMBER as usize - 1);
        Self {
            size,
            next_seq: 1,
            serial: 0,
            map: HashMap::new(),
            deadlines: BTreeSet::new(),
        }
    }

    pub(crate) fn size(&self) -> usize {
        self.size
    }

    pub(crate) fn len(&self) -> usize {
        self.map.len()
    }

    pub(crate) fn is_full(&self) -> bool {
        self.map.len() >= self.size
    }

    pub(crate) fn available(&self) -> usize {
        self.size.saturating_sub(self.map.len())
    }

    pub(crate) fn contains(&self, seq: u32) -> bool {
        self.map.contains_key(&seq)
    }

    /// The sequence_number the next request gets (if not in flight by then).
    pub(crate) fn peek_next(&self) -> u32 {
        self.next_seq
    }

    /// Sets the next sequence_number (clamped to 1..=0x7FFFFFFF).
    pub(crate) fn set_next(&mut self, seq: u32) {
        self.next_seq = seq.clamp(1, MAX_SEQUENCE_NUMBER);
    }

    /// A sequence_number no request in flight uses; wraps from 0x7FFFFFFF to 1.
    pub(crate) fn allocate(&mut self) -> u32 {
        loop {
            let seq = self.next_seq;
            self.next_seq = if seq >= MAX_SEQUENCE_NUMBER {
                1
            } else {
                seq + 1
            };
            if !self.map.contains_key(&seq) {
                return seq;
            }
        }
    }

    /// Puts a request in flight under `seq` (from [`Window::allocate`]).
    pub(crate) fn insert(
        &mut self,
        seq: u32,
        command_id: CommandId,
        pdu: Box<Pdu>,
        kind: Kind,
        sent_at: Instant,
        deadline: Option<Instant>,
    ) {
        self.serial += 1;
        let serial = self.serial;
        if let Some(at) = deadline {
            self.deadlines.insert((at, serial, seq));
        }
        let old = self.map.insert(
            seq,
            InFlight {
                command_id,
                pdu,
                kind,
                sent_at,
                deadline,
                serial,
            },
        );
        if let Some(old) = old {
            // Not reachable through `allocate`; keep the deadline set consistent anyway.
            if let Some(at) = old.deadline {
                self.deadlines.remove(&(at, old.serial, seq));
            }
        }
    }

    fn remove(&mut self, seq: u32) -> Option<InFlight> {
        let e = self.map.remove(&seq)?;
        if let Some(at) = e.deadline {
            self.deadlines.remove(&(at, e.serial, seq));
        }
        Some(e)
    }

    /// Takes the request `response_id` answers: the one in flight under `seq` whose response id it is,
    /// or any one under `seq` for generic_nack.
    pub(crate) fn take_matching(&mut self, seq: u32, response_id: CommandId) -> Option<InFlight> {
        let e = self.map.get(&seq)?;
        let matches =
            response_id == CommandId::GENERIC_NACK || response_id.0 == e.command_id.0 | 0x8000_0000;
        if matches { self.remove(seq) } else { None }
    }

    /// The earliest response deadline.
    pub(crate) fn earliest(&self) -> Option<Instant> {
        self.deadlines.first().map(|(at, _, _)| *at)
    }

    /// Takes the earliest request whose deadline is due at `now`.
    pub(crate) fn take_expired(&mut self, now: Instant) -> Option<(u32, InFlight)> {
        let &(at, _, seq) = self.deadlines.first()?;
        if at > now {
            return None;
        }
        self.remove(seq).map(|e| (seq, e))
    }

    /// Takes every request, in the order they were sent.
    pub(crate) fn drain(&mut self) -> Vec<(u32, InFlight)> {
        self.deadlines.clear();
        let mut all: Vec<_> = self.map.drain().collect();
        all.sort_by_key(|(_, e)| e.serial);
        all
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_to_one_and_skips_numbers_in_flight() {
        let now = Instant::now();
        let mut w = Window::new(4);
        w.set_next(MAX_SEQUENCE_NUMBER - 1);
        let a = w.allocate();
        assert_eq!(a, MAX_SEQUENCE_NUMBER - 1);
        w.insert(
            a,
            CommandId::SUBMIT_SM,
            Box::new(Pdu::EnquireLink),
            Kind::App,
            now,
            None,
        );
        assert_eq!(w.allocate(), MAX_SEQUENCE_NUMBER);
        let one = w.allocate();
        assert_eq!(one, 1);
        w.insert(
            one,
            CommandId::SUBMIT_SM,
            Box::new(Pdu::EnquireLink),
            Kind::App,
            now,
            None,
        );
        w.set_next(MAX_SEQUENCE_NUMBER - 1);
        // MAX-1 and 1 are in flight: MAX, then 2.
        assert_eq!(w.allocate(), MAX_SEQUENCE_NUMBER);
        assert_eq!(w.allocate(), 2);
    }

    #[test]
    fn deadlines_in_order() {
        let t0 = Instant::now();
        let s = std::time::Duration::from_secs(1);
        let mut w = Window::new(8);
        for (seq, d) in [(1, 3), (2, 1), (3, 2)] {
            w.insert(
                seq,
                CommandId::SUBMIT_SM,
                Box::new(Pdu::EnquireLink),
                Kind::App,
                t0,
                Some(t0 + s * d),
            );
        }
        assert_eq!(w.earliest(), Some(t0 + s));
        assert!(w.take_expired(t0).is_none());
        assert_eq!(w.take_expired(t0 + s * 2).map(|x| x.0), Some(2));
        assert_eq!(w.take_expired(t0 + s * 2).map(|x| x.0), Some(3));
        assert!(w.take_expired(t0 + s * 2).is_none());
        assert!(w.take_matching(1, CommandId::DELIVER_SM_RESP).is_none());
        assert!(w.take_matching(1, CommandId::SUBMIT_SM_RESP).is_some());
        assert_eq!(w.earliest(), None);
    }
}
