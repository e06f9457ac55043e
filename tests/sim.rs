//! smpp-sim over loopback, driven by our client: receipts (delay, outcome mix, TLVs), the message
//! store (query, replace, cancel of a scheduled message), magic numbers and rules (status, no
//! reply, delay, throttle, failed receipt, `sim:` directives), MO injection, the summary, and the
//! `smpp-sim` binary itself.

use std::time::Duration;

use smpp::client::{Client, ClientConfig, ClientError, ClientEvent, Events};
use smpp::receipt::ReceiptStat;
use smpp::sim::{MoConfig, OutcomeMix, SimConfig, SimHandle, Simulator};
use smpp::{
    CancelSm, CommandStatus, DeliverSm, MessageState, QuerySm, RegisteredDelivery, ReplaceSm,
    SmppTime, SubmitSm,
};

const LIMIT: Duration = Duration::from_secs(30);

async fn start(config: SimConfig) -> SimHandle {
    Simulator::start(config.listen("127.0.0.1:0").account("test", "secret"))
        .await
        .expect("sim starts")
}

async fn bind(sim: &SimHandle) -> (Client, Events) {
    let config = ClientConfig::new("127.0.0.1", sim.local_addr().port(), "test", "secret")
        .response_timeout(Some(Duration::from_millis(800)))
        .window_size(16);
    Client::bind_transceiver(config).await.expect("bind")
}

fn submit(dest: &str, text: &str, receipt: bool) -> SubmitSm {
    SubmitSm {
        source_addr: "12345".try_into().unwrap(),
        destination_addr: dest.try_into().unwrap(),
        registered_delivery: if receipt {
            RegisteredDelivery::SMSC_RECEIPT
        } else {
            RegisteredDelivery::NONE
        },
        short_message: text.try_into().unwrap(),
        ..SubmitSm::default()
    }
}

/// The next deliver_sm (answered ESME_ROK).
async fn next_deliver(events: &mut Events) -> DeliverSm {
    loop {
        match events.next().await.expect("events end") {
            ClientEvent::DeliverSm(m) => {
                let pdu = m.pdu.clone();
                m.accept();
                return pdu;
            }
            ClientEvent::Protocol(_) => {}
            other => panic!("unexpected event {other:?}"),
        }
    }
}

#[tokio::test]
async fn receipts_follow_the_mix_and_carry_the_tlvs() {
    tokio::time::timeout(LIMIT, async {
        let mix: OutcomeMix = "UNDELIV=1".parse().unwrap();
        let sim = start(
            SimConfig::default()
                .receipt_delay(Duration::from_millis(50))
                .outcomes(mix, 1),
        )
        .await;
        let (client, mut events) = bind(&sim).await;
        let id = client
            .submit_sm(submit("447700900123", "Hello", true))
            .await
            .unwrap();
        assert_eq!(id, "0000000001");
        let r = next_deliver(&mut events).await;
        assert!(r.esm_class.is_delivery_receipt());
        assert_eq!(r.source_addr, "447700900123");
        assert_eq!(r.destination_addr, "12345");
        let view = r.receipt().unwrap();
        assert!(view.id_matches(&id));
        assert_eq!(view.stat, Some(ReceiptStat::Undeliverable));
        assert_eq!(view.message_state, Some(MessageState::UNDELIVERABLE.0));
        assert_eq!(view.network_error_code.unwrap().error_code, 1);
        assert!(view.conflicts.is_empty(), "{:?}", view.conflicts);
        let text = view.text.unwrap();
        assert_eq!(text.err.as_deref(), Some("001"));
        // query_sm agrees.
        let q = client
            .query_sm(QuerySm {
                message_id: id.as_str().try_into().unwrap(),
                source_addr: "12345".try_into().unwrap(),
                ..QuerySm::default()
            })
            .await
            .unwrap();
        assert_eq!(q.message_state, MessageState::UNDELIVERABLE);
        assert_eq!(q.error_code, 1);
        assert!(!q.final_date.is_empty());
        client.unbind().await.unwrap();
        let summary = sim.shutdown().await;
        assert_eq!(summary.receipts.get("UNDELIV"), Some(&1));
        assert_eq!(summary.received.get("submit_sm"), Some(&1));
        assert_eq!(summary.sent.get("deliver_sm"), Some(&1));
        assert_eq!(summary.sessions.bound_trx, 1);
        assert_eq!(summary.sessions.unbound, 1);
        assert!(summary.to_string().contains("UNDELIV 1"), "{summary}");
    })
    .await
    .expect("bounded");
}

