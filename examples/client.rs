//! An SMS client: binds as a transceiver, sends a message asking for a delivery receipt and a
//! UCS2 (Unicode) message, and prints what the SMSC sends back — delivery receipts and
//! mobile-originated messages — until it has the receipts (or `--wait` seconds), then unbinds.
//!
//! ```sh
//! cargo run --example server                       # or: smpp-sim --account client1:secret1
//! cargo run --example client -- --port 2775 --system-id client1 --password secret1
//! ```

use std::time::Duration;

use smpp::client::{Client, ClientConfig, ClientError, ClientEvent, Events};

/// Any error of the example.
pub type Error = Box<dyn std::error::Error + Send + Sync>;
use smpp::text::{Alphabet, DataCodingInfo, Mode};
use smpp::{DataCoding, RegisteredDelivery, SubmitSm};

/// Where to connect and as whom.
#[derive(Debug, Clone)]
pub struct Options {
    pub host: String,
    pub port: u16,
    pub system_id: String,
    pub password: String,
    /// How long to wait for receipts and messages.
    pub wait: Duration,
}

/// What the run saw.
#[derive(Debug, Default)]
pub struct Report {
    /// message_ids of the messages sent.
    pub sent: Vec<String>,
    /// (message_id, stat) of the receipts received.
    pub receipts: Vec<(String, String)>,
    /// Texts of the other messages received.
    pub messages: Vec<String>,
}

/// The SMS handler of the seed's example: a client and what it does.
pub struct SmsHandler {
    client: Client,
    events: Events,
}

impl SmsHandler {
    /// Connects and binds as a transceiver (enquire_link every 30 s).
    pub async fn start(o: &Options) -> Result<Self, ClientError> {
        let config = ClientConfig::new(&o.host, o.port, &o.system_id, &o.password)
            .system_type("SMS_APP")
            .enquire_link_interval(Some(Duration::from_secs(30)))
            .response_timeout(Some(Duration::from_secs(10)));
        let (client, events) = Client::bind_transceiver(config).await?;
        println!("SMS handler started (bound as {:?})", client.bind_type());
        Ok(Self { client, events })
    }

    /// Sends a text with an optional delivery receipt; returns its message_id.
    pub async fn send_sms(&self, to: &str, text: &str, receipt: bool) -> Result<String, Error> {
        let id = self
            .client
            .submit_sm(SubmitSm {
                source_addr: "12345".try_into()?,
                destination_addr: to.try_into()?,
                registered_delivery: if receipt {
                    RegisteredDelivery::SMSC_RECEIPT
                } else {
                    RegisteredDelivery::NONE
                },
                data_coding: DataCoding(0), // SMSC default alphabet
                short_message: text.try_into()?,
                ..SubmitSm::default()
            })
            .await?;
        println!("SMS sent to {to}, ID: {id}");
        Ok(id)
    }

    /// Sends a Unicode text as UCS2 (UTF-16BE, data_coding 8), with a receipt.
    pub async fn send_unicode_sms(&self, to: &str, text: &str) -> Result<String, Error> {
        let ucs2: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
        let id = self
            .client
            .submit_sm(SubmitSm {
                source_addr: "12345".try_into()?,
                destination_addr: to.try_into()?,
                registered_delivery: RegisteredDelivery::SMSC_RECEIPT,
                data_coding: DataCoding::UCS2,
                short_message: ucs2.try_into()?,
                ..SubmitSm::default()
            })
            .await?;
        println!("Unicode SMS sent to {to}, ID: {id}");
        Ok(id)
    }

    /// Prints incoming messages until every id in `report.sent` has its receipt or `wait` ends.
    pub async fn receive(&mut self, report: &mut Report, wait: Duration) {
        let deadline = tokio::time::Instant::now() + wait;
        while report.receipts.len() < report.sent.len() {
            let event = match tokio::time::timeout_at(deadline, self.events.next()).await {
                Ok(Some(e)) => e,
                Ok(None) | Err(_) => break,
            };
            match event {
                ClientEvent::DeliverSm(msg) => {
                    if let Some(receipt) = msg.receipt() {
                        let id = receipt.message_id.clone().unwrap_or_default();
                        let stat = receipt
                            .stat
                            .as_ref()
                            .map_or("?".to_owned(), |s| s.as_str().to_owned());
                        println!("Delivery receipt: {id} {stat}");
                        report.receipts.push((id, stat));
                    } else {
                        let alphabet =
                            DataCodingInfo::from_data_coding(msg.pdu.data_coding.0, Alphabet::Gsm7)
                                .alphabet;
                        let text = smpp::text::decode(
                            msg.pdu.short_message.as_bytes(),
                            alphabet,
                            Mode::Lossy,
                        )
                        .unwrap_or_default();
                        println!("SMS from {}: {text}", msg.pdu.source_addr);
                        report.messages.push(text);
                    }
                    msg.accept(); // deliver_sm_resp ESME_ROK
                }
                ClientEvent::Disconnected(why) => {
                    println!("Connection lost: {why}");
                    break;
                }
                _ => {}
            }
        }
    }

    /// Unbinds and closes.
    pub async fn stop(self) {
        if let Err(e) = self.client.unbind().await {
            println!("unbind: {e}");
        }
        println!("SMS handler stopped");
    }
}

/// The whole example: bind, send both messages, collect receipts and messages, unbind.
pub async fn run(o: &Options) -> Result<Report, Error> {
    let mut handler = SmsHandler::start(o).await?;
    let mut report = Report::default();
    report
        .sent
        .push(handler.send_sms("67890", "Hello World!", true).await?);
    report
        .sent
        .push(handler.send_unicode_sms("67890", "Привет, мир! ✓").await?);
    handler.receive(&mut report, o.wait).await;
    handler.stop().await;
    Ok(report)
}

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

#[allow(dead_code)]
#[tokio::main]
async fn main() -> Result<(), Error> {
    let o = Options {
        host: arg("--host").unwrap_or_else(|| "127.0.0.1".into()),
        port: arg("--port").and_then(|p| p.parse().ok()).unwrap_or(2775),
        system_id: arg("--system-id").unwrap_or_else(|| "client1".into()),
        password: arg("--password").unwrap_or_else(|| "secret1".into()),
        wait: Duration::from_secs(arg("--wait").and_then(|w| w.parse().ok()).unwrap_or(10)),
    };
    let report = run(&o).await?;
    println!(
        "sent {}, receipts {}, messages {}",
        report.sent.len(),
        report.receipts.len(),
        report.messages.len()
    );
    if report.receipts.len() < report.sent.len() {
        return Err("not every receipt arrived".into());
    }
    Ok(())
}
