//! Scripted single-session tests: raw PDUs in, answers and events out. First the whole of T 2-1 as a
//! table (every v3.4 command_id received by an ESME and by an SMSC in OPEN, BOUND_TX, BOUND_RX and
//! BOUND_TRX), then the answers to broken input, the bind and outbind flows, and API misuse.

mod session_util;

use std::time::Duration;

use session_util::*;
use smpp::session::{
    ApiMisuse, BindType, CloseCause, Config, Event, Extensions, Initiator, PeerMisbehaved, Role,
    Session, SessionError, State,
};
use smpp::{
    Bind, BindResp, Command, CommandId, CommandStatus, DecodeOptions, DeliverSm, Outbind, Pdu,
    RawPdu, SubmitSm, Tlv,
};

/// T 2-1 (§2.3), transcribed independently of the library: for each PDU, who may send it in OPEN,
/// BOUND_TX, BOUND_RX and BOUND_TRX. `?` marks the ⚠ cells `Extensions::PRAGMATIC` opens.
const T2_1: &[(&str, [&str; 4])] = &[
    ("bind_transmitter", ["E", "-", "-", "-"]),
    ("bind_receiver", ["E", "-", "-", "-"]),
    ("bind_transceiver", ["E", "-", "-", "-"]),
    ("bind_transmitter_resp", ["S", "-", "-", "-"]),
    ("bind_receiver_resp", ["S", "-", "-", "-"]),
    ("bind_transceiver_resp", ["S", "-", "-", "-"]),
    ("outbind", ["S", "-", "-", "-"]),
    ("unbind", ["-", "ES", "ES", "ES"]),
    ("unbind_resp", ["-", "ES", "ES", "ES"]),
    ("submit_sm", ["-", "E", "-", "E"]),
    ("submit_multi", ["-", "E", "-", "E"]),
    ("submit_sm_resp", ["-", "S", "-", "S"]),
    ("submit_multi_resp", ["-", "S", "-", "S"]),
    ("data_sm", ["-", "ES", "ES", "ES"]),
    ("data_sm_resp", ["-", "ES", "ES", "ES"]),
    ("deliver_sm", ["-", "-", "S", "S"]),
    ("deliver_sm_resp", ["-", "-", "E", "E"]),
    ("query_sm", ["-", "E", "-", "E"]),
    ("cancel_sm", ["-", "E", "-", "E"]),
    ("query_sm_resp", ["-", "S", "-", "S"]),
    ("cancel_sm_resp", ["-", "S", "-", "S"]),
    ("replace_sm", ["-", "E", "-", "E?"]),
    ("replace_sm_resp", ["-", "S", "-", "S?"]),
    ("enquire_link", ["ES?", "ES", "ES", "ES"]),
    ("enquire_link_resp", ["ES?", "ES", "ES", "ES"]),
    ("alert_notification", ["-", "-", "S", "S"]),
    ("generic_nack", ["ES", "ES", "ES", "ES"]),
];

const STATES: [State; 4] = [
    State::Open,
    State::Bound(BindType::Transmitter),
    State::Bound(BindType::Receiver),
    State::Bound(BindType::Transceiver),
];

/// What a session does with one incoming PDU.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Outcome {
    /// `Event::Request` for the application, nothing sent.
    Deliver,
    /// `Event::Outbind`, nothing sent.
    Outbind,
    /// Answered by the session with this PDU and status.
    Answer(CommandId, CommandStatus),
    /// Answered unbind_resp ESME_ROK, then closed.
    AnswerAndClose(CommandId, CommandStatus),
    /// Reported (`Event::Rejected`), not answered.
    Ignore,
    /// A response to nothing in flight: `Event::UnexpectedResponse`, not answered.
    Unexpected,
}

/// What §7.4 of the reference says must happen, given whether T 2-1 allows the PDU from the peer.
fn expected(receiver: Role, state: State, id: CommandId, cell_allows_peer: bool) -> Outcome {
    use Outcome::*;
    if id.is_response() {
        return Unexpected;
    }
    let own = |status| Answer(id.response().unwrap(), status);
    let is_bind = BindType::from_command_id(id).is_some();
    if is_bind && receiver == Role::Smsc && state != State::Open {
        // §7.4: a bind while bound gets ESME_RALYBND.
        return own(CommandStatus::ESME_RALYBND);
    }
    if !cell_allows_peer {
        return match id {
            // §4.12: alert_notification is never answered.
            CommandId::ALERT_NOTIFICATION => Ignore,
            // outbind has no response of its own.
            CommandId::OUTBIND => Answer(CommandId::GENERIC_NACK, CommandStatus::ESME_RINVBNDSTS),
            // §7.4: the PDU's own response with ESME_RINVBNDSTS.
            _ => own(CommandStatus::ESME_RINVBNDSTS),
        };
    }
    match id {
        CommandId::UNBIND => AnswerAndClose(CommandId::UNBIND_RESP, CommandStatus::ESME_ROK),
        CommandId::ENQUIRE_LINK => Answer(CommandId::ENQUIRE_LINK_RESP, CommandStatus::ESME_ROK),
        CommandId::OUTBIND => Outbind,
        _ => Deliver,
    }
}

