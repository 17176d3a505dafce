//! Schema-driven codec between Terraform's `DynamicValue` wire formats and [`Value`].
//!
//! Terraform sends and expects msgpack whose shape is given only by the schema: objects and
//! blocks are maps that must carry exactly the schema's keys, unknowns are msgpack extensions and
//! numbers may arrive as int, float or decimal text. Raw state in `UpgradeResourceState` comes as
//! JSON, possibly written under an older schema. The rules are in
//! `../shared/reference/plugin-protocol.md`, section 3 and gotchas 23-28.

use std::collections::BTreeMap;
use std::fmt;

use super::schema::{AttributeType, Block, NestedBlock, Nesting, Type};
use super::value::{Number, Value};

/// Why a value could not be decoded or encoded: malformed bytes, or a value that does not fit
/// the schema. `path` is where in the value, for the diagnostic.
#[derive(Debug, thiserror::Error)]
pub enum CodecError {
    /// The bytes are not msgpack.
    #[error("malformed msgpack: {0}")]
    Msgpack(#[from] rmpv::decode::Error),
    /// More bytes follow the one value a `DynamicValue` holds.
    #[error("malformed msgpack: trailing bytes after the value")]
    TrailingBytes,
    /// The bytes are not JSON (raw state).
    #[error("malformed JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// A value of another type than the schema's.
    #[error("{path}: expected {expected}")]
    Mismatch {
        /// Where the value is.
        path: String,
        /// What the schema wants there.
        expected: &'static str,
    },
    /// An object lacks an attribute of its type, which Terraform always sends.
    #[error("{path}: attribute is missing")]
    MissingAttribute {
        /// Where the attribute should be.
        path: String,
    },
    /// An object carries a key its type does not have.
    #[error("{path}: unsupported attribute")]
    UnsupportedAttribute {
        /// Where the key is.
        path: String,
    },
    /// Number text that is no number.
    #[error("{path}: invalid number {text:?}")]
    InvalidNumber {
        /// Where the number is.
        path: String,
        /// The text as it arrived.
        text: String,
    },
}

/// The object type a block's values have: its attributes plus one key per nested block type.
pub fn block_type(block: &Block) -> Type {
    let attributes = block
        .attributes
        .iter()
        .map(|a| (a.name.clone(), attribute_type(&a.ty)));
    let blocks = block.block_types.iter().map(|nb| {
        (
            nb.type_name.clone(),
            nest(nb.nesting, block_type(&nb.block)),
        )
    });
    Type::Object(attributes.chain(blocks).collect())
}

/// The compact cty JSON of a type, as `Schema.Attribute.type` wants it.
pub fn type_json(ty: &Type) -> Vec<u8> {
    type_json_value(ty).to_string().into_bytes()
}

/// Decodes a block value from Terraform: null, unknown, or an object holding every attribute and
/// nested block type (list/set/map block collections are empty rather than null).
pub fn decode_block(block: &Block, msgpack: &[u8]) -> Result<Value, CodecError> {
    decode_block_value(block, read_msgpack(msgpack)?, Keys::Exact, &Path::Root)
}

/// Encodes a block value with exactly the schema's keys. Attributes missing from an object are
/// sent as null, so callers may leave them out; keys the schema lacks are an error.
pub fn encode_block(block: &Block, value: &Value) -> Result<Vec<u8>, CodecError> {
    let encoded = encode_block_value(block, value, &Path::Root)?;
    Ok(write_msgpack(&encoded))
}

/// Decodes raw state JSON. It may have been written under an older schema version, so attributes
/// it lacks become null and keys the schema no longer has are dropped. JSON has no unknowns.
pub fn decode_json_block(block: &Block, json: &[u8]) -> Result<Value, CodecError> {
    let json: serde_json::Value = serde_json::from_slice(json)?;
    decode_block_value(block, json_to_msgpack(json), Keys::Lenient, &Path::Root)
}

/// Decodes a single value of type `ty` (for example one attribute).
pub fn decode_type(ty: &Type, msgpack: &[u8]) -> Result<Value, CodecError> {
    decode_value(ty, read_msgpack(msgpack)?, Keys::Exact, &Path::Root)
}

/// Encodes a single value of type `ty`; objects follow the same key rules as `encode_block`.
pub fn encode_type(ty: &Type, value: &Value) -> Result<Vec<u8>, CodecError> {
    Ok(write_msgpack(&encode_value(ty, value, &Path::Root)?))
}

/// Where a value sits inside the top-level value, kept as a chain of borrows so that the text
/// is only built when an error needs it.
enum Path<'a> {
    Root,
    Attr(&'a Path<'a>, &'a str),
    Index(&'a Path<'a>, usize),
    Key(&'a Path<'a>, &'a str),
}

impl fmt::Display for Path<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Path::Root => f.write_str("(root)"),
            Path::Attr(Path::Root, name) => f.write_str(name),
            Path::Attr(parent, name) => write!(f, "{parent}.{name}"),
            Path::Index(Path::Root, i) => write!(f, "[{i}]"),
            Path::Index(parent, i) => write!(f, "{parent}[{i}]"),
            Path::Key(Path::Root, key) => write!(f, "[{key:?}]"),
            Path::Key(parent, key) => write!(f, "{parent}[{key:?}]"),
        }
    }
}

fn mismatch(path: &Path<'_>, expected: &'static str) -> CodecError {
    CodecError::Mismatch {
        path: path.to_string(),
        expected,
    }
}

/// Which object keys the decoder accepts.
#[derive(Clone, Copy, PartialEq)]
enum Keys {
    /// Msgpack from Terraform: exactly the schema's keys, as cty requires.
    Exact,
    /// Raw state JSON: missing keys read as null, keys the schema lacks are ignored.
    Lenient,
}

/// The type of an attribute's values. On the wire a nested attribute is simply an object (or a
/// collection of objects) and, unlike a block, may be null or unknown as a whole.
fn attribute_type(ty: &AttributeType) -> Type {
    match ty {
        AttributeType::Plain(ty) => ty.clone(),
        AttributeType::Nested {
            nesting,
            attributes,
        } => {
            let object = attributes
                .iter()
                .map(|a| (a.name.clone(), attribute_type(&a.ty)))
                .collect();
            nest(*nesting, Type::Object(object))
        }
    }
}

/// The type of a nested block or nested attribute holding `object`s with this nesting.
fn nest(nesting: Nesting, object: Type) -> Type {
    match nesting {
        Nesting::Single | Nesting::Group => object,
        Nesting::List => Type::list(object),
        Nesting::Set => Type::set(object),
        Nesting::Map => Type::map(object),
    }
}

