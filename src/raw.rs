//! The raw layer: header fields and body octets, for PDUs the spec forbids.
//!
//! A test tool must be able to send what a conformant peer never would: a wrong command_length, an
//! over-long or unterminated C-Octet String, a TLV whose length lies, garbage after the body.
//! [`RawPdu`] carries any such PDU; [`RawPduBuilder`] writes bodies field by field with no checks.

use bytes::{BufMut, Bytes, BytesMut};

use crate::pdu::{Command, CommandId, CommandStatus, HEADER_LEN, Header};
use crate::tlv::{Tlv, TlvTag};

/// A PDU as header fields and body octets, nothing checked.
///
/// ```
/// use smpp::{CommandId, RawPdu};
/// // enquire_link announcing 20 octets but carrying 16
/// let pdu = RawPdu::builder(CommandId::ENQUIRE_LINK).sequence_number(9).command_length(20).build();
/// assert_eq!(&pdu.to_bytes()[..4], &[0, 0, 0, 20]);
/// assert_eq!(pdu.to_bytes().len(), 16);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawPdu {
    /// The command_length to write; `None` writes the true length.
    pub command_length: Option<u32>,
    /// The command_id.
    pub command_id: CommandId,
    /// The command_status.
    pub command_status: CommandStatus,
    /// The sequence_number.
    pub sequence_number: u32,
    /// The body octets, written as they are.
    pub body: Bytes,
}

impl RawPdu {
    /// A builder for a PDU with this command_id.
    pub fn builder(command_id: CommandId) -> RawPduBuilder {
        RawPduBuilder {
            pdu: RawPdu {
                command_length: None,
                command_id,
                command_status: CommandStatus::ESME_ROK,
                sequence_number: 1,
                body: Bytes::new(),
            },
            body: BytesMut::new(),
        }
    }

    /// The raw form of a typed PDU.
    pub fn from_command(command: &Command) -> Self {
        let mut body = BytesMut::with_capacity(command.pdu.body_len());
        command.pdu.encode_body(&mut body);
        Self {
            command_length: None,
            command_id: command.command_id(),
            command_status: command.command_status,
            sequence_number: command.sequence_number,
            body: body.freeze(),
        }
    }

    /// Splits whatever octets are given into a header and a body (no check at all; `None` when
    /// fewer than 16 octets are given). The command_length read is kept when it is not the true one.
    pub fn parse(bytes: &[u8]) -> Option<Self> {
        let h = Header::parse(bytes)?;
        let body = Bytes::copy_from_slice(bytes.get(HEADER_LEN..)?);
        let true_len = u32::try_from(bytes.len()).ok();
        Some(Self {
            command_length: (Some(h.command_length) != true_len).then_some(h.command_length),
            command_id: h.command_id,
            command_status: h.command_status,
            sequence_number: h.sequence_number,
            body,
        })
    }

    /// The length that will be written in command_length.
    pub fn wire_command_length(&self) -> u32 {
        self.command_length
            .unwrap_or_else(|| u32::try_from(self.encoded_len()).unwrap_or(u32::MAX))
    }

    /// Octets written by [`RawPdu::encode`].
    pub fn encoded_len(&self) -> usize {
        HEADER_LEN + self.body.len()
    }

    /// Appends the header and body.
    pub fn encode(&self, out: &mut impl BufMut) {
        Header {
            command_length: self.wire_command_length(),
            command_id: self.command_id,
            command_status: self.command_status,
            sequence_number: self.sequence_number,
        }
        .write(out);
        out.put_slice(&self.body);
    }

    /// The encoded octets.
    pub fn to_bytes(&self) -> Bytes {
        let mut out = BytesMut::with_capacity(self.encoded_len());
        self.encode(&mut out);
        out.freeze()
    }
}

impl From<&Command> for RawPdu {
    fn from(c: &Command) -> Self {
        Self::from_command(c)
    }
}

