//! TCP reassembly of one direction of a connection: sequence numbers in, a contiguous stream out.
//!
//! The rules, in order of arrival of each segment:
//!
//! * **Stream start.** A SYN sets the initial sequence number (data starts at ISN + 1). Without a
//!   SYN the first segment carrying data starts the stream (octets that arrive later with lower
//!   sequence numbers are dropped as [`Counters::outside_stream`]).
//! * **Wrap-around.** Sequence numbers are read relative to the next expected one, as a signed
//!   32-bit distance, so a stream may run through 2³² and on: offsets are 64-bit.
//! * **In order.** A segment starting at the next expected offset is delivered at once, then every
//!   buffered segment it makes contiguous.
//! * **Out of order.** A segment starting beyond the next expected offset is buffered until the gap
//!   before it fills.
//! * **Retransmissions and overlaps.** The first copy of an octet wins. Octets already delivered or
//!   already buffered are dropped; where the dropped copy can still be compared (buffered octets,
//!   or the last [`HISTORY`] delivered octets) and differs, that is counted as a conflict.
//! * **Gaps.** When the peer acknowledges octets beyond a hole (it received what the capture
//!   missed: no retransmission will come), when more than `max_buffered` octets wait beyond a
//!   hole, or at the end (RST, end of the capture), the hole is given up: a [`Delivery::Gap`] says how many octets are
//!   missing and the stream goes on after it. A segment whose end the capture did not keep
//!   (snapshot length) leaves a gap of the octets it lacks as soon as it is delivered.
//! * **End.** Data beyond a FIN is ignored.

use std::collections::BTreeMap;
use std::time::Duration;

use bytes::{Bytes, BytesMut};

/// How many delivered octets are kept to compare retransmissions with.
pub(crate) const HISTORY: usize = 8 * 1024;

/// Where an octet or an event came from: the capture record and its time stamp.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Origin {
    pub ts: Duration,
    /// 1-based number of the record in the capture.
    pub frame: u64,
}

/// What the reassembler hands on, in stream order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Delivery {
    /// Contiguous octets starting at `offset`.
    Data {
        offset: u64,
        data: Bytes,
        origin: Origin,
    },
    /// `missing` octets starting at `offset` will never come.
    Gap {
        offset: u64,
        missing: u64,
        origin: Origin,
    },
}

/// Counters of one direction.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counters {
    /// Segments with payload seen.
    pub segments: u64,
    /// Payload octets delivered in order.
    pub octets: u64,
    /// Segments that arrived beyond a hole and were buffered.
    pub out_of_order: u64,
    /// Segments all of whose octets had been seen already.
    pub retransmissions: u64,
    /// Segments part of whose octets had been seen already.
    pub overlaps: u64,
    /// Overlapping octets that differed from the first copy (which was kept).
    pub conflicts: u64,
    /// Holes given up.
    pub gaps: u64,
    /// Octets in the holes given up (as far as known).
    pub missing_octets: u64,
    /// Octets dropped because they came before the start of the stream or after its FIN.
    pub outside_stream: u64,
}

#[derive(Debug, Clone)]
struct Chunk {
    data: Bytes,
    origin: Origin,
}

/// One direction's reassembly state.
#[derive(Debug)]
pub(crate) struct Reassembler {
    /// Sequence number of stream offset 0.
    base: Option<u32>,
    /// Whether `base` came from a SYN.
    syn_seen: bool,
    /// Stream offset of the next octet to deliver.
    delivered: u64,
    /// Out-of-order chunks by stream offset: non-overlapping, all beyond `delivered`.
    pending: BTreeMap<u64, Chunk>,
    pending_octets: usize,
    max_buffered: usize,
    /// The last delivered octets (at most 2 × HISTORY), ending at `delivered`.
    history: BytesMut,
    /// Stream offset of the FIN, when seen.
    fin: Option<u64>,
    /// The highest stream offset the peer acknowledged.
    acked: u64,
    pub(crate) counters: Counters,
}

impl Reassembler {
    pub(crate) fn new(max_buffered: usize) -> Self {
        Self {
            base: None,
            syn_seen: false,
            delivered: 0,
            pending: BTreeMap::new(),
            pending_octets: 0,
            max_buffered,
            history: BytesMut::new(),
            fin: None,
            acked: 0,
            counters: Counters::default(),
        }
    }

