//! **Temporary** built-in peers for the default run (no `--target`): a minimal SMSC and a minimal
//! ESME on [`crate::session::Session`] over tokio. They exist only until `smpp-sim` lands; then
//! [`super::DEFAULT_EMBEDDED`] points at the simulator and this file goes.
//!
//! The SMSC knows one account (`conform` / `secret`: the CLI defaults), answers every v3.4 request
//! an ESME may send, keeps the messages it accepted for query_sm, cancel_sm and replace_sm (a
//! message with a schedule_delivery_time stays ENROUTE; any other is DELIVERED at once), and sends
//! a receipt when registered_delivery asks for one on final outcome. The session core applies the
//! T 2-1 state rules, answers enquire_link and unbind, and nacks what does not decode.
//!
//! The ESME binds as a transceiver with the same account and answers deliver_sm and data_sm.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::EmbeddedPeer;
use super::model::ProfileDoc;
use super::runner::StartEsme;
use crate::pdu::*;
use crate::session::{BindType, Config, Event, Role as SessionRole, Session};
use crate::tlv::Tlv;

const ACCOUNT: (&str, &str) = ("conform", "secret");

/// What the built-in SMSC lacks (its profile).
pub const LACKS: &[&str] = &[
    "outbind",
    "deliver_sm",
    "distribution_lists",
    "alert_notification",
    "intermediate_notifications",
];

#[derive(Debug)]
struct Msg {
    state: MessageState,
    final_date: String,
}

#[derive(Default)]
struct Store {
    next_id: u64,
    messages: HashMap<String, Msg>,
    /// Bound receivers and transceivers by system_id: where receipts go.
    receivers: HashMap<String, Vec<mpsc::Sender<Pdu>>>,
}

/// Starts the built-in SMSC on a free 127.0.0.1 port and offers the built-in ESME. Call it inside a
/// tokio runtime.
pub fn start() -> std::io::Result<EmbeddedPeer> {
    let std_listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    std_listener.set_nonblocking(true)?;
    let addr = std_listener.local_addr()?;
    let listener = TcpListener::from_std(std_listener)?;
    let store = Arc::new(Mutex::new(Store::default()));
    let task = tokio::spawn(async move {
        let mut conns: Vec<JoinHandle<()>> = Vec::new();
        while let Ok((stream, _)) = listener.accept().await {
            conns.retain(|c| !c.is_finished());
            conns.push(tokio::spawn(smsc_conn(stream, store.clone())));
        }
    });
    let esme: StartEsme = Arc::new(|addr: SocketAddr| tokio::spawn(esme_conn(addr)));
    let profile = ProfileDoc {
        name: Some("built-in SMSC (temporary, until smpp-sim)".into()),
        lacks: LACKS
            .iter()
            .map(|c| super::model::unspanned((*c).to_owned()))
            .collect(),
        ..ProfileDoc::default()
    };
    Ok(EmbeddedPeer {
        name: "built-in SMSC".into(),
        smsc: addr,
        profile,
        esme: Some(esme),
        tasks: vec![task],
    })
}

fn config() -> Config {
    Config {
        enquire_link_interval: None,
        session_init_timeout: Some(Duration::from_secs(30)),
        inactivity_timeout: Some(Duration::from_secs(120)),
        ..Config::default()
    }
}

/// Runs a session over a stream until it closes: `on_event` handles each event, `outbox` feeds
/// requests to send.
async fn drive(
    mut stream: TcpStream,
    mut session: Session,
    mut outbox: mpsc::Receiver<Pdu>,
    mut on_event: impl FnMut(&mut Session, Event),
) {
    let mut buf = vec![0u8; 8192];
    let mut out = Vec::new();
    loop {
        while let Some(ev) = session.poll_event() {
            on_event(&mut session, ev);
        }
        out.clear();
        while session.poll_transmit(&mut out) > 0 {}
        if !out.is_empty() && stream.write_all(&out).await.is_err() {
            return;
        }
        if session.is_closed() {
            let _ = stream.shutdown().await;
            return;
        }
        let deadline = session
            .poll_timeout()
            .unwrap_or_else(|| Instant::now() + Duration::from_secs(3600));
        tokio::select! {
            r = stream.read(&mut buf) => match r {
                Ok(0) | Err(_) => {
                    session.close();
                    while let Some(ev) = session.poll_event() {
                        on_event(&mut session, ev);
                    }
                    return;
                }
                Ok(n) => session.handle_input(Instant::now(), buf.get(..n).unwrap_or_default()),
            },
            Some(pdu) = outbox.recv() => {
                let _ = session.send_request(Instant::now(), pdu);
            }
            () = tokio::time::sleep_until(deadline.into()) => session.handle_timeout(Instant::now()),
        }
    }
}

fn smsc_time() -> String {
    // YYMMDDhhmm for receipts; a fixed clock is enough for a test peer.
    "2601011200".into()
}

