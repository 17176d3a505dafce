//! The msgpack/JSON value codec under the provider's real schemas: what to decode against, the
//! round-trip checks, and values generated to fit a schema.

use arbitrary::{Result, Unstructured};
use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;
use terraform_provider_entra::plugin::codec::{
    block_type, decode_block, decode_json_block, decode_type, encode_block, encode_type,
};
use terraform_provider_entra::plugin::diag::Diagnostics;
use terraform_provider_entra::plugin::resource::Provider;
use terraform_provider_entra::plugin::schema::{
    Attribute, AttributeType, Block, Mode, NestedBlock, Nesting, Type,
};
use terraform_provider_entra::plugin::value::{Number, Value};

/// Every schema Terraform sends values for, by name: the provider's, each resource's and data
/// source's, and a synthetic one with every nesting mode and nested attributes (the real ones
/// only use list blocks). `types` are the provider functions' parameter and return types and
/// each block's object type, decoded on their own like function arguments.
pub struct Schemas {
    pub blocks: Vec<(String, Block)>,
    pub types: Vec<(String, Type)>,
    /// The static checks (Validate*Config) of each real block schema, by name.
    validators: HashMap<String, Validator>,
}

type Validator = Box<dyn Fn(&Value) -> Diagnostics + Send + Sync>;

impl Schemas {
    pub fn block(&self, name: &str) -> &Block {
        &self
            .blocks
            .iter()
            .find(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("no schema named {name}"))
            .1
    }

    /// Runs the static checks of schema `name` on `config` when it is a configuration Terraform
    /// could send; they must not panic, whatever the configuration says.
    pub fn validate(&self, name: &str, config: &Value) {
        if let Some(validate) = self.validators.get(name) {
            if is_config(self.block(name), config) {
                drop(validate(config).to_string());
            }
        }
    }
}

pub fn schemas() -> &'static Schemas {
    static SCHEMAS: OnceLock<Schemas> = OnceLock::new();
    SCHEMAS.get_or_init(|| {
        let provider = crate::graph::provider();
        let mut blocks = vec![("provider".to_string(), provider.schema().block)];
        let mut validators: HashMap<String, Validator> = HashMap::new();
        validators.insert("provider".into(), Box::new(|v| provider.validate(v)));
        for r in provider.resources() {
            blocks.push((r.type_name().to_string(), r.schema().block));
            validators.insert(r.type_name().into(), Box::new(move |v| r.validate(v)));
        }
        for d in provider.data_sources() {
            // A data source may share its type name with a resource.
            let name = format!("data.{}", d.type_name());
            blocks.push((name.clone(), d.schema().block));
            validators.insert(name, Box::new(move |v| d.validate(v)));
        }
        blocks.push(("kitchen_sink".to_string(), kitchen_sink()));
        let mut types = Vec::new();
        for f in provider.functions() {
            let signature = f.signature();
            for (name, ty, _) in signature.parameters {
                types.push((format!("{}({name})", f.name()), ty));
            }
            types.push((format!("{}() result", f.name()), signature.returns));
        }
        for (name, block) in &blocks {
            types.push((format!("{name} object"), block_type(block)));
        }
        Schemas {
            blocks,
            types,
            validators,
        }
    })
}

fn attr(name: &str, ty: Type) -> Attribute {
    Attribute::new(name, ty, Mode::Optional, "")
}

fn nested_attr(name: &str, nesting: Nesting, attributes: Vec<Attribute>) -> Attribute {
    Attribute {
        name: name.into(),
        ty: AttributeType::Nested {
            nesting,
            attributes,
        },
        mode: Mode::Optional,
        description: String::new(),
        sensitive: false,
        plan: Default::default(),
    }
}

fn nested_block(name: &str, nesting: Nesting, block: Block) -> NestedBlock {
    NestedBlock {
        type_name: name.into(),
        block,
        nesting,
        min_items: 0,
        max_items: 0,
    }
}

