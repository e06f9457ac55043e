//! Client settings: where to connect, how to bind, timers, window, reconnection and TLS.

use std::time::Duration;

use crate::pdu::{Bind, INTERFACE_VERSION_34, Npi, Ton};
use crate::session::Config;
use crate::transport::TransportConfig;

use super::ClientError;

/// How an ESME connects and binds, and how its session behaves.
///
/// The field names follow the bind PDU (§4.1.1); timers follow §2.9 (the spec gives no values; the
/// defaults are common choices).
///
/// ```
/// use std::time::Duration;
/// use smpp::client::{ClientConfig, ReconnectPolicy};
///
/// let config = ClientConfig::new("127.0.0.1", 2775, "test", "secret")
///     .window_size(64)
///     .enquire_link_interval(Some(Duration::from_secs(15)))
///     .reconnect(ReconnectPolicy::default());
/// assert_eq!(config.system_id, "test");
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ClientConfig {
    /// The SMSC's host name or address.
    pub host: String,
    /// The SMSC's port (2775 is customary; 3550 is IANA's).
    pub port: u16,
    /// system_id of the bind (max 15 characters).
    pub system_id: String,
    /// password of the bind (max 8 characters).
    pub password: String,
    /// system_type of the bind (max 12 characters).
    pub system_type: String,
    /// interface_version of the bind; default 0x34.
    pub interface_version: u8,
    /// addr_ton of the bind.
    pub addr_ton: Ton,
    /// addr_npi of the bind.
    pub addr_npi: Npi,
    /// address_range of the bind (max 40 characters).
    pub address_range: String,
    /// How long connecting (TCP and TLS) may take. Default 10 s.
    pub connect_timeout: Duration,
    /// How long the SMSC may take to answer the bind (the session-init timer). Default 10 s.
    pub bind_timeout: Duration,
    /// enquire_link after this long without receiving anything; `None` never. Default 30 s.
    pub enquire_link_interval: Option<Duration>,
    /// How long a request waits for its response (§2.9 response timer); `None` forever. Default 30 s.
    pub response_timeout: Option<Duration>,
    /// Close the session after this long without receiving anything; `None` never. Default 120 s.
    pub inactivity_timeout: Option<Duration>,
    /// Most requests in flight (§2.5.2 suggests 10; the SMSC sets the real limit). Default 10.
    pub window_size: usize,
    /// How long the application may hold an incoming deliver_sm or data_sm before the client
    /// answers it with ESME_ROK by itself. Keep it below the SMSC's response timer. Default 5 s.
    pub auto_response_after: Duration,
    /// How many incoming messages (deliver_sm, data_sm, alert_notification) may wait for the
    /// application in the events queue before the client stops reading from the SMSC. Default 64.
    pub events_capacity: usize,
    /// Reconnect and re-bind when the connection drops; `None` (the default) does not.
    pub reconnect: Option<ReconnectPolicy>,
    /// TLS (feature `tls`); `None` is plain TCP.
    #[cfg(feature = "tls")]
    pub tls: Option<TlsOptions>,
    /// Anything else of the session (decoding strictness, T 2-1 extensions, maximum PDU size).
    /// The fields above override its timers and window.
    pub session: Config,
    /// Transport settings.
    pub transport: TransportConfig,
}

/// TLS settings of a client (feature `tls`).
#[cfg(feature = "tls")]
#[derive(Debug, Clone)]
pub struct TlsOptions {
    /// The rustls configuration (trust roots, ...); see [`crate::transport::tls::client_config`].
    pub config: std::sync::Arc<crate::transport::tls::rustls::ClientConfig>,
    /// The name the server certificate must carry (defaults to the host when `None`).
    pub server_name: Option<String>,
}

impl ClientConfig {
    /// A configuration with the defaults for everything but the address and credentials.
    pub fn new(
        host: impl Into<String>,
        port: u16,
        system_id: impl Into<String>,
        password: impl Into<String>,
    ) -> Self {
        Self {
            host: host.into(),
            port,
            system_id: system_id.into(),
            password: password.into(),
            system_type: String::new(),
            interface_version: INTERFACE_VERSION_34,
            addr_ton: Ton::UNKNOWN,
            addr_npi: Npi::UNKNOWN,
            address_range: String::new(),
            connect_timeout: Duration::from_secs(10),
            bind_timeout: Duration::from_secs(10),
            enquire_link_interval: Some(Duration::from_secs(30)),
            response_timeout: Some(Duration::from_secs(30)),
            inactivity_timeout: Some(Duration::from_secs(120)),
            window_size: 10,
            auto_response_after: Duration::from_secs(5),
            events_capacity: 64,
            reconnect: None,
            #[cfg(feature = "tls")]
            tls: None,
            session: Config::default(),
            transport: TransportConfig::default(),
        }
    }