fn type_json_value(ty: &Type) -> serde_json::Value {
    use serde_json::json;
    match ty {
        Type::String => json!("string"),
        Type::Number => json!("number"),
        Type::Bool => json!("bool"),
        Type::List(t) => json!(["list", type_json_value(t)]),
        Type::Set(t) => json!(["set", type_json_value(t)]),
        Type::Map(t) => json!(["map", type_json_value(t)]),
        Type::Object(fields) => {
            let fields: serde_json::Map<_, _> = fields
                .iter()
                .map(|(name, t)| (name.clone(), type_json_value(t)))
                .collect();
            json!(["object", fields])
        }
    }
}

fn expected(ty: &Type) -> &'static str {
    match ty {
        Type::String => "a string",
        Type::Number => "a number",
        Type::Bool => "a bool",
        Type::List(_) => "a list",
        Type::Set(_) => "a set",
        Type::Map(_) => "a map",
        Type::Object(_) => "an object",
    }
}

fn read_msgpack(bytes: &[u8]) -> Result<rmpv::Value, CodecError> {
    let mut rest = bytes;
    let value = rmpv::decode::read_value(&mut rest)?;
    if !rest.is_empty() {
        return Err(CodecError::TrailingBytes);
    }
    Ok(value)
}

fn write_msgpack(value: &rmpv::Value) -> Vec<u8> {
    let mut out = Vec::new();
    rmpv::encode::write_value(&mut out, value).expect("writing to a Vec cannot fail");
    out
}

/// Terraform's plain unknown: extension type 0 with a one-byte payload (`d4 00 00`).
fn unknown_msgpack() -> rmpv::Value {
    rmpv::Value::Ext(0, vec![0])
}

// ---- decoding ----

/// Decodes a block's value. The result is null, unknown, or an object holding every attribute
/// and every nested block type of the schema.
fn decode_block_value(
    block: &Block,
    value: rmpv::Value,
    keys: Keys,
    path: &Path<'_>,
) -> Result<Value, CodecError> {
    let mut entries = match value {
        rmpv::Value::Nil => return Ok(Value::Null),
        // Any extension is an unknown; refinements (type 12) are not kept.
        rmpv::Value::Ext(..) => return Ok(Value::Unknown),
        rmpv::Value::Map(entries) => string_keyed(entries, path)?,
        _ => return Err(mismatch(path, "an object")),
    };
    let mut object = BTreeMap::new();
    for attribute in &block.attributes {
        let path = Path::Attr(path, &attribute.name);
        let raw = take_field(&mut entries, &attribute.name, keys, &path)?;
        let value = decode_value(&attribute_type(&attribute.ty), raw, keys, &path)?;
        object.insert(attribute.name.clone(), value);
    }
    for nested in &block.block_types {
        let path = Path::Attr(path, &nested.type_name);
        let raw = take_field(&mut entries, &nested.type_name, keys, &path)?;
        let value = decode_nested_block(nested, raw, keys, &path)?;
        object.insert(nested.type_name.clone(), value);
    }
    reject_leftovers(&entries, keys, path)?;
    Ok(Value::Object(object))
}

/// Decodes one nested block type's value. List, set and map collections of blocks are never
/// null in Terraform, and a group is never null, so nil is read as "no blocks".
fn decode_nested_block(
    nested: &NestedBlock,
    value: rmpv::Value,
    keys: Keys,
    path: &Path<'_>,
) -> Result<Value, CodecError> {
    let block = &nested.block;
    match (nested.nesting, value) {
        (_, rmpv::Value::Ext(..)) => Ok(Value::Unknown),
        (Nesting::Single, value) => decode_block_value(block, value, keys, path),
        (Nesting::Group, rmpv::Value::Nil) => Ok(empty_block_value(block)),
        (Nesting::Group, value) => decode_block_value(block, value, keys, path),
        (Nesting::List, rmpv::Value::Nil) => Ok(Value::List(Vec::new())),
        (Nesting::Set, rmpv::Value::Nil) => Ok(Value::Set(Vec::new())),
        (Nesting::Map, rmpv::Value::Nil) => Ok(Value::Map(BTreeMap::new())),
        (Nesting::List, rmpv::Value::Array(items)) => {
            decode_elements(items, path, |v, p| decode_block_value(block, v, keys, p))
                .map(Value::List)
        }
        (Nesting::Set, rmpv::Value::Array(items)) => {
            decode_elements(items, path, |v, p| decode_block_value(block, v, keys, p))
                .map(Value::Set)
        }
        (Nesting::Map, rmpv::Value::Map(entries)) => {
            decode_entries(entries, path, |v, p| decode_block_value(block, v, keys, p))
                .map(Value::Map)
        }
        (Nesting::List, _) => Err(mismatch(path, "a list")),
        (Nesting::Set, _) => Err(mismatch(path, "a set")),
        (Nesting::Map, _) => Err(mismatch(path, "a map")),
    }
}

/// The value Terraform gives a block that is absent: null attributes and no nested blocks.
fn empty_block_value(block: &Block) -> Value {
    let attributes = block
        .attributes
        .iter()
        .map(|a| (a.name.clone(), Value::Null));
    let blocks = block.block_types.iter().map(|nb| {
        let empty = match nb.nesting {
            Nesting::Single => Value::Null,
            Nesting::Group => empty_block_value(&nb.block),
            Nesting::List => Value::List(Vec::new()),
            Nesting::Set => Value::Set(Vec::new()),
            Nesting::Map => Value::Map(BTreeMap::new()),
        };
        (nb.type_name.clone(), empty)
    });
    Value::Object(attributes.chain(blocks).collect())
}

fn decode_value(
    ty: &Type,
    value: rmpv::Value,
    keys: Keys,
    path: &Path<'_>,
) -> Result<Value, CodecError> {
    match (ty, value) {
        (_, rmpv::Value::Nil) => Ok(Value::Null),
        // Any extension is an unknown; refinements (type 12) are not kept.
        (_, rmpv::Value::Ext(..)) => Ok(Value::Unknown),
        (Type::String, rmpv::Value::String(s)) => s
            .into_str()
            .map(Value::String)
            .ok_or_else(|| mismatch(path, "a UTF-8 string")),
        (Type::Number, value) => decode_number(value, path).map(Value::Number),
        (Type::Bool, rmpv::Value::Boolean(b)) => Ok(Value::Bool(b)),
        (Type::List(element), rmpv::Value::Array(items)) => {
            decode_elements(items, path, |v, p| decode_value(element, v, keys, p)).map(Value::List)
        }
        (Type::Set(element), rmpv::Value::Array(items)) => {
            decode_elements(items, path, |v, p| decode_value(element, v, keys, p)).map(Value::Set)
        }
        (Type::Map(element), rmpv::Value::Map(entries)) => {
            decode_entries(entries, path, |v, p| decode_value(element, v, keys, p)).map(Value::Map)
        }
        (Type::Object(fields), rmpv::Value::Map(entries)) => {
            let mut entries = string_keyed(entries, path)?;
            let mut object = BTreeMap::new();
            for (name, field_type) in fields {
                let path = Path::Attr(path, name);
                let raw = take_field(&mut entries, name, keys, &path)?;
                object.insert(name.clone(), decode_value(field_type, raw, keys, &path)?);
            }
            reject_leftovers(&entries, keys, path)?;
            Ok(Value::Object(object))
        }
        (ty, _) => Err(mismatch(path, expected(ty))),
    }
}

