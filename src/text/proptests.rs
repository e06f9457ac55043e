//! Owns the property tests of the `text` module (proptest): codec identities, pack/unpack,
//! split → shuffle → reassemble, part limits, decoders on arbitrary bytes.

use proptest::prelude::*;

use super::*;

/// Characters that cover GSM basic + extension, Latin-1, BMP and astral planes.
fn any_char() -> impl Strategy<Value = char> {
    prop_oneof![
        4 => prop::sample::select(vec![
            'a', 'Z', '0', ' ', '\n', '@', '£', '§', 'Δ', 'Ω', 'ß', 'à', 'Ñ', '¿', '¤',
            '€', '{', '}', '[', ']', '~', '|', '^', '\\', '\u{0C}',
        ]),
        1 => any::<char>(),
        1 => prop::char::range('\u{0}', '\u{FF}'),
        1 => prop::char::range('\u{1F600}', '\u{1F64F}'),
    ]
}

fn text_for(alphabet: Alphabet, max_len: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(any_char(), 0..max_len).prop_map(move |chars| {
        chars
            .into_iter()
            .filter(|&c| alphabet.can_encode(c))
            .collect::<String>()
    })
}

fn text_alphabet() -> impl Strategy<Value = Alphabet> {
    prop::sample::select(vec![
        Alphabet::Gsm7,
        Alphabet::Ia5,
        Alphabet::Latin1,
        Alphabet::Ucs2,
    ])
}

fn concat() -> impl Strategy<Value = Concat> {
    prop_oneof![
        any::<u8>().prop_map(|reference| Concat::Udh8 { reference }),
        any::<u16>().prop_map(|reference| Concat::Udh16 { reference }),
        any::<u16>().prop_map(|reference| Concat::Sar { reference }),
        Just(Concat::Payload),
    ]
}

/// Part budget in text units (septets, octets, UCS2 code units) for `method`.
fn unit_limit(alphabet: Alphabet, method: Concat, parts: usize) -> usize {
    let udh_len = match (parts, method) {
        (1, _) | (_, Concat::Payload) => 0,
        (_, Concat::Udh16 { .. }) => 7,
        _ => 6,
    };
    capacity(alphabet, udh_len)
}

