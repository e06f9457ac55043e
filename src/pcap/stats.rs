//! Statistics over a capture's SMPP records: PDUs per command_id, responses per command_status,
//! response latency per request type, problems per kind.
//!
//! Responses are matched to requests by connection, direction and sequence_number: a response
//! sent SMSC → ESME answers the request with its sequence_number sent ESME → SMSC on the same
//! connection (and the other way round). A generic_nack answers whatever request had its
//! sequence_number. The latency runs from the time stamp of the request (the record completing
//! it) to that of the response.
//!
//! ```
//! use std::time::Duration;
//! use smpp::pcap::{PcapWriter, TcpConversation};
//! use smpp::pcap::read::Capture;
//! use smpp::pcap::stats::Stats;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let mut pcap = PcapWriter::new(Vec::new())?;
//! let mut c = TcpConversation::new(
//!     "10.0.0.1:40000".parse::<std::net::SocketAddr>()?,
//!     "10.0.0.2:2775".parse::<std::net::SocketAddr>()?,
//! )?;
//! let t = Duration::from_secs(1_700_000_000);
//! c.client_sends(&mut pcap, &[0, 0, 0, 16, 0, 0, 0, 0x15, 0, 0, 0, 0, 0, 0, 0, 1], t)?;
//! c.server_sends(&mut pcap, &[0, 0, 0, 16, 0x80, 0, 0, 0x15, 0, 0, 0, 0, 0, 0, 0, 1],
//!     t + Duration::from_millis(4))?;
//! let mut stats = Stats::default();
//! for record in Capture::from_bytes(pcap.into_inner())? {
//!     stats.add(&record);
//! }
//! let latency = &stats.latency()["enquire_link"];
//! assert_eq!((latency.count, latency.median), (1, Duration::from_millis(4)));
//! assert_eq!(stats.to_json()["command_ids"]["enquire_link_resp"], 1);
//! # Ok(())
//! # }
//! ```

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::time::Duration;

use serde_json::{Map, Value, json};

use super::read::{Record, SmppDirection};
use crate::pdu::{CommandId, CommandStatus};

/// Requests waiting for a response are kept up to this many; beyond, new ones are not timed.
pub const MAX_OUTSTANDING: usize = 1 << 20;

/// Latency figures of one request type.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Latency {
    /// Responses matched.
    pub count: u64,
    /// Shortest.
    pub min: Duration,
    /// Median (nearest rank).
    pub median: Duration,
    /// 95th percentile (nearest rank).
    pub p95: Duration,
    /// Longest.
    pub max: Duration,
    /// Requests of this type that no response in the capture answered.
    pub unanswered: u64,
}

/// Counters over the records of a capture; feed it with [`Stats::add`].
#[derive(Debug, Clone, Default)]
pub struct Stats {
    pdus: u64,
    connections: std::collections::BTreeSet<u32>,
    by_command: BTreeMap<u32, u64>,
    by_status: BTreeMap<u32, u64>,
    problems: BTreeMap<&'static str, u64>,
    /// (connection, direction of the request, sequence_number) → (command_id, time stamp).
    outstanding: HashMap<(u32, SmppDirection, u32), (CommandId, Duration)>,
    not_timed: u64,
    samples: BTreeMap<u32, Vec<Duration>>,
    unmatched_responses: u64,
}

fn id_name(id: u32) -> String {
    CommandId(id)
        .name()
        .map_or_else(|| format!("{id:#010x}"), str::to_owned)
}

fn status_name(status: u32) -> String {
    CommandStatus(status)
        .name()
        .map_or_else(|| format!("{status:#010x}"), str::to_owned)
}

/// The nearest-rank `pct` percentile of sorted `v` (not empty).
fn percentile(v: &[Duration], pct: usize) -> Duration {
    let rank = (v.len() * pct).div_ceil(100).max(1);
    v[rank.min(v.len()) - 1]
}

fn millis(d: Duration) -> f64 {
    // Microsecond precision is all a capture's time stamps usually have.
    (d.as_micros() as f64) / 1_000.0
}

impl Stats {
    /// Counts one record.
    pub fn add(&mut self, record: &Record) {
        self.connections.insert(record.conn());
        let pdu = match record {
            Record::Problem(p) => {
                *self.problems.entry(p.kind.name()).or_default() += 1;
                return;
            }
            Record::Pdu(pdu) => pdu,
        };
        self.pdus += 1;
        let h = pdu.header();
        *self.by_command.entry(h.command_id.0).or_default() += 1;
        if h.command_id.is_response() {
            *self.by_status.entry(h.command_status.0).or_default() += 1;
            let key = (pdu.conn, pdu.direction.reverse(), h.sequence_number);
            match self.outstanding.remove(&key) {
                Some((request, at)) => {
                    let latency = pdu.ts.saturating_sub(at);
                    self.samples.entry(request.0).or_default().push(latency);
                }
                None => self.unmatched_responses += 1,
            }
        } else if h.command_id.response().is_some() {
            if self.outstanding.len() >= MAX_OUTSTANDING {
                self.not_timed += 1;
                return;
            }
            let key = (pdu.conn, pdu.direction, h.sequence_number);
            self.outstanding.insert(key, (h.command_id, pdu.ts));
        }
    }

    /// PDUs counted.
    #[must_use]
    pub fn pdus(&self) -> u64 {
        self.pdus
    }

