//! The pure mapping of a strength between Terraform's state and Graph: request bodies, the
//! state for what Graph holds (in the user's form where equivalent), the plan, and the
//! plan-time warning when a change removes combinations policies rely on.

use super::validate::normalize_combination;
use super::{schema, FIDO2, FIDO2_TYPE, X509, X509_TYPE};
use crate::graph::models::{
    AuthenticationStrengthPolicy, CombinationConfiguration, PolicyReferences,
};
use crate::plugin::diag::Diagnostics;
use crate::plugin::resource::{PlanRequest, Planned};
use crate::plugin::value::Value;
use crate::resources::conditional_access_policy::vocabulary::AUTH_STRENGTH_PATH;
use crate::resources::reconcile::{reconcile, Rules};
use serde_json::{json, Value as Json};

/// The combinations as Graph's request bodies carry them.
pub(super) fn combinations_json(state: &Value) -> Vec<String> {
    state
        .get("allowed_combinations")
        .strs()
        .into_iter()
        .map(normalize_combination)
        .collect()
}

/// The POST body of a new strength.
pub fn create_body(state: &Value) -> Json {
    json!({
        "displayName": state.get("display_name").as_str(),
        "description": state.get("description").as_str(),
        "allowedCombinations": combinations_json(state),
    })
}

/// The combination configuration bodies a state asks for, by block name.
pub fn configuration_bodies(state: &Value) -> Vec<(&'static str, Json)> {
    let mut out = Vec::new();
    let fido2 = state.block(FIDO2);
    if !fido2.is_null() {
        out.push((
            FIDO2,
            json!({
                "@odata.type": FIDO2_TYPE,
                "allowedAAGUIDs": fido2.get("allowed_aaguids").strs(),
                "appliesToCombinations": ["fido2"],
            }),
        ));
    }
    let x509 = state.block(X509);
    if !x509.is_null() {
        out.push((
            X509,
            json!({
                "@odata.type": X509_TYPE,
                "allowedIssuerSkis": x509.get("allowed_issuer_skis").strs(),
                "allowedPolicyOIDs": x509.get("allowed_policy_oids").strs(),
                "appliesToCombinations": x509.get("applies_to_combinations").strs(),
            }),
        ));
    }
    out
}

/// Which block a configuration from Graph belongs to.
fn block_of(c: &CombinationConfiguration) -> Option<&'static str> {
    match c.odata_type.as_deref() {
        Some(t) if t.ends_with("fido2CombinationConfiguration") => Some(FIDO2),
        Some(t) if t.ends_with("x509CertificateCombinationConfiguration") => Some(X509),
        Some(_) => None,
        None if c.allowed_aaguids.is_some() => Some(FIDO2),
        None => Some(X509),
    }
}

/// A configuration's list; none or an empty one is unset, as a configuration that leaves the
/// attribute out has it.
fn strings(v: &Option<Vec<String>>) -> Value {
    match v {
        Some(items) if !items.is_empty() => {
            Value::string_set(items.iter().map(|s| s.trim().to_string()))
        }
        _ => Value::Null,
    }
}

/// The state for a strength and its configurations as Graph holds them.
pub fn from_graph(p: &AuthenticationStrengthPolicy, configs: &[CombinationConfiguration]) -> Value {
    let block = |name: &str| {
        // One block of each kind, as in azuread; a second one made in the portal is not shown.
        let items: Vec<Value> = configs
            .iter()
            .filter(|c| block_of(c) == Some(name))
            .take(1)
            .map(|c| {
                let applies = Value::string_set(
                    c.applies_to_combinations
                        .iter()
                        .map(|s| s.trim().to_string()),
                );
                if name == FIDO2 {
                    Value::object([
                        ("allowed_aaguids", strings(&c.allowed_aaguids)),
                        ("id", Value::string(&c.id)),
                    ])
                } else {
                    Value::object([
                        ("applies_to_combinations", applies),
                        ("allowed_issuer_skis", strings(&c.allowed_issuer_skis)),
                        ("allowed_policy_oids", strings(&c.allowed_policy_oids)),
                        ("id", Value::string(&c.id)),
                    ])
                }
            })
            .collect();
        Value::List(items)
    };
    Value::object([
        ("id", Value::string(format!("{AUTH_STRENGTH_PATH}{}", p.id))),
        ("object_id", Value::string(&p.id)),
        ("display_name", Value::opt_string(p.display_name.clone())),
        ("description", Value::opt_string(p.description.clone())),
        (
            "allowed_combinations",
            Value::string_set(p.allowed_combinations.iter().cloned()),
        ),
        (FIDO2, block(FIDO2)),
        (X509, block(X509)),
    ])
}

