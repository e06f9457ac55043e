//! A captured session made ready to replay: its PDUs in capture order, each response paired with
//! the request it answers.

use std::net::SocketAddr;
use std::time::Duration;

use bytes::Bytes;

use crate::DecodeOptions;
use crate::pcap::read::{ConnEnd, ConnSummary, Record, Session, SmppDirection};
use crate::pdu::{COctetString, Command, CommandId, Header, Pdu};

/// One captured PDU.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// Who sent it.
    pub direction: SmppDirection,
    /// Its time stamp (of the record that completed it).
    pub ts: Duration,
    /// Its record number in the capture (tshark's frame number).
    pub frame_number: u64,
    /// Its octets.
    pub frame: Bytes,
    /// Its header.
    pub header: Header,
}

impl Event {
    /// Whether it is a request (anything but a response or generic_nack).
    #[must_use]
    pub fn is_request(&self) -> bool {
        !self.header.command_id.is_response()
    }

    /// `submit_sm seq=2` (and the status of a response).
    #[must_use]
    pub fn label(&self) -> String {
        label(&self.header)
    }
}

/// `submit_sm seq=2`, `submit_sm_resp seq=2 status=ESME_ROK`.
pub(crate) fn label(h: &Header) -> String {
    if h.command_id.is_response() {
        format!(
            "{} seq={} status={}",
            h.command_id, h.sequence_number, h.command_status
        )
    } else {
        format!("{} seq={}", h.command_id, h.sequence_number)
    }
}

/// Why a plan could not be changed as asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PlanError {
    /// A bind field override does not fit the field.
    #[error("--{field}: {reason}")]
    BadCredential {
        /// The field.
        field: &'static str,
        /// Why.
        reason: String,
    },
}

/// One connection of a capture, ready to replay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// The connection's id in the capture.
    pub conn: u32,
    /// The captured ESME's address.
    pub esme: SocketAddr,
    /// The captured SMSC's address.
    pub smsc: SocketAddr,
    /// Time stamp of the connection's first record.
    pub first_ts: Duration,
    /// The PDUs, both directions, in capture order.
    pub events: Vec<Event>,
    /// For each event: the index of the event it answers (responses), or of its answer
    /// (requests), when the capture holds it.
    pub pair: Vec<Option<usize>>,
    /// Gaps, skipped octets and incomplete PDUs in the session's streams.
    pub problems: usize,
    /// How the captured connection ended.
    pub end: ConnEnd,
}

/// The plans of a capture's sessions, in order.
#[must_use]
pub fn plans(sessions: &[Session]) -> Vec<Plan> {
    sessions.iter().map(Plan::from_session).collect()
}

impl Plan {
    /// The plan of one captured session.
    #[must_use]
    pub fn from_session(session: &Session) -> Self {
        let summary: &ConnSummary = &session.summary;
        let mut events = Vec::new();
        let mut problems = 0;
        for record in &session.records {
            match record {
                Record::Pdu(p) => events.push(Event {
                    direction: p.direction,
                    ts: p.ts,
                    frame_number: p.frame_number,
                    frame: p.frame.clone(),
                    header: p.header(),
                }),
                Record::Problem(_) => problems += 1,
            }
        }
        let pair = pair_up(&events);
        Self {
            conn: summary.id,
            esme: summary.esme,
            smsc: summary.smsc,
            first_ts: summary.first_ts,
            events,
            pair,
            problems,
            end: summary.end,
        }
    }

    /// The time stamp of the first PDU (of the connection's first record when it has none).
    #[must_use]
    pub fn start_ts(&self) -> Duration {
        self.events.first().map_or(self.first_ts, |e| e.ts)
    }

    /// How many PDUs each side sent: (ESME → SMSC, SMSC → ESME).
    #[must_use]
    pub fn counts(&self) -> (usize, usize) {
        let esme = self
            .events
            .iter()
            .filter(|e| e.direction == SmppDirection::EsmeToSmsc)
            .count();
        (esme, self.events.len() - esme)
    }

    /// The captured answer of the request at `index`, or the request the response at `index`
    /// answers.
    #[must_use]
    pub fn paired(&self, index: usize) -> Option<&Event> {
        self.pair
            .get(index)
            .copied()
            .flatten()
            .and_then(|i| self.events.get(i))
    }

