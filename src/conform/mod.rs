//! `smpp-conform`: a YAML-scripted conformance runner against any SMPP peer.
//!
//! A scenario (`conformance/FORMAT.md`) scripts one side of a conversation (the ESME against an
//! SMSC under test, or the SMSC against an ESME under test) step by step: typed or deliberately
//! malformed sends, expectations with matchers, alternative outcomes graded must / should / info,
//! captures, timeouts. The runner is a scripted peer over tokio TCP: it writes exactly what the
//! scenario says and checks every frame that comes back.
//!
//! * [`model`]: the file format as serde types; [`load`]: discovery, parsing, checks with
//!   `file:line:column`; [`build`]: PDUs from field names; [`matcher`]: matchers and captures;
//! * [`runner`]: one scenario against a peer; [`net`]: connections, wire log, capture;
//! * [`report`]: console summary, JSON, JUnit, lock files; [`run`]: the whole CLI run.
//!
//! With no `--target`, [`Options::embedded`] starts a peer in-process (see [`EmbeddedPeer`]): today
//! the small [`builtin_peer`], tomorrow `smpp-sim`.

pub mod build;
pub mod builtin_peer;
pub mod load;
pub mod matcher;
pub mod model;
pub mod net;
pub mod report;
pub mod runner;
pub mod vars;

use std::io::{IsTerminal, Write};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::task::JoinHandle;

pub use load::{LoadError, Scenario};
pub use model::Level;
pub use report::{CaseResult, Lock, Outcome};
pub use runner::{RunEnv, StartEsme};

/// Exit code: every scenario passed (or is non-strict, informational, known, skipped).
pub const EXIT_OK: i32 = 0;
/// Exit code: a scenario failed (with `--expect`: an outcome changed).
pub const EXIT_FAILED: i32 = 1;
/// Exit code: a scenario file (or profile, lock file, option) is invalid; nothing ran.
pub const EXIT_INVALID: i32 = 2;
/// Exit code: the target could not be reached.
pub const EXIT_UNREACHABLE: i32 = 3;

/// A peer started in-process for the default run (no `--target`).
pub struct EmbeddedPeer {
    /// For the reports.
    pub name: String,
    /// Where its SMSC listens (role esme scenarios dial it).
    pub smsc: SocketAddr,
    /// What it supports (used when no `--profile` is given).
    pub profile: model::ProfileDoc,
    /// Starts its ESME against our listener (role smsc scenarios), if it has one.
    pub esme: Option<StartEsme>,
    /// Its tasks, aborted when the peer is dropped.
    pub tasks: Vec<JoinHandle<()>>,
}

impl Drop for EmbeddedPeer {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

/// The hook that starts the in-process peer; called inside the run's tokio runtime.
///
/// To run against the simulator instead of the temporary built-in peer, point
/// [`DEFAULT_EMBEDDED`] at a function of this type that starts `smpp-sim` on a free port.
pub type StartEmbedded = fn() -> std::io::Result<EmbeddedPeer>;

/// The in-process peer of the default run.
pub const DEFAULT_EMBEDDED: StartEmbedded = builtin_peer::start;

/// Everything the command line says.
#[derive(Clone)]
pub struct Options {
    /// Scenario files and directories.
    pub paths: Vec<PathBuf>,
    /// `host:port` of the SMSC under test (`None`: the embedded peer).
    pub target: Option<String>,
    /// Overrides `${system_id}`.
    pub system_id: Option<String>,
    /// Overrides `${password}`.
    pub password: Option<String>,
    /// Overrides `${system_type}`.
    pub system_type: Option<String>,
    /// Where role smsc scenarios listen.
    pub listen: Option<String>,
    /// Id globs to run (any).
    pub only: Vec<String>,
    /// Id globs to leave out.
    pub exclude: Vec<String>,
    /// Run scenarios of this level and stricter (`must`: only must).
    pub level: Option<Level>,
    /// List the scenarios, run nothing.
    pub list: bool,
    /// JUnit XML report.
    pub junit: Option<PathBuf>,
    /// JSON report.
    pub json: Option<PathBuf>,
    /// 1: wire logs of failing cases; 2: of every case.
    pub verbose: u8,
    /// Capture of the run's traffic.
    pub pcap_out: Option<PathBuf>,
    /// Peer profile.
    pub profile: Option<PathBuf>,
    /// Lock file to compare with.
    pub expect: Option<PathBuf>,
    /// Lock file to write.
    pub write_expect: Option<PathBuf>,
    /// `name=value` overrides.
    pub vars: Vec<String>,
    /// Bound of a connect.
    pub connect_timeout: Duration,
    /// Show a progress bar (when stderr is a terminal).
    pub progress: bool,
    /// The in-process peer hook.
    pub embedded: StartEmbedded,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            paths: Vec::new(),
            target: None,
            system_id: None,
            password: None,
            system_type: None,
            listen: None,
            only: Vec::new(),
            exclude: Vec::new(),
            level: None,
            list: false,
            junit: None,
            json: None,
            verbose: 0,
            pcap_out: None,
            profile: None,
            expect: None,
            write_expect: None,
            vars: Vec::new(),
            connect_timeout: Duration::from_secs(3),
            progress: true,
            embedded: DEFAULT_EMBEDDED,
        }
    }
}

