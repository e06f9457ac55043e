//! What reaches the ESME application without being asked for: incoming messages (with their
//! responders), connection changes and protocol reports, as the [`Events`] stream.

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::sync::mpsc;

use crate::pdu::{AlertNotification, CommandId, CommandStatus, DataSm, DataSmResp, DeliverSm, Pdu};
use crate::receipt::ReceiptView;
use crate::session::{BindType, Event};
use crate::transport::Disconnect;

use super::driver::Control;

/// Where the client's connection is.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum ConnectionState {
    /// Connecting or binding.
    Binding,
    /// Bound this way: requests can be sent.
    Bound(BindType),
    /// unbind sent, waiting for unbind_resp.
    Unbinding,
    /// The connection dropped; reconnection attempt `attempt` is pending. Requests wait.
    Reconnecting {
        /// 1 for the first attempt.
        attempt: u32,
    },
    /// Closed for good, for this reason.
    Closed(Disconnect),
}

impl ConnectionState {
    /// Whether requests can be sent now.
    pub fn is_bound(&self) -> bool {
        matches!(self, Self::Bound(_))
    }
}

/// Something that happened on the client's connection.
#[derive(Debug)]
#[non_exhaustive]
pub enum ClientEvent {
    /// A deliver_sm: a mobile-originated message or a delivery receipt
    /// ([`Incoming::receipt`]). Answer it with [`Incoming::respond`], or let the client answer
    /// ESME_ROK (when the value is dropped, or after
    /// [`auto_response_after`](super::ClientConfig::auto_response_after)).
    DeliverSm(Incoming<DeliverSm>),
    /// A data_sm from the SMSC; answered like [`DeliverSm`](Self::DeliverSm).
    DataSm(Incoming<DataSm>),
    /// An alert_notification (§4.12; never answered).
    AlertNotification(AlertNotification),
    /// The SMSC sent outbind; the client answered with bind_receiver (see
    /// [`Client::accept_outbind`](super::Client::accept_outbind)).
    Outbind {
        /// The SMSC's system_id.
        system_id: String,
        /// The password it presented.
        password: String,
    },
    /// The SMSC unbound the session (the client answered unbind_resp).
    Unbound,
    /// The connection ended; with a reconnect policy, [`Reconnecting`](Self::Reconnecting)
    /// follows. Requests that were in flight failed with
    /// [`ClientError::Abandoned`](super::ClientError::Abandoned).
    Disconnected(Disconnect),
    /// Reconnection attempt `attempt` starts after `delay`.
    Reconnecting {
        /// 1 for the first attempt.
        attempt: u32,
        /// The wait before it.
        delay: Duration,
    },
    /// Reconnected and bound again.
    Rebound(BindType),
    /// What the session reported that needs no answer: PDUs it rejected, lenient-decoding
    /// warnings, late or unknown responses, automatic enquire_link timeouts. Dropped when the
    /// events queue is full.
    Protocol(Event),
}

/// An incoming request (deliver_sm or data_sm) and the means to answer it once.
///
/// Dropping it without answering answers ESME_ROK. If the application holds it longer than
/// [`auto_response_after`](super::ClientConfig::auto_response_after), the client answers
/// ESME_ROK by itself and a later [`respond`](Self::respond) is ignored.
#[derive(Debug)]
pub struct Incoming<T> {
    /// The request.
    pub pdu: T,
    /// Its sequence_number.
    pub sequence_number: u32,
    responder: Option<Responder>,
}

#[derive(Debug)]
pub(crate) struct Responder {
    pub(crate) control: mpsc::UnboundedSender<Control>,
    pub(crate) generation: u64,
    pub(crate) command_id: CommandId,
}

impl<T> Incoming<T> {
    pub(crate) fn new(pdu: T, sequence_number: u32, responder: Responder) -> Self {
        Self {
            pdu,
            sequence_number,
            responder: Some(responder),
        }
    }

    /// Answers with this status (ESME_ROK accepts; an error status such as ESME_RX_T_APPN asks the
    /// SMSC to retry later, ESME_RX_P_APPN rejects for good).
    pub fn respond(mut self, command_status: CommandStatus) {
        self.send(command_status, None);
    }

    /// Answers ESME_ROK.
    pub fn accept(self) {
        self.respond(CommandStatus::ESME_ROK);
    }

    fn send(&mut self, command_status: CommandStatus, pdu: Option<Pdu>) {
        let Some(r) = self.responder.take() else {
            return;
        };
        let pdu = match pdu {
            Some(pdu) => pdu,
            None if r.command_id == CommandId::DATA_SM => {
                Pdu::DataSmResp(command_status.is_ok().then(DataSmResp::default))
            }
            None => Pdu::DeliverSmResp(command_status.is_ok().then(Default::default)),
        };
        let _ = r.control.send(Control::Respond {
            generation: r.generation,
            sequence_number: self.sequence_number,
            command_status,
            pdu: Box::new(pdu),
        });
    }
}

impl Incoming<DeliverSm> {
    /// The delivery receipt it carries, when esm_class marks it as one (text and TLVs combined;
    /// see [`DeliverSm::receipt`]).
    pub fn receipt(&self) -> Option<ReceiptView> {
        self.pdu.receipt()
    }

    /// Whether esm_class marks it as a delivery receipt or intermediate notification.
    pub fn is_receipt(&self) -> bool {
        self.pdu.esm_class.is_delivery_receipt()
            || self.pdu.esm_class.is_intermediate_notification()
    }
}

impl Incoming<DataSm> {
    /// Answers with this status and data_sm_resp body (message_id, TLVs).
    pub fn respond_with(mut self, command_status: CommandStatus, resp: DataSmResp) {
        self.send(command_status, Some(Pdu::DataSmResp(Some(resp))));
    }
}

impl<T> Drop for Incoming<T> {
    fn drop(&mut self) {
        self.send(CommandStatus::ESME_ROK, None);
    }
}

/// The stream of [`ClientEvent`]s of one client (all its connections, reconnections included).
///
/// Keep reading it, or drop it: while events of an incoming message wait unread, the client stops
/// reading from the SMSC (backpressure), and other events are dropped when the queue is full. It
/// ends (`None`) once the client is closed for good. It implements [`futures_core::Stream`].
#[derive(Debug)]
pub struct Events {
    pub(crate) rx: mpsc::Receiver<ClientEvent>,
    pub(crate) control: mpsc::UnboundedSender<Control>,
}

impl Events {
    /// The next event; `None` once the client is closed for good.
    pub async fn next(&mut self) -> Option<ClientEvent> {
        self.rx.recv().await
    }

    /// The next event if one is waiting.
    pub fn try_next(&mut self) -> Option<ClientEvent> {
        self.rx.try_recv().ok()
    }

    /// Polls for the next event.
    pub fn poll_next_event(&mut self, cx: &mut Context<'_>) -> Poll<Option<ClientEvent>> {
        self.rx.poll_recv(cx)
    }
}

impl futures_core::Stream for Events {
    type Item = ClientEvent;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<ClientEvent>> {
        self.get_mut().rx.poll_recv(cx)
    }
}

impl Drop for Events {
    fn drop(&mut self) {
        let _ = self.control.send(Control::EventsDropped);
    }
}
