//! `smpp-sim`: an SMSC simulator on the [`server`](crate::server), the default target of the
//! project's tools.
//!
//! - accounts from the configuration (none: every bind is accepted);
//! - an in-memory message store on which query_sm, cancel_sm and replace_sm work; a message with a
//!   schedule_delivery_time stays ENROUTE until then (so it can be replaced and cancelled), a
//!   validity_period that ends first makes it EXPIRED;
//! - delivery receipts (deliver_sm, esm_class 0x04, the Appendix B text, receipted_message_id,
//!   message_state and, on failures, network_error_code) after a configurable delay, with an
//!   outcome mix of DELIVRD / UNDELIV / EXPIRED / REJECTD drawn deterministically from a seed;
//! - behaviour injection keyed on the destination address or the text ([`rules`]: a status, a
//!   delay, no reply, throttling, a failed receipt; magic numbers built in);
//! - mobile-originated messages from a file, at a rate, or one per receiver bind;
//! - a [`Summary`] of what happened (commands, statuses, receipts by outcome, sessions).
//!
//! ```no_run
//! # async fn f() -> Result<(), Box<dyn std::error::Error>> {
//! use smpp::sim::{SimConfig, Simulator};
//! let sim = Simulator::start(SimConfig::default().listen("127.0.0.1:0").account("test", "secret")).await?;
//! println!("SMSC on {}", sim.local_addr());
//! // ... run ESMEs against it ...
//! let summary = sim.shutdown().await;
//! println!("{summary}");
//! # Ok(()) }
//! ```

pub mod rules;
mod store;
mod summary;
mod time;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use serde::Deserialize;
use tokio::sync::broadcast;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::pdu::{
    CancelSm, CommandStatus, DataCoding, DataSm, DataSmResp, DeliverSm, EsmClass, QuerySm,
    QuerySmResp, RegisteredDelivery, ReplaceSm, ShortMessage, SmppTime, SubmitMulti,
    SubmitMultiResp, SubmitSm, UnsuccessSme,
};
use crate::receipt::ReceiptStat;
use crate::server::{
    Accounts, AllowAll, Handler, ReceiptPlan, ReceiptPolicy, RequestContext, Server, ServerEvent,
    Submitted,
};
use crate::session::{BindType, Config};
use crate::text::{Alphabet, Concat, DataCodingInfo, Mode, SplitOptions};

pub use rules::{Action, MAGIC, Rule, RuleError, parse_duration};
pub use summary::{SessionCounts, Summary};

use rules::RuleSet;
use store::{Message, Store, coin, format_id, parse_id, until};

/// One account: system_id and password.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Account {
    /// system_id.
    pub system_id: String,
    /// password.
    pub password: String,
}

impl std::str::FromStr for Account {
    type Err = String;

    /// `SYSTEM_ID:PASSWORD`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (id, pw) = s
            .split_once(':')
            .ok_or_else(|| format!("account {s:?}: write it SYSTEM_ID:PASSWORD"))?;
        if id.is_empty() || id.len() > 15 {
            return Err(format!(
                "account {s:?}: system_id must be 1 to 15 characters"
            ));
        }
        if pw.len() > 8 {
            return Err(format!(
                "account {s:?}: password must be at most 8 characters"
            ));
        }
        Ok(Account {
            system_id: id.into(),
            password: pw.into(),
        })
    }
}

/// Shares of each receipt outcome (weights; they need not add up to 100).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutcomeMix {
    /// DELIVRD.
    pub delivered: u32,
    /// UNDELIV (err 001).
    pub undeliverable: u32,
    /// EXPIRED (err 027).
    pub expired: u32,
    /// REJECTD (err 011).
    pub rejected: u32,
}

impl Default for OutcomeMix {
    /// Every message delivered.
    fn default() -> Self {
        Self {
            delivered: 100,
            undeliverable: 0,
            expired: 0,
            rejected: 0,
        }
    }
}

impl OutcomeMix {
    /// The outcome of a draw `x` (uniform over u64), with its default error code.
    fn pick(&self, x: u64) -> (ReceiptStat, u16) {
        let total = u64::from(self.delivered)
            + u64::from(self.undeliverable)
            + u64::from(self.expired)
            + u64::from(self.rejected);
        if total == 0 {
            return (ReceiptStat::Delivered, 0);
        }
        let mut r = x % total;
        for (w, stat) in [
            (self.delivered, ReceiptStat::Delivered),
            (self.undeliverable, ReceiptStat::Undeliverable),
            (self.expired, ReceiptStat::Expired),
            (self.rejected, ReceiptStat::Rejected),
        ] {
            if r < u64::from(w) {
                let err = default_err(&stat);
                return (stat, err);
            }
            r -= u64::from(w);
        }
        (ReceiptStat::Delivered, 0)
    }
}

/// The err: code a failed outcome gets unless a rule says otherwise (GSM MAP causes: 1 unknown
/// subscriber, 27 absent subscriber, 11 teleservice not provisioned).
fn default_err(stat: &ReceiptStat) -> u16 {
    match stat {
        ReceiptStat::Undeliverable => 1,
        ReceiptStat::Expired => 27,
        ReceiptStat::Rejected => 11,
        _ => 0,
    }
}

impl std::str::FromStr for OutcomeMix {
    type Err = String;

    /// `DELIVRD=90,UNDELIV=5,EXPIRED=3,REJECTD=2` (names in any case; missing ones are 0).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut mix = OutcomeMix {
            delivered: 0,
            undeliverable: 0,
            expired: 0,
            rejected: 0,
        };
        for part in s.split(',').filter(|p| !p.trim().is_empty()) {
            let (k, v) = part
                .split_once('=')
                .ok_or_else(|| format!("outcome {part:?}: write NAME=SHARE"))?;
            let v: u32 = v
                .trim()
                .parse()
                .map_err(|_| format!("outcome {part:?}: the share must be a whole number"))?;
            match rules::parse_stat(k)? {
                ReceiptStat::Delivered => mix.delivered = v,
                ReceiptStat::Undeliverable => mix.undeliverable = v,
                ReceiptStat::Expired => mix.expired = v,
                ReceiptStat::Rejected => mix.rejected = v,
                other => {
                    return Err(format!(
                        "outcome {}: the mix takes DELIVRD, UNDELIV, EXPIRED and REJECTD",
                        other.as_str()
                    ));
                }
            }
        }
        Ok(mix)
    }
}

