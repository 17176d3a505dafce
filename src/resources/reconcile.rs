//! Keeping the user's form when Graph's answer means the same thing. Graph returns `[]` where the
//! configuration had nothing, `null` objects where it had an empty block, keywords in another case,
//! GUIDs in upper case; Terraform would show each as a change forever. `reconcile` builds the
//! state from Graph's value but keeps the prior (configured) value wherever the two are equivalent.

use crate::plugin::schema::{AttributeType, Block, Type};
use crate::plugin::value::Value;

/// What "equivalent" means for one resource, beyond the defaults below.
pub trait Rules {
    /// Attributes (dotted path without indices, e.g. `conditions.users.included_users`) whose
    /// strings compare case-insensitively: object ids and Graph keywords.
    fn case_insensitive(&self, path: &str) -> bool;

    /// Extra equivalences for one attribute; `None` falls back to the defaults.
    fn equivalent(&self, _path: &str, _new: &Value, _prior: &Value) -> Option<bool> {
        None
    }

    /// Whether a block element carries no setting, so that it is the same as no block.
    fn empty_block(&self, path: &str, block: &Block, v: &Value) -> bool {
        is_empty_block(self, path, block, v)
    }
}

/// A value that says nothing: null, empty string, false, zero, or an empty collection.
pub fn is_blank(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Bool(b) => !b,
        Value::Number(n) => n.as_i64() == Some(0),
        Value::List(l) | Value::Set(l) => l.is_empty(),
        Value::Map(m) => m.is_empty(),
        Value::Object(_) | Value::Unknown => false,
    }
}

/// Every attribute blank and every nested block empty.
pub fn is_empty_block<R: Rules + ?Sized>(rules: &R, path: &str, block: &Block, v: &Value) -> bool {
    block.attributes.iter().all(|a| is_blank(v.get(&a.name)))
        && block.block_types.iter().all(|nb| {
            let p = join(path, &nb.type_name);
            v.get(&nb.type_name)
                .elements()
                .iter()
                .all(|e| rules.empty_block(&p, &nb.block, e))
        })
}

fn join(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_string()
    } else {
        format!("{path}.{name}")
    }
}

fn strings_equal(a: &[Value], b: &[Value], fold_case: bool) -> bool {
    let norm = |v: &[Value]| {
        let mut s: Vec<String> = v
            .iter()
            .map(|x| match x.as_str() {
                Some(s) if fold_case => s.to_lowercase(),
                Some(s) => s.to_string(),
                None => format!("{x:?}"),
            })
            .collect();
        s.sort();
        s.dedup();
        s
    };
    norm(a) == norm(b)
}

fn leaf_equivalent<R: Rules + ?Sized>(
    rules: &R,
    path: &str,
    ty: &Type,
    new: &Value,
    prior: &Value,
) -> bool {
    if let Some(answer) = rules.equivalent(path, new, prior) {
        return answer;
    }
    if is_blank(new) && is_blank(prior) {
        return true;
    }
    let fold = rules.case_insensitive(path);
    match (ty, new, prior) {
        (_, Value::String(a), Value::String(b)) => a == b || (fold && a.eq_ignore_ascii_case(b)),
        (Type::Set(_), Value::Set(a) | Value::List(a), Value::Set(b) | Value::List(b)) => {
            strings_equal(a, b, fold)
        }
        (Type::Number, Value::Number(a), Value::Number(b)) => {
            a.as_i64().is_some() && a.as_i64() == b.as_i64()
        }
        _ => new == prior,
    }
}

/// The state for Graph's value `new`, keeping `prior`'s form of every equivalent attribute.
pub fn reconcile<R: Rules + ?Sized>(
    rules: &R,
    block: &Block,
    path: &str,
    new: &Value,
    prior: &Value,
) -> Value {
    let (Value::Object(new_map), Value::Object(prior_map)) = (new, prior) else {
        return new.clone();
    };
    let mut out = new_map.clone();
    for a in &block.attributes {
        let p = join(path, &a.name);
        let (n, o) = (new.get(&a.name), prior.get(&a.name));
        let same = match &a.ty {
            AttributeType::Plain(ty) => leaf_equivalent(rules, &p, ty, n, o),
            AttributeType::Nested { .. } => n == o,
        };
        if same {
            out.insert(a.name.clone(), o.clone());
        }
    }
    for nb in &block.block_types {
        // A block neither side has (the `timeouts` the resource never reads) stays absent.
        if !new_map.contains_key(&nb.type_name) && !prior_map.contains_key(&nb.type_name) {
            continue;
        }
        let p = join(path, &nb.type_name);
        let meaningful = |v: &Value| -> Vec<Value> {
            v.elements()
                .iter()
                .filter(|e| !rules.empty_block(&p, &nb.block, e))
                .cloned()
                .collect()
        };
        let (n, o) = (
            meaningful(new.get(&nb.type_name)),
            meaningful(prior.get(&nb.type_name)),
        );
        let merged = match (n.as_slice(), o.as_slice()) {
            ([], []) => prior.get(&nb.type_name).clone(),
            ([one_new], [one_prior]) => {
                let element = reconcile(rules, &nb.block, &p, one_new, one_prior);
                Value::List(vec![element])
            }
            _ => new.get(&nb.type_name).clone(),
        };
        out.insert(nb.type_name.clone(), merged);
    }
    Value::Object(out)
}