    /// Sets system_type.
    pub fn system_type(mut self, system_type: impl Into<String>) -> Self {
        self.system_type = system_type.into();
        self
    }

    /// Sets addr_ton, addr_npi and address_range.
    pub fn address_range(mut self, ton: Ton, npi: Npi, range: impl Into<String>) -> Self {
        self.addr_ton = ton;
        self.addr_npi = npi;
        self.address_range = range.into();
        self
    }

    /// Sets the bind timeout.
    pub fn bind_timeout(mut self, timeout: Duration) -> Self {
        self.bind_timeout = timeout;
        self
    }

    /// Sets the enquire_link interval.
    pub fn enquire_link_interval(mut self, interval: Option<Duration>) -> Self {
        self.enquire_link_interval = interval;
        self
    }

    /// Sets the response timeout.
    pub fn response_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.response_timeout = timeout;
        self
    }

    /// Sets the window size.
    pub fn window_size(mut self, window_size: usize) -> Self {
        self.window_size = window_size.max(1);
        self
    }

    /// Turns reconnection on.
    pub fn reconnect(mut self, policy: ReconnectPolicy) -> Self {
        self.reconnect = Some(policy);
        self
    }

    /// Uses TLS with this rustls configuration (feature `tls`).
    #[cfg(feature = "tls")]
    pub fn tls(
        mut self,
        config: std::sync::Arc<crate::transport::tls::rustls::ClientConfig>,
    ) -> Self {
        self.tls = Some(TlsOptions {
            config,
            server_name: None,
        });
        self
    }

    /// The bind body this configuration sends.
    pub fn bind_body(&self) -> Result<Bind, ClientError> {
        fn field<T: for<'a> TryFrom<&'a str>>(
            name: &'static str,
            v: &str,
        ) -> Result<T, ClientError> {
            T::try_from(v).map_err(|_| {
                ClientError::InvalidConfig(format!("{name} {v:?} is too long or holds a NUL"))
            })
        }
        Ok(Bind {
            system_id: field("system_id", &self.system_id)?,
            password: field("password", &self.password)?,
            system_type: field("system_type", &self.system_type)?,
            interface_version: self.interface_version,
            addr_ton: self.addr_ton,
            addr_npi: self.addr_npi,
            address_range: field("address_range", &self.address_range)?,
            tlvs: Default::default(),
        })
    }

    /// The session settings this configuration gives.
    pub fn session_config(&self) -> Config {
        let mut c = self.session.clone();
        c.window_size = self.window_size.max(1);
        c.response_timeout = self.response_timeout;
        c.enquire_link_interval = self.enquire_link_interval;
        c.session_init_timeout = Some(self.bind_timeout);
        c.inactivity_timeout = self.inactivity_timeout;
        c
    }
}

/// When and how often to reconnect after the connection dropped. Delays grow from `initial_delay`
/// by `multiplier` up to `max_delay`. Reconnection is never attempted after [`Client::unbind`] or
/// [`Client::disconnect`], nor when the first bind fails.
///
/// [`Client::unbind`]: super::Client::unbind
/// [`Client::disconnect`]: super::Client::disconnect
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ReconnectPolicy {
    /// Delay before the first attempt. Default 1 s.
    pub initial_delay: Duration,
    /// Longest delay. Default 60 s.
    pub max_delay: Duration,
    /// Growth factor of the delay. Default 2.
    pub multiplier: f64,
    /// Give up after this many failed attempts in a row; `None` never gives up. Default `None`.
    pub max_attempts: Option<u32>,
}

impl Default for ReconnectPolicy {
    fn default() -> Self {
        Self {
            initial_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(60),
            multiplier: 2.0,
            max_attempts: None,
        }
    }
}

impl ReconnectPolicy {
    /// A policy with these delays and no attempt limit.
    pub fn new(initial_delay: Duration, max_delay: Duration) -> Self {
        Self {
            initial_delay,
            max_delay,
            ..Self::default()
        }
    }

    /// Gives up after `n` failed attempts in a row.
    pub fn max_attempts(mut self, n: u32) -> Self {
        self.max_attempts = Some(n);
        self
    }

    /// The delay before attempt `attempt` (1-based).
    pub fn delay(&self, attempt: u32) -> Duration {
        let factor = self
            .multiplier
            .max(1.0)
            .powi(attempt.saturating_sub(1).min(64) as i32);
        let secs = (self.initial_delay.as_secs_f64() * factor).min(self.max_delay.as_secs_f64());
        Duration::try_from_secs_f64(secs).unwrap_or(self.max_delay)
    }
}
