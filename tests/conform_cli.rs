//! The whole run through `smpp::conform::run` (what the binary calls): exit codes, selection,
//! profiles, lock files and the report formats; plus the binary itself once.

use std::path::{Path, PathBuf};
use std::process::Command as Process;

use smpp::conform::{self, Options};

fn tmp(name: &str) -> PathBuf {
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let d = std::env::temp_dir().join(format!("conform-cli-{}-{n}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

const PASS: &str = "id: 4.11/el-ok
title: enquire_link answered
spec: \"§4.11\"
steps:
  - send: { pdu: bind_transceiver, as: b }
  - expect: { pdu: bind_transceiver_resp, reply_to: b, status: ESME_ROK }
  - send: { pdu: enquire_link, as: e }
  - expect: { pdu: enquire_link_resp, reply_to: e }
";

const FAIL: &str = "id: 4.4.1/wrong-status
title: expects a status the peer does not give
spec: \"§4.4.1\"
level: must
requires: [submit_sm]
steps:
  - send: { pdu: bind_transceiver, as: b }
  - expect: { pdu: bind_transceiver_resp, reply_to: b }
  - send: { pdu: submit_sm, as: s }
  - expect: { pdu: submit_sm_resp, reply_to: s, status: ESME_RTHROTTLED }
";

const SHOULD: &str = "id: 3.4/should-one
title: a should scenario
spec: \"§3.4\"
level: should
steps:
  - send: { pdu: bind_transceiver, as: b }
  - expect: { pdu: bind_transceiver_resp, reply_to: b, tlvs: { sc_interface_version: 0x34 } }
";

fn suite(files: &[(&str, &str)]) -> PathBuf {
    let d = tmp(files.first().map_or("x", |f| f.0));
    for (name, text) in files {
        std::fs::write(d.join(name), text).unwrap();
    }
    d
}

fn run(opts: &Options) -> (i32, String, String) {
    let mut out = Vec::new();
    let mut err = Vec::new();
    let code = conform::run(opts, &mut out, &mut err);
    (
        code,
        String::from_utf8(out).unwrap(),
        String::from_utf8(err).unwrap(),
    )
}

fn opts(paths: &[&Path]) -> Options {
    Options {
        paths: paths.iter().map(|p| p.to_path_buf()).collect(),
        progress: false,
        ..Options::default()
    }
}

#[test]
fn exit_0_when_everything_passes() {
    let d = suite(&[("pass.yaml", PASS)]);
    let (code, out, _) = run(&opts(&[&d]));
    assert_eq!(code, conform::EXIT_OK, "{out}");
    assert!(out.contains("PASS       4.11/el-ok"), "{out}");
    assert!(out.contains("1 scenarios in"), "{out}");
}

#[test]
fn exit_1_when_a_scenario_fails_and_reports_are_written() {
    let d = suite(&[
        ("pass.yaml", PASS),
        ("fail.yaml", FAIL),
        ("should.yaml", SHOULD),
    ]);
    let mut o = opts(&[&d]);
    o.json = Some(d.join("r.json"));
    o.junit = Some(d.join("r.xml"));
    o.pcap_out = Some(d.join("r.pcap"));
    o.verbose = 1;
    let (code, out, _) = run(&o);
    assert_eq!(code, conform::EXIT_FAILED, "{out}");
    assert!(out.contains("FAIL       4.4.1/wrong-status"), "{out}");
    assert!(
        out.contains("status is ESME_ROK, expected ESME_RTHROTTLED"),
        "{out}"
    );
    // -v: the wire log of the failing case, decoded and in hex
    assert!(
        out.contains("=== 4.4.1/wrong-status (fail) wire log ==="),
        "{out}"
    );
    assert!(out.contains(">> submit_sm seq=2"), "{out}");
    assert!(
        out.contains("<< submit_sm_resp seq=2 status=ESME_ROK"),
        "{out}"
    );
    assert!(out.contains("0000  00 00 00"), "{out}");
    // JSON
    let j: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("r.json")).unwrap()).unwrap();
    assert_eq!(j["tool"], "smpp-conform");
    assert_eq!(j["totals"]["fail"], 1);
    assert_eq!(j["totals"]["pass"], 2);
    let fail = j["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "4.4.1/wrong-status")
        .unwrap();
    assert_eq!(fail["outcome"], "fail");
    assert_eq!(fail["level"], "must");
    assert_eq!(fail["steps"][3]["status"], "failed");
    assert_eq!(fail["steps"][3]["line"], 10);
    let wire = fail["wire"].as_array().unwrap();
    assert!(
        wire.iter()
            .any(|w| w["dir"] == "in" && w["pdu"]["command_id"] == "submit_sm_resp")
    );
    // JUnit
    let x = std::fs::read_to_string(d.join("r.xml")).unwrap();
    assert!(x.starts_with("<?xml"), "{x}");
    assert!(
        x.contains("<testsuites name=\"smpp-conform\" tests=\"3\" failures=\"1\""),
        "{x}"
    );
    assert!(
        x.contains("<testcase classname=\"smpp.4.4.1\" name=\"4.4.1/wrong-status\""),
        "{x}"
    );
    assert!(x.contains("<failure message=\"line 10, expect:"), "{x}");
    // pcap: the classic magic, frames for each connection
    let p = std::fs::read(d.join("r.pcap")).unwrap();
    assert_eq!(&p[..4], &[0xd4, 0xc3, 0xb2, 0xa1]);
    assert!(p.len() > 24 + 3 * 16 * 4);
}

#[test]
fn exit_2_on_invalid_files_and_nothing_runs() {
    let bad = "id: 4.4.1/bad\ntitle: t\nspec: x\nsteps:\n  - send: { pdu: submit_sm, fields: { destination: \"1\" } }\n";
    let bad2 = "id: 4.4.1/bad2\ntitle: t\nspec: x\nstepz: []\n";
    let d = suite(&[("pass.yaml", PASS), ("bad.yaml", bad), ("bad2.yaml", bad2)]);
    let (code, out, err) = run(&opts(&[&d]));
    assert_eq!(code, conform::EXIT_INVALID);
    assert!(out.is_empty(), "{out}");
    assert!(
        err.contains("bad.yaml:5:52: submit_sm has no field `destination`"),
        "{err}"
    );
    assert!(
        err.contains("bad2.yaml:4:1: unknown field `stepz`"),
        "{err}"
    );
    assert!(
        err.contains("2 problem(s) in 2 file(s); nothing was run"),
        "{err}"
    );
    // a bad --var is invalid too
    let d = suite(&[("pass.yaml", PASS)]);
    let mut o = opts(&[&d]);
    o.vars = vec!["novalue".into()];
    assert_eq!(run(&o).0, conform::EXIT_INVALID);
}

#[test]
fn exit_3_when_the_target_is_unreachable() {
    let d = suite(&[("pass.yaml", PASS), ("fail.yaml", FAIL)]);
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    drop(l);
    let mut o = opts(&[&d]);
    o.target = Some(addr.to_string());
    let (code, out, _) = run(&o);
    assert_eq!(code, conform::EXIT_UNREACHABLE, "{out}");
    // every case ran (and erred): the run was not aborted
    assert_eq!(out.matches("ERROR").count(), 4, "{out}");
}

#[test]
fn list_and_selection() {
    let d = suite(&[
        ("pass.yaml", PASS),
        ("fail.yaml", FAIL),
        ("should.yaml", SHOULD),
    ]);
    let mut o = opts(&[&d]);
    o.list = true;
    let (code, out, _) = run(&o);
    assert_eq!(code, 0);
    assert!(out.contains("3 scenarios"), "{out}");
    o.only = vec!["4.*".into()];
    o.exclude = vec!["*/wrong-*".into()];
    let (_, out, _) = run(&o);
    assert!(
        out.contains("4.11/el-ok") && out.contains("1 scenarios"),
        "{out}"
    );
    o.only.clear();
    o.exclude.clear();
    o.level = Some(conform::Level::Must);
    let (_, out, _) = run(&o);
    assert!(
        !out.contains("3.4/should-one") && out.contains("2 scenarios"),
        "{out}"
    );
}

#[test]
fn profiles_skip_and_mark_known_deviations() {
    let d = suite(&[("pass.yaml", PASS), ("fail.yaml", FAIL)]);
    let p = d.join("_profile.yaml");
    std::fs::write(
        &p,
        "name: test peer\nlacks: [submit_sm]\nknown: { \"4.11/*\": \"nothing wrong, a test\" }\n",
    )
    .unwrap();
    let mut o = opts(&[&d]);
    o.profile = Some(p.clone());
    let (code, out, _) = run(&o);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("SKIP       4.4.1/wrong-status"), "{out}");
    assert!(out.contains("the peer lacks submit_sm"), "{out}");
    assert!(
        out.contains("known deviation: nothing wrong, a test"),
        "{out}"
    );
    // a known deviation that fails is `known`, not `fail`
    std::fs::write(
        &p,
        "known: { \"4.4.1/wrong-status\": \"the peer is right\" }\n",
    )
    .unwrap();
    let (code, out, _) = run(&o);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("KNOWN      4.4.1/wrong-status"), "{out}");
    // a broken profile is invalid
    std::fs::write(&p, "lacks: [teleport]\n").unwrap();
    assert_eq!(run(&o).0, conform::EXIT_INVALID);
}

