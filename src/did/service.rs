//! DIDCommMessaging services (CHECKLIST §7), read in every shape peers publish: an endpoint
//! that is a string, an object `{uri, accept, routingKeys}` or an array of those; the
//! did:peer:2 abbreviations (`uri`/`s`, `accept`/`a`, `routingKeys`/`r`); and the DIDComm
//! v2.0 flat form with `routingKeys` and `accept` beside a string endpoint.

use serde_json::{Map, Value};

use crate::error::{err, Result};
#[cfg(feature = "did-methods")]
use crate::message::fields::object;
use crate::message::fields::{opt_str, opt_str_list, type_name};

/// One endpoint of a service.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Endpoint {
    /// An http(s) or ws(s) URL, or a DID (a mediator).
    pub uri: String,
    /// Media types / profiles the endpoint accepts (`didcomm/v2`); empty means unstated.
    pub accept: Vec<String>,
    /// Mediator keys (kids or DIDs) to wrap forwards for, outermost last.
    pub routing_keys: Vec<String>,
}

impl Endpoint {
    /// One endpoint: `{ uri, accept?, routingKeys? }` (the abbreviations too) or a URI.
    pub fn from_value(value: &Value) -> Result<Endpoint> {
        match endpoints(value, &Map::new())?.as_mut_slice() {
            [one] => Ok(std::mem::take(one)),
            _ => Err(err!(
                Malformed,
                "an endpoint must be {{ uri, accept?, routingKeys? }} or a URI"
            )),
        }
    }
}

/// A service entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Service {
    /// Absolute id (`did#service`).
    pub id: String,
    pub types: Vec<String>,
    /// The endpoints, for DIDCommMessaging; empty for other service types.
    pub endpoints: Vec<Endpoint>,
    /// The entry as it came (with the id made absolute), for re-emitting it.
    pub raw: Value,
}

impl Service {
    pub fn is_didcomm(&self) -> bool {
        self.types
            .iter()
            .any(|t| t == "DIDCommMessaging" || t == "dm")
    }

    /// Reads one entry of `service`. `id` is already absolute.
    pub(crate) fn from_value(value: &Value, id: String) -> Result<Service> {
        let obj = value.as_object().ok_or_else(|| {
            err!(
                Malformed,
                "a service must be an object, got {}",
                type_name(value)
            )
        })?;
        let types = match obj.get("type").or_else(|| obj.get("t")) {
            Some(Value::String(t)) => vec![t.clone()],
            Some(Value::Array(list)) => list
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect(),
            _ => Vec::new(),
        };
        let mut service = Service {
            id,
            types,
            endpoints: Vec::new(),
            raw: value.clone(),
        };
        if let Value::Object(raw) = &mut service.raw {
            raw.insert("id".into(), service.id.clone().into());
        }
        if service.is_didcomm() {
            let endpoint = obj
                .get("serviceEndpoint")
                .or_else(|| obj.get("s"))
                .ok_or_else(|| err!(Malformed, "service {} has no serviceEndpoint", service.id))?;
            service.endpoints = endpoints(endpoint, obj)
                .map_err(|e| e.context(format_args!("service {}", service.id)))?;
        }
        Ok(service)
    }
}

fn endpoints(value: &Value, service: &Map<String, Value>) -> Result<Vec<Endpoint>> {
    match value {
        // v2.0 flat form: routingKeys and accept beside a string endpoint.
        Value::String(uri) => Ok(vec![Endpoint {
            uri: uri.clone(),
            accept: list(service, "accept", "a")?,
            routing_keys: list(service, "routingKeys", "r")?,
        }]),
        Value::Object(obj) => {
            let uri = opt_str(obj, "uri", "serviceEndpoint")?
                .or(opt_str(obj, "s", "serviceEndpoint")?)
                .ok_or_else(|| err!(Malformed, "serviceEndpoint has no 'uri'"))?;
            Ok(vec![Endpoint {
                uri,
                accept: list(obj, "accept", "a")?,
                routing_keys: list(obj, "routingKeys", "r")?,
            }])
        }
        Value::Array(items) => {
            let mut out = Vec::new();
            for item in items {
                out.extend(endpoints(item, service)?);
            }
            Ok(out)
        }
        other => Err(err!(
            Malformed,
            "serviceEndpoint must be a string, object or array, got {}",
            type_name(other)
        )),
    }
}

