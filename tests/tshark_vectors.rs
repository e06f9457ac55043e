//! Cross-check of the pcap writer and the tshark harness on the worked example PDUs of
//! `smpp-v34-reference.md` §10: Wireshark must see exactly the hand-worked field values.
//!
//! The expected field lists are what tshark (Wireshark 4.0.x SMPP dissector) shows for each PDU,
//! every value checked by hand against the reference's offset tables; see
//! `tests/support/tshark_fields.md` for the formats.

#[path = "support/tshark.rs"]
mod tshark;

use std::net::{Ipv4Addr, SocketAddrV4};
use std::path::PathBuf;
use std::time::Duration;

use smpp::pcap::{Direction, PcapWriter, TcpConversation};

/// Parses the reference's hex dumps (`00 00 00 2F ...`, whitespace and newlines ignored).
fn hex(dump: &str) -> Vec<u8> {
    let digits: String = dump.split_whitespace().collect();
    tshark::hex_bytes(&digits).unwrap_or_else(|| panic!("bad hex literal {dump:?}"))
}

/// `48:65:6c` — how tshark shows FT_BYTES values.
fn colon_hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(":")
}

// §10.1 .. §10.14, byte for byte.
const BIND_TRANSMITTER: &str = "
    00 00 00 2F 00 00 00 02 00 00 00 00 00 00 00 01
    53 4D 50 50 33 54 45 53 54 00 73 65 63 72 65 74
    30 38 00 53 55 42 4D 49 54 31 00 34 01 01 00";
const BIND_TRANSMITTER_RESP_OK: &str = "
    00 00 00 1A 80 00 00 02 00 00 00 00 00 00 00 01
    53 4D 53 43 00 02 10 00 01 34";
const BIND_TRANSMITTER_RESP_ERR: &str = "00 00 00 10 80 00 00 02 00 00 00 0E 00 00 00 01";
const SUBMIT_SM: &str = "
    00 00 00 3D 00 00 00 04 00 00 00 00 00 00 00 02
    00 01 01 31 32 33 34 35 00 01 01 34 34 37 39 31
    31 31 32 33 34 35 36 00 00 00 00 00 00 01 00 00
    00 05 48 65 6C 6C 6F 02 04 00 02 00 01";
const SUBMIT_SM_RESP_OK: &str = "
    00 00 00 1B 80 00 00 04 00 00 00 00 00 00 00 02
    31 32 33 34 35 36 37 38 39 30 00";
const SUBMIT_SM_RESP_ERR: &str = "00 00 00 10 80 00 00 04 00 00 00 45 00 00 00 03";
const DELIVER_SM_RECEIPT: &str = "
    00 00 00 B1 00 00 00 05 00 00 00 00 00 00 00 07
    00 01 01 34 34 37 39 31 31 31 32 33 34 35 36 00
    01 01 31 32 33 34 35 00 04 00 00 00 00 00 00 00
    00 6B 69 64 3A 31 32 33 34 35 36 37 38 39 30 20
    73 75 62 3A 30 30 31 20 64 6C 76 72 64 3A 30 30
    31 20 73 75 62 6D 69 74 20 64 61 74 65 3A 32 34
    30 31 30 31 31 32 30 30 20 64 6F 6E 65 20 64 61
    74 65 3A 32 34 30 31 30 31 31 32 30 31 20 73 74
    61 74 3A 44 45 4C 49 56 52 44 20 65 72 72 3A 30
    30 30 20 74 65 78 74 3A 48 65 6C 6C 6F 00 1E 00
    0B 31 32 33 34 35 36 37 38 39 30 00 04 27 00 01
    02";
