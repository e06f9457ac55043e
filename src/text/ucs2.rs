//! Owns the UCS2 codec (data_coding 0x08): UTF-16BE with surrogate pairs for characters
//! beyond the BMP.

use super::{Mode, TextError};

/// Encodes `text` as UTF-16BE. Every `char` is encodable.
pub(super) fn encode(text: &str) -> Vec<u8> {
    text.encode_utf16().flat_map(u16::to_be_bytes).collect()
}

/// Decodes UTF-16BE. Strict mode rejects an odd length and unpaired surrogates; lossy mode
/// writes U+FFFD for each unpaired surrogate and for a final odd octet.
pub(super) fn decode(data: &[u8], mode: Mode) -> Result<String, TextError> {
    let odd = data.len() % 2 == 1;
    if odd && mode == Mode::Strict {
        return Err(TextError::OddUcs2Length { len: data.len() });
    }
    let units = data
        .chunks_exact(2)
        .map(|pair| pair.iter().fold(0u16, |acc, &b| (acc << 8) | u16::from(b)));
    let mut out = String::with_capacity(data.len() / 2);
    let mut unit_pos = 0usize;
    for decoded in char::decode_utf16(units) {
        match decoded {
            Ok(ch) => {
                unit_pos += ch.len_utf16();
                out.push(ch);
            }
            Err(e) => {
                if mode == Mode::Strict {
                    return Err(TextError::LoneSurrogate {
                        unit: e.unpaired_surrogate(),
                        offset: unit_pos * 2,
                    });
                }
                unit_pos += 1;
                out.push(char::REPLACEMENT_CHARACTER);
            }
        }
    }
    if odd {
        out.push(char::REPLACEMENT_CHARACTER);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn surrogate_pairs() {
        assert_eq!(encode("😀"), [0xD8, 0x3D, 0xDE, 0x00]);
        assert_eq!(encode("aé"), [0x00, 0x61, 0x00, 0xE9]);
        assert_eq!(
            decode(&[0x00, 0x61, 0xD8, 0x3D, 0xDE, 0x00], Mode::Strict).as_deref(),
            Ok("a😀")
        );
    }

    #[test]
    fn lone_surrogates() {
        // high surrogate followed by a non-surrogate
        assert_eq!(
            decode(&[0x00, 0x61, 0xD8, 0x3D, 0x00, 0x62], Mode::Strict),
            Err(TextError::LoneSurrogate {
                unit: 0xD83D,
                offset: 2
            })
        );
        assert_eq!(
            decode(&[0x00, 0x61, 0xD8, 0x3D, 0x00, 0x62], Mode::Lossy).as_deref(),
            Ok("a\u{FFFD}b")
        );
        // lone low surrogate
        assert_eq!(
            decode(&[0xDE, 0x00], Mode::Strict),
            Err(TextError::LoneSurrogate {
                unit: 0xDE00,
                offset: 0
            })
        );
    }

    #[test]
    fn odd_length() {
        assert_eq!(
            decode(&[0x00, 0x61, 0x00], Mode::Strict),
            Err(TextError::OddUcs2Length { len: 3 })
        );
        assert_eq!(
            decode(&[0x00, 0x61, 0x00], Mode::Lossy).as_deref(),
            Ok("a\u{FFFD}")
        );
    }
}