impl<'de> Deserialize<'de> for OutcomeMix {
    /// A mapping `{DELIVRD: 90, UNDELIV: 10}` or the string form.
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Form {
            Line(String),
            Map(BTreeMap<String, u32>),
        }
        let line = match Form::deserialize(d)? {
            Form::Line(s) => s,
            Form::Map(m) => m
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(","),
        };
        line.parse().map_err(serde::de::Error::custom)
    }
}

/// Where MO messages go and what they say.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
#[non_exhaustive]
pub struct MoConfig {
    /// Messages from a file, one a line: `SOURCE DESTINATION TEXT...` (`#` starts a comment).
    pub file: Option<PathBuf>,
    /// Messages a second (the file's lines at this pace, cycling when `count` asks for more; or
    /// generated texts when there is no file). None: a file is sent at once, nothing generated.
    pub rate: Option<f64>,
    /// Stop after this many (default: the file's lines once; unlimited when generated).
    pub count: Option<u64>,
    /// The system_id they go to (default: every account; with no accounts, every bound system_id).
    pub to: Option<String>,
    /// One MO message to each session that binds as a receiver or transceiver.
    pub on_bind: bool,
    /// Source address of generated messages.
    pub source: String,
    /// Destination address of generated messages.
    pub destination: String,
}

impl Default for MoConfig {
    fn default() -> Self {
        Self {
            file: None,
            rate: None,
            count: None,
            to: None,
            on_bind: false,
            source: "447700900001".into(),
            destination: "12345".into(),
        }
    }
}

fn de_duration<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Form {
        Millis(u64),
        Text(String),
    }
    match Form::deserialize(d)? {
        Form::Millis(ms) => Ok(Duration::from_millis(ms)),
        Form::Text(s) => parse_duration(&s).map_err(serde::de::Error::custom),
    }
}

/// The simulator's settings (`smpp-sim` flags, or its YAML config: the same names in kebab-case).
///
/// ```
/// let config: smpp::sim::SimConfig = serde_saphyr::from_str(r#"
/// listen: 127.0.0.1:2775
/// accounts:
///   - { system_id: test, password: secret }
/// receipt-delay: 500ms
/// outcomes: { DELIVRD: 90, UNDELIV: 10 }
/// seed: 7
/// rules:
///   - { dest: "447700900999", status: ESME_RINVDSTADR }
///   - "text=slow,delay=3s"
/// mo: { rate: 1, to: test }
/// "#).unwrap();
/// assert_eq!(config.accounts.len(), 1);
/// assert_eq!(config.rules.len(), 2);
/// ```
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
#[non_exhaustive]
pub struct SimConfig {
    /// Address to listen on (port 0 picks one).
    pub listen: String,
    /// The system_id in bind responses.
    pub system_id: String,
    /// Accounts; none accepts every bind.
    pub accounts: Vec<Account>,
    /// Most connections at once.
    pub max_connections: usize,
    /// Window for deliver_sm the simulator sends (requests in flight per session).
    pub window: usize,
    /// Per-session throttle: message requests a second, ESME_RTHROTTLED beyond.
    pub throttle: Option<f64>,
    /// Receipt delay: from submission (or the scheduled time) to the final state.
    #[serde(deserialize_with = "de_duration")]
    pub receipt_delay: Duration,
    /// Shares of receipt outcomes.
    pub outcomes: OutcomeMix,
    /// Seed of the outcome draws: the same seed and the same submissions give the same outcomes.
    pub seed: u64,
    /// Injection rules, before the magic numbers.
    pub rules: Vec<Rule>,
    /// The built-in magic numbers and `sim:` text directives.
    pub magic: bool,
    /// Mobile-originated messages.
    pub mo: MoConfig,
    /// Messages kept for query_sm / cancel_sm / replace_sm (the oldest go first).
    pub store_capacity: usize,
    /// Messages waiting for a receiver to bind (receipts and MO), ESME_RMSGQFUL beyond.
    pub queue_capacity: usize,
    /// Lenient decoding (accept common deviations from the spec, with warnings in the log).
    pub lenient: bool,
    /// enquire_link interval towards bound ESMEs.
    #[serde(deserialize_with = "de_duration")]
    pub enquire_link_interval: Duration,
    /// Close a session after this long without a PDU from the ESME.
    #[serde(deserialize_with = "de_duration")]
    pub inactivity_timeout: Duration,
}

impl Default for SimConfig {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:2775".into(),
            system_id: "smpp-sim".into(),
            accounts: Vec::new(),
            max_connections: 100,
            window: 64,
            throttle: None,
            receipt_delay: Duration::from_millis(500),
            outcomes: OutcomeMix::default(),
            seed: 0,
            rules: Vec::new(),
            magic: true,
            mo: MoConfig::default(),
            store_capacity: 100_000,
            queue_capacity: 10_000,
            lenient: false,
            enquire_link_interval: Duration::from_secs(30),
            inactivity_timeout: Duration::from_secs(300),
        }
    }
}

impl SimConfig {
    /// Reads a YAML config.
    pub fn from_yaml(text: &str) -> Result<Self, SimError> {
        serde_saphyr::from_str(text).map_err(|e| SimError::Config(e.to_string()))
    }

    /// The address to listen on.
    pub fn listen(mut self, addr: impl Into<String>) -> Self {
        self.listen = addr.into();
        self
    }