fn list(obj: &Map<String, Value>, name: &str, short: &str) -> Result<Vec<String>> {
    Ok(opt_str_list(obj, name, "serviceEndpoint")?
        .or(opt_str_list(obj, short, "serviceEndpoint")?)
        .unwrap_or_default())
}

/// The spec form of a DIDCommMessaging service, as did:peer resolution emits it.
#[cfg(feature = "did-methods")]
pub fn didcomm_service_value(id: &str, endpoint: &Endpoint) -> Value {
    let mut ep = Map::new();
    ep.insert("uri".into(), endpoint.uri.clone().into());
    if !endpoint.accept.is_empty() {
        ep.insert("accept".into(), endpoint.accept.clone().into());
    }
    if !endpoint.routing_keys.is_empty() {
        ep.insert("routingKeys".into(), endpoint.routing_keys.clone().into());
    }
    object([
        ("id", id.into()),
        ("type", "DIDCommMessaging".into()),
        ("serviceEndpoint", Value::Object(ep)),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn read(v: Value) -> Vec<Endpoint> {
        Service::from_value(&v, "did:x:y#s".into())
            .unwrap()
            .endpoints
    }

    #[test]
    fn every_endpoint_shape() {
        let full = Endpoint {
            uri: "https://m".into(),
            accept: vec!["didcomm/v2".into()],
            routing_keys: vec!["did:m#k".into()],
        };
        let shapes = [
            json!({"type": "DIDCommMessaging", "serviceEndpoint": {"uri": "https://m", "accept": ["didcomm/v2"], "routingKeys": ["did:m#k"]}}),
            json!({"type": "DIDCommMessaging", "serviceEndpoint": [{"uri": "https://m", "accept": ["didcomm/v2"], "routingKeys": ["did:m#k"]}]}),
            json!({"type": "DIDCommMessaging", "serviceEndpoint": "https://m", "accept": ["didcomm/v2"], "routingKeys": ["did:m#k"]}),
            json!({"t": "dm", "s": {"uri": "https://m", "a": ["didcomm/v2"], "r": ["did:m#k"]}}),
            json!({"t": "dm", "s": "https://m", "a": ["didcomm/v2"], "r": ["did:m#k"]}),
            json!({"type": ["DIDCommMessaging"], "serviceEndpoint": {"uri": "https://m", "r": ["did:m#k"], "a": ["didcomm/v2"]}}),
        ];
        for shape in shapes {
            assert_eq!(read(shape.clone()), vec![full.clone()], "{shape}");
        }
        let plain = read(json!({"type": "DIDCommMessaging", "serviceEndpoint": "https://m"}));
        assert_eq!(
            plain,
            vec![Endpoint {
                uri: "https://m".into(),
                ..Default::default()
            }]
        );
    }

    #[test]
    fn one_endpoint_from_an_object_or_a_uri() {
        let ep = Endpoint::from_value(&json!({"uri": "wss://m", "a": ["didcomm/v2"]})).unwrap();
        assert_eq!((ep.uri.as_str(), ep.accept.len()), ("wss://m", 1));
        assert_eq!(
            Endpoint::from_value(&json!("https://m")).unwrap().uri,
            "https://m"
        );
        for bad in [json!({"accept": []}), json!([]), json!(5)] {
            let e = Endpoint::from_value(&bad).unwrap_err();
            assert_eq!(e.kind(), crate::ErrorKind::Malformed, "{bad}");
        }
    }

    #[test]
    fn other_services_are_kept_without_endpoints() {
        let s = Service::from_value(
            &json!({"type": "LinkedDomains", "serviceEndpoint": "https://x"}),
            "d#l".into(),
        )
        .unwrap();
        assert!(!s.is_didcomm() && s.endpoints.is_empty());
        let e = Service::from_value(
            &json!({"type": "DIDCommMessaging", "serviceEndpoint": 5}),
            "d#s".into(),
        )
        .unwrap_err();
        assert!(e.message().contains("d#s"));
    }
}
