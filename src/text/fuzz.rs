//! Owns the body of the `text` fuzz target (see [`fuzz_text`](super::fuzz_text)): derives
//! inputs from raw bytes and asserts the module's invariants.

use super::gsm;
use super::{
    Alphabet, Concat, DataCodingInfo, DcsGroup, GsmPacking, Mode, Part, Reassembler, SarInfo,
    SplitOptions, TextError, Udh, decode, encode, reassemble, split, split_binary, split_udh,
};

/// Characters the byte-to-text mapping draws from: GSM basic and extension characters, CR,
/// Latin-1, BMP, supplementary-plane characters and characters no 7/8-bit alphabet has.
const POOL: [char; 48] = [
    'a', 'Z', '0', ' ', '.', '\n', '\r', '@', '$', '_', '§', 'Ä', 'à', 'Ç', 'Δ', 'Ω', '€', '{',
    '}', '[', ']', '~', '|', '^', '\\', '\u{0C}', '`', 'ç', 'é', 'ÿ', '\u{7F}', '\u{80}', '\0',
    'Ā', 'ж', 'ש', '中', '\u{FFFD}', '\u{FEFF}', '😀', '𝄞', '🇫', 'x', 'y', 'z', 'H', 'i', '?',
];

const TEXT_ALPHABETS: [Alphabet; 4] = [
    Alphabet::Gsm7,
    Alphabet::Ia5,
    Alphabet::Latin1,
    Alphabet::Ucs2,
];

/// Runs every check on `data`.
pub(super) fn run(data: &[u8]) {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    decoders_never_panic(selector, rest);
    let text = if selector & 0x80 != 0 {
        String::from_utf8_lossy(rest).into_owned()
    } else {
        rest.iter()
            .map(|&b| {
                POOL.get(usize::from(b) % POOL.len())
                    .copied()
                    .unwrap_or('a')
            })
            .collect()
    };
    let alphabet = TEXT_ALPHABETS
        .get(usize::from(selector & 0x03))
        .copied()
        .unwrap_or(Alphabet::Gsm7);
    let reference = rest.first().copied().unwrap_or(0);
    let method = match (selector >> 2) & 0x03 {
        0 => Concat::Udh8 { reference },
        1 => Concat::Udh16 {
            reference: u16::from(reference) << 8 | u16::from(selector),
        },
        2 => Concat::Sar {
            reference: u16::from(reference),
        },
        _ => Concat::Payload,
    };
    let opts = SplitOptions {
        mode: if selector & 0x20 != 0 {
            Mode::Lossy
        } else {
            Mode::Strict
        },
        gsm_packing: if selector & 0x10 != 0 {
            GsmPacking::Packed
        } else {
            GsmPacking::Unpacked
        },
    };
    encode_decode_identity(&text, alphabet);
    split_reassemble_identity(&text, alphabet, method, opts, selector);
    binary_identity(rest, method, selector);
}

