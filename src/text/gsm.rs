//! Owns the GSM 7-bit default alphabet (3GPP TS 23.038 §6.2.1 + extension table §6.2.1.1):
//! unpacked septet encode/decode, septet packing/unpacking (§6.1.2.1) and UDH fill bits.
//!
//! "Unpacked" means one septet per octet (bit 7 zero), which is how SMPP `short_message`
//! usually carries data_coding 0; "packed" is the air-interface form, 8 septets in 7 octets.
//!
//! Decoding rules (TS 23.038 §6.2.1.1 and its notes):
//! * ESC (0x1B) followed by a code that is not in the extension table decodes as the
//!   basic-table character of that code ("display the character shown in the main default
//!   7 bit alphabet table").
//! * ESC ESC (0x1B 0x1B) is reserved for a further extension table: "a receiving entity shall
//!   display a space until another extension table is defined", so the pair decodes as `' '`.
//! * ESC 0x0D (CR2 in newer releases) has no Unicode mapping and decodes as `'\r'` per the
//!   first rule.
//! * A lone ESC at the end of the data has no code to escape: an error
//!   ([`TextError::TrailingEscape`]) in strict mode; in lossy mode it decodes as a space, as a
//!   receiver without extension support shows ESC (TS 23.038 §6.2.1 note 1).

use super::{Alphabet, Mode, TextError};

/// The escape septet that switches to the extension table.
pub const ESC: u8 = 0x1B;

/// Carriage return in the default alphabet (used for the §6.1.2.1.1 padding rule).
pub const CR: u8 = 0x0D;

/// TS 23.038 §6.2.1, basic table, indexed by septet. Index 0x1B is ESC and never mapped.
const BASIC: [char; 128] = [
    // 0x00
    '@', '\u{00A3}', '$', '\u{00A5}', '\u{00E8}', '\u{00E9}', '\u{00F9}', '\u{00EC}', '\u{00F2}',
    '\u{00C7}', '\n', '\u{00D8}', '\u{00F8}', '\r', '\u{00C5}', '\u{00E5}',
    // 0x10
    '\u{0394}', '_', '\u{03A6}', '\u{0393}', '\u{039B}', '\u{03A9}', '\u{03A0}', '\u{03A8}',
    '\u{03A3}', '\u{0398}', '\u{039E}', '\u{001B}', '\u{00C6}', '\u{00E6}', '\u{00DF}', '\u{00C9}',
    // 0x20
    ' ', '!', '"', '#', '\u{00A4}', '%', '&', '\'', '(', ')', '*', '+', ',', '-', '.', '/',
    // 0x30
    '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', ':', ';', '<', '=', '>', '?',
    // 0x40
    '\u{00A1}', 'A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J', 'K', 'L', 'M', 'N', 'O',
    // 0x50 (0x5F is § — not ` as some libraries have it)
    'P', 'Q', 'R', 'S', 'T', 'U', 'V', 'W', 'X', 'Y', 'Z', '\u{00C4}', '\u{00D6}', '\u{00D1}',
    '\u{00DC}', '\u{00A7}', // 0x60
    '\u{00BF}', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o',
    // 0x70
    'p', 'q', 'r', 's', 't', 'u', 'v', 'w', 'x', 'y', 'z', '\u{00E4}', '\u{00F6}', '\u{00F1}',
    '\u{00FC}', '\u{00E0}',
];

/// TS 23.038 §6.2.1.1, extension table: (code after ESC, character).
const EXTENSION: [(u8, char); 10] = [
    (0x0A, '\u{000C}'), // form feed (page break)
    (0x14, '^'),
    (0x28, '{'),
    (0x29, '}'),
    (0x2F, '\\'),
    (0x3C, '['),
    (0x3D, '~'),
    (0x3E, ']'),
    (0x40, '|'),
    (0x65, '\u{20AC}'), // €
];

/// Reverse of [`BASIC`] for ASCII characters; 0xFF = not in the basic table.
const ASCII_TO_SEPTET: [u8; 128] = {
    let mut table = [0xFF_u8; 128];
    let mut code = 0;
    while code < 128 {
        let ch = BASIC[code] as u32;
        if code != ESC as usize && ch < 128 {
            table[ch as usize] = code as u8;
        }
        code += 1;
    }
    table
};

/// The septets of one character: one basic code, or ESC plus an extension code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Septets {
    /// A basic-table code.
    Basic(u8),
    /// An extension-table code, sent after ESC.
    Extended(u8),
}

