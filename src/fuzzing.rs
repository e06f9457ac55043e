//! Fuzz bodies: each target of the `fuzz/` crate is one call into this module, so that `cargo test`
//! can replay any input a fuzzer found (regression tests call these functions with the crash input).
//!
//! Every function panics when the codec breaks one of its promises; none panics otherwise.

use bytes::Bytes;

use crate::error::DecodeErrorKind;
use crate::generate::mutate::same_kind;
use crate::{Command, DecodeOptions, Framer, RawPdu};

/// Frames `data` with a [`Framer`] (skipping past refused lengths with [`Framer::resync`]) and
/// checks every frame, then checks `data` itself as one frame:
///
/// - strict decoding never panics, and what it accepts re-encodes to the same octets (and lenient
///   decoding accepts it too, with no warning and the same result);
/// - strict decoding agrees with the reference decoder (`smpp::generate::mutate::expected_for`)
///   (the same problem, or both accept);
/// - lenient decoding never panics, and what it accepts re-encodes to the same octets unless a
///   warning says a C-Octet String lacked its NUL ([`DecodeErrorKind::COctetNotTerminated`]);
/// - [`RawPdu::parse`] then [`RawPdu::to_bytes`] gives the octets back;
/// - the answer to a decode error ([`crate::DecodeError::response`]) can be built and encoded.
pub fn decode_pdu(data: &[u8]) {
    let mut framer = Framer::default();
    framer.push(data);
    while let Some(next) = framer.next_frame() {
        match next {
            Ok(frame) => check_frame(&frame),
            Err(e) => {
                assert!(e.kind.is_framing(), "the framer only refuses lengths: {e}");
                if framer.resync() == 0 {
                    break;
                }
            }
        }
    }
    check_frame(&Bytes::copy_from_slice(data));
}

fn check_frame(frame: &Bytes) {
    let strict = Command::decode(frame);
    let reference = crate::generate::mutate::expected_for(frame);
    match (&strict, &reference) {
        (Ok(_), None) => {}
        (Err(e), Some(kind)) if same_kind(&e.kind, kind) => {}
        _ => panic!("strict decoding gives {strict:?}, the reference decoder {reference:?}"),
    }
    match strict {
        Ok(cmd) => {
            assert_eq!(cmd.encoded_len(), frame.len(), "encoded_len of {cmd:?}");
            assert_eq!(&cmd.to_bytes(), frame, "strict re-encode of {cmd:?}");
            let lenient = Command::decode_with(frame, DecodeOptions::LENIENT);
            let lenient =
                lenient.unwrap_or_else(|e| panic!("strict accepts, lenient refuses: {e}"));
            assert!(lenient.warnings.is_empty(), "{:?}", lenient.warnings);
            assert_eq!(lenient.command, cmd);
        }
        Err(e) => {
            let _ = e.command_status();
            if let Some(resp) = e.response() {
                assert_eq!(resp.to_bytes().len(), resp.encoded_len());
            }
        }
    }
    if let Ok(d) = Command::decode_with(frame, DecodeOptions::LENIENT) {
        let missing_nul = d
            .warnings
            .iter()
            .any(|w| matches!(w.kind, DecodeErrorKind::COctetNotTerminated { .. }));
        if !missing_nul {
            assert_eq!(&d.command.to_bytes(), frame, "lenient re-encode of {d:?}");
        }
    }
    if let Some(raw) = RawPdu::parse(frame) {
        assert_eq!(&raw.to_bytes(), frame, "RawPdu identity");
    }
}

