//! Owns the interpretation of the SMPP `data_coding` octet ([`DataCodingInfo`]): SMPP v3.4
//! §5.2.19 for 0x00–0x0F, and 3GPP TS 23.038 §4 SMS data coding groups above.
//!
//! | Values | Read as | SMPP v3.4 says |
//! |---|---|---|
//! | 0x00–0x0F | SMPP v3.4 §5.2.19 table (0x00 = SMSC default alphabet, 0x01 IA5, 0x02/0x04 binary, 0x03 Latin-1, 0x08 UCS2, others not decoded) | defined (0x0B, 0x0C, 0x0F reserved) |
//! | 0x10–0x3F | TS 23.038 general data coding group 00xx (bit 5 compressed, bit 4 class present, bits 3–2 alphabet, bits 1–0 class) — de-facto SMSC pass-through | reserved |
//! | 0x40–0x7F | TS 23.038 group 01xx "marked for automatic deletion", bits 5–0 as 00xx | reserved |
//! | 0x80–0xBF | TS 23.038 reserved coding groups 1000–1011 | reserved |
//! | 0xC0–0xCF | TS 23.038 MWI group "discard message", GSM 7-bit | GSM MWI control |
//! | 0xD0–0xDF | TS 23.038 MWI group "store message", GSM 7-bit | GSM MWI control |
//! | 0xE0–0xEF | TS 23.038 MWI group "store message", UCS2 | reserved |
//! | 0xF0–0xFF | TS 23.038 group 1111 data coding / message class (bit 2: GSM 7-bit or 8-bit data, bits 1–0 class) | GSM message class control |
//!
//! Reserved values (and the reserved alphabet 11 of groups 00xx/01xx) give
//! [`Alphabet::Other`]: TS 23.038 §4 would have a handset "assume the GSM 7 bit default
//! alphabet", but SMPP calls them reserved, so this module does not guess.

use super::Alphabet;

/// Message class of TS 23.038 (bits 1–0 where the coding group gives them a class meaning).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MessageClass {
    /// Class 0: immediate display ("flash").
    Class0,
    /// Class 1: ME-specific.
    Class1,
    /// Class 2: (U)SIM-specific.
    Class2,
    /// Class 3: TE-specific.
    Class3,
}

impl MessageClass {
    /// The class from bits 1–0 of `bits`.
    #[must_use]
    pub const fn from_bits(bits: u8) -> MessageClass {
        match bits & 0x03 {
            0 => MessageClass::Class0,
            1 => MessageClass::Class1,
            2 => MessageClass::Class2,
            _ => MessageClass::Class3,
        }
    }

    /// The class number, 0..=3.
    #[must_use]
    pub const fn number(self) -> u8 {
        self as u8
    }
}

/// The kind of message waiting (TS 23.038 §4, MWI groups, bits 1–0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IndicationType {
    /// 00: voicemail message waiting.
    Voicemail,
    /// 01: fax message waiting.
    Fax,
    /// 10: electronic mail message waiting.
    Email,
    /// 11: other message waiting.
    Other,
}

/// Message Waiting Indication carried by `data_coding` 0xC0–0xEF (TS 23.038 §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MessageWaiting {
    /// `false` for group 1100 (the handset may discard the text), `true` for 1101 / 1110
    /// (store the text).
    pub store: bool,
    /// Bit 3: indication active (`true`) or inactive.
    pub active: bool,
    /// Bits 1–0: what is waiting.
    pub kind: IndicationType,
}

/// Which table a `data_coding` value was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DcsGroup {
    /// 0x00–0x0F: SMPP v3.4 §5.2.19 table.
    Smpp,
    /// 0x10–0x3F: TS 23.038 general data coding (SMPP-reserved; de-facto SMSC use).
    GsmGeneral,
    /// 0x40–0x7F: TS 23.038 "message marked for automatic deletion" (SMPP-reserved).
    GsmAutoDeletion,
    /// 0x80–0xBF: reserved in both SMPP and TS 23.038.
    Reserved,
    /// 0xC0–0xDF: TS 23.038 MWI groups, GSM 7-bit text (SMPP: "GSM MWI control").
    GsmMessageWaiting,
    /// 0xE0–0xEF: TS 23.038 MWI store group with UCS2 text (SMPP-reserved).
    GsmMessageWaitingUcs2,
    /// 0xF0–0xFF: TS 23.038 data coding / message class (SMPP: "GSM message class control").
    GsmMessageClass,
}

