//! Plan behaviour declared on attributes (`Attribute::default_value`, `requires_replace`,
//! `unknown_on_change`), applied by the plugin layer to every resource around its own `plan`,
//! so that a resource's planning holds only what is special to it. Computed attributes need no
//! declaration: unknown on create, the prior value on update (Terraform's proposed state
//! already carries it), unknown on a change when they say so.

use super::diag::AttrPath;
use super::resource::{PlanRequest, Planned};
use super::schema::{Block, Mode};
use super::value::Value;

/// A resource's own planning, `plan`, with what its schema declares around it: as
/// PlanResourceChange runs it, and as the resources' unit tests do.
pub fn with_schema<E>(
    block: &Block,
    req: &PlanRequest<'_>,
    plan: impl FnOnce(&PlanRequest<'_>) -> Result<Planned, E>,
) -> Result<Planned, E> {
    let mut proposed = req.proposed.clone();
    defaults(block, req.config, &mut proposed);
    let mut planned = plan(&PlanRequest {
        prior: req.prior,
        config: req.config,
        proposed: &proposed,
    })?;
    for path in computed_and_replacements(block, req.prior, &mut planned.state) {
        if !planned.requires_replace.contains(&path) {
            planned.requires_replace.push(path);
        }
    }
    Ok(planned)
}

/// Before the resource plans: declared defaults where the configuration leaves an optional
/// attribute unset, at every depth of the blocks the configuration writes.
fn defaults(block: &Block, config: &Value, planned: &mut Value) {
    let Value::Object(p) = planned else { return };
    for a in &block.attributes {
        if let Some(default) = &a.plan.default {
            if config.get(&a.name).is_null() {
                p.insert(a.name.clone(), default.clone());
            }
        }
    }
    for nb in &block.block_types {
        let configured = config.get(&nb.type_name).elements().to_vec();
        if let Some(Value::List(items) | Value::Set(items)) = p.get_mut(&nb.type_name) {
            for (item, cfg) in items.iter_mut().zip(configured.iter()) {
                defaults(&nb.block, cfg, item);
            }
        }
    }
}

/// After the resource planned: computed attributes Graph sets are unknown on create, and those
/// declared `unknown_on_change` are unknown when anything the user writes changes; returns the
/// attributes declared `requires_replace` whose value changes.
fn computed_and_replacements(block: &Block, prior: &Value, planned: &mut Value) -> Vec<AttrPath> {
    let creating = prior.is_null();
    let changed = !creating && configurable_differs(block, prior, planned);
    let mut replace = Vec::new();
    let Value::Object(p) = planned else {
        return replace;
    };
    for a in &block.attributes {
        let now = p.get(&a.name).cloned().unwrap_or(Value::Null);
        if a.mode == Mode::Computed && now.is_null() && creating {
            p.insert(a.name.clone(), Value::Unknown);
        }
        if a.mode == Mode::Computed && changed && a.plan.unknown_on_change {
            p.insert(a.name.clone(), Value::Unknown);
        }
        if a.plan.requires_replace && !creating && !same(&now, prior.get(&a.name)) {
            replace.push(AttrPath::root(&a.name));
        }
    }
    replace
}

/// Whether an attribute or block the user can write differs between prior and planned.
fn configurable_differs(block: &Block, prior: &Value, planned: &Value) -> bool {
    block
        .attributes
        .iter()
        .filter(|a| a.mode != Mode::Computed)
        .any(|a| !same(planned.get(&a.name), prior.get(&a.name)))
        || block
            .block_types
            .iter()
            .any(|nb| !same(planned.get(&nb.type_name), prior.get(&nb.type_name)))
}

/// Equality as Terraform sees it: set elements in any order, a missing key equal to null.
pub fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Set(x), Value::Set(y)) => {
            x.len() == y.len()
                && x.iter().all(|e| y.iter().any(|f| same(e, f)))
                && y.iter().all(|f| x.iter().any(|e| same(e, f)))
        }
        (Value::List(x), Value::List(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(e, f)| same(e, f))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.keys().chain(y.keys()).all(|k| same(a.get(k), b.get(k)))
        }
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plugin::schema::{Attribute, NestedBlock, Type};

    fn block() -> Block {
        Block {
            attributes: vec![
                Attribute::new("id", Type::String, Mode::Computed, ""),
                Attribute::new("modified", Type::String, Mode::Computed, "").unknown_on_change(),
                Attribute::new("name", Type::String, Mode::Required, ""),
                Attribute::new("kind", Type::String, Mode::Required, "").requires_replace(),
                Attribute::new("state", Type::String, Mode::OptionalComputed, "")
                    .default_value(Value::string("enabled")),
            ],
            block_types: vec![NestedBlock::once(
                "ip",
                vec![
                    Attribute::new("trusted", Type::Bool, Mode::OptionalComputed, "")
                        .default_value(Value::Bool(false)),
                ],
                vec![],
                "",
            )],
            description: String::new(),
        }
    }

    fn object(pairs: &[(&str, Value)]) -> Value {
        Value::Object(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
        )
    }

    #[test]
    fn defaults_fill_what_the_configuration_leaves_unset_at_every_depth() {
        let config = object(&[
            ("name", Value::string("a")),
            ("state", Value::Null),
            ("ip", Value::List(vec![object(&[("trusted", Value::Null)])])),
        ]);
        let mut planned = config.clone();
        defaults(&block(), &config, &mut planned);
        assert_eq!(planned.get("state"), &Value::string("enabled"));
        assert_eq!(planned.block("ip").get("trusted"), &Value::Bool(false));
        let config = object(&[("state", Value::string("disabled"))]);
        let mut planned = config.clone();
        defaults(&block(), &config, &mut planned);
        assert_eq!(
            planned.get("state"),
            &Value::string("disabled"),
            "the user's value stays"
        );
    }

    #[test]
    fn computed_values_are_unknown_on_create_and_on_a_change_when_declared() {
        let mut created = object(&[("name", Value::string("a")), ("kind", Value::string("ip"))]);
        assert!(computed_and_replacements(&block(), &Value::Null, &mut created).is_empty());
        assert_eq!(created.get("id"), &Value::Unknown);
        assert_eq!(created.get("modified"), &Value::Unknown);

        let prior = object(&[
            ("id", Value::string("1")),
            ("modified", Value::string("t1")),
            ("name", Value::string("a")),
            ("kind", Value::string("ip")),
        ]);
        let mut same_plan = prior.clone();
        assert!(computed_and_replacements(&block(), &prior, &mut same_plan).is_empty());
        assert_eq!(same_plan, prior, "nothing changes: nothing unknown");

        let mut renamed = prior.clone();
        if let Value::Object(m) = &mut renamed {
            m.insert("name".into(), Value::string("b"));
        }
        assert!(computed_and_replacements(&block(), &prior, &mut renamed).is_empty());
        assert_eq!(renamed.get("modified"), &Value::Unknown);
        assert_eq!(renamed.get("id"), &Value::string("1"));

        let mut rekinded = prior.clone();
        if let Value::Object(m) = &mut rekinded {
            m.insert("kind".into(), Value::string("country"));
        }
        let replace = computed_and_replacements(&block(), &prior, &mut rekinded);
        assert_eq!(replace, vec![AttrPath::root("kind")]);
    }

    #[test]
    fn sets_compare_in_any_order_and_missing_keys_as_null() {
        let set = |v: &[&str]| Value::Set(v.iter().map(|s| Value::string(*s)).collect());
        assert!(same(&set(&["a", "b"]), &set(&["b", "a"])));
        assert!(!same(&set(&["a"]), &set(&["a", "b"])));
        assert!(same(&object(&[("x", Value::Null)]), &object(&[])));
    }
}
