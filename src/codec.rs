//! The cursor every body decoder reads through, and the trait every wire field implements.
//!
//! A [`Reader`] is bounded by the body `command_length` delimits, so no decoder can read into the next
//! PDU; every read is checked and returns a typed error instead of panicking. Slices are taken from the
//! frame's [`Bytes`] without copying.

use bytes::{BufMut, Bytes};

use crate::error::{DecodeError, DecodeErrorKind, Warning};
use crate::pdu::Header;

/// How strictly to decode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
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
    pub mode: Mode,
}

impl DecodeOptions {
    /// Strict decoding.
    pub const STRICT: Self = Self { mode: Mode::Strict };
    /// Lenient decoding.
    pub const LENIENT: Self = Self {
        mode: Mode::Lenient,
    };
}

impl Default for DecodeOptions {
    fn default() -> Self {
        Self::STRICT
    }
}

/// Decoding stopped; the [`DecodeError`] saying why is kept in the [`Reader`] (so that every read
/// returns a one-octet `Result` instead of carrying the whole error through each field).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stop;

/// A bounded, position-tracking cursor over one PDU frame.
pub struct Reader<'a> {
    error: Option<DecodeError>,
    frame: &'a Bytes,
    pos: usize,
    end: usize,
    header: Header,
    lenient: bool,
    warnings: &'a mut Vec<Warning>,
}