#[tokio::test]
async fn the_same_seed_gives_the_same_outcomes() {
    tokio::time::timeout(LIMIT, async {
        let mut runs = Vec::new();
        for _ in 0..2 {
            let mix: OutcomeMix = "DELIVRD=1,UNDELIV=1,EXPIRED=1,REJECTD=1".parse().unwrap();
            let sim = start(
                SimConfig::default()
                    .receipt_delay(Duration::ZERO)
                    .outcomes(mix, 99),
            )
            .await;
            let (client, mut events) = bind(&sim).await;
            let mut stats = Vec::new();
            for i in 0..12 {
                let id = client
                    .submit_sm(submit("447700900123", &format!("m{i}"), true))
                    .await
                    .unwrap();
                let r = next_deliver(&mut events).await;
                let view = r.receipt().unwrap();
                assert!(view.id_matches(&id));
                stats.push(view.stat.unwrap());
            }
            client.unbind().await.unwrap();
            sim.shutdown().await;
            runs.push(stats);
        }
        assert_eq!(runs[0], runs[1]);
        assert!(
            runs[0].iter().any(|s| *s != runs[0][0]),
            "a mix: {:?}",
            runs[0]
        );
    })
    .await
    .expect("bounded");
}

#[tokio::test]
async fn scheduled_message_can_be_replaced_and_cancelled() {
    tokio::time::timeout(LIMIT, async {
        let sim = start(SimConfig::default().receipt_delay(Duration::from_millis(10))).await;
        let (client, _events) = bind(&sim).await;
        let mut s = submit("447700900123", "Scheduled", false);
        s.schedule_delivery_time = SmppTime::new("000001000000000R").unwrap();
        let id = client.submit_sm(s).await.unwrap();
        let query = || QuerySm {
            message_id: id.as_str().try_into().unwrap(),
            source_addr: "12345".try_into().unwrap(),
            ..QuerySm::default()
        };
        let q = client.query_sm(query()).await.unwrap();
        assert_eq!(q.message_state, MessageState::ENROUTE);
        assert!(q.final_date.is_empty());
        client
            .replace_sm(ReplaceSm {
                message_id: id.as_str().try_into().unwrap(),
                source_addr: "12345".try_into().unwrap(),
                short_message: "Replaced".try_into().unwrap(),
                ..ReplaceSm::default()
            })
            .await
            .unwrap();
        // The wrong source address is refused.
        let wrong = client
            .query_sm(QuerySm {
                source_addr: "999".try_into().unwrap(),
                ..query()
            })
            .await;
        assert!(
            matches!(wrong, Err(ClientError::Status { .. })),
            "{wrong:?}"
        );
        let cancel = || CancelSm {
            message_id: id.as_str().try_into().unwrap(),
            source_addr: "12345".try_into().unwrap(),
            ..CancelSm::default()
        };
        client.cancel_sm(cancel()).await.unwrap();
        let q = client.query_sm(query()).await.unwrap();
        assert_eq!(q.message_state, MessageState::DELETED);
        let again = client.cancel_sm(cancel()).await.unwrap_err();
        assert_eq!(
            again.command_status(),
            Some(CommandStatus::ESME_RCANCELFAIL)
        );
        // An id never given.
        let unknown = client
            .cancel_sm(CancelSm {
                message_id: "77".try_into().unwrap(),
                ..cancel()
            })
            .await
            .unwrap_err();
        assert_eq!(
            unknown.command_status(),
            Some(CommandStatus::ESME_RINVMSGID)
        );
        // A delivered message can no longer be replaced.
        let id2 = client
            .submit_sm(submit("447700900123", "now", false))
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(50)).await;
        let late = client
            .replace_sm(ReplaceSm {
                message_id: id2.as_str().try_into().unwrap(),
                source_addr: "12345".try_into().unwrap(),
                ..ReplaceSm::default()
            })
            .await
            .unwrap_err();
        assert_eq!(
            late.command_status(),
            Some(CommandStatus::ESME_RREPLACEFAIL)
        );
        client.unbind().await.unwrap();
        let summary = sim.shutdown().await;
        assert_eq!(summary.messages.get("cancelled"), Some(&1));
        assert_eq!(summary.messages.get("replaced"), Some(&1));
        assert_eq!(summary.stored.get("DELETED"), Some(&1));
    })
    .await
    .expect("bounded");
}

