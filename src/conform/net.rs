//! Connections of a running scenario: a reader task per connection that frames what the peer sends,
//! the wire log (hex and decoded, with times) and the run's capture for `--pcap-out`.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use tokio::io::AsyncReadExt;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::build::Received;
use super::model::CloseHow;
use crate::framer::Framer;
use crate::pcap::{PcapError, PcapWriter, TcpConversation};

/// Which way a wire log entry went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dir {
    /// We sent it.
    Out,
    /// The peer sent it.
    In,
    /// Something happened (connect, close).
    Note,
}

/// One line of a case's wire log.
#[derive(Debug, Clone)]
pub struct WireEntry {
    /// Since the case started.
    pub at: Duration,
    /// Session name.
    pub session: String,
    /// Which way.
    pub dir: Dir,
    /// The octets (a whole PDU, or garbage).
    pub bytes: Bytes,
    /// What happened (notes), or why the octets do not frame.
    pub note: String,
}

/// A case's wire log, shared with its reader tasks.
#[derive(Debug, Clone)]
pub struct WireLog {
    start: Instant,
    entries: Arc<Mutex<Vec<WireEntry>>>,
}

impl WireLog {
    /// An empty log starting now.
    pub fn new(start: Instant) -> Self {
        Self {
            start,
            entries: Arc::default(),
        }
    }

    /// Adds an entry.
    pub fn push(&self, session: &str, dir: Dir, bytes: Bytes, note: impl Into<String>) {
        let e = WireEntry {
            at: self.start.elapsed(),
            session: session.to_owned(),
            dir,
            bytes,
            note: note.into(),
        };
        if let Ok(mut v) = self.entries.lock() {
            // Bound the log: a flooding peer must not grow memory without limit.
            if v.len() < 10_000 {
                v.push(e);
            }
        }
    }

    /// The entries so far.
    pub fn entries(&self) -> Vec<WireEntry> {
        self.entries.lock().map(|v| v.clone()).unwrap_or_default()
    }
}

/// The run's traffic, written as a pcap at the end.
#[derive(Debug, Default)]
pub struct PcapRecorder {
    conns: Vec<(SocketAddr, SocketAddr)>,
    events: Vec<(Duration, usize, PcapEvent)>,
    octets: usize,
}

/// The most payload octets a capture keeps (a flooding peer must not exhaust memory).
const PCAP_MAX_OCTETS: usize = 256 << 20;

#[derive(Debug)]
enum PcapEvent {
    Open,
    Data { from_client: bool, bytes: Bytes },
    Close,
}

/// A shared recorder.
pub type SharedPcap = Arc<Mutex<PcapRecorder>>;

fn wall() -> Duration {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
}

impl PcapRecorder {
    /// A new connection from `client` to `server`; its index.
    pub fn open(&mut self, client: SocketAddr, server: SocketAddr) -> usize {
        self.conns.push((client, server));
        let id = self.conns.len() - 1;
        self.events.push((wall(), id, PcapEvent::Open));
        id
    }

    /// Octets on connection `id`.
    pub fn data(&mut self, id: usize, from_client: bool, bytes: Bytes) {
        if self.octets + bytes.len() <= PCAP_MAX_OCTETS {
            self.octets += bytes.len();
            self.events
                .push((wall(), id, PcapEvent::Data { from_client, bytes }));
        }
    }

    /// Connection `id` ends (once).
    pub fn close(&mut self, id: usize) {
        let already = self
            .events
            .iter()
            .any(|(_, c, e)| *c == id && matches!(e, PcapEvent::Close));
        if !already {
            self.events.push((wall(), id, PcapEvent::Close));
        }
    }

    /// Writes the capture: every connection with its handshake, data and FIN handshake.
    pub fn write(&self, path: &Path) -> Result<(), PcapError> {
        let file = std::io::BufWriter::new(std::fs::File::create(path)?);
        let mut w = PcapWriter::new(file)?;
        let mut convs: Vec<Option<TcpConversation>> = Vec::new();
        for (client, server) in &self.conns {
            convs.push(TcpConversation::new(*client, *server).ok());
        }
        let mut events: Vec<&(Duration, usize, PcapEvent)> = self.events.iter().collect();
        events.sort_by_key(|(t, _, _)| *t);
        for (t, id, e) in events {
            let Some(Some(conv)) = convs.get_mut(*id) else {
                continue;
            };
            match e {
                PcapEvent::Open => conv.handshake(&mut w, *t)?,
                PcapEvent::Data { from_client, bytes } => {
                    if *from_client {
                        conv.client_sends(&mut w, bytes, *t)?;
                    } else {
                        conv.server_sends(&mut w, bytes, *t)?;
                    }
                }
                PcapEvent::Close => conv.finish(&mut w, *t)?,
            }
        }
        w.flush()?;
        Ok(())
    }
}

/// What a reader task reports.
#[derive(Debug)]
pub enum NetKind {
    /// A whole PDU.
    Frame(Box<Received>),
    /// Octets that do not frame (command_length out of bounds).
    Garbage {
        /// The octets.
        bytes: Bytes,
        /// Why.
        error: String,
    },
    /// The peer closed (or the connection failed).
    Closed(CloseInfo),
}

/// How a connection ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CloseInfo {
    /// FIN or RST (`None`: another error).
    pub how: Option<CloseHow>,
    /// The error, if any.
    pub error: Option<String>,
}