    /// Whether a SYN started this direction.
    pub(crate) fn syn_seen(&self) -> bool {
        self.syn_seen
    }

    /// The SYN's sequence number (the ISN), when a SYN was seen.
    pub(crate) fn isn(&self) -> Option<u32> {
        self.base
            .filter(|_| self.syn_seen)
            .map(|b| b.wrapping_sub(1))
    }

    /// Whether every octet up to the FIN has been delivered (or given up).
    pub(crate) fn finished(&self) -> bool {
        self.fin.is_some_and(|f| self.delivered >= f)
    }

    /// The signed distance of `seq` from the next expected octet, as a stream offset.
    fn offset_of(&self, base: u32, seq: u32) -> i128 {
        // `delivered` modulo 2³² is where the next octet's sequence number sits.
        #[allow(clippy::cast_possible_truncation)]
        let next_seq = base.wrapping_add(self.delivered as u32);
        #[allow(clippy::cast_possible_wrap)]
        let distance = seq.wrapping_sub(next_seq) as i32;
        i128::from(self.delivered) + i128::from(distance)
    }

    /// A SYN with sequence number `isn` (data starts at `isn + 1`).
    pub(crate) fn syn(&mut self, isn: u32) {
        if self.syn_seen || self.delivered > 0 || !self.pending.is_empty() {
            // A retransmitted SYN, or one that comes after the data it starts: keep going.
            if !self.syn_seen && self.base == Some(isn.wrapping_add(1)) {
                self.syn_seen = true;
            }
            return;
        }
        self.base = Some(isn.wrapping_add(1));
        self.syn_seen = true;
    }

    /// A FIN in a segment whose first octet has sequence number `seq` and which carries
    /// `payload_len` octets.
    pub(crate) fn fin(&mut self, seq: u32, payload_len: usize) {
        let base = *self.base.get_or_insert(seq);
        let end = self.offset_of(base, seq) + payload_len as i128;
        if self.fin.is_none() && end >= 0 {
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let end = end as u64;
            self.fin = Some(end.max(self.delivered));
        }
    }

    /// A segment whose payload starts at `seq`: `data` was captured, then `lost` more octets
    /// were on the wire but not in the capture.
    pub(crate) fn segment(
        &mut self,
        seq: u32,
        data: Bytes,
        lost: u32,
        origin: Origin,
        out: &mut Vec<Delivery>,
    ) {
        if data.is_empty() && lost == 0 {
            return;
        }
        self.counters.segments += 1;
        let base = *self.base.get_or_insert(seq);
        let start = self.offset_of(base, seq);
        let full_end = start + data.len() as i128 + i128::from(lost);
        // Clip to [0, fin).
        let mut data = data;
        let mut start = start;
        if start < 0 {
            let cut = usize::try_from(-start)
                .unwrap_or(usize::MAX)
                .min(data.len());
            self.counters.outside_stream += cut as u64;
            data = data.slice(cut..);
            start = 0;
        }
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let mut start = start as u64;
        let mut lost = lost;
        if let Some(fin) = self.fin {
            let end = start + data.len() as u64;
            if end > fin {
                let keep = usize::try_from(fin.saturating_sub(start)).unwrap_or(0);
                let keep = keep.min(data.len());
                self.counters.outside_stream += (data.len() - keep) as u64;
                data = data.slice(..keep);
            }
            let end = start + data.len() as u64;
            lost = u32::try_from(u64::from(lost).min(fin.saturating_sub(end))).unwrap_or(0);
        }
        if data.is_empty() && lost == 0 {
            return;
        }
        // Octets already delivered: compare what the history still holds, drop them.
        let mut seen_before = false;
        if start < self.delivered {
            let overlap = usize::try_from(self.delivered - start)
                .unwrap_or(usize::MAX)
                .min(data.len());
            self.compare_with_history(start, &data[..overlap]);
            let fully_seen = full_end <= i128::from(self.delivered);
            if fully_seen {
                self.counters.retransmissions += 1;
                return;
            }
            data = data.slice(overlap..);
            start += overlap as u64;
            if data.is_empty() {
                // Only the lost tail reaches beyond what was delivered: nothing to add.
                self.counters.overlaps += 1;
                return;
            }
            seen_before = true;
        }
        if start == self.delivered {
            let end = start + data.len() as u64;
            if self.pending.is_empty() {
                self.deliver(data, origin, out);
            } else {
                // Buffered octets it overlaps were there first: merge, then deliver in order.
                let (overlapped, _) = self.buffer(start, data, origin);
                seen_before |= overlapped;
                self.drain(out);
            }
            if seen_before {
                self.counters.overlaps += 1;
            }
            if lost > 0 && self.delivered == end {
                let next = self.pending.first_key_value().map_or(u64::MAX, |(k, _)| *k);
                let missing = u64::from(lost).min(next - self.delivered);
                self.give_up(missing, origin, out);
                self.drain(out);
            }
        } else {
            let (overlapped, added) = self.buffer(start, data, origin);
            if !added {
                self.counters.retransmissions += 1;
            } else if overlapped || seen_before {
                self.counters.overlaps += 1;
                self.counters.out_of_order += 1;
            } else {
                self.counters.out_of_order += 1;
            }
            while self.pending_octets > self.max_buffered {
                self.skip_hole(out);
            }
            self.skip_acked_holes(out);
        }
    }

