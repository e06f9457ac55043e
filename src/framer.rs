//! The stream framer: splits a byte stream into whole PDUs, whatever the read boundaries.
//!
//! It reads `command_length` and refuses a value below 16 or above the configured maximum as soon as
//! those four octets arrive, before buffering or allocating anything for the PDU (§3.2.2, §4.3).

use bytes::{Buf, Bytes, BytesMut};

use crate::error::{DecodeError, DecodeErrorKind};
use crate::pdu::{HEADER_LEN, Header};

/// The default maximum command_length: room for a 64 KiB message_payload and the mandatory fields.
///
/// The spec sets no maximum (§3.2.2); peers pick their own caps (Wireshark 64 KiB, go-smpp 0x10000).
pub const DEFAULT_MAX_COMMAND_LENGTH: u32 = 0x1_1000;

/// A sans-IO PDU framer.
///
/// ```
/// use smpp::Framer;
/// let enquire_link = [0, 0, 0, 0x10, 0, 0, 0, 0x15, 0, 0, 0, 0, 0, 0, 0, 1];
/// let mut f = Framer::default();
/// f.push(&enquire_link[..5]);
/// assert!(f.next_frame().is_none()); // not whole yet
/// f.push(&enquire_link[5..]);
/// assert_eq!(&f.next_frame().unwrap().unwrap()[..], &enquire_link[..]);
/// ```
#[derive(Debug)]
pub struct Framer {
    buf: BytesMut,
    max_command_length: u32,
}

impl Default for Framer {
    fn default() -> Self {
        Self::new(DEFAULT_MAX_COMMAND_LENGTH)
    }
}

impl Framer {
    /// A framer refusing PDUs longer than `max_command_length` octets.
    pub fn new(max_command_length: u32) -> Self {
        Self {
            buf: BytesMut::new(),
            max_command_length: max_command_length.max(HEADER_LEN as u32),
        }
    }

    /// The maximum command_length accepted.
    pub fn max_command_length(&self) -> u32 {
        self.max_command_length
    }

    /// Appends received octets.
    pub fn push(&mut self, data: &[u8]) {
        self.buf.extend_from_slice(data);
    }

    /// The receive buffer, for callers that read into it directly (e.g. `AsyncReadExt::read_buf`).
    pub fn buffer_mut(&mut self) -> &mut BytesMut {
        &mut self.buf
    }

    /// Octets buffered and not yet returned.
    pub fn buffered(&self) -> usize {
        self.buf.len()
    }

    /// The buffered octets.
    pub fn buffered_bytes(&self) -> &[u8] {
        &self.buf
    }

    /// The next whole PDU, `None` when more octets are needed, or an error when the next
    /// command_length is out of bounds. After an error the octets stay buffered: call
    /// [`Framer::resync`] to skip to the next plausible PDU, or close the stream (§4.3: after
    /// ESME_RINVCMDLEN the data is assumed corrupt).
    pub fn next_frame(&mut self) -> Option<Result<Bytes, DecodeError>> {
        let len_octets: [u8; 4] = self.buf.get(..4)?.try_into().ok()?;
        let command_length = u32::from_be_bytes(len_octets);
        if let Err(kind) = self.check_length(command_length) {
            return Some(Err(DecodeError::new(Header::parse(&self.buf), 0, kind)));
        }
        // Checked above: HEADER_LEN <= command_length <= max_command_length.
        let len = command_length as usize;
        if self.buf.len() < len {
            self.buf.reserve(len - self.buf.len());
            return None;
        }
        Some(Ok(self.buf.split_to(len).freeze()))
    }

    fn check_length(&self, command_length: u32) -> Result<(), DecodeErrorKind> {
        if command_length < HEADER_LEN as u32 {
            Err(DecodeErrorKind::CommandLengthTooSmall { command_length })
        } else if command_length > self.max_command_length {
            Err(DecodeErrorKind::CommandLengthTooLarge {
                command_length,
                max: self.max_command_length,
            })
        } else {
            Ok(())
        }
    }

    /// Drops octets until the buffer starts with a plausible PDU header (a command_length in bounds
    /// and a command_id SMPP v3.4 defines), or until fewer than 16 octets remain. Returns how many
    /// octets were dropped (at least one when anything was buffered).
    pub fn resync(&mut self) -> usize {
        let mut dropped = 0;
        loop {
            if self.buf.is_empty() {
                return dropped;
            }
            self.buf.advance(1);
            dropped += 1;
            match Header::parse(&self.buf) {
                None => return dropped,
                Some(h)
                    if h.command_id.is_known() && self.check_length(h.command_length).is_ok() =>
                {
                    return dropped;
                }
                Some(_) => {}
            }
        }
    }

    /// Drops `n` buffered octets (all of them if fewer are buffered).
    pub fn discard(&mut self, n: usize) {
        let n = n.min(self.buf.len());
        self.buf.advance(n);
    }

    /// Takes whatever is buffered, e.g. the incomplete tail at the end of a stream.
    pub fn take_remaining(&mut self) -> Bytes {
        self.buf.split().freeze()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ENQUIRE_LINK: [u8; 16] = [0, 0, 0, 0x10, 0, 0, 0, 0x15, 0, 0, 0, 0, 0, 0, 0, 1];

    #[test]
    fn one_octet_at_a_time() {
        let stream: Vec<u8> = ENQUIRE_LINK
            .iter()
            .chain(ENQUIRE_LINK.iter())
            .copied()
            .collect();
        let mut f = Framer::default();
        let mut frames = Vec::new();
        for b in &stream {
            f.push(std::slice::from_ref(b));
            while let Some(frame) = f.next_frame() {
                frames.push(frame.unwrap());
            }
        }
        assert_eq!(frames.len(), 2);
        assert_eq!(f.buffered(), 0);
    }

    #[test]
    fn refuses_a_huge_length_from_four_octets() {
        let mut f = Framer::new(1024);
        f.push(&[0xFF, 0xFF, 0xFF, 0xFF]);
        let err = f.next_frame().unwrap().unwrap_err();
        assert_eq!(
            err.kind,
            DecodeErrorKind::CommandLengthTooLarge {
                command_length: u32::MAX,
                max: 1024
            }
        );
        assert!(
            f.buf.capacity() < 1024,
            "nothing was reserved for the refused PDU"
        );
    }

    #[test]
    fn refuses_a_length_below_the_header() {
        let mut f = Framer::default();
        f.push(&[0, 0, 0, 15]);
        let err = f.next_frame().unwrap().unwrap_err();
        assert_eq!(
            err.kind,
            DecodeErrorKind::CommandLengthTooSmall { command_length: 15 }
        );
        assert_eq!(err.command_status(), crate::CommandStatus::ESME_RINVCMDLEN);
    }

    #[test]
    fn resync_finds_the_next_header() {
        let mut f = Framer::default();
        f.push(&[0xde, 0xad, 0xbe]);
        f.push(&ENQUIRE_LINK);
        assert!(f.next_frame().unwrap().is_err());
        assert_eq!(f.resync(), 3);
        assert_eq!(&f.next_frame().unwrap().unwrap()[..], &ENQUIRE_LINK[..]);
    }
}
