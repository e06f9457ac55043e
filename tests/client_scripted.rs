//! The client against a scripted raw peer over `tokio::io::duplex`, on a paused clock: window and
//! backpressure, timeouts, generic_nack, unbind with requests pending, PDUs merged in one segment
//! or split one octet at a time, incoming messages and their automatic answers, abrupt closes.

#[path = "support/peer.rs"]
mod peer;

use std::time::Duration;

use peer::{ScriptedPeer, client_config};
use smpp::client::{Client, ClientConfig, ClientError, ClientEvent, Events};
use smpp::session::BindType;
use smpp::transport::Disconnect;
use smpp::{
    Command, CommandId, CommandStatus, DataSm, DeliverSm, EsmClass, Pdu, SubmitSm, SubmitSmResp,
};
use tokio::io::DuplexStream;

fn config() -> ClientConfig {
    client_config(2775, "esme", "pw")
        .window_size(2)
        .response_timeout(Some(Duration::from_secs(5)))
        .enquire_link_interval(None)
}

fn submit(text: &str) -> SubmitSm {
    SubmitSm {
        destination_addr: "447911".try_into().unwrap(),
        short_message: text.try_into().unwrap(),
        ..SubmitSm::default()
    }
}

fn submit_resp(id: &str) -> Pdu {
    Pdu::SubmitSmResp(Some(SubmitSmResp {
        message_id: id.try_into().unwrap(),
        ..SubmitSmResp::default()
    }))
}

/// A client bound (as `bind_type`) to a scripted peer.
async fn bound(
    config: ClientConfig,
    bind_type: BindType,
) -> (Client, Events, ScriptedPeer<DuplexStream>) {
    let (a, b) = tokio::io::duplex(64 * 1024);
    let mut peer = ScriptedPeer::new(b);
    let (bind, client) = tokio::join!(
        peer.accept_bind(),
        Client::bind_stream(Box::new(a), config, bind_type)
    );
    assert_eq!(bind.command_id(), bind_type.request_id());
    let (client, events) = client.expect("bind");
    (client, events, peer)
}

#[tokio::test(start_paused = true)]
async fn window_full_applies_backpressure() {
    let (client, _events, mut peer) = bound(config(), BindType::Transmitter).await;
    let tasks: Vec<_> = (0..5)
        .map(|i| {
            let c = client.clone();
            tokio::spawn(async move { c.submit_sm(submit(&format!("m{i}"))).await })
        })
        .collect();
    // Only two requests leave while none is answered.
    let first = peer.expect_id(CommandId::SUBMIT_SM).await;
    let second = peer.expect_id(CommandId::SUBMIT_SM).await;
    let nothing = tokio::time::timeout(Duration::from_secs(1), peer.next()).await;
    assert!(nothing.is_err(), "a third request left with a full window");
    // Each answer frees one slot for the next request.
    peer.respond(&first, CommandStatus::ESME_ROK, submit_resp("a"))
        .await;
    let third = peer.expect_id(CommandId::SUBMIT_SM).await;
    for c in [&second, &third] {
        peer.respond(c, CommandStatus::ESME_ROK, submit_resp("b"))
            .await;
    }
    for _ in 0..2 {
        let c = peer.expect_id(CommandId::SUBMIT_SM).await;
        peer.respond(&c, CommandStatus::ESME_ROK, submit_resp("c"))
            .await;
    }
    let mut ids = Vec::new();
    for t in tasks {
        ids.push(t.await.unwrap().unwrap());
    }
    ids.sort();
    assert_eq!(ids, ["a", "b", "b", "c", "c"]);
}

