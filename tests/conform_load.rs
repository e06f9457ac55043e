//! The scenario loader: good files load, and every kind of mistake is reported with its
//! file:line:column.

use std::path::{Path, PathBuf};

use smpp::conform::load::{load_paths, load_profile, load_str};
use smpp::conform::model::{Level, Role, Step};

const HEAD: &str = "id: 4.4.1/t\ntitle: t\nspec: x\n";

fn errors(yaml: &str) -> Vec<(u64, u64, String)> {
    match load_str(yaml, Path::new("t.yaml")) {
        Ok(_) => Vec::new(),
        Err(e) => e
            .into_iter()
            .map(|e| (e.line, e.column, e.message))
            .collect(),
    }
}

/// One error, at this line and column, whose message contains `needle`.
#[track_caller]
fn one_error(yaml: &str, line: u64, column: u64, needle: &str) {
    let e = errors(yaml);
    assert_eq!(e.len(), 1, "{e:#?}");
    let (l, c, m) = &e[0];
    assert!(m.contains(needle), "`{m}` lacks `{needle}`");
    assert_eq!((*l, *c), (line, column), "{m}");
}

#[test]
fn a_full_scenario_loads() {
    let yaml = r#"
id: 4.4.1/submit-receipt
title: submit then receipt
spec: "§4.4.1"
level: should
role: esme
requires: [submit_sm, delivery_receipts]
description: text
vars: { text: n, n: 3 }
sessions: [tx, rx]
auto_respond: [enquire_link, deliver_sm]
timeouts: { step: 2s, scenario: 30s }
steps:
  - send: { session: tx, pdu: bind_transmitter, as: b }
  - expect: { session: tx, pdu: bind_transmitter_resp, reply_to: b, status: { one_of: [ESME_ROK, 0] } }
  - send: { session: tx, pdu: submit_sm, as: s, fields: { short_message: "${text}", esm_class: 0x40 }, tlvs: { 0x1400: { hex: "00" } } }
  - expect_all:
      - { session: tx, pdu: submit_sm_resp, reply_to: s, capture: { id: message_id } }
      - { session: rx, pdu: deliver_sm, as: d, respond: { status: ESME_ROK }, fields: { esm_class: { mask: 0x3c, eq: 4 } } }
  - any_of:
      - expect: { session: tx, pdu: generic_nack, level: info, then: [ { sleep: 10ms } ] }
      - expect_close: { session: tx, within: 1s, by: any, how: fin, level: should }
  - respond: { to: d, fields: { message_id: "" } }
  - capture: { from: d, vars: { st: { field: short_message, regex: 'stat:(\w+)' } } }
  - check: { value: "${st}", is: { regex: '^[A-Z]+$' } }
  - set: { x: "${id}-${n}" }
  - repeat: { count: 2, var: k, steps: [ { send: { session: tx, pdu: enquire_link, as: "e${k}" } } ] }
  - expect: { session: tx, pdu: enquire_link_resp, reply_to: "e*", count: 2, timeout: 500ms, optional: true }
  - send: { session: rx, raw: "00000010 00000015 00000000 00000007" }
  - send: { session: rx, pdu: 0x00000099, body: [ { u8: 1 }, { c_octet: "x" }, { tlv: { tag: 0x1400, value: "01", length: 9 } } ] }
  - send: { session: rx, pdu: submit_sm, mutate: { truncate: { at: 20 } } }
  - disconnect: { session: rx, how: reset }
  - connect: { session: rx }
"#;
    let s = load_str(yaml, Path::new("a.yaml")).unwrap_or_else(|e| panic!("{e:#?}"));
    assert_eq!(s.len(), 1);
    let s = &s[0];
    assert_eq!(s.id(), "4.4.1/submit-receipt");
    assert_eq!(s.doc.level, Level::Should);
    assert_eq!(s.doc.role, Role::Esme);
    assert_eq!(s.sessions, ["tx", "rx"]);
    assert_eq!(s.auto_respond.len(), 2);
    assert_eq!(s.step_timeout.as_secs(), 2);
    assert_eq!(s.doc.steps.len(), 16);
    assert!(matches!(s.doc.steps[3].value, Step::ExpectAll(_)));
    assert_eq!(s.doc.steps[0].referenced.line(), 14);
}

#[test]
fn several_documents_in_one_file() {
    let yaml = format!(
        "{HEAD}steps: [ {{ sleep: 1ms }} ]\n---\nid: 4.4.1/u\ntitle: u\nspec: x\nsteps: [ {{ sleep: 1ms }} ]\n"
    );
    let s = load_str(&yaml, Path::new("m.yaml")).unwrap();
    assert_eq!(s.len(), 2);
    assert_eq!(s[1].doc.id.referenced.line(), 6);
}

