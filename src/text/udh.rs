//! Owns the User Data Header ([`Udh`], TS 23.040 §9.2.3.24): parsing and encoding UDHL + IEs,
//! typed concatenation / application-port IEs, and [`split_udh`] for a `short_message` whose
//! esm_class has UDHI (0x40) set.

use super::TextError;

/// IEI 0x00: concatenated short messages, 8-bit reference (TS 23.040 §9.2.3.24.1).
pub const IEI_CONCAT_8: u8 = 0x00;
/// IEI 0x04: application port addressing, 8-bit ports (TS 23.040 §9.2.3.24.3).
pub const IEI_PORT_8: u8 = 0x04;
/// IEI 0x05: application port addressing, 16-bit ports (TS 23.040 §9.2.3.24.4).
pub const IEI_PORT_16: u8 = 0x05;
/// IEI 0x08: concatenated short messages, 16-bit reference (TS 23.040 §9.2.3.24.8).
pub const IEI_CONCAT_16: u8 = 0x08;

/// One information element of a UDH.
///
/// Known IEIs are typed only when their IEDL is the one TS 23.040 defines; otherwise they are
/// kept as [`InformationElement::Other`] so that re-encoding gives back the exact octets.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum InformationElement {
    /// IEI 0x00, IEDL 3: concatenation with an 8-bit reference.
    Concat8 {
        /// Reference number, the same in every part.
        reference: u8,
        /// Total number of parts.
        total: u8,
        /// This part's number, from 1.
        seq: u8,
    },
    /// IEI 0x08, IEDL 4: concatenation with a 16-bit (big-endian) reference.
    Concat16 {
        /// Reference number, the same in every part.
        reference: u16,
        /// Total number of parts.
        total: u8,
        /// This part's number, from 1.
        seq: u8,
    },
    /// IEI 0x04, IEDL 2: 8-bit application ports.
    Port8 {
        /// Destination port.
        dest: u8,
        /// Originator port.
        src: u8,
    },
    /// IEI 0x05, IEDL 4: 16-bit (big-endian) application ports.
    Port16 {
        /// Destination port.
        dest: u16,
        /// Originator port.
        src: u16,
    },
    /// Any other IE, kept raw.
    Other {
        /// Information element identifier.
        iei: u8,
        /// IE data (IEDL octets).
        data: Vec<u8>,
    },
}

impl InformationElement {
    fn from_raw(iei: u8, data: &[u8]) -> InformationElement {
        match (iei, data) {
            (IEI_CONCAT_8, &[reference, total, seq]) => InformationElement::Concat8 {
                reference,
                total,
                seq,
            },
            (IEI_CONCAT_16, &[r0, r1, total, seq]) => InformationElement::Concat16 {
                reference: u16::from_be_bytes([r0, r1]),
                total,
                seq,
            },
            (IEI_PORT_8, &[dest, src]) => InformationElement::Port8 { dest, src },
            (IEI_PORT_16, &[d0, d1, s0, s1]) => InformationElement::Port16 {
                dest: u16::from_be_bytes([d0, d1]),
                src: u16::from_be_bytes([s0, s1]),
            },
            _ => InformationElement::Other {
                iei,
                data: data.to_vec(),
            },
        }
    }

    /// The IEI.
    #[must_use]
    pub fn iei(&self) -> u8 {
        match self {
            InformationElement::Concat8 { .. } => IEI_CONCAT_8,
            InformationElement::Concat16 { .. } => IEI_CONCAT_16,
            InformationElement::Port8 { .. } => IEI_PORT_8,
            InformationElement::Port16 { .. } => IEI_PORT_16,
            InformationElement::Other { iei, .. } => *iei,
        }
    }

    /// The IE data (without IEI and IEDL).
    #[must_use]
    pub fn data(&self) -> Vec<u8> {
        match self {
            InformationElement::Concat8 {
                reference,
                total,
                seq,
            } => vec![*reference, *total, *seq],
            InformationElement::Concat16 {
                reference,
                total,
                seq,
            } => {
                let [r0, r1] = reference.to_be_bytes();
                vec![r0, r1, *total, *seq]
            }
            InformationElement::Port8 { dest, src } => vec![*dest, *src],
            InformationElement::Port16 { dest, src } => {
                let [d0, d1] = dest.to_be_bytes();
                let [s0, s1] = src.to_be_bytes();
                vec![d0, d1, s0, s1]
            }
            InformationElement::Other { data, .. } => data.clone(),
        }
    }
}

/// Concatenation information from a UDH (see [`Udh::concat`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ConcatInfo {
    /// Reference (8-bit references widened).
    pub reference: u16,
    /// Whether the reference came from the 16-bit IE (0x08).
    pub wide: bool,
    /// Total number of parts, 1..=255.
    pub total: u8,
    /// This part's number, 1..=total.
    pub seq: u8,
}

/// A User Data Header: the UDHL octet is implied by the IEs.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Udh {
    /// The information elements, in wire order.
    pub ies: Vec<InformationElement>,
}