#[tokio::test]
async fn magic_numbers_rules_and_directives() {
    tokio::time::timeout(LIMIT, async {
        let sim = start(
            SimConfig::default()
                .receipt_delay(Duration::from_millis(10))
                .rule("text=slowly,delay=300ms".parse().unwrap())
                .rule("dest=447700900555,throttle=2".parse().unwrap()),
        )
        .await;
        let (client, mut events) = bind(&sim).await;
        let status = |r: Result<String, ClientError>| r.unwrap_err().command_status();
        assert_eq!(
            status(client.submit_sm(submit("999001", "x", false)).await),
            Some(CommandStatus::ESME_RINVDSTADR)
        );
        assert_eq!(
            status(client.submit_sm(submit("9990050000", "x", false)).await),
            Some(CommandStatus::ESME_RSUBMITFAIL)
        );
        // No reply: the client's response timer fires.
        let silent = client.submit_sm(submit("999010", "x", false)).await;
        assert!(
            matches!(silent, Err(ClientError::Timeout { .. })),
            "{silent:?}"
        );
        // A directive in the text.
        assert_eq!(
            status(
                client
                    .submit_sm(submit(
                        "447700900123",
                        "sim:status=ESME_RINVSRCADR hi",
                        false
                    ))
                    .await
            ),
            Some(CommandStatus::ESME_RINVSRCADR)
        );
        // A delay rule on the text.
        let t0 = std::time::Instant::now();
        client
            .submit_sm(submit("447700900123", "please go slowly", false))
            .await
            .unwrap();
        assert!(t0.elapsed() >= Duration::from_millis(300));
        // A throttling rule: 2 a second, a burst of 2.
        let mut throttled = 0;
        for _ in 0..4 {
            if let Err(e) = client.submit_sm(submit("447700900555", "t", false)).await {
                assert_eq!(e.command_status(), Some(CommandStatus::ESME_RTHROTTLED));
                throttled += 1;
            }
        }
        assert!(throttled >= 1, "throttled {throttled}");
        // A failed receipt by magic number.
        let id = client
            .submit_sm(submit("999031", "expire me", true))
            .await
            .unwrap();
        let r = next_deliver(&mut events).await;
        let view = r.receipt().unwrap();
        assert!(view.id_matches(&id));
        assert_eq!(view.stat, Some(ReceiptStat::Expired));
        assert_eq!(view.network_error_code.unwrap().error_code, 27);
        // No receipt ever for 999034; the next receipt is for the message after it.
        client
            .submit_sm(submit("999034", "none", true))
            .await
            .unwrap();
        let id = client
            .submit_sm(submit("447700900123", "ok", true))
            .await
            .unwrap();
        let r = next_deliver(&mut events).await;
        assert!(r.receipt().unwrap().id_matches(&id));
        client.unbind().await.unwrap();
        let summary = sim.shutdown().await;
        assert_eq!(summary.messages.get("left unanswered"), Some(&1));
        assert!(
            summary
                .rule_hits
                .contains_key("dest-prefix=999001,status=ESME_RINVDSTADR")
        );
        assert!(summary.statuses_sent.contains_key("ESME_RTHROTTLED"));
    })
    .await
    .expect("bounded");
}

