//! Runs the `smpp-dump` binary: input forms, `--json` on the reference's worked examples (§10 of
//! shared/smpp-v34-reference.md), error records and exit statuses.

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

/// The NDJSON records of a `--json` run.
fn records(r: &Run) -> Vec<Value> {
    r.stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}")))
        .collect()
}

fn json_of(hex: &str) -> Value {
    let r = run(&[hex, "--json"], None);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let mut recs = records(&r);
    assert_eq!(recs.len(), 1, "{}", r.stdout);
    recs.remove(0)
}

fn fixture(name: &str) -> String {
    format!("{}/fixtures/pdus/{name}.hex", env!("CARGO_MANIFEST_DIR"))
}

const ENQUIRE_LINK: &str = "00 00 00 10 00 00 00 15 00 00 00 00 00 00 00 03";

// --- input forms ------------------------------------------------------------------------------

#[test]
fn hex_argument() {
    let r = run(&["0000001000000015000000000000000300"], None);
    // 17 octets: the enquire_link and one octet of an incomplete PDU.
    assert_eq!(r.code, 1);
    assert!(
        r.stdout
            .starts_with("[0] enquire_link seq=3 status=ESME_ROK len=16\n"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("error at input offset 16"),
        "{}",
        r.stdout
    );

    let r = run(&["0x00000010", "0x00000015", "0x00000000,0x00000003"], None);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, "[0] enquire_link seq=3 status=ESME_ROK len=16\n");
}

#[test]
fn several_arguments_are_joined() {
    let args: Vec<&str> = ENQUIRE_LINK.split(' ').collect();
    let r = run(&args, None);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, "[0] enquire_link seq=3 status=ESME_ROK len=16\n");
}

#[test]
fn stdin_hex_and_binary() {
    let text = format!("# an enquire_link\n{ENQUIRE_LINK}\n");
    for args in [&[][..], &["-"][..]] {
        let r = run(args, Some(text.as_bytes()));
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert_eq!(r.stdout, "[0] enquire_link seq=3 status=ESME_ROK len=16\n");
    }
    let binary = hex::decode(ENQUIRE_LINK.replace(' ', "")).unwrap();
    let r = run(&["--json"], Some(&binary));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(records(&r)[0]["command_id"], "enquire_link");
    // Nothing at all: no PDU, nothing wrong.
    let r = run(&[], Some(b""));
    assert_eq!((r.code, r.stdout.as_str()), (0, ""));
}

