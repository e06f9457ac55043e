//! SMPP framing of one reassembled direction: PDUs with their time stamps, and what went wrong.
//!
//! The octets come from [`super::reassembly`] in stream order; a [`Framer`] cuts them into PDUs.
//! After a gap, after a command_length out of bounds, and at the start of a stream the capture
//! joined midway, octets are skipped up to the next plausible header: a command_length from 16 to
//! the maximum and a command_id SMPP v3.4 defines, the rule of [`Framer::resync`].

use std::collections::VecDeque;

use bytes::{Bytes, BytesMut};

use super::reassembly::Origin;
use crate::error::{DecodeError, DecodeErrorKind};
use crate::framer::Framer;
use crate::pdu::{HEADER_LEN, Header};

/// At most this many octets of a skipped or incomplete run are kept in a [`super::StreamProblem`]'s octets
/// (the counts stay exact).
pub const MAX_PROBLEM_OCTETS: usize = 64 * 1024;

/// Why octets were skipped to find the next PDU header.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SkipCause {
    /// A command_length out of bounds (the error as the codec reports it).
    BadLength(DecodeError),
    /// Octets were missing just before.
    Gap,
    /// The capture joined the connection midway (no SYN): the first octets were not a PDU header.
    StreamStart,
}

/// What cut a PDU short.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Cut {
    /// Octets missing from the stream.
    Gap,
    /// The end of the stream (FIN or RST) or of the capture.
    End,
}

/// What went wrong in a stream.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProblemKind {
    /// `missing` octets of the stream were never captured (TCP reassembly gave the hole up).
    Gap {
        /// How many octets are missing, as far as the sequence numbers tell.
        missing: u64,
    },
    /// `skipped` octets did not start a plausible PDU and were skipped.
    Skipped {
        /// How many octets were skipped.
        skipped: u64,
        /// Why the stream was not at a PDU header.
        cause: SkipCause,
    },
    /// A PDU that the stream does not hold whole.
    Incomplete {
        /// Its command_length, when four octets of it arrived.
        command_length: Option<u32>,
        /// Octets of it that arrived.
        available: u64,
        /// What cut it short.
        cut_by: Cut,
    },
}

impl ProblemKind {
    /// A short name: `gap`, `bad_command_length`, `skipped`, `incomplete`.
    #[must_use]
    pub fn name(&self) -> &'static str {
        match self {
            Self::Gap { .. } => "gap",
            Self::Skipped {
                cause: SkipCause::BadLength(_),
                ..
            } => "bad_command_length",
            Self::Skipped { .. } => "skipped",
            Self::Incomplete { .. } => "incomplete",
        }
    }

    /// The codec's view of the problem, where it has one: the length error that started a skip,
    /// or a `LengthMismatch` / `Truncated` error for an incomplete PDU.
    #[must_use]
    pub fn decode_error(&self, octets: &[u8]) -> Option<DecodeError> {
        match self {
            Self::Skipped {
                cause: SkipCause::BadLength(e),
                ..
            } => Some(e.clone()),
            Self::Incomplete {
                command_length: Some(command_length),
                available,
                ..
            } => Some(DecodeError::new(
                Header::parse(octets),
                0,
                DecodeErrorKind::LengthMismatch {
                    command_length: *command_length,
                    available: usize::try_from(*available).unwrap_or(usize::MAX),
                },
            )),
            Self::Incomplete {
                command_length: None,
                available,
                ..
            } => Some(DecodeError::new(
                None,
                0,
                DecodeErrorKind::Truncated {
                    field: "command_length",
                    needed: 4,
                    available: usize::try_from(*available).unwrap_or(usize::MAX),
                },
            )),
            _ => None,
        }
    }
}

