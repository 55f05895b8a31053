#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| flinks_client::decode::fuzz::decode_authorize(data));
