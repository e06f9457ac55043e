//! Plays one side of a captured session on a live connection.
//!
//! The captured PDUs are walked in capture order. One of ours that is a request is sent once every
//! PDU the peer sent before it in the capture has come (or its wait has timed out); with
//! [`Timing::Original`] also no earlier than its captured offset. A response of the peer is
//! matched to our request by sequence_number; a request of the peer to the first captured one
//! with its command_id still awaited (not matched, its wait not timed out), and answered with our captured answer (sequence_number
//! set to the peer's). Each is compared with the captured PDU. A message id the peer gives in place
//! of the captured one is remembered, and our later query_sm, cancel_sm and replace_sm carry it
//! where they carried the captured id.

use std::collections::HashMap;

use bytes::Bytes;
use tokio::time::Instant;

use super::compare::compare;
use super::conn::{Conn, Recv};
use super::plan::{Plan, label};
use super::report::{Finding, FindingKind, SessionReport};
use super::{ReplayOptions, Timing};
use crate::DecodeOptions;
use crate::pcap::read::SmppDirection;
use crate::pdu::{
    BindResp, COctetString, Command, CommandId, CommandStatus, DataSmResp, DeliverSmResp, Header,
    Pdu, QuerySmResp, SubmitMultiResp, SubmitSmResp,
};

pub(crate) struct Player<'a> {
    plan: &'a Plan,
    ours: SmppDirection,
    opts: &'a ReplayOptions,
    conn: Conn,
    pub(crate) report: SessionReport,
    overall: Instant,
    /// The peer's captured PDUs that came, or whose wait ended.
    settled: Vec<bool>,
    /// When the wait for each of the peer's captured PDUs ends (set once it is due).
    due: Vec<Option<Instant>>,
    /// Our captured PDUs that were sent.
    sent: Vec<bool>,
    /// Our requests waiting for a response: sequence_number → event.
    outstanding: HashMap<u32, usize>,
    stopped: bool,
    /// Message ids the peer gave where the capture holds others: (captured, live).
    ids: Vec<(Bytes, Bytes)>,
}

impl<'a> Player<'a> {
    pub(crate) fn new(
        plan: &'a Plan,
        ours: SmppDirection,
        conn: Conn,
        opts: &'a ReplayOptions,
        overall: Instant,
    ) -> Self {
        let n = plan.events.len();
        let mut report = SessionReport::new(plan);
        report.peer = conn.peer_addr();
        Self {
            plan,
            ours,
            opts,
            conn,
            report,
            overall,
            settled: vec![false; n],
            due: vec![None; n],
            sent: vec![false; n],
            outstanding: HashMap::new(),
            stopped: false,
            ids: Vec::new(),
        }
    }

    fn theirs(&self, i: usize) -> bool {
        self.plan.events[i].direction != self.ours
    }

    fn is_keepalive(h: &Header) -> bool {
        h.command_id == CommandId::ENQUIRE_LINK || h.command_id == CommandId::ENQUIRE_LINK_RESP
    }

    fn push(&mut self, f: Finding) {
        tracing::info!(conn = self.plan.conn, kind = f.kind.name(), frame = ?f.frame_number,
            header = ?f.header.map(|h| label(&h)), detail = %f.detail, "replay finding");
        self.report.findings.push(f);
    }

    /// Plays the session to its end and returns the report.
    pub(crate) async fn run(mut self) -> SessionReport {
        let start = Instant::now();
        let t0 = self.plan.start_ts();
        let plan = self.plan;
        let n = plan.events.len();
        let timeout = self.opts.response_timeout;
        for pos in 0..n {
            if self.stopped {
                break;
            }
            let ev = &plan.events[pos];
            let offset = ev.ts.saturating_sub(t0);
            if self.theirs(pos) {
                if ev.is_request() {
                    let from = match self.opts.timing {
                        Timing::Fast => Instant::now(),
                        Timing::Original => Instant::now().max(start + offset),
                    };
                    self.due[pos] = Some(from + timeout);
                } else if plan.pair[pos].is_none() {
                    // A response to nothing the capture holds: nothing to wait for.
                    self.settled[pos] = true;
                }
                continue;
            }
            if !ev.is_request() {
                continue; // our answers go when the peer's request comes
            }
            if !self.gate(pos).await {
                break;
            }
            if self.opts.timing == Timing::Original && !self.pace(start + offset).await {
                break;
            }
            let frame = self.live_ids(&ev.frame);
            let header = ev.header;
            tracing::debug!(conn = self.plan.conn, pdu = %label(&header), "send");
            if let Err(e) = self.conn.send(&frame).await {
                self.push(
                    Finding::new(FindingKind::NotSent, Some(ev.frame_number), Some(header))
                        .detail(format!("write failed: {e}")),
                );
                self.stopped = true;
                break;
            }
            self.sent[pos] = true;
            self.report.sent += 1;
            if let Some(a) = plan.pair[pos] {
                self.due[a] = Some(Instant::now() + timeout);
            }
            self.outstanding.insert(header.sequence_number, pos);
        }
        if !self.stopped {
            self.gate(n).await;
        }
        self.close().await;
        self.wrap_up();
        self.report.finish();
        self.report
    }

