//! The legacy pcap file writer and the Ethernet/IP/TCP frame builder behind it.

use std::io::Write;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use etherparse::{PacketBuilder, TcpHeader, TcpOptionElement};

use super::PcapError;

/// Magic number of a legacy pcap file with microsecond timestamps (written little-endian, so the
/// file starts `d4 c3 b2 a1`).
pub const PCAP_MAGIC_MICROS: u32 = 0xa1b2_c3d4;

/// `LINKTYPE_ETHERNET`: every record is an Ethernet II frame without FCS.
pub const LINKTYPE_ETHERNET: u32 = 1;

/// Snapshot length written into the global header; longer frames are refused.
pub const DEFAULT_SNAPLEN: u32 = 262_144;

/// TTL / hop limit of every IP packet written.
const TTL: u8 = 64;

/// The TCP flags of a [`TcpSegment`] besides ACK (which is implied by [`TcpSegment::ack`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct TcpFlags {
    /// SYN: opens a connection, consumes one sequence number.
    pub syn: bool,
    /// FIN: closes one direction, consumes one sequence number.
    pub fin: bool,
    /// RST: aborts the connection.
    pub rst: bool,
    /// PSH: the receiver should hand the data to the application now.
    pub psh: bool,
}

impl TcpFlags {
    /// No flag set (a plain ACK or data segment when `ack` is set on the segment).
    pub const NONE: Self = Self {
        syn: false,
        fin: false,
        rst: false,
        psh: false,
    };
    /// Only SYN.
    pub const SYN: Self = Self {
        syn: true,
        ..Self::NONE
    };
    /// Only FIN.
    pub const FIN: Self = Self {
        fin: true,
        ..Self::NONE
    };
    /// Only RST.
    pub const RST: Self = Self {
        rst: true,
        ..Self::NONE
    };
    /// Only PSH.
    pub const PSH: Self = Self {
        psh: true,
        ..Self::NONE
    };
}

/// One TCP segment, described exactly as it goes on the wire.
///
/// Nothing is checked against a connection state, so hand-made segments can model
/// retransmissions, overlaps, out-of-order delivery and gaps.
///
/// ```
/// use std::net::{Ipv4Addr, SocketAddrV4};
/// use std::time::Duration;
/// use smpp::pcap::{PcapWriter, TcpFlags, TcpSegment};
///
/// # fn main() -> Result<(), smpp::pcap::PcapError> {
/// let mut pcap = PcapWriter::new(Vec::new())?;
/// let segment = TcpSegment {
///     src: SocketAddrV4::new(Ipv4Addr::LOCALHOST, 40_000).into(),
///     dst: SocketAddrV4::new(Ipv4Addr::new(127, 0, 0, 2), 2775).into(),
///     seq: 1_000,
///     ack: Some(5_000),
///     flags: TcpFlags::PSH,
///     window: 65_535,
///     mss_option: None,
///     payload: b"\x00\x00\x00\x10\x00\x00\x00\x15\x00\x00\x00\x00\x00\x00\x00\x01",
/// };
/// pcap.write_segment(Duration::from_secs(1), &segment)?;
/// pcap.write_segment(Duration::from_secs(2), &segment)?; // a retransmission
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TcpSegment<'a> {
    /// Sender's address and port.
    pub src: SocketAddr,
    /// Receiver's address and port (same IP version as `src`).
    pub dst: SocketAddr,
    /// Sequence number of the first payload octet (or of the SYN/FIN).
    pub seq: u32,
    /// Acknowledgement number; `Some` sets the ACK flag.
    pub ack: Option<u32>,
    /// SYN/FIN/RST/PSH.
    pub flags: TcpFlags,
    /// Advertised receive window.
    pub window: u16,
    /// A maximum-segment-size TCP option (normally only on SYN segments).
    pub mss_option: Option<u16>,
    /// The segment's payload.
    pub payload: &'a [u8],
}

impl TcpSegment<'_> {
    /// Builds the Ethernet II frame (IPv4 or IPv6, checksums computed) carrying this segment.
    ///
    /// MAC addresses are derived from the IP addresses with [`mac_for`].
    ///
    /// # Errors
    /// [`PcapError::MixedAddressFamilies`] if `src` and `dst` differ in IP version,
    /// [`PcapError::Build`] if the payload does not fit the IP length fields.
    pub fn to_frame(&self) -> Result<Vec<u8>, PcapError> {
        let mut tcp = TcpHeader::new(self.src.port(), self.dst.port(), self.seq, self.window);
        tcp.syn = self.flags.syn;
        tcp.fin = self.flags.fin;
        tcp.rst = self.flags.rst;
        tcp.psh = self.flags.psh;
        if let Some(ack) = self.ack {
            tcp.ack = true;
            tcp.acknowledgment_number = ack;
        }
        if let Some(mss) = self.mss_option {
            tcp.set_options(&[TcpOptionElement::MaximumSegmentSize(mss)])
                .map_err(|e| PcapError::Build(e.to_string()))?;
        }
        let eth = PacketBuilder::ethernet2(mac_for(self.src.ip()), mac_for(self.dst.ip()));
        let builder = match (self.src.ip(), self.dst.ip()) {
            (IpAddr::V4(s), IpAddr::V4(d)) => eth.ipv4(s.octets(), d.octets(), TTL),
            (IpAddr::V6(s), IpAddr::V6(d)) => eth.ipv6(s.octets(), d.octets(), TTL),
            _ => {
                return Err(PcapError::MixedAddressFamilies {
                    src: self.src,
                    dst: self.dst,
                });
            }
        }
        .tcp_header(tcp);
        let mut frame = Vec::with_capacity(builder.size(self.payload.len()));
        builder
            .write_to_vec(&mut frame, self.payload)
            .map_err(|e| PcapError::Build(e.to_string()))?;
        Ok(frame)
    }
}

