//! Cross-check of the codec against an independent decoder, Wireshark's SMPP dissector.
//!
//! The capture holds every SMPP v3.4 PDU type at least once, built with the typed API and
//! realistic values, with every v3.4 TLV tag at least once (in a PDU that allows it), a vendor
//! TLV and a reserved-range TLV, error responses with and without a body. Three TCP
//! conversations carry them: a transmitter session (IPv4), a receiver session opened by outbind
//! (the SMSC connects to the ESME), and a transceiver session (IPv6). Some PDUs share a TCP
//! segment and one is split across two segments after its header.
//!
//! For every PDU the test decodes the octets tshark reassembled with `Command::decode` (strict),
//! derives the field list Wireshark must show from that decode (`support/tshark_map.rs`: one
//! mapping table, every difference a named exception), and compares it with tshark's field list,
//! field by field, values and raw octets. Any malformed mark, any field tshark shows that we do
//! not, any missing field and any different value fails.
//!
//! The capture is committed as `fixtures/pcap/every_pdu.pcap` (open it in Wireshark); the test
//! regenerates it and fails if the committed copy differs. After a deliberate change, rewrite it
//! with `SMPP_UPDATE_FIXTURES=1 cargo test --test tshark_crosscheck`.

#[path = "support/tshark.rs"]
mod tshark;
#[path = "support/tshark_map.rs"]
mod tshark_map;

use std::collections::{BTreeMap, BTreeSet};
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};
use std::path::PathBuf;
use std::time::Duration;

use bytes::Bytes;
use smpp::pcap::{Direction, PcapWriter, TcpConversation};
use smpp::text::{Alphabet, Mode};
use smpp::{
    AlertNotification, Bind, BindResp, COctetString, CancelSm, Command, CommandId, CommandStatus,
    DataCoding, DataSm, DataSmResp, DeliverSm, DeliverSmResp, DestAddress, Entries, EsmClass,
    MessageState, NetworkErrorCode, Npi, OctetString, Outbind, Pdu, QuerySm, QuerySmResp,
    RegisteredDelivery, ReplaceSm, ShortMessage, SmppTime, SubmitMulti, SubmitMultiResp, SubmitSm,
    SubmitSmResp, Tlv, TlvTag, Tlvs, Ton, UnsuccessSme,
};

use tshark_map::Exception;

const FIXTURE: &str = "fixtures/pcap/every_pdu.pcap";

// ---------------------------------------------------------------------------------------------
// Value helpers
// ---------------------------------------------------------------------------------------------

fn s<const N: usize>(v: &str) -> COctetString<N> {
    v.try_into()
        .unwrap_or_else(|e| panic!("{v:?} does not fit: {e}"))
}

fn t(v: &str) -> SmppTime {
    SmppTime::new(v).unwrap_or_else(|e| panic!("{v:?}: {e}"))
}

fn sm(octets: impl Into<Bytes>) -> ShortMessage {
    ShortMessage::new(octets).expect("short_message fits")
}

fn octets<const MIN: usize, const MAX: usize>(v: impl Into<Bytes>) -> OctetString<MIN, MAX> {
    OctetString::new(v).expect("octet string fits")
}

fn text(v: &str, alphabet: Alphabet) -> Vec<u8> {
    smpp::text::encode(v, alphabet, Mode::Strict).expect("encodable")
}

/// A WSP connectionless Push (WAP-230) of a Service Indication (WAP-167) in WBXML: what WAP push
/// messages carry in their user data, to destination port 2948.
fn wap_push_si(transaction_id: u8, href: &str, message: &str) -> Vec<u8> {
    let mut pdu = vec![
        transaction_id,
        0x06, // PDU type Push
        0x04, // headers length
        0x03, // content type: value length 3
        0xAE, // application/vnd.wap.sic
        0x81, // charset parameter
        0xEA, // UTF-8
        0x02, // WBXML 1.2
        0x05, // public id: SI 1.0
        0x6A, // charset UTF-8
        0x00, // string table length
        0x45, // <si>
        0xC6, // <indication with attributes and content
        0x0C, // href="http://
        0x03, // inline string
    ];
    pdu.extend_from_slice(href.as_bytes());
    pdu.extend_from_slice(&[0x00, 0x08, 0x01, 0x03]); // action="signal-high">
    pdu.extend_from_slice(message.as_bytes());
    pdu.extend_from_slice(&[0x00, 0x01, 0x01]); // </indication></si>
    pdu
}

fn ok(seq: u32, pdu: Pdu) -> Command {
    Command::response(CommandStatus::ESME_ROK, seq, pdu)
}

fn header_only(id: CommandId, status: CommandStatus, seq: u32) -> Command {
    Command::empty_response(id, status, seq).expect("a response id")
}

const ESME_ALNUM: (Ton, Npi) = (Ton::ALPHANUMERIC, Npi::UNKNOWN);
const MSISDN_A: &str = "447911123456";
const MSISDN_B: &str = "447922654321";

fn bind(system_id: &str, password: &str, system_type: &str, range: &str, ton: Ton) -> Bind {
    Bind {
        system_id: s(system_id),
        password: s(password),
        system_type: s(system_type),
        interface_version: smpp::INTERFACE_VERSION_34,
        addr_ton: ton,
        addr_npi: if ton == Ton::UNKNOWN {
            Npi::UNKNOWN
        } else {
            Npi::ISDN
        },
        address_range: s(range),
        tlvs: Tlvs::new(),
    }
}

fn bind_resp(tlvs: Vec<Tlv>) -> BindResp {
    BindResp {
        system_id: s("SMSC01"),
        tlvs: tlvs.into(),
    }
}

