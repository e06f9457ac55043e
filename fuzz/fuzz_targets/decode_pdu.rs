//! Any octets, framed and decoded strictly and leniently: no panic, and re-encoding is exact.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| smpp::fuzzing::decode_pdu(data));
