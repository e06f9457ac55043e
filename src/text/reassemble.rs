//! Owns reassembly of concatenated short messages ([`Reassembler`], [`reassemble`]): grouping
//! parts by concatenation reference, detecting duplicate / missing / inconsistent parts, and
//! decoding the joined user data.

use std::collections::BTreeMap;

use super::gsm;
use super::split::{GsmPacking, Part, SarInfo, SplitOptions};
use super::udh::split_udh;
use super::{Alphabet, TextError, decode};

/// Identifies one concatenated message: which mechanism and which reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ConcatRef {
    /// UDH IEI 0x00, 8-bit reference.
    Udh8(u8),
    /// UDH IEI 0x08, 16-bit reference.
    Udh16(u16),
    /// SAR TLVs, sar_msg_ref_num.
    Sar(u16),
}

/// A complete message out of the [`Reassembler`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Message {
    /// The joined user data without UDHs, in segment order; for GSM 7-bit, unpacked septets
    /// (one per octet) whatever the packing on the wire.
    pub data: Vec<u8>,
    /// The decoded text, for text alphabets; `None` for binary and other alphabets.
    pub text: Option<String>,
}

/// A concatenated message still waiting for parts.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Pending {
    /// Which message.
    pub reference: ConcatRef,
    /// Announced number of segments.
    pub total: u8,
    /// Segment numbers not received yet.
    pub missing: Vec<u8>,
}

#[derive(Debug, Clone)]
struct Group {
    total: u8,
    segments: BTreeMap<u8, Vec<u8>>,
}

impl Group {
    fn missing(&self) -> Vec<u8> {
        (1..=self.total)
            .filter(|s| !self.segments.contains_key(s))
            .collect()
    }
}

/// Collects parts in any order and hands out each message when its last part arrives.
///
/// Parts are grouped by [`ConcatRef`] (mechanism + reference). Parts of different messages
/// may be interleaved. A part without UDHI concatenation IE or SAR values is a whole message.
///
/// ```
/// use smpp::text::{Alphabet, Concat, Reassembler, SplitOptions, split};
/// let text = "ÄÖÑÜ§ àäöñü Δ€ ".repeat(20);
/// let opts = SplitOptions::default();
/// let mut parts = split(&text, Alphabet::Gsm7, Concat::Udh16 { reference: 300 }, &opts)?;
/// parts.reverse();
/// let mut r = Reassembler::new(Alphabet::Gsm7, opts);
/// let mut done = None;
/// for p in &parts {
///     if let Some(m) = r.push_part(p)? {
///         done = m.text;
///     }
/// }
/// assert_eq!(done.as_deref(), Some(text.as_str()));
/// assert!(r.pending().is_empty());
/// # Ok::<(), smpp::text::TextError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Reassembler {
    alphabet: Alphabet,
    opts: SplitOptions,
    groups: BTreeMap<ConcatRef, Group>,
}

impl Reassembler {
    /// A reassembler for user data in `alphabet`; `opts` gives the GSM packing and whether
    /// decoding is strict or lossy.
    #[must_use]
    pub fn new(alphabet: Alphabet, opts: SplitOptions) -> Reassembler {
        Reassembler {
            alphabet,
            opts,
            groups: BTreeMap::new(),
        }
    }

    /// Adds a part produced by [`split`](super::split).
    ///
    /// # Errors
    /// As [`Reassembler::push`].
    pub fn push_part(&mut self, part: &Part) -> Result<Option<Message>, TextError> {
        self.push(&part.data, part.udhi, part.sar)
    }

