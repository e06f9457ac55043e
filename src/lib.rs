//! SMPP v3.4: a codec, a sans-IO session core and a protocol test harness.
#![forbid(unsafe_code)]
#![warn(missing_docs)]
pub mod receipt;
