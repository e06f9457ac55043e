//! `smpp-replay`: replays the sessions of a packet capture against a live SMSC (`--target`) or to
//! a live ESME (`--listen`) and reports how the peer's PDUs differ from the captured ones; or
//! writes a captured session as an `smpp-conform` scenario (`--to-scenario`).

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{ArgGroup, Parser, ValueEnum};
use smpp::pcap::read::{Capture, ReadOptions};
use smpp::replay::scenario::{ScenarioOptions, to_scenario};
use smpp::replay::{
    CompareOptions, Listener, Plan, ReplayOptions, Timing, plans, run_listen, run_target,
};

const AFTER_HELP: &str = "\
REPLAY (--target, --listen):
  Each SMPP connection of the capture is a session. --target HOST:PORT plays the ESME side:
  it dials the SMSC and sends the ESME's captured PDUs in order, with their captured
  sequence numbers (the bind's fields rewritten by --system-id, --password, --system-type).
  A request is sent once everything the SMSC sent before it in the capture has come (or its
  wait timed out); --timing original also keeps the captured pacing. Responses are matched by
  sequence_number; the SMSC's requests (deliver_sm ...) by order and command_id, and answered
  as the captured ESME answered them (with the SMSC's sequence_number), or ESME_ROK when the
  capture does not hold them. --listen ADDR plays the SMSC side to the ESMEs that connect
  (each connection gets the captured session whose first PDU is the same), answering with the
  captured responses and sending the captured deliver_sm ... at their point.

COMPARISON:
  command_id, command_status, every mandatory field by spec name, every TLV, and the parts of a
  delivery receipt's text (short_message.id, .stat, ...). sequence_number is how PDUs are
  matched, not compared. Not compared by default: message_id, receipted_message_id, final_date,
  schedule_delivery_time, validity_period, short_message.id, short_message.submit_date,
  short_message.done_date. --ignore FIELD skips another (repeatable; a TLV by name or 0x1400);
  --compare-all compares everything (and an enquire_link the peer sends on its own counts as
  unexpected; by default it is answered and noted). Missing PDUs, unexpected PDUs and PDUs that
  could not be sent are reported too.

SCENARIO (--to-scenario):
  Writes the session (--session N; all sessions, separated by ---, without it) as an
  smpp-conform scenario in YAML: the ESME's requests as typed sends, what the SMSC sent as
  expectations (message ids captured and reused, time stamps matching anything, the rest
  equality matchers), the SMSC's requests answered as captured.

EXIT STATUS:
  0 every session as captured, 1 differences (or a session not played), 2 usage or capture
  error, 3 target unreachable.

EXAMPLES:
  smpp-replay capture.pcap --target 127.0.0.1:2775
  smpp-replay capture.pcap --target smsc:2775 --session 0 --timing original --system-id me --password pw
  smpp-replay capture.pcap --target 127.0.0.1:2775 --ignore system_id --json | jq .sessions[0].findings
  smpp-replay capture.pcap --listen 127.0.0.1:2775
  smpp-replay capture.pcap --to-scenario --session 0 -o conformance/replay/submit.yaml";

/// Replays captured SMPP sessions against a live peer, or turns one into a conformance scenario.
#[derive(Debug, Parser)]
#[command(name = "smpp-replay", version, after_help = AFTER_HELP)]
#[command(group(ArgGroup::new("mode").required(true).args(["target", "listen", "to_scenario"])))]
struct Args {
    /// The capture (pcap or pcapng).
    capture: PathBuf,

    /// Play the ESME side against the SMSC at HOST:PORT.
    #[arg(long, value_name = "HOST:PORT")]
    target: Option<String>,

    /// Play the SMSC side to ESMEs connecting to ADDR (port 0: any free port; the address is
    /// printed on standard error as `LISTENING ip:port`).
    #[arg(long, value_name = "ADDR")]
    listen: Option<String>,

    /// Write the session as an smpp-conform scenario (YAML) instead of replaying it.
    #[arg(long)]
    to_scenario: bool,

    /// Only this captured session (connection number, as smpp-dump shows it); repeatable.
    #[arg(long, value_name = "N")]
    session: Vec<u32>,

    /// Pacing: as fast as the peer answers, or the captured pacing.
    #[arg(long, value_enum, default_value_t = TimingArg::Fast)]
    timing: TimingArg,

    /// Rewrite the bind's system_id.
    #[arg(long, value_name = "ID")]
    system_id: Option<String>,

    /// Rewrite the bind's password.
    #[arg(long, value_name = "PASSWORD")]
    password: Option<String>,

    /// Rewrite the bind's system_type.
    #[arg(long, value_name = "TYPE")]
    system_type: Option<String>,

    /// How long a response (or a request the peer sent at that point) is waited for: 500ms, 5s,
    /// 1m.
    #[arg(long, value_name = "DURATION", default_value = "5s", value_parser = parse_duration)]
    timeout: Duration,

    /// Bound of the whole replay.
    #[arg(long, value_name = "DURATION", default_value = "120s", value_parser = parse_duration)]
    overall_timeout: Duration,

    /// Also skip this field when comparing (repeatable).
    #[arg(long, value_name = "FIELD")]
    ignore: Vec<String>,

    /// Compare every field, message ids and time stamps too.
    #[arg(long)]
    compare_all: bool,

    /// Print the report as one JSON object.
    #[arg(long)]
    json: bool,

    /// --to-scenario: write to FILE instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,

    /// --to-scenario: the scenario's id (one session only).
    #[arg(long, value_name = "ID")]
    id: Option<String>,

    /// The TCP port SMPP runs on in the capture (either end); 0 looks at every port.
    #[arg(long, value_name = "PORT", default_value_t = smpp::pcap::read::DEFAULT_PORT)]
    port: u16,

    /// Also follow connections on other ports whose first octets look like SMPP.
    #[arg(long)]
    any_port: bool,

    /// Log what is sent and received (-v) on standard error.
    #[arg(short, long, action = clap::ArgAction::Count)]
    verbose: u8,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum TimingArg {
    /// As fast as the peer answers; sessions one after the other.
    Fast,
    /// The captured pacing; sessions at their captured offsets, concurrently.
    Original,
}

fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let split = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(s.len());
    let (num, unit) = s.split_at(split);
    let n: f64 = num
        .parse()
        .map_err(|_| format!("`{s}` is not a duration (500ms, 5s, 1m)"))?;
    let secs = match unit {
        "ms" => n / 1000.0,
        "" | "s" => n,
        "m" => n * 60.0,
        other => return Err(format!("unknown unit `{other}` (ms, s or m)")),
    };
    if !secs.is_finite() || !(0.0..=86_400.0).contains(&secs) {
        return Err(format!("`{s}` is out of range"));
    }
    Ok(Duration::from_secs_f64(secs))
}

fn main() -> ExitCode {
    let args = Args::parse();
    if args.verbose > 0 {
        let level = if args.verbose > 1 {
            tracing::Level::TRACE
        } else {
            tracing::Level::DEBUG
        };
        tracing_subscriber::fmt()
            .with_writer(std::io::stderr)
            .with_max_level(level)
            .init();
    }
    match run(&args) {
        Ok(code) => ExitCode::from(code),
        Err(msg) => {
            eprintln!("smpp-replay: {msg}");
            ExitCode::from(2)
        }
    }
}

fn run(args: &Args) -> Result<u8, String> {
    let read = ReadOptions::default()
        .with_port(args.port)
        .with_any_port(args.any_port);
    let file = std::fs::File::open(&args.capture)
        .map_err(|e| format!("cannot read {}: {e}", args.capture.display()))?;
    let capture =
        Capture::new(file, read).map_err(|e| format!("{}: {e}", args.capture.display()))?;
    let (sessions, summary) = capture.sessions();
    for note in &summary.notes {
        eprintln!("smpp-replay: {}: {note}", args.capture.display());
    }
    let mut all = plans(&sessions);
    if !args.session.is_empty() {
        for n in &args.session {
            if !all.iter().any(|p| p.conn == *n) {
                return Err(format!(
                    "{} has no session {n} (it has {})",
                    args.capture.display(),
                    describe(&all)
                ));
            }
        }
        all.retain(|p| args.session.contains(&p.conn));
    }
    if all.is_empty() {
        return Err(format!(
            "{} holds no SMPP session (on port {}; try --port or --any-port)",
            args.capture.display(),
            args.port
        ));
    }
    for plan in &mut all {
        plan.set_credentials(
            args.system_id.as_deref(),
            args.password.as_deref(),
            args.system_type.as_deref(),
        )
        .map_err(|e| e.to_string())?;
    }
    if args.to_scenario {
        return write_scenarios(args, &all);
    }
    let mut compare = if args.compare_all {
        CompareOptions::compare_all()
    } else {
        CompareOptions::default()
    };
    for f in &args.ignore {
        compare = compare.ignore(f.clone());
    }
    let opts = ReplayOptions::default()
        .with_timing(match args.timing {
            TimingArg::Fast => Timing::Fast,
            TimingArg::Original => Timing::Original,
        })
        .with_response_timeout(args.timeout)
        .with_overall_timeout(args.overall_timeout)
        .with_compare(compare);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))?;
    let report = runtime.block_on(async {
        if let Some(target) = &args.target {
            Ok(run_target(&all, target, &opts).await)
        } else {
            let addr = args.listen.as_deref().unwrap_or("127.0.0.1:2775");
            let listener = Listener::bind(addr)
                .await
                .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
            if let Ok(a) = listener.local_addr() {
                eprintln!("LISTENING {a}");
            }
            Ok::<_, String>(run_listen(&all, listener, &opts).await)
        }
    })?;
    if args.json {
        println!("{}", report.to_json());
    } else {
        print!("{}", report.to_text());
    }
    Ok(u8::try_from(report.exit_code()).unwrap_or(1))
}

fn describe(plans: &[Plan]) -> String {
    if plans.is_empty() {
        return "none".into();
    }
    plans
        .iter()
        .map(|p| p.conn.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

fn write_scenarios(args: &Args, plans: &[Plan]) -> Result<u8, String> {
    if args.id.is_some() && plans.len() > 1 {
        return Err("--id names one scenario: pick one session with --session".into());
    }
    let name = args
        .capture
        .file_name()
        .map_or_else(|| "capture".into(), |n| n.to_string_lossy().into_owned());
    let mut out = String::new();
    for (i, plan) in plans.iter().enumerate() {
        let mut opts = ScenarioOptions::new(name.clone());
        if let Some(id) = &args.id {
            opts = opts.with_id(id.clone());
        }
        if i > 0 {
            out.push_str("---\n");
        }
        out.push_str(&to_scenario(plan, &opts));
    }
    match &args.output {
        Some(path) => std::fs::write(path, out)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?,
        None => print!("{out}"),
    }
    Ok(0)
}
