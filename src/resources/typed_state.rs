//! The readers and writers every typed state (`named_location::state` and its siblings) is
//! built from: one attribute of a state, configuration or plan by name. Each type passes a
//! name once in its `of` and once in its `to_value`, and a test holds those names to the
//! schema. Unknown reads as absent (`None`, or left out of a list), so code that must tell
//! unknown from null reads the `Value` itself.

use crate::plugin::value::{Number, Value};

/// A string attribute.
pub(crate) fn string(v: &Value, name: &str) -> Option<String> {
    v.get(name).as_str().map(str::to_string)
}

/// A bool attribute.
pub(crate) fn flag(v: &Value, name: &str) -> Option<bool> {
    v.get(name).as_bool()
}

/// A number attribute, in the form it arrived in (a fraction stays one).
pub(crate) fn number(v: &Value, name: &str) -> Option<Number> {
    match v.get(name) {
        Value::Number(n) => Some(n.clone()),
        _ => None,
    }
}

/// The known strings of a set or list attribute, in Terraform's order; null reads as empty.
pub(crate) fn strings(v: &Value, name: &str) -> Vec<String> {
    v.get(name).strs().into_iter().map(str::to_string).collect()
}

/// The known strings of a set or list attribute; `None` when it is null or unknown, for a type
/// that keeps an empty set apart from none.
pub(crate) fn strings_or_null(v: &Value, name: &str) -> Option<Vec<String>> {
    let set = v.get(name);
    matches!(set, Value::Set(_) | Value::List(_)).then(|| strings(v, name))
}

/// The element of the single block `name`, read with `read`, when the value has one.
pub(crate) fn block<T>(v: &Value, name: &str, read: fn(&Value) -> T) -> Option<T> {
    v.get(name).elements().first().map(read)
}

/// Every element of the repeatable block `name`, read with `read`.
pub(crate) fn blocks<T>(v: &Value, name: &str, read: fn(&Value) -> T) -> Vec<T> {
    v.get(name).elements().iter().map(read).collect()
}

/// A string attribute's value: null when absent.
pub(crate) fn string_value(s: &Option<String>) -> Value {
    Value::opt_string(s.clone())
}

/// A bool attribute's value: null when absent.
pub(crate) fn flag_value(b: Option<bool>) -> Value {
    b.map_or(Value::Null, Value::Bool)
}

/// A set attribute's value (empty when there is nothing in it).
pub(crate) fn set_value(items: &[String]) -> Value {
    Value::string_set(items.iter().cloned())
}

/// A set attribute's value for a type that keeps an empty set apart from none (null).
pub(crate) fn set_or_null_value(items: &Option<Vec<String>>) -> Value {
    items.as_deref().map_or(Value::Null, set_value)
}

/// A single block's value: a list of its element, or an empty one.
pub(crate) fn block_value<T>(b: &Option<T>, write: fn(&T) -> Value) -> Value {
    Value::List(b.iter().map(write).collect())
}
