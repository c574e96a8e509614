//! DID strings of the built-in methods: did:peer (0, 2, 4 and the legacy forms), did:key,
//! and the did:web URL rules.
#![no_main]

use didcomm_wasm::did::{key, peer, web};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for doc in [peer::resolve(text), key::resolve(text)]
        .into_iter()
        .flatten()
    {
        let _ = doc.to_value();
        let _ = doc.didcomm_services();
    }
    let _ = peer::short_form_4(text);
    let _ = web::url_for(text);
});
