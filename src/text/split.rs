//! Owns splitting a text into short-message parts ([`split`], [`split_binary`]): per-part
//! limits, concatenation UDH / SAR numbering, GSM packing of each part.
//!
//! Limits (TS 23.040 §9.2.3.24.1, one TP-UD = 140 octets): a single message holds
//! 160 septets / 140 octets / 70 UCS2 code units; a part after a 6-octet UDH (8-bit reference,
//! and SAR, whose UDH the SMSC builds) 153 / 134 / 67; after a 7-octet UDH (16-bit reference)
//! 152 / 133 / 66. [`capacity`] computes them. IA5 counts as one octet per character here
//! (what `short_message` carries), not as GSM septets.

use super::gsm::{self, Septets};
use super::udh::{InformationElement, Udh};
use super::{Alphabet, Mode, TextError};

/// Octets of one TP-UD (TS 23.040 §9.2.3.24: 140 octets, 160 septets).
pub const MAX_UD_OCTETS: usize = 140;

/// Most parts a concatenated message can have (total and sequence are one octet each).
pub const MAX_PARTS: usize = 255;

/// Largest `message_payload` value: a TLV length is a 2-octet integer (SMPP v3.4 §3.2.4.1).
pub const MAX_PAYLOAD_OCTETS: usize = 65_535;

/// UDH length of a concatenation with an 8-bit reference: `05 00 03 RR TT NN`.
const UDH8_LEN: usize = 6;
/// UDH length of a concatenation with a 16-bit reference: `06 08 04 RR RR TT NN`.
const UDH16_LEN: usize = 7;

/// How the parts of a long message are tied together.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Concat {
    /// Concatenation UDH with an 8-bit reference (IEI 0x00); parts have UDHI set.
    Udh8 {
        /// Reference shared by every part.
        reference: u8,
    },
    /// Concatenation UDH with a 16-bit reference (IEI 0x08); parts have UDHI set.
    Udh16 {
        /// Reference shared by every part.
        reference: u16,
    },
    /// sar_msg_ref_num / sar_total_segments / sar_segment_seqnum TLVs; the SMSC builds the
    /// UDH, so parts are sized as for an 8-bit-reference UDH.
    Sar {
        /// Value for sar_msg_ref_num.
        reference: u16,
    },
    /// One part holding the whole text, for the `message_payload` TLV (the SMSC splits).
    Payload,
}

/// How GSM 7-bit user data is laid out in `short_message`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum GsmPacking {
    /// One septet per octet (what SMPP `short_message` usually carries for data_coding 0).
    #[default]
    Unpacked,
    /// 8 septets in 7 octets (TS 23.038 §6.1.2.1), fill bits after a UDH, and the
    /// §6.1.2.1.1 CR padding rule (see [`gsm::pack_padded`]).
    Packed,
}

/// Options of [`split`] and the [`Reassembler`](super::Reassembler).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct SplitOptions {
    /// Strict (typed errors) or lossy (`?` / U+FFFD) handling of characters that do not fit.
    pub mode: Mode,
    /// GSM 7-bit layout.
    pub gsm_packing: GsmPacking,
}

/// SAR TLV values of one part (SMPP v3.4 §5.3.2.22–24).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SarInfo {
    /// sar_msg_ref_num.
    pub msg_ref_num: u16,
    /// sar_total_segments, 1..=255.
    pub total_segments: u8,
    /// sar_segment_seqnum, 1..=total.
    pub segment_seqnum: u8,
}

/// One short message of a split text.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Part {
    /// The user data as it goes into `short_message` (or `message_payload`): UDH, if any,
    /// followed by the encoded text.
    pub data: Vec<u8>,
    /// Whether esm_class UDHI (0x40) must be set.
    pub udhi: bool,
    /// SAR TLV values, for [`Concat::Sar`] with more than one part.
    pub sar: Option<SarInfo>,
}

