//! Test support for the session core: a `Pair` of ESME and SMSC sessions on a simulated link with a
//! virtual clock (quinn's `tests/util.rs` style), and helpers for scripted single-session tests.
#![allow(dead_code)]

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use bytes::Bytes;
use smpp::session::{BindType, Config, Event, Role, Session, SessionError, State};
use smpp::{
    Bind, BindResp, Command, CommandId, CommandStatus, DataSmResp, DeliverSmResp, Framer, Pdu,
    QuerySmResp, SubmitMultiResp, SubmitSmResp, Tlv,
};

/// The instant every test starts from (the only clock read; everything after is virtual).
pub fn t0() -> Instant {
    Instant::now()
}

/// What a side's application does with `Event::Request`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum App {
    /// Nothing: requests wait (tests answer them by hand, or let them time out).
    Silent,
    /// Answers every request with ESME_ROK and a plausible body, binds included.
    Accept,
}

/// One direction of the link: octets in transit with their arrival time.
#[derive(Debug, Default)]
struct Link {
    in_transit: VecDeque<(Instant, Vec<u8>)>,
}

/// An ESME and an SMSC session connected in memory.
pub struct Pair {
    pub esme: Session,
    pub smsc: Session,
    pub now: Instant,
    /// Every event each side produced, in order.
    pub esme_events: Vec<Event>,
    pub smsc_events: Vec<Event>,
    pub esme_app: App,
    pub smsc_app: App,
    /// One-way delay of the link.
    pub latency: Duration,
    /// Feed octets to the receiver in pieces of this size (0: as they were written).
    pub chunk: usize,
    /// While true, octets written by that side are lost (a dead peer or a cut cable).
    pub esme_mute: bool,
    pub smsc_mute: bool,
    to_smsc: Link,
    to_esme: Link,
}

impl Pair {
    pub fn new(esme_config: Config, smsc_config: Config) -> Self {
        let now = t0();
        Self {
            esme: Session::new(Role::Esme, esme_config, now),
            smsc: Session::new(Role::Smsc, smsc_config, now),
            now,
            esme_events: Vec::new(),
            smsc_events: Vec::new(),
            esme_app: App::Accept,
            smsc_app: App::Accept,
            latency: Duration::ZERO,
            chunk: 0,
            esme_mute: false,
            smsc_mute: false,
            to_smsc: Link::default(),
            to_esme: Link::default(),
        }
    }

    pub fn default_config() -> Self {
        Self::new(Config::default(), Config::default())
    }

    /// Binds the ESME with this type (the SMSC application accepts) and drives until bound.
    pub fn bound(bind_type: BindType, esme_config: Config, smsc_config: Config) -> Self {
        let mut p = Self::new(esme_config, smsc_config);
        p.esme
            .bind(p.now, bind_type, bind("esme", "secret"))
            .unwrap();
        p.drive();
        assert_eq!(p.esme.state(), State::Bound(bind_type));
        assert_eq!(p.smsc.state(), State::Bound(bind_type));
        p.esme_events.clear();
        p.smsc_events.clear();
        p
    }

    /// Moves octets and events once at the current time. Returns whether anything moved.
    fn exchange(&mut self) -> bool {
        let mut moved = false;
        let mut buf = Vec::new();
        if self.esme.poll_transmit(&mut buf) > 0 {
            moved = true;
            if !self.esme_mute {
                self.to_smsc
                    .in_transit
                    .push_back((self.now + self.latency, std::mem::take(&mut buf)));
            }
        }
        buf.clear();
        if self.smsc.poll_transmit(&mut buf) > 0 {
            moved = true;
            if !self.smsc_mute {
                self.to_esme
                    .in_transit
                    .push_back((self.now + self.latency, buf));
            }
        }
        moved |= deliver(&mut self.to_smsc, &mut self.smsc, self.now, self.chunk);
        moved |= deliver(&mut self.to_esme, &mut self.esme, self.now, self.chunk);
        moved |= react(
            &mut self.esme,
            self.now,
            self.esme_app,
            &mut self.esme_events,
        );
        moved |= react(
            &mut self.smsc,
            self.now,
            self.smsc_app,
            &mut self.smsc_events,
        );
        moved
    }