/// What a `data_coding` octet says about the user data.
///
/// ```
/// use smpp::text::{Alphabet, DataCodingInfo, DcsGroup, MessageClass};
/// let info = DataCodingInfo::from_data_coding(0x18, Alphabet::Gsm7);
/// assert_eq!(info.group, DcsGroup::GsmGeneral);
/// assert_eq!(info.alphabet, Alphabet::Ucs2);
/// assert_eq!(info.message_class, Some(MessageClass::Class0)); // flash UCS2
/// assert!(info.smpp_reserved);
///
/// let info = DataCodingInfo::from_data_coding(0x00, Alphabet::Latin1);
/// assert_eq!(info.alphabet, Alphabet::Latin1); // "SMSC default alphabet"
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DataCodingInfo {
    /// The value interpreted.
    pub data_coding: u8,
    /// Which table gave the meaning.
    pub group: DcsGroup,
    /// How the user data is coded.
    pub alphabet: Alphabet,
    /// The message class, where the bit pattern carries one.
    pub message_class: Option<MessageClass>,
    /// TS 23.038 bit 5 of groups 00xx/01xx: text compressed per TS 23.042 (not decoded here;
    /// `alphabet` is then the alphabet before compression).
    pub compressed: bool,
    /// Group 01xx: the message is marked for automatic deletion after reading.
    pub auto_delete: bool,
    /// MWI groups 0xC0–0xEF.
    pub message_waiting: Option<MessageWaiting>,
    /// SMPP v3.4 §5.2.19 lists the value as reserved (the meaning above then comes from
    /// TS 23.038 or is "reserved").
    pub smpp_reserved: bool,
}