async fn smsc_conn(stream: TcpStream, store: Arc<Mutex<Store>>) {
    let (tx, rx) = mpsc::channel::<Pdu>(64);
    let session = Session::new(SessionRole::Smsc, config(), Instant::now());
    let mut system_id = String::new();
    drive(stream, session, rx, |s, ev| {
        let now = Instant::now();
        let Event::Request {
            sequence_number: seq,
            pdu,
        } = ev
        else {
            return;
        };
        let Ok(mut st) = store.lock() else { return };
        let id = pdu.command_id();
        match pdu {
            Pdu::BindTransmitter(b) | Pdu::BindReceiver(b) | Pdu::BindTransceiver(b) => {
                let bind_type = BindType::from_command_id(id).unwrap_or(BindType::Transmitter);
                let status = if b.system_id != ACCOUNT.0 {
                    CommandStatus::ESME_RINVSYSID
                } else if b.password != ACCOUNT.1 {
                    CommandStatus::ESME_RINVPASWD
                } else {
                    CommandStatus::ESME_ROK
                };
                let body = status.is_ok().then(|| {
                    let mut r = BindResp {
                        system_id: COctetString::new("builtin").unwrap_or_default(),
                        ..BindResp::default()
                    };
                    r.tlvs.push(Tlv::ScInterfaceVersion(INTERFACE_VERSION_34));
                    r
                });
                let resp = match bind_type {
                    BindType::Transmitter => Pdu::BindTransmitterResp(body),
                    BindType::Receiver => Pdu::BindReceiverResp(body),
                    BindType::Transceiver => Pdu::BindTransceiverResp(body),
                };
                let _ = s.respond(now, seq, status, resp);
                if status.is_ok() {
                    system_id = b.system_id.to_string();
                    if bind_type != BindType::Transmitter {
                        st.receivers
                            .entry(system_id.clone())
                            .or_default()
                            .push(tx.clone());
                    }
                }
            }
            Pdu::SubmitSm(m) => {
                if m.destination_addr.is_empty() {
                    let _ = s.respond_error(now, seq, CommandStatus::ESME_RINVDSTADR);
                    return;
                }
                let id = new_id(&mut st);
                let pending = !m.schedule_delivery_time.is_empty();
                let state = if pending {
                    MessageState::ENROUTE
                } else {
                    MessageState::DELIVERED
                };
                st.messages.insert(
                    id.clone(),
                    Msg {
                        state,
                        final_date: if pending {
                            String::new()
                        } else {
                            "260101120000000+".into()
                        },
                    },
                );
                let resp = SubmitSmResp {
                    message_id: COctetString::new(id.clone()).unwrap_or_default(),
                    ..SubmitSmResp::default()
                };
                let _ = s.respond(
                    now,
                    seq,
                    CommandStatus::ESME_ROK,
                    Pdu::SubmitSmResp(Some(resp)),
                );
                if !pending && m.registered_delivery.smsc_receipt() == 1 {
                    let text = String::from_utf8_lossy(m.short_message.as_bytes())
                        .chars()
                        .take(20)
                        .collect::<String>();
                    let receipt = receipt(&id, &m.destination_addr, &m.source_addr, &text);
                    for r in st.receivers.get(&system_id).into_iter().flatten() {
                        let (r, p) = (r.clone(), receipt.clone());
                        tokio::spawn(async move {
                            tokio::time::sleep(Duration::from_millis(20)).await;
                            let _ = r.send(p).await;
                        });
                    }
                }
            }
            Pdu::SubmitMulti(m) => {
                let mut failed = Vec::new();
                for d in m.dest_addresses.iter() {
                    match d {
                        DestAddress::SmeAddress {
                            dest_addr_ton,
                            dest_addr_npi,
                            destination_addr,
                        } => {
                            let ok = !destination_addr.is_empty()
                                && destination_addr.as_bytes().iter().all(u8::is_ascii_digit);
                            if !ok {
                                failed.push(UnsuccessSme {
                                    dest_addr_ton: *dest_addr_ton,
                                    dest_addr_npi: *dest_addr_npi,
                                    destination_addr: destination_addr.clone(),
                                    error_status_code: CommandStatus::ESME_RINVDSTADR,
                                });
                            }
                        }
                        DestAddress::DistributionList { dl_name } => failed.push(UnsuccessSme {
                            destination_addr: dl_name.clone(),
                            error_status_code: CommandStatus::ESME_RINVDLNAME,
                            ..UnsuccessSme::default()
                        }),
                    }
                }
                let id = new_id(&mut st);
                let resp = SubmitMultiResp {
                    message_id: COctetString::new(id).unwrap_or_default(),
                    unsuccess_sme: Entries::new(failed).unwrap_or_default(),
                    ..SubmitMultiResp::default()
                };
                let _ = s.respond(
                    now,
                    seq,
                    CommandStatus::ESME_ROK,
                    Pdu::SubmitMultiResp(Some(resp)),
                );
            }
            Pdu::DataSm(_) => {
                let id = new_id(&mut st);
                let resp = DataSmResp {
                    message_id: COctetString::new(id).unwrap_or_default(),
                    ..DataSmResp::default()
                };
                let _ = s.respond(
                    now,
                    seq,
                    CommandStatus::ESME_ROK,
                    Pdu::DataSmResp(Some(resp)),
                );
            }
            Pdu::QuerySm(q) => match st.messages.get(&q.message_id.to_string()) {
                Some(m) => {
                    let resp = QuerySmResp {
                        message_id: q.message_id.clone(),
                        final_date: SmppTime::new(&m.final_date).unwrap_or_default(),
                        message_state: m.state,
                        error_code: 0,
                        ..QuerySmResp::default()
                    };
                    let _ = s.respond(
                        now,
                        seq,
                        CommandStatus::ESME_ROK,
                        Pdu::QuerySmResp(Some(resp)),
                    );
                }
                None => {
                    let _ = s.respond_error(now, seq, CommandStatus::ESME_RQUERYFAIL);
                }
            },
            Pdu::CancelSm(c) => match st.messages.get_mut(&c.message_id.to_string()) {
                Some(m) if m.state == MessageState::ENROUTE => {
                    m.state = MessageState::DELETED;
                    let _ = s.respond(now, seq, CommandStatus::ESME_ROK, Pdu::CancelSmResp);
                }
                _ => {
                    let _ = s.respond_error(now, seq, CommandStatus::ESME_RCANCELFAIL);
                }
            },
            Pdu::ReplaceSm(r) => match st.messages.get(&r.message_id.to_string()) {
                Some(m) if m.state == MessageState::ENROUTE => {
                    let _ = s.respond(now, seq, CommandStatus::ESME_ROK, Pdu::ReplaceSmResp);
                }
                _ => {
                    let _ = s.respond_error(now, seq, CommandStatus::ESME_RREPLACEFAIL);
                }
            },
            _ => {
                let _ = s.respond_error(now, seq, CommandStatus::ESME_RSYSERR);
            }
        }
    })
    .await;
    if let Ok(mut st) = store.lock() {
        for list in st.receivers.values_mut() {
            list.retain(|r| !r.is_closed());
        }
    }
}

