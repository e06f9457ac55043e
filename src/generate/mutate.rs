//! The mutator: near-valid malformed PDUs derived from a valid one, each with the answer a strict
//! receiver owes it.
//!
//! [`mutate`] breaks a valid [`Command`] in one precise way ([`Mutation`]) and returns the result as
//! a [`RawPdu`]; [`expected`] says what strict decoding of it must give: the [`DecodeErrorKind`]
//! (and so, through [`DecodeErrorKind::command_status`], the command_status of the answer), or
//! `None` when the mutation leaves a PDU strict decoding accepts (e.g. a truncation at a TLV
//! boundary, or a mutation that does not apply to this PDU, which then comes back unchanged).
//!
//! [`expected`] does not ask the codec: it runs a reference decoder written apart from it from the
//! spec's tables ([`expected_for`] runs it on any octets), so the negative tests compare two
//! implementations.
//!
//! ```
//! use smpp::generate::mutate::{expected, mutate, Mutation};
//! use smpp::{Command, CommandStatus, DecodeErrorKind, SubmitSm};
//! let valid = Command::new(2, SubmitSm { short_message: "Hi".try_into()?, ..Default::default() });
//! let bad = mutate(&valid, Mutation::SmLength(255));
//! let err = Command::decode(&bad.to_bytes()).unwrap_err();
//! assert_eq!(err.kind, DecodeErrorKind::InvalidSmLength { sm_length: 255 });
//! assert_eq!(err.command_status(), CommandStatus::ESME_RINVMSGLEN);
//! assert_eq!(expected(&valid, &Mutation::SmLength(255)), Some(err.kind));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use bytes::{BufMut, Bytes, BytesMut};

use super::model::{self, Segment, SegmentKind};
use crate::error::DecodeErrorKind;
use crate::pdu::{Command, CommandId, CommandStatus, HEADER_LEN};
use crate::raw::RawPdu;

pub use super::model::same_kind;

/// The vendor TLV appended when a TLV mutation needs a TLV and the PDU has none (tag 0x1400, the
/// first of the vendor block, with 4 octets `smpp`): valid in any PDU with a body (§3.3).
pub const VENDOR_TLV: [u8; 8] = [0x14, 0x00, 0x00, 0x04, b's', b'm', b'p', b'p'];