/// Every decoder and parser accepts arbitrary bytes without panicking; lossy decoding always
/// succeeds and agrees with strict decoding where that succeeds.
fn decoders_never_panic(selector: u8, bytes: &[u8]) {
    for alphabet in TEXT_ALPHABETS {
        let strict = decode(bytes, alphabet, Mode::Strict);
        let lossy = decode(bytes, alphabet, Mode::Lossy);
        assert!(lossy.is_ok(), "lossy {alphabet} decode failed: {lossy:?}");
        if let Ok(s) = &strict {
            assert_eq!(Ok(s), lossy.as_ref());
            // IA5, Latin-1 and UTF-16 are bijective on valid input.
            if alphabet != Alphabet::Gsm7 {
                assert_eq!(encode(s, alphabet, Mode::Strict).as_deref(), Ok(bytes));
            }
        }
    }
    assert!(decode(bytes, Alphabet::Latin1, Mode::Strict).is_ok());
    for alphabet in [Alphabet::Binary, Alphabet::Other(selector)] {
        assert_eq!(
            decode(bytes, alphabet, Mode::Lossy),
            Err(TextError::NotText { alphabet })
        );
    }

    // Packing: unpack never panics; septets survive pack → unpack for every fill.
    let fill = selector % 8;
    if fill > 6 {
        assert_eq!(
            gsm::unpack_padded(bytes, fill),
            Err(TextError::InvalidFillBits(fill))
        );
    } else {
        let septets = gsm::unpack_padded(bytes, fill).unwrap_or_default();
        let exact = gsm::unpack(bytes, fill, septets.len());
        assert_eq!(exact.as_deref(), Ok(septets.as_slice()));
        let repacked = gsm::pack(&septets, fill);
        let packed_len = (usize::from(fill) + 7 * septets.len()).div_ceil(8);
        assert_eq!(repacked.as_ref().map(Vec::len), Ok(packed_len));
        assert!(septets.is_empty() || packed_len <= bytes.len());
        let back = repacked.and_then(|r| gsm::unpack(&r, fill, septets.len()));
        assert_eq!(back.as_deref(), Ok(septets.as_slice()));
        let _ = gsm::decode(&septets, Mode::Strict);
    }

    // UDH parsing: whatever parses re-encodes to the same octets.
    if let Ok((udh, len)) = Udh::parse(bytes) {
        assert_eq!(udh.encoded_len(), len);
        assert_eq!(
            udh.encode().as_deref(),
            Ok(bytes.get(..len).unwrap_or_default())
        );
        if let Some(c) = udh.concat() {
            assert!(c.total >= 1 && (1..=c.total).contains(&c.seq));
        }
    }
    let _ = split_udh(bytes, selector & 1 == 1);

    // data_coding interpretation is total.
    let info = DataCodingInfo::from_data_coding(selector, Alphabet::Gsm7);
    assert_eq!(info.data_coding, selector);
    assert_eq!(
        info.message_waiting.is_some(),
        matches!(
            info.group,
            DcsGroup::GsmMessageWaiting | DcsGroup::GsmMessageWaitingUcs2
        )
    );

    // The reassembler accepts any user data without panicking.
    for alphabet in [Alphabet::Gsm7, Alphabet::Ucs2, Alphabet::Binary] {
        for gsm_packing in [GsmPacking::Unpacked, GsmPacking::Packed] {
            let mut r = Reassembler::new(
                alphabet,
                SplitOptions {
                    mode: Mode::Strict,
                    gsm_packing,
                },
            );
            let _ = r.push(bytes, true, None);
            let _ = r.push(bytes, true, None);
            let _ = r.push(bytes, selector & 2 == 2, None);
            let sar = SarInfo {
                msg_ref_num: u16::from(selector),
                total_segments: bytes.first().copied().unwrap_or(0),
                segment_seqnum: bytes.get(1).copied().unwrap_or(0),
            };
            let _ = r.push(bytes, false, Some(sar));
            for p in r.pending() {
                assert!(!p.missing.is_empty() && p.missing.iter().all(|&s| s >= 1 && s <= p.total));
            }
        }
    }
}

/// What lossy encoding then decoding must give: unencodable characters become `?`.
fn lossy_expectation(text: &str, alphabet: Alphabet) -> String {
    text.chars()
        .map(|c| if alphabet.can_encode(c) { c } else { '?' })
        .collect()
}

fn encode_decode_identity(text: &str, alphabet: Alphabet) {
    match encode(text, alphabet, Mode::Strict) {
        Ok(bytes) => {
            assert_eq!(decode(&bytes, alphabet, Mode::Strict).as_deref(), Ok(text));
            if alphabet == Alphabet::Gsm7 {
                assert_eq!(gsm::septet_count(text), Some(bytes.len()));
                for fill in 0..7 {
                    let packed = gsm::pack(&bytes, fill).unwrap_or_default();
                    assert_eq!(
                        gsm::unpack(&packed, fill, bytes.len()).as_deref(),
                        Ok(bytes.as_slice())
                    );
                }
            }
        }
        Err(TextError::Unencodable { ch, index, .. }) => {
            assert!(!alphabet.can_encode(ch));
            assert!(text.get(index..).is_some_and(|t| t.starts_with(ch)));
        }
        Err(e) => panic!("unexpected encode error {e:?}"),
    }
    let lossy =
        encode(text, alphabet, Mode::Lossy).and_then(|b| decode(&b, alphabet, Mode::Strict));
    assert_eq!(lossy, Ok(lossy_expectation(text, alphabet)));
}

/// Largest text octets a part may carry, for `method` with `parts` parts.
fn max_text_octets(alphabet: Alphabet, packing: GsmPacking, udh_len: usize) -> usize {
    match (alphabet, packing) {
        // Unpacked GSM: one octet per septet.
        (Alphabet::Gsm7, GsmPacking::Unpacked) => super::capacity(alphabet, udh_len),
        (Alphabet::Ucs2, _) => super::capacity(alphabet, udh_len) * 2,
        _ => super::MAX_UD_OCTETS - udh_len,
    }
}

