//! Property tests of the codec: round trips per PDU type, hostile bytes, truncation at every offset
//! and the mutator's outcomes. Run with `cargo test --all-features`.
#![cfg(feature = "proptest")]

use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;

use bytes::{BufMut, Bytes, BytesMut};
use smpp::generate::mutate::{self, Mutation, same_kind};
use smpp::generate::strategy::*;
use smpp::{Command, CommandId, CommandStatus, DecodeErrorKind, DecodeOptions, Pdu};

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 128,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(
            "proptest-regressions/prop_codec.txt",
        ))),
        ..ProptestConfig::default()
    }
}

/// Encode then decode strictly gives the command back, `encoded_len` is exact, and lenient
/// decoding agrees with no warning.
fn assert_round_trip(cmd: &Command) -> Result<(), TestCaseError> {
    let bytes = cmd.to_bytes();
    prop_assert_eq!(bytes.len(), cmd.encoded_len());
    let back = Command::decode(&bytes);
    prop_assert!(back.is_ok(), "{:?} does not decode: {:?}", cmd, back);
    prop_assert_eq!(&back.unwrap(), cmd);
    let lenient = Command::decode_with(&bytes, DecodeOptions::LENIENT).unwrap();
    prop_assert!(lenient.warnings.is_empty(), "{:?}", lenient.warnings);
    Ok(())
}

macro_rules! round_trips {
    ($($name:ident => $strategy:expr,)*) => {
        proptest! {
            #![proptest_config(config())]
            $(
                #[test]
                fn $name(cmd in $strategy) {
                    assert_round_trip(&cmd)?;
                }
            )*
        }
    };
}

round_trips! {
    round_trip_bind_transmitter => bind_transmitter_any(),
    round_trip_bind_receiver => bind_receiver_any(),
    round_trip_bind_transceiver => bind_transceiver_any(),
    round_trip_bind_transmitter_resp => bind_transmitter_resp_any(),
    round_trip_bind_receiver_resp => bind_receiver_resp_any(),
    round_trip_bind_transceiver_resp => bind_transceiver_resp_any(),
    round_trip_outbind => outbind_any(),
    round_trip_unbind => unbind_any(),
    round_trip_unbind_resp => unbind_resp_any(),
    round_trip_generic_nack => generic_nack_any(),
    round_trip_submit_sm => submit_sm_any(),
    round_trip_submit_sm_resp => submit_sm_resp_any(),
    round_trip_submit_multi => submit_multi_any(),
    round_trip_submit_multi_resp => submit_multi_resp_any(),
    round_trip_deliver_sm => deliver_sm_any(),
    round_trip_deliver_sm_resp => deliver_sm_resp_any(),
    round_trip_data_sm => data_sm_any(),
    round_trip_data_sm_resp => data_sm_resp_any(),
    round_trip_query_sm => query_sm_any(),
    round_trip_query_sm_resp => query_sm_resp_any(),
    round_trip_cancel_sm => cancel_sm_any(),
    round_trip_cancel_sm_resp => cancel_sm_resp_any(),
    round_trip_replace_sm => replace_sm_any(),
    round_trip_replace_sm_resp => replace_sm_resp_any(),
    round_trip_enquire_link => enquire_link_any(),
    round_trip_enquire_link_resp => enquire_link_resp_any(),
    round_trip_alert_notification => alert_notification_any(),
    round_trip_command_any => command_any(),
}

/// A frame with a valid header of any id (known ids as a rule) around arbitrary body octets.
fn framed_garbage() -> impl Strategy<Value = Vec<u8>> {
    let id = prop_oneof![4 => any::<CommandId>(), 1 => command_id_unknown()];
    let status = prop_oneof![3 => Just(CommandStatus::ESME_ROK), 1 => command_status_any()];
    let body = prop_oneof![
        vec_of(any::<u8>(), 0..64),
        // Mostly NULs and small numbers: empty strings, valid counts and TLV headers.
        vec_of(prop_oneof![Just(0u8), 1u8..5, any::<u8>()], 0..96),
    ];
    (id, status, sequence_number_any(), body).prop_map(|(id, status, seq, body)| {
        let mut out = BytesMut::new();
        out.put_u32(16 + body.len() as u32);
        out.put_u32(id.0);
        out.put_u32(status.0);
        out.put_u32(seq);
        out.put_slice(&body);
        out.to_vec()
    })
}

