//! End-to-end load: submit_sm → submit_sm_resp over loopback, an ESME client and an SMSC server
//! of the same implementation in one process (tokio, 2 worker threads), `binds` transceiver
//! sessions each with `window` requests in flight. The workload of `benches/e2e.rs`, and a
//! profiling target.
//!
//! ```sh
//! cargo run --release --example e2e_load -- --impl smpp --binds 1 --window 64 --messages 500000
//! cargo run --release --example e2e_load -- --impl smpp34 --binds 4 --window 64
//! perf record -g target/release/examples/e2e_load --impl smpp --messages 2000000
//! ```
//!
//! Prints one line: messages, seconds, messages/s and the process's peak RSS (VmHWM).

#![allow(dead_code)]

use std::net::IpAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Which client and server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Implementation {
    /// This crate.
    Smpp,
    /// The `smpp34` crate.
    Smpp34,
}

impl Implementation {
    pub fn name(self) -> &'static str {
        match self {
            Self::Smpp => "smpp",
            Self::Smpp34 => "smpp34",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "smpp" => Some(Self::Smpp),
            "smpp34" => Some(Self::Smpp34),
            _ => None,
        }
    }
}

const SOURCE: &str = "12345";
const DESTINATION: &str = "31600000000";
const TEXT: &[u8] = b"perf test message";

// ------------------------------------------------------------------------------------ smpp

mod ours {
    use super::*;
    use smpp::SubmitSm;
    use smpp::client::{Client, ClientConfig};
    use smpp::server::{NoReceipts, Server};
    use smpp::session::BindType;

    pub struct Rig {
        pub server: Server,
        pub clients: Vec<Client>,
        pub template: SubmitSm,
    }

    pub async fn setup(binds: usize, window: usize) -> Rig {
        let server = Server::builder()
            .receipt_policy(NoReceipts)
            .listen("127.0.0.1:0")
            .await
            .expect("listen");
        let port = server.local_addr().expect("addr").port();
        let mut clients = Vec::new();
        for _ in 0..binds {
            let config = ClientConfig::new("127.0.0.1", port, "perf", "perf")
                .window_size(window)
                .enquire_link_interval(None);
            let (client, events) = Client::bind(config, BindType::Transceiver)
                .await
                .expect("bind");
            // Nothing comes back but responses; keep the events stream alive.
            tokio::spawn(async move {
                let mut events = events;
                while events.next().await.is_some() {}
            });
            clients.push(client);
        }
        let template = SubmitSm {
            source_addr: SOURCE.try_into().unwrap(),
            destination_addr: DESTINATION.try_into().unwrap(),
            short_message: TEXT.try_into().unwrap(),
            ..SubmitSm::default()
        };
        Rig {
            server,
            clients,
            template,
        }
    }

    pub async fn run(rig: &Rig, window: usize, count: u64) {
        let remaining = Arc::new(AtomicU64::new(count));
        let mut tasks = Vec::new();
        for client in &rig.clients {
            for _ in 0..window {
                let client = client.clone();
                let template = rig.template.clone();
                let remaining = remaining.clone();
                tasks.push(tokio::spawn(async move {
                    while remaining
                        .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |x| x.checked_sub(1))
                        .is_ok()
                    {
                        client.submit_sm(template.clone()).await.expect("submit_sm");
                    }
                }));
            }
        }
        for t in tasks {
            t.await.expect("task");
        }
    }

    pub async fn stop(rig: Rig) {
        for c in &rig.clients {
            let _ = c.unbind().await;
        }
        rig.server.shutdown(Duration::from_secs(2)).await;
    }
}

// ---------------------------------------------------------------------------------- smpp34

mod theirs {
    use super::*;
    use async_trait::async_trait;
    use smpp34::client::{BIND_TYPE, SMSC, SmppClient, SmppClientListener};
    use smpp34::{
        SmppConnectionInformation, SmppServer, SmppServerListener, bind_transceiver,
        bind_transceiver_resp, submit_sm, submit_sm_resp,
    };
    use tokio::sync::{Mutex, oneshot};

    struct Accept;

    #[async_trait]
    impl SmppServerListener for Accept {
        async fn on_bind_transceiver(
            &self,
            req: bind_transceiver,
            _c: &SmppConnectionInformation,
            _s: &String,
        ) -> bind_transceiver_resp {
            req.accept("SMSC".to_string(), Some(0x34))
        }

        async fn on_submit_sm(
            &self,
            req: submit_sm,
            _c: &SmppConnectionInformation,
            _s: &String,
        ) -> submit_sm_resp {
            req.accept("1".to_string())
        }
    }

    struct Binder {
        tx: Mutex<Option<oneshot::Sender<Arc<SMSC>>>>,
    }

    #[async_trait]
    impl SmppClientListener for Binder {
        async fn on_smsc_bound(&self, smsc: SMSC, _s: &String) {
            if let Some(tx) = self.tx.lock().await.take() {
                let _ = tx.send(Arc::new(smsc));
            }
        }
    }

