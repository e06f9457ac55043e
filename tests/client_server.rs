//! Our client against our server over loopback TCP: bind of each type, submit with a receipt
//! delivered to a receiver, query/cancel/replace through the handler, unbind, and server-side
//! features (authentication, round-robin, store-and-forward, throttling, max_connections,
//! shutdown).

#[path = "support/peer.rs"]
mod peer;

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use peer::client_config;
use smpp::client::{Client, ClientError, ClientEvent, ConnectionState};
use smpp::receipt::ReceiptStat;
use smpp::server::{
    Accounts, Delivery, Handler, ReceiptPlan, RequestContext, Server, ServerEvent, Submitted,
};
use smpp::session::BindType;
use smpp::text::Concat;
use smpp::{
    CancelSm, CommandStatus, DeliverSm, MessageState, QuerySm, QuerySmResp, RegisteredDelivery,
    ReplaceSm, SubmitSm,
};

const LIMIT: Duration = Duration::from_secs(20);

/// A message store: submit, query, cancel, replace.
#[derive(Default)]
struct Store {
    messages: Mutex<HashMap<String, (String, MessageState)>>,
    next: Mutex<u32>,
}

impl Handler for Store {
    async fn submit_sm(&self, _: RequestContext, pdu: SubmitSm) -> Result<String, CommandStatus> {
        if pdu.destination_addr == "000" {
            return Err(CommandStatus::ESME_RINVDSTADR);
        }
        let id = {
            let mut n = self.next.lock().unwrap();
            *n += 1;
            format!("m{}", *n)
        };
        let text = String::from_utf8_lossy(pdu.short_message.as_bytes()).into_owned();
        self.messages
            .lock()
            .unwrap()
            .insert(id.clone(), (text, MessageState::ENROUTE));
        Ok(id)
    }

    async fn query_sm(
        &self,
        _: RequestContext,
        pdu: QuerySm,
    ) -> Result<QuerySmResp, CommandStatus> {
        let id = pdu.message_id.to_str_lossy().into_owned();
        let state = self
            .messages
            .lock()
            .unwrap()
            .get(&id)
            .map(|m| m.1)
            .ok_or(CommandStatus::ESME_RQUERYFAIL)?;
        Ok(QuerySmResp {
            message_id: pdu.message_id,
            message_state: state,
            ..QuerySmResp::default()
        })
    }

    async fn cancel_sm(&self, _: RequestContext, pdu: CancelSm) -> Result<(), CommandStatus> {
        let id = pdu.message_id.to_str_lossy().into_owned();
        match self.messages.lock().unwrap().get_mut(&id) {
            Some(m) => {
                m.1 = MessageState::DELETED;
                Ok(())
            }
            None => Err(CommandStatus::ESME_RCANCELFAIL),
        }
    }

    async fn replace_sm(&self, _: RequestContext, pdu: ReplaceSm) -> Result<(), CommandStatus> {
        let id = pdu.message_id.to_str_lossy().into_owned();
        match self.messages.lock().unwrap().get_mut(&id) {
            Some(m) => {
                m.0 = String::from_utf8_lossy(pdu.short_message.as_bytes()).into_owned();
                Ok(())
            }
            None => Err(CommandStatus::ESME_RREPLACEFAIL),
        }
    }
}

async fn start(builder: smpp::server::ServerBuilder) -> (Server, u16) {
    let server = builder.listen("127.0.0.1:0").await.expect("listen");
    let port = server.local_addr().unwrap().port();
    (server, port)
}

fn submit(dest: &str, text: &str) -> SubmitSm {
    SubmitSm {
        source_addr: "12345".try_into().unwrap(),
        destination_addr: dest.try_into().unwrap(),
        short_message: text.try_into().unwrap(),
        ..SubmitSm::default()
    }
}