    /// The peer acknowledged everything before sequence number `ack`: holes before it were
    /// received by the peer but missed by the capture, and are given up.
    pub(crate) fn ack(&mut self, ack: u32, out: &mut Vec<Delivery>) {
        let Some(base) = self.base else {
            return;
        };
        let offset = self.offset_of(base, ack);
        if offset > i128::from(self.delivered) {
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let offset = offset as u64;
            self.acked = self.acked.max(offset);
            self.skip_acked_holes(out);
        }
    }

    fn skip_acked_holes(&mut self, out: &mut Vec<Delivery>) {
        while self.acked > self.delivered && !self.pending.is_empty() {
            self.skip_hole(out);
        }
    }

    /// Gives up every hole: delivers all that is buffered, with gaps where octets are missing,
    /// up to the FIN when one was seen.
    pub(crate) fn finish(&mut self, origin: Origin, out: &mut Vec<Delivery>) {
        while !self.pending.is_empty() {
            self.skip_hole(out);
        }
        if let Some(fin) = self.fin
            && fin > self.delivered
        {
            let missing = fin - self.delivered;
            self.give_up(missing, origin, out);
        }
        self.history = BytesMut::new();
    }

    /// Drops every buffer (the stream is over); the counters stay.
    pub(crate) fn release(&mut self) {
        self.pending = BTreeMap::new();
        self.pending_octets = 0;
        self.history = BytesMut::new();
    }

    fn compare_with_history(&mut self, start: u64, copy: &[u8]) {
        let hist_start = self.delivered - self.history.len() as u64;
        let from = start.max(hist_start);
        let to = start + copy.len() as u64;
        if from >= to {
            return;
        }
        let h = &self.history[usize::try_from(from - hist_start).unwrap_or(0)..];
        let c = &copy[usize::try_from(from - start).unwrap_or(0)..];
        let differing = h.iter().zip(c).filter(|(a, b)| a != b).count();
        self.counters.conflicts += differing as u64;
    }

    fn deliver(&mut self, data: Bytes, origin: Origin, out: &mut Vec<Delivery>) {
        if data.is_empty() {
            return;
        }
        self.history.extend_from_slice(&data);
        if self.history.len() > 2 * HISTORY {
            let excess = self.history.len() - HISTORY;
            let _ = self.history.split_to(excess);
        }
        let offset = self.delivered;
        self.delivered += data.len() as u64;
        self.counters.octets += data.len() as u64;
        out.push(Delivery::Data {
            offset,
            data,
            origin,
        });
    }

    fn give_up(&mut self, missing: u64, origin: Origin, out: &mut Vec<Delivery>) {
        out.push(Delivery::Gap {
            offset: self.delivered,
            missing,
            origin,
        });
        self.counters.gaps += 1;
        self.counters.missing_octets += missing;
        self.delivered += missing;
        self.history.clear();
    }

