//! Interop driver: our ESME client against any SMSC (the npm `smpp` server in `interop/ci.sh`).
//!
//! ```sh
//! cargo run --release --example interop_client -- --port 2775 [--system-id test --password secret]
//! ```
//!
//! Steps, one `PASS` / `FAIL` / `SKIP` line each: bind_transceiver; a bind with a wrong password is
//! refused; submit_sm of GSM text and of UCS2 text with registered_delivery=1; a long message
//! (`send_long`, UDH with an 8-bit reference) and one with the SAR TLVs; enquire_link; query_sm;
//! a message scheduled a day ahead replaced, queried (ENROUTE), cancelled, queried (DELETED),
//! cancelled again (refused) (`--no-cancel-replace` leaves these out); one receipt per
//! submitted part, matched by message_id; bind_receiver on a second connection that waits for a
//! mobile-originated deliver_sm (SKIP when none comes, FAIL with `--expect-mo`); unbind of both.
//! The last line is `rust-client: N passed, N failed, N skipped`; the exit status is 1 when a step
//! failed, 2 on bad arguments or when the run overran `--timeout`.

use std::collections::HashMap;
use std::future::Future;
use std::process::ExitCode;
use std::time::Duration;

use smpp::client::{Client, ClientConfig, ClientEvent, Events};
use smpp::session::BindType;
use smpp::text::{Concat, SplitOptions};
use smpp::{
    CancelSm, DataCoding, MessageState, QuerySm, RegisteredDelivery, ReplaceSm, SmppTime, SubmitSm,
    Ton,
};

type Error = Box<dyn std::error::Error + Send + Sync>;

struct Args {
    host: String,
    port: u16,
    system_id: String,
    password: String,
    receipt_timeout: Duration,
    mo_wait: Duration,
    timeout: Duration,
    expect_mo: bool,
    cancel_replace: bool,
}

fn parse_args() -> Result<Args, String> {
    let mut a = Args {
        host: "127.0.0.1".into(),
        port: 2775,
        system_id: "test".into(),
        password: "secret".into(),
        receipt_timeout: Duration::from_secs(10),
        mo_wait: Duration::from_secs(3),
        timeout: Duration::from_secs(60),
        expect_mo: false,
        cancel_replace: true,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        let secs = |v: String| {
            v.parse::<f64>()
                .map(Duration::from_secs_f64)
                .map_err(|_| format!("bad seconds {v:?}"))
        };
        match flag.as_str() {
            "--host" => a.host = value()?,
            "--port" => a.port = value()?.parse().map_err(|_| "bad --port")?,
            "--system-id" => a.system_id = value()?,
            "--password" => a.password = value()?,
            "--receipt-timeout" => a.receipt_timeout = secs(value()?)?,
            "--mo-wait" => a.mo_wait = secs(value()?)?,
            "--timeout" => a.timeout = secs(value()?)?,
            "--expect-mo" => a.expect_mo = true,
            "--no-cancel-replace" => a.cancel_replace = false,
            other => return Err(format!("unknown argument {other}")),
        }
    }
    let loopback = a.host == "localhost"
        || a.host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    if !loopback {
        return Err(format!(
            "refusing host {}: interop runs over loopback only",
            a.host
        ));
    }
    Ok(a)
}

#[derive(Default)]
struct Tally {
    pass: u32,
    fail: u32,
    skip: u32,
}

enum Outcome {
    Pass(String),
    Skip(String),
}

impl Tally {
    /// Runs one step and prints its line; returns its value on success.
    async fn step<T>(
        &mut self,
        name: &str,
        f: impl Future<Output = Result<(T, Outcome), Error>>,
    ) -> Option<T> {
        match f.await {
            Ok((v, Outcome::Pass(detail))) => {
                self.pass += 1;
                println!("PASS {name} - {detail}");
                Some(v)
            }
            Ok((v, Outcome::Skip(detail))) => {
                self.skip += 1;
                println!("SKIP {name} - {detail}");
                Some(v)
            }
            Err(e) => {
                self.fail += 1;
                println!("FAIL {name} - {e}");
                None
            }
        }
    }
}

