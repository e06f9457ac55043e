//! Replays synthetic captures against our own SMSC (`smpp::server::Server`, in-process on a free
//! loopback port) with a handler that mimics the captured SMSC, and plays captured SMSC sides to
//! our own ESME (`smpp::client::Client`): what is the same stays quiet, what differs is reported
//! exactly.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use smpp::client::{Client, ClientConfig, ClientEvent};
use smpp::pcap::read::Capture;
use smpp::pcap::{PcapWriter, TcpConversation};
use smpp::receipt::{DeliveryReceipt, ReceiptStat, ReceiptTime};
use smpp::replay::{
    self, CompareOptions, FindingKind, Listener, Outcome, Plan, ReplayOptions, Report,
};
use smpp::server::{Accounts, Handler, NoReceipts, RequestContext, Server};
use smpp::session::BindType;
use smpp::{
    AlertNotification, Bind, BindResp, Command, CommandId, CommandStatus, DeliverSm, DeliverSmResp,
    EsmClass, MessageState, Npi, Pdu, QuerySm, QuerySmResp, RegisteredDelivery, SubmitSm,
    SubmitSmResp, Tlv, Tlvs, Ton,
};

const LIMIT: Duration = Duration::from_secs(30);

#[derive(Clone, Copy)]
enum Side {
    Esme,
    Smsc,
}

/// A one-connection capture of these PDUs, read back into its plan.
fn plan(pdus: &[(Side, Command)]) -> Plan {
    let mut pcap = PcapWriter::new(Vec::new()).unwrap();
    let esme: SocketAddr = "192.0.2.10:41000".parse().unwrap();
    let smsc: SocketAddr = "192.0.2.20:2775".parse().unwrap();
    let mut c = TcpConversation::new(esme, smsc).unwrap();
    let mut t = Duration::from_secs(1_700_000_000);
    c.handshake(&mut pcap, t).unwrap();
    for (from, cmd) in pdus {
        t += Duration::from_millis(1);
        match from {
            Side::Esme => c.client_sends(&mut pcap, &cmd.to_bytes(), t).unwrap(),
            Side::Smsc => c.server_sends(&mut pcap, &cmd.to_bytes(), t).unwrap(),
        }
    }
    c.finish(&mut pcap, t + Duration::from_millis(1)).unwrap();
    let (sessions, _) = Capture::from_bytes(pcap.into_inner()).unwrap().sessions();
    assert_eq!(sessions.len(), 1);
    replay::plans(&sessions).remove(0)
}

fn bind() -> Command {
    Command::new(
        1,
        Pdu::BindTransceiver(Bind {
            system_id: "esme".try_into().unwrap(),
            password: "pw".try_into().unwrap(),
            interface_version: 0x34,
            ..Bind::default()
        }),
    )
}

fn bind_resp(system_id: &str) -> Command {
    let mut tlvs = Tlvs::new();
    tlvs.push(Tlv::ScInterfaceVersion(0x34));
    Command::response(
        CommandStatus::ESME_ROK,
        1,
        Pdu::BindTransceiverResp(Some(BindResp {
            system_id: system_id.try_into().unwrap(),
            tlvs,
        })),
    )
}

fn submit(seq: u32, to: &str, text: &str, receipt: bool) -> Command {
    Command::new(
        seq,
        SubmitSm {
            source_addr_ton: Ton::INTERNATIONAL,
            source_addr_npi: Npi::ISDN,
            source_addr: "12345".try_into().unwrap(),
            dest_addr_ton: Ton::INTERNATIONAL,
            dest_addr_npi: Npi::ISDN,
            destination_addr: to.try_into().unwrap(),
            registered_delivery: if receipt {
                RegisteredDelivery::SMSC_RECEIPT
            } else {
                RegisteredDelivery::default()
            },
            short_message: text.try_into().unwrap(),
            ..SubmitSm::default()
        },
    )
}

