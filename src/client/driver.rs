//! The client's task: runs one [`Connection`] after another (reconnecting when asked to), and
//! between the session and the handles moves requests, responses and events.
//!
//! Backpressure: requests come through a channel as large as the window, and are taken from it
//! only while the session's window has a free slot, so a caller waits for a slot instead of
//! queueing without bound. Incoming messages wait in a bounded events channel; while one cannot
//! be queued, the connection stops reading from the SMSC.

use std::collections::{HashMap, VecDeque};
use std::future::{Future, poll_fn};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use tokio::sync::{mpsc, oneshot, watch};
use tokio::time::Sleep;
use tokio_util::sync::PollSender;

use crate::pdu::{Bind, Command, CommandId, CommandStatus, Pdu};
use crate::session::{BindType, Event, Initiator, Role, Session};
use crate::transport::{Application, BoxedStream, Connection, Disconnect, now};

use super::event::{ClientEvent, ConnectionState, Incoming, Responder};
use super::{ClientConfig, ClientError};

/// A request from a handle, with where its outcome goes.
pub(crate) struct Request {
    pub(crate) pdu: Box<Pdu>,
    pub(crate) reply: oneshot::Sender<Result<Box<Reply>, ClientError>>,
}

/// A response and how long it took.
#[derive(Debug)]
pub(crate) struct Reply {
    pub(crate) response: Command,
    pub(crate) latency: Duration,
}

/// What handles and responders tell the task, outside the window.
#[derive(Debug)]
pub(crate) enum Control {
    /// Answer an incoming request of connection `generation`.
    Respond {
        generation: u64,
        sequence_number: u32,
        command_status: CommandStatus,
        pdu: Box<Pdu>,
    },
    /// Unbind and close for good; the sender learns when it is done.
    Unbind(oneshot::Sender<()>),
    /// Close now for good, without unbinding.
    Disconnect,
    /// The last `Client` handle was dropped.
    HandlesDropped,
    /// The `Events` stream was dropped.
    EventsDropped,
}

/// How the first connection starts.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Mode {
    Bind(BindType),
    AwaitOutbind,
}

/// The events queue: a bounded channel plus the few events produced by the read in progress.
pub(crate) struct EventSink {
    /// Boxed in the channel: a ClientEvent is a PDU large, and the channel's slots are allocated
    /// in blocks of 32 up front.
    tx: PollSender<Box<ClientEvent>>,
    backlog: VecDeque<ClientEvent>,
    capacity: usize,
    closed: bool,
}

impl EventSink {
    pub(crate) fn new(tx: mpsc::Sender<Box<ClientEvent>>, capacity: usize) -> Self {
        Self {
            tx: PollSender::new(tx),
            backlog: VecDeque::new(),
            capacity: capacity.max(1),
            closed: false,
        }
    }

    /// Queues an event the application must see (an incoming message, a connection change).
    fn push(&mut self, event: ClientEvent) {
        if !self.closed {
            self.backlog.push_back(event);
        }
    }

    /// Queues a report, or drops it when the queue is full.
    fn push_lossy(&mut self, event: ClientEvent) {
        if self.closed || self.backlog.len() >= self.capacity {
            tracing::trace!(?event, "events queue full: report dropped");
            return;
        }
        self.backlog.push_back(event);
    }

    fn is_idle(&self) -> bool {
        self.backlog.is_empty()
    }

    /// Moves queued events into the channel; returns whether it moved any.
    fn poll_flush(&mut self, cx: &mut Context<'_>) -> bool {
        let mut progress = false;
        while !self.backlog.is_empty() {
            if self.closed {
                // Dropping an unread incoming message answers it ESME_ROK.
                self.backlog.clear();
                return true;
            }
            match self.tx.poll_reserve(cx) {
                Poll::Ready(Ok(())) => {
                    if let Some(event) = self.backlog.pop_front()
                        && self.tx.send_item(Box::new(event)).is_err()
                    {
                        self.closed = true;
                    }
                    progress = true;
                }
                Poll::Ready(Err(_)) => self.closed = true,
                Poll::Pending => break,
            }
        }
        progress
    }