    /// PDUs per command_id (by spec name, or `0x%08x`).
    #[must_use]
    pub fn command_ids(&self) -> BTreeMap<String, u64> {
        self.by_command
            .iter()
            .map(|(id, n)| (id_name(*id), *n))
            .collect()
    }

    /// Responses (generic_nack included) per command_status.
    #[must_use]
    pub fn command_statuses(&self) -> BTreeMap<String, u64> {
        self.by_status
            .iter()
            .map(|(s, n)| (status_name(*s), *n))
            .collect()
    }

    /// Latency per request type (by spec name), for the types seen in requests.
    #[must_use]
    pub fn latency(&self) -> BTreeMap<String, Latency> {
        let mut unanswered: BTreeMap<u32, u64> = BTreeMap::new();
        for (id, _) in self.outstanding.values() {
            *unanswered.entry(id.0).or_default() += 1;
        }
        let mut out = BTreeMap::new();
        let ids: std::collections::BTreeSet<u32> = self
            .samples
            .keys()
            .chain(unanswered.keys())
            .copied()
            .collect();
        for id in ids {
            let mut v = self.samples.get(&id).cloned().unwrap_or_default();
            v.sort_unstable();
            let mut l = Latency {
                unanswered: unanswered.get(&id).copied().unwrap_or(0),
                ..Latency::default()
            };
            if let (Some(first), Some(last)) = (v.first(), v.last()) {
                l.count = v.len() as u64;
                l.min = *first;
                l.max = *last;
                l.median = percentile(&v, 50);
                l.p95 = percentile(&v, 95);
            }
            out.insert(id_name(id), l);
        }
        out
    }

    /// Problems (gaps, skipped octets, incomplete PDUs) per kind.
    #[must_use]
    pub fn problems(&self) -> &BTreeMap<&'static str, u64> {
        &self.problems
    }

    /// Responses that answered no request seen (their request came before the capture started,
    /// or was lost in a gap).
    #[must_use]
    pub fn unmatched_responses(&self) -> u64 {
        self.unmatched_responses
    }

    /// Everything as one JSON object: `pdus`, `connections`, `command_ids`, `command_statuses`,
    /// `latency` (per request: `count`, `min_ms`, `median_ms`, `p95_ms`, `max_ms`, `unanswered`),
    /// `problems`, `unmatched_responses`.
    #[must_use]
    pub fn to_json(&self) -> Value {
        let latency: Map<String, Value> = self
            .latency()
            .into_iter()
            .map(|(name, l)| {
                let v = if l.count > 0 {
                    json!({
                        "count": l.count,
                        "min_ms": millis(l.min),
                        "median_ms": millis(l.median),
                        "p95_ms": millis(l.p95),
                        "max_ms": millis(l.max),
                        "unanswered": l.unanswered,
                    })
                } else {
                    json!({"count": 0, "unanswered": l.unanswered})
                };
                (name, v)
            })
            .collect();
        json!({
            "pdus": self.pdus,
            "connections": self.connections.len(),
            "command_ids": self.command_ids(),
            "command_statuses": self.command_statuses(),
            "latency": latency,
            "problems": self.problems,
            "unmatched_responses": self.unmatched_responses,
            "requests_not_timed": self.not_timed,
        })
    }

    /// Everything as tables for people.
    #[must_use]
    pub fn to_table(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{} PDUs on {} connection(s)",
            self.pdus,
            self.connections.len()
        );
        let _ = writeln!(out, "\n{:<28} {:>8}", "command_id", "count");
        for (name, n) in self.command_ids() {
            let _ = writeln!(out, "{name:<28} {n:>8}");
        }
        let _ = writeln!(out, "\n{:<28} {:>8}", "command_status (responses)", "count");
        for (name, n) in self.command_statuses() {
            let _ = writeln!(out, "{name:<28} {n:>8}");
        }
        let _ = writeln!(
            out,
            "\n{:<22} {:>7} {:>10} {:>10} {:>10} {:>10} {:>10}",
            "latency (ms)", "count", "min", "median", "p95", "max", "unanswered"
        );
        for (name, l) in self.latency() {
            if l.count == 0 {
                let _ = writeln!(
                    out,
                    "{name:<22} {:>7} {:>10} {:>10} {:>10} {:>10} {:>10}",
                    0, "-", "-", "-", "-", l.unanswered
                );
            } else {
                let _ = writeln!(
                    out,
                    "{name:<22} {:>7} {:>10.3} {:>10.3} {:>10.3} {:>10.3} {:>10}",
                    l.count,
                    millis(l.min),
                    millis(l.median),
                    millis(l.p95),
                    millis(l.max),
                    l.unanswered
                );
            }
        }
        if !self.problems.is_empty() {
            let _ = writeln!(out, "\n{:<28} {:>8}", "problem", "count");
            for (name, n) in &self.problems {
                let _ = writeln!(out, "{name:<28} {n:>8}");
            }
        }
        if self.unmatched_responses > 0 {
            let _ = writeln!(
                out,
                "\n{} responses answered no request in the capture",
                self.unmatched_responses
            );
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let v: Vec<Duration> = (1..=20).map(Duration::from_millis).collect();
        assert_eq!(percentile(&v, 50), Duration::from_millis(10));
        assert_eq!(percentile(&v, 95), Duration::from_millis(19));
        assert_eq!(percentile(&v[..1], 95), Duration::from_millis(1));
        assert_eq!(percentile(&v[..2], 50), Duration::from_millis(1));
    }
}
