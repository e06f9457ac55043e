//! One server connection: the [`Application`] that authenticates binds, runs the handler's
//! futures, throttles, sends deliver_sm (direct and from the store) and schedules receipts.

use std::collections::HashMap;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Instant, SystemTime};

use bytes::Bytes;
use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;
use tokio::sync::mpsc;

use crate::pdu::{Bind, BindResp, Command, CommandId, CommandStatus, Pdu};
use crate::session::{BindType, Event, Role, Session, Stats};
use crate::tlv::Tlv;
use crate::transport::{Application, BoxedStream, Connection, Disconnect, now};

use super::handler::{BindRequest, BoxFuture, RequestContext};
use super::receipt::{Submitted, receipt_pdu, wanted};
use super::registry::{ConnControl, Outbound};
use super::{Server, ServerError, ServerEvent, SessionId};

/// A handler call in progress.
struct InFlight {
    sequence_number: u32,
    receipt: Option<Submitted>,
    future: BoxFuture<Result<Pdu, CommandStatus>>,
}

impl Future for InFlight {
    type Output = (u32, Option<Submitted>, Result<Pdu, CommandStatus>);

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let result = std::task::ready!(self.future.as_mut().poll(cx));
        Poll::Ready((self.sequence_number, self.receipt.take(), result))
    }
}

/// Where the response to a request this session sent goes.
enum Origin {
    Direct(tokio::sync::oneshot::Sender<Result<Command, ServerError>>),
    Stored,
}

/// Token bucket: `rate` requests a second, bursts of `rate` (at least 1).
struct Throttle {
    rate: f64,
    tokens: f64,
    last: Instant,
}

impl Throttle {
    fn new(rate: f64, now: Instant) -> Self {
        Self {
            rate,
            tokens: rate.max(1.0),
            last: now,
        }
    }

