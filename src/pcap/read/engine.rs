//! The connection table: TCP segments in, SMPP records out, per connection and direction.

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;

use bytes::Bytes;

use super::link::Segment;
use super::reassembly::{Delivery, Origin, Reassembler};
use super::stream::{PduStream, StreamEvent, plausible_header};
use super::{
    CaptureSummary, CapturedPdu, ConnEnd, ConnKey, ConnSummary, Detection, DirectionBasis,
    NoteKind, ReadOptions, Record, SmppDirection, StreamProblem, StreamSummary,
};
use crate::pdu::{CommandId, Header};

/// Index of a side: 0 for the address that sent the first segment seen, 1 for the other.
type Side = usize;

/// Whether the first 16 octets of a stream look like SMPP: a plausible header (see
/// [`plausible_header`]) whose command_status is 0 when it is a request.
#[must_use]
pub fn looks_like_smpp(first: &[u8], max_command_length: u32) -> bool {
    Header::parse(first).is_some_and(|h| {
        plausible_header(&h, max_command_length)
            && (h.command_id.is_response() || h.command_status.0 == 0)
    })
}

/// Which side a PDU's command_id says sent it, for ids only one side sends.
fn sender_role(id: CommandId) -> Option<SmppDirection> {
    use SmppDirection::{EsmeToSmsc, SmscToEsme};
    match id {
        CommandId::BIND_TRANSMITTER
        | CommandId::BIND_RECEIVER
        | CommandId::BIND_TRANSCEIVER
        | CommandId::SUBMIT_SM
        | CommandId::SUBMIT_MULTI
        | CommandId::QUERY_SM
        | CommandId::CANCEL_SM
        | CommandId::REPLACE_SM
        | CommandId::DELIVER_SM_RESP => Some(EsmeToSmsc),
        CommandId::OUTBIND
        | CommandId::DELIVER_SM
        | CommandId::ALERT_NOTIFICATION
        | CommandId::BIND_TRANSMITTER_RESP
        | CommandId::BIND_RECEIVER_RESP
        | CommandId::BIND_TRANSCEIVER_RESP
        | CommandId::SUBMIT_SM_RESP
        | CommandId::SUBMIT_MULTI_RESP
        | CommandId::QUERY_SM_RESP
        | CommandId::CANCEL_SM_RESP
        | CommandId::REPLACE_SM_RESP => Some(SmscToEsme),
        _ => None,
    }
}

#[derive(Debug)]
struct SideState {
    reasm: Reassembler,
    stream: Option<PduStream>,
    ended: bool,
    pdus: u64,
    problems: u64,
}

impl SideState {
    fn new(opts: &ReadOptions) -> Self {
        Self {
            reasm: Reassembler::new(opts.max_buffered),
            stream: None,
            ended: false,
            pdus: 0,
            problems: 0,
        }
    }
}

#[derive(Debug)]
struct Conn {
    id: Option<u32>,
    addr: [SocketAddr; 2],
    detection: Option<Detection>,
    not_smpp: bool,
    /// The side that sent a SYN without ACK.
    client: Option<Side>,
    sides: [SideState; 2],
    /// The ESME's side and how that was decided.
    esme: Option<(Side, DirectionBasis)>,
    /// Deliveries waiting for the heuristic to decide whether this is SMPP.
    held: Vec<(Side, Delivery)>,
    first: Origin,
    last: Origin,
    end: Option<ConnEnd>,
}

impl Conn {
    fn side_of(&self, src: SocketAddr) -> Side {
        usize::from(self.addr[0] != src)
    }

    fn is_open(&self) -> bool {
        self.end.is_none() && !self.not_smpp
    }

    fn key(&self, side: Side) -> ConnKey {
        ConnKey {
            src: self.addr[side],
            dst: self.addr[1 - side],
        }
    }

    /// Decides which side is the ESME, from the first PDU's command_id when one is given, else
    /// from the SYN, else from the port, else the sender of the first record is the ESME.
    fn decide_esme(&mut self, sender: Side, id: Option<CommandId>, port: u16) {
        if self.esme.is_some() {
            return;
        }
        let by_pdu = id.and_then(|id| {
            sender_role(id).map(|role| {
                let esme = if role == SmppDirection::EsmeToSmsc {
                    sender
                } else {
                    1 - sender
                };
                (esme, DirectionBasis::Pdu(id))
            })
        });
        self.esme = by_pdu.or_else(|| self.fallback_esme(sender, port));
    }

