//! Owns [`TextError`], the one typed error of the `text` module (encoding, decoding, UDH, splitting, reassembly).

use super::{Alphabet, ConcatRef};

/// Everything that can go wrong in the `text` module.
///
/// Decoders and parsers return these for malformed input instead of panicking.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TextError {
    /// A character has no code in the target alphabet (strict mode only; lossy mode writes `?`).
    #[error("character {ch:?} at byte offset {index} cannot be encoded in {alphabet}")]
    Unencodable {
        /// The offending character.
        ch: char,
        /// Byte offset of `ch` in the input `&str`.
        index: usize,
        /// The alphabet that lacks it.
        alphabet: Alphabet,
    },
    /// The alphabet carries no text this module can encode or decode (binary, JIS, Cyrillic, ...).
    #[error("{alphabet} carries no text this module encodes or decodes")]
    NotText {
        /// The alphabet asked for.
        alphabet: Alphabet,
    },
    /// An octet is not a valid code of the alphabet (e.g. > 0x7F in unpacked GSM or IA5).
    #[error("octet {byte:#04x} at offset {offset} is not a valid {alphabet} code")]
    InvalidByte {
        /// The offending octet.
        byte: u8,
        /// Its offset in the input.
        offset: usize,
        /// The alphabet being decoded.
        alphabet: Alphabet,
    },
    /// GSM data ends with a lone escape (0x1B) that has no following code (strict mode only).
    #[error("GSM escape 0x1B at offset {offset} ends the data")]
    TrailingEscape {
        /// Offset of the escape septet.
        offset: usize,
    },
    /// UCS2 data has an odd number of octets (strict mode only).
    #[error("UCS2 data has an odd length of {len} octets")]
    OddUcs2Length {
        /// The length in octets.
        len: usize,
    },
    /// A UTF-16 surrogate without its partner (strict mode only).
    #[error("unpaired UTF-16 surrogate {unit:#06x} at offset {offset}")]
    LoneSurrogate {
        /// The surrogate code unit.
        unit: u16,
        /// Octet offset of the unit in the input.
        offset: usize,
    },
    /// A fill-bit count outside 0..=6.
    #[error("fill bit count {0} is outside 0..=6")]
    InvalidFillBits(u8),
    /// A value given as a septet does not fit in 7 bits.
    #[error("septet value {value:#04x} at offset {offset} does not fit in 7 bits")]
    InvalidSeptet {
        /// The offending value.
        value: u8,
        /// Its offset in the input.
        offset: usize,
    },
    /// Fewer septets are packed in the octets than were asked for.
    #[error("{requested} septets requested, only {available} packed in the data")]
    NotEnoughSeptets {
        /// Septets asked for.
        requested: usize,
        /// Whole septets present.
        available: usize,
    },
    /// The user data is shorter than its UDHL says.
    #[error("UDH needs {needed} octets, user data has {available}")]
    UdhTruncated {
        /// Octets the header claims (UDHL + 1).
        needed: usize,
        /// Octets present.
        available: usize,
    },
    /// An information element runs past the end of the header.
    #[error("UDH information element at offset {offset} overruns the header")]
    UdhMalformed {
        /// Offset (in the user data) of the IEI of the bad element.
        offset: usize,
    },
    /// A header to encode is longer than a one-octet length allows.
    #[error("UDH or IE of {len} octets exceeds 255")]
    UdhTooLong {
        /// The length that does not fit.
        len: usize,
    },
    /// Splitting would need more parts than concatenation can number.
    #[error("text needs {parts} parts, more than 255")]
    TooManyParts {
        /// Parts needed.
        parts: usize,
    },
    /// A message_payload would exceed what a TLV length can say.
    #[error("payload of {len} octets exceeds 65535")]
    PayloadTooLong {
        /// The encoded length.
        len: usize,
    },
    /// SAR values and a UDH (UDHI) on the same part.
    #[error("SAR parameters given together with UDHI")]
    SarWithUdhi,
    /// A segment number or total that cannot be valid (0, or number > total).
    #[error("invalid segment {seq} of {total} for {reference:?}")]
    InvalidSegment {
        /// The concatenated message reference.
        reference: ConcatRef,
        /// Total announced by the part.
        total: u8,
        /// Segment number announced by the part.
        seq: u8,
    },
    /// The same segment arrived twice.
    #[error("duplicate segment {seq} for {reference:?}")]
    Duplicate {
        /// The concatenated message reference.
        reference: ConcatRef,
        /// The repeated segment number.
        seq: u8,
    },
    /// Parts of one reference disagree on the total number of segments.
    #[error("{reference:?} announced {expected} segments, a part says {found}")]
    InconsistentTotal {
        /// The concatenated message reference.
        reference: ConcatRef,
        /// Total from the first part seen.
        expected: u8,
        /// Total from the conflicting part.
        found: u8,
    },
    /// Segments are missing from a concatenated message.
    #[error("{reference:?} is missing segments {missing:?} of {total}")]
    Missing {
        /// The concatenated message reference.
        reference: ConcatRef,
        /// Total number of segments.
        total: u8,
        /// The segment numbers not received.
        missing: Vec<u8>,
    },
    /// The parts given to [`reassemble`](super::reassemble) do not form exactly one message.
    #[error("parts form {messages} complete messages, expected exactly one")]
    NotOneMessage {
        /// Complete messages seen.
        messages: usize,
    },
}
