//! Session settings: window, timers, decoding strictness and the T 2-1 extensions.

use std::time::Duration;

use crate::codec::DecodeOptions;
use crate::framer::DEFAULT_MAX_COMMAND_LENGTH;

use super::state::Extensions;

/// How a [`Session`](super::Session) behaves. The spec defines no timer values (§2.9, §7.2); the
/// defaults are common library choices.
///
/// ```
/// use std::time::Duration;
/// use smpp::session::Config;
/// let mut config = Config::default();
/// config.window_size = 64;
/// config.enquire_link_interval = Some(Duration::from_secs(15));
/// config.inactivity_timeout = None;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Config {
    /// Most requests this end keeps in flight (awaiting their response), bind, unbind and automatic
    /// enquire_link included. `send_request` refuses beyond it. Default 10, the §2.5.2 guideline;
    /// values below 1 count as 1.
    pub window_size: usize,
    /// Response timer (§2.9): how long a request waits for its response before it leaves the window as
    /// [`Event::Timeout`](super::Event::Timeout). `None` waits forever. Default 30 s.
    pub response_timeout: Option<Duration>,
    /// Enquire-link timer (§2.9): while bound, an enquire_link is sent after this long without
    /// receiving any PDU. `None` never sends one. Default 30 s.
    pub enquire_link_interval: Option<Duration>,
    /// Session-init timer (§2.9). The SMSC closes a session in which no bind request arrives this long
    /// after the connection (or after a refused bind). The ESME closes a session in which it has not
    /// sent a bind this long after the connection, and uses it as the response timer of its bind: a
    /// bind that gets no answer in time closes the session. `None` waits forever. Default 10 s.
    pub session_init_timeout: Option<Duration>,
    /// Inactivity timer (§2.9): the session closes after this long without receiving any PDU, in any
    /// state. `None` disables it. Default 120 s.
    pub inactivity_timeout: Option<Duration>,
    /// Largest command_length accepted; a longer one is a framing error that closes the session.
    /// Default [`DEFAULT_MAX_COMMAND_LENGTH`].
    pub max_command_length: u32,
    /// Strict or lenient decoding of incoming PDUs. Lenient decoding reports each deviation it accepted
    /// as [`Event::Warning`](super::Event::Warning). Default strict.
    pub decode: DecodeOptions,
    /// Answer enquire_link with enquire_link_resp automatically (default `true`); when `false` it is
    /// handed to the application as a request like any other.
    pub auto_enquire_link_resp: bool,
    /// Which ⚠ cells of T 2-1 to open, both ways (default [`Extensions::PRAGMATIC`]).
    pub extensions: Extensions,
    /// Most requests received and not yet answered by the application. Beyond it the session answers
    /// new requests itself with ESME_RTHROTTLED, so a peer that ignores its window cannot grow memory
    /// without bound. Default 1024.
    pub max_pending_requests: usize,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            window_size: 10,
            response_timeout: Some(Duration::from_secs(30)),
            enquire_link_interval: Some(Duration::from_secs(30)),
            session_init_timeout: Some(Duration::from_secs(10)),
            inactivity_timeout: Some(Duration::from_secs(120)),
            max_command_length: DEFAULT_MAX_COMMAND_LENGTH,
            decode: DecodeOptions::STRICT,
            auto_enquire_link_resp: true,
            extensions: Extensions::PRAGMATIC,
            max_pending_requests: 1024,
        }
    }
}

impl Config {
    /// The defaults.
    pub fn new() -> Self {
        Self::default()
    }
}
