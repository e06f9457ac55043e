//! The ESME client on tokio: connect, bind, send requests concurrently within the window, receive
//! deliver_sm / data_sm / alert_notification as a stream of events, reconnect.
//!
//! A [`Client`] is a cheap, cloneable handle; the connection runs in its own task, which drives the
//! sans-IO [`Session`](crate::session::Session) (T 2-1 rules, window, timers, automatic
//! enquire_link and enquire_link_resp all live there). [`Events`] carries what the SMSC sends by
//! itself.
//!
//! ```no_run
//! use smpp::client::{Client, ClientConfig, ClientEvent};
//! use smpp::session::BindType;
//! use smpp::{RegisteredDelivery, SubmitSm};
//!
//! # async fn f() -> Result<(), Box<dyn std::error::Error>> {
//! let config = ClientConfig::new("127.0.0.1", 2775, "test", "secret");
//! let (client, mut events) = Client::bind(config, BindType::Transceiver).await?;
//!
//! let message_id = client
//!     .submit_sm(SubmitSm {
//!         source_addr: "12345".try_into()?,
//!         destination_addr: "447911123456".try_into()?,
//!         registered_delivery: RegisteredDelivery::SMSC_RECEIPT,
//!         short_message: "Hello".try_into()?,
//!         ..Default::default()
//!     })
//!     .await?;
//!
//! while let Some(event) = events.next().await {
//!     if let ClientEvent::DeliverSm(message) = event {
//!         if let Some(receipt) = message.receipt() {
//!             if receipt.id_matches(&message_id) {
//!                 println!("{message_id}: {:?}", receipt.stat);
//!                 break;
//!             }
//!         }
//!         message.accept(); // deliver_sm_resp ESME_ROK (dropping it does the same)
//!     }
//! }
//! client.unbind().await?;
//! # Ok(()) }
//! ```

mod config;
mod driver;
mod error;
mod event;

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, oneshot, watch};

use crate::pdu::{
    CancelSm, Command, DataCoding, DataSm, DataSmResp, EsmClass, OctetString, Pdu, QuerySm,
    QuerySmResp, ReplaceSm, ShortMessage, SubmitMulti, SubmitMultiResp, SubmitSm,
};
use crate::session::BindType;
use crate::text::{Alphabet, Concat, SplitOptions, split};
use crate::tlv::Tlv;
use crate::transport::{BoxedStream, Disconnect, set_nodelay};

#[cfg(feature = "tls")]
pub use config::TlsOptions;
pub use config::{ClientConfig, ReconnectPolicy};
pub use error::ClientError;
pub use event::{ClientEvent, ConnectionState, Events, Incoming};

use driver::{Control, EventSink, Mode, Reply, Request, Supervisor};

/// A handle on a bound ESME session. Clone it freely: every clone sends on the same session, and
/// requests from all of them share the window.
///
/// Each request waits for a free slot of the window (backpressure), is sent, and completes with
/// its response; many can be in flight at once from concurrent tasks. Dropping a request's future
/// is safe: if it was sent, its response is discarded when it comes. Nothing is ever re-sent by
/// the client: see [`ClientError`] for what each failure says about the request.
///
/// The session unbinds when every handle and the [`Events`] stream are dropped.
#[derive(Clone, Debug)]
pub struct Client {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    requests: mpsc::Sender<Request>,
    control: mpsc::UnboundedSender<Control>,
    state: watch::Receiver<ConnectionState>,
    bind_type: BindType,
}

impl Drop for Inner {
    fn drop(&mut self) {
        let _ = self.control.send(Control::HandlesDropped);
    }
}

/// Connects to `config.host:config.port` (TCP_NODELAY set; TLS when configured).
pub(crate) async fn connect(config: &ClientConfig) -> Result<BoxedStream, ClientError> {
    let addr = format!("{}:{}", config.host, config.port);
    let error = |e: std::io::Error| ClientError::Connect {
        addr: addr.clone(),
        source: Arc::new(e),
    };
    let timed_out = || std::io::Error::from(std::io::ErrorKind::TimedOut);
    let tcp = tokio::time::timeout(
        config.connect_timeout,
        tokio::net::TcpStream::connect(&addr),
    )
    .await
    .map_err(|_| error(timed_out()))?
    .map_err(error)?;
    set_nodelay(&tcp);
    #[cfg(feature = "tls")]
    if let Some(tls) = &config.tls {
        let name = tls.server_name.as_deref().unwrap_or(&config.host);
        let handshake = crate::transport::tls::connect(tls.config.clone(), name, tcp);
        return tokio::time::timeout(config.connect_timeout, handshake)
            .await
            .map_err(|_| error(timed_out()))?
            .map_err(error);
    }
    Ok(Box::new(tcp))
}

