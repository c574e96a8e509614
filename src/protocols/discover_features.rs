//! Discover features 2.0 (CHECKLIST §10): `queries` about protocols, goal codes and
//! headers, answered by `disclose` from a [`FeatureRegistry`].

use serde_json::Value;

use crate::error::{err, Result};
use crate::message::fields::{object, opt_str_list, req_str};
use crate::message::Message;
use crate::protocols::threading::reply;
use crate::protocols::{build, into_map, name_of, objects, req_thid, Parties};

const PROTOCOL: &str = "discover-features";

/// The type URI of a queries message.
pub const QUERIES: &str = "https://didcomm.org/discover-features/2.0/queries";
/// The type URI of a disclose message.
pub const DISCLOSE: &str = "https://didcomm.org/discover-features/2.0/disclose";

/// What a query or disclosure is about (`feature-type` on the wire).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FeatureType {
    Protocol,
    GoalCode,
    Header,
    /// A feature type this library does not know, as sent; never disclosed.
    Other(String),
}

impl FeatureType {
    fn from_wire(s: &str) -> FeatureType {
        match s {
            "protocol" => FeatureType::Protocol,
            "goal-code" => FeatureType::GoalCode,
            "header" => FeatureType::Header,
            other => FeatureType::Other(other.to_owned()),
        }
    }

    fn as_wire(&self) -> &str {
        match self {
            FeatureType::Protocol => "protocol",
            FeatureType::GoalCode => "goal-code",
            FeatureType::Header => "header",
            FeatureType::Other(s) => s,
        }
    }
}

/// One query: features of `feature_type` whose id matches the glob `match_` (`*` is any
/// run of characters, everything else literal).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    pub feature_type: FeatureType,
    pub match_: String,
}

/// One disclosed feature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Disclosure {
    pub feature_type: FeatureType,
    pub id: String,
    /// The roles played in a protocol; `None` when not given.
    pub roles: Option<Vec<String>>,
}

/// A protocol this agent supports, e.g. `https://didcomm.org/trust-ping/2.0`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ProtocolFeature {
    pub id: String,
    pub roles: Vec<String>,
}

/// The features this agent is willing to disclose.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FeatureRegistry {
    pub protocols: Vec<ProtocolFeature>,
    pub goal_codes: Vec<String>,
    pub headers: Vec<String>,
}

impl FeatureRegistry {
    /// The features `query` matches, in registry order; none for unknown feature types.
    pub fn matches(&self, query: &Query) -> Vec<Disclosure> {
        let plain = |ids: &[String], feature_type: FeatureType| -> Vec<Disclosure> {
            ids.iter()
                .filter(|id| glob_match(&query.match_, id))
                .map(|id| Disclosure {
                    feature_type: feature_type.clone(),
                    id: id.clone(),
                    roles: None,
                })
                .collect()
        };
        match query.feature_type {
            FeatureType::Protocol => self
                .protocols
                .iter()
                .filter(|p| glob_match(&query.match_, &p.id))
                .map(|p| Disclosure {
                    feature_type: FeatureType::Protocol,
                    id: p.id.clone(),
                    roles: (!p.roles.is_empty()).then(|| p.roles.clone()),
                })
                .collect(),
            FeatureType::GoalCode => plain(&self.goal_codes, FeatureType::GoalCode),
            FeatureType::Header => plain(&self.headers, FeatureType::Header),
            FeatureType::Other(_) => Vec::new(),
        }
    }
}

/// A parsed discover-features message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DiscoverFeatures {
    Queries(Vec<Query>),
    /// `thid` is the id of the queries answered.
    Disclose {
        thid: String,
        disclosures: Vec<Disclosure>,
    },
}

/// A queries message, body `{queries: [{feature-type, match}]}`.
pub fn queries(parties: &Parties, queries: &[Query]) -> Result<Message> {
    let list: Vec<Value> = queries
        .iter()
        .map(|q| {
            object([
                ("feature-type", q.feature_type.as_wire().into()),
                ("match", q.match_.as_str().into()),
            ])
        })
        .collect();
    build(
        QUERIES.to_owned(),
        object([("queries", list.into())]),
        parties,
    )
}

/// The disclose reply (thid) to `queries_message`: every registry feature some query
/// matches, each once. A message that is not a queries message is IllegalArgument.
pub fn disclose(queries_message: &Message, registry: &FeatureRegistry) -> Result<Message> {
    let Some(DiscoverFeatures::Queries(queries)) = parse(queries_message)? else {
        return Err(err!(
            IllegalArgument,
            "disclose answers a discover-features queries message, got '{}'",
            queries_message.type_
        ));
    };
    let mut found: Vec<Disclosure> = Vec::new();
    for d in queries.iter().flat_map(|q| registry.matches(q)) {
        if !found
            .iter()
            .any(|f| f.feature_type == d.feature_type && f.id == d.id)
        {
            found.push(d);
        }
    }
    let list: Vec<Value> = found
        .iter()
        .map(|d| {
            object([
                ("feature-type", d.feature_type.as_wire().into()),
                ("id", d.id.as_str().into()),
                ("roles", d.roles.clone().into()),
            ])
        })
        .collect();
    let body = into_map(object([("disclosures", list.into())]));
    reply(queries_message, DISCLOSE, body)
}

/// The discover-features message in `message`, `None` for other types. A query or
/// disclosure without `feature-type`, `match` or `id` is Malformed.
pub fn parse(message: &Message) -> Result<Option<DiscoverFeatures>> {
    let body = &message.body;
    match name_of(message, PROTOCOL, 2) {
        Some("queries") => {
            let list = objects(body, "queries", "queries body", true, |q, what| {
                Ok(Query {
                    feature_type: FeatureType::from_wire(&req_str(q, "feature-type", what)?),
                    match_: req_str(q, "match", what)?,
                })
            })?;
            Ok(Some(DiscoverFeatures::Queries(list)))
        }
        Some("disclose") => {
            let list = objects(body, "disclosures", "disclose body", true, |d, what| {
                Ok(Disclosure {
                    feature_type: FeatureType::from_wire(&req_str(d, "feature-type", what)?),
                    id: req_str(d, "id", what)?,
                    roles: opt_str_list(d, "roles", what)?,
                })
            })?;
            Ok(Some(DiscoverFeatures::Disclose {
                thid: req_thid(message, "disclose")?,
                disclosures: list,
            }))
        }
        _ => Ok(None),
    }
}

/// Whether `text` matches `pattern`, where `*` stands for any run of characters (the
/// usual linear-time backtracking to the last `*`).
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        match p.get(pi) {
            Some('*') => {
                star = Some((pi, ti));
                pi += 1;
            }
            Some(c) if t.get(ti) == Some(c) => {
                pi += 1;
                ti += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    pi = sp + 1;
                    ti = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    p.get(pi..)
        .is_some_and(|rest| rest.iter().all(|c| *c == '*'))
}
