//! An ESME session against an SMSC session on a simulated link with a virtual clock: binds, the
//! window, timers, sequence wrap-around, unbind with requests pending, outbind, split input.

mod session_util;

use std::time::Duration;

use session_util::*;
use smpp::session::{
    BindType, CloseCause, Config, Event, Initiator, Role, Session, SessionError, State,
};
use smpp::{
    Command, CommandId, CommandStatus, DeliverSm, MAX_SEQUENCE_NUMBER, Outbind, Pdu, SubmitSm,
};

fn submit() -> Pdu {
    SubmitSm {
        destination_addr: "447911123456".try_into().unwrap(),
        short_message: "hi".try_into().unwrap(),
        ..Default::default()
    }
    .into()
}

fn responses(events: &[Event]) -> Vec<u32> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Response { response, .. } => Some(response.sequence_number),
            _ => None,
        })
        .collect()
}

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

#[test]
fn bind_every_type_and_exchange_messages() {
    for bind_type in BindType::ALL {
        let mut p = Pair::bound(bind_type, Config::default(), Config::default());
        assert_eq!(p.esme.peer_system_id().unwrap(), "SMSC");
        assert_eq!(p.esme.peer_interface_version(), Some(0x34));
        assert_eq!(p.smsc.peer_system_id().unwrap(), "esme");
        if bind_type != BindType::Receiver {
            let seq = p.esme.send_request(p.now, submit()).unwrap();
            p.drive();
            assert_eq!(responses(&p.esme_events), vec![seq]);
        }
        if bind_type != BindType::Transmitter {
            let seq = p
                .smsc
                .send_request(p.now, DeliverSm::default().into())
                .unwrap();
            p.drive();
            assert_eq!(responses(&p.smsc_events), vec![seq]);
        }
    }
}

#[test]
fn latency_is_measured_on_the_virtual_clock() {
    let mut p = Pair::bound(BindType::Transmitter, Config::default(), Config::default());
    p.latency = Duration::from_millis(40);
    p.esme.send_request(p.now, submit()).unwrap();
    while p.esme.in_flight() > 0 {
        assert!(p.step());
    }
    let Some(Event::Response { latency, .. }) = p.esme_events.last() else {
        panic!("{:?}", p.esme_events)
    };
    assert_eq!(*latency, Duration::from_millis(80));
}

#[test]
fn window_full_refuses_until_a_slot_frees() {
    let mut cfg = Config::default();
    cfg.window_size = 2;
    let mut p = Pair::bound(BindType::Transmitter, cfg, Config::default());
    p.smsc_app = App::Silent;
    let a = p.esme.send_request(p.now, submit()).unwrap();
    let b = p.esme.send_request(p.now, submit()).unwrap();
    assert_eq!(p.esme.window_available(), 0);
    assert_eq!(
        p.esme.send_request(p.now, submit()),
        Err(SessionError::WindowFull { size: 2 })
    );
    // unbind takes a slot too.
    assert_eq!(
        p.esme.unbind(p.now),
        Err(SessionError::WindowFull { size: 2 })
    );
    p.drive();
    // The SMSC application answers b only.
    p.smsc
        .respond(
            p.now,
            b,
            CommandStatus::ESME_ROK,
            ok_response(&submit()).unwrap(),
        )
        .unwrap();
    p.drive();
    assert_eq!(responses(&p.esme_events), vec![b]);
    assert_eq!(p.esme.window_available(), 1);
    let c = p.esme.send_request(p.now, submit()).unwrap();
    assert!(c != a && c != b);
    assert_eq!(p.esme.in_flight(), 2);
}

#[test]
fn response_timeout_then_a_late_response() {
    let mut cfg = Config::default();
    cfg.response_timeout = Some(secs(5));
    let mut p = Pair::bound(BindType::Transmitter, cfg, Config::default());
    p.smsc_app = App::Silent;
    let start = p.now;
    let seq = p.esme.send_request(p.now, submit()).unwrap();
    p.drive();
    assert_eq!(p.esme.poll_timeout(), Some(start + secs(5)));
    p.run_until(start + secs(5));
    assert_eq!(
        p.esme_events,
        vec![Event::Timeout {
            sequence_number: seq,
            command_id: CommandId::SUBMIT_SM,
            request: submit()
        }]
    );
    assert_eq!(p.esme.in_flight(), 0);
    // The SMSC answers after all: reported, not matched, not a crash.
    p.smsc
        .respond(
            p.now,
            seq,
            CommandStatus::ESME_ROK,
            ok_response(&submit()).unwrap(),
        )
        .unwrap();
    p.drive();
    assert!(matches!(
        p.esme_events.last(),
        Some(Event::UnexpectedResponse { response }) if response.sequence_number == seq
    ));
    assert!(p.esme.is_bound());
}

