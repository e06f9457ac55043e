//! Replaying captured SMPP sessions against a live peer, comparing what it answers with what the
//! capture holds, and turning a captured session into a conformance scenario.
//!
//! * [`plan`] reads a capture's sessions ([`crate::pcap::read::Capture::sessions`]) into
//!   [`Plan`]s: each connection's PDUs in capture order, every response paired with its request.
//! * [`run_target`] plays the ESME side of each plan against an SMSC (it dials the target);
//!   [`run_listen`] plays the SMSC side to ESMEs that connect. Both send the captured octets as
//!   they are (sequence numbers kept; only a rewritten bind and the answers to the peer's
//!   requests, whose sequence_number is the peer's, are re-encoded), wait for each response, and
//!   answer the peer's requests as the capture did.
//! * [`compare`] tells how a live PDU differs from the captured one, field by field (header,
//!   mandatory fields by spec name, TLVs, the Appendix B receipt text), skipping the fields that
//!   change from run to run (message_id, time stamps) unless asked otherwise.
//! * [`Report`] gathers the findings per session, as text or JSON, with the exit status.
//! * [`scenario`] writes one captured session as an `smpp-conform` scenario (YAML).
//!
//! Nothing a capture or a peer holds makes it panic; every wait is bounded by the per-response
//! timeout and the overall timeout ([`ReplayOptions`]).
//!
//! ```no_run
//! use smpp::pcap::read::Capture;
//! use smpp::replay::{self, ReplayOptions};
//!
//! # async fn f() -> Result<(), Box<dyn std::error::Error>> {
//! let (sessions, _summary) = Capture::open("capture.pcap")?.sessions();
//! let plans = replay::plans(&sessions);
//! let report = replay::run_target(&plans, "127.0.0.1:2775", &ReplayOptions::default()).await;
//! print!("{}", report.to_text());
//! std::process::exit(report.exit_code());
//! # }
//! ```

pub mod compare;
mod conn;
pub mod plan;
mod play;
mod report;
mod run;
pub mod scenario;
mod yaml;

use std::time::Duration;

pub use compare::{CompareOptions, DEFAULT_IGNORED, Difference};
pub use plan::{Event, Plan, PlanError, plans};
pub use report::{Finding, FindingKind, Outcome, Report, SessionReport};
pub use run::{Listener, run_listen, run_target};

/// How our PDUs are paced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Timing {
    /// Each PDU as soon as what came before it in the capture has been received (or timed out);
    /// sessions one after the other.
    #[default]
    Fast,
    /// Also no earlier than its captured offset from the session's first PDU; sessions at their
    /// captured offsets from the first one, concurrently.
    Original,
}

/// What a replay does and how long it waits.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ReplayOptions {
    /// Pacing.
    pub timing: Timing,
    /// How long a response, or a request the peer sent at that point of the capture, is waited
    /// for; also the connect timeout.
    pub response_timeout: Duration,
    /// Bound of the whole replay (all sessions).
    pub overall_timeout: Duration,
    /// What is compared.
    pub compare: CompareOptions,
}

impl Default for ReplayOptions {
    fn default() -> Self {
        Self {
            timing: Timing::Fast,
            response_timeout: Duration::from_secs(5),
            overall_timeout: Duration::from_secs(120),
            compare: CompareOptions::default(),
        }
    }
}

impl ReplayOptions {
    /// Pacing.
    #[must_use]
    pub fn with_timing(mut self, timing: Timing) -> Self {
        self.timing = timing;
        self
    }

    /// The per-response timeout.
    #[must_use]
    pub fn with_response_timeout(mut self, timeout: Duration) -> Self {
        self.response_timeout = timeout;
        self
    }

    /// The overall timeout.
    #[must_use]
    pub fn with_overall_timeout(mut self, timeout: Duration) -> Self {
        self.overall_timeout = timeout;
        self
    }

    /// What is compared.
    #[must_use]
    pub fn with_compare(mut self, compare: CompareOptions) -> Self {
        self.compare = compare;
        self
    }
}