    /// Adds an account.
    pub fn account(mut self, system_id: impl Into<String>, password: impl Into<String>) -> Self {
        self.accounts.push(Account {
            system_id: system_id.into(),
            password: password.into(),
        });
        self
    }

    /// The receipt delay.
    pub fn receipt_delay(mut self, delay: Duration) -> Self {
        self.receipt_delay = delay;
        self
    }

    /// The outcome mix and its seed.
    pub fn outcomes(mut self, mix: OutcomeMix, seed: u64) -> Self {
        self.outcomes = mix;
        self.seed = seed;
        self
    }

    /// Adds an injection rule.
    pub fn rule(mut self, rule: Rule) -> Self {
        self.rules.push(rule);
        self
    }

    /// The MO settings.
    pub fn mo(mut self, mo: MoConfig) -> Self {
        self.mo = mo;
        self
    }
}

/// Why the simulator could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SimError {
    /// The configuration is wrong.
    #[error("configuration: {0}")]
    Config(String),
    /// Listening failed.
    #[error(transparent)]
    Server(#[from] crate::server::ServerError),
    /// The MO file could not be read.
    #[error("MO file {path}: {error}")]
    MoFile {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        error: String,
    },
}

// ------------------------------------------------------------------------------------- state

/// Counters the handler and the event listener keep.
#[derive(Debug, Default)]
struct Counters {
    stats: crate::session::Stats,
    sessions: SessionCounts,
    open: usize,
    receipts: BTreeMap<String, u64>,
    receipts_dropped: u64,
    rule_hits: BTreeMap<String, u64>,
    messages: BTreeMap<&'static str, u64>,
    mo_sent: u64,
    mo_failed: u64,
}

struct State {
    config: SimConfig,
    rules: RuleSet,
    store: Mutex<Store>,
    counters: Mutex<Counters>,
    server: OnceLock<Server>,
    stop: CancellationToken,
    tasks: TaskTracker,
    started: Instant,
    no_reply: AtomicU64,
}

