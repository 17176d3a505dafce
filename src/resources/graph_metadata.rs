//! Microsoft's own Graph metadata (`../shared/reference/graph-metadata/`) as the oracle for
//! what the schema covers: every member of every enum of the managed types must be accepted
//! where we validate that enum (an enum we do not validate must say why), and every writable
//! property of a managed type must be written by the mapping or listed with the reason it is
//! not. A member or property Graph adds (or our notes missed) then fails here, not in a user's
//! plan. The tests print the figures: properties modeled of the total, per version.

use super::authentication_strength_policy as strength;
use super::conditional_access_policy::vocabulary as ca;
use super::named_location;
use serde_json::Value as Json;

/// Each enum of the metadata and the list that validates it.
fn validated_by(name: &str) -> Option<&'static [&'static str]> {
    Some(match name {
        "conditionalAccessPolicyState" => ca::STATES,
        "conditionalAccessClientApp" => ca::CLIENT_APP_TYPES,
        "conditionalAccessDevicePlatform" => ca::PLATFORMS,
        "riskLevel" => ca::RISK_LEVELS,
        "conditionalAccessAgentIdRiskLevels" => ca::AGENT_RISK_LEVELS,
        "conditionalAccessInsiderRiskLevels" => ca::INSIDER_RISK_LEVELS,
        "conditionalAccessGuestOrExternalUserTypes" => ca::GUEST_TYPES,
        "conditionalAccessExternalTenantsMembershipKind" => ca::MEMBERSHIP_KINDS,
        "filterMode" => ca::FILTER_MODES,
        "conditionalAccessTransferMethods" => ca::TRANSFER_METHODS,
        "conditionalAccessGrantControl" => ca::BUILT_IN_CONTROLS,
        "cloudAppSecuritySessionControlType" => ca::CLOUD_APP_SECURITY,
        "persistentBrowserSessionMode" => ca::PERSISTENT_BROWSER,
        "signinFrequencyType" => ca::SIF_PERIODS,
        "signInFrequencyAuthenticationType" => ca::SIF_AUTH_TYPES,
        "signInFrequencyInterval" => ca::SIF_INTERVALS,
        "continuousAccessEvaluationMode" => ca::CAE_MODES,
        "countryLookupMethodType" => named_location::LOOKUP_METHODS,
        "authenticationMethodModes" => strength::MODES,
        _ => return None,
    })
}

/// Enums no configuration can set, each with the reason.
const NOT_VALIDATED: &[(&str, &str)] = &[
    ("authenticationStrengthPolicyType", "read-only: policyType"),
    (
        "authenticationStrengthRequirements",
        "read-only: requirementsSatisfied",
    ),
    (
        "whatIfAnalysisReasons",
        "Graph's what-if answer; ours is evaluated offline",
    ),
    (
        "unifiedRoleManagementPolicyRuleTargetOperations",
        "PIM rule targets are written back as read",
    ),
    (
        "approverInformationVisibility",
        "beta only; PIM settings are written through v1.0",
    ),
    (
        "compliantNetworkType",
        "beta's system compliant-network location: read, never written",
    ),
];

fn metadata() -> Json {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/reference/graph-metadata/graph-metadata.json"
    );
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap()
}

#[test]
fn every_enum_member_graph_has_is_accepted_where_we_validate_it() {
    let mut refused = Vec::new();
    let mut unaccounted = Vec::new();
    for (name, e) in metadata()["enums"].as_object().unwrap() {
        let Some(list) = validated_by(name) else {
            if !NOT_VALIDATED.iter().any(|(n, _)| n == name) {
                unaccounted.push(name.clone());
            }
            continue;
        };
        for version in ["v1.0", "beta"] {
            for member in e[version].as_array().into_iter().flatten() {
                let member = member[0].as_str().unwrap();
                if member == "unknownFutureValue" {
                    continue;
                }
                if !list.contains(&member) {
                    refused.push(format!("{name}.{member} ({version})"));
                }
            }
        }
    }
    refused.dedup();
    assert!(
        refused.is_empty(),
        "members Graph has that we refuse: {refused:?}"
    );
    assert!(
        unaccounted.is_empty(),
        "enums neither validated nor listed with a reason: {unaccounted:?}"
    );
}

#[test]
fn every_enum_we_do_not_validate_is_in_the_metadata() {
    let enums = metadata()["enums"].as_object().unwrap().clone();
    for (name, _) in NOT_VALIDATED {
        assert!(enums.contains_key(*name), "{name} is not a Graph enum");
    }
}