fn observe(s: &mut Session) -> Outcome {
    let answers = sent(s);
    let evs = events(s);
    let closed = s.is_closed();
    match (answers.as_slice(), evs.as_slice()) {
        ([], [Event::Request { .. }]) => Outcome::Deliver,
        ([], [Event::Outbind { .. }]) => Outcome::Outbind,
        ([], [Event::UnexpectedResponse { .. }]) => Outcome::Unexpected,
        ([], [Event::Rejected { answer: None, .. }]) => Outcome::Ignore,
        ([a], []) if !closed => Outcome::Answer(a.command_id(), a.command_status),
        (
            [a],
            [
                Event::Rejected {
                    answer: Some(b), ..
                },
            ],
        ) if a == b && !closed => Outcome::Answer(a.command_id(), a.command_status),
        (
            [a],
            [
                Event::Unbound {
                    initiator: Initiator::Remote,
                },
                Event::Closed { .. },
            ],
        ) if closed => Outcome::AnswerAndClose(a.command_id(), a.command_status),
        other => panic!("unclassified outcome {other:?}"),
    }
}

#[test]
fn every_state_and_pdu_of_t2_1_for_both_roles() {
    let now = t0();
    let mut checked = 0;
    for ext in [Extensions::NONE, Extensions::PRAGMATIC] {
        let mut config = Config::default();
        config.extensions = ext;
        for receiver in [Role::Esme, Role::Smsc] {
            let peer = match receiver {
                Role::Esme => 'S',
                Role::Smsc => 'E',
            };
            for (name, cells) in T2_1 {
                let id = CommandId::from_name(name).unwrap();
                for (state, cell) in STATES.iter().zip(cells) {
                    let open = !cell.ends_with('?') || ext == Extensions::PRAGMATIC;
                    let allows = open && cell.contains(peer);
                    let mut s = session_in(receiver, *state, config.clone(), now);
                    let pdu = smpp::session::fuzz::sample_pdu(id);
                    s.handle_input(now, &wire(CommandStatus::ESME_ROK, 77, pdu));
                    let want = expected(receiver, *state, id, allows);
                    let got = observe(&mut s);
                    assert_eq!(
                        got, want,
                        "{name} received by {receiver:?} in {state} ({ext:?})"
                    );
                    // The state moves only for a bind accepted for the application (BINDING) and
                    // for unbind (CLOSED).
                    let after = match &want {
                        Outcome::AnswerAndClose(..) => State::Closed,
                        Outcome::Deliver if BindType::from_command_id(id).is_some() => {
                            State::Binding(BindType::from_command_id(id).unwrap())
                        }
                        _ => *state,
                    };
                    assert_eq!(s.state(), after, "{name} by {receiver:?} in {state}");
                    checked += 1;
                }
            }
        }
    }
    assert_eq!(checked, 2 * 2 * 27 * 4);
}