/// A submit_sm from the ESME "ACME" to `dest`, defaults elsewhere.
fn submit(dest: &str, data_coding: u8, short_message: &[u8], tlvs: Vec<Tlv>) -> SubmitSm {
    SubmitSm {
        source_addr_ton: ESME_ALNUM.0,
        source_addr_npi: ESME_ALNUM.1,
        source_addr: s("ACME"),
        dest_addr_ton: Ton::INTERNATIONAL,
        dest_addr_npi: Npi::ISDN,
        destination_addr: s(dest),
        data_coding: DataCoding(data_coding),
        short_message: sm(short_message.to_vec()),
        tlvs: tlvs.into(),
        ..SubmitSm::default()
    }
}

fn submit_resp(message_id: &str) -> Pdu {
    Pdu::SubmitSmResp(Some(SubmitSmResp {
        message_id: s(message_id),
        tlvs: Tlvs::new(),
    }))
}

// ---------------------------------------------------------------------------------------------
// The capture
// ---------------------------------------------------------------------------------------------

/// One PDU put on the wire.
struct Sent {
    label: String,
    command: Command,
    bytes: Bytes,
    /// 1-based frame holding the PDU's last octet (where tshark reports it).
    frame: u64,
}

/// The capture being written.
struct Wire {
    pcap: PcapWriter<Vec<u8>>,
    now: Duration,
    sent: Vec<Sent>,
    /// Segments holding more than one PDU.
    coalesced: usize,
    /// PDUs split across segments.
    split: usize,
}

impl Wire {
    fn tick(&mut self) -> Duration {
        self.now += Duration::from_millis(3);
        self.now
    }

    fn record(&mut self, pdus: Vec<(&str, Command)>, frame: u64) {
        for (label, command) in pdus {
            let bytes = command.to_bytes();
            let label = label.to_owned();
            self.sent.push(Sent {
                label,
                command,
                bytes,
                frame,
            });
        }
    }
}

/// One SMPP session on its own TCP connection (handshake written on open, FIN on close).
struct Session<'w> {
    wire: &'w mut Wire,
    conn: TcpConversation,
    /// Whether the ESME opened the connection (false after an outbind).
    esme_is_client: bool,
}

impl<'w> Session<'w> {
    fn open(
        wire: &'w mut Wire,
        client: SocketAddr,
        server: SocketAddr,
        esme_is_client: bool,
    ) -> Self {
        let conn = TcpConversation::new(client, server).expect("same address family");
        let ts = wire.tick();
        let mut session = Self {
            wire,
            conn,
            esme_is_client,
        };
        session
            .conn
            .handshake(&mut session.wire.pcap, ts)
            .expect("handshake");
        session
    }

    fn close(mut self) {
        let ts = self.wire.tick();
        self.conn.finish(&mut self.wire.pcap, ts).expect("close");
    }

    fn dir(&self, from_esme: bool) -> Direction {
        if from_esme == self.esme_is_client {
            Direction::ClientToServer
        } else {
            Direction::ServerToClient
        }
    }

    /// Sends `pdus` in one TCP segment, from the ESME or from the SMSC.
    fn send(&mut self, from_esme: bool, pdus: Vec<(&str, Command)>) {
        let data: Vec<u8> = pdus.iter().flat_map(|(_, c)| c.to_bytes()).collect();
        assert!(data.len() <= usize::from(self.conn.mss()), "one segment");
        if pdus.len() > 1 {
            self.wire.coalesced += 1;
        }
        let ts = self.wire.tick();
        let dir = self.dir(from_esme);
        self.conn
            .send(&mut self.wire.pcap, dir, &data, ts)
            .expect("write segment");
        let frame = self.wire.pcap.frames_written();
        self.wire.record(pdus, frame);
    }

    /// The ESME sends one PDU in its own segment.
    fn esme(&mut self, label: &str, command: Command) {
        self.send(true, vec![(label, command)]);
    }

    /// The SMSC sends one PDU in its own segment.
    fn smsc(&mut self, label: &str, command: Command) {
        self.send(false, vec![(label, command)]);
    }

    /// The ESME sends several PDUs in one segment.
    fn esme_batch(&mut self, pdus: Vec<(&str, Command)>) {
        self.send(true, pdus);
    }

    /// The SMSC sends several PDUs in one segment.
    fn smsc_batch(&mut self, pdus: Vec<(&str, Command)>) {
        self.send(false, pdus);
    }

    /// The ESME sends one PDU split in two segments, the first holding its header and `extra`
    /// more octets (Wireshark only starts reassembly on a segment holding a whole header).
    fn esme_split(&mut self, label: &str, command: Command, extra: usize) {
        let data = command.to_bytes();
        let cut = smpp::HEADER_LEN + extra;
        assert!(cut < data.len());
        let dir = self.dir(true);
        let first = self.conn.segment(dir, 0, &data[..cut]);
        let offset = u32::try_from(cut).expect("small");
        let second = self.conn.segment(dir, offset, &data[cut..]);
        let ts = self.wire.tick();
        self.wire
            .pcap
            .write_segment(ts, &first)
            .expect("first part");
        let ts = self.wire.tick();
        self.wire
            .pcap
            .write_segment(ts, &second)
            .expect("second part");
        let len = u32::try_from(data.len()).expect("small");
        self.conn.advance(dir, len);
        self.wire.split += 1;
        let frame = self.wire.pcap.frames_written();
        self.wire.record(vec![(label, command)], frame);
    }
}

fn v4(last: u8, port: u16) -> SocketAddr {
    SocketAddr::V4(SocketAddrV4::new(Ipv4Addr::new(192, 0, 2, last), port))
}

fn v6(last: u16, port: u16) -> SocketAddr {
    SocketAddr::V6(SocketAddrV6::new(
        Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, last),
        port,
        0,
        0,
    ))
}