    fn fallback_esme(&self, sender: Side, port: u16) -> Option<(Side, DirectionBasis)> {
        if let Some(client) = self.client {
            return Some((client, DirectionBasis::Syn));
        }
        let on_port: Vec<Side> = (0..2)
            .filter(|&s| port != 0 && self.addr[s].port() == port)
            .collect();
        if let [smsc] = on_port.as_slice() {
            return Some((1 - smsc, DirectionBasis::Port));
        }
        Some((sender, DirectionBasis::FirstSender))
    }

    fn direction(&self, side: Side) -> SmppDirection {
        match self.esme {
            Some((esme, _)) if esme != side => SmppDirection::SmscToEsme,
            _ => SmppDirection::EsmeToSmsc,
        }
    }

    fn summary(&self, port: u16) -> Option<ConnSummary> {
        let id = self.id?;
        let (esme, basis) = self
            .esme
            .or_else(|| self.fallback_esme(0, port))
            .unwrap_or((0, DirectionBasis::FirstSender));
        let stream = |s: Side| StreamSummary {
            tcp: self.sides[s].reasm.counters,
            pdus: self.sides[s].pdus,
            problems: self.sides[s].problems,
        };
        Some(ConnSummary {
            id,
            esme: self.addr[esme],
            smsc: self.addr[1 - esme],
            direction_basis: basis,
            detected_by: self.detection.unwrap_or(Detection::Port),
            client: self.client.map(|c| self.addr[c]),
            first_ts: self.first.ts,
            last_ts: self.last.ts,
            first_frame: self.first.frame,
            last_frame: self.last.frame,
            end: self.end.unwrap_or(ConnEnd::Open),
            esme_to_smsc: stream(esme),
            smsc_to_esme: stream(1 - esme),
        })
    }
}

/// `Some(true)` once a side's first 16 octets look like SMPP, `Some(false)` once they do not.
fn heuristic(conn: &Conn, max_command_length: u32) -> Option<bool> {
    for side in 0..2 {
        let mut first = Vec::with_capacity(16);
        for (s, d) in &conn.held {
            if *s != side {
                continue;
            }
            match d {
                Delivery::Data { data, .. } => {
                    let need = 16 - first.len();
                    first.extend_from_slice(&data[..need.min(data.len())]);
                }
                Delivery::Gap { .. } if first.len() < 16 => return Some(false),
                Delivery::Gap { .. } => {}
            }
            if first.len() == 16 {
                return Some(looks_like_smpp(&first, max_command_length));
            }
        }
    }
    None
}

fn canonical(a: SocketAddr, b: SocketAddr) -> (SocketAddr, SocketAddr) {
    if a <= b { (a, b) } else { (b, a) }
}

/// The connection table and the queue of records ready to be handed out.
#[derive(Debug)]
pub(crate) struct Engine {
    opts: ReadOptions,
    conns: HashMap<(SocketAddr, SocketAddr), Conn>,
    /// Connections in `conns` still open.
    open: usize,
    next_id: u32,
    finished: Vec<ConnSummary>,
    pub(crate) summary: CaptureSummary,
    pub(crate) out: VecDeque<Record>,
    deliveries: Vec<Delivery>,
    events: Vec<StreamEvent>,
}

impl Engine {
    pub(crate) fn new(opts: ReadOptions) -> Self {
        Self {
            opts,
            conns: HashMap::new(),
            open: 0,
            next_id: 0,
            finished: Vec::new(),
            summary: CaptureSummary::default(),
            out: VecDeque::new(),
            deliveries: Vec::new(),
            events: Vec::new(),
        }
    }

    pub(crate) fn note(&mut self, frame: u64, kind: NoteKind) {
        self.summary.note(frame, kind, self.opts.max_notes);
    }

    fn on_port(&self, seg: &Segment<'_>) -> bool {
        self.opts.port != 0
            && (seg.src.port() == self.opts.port || seg.dst.port() == self.opts.port)
    }