#[test]
fn unknown_command_ids_in_every_state() {
    let now = t0();
    for receiver in [Role::Esme, Role::Smsc] {
        for state in STATES {
            // A request id v3.4 does not define: generic_nack ESME_RINVCMDID (§3.3, §4.3).
            let mut s = session_in(receiver, state, Config::default(), now);
            let raw = RawPdu::builder(CommandId(0x0000_0022))
                .sequence_number(5)
                .build();
            s.handle_input(now, &raw.to_bytes());
            let answers = sent(&mut s);
            assert_eq!(
                answers,
                vec![Command::generic_nack(CommandStatus::ESME_RINVCMDID, 5)]
            );
            assert!(matches!(
                events(&mut s).as_slice(),
                [Event::Rejected {
                    error: PeerMisbehaved::Undecodable(_),
                    ..
                }]
            ));
            // The same, decoded leniently: a warning, then the same answer.
            let mut config = Config::default();
            config.decode = DecodeOptions::LENIENT;
            let mut s = session_in(receiver, state, config, now);
            s.handle_input(now, &raw.to_bytes());
            assert_eq!(
                sent(&mut s),
                vec![Command::generic_nack(CommandStatus::ESME_RINVCMDID, 5)]
            );
            let evs = events(&mut s);
            assert!(matches!(evs[0], Event::Warning { .. }));
            assert!(matches!(
                evs[1],
                Event::Rejected {
                    error: PeerMisbehaved::UnknownCommand { .. },
                    ..
                }
            ));
            // An unknown id with the response bit is never answered.
            let raw = RawPdu::builder(CommandId(0x8000_0022))
                .sequence_number(6)
                .build();
            s.handle_input(now, &raw.to_bytes());
            assert!(sent(&mut s).is_empty());
            assert_eq!(s.state(), state);
        }
    }
}

#[test]
fn enquire_link_goes_to_the_application_when_not_automatic() {
    let now = t0();
    let mut config = Config::default();
    config.auto_enquire_link_resp = false;
    let mut s = session_in(Role::Esme, State::Bound(BindType::Transceiver), config, now);
    s.handle_input(now, &req(9, Pdu::EnquireLink));
    assert!(sent(&mut s).is_empty());
    assert_eq!(
        events(&mut s),
        vec![Event::Request {
            sequence_number: 9,
            pdu: Pdu::EnquireLink
        }]
    );
    s.respond(now, 9, CommandStatus::ESME_ROK, Pdu::EnquireLinkResp)
        .unwrap();
    assert_eq!(
        sent(&mut s),
        vec![Command::response(
            CommandStatus::ESME_ROK,
            9,
            Pdu::EnquireLinkResp
        )]
    );
}

#[test]
fn bind_resp_and_deliver_sm_in_one_chunk() {
    let now = t0();
    let mut s = Session::new(Role::Esme, Config::default(), now);
    let seq = s.bind(now, BindType::Receiver, bind("esme", "pw")).unwrap();
    assert_eq!(s.state(), State::Binding(BindType::Receiver));
    sent(&mut s);
    let mut chunk = wire(
        CommandStatus::ESME_ROK,
        seq,
        Pdu::BindReceiverResp(Some(BindResp {
            system_id: "SMSC".try_into().unwrap(),
            tlvs: [Tlv::ScInterfaceVersion(0x34)].into_iter().collect(),
        })),
    )
    .to_vec();
    chunk.extend_from_slice(&req(1, DeliverSm::default()));
    s.handle_input(now, &chunk);
    let evs = events(&mut s);
    assert_eq!(
        evs[0],
        Event::Bound {
            bind_type: BindType::Receiver,
            system_id: "SMSC".try_into().unwrap(),
            interface_version: Some(0x34),
        }
    );
    assert!(matches!(
        &evs[1],
        Event::Request {
            sequence_number: 1,
            pdu: Pdu::DeliverSm(_)
        }
    ));
    assert_eq!(evs.len(), 2);
    assert_eq!(s.peer_system_id().unwrap(), "SMSC");
    assert_eq!(s.peer_interface_version(), Some(0x34));
    assert_eq!(s.bind_type(), Some(BindType::Receiver));
}

#[test]
fn pdus_split_one_octet_at_a_time() {
    let now = t0();
    let mut s = Session::new(Role::Esme, Config::default(), now);
    let seq = s
        .bind(now, BindType::Transceiver, bind("esme", "pw"))
        .unwrap();
    sent(&mut s);
    let mut stream = wire(
        CommandStatus::ESME_ROK,
        seq,
        Pdu::BindTransceiverResp(Some(BindResp::default())),
    )
    .to_vec();
    stream.extend_from_slice(&req(1, DeliverSm::default()));
    stream.extend_from_slice(&req(2, Pdu::EnquireLink));
    let mut evs = Vec::new();
    for (i, octet) in stream.iter().enumerate() {
        s.handle_input(now, std::slice::from_ref(octet));
        evs.extend(events(&mut s));
        if i + 1 < stream.len() {
            assert!(sent(&mut s).is_empty() || i >= stream.len() - 16);
        }
    }
    assert!(matches!(evs[0], Event::Bound { .. }));
    assert!(matches!(evs[1], Event::Request { .. }));
    assert_eq!(evs.len(), 2);
    assert_eq!(
        sent(&mut s),
        vec![Command::response(
            CommandStatus::ESME_ROK,
            2,
            Pdu::EnquireLinkResp
        )]
    );
    // The peer bound with no sc_interface_version: assume no TLV support (§3.4).
    assert_eq!(s.peer_interface_version(), None);
}

