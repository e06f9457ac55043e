//! The TCP connection model: handshake, sequence/ack bookkeeping, MSS splitting and close.

use std::io::Write;
use std::net::SocketAddr;
use std::time::Duration;

use super::PcapError;
use super::write::{PcapWriter, TcpFlags, TcpSegment};

/// Which peer sends a segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// From the client (the side that sent the SYN; usually the ESME).
    ClientToServer,
    /// From the server (usually the SMSC).
    ServerToClient,
}

impl Direction {
    /// The other direction.
    #[must_use]
    pub fn reverse(self) -> Self {
        match self {
            Self::ClientToServer => Self::ServerToClient,
            Self::ServerToClient => Self::ClientToServer,
        }
    }
}

/// One TCP connection between a client and a server, written as well-formed segments.
///
/// The conversation only keeps the sequence numbers; each call takes the [`PcapWriter`] to write
/// to, so several conversations can be interleaved in one capture. Data is split into segments
/// of at most [`TcpConversation::mss`] octets; every data segment carries ACK (acknowledging all
/// the peer has sent) and the last segment of each send carries PSH. No pure ACKs are written
/// unless asked for with [`TcpConversation::ack`].
///
/// [`TcpConversation::handshake`] is optional: without it the capture starts mid-stream, with
/// data sequence numbers starting at ISN + 1 as if the handshake had happened unseen. For
/// deliberate anomalies (reordering, retransmission, gaps) build segments with
/// [`TcpConversation::segment`], write them in any order with [`PcapWriter::write_segment`] and
/// move the state on with [`TcpConversation::advance`].
///
/// ```
/// use std::net::{Ipv4Addr, SocketAddrV4};
/// use std::time::Duration;
/// use smpp::pcap::{Direction, PcapWriter, TcpConversation};
///
/// # fn main() -> Result<(), smpp::pcap::PcapError> {
/// let mut pcap = PcapWriter::new(Vec::new())?;
/// let mut conn = TcpConversation::new(
///     SocketAddrV4::new(Ipv4Addr::LOCALHOST, 40_000),
///     SocketAddrV4::new(Ipv4Addr::LOCALHOST, 2775),
/// )?
/// .with_mss(8)?;
/// let t = Duration::from_secs(1_700_000_000);
/// conn.handshake(&mut pcap, t)?;
/// let pdu = [0, 0, 0, 0x10, 0, 0, 0, 0x15, 0, 0, 0, 0, 0, 0, 0, 1];
/// conn.client_sends(&mut pcap, &pdu, t)?; // two 8-octet segments
/// // the reply, delivered in reverse order on purpose:
/// let reply = [0, 0, 0, 0x10, 0x80, 0, 0, 0x15, 0, 0, 0, 0, 0, 0, 0, 1];
/// let first = conn.segment(Direction::ServerToClient, 0, &reply[..8]);
/// let second = conn.segment(Direction::ServerToClient, 8, &reply[8..]);
/// pcap.write_segment(t, &second)?;
/// pcap.write_segment(t, &first)?;
/// conn.advance(Direction::ServerToClient, 16);
/// conn.finish(&mut pcap, t)?;
/// assert_eq!(pcap.frames_written(), 3 + 2 + 2 + 3);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TcpConversation {
    client: SocketAddr,
    server: SocketAddr,
    /// Next sequence number the client sends.
    client_next: u32,
    /// Next sequence number the server sends.
    server_next: u32,
    mss: u16,
    window: u16,
}

impl TcpConversation {
    /// Default maximum segment size (Ethernet MTU 1500 − 20 IPv4 − 20 TCP).
    pub const DEFAULT_MSS: u16 = 1460;
    /// Default initial sequence number of the client.
    pub const DEFAULT_CLIENT_ISN: u32 = 0x1000_0000;
    /// Default initial sequence number of the server.
    pub const DEFAULT_SERVER_ISN: u32 = 0x2000_0000;
    /// Default advertised window.
    pub const DEFAULT_WINDOW: u16 = 65_535;