impl State {
    fn store(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn counters(&self) -> MutexGuard<'_, Counters> {
        self.counters.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn count(&self, what: &'static str) {
        *self.counters().messages.entry(what).or_default() += 1;
    }

    /// Applies the injection rules to a message request: `Err(status)` to answer it so,
    /// `Ok(action)` to accept it with that receipt behaviour. Waits for a delay; never returns for
    /// no-reply (until the simulator stops).
    async fn inject(&self, dest: &str, text: &str) -> Result<Action, CommandStatus> {
        let decision = self.rules.decide(dest, text, Instant::now());
        let Some(rule) = decision.rule else {
            return Ok(Action::default());
        };
        tracing::debug!(dest, rule, "injection rule");
        *self.counters().rule_hits.entry(rule).or_default() += 1;
        let action = decision.action;
        if decision.throttled {
            self.count("throttled by a rule");
            return Err(CommandStatus::ESME_RTHROTTLED);
        }
        if action.no_reply {
            self.count("left unanswered");
            self.no_reply.fetch_add(1, Ordering::Relaxed);
            self.stop.cancelled().await;
            return Err(CommandStatus::ESME_RSYSERR);
        }
        if let Some(d) = action.delay {
            tokio::select! {
                _ = tokio::time::sleep(d) => {}
                _ = self.stop.cancelled() => return Err(CommandStatus::ESME_RSYSERR),
            }
        }
        if let Some(status) = action.status {
            self.count("refused by a rule");
            return Err(status);
        }
        Ok(action)
    }

    /// Stores an accepted message; returns its number.
    #[allow(clippy::too_many_arguments)]
    fn accept(
        &self,
        system_id: &Arc<str>,
        service_type: String,
        source: (crate::pdu::Ton, crate::pdu::Npi, String),
        destination: (crate::pdu::Ton, crate::pdu::Npi, String),
        registered_delivery: RegisteredDelivery,
        short_message: Bytes,
        schedule: &SmppTime,
        validity: &SmppTime,
        action: &Action,
    ) -> u64 {
        let now = SystemTime::now();
        let mut store = self.store();
        let n = store.reserve();
        let (mut outcome, mut err) = self.config.outcomes.pick(coin(self.config.seed, n));
        if let Some(stat) = &action.receipt {
            outcome = stat.clone();
            err = default_err(stat);
        }
        if let Some(e) = action.err {
            err = e;
        }
        let delay = action.receipt_delay.unwrap_or(self.config.receipt_delay);
        let start = time::resolve(schedule, now).unwrap_or(now).max(now);
        let mut final_at = start + delay;
        if let Some(v) = time::resolve(validity, now)
            && v < final_at
        {
            final_at = v.max(now);
            outcome = ReceiptStat::Expired;
            err = default_err(&outcome);
        }
        store.insert(
            n,
            Message {
                system_id: system_id.clone(),
                service_type,
                source,
                destination,
                registered_delivery,
                short_message,
                submitted_at: now,
                final_at,
                outcome,
                err,
                no_receipt: action.no_receipt,
                cancelled_at: None,
                generation: 0,
            },
        );
        drop(store);
        self.count("accepted");
        n
    }

    /// Sends message `n`'s receipt when it becomes final, if it still wants one then.
    fn schedule_receipt(self: &Arc<Self>, n: u64) {
        let Some((final_at, generation)) = self.store().get(n).map(|m| (m.final_at, m.generation))
        else {
            return;
        };
        let state = self.clone();
        self.tasks.spawn(async move {
            tokio::select! {
                _ = tokio::time::sleep(until(final_at, SystemTime::now())) => {}
                _ = state.stop.cancelled() => return,
            }
            state.send_receipt(n, generation);
        });
    }

    fn send_receipt(&self, n: u64, generation: u32) {
        let Some(m) = self.store().get(n).cloned() else {
            return;
        };
        if m.generation != generation || m.no_receipt || m.cancelled_at.is_some() {
            return;
        }
        let (stat, done) = m.state(SystemTime::now());
        let Some(done) = done else {
            return;
        };
        let wanted = match m.registered_delivery.smsc_receipt() {
            0 => false,
            2 => stat != ReceiptStat::Delivered,
            _ => true,
        };
        if !wanted {
            return;
        }
        let submitted = Submitted {
            session_id: crate::server::SessionId(0),
            system_id: m.system_id.to_string(),
            peer_addr: None,
            message_id: format_id(n),
            source: m.source.clone(),
            destination: m.destination.clone(),
            registered_delivery: m.registered_delivery,
            short_message: m.short_message.slice(..m.short_message.len().min(20)),
            submitted_at: m.submitted_at,
        };
        let plan = ReceiptPlan {
            delay: Duration::ZERO,
            stat: stat.clone(),
            err: m.err,
        };
        let pdu = crate::server::receipt_pdu(&submitted, &plan, done);
        let Some(server) = self.server.get() else {
            return;
        };
        match server.store_deliver_sm(&m.system_id, pdu) {
            Ok(()) => {
                tracing::debug!(
                    message_id = submitted.message_id,
                    stat = stat.as_str(),
                    "receipt queued"
                );
                *self
                    .counters()
                    .receipts
                    .entry(stat.as_str().to_owned())
                    .or_default() += 1;
            }
            Err(e) => {
                tracing::warn!(message_id = submitted.message_id, error = %e, "receipt dropped");
                self.counters().receipts_dropped += 1;
            }
        }
    }

    /// The message `id` refers to, if this ESME may see it.
    fn lookup(&self, system_id: &str, id: &str, source_addr: &str) -> Result<u64, CommandStatus> {
        let n = parse_id(id).ok_or(CommandStatus::ESME_RINVMSGID)?;
        let store = self.store();
        let m = store.get(n).ok_or(CommandStatus::ESME_RINVMSGID)?;
        if &*m.system_id != system_id {
            return Err(CommandStatus::ESME_RINVMSGID);
        }
        // §4.8.1, §4.9.1, §4.10.1: source_addr must match the original message's.
        if !source_addr.is_empty() && source_addr != m.source.2 {
            return Err(CommandStatus::ESME_RINVSRCADR);
        }
        Ok(n)
    }
}

/// Decodes user data for rule matching (UDH stripped, lossy).
fn text_of(data: &[u8], data_coding: DataCoding, esm_class: EsmClass) -> String {
    let body = match crate::text::split_udh(data, esm_class.udhi()) {
        Ok((_, rest)) => rest,
        Err(_) => data,
    };
    let alphabet = DataCodingInfo::from_data_coding(data_coding.0, Alphabet::Gsm7).alphabet;
    // Many ESMEs write ASCII under data_coding 0, where GSM 03.38 reads `_` as `§`, `@` as `¡`,
    // ...: match printable-ASCII octets as ASCII too (first, so `sim:` directives read as typed).
    if alphabet == Alphabet::Gsm7 && body.iter().all(|b| (0x20..0x7F).contains(b)) {
        let ascii = String::from_utf8_lossy(body).into_owned();
        let gsm = crate::text::decode(body, alphabet, Mode::Lossy).unwrap_or_default();
        return if gsm == ascii {
            ascii
        } else {
            format!("{ascii}\n{gsm}")
        };
    }
    match alphabet {
        Alphabet::Gsm7 | Alphabet::Ia5 | Alphabet::Latin1 | Alphabet::Ucs2 => {
            crate::text::decode(body, alphabet, Mode::Lossy).unwrap_or_default()
        }
        _ => String::from_utf8_lossy(body).into_owned(),
    }
}

fn addr(
    ton: crate::pdu::Ton,
    npi: crate::pdu::Npi,
    a: &impl AsRef<[u8]>,
) -> (crate::pdu::Ton, crate::pdu::Npi, String) {
    (ton, npi, String::from_utf8_lossy(a.as_ref()).into_owned())
}

// ------------------------------------------------------------------------------------ handler

struct SimHandler(Arc<State>);

impl Handler for SimHandler {
    async fn submit_sm(&self, ctx: RequestContext, p: SubmitSm) -> Result<String, CommandStatus> {
        let s = &self.0;
        let dest = p.destination_addr.to_str_lossy().into_owned();
        if dest.is_empty() {
            s.count("refused: no destination");
            return Err(CommandStatus::ESME_RINVDSTADR);
        }
        let data = if p.short_message.is_empty() {
            p.tlvs.message_payload().unwrap_or_default()
        } else {
            p.short_message.to_bytes()
        };
        let text = text_of(&data, p.data_coding, p.esm_class);
        let action = s.inject(&dest, &text).await?;
        let n = s.accept(
            &ctx.system_id,
            p.service_type.to_str_lossy().into_owned(),
            addr(
                p.source_addr_ton,
                p.source_addr_npi,
                &p.source_addr.as_bytes(),
            ),
            (p.dest_addr_ton, p.dest_addr_npi, dest),
            p.registered_delivery,
            data,
            &p.schedule_delivery_time,
            &p.validity_period,
            &action,
        );
        Ok(format_id(n))
    }

    async fn data_sm(&self, ctx: RequestContext, p: DataSm) -> Result<DataSmResp, CommandStatus> {
        let s = &self.0;
        let dest = p.destination_addr.to_str_lossy().into_owned();
        if dest.is_empty() {
            return Err(CommandStatus::ESME_RINVDSTADR);
        }
        let data = p.tlvs.message_payload().unwrap_or_default();
        let text = text_of(&data, p.data_coding, p.esm_class);
        let action = s.inject(&dest, &text).await?;
        let n = s.accept(
            &ctx.system_id,
            p.service_type.to_str_lossy().into_owned(),
            addr(
                p.source_addr_ton,
                p.source_addr_npi,
                &p.source_addr.as_bytes(),
            ),
            (p.dest_addr_ton, p.dest_addr_npi, dest),
            p.registered_delivery,
            data,
            &SmppTime::empty(),
            &SmppTime::empty(),
            &action,
        );
        Ok(DataSmResp {
            message_id: format_id(n)
                .as_str()
                .try_into()
                .map_err(|_| CommandStatus::ESME_RSYSERR)?,
            ..DataSmResp::default()
        })
    }

