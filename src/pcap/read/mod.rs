//! Reading captures: pcap and pcapng files in, SMPP PDUs per connection and direction out.
//!
//! [`Capture`] reads a legacy pcap file (either byte order, micro- or nanosecond time stamps) or a
//! pcapng file with [`pcap_parser`], finds the TCP segment in each record with [`etherparse`]
//! (link types Ethernet with or without VLAN tags, Linux cooked SLL and SLL2, raw IPv4/IPv6 and
//! BSD loopback; IPv4 and IPv6), reassembles each direction of each TCP connection and cuts the
//! streams into PDUs. It is an iterator of [`Record`]s in capture order: a [`CapturedPdu`] when a
//! PDU is complete, a [`StreamProblem`] where octets are missing or do not frame. Nothing in a
//! capture makes it panic; every buffer is capped ([`ReadOptions`]).
//!
//! Which connections are SMPP: those with an end on [`ReadOptions::port`] (2775 by default), and
//! with [`ReadOptions::any_port`] (or port 0) any connection whose first 16 octets in either
//! direction are a plausible request or response header ([`looks_like_smpp`]).
//!
//! Which side is the ESME: the first PDU of a connection decides when only one side sends it
//! (a bind or submit_sm comes from the ESME; an outbind, deliver_sm or bind response from the
//! SMSC); else the side that sent the SYN; else the side not on the SMPP port; else the first
//! sender ([`DirectionBasis`]).
//!
//! ```
//! use std::net::{Ipv4Addr, SocketAddrV4};
//! use std::time::Duration;
//! use smpp::pcap::{PcapWriter, TcpConversation};
//! use smpp::pcap::read::{Capture, Record, SmppDirection};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // A capture made with the writer: enquire_link and its response.
//! let mut pcap = PcapWriter::new(Vec::new())?;
//! let esme = SocketAddrV4::new(Ipv4Addr::new(10, 0, 0, 1), 40_000);
//! let smsc = SocketAddrV4::new(Ipv4Addr::new(10, 0, 0, 2), 2775);
//! let mut conn = TcpConversation::new(esme, smsc)?;
//! let t = Duration::from_secs(1_700_000_000);
//! conn.handshake(&mut pcap, t)?;
//! conn.client_sends(&mut pcap, &[0, 0, 0, 16, 0, 0, 0, 0x15, 0, 0, 0, 0, 0, 0, 0, 7], t)?;
//! conn.server_sends(
//!     &mut pcap,
//!     &[0, 0, 0, 16, 0x80, 0, 0, 0x15, 0, 0, 0, 0, 0, 0, 0, 7],
//!     t + Duration::from_millis(3),
//! )?;
//! conn.finish(&mut pcap, t + Duration::from_millis(4))?;
//!
//! let mut capture = Capture::from_bytes(pcap.into_inner())?;
//! let pdus: Vec<_> = capture.by_ref().filter_map(Record::into_pdu).collect();
//! assert_eq!(pdus.len(), 2);
//! assert_eq!(pdus[0].direction, SmppDirection::EsmeToSmsc);
//! assert_eq!(pdus[0].key.to_string(), "10.0.0.1:40000 → 10.0.0.2:2775");
//! assert_eq!(pdus[1].ts - pdus[0].ts, Duration::from_millis(3));
//! assert_eq!(pdus[1].header().sequence_number, 7);
//! assert_eq!(capture.connections()[0].esme_to_smsc.pdus, 1);
//! # Ok(())
//! # }
//! ```

mod engine;
pub mod link;
mod reassembly;
mod stream;
#[cfg(test)]
mod tests;

use std::fmt;
use std::fs::File;
use std::io::{Cursor, Read};
use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use bytes::Bytes;
use pcap_parser::traits::PcapReaderIterator;
use pcap_parser::{
    Block, LegacyPcapReader, PcapBlockOwned, PcapError as ParserError, PcapNGReader,
};

pub use engine::looks_like_smpp;
pub use link::is_supported_link_type;
pub use reassembly::Counters;
pub use stream::{Cut, MAX_PROBLEM_OCTETS, ProblemKind, SkipCause, plausible_header};

use crate::pdu::{CommandId, Header};
use crate::{DEFAULT_MAX_COMMAND_LENGTH, DecodeError, DecodeOptions};
use engine::Engine;
use reassembly::Origin;

/// The TCP port SMPP is looked for on by default (the IANA-registered SMPP port).
pub const DEFAULT_PORT: u16 = 2775;

