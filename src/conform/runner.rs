//! Runs one scenario: a scripted peer over tokio TCP that writes exactly what the steps say and
//! checks every frame that comes back. Every wait is bounded (per step and per scenario), and
//! nothing the peer sends can make it panic.

use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use serde_json::Value;
use serde_saphyr::Spanned;
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::build::{self, Actual, Received};
use super::load::Scenario;
use super::matcher::{CaptureSpec, Matcher, Source};
use super::model::*;
use super::net::{CloseInfo, Conn, Dir, NetEvent, NetKind, ReaderCtx, SharedPcap, WireLog};
use super::report::{CaseResult, Outcome, StepRecord, StepStatus};
use super::vars::{self, Vars};
use crate::pdu::CommandStatus;
use crate::tlv::TlvTag;

/// Starts the ESME under test for a role smsc scenario: given our listener's address, it connects
/// there (an in-process ESME; external ESMEs are started by the user).
pub type StartEsme = Arc<dyn Fn(SocketAddr) -> JoinHandle<()> + Send + Sync>;

/// What every case of a run shares.
#[derive(Clone)]
pub struct RunEnv {
    /// The SMSC under test (role esme scenarios).
    pub target: Option<SocketAddr>,
    /// Our listener (role smsc scenarios).
    pub listener: Option<Arc<tokio::sync::Mutex<TcpListener>>>,
    /// Its address.
    pub listen_addr: Option<SocketAddr>,
    /// The in-process ESME under test, if any.
    pub esme: Option<StartEsme>,
    /// Bound of a connect.
    pub connect_timeout: Duration,
    /// Built-in variables (CLI values applied).
    pub builtins: Vec<(String, String)>,
    /// The profile's variables and lacks.
    pub profile: Option<ProfileDoc>,
    /// `--var` values.
    pub cli_vars: Vec<(String, String)>,
    /// The run's capture.
    pub pcap: Option<SharedPcap>,
    /// Largest command_length accepted from the peer.
    pub max_command_length: u32,
}

impl RunEnv {
    /// An environment against `target` with the default built-ins.
    pub fn new(target: Option<SocketAddr>) -> Self {
        Self {
            target,
            listener: None,
            listen_addr: None,
            esme: None,
            connect_timeout: Duration::from_secs(3),
            builtins: vars::BUILTINS
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            profile: None,
            cli_vars: Vec::new(),
            pcap: None,
            max_command_length: crate::DEFAULT_MAX_COMMAND_LENGTH,
        }
    }

    /// The variables of a scenario: built-ins < scenario vars < profile vars < environment
    /// (`SMPP_CONFORM_<NAME>`) < `--var`.
    pub fn vars_for(&self, sc: &Scenario) -> Vars {
        let mut layered: Vec<(String, String)> = self.builtins.clone();
        for (k, v) in sc.doc.vars.iter() {
            layered.push((
                k.to_owned(),
                vars::scalar_string(&v.value).unwrap_or_default(),
            ));
        }
        if let Some(p) = &self.profile {
            for (k, v) in p.vars.iter() {
                layered.push((
                    k.to_owned(),
                    vars::scalar_string(&v.value).unwrap_or_default(),
                ));
            }
        }
        let names: Vec<String> = layered.iter().map(|(k, _)| k.clone()).collect();
        for n in names {
            if let Ok(v) = std::env::var(format!("SMPP_CONFORM_{}", n.to_uppercase())) {
                layered.push((n, v));
            }
        }
        layered.extend(self.cli_vars.iter().cloned());
        let mut raw = Vars::new();
        for (k, v) in &layered {
            raw.set(k, v);
        }
        raw.set("scenario_id", sc.id());
        // One pass so that a value may refer to another (`${destination_addr}9`).
        let mut out = Vars::new();
        for (k, v) in &layered {
            out.set(k, raw.substitute(v).unwrap_or_else(|_| v.clone()));
        }
        out.set("scenario_id", sc.id());
        out
    }

    /// Why this scenario cannot run here, if it cannot.
    pub fn skip_reason(&self, sc: &Scenario) -> Option<String> {
        if let Some(p) = &self.profile {
            let lacking: Vec<&str> = sc
                .doc
                .requires
                .iter()
                .filter(|r| p.lacks.iter().any(|l| l.value == r.value))
                .map(|r| r.value.as_str())
                .collect();
            if !lacking.is_empty() {
                return Some(format!("the peer lacks {}", lacking.join(", ")));
            }
        }
        match sc.doc.role {
            Role::Smsc if self.listener.is_none() => {
                Some("role smsc: needs --listen (the ESME under test connects there)".into())
            }
            Role::Esme if self.target.is_none() => Some("no --target".into()),
            _ => None,
        }
    }
}

/// Why a step failed.
#[derive(Debug, Clone)]
pub struct Fail {
    /// The message.
    pub message: String,
    /// The target could not be reached.
    pub unreachable: bool,
}

fn fail(message: impl Into<String>) -> Fail {
    Fail {
        message: message.into(),
        unreachable: false,
    }
}

type Fut<'f, T> = Pin<Box<dyn Future<Output = T> + 'f>>;

/// A send the scenario named with `as`.
#[derive(Debug, Clone)]
struct Sent {
    session: usize,
    sequence_number: u32,
    answered: bool,
}

struct Sess {
    name: String,
    conn: Option<Conn>,
    next_seq: u32,
    queue: VecDeque<NetEvent>,
    closed: Option<CloseInfo>,
    last_received: Option<Received>,
    last_request: Option<Received>,
}