    async fn submit_multi(
        &self,
        ctx: RequestContext,
        p: SubmitMulti,
    ) -> Result<SubmitMultiResp, CommandStatus> {
        let s = &self.0;
        let text = text_of(&p.short_message.to_bytes(), p.data_coding, p.esm_class);
        let mut first = None;
        let mut unsuccess = Vec::new();
        for d in p.dest_addresses.as_slice() {
            let crate::pdu::DestAddress::SmeAddress {
                dest_addr_ton: ton,
                dest_addr_npi: npi,
                destination_addr: dest,
            } = d
            else {
                // A distribution list: the simulator has none.
                unsuccess.push(UnsuccessSme {
                    error_status_code: CommandStatus::ESME_RINVDLNAME,
                    ..UnsuccessSme::default()
                });
                continue;
            };
            let (ton, npi) = (*ton, *npi);
            let dest_s = dest.to_str_lossy().into_owned();
            match s.inject(&dest_s, &text).await {
                Ok(action) => {
                    let n = s.accept(
                        &ctx.system_id,
                        p.service_type.to_str_lossy().into_owned(),
                        addr(
                            p.source_addr_ton,
                            p.source_addr_npi,
                            &p.source_addr.as_bytes(),
                        ),
                        (ton, npi, dest_s),
                        p.registered_delivery,
                        p.short_message.to_bytes(),
                        &p.schedule_delivery_time,
                        &p.validity_period,
                        &action,
                    );
                    // submit_multi gets no receipt callback from the server: schedule here.
                    if p.registered_delivery.smsc_receipt() != 0 {
                        s.schedule_receipt(n);
                    }
                    first.get_or_insert(n);
                }
                Err(status) => unsuccess.push(UnsuccessSme {
                    dest_addr_ton: ton,
                    dest_addr_npi: npi,
                    destination_addr: dest.clone(),
                    error_status_code: status,
                }),
            }
        }
        let Some(n) = first else {
            return Err(unsuccess
                .first()
                .map_or(CommandStatus::ESME_RINVNUMDESTS, |u| u.error_status_code));
        };
        let mut resp = SubmitMultiResp {
            message_id: format_id(n)
                .as_str()
                .try_into()
                .map_err(|_| CommandStatus::ESME_RSYSERR)?,
            ..SubmitMultiResp::default()
        };
        resp.unsuccess_sme =
            crate::pdu::Entries::new(unsuccess).map_err(|_| CommandStatus::ESME_RSYSERR)?;
        Ok(resp)
    }

    async fn query_sm(
        &self,
        ctx: RequestContext,
        q: QuerySm,
    ) -> Result<QuerySmResp, CommandStatus> {
        let s = &self.0;
        s.count("queried");
        let id = q.message_id.to_str_lossy();
        let n = s
            .lookup(&ctx.system_id, &id, &q.source_addr.to_str_lossy())
            .map_err(|_| CommandStatus::ESME_RQUERYFAIL)?;
        let store = s.store();
        let m = store.get(n).ok_or(CommandStatus::ESME_RQUERYFAIL)?;
        let (stat, done) = m.state(SystemTime::now());
        let failed = !matches!(
            stat,
            ReceiptStat::Delivered | ReceiptStat::Enroute | ReceiptStat::Deleted
        );
        Ok(QuerySmResp {
            message_id: q.message_id.clone(),
            final_date: done.map_or_else(SmppTime::empty, time::to_smpp_time),
            message_state: store::message_state(&stat),
            error_code: if failed {
                u8::try_from(m.err).unwrap_or(u8::MAX)
            } else {
                0
            },
            ..QuerySmResp::default()
        })
    }

    async fn cancel_sm(&self, ctx: RequestContext, c: CancelSm) -> Result<(), CommandStatus> {
        let s = &self.0;
        let now = SystemTime::now();
        let source = c.source_addr.to_str_lossy().into_owned();
        if !c.message_id.is_empty() {
            let n = s
                .lookup(&ctx.system_id, &c.message_id.to_str_lossy(), &source)
                .map_err(|e| {
                    if e == CommandStatus::ESME_RINVMSGID {
                        e
                    } else {
                        CommandStatus::ESME_RCANCELFAIL
                    }
                })?;
            let mut store = s.store();
            let m = store.get_mut(n).ok_or(CommandStatus::ESME_RCANCELFAIL)?;
            if !m.is_pending(now) {
                return Err(CommandStatus::ESME_RCANCELFAIL);
            }
            m.cancelled_at = Some(now);
            drop(store);
            s.count("cancelled");
            return Ok(());
        }
        // §4.9.1: no message_id: every pending message from source_addr to destination_addr
        // (of this service_type, when given).
        let dest = c.destination_addr.to_str_lossy().into_owned();
        let service = c.service_type.to_str_lossy().into_owned();
        let mut cancelled = 0u64;
        for (_, m) in s.store().iter_mut() {
            if *m.system_id == *ctx.system_id
                && m.source.2 == source
                && m.destination.2 == dest
                && (service.is_empty() || m.service_type == service)
                && m.is_pending(now)
            {
                m.cancelled_at = Some(now);
                cancelled += 1;
            }
        }
        if cancelled == 0 {
            return Err(CommandStatus::ESME_RCANCELFAIL);
        }
        *s.counters().messages.entry("cancelled").or_default() += cancelled;
        Ok(())
    }