#[test]
fn framing_errors_answer_generic_nack_and_close() {
    let now = t0();
    for (octets, seq) in [
        // command_length 8: no header can be read, sequence_number 0.
        (vec![0, 0, 0, 8], 0),
        // command_length 0x7FFFFFFF with a readable header: its sequence_number.
        (
            vec![
                0x7F, 0xFF, 0xFF, 0xFF, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 42, 1, 2,
            ],
            42,
        ),
    ] {
        for state in STATES {
            let mut s = session_in(Role::Smsc, state, Config::default(), now);
            // A request the application has not answered yet, and one in flight.
            s.handle_input(now, &req(3, Pdu::EnquireLink));
            let in_flight = if state.is_bound() {
                s.send_request(now, Pdu::EnquireLink).ok()
            } else {
                None
            };
            sent(&mut s);
            events(&mut s);
            s.handle_input(now, &octets);
            s.handle_input(now, &req(4, Pdu::EnquireLink)); // ignored once closed
            assert_eq!(
                sent(&mut s),
                vec![Command::generic_nack(CommandStatus::ESME_RINVCMDLEN, seq)]
            );
            let evs = events(&mut s);
            let Some(Event::Closed {
                cause: CloseCause::PeerMisbehaved(PeerMisbehaved::Framing(_)),
            }) = evs.last()
            else {
                panic!("{evs:?}")
            };
            if let Some(seq) = in_flight {
                assert!(evs.contains(&Event::Abandoned {
                    sequence_number: seq,
                    command_id: CommandId::ENQUIRE_LINK,
                    request: Pdu::EnquireLink
                }));
            }
            assert!(s.is_closed());
            assert_eq!(s.poll_timeout(), None);
        }
    }
}

#[test]
fn an_undecodable_request_gets_its_own_response_with_the_error() {
    let now = t0();
    let mut s = session_in(
        Role::Smsc,
        State::Bound(BindType::Transmitter),
        Config::default(),
        now,
    );
    // submit_sm whose body stops after service_type: truncated.
    let raw = RawPdu::builder(CommandId::SUBMIT_SM)
        .sequence_number(8)
        .c_octet("")
        .build();
    s.handle_input(now, &raw.to_bytes());
    let answers = sent(&mut s);
    assert_eq!(answers.len(), 1);
    assert_eq!(answers[0].command_id(), CommandId::SUBMIT_SM_RESP);
    assert_eq!(answers[0].sequence_number, 8);
    assert_eq!(answers[0].command_status, CommandStatus::ESME_RINVCMDLEN);
    assert!(!s.is_closed());
}

#[test]
fn lenient_decoding_reports_warnings_and_delivers() {
    let now = t0();
    let mut config = Config::default();
    config.decode = DecodeOptions::LENIENT;
    let mut s = session_in(Role::Smsc, State::Bound(BindType::Transmitter), config, now);
    // submit_sm with sequence_number 0: strict refuses it, lenient warns.
    s.handle_input(now, &req(0, SubmitSm::default()));
    let evs = events(&mut s);
    assert!(matches!(
        evs.as_slice(),
        [
            Event::Warning {
                sequence_number: 0,
                ..
            },
            Event::Request {
                sequence_number: 0,
                ..
            }
        ]
    ));
}

#[test]
fn alert_notification_is_delivered_and_never_answered() {
    let now = t0();
    let mut s = session_in(
        Role::Esme,
        State::Bound(BindType::Receiver),
        Config::default(),
        now,
    );
    s.handle_input(
        now,
        &req(
            4,
            smpp::session::fuzz::sample_pdu(CommandId::ALERT_NOTIFICATION),
        ),
    );
    assert!(matches!(
        events(&mut s).as_slice(),
        [Event::Request {
            sequence_number: 4,
            ..
        }]
    ));
    assert_eq!(s.pending_requests(), 0, "nothing to answer");
    assert!(matches!(
        s.respond(now, 4, CommandStatus::ESME_ROK, Pdu::GenericNack),
        Err(SessionError::ApiMisuse(ApiMisuse::NoSuchRequest { .. }))
    ));
    assert!(sent(&mut s).is_empty());
}