/// Every attribute type, nested attribute and block nesting the codec knows, two levels deep.
fn kitchen_sink() -> Block {
    let scalars = || {
        vec![
            attr("s", Type::String),
            attr("n", Type::Number),
            attr("b", Type::Bool),
            attr("ls", Type::list(Type::String)),
            attr("sn", Type::set(Type::Number)),
            attr("mb", Type::map(Type::Bool)),
            attr(
                "o",
                Type::Object(BTreeMap::from([
                    ("x".to_string(), Type::String),
                    ("y".to_string(), Type::list(Type::Number)),
                ])),
            ),
        ]
    };
    let leaf = Block {
        attributes: scalars(),
        ..Block::default()
    };
    let nestings = [
        ("single", Nesting::Single),
        ("group", Nesting::Group),
        ("list", Nesting::List),
        ("set", Nesting::Set),
        ("map", Nesting::Map),
    ];
    let middle = Block {
        attributes: vec![attr("id", Type::String)],
        block_types: nestings
            .iter()
            .map(|(n, nesting)| nested_block(n, *nesting, leaf.clone()))
            .collect(),
        ..Block::default()
    };
    let mut attributes = scalars();
    for (n, nesting) in nestings {
        attributes.push(nested_attr(&format!("na_{n}"), nesting, scalars()));
    }
    Block {
        attributes,
        block_types: nestings
            .iter()
            .map(|(n, nesting)| nested_block(n, *nesting, middle.clone()))
            .collect(),
        ..Block::default()
    }
}

/// Whether Terraform could send `value` as a configuration of `block`: an object whose
/// computed-only attributes are null, whose required ones are set (if perhaps unknown), and
/// whose known block lists respect their item limits. Terraform refuses anything else itself.
fn is_config(block: &Block, value: &Value) -> bool {
    let Value::Object(m) = value else {
        return false;
    };
    let attributes_fit = block.attributes.iter().all(|a| {
        let v = m.get(&a.name).unwrap_or(&Value::Null);
        match a.mode {
            Mode::Computed => v.is_null(),
            Mode::Required => !v.is_null(),
            Mode::Optional | Mode::OptionalComputed => true,
        }
    });
    attributes_fit
        && block.block_types.iter().all(|nb| {
            let blocks: Vec<&Value> = match m.get(&nb.type_name).unwrap_or(&Value::Null) {
                Value::Unknown => return true,
                Value::Null => Vec::new(),
                Value::List(items) | Value::Set(items) => items.iter().collect(),
                Value::Map(entries) => entries.values().collect(),
                single => vec![single],
            };
            let n = blocks.len() as i64;
            n >= nb.min_items
                && (nb.max_items == 0 || n <= nb.max_items)
                && blocks
                    .iter()
                    .all(|b| b.is_unknown() || is_config(&nb.block, b))
        })
}

// ---- checks ----

/// Equality where NaN equals NaN: a NaN float is a valid (if odd) msgpack number.
pub fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(Number::Float(x)), Value::Number(Number::Float(y))) => {
            x == y || (x.is_nan() && y.is_nan())
        }
        (Value::List(x), Value::List(y)) | (Value::Set(x), Value::Set(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b))
        }
        (Value::Map(x), Value::Map(y)) | (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|((k, a), (l, b))| k == l && same(a, b))
        }
        _ => a == b,
    }
}

/// A value decoded under `block` must encode, and decode to itself again: the provider echoes
/// decoded values back to Terraform, which rejects any change it did not ask for.
fn assert_block_round_trip(block: &Block, value: &Value) {
    let encoded = encode_block(block, value)
        .unwrap_or_else(|e| panic!("a decoded value does not encode: {e}\nvalue: {value:?}"));
    let again = decode_block(block, &encoded)
        .unwrap_or_else(|e| panic!("an encoded value does not decode: {e}\nvalue: {value:?}"));
    assert!(
        same(value, &again),
        "decode(encode(v)) != v\nv:     {value:?}\nagain: {again:?}"
    );
    let twice = encode_block(block, &again).expect("encoding the same value again");
    assert_eq!(encoded, twice, "encoding is not deterministic");
}

pub fn assert_type_round_trip(ty: &Type, value: &Value) {
    let encoded = encode_type(ty, value)
        .unwrap_or_else(|e| panic!("a decoded value does not encode: {e}\nvalue: {value:?}"));
    let again = decode_type(ty, &encoded)
        .unwrap_or_else(|e| panic!("an encoded value does not decode: {e}\nvalue: {value:?}"));
    assert!(
        same(value, &again),
        "decode(encode(v)) != v\nv:     {value:?}\nagain: {again:?}"
    );
}

/// Msgpack as Terraform sends it (config, state, plan): decodes or fails cleanly; what decodes
/// round-trips.
pub fn check_msgpack_block(block: &Block, bytes: &[u8]) {
    match decode_block(block, bytes) {
        Ok(v) => assert_block_round_trip(block, &v),
        Err(e) => drop(e.to_string()),
    }
}