    /// Exchanges until both sides are quiet, without moving the clock.
    pub fn drive(&mut self) {
        self.drive_bounded(10_000);
    }

    /// Like `drive`, panicking after `max` exchanges (a livelock).
    pub fn drive_bounded(&mut self, max: usize) {
        for _ in 0..max {
            if !self.exchange() {
                return;
            }
        }
        panic!("no quiescence after {max} exchanges");
    }

    /// The earliest instant something happens: a deadline of either side or an arrival.
    pub fn next_wakeup(&self) -> Option<Instant> {
        [
            self.esme.poll_timeout(),
            self.smsc.poll_timeout(),
            self.to_smsc.in_transit.front().map(|x| x.0),
            self.to_esme.in_transit.front().map(|x| x.0),
        ]
        .into_iter()
        .flatten()
        .min()
    }

    /// One step: exchange if anything is pending; otherwise move the clock to the next wake-up and
    /// run the timers due. Returns false when nothing is left to happen at all.
    pub fn step(&mut self) -> bool {
        if self.exchange() {
            return true;
        }
        let Some(at) = self.next_wakeup() else {
            return false;
        };
        self.now = self.now.max(at);
        self.fire_timers();
        true
    }

    fn fire_timers(&mut self) {
        if self.esme.poll_timeout().is_some_and(|t| t <= self.now) {
            self.esme.handle_timeout(self.now);
        }
        if self.smsc.poll_timeout().is_some_and(|t| t <= self.now) {
            self.smsc.handle_timeout(self.now);
        }
    }

    /// Steps until the clock would pass `until`, then sets it to `until` and drives.
    pub fn run_until(&mut self, until: Instant) {
        for _ in 0..1_000_000 {
            self.drive();
            match self.next_wakeup() {
                Some(at) if at <= until => {
                    self.now = self.now.max(at);
                    self.fire_timers();
                }
                _ => {
                    self.now = self.now.max(until);
                    self.fire_timers();
                    self.drive();
                    return;
                }
            }
        }
        panic!("run_until did not reach its end");
    }

    /// Runs for `d` of virtual time.
    pub fn run_for(&mut self, d: Duration) {
        let until = self.now + d;
        self.run_until(until);
    }
}

fn deliver(link: &mut Link, to: &mut Session, now: Instant, chunk: usize) -> bool {
    let mut moved = false;
    while link.in_transit.front().is_some_and(|(at, _)| *at <= now) {
        let Some((_, octets)) = link.in_transit.pop_front() else {
            break;
        };
        moved = true;
        if chunk == 0 {
            to.handle_input(now, &octets);
        } else {
            for piece in octets.chunks(chunk) {
                to.handle_input(now, piece);
            }
        }
    }
    moved
}

fn react(s: &mut Session, now: Instant, app: App, log: &mut Vec<Event>) -> bool {
    let mut moved = false;
    while let Some(event) = s.poll_event() {
        moved = true;
        if app == App::Accept
            && let Event::Request {
                sequence_number,
                pdu,
            } = &event
            && let Some(resp) = ok_response(pdu)
        {
            // Closed: a later PDU of the same input closed the session.
            match s.respond(now, *sequence_number, CommandStatus::ESME_ROK, resp) {
                Ok(()) | Err(SessionError::Closed) => {}
                Err(e) => panic!("{e}"),
            }
        }
        log.push(event);
    }
    moved
}

