//! The tokio transport: drives a sans-IO [`Session`] over any byte stream (TCP, TLS, an in-memory
//! duplex), moving octets and time in and events out, and nothing else.
//!
//! [`Connection::run`] is one task's loop, written as a single hand-polled future (as h2 and quinn
//! do) so that reading, writing and timers make progress together on one stream without splitting
//! it:
//!
//! - **read** into a buffer and hand the octets to [`Session::handle_input`], whatever their
//!   boundaries (the session's framer enforces the maximum command_length);
//! - **write** everything [`Session::poll_transmit`] gives in one `write` call, so PDUs queued
//!   together (responses to a burst, a window of requests) leave in one segment under load;
//! - **sleep** until [`Session::poll_timeout`] and call [`Session::handle_timeout`];
//! - hand each [`Event`] to the [`Application`], and let it issue commands (requests, responses,
//!   unbind) when it has work ([`Application::poll_app`]).
//!
//! Backpressure: the loop stops reading from the peer while the application cannot take more
//! events ([`Application::can_read`]), so a slow consumer slows the peer down through TCP instead
//! of growing a queue.
//!
//! The loop ends with a [`Disconnect`]: the session closed (unbind/unbind_resp exchanged, a timer, a
//! framing error, or the application closed it) — then the transport flushes what is queued, sends
//! FIN and lingers briefly reading until the peer's FIN — or the peer closed (EOF, between PDUs or in
//! the middle of one) or the stream failed (reset). In the last two cases the session is closed
//! first, so every request in flight comes out as [`Event::Abandoned`].

use std::future::{Future, poll_fn};
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::time::Sleep;

use crate::session::{CloseCause, Event, Session};

/// A byte stream a [`Connection`] can run on: TCP, TLS, `tokio::io::duplex`, ...
pub trait AsyncStream: AsyncRead + AsyncWrite + Send + Unpin + 'static {}

impl<T: AsyncRead + AsyncWrite + Send + Unpin + 'static> AsyncStream for T {}

/// A boxed [`AsyncStream`], so plain and TLS connections share one type.
pub type BoxedStream = Box<dyn AsyncStream>;

/// The current instant on tokio's clock (virtual under `tokio::time::pause`), as the
/// `std::time::Instant` the session takes.
pub fn now() -> Instant {
    tokio::time::Instant::now().into_std()
}

/// Sets TCP_NODELAY: SMPP is request/response, and Nagle's algorithm with delayed ACKs would hold
/// small PDUs back for tens of milliseconds.
pub fn set_nodelay(stream: &tokio::net::TcpStream) {
    if let Err(e) = stream.set_nodelay(true) {
        tracing::debug!(error = %e, "could not set TCP_NODELAY");
    }
}

/// Transport settings.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TransportConfig {
    /// Size of the read buffer (octets read per system call at most). Default 16 KiB.
    pub read_buffer: usize,
    /// After the session closed and FIN was sent, how long to keep reading (and discarding) until
    /// the peer's FIN, so closing does not reset a connection with unread data. Default 1 s.
    pub linger: Duration,
}

impl Default for TransportConfig {
    fn default() -> Self {
        Self {
            read_buffer: 16 * 1024,
            linger: Duration::from_secs(1),
        }
    }
}

/// Why a [`Connection`] stopped.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Disconnect {
    /// The session closed, for this cause (an unbind exchanged, a timer, a framing error, or the
    /// application closed it); what was queued was written and FIN sent.
    Closed(CloseCause),
    /// The peer closed the connection (EOF) between two PDUs, without unbinding.
    PeerClosed,
    /// The peer closed the connection in the middle of a PDU, of which `buffered` octets came.
    PeerClosedMidPdu {
        /// Octets of the incomplete PDU received.
        buffered: usize,
    },
    /// Reading or writing failed (connection reset, broken pipe, TLS error, ...).
    Io(Arc<io::Error>),
}

impl Disconnect {
    /// Whether the SMPP session ended properly: unbind and unbind_resp were exchanged.
    pub fn is_unbound(&self) -> bool {
        matches!(self, Self::Closed(CloseCause::Unbound(_)))
    }

