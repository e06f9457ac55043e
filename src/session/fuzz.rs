//! Fuzz body for the session state machine (`smpp::fuzzing` wires it to a `cargo fuzz` target).
//!
//! The input is read as a small program: a configuration, then operations (incoming octets, incoming
//! well-formed PDUs, clock steps, timeouts, and application commands). After every operation the
//! invariants are checked: no panic, the window never holds more than its size, no response goes out
//! without a request received with that sequence_number, every state change follows the diagram,
//! `Event::Closed` comes last.

use std::collections::{BTreeSet, HashMap};
use std::time::{Duration, Instant};

use crate::codec::DecodeOptions;
use crate::framer::Framer;
use crate::pdu::{
    AlertNotification, Bind, BindResp, CancelSm, Command, CommandId, CommandStatus, DataSm,
    DataSmResp, DeliverSm, DeliverSmResp, Header, MAX_SEQUENCE_NUMBER, Outbind, Pdu, QuerySm,
    QuerySmResp, ReplaceSm, SubmitMulti, SubmitMultiResp, SubmitSm, SubmitSmResp,
};

use super::{BindType, Config, Event, Extensions, Role, Session, State};

/// A well-formed PDU with this command_id and default fields (an id v3.4 does not define gives
/// [`Pdu::Unknown`] with an empty body).
#[doc(hidden)]
pub fn sample_pdu(id: CommandId) -> Pdu {
    match id {
        CommandId::GENERIC_NACK => Pdu::GenericNack,
        CommandId::BIND_RECEIVER => Pdu::BindReceiver(Bind::default()),
        CommandId::BIND_TRANSMITTER => Pdu::BindTransmitter(Bind::default()),
        CommandId::BIND_TRANSCEIVER => Pdu::BindTransceiver(Bind::default()),
        CommandId::BIND_RECEIVER_RESP => Pdu::BindReceiverResp(Some(BindResp::default())),
        CommandId::BIND_TRANSMITTER_RESP => Pdu::BindTransmitterResp(Some(BindResp::default())),
        CommandId::BIND_TRANSCEIVER_RESP => Pdu::BindTransceiverResp(Some(BindResp::default())),
        CommandId::QUERY_SM => Pdu::QuerySm(QuerySm::default()),
        CommandId::QUERY_SM_RESP => Pdu::QuerySmResp(Some(QuerySmResp::default())),
        CommandId::SUBMIT_SM => Pdu::SubmitSm(SubmitSm::default()),
        CommandId::SUBMIT_SM_RESP => Pdu::SubmitSmResp(Some(SubmitSmResp::default())),
        CommandId::DELIVER_SM => Pdu::DeliverSm(DeliverSm::default()),
        CommandId::DELIVER_SM_RESP => Pdu::DeliverSmResp(Some(DeliverSmResp::default())),
        CommandId::UNBIND => Pdu::Unbind,
        CommandId::UNBIND_RESP => Pdu::UnbindResp,
        CommandId::REPLACE_SM => Pdu::ReplaceSm(ReplaceSm::default()),
        CommandId::REPLACE_SM_RESP => Pdu::ReplaceSmResp,
        CommandId::CANCEL_SM => Pdu::CancelSm(CancelSm::default()),
        CommandId::CANCEL_SM_RESP => Pdu::CancelSmResp,
        CommandId::OUTBIND => Pdu::Outbind(Outbind::default()),
        CommandId::ENQUIRE_LINK => Pdu::EnquireLink,
        CommandId::ENQUIRE_LINK_RESP => Pdu::EnquireLinkResp,
        CommandId::SUBMIT_MULTI => Pdu::SubmitMulti(SubmitMulti::default()),
        CommandId::SUBMIT_MULTI_RESP => Pdu::SubmitMultiResp(Some(SubmitMultiResp::default())),
        CommandId::ALERT_NOTIFICATION => Pdu::AlertNotification(AlertNotification::default()),
        CommandId::DATA_SM => Pdu::DataSm(DataSm::default()),
        CommandId::DATA_SM_RESP => Pdu::DataSmResp(Some(DataSmResp::default())),
        command_id => Pdu::Unknown {
            command_id,
            body: bytes::Bytes::new(),
        },
    }
}