/// Checks that a valid [`Command`] (as the `arbitrary` feature generates) encodes to exactly
/// [`Command::encoded_len`] octets, decodes strictly back to itself, decodes leniently with no
/// warning, and encodes the same through [`RawPdu`].
pub fn roundtrip(cmd: Command) {
    let bytes = cmd.to_bytes();
    assert_eq!(bytes.len(), cmd.encoded_len(), "encoded_len of {cmd:?}");
    assert_eq!(cmd.header().command_length as usize, bytes.len());
    let back = Command::decode(&bytes).unwrap_or_else(|e| panic!("{cmd:?} does not decode: {e}"));
    assert_eq!(back, cmd);
    let lenient = Command::decode_with(&bytes, DecodeOptions::LENIENT)
        .unwrap_or_else(|e| panic!("{cmd:?} does not decode leniently: {e}"));
    assert!(lenient.warnings.is_empty(), "{:?}", lenient.warnings);
    assert_eq!(RawPdu::from_command(&cmd).to_bytes(), bytes);
}

/// What a framer yields: frames, then maybe the first refused length, and what stays buffered.
#[derive(Debug, PartialEq, Eq)]
struct Framed {
    frames: Vec<Bytes>,
    error: Option<DecodeErrorKind>,
    rest: Bytes,
}

/// Feeds a stream to a [`Framer`] in chunks, collecting frames until the first error.
fn frame_chunks<'a>(chunks: impl IntoIterator<Item = &'a [u8]>) -> Framed {
    let mut framer = Framer::default();
    let mut frames = Vec::new();
    for chunk in chunks {
        framer.push(chunk);
        while let Some(next) = framer.next_frame() {
            match next {
                Ok(frame) => frames.push(frame),
                Err(e) => {
                    return Framed {
                        frames,
                        error: Some(e.kind),
                        rest: Bytes::new(),
                    };
                }
            }
        }
    }
    Framed {
        frames,
        error: None,
        rest: framer.take_remaining(),
    }
}

/// Splits a stream at fuzz-chosen boundaries and checks the [`Framer`] yields the same frames, the
/// same first error and the same leftover octets as when the stream arrives whole.
///
/// The first octet of `data` is the number of cut points (mod 16), each given by the next two
/// octets (big-endian, mod the stream length); the rest is the stream.
pub fn framer(data: &[u8]) {
    let (count, rest) = match data.split_first() {
        Some((c, rest)) => (usize::from(*c % 16), rest),
        None => return,
    };
    let (cuts, stream) = rest.split_at((count * 2).min(rest.len()));
    let mut points: Vec<usize> = cuts
        .chunks(2)
        .map(|c| {
            let v = usize::from(u16::from_be_bytes([c[0], c.get(1).copied().unwrap_or(0)]));
            v % (stream.len() + 1)
        })
        .collect();
    points.sort_unstable();
    let mut chunks = Vec::with_capacity(points.len() + 1);
    let mut start = 0;
    for p in points {
        chunks.push(&stream[start..p]);
        start = p;
    }
    chunks.push(&stream[start..]);
    let whole = frame_chunks([stream]);
    let split = frame_chunks(chunks);
    assert_eq!(whole, split);
    for frame in &whole.frames {
        check_frame(frame);
    }
}

/// Text invariants: decoders never panic; encode→decode identity; split→reassemble identity;
/// per-part limits (see [`crate::text::fuzz_text`]).
pub fn text(data: &[u8]) {
    crate::text::fuzz_text(data);
}

/// Receipt parsing never panics, and what parses rebuilds and re-parses to the same receipt (see
/// [`crate::receipt::fuzz_receipt`]).
pub fn receipt(data: &[u8]) {
    crate::receipt::fuzz_receipt(data);
}

/// Incoming bytes, clock steps and API commands drive a [`crate::session::Session`]: no panic,
/// the window never over its size, no response without a request, legal state transitions (see
/// [`crate::session::fuzz::fuzz_session`]).
pub fn session(data: &[u8]) {
    crate::session::fuzz::fuzz_session(data);
}

/// Arbitrary capture bytes through the reader, TCP reassembly and decoding: no panic, memory
/// bounded (see [`crate::pcap::fuzz::fuzz_pcap`]).
pub fn pcap(data: &[u8]) {
    crate::pcap::fuzz::fuzz_pcap(data);
}
