//! Owns the one-octet-per-character codecs: IA5/ASCII (data_coding 0x01) and Latin-1 /
//! ISO-8859-1 (data_coding 0x03), SMPP v3.4 §5.2.19.

use super::{Alphabet, Mode, TextError};

/// Highest code point of IA5 / ASCII (ANSI X3.4: 7-bit codes 0x00–0x7F).
pub(super) const IA5_MAX: u32 = 0x7F;

/// Highest code point of ISO-8859-1 (every octet maps to U+0000–U+00FF).
pub(super) const LATIN1_MAX: u32 = 0xFF;

fn max_of(alphabet: Alphabet) -> u32 {
    if alphabet == Alphabet::Ia5 {
        IA5_MAX
    } else {
        LATIN1_MAX
    }
}

/// Encodes `text` one octet per character; `alphabet` is [`Alphabet::Ia5`] or
/// [`Alphabet::Latin1`].
pub(super) fn encode(text: &str, alphabet: Alphabet, mode: Mode) -> Result<Vec<u8>, TextError> {
    let max = max_of(alphabet);
    let mut out = Vec::with_capacity(text.len());
    for (index, ch) in text.char_indices() {
        // IA5: only 0x00–0x7F exist; ISO-8859-1: code point == octet for U+0000–U+00FF.
        match u8::try_from(u32::from(ch)) {
            Ok(b) if u32::from(b) <= max => out.push(b),
            _ => match mode {
                Mode::Lossy => out.push(b'?'),
                Mode::Strict => {
                    return Err(TextError::Unencodable {
                        ch,
                        index,
                        alphabet,
                    });
                }
            },
        }
    }
    Ok(out)
}

/// Decodes one octet per character; IA5 rejects octets > 0x7F (U+FFFD in lossy mode),
/// Latin-1 accepts every octet.
pub(super) fn decode(data: &[u8], alphabet: Alphabet, mode: Mode) -> Result<String, TextError> {
    let max = max_of(alphabet);
    let mut out = String::with_capacity(data.len());
    for (offset, &byte) in data.iter().enumerate() {
        if u32::from(byte) <= max {
            out.push(char::from(byte));
        } else {
            match mode {
                Mode::Lossy => out.push(char::REPLACEMENT_CHARACTER),
                Mode::Strict => {
                    return Err(TextError::InvalidByte {
                        byte,
                        offset,
                        alphabet,
                    });
                }
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ia5_is_seven_bit() {
        assert_eq!(
            encode("A~\0", Alphabet::Ia5, Mode::Strict).as_deref(),
            Ok(&b"A~\0"[..])
        );
        assert_eq!(
            encode("Aé", Alphabet::Ia5, Mode::Strict),
            Err(TextError::Unencodable {
                ch: 'é',
                index: 1,
                alphabet: Alphabet::Ia5
            })
        );
        assert_eq!(
            decode(&[0x41, 0xE9], Alphabet::Ia5, Mode::Strict),
            Err(TextError::InvalidByte {
                byte: 0xE9,
                offset: 1,
                alphabet: Alphabet::Ia5
            })
        );
        assert_eq!(
            decode(&[0x41, 0xE9], Alphabet::Ia5, Mode::Lossy).as_deref(),
            Ok("A\u{FFFD}")
        );
    }

    #[test]
    fn latin1_covers_every_octet() {
        let all: Vec<u8> = (0..=255).collect();
        let text = decode(&all, Alphabet::Latin1, Mode::Strict).unwrap_or_default();
        assert_eq!(text.chars().count(), 256);
        assert_eq!(text.chars().nth(0xE9), Some('é'));
        assert_eq!(
            encode(&text, Alphabet::Latin1, Mode::Strict).as_deref(),
            Ok(&all[..])
        );
        assert_eq!(
            encode("€", Alphabet::Latin1, Mode::Strict),
            Err(TextError::Unencodable {
                ch: '€',
                index: 0,
                alphabet: Alphabet::Latin1
            })
        );
    }
}