impl Udh {
    /// Parses the UDH at the start of `user_data` (first octet = UDHL). Returns the header and
    /// the number of octets it occupies (UDHL + 1).
    ///
    /// ```
    /// use smpp::text::{InformationElement, Udh};
    /// let (udh, len) = Udh::parse(&[0x05, 0x00, 0x03, 0xA7, 0x02, 0x01, b'H', b'i'])?;
    /// assert_eq!(len, 6);
    /// assert_eq!(udh.ies, [InformationElement::Concat8 { reference: 0xA7, total: 2, seq: 1 }]);
    /// assert_eq!(udh.encode()?, [0x05, 0x00, 0x03, 0xA7, 0x02, 0x01]);
    /// # Ok::<(), smpp::text::TextError>(())
    /// ```
    ///
    /// # Errors
    /// [`TextError::UdhTruncated`] if `user_data` is empty or shorter than UDHL + 1;
    /// [`TextError::UdhMalformed`] if an IE overruns the header.
    pub fn parse(user_data: &[u8]) -> Result<(Udh, usize), TextError> {
        let Some((&udhl, rest)) = user_data.split_first() else {
            return Err(TextError::UdhTruncated {
                needed: 1,
                available: 0,
            });
        };
        // TS 23.040 §9.2.3.24: UDHL = length of the rest of the header, in octets.
        let body = rest
            .get(..usize::from(udhl))
            .ok_or(TextError::UdhTruncated {
                needed: usize::from(udhl) + 1,
                available: user_data.len(),
            })?;
        let mut ies = Vec::new();
        let mut pos = 0usize;
        while pos < body.len() {
            // Each IE: IEI (1 octet), IEDL (1 octet), IEDL octets of data.
            let data = body
                .get(pos + 1)
                .and_then(|&iedl| body.get(pos + 2..pos + 2 + usize::from(iedl)));
            let (Some(&iei), Some(data)) = (body.get(pos), data) else {
                return Err(TextError::UdhMalformed { offset: pos + 1 });
            };
            ies.push(InformationElement::from_raw(iei, data));
            pos += 2 + data.len();
        }
        Ok((Udh { ies }, body.len() + 1))
    }

    /// Encodes UDHL followed by the IEs.
    ///
    /// # Errors
    /// [`TextError::UdhTooLong`] if an IE's data or the whole header exceeds 255 octets.
    pub fn encode(&self) -> Result<Vec<u8>, TextError> {
        let mut out = vec![0u8];
        for ie in &self.ies {
            let data = ie.data();
            let iedl =
                u8::try_from(data.len()).map_err(|_| TextError::UdhTooLong { len: data.len() })?;
            out.push(ie.iei());
            out.push(iedl);
            out.extend_from_slice(&data);
        }
        let udhl = out.len() - 1;
        let udhl_octet = u8::try_from(udhl).map_err(|_| TextError::UdhTooLong { len: udhl })?;
        if let Some(first) = out.first_mut() {
            *first = udhl_octet;
        }
        Ok(out)
    }

    /// Length of the encoded header, UDHL octet included.
    #[must_use]
    pub fn encoded_len(&self) -> usize {
        1 + self.ies.iter().map(|ie| 2 + ie.data().len()).sum::<usize>()
    }

    /// The concatenation IE that applies, if any.
    ///
    /// TS 23.040 §9.2.3.24.1 / .8: a total of 0, a sequence number of 0 or one greater than
    /// the total means the receiving entity "shall ignore the whole Information Element", so
    /// such IEs are skipped. When more than one usable concatenation IE is present, the last
    /// one is used (TS 23.040 §9.2.3.24: for duplicated non-repeatable or mutually exclusive
    /// IEs, the last occurrence applies).
    #[must_use]
    pub fn concat(&self) -> Option<ConcatInfo> {
        self.ies
            .iter()
            .rev()
            .filter_map(|ie| match *ie {
                InformationElement::Concat8 {
                    reference,
                    total,
                    seq,
                } => Some(ConcatInfo {
                    reference: u16::from(reference),
                    wide: false,
                    total,
                    seq,
                }),
                InformationElement::Concat16 {
                    reference,
                    total,
                    seq,
                } => Some(ConcatInfo {
                    reference,
                    wide: true,
                    total,
                    seq,
                }),
                _ => None,
            })
            .find(|c| c.total != 0 && c.seq != 0 && c.seq <= c.total)
    }
}