/// Raw state JSON as UpgradeResourceState gets it: what decodes must encode (the provider sends
/// it back as msgpack) and round-trip.
pub fn check_json_block(block: &Block, bytes: &[u8]) {
    match decode_json_block(block, bytes) {
        Ok(v) => {
            assert!(v.is_wholly_known(), "JSON has no unknowns: {v:?}");
            assert_block_round_trip(block, &v)
        }
        Err(e) => drop(e.to_string()),
    }
}

/// A single value (a function argument).
pub fn check_msgpack_type(ty: &Type, bytes: &[u8]) {
    match decode_type(ty, bytes) {
        Ok(v) => assert_type_round_trip(ty, &v),
        Err(e) => drop(e.to_string()),
    }
}

// ---- what a value becomes on the wire ----

/// The type of each attribute of `block`, as the codec sees it.
fn attribute_types(block: &Block) -> BTreeMap<String, Type> {
    match block_type(&Block {
        attributes: block.attributes.clone(),
        ..Block::default()
    }) {
        Type::Object(fields) => fields,
        other => unreachable!("block_type gave {other:?}"),
    }
}

/// What decoding an encoded `value` gives: missing attributes become null, null block
/// collections empty, a null group a group of nulls, and decimal text that fits i64 an int.
fn normalize_block(block: &Block, value: &Value) -> Value {
    let Value::Object(m) = value else {
        return value.clone();
    };
    let types = attribute_types(block);
    let mut out = BTreeMap::new();
    for a in &block.attributes {
        let v = m.get(&a.name).unwrap_or(&Value::Null);
        out.insert(a.name.clone(), normalize_type(&types[&a.name], v));
    }
    for nb in &block.block_types {
        let v = m.get(&nb.type_name).unwrap_or(&Value::Null);
        out.insert(nb.type_name.clone(), normalize_nested(nb, v));
    }
    Value::Object(out)
}

fn normalize_nested(nb: &NestedBlock, value: &Value) -> Value {
    match (nb.nesting, value) {
        (_, Value::Unknown) => Value::Unknown,
        (Nesting::Group, Value::Null) => empty_block(&nb.block),
        (Nesting::List, Value::Null) => Value::List(Vec::new()),
        (Nesting::Set, Value::Null) => Value::Set(Vec::new()),
        (Nesting::Map, Value::Null) => Value::Map(BTreeMap::new()),
        (Nesting::List, Value::List(items)) => Value::List(
            items
                .iter()
                .map(|v| normalize_block(&nb.block, v))
                .collect(),
        ),
        (Nesting::Set, Value::Set(items)) => Value::Set(
            items
                .iter()
                .map(|v| normalize_block(&nb.block, v))
                .collect(),
        ),
        (Nesting::Map, Value::Map(m)) => Value::Map(
            m.iter()
                .map(|(k, v)| (k.clone(), normalize_block(&nb.block, v)))
                .collect(),
        ),
        _ => normalize_block(&nb.block, value),
    }
}

fn empty_block(block: &Block) -> Value {
    let mut out = BTreeMap::new();
    for a in &block.attributes {
        out.insert(a.name.clone(), Value::Null);
    }
    for nb in &block.block_types {
        let empty = match nb.nesting {
            Nesting::Single => Value::Null,
            Nesting::Group => empty_block(&nb.block),
            Nesting::List => Value::List(Vec::new()),
            Nesting::Set => Value::Set(Vec::new()),
            Nesting::Map => Value::Map(BTreeMap::new()),
        };
        out.insert(nb.type_name.clone(), empty);
    }
    Value::Object(out)
}

fn normalize_type(ty: &Type, value: &Value) -> Value {
    match (ty, value) {
        (_, Value::Number(Number::Text(t))) => match t.parse::<i64>() {
            Ok(i) => Value::Number(Number::Int(i)),
            Err(_) => value.clone(),
        },
        (Type::List(t), Value::List(items)) => {
            Value::List(items.iter().map(|v| normalize_type(t, v)).collect())
        }
        (Type::Set(t), Value::Set(items)) => {
            Value::Set(items.iter().map(|v| normalize_type(t, v)).collect())
        }
        (Type::Map(t), Value::Map(m)) => Value::Map(
            m.iter()
                .map(|(k, v)| (k.clone(), normalize_type(t, v)))
                .collect(),
        ),
        (Type::Object(fields), Value::Object(m)) => Value::Object(
            fields
                .iter()
                .map(|(k, t)| {
                    (
                        k.clone(),
                        normalize_type(t, m.get(k).unwrap_or(&Value::Null)),
                    )
                })
                .collect(),
        ),
        _ => value.clone(),
    }
}

