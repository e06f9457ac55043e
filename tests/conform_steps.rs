//! Each step kind of the scenario format, against scripted peers on 127.0.0.1 that do exactly one
//! thing (answer out of order, send garbage, close, reset, ...), and the in-process built-in peer.

use std::future::Future;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use smpp::conform::load::load_str;
use smpp::conform::report::Outcome;
use smpp::conform::runner::{RunEnv, run_case};
use smpp::conform::{CaseResult, builtin_peer};
use smpp::{Command, CommandStatus, DeliverSm, Pdu, SubmitSmResp};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

const HEAD: &str = "id: 4.4.1/t\ntitle: t\nspec: x\n";

/// Reads one whole PDU (None at EOF).
async fn read_pdu(s: &mut TcpStream) -> Option<Bytes> {
    let mut len = [0u8; 4];
    s.read_exact(&mut len).await.ok()?;
    let n = u32::from_be_bytes(len) as usize;
    let mut rest = vec![0u8; n.checked_sub(4)?];
    s.read_exact(&mut rest).await.ok()?;
    let mut all = len.to_vec();
    all.extend(rest);
    Some(Bytes::from(all))
}

async fn read_cmd(s: &mut TcpStream) -> Command {
    Command::decode(&read_pdu(s).await.expect("a PDU")).expect("a valid PDU")
}

async fn write(s: &mut TcpStream, c: Command) {
    s.write_all(&c.to_bytes()).await.unwrap();
}

fn resp(seq: u32, id: &str) -> Command {
    let r = SubmitSmResp {
        message_id: id.try_into().unwrap(),
        ..Default::default()
    };
    Command::response(CommandStatus::ESME_ROK, seq, Pdu::SubmitSmResp(Some(r)))
}

/// A peer that accepts `conns` connections and runs `script` on each, in turn.
async fn peer<F, Fut>(conns: usize, script: F) -> (SocketAddr, JoinHandle<()>)
where
    F: Fn(TcpStream, usize) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send,
{
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    let h = tokio::spawn(async move {
        for i in 0..conns {
            let (s, _) = l.accept().await.unwrap();
            script(s, i).await;
        }
    });
    (addr, h)
}

async fn run(yaml: &str, target: SocketAddr) -> CaseResult {
    let sc = load_str(yaml, Path::new("t.yaml"))
        .unwrap_or_else(|e| panic!("{e:#?}"))
        .remove(0);
    run_case(&sc, &RunEnv::new(Some(target))).await
}

fn scenario(steps: &str) -> String {
    format!("{HEAD}timeouts: {{ step: 1s, scenario: 10s }}\nsteps:\n{steps}")
}

#[track_caller]
fn assert_outcome(r: &CaseResult, o: Outcome) {
    assert_eq!(r.outcome, o, "{:?}\n{:#?}", r.message, r.steps);
}

