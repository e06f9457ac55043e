//! The SMSC server on tokio: accepts ESME connections, authenticates binds, hands message requests
//! to a [`Handler`], delivers deliver_sm to bound receivers (round-robin per system_id, stored
//! while none is bound), generates delivery receipts, throttles, and shuts down gracefully.
//!
//! Each connection runs in its own task driving a sans-IO [`Session`](crate::session::Session)
//! (T 2-1, window, timers and automatic answers live there); the handler's futures run
//! concurrently inside that task.
//!
//! ```no_run
//! use std::time::Duration;
//! use smpp::server::{Accounts, Handler, RequestContext, Server};
//! use smpp::{CommandStatus, DeliverSm, SubmitSm};
//!
//! struct Echo;
//!
//! impl Handler for Echo {
//!     async fn submit_sm(&self, ctx: RequestContext, pdu: SubmitSm) -> Result<String, CommandStatus> {
//!         // Send the text back to the submitter's receiver (stored until one binds).
//!         let back = DeliverSm {
//!             source_addr: pdu.destination_addr.as_bytes().try_into().unwrap_or_default(),
//!             destination_addr: pdu.source_addr.as_bytes().try_into().unwrap_or_default(),
//!             short_message: pdu.short_message.clone(),
//!             ..DeliverSm::default()
//!         };
//!         ctx.server()
//!             .store_deliver_sm(&ctx.system_id, back)
//!             .map_err(|e| e.command_status().unwrap_or(CommandStatus::ESME_RSYSERR))?;
//!         Ok(format!("{}", ctx.sequence_number))
//!     }
//! }
//!
//! # async fn f() -> Result<(), Box<dyn std::error::Error>> {
//! let server = Server::builder()
//!     .system_id("SMSC")
//!     .max_connections(100)
//!     .authenticator(Accounts::new().with("test", "secret"))
//!     .handler(Echo)
//!     .listen("127.0.0.1:2775")
//!     .await?;
//! let mut events = server.subscribe();
//! while let Ok(event) = events.recv().await {
//!     println!("{event:?}");
//! }
//! server.shutdown(Duration::from_secs(5)).await;
//! # Ok(()) }
//! ```

mod conn;
mod error;
mod handler;
mod receipt;
mod registry;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::{Duration, SystemTime};

use tokio::net::TcpListener;
use tokio::sync::{broadcast, mpsc, oneshot};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::pdu::{AlertNotification, Command, CommandStatus, DataSm, DeliverSm, Outbind, Pdu};
use crate::session::{BindType, Config, Initiator};
use crate::transport::{BoxedStream, Disconnect, TransportConfig, set_nodelay};

pub use error::ServerError;
pub use handler::{
    AcceptAll, Accounts, AllowAll, Authenticator, BindRequest, Handler, RequestContext,
};
pub use receipt::{DeliveredAtOnce, NoReceipts, ReceiptPlan, ReceiptPolicy, Submitted};
pub use registry::SessionInfo;

use handler::DynHandler;
use registry::{ConnControl, Entry, Outbound, Registry};

/// Identifies a connection for the server's lifetime.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SessionId(pub u64);

impl std::fmt::Display for SessionId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "#{}", self.0)
    }
}

/// What happened to the server's sessions ([`Server::subscribe`]).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum ServerEvent {
    /// A connection was accepted.
    Connected {
        /// The session.
        session_id: SessionId,
        /// The ESME's address.
        peer_addr: Option<SocketAddr>,
    },
    /// A connection over `max_connections` was turned away.
    Refused {
        /// The ESME's address.
        peer_addr: Option<SocketAddr>,
    },
    /// A session bound.
    Bound {
        /// The session.
        session_id: SessionId,
        /// Its system_id.
        system_id: String,
        /// How.
        bind_type: BindType,
    },
    /// A bind was refused by the authenticator (the session stays open: the ESME may retry).
    BindRefused {
        /// The session.
        session_id: SessionId,
        /// The system_id it tried.
        system_id: String,
        /// The status it got.
        command_status: CommandStatus,
    },
    /// unbind and unbind_resp were exchanged.
    Unbound {
        /// The session.
        session_id: SessionId,
        /// Who sent the unbind.
        initiator: Initiator,
    },
    /// The connection ended.
    Disconnected {
        /// The session.
        session_id: SessionId,
        /// Its system_id, if it had bound.
        system_id: Option<String>,
        /// Why.
        reason: Disconnect,
    },
}

/// How [`Server::deliver_sm`] went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    /// Sent to this receiver session, which answered this status.
    Delivered {
        /// The receiver.
        session_id: SessionId,
        /// Its deliver_sm_resp status.
        command_status: CommandStatus,
    },
    /// No receiver was bound: stored, to be delivered when one binds.
    Stored,
}

