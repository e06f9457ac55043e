//! PDUs: the header, every SMPP v3.4 body, the [`Pdu`] enum over them and [`Command`], a whole PDU.
//!
//! Decoding takes one whole frame (as [`crate::Framer`] yields it) and slices strings out of it
//! without copying. Encoding cannot fail: every value was checked when it was built.

mod alert;
mod bind;
mod body;
mod cancel_replace;
mod command_id;
mod data;
mod deliver;
mod header;
mod query;
mod status;
mod submit;
mod types;

use bytes::{BufMut, Bytes, BytesMut};

pub use alert::AlertNotification;
pub use bind::{Bind, BindResp, Outbind};
pub use cancel_replace::{CancelSm, ReplaceSm};
pub use command_id::CommandId;
pub use data::{DataSm, DataSmResp};
pub use deliver::{DeliverSm, DeliverSmResp};
pub use header::{HEADER_LEN, Header, MAX_SEQUENCE_NUMBER};
pub use query::{QuerySm, QuerySmResp};
pub use status::CommandStatus;
pub use submit::{
    DestAddress, Entries, Entry, SubmitMulti, SubmitMultiResp, SubmitSm, SubmitSmResp, UnsuccessSme,
};
pub use types::{
    COctetString, DataCoding, EsmClass, INTERFACE_VERSION_34, MessageState, Npi, OctetString,
    RegisteredDelivery, ShortMessage, SmppTime, Ton, ValueError,
};

use crate::codec::{DecodeOptions, Reader, Writer};
use crate::error::{DecodeError, DecodeErrorKind, Warning};
use crate::fields::Field;
use crate::tlv::Tlvs;