impl Client {
    /// Connects and binds this way; returns the handle and the events stream once bound.
    ///
    /// Fails with [`ClientError::Connect`], [`ClientError::BindRefused`],
    /// [`ClientError::BindTimeout`] or [`ClientError::BindFailed`]; a failed first bind is never
    /// retried, whatever the reconnect policy.
    pub async fn bind(
        config: ClientConfig,
        bind_type: BindType,
    ) -> Result<(Client, Events), ClientError> {
        config.bind_body()?;
        let stream = connect(&config).await?;
        Self::start(stream, config, Mode::Bind(bind_type)).await
    }

    /// [`bind`](Self::bind) as a transmitter (BOUND_TX: submit, query, cancel, replace).
    pub async fn bind_transmitter(config: ClientConfig) -> Result<(Client, Events), ClientError> {
        Self::bind(config, BindType::Transmitter).await
    }

    /// [`bind`](Self::bind) as a receiver (BOUND_RX: deliver_sm comes in).
    pub async fn bind_receiver(config: ClientConfig) -> Result<(Client, Events), ClientError> {
        Self::bind(config, BindType::Receiver).await
    }

    /// [`bind`](Self::bind) as a transceiver (BOUND_TRX: both).
    pub async fn bind_transceiver(config: ClientConfig) -> Result<(Client, Events), ClientError> {
        Self::bind(config, BindType::Transceiver).await
    }

    /// Binds on a stream the caller connected (an in-memory duplex, a stream with custom TLS or a
    /// proxy). With a reconnect policy, reconnections dial `config.host:config.port`.
    pub async fn bind_stream(
        stream: BoxedStream,
        config: ClientConfig,
        bind_type: BindType,
    ) -> Result<(Client, Events), ClientError> {
        Self::start(stream, config, Mode::Bind(bind_type)).await
    }

    /// Serves an SMSC that connected to us to send outbind (§2.2.1): waits for the outbind (within
    /// the bind timeout), reports it as [`ClientEvent::Outbind`], answers with bind_receiver using
    /// `config`'s credentials, and returns once bound. Check the SMSC's credentials in the event and
    /// call [`disconnect`](Self::disconnect) to refuse it. Such a session is not re-established
    /// after it drops (the SMSC connects again).
    pub async fn accept_outbind(
        stream: BoxedStream,
        config: ClientConfig,
    ) -> Result<(Client, Events), ClientError> {
        Self::start(stream, config, Mode::AwaitOutbind).await
    }

    async fn start(
        stream: BoxedStream,
        config: ClientConfig,
        mode: Mode,
    ) -> Result<(Client, Events), ClientError> {
        let bind = config.bind_body()?;
        let config = Arc::new(config);
        let (requests_tx, requests) = mpsc::channel(config.window_size.max(1));
        let (control_tx, control) = mpsc::unbounded_channel();
        let (events_tx, events_rx) = mpsc::channel(config.events_capacity.max(1));
        let (state_tx, state) = watch::channel(ConnectionState::Binding);
        let (bind_tx, bind_rx) = oneshot::channel();
        let supervisor = Supervisor {
            events: EventSink::new(events_tx, config.events_capacity),
            config,
            bind,
            requests,
            control,
            control_tx: control_tx.clone(),
            state: state_tx,
            generation: 0,
            local_close: false,
            handles_gone: false,
            unbind_waiters: Vec::new(),
        };
        tokio::spawn(supervisor.run(stream, mode, bind_tx));
        let bind_type = match bind_rx.await {
            Ok(Ok(t)) => t,
            Ok(Err(e)) => return Err(e),
            Err(_) => return Err(ClientError::Closed),
        };
        let events = Events {
            rx: events_rx,
            control: control_tx.clone(),
        };
        let inner = Inner {
            requests: requests_tx,
            control: control_tx,
            state,
            bind_type,
        };
        Ok((
            Client {
                inner: Arc::new(inner),
            },
            events,
        ))
    }

    // ------------------------------------------------------------------ state

    /// Where the connection is now.
    pub fn state(&self) -> ConnectionState {
        self.inner.state.borrow().clone()
    }

    /// How the client binds (also while reconnecting).
    pub fn bind_type(&self) -> BindType {
        self.inner.bind_type
    }

    /// Whether the session is bound now.
    pub fn is_bound(&self) -> bool {
        self.inner.state.borrow().is_bound()
    }

