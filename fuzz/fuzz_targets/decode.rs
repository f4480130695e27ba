//! Any bytes through the message decoder: a refusal with a reason, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = akhbar::decode::decode(data, 1 << 20);
});
