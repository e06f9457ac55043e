//! Codec benchmarks: `smpp` (this crate) side by side with `smpp34` 1.5 and
//! `rusmpp` 0.4, on the same byte vectors, in the same run.
//!
//! Benchmark ids are `<operation>/<pdu>/<implementation>` (criterion group =
//! operation, function = pdu, parameter = implementation), with throughput in
//! elements (PDUs), so `benches/report.py` can read `target/criterion` and
//! print PDUs/s per implementation.
//!
//! * `decode/<pdu>/*`: one whole PDU (bytes) -> a fully typed PDU that owns or
//!   references its data, TLVs included. The decoded value is dropped inside
//!   the timed region for every implementation.
//! * `encode/<pdu>/*`: typed PDU -> wire bytes, into a reused output buffer
//!   where the API allows it.
//! * `decode/mixed_stream/*`: `MIXED_STREAM_PDUS` PDUs cycling through the four
//!   vectors, concatenated, handed over as one `&[u8]` (as if from one socket
//!   read), moved into the buffer each implementation's stream decoder works
//!   on (one memcpy, for all three), then split and decoded PDU by PDU.
//!   Throughput = number of PDUs in the stream.
//!
//! What each API forces (also repeated at each call site):
//!
//! * `smpp`: `Command::decode(&Bytes)` borrows a frame; `encode(&self, &mut
//!   impl BufMut)` appends to a caller-owned buffer (reused here).
//! * `smpp34`: `CommandHeader::decode(&[u8])` then a per-type
//!   `<type>::decode(header, &[u8])`; there is no PDU enum, so the bench
//!   dispatches on `command_id` (as smpp34's own session loop does). Decode
//!   copies every field: one `String` per C-octet string (via
//!   `from_utf8_lossy(..).to_string()`), a `Vec` for short_message, a `Vec<Tlv>`
//!   with one `Vec<u8>` per TLV value. `encode(self) -> Vec<u8>` consumes the
//!   PDU (so the bench clones it in untimed setup; the drop of the consumed
//!   fields happens inside encode and is timed) and allocates a fresh `Vec`
//!   per call, plus temporary `Vec`s for the header and the TLVs. smpp34 has
//!   no public framer (`frame_first_pdu` is `pub(crate)`): the mixed stream
//!   mirrors its session read loop (length check, slice, header decode,
//!   dispatch) but skips the per-PDU `to_vec()` copy that loop makes, since
//!   the public API does not force it.
//! * `rusmpp`: the owned `Command` decodes from a `&mut BytesMut` that it
//!   consumes, taking `Bytes` slices of it (zero copy), so each single-PDU
//!   decode needs a fresh `BytesMut` holding the PDU: it is built in untimed
//!   setup (`iter_batched`) and already promoted to shared storage, as a read
//!   buffer is in steady state, so the timed part is only the decode (and the
//!   drop of the decoded `Command`). Encode goes through its
//!   `tokio_util::codec::Encoder<&Command>` into a reused `BytesMut`. The
//!   mixed stream uses its `CommandCodec` (`Decoder::decode(&mut BytesMut)`),
//!   called directly, without I/O.
//!
//! Before anything is timed, every implementation is checked on every vector:
//! decoded values (sequence number, addresses, short_message, TLVs) where its
//! API exposes them, and `encode(decode(v)) == v` byte for byte.

use std::hint::black_box;