    fn any_port(&self) -> bool {
        self.opts.any_port || self.opts.port == 0
    }

    /// Every connection seen so far that carried SMPP, by id.
    pub(crate) fn connections(&self) -> Vec<ConnSummary> {
        let mut all = self.finished.clone();
        all.extend(
            self.conns
                .values()
                .filter_map(|c| c.summary(self.opts.port)),
        );
        all.sort_by_key(|s| s.id);
        all
    }

    /// One TCP segment captured at `origin`.
    pub(crate) fn segment(&mut self, seg: &Segment<'_>, origin: Origin) {
        self.summary.tcp_segments += 1;
        let key = canonical(seg.src, seg.dst);
        let port_match = self.on_port(seg);
        let known = self.conns.get(&key).map(|c| (c.not_smpp, c.is_open()));
        let starts_new = seg.syn && !seg.ack;
        match known {
            Some((true, _)) if !starts_new => {
                self.summary.other_tcp_segments += 1;
                return;
            }
            Some((false, false)) if !starts_new => {
                // A late segment of a connection that has ended: count it against its stream.
                self.late_segment(key, seg, origin);
                return;
            }
            Some((not_smpp, open)) if starts_new => {
                let same_syn = self.conns.get(&key).is_some_and(|c| {
                    let side = c.side_of(seg.src);
                    c.sides[side].reasm.isn() == Some(seg.seq)
                });
                if same_syn && !open {
                    // A retransmitted SYN of a connection that has ended.
                    if not_smpp {
                        self.summary.other_tcp_segments += 1;
                    } else {
                        self.late_segment(key, seg, origin);
                    }
                    return;
                }
                if !same_syn {
                    self.close(key, ConnEnd::Replaced, origin);
                    let port = self.opts.port;
                    if let Some(old) = self.conns.remove(&key) {
                        self.finished.extend(old.summary(port));
                    }
                }
            }
            _ => {}
        }
        if !self.conns.contains_key(&key) {
            if !port_match && !self.any_port() {
                self.summary.other_tcp_segments += 1;
                return;
            }
            if seg.payload.is_empty() && seg.missing == 0 && !seg.syn {
                // A pure ACK, FIN or RST of a connection not seen before: nothing to follow.
                self.summary.other_tcp_segments += 1;
                return;
            }
            self.make_room(origin);
            let conn = Conn {
                id: None,
                addr: [seg.src, seg.dst],
                detection: port_match.then_some(Detection::Port),
                not_smpp: false,
                client: None,
                sides: [SideState::new(&self.opts), SideState::new(&self.opts)],
                esme: None,
                held: Vec::new(),
                first: origin,
                last: origin,
                end: None,
            };
            self.conns.insert(key, conn);
            self.open += 1;
        }
        self.summary.smpp_segments += 1;
        let Some(conn) = self.conns.get_mut(&key) else {
            return;
        };
        conn.last = origin;
        let side = conn.side_of(seg.src);
        let mut data_seq = seg.seq;
        if seg.syn {
            if !seg.ack {
                conn.client = Some(side);
            }
            conn.sides[side].reasm.syn(seg.seq);
            data_seq = seg.seq.wrapping_add(1);
        }
        let mut deliveries = std::mem::take(&mut self.deliveries);
        if seg.ack {
            // What the peer has received: holes before it will not be filled. (First, as the
            // peer had received those octets before it sent this segment.)
            conn.sides[1 - side]
                .reasm
                .ack(seg.ack_number, &mut deliveries);
            self.dispatch(key, 1 - side, &mut deliveries);
        }
        let Some(conn) = self.conns.get_mut(&key) else {
            return;
        };
        conn.sides[side].reasm.segment(
            data_seq,
            Bytes::copy_from_slice(seg.payload),
            seg.missing,
            origin,
            &mut deliveries,
        );
        if seg.missing > 0 {
            self.summary.note(
                origin.frame,
                NoteKind::Truncated {
                    missing: seg.missing,
                },
                self.opts.max_notes,
            );
        }
        if seg.fin {
            conn.sides[side]
                .reasm
                .fin(data_seq, seg.payload.len() + seg.missing as usize);
        }
        self.dispatch(key, side, &mut deliveries);
        self.deliveries = deliveries;
        if seg.rst {
            self.close(key, ConnEnd::Rst, origin);
            return;
        }
        self.end_finished_sides(key, origin);
    }

