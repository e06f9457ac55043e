//! Rewrites of a capture made by [`super::PcapWriter`] into other link types, byte orders, time
//! stamp precisions, pcapng, and shorter snapshot lengths: captures for testing readers.
//!
//! The writer makes Ethernet II frames in little-endian, microsecond pcap; [`Rewrite::apply`]
//! re-frames every record (VLAN tags, Linux cooked SLL/SLL2, raw IP, BSD loopback) and writes
//! the file again in the format asked for, records and time stamps unchanged otherwise.
//!
//! ```
//! use std::time::Duration;
//! use smpp::pcap::{PcapWriter, TcpConversation};
//! use smpp::pcap::convert::{Format, Link, Rewrite};
//! use smpp::pcap::read::{Capture, CaptureFormat};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let mut pcap = PcapWriter::new(Vec::new())?;
//! let mut conn = TcpConversation::new(
//!     "10.0.0.1:40000".parse::<std::net::SocketAddr>()?,
//!     "10.0.0.2:2775".parse::<std::net::SocketAddr>()?,
//! )?;
//! conn.client_sends(&mut pcap, &[0, 0, 0, 16, 0, 0, 0, 0x15, 0, 0, 0, 0, 0, 0, 0, 1], Duration::ZERO)?;
//! let sll2 = Rewrite { link: Link::LinuxSll2, format: Format::PcapNg, snaplen: None }
//!     .apply(&pcap.into_inner())?;
//! let mut capture = Capture::from_bytes(sll2)?;
//! assert_eq!(capture.by_ref().count(), 1);
//! assert_eq!(capture.summary().format, Some(CaptureFormat::PcapNg));
//! # Ok(())
//! # }
//! ```

use pcap_parser::PcapCapture;

use super::PcapError;
use super::read::link::{
    LINKTYPE_IPV4, LINKTYPE_IPV6, LINKTYPE_LINUX_SLL, LINKTYPE_LINUX_SLL2, LINKTYPE_LOOP,
    LINKTYPE_NULL, LINKTYPE_RAW,
};

/// The link layer to re-frame every record in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Link {
    /// Ethernet II as written (link type 1).
    #[default]
    Ethernet,
    /// Ethernet with one 802.1Q tag carrying this VLAN id (link type 1).
    Vlan(u16),
    /// Ethernet with an 802.1ad outer tag and an 802.1Q inner tag (link type 1).
    QinQ {
        /// Service VLAN id.
        outer: u16,
        /// Customer VLAN id.
        inner: u16,
    },
    /// Linux cooked capture v1 (link type 113).
    LinuxSll,
    /// Linux cooked capture v2 (link type 276).
    LinuxSll2,
    /// Raw IP, no link header (link type 101).
    Raw,
    /// Raw IPv4 (link type 228; every packet must be IPv4).
    Ipv4,
    /// Raw IPv6 (link type 229; every packet must be IPv6).
    Ipv6,
    /// BSD loopback, address family in little-endian (link type 0).
    Null,
    /// OpenBSD loopback, address family in big-endian (link type 108).
    Loop,
}

impl Link {
    /// The link type number.
    #[must_use]
    pub fn link_type(self) -> u32 {
        match self {
            Self::Ethernet | Self::Vlan(_) | Self::QinQ { .. } => super::LINKTYPE_ETHERNET,
            Self::LinuxSll => LINKTYPE_LINUX_SLL,
            Self::LinuxSll2 => LINKTYPE_LINUX_SLL2,
            Self::Raw => LINKTYPE_RAW,
            Self::Ipv4 => LINKTYPE_IPV4,
            Self::Ipv6 => LINKTYPE_IPV6,
            Self::Null => LINKTYPE_NULL,
            Self::Loop => LINKTYPE_LOOP,
        }
    }

