//! The cursor every body decoder reads through, and the trait every wire field implements.
//!
//! A [`Reader`] is bounded by the body `command_length` delimits, so no decoder can read into the next
//! PDU; every read is checked and returns a typed error instead of panicking. Slices are taken from the
//! frame's [`Bytes`] without copying.

use bytes::Bytes;

use crate::error::{DecodeError, DecodeErrorKind, Warning};
use crate::pdu::Header;

/// How strictly to decode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DecodeMode {
    /// Reject everything the spec forbids.
    #[default]
    Strict,
    /// Accept the deviations real peers send, recording each as a [`Warning`].
    Lenient,
}

/// Options for [`crate::Command::decode_with`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecodeOptions {
    /// Strict or lenient.
    pub mode: DecodeMode,
}

impl DecodeOptions {
    /// Strict decoding.
    pub const STRICT: Self = Self {
        mode: DecodeMode::Strict,
    };
    /// Lenient decoding.
    pub const LENIENT: Self = Self {
        mode: DecodeMode::Lenient,
    };
}

impl Default for DecodeOptions {
    fn default() -> Self {
        Self::STRICT
    }
}

/// A bounded, position-tracking cursor over one PDU frame.
///
/// Reads never return a `Result`: the first failure is recorded, the reader skips to the end, and
/// every later read returns a default value without reading. Body decoders check [`Reader::failed`]
/// once, at the end. This keeps the common path free of a branch and a `Result` per field, and
/// lets fields be built in place.
pub struct Reader<'a> {
    error: Option<DecodeError>,
    frame: &'a Bytes,
    pos: usize,
    header: Header,
    lenient: bool,
    warnings: &'a mut Vec<Warning>,
}

impl<'a> Reader<'a> {
    /// A reader over the body of `frame` (everything after the 16-octet header).
    pub(crate) fn new(
        frame: &'a Bytes,
        header: Header,
        opts: DecodeOptions,
        warnings: &'a mut Vec<Warning>,
    ) -> Self {
        Self {
            error: None,
            frame,
            pos: crate::pdu::HEADER_LEN,
            header,
            lenient: opts.mode == DecodeMode::Lenient,
            warnings,
        }
    }

    pub(crate) fn header(&self) -> Header {
        self.header
    }

    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    pub(crate) fn remaining(&self) -> usize {
        self.frame.len().saturating_sub(self.pos)
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.pos >= self.frame.len()
    }

    /// Whether decoding has failed.
    #[inline]
    pub(crate) fn failed(&self) -> bool {
        self.error.is_some()
    }

    /// Fails at the current position.
    #[cold]
    pub(crate) fn fail(&mut self, kind: DecodeErrorKind) {
        self.fail_at(self.pos, kind);
    }

    /// Fails at `offset` (the first failure wins) and stops reading.
    #[cold]
    pub(crate) fn fail_at(&mut self, offset: usize, kind: DecodeErrorKind) {
        if self.error.is_none() {
            self.error = Some(DecodeError::new(Some(self.header), offset, kind));
        }
        self.pos = self.frame.len();
    }

    /// The error decoding stopped with.
    pub(crate) fn take_error(&mut self) -> DecodeError {
        self.error.take().unwrap_or_else(|| {
            let kind = DecodeErrorKind::TrailingBytes { count: 0 };
            DecodeError::new(Some(self.header), self.pos, kind)
        })
    }

    /// A deviation: a warning in lenient mode, a failure in strict mode.
    #[cold]
    pub(crate) fn deviation_at(&mut self, offset: usize, kind: DecodeErrorKind) {
        if self.failed() {
            return;
        }
        if self.lenient {
            self.warnings.push(Warning { offset, kind });
        } else {
            self.fail_at(offset, kind);
        }
    }

    #[cold]
    fn truncated(&mut self, field: &'static str, needed: usize) {
        if !self.failed() {
            let available = self.remaining();
            self.fail(DecodeErrorKind::Truncated {
                field,
                needed,
                available,
            });
        }
    }

    #[inline]
    pub(crate) fn u8(&mut self, field: &'static str) -> u8 {
        match self.frame.get(self.pos) {
            Some(&b) => {
                self.pos += 1;
                b
            }
            None => {
                self.truncated(field, 1);
                0
            }
        }
    }