#[tokio::test]
async fn mo_on_bind_at_a_rate_and_by_hand() {
    tokio::time::timeout(LIMIT, async {
        let mut mo = MoConfig::default();
        mo.on_bind = true;
        mo.rate = Some(20.0);
        mo.count = Some(2);
        let sim = start(SimConfig::default().mo(mo)).await;
        let config = ClientConfig::new("127.0.0.1", sim.local_addr().port(), "test", "secret");
        let (client, mut events) = Client::bind_receiver(config).await.unwrap();
        let mut texts = Vec::new();
        for _ in 0..3 {
            let m = next_deliver(&mut events).await;
            assert!(!m.esm_class.is_delivery_receipt());
            texts.push(String::from_utf8_lossy(m.short_message.as_bytes()).into_owned());
        }
        assert!(texts.iter().any(|t| t.contains("on bind")), "{texts:?}");
        assert_eq!(
            texts
                .iter()
                .filter(|t| t.starts_with("MO message "))
                .count(),
            3
        );
        sim.inject_mo("test", "447700900777", "12345", "Привет из симулятора");
        let m = next_deliver(&mut events).await;
        assert_eq!(m.source_addr, "447700900777");
        assert_eq!(m.data_coding, smpp::DataCoding::UCS2);
        client.unbind().await.unwrap();
        let summary = sim.shutdown().await;
        assert_eq!(summary.mo_sent, 4);
        assert_eq!(summary.sessions.bound_rx, 1);
    })
    .await
    .expect("bounded");
}

#[tokio::test]
async fn wrong_password_and_unknown_account_are_refused() {
    tokio::time::timeout(LIMIT, async {
        let sim = start(SimConfig::default()).await;
        let port = sim.local_addr().port();
        let wrong = Client::bind_transmitter(ClientConfig::new("127.0.0.1", port, "test", "nope"))
            .await
            .unwrap_err();
        assert_eq!(wrong.command_status(), Some(CommandStatus::ESME_RINVPASWD));
        let unknown = Client::bind_transmitter(ClientConfig::new("127.0.0.1", port, "who", "x"))
            .await
            .unwrap_err();
        assert_eq!(
            unknown.command_status(),
            Some(CommandStatus::ESME_RINVSYSID)
        );
        let summary = sim.shutdown().await;
        assert_eq!(summary.sessions.bind_refused, 2);
    })
    .await
    .expect("bounded");
}

/// The binary: `smpp-sim --listen 127.0.0.1:0 --account test:secret` starts, prints its address,
/// serves a client, and prints the summary on SIGTERM.
#[cfg(unix)]
#[tokio::test]
async fn binary_starts_serves_and_summarises_on_sigterm() {
    use tokio::io::{AsyncBufReadExt, BufReader};
    tokio::time::timeout(LIMIT, async {
        let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_smpp-sim"))
            .args(["--listen", "127.0.0.1:0", "--account", "test:secret"])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("spawn smpp-sim");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let line = lines.next_line().await.unwrap().expect("LISTENING line");
        let addr: std::net::SocketAddr = line.strip_prefix("LISTENING ").unwrap().parse().unwrap();
        let config = ClientConfig::new("127.0.0.1", addr.port(), "test", "secret");
        let (client, _events) = Client::bind_transmitter(config).await.unwrap();
        client
            .submit_sm(submit("447700900123", "hi", false))
            .await
            .unwrap();
        client.unbind().await.unwrap();
        let pid = child.id().unwrap().to_string();
        let status = std::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap();
        assert!(status.success());
        let out = child.wait_with_output().await.unwrap();
        assert!(out.status.success(), "{out:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("SIGTERM"), "{stderr}");
        assert!(stderr.contains("smpp-sim summary"), "{stderr}");
        assert!(stderr.contains("submit_sm 1"), "{stderr}");
    })
    .await
    .expect("bounded");
}

/// `smpp-sim --help` lists every magic number.
#[test]
fn help_lists_the_magic_numbers() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_smpp-sim"))
        .arg("--help")
        .output()
        .expect("smpp-sim --help");
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    for (prefix, _, _) in smpp::sim::MAGIC {
        assert!(help.contains(prefix), "{prefix} missing from --help");
    }
}
