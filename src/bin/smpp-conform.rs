//! `smpp-conform`: runs SMPP v3.4 conformance scenarios against an SMSC (or an ESME) and reports,
//! case by case, where the peer departs from the spec. See `conformance/FORMAT.md`.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, ValueEnum};
use smpp::conform::{self, Level, Options};

#[derive(Debug, Clone, Copy, ValueEnum)]
enum LevelArg {
    Must,
    Should,
    Info,
}

/// Runs SMPP v3.4 conformance scenarios against a peer.
///
/// Exit codes: 0 all passed, 1 a scenario failed (with --expect: an outcome changed),
/// 2 a scenario file (or profile, lock file, option) is invalid, 3 the target is unreachable.
#[derive(Debug, Parser)]
#[command(name = "smpp-conform", version)]
struct Cli {
    /// Scenario files or directories (default: conformance/)
    paths: Vec<PathBuf>,
    /// The SMSC under test, host:port (default: an SMSC started in-process on a free port)
    #[arg(long, value_name = "HOST:PORT")]
    target: Option<String>,
    /// system_id of the binds (${system_id}; default "conform")
    #[arg(long)]
    system_id: Option<String>,
    /// password of the binds (${password}; default "secret")
    #[arg(long)]
    password: Option<String>,
    /// system_type of the binds (${system_type}; default empty)
    #[arg(long)]
    system_type: Option<String>,
    /// Listen here for the ESME under test (role smsc scenarios)
    #[arg(long, value_name = "ADDR")]
    listen: Option<String>,
    /// Run only scenarios whose id matches this glob (repeatable, comma-separated)
    #[arg(long, value_delimiter = ',')]
    only: Vec<String>,
    /// Leave out scenarios whose id matches this glob (repeatable, comma-separated)
    #[arg(long, value_delimiter = ',')]
    exclude: Vec<String>,
    /// Run scenarios of this level and stricter (must: only MUSTs)
    #[arg(long, value_enum)]
    level: Option<LevelArg>,
    /// List the scenarios selected and exit
    #[arg(long)]
    list: bool,
    /// Write a JUnit XML report
    #[arg(long, value_name = "FILE")]
    junit: Option<PathBuf>,
    /// Write a JSON report (with wire logs)
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
    /// -v: wire log (hex and decoded, with times) of failing cases; -vv: of every case, and debug logs
    #[arg(short, long, action = clap::ArgAction::Count)]
    verbose: u8,
    /// Save the run's traffic as a pcap that Wireshark decodes
    #[arg(long, value_name = "FILE")]
    pcap_out: Option<PathBuf>,
    /// Peer profile: what the peer lacks, its variables, its known deviations
    #[arg(long, value_name = "FILE")]
    profile: Option<PathBuf>,
    /// Lock file of known outcomes: fail only when an outcome changes
    #[arg(long, value_name = "FILE")]
    expect: Option<PathBuf>,
    /// Write the outcomes of this run as a lock file
    #[arg(long, value_name = "FILE")]
    write_expect: Option<PathBuf>,
    /// Set a variable, name=value (repeatable)
    #[arg(long = "var", value_name = "NAME=VALUE")]
    vars: Vec<String>,
    /// Bound of each connect to the target, e.g. 3s
    #[arg(long, default_value = "3s", value_parser = parse_duration)]
    connect_timeout: Duration,
    /// No progress bar
    #[arg(long)]
    no_progress: bool,
}

fn parse_duration(s: &str) -> Result<Duration, String> {
    conform::model::parse_duration(s)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let filter = match cli.verbose {
        0 | 1 => "warn",
        _ => "debug",
    };
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(filter)),
        )
        .with_writer(std::io::stderr)
        .try_init();
    let opts = Options {
        paths: cli.paths,
        target: cli.target,
        system_id: cli.system_id,
        password: cli.password,
        system_type: cli.system_type,
        listen: cli.listen,
        only: cli.only,
        exclude: cli.exclude,
        level: cli.level.map(|l| match l {
            LevelArg::Must => Level::Must,
            LevelArg::Should => Level::Should,
            LevelArg::Info => Level::Info,
        }),
        list: cli.list,
        junit: cli.junit,
        json: cli.json,
        verbose: cli.verbose,
        pcap_out: cli.pcap_out,
        profile: cli.profile,
        expect: cli.expect,
        write_expect: cli.write_expect,
        vars: cli.vars,
        connect_timeout: cli.connect_timeout,
        progress: !cli.no_progress,
        ..Options::default()
    };
    let code = conform::run(&opts, &mut std::io::stdout(), &mut std::io::stderr());
    ExitCode::from(u8::try_from(code).unwrap_or(1))
}
