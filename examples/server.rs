//! A custom SMSC: authenticates its clients, stores every message it accepts, reports connections
//! and binds, sends delivery receipts, and delivers a message to a client (a welcome message to
//! each receiver that binds, and a reply to every text received).
//!
//! ```sh
//! cargo run --example server -- --listen 127.0.0.1:2775
//! cargo run --example client -- --port 2775          # in another terminal
//! ```
//!
//! It stops on Ctrl-C (or after `--duration SECONDS`) and lists the messages it stored.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use smpp::receipt::ReceiptStat;
use smpp::server::{
    Accounts, Handler, ReceiptPlan, RequestContext, Server, ServerEvent, Submitted,
};
use smpp::session::BindType;
use smpp::text::{Alphabet, DataCodingInfo, Mode};
use smpp::{CommandStatus, DataCoding, DeliverSm, ShortMessage, SubmitSm};

/// A stored message.
#[derive(Debug, Clone)]
pub struct Stored {
    pub id: String,
    pub client: String,
    pub from: String,
    pub to: String,
    pub text: String,
}

/// The SMSC's handler: a message store (cheap to clone: the store is shared).
#[derive(Clone, Default)]
pub struct CustomSmsc {
    pub messages: Arc<Mutex<Vec<Stored>>>,
}

/// The text of a short message, whatever its data_coding.
fn text_of(data: &[u8], data_coding: DataCoding) -> String {
    let alphabet = DataCodingInfo::from_data_coding(data_coding.0, Alphabet::Gsm7).alphabet;
    smpp::text::decode(data, alphabet, Mode::Lossy)
        .unwrap_or_else(|_| String::from_utf8_lossy(data).into_owned())
}

/// `text` in the GSM 7-bit default alphabet (data_coding 0), one septet per octet.
fn gsm(text: &str) -> ShortMessage {
    let octets = smpp::text::encode(text, Alphabet::Gsm7, Mode::Lossy).unwrap_or_default();
    ShortMessage::new(octets).unwrap_or_default()
}

impl Handler for CustomSmsc {
    async fn submit_sm(&self, ctx: RequestContext, pdu: SubmitSm) -> Result<String, CommandStatus> {
        if pdu.destination_addr.is_empty() {
            return Err(CommandStatus::ESME_RINVDSTADR);
        }
        let text = text_of(pdu.short_message.as_bytes(), pdu.data_coding);
        let (id, stored) = {
            let mut messages = self.messages.lock().unwrap();
            let id = format!("MSG_{:06}", messages.len() + 1);
            let stored = Stored {
                id: id.clone(),
                client: ctx.system_id.to_string(),
                from: pdu.source_addr.to_str_lossy().into_owned(),
                to: pdu.destination_addr.to_str_lossy().into_owned(),
                text,
            };
            messages.push(stored.clone());
            (id, stored)
        };
        println!(
            "message {} from {}: {} -> {}: {:?}",
            stored.id, stored.client, stored.from, stored.to, stored.text
        );
        // Deliver a reply to the client (to one of its receivers; stored until one binds).
        let reply = DeliverSm {
            source_addr: stored.to.as_str().try_into().unwrap_or_default(),
            destination_addr: stored.from.as_str().try_into().unwrap_or_default(),
            short_message: gsm(&format!("Got your message {id}")),
            ..DeliverSm::default()
        };
        if let Err(e) = ctx.server().store_deliver_sm(&ctx.system_id, reply) {
            eprintln!("reply to {} not queued: {e}", ctx.system_id);
        }
        Ok(id)
    }
}

/// Starts the SMSC on `listen`; returns the server and its message store.
pub async fn start(listen: &str) -> Result<(Server, CustomSmsc), Box<dyn std::error::Error>> {
    let smsc = CustomSmsc::default();
    let server = Server::builder()
        .system_id("CUSTOM_SMSC")
        .max_connections(100)
        // Authentication: a fixed list of clients (or any Fn(&BindRequest) -> Result<(), status>).
        // (The seed's "password1" does not fit: a v3.4 password is at most 8 characters.)
        .authenticator(
            Accounts::new()
                .with("client1", "secret1")
                .with("client2", "secret2"),
        )
        .handler(smsc.clone())
        // Every message asking for a receipt is delivered after 1 s.
        .receipt_policy(|_: &Submitted| {
            Some(ReceiptPlan {
                delay: Duration::from_secs(1),
                stat: ReceiptStat::Delivered,
                err: 0,
            })
        })
        .listen(listen)
        .await?;
    // Connection and bind events; a welcome message to each receiver that binds.
    let mut events = server.subscribe();
    let events_server = server.clone();
    tokio::spawn(async move {
        while let Ok(event) = events.recv().await {
            match event {
                ServerEvent::Connected { peer_addr, .. } => {
                    println!("client connected from {peer_addr:?}");
                }
                ServerEvent::Bound {
                    system_id,
                    bind_type,
                    ..
                } => {
                    println!("client {system_id} bound as {bind_type:?}");
                    if bind_type != BindType::Transmitter {
                        send_message_to_client(
                            &events_server,
                            &system_id,
                            "CUSTOM_SMSC",
                            "Welcome!",
                        )
                        .await;
                    }
                }
                ServerEvent::BindRefused {
                    system_id,
                    command_status,
                    ..
                } => println!("bind of {system_id} refused: {command_status}"),
                ServerEvent::Disconnected {
                    system_id, reason, ..
                } => {
                    println!("client {system_id:?} disconnected: {reason}");
                }
                _ => {}
            }
        }
    });
    Ok((server, smsc))
}

/// Sends a message to a client (a receiver of `client_id`), as the seed's `deliver_sm` does.
pub async fn send_message_to_client(
    server: &Server,
    client_id: &str,
    from: &str,
    text: &str,
) -> bool {
    let pdu = DeliverSm {
        source_addr: from.try_into().unwrap_or_default(),
        destination_addr: client_id.try_into().unwrap_or_default(),
        short_message: gsm(text),
        ..DeliverSm::default()
    };
    match server.deliver_sm(client_id, pdu).await {
        Ok(delivery) => {
            println!("message to {client_id}: {delivery:?}");
            true
        }
        Err(e) => {
            println!("failed to deliver to {client_id}: {e}");
            false
        }
    }
}

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

#[allow(dead_code)]
#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let listen = arg("--listen").unwrap_or_else(|| "127.0.0.1:2775".into());
    let duration = arg("--duration")
        .and_then(|d| d.parse().ok())
        .map(Duration::from_secs);
    let (server, smsc) = start(&listen).await?;
    println!(
        "Custom SMSC started on {}",
        server.local_addr().expect("listening")
    );
    match duration {
        Some(d) => {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = tokio::time::sleep(d) => {}
            }
        }
        None => tokio::signal::ctrl_c().await?,
    }
    println!("Shutting down...");
    let report = server.shutdown(Duration::from_secs(5)).await;
    println!("{report:?}");
    for m in smsc.messages.lock().unwrap().iter() {
        println!("{m:?}");
    }
    Ok(())
}