fn pass<T>(v: T, detail: impl Into<String>) -> Result<(T, Outcome), Error> {
    Ok((v, Outcome::Pass(detail.into())))
}

fn submit(text_octets: Vec<u8>, data_coding: DataCoding) -> Result<SubmitSm, Error> {
    Ok(SubmitSm {
        source_addr_ton: Ton::INTERNATIONAL,
        source_addr: "12345".try_into()?,
        dest_addr_ton: Ton::INTERNATIONAL,
        destination_addr: "447700900123".try_into()?,
        registered_delivery: RegisteredDelivery::SMSC_RECEIPT,
        data_coding,
        short_message: text_octets.try_into()?,
        ..SubmitSm::default()
    })
}

fn config(a: &Args, password: &str) -> ClientConfig {
    ClientConfig::new(&a.host, a.port, &a.system_id, password)
        .response_timeout(Some(Duration::from_secs(5)))
        .bind_timeout(Duration::from_secs(5))
}

/// Receipts and other deliver_sm collected from a connection's events.
#[derive(Default)]
struct Inbox {
    /// message_id → (stat, how it was matched)
    receipts: HashMap<String, (String, String)>,
    others: Vec<String>,
}

impl Inbox {
    /// Reads events until `done` says so or the deadline passes.
    async fn pump(
        &mut self,
        events: &mut Events,
        deadline: tokio::time::Instant,
        done: impl Fn(&Inbox) -> bool,
    ) {
        while !done(self) {
            let Ok(Some(event)) = tokio::time::timeout_at(deadline, events.next()).await else {
                return;
            };
            if let ClientEvent::DeliverSm(m) = event {
                match m.receipt() {
                    Some(view) => {
                        let id = view.message_id.clone().unwrap_or_default();
                        let stat = view
                            .stat
                            .as_ref()
                            .map_or("?".into(), |s| s.as_str().to_owned());
                        let source = format!("{:?}", view.message_id_source);
                        self.receipts.insert(id, (stat, source));
                    }
                    None => self
                        .others
                        .push(String::from_utf8_lossy(m.pdu.short_message.as_bytes()).into_owned()),
                }
                m.accept();
            }
        }
    }
}