fn submit_resp(seq: u32, id: &str) -> Command {
    Command::response(
        CommandStatus::ESME_ROK,
        seq,
        Pdu::SubmitSmResp(Some(SubmitSmResp {
            message_id: id.try_into().unwrap(),
            ..SubmitSmResp::default()
        })),
    )
}

/// The receipt our server sends for a message to 447700900123 from 12345 (Appendix B layout,
/// receipted_message_id and message_state TLVs), with the capture's id and dates.
fn receipt(seq: u32, id: &str, text: &[u8]) -> Command {
    let t = ReceiptTime::new(2023, 11, 14, 22, 13)
        .unwrap()
        .with_seconds(20)
        .unwrap();
    let body = DeliveryReceipt::builder(id, ReceiptStat::Delivered, t, t)
        .err("000")
        .original_text(text)
        .build()
        .to_bytes();
    let mut tlvs = Tlvs::new();
    tlvs.push(Tlv::ReceiptedMessageId(id.try_into().unwrap()));
    tlvs.push(Tlv::MessageState(MessageState::DELIVERED));
    Command::new(
        seq,
        DeliverSm {
            source_addr_ton: Ton::INTERNATIONAL,
            source_addr_npi: Npi::ISDN,
            source_addr: "447700900123".try_into().unwrap(),
            dest_addr_ton: Ton::INTERNATIONAL,
            dest_addr_npi: Npi::ISDN,
            destination_addr: "12345".try_into().unwrap(),
            esm_class: EsmClass::DELIVERY_RECEIPT,
            short_message: body.as_slice().try_into().unwrap(),
            tlvs,
            ..DeliverSm::default()
        },
    )
}

fn deliver_resp(seq: u32) -> Command {
    Command::response(
        CommandStatus::ESME_ROK,
        seq,
        Pdu::DeliverSmResp(Some(DeliverSmResp::default())),
    )
}

fn query(seq: u32, id: &str) -> Command {
    Command::new(
        seq,
        QuerySm {
            message_id: id.try_into().unwrap(),
            source_addr_ton: Ton::INTERNATIONAL,
            source_addr_npi: Npi::ISDN,
            source_addr: "12345".try_into().unwrap(),
            ..QuerySm::default()
        },
    )
}

fn query_resp(seq: u32, id: &str) -> Command {
    Command::response(
        CommandStatus::ESME_ROK,
        seq,
        Pdu::QuerySmResp(Some(QuerySmResp {
            message_id: id.try_into().unwrap(),
            message_state: MessageState::ENROUTE,
            ..QuerySmResp::default()
        })),
    )
}

fn empty(seq: u32, pdu: Pdu) -> Command {
    let status = CommandStatus::ESME_ROK;
    Command::response(status, seq, pdu)
}

/// The SMSC the captures were "recorded" against: message ids of its own, ESME_RINVDSTADR for
/// 447700900999, query_sm echoing one of its ids as ENROUTE (ESME_RQUERYFAIL for others).
#[derive(Default)]
struct Mimic {
    next: AtomicU32,
}

impl Handler for Mimic {
    async fn submit_sm(&self, _: RequestContext, pdu: SubmitSm) -> Result<String, CommandStatus> {
        if pdu.destination_addr == "447700900999" {
            return Err(CommandStatus::ESME_RINVDSTADR);
        }
        Ok(format!(
            "srv-{}",
            self.next.fetch_add(1, Ordering::Relaxed) + 1
        ))
    }

    async fn query_sm(
        &self,
        _: RequestContext,
        pdu: QuerySm,
    ) -> Result<QuerySmResp, CommandStatus> {
        // Only ids it gave: the replay must query with the live id, not the captured one.
        if !pdu.message_id.as_bytes().starts_with(b"srv-") {
            return Err(CommandStatus::ESME_RQUERYFAIL);
        }
        Ok(QuerySmResp {
            message_id: pdu.message_id,
            message_state: MessageState::ENROUTE,
            ..QuerySmResp::default()
        })
    }
}