const DELIVER_SM_RESP: &str = "00 00 00 11 80 00 00 05 00 00 00 00 00 00 00 07 00";
const ENQUIRE_LINK: &str = "00 00 00 10 00 00 00 15 00 00 00 00 00 00 00 03";
const ENQUIRE_LINK_RESP: &str = "00 00 00 10 80 00 00 15 00 00 00 00 00 00 00 03";
const GENERIC_NACK_CMD_ID: &str = "00 00 00 10 80 00 00 00 00 00 00 03 00 00 00 04";
const GENERIC_NACK_CMD_LEN: &str = "00 00 00 10 80 00 00 00 00 00 00 02 00 00 00 00";
const UNBIND: &str = "00 00 00 10 00 00 00 06 00 00 00 00 00 00 00 05";
const UNBIND_RESP: &str = "00 00 00 10 80 00 00 06 00 00 00 00 00 00 00 05";
const SUBMIT_MULTI: &str = "
    00 00 00 3D 00 00 00 21 00 00 00 00 00 00 00 06
    00 01 01 31 32 33 34 35 00 02 01 01 01 34 34 37
    39 31 31 31 32 33 34 35 36 00 02 73 74 61 66 66
    00 00 00 00 00 00 00 00 00 00 02 48 69";
const SUBMIT_MULTI_RESP: &str = "
    00 00 00 28 80 00 00 21 00 00 00 00 00 00 00 06
    41 42 43 00 01 01 01 34 34 37 39 31 31 31 32 33
    34 35 36 00 00 00 00 0B";

const RECEIPT_TEXT: &[u8] = b"id:1234567890 sub:001 dlvrd:001 submit date:2401011200 \
done date:2401011201 stat:DELIVRD err:000 text:Hello";

/// One PDU of the capture and what tshark must show for it.
struct Expect {
    name: &'static str,
    bytes: Vec<u8>,
    /// Every field tshark shows, in order (`smpp.` prefix added).
    fields: Vec<(String, String)>,
}

/// The 16-octet header as tshark shows it: command_status only for responses.
fn header(length: u32, id: u32, status: u32, seq: u32) -> Vec<(String, String)> {
    let mut f = vec![
        ("command_length".to_owned(), length.to_string()),
        ("command_id".to_owned(), format!("0x{id:08x}")),
    ];
    if id & 0x8000_0000 != 0 {
        f.push(("command_status".to_owned(), format!("0x{status:08x}")));
    }
    f.push(("sequence_number".to_owned(), seq.to_string()));
    f
}

fn expect(
    name: &'static str,
    dump: &str,
    head: (u32, u32, u32, u32),
    body: &[(&str, &str)],
) -> Expect {
    let mut fields = header(head.0, head.1, head.2, head.3);
    fields.extend(body.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
    Expect {
        name,
        bytes: hex(dump),
        fields: fields
            .into_iter()
            .map(|(k, v)| (format!("smpp.{k}"), v))
            .collect(),
    }
}

/// The body fields of submit_sm/deliver_sm/submit_multi's esm_class, registered_delivery etc.
fn esm(
    mode: &'static str,
    kind: &'static str,
    features: &'static str,
) -> [(&'static str, &'static str); 3] {
    [
        ("esm.submit.msg_mode", mode),
        ("esm.submit.msg_type", kind),
        ("esm.submit.features", features),
    ]
}

fn regdel(
    receipt: &'static str,
    acks: &'static str,
    notif: &'static str,
) -> [(&'static str, &'static str); 3] {
    [
        ("regdel.receipt", receipt),
        ("regdel.acks", acks),
        ("regdel.notif", notif),
    ]
}

fn concat<'a>(parts: &[&[(&'a str, &'a str)]]) -> Vec<(&'a str, &'a str)> {
    parts.iter().flat_map(|p| p.iter().copied()).collect()
}

