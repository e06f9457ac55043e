//! End to end: submit_sm → submit_sm_resp over loopback TCP, an ESME client against an SMSC server
//! of the same implementation in one process (tokio, 2 worker threads), for this crate (`smpp`)
//! and for `smpp34` in the same run. `binds` transceiver sessions, each with `window` requests in
//! flight, share the messages.
//!
//! Ids are `e2e/<binds>x<window>/<implementation>` (`e2e/1x64/smpp`, `e2e/4x64/smpp34`, ...);
//! throughput is counted in messages (one submit_sm and its response). The workload is
//! `examples/e2e_load.rs`, also runnable by hand and under `perf`.
//!
//! After the timed runs, peak memory: each implementation and shape runs once more in a process
//! of its own (this binary re-executed), which sends 500 000 messages and reads its peak resident
//! set (VmHWM in /proc/self/status) at the end; the table printed last has both.
//!
//! ```sh
//! cargo bench --bench e2e                   # full run (about a minute)
//! cargo bench --bench e2e -- --test         # each once, and a short memory run
//! SMPP_E2E_RSS=0 cargo bench --bench e2e    # no memory runs
//! ```

#[path = "../examples/e2e_load.rs"]
mod load;

use std::time::Duration;

use criterion::{Criterion, Throughput};
use load::{Implementation, Rig};

const SHAPES: [(usize, usize); 2] = [(1, 64), (4, 64)];
const IMPLEMENTATIONS: [Implementation; 2] = [Implementation::Smpp, Implementation::Smpp34];
const CHILD_ENV: &str = "SMPP_E2E_CHILD";

fn bench(c: &mut Criterion) {
    for (binds, window) in SHAPES {
        let mut group = c.benchmark_group(format!("e2e/{binds}x{window}"));
        group.throughput(Throughput::Elements(1));
        group.sample_size(10);
        group.warm_up_time(Duration::from_secs(1));
        group.measurement_time(Duration::from_secs(4));
        for implementation in IMPLEMENTATIONS {
            let rt = load::runtime();
            let rig = rt.block_on(Rig::setup(implementation, binds, window));
            group.bench_function(implementation.name(), |b| {
                b.iter_custom(|messages| rt.block_on(rig.run(window, messages)));
            });
            rt.block_on(rig.stop());
        }
        group.finish();
    }
}

/// Runs one shape of one implementation in a child process; its output line.
fn child(implementation: Implementation, binds: usize, window: usize, count: u64) -> String {
    let exe = std::env::current_exe().expect("current_exe");
    let out = std::process::Command::new(exe)
        .env(
            CHILD_ENV,
            format!("{} {binds} {window} {count}", implementation.name()),
        )
        .output()
        .expect("run the memory child");
    assert!(out.status.success(), "child failed: {out:?}");
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

fn field<'a>(line: &'a str, key: &str) -> &'a str {
    line.split_whitespace()
        .find_map(|kv| kv.strip_prefix(key)?.strip_prefix('='))
        .unwrap_or("?")
}

fn memory(count: u64) {
    println!("\npeak RSS, each in its own process ({count} messages after a warm-up of a tenth):");
    println!(
        "{:<18} {:>12} {:>14} {:>10}",
        "id", "msgs/s", "peak RSS KiB", "vs smpp34"
    );
    for (binds, window) in SHAPES {
        let lines: Vec<String> = IMPLEMENTATIONS
            .iter()
            .map(|&i| child(i, binds, window, count))
            .collect();
        let rss = |l: &str| field(l, "peak_rss_kib").parse::<f64>().unwrap_or(f64::NAN);
        let rate = |l: &str| field(l, "msgs_per_s").parse::<f64>().unwrap_or(f64::NAN);
        for (i, line) in IMPLEMENTATIONS.iter().zip(&lines) {
            let ratio = format!(
                "x{:.2} / x{:.2}",
                rate(line) / rate(&lines[1]),
                rss(line) / rss(&lines[1])
            );
            println!(
                "{:<18} {:>12.0} {:>14.0} {:>10}",
                format!("e2e/{binds}x{window}/{}", i.name()),
                rate(line),
                rss(line),
                ratio
            );
        }
    }
}

fn main() {
    if let Ok(spec) = std::env::var(CHILD_ENV) {
        let parts: Vec<&str> = spec.split_whitespace().collect();
        let implementation = Implementation::parse(parts[0]).expect("implementation");
        let n = |i: usize| parts[i].parse::<u64>().expect("number");
        println!(
            "{}",
            load::load(implementation, n(1) as usize, n(2) as usize, n(3))
        );
        return;
    }
    let test_mode = std::env::args().any(|a| a == "--test");
    let list_mode = std::env::args().any(|a| a == "--list");
    let mut c = Criterion::default().configure_from_args();
    bench(&mut c);
    c.final_summary();
    if !list_mode && std::env::var("SMPP_E2E_RSS").as_deref() != Ok("0") {
        memory(if test_mode { 20_000 } else { 500_000 });
    }
}
