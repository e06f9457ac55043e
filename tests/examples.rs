//! The examples run: `examples/client.rs` against `examples/server.rs` and against smpp-sim, on
//! loopback, each bounded in time (their main logic is called directly).

#![allow(dead_code)]

#[path = "../examples/client.rs"]
mod client_example;
#[path = "../examples/server.rs"]
mod server_example;

use std::time::Duration;

const LIMIT: Duration = Duration::from_secs(30);

fn options(port: u16, system_id: &str, password: &str) -> client_example::Options {
    client_example::Options {
        host: "127.0.0.1".into(),
        port,
        system_id: system_id.into(),
        password: password.into(),
        wait: Duration::from_secs(10),
    }
}

#[tokio::test]
async fn client_example_against_server_example() {
    tokio::time::timeout(LIMIT, async {
        let (server, smsc) = server_example::start("127.0.0.1:0").await.unwrap();
        let port = server.local_addr().unwrap().port();
        // A wrong password is refused by the server's authentication.
        assert!(
            client_example::run(&options(port, "client1", "wrong"))
                .await
                .is_err()
        );
        let report = client_example::run(&options(port, "client1", "secret1"))
            .await
            .unwrap();
        assert_eq!(report.sent, ["MSG_000001", "MSG_000002"]);
        // Both receipts, for the ids given.
        let mut ids: Vec<_> = report.receipts.iter().map(|r| r.0.clone()).collect();
        ids.sort();
        assert_eq!(ids, report.sent);
        assert!(report.receipts.iter().all(|r| r.1 == "DELIVRD"));
        // The welcome message and the replies delivered to the client.
        assert!(
            report.messages.iter().any(|m| m == "Welcome!"),
            "{:?}",
            report.messages
        );
        assert!(
            report
                .messages
                .iter()
                .any(|m| m.starts_with("Got your message MSG_"))
        );
        // The store has both, the UCS2 one decoded.
        let stored = smsc.messages.lock().unwrap().clone();
        assert_eq!(stored.len(), 2);
        assert_eq!(stored[0].text, "Hello World!");
        assert_eq!(stored[1].text, "Привет, мир! ✓");
        assert_eq!(stored[1].client, "client1");
        server.shutdown(Duration::from_secs(5)).await;
    })
    .await
    .expect("bounded");
}

#[tokio::test]
async fn client_example_against_the_simulator() {
    tokio::time::timeout(LIMIT, async {
        let config = smpp::sim::SimConfig::default()
            .listen("127.0.0.1:0")
            .account("client1", "secret1")
            .receipt_delay(Duration::from_millis(100));
        let sim = smpp::sim::Simulator::start(config).await.unwrap();
        let report = client_example::run(&options(sim.local_addr().port(), "client1", "secret1"))
            .await
            .unwrap();
        assert_eq!(report.sent.len(), 2);
        assert_eq!(report.receipts.len(), 2);
        let summary = sim.shutdown().await;
        assert_eq!(summary.receipts.get("DELIVRD"), Some(&2));
    })
    .await
    .expect("bounded");
}