    /// A conversation between `client` and `server` with the default ISNs, MSS and window.
    ///
    /// # Errors
    /// [`PcapError::MixedAddressFamilies`] if one address is IPv4 and the other IPv6.
    pub fn new(
        client: impl Into<SocketAddr>,
        server: impl Into<SocketAddr>,
    ) -> Result<Self, PcapError> {
        let (client, server) = (client.into(), server.into());
        if client.is_ipv4() != server.is_ipv4() {
            return Err(PcapError::MixedAddressFamilies {
                src: client,
                dst: server,
            });
        }
        Ok(Self {
            client,
            server,
            client_next: Self::DEFAULT_CLIENT_ISN.wrapping_add(1),
            server_next: Self::DEFAULT_SERVER_ISN.wrapping_add(1),
            mss: Self::DEFAULT_MSS,
            window: Self::DEFAULT_WINDOW,
        })
    }

    /// Sets the maximum payload octets per segment (announced in the SYN's MSS option too).
    ///
    /// # Errors
    /// [`PcapError::InvalidMss`] if `mss` is 0.
    pub fn with_mss(mut self, mss: u16) -> Result<Self, PcapError> {
        if mss == 0 {
            return Err(PcapError::InvalidMss);
        }
        self.mss = mss;
        Ok(self)
    }

    /// Sets the initial sequence numbers (the SYNs' sequence numbers; data starts at ISN + 1).
    #[must_use]
    pub fn with_isn(mut self, client_isn: u32, server_isn: u32) -> Self {
        self.client_next = client_isn.wrapping_add(1);
        self.server_next = server_isn.wrapping_add(1);
        self
    }

    /// Sets the window both sides advertise.
    #[must_use]
    pub fn with_window(mut self, window: u16) -> Self {
        self.window = window;
        self
    }

    /// The client's address.
    #[must_use]
    pub fn client(&self) -> SocketAddr {
        self.client
    }

    /// The server's address.
    #[must_use]
    pub fn server(&self) -> SocketAddr {
        self.server
    }

    /// The maximum payload octets per segment.
    #[must_use]
    pub fn mss(&self) -> u16 {
        self.mss
    }

    /// The next sequence number the sender in `dir` will use.
    #[must_use]
    pub fn next_seq(&self, dir: Direction) -> u32 {
        match dir {
            Direction::ClientToServer => self.client_next,
            Direction::ServerToClient => self.server_next,
        }
    }

    /// Moves the sender's next sequence number in `dir` on by `octets` (modulo 2³²), as after
    /// sending that many octets (a SYN or FIN counts as one).
    pub fn advance(&mut self, dir: Direction, octets: u32) {
        match dir {
            Direction::ClientToServer => self.client_next = self.client_next.wrapping_add(octets),
            Direction::ServerToClient => self.server_next = self.server_next.wrapping_add(octets),
        }
    }

    fn endpoints(&self, dir: Direction) -> (SocketAddr, SocketAddr) {
        match dir {
            Direction::ClientToServer => (self.client, self.server),
            Direction::ServerToClient => (self.server, self.client),
        }
    }