/// One running scenario.
struct Case<'a> {
    sc: &'a Scenario,
    env: &'a RunEnv,
    vars: Vars,
    sessions: Vec<Sess>,
    tx: mpsc::Sender<NetEvent>,
    rx: mpsc::Receiver<NetEvent>,
    sends: HashMap<String, Sent>,
    sends_order: Vec<String>,
    recvs: HashMap<String, (usize, Received)>,
    grade: Level,
    notes: Vec<String>,
    steps: Vec<StepRecord>,
    log: WireLog,
    start: Instant,
}

/// Runs one scenario and grades it.
pub async fn run_case(sc: &Scenario, env: &RunEnv) -> CaseResult {
    let start = Instant::now();
    let mut result = CaseResult::new(sc);
    if let Some(reason) = env.skip_reason(sc) {
        result.outcome = Outcome::Skip;
        result.message = Some(reason);
        return result;
    }
    let (tx, rx) = mpsc::channel(256);
    let mut case = Case {
        sc,
        env,
        vars: env.vars_for(sc),
        sessions: sc
            .sessions
            .iter()
            .map(|n| Sess {
                name: n.clone(),
                conn: None,
                next_seq: 1,
                queue: VecDeque::new(),
                closed: None,
                last_received: None,
                last_request: None,
            })
            .collect(),
        tx,
        rx,
        sends: HashMap::new(),
        sends_order: Vec::new(),
        recvs: HashMap::new(),
        grade: Level::Must,
        notes: Vec::new(),
        steps: Vec::new(),
        log: WireLog::new(start),
        start,
    };
    let esme = match (sc.doc.role, &env.esme, env.listen_addr, &env.listener) {
        (Role::Smsc, Some(start_esme), Some(addr), Some(listener)) => {
            // Connections an earlier case's in-process ESME left in the backlog are stale.
            let l = listener.lock().await;
            while let Ok(Ok((stale, _))) = tokio::time::timeout(Duration::ZERO, l.accept()).await {
                drop(stale);
            }
            drop(l);
            Some(start_esme(addr))
        }
        _ => None,
    };
    let outcome = tokio::time::timeout(sc.scenario_timeout, case.exec_steps(&sc.doc.steps)).await;
    let failure = match outcome {
        Ok(Ok(())) => None,
        Ok(Err(f)) => Some(f),
        Err(_) => Some(fail(format!(
            "the scenario did not end within its timeout ({:?})",
            sc.scenario_timeout
        ))),
    };
    for s in &case.sessions {
        for ev in &s.queue {
            if let NetKind::Frame(r) = &ev.kind {
                case.notes
                    .push(format!("{}: never examined: {}", s.name, r.summary()));
            }
        }
    }
    for s in &mut case.sessions {
        if let Some(c) = s.conn.take() {
            c.close(false).await;
        }
    }
    if let Some(h) = esme {
        h.abort();
        let _ = tokio::time::timeout(Duration::from_millis(500), h).await;
    }
    result.duration = start.elapsed();
    result.steps = std::mem::take(&mut case.steps);
    result.notes = std::mem::take(&mut case.notes);
    result.wire = case.log.entries();
    match failure {
        Some(f) if f.unreachable => {
            result.outcome = Outcome::Error;
            result.message = Some(f.message);
        }
        Some(f) => {
            result.outcome = match sc.doc.level {
                Level::Must => Outcome::Fail,
                Level::Should => Outcome::NonStrict,
                Level::Info => Outcome::Info,
            };
            result.message = Some(f.message);
        }
        None => {
            result.outcome = match case.grade {
                Level::Must => Outcome::Pass,
                Level::Should => Outcome::NonStrict,
                Level::Info => Outcome::Info,
            };
        }
    }
    result
}

/// A short description of an expectation, for messages.
fn describe(e: &Expectation) -> String {
    let mut s = build::show(&e.pdu.value);
    if let Some(r) = &e.reply_to {
        s.push_str(&format!(" (reply_to {})", r.value));
    }
    if let Some(st) = &e.status {
        s.push_str(&format!(" status {}", build::show(&st.value)));
    }
    s
}

/// Whether `name` matches the glob `pat` (`*` any run, `?` one character).
pub fn glob(pat: &str, name: &str) -> bool {
    let p: Vec<char> = pat.chars().collect();
    let n: Vec<char> = name.chars().collect();
    let (mut pi, mut ni, mut star, mut mark) = (0, 0, None, 0);
    while ni < n.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == n[ni]) {
            pi += 1;
            ni += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ni;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ni = mark;
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == '*' {
        pi += 1;
    }
    pi == p.len()
}

/// How an expectation failed to match a PDU.
enum Mismatch {
    /// Another command_id.
    Type,
    /// The right command_id, a condition failed.
    Content(String),
}

impl<'a> Case<'a> {
    fn record(
        &mut self,
        line: u64,
        kind: &'static str,
        status: StepStatus,
        detail: impl Into<String>,
    ) {
        if self.steps.len() < 2000 {
            self.steps.push(StepRecord {
                line,
                kind,
                status,
                detail: detail.into(),
                at: self.start.elapsed(),
            });
        }
    }

    fn sub(&self, s: &str) -> Result<String, Fail> {
        self.vars.substitute(s).map_err(fail)
    }

    fn sub_value(&self, v: &Value) -> Result<Value, Fail> {
        self.vars.substitute_value(v).map_err(fail)
    }

    fn session_index(&self, s: &Option<Spanned<String>>) -> Result<usize, Fail> {
        match s {
            None => Ok(0),
            Some(name) => self
                .sessions
                .iter()
                .position(|x| x.name == name.value)
                .ok_or_else(|| fail(format!("unknown session `{}`", name.value))),
        }
    }

