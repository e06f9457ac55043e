//! Owns short-message text: GSM 03.38 / IA5 / Latin-1 / UCS2 codecs, septet packing,
//! `data_coding` interpretation, User Data Headers, splitting long texts into parts and
//! reassembling them. Pure functions, no I/O.
//!
//! * [`encode`] / [`decode`] for every text [`Alphabet`], strict (typed [`TextError`]) or
//!   lossy ([`Mode`]); [`gsm`] has the 7-bit specifics (packing, fill bits, CR padding).
//! * [`DataCodingInfo::from_data_coding`] reads a `data_coding` octet (SMPP v3.4 §5.2.19 and
//!   3GPP TS 23.038 §4); [`Alphabet::to_data_coding`] goes back.
//! * [`Alphabet::best_for`] picks GSM 7-bit when the text fits it, else UCS2.
//! * [`Udh`] parses and encodes a User Data Header (TS 23.040 §9.2.3.24); [`split_udh`] takes
//!   it off a `short_message` whose esm_class has UDHI.
//! * [`split`] cuts a text into [`Part`]s with a concatenation UDH, SAR values or as one
//!   `message_payload`; [`Reassembler`] / [`reassemble`] put them back together.
//!
//! ```
//! use smpp::text::{Alphabet, Concat, SplitOptions, reassemble, split};
//! let text = "Hello {world}! ".repeat(15); // 225 chars, 255 septets
//! let alphabet = Alphabet::best_for(&text);
//! assert_eq!(alphabet.to_data_coding(), 0x00);
//! let opts = SplitOptions::default();
//! let parts = split(&text, alphabet, Concat::Udh8 { reference: 0x2A }, &opts)?;
//! assert_eq!(parts.len(), 2);
//! assert!(parts.iter().all(|p| p.udhi)); // set esm_class 0x40
//! let msg = reassemble(&parts, alphabet, opts)?;
//! assert_eq!(msg.text.as_deref(), Some(text.as_str()));
//! # Ok::<(), smpp::text::TextError>(())
//! ```

mod alphabet;
mod dcs;
mod error;
mod fuzz;
pub mod gsm;
#[cfg(test)]
mod proptests;
mod reassemble;
mod single_octet;
mod split;
mod ucs2;
mod udh;

pub use alphabet::{Alphabet, Mode, decode, encode};
pub use dcs::{DataCodingInfo, DcsGroup, IndicationType, MessageClass, MessageWaiting};
pub use error::TextError;
pub use reassemble::{ConcatRef, Message, Pending, Reassembler, reassemble};
pub use split::{
    Concat, GsmPacking, MAX_PARTS, MAX_PAYLOAD_OCTETS, MAX_UD_OCTETS, Part, SarInfo, SplitOptions,
    capacity, split, split_binary,
};
pub use udh::{
    ConcatInfo, IEI_CONCAT_8, IEI_CONCAT_16, IEI_PORT_8, IEI_PORT_16, InformationElement, Udh,
    split_udh,
};

/// Fuzz body for the cargo-fuzz target `text`.
///
/// The first byte selects alphabet (bits 0–1), concatenation method (bits 2–3), GSM packing
/// (bit 4), lossy mode (bit 5), shuffle order (bit 6) and whether the rest is read as UTF-8
/// or mapped onto a pool of interesting characters (bit 7). The rest is fed raw to every
/// decoder and parser, and as text to encode → decode and split → shuffle → reassemble.
/// Panics (via `assert!`) when an invariant breaks: a decoder panics or lossy decoding fails,
/// encode → decode is not the identity, a part exceeds its limit or cuts an escape /
/// surrogate pair, or reassembly does not give the text back.
#[doc(hidden)]
pub fn fuzz_text(data: &[u8]) {
    fuzz::run(data);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fuzz_body_on_sample_inputs() {
        let long: Vec<u8> = (0..=255u8).cycle().take(2000).collect();
        let samples: [&[u8]; 12] = [
            b"",
            b"\x00",
            b"\x00hello",
            b"\x01\xff\xfe\x00\x1b",
            b"\x05\x05\x00\x03\xa7\x02\x01\x90\x69",
            b"\x12\x1b\x1b\x1b",
            b"\x33\x0d\x0d\x0d\x0d\x0d\x0d\x0d",
            b"\x80caf\xc3\xa9 \xf0\x9f\x98\x80",
            b"\xbf\xed\xa0\x80",
            &long,
            &long[1..],
            &long[7..1200],
        ];
        for s in samples {
            fuzz_text(s);
        }
        // Inputs proptest once shrank failures to: packed SAR parts, fill bits with no data.
        let mut sar_packed = vec![56u8, 0, 0, 0, 0, 0, 0, 16, 0, 208, 0, 0, 0, 0, 0, 0, 16];
        sar_packed.extend([0, 0, 0, 112, 0, 112, 0, 0, 0, 0, 0, 64, 208, 112, 0, 0, 112]);
        sar_packed.extend(
            [0, 0, 112, 0, 64, 64]
                .iter()
                .chain(&[0; 22])
                .chain(&[208, 0, 0, 64]),
        );
        sar_packed.extend([
            0, 0, 0, 0, 0, 0, 0, 160, 0, 0, 0, 0, 0, 0, 0, 0, 64, 0, 0, 0, 0,
        ]);
        sar_packed.extend([
            117, 71, 247, 82, 79, 140, 215, 198, 151, 141, 34, 30, 213, 219,
        ]);
        sar_packed.extend([
            171, 232, 208, 0, 81, 4, 151, 254, 202, 142, 100, 111, 104, 42,
        ]);
        fuzz_text(&sar_packed);
        fuzz_text(&[1]);
        // Every selector value over a mixed body.
        let body: Vec<u8> = (0..400u32).map(|i| (i * 37 % 251) as u8).collect();
        for sel in 0..=255u8 {
            let mut input = vec![sel];
            input.extend_from_slice(&body);
            fuzz_text(&input);
        }
    }
}
