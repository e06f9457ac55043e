//! Session errors, split by who is at fault: the peer ([`PeerMisbehaved`]) or the caller
//! ([`ApiMisuse`]).

use crate::error::DecodeError;
use crate::pdu::CommandId;

use super::state::{Role, State};

/// Why a session command was refused, or (inside events) what the peer did wrong.
///
/// Commands ([`send_request`](super::Session::send_request), [`respond`](super::Session::respond),
/// ...) return [`WindowFull`](Self::WindowFull), [`Closed`](Self::Closed) or
/// [`ApiMisuse`](Self::ApiMisuse), never [`PeerMisbehaved`](Self::PeerMisbehaved): the peer's faults
/// are reported as [`Event::Rejected`](super::Event::Rejected) or as the cause of
/// [`Event::Closed`](super::Event::Closed).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SessionError {
    /// Every slot of the window holds a request awaiting its response: wait for a response, a
    /// timeout or a closed session, then retry (backpressure, not an error of anyone).
    #[error("the window of {size} requests in flight is full")]
    WindowFull {
        /// The window size.
        size: usize,
    },
    /// The session is closed: nothing more can be sent.
    #[error("the session is closed")]
    Closed,
    /// The caller asked for something the session does not allow. Never caused by wire input: the
    /// same calls in the same state fail whatever the peer sent.
    #[error("API misuse: {0}")]
    ApiMisuse(#[from] ApiMisuse),
    /// The peer broke the protocol.
    #[error("peer misbehaved: {0}")]
    PeerMisbehaved(#[from] PeerMisbehaved),
}

/// A command the caller should not have issued (never caused by wire input).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ApiMisuse {
    /// T 2-1 (§2.3) does not let this role send this PDU in this state, or the session does not (a
    /// second bind while one is in progress, anything new after unbind). Use
    /// [`send_request_unchecked`](super::Session::send_request_unchecked) to send it anyway.
    #[error("{role:?} may not send {command_id} in {state} (T 2-1)")]
    NotAllowed {
        /// The PDU.
        command_id: CommandId,
        /// The session's state.
        state: State,
        /// The session's role.
        role: Role,
    },
    /// `send_request` with a response: answer requests with `respond`.
    #[error("{0} is a response: use respond")]
    NotARequest(CommandId),
    /// `respond` with a request.
    #[error("{0} is not a response")]
    NotAResponse(CommandId),
    /// `send_request` with a command_id v3.4 does not define (use `send_request_unchecked`).
    #[error("{0} is not a v3.4 command")]
    UnknownCommand(CommandId),
    /// `respond` to a sequence_number with no received request awaiting this response.
    #[error("no received request with sequence_number {sequence_number} awaits {command_id}")]
    NoSuchRequest {
        /// The sequence_number given.
        sequence_number: u32,
        /// The response given.
        command_id: CommandId,
    },
}

/// Something the peer sent that breaks the protocol.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PeerMisbehaved {
    /// A command_length below 16 or above the maximum: the byte stream can no longer be trusted
    /// (§4.3), so the session answers generic_nack ESME_RINVCMDLEN and closes.
    #[error("framing error: {0}")]
    Framing(DecodeError),
    /// A PDU that did not decode (answered with its own response or generic_nack carrying
    /// [`DecodeError::command_status`], unless it is a response or alert_notification).
    #[error("undecodable PDU: {0}")]
    Undecodable(DecodeError),
    /// A command_id v3.4 does not define, decoded leniently (answered generic_nack ESME_RINVCMDID).
    #[error("unknown command_id {command_id} (sequence_number {sequence_number})")]
    UnknownCommand {
        /// The id.
        command_id: CommandId,
        /// Its sequence_number.
        sequence_number: u32,
    },
    /// A PDU T 2-1 does not let the peer send in the current state (answered with its own response
    /// carrying ESME_RINVBNDSTS, generic_nack ESME_RINVBNDSTS for outbind, nothing for
    /// alert_notification).
    #[error(
        "{command_id} not allowed from the peer in {state} (T 2-1, sequence_number {sequence_number})"
    )]
    NotAllowed {
        /// The PDU.
        command_id: CommandId,
        /// Its sequence_number.
        sequence_number: u32,
        /// The state it arrived in.
        state: State,
    },
    /// A bind while bound or while a bind is in progress (answered ESME_RALYBND).
    #[error("{command_id} while already bound or binding (sequence_number {sequence_number})")]
    AlreadyBound {
        /// The bind.
        command_id: CommandId,
        /// Its sequence_number.
        sequence_number: u32,
    },
    /// More unanswered requests than `max_pending_requests` (answered ESME_RTHROTTLED).
    #[error("{command_id} beyond {limit} unanswered requests (sequence_number {sequence_number})")]
    TooManyRequests {
        /// The request.
        command_id: CommandId,
        /// Its sequence_number.
        sequence_number: u32,
        /// The limit.
        limit: usize,
    },
}
