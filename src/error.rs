//! Decode errors and lenient-decoding warnings, each mapped to the `command_status` a receiver answers.

use crate::pdu::{CommandId, CommandStatus, Header};
use crate::tlv::TlvTag;

/// What went wrong while decoding one PDU (also the payload of a lenient-mode [`Warning`]).
///
/// Each kind maps to the `command_status` a receiver should answer with ([`Self::command_status`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeErrorKind {
    /// `command_length` is below the 16-octet header (§3.2.2).
    #[error("command_length {command_length} is below the 16-octet header")]
    CommandLengthTooSmall {
        /// The length the header announced.
        command_length: u32,
    },
    /// `command_length` is above the configured maximum.
    #[error("command_length {command_length} is above the maximum of {max}")]
    CommandLengthTooLarge {
        /// The length the header announced.
        command_length: u32,
        /// The configured maximum.
        max: u32,
    },
    /// The frame handed to the decoder is not exactly `command_length` octets long.
    #[error("command_length {command_length} does not match the {available} octets given")]
    LengthMismatch {
        /// The length the header announced.
        command_length: u32,
        /// The octets actually given.
        available: usize,
    },
    /// A `command_id` SMPP v3.4 does not define (§4.3: answered by generic_nack ESME_RINVCMDID).
    #[error("unknown command_id {0}")]
    UnknownCommandId(CommandId),
    /// A mandatory field runs past the end of the body `command_length` delimits.
    #[error("{field} needs {needed} octets, {available} left in the body")]
    Truncated {
        /// Spec name of the field.
        field: &'static str,
        /// Octets the field needs.
        needed: usize,
        /// Octets left.
        available: usize,
    },
    /// Octets left after the last mandatory field of a PDU that carries no TLVs.
    #[error("{count} octets after the end of the body")]
    TrailingBytes {
        /// How many.
        count: usize,
    },
    /// A C-Octet String with no NUL before the end of the body.
    #[error("{field} has no NUL terminator")]
    COctetNotTerminated {
        /// Spec name of the field.
        field: &'static str,
    },
    /// A C-Octet String longer than its maximum (which counts the NUL, §3.1).
    #[error("{field} is {len} octets with its NUL, above the maximum of {max}")]
    COctetTooLong {
        /// Spec name of the field.
        field: &'static str,
        /// Maximum size including the NUL.
        max: usize,
        /// Actual size including the NUL.
        len: usize,
    },
    /// A time field that is neither NULL nor 16 characters `YYMMDDhhmmsstnnp` (§7.1.1).
    #[error("{field} is {len} characters: a time is NULL or 16 characters YYMMDDhhmmsstnnp")]
    InvalidTime {
        /// Spec name of the field.
        field: &'static str,
        /// Its length without the NUL.
        len: usize,
    },
    /// sm_length 255, which §5.2.21 does not allow.
    #[error("sm_length {sm_length} is not allowed (0..=254)")]
    InvalidSmLength {
        /// The value found.
        sm_length: u8,
    },
    /// A submit_multi dest_flag other than 1 or 2 (§5.2.25).
    #[error("dest_flag {0} is neither 1 (SME address) nor 2 (distribution list)")]
    InvalidDestFlag(u8),
    /// number_of_dests (or no_unsuccess) above 254 (§5.2.24).
    #[error("{field} {count} is above the maximum of 254")]
    TooManyEntries {
        /// Spec name of the count field.
        field: &'static str,
        /// The count found.
        count: u8,
    },
    /// A TLV header or value runs past the end of the body (§3.2.4.1).
    #[error("TLV stream is cut: {available} octets left where a TLV needs {needed}")]
    TlvTruncated {
        /// Octets the TLV needs.
        needed: usize,
        /// Octets left.
        available: usize,
    },
    /// A known TLV whose length does not fit its type (§5.3.2).
    #[error("TLV {tag} has length {length}, expected {expected}")]
    TlvLength {
        /// The tag.
        tag: TlvTag,
        /// The length found.
        length: u16,
        /// What the spec allows, in words.
        expected: &'static str,
    },
    /// A known TLV whose value is malformed (e.g. a C-Octet String without its NUL).
    #[error("TLV {tag} value is invalid: {reason}")]
    TlvValue {
        /// The tag.
        tag: TlvTag,
        /// Why.
        reason: &'static str,
    },
    /// A known TLV the spec does not list for this PDU.
    #[error("TLV {tag} is not allowed in {command_id}")]
    TlvNotAllowed {
        /// The tag.
        tag: TlvTag,
        /// The PDU carrying it.
        command_id: CommandId,
    },
    /// A TLV that another TLV requires is missing (e.g. the SAR triple, §5.3.2.22–24).
    #[error("TLV {missing} is required by {because}")]
    TlvMissing {
        /// The missing tag.
        missing: TlvTag,
        /// The tag present that requires it.
        because: TlvTag,
    },
    /// Both short_message and message_payload carry user data (§5.3.2.32: only one may be used).
    #[error("short_message and message_payload are both present")]
    PayloadAndShortMessage,
    /// A response with command_status ESME_ROK but no body.
    #[error("successful {command_id} has no body")]
    MissingBody {
        /// The response.
        command_id: CommandId,
    },
    /// An error response that carries a body where the spec says none is returned (§4.1.2, §4.4.2).
    #[error("{command_id} with an error status carries a body")]
    BodyOnErrorResponse {
        /// The response.
        command_id: CommandId,
    },
    /// A sequence_number outside 1..=0x7FFFFFFF (§5.1.4).
    #[error("sequence_number {0:#x} is outside 1..=0x7fffffff")]
    SequenceNumberOutOfRange(u32),
    /// A request with a non-zero command_status (§5.1.3: NULL in requests).
    #[error("request carries command_status {0}")]
    StatusInRequest(CommandStatus),
}