/// Conversation 1: an ESME binds as transmitter (first with a wrong password), submits, queries,
/// cancels, replaces, sends data_sm, and unbinds.
fn transmitter_session(w: &mut Wire) {
    let mut c = Session::open(w, v4(10, 40_001), v4(20, tshark::SMPP_PORT), true);

    let wrong = bind("acme_tx", "wrongpw", "VMA", "", Ton::INTERNATIONAL);
    c.esme(
        "bind_transmitter (bad password)",
        Command::new(1, Pdu::BindTransmitter(wrong)),
    );
    // An error response without a body.
    let refused = header_only(
        CommandId::BIND_TRANSMITTER_RESP,
        CommandStatus::ESME_RINVPASWD,
        1,
    );
    c.smsc("bind_transmitter_resp (ESME_RINVPASWD)", refused);
    let good = bind("acme_tx", "s3cr3t", "VMA", "", Ton::INTERNATIONAL);
    c.esme(
        "bind_transmitter",
        Command::new(2, Pdu::BindTransmitter(good)),
    );
    let resp = bind_resp(vec![Tlv::ScInterfaceVersion(0x34)]);
    c.smsc(
        "bind_transmitter_resp",
        ok(2, Pdu::BindTransmitterResp(Some(resp))),
    );

    // A two-part UCS2 message concatenated with the SAR TLVs, both parts in one segment.
    let part = |seq: u8, text_part: &str, more: u8| {
        let mut p = submit(
            MSISDN_A,
            0x08,
            &text(text_part, Alphabet::Ucs2),
            vec![
                Tlv::SarMsgRefNum(0x4242),
                Tlv::SarTotalSegments(2),
                Tlv::SarSegmentSeqnum(seq),
                Tlv::UserMessageReference(0x0100 + u16::from(seq)),
                Tlv::MoreMessagesToSend(more),
                Tlv::DestAddrSubunit(1), // MS display
                Tlv::SourceAddrSubunit(0),
            ],
        );
        p.esm_class = EsmClass::STORE_AND_FORWARD_MODE;
        p.priority_flag = 1;
        p.validity_period = t("000001000000000R"); // one day
        p.registered_delivery = RegisteredDelivery::SMSC_RECEIPT;
        p
    };
    let first = part(1, "Ваш заказ №4821 отправлен. ", 1);
    let second = part(2, "Курьер позвонит за час до доставки.", 0);
    c.esme_batch(vec![
        ("submit_sm (UCS2, SAR 1/2)", Command::new(3, first)),
        ("submit_sm (UCS2, SAR 2/2)", Command::new(4, second)),
    ]);
    c.smsc_batch(vec![
        ("submit_sm_resp", ok(3, submit_resp("MSG-0003"))),
        ("submit_sm_resp", ok(4, submit_resp("MSG-0004"))),
    ]);

    // A WAP push: port-addressed binary in message_payload (sm_length 0).
    let wsp = wap_push_si(1, "example.com/offer", "Spring sale: 20% off");
    let mut push = submit(
        MSISDN_B,
        0x04,
        &[],
        vec![
            Tlv::SourcePort(9200),
            Tlv::DestinationPort(2948),
            Tlv::PayloadType(0), // WDP
            Tlv::MessagePayload(octets(wsp)),
        ],
    );
    push.protocol_id = 0;
    // A CDMA/TDMA message with callback numbers, subaddresses and the ITS TLVs; absolute
    // schedule_delivery_time one hour ahead of UTC.
    let mut cdma = submit(
        MSISDN_A,
        0x01,
        b"Your table for 2 is ready. Reply 1 to confirm.",
        vec![
            Tlv::CallbackNum(octets(&b"\x01\x01\x01447700900123"[..])),
            Tlv::CallbackNum(octets(&b"\x01\x02\x0802079460000"[..])),
            Tlv::CallbackNumPresInd(0x01), // allowed, user provided, verified and passed
            Tlv::CallbackNumAtag(octets(&b"\x01ACME Bistro"[..])),
            Tlv::PrivacyIndicator(1),
            Tlv::DisplayTime(1),
            Tlv::MsValidity(0),
            Tlv::AlertOnMessageDelivery(()),
            Tlv::NumberOfMessages(3),
            Tlv::LanguageIndicator(1),
            Tlv::ItsReplyType(1),
            Tlv::ItsSessionInfo(octets(&[0x05, 0x03][..])), // session 5, sequence 1, active
            Tlv::SmsSignal(0x0102),
            Tlv::UserResponseCode(7),
            Tlv::SourceSubaddress(octets(&b"\xA0desk-12"[..])),
            Tlv::DestSubaddress(octets(&[0x80, 0x50, 0x12, 0x34][..])),
        ],
    );
    cdma.schedule_delivery_time = t("240316103000104+");
    cdma.validity_period = t("240317103000004+");
    // A GSM voicemail indication.
    let mut voicemail = submit(
        MSISDN_A,
        0x00,
        &text("You have 2 new voicemails", Alphabet::Gsm7),
        vec![Tlv::MsMsgWaitFacilities(0x80)], // indication active, voicemail
    );
    voicemail.protocol_id = 0x5F; // return call message
    voicemail.replace_if_present_flag = 1;
    // From the SMSC's default address: source_addr NULL.
    voicemail.source_addr_ton = Ton::UNKNOWN;
    voicemail.source_addr_npi = Npi::UNKNOWN;
    voicemail.source_addr = COctetString::empty();
    // A network-initiated USSD menu.
    let mut ussd = submit(
        MSISDN_A,
        0x00,
        &text("1 Balance\n2 Top up\n3 Offers", Alphabet::Gsm7),
        vec![Tlv::UssdServiceOp(2)], // USSR request
    );
    ussd.service_type = s("USSD");
    c.esme_batch(vec![
        ("submit_sm (WAP push)", Command::new(5, push)),
        ("submit_sm (CDMA callback)", Command::new(6, cdma)),
    ]);
    c.smsc("submit_sm_resp", ok(5, submit_resp("MSG-0005")));
    c.smsc("submit_sm_resp", ok(6, submit_resp("MSG-0006")));
    c.esme_batch(vec![
        ("submit_sm (voicemail)", Command::new(7, voicemail)),
        ("submit_sm (USSD)", Command::new(8, ussd)),
    ]);
    c.smsc_batch(vec![
        // An error response without a body, then a good one.
        (
            "submit_sm_resp (ESME_RTHROTTLED)",
            header_only(CommandId::SUBMIT_SM_RESP, CommandStatus::ESME_RTHROTTLED, 7),
        ),
        ("submit_sm_resp", ok(8, submit_resp("MSG-0008"))),
    ]);

    // submit_multi to two SME addresses and a distribution list (NULL validity_period), and
    // one to a list only, with a relative validity_period.
    let dests = Entries::new(vec![
        DestAddress::SmeAddress {
            dest_addr_ton: Ton::INTERNATIONAL,
            dest_addr_npi: Npi::ISDN,
            destination_addr: s(MSISDN_A),
        },
        DestAddress::SmeAddress {
            dest_addr_ton: Ton::INTERNATIONAL,
            dest_addr_npi: Npi::ISDN,
            destination_addr: s(MSISDN_B),
        },
        DestAddress::DistributionList {
            dl_name: s("sales_team"),
        },
    ])
    .expect("3 destinations");
    let multi = SubmitMulti {
        source_addr_ton: ESME_ALNUM.0,
        source_addr_npi: ESME_ALNUM.1,
        source_addr: s("ACME"),
        dest_addresses: dests,
        schedule_delivery_time: t("240316100000004+"),
        registered_delivery: RegisteredDelivery::SMSC_RECEIPT_ON_FAILURE,
        data_coding: DataCoding::IA5,
        short_message: sm(&b"Team meeting at 10:00 in room 4"[..]),
        tlvs: vec![Tlv::UserMessageReference(0x0A0A), Tlv::DisplayTime(0)].into(),
        ..SubmitMulti::default()
    };
    let oncall = SubmitMulti {
        service_type: s("CMT"),
        source_addr_ton: ESME_ALNUM.0,
        source_addr_npi: ESME_ALNUM.1,
        source_addr: s("ACME"),
        dest_addresses: Entries::new(vec![DestAddress::DistributionList {
            dl_name: s("ops_oncall"),
        }])
        .expect("1 destination"),
        esm_class: EsmClass::DATAGRAM_MODE,
        priority_flag: 3,
        validity_period: t("000000020000000R"), // two hours
        short_message: sm(text("Disk 91% full on db-3", Alphabet::Gsm7)),
        ..SubmitMulti::default()
    };
    c.esme("submit_multi (SME + list)", Command::new(9, multi));
    let failed = SubmitMultiResp {
        message_id: s("MSG-0009"),
        unsuccess_sme: Entries::new(vec![UnsuccessSme {
            dest_addr_ton: Ton::INTERNATIONAL,
            dest_addr_npi: Npi::ISDN,
            destination_addr: s(MSISDN_B),
            error_status_code: CommandStatus::ESME_RINVDSTADR,
        }])
        .expect("1 entry"),
        tlvs: Tlvs::new(),
    };
    c.smsc(
        "submit_multi_resp (1 unsuccessful)",
        ok(9, Pdu::SubmitMultiResp(Some(failed))),
    );
    c.esme("submit_multi (list only)", Command::new(10, oncall));
    let all_ok = SubmitMultiResp {
        message_id: s("MSG-0010"),
        ..SubmitMultiResp::default()
    };
    c.smsc(
        "submit_multi_resp (all ok)",
        ok(10, Pdu::SubmitMultiResp(Some(all_ok))),
    );

    // query_sm of a delivered message and of one still en route (source_addr NULL).
    let query = |id: &str, source: &str| QuerySm {
        message_id: s(id),
        source_addr_ton: if source.is_empty() {
            Ton::UNKNOWN
        } else {
            ESME_ALNUM.0
        },
        source_addr_npi: Npi::UNKNOWN,
        source_addr: s(source),
        tlvs: Tlvs::new(),
    };
    c.esme_batch(vec![
        ("query_sm", Command::new(11, query("MSG-0003", "ACME"))),
        (
            "query_sm (source NULL)",
            Command::new(12, query("MSG-0004", "")),
        ),
    ]);
    let delivered = QuerySmResp {
        message_id: s("MSG-0003"),
        final_date: t("240315143512000+"),
        message_state: MessageState::DELIVERED,
        error_code: 0,
        tlvs: Tlvs::new(),
    };
    let enroute = QuerySmResp {
        message_id: s("MSG-0004"),
        final_date: SmppTime::empty(),
        message_state: MessageState::ENROUTE,
        error_code: 0,
        tlvs: Tlvs::new(),
    };
    c.smsc_batch(vec![
        (
            "query_sm_resp (DELIVERED)",
            ok(11, Pdu::QuerySmResp(Some(delivered))),
        ),
        (
            "query_sm_resp (ENROUTE)",
            ok(12, Pdu::QuerySmResp(Some(enroute))),
        ),
    ]);

    // cancel_sm by message_id (destination NULL), cancel_sm by service_type and addresses
    // (message_id NULL), and replace_sm, in one segment.
    let by_id = CancelSm {
        message_id: s("MSG-0004"),
        source_addr_ton: ESME_ALNUM.0,
        source_addr_npi: ESME_ALNUM.1,
        source_addr: s("ACME"),
        ..CancelSm::default()
    };
    let by_address = CancelSm {
        service_type: s("CMT"),
        source_addr_ton: ESME_ALNUM.0,
        source_addr_npi: ESME_ALNUM.1,
        source_addr: s("ACME"),
        dest_addr_ton: Ton::INTERNATIONAL,
        dest_addr_npi: Npi::ISDN,
        destination_addr: s(MSISDN_A),
        ..CancelSm::default()
    };
    let replace = ReplaceSm {
        message_id: s("MSG-0009"),
        source_addr_ton: ESME_ALNUM.0,
        source_addr_npi: ESME_ALNUM.1,
        source_addr: s("ACME"),
        validity_period: t("000100000000000R"), // one month
        registered_delivery: RegisteredDelivery(0x11), // receipt + intermediate notification
        short_message: sm(&b"Team meeting moved to 11:00"[..]),
        ..ReplaceSm::default()
    };
    c.esme_batch(vec![
        ("cancel_sm (by message_id)", Command::new(13, by_id)),
        ("cancel_sm (by addresses)", Command::new(14, by_address)),
        ("replace_sm", Command::new(15, replace)),
    ]);
    c.smsc_batch(vec![
        ("cancel_sm_resp", ok(13, Pdu::CancelSmResp)),
        (
            "cancel_sm_resp (ESME_RCANCELFAIL)",
            header_only(
                CommandId::CANCEL_SM_RESP,
                CommandStatus::ESME_RCANCELFAIL,
                14,
            ),
        ),
        ("replace_sm_resp", ok(15, Pdu::ReplaceSmResp)),
    ]);

    // data_sm with a WAP payload and the network/bearer TLVs, split after its header; the
    // response carries all four TLVs data_sm_resp allows.
    let payload = wap_push_si(
        2,
        "example.com/orders/4821/track",
        "Your order 4821 has left our warehouse and will be delivered tomorrow between 08:00 \
         and 12:00. Follow the courier on the map, change the delivery slot or choose a pick-up \
         point near you. Questions? Call us on 020 7946 0000, every day from 8 am to 8 pm.",
    );
    let data = DataSm {
        service_type: s("WAP"),
        source_addr_ton: ESME_ALNUM.0,
        source_addr_npi: ESME_ALNUM.1,
        source_addr: s("ACME"),
        dest_addr_ton: Ton::INTERNATIONAL,
        dest_addr_npi: Npi::ISDN,
        destination_addr: s(MSISDN_B),
        esm_class: EsmClass::STORE_AND_FORWARD_MODE,
        registered_delivery: RegisteredDelivery::SMSC_RECEIPT,
        data_coding: DataCoding::OCTET_UNSPECIFIED,
        tlvs: vec![
            Tlv::SourcePort(9200),
            Tlv::DestinationPort(2948),
            Tlv::DestNetworkType(1), // GSM
            Tlv::DestBearerType(1),  // SMS
            Tlv::DestTelematicsId(0x0001),
            Tlv::SourceNetworkType(1),
            Tlv::SourceBearerType(3), // packet data
            Tlv::SourceTelematicsId(0x01),
            Tlv::QosTimeToLive(3600),
            Tlv::SetDpf(1),
            Tlv::PayloadType(0),
            Tlv::MessagePayload(octets(payload)),
        ]
        .into(),
    };
    c.esme_split("data_sm (WAP, split)", Command::new(16, data), 24);
    // Accepted for store and forward, but the first attempt failed and DPF is set. T 4-21 allows
    // these TLVs whatever the status; Wireshark dissects data_sm_resp bodies only with status 0,
    // so this is where delivery_failure_reason and dpf_result can be cross-checked at all.
    let queued = DataSmResp {
        message_id: s("MSG-0016"),
        tlvs: vec![
            Tlv::DeliveryFailureReason(0), // destination unavailable
            Tlv::NetworkErrorCode(NetworkErrorCode {
                network_type: NetworkErrorCode::GSM,
                error_code: 27, // absent subscriber
            }),
            Tlv::AdditionalStatusInfoText(s("absent subscriber, retry scheduled")),
            Tlv::DpfResult(1),
        ]
        .into(),
    };
    c.smsc(
        "data_sm_resp (queued, DPF set)",
        ok(16, Pdu::DataSmResp(Some(queued))),
    );
    // A transaction-mode data_sm that fails: an error response *with* a body.
    let transaction = DataSm {
        source_addr_ton: ESME_ALNUM.0,
        source_addr_npi: ESME_ALNUM.1,
        source_addr: s("ACME"),
        dest_addr_ton: Ton::INTERNATIONAL,
        dest_addr_npi: Npi::ISDN,
        destination_addr: s("447700900999"),
        esm_class: EsmClass::FORWARD_MODE,
        data_coding: DataCoding::IA5,
        tlvs: vec![Tlv::MessagePayload(octets(&b"Your OTP is 804213"[..]))].into(),
        ..DataSm::default()
    };
    c.esme("data_sm (transaction mode)", Command::new(17, transaction));
    let failed = DataSmResp {
        message_id: COctetString::empty(),
        tlvs: vec![
            Tlv::DeliveryFailureReason(1), // destination address invalid
            Tlv::NetworkErrorCode(NetworkErrorCode {
                network_type: NetworkErrorCode::GSM,
                error_code: 1, // unknown subscriber
            }),
            Tlv::AdditionalStatusInfoText(s("unknown subscriber")),
        ]
        .into(),
    };
    c.smsc(
        "data_sm_resp (ESME_RDELIVERYFAILURE, with body)",
        Command::response(
            CommandStatus::ESME_RDELIVERYFAILURE,
            17,
            Pdu::DataSmResp(Some(failed)),
        ),
    );

    c.esme("enquire_link", Command::new(18, Pdu::EnquireLink));
    c.smsc("enquire_link_resp", ok(18, Pdu::EnquireLinkResp));
    c.esme("unbind", Command::new(19, Pdu::Unbind));
    c.smsc("unbind_resp", ok(19, Pdu::UnbindResp));
    c.close();
}