/// What [`Server::shutdown`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShutdownReport {
    /// Sessions open when the shutdown started.
    pub sessions: usize,
    /// Whether the timeout ran out and the remaining sessions were closed without unbinding.
    pub forced: bool,
    /// Messages left in the store.
    pub stored: usize,
}

/// The server's settings (set through [`ServerBuilder`]).
#[derive(Debug, Clone)]
pub(crate) struct ServerConfig {
    pub(crate) system_id: String,
    pub(crate) max_connections: usize,
    pub(crate) session: Config,
    pub(crate) transport: TransportConfig,
    pub(crate) store_capacity: usize,
    pub(crate) throttle: Option<f64>,
    pub(crate) outbound_capacity: usize,
}

pub(crate) struct Shared {
    pub(crate) config: ServerConfig,
    pub(crate) handler: Arc<dyn DynHandler>,
    pub(crate) auth: Arc<dyn Authenticator>,
    pub(crate) receipts: Arc<dyn ReceiptPolicy>,
    registry: Mutex<Registry>,
    events: broadcast::Sender<ServerEvent>,
    next_id: AtomicU64,
    pub(crate) shutdown: CancellationToken,
    tracker: TaskTracker,
    local_addr: OnceLock<SocketAddr>,
    #[cfg(feature = "tls")]
    tls: Option<Arc<crate::transport::tls::rustls::ServerConfig>>,
}

/// Builds a [`Server`].
///
/// Defaults: system_id "SMSC", 100 connections, [`AcceptAll`] handler, [`AllowAll`]
/// authentication, [`DeliveredAtOnce`] receipts, a store of 10 000 messages, no throttling, the
/// session defaults of [`Config`].
#[must_use]
pub struct ServerBuilder {
    config: ServerConfig,
    handler: Arc<dyn DynHandler>,
    auth: Arc<dyn Authenticator>,
    receipts: Arc<dyn ReceiptPolicy>,
    #[cfg(feature = "tls")]
    tls: Option<Arc<crate::transport::tls::rustls::ServerConfig>>,
}

impl std::fmt::Debug for ServerBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerBuilder")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl ServerBuilder {
    /// The system_id the server answers binds with (max 15 characters).
    pub fn system_id(mut self, system_id: impl Into<String>) -> Self {
        self.config.system_id = system_id.into();
        self
    }

    /// Most connections at once. A connection over the limit is accepted, its bind answered with
    /// ESME_RBINDFAIL, and closed — as SMSCs that cap binds do — so the ESME learns why rather
    /// than seeing a reset; beyond twice the limit, connections are closed at once.
    pub fn max_connections(mut self, max: usize) -> Self {
        self.config.max_connections = max;
        self
    }

    /// The session settings of every connection (window, timers, strictness, ...).
    pub fn session_config(mut self, config: Config) -> Self {
        self.config.session = config;
        self
    }

    /// Transport settings.
    pub fn transport_config(mut self, config: TransportConfig) -> Self {
        self.config.transport = config;
        self
    }

    /// Most messages stored for receivers not bound yet (all system_ids together); beyond it
    /// storing fails with [`ServerError::QueueFull`] (ESME_RMSGQFUL).
    pub fn store_capacity(mut self, capacity: usize) -> Self {
        self.config.store_capacity = capacity;
        self
    }

    /// Per-session throttling: at most `per_second` message requests a second (bursts of as
    /// many); the excess is answered ESME_RTHROTTLED.
    pub fn throttle(mut self, per_second: f64) -> Self {
        self.config.throttle = (per_second > 0.0).then_some(per_second);
        self
    }

    /// The handler of submit_sm, submit_multi, data_sm, query_sm, cancel_sm and replace_sm.
    pub fn handler(mut self, handler: impl Handler) -> Self {
        self.handler = Arc::new(handler);
        self
    }

    /// The authenticator of binds.
    pub fn authenticator(mut self, auth: impl Authenticator) -> Self {
        self.auth = Arc::new(auth);
        self
    }

    /// The receipt policy.
    pub fn receipt_policy(mut self, policy: impl ReceiptPolicy) -> Self {
        self.receipts = Arc::new(policy);
        self
    }

    /// Serves TLS on accepted connections (feature `tls`; see
    /// [`crate::transport::tls::server_config`]).
    #[cfg(feature = "tls")]
    pub fn tls(mut self, config: Arc<crate::transport::tls::rustls::ServerConfig>) -> Self {
        self.tls = Some(config);
        self
    }

    /// The server, not listening: serve streams with [`Server::serve`].
    pub fn build(self) -> Server {
        Server {
            shared: Arc::new(Shared {
                config: self.config,
                handler: self.handler,
                auth: self.auth,
                receipts: self.receipts,
                registry: Mutex::new(Registry::default()),
                events: broadcast::channel(1024).0,
                next_id: AtomicU64::new(1),
                shutdown: CancellationToken::new(),
                tracker: TaskTracker::new(),
                local_addr: OnceLock::new(),
                #[cfg(feature = "tls")]
                tls: self.tls,
            }),
        }
    }

    /// Listens on `addr` (port 0 picks one; see [`Server::local_addr`]) and accepts connections
    /// in a task until [`Server::shutdown`].
    pub async fn listen(self, addr: &str) -> Result<Server, ServerError> {
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|e| ServerError::Listen {
                addr: addr.to_owned(),
                source: Arc::new(e),
            })?;
        let server = self.build();
        if let Ok(local) = listener.local_addr() {
            let _ = server.shared.local_addr.set(local);
            tracing::info!(%local, "SMSC listening");
        }
        server
            .shared
            .tracker
            .spawn(server.clone().accept_loop(listener));
        Ok(server)
    }
}