fn new_id(st: &mut Store) -> String {
    st.next_id += 1;
    format!("{:08x}", st.next_id)
}

fn receipt(id: &str, from: &COctetString<21>, to: &COctetString<21>, text: &str) -> Pdu {
    let t = smsc_time();
    let body = format!(
        "id:{id} sub:001 dlvrd:001 submit date:{t} done date:{t} stat:DELIVRD err:000 text:{text}"
    );
    let mut d = DeliverSm {
        source_addr: from.clone(),
        destination_addr: to.clone(),
        esm_class: EsmClass::DELIVERY_RECEIPT,
        short_message: ShortMessage::new(body.into_bytes()).unwrap_or_default(),
        ..DeliverSm::default()
    };
    d.tlvs.push(Tlv::ReceiptedMessageId(
        COctetString::new(id.to_owned()).unwrap_or_default(),
    ));
    d.tlvs.push(Tlv::MessageState(MessageState::DELIVERED));
    Pdu::DeliverSm(d)
}

/// The built-in ESME: connects to `addr`, binds as a transceiver, answers deliver_sm and data_sm.
async fn esme_conn(addr: SocketAddr) {
    let Ok(Ok(stream)) =
        tokio::time::timeout(Duration::from_secs(5), TcpStream::connect(addr)).await
    else {
        return;
    };
    let (_tx, rx) = mpsc::channel::<Pdu>(1);
    let now = Instant::now();
    let mut session = Session::new(SessionRole::Esme, config(), now);
    let bind = Bind {
        system_id: COctetString::new(ACCOUNT.0).unwrap_or_default(),
        password: COctetString::new(ACCOUNT.1).unwrap_or_default(),
        interface_version: INTERFACE_VERSION_34,
        ..Bind::default()
    };
    let _ = session.bind(now, BindType::Transceiver, bind);
    drive(stream, session, rx, |s, ev| {
        let now = Instant::now();
        match ev {
            Event::Request {
                sequence_number,
                pdu: Pdu::DeliverSm(_),
            } => {
                let _ = s.respond(
                    now,
                    sequence_number,
                    CommandStatus::ESME_ROK,
                    Pdu::DeliverSmResp(Some(DeliverSmResp::default())),
                );
            }
            Event::Request {
                sequence_number,
                pdu: Pdu::DataSm(_),
            } => {
                let _ = s.respond(
                    now,
                    sequence_number,
                    CommandStatus::ESME_ROK,
                    Pdu::DataSmResp(Some(DataSmResp::default())),
                );
            }
            Event::Request {
                sequence_number, ..
            } => {
                let _ = s.respond_error(now, sequence_number, CommandStatus::ESME_RSYSERR);
            }
            Event::BindRefused { .. } => s.close(),
            _ => {}
        }
    })
    .await;
}
