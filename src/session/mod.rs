//! The sans-IO session core: one SMPP v3.4 session (ESME or SMSC) as a state machine fed bytes and
//! instants, giving back bytes, events and deadlines.
//!
//! No sockets, no async runtime, no clock: every method that needs the time takes `now`, so the same
//! code runs under tokio, a simulator, a capture replayer, a fuzzer, or a test with a virtual clock.
//! See [`Session`] for how to drive it.

mod config;
mod error;
mod event;
#[doc(hidden)]
pub mod fuzz;
mod state;
mod timer;
mod window;

use std::collections::{HashMap, VecDeque};
use std::time::Instant;

use crate::error::DecodeError;
use crate::framer::Framer;
use crate::pdu::{Bind, COctetString, Command, CommandId, CommandStatus, Pdu};
use crate::raw::RawPdu;
use crate::tlv::{Tlv, TlvTag};

pub use config::Config;
pub use error::{ApiMisuse, PeerMisbehaved, SessionError};
pub use event::{CloseCause, Event, Initiator};
#[doc(hidden)]
pub use fuzz::fuzz_session;
pub use state::{BindType, Extensions, Role, State, allowed, allowed_requests};

use timer::{Timer, TimerTable, after};
use window::{Kind, Window};

/// One SMPP session, ESME or SMSC, with no I/O of its own.
///
/// # Driving it
///
/// Methods come in four groups, as in quinn-proto's `Connection`:
///
/// - **Getters** (`&self`): [`state`](Self::state), [`bind_type`](Self::bind_type),
///   [`in_flight`](Self::in_flight), [`window_available`](Self::window_available),
///   [`is_closed`](Self::is_closed), [`peer_system_id`](Self::peer_system_id),
///   [`peer_interface_version`](Self::peer_interface_version), [`stats`](Self::stats), ...
/// - **Inputs** (`handle_*`): [`handle_input`](Self::handle_input) with the octets read from the
///   connection, whatever their boundaries; [`handle_timeout`](Self::handle_timeout) when the
///   deadline from `poll_timeout` has passed.
/// - **Commands** from the application: [`bind`](Self::bind),
///   [`send_request`](Self::send_request), [`respond`](Self::respond), [`unbind`](Self::unbind),
///   [`close`](Self::close), and the unchecked escape hatches for test tools
///   ([`send_request_unchecked`](Self::send_request_unchecked), [`send_raw`](Self::send_raw),
///   [`send_bytes`](Self::send_bytes)).
/// - **Outputs** (`poll_*`): [`poll_transmit`](Self::poll_transmit) (octets to write, every pending
///   PDU coalesced), [`poll_timeout`](Self::poll_timeout) (the next deadline),
///   [`poll_event`](Self::poll_event) (what the application must know).
///
/// After any input or command, poll in this order: `poll_transmit` until it returns 0 (write the
/// octets), then `poll_timeout` (re-arm the driver's timer), then `poll_event` until `None`
/// (commands issued while handling events produce more output: loop). When
/// [`is_closed`](Self::is_closed) turns true, flush `poll_transmit` one last time and close the
/// connection. If the connection drops, call [`close`](Self::close): in-flight requests come out
/// as [`Event::Abandoned`].
///
/// # What it does by itself
///
/// Each incoming PDU is checked against T 2-1 (§2.3, see [`allowed`]) for the peer's role and the
/// current state, then:
///
/// - a request T 2-1 allows goes to the application as [`Event::Request`] (SMSC: binds too; the
///   application authenticates and answers with [`respond`](Self::respond)); enquire_link is
///   answered automatically (configurable), unbind is answered with unbind_resp and the session
///   closes, outbind becomes [`Event::Outbind`];
/// - a request T 2-1 does not allow gets its own response with ESME_RINVBNDSTS (a bind while bound
///   or binding: ESME_RALYBND; outbind, which has no response: generic_nack), alert_notification
///   is never answered;
/// - a PDU that does not decode gets [`DecodeError::response`]: generic_nack ESME_RINVCMDID for an
///   unknown command_id, the request's own response with the error status otherwise;
/// - a response is matched by sequence_number to the request in flight ([`Event::Response`],
///   a generic_nack included) or reported as [`Event::UnexpectedResponse`]; responses are never
///   answered;
/// - a command_length out of bounds is a framing error: generic_nack ESME_RINVCMDLEN (sequence 0
///   when no header could be read) and the session closes.
///
/// Timers (§2.9): a response deadline per request ([`Event::Timeout`]), enquire_link after
/// [`Config::enquire_link_interval`] without receiving anything while bound, the session-init
/// timer until a bind, and the inactivity timer. See [`Config`].
///
/// # Example: an ESME and an SMSC in memory
///
/// ```
/// use std::time::{Duration, Instant};
/// use smpp::session::{BindType, Config, Event, Role, Session};
/// use smpp::{Bind, BindResp, CommandStatus, Pdu, SubmitSm, SubmitSmResp};
///
/// // Move every pending octet from one session to the other.
/// fn pump(from: &mut Session, to: &mut Session, now: Instant) {
///     let mut wire = Vec::new();
///     while from.poll_transmit(&mut wire) > 0 {}
///     to.handle_input(now, &wire);
/// }
///
/// let mut now = Instant::now(); // the driver reads the clock, never the session
/// let mut esme = Session::new(Role::Esme, Config::default(), now);
/// let mut smsc = Session::new(Role::Smsc, Config::default(), now);
///
/// let bind = Bind { system_id: "test".try_into()?, password: "secret".try_into()?, ..Bind::default() };
/// esme.bind(now, BindType::Transmitter, bind)?;
/// pump(&mut esme, &mut smsc, now);
///
/// // The SMSC application authenticates the bind and accepts it (its Event::Bound follows).
/// while let Some(event) = smsc.poll_event() {
///     if let Event::Request { sequence_number, pdu: Pdu::BindTransmitter(b) } = event {
///         assert_eq!(b.system_id, "test");
///         let resp = BindResp { system_id: "SMSC".try_into()?, ..BindResp::default() };
///         smsc.respond(now, sequence_number, CommandStatus::ESME_ROK,
///                      Pdu::BindTransmitterResp(Some(resp)))?;
///     }
/// }
/// pump(&mut smsc, &mut esme, now);
/// assert!(matches!(esme.poll_event(), Some(Event::Bound { bind_type: BindType::Transmitter, .. })));
///
/// // Submit one message; the SMSC application answers it.
/// now += Duration::from_millis(5);
/// let submit = SubmitSm { destination_addr: "447911123456".try_into()?,
///                         short_message: "Hello".try_into()?, ..SubmitSm::default() };
/// let seq = esme.send_request(now, submit.into())?;
/// pump(&mut esme, &mut smsc, now);
/// let Some(Event::Request { sequence_number, .. }) = smsc.poll_event() else { panic!() };
/// assert_eq!(sequence_number, seq);
/// let resp = SubmitSmResp { message_id: "m-1".try_into()?, ..SubmitSmResp::default() };
/// smsc.respond(now, seq, CommandStatus::ESME_ROK, Pdu::SubmitSmResp(Some(resp)))?;
/// now += Duration::from_millis(5);
/// pump(&mut smsc, &mut esme, now);
/// let Some(Event::Response { response, latency, .. }) = esme.poll_event() else { panic!() };
/// assert_eq!(response.sequence_number, seq);
/// assert_eq!(latency, Duration::from_millis(5));
///
/// // Unbind: the SMSC answers by itself and both sides close.
/// esme.unbind(now)?;
/// pump(&mut esme, &mut smsc, now);
/// pump(&mut smsc, &mut esme, now);
/// assert!(esme.is_closed() && smsc.is_closed());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct Session {
    role: Role,
    config: Config,
    inner: Inner,
    framer: Framer,
    tx: Vec<u8>,
    events: VecDeque<Event>,
    timers: TimerTable,
    window: Window,
    /// Requests received and handed to the application, awaiting `respond`: (sequence_number,
    /// request id) → how many (a peer may reuse a sequence_number).
    pending: HashMap<(u32, CommandId), u32>,
    pending_count: usize,
    peer_system_id: Option<COctetString<16>>,
    peer_interface_version: Option<u8>,
    stats: Stats,
}

