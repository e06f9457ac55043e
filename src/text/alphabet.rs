//! Owns [`Alphabet`], the strict/lossy [`Mode`], and the alphabet-dispatching [`encode`] / [`decode`].

use std::fmt;

use super::{TextError, gsm, single_octet, ucs2};

/// The coding of short-message user data, as selected by `data_coding`.
///
/// The canonical SMPP v3.4 `data_coding` value of each is given by
/// [`Alphabet::to_data_coding`]; [`DataCodingInfo`](super::DataCodingInfo) maps the other way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Alphabet {
    /// GSM 7-bit default alphabet with its extension table (3GPP TS 23.038 §6.2.1).
    Gsm7,
    /// IA5 (CCITT T.50) / ASCII, one character per octet, 0x00–0x7F.
    Ia5,
    /// ISO-8859-1, one character per octet.
    Latin1,
    /// UCS2, carried as UTF-16BE (supplementary characters as surrogate pairs).
    Ucs2,
    /// Octet-unspecified 8-bit data: no text.
    Binary,
    /// Another coding this module does not decode (JIS, Cyrillic, Hebrew, pictogram, reserved,
    /// ...), holding the `data_coding` value that selected it.
    Other(u8),
}

impl Alphabet {
    /// The canonical SMPP v3.4 `data_coding` value (SMPP §5.2.19):
    /// GSM7 → 0x00, IA5 → 0x01, Latin1 → 0x03, Binary → 0x04, UCS2 → 0x08, `Other(v)` → `v`.
    ///
    /// 0x00 means "SMSC default alphabet"; it is GSM 7-bit on most SMSCs.
    #[must_use]
    pub const fn to_data_coding(self) -> u8 {
        match self {
            Alphabet::Gsm7 => 0x00,
            Alphabet::Ia5 => 0x01,
            Alphabet::Latin1 => 0x03,
            Alphabet::Binary => 0x04,
            Alphabet::Ucs2 => 0x08,
            Alphabet::Other(v) => v,
        }
    }

    /// The cheapest alphabet an SMS client would pick: GSM 7-bit if every character is in the
    /// default alphabet or its extension table, otherwise UCS2.
    ///
    /// ```
    /// use smpp::text::Alphabet;
    /// assert_eq!(Alphabet::best_for("Price: 5€ {net}"), Alphabet::Gsm7);
    /// assert_eq!(Alphabet::best_for("Привет"), Alphabet::Ucs2);
    /// ```
    #[must_use]
    pub fn best_for(text: &str) -> Alphabet {
        if text.chars().all(|c| gsm::septets_of(c).is_some()) {
            Alphabet::Gsm7
        } else {
            Alphabet::Ucs2
        }
    }

    /// Whether this alphabet carries text this module encodes and decodes.
    #[must_use]
    pub const fn is_text(self) -> bool {
        matches!(
            self,
            Alphabet::Gsm7 | Alphabet::Ia5 | Alphabet::Latin1 | Alphabet::Ucs2
        )
    }

    /// Whether `ch` can be encoded in this alphabet (always false for non-text alphabets).
    #[must_use]
    pub fn can_encode(self, ch: char) -> bool {
        match self {
            Alphabet::Gsm7 => gsm::septets_of(ch).is_some(),
            Alphabet::Ia5 => u32::from(ch) <= single_octet::IA5_MAX,
            Alphabet::Latin1 => u32::from(ch) <= single_octet::LATIN1_MAX,
            Alphabet::Ucs2 => true,
            Alphabet::Binary | Alphabet::Other(_) => false,
        }
    }
}

impl fmt::Display for Alphabet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Alphabet::Gsm7 => f.write_str("GSM 7-bit"),
            Alphabet::Ia5 => f.write_str("IA5"),
            Alphabet::Latin1 => f.write_str("Latin-1"),
            Alphabet::Ucs2 => f.write_str("UCS2"),
            Alphabet::Binary => f.write_str("binary"),
            Alphabet::Other(v) => write!(f, "data_coding {v:#04x}"),
        }
    }
}

/// What to do with characters or octets that do not fit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Mode {
    /// Fail with a typed [`TextError`].
    #[default]
    Strict,
    /// Encoding writes `?` for unencodable characters (GSM, IA5, Latin-1); decoding writes
    /// U+FFFD for invalid octets and lone surrogates, and a space for a trailing GSM escape.
    Lossy,
}