    fn late_segment(&mut self, key: (SocketAddr, SocketAddr), seg: &Segment<'_>, origin: Origin) {
        self.summary.smpp_segments += 1;
        if let Some(conn) = self.conns.get_mut(&key) {
            let side = conn.side_of(seg.src);
            conn.last = origin;
            // A retransmission after the end, or data after FIN or RST: nothing more to deliver.
            conn.sides[side].reasm.counters.outside_stream += seg.payload.len() as u64;
        }
    }

    /// Keeps the table within `max_connections` open connections (the least recently active one
    /// is ended) and drops ended ones when the table grows large.
    fn make_room(&mut self, origin: Origin) {
        if self.open >= self.opts.max_connections.max(1) {
            let oldest = self
                .conns
                .iter()
                .filter(|(_, c)| c.is_open())
                .min_by_key(|(_, c)| c.last.frame)
                .map(|(k, _)| *k);
            if let Some(key) = oldest {
                self.close(key, ConnEnd::Evicted, origin);
                self.note(origin.frame, NoteKind::ConnectionEvicted);
            }
        }
        if self.conns.len() >= 4 * self.opts.max_connections.max(1) {
            let port = self.opts.port;
            let mut gone = Vec::new();
            self.conns.retain(|_, c| {
                if c.is_open() {
                    true
                } else {
                    gone.extend(c.summary(port));
                    false
                }
            });
            self.finished.extend(gone);
        }
    }

    /// Routes deliveries of `side` to its PDU stream, or holds them while the heuristic has not
    /// decided.
    fn dispatch(
        &mut self,
        key: (SocketAddr, SocketAddr),
        side: Side,
        deliveries: &mut Vec<Delivery>,
    ) {
        let Some(conn) = self.conns.get_mut(&key) else {
            deliveries.clear();
            return;
        };
        if conn.not_smpp {
            deliveries.clear();
            return;
        }
        if conn.detection.is_none() {
            conn.held.extend(deliveries.drain(..).map(|d| (side, d)));
            match heuristic(conn, self.opts.max_command_length) {
                None => return,
                Some(false) => {
                    conn.not_smpp = true;
                    self.open -= 1;
                    conn.held = Vec::new();
                    conn.sides = [SideState::new(&self.opts), SideState::new(&self.opts)];
                    return;
                }
                Some(true) => conn.detection = Some(Detection::Heuristic),
            }
            let held = std::mem::take(&mut conn.held);
            for (s, d) in held {
                self.feed(key, s, d);
            }
            return;
        }
        for d in deliveries.drain(..) {
            self.feed(key, side, d);
        }
    }

    fn feed(&mut self, key: (SocketAddr, SocketAddr), side: Side, d: Delivery) {
        let Some(conn) = self.conns.get_mut(&key) else {
            return;
        };
        if conn.sides[side].ended {
            // Nothing comes after the end of a stream.
            return;
        }
        let max = self.opts.max_command_length;
        let mid_stream = !conn.sides[side].reasm.syn_seen();
        let stream = conn.sides[side]
            .stream
            .get_or_insert_with(|| PduStream::new(max, mid_stream));
        let mut events = std::mem::take(&mut self.events);
        match d {
            Delivery::Data {
                offset,
                data,
                origin,
            } => stream.data(offset, &data, origin, &mut events),
            Delivery::Gap {
                offset,
                missing,
                origin,
            } => stream.gap(offset, missing, origin, &mut events),
        }
        self.emit(key, side, &mut events);
        self.events = events;
    }