/// A whole PDU for `id` with this status: error responses carry no body.
fn sample_command(id: CommandId, status: CommandStatus, seq: u32) -> Command {
    if id.is_response()
        && !status.is_ok()
        && let Some(c) = Command::empty_response(id, status, seq)
    {
        return c;
    }
    Command::response(status, seq, sample_pdu(id))
}

/// Reads the fuzz input front to back; exhausted input reads as zeros.
struct Input<'a>(&'a [u8]);

impl Input<'_> {
    fn byte(&mut self) -> u8 {
        match self.0.split_first() {
            Some((b, rest)) => {
                self.0 = rest;
                *b
            }
            None => 0,
        }
    }

    fn bit(&mut self) -> bool {
        self.byte() & 1 == 1
    }

    fn u32(&mut self) -> u32 {
        u32::from_be_bytes([self.byte(), self.byte(), self.byte(), self.byte()])
    }

    fn take(&mut self, n: usize) -> &[u8] {
        let n = n.min(self.0.len());
        let (a, b) = self.0.split_at(n);
        self.0 = b;
        a
    }

    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// 0 → `None`, else that many hundred milliseconds.
    fn timeout(&mut self) -> Option<Duration> {
        match self.byte() {
            0 => None,
            n => Some(Duration::from_millis(u64::from(n) * 100)),
        }
    }

    fn command_id(&mut self) -> CommandId {
        let b = self.byte();
        match CommandId::ALL.get(usize::from(b) % (CommandId::ALL.len() + 2)) {
            Some(id) => *id,
            None if b & 0x80 == 0 => CommandId(0x0000_0022),
            None => CommandId(0x8000_0022),
        }
    }

    fn status(&mut self) -> CommandStatus {
        match self.byte() % 4 {
            0 | 1 => CommandStatus::ESME_ROK,
            2 => CommandStatus::ESME_RINVBNDSTS,
            _ => CommandStatus::ESME_RSYSERR,
        }
    }
}

/// What the invariants need to know about the traffic so far.
struct Checker {
    /// Parses what the peer sent, to know which sequence_numbers may be answered.
    incoming: Framer,
    incoming_broken: bool,
    /// How many requests (or unreadable PDUs) arrived with each sequence_number, minus answers sent.
    answerable: HashMap<u32, u64>,
    /// Parses what the session sent.
    outgoing: Framer,
    /// Requests handed to the application and not yet answered by it.
    app_pending: Vec<(u32, CommandId)>,
    state: State,
    closed_event: bool,
    /// States, events and close causes seen.
    reached: BTreeSet<String>,
}

impl Checker {
    fn new(max_command_length: u32, state: State) -> Self {
        Self {
            incoming: Framer::new(max_command_length),
            incoming_broken: false,
            answerable: HashMap::new(),
            outgoing: Framer::new(u32::MAX),
            app_pending: Vec::new(),
            state,
            closed_event: false,
            reached: BTreeSet::new(),
        }
    }

    /// The application answered `seq` (for `request`, or whichever request when `any`: then, with
    /// several pending under `seq`, which one was answered is unknown, so all are forgotten).
    fn forget(&mut self, seq: u32, request: Option<CommandId>, any: bool) {
        let same_seq = self.app_pending.iter().filter(|p| p.0 == seq).count();
        if any && same_seq > 1 {
            self.app_pending.retain(|p| p.0 != seq);
        } else if let Some(i) = self
            .app_pending
            .iter()
            .position(|p| p.0 == seq && (any || Some(p.1) == request))
        {
            self.app_pending.swap_remove(i);
        }
    }

    fn feed(&mut self, s: &mut Session, now: Instant, octets: &[u8]) {
        if !self.incoming_broken {
            self.incoming.push(octets);
            loop {
                match self.incoming.next_frame() {
                    None => break,
                    Some(Ok(frame)) => {
                        if let Some(h) = Header::parse(&frame)
                            && !h.command_id.is_response()
                        {
                            *self.answerable.entry(h.sequence_number).or_default() += 1;
                        }
                    }
                    Some(Err(e)) => {
                        // The session answers a framing error with generic_nack and closes.
                        let seq = e.header.map_or(0, |h| h.sequence_number);
                        *self.answerable.entry(seq).or_default() += 1;
                        self.incoming_broken = true;
                        break;
                    }
                }
            }
        }
        s.handle_input(now, octets);
    }

