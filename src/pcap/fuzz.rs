//! The `pcap` fuzz body: arbitrary bytes through the capture reader, TCP reassembly, SMPP
//! framing, decoding, rendering and statistics, with small limits so memory stays bounded.

use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4};
use std::time::Duration;

use super::read::{Capture, ReadOptions, Record};
use super::stats::Stats;
use super::{PcapWriter, TcpFlags, TcpSegment};
use crate::DecodeOptions;
use crate::dump::{CapturedItem, DumpOptions};

/// The limits the fuzz body reads with: every buffer small, so a run stays within a few MiB.
fn options() -> ReadOptions {
    ReadOptions::default()
        .with_any_port(true)
        .with_max_buffered(1 << 14)
        .with_max_record_len(1 << 16)
        .with_max_connections(8)
        .with_max_notes(8)
        .with_max_command_length(4096)
}

/// Arbitrary bytes three ways: as a capture file; as the records of a legacy pcap of the link
/// type `data[0]` picks (each record: a length octet, then that many octets); and as a script of
/// TCP segments between two hosts written with the pcap writer (so the fuzzer reaches the
/// reassembly without having to build IP and TCP headers). Nothing may panic.
#[doc(hidden)]
pub fn fuzz_pcap(data: &[u8]) {
    read_all(data.to_vec());
    if let Some((&selector, rest)) = data.split_first() {
        read_all(records(selector, rest));
        read_all(segments(selector, rest));
    }
}

fn read_all(bytes: Vec<u8>) {
    let opts = options();
    let Ok(mut capture) = Capture::from_bytes_with(bytes, opts) else {
        return;
    };
    let mut stats = Stats::default();
    let dump = DumpOptions::default();
    for record in capture.by_ref() {
        if let Record::Pdu(p) = &record {
            assert!(p.frame.len() >= 16 && p.frame.len() <= opts.max_command_length as usize);
            assert!(p.first_frame_number <= p.frame_number);
            assert!(p.first_ts <= p.ts || p.first_frame_number < p.frame_number);
        }
        stats.add(&record);
        let item = CapturedItem::new(record, DecodeOptions::LENIENT);
        let _ = item.to_json(&dump);
        let _ = item.to_text(&dump);
    }
    let summary = capture.summary();
    assert!(summary.notes.len() <= opts.max_notes);
    for conn in capture.connections() {
        assert!(conn.first_frame <= conn.last_frame);
    }
    let _ = stats.to_json();
    let _ = stats.to_table();
}

const LINK_TYPES: [u32; 10] = [1, 0, 101, 12, 108, 113, 228, 229, 276, 147];

/// A legacy pcap header for a link type picked by `selector`, then records of `rest`.
fn records(selector: u8, rest: &[u8]) -> Vec<u8> {
    let link_type = LINK_TYPES[usize::from(selector) % LINK_TYPES.len()];
    let big_endian = selector & 0x80 != 0;
    let u32b = |v: u32| {
        if big_endian {
            v.to_be_bytes()
        } else {
            v.to_le_bytes()
        }
    };
    let mut out = Vec::with_capacity(rest.len() * 2 + 24);
    let magic = if selector & 0x40 != 0 {
        0xa1b2_3c4d
    } else {
        0xa1b2_c3d4
    };
    out.extend_from_slice(&u32b(magic));
    let (major, minor) = (2u16, 4u16);
    if big_endian {
        out.extend_from_slice(&major.to_be_bytes());
        out.extend_from_slice(&minor.to_be_bytes());
    } else {
        out.extend_from_slice(&major.to_le_bytes());
        out.extend_from_slice(&minor.to_le_bytes());
    }
    out.extend_from_slice(&[0; 8]);
    out.extend_from_slice(&u32b(65_535));
    out.extend_from_slice(&u32b(link_type));
    let mut rest = rest;
    let mut ts = 0u32;
    while let Some((&len, tail)) = rest.split_first() {
        let take = usize::from(len).min(tail.len());
        let (record, tail) = tail.split_at(take);
        ts = ts.wrapping_add(u32::from(len));
        out.extend_from_slice(&u32b(ts));
        out.extend_from_slice(&u32b(0));
        out.extend_from_slice(&u32b(take as u32));
        // Claim more than captured now and then (snapshot length truncation).
        out.extend_from_slice(&u32b(take as u32 + u32::from(len & 1) * 7));
        out.extend_from_slice(record);
        rest = tail;
    }
    out
}

