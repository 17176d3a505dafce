//! Shared code of the fuzz targets (see "Fuzzing" in the README): the schemas and checks of the
//! value codec, the Graph mapping code each kind of Graph document goes through, and
//! generators of schema-shaped values and Graph-shaped JSON for the structure-aware targets.

pub mod codec;
pub mod graph;
pub mod shapes;
pub mod words;

use arbitrary::{Result, Unstructured};
use terraform_provider_entra::plugin::codec::{
    decode_block, decode_type, encode_block, encode_type,
};
use terraform_provider_entra::plugin::value::Value;

/// What Terraform would send for a generated value of `block`: the value decoded again, or null
/// when it does not encode (Terraform never sends such a value).
fn as_sent(block: &terraform_provider_entra::plugin::schema::Block, v: &Value) -> Value {
    encode_block(block, v)
        .ok()
        .and_then(|bytes| decode_block(block, &bytes).ok())
        .unwrap_or(Value::Null)
}

/// One structure-aware codec case: a value generated for a schema, a type, or the arguments of
/// a provider function.
pub fn codec_structured(u: &mut Unstructured) -> Result<()> {
    let schemas = codec::schemas();
    match u.int_in_range(0..=5)? {
        0..=3 => {
            let (name, block) = u.choose(&schemas.blocks)?;
            let v = codec::gen_block(u, block, 4)?;
            codec::check_outgoing_block(block, &v);
            schemas.validate(name, &as_sent(block, &v));
        }
        4 => {
            let (_, ty) = u.choose(&schemas.types)?;
            let v = codec::gen_type(u, ty, 5)?;
            if let Ok(bytes) = encode_type(ty, &v) {
                let decoded = decode_type(ty, &bytes).unwrap_or_else(|e| {
                    panic!("an encoded value does not decode: {e}\nvalue: {v:?}")
                });
                codec::assert_type_round_trip(ty, &decoded);
            }
        }
        _ => {
            // Arguments as the server hands them over: decoded under the parameter types.
            let provider = graph::provider();
            let functions =
                terraform_provider_entra::plugin::resource::Provider::functions(provider);
            let f = u.choose(&functions)?;
            let mut args = Vec::new();
            for (_, ty, _) in f.signature().parameters {
                let v = codec::gen_type(u, &ty, 6)?;
                let Ok(bytes) = encode_type(&ty, &v) else {
                    return Ok(());
                };
                match decode_type(&ty, &bytes) {
                    Ok(v) if !v.is_null() => args.push(v),
                    _ => return Ok(()),
                }
            }
            graph::call_function(f.name(), &args);
        }
    }
    Ok(())
}

/// One structure-aware Graph case: a Graph-shaped document of some kind and, where the code
/// reads one, a prior state (or configuration) as Terraform would send it.
pub fn graph_structured(u: &mut Unstructured) -> Result<()> {
    let kind = *u.choose(graph::KINDS)?;
    let doc = shapes::gen_doc(u, kind)?;
    let prior = match kind.prior_schema() {
        None => Value::Null,
        Some(schema) => match u.int_in_range(0..=2)? {
            0 => Value::Null,
            // The state of an earlier read: another document of the same kind.
            1 => graph::state_of(kind, &shapes::gen_doc(u, kind)?),
            _ => {
                let block = codec::schemas().block(schema);
                as_sent(block, &codec::gen_block(u, block, 4)?)
            }
        },
    };
    graph::exercise(kind, &doc, &prior);
    Ok(())
}