    /// Waits until the client is closed for good and returns why.
    pub async fn closed(&self) -> Disconnect {
        let mut state = self.inner.state.clone();
        loop {
            if let ConnectionState::Closed(end) = &*state.borrow_and_update() {
                return end.clone();
            }
            if state.changed().await.is_err() {
                return match &*state.borrow() {
                    ConnectionState::Closed(end) => end.clone(),
                    _ => Disconnect::Closed(crate::session::CloseCause::Local),
                };
            }
        }
    }

    /// Waits until the session is bound (again, after a reconnection); fails when it closes for
    /// good first.
    pub async fn wait_bound(&self) -> Result<BindType, ClientError> {
        let mut state = self.inner.state.clone();
        loop {
            match &*state.borrow_and_update() {
                ConnectionState::Bound(t) => return Ok(*t),
                ConnectionState::Closed(_) => return Err(self.closed_error()),
                _ => {}
            }
            if state.changed().await.is_err() {
                return Err(self.closed_error());
            }
        }
    }

    fn closed_error(&self) -> ClientError {
        match &*self.inner.state.borrow() {
            ConnectionState::Closed(end) if !end.is_local() => {
                ClientError::NotConnected(end.clone())
            }
            _ => ClientError::Closed,
        }
    }

    // ------------------------------------------------------------------ requests

    /// Sends any request and returns its response, whatever its command_status (a generic_nack
    /// included): the typed methods below turn error statuses into [`ClientError::Status`].
    ///
    /// Waits for a window slot first. While the client reconnects, requests wait for the new
    /// bind (bound them with `tokio::time::timeout` if needed; dropping the future is safe).
    /// bind and unbind are refused: use [`Client::bind`] and [`unbind`](Self::unbind).
    pub async fn request(&self, pdu: impl Into<Pdu>) -> Result<Command, ClientError> {
        self.request_timed(pdu.into()).await.map(|r| r.response)
    }

    async fn request_timed(&self, pdu: Pdu) -> Result<Reply, ClientError> {
        if pdu.command_id() == crate::pdu::CommandId::UNBIND
            || BindType::from_command_id(pdu.command_id()).is_some()
        {
            return Err(ClientError::Misuse(
                "bind and unbind go through Client::bind and Client::unbind",
            ));
        }
        let (reply, rx) = oneshot::channel();
        if self
            .inner
            .requests
            .send(Request { pdu, reply })
            .await
            .is_err()
        {
            return Err(self.closed_error());
        }
        match rx.await {
            Ok(result) => result,
            Err(_) => Err(self.closed_error()),
        }
    }

    /// A request whose response must carry ESME_ROK.
    async fn checked(&self, pdu: Pdu) -> Result<Reply, ClientError> {
        let reply = self.request_timed(pdu).await?;
        if reply.response.command_status.is_ok() && reply.response.pdu != Pdu::GenericNack {
            Ok(reply)
        } else {
            Err(ClientError::Status {
                command_status: reply.response.command_status,
                response: Box::new(reply.response),
            })
        }
    }

    /// Submits a message (§4.4) and returns the message_id the SMSC gave it.
    pub async fn submit_sm(&self, submit: SubmitSm) -> Result<String, ClientError> {
        let reply = self.checked(Pdu::SubmitSm(submit)).await?;
        Ok(match reply.response.pdu {
            Pdu::SubmitSmResp(Some(r)) => r.message_id.to_str_lossy().into_owned(),
            _ => String::new(),
        })
    }

    /// Submits a message to several destinations (§4.5); the response lists those that failed.
    pub async fn submit_multi(&self, submit: SubmitMulti) -> Result<SubmitMultiResp, ClientError> {
        let reply = self.checked(Pdu::SubmitMulti(submit)).await?;
        Ok(match reply.response.pdu {
            Pdu::SubmitMultiResp(Some(r)) => r,
            _ => SubmitMultiResp::default(),
        })
    }

    /// Sends a data_sm (§4.7).
    pub async fn data_sm(&self, data: DataSm) -> Result<DataSmResp, ClientError> {
        let reply = self.checked(Pdu::DataSm(data)).await?;
        Ok(match reply.response.pdu {
            Pdu::DataSmResp(Some(r)) => r,
            _ => DataSmResp::default(),
        })
    }

    /// Queries the state of a submitted message (§4.8).
    pub async fn query_sm(&self, query: QuerySm) -> Result<QuerySmResp, ClientError> {
        let reply = self.checked(Pdu::QuerySm(query)).await?;
        Ok(match reply.response.pdu {
            Pdu::QuerySmResp(Some(r)) => r,
            _ => QuerySmResp::default(),
        })
    }

