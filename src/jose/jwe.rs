//! JWE in General JSON serialization with ECDH-ES+A256KW (anoncrypt) and ECDH-1PU+A256KW
//! (authcrypt), CHECKLIST §5. This module does the cryptography against given keys; finding
//! the keys (DID documents, secrets) is the pack and unpack pipelines' job.

use std::fmt;

use serde_json::{Map, Value};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::crypto::{backend, random, PublicKey, SecretKey};
use crate::error::{err, list, Result};
use crate::jose::{b64, enc::ContentEnc, jwk, kdf, str_field};
use crate::json::push_string;
use crate::media_type::MediaType;

/// A JWE `alg`: the key-management algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyWrap {
    /// ECDH-ES+A256KW: anoncrypt.
    EcdhEs,
    /// ECDH-1PU+A256KW: authcrypt.
    Ecdh1pu,
}

impl KeyWrap {
    pub fn name(self) -> &'static str {
        match self {
            KeyWrap::EcdhEs => "ECDH-ES+A256KW",
            KeyWrap::Ecdh1pu => "ECDH-1PU+A256KW",
        }
    }

    pub fn from_name(name: &str) -> Option<KeyWrap> {
        [KeyWrap::EcdhEs, KeyWrap::Ecdh1pu]
            .into_iter()
            .find(|k| k.name() == name)
    }
}

impl fmt::Display for KeyWrap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A recipient key for [`encrypt`].
#[derive(Debug, Clone, Copy)]
pub struct Recipient<'a> {
    pub kid: &'a str,
    pub key: &'a PublicKey,
}

/// The sender key for authcrypt.
#[derive(Debug, Clone, Copy)]
pub struct Sender<'a> {
    pub kid: &'a str,
    pub key: &'a SecretKey,
}

/// `apv` = SHA-256 of the recipient kids, sorted and joined with `.`.
pub fn apv_for(kids: &[&str]) -> [u8; 32] {
    let mut sorted = kids.to_vec();
    heapsort(&mut sorted);
    let mut joined = Vec::with_capacity(kids.iter().map(|k| k.len() + 1).sum());
    for (i, kid) in sorted.iter().enumerate() {
        if i > 0 {
            joined.push(b'.');
        }
        joined.extend_from_slice(kid.as_bytes());
    }
    backend::sha256(&joined)
}

/// Sorts in place, O(n log n) for any input (the kids come from input). The only sort in
/// the crate: one small function instead of the standard library's sort machinery.
fn heapsort(v: &mut [&str]) {
    fn sift_down(v: &mut [&str], mut root: usize, end: usize) {
        loop {
            let mut child = 2 * root + 1;
            if child >= end {
                return;
            }
            if child + 1 < end && v[child] < v[child + 1] {
                child += 1;
            }
            if v[root] >= v[child] {
                return;
            }
            v.swap(root, child);
            root = child;
        }
    }
    let n = v.len();
    for root in (0..n / 2).rev() {
        sift_down(v, root, n);
    }
    for end in (1..n).rev() {
        v.swap(0, end);
        sift_down(v, 0, end);
    }
}