use bytes::{Buf, Bytes, BytesMut};
use criterion::{BatchSize, BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

/// Number of PDUs in the mixed stream (cycling through the four vectors).
const MIXED_STREAM_PDUS: usize = 1000;

/// Inputs per `iter_batched` batch: small enough that the inputs made by the
/// untimed setup are still in cache when the timed routine reads them (as a
/// PDU just read from a socket is), large enough to amortise the timer calls.
const BATCH: u64 = 256;

/// Largest command_length accepted by the framers that take a limit.
const MAX_COMMAND_LENGTH: u32 = 64 * 1024;

/// The test vectors, in the order the mixed stream cycles through them.
const VECTORS: [(&str, &str); 4] = [
    (
        "submit_sm",
        include_str!("../fixtures/vectors/submit_sm.hex"),
    ),
    (
        "deliver_sm_receipt",
        include_str!("../fixtures/vectors/deliver_sm_receipt.hex"),
    ),
    (
        "enquire_link",
        include_str!("../fixtures/vectors/enquire_link.hex"),
    ),
    (
        "submit_sm_resp",
        include_str!("../fixtures/vectors/submit_sm_resp.hex"),
    ),
];

const RECEIPT_TEXT: &[u8] = b"id:1234567890 sub:001 dlvrd:001 submit date:2401011200 \
done date:2401011201 stat:DELIVRD err:000 text:Hello";

/// Parses a `.hex` fixture: `#` starts a comment to the end of the line,
/// whitespace is ignored, everything else must be pairs of hex digits.
fn parse_hex(text: &str) -> Vec<u8> {
    let digits: Vec<u8> = text
        .lines()
        .map(|line| line.split('#').next().unwrap_or(""))
        .flat_map(|line| line.bytes())
        .filter(|b| !b.is_ascii_whitespace())
        .map(|b| match b {
            b'0'..=b'9' => b - b'0',
            b'a'..=b'f' => b - b'a' + 10,
            b'A'..=b'F' => b - b'A' + 10,
            _ => panic!("invalid hex digit {:?} in fixture", b as char),
        })
        .collect();
    assert!(
        digits.len().is_multiple_of(2),
        "odd number of hex digits in fixture"
    );
    digits.chunks(2).map(|p| (p[0] << 4) | p[1]).collect()
}

struct Vector {
    name: &'static str,
    bytes: Vec<u8>,
}

fn vectors() -> Vec<Vector> {
    VECTORS
        .iter()
        .map(|(name, hex)| {
            let bytes = parse_hex(hex);
            let command_length = u32::from_be_bytes(bytes[..4].try_into().unwrap());
            assert_eq!(
                command_length as usize,
                bytes.len(),
                "{name}: command_length"
            );
            Vector { name, bytes }
        })
        .collect()
}

fn mixed_stream(vectors: &[Vector]) -> Vec<u8> {
    vectors
        .iter()
        .cycle()
        .take(MIXED_STREAM_PDUS)
        .flat_map(|v| v.bytes.iter().copied())
        .collect()
}

/// Expected header values per vector: (command_id, sequence_number).
fn expected_header(name: &str) -> (u32, u32) {
    match name {
        "submit_sm" => (0x0000_0004, 2),
        "deliver_sm_receipt" => (0x0000_0005, 7),
        "enquire_link" => (0x0000_0015, 3),
        "submit_sm_resp" => (0x8000_0004, 2),
        other => panic!("no expectations for vector {other}"),
    }
}

// ---------------------------------------------------------------------------
// smpp (this crate)
// ---------------------------------------------------------------------------
mod ours {
    use super::*;

    pub fn decode(frame: &Bytes) -> smpp::Command {
        smpp::Command::decode(frame).expect("smpp: decode")
    }

    /// Framer + decode of every PDU in `stream`; returns the number decoded.
    pub fn decode_stream(framer: &mut smpp::Framer, stream: &[u8]) -> usize {
        framer.push(stream);
        let mut n = 0;
        while let Some(frame) = framer.next_frame() {
            let frame = frame.expect("smpp: frame");
            let command = smpp::Command::decode(&frame).expect("smpp: decode");
            black_box(&command);
            n += 1;
        }
        n
    }

    pub fn check(v: &Vector) {
        let frame = Bytes::copy_from_slice(&v.bytes);
        let command = decode(&frame);
        let (id, seq) = expected_header(v.name);
        assert_eq!(command.command_id().0, id, "smpp {}: command_id", v.name);
        assert_eq!(
            command.sequence_number, seq,
            "smpp {}: sequence_number",
            v.name
        );
        match &command.pdu {
            smpp::Pdu::SubmitSm(s) => {
                assert_eq!(s.destination_addr, "447911123456");
                assert_eq!(s.short_message.as_bytes(), b"Hello");
                assert_eq!(s.tlvs.len(), 1);
            }
            smpp::Pdu::DeliverSm(d) => {
                assert_eq!(d.destination_addr, "12345");
                assert_eq!(d.short_message.len(), 107);
                assert_eq!(d.tlvs.receipted_message_id().unwrap(), "1234567890");
                assert_eq!(d.tlvs.message_state(), Some(smpp::MessageState::DELIVERED));
            }
            smpp::Pdu::SubmitSmResp(Some(r)) => assert_eq!(r.message_id, "1234567890"),
            smpp::Pdu::EnquireLink => {}
            other => panic!("smpp {}: unexpected {other:?}", v.name),
        }
        assert_eq!(
            command.encoded_len(),
            v.bytes.len(),
            "smpp {}: encoded_len",
            v.name
        );
        let mut out = BytesMut::new();
        command.encode(&mut out);
        assert_eq!(&out[..], &v.bytes[..], "smpp {}: round trip", v.name);
    }
}

// ---------------------------------------------------------------------------
// smpp34 1.5
// ---------------------------------------------------------------------------
mod s34 {
    use super::*;
    use smpp34::{
        CommandHeader, SmppError, TlvList, deliver_sm, enquire_link, submit_sm, submit_sm_resp,
    };

    /// smpp34 has no PDU enum: this is the dispatch a user (and smpp34's own
    /// session loop) writes by hand.
    #[derive(Clone)]
    pub enum Pdu {
        SubmitSm(submit_sm),
        SubmitSmResp(submit_sm_resp),
        DeliverSm(deliver_sm),
        EnquireLink(enquire_link),
    }

    /// Forced: every C-octet string becomes a `String`, short_message a
    /// `Vec<u8>`, each TLV a `Tlv { tag, value: Vec<u8> }` in a `Vec`.
    pub fn decode(pdu: &[u8]) -> Result<Pdu, SmppError> {
        let header = CommandHeader::decode(pdu)?;
        match header.command_id {
            0x0000_0004 => submit_sm::decode(header, pdu).map(Pdu::SubmitSm),
            0x8000_0004 => submit_sm_resp::decode(header, pdu).map(Pdu::SubmitSmResp),
            0x0000_0005 => deliver_sm::decode(header, pdu).map(Pdu::DeliverSm),
            0x0000_0015 => enquire_link::decode(header, pdu).map(Pdu::EnquireLink),
            _ => Err(SmppError::ESME_RINVCMDID),
        }
    }

    /// Forced: `encode(self)` consumes the PDU and returns a new `Vec<u8>`.
    pub fn encode(pdu: Pdu) -> Vec<u8> {
        match pdu {
            Pdu::SubmitSm(p) => p.encode(),
            Pdu::SubmitSmResp(p) => p.encode(),
            Pdu::DeliverSm(p) => p.encode(),
            Pdu::EnquireLink(p) => p.encode(),
        }
    }

    /// smpp34's session read loop (server/state.rs), minus its per-PDU
    /// `buffer[..].to_vec()`: `buf` plays the role of its `BytesMut` read
    /// buffer, `cursor` is its cursor.
    pub fn decode_stream(buf: &mut Vec<u8>, stream: &[u8]) -> usize {
        buf.extend_from_slice(stream);
        let mut cursor = 0;
        let mut n = 0;
        while buf.len() - cursor >= 16 {
            let len = u32::from_be_bytes(buf[cursor..cursor + 4].try_into().unwrap()) as usize;
            assert!(
                (16..=MAX_COMMAND_LENGTH as usize).contains(&len),
                "smpp34: invalid command_length"
            );
            if buf.len() - cursor < len {
                break;
            }
            let pdu = decode(&buf[cursor..cursor + len]).expect("smpp34: decode");
            black_box(&pdu);
            cursor += len;
            n += 1;
        }
        buf.drain(..cursor);
        n
    }

    pub fn check(v: &Vector) {
        let (command_id, sequence_number) = expected_header(v.name);
        // The per-type structs keep their header private; the sequence number
        // is checked on the public CommandHeader (and again by the round trip).
        let header = CommandHeader::decode(&v.bytes).expect("smpp34: header");
        assert_eq!(header.command_id, command_id, "smpp34 {}", v.name);
        assert_eq!(header.sequence_number, sequence_number, "smpp34 {}", v.name);
        let pdu = decode(&v.bytes).unwrap_or_else(|e| panic!("smpp34 {}: {e:?}", v.name));
        match (&pdu, v.name) {
            (Pdu::SubmitSm(p), "submit_sm") => {
                assert_eq!(p.source_addr, "12345");
                assert_eq!(p.destination_addr, "447911123456");
                assert_eq!(p.registered_delivery, 1);
                assert_eq!(p.short_message, b"Hello");
                assert_eq!(p.tlvs.len(), 1);
                assert_eq!(p.tlvs.user_message_reference(), Some(1));
            }
            (Pdu::DeliverSm(p), "deliver_sm_receipt") => {
                assert_eq!(p.source_addr, "447911123456");
                assert_eq!(p.destination_addr, "12345");
                assert_eq!(p.esm_class, 0x04);
                assert_eq!(p.short_message, RECEIPT_TEXT);
                assert_eq!(p.tlvs.len(), 2);
                assert_eq!(p.tlvs.receipted_message_id().as_deref(), Some("1234567890"));
                assert_eq!(p.tlvs.message_state(), Some(2));
            }
            (Pdu::EnquireLink(_), "enquire_link") => {}
            (Pdu::SubmitSmResp(p), "submit_sm_resp") => {
                assert_eq!(p.header.sequence_number, 2);
                assert_eq!(p.message_id.as_deref(), Some("1234567890"));
            }
            _ => panic!("smpp34 {}: decoded to the wrong PDU type", v.name),
        }
        assert_eq!(encode(pdu), v.bytes, "smpp34 {}: round trip", v.name);
    }
}

// ---------------------------------------------------------------------------
// rusmpp 0.4
// ---------------------------------------------------------------------------
mod rus {
    use super::*;
    use rusmpp::decode::DecodeWithLength;
    use rusmpp::tlvs::TlvValue;
    use rusmpp::tokio_codec::CommandCodec;
    use rusmpp::values::MessageState;
    use rusmpp::{Command, CommandId, Pdu};
    use tokio_util::codec::{Decoder, Encoder};

    /// A `BytesMut` holding `bytes`, already in shared (`Arc`) mode as a read
    /// buffer is once anything has been split off it, so decode's
    /// `split_to().freeze()` only bumps a reference count.
    pub fn input(bytes: &[u8]) -> BytesMut {
        let mut buf = BytesMut::with_capacity(bytes.len());
        buf.extend_from_slice(bytes);
        drop(buf.split_to(0));
        buf
    }

    /// What `CommandCodec::decode` does once a whole PDU is buffered: read
    /// command_length, then `Command::decode(src, command_length - 4)`.
    /// Forced: the source is a `&mut BytesMut` that decode consumes; the
    /// decoded strings and octet strings are `Bytes` slices of it.
    pub fn decode(buf: &mut BytesMut) -> Command {
        let command_length = buf.get_u32() as usize;
        let (command, _) = Command::decode(buf, command_length - 4).expect("rusmpp: decode");
        command
    }

    /// Encodes through its `Encoder<&Command>` into a reused buffer.
    pub fn encode(codec: &mut CommandCodec, command: &Command, out: &mut BytesMut) {
        codec.encode(command, out).expect("rusmpp: encode");
    }

    pub fn decode_stream(codec: &mut CommandCodec, buf: &mut BytesMut, stream: &[u8]) -> usize {
        buf.extend_from_slice(stream);
        let mut n = 0;
        while let Some(command) = codec.decode(buf).expect("rusmpp: decode") {
            black_box(&command);
            n += 1;
        }
        n
    }

    pub fn check(v: &Vector) {
        let (command_id, sequence_number) = expected_header(v.name);
        let command = decode(&mut input(&v.bytes));
        assert_eq!(u32::from(command.id()), command_id, "rusmpp {}", v.name);
        assert_eq!(
            command.sequence_number(),
            sequence_number,
            "rusmpp {}",
            v.name
        );
        match (command.pdu(), v.name) {
            (Some(Pdu::SubmitSm(p)), "submit_sm") => {
                assert_eq!(p.source_addr.as_str(), "12345");
                assert_eq!(p.destination_addr.as_str(), "447911123456");
                assert_eq!(p.short_message().as_ref(), b"Hello");
                assert_eq!(p.tlvs().len(), 1);
                match p.tlvs()[0].value() {
                    Some(TlvValue::UserMessageReference(r)) => assert_eq!(r.value, 1),
                    other => panic!("rusmpp submit_sm: TLV {other:?}"),
                }
            }
            (Some(Pdu::DeliverSm(p)), "deliver_sm_receipt") => {
                assert_eq!(p.source_addr.as_str(), "447911123456");
                assert_eq!(p.destination_addr.as_str(), "12345");
                assert_eq!(p.short_message().as_ref(), RECEIPT_TEXT);
                assert_eq!(p.tlvs().len(), 2);
                match p.tlvs()[0].value() {
                    Some(TlvValue::ReceiptedMessageId(id)) => assert_eq!(id.as_str(), "1234567890"),
                    other => panic!("rusmpp deliver_sm: TLV {other:?}"),
                }
                match p.tlvs()[1].value() {
                    Some(TlvValue::MessageState(s)) => assert_eq!(*s, MessageState::Delivered),
                    other => panic!("rusmpp deliver_sm: TLV {other:?}"),
                }
            }
            (Some(Pdu::EnquireLink), "enquire_link") => {
                assert_eq!(command.id(), CommandId::EnquireLink);
            }
            (Some(Pdu::SubmitSmResp(p)), "submit_sm_resp") => {
                assert_eq!(p.message_id().as_str(), "1234567890");
                assert!(p.tlvs().is_empty());
            }
            (other, name) => panic!("rusmpp {name}: decoded to {other:?}"),
        }
        let mut out = BytesMut::new();
        encode(&mut CommandCodec::new(), &command, &mut out);
        assert_eq!(&out[..], &v.bytes[..], "rusmpp {}: round trip", v.name);
    }
}

// ---------------------------------------------------------------------------
// Checks (untimed) and benchmarks
// ---------------------------------------------------------------------------

fn check_all(vectors: &[Vector], stream: &[u8]) {
    for v in vectors {
        ours::check(v);
        s34::check(v);
        rus::check(v);
    }
    let mut framer = smpp::Framer::new(MAX_COMMAND_LENGTH);
    assert_eq!(ours::decode_stream(&mut framer, stream), MIXED_STREAM_PDUS);
    assert_eq!(
        s34::decode_stream(&mut Vec::new(), stream),
        MIXED_STREAM_PDUS
    );
    let mut codec = rusmpp::tokio_codec::CommandCodec::new();
    let mut buf = BytesMut::new();
    assert_eq!(
        rus::decode_stream(&mut codec, &mut buf, stream),
        MIXED_STREAM_PDUS
    );
    assert!(buf.is_empty());
}

fn bench_decode(c: &mut Criterion, vectors: &[Vector], stream: &[u8]) {
    let mut group = c.benchmark_group("decode");
    group.throughput(Throughput::Elements(1));
    for v in vectors {
        let frame = Bytes::copy_from_slice(&v.bytes);
        group.bench_function(BenchmarkId::new(v.name, "smpp"), |b| {
            b.iter(|| ours::decode(black_box(&frame)))
        });
        group.bench_function(BenchmarkId::new(v.name, "smpp34"), |b| {
            b.iter(|| s34::decode(black_box(&v.bytes)).expect("smpp34: decode"))
        });
        group.bench_function(BenchmarkId::new(v.name, "rusmpp"), |b| {
            // The fresh input buffer is built in setup; the decoded Command is
            // dropped inside the timed routine, the emptied buffer outside it.
            b.iter_batched(
                || rus::input(&v.bytes),
                |mut buf| {
                    drop(black_box(rus::decode(black_box(&mut buf))));
                    buf
                },
                BatchSize::NumIterations(BATCH),
            )
        });
    }

    group.throughput(Throughput::Elements(MIXED_STREAM_PDUS as u64));
    group.bench_function(BenchmarkId::new("mixed_stream", "smpp"), |b| {
        let mut framer = smpp::Framer::new(MAX_COMMAND_LENGTH);
        b.iter(|| ours::decode_stream(&mut framer, black_box(stream)))
    });
    group.bench_function(BenchmarkId::new("mixed_stream", "smpp34"), |b| {
        let mut buf = Vec::with_capacity(stream.len());
        b.iter(|| s34::decode_stream(&mut buf, black_box(stream)))
    });
    group.bench_function(BenchmarkId::new("mixed_stream", "rusmpp"), |b| {
        let mut codec = rusmpp::tokio_codec::CommandCodec::new();
        let mut buf = BytesMut::with_capacity(stream.len());
        b.iter(|| rus::decode_stream(&mut codec, &mut buf, black_box(stream)))
    });
    group.finish();
}

fn bench_encode(c: &mut Criterion, vectors: &[Vector]) {
    let mut group = c.benchmark_group("encode");
    group.throughput(Throughput::Elements(1));
    for v in vectors {
        let ours = ours::decode(&Bytes::copy_from_slice(&v.bytes));
        group.bench_function(BenchmarkId::new(v.name, "smpp"), |b| {
            let mut out = BytesMut::with_capacity(1024);
            b.iter(|| {
                out.clear();
                black_box(&ours).encode(&mut out);
                black_box(&out);
            })
        });

        let s34 = s34::decode(&v.bytes).expect("smpp34: decode");
        group.bench_function(BenchmarkId::new(v.name, "smpp34"), |b| {
            // encode(self) consumes the PDU: the clone is untimed setup. The
            // returned Vec is the only output smpp34 offers; it is allocated
            // and freed inside the timed routine.
            b.iter_batched(
                || s34.clone(),
                |pdu| drop(black_box(s34::encode(pdu))),
                BatchSize::NumIterations(BATCH),
            )
        });

        let rus = rus::decode(&mut rus::input(&v.bytes));
        group.bench_function(BenchmarkId::new(v.name, "rusmpp"), |b| {
            let mut codec = rusmpp::tokio_codec::CommandCodec::new();
            let mut out = BytesMut::with_capacity(1024);
            b.iter(|| {
                out.clear();
                rus::encode(&mut codec, black_box(&rus), &mut out);
                black_box(&out);
            })
        });
    }
    group.finish();
}

fn codec(c: &mut Criterion) {
    let vectors = vectors();
    let stream = mixed_stream(&vectors);
    check_all(&vectors, &stream);
    bench_decode(c, &vectors, &stream);
    bench_encode(c, &vectors);
}

criterion_group!(benches, codec);
criterion_main!(benches);
