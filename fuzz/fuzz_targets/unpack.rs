//! unpack of any text, as Bob (the spec's vectors: his secrets, Alice's and Bob's documents,
//! did:key and did:peer built in). The first byte picks the options; the rest is the message.
//! The message's text, when kept as it came (wire form), must read back as the message.
#![no_main]

use didcomm_wasm::did::ChainResolver;
use didcomm_wasm::{DidComm, DidDocument, SecretsStore, StaticResolver, UnpackOptions};
use libfuzzer_sys::fuzz_target;

type Bob = DidComm<ChainResolver<StaticResolver>, SecretsStore>;

fn bob() -> Bob {
    let doc = |text: &str| DidDocument::from_json(text).expect("a spec vector");
    let docs = [
        doc(include_str!(
            "../../../shared/vectors/spec/diddoc-alice.json"
        )),
        doc(include_str!("../../../shared/vectors/spec/diddoc-bob.json")),
    ];
    let secrets: serde_json::Value = serde_json::from_str(include_str!(
        "../../../shared/vectors/spec/secrets-bob.json"
    ))
    .expect("a spec vector");
    let secrets =
        SecretsStore::from_jwks(secrets.as_array().expect("an array")).expect("Bob's secrets");
    DidComm::new(ChainResolver::new(StaticResolver::new(docs)), secrets)
}

thread_local! {
    static BOB: Bob = bob();
}

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let options = UnpackOptions {
        expect_decrypt_by_all_keys: flags & 1 != 0,
        unwrap_re_wrapping_forward: flags & 2 != 0,
    };
    BOB.with(|bob| {
        if let Ok(unpacked) = pollster::block_on(bob.unpack_with_text(text, &options)) {
            let _ = unpacked.message.to_json();
            // The text kept (wire form) reads back as the message found.
            if let Some(kept) = &unpacked.text {
                let again = didcomm_wasm::Message::from_json(kept).expect("wire text parses");
                assert_eq!(again, unpacked.message, "{kept}");
            }
        }
    });
});