#[test]
fn esme_bind_refused_then_bound() {
    let now = t0();
    let mut s = Session::new(Role::Esme, Config::default(), now);
    let seq = s
        .bind(now, BindType::Transmitter, bind("esme", "bad"))
        .unwrap();
    assert_eq!(
        sent(&mut s)[0].pdu,
        Pdu::BindTransmitter(bind("esme", "bad"))
    );
    s.handle_input(
        now,
        &Command::empty_response(
            CommandId::BIND_TRANSMITTER_RESP,
            CommandStatus::ESME_RINVPASWD,
            seq,
        )
        .unwrap()
        .to_bytes(),
    );
    assert_eq!(
        events(&mut s),
        vec![Event::BindRefused {
            bind_type: BindType::Transmitter,
            command_status: CommandStatus::ESME_RINVPASWD
        }]
    );
    assert_eq!(s.state(), State::Open);
    // The SMSC does not know bind_transceiver: generic_nack, also a refusal (§4.1).
    let seq = s
        .bind(now, BindType::Transceiver, bind("esme", "good"))
        .unwrap();
    s.handle_input(
        now,
        &Command::generic_nack(CommandStatus::ESME_RINVCMDID, seq).to_bytes(),
    );
    assert_eq!(
        events(&mut s),
        vec![Event::BindRefused {
            bind_type: BindType::Transceiver,
            command_status: CommandStatus::ESME_RINVCMDID
        }]
    );
    let seq = s
        .bind(now, BindType::Transmitter, bind("esme", "good"))
        .unwrap();
    s.handle_input(
        now,
        &wire(
            CommandStatus::ESME_ROK,
            seq,
            Pdu::BindTransmitterResp(Some(BindResp::default())),
        ),
    );
    assert!(matches!(events(&mut s)[0], Event::Bound { .. }));
    assert_eq!(s.state(), State::Bound(BindType::Transmitter));
}

#[test]
fn smsc_answers_binds_through_the_application() {
    let now = t0();
    let mut s = Session::new(Role::Smsc, Config::default(), now);
    s.handle_input(now, &req(1, Pdu::BindTransceiver(bind("esme", "pw"))));
    assert_eq!(s.state(), State::Binding(BindType::Transceiver));
    assert_eq!(
        events(&mut s),
        vec![Event::Request {
            sequence_number: 1,
            pdu: Pdu::BindTransceiver(bind("esme", "pw"))
        }]
    );
    // A second bind while the first is unanswered: ESME_RALYBND.
    s.handle_input(now, &req(2, Pdu::BindTransmitter(bind("esme", "pw"))));
    assert_eq!(
        sent(&mut s),
        vec![
            Command::empty_response(
                CommandId::BIND_TRANSMITTER_RESP,
                CommandStatus::ESME_RALYBND,
                2
            )
            .unwrap()
        ]
    );
    events(&mut s);
    // Refuse it: back to OPEN.
    s.respond_error(now, 1, CommandStatus::ESME_RINVPASWD)
        .unwrap();
    assert_eq!(s.state(), State::Open);
    assert_eq!(
        sent(&mut s)[0].command_status,
        CommandStatus::ESME_RINVPASWD
    );
    // Accept the next one.
    s.handle_input(now, &req(3, Pdu::BindTransceiver(bind("esme", "pw"))));
    events(&mut s);
    s.respond(
        now,
        3,
        CommandStatus::ESME_ROK,
        Pdu::BindTransceiverResp(Some(BindResp::default())),
    )
    .unwrap();
    assert_eq!(
        events(&mut s),
        vec![Event::Bound {
            bind_type: BindType::Transceiver,
            system_id: "esme".try_into().unwrap(),
            interface_version: Some(0x34)
        }]
    );
    assert_eq!(s.peer_system_id().unwrap(), "esme");
    // Answering a bind with the wrong response type is refused.
    s.handle_input(now, &req(4, SubmitSm::default()));
    events(&mut s);
    assert!(matches!(
        s.respond(now, 4, CommandStatus::ESME_ROK, Pdu::DeliverSmResp(None)),
        Err(SessionError::ApiMisuse(ApiMisuse::NoSuchRequest { .. }))
    ));
}

