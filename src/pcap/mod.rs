//! Synthetic packet captures: a legacy pcap writer and a TCP conversation model for SMPP streams.
//!
//! The module writes classic libpcap files (microsecond timestamps, link type Ethernet) holding
//! Ethernet II / IPv4 (or IPv6) / TCP frames built with [`etherparse`], which fills in the IP and
//! TCP checksums. It exists so that tests can put SMPP byte streams on a "wire" that Wireshark's
//! SMPP dissector (through `tshark`) can read, and so prove that our codec and Wireshark agree.
//!
//! * [`PcapWriter`] writes the file: the global header, then one record per frame
//!   ([`PcapWriter::write_frame`]) or per TCP segment ([`PcapWriter::write_segment`]).
//! * [`TcpSegment`] describes one TCP segment exactly (addresses, sequence and acknowledgement
//!   numbers, flags, payload); writing such segments by hand makes out-of-order segments,
//!   retransmissions and gaps on purpose.
//! * [`TcpConversation`] models one well-behaved TCP connection: the 3-way handshake, data in
//!   either direction with correct sequence/ack numbers (split at a configurable MSS) and the FIN
//!   handshake.
//!
//! No function here reads a clock: every timestamp is an explicit [`std::time::Duration`] since
//! the Unix epoch, so captures are byte-for-byte reproducible.
//!
//! ```
//! use std::net::{Ipv4Addr, SocketAddrV4};
//! use std::time::Duration;
//! use smpp::pcap::{PcapWriter, TcpConversation};
//!
//! # fn main() -> Result<(), smpp::pcap::PcapError> {
//! let enquire_link = [0, 0, 0, 0x10, 0, 0, 0, 0x15, 0, 0, 0, 0, 0, 0, 0, 3];
//! let mut pcap = PcapWriter::new(Vec::new())?;
//! let client = SocketAddrV4::new(Ipv4Addr::new(127, 0, 0, 1), 40_000);
//! let server = SocketAddrV4::new(Ipv4Addr::new(127, 0, 0, 2), 2775);
//! let mut conn = TcpConversation::new(client, server)?;
//! let t = Duration::from_secs(1_700_000_000);
//! conn.handshake(&mut pcap, t)?;
//! conn.client_sends(&mut pcap, &enquire_link, t + Duration::from_millis(1))?;
//! conn.finish(&mut pcap, t + Duration::from_millis(2))?;
//! let bytes = pcap.into_inner();
//! assert_eq!(&bytes[..4], &[0xd4, 0xc3, 0xb2, 0xa1]);
//! # Ok(())
//! # }
//! ```

pub mod convert;
#[doc(hidden)]
pub mod fuzz;
pub mod read;
pub mod stats;
mod tcp;
#[cfg(test)]
mod tests;
mod write;

pub use tcp::{Direction, TcpConversation};
pub use write::{
    DEFAULT_SNAPLEN, LINKTYPE_ETHERNET, PCAP_MAGIC_MICROS, PcapWriter, TcpFlags, TcpSegment,
    mac_for,
};

use std::net::SocketAddr;
use std::time::Duration;

/// Everything that can go wrong while writing a capture.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PcapError {
    /// The underlying writer failed.
    #[error("I/O error while writing the capture: {0}")]
    Io(#[from] std::io::Error),
    /// The timestamp does not fit the 32-bit seconds field of a legacy pcap record.
    #[error("timestamp {0:?} does not fit a pcap record (seconds must fit in 32 bits)")]
    TimestampOutOfRange(Duration),
    /// A frame is longer than the snapshot length announced in the global header.
    #[error("frame of {len} octets exceeds the capture's snapshot length {snaplen}")]
    FrameTooLarge {
        /// Length of the rejected frame.
        len: usize,
        /// Snapshot length of the capture.
        snaplen: u32,
    },
    /// Source and destination of a segment are not of the same IP version.
    #[error("source {src} and destination {dst} are not of the same IP version")]
    MixedAddressFamilies {
        /// Source socket address.
        src: SocketAddr,
        /// Destination socket address.
        dst: SocketAddr,
    },
    /// The maximum segment size must be at least one octet.
    #[error("maximum segment size must be at least 1 octet")]
    InvalidMss,
    /// etherparse refused to build the frame (payload too big for the IP length fields, ...).
    #[error("cannot build the frame: {0}")]
    Build(String),
}
