//! `smpp-sim`: an SMPP v3.4 SMSC simulator (see `smpp::sim`).

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use smpp::sim::{Account, MoConfig, OutcomeMix, Rule, SimConfig, Simulator, parse_duration};

const AFTER_HELP: &str = "\
MAGIC NUMBERS (destination_addr starting with; --no-magic turns them off):
  999001 ESME_RINVDSTADR   999002 ESME_RSYSERR   999003 ESME_RTHROTTLED
  999004 ESME_RMSGQFUL     999005 ESME_RSUBMITFAIL
  999010 no response       999011 response after 2 s   999012 response after 30 s
  999020 at most 1 message/s, ESME_RTHROTTLED beyond
  999030 receipt UNDELIV   999031 receipt EXPIRED   999032 receipt REJECTD
  999033 receipt DELIVRD   999034 no receipt        999035 receipt after 10 s
  A text starting with 'sim:ACTIONS' applies ACTIONS to that message, e.g.
  'sim:status=0x45', 'sim:delay=3s', 'sim:no-reply', 'sim:receipt=UNDELIV,err=5'.

RULES (--rule, repeatable; before the magic numbers, first match wins):
  KEY=VALUE,... with matchers dest=ADDR, dest-prefix=DIGITS, text=WORDS (contained) and actions
  status=NAME|0xNN|N, delay=250ms|2s, no-reply, throttle=N (per second), receipt=STAT, err=N,
  receipt-delay=D, no-receipt.   e.g. --rule 'dest-prefix=4479,delay=1s'

MO FILE (--mo-file): one message a line, 'SOURCE DESTINATION TEXT...'; '#' starts a comment.

CONFIG (--config FILE.yaml): the options below by their long names, plus accounts
  (- {system_id: test, password: secret}), rules (strings or mappings), outcomes
  ({DELIVRD: 90, UNDELIV: 10}) and mo ({file, rate, count, to, on-bind, source, destination}).
  Flags given on the command line override the file.

LOGS: RUST_LOG (e.g. RUST_LOG=smpp=debug) or -v (debug) / -vv (trace). A summary is printed
  on stderr on Ctrl-C or SIGTERM.

EXAMPLES:
  smpp-sim --listen 127.0.0.1:2775 --account test:secret
  smpp-sim --account test:secret --receipt-delay 2s --outcomes DELIVRD=90,UNDELIV=5,EXPIRED=3,REJECTD=2 --seed 7
  smpp-sim --account test:secret --mo-rate 0.5 --rule 'text=slow,delay=5s'";

/// An SMPP v3.4 SMSC simulator: accounts, message store (query/cancel/replace), delivery
/// receipts with a delay and an outcome mix, behaviour injection, MO messages, a summary.
#[derive(Debug, Parser)]
#[command(name = "smpp-sim", version, after_help = AFTER_HELP)]
struct Args {
    /// YAML configuration file.
    #[arg(long, short = 'c', value_name = "FILE")]
    config: Option<PathBuf>,
    /// Address to listen on (port 0 picks a free one) [default: 127.0.0.1:2775].
    #[arg(long, short = 'l', value_name = "HOST:PORT")]
    listen: Option<String>,
    /// An account, SYSTEM_ID:PASSWORD (repeatable). None: every bind is accepted.
    #[arg(long, short = 'a', value_name = "ID:PW")]
    account: Vec<Account>,
    /// system_id in bind responses [default: smpp-sim].
    #[arg(long)]
    system_id: Option<String>,
    /// Most connections at once [default: 100].
    #[arg(long)]
    max_connections: Option<usize>,
    /// Window of deliver_sm towards each ESME [default: 64].
    #[arg(long)]
    window: Option<usize>,
    /// Per-session throttle: message requests a second, ESME_RTHROTTLED beyond.
    #[arg(long, value_name = "PER_SECOND")]
    throttle: Option<f64>,
    /// Time from submission (or schedule_delivery_time) to the final state and its receipt
    /// [default: 500ms].
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    receipt_delay: Option<Duration>,
    /// Receipt outcome shares, e.g. DELIVRD=90,UNDELIV=5,EXPIRED=3,REJECTD=2 [default: DELIVRD=100].
    #[arg(long, value_name = "MIX")]
    outcomes: Option<OutcomeMix>,
    /// Seed of the outcome draws (same seed, same submissions: same outcomes) [default: 0].
    #[arg(long)]
    seed: Option<u64>,
    /// An injection rule (repeatable), e.g. 'dest=447700900999,status=ESME_RINVDSTADR'.
    #[arg(long, value_name = "RULE")]
    rule: Vec<Rule>,
    /// No built-in magic numbers nor sim: text directives.
    #[arg(long)]
    no_magic: bool,
    /// MO messages from this file (SOURCE DESTINATION TEXT a line).
    #[arg(long, value_name = "FILE")]
    mo_file: Option<PathBuf>,
    /// MO messages a second (from --mo-file, or generated).
    #[arg(long, value_name = "PER_SECOND")]
    mo_rate: Option<f64>,
    /// Stop MO injection after this many messages.
    #[arg(long, value_name = "N")]
    mo_count: Option<u64>,
    /// system_id MO messages go to [default: every account].
    #[arg(long, value_name = "SYSTEM_ID")]
    mo_to: Option<String>,
    /// Send one MO message to each receiver or transceiver that binds.
    #[arg(long)]
    mo_on_bind: bool,
    /// Messages kept for query/cancel/replace [default: 100000].
    #[arg(long, value_name = "N")]
    store_capacity: Option<usize>,
    /// Lenient decoding (accept common deviations from the spec, logged as warnings).
    #[arg(long)]
    lenient: bool,
    /// Stop by itself after this long (seconds, or 10m, 1h, ...), printing the summary.
    #[arg(long, value_name = "DURATION", value_parser = parse_seconds)]
    duration: Option<Duration>,
    /// More logs: -v debug, -vv trace (RUST_LOG overrides).
    #[arg(long, short = 'v', action = clap::ArgAction::Count)]
    verbose: u8,
}

