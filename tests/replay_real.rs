//! The real captures (node-smpp client ↔ node-smpp server, python smpplib client ↔ node-smpp
//! server) replayed both ways at once: `run_listen` plays the captured SMSC, `run_target` the
//! captured ESME against it. Each side must find the other exactly as captured; then the SMSC
//! side is altered and the ESME side must report exactly the alterations.

use std::time::Duration;

use bytes::Bytes;
use smpp::pcap::read::Capture;
use smpp::replay::{self, Listener, Outcome, Plan, ReplayOptions, Report, Timing};
use smpp::{Command, CommandStatus, DecodeOptions, MessageState, Pdu};

const LIMIT: Duration = Duration::from_secs(60);

fn plans(name: &str) -> Vec<Plan> {
    let path = format!("{}/fixtures/pcap/real/{name}", env!("CARGO_MANIFEST_DIR"));
    let (sessions, summary) = Capture::open(&path).unwrap().sessions();
    assert!(summary.notes.is_empty(), "{:?}", summary.notes);
    replay::plans(&sessions)
}

/// Both sides of `plans` against each other: (the SMSC side's report, the ESME side's report).
async fn both_ways(smsc: &[Plan], esme: &[Plan], opts: &ReplayOptions) -> (Report, Report) {
    let listener = Listener::bind("127.0.0.1:0").await.unwrap();
    let target = listener.local_addr().unwrap().to_string();
    tokio::time::timeout(LIMIT, async {
        tokio::join!(
            replay::run_listen(smsc, listener, opts),
            replay::run_target(esme, &target, opts)
        )
    })
    .await
    .expect("the replay ends within its bounds")
}

fn assert_same(report: &Report, plans: &[Plan]) {
    assert_eq!(report.exit_code(), 0, "{}", report.to_text());
    assert_eq!(report.sessions.len(), plans.len());
    for (s, p) in report.sessions.iter().zip(plans) {
        assert_eq!(s.outcome, Outcome::Same);
        assert!(s.findings.is_empty(), "{:?}", s.findings);
        // Each side sent its captured PDUs and received the other's.
        let (esme, smsc) = p.counts();
        let (sent, received) = if report.mode == "target" {
            (esme, smsc)
        } else {
            (smsc, esme)
        };
        assert_eq!((s.sent, s.received), (sent, received), "session {}", s.conn);
    }
}

#[tokio::test]
async fn node_capture_replays_against_itself() {
    let plans = plans("node-client_node-server.pcap");
    assert_eq!(plans.len(), 3);
    let opts = ReplayOptions::default().with_response_timeout(Duration::from_secs(5));
    let (smsc, esme) = both_ways(&plans, &plans, &opts).await;
    assert_same(&smsc, &plans);
    assert_same(&esme, &plans);
}

#[tokio::test]
async fn python_capture_replays_against_itself_with_the_captured_pacing() {
    // smpplib answers deliver_sm with sequence numbers of its own: the replay answers with the
    // SMSC's, and pairs the capture's answers by order.
    let plans = plans("python-client_node-server.pcap");
    let opts = ReplayOptions::default().with_timing(Timing::Original);
    let started = std::time::Instant::now();
    let (smsc, esme) = both_ways(&plans, &plans, &opts).await;
    assert_same(&smsc, &plans);
    assert_same(&esme, &plans);
    // The capture spans 0.65 s from the first PDU to the last.
    assert!(started.elapsed() >= Duration::from_millis(600));
}

/// Re-encodes the event `frame_number` of `plan` after `change`.
fn alter(plan: &mut Plan, frame_number: u64, change: impl FnOnce(&mut Command)) {
    let ev = plan
        .events
        .iter_mut()
        .find(|e| e.frame_number == frame_number)
        .unwrap();
    let mut cmd = Command::decode_with(&ev.frame, DecodeOptions::LENIENT)
        .unwrap()
        .command;
    change(&mut cmd);
    let bytes: Bytes = cmd.to_bytes();
    ev.header = cmd.header();
    ev.frame = bytes;
}

#[tokio::test]
async fn an_altered_smsc_is_reported_exactly() {
    let esme = plans("node-client_node-server.pcap");
    let mut smsc = esme.clone();
    // #19: another message_id (not compared by default).
    alter(&mut smsc[0], 19, |c| {
        if let Pdu::SubmitSmResp(Some(r)) = &mut c.pdu {
            r.message_id = "other-id".try_into().unwrap();
        }
    });
    // #47: another message_state.
    alter(&mut smsc[0], 47, |c| {
        if let Pdu::QuerySmResp(Some(r)) = &mut c.pdu {
            r.message_state = MessageState::UNDELIVERABLE;
        }
    });
    // #59: the second cancel_sm succeeds.
    alter(&mut smsc[0], 59, |c| {
        c.command_status = CommandStatus::ESME_ROK
    });
    // #13 (session 1): the bad password is accepted.
    alter(&mut smsc[1], 13, |c| {
        c.command_status = CommandStatus::ESME_ROK;
        c.pdu = Pdu::BindTransmitterResp(Some(smpp::BindResp {
            system_id: "node-smpp-smsc".try_into().unwrap(),
            ..Default::default()
        }));
    });
    let opts = ReplayOptions::default();
    let (_, report) = both_ways(&smsc, &esme, &opts).await;
    let text = report.to_text();
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[0].ends_with("sent 22, received 22: 2 differences"),
        "{text}"
    );
    assert_eq!(
        &lines[1..5],
        [
            "  #47 query_sm_resp seq=9 status=ESME_ROK: differs",
            "      message_state: 2 → 5",
            "  #59 cancel_sm_resp seq=15 status=ESME_RCANCELFAIL: differs",
            "      command_status: ESME_RCANCELFAIL → ESME_ROK",
        ]
    );
    assert!(lines[5].starts_with("session 1 (ESME 127.0.0.1:42810 ↔ SMSC 127.0.0.1:2775"));
    assert!(
        lines[5].ends_with("sent 1, received 1: 1 difference"),
        "{text}"
    );
    assert_eq!(
        lines[6],
        "  #13 bind_transmitter_resp seq=1 status=ESME_RINVPASWD: differs"
    );
    assert_eq!(lines[7], "      command_status: ESME_RINVPASWD → ESME_ROK");
    assert_eq!(lines[8], "      body: absent (header only) → present");
    assert!(lines[9].ends_with("sent 3, received 3: same"));
    assert_eq!(report.exit_code(), 1);
    assert_eq!(report.sessions[2].outcome, Outcome::Same);
}
