//! The session's fixed timer table (quinn's `TimerTable`): one optional deadline per session timer.
//! Per-request response deadlines live in the window.

use std::time::{Duration, Instant};

/// The session-wide timers of §2.9 (the response timer is per request, see the window).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Timer {
    /// No bind yet (SMSC: received; ESME: sent).
    SessionInit = 0,
    /// Send an enquire_link when nothing was received for a while (bound only).
    EnquireLink = 1,
    /// Close when nothing was received for a while.
    Inactivity = 2,
}

impl Timer {
    /// Every timer, in the order `handle_timeout` checks them.
    pub(crate) const ALL: [Self; 3] = [Self::SessionInit, Self::Inactivity, Self::EnquireLink];
}

/// `now + d`, or `None` when there is no duration or the sum does not fit (never fires).
pub(crate) fn after(now: Instant, d: Option<Duration>) -> Option<Instant> {
    d.and_then(|d| now.checked_add(d))
}

/// One deadline per [`Timer`].
#[derive(Debug, Clone, Default)]
pub(crate) struct TimerTable([Option<Instant>; 3]);

impl TimerTable {
    pub(crate) fn set(&mut self, timer: Timer, at: Option<Instant>) {
        self.0[timer as usize] = at;
    }

    pub(crate) fn stop(&mut self, timer: Timer) {
        self.0[timer as usize] = None;
    }

    pub(crate) fn get(&self, timer: Timer) -> Option<Instant> {
        self.0[timer as usize]
    }

    pub(crate) fn clear(&mut self) {
        self.0 = [None; 3];
    }

    /// The earliest deadline.
    pub(crate) fn next(&self) -> Option<Instant> {
        self.0.iter().flatten().min().copied()
    }

    /// Whether `timer` is set and due at `now`; a due timer is stopped.
    pub(crate) fn take_expired(&mut self, timer: Timer, now: Instant) -> bool {
        match self.get(timer) {
            Some(at) if at <= now => {
                self.stop(timer);
                true
            }
            _ => false,
        }
    }
}