#[tokio::test(start_paused = true)]
async fn requests_queued_together_leave_in_one_write() {
    let (client, _events, mut peer) = bound(config().window_size(8), BindType::Transmitter).await;
    let tasks: Vec<_> = (0..4)
        .map(|_| {
            let c = client.clone();
            tokio::spawn(async move { c.submit_sm(submit("x")).await })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(1)).await;
    use tokio::io::AsyncReadExt;
    let mut buf = vec![0u8; 4096];
    let n = peer.stream.read(&mut buf).await.unwrap();
    let one = Command::new(1, submit("x")).to_bytes().len();
    assert_eq!(n, 4 * one, "the four submit_sm were not coalesced");
    drop(tasks);
}

#[tokio::test(start_paused = true)]
async fn response_timeout_fails_the_request() {
    let (client, _events, mut peer) = bound(config(), BindType::Transmitter).await;
    let started = tokio::time::Instant::now();
    let (result, request) = tokio::join!(
        client.submit_sm(submit("late")),
        peer.expect_id(CommandId::SUBMIT_SM)
    );
    match result {
        Err(ClientError::Timeout {
            command_id,
            sequence_number,
        }) => {
            assert_eq!(command_id, CommandId::SUBMIT_SM);
            assert_eq!(sequence_number, request.sequence_number);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(started.elapsed(), Duration::from_secs(5));
    // The late response is reported, not matched; the next request works.
    peer.respond(&request, CommandStatus::ESME_ROK, submit_resp("late"))
        .await;
    let (result, ()) = tokio::join!(client.submit_sm(submit("next")), async {
        let c = peer.expect_id(CommandId::SUBMIT_SM).await;
        peer.respond(&c, CommandStatus::ESME_ROK, submit_resp("n"))
            .await;
    });
    assert_eq!(result.unwrap(), "n");
}

#[tokio::test(start_paused = true)]
async fn generic_nack_is_matched_to_its_request() {
    let (client, _events, mut peer) = bound(config(), BindType::Transceiver).await;
    let (result, ()) = tokio::join!(client.submit_sm(submit("x")), async {
        let c = peer.expect_id(CommandId::SUBMIT_SM).await;
        peer.send(&Command::generic_nack(
            CommandStatus::ESME_RINVCMDID,
            c.sequence_number,
        ))
        .await;
    });
    match result {
        Err(ClientError::Status {
            command_status,
            response,
        }) => {
            assert_eq!(command_status, CommandStatus::ESME_RINVCMDID);
            assert_eq!(response.pdu, Pdu::GenericNack);
        }
        other => panic!("{other:?}"),
    }
    // `request` returns it as it came.
    let (response, ()) = tokio::join!(client.request(submit("y")), async {
        let c = peer.expect_id(CommandId::SUBMIT_SM).await;
        peer.send(&Command::generic_nack(
            CommandStatus::ESME_RSYSERR,
            c.sequence_number,
        ))
        .await;
    });
    assert_eq!(response.unwrap().pdu, Pdu::GenericNack);
}

#[tokio::test(start_paused = true)]
async fn unbind_with_requests_pending() {
    let (client, _events, mut peer) = bound(config(), BindType::Transmitter).await;
    let a = tokio::spawn({
        let c = client.clone();
        async move { c.submit_sm(submit("a")).await }
    });
    let b = tokio::spawn({
        let c = client.clone();
        async move { c.submit_sm(submit("b")).await }
    });
    let first = peer.expect_id(CommandId::SUBMIT_SM).await;
    let second = peer.expect_id(CommandId::SUBMIT_SM).await;
    // A third waits for a slot; it is never sent.
    let c = tokio::spawn({
        let c = client.clone();
        async move { c.submit_sm(submit("c")).await }
    });
    tokio::time::sleep(Duration::from_millis(1)).await;
    let unbind = tokio::spawn({
        let c = client.clone();
        async move { c.unbind().await }
    });
    // The window is full: the unbind takes the first slot that frees, before the waiting request.
    peer.respond(&first, CommandStatus::ESME_ROK, submit_resp("1"))
        .await;
    let unbind_pdu = peer.expect_id(CommandId::UNBIND).await;
    peer.respond(&unbind_pdu, CommandStatus::ESME_ROK, Pdu::UnbindResp)
        .await;
    unbind.await.unwrap().unwrap();
    assert_eq!(a.await.unwrap().unwrap(), "1");
    match b.await.unwrap() {
        Err(ClientError::Abandoned {
            command_id,
            sequence_number,
            request,
        }) => {
            assert_eq!(command_id, CommandId::SUBMIT_SM);
            assert_eq!(sequence_number, second.sequence_number);
            assert_eq!(*request, Pdu::SubmitSm(submit("b")));
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(c.await.unwrap(), Err(ClientError::Closed)));
    assert!(client.closed().await.is_unbound());
    peer.expect_eof().await;
}

#[tokio::test(start_paused = true)]
async fn bind_resp_and_deliver_sm_in_one_segment() {
    let (a, b) = tokio::io::duplex(64 * 1024);
    let mut peer = ScriptedPeer::new(b);
    let client = tokio::spawn(Client::bind_stream(
        Box::new(a),
        config(),
        BindType::Receiver,
    ));
    let bind = peer.expect_id(CommandId::BIND_RECEIVER).await;
    let mut segment = Command::response(
        CommandStatus::ESME_ROK,
        bind.sequence_number,
        Pdu::BindReceiverResp(Some(Default::default())),
    )
    .to_bytes()
    .to_vec();
    let deliver = DeliverSm {
        source_addr: "447911".try_into().unwrap(),
        short_message: "first".try_into().unwrap(),
        ..DeliverSm::default()
    };
    segment.extend_from_slice(&Command::new(7, deliver.clone()).to_bytes());
    peer.send_raw(&segment).await;
    let (_client, mut events) = client.await.unwrap().unwrap();
    let Some(ClientEvent::DeliverSm(m)) = events.next().await else {
        panic!()
    };
    assert_eq!(m.pdu, deliver);
    assert_eq!(m.sequence_number, 7);
    assert!(!m.is_receipt());
    m.respond(CommandStatus::ESME_RX_T_APPN);
    let resp = peer.expect_id(CommandId::DELIVER_SM_RESP).await;
    assert_eq!(resp.sequence_number, 7);
    assert_eq!(resp.command_status, CommandStatus::ESME_RX_T_APPN);
}

#[tokio::test(start_paused = true)]
async fn pdus_split_one_octet_at_a_time() {
    let (a, b) = tokio::io::duplex(64 * 1024);
    let mut peer = ScriptedPeer::new(b);
    let client = tokio::spawn(Client::bind_stream(
        Box::new(a),
        config(),
        BindType::Transceiver,
    ));
    let bind = peer.expect_id(CommandId::BIND_TRANSCEIVER).await;
    let resp = Command::response(
        CommandStatus::ESME_ROK,
        bind.sequence_number,
        Pdu::BindTransceiverResp(Some(Default::default())),
    )
    .to_bytes();
    for octet in resp.iter() {
        peer.send_raw(&[*octet]).await;
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    let (client, _events) = client.await.unwrap().unwrap();
    let (id, ()) = tokio::join!(client.submit_sm(submit("x")), async {
        let c = peer.expect_id(CommandId::SUBMIT_SM).await;
        let bytes = Command::response(
            CommandStatus::ESME_ROK,
            c.sequence_number,
            submit_resp("split"),
        )
        .to_bytes();
        for octet in bytes.iter() {
            peer.send_raw(&[*octet]).await;
            tokio::task::yield_now().await;
        }
    });
    assert_eq!(id.unwrap(), "split");
}

#[tokio::test(start_paused = true)]
async fn incoming_messages_are_answered_automatically() {
    let config = config();
    let deadline = config.auto_response_after;
    let (_client, mut events, mut peer) = bound(config, BindType::Receiver).await;
    let receipt = DeliverSm {
        esm_class: EsmClass::DELIVERY_RECEIPT,
        short_message: "id:42 sub:001 dlvrd:001 submit date:2401011200 done date:2401011201 stat:DELIVRD err:000 text:Hi"
            .try_into()
            .unwrap(),
        ..DeliverSm::default()
    };
    // Held past the deadline: answered ESME_ROK by the client.
    let held = peer.request(receipt.clone()).await;
    let Some(ClientEvent::DeliverSm(m)) = events.next().await else {
        panic!()
    };
    assert_eq!(m.receipt().unwrap().message_id.as_deref(), Some("42"));
    let started = tokio::time::Instant::now();
    let resp = peer.expect_id(CommandId::DELIVER_SM_RESP).await;
    assert_eq!(resp.sequence_number, held);
    assert_eq!(resp.command_status, CommandStatus::ESME_ROK);
    assert_eq!(started.elapsed(), deadline);
    // A late answer is ignored (no second response).
    m.respond(CommandStatus::ESME_RX_P_APPN);
    // Dropped: answered ESME_ROK at once.
    let dropped = peer.request(receipt.clone()).await;
    drop(events.next().await);
    let resp = peer.expect_id(CommandId::DELIVER_SM_RESP).await;
    assert_eq!(
        (resp.sequence_number, resp.command_status),
        (dropped, CommandStatus::ESME_ROK)
    );
    // data_sm too, with a chosen status.
    let data = peer.request(DataSm::default()).await;
    let Some(ClientEvent::DataSm(m)) = events.next().await else {
        panic!()
    };
    m.respond(CommandStatus::ESME_RX_R_APPN);
    let resp = peer.expect_id(CommandId::DATA_SM_RESP).await;
    assert_eq!(
        (resp.sequence_number, resp.command_status),
        (data, CommandStatus::ESME_RX_R_APPN)
    );
}

#[tokio::test(start_paused = true)]
async fn dropping_a_pending_request_is_safe() {
    let (client, _events, mut peer) = bound(config(), BindType::Transmitter).await;
    let task = tokio::spawn({
        let c = client.clone();
        async move { c.submit_sm(submit("dropped")).await }
    });
    let request = peer.expect_id(CommandId::SUBMIT_SM).await;
    task.abort();
    let _ = task.await;
    peer.respond(&request, CommandStatus::ESME_ROK, submit_resp("lost"))
        .await;
    let (id, ()) = tokio::join!(client.submit_sm(submit("next")), async {
        let c = peer.expect_id(CommandId::SUBMIT_SM).await;
        peer.respond(&c, CommandStatus::ESME_ROK, submit_resp("kept"))
            .await;
    });
    assert_eq!(id.unwrap(), "kept");
}

#[tokio::test(start_paused = true)]
async fn eof_in_the_middle_of_a_pdu_abandons_requests() {
    let (client, mut events, mut peer) = bound(config(), BindType::Transmitter).await;
    let task = tokio::spawn({
        let c = client.clone();
        async move { c.submit_sm(submit("x")).await }
    });
    let request = peer.expect_id(CommandId::SUBMIT_SM).await;
    let resp = Command::response(
        CommandStatus::ESME_ROK,
        request.sequence_number,
        submit_resp("cut"),
    )
    .to_bytes();
    peer.send_raw(&resp[..10]).await;
    drop(peer);
    assert!(matches!(
        task.await.unwrap(),
        Err(ClientError::Abandoned { .. })
    ));
    match client.closed().await {
        Disconnect::PeerClosedMidPdu { buffered } => assert_eq!(buffered, 10),
        other => panic!("{other}"),
    }
    let mut last = None;
    while let Some(e) = events.next().await {
        last = Some(e);
    }
    assert!(matches!(
        last,
        Some(ClientEvent::Disconnected(
            Disconnect::PeerClosedMidPdu { .. }
        ))
    ));
    assert!(matches!(
        client.submit_sm(submit("after")).await,
        Err(ClientError::NotConnected(_))
    ));
}

#[tokio::test(start_paused = true)]
async fn bind_refused_and_bind_timeout() {
    let (a, b) = tokio::io::duplex(4096);
    let mut peer = ScriptedPeer::new(b);
    let (result, ()) = tokio::join!(
        Client::bind_stream(Box::new(a), config(), BindType::Transmitter),
        async {
            let bind = peer.expect_id(CommandId::BIND_TRANSMITTER).await;
            peer.send(
                &Command::empty_response(
                    CommandId::BIND_TRANSMITTER_RESP,
                    CommandStatus::ESME_RINVPASWD,
                    bind.sequence_number,
                )
                .unwrap(),
            )
            .await;
        }
    );
    assert!(matches!(
        result,
        Err(ClientError::BindRefused {
            command_status: CommandStatus::ESME_RINVPASWD
        })
    ));
    let (a, b) = tokio::io::duplex(4096);
    let mut peer = ScriptedPeer::new(b);
    let config = config().bind_timeout(Duration::from_secs(3));
    let (result, _) = tokio::join!(
        Client::bind_stream(Box::new(a), config, BindType::Transmitter),
        peer.expect_id(CommandId::BIND_TRANSMITTER)
    );
    assert!(
        matches!(result, Err(ClientError::BindTimeout)),
        "{result:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn outbind_is_answered_with_bind_receiver() {
    let (a, b) = tokio::io::duplex(4096);
    let mut peer = ScriptedPeer::new(b);
    let client = tokio::spawn(Client::accept_outbind(Box::new(a), config()));
    peer.request(smpp::Outbind {
        system_id: "SMSC".try_into().unwrap(),
        password: "outpw".try_into().unwrap(),
        ..Default::default()
    })
    .await;
    let bind = peer.accept_bind().await;
    assert_eq!(bind.command_id(), CommandId::BIND_RECEIVER);
    let (client, mut events) = client.await.unwrap().unwrap();
    assert_eq!(client.bind_type(), BindType::Receiver);
    match events.next().await {
        Some(ClientEvent::Outbind {
            system_id,
            password,
        }) => assert_eq!((system_id.as_str(), password.as_str()), ("SMSC", "outpw")),
        other => panic!("{other:?}"),
    }
}

#[tokio::test(start_paused = true)]
async fn automatic_enquire_link_and_peer_unbind() {
    let config = config().enquire_link_interval(Some(Duration::from_secs(30)));
    let (client, mut events, mut peer) = bound(config, BindType::Transceiver).await;
    let el = peer.expect_id(CommandId::ENQUIRE_LINK).await;
    peer.respond(&el, CommandStatus::ESME_ROK, Pdu::EnquireLinkResp)
        .await;
    // The peer's enquire_link is answered by the session.
    let seq = peer.request(Pdu::EnquireLink).await;
    let resp = peer.expect_id(CommandId::ENQUIRE_LINK_RESP).await;
    assert_eq!(resp.sequence_number, seq);
    // The peer unbinds.
    let seq = peer.request(Pdu::Unbind).await;
    let resp = peer.expect_id(CommandId::UNBIND_RESP).await;
    assert_eq!(resp.sequence_number, seq);
    assert!(matches!(events.next().await, Some(ClientEvent::Unbound)));
    let end = client.closed().await;
    assert!(end.is_unbound() && !end.is_local(), "{end}");
}