    /// Waits until each of the peer's captured PDUs before `pos` has come or timed out. False when
    /// the session cannot go on.
    async fn gate(&mut self, pos: usize) -> bool {
        loop {
            let open = (0..pos).any(|i| self.theirs(i) && !self.settled[i]);
            if !open {
                return true;
            }
            if !self.step(self.overall).await {
                return false;
            }
        }
    }

    /// Receives and handles what comes until `until`. False when the session cannot go on.
    async fn pace(&mut self, until: Instant) -> bool {
        while Instant::now() < until {
            if !self.step(until).await {
                return false;
            }
        }
        true
    }

    fn next_due(&self) -> Option<Instant> {
        (0..self.plan.events.len())
            .filter(|i| !self.settled[*i])
            .filter_map(|i| self.due[i])
            .min()
    }

    /// One bounded receive. False when the session cannot go on.
    async fn step(&mut self, limit: Instant) -> bool {
        let mut limit = limit.min(self.overall);
        if let Some(d) = self.next_due() {
            limit = limit.min(d);
        }
        match self.conn.recv(limit).await {
            Recv::Frame(f) => {
                self.handle(f).await;
                true
            }
            Recv::Timeout => {
                let now = Instant::now();
                self.expire(now);
                if now >= self.overall {
                    let f = Finding::new(FindingKind::Timeout, None, None).detail(format!(
                        "the replay took longer than {:?}",
                        self.opts.overall_timeout
                    ));
                    self.push(f);
                    self.stopped = true;
                    return false;
                }
                true
            }
            Recv::Closed(e) => {
                tracing::debug!(conn = self.plan.conn, error = ?e, "peer closed");
                self.stopped = true;
                false
            }
            Recv::Framing(e) => {
                let f = Finding::new(FindingKind::Framing, None, e.header)
                    .detail(format!("{e}; reading stopped"));
                self.push(f);
                self.stopped = true;
                false
            }
        }
    }

    /// Gives up the waits that ended by `now`.
    fn expire(&mut self, now: Instant) {
        for i in 0..self.plan.events.len() {
            if self.settled[i] || self.due[i].is_none_or(|d| d > now) {
                continue;
            }
            self.settled[i] = true;
            let ev = &self.plan.events[i];
            let mut f =
                Finding::new(FindingKind::Missing, Some(ev.frame_number), Some(ev.header)).detail(
                    format!("not received within {:?}", self.opts.response_timeout),
                );
            if ev.is_request()
                && Self::is_keepalive(&ev.header)
                && !self.opts.compare.counts_keepalives()
            {
                f = f.note();
            }
            self.push(f);
        }
    }

    async fn handle(&mut self, frame: Bytes) {
        self.report.received += 1;
        let Some(h) = Header::parse(&frame) else {
            return;
        };
        tracing::debug!(conn = self.plan.conn, pdu = %label(&h), "received");
        if h.command_id.is_response() {
            self.handle_response(h, &frame);
        } else {
            self.handle_request(h, frame).await;
        }
    }