    async fn flush(&mut self) {
        poll_fn(|cx| {
            self.poll_flush(cx);
            if self.backlog.is_empty() {
                Poll::Ready(())
            } else {
                Poll::Pending
            }
        })
        .await
    }
}

/// Everything that outlives one connection.
pub(crate) struct Supervisor {
    pub(crate) config: Arc<ClientConfig>,
    pub(crate) bind: Bind,
    pub(crate) requests: mpsc::Receiver<Request>,
    pub(crate) control: mpsc::UnboundedReceiver<Control>,
    pub(crate) control_tx: mpsc::UnboundedSender<Control>,
    pub(crate) events: EventSink,
    pub(crate) state: watch::Sender<ConnectionState>,
    pub(crate) generation: u64,
    /// The application closed the client (unbind or disconnect): no reconnection.
    pub(crate) local_close: bool,
    pub(crate) handles_gone: bool,
    pub(crate) unbind_waiters: Vec<oneshot::Sender<()>>,
}

impl Supervisor {
    /// Nobody can use the client any more: close it.
    fn abandoned(&self) -> bool {
        self.handles_gone && self.events.closed
    }

    pub(crate) async fn run(
        mut self,
        first: BoxedStream,
        mode: Mode,
        bind_reply: oneshot::Sender<Result<BindType, ClientError>>,
    ) {
        let mut stream = first;
        let mut mode = mode;
        let mut bind_reply = Some(bind_reply);
        let mut ever_bound = false;
        let mut attempt = 0u32;
        let end = 'outer: loop {
            self.generation += 1;
            let now = now();
            let mut session = Session::new(Role::Esme, self.config.session_config(), now);
            if let Mode::Bind(bind_type) = mode
                && let Err(e) = session.bind(now, bind_type, self.bind.clone())
            {
                tracing::error!(error = %e, "bind refused by the session");
            }
            self.state.send_replace(ConnectionState::Binding);
            let transport = self.config.transport.clone();
            let mut app = ClientApp::new(&mut self, bind_reply.take(), ever_bound);
            let end = Connection::new(stream, session, transport)
                .run(&mut app)
                .await;
            let bound = app.finish(&end);
            tracing::info!(%end, "SMPP connection ended");
            ever_bound |= bound;
            if bound {
                attempt = 0;
            }
            let policy = match &self.config.reconnect {
                Some(p)
                    if ever_bound
                        && !self.local_close
                        && !self.abandoned()
                        && matches!(mode, Mode::Bind(_)) =>
                {
                    p.clone()
                }
                _ => break end,
            };
            self.events.push(ClientEvent::Disconnected(end.clone()));
            loop {
                attempt += 1;
                if policy.max_attempts.is_some_and(|max| attempt > max) {
                    break 'outer end;
                }
                let delay = policy.delay(attempt);
                self.state
                    .send_replace(ConnectionState::Reconnecting { attempt });
                self.events
                    .push(ClientEvent::Reconnecting { attempt, delay });
                if !self.pause(delay).await {
                    break 'outer end;
                }
                match super::connect(&self.config).await {
                    Ok(s) => {
                        stream = s;
                        break;
                    }
                    Err(e) => tracing::warn!(error = %e, attempt, "reconnection failed"),
                }
            }
            // An outbind session is never re-established by us; every reconnection binds.
            mode = match mode {
                Mode::Bind(t) => Mode::Bind(t),
                Mode::AwaitOutbind => Mode::Bind(BindType::Receiver),
            };
        };
        self.close(end).await;
    }

    /// Waits `delay` while answering the handles; false when the client was closed meanwhile.
    async fn pause(&mut self, delay: Duration) -> bool {
        let sleep = tokio::time::sleep(delay);
        tokio::pin!(sleep);
        loop {
            tokio::select! {
                _ = &mut sleep => return true,
                control = self.control.recv() => match control {
                    Some(Control::Unbind(waiter)) => {
                        self.unbind_waiters.push(waiter);
                        self.local_close = true;
                        return false;
                    }
                    Some(Control::Disconnect) => {
                        self.local_close = true;
                        return false;
                    }
                    Some(Control::HandlesDropped) => {
                        self.handles_gone = true;
                        if self.abandoned() {
                            return false;
                        }
                    }
                    Some(Control::EventsDropped) => {
                        self.events.closed = true;
                        if self.abandoned() {
                            return false;
                        }
                    }
                    Some(Control::Respond { .. }) | None => {}
                },
                _ = self.events.flush(), if !self.events.is_idle() => {}
            }
        }
    }

    /// Closed for good: fail what waits, tell the application, end the events stream.
    async fn close(mut self, end: Disconnect) {
        self.state
            .send_replace(ConnectionState::Closed(end.clone()));
        for waiter in self.unbind_waiters.drain(..) {
            let _ = waiter.send(());
        }
        self.requests.close();
        let error = if self.local_close {
            ClientError::Closed
        } else {
            ClientError::NotConnected(end.clone())
        };
        while let Ok(request) = self.requests.try_recv() {
            let _ = request.reply.send(Err(error.clone()));
        }
        self.events.push(ClientEvent::Disconnected(end));
        let linger = self.config.transport.linger;
        let _ = tokio::time::timeout(linger, self.events.flush()).await;
    }
}