impl std::fmt::Display for ProblemKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Gap { missing } => write!(f, "{missing} octets missing from the capture"),
            Self::Skipped { skipped, cause } => match cause {
                SkipCause::BadLength(e) => write!(
                    f,
                    "{}; skipped {skipped} octets to the next plausible PDU header",
                    e.kind
                ),
                SkipCause::Gap => write!(
                    f,
                    "skipped {skipped} octets after a gap to the next plausible PDU header"
                ),
                SkipCause::StreamStart => write!(
                    f,
                    "the capture starts mid-stream: skipped {skipped} octets to the first plausible PDU header"
                ),
            },
            Self::Incomplete {
                command_length,
                available,
                cut_by,
            } => {
                let what = match command_length {
                    Some(l) => format!("PDU of {l} octets"),
                    None => "PDU".to_owned(),
                };
                let by = match cut_by {
                    Cut::Gap => "a gap",
                    Cut::End => "the end of the stream",
                };
                write!(
                    f,
                    "{what} cut short by {by}: {available} octets of it captured"
                )
            }
        }
    }
}

/// Whether a header could start a PDU: a command_length from 16 to `max` and a command_id SMPP
/// v3.4 defines (the rule of [`Framer::resync`]).
#[must_use]
pub fn plausible_header(header: &Header, max_command_length: u32) -> bool {
    header.command_id.is_known()
        && (HEADER_LEN as u32..=max_command_length.max(HEADER_LEN as u32))
            .contains(&header.command_length)
}

/// What a [`PduStream`] produces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum StreamEvent {
    Pdu {
        offset: u64,
        frame: Bytes,
        first: Origin,
        last: Origin,
        gap_before: bool,
    },
    Problem {
        offset: u64,
        origin: Origin,
        kind: ProblemKind,
        octets: Bytes,
    },
}

#[derive(Debug)]
struct Skipping {
    offset: u64,
    origin: Option<Origin>,
    cause: SkipCause,
    count: u64,
    octets: BytesMut,
}

/// One direction's SMPP framing.
#[derive(Debug)]
pub(crate) struct PduStream {
    framer: Framer,
    /// Stream offset of the framer's first buffered octet.
    start: u64,
    /// End offsets and origins of the chunks whose octets the framer holds.
    marks: VecDeque<(u64, Origin)>,
    /// `Some` while looking for a plausible header.
    skipping: Option<Skipping>,
    gap_before: bool,
    last_origin: Origin,
}

impl PduStream {
    pub(crate) fn new(max_command_length: u32, mid_stream: bool) -> Self {
        Self {
            framer: Framer::new(max_command_length),
            start: 0,
            marks: VecDeque::new(),
            skipping: mid_stream.then(|| Skipping {
                offset: 0,
                origin: None,
                cause: SkipCause::StreamStart,
                count: 0,
                octets: BytesMut::new(),
            }),
            gap_before: false,
            last_origin: Origin::default(),
        }
    }

    fn origin_at(&self, offset: u64) -> Origin {
        self.marks
            .iter()
            .find(|(end, _)| *end > offset)
            .map_or(self.last_origin, |(_, o)| *o)
    }

    /// The earliest and the latest records among those holding octets `from..to`: the one
    /// where the PDU was first seen and the one that completed it.
    fn span(&self, from: u64, to: u64) -> (Origin, Origin) {
        let mut begin = self.start;
        let mut span: Option<(Origin, Origin)> = None;
        for (end, origin) in &self.marks {
            if *end > from && begin < to {
                span = Some(match span {
                    None => (*origin, *origin),
                    Some((a, b)) => (
                        if origin.frame < a.frame { *origin } else { a },
                        if origin.frame > b.frame { *origin } else { b },
                    ),
                });
            }
            if *end >= to {
                break;
            }
            begin = *end;
        }
        span.unwrap_or((self.last_origin, self.last_origin))
    }

    fn advance(&mut self, n: usize) {
        self.start += n as u64;
        while self
            .marks
            .front()
            .is_some_and(|(end, _)| *end <= self.start)
        {
            self.marks.pop_front();
        }
    }

