//! SMPP v3.4: a codec, a sans-IO session core and a protocol test harness.
//!
//! The codec is exact to the spec and safe on hostile input: any PDU that decodes re-encodes to the
//! same octets, and no input makes it panic or allocate from a length it has not checked.
//!
//! ```
//! use smpp::{Command, Pdu, SubmitSm};
//! let submit = SubmitSm {
//!     source_addr: "12345".try_into()?,
//!     destination_addr: "447911123456".try_into()?,
//!     short_message: "Hello".try_into()?,
//!     ..Default::default()
//! };
//! let bytes = Command::new(2, submit).to_bytes();
//! let back = Command::decode(&bytes)?;
//! assert_eq!(back.pdu.command_id(), smpp::CommandId::SUBMIT_SM);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod client;
mod codec;
pub mod conform;
pub mod dump;
pub mod error;
pub mod fields;
pub mod framer;
#[doc(hidden)]
pub mod fuzzing;
pub mod generate;
pub mod pcap;
pub mod pdu;
pub mod raw;
pub mod receipt;
pub mod replay;
pub mod server;
pub mod session;
pub mod sim;
pub mod text;
pub mod tlv;
pub mod transport;
mod wire;

pub use codec::{DecodeMode, DecodeOptions};
pub use error::{DecodeError, DecodeErrorKind, Warning};
pub use framer::{DEFAULT_MAX_COMMAND_LENGTH, Framer};
pub use pdu::*;
pub use raw::{RawPdu, RawPduBuilder};
pub use tlv::{NetworkErrorCode, RawTlv, Tlv, TlvTag, Tlvs};

/// The README's Rust examples, compiled and run as doctests.
#[cfg(all(doctest, feature = "arbitrary", feature = "proptest"))]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
