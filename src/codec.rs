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

/// A bounded, position-tracking cursor over one PDU frame.
pub struct Reader<'a> {
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

    /// An error at the current position.
    pub(crate) fn error(&self, kind: DecodeErrorKind) -> DecodeError {
        self.error_at(self.pos, kind)
    }

    pub(crate) fn error_at(&self, offset: usize, kind: DecodeErrorKind) -> DecodeError {
        DecodeError::new(Some(self.header), offset, kind)
    }

    /// A deviation: a warning in lenient mode, an error in strict mode.
    pub(crate) fn deviation_at(
        &mut self,
        offset: usize,
        kind: DecodeErrorKind,
    ) -> Result<(), DecodeError> {
        if self.lenient {
            self.warnings.push(Warning { offset, kind });
            Ok(())
        } else {
            Err(self.error_at(offset, kind))
        }
    }

    fn truncated(&self, field: &'static str, needed: usize) -> DecodeError {
        self.error(DecodeErrorKind::Truncated {
            field,
            needed,
            available: self.remaining(),
        })
    }

    /// The next `n` octets as a slice of the frame.
    fn take(&mut self, field: &'static str, n: usize) -> Result<&'a [u8], DecodeError> {
        let frame: &'a Bytes = self.frame;
        let start = self.pos;
        let stop = start
            .checked_add(n)
            .filter(|&s| s <= self.end)
            .ok_or_else(|| self.truncated(field, n))?;
        let out = frame
            .get(start..stop)
            .ok_or_else(|| self.truncated(field, n))?;
        self.pos = stop;
        Ok(out)
    }

    pub(crate) fn u8(&mut self, field: &'static str) -> Result<u8, DecodeError> {
        let b = self.take(field, 1)?;
        Ok(b.first().copied().unwrap_or_default())
    }

    pub(crate) fn u32(&mut self, field: &'static str) -> Result<u32, DecodeError> {
        let b = self.take(field, 4)?;
        let arr: [u8; 4] = b.try_into().map_err(|_| self.truncated(field, 4))?;
        Ok(u32::from_be_bytes(arr))
    }

    /// `n` octets as a zero-copy [`Bytes`] slice of the frame.
    pub(crate) fn octets(&mut self, field: &'static str, n: usize) -> Result<Bytes, DecodeError> {
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

    /// A C-Octet String of at most `max` octets including its NUL (§3.1), without the NUL.
    ///
    /// Lenient mode accepts an over-long string, and a string cut by the end of the body (a missing
    /// final NUL), with a warning each.
    pub(crate) fn c_octet(
        &mut self,
        field: &'static str,
        max: usize,
    ) -> Result<Bytes, DecodeError> {
        let start = self.pos;
        let window = self.frame.get(start..self.end).unwrap_or_default();
        match memchr::memchr(0, window) {
            Some(len) => {
                if len + 1 > max {
                    self.deviation_at(
                        start,
                        DecodeErrorKind::COctetTooLong {
                            field,
                            max,
                            len: len + 1,
                        },
                    )?;
                }
                let s = if len == 0 {
                    Bytes::new()
                } else {
                    self.frame.slice(start..start + len)
                };
                self.pos = start + len + 1;
                Ok(s)
            }
            None => {
                if window.is_empty() {
                    return Err(self.truncated(field, 1));
                }
                self.deviation_at(start, DecodeErrorKind::COctetNotTerminated { field })?;
                if window.len() + 1 > max {
                    self.deviation_at(
                        start,
                        DecodeErrorKind::COctetTooLong {
                            field,
                            max,
                            len: window.len() + 1,
                        },
                    )?;
                }
                Ok(self.rest())
            }
        }
    }
}

/// A mandatory field: how it is read, written, sized and shown.
pub(crate) trait WireField: Sized {
    fn read(r: &mut Reader<'_>, field: &'static str) -> Result<Self, DecodeError>;
    fn write(&self, out: &mut impl BufMut);
    fn wire_len(&self) -> usize;
    fn field_value(&self) -> crate::fields::FieldValue<'_>;
}

impl WireField for u8 {
    fn read(r: &mut Reader<'_>, field: &'static str) -> Result<Self, DecodeError> {
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
    fn read(r: &mut Reader<'_>, field: &'static str) -> Result<Self, DecodeError> {
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