#[tokio::test]
async fn bind_each_type_submit_and_unbind() {
    tokio::time::timeout(LIMIT, async {
        let (server, port) = start(Server::builder().handler(Store::default())).await;
        let mut server_events = server.subscribe();
        for bind_type in BindType::ALL {
            let config = client_config(port, "esme", "pw");
            let (client, _events) = Client::bind(config, bind_type).await.expect("bind");
            assert!(matches!(client.state(), ConnectionState::Bound(t) if t == bind_type));
            assert_eq!(client.bind_type(), bind_type);
            let bound = server.bound_clients();
            assert_eq!(bound.len(), 1);
            assert_eq!(bound[0].system_id.as_deref(), Some("esme"));
            assert_eq!(bound[0].bind_type, Some(bind_type));
            let result = client.submit_sm(submit("447911", "hi")).await;
            if bind_type == BindType::Receiver {
                // T 2-1: a receiver may not submit; refused locally, never sent.
                let error = result.unwrap_err();
                assert!(matches!(error, ClientError::ApiMisuse(_)), "{error:?}");
                assert_eq!(error.was_sent(), Some(false));
            } else {
                assert!(result.unwrap().starts_with('m'));
            }
            let rtt = client.enquire_link().await.expect("enquire_link");
            assert!(rtt < LIMIT);
            client.unbind().await.unwrap();
            let end = client.closed().await;
            assert!(end.is_unbound(), "{end}");
            assert!(matches!(
                client.submit_sm(submit("1", "x")).await,
                Err(ClientError::Closed)
            ));
        }
        // The server saw connect, bind, unbind, disconnect for each.
        let mut seen = Vec::new();
        while seen
            .iter()
            .filter(|e| matches!(e, ServerEvent::Disconnected { .. }))
            .count()
            < 3
        {
            seen.push(server_events.recv().await.unwrap());
        }
        assert_eq!(
            seen.iter()
                .filter(|e| matches!(e, ServerEvent::Bound { .. }))
                .count(),
            3
        );
        assert_eq!(
            seen.iter()
                .filter(|e| matches!(e, ServerEvent::Unbound { .. }))
                .count(),
            3
        );
        let report = server.shutdown(Duration::from_secs(5)).await;
        assert_eq!(report.sessions, 0);
        assert!(!report.forced);
    })
    .await
    .expect("test timed out");
}

