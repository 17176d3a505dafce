//! Terraform values as the provider sees them: known, null or unknown, with the collection and
//! object shapes of Terraform's type system. The codec turns these into msgpack and back.

use std::collections::BTreeMap;

static NULL: Value = Value::Null;

/// A Terraform number. Terraform sends numbers as msgpack int, float or decimal text; we keep
/// whichever form arrived so that nothing is rounded on the way back.
#[derive(Clone, Debug, PartialEq)]
pub enum Number {
    /// Arrived as a msgpack integer.
    Int(i64),
    /// Arrived as a msgpack float.
    Float(f64),
    /// Decimal text for values that fit neither i64 nor f64 exactly.
    Text(String),
}

impl Number {
    /// The number as an integer, if it is a whole number that fits; `None` otherwise.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Number::Int(i) => Some(*i),
            Number::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Some(*f as i64),
            Number::Float(_) => None,
            Number::Text(t) => t.parse().ok(),
        }
    }
}

/// A value of a known Terraform type. `Object` is used for objects and for blocks alike.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// Not set.
    Null,
    /// Not known until apply. Refinements Terraform sends are not kept.
    Unknown,
    /// A known bool.
    Bool(bool),
    /// A known number, in the form it arrived in.
    Number(Number),
    /// A known string.
    String(String),
    /// A list, or a block written with list nesting.
    List(Vec<Value>),
    /// A set, kept in the order Terraform sent it.
    Set(Vec<Value>),
    /// A map, by key.
    Map(BTreeMap<String, Value>),
    /// An object or a block's contents, by attribute name.
    Object(BTreeMap<String, Value>),
}

impl Value {
    /// Whether the value is null (unset); an unknown value is not null.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// Whether the value itself is unknown; see `is_wholly_known` for what is inside.
    pub fn is_unknown(&self) -> bool {
        matches!(self, Value::Unknown)
    }

    /// True when neither this value nor anything inside it is unknown.
    pub fn is_wholly_known(&self) -> bool {
        match self {
            Value::Unknown => false,
            Value::List(v) | Value::Set(v) => v.iter().all(Value::is_wholly_known),
            Value::Map(m) | Value::Object(m) => m.values().all(Value::is_wholly_known),
            _ => true,
        }
    }

    /// The attribute `name` of an object, or `Null` when this is not an object or has no such key.
    pub fn get(&self, name: &str) -> &Value {
        match self {
            Value::Object(m) | Value::Map(m) => m.get(name).unwrap_or(&NULL),
            _ => &NULL,
        }
    }

    /// The string, if this is a known string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The bool, if this is a known bool.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The elements of a list or set; empty for null, unknown and everything else.
    pub fn elements(&self) -> &[Value] {
        match self {
            Value::List(v) | Value::Set(v) => v,
            _ => &[],
        }
    }

    /// The single element of a block written once (`name { ... }`, a list of at most one), or
    /// `Null` when the block is absent.
    pub fn block(&self, name: &str) -> &Value {
        self.get(name).elements().first().unwrap_or(&NULL)
    }

    /// The known strings of a list or set of strings.
    pub fn strs(&self) -> Vec<&str> {
        self.elements().iter().filter_map(Value::as_str).collect()
    }

    /// A set of strings, in the order given.
    pub fn string_set<S: Into<String>>(items: impl IntoIterator<Item = S>) -> Value {
        Value::Set(items.into_iter().map(|s| Value::String(s.into())).collect())
    }

    /// A known string, without writing the `into()`.
    pub fn string(s: impl Into<String>) -> Value {
        Value::String(s.into())
    }

    /// `Some(s)` as a string value, `None` as null.
    pub fn opt_string(s: Option<impl Into<String>>) -> Value {
        s.map(|s| Value::String(s.into())).unwrap_or(Value::Null)
    }

    /// An object of `(name, value)` pairs.
    pub fn object<K: Into<String>>(pairs: impl IntoIterator<Item = (K, Value)>) -> Value {
        Value::Object(pairs.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }
}
