//! Test support for the tokio layer: a `ScriptedPeer` that speaks raw SMPP on one end of a stream
//! (h2-support's mock style), and helpers to start a server on loopback and bind clients to it.
#![allow(dead_code)]

use std::time::Duration;

use bytes::Bytes;
use smpp::client::ClientConfig;
use smpp::{Bind, BindResp, Command, CommandId, CommandStatus, Framer, Pdu};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// How long a scripted step may wait (virtual time under `start_paused`).
pub const STEP: Duration = Duration::from_secs(60);

/// A peer driven by the test: sends PDUs or raw octets, expects PDUs.
pub struct ScriptedPeer<S> {
    pub stream: S,
    framer: Framer,
    next_seq: u32,
}

impl<S: AsyncRead + AsyncWrite + Unpin> ScriptedPeer<S> {
    pub fn new(stream: S) -> Self {
        Self {
            stream,
            framer: Framer::default(),
            next_seq: 1,
        }
    }

    /// Writes octets as they are.
    pub async fn send_raw(&mut self, octets: &[u8]) {
        self.stream.write_all(octets).await.expect("write");
        self.stream.flush().await.expect("flush");
    }

    /// Writes a PDU.
    pub async fn send(&mut self, command: &Command) {
        self.send_raw(&command.to_bytes()).await;
    }

    /// Writes a request with the next sequence_number; returns it.
    pub async fn request(&mut self, pdu: impl Into<Pdu>) -> u32 {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.send(&Command::new(seq, pdu)).await;
        seq
    }

    /// Answers `request` with this status and body.
    pub async fn respond(&mut self, request: &Command, status: CommandStatus, pdu: impl Into<Pdu>) {
        self.send(&Command::response(status, request.sequence_number, pdu))
            .await;
    }

    /// The next PDU (panics after `STEP` or at EOF).
    pub async fn expect(&mut self) -> Command {
        match tokio::time::timeout(STEP, self.next()).await {
            Ok(Some(c)) => c,
            Ok(None) => panic!("EOF while a PDU was expected"),
            Err(_) => panic!("no PDU within {STEP:?}"),
        }
    }

    /// The next PDU, which must have this command_id.
    pub async fn expect_id(&mut self, id: CommandId) -> Command {
        let c = self.expect().await;
        assert_eq!(c.command_id(), id, "expected {id}, got {c:?}");
        c
    }

    /// The next PDU, `None` at EOF.
    pub async fn next(&mut self) -> Option<Command> {
        loop {
            if let Some(frame) = self.framer.next_frame() {
                let frame: Bytes = frame.expect("framing");
                return Some(Command::decode(&frame).expect("decodable PDU"));
            }
            let mut buf = [0u8; 4096];
            match self.stream.read(&mut buf).await {
                Ok(0) | Err(_) => return None,
                Ok(n) => self.framer.push(&buf[..n]),
            }
        }
    }

    /// Waits for EOF (panics if a PDU comes first).
    pub async fn expect_eof(&mut self) {
        match tokio::time::timeout(STEP, self.next()).await {
            Ok(None) => {}
            Ok(Some(c)) => panic!("expected EOF, got {c:?}"),
            Err(_) => panic!("no EOF within {STEP:?}"),
        }
    }

    /// Expects a bind and accepts it.
    pub async fn accept_bind(&mut self) -> Command {
        let bind = self.expect().await;
        let resp = BindResp {
            system_id: "SCRIPT".try_into().unwrap(),
            ..BindResp::default()
        };
        let pdu = match bind.pdu {
            Pdu::BindTransmitter(_) => Pdu::BindTransmitterResp(Some(resp)),
            Pdu::BindReceiver(_) => Pdu::BindReceiverResp(Some(resp)),
            Pdu::BindTransceiver(_) => Pdu::BindTransceiverResp(Some(resp)),
            ref other => panic!("expected a bind, got {other:?}"),
        };
        self.respond(&bind, CommandStatus::ESME_ROK, pdu).await;
        bind
    }
}

/// A bind body.
pub fn bind_body(system_id: &str, password: &str) -> Bind {
    Bind {
        system_id: system_id.try_into().unwrap(),
        password: password.try_into().unwrap(),
        interface_version: 0x34,
        ..Bind::default()
    }
}

/// A client configuration for a server on 127.0.0.1:`port`.
pub fn client_config(port: u16, system_id: &str, password: &str) -> ClientConfig {
    ClientConfig::new("127.0.0.1", port, system_id, password)
}