/// Conversation 2: the SMSC connects to the ESME's port 2775 and sends outbind; the ESME binds
/// as receiver and gets a delivery receipt and an alert_notification, which it does not
/// implement (generic_nack).
fn outbind_session(w: &mut Wire) {
    let mut c = Session::open(w, v4(20, 51_000), v4(10, tshark::SMPP_PORT), false);
    let outbind = Outbind {
        system_id: s("SMSC01"),
        password: s("pw4esme"),
        tlvs: Tlvs::new(),
    };
    c.smsc("outbind", Command::new(1, outbind));
    // system_type and address_range NULL, TON/NPI unknown.
    let rx = bind("acme_rx", "s3cr3t", "", "", Ton::UNKNOWN);
    c.esme("bind_receiver", Command::new(1, Pdu::BindReceiver(rx)));
    c.smsc(
        "bind_receiver_resp (no TLV)",
        ok(1, Pdu::BindReceiverResp(Some(bind_resp(vec![])))),
    );

    let receipt_text = "id:MSG-0004 sub:001 dlvrd:000 submit date:2403151430 \
                        done date:2403151612 stat:UNDELIV err:027 text:Kurier";
    let receipt = DeliverSm {
        source_addr_ton: Ton::INTERNATIONAL,
        source_addr_npi: Npi::ISDN,
        source_addr: s(MSISDN_A),
        dest_addr_ton: ESME_ALNUM.0,
        dest_addr_npi: ESME_ALNUM.1,
        destination_addr: s("ACME"),
        esm_class: EsmClass::DELIVERY_RECEIPT,
        short_message: sm(receipt_text.as_bytes().to_vec()),
        tlvs: vec![
            Tlv::ReceiptedMessageId(s("MSG-0004")),
            Tlv::MessageState(MessageState::UNDELIVERABLE),
            Tlv::NetworkErrorCode(NetworkErrorCode {
                network_type: NetworkErrorCode::GSM,
                error_code: 27,
            }),
        ]
        .into(),
        ..DeliverSm::default()
    };
    let alert = AlertNotification {
        source_addr_ton: Ton::INTERNATIONAL,
        source_addr_npi: Npi::ISDN,
        source_addr: s(MSISDN_A),
        esme_addr_ton: ESME_ALNUM.0,
        esme_addr_npi: ESME_ALNUM.1,
        esme_addr: s("ACME"),
        tlvs: vec![Tlv::MsAvailabilityStatus(0)].into(), // available
    };
    c.smsc_batch(vec![
        ("deliver_sm (receipt)", Command::new(2, receipt)),
        ("alert_notification", Command::new(3, alert)),
    ]);
    // deliver_sm_resp's message_id is unused (NULL); the ESME does not know alert_notification.
    let receipt_ok = DeliverSmResp::default();
    c.esme_batch(vec![
        (
            "deliver_sm_resp",
            ok(2, Pdu::DeliverSmResp(Some(receipt_ok))),
        ),
        (
            "generic_nack (ESME_RINVCMDID)",
            Command::generic_nack(CommandStatus::ESME_RINVCMDID, 3),
        ),
    ]);
    c.smsc("unbind (from the SMSC)", Command::new(4, Pdu::Unbind));
    c.esme("unbind_resp (from the ESME)", ok(4, Pdu::UnbindResp));
    c.close();
}