/// The scenarios `opts` selects (`--only`, `--exclude`, `--level`).
pub fn select(scenarios: Vec<Scenario>, opts: &Options) -> Vec<Scenario> {
    scenarios
        .into_iter()
        .filter(|s| opts.only.is_empty() || opts.only.iter().any(|g| runner::glob(g, s.id())))
        .filter(|s| !opts.exclude.iter().any(|g| runner::glob(g, s.id())))
        .filter(|s| opts.level.is_none_or(|l| s.doc.level <= l))
        .collect()
}

fn parse_vars(list: &[String]) -> Result<Vec<(String, String)>, String> {
    list.iter()
        .map(|kv| {
            kv.split_once('=')
                .map(|(k, v)| (k.trim().to_owned(), v.to_owned()))
                .filter(|(k, _)| !k.is_empty())
                .ok_or_else(|| format!("--var {kv}: expected name=value"))
        })
        .collect()
}

/// Runs the command line: loads, selects, runs, reports. Returns the exit code.
pub fn run(opts: &Options, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let paths = if opts.paths.is_empty() {
        vec![PathBuf::from("conformance")]
    } else {
        opts.paths.clone()
    };
    let scenarios = match load::load_paths(&paths) {
        Ok(s) => s,
        Err(errors) => {
            let mut files: Vec<&PathBuf> = errors.iter().map(|e| &e.file).collect();
            files.sort();
            files.dedup();
            for e in &errors {
                let _ = writeln!(err, "{e}");
            }
            let _ = writeln!(
                err,
                "smpp-conform: {} problem(s) in {} file(s); nothing was run",
                errors.len(),
                files.len()
            );
            return EXIT_INVALID;
        }
    };
    let profile = match &opts.profile {
        None => None,
        Some(p) => match load::load_profile(p) {
            Ok(doc) => Some(doc),
            Err(errors) => {
                for e in &errors {
                    let _ = writeln!(err, "{e}");
                }
                return EXIT_INVALID;
            }
        },
    };
    let lock = match &opts.expect {
        None => None,
        Some(p) => match Lock::read(p) {
            Ok(l) => Some(l),
            Err(e) => {
                let _ = writeln!(err, "smpp-conform: --expect {e}");
                return EXIT_INVALID;
            }
        },
    };
    let cli_vars = match parse_vars(&opts.vars) {
        Ok(v) => v,
        Err(e) => {
            let _ = writeln!(err, "smpp-conform: {e}");
            return EXIT_INVALID;
        }
    };
    let selected = select(scenarios, opts);
    if opts.list {
        for s in &selected {
            let _ = writeln!(
                out,
                "{:<44} {:<6} {:<4} {}",
                s.id(),
                s.doc.level,
                s.doc.role.as_str(),
                s.doc.title
            );
        }
        let _ = writeln!(out, "{} scenarios", selected.len());
        return EXIT_OK;
    }
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            let _ = writeln!(err, "smpp-conform: cannot start the runtime: {e}");
            return EXIT_UNREACHABLE;
        }
    };
    rt.block_on(run_selected(
        opts, selected, profile, lock, cli_vars, out, err,
    ))
}