#[test]
fn lock_files_gate_on_changes_only() {
    let d = suite(&[("pass.yaml", PASS), ("fail.yaml", FAIL)]);
    let lock = d.join("lock.json");
    let mut o = opts(&[&d]);
    o.write_expect = Some(lock.clone());
    assert_eq!(run(&o).0, conform::EXIT_FAILED);
    let text = std::fs::read_to_string(&lock).unwrap();
    assert!(text.contains("\"4.4.1/wrong-status\": \"fail\""), "{text}");
    assert!(text.contains("\"4.11/el-ok\": \"pass\""), "{text}");
    // the known failure no longer fails the run
    let mut o = opts(&[&d]);
    o.expect = Some(lock.clone());
    let (code, out, _) = run(&o);
    assert_eq!(code, conform::EXIT_OK, "{out}");
    // a changed outcome does, and says so
    std::fs::write(
        &lock,
        text.replace("\"4.11/el-ok\": \"pass\"", "\"4.11/el-ok\": \"fail\""),
    )
    .unwrap();
    let (code, out, _) = run(&o);
    assert_eq!(code, conform::EXIT_FAILED, "{out}");
    assert!(out.contains("CHANGED: locked fail, now pass"), "{out}");
    // a broken lock file is invalid
    std::fs::write(&lock, "{").unwrap();
    assert_eq!(run(&o).0, conform::EXIT_INVALID);
}