/// Limits and choices of a [`Capture`].
///
/// ```
/// use smpp::pcap::read::ReadOptions;
/// let opts = ReadOptions::default().with_port(9000).with_max_buffered(1 << 16);
/// assert_eq!((opts.port, opts.any_port), (9000, false));
/// assert!(ReadOptions::default().with_port(0).finds_any_port());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReadOptions {
    /// Connections with an end on this port are SMPP; 0 means no port (the heuristic alone).
    pub port: u16,
    /// Also follow connections on other ports whose first octets look like SMPP.
    pub any_port: bool,
    /// command_length above this is a framing error (as for [`crate::Framer`]).
    pub max_command_length: u32,
    /// Octets buffered beyond a hole, per direction, before the hole is given up as a gap.
    pub max_buffered: usize,
    /// Largest capture record (pcap record or pcapng block) read; a larger one ends the reading.
    pub max_record_len: usize,
    /// Connections followed at once; beyond, the least recently active one is ended.
    pub max_connections: usize,
    /// Notes kept in [`CaptureSummary::notes`] (the counters go on counting).
    pub max_notes: usize,
}

impl Default for ReadOptions {
    fn default() -> Self {
        Self {
            port: DEFAULT_PORT,
            any_port: false,
            max_command_length: DEFAULT_MAX_COMMAND_LENGTH,
            max_buffered: 1 << 20,
            max_record_len: 1 << 22,
            max_connections: 10_000,
            max_notes: 1_000,
        }
    }
}

impl ReadOptions {
    /// SMPP on `port` (0: on any port, by the heuristic).
    #[must_use]
    pub fn with_port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// Also look for SMPP on every other port, by the heuristic.
    #[must_use]
    pub fn with_any_port(mut self, any_port: bool) -> Self {
        self.any_port = any_port;
        self
    }

    /// The largest command_length accepted.
    #[must_use]
    pub fn with_max_command_length(mut self, max: u32) -> Self {
        self.max_command_length = max;
        self
    }

    /// Out-of-order octets buffered per direction before a hole is given up.
    #[must_use]
    pub fn with_max_buffered(mut self, octets: usize) -> Self {
        self.max_buffered = octets;
        self
    }

    /// The largest capture record read.
    #[must_use]
    pub fn with_max_record_len(mut self, octets: usize) -> Self {
        self.max_record_len = octets;
        self
    }

    /// Connections followed at once.
    #[must_use]
    pub fn with_max_connections(mut self, n: usize) -> Self {
        self.max_connections = n;
        self
    }

    /// Notes kept.
    #[must_use]
    pub fn with_max_notes(mut self, n: usize) -> Self {
        self.max_notes = n;
        self
    }

    /// Whether connections on any port are examined by the heuristic.
    #[must_use]
    pub fn finds_any_port(&self) -> bool {
        self.any_port || self.port == 0
    }
}

/// Why a capture could not be opened.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReadError {
    /// The file could not be read.
    #[error("cannot read the capture: {0}")]
    Io(#[from] std::io::Error),
    /// The input starts with neither a pcap nor a pcapng magic number.
    #[error("not a pcap or pcapng capture (the file starts {0:02x?})")]
    NotACapture(Vec<u8>),
    /// The file header (pcap global header, pcapng section header) is malformed or cut short.
    #[error("the capture's file header is malformed or cut short: {0}")]
    Header(String),
}

/// The two capture file formats, told apart by their first four octets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileKind {
    /// Legacy libpcap (`a1b2c3d4` / `a1b23c4d` in either byte order).
    Pcap,
    /// pcapng (a section header block, `0a0d0d0a`).
    PcapNg,
}

impl FileKind {
    /// The kind of capture `prefix` (at least the first four octets of a file) starts, if any.
    ///
    /// ```
    /// use smpp::pcap::read::FileKind;
    /// assert_eq!(FileKind::sniff(&[0xd4, 0xc3, 0xb2, 0xa1]), Some(FileKind::Pcap));
    /// assert_eq!(FileKind::sniff(&[0x0a, 0x0d, 0x0d, 0x0a, 1]), Some(FileKind::PcapNg));
    /// assert_eq!(FileKind::sniff(b"0000"), None);
    /// ```
    #[must_use]
    pub fn sniff(prefix: &[u8]) -> Option<Self> {
        let magic: [u8; 4] = prefix.get(..4)?.try_into().ok()?;
        match u32::from_le_bytes(magic) {
            0x0a0d_0d0a => Some(Self::PcapNg),
            0xa1b2_c3d4 | 0xd4c3_b2a1 | 0xa1b2_3c4d | 0x4d3c_b2a1 | 0xa1b2_cd34 | 0x34cd_b2a1 => {
                Some(Self::Pcap)
            }
            _ => None,
        }
    }
}