    fn exec_steps<'f>(&'f mut self, steps: &'a [Spanned<Step>]) -> Fut<'f, Result<(), Fail>> {
        Box::pin(async move {
            for s in steps {
                let line = s.referenced.line();
                let kind = s.value.kind();
                match self.exec_step(&s.value).await {
                    Ok(detail) => self.record(line, kind, detail.0, detail.1),
                    Err(f) => {
                        self.record(line, kind, StepStatus::Failed, f.message.clone());
                        let message = format!("line {line}, {kind}: {}", f.message);
                        return Err(Fail { message, ..f });
                    }
                }
            }
            Ok(())
        })
    }

    async fn exec_step(&mut self, step: &'a Step) -> Result<(StepStatus, String), Fail> {
        let ok = |d: String| Ok((StepStatus::Ok, d));
        match step {
            Step::Send(s) => self.send(s).await.and_then(ok),
            Step::Expect(e) => self.expect(e).await,
            Step::ExpectAll(list) => self.expect_all(list).await.and_then(ok),
            Step::AnyOf(branches) => self.any_of(branches).await.and_then(ok),
            Step::Respond(r) => self.respond_step(r).await.and_then(ok),
            Step::ExpectClose(c) => self.expect_close(c).await.and_then(ok),
            Step::Connect(c) => {
                let idx = self.session_index(&c.session)?;
                if let Some(conn) = self.sessions[idx].conn.take() {
                    conn.close(false).await;
                }
                self.sessions[idx].closed = None;
                self.sessions[idx].queue.clear();
                self.open(idx).await?;
                ok(format!("{} connected", self.sessions[idx].name))
            }
            Step::Disconnect(d) => {
                let idx = self.session_index(&d.session)?;
                let reset = d.how == Some(DisconnectHow::Reset);
                self.disconnect(idx, reset).await;
                ok(format!(
                    "{} closed by us ({})",
                    self.sessions[idx].name,
                    if reset { "RST" } else { "FIN" }
                ))
            }
            Step::Sleep(d) => {
                let deadline = Instant::now() + d.value.0;
                while let Some(ev) = self.next_event(&[], deadline).await? {
                    let idx = ev.session;
                    self.sessions[idx].queue.push_back(ev);
                }
                ok(format!("{:?}", d.value.0))
            }
            Step::Capture(c) => {
                let idx = self.session_index(&c.session)?;
                let r = match &c.from {
                    Some(name) => {
                        let name = self.sub(&name.value)?;
                        self.recvs
                            .get(&name)
                            .map(|(_, r)| r.clone())
                            .ok_or_else(|| fail(format!("no PDU named `{name}` was received")))?
                    }
                    None => self.sessions[idx]
                        .last_received
                        .clone()
                        .ok_or_else(|| fail("no PDU received yet on this session"))?,
                };
                let got = self.captures(&c.vars, &r)?;
                ok(got)
            }
            Step::Check(ch) => {
                let value = self.sub_value(&ch.value.value)?;
                let actual = match &value {
                    Value::Number(n) => match n.as_u64() {
                        Some(x) => Actual::Int(x),
                        None => Actual::Text {
                            text: n.to_string(),
                            octets: n.to_string().into_bytes(),
                        },
                    },
                    other => {
                        let t = build::show(other);
                        Actual::Text {
                            octets: t.clone().into_bytes(),
                            text: t,
                        }
                    }
                };
                let m = Matcher::compile(&self.sub_value(&ch.is.value)?).map_err(fail)?;
                m.check(&actual).map_err(|e| fail(format!("value {e}")))?;
                ok(format!("{actual} holds"))
            }
            Step::Set(m) => {
                let mut set = Vec::new();
                for (k, v) in m.iter() {
                    let v = self.sub_value(&v.value)?;
                    let s = vars::scalar_string(&v).unwrap_or_default();
                    set.push(format!("{k}={s}"));
                    self.vars.set(k, s);
                }
                ok(set.join(" "))
            }
            Step::Repeat(r) => {
                let var = r.var.clone().unwrap_or_else(|| "i".into());
                for i in 1..=r.count.value {
                    self.vars.set(&var, i.to_string());
                    self.exec_steps(&r.steps).await?;
                }
                ok(format!("{} times", r.count.value))
            }
        }
    }

    // ----- connections -----