/// Text units (septets, octets or UCS2 code units) that fit in one 140-octet TP-UD after a
/// UDH of `udh_len` octets, UDHL included (0 = no UDH).
///
/// GSM: `(1120 - 8 * udh_len - fill_bits) / 7` septets; UCS2: `(140 - udh_len) / 2` code
/// units ("if the length of the User Data Header is odd, the maximum length of the whole
/// TP-UD field is 139 octets", TS 23.040 §9.2.3.24.1); others: `140 - udh_len` octets.
///
/// ```
/// use smpp::text::{Alphabet, capacity};
/// assert_eq!([0, 6, 7].map(|u| capacity(Alphabet::Gsm7, u)), [160, 153, 152]);
/// assert_eq!([0, 6, 7].map(|u| capacity(Alphabet::Latin1, u)), [140, 134, 133]);
/// assert_eq!([0, 6, 7].map(|u| capacity(Alphabet::Ucs2, u)), [70, 67, 66]);
/// ```
#[must_use]
pub fn capacity(alphabet: Alphabet, udh_len: usize) -> usize {
    let octets = MAX_UD_OCTETS.saturating_sub(udh_len);
    match alphabet {
        Alphabet::Gsm7 => {
            if udh_len >= MAX_UD_OCTETS {
                0
            } else {
                (octets * 8).saturating_sub(usize::from(gsm::fill_bits(udh_len))) / 7
            }
        }
        Alphabet::Ucs2 => octets / 2,
        _ => octets,
    }
}

/// The encoded text plus the offsets after each character, where a part may end.
struct Encoded {
    bytes: Vec<u8>,
    /// Increasing offsets into `bytes`; the last one is `bytes.len()`.
    bounds: Vec<usize>,
}

impl Encoded {
    fn text(text: &str, alphabet: Alphabet, mode: Mode) -> Result<Encoded, TextError> {
        if !alphabet.is_text() {
            return Err(TextError::NotText { alphabet });
        }
        let mut bytes = Vec::with_capacity(text.len());
        let mut bounds = Vec::with_capacity(text.len());
        let mut buf = [0u16; 2];
        for (index, ch) in text.char_indices() {
            if alphabet == Alphabet::Ucs2 {
                for unit in ch.encode_utf16(&mut buf).iter() {
                    bytes.extend_from_slice(&unit.to_be_bytes());
                }
            } else if alphabet.can_encode(ch) {
                match (alphabet, gsm::septets_of(ch)) {
                    (Alphabet::Gsm7, Some(s)) => s.push_to(&mut bytes),
                    // IA5 / Latin-1: code point == octet (checked by can_encode).
                    _ => bytes.push(u8::try_from(u32::from(ch)).unwrap_or(b'?')),
                }
            } else if mode == Mode::Lossy {
                Septets::Basic(b'?').push_to(&mut bytes); // '?' is 0x3F in all three
            } else {
                return Err(TextError::Unencodable {
                    ch,
                    index,
                    alphabet,
                });
            }
            bounds.push(bytes.len());
        }
        Ok(Encoded { bytes, bounds })
    }

    fn binary(data: &[u8]) -> Encoded {
        Encoded {
            bytes: data.to_vec(),
            bounds: (1..=data.len()).collect(),
        }
    }
}

/// Per-part layout: UDH length and fit test.
#[derive(Clone, Copy)]
struct Layout {
    alphabet: Alphabet,
    packed: bool,
    /// Octets reserved for a UDH when sizing the part (6 for SAR, whose UDH the SMSC adds).
    udh_len: usize,
    /// Fill bits before packed text: from the UDH actually in the part (0 without one).
    fill_bits: u8,
}

impl Layout {
    /// Whether `chunk` (encoded, unpacked) fits one TP-UD after this layout's UDH.
    fn fits(self, chunk: &[u8]) -> bool {
        if self.packed && self.alphabet == Alphabet::Gsm7 {
            // Packed: count real octets, CR padding included (TS 23.038 §6.1.2.1.1).
            gsm::packed_padded_len(chunk, self.fill_bits)
                .is_ok_and(|n| n + self.udh_len <= MAX_UD_OCTETS)
        } else {
            let units = if self.alphabet == Alphabet::Ucs2 {
                chunk.len() / 2
            } else {
                chunk.len()
            };
            units <= capacity(self.alphabet, self.udh_len)
        }
    }

    /// The text octets of a part as they go on the wire.
    fn body(self, chunk: &[u8]) -> Result<Vec<u8>, TextError> {
        if self.packed && self.alphabet == Alphabet::Gsm7 {
            gsm::pack_padded(chunk, self.fill_bits)
        } else {
            Ok(chunk.to_vec())
        }
    }
}