/// What the capture's file header said.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CaptureFormat {
    /// A legacy pcap file.
    Pcap {
        /// Headers are big-endian.
        big_endian: bool,
        /// Time stamps are in nanoseconds (else microseconds).
        nanoseconds: bool,
        /// The link type of every record.
        link_type: u32,
        /// The snapshot length.
        snaplen: u32,
    },
    /// A pcapng file (link types are per interface).
    PcapNg,
}

/// The direction of a PDU between the two SMPP roles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SmppDirection {
    /// From the ESME to the SMSC.
    EsmeToSmsc,
    /// From the SMSC to the ESME.
    SmscToEsme,
}

impl SmppDirection {
    /// `esme_to_smsc` or `smsc_to_esme`.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::EsmeToSmsc => "esme_to_smsc",
            Self::SmscToEsme => "smsc_to_esme",
        }
    }

    /// The other direction.
    #[must_use]
    pub fn reverse(self) -> Self {
        match self {
            Self::EsmeToSmsc => Self::SmscToEsme,
            Self::SmscToEsme => Self::EsmeToSmsc,
        }
    }
}

impl fmt::Display for SmppDirection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How the ESME's side of a connection was told.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DirectionBasis {
    /// The connection's first PDU is one only an ESME (or only an SMSC) sends.
    Pdu(CommandId),
    /// The ESME is the side that sent the SYN.
    Syn,
    /// The SMSC is the side on the SMPP port.
    Port,
    /// Nothing told: the first sender is taken for the ESME.
    FirstSender,
}

/// How a connection was recognised as SMPP.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Detection {
    /// An end is on [`ReadOptions::port`].
    Port,
    /// Its first octets look like SMPP ([`looks_like_smpp`]).
    Heuristic,
}

/// How a connection ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ConnEnd {
    /// Not yet (the capture is still being read).
    Open,
    /// Both sides sent FIN and every octet up to it was accounted for.
    Fin,
    /// A RST.
    Rst,
    /// The capture ended first.
    EndOfCapture,
    /// A new connection (a SYN with another sequence number) reused the addresses and ports.
    Replaced,
    /// Ended to keep within [`ReadOptions::max_connections`].
    Evicted,
}

/// Sender and receiver of a PDU (or the two ends of a connection).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConnKey {
    /// Sender.
    pub src: SocketAddr,
    /// Receiver.
    pub dst: SocketAddr,
}

impl fmt::Display for ConnKey {
    /// `10.0.0.1:40000 → 10.0.0.2:2775` (IPv6 addresses in brackets).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} → {}", self.src, self.dst)
    }
}

/// One PDU, as the capture holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CapturedPdu {
    /// The connection (0-based, in order of the connections' first record handed out).
    pub conn: u32,
    /// Sender → receiver.
    pub key: ConnKey,
    /// Between which roles.
    pub direction: SmppDirection,
    /// Time stamp of the record that completed the PDU: the latest in the capture of the records
    /// holding its octets.
    pub ts: Duration,
    /// Time stamp of the earliest record holding any of its octets.
    pub first_ts: Duration,
    /// 1-based number of the record that completed it (tshark's frame number for the PDU).
    pub frame_number: u64,
    /// 1-based number of the earliest record holding any of its octets.
    pub first_frame_number: u64,
    /// Offset of its first octet in the direction's stream (0 = first octet after the SYN, or
    /// first octet seen).
    pub stream_offset: u64,
    /// The PDU's octets (command_length of them, at least 16).
    pub frame: Bytes,
    /// Octets were missing or skipped in the stream right before this PDU.
    pub gap_before: bool,
}

impl CapturedPdu {
    /// The PDU's header.
    #[must_use]
    pub fn header(&self) -> Header {
        // A frame always holds at least 16 octets: the framer refuses a shorter command_length.
        Header::parse(&self.frame).unwrap_or(Header {
            command_length: 0,
            command_id: CommandId(0),
            command_status: crate::CommandStatus(0),
            sequence_number: 0,
        })
    }

    /// Decodes the PDU.
    ///
    /// # Errors
    /// What [`crate::Command::decode_with`] refuses.
    pub fn decode(&self, opts: DecodeOptions) -> Result<crate::Decoded, DecodeError> {
        crate::Command::decode_with(&self.frame, opts)
    }
}

/// Octets of a stream that are missing or do not frame as PDUs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamProblem {
    /// The connection.
    pub conn: u32,
    /// Sender → receiver of the stream.
    pub key: ConnKey,
    /// Between which roles.
    pub direction: SmppDirection,
    /// Time stamp of the record where the problem begins (or was found).
    pub ts: Duration,
    /// Its 1-based record number.
    pub frame_number: u64,
    /// Offset in the direction's stream where it begins.
    pub stream_offset: u64,
    /// What went wrong.
    pub kind: ProblemKind,
    /// The octets concerned (skipped or incomplete), at most [`MAX_PROBLEM_OCTETS`] of them.
    pub octets: Bytes,
}