/// The state with the data valid in it (rustls `Expect*` style); [`State`] is its public face.
#[derive(Debug, Clone)]
enum Inner {
    Open,
    Binding {
        bind_type: BindType,
        /// The bind's sequence_number (sent by the ESME, received by the SMSC).
        seq: u32,
        /// SMSC: the ESME's system_id and interface_version from its bind.
        peer: Option<(COctetString<16>, u8)>,
    },
    Bound(BindType),
    Unbinding(BindType),
    Closed(CloseCause),
}

impl Inner {
    fn state(&self) -> State {
        match self {
            Self::Open => State::Open,
            Self::Binding { bind_type, .. } => State::Binding(*bind_type),
            Self::Bound(b) => State::Bound(*b),
            Self::Unbinding(b) => State::Unbinding(*b),
            Self::Closed(_) => State::Closed,
        }
    }
}

/// Counters of what crossed the session.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    /// Whole PDUs received (decodable or not).
    pub pdus_in: u64,
    /// PDUs sent (raw sends included).
    pub pdus_out: u64,
    /// Octets received.
    pub octets_in: u64,
    /// Octets queued for sending.
    pub octets_out: u64,
    received: [u64; ID_SLOTS],
    sent: [u64; ID_SLOTS],
    /// Responses sent with an error status (generic_nack included), by status.
    errors_sent: std::collections::BTreeMap<CommandStatus, u64>,
    /// Responses received with an error status (generic_nack included), by status.
    errors_received: std::collections::BTreeMap<CommandStatus, u64>,
}

const ID_SLOTS: usize = CommandId::ALL.len() + 1;

fn id_slot(id: CommandId) -> usize {
    CommandId::ALL
        .iter()
        .position(|k| *k == id)
        .unwrap_or(ID_SLOTS - 1)
}

impl Stats {
    /// PDUs received with this command_id (any id v3.4 does not define counts under all of them).
    pub fn received(&self, id: CommandId) -> u64 {
        self.received[id_slot(id)]
    }

    /// PDUs sent with this command_id (same convention).
    pub fn sent(&self, id: CommandId) -> u64 {
        self.sent[id_slot(id)]
    }

    /// Responses sent with a non-zero command_status (generic_nack included), by status; those
    /// with ESME_ROK are the responses of [`sent`](Self::sent) less these.
    pub fn errors_sent(&self) -> impl Iterator<Item = (CommandStatus, u64)> + '_ {
        self.errors_sent.iter().map(|(s, n)| (*s, *n))
    }

    /// Responses received with a non-zero command_status (generic_nack included), by status.
    pub fn errors_received(&self) -> impl Iterator<Item = (CommandStatus, u64)> + '_ {
        self.errors_received.iter().map(|(s, n)| (*s, *n))
    }

    /// Adds another session's counters to these (e.g. to total a server's sessions).
    pub fn add(&mut self, other: &Stats) {
        self.pdus_in += other.pdus_in;
        self.pdus_out += other.pdus_out;
        self.octets_in += other.octets_in;
        self.octets_out += other.octets_out;
        for (a, b) in self.received.iter_mut().zip(other.received) {
            *a += b;
        }
        for (a, b) in self.sent.iter_mut().zip(other.sent) {
            *a += b;
        }
        for (s, n) in &other.errors_sent {
            *self.errors_sent.entry(*s).or_default() += n;
        }
        for (s, n) in &other.errors_received {
            *self.errors_received.entry(*s).or_default() += n;
        }
    }
}