    fn handle_response(&mut self, h: Header, frame: &[u8]) {
        let Some(idx) = self.outstanding.remove(&h.sequence_number) else {
            let f = Finding::new(FindingKind::Unexpected, None, Some(h))
                .detail("answers no request outstanding");
            self.push(f);
            return;
        };
        let Some(a) = self.plan.pair[idx] else {
            let req = &self.plan.events[idx];
            let f = Finding::new(FindingKind::Unexpected, None, Some(h)).detail(format!(
                "answers #{} {}, which the capture holds no response to",
                req.frame_number,
                req.label()
            ));
            self.push(f);
            return;
        };
        let was_settled = std::mem::replace(&mut self.settled[a], true);
        let ev = &self.plan.events[a];
        if let (Some(c), Some(l)) = (message_id(&ev.frame), message_id(frame))
            && c != l
            && !self.ids.iter().any(|(x, _)| *x == c)
        {
            tracing::debug!(conn = self.plan.conn, captured = ?c, live = ?l, "message id");
            self.ids.push((c, l));
        }
        let differences = compare(&ev.frame, frame, &self.opts.compare);
        if !differences.is_empty() {
            let mut f = Finding::new(FindingKind::Differs, Some(ev.frame_number), Some(ev.header));
            if was_settled {
                f = f.detail("came after its wait had timed out");
            }
            f.differences = differences;
            self.push(f);
        } else if was_settled {
            let f = Finding::new(FindingKind::Unexpected, None, Some(h))
                .detail("came after its wait had timed out")
                .note();
            self.push(f);
        }
    }

    async fn handle_request(&mut self, h: Header, frame: Bytes) {
        let n = self.plan.events.len();
        let found = (0..n).find(|j| {
            let e = &self.plan.events[*j];
            self.theirs(*j)
                && e.is_request()
                && !self.settled[*j]
                && e.header.command_id == h.command_id
        });
        let Some(j) = found else {
            let answer = default_response(&h);
            let mut f =
                Finding::new(FindingKind::Unexpected, None, Some(h)).detail(match &answer {
                    Some(c) => format!("answered {}", label(&c.header())),
                    None => "not answered".to_owned(),
                });
            if Self::is_keepalive(&h) && !self.opts.compare.counts_keepalives() {
                f = f.note();
            }
            self.push(f);
            if let Some(c) = answer {
                self.answer(&c.to_bytes()).await;
            }
            return;
        };
        self.settled[j] = true;
        let ev = &self.plan.events[j];
        let differences = compare(&ev.frame, &frame, &self.opts.compare);
        if !differences.is_empty() {
            let mut f = Finding::new(FindingKind::Differs, Some(ev.frame_number), Some(ev.header));
            f.differences = differences;
            self.push(f);
        }
        let Some(a) = self.plan.pair[j] else {
            return; // the capture did not answer it either
        };
        let ours = &self.plan.events[a];
        if self.opts.timing == Timing::Original {
            let latency = ours.ts.saturating_sub(ev.ts);
            tokio::time::sleep(latency.min(self.opts.response_timeout)).await;
        }
        let mut out = ours.frame.to_vec();
        if let Some(seq) = out.get_mut(12..16) {
            seq.copy_from_slice(&h.sequence_number.to_be_bytes());
        }
        self.sent[a] = true;
        self.answer(&out).await;
    }

    /// Our request with the live message id where it carries one the peer gave another for.
    fn live_ids(&self, frame: &Bytes) -> Bytes {
        if self.ids.is_empty() {
            return frame.clone();
        }
        let Ok(decoded) = Command::decode_with(frame, DecodeOptions::LENIENT) else {
            return frame.clone();
        };
        let mut cmd = decoded.command;
        let id = match &mut cmd.pdu {
            Pdu::QuerySm(q) => &mut q.message_id,
            Pdu::CancelSm(c) => &mut c.message_id,
            Pdu::ReplaceSm(r) => &mut r.message_id,
            _ => return frame.clone(),
        };
        let Some((_, live)) = self.ids.iter().find(|(c, _)| c[..] == *id.as_bytes()) else {
            return frame.clone();
        };
        match COctetString::new(live.clone()) {
            Ok(v) => {
                *id = v;
                cmd.to_bytes()
            }
            Err(_) => frame.clone(),
        }
    }

    async fn answer(&mut self, octets: &[u8]) {
        match self.conn.send(octets).await {
            Ok(()) => self.report.sent += 1,
            Err(e) => tracing::debug!(conn = self.plan.conn, error = %e, "answer not sent"),
        }
    }

    /// Closes our side and reads what is left until the peer closes (briefly).
    async fn close(&mut self) {
        if self.conn.is_closed() {
            return;
        }
        self.conn.shutdown().await;
        let linger = Instant::now()
            + self
                .opts
                .response_timeout
                .min(std::time::Duration::from_secs(2));
        let limit = linger.min(self.overall);
        while Instant::now() < limit {
            match self.conn.recv(limit).await {
                Recv::Frame(f) => self.handle(f).await,
                _ => break,
            }
        }
    }

