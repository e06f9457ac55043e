//! What a replay found, per session: as text for people, as JSON for machines, and as an exit
//! status.

use std::fmt::Write as _;
use std::net::SocketAddr;

use serde_json::{Value, json};

use super::compare::Difference;
use crate::pdu::{CommandId, Header};

/// What kind of finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FindingKind {
    /// The PDU came, and differs from the captured one.
    Differs,
    /// A PDU the capture holds did not come (in time, or before the connection closed).
    Missing,
    /// A PDU the capture does not hold came.
    Unexpected,
    /// One of our PDUs could not be sent (the connection had closed, a write failed).
    NotSent,
    /// The peer's stream did not frame (command_length out of bounds): reading stopped.
    Framing,
    /// The overall timeout ended the session.
    Timeout,
}

impl FindingKind {
    /// `differs`, `missing`, `unexpected`, `not_sent`, `framing`, `timeout`.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Differs => "differs",
            Self::Missing => "missing",
            Self::Unexpected => "unexpected",
            Self::NotSent => "not_sent",
            Self::Framing => "framing",
            Self::Timeout => "timeout",
        }
    }
}

/// One thing that did not go as captured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// What.
    pub kind: FindingKind,
    /// The captured PDU concerned (its record number), when there is one.
    pub frame_number: Option<u64>,
    /// The PDU concerned: the captured one, or the live one for [`FindingKind::Unexpected`].
    pub header: Option<Header>,
    /// For [`FindingKind::Differs`]: the fields that differ.
    pub differences: Vec<Difference>,
    /// More words (what was answered, why it is missing, ...).
    pub detail: String,
    /// Whether it counts as a difference (the exit status); a note does not (e.g. an
    /// enquire_link the peer sent on its own).
    pub counts: bool,
}

impl Finding {
    pub(crate) fn new(
        kind: FindingKind,
        frame_number: Option<u64>,
        header: Option<Header>,
    ) -> Self {
        Self {
            kind,
            frame_number,
            header,
            differences: Vec::new(),
            detail: String::new(),
            counts: true,
        }
    }

    pub(crate) fn detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = detail.into();
        self
    }

    pub(crate) fn note(mut self) -> Self {
        self.counts = false;
        self
    }

    fn to_text(&self) -> String {
        let mut s = String::new();
        match self.frame_number {
            Some(n) => write!(s, "#{n} ").unwrap_or_default(),
            None => s.push_str("live "),
        }
        if let Some(h) = &self.header {
            s.push_str(&super::plan::label(h));
            s.push_str(": ");
        }
        s.push_str(match self.kind {
            FindingKind::Differs => "differs",
            FindingKind::Missing => "missing",
            FindingKind::Unexpected => "unexpected",
            FindingKind::NotSent => "not sent",
            FindingKind::Framing => "framing error",
            FindingKind::Timeout => "overall timeout",
        });
        if !self.detail.is_empty() {
            s.push_str(" (");
            s.push_str(&self.detail);
            s.push(')');
        }
        if !self.counts {
            s.push_str(" [note]");
        }
        for d in &self.differences {
            write!(s, "\n      {d}").unwrap_or_default();
        }
        s
    }

    fn to_json(&self) -> Value {
        json!({
            "kind": self.kind.name(),
            "frame_number": self.frame_number,
            "command_id": self.header.map(|h| id_name(h.command_id)),
            "command_status": self.header.filter(|h| h.command_id.is_response()).map(|h| h.command_status.to_string()),
            "sequence_number": self.header.map(|h| h.sequence_number),
            "differences": self.differences.iter().map(|d| json!({
                "field": d.field, "expected": d.expected, "actual": d.actual,
            })).collect::<Vec<_>>(),
            "detail": self.detail,
            "counts": self.counts,
        })
    }
}

fn id_name(id: CommandId) -> String {
    id.to_string()
}

/// How a session's replay ended.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Outcome {
    /// Everything as captured (notes aside).
    Same,
    /// At least one finding that counts.
    Different,
    /// The target could not be reached.
    Unreachable(String),
    /// No ESME connected to play it to (listen mode), or it was not started.
    NotPlayed(String),
}

impl Outcome {
    /// `same`, `different`, `unreachable`, `not_played`.
    #[must_use]
    pub fn name(&self) -> &'static str {
        match self {
            Self::Same => "same",
            Self::Different => "different",
            Self::Unreachable(_) => "unreachable",
            Self::NotPlayed(_) => "not_played",
        }
    }
}

/// The replay of one captured session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionReport {
    /// The captured connection's id.
    pub conn: u32,
    /// The captured ESME.
    pub esme: SocketAddr,
    /// The captured SMSC.
    pub smsc: SocketAddr,
    /// PDUs the capture holds: (ESME → SMSC, SMSC → ESME).
    pub captured: (usize, usize),
    /// Gaps and other problems in the captured streams.
    pub capture_problems: usize,
    /// The live peer's address.
    pub peer: Option<SocketAddr>,
    /// PDUs sent and received.
    pub sent: usize,
    /// PDUs received.
    pub received: usize,
    /// How it ended.
    pub outcome: Outcome,
    /// What did not go as captured, in the order seen.
    pub findings: Vec<Finding>,
}

