//! `--to-scenario` on the real captures: the YAML is compared with the golden files in
//! `fixtures/pcap/real/scenarios/` (`UPDATE_GOLDEN=1` rewrites them), and read back with
//! `serde-saphyr` to check its structure against `conformance/FORMAT.md`: the keys of each step
//! kind, `reply_to` naming an earlier `send`, every `${variable}` defined before its use, message
//! ids captured, time stamps left open.

use std::collections::HashSet;
use std::path::PathBuf;

use serde_json::Value;
use smpp::pcap::read::Capture;
use smpp::replay::scenario::{ScenarioOptions, to_scenario};
use smpp::replay::{self, Plan};

const CAPTURES: &[&str] = &[
    "node-client_node-server.pcap",
    "python-client_node-server.pcap",
];

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/pcap/real")
}

fn plans(name: &str) -> Vec<Plan> {
    let (sessions, _) = Capture::open(dir().join(name)).unwrap().sessions();
    replay::plans(&sessions)
}

/// Every session of the capture, as `smpp-replay --to-scenario` writes them.
fn scenarios(name: &str) -> String {
    let opts = ScenarioOptions::new(name);
    plans(name)
        .iter()
        .map(|p| to_scenario(p, &opts))
        .collect::<Vec<_>>()
        .join("---\n")
}

#[test]
fn scenarios_of_the_real_captures_match_the_golden_files() {
    for name in CAPTURES {
        let yaml = scenarios(name);
        let stem = name.trim_end_matches(".pcap");
        let golden = dir().join("scenarios").join(format!("{stem}.yaml"));
        if std::env::var_os("UPDATE_GOLDEN").is_some() {
            std::fs::create_dir_all(golden.parent().unwrap()).unwrap();
            std::fs::write(&golden, &yaml).unwrap();
        }
        let expected = std::fs::read_to_string(&golden)
            .unwrap_or_else(|e| panic!("{}: {e} (UPDATE_GOLDEN=1 writes it)", golden.display()));
        assert_eq!(
            yaml, expected,
            "{name}: rerun with UPDATE_GOLDEN=1 if the change is meant"
        );
    }
}

const TOP: &[&str] = &[
    "id",
    "title",
    "spec",
    "level",
    "role",
    "requires",
    "description",
    "vars",
    "sessions",
    "auto_respond",
    "timeouts",
    "steps",
];
const SEND: &[&str] = &[
    "session",
    "pdu",
    "as",
    "sequence_number",
    "command_status",
    "fields",
    "tlvs",
    "mutate",
    "command_length",
    "body",
    "raw",
];
const EXPECT: &[&str] = &[
    "session",
    "pdu",
    "reply_to",
    "status",
    "sequence_number",
    "command_length",
    "fields",
    "tlvs",
    "strict",
    "as",
    "capture",
    "respond",
    "count",
    "timeout",
    "optional",
];
const RESPOND: &[&str] = &["session", "to", "status", "fields", "tlvs"];
const CAPABILITIES: &[&str] = &[
    "bind_transmitter",
    "bind_receiver",
    "bind_transceiver",
    "outbind",
    "submit_sm",
    "submit_multi",
    "distribution_lists",
    "deliver_sm",
    "data_sm",
    "query_sm",
    "cancel_sm",
    "replace_sm",
    "alert_notification",
    "delivery_receipts",
    "intermediate_notifications",
    "message_payload",
    "sar",
    "udh",
    "ucs2",
    "latin1",
    "scheduled_delivery",
    "enquire_link_in_open",
];
const BUILT_INS: &[&str] = &[
    "system_id",
    "password",
    "system_type",
    "source_addr",
    "destination_addr",
    "bad_password",
    "unknown_system_id",
    "scenario_id",
];

fn keys(v: &Value) -> Vec<&str> {
    v.as_object()
        .map(|m| m.keys().map(String::as_str).collect())
        .unwrap_or_default()
}

fn only_keys(v: &Value, allowed: &[&str], what: &str) {
    assert!(v.is_object(), "{what}: {v}");
    for k in keys(v) {
        assert!(allowed.contains(&k), "{what}: unknown key {k}");
    }
}

/// Every `${name}` in the strings of `v` (`$${` is a literal).
fn uses(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => {
            let s = s.replace("$${", "");
            let mut rest = s.as_str();
            while let Some(i) = rest.find("${") {
                let tail = &rest[i + 2..];
                let end = tail.find('}').expect("closed ${");
                out.push(tail[..end].to_owned());
                rest = &tail[end..];
            }
        }
        Value::Array(a) => a.iter().for_each(|x| uses(x, out)),
        Value::Object(m) => m.values().for_each(|x| uses(x, out)),
        _ => {}
    }
}

struct Check {
    defined: HashSet<String>,
    sends: HashSet<String>,
    captured: usize,
    open_times: usize,
}

impl Check {
    fn defined(&self, v: &Value, what: &str) {
        let mut used = Vec::new();
        uses(v, &mut used);
        for u in used {
            assert!(
                self.defined.contains(&u),
                "{what}: ${{{u}}} used before it is defined"
            );
        }
    }