/// One thing a [`Capture`] hands out.
#[derive(Debug, Clone, PartialEq, Eq)]
// Records are handed out one at a time and consumed at once.
#[allow(clippy::large_enum_variant)]
pub enum Record {
    /// A whole PDU.
    Pdu(CapturedPdu),
    /// A gap, skipped octets or an incomplete PDU.
    Problem(StreamProblem),
}

impl Record {
    /// The PDU, if this is one.
    #[must_use]
    pub fn into_pdu(self) -> Option<CapturedPdu> {
        match self {
            Self::Pdu(p) => Some(p),
            Self::Problem(_) => None,
        }
    }

    /// The connection.
    #[must_use]
    pub fn conn(&self) -> u32 {
        match self {
            Self::Pdu(p) => p.conn,
            Self::Problem(p) => p.conn,
        }
    }

    /// Sender → receiver.
    #[must_use]
    pub fn key(&self) -> ConnKey {
        match self {
            Self::Pdu(p) => p.key,
            Self::Problem(p) => p.key,
        }
    }

    /// Between which roles.
    #[must_use]
    pub fn direction(&self) -> SmppDirection {
        match self {
            Self::Pdu(p) => p.direction,
            Self::Problem(p) => p.direction,
        }
    }

    /// The time stamp (of the completing record for a PDU).
    #[must_use]
    pub fn ts(&self) -> Duration {
        match self {
            Self::Pdu(p) => p.ts,
            Self::Problem(p) => p.ts,
        }
    }

    /// The record number (of the completing record for a PDU).
    #[must_use]
    pub fn frame_number(&self) -> u64 {
        match self {
            Self::Pdu(p) => p.frame_number,
            Self::Problem(p) => p.frame_number,
        }
    }

    /// The offset in the direction's stream.
    #[must_use]
    pub fn stream_offset(&self) -> u64 {
        match self {
            Self::Pdu(p) => p.stream_offset,
            Self::Problem(p) => p.stream_offset,
        }
    }
}

/// One direction of a connection, summed up.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StreamSummary {
    /// TCP reassembly counters.
    pub tcp: Counters,
    /// PDUs handed out.
    pub pdus: u64,
    /// Problems handed out.
    pub problems: u64,
}

/// One SMPP connection, summed up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnSummary {
    /// Its id (as in [`CapturedPdu::conn`]).
    pub id: u32,
    /// The ESME's address.
    pub esme: SocketAddr,
    /// The SMSC's address.
    pub smsc: SocketAddr,
    /// How the roles were told.
    pub direction_basis: DirectionBasis,
    /// How it was recognised as SMPP.
    pub detected_by: Detection,
    /// The side that sent the SYN, when the capture holds it.
    pub client: Option<SocketAddr>,
    /// Time stamp of its first record.
    pub first_ts: Duration,
    /// Time stamp of its last record.
    pub last_ts: Duration,
    /// Its first record's number.
    pub first_frame: u64,
    /// Its last record's number.
    pub last_frame: u64,
    /// How it ended.
    pub end: ConnEnd,
    /// The ESME → SMSC stream.
    pub esme_to_smsc: StreamSummary,
    /// The SMSC → ESME stream.
    pub smsc_to_esme: StreamSummary,
}

impl ConnSummary {
    /// The stream in `direction`.
    #[must_use]
    pub fn stream(&self, direction: SmppDirection) -> &StreamSummary {
        match direction {
            SmppDirection::EsmeToSmsc => &self.esme_to_smsc,
            SmppDirection::SmscToEsme => &self.smsc_to_esme,
        }
    }
}

/// Something about the capture itself worth telling (records skipped, the file cut short, ...).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// The 1-based record number it concerns (0: the file as a whole).
    pub frame_number: u64,
    /// What.
    pub kind: NoteKind,
}

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.frame_number > 0 {
            write!(f, "record {}: {}", self.frame_number, self.kind)
        } else {
            write!(f, "{}", self.kind)
        }
    }
}

/// What a [`Note`] says.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum NoteKind {
    /// The record's link type is not one the reader knows.
    UnsupportedLinkType(u32),
    /// The record holds an IP fragment; IP fragments are not reassembled.
    Fragment,
    /// A header in the record is cut short or malformed.
    Malformed(String),
    /// The record was cut by the snapshot length: `missing` octets of an SMPP stream's segment
    /// were not captured.
    Truncated {
        /// Octets not captured.
        missing: u32,
    },
    /// A pcapng packet refers to an interface no description block announced.
    UnknownInterface(u32),
    /// An interface's time stamp resolution is invalid (microseconds are assumed).
    BadTimestampResolution(u8),
    /// The file ends in the middle of a record.
    CutOff,
    /// A record is longer than [`ReadOptions::max_record_len`]: reading stopped there.
    RecordTooLarge,
    /// The file is corrupt at this point: reading stopped there.
    Corrupt(String),
    /// A connection was ended to keep within [`ReadOptions::max_connections`].
    ConnectionEvicted,
}

