use super::*;
use crate::resources::conditional_access_policy::test_support::{baseline, hcl, with};
use serde_json::json;

/// The messages of the errors for a policy, with the path of each.
fn errors(j: serde_json::Value) -> Vec<(String, String)> {
    validate(&hcl(j))
        .0
        .into_iter()
        .map(|d| {
            (
                d.attribute.map(|p| p.to_string()).unwrap_or_default(),
                format!("{}: {}", d.summary, d.detail),
            )
        })
        .collect()
}

fn assert_error(j: serde_json::Value, at: &str, text: &str) {
    let e = errors(j);
    assert!(
        e.iter().any(|(p, m)| p == at && m.contains(text)),
        "expected {at}: {text}\ngot {e:#?}"
    );
}

#[test]
fn the_baseline_is_valid() {
    assert_eq!(errors(baseline()), vec![]);
}

#[test]
fn applications_and_user_actions_together_is_1012() {
    let j = with(
        baseline(),
        "/conditions/applications/included_user_actions",
        json!(["urn:user:registersecurityinfo"]),
    );
    assert_error(
        j,
        "conditions[0].applications[0].included_user_actions",
        "1012",
    );
}

#[test]
fn empty_applications_are_refused_before_graph_answers_500() {
    let j = with(
        baseline(),
        "/conditions/applications",
        json!({"excluded_applications": ["Office365"]}),
    );
    assert_error(
        j,
        "conditions[0].applications[0].included_applications",
        "[\"None\"]",
    );
}

#[test]
fn password_change_rules_are_1032() {
    let j = with(
        baseline(),
        "/grant_controls",
        json!({"operator": "OR", "built_in_controls": ["passwordChange", "mfa"]}),
    );
    let e = errors(j);
    assert!(
        e.iter()
            .any(|(p, m)| p == "grant_controls[0].built_in_controls" && m.contains("1032")),
        "{e:#?}"
    );
    assert!(
        e.iter()
            .any(|(p, m)| p == "conditions[0].user_risk_levels" && m.contains("1032")),
        "{e:#?}"
    );
    let ok = with(
        with(
            baseline(),
            "/grant_controls",
            json!({"operator": "AND", "built_in_controls": ["passwordChange", "mfa"]}),
        ),
        "/conditions/user_risk_levels",
        json!(["high"]),
    );
    assert_eq!(errors(ok), vec![]);
    let with_location = with(
        with(
            with(
                baseline(),
                "/grant_controls",
                json!({"operator": "AND", "built_in_controls": ["passwordChange", "mfa"]}),
            ),
            "/conditions/user_risk_levels",
            json!(["high"]),
        ),
        "/conditions/locations",
        json!({"included_locations": ["All"]}),
    );
    assert_error(with_location, "conditions[0].locations", "1032");
}

#[test]
fn mfa_and_authentication_strength_are_exclusive() {
    let j = with(
        baseline(),
        "/grant_controls/authentication_strength_policy_id",
        json!("00000000-0000-0000-0000-000000000004"),
    );
    assert_error(
        j,
        "grant_controls[0].authentication_strength_policy_id",
        "not both",
    );
}

#[test]
fn block_stands_alone() {
    let j = with(
        baseline(),
        "/grant_controls/built_in_controls",
        json!(["block", "mfa"]),
    );
    assert_error(j, "grant_controls[0].built_in_controls", "block");
}

#[test]
fn every_time_takes_no_value_and_no_app_restrictions() {
    let j = with(
        baseline(),
        "/session_controls",
        json!({"sign_in_frequency_interval": "everyTime", "sign_in_frequency": 1, "sign_in_frequency_period": "hours"}),
    );
    assert_error(
        j,
        "session_controls[0].sign_in_frequency",
        "leave sign_in_frequency",
    );
    let j = with(
        baseline(),
        "/session_controls",
        json!({"sign_in_frequency_interval": "everyTime", "sign_in_frequency_period": "hours"}),
    );
    assert_error(
        j,
        "session_controls[0].sign_in_frequency_period",
        "leave sign_in_frequency and sign_in_frequency_period unset",
    );
    let j = with(
        baseline(),
        "/session_controls",
        json!({"sign_in_frequency_interval": "everyTime", "application_enforced_restrictions_enabled": true}),
    );
    assert_error(
        j,
        "session_controls[0].application_enforced_restrictions_enabled",
        "everyTime",
    );
}

