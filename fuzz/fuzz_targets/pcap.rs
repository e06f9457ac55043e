//! pcap fuzz target: one call into `smpp::fuzzing`.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| smpp::fuzzing::pcap(data));