pub(super) fn normalized_set(v: &Value) -> Vec<String> {
    let mut s: Vec<String> = v.strs().into_iter().map(normalize_combination).collect();
    s.sort();
    s.dedup();
    s
}

pub(super) struct StrengthRules;

impl Rules for StrengthRules {
    fn case_insensitive(&self, path: &str) -> bool {
        path.ends_with("allowed_aaguids") || path.ends_with("allowed_issuer_skis")
    }

    fn equivalent(&self, path: &str, new: &Value, prior: &Value) -> Option<bool> {
        if path == "allowed_combinations" || path.ends_with("applies_to_combinations") {
            return Some(normalized_set(new) == normalized_set(prior));
        }
        // No list and an empty one are the same to Graph: keep the form the user wrote.
        let lists = [
            "allowed_aaguids",
            "allowed_issuer_skis",
            "allowed_policy_oids",
        ];
        let empty = |v: &Value| !v.is_unknown() && v.elements().is_empty();
        (lists.iter().any(|l| path.ends_with(l)) && empty(new) && empty(prior)).then_some(true)
    }
}

/// The state for Graph's strength and its configurations, in the user's form (`prior`) wherever
/// the two are equivalent.
pub fn state_from_graph(
    p: &AuthenticationStrengthPolicy,
    configs: &[CombinationConfiguration],
    prior: &Value,
) -> Value {
    reconcile(
        &StrengthRules,
        &schema().block,
        "",
        &from_graph(p, configs),
        prior,
    )
}

/// The state an import of `p` ends with (export writes configuration from it).
pub fn imported_state(
    p: &AuthenticationStrengthPolicy,
    configs: &[CombinationConfiguration],
) -> Value {
    state_from_graph(p, configs, &adopted(&p.id))
}

pub(super) fn set(v: &mut Value, key: &str, value: Value) {
    if let Value::Object(m) = v {
        m.insert(key.into(), value);
    }
}

/// The configuration id the prior state has for block `name`, if any.
pub(super) fn prior_config_id<'a>(prior: &'a Value, name: &str) -> Option<&'a str> {
    prior.block(name).get("id").as_str()
}

/// The configuration, with each configuration block keeping its Graph id while it stays (unknown
/// for a new one).
pub fn plan(req: &PlanRequest<'_>) -> Planned {
    let mut planned = req.proposed.clone();
    // A configuration keeps its id while its block stays (it is updated in place).
    for name in [FIDO2, X509] {
        let id = prior_config_id(req.prior, name)
            .map(Value::string)
            .unwrap_or(Value::Unknown);
        if let Value::Object(m) = &mut planned {
            if let Some(Value::List(items)) = m.get_mut(name) {
                if let Some(element) = items.first_mut() {
                    set(element, "id", id);
                }
            }
        }
    }
    Planned {
        state: planned,
        requires_replace: vec![],
    }
}

/// Combinations the prior state allows and the planned one no longer does (Graph's form).
pub fn removed_combinations(prior: &Value, planned: &Value) -> Vec<String> {
    let after = planned.get("allowed_combinations");
    if prior.is_null() || !after.is_wholly_known() {
        return vec![];
    }
    let after = normalized_set(after);
    normalized_set(prior.get("allowed_combinations"))
        .into_iter()
        .filter(|c| !after.contains(c))
        .collect()
}

/// The plan-time warning when removed combinations change what policies using the strength accept.
pub fn weakening_warning(
    name: &str,
    removed: &[String],
    users: &[PolicyReferences],
) -> Diagnostics {
    let mut d = Diagnostics::default();
    if removed.is_empty() || users.is_empty() {
        return d;
    }
    d.push_warning(
        format!("Changing authentication strength \"{name}\" affects {} Conditional Access polic{}", users.len(), if users.len() == 1 { "y" } else { "ies" }),
        format!(
            "This plan removes {} from the allowed combinations. Users who can only sign in with {} will no longer satisfy these policies: {}.",
            removed.join("; "),
            if removed.len() == 1 { "it" } else { "them" },
            users.iter().map(PolicyReferences::label).collect::<Vec<_>>().join(", ")
        ),
    );
    d
}

/// The state of an existing strength this configuration takes over (import, `moved`): its id,
/// the next refresh reads the rest.
pub(super) fn adopted(guid: &str) -> Value {
    Value::object([
        ("id", Value::string(format!("{AUTH_STRENGTH_PATH}{guid}"))),
        ("object_id", Value::string(guid)),
        ("display_name", Value::Null),
        ("description", Value::Null),
        ("allowed_combinations", Value::Null),
        (FIDO2, Value::List(vec![])),
        (X509, Value::List(vec![])),
    ])
}