/// A successful response to `request` with a plausible body (`None` for requests without one).
pub fn ok_response(request: &Pdu) -> Option<Pdu> {
    let smsc = BindResp {
        system_id: "SMSC".try_into().unwrap(),
        tlvs: [Tlv::ScInterfaceVersion(0x34)].into_iter().collect(),
    };
    Some(match request {
        Pdu::BindTransmitter(_) => Pdu::BindTransmitterResp(Some(smsc)),
        Pdu::BindReceiver(_) => Pdu::BindReceiverResp(Some(smsc)),
        Pdu::BindTransceiver(_) => Pdu::BindTransceiverResp(Some(smsc)),
        Pdu::SubmitSm(_) => Pdu::SubmitSmResp(Some(SubmitSmResp {
            message_id: "id-1".try_into().unwrap(),
            ..Default::default()
        })),
        Pdu::SubmitMulti(_) => Pdu::SubmitMultiResp(Some(SubmitMultiResp::default())),
        Pdu::DeliverSm(_) => Pdu::DeliverSmResp(Some(DeliverSmResp::default())),
        Pdu::DataSm(_) => Pdu::DataSmResp(Some(DataSmResp::default())),
        Pdu::QuerySm(_) => Pdu::QuerySmResp(Some(QuerySmResp::default())),
        Pdu::CancelSm(_) => Pdu::CancelSmResp,
        Pdu::ReplaceSm(_) => Pdu::ReplaceSmResp,
        Pdu::EnquireLink => Pdu::EnquireLinkResp,
        Pdu::Unbind => Pdu::UnbindResp,
        _ => return None,
    })
}

/// A bind body.
pub fn bind(system_id: &str, password: &str) -> Bind {
    Bind {
        system_id: system_id.try_into().unwrap(),
        password: password.try_into().unwrap(),
        interface_version: 0x34,
        ..Default::default()
    }
}

/// The encoded octets of a PDU.
pub fn wire(status: CommandStatus, seq: u32, pdu: impl Into<Pdu>) -> Bytes {
    Command::response(status, seq, pdu).to_bytes()
}

/// A request's octets.
pub fn req(seq: u32, pdu: impl Into<Pdu>) -> Bytes {
    Command::new(seq, pdu).to_bytes()
}

/// Everything the session queued, decoded (leniently, so even odd answers show).
pub fn sent(s: &mut Session) -> Vec<Command> {
    let mut buf = Vec::new();
    let _ = s.poll_transmit(&mut buf);
    let mut f = Framer::new(u32::MAX);
    f.push(&buf);
    let mut out = Vec::new();
    while let Some(frame) = f.next_frame() {
        let frame = frame.unwrap();
        out.push(
            Command::decode_with(&frame, smpp::DecodeOptions::LENIENT)
                .unwrap()
                .command,
        );
    }
    assert_eq!(f.buffered(), 0, "a cut PDU was queued");
    out
}

/// Every pending event.
pub fn events(s: &mut Session) -> Vec<Event> {
    std::iter::from_fn(|| s.poll_event()).collect()
}

/// A session of `role` brought into `state` (OPEN or a bound state) by scripted PDUs, with its
/// output and events drained. The bind used sequence_number 1.
pub fn session_in(role: Role, state: State, config: Config, now: Instant) -> Session {
    let mut s = Session::new(role, config, now);
    let State::Bound(bind_type) = state else {
        assert_eq!(
            state,
            State::Open,
            "session_in supports OPEN and bound states"
        );
        return s;
    };
    match role {
        Role::Esme => {
            let seq = s.bind(now, bind_type, bind("esme", "pw")).unwrap();
            let resp = ok_response(&bind_type.request(Bind::default())).unwrap();
            s.handle_input(now, &wire(CommandStatus::ESME_ROK, seq, resp));
        }
        Role::Smsc => {
            s.handle_input(now, &req(1, bind_type.request(bind("esme", "pw"))));
            let resp = ok_response(&bind_type.request(Bind::default())).unwrap();
            s.respond(now, 1, CommandStatus::ESME_ROK, resp).unwrap();
        }
    }
    assert_eq!(s.state(), state);
    sent(&mut s);
    events(&mut s);
    s
}

/// xorshift64*: deterministic pseudo-random numbers, no dependency.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// The number of PDUs with this command_id a side sent.
pub fn count_sent(s: &Session, id: CommandId) -> u64 {
    s.stats().sent(id)
}
