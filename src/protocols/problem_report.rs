//! Report problem 2.0 (CHECKLIST §9): problem codes (`e.p.xfer.cant-use-endpoint`), the
//! problem-report message, and its comment with `{1}`-style placeholders filled in.

use serde_json::Value;

use crate::error::{err, Result};
use crate::message::fields::{object, opt_str, req_str, type_name};
use crate::message::Message;
use crate::protocols::{build, name_of, Parties};

/// The type URI of a problem report.
pub const PROBLEM_REPORT: &str = "https://didcomm.org/report-problem/2.0/problem-report";

/// Whether the problem stops the protocol (`e`) or is a warning (`w`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sorter {
    Error,
    Warning,
}

/// A problem code: `sorter.scope.descriptor[.descriptor…]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProblemCode {
    pub sorter: Sorter,
    /// `p` (the protocol), `m` (the message), or the name of a protocol state.
    pub scope: String,
    /// At least one, most general first (`xfer`, `cant-use-endpoint`).
    pub descriptors: Vec<String>,
    /// The code as written.
    pub raw: String,
}

/// A token of a code: non-empty, lowercase letters, digits, `-` and `_`.
fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

impl ProblemCode {
    /// Reads `code`; one that breaks the grammar is [`crate::ErrorKind::Malformed`].
    pub fn parse(code: &str) -> Result<ProblemCode> {
        let bad = |why: &str| err!(Malformed, "problem code '{code}' {why}");
        let mut parts = code.split('.');
        let sorter = match parts.next() {
            Some("e") => Sorter::Error,
            Some("w") => Sorter::Warning,
            _ => return Err(bad("must start with the sorter e or w")),
        };
        let scope = parts.next().filter(|s| is_token(s));
        let scope = scope.ok_or_else(|| bad("needs a scope: p, m or a state name"))?;
        let descriptors: Vec<String> = parts.map(str::to_owned).collect();
        if descriptors.is_empty() {
            return Err(bad("needs at least one descriptor"));
        }
        if !descriptors.iter().all(|d| is_token(d)) {
            return Err(bad("has a descriptor that is not of [a-z0-9-_]+"));
        }
        Ok(ProblemCode {
            sorter,
            scope: scope.to_owned(),
            descriptors,
            raw: code.to_owned(),
        })
    }
}

/// What a problem report says.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ProblemReportOptions {
    pub parties: Parties,
    /// The thread the problem is about (REQUIRED).
    pub pthid: String,
    /// The message(s) that triggered the problem.
    pub ack: Option<Vec<String>>,
    pub code: String,
    /// Text for humans; `{1}`, `{2}` … stand for `args`.
    pub comment: Option<String>,
    pub args: Vec<String>,
    /// A URI where a human can be reached about the problem.
    pub escalate_to: Option<String>,
}

/// A parsed problem report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProblemReport {
    pub code: ProblemCode,
    pub comment: Option<String>,
    pub args: Vec<String>,
    pub escalate_to: Option<String>,
    pub pthid: String,
    pub ack: Option<Vec<String>>,
}

impl ProblemReport {
    /// The comment with its placeholders filled in (see [`comment_text`]).
    pub fn comment_text(&self) -> Option<String> {
        self.comment.as_deref().map(|c| comment_text(c, &self.args))
    }
}

/// A problem report. An invalid code or an empty `pthid` is
/// [`crate::ErrorKind::IllegalArgument`].
pub fn problem_report(options: &ProblemReportOptions) -> Result<Message> {
    ProblemCode::parse(&options.code).map_err(|e| err!(IllegalArgument, "{}", e.message()))?;
    if options.pthid.is_empty() {
        return Err(err!(IllegalArgument, "a problem report needs a 'pthid'"));
    }
    let args: Vec<Value> = options.args.iter().map(|a| a.as_str().into()).collect();
    let body = object([
        ("code", options.code.as_str().into()),
        ("comment", options.comment.clone().into()),
        (
            "args",
            if args.is_empty() {
                Value::Null
            } else {
                args.into()
            },
        ),
        ("escalate_to", options.escalate_to.clone().into()),
    ]);
    let mut message = build(PROBLEM_REPORT.to_owned(), body, &options.parties)?;
    message.pthid = Some(options.pthid.clone());
    message.ack.clone_from(&options.ack);
    Ok(message)
}

/// The problem report in `message`, `None` for other types. Missing `pthid` or `code`, or
/// a code that breaks the grammar, is Malformed. Arguments that are not strings are kept
/// as their JSON text (peers send numbers).
pub fn parse(message: &Message) -> Result<Option<ProblemReport>> {
    if name_of(message, "report-problem", 2) != Some("problem-report") {
        return Ok(None);
    }
    let what = "problem report body";
    let pthid = message
        .pthid
        .clone()
        .ok_or_else(|| err!(Malformed, "problem report has no 'pthid'"))?;
    let code = ProblemCode::parse(&req_str(&message.body, "code", what)?)?;
    let args = match message.body.get("args") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(list)) => list
            .iter()
            .map(|a| a.as_str().map_or_else(|| a.to_string(), str::to_owned))
            .collect(),
        Some(other) => {
            return Err(err!(
                Malformed,
                "{what} 'args' must be an array, got {}",
                type_name(other)
            ))
        }
    };
    Ok(Some(ProblemReport {
        code,
        comment: opt_str(&message.body, "comment", what)?,
        args,
        escalate_to: opt_str(&message.body, "escalate_to", what)?,
        pthid,
        ack: message.ack.clone(),
    }))
}

/// `comment` with each `{n}` (n ≥ 1, decimal) replaced by `args[n-1]`, or `?` when there is
/// no such argument. Arguments beyond the highest placeholder number are appended after
/// the comment, each preceded by `, ` (CHECKLIST §9: "extra → appended, comma-separated").
/// Braces around anything but digits stay as they are.
pub fn comment_text(comment: &str, args: &[String]) -> String {
    let mut out = String::with_capacity(comment.len());
    let mut highest = 0usize;
    let mut rest = comment;
    while let Some(open) = rest.find('{') {
        let (before, after) = rest.split_at(open);
        out.push_str(before);
        let inner = after.strip_prefix('{').unwrap_or(after);
        let digits = inner.bytes().take_while(u8::is_ascii_digit).count();
        let (number, tail) = inner.split_at(digits);
        match (number.parse::<usize>(), tail.strip_prefix('}')) {
            (Ok(n), Some(tail)) => {
                highest = highest.max(n);
                let arg = n.checked_sub(1).and_then(|i| args.get(i));
                out.push_str(arg.map_or("?", String::as_str));
                rest = tail;
            }
            _ => {
                out.push('{');
                rest = inner;
            }
        }
    }
    out.push_str(rest);
    for extra in args.iter().skip(highest) {
        out.push_str(", ");
        out.push_str(extra);
    }
    out
}