impl Session {
    /// A session on a connection established at `now`. Arms the session-init and inactivity timers.
    pub fn new(role: Role, config: Config, now: Instant) -> Self {
        let mut timers = TimerTable::default();
        timers.set(Timer::SessionInit, after(now, config.session_init_timeout));
        timers.set(Timer::Inactivity, after(now, config.inactivity_timeout));
        Self {
            role,
            framer: Framer::new(config.max_command_length),
            window: Window::new(config.window_size),
            config,
            inner: Inner::Open,
            tx: Vec::new(),
            events: VecDeque::new(),
            timers,
            pending: HashMap::new(),
            pending_count: 0,
            peer_system_id: None,
            peer_interface_version: None,
            stats: Stats::default(),
        }
    }

    // ---------------------------------------------------------------- getters

    /// This end's role.
    pub fn role(&self) -> Role {
        self.role
    }

    /// The settings.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The current state.
    pub fn state(&self) -> State {
        self.inner.state()
    }

    /// How the session is bound (while bound or unbinding).
    pub fn bind_type(&self) -> Option<BindType> {
        self.state().bind_type()
    }

    /// Whether the session is BOUND_TX, BOUND_RX or BOUND_TRX.
    pub fn is_bound(&self) -> bool {
        self.state().is_bound()
    }

    /// Whether the session is closed (flush `poll_transmit`, then close the connection).
    pub fn is_closed(&self) -> bool {
        matches!(self.inner, Inner::Closed(_))
    }

    /// Why the session closed.
    pub fn close_cause(&self) -> Option<&CloseCause> {
        match &self.inner {
            Inner::Closed(c) => Some(c),
            _ => None,
        }
    }

    /// Requests sent and awaiting their response.
    pub fn in_flight(&self) -> usize {
        self.window.len()
    }

    /// The window size (most requests in flight).
    pub fn window_size(&self) -> usize {
        self.window.size()
    }

    /// Requests that can be sent before the window is full.
    pub fn window_available(&self) -> usize {
        self.window.available()
    }

    /// Whether a request with this sequence_number is in flight.
    pub fn is_in_flight(&self, sequence_number: u32) -> bool {
        self.window.contains(sequence_number)
    }

    /// Requests received and handed to the application, not yet answered.
    pub fn pending_requests(&self) -> usize {
        self.pending_count
    }

    /// The sequence_number the next request will get (unless it is still in flight then).
    pub fn next_sequence_number(&self) -> u32 {
        self.window.peek_next()
    }

    /// The peer's system_id, once bound (ESME: the SMSC's from the bind response; SMSC: the ESME's
    /// from the bind).
    pub fn peer_system_id(&self) -> Option<&COctetString<16>> {
        self.peer_system_id.as_ref()
    }

    /// The interface version negotiated at bind (§3.4): for an ESME the SMSC's sc_interface_version
    /// (`None` when the bind response lacked it: assume no TLV support), for an SMSC the ESME's
    /// interface_version.
    pub fn peer_interface_version(&self) -> Option<u8> {
        self.peer_interface_version
    }

    /// Counters of PDUs and octets in and out.
    pub fn stats(&self) -> &Stats {
        &self.stats
    }

    /// Octets waiting for `poll_transmit`.
    pub fn transmit_pending(&self) -> usize {
        self.tx.len()
    }

    /// Octets received and buffered that do not make a whole PDU yet. A driver that sees the
    /// connection end while this is not zero knows the peer closed in the middle of a PDU.
    pub fn input_pending(&self) -> usize {
        self.framer.buffered()
    }

    // ---------------------------------------------------------------- inputs

    /// Feeds octets read from the connection, split anywhere. Every whole PDU among them is decoded
    /// and handled in order; an incomplete tail waits for the next call. Ignored once closed (PDUs
    /// after the one that closed the session are dropped too).
    pub fn handle_input(&mut self, now: Instant, data: &[u8]) {
        if self.is_closed() {
            return;
        }
        self.stats.octets_in = self.stats.octets_in.saturating_add(data.len() as u64);
        self.framer.push(data);
        while !self.is_closed() {
            match self.framer.next_frame() {
                None => break,
                Some(Err(e)) => self.on_framing_error(e),
                Some(Ok(frame)) => self.on_frame(now, &frame),
            }
        }
        if self.is_closed() {
            self.framer.take_remaining();
        }
    }

