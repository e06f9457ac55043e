//! The 16-octet PDU header (§3.2, T 3-2).

use bytes::BufMut;

use super::{CommandId, CommandStatus};

/// Octets in a PDU header: command_length, command_id, command_status, sequence_number (§3.2).
pub const HEADER_LEN: usize = 16;

/// The largest sequence_number the spec allows (§5.1.4: 0x00000001 to 0x7FFFFFFF).
pub const MAX_SEQUENCE_NUMBER: u32 = 0x7FFF_FFFF;

/// A PDU header (§3.2.1).
///
/// ```
/// use smpp::{CommandId, Header};
/// let h = Header::parse(&[0, 0, 0, 16, 0, 0, 0, 0x15, 0, 0, 0, 0, 0, 0, 0, 3]).unwrap();
/// assert_eq!((h.command_length, h.command_id, h.sequence_number), (16, CommandId::ENQUIRE_LINK, 3));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Header {
    /// Length of the whole PDU in octets, this header included. Read from the wire: untrusted until
    /// checked against 16 and a maximum (see [`crate::Framer`]).
    pub command_length: u32,
    /// Which PDU follows.
    pub command_id: CommandId,
    /// The outcome (responses); NULL in requests.
    pub command_status: CommandStatus,
    /// Correlates a response with its request.
    pub sequence_number: u32,
}

impl Header {
    /// Reads the header from the first 16 octets, or `None` when fewer are given. Nothing is checked.
    pub fn parse(bytes: &[u8]) -> Option<Self> {
        let head: &[u8; HEADER_LEN] = bytes.get(..HEADER_LEN)?.try_into().ok()?;
        let word = |i: usize| {
            let mut w = [0u8; 4];
            w.copy_from_slice(&head[i..i + 4]);
            u32::from_be_bytes(w)
        };
        Some(Self {
            command_length: word(0),
            command_id: CommandId(word(4)),
            command_status: CommandStatus(word(8)),
            sequence_number: word(12),
        })
    }

    /// Writes the 16 octets.
    pub fn write(&self, out: &mut impl BufMut) {
        out.put_u32(self.command_length);
        out.put_u32(self.command_id.0);
        out.put_u32(self.command_status.0);
        out.put_u32(self.sequence_number);
    }

    /// The 16 octets.
    pub fn to_bytes(&self) -> [u8; HEADER_LEN] {
        let mut out = [0u8; HEADER_LEN];
        let mut w = &mut out[..];
        self.write(&mut w);
        out
    }
}