/// State JSON as Terraform writes it for a known value; `None` when JSON cannot say it
/// (unknowns, non-finite floats, decimal text beyond f64).
fn state_json(value: &Value) -> Option<serde_json::Value> {
    use serde_json::Value as Json;
    Some(match value {
        Value::Unknown => return None,
        Value::Null => Json::Null,
        Value::Bool(b) => Json::Bool(*b),
        Value::String(s) => Json::String(s.clone()),
        Value::Number(Number::Int(i)) => Json::from(*i),
        Value::Number(Number::Float(f)) => Json::Number(serde_json::Number::from_f64(*f)?),
        Value::Number(Number::Text(t)) => {
            Json::Number(serde_json::Number::from_f64(t.parse::<f64>().ok()?)?)
        }
        Value::List(items) | Value::Set(items) => {
            Json::Array(items.iter().map(state_json).collect::<Option<_>>()?)
        }
        Value::Map(m) | Value::Object(m) => Json::Object(
            m.iter()
                .map(|(k, v)| Some((k.clone(), state_json(v)?)))
                .collect::<Option<_>>()?,
        ),
    })
}

/// Like `same`, but numbers compare by value: JSON carries only what f64 can hold.
fn same_numbers_loosely(a: &Value, b: &Value) -> bool {
    let float = |n: &Number| match n {
        Number::Int(i) => Some(*i as f64),
        Number::Float(f) => Some(*f),
        Number::Text(t) => t.parse::<f64>().ok(),
    };
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x == y || float(x) == float(y),
        (Value::List(x), Value::List(y)) | (Value::Set(x), Value::Set(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same_numbers_loosely(a, b))
        }
        (Value::Map(x), Value::Map(y)) | (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|((k, a), (l, b))| k == l && same_numbers_loosely(a, b))
        }
        _ => a == b,
    }
}

/// A value the provider would send (generated here, or a state built from Graph): when it
/// encodes, decoding gives its normalized form, which round-trips, and the same value as state
/// JSON decodes to it too. Not the value itself: the encoder deliberately fills in what the
/// provider leaves out (null attributes, no blocks), as Terraform wants every key.
pub fn check_outgoing_block(block: &Block, value: &Value) {
    let Ok(encoded) = encode_block(block, value) else {
        return;
    };
    let decoded = decode_block(block, &encoded)
        .unwrap_or_else(|e| panic!("an encoded value does not decode: {e}\nvalue: {value:?}"));
    let expected = normalize_block(block, value);
    assert!(
        same(&decoded, &expected),
        "decode(encode(v)) is not v normalized\nv:        {value:?}\ndecoded:  {decoded:?}\nexpected: {expected:?}"
    );
    assert_block_round_trip(block, &decoded);
    if let Some(json) = state_json(&decoded) {
        let text = serde_json::to_vec(&json).expect("serializing JSON");
        let from_json = decode_json_block(block, &text)
            .unwrap_or_else(|e| panic!("state JSON does not decode: {e}\njson: {json}"));
        assert!(
            same_numbers_loosely(&from_json, &decoded),
            "JSON and msgpack decode differently\nmsgpack: {decoded:?}\njson:    {from_json:?}"
        );
    }
}

// ---- generated values ----

fn gen_string(u: &mut Unstructured) -> Result<String> {
    Ok(if u.ratio(2, 3)? {
        u.choose(crate::words::STRINGS)?.to_string()
    } else {
        u.arbitrary()?
    })
}

fn gen_number(u: &mut Unstructured) -> Result<Number> {
    Ok(match u.int_in_range(0..=5)? {
        0 => Number::Int(u.int_in_range(-3..=100)?),
        1 => Number::Int(u.arbitrary()?),
        2 => Number::Float(u.arbitrary()?),
        3 => Number::Float(u.int_in_range(-10..=10)? as f64 / 4.0),
        4 => {
            // Decimal text, mostly well-formed.
            let sign = *u.choose(&["", "-", "+"])?;
            let int: u64 = u.arbitrary()?;
            let frac = *u.choose(&["", ".5", ".", ".000001", "0"])?;
            let exp = *u.choose(&["", "e3", "E-7", "e400", "e"])?;
            Number::Text(format!("{sign}{int}{frac}{exp}"))
        }
        _ => Number::Text(u.arbitrary()?),
    })
}