/// Conversation 3 (IPv6): a transceiver session; mobile-originated messages in deliver_sm and
/// data_sm, with vendor and reserved TLVs; the SMSC checks the link.
fn transceiver_session(w: &mut Wire) {
    let mut c = Session::open(w, v6(0x10, 40_002), v6(0x20, tshark::SMPP_PORT), true);
    let trx = bind(
        "acme_trx",
        "s3cr3t",
        "SMPP",
        "^4479111234[0-9]{2}$",
        Ton::INTERNATIONAL,
    );
    c.esme(
        "bind_transceiver",
        Command::new(1, Pdu::BindTransceiver(trx)),
    );
    let resp = bind_resp(vec![Tlv::ScInterfaceVersion(0x34)]);
    c.smsc(
        "bind_transceiver_resp",
        ok(1, Pdu::BindTransceiverResp(Some(resp))),
    );

    // A class 0 ("flash") message in the GSM 7-bit alphabet, unpacked, with extension-table
    // characters (data_coding 0xF0: coding group 1111).
    let flash = submit(
        MSISDN_A,
        0xF0,
        &text(
            "Alert: card ending 4821 used for €250 at {Shop} @ 14:32",
            Alphabet::Gsm7,
        ),
        vec![],
    );
    c.esme("submit_sm (flash, GSM 7-bit)", Command::new(2, flash));
    c.smsc("submit_sm_resp", ok(2, submit_resp("MSG-0C02")));

    // A Latin-1 MO message with the SMSC's vendor TLVs: one in the vendor block 0x1400–0x3FFF,
    // one in the reserved block (cloudhopper's orig_msc_addr 0x8081).
    let mo = DeliverSm {
        source_addr_ton: Ton::INTERNATIONAL,
        source_addr_npi: Npi::ISDN,
        source_addr: s("447911123400"),
        dest_addr_ton: Ton::NATIONAL,
        dest_addr_npi: Npi::ISDN,
        destination_addr: s("88000"),
        data_coding: DataCoding::LATIN1,
        short_message: sm(text("Deux cafés crème, s'il vous plaît", Alphabet::Latin1)),
        tlvs: {
            let mut tlvs: Tlvs = vec![
                Tlv::LanguageIndicator(2), // French
                Tlv::UserMessageReference(0x7701),
                Tlv::SourcePort(0),
                Tlv::DestinationPort(0),
                Tlv::PrivacyIndicator(0),
                Tlv::UserResponseCode(1),
                Tlv::SourceSubaddress(octets(&[0xA0, 0x01][..])),
                Tlv::CallbackNum(octets(&b"\x00\x01\x01447911123400"[..])),
                Tlv::ItsSessionInfo(octets(&[0x09, 0x08][..])), // session 9, sequence 4, ended
            ]
            .into();
            tlvs.push_raw(TlvTag(0x1401), octets(&b"MCC=234;MNC=15"[..]));
            tlvs.push_raw(TlvTag(0x8081), octets(&b"\x01\x01447785016005\x00"[..]));
            tlvs
        },
        ..DeliverSm::default()
    };
    // The second part of a GSM 7-bit message concatenated with a UDH (esm_class UDHI).
    let mut udh_part = vec![0x05, 0x00, 0x03, 0x2A, 0x02, 0x02];
    udh_part.extend(text("and see you on Friday!", Alphabet::Gsm7));
    let concatenated = DeliverSm {
        source_addr_ton: Ton::INTERNATIONAL,
        source_addr_npi: Npi::ISDN,
        source_addr: s("447911123400"),
        dest_addr_ton: Ton::NATIONAL,
        dest_addr_npi: Npi::ISDN,
        destination_addr: s("88000"),
        esm_class: EsmClass::UDHI,
        short_message: sm(udh_part),
        ..DeliverSm::default()
    };
    // USSD: the subscriber's answer to a menu.
    let ussd = DeliverSm {
        service_type: s("USSD"),
        source_addr_ton: Ton::INTERNATIONAL,
        source_addr_npi: Npi::ISDN,
        source_addr: s("447911123400"),
        dest_addr_ton: Ton::UNKNOWN,
        dest_addr_npi: Npi::UNKNOWN,
        destination_addr: s("*100#"),
        short_message: sm(&b"1"[..]),
        tlvs: vec![Tlv::UssdServiceOp(18)].into(), // USSR confirm
        ..DeliverSm::default()
    };
    // An MO data_sm: IA5 text in message_payload.
    let mo_data = DataSm {
        source_addr_ton: Ton::INTERNATIONAL,
        source_addr_npi: Npi::ISDN,
        source_addr: s("447911123400"),
        dest_addr_ton: Ton::NATIONAL,
        dest_addr_npi: Npi::ISDN,
        destination_addr: s("88000"),
        data_coding: DataCoding::IA5,
        tlvs: vec![
            Tlv::SourceNetworkType(1),
            Tlv::SourceBearerType(1),
            Tlv::SourceAddrSubunit(1),
            Tlv::MessagePayload(octets(&b"BALANCE"[..])),
            Tlv::ItsSessionInfo(octets(&[0x09, 0x07][..])),
        ]
        .into(),
        ..DataSm::default()
    };
    c.smsc_batch(vec![
        ("deliver_sm (MO, Latin-1, vendor TLVs)", Command::new(1, mo)),
        ("deliver_sm (MO, UDHI)", Command::new(2, concatenated)),
        ("deliver_sm (USSD)", Command::new(3, ussd)),
        ("data_sm (MO)", Command::new(4, mo_data)),
        (
            "enquire_link (from the SMSC)",
            Command::new(5, Pdu::EnquireLink),
        ),
    ]);
    let empty_ok = DeliverSmResp::default();
    c.esme_batch(vec![
        (
            "deliver_sm_resp",
            ok(1, Pdu::DeliverSmResp(Some(empty_ok.clone()))),
        ), // A temporary failure, header only.
        (
            "deliver_sm_resp (ESME_RX_T_APPN)",
            header_only(CommandId::DELIVER_SM_RESP, CommandStatus::ESME_RX_T_APPN, 2),
        ),
        ("deliver_sm_resp", ok(3, Pdu::DeliverSmResp(Some(empty_ok)))),
        (
            "data_sm_resp (message_id NULL)",
            ok(4, Pdu::DataSmResp(Some(DataSmResp::default()))),
        ),
        (
            "enquire_link_resp (from the ESME)",
            ok(5, Pdu::EnquireLinkResp),
        ),
    ]);
    c.esme("unbind", Command::new(3, Pdu::Unbind));
    c.smsc("unbind_resp", ok(3, Pdu::UnbindResp));
    c.close();
}

