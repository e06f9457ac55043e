//! Owns short-message text: GSM 03.38 / IA5 / Latin-1 / UCS2 codecs, septet packing,
//! `data_coding` interpretation, User Data Headers, splitting long texts into parts and
//! reassembling them. Pure functions, no I/O.

mod alphabet;
mod dcs;
mod error;
pub mod gsm;
mod single_octet;
mod split;
mod ucs2;
mod udh;

pub use alphabet::{Alphabet, Mode, decode, encode};
pub use dcs::{DataCodingInfo, DcsGroup, IndicationType, MessageClass, MessageWaiting};
pub use error::TextError;
pub use split::{
    Concat, GsmPacking, MAX_PARTS, MAX_PAYLOAD_OCTETS, MAX_UD_OCTETS, Part, SarInfo, SplitOptions,
    capacity, split, split_binary,
};
pub use udh::{
    ConcatInfo, IEI_CONCAT_8, IEI_CONCAT_16, IEI_PORT_8, IEI_PORT_16, InformationElement, Udh,
    split_udh,
};