impl SessionReport {
    pub(crate) fn new(plan: &super::Plan) -> Self {
        Self {
            conn: plan.conn,
            esme: plan.esme,
            smsc: plan.smsc,
            captured: plan.counts(),
            capture_problems: plan.problems,
            peer: None,
            sent: 0,
            received: 0,
            outcome: Outcome::Same,
            findings: Vec::new(),
        }
    }

    pub(crate) fn finish(&mut self) {
        if matches!(self.outcome, Outcome::Same) && self.findings.iter().any(|f| f.counts) {
            self.outcome = Outcome::Different;
        }
    }

    /// Findings that count.
    #[must_use]
    pub fn differences(&self) -> usize {
        self.findings.iter().filter(|f| f.counts).count()
    }

    fn to_text(&self, live_side: &str) -> String {
        let mut s = format!(
            "session {} (ESME {} ↔ SMSC {}, {} + {} PDUs captured",
            self.conn, self.esme, self.smsc, self.captured.0, self.captured.1
        );
        if self.capture_problems > 0 {
            write!(
                s,
                ", {} stream problem(s) in the capture",
                self.capture_problems
            )
            .unwrap_or_default();
        }
        s.push(')');
        if let Some(p) = self.peer {
            write!(s, " with {live_side} {p}").unwrap_or_default();
        }
        write!(s, ": sent {}, received {}: ", self.sent, self.received).unwrap_or_default();
        match &self.outcome {
            Outcome::Same => s.push_str("same"),
            Outcome::Different => {
                let n = self.differences();
                write!(s, "{n} difference{}", if n == 1 { "" } else { "s" }).unwrap_or_default();
            }
            Outcome::Unreachable(why) => write!(s, "unreachable: {why}").unwrap_or_default(),
            Outcome::NotPlayed(why) => write!(s, "not played: {why}").unwrap_or_default(),
        }
        s.push('\n');
        for f in &self.findings {
            s.push_str("  ");
            s.push_str(&f.to_text());
            s.push('\n');
        }
        s
    }

    fn to_json(&self) -> Value {
        let (why_key, why) = match &self.outcome {
            Outcome::Unreachable(w) | Outcome::NotPlayed(w) => ("reason", Value::from(w.clone())),
            _ => ("reason", Value::Null),
        };
        json!({
            "conn": self.conn,
            "esme": self.esme.to_string(),
            "smsc": self.smsc.to_string(),
            "captured": {"esme_to_smsc": self.captured.0, "smsc_to_esme": self.captured.1},
            "capture_problems": self.capture_problems,
            "peer": self.peer.map(|p| p.to_string()),
            "sent": self.sent,
            "received": self.received,
            "outcome": self.outcome.name(),
            why_key: why,
            "differences": self.differences(),
            "findings": self.findings.iter().map(Finding::to_json).collect::<Vec<_>>(),
        })
    }
}

/// A whole replay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// `target` (we played the ESME) or `listen` (we played the SMSC).
    pub mode: &'static str,
    /// The target, or the address listened on.
    pub address: String,
    /// The skipped fields.
    pub ignored: Vec<String>,
    /// One per session, in capture order.
    pub sessions: Vec<SessionReport>,
}

impl Report {
    /// The readable report: one block per session, then a summary line.
    #[must_use]
    pub fn to_text(&self) -> String {
        let live = if self.mode == "listen" {
            "ESME"
        } else {
            "SMSC"
        };
        let mut s = String::new();
        for r in &self.sessions {
            s.push_str(&r.to_text(live));
        }
        let count = |name: &str| {
            self.sessions
                .iter()
                .filter(|r| r.outcome.name() == name)
                .count()
        };
        write!(
            s,
            "{} session(s) replayed {} {}: {} same, {} different",
            self.sessions.len(),
            if self.mode == "listen" {
                "on"
            } else {
                "against"
            },
            self.address,
            count("same"),
            count("different"),
        )
        .unwrap_or_default();
        for (name, words) in [("unreachable", "unreachable"), ("not_played", "not played")] {
            let n = count(name);
            if n > 0 {
                write!(s, ", {n} {words}").unwrap_or_default();
            }
        }
        if self.ignored.is_empty() {
            s.push_str("; every field compared\n");
        } else {
            writeln!(s, "; not compared: {}", self.ignored.join(", ")).unwrap_or_default();
        }
        s
    }

    /// The report as one JSON object.
    #[must_use]
    pub fn to_json(&self) -> Value {
        json!({
            "mode": self.mode,
            "address": self.address,
            "ignored": self.ignored,
            "exit_status": self.exit_code(),
            "sessions": self.sessions.iter().map(SessionReport::to_json).collect::<Vec<_>>(),
        })
    }

    /// 0 every session as captured, 1 some difference (or a session not played), 3 the target
    /// unreachable.
    #[must_use]
    pub fn exit_code(&self) -> i32 {
        if self
            .sessions
            .iter()
            .any(|r| matches!(r.outcome, Outcome::Unreachable(_)))
        {
            3
        } else if self
            .sessions
            .iter()
            .all(|r| matches!(r.outcome, Outcome::Same))
        {
            0
        } else {
            1
        }
    }
}