/// One way to break a valid PDU. Each variant says what a strict receiver answers; [`expected`]
/// computes the exact [`DecodeErrorKind`] for a given PDU.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Mutation {
    /// command_length is the true length plus this (clamped to `0..=u32::MAX`), the octets are
    /// unchanged. Decoded as one frame: [`DecodeErrorKind::CommandLengthTooSmall`] below 16, else
    /// [`DecodeErrorKind::LengthMismatch`]; ESME_RINVCMDLEN (generic_nack, §4.3).
    CommandLength(i64),
    /// The PDU is cut to `at` octets (clamped to `16..=length`). With `patch_length`, command_length
    /// says `at`, and the body ends early: [`DecodeErrorKind::Truncated`] in a field (ESME_RINVCMDLEN),
    /// [`DecodeErrorKind::COctetNotTerminated`] inside a C-Octet String (the field's status, e.g.
    /// ESME_RINVSRCADR), [`DecodeErrorKind::TlvTruncated`] inside a TLV (ESME_RINVOPTPARSTREAM),
    /// [`DecodeErrorKind::MissingBody`] for a successful response cut to its header,
    /// [`DecodeErrorKind::TlvMissing`] when the cut splits the SAR triple or callback_num from its
    /// companions, and acceptance (with fewer TLVs) at a TLV boundary. Without it,
    /// [`DecodeErrorKind::LengthMismatch`].
    Truncate {
        /// Octets kept.
        at: usize,
        /// Whether command_length is set to the new length.
        patch_length: bool,
    },
    /// The first C-Octet String named `field` (mandatory field or list entry) holds its maximum
    /// size in characters, one octet too many with its NUL: [`DecodeErrorKind::COctetTooLong`], the
    /// field's status (T 5-2: ESME_RINVSYSID, ESME_RINVPASWD, ESME_RINVSRCADR, ESME_RINVDSTADR,
    /// ESME_RINVSCHED, ...; ESME_RINVPARLEN for fields T 5-2 has no code for).
    COctetTooLong {
        /// Spec name of the field.
        field: &'static str,
    },
    /// The NUL of the first C-Octet String named `field` is removed and the PDU ends there (the
    /// missing final NUL real peers send): [`DecodeErrorKind::COctetNotTerminated`] with the
    /// field's status, or [`DecodeErrorKind::Truncated`] (ESME_RINVCMDLEN) when the string was empty
    /// ([`DecodeErrorKind::MissingBody`] when that leaves a successful response with no body, and
    /// acceptance when it leaves an error response with none).
    COctetUnterminated {
        /// Spec name of the field.
        field: &'static str,
    },
    /// The last TLV ([`VENDOR_TLV`] appended when there is none) says it is `by` octets longer than
    /// it is: [`DecodeErrorKind::TlvTruncated`], ESME_RINVOPTPARSTREAM.
    TlvLengthTooLong {
        /// Octets added to the length (the length saturates at 65535).
        by: u16,
    },
    /// The last TLV ([`VENDOR_TLV`] appended when there is none) says it is `by` octets shorter than
    /// it is (saturating at 0), so its tail is read as another TLV: for the vendor TLV and `by` in
    /// 1..=3, [`DecodeErrorKind::TlvTruncated`] (ESME_RINVOPTPARSTREAM); for a known tag, first its
    /// value check ([`DecodeErrorKind::TlvLength`], ESME_RINVPARLEN, or
    /// [`DecodeErrorKind::TlvValue`], ESME_RINVOPTPARAMVAL).
    TlvLengthTooShort {
        /// Octets taken off the length.
        by: u16,
    },
    /// The last TLV ([`VENDOR_TLV`] appended when there is none) loses its last `by` octets (clamped
    /// so that at least one octet of it stays), command_length patched: the PDU ends inside it,
    /// [`DecodeErrorKind::TlvTruncated`], ESME_RINVOPTPARSTREAM.
    TlvCut {
        /// Octets cut.
        by: usize,
    },
    /// These octets follow the body. Header-only PDUs: [`DecodeErrorKind::TrailingBytes`]
    /// (ESME_RINVCMDLEN); bodies: they are read as TLVs (fewer than 4 octets:
    /// [`DecodeErrorKind::TlvTruncated`]); a header-only error response gains a body
    /// ([`DecodeErrorKind::BodyOnErrorResponse`] where the spec omits it).
    AppendGarbage(Bytes),
    /// command_id becomes this id, if v3.4 does not define it (else the PDU is unchanged):
    /// [`DecodeErrorKind::UnknownCommandId`], generic_nack ESME_RINVCMDID (§4.3).
    UnknownCommandId(CommandId),
    /// sm_length (submit_sm, submit_multi, deliver_sm, replace_sm) says this: 255 is
    /// [`DecodeErrorKind::InvalidSmLength`] (ESME_RINVMSGLEN); more than the octets left is
    /// [`DecodeErrorKind::Truncated`] on short_message; otherwise the message and TLVs are
    /// misread and the answer depends on the octets (computed by [`expected`]).
    SmLength(u8),
    /// number_of_dests (submit_multi) says this: 255 is [`DecodeErrorKind::TooManyEntries`]
    /// (ESME_RINVNUMDESTS); more than there are reads the next fields as entries (commonly
    /// [`DecodeErrorKind::InvalidDestFlag`], ESME_RINVDESTFLAG, from esm_class); fewer reads the
    /// remaining entries as the next fields (computed by [`expected`]).
    NumberOfDests(u8),
    /// A request carries this command_status (unchanged for responses, whose status is theirs):
    /// [`DecodeErrorKind::StatusInRequest`] unless ESME_ROK, ESME_RUNKNOWNERR.
    StatusInRequest(CommandStatus),
    /// sequence_number is 0: [`DecodeErrorKind::SequenceNumberOutOfRange`], ESME_RUNKNOWNERR
    /// (§5.1.4), except in generic_nack, where T 4-9 allows it.
    SequenceNumberZero,
}

