//! Threading and attachments: replies carry `thid`, out-of-band replies `pthid`.

use super::*;

#[test]
fn threading_replies_carry_the_thread() {
    let mut parent = from_bob("https://didcomm.org/x/1.0/a", json!({}));
    let r = threading::reply(&parent, "https://didcomm.org/x/1.0/b", Map::new()).unwrap();
    assert_eq!(r.thid.as_deref(), Some("parent-1"));
    assert_eq!(r.pthid, None);
    assert_eq!(r.to, Some(vec![BOB.to_owned()]));
    assert_ne!(r.id, parent.id);
    send(r);
    parent.thid = Some("thread-0".into());
    parent.pthid = Some("outer".into());
    let r = threading::reply(&parent, "https://didcomm.org/x/1.0/b", Map::new()).unwrap();
    assert_eq!(r.thid.as_deref(), Some("thread-0"));
    assert_eq!(r.pthid.as_deref(), Some("outer"));

    let invitation = from_bob(out_of_band::INVITATION, json!({}));
    let r = threading::oob_reply(&invitation, "https://didcomm.org/x/1.0/b", Map::new()).unwrap();
    assert_eq!(
        (r.pthid.as_deref(), r.thid.as_deref()),
        (Some("parent-1"), None)
    );
    assert_eq!(r.to, Some(vec![BOB.to_owned()]));

    let mut m = empty::empty(&alice_to_bob()).unwrap();
    threading::please_ack(&mut m);
    threading::ack(&mut m, &["earlier".into()]);
    threading::return_route(&mut m, "all").unwrap();
    assert_eq!(m.please_ack, Some(vec![m.id.clone()]));
    assert_eq!(m.ack, Some(vec!["earlier".to_owned()]));
    let got = send(m);
    assert_eq!(got.extra_headers["return_route"], json!("all"));
    let mut m = empty::empty(&alice_to_bob()).unwrap();
    assert_err(
        threading::return_route(&mut m, "some"),
        ErrorKind::IllegalArgument,
        "'some'",
    );
}

#[test]
fn attachments_build_and_decode() {
    let options = attachments::AttachmentOptions {
        id: Some("a1".into()),
        media_type: Some("text/plain".into()),
        filename: Some("hello.txt".into()),
        description: Some("a greeting".into()),
    };
    let b = attachments::base64(b"hello", &options);
    assert_eq!(b.data.base64.as_deref(), Some("aGVsbG8"));
    let j = attachments::json(json!({"k": 1}), &Default::default());
    let urls = vec!["https://x.example/f".to_owned()];
    let l = attachments::links(&urls, "zQmHash", &Default::default()).unwrap();
    let mut m = empty::empty(&alice_to_bob()).unwrap();
    m.attachments = vec![b.clone(), j, l.clone()];
    let got = send(m);
    assert_eq!(got.attachments[0], b);
    assert_eq!(attachments::bytes(&got.attachments[0]).unwrap(), b"hello");
    assert_eq!(got.attachments[2].data.hash.as_deref(), Some("zQmHash"));
    // Standard alphabet, padded: as other implementations send it.
    let mut padded = b.clone();
    padded.data.base64 = Some("+/8=".into());
    assert_eq!(attachments::bytes(&padded).unwrap(), [0xfb, 0xff]);
    assert_err(
        attachments::bytes(&l),
        ErrorKind::Malformed,
        "no data.base64",
    );
    padded.data.base64 = Some("!!".into());
    assert_err(attachments::bytes(&padded), ErrorKind::Malformed, "base64");
    let none: Vec<String> = Vec::new();
    assert_err(
        attachments::links(&urls, "", &Default::default()),
        ErrorKind::IllegalArgument,
        "hash",
    );
    assert_err(
        attachments::links(&none, "h", &Default::default()),
        ErrorKind::IllegalArgument,
        "URL",
    );
}
