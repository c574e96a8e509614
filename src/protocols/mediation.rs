//! Coordinate mediation 2.0 and 3.0 (CHECKLIST §10): asking a mediator to route for us,
//! and keeping the list of recipient DIDs it routes. 2.0 names the list `keylist` and
//! sends `routing_did` as a string; 3.0 names it `recipient` and sends an array.

use serde_json::{Map, Value};

use crate::error::{err, Result};
use crate::message::fields::{object, opt_object, opt_str_list, req_str, req_u64};
use crate::message::Message;
use crate::protocols::threading::reply;
use crate::protocols::Parties;
use crate::protocols::{build, into_map, objects, type_of, type_uri};

const PROTOCOL: &str = "coordinate-mediation";

/// The protocol version a message is built for or was parsed from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    V2,
    V3,
}

impl Version {
    fn uri(self, name: &str) -> String {
        match self {
            Version::V2 => type_uri(PROTOCOL, "2.0", name),
            Version::V3 => type_uri(PROTOCOL, "3.0", name),
        }
    }

    /// The version's name for a message, from its 3.0 name.
    fn name(self, v3_name: &'static str) -> &'static str {
        match (self, v3_name) {
            (Version::V2, "recipient-update") => "keylist-update",
            (Version::V2, "recipient-update-response") => "keylist-update-response",
            (Version::V2, "recipient-query") => "keylist-query",
            (Version::V2, "recipient") => "keylist",
            _ => v3_name,
        }
    }

    /// The body member listing the recipient DIDs in a `keylist` / `recipient` message.
    fn list_member(self) -> &'static str {
        match self {
            Version::V2 => "keys",
            Version::V3 => "dids",
        }
    }
}

/// What to do with a recipient DID.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Add,
    Remove,
}

/// How the mediator handled an update.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpdateResult {
    Success,
    NoChange,
    ClientError,
    ServerError,
}

/// One requested change to the recipient list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Update {
    pub recipient_did: String,
    pub action: Action,
}

/// One change as the mediator reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Updated {
    pub recipient_did: String,
    pub action: Action,
    pub result: UpdateResult,
}

/// `paginate` of a query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paginate {
    pub limit: u64,
    pub offset: u64,
}

/// `pagination` of a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pagination {
    pub count: u64,
    pub offset: u64,
    pub remaining: u64,
}

/// A parsed mediation message, of either version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mediation {
    pub version: Version,
    pub message: MediationMessage,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MediationMessage {
    Request,
    /// `routing_did` as a list whichever form it came in.
    Grant {
        routing_did: Vec<String>,
    },
    Deny,
    /// `keylist-update` (2.0) / `recipient-update` (3.0).
    Update {
        updates: Vec<Update>,
    },
    /// `keylist-update-response` / `recipient-update-response`.
    UpdateResponse {
        updated: Vec<Updated>,
    },
    /// `keylist-query` / `recipient-query`.
    Query {
        paginate: Option<Paginate>,
    },
    /// `keylist` (body `keys`) / `recipient` (body `dids`).
    List {
        recipient_dids: Vec<String>,
        pagination: Option<Pagination>,
    },
}

/// A `mediate-request`, body `{}`.
pub fn mediate_request(version: Version, parties: &Parties) -> Result<Message> {
    build(version.uri("mediate-request"), object([]), parties)
}

/// The `mediate-grant` reply to `request`. 2.0 carries one routing DID as a string (more
/// or fewer is IllegalArgument), 3.0 an array.
pub fn mediate_grant(
    version: Version,
    request: &Message,
    routing_did: &[String],
) -> Result<Message> {
    let value: Value = match (version, routing_did) {
        (Version::V2, [one]) => one.as_str().into(),
        (Version::V2, _) => {
            return Err(err!(
                IllegalArgument,
                "a 2.0 mediate-grant carries exactly one routing_did, got {}",
                routing_did.len()
            ))
        }
        (Version::V3, list) => list.to_vec().into(),
    };
    let body = into_map(object([("routing_did", value)]));
    reply(request, &version.uri("mediate-grant"), body)
}

/// The `mediate-deny` reply to `request`.
pub fn mediate_deny(version: Version, request: &Message) -> Result<Message> {
    reply(request, &version.uri("mediate-deny"), Map::new())
}

/// A `keylist-update` (2.0) / `recipient-update` (3.0), body `{updates}`.
pub fn recipient_update(
    version: Version,
    parties: &Parties,
    updates: &[Update],
) -> Result<Message> {
    let list: Vec<Value> = updates
        .iter()
        .map(|u| update_value(&u.recipient_did, u.action, None))
        .collect();
    let name = version.name("recipient-update");
    build(
        version.uri(name),
        object([("updates", list.into())]),
        parties,
    )
}

/// The `keylist-update-response` / `recipient-update-response` reply to `update`.
pub fn recipient_update_response(
    version: Version,
    update: &Message,
    updated: &[Updated],
) -> Result<Message> {
    let list: Vec<Value> = updated
        .iter()
        .map(|u| update_value(&u.recipient_did, u.action, Some(u.result)))
        .collect();
    let body = into_map(object([("updated", list.into())]));
    reply(
        update,
        &version.uri(version.name("recipient-update-response")),
        body,
    )
}

/// A `keylist-query` / `recipient-query`, with `paginate` when given.
pub fn recipient_query(
    version: Version,
    parties: &Parties,
    paginate: Option<Paginate>,
) -> Result<Message> {
    let paginate = paginate.map_or(Value::Null, |p| {
        object([("limit", p.limit.into()), ("offset", p.offset.into())])
    });
    let name = version.name("recipient-query");
    build(version.uri(name), object([("paginate", paginate)]), parties)
}

