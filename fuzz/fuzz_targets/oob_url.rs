//! Out-of-band invitation URLs (`_oob`, base64url JSON), then the invitation they carry.
#![no_main]

use didcomm_wasm::protocols::out_of_band;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(message) = out_of_band::invitation_from_url(text) {
        let _ = out_of_band::parse(&message);
    }
});