impl fmt::Display for NoteKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnsupportedLinkType(lt) => write!(f, "link type {lt} is not supported"),
            Self::Fragment => f.write_str("IP fragment skipped (fragments are not reassembled)"),
            Self::Malformed(m) => write!(f, "malformed packet skipped: {m}"),
            Self::Truncated { missing } => write!(
                f,
                "record cut by the snapshot length: {missing} octets of the segment not captured"
            ),
            Self::UnknownInterface(i) => write!(f, "packet of undescribed interface {i} skipped"),
            Self::BadTimestampResolution(r) => {
                write!(f, "invalid time stamp resolution {r:#04x}; microseconds assumed")
            }
            Self::CutOff => f.write_str("the capture ends in the middle of a record"),
            Self::RecordTooLarge => f.write_str(
                "record larger than the maximum record length (or the file is corrupt); reading stopped",
            ),
            Self::Corrupt(m) => write!(f, "the capture is corrupt here ({m}); reading stopped"),
            Self::ConnectionEvicted => {
                f.write_str("too many open connections: the least recently active one was ended")
            }
        }
    }
}

/// What was read, apart from the SMPP streams.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaptureSummary {
    /// The file header, once read.
    pub format: Option<CaptureFormat>,
    /// Records (packets) read.
    pub records: u64,
    /// Records cut by the snapshot length (captured length below the original length).
    pub truncated_records: u64,
    /// Records that are not IP.
    pub not_ip: u64,
    /// IP records that are not TCP.
    pub not_tcp: u64,
    /// IP fragments skipped.
    pub fragments: u64,
    /// Records with a malformed or cut-short header.
    pub malformed: u64,
    /// Records of a link type the reader does not know.
    pub unsupported_link_type: u64,
    /// TCP segments.
    pub tcp_segments: u64,
    /// TCP segments of connections followed as SMPP (or being examined).
    pub smpp_segments: u64,
    /// TCP segments of other connections.
    pub other_tcp_segments: u64,
    /// The first [`ReadOptions::max_notes`] notes.
    pub notes: Vec<Note>,
    /// Notes beyond those kept.
    pub notes_dropped: u64,
    /// Reading stopped before the end of the file (see the notes).
    pub stopped_early: bool,
}

impl CaptureSummary {
    fn note(&mut self, frame_number: u64, kind: NoteKind, max: usize) {
        if self.notes.len() < max {
            self.notes.push(Note { frame_number, kind });
        } else {
            self.notes_dropped += 1;
        }
    }
}

/// A PDU stream's connection with all its records, for replaying it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// The connection.
    pub summary: ConnSummary,
    /// Its PDUs and problems, both directions, in capture order.
    pub records: Vec<Record>,
}

impl Session {
    /// The PDUs sent in `direction`, in order.
    pub fn pdus(&self, direction: SmppDirection) -> impl Iterator<Item = &CapturedPdu> {
        self.records.iter().filter_map(move |r| match r {
            Record::Pdu(p) if p.direction == direction => Some(p),
            _ => None,
        })
    }

    /// Whether either direction had a gap, skipped octets or an incomplete PDU.
    #[must_use]
    pub fn has_problems(&self) -> bool {
        self.records.iter().any(|r| matches!(r, Record::Problem(_)))
    }
}

#[derive(Debug, Clone, Copy)]
struct Interface {
    link_type: u32,
    /// Time stamp units per second.
    resolution: u64,
    /// Seconds added to every time stamp.
    offset: i64,
}

/// The prefix read to tell the format, then the rest of the input.
type Input<R> = std::io::Chain<Cursor<Vec<u8>>, R>;

enum Source<R: Read> {
    Legacy(LegacyPcapReader<Input<R>>),
    Ng(PcapNGReader<Input<R>>),
}

impl<R: Read> fmt::Debug for Source<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Legacy(_) => "Source::Legacy",
            Self::Ng(_) => "Source::Ng",
        })
    }
}

/// Initial size of the reader's buffer (it grows up to [`ReadOptions::max_record_len`]).
const INITIAL_BUFFER: usize = 64 * 1024;