    /// What never happened: our requests not sent, the peer's PDUs that never came.
    fn wrap_up(&mut self) {
        let n = self.plan.events.len();
        let unsent: Vec<usize> = (0..n)
            .filter(|i| !self.theirs(*i) && self.plan.events[*i].is_request() && !self.sent[*i])
            .collect();
        if let Some(&first) = unsent.first() {
            let ev = &self.plan.events[first];
            let more = unsent.len() - 1;
            let mut detail = "the connection had closed".to_owned();
            if self
                .report
                .findings
                .iter()
                .any(|f| f.kind == FindingKind::Timeout)
            {
                detail = "the replay had stopped".to_owned();
            }
            if more > 0 {
                detail = format!("{detail}; and {more} more request(s) after it");
            }
            let f = Finding::new(FindingKind::NotSent, Some(ev.frame_number), Some(ev.header))
                .detail(detail);
            self.push(f);
        }
        for i in 0..n {
            if !self.theirs(i) || self.settled[i] {
                continue;
            }
            let ev = &self.plan.events[i];
            // A response to a request we never sent is covered by `not sent`.
            if !ev.is_request() && self.plan.pair[i].is_some_and(|q| !self.sent[q]) {
                continue;
            }
            let mut f = Finding::new(FindingKind::Missing, Some(ev.frame_number), Some(ev.header))
                .detail("the connection closed first");
            if ev.is_request()
                && Self::is_keepalive(&ev.header)
                && !self.opts.compare.counts_keepalives()
            {
                f = f.note();
            }
            self.push(f);
        }
    }
}

/// The message_id a response gives (submit_sm_resp, submit_multi_resp, data_sm_resp).
fn message_id(frame: &[u8]) -> Option<Bytes> {
    let d = Command::decode_with(&Bytes::copy_from_slice(frame), DecodeOptions::LENIENT).ok()?;
    match d.command.pdu {
        Pdu::SubmitSmResp(Some(r)) => Some(r.message_id.to_bytes()),
        Pdu::SubmitMultiResp(Some(r)) => Some(r.message_id.to_bytes()),
        Pdu::DataSmResp(Some(r)) => Some(r.message_id.to_bytes()),
        _ => None,
    }
}

/// The answer to a request the capture does not hold: ESME_ROK with an empty body; generic_nack
/// ESME_RINVCMDID for an id v3.4 does not define; none for outbind and alert_notification.
pub(crate) fn default_response(h: &Header) -> Option<Command> {
    let seq = h.sequence_number;
    let ok = |pdu: Pdu| Some(Command::response(CommandStatus::ESME_ROK, seq, pdu));
    match h.command_id {
        CommandId::OUTBIND | CommandId::ALERT_NOTIFICATION => None,
        CommandId::BIND_TRANSMITTER => ok(Pdu::BindTransmitterResp(Some(BindResp::default()))),
        CommandId::BIND_RECEIVER => ok(Pdu::BindReceiverResp(Some(BindResp::default()))),
        CommandId::BIND_TRANSCEIVER => ok(Pdu::BindTransceiverResp(Some(BindResp::default()))),
        CommandId::SUBMIT_SM => ok(Pdu::SubmitSmResp(Some(SubmitSmResp::default()))),
        CommandId::SUBMIT_MULTI => ok(Pdu::SubmitMultiResp(Some(SubmitMultiResp::default()))),
        CommandId::DELIVER_SM => ok(Pdu::DeliverSmResp(Some(DeliverSmResp::default()))),
        CommandId::DATA_SM => ok(Pdu::DataSmResp(Some(DataSmResp::default()))),
        CommandId::QUERY_SM => ok(Pdu::QuerySmResp(Some(QuerySmResp::default()))),
        CommandId::UNBIND => ok(Pdu::UnbindResp),
        CommandId::ENQUIRE_LINK => ok(Pdu::EnquireLinkResp),
        CommandId::CANCEL_SM => ok(Pdu::CancelSmResp),
        CommandId::REPLACE_SM => ok(Pdu::ReplaceSmResp),
        _ => Some(Command::generic_nack(CommandStatus::ESME_RINVCMDID, seq)),
    }
}
