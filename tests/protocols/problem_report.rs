//! Report problem: codes, comments with placeholders, malformed reports.

use super::*;

#[test]
fn problem_report_round_trips() {
    let options = problem_report::ProblemReportOptions {
        parties: alice_to_bob(),
        pthid: "thread-1".into(),
        ack: Some(vec!["msg-1".into()]),
        code: "e.p.xfer.cant-use-endpoint".into(),
        comment: Some("Unable to use the {1} endpoint for {2}.".into()),
        args: vec![
            "https://agents.r.us/inbox".into(),
            "did:sov:C805sNYhMrjHiqZDTUASHg".into(),
        ],
        escalate_to: Some("mailto:admin@foo.org".into()),
    };
    let got = send(problem_report::problem_report(&options).unwrap());
    assert_eq!(got.type_, problem_report::PROBLEM_REPORT);
    assert_eq!(got.pthid.as_deref(), Some("thread-1"));
    let parsed = problem_report::parse(&got).unwrap().unwrap();
    assert_eq!(parsed.code.sorter, problem_report::Sorter::Error);
    assert_eq!(parsed.code.scope, "p");
    assert_eq!(parsed.code.descriptors, ["xfer", "cant-use-endpoint"]);
    assert_eq!(parsed.code.raw, options.code);
    assert_eq!(
        (parsed.comment, parsed.args),
        (options.comment, options.args)
    );
    assert_eq!(
        (parsed.escalate_to, parsed.pthid, parsed.ack),
        (options.escalate_to, options.pthid, options.ack)
    );

    let minimal = problem_report::ProblemReportOptions {
        pthid: "t".into(),
        code: "w.awaiting-response.me.res.storage".into(),
        ..Default::default()
    };
    let m = problem_report::problem_report(&minimal).unwrap();
    assert_eq!(
        Value::Object(m.body.clone()),
        json!({"code": "w.awaiting-response.me.res.storage"})
    );
    let parsed = problem_report::parse(&send(m)).unwrap().unwrap();
    assert_eq!(parsed.code.sorter, problem_report::Sorter::Warning);
    assert_eq!(parsed.code.scope, "awaiting-response");
    assert!(parsed.args.is_empty() && parsed.comment.is_none() && parsed.ack.is_none());
}

#[test]
fn problem_comments_fill_placeholders() {
    let args = |a: &[&str]| a.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    let cases = [
        (
            "Unable to use {1} for {2}.",
            args(&["x", "y"]),
            "Unable to use x for y.",
        ),
        ("{2} before {1}", args(&["a", "b"]), "b before a"),
        ("missing {1} and {2}", args(&["only"]), "missing only and ?"),
        ("no args {1}", args(&[]), "no args ?"),
        ("{0} is not an arg", args(&["a"]), "? is not an arg, a"),
        ("Failed", args(&["a", "b"]), "Failed, a, b"),
        ("Used {1}", args(&["a", "b", "c"]), "Used a, b, c"),
        ("braces {x} {1 } {", args(&["a"]), "braces {x} {1 } {, a"),
        ("{1}{1}", args(&["é"]), "éé"),
    ];
    for (comment, a, expected) in cases {
        assert_eq!(
            problem_report::comment_text(comment, &a),
            expected,
            "{comment}"
        );
    }
    // As another implementation sends it: numeric args, http type, minor version.
    let m = msg(
        json!({"id": "1", "pthid": "t", "type": "http://didcomm.org/report-problem/2.1/problem-report",
        "body": {"code": "e.m.msg.too-big", "comment": "{1} bytes over {2}", "args": [1200, "limit"]}}),
    );
    let parsed = problem_report::parse(&m).unwrap().unwrap();
    assert_eq!(parsed.args, ["1200", "limit"]);
    assert_eq!(
        parsed.comment_text().as_deref(),
        Some("1200 bytes over limit")
    );
}

#[test]
fn problem_codes_are_checked() {
    for bad in [
        "",
        "e",
        "e.p",
        "x.p.trust",
        "e..trust",
        "e.p.",
        "e.P.trust",
        "e.p.trust..crypto",
        "e.p.tr ust",
        "E.p.trust",
    ] {
        assert_err(
            problem_report::ProblemCode::parse(bad),
            ErrorKind::Malformed,
            "problem code",
        );
        let options = problem_report::ProblemReportOptions {
            pthid: "t".into(),
            code: bad.into(),
            ..Default::default()
        };
        assert_err(
            problem_report::problem_report(&options),
            ErrorKind::IllegalArgument,
            "problem code",
        );
    }
    for good in [
        "e.p.trust",
        "w.m.trust.crypto",
        "e.state_1.req.time",
        "e.p.me.res.net",
    ] {
        problem_report::ProblemCode::parse(good).unwrap();
    }
    let no_pthid = problem_report::ProblemReportOptions {
        code: "e.p.trust".into(),
        ..Default::default()
    };
    assert_err(
        problem_report::problem_report(&no_pthid),
        ErrorKind::IllegalArgument,
        "'pthid'",
    );
    let t = problem_report::PROBLEM_REPORT;
    let cases = [
        (
            json!({"id": "1", "type": t, "body": {"code": "e.p.trust"}}),
            "'pthid'",
        ),
        (
            json!({"id": "1", "type": t, "pthid": "p", "body": {}}),
            "'code'",
        ),
        (
            json!({"id": "1", "type": t, "pthid": "p", "body": {"code": "bad"}}),
            "problem code 'bad'",
        ),
        (
            json!({"id": "1", "type": t, "pthid": "p", "body": {"code": "e.p.x", "args": "a"}}),
            "'args'",
        ),
        (
            json!({"id": "1", "type": t, "pthid": "p", "body": {"code": "e.p.x", "comment": 3}}),
            "'comment'",
        ),
    ];
    for (value, needle) in cases {
        assert_err(
            problem_report::parse(&msg(value)),
            ErrorKind::Malformed,
            needle,
        );
    }
}
