//! Client errors: what the peer answered, what the connection did, and what the caller got wrong.

use std::io;
use std::sync::Arc;

use crate::error::DecodeError;
use crate::pdu::{Command, CommandId, CommandStatus, Pdu};
use crate::session::{ApiMisuse, SessionError};
use crate::text::TextError;
use crate::transport::Disconnect;

/// Why a client operation failed.
///
/// The variants say whether the request reached the SMSC, so the application knows what to send
/// again: [`NotConnected`](Self::NotConnected), [`Closed`](Self::Closed) and
/// [`ApiMisuse`](Self::ApiMisuse) were never sent; [`Abandoned`](Self::Abandoned) and
/// [`Timeout`](Self::Timeout) were sent and got no answer (the SMSC may or may not have processed
/// them); [`Status`](Self::Status) was answered with an error. The client never re-sends anything by
/// itself. See [`was_sent`](Self::was_sent).
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// The TCP connection (or the TLS handshake) could not be made.
    #[error("cannot connect to {addr}: {source}")]
    Connect {
        /// host:port.
        addr: String,
        /// What failed.
        source: Arc<io::Error>,
    },
    /// The SMSC refused the bind with this status (e.g. ESME_RINVPASWD, ESME_RBINDFAIL).
    #[error("bind refused: {command_status}")]
    BindRefused {
        /// The bind response's status (or the generic_nack's).
        command_status: CommandStatus,
    },
    /// The SMSC did not answer the bind within the bind timeout.
    #[error("bind timed out")]
    BindTimeout,
    /// The connection ended before the bind completed.
    #[error("connection ended while binding: {0}")]
    BindFailed(Disconnect),
    /// The SMSC answered with an error status (a generic_nack included); the response is here.
    #[error("{} answered {}", .response.command_id(), .command_status)]
    Status {
        /// The status.
        command_status: CommandStatus,
        /// The whole response.
        response: Box<Command>,
    },
    /// No response within the response timeout (§2.9): the request left the window. The SMSC may
    /// still have processed it; a late response is reported as a protocol event.
    #[error("{command_id} (sequence_number {sequence_number}) got no response in time")]
    Timeout {
        /// The request's id.
        command_id: CommandId,
        /// Its sequence_number.
        sequence_number: u32,
    },
    /// The request was written, and the connection ended before its response: the SMSC may or
    /// may not have processed it. Never re-sent by the client.
    #[error(
        "{command_id} (sequence_number {sequence_number}) was in flight when the connection ended"
    )]
    Abandoned {
        /// The request's id.
        command_id: CommandId,
        /// Its sequence_number on the lost connection.
        sequence_number: u32,
        /// The request as sent.
        request: Box<Pdu>,
    },
    /// The response did not decode (the request is over).
    #[error("bad response: {0}")]
    BadResponse(DecodeError),
    /// Not bound now and not going to be (the connection dropped without reconnection, or
    /// reconnection gave up). The request was not sent.
    #[error("not connected: {0}")]
    NotConnected(Disconnect),
    /// The client was closed by [`unbind`](super::Client::unbind) or
    /// [`disconnect`](super::Client::disconnect); the request was not sent.
    #[error("the client is closed")]
    Closed,
    /// The session refused the request: T 2-1 does not allow it in this bind (e.g. submit_sm on a
    /// receiver), or it is not a request. Never caused by the SMSC; not sent.
    #[error("API misuse: {0}")]
    ApiMisuse(ApiMisuse),
    /// The call cannot work as made (e.g. `request` with a bind); nothing was sent.
    #[error("misuse: {0}")]
    Misuse(&'static str),
    /// A field of the configuration does not fit its PDU field.
    #[error("invalid configuration: {0}")]
    InvalidConfig(String),
    /// [`send_long`](super::Client::send_long) could not split the text.
    #[error("cannot split the text: {0}")]
    Text(#[from] TextError),
    /// [`send_long`](super::Client::send_long) failed after some parts were accepted: their
    /// message ids are here; the parts after them were not sent.
    #[error("part {} of a long message failed after {} accepted: {error}", .message_ids.len() + 1, .message_ids.len())]
    Partial {
        /// The ids of the parts the SMSC accepted, in order.
        message_ids: Vec<String>,
        /// Why the next part failed.
        error: Box<ClientError>,
    },
}

impl ClientError {
    /// Whether the request may have reached the SMSC: `Some(true)` for an answered error,
    /// `None` (unknown) for [`Timeout`](Self::Timeout) and [`Abandoned`](Self::Abandoned),
    /// `Some(false)` for errors raised before sending.
    pub fn was_sent(&self) -> Option<bool> {
        match self {
            Self::Status { .. } | Self::BadResponse(_) => Some(true),
            Self::Timeout { .. } | Self::Abandoned { .. } | Self::Partial { .. } => None,
            _ => Some(false),
        }
    }

    /// The status the SMSC answered, for [`Status`](Self::Status) and
    /// [`BindRefused`](Self::BindRefused).
    pub fn command_status(&self) -> Option<CommandStatus> {
        match self {
            Self::Status { command_status, .. } | Self::BindRefused { command_status } => {
                Some(*command_status)
            }
            Self::Partial { error, .. } => error.command_status(),
            _ => None,
        }
    }

    pub(crate) fn from_session(e: SessionError) -> Self {
        match e {
            SessionError::ApiMisuse(m) => Self::ApiMisuse(m),
            SessionError::Closed => Self::Closed,
            // The driver only sends when the window has room; a full window here means an
            // automatic enquire_link took the last slot. Report it as not sent.
            SessionError::WindowFull { size } => Self::InvalidConfig(format!(
                "window of {size} full (an automatic enquire_link took the slot)"
            )),
            SessionError::PeerMisbehaved(p) => Self::InvalidConfig(p.to_string()),
        }
    }
}