    /// Runs the timers due at `now`: response deadlines ([`Event::Timeout`]; a bind or unbind that
    /// times out closes the session), the session-init and inactivity timers (close), the
    /// enquire_link timer (sends one when bound and the window has room). Call it when
    /// [`poll_timeout`](Self::poll_timeout)'s deadline has passed; calling it early does nothing.
    pub fn handle_timeout(&mut self, now: Instant) {
        while !self.is_closed() {
            let Some((seq, e)) = self.window.take_expired(now) else {
                break;
            };
            match e.kind {
                Kind::Unbind => self.close_with(CloseCause::UnbindTimeout),
                Kind::Bind(_) => {
                    self.events.push_back(Event::Timeout {
                        sequence_number: seq,
                        command_id: e.command_id,
                        request: *e.pdu,
                    });
                    self.close_with(CloseCause::BindTimeout);
                }
                Kind::App | Kind::Unchecked | Kind::EnquireLink => {
                    self.events.push_back(Event::Timeout {
                        sequence_number: seq,
                        command_id: e.command_id,
                        request: *e.pdu,
                    })
                }
            }
        }
        for timer in Timer::ALL {
            if self.is_closed() {
                return;
            }
            if !self.timers.take_expired(timer, now) {
                continue;
            }
            match timer {
                Timer::SessionInit => self.close_with(CloseCause::SessionInitTimeout),
                Timer::Inactivity => self.close_with(CloseCause::Inactivity),
                Timer::EnquireLink => {
                    if self.is_bound() && !self.window.is_full() {
                        self.send_tracked(now, Box::new(Pdu::EnquireLink), Kind::EnquireLink);
                    }
                    self.timers.set(
                        Timer::EnquireLink,
                        after(now, self.config.enquire_link_interval),
                    );
                }
            }
        }
    }

    // ---------------------------------------------------------------- commands

    /// ESME: sends a bind of this type (T 2-1: OPEN only, one at a time). The state becomes BINDING;
    /// the outcome is [`Event::Bound`] or [`Event::BindRefused`]. The bind's response timer is the
    /// session-init timeout (or the response timeout when that is `None`).
    pub fn bind(
        &mut self,
        now: Instant,
        bind_type: BindType,
        bind: Bind,
    ) -> Result<u32, SessionError> {
        self.send_request(now, bind_type.request(bind))
    }

    /// Sends a request and returns its sequence_number; the response comes back as
    /// [`Event::Response`] (or [`Event::Timeout`], [`Event::Abandoned`]).
    ///
    /// Refused with [`SessionError::WindowFull`] when the window is full (wait for a slot), with
    /// [`SessionError::Closed`] once closed, and as [`ApiMisuse`] for a response, an id v3.4 does not
    /// define, or a PDU T 2-1 does not let this role send in this state (§2.3; also a second bind
    /// while one is in progress, and anything after unbind). bind and unbind go through
    /// [`bind`](Self::bind) and [`unbind`](Self::unbind) semantics. outbind and alert_notification
    /// take no response: they are sent and not tracked.
    pub fn send_request(&mut self, now: Instant, pdu: Pdu) -> Result<u32, SessionError> {
        self.check_request(pdu.command_id())?;
        Ok(self.send_checked(now, Box::new(pdu)))
    }

    /// [`send_request`](Self::send_request) of a boxed PDU: the window keeps the box as it is (no
    /// copy of the request, no allocation), for drivers that box requests early to keep their
    /// queues and futures small.
    pub fn send_request_boxed(&mut self, now: Instant, pdu: Box<Pdu>) -> Result<u32, SessionError> {
        self.check_request(pdu.command_id())?;
        Ok(self.send_checked(now, pdu))
    }

    /// Sends any PDU as a request, even one T 2-1 forbids (for test tools that probe a peer's
    /// rules). A PDU [`send_request`](Self::send_request) would accept is sent exactly as it would.
    /// Any other is sent with a fresh sequence_number and no effect on the state; if it expects a
    /// response (a request id other than outbind and alert_notification, known or not), it takes a
    /// window slot and its response comes back as [`Event::Response`]. Refused only when closed or
    /// when the window is full.
    pub fn send_request_unchecked(&mut self, now: Instant, pdu: Pdu) -> Result<u32, SessionError> {
        match self.check_request(pdu.command_id()) {
            Ok(()) => return Ok(self.send_checked(now, Box::new(pdu))),
            Err(e @ (SessionError::Closed | SessionError::WindowFull { .. })) => return Err(e),
            Err(_) => {}
        }
        let id = pdu.command_id();
        if expects_response(id) {
            if self.window.is_full() {
                return Err(SessionError::WindowFull {
                    size: self.window.size(),
                });
            }
            Ok(self.send_tracked(now, Box::new(pdu), Kind::Unchecked))
        } else {
            let seq = self.window.allocate();
            self.transmit(&Command::new(seq, pdu));
            Ok(seq)
        }
    }

    /// Queues a raw PDU as it is (any header, any body, any command_length), with no effect on the
    /// state or the window. For test tools only; refused once closed.
    pub fn send_raw(&mut self, raw: &RawPdu) -> Result<(), SessionError> {
        if self.is_closed() {
            return Err(SessionError::Closed);
        }
        let before = self.tx.len();
        raw.encode(&mut self.tx);
        self.count_out(raw.command_id, before);
        Ok(())
    }

    /// Queues arbitrary octets (a cut PDU, garbage), with no effect on the state. For test tools
    /// only; refused once closed.
    pub fn send_bytes(&mut self, octets: &[u8]) -> Result<(), SessionError> {
        if self.is_closed() {
            return Err(SessionError::Closed);
        }
        self.tx.extend_from_slice(octets);
        self.stats.octets_out = self.stats.octets_out.saturating_add(octets.len() as u64);
        Ok(())
    }