/// Writes a [`RawPdu`] body field by field, checking nothing.
///
/// ```
/// use smpp::{CommandId, RawPdu, TlvTag};
/// let pdu = RawPdu::builder(CommandId::SUBMIT_SM)
///     .sequence_number(2)
///     .c_octet("")                       // service_type
///     .u8(1).u8(1).c_octet("12345")      // source
///     .u8(1).u8(1).c_octet_unterminated("4479") // destination_addr with no NUL
///     .tlv_with_length(TlvTag::USER_MESSAGE_REFERENCE, 7, &[0, 1]) // TLV length lies
///     .build();
/// assert_eq!(pdu.body.len(), 1 + 2 + 6 + 2 + 4 + 6);
/// ```
#[derive(Debug, Clone)]
#[must_use = "call build() to get the RawPdu"]
pub struct RawPduBuilder {
    pdu: RawPdu,
    body: BytesMut,
}

impl RawPduBuilder {
    /// Sets command_status.
    pub fn command_status(mut self, status: CommandStatus) -> Self {
        self.pdu.command_status = status;
        self
    }

    /// Sets sequence_number.
    pub fn sequence_number(mut self, seq: u32) -> Self {
        self.pdu.sequence_number = seq;
        self
    }

    /// Writes this command_length instead of the true one.
    pub fn command_length(mut self, len: u32) -> Self {
        self.pdu.command_length = Some(len);
        self
    }

    /// Appends a 1-octet integer.
    pub fn u8(mut self, v: u8) -> Self {
        self.body.put_u8(v);
        self
    }

    /// Appends a 2-octet integer.
    pub fn u16(mut self, v: u16) -> Self {
        self.body.put_u16(v);
        self
    }

    /// Appends a 4-octet integer.
    pub fn u32(mut self, v: u32) -> Self {
        self.body.put_u32(v);
        self
    }

    /// Appends a C-Octet String: the octets and a NUL, whatever their length.
    pub fn c_octet(mut self, s: impl AsRef<[u8]>) -> Self {
        self.body.put_slice(s.as_ref());
        self.body.put_u8(0);
        self
    }

    /// Appends the octets of a C-Octet String without its NUL.
    pub fn c_octet_unterminated(mut self, s: impl AsRef<[u8]>) -> Self {
        self.body.put_slice(s.as_ref());
        self
    }

    /// Appends sm_length and short_message, sm_length being the true length (or 255 when longer).
    pub fn short_message(self, data: impl AsRef<[u8]>) -> Self {
        let data = data.as_ref();
        let len = u8::try_from(data.len()).unwrap_or(u8::MAX);
        self.short_message_with_length(len, data)
    }

    /// Appends an sm_length that may lie about the short_message that follows.
    pub fn short_message_with_length(mut self, sm_length: u8, data: impl AsRef<[u8]>) -> Self {
        self.body.put_u8(sm_length);
        self.body.put_slice(data.as_ref());
        self
    }

    /// Appends octets as they are (e.g. garbage after the body).
    pub fn octets(mut self, data: impl AsRef<[u8]>) -> Self {
        self.body.put_slice(data.as_ref());
        self
    }

    /// Appends a TLV with its true length (truncated to 65535).
    pub fn tlv(self, tag: TlvTag, value: impl AsRef<[u8]>) -> Self {
        let value = value.as_ref();
        let len = u16::try_from(value.len()).unwrap_or(u16::MAX);
        self.tlv_with_length(tag, len, value)
    }

    /// Appends a TLV whose length field may lie about the value that follows.
    pub fn tlv_with_length(mut self, tag: TlvTag, length: u16, value: impl AsRef<[u8]>) -> Self {
        self.body.put_u16(tag.0);
        self.body.put_u16(length);
        self.body.put_slice(value.as_ref());
        self
    }

    /// Appends a typed TLV.
    pub fn typed_tlv(mut self, tlv: &Tlv) -> Self {
        self.body.put_u16(tlv.tag().0);
        self.body
            .put_u16(u16::try_from(tlv.value_len()).unwrap_or(u16::MAX));
        tlv.write_value(&mut self.body);
        self
    }

    /// Appends the encoded body of a typed PDU (to start from something valid and break it).
    pub fn body_of(mut self, pdu: &crate::Pdu) -> Self {
        pdu.encode_body(&mut self.body);
        self
    }

    /// The PDU.
    pub fn build(mut self) -> RawPdu {
        self.pdu.body = self.body.freeze();
        self.pdu
    }
}
