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
pub mod gsm;
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