    /// Answers a request received as [`Event::Request`] with this status and response PDU (a
    /// generic_nack is accepted too). SMSC: answering a bind with ESME_ROK binds the session
    /// ([`Event::Bound`]); with an error it goes back to OPEN.
    ///
    /// A peer may reuse a sequence_number while an earlier request with it is unanswered: each is
    /// answered once by its own response type; a generic_nack (which names no request) answers one of
    /// them, unspecified which.
    ///
    /// Refused as [`ApiMisuse::NoSuchRequest`] when no received request with this sequence_number
    /// awaits this response, and [`ApiMisuse::NotAResponse`] for a request PDU.
    pub fn respond(
        &mut self,
        now: Instant,
        sequence_number: u32,
        command_status: CommandStatus,
        pdu: Pdu,
    ) -> Result<(), SessionError> {
        if self.is_closed() {
            return Err(SessionError::Closed);
        }
        let id = pdu.command_id();
        if !id.is_response() {
            return Err(ApiMisuse::NotAResponse(id).into());
        }
        let request_id = if id == CommandId::GENERIC_NACK {
            self.pending_id(sequence_number)
        } else {
            id.request()
                .filter(|r| self.pending.contains_key(&(sequence_number, *r)))
        };
        let Some(request_id) = request_id else {
            return Err(ApiMisuse::NoSuchRequest {
                sequence_number,
                command_id: id,
            }
            .into());
        };
        self.take_pending(sequence_number, request_id);
        let ok = command_status.is_ok() && id != CommandId::GENERIC_NACK;
        self.transmit(&Command::response(command_status, sequence_number, pdu));
        if BindType::from_command_id(request_id).is_some() {
            self.on_bind_answered(now, sequence_number, ok);
        }
        Ok(())
    }

    /// Answers a received request with the error `command_status` and no body (the request's own
    /// response, header only), e.g. ESME_RTHROTTLED or ESME_RSYSERR.
    pub fn respond_error(
        &mut self,
        now: Instant,
        sequence_number: u32,
        command_status: CommandStatus,
    ) -> Result<(), SessionError> {
        if self.is_closed() {
            return Err(SessionError::Closed);
        }
        let pdu = self
            .pending_id(sequence_number)
            .and_then(|r| r.response())
            .and_then(|resp| Command::empty_response(resp, command_status, sequence_number));
        match pdu {
            Some(c) => self.respond(now, sequence_number, command_status, c.pdu),
            None => Err(ApiMisuse::NoSuchRequest {
                sequence_number,
                command_id: CommandId::GENERIC_NACK,
            }
            .into()),
        }
    }

    /// Sends unbind (§4.2; T 2-1: bound states only) and returns its sequence_number. The state becomes
    /// UNBINDING: nothing new may be sent, responses to earlier requests are still matched. When
    /// unbind_resp arrives the session closes ([`Event::Unbound`], then [`Event::Abandoned`] for each
    /// request still unanswered, then [`Event::Closed`]). The unbind takes a window slot.
    pub fn unbind(&mut self, now: Instant) -> Result<u32, SessionError> {
        self.send_request(now, Pdu::Unbind)
    }

    /// Closes the session now, without unbinding (the connection dropped, or the application gives
    /// up). Requests in flight come out as [`Event::Abandoned`], then [`Event::Closed`] with
    /// [`CloseCause::Local`]. Octets already queued stay in `poll_transmit`. Does nothing once closed.
    pub fn close(&mut self) {
        self.close_with(CloseCause::Local);
    }

    /// Sets the sequence_number the next request gets (clamped to 1..=0x7FFFFFFF), e.g. to test how a
    /// peer handles the wrap-around.
    pub fn set_next_sequence_number(&mut self, sequence_number: u32) {
        self.window.set_next(sequence_number);
    }

    // ---------------------------------------------------------------- outputs

    /// Appends every pending octet (all queued PDUs, coalesced into one write) to `buf` and returns
    /// how many were appended.
    #[must_use = "the octets appended must be written to the connection"]
    pub fn poll_transmit(&mut self, buf: &mut Vec<u8>) -> usize {
        let n = self.tx.len();
        if buf.is_empty() {
            std::mem::swap(buf, &mut self.tx);
        } else {
            buf.extend_from_slice(&self.tx);
            self.tx.clear();
        }
        n
    }