    /// Adds one received part: its user data (`short_message` or `message_payload`), whether
    /// esm_class UDHI is set, and its SAR TLV values if present. Returns the whole message
    /// when this part completes one.
    ///
    /// A rejected part leaves the reassembler unchanged, except that a completed message
    /// whose text fails to decode (strict mode) is dropped with the error.
    ///
    /// # Errors
    /// [`TextError::SarWithUdhi`] (SMPP v3.4 §5.3.2.22: SAR is the alternative to a UDH, not
    /// combined with it); UDH parse errors; [`TextError::InvalidSegment`] for SAR values
    /// with total 0 or seqnum outside 1..=total; [`TextError::InconsistentTotal`];
    /// [`TextError::Duplicate`]; decoding errors of the completed text.
    pub fn push(
        &mut self,
        user_data: &[u8],
        udhi: bool,
        sar: Option<SarInfo>,
    ) -> Result<Option<Message>, TextError> {
        if udhi && sar.is_some() {
            return Err(TextError::SarWithUdhi);
        }
        let (udh, body) = split_udh(user_data, udhi)?;
        let udh_len = user_data.len() - body.len();
        let units =
            if self.alphabet == Alphabet::Gsm7 && self.opts.gsm_packing == GsmPacking::Packed {
                // TS 23.040 §9.2.3.24: after a UDH, fill bits align the text on a septet boundary.
                gsm::unpack_padded(body, gsm::fill_bits(udh_len))?
            } else {
                body.to_vec()
            };
        let concat = match (sar, udh.and_then(|u| u.concat())) {
            (Some(s), _) => {
                let reference = ConcatRef::Sar(s.msg_ref_num);
                // SMPP v3.4 §5.3.2.23/24: sar_total_segments 1..=255, sar_segment_seqnum
                // 1..=255 and not above the total.
                if s.total_segments == 0
                    || s.segment_seqnum == 0
                    || s.segment_seqnum > s.total_segments
                {
                    return Err(TextError::InvalidSegment {
                        reference,
                        total: s.total_segments,
                        seq: s.segment_seqnum,
                    });
                }
                Some((reference, s.total_segments, s.segment_seqnum))
            }
            (None, Some(c)) => {
                let reference = if c.wide {
                    ConcatRef::Udh16(c.reference)
                } else {
                    ConcatRef::Udh8(u8::try_from(c.reference).unwrap_or(u8::MAX))
                };
                Some((reference, c.total, c.seq))
            }
            (None, None) => None,
        };
        let Some((reference, total, seq)) = concat else {
            return self.message(units).map(Some);
        };
        let group = self.groups.entry(reference).or_insert_with(|| Group {
            total,
            segments: BTreeMap::new(),
        });
        if group.total != total {
            return Err(TextError::InconsistentTotal {
                reference,
                expected: group.total,
                found: total,
            });
        }
        if group.segments.contains_key(&seq) {
            return Err(TextError::Duplicate { reference, seq });
        }
        group.segments.insert(seq, units);
        if group.segments.len() < usize::from(total) {
            return Ok(None);
        }
        let data = self
            .groups
            .remove(&reference)
            .map(|g| g.segments.into_values().flatten().collect())
            .unwrap_or_default();
        self.message(data).map(Some)
    }

    fn message(&self, data: Vec<u8>) -> Result<Message, TextError> {
        let text = if self.alphabet.is_text() {
            Some(decode(&data, self.alphabet, self.opts.mode)?)
        } else {
            None
        };
        Ok(Message { data, text })
    }

    /// Messages still missing parts, in reference order.
    #[must_use]
    pub fn pending(&self) -> Vec<Pending> {
        self.groups
            .iter()
            .map(|(&reference, g)| Pending {
                reference,
                total: g.total,
                missing: g.missing(),
            })
            .collect()
    }
}