/// A capture being read: an iterator of [`Record`]s in capture order.
///
/// Records come out as soon as the capture record completing them is read; what is still
/// buffered when the file ends (out-of-order segments, incomplete PDUs) comes out last. After the
/// iterator ends, [`Capture::connections`] and [`Capture::summary`] tell what was seen.
#[derive(Debug)]
pub struct Capture<R: Read> {
    source: Source<R>,
    engine: Engine,
    /// Link type of a legacy file, nanosecond time stamps.
    legacy: Option<(u32, bool)>,
    interfaces: Vec<Interface>,
    capacity: usize,
    max_record_len: usize,
    frames: u64,
    last_ts: Duration,
    done: bool,
}

impl Capture<File> {
    /// Opens the capture file at `path` with the default options.
    ///
    /// # Errors
    /// [`ReadError`] when the file cannot be read or is not a capture.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, ReadError> {
        Self::new(File::open(path)?, ReadOptions::default())
    }
}

impl Capture<Cursor<Bytes>> {
    /// Reads a capture held in memory, with the default options.
    ///
    /// # Errors
    /// [`ReadError`] when the octets are not a capture.
    pub fn from_bytes(bytes: impl Into<Bytes>) -> Result<Self, ReadError> {
        Self::from_bytes_with(bytes, ReadOptions::default())
    }

    /// Reads a capture held in memory.
    ///
    /// # Errors
    /// [`ReadError`] when the octets are not a capture.
    pub fn from_bytes_with(bytes: impl Into<Bytes>, opts: ReadOptions) -> Result<Self, ReadError> {
        Self::new(Cursor::new(bytes.into()), opts)
    }
}

impl<R: Read> Capture<R> {
    /// Reads a capture from `reader`.
    ///
    /// # Errors
    /// [`ReadError`] when the input cannot be read, is not a capture, or its file header is bad.
    pub fn new(mut reader: R, opts: ReadOptions) -> Result<Self, ReadError> {
        let capacity = INITIAL_BUFFER.min(opts.max_record_len.max(4096));
        let mut prefix = vec![0u8; capacity];
        let mut filled = 0;
        while filled < prefix.len() {
            match reader.read(&mut prefix[filled..]) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e.into()),
            }
        }
        prefix.truncate(filled);
        let kind = FileKind::sniff(&prefix)
            .ok_or_else(|| ReadError::NotACapture(prefix[..prefix.len().min(4)].to_vec()))?;
        let input = Cursor::new(prefix).chain(reader);
        let header_err = |e: ParserError<&[u8]>| ReadError::Header(describe(&e));
        let source = match kind {
            FileKind::Pcap => {
                Source::Legacy(LegacyPcapReader::new(capacity, input).map_err(header_err)?)
            }
            FileKind::PcapNg => Source::Ng(PcapNGReader::new(capacity, input).map_err(header_err)?),
        };
        Ok(Self {
            source,
            engine: Engine::new(opts),
            legacy: None,
            interfaces: Vec::new(),
            capacity,
            max_record_len: opts.max_record_len.max(capacity),
            frames: 0,
            last_ts: Duration::ZERO,
            done: false,
        })
    }

    /// The SMPP connections seen so far, by id (complete once the iterator has ended).
    #[must_use]
    pub fn connections(&self) -> Vec<ConnSummary> {
        self.engine.connections()
    }

    /// What was read apart from the SMPP streams (complete once the iterator has ended).
    #[must_use]
    pub fn summary(&self) -> &CaptureSummary {
        &self.engine.summary
    }

    /// Reads the whole capture and groups the records by connection, for replaying: each
    /// [`Session`] holds one connection's records in capture order.
    pub fn sessions(mut self) -> (Vec<Session>, CaptureSummary) {
        let mut by_conn: Vec<Vec<Record>> = Vec::new();
        for record in self.by_ref() {
            let i = record.conn() as usize;
            if by_conn.len() <= i {
                by_conn.resize_with(i + 1, Vec::new);
            }
            by_conn[i].push(record);
        }
        let sessions = self
            .connections()
            .into_iter()
            .map(|summary| {
                let records = by_conn
                    .get_mut(summary.id as usize)
                    .map(std::mem::take)
                    .unwrap_or_default();
                Session { summary, records }
            })
            .collect();
        (sessions, self.engine.summary)
    }

    /// Reads one block of the file; `false` at its end (or where reading had to stop).
    fn pump(&mut self) -> bool {
        let Self {
            source,
            engine,
            legacy,
            interfaces,
            capacity,
            max_record_len,
            frames,
            last_ts,
            ..
        } = self;
        let reader: &mut dyn PcapReaderIterator = match source {
            Source::Legacy(r) => r,
            Source::Ng(r) => r,
        };
        let mut stalls = 0;
        loop {
            let failure = match reader.next() {
                Ok((consumed, block)) => {
                    let mut ctx = BlockContext {
                        engine,
                        legacy,
                        interfaces,
                        frames,
                        last_ts,
                    };
                    ctx.block(block);
                    reader.consume(consumed);
                    return true;
                }
                Err(ParserError::Eof) => return false,
                Err(ParserError::Incomplete(_)) => None,
                Err(ParserError::BufferTooSmall) => Some(NoteKind::RecordTooLarge),
                Err(ParserError::UnexpectedEof) => {
                    engine.note(*frames + 1, NoteKind::CutOff);
                    engine.summary.stopped_early = true;
                    return false;
                }
                Err(e) => Some(NoteKind::Corrupt(describe(&e))),
            };
            match failure {
                None => {
                    let before = reader.data().len();
                    if reader.refill().is_err() {
                        engine.note(*frames + 1, NoteKind::Corrupt("read error".into()));
                        engine.summary.stopped_early = true;
                        return false;
                    }
                    if reader.data().len() == before && !reader.reader_exhausted() {
                        stalls += 1;
                        if stalls > 3 {
                            engine.note(*frames + 1, NoteKind::CutOff);
                            engine.summary.stopped_early = true;
                            return false;
                        }
                    }
                }
                Some(NoteKind::RecordTooLarge) if *capacity < *max_record_len => {
                    *capacity = capacity.saturating_mul(2).min(*max_record_len);
                    reader.grow(*capacity);
                    if reader.refill().is_err() {
                        engine.note(*frames + 1, NoteKind::Corrupt("read error".into()));
                        engine.summary.stopped_early = true;
                        return false;
                    }
                }
                Some(note) => {
                    engine.note(*frames + 1, note);
                    engine.summary.stopped_early = true;
                    return false;
                }
            }
        }
    }
}