    async fn open(&mut self, idx: usize) -> Result<(), Fail> {
        if self.sessions[idx].conn.is_some() {
            return Ok(());
        }
        if let Some(c) = &self.sessions[idx].closed {
            return Err(fail(format!(
                "session {} is closed ({c}); use connect to open a new connection",
                self.sessions[idx].name
            )));
        }
        let name = self.sessions[idx].name.clone();
        let (stream, we_are_client) = match self.sc.doc.role {
            Role::Esme => {
                let target = self.env.target.ok_or_else(|| fail("no target"))?;
                let s = tokio::time::timeout(self.env.connect_timeout, TcpStream::connect(target))
                    .await
                    .map_err(|_| Fail {
                        message: format!(
                            "target {target} unreachable: connect timed out after {:?}",
                            self.env.connect_timeout
                        ),
                        unreachable: true,
                    })?
                    .map_err(|e| Fail {
                        message: format!("target {target} unreachable: {e}"),
                        unreachable: true,
                    })?;
                (s, true)
            }
            Role::Smsc => {
                let listener = self
                    .env
                    .listener
                    .clone()
                    .ok_or_else(|| fail("role smsc needs --listen"))?;
                let wait = self.sc.step_timeout.max(Duration::from_secs(10));
                let l = listener.lock().await;
                let (s, _) = tokio::time::timeout(wait, l.accept())
                    .await
                    .map_err(|_| fail(format!("no ESME connected within {wait:?}")))?
                    .map_err(|e| fail(format!("accept: {e}")))?;
                (s, false)
            }
        };
        let _ = stream.set_nodelay(true);
        let local = stream.local_addr().map_err(|e| fail(e.to_string()))?;
        let peer = stream.peer_addr().map_err(|e| fail(e.to_string()))?;
        let pcap = self.env.pcap.as_ref().and_then(|p| {
            let (client, server) = if we_are_client {
                (local, peer)
            } else {
                (peer, local)
            };
            let id = p.lock().ok()?.open(client, server);
            Some((p.clone(), id))
        });
        let (rd, wr) = stream.into_split();
        let reader = super::net::spawn_reader(
            rd,
            ReaderCtx {
                session: idx,
                name: name.clone(),
                tx: self.tx.clone(),
                log: self.log.clone(),
                pcap: pcap
                    .as_ref()
                    .map(|(p, id)| (p.clone(), *id, !we_are_client)),
                max_command_length: self.env.max_command_length,
            },
        );
        self.log.push(
            &name,
            Dir::Note,
            Bytes::new(),
            if we_are_client {
                format!("connected {local} -> {peer}")
            } else {
                format!("accepted {peer} -> {local}")
            },
        );
        let s = &mut self.sessions[idx];
        s.conn = Some(Conn {
            writer: wr,
            reader,
            pcap: pcap.map(|(p, id)| (p, id, we_are_client)),
        });
        s.next_seq = 1;
        Ok(())
    }

    async fn disconnect(&mut self, idx: usize, reset: bool) {
        let s = &mut self.sessions[idx];
        if let Some(c) = s.conn.take() {
            c.close(reset).await;
            self.log.push(
                &s.name,
                Dir::Note,
                Bytes::new(),
                format!("closed by us ({})", if reset { "RST" } else { "FIN" }),
            );
        }
        s.closed.get_or_insert(CloseInfo {
            how: Some(if reset {
                CloseHow::Reset
            } else {
                CloseHow::Fin
            }),
            error: Some("closed by us".into()),
        });
    }

    async fn write(&mut self, idx: usize, bytes: Bytes) -> Result<(), Fail> {
        self.open(idx).await?;
        let s = &mut self.sessions[idx];
        let Some(conn) = s.conn.as_mut() else {
            return Err(fail("not connected"));
        };
        let wait = self.sc.step_timeout;
        match tokio::time::timeout(wait, conn.writer.write_all(&bytes)).await {
            Ok(Ok(())) => {
                tracing::debug!(session = %s.name, octets = bytes.len(), "sent");
                conn.record_out(&bytes);
                self.log.push(&s.name, Dir::Out, bytes, "");
                Ok(())
            }
            Ok(Err(e)) => Err(fail(format!("write on {}: {e}", s.name))),
            Err(_) => Err(fail(format!("write on {}: blocked for {wait:?}", s.name))),
        }
    }

    // ----- events -----

    /// The next event of one of `sessions` before `deadline` (queued ones first). Events of other
    /// sessions are queued; requests listed in auto_respond are answered on the way when they belong to
    /// no session waited on. `Ok(None)`: the deadline passed.
    async fn next_event(
        &mut self,
        sessions: &[usize],
        deadline: Instant,
    ) -> Result<Option<NetEvent>, Fail> {
        loop {
            for &i in sessions {
                if let Some(ev) = self.sessions[i].queue.pop_front() {
                    return Ok(Some(ev));
                }
            }
            for &i in sessions {
                let s = &self.sessions[i];
                if let (Some(c), None) = (&s.closed, &s.conn) {
                    return Ok(Some(NetEvent {
                        session: i,
                        kind: NetKind::Closed(c.clone()),
                    }));
                }
            }
            let ev = match tokio::time::timeout_at(deadline.into(), self.rx.recv()).await {
                Err(_) | Ok(None) => return Ok(None),
                Ok(Some(ev)) => ev,
            };
            let i = ev.session;
            tracing::debug!(session = %self.sessions[i].name, event = ?ev.kind, "received");
            if let NetKind::Closed(c) = &ev.kind {
                self.sessions[i].closed = Some(c.clone());
                if let Some(conn) = self.sessions[i].conn.take() {
                    // The reader has ended; drop our half.
                    drop(conn.writer);
                }
            }
            if sessions.contains(&i) {
                return Ok(Some(ev));
            }
            if let NetKind::Frame(r) = &ev.kind
                && self.is_auto(r)
            {
                self.auto_respond(i, r).await?;
                continue;
            }
            self.sessions[i].queue.push_back(ev);
        }
    }

    fn is_auto(&self, r: &Received) -> bool {
        r.command_id()
            .is_some_and(|id| self.sc.auto_respond.contains(&id))
    }

    async fn auto_respond(&mut self, idx: usize, r: &Received) -> Result<(), Fail> {
        let (Some(id), Some(seq)) = (r.command_id(), r.sequence_number()) else {
            return Ok(());
        };
        let Some(resp) = id.response() else {
            return Ok(());
        };
        let built =
            build::build_typed(resp, seq, CommandStatus::ESME_ROK, &[], &[]).map_err(fail)?;
        self.log.push(
            &self.sessions[idx].name.clone(),
            Dir::Note,
            Bytes::new(),
            format!("auto_respond: {id} seq={seq}"),
        );
        self.write(idx, built.bytes).await
    }

    // ----- send -----