/// Encodes `text` in `alphabet`.
///
/// GSM 7-bit output is unpacked: one septet per octet, extension characters as 0x1B pairs
/// (use [`gsm::pack`] for the air-interface form). UCS2 output is UTF-16BE.
///
/// ```
/// use smpp::text::{Alphabet, Mode, TextError, encode};
/// assert_eq!(encode("a€", Alphabet::Gsm7, Mode::Strict)?, [0x61, 0x1B, 0x65]);
/// assert_eq!(encode("a€", Alphabet::Ucs2, Mode::Strict)?, [0x00, 0x61, 0x20, 0xAC]);
/// assert_eq!(encode("a€", Alphabet::Latin1, Mode::Lossy)?, b"a?");
/// assert!(matches!(
///     encode("a€", Alphabet::Ia5, Mode::Strict),
///     Err(TextError::Unencodable { ch: '€', index: 1, .. })
/// ));
/// # Ok::<(), TextError>(())
/// ```
///
/// # Errors
/// [`TextError::Unencodable`] in strict mode; [`TextError::NotText`] for binary and other
/// alphabets.
pub fn encode(text: &str, alphabet: Alphabet, mode: Mode) -> Result<Vec<u8>, TextError> {
    match alphabet {
        Alphabet::Gsm7 => gsm::encode(text, mode),
        Alphabet::Ia5 | Alphabet::Latin1 => single_octet::encode(text, alphabet, mode),
        Alphabet::Ucs2 => Ok(ucs2::encode(text)),
        Alphabet::Binary | Alphabet::Other(_) => Err(TextError::NotText { alphabet }),
    }
}

/// Decodes `data` in `alphabet` (GSM 7-bit: unpacked, one septet per octet).
///
/// ```
/// use smpp::text::{Alphabet, Mode, TextError, decode};
/// assert_eq!(decode(&[0x00, 0x1B, 0x65], Alphabet::Gsm7, Mode::Strict)?, "@€");
/// assert_eq!(decode(&[0xD8, 0x3D, 0xDE, 0x00], Alphabet::Ucs2, Mode::Strict)?, "😀");
/// assert!(decode(&[0xD8, 0x3D], Alphabet::Ucs2, Mode::Strict).is_err());
/// assert_eq!(decode(&[0xD8, 0x3D], Alphabet::Ucs2, Mode::Lossy)?, "\u{FFFD}");
/// # Ok::<(), TextError>(())
/// ```
///
/// # Errors
/// Typed decoding errors in strict mode (see [`TextError`]); [`TextError::NotText`] for binary
/// and other alphabets in either mode.
pub fn decode(data: &[u8], alphabet: Alphabet, mode: Mode) -> Result<String, TextError> {
    match alphabet {
        Alphabet::Gsm7 => gsm::decode(data, mode),
        Alphabet::Ia5 | Alphabet::Latin1 => single_octet::decode(data, alphabet, mode),
        Alphabet::Ucs2 => ucs2::decode(data, mode),
        Alphabet::Binary | Alphabet::Other(_) => Err(TextError::NotText { alphabet }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_data_coding_values() {
        // SMPP v3.4 §5.2.19 table.
        assert_eq!(Alphabet::Gsm7.to_data_coding(), 0x00);
        assert_eq!(Alphabet::Ia5.to_data_coding(), 0x01);
        assert_eq!(Alphabet::Latin1.to_data_coding(), 0x03);
        assert_eq!(Alphabet::Binary.to_data_coding(), 0x04);
        assert_eq!(Alphabet::Ucs2.to_data_coding(), 0x08);
        assert_eq!(Alphabet::Other(0x06).to_data_coding(), 0x06);
    }

    #[test]
    fn best_for_picks_gsm_only_when_everything_fits() {
        assert_eq!(Alphabet::best_for(""), Alphabet::Gsm7);
        assert_eq!(Alphabet::best_for("§ΔΩ[]~|^\\{}€\u{0C}"), Alphabet::Gsm7);
        assert_eq!(Alphabet::best_for("a`b"), Alphabet::Ucs2);
        assert_eq!(Alphabet::best_for("ça"), Alphabet::Ucs2); // only capital Ç is in the table
        assert_eq!(Alphabet::best_for("hi 😀"), Alphabet::Ucs2);
    }

    #[test]
    fn non_text_alphabets_refuse() {
        for a in [Alphabet::Binary, Alphabet::Other(5)] {
            assert_eq!(
                encode("x", a, Mode::Lossy),
                Err(TextError::NotText { alphabet: a })
            );
            assert_eq!(
                decode(b"x", a, Mode::Lossy),
                Err(TextError::NotText { alphabet: a })
            );
            assert!(!a.is_text());
            assert!(!a.can_encode('x'));
        }
    }

    #[test]
    fn lossy_encoding_marks_with_question_mark() {
        assert_eq!(
            encode("a😀b", Alphabet::Gsm7, Mode::Lossy).as_deref(),
            Ok(&b"a?b"[..])
        );
        assert_eq!(
            encode("é😀", Alphabet::Ia5, Mode::Lossy).as_deref(),
            Ok(&b"??"[..])
        );
        assert_eq!(
            encode("é😀", Alphabet::Latin1, Mode::Lossy).as_deref(),
            Ok(&[0xE9, b'?'][..])
        );
    }
}