impl Args {
    fn config(self) -> Result<SimConfig, String> {
        let mut c = match &self.config {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| format!("{}: {e}", path.display()))?;
                SimConfig::from_yaml(&text).map_err(|e| format!("{}: {e}", path.display()))?
            }
            None => SimConfig::default(),
        };
        if let Some(v) = self.listen {
            c.listen = v;
        }
        c.accounts.extend(self.account);
        if let Some(v) = self.system_id {
            c.system_id = v;
        }
        if let Some(v) = self.max_connections {
            c.max_connections = v;
        }
        if let Some(v) = self.window {
            c.window = v;
        }
        if self.throttle.is_some() {
            c.throttle = self.throttle;
        }
        if let Some(v) = self.receipt_delay {
            c.receipt_delay = v;
        }
        if let Some(v) = self.outcomes {
            c.outcomes = v;
        }
        if let Some(v) = self.seed {
            c.seed = v;
        }
        // Command-line rules come before those of the file.
        let mut rules = self.rule;
        rules.append(&mut c.rules);
        c.rules = rules;
        if self.no_magic {
            c.magic = false;
        }
        let mo: &mut MoConfig = &mut c.mo;
        if self.mo_file.is_some() {
            mo.file = self.mo_file;
        }
        if self.mo_rate.is_some() {
            mo.rate = self.mo_rate;
        }
        if self.mo_count.is_some() {
            mo.count = self.mo_count;
        }
        if self.mo_to.is_some() {
            mo.to = self.mo_to;
        }
        mo.on_bind |= self.mo_on_bind;
        if let Some(v) = self.store_capacity {
            c.store_capacity = v;
        }
        c.lenient |= self.lenient;
        Ok(c)
    }
}

/// A duration where a bare number is seconds.
fn parse_seconds(s: &str) -> Result<Duration, String> {
    match s.trim().parse::<f64>() {
        Ok(n) => Duration::try_from_secs_f64(n).map_err(|e| format!("bad duration {s:?}: {e}")),
        Err(_) => parse_duration(s),
    }
}

async fn stop_signal(duration: Option<Duration>) -> &'static str {
    let limit = async {
        match duration {
            Some(d) => tokio::time::sleep(d).await,
            None => std::future::pending().await,
        }
    };
    #[cfg(unix)]
    {
        let mut term =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
        let term = async {
            match &mut term {
                Some(t) => {
                    t.recv().await;
                }
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => "SIGINT",
            _ = term => "SIGTERM",
            _ = limit => "--duration elapsed",
        }
    }
    #[cfg(not(unix))]
    {
        tokio::select! {
            _ = tokio::signal::ctrl_c() => "Ctrl-C",
            _ = limit => "--duration elapsed",
        }
    }
}

fn main() -> ExitCode {
    let args = Args::parse();
    let default_level = match args.verbose {
        0 => "info",
        1 => "debug",
        _ => "trace",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default_level));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let duration = args.duration;
    let config = match args.config() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("smpp-sim: {e}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("smpp-sim: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async move {
        let sim = match Simulator::start(config).await {
            Ok(s) => s,
            Err(e) => {
                eprintln!("smpp-sim: {e}");
                return ExitCode::FAILURE;
            }
        };
        // A line for scripts that start it on port 0.
        println!("LISTENING {}", sim.local_addr());
        let why = stop_signal(duration).await;
        tracing::info!("{why}: stopping");
        let summary = sim.shutdown().await;
        eprintln!("{summary}");
        ExitCode::SUCCESS
    })
}