#[test]
fn outbind_flow_at_the_esme() {
    let now = t0();
    let mut s = Session::new(Role::Esme, Config::default(), now);
    let outbind = Outbind {
        system_id: "SMSC".try_into().unwrap(),
        password: "pw".try_into().unwrap(),
        ..Default::default()
    };
    s.handle_input(now, &req(1, outbind));
    assert_eq!(
        events(&mut s),
        vec![Event::Outbind {
            system_id: "SMSC".try_into().unwrap(),
            password: "pw".try_into().unwrap()
        }]
    );
    assert!(sent(&mut s).is_empty(), "outbind has no response");
    let seq = s.bind(now, BindType::Receiver, bind("esme", "pw")).unwrap();
    s.handle_input(
        now,
        &wire(
            CommandStatus::ESME_ROK,
            seq,
            Pdu::BindReceiverResp(Some(BindResp::default())),
        ),
    );
    assert_eq!(s.state(), State::Bound(BindType::Receiver));
    // outbind once bound: not allowed, and it has no response of its own.
    s.handle_input(now, &req(2, Outbind::default()));
    events(&mut s);
    assert_eq!(
        sent(&mut s).last().unwrap(),
        &Command::generic_nack(CommandStatus::ESME_RINVBNDSTS, 2)
    );
}

#[test]
fn outbind_flow_at_the_smsc() {
    let now = t0();
    let mut s = Session::new(Role::Smsc, Config::default(), now);
    // The SMSC opened the connection and asks the ESME to bind.
    let seq = s.send_request(now, Outbind::default().into()).unwrap();
    assert_eq!(s.in_flight(), 0, "outbind takes no response");
    assert_eq!(sent(&mut s), vec![Command::new(seq, Outbind::default())]);
    s.handle_input(now, &req(1, Pdu::BindReceiver(bind("esme", "pw"))));
    events(&mut s);
    s.respond(
        now,
        1,
        CommandStatus::ESME_ROK,
        Pdu::BindReceiverResp(Some(BindResp::default())),
    )
    .unwrap();
    assert_eq!(s.state(), State::Bound(BindType::Receiver));
    // An ESME may not send outbind.
    let mut esme = Session::new(Role::Esme, Config::default(), now);
    assert!(matches!(
        esme.send_request(now, Outbind::default().into()),
        Err(SessionError::ApiMisuse(ApiMisuse::NotAllowed { .. }))
    ));
}

#[test]
fn generic_nack_is_matched_to_its_request() {
    let now = t0();
    let mut s = session_in(
        Role::Esme,
        State::Bound(BindType::Transmitter),
        Config::default(),
        now,
    );
    let a = s.send_request(now, SubmitSm::default().into()).unwrap();
    let b = s.send_request(now, SubmitSm::default().into()).unwrap();
    sent(&mut s);
    s.handle_input(
        now + Duration::from_millis(7),
        &Command::generic_nack(CommandStatus::ESME_RINVCMDLEN, b).to_bytes(),
    );
    assert_eq!(
        events(&mut s),
        vec![Event::Response {
            request_id: CommandId::SUBMIT_SM,
            response: Command::generic_nack(CommandStatus::ESME_RINVCMDLEN, b),
            latency: Duration::from_millis(7),
        }]
    );
    assert!(s.is_in_flight(a) && !s.is_in_flight(b));
    // A generic_nack with sequence_number 0 (the peer could not read our header) matches nothing.
    s.handle_input(
        now,
        &Command::generic_nack(CommandStatus::ESME_RINVCMDLEN, 0).to_bytes(),
    );
    assert!(matches!(
        events(&mut s).as_slice(),
        [Event::UnexpectedResponse { .. }]
    ));
    assert!(sent(&mut s).is_empty(), "never answer generic_nack");
}

#[test]
fn a_response_of_the_wrong_type_leaves_the_request_in_flight() {
    let now = t0();
    let mut s = session_in(
        Role::Esme,
        State::Bound(BindType::Transceiver),
        Config::default(),
        now,
    );
    let seq = s.send_request(now, SubmitSm::default().into()).unwrap();
    s.handle_input(
        now,
        &wire(
            CommandStatus::ESME_ROK,
            seq,
            Pdu::QuerySmResp(Some(Default::default())),
        ),
    );
    assert!(matches!(
        events(&mut s).as_slice(),
        [Event::UnexpectedResponse { .. }]
    ));
    assert!(s.is_in_flight(seq));
}