    async fn send(&mut self, s: &'a SendStep) -> Result<String, Fail> {
        let idx = self.session_index(&s.session)?;
        self.open(idx).await?;
        let bytes = if let Some(raw) = &s.raw {
            Bytes::from(build::hex_of(&self.sub(&raw.value)?).map_err(fail)?)
        } else {
            let pdu = s
                .pdu
                .as_ref()
                .ok_or_else(|| fail("send needs pdu or raw"))?;
            let id = build::command_id_of(&self.sub_value(&pdu.value)?).map_err(fail)?;
            let seq = match &s.sequence_number {
                Some(v) => u32::try_from(build::int_of(&self.sub_value(&v.value)?).map_err(fail)?)
                    .map_err(|_| fail("sequence_number above 2^32"))?,
                None => {
                    let sess = &mut self.sessions[idx];
                    let n = sess.next_seq;
                    sess.next_seq = if n >= crate::MAX_SEQUENCE_NUMBER {
                        1
                    } else {
                        n + 1
                    };
                    n
                }
            };
            let status = match &s.command_status {
                Some(v) => build::status_of(&self.sub_value(&v.value)?).map_err(fail)?,
                None => CommandStatus::ESME_ROK,
            };
            let mut bytes = if let Some(items) = &s.body {
                let items: Vec<BodyItem> = items.iter().map(|i| i.value.clone()).collect();
                build::build_body(id, seq, status, &items, &self.vars)
                    .map_err(fail)?
                    .to_bytes()
            } else {
                let mut fields =
                    build::substitute_map(s.fields.as_ref(), &self.vars).map_err(fail)?;
                for (name, default) in build::default_fields(id) {
                    if !fields.iter().any(|(n, _)| n == name) {
                        fields.push(((*name).to_owned(), Value::String(self.sub(default)?)));
                    }
                }
                let tlvs = build::substitute_map(s.tlvs.as_ref(), &self.vars).map_err(fail)?;
                let built = build::build_typed(id, seq, status, &fields, &tlvs).map_err(fail)?;
                match (&s.mutate, &built.command) {
                    (Some(m), Some(cmd)) => {
                        let mutation = build::mutation(&m.value, cmd).map_err(fail)?;
                        build::apply_mutation(cmd, mutation)
                    }
                    _ => built.bytes,
                }
            };
            if let Some(l) = &s.command_length {
                let l = u32::try_from(build::int_of(&self.sub_value(&l.value)?).map_err(fail)?)
                    .map_err(|_| fail("command_length above 2^32"))?;
                bytes = build::patch_length(&bytes, l);
            }
            bytes
        };
        let header = crate::Header::parse(&bytes);
        self.write(idx, bytes.clone()).await?;
        if let Some(name) = &s.name {
            let name = self.sub(&name.value)?;
            let seq = header.map_or(0, |h| h.sequence_number);
            self.sends.insert(
                name.clone(),
                Sent {
                    session: idx,
                    sequence_number: seq,
                    answered: false,
                },
            );
            self.sends_order.push(name);
        }
        Ok(match header {
            Some(h) => format!(
                "{} seq={} ({} octets)",
                h.command_id,
                h.sequence_number,
                bytes.len()
            ),
            None => format!("{} octets", bytes.len()),
        })
    }

    // ----- matching -----

    /// Checks `r` against `e`: `Ok(Some(send name))` when it matches (the send it answers).
    fn try_match(
        &self,
        e: &Expectation,
        idx: usize,
        r: &Received,
    ) -> Result<Option<String>, Mismatch> {
        let c = |m: String| Mismatch::Content(m);
        let want = self
            .sub_value(&e.pdu.value)
            .ok()
            .and_then(|v| build::command_id_of(&v).ok());
        if want.is_none() || r.command_id() != want {
            return Err(Mismatch::Type);
        }
        let h = r.header.ok_or(Mismatch::Type)?;
        let mut answered = None;
        if let Some(rt) = &e.reply_to {
            let pat = self.sub(&rt.value).map_err(|f| c(f.message))?;
            if pat.contains('*') || pat.contains('?') {
                let hit = self.sends_order.iter().find(|n| {
                    glob(&pat, n)
                        && self.sends.get(*n).is_some_and(|s| {
                            !s.answered
                                && s.session == idx
                                && s.sequence_number == h.sequence_number
                        })
                });
                match hit {
                    Some(n) => answered = Some(n.clone()),
                    None => {
                        return Err(c(format!(
                            "sequence_number {} answers no unanswered send named {pat}",
                            h.sequence_number
                        )));
                    }
                }
            } else {
                let s = self
                    .sends
                    .get(&pat)
                    .ok_or_else(|| c(format!("no send named `{pat}` was made")))?;
                if s.session != idx || s.sequence_number != h.sequence_number {
                    return Err(c(format!(
                        "sequence_number is {}, expected {} (the send `{pat}`)",
                        h.sequence_number, s.sequence_number
                    )));
                }
                answered = Some(pat);
            }
        }
        let check = |what: &str, m: &Option<SValue>, actual: Actual| -> Result<(), Mismatch> {
            if let Some(m) = m {
                let v = self.sub_value(&m.value).map_err(|f| c(f.message))?;
                let m = Matcher::compile(&v).map_err(|e| c(format!("{what}: {e}")))?;
                m.check(&actual).map_err(|e| {
                    let shown = match (&actual, what) {
                        (Actual::Int(n), "status") => {
                            let st = CommandStatus(u32::try_from(*n).unwrap_or(u32::MAX));
                            e.replacen(&format!("is {n}"), &format!("is {st}"), 1)
                        }
                        _ => e,
                    };
                    c(format!("{what} {shown}"))
                })?;
            }
            Ok(())
        };
        check(
            "status",
            &e.status,
            Actual::Int(u64::from(h.command_status.0)),
        )?;
        check(
            "sequence_number",
            &e.sequence_number,
            Actual::Int(u64::from(h.sequence_number)),
        )?;
        check(
            "command_length",
            &e.command_length,
            Actual::Int(r.frame.len() as u64),
        )?;
        if let Some(f) = &e.fields {
            for (name, m) in f.iter() {
                check(name, &Some(m.clone()), r.field(name))?;
            }
        }
        if let Some(t) = &e.tlvs {
            for (name, m) in t.iter() {
                let tag = build::tlv_tag_of(name).map_err(c)?;
                check(name, &Some(m.clone()), r.tlv(tag))?;
            }
        }
        if let Some(err) = &r.error
            && (e.fields.is_some() || e.tlvs.is_some())
        {
            return Err(c(format!("does not decode: {err}")));
        }
        if e.strict == Some(true)
            && let Some(d) = r.deviation.as_ref().or(r.error.as_ref())
        {
            return Err(c(format!("does not decode strictly: {d}")));
        }
        Ok(answered)
    }