/// Writes the whole capture; returns its octets and every PDU sent, in capture order.
fn build_capture() -> (Vec<u8>, Vec<Sent>, usize, usize) {
    let mut w = Wire {
        pcap: PcapWriter::new(Vec::new()).expect("pcap header"),
        now: Duration::from_secs(1_710_513_000), // 2024-03-15 14:30:00 UTC
        sent: Vec::new(),
        coalesced: 0,
        split: 0,
    };
    transmitter_session(&mut w);
    outbind_session(&mut w);
    transceiver_session(&mut w);
    (w.pcap.into_inner(), w.sent, w.coalesced, w.split)
}

/// The committed fixture must be exactly what this test writes.
fn check_fixture(capture: &[u8]) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(FIXTURE);
    if std::env::var_os("SMPP_UPDATE_FIXTURES").is_some() {
        std::fs::create_dir_all(path.parent().expect("has a parent")).expect("mkdir fixtures");
        std::fs::write(&path, capture).expect("write fixture");
    }
    let committed = std::fs::read(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read {}: {e}\nwrite it with SMPP_UPDATE_FIXTURES=1 cargo test --test \
             tshark_crosscheck",
            path.display()
        )
    });
    assert!(
        committed == capture,
        "{FIXTURE} differs from the capture this test writes ({} vs {} octets); if the change \
         is deliberate, rewrite it with SMPP_UPDATE_FIXTURES=1 cargo test --test \
         tshark_crosscheck",
        committed.len(),
        capture.len()
    );
}

