//! Runs the session fuzz body (`smpp::session::fuzz_session`) on fixed inputs and on a deterministic
//! stream of pseudo-random ones, so `cargo test` exercises it without a fuzzer.

use std::collections::BTreeSet;

use smpp::session::fuzz::fuzz_session_reached;
use smpp::session::fuzz_session;

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
}

#[test]
fn fixed_inputs() {
    let cases: &[&[u8]] = &[
        b"",
        &[0],
        &[1; 64],
        &[0xFF; 300],
        // ESME, window 1, every timer 100 ms, then: bind, a bind_transmitter_resp ok for the last
        // sequence_number, a submit_sm, time steps.
        &[
            0, 0, 1, 1, 1, 1, 0, 1, 1, 1, 0, 0, 11, 0, 1, 4, 0, 0, 0, 5, 9, 3, 40, 3, 40, 3, 40,
        ],
        // SMSC receiving a bind_transceiver split at octet 3, then answering it.
        &[
            1, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 17, 0, 1, 1, 3, 7, 0, 0, 0, 9, 3, 200,
        ],
    ];
    for case in cases {
        fuzz_session(case);
    }
}

#[test]
fn pseudo_random_inputs() {
    // SMPP_SESSION_FUZZ_ITERS and SMPP_SESSION_FUZZ_SEED run a longer or different corpus.
    let iters = std::env::var("SMPP_SESSION_FUZZ_ITERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000);
    let seed = std::env::var("SMPP_SESSION_FUZZ_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0x5EED_1234_ABCD_0001);
    let mut rng = Rng(seed);
    let mut reached = BTreeSet::new();
    for _ in 0..iters {
        let len = (rng.next() % 512) as usize;
        let data = rng.bytes(len);
        match std::panic::catch_unwind(|| fuzz_session_reached(&data)) {
            Ok(r) => reached.extend(r),
            Err(_) => panic!("fuzz_session failed on {}", hex::encode(&data)),
        }
    }
    // The corpus must reach every state and the interesting outcomes, or it proves little.
    for want in [
        "state OPEN",
        "state BINDING",
        "state BOUND_TX",
        "state BOUND_RX",
        "state BOUND_TRX",
        "state UNBINDING",
        "state CLOSED",
        "Bound",
        "BindRefused",
        "Outbind",
        "Request",
        "Response",
        "UnexpectedResponse",
        "Timeout",
        "Abandoned",
        "Unbound",
        "Rejected NotAllowed",
        "Rejected AlreadyBound",
        "Rejected TooManyRequests",
        "Rejected Undecodable",
        "Rejected UnknownCommand",
        "BadResponse",
        "Warning",
        "Closed Inactivity",
        "Closed SessionInitTimeout",
        "Closed BindTimeout",
        "Closed UnbindTimeout",
        "Closed Local",
        "Closed Unbound",
        "Closed PeerMisbehaved",
    ] {
        assert!(reached.contains(want), "the corpus never reached {want:?}");
    }
}
