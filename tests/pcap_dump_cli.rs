//! Runs `smpp-dump` on the synthetic captures: text and NDJSON records with time stamps,
//! connections and directions, error records for stream problems, `--stats`, `--port` and
//! `--any-port`, a capture on standard input, and exit statuses.

use std::io::Write;
use std::process::{Command, Stdio};

use serde_json::{Value, json};

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(args: &[&str], stdin: Option<&[u8]>) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_smpp-dump"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("smpp-dump runs");
    {
        let mut pipe = child.stdin.take().unwrap();
        if let Some(input) = stdin {
            pipe.write_all(input).unwrap();
        }
    }
    let out = child.wait_with_output().unwrap();
    Run {
        code: out.status.code().expect("exit status"),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

fn fixture(name: &str) -> String {
    format!(
        "{}/fixtures/pcap/synthetic/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

fn records(r: &Run) -> Vec<Value> {
    r.stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}")))
        .collect()
}

#[test]
fn json_records_carry_time_connection_and_direction() {
    let r = run(&[&fixture("clean.pcap"), "--json"], None);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let recs = records(&r);
    assert_eq!(recs.len(), 12);
    let first = &recs[0];
    assert_eq!(first["command_id"], "bind_transceiver");
    assert_eq!(first["system_id"], "esme01");
    assert_eq!(first["ts"], "2023-11-14T22:13:20.001000Z");
    assert_eq!(first["frame_number"], 4);
    assert_eq!(first["connection"], "192.0.2.10:41000 → 192.0.2.20:2775");
    assert_eq!(first["src"], json!({"ip": "192.0.2.10", "port": 41000}));
    assert_eq!(first["dst"], json!({"ip": "192.0.2.20", "port": 2775}));
    assert_eq!(first["direction"], "esme_to_smsc");
    assert_eq!(first["conn"], 0);
    assert_eq!(first["offset"], 0);
    assert_eq!(first["gap_before"], false);
    let deliver = &recs[6];
    assert_eq!(deliver["command_id"], "deliver_sm");
    assert_eq!(deliver["direction"], "smsc_to_esme");
    assert_eq!(deliver["short_message_text"], "Hi back");
    assert_eq!(deliver["connection"], "192.0.2.20:2775 → 192.0.2.10:41000");
    // The same records from the pcapng and IPv6 forms (addresses and time stamps aside).
    let ng = records(&run(&[&fixture("clean.pcapng"), "--json"], None));
    assert_eq!(ng, recs);
    let v6 = records(&run(&[&fixture("ipv6.pcap"), "--json"], None));
    assert_eq!(
        v6[0]["connection"],
        "[2001:db8::10]:41000 → [2001:db8::20]:2775"
    );
    assert_eq!(v6[0]["src"]["ip"], "2001:db8::10");
}

#[test]
fn stream_problems_are_error_records_and_decoding_goes_on() {
    let r = run(&[&fixture("gap_resync.pcap"), "--json"], None);
    assert_eq!(r.code, 1);
    let recs = records(&r);
    let kinds: Vec<String> = recs
        .iter()
        .map(|v| match v["error"]["problem"].as_str() {
            Some(p) => format!("!{p}"),
            None => v["command_id"].as_str().unwrap().to_owned(),
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "bind_transceiver",
            "bind_transceiver_resp",
            "!incomplete",
            "!gap",
            "!skipped",
            "submit_sm",
            "submit_sm_resp",
            "submit_sm_resp"
        ]
    );
    assert_eq!(recs[2]["error"]["kind"], "length_mismatch");
    assert_eq!(recs[2]["error"]["cut_by"], "gap");
    assert_eq!(recs[3]["error"]["missing"], 20);
    assert_eq!(recs[3]["offset"], 59);
    assert_eq!(recs[4]["error"]["skipped"], 35);
    assert_eq!(recs[4]["error"]["cause"], "gap");
    assert_eq!(recs[5]["gap_before"], true);
    assert_eq!(recs[5]["short_message_text"], "this one arrives");

    let text = run(&[&fixture("gap_resync.pcap")], None);
    assert_eq!(text.code, 1);
    assert!(text.stdout.contains(
        "[2023-11-14T22:13:20.011000Z #7 conn 0 esme_to_smsc 192.0.2.10:41000 → 192.0.2.20:2775 @59] error: 20 octets missing from the capture\n"
    ), "{}", text.stdout);
    assert!(
        text.stdout
            .contains("@114] (after missing octets) submit_sm seq=3")
    );
}

#[test]
fn stats_count_commands_statuses_and_latency() {
    let r = run(&[&fixture("clean.pcap"), "--stats", "--json"], None);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: Value = serde_json::from_str(r.stdout.trim()).unwrap();
    assert_eq!(v["pdus"], 12);
    assert_eq!(v["connections"], 1);
    assert_eq!(v["command_ids"]["submit_sm"], 2);
    assert_eq!(v["command_statuses"]["ESME_ROK"], 5);
    assert_eq!(v["command_statuses"]["ESME_RTHROTTLED"], 1);
    // submit_sm 2 answered after 4 ms, submit_sm 3 after 1 ms.
    assert_eq!(
        v["latency"]["submit_sm"],
        json!({"count": 2, "min_ms": 1.0, "median_ms": 1.0, "p95_ms": 4.0, "max_ms": 4.0, "unanswered": 0})
    );
    assert_eq!(v["latency"]["deliver_sm"]["median_ms"], 2.0);
    assert_eq!(v["latency"]["bind_transceiver"]["max_ms"], 2.0);

    let t = run(&[&fixture("clean.pcap"), "--stats"], None);
    assert_eq!(t.code, 0);
    for line in [
        "12 PDUs on 1 connection(s)",
        "ESME_RTHROTTLED                     1",
        "submit_sm                    2      1.000      1.000      4.000      4.000          0",
        "conn 0: ESME 192.0.2.10:41000 ↔ SMSC 192.0.2.20:2775",
    ] {
        assert!(t.stdout.contains(line), "{line:?} not in\n{}", t.stdout);
    }

    let cut = run(&[&fixture("cut_off.pcap"), "--stats", "--json"], None);
    let v: Value = serde_json::from_str(cut.stdout.trim()).unwrap();
    assert_eq!(v["problems"]["incomplete"], 1);
    assert_eq!(cut.code, 1);
}

#[test]
fn port_and_any_port() {
    let r = run(&[&fixture("clean.pcap"), "--port", "9999", "--json"], None);
    assert_eq!((r.code, r.stdout.as_str()), (0, ""));
    for flags in [&["--port", "9999", "--any-port"][..], &["--port", "0"][..]] {
        let mut args = vec![fixture("clean.pcap")];
        args.extend(flags.iter().map(|s| (*s).to_owned()));
        args.push("--json".into());
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let r = run(&args, None);
        assert_eq!(r.code, 0, "{flags:?}");
        assert_eq!(records(&r).len(), 12, "{flags:?}");
    }
}

#[test]
fn capture_on_standard_input_and_cut_short() {
    let bytes = std::fs::read(fixture("coalesced.pcap")).unwrap();
    let r = run(&["--json"], Some(&bytes));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(records(&r).len(), 10);
    let r = run(&["-", "--json"], Some(&bytes[..bytes.len() - 30]));
    assert_eq!(r.code, 1);
    // Only the last record (the final ACK) is cut: every PDU is there, the note goes to stderr.
    assert_eq!(records(&r).len(), 10);
    assert!(
        r.stderr
            .contains("the capture ends in the middle of a record"),
        "{}",
        r.stderr
    );
}

#[test]
fn usage_errors() {
    let r = run(
        &[
            &fixture("clean.pcap"),
            &format!(
                "{}/fixtures/pdus/enquire_link.hex",
                env!("CARGO_MANIFEST_DIR")
            ),
        ],
        None,
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("cannot be mixed"));
    let r = run(&["00000010000000150000000000000003", "--stats"], None);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("--stats needs a packet capture"));
    // Hex input is untouched by the capture support.
    let r = run(&["00000010000000150000000000000003"], None);
    assert_eq!(r.code, 0);
    assert_eq!(r.stdout, "[0] enquire_link seq=3 status=ESME_ROK len=16\n");
}