#[test]
fn a_blank_filter_rule_is_refused_on_the_rule() {
    for (at, path) in [
        (
            "/conditions/applications/filter",
            "conditions[0].applications[0].filter[0].rule",
        ),
        (
            "/conditions/client_applications/filter",
            "conditions[0].client_applications[0].filter[0].rule",
        ),
        (
            "/conditions/devices/filter",
            "conditions[0].devices[0].filter[0].rule",
        ),
    ] {
        let j = with(baseline(), at, json!({"mode": "include", "rule": " "}));
        assert_error(j, path, "write a rule");
    }
    let j = with(
        baseline(),
        "/conditions/devices/filter",
        json!({"mode": "exclude", "rule": "device.isCompliant -eq True"}),
    );
    assert_eq!(errors(j), vec![]);
}

#[test]
fn a_policy_must_enforce_something() {
    let mut j = baseline();
    j.as_object_mut().unwrap().remove("grant_controls");
    assert_error(j.clone(), "grant_controls", "enforces nothing");
    let ineffective = with(
        j.clone(),
        "/session_controls",
        json!({"sign_in_frequency_authentication_type": "primaryAndSecondaryAuthentication"}),
    );
    assert_error(ineffective, "session_controls", "enforces nothing");
    let empty_grant = with(
        j,
        "/grant_controls",
        json!({"operator": "AND", "built_in_controls": []}),
    );
    assert_error(empty_grant, "grant_controls", "enforces nothing");
}

#[test]
fn enums_are_checked_where_they_are_written() {
    assert_error(
        with(baseline(), "/state", json!("on")),
        "state",
        "enabledForReportingButNotEnforced",
    );
    assert_error(
        with(
            baseline(),
            "/conditions/client_app_types",
            json!(["desktop"]),
        ),
        "conditions[0].client_app_types",
        "\"desktop\"",
    );
    assert_error(
        with(
            baseline(),
            "/conditions/user_risk_levels",
            json!(["severe"]),
        ),
        "conditions[0].user_risk_levels",
        "\"severe\"",
    );
    assert_error(
        with(
            baseline(),
            "/conditions/insider_risk_levels",
            json!("minor,huge"),
        ),
        "conditions[0].insider_risk_levels",
        "\"huge\"",
    );
    assert_error(
        with(baseline(), "/grant_controls/operator", json!("XOR")),
        "grant_controls[0].operator",
        "\"XOR\"",
    );
    assert_error(
        with(
            baseline(),
            "/session_controls",
            json!({"persistent_browser_mode": "sometimes"}),
        ),
        "session_controls[0].persistent_browser_mode",
        "\"sometimes\"",
    );
}

#[test]
fn malformed_ids_are_named() {
    assert_error(
        with(
            baseline(),
            "/conditions/users/excluded_groups",
            json!(["breakglass"]),
        ),
        "conditions[0].users[0].excluded_groups",
        "\"breakglass\" is not an object id",
    );
    assert_error(
        with(
            baseline(),
            "/grant_controls",
            json!({"operator": "OR", "authentication_strength_policy_id": "phishing-resistant"}),
        ),
        "grant_controls[0].authentication_strength_policy_id",
        "Malformed",
    );
    assert_error(
        with(
            baseline(),
            "/conditions/applications",
            json!({"included_authentication_context_class_references": ["c0"]}),
        ),
        "conditions[0].applications[0].included_authentication_context_class_references",
        "c1 to c99",
    );
    // Keywords in any case are fine, as Graph accepts them.
    assert_eq!(
        errors(with(
            baseline(),
            "/conditions/locations",
            json!({"included_locations": ["all"], "excluded_locations": ["AllTrusted"]})
        )),
        vec![]
    );
}

#[test]
fn sign_in_frequency_needs_its_period_and_a_sane_value() {
    let j = with(
        baseline(),
        "/session_controls",
        json!({"sign_in_frequency": 30, "sign_in_frequency_period": "hours"}),
    );
    assert_error(j, "session_controls[0].sign_in_frequency", "1 to 23");
    let j = with(
        baseline(),
        "/session_controls",
        json!({"sign_in_frequency": 3}),
    );
    assert_error(j, "session_controls[0].sign_in_frequency_period", "Missing");
}

#[test]
fn nobody_targeted_is_an_error() {
    let j = with(
        baseline(),
        "/conditions/users",
        json!({"excluded_users": ["GuestsOrExternalUsers"]}),
    );
    assert_error(j, "conditions[0].users[0].included_users", "nobody");
}

