//! Plaintext messages (JSON text): reading, validation, and every protocol parser, forward
//! included, on the result; and packing the text as it is (`plaintext_json`), which must
//! agree with reading it and packing the message.
#![no_main]

use didcomm_wasm::protocols::{
    basic_message, discover_features, empty, mediation, out_of_band, pickup, problem_report,
    trust_ping,
};
use didcomm_wasm::{pack, Forward, Message};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let full = Message::from_json(text).and_then(|m| pack::plaintext(&m));
    match (pack::plaintext_json(text), full) {
        // Either the full path's own output, or the text given (with `typ`): the message
        // given, exactly (the full path writes floats anew, and serde_json reads some of
        // them back one digit off).
        (Ok(fast), Ok(full)) => assert!(
            fast == full || Message::from_json(&fast) == Message::from_json(text),
            "{fast} from {text}"
        ),
        (Err(a), Err(b)) => assert_eq!((a.kind(), a.message()), (b.kind(), b.message())),
        (fast, full) => panic!("plaintext_json {fast:?}, the full path {full:?}"),
    }
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