impl DecodeErrorKind {
    /// The `command_status` a receiver answers this problem with (§3.3, §4.3, T 5-2).
    pub fn command_status(&self) -> CommandStatus {
        use DecodeErrorKind::*;
        match self {
            CommandLengthTooSmall { .. }
            | CommandLengthTooLarge { .. }
            | LengthMismatch { .. }
            | Truncated { .. }
            | TrailingBytes { .. }
            | MissingBody { .. }
            | BodyOnErrorResponse { .. } => CommandStatus::ESME_RINVCMDLEN,
            UnknownCommandId(_) => CommandStatus::ESME_RINVCMDID,
            COctetNotTerminated { field } | COctetTooLong { field, .. } => status_for_field(field),
            InvalidTime { field, .. } => status_for_field(field),
            InvalidSmLength { .. } | PayloadAndShortMessage => CommandStatus::ESME_RINVMSGLEN,
            InvalidDestFlag(_) => CommandStatus::ESME_RINVDESTFLAG,
            TooManyEntries { .. } => CommandStatus::ESME_RINVNUMDESTS,
            TlvTruncated { .. } => CommandStatus::ESME_RINVOPTPARSTREAM,
            TlvLength { .. } => CommandStatus::ESME_RINVPARLEN,
            TlvValue { .. } => CommandStatus::ESME_RINVOPTPARAMVAL,
            TlvNotAllowed { .. } => CommandStatus::ESME_ROPTPARNOTALLWD,
            TlvMissing { .. } => CommandStatus::ESME_RMISSINGOPTPARAM,
            // The spec names no status for these; a receiver can only say it cannot handle the PDU.
            SequenceNumberOutOfRange(_) | StatusInRequest(_) => CommandStatus::ESME_RUNKNOWNERR,
        }
    }

    /// Whether the problem lies in the framing, so that the byte stream can no longer be trusted
    /// (§4.3: "the data is assumed to be corrupt").
    pub fn is_framing(&self) -> bool {
        matches!(
            self,
            Self::CommandLengthTooSmall { .. }
                | Self::CommandLengthTooLarge { .. }
                | Self::LengthMismatch { .. }
        )
    }

