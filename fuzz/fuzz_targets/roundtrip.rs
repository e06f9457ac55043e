//! Any valid Command (structure-aware, via `Arbitrary`): encode, decode strictly, get it back.
#![no_main]
libfuzzer_sys::fuzz_target!(|cmd: smpp::Command| smpp::fuzzing::roundtrip(cmd));