    async fn replace_sm(&self, ctx: RequestContext, r: ReplaceSm) -> Result<(), CommandStatus> {
        let s = &self.0;
        let now = SystemTime::now();
        let n = s
            .lookup(
                &ctx.system_id,
                &r.message_id.to_str_lossy(),
                &r.source_addr.to_str_lossy(),
            )
            .map_err(|e| {
                if e == CommandStatus::ESME_RINVMSGID {
                    e
                } else {
                    CommandStatus::ESME_RREPLACEFAIL
                }
            })?;
        let wants_receipt = {
            let mut store = s.store();
            let m = store.get_mut(n).ok_or(CommandStatus::ESME_RREPLACEFAIL)?;
            if !m.is_pending(now) {
                return Err(CommandStatus::ESME_RREPLACEFAIL);
            }
            m.short_message = r.short_message.to_bytes();
            m.registered_delivery = r.registered_delivery;
            if let Some(t) = time::resolve(&r.schedule_delivery_time, now) {
                m.final_at = t.max(now) + s.config.receipt_delay;
            }
            if let Some(v) = time::resolve(&r.validity_period, now)
                && v < m.final_at
            {
                m.final_at = v.max(now);
                m.outcome = ReceiptStat::Expired;
                m.err = default_err(&m.outcome);
            }
            m.generation += 1;
            m.registered_delivery.smsc_receipt() != 0
        };
        s.count("replaced");
        if wants_receipt {
            s.schedule_receipt(n);
        }
        Ok(())
    }
}

/// The server's receipt hook, called right after the submit_sm_resp (or data_sm_resp) went out
/// for a message that asked for a receipt: the simulator keeps the timer itself (so that cancel
/// and replace can stop or move it) and tells the server to send nothing.
struct SimReceipts(Arc<State>);

impl ReceiptPolicy for SimReceipts {
    fn plan(&self, m: &Submitted) -> Option<ReceiptPlan> {
        if let Some(n) = parse_id(&m.message_id) {
            self.0.schedule_receipt(n);
        }
        None
    }
}

// ------------------------------------------------------------------------------------ MO

/// One MO message to send.
#[derive(Debug, Clone, PartialEq, Eq)]
struct MoMessage {
    source: String,
    destination: String,
    text: String,
}

fn read_mo_file(path: &PathBuf) -> Result<Vec<MoMessage>, SimError> {
    let text = std::fs::read_to_string(path).map_err(|e| SimError::MoFile {
        path: path.clone(),
        error: e.to_string(),
    })?;
    parse_mo_lines(&text).map_err(|error| SimError::MoFile {
        path: path.clone(),
        error,
    })
}

fn parse_mo_lines(text: &str) -> Result<Vec<MoMessage>, String> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut it = line.splitn(3, char::is_whitespace);
        let (Some(source), Some(destination)) = (it.next(), it.next()) else {
            return Err(format!("line {}: write SOURCE DESTINATION TEXT", i + 1));
        };
        out.push(MoMessage {
            source: source.into(),
            destination: destination.into(),
            text: it.next().unwrap_or("").trim().into(),
        });
    }
    Ok(out)
}

/// The deliver_sm PDUs of one MO text (GSM 7-bit when it fits, else UCS2; concatenated with a
/// UDH when long).
fn mo_pdus(m: &MoMessage, reference: u8) -> Vec<DeliverSm> {
    let alphabet = Alphabet::best_for(&m.text);
    let parts = crate::text::split(
        &m.text,
        alphabet,
        Concat::Udh8 { reference },
        &SplitOptions {
            mode: Mode::Lossy,
            ..SplitOptions::default()
        },
    )
    .unwrap_or_default();
    parts
        .into_iter()
        .map(|p| DeliverSm {
            source_addr_ton: crate::pdu::Ton::INTERNATIONAL,
            source_addr_npi: crate::pdu::Npi::ISDN,
            source_addr: m.source.as_str().try_into().unwrap_or_default(),
            destination_addr: m.destination.as_str().try_into().unwrap_or_default(),
            esm_class: if p.udhi {
                EsmClass::UDHI
            } else {
                EsmClass::DEFAULT
            },
            data_coding: DataCoding(alphabet.to_data_coding()),
            short_message: ShortMessage::new(p.data).unwrap_or_default(),
            ..DeliverSm::default()
        })
        .collect()
}

impl State {
    /// Queues an MO message for `system_id` (delivered when a receiver has room or binds).
    fn send_mo(&self, system_id: &str, m: &MoMessage, reference: u8) {
        let Some(server) = self.server.get() else {
            return;
        };
        let mut ok = true;
        for pdu in mo_pdus(m, reference) {
            if let Err(e) = server.store_deliver_sm(system_id, pdu) {
                tracing::warn!(system_id, error = %e, "MO message dropped");
                ok = false;
            }
        }
        let mut c = self.counters();
        if ok {
            c.mo_sent += 1;
        } else {
            c.mo_failed += 1;
        }
    }

    /// Who MO messages go to now.
    fn mo_targets(&self) -> Vec<String> {
        if let Some(to) = &self.config.mo.to {
            return vec![to.clone()];
        }
        if !self.config.accounts.is_empty() {
            return self
                .config
                .accounts
                .iter()
                .map(|a| a.system_id.clone())
                .collect();
        }
        let mut ids: Vec<String> = self
            .server
            .get()
            .map(|s| {
                s.bound_clients()
                    .into_iter()
                    .filter_map(|c| c.system_id)
                    .collect()
            })
            .unwrap_or_default();
        ids.sort();
        ids.dedup();
        ids
    }

    fn generated_mo(&self, i: u64) -> MoMessage {
        MoMessage {
            source: self.config.mo.source.clone(),
            destination: self.config.mo.destination.clone(),
            text: format!("MO message {} from smpp-sim", i + 1),
        }
    }