/// Reassembles parts that must form exactly one message, given in any order.
///
/// ```
/// use smpp::text::{Alphabet, Concat, SplitOptions, reassemble, split};
/// let text = "😀 emoji and Ωmega ".repeat(10);
/// let opts = SplitOptions::default();
/// let mut parts = split(&text, Alphabet::Ucs2, Concat::Sar { reference: 42 }, &opts)?;
/// parts.rotate_left(1);
/// let msg = reassemble(&parts, Alphabet::Ucs2, opts)?;
/// assert_eq!(msg.text.as_deref(), Some(text.as_str()));
/// # Ok::<(), smpp::text::TextError>(())
/// ```
///
/// # Errors
/// Everything [`Reassembler::push`] reports; [`TextError::Missing`] if a message lacks parts;
/// [`TextError::NotOneMessage`] for no parts or parts of several messages.
pub fn reassemble(
    parts: &[Part],
    alphabet: Alphabet,
    opts: SplitOptions,
) -> Result<Message, TextError> {
    let mut r = Reassembler::new(alphabet, opts);
    let mut done = Vec::new();
    for part in parts {
        if let Some(m) = r.push_part(part)? {
            done.push(m);
        }
    }
    if let Some(p) = r.pending().into_iter().next() {
        return Err(TextError::Missing {
            reference: p.reference,
            total: p.total,
            missing: p.missing,
        });
    }
    let messages = done.len();
    match (done.pop(), messages) {
        (Some(m), 1) => Ok(m),
        _ => Err(TextError::NotOneMessage { messages }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::{Concat, Mode, split, split_binary};

    fn opts() -> SplitOptions {
        SplitOptions::default()
    }

    #[test]
    fn shuffled_udh8_round_trip() -> Result<(), TextError> {
        let text = "[brackets] {braces} ~tilde~ |pipe| €uro ".repeat(12);
        let mut parts = split(
            &text,
            Alphabet::Gsm7,
            Concat::Udh8 { reference: 0xA7 },
            &opts(),
        )?;
        assert!(parts.len() > 3);
        parts.swap(0, 2);
        parts.reverse();
        let m = reassemble(&parts, Alphabet::Gsm7, opts())?;
        assert_eq!(m.text.as_deref(), Some(text.as_str()));
        Ok(())
    }

    #[test]
    fn packed_round_trip() -> Result<(), TextError> {
        let packed = SplitOptions {
            gsm_packing: GsmPacking::Packed,
            ..opts()
        };
        let text = "The quick brown fox jumps over the lazy dog. ".repeat(9);
        let mut parts = split(
            &text,
            Alphabet::Gsm7,
            Concat::Udh8 { reference: 1 },
            &packed,
        )?;
        parts.reverse();
        let m = reassemble(&parts, Alphabet::Gsm7, packed)?;
        assert_eq!(m.text.as_deref(), Some(text.as_str()));
        Ok(())
    }

    #[test]
    fn packed_sar_round_trip() -> Result<(), TextError> {
        // SAR parts carry no UDH, so their text is packed from bit 0 (no fill bit).
        let packed = SplitOptions {
            gsm_packing: GsmPacking::Packed,
            ..opts()
        };
        let text = "€[€aaaaa€a€[aaaa€€a€€aaa".repeat(8);
        let parts = split(&text, Alphabet::Gsm7, Concat::Sar { reference: 0 }, &packed)?;
        assert!(parts.len() > 1);
        let first = parts.first().map(|p| p.data.clone()).unwrap_or_default();
        assert_eq!(gsm::unpack(&first, 0, 2)?, [0x1B, 0x65]);
        let m = reassemble(&parts, Alphabet::Gsm7, packed)?;
        assert_eq!(m.text.as_deref(), Some(text.as_str()));
        Ok(())
    }

    #[test]
    fn single_and_binary() -> Result<(), TextError> {
        let m = reassemble(
            &[Part {
                data: b"hi".to_vec(),
                udhi: false,
                sar: None,
            }],
            Alphabet::Ia5,
            opts(),
        )?;
        assert_eq!(m.text.as_deref(), Some("hi"));
        let data: Vec<u8> = (0..=255).cycle().take(600).collect();
        let mut parts = split_binary(&data, Concat::Udh16 { reference: 5 })?;
        parts.reverse();
        let m = reassemble(&parts, Alphabet::Binary, opts())?;
        assert_eq!(m.data, data);
        assert_eq!(m.text, None);
        Ok(())
    }

    #[test]
    fn detects_duplicates_missing_and_inconsistency() -> Result<(), TextError> {
        let text = "a".repeat(400);
        let parts = split(
            &text,
            Alphabet::Gsm7,
            Concat::Udh8 { reference: 3 },
            &opts(),
        )?;
        assert_eq!(parts.len(), 3);
        let mut r = Reassembler::new(Alphabet::Gsm7, opts());
        let first = parts.first().cloned().unwrap_or(Part {
            data: vec![],
            udhi: false,
            sar: None,
        });
        assert_eq!(r.push_part(&first), Ok(None));
        assert_eq!(
            r.push_part(&first),
            Err(TextError::Duplicate {
                reference: ConcatRef::Udh8(3),
                seq: 1
            })
        );
        assert_eq!(
            r.pending(),
            [Pending {
                reference: ConcatRef::Udh8(3),
                total: 3,
                missing: vec![2, 3]
            }]
        );
        // Same reference, total 4.
        assert_eq!(
            r.push(&[0x05, 0x00, 0x03, 3, 4, 2, b'x'], true, None),
            Err(TextError::InconsistentTotal {
                reference: ConcatRef::Udh8(3),
                expected: 3,
                found: 4
            })
        );
        // Missing part 2.
        let without_second: Vec<Part> = parts
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != 1)
            .map(|(_, p)| p.clone())
            .collect();
        assert_eq!(
            reassemble(&without_second, Alphabet::Gsm7, opts()),
            Err(TextError::Missing {
                reference: ConcatRef::Udh8(3),
                total: 3,
                missing: vec![2]
            })
        );
        // Two messages.
        let mut two = split(
            "one",
            Alphabet::Gsm7,
            Concat::Udh8 { reference: 1 },
            &opts(),
        )?;
        two.extend(split(
            "two",
            Alphabet::Gsm7,
            Concat::Udh8 { reference: 2 },
            &opts(),
        )?);
        assert_eq!(
            reassemble(&two, Alphabet::Gsm7, opts()),
            Err(TextError::NotOneMessage { messages: 2 })
        );
        assert_eq!(
            reassemble(&[], Alphabet::Gsm7, opts()),
            Err(TextError::NotOneMessage { messages: 0 })
        );
        Ok(())
    }

    #[test]
    fn sar_validation() {
        let mut r = Reassembler::new(Alphabet::Gsm7, opts());
        let sar = |total, seq| {
            Some(SarInfo {
                msg_ref_num: 7,
                total_segments: total,
                segment_seqnum: seq,
            })
        };
        for (total, seq) in [(0, 0), (0, 1), (2, 0), (2, 3)] {
            assert_eq!(
                r.push(b"x", false, sar(total, seq)),
                Err(TextError::InvalidSegment {
                    reference: ConcatRef::Sar(7),
                    total,
                    seq
                })
            );
        }
        assert_eq!(r.push(b"x", true, sar(1, 1)), Err(TextError::SarWithUdhi));
        assert_eq!(
            r.push(b"x", false, sar(1, 1))
                .map(|m| m.and_then(|m| m.text)),
            Ok(Some("x".to_string()))
        );
    }

    #[test]
    fn ignored_concat_ie_is_a_whole_message() -> Result<(), TextError> {
        // seq 0 → IE ignored (TS 23.040 §9.2.3.24.1) → the part stands alone.
        let mut r = Reassembler::new(Alphabet::Gsm7, opts());
        let m = r.push(&[0x05, 0x00, 0x03, 9, 2, 0, b'o', b'k'], true, None)?;
        assert_eq!(m.and_then(|m| m.text).as_deref(), Some("ok"));
        Ok(())
    }

    #[test]
    fn strict_decoding_error_surfaces_and_lossy_does_not() {
        let part = [0x05, 0x00, 0x03, 9, 1, 1, 0x41, 0xFF];
        let mut r = Reassembler::new(Alphabet::Gsm7, opts());
        assert!(matches!(
            r.push(&part, true, None),
            Err(TextError::InvalidByte { byte: 0xFF, .. })
        ));
        let mut r = Reassembler::new(
            Alphabet::Gsm7,
            SplitOptions {
                mode: Mode::Lossy,
                ..opts()
            },
        );
        assert_eq!(
            r.push(&part, true, None).map(|m| m.and_then(|m| m.text)),
            Ok(Some("A\u{FFFD}".to_string()))
        );
    }

    #[test]
    fn escape_split_by_a_foreign_sender_still_decodes() -> Result<(), TextError> {
        // ESC at the end of part 1, its code at the start of part 2: decoding the joined
        // septets recovers '€'.
        let mut r = Reassembler::new(Alphabet::Gsm7, opts());
        assert_eq!(
            r.push(&[0x05, 0x00, 0x03, 1, 2, 1, b'a', 0x1B], true, None)?,
            None
        );
        let m = r.push(&[0x05, 0x00, 0x03, 1, 2, 2, 0x65], true, None)?;
        assert_eq!(m.and_then(|m| m.text).as_deref(), Some("a€"));
        Ok(())
    }
}
