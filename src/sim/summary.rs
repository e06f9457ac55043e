//! What the simulator did: printed when it stops.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use crate::pdu::{CommandId, CommandStatus};
use crate::session::Stats;

/// Sessions seen.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct SessionCounts {
    /// Connections accepted.
    pub connected: u64,
    /// Connections over max_connections turned away.
    pub refused: u64,
    /// Binds as transmitter.
    pub bound_tx: u64,
    /// Binds as receiver.
    pub bound_rx: u64,
    /// Binds as transceiver.
    pub bound_trx: u64,
    /// Binds refused (unknown system_id, wrong password).
    pub bind_refused: u64,
    /// Sessions that ended with unbind / unbind_resp.
    pub unbound: u64,
    /// Most sessions open at once.
    pub peak: usize,
    /// Sessions open now.
    pub open: usize,
}

/// The simulator's summary: commands received and sent, response statuses, receipts by outcome,
/// sessions, messages, MO, rule hits.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Summary {
    /// Time since start.
    pub uptime: Duration,
    /// PDUs received, by command name (sessions that have ended).
    pub received: BTreeMap<String, u64>,
    /// PDUs sent, by command name (sessions that have ended).
    pub sent: BTreeMap<String, u64>,
    /// Responses sent, by command_status name (ESME_ROK included).
    pub statuses_sent: BTreeMap<String, u64>,
    /// Responses received from ESMEs with an error status, by name.
    pub errors_received: BTreeMap<String, u64>,
    /// Receipts queued for delivery, by outcome (DELIVRD, UNDELIV, ...).
    pub receipts: BTreeMap<String, u64>,
    /// Receipts dropped (the queue for receivers was full).
    pub receipts_dropped: u64,
    /// Sessions.
    pub sessions: SessionCounts,
    /// Message handling: accepted, refused by a rule, left unanswered, cancelled, replaced, ...
    pub messages: BTreeMap<String, u64>,
    /// Messages in the store now, by state.
    pub stored: BTreeMap<String, u64>,
    /// Messages evicted from the full store.
    pub evicted: u64,
    /// MO messages queued (sent or waiting for a receiver).
    pub mo_sent: u64,
    /// MO messages that could not be queued.
    pub mo_failed: u64,
    /// How often each injection rule matched.
    pub rule_hits: BTreeMap<String, u64>,
}

fn name(id: CommandId) -> String {
    id.name().map_or_else(|| id.to_string(), str::to_owned)
}

fn status_name(s: CommandStatus) -> String {
    s.name().map_or_else(|| s.to_string(), str::to_owned)
}

impl Summary {
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn build(
        uptime: Duration,
        stats: &Stats,
        mut sessions: SessionCounts,
        open: usize,
        receipts: BTreeMap<String, u64>,
        receipts_dropped: u64,
        rule_hits: BTreeMap<String, u64>,
        messages: BTreeMap<String, u64>,
        (_, stored, evicted): (usize, BTreeMap<String, u64>, u64),
        (mo_sent, mo_failed): (u64, u64),
    ) -> Self {
        sessions.open = open;
        let mut received = BTreeMap::new();
        let mut sent = BTreeMap::new();
        let mut responses = 0u64;
        for &id in CommandId::ALL {
            let (r, s) = (stats.received(id), stats.sent(id));
            if r > 0 {
                received.insert(name(id), r);
            }
            if s > 0 {
                sent.insert(name(id), s);
                if id.is_response() {
                    responses += s;
                }
            }
        }
        let mut statuses_sent = BTreeMap::new();
        let mut errors = 0;
        for (st, n) in stats.errors_sent() {
            errors += n;
            statuses_sent.insert(status_name(st), n);
        }
        if responses > errors {
            statuses_sent.insert(status_name(CommandStatus::ESME_ROK), responses - errors);
        }
        let errors_received = stats
            .errors_received()
            .map(|(st, n)| (status_name(st), n))
            .collect();
        Summary {
            uptime,
            received,
            sent,
            statuses_sent,
            errors_received,
            receipts,
            receipts_dropped,
            sessions,
            messages,
            stored,
            evicted,
            mo_sent,
            mo_failed,
            rule_hits,
        }
    }
}

fn line(f: &mut fmt::Formatter<'_>, label: &str, m: &BTreeMap<String, u64>) -> fmt::Result {
    if m.is_empty() {
        return writeln!(f, "  {label:<18} -");
    }
    let items: Vec<String> = m.iter().map(|(k, v)| format!("{k} {v}")).collect();
    writeln!(f, "  {label:<18} {}", items.join(", "))
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = &self.sessions;
        writeln!(f, "smpp-sim summary ({:.1} s)", self.uptime.as_secs_f64())?;
        writeln!(
            f,
            "  {:<18} {} connected, {} refused (max_connections), peak {} open, {} open now",
            "sessions", s.connected, s.refused, s.peak, s.open
        )?;
        writeln!(
            f,
            "  {:<18} {} tx, {} rx, {} trx, {} refused, {} unbound",
            "binds", s.bound_tx, s.bound_rx, s.bound_trx, s.bind_refused, s.unbound
        )?;
        line(f, "received", &self.received)?;
        line(f, "sent", &self.sent)?;
        line(f, "statuses sent", &self.statuses_sent)?;
        if !self.errors_received.is_empty() {
            line(f, "errors received", &self.errors_received)?;
        }
        line(f, "messages", &self.messages)?;
        line(f, "receipts", &self.receipts)?;
        if self.receipts_dropped > 0 {
            writeln!(f, "  {:<18} {}", "receipts dropped", self.receipts_dropped)?;
        }
        line(f, "store", &self.stored)?;
        if self.evicted > 0 {
            writeln!(f, "  {:<18} {}", "evicted", self.evicted)?;
        }
        writeln!(
            f,
            "  {:<18} {} queued, {} failed",
            "MO", self.mo_sent, self.mo_failed
        )?;
        line(f, "rules matched", &self.rule_hits)
    }
}
