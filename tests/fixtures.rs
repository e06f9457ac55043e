//! Decodes every `fixtures/pdus/*.hex` and checks it against the values worked out by hand in the
//! file's header (written out here as explicit asserts), re-encodes it byte for byte, and checks
//! that every truncation of it is refused with a typed error.

use std::path::{Path, PathBuf};

use bytes::Bytes;
use smpp::*;

fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/pdus")
}

/// The octets of a fixture: hex digits, with `#` comments and whitespace ignored.
fn load(name: &str) -> Bytes {
    let path = fixture_dir().join(format!("{name}.hex"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    Bytes::from(smpp::dump::parse_hex(&text).unwrap_or_else(|e| panic!("{name}: {e}")))
}

fn all_fixtures() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(fixture_dir())
        .unwrap()
        .filter_map(|e| {
            let name = e.unwrap().file_name().into_string().unwrap();
            name.strip_suffix(".hex").map(str::to_owned)
        })
        .collect();
    names.sort();
    names
}

/// Decodes strictly, checks the re-encoding is byte-exact, and checks the header.
fn decode(name: &str, id: CommandId, status: CommandStatus, seq: u32) -> Command {
    let frame = load(name);
    let cmd = Command::decode(&frame).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(cmd.to_bytes(), frame, "{name}: re-encoding");
    assert_eq!(cmd.command_id(), id, "{name}");
    assert_eq!(cmd.command_status, status, "{name}");
    assert_eq!(cmd.sequence_number, seq, "{name}");
    assert_eq!(
        cmd.header().command_length as usize,
        frame.len(),
        "{name}: command_length"
    );
    cmd
}

fn tlvs(t: &Tlvs) -> Vec<Tlv> {
    t.typed().collect()
}

fn cstr<const N: usize>(s: &str) -> COctetString<N> {
    COctetString::new(Bytes::copy_from_slice(s.as_bytes())).unwrap()
}

// --- one test per command_id ----------------------------------------------------------------

#[test]
fn header_only_pdus() {
    let cases = [
        (
            "generic_nack",
            CommandId::GENERIC_NACK,
            CommandStatus::ESME_RINVCMDID,
            4,
            Pdu::GenericNack,
        ),
        (
            "unbind",
            CommandId::UNBIND,
            CommandStatus::ESME_ROK,
            5,
            Pdu::Unbind,
        ),
        (
            "unbind_resp",
            CommandId::UNBIND_RESP,
            CommandStatus::ESME_ROK,
            5,
            Pdu::UnbindResp,
        ),
        (
            "enquire_link",
            CommandId::ENQUIRE_LINK,
            CommandStatus::ESME_ROK,
            3,
            Pdu::EnquireLink,
        ),
        (
            "enquire_link_resp",
            CommandId::ENQUIRE_LINK_RESP,
            CommandStatus::ESME_ROK,
            3,
            Pdu::EnquireLinkResp,
        ),
        (
            "cancel_sm_resp",
            CommandId::CANCEL_SM_RESP,
            CommandStatus::ESME_ROK,
            12,
            Pdu::CancelSmResp,
        ),
        (
            "replace_sm_resp",
            CommandId::REPLACE_SM_RESP,
            CommandStatus::ESME_ROK,
            13,
            Pdu::ReplaceSmResp,
        ),
        (
            "generic_nack_invalid_length",
            CommandId::GENERIC_NACK,
            CommandStatus::ESME_RINVCMDLEN,
            0,
            Pdu::GenericNack,
        ),
        (
            "bind_transmitter_resp_error",
            CommandId::BIND_TRANSMITTER_RESP,
            CommandStatus::ESME_RINVPASWD,
            1,
            Pdu::BindTransmitterResp(None),
        ),
        (
            "submit_sm_resp_error",
            CommandId::SUBMIT_SM_RESP,
            CommandStatus::ESME_RSUBMITFAIL,
            3,
            Pdu::SubmitSmResp(None),
        ),
        (
            "deliver_sm_resp_error",
            CommandId::DELIVER_SM_RESP,
            CommandStatus::ESME_RX_T_APPN,
            8,
            Pdu::DeliverSmResp(None),
        ),
    ];
    for (name, id, status, seq, pdu) in cases {
        let cmd = decode(name, id, status, seq);
        assert_eq!(cmd.pdu, pdu, "{name}");
        assert_eq!(load(name).len(), 16, "{name}");
    }
}

fn bind_body(name: &str, id: CommandId) -> Bind {
    let cmd = decode(
        name,
        id,
        CommandStatus::ESME_ROK,
        if name.ends_with("max_fields") { 22 } else { 1 },
    );
    match cmd.pdu {
        Pdu::BindTransmitter(b) | Pdu::BindReceiver(b) | Pdu::BindTransceiver(b) => b,
        other => panic!("{name}: {other:?}"),
    }
}

#[test]
fn bind_transmitter() {
    // Reference §10.1.
    let b = bind_body("bind_transmitter", CommandId::BIND_TRANSMITTER);
    assert_eq!(b.system_id, "SMPP3TEST");
    assert_eq!(b.password, "secret08");
    assert_eq!(b.system_type, "SUBMIT1");
    assert_eq!(b.interface_version, 0x34);
    assert_eq!(b.addr_ton, Ton::INTERNATIONAL);
    assert_eq!(b.addr_npi, Npi::ISDN);
    assert_eq!(b.address_range, "");
    assert!(b.tlvs.is_empty());
    assert_eq!(load("bind_transmitter").len(), 0x2F);
}

#[test]
fn bind_receiver() {
    let b = bind_body("bind_receiver", CommandId::BIND_RECEIVER);
    assert_eq!(b.system_id, "RECV01");
    assert_eq!(b.password, "pw");
    assert_eq!(b.system_type, "");
    assert_eq!(b.interface_version, 0x34);
    assert_eq!(b.addr_ton, Ton::NATIONAL);
    assert_eq!(b.addr_npi, Npi::ISDN);
    assert_eq!(b.address_range, "^1234");
    assert_eq!(load("bind_receiver").len(), 36);
}

#[test]
fn bind_transceiver() {
    let b = bind_body("bind_transceiver", CommandId::BIND_TRANSCEIVER);
    assert_eq!(b.system_id, "TRX");
    assert_eq!(b.password, "secret");
    assert_eq!(b.system_type, "VMS");
    assert_eq!(b.interface_version, 0x34);
    assert_eq!((b.addr_ton, b.addr_npi), (Ton::INTERNATIONAL, Npi::ISDN));
    assert_eq!(b.address_range, "");
    assert_eq!(load("bind_transceiver").len(), 35);
}

#[test]
fn bind_transmitter_max_fields() {
    let b = bind_body("bind_transmitter_max_fields", CommandId::BIND_TRANSMITTER);
    assert_eq!(b.system_id, "ABCDEFGHIJKLMNO");
    assert_eq!(b.system_id.len(), 15);
    assert_eq!(b.password, "PASSWORD");
    assert_eq!(b.system_type, "SYSTEMTYPE12");
    assert_eq!(b.address_range, "0123456789012345678901234567890123456789");
    assert_eq!(b.address_range.len(), 40);
    assert_eq!(load("bind_transmitter_max_fields").len(), 98);
}

#[test]
fn bind_responses() {
    // Reference §10.2.
    for (name, id, tlv) in [
        (
            "bind_transmitter_resp",
            CommandId::BIND_TRANSMITTER_RESP,
            true,
        ),
        ("bind_receiver_resp", CommandId::BIND_RECEIVER_RESP, false),
        (
            "bind_transceiver_resp",
            CommandId::BIND_TRANSCEIVER_RESP,
            true,
        ),
    ] {
        let cmd = decode(name, id, CommandStatus::ESME_ROK, 1);
        let b = match cmd.pdu {
            Pdu::BindTransmitterResp(Some(b))
            | Pdu::BindReceiverResp(Some(b))
            | Pdu::BindTransceiverResp(Some(b)) => b,
            other => panic!("{name}: {other:?}"),
        };
        assert_eq!(b.system_id, "SMSC", "{name}");
        if tlv {
            assert_eq!(tlvs(&b.tlvs), vec![Tlv::ScInterfaceVersion(0x34)], "{name}");
            assert_eq!(b.tlvs.as_bytes(), [0x02, 0x10, 0x00, 0x01, 0x34], "{name}");
            assert_eq!(load(name).len(), 0x1A, "{name}");
        } else {
            assert!(b.tlvs.is_empty(), "{name}");
            assert_eq!(load(name).len(), 21, "{name}");
        }
    }
}

#[test]
fn outbind() {
    let cmd = decode("outbind", CommandId::OUTBIND, CommandStatus::ESME_ROK, 1);
    let Pdu::Outbind(b) = cmd.pdu else {
        panic!("{:?}", cmd.pdu)
    };
    assert_eq!(b.system_id, "SMSC");
    assert_eq!(b.password, "pw");
    assert_eq!(load("outbind").len(), 24);
}

#[test]
fn submit_sm() {
    // Reference §10.4.
    let cmd = decode(
        "submit_sm",
        CommandId::SUBMIT_SM,
        CommandStatus::ESME_ROK,
        2,
    );
    let Pdu::SubmitSm(s) = cmd.pdu else {
        panic!("{:?}", cmd.pdu)
    };
    assert_eq!(s.service_type, "");
    assert_eq!(
        (s.source_addr_ton, s.source_addr_npi),
        (Ton::INTERNATIONAL, Npi::ISDN)
    );
    assert_eq!(s.source_addr, "12345");
    assert_eq!(
        (s.dest_addr_ton, s.dest_addr_npi),
        (Ton::INTERNATIONAL, Npi::ISDN)
    );
    assert_eq!(s.destination_addr, "447911123456");
    assert_eq!(s.esm_class, EsmClass::DEFAULT);
    assert_eq!((s.protocol_id, s.priority_flag), (0, 0));
    assert!(s.schedule_delivery_time.is_empty());
    assert!(s.validity_period.is_empty());
    assert_eq!(s.registered_delivery, RegisteredDelivery::SMSC_RECEIPT);
    assert_eq!(s.replace_if_present_flag, 0);
    assert_eq!(s.data_coding, DataCoding::SMSC_DEFAULT);
    assert_eq!(s.sm_default_msg_id, 0);
    assert_eq!(s.short_message.as_bytes(), b"Hello");
    assert_eq!(tlvs(&s.tlvs), vec![Tlv::UserMessageReference(1)]);
    assert_eq!(load("submit_sm").len(), 0x3D);
}

#[test]
fn submit_sm_resp() {
    // Reference §10.5.
    let cmd = decode(
        "submit_sm_resp",
        CommandId::SUBMIT_SM_RESP,
        CommandStatus::ESME_ROK,
        2,
    );
    let Pdu::SubmitSmResp(Some(r)) = cmd.pdu else {
        panic!("{:?}", cmd.pdu)
    };
    assert_eq!(r.message_id, "1234567890");
    assert!(r.tlvs.is_empty());
    assert_eq!(load("submit_sm_resp").len(), 0x1B);
}

#[test]
fn submit_multi() {
    // Reference §10.13.
    let cmd = decode(
        "submit_multi",
        CommandId::SUBMIT_MULTI,
        CommandStatus::ESME_ROK,
        6,
    );
    let Pdu::SubmitMulti(s) = cmd.pdu else {
        panic!("{:?}", cmd.pdu)
    };
    assert_eq!(s.service_type, "");
    assert_eq!(
        (s.source_addr_ton, s.source_addr_npi),
        (Ton::INTERNATIONAL, Npi::ISDN)
    );
    assert_eq!(s.source_addr, "12345");
    assert_eq!(
        s.dest_addresses.as_slice(),
        [
            DestAddress::SmeAddress {
                dest_addr_ton: Ton::INTERNATIONAL,
                dest_addr_npi: Npi::ISDN,
                destination_addr: cstr("447911123456"),
            },
            DestAddress::DistributionList {
                dl_name: cstr("staff")
            },
        ]
    );
    assert_eq!(s.esm_class, EsmClass::DEFAULT);
    assert_eq!((s.protocol_id, s.priority_flag), (0, 0));
    assert!(s.schedule_delivery_time.is_empty() && s.validity_period.is_empty());
    assert_eq!(s.registered_delivery, RegisteredDelivery::NONE);
    assert_eq!(s.replace_if_present_flag, 0);
    assert_eq!(s.data_coding, DataCoding::SMSC_DEFAULT);
    assert_eq!(s.sm_default_msg_id, 0);
    assert_eq!(s.short_message.as_bytes(), b"Hi");
    assert!(s.tlvs.is_empty());
    assert_eq!(load("submit_multi").len(), 0x3D);
}

#[test]
fn submit_multi_resp() {
    // Reference §10.14.
    let cmd = decode(
        "submit_multi_resp",
        CommandId::SUBMIT_MULTI_RESP,
        CommandStatus::ESME_ROK,
        6,
    );
    let Pdu::SubmitMultiResp(Some(r)) = cmd.pdu else {
        panic!("{:?}", cmd.pdu)
    };
    assert_eq!(r.message_id, "ABC");
    assert_eq!(
        r.unsuccess_sme.as_slice(),
        [UnsuccessSme {
            dest_addr_ton: Ton::INTERNATIONAL,
            dest_addr_npi: Npi::ISDN,
            destination_addr: cstr("447911123456"),
            error_status_code: CommandStatus::ESME_RINVDSTADR,
        }]
    );
    assert_eq!(load("submit_multi_resp").len(), 0x28);
}

#[test]
fn deliver_sm() {
    let cmd = decode(
        "deliver_sm",
        CommandId::DELIVER_SM,
        CommandStatus::ESME_ROK,
        8,
    );
    let Pdu::DeliverSm(d) = cmd.pdu else {
        panic!("{:?}", cmd.pdu)
    };
    assert_eq!(d.source_addr, "447911123456");
    assert_eq!(
        (d.dest_addr_ton, d.dest_addr_npi),
        (Ton::UNKNOWN, Npi::UNKNOWN)
    );
    assert_eq!(d.destination_addr, "12345");
    assert_eq!(d.esm_class, EsmClass::DEFAULT);
    assert_eq!(d.data_coding, DataCoding::UCS2);
    assert_eq!(
        d.short_message.as_bytes(),
        [0x00, 0x48, 0x00, 0x69, 0x00, 0x20, 0x20, 0xAC]
    );
    assert!(d.tlvs.is_empty());
    assert_eq!(load("deliver_sm").len(), 58);
}

#[test]
fn deliver_sm_receipt() {
    // Reference §10.7.
    let cmd = decode(
        "deliver_sm_receipt",
        CommandId::DELIVER_SM,
        CommandStatus::ESME_ROK,
        7,
    );
    let Pdu::DeliverSm(d) = cmd.pdu else {
        panic!("{:?}", cmd.pdu)
    };
    assert_eq!(d.source_addr, "447911123456");
    assert_eq!(d.destination_addr, "12345");
    assert_eq!(d.esm_class, EsmClass::DELIVERY_RECEIPT);
    assert!(d.esm_class.is_delivery_receipt());
    assert_eq!(d.short_message.len(), 107);
    assert_eq!(
        d.short_message.as_bytes(),
        b"id:1234567890 sub:001 dlvrd:001 submit date:2401011200 done date:2401011201 stat:DELIVRD err:000 text:Hello"
    );
    assert_eq!(
        tlvs(&d.tlvs),
        vec![
            Tlv::ReceiptedMessageId(cstr("1234567890")),
            Tlv::MessageState(MessageState::DELIVERED),
        ]
    );
    assert_eq!(load("deliver_sm_receipt").len(), 0xB1);
}

#[test]
fn deliver_sm_gsm7() {
    let cmd = decode(
        "deliver_sm_gsm7",
        CommandId::DELIVER_SM,
        CommandStatus::ESME_ROK,
        27,
    );
    let Pdu::DeliverSm(d) = cmd.pdu else {
        panic!("{:?}", cmd.pdu)
    };
    assert_eq!(d.data_coding, DataCoding::SMSC_DEFAULT);
    assert_eq!(
        d.short_message.as_bytes(),
        [0x00, 0x01, 0x02, 0x1B, 0x65, 0x20, 0x11]
    );
    assert_eq!(load("deliver_sm_gsm7").len(), 57);
}

#[test]
fn deliver_sm_resp() {
    // Reference §10.8.
    let cmd = decode(
        "deliver_sm_resp",
        CommandId::DELIVER_SM_RESP,
        CommandStatus::ESME_ROK,
        7,
    );
    let Pdu::DeliverSmResp(Some(r)) = cmd.pdu else {
        panic!("{:?}", cmd.pdu)
    };
    assert_eq!(r.message_id, "");
    assert_eq!(load("deliver_sm_resp").len(), 17);
}

#[test]
fn data_sm() {
    let cmd = decode("data_sm", CommandId::DATA_SM, CommandStatus::ESME_ROK, 10);
    let Pdu::DataSm(d) = cmd.pdu else {
        panic!("{:?}", cmd.pdu)
    };
    assert_eq!(d.service_type, "");
    assert_eq!(d.source_addr, "12345");
    assert_eq!(d.destination_addr, "447911123456");
    assert_eq!(d.esm_class, EsmClass::DEFAULT);
    assert_eq!(d.registered_delivery, RegisteredDelivery::NONE);
    assert_eq!(d.data_coding, DataCoding::IA5);
    assert_eq!(d.tlvs.message_payload().as_deref(), Some(&b"ping"[..]));
    assert_eq!(d.tlvs.len(), 1);
    assert_eq!(load("data_sm").len(), 51);
}

#[test]
fn data_sm_payload_sar() {
    let cmd = decode(
        "data_sm_payload_sar",
        CommandId::DATA_SM,
        CommandStatus::ESME_ROK,
        24,
    );
    let Pdu::DataSm(d) = cmd.pdu else {
        panic!("{:?}", cmd.pdu)
    };
    assert_eq!(d.registered_delivery, RegisteredDelivery::SMSC_RECEIPT);
    assert_eq!(d.data_coding, DataCoding::SMSC_DEFAULT);
    assert_eq!(d.tlvs.sar(), Some((0x1234, 3, 2)));
    assert_eq!(
        tlvs(&d.tlvs),
        vec![
            Tlv::SarMsgRefNum(0x1234),
            Tlv::SarTotalSegments(3),
            Tlv::SarSegmentSeqnum(2),
            Tlv::MessagePayload(OctetString::new(&b"part two"[..]).unwrap()),
        ]
    );
    assert_eq!(load("data_sm_payload_sar").len(), 71);
}

#[test]
fn data_sm_resp() {
    let cmd = decode(
        "data_sm_resp",
        CommandId::DATA_SM_RESP,
        CommandStatus::ESME_ROK,
        10,
    );
    let Pdu::DataSmResp(Some(r)) = cmd.pdu else {
        panic!("{:?}", cmd.pdu)
    };
    assert_eq!(r.message_id, "MSG42");
    assert!(r.tlvs.is_empty());
    assert_eq!(load("data_sm_resp").len(), 22);
}

#[test]
fn query_sm() {
    let cmd = decode("query_sm", CommandId::QUERY_SM, CommandStatus::ESME_ROK, 11);
    let Pdu::QuerySm(q) = cmd.pdu else {
        panic!("{:?}", cmd.pdu)
    };
    assert_eq!(q.message_id, "1234567890");
    assert_eq!(
        (q.source_addr_ton, q.source_addr_npi),
        (Ton::INTERNATIONAL, Npi::ISDN)
    );
    assert_eq!(q.source_addr, "12345");
    assert_eq!(load("query_sm").len(), 35);
}

#[test]
fn query_sm_resp() {
    let cmd = decode(
        "query_sm_resp",
        CommandId::QUERY_SM_RESP,
        CommandStatus::ESME_ROK,
        11,
    );
    let Pdu::QuerySmResp(Some(q)) = cmd.pdu else {
        panic!("{:?}", cmd.pdu)
    };
    assert_eq!(q.message_id, "1234567890");
    assert_eq!(q.final_date.as_str(), Some("240101120100004+"));
    assert_eq!(q.message_state, MessageState::DELIVERED);
    assert_eq!(q.error_code, 0);
    assert_eq!(load("query_sm_resp").len(), 46);
}

#[test]
fn cancel_sm() {
    let cmd = decode(
        "cancel_sm",
        CommandId::CANCEL_SM,
        CommandStatus::ESME_ROK,
        12,
    );
    let Pdu::CancelSm(c) = cmd.pdu else {
        panic!("{:?}", cmd.pdu)
    };
    assert_eq!(c.service_type, "");
    assert_eq!(c.message_id, "1234567890");
    assert_eq!(c.source_addr, "12345");
    assert_eq!(
        (c.dest_addr_ton, c.dest_addr_npi),
        (Ton::INTERNATIONAL, Npi::ISDN)
    );
    assert_eq!(c.destination_addr, "447911123456");
    assert_eq!(load("cancel_sm").len(), 51);
}

#[test]
fn replace_sm() {
    let cmd = decode(
        "replace_sm",
        CommandId::REPLACE_SM,
        CommandStatus::ESME_ROK,
        13,
    );
    let Pdu::ReplaceSm(r) = cmd.pdu else {
        panic!("{:?}", cmd.pdu)
    };
    assert_eq!(r.message_id, "1234567890");
    assert_eq!(r.source_addr, "12345");
    assert!(r.schedule_delivery_time.is_empty());
    assert_eq!(r.validity_period.as_str(), Some("000001000000000R"));
    assert!(r.validity_period.is_relative());
    assert_eq!(r.registered_delivery, RegisteredDelivery::SMSC_RECEIPT);
    assert_eq!(r.sm_default_msg_id, 0);
    assert_eq!(r.short_message.as_bytes(), b"Bye");
    assert_eq!(load("replace_sm").len(), 59);
}

#[test]
fn alert_notification() {
    let cmd = decode(
        "alert_notification",
        CommandId::ALERT_NOTIFICATION,
        CommandStatus::ESME_ROK,
        14,
    );
    let Pdu::AlertNotification(a) = cmd.pdu else {
        panic!("{:?}", cmd.pdu)
    };
    assert_eq!(
        (a.source_addr_ton, a.source_addr_npi),
        (Ton::INTERNATIONAL, Npi::ISDN)
    );
    assert_eq!(a.source_addr, "447911123456");
    assert_eq!(
        (a.esme_addr_ton, a.esme_addr_npi),
        (Ton::INTERNATIONAL, Npi::ISDN)
    );
    assert_eq!(a.esme_addr, "12345");
    assert_eq!(tlvs(&a.tlvs), vec![Tlv::MsAvailabilityStatus(0)]);
    assert_eq!(load("alert_notification").len(), 44);
}

// --- edge cases -------------------------------------------------------------------------------

#[test]
fn submit_sm_unknown_tlvs() {
    let cmd = decode(
        "submit_sm_unknown_tlvs",
        CommandId::SUBMIT_SM,
        CommandStatus::ESME_ROK,
        20,
    );
    let Pdu::SubmitSm(s) = cmd.pdu else {
        panic!("{:?}", cmd.pdu)
    };
    assert_eq!(s.short_message.as_bytes(), b"Hi");
    let raw: Vec<RawTlv> = s.tlvs.iter().collect();
    assert_eq!(
        raw,
        vec![
            RawTlv {
                tag: TlvTag(0x1400),
                value: Bytes::from_static(b"abc")
            },
            RawTlv {
                tag: TlvTag(0x4001),
                value: Bytes::new()
            },
        ]
    );
    assert!(raw.iter().all(|t| t.tag.name().is_none()));
    assert_eq!(load("submit_sm_unknown_tlvs").len(), 63);
}

#[test]
fn submit_sm_max_fields() {
    let cmd = decode(
        "submit_sm_max_fields",
        CommandId::SUBMIT_SM,
        CommandStatus::ESME_ROK,
        21,
    );
    let Pdu::SubmitSm(s) = cmd.pdu else {
        panic!("{:?}", cmd.pdu)
    };
    assert_eq!(s.service_type, "WAPPU");
    assert_eq!(
        (s.source_addr_ton, s.source_addr_npi),
        (Ton::ALPHANUMERIC, Npi::UNKNOWN)
    );
    assert_eq!(s.source_addr, "ABCDEFGHIJKLMNOPQRST");
    assert_eq!(s.destination_addr, "12345678901234567890");
    assert_eq!(s.esm_class, EsmClass::STORE_AND_FORWARD_MODE);
    assert_eq!((s.protocol_id, s.priority_flag), (0x7F, 3));
    assert_eq!(s.schedule_delivery_time.as_str(), Some("240315143000004+"));
    assert_eq!(s.validity_period.as_str(), Some("000001000000000R"));
    assert_eq!(s.registered_delivery, RegisteredDelivery(0x1D));
    assert_eq!(s.replace_if_present_flag, 1);
    assert_eq!(s.data_coding, DataCoding::IA5);
    assert_eq!(s.sm_default_msg_id, 254);
    assert_eq!(s.short_message.len(), 254);
    assert_eq!(s.short_message.as_bytes().first(), Some(&b'A'));
    assert_eq!(s.short_message.as_bytes().get(25), Some(&b'Z'));
    assert_eq!(
        s.short_message.as_bytes().last(),
        Some(&(b'A' + (253 % 26) as u8))
    );
    assert_eq!(load("submit_sm_max_fields").len(), 364);
}

#[test]
fn submit_sm_empty() {
    let cmd = decode(
        "submit_sm_empty",
        CommandId::SUBMIT_SM,
        CommandStatus::ESME_ROK,
        23,
    );
    let Pdu::SubmitSm(s) = cmd.pdu else {
        panic!("{:?}", cmd.pdu)
    };
    assert_eq!(s, SubmitSm::default());
    assert_eq!(load("submit_sm_empty").len(), 33);
}

#[test]
fn submit_sm_udh() {
    let cmd = decode(
        "submit_sm_udh",
        CommandId::SUBMIT_SM,
        CommandStatus::ESME_ROK,
        25,
    );
    let Pdu::SubmitSm(s) = cmd.pdu else {
        panic!("{:?}", cmd.pdu)
    };
    assert!(s.esm_class.udhi());
    assert_eq!(
        s.short_message.as_bytes(),
        [0x05, 0x00, 0x03, 0xA7, 0x02, 0x01, b'H', b'i']
    );
    assert_eq!(load("submit_sm_udh").len(), 58);
}

#[test]
fn unknown_command_id() {
    let frame = load("unknown_command_id");
    let err = Command::decode(&frame).unwrap_err();
    assert_eq!(
        err.kind,
        DecodeErrorKind::UnknownCommandId(CommandId(0x0001_0200))
    );
    assert_eq!(err.command_status(), CommandStatus::ESME_RINVCMDID);
    assert_eq!(err.offset, 4);
    let d = Command::decode_with(&frame, DecodeOptions::LENIENT).unwrap();
    assert_eq!(
        d.command.pdu,
        Pdu::Unknown {
            command_id: CommandId(0x0001_0200),
            body: Bytes::from_static(&[1, 2, 3])
        }
    );
    assert_eq!(d.command.sequence_number, 26);
    assert_eq!(d.warnings.len(), 1);
    assert_eq!(d.command.to_bytes(), frame);
}

#[test]
fn every_fixture_has_a_test_above() {
    let tested = [
        "alert_notification",
        "bind_receiver",
        "bind_receiver_resp",
        "bind_transceiver",
        "bind_transceiver_resp",
        "bind_transmitter",
        "bind_transmitter_max_fields",
        "bind_transmitter_resp",
        "bind_transmitter_resp_error",
        "cancel_sm",
        "cancel_sm_resp",
        "data_sm",
        "data_sm_payload_sar",
        "data_sm_resp",
        "deliver_sm",
        "deliver_sm_gsm7",
        "deliver_sm_receipt",
        "deliver_sm_resp",
        "deliver_sm_resp_error",
        "enquire_link",
        "enquire_link_resp",
        "generic_nack",
        "generic_nack_invalid_length",
        "outbind",
        "query_sm",
        "query_sm_resp",
        "replace_sm",
        "replace_sm_resp",
        "submit_multi",
        "submit_multi_resp",
        "submit_sm",
        "submit_sm_empty",
        "submit_sm_max_fields",
        "submit_sm_resp",
        "submit_sm_resp_error",
        "submit_sm_udh",
        "submit_sm_unknown_tlvs",
        "unbind",
        "unbind_resp",
        "unknown_command_id",
    ];
    assert_eq!(all_fixtures(), tested);
    // Every command_id of T 5-1 has a fixture.
    let ids: Vec<CommandId> = all_fixtures()
        .iter()
        .filter_map(|n| Command::decode_with(&load(n), DecodeOptions::LENIENT).ok())
        .map(|d| d.command.command_id())
        .collect();
    for id in CommandId::ALL {
        assert!(ids.contains(id), "no fixture for {id}");
    }
}

// --- truncations ------------------------------------------------------------------------------

/// The statuses a receiver may answer a cut PDU with: the length errors, and the status of the
/// field the cut runs through.
fn acceptable_for_cut(status: CommandStatus) -> bool {
    use CommandStatus as S;
    [
        S::ESME_RINVCMDLEN,
        S::ESME_RINVMSGLEN,
        S::ESME_RINVOPTPARSTREAM,
        // A cut between two of the SAR TLVs (§5.3.2.22-24) leaves the triple incomplete.
        S::ESME_RMISSINGOPTPARAM,
        // Field-specific statuses for a C-Octet String left without its NUL (T 5-2).
        S::ESME_RINVSYSID,
        S::ESME_RINVPASWD,
        S::ESME_RINVSYSTYP,
        S::ESME_RINVSERTYP,
        S::ESME_RINVSRCADR,
        S::ESME_RINVDSTADR,
        S::ESME_RINVDLNAME,
        S::ESME_RINVMSGID,
        S::ESME_RINVSCHED,
        S::ESME_RINVEXPIRY,
        S::ESME_RINVPARLEN,
    ]
    .contains(&status)
}

#[test]
fn every_truncation_is_a_typed_error() {
    for name in all_fixtures() {
        let frame = load(&name);
        let unknown = name == "unknown_command_id";
        let original = Command::decode_with(&frame, DecodeOptions::LENIENT)
            .unwrap()
            .command;
        for len in 0..frame.len() {
            let prefix = frame.slice(..len);
            // As given: command_length still announces the whole PDU.
            let err = Command::decode(&prefix)
                .map(|c| panic!("{name}[..{len}] decoded: {c:?}"))
                .unwrap_err();
            assert_eq!(
                err.command_status(),
                CommandStatus::ESME_RINVCMDLEN,
                "{name}[..{len}]: {err}"
            );

            // With command_length patched to the prefix length.
            let mut patched = prefix.to_vec();
            if let Some(head) = patched.get_mut(..4) {
                head.copy_from_slice(&(len as u32).to_be_bytes());
            }
            let patched = Bytes::from(patched);
            match Command::decode(&patched) {
                Err(err) => {
                    let status = err.command_status();
                    assert!(
                        acceptable_for_cut(status)
                            || (unknown && status == CommandStatus::ESME_RINVCMDID),
                        "{name}[..{len}] patched: {err} ({status})"
                    );
                    assert!(
                        err.offset <= len,
                        "{name}[..{len}]: error offset {} past the cut",
                        err.offset
                    );
                }
                Ok(cut) => {
                    // Only a cut right after the mandatory fields or a whole TLV is a valid PDU: then
                    // it is the original without its last TLVs.
                    assert_eq!(cut.to_bytes(), patched, "{name}[..{len}]");
                    assert_eq!(cut.command_id(), original.command_id(), "{name}[..{len}]");
                    assert_eq!(
                        cut.pdu.fields(),
                        original.pdu.fields(),
                        "{name}[..{len}]: fields"
                    );
                    let (Some(cut_tlvs), Some(all_tlvs)) = (cut.pdu.tlvs(), original.pdu.tlvs())
                    else {
                        panic!("{name}[..{len}] decoded without TLVs: {cut:?}");
                    };
                    assert!(
                        all_tlvs.as_bytes().starts_with(cut_tlvs.as_bytes())
                            && cut_tlvs.len() < all_tlvs.len(),
                        "{name}[..{len}]: TLVs {cut_tlvs:?} are not a proper prefix of {all_tlvs:?}"
                    );
                }
            }
        }
    }
}

#[test]
fn lenient_truncations_never_panic() {
    for name in all_fixtures() {
        let frame = load(&name);
        for len in 0..frame.len() {
            let mut patched = frame.slice(..len).to_vec();
            if let Some(head) = patched.get_mut(..4) {
                head.copy_from_slice(&(len as u32).to_be_bytes());
            }
            let patched = Bytes::from(patched);
            if let Ok(d) = Command::decode_with(&patched, DecodeOptions::LENIENT) {
                // Whatever lenient decoding accepts renders without panicking.
                let _ = smpp::dump::to_json(&d.command, &patched, &d.warnings, &Default::default());
                let _ = smpp::dump::to_text(&d.command, &patched, &d.warnings, &Default::default());
            }
        }
    }
}
