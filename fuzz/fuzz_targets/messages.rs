//! Plaintext messages (JSON text): reading, validation, and every protocol parser, forward
//! included, on the result.
#![no_main]

use didcomm_wasm::protocols::{
    basic_message, discover_features, empty, mediation, out_of_band, pickup, problem_report,
    trust_ping,
};
use didcomm_wasm::{Forward, Message};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(message) = Message::from_json(text) else {
        return;
    };
    let _ = message.validate();
    let _ = message.to_json();
    let _ = Forward::parse(&message);
    let _ = basic_message::parse(&message);
    let _ = discover_features::parse(&message);
    let _ = empty::parse(&message);
    let _ = mediation::parse(&message);
    let _ = out_of_band::parse(&message);
    let _ = pickup::parse(&message);
    let _ = problem_report::parse(&message);
    let _ = trust_ping::parse(&message);
});