impl std::fmt::Display for CloseInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (&self.how, &self.error) {
            (Some(CloseHow::Fin), None) => f.write_str("FIN"),
            (Some(CloseHow::Reset), None) => f.write_str("RST"),
            (Some(CloseHow::Fin), Some(e)) => write!(f, "FIN, {e}"),
            (Some(CloseHow::Reset), Some(e)) => write!(f, "RST, {e}"),
            (None, Some(e)) => write!(f, "error: {e}"),
            (None, None) => f.write_str("closed"),
        }
    }
}

/// An event of a session.
#[derive(Debug)]
pub struct NetEvent {
    /// Session index.
    pub session: usize,
    /// The event.
    pub kind: NetKind,
}

/// Where a reader reports.
pub struct ReaderCtx {
    /// Session index.
    pub session: usize,
    /// Session name.
    pub name: String,
    /// The case's channel.
    pub tx: mpsc::Sender<NetEvent>,
    /// The case's wire log.
    pub log: WireLog,
    /// The run's capture: recorder, connection id, whether the peer is the client.
    pub pcap: Option<(SharedPcap, usize, bool)>,
    /// Largest command_length accepted.
    pub max_command_length: u32,
}

/// Reads the peer's octets, frames them, logs them and sends them to the case.
pub fn spawn_reader(mut rd: OwnedReadHalf, ctx: ReaderCtx) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut framer = Framer::new(ctx.max_command_length);
        let mut buf = vec![0u8; 16 * 1024];
        let mut broken = false;
        loop {
            let n = match rd.read(&mut buf).await {
                Ok(0) => {
                    close(
                        &ctx,
                        CloseInfo {
                            how: Some(CloseHow::Fin),
                            error: None,
                        },
                    )
                    .await;
                    return;
                }
                Ok(n) => n,
                Err(e) => {
                    let how = matches!(
                        e.kind(),
                        std::io::ErrorKind::ConnectionReset | std::io::ErrorKind::ConnectionAborted
                    )
                    .then_some(CloseHow::Reset);
                    let error = how.is_none().then(|| e.to_string());
                    close(&ctx, CloseInfo { how, error }).await;
                    return;
                }
            };
            let data = buf.get(..n).unwrap_or_default();
            if let Some((pcap, id, peer_is_client)) = &ctx.pcap
                && let Ok(mut p) = pcap.lock()
            {
                p.data(*id, *peer_is_client, Bytes::copy_from_slice(data));
            }
            if broken {
                let bytes = Bytes::copy_from_slice(data);
                ctx.log
                    .push(&ctx.name, Dir::In, bytes.clone(), "not framed");
                let kind = NetKind::Garbage {
                    bytes,
                    error: "after a framing error".into(),
                };
                if ctx
                    .tx
                    .send(NetEvent {
                        session: ctx.session,
                        kind,
                    })
                    .await
                    .is_err()
                {
                    return;
                }
                continue;
            }
            framer.push(data);
            while let Some(next) = framer.next_frame() {
                let kind = match next {
                    Ok(frame) => {
                        let r = Received::decode(frame.clone());
                        ctx.log.push(&ctx.name, Dir::In, frame, "");
                        NetKind::Frame(Box::new(r))
                    }
                    Err(e) => {
                        broken = true;
                        let bytes = framer.take_remaining();
                        ctx.log
                            .push(&ctx.name, Dir::In, bytes.clone(), e.to_string());
                        NetKind::Garbage {
                            bytes,
                            error: e.to_string(),
                        }
                    }
                };
                if ctx
                    .tx
                    .send(NetEvent {
                        session: ctx.session,
                        kind,
                    })
                    .await
                    .is_err()
                {
                    return;
                }
                if broken {
                    break;
                }
            }
        }
    })
}

async fn close(ctx: &ReaderCtx, info: CloseInfo) {
    ctx.log.push(
        &ctx.name,
        Dir::Note,
        Bytes::new(),
        format!("connection closed by the peer ({info})"),
    );
    if let Some((pcap, id, _)) = &ctx.pcap
        && let Ok(mut p) = pcap.lock()
    {
        p.close(*id);
    }
    let _ = ctx
        .tx
        .send(NetEvent {
            session: ctx.session,
            kind: NetKind::Closed(info),
        })
        .await;
}

/// One open connection of a session.
pub struct Conn {
    /// Our half for writing.
    pub writer: OwnedWriteHalf,
    /// The reader task.
    pub reader: JoinHandle<()>,
    /// The capture's connection id and whether we are the client.
    pub pcap: Option<(SharedPcap, usize, bool)>,
}

impl Conn {
    /// Records octets we wrote.
    pub fn record_out(&self, bytes: &Bytes) {
        if let Some((pcap, id, we_are_client)) = &self.pcap
            && let Ok(mut p) = pcap.lock()
        {
            p.data(*id, *we_are_client, bytes.clone());
        }
    }

    /// Closes: FIN, or RST with `reset`.
    pub async fn close(mut self, reset: bool) {
        use tokio::io::AsyncWriteExt;
        self.reader.abort();
        let _ = (&mut self.reader).await;
        if reset {
            // SO_LINGER 0 makes the close send a RST; with a zero linger the close does not block.
            #[allow(deprecated)]
            let _ = self.writer.as_ref().set_linger(Some(Duration::ZERO));
        } else {
            let _ = tokio::time::timeout(Duration::from_millis(200), self.writer.shutdown()).await;
        }
        if let Some((pcap, id, _)) = &self.pcap
            && let Ok(mut p) = pcap.lock()
        {
            p.close(*id);
        }
        drop(self.writer);
    }
}
