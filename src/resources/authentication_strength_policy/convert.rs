//! The pure mapping of a strength between Terraform's state and Graph: request bodies, the
//! state for what Graph holds (in the user's form where equivalent), the plan, and the
//! plan-time warning when a change removes combinations policies rely on.

use super::state::{Fido2Block, StrengthState, X509Block};
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
    StrengthState::of(state)
        .allowed_combinations
        .iter()
        .flatten()
        .map(|c| normalize_combination(c))
        .collect()
}

/// The POST body of a new strength.
pub fn create_body(state: &Value) -> Json {
    let s = StrengthState::of(state);
    json!({
        "displayName": s.display_name,
        "description": s.description,
        "allowedCombinations": combinations_json(state),
    })
}

/// The combination configuration bodies a state asks for, by block name.
pub fn configuration_bodies(state: &Value) -> Vec<(&'static str, Json)> {
    let state = StrengthState::of(state);
    let mut out = Vec::new();
    if let Some(fido2) = state.fido2_combination_configuration {
        out.push((
            FIDO2,
            json!({
                "@odata.type": FIDO2_TYPE,
                "allowedAAGUIDs": fido2.allowed_aaguids.unwrap_or_default(),
                "appliesToCombinations": ["fido2"],
            }),
        ));
    }
    if let Some(x509) = state.x509_certificate_combination_configuration {
        out.push((
            X509,
            json!({
                "@odata.type": X509_TYPE,
                "allowedIssuerSkis": x509.allowed_issuer_skis.unwrap_or_default(),
                "allowedPolicyOIDs": x509.allowed_policy_oids.unwrap_or_default(),
                "appliesToCombinations": x509.applies_to_combinations.unwrap_or_default(),
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

fn trimmed(items: &[String]) -> Vec<String> {
    items.iter().map(|s| s.trim().to_string()).collect()
}

/// A configuration's list; none or an empty one is unset, as a configuration that leaves the
/// attribute out has it.
fn strings(v: &Option<Vec<String>>) -> Option<Vec<String>> {
    v.as_deref().filter(|items| !items.is_empty()).map(trimmed)
}

/// The state for a strength and its configurations as Graph holds them.
pub fn from_graph(p: &AuthenticationStrengthPolicy, configs: &[CombinationConfiguration]) -> Value {
    // One block of each kind, as in azuread; a second one made in the portal is not shown.
    let first = |name: &str| configs.iter().find(|c| block_of(c) == Some(name));
    StrengthState {
        id: Some(format!("{AUTH_STRENGTH_PATH}{}", p.id)),
        object_id: Some(p.id.clone()),
        display_name: p.display_name.clone(),
        description: p.description.clone(),
        allowed_combinations: Some(p.allowed_combinations.clone()),
        fido2_combination_configuration: first(FIDO2).map(|c| Fido2Block {
            allowed_aaguids: strings(&c.allowed_aaguids),
            id: Some(c.id.clone()),
        }),
        x509_certificate_combination_configuration: first(X509).map(|c| X509Block {
            applies_to_combinations: Some(trimmed(&c.applies_to_combinations)),
            allowed_issuer_skis: strings(&c.allowed_issuer_skis),
            allowed_policy_oids: strings(&c.allowed_policy_oids),
            id: Some(c.id.clone()),
        }),
    }
    .to_value()
}

/// Graph's form of a set of combinations, sorted and each once, so that two sets compare.
pub(super) fn normalized<S: AsRef<str>>(combinations: impl IntoIterator<Item = S>) -> Vec<String> {
    let mut s: Vec<String> = combinations
        .into_iter()
        .map(|c| normalize_combination(c.as_ref()))
        .collect();
    s.sort();
    s.dedup();
    s
}

/// The same for a set read as a value, as the reconcile rules see one.
fn normalized_set(v: &Value) -> Vec<String> {
    normalized(v.strs())
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
pub(super) fn prior_config_id(prior: &Value, name: &str) -> Option<String> {
    StrengthState::of(prior).config_id(name).map(str::to_string)
}

/// The configuration, with each configuration block keeping its Graph id while it stays (unknown
/// for a new one).
pub fn plan(req: &PlanRequest<'_>) -> Planned {
    let prior = StrengthState::of(req.prior);
    // The proposal is edited as a value: it carries the unknowns Terraform plans, which the
    // typed state would read as null.
    let mut planned = req.proposed.clone();
    // A configuration keeps its id while its block stays (it is updated in place).
    for name in [FIDO2, X509] {
        let id = prior
            .config_id(name)
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
    // The planned set is read as a value: one that is unknown until apply removes nothing yet,
    // where the typed state would read it as no combinations at all.
    let after = planned.get("allowed_combinations");
    if prior.is_null() || !after.is_wholly_known() {
        return vec![];
    }
    let after = normalized_set(after);
    let before = StrengthState::of(prior).allowed_combinations;
    normalized(before.unwrap_or_default())
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
    StrengthState {
        id: Some(format!("{AUTH_STRENGTH_PATH}{guid}")),
        object_id: Some(guid.to_string()),
        ..StrengthState::default()
    }
    .to_value()
}