    pub struct Rig {
        server: SmppServer,
        clients: Vec<SmppClient>,
        smscs: Vec<Arc<SMSC>>,
    }

    pub async fn setup(binds: usize, window: usize) -> Rig {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut server = SmppServer::new(IpAddr::from([127, 0, 0, 1]), port, Arc::new(Accept));
        server.start().await;
        tokio::time::sleep(Duration::from_millis(50)).await;
        let mut clients = Vec::new();
        let mut smscs = Vec::new();
        for _ in 0..binds {
            let (tx, rx) = oneshot::channel();
            let binder = Arc::new(Binder {
                tx: Mutex::new(Some(tx)),
            });
            let mut client = SmppClient::new(
                "127.0.0.1".to_string(),
                port,
                false,
                BIND_TYPE::TRX,
                "perf".to_string(),
                "perf".to_string(),
                String::new(),
                0,
                0,
                String::new(),
                binder,
                window,
            );
            client.start().await;
            smscs.push(rx.await.expect("bind"));
            clients.push(client);
        }
        Rig {
            server,
            clients,
            smscs,
        }
    }

    pub async fn run(rig: &Rig, window: usize, count: u64) {
        let remaining = Arc::new(AtomicU64::new(count));
        let mut tasks = Vec::new();
        for smsc in &rig.smscs {
            for _ in 0..window {
                let smsc = smsc.clone();
                let remaining = remaining.clone();
                tasks.push(tokio::spawn(async move {
                    while remaining
                        .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |x| x.checked_sub(1))
                        .is_ok()
                    {
                        smsc.submit_sm()
                            .source_addr(SOURCE)
                            .destination_addr(DESTINATION)
                            .short_message(TEXT)
                            .send()
                            .await
                            .expect("submit_sm");
                    }
                }));
            }
        }
        for t in tasks {
            t.await.expect("task");
        }
    }

    pub async fn stop(mut rig: Rig) {
        for c in &mut rig.clients {
            c.stop().await;
        }
        rig.server.stop().await;
    }
}

// ------------------------------------------------------------------------------------ rig

/// Connected client(s) and server of one implementation, ready to send.
pub enum Rig {
    Smpp(ours::Rig),
    Smpp34(theirs::Rig),
}

impl Rig {
    pub async fn setup(implementation: Implementation, binds: usize, window: usize) -> Rig {
        match implementation {
            Implementation::Smpp => Rig::Smpp(ours::setup(binds, window).await),
            Implementation::Smpp34 => Rig::Smpp34(theirs::setup(binds, window).await),
        }
    }

    /// Sends `count` submit_sm over every bind, `window` at a time per bind; returns the time
    /// until the last response.
    pub async fn run(&self, window: usize, count: u64) -> Duration {
        let start = Instant::now();
        match self {
            Rig::Smpp(r) => ours::run(r, window, count).await,
            Rig::Smpp34(r) => theirs::run(r, window, count).await,
        }
        start.elapsed()
    }

    pub async fn stop(self) {
        match self {
            Rig::Smpp(r) => ours::stop(r).await,
            Rig::Smpp34(r) => theirs::stop(r).await,
        }
    }
}

/// The runtime both implementations run on: tokio's multi-thread scheduler, 2 workers.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}

/// This process's peak resident set size (VmHWM), in KiB.
pub fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// One whole run in this process: set up, warm up, send `count`, report.
pub fn load(implementation: Implementation, binds: usize, window: usize, count: u64) -> String {
    let rt = runtime();
    let (elapsed, rss) = rt.block_on(async {
        let rig = Rig::setup(implementation, binds, window).await;
        rig.run(window, (count / 10).max(1)).await; // warm-up
        let elapsed = rig.run(window, count).await;
        let rss = peak_rss_kib();
        if std::env::var("E2E_RSS_DETAIL").is_ok() {
            let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
            for l in status
                .lines()
                .filter(|l| l.starts_with("Rss") || l.starts_with("VmHWM"))
            {
                eprintln!("{l}");
            }
        }
        rig.stop().await;
        (elapsed, rss)
    });
    format!(
        "e2e_load impl={} binds={binds} window={window} messages={count} seconds={:.3} msgs_per_s={:.0} peak_rss_kib={}",
        implementation.name(),
        elapsed.as_secs_f64(),
        count as f64 / elapsed.as_secs_f64(),
        rss.map_or("?".into(), |r| r.to_string()),
    )
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let get = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1).cloned())
    };
    let Some(implementation) = Implementation::parse(&get("--impl").unwrap_or("smpp".into()))
    else {
        eprintln!("usage: e2e_load [--impl smpp|smpp34] [--binds N] [--window N] [--messages N]");
        std::process::exit(2);
    };
    let binds = get("--binds").and_then(|v| v.parse().ok()).unwrap_or(1);
    let window = get("--window").and_then(|v| v.parse().ok()).unwrap_or(64);
    let count = get("--messages")
        .and_then(|v| v.parse().ok())
        .unwrap_or(500_000);
    println!("{}", load(implementation, binds, window, count));
}