async fn run(a: &Args, t: &mut Tally) {
    let Some((trx, mut events)) = t
        .step("bind_transceiver", async {
            let (c, e) = Client::bind(config(a, &a.password), BindType::Transceiver).await?;
            let d = format!("bound {:?}", c.bind_type());
            pass((c, e), d)
        })
        .await
    else {
        t.fail += 1;
        println!("FAIL remaining steps - not run: no bind");
        return;
    };

    t.step("bind with a wrong password is refused", async {
        let wrong = if a.password == "badpw1" {
            "badpw2"
        } else {
            "badpw1"
        };
        match Client::bind(config(a, wrong), BindType::Transmitter).await {
            Ok((c, _)) => {
                c.disconnect();
                Err("bind with a wrong password succeeded".into())
            }
            Err(e) => match e.command_status() {
                Some(s) => pass((), format!("{s}")),
                None => Err(format!("not refused by status: {e}").into()),
            },
        }
    })
    .await;

    let mut submitted: Vec<(String, String)> = Vec::new();
    let gsm_id = t
        .step("submit_sm GSM 7-bit text, registered_delivery=1", async {
            let text = smpp::text::encode(
                "Hello from smpp (Rust) @ interop: GSM 7-bit",
                smpp::text::Alphabet::Gsm7,
                smpp::text::Mode::Strict,
            )?;
            let id = trx.submit_sm(submit(text, DataCoding(0))?).await?;
            pass(id.clone(), format!("message_id={id}"))
        })
        .await;
    if let Some(id) = &gsm_id {
        submitted.push(("GSM".into(), id.clone()));
    }
    if let Some(id) = t
        .step("submit_sm UCS2 text, registered_delivery=1", async {
            let ucs2: Vec<u8> = "Привет, мир! Ünïcödé ✓ 中文"
                .encode_utf16()
                .flat_map(u16::to_be_bytes)
                .collect();
            let id = trx.submit_sm(submit(ucs2, DataCoding::UCS2)?).await?;
            pass(id.clone(), format!("message_id={id}"))
        })
        .await
    {
        submitted.push(("UCS2".into(), id));
    }
    let long = "Long message from smpp (Rust), split by send_long into parts with a UDH: "
        .to_owned()
        + &"the quick brown fox jumps over the lazy dog 0123456789 ".repeat(4);
    for (label, method) in [
        ("UDH", Concat::Udh8 { reference: 0x42 }),
        ("SAR", Concat::Sar { reference: 0x1234 }),
    ] {
        if let Some(ids) = t
            .step(
                &format!("long message by send_long ({label}), registered_delivery=1"),
                async {
                    let template = submit(Vec::new(), DataCoding(0))?;
                    let ids = trx
                        .send_long_with(template, &long, method, &SplitOptions::default())
                        .await?;
                    if ids.len() < 2 {
                        return Err(format!("{} part(s), wanted 2 or more", ids.len()).into());
                    }
                    pass(
                        ids.clone(),
                        format!("{} parts, message_ids={}", ids.len(), ids.join(",")),
                    )
                },
            )
            .await
        {
            for (i, id) in ids.iter().enumerate() {
                submitted.push((format!("{label} part {}/{}", i + 1, ids.len()), id.clone()));
            }
        }
    }

    t.step("enquire_link", async {
        let rtt = trx.enquire_link().await?;
        pass((), format!("enquire_link_resp in {rtt:?}"))
    })
    .await;

    t.step("query_sm of the GSM message", async {
        let id = gsm_id.clone().ok_or("not run: the GSM submit failed")?;
        let q = trx
            .query_sm(QuerySm {
                message_id: id.as_str().try_into()?,
                source_addr_ton: Ton::INTERNATIONAL,
                source_addr: "12345".try_into()?,
                ..QuerySm::default()
            })
            .await?;
        if q.message_id != id.as_str() {
            return Err(format!("query_sm_resp message_id {:?} != {id}", q.message_id).into());
        }
        pass(
            (),
            format!(
                "message_state={} final_date={:?}",
                q.message_state,
                q.final_date.as_str()
            ),
        )
    })
    .await;

    if a.cancel_replace {
        cancel_replace(&trx, t).await;
    }

    // One receipt per submitted part.
    let mut inbox = Inbox::default();
    let wanted: Vec<String> = submitted.iter().map(|s| s.1.clone()).collect();
    inbox
        .pump(
            &mut events,
            tokio::time::Instant::now() + a.receipt_timeout,
            |i| wanted.iter().all(|id| i.receipts.contains_key(id)),
        )
        .await;
    for (label, id) in &submitted {
        t.step(&format!("delivery receipt for {label}"), async {
            match inbox.receipts.get(id) {
                Some((stat, how)) => pass(
                    (),
                    format!("message_id={id}, stat={stat}, matched by {how}"),
                ),
                None => Err(format!(
                    "no receipt for message_id {id} within {:?}",
                    a.receipt_timeout
                )
                .into()),
            }
        })
        .await;
    }

    receiver(a, t).await;

    t.step("unbind (transceiver)", async {
        trx.unbind().await?;
        pass((), "unbind_resp")
    })
    .await;
}