#[tokio::test]
async fn send_expect_capture_check() {
    let (addr, h) = peer(1, |mut s, _| async move {
        let c = read_cmd(&mut s).await;
        let Pdu::SubmitSm(m) = &c.pdu else {
            panic!("{c:?}")
        };
        assert_eq!(m.destination_addr, "4477");
        assert_eq!(m.source_addr, "12345"); // the built-in default
        assert_eq!(m.short_message.as_bytes(), b"Hi 4477");
        assert_eq!(m.tlvs.len(), 1);
        write(&mut s, resp(c.sequence_number, "abc-1")).await;
        let _ = read_pdu(&mut s).await;
    })
    .await;
    let r = run(
        &scenario(
            "  - set: { dest: \"4477\" }
  - send: { pdu: submit_sm, as: s, fields: { destination_addr: \"${dest}\", short_message: \"Hi ${dest}\" }, tlvs: { user_message_reference: 9 } }
  - expect: { pdu: submit_sm_resp, reply_to: s, status: ESME_ROK, capture: { id: message_id, n: { field: message_id, regex: '-(\\d+)$' } } }
  - check: { value: \"${id}\", is: abc-1 }
  - check: { value: \"${n}\", is: { range: [1, 1] } }
",
        ),
        addr,
    )
    .await;
    assert_outcome(&r, Outcome::Pass);
    assert_eq!(r.steps.len(), 5);
    h.await.unwrap();
}

#[tokio::test]
async fn a_mismatch_fails_with_the_reason() {
    let (addr, _h) = peer(1, |mut s, _| async move {
        let c = read_cmd(&mut s).await;
        write(&mut s, resp(c.sequence_number, "x")).await;
        let _ = read_pdu(&mut s).await;
    })
    .await;
    let r = run(
        &scenario(
            "  - send: { pdu: submit_sm, as: s }
  - expect: { pdu: submit_sm_resp, reply_to: s, status: ESME_RTHROTTLED }
",
        ),
        addr,
    )
    .await;
    assert_outcome(&r, Outcome::Fail);
    let m = r.message.unwrap();
    assert!(m.contains("line 7, expect"), "{m}");
    assert!(
        m.contains("status is ESME_ROK, expected ESME_RTHROTTLED"),
        "{m}"
    );
    // the wire log has both PDUs
    assert_eq!(r.wire.iter().filter(|e| !e.bytes.is_empty()).count(), 2);
}

fn deliver(seq: u32) -> Command {
    Command::new(
        seq,
        DeliverSm {
            short_message: "mo".try_into().unwrap(),
            ..Default::default()
        },
    )
}

#[tokio::test]
async fn an_unexpected_pdu_fails_unless_auto_responded() {
    for auto in [false, true] {
        let (addr, h) = peer(1, move |mut s, _| async move {
            let c = read_cmd(&mut s).await;
            write(&mut s, deliver(5)).await;
            if auto {
                let r = read_cmd(&mut s).await;
                assert_eq!(r.command_id(), smpp::CommandId::DELIVER_SM_RESP);
                assert_eq!(r.sequence_number, 5);
            }
            write(&mut s, resp(c.sequence_number, "x")).await;
            let _ = read_pdu(&mut s).await;
        })
        .await;
        let auto_line = if auto {
            "auto_respond: [enquire_link, deliver_sm]\n"
        } else {
            ""
        };
        let yaml = format!(
            "{HEAD}{auto_line}steps:\n  - send: {{ pdu: submit_sm, as: s }}\n  - expect: {{ pdu: submit_sm_resp, reply_to: s }}\n"
        );
        let r = run(&yaml, addr).await;
        if auto {
            assert_outcome(&r, Outcome::Pass);
            h.await.unwrap();
        } else {
            assert_outcome(&r, Outcome::Fail);
            let m = r.message.unwrap();
            assert!(m.contains("unexpected deliver_sm seq=5"), "{m}");
        }
    }
}

#[tokio::test]
async fn enquire_link_from_the_peer_is_answered() {
    let (addr, h) = peer(1, |mut s, _| async move {
        let c = read_cmd(&mut s).await;
        write(&mut s, Command::new(77, Pdu::EnquireLink)).await;
        let r = read_cmd(&mut s).await;
        assert_eq!(r.pdu, Pdu::EnquireLinkResp);
        assert_eq!(r.sequence_number, 77);
        write(&mut s, resp(c.sequence_number, "x")).await;
        let _ = read_pdu(&mut s).await;
    })
    .await;
    let r = run(
        &scenario("  - send: { pdu: submit_sm, as: s }\n  - expect: { pdu: submit_sm_resp, reply_to: s }\n"),
        addr,
    )
    .await;
    assert_outcome(&r, Outcome::Pass);
    h.await.unwrap();
}

async fn out_of_order(mut s: TcpStream, _: usize) {
    let a = read_cmd(&mut s).await;
    let b = read_cmd(&mut s).await;
    write(&mut s, resp(b.sequence_number, "b")).await;
    write(&mut s, resp(a.sequence_number, "a")).await;
    let _ = read_pdu(&mut s).await;
}

#[tokio::test]
async fn expect_all_takes_any_order_and_plain_expects_do_not() {
    let (addr, _h) = peer(1, out_of_order).await;
    let r = run(
        &scenario(
            "  - send: { pdu: submit_sm, as: a }
  - send: { pdu: submit_sm, as: b }
  - expect_all:
      - { pdu: submit_sm_resp, reply_to: a, fields: { message_id: a } }
      - { pdu: submit_sm_resp, reply_to: b, fields: { message_id: b } }
",
        ),
        addr,
    )
    .await;
    assert_outcome(&r, Outcome::Pass);

    let (addr, _h) = peer(1, out_of_order).await;
    let r = run(
        &scenario(
            "  - send: { pdu: submit_sm, as: a }
  - send: { pdu: submit_sm, as: b }
  - expect: { pdu: submit_sm_resp, reply_to: a }
",
        ),
        addr,
    )
    .await;
    assert_outcome(&r, Outcome::Fail);
    assert!(
        r.message
            .unwrap()
            .contains("sequence_number is 2, expected 1")
    );

    // count with a reply_to glob
    let (addr, _h) = peer(1, out_of_order).await;
    let r = run(
        &scenario(
            "  - repeat: { count: 2, steps: [ { send: { pdu: submit_sm, as: \"s${i}\" } } ] }
  - expect: { pdu: submit_sm_resp, reply_to: \"s*\", count: 2 }
",
        ),
        addr,
    )
    .await;
    assert_outcome(&r, Outcome::Pass);
}

#[tokio::test]
async fn any_of_grades_by_the_branch_taken() {
    const STEPS: &str = "  - send: { pdu: submit_sm, as: s }
  - any_of:
      - expect: { pdu: submit_sm_resp, reply_to: s, status: ESME_RINVBNDSTS }
      - expect: { pdu: generic_nack, reply_to: s, level: should }
      - expect_close: { level: info }
";
    // 0: the must branch, 1: should, 2: info (close), 3: none
    for (case, want) in [
        (0, Outcome::Pass),
        (1, Outcome::NonStrict),
        (2, Outcome::Info),
        (3, Outcome::Fail),
    ] {
        let (addr, _h) = peer(1, move |mut s, _| async move {
            let c = read_cmd(&mut s).await;
            let seq = c.sequence_number;
            match case {
                0 => {
                    let r = Command::empty_response(
                        smpp::CommandId::SUBMIT_SM_RESP,
                        CommandStatus::ESME_RINVBNDSTS,
                        seq,
                    )
                    .unwrap();
                    write(&mut s, r).await;
                }
                1 => {
                    write(
                        &mut s,
                        Command::generic_nack(CommandStatus::ESME_RINVBNDSTS, seq),
                    )
                    .await
                }
                2 => return,
                _ => write(&mut s, resp(seq, "ok")).await,
            }
            let _ = read_pdu(&mut s).await;
        })
        .await;
        let r = run(&scenario(STEPS), addr).await;
        assert_outcome(&r, want);
        if case == 3 {
            assert!(
                r.message
                    .unwrap()
                    .contains("matches none of the 3 outcomes")
            );
        } else if case > 0 {
            assert_eq!(r.notes.len(), 1, "{:?}", r.notes);
        }
    }
}

#[tokio::test]
async fn a_should_scenario_that_fails_is_non_strict() {
    let (addr, _h) = peer(1, |mut s, _| async move {
        let _ = read_pdu(&mut s).await;
        let _ = read_pdu(&mut s).await;
    })
    .await;
    let yaml = format!(
        "{HEAD}level: should\ntimeouts: {{ step: 200ms }}\nsteps:\n  - send: {{ pdu: enquire_link }}\n  - expect: {{ pdu: enquire_link_resp }}\n"
    );
    let r = run(&yaml, addr).await;
    assert_outcome(&r, Outcome::NonStrict);
    assert!(
        r.message
            .unwrap()
            .contains("timeout: no enquire_link_resp within 200ms")
    );
}

#[tokio::test]
async fn optional_keeps_what_came_for_the_next_step() {
    let (addr, _h) = peer(1, |mut s, _| async move {
        let c = read_cmd(&mut s).await;
        write(&mut s, resp(c.sequence_number, "x")).await;
        let _ = read_pdu(&mut s).await;
    })
    .await;
    let r = run(
        &scenario(
            "  - send: { pdu: submit_sm, as: s }
  - expect: { pdu: generic_nack, optional: true }
  - expect: { pdu: submit_sm_resp, reply_to: s }
  - expect: { pdu: deliver_sm, optional: true, timeout: 100ms }
",
        ),
        addr,
    )
    .await;
    assert_outcome(&r, Outcome::Pass);
    assert_eq!(
        r.steps[1].status,
        smpp::conform::report::StepStatus::Skipped
    );
    assert_eq!(
        r.steps[3].status,
        smpp::conform::report::StepStatus::Skipped
    );
}

#[tokio::test]
async fn expect_close_by_peer_any_and_how() {
    // the peer closes: passes
    let (addr, _h) = peer(1, |mut s, _| async move {
        let _ = read_pdu(&mut s).await;
    })
    .await;
    let r = run(
        &scenario("  - send: { pdu: unbind }\n  - expect_close: { within: 1s, how: fin }\n"),
        addr,
    )
    .await;
    assert_outcome(&r, Outcome::Pass);

    // the peer does not close: `by: peer` fails, `by: any` passes
    for (by, want) in [("peer", Outcome::Fail), ("any", Outcome::Pass)] {
        let (addr, _h) = peer(1, |mut s, _| async move {
            let _ = read_pdu(&mut s).await;
            let _ = read_pdu(&mut s).await;
        })
        .await;
        let r = run(
            &scenario(&format!(
                "  - send: {{ pdu: enquire_link }}\n  - expect_close: {{ within: 200ms, by: {by} }}\n"
            )),
            addr,
        )
        .await;
        assert_outcome(&r, want);
    }

    // the peer resets: how: fin fails, how: reset passes
    for (how, want) in [("fin", Outcome::Fail), ("reset", Outcome::Pass)] {
        let (addr, _h) = peer(1, |mut s, _| async move {
            let _ = read_pdu(&mut s).await;
            #[allow(deprecated)]
            s.set_linger(Some(Duration::ZERO)).unwrap();
            drop(s);
        })
        .await;
        let r = run(
            &scenario(&format!(
                "  - send: {{ pdu: enquire_link }}\n  - expect_close: {{ how: {how} }}\n"
            )),
            addr,
        )
        .await;
        assert_outcome(&r, want);
    }
}

#[tokio::test]
async fn respond_answers_a_named_request() {
    let (addr, h) = peer(1, |mut s, _| async move {
        write(&mut s, deliver(41)).await;
        let r = read_cmd(&mut s).await;
        assert_eq!(r.sequence_number, 41);
        assert_eq!(r.command_status, CommandStatus::ESME_RX_T_APPN);
        assert_eq!(r.encoded_len(), 16);
        write(&mut s, deliver(42)).await;
        let r = read_cmd(&mut s).await;
        assert_eq!(r.sequence_number, 42);
        let Pdu::DeliverSmResp(Some(b)) = r.pdu else {
            panic!("{r:?}")
        };
        assert_eq!(b.message_id, "m42");
    })
    .await;
    let r = run(
        &scenario(
            "  - expect: { pdu: deliver_sm, as: d, fields: { short_message: mo } }
  - respond: { to: d, status: ESME_RX_T_APPN }
  - expect: { pdu: deliver_sm, respond: { fields: { message_id: m42 } } }
",
        ),
        addr,
    )
    .await;
    assert_outcome(&r, Outcome::Pass);
    h.await.unwrap();
}

#[tokio::test]
async fn raw_builder_and_mutated_sends_go_out_as_written() {
    let (addr, h) = peer(1, |mut s, _| async move {
        let a = read_pdu(&mut s).await.unwrap();
        assert_eq!(hex::encode(&a), "000000100000001600000000000000aa");
        let b = read_pdu(&mut s).await.unwrap();
        // builder: header, u8 1, "ab\0", TLV 0x1400 with a lying length 9 and one octet
        assert_eq!(
            hex::encode(&b),
            "00000019000000990000000000000001".to_owned() + "01616200140000" + "0901"
        );
        // mutate: enquire_link with command_length + 0 and sequence_number 0
        let c = read_pdu(&mut s).await.unwrap();
        assert_eq!(hex::encode(&c), "00000010000000150000000000000000");
        // command_length override on a typed PDU: says 20, 16 octets follow (then the next PDU)
        let mut d = [0u8; 16];
        s.read_exact(&mut d).await.unwrap();
        assert_eq!(&d[..4], &[0, 0, 0, 20]);
    })
    .await;
    let r = run(
        &scenario(
            "  - send: { raw: \"00000010 00000016 00000000 000000aa\" }
  - send: { pdu: 0x99, body: [ { u8: 1 }, { c_octet: ab }, { tlv: { tag: 0x1400, value: \"01\", length: 9 } } ] }
  - send: { pdu: enquire_link, mutate: { sequence_number_zero: true } }
  - send: { pdu: enquire_link, command_length: 20 }
",
        ),
        addr,
    )
    .await;
    assert_outcome(&r, Outcome::Pass);
    h.await.unwrap();
}

#[tokio::test]
async fn disconnect_connect_sleep_repeat() {
    let (addr, h) = peer(2, |mut s, i| async move {
        let n = if i == 0 { 1 } else { 3 };
        for _ in 0..n {
            let c = read_cmd(&mut s).await;
            write(
                &mut s,
                Command::response(
                    CommandStatus::ESME_ROK,
                    c.sequence_number,
                    Pdu::EnquireLinkResp,
                ),
            )
            .await;
        }
        if i == 0 {
            // our side sees the runner close
            assert!(read_pdu(&mut s).await.is_none());
        }
    })
    .await;
    let r = run(
        &scenario(
            "  - send: { pdu: enquire_link, as: e }
  - expect: { pdu: enquire_link_resp, reply_to: e }
  - disconnect: {}
  - connect: {}
  - sleep: 50ms
  - repeat:
      count: 3
      steps:
        - send: { pdu: enquire_link, as: \"e${i}\" }
        - expect: { pdu: enquire_link_resp, reply_to: \"e${i}\", sequence_number: \"${i}\" }
",
        ),
        addr,
    )
    .await;
    assert_outcome(&r, Outcome::Pass);
    h.await.unwrap();
}

#[tokio::test]
async fn timeouts_are_bounded() {
    let (addr, _h) = peer(1, |mut s, _| async move {
        while read_pdu(&mut s).await.is_some() {}
    })
    .await;
    let yaml = format!(
        "{HEAD}timeouts: {{ step: 100ms, scenario: 300ms }}\nsteps:\n  - send: {{ pdu: enquire_link }}\n  - expect: {{ pdu: enquire_link_resp }}\n"
    );
    let r = run(&yaml, addr).await;
    assert!(
        r.message
            .as_ref()
            .unwrap()
            .contains("timeout: no enquire_link_resp within 100ms")
    );
    let (addr, _h) = peer(1, |mut s, _| async move {
        while read_pdu(&mut s).await.is_some() {}
    })
    .await;
    let yaml = format!("{HEAD}timeouts: {{ step: 5s, scenario: 300ms }}\nsteps:\n  - sleep: 2s\n");
    let t = std::time::Instant::now();
    let r = run(&yaml, addr).await;
    assert_outcome(&r, Outcome::Fail);
    assert!(
        r.message
            .unwrap()
            .contains("did not end within its timeout")
    );
    assert!(t.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn an_unreachable_target_is_an_error() {
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    drop(l);
    let r = run(&scenario("  - send: { pdu: enquire_link }\n"), addr).await;
    assert_outcome(&r, Outcome::Error);
    assert!(r.message.unwrap().contains("unreachable"));
}

#[tokio::test]
async fn garbage_and_deviations_from_the_peer() {
    // command_length 8: does not frame
    let (addr, _h) = peer(1, |mut s, _| async move {
        let _ = read_pdu(&mut s).await;
        s.write_all(&[0, 0, 0, 8, 1, 2, 3, 4]).await.unwrap();
        let _ = read_pdu(&mut s).await;
    })
    .await;
    let r = run(
        &scenario("  - send: { pdu: enquire_link }\n  - expect: { pdu: enquire_link_resp }\n"),
        addr,
    )
    .await;
    assert_outcome(&r, Outcome::Fail);
    assert!(r.message.unwrap().contains("do not frame"));

    // an error submit_sm_resp with a body: decodes only leniently
    for strict in [false, true] {
        let (addr, _h) = peer(1, |mut s, _| async move {
            let c = read_cmd(&mut s).await;
            let mut body = resp(c.sequence_number, "x");
            body.command_status = CommandStatus::ESME_RSUBMITFAIL;
            write(&mut s, body).await;
            let _ = read_pdu(&mut s).await;
        })
        .await;
        let r = run(
            &scenario(&format!(
                "  - send: {{ pdu: submit_sm, as: s }}\n  - expect: {{ pdu: submit_sm_resp, reply_to: s, status: ESME_RSUBMITFAIL, strict: {strict} }}\n"
            )),
            addr,
        )
        .await;
        if strict {
            assert_outcome(&r, Outcome::Fail);
            assert!(r.message.unwrap().contains("does not decode strictly"));
        } else {
            assert_outcome(&r, Outcome::NonStrict);
            assert!(
                r.notes[0].contains("does not decode strictly"),
                "{:?}",
                r.notes
            );
        }
    }
}

#[tokio::test]
async fn role_smsc_accepts_the_esme_under_test() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let mut env = RunEnv::new(None);
    env.listener = Some(Arc::new(tokio::sync::Mutex::new(listener)));
    env.listen_addr = Some(addr);
    let esme = tokio::spawn(async move {
        let mut s = TcpStream::connect(addr).await.unwrap();
        let bind = smpp::Bind {
            system_id: "esme".try_into().unwrap(),
            ..Default::default()
        };
        write(&mut s, Command::new(1, Pdu::BindTransceiver(bind))).await;
        let r = read_cmd(&mut s).await;
        assert_eq!(r.command_id(), smpp::CommandId::BIND_TRANSCEIVER_RESP);
        let d = read_cmd(&mut s).await;
        let Pdu::DeliverSm(_) = d.pdu else { panic!() };
        write(
            &mut s,
            Command::response(
                CommandStatus::ESME_ROK,
                d.sequence_number,
                Pdu::DeliverSmResp(Some(Default::default())),
            ),
        )
        .await;
        let _ = read_pdu(&mut s).await;
    });
    let yaml = format!(
        "{HEAD}role: smsc\nsteps:
  - expect: {{ pdu: bind_transceiver, as: b, fields: {{ system_id: esme }} }}
  - respond: {{ to: b, fields: {{ system_id: smsc }} }}
  - send: {{ pdu: deliver_sm, as: d, fields: {{ short_message: hi }} }}
  - expect: {{ pdu: deliver_sm_resp, reply_to: d }}
"
    );
    let sc = load_str(&yaml, Path::new("t.yaml")).unwrap().remove(0);
    let r = run_case(&sc, &env).await;
    assert_outcome(&r, Outcome::Pass);
    esme.await.unwrap();
    // without a listener, role smsc is skipped
    let r = run_case(&sc, &RunEnv::new(None)).await;
    assert_outcome(&r, Outcome::Skip);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_built_in_peer_serves_receipts_to_a_second_session() {
    let peer = builtin_peer::start().unwrap();
    let yaml = std::fs::read_to_string("conformance/4.4/submit-receipt.yaml").unwrap();
    let r = run(&yaml, peer.smsc).await;
    assert_outcome(&r, Outcome::Pass);
    // two connections, both bound; the receipt came on rx
    assert!(r.wire.iter().any(|e| e.session == "rx"
        && Command::decode(&e.bytes).is_ok_and(|c| matches!(c.pdu, Pdu::DeliverSm(_)))));
}