/// The [`Application`] of one connection.
struct ClientApp<'a> {
    sup: &'a mut Supervisor,
    /// Requests in flight: sequence_number → where the outcome goes.
    pending: HashMap<u32, oneshot::Sender<Result<Box<Reply>, ClientError>>>,
    bind_reply: Option<oneshot::Sender<Result<BindType, ClientError>>>,
    bind_error: Option<ClientError>,
    bound: Option<BindType>,
    rebind: bool,
    /// Unbind once the window has room for it.
    unbind_pending: bool,
    /// Incoming requests to answer ESME_ROK at the deadline unless answered before.
    auto: VecDeque<(Instant, u32, CommandId)>,
    auto_sleep: Pin<Box<Sleep>>,
    auto_armed: Option<Instant>,
}

impl<'a> ClientApp<'a> {
    fn new(
        sup: &'a mut Supervisor,
        bind_reply: Option<oneshot::Sender<Result<BindType, ClientError>>>,
        rebind: bool,
    ) -> Self {
        Self {
            sup,
            pending: HashMap::new(),
            bind_reply,
            bind_error: None,
            bound: None,
            rebind,
            unbind_pending: false,
            auto: VecDeque::new(),
            auto_sleep: Box::pin(tokio::time::sleep(Duration::ZERO)),
            auto_armed: None,
        }
    }

    /// The connection ended: fail what is left; returns whether it had bound.
    fn finish(mut self, end: &Disconnect) -> bool {
        for (_, reply) in self.pending.drain() {
            let _ = reply.send(Err(ClientError::NotConnected(end.clone())));
        }
        if let Some(reply) = self.bind_reply.take() {
            let error = self
                .bind_error
                .take()
                .unwrap_or_else(|| ClientError::BindFailed(end.clone()));
            let _ = reply.send(Err(error));
        }
        self.bound.is_some()
    }

    /// Unbinds now, or as soon as the window has a slot for the unbind (no new request is sent
    /// meanwhile); closes when not bound.
    fn unbind(&mut self, session: &mut Session, now: Instant) {
        if session.is_bound() {
            self.sup.state.send_replace(ConnectionState::Unbinding);
            if session.window_available() == 0 {
                self.unbind_pending = true;
                return;
            }
            self.unbind_pending = false;
            if session.unbind(now).is_ok() {
                return;
            }
        } else if matches!(session.state(), crate::session::State::Unbinding(_)) {
            return;
        }
        session.close();
    }