    /// Runs the file / rate injection.
    async fn mo_loop(self: Arc<Self>, file: Vec<MoMessage>) {
        let mo = &self.config.mo;
        let count = mo.count.unwrap_or(if file.is_empty() {
            u64::MAX
        } else {
            file.len() as u64
        });
        let period = mo.rate.map(|r| Duration::from_secs_f64(1.0 / r));
        let mut ticker = period.map(|p| {
            let mut t = tokio::time::interval(p);
            t.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            t
        });
        for i in 0..count {
            if let Some(t) = &mut ticker {
                tokio::select! {
                    _ = t.tick() => {}
                    _ = self.stop.cancelled() => return,
                }
            } else if self.stop.is_cancelled() {
                return;
            }
            let m = if file.is_empty() {
                self.generated_mo(i)
            } else {
                file[(i % file.len() as u64) as usize].clone()
            };
            for target in self.mo_targets() {
                self.send_mo(&target, &m, i as u8);
            }
        }
    }

    /// Watches the server's events: session counts, commands and statuses of ended sessions,
    /// MO on bind.
    async fn watch(self: Arc<Self>, mut events: broadcast::Receiver<ServerEvent>) {
        loop {
            let event = tokio::select! {
                e = events.recv() => e,
                _ = self.stop.cancelled() => break,
            };
            match event {
                Ok(e) => self.on_event(e),
                Err(broadcast::error::RecvError::Lagged(n)) => {
                    tracing::warn!(missed = n, "summary missed session events");
                }
                Err(broadcast::error::RecvError::Closed) => return,
            }
        }
        // Stopping: the server has shut down; take what is left.
        while let Ok(e) = events.try_recv() {
            self.on_event(e);
        }
    }

    fn on_event(self: &Arc<Self>, event: ServerEvent) {
        let mut c = self.counters();
        match event {
            ServerEvent::Connected { .. } => {
                c.sessions.connected += 1;
                c.open += 1;
                c.sessions.peak = c.sessions.peak.max(c.open);
            }
            ServerEvent::Refused { .. } => c.sessions.refused += 1,
            ServerEvent::Bound {
                session_id,
                system_id,
                bind_type,
            } => {
                match bind_type {
                    BindType::Transmitter => c.sessions.bound_tx += 1,
                    BindType::Receiver => c.sessions.bound_rx += 1,
                    BindType::Transceiver => c.sessions.bound_trx += 1,
                }
                drop(c);
                if self.config.mo.on_bind && bind_type != BindType::Transmitter {
                    let state = self.clone();
                    self.tasks.spawn(async move {
                        let Some(server) = state.server.get() else {
                            return;
                        };
                        let m = state.generated_mo(0);
                        let m = MoMessage {
                            text: format!("MO message to {system_id} on bind"),
                            ..m
                        };
                        for pdu in mo_pdus(&m, 0) {
                            let result = server.request(session_id, pdu).await;
                            if let Err(e) = &result {
                                tracing::warn!(%session_id, error = %e, "MO on bind not delivered");
                            }
                            let ok = result.is_ok();
                            let mut c = state.counters();
                            if ok { c.mo_sent += 1 } else { c.mo_failed += 1 }
                        }
                    });
                }
            }
            ServerEvent::BindRefused { .. } => c.sessions.bind_refused += 1,
            ServerEvent::Unbound { .. } => c.sessions.unbound += 1,
            ServerEvent::Disconnected { stats, .. } => {
                c.open = c.open.saturating_sub(1);
                c.stats.add(&stats);
            }
        }
    }

    fn summary(&self) -> Summary {
        let now = SystemTime::now();
        let (stored, states, evicted) = {
            let store = self.store();
            (store.len(), store.states(now), store.evicted)
        };
        let c = self.counters();
        Summary::build(
            self.started.elapsed(),
            &c.stats,
            c.sessions.clone(),
            c.open,
            c.receipts.clone(),
            c.receipts_dropped,
            c.rule_hits.clone(),
            c.messages
                .iter()
                .map(|(k, v)| ((*k).to_owned(), *v))
                .collect(),
            (stored, states, evicted),
            (c.mo_sent, c.mo_failed),
        )
    }
}

// ------------------------------------------------------------------------------- simulator

/// Starts simulators.
#[derive(Debug, Clone, Copy)]
pub struct Simulator;

/// A running simulator.
pub struct SimHandle {
    state: Arc<State>,
    server: Server,
    local_addr: SocketAddr,
}

impl std::fmt::Debug for SimHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimHandle")
            .field("local_addr", &self.local_addr)
            .finish_non_exhaustive()
    }
}

impl Simulator {
    /// Listens on `config.listen` and runs until [`SimHandle::shutdown`]. Must be called inside a
    /// tokio runtime.
    pub async fn start(config: SimConfig) -> Result<SimHandle, SimError> {
        let file = match &config.mo.file {
            Some(p) => read_mo_file(p)?,
            None => Vec::new(),
        };
        if let Some(r) = config.mo.rate
            && !(r > 0.0 && r.is_finite())
        {
            return Err(SimError::Config(format!("MO rate {r}: must be > 0")));
        }
        let state = Arc::new(State {
            rules: RuleSet::new(&config.rules, config.magic),
            store: Mutex::new(Store::new(config.store_capacity)),
            counters: Mutex::new(Counters::default()),
            server: OnceLock::new(),
            stop: CancellationToken::new(),
            tasks: TaskTracker::new(),
            started: Instant::now(),
            no_reply: AtomicU64::new(0),
            config,
        });
        let c = &state.config;
        let session = Config {
            window_size: c.window.max(1),
            enquire_link_interval: Some(c.enquire_link_interval),
            inactivity_timeout: Some(c.inactivity_timeout),
            decode: if c.lenient {
                crate::DecodeOptions::LENIENT
            } else {
                crate::DecodeOptions::STRICT
            },
            ..Config::default()
        };
        let mut builder = Server::builder()
            .system_id(c.system_id.clone())
            .max_connections(c.max_connections)
            .session_config(session)
            .store_capacity(c.queue_capacity)
            .handler(SimHandler(state.clone()))
            .receipt_policy(SimReceipts(state.clone()));
        if let Some(t) = c.throttle {
            builder = builder.throttle(t);
        }
        builder = if c.accounts.is_empty() {
            tracing::warn!("no account configured: every bind is accepted");
            builder.authenticator(AllowAll)
        } else {
            let accounts = c.accounts.iter().fold(Accounts::new(), |a, acc| {
                a.with(&acc.system_id, &acc.password)
            });
            builder.authenticator(accounts)
        };
        let server = builder.listen(&c.listen).await?;
        let _ = state.server.set(server.clone());
        let local_addr = server
            .local_addr()
            .ok_or_else(|| SimError::Config("no local address".into()))?;
        state.tasks.spawn(state.clone().watch(server.subscribe()));
        if !file.is_empty() || state.config.mo.rate.is_some() {
            state.tasks.spawn(state.clone().mo_loop(file));
        }
        tracing::info!(
            %local_addr,
            accounts = state.config.accounts.len(),
            rules = state.rules.len(),
            receipt_delay = ?state.config.receipt_delay,
            "smpp-sim listening"
        );
        Ok(SimHandle {
            state,
            server,
            local_addr,
        })
    }
}