fn vec_of<S: Strategy>(s: S, size: std::ops::Range<usize>) -> proptest::collection::VecStrategy<S> {
    proptest::collection::vec(s, size)
}

/// A valid PDU with a few octets overwritten.
fn flipped_valid() -> impl Strategy<Value = Vec<u8>> {
    (
        command_any(),
        vec_of((any::<prop::sample::Index>(), any::<u8>()), 1..4),
    )
        .prop_map(|(cmd, flips)| {
            let mut b = cmd.to_bytes().to_vec();
            for (i, v) in flips {
                let i = 4 + i.index(b.len() - 4);
                b[i] = v;
            }
            b
        })
}

proptest! {
    #![proptest_config(config())]

    /// Arbitrary octets: no panic in strict or lenient decoding, what strict decoding accepts
    /// re-encodes exactly, and strict decoding agrees with the reference decoder.
    #[test]
    fn arbitrary_bytes_never_panic(data in vec_of(any::<u8>(), 0..300)) {
        smpp::fuzzing::decode_pdu(&data);
    }

    /// The same, with well-framed headers so that the body decoders run.
    #[test]
    fn framed_garbage_never_panics(frame in framed_garbage()) {
        smpp::fuzzing::decode_pdu(&frame);
    }

    /// The same, on valid PDUs with a few octets changed.
    #[test]
    fn flipped_valid_pdus(frame in flipped_valid()) {
        smpp::fuzzing::decode_pdu(&frame);
    }

    /// Arbitrary octets through the framer, cut anywhere: no panic, same frames.
    #[test]
    fn framer_never_panics(data in vec_of(any::<u8>(), 0..300)) {
        smpp::fuzzing::framer(&data);
    }

    /// A stream of valid PDUs cut at arbitrary points frames back to exactly those PDUs.
    #[test]
    fn framer_splits_a_stream_of_valid_pdus(
        cmds in vec_of(command_any(), 1..6),
        cuts in vec_of(any::<prop::sample::Index>(), 0..8),
    ) {
        let stream: Vec<u8> = cmds.iter().flat_map(|c| c.to_bytes().to_vec()).collect();
        let mut points: Vec<usize> = cuts.iter().map(|i| i.index(stream.len() + 1)).collect();
        points.sort_unstable();
        let mut framer = smpp::Framer::default();
        let mut frames = Vec::new();
        let mut start = 0;
        for p in points.into_iter().chain([stream.len()]) {
            framer.push(&stream[start..p]);
            start = p;
            while let Some(f) = framer.next_frame() {
                frames.push(Command::decode(&f.unwrap()).unwrap());
            }
        }
        prop_assert_eq!(frames, cmds);
        prop_assert_eq!(framer.buffered(), 0);
    }

    /// Truncation at every offset of a valid PDU, command_length patched to the cut: a typed error
    /// with a length, stream, string or missing-TLV status, or (at a TLV boundary, or a response
    /// cut to its header on error) the same PDU with fewer TLVs / no body; never another body. The
    /// reference decoder predicts each outcome. Unpatched, it is always LengthMismatch.
    #[test]
    fn truncation_at_every_offset(cmd in command_any()) {
        let bytes = cmd.to_bytes();
        for at in 0..bytes.len() {
            let mut cut = bytes[..at].to_vec();
            let unpatched = Command::decode_slice(&cut).unwrap_err();
            let announced = if at >= 4 { bytes.len() as u32 } else { 0 };
            prop_assert_eq!(
                &unpatched.kind,
                &DecodeErrorKind::LengthMismatch { command_length: announced, available: at }
            );
            if at >= 4 {
                cut[..4].copy_from_slice(&(at as u32).to_be_bytes());
            }
            let got = Command::decode_slice(&cut);
            let want = mutate::expected_for(&cut);
            match (&got, &want) {
                (Ok(c), None) => {
                    let (old, new) = (cmd.pdu.tlvs(), c.pdu.tlvs());
                    match (old, new) {
                        (Some(old), Some(new)) => {
                            prop_assert_eq!(c.pdu.fields(), cmd.pdu.fields());
                            prop_assert!(old.as_bytes().starts_with(new.as_bytes()));
                            prop_assert!(new.len() < old.len() || at == bytes.len());
                        }
                        (Some(_), None) => {
                            prop_assert_eq!(at, 16);
                            prop_assert!(!cmd.command_status.is_ok());
                        }
                        _ => prop_assert!(false, "{:?} cut at {} gives {:?}", cmd, at, c),
                    }
                }
                (Err(e), Some(k)) => {
                    prop_assert!(same_kind(&e.kind, k), "cut at {}: {:?} vs {:?}", at, e, k);
                    prop_assert!(
                        matches!(
                            e.kind,
                            DecodeErrorKind::CommandLengthTooSmall { .. }
                                | DecodeErrorKind::LengthMismatch { .. }
                                | DecodeErrorKind::Truncated { .. }
                                | DecodeErrorKind::TlvTruncated { .. }
                                | DecodeErrorKind::COctetNotTerminated { .. }
                                | DecodeErrorKind::MissingBody { .. }
                                | DecodeErrorKind::TlvMissing { .. }
                        ),
                        "cut at {}: {:?}",
                        at,
                        e
                    );
                    prop_assert!(
                        truncation_statuses().contains(&e.command_status()),
                        "{:?}",
                        e
                    );
                }
                _ => prop_assert!(false, "{:?} cut at {}: codec {:?}, reference {:?}", cmd, at, got, want),
            }
        }
    }
}