macro_rules! pdus {
    (
        empty { $( $(#[$em:meta])* $ev:ident = $eid:ident, )* }
        body { $( $(#[$bm:meta])* $bv:ident($bt:ty) = $bid:ident, )* }
        response { $( $(#[$rm:meta])* $rv:ident($rt:ty) = $rid:ident, omitted_on_error: $omit:literal, )* }
    ) => {
        /// The body of a PDU, one variant per SMPP v3.4 command (§4).
        ///
        /// Responses whose body the spec omits on error hold an `Option`: `None` is a header-only
        /// response. An id v3.4 does not define decodes (leniently) to [`Pdu::Unknown`].
        #[derive(Debug, Clone, PartialEq, Eq)]
        #[non_exhaustive]
        pub enum Pdu {
            $( $(#[$em])* $ev, )*
            $( $(#[$bm])* $bv($bt), )*
            $( $(#[$rm])* $rv(Option<$rt>), )*
            /// A command_id SMPP v3.4 does not define, with its body octets as they came.
            Unknown {
                /// The id.
                command_id: CommandId,
                /// The body.
                body: Bytes,
            },
        }

        impl Pdu {
            /// The command_id of this PDU.
            pub fn command_id(&self) -> CommandId {
                match self {
                    $( Self::$ev => CommandId::$eid, )*
                    $( Self::$bv(_) => CommandId::$bid, )*
                    $( Self::$rv(_) => CommandId::$rid, )*
                    Self::Unknown { command_id, .. } => *command_id,
                }
            }

            /// Octets of the body (everything after the header).
            #[inline]
            pub fn body_len(&self) -> usize {
                match self {
                    $( Self::$ev => 0, )*
                    $( Self::$bv(b) => b.body_len(), )*
                    $( Self::$rv(b) => b.as_ref().map_or(0, |b| b.body_len()), )*
                    Self::Unknown { body, .. } => body.len(),
                }
            }

            /// Whether the body is empty (header-only PDUs, and responses without a body).
            #[inline]
            pub fn body_len_is_zero(&self) -> bool {
                match self {
                    $( Self::$ev => true, )*
                    $( Self::$bv(_) => false, )*
                    $( Self::$rv(b) => b.is_none(), )*
                    Self::Unknown { body, .. } => body.is_empty(),
                }
            }

            /// Appends the encoded body.
            pub fn encode_body(&self, out: &mut impl BufMut) {
                let mut buf = vec![0u8; self.body_len()];
                self.write_body(&mut Writer::new(&mut buf));
                out.put_slice(&buf);
            }

            #[inline]
            fn write_body(&self, w: &mut Writer<'_>) {
                match self {
                    $( Self::$ev => {} )*
                    $( Self::$bv(b) => b.write_body(w), )*
                    $( Self::$rv(b) => if let Some(b) = b { b.write_body(w) }, )*
                    Self::Unknown { body, .. } => w.bytes(body),
                }
            }

            /// The mandatory fields by spec name, in wire order (empty for header-only PDUs).
            pub fn fields(&self) -> Vec<Field<'_>> {
                match self {
                    $( Self::$ev => Vec::new(), )*
                    $( Self::$bv(b) => b.fields(), )*
                    $( Self::$rv(b) => b.as_ref().map_or_else(Vec::new, |b| b.fields()), )*
                    Self::Unknown { .. } => Vec::new(),
                }
            }

            /// The TLVs, when the PDU has a body.
            pub fn tlvs(&self) -> Option<&Tlvs> {
                match self {
                    $( Self::$ev => None, )*
                    $( Self::$bv(b) => Some(&b.tlvs), )*
                    $( Self::$rv(b) => b.as_ref().map(|b| &b.tlvs), )*
                    Self::Unknown { .. } => None,
                }
            }

            /// The TLVs, mutably, when the PDU has a body.
            pub fn tlvs_mut(&mut self) -> Option<&mut Tlvs> {
                match self {
                    $( Self::$ev => None, )*
                    $( Self::$bv(b) => Some(&mut b.tlvs), )*
                    $( Self::$rv(b) => b.as_mut().map(|b| &mut b.tlvs), )*
                    Self::Unknown { .. } => None,
                }
            }

            /// The response of this command_id with no body (for error responses), if it has one.
            pub(crate) fn empty_response(id: CommandId) -> Option<Self> {
                match id {
                    $( CommandId::$eid if id.is_response() => Some(Self::$ev), )*
                    $( CommandId::$rid => Some(Self::$rv(None)), )*
                    _ => None,
                }
            }

            #[inline]
            /// Reads the body; a failure is recorded in the reader (check it after).
            fn decode_body(r: &mut Reader<'_>) -> Self {
                let h = r.header();
                match h.command_id {
                    $( CommandId::$eid => {
                        if !r.is_empty() {
                            let count = r.remaining();
                            r.fail(DecodeErrorKind::TrailingBytes { count });
                        }
                        Self::$ev
                    } )*
                    $( CommandId::$bid => Self::$bv(<$bt>::decode_body(r)), )*
                    $( CommandId::$rid => {
                        if r.is_empty() {
                            if h.command_status.is_ok() {
                                r.deviation_at(HEADER_LEN, DecodeErrorKind::MissingBody { command_id: h.command_id });
                            }
                            return Self::$rv(None);
                        }
                        if $omit && !h.command_status.is_ok() {
                            r.deviation_at(HEADER_LEN, DecodeErrorKind::BodyOnErrorResponse { command_id: h.command_id });
                        }
                        Self::$rv(Some(<$rt>::decode_body(r)))
                    } )*
                    other => {
                        r.deviation_at(4, DecodeErrorKind::UnknownCommandId(other));
                        Self::Unknown { command_id: other, body: r.rest() }
                    }
                }
            }
        }
    };
}

pdus! {
    empty {
        /// generic_nack (§4.3).
        GenericNack = GENERIC_NACK,
        /// unbind (§4.2.1).
        Unbind = UNBIND,
        /// unbind_resp (§4.2.2).
        UnbindResp = UNBIND_RESP,
        /// enquire_link (§4.11.1).
        EnquireLink = ENQUIRE_LINK,
        /// enquire_link_resp (§4.11.2).
        EnquireLinkResp = ENQUIRE_LINK_RESP,
        /// cancel_sm_resp (§4.9.2).
        CancelSmResp = CANCEL_SM_RESP,
        /// replace_sm_resp (§4.10.2).
        ReplaceSmResp = REPLACE_SM_RESP,
    }
    body {
        /// bind_transmitter (§4.1.1).
        BindTransmitter(Bind) = BIND_TRANSMITTER,
        /// bind_receiver (§4.1.3).
        BindReceiver(Bind) = BIND_RECEIVER,
        /// bind_transceiver (§4.1.5).
        BindTransceiver(Bind) = BIND_TRANSCEIVER,
        /// outbind (§4.1.7).
        Outbind(Outbind) = OUTBIND,
        /// submit_sm (§4.4.1).
        SubmitSm(SubmitSm) = SUBMIT_SM,
        /// submit_multi (§4.5.1).
        SubmitMulti(SubmitMulti) = SUBMIT_MULTI,
        /// deliver_sm (§4.6.1).
        DeliverSm(DeliverSm) = DELIVER_SM,
        /// data_sm (§4.7.1).
        DataSm(DataSm) = DATA_SM,
        /// query_sm (§4.8.1).
        QuerySm(QuerySm) = QUERY_SM,
        /// cancel_sm (§4.9.1).
        CancelSm(CancelSm) = CANCEL_SM,
        /// replace_sm (§4.10.1).
        ReplaceSm(ReplaceSm) = REPLACE_SM,
        /// alert_notification (§4.12.1).
        AlertNotification(AlertNotification) = ALERT_NOTIFICATION,
    }
    response {
        /// bind_transmitter_resp (§4.1.2); no body on error.
        BindTransmitterResp(BindResp) = BIND_TRANSMITTER_RESP, omitted_on_error: true,
        /// bind_receiver_resp (§4.1.4); no body on error.
        BindReceiverResp(BindResp) = BIND_RECEIVER_RESP, omitted_on_error: true,
        /// bind_transceiver_resp (§4.1.6); treated like the other two (the spec's table lacks the note).
        BindTransceiverResp(BindResp) = BIND_TRANSCEIVER_RESP, omitted_on_error: true,
        /// submit_sm_resp (§4.4.2); no body on error.
        SubmitSmResp(SubmitSmResp) = SUBMIT_SM_RESP, omitted_on_error: true,
        /// submit_multi_resp (§4.5.2); the spec says nothing of errors, both forms are accepted.
        SubmitMultiResp(SubmitMultiResp) = SUBMIT_MULTI_RESP, omitted_on_error: false,
        /// deliver_sm_resp (§4.6.2); both forms are accepted on error.
        DeliverSmResp(DeliverSmResp) = DELIVER_SM_RESP, omitted_on_error: false,
        /// data_sm_resp (§4.7.2); both forms are accepted on error.
        DataSmResp(DataSmResp) = DATA_SM_RESP, omitted_on_error: false,
        /// query_sm_resp (§4.8.2); both forms are accepted on error.
        QuerySmResp(QuerySmResp) = QUERY_SM_RESP, omitted_on_error: false,
    }
}

/// A whole PDU: header fields and body. `command_id` comes from the body, `command_length` is
/// computed on encode.
///
/// ```
/// use bytes::Bytes;
/// use smpp::{Command, Pdu};
/// let frame = Bytes::from_static(&[0, 0, 0, 0x10, 0, 0, 0, 0x15, 0, 0, 0, 0, 0, 0, 0, 3]);
/// let cmd = Command::decode(&frame).unwrap();
/// assert_eq!(cmd.pdu, Pdu::EnquireLink);
/// assert_eq!(cmd.sequence_number, 3);
/// assert_eq!(cmd.to_bytes(), frame);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    /// The outcome (responses); ESME_ROK in requests.
    pub command_status: CommandStatus,
    /// Correlates a response with its request.
    pub sequence_number: u32,
    /// The body.
    pub pdu: Pdu,
}

/// The result of a decode with [`DecodeOptions`]: the PDU and what lenient decoding overlooked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// The PDU.
    pub command: Command,
    /// Deviations from the spec accepted in lenient mode (always empty in strict mode).
    pub warnings: Vec<Warning>,
}

impl Command {
    /// A request (command_status ESME_ROK).
    pub fn new(sequence_number: u32, pdu: impl Into<Pdu>) -> Self {
        Self {
            command_status: CommandStatus::ESME_ROK,
            sequence_number,
            pdu: pdu.into(),
        }
    }

    /// A response with this status.
    pub fn response(
        command_status: CommandStatus,
        sequence_number: u32,
        pdu: impl Into<Pdu>,
    ) -> Self {
        Self {
            command_status,
            sequence_number,
            pdu: pdu.into(),
        }
    }

    /// A generic_nack (§4.3) with this status.
    pub fn generic_nack(command_status: CommandStatus, sequence_number: u32) -> Self {
        Self {
            command_status,
            sequence_number,
            pdu: Pdu::GenericNack,
        }
    }

    /// The header-only response `response_id` with this status (an error response), if that id is a
    /// response.
    pub fn empty_response(
        response_id: CommandId,
        command_status: CommandStatus,
        sequence_number: u32,
    ) -> Option<Self> {
        Pdu::empty_response(response_id).map(|pdu| Self {
            command_status,
            sequence_number,
            pdu,
        })
    }

    /// The command_id.
    pub fn command_id(&self) -> CommandId {
        self.pdu.command_id()
    }

    /// The header this PDU encodes with.
    pub fn header(&self) -> Header {
        Header {
            command_length: u32::try_from(self.encoded_len()).unwrap_or(u32::MAX),
            command_id: self.command_id(),
            command_status: self.command_status,
            sequence_number: self.sequence_number,
        }
    }

    /// Octets of the encoded PDU (the command_length).
    pub fn encoded_len(&self) -> usize {
        HEADER_LEN + self.pdu.body_len()
    }

    /// Appends the encoded PDU to a `Vec<u8>` or a `BytesMut` (for any other `BufMut`, see
    /// [`Command::encode_into`] and [`Command::to_bytes`]).
    ///
    /// One pass: the fields are written straight into the buffer's tail, which is grown first by a
    /// guess and shrunk to the true length after.
    #[inline]
    pub fn encode(&self, out: &mut impl Output) {
        encode_parts(self.command_status, self.sequence_number, &self.pdu, out);
    }

    /// Writes the encoded PDU at the start of `buf` and returns its length, or, when `buf` is too
    /// short, returns the length it needs as the error (what was written is then meaningless).
    ///
    /// ```
    /// use smpp::{Command, Pdu};
    /// let mut buf = [0u8; 64];
    /// assert_eq!(Command::new(3, Pdu::EnquireLink).encode_into(&mut buf), Ok(16));
    /// assert_eq!(Command::new(3, Pdu::EnquireLink).encode_into(&mut buf[..8]), Err(16));
    /// ```
    #[inline]
    pub fn encode_into(&self, buf: &mut [u8]) -> Result<usize, usize> {
        encode_parts_into(self.command_status, self.sequence_number, &self.pdu, buf)
    }

    /// The encoded PDU.
    pub fn to_bytes(&self) -> Bytes {
        let mut out = BytesMut::new();
        self.encode(&mut out);
        out.freeze()
    }

    /// Decodes one whole PDU strictly: `frame` is exactly `command_length` octets.
    #[inline]
    pub fn decode(frame: &Bytes) -> Result<Self, DecodeError> {
        Self::decode_into(frame, DecodeOptions::STRICT, &mut Vec::new())
    }

    /// Decodes one whole PDU from a slice (copies it once into a [`Bytes`]).
    pub fn decode_slice(frame: &[u8]) -> Result<Self, DecodeError> {
        Self::decode(&Bytes::copy_from_slice(frame))
    }

    /// Decodes one whole PDU, strictly or leniently.
    ///
    /// ```
    /// use bytes::Bytes;
    /// use smpp::{Command, DecodeOptions};
    /// // enquire_link with sequence_number 0: strict refuses it, lenient warns
    /// let frame = Bytes::from_static(&[0, 0, 0, 0x10, 0, 0, 0, 0x15, 0, 0, 0, 0, 0, 0, 0, 0]);
    /// assert!(Command::decode(&frame).is_err());
    /// let d = Command::decode_with(&frame, DecodeOptions::LENIENT).unwrap();
    /// assert_eq!(d.warnings.len(), 1);
    /// ```
    pub fn decode_with(frame: &Bytes, opts: DecodeOptions) -> Result<Decoded, DecodeError> {
        let mut warnings = Vec::new();
        let command = Self::decode_into(frame, opts, &mut warnings)?;
        Ok(Decoded { command, warnings })
    }

    /// Decodes one whole PDU, appending lenient-mode warnings to `warnings`.
    #[inline(always)]
    pub fn decode_into(
        frame: &Bytes,
        opts: DecodeOptions,
        warnings: &mut Vec<Warning>,
    ) -> Result<Self, DecodeError> {
        let header = check_length(frame)?;
        let mut r = Reader::new(frame, header, opts, warnings);
        check_header(&mut r, header);
        if r.failed() {
            return Err(r.take_error());
        }
        let pdu = Pdu::decode_body(&mut r);
        if r.failed() {
            return Err(r.take_error());
        }
        Ok(Self {
            command_status: header.command_status,
            sequence_number: header.sequence_number,
            pdu,
        })
    }
}

/// §3.2.2: the header is readable and command_length is at least 16 and the length of the frame.
#[inline]
fn check_length(frame: &Bytes) -> Result<Header, DecodeError> {
    let Some(header) = Header::parse(frame) else {
        let command_length = frame
            .get(..4)
            .and_then(|b| <[u8; 4]>::try_from(b).ok())
            .map_or(0, u32::from_be_bytes);
        let kind = if frame.len() >= 4 && command_length < HEADER_LEN as u32 {
            DecodeErrorKind::CommandLengthTooSmall { command_length }
        } else {
            DecodeErrorKind::LengthMismatch {
                command_length,
                available: frame.len(),
            }
        };
        return Err(DecodeError::new(None, 0, kind));
    };
    if header.command_length < HEADER_LEN as u32 {
        let kind = DecodeErrorKind::CommandLengthTooSmall {
            command_length: header.command_length,
        };
        return Err(DecodeError::new(Some(header), 0, kind));
    }
    if usize::try_from(header.command_length).ok() != Some(frame.len()) {
        let kind = DecodeErrorKind::LengthMismatch {
            command_length: header.command_length,
            available: frame.len(),
        };
        return Err(DecodeError::new(Some(header), 0, kind));
    }
    Ok(header)
}

/// §5.1.3: command_status is NULL in requests; §5.1.4: sequence_number is 1..=0x7FFFFFFF (a
/// generic_nack for an undecodable PDU carries 0, T 4-9).
#[inline]
fn check_header(r: &mut Reader<'_>, h: Header) {
    let seq = h.sequence_number;
    if seq > MAX_SEQUENCE_NUMBER || (seq == 0 && h.command_id != CommandId::GENERIC_NACK) {
        r.deviation_at(12, DecodeErrorKind::SequenceNumberOutOfRange(seq));
    }
    if !h.command_id.is_response() && h.command_id.is_known() && !h.command_status.is_ok() {
        r.deviation_at(8, DecodeErrorKind::StatusInRequest(h.command_status));
    }
}

macro_rules! from_body {
    ($($t:ident),*) => {$(
        impl From<$t> for Pdu {
            fn from(b: $t) -> Self {
                Pdu::$t(b)
            }
        }
    )*};
}

from_body!(
    Outbind,
    SubmitSm,
    SubmitMulti,
    DeliverSm,
    DataSm,
    QuerySm,
    CancelSm,
    ReplaceSm,
    AlertNotification
);

/// A growable buffer [`Command::encode`] appends to: `Vec<u8>` or `BytesMut`.
pub trait Output: AsRef<[u8]> + AsMut<[u8]> + output::Sealed {
    #[doc(hidden)]
    fn resize(&mut self, len: usize, value: u8);
    #[doc(hidden)]
    fn truncate(&mut self, len: usize);
}

mod output {
    pub trait Sealed {}
    impl Sealed for Vec<u8> {}
    impl Sealed for bytes::BytesMut {}
}

impl Output for Vec<u8> {
    fn resize(&mut self, len: usize, value: u8) {
        Vec::resize(self, len, value);
    }
    fn truncate(&mut self, len: usize) {
        Vec::truncate(self, len);
    }
}

impl Output for BytesMut {
    fn resize(&mut self, len: usize, value: u8) {
        BytesMut::resize(self, len, value);
    }
    fn truncate(&mut self, len: usize) {
        BytesMut::truncate(self, len);
    }
}

/// [`Command::encode`] from its parts, for a PDU the caller keeps (no `Command` to build).
#[inline]
pub(crate) fn encode_parts(
    command_status: CommandStatus,
    sequence_number: u32,
    pdu: &Pdu,
    out: &mut impl Output,
) {
    let start = out.as_ref().len();
    let guess = HEADER_LEN + if pdu.body_len_is_zero() { 0 } else { 240 };
    out.resize(start + guess, 0);
    let first = encode_parts_into(
        command_status,
        sequence_number,
        pdu,
        out.as_mut().get_mut(start..).unwrap_or_default(),
    );
    let n = match first {
        Ok(n) => n,
        Err(needed) => {
            out.resize(start + needed, 0);
            encode_parts_into(
                command_status,
                sequence_number,
                pdu,
                out.as_mut().get_mut(start..).unwrap_or_default(),
            )
            .unwrap_or(0)
        }
    };
    out.truncate(start + n);
}

/// [`Command::encode_into`] from its parts.
#[inline]
pub(crate) fn encode_parts_into(
    command_status: CommandStatus,
    sequence_number: u32,
    pdu: &Pdu,
    buf: &mut [u8],
) -> Result<usize, usize> {
    let mut w = Writer::new(buf);
    w.skip(HEADER_LEN);
    pdu.write_body(&mut w);
    let len = w.pos();
    if w.overflowed() {
        return Err(len);
    }
    // The header goes in last, once the length is known, field by field: building a `Header` and
    // copying its 16 octets costs a store-forwarding stall that is a third of a small PDU's time.
    let mut head = Writer::new(buf);
    head.u32(u32::try_from(len).unwrap_or(u32::MAX));
    head.u32(pdu.command_id().0);
    head.u32(command_status.0);
    head.u32(sequence_number);
    Ok(len)
}