    /// Whether this end decided to close ([`Session::close`], unbind sent by this end).
    pub fn is_local(&self) -> bool {
        matches!(
            self,
            Self::Closed(CloseCause::Local)
                | Self::Closed(CloseCause::Unbound(crate::session::Initiator::Local))
        )
    }
}

impl std::fmt::Display for Disconnect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Closed(cause) => write!(f, "session closed ({cause:?})"),
            Self::PeerClosed => f.write_str("peer closed the connection"),
            Self::PeerClosedMidPdu { buffered } => write!(
                f,
                "peer closed the connection in the middle of a PDU ({buffered} octets of it received)"
            ),
            Self::Io(e) => write!(f, "connection failed: {e}"),
        }
    }
}

/// What a [`Connection`] drives besides the socket: the client or the server logic. Its methods
/// are called from the connection's task and must not block.
pub trait Application {
    /// One event from the session. The application may issue session commands (respond, send a
    /// request, close).
    fn on_event(&mut self, session: &mut Session, now: Instant, event: Event);

    /// Does the application's own work: commands from handles, finished handler futures, its
    /// timers. Returns `Ready(())` when it did something (the loop runs again), `Pending` when idle
    /// (after registering `cx`'s waker with whatever will wake it).
    fn poll_app(&mut self, cx: &mut Context<'_>, session: &mut Session, now: Instant) -> Poll<()>;

    /// Whether the application can take more events now. When `false` the connection stops
    /// reading from the peer (backpressure); the application must wake `cx` when it can again.
    fn can_read(&mut self, cx: &mut Context<'_>) -> bool {
        let _ = cx;
        true
    }
}

/// Loop iterations per poll before yielding to other tasks.
const BUDGET: usize = 64;

/// A connection: a stream and the session running on it.
///
/// ```no_run
/// use std::task::{Context, Poll};
/// use std::time::Instant;
/// use smpp::session::{Config, Event, Role, Session};
/// use smpp::transport::{Application, Connection, TransportConfig, now};
///
/// struct Log;
/// impl Application for Log {
///     fn on_event(&mut self, _: &mut Session, _: Instant, event: Event) {
///         println!("{event:?}");
///     }
///     fn poll_app(&mut self, _: &mut Context<'_>, _: &mut Session, _: Instant) -> Poll<()> {
///         Poll::Pending
///     }
/// }
///
/// # async fn f() -> std::io::Result<()> {
/// let stream = tokio::net::TcpStream::connect("127.0.0.1:2775").await?;
/// let session = Session::new(Role::Esme, Config::default(), now());
/// let end = Connection::new(Box::new(stream), session, TransportConfig::default())
///     .run(&mut Log)
///     .await;
/// println!("{end}");
/// # Ok(()) }
/// ```
pub struct Connection {
    stream: BoxedStream,
    session: Session,
    config: TransportConfig,
    rbuf: Vec<u8>,
    wbuf: Vec<u8>,
    wpos: usize,
    needs_flush: bool,
    write_failed: bool,
    sleep: Pin<Box<Sleep>>,
    armed: Option<Instant>,
    end: Option<Disconnect>,
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection")
            .field("session", &self.session)
            .field("unwritten", &(self.wbuf.len() - self.wpos))
            .finish_non_exhaustive()
    }
}

impl Connection {
    /// A connection on `stream` running `session`.
    pub fn new(stream: BoxedStream, session: Session, config: TransportConfig) -> Self {
        Self {
            stream,
            session,
            rbuf: vec![0; config.read_buffer.max(16)],
            config,
            wbuf: Vec::new(),
            wpos: 0,
            needs_flush: false,
            write_failed: false,
            sleep: Box::pin(tokio::time::sleep(Duration::ZERO)),
            armed: None,
            end: None,
        }
    }

    /// The session.
    pub fn session(&self) -> &Session {
        &self.session
    }

    /// The session, to issue commands before [`run`](Self::run) (e.g. a bind).
    pub fn session_mut(&mut self) -> &mut Session {
        &mut self.session
    }