async fn server(receipts: bool) -> (Server, String) {
    let builder = Server::builder()
        .system_id("SMSC")
        .authenticator(Accounts::new().with("esme", "pw"))
        .handler(Mimic::default());
    let builder = if receipts {
        builder
    } else {
        builder.receipt_policy(NoReceipts)
    };
    let server = builder.listen("127.0.0.1:0").await.unwrap();
    let addr = server.local_addr().unwrap().to_string();
    (server, addr)
}

fn opts() -> ReplayOptions {
    ReplayOptions::default()
        .with_response_timeout(Duration::from_millis(500))
        .with_overall_timeout(LIMIT)
}

/// The findings of the only session, as their text lines.
fn lines(report: &Report) -> Vec<String> {
    let text = report.to_text();
    text.lines()
        .filter(|l| l.starts_with("  "))
        .map(|l| l.trim().to_owned())
        .collect()
}

/// bind, a submit_sm with a receipt, a query_sm, enquire_link, unbind: as our server answers.
fn conversation() -> Vec<(Side, Command)> {
    use Side::*;
    vec![
        (Esme, bind()),
        (Smsc, bind_resp("SMSC")),
        (Esme, submit(2, "447700900123", "Hello", true)),
        (Smsc, submit_resp(2, "0000000001")),
        (Smsc, receipt(1, "0000000001", b"Hello")),
        (Esme, deliver_resp(1)),
        (Esme, query(3, "0000000001")),
        (Smsc, query_resp(3, "0000000001")),
        (Esme, Command::new(4, Pdu::EnquireLink)),
        (Smsc, empty(4, Pdu::EnquireLinkResp)),
        (Esme, Command::new(5, Pdu::Unbind)),
        (Smsc, empty(5, Pdu::UnbindResp)),
    ]
}

#[tokio::test]
async fn other_message_ids_and_receipt_dates_are_the_same() {
    let (srv, addr) = server(true).await;
    let plan = plan(&conversation());
    let report = tokio::time::timeout(LIMIT, replay::run_target(&[plan], &addr, &opts()))
        .await
        .unwrap();
    let s = &report.sessions[0];
    assert_eq!(s.outcome, Outcome::Same, "{}", report.to_text());
    assert_eq!((s.sent, s.received), (6, 6));
    assert_eq!(report.exit_code(), 0);

    // Everything compared: the ids and the receipt's dates differ, nothing else.
    let plan2 = self::plan(&conversation());
    let all = opts().with_compare(CompareOptions::compare_all());
    let report = replay::run_target(&[plan2], &addr, &all).await;
    let found = lines(&report);
    assert_eq!(report.exit_code(), 1);
    assert_eq!(found[0], "#7 submit_sm_resp seq=2 status=ESME_ROK: differs");
    assert_eq!(found[1], "message_id: \"0000000001\" → \"srv-2\"");
    assert_eq!(found[2], "#8 deliver_sm seq=1: differs");
    assert_eq!(found[3], "short_message.id: \"0000000001\" → \"srv-2\"");
    assert!(found[4].starts_with("short_message.submit_date: 231114221320 → "));
    assert!(found[5].starts_with("short_message.done_date: 231114221320 → "));
    assert_eq!(found[6], "receipted_message_id: \"0000000001\" → \"srv-2\"");
    // query_sm went with the live id.
    assert_eq!(found[7], "#11 query_sm_resp seq=3 status=ESME_ROK: differs");
    assert_eq!(found[8], "message_id: \"0000000001\" → \"srv-2\"");
    assert_eq!(found.len(), 9, "{}", report.to_text());
    srv.shutdown(Duration::from_secs(1)).await;
}