impl<'a> Reader<'a> {
    /// A reader over `frame[16..end]`.
    pub(crate) fn new(
        frame: &'a Bytes,
        header: Header,
        opts: DecodeOptions,
        warnings: &'a mut Vec<Warning>,
    ) -> Self {
        let end = frame.len();
        Self {
            error: None,
            frame,
            pos: crate::pdu::HEADER_LEN,
            end,
            header,
            lenient: opts.mode == Mode::Lenient,
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
        self.end - self.pos
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.pos >= self.end
    }

    /// Stops with an error at the current position.
    #[cold]
    pub(crate) fn error(&mut self, kind: DecodeErrorKind) -> Stop {
        self.error_at(self.pos, kind)
    }

    /// Stops with an error at `offset`.
    #[cold]
    pub(crate) fn error_at(&mut self, offset: usize, kind: DecodeErrorKind) -> Stop {
        self.error = Some(DecodeError::new(Some(self.header), offset, kind));
        Stop
    }

    /// The error decoding stopped with.
    pub(crate) fn take_error(&mut self) -> DecodeError {
        self.error.take().unwrap_or_else(|| {
            let kind = DecodeErrorKind::TrailingBytes { count: 0 };
            DecodeError::new(Some(self.header), self.pos, kind)
        })
    }

    /// A deviation: a warning in lenient mode, an error in strict mode.
    pub(crate) fn deviation_at(
        &mut self,
        offset: usize,
        kind: DecodeErrorKind,
    ) -> Result<(), Stop> {
        if self.lenient {
            self.warnings.push(Warning { offset, kind });
            Ok(())
        } else {
            Err(self.error_at(offset, kind))
        }
    }

    #[cold]
    fn truncated(&mut self, field: &'static str, needed: usize) -> Stop {
        self.error(DecodeErrorKind::Truncated {
            field,
            needed,
            available: self.remaining(),
        })
    }

    /// The next `n` octets as a slice of the frame.
    #[inline]
    fn take(&mut self, field: &'static str, n: usize) -> Result<&'a [u8], Stop> {
        let frame: &'a Bytes = self.frame;
        let start = self.pos;
        match start
            .checked_add(n)
            .filter(|&s| s <= self.end)
            .and_then(|s| frame.get(start..s))
        {
            Some(out) => {
                self.pos = start + n;
                Ok(out)
            }
            None => Err(self.truncated(field, n)),
        }
    }

    #[inline]
    pub(crate) fn u8(&mut self, field: &'static str) -> Result<u8, Stop> {
        match self.frame.get(self.pos) {
            Some(&b) if self.pos < self.end => {
                self.pos += 1;
                Ok(b)
            }
            _ => Err(self.truncated(field, 1)),
        }
    }

    #[inline]
    pub(crate) fn u32(&mut self, field: &'static str) -> Result<u32, Stop> {
        let b = self.take(field, 4)?;
        match <[u8; 4]>::try_from(b) {
            Ok(arr) => Ok(u32::from_be_bytes(arr)),
            Err(_) => Err(self.truncated(field, 4)),
        }
    }

    /// `n` octets as a zero-copy [`Bytes`] slice of the frame.
    pub(crate) fn octets(&mut self, field: &'static str, n: usize) -> Result<Bytes, Stop> {
        if n == 0 {
            return Ok(Bytes::new());
        }
        let start = self.pos;
        self.take(field, n)?;
        Ok(self.frame.slice(start..self.pos))
    }

    /// The rest of the body.
    pub(crate) fn rest(&mut self) -> Bytes {
        let start = self.pos;
        self.pos = self.end;
        if start >= self.end {
            Bytes::new()
        } else {
            self.frame.slice(start..self.end)
        }
    }

    /// A C-Octet String of at most `max` octets including its NUL (§3.1): the range of its
    /// characters in the frame (the NUL excluded).
    ///
    /// Lenient mode accepts an over-long string, and a string cut by the end of the body (a missing
    /// final NUL), with a warning each.
    #[inline]
    pub(crate) fn c_octet(
        &mut self,
        field: &'static str,
        max: usize,
    ) -> Result<core::ops::Range<usize>, Stop> {
        let start = self.pos;
        let window = self.frame.get(start..self.end).unwrap_or_default();
        // The NUL must come within `max` octets; look there first, which is all strict decoding needs.
        let head = window.get(..max).unwrap_or(window);
        let nul = match memchr::memchr(0, head) {
            Some(len) => Some(len),
            None => {
                let found = memchr::memchr(0, window);
                let len = found.map_or(window.len() + 1, |l| l + 1);
                if !window.is_empty() && (found.is_some() || len > max) {
                    self.deviation_at(start, DecodeErrorKind::COctetTooLong { field, max, len })?;
                }
                found
            }
        };
        match nul {
            Some(len) => {
                self.pos = start + len + 1;
                Ok(start..start + len)
            }
            None if window.is_empty() => Err(self.truncated(field, 1)),
            None => {
                self.deviation_at(start, DecodeErrorKind::COctetNotTerminated { field })?;
                self.pos = self.end;
                Ok(start..self.end)
            }
        }
    }

    /// The whole frame (for zero-copy slices of ranges this reader returned).
    #[inline]
    pub(crate) fn frame(&self) -> &'a Bytes {
        self.frame
    }
}

/// A mandatory field: how it is read, written, sized and shown.
pub(crate) trait WireField: Sized {
    fn read(r: &mut Reader<'_>, field: &'static str) -> Result<Self, Stop>;
    fn write(&self, out: &mut impl BufMut);
    fn wire_len(&self) -> usize;
    fn field_value(&self) -> crate::fields::FieldValue<'_>;
}

impl WireField for u8 {
    fn read(r: &mut Reader<'_>, field: &'static str) -> Result<Self, Stop> {
        r.u8(field)
    }
    fn write(&self, out: &mut impl BufMut) {
        out.put_u8(*self);
    }
    fn wire_len(&self) -> usize {
        1
    }
    fn field_value(&self) -> crate::fields::FieldValue<'_> {
        crate::fields::FieldValue::Int(u32::from(*self))
    }
}

impl WireField for u32 {
    fn read(r: &mut Reader<'_>, field: &'static str) -> Result<Self, Stop> {
        r.u32(field)
    }
    fn write(&self, out: &mut impl BufMut) {
        out.put_u32(*self);
    }
    fn wire_len(&self) -> usize {
        4
    }
    fn field_value(&self) -> crate::fields::FieldValue<'_> {
        crate::fields::FieldValue::Int(*self)
    }
}