    /// A short stable name of the kind (`"truncated"`, `"tlv_length"`, ...), for reports and JSON.
    pub fn name(&self) -> &'static str {
        use DecodeErrorKind::*;
        match self {
            CommandLengthTooSmall { .. } => "command_length_too_small",
            CommandLengthTooLarge { .. } => "command_length_too_large",
            LengthMismatch { .. } => "length_mismatch",
            UnknownCommandId(_) => "unknown_command_id",
            Truncated { .. } => "truncated",
            TrailingBytes { .. } => "trailing_bytes",
            COctetNotTerminated { .. } => "c_octet_not_terminated",
            COctetTooLong { .. } => "c_octet_too_long",
            InvalidTime { .. } => "invalid_time",
            InvalidSmLength { .. } => "invalid_sm_length",
            InvalidDestFlag(_) => "invalid_dest_flag",
            TooManyEntries { .. } => "too_many_entries",
            TlvTruncated { .. } => "tlv_truncated",
            TlvLength { .. } => "tlv_length",
            TlvValue { .. } => "tlv_value",
            TlvNotAllowed { .. } => "tlv_not_allowed",
            TlvMissing { .. } => "tlv_missing",
            PayloadAndShortMessage => "payload_and_short_message",
            MissingBody { .. } => "missing_body",
            BodyOnErrorResponse { .. } => "body_on_error_response",
            SequenceNumberOutOfRange(_) => "sequence_number_out_of_range",
            StatusInRequest(_) => "status_in_request",
        }
    }
}

/// The status T 5-2 gives for a bad value of a named mandatory field.
fn status_for_field(field: &str) -> CommandStatus {
    match field {
        "system_id" => CommandStatus::ESME_RINVSYSID,
        "password" => CommandStatus::ESME_RINVPASWD,
        "system_type" => CommandStatus::ESME_RINVSYSTYP,
        "service_type" => CommandStatus::ESME_RINVSERTYP,
        "source_addr" | "esme_addr" => CommandStatus::ESME_RINVSRCADR,
        "destination_addr" => CommandStatus::ESME_RINVDSTADR,
        "dl_name" => CommandStatus::ESME_RINVDLNAME,
        "message_id" => CommandStatus::ESME_RINVMSGID,
        "schedule_delivery_time" => CommandStatus::ESME_RINVSCHED,
        "validity_period" => CommandStatus::ESME_RINVEXPIRY,
        _ => CommandStatus::ESME_RINVPARLEN,
    }
}

/// A PDU that could not be decoded: what went wrong, where, and the header when it was readable.
///
/// ```
/// use smpp::{Command, CommandStatus};
/// // enquire_link with a command_length of 12
/// let err = Command::decode_slice(&[0, 0, 0, 12, 0, 0, 0, 0x15, 0, 0, 0, 0, 0, 0, 0, 1]).unwrap_err();
/// assert_eq!(err.command_status(), CommandStatus::ESME_RINVCMDLEN);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind} (offset {offset})")]
pub struct DecodeError {
    /// The header, when the first 16 octets could be read.
    pub header: Option<Header>,
    /// Offset of the problem from the start of the PDU.
    pub offset: usize,
    /// What went wrong.
    pub kind: DecodeErrorKind,
}

impl DecodeError {
    pub(crate) fn new(header: Option<Header>, offset: usize, kind: DecodeErrorKind) -> Self {
        Self {
            header,
            offset,
            kind,
        }
    }

    /// The `command_status` a receiver answers with.
    pub fn command_status(&self) -> CommandStatus {
        self.kind.command_status()
    }

    /// The PDU a receiver should send back, per §4.3 and T 5-2: the request's own response carrying
    /// the error status when the header was readable and names a known request; `generic_nack` when
    /// the command_id or the framing is bad (with sequence_number 0 when no header could be read);
    /// `None` for a broken response, generic_nack or alert_notification, which are never answered.
    pub fn response(&self) -> Option<crate::Command> {
        let status = self.command_status();
        let Some(header) = self.header else {
            return Some(crate::Command::generic_nack(status, 0));
        };
        if self.kind.is_framing() || matches!(self.kind, DecodeErrorKind::UnknownCommandId(_)) {
            return Some(crate::Command::generic_nack(status, header.sequence_number));
        }
        if header.command_id.is_response() || header.command_id == CommandId::ALERT_NOTIFICATION {
            return None;
        }
        match header.command_id.response() {
            Some(resp) => crate::Command::empty_response(resp, status, header.sequence_number),
            None => Some(crate::Command::generic_nack(status, header.sequence_number)),
        }
    }
}

/// A deviation from the spec that lenient decoding accepted (strict decoding rejects it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// Offset of the deviation from the start of the PDU.
    pub offset: usize,
    /// What the deviation is.
    pub kind: DecodeErrorKind,
}

impl core::fmt::Display for Warning {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{} (offset {})", self.kind, self.offset)
    }
}
