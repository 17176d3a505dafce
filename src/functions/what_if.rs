//! `provider::entra::what_if(policies, sign_in)`: the what-if evaluation of
//! `entra_conditional_access_what_if`, on policies straight from the configuration, so that a
//! `check {}` block can assert before apply that, say, a break-glass account is never blocked.
//! Named locations are not passed in: location conditions naming one are reported as caveats.

use crate::data_sources::conditional_access_what_if as what_if;
use crate::plugin::codec;
use crate::plugin::resource::{Function, FunctionError, Signature};
use crate::plugin::schema::{AttributeType, Mode, Type};
use crate::plugin::value::Value;
use crate::resources::conditional_access_policy::{as_graph, schema::schema as policy_schema};
use crate::whatif::evaluate;
use std::collections::BTreeMap;

/// `what_if(policies, sign_in)`.
pub struct WhatIf;

/// The data source's outputs, as one object.
fn outcome_type() -> Type {
    let fields = what_if::schema()
        .block
        .attributes
        .into_iter()
        .filter(|a| a.mode == Mode::Computed)
        .filter_map(|a| match a.ty {
            AttributeType::Plain(t) => Some((a.name, t)),
            AttributeType::Nested { .. } => None,
        })
        .collect::<BTreeMap<_, _>>();
    Type::Object(fields)
}

/// The `sign_in` map as the data source's configuration: same attribute names, the two id lists
/// written comma-separated and `agent_user` as `"true"` or `"false"` (a map holds only strings;
/// Terraform converts `agent_user = true` in a map of strings to `"true"`).
fn sign_in_config(map: &Value) -> Result<Value, FunctionError> {
    let schema = what_if::schema();
    let inputs: Vec<_> = schema
        .block
        .attributes
        .iter()
        .filter(|a| a.mode == Mode::Optional)
        .collect();
    let Value::Map(entries) = map else {
        return Err(FunctionError {
            text: "sign_in must be a map of strings".into(),
            argument: Some(1),
        });
    };
    if let Some(unknown) = entries
        .keys()
        .find(|k| !inputs.iter().any(|a| &a.name == *k))
    {
        let names: Vec<&str> = inputs.iter().map(|a| a.name.as_str()).collect();
        return Err(FunctionError {
            text: format!("sign_in has no key {unknown:?}; use: {}", names.join(", ")),
            argument: Some(1),
        });
    }
    let mut fields = BTreeMap::new();
    for a in inputs {
        let value = match (entries.get(&a.name), &a.ty) {
            (None, _) => Value::Null,
            (Some(Value::String(s)), AttributeType::Plain(Type::Set(_))) => {
                Value::string_set(s.split(',').map(str::trim).filter(|x| !x.is_empty()))
            }
            (Some(Value::String(s)), AttributeType::Plain(Type::Bool)) => match s.as_str() {
                "true" => Value::Bool(true),
                "false" => Value::Bool(false),
                _ => {
                    return Err(FunctionError {
                        text: format!(
                            "sign_in.{} must be \"true\" or \"false\", not {s:?}",
                            a.name
                        ),
                        argument: Some(1),
                    })
                }
            },
            (Some(v), _) => v.clone(),
        };
        fields.insert(a.name.clone(), value);
    }
    Ok(Value::Object(fields))
}

impl Function for WhatIf {
    fn name(&self) -> &'static str {
        "what_if"
    }

    fn signature(&self) -> Signature {
        Signature {
            parameters: vec![
                ("policies", Type::list(codec::block_type(&policy_schema().block)), "Conditional Access policies, e.g. `[entra_conditional_access_policy.s1, entra_conditional_access_policy.s2]`."),
                ("sign_in", Type::map(Type::String), "The sign-in, with the input names of data source `entra_conditional_access_what_if`; `group_ids` and `role_ids` comma-separated, `agent_user` `true` or `false`."),
            ],
            returns: outcome_type(),
            summary: "Which Conditional Access policies apply to a sign-in, and the outcome.",
            description: "Evaluates the given policies offline against a described sign-in, with the same engine and outputs as data source `entra_conditional_access_what_if`.",
        }
    }

    fn call(&self, args: &[Value]) -> Result<Value, FunctionError> {
        // At plan time new policies have unknown ids and timestamps, which do not matter here;
        // but an unknown condition or control could change the answer, so the answer waits.
        let decisive = [
            "display_name",
            "state",
            "conditions",
            "grant_controls",
            "session_controls",
        ];
        let known = |p: &Value| decisive.iter().all(|k| p.get(k).is_wholly_known());
        if args[0].is_unknown()
            || !args[0].elements().iter().all(known)
            || !args[1].is_wholly_known()
        {
            return Ok(Value::Unknown);
        }
        let config = sign_in_config(&args[1])?;
        let diags = what_if::validate(&config);
        if diags.has_errors() {
            return Err(FunctionError {
                text: diags.to_string().trim().to_string(),
                argument: Some(1),
            });
        }
        let policies: Vec<_> = args[0].elements().iter().map(as_graph).collect();
        let outcome = evaluate(&policies, &[], &what_if::sign_in(&config));
        let state = what_if::state(&config, &outcome);
        let Type::Object(fields) = outcome_type() else {
            unreachable!("outcome_type is an object")
        };
        Ok(Value::Object(
            fields
                .keys()
                .map(|k| (k.clone(), state.get(k).clone()))
                .collect(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GUID: &str = "6b1f0e2a-3c4d-4e5f-8a9b-0c1d2e3f4a5b";

    fn sign_in(pairs: &[(&str, &str)]) -> Value {
        Value::Map(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), Value::string(*v)))
                .collect(),
        )
    }

    #[test]
    fn agent_user_is_read_from_its_string() {
        let config = sign_in_config(&sign_in(&[
            ("user_id", GUID),
            ("application_id", GUID),
            ("agent_user", "true"),
        ]))
        .unwrap();
        assert_eq!(config.get("agent_user"), &Value::Bool(true));
        assert!(what_if::sign_in(&config).agent_user);
        let err = sign_in_config(&sign_in(&[("agent_user", "yes")])).unwrap_err();
        assert_eq!(err.argument, Some(1));
        assert!(err.text.contains("agent_user"), "{}", err.text);
    }

    #[test]
    fn an_agent_sign_in_is_evaluated_and_validated() {
        let agent = sign_in(&[
            ("agent_id", GUID),
            ("agent_risk", "high"),
            ("application_id", GUID),
        ]);
        let out = WhatIf.call(&[Value::List(vec![]), agent]).unwrap();
        assert_eq!(out.get("blocked"), &Value::Bool(false));
        let with_user = sign_in(&[
            ("agent_id", GUID),
            ("agent_user", "true"),
            ("application_id", GUID),
        ]);
        let err = WhatIf.call(&[Value::List(vec![]), with_user]).unwrap_err();
        assert_eq!(err.argument, Some(1));
        assert!(
            err.text
                .contains("agent_user does not apply to an agent identity"),
            "{}",
            err.text
        );
    }
}
