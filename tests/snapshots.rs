//! insta snapshots of every fixture in `fixtures/pdus/`: the readable form (hex dump and decoded
//! fields) and the JSON form. Each `.snap` under `tests/snapshots/` was checked by eye against the
//! field table in its fixture's header.

use std::path::Path;

use bytes::Bytes;
use smpp::dump::{self, DumpOptions, Items};
use smpp::{Command, DEFAULT_MAX_COMMAND_LENGTH, DecodeOptions};

fn fixtures() -> Vec<(String, Bytes)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/pdus");
    let mut out: Vec<(String, Bytes)> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| {
            let path = e.unwrap().path();
            let name = path.file_name()?.to_str()?.strip_suffix(".hex")?.to_owned();
            let text = std::fs::read_to_string(&path).unwrap();
            Some((name, Bytes::from(dump::parse_hex(&text).unwrap())))
        })
        .collect();
    out.sort();
    out
}

fn settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_prepend_module_to_snapshot(false);
    s.set_omit_expression(true);
    s
}

#[test]
fn text_form_of_every_fixture() {
    let opts = DumpOptions::default();
    settings().bind(|| {
        for (name, frame) in fixtures() {
            let d = Command::decode_with(&frame, DecodeOptions::LENIENT).unwrap();
            let text = format!(
                "{}\n{}",
                dump::hex_dump(&frame),
                dump::to_text(&d.command, &frame, &d.warnings, &opts)
            );
            insta::assert_snapshot!(format!("{name}.text"), text);
        }
    });
}

#[test]
fn json_form_of_every_fixture() {
    let opts = DumpOptions::default();
    settings().bind(|| {
        for (name, frame) in fixtures() {
            let d = Command::decode_with(&frame, DecodeOptions::LENIENT).unwrap();
            let json = dump::to_json(&d.command, &frame, &d.warnings, &opts);
            insta::assert_snapshot!(
                format!("{name}.json"),
                serde_json::to_string_pretty(&json).unwrap()
            );
        }
    });
}

/// A stream with a bad command_length, a PDU whose body does not decode, a PDU with warnings and
/// an incomplete tail: every record in both forms.
#[test]
fn stream_with_errors() {
    let hex = concat!(
        "00000003",                                  // command_length 3
        "00000010000000150000000000000003",          // enquire_link seq 3
        "00000014800000040000000000000002 31323334", // submit_sm_resp, message_id without NUL
        "0000001000000015000000000000000000",        // enquire_link seq 0, then 1 stray octet
    );
    let input = hex::decode(hex.replace(' ', "")).unwrap();
    let opts = DumpOptions::default();
    let mut text = String::new();
    let mut json = String::new();
    for mode in [DecodeOptions::STRICT, DecodeOptions::LENIENT] {
        text.push_str(&format!("--- {:?}\n", mode.mode));
        json.push_str(&format!("--- {:?}\n", mode.mode));
        for item in Items::new(&input, DEFAULT_MAX_COMMAND_LENGTH, mode) {
            text.push_str(&item.to_text(&opts));
            json.push_str(&item.to_json(&opts).to_string());
            json.push('\n');
        }
    }
    settings().bind(|| {
        insta::assert_snapshot!("stream_with_errors.text", text);
        insta::assert_snapshot!("stream_with_errors.json", json);
    });
}