#[test]
fn sequence_numbers_wrap_to_one() {
    let mut p = Pair::bound(BindType::Transceiver, Config::default(), Config::default());
    p.esme.set_next_sequence_number(MAX_SEQUENCE_NUMBER - 1);
    let seqs: Vec<u32> = (0..3)
        .map(|_| p.esme.send_request(p.now, submit()).unwrap())
        .collect();
    assert_eq!(seqs, vec![MAX_SEQUENCE_NUMBER - 1, MAX_SEQUENCE_NUMBER, 1]);
    p.drive();
    assert_eq!(responses(&p.esme_events), seqs);
}

#[test]
fn wrap_around_skips_numbers_still_in_flight() {
    let mut p = Pair::bound(BindType::Transmitter, Config::default(), Config::default());
    p.smsc_app = App::Silent;
    p.esme.set_next_sequence_number(MAX_SEQUENCE_NUMBER);
    let a = p.esme.send_request(p.now, submit()).unwrap();
    let b = p.esme.send_request(p.now, submit()).unwrap();
    assert_eq!((a, b), (MAX_SEQUENCE_NUMBER, 1));
    p.esme.set_next_sequence_number(MAX_SEQUENCE_NUMBER);
    assert_eq!(p.esme.send_request(p.now, submit()).unwrap(), 2);
}

#[test]
fn unbind_with_requests_pending_abandons_them() {
    let mut p = Pair::bound(BindType::Transmitter, Config::default(), Config::default());
    p.smsc_app = App::Silent;
    let a = p.esme.send_request(p.now, submit()).unwrap();
    let b = p.esme.send_request(p.now, submit()).unwrap();
    p.drive();
    // The SMSC answers a before the unbind arrives; b stays unanswered.
    p.smsc
        .respond(
            p.now,
            a,
            CommandStatus::ESME_ROK,
            ok_response(&submit()).unwrap(),
        )
        .unwrap();
    let u = p.esme.unbind(p.now).unwrap();
    assert_eq!(p.esme.state(), State::Unbinding(BindType::Transmitter));
    p.drive();
    assert!(p.esme.is_closed() && p.smsc.is_closed());
    let tail: Vec<_> = p.esme_events.iter().skip(1).cloned().collect();
    assert!(
        matches!(&p.esme_events[0], Event::Response { response, .. } if response.sequence_number == a)
    );
    assert_eq!(
        tail,
        vec![
            Event::Unbound {
                initiator: Initiator::Local
            },
            Event::Abandoned {
                sequence_number: b,
                command_id: CommandId::SUBMIT_SM,
                request: submit()
            },
            Event::Closed {
                cause: CloseCause::Unbound(Initiator::Local)
            },
        ]
    );
    assert!(u != a && u != b);
    // The SMSC side: its application never answered b; the session closed anyway.
    assert_eq!(
        p.smsc_events.last(),
        Some(&Event::Closed {
            cause: CloseCause::Unbound(Initiator::Remote)
        })
    );
    assert_eq!(
        p.smsc.respond(
            p.now,
            b,
            CommandStatus::ESME_ROK,
            ok_response(&submit()).unwrap()
        ),
        Err(SessionError::Closed)
    );
}

#[test]
fn smsc_initiated_unbind_while_the_esme_waits() {
    let mut p = Pair::bound(BindType::Transceiver, Config::default(), Config::default());
    p.smsc_app = App::Silent;
    let a = p.esme.send_request(p.now, submit()).unwrap();
    p.drive();
    p.smsc.unbind(p.now).unwrap();
    p.drive();
    assert_eq!(
        p.esme_events,
        vec![
            Event::Unbound {
                initiator: Initiator::Remote
            },
            Event::Abandoned {
                sequence_number: a,
                command_id: CommandId::SUBMIT_SM,
                request: submit()
            },
            Event::Closed {
                cause: CloseCause::Unbound(Initiator::Remote)
            },
        ]
    );
    assert_eq!(
        p.smsc.close_cause(),
        Some(&CloseCause::Unbound(Initiator::Local))
    );
}

