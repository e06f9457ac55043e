//! Test support: runs `tshark` on a capture and returns Wireshark's view of every SMPP PDU in it.
//!
//! Include it from an integration test with
//!
//! ```ignore
//! #[path = "support/tshark.rs"]
//! mod tshark;
//! ```
//!
//! (a `#[path]` include rather than `mod support;`, so that each test crate pulls in only the
//! helpers it needs and `tests/support/` needs no shared `mod.rs`).
//!
//! What it does: [`decode`] runs
//!
//! ```text
//! TZ=UTC WIRESHARK_CONFIG_DIR=<empty dir> tshark -r FILE -n -d tcp.port==2775,smpp \
//!     -o tcp.desegment_tcp_streams:TRUE -o smpp.reassemble_smpp_over_tcp:TRUE \
//!     -o smpp.decode_sms_over_smpp:None -o smpp.gsm7_unpacked:TRUE \
//!     -o tcp.check_checksum:TRUE -o ip.check_checksum:TRUE \
//!     -T json -x -J "frame ip ipv6 tcp smpp _ws.malformed"
//! ```
//!
//! and parses the JSON *preserving duplicate keys and their order* (tshark's JSON repeats the
//! `smpp` key once per PDU when several PDUs share a frame, and repeats field keys inside one PDU,
//! e.g. the destinations of a submit_multi). Every `smpp` object becomes one [`SmppPdu`], in
//! capture order: TCP reassembly is on, so a PDU split over several segments is reported once, in
//! the frame that completes it, and PDUs coalesced in one segment are reported one by one.
//! `-x` adds each field's raw octets (`<field>_raw`) and each PDU's complete octets (`smpp_raw`).
//!
//! Field names and value formats are listed in `tests/support/tshark_fields.md`.
//!
//! tshark is required: when it cannot be run, [`tshark_path`] panics with an explanation and the
//! Debian package to install. Tests using this module never skip silently.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

/// The TCP port decoded as SMPP by [`decode`] and [`smpp_pdus`].
pub const SMPP_PORT: u16 = 2775;

/// One SMPP PDU as Wireshark's dissector shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SmppPdu {
    /// Number (1-based) of the frame in which tshark dissected the PDU (for a PDU spanning
    /// segments: the frame holding its last octet).
    pub frame: u64,
    /// Every field in tshark's tree order, duplicates kept: (`smpp.field_name`, shown value).
    /// Subtree nodes without a value of their own (`smpp.opt_params`, `smpp.dlist`, ...) appear
    /// with an empty value.
    pub fields: Vec<(String, String)>,
    /// Raw octets of every field that has them, in tree order: (`smpp.field_name`, octets).
    /// For a bit-field (`smpp.esm.submit.msg_type`, ...), whose `_raw` entry in tshark's JSON
    /// holds the field's value rather than octets, these are the octets it covers, taken from
    /// [`SmppPdu::bytes`] at the entry's offset.
    pub raw: Vec<(String, Vec<u8>)>,
    /// The PDU's complete octets as tshark reassembled them.
    pub bytes: Vec<u8>,
    /// tshark flagged the PDU as malformed (its dissection hit an exception).
    pub malformed: bool,
    /// Bit-fields whose octets are read from `bytes` once known: (index in `raw`, offset in the
    /// data source, length).
    bit_fields: Vec<(usize, usize, usize)>,
}

impl SmppPdu {
    /// The field map: Wireshark field name → all values, in order.
    pub fn map(&self) -> BTreeMap<&str, Vec<&str>> {
        let mut map: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for (name, value) in &self.fields {
            map.entry(name.as_str()).or_default().push(value.as_str());
        }
        map
    }

    /// The first value of `name`, if present.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// All values of `name`, in order.
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.fields
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// Whether `name` occurs at all.
    pub fn has(&self, name: &str) -> bool {
        self.fields.iter().any(|(n, _)| n == name)
    }