#[test]
fn an_undecodable_response_ends_its_request() {
    let now = t0();
    let mut s = session_in(
        Role::Esme,
        State::Bound(BindType::Transmitter),
        Config::default(),
        now,
    );
    let seq = s.send_request(now, SubmitSm::default().into()).unwrap();
    sent(&mut s);
    // submit_sm_resp ESME_ROK whose message_id has no NUL: strict decoding refuses it.
    let raw = RawPdu::builder(CommandId::SUBMIT_SM_RESP)
        .sequence_number(seq)
        .octets(b"abc")
        .build();
    s.handle_input(now, &raw.to_bytes());
    let evs = events(&mut s);
    assert!(matches!(
        evs.as_slice(),
        [
            Event::Rejected { answer: None, .. },
            Event::BadResponse { sequence_number, .. }
        ] if *sequence_number == seq
    ));
    assert_eq!(s.in_flight(), 0);
    assert!(sent(&mut s).is_empty(), "responses are never answered");
}

#[test]
fn too_many_unanswered_requests_are_throttled() {
    let now = t0();
    let mut config = Config::default();
    config.max_pending_requests = 2;
    let mut s = session_in(Role::Smsc, State::Bound(BindType::Transmitter), config, now);
    for seq in 10..13 {
        s.handle_input(now, &req(seq, SubmitSm::default()));
    }
    assert_eq!(s.pending_requests(), 2);
    assert_eq!(
        sent(&mut s),
        vec![
            Command::empty_response(
                CommandId::SUBMIT_SM_RESP,
                CommandStatus::ESME_RTHROTTLED,
                12
            )
            .unwrap()
        ]
    );
    s.respond_error(now, 10, CommandStatus::ESME_RSYSERR)
        .unwrap();
    assert_eq!(s.pending_requests(), 1);
}

#[test]
fn duplicate_sequence_numbers_are_each_answerable() {
    let now = t0();
    let mut s = session_in(
        Role::Smsc,
        State::Bound(BindType::Transmitter),
        Config::default(),
        now,
    );
    s.handle_input(now, &req(5, SubmitSm::default()));
    s.handle_input(now, &req(5, SubmitSm::default()));
    assert_eq!(s.pending_requests(), 2);
    for _ in 0..2 {
        s.respond(
            now,
            5,
            CommandStatus::ESME_ROK,
            Pdu::SubmitSmResp(Some(Default::default())),
        )
        .unwrap();
    }
    assert!(
        s.respond(
            now,
            5,
            CommandStatus::ESME_ROK,
            Pdu::SubmitSmResp(Some(Default::default()))
        )
        .is_err()
    );
}

#[test]
fn api_misuse_is_refused_whatever_the_peer_sent() {
    let now = t0();
    let mut s = Session::new(Role::Esme, Config::default(), now);
    // T 2-1: nothing but a bind (and, as an extension, enquire_link) in OPEN.
    let not_allowed = |r: Result<u32, SessionError>| {
        matches!(
            r,
            Err(SessionError::ApiMisuse(ApiMisuse::NotAllowed { .. }))
        )
    };
    assert!(not_allowed(s.send_request(now, SubmitSm::default().into())));
    assert!(not_allowed(s.unbind(now)));
    assert!(matches!(
        s.send_request(now, Pdu::SubmitSmResp(None)),
        Err(SessionError::ApiMisuse(ApiMisuse::NotARequest(_)))
    ));
    assert!(matches!(
        s.send_request(
            now,
            Pdu::Unknown {
                command_id: CommandId(0x22),
                body: Default::default()
            }
        ),
        Err(SessionError::ApiMisuse(ApiMisuse::UnknownCommand(_)))
    ));
    assert!(matches!(
        s.respond(
            now,
            1,
            CommandStatus::ESME_ROK,
            Pdu::SubmitSm(Default::default())
        ),
        Err(SessionError::ApiMisuse(ApiMisuse::NotAResponse(_)))
    ));
    assert!(matches!(
        s.respond(now, 1, CommandStatus::ESME_ROK, Pdu::DeliverSmResp(None)),
        Err(SessionError::ApiMisuse(ApiMisuse::NoSuchRequest { .. }))
    ));
    // One bind at a time.
    s.bind(now, BindType::Transmitter, Bind::default()).unwrap();
    assert!(not_allowed(s.bind(
        now,
        BindType::Receiver,
        Bind::default()
    )));
    // Bound as a transmitter: no deliver_sm from an ESME, no submit_sm as a receiver.
    let mut tx = session_in(
        Role::Esme,
        State::Bound(BindType::Transmitter),
        Config::default(),
        now,
    );
    assert!(not_allowed(
        tx.send_request(now, DeliverSm::default().into())
    ));
    let mut rx = session_in(
        Role::Esme,
        State::Bound(BindType::Receiver),
        Config::default(),
        now,
    );
    assert!(not_allowed(
        rx.send_request(now, SubmitSm::default().into())
    ));
    // Nothing new after unbind.
    tx.unbind(now).unwrap();
    assert_eq!(tx.state(), State::Unbinding(BindType::Transmitter));
    assert!(not_allowed(
        tx.send_request(now, SubmitSm::default().into())
    ));
    assert!(not_allowed(tx.send_request(now, Pdu::EnquireLink)));
    // Closed.
    tx.close();
    assert_eq!(
        tx.send_request(now, SubmitSm::default().into()),
        Err(SessionError::Closed)
    );
    assert_eq!(tx.send_bytes(b"x"), Err(SessionError::Closed));
}