    fn emit(&mut self, key: (SocketAddr, SocketAddr), side: Side, events: &mut Vec<StreamEvent>) {
        let Some(conn) = self.conns.get_mut(&key) else {
            events.clear();
            return;
        };
        for event in events.drain(..) {
            let id = *conn.id.get_or_insert_with(|| {
                let id = self.next_id;
                self.next_id = self.next_id.saturating_add(1);
                id
            });
            let record = match event {
                StreamEvent::Pdu {
                    offset,
                    frame,
                    first,
                    last,
                    gap_before,
                } => {
                    let command_id = Header::parse(&frame).map(|h| h.command_id);
                    conn.decide_esme(side, command_id, self.opts.port);
                    conn.sides[side].pdus += 1;
                    Record::Pdu(CapturedPdu {
                        conn: id,
                        key: conn.key(side),
                        direction: conn.direction(side),
                        ts: last.ts,
                        first_ts: first.ts,
                        frame_number: last.frame,
                        first_frame_number: first.frame,
                        stream_offset: offset,
                        frame,
                        gap_before,
                    })
                }
                StreamEvent::Problem {
                    offset,
                    origin,
                    kind,
                    octets,
                } => {
                    conn.decide_esme(side, None, self.opts.port);
                    conn.sides[side].problems += 1;
                    Record::Problem(StreamProblem {
                        conn: id,
                        key: conn.key(side),
                        direction: conn.direction(side),
                        ts: origin.ts,
                        frame_number: origin.frame,
                        stream_offset: offset,
                        kind,
                        octets,
                    })
                }
            };
            self.out.push_back(record);
        }
    }

    /// Ends the sides whose every octet up to the FIN was delivered; a connection both of whose
    /// sides ended is closed.
    fn end_finished_sides(&mut self, key: (SocketAddr, SocketAddr), origin: Origin) {
        for side in 0..2 {
            let ready = self
                .conns
                .get(&key)
                .is_some_and(|c| !c.sides[side].ended && c.sides[side].reasm.finished());
            if ready {
                self.end_side(key, side, origin);
            }
        }
        let both = self
            .conns
            .get(&key)
            .is_some_and(|c| c.sides.iter().all(|s| s.ended));
        if both {
            self.close(key, ConnEnd::Fin, origin);
        }
    }

    fn end_side(&mut self, key: (SocketAddr, SocketAddr), side: Side, origin: Origin) {
        let mut deliveries = std::mem::take(&mut self.deliveries);
        let Some(conn) = self.conns.get_mut(&key) else {
            return;
        };
        if conn.sides[side].ended {
            return;
        }
        conn.sides[side].reasm.finish(origin, &mut deliveries);
        self.dispatch(key, side, &mut deliveries);
        self.deliveries = deliveries;
        let mut events = std::mem::take(&mut self.events);
        if let Some(conn) = self.conns.get_mut(&key) {
            conn.sides[side].ended = true;
            if let Some(stream) = conn.sides[side].stream.as_mut() {
                stream.end(origin, &mut events);
            }
            conn.sides[side].stream = None;
        }
        self.emit(key, side, &mut events);
        self.events = events;
    }

    /// Ends both sides of a connection (gaps given up, incomplete PDUs reported).
    fn close(&mut self, key: (SocketAddr, SocketAddr), end: ConnEnd, origin: Origin) {
        let open = self.conns.get(&key).is_some_and(Conn::is_open);
        if !open {
            return;
        }
        let undecided = self.conns.get(&key).is_some_and(|c| c.detection.is_none());
        for side in 0..2 {
            self.end_side(key, side, origin);
        }
        if let Some(conn) = self.conns.get_mut(&key) {
            // Still counted as open unless the heuristic turned it down while its sides ended.
            if !conn.not_smpp {
                self.open = self.open.saturating_sub(1);
            }
            if undecided && conn.detection.is_none() {
                // Too little data to tell: not followed as SMPP.
                conn.not_smpp = true;
                conn.held = Vec::new();
            }
            conn.end = Some(end);
            for s in &mut conn.sides {
                s.reasm.release();
            }
        }
    }

    /// The end of the capture: every open connection is closed, in the order it was opened.
    pub(crate) fn finish(&mut self, origin: Origin) {
        let mut open: Vec<((SocketAddr, SocketAddr), u64)> = self
            .conns
            .iter()
            .filter(|(_, c)| c.is_open())
            .map(|(k, c)| (*k, c.first.frame))
            .collect();
        open.sort_by_key(|(k, f)| (*f, *k));
        for (key, _) in open {
            self.close(key, ConnEnd::EndOfCapture, origin);
        }
    }
}