#[allow(clippy::too_many_arguments)]
async fn run_selected(
    opts: &Options,
    selected: Vec<Scenario>,
    profile: Option<model::ProfileDoc>,
    lock: Option<Lock>,
    cli_vars: Vec<(String, String)>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> i32 {
    let started = Instant::now();
    let mut embedded = None;
    let target = match &opts.target {
        Some(t) => match tokio::net::lookup_host(t.as_str())
            .await
            .map(|mut a| a.next())
        {
            Ok(Some(a)) => Some(a),
            Ok(None) | Err(_) => {
                let _ = writeln!(err, "smpp-conform: target {t}: cannot resolve the address");
                return EXIT_UNREACHABLE;
            }
        },
        None => match (opts.embedded)() {
            Ok(peer) => {
                let a = peer.smsc;
                embedded = Some(peer);
                Some(a)
            }
            Err(e) => {
                let _ = writeln!(err, "smpp-conform: cannot start the embedded peer: {e}");
                return EXIT_UNREACHABLE;
            }
        },
    };
    let mut env = RunEnv::new(target);
    env.connect_timeout = opts.connect_timeout;
    env.cli_vars = cli_vars;
    for (name, value) in [
        ("system_id", &opts.system_id),
        ("password", &opts.password),
        ("system_type", &opts.system_type),
    ] {
        if let Some(v) = value {
            env.builtins.push((name.to_owned(), v.clone()));
        }
    }
    env.profile = profile.or_else(|| embedded.as_ref().map(|p| p.profile.clone()));
    let listen = match &opts.listen {
        Some(l) => Some(l.clone()),
        None if embedded.as_ref().is_some_and(|p| p.esme.is_some()) => Some("127.0.0.1:0".into()),
        None => None,
    };
    if let Some(l) = listen {
        match tokio::net::TcpListener::bind(l.as_str()).await {
            Ok(listener) => {
                env.listen_addr = listener.local_addr().ok();
                env.listener = Some(Arc::new(tokio::sync::Mutex::new(listener)));
            }
            Err(e) => {
                let _ = writeln!(err, "smpp-conform: --listen {l}: {e}");
                return EXIT_UNREACHABLE;
            }
        }
        if opts.listen.is_none() {
            env.esme = embedded.as_ref().and_then(|p| p.esme.clone());
        }
    }
    let pcap = opts
        .pcap_out
        .as_ref()
        .map(|_| Arc::new(Mutex::new(net::PcapRecorder::default())));
    env.pcap = pcap.clone();
    let target_name = match (&opts.target, &embedded) {
        (Some(t), _) => t.clone(),
        (None, Some(p)) => format!("{} (embedded, {})", p.name, p.smsc),
        (None, None) => "-".into(),
    };
    let _ = writeln!(
        out,
        "smpp-conform {}: {} scenarios against {target_name}{}",
        env!("CARGO_PKG_VERSION"),
        selected.len(),
        env.listen_addr
            .map(|a| format!(", listening on {a}"))
            .unwrap_or_default()
    );
    let bar =
        (opts.progress && selected.len() >= 10 && std::io::stderr().is_terminal()).then(|| {
            let pb = indicatif::ProgressBar::new(selected.len() as u64);
            pb.set_style(
                indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} {elapsed} {msg}")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            pb
        });
    let mut results = Vec::new();
    for sc in &selected {
        if let Some(pb) = &bar {
            pb.set_message(sc.id().to_owned());
        }
        tracing::info!(id = sc.id(), "scenario");
        let mut r = runner::run_case(sc, &env).await;
        if let Some(p) = &env.profile
            && let Some((_, note)) = p.known.iter().find(|(g, _)| runner::glob(g, &r.id))
        {
            if r.outcome == Outcome::Fail {
                r.outcome = Outcome::Known;
            }
            r.known = Some(note.clone());
        }
        if let Some(l) = &lock {
            r.lock = Some(l.check(&r));
        }
        let notable = r.outcome != Outcome::Pass || r.lock.as_ref().is_some_and(|l| l.changed);
        match &bar {
            Some(pb) => {
                if notable {
                    pb.println(r.line());
                }
                pb.inc(1);
            }
            None => {
                let _ = writeln!(out, "{}", r.line());
            }
        }
        results.push(r);
    }
    if let Some(pb) = bar {
        pb.finish_and_clear();
    }
    drop(embedded);
    let elapsed = started.elapsed();
    let _ = write!(
        out,
        "{}",
        report::summary(&results, elapsed, opts.verbose >= 2)
    );
    if opts.verbose > 0 {
        for r in &results {
            if opts.verbose >= 2 || r.outcome.is_failure() || r.outcome == Outcome::Known {
                let _ = writeln!(out, "\n=== {} ({}) wire log ===", r.id, r.outcome);
                for s in &r.steps {
                    let _ = writeln!(
                        out,
                        "  line {:>3} {:<12} {:?}: {}",
                        s.line, s.kind, s.status, s.detail
                    );
                }
                let _ = write!(out, "{}", report::wire_text(&r.wire));
            }
        }
    }
    let info = report::RunInfo {
        target: target_name,
        listen: env.listen_addr.map(|a| a.to_string()),
        profile: env.profile.as_ref().and_then(|p| p.name.clone()),
        elapsed,
    };
    let mut code = EXIT_OK;
    let mut write_failed = |what: &str, e: String, err: &mut dyn Write| {
        let _ = writeln!(err, "smpp-conform: {what}: {e}");
        code = EXIT_FAILED;
    };
    if let Some(p) = &opts.json {
        let text =
            serde_json::to_string_pretty(&report::to_json(&results, &info)).unwrap_or_default();
        if let Err(e) = std::fs::write(p, text + "\n") {
            write_failed("--json", e.to_string(), err);
        }
    }
    if let Some(p) = &opts.junit
        && let Err(e) = std::fs::write(p, report::to_junit(&results, &info))
    {
        write_failed("--junit", e.to_string(), err);
    }
    if let (Some(p), Some(rec)) = (&opts.pcap_out, &pcap) {
        let res = rec
            .lock()
            .map_err(|e| e.to_string())
            .and_then(|r| r.write(p).map_err(|e| e.to_string()));
        if let Err(e) = res {
            write_failed("--pcap-out", e, err);
        }
    }
    if let Some(p) = &opts.write_expect
        && let Err(e) = Lock::of(&results).write(p)
    {
        write_failed("--write-expect", e, err);
    }
    let unreachable = results
        .iter()
        .any(|r| r.outcome == Outcome::Error && r.lock.as_ref().is_none_or(|l| l.changed));
    let failed = match &lock {
        Some(_) => results
            .iter()
            .any(|r| r.lock.as_ref().is_some_and(|l| l.changed)),
        None => results.iter().any(|r| r.outcome == Outcome::Fail),
    };
    if unreachable {
        EXIT_UNREACHABLE
    } else if failed {
        EXIT_FAILED
    } else {
        code
    }
}