    /// Rewrites the bind fields of every bind the ESME sent (`None` keeps the captured value).
    ///
    /// # Errors
    /// [`PlanError::BadCredential`] when a value does not fit its field.
    pub fn set_credentials(
        &mut self,
        system_id: Option<&str>,
        password: Option<&str>,
        system_type: Option<&str>,
    ) -> Result<(), PlanError> {
        if system_id.is_none() && password.is_none() && system_type.is_none() {
            return Ok(());
        }
        let bad = |field: &'static str| {
            move |e: crate::ValueError| PlanError::BadCredential {
                field,
                reason: e.to_string(),
            }
        };
        let system_id = system_id
            .map(COctetString::<16>::new_from_str)
            .transpose()
            .map_err(bad("system-id"))?;
        let password = password
            .map(COctetString::<9>::new_from_str)
            .transpose()
            .map_err(bad("password"))?;
        let system_type = system_type
            .map(COctetString::<13>::new_from_str)
            .transpose()
            .map_err(bad("system-type"))?;
        for event in &mut self.events {
            if event.direction != SmppDirection::EsmeToSmsc {
                continue;
            }
            let Ok(decoded) = Command::decode_with(&event.frame, DecodeOptions::LENIENT) else {
                continue;
            };
            let mut command = decoded.command;
            let bind = match &mut command.pdu {
                Pdu::BindTransmitter(b) | Pdu::BindReceiver(b) | Pdu::BindTransceiver(b) => b,
                _ => continue,
            };
            if let Some(v) = &system_id {
                bind.system_id = v.clone();
            }
            if let Some(v) = &password {
                bind.password = v.clone();
            }
            if let Some(v) = &system_type {
                bind.system_type = v.clone();
            }
            event.frame = command.to_bytes();
            event.header = command.header();
        }
        Ok(())
    }
}

/// Small helper so the three fields above read alike.
trait FromStrField: Sized {
    fn new_from_str(s: &str) -> Result<Self, crate::ValueError>;
}

impl<const MAX: usize> FromStrField for COctetString<MAX> {
    fn new_from_str(s: &str) -> Result<Self, crate::ValueError> {
        Self::new(Bytes::copy_from_slice(s.as_bytes()))
    }
}

/// Whether `resp` answers a request with `req`'s command_id.
pub(crate) fn answers(resp: CommandId, req: CommandId) -> bool {
    resp == CommandId::GENERIC_NACK || req.response() == Some(resp)
}

/// Pairs each response with its request: the latest unanswered request before it, sent the other
/// way, with its sequence_number and a matching command_id; failing that (a peer that answers
/// with its own sequence numbers), the earliest unanswered request of that command_id.
fn pair_up(events: &[Event]) -> Vec<Option<usize>> {
    let mut pair = vec![None; events.len()];
    for (r, resp) in events.iter().enumerate() {
        if resp.is_request() {
            continue;
        }
        let open = |q: &usize| {
            let req = &events[*q];
            req.is_request()
                && req.direction != resp.direction
                && pair[*q].is_none()
                && answers(resp.header.command_id, req.header.command_id)
        };
        let by_seq = (0..r)
            .rev()
            .filter(open)
            .find(|q| events[*q].header.sequence_number == resp.header.sequence_number);
        let found = by_seq.or_else(|| {
            if resp.header.command_id == CommandId::GENERIC_NACK {
                None
            } else {
                (0..r).find(open)
            }
        });
        if let Some(q) = found {
            pair[q] = Some(r);
            pair[r] = Some(q);
        }
    }
    pair
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(direction: SmppDirection, id: CommandId, seq: u32) -> Event {
        let header = Header {
            command_length: 16,
            command_id: id,
            command_status: crate::CommandStatus::ESME_ROK,
            sequence_number: seq,
        };
        Event {
            direction,
            ts: Duration::ZERO,
            frame_number: 0,
            frame: Bytes::copy_from_slice(&header.to_bytes()),
            header,
        }
    }

    #[test]
    fn responses_pair_by_sequence_number_then_by_order() {
        use SmppDirection::*;
        let events = vec![
            ev(EsmeToSmsc, CommandId::SUBMIT_SM, 2),
            ev(EsmeToSmsc, CommandId::SUBMIT_SM, 3),
            ev(SmscToEsme, CommandId::SUBMIT_SM_RESP, 3),
            ev(SmscToEsme, CommandId::DELIVER_SM, 1),
            ev(SmscToEsme, CommandId::SUBMIT_SM_RESP, 2),
            // smpplib answers deliver_sm with its own sequence number
            ev(EsmeToSmsc, CommandId::DELIVER_SM_RESP, 7),
            ev(SmscToEsme, CommandId::GENERIC_NACK, 99),
        ];
        let pair = pair_up(&events);
        assert_eq!(
            pair,
            vec![Some(4), Some(2), Some(1), Some(5), Some(0), Some(3), None]
        );
    }
}