/// Splits `text` into short messages encoded in `alphabet`.
///
/// A text that fits one message gives one part without UDH or SAR. Otherwise parts are filled
/// greedily up to the per-part limit, never splitting a GSM escape pair or a UTF-16 surrogate
/// pair ("A character represented by an escape-sequence shall not be split in the middle",
/// "A UCS2 character shall not be split in the middle", TS 23.040 §9.2.3.24.1).
///
/// ```
/// use smpp::text::{Alphabet, Concat, SplitOptions, split};
/// let text = "x".repeat(200);
/// let parts = split(&text, Alphabet::Gsm7, Concat::Udh8 { reference: 7 }, &SplitOptions::default())?;
/// assert_eq!(parts.len(), 2);
/// assert!(parts[0].udhi);
/// assert_eq!(parts[0].data[..6], [0x05, 0x00, 0x03, 7, 2, 1]);
/// assert_eq!(parts[0].data.len(), 6 + 153);
/// assert_eq!(parts[1].data.len(), 6 + 47);
/// # Ok::<(), smpp::text::TextError>(())
/// ```
///
/// # Errors
/// [`TextError::Unencodable`] (strict mode), [`TextError::NotText`] for binary/other
/// alphabets (use [`split_binary`]), [`TextError::TooManyParts`] beyond 255 parts,
/// [`TextError::PayloadTooLong`] for a payload over 65535 octets.
pub fn split(
    text: &str,
    alphabet: Alphabet,
    method: Concat,
    opts: &SplitOptions,
) -> Result<Vec<Part>, TextError> {
    let encoded = Encoded::text(text, alphabet, opts.mode)?;
    split_encoded(&encoded, alphabet, method, opts.gsm_packing)
}

/// Splits binary user data (data_coding 0x02 / 0x04) like [`split`], 140 / 134 / 133 octets.
///
/// # Errors
/// [`TextError::TooManyParts`], [`TextError::PayloadTooLong`].
pub fn split_binary(data: &[u8], method: Concat) -> Result<Vec<Part>, TextError> {
    split_encoded(
        &Encoded::binary(data),
        Alphabet::Binary,
        method,
        GsmPacking::Unpacked,
    )
}

fn split_encoded(
    encoded: &Encoded,
    alphabet: Alphabet,
    method: Concat,
    packing: GsmPacking,
) -> Result<Vec<Part>, TextError> {
    let packed = packing == GsmPacking::Packed;
    let single = Layout {
        alphabet,
        packed,
        udh_len: 0,
        fill_bits: 0,
    };
    let all = encoded.bytes.as_slice();
    if method == Concat::Payload {
        let data = single.body(all)?;
        if data.len() > MAX_PAYLOAD_OCTETS {
            return Err(TextError::PayloadTooLong { len: data.len() });
        }
        return Ok(vec![Part {
            data,
            udhi: false,
            sar: None,
        }]);
    }
    if single.fits(all) {
        return Ok(vec![Part {
            data: single.body(all)?,
            udhi: false,
            sar: None,
        }]);
    }
    let udh_len = if matches!(method, Concat::Udh16 { .. }) {
        UDH16_LEN
    } else {
        UDH8_LEN
    };
    let layout = Layout {
        udh_len,
        // TS 23.040 §9.2.3.24: fill bits follow a UDH that is in the user data; SAR parts
        // carry none (the SMSC builds it), so their text is packed from bit 0.
        fill_bits: if matches!(method, Concat::Sar { .. }) {
            0
        } else {
            gsm::fill_bits(udh_len)
        },
        ..single
    };
    let ranges = chunk_ranges(encoded, layout);
    let total = u8::try_from(ranges.len()).map_err(|_| TextError::TooManyParts {
        parts: ranges.len(),
    })?;
    let mut parts = Vec::with_capacity(ranges.len());
    for (seq, (start, end)) in (1..=total).zip(ranges) {
        let chunk = all.get(start..end).unwrap_or_default();
        let body = layout.body(chunk)?;
        let ie = match method {
            Concat::Udh8 { reference } => Some(InformationElement::Concat8 {
                reference,
                total,
                seq,
            }),
            Concat::Udh16 { reference } => Some(InformationElement::Concat16 {
                reference,
                total,
                seq,
            }),
            Concat::Sar { .. } | Concat::Payload => None,
        };
        let part = match (ie, method) {
            (Some(ie), _) => {
                let mut data = Udh { ies: vec![ie] }.encode()?;
                data.extend_from_slice(&body);
                Part {
                    data,
                    udhi: true,
                    sar: None,
                }
            }
            (None, Concat::Sar { reference }) => Part {
                data: body,
                udhi: false,
                sar: Some(SarInfo {
                    msg_ref_num: reference,
                    total_segments: total,
                    segment_seqnum: seq,
                }),
            },
            (None, _) => Part {
                data: body,
                udhi: false,
                sar: None,
            },
        };
        parts.push(part);
    }
    Ok(parts)
}