    /// What follows a match: the send answered, `as`, captures, `respond`, the deviation grade.
    async fn on_match(
        &mut self,
        e: &'a Expectation,
        idx: usize,
        r: &Received,
        answered: Option<String>,
    ) -> Result<String, Fail> {
        if let Some(n) = answered
            && let Some(s) = self.sends.get_mut(&n)
        {
            s.answered = true;
        }
        let sess = &mut self.sessions[idx];
        sess.last_received = Some(r.clone());
        if r.command_id().is_some_and(|id| !id.is_response()) {
            sess.last_request = Some(r.clone());
        }
        if let Some(n) = &e.name {
            let n = self.sub(&n.value)?;
            self.recvs.insert(n, (idx, r.clone()));
        }
        let mut detail = r.summary();
        if let Some(d) = &r.deviation
            && e.strict != Some(true)
        {
            self.grade = self.grade.max(Level::Should);
            self.notes.push(format!(
                "non-strict: {} does not decode strictly: {d}",
                r.command_id().map(|i| i.to_string()).unwrap_or_default()
            ));
        }
        if let Some(c) = &e.capture {
            let got = self.captures(c, r)?;
            detail.push_str(&format!("; captured {got}"));
        }
        if let Some(resp) = &e.respond {
            let s = self.respond(idx, r, &resp.value).await?;
            detail.push_str(&format!("; answered {s}"));
        }
        Ok(detail)
    }

    fn captures(&mut self, caps: &OrderedMap<SValue>, r: &Received) -> Result<String, Fail> {
        let mut got = Vec::new();
        for (name, spec) in caps.iter() {
            let spec = CaptureSpec::compile(&spec.value).map_err(fail)?;
            let actual = match &spec.source {
                Source::Field(f) => r.field(f),
                Source::Tlv(t) => r.tlv(build::tlv_tag_of(t).map_err(fail)?),
                Source::Auto(n) => self.auto_source(n, r),
            };
            let value = spec.extract(&actual).ok_or_else(|| {
                fail(format!(
                    "capture {name}: nothing to capture in {} ({actual})",
                    r.summary()
                ))
            })?;
            got.push(format!("{name}={value:?}"));
            self.vars.set(name, value);
        }
        Ok(got.join(" "))
    }

    fn auto_source(&self, n: &str, r: &Received) -> Actual {
        let in_schema = r
            .command_id()
            .and_then(build::schema)
            .is_some_and(|s| s.iter().any(|(f, _)| *f == n));
        if in_schema {
            return r.field(n);
        }
        if let Ok(tag) = build::tlv_tag_of(n)
            && TlvTag::from_name(n).is_some()
        {
            return r.tlv(tag);
        }
        match (n, r.header) {
            ("sequence_number", Some(h)) => Actual::Int(u64::from(h.sequence_number)),
            ("command_status", Some(h)) => Actual::Int(u64::from(h.command_status.0)),
            ("command_length", Some(h)) => Actual::Int(u64::from(h.command_length)),
            ("command_id", Some(h)) => Actual::Int(u64::from(h.command_id.0)),
            _ => Actual::Absent,
        }
    }

    async fn respond(
        &mut self,
        idx: usize,
        r: &Received,
        spec: &RespondSpec,
    ) -> Result<String, Fail> {
        let id = r
            .command_id()
            .ok_or_else(|| fail("cannot answer octets that are not a PDU"))?;
        let resp = id
            .response()
            .ok_or_else(|| fail(format!("{id} takes no response")))?;
        let seq = r.sequence_number().unwrap_or(0);
        let status = match &spec.status {
            Some(v) => build::status_of(&self.sub_value(&v.value)?).map_err(fail)?,
            None => CommandStatus::ESME_ROK,
        };
        let fields = build::substitute_map(spec.fields.as_ref(), &self.vars).map_err(fail)?;
        let tlvs = build::substitute_map(spec.tlvs.as_ref(), &self.vars).map_err(fail)?;
        let built = build::build_typed(resp, seq, status, &fields, &tlvs).map_err(fail)?;
        self.write(idx, built.bytes).await?;
        Ok(format!("{resp} seq={seq} status={status}"))
    }

    async fn respond_step(&mut self, spec: &'a RespondSpec) -> Result<String, Fail> {
        let (idx, r) = match &spec.to {
            Some(name) => {
                let name = self.sub(&name.value)?;
                self.recvs
                    .get(&name)
                    .cloned()
                    .ok_or_else(|| fail(format!("no PDU named `{name}` was received")))?
            }
            None => {
                let idx = self.session_index(&spec.session)?;
                let r = self.sessions[idx]
                    .last_request
                    .clone()
                    .ok_or_else(|| fail("no request received on this session to answer"))?;
                (idx, r)
            }
        };
        self.respond(idx, &r, spec).await
    }