async fn cancel_replace(trx: &Client, t: &mut Tally) {
    let sid = t
        .step(
            "submit_sm scheduled +1 day (for replace_sm / cancel_sm)",
            async {
                let mut s = submit(b"Scheduled message, to be replaced".to_vec(), DataCoding(0))?;
                s.registered_delivery = RegisteredDelivery::NONE;
                s.schedule_delivery_time = SmppTime::new("000001000000000R")?;
                let id = trx.submit_sm(s).await?;
                pass(id.clone(), format!("message_id={id}"))
            },
        )
        .await;
    let Some(sid) = sid else { return };
    let query = |want: MessageState| {
        let sid = sid.clone();
        async move {
            let q = trx
                .query_sm(QuerySm {
                    message_id: sid.as_str().try_into()?,
                    source_addr_ton: Ton::INTERNATIONAL,
                    source_addr: "12345".try_into()?,
                    ..QuerySm::default()
                })
                .await?;
            if q.message_state != want {
                return Err(format!("message_state {}, wanted {want}", q.message_state).into());
            }
            pass((), format!("message_state={}", q.message_state))
        }
    };
    let cancel = || -> Result<CancelSm, Error> {
        Ok(CancelSm {
            message_id: sid.as_str().try_into()?,
            source_addr_ton: Ton::INTERNATIONAL,
            source_addr: "12345".try_into()?,
            dest_addr_ton: Ton::INTERNATIONAL,
            destination_addr: "447700900123".try_into()?,
            ..CancelSm::default()
        })
    };
    t.step("replace_sm of the scheduled message", async {
        trx.replace_sm(ReplaceSm {
            message_id: sid.as_str().try_into()?,
            source_addr_ton: Ton::INTERNATIONAL,
            source_addr: "12345".try_into()?,
            short_message: "Replaced text".try_into()?,
            ..ReplaceSm::default()
        })
        .await?;
        pass((), "replace_sm_resp ESME_ROK")
    })
    .await;
    t.step(
        "query_sm of the scheduled message: still pending",
        query(MessageState::ENROUTE),
    )
    .await;
    t.step("cancel_sm of the scheduled message", async {
        trx.cancel_sm(cancel()?).await?;
        pass((), "cancel_sm_resp ESME_ROK")
    })
    .await;
    t.step(
        "query_sm after cancel_sm: DELETED",
        query(MessageState::DELETED),
    )
    .await;
    t.step("cancel_sm again is refused", async {
        match trx.cancel_sm(cancel()?).await {
            Ok(()) => Err("the second cancel_sm succeeded".into()),
            Err(e) => pass(
                (),
                e.command_status().map_or(e.to_string(), |s| s.to_string()),
            ),
        }
    })
    .await;
}

async fn receiver(a: &Args, t: &mut Tally) {
    let Some((rx, mut events)) = t
        .step("bind_receiver on a second connection", async {
            let (c, e) = Client::bind(config(a, &a.password), BindType::Receiver).await?;
            pass((c, e), "bound Receiver")
        })
        .await
    else {
        return;
    };
    let mut inbox = Inbox::default();
    inbox
        .pump(&mut events, tokio::time::Instant::now() + a.mo_wait, |i| {
            !i.others.is_empty()
        })
        .await;
    t.step("mobile-originated deliver_sm on the receiver", async {
        match inbox.others.first() {
            Some(text) => pass((), format!("{text:?}")),
            None if a.expect_mo => Err(format!("no MO deliver_sm within {:?}", a.mo_wait).into()),
            None => Ok((
                (),
                Outcome::Skip(format!("no MO deliver_sm within {:?}", a.mo_wait)),
            )),
        }
    })
    .await;
    t.step("unbind (receiver)", async {
        rx.unbind().await?;
        pass((), "unbind_resp")
    })
    .await;
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("interop_client: {e}");
            return ExitCode::from(2);
        }
    };
    let mut tally = Tally::default();
    let overran = tokio::time::timeout(args.timeout, run(&args, &mut tally))
        .await
        .is_err();
    if overran {
        tally.fail += 1;
        println!("FAIL overall timeout - run exceeded {:?}", args.timeout);
    }
    println!(
        "rust-client: {} passed, {} failed, {} skipped",
        tally.pass, tally.fail, tally.skip
    );
    match (overran, tally.fail) {
        (true, _) => ExitCode::from(2),
        (false, 0) => ExitCode::SUCCESS,
        _ => ExitCode::FAILURE,
    }
}