#[test]
fn yaml_and_structure_errors() {
    // unknown top-level key
    one_error(&format!("{HEAD}stepz: []\n"), 4, 1, "unknown field `stepz`");
    // unknown step kind
    one_error(
        &format!("{HEAD}steps:\n  - sned: {{}}\n"),
        5,
        5,
        "unknown variant `sned`",
    );
    // unknown key inside a step
    one_error(
        &format!("{HEAD}steps:\n  - expect: {{ pdu: submit_sm_resp, reply_too: s }}\n"),
        5,
        36,
        "unknown field `reply_too`",
    );
    // a bad level
    one_error(
        &format!("{HEAD}level: may\nsteps: []\n"),
        4,
        8,
        "unknown variant `may`",
    );
    // a duration without a unit
    one_error(
        &format!("{HEAD}steps:\n  - sleep: 5\n"),
        5,
        12,
        "needs a unit",
    );
    // broken YAML
    let e = errors(&format!("{HEAD}steps: [\n"));
    assert_eq!(e.len(), 1);
    assert!(e[0].0 >= 4, "{e:?}");
    // a missing key
    one_error(
        "id: 4.4.1/t\ntitle: t\nsteps: []\n",
        3,
        1,
        "missing field `spec`",
    );
}

#[test]
fn semantic_errors_point_at_the_value() {
    let s = |steps: &str| format!("{HEAD}steps:\n{steps}");
    one_error(
        &s("  - send: { pdu: submit_sm, fields: { destination: \"1\" } }\n"),
        5,
        52,
        "submit_sm has no field `destination`",
    );
    one_error(
        &s("  - send: { pdu: submit_sm, fields: { esm_class: 300 } }\n"),
        5,
        50,
        "esm_class: 300 is above 255",
    );
    one_error(
        &s("  - send: { pdu: submit_sm, tlvs: { user_msg_ref: 1 } }\n"),
        5,
        51,
        "unknown TLV `user_msg_ref`",
    );
    one_error(
        &s("  - send: { pdu: submit_smm }\n"),
        5,
        18,
        "unknown PDU `submit_smm`",
    );
    one_error(
        &s("  - expect: { pdu: submit_sm_resp, reply_to: nobody }\n"),
        5,
        46,
        "no earlier send is named `nobody`",
    );
    one_error(
        &s("  - expect: { pdu: submit_sm_resp, status: ESME_NOPE }\n"),
        5,
        44,
        "unknown command_status `ESME_NOPE`",
    );
    one_error(
        &s("  - expect: { pdu: submit_sm_resp, fields: { message_id: { regexp: x } } }\n"),
        5,
        58,
        "unknown matcher `regexp`",
    );
    one_error(
        &s("  - expect: { pdu: submit_sm_resp, fields: { short_message: x } }\n"),
        5,
        61,
        "submit_sm_resp has no field `short_message`",
    );
    one_error(
        &s("  - send: { pdu: submit_sm, fields: { short_message: \"${nosuch}\" } }\n"),
        5,
        54,
        "undefined variable `nosuch`",
    );
    one_error(
        &s("  - send: { session: b, pdu: enquire_link }\n"),
        5,
        22,
        "unknown session `b`",
    );
    one_error(
        &s("  - send: { pdu: enquire_link, raw: \"00\" }\n"),
        5,
        5,
        "takes no `pdu`",
    );
    one_error(&s("  - send: { raw: \"zz\" }\n"), 5, 18, "bad hex");
    one_error(
        &s("  - send: { pdu: submit_sm, mutate: { c_octet_too_long: esm_class } }\n"),
        5,
        37,
        "not a C-Octet String",
    );
    one_error(
        &s("  - respond: { to: nobody }\n"),
        5,
        20,
        "no earlier expect names a PDU `nobody`",
    );
    one_error(
        &s("  - expect: { pdu: submit_sm_resp, level: info }\n"),
        5,
        43,
        "level is for any_of branches",
    );
    one_error(
        &s("  - expect: { pdu: submit_sm, capture: { x: { fild: a } } }\n"),
        5,
        45,
        "unknown capture key `fild`",
    );
    one_error(
        &s("  - check: { value: x, is: { range: [5, 1] } }\n"),
        5,
        28,
        "range [5, 1] is empty",
    );
    one_error(
        &s("  - repeat: { count: 0, steps: [ { sleep: 1ms } ] }\n"),
        5,
        22,
        "repeat count",
    );
    one_error(
        &format!("{HEAD}requires: [teleport]\nsteps: [ {{ sleep: 1ms }} ]\n"),
        4,
        12,
        "unknown capability `teleport`",
    );
    one_error(
        "id: bad id\ntitle: t\nspec: x\nsteps: [ { sleep: 1ms } ]\n",
        1,
        5,
        "is not SECTION/name",
    );
}

