//! Server features over loopback TCP with our client (reconnection, shutdown, max_connections,
//! throttling, TLS), and the server against a scripted raw peer over `tokio::io::duplex`.

#[path = "support/peer.rs"]
mod peer;

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;

use peer::{ScriptedPeer, bind_body, client_config};
use smpp::client::{Client, ClientError, ClientEvent, ReconnectPolicy};
use smpp::server::{
    Handler, NoReceipts, RequestContext, Server, ServerError, ServerEvent, SessionId,
};
use smpp::session::{BindType, Config};
use smpp::transport::Disconnect;
use smpp::{Command, CommandId, CommandStatus, DeliverSm, Pdu, SubmitSm, Tlv, TlvTag};

const LIMIT: Duration = Duration::from_secs(20);

/// Accepts everything at once, except destination "slow" (after 200 ms) and "never" (no answer);
/// `entered` is notified when one of those two reaches the handler.
#[derive(Default, Clone)]
struct Moody {
    entered: Arc<Notify>,
}

impl Handler for Moody {
    async fn submit_sm(&self, ctx: RequestContext, pdu: SubmitSm) -> Result<String, CommandStatus> {
        if pdu.destination_addr == "never" {
            self.entered.notify_one();
            std::future::pending::<()>().await;
        }
        if pdu.destination_addr == "slow" {
            self.entered.notify_one();
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        Ok(format!("{}-{}", ctx.session_id.0, ctx.sequence_number))
    }
}

fn submit(dest: &str) -> SubmitSm {
    SubmitSm {
        destination_addr: dest.try_into().unwrap(),
        short_message: "hi".try_into().unwrap(),
        ..SubmitSm::default()
    }
}

async fn start(builder: smpp::server::ServerBuilder) -> (Server, u16) {
    let server = builder.listen("127.0.0.1:0").await.expect("listen");
    let port = server.local_addr().unwrap().port();
    (server, port)
}

async fn wait_for(mut check: impl FnMut() -> bool) {
    while !check() {
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

#[tokio::test]
async fn reconnect_and_rebind_after_the_server_drops_the_connection() {
    tokio::time::timeout(LIMIT, async {
        let moody = Moody::default();
        let (server, port) = start(Server::builder().handler(moody.clone())).await;
        let config = client_config(port, "esme", "pw").reconnect(ReconnectPolicy::new(
            Duration::from_millis(20),
            Duration::from_millis(100),
        ));
        let (client, mut events) = Client::bind_transceiver(config).await.unwrap();
        let first = server.bound_clients()[0].id;
        let in_flight = tokio::spawn({
            let c = client.clone();
            async move { c.submit_sm(submit("never")).await }
        });
        // Once the request is with the handler, the server drops the connection.
        moody.entered.notified().await;
        server.disconnect(first).unwrap();
        match in_flight.await.unwrap() {
            Err(e @ ClientError::Abandoned { .. }) => assert_eq!(e.was_sent(), None),
            other => panic!("{other:?}"),
        }
        let mut seen = Vec::new();
        loop {
            let event = events.next().await.unwrap();
            let done = matches!(event, ClientEvent::Rebound(BindType::Transceiver));
            seen.push(event);
            if done {
                break;
            }
        }
        assert!(
            matches!(seen[0], ClientEvent::Disconnected(Disconnect::PeerClosed)),
            "{seen:?}"
        );
        assert!(
            matches!(seen[1], ClientEvent::Reconnecting { attempt: 1, .. }),
            "{seen:?}"
        );
        assert_eq!(client.wait_bound().await.unwrap(), BindType::Transceiver);
        let second = server.bound_clients()[0].id;
        assert_ne!(first, second);
        let id = client.submit_sm(submit("447911")).await.unwrap();
        assert!(id.starts_with(&format!("{}-", second.0)), "{id}");
        client.unbind().await.unwrap();
        assert!(client.closed().await.is_unbound());
        server.shutdown(Duration::from_secs(5)).await;
    })
    .await
    .expect("test timed out");
}

#[tokio::test]
async fn requests_wait_while_reconnecting_and_fail_when_it_gives_up() {
    tokio::time::timeout(LIMIT, async {
        let (server, port) = start(Server::builder()).await;
        let config = client_config(port, "esme", "pw").reconnect(
            ReconnectPolicy::new(Duration::from_millis(20), Duration::from_millis(20))
                .max_attempts(2),
        );
        let (client, _events) = Client::bind_transmitter(config).await.unwrap();
        server.shutdown(Duration::from_secs(5)).await;
        // The server is gone for good: two attempts, then the client closes.
        let result = client.submit_sm(submit("x")).await;
        assert!(
            matches!(result, Err(ClientError::NotConnected(_))),
            "{result:?}"
        );
        assert!(!client.closed().await.is_local());
    })
    .await
    .expect("test timed out");
}

#[tokio::test]
async fn shutdown_finishes_in_flight_work_then_unbinds() {
    tokio::time::timeout(LIMIT, async {
        let moody = Moody::default();
        let (server, port) = start(Server::builder().handler(moody.clone())).await;
        let (a, mut a_events) = Client::bind_transceiver(client_config(port, "a", "pw"))
            .await
            .unwrap();
        let (_b, mut b_events) = Client::bind_receiver(client_config(port, "b", "pw"))
            .await
            .unwrap();
        let slow = tokio::spawn({
            let a = a.clone();
            async move { a.submit_sm(submit("slow")).await }
        });
        moody.entered.notified().await;
        let report = server.shutdown(Duration::from_secs(5)).await;
        assert_eq!(report.sessions, 2);
        assert!(!report.forced);
        // The request in progress was answered before the unbind.
        assert!(slow.await.unwrap().is_ok());
        for events in [&mut a_events, &mut b_events] {
            let mut unbound = false;
            while let Some(e) = events.next().await {
                unbound |= matches!(e, ClientEvent::Unbound);
            }
            assert!(unbound);
        }
        assert!(a.closed().await.is_unbound());
        assert_eq!(server.session_count(), 0);
        assert!(!server.is_running());
        // No more connections.
        assert!(matches!(
            Client::bind_transmitter(client_config(port, "c", "pw")).await,
            Err(ClientError::Connect { .. })
        ));
    })
    .await
    .expect("test timed out");
}

#[tokio::test]
async fn shutdown_times_out_on_work_that_never_ends() {
    tokio::time::timeout(LIMIT, async {
        let moody = Moody::default();
        let (server, port) = start(Server::builder().handler(moody.clone())).await;
        let (a, _events) = Client::bind_transmitter(client_config(port, "a", "pw"))
            .await
            .unwrap();
        let never = tokio::spawn({
            let a = a.clone();
            async move { a.submit_sm(submit("never")).await }
        });
        moody.entered.notified().await;
        let report = server.shutdown(Duration::from_millis(200)).await;
        assert!(report.forced);
        assert!(matches!(
            never.await.unwrap(),
            Err(ClientError::Abandoned { .. })
        ));
    })
    .await
    .expect("test timed out");
}

#[tokio::test]
async fn max_connections_refuses_the_excess_bind() {
    tokio::time::timeout(LIMIT, async {
        let (server, port) = start(Server::builder().max_connections(1)).await;
        let mut server_events = server.subscribe();
        let (_a, _ae) = Client::bind_transmitter(client_config(port, "a", "pw"))
            .await
            .unwrap();
        let error = Client::bind_transmitter(client_config(port, "b", "pw"))
            .await
            .unwrap_err();
        assert_eq!(error.command_status(), Some(CommandStatus::ESME_RBINDFAIL));
        assert_eq!(server.session_count(), 1);
        loop {
            if let ServerEvent::Refused { .. } = server_events.recv().await.unwrap() {
                break;
            }
        }
        server.shutdown(Duration::from_secs(5)).await;
    })
    .await
    .expect("test timed out");
}

#[cfg(feature = "tls")]
#[tokio::test]
async fn tls_loopback() {
    tokio::time::timeout(LIMIT, async {
        let cert = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
        let cert_pem = cert.cert.pem();
        let key_pem = cert.key_pair.serialize_pem();
        let server_tls =
            smpp::transport::tls::server_config(cert_pem.as_bytes(), key_pem.as_bytes()).unwrap();
        let client_tls = smpp::transport::tls::client_config(cert_pem.as_bytes()).unwrap();
        let (server, port) = start(Server::builder().tls(server_tls)).await;
        let mut config = client_config(port, "esme", "pw").tls(client_tls.clone());
        config.tls.as_mut().unwrap().server_name = Some("localhost".into());
        let (client, _events) = Client::bind_transceiver(config).await.unwrap();
        assert!(!client.submit_sm(submit("447911")).await.unwrap().is_empty());
        client.unbind().await.unwrap();
        // A certificate for another name is refused.
        let mut wrong = client_config(port, "esme", "pw").tls(client_tls);
        wrong.tls.as_mut().unwrap().server_name = Some("example.org".into());
        assert!(matches!(
            Client::bind_transceiver(wrong).await,
            Err(ClientError::Connect { .. })
        ));
        // Plain TCP against a TLS port does not bind.
        let plain = client_config(port, "esme", "pw").bind_timeout(Duration::from_millis(500));
        assert!(Client::bind_transceiver(plain).await.is_err());
        server.shutdown(Duration::from_secs(5)).await;
    })
    .await
    .expect("test timed out");
}

// ------------------------------------------------------------------ scripted peer against the server

fn scripted(server: &Server) -> (ScriptedPeer<tokio::io::DuplexStream>, SessionId) {
    let (a, b) = tokio::io::duplex(64 * 1024);
    let id = server.serve(Box::new(a), None);
    (ScriptedPeer::new(b), id)
}

#[tokio::test(start_paused = true)]
async fn server_answers_binds_and_protocol_errors() {
    let server = Server::builder()
        .system_id("SIM")
        .authenticator(|b: &smpp::server::BindRequest| {
            if b.password == "pw" {
                Ok(())
            } else {
                Err(CommandStatus::ESME_RINVPASWD)
            }
        })
        .receipt_policy(NoReceipts)
        .build();
    let (mut peer, id) = scripted(&server);
    // A refused bind leaves the session open; a second bind succeeds.
    peer.request(Pdu::BindTransceiver(bind_body("esme", "bad")))
        .await;
    let resp = peer.expect_id(CommandId::BIND_TRANSCEIVER_RESP).await;
    assert_eq!(resp.command_status, CommandStatus::ESME_RINVPASWD);
    assert_eq!(resp.pdu, Pdu::BindTransceiverResp(None));
    peer.request(Pdu::BindTransceiver(bind_body("esme", "pw")))
        .await;
    let resp = peer.expect_id(CommandId::BIND_TRANSCEIVER_RESP).await;
    assert_eq!(resp.command_status, CommandStatus::ESME_ROK);
    let Pdu::BindTransceiverResp(Some(body)) = &resp.pdu else {
        panic!()
    };
    assert_eq!(body.system_id, "SIM");
    assert!(matches!(
        body.tlvs.get(TlvTag::SC_INTERFACE_VERSION),
        Some(Tlv::ScInterfaceVersion(0x34))
    ));
    assert_eq!(server.bound_clients()[0].id, id);
    // An unknown command_id: generic_nack ESME_RINVCMDID (by the session).
    peer.send_raw(&[0, 0, 0, 16, 0, 0, 0, 0x77, 0, 0, 0, 0, 0, 0, 0, 9])
        .await;
    let nack = peer.expect_id(CommandId::GENERIC_NACK).await;
    assert_eq!(
        (nack.command_status, nack.sequence_number),
        (CommandStatus::ESME_RINVCMDID, 9)
    );
    // A submit answered by the default handler, merged with an enquire_link in one segment.
    let mut segment = Command::new(10, submit("1")).to_bytes().to_vec();
    segment.extend_from_slice(&Command::new(11, Pdu::EnquireLink).to_bytes());
    peer.send_raw(&segment).await;
    let mut got = [peer.expect().await, peer.expect().await];
    got.sort_by_key(|c| c.sequence_number);
    assert_eq!(got[0].command_id(), CommandId::SUBMIT_SM_RESP);
    assert_eq!(got[1].command_id(), CommandId::ENQUIRE_LINK_RESP);
    // Server-initiated requests: data_sm and alert_notification through the session.
    let (resp, ()) = tokio::join!(server.request(id, smpp::DataSm::default()), async {
        let req = peer.expect_id(CommandId::DATA_SM).await;
        peer.respond(
            &req,
            CommandStatus::ESME_ROK,
            Pdu::DataSmResp(Some(Default::default())),
        )
        .await;
    });
    assert_eq!(resp.unwrap().command_id(), CommandId::DATA_SM_RESP);
    server
        .alert_notification("esme", smpp::AlertNotification::default())
        .await
        .unwrap();
    peer.expect_id(CommandId::ALERT_NOTIFICATION).await;
    // Unbind from the server: the ESME answers and the connection closes.
    server.unbind(id).unwrap();
    let unbind = peer.expect_id(CommandId::UNBIND).await;
    peer.respond(&unbind, CommandStatus::ESME_ROK, Pdu::UnbindResp)
        .await;
    peer.expect_eof().await;
    wait_for(|| server.session_count() == 0).await;
}

#[tokio::test(start_paused = true)]
async fn server_session_init_timer_and_transmitter_gets_no_deliver_sm() {
    let mut config = Config::default();
    config.session_init_timeout = Some(Duration::from_secs(7));
    let server = Server::builder().session_config(config).build();
    let mut events = server.subscribe();
    let (mut idle, _) = scripted(&server);
    let started = tokio::time::Instant::now();
    idle.expect_eof().await;
    assert_eq!(started.elapsed(), Duration::from_secs(7));
    loop {
        if let ServerEvent::Disconnected { reason, .. } = events.recv().await.unwrap() {
            assert!(matches!(
                reason,
                Disconnect::Closed(smpp::session::CloseCause::SessionInitTimeout)
            ));
            break;
        }
    }
    // A transmitter is not a receiver: deliver_sm is stored, and refused when sent to it.
    let (mut tx, id) = scripted(&server);
    tx.request(Pdu::BindTransmitter(bind_body("esme", "pw")))
        .await;
    tx.expect_id(CommandId::BIND_TRANSMITTER_RESP).await;
    wait_for(|| server.bound_clients().len() == 1).await;
    let delivery = server
        .deliver_sm("esme", DeliverSm::default())
        .await
        .unwrap();
    assert_eq!(delivery, smpp::server::Delivery::Stored);
    assert!(matches!(
        server.request(id, DeliverSm::default()).await,
        Err(ServerError::ApiMisuse(_))
    ));
    // The stored message goes to the receiver that binds next.
    let (mut rx, _) = scripted(&server);
    rx.request(Pdu::BindReceiver(bind_body("esme", "pw"))).await;
    rx.expect_id(CommandId::BIND_RECEIVER_RESP).await;
    let deliver = rx.expect_id(CommandId::DELIVER_SM).await;
    rx.respond(
        &deliver,
        CommandStatus::ESME_ROK,
        Pdu::DeliverSmResp(Some(Default::default())),
    )
    .await;
    wait_for(|| server.stored(None) == 0).await;
}

#[tokio::test(start_paused = true)]
async fn stored_message_goes_back_to_the_store_when_the_receiver_drops() {
    let server = Server::builder().build();
    server
        .store_deliver_sm("esme", DeliverSm::default())
        .unwrap();
    let (mut rx, _) = scripted(&server);
    rx.request(Pdu::BindReceiver(bind_body("esme", "pw"))).await;
    rx.expect_id(CommandId::BIND_RECEIVER_RESP).await;
    rx.expect_id(CommandId::DELIVER_SM).await;
    assert_eq!(server.stored(None), 0);
    drop(rx); // no deliver_sm_resp: at-least-once, back to the store
    wait_for(|| server.stored(Some("esme")) == 1).await;
    let (mut again, _) = scripted(&server);
    again
        .request(Pdu::BindTransceiver(bind_body("esme", "pw")))
        .await;
    again.expect_id(CommandId::BIND_TRANSCEIVER_RESP).await;
    let d = again.expect_id(CommandId::DELIVER_SM).await;
    again
        .respond(
            &d,
            CommandStatus::ESME_ROK,
            Pdu::DeliverSmResp(Some(Default::default())),
        )
        .await;
    wait_for(|| server.stored(None) == 0).await;
}

#[tokio::test(start_paused = true)]
async fn outbind_from_our_server_to_our_client() {
    let server = Server::builder().build();
    server
        .store_deliver_sm(
            "esme",
            DeliverSm {
                short_message: "waiting for you".try_into().unwrap(),
                ..DeliverSm::default()
            },
        )
        .unwrap();
    let (a, b) = tokio::io::duplex(64 * 1024);
    server.outbind(
        Box::new(a),
        None,
        smpp::Outbind {
            system_id: "SMSC".try_into().unwrap(),
            password: "out".try_into().unwrap(),
            ..Default::default()
        },
    );
    let (client, mut events) = Client::accept_outbind(Box::new(b), client_config(0, "esme", "pw"))
        .await
        .unwrap();
    assert_eq!(client.bind_type(), BindType::Receiver);
    assert!(matches!(
        events.next().await,
        Some(ClientEvent::Outbind { ref system_id, ref password }) if system_id == "SMSC" && password == "out"
    ));
    let Some(ClientEvent::DeliverSm(m)) = events.next().await else {
        panic!()
    };
    assert_eq!(m.pdu.short_message.as_bytes(), b"waiting for you");
    m.accept();
    wait_for(|| server.stored(None) == 0).await;
    client.unbind().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn throttling_answers_esme_rthrottled() {
    let server = Server::builder().throttle(2.0).build();
    let (mut peer, _) = scripted(&server);
    peer.request(Pdu::BindTransmitter(bind_body("esme", "pw")))
        .await;
    peer.expect_id(CommandId::BIND_TRANSMITTER_RESP).await;
    // Four submits in one segment: a bucket of two lets two through.
    let mut segment = Vec::new();
    for seq in 10..14 {
        segment.extend_from_slice(&Command::new(seq, submit("x")).to_bytes());
    }
    peer.send_raw(&segment).await;
    let mut statuses = Vec::new();
    for _ in 0..4 {
        let resp = peer.expect_id(CommandId::SUBMIT_SM_RESP).await;
        statuses.push((resp.sequence_number, resp.command_status));
    }
    statuses.sort_by_key(|s| s.0);
    let ok = CommandStatus::ESME_ROK;
    let throttled = CommandStatus::ESME_RTHROTTLED;
    assert_eq!(
        statuses,
        [(10, ok), (11, ok), (12, throttled), (13, throttled)]
    );
    // Half a second later the bucket holds one token again.
    tokio::time::sleep(Duration::from_millis(500)).await;
    for seq in [20, 21] {
        peer.send(&Command::new(seq, submit("y"))).await;
    }
    // (The throttled answer may leave first: the handler answers on its next poll.)
    let mut pair = [
        peer.expect_id(CommandId::SUBMIT_SM_RESP).await,
        peer.expect_id(CommandId::SUBMIT_SM_RESP).await,
    ];
    pair.sort_by_key(|c| c.sequence_number);
    assert_eq!(pair[0].command_status, ok);
    assert_eq!(pair[1].command_status, throttled);
}