/// The statuses a truncated PDU may get: length, TLV stream, missing TLV, or the status of the
/// C-Octet String the cut fell in (T 5-2).
fn truncation_statuses() -> Vec<CommandStatus> {
    vec![
        CommandStatus::ESME_RINVCMDLEN,
        CommandStatus::ESME_RINVMSGLEN,
        CommandStatus::ESME_RINVOPTPARSTREAM,
        CommandStatus::ESME_RMISSINGOPTPARAM,
        CommandStatus::ESME_RINVSYSID,
        CommandStatus::ESME_RINVPASWD,
        CommandStatus::ESME_RINVSYSTYP,
        CommandStatus::ESME_RINVSERTYP,
        CommandStatus::ESME_RINVSRCADR,
        CommandStatus::ESME_RINVDSTADR,
        CommandStatus::ESME_RINVDLNAME,
        CommandStatus::ESME_RINVMSGID,
        CommandStatus::ESME_RINVSCHED,
        CommandStatus::ESME_RINVEXPIRY,
        CommandStatus::ESME_RINVPARLEN,
    ]
}

/// T 5-2's status for a bad value of a named C-Octet String field (written here from the table,
/// apart from the codec's mapping).
fn field_status(field: &str) -> CommandStatus {
    match field {
        "system_id" => CommandStatus::ESME_RINVSYSID,
        "password" => CommandStatus::ESME_RINVPASWD,
        "system_type" => CommandStatus::ESME_RINVSYSTYP,
        "service_type" => CommandStatus::ESME_RINVSERTYP,
        "source_addr" | "esme_addr" => CommandStatus::ESME_RINVSRCADR,
        "destination_addr" => CommandStatus::ESME_RINVDSTADR,
        "dl_name" => CommandStatus::ESME_RINVDLNAME,
        "message_id" => CommandStatus::ESME_RINVMSGID,
        "schedule_delivery_time" => CommandStatus::ESME_RINVSCHED,
        "validity_period" => CommandStatus::ESME_RINVEXPIRY,
        _ => CommandStatus::ESME_RINVPARLEN,
    }
}

