//! A stream split at fuzz-chosen boundaries frames the same as the whole stream.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| smpp::fuzzing::framer(data));