    fn check(&mut self, s: &mut Session) {
        // The window never holds more than its size.
        assert!(s.in_flight() <= s.window_size(), "window over its size");
        assert_eq!(s.window_available(), s.window_size() - s.in_flight());
        // Every state change follows the diagram.
        let state = s.state();
        assert!(
            reachable(self.state, state),
            "illegal transition {} -> {}",
            self.state,
            state
        );
        self.state = state;
        self.reached.insert(format!("state {state}"));
        // No response without a request received.
        let mut out = Vec::new();
        let _ = s.poll_transmit(&mut out);
        self.outgoing.push(&out);
        while let Some(frame) = self.outgoing.next_frame() {
            let Ok(frame) = frame else {
                panic!("the session sent an unframeable PDU");
            };
            let Some(h) = Header::parse(&frame) else {
                continue;
            };
            if h.command_id.is_response() {
                let n = self.answerable.entry(h.sequence_number).or_default();
                assert!(
                    *n > 0,
                    "{} sent for sequence_number {} that no request carried",
                    h.command_id,
                    h.sequence_number
                );
                *n -= 1;
            } else {
                assert!(
                    (1..=MAX_SEQUENCE_NUMBER).contains(&h.sequence_number),
                    "request with sequence_number {}",
                    h.sequence_number
                );
            }
        }
        // Events: Closed comes last, and matches the state.
        while let Some(event) = s.poll_event() {
            assert!(!self.closed_event, "event after Closed: {event:?}");
            self.reached.insert(label(&event));
            match event {
                Event::Request {
                    sequence_number,
                    pdu,
                } if pdu.command_id().response().is_some() => {
                    self.app_pending.push((sequence_number, pdu.command_id()));
                }
                Event::Closed { .. } => {
                    assert!(s.is_closed());
                    self.closed_event = true;
                }
                Event::Bound { bind_type, .. } => {
                    assert!(
                        matches!(
                            s.state(),
                            State::Bound(b) | State::Unbinding(b) if b == bind_type
                        ) || s.is_closed()
                    );
                }
                _ => {}
            }
        }
        assert_eq!(
            s.is_closed(),
            self.closed_event,
            "Closed event and state agree"
        );
        if s.is_closed() {
            assert_eq!(s.poll_timeout(), None);
            assert_eq!(s.in_flight(), 0);
            self.app_pending.clear();
        }
    }
}