#[test]
fn binary_file_and_hex_file() {
    let dir = std::env::temp_dir().join(format!("smpp-dump-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("two.bin");
    let mut bytes = hex::decode(ENQUIRE_LINK.replace(' ', "")).unwrap();
    bytes.extend(hex::decode("00000010800000150000000000000003").unwrap());
    std::fs::write(&path, &bytes).unwrap();
    let path = path.to_str().unwrap();

    for args in [vec!["--file", path, "--json"], vec![path, "--json"]] {
        let r = run(&args, None);
        assert_eq!(r.code, 0, "{}", r.stderr);
        let recs = records(&r);
        assert_eq!(recs.len(), 2);
        assert_eq!(recs[0]["command_id"], "enquire_link");
        assert_eq!(
            (recs[1]["command_id"].clone(), recs[1]["offset"].clone()),
            (json!("enquire_link_resp"), json!(16))
        );
    }

    // A fixture file is hex text with '#' comments; several files are read in turn.
    let r = run(
        &[&fixture("submit_sm"), &fixture("submit_sm_resp"), "--json"],
        None,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let recs = records(&r);
    assert_eq!(recs[0]["short_message_text"], "Hello");
    assert_eq!(
        (recs[1]["message_id"].clone(), recs[1]["offset"].clone()),
        (json!("1234567890"), json!(61))
    );

    // --file reads binary even when the file is hex text.
    let r = run(&["--file", &fixture("enquire_link"), "--json"], None);
    assert_eq!(r.code, 1);
    assert!(records(&r)[0]["error"].is_object());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn hexdump_flag() {
    let r = run(&[ENQUIRE_LINK, "-x"], None);
    assert_eq!(r.code, 0);
    assert!(
        r.stdout.ends_with(
            "0000  00 00 00 10 00 00 00 15  00 00 00 00 00 00 00 03  |................|\n"
        ),
        "{}",
        r.stdout
    );
}

// --- --json on the reference's worked examples (§10) -------------------------------------------

#[test]
fn json_10_1_bind_transmitter() {
    let v = json_of(
        "00 00 00 2F 00 00 00 02 00 00 00 00 00 00 00 01 53 4D 50 50 33 54 45 53 54 00 73 65 63 72 65 74 30 38 00 53 55 42 4D 49 54 31 00 34 01 01 00",
    );
    assert_eq!(v["command_id"], "bind_transmitter");
    assert_eq!(v["command_length"], 47);
    assert_eq!(v["command_status"], 0);
    assert_eq!(v["command_status_name"], "ESME_ROK");
    assert_eq!(v["sequence_number"], 1);
    assert_eq!(v["system_id"], "SMPP3TEST");
    assert_eq!(v["password"], "secret08");
    assert_eq!(v["system_type"], "SUBMIT1");
    assert_eq!(v["interface_version"], 0x34);
    assert_eq!(v["addr_ton"], 1);
    assert_eq!(v["addr_npi"], 1);
    assert_eq!(v["address_range"], "");
    assert_eq!(v["tlvs"], json!([]));
    assert_eq!(v["warnings"], json!([]));
    assert_eq!(v["offset"], 0);
}

#[test]
fn json_10_2_bind_transmitter_resp() {
    let v =
        json_of("00 00 00 1A 80 00 00 02 00 00 00 00 00 00 00 01 53 4D 53 43 00 02 10 00 01 34");
    assert_eq!(v["command_id"], "bind_transmitter_resp");
    assert_eq!(v["command_length"], 26);
    assert_eq!(v["system_id"], "SMSC");
    assert_eq!(
        v["tlvs"],
        json!([{"tag": 0x0210, "name": "sc_interface_version", "value": "34", "decoded": 0x34}])
    );
    assert!(v.get("body_omitted").is_none());
}

#[test]
fn json_10_3_and_10_6_error_responses_without_body() {
    let v = json_of("00 00 00 10 80 00 00 02 00 00 00 0E 00 00 00 01");
    assert_eq!(v["command_id"], "bind_transmitter_resp");
    assert_eq!(v["command_status"], 0x0E);
    assert_eq!(v["command_status_name"], "ESME_RINVPASWD");
    assert_eq!(v["body_omitted"], true);
    assert!(v.get("system_id").is_none());
    assert_eq!(v["tlvs"], json!([]));
    assert_eq!(v["warnings"], json!([]));

    let v = json_of("00 00 00 10 80 00 00 04 00 00 00 45 00 00 00 03");
    assert_eq!(v["command_id"], "submit_sm_resp");
    assert_eq!(v["command_status"], 0x45);
    assert_eq!(v["command_status_name"], "ESME_RSUBMITFAIL");
    assert_eq!(v["sequence_number"], 3);
    assert_eq!(v["body_omitted"], true);
    assert!(v.get("message_id").is_none());
}

#[test]
fn json_10_4_submit_sm() {
    let v = json_of(
        "00 00 00 3D 00 00 00 04 00 00 00 00 00 00 00 02 00 01 01 31 32 33 34 35 00 01 01 34 34 37 39 31 31 31 32 33 34 35 36 00 00 00 00 00 00 01 00 00 00 05 48 65 6C 6C 6F 02 04 00 02 00 01",
    );
    let expected = json!({
        "command_id": "submit_sm", "command_status": 0, "command_status_name": "ESME_ROK",
        "sequence_number": 2, "command_length": 61, "offset": 0,
        "service_type": "", "source_addr_ton": 1, "source_addr_npi": 1, "source_addr": "12345",
        "dest_addr_ton": 1, "dest_addr_npi": 1, "destination_addr": "447911123456",
        "esm_class": 0, "protocol_id": 0, "priority_flag": 0,
        "schedule_delivery_time": "", "validity_period": "", "registered_delivery": 1,
        "replace_if_present_flag": 0, "data_coding": 0, "sm_default_msg_id": 0,
        "sm_length": 5, "short_message": "48656c6c6f", "short_message_text": "Hello",
        "tlvs": [{"tag": 0x0204, "name": "user_message_reference", "value": "0001", "decoded": 1}],
        "warnings": [],
    });
    assert_eq!(v, expected);
}

#[test]
fn json_10_5_submit_sm_resp() {
    let v =
        json_of("00 00 00 1B 80 00 00 04 00 00 00 00 00 00 00 02 31 32 33 34 35 36 37 38 39 30 00");
    assert_eq!(v["command_id"], "submit_sm_resp");
    assert_eq!(v["command_length"], 27);
    assert_eq!(v["message_id"], "1234567890");
}

#[test]
fn json_10_7_deliver_sm_receipt() {
    // The fixture file is §10.7's octets with the field table as '#' comments.
    let r = run(&[&fixture("deliver_sm_receipt"), "--json"], None);
    assert_eq!(r.code, 0);
    let v = &records(&r)[0];
    assert_eq!(v["command_id"], "deliver_sm");
    assert_eq!(v["command_length"], 177);
    assert_eq!(v["sequence_number"], 7);
    assert_eq!(v["source_addr"], "447911123456");
    assert_eq!(v["destination_addr"], "12345");
    assert_eq!(v["esm_class"], 4);
    assert_eq!(v["sm_length"], 107);
    assert_eq!(
        v["short_message_text"],
        "id:1234567890 sub:001 dlvrd:001 submit date:2401011200 done date:2401011201 stat:DELIVRD err:000 text:Hello"
    );
    assert_eq!(
        v["tlvs"],
        json!([
            {"tag": 0x001E, "name": "receipted_message_id", "value": "3132333435363738393000", "decoded": "1234567890"},
            {"tag": 0x0427, "name": "message_state", "value": "02", "decoded": 2},
        ])
    );
}

#[test]
fn json_10_8_to_10_12_short_pdus() {
    let v = json_of("00 00 00 11 80 00 00 05 00 00 00 00 00 00 00 07 00");
    assert_eq!(
        (v["command_id"].clone(), v["message_id"].clone()),
        (json!("deliver_sm_resp"), json!(""))
    );
    for (hex, id, status, seq) in [
        (ENQUIRE_LINK, "enquire_link", 0, 3),
        (
            "00 00 00 10 80 00 00 15 00 00 00 00 00 00 00 03",
            "enquire_link_resp",
            0,
            3,
        ),
        (
            "00 00 00 10 80 00 00 00 00 00 00 03 00 00 00 04",
            "generic_nack",
            3,
            4,
        ),
        (
            "00 00 00 10 80 00 00 00 00 00 00 02 00 00 00 00",
            "generic_nack",
            2,
            0,
        ),
        (
            "00 00 00 10 00 00 00 06 00 00 00 00 00 00 00 05",
            "unbind",
            0,
            5,
        ),
        (
            "00 00 00 10 80 00 00 06 00 00 00 00 00 00 00 05",
            "unbind_resp",
            0,
            5,
        ),
    ] {
        let v = json_of(hex);
        assert_eq!(v["command_id"], id, "{hex}");
        assert_eq!(v["command_status"], status, "{hex}");
        assert_eq!(v["sequence_number"], seq, "{hex}");
        assert_eq!(v["command_length"], 16, "{hex}");
        assert!(
            v.get("body_omitted").is_none(),
            "{hex}: header-only by definition"
        );
        assert_eq!(v["warnings"], json!([]), "{hex}");
    }
}

#[test]
fn json_10_13_submit_multi() {
    let v = json_of(
        "00 00 00 3D 00 00 00 21 00 00 00 00 00 00 00 06 00 01 01 31 32 33 34 35 00 02 01 01 01 34 34 37 39 31 31 31 32 33 34 35 36 00 02 73 74 61 66 66 00 00 00 00 00 00 00 00 00 00 02 48 69",
    );
    assert_eq!(v["command_id"], "submit_multi");
    assert_eq!(v["number_of_dests"], 2);
    assert_eq!(
        v["dest_addresses"],
        json!([
            {"dest_flag": 1, "dest_addr_ton": 1, "dest_addr_npi": 1, "destination_addr": "447911123456"},
            {"dest_flag": 2, "dl_name": "staff"},
        ])
    );
    assert_eq!(v["short_message"], "4869");
    assert_eq!(v["short_message_text"], "Hi");
}

#[test]
fn json_10_14_submit_multi_resp() {
    let v = json_of(
        "00 00 00 28 80 00 00 21 00 00 00 00 00 00 00 06 41 42 43 00 01 01 01 34 34 37 39 31 31 31 32 33 34 35 36 00 00 00 00 0B",
    );
    assert_eq!(v["command_id"], "submit_multi_resp");
    assert_eq!(v["message_id"], "ABC");
    assert_eq!(v["no_unsuccess"], 1);
    assert_eq!(
        v["unsuccess_sme"],
        json!([{"dest_addr_ton": 1, "dest_addr_npi": 1, "destination_addr": "447911123456", "error_status_code": 0x0B}])
    );
}

// --- unknown ids, errors and exit statuses ------------------------------------------------------

#[test]
fn unknown_command_id() {
    let hex = "00 00 00 13 00 01 02 00 00 00 00 00 00 00 00 1A 01 02 03";
    let v = json_of(hex);
    assert_eq!(v["command_id"], "0x00010200");
    assert_eq!(v["body"], "010203");
    assert_eq!(v["sequence_number"], 26);
    assert_eq!(
        v["warnings"],
        json!([{"kind": "unknown_command_id", "message": "unknown command_id 0x00010200", "offset": 4}])
    );

    let r = run(&[hex, "--json", "--strict"], None);
    assert_eq!(r.code, 1);
    let e = &records(&r)[0];
    assert_eq!(e["error"]["kind"], "unknown_command_id");
    assert_eq!(e["error"]["command_status"], 3);
    assert_eq!(e["error"]["command_status_name"], "ESME_RINVCMDID");
    assert_eq!(e["error"]["offset"], 4);
    assert_eq!(e["offset"], 0);
}

#[test]
fn bad_command_length_mid_stream_then_a_good_pdu() {
    // enquire_link, a header announcing command_length 8, then submit_sm_resp (§10.5).
    let input = format!(
        "{ENQUIRE_LINK} 00 00 00 08 00 00 00 15 00 00 00 00 00 00 00 09 {}",
        "00 00 00 1B 80 00 00 04 00 00 00 00 00 00 00 02 31 32 33 34 35 36 37 38 39 30 00"
    );
    let r = run(&["--json"], Some(input.as_bytes()));
    assert_eq!(r.code, 1, "{}", r.stdout);
    let recs = records(&r);
    assert_eq!(recs.len(), 3, "{}", r.stdout);
    assert_eq!(recs[0]["command_id"], "enquire_link");
    assert_eq!(recs[1]["offset"], 16);
    assert_eq!(recs[1]["error"]["kind"], "command_length_too_small");
    assert_eq!(recs[1]["error"]["command_status_name"], "ESME_RINVCMDLEN");
    // Decoding goes on at the next plausible header.
    assert_eq!(recs[2]["command_id"], "submit_sm_resp");
    assert_eq!(recs[2]["offset"], 32);
    assert_eq!(recs[2]["message_id"], "1234567890");

    let r = run(&[], Some(input.as_bytes()));
    assert_eq!(r.code, 1);
    assert!(
        r.stdout.contains("error at input offset 16"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("[32] submit_sm_resp seq=2"),
        "{}",
        r.stdout
    );
}

#[test]
fn bad_body_moves_on_to_the_next_frame() {
    // bind_transmitter_resp whose system_id has no NUL (strict: an error), then an enquire_link.
    let input =
        format!("00 00 00 14 80 00 00 02 00 00 00 00 00 00 00 01 53 4D 53 43 {ENQUIRE_LINK}");
    let r = run(&["--json", "--strict"], Some(input.as_bytes()));
    assert_eq!(r.code, 1);
    let recs = records(&r);
    assert_eq!(recs[0]["error"]["kind"], "c_octet_not_terminated");
    assert_eq!(recs[0]["error"]["command_status_name"], "ESME_RINVSYSID");
    assert_eq!(
        recs[0]["error"]["header"]["command_id"],
        "bind_transmitter_resp"
    );
    assert_eq!(recs[1]["command_id"], "enquire_link");
    assert_eq!(recs[1]["offset"], 20);

    // Lenient (the default): decoded, with a warning, exit 0.
    let r = run(&["--json"], Some(input.as_bytes()));
    assert_eq!(r.code, 0);
    let recs = records(&r);
    assert_eq!(recs[0]["system_id"], "SMSC");
    assert_eq!(recs[0]["warnings"][0]["kind"], "c_octet_not_terminated");
    assert_eq!(recs[0]["warnings"][0]["offset"], 16);
}

#[test]
fn incomplete_trailing_pdu_and_max_length() {
    let r = run(&["00 00 00 3D 00 00 00 04 00 00 00 00", "--json"], None);
    assert_eq!(r.code, 1);
    let e = &records(&r)[0];
    assert_eq!(e["error"]["kind"], "length_mismatch");
    assert_eq!(e["offset"], 0);

    let r = run(&[ENQUIRE_LINK, "--max-length", "15", "--json"], None);
    // A maximum below 16 is raised to 16: the enquire_link still fits.
    assert_eq!(r.code, 0);
    let big = "00 00 00 3D 00 00 00 04 00 00 00 00 00 00 00 02";
    let r = run(&[big, "--max-length", "32", "--json"], None);
    assert_eq!(r.code, 1);
    assert_eq!(records(&r)[0]["error"]["kind"], "command_length_too_large");
}

#[test]
fn exit_statuses_and_usage() {
    assert_eq!(run(&[ENQUIRE_LINK], None).code, 0);
    assert_eq!(run(&["00 00 00 10"], None).code, 1);
    let r = run(&["zz"], None);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("neither a file nor hex"), "{}", r.stderr);
    assert_eq!(run(&["abc"], None).code, 2, "odd number of digits");
    assert_eq!(run(&["--file", "/nonexistent/smpp.bin"], None).code, 2);
    assert_eq!(run(&["--no-such-flag"], None).code, 2);
    let help = run(&["--help"], None);
    assert_eq!(help.code, 0);
    for needle in [
        "--json",
        "--strict",
        "--max-length",
        "--file",
        "EXAMPLES",
        "EXIT STATUS",
    ] {
        assert!(help.stdout.contains(needle), "--help lacks {needle}");
    }
}