/// A running SMSC server: a cheap, cloneable handle.
#[derive(Clone)]
pub struct Server {
    pub(crate) shared: Arc<Shared>,
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("local_addr", &self.local_addr())
            .field("sessions", &self.session_count())
            .finish_non_exhaustive()
    }
}

impl Server {
    /// A builder with the defaults.
    pub fn builder() -> ServerBuilder {
        ServerBuilder {
            config: ServerConfig {
                system_id: "SMSC".into(),
                max_connections: 100,
                session: Config::default(),
                transport: TransportConfig::default(),
                store_capacity: 10_000,
                throttle: None,
                outbound_capacity: 16,
            },
            handler: Arc::new(AcceptAll::default()),
            auth: Arc::new(AllowAll),
            receipts: Arc::new(DeliveredAtOnce),
            #[cfg(feature = "tls")]
            tls: None,
        }
    }

    pub(crate) fn registry(&self) -> MutexGuard<'_, Registry> {
        // A panic while holding the lock cannot leave the books inconsistent in a way worse than
        // losing the server: keep serving.
        self.shared
            .registry
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub(crate) fn emit(&self, event: ServerEvent) {
        let _ = self.shared.events.send(event);
    }

    /// The address it listens on.
    pub fn local_addr(&self) -> Option<SocketAddr> {
        self.shared.local_addr.get().copied()
    }

    /// Whether it still accepts connections (no shutdown yet).
    pub fn is_running(&self) -> bool {
        !self.shared.shutdown.is_cancelled()
    }

    /// Session events from now on. A receiver that falls more than 1024 events behind loses the
    /// oldest (`RecvError::Lagged`); the server never waits for it.
    pub fn subscribe(&self) -> broadcast::Receiver<ServerEvent> {
        self.shared.events.subscribe()
    }

    /// Every open session.
    pub fn sessions(&self) -> Vec<SessionInfo> {
        let mut v: Vec<_> = self
            .registry()
            .sessions
            .values()
            .map(|e| e.info.clone())
            .collect();
        v.sort_by_key(|i| i.id);
        v
    }

    /// The bound sessions.
    pub fn bound_clients(&self) -> Vec<SessionInfo> {
        let mut v = self.sessions();
        v.retain(SessionInfo::is_bound);
        v
    }

    /// How many sessions are open.
    pub fn session_count(&self) -> usize {
        self.registry().sessions.len()
    }

    /// Messages stored for `system_id` (for every system_id with `None`).
    pub fn stored(&self, system_id: Option<&str>) -> usize {
        self.registry().stored(system_id)
    }

    /// Serves a connection the caller accepted (any stream: TLS done by hand, an in-memory
    /// duplex); returns its id.
    pub fn serve(&self, stream: BoxedStream, peer_addr: Option<SocketAddr>) -> SessionId {
        self.serve_with(stream, peer_addr, None)
    }

    /// Outbind (§2.2.1): serves a connection this SMSC opened to an ESME, starting with an
    /// outbind; the ESME then binds as a receiver (authenticated as usual) and receives what is
    /// stored for it. Returns the session's id.
    pub fn outbind(
        &self,
        stream: BoxedStream,
        peer_addr: Option<SocketAddr>,
        outbind: Outbind,
    ) -> SessionId {
        self.serve_with(stream, peer_addr, Some(outbind))
    }