    // ----- waiting steps -----

    async fn expect(&mut self, e: &'a Expectation) -> Result<(StepStatus, String), Fail> {
        let idx = self.session_index(&e.session)?;
        self.open(idx).await?;
        let wait = e
            .timeout
            .as_ref()
            .map_or(self.sc.step_timeout, |t| t.value.0);
        let deadline = Instant::now() + wait;
        let count = e.count.as_ref().map_or(1, |c| c.value);
        let optional = e.optional == Some(true);
        let mut details = Vec::new();
        let mut got = 0;
        while got < count {
            let Some(ev) = self.next_event(&[idx], deadline).await? else {
                if optional {
                    return Ok((
                        StepStatus::Skipped,
                        format!("no {} within {wait:?}", describe(e)),
                    ));
                }
                let progress = if count > 1 {
                    format!(" ({got} of {count} came)")
                } else {
                    String::new()
                };
                return Err(fail(format!(
                    "timeout: no {} within {wait:?}{progress}",
                    describe(e)
                )));
            };
            match ev.kind {
                NetKind::Frame(r) => match self.try_match(e, idx, &r) {
                    Ok(answered) => {
                        details.push(self.on_match(e, idx, &r, answered).await?);
                        got += 1;
                    }
                    Err(m) => {
                        if self.is_auto(&r) {
                            self.auto_respond(idx, &r).await?;
                            continue;
                        }
                        if optional {
                            let summary = r.summary();
                            self.sessions[idx].queue.push_front(NetEvent {
                                session: idx,
                                kind: NetKind::Frame(r),
                            });
                            return Ok((
                                StepStatus::Skipped,
                                format!("{summary} came instead (kept for the next step)"),
                            ));
                        }
                        return Err(fail(match m {
                            Mismatch::Content(why) => format!("{}: {why}", r.summary()),
                            Mismatch::Type => format!(
                                "unexpected {} while waiting for {}",
                                r.summary(),
                                describe(e)
                            ),
                        }));
                    }
                },
                NetKind::Closed(c) => {
                    if optional {
                        self.sessions[idx].queue.push_front(NetEvent {
                            session: idx,
                            kind: NetKind::Closed(c),
                        });
                        return Ok((StepStatus::Skipped, "the connection closed instead".into()));
                    }
                    return Err(fail(format!(
                        "the peer closed the connection ({c}) while we waited for {}",
                        describe(e)
                    )));
                }
                NetKind::Garbage { bytes, error } => {
                    return Err(fail(format!(
                        "the peer sent {} octets that do not frame ({error}) while we waited for {}",
                        bytes.len(),
                        describe(e)
                    )));
                }
            }
        }
        Ok((StepStatus::Ok, details.join(" | ")))
    }

    async fn expect_all(&mut self, list: &'a [Spanned<Expectation>]) -> Result<String, Fail> {
        let mut items = Vec::new();
        let mut wait = Duration::ZERO;
        for e in list {
            let idx = self.session_index(&e.value.session)?;
            self.open(idx).await?;
            wait = wait.max(
                e.value
                    .timeout
                    .as_ref()
                    .map_or(self.sc.step_timeout, |t| t.value.0),
            );
            items.push((idx, &e.value, e.value.count.as_ref().map_or(1, |c| c.value)));
        }
        let mut sessions: Vec<usize> = items.iter().map(|(i, _, _)| *i).collect();
        sessions.sort_unstable();
        sessions.dedup();
        let deadline = Instant::now() + wait;
        let mut details = Vec::new();
        while items.iter().any(|(_, _, n)| *n > 0) {
            let Some(ev) = self.next_event(&sessions, deadline).await? else {
                let left: Vec<String> = items
                    .iter()
                    .filter(|(_, _, n)| *n > 0)
                    .map(|(_, e, _)| describe(e))
                    .collect();
                return Err(fail(format!(
                    "timeout after {wait:?}: still waiting for {}",
                    left.join(", ")
                )));
            };
            let idx = ev.session;
            match ev.kind {
                NetKind::Frame(r) => {
                    let mut reason = None;
                    let mut hit = None;
                    for (k, (i, e, n)) in items.iter().enumerate() {
                        if *n == 0 || *i != idx {
                            continue;
                        }
                        match self.try_match(e, idx, &r) {
                            Ok(a) => {
                                hit = Some((k, a));
                                break;
                            }
                            Err(Mismatch::Content(why)) => {
                                reason.get_or_insert(why);
                            }
                            Err(Mismatch::Type) => {}
                        }
                    }
                    if let Some((k, answered)) = hit {
                        let e = items[k].1;
                        details.push(self.on_match(e, idx, &r, answered).await?);
                        items[k].2 -= 1;
                        continue;
                    }
                    if self.is_auto(&r) {
                        self.auto_respond(idx, &r).await?;
                        continue;
                    }
                    return Err(fail(match reason {
                        Some(why) => format!("{}: {why}", r.summary()),
                        None => format!("unexpected {}", r.summary()),
                    }));
                }
                NetKind::Closed(c) => {
                    return Err(fail(format!(
                        "the peer closed session {} ({c}) before all expectations were met",
                        self.sessions[idx].name
                    )));
                }
                NetKind::Garbage { bytes, error } => {
                    return Err(fail(format!(
                        "the peer sent {} octets that do not frame ({error})",
                        bytes.len()
                    )));
                }
            }
        }
        Ok(details.join(" | "))
    }