proptest! {
    // No regression files: they would land outside src/text; failures found are kept as unit tests.
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn encode_decode_identity((alphabet, text) in text_alphabet().prop_flat_map(|a| (Just(a), text_for(a, 200)))) {
        let bytes = encode(&text, alphabet, Mode::Strict)?;
        prop_assert_eq!(decode(&bytes, alphabet, Mode::Strict)?, text);
    }

    #[test]
    fn lossy_encoding_replaces_exactly_the_unencodable(
        alphabet in text_alphabet(),
        chars in prop::collection::vec(any_char(), 0..100),
    ) {
        let text: String = chars.iter().collect();
        let expected: String = chars.iter().map(|&c| if alphabet.can_encode(c) { c } else { '?' }).collect();
        let bytes = encode(&text, alphabet, Mode::Lossy)?;
        prop_assert_eq!(decode(&bytes, alphabet, Mode::Strict)?, expected);
        let strict_fails = chars.iter().any(|&c| !alphabet.can_encode(c));
        prop_assert_eq!(encode(&text, alphabet, Mode::Strict).is_err(), strict_fails);
    }

    #[test]
    fn pack_unpack_identity(septets in prop::collection::vec(0u8..0x80, 0..400), fill in 0u8..7) {
        let packed = gsm::pack(&septets, fill)?;
        prop_assert_eq!(packed.len(), (usize::from(fill) + 7 * septets.len()).div_ceil(8));
        prop_assert_eq!(gsm::unpack(&packed, fill, septets.len())?, septets.clone());
        // The padded form recovers the septets without being told their number, except that a
        // final CR on an octet boundary is doubled (TS 23.038 §6.1.2.1.1).
        let padded = gsm::pack_padded(&septets, fill)?;
        prop_assert_eq!(padded.len(), gsm::packed_padded_len(&septets, fill)?);
        let back = gsm::unpack_padded(&padded, fill)?;
        let on_boundary = (usize::from(fill) + 7 * septets.len()) % 8 == 0;
        if on_boundary && septets.last() == Some(&gsm::CR) {
            let mut doubled = septets.clone();
            doubled.push(gsm::CR);
            prop_assert_eq!(back, doubled);
        } else {
            prop_assert_eq!(back, septets);
        }
    }

    #[test]
    fn split_reassemble_identity(
        (alphabet, text) in text_alphabet().prop_flat_map(|a| (Just(a), text_for(a, 700))),
        method in concat(),
        packed in any::<bool>(),
        rotate in any::<usize>(),
        reverse in any::<bool>(),
    ) {
        // Packed GSM doubles a CR that ends a part on an octet boundary (§6.1.2.1.1), so the
        // identity is checked on CR-free texts (any_char() never yields CR).
        let opts = SplitOptions {
            mode: Mode::Strict,
            gsm_packing: if packed { GsmPacking::Packed } else { GsmPacking::Unpacked },
        };
        let mut parts = split(&text, alphabet, method, &opts)?;
        let n = parts.len();
        prop_assert!((1..=MAX_PARTS).contains(&n));
        for part in &parts {
            let header = if part.udhi { Udh::parse(&part.data)?.1 } else { 0 };
            prop_assert_eq!(part.udhi, n > 1 && matches!(method, Concat::Udh8 { .. } | Concat::Udh16 { .. }));
            prop_assert_eq!(part.sar.is_some(), n > 1 && matches!(method, Concat::Sar { .. }));
            let body = &part.data[header..];
            let limit = unit_limit(alphabet, method, n);
            match (alphabet, opts.gsm_packing) {
                (Alphabet::Gsm7, GsmPacking::Packed) if method != Concat::Payload => {
                    let sizing = match (n, method) {
                        (1, _) => 0,
                        (_, Concat::Udh16 { .. }) => 7,
                        _ => 6,
                    };
                    prop_assert!(body.len() + sizing <= MAX_UD_OCTETS);
                }
                (Alphabet::Gsm7, GsmPacking::Packed) => {}
                (Alphabet::Ucs2, _) if method != Concat::Payload => prop_assert!(body.len() / 2 <= limit),
                _ if method != Concat::Payload => prop_assert!(body.len() <= limit),
                _ => {}
            }
        }
        if rotate % 2 == 0 && n > 0 {
            parts.rotate_left(rotate % n);
        }
        if reverse {
            parts.reverse();
        }
        let message = reassemble(&parts, alphabet, opts)?;
        prop_assert_eq!(message.text, Some(text));
    }

    #[test]
    fn split_binary_reassemble_identity(
        data in prop::collection::vec(any::<u8>(), 0..1500),
        method in concat(),
    ) {
        let mut parts = split_binary(&data, method)?;
        let n = parts.len();
        for part in &parts {
            let header = if part.udhi { Udh::parse(&part.data)?.1 } else { 0 };
            if method != Concat::Payload {
                prop_assert!(part.data.len() - header <= unit_limit(Alphabet::Binary, method, n));
            }
        }
        parts.reverse();
        prop_assert_eq!(reassemble(&parts, Alphabet::Binary, SplitOptions::default())?.data, data);
    }

    #[test]
    fn decoders_never_panic(data in prop::collection::vec(any::<u8>(), 0..300), fill in 0u8..10, dc in any::<u8>()) {
        for alphabet in [Alphabet::Gsm7, Alphabet::Ia5, Alphabet::Latin1, Alphabet::Ucs2, Alphabet::Binary, Alphabet::Other(dc)] {
            let _ = decode(&data, alphabet, Mode::Strict);
            prop_assert_eq!(decode(&data, alphabet, Mode::Lossy).is_ok(), alphabet.is_text());
        }
        let _ = gsm::unpack_padded(&data, fill);
        let _ = gsm::unpack(&data, fill, data.len());
        let _ = gsm::pack(&data, fill);
        let _ = Udh::parse(&data);
        let _ = split_udh(&data, true);
        let _ = DataCodingInfo::from_data_coding(dc, Alphabet::Gsm7);
        let mut r = Reassembler::new(Alphabet::Gsm7, SplitOptions { mode: Mode::Strict, gsm_packing: GsmPacking::Packed });
        let _ = r.push(&data, true, None);
        let _ = r.push(&data, false, None);
    }

    #[test]
    fn fuzz_body_holds(data in prop::collection::vec(any::<u8>(), 0..600)) {
        fuzz_text(&data);
    }
}