    fn on_control(&mut self, control: Control, session: &mut Session, now: Instant) {
        match control {
            Control::Respond {
                generation,
                sequence_number,
                command_status,
                pdu,
            } => {
                if generation == self.sup.generation {
                    // Already answered (auto-response) or closed: nothing to do.
                    let _ = session.respond(now, sequence_number, command_status, *pdu);
                }
            }
            Control::Unbind(waiter) => {
                self.sup.unbind_waiters.push(waiter);
                self.sup.local_close = true;
                self.unbind(session, now);
            }
            Control::Disconnect => {
                self.sup.local_close = true;
                session.close();
            }
            Control::HandlesDropped => {
                self.sup.handles_gone = true;
                if self.sup.abandoned() {
                    self.sup.local_close = true;
                    self.unbind(session, now);
                }
            }
            Control::EventsDropped => {
                self.sup.events.closed = true;
                if self.sup.abandoned() {
                    self.sup.local_close = true;
                    self.unbind(session, now);
                }
            }
        }
    }

    fn on_incoming(&mut self, session: &mut Session, now: Instant, seq: u32, pdu: Pdu) {
        let responder = |id| Responder {
            control: self.sup.control_tx.clone(),
            generation: self.sup.generation,
            command_id: id,
        };
        let event = match pdu {
            Pdu::DeliverSm(d) => {
                ClientEvent::DeliverSm(Incoming::new(d, seq, responder(CommandId::DELIVER_SM)))
            }
            Pdu::DataSm(d) => {
                ClientEvent::DataSm(Incoming::new(d, seq, responder(CommandId::DATA_SM)))
            }
            Pdu::AlertNotification(a) => {
                self.sup.events.push(ClientEvent::AlertNotification(a));
                return;
            }
            other => {
                // Only reachable with auto_enquire_link_resp off, or an unchecked peer: this client
                // handles nothing else.
                tracing::debug!(command_id = %other.command_id(), "unsupported request answered ESME_RINVCMDID");
                let _ = session.respond_error(now, seq, CommandStatus::ESME_RINVCMDID);
                return;
            }
        };
        let id = match &event {
            ClientEvent::DataSm(_) => CommandId::DATA_SM,
            _ => CommandId::DELIVER_SM,
        };
        self.auto
            .push_back((now + self.sup.config.auto_response_after, seq, id));
        self.sup.events.push(event);
    }

    fn poll_auto(&mut self, cx: &mut Context<'_>, session: &mut Session, now: Instant) -> bool {
        let mut progress = false;
        while let Some(&(deadline, seq, id)) = self.auto.front() {
            if deadline > now {
                break;
            }
            self.auto.pop_front();
            let pdu = if id == CommandId::DATA_SM {
                Pdu::DataSmResp(Some(Default::default()))
            } else {
                Pdu::DeliverSmResp(Some(Default::default()))
            };
            if session
                .respond(now, seq, CommandStatus::ESME_ROK, pdu)
                .is_ok()
            {
                tracing::debug!(sequence_number = seq, %id, "answered ESME_ROK by itself (deadline)");
            }
            progress = true;
        }
        if let Some(&(deadline, ..)) = self.auto.front() {
            if self.auto_armed != Some(deadline) {
                self.auto_armed = Some(deadline);
                self.auto_sleep
                    .as_mut()
                    .reset(tokio::time::Instant::from_std(deadline));
            }
            if self.auto_sleep.as_mut().poll(cx).is_ready() {
                progress = true;
            }
        }
        progress
    }
}