    async fn any_of(&mut self, branches: &'a [Spanned<Branch>]) -> Result<String, Fail> {
        let mut sessions = Vec::new();
        let mut wait = Duration::ZERO;
        let mut idxs = Vec::new();
        for b in branches {
            let (s, t) = match &b.value {
                Branch::Expect(e) => (&e.session, e.timeout.as_ref()),
                Branch::ExpectClose(c) => (&c.session, c.within.as_ref()),
            };
            let idx = self.session_index(s)?;
            self.open(idx).await?;
            sessions.push(idx);
            idxs.push(idx);
            wait = wait.max(t.map_or(self.sc.step_timeout, |t| t.value.0));
        }
        sessions.sort_unstable();
        sessions.dedup();
        let deadline = Instant::now() + wait;
        loop {
            let ev = self.next_event(&sessions, deadline).await?;
            let Some(ev) = ev else {
                // A close branch `by: any` is taken when nothing came.
                for (k, b) in branches.iter().enumerate() {
                    if let Branch::ExpectClose(c) = &b.value
                        && c.by == Some(CloseBy::Any)
                    {
                        self.disconnect(idxs[k], false).await;
                        return self
                            .take_branch(
                                k,
                                c.level.as_ref(),
                                c.then.as_ref(),
                                "nothing came; we closed".into(),
                            )
                            .await;
                    }
                }
                return Err(fail(format!(
                    "timeout after {wait:?}: none of the {} outcomes happened",
                    branches.len()
                )));
            };
            let idx = ev.session;
            match ev.kind {
                NetKind::Frame(r) => {
                    let mut reasons = Vec::new();
                    for (k, b) in branches.iter().enumerate() {
                        let Branch::Expect(e) = &b.value else {
                            continue;
                        };
                        if idxs[k] != idx {
                            continue;
                        }
                        match self.try_match(e, idx, &r) {
                            Ok(a) => {
                                let d = self.on_match(e, idx, &r, a).await?;
                                return self
                                    .take_branch(k, e.level.as_ref(), e.then.as_ref(), d)
                                    .await;
                            }
                            Err(Mismatch::Content(w)) => reasons.push(format!("#{}: {w}", k + 1)),
                            Err(Mismatch::Type) => {}
                        }
                    }
                    if self.is_auto(&r) {
                        self.auto_respond(idx, &r).await?;
                        continue;
                    }
                    let why = if reasons.is_empty() {
                        String::new()
                    } else {
                        format!(" ({})", reasons.join("; "))
                    };
                    return Err(fail(format!(
                        "{} matches none of the {} outcomes{why}",
                        r.summary(),
                        branches.len()
                    )));
                }
                NetKind::Closed(info) => {
                    for (k, b) in branches.iter().enumerate() {
                        let Branch::ExpectClose(c) = &b.value else {
                            continue;
                        };
                        if idxs[k] == idx && c.how.is_none_or(|h| Some(h) == info.how) {
                            let d = format!("the peer closed ({info})");
                            return self
                                .take_branch(k, c.level.as_ref(), c.then.as_ref(), d)
                                .await;
                        }
                    }
                    return Err(fail(format!(
                        "the peer closed the connection ({info}): none of the outcomes"
                    )));
                }
                NetKind::Garbage { bytes, error } => {
                    return Err(fail(format!(
                        "the peer sent {} octets that do not frame ({error})",
                        bytes.len()
                    )));
                }
            }
        }
    }

    async fn take_branch(
        &mut self,
        k: usize,
        level: Option<&Spanned<Level>>,
        then: Option<&'a Vec<Spanned<Step>>>,
        detail: String,
    ) -> Result<String, Fail> {
        let level = level.map_or(Level::Must, |l| l.value);
        self.grade = self.grade.max(level);
        if level != Level::Must {
            self.notes
                .push(format!("any_of: outcome #{} ({level}): {detail}", k + 1));
        }
        if let Some(steps) = then {
            self.exec_steps(steps).await?;
        }
        Ok(format!("outcome #{} ({level}): {detail}", k + 1))
    }

    async fn expect_close(&mut self, c: &'a ExpectClose) -> Result<String, Fail> {
        let idx = self.session_index(&c.session)?;
        let wait = c
            .within
            .as_ref()
            .map_or(self.sc.step_timeout, |t| t.value.0);
        let deadline = Instant::now() + wait;
        loop {
            let Some(ev) = self.next_event(&[idx], deadline).await? else {
                if c.by == Some(CloseBy::Any) {
                    self.disconnect(idx, false).await;
                    return Ok(format!("still open after {wait:?}: we closed"));
                }
                return Err(fail(format!("the peer did not close within {wait:?}")));
            };
            match ev.kind {
                NetKind::Closed(info) => {
                    if let Some(h) = c.how
                        && info.how != Some(h)
                    {
                        return Err(fail(format!(
                            "the connection ended with {info}, expected {}",
                            if h == CloseHow::Fin { "FIN" } else { "RST" }
                        )));
                    }
                    return Ok(format!("closed by the peer ({info})"));
                }
                NetKind::Frame(r) => {
                    if self.is_auto(&r) {
                        self.auto_respond(idx, &r).await?;
                        continue;
                    }
                    return Err(fail(format!("unexpected {} before the close", r.summary())));
                }
                NetKind::Garbage { bytes, error } => {
                    return Err(fail(format!(
                        "the peer sent {} octets that do not frame ({error}) before the close",
                        bytes.len()
                    )));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::glob;

    #[test]
    fn globs() {
        assert!(glob("4.4.*", "4.4.1/submit-ok"));
        assert!(glob("*/submit-*", "4.4.1/submit-ok"));
        assert!(glob("s*", "s10"));
        assert!(!glob("s?", "s10"));
        assert!(glob("*", ""));
        assert!(!glob("2.3/*", "4.4.1/x"));
    }
}