/// Any mutation, with parameters around the interesting values.
fn mutation_any() -> impl Strategy<Value = Mutation> {
    let field = prop::sample::select(
        &[
            "system_id",
            "password",
            "system_type",
            "address_range",
            "service_type",
            "source_addr",
            "destination_addr",
            "dl_name",
            "message_id",
            "schedule_delivery_time",
            "validity_period",
            "final_date",
            "esme_addr",
        ][..],
    );
    prop_oneof![
        prop_oneof![Just(-1i64), Just(1), -20i64..20, -100_000i64..100_000]
            .prop_map(Mutation::CommandLength),
        (0usize..400, any::<bool>())
            .prop_map(|(at, patch_length)| Mutation::Truncate { at, patch_length }),
        field
            .clone()
            .prop_map(|field| Mutation::COctetTooLong { field }),
        field.prop_map(|field| Mutation::COctetUnterminated { field }),
        prop_oneof![1u16..4, any::<u16>()].prop_map(|by| Mutation::TlvLengthTooLong { by }),
        prop_oneof![1u16..4, 1u16..40].prop_map(|by| Mutation::TlvLengthTooShort { by }),
        (1usize..40).prop_map(|by| Mutation::TlvCut { by }),
        vec_of(any::<u8>(), 1..12).prop_map(|g| Mutation::AppendGarbage(Bytes::from(g))),
        command_id_unknown().prop_map(Mutation::UnknownCommandId),
        prop_oneof![Just(255u8), any::<u8>()].prop_map(Mutation::SmLength),
        prop_oneof![Just(255u8), any::<u8>()].prop_map(Mutation::NumberOfDests),
        command_status_any().prop_map(Mutation::StatusInRequest),
        Just(Mutation::SequenceNumberZero),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..config() })]

    /// Every mutation of every valid PDU decodes strictly to exactly the problem the reference
    /// decoder predicts, and the answer carries that problem's status.
    #[test]
    fn mutations_give_the_expected_error(cmd in command_any(), m in mutation_any()) {
        let raw = mutate::mutate(&cmd, m.clone());
        let got = Command::decode(&raw.to_bytes());
        let want = mutate::expected(&cmd, &m);
        match (&got, &want) {
            (Ok(_), None) => {}
            (Err(e), Some(k)) => {
                prop_assert!(same_kind(&e.kind, k), "{:?}: codec {:?}, reference {:?}", m, e, k);
                prop_assert_eq!(e.command_status(), k.command_status());
            }
            _ => prop_assert!(false, "{:?} of {:?}: codec {:?}, reference {:?}", m, cmd, got, want),
        }
    }

    /// The deterministic mutations, checked against answers written out here by hand.
    #[test]
    fn mutations_by_hand(cmd in command_any()) {
        let len = cmd.encoded_len();
        let decode = |m: Mutation| Command::decode(&mutate::mutate(&cmd, m).to_bytes());
        let kind = |m: Mutation| decode(m).unwrap_err().kind;

        for delta in [-1i64, 1, -16, 7, 1000] {
            let l = (len as i64 + delta) as u32;
            let want = if l < 16 {
                DecodeErrorKind::CommandLengthTooSmall { command_length: l }
            } else {
                DecodeErrorKind::LengthMismatch { command_length: l, available: len }
            };
            prop_assert_eq!(kind(Mutation::CommandLength(delta)), want);
        }
        prop_assert_eq!(
            kind(Mutation::CommandLength(-(len as i64) - 5)).command_status(),
            CommandStatus::ESME_RINVCMDLEN
        );

        let zero = decode(Mutation::SequenceNumberZero);
        if cmd.pdu == Pdu::GenericNack {
            prop_assert!(zero.is_ok());
        } else {
            let e = zero.unwrap_err();
            prop_assert_eq!(&e.kind, &DecodeErrorKind::SequenceNumberOutOfRange(0));
            prop_assert_eq!(e.command_status(), CommandStatus::ESME_RUNKNOWNERR);
        }

        let status = decode(Mutation::StatusInRequest(CommandStatus::ESME_RSYSERR));
        if cmd.command_id().is_response() {
            prop_assert_eq!(status.unwrap(), cmd.clone());
        } else {
            prop_assert_eq!(
                status.unwrap_err().kind,
                DecodeErrorKind::StatusInRequest(CommandStatus::ESME_RSYSERR)
            );
        }

        let vendor = CommandId(0x0001_0200);
        let e = decode(Mutation::UnknownCommandId(vendor)).unwrap_err();
        prop_assert_eq!(&e.kind, &DecodeErrorKind::UnknownCommandId(vendor));
        prop_assert_eq!(e.command_status(), CommandStatus::ESME_RINVCMDID);
        prop_assert_eq!(e.response().unwrap().pdu, Pdu::GenericNack);

        for field in mutate::c_octet_fields(&cmd) {
            let e = decode(Mutation::COctetTooLong { field }).unwrap_err();
            let DecodeErrorKind::COctetTooLong { field: f, max, len } = e.kind else {
                return Err(TestCaseError::fail(format!("{field}: {e:?}")));
            };
            prop_assert_eq!((f, len), (field, max + 1));
            prop_assert_eq!(e.command_status(), field_status(field));

            let e = match decode(Mutation::COctetUnterminated { field }) {
                // An empty first field of an error response leaves a valid header-only response.
                Ok(c) => {
                    prop_assert!(c.pdu.tlvs().is_none() && !c.command_status.is_ok(), "{:?}", c);
                    continue;
                }
                Err(e) => e,
            };
            // An empty first field of a successful response leaves it with no body at all.
            let missing = DecodeErrorKind::MissingBody { command_id: cmd.command_id() };
            prop_assert!(
                e.kind == DecodeErrorKind::COctetNotTerminated { field }
                    || e.kind == DecodeErrorKind::Truncated { field, needed: 1, available: 0 }
                    || e.kind == missing,
                "{}: {:?}", field, e
            );
        }

        if let Some(tlvs) = cmd.pdu.tlvs() {
            let last = tlvs.iter().last().map_or(4, |t| t.value.len());
            let e = kind(Mutation::TlvLengthTooLong { by: 3 });
            let needed = 4 + (last + 3).min(65535);
            prop_assert_eq!(e, DecodeErrorKind::TlvTruncated { needed, available: 4 + last });
            if tlvs.is_empty() {
                for by in 1..=3u16 {
                    let e = kind(Mutation::TlvLengthTooShort { by });
                    let available = usize::from(by);
                    prop_assert_eq!(e, DecodeErrorKind::TlvTruncated { needed: 4, available });
                }
            }
            let e = decode(Mutation::TlvCut { by: 1 }).unwrap_err();
            prop_assert!(matches!(e.kind, DecodeErrorKind::TlvTruncated { .. }), "{:?}", e);
            prop_assert_eq!(e.command_status(), CommandStatus::ESME_RINVOPTPARSTREAM);
        }

        match &cmd.pdu {
            Pdu::SubmitSm(_) | Pdu::SubmitMulti(_) | Pdu::DeliverSm(_) | Pdu::ReplaceSm(_) => {
                let e = decode(Mutation::SmLength(255)).unwrap_err();
                prop_assert_eq!(&e.kind, &DecodeErrorKind::InvalidSmLength { sm_length: 255 });
                prop_assert_eq!(e.command_status(), CommandStatus::ESME_RINVMSGLEN);
            }
            _ => {}
        }
        if let Pdu::SubmitMulti(_) = &cmd.pdu {
            let e = decode(Mutation::NumberOfDests(255)).unwrap_err();
            let want = DecodeErrorKind::TooManyEntries { field: "number_of_dests", count: 255 };
            prop_assert_eq!(&e.kind, &want);
            prop_assert_eq!(e.command_status(), CommandStatus::ESME_RINVNUMDESTS);
        }
        if cmd.encoded_len() == 16 && cmd.pdu.tlvs().is_none() && cmd.pdu.fields().is_empty() {
            let e = decode(Mutation::AppendGarbage(Bytes::from_static(b"xyz"))).unwrap_err();
            if !matches!(e.kind, DecodeErrorKind::BodyOnErrorResponse { .. } | DecodeErrorKind::COctetNotTerminated { .. }) {
                prop_assert_eq!(e.kind, DecodeErrorKind::TrailingBytes { count: 3 });
            }
        }
    }
}