    fn expectation(&mut self, e: &Value) {
        only_keys(e, EXPECT, "expect");
        assert!(e["pdu"].is_string(), "expect.pdu: {e}");
        if let Some(r) = e.get("reply_to") {
            let r = r.as_str().unwrap();
            assert!(self.sends.contains(r), "reply_to {r} names no earlier send");
        }
        if let Some(r) = e.get("respond") {
            only_keys(r, RESPOND, "respond");
        }
        for (k, m) in e
            .get("fields")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            if ["final_date", "schedule_delivery_time", "validity_period"].contains(&k.as_str()) {
                assert_eq!(m, &serde_json::json!({"any": true}), "{k} is left open");
                self.open_times += 1;
            }
            if k == "message_id" {
                // A message id is never matched literally: it was captured before.
                let s = m.as_str().unwrap_or_default();
                assert!(s.is_empty() || s.starts_with("${msg_id_"), "message_id {m}");
            }
        }
        // Matchers may use what earlier steps defined; captures count after the step.
        self.defined(&e["fields"], "expect.fields");
        self.defined(&e["tlvs"], "expect.tlvs");
    }

    fn captures(&mut self, e: &Value) {
        for (var, _) in e
            .get("capture")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            self.defined.insert(var.clone());
            self.captured += 1;
        }
    }
}

#[test]
fn scenarios_follow_the_format() {
    for name in CAPTURES {
        let yaml = scenarios(name);
        let docs: Vec<Value> = serde_saphyr::from_multiple(&yaml).unwrap();
        assert_eq!(docs.len(), plans(name).len());
        let mut ids = HashSet::new();
        for doc in &docs {
            only_keys(doc, TOP, "scenario");
            let id = doc["id"].as_str().unwrap();
            assert!(ids.insert(id.to_owned()), "id {id} twice");
            let (section, rest) = id.split_once('/').unwrap();
            assert!(section.split('.').all(|n| n.parse::<u32>().is_ok()), "{id}");
            assert!(
                rest.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-/".contains(c)),
                "{id}"
            );
            for k in ["title", "spec", "description"] {
                assert!(doc[k].is_string(), "{k}");
            }
            assert_eq!(doc["role"], "esme");
            for r in doc["requires"].as_array().into_iter().flatten() {
                assert!(CAPABILITIES.contains(&r.as_str().unwrap()), "{r}");
            }
            let mut c = Check {
                defined: BUILT_INS.iter().map(|s| (*s).to_owned()).collect(),
                sends: HashSet::new(),
                captured: 0,
                open_times: 0,
            };
            for k in keys(&doc["vars"]) {
                c.defined.insert(k.to_owned());
            }
            let steps = doc["steps"].as_array().unwrap();
            assert!(!steps.is_empty());
            for step in steps {
                let kinds = keys(step);
                assert_eq!(kinds.len(), 1, "a step is a map with one key: {step}");
                let body = &step[kinds[0]];
                match kinds[0] {
                    "send" => {
                        only_keys(body, SEND, "send");
                        assert!(
                            body.get("pdu").is_some() != body.get("raw").is_some(),
                            "typed or raw: {body}"
                        );
                        c.defined(body, "send");
                        let name = body["as"].as_str().unwrap().to_owned();
                        assert!(c.sends.insert(name), "as names one send");
                    }
                    "expect" => {
                        c.expectation(body);
                        c.captures(body);
                    }
                    "expect_all" => {
                        let items = body.as_array().unwrap();
                        assert!(items.len() > 1);
                        for e in items {
                            c.expectation(e);
                        }
                        for e in items {
                            c.captures(e);
                        }
                    }
                    "check" => {
                        only_keys(body, &["value", "is"], "check");
                        c.defined(body, "check");
                    }
                    "expect_close" => only_keys(body, &["session", "within", "by", "how"], "close"),
                    other => panic!("unexpected step kind {other}"),
                }
            }
            // Every message id the SMSC gave is captured.
            let sm_resps = steps
                .iter()
                .flat_map(|s| {
                    let body = s.get("expect").map(|e| vec![e.clone()]);
                    body.or_else(|| s.get("expect_all").and_then(|a| a.as_array().cloned()))
                        .unwrap_or_default()
                })
                .filter(|e| e["pdu"] == "submit_sm_resp" && e["status"] == "ESME_ROK")
                .count();
            assert!(c.captured >= sm_resps, "{id}: {} < {sm_resps}", c.captured);
            if id.ends_with("conn0") {
                // The transceiver sessions: receipts and query_sm_resp hold time stamps.
                assert!(c.open_times > 0, "{id}");
            }
        }
    }
}

#[test]
fn the_node_scenario_reuses_the_captured_ids() {
    let yaml = scenarios("node-client_node-server.pcap");
    let docs: Vec<Value> = serde_saphyr::from_multiple(&yaml).unwrap();
    let steps = docs[0]["steps"].as_array().unwrap();
    let sends: Vec<&Value> = steps.iter().filter_map(|s| s.get("send")).collect();
    // The bind carries the variables, their captured values in vars.
    assert_eq!(sends[0]["fields"]["system_id"], "${system_id}");
    assert_eq!(docs[0]["vars"]["password"], "secret");
    // query_sm asks for the first message by the id captured from its submit_sm_resp.
    let query = sends.iter().find(|s| s["pdu"] == "query_sm").unwrap();
    assert_eq!(query["fields"]["message_id"], "${msg_id_1}");
    // The refused bind of session 1 keeps its literal password.
    let bind1 = &docs[1]["steps"][0]["send"];
    assert_eq!(bind1["fields"]["password"], "badpass1");
    assert_eq!(docs[1]["steps"][1]["expect"]["status"], "ESME_RINVPASWD");
    // The MO message on the receiver (session 2) is answered as the ESME answered it.
    let mo = &docs[2]["steps"][1]["expect_all"][1];
    assert_eq!(mo["pdu"], "deliver_sm");
    assert_eq!(mo["fields"]["short_message"], "MO interop test 1");
    assert_eq!(mo["respond"], serde_json::json!({}));
    // The scenario's id names the spec section of its main request.
    assert_eq!(docs[0]["id"], "4.4/replay-node-client_node-server-conn0");
    assert_eq!(docs[1]["id"], "4.1/replay-node-client_node-server-conn1");
}