/// Greedy cut of `encoded` at character bounds so that each chunk fits `layout`.
fn chunk_ranges(encoded: &Encoded, layout: Layout) -> Vec<(usize, usize)> {
    let mut ranges = Vec::new();
    let mut start = 0usize;
    let mut bounds = encoded.bounds.iter().copied().peekable();
    while let Some(&first) = bounds.peek() {
        // Always take the first character: every character (≤ 4 octets) fits an empty part
        // after a ≤ 7-octet UDH, so this never makes an oversized part.
        let mut end = first;
        bounds.next();
        while let Some(&next) = bounds.peek() {
            let chunk = encoded.bytes.get(start..next).unwrap_or_default();
            if !layout.fits(chunk) {
                break;
            }
            end = next;
            bounds.next();
        }
        ranges.push((start, end));
        start = end;
    }
    ranges
}

#[cfg(test)]
mod tests {
    use super::*;

    const CR_SEPTET: u8 = gsm::CR;

    fn opts() -> SplitOptions {
        SplitOptions::default()
    }

    fn text_len(part: &Part, udh_len: usize) -> usize {
        part.data.len() - udh_len
    }

    #[test]
    fn gsm_160_vs_161() -> Result<(), TextError> {
        let t160 = "a".repeat(160);
        let parts = split(
            &t160,
            Alphabet::Gsm7,
            Concat::Udh8 { reference: 1 },
            &opts(),
        )?;
        assert_eq!(parts.len(), 1);
        assert_eq!(
            parts.first(),
            Some(&Part {
                data: vec![b'a'; 160],
                udhi: false,
                sar: None
            })
        );
        let t161 = "a".repeat(161);
        let parts = split(
            &t161,
            Alphabet::Gsm7,
            Concat::Udh8 { reference: 1 },
            &opts(),
        )?;
        assert_eq!(parts.len(), 2);
        assert_eq!(
            parts.iter().map(|p| text_len(p, 6)).collect::<Vec<_>>(),
            [153, 8]
        );
        let parts = split(
            &t161,
            Alphabet::Gsm7,
            Concat::Udh16 { reference: 0x0102 },
            &opts(),
        )?;
        assert_eq!(
            parts.iter().map(|p| text_len(p, 7)).collect::<Vec<_>>(),
            [152, 9]
        );
        assert_eq!(
            parts.first().map(|p| &p.data[..7]),
            Some(&[0x06, 0x08, 0x04, 0x01, 0x02, 2, 1][..])
        );
        // An extension character costs two septets: 159 + € = 161 septets → two parts.
        let t = format!("{}€", "a".repeat(159));
        assert_eq!(
            split(&t, Alphabet::Gsm7, Concat::Udh8 { reference: 1 }, &opts())?.len(),
            2
        );
        let t = format!("{}€", "a".repeat(158));
        assert_eq!(
            split(&t, Alphabet::Gsm7, Concat::Udh8 { reference: 1 }, &opts())?.len(),
            1
        );
        Ok(())
    }

    #[test]
    fn escape_pair_straddling_153() -> Result<(), TextError> {
        // 152 'a' then '€' (septets 153 and 154) then 10 'b': the pair must move to part 2.
        let t = format!("{}€{}", "a".repeat(152), "b".repeat(10));
        let parts = split(&t, Alphabet::Gsm7, Concat::Udh8 { reference: 9 }, &opts())?;
        assert_eq!(parts.len(), 2);
        let first = parts.first().map(|p| p.data.clone()).unwrap_or_default();
        assert_eq!(first.len(), 6 + 152);
        assert_eq!(first.last(), Some(&b'a'));
        let second = parts.get(1).map(|p| p.data.clone()).unwrap_or_default();
        assert_eq!(second.get(6..8), Some(&[0x1B, 0x65][..]));
        assert_eq!(second.len(), 6 + 12);
        Ok(())
    }