impl SimHandle {
    /// The address it listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The SMSC server underneath (sessions, deliver_sm to an ESME, events).
    pub fn server(&self) -> &Server {
        &self.server
    }

    /// What happened so far (commands and statuses count the sessions that have ended).
    pub fn summary(&self) -> Summary {
        self.state.summary()
    }

    /// Queues an MO message for `system_id` (delivered to a receiver of it, now or when it binds).
    pub fn inject_mo(&self, system_id: &str, source: &str, destination: &str, text: &str) {
        let m = MoMessage {
            source: source.into(),
            destination: destination.into(),
            text: text.into(),
        };
        self.state.send_mo(system_id, &m, 0);
    }

    /// Stops: unbinds every session (5 s at most), stops timers and MO injection, and returns the
    /// summary.
    pub async fn shutdown(self) -> Summary {
        self.shutdown_within(Duration::from_secs(5)).await
    }

    /// [`shutdown`](Self::shutdown) with another time limit for the sessions to unbind.
    pub async fn shutdown_within(self, timeout: Duration) -> Summary {
        // Requests left unanswered on purpose are answered now, so sessions can finish.
        if self.state.no_reply.load(Ordering::Relaxed) > 0 {
            tracing::info!("answering the requests left unanswered (ESME_RSYSERR)");
        }
        let report = {
            let server = self.server.clone();
            let stop = self.state.stop.clone();
            let shutdown = server.shutdown(timeout);
            tokio::pin!(shutdown);
            // Let in-flight handler calls end: no-reply ones end when `stop` is cancelled.
            tokio::select! {
                r = &mut shutdown => r,
                _ = tokio::time::sleep(Duration::from_millis(200)) => {
                    stop.cancel();
                    shutdown.await
                }
            }
        };
        self.state.stop.cancel();
        self.state.tasks.close();
        let _ = tokio::time::timeout(Duration::from_secs(2), self.state.tasks.wait()).await;
        tracing::info!(
            sessions = report.sessions,
            forced = report.forced,
            "smpp-sim stopped"
        );
        self.state.summary()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accounts_and_mix() {
        let a: Account = "test:secret".parse().unwrap();
        assert_eq!(a.system_id, "test");
        assert!("nopw".parse::<Account>().is_err());
        assert!("id:waytoolongpassword".parse::<Account>().is_err());
        let mix: OutcomeMix = "delivrd=90,UNDELIV=5,expired=3,REJECTD=2".parse().unwrap();
        assert_eq!(
            (mix.delivered, mix.undeliverable, mix.expired, mix.rejected),
            (90, 5, 3, 2)
        );
        assert!("DELETED=1".parse::<OutcomeMix>().is_err());
        // Shares are respected over many draws.
        let mut counts = [0u32; 4];
        for n in 0..10_000 {
            let i = match mix.pick(coin(42, n)).0 {
                ReceiptStat::Delivered => 0,
                ReceiptStat::Undeliverable => 1,
                ReceiptStat::Expired => 2,
                _ => 3,
            };
            counts[i] += 1;
        }
        assert!((8_700..9_300).contains(&counts[0]), "{counts:?}");
        assert!((300..700).contains(&counts[1]), "{counts:?}");
        assert!(counts[3] > 100, "{counts:?}");
    }

    #[test]
    fn mo_file_lines() {
        let m = parse_mo_lines("# comment\n447700900001 12345 Hello there\n\n1 2\n").unwrap();
        assert_eq!(m.len(), 2);
        assert_eq!(m[0].text, "Hello there");
        assert_eq!(m[1].text, "");
        assert!(parse_mo_lines("lonely\n").is_err());
        let long = MoMessage {
            source: "1".into(),
            destination: "2".into(),
            text: "x".repeat(200),
        };
        let pdus = mo_pdus(&long, 7);
        assert_eq!(pdus.len(), 2);
        assert!(pdus.iter().all(|p| p.esm_class.udhi()));
        let uni = MoMessage {
            text: "Привет".into(),
            ..long
        };
        assert_eq!(mo_pdus(&uni, 0)[0].data_coding, DataCoding::UCS2);
    }

    #[test]
    fn yaml_config() {
        let c = SimConfig::from_yaml(
            "listen: 127.0.0.1:0\naccounts: [{system_id: a, password: b}]\nreceipt-delay: 2s\nenquire-link-interval: 1000\noutcomes: \"DELIVRD=1,UNDELIV=1\"\nmagic: false\nmo: {on-bind: true}\n",
        )
        .unwrap();
        assert_eq!(c.receipt_delay, Duration::from_secs(2));
        assert_eq!(c.enquire_link_interval, Duration::from_secs(1));
        assert_eq!(c.outcomes.undeliverable, 1);
        assert!(!c.magic && c.mo.on_bind);
        assert!(SimConfig::from_yaml("bogus: 1\n").is_err());
    }
}