#[test]
fn both_sides_unbind_at_once() {
    let mut p = Pair::bound(BindType::Transmitter, Config::default(), Config::default());
    p.esme.unbind(p.now).unwrap();
    p.smsc.unbind(p.now).unwrap();
    p.drive();
    assert!(p.esme.is_closed() && p.smsc.is_closed());
    // Each answered the other's unbind before its own unbind_resp arrived.
    assert_eq!(
        p.esme.close_cause(),
        Some(&CloseCause::Unbound(Initiator::Remote))
    );
    assert_eq!(
        p.smsc.close_cause(),
        Some(&CloseCause::Unbound(Initiator::Remote))
    );
}

#[test]
fn enquire_link_after_the_interval_keeps_the_link_alive() {
    let mut cfg = Config::default();
    cfg.enquire_link_interval = Some(secs(30));
    cfg.inactivity_timeout = Some(secs(90));
    let mut smsc_cfg = cfg.clone();
    smsc_cfg.enquire_link_interval = None;
    let mut p = Pair::bound(BindType::Transceiver, cfg, smsc_cfg);
    let start = p.now;
    assert_eq!(p.esme.poll_timeout(), Some(start + secs(30)));
    p.run_until(start + secs(29));
    assert_eq!(count_sent(&p.esme, CommandId::ENQUIRE_LINK), 0);
    p.run_until(start + secs(30));
    assert_eq!(count_sent(&p.esme, CommandId::ENQUIRE_LINK), 1);
    assert_eq!(count_sent(&p.smsc, CommandId::ENQUIRE_LINK_RESP), 1);
    // An hour of idle link: one probe every 30 s, answered, nothing else happens.
    p.run_until(start + secs(3600));
    assert_eq!(count_sent(&p.esme, CommandId::ENQUIRE_LINK), 120);
    assert!(p.esme.is_bound() && p.smsc.is_bound());
    assert!(
        p.esme_events.is_empty(),
        "automatic enquire_links are silent: {:?}",
        p.esme_events
    );
    // Traffic from the peer postpones the probe.
    let t = p.now;
    p.run_until(t + secs(20));
    p.smsc
        .send_request(p.now, DeliverSm::default().into())
        .unwrap();
    p.drive();
    assert_eq!(p.esme.poll_timeout(), Some(p.now + secs(30)));
}

#[test]
fn a_dead_peer_is_found_by_enquire_link_and_inactivity() {
    let mut cfg = Config::default();
    cfg.enquire_link_interval = Some(secs(30));
    cfg.response_timeout = Some(secs(10));
    cfg.inactivity_timeout = Some(secs(60));
    let mut p = Pair::bound(BindType::Transmitter, cfg, Config::default());
    let start = p.now;
    p.smsc_mute = true; // the SMSC's octets are lost from now on
    p.run_until(start + secs(100));
    let enquire_timeouts: Vec<_> = p
        .esme_events
        .iter()
        .filter(|e| {
            matches!(
                e,
                Event::Timeout {
                    command_id: CommandId::ENQUIRE_LINK,
                    ..
                }
            )
        })
        .collect();
    // A probe at 30 s times out at 40 s; inactivity closes at 60 s, before the next probe.
    assert_eq!(enquire_timeouts.len(), 1);
    assert_eq!(
        p.esme_events.last(),
        Some(&Event::Closed {
            cause: CloseCause::Inactivity
        })
    );
    assert_eq!(p.esme.poll_timeout(), None);
}

#[test]
fn session_init_timer_closes_an_smsc_session_without_bind() {
    let mut cfg = Config::default();
    cfg.session_init_timeout = Some(secs(10));
    let now = t0();
    let mut s = Session::new(Role::Smsc, cfg, now);
    assert_eq!(s.poll_timeout(), Some(now + secs(10)));
    s.handle_timeout(now + secs(9));
    assert!(!s.is_closed());
    s.handle_timeout(now + secs(10));
    assert_eq!(s.close_cause(), Some(&CloseCause::SessionInitTimeout));
    // A bind stops it; a refused bind starts it again.
    let mut s = Session::new(Role::Smsc, Config::default(), now);
    s.handle_input(now + secs(1), &req(1, Pdu::BindTransmitter(bind("e", "p"))));
    assert_eq!(
        s.poll_timeout(),
        Some(now + secs(121)),
        "only inactivity left"
    );
    s.respond_error(now + secs(2), 1, CommandStatus::ESME_RINVPASWD)
        .unwrap();
    assert_eq!(s.poll_timeout(), Some(now + secs(12)));
}