    /// A PSH+ACK data segment in `dir` whose first octet sits `offset` octets after the sender's
    /// next sequence number, acknowledging everything the peer has sent. Does not change state.
    #[must_use]
    pub fn segment<'p>(&self, dir: Direction, offset: u32, payload: &'p [u8]) -> TcpSegment<'p> {
        let (src, dst) = self.endpoints(dir);
        TcpSegment {
            src,
            dst,
            seq: self.next_seq(dir).wrapping_add(offset),
            ack: Some(self.next_seq(dir.reverse())),
            flags: TcpFlags::PSH,
            window: self.window,
            mss_option: None,
            payload,
        }
    }

    /// Writes the 3-way handshake (SYN, SYN+ACK, ACK) at `ts`. Call it before any data.
    ///
    /// # Errors
    /// As [`PcapWriter::write_segment`].
    pub fn handshake<W: Write>(
        &mut self,
        pcap: &mut PcapWriter<W>,
        ts: Duration,
    ) -> Result<(), PcapError> {
        let client_isn = self.client_next.wrapping_sub(1);
        let server_isn = self.server_next.wrapping_sub(1);
        let syn = TcpSegment {
            src: self.client,
            dst: self.server,
            seq: client_isn,
            ack: None,
            flags: TcpFlags::SYN,
            window: self.window,
            mss_option: Some(self.mss),
            payload: &[],
        };
        pcap.write_segment(ts, &syn)?;
        let syn_ack = TcpSegment {
            src: self.server,
            dst: self.client,
            seq: server_isn,
            ack: Some(self.client_next),
            ..syn
        };
        pcap.write_segment(ts, &syn_ack)?;
        self.ack(pcap, Direction::ClientToServer, ts)
    }

    /// Writes a pure ACK (no payload, no flag besides ACK) from the sender in `dir`.
    ///
    /// # Errors
    /// As [`PcapWriter::write_segment`].
    pub fn ack<W: Write>(
        &self,
        pcap: &mut PcapWriter<W>,
        dir: Direction,
        ts: Duration,
    ) -> Result<(), PcapError> {
        let segment = TcpSegment {
            flags: TcpFlags::NONE,
            ..self.segment(dir, 0, &[])
        };
        pcap.write_segment(ts, &segment)
    }

    /// Writes `data` from the sender in `dir`, split into segments of at most the MSS, all at
    /// `ts`. An empty `data` writes nothing.
    ///
    /// # Errors
    /// As [`PcapWriter::write_segment`]; the state is advanced only for segments written.
    pub fn send<W: Write>(
        &mut self,
        pcap: &mut PcapWriter<W>,
        dir: Direction,
        data: &[u8],
        ts: Duration,
    ) -> Result<(), PcapError> {
        let mut chunks = data.chunks(usize::from(self.mss)).peekable();
        while let Some(chunk) = chunks.next() {
            let mut segment = self.segment(dir, 0, chunk);
            segment.flags.psh = chunks.peek().is_none();
            pcap.write_segment(ts, &segment)?;
            // A chunk is at most u16::MAX octets long, so this never truncates.
            self.advance(
                dir,
                u32::from(u16::try_from(chunk.len()).unwrap_or(u16::MAX)),
            );
        }
        Ok(())
    }

    /// Writes `data` from the client to the server (see [`TcpConversation::send`]).
    ///
    /// # Errors
    /// As [`TcpConversation::send`].
    pub fn client_sends<W: Write>(
        &mut self,
        pcap: &mut PcapWriter<W>,
        data: &[u8],
        ts: Duration,
    ) -> Result<(), PcapError> {
        self.send(pcap, Direction::ClientToServer, data, ts)
    }

    /// Writes `data` from the server to the client (see [`TcpConversation::send`]).
    ///
    /// # Errors
    /// As [`TcpConversation::send`].
    pub fn server_sends<W: Write>(
        &mut self,
        pcap: &mut PcapWriter<W>,
        data: &[u8],
        ts: Duration,
    ) -> Result<(), PcapError> {
        self.send(pcap, Direction::ServerToClient, data, ts)
    }

    /// Writes the close: client FIN+ACK, server FIN+ACK, client ACK, all at `ts`.
    ///
    /// # Errors
    /// As [`PcapWriter::write_segment`].
    pub fn finish<W: Write>(
        &mut self,
        pcap: &mut PcapWriter<W>,
        ts: Duration,
    ) -> Result<(), PcapError> {
        for dir in [Direction::ClientToServer, Direction::ServerToClient] {
            let fin = TcpSegment {
                flags: TcpFlags::FIN,
                ..self.segment(dir, 0, &[])
            };
            pcap.write_segment(ts, &fin)?;
            self.advance(dir, 1);
        }
        self.ack(pcap, Direction::ClientToServer, ts)
    }
}