    #[test]
    fn ucs2_70_vs_71_and_emoji_at_67() -> Result<(), TextError> {
        let t70 = "ж".repeat(70);
        assert_eq!(
            split(&t70, Alphabet::Ucs2, Concat::Udh8 { reference: 1 }, &opts())?.len(),
            1
        );
        let t71 = "ж".repeat(71);
        let parts = split(&t71, Alphabet::Ucs2, Concat::Udh8 { reference: 1 }, &opts())?;
        assert_eq!(
            parts.iter().map(|p| text_len(p, 6)).collect::<Vec<_>>(),
            [134, 8]
        );
        let parts = split(
            &t71,
            Alphabet::Ucs2,
            Concat::Udh16 { reference: 1 },
            &opts(),
        )?;
        assert_eq!(
            parts.iter().map(|p| text_len(p, 7)).collect::<Vec<_>>(),
            [132, 10]
        );
        // 66 units then an emoji (units 67 and 68): the surrogate pair moves to part 2.
        let t = format!("{}😀{}", "ж".repeat(66), "ж".repeat(5));
        let parts = split(&t, Alphabet::Ucs2, Concat::Udh8 { reference: 1 }, &opts())?;
        assert_eq!(
            parts.iter().map(|p| text_len(p, 6)).collect::<Vec<_>>(),
            [132, 14]
        );
        assert_eq!(
            parts.get(1).and_then(|p| p.data.get(6..8)),
            Some(&[0xD8, 0x3D][..])
        );
        Ok(())
    }

    #[test]
    fn octet_alphabets_and_binary() -> Result<(), TextError> {
        let t = "é".repeat(141);
        let parts = split(&t, Alphabet::Latin1, Concat::Udh8 { reference: 1 }, &opts())?;
        assert_eq!(
            parts.iter().map(|p| text_len(p, 6)).collect::<Vec<_>>(),
            [134, 7]
        );
        let parts = split_binary(&[0xFF; 140], Concat::Udh16 { reference: 1 })?;
        assert_eq!(parts.len(), 1);
        let parts = split_binary(&[0xFF; 267], Concat::Udh16 { reference: 1 })?;
        assert_eq!(
            parts.iter().map(|p| text_len(p, 7)).collect::<Vec<_>>(),
            [133, 133, 1]
        );
        assert_eq!(
            split("x", Alphabet::Binary, Concat::Payload, &opts()),
            Err(TextError::NotText {
                alphabet: Alphabet::Binary
            })
        );
        Ok(())
    }

    #[test]
    fn sar_parts() -> Result<(), TextError> {
        let t = "a".repeat(307);
        let parts = split(
            &t,
            Alphabet::Gsm7,
            Concat::Sar { reference: 0xBEEF },
            &opts(),
        )?;
        assert_eq!(parts.len(), 3);
        for (i, p) in parts.iter().enumerate() {
            assert!(!p.udhi);
            assert_eq!(
                p.sar,
                Some(SarInfo {
                    msg_ref_num: 0xBEEF,
                    total_segments: 3,
                    segment_seqnum: u8::try_from(i + 1).unwrap_or(0)
                })
            );
        }
        assert_eq!(
            parts.iter().map(|p| p.data.len()).collect::<Vec<_>>(),
            [153, 153, 1]
        );
        // Fits one message: no SAR.
        let parts = split("hi", Alphabet::Gsm7, Concat::Sar { reference: 1 }, &opts())?;
        assert_eq!(parts.first().map(|p| p.sar), Some(None));
        Ok(())
    }

    #[test]
    fn payload_is_one_part() -> Result<(), TextError> {
        let t = "a".repeat(1000);
        let parts = split(&t, Alphabet::Gsm7, Concat::Payload, &opts())?;
        assert_eq!(parts.len(), 1);
        assert_eq!(parts.first().map(|p| p.data.len()), Some(1000));
        let t = "a".repeat(MAX_PAYLOAD_OCTETS + 1);
        assert_eq!(
            split(&t, Alphabet::Ia5, Concat::Payload, &opts()),
            Err(TextError::PayloadTooLong {
                len: MAX_PAYLOAD_OCTETS + 1
            })
        );
        Ok(())
    }