/// Breaks `valid` as `m` says. A mutation that does not apply to this PDU (a field it lacks, a TLV
/// mutation on a PDU without a body) returns it unchanged.
///
/// ```
/// use smpp::generate::mutate::{mutate, Mutation};
/// use smpp::{Command, DecodeErrorKind, Pdu};
/// let bad = mutate(&Command::new(3, Pdu::EnquireLink), Mutation::CommandLength(1));
/// assert_eq!(bad.wire_command_length(), 17);
/// let err = Command::decode(&bad.to_bytes()).unwrap_err();
/// assert_eq!(err.kind, DecodeErrorKind::LengthMismatch { command_length: 17, available: 16 });
/// ```
pub fn mutate(valid: &Command, m: Mutation) -> RawPdu {
    let mut raw = RawPdu::from_command(valid);
    let bytes = valid.to_bytes();
    let (_, segments) = model::check(&bytes);
    let len = bytes.len();
    let has_body = valid.pdu.tlvs().is_some();
    match m {
        Mutation::CommandLength(delta) => {
            let l = i64::try_from(len).unwrap_or(i64::MAX).saturating_add(delta);
            raw.command_length = Some(u32::try_from(l.max(0)).unwrap_or(u32::MAX));
        }
        Mutation::Truncate { at, patch_length } => {
            let at = at.clamp(HEADER_LEN, len);
            raw.body = raw.body.slice(..at - HEADER_LEN);
            if !patch_length && at < len {
                raw.command_length = Some(u32::try_from(len).unwrap_or(u32::MAX));
            }
        }
        Mutation::COctetTooLong { field } => {
            if let Some((s, max)) = c_octet(&segments, field) {
                let mut body = BytesMut::new();
                body.put_slice(&bytes[HEADER_LEN..s.start]);
                body.put_slice(&b"1234567890".repeat(max / 10 + 1)[..max]);
                body.put_u8(0);
                body.put_slice(&bytes[s.end..]);
                raw.body = body.freeze();
            }
        }
        Mutation::COctetUnterminated { field } => {
            if let Some((s, _)) = c_octet(&segments, field) {
                raw.body = raw.body.slice(..s.end - 1 - HEADER_LEN);
            }
        }
        Mutation::TlvLengthTooLong { by } => {
            if has_body {
                let (mut body, at) = with_last_tlv(&bytes, &segments);
                let l = u16::from_be_bytes([body[at + 2], body[at + 3]]);
                body[at + 2..at + 4].copy_from_slice(&l.saturating_add(by).to_be_bytes());
                raw.body = Bytes::from(body);
            }
        }
        Mutation::TlvLengthTooShort { by } => {
            if has_body {
                let (mut body, at) = with_last_tlv(&bytes, &segments);
                let l = u16::from_be_bytes([body[at + 2], body[at + 3]]);
                body[at + 2..at + 4].copy_from_slice(&l.saturating_sub(by).to_be_bytes());
                raw.body = Bytes::from(body);
            }
        }
        Mutation::TlvCut { by } => {
            if has_body {
                let (mut body, at) = with_last_tlv(&bytes, &segments);
                let tlv_len = body.len() - at;
                body.truncate(body.len() - by.clamp(1, tlv_len - 1));
                raw.body = Bytes::from(body);
            }
        }
        Mutation::AppendGarbage(garbage) => {
            let mut body = BytesMut::from(&raw.body[..]);
            body.put_slice(&garbage);
            raw.body = body.freeze();
        }
        Mutation::UnknownCommandId(id) => {
            if !id.is_known() {
                raw.command_id = id;
            }
        }
        Mutation::SmLength(v) => set_count(&mut raw, &segments, "sm_length", v),
        Mutation::NumberOfDests(v) => set_count(&mut raw, &segments, "number_of_dests", v),
        Mutation::StatusInRequest(status) => {
            if !valid.command_id().is_response() {
                raw.command_status = status;
            }
        }
        Mutation::SequenceNumberZero => raw.sequence_number = 0,
    }
    raw
}

/// What strict decoding of `mutate(valid, m)` must give: the problem, or `None` when strict
/// decoding accepts it. Computed by a reference decoder apart from the codec ([`expected_for`]).
pub fn expected(valid: &Command, m: &Mutation) -> Option<DecodeErrorKind> {
    expected_for(&mutate(valid, m.clone()).to_bytes())
}

/// What strict decoding of these octets, as one whole frame, must give (`None`: accepted), by a
/// reference decoder written from the spec's tables apart from the codec. Compare kinds with
/// [`same_kind`]: the descriptive texts of TLV value problems are left empty.
pub fn expected_for(frame: &[u8]) -> Option<DecodeErrorKind> {
    model::check(frame).0
}

/// The first C-Octet String segment named `field` and its maximum size.
fn c_octet<'a>(segments: &'a [Segment], field: &str) -> Option<(&'a Segment, usize)> {
    segments.iter().find_map(|s| match s.kind {
        SegmentKind::COctet { max } if s.name == field => Some((s, max)),
        _ => None,
    })
}

/// The body octets with a TLV at the end ([`VENDOR_TLV`] appended when there is none), and the
/// offset of that last TLV in the body.
fn with_last_tlv(bytes: &[u8], segments: &[Segment]) -> (Vec<u8>, usize) {
    let mut body = bytes[HEADER_LEN..].to_vec();
    match segments.iter().rev().find(|s| s.kind == SegmentKind::Tlv) {
        Some(s) => {
            let at = s.start - HEADER_LEN;
            (body, at)
        }
        None => {
            let at = body.len();
            body.extend_from_slice(&VENDOR_TLV);
            (body, at)
        }
    }
}

/// Sets the one-octet count named `name`, if the PDU has it.
fn set_count(raw: &mut RawPdu, segments: &[Segment], name: &str, v: u8) {
    if let Some(s) = segments
        .iter()
        .find(|s| s.kind == SegmentKind::Count && s.name == name)
    {
        let mut body = raw.body.to_vec();
        body[s.start - HEADER_LEN] = v;
        raw.body = Bytes::from(body);
    }
}

/// The named C-Octet Strings of `valid`, in wire order (list entries included): the fields
/// [`Mutation::COctetTooLong`] and [`Mutation::COctetUnterminated`] can name.
pub fn c_octet_fields(valid: &Command) -> Vec<&'static str> {
    let (_, segments) = model::check(&valid.to_bytes());
    let mut out: Vec<&'static str> = Vec::new();
    for s in segments {
        if matches!(s.kind, SegmentKind::COctet { .. }) && !out.contains(&s.name) {
            out.push(s.name);
        }
    }
    out
}