impl Septets {
    /// Number of septets this character costs (1 or 2).
    pub(super) const fn len(self) -> usize {
        match self {
            Septets::Basic(_) => 1,
            Septets::Extended(_) => 2,
        }
    }

    /// Appends the septets to `out`.
    pub(super) fn push_to(self, out: &mut Vec<u8>) {
        match self {
            Septets::Basic(c) => out.push(c),
            Septets::Extended(c) => out.extend_from_slice(&[ESC, c]),
        }
    }
}

/// The GSM code(s) of `ch`, or `None` if it is not in the default alphabet or extension table.
pub(super) fn septets_of(ch: char) -> Option<Septets> {
    let basic = if ch.is_ascii() {
        ASCII_TO_SEPTET
            .get(usize::from(ch as u8))
            .copied()
            .filter(|&c| c != 0xFF)
    } else {
        BASIC
            .iter()
            .position(|&b| b == ch)
            .and_then(|p| u8::try_from(p).ok())
    };
    if let Some(code) = basic {
        return Some(Septets::Basic(code));
    }
    EXTENSION
        .iter()
        .find(|&&(_, c)| c == ch)
        .map(|&(code, _)| Septets::Extended(code))
}

/// Number of septets `text` needs in the GSM 7-bit alphabet (extension characters count 2),
/// or `None` if some character is not in it.
///
/// ```
/// assert_eq!(smpp::text::gsm::septet_count("a€"), Some(3));
/// assert_eq!(smpp::text::gsm::septet_count("a`"), None);
/// ```
#[must_use]
pub fn septet_count(text: &str) -> Option<usize> {
    text.chars()
        .try_fold(0usize, |n, c| Some(n + septets_of(c)?.len()))
}

/// Encodes `text` as unpacked septets (one per octet), extension characters as ESC pairs.
///
/// ```
/// use smpp::text::{Mode, gsm};
/// assert_eq!(gsm::encode("§{", Mode::Strict)?, [0x5F, 0x1B, 0x28]);
/// # Ok::<(), smpp::text::TextError>(())
/// ```
///
/// # Errors
/// [`TextError::Unencodable`] in strict mode for a character outside the alphabet; lossy mode
/// writes `?` (0x3F) instead.
pub fn encode(text: &str, mode: Mode) -> Result<Vec<u8>, TextError> {
    let mut out = Vec::with_capacity(text.len());
    for (index, ch) in text.char_indices() {
        match (septets_of(ch), mode) {
            (Some(s), _) => s.push_to(&mut out),
            (None, Mode::Lossy) => out.push(b'?'), // '?' is 0x3F in the basic table too
            (None, Mode::Strict) => {
                return Err(TextError::Unencodable {
                    ch,
                    index,
                    alphabet: Alphabet::Gsm7,
                });
            }
        }
    }
    Ok(out)
}

/// The basic-table character of `code`, `None` for ESC and codes > 0x7F.
fn basic_char(code: u8) -> Option<char> {
    if code == ESC {
        None
    } else {
        BASIC.get(usize::from(code)).copied()
    }
}

/// Decodes unpacked septets (one per octet). See the module docs for the escape rules.
///
/// ```
/// use smpp::text::{Mode, TextError, gsm};
/// assert_eq!(gsm::decode(&[0x1B, 0x3C, 0x1B, 0x41], Mode::Strict)?, "[A");
/// assert_eq!(gsm::decode(&[0x41, 0x1B], Mode::Lossy)?, "A ");
/// assert_eq!(gsm::decode(&[0x41, 0x1B], Mode::Strict), Err(TextError::TrailingEscape { offset: 1 }));
/// # Ok::<(), TextError>(())
/// ```
///
/// # Errors
/// In strict mode: [`TextError::InvalidByte`] for an octet > 0x7F, [`TextError::TrailingEscape`]
/// for a final lone ESC. Lossy mode never fails (U+FFFD for octets > 0x7F).
pub fn decode(septets: &[u8], mode: Mode) -> Result<String, TextError> {
    let invalid = |byte: u8, offset: usize| -> Result<char, TextError> {
        match mode {
            Mode::Lossy => Ok(char::REPLACEMENT_CHARACTER),
            Mode::Strict => Err(TextError::InvalidByte {
                byte,
                offset,
                alphabet: Alphabet::Gsm7,
            }),
        }
    };
    let mut out = String::with_capacity(septets.len());
    let mut iter = septets.iter().copied().enumerate();
    while let Some((offset, code)) = iter.next() {
        let ch = if code == ESC {
            match iter.next() {
                // TS 23.038 §6.2.1 note: an ESC with nothing after it is shown as a space by a
                // receiver that cannot use it; strict mode reports it.
                None => match mode {
                    Mode::Lossy => ' ',
                    Mode::Strict => return Err(TextError::TrailingEscape { offset }),
                },
                // TS 23.038 §6.2.1.1: 0x1B in the extension table is reserved for another
                // extension table; "display a space until another extension table is defined".
                Some((_, ESC)) => ' ',
                Some((next_offset, next)) => {
                    match EXTENSION.iter().find(|&&(c, _)| c == next) {
                        Some(&(_, ch)) => ch,
                        // TS 23.038 §6.2.1.1: a code not in the extension table is displayed
                        // as the character of the main default table.
                        None => match basic_char(next) {
                            Some(ch) => ch,
                            None => invalid(next, next_offset)?,
                        },
                    }
                }
            }
        } else {
            match basic_char(code) {
                Some(ch) => ch,
                None => invalid(code, offset)?,
            }
        };
        out.push(ch);
    }
    Ok(out)
}