/// The seed corpora and any committed crash inputs replay through the fuzz bodies.
#[test]
fn fuzz_corpora_replay() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut n = 0;
    for (dir, f) in [
        ("corpus/decode_pdu", smpp::fuzzing::decode_pdu as fn(&[u8])),
        ("corpus/framer", smpp::fuzzing::framer),
        ("regressions/decode_pdu", smpp::fuzzing::decode_pdu),
        ("regressions/framer", smpp::fuzzing::framer),
    ] {
        let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
            continue;
        };
        for e in entries {
            let data = std::fs::read(e.unwrap().path()).unwrap();
            f(&data);
            n += 1;
        }
    }
    assert!(n >= 16, "the worked examples are in fuzz/corpus");
}

/// The `roundtrip` corpus and crash inputs replay through `Arbitrary` and the fuzz body.
#[cfg(feature = "arbitrary")]
#[test]
fn roundtrip_corpus_replays() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    for dir in ["corpus/roundtrip", "regressions/roundtrip"] {
        let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
            continue;
        };
        for e in entries {
            let data = std::fs::read(e.unwrap().path()).unwrap();
            if let Ok(cmd) = arbitrary::Unstructured::new(&data).arbitrary::<Command>() {
                smpp::fuzzing::roundtrip(cmd);
            }
        }
    }
}