#[tokio::test]
async fn a_changed_status_is_detected() {
    use Side::*;
    let (srv, addr) = server(false).await;
    let plan = plan(&[
        (Esme, bind()),
        (Smsc, bind_resp("SMSC")),
        (Esme, submit(2, "447700900123", "Hello", false)),
        (Smsc, submit_resp(2, "0000000001")),
        // The capture's SMSC accepted this one; ours refuses it.
        (Esme, submit(3, "447700900999", "Hello", false)),
        (Smsc, submit_resp(3, "0000000002")),
        (Esme, Command::new(4, Pdu::Unbind)),
        (Smsc, empty(4, Pdu::UnbindResp)),
    ]);
    let report = replay::run_target(&[plan], &addr, &opts()).await;
    assert_eq!(report.exit_code(), 1);
    assert_eq!(
        lines(&report),
        [
            "#9 submit_sm_resp seq=3 status=ESME_ROK: differs",
            "command_status: ESME_ROK → ESME_RINVDSTADR",
            "body: present → absent (header only)",
        ]
    );
    let json = report.to_json();
    let f = &json["sessions"][0]["findings"][0];
    assert_eq!(f["kind"], "differs");
    assert_eq!(f["frame_number"], 9);
    assert_eq!(f["sequence_number"], 3);
    assert_eq!(f["differences"][0]["field"], "command_status");
    assert_eq!(f["differences"][0]["actual"], "ESME_RINVDSTADR");
    assert_eq!(json["exit_status"], 1);

    // --ignore command_status --ignore body: the same.
    let plan2 = self::plan(&[
        (Esme, bind()),
        (Smsc, bind_resp("SMSC")),
        (Esme, submit(2, "447700900999", "Hello", false)),
        (Smsc, submit_resp(2, "0000000002")),
    ]);
    let lenient = opts().with_compare(
        CompareOptions::default()
            .ignore("command_status")
            .ignore("body"),
    );
    let report = replay::run_target(&[plan2], &addr, &lenient).await;
    assert_eq!(report.exit_code(), 0, "{}", report.to_text());
    srv.shutdown(Duration::from_secs(1)).await;
}

#[tokio::test]
async fn missing_and_unexpected_pdus_are_reported() {
    use Side::*;
    let (srv, addr) = server(true).await;
    let plan = plan(&[
        (Esme, bind()),
        (Smsc, bind_resp("OTHER")),
        // Asks for a receipt; the capture holds none, ours sends one.
        (Esme, submit(2, "447700900123", "Hello", true)),
        (Smsc, submit_resp(2, "0000000001")),
        // An alert_notification our server never sends.
        (Smsc, Command::new(1, AlertNotification::default())),
        (Esme, Command::new(3, Pdu::EnquireLink)),
        (Smsc, empty(3, Pdu::EnquireLinkResp)),
    ]);
    let report = replay::run_target(&[plan], &addr, &opts()).await;
    let found = lines(&report);
    assert_eq!(
        found[0],
        "#5 bind_transceiver_resp seq=1 status=ESME_ROK: differs"
    );
    assert_eq!(found[1], "system_id: \"OTHER\" → \"SMSC\"");
    assert_eq!(
        found[2],
        "live deliver_sm seq=1: unexpected (answered deliver_sm_resp seq=1 status=ESME_ROK)"
    );
    assert_eq!(
        found[3],
        "#8 alert_notification seq=1: missing (not received within 500ms)"
    );
    assert_eq!(found.len(), 4, "{}", report.to_text());
    let s = &report.sessions[0];
    assert_eq!(s.findings[1].kind, FindingKind::Unexpected);
    assert_eq!(
        s.findings[1].header.unwrap().command_id,
        CommandId::DELIVER_SM
    );
    assert_eq!(s.outcome, Outcome::Different);
    srv.shutdown(Duration::from_secs(1)).await;
}

#[tokio::test]
async fn an_unreachable_target_is_exit_status_3() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let plan = plan(&conversation());
    let report = replay::run_target(&[plan], &format!("127.0.0.1:{port}"), &opts()).await;
    assert!(matches!(
        report.sessions[0].outcome,
        Outcome::Unreachable(_)
    ));
    assert_eq!(report.exit_code(), 3);
}

#[tokio::test]
async fn a_refused_bind_is_reported() {
    let (srv, addr) = server(false).await;
    // A wrong password: our server refuses the bind, and the capture's SMSC did not.
    let mut plan = plan(&conversation());
    plan.set_credentials(None, Some("nope"), None).unwrap();
    let report = replay::run_target(&[plan], &addr, &opts()).await;
    let found = lines(&report);
    assert_eq!(
        found[0],
        "#5 bind_transceiver_resp seq=1 status=ESME_ROK: differs"
    );
    assert_eq!(found[1], "command_status: ESME_ROK → ESME_RINVPASWD");
    assert_eq!(report.exit_code(), 1);
    srv.shutdown(Duration::from_secs(1)).await;
}