/// Every worked example, with the values of the reference's tables in tshark's notation.
fn vectors() -> Vec<Expect> {
    let receipt_hex = colon_hex(RECEIPT_TEXT);
    vec![
        // §10.1: address_range NULL is not shown at all.
        expect(
            "bind_transmitter",
            BIND_TRANSMITTER,
            (47, 0x0000_0002, 0, 1),
            &[
                ("system_id", "SMPP3TEST"),
                ("password", "secret08"),
                ("system_type", "SUBMIT1"),
                ("interface_version", "52"),
                ("addr_ton", "0x01"),
                ("addr_npi", "0x01"),
            ],
        ),
        // §10.3: error response, header only.
        expect(
            "bind_transmitter_resp (ESME_RINVPASWD)",
            BIND_TRANSMITTER_RESP_ERR,
            (16, 0x8000_0002, 0x0e, 1),
            &[],
        ),
        expect(
            "bind_transmitter (retry)",
            BIND_TRANSMITTER,
            (47, 2, 0, 1),
            &[
                ("system_id", "SMPP3TEST"),
                ("password", "secret08"),
                ("system_type", "SUBMIT1"),
                ("interface_version", "52"),
                ("addr_ton", "0x01"),
                ("addr_npi", "0x01"),
            ],
        ),
        // §10.2: system_id "SMSC" + TLV 0x0210 = 0x34.
        expect(
            "bind_transmitter_resp (ok)",
            BIND_TRANSMITTER_RESP_OK,
            (26, 0x8000_0002, 0, 1),
            &[
                ("system_id", "SMSC"),
                ("opt_params", ""),
                ("opt_param", ""),
                ("opt_param_tag", "0x0210"),
                ("opt_param_len", "1"),
                ("SC_interface_version", "52"),
            ],
        ),
        // §10.4
        expect(
            "submit_sm",
            SUBMIT_SM,
            (61, 0x0000_0004, 0, 2),
            &concat(&[
                &[
                    ("service_type", "(Default)"),
                    ("source_addr_ton", "0x01"),
                    ("source_addr_npi", "0x01"),
                    ("source_addr", "12345"),
                    ("dest_addr_ton", "0x01"),
                    ("dest_addr_npi", "0x01"),
                    ("destination_addr", "447911123456"),
                ],
                &esm("0x00", "0x00", "0x00"),
                &[
                    ("protocol_id", "0x00"),
                    ("priority_flag", "0x00"),
                    ("schedule_delivery_time_r", "0.000000000"),
                    ("validity_period_r", "0.000000000"),
                ],
                &regdel("0x01", "0x00", "0x00"),
                &[
                    ("replace_if_present_flag", "0x00"),
                    ("data_coding", "0x00"),
                    ("sm_default_msg_id", "0"),
                    ("sm_length", "5"),
                    ("message", "48:65:6c:6c:6f"),
                    ("opt_params", ""),
                    ("opt_param", ""),
                    ("opt_param_tag", "0x0204"),
                    ("opt_param_len", "2"),
                    ("user_message_reference", "0x0001"),
                ],
            ]),
        ),
        // §10.9 (coalesced with the submit_sm above)
        expect("enquire_link", ENQUIRE_LINK, (16, 0x0000_0015, 0, 3), &[]),
        // §10.5
        expect(
            "submit_sm_resp (ok)",
            SUBMIT_SM_RESP_OK,
            (27, 0x8000_0004, 0, 2),
            &[("message_id", "1234567890")],
        ),
        expect(
            "enquire_link_resp",
            ENQUIRE_LINK_RESP,
            (16, 0x8000_0015, 0, 3),
            &[],
        ),
        // §10.6
        expect(
            "submit_sm_resp (ESME_RSUBMITFAIL)",
            SUBMIT_SM_RESP_ERR,
            (16, 0x8000_0004, 0x45, 3),
            &[],
        ),
        // §10.13: dest_flag and number_of_dests have no field; a NULL validity_period is shown
        // as a second schedule_delivery_time_r (Wireshark bug, see tshark_fields.md).
        expect(
            "submit_multi",
            SUBMIT_MULTI,
            (61, 0x0000_0021, 0, 6),
            &concat(&[
                &[
                    ("service_type", "(Default)"),
                    ("source_addr_ton", "0x01"),
                    ("source_addr_npi", "0x01"),
                    ("source_addr", "12345"),
                    ("dlist", ""),
                    ("dest_addr_ton", "0x01"),
                    ("dest_addr_npi", "0x01"),
                    ("destination_addr", "447911123456"),
                    ("dl_name", "staff"),
                ],
                &esm("0x00", "0x00", "0x00"),
                &[
                    ("protocol_id", "0x00"),
                    ("priority_flag", "0x00"),
                    ("schedule_delivery_time_r", "0.000000000"),
                    ("schedule_delivery_time_r", "0.000000000"),
                ],
                &regdel("0x00", "0x00", "0x00"),
                &[
                    ("replace_if_present_flag", "0x00"),
                    ("data_coding", "0x00"),
                    ("sm_default_msg_id", "0"),
                    ("sm_length", "2"),
                    ("message", "48:69"),
                ],
            ]),
        ),
        // §10.14: no_unsuccess has no field of its own (it is the dlist_resp node's octet).
        expect(
            "submit_multi_resp",
            SUBMIT_MULTI_RESP,
            (40, 0x8000_0021, 0, 6),
            &[
                ("message_id", "ABC"),
                ("dlist_resp", ""),
                ("dest_addr_ton", "0x01"),
                ("dest_addr_npi", "0x01"),
                ("destination_addr", "447911123456"),
                ("error_status_code", "0x0000000b"),
            ],
        ),
        // §10.7, split over two segments: esm_class 0x04 shows as msg_type 0x01 (bits 5..2).
        expect(
            "deliver_sm (receipt)",
            DELIVER_SM_RECEIPT,
            (177, 0x0000_0005, 0, 7),
            &concat(&[
                &[
                    ("service_type", "(Default)"),
                    ("source_addr_ton", "0x01"),
                    ("source_addr_npi", "0x01"),
                    ("source_addr", "447911123456"),
                    ("dest_addr_ton", "0x01"),
                    ("dest_addr_npi", "0x01"),
                    ("destination_addr", "12345"),
                ],
                &esm("0x00", "0x01", "0x00"),
                &[
                    ("protocol_id", "0x00"),
                    ("priority_flag", "0x00"),
                    ("schedule_delivery_time_r", "0.000000000"),
                    ("validity_period_r", "0.000000000"),
                ],
                &regdel("0x00", "0x00", "0x00"),
                &[
                    ("replace_if_present_flag", "0x00"),
                    ("data_coding", "0x00"),
                    ("sm_default_msg_id", "0"),
                    ("sm_length", "107"),
                    ("message", receipt_hex.as_str()),
                    ("opt_params", ""),
                    ("opt_param", ""),
                    ("opt_param_tag", "0x001e"),
                    ("opt_param_len", "11"),
                    ("receipted_message_id", "1234567890"),
                    ("opt_param", ""),
                    ("opt_param_tag", "0x0427"),
                    ("opt_param_len", "1"),
                    ("message_state", "2"),
                ],
            ]),
        ),
        // §10.10 and §10.11 (in the segment completing the deliver_sm)
        expect(
            "generic_nack (ESME_RINVCMDID)",
            GENERIC_NACK_CMD_ID,
            (16, 0x8000_0000, 0x03, 4),
            &[],
        ),
        expect(
            "generic_nack (ESME_RINVCMDLEN, seq 0)",
            GENERIC_NACK_CMD_LEN,
            (16, 0x8000_0000, 0x02, 0),
            &[],
        ),
        // §10.8: message_id NULL is not shown.
        expect(
            "deliver_sm_resp",
            DELIVER_SM_RESP,
            (17, 0x8000_0005, 0, 7),
            &[],
        ),
        // §10.12
        expect("unbind", UNBIND, (16, 0x0000_0006, 0, 5), &[]),
        expect("unbind_resp", UNBIND_RESP, (16, 0x8000_0006, 0, 5), &[]),
    ]
}