    /// `frame` (an Ethernet II frame) re-framed in this link layer.
    fn reframe(self, frame: &[u8]) -> Result<Vec<u8>, PcapError> {
        if frame.len() < 14 {
            return Err(PcapError::Build(format!(
                "an Ethernet frame of {} octets has no room for its header",
                frame.len()
            )));
        }
        let (macs, ether_type, ip) = (&frame[..12], [frame[12], frame[13]], &frame[14..]);
        let family_v6 = ether_type == [0x86, 0xdd];
        let mut out = Vec::with_capacity(frame.len() + 8);
        match self {
            Self::Ethernet => out.extend_from_slice(frame),
            Self::Vlan(id) => {
                out.extend_from_slice(macs);
                out.extend_from_slice(&[0x81, 0x00]);
                out.extend_from_slice(&(id & 0x0fff).to_be_bytes());
                out.extend_from_slice(&frame[12..]);
            }
            Self::QinQ { outer, inner } => {
                out.extend_from_slice(macs);
                out.extend_from_slice(&[0x88, 0xa8]);
                out.extend_from_slice(&(outer & 0x0fff).to_be_bytes());
                out.extend_from_slice(&[0x81, 0x00]);
                out.extend_from_slice(&(inner & 0x0fff).to_be_bytes());
                out.extend_from_slice(&frame[12..]);
            }
            Self::LinuxSll => {
                // packet type 0 (to us), ARPHRD_ETHER, address length 6, source MAC + 2 pad,
                // protocol.
                out.extend_from_slice(&[0, 0, 0, 1, 0, 6]);
                out.extend_from_slice(&frame[6..12]);
                out.extend_from_slice(&[0, 0]);
                out.extend_from_slice(&ether_type);
                out.extend_from_slice(ip);
            }
            Self::LinuxSll2 => {
                // protocol, reserved, interface index 1, ARPHRD_ETHER, packet type 0, address
                // length 6, source MAC + 2 pad.
                out.extend_from_slice(&ether_type);
                out.extend_from_slice(&[0, 0, 0, 0, 0, 1, 0, 1, 0, 6]);
                out.extend_from_slice(&frame[6..12]);
                out.extend_from_slice(&[0, 0]);
                out.extend_from_slice(ip);
            }
            Self::Raw | Self::Ipv4 | Self::Ipv6 => out.extend_from_slice(ip),
            Self::Null => {
                // AF_INET 2; AF_INET6 30 as on macOS.
                let af: u32 = if family_v6 { 30 } else { 2 };
                out.extend_from_slice(&af.to_le_bytes());
                out.extend_from_slice(ip);
            }
            Self::Loop => {
                // AF_INET 2; AF_INET6 24 as on OpenBSD.
                let af: u32 = if family_v6 { 24 } else { 2 };
                out.extend_from_slice(&af.to_be_bytes());
                out.extend_from_slice(ip);
            }
        }
        Ok(out)
    }
}

/// The file format to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Format {
    /// Legacy pcap.
    Pcap {
        /// Write the headers big-endian (magic `a1 b2 c3 d4` on disk).
        big_endian: bool,
        /// Nanosecond time stamps (magic `a1b23c4d`).
        nanoseconds: bool,
    },
    /// pcapng, little-endian: one section, one interface (microsecond time stamps), one
    /// enhanced packet block per record.
    PcapNg,
}

impl Default for Format {
    fn default() -> Self {
        Self::Pcap {
            big_endian: false,
            nanoseconds: false,
        }
    }
}

/// How to rewrite a capture.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Rewrite {
    /// The link layer of every record.
    pub link: Link,
    /// The file format.
    pub format: Format,
    /// Cut every record to this many octets (the original length is kept), as a capture with
    /// this snapshot length would.
    pub snaplen: Option<u32>,
}