#[test]
fn variables_from_the_command_line() {
    let s = "id: 4.1.1/vars
title: t
spec: x
vars: { who: nobody }
steps:
  - send: { pdu: bind_transmitter, as: b, fields: { system_id: \"${who}\" } }
  - expect: { pdu: bind_transmitter_resp, reply_to: b, status: ESME_ROK }
";
    let d = suite(&[("v.yaml", s)]);
    let mut o = opts(&[&d]);
    assert_eq!(run(&o).0, conform::EXIT_FAILED);
    o.vars = vec!["who=conform".into()];
    assert_eq!(run(&o).0, conform::EXIT_OK);
    // --system-id feeds ${system_id}, which binds use by default
    let d = suite(&[("pass.yaml", PASS)]);
    let mut o = opts(&[&d]);
    o.system_id = Some("stranger".into());
    assert_eq!(run(&o).0, conform::EXIT_FAILED);
}

#[test]
fn the_binary() {
    let d = suite(&[("pass.yaml", PASS)]);
    let out = Process::new(env!("CARGO_BIN_EXE_smpp-conform"))
        .arg(&d)
        .arg("--no-progress")
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let bad = Process::new(env!("CARGO_BIN_EXE_smpp-conform"))
        .arg("/nonexistent/scenarios")
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("no such file or directory"));
}