    /// The raw octets of the first occurrence of `name`.
    pub fn raw(&self, name: &str) -> Option<&[u8]> {
        self.raw
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_slice())
    }

    /// The first value of `name` read as an unsigned integer (`0x..` hex or decimal).
    pub fn uint(&self, name: &str) -> Option<u64> {
        self.get(name).and_then(parse_uint)
    }

    /// The first value of an `FT_BYTES` field (`48:65:6c`) decoded to octets.
    pub fn octets(&self, name: &str) -> Option<Vec<u8>> {
        self.get(name).and_then(hex_bytes)
    }

    fn header(&self, name: &str) -> u32 {
        self.uint(name)
            .and_then(|v| u32::try_from(v).ok())
            .unwrap_or_else(|| panic!("tshark PDU in frame {} lacks {name}: {self}", self.frame))
    }

    /// `smpp.command_id` (panics if tshark did not show it).
    pub fn command_id(&self) -> u32 {
        self.header("smpp.command_id")
    }

    /// `smpp.command_length` (panics if tshark did not show it).
    pub fn command_length(&self) -> u32 {
        self.header("smpp.command_length")
    }

    /// `smpp.sequence_number` (panics if tshark did not show it).
    pub fn sequence_number(&self) -> u32 {
        self.header("smpp.sequence_number")
    }

    /// `smpp.command_status`; Wireshark only shows it for responses (bit 31 of command_id set).
    pub fn command_status(&self) -> Option<u32> {
        self.uint("smpp.command_status")
            .and_then(|v| u32::try_from(v).ok())
    }
}

impl fmt::Display for SmppPdu {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "frame {}{} {{",
            self.frame,
            if self.malformed { " MALFORMED" } else { "" }
        )?;
        for (i, (name, value)) in self.fields.iter().enumerate() {
            let sep = if i == 0 { " " } else { ", " };
            write!(f, "{sep}{name}={value:?}")?;
        }
        write!(f, " }}")
    }
}

/// Per-frame facts tshark reported besides SMPP.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FrameInfo {
    /// Frame number (1-based).
    pub number: u64,
    /// `Some(true)` when tshark verified the TCP checksum as good, `Some(false)` when bad.
    pub tcp_checksum_good: Option<bool>,
    /// `Some(true)` when tshark verified the IPv4 header checksum as good (None for IPv6).
    pub ip_checksum_good: Option<bool>,
    /// The frame carries a malformed-packet marker.
    pub malformed: bool,
}

/// Everything [`decode`] learned from one capture.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Decoded {
    /// Every SMPP PDU, in capture order.
    pub pdus: Vec<SmppPdu>,
    /// Every frame, in capture order.
    pub frames: Vec<FrameInfo>,
}

/// Finds a runnable tshark: `$TSHARK` if set, else `tshark` on `PATH`.
///
/// # Panics
/// When tshark cannot be run — loudly, with what to install. Tests never skip for lack of it.
pub fn tshark_path() -> PathBuf {
    let candidate =
        std::env::var_os("TSHARK").map_or_else(|| PathBuf::from("tshark"), PathBuf::from);
    match Command::new(&candidate).arg("--version").output() {
        Ok(out) if out.status.success() => candidate,
        Ok(out) => panic!(
            "\n\n`{} --version` failed ({}): {}\n{MISSING_HELP}\n",
            candidate.display(),
            out.status,
            String::from_utf8_lossy(&out.stderr)
        ),
        Err(e) => panic!(
            "\n\ntshark could not be run as `{}`: {e}\n{MISSING_HELP}\n",
            candidate.display()
        ),
    }
}

const MISSING_HELP: &str = "\
These tests cross-check our SMPP bytes against Wireshark's SMPP dissector and need `tshark`.
Install it with:  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y tshark
(Debian package `tshark`), or set TSHARK=/path/to/tshark. This is a hard failure on purpose:
the cross-check is never skipped.";

/// The first line of `tshark --version`, e.g. `TShark (Wireshark) 4.0.17 (...)`.
pub fn tshark_version() -> String {
    let out = Command::new(tshark_path())
        .arg("--version")
        .output()
        .unwrap_or_else(|e| panic!("tshark --version: {e}"));
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .next()
        .unwrap_or_default()
        .to_owned()
}