/// TCP segments between 10.0.0.1 and 10.0.0.2:2775 scripted by `rest`: each op is a flags
/// octet (bit 0 direction, 1 SYN, 2 FIN, 3 RST, 4 ACK, 5-7 how far to move the sequence
/// number), a length octet and the payload.
fn segments(selector: u8, rest: &[u8]) -> Vec<u8> {
    let Ok(mut pcap) = PcapWriter::new(Vec::new()) else {
        return Vec::new();
    };
    let hosts: [SocketAddr; 2] = [
        SocketAddrV4::new(Ipv4Addr::new(10, 0, 0, 1), 40_000).into(),
        SocketAddrV4::new(Ipv4Addr::new(10, 0, 0, 2), 2775).into(),
    ];
    // Start near the wrap-around now and then.
    let start = if selector & 1 != 0 {
        u32::MAX - 100
    } else {
        1_000
    };
    let mut next = [start, start.wrapping_add(7_777)];
    let mut rest = rest;
    let mut t = 0u64;
    while let [flags, len, tail @ ..] = rest {
        let take = usize::from(*len).min(tail.len());
        let (payload, tail) = tail.split_at(take);
        rest = tail;
        let dir = usize::from(flags & 1);
        // Moves of -64..=+48 octets around the expected sequence number.
        let shift = i64::from(flags >> 5) * 16 - 64;
        let seq = next[dir].wrapping_add(shift as u32);
        let segment = TcpSegment {
            src: hosts[dir],
            dst: hosts[1 - dir],
            seq,
            ack: (flags & 0x10 != 0).then_some(next[1 - dir]),
            flags: TcpFlags {
                syn: flags & 2 != 0,
                fin: flags & 4 != 0,
                rst: flags & 8 != 0,
                psh: true,
            },
            window: 1_000,
            mss_option: None,
            payload,
        };
        t += 1;
        if pcap
            .write_segment(Duration::from_millis(t), &segment)
            .is_err()
        {
            break;
        }
        next[dir] = seq.wrapping_add(payload.len() as u32);
    }
    pcap.into_inner()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small deterministic generator (xorshift) for the smoke runs below.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
    }

    fn fixtures() -> Vec<Vec<u8>> {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/pcap/synthetic");
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect())
            .unwrap_or_default();
        files.sort();
        files.iter().filter_map(|p| std::fs::read(p).ok()).collect()
    }

    #[test]
    fn fixtures_and_their_mutations() {
        let mut rng = Rng(0x5eed);
        for bytes in fixtures() {
            fuzz_pcap(&bytes);
            for _ in 0..25 {
                let mut m = bytes.clone();
                for _ in 0..1 + rng.next() % 4 {
                    let i = (rng.next() as usize) % m.len();
                    m[i] = rng.next() as u8;
                }
                if rng.next().is_multiple_of(4) {
                    let cut = (rng.next() as usize) % m.len();
                    m.truncate(cut);
                }
                fuzz_pcap(&m);
            }
        }
    }

    /// Inputs the fuzzer found crashing once, kept in `fixtures/pcap/fuzz/`.
    #[test]
    fn regressions() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/pcap/fuzz");
        let mut n = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let data = std::fs::read(entry.unwrap().path()).unwrap();
            fuzz_pcap(&data);
            n += 1;
        }
        assert!(n > 0);
    }

    #[test]
    fn random_scripts() {
        let mut rng = Rng(42);
        for _ in 0..300 {
            let len = (rng.next() % 600) as usize;
            let mut data: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
            // Sprinkle SMPP headers so the framing is reached.
            for _ in 0..rng.next() % 6 {
                if data.len() > 20 {
                    let at = (rng.next() as usize) % (data.len() - 16);
                    let id = [0x04u8, 0x15, 0x09, 0x0b][(rng.next() % 4) as usize];
                    let header = [0, 0, 0, 16 + (rng.next() % 40) as u8, 0, 0, 0, id];
                    data[at..at + 8].copy_from_slice(&header);
                }
            }
            fuzz_pcap(&data);
        }
    }

    #[test]
    fn scripted_segments_reach_the_framing() {
        // One ESME → SMSC segment holding an enquire_link, then a pure ACK back.
        let mut script = vec![0u8, 0x90, 16];
        script.extend_from_slice(&[0, 0, 0, 16, 0, 0, 0, 0x15, 0, 0, 0, 0, 0, 0, 0, 1]);
        script.extend_from_slice(&[0x91, 0]);
        let capture = Capture::from_bytes_with(segments(0, &script[1..]), options()).unwrap();
        let pdus: Vec<_> = capture.filter_map(Record::into_pdu).collect();
        assert_eq!(pdus.len(), 1);
        fuzz_pcap(&script);
    }
}