    #[inline]
    pub(crate) fn u32(&mut self, field: &'static str) -> u32 {
        let start = self.pos;
        match self
            .frame
            .get(start..start.saturating_add(4))
            .and_then(|b| <[u8; 4]>::try_from(b).ok())
        {
            Some(arr) => {
                self.pos = start + 4;
                u32::from_be_bytes(arr)
            }
            None => {
                self.truncated(field, 4);
                0
            }
        }
    }

    /// `n` octets as a zero-copy [`Bytes`] slice of the frame.
    #[inline]
    pub(crate) fn octets(&mut self, field: &'static str, n: usize) -> Bytes {
        if n == 0 {
            return Bytes::new();
        }
        let start = self.pos;
        match start
            .checked_add(n)
            .filter(|&stop| stop <= self.frame.len())
        {
            Some(stop) => {
                self.pos = stop;
                self.frame.slice(start..stop)
            }
            None => {
                self.truncated(field, n);
                Bytes::new()
            }
        }
    }

    /// The rest of the body.
    #[inline]
    pub(crate) fn rest(&mut self) -> Bytes {
        let start = self.pos;
        let end = self.frame.len();
        self.pos = end;
        if start >= end {
            Bytes::new()
        } else {
            self.frame.slice(start..end)
        }
    }

    /// A C-Octet String of at most `max` octets including its NUL (§3.1): the range of its
    /// characters in the frame (the NUL excluded).
    ///
    /// Lenient mode accepts an over-long string, and a string cut by the end of the body (a missing
    /// final NUL), with a warning each.
    #[inline]
    pub(crate) fn c_octet(&mut self, field: &'static str, max: usize) -> core::ops::Range<usize> {
        let start = self.pos;
        let window = self.frame.get(start..).unwrap_or_default();
        // NULL fields are the most common of all: answer them at once.
        match window.first() {
            Some(0) => {
                self.pos = start + 1;
                return start..start;
            }
            None => {
                self.truncated(field, 1);
                return start..start;
            }
            Some(_) => {}
        }
        // The NUL must come within `max` octets; look there first, which is all strict decoding needs.
        let head = window.get(..max).unwrap_or(window);
        if let Some(len) = find_nul(head) {
            self.pos = start + len + 1;
            return start..start + len;
        }
        self.c_octet_long(field, max, start, window)
    }

    #[cold]
    fn c_octet_long(
        &mut self,
        field: &'static str,
        max: usize,
        start: usize,
        window: &[u8],
    ) -> core::ops::Range<usize> {
        match memchr::memchr(0, window) {
            Some(len) => {
                self.deviation_at(
                    start,
                    DecodeErrorKind::COctetTooLong {
                        field,
                        max,
                        len: len + 1,
                    },
                );
                if self.failed() {
                    return start..start;
                }
                self.pos = start + len + 1;
                start..start + len
            }
            None => {
                self.deviation_at(start, DecodeErrorKind::COctetNotTerminated { field });
                if window.len() + 1 > max {
                    let len = window.len() + 1;
                    self.deviation_at(start, DecodeErrorKind::COctetTooLong { field, max, len });
                }
                if self.failed() {
                    return start..start;
                }
                self.pos = self.frame.len();
                start..self.pos
            }
        }
    }

    /// The whole frame (for zero-copy slices of ranges this reader returned).
    #[inline]
    pub(crate) fn frame(&self) -> &'a Bytes {
        self.frame
    }
}