/// The tshark arguments [`decode_on_port`] uses for `capture`, SMPP decoded on TCP `port`.
pub fn tshark_args(capture: &Path, port: u16) -> Vec<String> {
    let mut args: Vec<String> = vec![
        "-r".into(),
        capture.display().to_string(),
        "-n".into(),
        "-d".into(),
        format!("tcp.port=={port},smpp"),
    ];
    for pref in [
        "tcp.desegment_tcp_streams:TRUE",
        "smpp.reassemble_smpp_over_tcp:TRUE",
        "smpp.decode_sms_over_smpp:None",
        "smpp.gsm7_unpacked:TRUE",
        "tcp.check_checksum:TRUE",
        "ip.check_checksum:TRUE",
    ] {
        args.push("-o".into());
        args.push(pref.into());
    }
    args.extend(
        [
            "-T",
            "json",
            "-x",
            "-J",
            "frame ip ipv6 tcp smpp _ws.malformed",
        ]
        .iter()
        .map(|s| (*s).to_owned()),
    );
    args
}

/// Runs tshark on `capture` with SMPP on port [`SMPP_PORT`] and returns every SMPP PDU.
///
/// # Panics
/// If tshark is missing, fails, or prints something that is not its JSON.
pub fn smpp_pdus(capture: &Path) -> Vec<SmppPdu> {
    decode(capture).pdus
}

/// Runs tshark on `capture` with SMPP on port [`SMPP_PORT`].
///
/// # Panics
/// As [`decode_on_port`].
pub fn decode(capture: &Path) -> Decoded {
    decode_on_port(capture, SMPP_PORT)
}