/// Equality as Terraform sees it (the plugin layer's, which plans with it too).
pub use crate::plugin::plan::same;

/// Marks as unknown every optional+computed attribute the configuration leaves unset and that
/// has no prior value: the provider learns it from Graph during apply.
pub fn unknown_where_unset(block: &Block, config: &Value, planned: &mut Value) {
    let Value::Object(p) = planned else { return };
    for a in &block.attributes {
        if a.mode == crate::plugin::schema::Mode::OptionalComputed
            && config.get(&a.name).is_null()
            && p.get(&a.name).is_none_or(Value::is_null)
        {
            p.insert(a.name.clone(), Value::Unknown);
        }
    }
    for nb in &block.block_types {
        let configured = config.get(&nb.type_name).elements().to_vec();
        if let Some(Value::List(items) | Value::Set(items)) = p.get_mut(&nb.type_name) {
            for (item, cfg) in items.iter_mut().zip(configured.iter()) {
                unknown_where_unset(&nb.block, cfg, item);
            }
        }
    }
}

/// After an apply, Terraform requires every planned value back unchanged; only the values it did
/// not know (computed ones) are filled in, from what Graph answered.
pub fn fill_unknowns(planned: &Value, from_graph: &Value) -> Value {
    match planned {
        Value::Unknown => match from_graph {
            Value::Unknown => Value::Null,
            other => other.clone(),
        },
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| (k.clone(), fill_unknowns(v, from_graph.get(k))))
                .collect(),
        ),
        Value::List(items) => Value::List(
            items
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    fill_unknowns(v, from_graph.elements().get(i).unwrap_or(&Value::Null))
                })
                .collect(),
        ),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plugin::schema::{Attribute, Mode, NestedBlock, Nesting};

    struct Ids;
    impl Rules for Ids {
        fn case_insensitive(&self, path: &str) -> bool {
            path.ends_with("ids")
        }
    }

    fn schema() -> Block {
        Block {
            attributes: vec![
                Attribute::new("name", Type::String, Mode::Required, ""),
                Attribute::new("ids", Type::set(Type::String), Mode::Optional, ""),
                Attribute::new("flag", Type::Bool, Mode::Optional, ""),
            ],
            block_types: vec![NestedBlock {
                type_name: "inner".into(),
                block: Block {
                    attributes: vec![Attribute::new(
                        "ids",
                        Type::set(Type::String),
                        Mode::Optional,
                        "",
                    )],
                    ..Default::default()
                },
                nesting: Nesting::List,
                min_items: 0,
                max_items: 1,
            }],
            description: String::new(),
        }
    }

    fn obj(name: &str, ids: Value, flag: Value, inner: Value) -> Value {
        Value::object([
            ("name", Value::string(name)),
            ("ids", ids),
            ("flag", flag),
            ("inner", inner),
        ])
    }

    #[test]
    fn equivalent_forms_keep_the_prior_value() {
        let prior = obj(
            "a",
            Value::string_set(["AbC"]),
            Value::Null,
            Value::List(vec![]),
        );
        let graph = obj(
            "a",
            Value::string_set(["abc"]),
            Value::Bool(false),
            Value::List(vec![Value::object([("ids", Value::Set(vec![]))])]),
        );
        assert_eq!(reconcile(&Ids, &schema(), "", &graph, &prior), prior);
    }

    #[test]
    fn real_changes_come_from_graph() {
        let prior = obj(
            "a",
            Value::string_set(["x"]),
            Value::Null,
            Value::List(vec![]),
        );
        let graph = obj(
            "b",
            Value::string_set(["x", "y"]),
            Value::Bool(true),
            Value::List(vec![]),
        );
        assert_eq!(reconcile(&Ids, &schema(), "", &graph, &prior), graph);
    }

    #[test]
    fn names_are_case_sensitive() {
        let prior = obj("Policy", Value::Null, Value::Null, Value::List(vec![]));
        let graph = obj("policy", Value::Null, Value::Null, Value::List(vec![]));
        assert_eq!(
            reconcile(&Ids, &schema(), "", &graph, &prior).get("name"),
            &Value::string("policy")
        );
    }

    #[test]
    fn unknowns_are_filled_and_known_values_kept() {
        let planned = Value::object([("id", Value::Unknown), ("name", Value::string("mine"))]);
        let graph = Value::object([
            ("id", Value::string("g")),
            ("name", Value::string("theirs")),
        ]);
        assert_eq!(
            fill_unknowns(&planned, &graph),
            Value::object([("id", Value::string("g")), ("name", Value::string("mine"))])
        );
    }
}
