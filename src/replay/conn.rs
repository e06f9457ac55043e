//! One TCP connection cut into PDUs with [`Framer`], every read bounded by a deadline.

use std::collections::VecDeque;

use bytes::Bytes;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::Instant;

use crate::{DecodeError, Framer};

/// What a bounded read gave.
#[derive(Debug)]
pub(crate) enum Recv {
    /// A whole PDU.
    Frame(Bytes),
    /// The deadline passed first.
    Timeout,
    /// The peer closed the connection (FIN or reset).
    Closed(Option<std::io::Error>),
    /// The stream does not frame: command_length out of bounds.
    Framing(DecodeError),
}

#[derive(Debug)]
pub(crate) struct Conn {
    stream: TcpStream,
    framer: Framer,
    queued: VecDeque<Bytes>,
    closed: bool,
    write_closed: bool,
}

impl Conn {
    pub(crate) fn new(stream: TcpStream) -> Self {
        crate::transport::set_nodelay(&stream);
        Self {
            stream,
            framer: Framer::default(),
            queued: VecDeque::new(),
            closed: false,
            write_closed: false,
        }
    }

    /// Puts a PDU back, to be read first.
    pub(crate) fn unread(&mut self, frame: Bytes) {
        self.queued.push_front(frame);
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.closed
    }

    pub(crate) fn peer_addr(&self) -> Option<std::net::SocketAddr> {
        self.stream.peer_addr().ok()
    }

    /// Writes octets as they are.
    pub(crate) async fn send(&mut self, octets: &[u8]) -> std::io::Result<()> {
        if self.write_closed {
            return Err(std::io::ErrorKind::BrokenPipe.into());
        }
        let r = self.stream.write_all(octets).await;
        if r.is_err() {
            self.write_closed = true;
        }
        r
    }

    /// Closes our side (FIN).
    pub(crate) async fn shutdown(&mut self) {
        if !self.write_closed {
            self.write_closed = true;
            let _ = self.stream.shutdown().await;
        }
    }

    /// The next PDU, or why there is none before `deadline`.
    pub(crate) async fn recv(&mut self, deadline: Instant) -> Recv {
        if let Some(f) = self.queued.pop_front() {
            return Recv::Frame(f);
        }
        loop {
            match self.framer.next_frame() {
                Some(Ok(f)) => return Recv::Frame(f),
                Some(Err(e)) => {
                    // The rest of the stream cannot be trusted: stop reading it.
                    self.framer.take_remaining();
                    self.closed = true;
                    return Recv::Framing(e);
                }
                None => {}
            }
            if self.closed {
                return Recv::Closed(None);
            }
            let read = self.stream.read_buf(self.framer.buffer_mut());
            match tokio::time::timeout_at(deadline, read).await {
                Err(_) => return Recv::Timeout,
                Ok(Ok(0)) => {
                    self.closed = true;
                    return Recv::Closed(None);
                }
                Ok(Ok(_)) => {}
                Ok(Err(e)) => {
                    self.closed = true;
                    return Recv::Closed(Some(e));
                }
            }
        }
    }
}