    /// Cancels pending messages (§4.9).
    pub async fn cancel_sm(&self, cancel: CancelSm) -> Result<(), ClientError> {
        self.checked(Pdu::CancelSm(cancel)).await.map(|_| ())
    }

    /// Replaces a pending message (§4.10).
    pub async fn replace_sm(&self, replace: ReplaceSm) -> Result<(), ClientError> {
        self.checked(Pdu::ReplaceSm(replace)).await.map(|_| ())
    }

    /// Sends an enquire_link (§4.11) and returns the round-trip time. (The session also sends
    /// them by itself when the link is idle.)
    pub async fn enquire_link(&self) -> Result<Duration, ClientError> {
        self.checked(Pdu::EnquireLink).await.map(|r| r.latency)
    }

    /// Splits `text` and submits every part to `destination`, in order, one after the other;
    /// returns the parts' message ids. The alphabet is GSM 7-bit when the text fits it, else UCS2
    /// (data_coding set accordingly). `method` picks the concatenation: a UDH with an 8- or 16-bit
    /// reference (esm_class UDHI), SAR TLVs, or one message_payload TLV.
    pub async fn send_long(
        &self,
        destination: &str,
        text: &str,
        method: Concat,
    ) -> Result<Vec<String>, ClientError> {
        let template = SubmitSm {
            destination_addr: destination.try_into().map_err(|_| {
                ClientError::Misuse("destination_addr is longer than 20 octets or holds a NUL")
            })?,
            ..SubmitSm::default()
        };
        self.send_long_with(template, text, method, &SplitOptions::default())
            .await
    }

    /// [`send_long`](Self::send_long) with every other field taken from `template` (source
    /// address, registered_delivery, ...; its short_message and data_coding are replaced) and
    /// these split options. When a part fails after others were accepted, the error is
    /// [`ClientError::Partial`] with the accepted parts' ids.
    pub async fn send_long_with(
        &self,
        template: SubmitSm,
        text: &str,
        method: Concat,
        options: &SplitOptions,
    ) -> Result<Vec<String>, ClientError> {
        let alphabet = Alphabet::best_for(text);
        let parts = split(text, alphabet, method, options)?;
        let mut ids = Vec::with_capacity(parts.len());
        for part in parts {
            let mut submit = template.clone();
            submit.data_coding = DataCoding(alphabet.to_data_coding());
            if method == Concat::Payload {
                submit.short_message = ShortMessage::empty();
                let payload = OctetString::new(part.data)
                    .map_err(|_| ClientError::Misuse("message_payload over 65535 octets"))?;
                submit.tlvs.push(Tlv::MessagePayload(payload));
            } else {
                submit.short_message = ShortMessage::new(part.data)
                    .map_err(|_| ClientError::Misuse("part over 254 octets"))?;
            }
            if part.udhi {
                submit.esm_class = submit.esm_class.with(EsmClass::UDHI);
            }
            if let Some(sar) = part.sar {
                submit.tlvs.push(Tlv::SarMsgRefNum(sar.msg_ref_num));
                submit.tlvs.push(Tlv::SarTotalSegments(sar.total_segments));
                submit.tlvs.push(Tlv::SarSegmentSeqnum(sar.segment_seqnum));
            }
            match self.submit_sm(submit).await {
                Ok(id) => ids.push(id),
                Err(error) if ids.is_empty() => return Err(error),
                Err(error) => {
                    return Err(ClientError::Partial {
                        message_ids: ids,
                        error: Box::new(error),
                    });
                }
            }
        }
        Ok(ids)
    }

    // ------------------------------------------------------------------ closing

    /// Unbinds (§4.2: unbind, then unbind_resp, then the connection closes) and closes the client
    /// for good; waits until done. Responses to requests sent before still arrive; requests that
    /// did not get one by then fail with [`ClientError::Abandoned`], requests not yet sent with
    /// [`ClientError::Closed`].
    pub async fn unbind(&self) -> Result<(), ClientError> {
        let (tx, rx) = oneshot::channel();
        if self.inner.control.send(Control::Unbind(tx)).is_err() {
            return Err(self.closed_error());
        }
        let _ = rx.await;
        Ok(())
    }

    /// Closes the connection now without unbinding, for good. Requests in flight fail with
    /// [`ClientError::Abandoned`].
    pub fn disconnect(&self) {
        let _ = self.inner.control.send(Control::Disconnect);
    }
}