    /// The next deadline at which [`handle_timeout`](Self::handle_timeout) must be called (`None`:
    /// no timer running, e.g. once closed).
    pub fn poll_timeout(&self) -> Option<Instant> {
        if self.is_closed() {
            return None;
        }
        match (self.timers.next(), self.window.earliest()) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// The next event for the application.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    // ---------------------------------------------------------------- internals: sending

    /// Why this end may not send request `id` now, if it may not.
    fn check_request(&self, id: CommandId) -> Result<(), SessionError> {
        if self.is_closed() {
            return Err(SessionError::Closed);
        }
        if id.is_response() {
            return Err(ApiMisuse::NotARequest(id).into());
        }
        if !id.is_known() {
            return Err(ApiMisuse::UnknownCommand(id).into());
        }
        let state = self.state();
        let session_allows = match (&self.inner, BindType::from_command_id(id)) {
            // One bind at a time, and only from OPEN (BINDING counts as OPEN in T 2-1).
            (Inner::Binding { .. }, Some(_)) => false,
            // After unbind, nothing new.
            (Inner::Unbinding(_), _) => false,
            _ => true,
        };
        if !session_allows || !allowed(state, self.role, id, self.config.extensions) {
            return Err(ApiMisuse::NotAllowed {
                command_id: id,
                state,
                role: self.role,
            }
            .into());
        }
        if expects_response(id) && self.window.is_full() {
            return Err(SessionError::WindowFull {
                size: self.window.size(),
            });
        }
        Ok(())
    }

    /// Sends a request `check_request` accepted, with its effect on the state.
    fn send_checked(&mut self, now: Instant, pdu: Box<Pdu>) -> u32 {
        let id = pdu.command_id();
        if !expects_response(id) {
            let seq = self.window.allocate();
            self.transmit_parts(CommandStatus::ESME_ROK, seq, &pdu);
            return seq;
        }
        if let Some(bind_type) = BindType::from_command_id(id) {
            // T 2-1: an ESME binds from OPEN; the bind's response timer is the session-init timer.
            let seq = self.send_tracked(now, pdu, Kind::Bind(bind_type));
            self.timers.stop(Timer::SessionInit);
            self.set_inner(Inner::Binding {
                bind_type,
                seq,
                peer: None,
            });
            return seq;
        }
        if id == CommandId::UNBIND {
            let seq = self.send_tracked(now, pdu, Kind::Unbind);
            if let Inner::Bound(b) = self.inner {
                self.set_inner(Inner::Unbinding(b));
            }
            self.timers.stop(Timer::EnquireLink);
            return seq;
        }
        self.send_tracked(now, pdu, Kind::App)
    }

    /// Allocates a sequence_number, sends the request and puts it in flight.
    fn send_tracked(&mut self, now: Instant, pdu: Box<Pdu>, kind: Kind) -> u32 {
        let seq = self.window.allocate();
        let timeout = match kind {
            Kind::Bind(_) => self
                .config
                .session_init_timeout
                .or(self.config.response_timeout),
            _ => self.config.response_timeout,
        };
        self.transmit_parts(CommandStatus::ESME_ROK, seq, &pdu);
        let id = pdu.command_id();
        self.window
            .insert(seq, id, pdu, kind, now, after(now, timeout));
        seq
    }

    fn transmit(&mut self, command: &Command) {
        self.transmit_parts(
            command.command_status,
            command.sequence_number,
            &command.pdu,
        );
    }

    fn transmit_parts(&mut self, command_status: CommandStatus, sequence_number: u32, pdu: &Pdu) {
        let before = self.tx.len();
        crate::pdu::encode_parts(command_status, sequence_number, pdu, &mut self.tx);
        let id = pdu.command_id();
        if !command_status.is_ok() && id.is_response() {
            *self.stats.errors_sent.entry(command_status).or_default() += 1;
        }
        self.count_out(id, before);
    }

    fn count_out(&mut self, id: CommandId, before: usize) {
        let n = self.tx.len().saturating_sub(before) as u64;
        self.stats.pdus_out += 1;
        self.stats.octets_out = self.stats.octets_out.saturating_add(n);
        self.stats.sent[id_slot(id)] += 1;
    }

    /// Sends an automatic answer and reports the violation that caused it.
    fn reject(&mut self, error: PeerMisbehaved, answer: Option<Command>) {
        if let Some(a) = &answer {
            self.transmit(a);
        }
        self.events.push_back(Event::Rejected { error, answer });
    }

    // ---------------------------------------------------------------- internals: state

    fn set_inner(&mut self, next: Inner) {
        debug_assert!(
            self.state().can_become(next.state()),
            "illegal transition {} -> {}",
            self.state(),
            next.state()
        );
        self.inner = next;
    }

    fn on_bound(
        &mut self,
        now: Instant,
        bind_type: BindType,
        system_id: COctetString<16>,
        interface_version: Option<u8>,
    ) {
        self.set_inner(Inner::Bound(bind_type));
        self.timers.stop(Timer::SessionInit);
        self.timers.set(
            Timer::EnquireLink,
            after(now, self.config.enquire_link_interval),
        );
        self.peer_system_id = Some(system_id.clone());
        self.peer_interface_version = interface_version;
        self.events.push_back(Event::Bound {
            bind_type,
            system_id,
            interface_version,
        });
    }

    /// Back to OPEN after a refused bind: the session-init timer runs again.
    fn on_bind_failed(&mut self, now: Instant) {
        self.set_inner(Inner::Open);
        self.timers.set(
            Timer::SessionInit,
            after(now, self.config.session_init_timeout),
        );
    }

    /// SMSC: the application answered the bind `seq`.
    fn on_bind_answered(&mut self, now: Instant, seq: u32, ok: bool) {
        let Inner::Binding {
            bind_type,
            seq: bind_seq,
            peer,
        } = &self.inner
        else {
            return;
        };
        if *bind_seq != seq || self.role != Role::Smsc {
            return;
        }
        let bind_type = *bind_type;
        let (system_id, version) = peer.clone().unwrap_or_default();
        if ok {
            self.on_bound(now, bind_type, system_id, Some(version));
        } else {
            self.on_bind_failed(now);
        }
    }

    fn close_with(&mut self, cause: CloseCause) {
        if self.is_closed() {
            return;
        }
        self.set_inner(Inner::Closed(cause.clone()));
        self.timers.clear();
        for (seq, e) in self.window.drain() {
            match e.kind {
                Kind::App | Kind::Unchecked | Kind::Bind(_) => {
                    self.events.push_back(Event::Abandoned {
                        sequence_number: seq,
                        command_id: e.command_id,
                        request: *e.pdu,
                    })
                }
                Kind::Unbind | Kind::EnquireLink => {}
            }
        }
        self.pending.clear();
        self.pending_count = 0;
        self.events.push_back(Event::Closed { cause });
    }

    fn pending_id(&self, seq: u32) -> Option<CommandId> {
        CommandId::ALL
            .iter()
            .copied()
            .find(|id| self.pending.contains_key(&(seq, *id)))
    }

    fn take_pending(&mut self, seq: u32, id: CommandId) {
        if let Some(n) = self.pending.get_mut(&(seq, id)) {
            *n -= 1;
            if *n == 0 {
                self.pending.remove(&(seq, id));
            }
            self.pending_count = self.pending_count.saturating_sub(1);
        }
    }

    // ---------------------------------------------------------------- internals: receiving

    /// §4.3: a command_length out of bounds; the data is assumed corrupt. Answer generic_nack
    /// ESME_RINVCMDLEN (sequence 0 when no header could be read) and close.
    fn on_framing_error(&mut self, error: DecodeError) {
        self.stats.pdus_in += 1;
        if let Some(answer) = error.response() {
            self.transmit(&answer);
        }
        self.close_with(CloseCause::PeerMisbehaved(PeerMisbehaved::Framing(error)));
    }

    fn on_frame(&mut self, now: Instant, frame: &bytes::Bytes) {
        self.stats.pdus_in += 1;
        if let Some(h) = crate::pdu::Header::parse(frame) {
            self.stats.received[id_slot(h.command_id)] += 1;
            if !h.command_status.is_ok() && h.command_id.is_response() {
                *self
                    .stats
                    .errors_received
                    .entry(h.command_status)
                    .or_default() += 1;
            }
        }
        // §2.9: both timers measure time since the peer last sent anything.
        self.timers.set(
            Timer::Inactivity,
            after(now, self.config.inactivity_timeout),
        );
        if self.is_bound() {
            self.timers.set(
                Timer::EnquireLink,
                after(now, self.config.enquire_link_interval),
            );
        }
        match Command::decode_with(frame, self.config.decode) {
            Ok(decoded) => {
                let command = decoded.command;
                for warning in decoded.warnings {
                    self.events.push_back(Event::Warning {
                        sequence_number: command.sequence_number,
                        command_id: command.command_id(),
                        warning,
                    });
                }
                if command.command_id().is_response() {
                    self.on_response(now, command);
                } else {
                    self.on_request(command);
                }
            }
            Err(e) => self.on_decode_error(now, e),
        }
    }

    fn on_decode_error(&mut self, now: Instant, error: DecodeError) {
        if error.kind.is_framing() {
            return self.on_framing_error(error);
        }
        let Some(h) = error.header else {
            return self.reject(PeerMisbehaved::Undecodable(error), None);
        };
        if !h.command_id.is_response() {
            // A request: its own response with the error status, or generic_nack (unknown id);
            // alert_notification is never answered (§4.12).
            let answer = error.response();
            return self.reject(PeerMisbehaved::Undecodable(error), answer);
        }
        // A response is never answered; it still ends the request it answers.
        self.reject(PeerMisbehaved::Undecodable(error.clone()), None);
        let Some(e) = self.window.take_matching(h.sequence_number, h.command_id) else {
            return;
        };
        match e.kind {
            Kind::App | Kind::Unchecked => self.events.push_back(Event::BadResponse {
                sequence_number: h.sequence_number,
                request_id: e.command_id,
                error,
            }),
            Kind::EnquireLink => {}
            Kind::Bind(bind_type) => {
                if h.command_status.is_ok() {
                    // The peer may consider us bound; we cannot tell with what. Give up.
                    self.close_with(CloseCause::PeerMisbehaved(PeerMisbehaved::Undecodable(
                        error,
                    )));
                } else {
                    self.events.push_back(Event::BindRefused {
                        bind_type,
                        command_status: h.command_status,
                    });
                    self.on_bind_failed(now);
                }
            }
            Kind::Unbind => {
                self.events.push_back(Event::Unbound {
                    initiator: Initiator::Local,
                });
                self.close_with(CloseCause::Unbound(Initiator::Local));
            }
        }
    }

    fn on_response(&mut self, now: Instant, response: Command) {
        let seq = response.sequence_number;
        let Some(e) = self.window.take_matching(seq, response.command_id()) else {
            self.events
                .push_back(Event::UnexpectedResponse { response });
            return;
        };
        let latency = now.saturating_duration_since(e.sent_at);
        match e.kind {
            Kind::App | Kind::Unchecked => self.events.push_back(Event::Response {
                request_id: e.command_id,
                response,
                latency,
            }),
            Kind::EnquireLink => {}
            Kind::Bind(bind_type) => {
                let ok = response.command_status.is_ok()
                    && response.command_id() == bind_type.response_id();
                if ok {
                    let (system_id, version) = match &response.pdu {
                        Pdu::BindTransmitterResp(Some(r))
                        | Pdu::BindReceiverResp(Some(r))
                        | Pdu::BindTransceiverResp(Some(r)) => {
                            let v = match r.tlvs.get(TlvTag::SC_INTERFACE_VERSION) {
                                Some(Tlv::ScInterfaceVersion(v)) => Some(v),
                                _ => None,
                            };
                            (r.system_id.clone(), v)
                        }
                        _ => (COctetString::empty(), None),
                    };
                    self.on_bound(now, bind_type, system_id, version);
                } else {
                    self.events.push_back(Event::BindRefused {
                        bind_type,
                        command_status: response.command_status,
                    });
                    self.on_bind_failed(now);
                }
            }
            Kind::Unbind => {
                // Whatever the status: we asked to leave, and the peer has answered.
                self.events.push_back(Event::Unbound {
                    initiator: Initiator::Local,
                });
                self.close_with(CloseCause::Unbound(Initiator::Local));
            }
        }
    }

    fn on_request(&mut self, request: Command) {
        let seq = request.sequence_number;
        let id = request.command_id();
        let state = self.state();
        let peer = self.role.peer();
        let ext = self.config.extensions;
        if !id.is_known() {
            // §3.3, §4.3: an unrecognised command gets generic_nack ESME_RINVCMDID.
            let answer = Command::generic_nack(CommandStatus::ESME_RINVCMDID, seq);
            return self.reject(
                PeerMisbehaved::UnknownCommand {
                    command_id: id,
                    sequence_number: seq,
                },
                Some(answer),
            );
        }
        let is_allowed = allowed(state, peer, id, ext);
        if let Some(bind_type) = BindType::from_command_id(id)
            && self.role == Role::Smsc
        {
            return self.on_bind_request(bind_type, request);
        }
        if !is_allowed {
            return self.reject_not_allowed(id, seq, state);
        }
        match request.pdu {
            // T 2-1: unbind in a bound state. §4.2: answer unbind_resp, then the session is over.
            Pdu::Unbind => {
                self.transmit(&Command::response(
                    CommandStatus::ESME_ROK,
                    seq,
                    Pdu::UnbindResp,
                ));
                self.events.push_back(Event::Unbound {
                    initiator: Initiator::Remote,
                });
                self.close_with(CloseCause::Unbound(Initiator::Remote));
            }
            Pdu::EnquireLink if self.config.auto_enquire_link_resp => {
                self.transmit(&Command::response(
                    CommandStatus::ESME_ROK,
                    seq,
                    Pdu::EnquireLinkResp,
                ));
            }
            // §2.2.1: the ESME answers outbind with a bind_receiver; the application decides.
            Pdu::Outbind(o) => self.events.push_back(Event::Outbind {
                system_id: o.system_id,
                password: o.password,
            }),
            // §4.12: no response; nothing to track.
            pdu @ Pdu::AlertNotification(_) => self.events.push_back(Event::Request {
                sequence_number: seq,
                pdu,
            }),
            pdu => self.deliver(seq, id, pdu),
        }
    }

    /// Answers ESME_RTHROTTLED when the application already has `max_pending_requests` requests to
    /// answer; returns whether it did.
    fn throttled(&mut self, seq: u32, id: CommandId) -> bool {
        if self.pending_count < self.config.max_pending_requests {
            return false;
        }
        let answer = id
            .response()
            .and_then(|r| Command::empty_response(r, CommandStatus::ESME_RTHROTTLED, seq));
        self.reject(
            PeerMisbehaved::TooManyRequests {
                command_id: id,
                sequence_number: seq,
                limit: self.config.max_pending_requests,
            },
            answer,
        );
        true
    }

    /// Hands a request to the application and remembers it awaits `respond`.
    fn deliver(&mut self, seq: u32, id: CommandId, pdu: Pdu) {
        if self.throttled(seq, id) {
            return;
        }
        let n = self.pending.entry((seq, id)).or_insert(0);
        *n = n.saturating_add(1);
        self.pending_count += 1;
        self.events.push_back(Event::Request {
            sequence_number: seq,
            pdu,
        });
    }

    /// SMSC: a bind (T 2-1: OPEN only). Reference §7.4: ESME_RALYBND when bound; likewise while a
    /// bind is in progress.
    fn on_bind_request(&mut self, bind_type: BindType, request: Command) {
        let seq = request.sequence_number;
        let id = request.command_id();
        if !matches!(self.inner, Inner::Open) {
            let answer =
                Command::empty_response(bind_type.response_id(), CommandStatus::ESME_RALYBND, seq);
            return self.reject(
                PeerMisbehaved::AlreadyBound {
                    command_id: id,
                    sequence_number: seq,
                },
                answer,
            );
        }
        let peer = match &request.pdu {
            Pdu::BindTransmitter(b) | Pdu::BindReceiver(b) | Pdu::BindTransceiver(b) => {
                Some((b.system_id.clone(), b.interface_version))
            }
            _ => None,
        };
        if self.throttled(seq, id) {
            return;
        }
        // §2.9: the session-init timer stops when a bind arrives.
        self.timers.stop(Timer::SessionInit);
        self.set_inner(Inner::Binding {
            bind_type,
            seq,
            peer,
        });
        self.deliver(seq, id, request.pdu);
    }

    /// A request T 2-1 does not let the peer send now: its own response with ESME_RINVBNDSTS
    /// (reference §7.4), generic_nack for outbind (no response of its own), nothing for
    /// alert_notification (§4.12: never answered).
    fn reject_not_allowed(&mut self, id: CommandId, seq: u32, state: State) {
        let answer = match id {
            CommandId::ALERT_NOTIFICATION => None,
            CommandId::OUTBIND => Some(Command::generic_nack(CommandStatus::ESME_RINVBNDSTS, seq)),
            _ => id
                .response()
                .and_then(|r| Command::empty_response(r, CommandStatus::ESME_RINVBNDSTS, seq)),
        };
        self.reject(
            PeerMisbehaved::NotAllowed {
                command_id: id,
                sequence_number: seq,
                state,
            },
            answer,
        );
    }
}

/// Whether a request id waits for a response: every request but outbind and alert_notification
/// (§4.1.7, §4.12), known or not.
fn expects_response(id: CommandId) -> bool {
    !id.is_response() && id != CommandId::OUTBIND && id != CommandId::ALERT_NOTIFICATION
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_auto_traits() {
        fn send_sync<T: Send + Sync>() {}
        send_sync::<Session>();
        send_sync::<Event>();
        send_sync::<SessionError>();
        // Events stay about one PDU large.
        assert!(std::mem::size_of::<Event>() <= std::mem::size_of::<Command>() + 96);
    }
}