    /// Stores `data` at `start` (>= delivered) where no buffered chunk holds those octets yet.
    /// Returns whether it overlapped buffered octets and whether any of its octets were new.
    fn buffer(&mut self, start: u64, data: Bytes, origin: Origin) -> (bool, bool) {
        let end = start + data.len() as u64;
        let mut overlapped = false;
        let mut cursor = start;
        let mut pieces: Vec<(u64, Bytes)> = Vec::new();
        // Chunks overlapping [start, end): the last one starting before `start` and those inside.
        let first = self
            .pending
            .range(..start)
            .next_back()
            .map(|(k, _)| *k)
            .unwrap_or(start);
        let overlapping: Vec<(u64, u64)> = self
            .pending
            .range(first..end)
            .map(|(k, c)| (*k, *k + c.data.len() as u64))
            .filter(|&(_, e)| e > start)
            .collect();
        for (k, e) in overlapping {
            if k > cursor {
                let from = usize::try_from(cursor - start).unwrap_or(0);
                let to = usize::try_from(k - start).unwrap_or(0);
                pieces.push((cursor, data.slice(from..to)));
            }
            // Compare the overlap [max(k, start), min(e, end)).
            let (os, oe) = (k.max(start), e.min(end));
            if let Some(chunk) = self.pending.get(&k) {
                let theirs = &chunk.data
                    [usize::try_from(os - k).unwrap_or(0)..usize::try_from(oe - k).unwrap_or(0)];
                let ours = &data[usize::try_from(os - start).unwrap_or(0)
                    ..usize::try_from(oe - start).unwrap_or(0)];
                let differing = theirs.iter().zip(ours).filter(|(a, b)| a != b).count();
                self.counters.conflicts += differing as u64;
            }
            overlapped = true;
            cursor = cursor.max(e);
        }
        if cursor < end {
            let from = usize::try_from(cursor - start).unwrap_or(0);
            pieces.push((cursor, data.slice(from..)));
        }
        let added = !pieces.is_empty();
        for (at, piece) in pieces {
            self.pending_octets += piece.len();
            self.pending.insert(
                at,
                Chunk {
                    data: piece,
                    origin,
                },
            );
        }
        (overlapped, added)
    }

    /// Delivers the buffered chunks that have become contiguous.
    fn drain(&mut self, out: &mut Vec<Delivery>) {
        while let Some(entry) = self.pending.first_entry() {
            let at = *entry.key();
            if at > self.delivered {
                break;
            }
            let chunk = entry.remove();
            self.pending_octets -= chunk.data.len();
            let skip = usize::try_from(self.delivered - at).unwrap_or(usize::MAX);
            if skip < chunk.data.len() {
                self.deliver(chunk.data.slice(skip..), chunk.origin, out);
            }
        }
    }