/// A property of a managed type, by its full path, as the metadata defines it.
struct Property {
    path: String,
    versions: Vec<String>,
    read_only: bool,
}

/// The properties of a type: its own, its bases', and for an abstract type its derived types'
/// (Graph sends the derived type, e.g. `conditionalAccessEnumeratedExternalTenants.members`).
fn properties_of<'a>(meta: &'a Json, name: &str) -> Vec<(&'a String, &'a Json)> {
    let types = meta["types"].as_object().unwrap();
    let mut out = Vec::new();
    let mut t = Some(name.to_string());
    // A base outside the extract (policyDeletableItem) adds nothing its derived types lack.
    while let Some(ty) = t.and_then(|n| types.get(&n)) {
        out.extend(ty["properties"].as_object().into_iter().flatten());
        t = ty["base"].as_str().map(str::to_string);
    }
    if types[name]["abstract"].as_bool() == Some(true) {
        for derived in types.values().filter(|d| d["base"].as_str() == Some(name)) {
            out.extend(derived["properties"].as_object().into_iter().flatten());
        }
    }
    out
}

/// Every property reachable from `name` through complex types, with its full path. An entity
/// reached from a property (a policy's authentication strength) is a reference: not entered.
fn walk(meta: &Json, name: &str, parent: &str, out: &mut Vec<Property>) {
    for (prop, def) in properties_of(meta, name) {
        let path = if parent.is_empty() {
            prop.clone()
        } else {
            format!("{parent}.{prop}")
        };
        let ty = def["type"].as_str().unwrap();
        out.push(Property {
            path: path.clone(),
            versions: serde_json::from_value(def["versions"].clone()).unwrap(),
            read_only: def["read_only"].as_bool() == Some(true),
        });
        if meta["types"][ty]["kind"] == "complex" {
            walk(meta, ty, &path, out);
        }
    }
}

fn covered_by(list: &[&str], path: &str) -> bool {
    list.iter()
        .any(|m| path == *m || path.starts_with(&format!("{m}.")))
}

/// Microsoft's conditionalAccessPolicy against the schema: every writable property is modeled
/// or listed with its reason, each listed name is Graph's, and the properties only beta has
/// are exactly those that make the provider write through beta.
#[test]
fn every_conditional_access_property_is_modeled_or_listed() {
    use super::conditional_access_policy::{endpoint, unmodeled};
    let not_modeled: Vec<&str> = unmodeled::NOT_MODELED.iter().map(|(p, _)| *p).collect();
    let lost = uncovered("conditionalAccessPolicy", unmodeled::MODELED, &not_modeled);
    assert!(
        lost.is_empty(),
        "writable properties neither modeled nor listed: {lost:?}"
    );
    let meta = metadata();
    let mut all = Vec::new();
    walk(&meta, "conditionalAccessPolicy", "", &mut all);
    let beta_only = |p: &Property| p.versions == ["beta"];
    let mut topmost_beta: Vec<&str> = all
        .iter()
        .filter(|p| !p.read_only && beta_only(p))
        .filter(|p| {
            !all.iter()
                .any(|q| beta_only(q) && p.path.starts_with(&format!("{}.", q.path)))
        })
        .map(|p| p.path.as_str())
        .collect();
    let mut ours: Vec<&str> = endpoint::BETA_ONLY.iter().map(|(p, _)| *p).collect();
    topmost_beta.sort();
    ours.sort();
    assert_eq!(
        ours, topmost_beta,
        "the beta-only properties that choose the endpoint"
    );
}

/// Every dotted key path of a request body, through objects and arrays of objects.
fn body_paths(body: &Json, parent: &str, out: &mut Vec<String>) {
    match body {
        Json::Object(m) => {
            for (k, v) in m.iter().filter(|(k, _)| !k.starts_with('@')) {
                let path = if parent.is_empty() {
                    k.clone()
                } else {
                    format!("{parent}.{k}")
                };
                out.push(path.clone());
                body_paths(v, &path, out);
            }
        }
        Json::Array(items) => items.iter().for_each(|i| body_paths(i, parent, out)),
        _ => {}
    }
}