/// Writes the capture: one conversation ESME 127.0.0.1:40000 → SMSC 127.0.0.2:2775 holding every
/// vector once (the bind twice), with coalesced PDUs and a PDU split across two segments.
/// Returns the path and, per vector, the 1-based frame in which tshark must report it.
fn write_capture(v: &[Expect]) -> (PathBuf, Vec<u64>) {
    let by_name = |name: &str| -> &[u8] {
        &v.iter()
            .find(|e| e.name == name)
            .unwrap_or_else(|| panic!("no vector {name}"))
            .bytes
    };
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("tshark_vectors.pcap");
    let file = std::fs::File::create(&path).expect("create capture");
    let mut pcap = PcapWriter::new(std::io::BufWriter::new(file)).expect("pcap header");
    let esme = SocketAddrV4::new(Ipv4Addr::new(127, 0, 0, 1), 40_000);
    let smsc = SocketAddrV4::new(Ipv4Addr::new(127, 0, 0, 2), tshark::SMPP_PORT);
    let mut conn = TcpConversation::new(esme, smsc).expect("conversation");
    let mut t = Duration::from_secs(1_704_110_400); // 2024-01-01T12:00:00Z
    let mut tick = || {
        t += Duration::from_millis(1);
        t
    };
    let w = &mut pcap;
    conn.handshake(w, tick()).expect("handshake"); // frames 1-3
    conn.client_sends(w, by_name("bind_transmitter"), tick())
        .expect("4");
    conn.server_sends(w, by_name("bind_transmitter_resp (ESME_RINVPASWD)"), tick())
        .expect("5");
    conn.client_sends(w, by_name("bind_transmitter (retry)"), tick())
        .expect("6");
    conn.server_sends(w, by_name("bind_transmitter_resp (ok)"), tick())
        .expect("7");
    let coalesced = [by_name("submit_sm"), by_name("enquire_link")].concat();
    conn.client_sends(w, &coalesced, tick()).expect("8");
    let coalesced = [
        by_name("submit_sm_resp (ok)"),
        by_name("enquire_link_resp"),
        by_name("submit_sm_resp (ESME_RSUBMITFAIL)"),
    ]
    .concat();
    conn.server_sends(w, &coalesced, tick()).expect("9");
    conn.client_sends(w, by_name("submit_multi"), tick())
        .expect("10");
    conn.server_sends(w, by_name("submit_multi_resp"), tick())
        .expect("11");
    // deliver_sm split inside its short_message; the second segment also carries two nacks.
    let deliver = by_name("deliver_sm (receipt)");
    let tail = [
        &deliver[60..],
        by_name("generic_nack (ESME_RINVCMDID)"),
        by_name("generic_nack (ESME_RINVCMDLEN, seq 0)"),
    ]
    .concat();
    let dir = Direction::ServerToClient;
    let first = conn.segment(dir, 0, &deliver[..60]);
    let second = conn.segment(dir, 60, &tail);
    w.write_segment(tick(), &first).expect("12");
    w.write_segment(tick(), &second).expect("13");
    conn.advance(dir, u32::try_from(60 + tail.len()).expect("small"));
    let coalesced = [by_name("deliver_sm_resp"), by_name("unbind")].concat();
    conn.client_sends(w, &coalesced, tick()).expect("14");
    conn.server_sends(w, by_name("unbind_resp"), tick())
        .expect("15");
    conn.finish(w, tick()).expect("16-18");
    pcap.flush().expect("flush");
    let frames = vec![4, 5, 6, 7, 8, 8, 9, 9, 9, 10, 11, 13, 13, 13, 14, 14, 15];
    (path, frames)
}