#[test]
fn enumerated_tenants_need_members() {
    let j = with(
        baseline(),
        "/conditions/users/included_guests_or_external_users",
        json!({"guest_or_external_user_types": ["b2bCollaborationGuest"], "external_tenants": {"membership_kind": "enumerated"}}),
    );
    assert_error(
        j,
        "conditions[0].users[0].included_guests_or_external_users[0].external_tenants[0].members",
        "tenant ids",
    );
}

#[test]
fn unknown_values_are_not_judged() {
    let mut v = hcl(baseline());
    if let Value::Object(m) = &mut v {
        m.insert("state".into(), Value::Unknown);
        m.insert("grant_controls".into(), Value::Unknown);
    }
    assert!(validate(&v).is_empty(), "{}", validate(&v));
}

#[test]
fn references_unknown_at_plan_time_count_as_set() {
    // `included_groups = [azuread_group.x.object_id]` before the group exists.
    let mut v = hcl(with(baseline(), "/conditions/users", json!({})));
    if let Value::Object(top) = &mut v {
        if let Some(Value::List(c)) = top.get_mut("conditions") {
            if let Value::Object(cm) = &mut c[0] {
                cm.insert(
                    "users".into(),
                    Value::List(vec![Value::object([(
                        "included_groups",
                        Value::Set(vec![Value::Unknown]),
                    )])]),
                );
            }
        }
    }
    assert!(validate(&v).is_empty(), "{}", validate(&v));
}

#[test]
fn a_password_change_with_a_strength_known_only_at_apply_is_not_refused() {
    // Microsoft's CA008: passwordChange AND an authentication strength, here from a data source.
    let j = with(
        with(
            baseline(),
            "/grant_controls",
            json!({"operator": "AND", "built_in_controls": ["passwordChange"], "authentication_strength_policy_id": "placeholder"}),
        ),
        "/conditions/user_risk_levels",
        json!(["high"]),
    );
    let mut v = hcl(j);
    if let Value::Object(top) = &mut v {
        if let Some(Value::List(g)) = top.get_mut("grant_controls") {
            if let Value::Object(gm) = &mut g[0] {
                gm.insert("authentication_strength_policy_id".into(), Value::Unknown);
            }
        }
    }
    assert!(validate(&v).is_empty(), "{}", validate(&v));
}

/// A policy for agent identities: nobody among users, the agents in client_applications.
fn for_agents() -> serde_json::Value {
    let j = with(
        baseline(),
        "/conditions/users",
        json!({"included_users": ["None"]}),
    );
    let j = with(
        j,
        "/conditions/client_applications",
        json!({"included_agent_id_service_principals": ["All"]}),
    );
    with(
        j,
        "/grant_controls",
        json!({"operator": "OR", "built_in_controls": ["block"]}),
    )
}

#[test]
fn agent_policies_may_have_no_client_app_types_and_others_may_not() {
    assert_eq!(errors(for_agents()), vec![]);
    let j = with(for_agents(), "/conditions/client_app_types", json!([]));
    assert_eq!(errors(j), vec![]);
    let agent_users = with(
        with(baseline(), "/conditions/client_app_types", json!([])),
        "/conditions/users/included_users",
        json!(["AllAgentIdUsers"]),
    );
    assert_eq!(errors(agent_users), vec![]);
    assert_error(
        with(baseline(), "/conditions/client_app_types", json!([])),
        "conditions[0].client_app_types",
        "No client app types",
    );
}

#[test]
fn agent_settings_are_checked_with_their_paths() {
    assert_error(
        with(
            for_agents(),
            "/conditions/agent_id_risk_levels",
            json!(["severe"]),
        ),
        "conditions[0].agent_id_risk_levels",
        "\"severe\"",
    );
    assert_error(
        with(
            for_agents(),
            "/conditions/client_applications/excluded_agent_id_service_principals",
            json!(["<ApprovedAgent>"]),
        ),
        "conditions[0].client_applications[0].excluded_agent_id_service_principals",
        "<ApprovedAgent>",
    );
    assert_error(
        with(
            for_agents(),
            "/conditions/client_applications/agent_id_service_principal_filter",
            json!({"mode": "include", "rule": " "}),
        ),
        "conditions[0].client_applications[0].agent_id_service_principal_filter[0].rule",
        "Empty filter rule",
    );
    let j = with(
        for_agents(),
        "/conditions/agent_id_risk_levels",
        json!(["medium", "high"]),
    );
    assert_eq!(errors(j), vec![]);
}
