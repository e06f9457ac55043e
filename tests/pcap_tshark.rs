//! The capture reader against Wireshark: every synthetic capture under
//! `fixtures/pcap/synthetic/` is decoded by tshark (through `tests/support/tshark.rs`) and by
//! `smpp::pcap::read`, and the two must agree PDU by PDU: the record completing each PDU, its
//! octets, and its header and body fields as `tests/support/tshark_fields.md` maps them.
//!
//! On the clean captures (every form: Ethernet, VLAN, SLL2, raw IP, IPv6, pcapng, big-endian
//! nanosecond pcap) the lists must be equal. On the edge cases tshark sees fewer PDUs than we do:
//! its SMPP dissector refuses a segment of fewer than 16 octets at a PDU start (a header split
//! across segments), it does not put out-of-order segments back in order here, and after a gap
//! or a retransmission with new data it gives up the stream; there every PDU tshark shows must
//! be one we show, the same.

#[path = "support/tshark.rs"]
mod tshark;

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use smpp::dump::{CapturedItem, DumpOptions};
use smpp::pcap::read::{Capture, Record};
use smpp::{CommandId, DecodeOptions};

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/pcap/synthetic")
}

/// tshark's PDUs, with out-of-order reassembly on as well as the harness's preferences.
fn tshark_pdus(capture: &Path) -> Vec<tshark::SmppPdu> {
    let exe = tshark::tshark_path();
    let profile = std::env::temp_dir().join("smpp-tshark-empty-profile");
    std::fs::create_dir_all(&profile).unwrap();
    let mut args = tshark::tshark_args(capture, tshark::SMPP_PORT);
    args.splice(
        0..0,
        [
            "-o".to_owned(),
            "tcp.reassemble_out_of_order:TRUE".to_owned(),
        ],
    );
    let out = Command::new(&exe)
        .args(&args)
        .env("TZ", "UTC")
        .env("WIRESHARK_CONFIG_DIR", &profile)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    tshark::parse_tshark_json(&String::from_utf8_lossy(&out.stdout))
        .unwrap()
        .pdus
}

/// Our PDUs with their JSON (decoded leniently).
fn our_pdus(capture: &Path) -> Vec<(u64, Vec<u8>, Value)> {
    Capture::open(capture)
        .unwrap()
        .filter_map(|r| match &r {
            Record::Pdu(p) => {
                let (frame, bytes) = (p.frame_number, p.frame.to_vec());
                let item = CapturedItem::new(r, DecodeOptions::LENIENT);
                assert!(!item.is_error(), "{}: {:?}", capture.display(), item);
                Some((frame, bytes, item.to_json(&DumpOptions::default())))
            }
            Record::Problem(_) => None,
        })
        .collect()
}

fn hex8(v: u64) -> String {
    format!("{v:#010x}")
}

fn hex2(v: u64) -> String {
    format!("{v:#04x}")
}

/// Compares one PDU field by field; returns the differences and how many fields both showed.
fn compare(ours: &Value, theirs: &tshark::SmppPdu) -> (Vec<String>, usize) {
    let mut diffs = Vec::new();
    let mut both = 0;
    let mut check = |what: &str, a: Option<String>, b: Option<String>| {
        if a != b {
            diffs.push(format!("{what}: ours {a:?}, tshark {b:?}"));
        } else if a.is_some() {
            both += 1;
        }
    };
    let id = theirs.command_id();
    check(
        "command_id",
        ours["command_id"].as_str().map(str::to_owned),
        CommandId(id).name().map(str::to_owned),
    );
    check(
        "command_length",
        ours["command_length"].as_u64().map(|v| v.to_string()),
        theirs.get("smpp.command_length").map(str::to_owned),
    );
    check(
        "sequence_number",
        ours["sequence_number"].as_u64().map(|v| v.to_string()),
        theirs.get("smpp.sequence_number").map(str::to_owned),
    );
    if CommandId(id).is_response() {
        check(
            "command_status",
            ours["command_status"].as_u64().map(hex8),
            theirs.get("smpp.command_status").map(str::to_owned),
        );
    }
    // C-Octet Strings: tshark leaves an empty one out except source/destination addresses.
    for (key, field) in [
        ("system_id", "smpp.system_id"),
        ("password", "smpp.password"),
        ("system_type", "smpp.system_type"),
        ("message_id", "smpp.message_id"),
        ("source_addr", "smpp.source_addr"),
        ("destination_addr", "smpp.destination_addr"),
    ] {
        let a = ours[key]
            .as_str()
            .filter(|s| !s.is_empty() || key.ends_with("_addr"))
            .map(str::to_owned);
        check(key, a, theirs.get(field).map(str::to_owned));
    }
    for (key, field) in [
        ("interface_version", "smpp.interface_version"),
        ("sm_length", "smpp.sm_length"),
    ] {
        check(
            key,
            ours[key].as_u64().map(|v| v.to_string()),
            theirs.get(field).map(str::to_owned),
        );
    }
    for (key, field) in [
        ("data_coding", "smpp.data_coding"),
        ("source_addr_ton", "smpp.source_addr_ton"),
        ("dest_addr_npi", "smpp.dest_addr_npi"),
        ("priority_flag", "smpp.priority_flag"),
    ] {
        check(
            key,
            ours[key].as_u64().map(hex2),
            theirs.get(field).map(str::to_owned),
        );
    }
    let message = ours["short_message"]
        .as_str()
        .filter(|s| !s.is_empty())
        .map(|h| hex::decode(h).unwrap());
    check(
        "short_message",
        message.map(hex::encode),
        theirs.octets("smpp.message").map(hex::encode),
    );
    (diffs, both)
}

fn agree(name: &str, all: bool) -> usize {
    let path = dir().join(name);
    let theirs = tshark_pdus(&path);
    let ours = our_pdus(&path);
    if all {
        assert_eq!(
            theirs.len(),
            ours.len(),
            "{name}: tshark sees {} PDUs, we see {}",
            theirs.len(),
            ours.len()
        );
    }
    let (mut matched, mut fields) = (0, 0);
    for t in &theirs {
        assert!(!t.malformed, "{name}: tshark says malformed: {t}");
        let Some((_, _, json)) = ours
            .iter()
            .find(|(frame, bytes, _)| *frame == t.frame && *bytes == t.bytes)
        else {
            panic!(
                "{name}: tshark's PDU in frame {} is not among ours: {t}",
                t.frame
            );
        };
        let (diffs, both) = compare(json, t);
        assert!(
            diffs.is_empty(),
            "{name} frame {}: {diffs:#?}\n{t}",
            t.frame
        );
        matched += 1;
        fields += both;
    }
    assert!(
        fields >= 3 * matched,
        "{name}: only {fields} fields compared over {matched} PDUs"
    );
    matched
}

#[test]
fn clean_captures_agree_with_tshark_pdu_by_pdu() {
    for name in [
        "clean.pcap",
        "clean.pcapng",
        "vlan.pcap",
        "sll2.pcap",
        "ipv6.pcap",
        "raw_nanosecond_be.pcap",
        "coalesced.pcap",
        "retransmission.pcap",
    ] {
        assert!(agree(name, true) > 0, "{name}");
    }
}

#[test]
fn on_the_edge_cases_every_pdu_tshark_sees_we_see_the_same() {
    for (name, at_least) in [
        ("split_header.pcap", 1),
        ("out_of_order.pcap", 3),
        ("overlap.pcap", 4),
        ("gap_resync.pcap", 4),
        ("cut_off.pcap", 2),
    ] {
        let n = agree(name, false);
        assert!(n >= at_least, "{name}: only {n} PDUs compared");
    }
}