/// What our client sends: a bind with the config's defaults, the submit_sm as given.
fn client_conversation(text: &str) -> Vec<(Side, Command)> {
    use Side::*;
    let mo = DeliverSm {
        source_addr: "447700900001".try_into().unwrap(),
        destination_addr: "12345".try_into().unwrap(),
        short_message: "MO text".try_into().unwrap(),
        ..DeliverSm::default()
    };
    vec![
        (Esme, bind()),
        (Smsc, bind_resp("SMSC")),
        (Esme, submit(2, "447700900123", text, false)),
        (Smsc, submit_resp(2, "0000000042")),
        (Smsc, Command::new(1, mo)),
        (Esme, deliver_resp(1)),
        (Esme, Command::new(3, Pdu::Unbind)),
        (Smsc, empty(3, Pdu::UnbindResp)),
    ]
}

/// Our client against the replayed SMSC side: bind, submit, take the MO, unbind.
async fn client_session(port: u16, text: &str) -> String {
    let config = ClientConfig::new("127.0.0.1", port, "esme", "pw");
    let (client, mut events) = Client::bind(config, BindType::Transceiver).await.unwrap();
    let SubmitSm { .. } = SubmitSm::default();
    let message_id = client
        .submit_sm(match submit(0, "447700900123", text, false).pdu {
            Pdu::SubmitSm(s) => s,
            _ => unreachable!(),
        })
        .await
        .unwrap();
    loop {
        match events.next().await {
            Some(ClientEvent::DeliverSm(m)) => {
                assert_eq!(m.pdu.short_message.as_bytes(), b"MO text");
                m.accept();
                break;
            }
            Some(_) => {}
            None => panic!("no MO"),
        }
    }
    client.unbind().await.unwrap();
    message_id
}

#[tokio::test]
async fn listen_mode_plays_the_smsc_to_our_client() {
    let listener = Listener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let plans = vec![plan(&client_conversation("Hello"))];
    let opts = opts();
    let (report, message_id) = tokio::time::timeout(LIMIT, async {
        tokio::join!(
            replay::run_listen(&plans, listener, &opts),
            client_session(port, "Hello")
        )
    })
    .await
    .unwrap();
    // The captured answer, sequence_number rewritten to the client's.
    assert_eq!(message_id, "0000000042");
    let s = &report.sessions[0];
    assert_eq!(s.outcome, Outcome::Same, "{}", report.to_text());
    assert_eq!((s.sent, s.received), (4, 4));
    assert_eq!(report.mode, "listen");
}

#[tokio::test]
async fn listen_mode_reports_what_the_client_sends_differently() {
    let listener = Listener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let plans = vec![plan(&client_conversation("Hello"))];
    let opts = opts();
    let (report, _) = tokio::time::timeout(LIMIT, async {
        tokio::join!(
            replay::run_listen(&plans, listener, &opts),
            client_session(port, "Hullo")
        )
    })
    .await
    .unwrap();
    assert_eq!(
        lines(&report),
        [
            "#6 submit_sm seq=2: differs",
            "short_message: \"Hello\" → \"Hullo\""
        ]
    );
    assert_eq!(report.exit_code(), 1);
}

#[tokio::test]
async fn listen_mode_without_an_esme_is_not_played() {
    let listener = Listener::bind("127.0.0.1:0").await.unwrap();
    let plans = vec![plan(&client_conversation("Hello"))];
    let opts = opts().with_overall_timeout(Duration::from_millis(300));
    let report = replay::run_listen(&plans, listener, &opts).await;
    assert!(matches!(report.sessions[0].outcome, Outcome::NotPlayed(_)));
    assert_eq!(report.exit_code(), 1);
}