#[test]
fn tshark_agrees_with_the_worked_examples() {
    let vectors = vectors();
    let (path, frames) = write_capture(&vectors);
    assert_eq!(frames.len(), vectors.len());
    let decoded = tshark::decode(&path);
    let version = tshark::tshark_version();

    assert_eq!(decoded.frames.len(), 18, "{version}: frame count");
    for frame in &decoded.frames {
        assert_eq!(
            frame.tcp_checksum_good,
            Some(true),
            "frame {} TCP checksum",
            frame.number
        );
        assert_eq!(
            frame.ip_checksum_good,
            Some(true),
            "frame {} IP checksum",
            frame.number
        );
        assert!(!frame.malformed, "frame {} malformed", frame.number);
    }
    let got: Vec<String> = decoded.pdus.iter().map(ToString::to_string).collect();
    assert_eq!(
        decoded.pdus.len(),
        vectors.len(),
        "{version}: one record per SMPP PDU expected, got:\n{}",
        got.join("\n")
    );

    for ((want, pdu), frame) in vectors.iter().zip(&decoded.pdus).zip(&frames) {
        let name = want.name;
        assert_eq!(pdu.frame, *frame, "{name}: reported in frame {}", pdu.frame);
        assert!(!pdu.malformed, "{name}: malformed");
        assert_eq!(
            pdu.bytes, want.bytes,
            "{name}: the PDU octets tshark reassembled"
        );
        // The header, read back both ways.
        let b = &want.bytes;
        let be32 = |at: usize| u32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]]);
        assert_eq!(pdu.command_length(), be32(0), "{name}: command_length");
        assert_eq!(pdu.command_id(), be32(4), "{name}: command_id");
        assert_eq!(pdu.sequence_number(), be32(12), "{name}: sequence_number");
        let is_response = be32(4) & 0x8000_0000 != 0;
        let status = if is_response { Some(be32(8)) } else { None };
        assert_eq!(pdu.command_status(), status, "{name}: command_status");
        if !is_response {
            assert_eq!(be32(8), 0, "{name}: requests carry command_status 0");
        }
        // Every field, in order.
        let shown: Vec<(String, String)> = pdu.fields.clone();
        if shown != want.fields {
            let render = |f: &[(String, String)]| {
                f.iter()
                    .map(|(k, v)| format!("    {k} = {v:?}"))
                    .collect::<Vec<_>>()
                    .join("\n")
            };
            panic!(
                "{version}: {name}: fields differ\n  expected:\n{}\n  tshark:\n{}",
                render(&want.fields),
                render(&shown)
            );
        }
    }

    // Raw octets of a few fields: C-strings include their NUL, TLV values are exact.
    let bind = &decoded.pdus[0];
    assert_eq!(bind.raw("smpp.system_id"), Some(&b"SMPP3TEST\0"[..]));
    assert_eq!(bind.raw("smpp.interface_version"), Some(&[0x34][..]));
    let submit = &decoded.pdus[4];
    assert_eq!(
        submit.octets("smpp.message").as_deref(),
        Some(&b"Hello"[..])
    );
    assert_eq!(submit.raw("smpp.user_message_reference"), Some(&[0, 1][..]));
    let deliver = &decoded.pdus[11];
    assert_eq!(
        deliver.octets("smpp.message").as_deref(),
        Some(RECEIPT_TEXT)
    );
    assert_eq!(
        deliver.raw("smpp.receipted_message_id"),
        Some(&b"1234567890\0"[..])
    );
    assert_eq!(deliver.map()["smpp.opt_param_tag"], ["0x001e", "0x0427"]);
}