/// Fill bits needed after a UDH of `udh_len` octets (UDHL octet included) so the first text
/// septet starts on a septet boundary: `(7 - (8 * udh_len) % 7) % 7` (TS 23.040 §9.2.3.24).
///
/// ```
/// assert_eq!(smpp::text::gsm::fill_bits(6), 1); // 05 00 03 .. .. ..
/// assert_eq!(smpp::text::gsm::fill_bits(7), 0); // 06 08 04 .. .. .. ..
/// assert_eq!(smpp::text::gsm::fill_bits(0), 0); // no UDH
/// ```
#[must_use]
pub fn fill_bits(udh_len: usize) -> u8 {
    // (8 * n) mod 7 == n mod 7, which avoids overflow for any n.
    let rem = udh_len % 7;
    u8::try_from((7 - rem) % 7).unwrap_or(0)
}

fn check_fill(fill_bits: u8) -> Result<u32, TextError> {
    if fill_bits > 6 {
        Err(TextError::InvalidFillBits(fill_bits))
    } else {
        Ok(u32::from(fill_bits))
    }
}

/// Packs septets into octets LSB first (TS 23.038 §6.1.2.1), after `fill_bits` zero bits.
///
/// Spare bits at the end are zero. Use [`pack_padded`] when the receiver will not be told the
/// septet count (as with an SMPP `short_message`).
///
/// ```
/// use smpp::text::{Mode, gsm};
/// let septets = gsm::encode("hellohello", Mode::Strict)?;
/// assert_eq!(gsm::pack(&septets, 0)?, [0xE8, 0x32, 0x9B, 0xFD, 0x46, 0x97, 0xD9, 0xEC, 0x37]);
/// // After the 6-octet UDH 05 00 03 A7 02 01, one fill bit:
/// assert_eq!(gsm::pack(&gsm::encode("Hi", Mode::Strict)?, gsm::fill_bits(6))?, [0x90, 0x69]);
/// # Ok::<(), smpp::text::TextError>(())
/// ```
///
/// # Errors
/// [`TextError::InvalidFillBits`] if `fill_bits > 6`; [`TextError::InvalidSeptet`] for a value
/// > 0x7F.
pub fn pack(septets: &[u8], fill_bits: u8) -> Result<Vec<u8>, TextError> {
    let fill = check_fill(fill_bits)?;
    let bits = septets
        .len()
        .saturating_mul(7)
        .saturating_add(fill as usize);
    let mut out = Vec::with_capacity(bits.div_ceil(8));
    let mut acc: u32 = 0;
    let mut n: u32 = fill;
    for (offset, &s) in septets.iter().enumerate() {
        if s > 0x7F {
            return Err(TextError::InvalidSeptet { value: s, offset });
        }
        // TS 23.038 §6.1.2.1: septet k occupies the next 7 bits, least significant bit first.
        acc |= u32::from(s) << n;
        n += 7;
        while n >= 8 {
            out.push((acc & 0xFF) as u8);
            acc >>= 8;
            n -= 8;
        }
    }
    if n > 0 {
        out.push((acc & 0xFF) as u8);
    }
    Ok(out)
}