#[tokio::test]
async fn submit_with_receipt_to_a_receiver_then_query_cancel_replace() {
    tokio::time::timeout(LIMIT, async {
        let builder = Server::builder()
            .handler(Store::default())
            .authenticator(Accounts::new().with("esme", "pw"))
            .receipt_policy(|m: &Submitted| {
                Some(ReceiptPlan {
                    delay: Duration::from_millis(10),
                    stat: if m.destination.2.ends_with('9') {
                        ReceiptStat::Undeliverable
                    } else {
                        ReceiptStat::Delivered
                    },
                    err: 0,
                })
            });
        let (server, port) = start(builder).await;
        let (tx, _tx_events) = Client::bind_transmitter(client_config(port, "esme", "pw"))
            .await
            .unwrap();
        let (_rx, mut rx_events) = Client::bind_receiver(client_config(port, "esme", "pw"))
            .await
            .unwrap();

        let mut with_receipt = submit("447911", "Hello receipt");
        with_receipt.registered_delivery = RegisteredDelivery::SMSC_RECEIPT;
        let id = tx.submit_sm(with_receipt).await.unwrap();
        // "On failure only" and a delivered outcome: no receipt.
        let mut failure_only = submit("447912", "quiet");
        failure_only.registered_delivery = RegisteredDelivery::SMSC_RECEIPT_ON_FAILURE;
        tx.submit_sm(failure_only).await.unwrap();
        let mut failing = submit("447919", "fails");
        failing.registered_delivery = RegisteredDelivery::SMSC_RECEIPT_ON_FAILURE;
        let failed_id = tx.submit_sm(failing).await.unwrap();

        let mut receipts = Vec::new();
        while receipts.len() < 2 {
            match rx_events.next().await.unwrap() {
                ClientEvent::DeliverSm(message) => {
                    let receipt = message.receipt().expect("a receipt");
                    assert_eq!(message.pdu.destination_addr, "12345");
                    receipts.push(receipt);
                    message.accept();
                }
                other => panic!("unexpected {other:?}"),
            }
        }
        assert!(receipts[0].id_matches(&id) || receipts[1].id_matches(&id));
        let failed = receipts.iter().find(|r| r.id_matches(&failed_id)).unwrap();
        assert_eq!(failed.stat, Some(ReceiptStat::Undeliverable));
        let ok = receipts.iter().find(|r| r.id_matches(&id)).unwrap();
        assert_eq!(ok.stat, Some(ReceiptStat::Delivered));
        assert_eq!(
            ok.text.as_ref().unwrap().text.as_deref(),
            Some(&b"Hello receipt"[..])
        );

        // query, replace, cancel through the handler.
        let query = QuerySm {
            message_id: id.as_str().try_into().unwrap(),
            ..QuerySm::default()
        };
        let state = tx.query_sm(query.clone()).await.unwrap();
        assert_eq!(state.message_state, MessageState::ENROUTE);
        tx.replace_sm(ReplaceSm {
            message_id: id.as_str().try_into().unwrap(),
            short_message: "new text".try_into().unwrap(),
            ..ReplaceSm::default()
        })
        .await
        .unwrap();
        tx.cancel_sm(CancelSm {
            message_id: id.as_str().try_into().unwrap(),
            ..CancelSm::default()
        })
        .await
        .unwrap();
        assert_eq!(
            tx.query_sm(query).await.unwrap().message_state,
            MessageState::DELETED
        );
        // An error status comes back typed, with the response.
        let error = tx
            .query_sm(QuerySm {
                message_id: "nope".try_into().unwrap(),
                ..QuerySm::default()
            })
            .await
            .unwrap_err();
        assert_eq!(error.command_status(), Some(CommandStatus::ESME_RQUERYFAIL));
        assert_eq!(error.was_sent(), Some(true));
        let error = tx.submit_sm(submit("000", "x")).await.unwrap_err();
        assert_eq!(error.command_status(), Some(CommandStatus::ESME_RINVDSTADR));

        // A long message in three ways.
        let text = "This message is much longer than one hundred and sixty characters, so it has to be split into several parts before it can travel over SMPP to the handset. ".repeat(2);
        for method in [Concat::Udh8 { reference: 7 }, Concat::Sar { reference: 9 }, Concat::Payload] {
            let ids = tx.send_long("447911", &text, method).await.unwrap();
            let expected = if method == Concat::Payload { 1 } else { 3 };
            assert_eq!(ids.len(), expected, "{method:?}");
        }
        server.shutdown(Duration::from_secs(5)).await;
    })
    .await
    .expect("test timed out");
}

#[tokio::test]
async fn authentication_refuses_bad_credentials() {
    tokio::time::timeout(LIMIT, async {
        let (server, port) =
            start(Server::builder().authenticator(Accounts::new().with("esme", "pw"))).await;
        let error = Client::bind_transmitter(client_config(port, "esme", "wrong"))
            .await
            .unwrap_err();
        assert_eq!(error.command_status(), Some(CommandStatus::ESME_RINVPASWD));
        assert!(matches!(error, ClientError::BindRefused { .. }));
        let error = Client::bind_transmitter(client_config(port, "who", "pw"))
            .await
            .unwrap_err();
        assert_eq!(error.command_status(), Some(CommandStatus::ESME_RINVSYSID));
        server.shutdown(Duration::from_secs(5)).await;
    })
    .await
    .expect("test timed out");
}