/// Any value, ignoring types: what a provider bug could hand the encoder.
fn gen_any(u: &mut Unstructured, depth: u32) -> Result<Value> {
    let max = if depth == 0 { 5 } else { 8 };
    Ok(match u.int_in_range(0..=max)? {
        0 => Value::Null,
        1 => Value::Unknown,
        2 => Value::Bool(u.arbitrary()?),
        3 => Value::Number(gen_number(u)?),
        4 | 5 => Value::String(gen_string(u)?),
        6 => Value::List(gen_items(u, |u| gen_any(u, depth - 1))?),
        7 => Value::Set(gen_items(u, |u| gen_any(u, depth - 1))?),
        _ => Value::Object(gen_entries(u, |u| gen_any(u, depth - 1))?),
    })
}

fn gen_items(
    u: &mut Unstructured,
    mut f: impl FnMut(&mut Unstructured) -> Result<Value>,
) -> Result<Vec<Value>> {
    let n = u.int_in_range(0..=3)?;
    (0..n).map(|_| f(u)).collect()
}

fn gen_entries(
    u: &mut Unstructured,
    mut f: impl FnMut(&mut Unstructured) -> Result<Value>,
) -> Result<BTreeMap<String, Value>> {
    let n = u.int_in_range(0..=3)?;
    (0..n).map(|_| Ok((gen_string(u)?, f(u)?))).collect()
}

/// Null or unknown now and then, a value of the wrong type rarely, else a value of `ty`.
pub fn gen_type(u: &mut Unstructured, ty: &Type, depth: u32) -> Result<Value> {
    match u.int_in_range(0..=31)? {
        0..=2 => return Ok(Value::Null),
        3 => return Ok(Value::Unknown),
        4 => return gen_any(u, depth.min(2)),
        _ => {}
    }
    let depth = depth.saturating_sub(1);
    Ok(match ty {
        Type::String => Value::String(gen_string(u)?),
        Type::Number => Value::Number(gen_number(u)?),
        Type::Bool => Value::Bool(u.arbitrary()?),
        Type::List(t) => Value::List(gen_items(u, |u| gen_type(u, t, depth))?),
        Type::Set(t) => Value::Set(gen_items(u, |u| gen_type(u, t, depth))?),
        Type::Map(t) => Value::Map(gen_entries(u, |u| gen_type(u, t, depth))?),
        Type::Object(fields) => {
            let mut m = BTreeMap::new();
            for (name, t) in fields {
                if u.ratio(7, 8)? {
                    m.insert(name.clone(), gen_type(u, t, depth)?);
                }
            }
            Value::Object(m)
        }
    })
}

/// A value for `block`: mostly an object with (most of) its attributes and blocks.
pub fn gen_block(u: &mut Unstructured, block: &Block, depth: u32) -> Result<Value> {
    match u.int_in_range(0..=31)? {
        0 => return Ok(Value::Null),
        1 => return Ok(Value::Unknown),
        2 => return gen_any(u, 2),
        _ => {}
    }
    let types = attribute_types(block);
    let mut m = BTreeMap::new();
    for a in &block.attributes {
        if u.ratio(7, 8)? {
            m.insert(a.name.clone(), gen_type(u, &types[&a.name], depth)?);
        }
    }
    for nb in &block.block_types {
        if u.ratio(7, 8)? {
            m.insert(nb.type_name.clone(), gen_nested(u, nb, depth)?);
        }
    }
    if u.ratio(1, 64)? {
        m.insert(gen_string(u)?, Value::Null);
    }
    Ok(Value::Object(m))
}

fn gen_nested(u: &mut Unstructured, nb: &NestedBlock, depth: u32) -> Result<Value> {
    let depth = depth.saturating_sub(1);
    if u.ratio(1, 16)? {
        return Ok(Value::Unknown);
    }
    Ok(match nb.nesting {
        Nesting::Single | Nesting::Group => gen_block(u, &nb.block, depth)?,
        // Mostly at most one element: most blocks are written once.
        Nesting::List => {
            let n = if u.ratio(3, 4)? {
                u.int_in_range(0..=1)?
            } else {
                u.int_in_range(0..=3)?
            };
            Value::List(
                (0..n)
                    .map(|_| gen_block(u, &nb.block, depth))
                    .collect::<Result<_>>()?,
            )
        }
        Nesting::Set => Value::Set(gen_items(u, |u| gen_block(u, &nb.block, depth))?),
        Nesting::Map => Value::Map(gen_entries(u, |u| gen_block(u, &nb.block, depth))?),
    })
}