    /// Contiguous octets at `offset` (the end of what came before).
    pub(crate) fn data(
        &mut self,
        offset: u64,
        data: &[u8],
        origin: Origin,
        out: &mut Vec<StreamEvent>,
    ) {
        debug_assert_eq!(offset, self.start + self.framer.buffered() as u64);
        if self.framer.buffered() == 0 {
            self.start = offset;
        }
        self.framer.push(data);
        self.marks.push_back((offset + data.len() as u64, origin));
        self.last_origin = origin;
        self.run(out);
    }

    /// `missing` octets at `offset` will never come.
    pub(crate) fn gap(
        &mut self,
        offset: u64,
        missing: u64,
        origin: Origin,
        out: &mut Vec<StreamEvent>,
    ) {
        self.flush(Cut::Gap, origin, out);
        out.push(StreamEvent::Problem {
            offset,
            origin,
            kind: ProblemKind::Gap { missing },
            octets: Bytes::new(),
        });
        self.start = offset + missing;
        self.marks.clear();
        self.last_origin = origin;
        self.gap_before = true;
        self.skipping = Some(Skipping {
            offset: self.start,
            origin: None,
            cause: SkipCause::Gap,
            count: 0,
            octets: BytesMut::new(),
        });
    }

    /// The stream ends: what is left is an incomplete PDU (or skipped octets).
    pub(crate) fn end(&mut self, origin: Origin, out: &mut Vec<StreamEvent>) {
        self.flush(Cut::End, origin, out);
    }

    fn run(&mut self, out: &mut Vec<StreamEvent>) {
        let max = self.framer.max_command_length();
        loop {
            if let Some(mut skipping) = self.skipping.take() {
                let Some(header) = Header::parse(self.framer.buffered_bytes()) else {
                    self.skipping = Some(skipping);
                    return;
                };
                if plausible_header(&header, max) {
                    self.emit_skip(skipping, out);
                    continue;
                }
                let room = MAX_PROBLEM_OCTETS.saturating_sub(skipping.octets.len());
                let buffered = self.framer.buffered_bytes();
                let mut kept = BytesMut::from(&buffered[..room.min(buffered.len())]);
                let dropped = self.framer.resync();
                kept.truncate(dropped);
                if skipping.origin.is_none() {
                    skipping.origin = Some(self.origin_at(self.start));
                }
                skipping.count += dropped as u64;
                skipping.octets.extend_from_slice(&kept);
                self.advance(dropped);
                self.skipping = Some(skipping);
                continue;
            }
            match self.framer.next_frame() {
                None => return,
                Some(Ok(frame)) => {
                    let len = frame.len();
                    let (first, last) = self.span(self.start, self.start + len as u64);
                    out.push(StreamEvent::Pdu {
                        offset: self.start,
                        frame,
                        first,
                        last,
                        gap_before: std::mem::take(&mut self.gap_before),
                    });
                    self.advance(len);
                }
                Some(Err(error)) => {
                    self.skipping = Some(Skipping {
                        offset: self.start,
                        origin: Some(self.origin_at(self.start)),
                        cause: SkipCause::BadLength(error),
                        count: 0,
                        octets: BytesMut::new(),
                    });
                }
            }
        }
    }

    fn emit_skip(&mut self, s: Skipping, out: &mut Vec<StreamEvent>) {
        if s.count == 0 && !matches!(s.cause, SkipCause::BadLength(_)) {
            return;
        }
        self.gap_before = true;
        out.push(StreamEvent::Problem {
            offset: s.offset,
            origin: s.origin.unwrap_or(self.last_origin),
            kind: ProblemKind::Skipped {
                skipped: s.count,
                cause: s.cause,
            },
            octets: s.octets.freeze(),
        });
    }