/// Encrypts `plaintext` to every recipient (all on one key-agreement curve). With a
/// `sender`, ECDH-1PU+A256KW with A256CBC-HS512; without, ECDH-ES+A256KW with `enc`.
pub async fn encrypt(
    plaintext: &[u8],
    enc: ContentEnc,
    recipients: &[Recipient<'_>],
    sender: Option<Sender<'_>>,
) -> Result<String> {
    let first = recipients
        .first()
        .ok_or_else(|| err!(IllegalArgument, "a JWE needs at least one recipient"))?;
    let curve = first.key.curve();
    if !curve.is_key_agreement() {
        return Err(err!(
            Unsupported,
            "no key agreement on {curve} ({})",
            first.kid
        ));
    }
    if let Some(r) = recipients.iter().find(|r| r.key.curve() != curve) {
        return Err(err!(
            IllegalArgument,
            "recipient keys must share one curve: {} is {}, {} is {curve}",
            r.kid,
            r.key.curve(),
            first.kid
        ));
    }
    let alg = match sender {
        Some(s) if s.key.curve() != curve => {
            return Err(err!(
                IllegalArgument,
                "sender key {} is {}, recipient keys are {curve}",
                s.kid,
                s.key.curve()
            ))
        }
        Some(_) if enc != ContentEnc::A256CbcHs512 => {
            return Err(err!(
                IllegalArgument,
                "authcrypt uses A256CBC-HS512 only, not {enc}"
            ))
        }
        Some(_) => KeyWrap::Ecdh1pu,
        None => KeyWrap::EcdhEs,
    };

    let kids: Vec<&str> = recipients.iter().map(|r| r.kid).collect();
    let apv = apv_for(&kids);
    let (ephemeral, epk) = backend::generate(curve).await?;
    let mut header = Map::new();
    header.insert("typ".into(), MediaType::Encrypted.as_str().into());
    header.insert("alg".into(), alg.name().into());
    header.insert("enc".into(), enc.name().into());
    if let Some(s) = sender {
        header.insert("skid".into(), s.kid.into());
        header.insert("apu".into(), b64::encode(s.kid).into());
    }
    header.insert("apv".into(), b64::encode(apv).into());
    header.insert("epk".into(), Value::Object(jwk::public_to_jwk(&epk)));
    let protected = b64::encode(Value::Object(header).to_string());

    // The CEK and the IV from one draw: each call for randomness costs ~3 us in JS.
    let mut cek = Zeroizing::new(random::bytes(enc.key_len() + enc.iv_len())?);
    let iv = cek.split_off(enc.key_len());
    let (ciphertext, tag) =
        backend::encrypt(enc, &cek, &iv, protected.as_bytes(), plaintext).await?;

    let apu = sender.map(|s| s.kid.as_bytes()).unwrap_or_default();
    let mut wrapped = Vec::with_capacity(recipients.len());
    for r in recipients {
        let mut z = backend::agree(&ephemeral, r.key).await?;
        if let Some(s) = sender {
            // Static-static: kept by the sender key (made here, so right: kept at once).
            let zs = match s.key.kept_agreement(r.key) {
                Some(zs) => zs,
                None => {
                    let zs = backend::agree(s.key, r.key).await?;
                    s.key.keep_agreement(r.key, &zs);
                    zs
                }
            };
            z.extend_from_slice(&zs);
        }
        let cc_tag = sender.map(|_| tag.as_slice());
        let kek = kdf::derive_kek(&z, alg.name(), apu, &apv, cc_tag);
        wrapped.push((r.kid, b64::encode(backend::wrap(&kek, &cek).await?)));
    }
    let (iv, ciphertext, tag) = (b64::encode(iv), b64::encode(ciphertext), b64::encode(tag));
    Ok(general_json(&protected, &wrapped, [&iv, &ciphertext, &tag]))
}

/// The General JSON serialization, written as serde_json writes the same object (members in
/// key order, compact): base64url text needs no escaping, so the ciphertext is copied once,
/// not scanned by a serializer. Each recipient is its kid and its encrypted key.
fn general_json(
    protected: &str,
    recipients: &[(&str, String)],
    [iv, ciphertext, tag]: [&str; 3],
) -> String {
    let mut out =
        String::with_capacity(ciphertext.len() + protected.len() + 128 * recipients.len() + 128);
    out.push_str(r#"{"ciphertext":""#);
    out.push_str(ciphertext);
    out.push_str(r#"","iv":""#);
    out.push_str(iv);
    out.push_str(r#"","protected":""#);
    out.push_str(protected);
    out.push_str(r#"","recipients":["#);
    for (i, (kid, encrypted_key)) in recipients.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(r#"{"encrypted_key":""#);
        out.push_str(encrypted_key);
        out.push_str(r#"","header":{"kid":"#);
        push_string(&mut out, kid);
        out.push_str("}}");
    }
    out.push_str(r#"],"tag":""#);
    out.push_str(tag);
    out.push_str("\"}");
    out
}

/// A parsed JWE, headers decoded and checked for form; nothing decrypted yet.
#[derive(Debug, Clone)]
pub struct Jwe {
    /// The `protected` member exactly as sent: the AAD.
    pub protected: String,
    pub alg: KeyWrap,
    pub enc: ContentEnc,
    pub epk: PublicKey,
    /// The sender kid (authcrypt): `skid`, or recovered from `apu`.
    pub skid: Option<String>,
    apu: Vec<u8>,
    apv: Vec<u8>,
    /// `(kid, encrypted_key)` per recipient, in order.
    pub recipients: Vec<(String, Vec<u8>)>,
    iv: Vec<u8>,
    ciphertext: Vec<u8>,
    tag: Vec<u8>,
}

impl Jwe {
    /// Parses General JSON (`recipients`) or Flattened JSON (`header` + `encrypted_key`),
    /// and checks what can be checked without keys: `typ`, `alg`, `enc`, the `epk` point,
    /// `skid` against `apu`, and `apv` against the recipient kids.
    pub fn parse(value: &Value) -> Result<Jwe> {
        let obj = value
            .as_object()
            .ok_or_else(|| err!(Malformed, "a JWE must be a JSON object"))?;
        let protected = str_field(obj, "protected", "JWE")?.to_owned();
        let header: Value =
            serde_json::from_slice(&b64::decode(&protected, "JWE protected header")?)
                .map_err(|_| err!(Malformed, "JWE protected header is not JSON"))?;
        let header = header
            .as_object()
            .ok_or_else(|| err!(Malformed, "JWE protected header must be a JSON object"))?;

        if let Some(typ) = header.get("typ") {
            if !typ
                .as_str()
                .is_some_and(|t| MediaType::Encrypted.matches(t))
            {
                return Err(err!(
                    Malformed,
                    "JWE typ must be {}, got {typ}",
                    MediaType::Encrypted.as_str()
                ));
            }
        }
        let alg_name = str_field(header, "alg", "JWE protected header")?;
        let alg = KeyWrap::from_name(alg_name)
            .ok_or_else(|| err!(Unsupported, "JWE alg '{alg_name}' is not supported"))?;
        let enc_name = str_field(header, "enc", "JWE protected header")?;
        let enc = ContentEnc::from_name(enc_name)
            .ok_or_else(|| err!(Unsupported, "JWE enc '{enc_name}' is not supported"))?;
        if alg == KeyWrap::Ecdh1pu && enc != ContentEnc::A256CbcHs512 {
            return Err(err!(
                Unsupported,
                "authcrypt (ECDH-1PU+A256KW) requires A256CBC-HS512, got {enc}"
            ));
        }
        let epk = header
            .get("epk")
            .ok_or_else(|| err!(Malformed, "JWE protected header has no 'epk'"))?;
        let epk = jwk::public_from_jwk(epk).map_err(|e| e.context("JWE epk"))?;
        if !epk.curve().is_key_agreement() {
            return Err(err!(
                Unsupported,
                "JWE epk curve {} cannot do key agreement",
                epk.curve()
            ));
        }

        let apu = match header.get("apu") {
            Some(v) => b64::decode(
                v.as_str()
                    .ok_or_else(|| err!(Malformed, "JWE 'apu' must be a string"))?,
                "JWE apu",
            )?,
            None => Vec::new(),
        };
        let apv = match header.get("apv") {
            Some(v) => b64::decode(
                v.as_str()
                    .ok_or_else(|| err!(Malformed, "JWE 'apv' must be a string"))?,
                "JWE apv",
            )?,
            None => Vec::new(),
        };
        let skid = match (header.get("skid"), apu.is_empty()) {
            (Some(Value::String(skid)), false) if skid.as_bytes() != apu.as_slice() => {
                return Err(err!(Inconsistent, "JWE skid '{skid}' does not match apu"))
            }
            (Some(Value::String(skid)), _) => Some(skid.clone()),
            (Some(_), _) => return Err(err!(Malformed, "JWE 'skid' must be a string")),
            (None, false) if alg == KeyWrap::Ecdh1pu => Some(
                String::from_utf8(apu.clone())
                    .map_err(|_| err!(Malformed, "JWE apu is not a UTF-8 kid"))?,
            ),
            (None, _) => None,
        };
        if alg == KeyWrap::Ecdh1pu && skid.is_none() {
            return Err(err!(
                Malformed,
                "authcrypt JWE names no sender: no 'skid' and no 'apu'"
            ));
        }

        let recipients = match obj.get("recipients") {
            Some(Value::Array(list)) if !list.is_empty() => list
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    parse_recipient(r).map_err(|e| e.context(format_args!("JWE recipients[{i}]")))
                })
                .collect::<Result<Vec<_>>>()?,
            Some(Value::Array(_)) => {
                return Err(err!(Malformed, "JWE has an empty 'recipients' array"))
            }
            Some(_) => return Err(err!(Malformed, "JWE 'recipients' must be an array")),
            None => vec![parse_recipient(value)?],
        };
        if !apv.is_empty() {
            let kids: Vec<&str> = recipients.iter().map(|(kid, _)| kid.as_str()).collect();
            if !bool::from(apv_for(&kids).ct_eq(apv.as_slice())) {
                return Err(err!(
                    Inconsistent,
                    "JWE apv does not match the recipient kids ({})",
                    list(&kids)
                ));
            }
        }

        let bytes = |name: &str| -> Result<Vec<u8>> {
            b64::decode(str_field(obj, name, "JWE")?, &format!("JWE {name}"))
        };
        Ok(Jwe {
            protected,
            alg,
            enc,
            epk,
            skid,
            apu,
            apv,
            recipients,
            iv: bytes("iv")?,
            ciphertext: bytes("ciphertext")?,
            tag: bytes("tag")?,
        })
    }

    /// Unwraps the content key for recipient `kid` with its secret; authcrypt also needs the
    /// sender's public key (the one `skid` names).
    pub async fn unwrap_cek(
        &self,
        kid: &str,
        secret: &SecretKey,
        sender: Option<&PublicKey>,
    ) -> Result<Zeroizing<Vec<u8>>> {
        let (_, encrypted_key) = self
            .recipients
            .iter()
            .find(|(k, _)| k == kid)
            .ok_or_else(|| err!(KidNotFound, "JWE has no recipient '{kid}'"))?;
        if secret.curve() != self.epk.curve() {
            return Err(err!(
                Inconsistent,
                "JWE epk is {} but recipient key {kid} is {}",
                self.epk.curve(),
                secret.curve()
            ));
        }
        let mut z = backend::agree(secret, &self.epk)
            .await
            .map_err(|e| e.context("JWE epk"))?;
        // Zs computed now, kept only after the unwrap proves it: a forged JWE naming a
        // sender must not fill the room or push out the peers really talked to.
        let mut fresh = None;
        let cc_tag = match (self.alg, sender) {
            (KeyWrap::Ecdh1pu, Some(sender)) => {
                if sender.curve() != secret.curve() {
                    return Err(err!(
                        Inconsistent,
                        "sender key is {} but recipient key {kid} is {}",
                        sender.curve(),
                        secret.curve()
                    ));
                }
                match secret.kept_agreement(sender) {
                    Some(zs) => z.extend_from_slice(&zs),
                    None => {
                        let zs = backend::agree(secret, sender).await?;
                        z.extend_from_slice(&zs);
                        fresh = Some((sender, zs));
                    }
                }
                Some(self.tag.as_slice())
            }
            (KeyWrap::Ecdh1pu, None) => {
                return Err(err!(
                    IllegalArgument,
                    "authcrypt needs the sender's public key"
                ))
            }
            (KeyWrap::EcdhEs, _) => None,
        };
        let kek = kdf::derive_kek(&z, self.alg.name(), &self.apu, &self.apv, cc_tag);
        let cek = backend::unwrap(&kek, encrypted_key).await.map_err(|e| {
            e.context(format_args!(
                "content key for {kid} (wrong key or altered encrypted_key)"
            ))
        })?;
        if cek.len() != self.enc.key_len() {
            return Err(err!(
                DecryptionFailed,
                "content key for {kid} has {} bytes, {} needs {}",
                cek.len(),
                self.enc,
                self.enc.key_len()
            ));
        }
        if let Some((sender, zs)) = fresh {
            secret.keep_agreement(sender, &zs);
        }
        Ok(cek)
    }

    /// Decrypts the content with an unwrapped content key.
    pub async fn decrypt(&self, cek: &[u8]) -> Result<Vec<u8>> {
        backend::decrypt(
            self.enc,
            cek,
            &self.iv,
            self.protected.as_bytes(),
            &self.ciphertext,
            &self.tag,
        )
        .await
    }
}

fn parse_recipient(value: &Value) -> Result<(String, Vec<u8>)> {
    let obj = value
        .as_object()
        .ok_or_else(|| err!(Malformed, "must be an object"))?;
    let header = obj
        .get("header")
        .and_then(Value::as_object)
        .ok_or_else(|| err!(Malformed, "has no 'header' object"))?;
    let kid = str_field(header, "kid", "header")?.to_owned();
    let encrypted_key = b64::decode(
        str_field(obj, "encrypted_key", "recipient")?,
        "encrypted_key",
    )?;
    Ok((kid, encrypted_key))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::fields::object;
    use proptest::prelude::*;
    use sha2::Digest;

    /// Counts the ECDH a pack or unpack asks for (and serves none: the Rust crates run).
    struct CountingAgreements(std::cell::Cell<usize>);

    impl backend::Backend for CountingAgreements {
        fn agree(&self, _: &SecretKey, _: &PublicKey) -> backend::Served<Zeroizing<Vec<u8>>> {
            self.0.set(self.0.get() + 1);
            backend::Served::Declined
        }
    }

    #[test]
    fn static_agreements_are_kept_once_proven_and_skip_one_ecdh_per_recipient() {
        use crate::crypto::Curve;
        use std::rc::Rc;
        let key = || SecretKey::generate(Curve::X25519).unwrap();
        let (alice, bob, carol, mallory) = (key(), key(), key(), key());
        let (bob_pub, carol_pub) = (bob.public_key(), carol.public_key());
        let recipients = [
            Recipient {
                kid: "did:ex:bob#1",
                key: &bob_pub,
            },
            Recipient {
                kid: "did:ex:carol#1",
                key: &carol_pub,
            },
        ];
        let counter = Rc::new(CountingAgreements(Default::default()));
        backend::install(Some(counter.clone()));
        let pack = |key: &SecretKey| {
            counter.0.set(0);
            let sender = Sender {
                kid: "did:ex:alice#1",
                key,
            };
            let text = pollster::block_on(encrypt(
                b"hi",
                ContentEnc::A256CbcHs512,
                &recipients,
                Some(sender),
            ))
            .unwrap();
            (
                Jwe::parse(&serde_json::from_str(&text).unwrap()).unwrap(),
                counter.0.get(),
            )
        };
        let unwrap = |jwe: &Jwe, sender: &PublicKey| {
            counter.0.set(0);
            let cek = pollster::block_on(jwe.unwrap_cek("did:ex:bob#1", &bob, Some(sender)));
            (cek.is_ok(), counter.0.get())
        };

        // The first pack computes Ze and Zs per recipient; the next one only Ze.
        let (first, n) = pack(&alice);
        assert_eq!(n, 4);
        let (second, n) = pack(&alice);
        assert_eq!(n, 2);
        // Bob's first unpack computes both; once the unwrap proved Zs, he keeps it.
        assert_eq!(unwrap(&first, &alice.public_key()), (true, 2));
        assert_eq!(unwrap(&second, &alice.public_key()), (true, 1));
        // A JWE from Mallory claiming Alice's key does not unwrap, with or without the kept Zs.
        let (forged, _) = pack(&mallory);
        assert_eq!(unwrap(&forged, &alice.public_key()), (false, 1));
        // Nor does one that names Mallory's key, and a Zs never proven is never kept.
        assert_eq!(unwrap(&first, &mallory.public_key()), (false, 2));
        assert_eq!(unwrap(&first, &mallory.public_key()), (false, 2));
        backend::install(None);
        assert!(bob.kept_agreement(&mallory.public_key()).is_none());
        assert_eq!(
            *bob.kept_agreement(&alice.public_key()).unwrap(),
            *crate::crypto::ecdh::agree(&alice, &bob_pub).unwrap()
        );
    }

    #[test]
    fn kept_agreements_are_bounded() {
        use crate::crypto::Curve;
        let me = SecretKey::generate(Curve::X25519).unwrap();
        let peers: Vec<PublicKey> = (0..70)
            .map(|_| SecretKey::generate(Curve::X25519).unwrap().public_key())
            .collect();
        for (i, p) in peers.iter().enumerate() {
            me.keep_agreement(p, &[i as u8; 32]);
        }
        let kept: Vec<bool> = peers
            .iter()
            .map(|p| me.kept_agreement(p).is_some())
            .collect();
        assert_eq!(kept.iter().filter(|k| **k).count(), 6);
        // The 65th started over: the last six are kept, and the latest Z of each.
        assert!(!kept[0] && !kept[63] && kept[64] && kept[69]);
        assert_eq!(*me.kept_agreement(&peers[69]).unwrap(), [69u8; 32]);
    }

    proptest! {
        /// The JWE text is what serde_json writes for the same object, any kid escaped alike.
        #[test]
        fn general_json_is_serde_jsons_text(
            kids in proptest::collection::vec("[a-z#:\"\\\\\u{0}-\u{1f}\u{7f}é]{0,6}", 1..4),
            parts in proptest::collection::vec("[A-Za-z0-9_-]{0,20}", 5),
        ) {
            let wrapped: Vec<(&str, String)> =
                kids.iter().map(|k| (k.as_str(), parts[4].clone())).collect();
            let entries: Vec<Value> = wrapped
                .iter()
                .map(|(kid, ek)| {
                    object([("header", object([("kid", (*kid).into())])), ("encrypted_key", ek.clone().into())])
                })
                .collect();
            let reference = object([
                ("protected", parts[0].clone().into()),
                ("recipients", entries.into()),
                ("iv", parts[1].clone().into()),
                ("ciphertext", parts[2].clone().into()),
                ("tag", parts[3].clone().into()),
            ]);
            let ours = general_json(&parts[0], &wrapped, [&parts[1], &parts[2], &parts[3]]);
            prop_assert_eq!(ours, reference.to_string());
        }

        #[test]
        fn heapsort_sorts_like_the_standard_library(
            kids in proptest::collection::vec("[a-c#:.]{0,4}", 0..40)
        ) {
            let mut ours: Vec<&str> = kids.iter().map(String::as_str).collect();
            let mut std = ours.clone();
            heapsort(&mut ours);
            std.sort_unstable();
            prop_assert_eq!(&ours, &std);
            let joined: [u8; 32] = sha2::Sha256::digest(std.join(".").as_bytes()).into();
            prop_assert_eq!(apv_for(&kids.iter().map(String::as_str).collect::<Vec<_>>()), joined);
        }
    }
}