#[test]
fn a_bind_without_response_gives_up() {
    let mut cfg = Config::default();
    cfg.session_init_timeout = Some(secs(5));
    let mut p = Pair::new(cfg, Config::default());
    p.smsc_app = App::Silent;
    let start = p.now;
    let seq = p
        .esme
        .bind(p.now, BindType::Transceiver, bind("e", "p"))
        .unwrap();
    p.run_until(start + secs(6));
    assert_eq!(
        p.esme_events,
        vec![
            Event::Timeout {
                sequence_number: seq,
                command_id: CommandId::BIND_TRANSCEIVER,
                request: Pdu::BindTransceiver(bind("e", "p"))
            },
            Event::Closed {
                cause: CloseCause::BindTimeout
            }
        ]
    );
}

#[test]
fn an_unbind_without_response_closes() {
    let mut cfg = Config::default();
    cfg.response_timeout = Some(secs(3));
    let mut p = Pair::bound(BindType::Transmitter, cfg, Config::default());
    p.smsc_mute = true;
    let start = p.now;
    p.esme.unbind(p.now).unwrap();
    p.run_until(start + secs(3));
    assert_eq!(
        p.esme_events,
        vec![Event::Closed {
            cause: CloseCause::UnbindTimeout
        }]
    );
}

#[test]
fn outbind_flow() {
    let mut p = Pair::default_config();
    p.esme_app = App::Silent;
    p.smsc
        .send_request(
            p.now,
            Outbind {
                system_id: "SMSC".try_into().unwrap(),
                ..Default::default()
            }
            .into(),
        )
        .unwrap();
    p.drive();
    assert!(matches!(
        p.esme_events.as_slice(),
        [Event::Outbind { system_id, .. }] if system_id == "SMSC"
    ));
    p.esme
        .bind(p.now, BindType::Receiver, bind("esme", "pw"))
        .unwrap();
    p.esme_app = App::Accept;
    p.drive();
    assert_eq!(p.esme.state(), State::Bound(BindType::Receiver));
    assert_eq!(p.smsc.state(), State::Bound(BindType::Receiver));
    let seq = p
        .smsc
        .send_request(p.now, DeliverSm::default().into())
        .unwrap();
    p.drive();
    assert_eq!(responses(&p.smsc_events), vec![seq]);
}

#[test]
fn everything_works_one_octet_at_a_time() {
    let mut p = Pair::default_config();
    p.chunk = 1;
    p.esme
        .bind(p.now, BindType::Transceiver, bind("esme", "pw"))
        .unwrap();
    p.drive();
    assert!(p.esme.is_bound());
    let seqs: Vec<u32> = (0..5)
        .map(|_| p.esme.send_request(p.now, submit()).unwrap())
        .collect();
    let d = p
        .smsc
        .send_request(p.now, DeliverSm::default().into())
        .unwrap();
    p.drive();
    assert_eq!(responses(&p.esme_events), seqs);
    assert_eq!(responses(&p.smsc_events), vec![d]);
    p.esme.unbind(p.now).unwrap();
    p.drive();
    assert!(p.esme.is_closed() && p.smsc.is_closed());
}

#[test]
fn requests_are_coalesced_into_one_write() {
    let mut cfg = Config::default();
    cfg.window_size = 64;
    let mut p = Pair::bound(BindType::Transmitter, cfg, Config::default());
    for _ in 0..64 {
        p.esme.send_request(p.now, submit()).unwrap();
    }
    let mut buf = Vec::new();
    let n = p.esme.poll_transmit(&mut buf);
    assert_eq!(n, buf.len());
    assert_eq!(n, 64 * Command::new(1, submit()).encoded_len());
    assert_eq!(p.esme.poll_transmit(&mut buf), 0);
}

#[test]
fn a_dropped_connection_abandons_everything_in_flight() {
    let mut p = Pair::bound(BindType::Transmitter, Config::default(), Config::default());
    p.smsc_app = App::Silent;
    let seqs: Vec<u32> = (0..3)
        .map(|_| p.esme.send_request(p.now, submit()).unwrap())
        .collect();
    p.esme.close();
    let abandoned: Vec<u32> = std::iter::from_fn(|| p.esme.poll_event())
        .filter_map(|e| match e {
            Event::Abandoned {
                sequence_number, ..
            } => Some(sequence_number),
            _ => None,
        })
        .collect();
    assert_eq!(abandoned, seqs, "in the order they were sent");
    assert_eq!(p.esme.close_cause(), Some(&CloseCause::Local));
}