#[test]
fn all_problems_of_a_file_are_listed() {
    let yaml = format!(
        "{HEAD}steps:\n  - send: {{ pdu: submit_sm, fields: {{ destination: \"1\", esm_class: 300 }} }}\n  - expect: {{ pdu: x }}\n"
    );
    assert_eq!(errors(&yaml).len(), 3);
}

#[test]
fn paths_duplicates_and_skipped_names() {
    let dir = std::env::temp_dir().join(format!("conform-load-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    std::fs::create_dir_all(dir.join("_peers")).unwrap();
    let one = format!("{HEAD}steps: [ {{ sleep: 1ms }} ]\n");
    std::fs::write(dir.join("a.yaml"), &one).unwrap();
    std::fs::write(dir.join("sub/b.yml"), &one).unwrap();
    std::fs::write(dir.join("_peers/p.yaml"), "not: a scenario\n").unwrap();
    std::fs::write(dir.join(".hidden.yaml"), "junk").unwrap();
    std::fs::write(dir.join("notes.txt"), "junk").unwrap();
    let e = load_paths(std::slice::from_ref(&dir)).unwrap_err();
    assert_eq!(e.len(), 1, "{e:#?}");
    assert!(e[0].message.contains("duplicate id `4.4.1/t`"), "{}", e[0]);
    assert!(
        e[0].to_string().contains("b.yml:1:5: duplicate id"),
        "{}",
        e[0]
    );
    std::fs::remove_file(dir.join("sub/b.yml")).unwrap();
    assert_eq!(load_paths(std::slice::from_ref(&dir)).unwrap().len(), 1);
    let missing = load_paths(&[PathBuf::from("/nonexistent/conform")]).unwrap_err();
    assert!(missing[0].message.contains("no such file"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_suite_loads() {
    let s = load_paths(&[PathBuf::from("conformance")]).unwrap_or_else(|e| {
        panic!(
            "{}",
            e.iter()
                .map(|e| e.to_string())
                .collect::<Vec<_>>()
                .join("\n")
        )
    });
    assert!(s.len() >= 25, "{}", s.len());
}

#[test]
fn profiles() {
    let dir = std::env::temp_dir().join(format!("conform-profile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let good = dir.join("good.yaml");
    std::fs::write(
        &good,
        "name: peer\nlacks: [submit_multi]\nvars: { system_id: x }\nknown: { \"2.3/*\": note }\n",
    )
    .unwrap();
    let p = load_profile(&good).unwrap();
    assert_eq!(p.lacks[0].value, "submit_multi");
    let bad = dir.join("bad.yaml");
    std::fs::write(&bad, "lacks: [teleport]\n").unwrap();
    let e = load_profile(&bad).unwrap_err();
    assert_eq!((e[0].line, e[0].column), (1, 9));
    std::fs::write(&bad, "lack: []\n").unwrap();
    assert!(
        load_profile(&bad).unwrap_err()[0]
            .message
            .contains("unknown field `lack`")
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// The YAML scenarios of a Markdown file (code blocks that start with `id:` or a comment line).
fn yaml_examples(md: &str) -> Vec<String> {
    md.split("```yaml\n")
        .skip(1)
        .filter_map(|b| b.split("```").next())
        .filter(|b| b.starts_with("id:") || b.starts_with("# conformance"))
        .map(str::to_owned)
        .collect()
}

#[test]
fn the_documented_examples_load() {
    for doc in ["conformance/FORMAT.md", "README.md"] {
        let md = std::fs::read_to_string(doc).unwrap();
        let examples = yaml_examples(&md);
        assert!(!examples.is_empty(), "{doc}");
        for (i, y) in examples.iter().enumerate() {
            if let Err(e) = load_str(y, Path::new(doc)) {
                panic!("{doc} example {i}: {e:#?}");
            }
        }
    }
}

#[test]
fn the_coverage_table_lists_every_scenario() {
    let table = std::fs::read_to_string("conformance/README.md").unwrap();
    let missing: Vec<String> = load_paths(&[PathBuf::from("conformance")])
        .unwrap()
        .iter()
        .map(|s| s.id().to_owned())
        .filter(|id| !table.contains(&format!("`{id}`")))
        .collect();
    assert!(
        missing.is_empty(),
        "conformance/README.md lacks {missing:?} (regenerate from smpp-conform --list)"
    );
}