    /// Gives up the hole before the first buffered chunk and delivers what follows it.
    fn skip_hole(&mut self, out: &mut Vec<Delivery>) {
        let Some((&at, chunk)) = self.pending.first_key_value() else {
            return;
        };
        if at > self.delivered {
            let origin = chunk.origin;
            self.give_up(at - self.delivered, origin, out);
        }
        self.drain(out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn o(frame: u64) -> Origin {
        Origin {
            ts: Duration::from_millis(frame),
            frame,
        }
    }

    /// Runs segments (seq, data) and returns the stream with '_' for missing octets.
    fn stream(r: &mut Reassembler, segs: &[(u32, &[u8])]) -> String {
        let mut out = Vec::new();
        for (i, (seq, data)) in segs.iter().enumerate() {
            r.segment(
                *seq,
                Bytes::copy_from_slice(data),
                0,
                o(i as u64 + 1),
                &mut out,
            );
        }
        r.finish(o(99), &mut out);
        render(&out)
    }

    fn render(out: &[Delivery]) -> String {
        let mut s = String::new();
        let mut at = 0;
        for d in out {
            match d {
                Delivery::Data { offset, data, .. } => {
                    assert_eq!(*offset, at);
                    s.push_str(std::str::from_utf8(data).unwrap());
                    at += data.len() as u64;
                }
                Delivery::Gap {
                    offset, missing, ..
                } => {
                    assert_eq!(*offset, at);
                    s.push_str(&"_".repeat(usize::try_from(*missing).unwrap()));
                    at += missing;
                }
            }
        }
        s
    }

    #[test]
    fn in_order_out_of_order_and_retransmission() {
        let mut r = Reassembler::new(1000);
        r.syn(99);
        assert_eq!(
            stream(
                &mut r,
                &[
                    (100, b"abc"),
                    (106, b"ghi"),
                    (103, b"def"),
                    (103, b"def"),
                    (109, b"j")
                ]
            ),
            "abcdefghij"
        );
        assert_eq!(r.counters.out_of_order, 1);
        assert_eq!(r.counters.retransmissions, 1);
        assert_eq!(r.counters.conflicts, 0);
    }

    #[test]
    fn overlaps_first_copy_wins() {
        let mut r = Reassembler::new(1000);
        r.syn(0);
        assert_eq!(
            stream(
                &mut r,
                &[(1, b"abcd"), (7, b"ghij"), (3, b"XXefGH"), (10, b"Jk")]
            ),
            "abcdefghijk"
        );
        // "XX" against "cd" and "GH" against "gh", then "J" against "j".
        assert_eq!(r.counters.conflicts, 5);
        assert_eq!(r.counters.overlaps, 2);
    }

    #[test]
    fn gap_given_up_at_the_end_and_on_overflow() {
        let mut r = Reassembler::new(1000);
        r.syn(0);
        assert_eq!(stream(&mut r, &[(1, b"ab"), (5, b"ef")]), "ab__ef");
        assert_eq!((r.counters.gaps, r.counters.missing_octets), (1, 2));

        let mut r = Reassembler::new(4);
        r.syn(0);
        let mut out = Vec::new();
        r.segment(1, Bytes::from_static(b"ab"), 0, o(1), &mut out);
        r.segment(5, Bytes::from_static(b"ef"), 0, o(2), &mut out);
        r.segment(7, Bytes::from_static(b"gh"), 0, o(3), &mut out);
        assert_eq!(render(&out), "ab");
        r.segment(9, Bytes::from_static(b"i"), 0, o(4), &mut out);
        assert_eq!(
            render(&out),
            "ab__efghi",
            "the hole is given up beyond 4 octets"
        );
        // The missing octets arriving late are old news.
        r.segment(3, Bytes::from_static(b"cd"), 0, o(5), &mut out);
        assert_eq!(r.counters.retransmissions, 1);
    }

    #[test]
    fn wrap_around_and_no_syn() {
        let mut r = Reassembler::new(1000);
        assert_eq!(
            stream(
                &mut r,
                &[
                    (u32::MAX - 2, b"abc"),
                    (u32::MAX.wrapping_add(2), b"ef"),
                    (u32::MAX.wrapping_add(1), b"d"),
                    (u32::MAX - 5, b"zzz")
                ]
            ),
            "abcdef"
        );
        assert_eq!(r.counters.outside_stream, 3);
    }

    #[test]
    fn fin_and_lost_tail() {
        let mut r = Reassembler::new(1000);
        r.syn(0);
        let mut out = Vec::new();
        r.segment(1, Bytes::from_static(b"abc"), 2, o(1), &mut out);
        r.segment(6, Bytes::from_static(b"fg"), 0, o(2), &mut out);
        r.fin(8, 0);
        r.segment(8, Bytes::from_static(b"after"), 0, o(3), &mut out);
        assert!(r.finished());
        r.finish(o(4), &mut out);
        assert_eq!(render(&out), "abc__fg");

        let mut r = Reassembler::new(1000);
        r.syn(0);
        let mut out = Vec::new();
        r.segment(1, Bytes::from_static(b"ab"), 0, o(1), &mut out);
        r.fin(10, 0);
        assert!(!r.finished());
        r.finish(o(2), &mut out);
        assert_eq!(render(&out), "ab_______");
    }

    #[test]
    fn an_ack_beyond_a_hole_gives_it_up() {
        let mut r = Reassembler::new(1000);
        r.syn(0);
        let mut out = Vec::new();
        r.segment(1, Bytes::from_static(b"ab"), 0, o(1), &mut out);
        r.segment(5, Bytes::from_static(b"ef"), 0, o(2), &mut out);
        r.ack(3, &mut out);
        assert_eq!(
            render(&out),
            "ab",
            "the peer has not got beyond the hole yet"
        );
        r.ack(4, &mut out);
        assert_eq!(render(&out), "ab__ef");
        // Acknowledged but never captured: the next segment is not waited for.
        r.ack(20, &mut out);
        r.segment(10, Bytes::from_static(b"jk"), 0, o(3), &mut out);
        assert_eq!(render(&out), "ab__ef___jk");
    }

    #[test]
    fn syn_after_data_and_retransmitted_syn() {
        let mut r = Reassembler::new(1000);
        r.syn(10);
        r.syn(10);
        assert_eq!(r.isn(), Some(10));
        let mut r = Reassembler::new(1000);
        let mut out = Vec::new();
        r.segment(11, Bytes::from_static(b"a"), 0, o(1), &mut out);
        r.syn(10);
        assert!(r.syn_seen());
    }
}