    fn take(&mut self, now: Instant) -> bool {
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        self.last = now;
        self.tokens = (self.tokens + elapsed * self.rate).min(self.rate.max(1.0));
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

pub(crate) struct ServerApp {
    server: Server,
    id: SessionId,
    peer_addr: Option<SocketAddr>,
    refuse: bool,
    outbound: mpsc::Receiver<Outbound>,
    control: mpsc::UnboundedReceiver<ConnControl>,
    system_id: Option<Arc<str>>,
    bind_type: Option<BindType>,
    in_flight: FuturesUnordered<InFlight>,
    pending: HashMap<u32, Origin>,
    drain_store: bool,
    draining: bool,
    unbind_sent: bool,
    unbind_pending: bool,
    throttle: Option<Throttle>,
}

/// What a connection task starts from.
pub(crate) struct Start {
    pub(crate) id: SessionId,
    pub(crate) peer_addr: Option<SocketAddr>,
    /// Over max_connections: answer the bind ESME_RBINDFAIL and close.
    pub(crate) refuse: bool,
    pub(crate) outbound: mpsc::Receiver<Outbound>,
    pub(crate) control: mpsc::UnboundedReceiver<ConnControl>,
    /// Send this outbind first.
    pub(crate) outbind: Option<crate::pdu::Outbind>,
}

/// Serves one connection until it ends.
pub(crate) async fn run(server: Server, stream: BoxedStream, start: Start) {
    let Start {
        id,
        peer_addr,
        refuse,
        outbound,
        control,
        outbind,
    } = start;
    let config = &server.shared.config;
    let now = now();
    let mut session = Session::new(Role::Smsc, config.session.clone(), now);
    if let Some(o) = outbind {
        // §2.2.1, T 2-1: the SMSC may send outbind in OPEN; the ESME answers bind_receiver.
        if let Err(e) = session.send_request(now, Pdu::Outbind(o)) {
            tracing::warn!(error = %e, "cannot send outbind");
        }
    }
    let transport = config.transport.clone();
    let throttle = config.throttle.map(|rate| Throttle::new(rate, now));
    let span = tracing::debug_span!("smpp_session", session = id.0, peer = ?peer_addr);
    let _enter = span.enter();
    if refuse {
        tracing::info!("over max_connections: refusing the bind");
    } else {
        tracing::debug!("connected");
        server.emit(ServerEvent::Connected {
            session_id: id,
            peer_addr,
        });
    }
    drop(_enter);
    let mut app = ServerApp {
        server: server.clone(),
        id,
        peer_addr,
        refuse,
        outbound,
        control,
        system_id: None,
        bind_type: None,
        in_flight: FuturesUnordered::new(),
        pending: HashMap::new(),
        drain_store: false,
        draining: false,
        unbind_sent: false,
        unbind_pending: false,
        throttle,
    };
    let (end, session) = Connection::new(stream, session, transport)
        .run_session(&mut app)
        .await;
    app.finish(end, session.stats().clone());
}

impl ServerApp {
    fn finish(mut self, end: Disconnect, stats: Stats) {
        for (_, origin) in self.pending.drain() {
            if let Origin::Direct(reply) = origin {
                let _ = reply.send(Err(ServerError::Closed));
            }
        }
        self.outbound.close();
        while let Ok(o) = self.outbound.try_recv() {
            let _ = o.reply.send(Err(ServerError::Closed));
        }
        let mut registry = self.server.registry();
        if self.refuse {
            registry.refusing = registry.refusing.saturating_sub(1);
            return;
        }
        registry.remove(self.id);
        drop(registry);
        tracing::debug!(session = self.id.0, %end, "disconnected");
        self.server.emit(ServerEvent::Disconnected {
            session_id: self.id,
            system_id: self.system_id.as_ref().map(|s| s.to_string()),
            reason: end,
            stats: Arc::new(stats),
        });
    }

    fn context(&self, sequence_number: u32) -> Option<RequestContext> {
        Some(RequestContext {
            session_id: self.id,
            system_id: self.system_id.clone()?,
            bind_type: self.bind_type?,
            peer_addr: self.peer_addr,
            sequence_number,
            server: self.server.clone(),
        })
    }

    fn on_bind(
        &mut self,
        session: &mut Session,
        now: Instant,
        seq: u32,
        bind_type: BindType,
        b: Bind,
    ) {
        let config = &self.server.shared.config;
        let system_id = b.system_id.to_str_lossy().into_owned();
        let verdict = if self.refuse || self.draining {
            Err(CommandStatus::ESME_RBINDFAIL)
        } else {
            let request = BindRequest {
                session_id: self.id,
                bind_type,
                system_id: system_id.clone(),
                password: b.password.to_str_lossy().into_owned(),
                system_type: b.system_type.to_str_lossy().into_owned(),
                interface_version: b.interface_version,
                addr_ton: b.addr_ton,
                addr_npi: b.addr_npi,
                address_range: b.address_range.to_str_lossy().into_owned(),
                peer_addr: self.peer_addr,
            };
            self.server.shared.auth.authenticate(&request)
        };
        match verdict {
            Ok(()) => {
                let mut resp = BindResp {
                    system_id: config.system_id.as_str().try_into().unwrap_or_default(),
                    ..BindResp::default()
                };
                // §3.4: tell an ESME of v3.4 or later which version we speak.
                if b.interface_version >= crate::pdu::INTERFACE_VERSION_34 {
                    resp.tlvs
                        .push(Tlv::ScInterfaceVersion(crate::pdu::INTERFACE_VERSION_34));
                }
                let pdu = match bind_type {
                    BindType::Transmitter => Pdu::BindTransmitterResp(Some(resp)),
                    BindType::Receiver => Pdu::BindReceiverResp(Some(resp)),
                    BindType::Transceiver => Pdu::BindTransceiverResp(Some(resp)),
                };
                self.system_id = Some(Arc::from(system_id));
                let _ = session.respond(now, seq, CommandStatus::ESME_ROK, pdu);
            }
            Err(command_status) => {
                tracing::info!(system_id, %command_status, "bind refused");
                let _ = session.respond_error(now, seq, command_status);
                if self.refuse || self.draining {
                    session.close();
                } else {
                    self.server.emit(ServerEvent::BindRefused {
                        session_id: self.id,
                        system_id,
                        command_status,
                    });
                }
            }
        }
    }

    fn on_request(&mut self, session: &mut Session, now: Instant, seq: u32, pdu: Pdu) {
        let id = pdu.command_id();
        let handled = matches!(
            id,
            CommandId::SUBMIT_SM
                | CommandId::SUBMIT_MULTI
                | CommandId::DATA_SM
                | CommandId::QUERY_SM
                | CommandId::CANCEL_SM
                | CommandId::REPLACE_SM
        );
        let ctx = match self.context(seq) {
            Some(ctx) if handled => ctx,
            _ => {
                tracing::debug!(%id, "request not handled: ESME_RINVCMDID");
                let _ = session.respond_error(now, seq, CommandStatus::ESME_RINVCMDID);
                return;
            }
        };
        if self.draining {
            // Shutting down: finish what is in progress, take nothing new.
            let _ = session.respond_error(now, seq, CommandStatus::ESME_RSYSERR);
            return;
        }
        if let Some(t) = &mut self.throttle
            && !t.take(now)
        {
            let _ = session.respond_error(now, seq, CommandStatus::ESME_RTHROTTLED);
            return;
        }
        let receipt = self.receipt_info(&pdu);
        let future = self.server.shared.handler.clone().call(ctx, pdu);
        let mut call = InFlight {
            sequence_number: seq,
            receipt,
            future,
        };
        // Most handlers answer at once: poll once here and answer now. One that is not ready
        // goes to `in_flight`, which polls it again (with a real waker) on its next turn.
        let mut cx = Context::from_waker(std::task::Waker::noop());
        match Pin::new(&mut call).poll(&mut cx) {
            Poll::Ready((seq, receipt, result)) => {
                self.answered(session, now, seq, receipt, result);
            }
            Poll::Pending => self.in_flight.push(call),
        }
    }

    /// What a receipt for this request needs, when it asks for one.
    fn receipt_info(&self, pdu: &Pdu) -> Option<Submitted> {
        let (source, destination, registered_delivery, short_message) = match pdu {
            Pdu::SubmitSm(p) => (
                (
                    p.source_addr_ton,
                    p.source_addr_npi,
                    p.source_addr.to_str_lossy().into_owned(),
                ),
                (
                    p.dest_addr_ton,
                    p.dest_addr_npi,
                    p.destination_addr.to_str_lossy().into_owned(),
                ),
                p.registered_delivery,
                if p.short_message.is_empty() {
                    p.tlvs.message_payload().unwrap_or_default()
                } else {
                    p.short_message.to_bytes()
                },
            ),
            Pdu::DataSm(p) => (
                (
                    p.source_addr_ton,
                    p.source_addr_npi,
                    p.source_addr.to_str_lossy().into_owned(),
                ),
                (
                    p.dest_addr_ton,
                    p.dest_addr_npi,
                    p.destination_addr.to_str_lossy().into_owned(),
                ),
                p.registered_delivery,
                p.tlvs.message_payload().unwrap_or_default(),
            ),
            _ => return None,
        };
        if registered_delivery.smsc_receipt() == 0 {
            return None;
        }
        Some(Submitted {
            session_id: self.id,
            system_id: self.system_id.as_deref()?.to_owned(),
            peer_addr: self.peer_addr,
            message_id: String::new(),
            source,
            destination,
            registered_delivery,
            short_message: Bytes::copy_from_slice(&short_message[..short_message.len().min(20)]),
            submitted_at: SystemTime::now(),
        })
    }

    fn answered(
        &mut self,
        session: &mut Session,
        now: Instant,
        seq: u32,
        receipt: Option<Submitted>,
        result: Result<Pdu, CommandStatus>,
    ) {
        match result {
            Ok(pdu) => {
                let message_id = match &pdu {
                    Pdu::SubmitSmResp(Some(r)) => Some(r.message_id.to_str_lossy().into_owned()),
                    Pdu::DataSmResp(Some(r)) => Some(r.message_id.to_str_lossy().into_owned()),
                    _ => None,
                };
                let _ = session.respond(now, seq, CommandStatus::ESME_ROK, pdu);
                if let (Some(mut m), Some(id)) = (receipt, message_id) {
                    m.message_id = id;
                    self.schedule_receipt(m);
                }
            }
            Err(status) => {
                let _ = session.respond_error(now, seq, status);
            }
        }
    }

    fn schedule_receipt(&self, m: Submitted) {
        let Some(plan) = self.server.shared.receipts.plan(&m) else {
            return;
        };
        if !wanted(m.registered_delivery, &plan.stat) {
            return;
        }
        let server = self.server.clone();
        tokio::spawn(async move {
            let shutdown = server.shared.shutdown.clone();
            tokio::select! {
                _ = tokio::time::sleep(plan.delay) => {}
                _ = shutdown.cancelled() => return,
            }
            let pdu = receipt_pdu(&m, &plan, SystemTime::now());
            if let Err(e) = server.store_deliver_sm(&m.system_id, pdu) {
                tracing::warn!(system_id = m.system_id, message_id = m.message_id, error = %e, "receipt dropped");
            }
        });
    }

    fn on_control(&mut self, control: ConnControl, session: &mut Session, now: Instant) {
        match control {
            ConnControl::Drain => self.drain_store = true,
            ConnControl::Unbind => self.unbind(session, now),
            ConnControl::Shutdown => self.draining = true,
            ConnControl::Abort => session.close(),
        }
    }

    /// Unbinds now, or as soon as the window has a slot for the unbind; closes when not bound.
    fn unbind(&mut self, session: &mut Session, now: Instant) {
        if self.unbind_sent {
            return;
        }
        if session.is_bound() && session.window_available() == 0 {
            self.unbind_pending = true;
            return;
        }
        self.unbind_sent = true;
        self.unbind_pending = false;
        if session.is_bound() && session.unbind(now).is_ok() {
            return;
        }
        session.close();
    }

    fn send(&mut self, session: &mut Session, now: Instant, pdu: Box<Pdu>, origin: Origin) {
        let id = pdu.command_id();
        let copy = (id == CommandId::ALERT_NOTIFICATION).then(|| (*pdu).clone());
        match session.send_request_boxed(now, pdu) {
            Ok(seq) => match (copy, origin) {
                // No response comes to alert_notification (§4.12): done once sent.
                (Some(pdu), Origin::Direct(reply)) => {
                    let _ = reply.send(Ok(Command::new(seq, pdu)));
                }
                (_, origin) => {
                    self.pending.insert(seq, origin);
                }
            },
            Err(e) => {
                if let Origin::Direct(reply) = origin {
                    let error = match e {
                        crate::session::SessionError::ApiMisuse(m) => ServerError::ApiMisuse(m),
                        _ => ServerError::Closed,
                    };
                    let _ = reply.send(Err(error));
                }
            }
        }
    }
}

impl ServerApp {
    /// A request this session sent got no response: timed out, or the session closed.
    fn lost(&mut self, sequence_number: u32, command_id: CommandId, request: Pdu, timed_out: bool) {
        match self.pending.remove(&sequence_number) {
            Some(Origin::Direct(reply)) => {
                let error = if timed_out {
                    ServerError::Timeout {
                        command_id,
                        sequence_number,
                    }
                } else {
                    ServerError::Abandoned {
                        command_id,
                        sequence_number,
                    }
                };
                let _ = reply.send(Err(error));
            }
            Some(Origin::Stored) => {
                // Stored messages are delivered at least once: back to the store.
                if let (Pdu::DeliverSm(d), Some(system_id)) = (request, &self.system_id) {
                    self.server.registry().restore(system_id, d);
                }
            }
            None => {}
        }
    }
}

impl Application for ServerApp {
    fn on_event(&mut self, session: &mut Session, now: Instant, event: Event) {
        match event {
            Event::Request {
                sequence_number,
                pdu,
            } => match pdu {
                Pdu::BindTransmitter(b) => {
                    self.on_bind(session, now, sequence_number, BindType::Transmitter, b)
                }
                Pdu::BindReceiver(b) => {
                    self.on_bind(session, now, sequence_number, BindType::Receiver, b)
                }
                Pdu::BindTransceiver(b) => {
                    self.on_bind(session, now, sequence_number, BindType::Transceiver, b)
                }
                pdu => self.on_request(session, now, sequence_number, pdu),
            },
            Event::Response { response, .. } => {
                match self.pending.remove(&response.sequence_number) {
                    Some(Origin::Direct(reply)) => {
                        let _ = reply.send(Ok(response));
                    }
                    Some(Origin::Stored) if !response.command_status.is_ok() => {
                        tracing::warn!(status = %response.command_status, "stored message refused by the ESME");
                    }
                    _ => {}
                }
            }
            Event::Timeout {
                sequence_number,
                command_id,
                request,
            } => self.lost(sequence_number, command_id, request, true),
            Event::Abandoned {
                sequence_number,
                command_id,
                request,
            } => self.lost(sequence_number, command_id, request, false),
            Event::BadResponse {
                sequence_number,
                error,
                ..
            } => {
                if let Some(Origin::Direct(reply)) = self.pending.remove(&sequence_number) {
                    let _ = reply.send(Err(ServerError::BadResponse(error)));
                }
            }
            Event::Bound { bind_type, .. } => {
                let Some(system_id) = self.system_id.clone() else {
                    return;
                };
                tracing::info!(session = self.id.0, %system_id, ?bind_type, "bound");
                self.bind_type = Some(bind_type);
                self.server.registry().bound(self.id, &system_id, bind_type);
                self.drain_store = true;
                self.server.emit(ServerEvent::Bound {
                    session_id: self.id,
                    system_id: system_id.to_string(),
                    bind_type,
                });
            }
            Event::Unbound { initiator } => {
                self.server.emit(ServerEvent::Unbound {
                    session_id: self.id,
                    initiator,
                });
            }
            Event::Closed { .. } => {}
            other => tracing::debug!(session = self.id.0, event = ?other, "protocol event"),
        }
    }

    fn poll_app(&mut self, cx: &mut Context<'_>, session: &mut Session, now: Instant) -> Poll<()> {
        let mut progress = false;
        while let Poll::Ready(Some(control)) = self.control.poll_recv(cx) {
            self.on_control(control, session, now);
            progress = true;
        }
        while let Poll::Ready(Some((seq, receipt, result))) = self.in_flight.poll_next_unpin(cx) {
            self.answered(session, now, seq, receipt, result);
            progress = true;
        }
        if self.unbind_pending && session.window_available() > 0 {
            self.unbind(session, now);
            progress = true;
        }
        if session.is_bound() && !self.draining && !self.unbind_pending {
            let receiver = matches!(
                self.bind_type,
                Some(BindType::Receiver | BindType::Transceiver)
            );
            while self.drain_store && receiver && session.window_available() > 0 {
                let stored = match &self.system_id {
                    Some(s) => self.server.registry().pop_stored(s),
                    None => None,
                };
                match stored {
                    Some(pdu) => {
                        self.send(session, now, Box::new(Pdu::DeliverSm(pdu)), Origin::Stored);
                        progress = true;
                    }
                    None => self.drain_store = false,
                }
            }
            while session.window_available() > 0 {
                match self.outbound.poll_recv(cx) {
                    Poll::Ready(Some(o)) => {
                        progress = true;
                        if !o.reply.is_closed() {
                            self.send(session, now, o.pdu, Origin::Direct(o.reply));
                        }
                    }
                    Poll::Ready(None) | Poll::Pending => break,
                }
            }
        }
        if self.draining
            && self.in_flight.is_empty()
            && self.pending.is_empty()
            && !self.unbind_sent
            && !self.unbind_pending
        {
            self.unbind(session, now);
            progress = true;
        }
        if progress {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    }
}