/// The `keylist` (body `keys`) / `recipient` (body `dids`) reply to `query`.
pub fn recipient_list(
    version: Version,
    query: &Message,
    recipient_dids: &[String],
    pagination: Option<Pagination>,
) -> Result<Message> {
    let list: Vec<Value> = recipient_dids
        .iter()
        .map(|did| object([("recipient_did", did.as_str().into())]))
        .collect();
    let pagination = pagination.map_or(Value::Null, |p| {
        object([
            ("count", p.count.into()),
            ("offset", p.offset.into()),
            ("remaining", p.remaining.into()),
        ])
    });
    let body = into_map(object([
        (version.list_member(), list.into()),
        ("pagination", pagination),
    ]));
    reply(query, &version.uri(version.name("recipient")), body)
}

fn update_value(did: &str, action: Action, result: Option<UpdateResult>) -> Value {
    let action = match action {
        Action::Add => "add",
        Action::Remove => "remove",
    };
    let result = result.map(|r| match r {
        UpdateResult::Success => "success",
        UpdateResult::NoChange => "no_change",
        UpdateResult::ClientError => "client_error",
        UpdateResult::ServerError => "server_error",
    });
    object([
        ("recipient_did", did.into()),
        ("action", action.into()),
        ("result", result.into()),
    ])
}

/// The mediation message in `message` (2.x or 3.x), `None` for other types. `routing_did`
/// is read as a string or an array in either version; a list reads `keys` or `dids` in
/// either. A missing required member, or an unknown `action` or `result`, is Malformed.
pub fn parse(message: &Message) -> Result<Option<Mediation>> {
    let (version, name) = match type_of(message, PROTOCOL) {
        Some((2, name)) => (Version::V2, name),
        Some((3, name)) => (Version::V3, name),
        _ => return Ok(None),
    };
    let body = &message.body;
    let what = format!("{name} body");
    let what = what.as_str();
    let parsed = match name {
        "mediate-request" => MediationMessage::Request,
        "mediate-deny" => MediationMessage::Deny,
        "mediate-grant" => MediationMessage::Grant {
            routing_did: opt_str_list(body, "routing_did", what)?
                .ok_or_else(|| err!(Malformed, "{what} has no 'routing_did'"))?,
        },
        _ if name == version.name("recipient-update") => MediationMessage::Update {
            updates: objects(body, "updates", what, true, |u, what| {
                Ok(Update {
                    recipient_did: req_str(u, "recipient_did", what)?,
                    action: action(u, what)?,
                })
            })?,
        },
        _ if name == version.name("recipient-update-response") => {
            MediationMessage::UpdateResponse {
                updated: objects(body, "updated", what, true, |u, what| {
                    Ok(Updated {
                        recipient_did: req_str(u, "recipient_did", what)?,
                        action: action(u, what)?,
                        result: update_result(u, what)?,
                    })
                })?,
            }
        }
        _ if name == version.name("recipient-query") => MediationMessage::Query {
            paginate: opt_object(body, "paginate", what)?
                .map(|p| -> Result<Paginate> {
                    let what = &format!("{what} 'paginate'");
                    Ok(Paginate {
                        limit: req_u64(p, "limit", what)?,
                        offset: req_u64(p, "offset", what)?,
                    })
                })
                .transpose()?,
        },
        _ if name == version.name("recipient") => list(version, body, what)?,
        _ => return Ok(None),
    };
    Ok(Some(Mediation {
        version,
        message: parsed,
    }))
}

fn list(version: Version, body: &Map<String, Value>, what: &str) -> Result<MediationMessage> {
    // Peers mix up the versions' member names; read the version's, else the other's.
    let member = match version.list_member() {
        m if body.contains_key(m) => m,
        "keys" if body.contains_key("dids") => "dids",
        "dids" if body.contains_key("keys") => "keys",
        m => m,
    };
    let recipient_dids = objects(body, member, what, true, |k, what| {
        req_str(k, "recipient_did", what)
    })?;
    let pagination = opt_object(body, "pagination", what)?
        .map(|p| -> Result<Pagination> {
            let what = &format!("{what} 'pagination'");
            Ok(Pagination {
                count: req_u64(p, "count", what)?,
                offset: req_u64(p, "offset", what)?,
                remaining: req_u64(p, "remaining", what)?,
            })
        })
        .transpose()?;
    Ok(MediationMessage::List {
        recipient_dids,
        pagination,
    })
}

fn action(obj: &Map<String, Value>, what: &str) -> Result<Action> {
    match req_str(obj, "action", what)?.as_str() {
        "add" => Ok(Action::Add),
        "remove" => Ok(Action::Remove),
        other => Err(err!(
            Malformed,
            "{what} 'action' must be add or remove, got '{other}'"
        )),
    }
}

fn update_result(obj: &Map<String, Value>, what: &str) -> Result<UpdateResult> {
    match req_str(obj, "result", what)?.as_str() {
        "success" => Ok(UpdateResult::Success),
        "no_change" => Ok(UpdateResult::NoChange),
        "client_error" => Ok(UpdateResult::ClientError),
        "server_error" => Ok(UpdateResult::ServerError),
        other => Err(err!(
            Malformed,
            "{what} 'result' must be success, no_change, client_error or server_error, got '{other}'"
        )),
    }
}
