//! What a session reports to the application: [`Event`] and why a session closed ([`CloseCause`]).

use std::time::Duration;

use crate::error::{DecodeError, Warning};
use crate::pdu::{COctetString, Command, CommandId, CommandStatus, Pdu};

use super::error::PeerMisbehaved;
use super::state::BindType;

/// Who started something.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Initiator {
    /// This end (the application, or the session on its behalf).
    Local,
    /// The peer.
    Remote,
}

/// Why a session closed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CloseCause {
    /// [`Session::close`](super::Session::close) was called.
    Local,
    /// unbind and unbind_resp were exchanged (§4.2); the initiator sent the unbind.
    Unbound(Initiator),
    /// The session-init timer expired before a bind (§2.9).
    SessionInitTimeout,
    /// This end's bind got no response within the session-init time.
    BindTimeout,
    /// This end's unbind got no unbind_resp within the response time.
    UnbindTimeout,
    /// Nothing was received for the inactivity time (§2.9).
    Inactivity,
    /// The peer broke the protocol beyond repair (a framing error, an undecodable successful
    /// bind response).
    PeerMisbehaved(PeerMisbehaved),
}

/// Something the application learns from [`Session::poll_event`](super::Session::poll_event).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// The session is bound. ESME: the bind response arrived with ESME_ROK; `system_id` is the SMSC's
    /// and `interface_version` its sc_interface_version TLV (absent: assume no TLV support, §3.4).
    /// SMSC: the application accepted the bind; `system_id` and `interface_version` are the ESME's.
    Bound {
        /// How the session is bound.
        bind_type: BindType,
        /// The peer's system_id.
        system_id: COctetString<16>,
        /// The peer's interface version, if it said.
        interface_version: Option<u8>,
    },
    /// ESME: the bind was refused (an error bind response, or generic_nack). The session is back in
    /// OPEN; bind again or close.
    BindRefused {
        /// The bind attempted.
        bind_type: BindType,
        /// The status the SMSC gave.
        command_status: CommandStatus,
    },
    /// ESME: the SMSC sent outbind (§2.2.1); answer with a bind_receiver, or close to refuse.
    Outbind {
        /// The SMSC's system_id.
        system_id: COctetString<16>,
        /// The password the SMSC presented.
        password: COctetString<9>,
    },
    /// A request T 2-1 allows, for the application to answer with
    /// [`respond`](super::Session::respond) (SMSC: binds included). alert_notification takes no
    /// answer.
    Request {
        /// Its sequence_number, to pass to `respond`.
        sequence_number: u32,
        /// The request.
        pdu: Pdu,
    },
    /// The response to a request this end sent (a generic_nack with that sequence_number included).
    /// The request itself is dropped: the application knows what it sent under that number.
    Response {
        /// The request's command_id.
        request_id: CommandId,
        /// The response; its sequence_number is the request's.
        response: Command,
        /// Time from sending the request to receiving the response.
        latency: Duration,
    },
    /// The response to a request this end sent did not decode (reported as [`Event::Rejected`] too).
    /// The request leaves the window.
    BadResponse {
        /// The request's sequence_number.
        sequence_number: u32,
        /// The request's command_id.
        request_id: CommandId,
        /// What was wrong with the response.
        error: DecodeError,
    },
    /// A response that answers no request in flight: late (after its timeout), unknown, or of the wrong
    /// type for the request with that sequence_number (that request stays in flight).
    UnexpectedResponse {
        /// The response.
        response: Command,
    },
    /// A request got no response within the response timer (§2.9) and left the window: assume it was
    /// not processed. Automatic enquire_links are reported too (a sign the link is dead).
    Timeout {
        /// Its sequence_number.
        sequence_number: u32,
        /// Its command_id.
        command_id: CommandId,
        /// The request, as sent.
        request: Pdu,
    },
    /// A request still in flight when the session closed (after an unbind, a timeout, a framing
    /// error, `close`): it never got a response, and the peer may or may not have processed it.
    Abandoned {
        /// Its sequence_number.
        sequence_number: u32,
        /// Its command_id.
        command_id: CommandId,
        /// The request, as sent.
        request: Pdu,
    },
    /// The peer broke the protocol and the session answered (or, for responses and
    /// alert_notification, ignored) the PDU; the session stays up.
    Rejected {
        /// What was wrong.
        error: PeerMisbehaved,
        /// What the session sent back, if anything.
        answer: Option<Command>,
    },
    /// Lenient decoding accepted a deviation from the spec.
    Warning {
        /// The PDU's sequence_number.
        sequence_number: u32,
        /// The PDU's command_id.
        command_id: CommandId,
        /// The deviation.
        warning: Warning,
    },
    /// unbind and unbind_resp were exchanged; [`Event::Closed`] follows.
    Unbound {
        /// Who sent the unbind.
        initiator: Initiator,
    },
    /// The session is closed: flush [`poll_transmit`](super::Session::poll_transmit), then close the
    /// connection. Always the last event.
    Closed {
        /// Why.
        cause: CloseCause,
    },
}