/// Splits a `short_message` into its UDH and the rest when `udhi` (esm_class bit 6, 0x40) is
/// set; otherwise returns `(None, short_message)`.
///
/// ```
/// use smpp::text::split_udh;
/// let sm = [0x06, 0x05, 0x04, 0x0B, 0x84, 0x23, 0xF0, 0xAA];
/// let (udh, rest) = split_udh(&sm, true)?;
/// assert_eq!(udh.map(|u| u.ies.len()), Some(1));
/// assert_eq!(rest, [0xAA]);
/// assert_eq!(split_udh(&sm, false)?.1, sm);
/// # Ok::<(), smpp::text::TextError>(())
/// ```
///
/// # Errors
/// As [`Udh::parse`].
pub fn split_udh(short_message: &[u8], udhi: bool) -> Result<(Option<Udh>, &[u8]), TextError> {
    if !udhi {
        return Ok((None, short_message));
    }
    let (udh, len) = Udh::parse(short_message)?;
    let rest = short_message.get(len..).unwrap_or_default();
    Ok((Some(udh), rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_ies_round_trip() -> Result<(), TextError> {
        let bytes = [
            0x0F, // UDHL 15
            0x05, 0x04, 0x0B, 0x84, 0x23, 0xF0, // port16 2948 ← 9200
            0x08, 0x04, 0x12, 0x34, 0x03, 0x02, // concat16
            0x24, 0x01, 0x05, // national single shift (kept raw)
        ];
        let (udh, len) = Udh::parse(&bytes)?;
        assert_eq!(len, bytes.len());
        assert_eq!(
            udh.ies,
            [
                InformationElement::Port16 {
                    dest: 2948,
                    src: 9200
                },
                InformationElement::Concat16 {
                    reference: 0x1234,
                    total: 3,
                    seq: 2
                },
                InformationElement::Other {
                    iei: 0x24,
                    data: vec![0x05]
                },
            ]
        );
        assert_eq!(udh.encode()?, bytes);
        assert_eq!(udh.encoded_len(), bytes.len());
        assert_eq!(
            udh.concat(),
            Some(ConcatInfo {
                reference: 0x1234,
                wide: true,
                total: 3,
                seq: 2
            })
        );
        Ok(())
    }

    #[test]
    fn port8_and_wrong_lengths_stay_exact() -> Result<(), TextError> {
        // Port8 typed; a concat8 IE with IEDL 4 is kept raw.
        let bytes = [0x0A, 0x04, 0x02, 0x10, 0x20, 0x00, 0x04, 1, 2, 3, 4];
        let (udh, _) = Udh::parse(&bytes)?;
        assert_eq!(
            udh.ies.first(),
            Some(&InformationElement::Port8 {
                dest: 0x10,
                src: 0x20
            })
        );
        assert!(matches!(
            udh.ies.get(1),
            Some(InformationElement::Other { iei: 0, .. })
        ));
        assert_eq!(udh.concat(), None);
        assert_eq!(udh.encode()?, bytes);
        Ok(())
    }

    #[test]
    fn ignored_concat_ies() -> Result<(), TextError> {
        for (total, seq) in [(0, 0), (2, 0), (2, 3), (0, 1)] {
            let (udh, _) = Udh::parse(&[0x05, 0x00, 0x03, 0x01, total, seq])?;
            assert_eq!(udh.concat(), None, "{total}/{seq}");
        }
        // last usable IE wins
        let (udh, _) = Udh::parse(&[
            0x0B, 0x00, 0x03, 0x01, 0x02, 0x01, 0x08, 0x04, 0x00, 0x09, 0x03, 0x03,
        ])?;
        assert_eq!(udh.concat().map(|c| (c.reference, c.wide)), Some((9, true)));
        Ok(())
    }

    #[test]
    fn malformed_headers() {
        assert_eq!(
            Udh::parse(&[]),
            Err(TextError::UdhTruncated {
                needed: 1,
                available: 0
            })
        );
        assert_eq!(
            Udh::parse(&[0x05, 0x00, 0x03]),
            Err(TextError::UdhTruncated {
                needed: 6,
                available: 3
            })
        );
        // IE data overruns UDHL
        assert_eq!(
            Udh::parse(&[0x03, 0x00, 0x03, 0x01, 0x02]),
            Err(TextError::UdhMalformed { offset: 1 })
        );
        // lone IEI without IEDL
        assert_eq!(
            Udh::parse(&[0x01, 0x00]),
            Err(TextError::UdhMalformed { offset: 1 })
        );
        assert_eq!(
            Udh::parse(&[0x00]).map(|(u, l)| (u.ies.len(), l)),
            Ok((0, 1))
        );
    }

    #[test]
    fn encode_limits() {
        let big = Udh {
            ies: vec![InformationElement::Other {
                iei: 0x70,
                data: vec![0; 256],
            }],
        };
        assert_eq!(big.encode(), Err(TextError::UdhTooLong { len: 256 }));
        let long = Udh {
            ies: vec![
                InformationElement::Other {
                    iei: 0x70,
                    data: vec![0; 200],
                };
                2
            ],
        };
        assert_eq!(long.encode(), Err(TextError::UdhTooLong { len: 404 }));
    }

    #[test]
    fn split_udh_takes_header_off() -> Result<(), TextError> {
        let sm = [0x05, 0x00, 0x03, 0xA7, 0x02, 0x01, 0x90, 0x69];
        let (udh, rest) = split_udh(&sm, true)?;
        assert_eq!(
            udh.and_then(|u| u.concat()),
            Some(ConcatInfo {
                reference: 0xA7,
                wide: false,
                total: 2,
                seq: 1
            })
        );
        assert_eq!(rest, [0x90, 0x69]);
        assert!(split_udh(&[], true).is_err());
        assert_eq!(split_udh(&[], false), Ok((None, &[][..])));
        Ok(())
    }
}