/// The parts of a [`Capture`] a block updates.
struct BlockContext<'c> {
    engine: &'c mut Engine,
    legacy: &'c mut Option<(u32, bool)>,
    interfaces: &'c mut Vec<Interface>,
    frames: &'c mut u64,
    last_ts: &'c mut Duration,
}

impl BlockContext<'_> {
    fn block(&mut self, block: PcapBlockOwned<'_>) {
        match block {
            PcapBlockOwned::LegacyHeader(h) => {
                #[allow(clippy::cast_sign_loss)]
                let link_type = h.network.0 as u32;
                let nanoseconds = h.is_nanosecond_precision();
                *self.legacy = Some((link_type, nanoseconds));
                self.engine.summary.format = Some(CaptureFormat::Pcap {
                    big_endian: h.is_bigendian(),
                    nanoseconds,
                    link_type,
                    snaplen: h.snaplen,
                });
            }
            PcapBlockOwned::Legacy(b) => {
                let (link_type, nanos) = self
                    .legacy
                    .unwrap_or((crate::pcap::LINKTYPE_ETHERNET, false));
                let frac = if nanos {
                    Duration::from_nanos(u64::from(b.ts_usec))
                } else {
                    Duration::from_micros(u64::from(b.ts_usec))
                };
                let ts = Duration::from_secs(u64::from(b.ts_sec)) + frac;
                self.packet(link_type, ts, b.data, b.origlen);
            }
            PcapBlockOwned::NG(block) => self.ng_block(block),
        }
    }

    fn ng_block(&mut self, block: Block<'_>) {
        match block {
            Block::SectionHeader(_) => {
                self.engine.summary.format = Some(CaptureFormat::PcapNg);
                self.interfaces.clear();
            }
            Block::InterfaceDescription(idb) => {
                let resolution = ts_resolution(idb.if_tsresol).unwrap_or_else(|| {
                    self.engine
                        .note(0, NoteKind::BadTimestampResolution(idb.if_tsresol));
                    1_000_000
                });
                #[allow(clippy::cast_sign_loss)]
                self.interfaces.push(Interface {
                    link_type: idb.linktype.0 as u32,
                    resolution,
                    offset: idb.if_tsoffset,
                });
            }
            Block::EnhancedPacket(epb) => {
                let Some(iface) = self.interfaces.get(epb.if_id as usize).copied() else {
                    *self.frames += 1;
                    self.engine.summary.records += 1;
                    let frame = *self.frames;
                    self.engine
                        .note(frame, NoteKind::UnknownInterface(epb.if_id));
                    return;
                };
                let units = (u64::from(epb.ts_high) << 32) | u64::from(epb.ts_low);
                let ts = ng_timestamp(units, iface.resolution, iface.offset);
                let data = epb.data.get(..epb.caplen as usize).unwrap_or(epb.data);
                self.packet(iface.link_type, ts, data, epb.origlen);
            }
            Block::SimplePacket(spb) => {
                // No time stamp: the last one seen stands in.
                let Some(iface) = self.interfaces.first().copied() else {
                    *self.frames += 1;
                    self.engine.summary.records += 1;
                    let frame = *self.frames;
                    self.engine.note(frame, NoteKind::UnknownInterface(0));
                    return;
                };
                let ts = *self.last_ts;
                self.packet(iface.link_type, ts, spb.data, spb.origlen);
            }
            _ => {}
        }
    }

    fn packet(&mut self, link_type: u32, ts: Duration, data: &[u8], origlen: u32) {
        *self.frames += 1;
        *self.last_ts = ts;
        let frame = *self.frames;
        let summary = &mut self.engine.summary;
        summary.records += 1;
        let captured = u32::try_from(data.len()).unwrap_or(u32::MAX);
        let short_by = origlen.saturating_sub(captured);
        if short_by > 0 {
            summary.truncated_records += 1;
        }
        if !is_supported_link_type(link_type) {
            summary.unsupported_link_type += 1;
            if summary.unsupported_link_type == 1 {
                self.engine
                    .note(frame, NoteKind::UnsupportedLinkType(link_type));
            }
            return;
        }
        match link::parse(link_type, data, short_by) {
            Ok(segment) => self.engine.segment(&segment, Origin { ts, frame }),
            Err(link::Skip::NotIp) => summary.not_ip += 1,
            Err(link::Skip::NotTcp) => summary.not_tcp += 1,
            Err(link::Skip::Fragment) => {
                summary.fragments += 1;
                self.engine.note(frame, NoteKind::Fragment);
            }
            Err(link::Skip::Malformed(m)) => {
                summary.malformed += 1;
                self.engine.note(frame, NoteKind::Malformed(m));
            }
        }
    }
}