impl DataCodingInfo {
    /// Interprets `dc`; `smsc_default` is what the SMSC uses for 0x00 ("SMSC Default
    /// Alphabet", SMPP v3.4 §5.2.19) — usually [`Alphabet::Gsm7`].
    #[must_use]
    pub fn from_data_coding(dc: u8, smsc_default: Alphabet) -> DataCodingInfo {
        let mut info = DataCodingInfo {
            data_coding: dc,
            group: DcsGroup::Smpp,
            alphabet: Alphabet::Other(dc),
            message_class: None,
            compressed: false,
            auto_delete: false,
            message_waiting: None,
            smpp_reserved: false,
        };
        match dc {
            // SMPP v3.4 §5.2.19 T: 0x00 SMSC default, 0x01 IA5, 0x02 octet unspecified,
            // 0x03 Latin-1, 0x04 octet unspecified, 0x05 JIS, 0x06 Cyrillic, 0x07 Hebrew,
            // 0x08 UCS2, 0x09 pictogram, 0x0A ISO-2022-JP, 0x0B-0x0C reserved,
            // 0x0D extended Kanji JIS, 0x0E KS C 5601, 0x0F reserved.
            0x00..=0x0F => {
                info.alphabet = match dc {
                    0x00 => smsc_default,
                    0x01 => Alphabet::Ia5,
                    0x02 | 0x04 => Alphabet::Binary,
                    0x03 => Alphabet::Latin1,
                    0x08 => Alphabet::Ucs2,
                    _ => Alphabet::Other(dc),
                };
                info.smpp_reserved = matches!(dc, 0x0B | 0x0C | 0x0F);
            }
            // TS 23.038 §4, 00xx "General Data Coding indication" and 01xx "Message Marked
            // for Automatic Deletion Group" ("Bit 5..0 are coded exactly the same as Group
            // 00xx"). SMPP v3.4 §5.2.19: 0x0F–0xBF reserved.
            0x10..=0x7F => {
                info.group = if dc < 0x40 {
                    DcsGroup::GsmGeneral
                } else {
                    DcsGroup::GsmAutoDeletion
                };
                info.auto_delete = dc >= 0x40;
                info.smpp_reserved = true;
                // Bit 5: 1 = text compressed (TS 23.042).
                info.compressed = dc & 0x20 != 0;
                // Bit 4: 1 = bits 1..0 have a message class meaning.
                if dc & 0x10 != 0 {
                    info.message_class = Some(MessageClass::from_bits(dc));
                }
                // Bits 3..2: 00 GSM 7 bit default alphabet, 01 8 bit data, 10 UCS2, 11 reserved.
                info.alphabet = match (dc >> 2) & 0x03 {
                    0 => Alphabet::Gsm7,
                    1 => Alphabet::Binary,
                    2 => Alphabet::Ucs2,
                    _ => Alphabet::Other(dc),
                };
            }
            // TS 23.038 §4: 1000..1011 reserved coding groups. SMPP: reserved.
            0x80..=0xBF => {
                info.group = DcsGroup::Reserved;
                info.smpp_reserved = true;
            }
            // TS 23.038 §4: 1100 MWI "Discard Message", 1101 MWI "Store Message" (GSM 7 bit
            // default alphabet), 1110 MWI "Store Message" with UCS2 text. Bit 3: indication
            // active; bit 2 reserved; bits 1..0: 00 voicemail, 01 fax, 10 e-mail, 11 other.
            0xC0..=0xEF => {
                let ucs2 = dc >= 0xE0;
                info.group = if ucs2 {
                    DcsGroup::GsmMessageWaitingUcs2
                } else {
                    DcsGroup::GsmMessageWaiting
                };
                info.smpp_reserved = ucs2; // SMPP v3.4: 0xE0–0xEF reserved
                info.alphabet = if ucs2 { Alphabet::Ucs2 } else { Alphabet::Gsm7 };
                info.message_waiting = Some(MessageWaiting {
                    store: dc >= 0xD0,
                    active: dc & 0x08 != 0,
                    kind: match dc & 0x03 {
                        0 => IndicationType::Voicemail,
                        1 => IndicationType::Fax,
                        2 => IndicationType::Email,
                        _ => IndicationType::Other,
                    },
                });
            }
            // TS 23.038 §4, 1111 "Data coding/message class": bit 3 reserved, bit 2 message
            // coding (0 GSM 7 bit default alphabet, 1 8-bit data), bits 1..0 message class.
            0xF0..=0xFF => {
                info.group = DcsGroup::GsmMessageClass;
                info.alphabet = if dc & 0x04 != 0 {
                    Alphabet::Binary
                } else {
                    Alphabet::Gsm7
                };
                info.message_class = Some(MessageClass::from_bits(dc));
            }
        }
        info
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(dc: u8) -> DataCodingInfo {
        DataCodingInfo::from_data_coding(dc, Alphabet::Gsm7)
    }

    #[test]
    fn smpp_table() {
        let expect = [
            (0x00, Alphabet::Gsm7),
            (0x01, Alphabet::Ia5),
            (0x02, Alphabet::Binary),
            (0x03, Alphabet::Latin1),
            (0x04, Alphabet::Binary),
            (0x05, Alphabet::Other(0x05)),
            (0x06, Alphabet::Other(0x06)),
            (0x07, Alphabet::Other(0x07)),
            (0x08, Alphabet::Ucs2),
            (0x09, Alphabet::Other(0x09)),
            (0x0A, Alphabet::Other(0x0A)),
            (0x0B, Alphabet::Other(0x0B)),
            (0x0C, Alphabet::Other(0x0C)),
            (0x0D, Alphabet::Other(0x0D)),
            (0x0E, Alphabet::Other(0x0E)),
            (0x0F, Alphabet::Other(0x0F)),
        ];
        for (dc, alphabet) in expect {
            let i = info(dc);
            assert_eq!(i.alphabet, alphabet, "{dc:#04x}");
            assert_eq!(i.group, DcsGroup::Smpp);
            assert_eq!(i.message_class, None);
            assert_eq!(i.message_waiting, None);
            assert!(!i.compressed);
            assert_eq!(i.smpp_reserved, matches!(dc, 0x0B | 0x0C | 0x0F));
        }
        assert_eq!(
            DataCodingInfo::from_data_coding(0, Alphabet::Ia5).alphabet,
            Alphabet::Ia5
        );
        // The canonical values map back to their alphabet.
        for a in [
            Alphabet::Gsm7,
            Alphabet::Ia5,
            Alphabet::Latin1,
            Alphabet::Binary,
            Alphabet::Ucs2,
        ] {
            assert_eq!(info(a.to_data_coding()).alphabet, a);
        }
    }

    #[test]
    fn general_data_coding_group() {
        assert_eq!(info(0x10).alphabet, Alphabet::Gsm7);
        assert_eq!(info(0x10).message_class, Some(MessageClass::Class0));
        assert_eq!(info(0x11).message_class, Some(MessageClass::Class1));
        assert_eq!(info(0x16).alphabet, Alphabet::Binary);
        assert_eq!(info(0x16).message_class, Some(MessageClass::Class2));
        assert_eq!(info(0x18).alphabet, Alphabet::Ucs2);
        assert_eq!(info(0x1B).message_class, Some(MessageClass::Class3));
        assert_eq!(info(0x1C).alphabet, Alphabet::Other(0x1C));
        // bit 4 clear: no class
        assert_eq!(info(0x21).message_class, None);
        assert!(info(0x21).compressed);
        assert!(!info(0x11).compressed);
        for dc in 0x10..=0x3F_u8 {
            let i = info(dc);
            assert_eq!(i.group, DcsGroup::GsmGeneral);
            assert!(i.smpp_reserved && !i.auto_delete);
            assert_eq!(i.message_class.is_some(), dc & 0x10 != 0);
            assert_eq!(i.compressed, dc & 0x20 != 0);
        }
    }

    #[test]
    fn automatic_deletion_group() {
        let i = info(0x58);
        assert_eq!(i.group, DcsGroup::GsmAutoDeletion);
        assert!(i.auto_delete && i.smpp_reserved);
        assert_eq!(i.alphabet, Alphabet::Ucs2);
        assert_eq!(i.message_class, Some(MessageClass::Class0));
        assert_eq!(info(0x44).alphabet, Alphabet::Binary);
        assert_eq!(info(0x44).message_class, None);
        assert!(info(0x60).compressed);
    }

    #[test]
    fn reserved_groups() {
        for dc in 0x80..=0xBF_u8 {
            let i = info(dc);
            assert_eq!(i.group, DcsGroup::Reserved);
            assert_eq!(i.alphabet, Alphabet::Other(dc));
            assert!(i.smpp_reserved);
        }
    }

    #[test]
    fn message_waiting_groups() {
        let i = info(0xC8);
        assert_eq!(i.group, DcsGroup::GsmMessageWaiting);
        assert_eq!(i.alphabet, Alphabet::Gsm7);
        assert!(!i.smpp_reserved);
        assert_eq!(
            i.message_waiting,
            Some(MessageWaiting {
                store: false,
                active: true,
                kind: IndicationType::Voicemail
            })
        );
        let i = info(0xD1);
        assert_eq!(
            i.message_waiting,
            Some(MessageWaiting {
                store: true,
                active: false,
                kind: IndicationType::Fax
            })
        );
        let i = info(0xEA);
        assert_eq!(i.group, DcsGroup::GsmMessageWaitingUcs2);
        assert_eq!(i.alphabet, Alphabet::Ucs2);
        assert!(i.smpp_reserved);
        assert_eq!(
            i.message_waiting,
            Some(MessageWaiting {
                store: true,
                active: true,
                kind: IndicationType::Email
            })
        );
        assert_eq!(
            info(0xDB).message_waiting.map(|m| m.kind),
            Some(IndicationType::Other)
        );
        for dc in 0xC0..=0xEF_u8 {
            assert!(info(dc).message_waiting.is_some());
            assert_eq!(info(dc).message_class, None);
        }
    }

    #[test]
    fn message_class_group() {
        assert_eq!(info(0xF0).alphabet, Alphabet::Gsm7);
        assert_eq!(info(0xF0).message_class, Some(MessageClass::Class0));
        assert_eq!(info(0xF5).alphabet, Alphabet::Binary);
        assert_eq!(info(0xF5).message_class, Some(MessageClass::Class1));
        assert_eq!(info(0xF6).message_class.map(MessageClass::number), Some(2));
        assert_eq!(info(0xFF).message_class, Some(MessageClass::Class3));
        for dc in 0xF0..=0xFF_u8 {
            assert_eq!(info(dc).group, DcsGroup::GsmMessageClass);
            assert!(!info(dc).smpp_reserved);
        }
    }
}
