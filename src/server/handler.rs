//! What the application plugs into the server: the [`Handler`] of message requests, the
//! [`Authenticator`] of binds, and what they are told about the request ([`RequestContext`],
//! [`BindRequest`]).

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::pdu::{
    CancelSm, CommandStatus, DataSm, DataSmResp, Npi, Pdu, QuerySm, QuerySmResp, ReplaceSm,
    SubmitMulti, SubmitMultiResp, SubmitSm, SubmitSmResp, Ton,
};
use crate::session::BindType;

use super::{Server, SessionId};

/// The bound session a request came on.
#[derive(Debug, Clone)]
pub struct RequestContext {
    /// The session.
    pub session_id: SessionId,
    /// The ESME's system_id.
    pub system_id: Arc<str>,
    /// How it is bound.
    pub bind_type: BindType,
    /// Its address, when it came over TCP.
    pub peer_addr: Option<SocketAddr>,
    /// The request's sequence_number.
    pub sequence_number: u32,
    pub(crate) server: Server,
}

impl RequestContext {
    /// The server, e.g. to deliver a message to another ESME
    /// ([`Server::deliver_sm`]).
    pub fn server(&self) -> &Server {
        &self.server
    }
}

/// Handles the message requests of bound ESMEs. Each method answers one request: `Ok` is sent
/// with ESME_ROK, `Err(status)` as the request's response with that status and no body.
///
/// Calls run concurrently (up to the session's `max_pending_requests` per session; beyond that the
/// session answers ESME_RTHROTTLED itself), inside the connection's task: do slow work by
/// awaiting, not by blocking. A future that never completes leaves its request unanswered (the
/// ESME's response timer fires), which a simulator can use on purpose.
///
/// Only [`submit_sm`](Self::submit_sm) must be written; the others answer an error status by
/// default (ESME_RINVCMDID: not supported, and the *FAIL status of query, cancel, replace).
///
/// ```
/// use std::sync::atomic::{AtomicU64, Ordering};
/// use smpp::server::{Handler, RequestContext};
/// use smpp::{CommandStatus, SubmitSm};
///
/// struct Count(AtomicU64);
///
/// impl Handler for Count {
///     async fn submit_sm(&self, ctx: RequestContext, pdu: SubmitSm) -> Result<String, CommandStatus> {
///         if pdu.destination_addr.is_empty() {
///             return Err(CommandStatus::ESME_RINVDSTADR);
///         }
///         let n = self.0.fetch_add(1, Ordering::Relaxed);
///         Ok(format!("{}-{n}", ctx.system_id))
///     }
/// }
/// ```
pub trait Handler: Send + Sync + 'static {
    /// submit_sm (§4.4): the message_id to answer (at most 64 octets).
    fn submit_sm(
        &self,
        ctx: RequestContext,
        pdu: SubmitSm,
    ) -> impl Future<Output = Result<String, CommandStatus>> + Send;

    /// submit_multi (§4.5): the response (message_id and the destinations that failed).
    fn submit_multi(
        &self,
        ctx: RequestContext,
        pdu: SubmitMulti,
    ) -> impl Future<Output = Result<SubmitMultiResp, CommandStatus>> + Send {
        let _ = (ctx, pdu);
        async { Err(CommandStatus::ESME_RINVCMDID) }
    }

    /// data_sm (§4.7): the response (message_id, TLVs).
    fn data_sm(
        &self,
        ctx: RequestContext,
        pdu: DataSm,
    ) -> impl Future<Output = Result<DataSmResp, CommandStatus>> + Send {
        let _ = (ctx, pdu);
        async { Err(CommandStatus::ESME_RINVCMDID) }
    }

    /// query_sm (§4.8): the message's state.
    fn query_sm(
        &self,
        ctx: RequestContext,
        pdu: QuerySm,
    ) -> impl Future<Output = Result<QuerySmResp, CommandStatus>> + Send {
        let _ = (ctx, pdu);
        async { Err(CommandStatus::ESME_RQUERYFAIL) }
    }

    /// cancel_sm (§4.9).
    fn cancel_sm(
        &self,
        ctx: RequestContext,
        pdu: CancelSm,
    ) -> impl Future<Output = Result<(), CommandStatus>> + Send {
        let _ = (ctx, pdu);
        async { Err(CommandStatus::ESME_RCANCELFAIL) }
    }

    /// replace_sm (§4.10).
    fn replace_sm(
        &self,
        ctx: RequestContext,
        pdu: ReplaceSm,
    ) -> impl Future<Output = Result<(), CommandStatus>> + Send {
        let _ = (ctx, pdu);
        async { Err(CommandStatus::ESME_RREPLACEFAIL) }
    }
}

/// A [`Handler`] that accepts every submit_sm, submit_multi and data_sm with a fresh message_id
/// (a counter in hex) and supports nothing else: the default of [`Server::builder`].
#[derive(Debug, Default)]
pub struct AcceptAll {
    next: AtomicU64,
}

impl AcceptAll {
    fn id(&self) -> String {
        format!("{:x}", self.next.fetch_add(1, Ordering::Relaxed) + 1)
    }
}

impl Handler for AcceptAll {
    async fn submit_sm(&self, _: RequestContext, _: SubmitSm) -> Result<String, CommandStatus> {
        Ok(self.id())
    }

    async fn submit_multi(
        &self,
        _: RequestContext,
        _: SubmitMulti,
    ) -> Result<SubmitMultiResp, CommandStatus> {
        let message_id = self
            .id()
            .as_str()
            .try_into()
            .map_err(|_| CommandStatus::ESME_RSYSERR)?;
        Ok(SubmitMultiResp {
            message_id,
            ..SubmitMultiResp::default()
        })
    }