#[tokio::test]
async fn deliver_round_robin_and_store_and_forward() {
    tokio::time::timeout(LIMIT, async {
        let (server, port) = start(Server::builder().store_capacity(3)).await;
        let mo = |text: &str| DeliverSm {
            source_addr: "447911".try_into().unwrap(),
            destination_addr: "12345".try_into().unwrap(),
            short_message: text.try_into().unwrap(),
            ..DeliverSm::default()
        };
        // Nobody bound: stored, up to the capacity, then ESME_RMSGQFUL.
        for i in 0..3 {
            assert_eq!(
                server
                    .deliver_sm("esme", mo(&format!("stored {i}")))
                    .await
                    .unwrap(),
                Delivery::Stored
            );
        }
        let full = server.deliver_sm("esme", mo("too many")).await.unwrap_err();
        assert_eq!(full.command_status(), Some(CommandStatus::ESME_RMSGQFUL));
        assert_eq!(server.stored(Some("esme")), 3);

        // The first receiver to bind gets the stored messages, in order.
        let (_a, mut a_events) = Client::bind_receiver(client_config(port, "esme", "pw"))
            .await
            .unwrap();
        for i in 0..3 {
            let ClientEvent::DeliverSm(m) = a_events.next().await.unwrap() else {
                panic!()
            };
            assert_eq!(
                m.pdu.short_message.as_bytes(),
                format!("stored {i}").as_bytes()
            );
        }
        // Wait until the store is empty (the responses are in).
        while server.stored(None) > 0 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let (_b, mut b_events) = Client::bind_transceiver(client_config(port, "esme", "pw"))
            .await
            .unwrap();
        // Round-robin over the two binds; each answers with its own status.
        let reader = tokio::spawn(async move {
            let mut n = 0;
            while let Some(ClientEvent::DeliverSm(m)) = a_events.next().await {
                m.accept();
                n += 1;
                if n == 2 {
                    break;
                }
            }
            a_events
        });
        let b_reader = tokio::spawn(async move {
            let mut n = 0;
            while let Some(ClientEvent::DeliverSm(m)) = b_events.next().await {
                m.respond(CommandStatus::ESME_RX_T_APPN);
                n += 1;
                if n == 2 {
                    break;
                }
            }
            b_events
        });
        let mut sessions = HashMap::new();
        for i in 0..4 {
            match server
                .deliver_sm("esme", mo(&format!("live {i}")))
                .await
                .unwrap()
            {
                Delivery::Delivered {
                    session_id,
                    command_status,
                } => {
                    sessions.insert(session_id, command_status);
                }
                Delivery::Stored => panic!("a receiver is bound"),
            }
        }
        assert_eq!(sessions.len(), 2);
        assert!(sessions.values().any(|s| *s == CommandStatus::ESME_ROK));
        assert!(
            sessions
                .values()
                .any(|s| *s == CommandStatus::ESME_RX_T_APPN)
        );
        reader.await.unwrap();
        b_reader.await.unwrap();
        server.shutdown(Duration::from_secs(5)).await;
    })
    .await
    .expect("test timed out");
}

#[tokio::test]
async fn connection_reset_fails_requests_in_flight() {
    tokio::time::timeout(LIMIT, async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let peer_task = tokio::spawn(async move {
            let (tcp, _) = listener.accept().await.unwrap();
            let mut peer = peer::ScriptedPeer::new(tcp);
            peer.accept_bind().await;
            peer.expect_id(smpp::CommandId::SUBMIT_SM).await;
            // Abortive close: RST instead of FIN.
            peer.stream.set_zero_linger().unwrap();
            drop(peer);
        });
        let (client, _events) = Client::bind_transmitter(client_config(port, "esme", "pw"))
            .await
            .unwrap();
        let result = client.submit_sm(submit("447911", "x")).await;
        assert!(
            matches!(result, Err(ClientError::Abandoned { .. })),
            "{result:?}"
        );
        match client.closed().await {
            smpp::transport::Disconnect::Io(e) => {
                assert_eq!(e.kind(), std::io::ErrorKind::ConnectionReset)
            }
            other => panic!("{other}"),
        }
        peer_task.await.unwrap();
    })
    .await
    .expect("test timed out");
}