impl Application for ClientApp<'_> {
    fn on_event(&mut self, session: &mut Session, now: Instant, event: Event) {
        match event {
            Event::Response {
                response, latency, ..
            } => {
                if let Some(reply) = self.pending.remove(&response.sequence_number) {
                    let _ = reply.send(Ok(Box::new(Reply { response, latency })));
                }
            }
            Event::Request {
                sequence_number,
                pdu,
            } => self.on_incoming(session, now, sequence_number, pdu),
            Event::Timeout {
                sequence_number,
                command_id,
                request,
            } => {
                if let Some(reply) = self.pending.remove(&sequence_number) {
                    let _ = reply.send(Err(ClientError::Timeout {
                        command_id,
                        sequence_number,
                    }));
                } else if BindType::from_command_id(command_id).is_some() {
                    self.bind_error = Some(ClientError::BindTimeout);
                } else {
                    self.sup
                        .events
                        .push_lossy(ClientEvent::Protocol(Event::Timeout {
                            sequence_number,
                            command_id,
                            request,
                        }));
                }
            }
            Event::Abandoned {
                sequence_number,
                command_id,
                request,
            } => {
                if let Some(reply) = self.pending.remove(&sequence_number) {
                    let _ = reply.send(Err(ClientError::Abandoned {
                        command_id,
                        sequence_number,
                        request: Box::new(request),
                    }));
                }
            }
            Event::BadResponse {
                sequence_number,
                error,
                ..
            } => {
                if let Some(reply) = self.pending.remove(&sequence_number) {
                    let _ = reply.send(Err(ClientError::BadResponse(error)));
                }
            }
            Event::Bound { bind_type, .. } => {
                tracing::info!(?bind_type, "bound");
                self.bound = Some(bind_type);
                self.sup
                    .state
                    .send_replace(ConnectionState::Bound(bind_type));
                if let Some(reply) = self.bind_reply.take() {
                    let _ = reply.send(Ok(bind_type));
                } else if self.rebind {
                    self.sup.events.push(ClientEvent::Rebound(bind_type));
                }
            }
            Event::BindRefused { command_status, .. } => {
                tracing::warn!(%command_status, "bind refused");
                self.bind_error = Some(ClientError::BindRefused { command_status });
                session.close();
            }
            Event::Outbind {
                system_id,
                password,
            } => {
                self.sup.events.push(ClientEvent::Outbind {
                    system_id: system_id.to_str_lossy().into_owned(),
                    password: password.to_str_lossy().into_owned(),
                });
                // §2.2.1: the ESME answers outbind with bind_receiver.
                if let Err(e) = session.bind(now, BindType::Receiver, self.sup.bind.clone()) {
                    tracing::warn!(error = %e, "cannot answer outbind");
                }
            }
            Event::Unbound { initiator } => {
                if initiator == Initiator::Remote {
                    tracing::info!("the SMSC unbound");
                    self.sup.events.push(ClientEvent::Unbound);
                }
            }
            Event::Closed { .. } => {}
            other => self.sup.events.push_lossy(ClientEvent::Protocol(other)),
        }
    }

    fn poll_app(&mut self, cx: &mut Context<'_>, session: &mut Session, now: Instant) -> Poll<()> {
        let mut progress = false;
        while let Poll::Ready(Some(control)) = self.sup.control.poll_recv(cx) {
            self.on_control(control, session, now);
            progress = true;
            if session.is_closed() {
                return Poll::Ready(());
            }
        }
        if self.unbind_pending && session.window_available() > 0 {
            self.unbind(session, now);
            progress = true;
        }
        if self.bound.is_some() && session.is_bound() && !self.unbind_pending {
            while session.window_available() > 0 {
                match self.sup.requests.poll_recv(cx) {
                    Poll::Ready(Some(request)) => {
                        progress = true;
                        if request.reply.is_closed() {
                            continue; // the caller gave up before it was sent
                        }
                        match session.send_request_boxed(now, request.pdu) {
                            Ok(seq) => {
                                self.pending.insert(seq, request.reply);
                            }
                            Err(e) => {
                                let _ = request.reply.send(Err(ClientError::from_session(e)));
                            }
                        }
                    }
                    Poll::Ready(None) | Poll::Pending => break,
                }
            }
        }
        progress |= self.poll_auto(cx, session, now);
        progress |= self.sup.events.poll_flush(cx);
        if progress {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    }

    fn can_read(&mut self, cx: &mut Context<'_>) -> bool {
        self.sup.events.poll_flush(cx);
        self.sup.events.is_idle()
    }
}