    async fn data_sm(&self, _: RequestContext, _: DataSm) -> Result<DataSmResp, CommandStatus> {
        let message_id = self
            .id()
            .as_str()
            .try_into()
            .map_err(|_| CommandStatus::ESME_RSYSERR)?;
        Ok(DataSmResp {
            message_id,
            ..DataSmResp::default()
        })
    }
}

pub(crate) type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

/// [`Handler`] made object-safe: one call for any request, the response PDU out.
pub(crate) trait DynHandler: Send + Sync + 'static {
    fn call(
        self: Arc<Self>,
        ctx: RequestContext,
        pdu: Pdu,
    ) -> BoxFuture<Result<Pdu, CommandStatus>>;
}

impl<H: Handler> DynHandler for H {
    fn call(
        self: Arc<Self>,
        ctx: RequestContext,
        pdu: Pdu,
    ) -> BoxFuture<Result<Pdu, CommandStatus>> {
        Box::pin(async move {
            match pdu {
                Pdu::SubmitSm(p) => {
                    let id = self.submit_sm(ctx, p).await?;
                    let message_id = id.as_str().try_into().map_err(|_| {
                        tracing::error!(message_id = %id, "message_id over 64 octets: ESME_RSYSERR");
                        CommandStatus::ESME_RSYSERR
                    })?;
                    Ok(Pdu::SubmitSmResp(Some(SubmitSmResp {
                        message_id,
                        ..SubmitSmResp::default()
                    })))
                }
                Pdu::SubmitMulti(p) => self
                    .submit_multi(ctx, p)
                    .await
                    .map(|r| Pdu::SubmitMultiResp(Some(r))),
                Pdu::DataSm(p) => self.data_sm(ctx, p).await.map(|r| Pdu::DataSmResp(Some(r))),
                Pdu::QuerySm(p) => self
                    .query_sm(ctx, p)
                    .await
                    .map(|r| Pdu::QuerySmResp(Some(r))),
                Pdu::CancelSm(p) => self.cancel_sm(ctx, p).await.map(|()| Pdu::CancelSmResp),
                Pdu::ReplaceSm(p) => self.replace_sm(ctx, p).await.map(|()| Pdu::ReplaceSmResp),
                _ => Err(CommandStatus::ESME_RINVCMDID),
            }
        })
    }
}

/// A bind to authenticate.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct BindRequest {
    /// The session.
    pub session_id: SessionId,
    /// How it asks to bind.
    pub bind_type: BindType,
    /// system_id.
    pub system_id: String,
    /// password.
    pub password: String,
    /// system_type.
    pub system_type: String,
    /// interface_version.
    pub interface_version: u8,
    /// addr_ton.
    pub addr_ton: Ton,
    /// addr_npi.
    pub addr_npi: Npi,
    /// address_range.
    pub address_range: String,
    /// The ESME's address, when it came over TCP.
    pub peer_addr: Option<SocketAddr>,
}

/// Decides whether a bind is accepted: `Ok(())`, or the status to refuse it with (ESME_RINVSYSID,
/// ESME_RINVPASWD, ESME_RBINDFAIL, ...). Closures `Fn(&BindRequest) -> Result<(), CommandStatus>`
/// are authenticators.
///
/// ```
/// use smpp::CommandStatus;
/// use smpp::server::{BindRequest, Server};
/// let builder = Server::builder().authenticator(|bind: &BindRequest| {
///     if bind.system_id == "test" && bind.password == "secret" {
///         Ok(())
///     } else {
///         Err(CommandStatus::ESME_RINVPASWD)
///     }
/// });
/// ```
pub trait Authenticator: Send + Sync + 'static {
    /// `Ok(())` to accept the bind, or the status of the refusal.
    fn authenticate(&self, bind: &BindRequest) -> Result<(), CommandStatus>;
}

impl<F> Authenticator for F
where
    F: Fn(&BindRequest) -> Result<(), CommandStatus> + Send + Sync + 'static,
{
    fn authenticate(&self, bind: &BindRequest) -> Result<(), CommandStatus> {
        self(bind)
    }
}

/// Accepts every bind (the default).
#[derive(Debug, Clone, Copy, Default)]
pub struct AllowAll;

impl Authenticator for AllowAll {
    fn authenticate(&self, _: &BindRequest) -> Result<(), CommandStatus> {
        Ok(())
    }
}

/// Accounts by system_id and password: an unknown system_id is refused ESME_RINVSYSID, a wrong
/// password ESME_RINVPASWD.
///
/// ```
/// use smpp::server::Accounts;
/// let accounts = Accounts::new().with("test", "secret").with("other", "pw");
/// assert_eq!(accounts.len(), 2);
/// ```
#[derive(Debug, Clone, Default)]
pub struct Accounts {
    accounts: std::collections::HashMap<String, String>,
}

impl Accounts {
    /// No account.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds an account.
    pub fn with(mut self, system_id: impl Into<String>, password: impl Into<String>) -> Self {
        self.accounts.insert(system_id.into(), password.into());
        self
    }

    /// How many accounts.
    pub fn len(&self) -> usize {
        self.accounts.len()
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.accounts.is_empty()
    }
}

impl Authenticator for Accounts {
    fn authenticate(&self, bind: &BindRequest) -> Result<(), CommandStatus> {
        match self.accounts.get(&bind.system_id) {
            None => Err(CommandStatus::ESME_RINVSYSID),
            Some(p) if *p != bind.password => Err(CommandStatus::ESME_RINVPASWD),
            Some(_) => Ok(()),
        }
    }
}