/// The synthetic, locally administered MAC address used for an IP address:
/// `02:00` followed by the IPv4 address (or the last four octets of an IPv6 address).
#[must_use]
pub fn mac_for(ip: IpAddr) -> [u8; 6] {
    let tail = match ip {
        IpAddr::V4(v4) => v4.octets(),
        IpAddr::V6(v6) => {
            let o = v6.octets();
            [o[12], o[13], o[14], o[15]]
        }
    };
    [0x02, 0x00, tail[0], tail[1], tail[2], tail[3]]
}

/// Writes a legacy (libpcap 2.4) capture file: microsecond timestamps, link type Ethernet,
/// little-endian headers.
///
/// The 24-octet global header is written by [`PcapWriter::new`]; every frame then gets a 16-octet
/// record header (seconds, microseconds, captured length, original length). Frames are never
/// truncated. Call [`PcapWriter::flush`] or [`PcapWriter::into_inner`] when done.
///
/// ```
/// use std::time::Duration;
/// use smpp::pcap::PcapWriter;
///
/// # fn main() -> Result<(), smpp::pcap::PcapError> {
/// let mut pcap = PcapWriter::new(Vec::new())?;
/// pcap.write_frame(Duration::new(1, 500_000), &[0u8; 60])?;
/// let bytes = pcap.into_inner();
/// assert_eq!(bytes.len(), 24 + 16 + 60);
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct PcapWriter<W: Write> {
    inner: W,
    snaplen: u32,
    frames: u64,
}

impl<W: Write> PcapWriter<W> {
    /// Writes the global header to `inner` and returns the writer.
    ///
    /// # Errors
    /// [`PcapError::Io`] if `inner` fails.
    pub fn new(mut inner: W) -> Result<Self, PcapError> {
        let snaplen = DEFAULT_SNAPLEN;
        let mut header = [0u8; 24];
        header[0..4].copy_from_slice(&PCAP_MAGIC_MICROS.to_le_bytes());
        header[4..6].copy_from_slice(&2u16.to_le_bytes()); // version major
        header[6..8].copy_from_slice(&4u16.to_le_bytes()); // version minor
        // 8..12 thiszone = 0 (UTC), 12..16 sigfigs = 0
        header[16..20].copy_from_slice(&snaplen.to_le_bytes());
        header[20..24].copy_from_slice(&LINKTYPE_ETHERNET.to_le_bytes());
        inner.write_all(&header)?;
        Ok(Self {
            inner,
            snaplen,
            frames: 0,
        })
    }

    /// Writes one record holding `frame` (an Ethernet II frame) captured at `ts` since the Unix
    /// epoch (sub-microsecond precision is truncated).
    ///
    /// # Errors
    /// [`PcapError::TimestampOutOfRange`] if the seconds do not fit 32 bits,
    /// [`PcapError::FrameTooLarge`] if the frame exceeds the snapshot length,
    /// [`PcapError::Io`] if the writer fails.
    pub fn write_frame(&mut self, ts: Duration, frame: &[u8]) -> Result<(), PcapError> {
        let secs = u32::try_from(ts.as_secs()).map_err(|_| PcapError::TimestampOutOfRange(ts))?;
        let len = u32::try_from(frame.len())
            .ok()
            .filter(|&l| l <= self.snaplen)
            .ok_or(PcapError::FrameTooLarge {
                len: frame.len(),
                snaplen: self.snaplen,
            })?;
        let mut record = [0u8; 16];
        record[0..4].copy_from_slice(&secs.to_le_bytes());
        record[4..8].copy_from_slice(&ts.subsec_micros().to_le_bytes());
        record[8..12].copy_from_slice(&len.to_le_bytes()); // incl_len
        record[12..16].copy_from_slice(&len.to_le_bytes()); // orig_len
        self.inner.write_all(&record)?;
        self.inner.write_all(frame)?;
        self.frames += 1;
        Ok(())
    }

    /// Builds the frame for `segment` (see [`TcpSegment::to_frame`]) and writes it at `ts`.
    ///
    /// # Errors
    /// As [`TcpSegment::to_frame`] and [`PcapWriter::write_frame`].
    pub fn write_segment(
        &mut self,
        ts: Duration,
        segment: &TcpSegment<'_>,
    ) -> Result<(), PcapError> {
        let frame = segment.to_frame()?;
        self.write_frame(ts, &frame)
    }

    /// Number of records written so far.
    #[must_use]
    pub fn frames_written(&self) -> u64 {
        self.frames
    }

    /// Snapshot length announced in the global header.
    #[must_use]
    pub fn snaplen(&self) -> u32 {
        self.snaplen
    }

    /// Flushes the underlying writer.
    ///
    /// # Errors
    /// [`PcapError::Io`] if the writer fails.
    pub fn flush(&mut self) -> Result<(), PcapError> {
        self.inner.flush()?;
        Ok(())
    }

    /// Borrows the underlying writer.
    #[must_use]
    pub fn get_ref(&self) -> &W {
        &self.inner
    }

    /// Returns the underlying writer (without flushing it).
    #[must_use]
    pub fn into_inner(self) -> W {
        self.inner
    }
}