    #[test]
    fn too_many_parts() -> Result<(), TextError> {
        let ok = "a".repeat(153 * 255);
        assert_eq!(
            split(&ok, Alphabet::Gsm7, Concat::Udh8 { reference: 1 }, &opts())?.len(),
            255
        );
        let over = "a".repeat(153 * 255 + 1);
        assert_eq!(
            split(
                &over,
                Alphabet::Gsm7,
                Concat::Udh8 { reference: 1 },
                &opts()
            ),
            Err(TextError::TooManyParts { parts: 256 })
        );
        let way_over = "a".repeat(153 * 300);
        assert_eq!(
            split(
                &way_over,
                Alphabet::Gsm7,
                Concat::Udh8 { reference: 1 },
                &opts()
            ),
            Err(TextError::TooManyParts { parts: 300 })
        );
        Ok(())
    }

    #[test]
    fn strict_and_lossy() -> Result<(), TextError> {
        assert!(matches!(
            split(
                "a😀",
                Alphabet::Gsm7,
                Concat::Udh8 { reference: 1 },
                &opts()
            ),
            Err(TextError::Unencodable {
                ch: '😀',
                index: 1,
                ..
            })
        ));
        let lossy = SplitOptions {
            mode: Mode::Lossy,
            ..opts()
        };
        let parts = split("a😀", Alphabet::Gsm7, Concat::Udh8 { reference: 1 }, &lossy)?;
        assert_eq!(parts.first().map(|p| p.data.clone()), Some(b"a?".to_vec()));
        Ok(())
    }

    #[test]
    fn packed_gsm_parts() -> Result<(), TextError> {
        let packed = SplitOptions {
            gsm_packing: GsmPacking::Packed,
            ..opts()
        };
        // 160 septets packed = 140 octets, one part.
        let parts = split(
            &"a".repeat(160),
            Alphabet::Gsm7,
            Concat::Udh8 { reference: 1 },
            &packed,
        )?;
        assert_eq!(parts.len(), 1);
        assert_eq!(parts.first().map(|p| p.data.len()), Some(140));
        // 161 → 153 + 8 septets; part 1 is exactly 140 octets (6 UDH + 1 fill bit + 153 septets).
        let parts = split(
            &"a".repeat(161),
            Alphabet::Gsm7,
            Concat::Udh8 { reference: 1 },
            &packed,
        )?;
        assert_eq!(
            parts.iter().map(|p| p.data.len()).collect::<Vec<_>>(),
            [140, 6 + 8]
        );
        // "Hi" after the UDH packs to 90 69 (reference vector), as part 3 of 3.
        let t = format!("{}Hi", "a".repeat(306));
        let parts = split(
            &t,
            Alphabet::Gsm7,
            Concat::Udh8 { reference: 0xA7 },
            &packed,
        )?;
        assert_eq!(
            parts.get(2).map(|p| p.data.clone()),
            Some(vec![0x05, 0x00, 0x03, 0xA7, 0x03, 0x03, 0x90, 0x69])
        );
        // A CR as septet 153 would need doubling (161 septets): it moves to the next part.
        let t = format!("{}\r{}", "a".repeat(152), "b".repeat(10));
        let parts = split(&t, Alphabet::Gsm7, Concat::Udh8 { reference: 1 }, &packed)?;
        assert!(parts.iter().all(|p| p.data.len() <= MAX_UD_OCTETS));
        assert_eq!(parts.len(), 2);
        // 6 UDH + (1 fill bit + 152 septets + CR pad = 134 octets)
        assert_eq!(parts.first().map(|p| p.data.len()), Some(140));
        assert_eq!(
            parts.get(1).and_then(|p| p.data.get(6)),
            Some(&(CR_SEPTET << 1))
        );
        // 159 'a' + CR = 160 septets ending on the octet boundary with CR: needs 161 → split.
        let t = format!("{}\r", "a".repeat(159));
        assert_eq!(
            split(&t, Alphabet::Gsm7, Concat::Udh8 { reference: 1 }, &packed)?.len(),
            2
        );
        Ok(())
    }
}