/// Whether packing `septet_count` septets after `fill_bits` needs the TS 23.038 §6.1.2.1.1
/// padding CR, and which one: `Some(true)` = 7 spare bits to fill with CR,
/// `Some(false)` = a final CR on an octet boundary that must be doubled.
fn cr_padding(septets: &[u8], fill_bits: u32) -> Option<bool> {
    let used = (septets.len() % 8) * 7 + fill_bits as usize;
    match (8 - used % 8) % 8 {
        7 => Some(true),
        0 if septets.last() == Some(&CR) => Some(false),
        _ => None,
    }
}

/// Packs like [`pack`], applying TS 23.038 §6.1.2.1.1 so the septet count can be recovered
/// from the octet count alone: "If the total number of characters to be sent equals (8n-1)
/// ... the carriage return or \<CR\> character ... shall be used for padding"; and "if \<CR\> is
/// intended to be the last character and the message ... ends on an octet boundary, then
/// another \<CR\> must be added together with a padding bit 0".
///
/// [`unpack_padded`] reverses it; a text ending in CR on an octet boundary comes back with
/// the CR doubled, which the spec accepts ("\<CR\>\<CR\>" is defined as identical to \<CR\>).
///
/// ```
/// use smpp::text::gsm;
/// // 7 septets leave 7 spare bits: a CR (0x0D) fills them instead of zeros.
/// let packed = gsm::pack_padded(&[0x41; 7], 0)?;
/// assert_eq!(packed.len(), 7);
/// assert_eq!(packed[6] >> 1, 0x0D);
/// assert_eq!(gsm::unpack_padded(&packed, 0)?, [0x41; 7]);
/// # Ok::<(), smpp::text::TextError>(())
/// ```
///
/// # Errors
/// As [`pack`].
pub fn pack_padded(septets: &[u8], fill_bits: u8) -> Result<Vec<u8>, TextError> {
    let fill = check_fill(fill_bits)?;
    if cr_padding(septets, fill).is_some() {
        let mut with_cr = Vec::with_capacity(septets.len() + 1);
        with_cr.extend_from_slice(septets);
        with_cr.push(CR);
        pack(&with_cr, fill_bits)
    } else {
        pack(septets, fill_bits)
    }
}

/// Length in octets of [`pack_padded`]`(septets, fill_bits)`, without packing.
///
/// # Errors
/// [`TextError::InvalidFillBits`] if `fill_bits > 6`.
pub fn packed_padded_len(septets: &[u8], fill_bits: u8) -> Result<usize, TextError> {
    let fill = check_fill(fill_bits)?;
    let extra = usize::from(cr_padding(septets, fill).is_some());
    Ok(septets
        .len()
        .saturating_add(extra)
        .saturating_mul(7)
        .saturating_add(fill as usize)
        .div_ceil(8))
}

/// Number of whole septets in `octets_len` octets after `fill_bits` bits.
fn whole_septets(octets_len: usize, fill_bits: u32) -> usize {
    octets_len
        .saturating_mul(8)
        .saturating_sub(fill_bits as usize)
        / 7
}

/// Unpacks exactly `count` septets from `octets`, skipping `fill_bits` leading bits
/// (TS 23.038 §6.1.2.1). Use this when the septet count is known (e.g. from TP-UDL).
///
/// ```
/// use smpp::text::gsm;
/// assert_eq!(gsm::unpack(&[0x90, 0x69], 1, 2)?, b"Hi");
/// # Ok::<(), smpp::text::TextError>(())
/// ```
///
/// # Errors
/// [`TextError::InvalidFillBits`] if `fill_bits > 6`; [`TextError::NotEnoughSeptets`] if the
/// octets hold fewer than `count` whole septets.
pub fn unpack(octets: &[u8], fill_bits: u8, count: usize) -> Result<Vec<u8>, TextError> {
    let fill = check_fill(fill_bits)?;
    let available = whole_septets(octets.len(), fill);
    if count > available {
        return Err(TextError::NotEnoughSeptets {
            requested: count,
            available,
        });
    }
    let mut out = Vec::with_capacity(count);
    let mut acc: u32 = 0;
    let mut n: u32 = 0;
    let mut skip = fill;
    for &o in octets {
        if out.len() == count {
            break;
        }
        acc |= u32::from(o) << n;
        n += 8;
        if skip > 0 {
            acc >>= skip;
            n -= skip;
            skip = 0;
        }
        while n >= 7 && out.len() < count {
            out.push((acc & 0x7F) as u8);
            acc >>= 7;
            n -= 7;
        }
    }
    Ok(out)
}