fn check_limits(parts: &[Part], alphabet: Alphabet, method: Concat, opts: SplitOptions) {
    assert!(!parts.is_empty() && parts.len() <= super::MAX_PARTS);
    if method == Concat::Payload {
        assert_eq!(parts.len(), 1);
        assert!(parts.iter().all(|p| !p.udhi && p.sar.is_none()));
        return;
    }
    if let [single] = parts {
        assert!(!single.udhi && single.sar.is_none());
        assert!(single.data.len() <= max_text_octets(alphabet, opts.gsm_packing, 0));
        return;
    }
    let total = u8::try_from(parts.len()).unwrap_or(0);
    for (i, part) in parts.iter().enumerate() {
        let seq = u8::try_from(i + 1).unwrap_or(0);
        let (header, sizing_udh): (Vec<u8>, usize) = match method {
            Concat::Udh8 { reference } => (vec![0x05, 0x00, 0x03, reference, total, seq], 6),
            Concat::Udh16 { reference } => {
                let [r0, r1] = reference.to_be_bytes();
                (vec![0x06, 0x08, 0x04, r0, r1, total, seq], 7)
            }
            Concat::Sar { reference } => {
                assert_eq!(
                    part.sar,
                    Some(SarInfo {
                        msg_ref_num: reference,
                        total_segments: total,
                        segment_seqnum: seq
                    })
                );
                (Vec::new(), 6)
            }
            Concat::Payload => (Vec::new(), 0),
        };
        assert_eq!(part.udhi, !header.is_empty());
        assert!(part.data.starts_with(&header));
        let body = part.data.get(header.len()..).unwrap_or_default();
        assert!(!body.is_empty());
        let limit = max_text_octets(alphabet, opts.gsm_packing, sizing_udh);
        assert!(body.len() <= limit, "part {seq}: {} > {limit}", body.len());
        // No escape pair or surrogate pair is cut: each part decodes on its own.
        match (alphabet, opts.gsm_packing) {
            (Alphabet::Gsm7, GsmPacking::Unpacked) | (Alphabet::Ucs2, _) => {
                assert!(decode(body, alphabet, Mode::Strict).is_ok());
            }
            _ => {}
        }
    }
}

fn shuffle(parts: &mut [Part], selector: u8) {
    if parts.is_empty() {
        return;
    }
    let len = parts.len();
    parts.rotate_left(usize::from(selector) % len);
    if selector & 0x40 != 0 {
        parts.reverse();
    }
    for i in (1..len).step_by(3) {
        parts.swap(i - 1, i);
    }
}

fn split_reassemble_identity(
    text: &str,
    alphabet: Alphabet,
    method: Concat,
    opts: SplitOptions,
    selector: u8,
) {
    let expected = match opts.mode {
        Mode::Strict => text.to_owned(),
        Mode::Lossy => lossy_expectation(text, alphabet),
    };
    match split(text, alphabet, method, &opts) {
        Ok(mut parts) => {
            check_limits(&parts, alphabet, method, opts);
            shuffle(&mut parts, selector);
            let got = reassemble(&parts, alphabet, opts).map(|m| m.text);
            let got = got
                .ok()
                .flatten()
                .unwrap_or_else(|| "<reassembly failed>".into());
            if alphabet == Alphabet::Gsm7 && opts.gsm_packing == GsmPacking::Packed {
                // TS 23.038 §6.1.2.1.1: a part ending with CR on an octet boundary comes back
                // with the CR doubled; nothing else changes.
                assert_eq!(got.replace('\r', ""), expected.replace('\r', ""));
                assert!(got.len() >= expected.len());
                if !expected.contains('\r') {
                    assert_eq!(got, expected);
                }
            } else {
                assert_eq!(got, expected);
            }
        }
        Err(TextError::Unencodable { ch, .. }) => {
            assert_eq!(opts.mode, Mode::Strict);
            assert!(!alphabet.can_encode(ch));
        }
        Err(TextError::TooManyParts { parts }) => assert!(parts > super::MAX_PARTS),
        Err(TextError::PayloadTooLong { len }) => {
            assert!(method == Concat::Payload && len > super::MAX_PAYLOAD_OCTETS);
        }
        Err(e) => panic!("unexpected split error {e:?}"),
    }
}

fn binary_identity(data: &[u8], method: Concat, selector: u8) {
    match split_binary(data, method) {
        Ok(mut parts) => {
            check_limits(&parts, Alphabet::Binary, method, SplitOptions::default());
            shuffle(&mut parts, selector);
            let got = reassemble(&parts, Alphabet::Binary, SplitOptions::default());
            assert_eq!(got.map(|m| m.data).as_deref(), Ok(data));
        }
        Err(TextError::TooManyParts { parts }) => assert!(parts > super::MAX_PARTS),
        Err(TextError::PayloadTooLong { len }) => assert!(len > super::MAX_PAYLOAD_OCTETS),
        Err(e) => panic!("unexpected split_binary error {e:?}"),
    }
}