    /// [`outbind`](Self::outbind) over a TCP connection to `addr` (TCP_NODELAY set).
    pub async fn outbind_to(&self, addr: &str, outbind: Outbind) -> Result<SessionId, ServerError> {
        let tcp = tokio::net::TcpStream::connect(addr)
            .await
            .map_err(|e| ServerError::Listen {
                addr: addr.to_owned(),
                source: Arc::new(e),
            })?;
        set_nodelay(&tcp);
        let peer = tcp.peer_addr().ok();
        Ok(self.outbind(Box::new(tcp), peer, outbind))
    }

    fn serve_with(
        &self,
        stream: BoxedStream,
        peer_addr: Option<SocketAddr>,
        outbind: Option<Outbind>,
    ) -> SessionId {
        let id = SessionId(self.shared.next_id.fetch_add(1, Ordering::Relaxed));
        let (outbound_tx, outbound) = mpsc::channel(self.shared.config.outbound_capacity.max(1));
        let (control_tx, control) = mpsc::unbounded_channel();
        let max = self.shared.config.max_connections;
        let refuse = {
            let mut registry = self.registry();
            if registry.sessions.len() >= max {
                if registry.refusing >= max {
                    drop(registry);
                    tracing::warn!(?peer_addr, "far over max_connections: closed at once");
                    self.emit(ServerEvent::Refused { peer_addr });
                    return id;
                }
                registry.refusing += 1;
                true
            } else {
                let info = SessionInfo {
                    id,
                    peer_addr,
                    system_id: None,
                    bind_type: None,
                    connected_at: SystemTime::now(),
                };
                registry.sessions.insert(
                    id,
                    Entry {
                        info,
                        outbound: outbound_tx,
                        control: control_tx,
                    },
                );
                false
            }
        };
        if refuse {
            self.emit(ServerEvent::Refused { peer_addr });
        }
        let start = conn::Start {
            id,
            peer_addr,
            refuse,
            outbound,
            control,
            outbind,
        };
        self.shared
            .tracker
            .spawn(conn::run(self.clone(), stream, start));
        id
    }