/// Unpacks every whole septet in `octets` after `fill_bits` bits, then applies the receiver
/// side of TS 23.038 §6.1.2.1.1: "The receiving entity shall remove the final \<CR\> character
/// where the message ends on an octet boundary with \<CR\> as the last character."
///
/// Reverses [`pack_padded`]. Data packed with zero padding and 7 spare bits gains a final `@`
/// (0x00) here — that is the ambiguity the CR rule exists to avoid.
///
/// # Errors
/// [`TextError::InvalidFillBits`] if `fill_bits > 6`.
pub fn unpack_padded(octets: &[u8], fill_bits: u8) -> Result<Vec<u8>, TextError> {
    let fill = check_fill(fill_bits)?;
    let count = whole_septets(octets.len(), fill);
    let mut septets = unpack(octets, fill_bits, count)?;
    let on_boundary = octets
        .len()
        .saturating_mul(8)
        .saturating_sub(fill as usize)
        .is_multiple_of(7);
    if on_boundary && septets.last() == Some(&CR) {
        septets.pop();
    }
    Ok(septets)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_table_matches_reference() {
        // Spot checks against the TS 23.038 §6.2.1 table (reference §9.1).
        let expect = [
            (0x00, '@'),
            (0x01, '£'),
            (0x02, '$'),
            (0x03, '¥'),
            (0x09, 'Ç'),
            (0x0A, '\n'),
            (0x0D, '\r'),
            (0x10, 'Δ'),
            (0x11, '_'),
            (0x1C, 'Æ'),
            (0x1F, 'É'),
            (0x20, ' '),
            (0x24, '¤'),
            (0x40, '¡'),
            (0x5B, 'Ä'),
            (0x5F, '§'),
            (0x60, '¿'),
            (0x7F, 'à'),
        ];
        for (code, ch) in expect {
            assert_eq!(basic_char(code), Some(ch), "code {code:#04x}");
            assert_eq!(septets_of(ch), Some(Septets::Basic(code)));
        }
        assert_eq!(septets_of('`'), None);
        assert_eq!(septets_of('\u{1B}'), None);
        assert_eq!(basic_char(ESC), None);
        // Every basic code except ESC round-trips and the table has no duplicate.
        for code in 0u8..128 {
            if code == ESC {
                continue;
            }
            let ch = basic_char(code).unwrap_or('\0');
            assert_eq!(septets_of(ch), Some(Septets::Basic(code)), "{code:#04x}");
        }
    }

    #[test]
    fn every_extension_character() {
        let expect = [
            ('\u{0C}', 0x0A),
            ('^', 0x14),
            ('{', 0x28),
            ('}', 0x29),
            ('\\', 0x2F),
            ('[', 0x3C),
            ('~', 0x3D),
            (']', 0x3E),
            ('|', 0x40),
            ('€', 0x65),
        ];
        for (ch, code) in expect {
            let s = ch.to_string();
            assert_eq!(encode(&s, Mode::Strict).as_deref(), Ok(&[ESC, code][..]));
            assert_eq!(
                decode(&[ESC, code], Mode::Strict).as_deref(),
                Ok(s.as_str())
            );
            assert_eq!(septet_count(&s), Some(2));
        }
    }

    #[test]
    fn escape_rules() {
        // Undefined extension code → basic character.
        assert_eq!(decode(&[ESC, 0x41], Mode::Strict).as_deref(), Ok("A"));
        // CR2 → CR.
        assert_eq!(decode(&[ESC, CR], Mode::Strict).as_deref(), Ok("\r"));
        // ESC ESC → space, then decoding continues normally.
        assert_eq!(decode(&[ESC, ESC, 0x41], Mode::Strict).as_deref(), Ok(" A"));
        // Trailing lone ESC.
        assert_eq!(
            decode(&[0x41, ESC], Mode::Strict),
            Err(TextError::TrailingEscape { offset: 1 })
        );
        assert_eq!(decode(&[ESC], Mode::Lossy).as_deref(), Ok(" "));
        // ESC followed by an invalid octet.
        assert_eq!(
            decode(&[ESC, 0x80], Mode::Strict),
            Err(TextError::InvalidByte {
                byte: 0x80,
                offset: 1,
                alphabet: Alphabet::Gsm7
            })
        );
        assert_eq!(decode(&[ESC, 0x80], Mode::Lossy).as_deref(), Ok("\u{FFFD}"));
    }

    #[test]
    fn high_octets_are_invalid_when_unpacked() {
        assert_eq!(
            decode(&[0x41, 0xC1], Mode::Strict),
            Err(TextError::InvalidByte {
                byte: 0xC1,
                offset: 1,
                alphabet: Alphabet::Gsm7
            })
        );
        assert_eq!(
            decode(&[0x41, 0xC1], Mode::Lossy).as_deref(),
            Ok("A\u{FFFD}")
        );
    }

    #[test]
    fn unencodable_reports_byte_index() {
        assert_eq!(
            encode("é`", Mode::Strict),
            Err(TextError::Unencodable {
                ch: '`',
                index: 2,
                alphabet: Alphabet::Gsm7
            })
        );
    }

    #[test]
    fn packing_vectors() {
        let hello = encode("hellohello", Mode::Strict).unwrap_or_default();
        let packed = [0xE8, 0x32, 0x9B, 0xFD, 0x46, 0x97, 0xD9, 0xEC, 0x37];
        assert_eq!(pack(&hello, 0).as_deref(), Ok(&packed[..]));
        assert_eq!(unpack(&packed, 0, 10).as_deref(), Ok(&hello[..]));
        assert_eq!(unpack_padded(&packed, 0).as_deref(), Ok(&hello[..]));
        assert_eq!(pack(b"Hi", 1).as_deref(), Ok(&[0x90, 0x69][..]));
        assert_eq!(unpack(&[0x90, 0x69], 1, 2).as_deref(), Ok(&b"Hi"[..]));
        // 160 septets fill exactly 140 octets.
        assert_eq!(pack(&[0x41; 160], 0).map(|v| v.len()), Ok(140));
        assert_eq!(pack(&[], 0).as_deref(), Ok(&[][..]));
    }

    #[test]
    fn pack_rejects_bad_input() {
        assert_eq!(pack(b"a", 7), Err(TextError::InvalidFillBits(7)));
        assert_eq!(
            pack(&[0x41, 0x80], 0),
            Err(TextError::InvalidSeptet {
                value: 0x80,
                offset: 1
            })
        );
        assert_eq!(
            unpack(&[0x41], 0, 2),
            Err(TextError::NotEnoughSeptets {
                requested: 2,
                available: 1
            })
        );
    }

    #[test]
    fn fill_bits_formula() {
        for n in 0..=300usize {
            let expect = (7 - (8 * n) % 7) % 7;
            assert_eq!(usize::from(fill_bits(n)), expect);
            // header + fill is a whole number of septets
            assert_eq!((8 * n + expect) % 7, 0);
        }
    }

    #[test]
    fn cr_padding_rules() {
        // 7 septets: 49 bits → 7 octets with 7 spare bits → CR pad.
        let p = pack_padded(b"ABCDEFG", 0).unwrap_or_default();
        assert_eq!(p, pack(b"ABCDEFG\r", 0).unwrap_or_default());
        assert_eq!(unpack_padded(&p, 0).as_deref(), Ok(&b"ABCDEFG"[..]));
        // Zero padding would be read back with a spurious '@'.
        let z = pack(b"ABCDEFG", 0).unwrap_or_default();
        assert_eq!(unpack_padded(&z, 0).as_deref(), Ok(&b"ABCDEFG\0"[..]));
        // A wanted CR ending on an octet boundary is doubled and read back doubled.
        let p = pack_padded(b"ABCDEFG\r", 0).unwrap_or_default();
        assert_eq!(p.len(), 8);
        assert_eq!(unpack_padded(&p, 0).as_deref(), Ok(&b"ABCDEFG\r\r"[..]));
        // With one fill bit (6-octet UDH), 1 + 7*1 = 8 bits: a lone CR sits on the boundary.
        let p = pack_padded(b"\r", 1).unwrap_or_default();
        assert_eq!(p.len(), 2);
        assert_eq!(unpack_padded(&p, 1).as_deref(), Ok(&b"\r\r"[..]));
        // Empty text after a 6-octet UDH: the fill bit alone leaves 7 spare bits → CR.
        assert_eq!(pack_padded(&[], 1).as_deref(), Ok(&[0x1A][..]));
        assert_eq!(unpack_padded(&[0x1A], 1).as_deref(), Ok(&[][..]));
        for len in 0..40usize {
            for fill in 0..7u8 {
                let s: Vec<u8> = (0..len)
                    .map(|i| {
                        if i % 0x7F == 13 {
                            0x41
                        } else {
                            (i % 0x7F) as u8
                        }
                    })
                    .collect();
                let p = pack_padded(&s, fill).unwrap_or_default();
                assert_eq!(packed_padded_len(&s, fill), Ok(p.len()));
                assert_eq!(unpack_padded(&p, fill).as_deref(), Ok(&s[..]));
            }
        }
    }
}
