//! The `smpp-replay` binary: a capture replayed between two of its processes (`--listen` and
//! `--target`), its exit statuses, `--json`, and `--to-scenario` against the golden files.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_smpp-replay");

fn real(name: &str) -> String {
    format!("{}/fixtures/pcap/real/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(BIN).args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Starts `--listen 127.0.0.1:0` on the capture; returns the process and its address.
fn listen(capture: &str, extra: &[&str]) -> (std::process::Child, String) {
    let mut child = Command::new(BIN)
        .args([
            capture,
            "--listen",
            "127.0.0.1:0",
            "--overall-timeout",
            "30s",
        ])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let mut line = String::new();
    BufReader::new(stderr).read_line(&mut line).unwrap();
    let addr = line
        .trim()
        .strip_prefix("LISTENING ")
        .unwrap_or_else(|| panic!("no LISTENING line: {line:?}"))
        .to_owned();
    (child, addr)
}

#[test]
fn listen_and_target_processes_find_each_other_as_captured() {
    let capture = real("python-client_node-server.pcap");
    let (listener, addr) = listen(&capture, &[]);
    let (code, out, err) = run(&[&capture, "--target", &addr]);
    assert_eq!(code, 0, "{out}{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 4, "{out}");
    assert!(lines[0].starts_with(
        "session 0 (ESME 127.0.0.1:42828 ↔ SMSC 127.0.0.1:2775, 12 + 12 PDUs captured) with SMSC "
    ));
    assert!(lines[0].ends_with(": sent 12, received 12: same"));
    assert!(lines[3].starts_with("3 session(s) replayed against 127.0.0.1:"));
    assert!(lines[3].ends_with(
        ": 3 same, 0 different; not compared: final_date, message_id, receipted_message_id, \
         schedule_delivery_time, short_message.done_date, short_message.id, \
         short_message.submit_date, validity_period"
    ));
    let done = listener.wait_with_output().unwrap();
    assert_eq!(done.status.code(), Some(0));
    let listen_out = String::from_utf8_lossy(&done.stdout);
    assert!(
        listen_out.contains("3 session(s) replayed on 127.0.0.1:"),
        "{listen_out}"
    );
    assert!(listen_out.contains(": 3 same, 0 different"));
}

#[test]
fn json_report_and_differences_give_exit_status_1() {
    let capture = real("node-client_node-server.pcap");
    // The SMSC side rewrites the bind the ESME must send: each bind now differs.
    let (listener, addr) = listen(&capture, &["--session", "1", "--password", "other"]);
    let (code, out, _) = run(&[&capture, "--target", &addr, "--session", "1", "--json"]);
    assert_eq!(code, 0, "{out}");
    let esme: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(esme["mode"], "target");
    assert_eq!(esme["sessions"][0]["outcome"], "same");
    let done = listener.wait_with_output().unwrap();
    assert_eq!(done.status.code(), Some(1));
    let text = String::from_utf8_lossy(&done.stdout);
    assert!(
        text.contains(
            "  #11 bind_transmitter seq=1: differs\n      password: \"other\" → \"badpass1\"\n"
        ),
        "{text}"
    );
}

#[test]
fn unreachable_target_and_usage_errors() {
    let capture = real("node-client_node-server.pcap");
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let started = Instant::now();
    let (code, out, _) = run(&[&capture, "--target", &format!("127.0.0.1:{port}")]);
    assert_eq!(code, 3, "{out}");
    assert!(out.contains("unreachable: cannot connect to 127.0.0.1:"));
    assert!(started.elapsed() < Duration::from_secs(20));

    let (code, _, err) = run(&[&capture]);
    assert_eq!(code, 2);
    assert!(err.contains("--target"), "{err}");
    let (code, _, err) = run(&[&capture, "--to-scenario", "--session", "7"]);
    assert_eq!(code, 2);
    assert!(err.contains("has no session 7 (it has 0, 1, 2)"), "{err}");
    let (code, _, err) = run(&[env!("CARGO_MANIFEST_DIR"), "--to-scenario"]);
    assert_eq!(code, 2, "{err}");
    let (code, _, err) = run(&[
        &capture,
        "--target",
        "x:1",
        "--system-id",
        "a-very-long-system-id",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("--system-id"), "{err}");
    let (code, _, err) = run(&[&capture, "--to-scenario", "--id", "4.4/x"]);
    assert_eq!(code, 2);
    assert!(err.contains("--id names one scenario"), "{err}");
}

#[test]
fn to_scenario_writes_the_golden_file() {
    for stem in ["node-client_node-server", "python-client_node-server"] {
        let capture = real(&format!("{stem}.pcap"));
        let out =
            std::env::temp_dir().join(format!("smpp-replay-{}-{stem}.yaml", std::process::id()));
        let (code, stdout, err) = run(&[&capture, "--to-scenario", "-o", out.to_str().unwrap()]);
        assert_eq!(code, 0, "{err}");
        assert!(stdout.is_empty());
        let written = std::fs::read_to_string(&out).unwrap();
        let _ = std::fs::remove_file(&out);
        let golden = std::fs::read_to_string(format!(
            "{}/fixtures/pcap/real/scenarios/{stem}.yaml",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap();
        assert_eq!(written, golden);
    }
    // One session, with an id of our choosing, on standard output.
    let (code, stdout, _) = run(&[
        &real("node-client_node-server.pcap"),
        "--to-scenario",
        "--session",
        "1",
        "--id",
        "4.1/bad-password",
    ]);
    assert_eq!(code, 0);
    assert!(stdout.starts_with(
        "# smpp-replay --to-scenario node-client_node-server.pcap --session 1\nid: \"4.1/bad-password\"\n"
    ));
    assert!(!stdout.contains("---"));
}