/// The JSON parser keeps duplicate keys in order: two PDUs in one frame, repeated fields in one.
#[test]
fn parser_keeps_duplicate_keys_and_pairs_raw_octets() {
    let json = r#"[{"_index": "x", "_source": {"layers": {
        "frame": {"frame.number": "7"},
        "ip": {"ip.checksum.status": "1"},
        "tcp": {"tcp.checksum.status": "0"},
        "smpp_raw": ["0000001080000015", 54, 16, 0, 1],
        "smpp": {"smpp.command_id_raw": ["80000015", 58, 4, 0, 7],
                 "smpp.command_id": "0x80000015", "smpp.sequence_number": "3"},
        "smpp_raw": ["00000011", 70, 17, 0, 1],
        "smpp": {"smpp.command_id": "0x00000021",
                 "smpp.dlist": {"smpp.destination_addr": "111", "smpp.dl_name": "dl",
                                "smpp.destination_addr": "222"},
                 "smpp.message": "48:69"},
        "_ws.malformed": {"_ws.malformed": "Malformed Packet"}
    }}}]"#;
    let decoded = tshark::parse_tshark_json(json).expect("parses");
    assert_eq!(decoded.frames.len(), 1);
    let frame = &decoded.frames[0];
    assert_eq!(
        (
            frame.number,
            frame.ip_checksum_good,
            frame.tcp_checksum_good,
            frame.malformed
        ),
        (7, Some(true), Some(false), true)
    );
    let [first, second] = &decoded.pdus[..] else {
        panic!("two PDUs expected: {:?}", decoded.pdus);
    };
    assert_eq!((first.frame, second.frame), (7, 7));
    assert_eq!(first.command_id(), 0x8000_0015);
    assert_eq!(first.raw("smpp.command_id"), Some(&[0x80, 0, 0, 0x15][..]));
    assert_eq!(first.bytes, hex("00 00 00 10 80 00 00 15"));
    assert!(!first.malformed && second.malformed);
    assert_eq!(second.bytes, hex("00 00 00 11"));
    assert_eq!(second.all("smpp.destination_addr"), ["111", "222"]);
    let order: Vec<&str> = second.fields.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        order,
        [
            "smpp.command_id",
            "smpp.dlist",
            "smpp.destination_addr",
            "smpp.dl_name",
            "smpp.destination_addr",
            "smpp.message"
        ]
    );
    assert_eq!(second.octets("smpp.message").as_deref(), Some(&b"Hi"[..]));
    assert_eq!(second.command_status(), None);
    assert!(tshark::parse_tshark_json("{}").is_err());
}
