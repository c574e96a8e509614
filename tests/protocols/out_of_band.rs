//! Out-of-band invitations and their URLs.

use super::*;

#[test]
fn out_of_band_round_trips() {
    let attachment = attachments::json(
        json!({"offer": 1}),
        &attachments::AttachmentOptions {
            id: Some("req-0".into()),
            ..Default::default()
        },
    );
    let options = out_of_band::InvitationOptions {
        from: ALICE.into(),
        goal_code: Some("issue-vc".into()),
        goal: Some("To issue a Faber College Graduate credential".into()),
        accept: None,
        attachments: vec![attachment],
    };
    let m = out_of_band::invitation(&options).unwrap();
    assert_eq!(m.body["accept"], json!(["didcomm/v2"]));
    assert_eq!(m.to, None);
    // An invitation has no recipient; send it to Bob anyway to cross the wire.
    let mut wire = m.clone();
    wire.to = Some(vec![BOB.into()]);
    send(wire);
    let parsed = out_of_band::parse(&m).unwrap().unwrap();
    assert_eq!(
        (parsed.id.as_str(), parsed.from.as_str()),
        (m.id.as_str(), ALICE)
    );
    assert_eq!(parsed.goal_code, options.goal_code);
    assert_eq!(parsed.goal, options.goal);
    assert_eq!(parsed.accept, ["didcomm/v2"]);
    assert_eq!(parsed.attachments, options.attachments);

    let url = out_of_band::invitation_url(&m, "https://example.com/path?lang=en#top");
    let (prefix, rest) = url.split_once("_oob=").unwrap();
    assert_eq!(prefix, "https://example.com/path?lang=en&");
    assert!(rest.ends_with("#top") && !rest.contains('='));
    assert_eq!(out_of_band::invitation_from_url(&url).unwrap(), m);
    let again = out_of_band::invitation_url(&m, &url);
    assert_eq!(again.matches("_oob=").count(), 1);

    // The reply to an invitation carries its id as pthid.
    let r = threading::oob_reply(&m, trust_ping::PING, Map::new()).unwrap();
    assert_eq!(
        (r.pthid.as_deref(), r.thid.as_deref()),
        (Some(m.id.as_str()), None)
    );
}

#[test]
fn out_of_band_urls_as_others_write_them() {
    use base64::engine::general_purpose::{STANDARD, URL_SAFE};
    use base64::Engine;
    // A goal whose standard base64 has '+', '/' and padding ("?>" gives "Pz4", "/Pj4+"…).
    let text = (0..12)
        .map(|n| {
            json!({"id": "inv-1", "type": "http://didcomm.org/out-of-band/2.1/invitation", "from": ALICE,
                "body": {"goal_code": "connect", "goal": format!("{}{}", "?>".repeat(6), "x".repeat(n)),
                    "accept": ["didcomm/v2", "didcomm/aip2;env=rfc587"]}})
            .to_string()
        })
        .find(|t| {
            let b = STANDARD.encode(t);
            b.contains('+') && b.contains('/') && b.ends_with('=')
        })
        .expect("a payload with + / and =");
    let std_b64 = STANDARD.encode(&text);
    let urls = [
        format!("https://x.example/?_oob={}", URL_SAFE.encode(&text)),
        format!("https://x.example/?_oob={std_b64}"),
        format!("https://x.example/?oob={}", std_b64.trim_end_matches('=')),
        format!(
            "https://x.example/?a=1&_oob={}",
            std_b64
                .replace('=', "%3D")
                .replace('+', "%2B")
                .replace('/', "%2F")
        ),
        format!("didcomm://invite?_oob={}#frag", URL_SAFE.encode(&text)),
    ];
    for url in urls {
        let m = out_of_band::invitation_from_url(&url).unwrap_or_else(|e| panic!("{url}: {e}"));
        let parsed = out_of_band::parse(&m).unwrap().unwrap();
        assert_eq!(parsed.id, "inv-1");
        assert_eq!(parsed.accept, ["didcomm/v2", "didcomm/aip2;env=rfc587"]);
    }
    let no_from = msg(json!({"id": "1", "type": out_of_band::INVITATION}));
    assert_err(out_of_band::parse(&no_from), ErrorKind::Malformed, "'from'");
    assert_err(
        out_of_band::invitation(&Default::default()),
        ErrorKind::IllegalArgument,
        "'from'",
    );
    let ping = URL_SAFE.encode(json!({"id": "1", "type": trust_ping::PING}).to_string());
    let bad = [
        ("https://x.example/?c_i=abc".to_owned(), "no '_oob'"),
        ("https://x.example/?_oob=%zz".to_owned(), "% escape"),
        ("https://x.example/?_oob=%+1".to_owned(), "% escape"),
        ("https://x.example/?_oob=!!!".to_owned(), "base64"),
        (
            format!("https://x.example/?_oob={}", URL_SAFE.encode("not json")),
            "not JSON",
        ),
        (
            format!("https://x.example/?_oob={ping}"),
            "not an invitation",
        ),
    ];
    for (url, needle) in bad {
        assert_err(
            out_of_band::invitation_from_url(&url),
            ErrorKind::Malformed,
            needle,
        );
    }
}