    /// Runs until the session closes or the connection ends; returns why. Every session event,
    /// the last ([`Event::Closed`]) included, has gone to `app` by then.
    pub async fn run(mut self, app: &mut impl Application) -> Disconnect {
        let end = poll_fn(|cx| self.poll_run(cx, app)).await;
        if matches!(end, Disconnect::Closed(_)) {
            self.finish().await;
        }
        tracing::debug!(%end, "connection ended");
        end
    }

    /// Graceful end: FIN, then read until the peer's FIN (or the linger time).
    async fn finish(&mut self) {
        let linger = self.config.linger;
        let stream = &mut self.stream;
        let rbuf = &mut self.rbuf;
        let _ = tokio::time::timeout(linger, async {
            if stream.shutdown().await.is_err() {
                return;
            }
            while let Ok(n) = stream.read(rbuf).await {
                if n == 0 {
                    break;
                }
            }
        })
        .await;
    }

    fn poll_run(&mut self, cx: &mut Context<'_>, app: &mut impl Application) -> Poll<Disconnect> {
        for _ in 0..BUDGET {
            let now = now();
            let mut progress = false;

            if self.session.poll_timeout().is_some_and(|d| d <= now) {
                self.session.handle_timeout(now);
                progress = true;
            }
            if !self.session.is_closed() && app.poll_app(cx, &mut self.session, now).is_ready() {
                progress = true;
            }
            while let Some(event) = self.session.poll_event() {
                app.on_event(&mut self.session, now, event);
                progress = true;
            }

            // Write everything queued, coalesced.
            if self.wpos == self.wbuf.len() {
                self.wbuf.clear();
                self.wpos = 0;
            }
            let _ = self.session.poll_transmit(&mut self.wbuf);
            // After the peer's FIN the connection may still carry our last answers (half-close);
            // after an I/O error it carries nothing.
            while self.wpos < self.wbuf.len() && !self.write_failed {
                match Pin::new(&mut self.stream).poll_write(cx, &self.wbuf[self.wpos..]) {
                    Poll::Ready(Ok(0)) => {
                        self.fail(io::Error::from(io::ErrorKind::WriteZero));
                    }
                    Poll::Ready(Ok(n)) => {
                        self.wpos += n;
                        self.needs_flush = true;
                        progress = true;
                    }
                    Poll::Ready(Err(e)) => self.fail(e),
                    Poll::Pending => break,
                }
            }
            if self.needs_flush && self.wpos == self.wbuf.len() && !self.write_failed {
                match Pin::new(&mut self.stream).poll_flush(cx) {
                    Poll::Ready(Ok(())) => self.needs_flush = false,
                    Poll::Ready(Err(e)) => self.fail(e),
                    Poll::Pending => {}
                }
            }

            if let Some(end) = &self.end {
                // Drain the events the forced close produced, then stop.
                while let Some(event) = self.session.poll_event() {
                    app.on_event(&mut self.session, now, event);
                }
                return Poll::Ready(end.clone());
            }
            if self.session.is_closed() && self.wpos == self.wbuf.len() && !self.needs_flush {
                let cause = self
                    .session
                    .close_cause()
                    .cloned()
                    .unwrap_or(CloseCause::Local);
                return Poll::Ready(Disconnect::Closed(cause));
            }

            if !self.session.is_closed() && app.can_read(cx) {
                let mut buf = ReadBuf::new(&mut self.rbuf);
                match Pin::new(&mut self.stream).poll_read(cx, &mut buf) {
                    Poll::Ready(Ok(())) if buf.filled().is_empty() => {
                        let buffered = self.session.input_pending();
                        self.end = Some(if buffered == 0 {
                            Disconnect::PeerClosed
                        } else {
                            Disconnect::PeerClosedMidPdu { buffered }
                        });
                        self.session.close();
                        progress = true;
                    }
                    Poll::Ready(Ok(())) => {
                        let n = buf.filled().len();
                        self.session.handle_input(now, &self.rbuf[..n]);
                        progress = true;
                    }
                    Poll::Ready(Err(e)) => {
                        self.fail(e);
                        progress = true;
                    }
                    Poll::Pending => {}
                }
            }

            if !progress {
                match self.session.poll_timeout() {
                    Some(deadline) => {
                        if self.armed != Some(deadline) {
                            self.armed = Some(deadline);
                            self.sleep
                                .as_mut()
                                .reset(tokio::time::Instant::from_std(deadline));
                        }
                        if self.sleep.as_mut().poll(cx).is_ready() {
                            continue;
                        }
                    }
                    None => self.armed = None,
                }
                return Poll::Pending;
            }
        }
        cx.waker().wake_by_ref();
        Poll::Pending
    }

