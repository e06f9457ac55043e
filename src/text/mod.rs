//! Owns short-message text: GSM 03.38 / IA5 / Latin-1 / UCS2 codecs, septet packing,
//! `data_coding` interpretation, User Data Headers, splitting long texts into parts and
//! reassembling them. Pure functions, no I/O.

mod alphabet;
mod dcs;
mod error;
pub mod gsm;
mod single_octet;
mod ucs2;

pub use alphabet::{Alphabet, Mode, decode, encode};
pub use dcs::{DataCodingInfo, DcsGroup, IndicationType, MessageClass, MessageWaiting};
pub use error::TextError;