    fn flush(&mut self, cut_by: Cut, origin: Origin, out: &mut Vec<StreamEvent>) {
        let rest = self.framer.take_remaining();
        let first = if rest.is_empty() {
            origin
        } else {
            self.origin_at(self.start)
        };
        if let Some(mut s) = self.skipping.take() {
            if s.origin.is_none() && !rest.is_empty() {
                s.origin = Some(first);
            }
            s.count += rest.len() as u64;
            let room = MAX_PROBLEM_OCTETS.saturating_sub(s.octets.len());
            s.octets.extend_from_slice(&rest[..room.min(rest.len())]);
            self.emit_skip(s, out);
        } else if !rest.is_empty() {
            let command_length = rest
                .get(..4)
                .and_then(|l| l.try_into().ok())
                .map(u32::from_be_bytes);
            out.push(StreamEvent::Problem {
                offset: self.start,
                origin: first,
                kind: ProblemKind::Incomplete {
                    command_length,
                    available: rest.len() as u64,
                    cut_by,
                },
                octets: rest.slice(..rest.len().min(MAX_PROBLEM_OCTETS)),
            });
        }
        self.advance(rest.len());
        self.marks.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    const ENQ: [u8; 16] = [0, 0, 0, 0x10, 0, 0, 0, 0x15, 0, 0, 0, 0, 0, 0, 0, 1];

    fn o(frame: u64) -> Origin {
        Origin {
            ts: Duration::from_secs(frame),
            frame,
        }
    }

    fn names(out: &[StreamEvent]) -> Vec<String> {
        out.iter()
            .map(|e| match e {
                StreamEvent::Pdu {
                    offset,
                    first,
                    last,
                    gap_before,
                    ..
                } => format!(
                    "pdu@{offset} {}-{}{}",
                    first.frame,
                    last.frame,
                    if *gap_before { " gap" } else { "" }
                ),
                StreamEvent::Problem { offset, kind, .. } => format!("{}@{offset}", kind.name()),
            })
            .collect()
    }

    #[test]
    fn split_header_and_coalesced_pdus_keep_their_origins() {
        let mut s = PduStream::new(4096, false);
        let mut out = Vec::new();
        s.data(0, &ENQ[..3], o(1), &mut out);
        s.data(3, &ENQ[3..], o(2), &mut out);
        let two = [ENQ, ENQ].concat();
        s.data(16, &two, o(3), &mut out);
        s.end(o(4), &mut out);
        assert_eq!(names(&out), ["pdu@0 1-2", "pdu@16 3-3", "pdu@32 3-3"]);
    }

    #[test]
    fn gap_then_resync() {
        let mut s = PduStream::new(4096, false);
        let mut out = Vec::new();
        s.data(0, &ENQ[..10], o(1), &mut out);
        s.gap(10, 6, o(2), &mut out);
        // tail of some PDU, then a whole one
        let mut after = vec![0xff; 5];
        after.extend_from_slice(&ENQ);
        s.data(16, &after, o(3), &mut out);
        s.end(o(4), &mut out);
        assert_eq!(
            names(&out),
            ["incomplete@0", "gap@10", "skipped@16", "pdu@21 3-3 gap"]
        );
    }

    #[test]
    fn bad_length_then_resync_and_mid_stream_start() {
        let mut s = PduStream::new(4096, true);
        let mut out = Vec::new();
        let mut input = vec![1, 2, 3];
        input.extend_from_slice(&ENQ);
        input.extend_from_slice(&[0, 0, 0, 3]);
        input.extend_from_slice(&ENQ);
        input.extend_from_slice(&ENQ[..7]);
        s.data(0, &input, o(1), &mut out);
        s.end(o(2), &mut out);
        assert_eq!(
            names(&out),
            [
                "skipped@0",
                "pdu@3 1-1 gap",
                "bad_command_length@19",
                "pdu@23 1-1 gap",
                "incomplete@39"
            ]
        );
        let StreamEvent::Problem { kind, octets, .. } = &out[4] else {
            panic!()
        };
        assert_eq!(octets.len(), 7);
        assert_eq!(
            kind.decode_error(octets).unwrap().kind,
            DecodeErrorKind::LengthMismatch {
                command_length: 16,
                available: 7
            }
        );
    }
}