/// The index of the first NUL in a short slice (SMPP strings are at most 65 octets), eight octets
/// at a time: cheaper than a call into memchr at these lengths.
#[inline]
pub(crate) fn find_nul(s: &[u8]) -> Option<usize> {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    let mut chunks = s.chunks_exact(8);
    let mut at = 0;
    for chunk in &mut chunks {
        let v = u64::from_le_bytes(<[u8; 8]>::try_from(chunk).unwrap_or([0xFF; 8]));
        // The lowest flagged octet is always a real zero (borrows only run upwards).
        let zero = v.wrapping_sub(LO) & !v & HI;
        if zero != 0 {
            return Some(at + (zero.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    chunks
        .remainder()
        .iter()
        .position(|&b| b == 0)
        .map(|p| at + p)
}

/// A cursor writing into a slice: the encoder's output.
///
/// Writes that do not fit are skipped while the position still advances, so one pass tells both
/// whether the slice was large enough and how large it had to be.
pub struct Writer<'a> {
    buf: &'a mut [u8],
    pos: usize,
}

impl<'a> Writer<'a> {
    pub(crate) fn new(buf: &'a mut [u8]) -> Self {
        Self { buf, pos: 0 }
    }

    /// Octets written (or that would have been).
    #[inline]
    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    /// Whether some write did not fit.
    #[inline]
    pub(crate) fn overflowed(&self) -> bool {
        self.pos > self.buf.len()
    }

    #[inline]
    pub(crate) fn skip(&mut self, n: usize) {
        self.pos += n;
    }

    #[inline]
    pub(crate) fn u8(&mut self, v: u8) {
        if let Some(b) = self.buf.get_mut(self.pos) {
            *b = v;
        }
        self.pos += 1;
    }

    #[inline]
    pub(crate) fn array<const N: usize>(&mut self, a: [u8; N]) {
        if let Some(d) = self.buf.get_mut(self.pos..self.pos + N) {
            d.copy_from_slice(&a);
        }
        self.pos += N;
    }

    #[inline]
    pub(crate) fn u32(&mut self, v: u32) {
        self.array(v.to_be_bytes());
    }

    #[inline]
    pub(crate) fn bytes(&mut self, s: &[u8]) {
        if let Some(d) = self.buf.get_mut(self.pos..self.pos + s.len()) {
            d.copy_from_slice(s);
        }
        self.pos += s.len();
    }

    /// Writes the first `len` octets of `chunk`; where the slice has room, the whole fixed-size
    /// chunk is copied (a couple of moves instead of a call to memcpy) and the octets past `len`
    /// are overwritten by what follows.
    #[inline]
    pub(crate) fn padded<const N: usize>(&mut self, chunk: &[u8; N], len: usize) {
        match self.buf.get_mut(self.pos..self.pos + N) {
            Some(d) => d.copy_from_slice(chunk),
            None => {
                if let (Some(d), Some(s)) =
                    (self.buf.get_mut(self.pos..self.pos + len), chunk.get(..len))
                {
                    d.copy_from_slice(s);
                }
            }
        }
        self.pos += len;
    }
}

/// A mandatory field: how it is read, written, sized and shown.
pub(crate) trait WireField: Sized {
    /// Reads the field; on failure records it in the reader and returns a default value.
    fn read(r: &mut Reader<'_>, field: &'static str) -> Self;
    fn write(&self, w: &mut Writer<'_>);
    fn wire_len(&self) -> usize;
    fn field_value(&self) -> crate::fields::FieldValue<'_>;
}

impl WireField for u8 {
    #[inline]
    fn read(r: &mut Reader<'_>, field: &'static str) -> Self {
        r.u8(field)
    }
    #[inline]
    fn write(&self, w: &mut Writer<'_>) {
        w.u8(*self);
    }
    fn wire_len(&self) -> usize {
        1
    }
    fn field_value(&self) -> crate::fields::FieldValue<'_> {
        crate::fields::FieldValue::Int(u32::from(*self))
    }
}

impl WireField for u32 {
    #[inline]
    fn read(r: &mut Reader<'_>, field: &'static str) -> Self {
        r.u32(field)
    }
    #[inline]
    fn write(&self, w: &mut Writer<'_>) {
        w.u32(*self);
    }
    fn wire_len(&self) -> usize {
        4
    }
    fn field_value(&self) -> crate::fields::FieldValue<'_> {
        crate::fields::FieldValue::Int(*self)
    }
}

#[cfg(test)]
mod tests {
    use super::find_nul;

    #[test]
    fn find_nul_agrees_with_a_scan() {
        let mut buf = [b'x'; 40];
        for len in 0..40 {
            for nul in 0..=len {
                let mut s = buf;
                if nul < len {
                    s[nul] = 0;
                }
                // octets after the NUL that would fool a careless bit trick
                if nul + 1 < len {
                    s[nul + 1] = 0x01;
                }
                let s = &s[..len];
                assert_eq!(
                    find_nul(s),
                    s.iter().position(|&b| b == 0),
                    "len {len} nul {nul}"
                );
            }
        }
        buf[3] = 0x80;
        assert_eq!(find_nul(&buf), None);
    }
}