    fn fail(&mut self, e: io::Error) {
        // Nothing more can be written (nor read, once `end` is set).
        self.write_failed = true;
        if self.end.is_none() {
            tracing::debug!(error = %e, "connection failed");
            self.end = Some(Disconnect::Io(Arc::new(e)));
        }
        self.session.close();
    }
}

/// TLS helpers (feature `tls`): rustls configurations from PEM, and wrapping a TCP stream.
#[cfg(feature = "tls")]
pub mod tls {
    use std::sync::Arc;

    use rustls_pki_types::pem::PemObject;
    use rustls_pki_types::{CertificateDer, PrivateKeyDer, ServerName};
    pub use tokio_rustls::rustls;
    use tokio_rustls::{TlsAcceptor, TlsConnector};

    use super::BoxedStream;

    /// Why a TLS configuration could not be built.
    #[derive(Debug, thiserror::Error)]
    #[non_exhaustive]
    pub enum TlsError {
        /// A PEM input held no usable certificate or key, or did not parse.
        #[error("PEM: {0}")]
        Pem(String),
        /// rustls refused the configuration.
        #[error("TLS: {0}")]
        Rustls(#[from] rustls::Error),
        /// The server name is not a valid DNS name or IP address.
        #[error("invalid server name {0:?}")]
        ServerName(String),
    }

    fn provider() -> Arc<rustls::crypto::CryptoProvider> {
        Arc::new(rustls::crypto::ring::default_provider())
    }

    /// A client configuration trusting the CA certificates in `ca_pem` (one or more PEM blocks).
    pub fn client_config(ca_pem: &[u8]) -> Result<Arc<rustls::ClientConfig>, TlsError> {
        let mut roots = rustls::RootCertStore::empty();
        for cert in CertificateDer::pem_slice_iter(ca_pem) {
            let cert = cert.map_err(|e| TlsError::Pem(e.to_string()))?;
            roots.add(cert)?;
        }
        if roots.is_empty() {
            return Err(TlsError::Pem("no certificate".into()));
        }
        let config = rustls::ClientConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()?
            .with_root_certificates(roots)
            .with_no_client_auth();
        Ok(Arc::new(config))
    }

    /// A server configuration presenting the certificate chain in `cert_pem` with the private key
    /// in `key_pem`.
    pub fn server_config(
        cert_pem: &[u8],
        key_pem: &[u8],
    ) -> Result<Arc<rustls::ServerConfig>, TlsError> {
        let certs = CertificateDer::pem_slice_iter(cert_pem)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| TlsError::Pem(e.to_string()))?;
        if certs.is_empty() {
            return Err(TlsError::Pem("no certificate".into()));
        }
        let key =
            PrivateKeyDer::from_pem_slice(key_pem).map_err(|e| TlsError::Pem(e.to_string()))?;
        let config = rustls::ServerConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()?
            .with_no_client_auth()
            .with_single_cert(certs, key)?;
        Ok(Arc::new(config))
    }

    /// Runs the client handshake on `stream`, checking the certificate against `server_name`.
    pub async fn connect(
        config: Arc<rustls::ClientConfig>,
        server_name: &str,
        stream: tokio::net::TcpStream,
    ) -> std::io::Result<BoxedStream> {
        let name = ServerName::try_from(server_name.to_owned())
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::InvalidInput, "server name"))?;
        let tls = TlsConnector::from(config).connect(name, stream).await?;
        Ok(Box::new(tls))
    }

    /// Runs the server handshake on an accepted `stream`.
    pub async fn accept(
        config: Arc<rustls::ServerConfig>,
        stream: tokio::net::TcpStream,
    ) -> std::io::Result<BoxedStream> {
        let tls = TlsAcceptor::from(config).accept(stream).await?;
        Ok(Box::new(tls))
    }
}
