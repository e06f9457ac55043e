//! Server errors.

use std::io;
use std::sync::Arc;

use crate::error::DecodeError;
use crate::pdu::{CommandId, CommandStatus};
use crate::session::ApiMisuse;

use super::SessionId;

/// Why a server operation failed.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum ServerError {
    /// The listening socket could not be opened (or, for an outbind, the connection made).
    #[error("cannot listen on or connect to {addr}: {source}")]
    Listen {
        /// The address.
        addr: String,
        /// Why.
        source: Arc<io::Error>,
    },
    /// The store of messages waiting for a receiver is full (answer ESME_RMSGQFUL, see
    /// [`command_status`](Self::command_status)).
    #[error("message queue full")]
    QueueFull,
    /// No open session has this id.
    #[error("no session {0}")]
    NoSuchSession(SessionId),
    /// No receiver of this system_id is bound.
    #[error("no receiver bound for {0:?}")]
    NoReceiver(String),
    /// The session closed before the request was sent (or the server shut down).
    #[error("the session closed")]
    Closed,
    /// No response within the response timer; the ESME may still have processed it.
    #[error("{command_id} (sequence_number {sequence_number}) got no response in time")]
    Timeout {
        /// The request's id.
        command_id: CommandId,
        /// Its sequence_number.
        sequence_number: u32,
    },
    /// Sent, and the connection ended before the response: the ESME may or may not have it.
    #[error(
        "{command_id} (sequence_number {sequence_number}) was in flight when the session closed"
    )]
    Abandoned {
        /// The request's id.
        command_id: CommandId,
        /// Its sequence_number.
        sequence_number: u32,
    },
    /// The response did not decode.
    #[error("bad response: {0}")]
    BadResponse(DecodeError),
    /// The session refused to send this PDU in its state (T 2-1: e.g. deliver_sm to a
    /// transmitter).
    #[error("API misuse: {0}")]
    ApiMisuse(ApiMisuse),
}

impl ServerError {
    /// The status an SMSC answers a submitting ESME with for this error, when there is one:
    /// ESME_RMSGQFUL for [`QueueFull`](Self::QueueFull).
    pub fn command_status(&self) -> Option<CommandStatus> {
        match self {
            Self::QueueFull => Some(CommandStatus::ESME_RMSGQFUL),
            _ => None,
        }
    }
}
