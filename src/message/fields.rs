//! Typed reads of JSON members with errors that name the member, and the one way this crate
//! builds JSON objects.

use serde_json::{Map, Value};

use crate::error::{err, Result};

/// A JSON object of `members`, leaving out those whose value is null (absent optional
/// fields). Built by insertion rather than `json!`, whose serializer glue the wasm would
/// carry for every value type it is used with.
#[inline(always)]
pub(crate) fn object<const N: usize>(mut members: [(&str, Value); N]) -> Value {
    object_of(&mut members)
}

/// [`object`] for any number of members: one copy of the loop, not one per arity.
fn object_of(members: &mut [(&str, Value)]) -> Value {
    let mut obj = Map::new();
    for (name, value) in members {
        if !value.is_null() {
            obj.insert((*name).to_owned(), std::mem::take(value));
        }
    }
    Value::Object(obj)
}

/// The member `name` moved out of `obj`, a null left in its place: `None` when absent,
/// `Some(Null)` when null. Out of line: one copy of the map search for every member read.
#[inline(never)]
pub(crate) fn take(obj: &mut Map<String, Value>, name: &str) -> Option<Value> {
    obj.get_mut(name).map(Value::take)
}

pub(crate) fn opt_str(obj: &Map<String, Value>, name: &str, what: &str) -> Result<Option<String>> {
    str_of(obj.get(name).cloned(), name, what)
}

/// [`opt_str`] of a member taken out of its object: the string moves, no copy.
pub(crate) fn str_of(member: Option<Value>, name: &str, what: &str) -> Result<Option<String>> {
    match member {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(other) => Err(err!(
            Malformed,
            "{what} '{name}' must be a string, got {}",
            type_name(&other)
        )),
    }
}

pub(crate) fn req_str(obj: &Map<String, Value>, name: &str, what: &str) -> Result<String> {
    required_str(obj.get(name).cloned(), name, what)
}

/// [`req_str`] of a member taken out of its object.
pub(crate) fn required_str(member: Option<Value>, name: &str, what: &str) -> Result<String> {
    match str_of(member, name, what)? {
        Some(s) if !s.is_empty() => Ok(s),
        Some(_) => Err(err!(Malformed, "{what} '{name}' must not be empty")),
        None => Err(err!(Malformed, "{what} has no '{name}'")),
    }
}

/// A member that must be a boolean, when present.
pub(crate) fn opt_bool(obj: &Map<String, Value>, name: &str, what: &str) -> Result<Option<bool>> {
    match obj.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(other) => Err(err!(
            Malformed,
            "{what} '{name}' must be a boolean, got {}",
            type_name(other)
        )),
    }
}

/// A member that must be a non-negative integer.
pub(crate) fn req_u64(obj: &Map<String, Value>, name: &str, what: &str) -> Result<u64> {
    opt_u64(obj, name, what)?.ok_or_else(|| err!(Malformed, "{what} has no '{name}'"))
}

/// A member that must be an object, when present.
pub(crate) fn opt_object<'a>(
    obj: &'a Map<String, Value>,
    name: &str,
    what: &str,
) -> Result<Option<&'a Map<String, Value>>> {
    match obj.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(o)) => Ok(Some(o)),
        Some(other) => Err(err!(
            Malformed,
            "{what} '{name}' must be an object, got {}",
            type_name(other)
        )),
    }
}

/// Integer seconds; an integral float (`1516269022.0`) is accepted as peers send it.
pub(crate) fn opt_u64(obj: &Map<String, Value>, name: &str, what: &str) -> Result<Option<u64>> {
    u64_of(obj.get(name), name, what)
}

/// [`opt_u64`] of a member.
pub(crate) fn u64_of(member: Option<&Value>, name: &str, what: &str) -> Result<Option<u64>> {
    match member {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n
            .as_u64()
            .or_else(|| {
                n.as_f64()
                    .filter(|f| f.fract() == 0.0 && *f >= 0.0 && *f < 1.8e19)
                    .map(|f| f as u64)
            })
            .map(Some)
            .ok_or_else(|| {
                err!(
                    Malformed,
                    "{what} '{name}' must be a non-negative integer, got {n}"
                )
            }),
        Some(other) => Err(err!(
            Malformed,
            "{what} '{name}' must be an integer, got {}",
            type_name(other)
        )),
    }
}

/// An array of strings; a lone string is read as a one-element array.
pub(crate) fn opt_str_list(
    obj: &Map<String, Value>,
    name: &str,
    what: &str,
) -> Result<Option<Vec<String>>> {
    str_list_of(obj.get(name).cloned(), name, what)
}

/// [`opt_str_list`] of a member taken out of its object: the strings move, no copies.
pub(crate) fn str_list_of(
    member: Option<Value>,
    name: &str,
    what: &str,
) -> Result<Option<Vec<String>>> {
    match member {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(vec![s])),
        Some(Value::Array(items)) => items
            .into_iter()
            .enumerate()
            .map(|(i, v)| match v {
                Value::String(s) => Ok(s),
                other => Err(err!(
                    Malformed,
                    "{what} '{name}[{i}]' must be a string, got {}",
                    type_name(&other)
                )),
            })
            .collect::<Result<Vec<_>>>()
            .map(Some),
        Some(other) => Err(err!(
            Malformed,
            "{what} '{name}' must be an array of strings, got {}",
            type_name(&other)
        )),
    }
}

pub(crate) fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

pub(crate) fn put_opt<T: Into<Value>>(obj: &mut Map<String, Value>, name: &str, value: Option<T>) {
    if let Some(v) = value {
        obj.insert(name.to_owned(), v.into());
    }
}