#[test]
fn the_extensions_apply_to_sending_too() {
    let now = t0();
    let mut strict = Config::default();
    strict.extensions = Extensions::NONE;
    let mut s = Session::new(Role::Esme, strict.clone(), now);
    assert!(s.send_request(now, Pdu::EnquireLink).is_err());
    let mut s = Session::new(Role::Esme, Config::default(), now);
    assert!(s.send_request(now, Pdu::EnquireLink).is_ok());
    let mut trx = session_in(Role::Esme, State::Bound(BindType::Transceiver), strict, now);
    assert!(
        trx.send_request(now, smpp::session::fuzz::sample_pdu(CommandId::REPLACE_SM))
            .is_err()
    );
    let mut trx = session_in(
        Role::Esme,
        State::Bound(BindType::Transceiver),
        Config::default(),
        now,
    );
    assert!(
        trx.send_request(now, smpp::session::fuzz::sample_pdu(CommandId::REPLACE_SM))
            .is_ok()
    );
}

#[test]
fn unchecked_requests_and_raw_octets_go_out_as_asked() {
    let now = t0();
    let mut s = Session::new(Role::Esme, Config::default(), now);
    // submit_sm in OPEN, on purpose: sent, tracked, no state change.
    let seq = s
        .send_request_unchecked(now, SubmitSm::default().into())
        .unwrap();
    assert_eq!(s.state(), State::Open);
    assert_eq!(s.in_flight(), 1);
    assert_eq!(sent(&mut s), vec![Command::new(seq, SubmitSm::default())]);
    s.handle_input(
        now,
        &Command::empty_response(
            CommandId::SUBMIT_SM_RESP,
            CommandStatus::ESME_RINVBNDSTS,
            seq,
        )
        .unwrap()
        .to_bytes(),
    );
    assert!(matches!(
        events(&mut s).as_slice(),
        [Event::Response { response, .. }] if response.command_status == CommandStatus::ESME_RINVBNDSTS
    ));
    // An allowed PDU through the unchecked door behaves as through the checked one.
    s.send_request_unchecked(now, Pdu::BindTransmitter(Bind::default()))
        .unwrap();
    assert_eq!(s.state(), State::Binding(BindType::Transmitter));
    // Raw: a lying command_length, then garbage.
    let raw = RawPdu::builder(CommandId::ENQUIRE_LINK)
        .sequence_number(9)
        .command_length(20)
        .build();
    s.send_raw(&raw).unwrap();
    s.send_bytes(&[0xde, 0xad]).unwrap();
    let mut out = Vec::new();
    let _ = s.poll_transmit(&mut out);
    assert_eq!(&out[out.len() - 18..out.len() - 2], &raw.to_bytes()[..]);
    assert_eq!(&out[out.len() - 2..], &[0xde, 0xad]);
    assert_eq!(s.state(), State::Binding(BindType::Transmitter));
}

#[test]
fn stats_count_pdus_by_command_id() {
    let now = t0();
    let mut s = session_in(
        Role::Esme,
        State::Bound(BindType::Transmitter),
        Config::default(),
        now,
    );
    s.handle_input(now, &req(3, Pdu::EnquireLink));
    s.handle_input(now, &req(4, Pdu::EnquireLink));
    let st = s.stats();
    assert_eq!(st.received(CommandId::ENQUIRE_LINK), 2);
    assert_eq!(st.sent(CommandId::ENQUIRE_LINK_RESP), 2);
    assert_eq!(st.sent(CommandId::BIND_TRANSMITTER), 1);
    assert_eq!(st.pdus_in, 3);
    assert_eq!(st.pdus_out, 3);
    // bind_transmitter "esme"/"pw" is 29 octets, each enquire_link_resp 16.
    assert_eq!(st.octets_out, 29 + 2 * 16);
}