/// Runs tshark on `capture`, decoding TCP `port` as SMPP, and parses its JSON.
///
/// The run is isolated from the user's Wireshark profile (`WIRESHARK_CONFIG_DIR` points at an
/// empty directory) and from the local time zone (`TZ=UTC`; Wireshark converts SMPP absolute
/// times with the local zone).
///
/// # Panics
/// If tshark is missing, fails, or prints something that is not its JSON.
pub fn decode_on_port(capture: &Path, port: u16) -> Decoded {
    let tshark = tshark_path();
    // Only ever read, so one shared empty directory serves concurrent runs.
    let profile = std::env::temp_dir().join("smpp-tshark-empty-profile");
    std::fs::create_dir_all(&profile)
        .unwrap_or_else(|e| panic!("cannot create {}: {e}", profile.display()));
    let args = tshark_args(capture, port);
    let out = Command::new(&tshark)
        .args(&args)
        .env("TZ", "UTC")
        .env("WIRESHARK_CONFIG_DIR", &profile)
        .output()
        .unwrap_or_else(|e| panic!("running {} failed: {e}", tshark.display()));
    if !out.status.success() {
        panic!(
            "tshark {args:?} exited with {}:\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let json = String::from_utf8_lossy(&out.stdout);
    parse_tshark_json(&json).unwrap_or_else(|e| {
        panic!(
            "cannot parse tshark's JSON ({e}); first 2000 chars:\n{}",
            json.chars().take(2000).collect::<String>()
        )
    })
}

/// Parses the output of `tshark -T json [-x]` (duplicate keys allowed and kept).
///
/// # Errors
/// A message when the text is not JSON of the expected shape.
pub fn parse_tshark_json(json: &str) -> Result<Decoded, String> {
    let root: Node = serde_json::from_str(json).map_err(|e| e.to_string())?;
    let Node::List(packets) = root else {
        return Err("top level is not a JSON array".into());
    };
    let mut decoded = Decoded::default();
    for packet in &packets {
        let layers = packet
            .get("_source")
            .and_then(|s| s.get("layers"))
            .and_then(Node::as_map)
            .ok_or("packet without _source.layers")?;
        let mut frame = FrameInfo::default();
        let first_pdu = decoded.pdus.len();
        let mut raws: Vec<RawEntry> = Vec::new();
        for (key, value) in layers {
            match key.as_str() {
                "frame" => {
                    frame.number = value
                        .get("frame.number")
                        .and_then(Node::as_str)
                        .and_then(parse_uint)
                        .ok_or("frame layer without frame.number")?;
                }
                "tcp" => frame.tcp_checksum_good = checksum_status(value, "tcp.checksum.status"),
                "ip" => frame.ip_checksum_good = checksum_status(value, "ip.checksum.status"),
                "smpp" => {
                    let mut pdu = SmppPdu {
                        frame: frame.number,
                        ..SmppPdu::default()
                    };
                    flatten(value, &mut pdu);
                    decoded.pdus.push(pdu);
                }
                // tshark writes each PDU's `smpp_raw` just before its `smpp` object.
                "smpp_raw" => raws.push(raw_entry(value).ok_or("smpp_raw without hex")?),
                // The marker follows the layer of the PDU whose dissection failed.
                k if k.starts_with("_ws.malformed") => {
                    frame.malformed = true;
                    if let Some(pdu) = decoded.pdus[first_pdu..].last_mut() {
                        pdu.malformed = true;
                    }
                }
                _ => {}
            }
        }
        let pdus = &mut decoded.pdus[first_pdu..];
        if raws.len() != pdus.len() {
            return Err(format!(
                "frame {}: {} smpp layers but {} smpp_raw entries (run tshark with -x)",
                frame.number,
                pdus.len(),
                raws.len()
            ));
        }
        for (pdu, whole) in pdus.iter_mut().zip(raws) {
            pdu.frame = frame.number;
            pdu.bytes = whole.octets;
            // A bit-field's octets: its offset counts from the start of the data source the PDU
            // was dissected from (the frame, or the reassembled stream), as does the PDU's own.
            let base = whole.offset.ok_or("smpp_raw without offset")?;
            for (index, offset, len) in std::mem::take(&mut pdu.bit_fields) {
                let octets = offset
                    .checked_sub(base)
                    .and_then(|at| pdu.bytes.get(at..at + len))
                    .ok_or_else(|| {
                        format!(
                            "frame {}: bit-field {} at {offset}+{len} lies outside its PDU \
                             (at {base}, {} octets)",
                            frame.number,
                            pdu.raw[index].0,
                            pdu.bytes.len()
                        )
                    })?;
                pdu.raw[index].1 = octets.to_vec();
            }
        }
        decoded.frames.push(frame);
    }
    Ok(decoded)
}

fn checksum_status(layer: &Node, key: &str) -> Option<bool> {
    // Wireshark's proto_checksum_enum_e: 0 bad, 1 good, 2 unverified, 3 not present, 4 illegal.
    match layer.get(key).and_then(Node::as_str) {
        Some("1") => Some(true),
        Some("0") => Some(false),
        _ => None,
    }
}

/// Appends the fields of one `smpp` subtree to `pdu`, depth first, in order.
fn flatten(node: &Node, pdu: &mut SmppPdu) {
    let Some(entries) = node.as_map() else {
        return;
    };
    for (key, value) in entries {
        if key.starts_with("_ws.malformed") {
            pdu.malformed = true;
        }
        if let Some(field) = key.strip_suffix("_raw") {
            match value {
                Node::List(items) if items.first().is_some_and(|i| matches!(i, Node::List(_))) => {
                    for item in items {
                        push_raw(field, item, pdu);
                    }
                }
                _ => push_raw(field, value, pdu),
            }
            continue;
        }
        push_value(key, value, pdu);
    }
}

fn push_value(key: &str, value: &Node, pdu: &mut SmppPdu) {
    match value {
        Node::Scalar(s) => pdu.fields.push((key.to_owned(), s.clone())),
        Node::Map(_) => {
            if !key.ends_with("_tree") {
                pdu.fields.push((key.to_owned(), String::new()));
            }
            flatten(value, pdu);
        }
        Node::List(items) => {
            for item in items {
                push_value(key, item, pdu);
            }
        }
    }
}

fn push_raw(field: &str, node: &Node, pdu: &mut SmppPdu) {
    let Some(entry) = raw_entry(node) else {
        return;
    };
    if entry.mask != 0 {
        // tshark prints a bit-field's value here, not its octets: read them later from `bytes`.
        if let (Some(offset), Some(len)) = (entry.offset, entry.len) {
            pdu.bit_fields.push((pdu.raw.len(), offset, len));
            pdu.raw.push((field.to_owned(), Vec::new()));
        }
        return;
    }
    pdu.raw.push((field.to_owned(), entry.octets));
}

/// A `-x` raw entry: `["hex", offset, length, bitmask, type]` or plain `"hex"`.
struct RawEntry {
    octets: Vec<u8>,
    offset: Option<usize>,
    len: Option<usize>,
    mask: u64,
}

fn raw_entry(node: &Node) -> Option<RawEntry> {
    match node {
        Node::Scalar(s) => Some(RawEntry {
            octets: hex_bytes(s)?,
            offset: None,
            len: None,
            mask: 0,
        }),
        Node::List(items) => {
            let number = |i: usize| {
                items
                    .get(i)
                    .and_then(Node::as_str)
                    .and_then(parse_uint)
                    .and_then(|v| usize::try_from(v).ok())
            };
            let mask = number(3).unwrap_or(0);
            let hex = items.first().and_then(Node::as_str)?;
            Some(RawEntry {
                // A bit-field's value may have an odd number of hex digits.
                octets: if mask == 0 {
                    hex_bytes(hex)?
                } else {
                    Vec::new()
                },
                offset: number(1),
                len: number(2),
                mask: u64::try_from(mask).unwrap_or(u64::MAX),
            })
        }
        Node::Map(_) => None,
    }
}

/// Parses `0x`-prefixed hex or decimal.
pub fn parse_uint(s: &str) -> Option<u64> {
    match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => s.parse().ok(),
    }
}

/// Decodes `48:65:6c` or `48656c` to octets (`""` is empty).
pub fn hex_bytes(s: &str) -> Option<Vec<u8>> {
    let digits: Vec<u8> = s.bytes().filter(|&b| b != b':').collect();
    if !digits.len().is_multiple_of(2) {
        return None;
    }
    digits
        .chunks(2)
        .map(|pair| {
            let text = std::str::from_utf8(pair).ok()?;
            u8::from_str_radix(text, 16).ok()
        })
        .collect()
}

/// A JSON value that keeps object keys in order, duplicates included.
#[derive(Debug, Clone, PartialEq)]
enum Node {
    Scalar(String),
    List(Vec<Node>),
    Map(Vec<(String, Node)>),
}

impl Node {
    fn as_map(&self) -> Option<&[(String, Node)]> {
        match self {
            Node::Map(entries) => Some(entries),
            _ => None,
        }
    }

    fn as_str(&self) -> Option<&str> {
        match self {
            Node::Scalar(s) => Some(s),
            _ => None,
        }
    }

    /// The first value under `key`.
    fn get(&self, key: &str) -> Option<&Node> {
        self.as_map()?
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct NodeVisitor;

        impl<'de> Visitor<'de> for NodeVisitor {
            type Value = Node;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_bool<E>(self, v: bool) -> Result<Node, E> {
                Ok(Node::Scalar(v.to_string()))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Node, E> {
                Ok(Node::Scalar(v.to_string()))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Node, E> {
                Ok(Node::Scalar(v.to_string()))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Node, E> {
                Ok(Node::Scalar(v.to_string()))
            }
            fn visit_str<E>(self, v: &str) -> Result<Node, E> {
                Ok(Node::Scalar(v.to_owned()))
            }
            fn visit_string<E>(self, v: String) -> Result<Node, E> {
                Ok(Node::Scalar(v))
            }
            fn visit_unit<E>(self) -> Result<Node, E> {
                Ok(Node::Scalar(String::new()))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element()? {
                    items.push(item);
                }
                Ok(Node::List(items))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = map.next_entry::<String, Node>()? {
                    entries.push(entry);
                }
                Ok(Node::Map(entries))
            }
        }

        deserializer.deserialize_any(NodeVisitor)
    }
}