/// Terraform sends a number as msgpack int, float, or decimal text when it fits neither.
fn decode_number(value: rmpv::Value, path: &Path<'_>) -> Result<Number, CodecError> {
    match value {
        rmpv::Value::Integer(i) => Ok(match i.as_i64() {
            Some(i) => Number::Int(i),
            None => Number::Text(i.to_string()),
        }),
        rmpv::Value::F32(f) => Ok(Number::Float(f.into())),
        rmpv::Value::F64(f) => Ok(Number::Float(f)),
        rmpv::Value::String(s) => {
            let text = s.as_str().ok_or_else(|| mismatch(path, "a number"))?;
            parse_number_text(text).ok_or_else(|| CodecError::InvalidNumber {
                path: path.to_string(),
                text: text.to_string(),
            })
        }
        _ => Err(mismatch(path, "a number")),
    }
}

/// Reads decimal text as a number: `Int` when it fits i64, else `Text`. Rejects anything that
/// is not plain decimal notation (f64's parser would also take "inf" and "NaN").
fn parse_number_text(text: &str) -> Option<Number> {
    if let Ok(i) = text.parse::<i64>() {
        return Some(Number::Int(i));
    }
    let decimal_chars = text
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'-' | b'+' | b'.' | b'e' | b'E'));
    (decimal_chars && text.parse::<f64>().is_ok()).then(|| Number::Text(text.to_string()))
}