impl Rewrite {
    /// Rewrites `pcap`, a legacy pcap file of Ethernet frames (as [`super::PcapWriter`] makes).
    ///
    /// # Errors
    /// [`PcapError::Build`] when `pcap` is not such a file or a frame has no Ethernet header.
    pub fn apply(&self, pcap: &[u8]) -> Result<Vec<u8>, PcapError> {
        let capture = PcapCapture::from_file(pcap)
            .map_err(|e| PcapError::Build(format!("not a legacy pcap file: {e:?}")))?;
        if capture.header.network.0 != 1 {
            return Err(PcapError::Build(format!(
                "the capture's link type is {}, not Ethernet",
                capture.header.network.0
            )));
        }
        let nanos_in = capture.header.is_nanosecond_precision();
        let snaplen = self.snaplen.unwrap_or(super::DEFAULT_SNAPLEN);
        let link_type = self.link.link_type();
        let mut out = Vec::new();
        match self.format {
            Format::Pcap {
                big_endian,
                nanoseconds,
            } => {
                let u32b = |v: u32| {
                    if big_endian {
                        v.to_be_bytes()
                    } else {
                        v.to_le_bytes()
                    }
                };
                let u16b = |v: u16| {
                    if big_endian {
                        v.to_be_bytes()
                    } else {
                        v.to_le_bytes()
                    }
                };
                let magic = if nanoseconds {
                    0xa1b2_3c4d
                } else {
                    0xa1b2_c3d4
                };
                out.extend_from_slice(&u32b(magic));
                out.extend_from_slice(&u16b(2));
                out.extend_from_slice(&u16b(4));
                out.extend_from_slice(&[0; 8]);
                out.extend_from_slice(&u32b(snaplen));
                out.extend_from_slice(&u32b(link_type));
                for block in &capture.blocks {
                    let frame = self.link.reframe(block.data)?;
                    let kept = &frame[..frame.len().min(snaplen as usize)];
                    let frac = match (nanos_in, nanoseconds) {
                        (false, true) => block.ts_usec.saturating_mul(1_000),
                        (true, false) => block.ts_usec / 1_000,
                        _ => block.ts_usec,
                    };
                    out.extend_from_slice(&u32b(block.ts_sec));
                    out.extend_from_slice(&u32b(frac));
                    out.extend_from_slice(&u32b(len32(kept.len())?));
                    out.extend_from_slice(&u32b(len32(frame.len())?));
                    out.extend_from_slice(kept);
                }
            }
            Format::PcapNg => {
                // Section header block: BOM, version 1.0, section length unknown (-1).
                let mut shb = Vec::new();
                shb.extend_from_slice(&0x1a2b_3c4d_u32.to_le_bytes());
                shb.extend_from_slice(&1u16.to_le_bytes());
                shb.extend_from_slice(&0u16.to_le_bytes());
                shb.extend_from_slice(&(-1i64).to_le_bytes());
                ng_block(&mut out, 0x0a0d_0d0a, &shb)?;
                // Interface description block: link type, snaplen, if_tsresol = 6, end of options.
                let mut idb = Vec::new();
                idb.extend_from_slice(&u16::try_from(link_type).unwrap_or(0).to_le_bytes());
                idb.extend_from_slice(&0u16.to_le_bytes());
                idb.extend_from_slice(&snaplen.to_le_bytes());
                idb.extend_from_slice(&[9, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0, 0]);
                ng_block(&mut out, 1, &idb)?;
                for block in &capture.blocks {
                    let frame = self.link.reframe(block.data)?;
                    let kept = &frame[..frame.len().min(snaplen as usize)];
                    let micros = if nanos_in {
                        u64::from(block.ts_usec) / 1_000
                    } else {
                        u64::from(block.ts_usec)
                    };
                    let ts = u64::from(block.ts_sec) * 1_000_000 + micros;
                    let mut epb = Vec::with_capacity(20 + kept.len() + 3);
                    epb.extend_from_slice(&0u32.to_le_bytes()); // interface 0
                    #[allow(clippy::cast_possible_truncation)]
                    {
                        epb.extend_from_slice(&((ts >> 32) as u32).to_le_bytes());
                        epb.extend_from_slice(&(ts as u32).to_le_bytes());
                    }
                    epb.extend_from_slice(&len32(kept.len())?.to_le_bytes());
                    epb.extend_from_slice(&len32(frame.len())?.to_le_bytes());
                    epb.extend_from_slice(kept);
                    epb.resize(epb.len().next_multiple_of(4), 0);
                    ng_block(&mut out, 6, &epb)?;
                }
            }
        }
        Ok(out)
    }
}

fn len32(len: usize) -> Result<u32, PcapError> {
    u32::try_from(len).map_err(|_| PcapError::Build(format!("{len} octets do not fit a record")))
}

/// Appends a pcapng block: type, total length, `body` (a multiple of 4 octets), total length.
fn ng_block(out: &mut Vec<u8>, block_type: u32, body: &[u8]) -> Result<(), PcapError> {
    let total = len32(body.len() + 12)?;
    out.extend_from_slice(&block_type.to_le_bytes());
    out.extend_from_slice(&total.to_le_bytes());
    out.extend_from_slice(body);
    out.extend_from_slice(&total.to_le_bytes());
    Ok(())
}