#[test]
fn tshark_agrees_with_our_decode_of_every_pdu() {
    let (capture, sent, coalesced, split) = build_capture();
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("every_pdu.pcap");
    std::fs::write(&path, &capture).expect("write capture");
    let decoded = tshark::decode(&path);
    let version = tshark::tshark_version();

    for frame in &decoded.frames {
        assert_eq!(
            frame.tcp_checksum_good,
            Some(true),
            "frame {} TCP checksum",
            frame.number
        );
        assert_ne!(
            frame.ip_checksum_good,
            Some(false),
            "frame {} IP checksum",
            frame.number
        );
        assert!(
            !frame.malformed,
            "{version}: frame {} is marked malformed",
            frame.number
        );
    }
    let shown: Vec<String> = decoded.pdus.iter().map(ToString::to_string).collect();
    assert_eq!(
        decoded.pdus.len(),
        sent.len(),
        "{version}: one SMPP record per PDU sent expected, tshark shows:\n{}",
        shown.join("\n")
    );

    let mut failures = Vec::new();
    let (mut values, mut raws) = (0, 0);
    let mut exceptions: BTreeMap<Exception, usize> = BTreeMap::new();
    let mut ids = BTreeSet::new();
    let mut tags_compared = BTreeSet::new();
    for (i, (want, pdu)) in sent.iter().zip(&decoded.pdus).enumerate() {
        let name = format!("PDU #{} {} (frame {})", i + 1, want.label, pdu.frame);
        assert!(
            !pdu.malformed,
            "{version}: {name}: tshark marks it malformed: {pdu}"
        );
        assert_eq!(
            pdu.frame, want.frame,
            "{name}: reported in the frame completing it"
        );
        assert_eq!(
            pdu.bytes, want.bytes,
            "{name}: the octets tshark reassembled"
        );
        // Our side: a strict decode of the same octets, which must give back what was built.
        let ours = Command::decode(&Bytes::from(pdu.bytes.clone()))
            .unwrap_or_else(|e| panic!("{name}: our strict decode fails: {e}"));
        assert_eq!(ours, want.command, "{name}: decode(encode(x)) != x");
        ids.insert(ours.command_id());

        let expected = tshark_map::expected(&ours);
        let result = tshark_map::compare(pdu, &expected.wants);
        values += result.values;
        raws += result.raws;
        for (e, _) in &expected.exceptions {
            *exceptions.entry(*e).or_default() += 1;
        }
        tags_compared.extend(expected.tlv_tags.iter().copied());
        if !result.errors.is_empty() {
            let wants: Vec<String> = expected.wants.iter().map(|w| format!("    {w}")).collect();
            let got: Vec<String> = pdu
                .fields
                .iter()
                .map(|(k, v)| format!("    {k} = {v:?}"))
                .collect();
            failures.push(format!(
                "{name}:\n  {}\n  expected:\n{}\n  tshark:\n{}",
                result.errors.join("\n  "),
                wants.join("\n"),
                got.join("\n")
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{version}: tshark and our decode disagree on {} PDU(s):\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );

    // Coverage: every command_id, every v3.4 TLV tag compared, vendor and reserved tags too.
    let missing: Vec<_> = CommandId::ALL
        .iter()
        .filter(|id| !ids.contains(id))
        .collect();
    assert!(
        missing.is_empty(),
        "PDU types not in the capture: {missing:?}"
    );
    let missing: Vec<_> = TlvTag::ALL
        .iter()
        .filter(|t| !tags_compared.contains(t))
        .collect();
    assert!(
        missing.is_empty(),
        "TLVs never compared with tshark: {missing:?}"
    );
    assert!(
        tags_compared
            .iter()
            .any(|t| (0x1400..=0x3FFF).contains(&t.0)),
        "a vendor TLV"
    );
    assert!(
        tags_compared.iter().any(|t| t.0 >= 0x4000),
        "a reserved-range TLV"
    );
    assert!(coalesced >= 3 && split >= 1, "coalesced and split segments");
    // Every exception of the mapping is exercised, so none is dead weight or untested.
    let unused: Vec<_> = Exception::ALL
        .iter()
        .filter(|e| !exceptions.contains_key(e))
        .collect();
    assert!(unused.is_empty(), "exceptions no PDU exercises: {unused:?}");

    println!(
        "{version}: {} PDUs ({} command ids, {} TLV tags) in {} frames: {} field comparisons \
         ({values} values, {raws} raw octet strings)",
        sent.len(),
        ids.len(),
        tags_compared.len(),
        decoded.frames.len(),
        values + raws,
    );
    for (e, n) in &exceptions {
        println!("  exception {e:?}: applied {n} times");
    }

    // Last, so that a codec change shows tshark's verdict before the stale fixture.
    check_fixture(&capture);
}

/// The comparator itself: an extra field, a missing field, a different value and different raw
/// octets each fail.
#[test]
fn the_comparison_fails_on_any_difference() {
    let want = |field: &'static str, value: &str, raw: &[u8]| tshark_map::Want {
        field,
        value: value.to_owned(),
        raw: Some(raw.to_vec()),
        origin: "test".to_owned(),
    };
    let wants = vec![
        want("smpp.command_length", "16", &[0, 0, 0, 16]),
        want("smpp.sm_length", "5", &[5]),
    ];
    let pdu = |fields: &[(&str, &str)], raws: &[(&str, &[u8])]| {
        let mut p = tshark::SmppPdu::default();
        p.fields = fields
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        p.raw = raws
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.to_vec()))
            .collect();
        p
    };
    let raws: &[(&str, &[u8])] = &[
        ("smpp.command_length", &[0, 0, 0, 16]),
        ("smpp.sm_length", &[5]),
    ];
    let same = pdu(
        &[("smpp.command_length", "16"), ("smpp.sm_length", "5")],
        raws,
    );
    let ok = tshark_map::compare(&same, &wants);
    assert!(ok.errors.is_empty(), "{:?}", ok.errors);
    assert_eq!((ok.values, ok.raws), (2, 2));

    let extra = pdu(
        &[
            ("smpp.command_length", "16"),
            ("smpp.sm_length", "5"),
            ("smpp.message", "48"),
        ],
        raws,
    );
    let missing = pdu(&[("smpp.command_length", "16")], raws);
    let different = pdu(
        &[("smpp.command_length", "16"), ("smpp.sm_length", "6")],
        raws,
    );
    let other_octets = pdu(
        &[("smpp.command_length", "16"), ("smpp.sm_length", "5")],
        &[
            ("smpp.command_length", &[0, 0, 0, 16]),
            ("smpp.sm_length", &[6]),
        ],
    );
    let renamed = pdu(&[("smpp.command_length", "16"), ("smpp.sm_len", "5")], raws);
    for case in [extra, missing, different, other_octets, renamed] {
        let result = tshark_map::compare(&case, &wants);
        assert_eq!(result.errors.len(), 1, "{case}: {:?}", result.errors);
    }
}