fn decode_elements(
    items: Vec<rmpv::Value>,
    path: &Path<'_>,
    decode: impl Fn(rmpv::Value, &Path<'_>) -> Result<Value, CodecError>,
) -> Result<Vec<Value>, CodecError> {
    items
        .into_iter()
        .enumerate()
        .map(|(i, item)| decode(item, &Path::Index(path, i)))
        .collect()
}

fn decode_entries(
    entries: Vec<(rmpv::Value, rmpv::Value)>,
    path: &Path<'_>,
    decode: impl Fn(rmpv::Value, &Path<'_>) -> Result<Value, CodecError>,
) -> Result<BTreeMap<String, Value>, CodecError> {
    string_keyed(entries, path)?
        .into_iter()
        .map(|(key, value)| {
            let value = decode(value, &Path::Key(path, &key))?;
            Ok((key, value))
        })
        .collect()
}

/// The entries of a msgpack map, which Terraform always keys by string.
fn string_keyed(
    entries: Vec<(rmpv::Value, rmpv::Value)>,
    path: &Path<'_>,
) -> Result<BTreeMap<String, rmpv::Value>, CodecError> {
    entries
        .into_iter()
        .map(|(key, value)| match key {
            rmpv::Value::String(s) => s
                .into_str()
                .map(|key| (key, value))
                .ok_or_else(|| mismatch(path, "a map with UTF-8 string keys")),
            _ => Err(mismatch(path, "a map with string keys")),
        })
        .collect()
}

/// Removes the raw value of the field at `path` (whose last element is `name`).
fn take_field(
    entries: &mut BTreeMap<String, rmpv::Value>,
    name: &str,
    keys: Keys,
    path: &Path<'_>,
) -> Result<rmpv::Value, CodecError> {
    match (entries.remove(name), keys) {
        (Some(value), _) => Ok(value),
        (None, Keys::Lenient) => Ok(rmpv::Value::Nil),
        (None, Keys::Exact) => Err(CodecError::MissingAttribute {
            path: path.to_string(),
        }),
    }
}

/// Fails on keys left after every schema field was taken, unless decoding leniently.
fn reject_leftovers(
    entries: &BTreeMap<String, rmpv::Value>,
    keys: Keys,
    path: &Path<'_>,
) -> Result<(), CodecError> {
    match entries.keys().next() {
        Some(extra) if keys == Keys::Exact => Err(CodecError::UnsupportedAttribute {
            path: Path::Attr(path, extra).to_string(),
        }),
        _ => Ok(()),
    }
}

/// Turns parsed JSON into the msgpack model so one decoder serves both formats.
fn json_to_msgpack(json: serde_json::Value) -> rmpv::Value {
    match json {
        serde_json::Value::Null => rmpv::Value::Nil,
        serde_json::Value::Bool(b) => rmpv::Value::Boolean(b),
        serde_json::Value::Number(n) => json_number(&n),
        serde_json::Value::String(s) => rmpv::Value::from(s),
        serde_json::Value::Array(items) => {
            rmpv::Value::Array(items.into_iter().map(json_to_msgpack).collect())
        }
        serde_json::Value::Object(entries) => rmpv::Value::Map(
            entries
                .into_iter()
                .map(|(k, v)| (rmpv::Value::from(k), json_to_msgpack(v)))
                .collect(),
        ),
    }
}

/// Integers that fit i64 stay ints and fractions become floats; other integers (u64 above
/// i64::MAX, or longer ones if serde_json keeps arbitrary precision) travel as decimal text,
/// which the number decoder turns into `Number::Text`.
fn json_number(n: &serde_json::Number) -> rmpv::Value {
    match (n.as_i64(), n.as_f64()) {
        (Some(i), _) => rmpv::Value::from(i),
        (None, Some(f)) if n.is_f64() => rmpv::Value::F64(f),
        _ => rmpv::Value::from(n.to_string()),
    }
}

// ---- encoding ----

/// Encodes a block's value as a map with exactly the schema's keys. Keys absent from `value`
/// are encoded as null (or as no blocks), so callers may leave out null attributes.
fn encode_block_value(
    block: &Block,
    value: &Value,
    path: &Path<'_>,
) -> Result<rmpv::Value, CodecError> {
    let object = match value {
        Value::Null => return Ok(rmpv::Value::Nil),
        Value::Unknown => return Ok(unknown_msgpack()),
        Value::Object(object) => object,
        _ => return Err(mismatch(path, "an object")),
    };
    reject_unknown_keys(object, path, |name| {
        block.attributes.iter().any(|a| a.name == name)
            || block.block_types.iter().any(|nb| nb.type_name == name)
    })?;
    let mut entries = Vec::new();
    for attribute in &block.attributes {
        let path = Path::Attr(path, &attribute.name);
        let value = object.get(&attribute.name).unwrap_or(&Value::Null);
        let encoded = encode_value(&attribute_type(&attribute.ty), value, &path)?;
        entries.push((rmpv::Value::from(attribute.name.as_str()), encoded));
    }
    for nested in &block.block_types {
        let path = Path::Attr(path, &nested.type_name);
        let value = object.get(&nested.type_name).unwrap_or(&Value::Null);
        let encoded = encode_nested_block(nested, value, &path)?;
        entries.push((rmpv::Value::from(nested.type_name.as_str()), encoded));
    }
    Ok(rmpv::Value::Map(entries))
}

/// Encodes one nested block type's value. Terraform never accepts null for list, set and map
/// block collections or for a group, so null becomes "no blocks" (a group of nulls).
fn encode_nested_block(
    nested: &NestedBlock,
    value: &Value,
    path: &Path<'_>,
) -> Result<rmpv::Value, CodecError> {
    let block = &nested.block;
    match (nested.nesting, value) {
        (_, Value::Unknown) => Ok(unknown_msgpack()),
        (Nesting::Single, value) => encode_block_value(block, value, path),
        (Nesting::Group, Value::Null) => {
            encode_block_value(block, &Value::Object(BTreeMap::new()), path)
        }
        (Nesting::Group, value) => encode_block_value(block, value, path),
        (Nesting::List | Nesting::Set, Value::Null) => Ok(rmpv::Value::Array(Vec::new())),
        (Nesting::Map, Value::Null) => Ok(rmpv::Value::Map(Vec::new())),
        (Nesting::List, Value::List(items)) | (Nesting::Set, Value::Set(items)) => {
            encode_elements(items, path, |v, p| encode_block_value(block, v, p))
        }
        (Nesting::Map, Value::Map(entries)) => {
            encode_entries(entries, path, |v, p| encode_block_value(block, v, p))
        }
        (Nesting::List, _) => Err(mismatch(path, "a list")),
        (Nesting::Set, _) => Err(mismatch(path, "a set")),
        (Nesting::Map, _) => Err(mismatch(path, "a map")),
    }
}

fn encode_value(ty: &Type, value: &Value, path: &Path<'_>) -> Result<rmpv::Value, CodecError> {
    match (ty, value) {
        (_, Value::Null) => Ok(rmpv::Value::Nil),
        (_, Value::Unknown) => Ok(unknown_msgpack()),
        (Type::String, Value::String(s)) => Ok(rmpv::Value::from(s.as_str())),
        (Type::Number, Value::Number(n)) => encode_number(n, path),
        (Type::Bool, Value::Bool(b)) => Ok(rmpv::Value::Boolean(*b)),
        (Type::List(element), Value::List(items)) | (Type::Set(element), Value::Set(items)) => {
            encode_elements(items, path, |v, p| encode_value(element, v, p))
        }
        (Type::Map(element), Value::Map(entries)) => {
            encode_entries(entries, path, |v, p| encode_value(element, v, p))
        }
        (Type::Object(fields), Value::Object(object)) => {
            reject_unknown_keys(object, path, |name| fields.contains_key(name))?;
            let mut entries = Vec::new();
            for (name, field_type) in fields {
                let value = object.get(name).unwrap_or(&Value::Null);
                let encoded = encode_value(field_type, value, &Path::Attr(path, name))?;
                entries.push((rmpv::Value::from(name.as_str()), encoded));
            }
            Ok(rmpv::Value::Map(entries))
        }
        (ty, _) => Err(mismatch(path, expected(ty))),
    }
}

fn encode_number(number: &Number, path: &Path<'_>) -> Result<rmpv::Value, CodecError> {
    match number {
        Number::Int(i) => Ok(rmpv::Value::from(*i)),
        Number::Float(f) => Ok(rmpv::Value::F64(*f)),
        // Terraform would reject malformed text with a less helpful message.
        Number::Text(text) if parse_number_text(text).is_none() => Err(CodecError::InvalidNumber {
            path: path.to_string(),
            text: text.clone(),
        }),
        Number::Text(text) => Ok(rmpv::Value::from(text.as_str())),
    }
}

fn encode_elements(
    items: &[Value],
    path: &Path<'_>,
    encode: impl Fn(&Value, &Path<'_>) -> Result<rmpv::Value, CodecError>,
) -> Result<rmpv::Value, CodecError> {
    let items = items
        .iter()
        .enumerate()
        .map(|(i, item)| encode(item, &Path::Index(path, i)))
        .collect::<Result<_, _>>()?;
    Ok(rmpv::Value::Array(items))
}

fn encode_entries(
    entries: &BTreeMap<String, Value>,
    path: &Path<'_>,
    encode: impl Fn(&Value, &Path<'_>) -> Result<rmpv::Value, CodecError>,
) -> Result<rmpv::Value, CodecError> {
    let entries = entries
        .iter()
        .map(|(key, value)| {
            let encoded = encode(value, &Path::Key(path, key))?;
            Ok((rmpv::Value::from(key.as_str()), encoded))
        })
        .collect::<Result<_, CodecError>>()?;
    Ok(rmpv::Value::Map(entries))
}

/// Terraform fails on a key the schema does not have, so catch it here with a clear path.
fn reject_unknown_keys(
    object: &BTreeMap<String, Value>,
    path: &Path<'_>,
    in_schema: impl Fn(&str) -> bool,
) -> Result<(), CodecError> {
    match object.keys().find(|name| !in_schema(name)) {
        Some(extra) => Err(CodecError::UnsupportedAttribute {
            path: Path::Attr(path, extra).to_string(),
        }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plugin::schema::{Attribute, Mode};
    use proptest::prelude::*;

    const NESTINGS: [Nesting; 5] = [
        Nesting::Single,
        Nesting::Group,
        Nesting::List,
        Nesting::Set,
        Nesting::Map,
    ];

    fn attr(name: &str, ty: Type) -> Attribute {
        Attribute::new(name, ty, Mode::Optional, "")
    }

    fn nested_attr(name: &str, nesting: Nesting, attributes: Vec<Attribute>) -> Attribute {
        Attribute {
            ty: AttributeType::Nested {
                nesting,
                attributes,
            },
            ..attr(name, Type::String)
        }
    }

    fn nested_block(name: &str, nesting: Nesting, block: Block) -> NestedBlock {
        NestedBlock {
            type_name: name.to_string(),
            block,
            nesting,
            min_items: 0,
            max_items: 0,
        }
    }

    fn object_type(fields: &[(&str, Type)]) -> Type {
        Type::Object(
            fields
                .iter()
                .map(|(name, ty)| (name.to_string(), ty.clone()))
                .collect(),
        )
    }

    /// One nested block type per nesting mode, each holding `block`, named after the mode.
    fn blocks_of_every_nesting(block: &Block) -> Vec<NestedBlock> {
        NESTINGS
            .iter()
            .map(|n| nested_block(&format!("{n:?}").to_lowercase(), *n, block.clone()))
            .collect()
    }

    /// Every schema shape we use: plain attributes of each type (plus `any` of type `extra`),
    /// nested attributes of each nesting, and nested blocks of each nesting two deep.
    fn kitchen_sink(extra: &Type) -> Block {
        let leaf = Block {
            attributes: vec![attr("id", Type::String), attr("any", extra.clone())],
            ..Block::default()
        };
        let middle = Block {
            attributes: vec![attr("name", Type::String)],
            block_types: blocks_of_every_nesting(&leaf),
            ..Block::default()
        };
        let inner_attributes = || vec![attr("x", Type::String), attr("y", Type::Number)];
        Block {
            attributes: vec![
                attr("s", Type::String),
                attr("n", Type::Number),
                attr("b", Type::Bool),
                attr("l", Type::list(Type::String)),
                attr("st", Type::set(Type::Number)),
                attr("m", Type::map(Type::Bool)),
                attr(
                    "o",
                    object_type(&[("a", Type::String), ("b", Type::list(Type::Number))]),
                ),
                attr("any", extra.clone()),
                nested_attr(
                    "na_single",
                    Nesting::Single,
                    vec![
                        attr("x", Type::String),
                        nested_attr("inner", Nesting::List, inner_attributes()),
                    ],
                ),
                nested_attr("na_list", Nesting::List, inner_attributes()),
                nested_attr("na_set", Nesting::Set, inner_attributes()),
                nested_attr("na_map", Nesting::Map, inner_attributes()),
            ],
            block_types: blocks_of_every_nesting(&middle),
            ..Block::default()
        }
    }

    /// A policy-like schema for checking error paths.
    fn policy_block() -> Block {
        let conditions = Block {
            attributes: vec![attr("users", Type::list(Type::String))],
            ..Block::default()
        };
        Block {
            attributes: vec![attr("display_name", Type::String)],
            block_types: vec![nested_block("conditions", Nesting::List, conditions)],
            ..Block::default()
        }
    }

    fn msgpack_map(entries: Vec<(&str, rmpv::Value)>) -> rmpv::Value {
        rmpv::Value::Map(
            entries
                .into_iter()
                .map(|(k, v)| (rmpv::Value::from(k), v))
                .collect(),
        )
    }

    fn bytes(value: &rmpv::Value) -> Vec<u8> {
        write_msgpack(value)
    }

    fn obj(pairs: Vec<(&str, Value)>) -> Value {
        Value::object(pairs)
    }

    // ---- strategies ----

    fn arb_type() -> impl Strategy<Value = Type> {
        let leaf = prop_oneof![Just(Type::String), Just(Type::Number), Just(Type::Bool)];
        leaf.prop_recursive(3, 24, 4, |inner| {
            prop_oneof![
                inner.clone().prop_map(Type::list),
                inner.clone().prop_map(Type::set),
                inner.clone().prop_map(Type::map),
                prop::collection::btree_map("[a-z]{1,6}", inner, 0..4).prop_map(Type::Object),
            ]
        })
    }

    fn arb_number() -> impl Strategy<Value = Number> {
        prop_oneof![
            any::<i64>().prop_map(Number::Int),
            // NaN is not equal to itself, so it cannot pass a round-trip comparison.
            any::<f64>()
                .prop_filter("not NaN", |f| !f.is_nan())
                .prop_map(Number::Float),
            // Text that does not fit i64, as Terraform sends for big or precise numbers.
            "-?[1-9][0-9]{19,30}|-?[0-9]{1,20}\\.[0-9]{1,20}".prop_map(Number::Text),
        ]
    }

    /// Any value of type `ty`, null and unknown included at every level.
    fn arb_value(ty: &Type) -> BoxedStrategy<Value> {
        prop_oneof![
            1 => Just(Value::Null),
            1 => Just(Value::Unknown),
            4 => arb_known(ty),
        ]
        .boxed()
    }

    fn arb_known(ty: &Type) -> BoxedStrategy<Value> {
        let elements = |t: &Type| prop::collection::vec(arb_value(t), 0..3);
        match ty {
            Type::String => any::<String>().prop_map(Value::String).boxed(),
            Type::Number => arb_number().prop_map(Value::Number).boxed(),
            Type::Bool => any::<bool>().prop_map(Value::Bool).boxed(),
            Type::List(t) => elements(t).prop_map(Value::List).boxed(),
            Type::Set(t) => elements(t).prop_map(Value::Set).boxed(),
            Type::Map(t) => prop::collection::btree_map(".{0,4}", arb_value(t), 0..3)
                .prop_map(Value::Map)
                .boxed(),
            Type::Object(fields) => arb_object(
                fields
                    .iter()
                    .map(|(name, t)| (name.clone(), arb_value(t)))
                    .collect(),
            ),
        }
    }

    fn arb_object(fields: Vec<(String, BoxedStrategy<Value>)>) -> BoxedStrategy<Value> {
        let (names, strategies): (Vec<_>, Vec<_>) = fields.into_iter().unzip();
        strategies
            .prop_map(move |values| Value::Object(names.iter().cloned().zip(values).collect()))
            .boxed()
    }

    /// A known block object as the decoder yields it: every key present, block collections and
    /// groups never null (those are encoded as empty and decoded back as empty, see unit tests).
    fn arb_block_object(block: &Block) -> BoxedStrategy<Value> {
        let attributes = block
            .attributes
            .iter()
            .map(|a| (a.name.clone(), arb_value(&attribute_type(&a.ty))));
        let blocks = block
            .block_types
            .iter()
            .map(|nb| (nb.type_name.clone(), arb_nested_block(nb)));
        arb_object(attributes.chain(blocks).collect())
    }

    fn arb_nested_block(nested: &NestedBlock) -> BoxedStrategy<Value> {
        let element = arb_block_object(&nested.block);
        let known = match nested.nesting {
            Nesting::Single => prop_oneof![Just(Value::Null), element].boxed(),
            Nesting::Group => element,
            Nesting::List => prop::collection::vec(element, 0..3)
                .prop_map(Value::List)
                .boxed(),
            Nesting::Set => prop::collection::vec(element, 0..3)
                .prop_map(Value::Set)
                .boxed(),
            Nesting::Map => prop::collection::btree_map("[a-z]{0,3}", element, 0..3)
                .prop_map(Value::Map)
                .boxed(),
        };
        prop_oneof![1 => Just(Value::Unknown), 5 => known].boxed()
    }

    fn arb_kitchen_sink_value() -> impl Strategy<Value = (Block, Value)> {
        arb_type().prop_flat_map(|extra| {
            let block = kitchen_sink(&extra);
            let value = prop_oneof![
                1 => Just(Value::Null),
                1 => Just(Value::Unknown),
                8 => arb_block_object(&block),
            ];
            (Just(block), value)
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]

        #[test]
        fn type_round_trip(
            (ty, value) in arb_type().prop_flat_map(|ty| (Just(ty.clone()), arb_value(&ty)))
        ) {
            let encoded = encode_type(&ty, &value).unwrap();
            prop_assert_eq!(decode_type(&ty, &encoded).unwrap(), value);
        }

        #[test]
        fn block_round_trip((block, value) in arb_kitchen_sink_value()) {
            let encoded = encode_block(&block, &value).unwrap();
            prop_assert_eq!(decode_block(&block, &encoded).unwrap(), value);
        }

        #[test]
        fn decoding_garbage_does_not_panic(input in prop::collection::vec(any::<u8>(), 0..64)) {
            let _ = decode_block(&kitchen_sink(&Type::String), &input);
            let _ = decode_type(&Type::map(Type::list(Type::Number)), &input);
        }
    }

    // ---- unknowns ----

    #[test]
    fn any_extension_decodes_as_unknown() {
        let cases: [&[u8]; 6] = [
            &[0xd4, 0x00, 0x00],                   // plain unknown, fixext1
            &[0xc7, 0x00, 0x00],                   // plain unknown, empty payload
            &[0xd4, 0x0c, 0x80],                   // refined, no refinements
            &[0xc7, 0x03, 0x0c, 0x81, 0x01, 0xc2], // refined: not null
            // refined: not null, string prefix "abc"
            &[
                0xc7, 0x08, 0x0c, 0x82, 0x01, 0xc2, 0x02, 0xa3, b'a', b'b', b'c',
            ],
            &[0xd5, 0x05, 0x01, 0x02], // some other extension type
        ];
        for case in cases {
            assert_eq!(
                decode_type(&Type::String, case).unwrap(),
                Value::Unknown,
                "{case:02x?}"
            );
        }
        // refined number: lower bound [0, inclusive]
        let number = [0xc7, 0x05, 0x0c, 0x81, 0x03, 0x92, 0x00, 0xc3];
        assert_eq!(decode_type(&Type::Number, &number).unwrap(), Value::Unknown);
        // refined list: length lower bound 1
        let list = [0xc7, 0x03, 0x0c, 0x81, 0x05, 0x01];
        assert_eq!(
            decode_type(&Type::list(Type::String), &list).unwrap(),
            Value::Unknown
        );
    }

    #[test]
    fn refined_unknown_inside_a_block() {
        let refined = rmpv::Value::Ext(12, vec![0x81, 0x01, 0xc2]);
        let input = msgpack_map(vec![
            ("display_name", refined.clone()),
            ("conditions", refined),
        ]);
        let decoded = decode_block(&policy_block(), &bytes(&input)).unwrap();
        let expected = obj(vec![
            ("display_name", Value::Unknown),
            ("conditions", Value::Unknown),
        ]);
        assert_eq!(decoded, expected);
    }

    #[test]
    fn unknown_encodes_as_fixext1_type_0() {
        assert_eq!(
            encode_type(&Type::String, &Value::Unknown).unwrap(),
            [0xd4, 0, 0]
        );
        assert_eq!(
            encode_block(&policy_block(), &Value::Unknown).unwrap(),
            [0xd4, 0, 0]
        );
    }

    // ---- numbers ----

    #[test]
    fn numbers_decode_from_every_msgpack_form() {
        let mut big_text = vec![0xb7];
        big_text.extend_from_slice(b"12345678901234567890123");
        let cases: Vec<(Vec<u8>, Number)> = vec![
            (vec![0x2a], Number::Int(42)),
            (vec![0xd0, 0xff], Number::Int(-1)),
            (vec![0xcd, 0x01, 0x00], Number::Int(256)),
            (vec![0xd3, 0x80, 0, 0, 0, 0, 0, 0, 0], Number::Int(i64::MIN)),
            (vec![0xcf, 0, 0, 0, 0, 0, 0, 0, 0x2a], Number::Int(42)),
            (
                vec![0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
                Number::Text("18446744073709551615".to_string()),
            ),
            (vec![0xca, 0x3f, 0xc0, 0, 0], Number::Float(1.5)),
            (vec![0xcb, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0], Number::Float(1.5)),
            (
                big_text,
                Number::Text("12345678901234567890123".to_string()),
            ),
            (vec![0xa2, b'4', b'2'], Number::Int(42)),
            (
                vec![0xa3, b'1', b'.', b'5'],
                Number::Text("1.5".to_string()),
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(
                decode_type(&Type::Number, &input).unwrap(),
                Value::Number(expected),
                "{input:02x?}"
            );
        }
    }

    #[test]
    fn numbers_encode_in_their_own_form() {
        let encode = |n: Number| encode_type(&Type::Number, &Value::Number(n)).unwrap();
        assert_eq!(encode(Number::Int(1)), [0x01]);
        assert_eq!(encode(Number::Int(-1)), [0xff]);
        assert_eq!(
            encode(Number::Float(1.5)),
            [0xcb, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0]
        );
        assert_eq!(
            encode(Number::Text("1e400".to_string())),
            [0xa5, b'1', b'e', b'4', b'0', b'0']
        );
    }

    #[test]
    fn malformed_number_text_is_rejected_with_its_path() {
        let ty = object_type(&[("count", Type::Number)]);
        let input = msgpack_map(vec![("count", rmpv::Value::from("NaN"))]);
        let error = decode_type(&ty, &bytes(&input)).unwrap_err();
        assert_eq!(error.to_string(), "count: invalid number \"NaN\"");
        let value = obj(vec![("count", Value::Number(Number::Text("x".into())))]);
        let error = encode_type(&ty, &value).unwrap_err();
        assert_eq!(error.to_string(), "count: invalid number \"x\"");
    }

    // ---- objects and blocks ----

    #[test]
    fn missing_attribute_is_named() {
        let input = msgpack_map(vec![
            ("display_name", rmpv::Value::from("p")),
            (
                "conditions",
                rmpv::Value::Array(vec![msgpack_map(Vec::new())]),
            ),
        ]);
        let error = decode_block(&policy_block(), &bytes(&input)).unwrap_err();
        assert_eq!(
            error.to_string(),
            "conditions[0].users: attribute is missing"
        );

        let input = msgpack_map(vec![("display_name", rmpv::Value::Nil)]);
        let error = decode_block(&policy_block(), &bytes(&input)).unwrap_err();
        assert_eq!(error.to_string(), "conditions: attribute is missing");
    }

    #[test]
    fn extra_attribute_is_named() {
        let condition = msgpack_map(vec![
            ("users", rmpv::Value::Nil),
            ("bogus", rmpv::Value::Nil),
        ]);
        let input = msgpack_map(vec![
            ("display_name", rmpv::Value::Nil),
            ("conditions", rmpv::Value::Array(vec![condition])),
        ]);
        let error = decode_block(&policy_block(), &bytes(&input)).unwrap_err();
        assert_eq!(
            error.to_string(),
            "conditions[0].bogus: unsupported attribute"
        );

        let value = obj(vec![("bogus", Value::Null)]);
        let error = encode_block(&policy_block(), &value).unwrap_err();
        assert_eq!(error.to_string(), "bogus: unsupported attribute");
    }

    #[test]
    fn type_mismatch_is_named() {
        let condition = msgpack_map(vec![("users", rmpv::Value::from("alice"))]);
        let input = msgpack_map(vec![
            ("display_name", rmpv::Value::Nil),
            ("conditions", rmpv::Value::Array(vec![condition])),
        ]);
        let error = decode_block(&policy_block(), &bytes(&input)).unwrap_err();
        assert_eq!(error.to_string(), "conditions[0].users: expected a list");

        let value = obj(vec![(
            "conditions",
            Value::List(vec![obj(vec![("users", Value::string("alice"))])]),
        )]);
        let error = encode_block(&policy_block(), &value).unwrap_err();
        assert_eq!(error.to_string(), "conditions[0].users: expected a list");

        let error = decode_type(
            &Type::map(Type::Bool),
            &bytes(&msgpack_map(vec![("k", rmpv::Value::from(1))])),
        )
        .unwrap_err();
        assert_eq!(error.to_string(), "[\"k\"]: expected a bool");

        let error = decode_block(&policy_block(), &[0x01]).unwrap_err();
        assert_eq!(error.to_string(), "(root): expected an object");
    }

    #[test]
    fn objects_encode_every_attribute_with_explicit_nulls() {
        let block = Block {
            attributes: vec![attr("a", Type::String)],
            ..Block::default()
        };
        // {"a": nil}, whether the value leaves `a` out or sets it to null
        let expected = [0x81, 0xa1, b'a', 0xc0];
        assert_eq!(encode_block(&block, &obj(Vec::new())).unwrap(), expected);
        assert_eq!(
            encode_block(&block, &obj(vec![("a", Value::Null)])).unwrap(),
            expected
        );
        let ty = object_type(&[("a", Type::String)]);
        assert_eq!(encode_type(&ty, &obj(Vec::new())).unwrap(), expected);
    }

    #[test]
    fn decoded_block_has_every_key() {
        let block = kitchen_sink(&Type::String);
        let mut input = Vec::new();
        for attribute in &block.attributes {
            input.push((attribute.name.as_str(), rmpv::Value::Nil));
        }
        for nested in &block.block_types {
            input.push((nested.type_name.as_str(), rmpv::Value::Nil));
        }
        let decoded = decode_block(&block, &bytes(&msgpack_map(input))).unwrap();
        let Value::Object(object) = decoded else {
            panic!("expected an object, got {decoded:?}")
        };
        let Type::Object(fields) = block_type(&block) else {
            unreachable!()
        };
        assert!(object.keys().eq(fields.keys()));
    }

    #[test]
    fn nested_block_collections_are_never_null() {
        let block = kitchen_sink(&Type::String);
        let null_value = obj(Vec::new());
        let encoded = encode_block(&block, &null_value).unwrap();
        let rmpv::Value::Map(entries) = read_msgpack(&encoded).unwrap() else {
            panic!("expected a map")
        };
        let entry = |name: &str| {
            entries
                .iter()
                .find(|(k, _)| k.as_str() == Some(name))
                .map(|(_, v)| v.clone())
                .unwrap()
        };
        assert_eq!(entry("single"), rmpv::Value::Nil);
        assert_eq!(entry("list"), rmpv::Value::Array(Vec::new()));
        assert_eq!(entry("set"), rmpv::Value::Array(Vec::new()));
        assert_eq!(entry("map"), rmpv::Value::Map(Vec::new()));
        // A null group is an object of nulls, whose own collections are empty.
        let rmpv::Value::Map(group) = entry("group") else {
            panic!("expected a map for the group")
        };
        assert_eq!(group.len(), 6);
        assert!(group
            .iter()
            .any(|(k, v)| k.as_str() == Some("name") && v.is_nil()));
        assert!(group
            .iter()
            .any(|(k, v)| k.as_str() == Some("list") && *v == rmpv::Value::Array(Vec::new())));

        // Decoding nil for each nesting gives the same "no blocks" values back.
        let decoded = decode_block(&block, &encoded).unwrap();
        assert_eq!(decoded.get("single"), &Value::Null);
        assert_eq!(decoded.get("list"), &Value::List(Vec::new()));
        assert_eq!(decoded.get("set"), &Value::Set(Vec::new()));
        assert_eq!(decoded.get("map"), &Value::Map(BTreeMap::new()));
        assert_eq!(
            decoded.get("group"),
            &empty_block_value(&block.block_types[1].block)
        );
        let nil_group = decode_nested_block(
            &block.block_types[1],
            rmpv::Value::Nil,
            Keys::Exact,
            &Path::Root,
        )
        .unwrap();
        assert_eq!(nil_group, empty_block_value(&block.block_types[1].block));
    }

    #[test]
    fn nested_attributes_may_be_null_or_unknown() {
        let block = kitchen_sink(&Type::String);
        let value = obj(vec![
            ("na_single", Value::Null),
            ("na_list", Value::Unknown),
            ("na_map", Value::Null),
        ]);
        let decoded = decode_block(&block, &encode_block(&block, &value).unwrap()).unwrap();
        assert_eq!(decoded.get("na_single"), &Value::Null);
        assert_eq!(decoded.get("na_list"), &Value::Unknown);
        assert_eq!(decoded.get("na_map"), &Value::Null);
    }

    #[test]
    fn whole_block_may_be_null() {
        assert_eq!(decode_block(&policy_block(), &[0xc0]).unwrap(), Value::Null);
        assert_eq!(encode_block(&policy_block(), &Value::Null).unwrap(), [0xc0]);
    }

    #[test]
    fn malformed_msgpack_is_an_error() {
        assert!(matches!(
            decode_block(&policy_block(), &[0xc0, 0xc0]),
            Err(CodecError::TrailingBytes)
        ));
        assert!(matches!(
            decode_block(&policy_block(), &[]),
            Err(CodecError::Msgpack(_))
        ));
        let int_keyed = rmpv::Value::Map(vec![(rmpv::Value::from(1), rmpv::Value::Nil)]);
        let error = decode_block(&policy_block(), &bytes(&int_keyed)).unwrap_err();
        assert_eq!(error.to_string(), "(root): expected a map with string keys");
    }

    // ---- types ----

    #[test]
    fn type_json_is_compact_cty_json() {
        let json = |ty: &Type| String::from_utf8(type_json(ty)).unwrap();
        assert_eq!(json(&Type::String), r#""string""#);
        assert_eq!(json(&Type::Number), r#""number""#);
        assert_eq!(json(&Type::Bool), r#""bool""#);
        assert_eq!(json(&Type::list(Type::String)), r#"["list","string"]"#);
        assert_eq!(json(&Type::set(Type::Number)), r#"["set","number"]"#);
        assert_eq!(json(&Type::map(Type::Bool)), r#"["map","bool"]"#);
        let object = object_type(&[("b", Type::set(Type::Number)), ("a", Type::String)]);
        assert_eq!(
            json(&object),
            r#"["object",{"a":"string","b":["set","number"]}]"#
        );
    }

    #[test]
    fn block_type_follows_nesting() {
        let ty = block_type(&kitchen_sink(&Type::Bool));
        let Type::Object(fields) = &ty else {
            panic!("expected an object type")
        };
        let Type::Object(middle) = &fields["single"] else {
            panic!("single nesting is an object")
        };
        assert_eq!(fields["group"], fields["single"]);
        assert_eq!(fields["list"], Type::list(fields["single"].clone()));
        assert_eq!(fields["set"], Type::set(fields["single"].clone()));
        assert_eq!(fields["map"], Type::map(fields["single"].clone()));
        let leaf = object_type(&[("id", Type::String), ("any", Type::Bool)]);
        assert_eq!(middle["list"], Type::list(leaf));
        let inner = object_type(&[("x", Type::String), ("y", Type::Number)]);
        assert_eq!(fields["na_list"], Type::list(inner.clone()));
        assert_eq!(fields["na_set"], Type::set(inner.clone()));
        assert_eq!(fields["na_map"], Type::map(inner.clone()));
        assert_eq!(
            fields["na_single"],
            object_type(&[("x", Type::String), ("inner", Type::list(inner))])
        );
        assert_eq!(fields["st"], Type::set(Type::Number));
    }

    // ---- JSON ----

    /// A schema with one block of each nesting, for raw-state tests.
    fn state_block() -> Block {
        let inner = Block {
            attributes: vec![attr("v", Type::String)],
            ..Block::default()
        };
        Block {
            attributes: vec![
                attr("id", Type::String),
                attr("count", Type::Number),
                attr("tags", Type::map(Type::String)),
                attr("settings", object_type(&[("on", Type::Bool)])),
            ],
            block_types: blocks_of_every_nesting(&inner),
            ..Block::default()
        }
    }

    #[test]
    fn json_fills_missing_keys_and_drops_stale_ones() {
        let json = br#"{
            "id": "abc",
            "removed_attribute": 7,
            "settings": {"on": true, "removed_field": 1},
            "list": [{"v": "x", "removed": null}]
        }"#;
        let decoded = decode_json_block(&state_block(), json).unwrap();
        let expected = obj(vec![
            ("id", Value::string("abc")),
            ("count", Value::Null),
            ("tags", Value::Null),
            ("settings", obj(vec![("on", Value::Bool(true))])),
            ("single", Value::Null),
            ("group", obj(vec![("v", Value::Null)])),
            (
                "list",
                Value::List(vec![obj(vec![("v", Value::string("x"))])]),
            ),
            ("set", Value::Set(Vec::new())),
            ("map", Value::Map(BTreeMap::new())),
        ]);
        assert_eq!(decoded, expected);
    }

    #[test]
    fn json_reads_every_shape() {
        let json = br#"{
            "id": null,
            "tags": {"a": "1"},
            "single": {"v": "s"},
            "group": {"v": "g"},
            "set": [{"v": "1"}, {"v": "2"}],
            "map": {"k": {"v": "m"}}
        }"#;
        let decoded = decode_json_block(&state_block(), json).unwrap();
        let v = |s: &str| obj(vec![("v", Value::string(s))]);
        assert_eq!(
            decoded.get("tags"),
            &Value::Map([("a".to_string(), Value::string("1"))].into())
        );
        assert_eq!(decoded.get("single"), &v("s"));
        assert_eq!(decoded.get("group"), &v("g"));
        assert_eq!(decoded.get("set"), &Value::Set(vec![v("1"), v("2")]));
        assert_eq!(
            decoded.get("map"),
            &Value::Map([("k".to_string(), v("m"))].into())
        );
    }

    #[test]
    fn json_numbers() {
        let count = |text: &str| {
            let json = format!(r#"{{"count": {text}}}"#);
            decode_json_block(&state_block(), json.as_bytes())
                .unwrap()
                .get("count")
                .clone()
        };
        assert_eq!(count("5"), Value::Number(Number::Int(5)));
        assert_eq!(count("-3"), Value::Number(Number::Int(-3)));
        assert_eq!(count("1.5"), Value::Number(Number::Float(1.5)));
        assert_eq!(
            count("18446744073709551615"),
            Value::Number(Number::Text("18446744073709551615".to_string()))
        );
    }

    /// Found by fuzzing: serde_json's default float parser may miss the nearest f64 by one
    /// unit, so a number in a stored state changed on the way through UpgradeResourceState.
    #[test]
    fn json_floats_decode_exactly() {
        let json = br#"{"count": 2.5684257319819e207}"#;
        let decoded = decode_json_block(&state_block(), json).unwrap();
        assert_eq!(
            decoded.get("count"),
            &Value::Number(Number::Float(2.5684257319819e207))
        );
    }

    #[test]
    fn json_errors_name_the_path() {
        let error = decode_json_block(&state_block(), br#"{"list": [{"v": 1}]}"#).unwrap_err();
        assert_eq!(error.to_string(), "list[0].v: expected a string");
        let error = decode_json_block(&state_block(), br#"{"tags": {"a": 1}}"#).unwrap_err();
        assert_eq!(error.to_string(), "tags[\"a\"]: expected a string");
        assert!(matches!(
            decode_json_block(&state_block(), b"{"),
            Err(CodecError::Json(_))
        ));
    }
}