/// The writable leaf properties of `type_name` that neither `modeled` nor `not_modeled`
/// covers; prints how many `modeled` covers, per version. Every listed name must be Graph's.
fn uncovered(type_name: &str, modeled: &[&str], not_modeled: &[&str]) -> Vec<String> {
    let meta = metadata();
    let mut all = Vec::new();
    walk(&meta, type_name, "", &mut all);
    let has_members = |p: &Property| {
        all.iter()
            .any(|q| q.path.starts_with(&format!("{}.", p.path)))
    };
    let leaves: Vec<&Property> = all
        .iter()
        .filter(|p| !p.read_only && !has_members(p))
        .collect();
    for version in ["v1.0", "beta"] {
        let total: Vec<_> = leaves
            .iter()
            .filter(|p| p.versions.iter().any(|v| v == version))
            .collect();
        let covered = total
            .iter()
            .filter(|p| covered_by(modeled, &p.path))
            .count();
        println!(
            "{type_name} {version}: {covered} of {} writable properties modeled",
            total.len()
        );
    }
    for name in modeled.iter().chain(not_modeled) {
        assert!(
            all.iter().any(|p| p.path == *name),
            "{type_name}: {name} is not a Graph property"
        );
    }
    leaves
        .iter()
        .filter(|p| !covered_by(modeled, &p.path) && !covered_by(not_modeled, &p.path))
        .map(|p| p.path.clone())
        .collect()
}

/// The strength's create body and its combination configurations, from a configuration that
/// sets every attribute, hold every writable property of Graph's types.
#[test]
fn every_authentication_strength_property_is_written() {
    use crate::plugin::value::Value;
    let set = |items: &[&str]| Value::string_set(items.iter().copied());
    let state = Value::object([
        ("display_name", Value::string("s")),
        ("description", Value::string("d")),
        (
            "allowed_combinations",
            set(&["fido2", "x509CertificateMultiFactor"]),
        ),
        (
            strength::FIDO2,
            Value::List(vec![Value::object([("allowed_aaguids", set(&["a"]))])]),
        ),
        (
            strength::X509,
            Value::List(vec![Value::object([
                ("allowed_issuer_skis", set(&["s"])),
                ("allowed_policy_oids", set(&["1.2"])),
                (
                    "applies_to_combinations",
                    set(&["x509CertificateMultiFactor"]),
                ),
            ])]),
        ),
    ]);
    let mut body = strength::create_body(&state);
    let configurations: Vec<Json> = strength::configuration_bodies(&state)
        .into_iter()
        .map(|(_, b)| b)
        .collect();
    // Configurations are entities of their own, written to the strength's collection of them.
    body["combinationConfigurations"] = Json::Array(vec![]);
    let mut written = Vec::new();
    body_paths(&body, "", &mut written);
    let written: Vec<&str> = written.iter().map(String::as_str).collect();
    let lost = uncovered("authenticationStrengthPolicy", &written, &[]);
    assert!(
        lost.is_empty(),
        "strength properties never written: {lost:?}"
    );
    let mut written = Vec::new();
    body_paths(&Json::Array(configurations), "", &mut written);
    let written: Vec<&str> = written.iter().map(String::as_str).collect();
    let lost = uncovered("authenticationCombinationConfiguration", &written, &[]);
    assert!(
        lost.is_empty(),
        "configuration properties never written: {lost:?}"
    );
}

#[test]
fn every_authentication_context_property_is_written() {
    use super::authentication_context;
    use crate::plugin::value::Value;
    let state = Value::object([
        ("context_id", Value::string("c1")),
        ("display_name", Value::string("n")),
        ("description", Value::string("d")),
        ("is_available", Value::Bool(true)),
    ]);
    let mut written = Vec::new();
    body_paths(&authentication_context::to_graph(&state), "", &mut written);
    let written: Vec<&str> = written.iter().map(String::as_str).collect();
    // The id is the path of the PUT that writes the context, not a member of its body.
    let lost = uncovered("authenticationContextClassReference", &written, &["id"]);
    assert!(
        lost.is_empty(),
        "context properties never written: {lost:?}"
    );
}

/// PIM rules: what the rule tables read and write, or listed with a reason.
#[test]
fn every_pim_rule_property_is_modeled_or_listed() {
    use super::role_management_policy::rules;
    let modeled = rules::graph_properties();
    let modeled: Vec<&str> = modeled.iter().map(String::as_str).collect();
    let mut listed: Vec<String> = rules::NOT_MODELED
        .iter()
        .map(|(p, _)| p.to_string())
        .collect();
    for approvers in ["primaryApprovers", "escalationApprovers"] {
        for kind in rules::OTHER_SUBJECT_SETS {
            listed.push(format!("setting.approvalStages.{approvers}.{kind}"));
        }
    }
    let listed: Vec<&str> = listed.iter().map(String::as_str).collect();
    let lost = uncovered("unifiedRoleManagementPolicyRule", &modeled, &listed);
    assert!(
        lost.is_empty(),
        "PIM rule properties neither modeled nor listed: {lost:?}"
    );
}