/// A short name for what an event shows (its kind, and the cause or error kind).
fn label(event: &Event) -> String {
    let (debug, words) = match event {
        Event::Closed { cause } => (format!("Closed {cause:?}"), 2),
        Event::Rejected { error, .. } => (format!("Rejected {error:?}"), 2),
        other => (format!("{other:?}"), 1),
    };
    debug
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(words)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether `to` can follow `from` through zero or more legal steps (see [`State::can_become`]).
fn reachable(from: State, to: State) -> bool {
    use State::*;
    match (from, to) {
        (Closed, to) => to == Closed,
        (_, Closed) => true,
        (Open | Binding(_), Open | Binding(_) | Bound(_) | Unbinding(_)) => true,
        (Bound(a) | Unbinding(a), Unbinding(b)) | (Bound(a), Bound(b)) => a == b,
        _ => false,
    }
}

/// Drives one session from fuzz input and checks its invariants (see the module docs). Never panics
/// unless an invariant breaks.
#[doc(hidden)]
pub fn fuzz_session(data: &[u8]) {
    fuzz_session_reached(data);
}

/// [`fuzz_session`], returning what the run reached: `"state BOUND_TX"`, event kinds such as
/// `"Closed Inactivity"` or `"Rejected NotAllowed"` (for coverage checks in tests).
#[doc(hidden)]
pub fn fuzz_session_reached(data: &[u8]) -> BTreeSet<String> {
    let mut u = Input(data);
    let role = if u.bit() { Role::Smsc } else { Role::Esme };
    let config = Config {
        window_size: 1 + usize::from(u.byte() % 4),
        response_timeout: u.timeout(),
        enquire_link_interval: u.timeout(),
        session_init_timeout: u.timeout(),
        inactivity_timeout: u.timeout(),
        decode: if u.bit() {
            DecodeOptions::LENIENT
        } else {
            DecodeOptions::STRICT
        },
        auto_enquire_link_resp: u.bit(),
        extensions: Extensions {
            enquire_link_in_open: u.bit(),
            replace_sm_in_trx: u.bit(),
        },
        max_pending_requests: 1 + usize::from(u.byte() % 4),
        max_command_length: if u.bit() {
            64
        } else {
            crate::framer::DEFAULT_MAX_COMMAND_LENGTH
        },
    };
    // The only clock read: a base instant; everything after is base + virtual steps.
    let mut now = Instant::now();
    let mut s = Session::new(role, config.clone(), now);
    let mut c = Checker::new(config.max_command_length, s.state());

    while !u.is_empty() {
        match u.byte() % 12 {
            0 => {
                let n = usize::from(u.byte() % 24);
                let octets = u.take(n).to_vec();
                c.feed(&mut s, now, &octets);
            }
            1 | 2 => {
                let id = u.command_id();
                let status = u.status();
                let seq = match u.byte() % 4 {
                    0 => s.next_sequence_number().wrapping_sub(1),
                    1 => u32::from(u.byte() % 8),
                    2 => c.app_pending.first().map_or(1, |p| p.0),
                    _ => u.u32(),
                };
                let octets = sample_command(id, status, seq).to_bytes();
                let split = usize::from(u.byte()).min(octets.len());
                c.feed(&mut s, now, &octets[..split]);
                c.feed(&mut s, now, &octets[split..]);
            }
            3 => {
                now += Duration::from_millis(u64::from(u.byte()) * 50);
                if s.poll_timeout().is_some_and(|t| t <= now) {
                    s.handle_timeout(now);
                }
            }
            4 => s.handle_timeout(now),
            5 => {
                let pdu = sample_pdu(u.command_id());
                let _ = s.send_request(now, pdu);
            }
            6 => {
                let pdu = sample_pdu(u.command_id());
                let response = pdu.command_id().is_response();
                if let Ok(seq) = s.send_request_unchecked(now, pdu)
                    && response
                {
                    // A deliberate unsolicited response: the escape hatch allows it.
                    *c.answerable.entry(seq).or_default() += 1;
                }
            }
            7 => {
                if !c.app_pending.is_empty() {
                    let i = usize::from(u.byte()) % c.app_pending.len();
                    let (seq, id) = c.app_pending[i];
                    let status = u.status();
                    let resp = if u.byte() % 8 == 0 {
                        Command::generic_nack(status, seq)
                    } else {
                        sample_command(
                            id.response().unwrap_or(CommandId::GENERIC_NACK),
                            status,
                            seq,
                        )
                    };
                    let nack = resp.command_id() == CommandId::GENERIC_NACK;
                    let r = s.respond(now, seq, resp.command_status, resp.pdu);
                    assert!(
                        r.is_ok() || s.is_closed(),
                        "respond to a pending request: {r:?}"
                    );
                    c.forget(seq, Some(id), nack);
                }
            }
            8 => {
                let seq = u32::from(u.byte() % 8);
                let status = u.status();
                let pdu = sample_pdu(u.command_id());
                let request = pdu.command_id().request();
                let any = pdu.command_id() == CommandId::GENERIC_NACK;
                if s.respond(now, seq, status, pdu).is_ok() {
                    c.forget(seq, request, any);
                }
                if u.bit() && s.respond_error(now, seq, status).is_ok() {
                    c.forget(seq, None, true);
                }
            }
            9 => {
                let _ = s.unbind(now);
            }
            10 => {
                if u.byte() % 4 == 0 {
                    s.close();
                }
            }
            _ => {
                let bind_type = BindType::ALL[usize::from(u.byte() % 3)];
                let _ = s.bind(now, bind_type, Bind::default());
            }
        }
        c.check(&mut s);
    }
    c.reached
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_round_trip() {
        for id in CommandId::ALL {
            let c = sample_command(*id, CommandStatus::ESME_ROK, 1);
            let back = Command::decode(&c.to_bytes()).unwrap_or_else(|e| panic!("{id}: {e}"));
            assert_eq!(back, c);
        }
    }

    #[test]
    fn reachability() {
        let tx = BindType::Transmitter;
        assert!(reachable(State::Open, State::Bound(tx)));
        assert!(reachable(
            State::Binding(tx),
            State::Binding(BindType::Receiver)
        ));
        assert!(!reachable(State::Bound(tx), State::Open));
        assert!(!reachable(State::Closed, State::Open));
    }
}