    async fn accept_loop(self, listener: TcpListener) {
        let shutdown = self.shared.shutdown.clone();
        loop {
            let accepted = tokio::select! {
                _ = shutdown.cancelled() => break,
                accepted = listener.accept() => accepted,
            };
            match accepted {
                Ok((tcp, peer)) => {
                    set_nodelay(&tcp);
                    self.accept_one(tcp, peer);
                }
                Err(e) => {
                    // EMFILE and friends: back off a little rather than spin.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
        }
        tracing::info!("stopped accepting connections");
    }

    fn accept_one(&self, tcp: tokio::net::TcpStream, peer: SocketAddr) {
        #[cfg(feature = "tls")]
        if let Some(tls) = self.shared.tls.clone() {
            let server = self.clone();
            let timeout = server
                .shared
                .config
                .session
                .session_init_timeout
                .unwrap_or(Duration::from_secs(10));
            self.shared.tracker.spawn(async move {
                match tokio::time::timeout(timeout, crate::transport::tls::accept(tls, tcp)).await {
                    Ok(Ok(stream)) => {
                        server.serve(stream, Some(peer));
                    }
                    Ok(Err(e)) => tracing::info!(%peer, error = %e, "TLS handshake failed"),
                    Err(_) => tracing::info!(%peer, "TLS handshake timed out"),
                }
            });
            return;
        }
        self.serve(Box::new(tcp), Some(peer));
    }

    // ------------------------------------------------------------------ sending to ESMEs

    /// Delivers a message to a receiver (BOUND_RX or BOUND_TRX) of `system_id`, round-robin over
    /// its binds, and waits for its deliver_sm_resp; when none is bound, stores the message
    /// (delivered when one binds) and returns [`Delivery::Stored`], or fails with
    /// [`ServerError::QueueFull`].
    ///
    /// Waits for a window slot of the chosen session. After sending, a lost connection or a
    /// timeout is an error ([`ServerError::Abandoned`], [`ServerError::Timeout`]); the message is
    /// not re-sent.
    pub async fn deliver_sm(
        &self,
        system_id: &str,
        pdu: DeliverSm,
    ) -> Result<Delivery, ServerError> {
        let mut pdu = Pdu::DeliverSm(pdu);
        for _ in 0..8 {
            let target = self.registry().pick(system_id);
            let Some((session_id, outbound)) = target else {
                break;
            };
            let (reply, rx) = oneshot::channel();
            match outbound.send(Outbound { pdu, reply }).await {
                Ok(()) => {
                    let response = rx.await.map_err(|_| ServerError::Closed)??;
                    return Ok(Delivery::Delivered {
                        session_id,
                        command_status: response.command_status,
                    });
                }
                // That session closed meanwhile: try another.
                Err(mpsc::error::SendError(o)) => pdu = o.pdu,
            }
        }
        match pdu {
            Pdu::DeliverSm(d) => self
                .store_deliver_sm(system_id, d)
                .map(|()| Delivery::Stored),
            _ => Err(ServerError::Closed),
        }
    }

    /// Queues a message for `system_id` without waiting: the receivers bound now, or the first
    /// to bind, take it from the store when their window has room. Delivered at least once: if
    /// its connection drops before the deliver_sm_resp, it goes back to the store.
    pub fn store_deliver_sm(&self, system_id: &str, pdu: DeliverSm) -> Result<(), ServerError> {
        let capacity = self.shared.config.store_capacity;
        self.registry().store(system_id, pdu, capacity)
    }

    /// Sends any request to one session and waits for its response (alert_notification, which
    /// has none, completes once sent). Fails with [`ServerError::ApiMisuse`] when T 2-1 does not
    /// allow it in that session's state.
    pub async fn request(
        &self,
        session_id: SessionId,
        pdu: impl Into<Pdu>,
    ) -> Result<Command, ServerError> {
        let outbound = self
            .registry()
            .sessions
            .get(&session_id)
            .map(|e| e.outbound.clone())
            .ok_or(ServerError::NoSuchSession(session_id))?;
        let (reply, rx) = oneshot::channel();
        outbound
            .send(Outbound {
                pdu: pdu.into(),
                reply,
            })
            .await
            .map_err(|_| ServerError::Closed)?;
        rx.await.map_err(|_| ServerError::Closed)?
    }

    /// Sends a data_sm to one receiver of `system_id` (round-robin) and waits for its response.
    pub async fn data_sm(&self, system_id: &str, pdu: DataSm) -> Result<Command, ServerError> {
        let target = self.registry().pick(system_id);
        let (session_id, _) = target.ok_or_else(|| ServerError::NoReceiver(system_id.into()))?;
        self.request(session_id, pdu).await
    }

    /// Sends an alert_notification (§4.12) to one receiver of `system_id`.
    pub async fn alert_notification(
        &self,
        system_id: &str,
        pdu: AlertNotification,
    ) -> Result<(), ServerError> {
        let target = self.registry().pick(system_id);
        let (session_id, _) = target.ok_or_else(|| ServerError::NoReceiver(system_id.into()))?;
        self.request(session_id, pdu).await.map(|_| ())
    }

    // ------------------------------------------------------------------ closing

    fn control(&self, session_id: SessionId, control: ConnControl) -> Result<(), ServerError> {
        let registry = self.registry();
        let entry = registry
            .sessions
            .get(&session_id)
            .ok_or(ServerError::NoSuchSession(session_id))?;
        entry.control.send(control).map_err(|_| ServerError::Closed)
    }

    /// Unbinds one session (it closes once the ESME answers).
    pub fn unbind(&self, session_id: SessionId) -> Result<(), ServerError> {
        self.control(session_id, ConnControl::Unbind)
    }

    /// Closes one session's connection now, without unbinding.
    pub fn disconnect(&self, session_id: SessionId) -> Result<(), ServerError> {
        self.control(session_id, ConnControl::Abort)
    }

    /// Shuts down gracefully: stops accepting connections; every session finishes its in-flight
    /// work (requests arriving meanwhile are answered ESME_RSYSERR, binds ESME_RBINDFAIL), then
    /// unbinds and closes. Sessions still open after `timeout` are closed without unbinding.
    /// Receipts not yet due are dropped. Idempotent.
    pub async fn shutdown(&self, timeout: Duration) -> ShutdownReport {
        self.shared.shutdown.cancel();
        self.shared.tracker.close();
        let controls: Vec<_> = self
            .registry()
            .sessions
            .values()
            .map(|e| e.control.clone())
            .collect();
        let sessions = controls.len();
        for c in &controls {
            let _ = c.send(ConnControl::Shutdown);
        }
        let forced = tokio::time::timeout(timeout, self.shared.tracker.wait())
            .await
            .is_err();
        if forced {
            tracing::warn!("shutdown timed out: closing the remaining sessions");
            for c in &controls {
                let _ = c.send(ConnControl::Abort);
            }
            let _ = tokio::time::timeout(
                self.shared.config.transport.linger + Duration::from_secs(1),
                self.shared.tracker.wait(),
            )
            .await;
        }
        ShutdownReport {
            sessions,
            forced,
            stored: self.stored(None),
        }
    }
}