/// Per sequence_number, how many terminal events (Response, Timeout, Abandoned) a side reported.
fn terminal_counts(events: &[Event]) -> std::collections::HashMap<u32, u32> {
    let mut m = std::collections::HashMap::new();
    for e in events {
        let seq = match e {
            Event::Response { response, .. } => response.sequence_number,
            Event::Timeout {
                sequence_number, ..
            }
            | Event::Abandoned {
                sequence_number, ..
            }
            | Event::BadResponse {
                sequence_number, ..
            } => *sequence_number,
            _ => continue,
        };
        *m.entry(seq).or_insert(0) += 1;
    }
    m
}

#[test]
fn random_operations_keep_both_ends_consistent() {
    let (mut requests, mut responses_seen, mut timeouts, mut abandoned) = (0, 0, 0, 0);
    for seed in 1..=300u64 {
        let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let mut cfg = Config::default();
        cfg.window_size = 1 + rng.below(4) as usize;
        cfg.response_timeout = Some(Duration::from_millis(100 + rng.below(5_000)));
        cfg.enquire_link_interval = Some(Duration::from_millis(500 + rng.below(20_000)));
        cfg.inactivity_timeout = Some(secs(60));
        let mut p = Pair::new(cfg.clone(), cfg);
        p.latency = Duration::from_millis(rng.below(50));
        p.chunk = rng.below(20) as usize;
        let mut esme_sent = Vec::new();
        let mut smsc_sent = Vec::new();
        for _ in 0..150 {
            match rng.below(10) {
                0 | 1 => {
                    let pdu = [
                        submit(),
                        Pdu::EnquireLink,
                        smpp::session::fuzz::sample_pdu(CommandId::DATA_SM),
                    ][rng.below(3) as usize]
                        .clone();
                    if let Ok(seq) = p.esme.send_request(p.now, pdu) {
                        esme_sent.push(seq);
                    }
                }
                2 => {
                    if let Ok(seq) = p.smsc.send_request(p.now, DeliverSm::default().into()) {
                        smsc_sent.push(seq);
                    }
                }
                3 => {
                    if rng.below(8) == 0 {
                        let _ = if rng.below(2) == 0 {
                            p.esme.unbind(p.now)
                        } else {
                            p.smsc.unbind(p.now)
                        };
                    }
                }
                4 | 5 => p.run_for(Duration::from_millis(rng.below(3_000))),
                6 => {
                    p.smsc_app = if rng.below(3) == 0 {
                        App::Silent
                    } else {
                        App::Accept
                    };
                    p.esme_app = if rng.below(3) == 0 {
                        App::Silent
                    } else {
                        App::Accept
                    };
                }
                7 => {
                    let bt = BindType::ALL[rng.below(3) as usize];
                    let _ = p.esme.bind(p.now, bt, bind("esme", "pw"));
                }
                _ => p.drive(),
            }
            // With nothing in transit and both quiet, the two ends agree on the bind.
            if p.latency.is_zero() {
                p.drive();
                if let State::Bound(b) = p.esme.state() {
                    assert!(
                        matches!(p.smsc.state(), State::Bound(c) | State::Unbinding(c) if c == b)
                            || p.smsc.is_closed(),
                        "seed {seed}: ESME {} SMSC {}",
                        p.esme.state(),
                        p.smsc.state()
                    );
                }
            }
            assert!(p.esme.in_flight() <= p.esme.window_size());
            assert!(p.smsc.in_flight() <= p.smsc.window_size());
        }
        // Let every timer run out, then drop the connection: every request has ended exactly once.
        p.run_for(secs(30));
        p.esme.close();
        p.smsc.close();
        p.drive();
        for (side, sent, events) in [
            ("ESME", &esme_sent, &p.esme_events),
            ("SMSC", &smsc_sent, &p.smsc_events),
        ] {
            let ends = terminal_counts(events);
            requests += sent.len();
            for e in events.iter() {
                match e {
                    Event::Response { .. } => responses_seen += 1,
                    Event::Timeout { .. } => timeouts += 1,
                    Event::Abandoned { .. } => abandoned += 1,
                    _ => {}
                }
            }
            for seq in sent {
                assert_eq!(
                    ends.get(seq),
                    Some(&1),
                    "seed {seed}: {side} request {seq} ended {:?} times",
                    ends.get(seq)
                );
            }
        }
    }
    println!(
        "{requests} requests: {responses_seen} responses, {timeouts} timeouts, {abandoned} abandoned"
    );
    assert!(requests > 2_000 && responses_seen > 1_000 && timeouts > 100 && abandoned > 100);
}