/// Units per second of a pcapng `if_tsresol` (`None` when it does not fit 64 bits).
fn ts_resolution(tsresol: u8) -> Option<u64> {
    let exp = u32::from(tsresol & 0x7f);
    if tsresol & 0x80 == 0 {
        10u64.checked_pow(exp)
    } else {
        1u64.checked_shl(exp).filter(|_| exp < 64)
    }
}

/// A pcapng time stamp: `units` at `resolution` per second, plus `offset` seconds.
fn ng_timestamp(units: u64, resolution: u64, offset: i64) -> Duration {
    let resolution = resolution.max(1);
    let secs = units / resolution;
    let frac = u128::from(units % resolution) * 1_000_000_000 / u128::from(resolution);
    let secs = if offset >= 0 {
        secs.saturating_add(offset.unsigned_abs())
    } else {
        secs.saturating_sub(offset.unsigned_abs())
    };
    Duration::new(secs, u32::try_from(frac).unwrap_or(0))
}

fn describe(e: &ParserError<&[u8]>) -> String {
    match e {
        ParserError::Eof => "end of file".into(),
        ParserError::BufferTooSmall => "record too large".into(),
        ParserError::UnexpectedEof | ParserError::Incomplete(_) => "cut short".into(),
        ParserError::ReadError => "read error".into(),
        ParserError::HeaderNotRecognized => "header not recognised".into(),
        ParserError::NomError(_, kind) | ParserError::OwnedNomError(_, kind) => {
            format!("parse error ({kind:?})")
        }
    }
}

impl<R: Read> Iterator for Capture<R> {
    type Item = Record;

    fn next(&mut self) -> Option<Record> {
        loop {
            if let Some(record) = self.engine.out.pop_front() {
                return Some(record);
            }
            if self.done {
                return None;
            }
            if !self.pump() {
                self.done = true;
                let origin = Origin {
                    ts: self.last_ts,
                    frame: self.frames,
                };
                self.engine.finish(origin);
            }
        }
    }
}

/// A time stamp as RFC 3339 text in UTC, with microseconds (nanoseconds when there are any).
///
/// ```
/// use std::time::Duration;
/// use smpp::pcap::read::rfc3339;
/// assert_eq!(rfc3339(Duration::new(1_700_000_000, 1_000)), "2023-11-14T22:13:20.000001Z");
/// assert_eq!(rfc3339(Duration::new(0, 5)), "1970-01-01T00:00:00.000000005Z");
/// ```
#[must_use]
pub fn rfc3339(ts: Duration) -> String {
    let secs = ts.as_secs();
    let days = secs / 86_400;
    let rem = secs % 86_400;
    let (y, m, d) = civil_from_days(days);
    let nanos = ts.subsec_nanos();
    let frac = if nanos.is_multiple_of(1_000) {
        format!("{:06}", nanos / 1_000)
    } else {
        format!("{nanos:09}")
    };
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{frac}Z",
        rem / 3_600,
        rem % 3_600 / 60,
        rem % 60
    )
}

/// Year, month, day of a count of days since 1970-01-01 (H. Hinnant's `civil_from_days`).
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z % 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + u64::from(m <= 2);
    (y, m, d)
}
