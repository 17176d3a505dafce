//! Mapping tests: HCL to Graph and back, against the reference examples and the corpus.

use super::state::PolicyState;
use super::test_support::{baseline, hcl, with};
use super::*;
use crate::resources::reconcile::same;
use serde_json::json;

pub(super) fn shared(path: &str) -> Json {
    let p = format!("{}/../shared/{path}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{p}: {e}")))
        .unwrap()
}

pub(super) fn corpus_policies() -> Vec<(String, Json)> {
    let dir = format!(
        "{}/../shared/corpus/ca-policies",
        env!("CARGO_MANIFEST_DIR")
    );
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("corpus beside the checkout")
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap(),
            )
        })
        .collect()
}

#[test]
fn every_corpus_policy_reads_back_to_itself_through_our_own_body() {
    // Graph -> state -> body -> (as Graph would store it) -> state: the state must not move,
    // which is what "no perpetual diff" needs from the mapping.
    let mut checked = 0;
    for (name, graph) in corpus_policies() {
        let state = from_graph::state(&graph);
        let body = to_graph::body(&state);
        let mut echoed = body.clone();
        echoed["id"] = graph["id"].clone();
        let again = state_from_graph(&echoed, &state);
        for key in [
            "conditions",
            "grant_controls",
            "session_controls",
            "display_name",
            "state",
        ] {
            assert!(
                same(again.get(key), state.get(key)),
                "{name}: {key} moved\nbefore {:?}\nafter  {:?}",
                state.get(key),
                again.get(key)
            );
        }
        checked += 1;
    }
    assert!(checked >= 40, "only {checked} corpus policies");
}

#[test]
fn reference_create_request_maps_both_ways() {
    let request = shared("reference/graph-examples/ca-policy.create.request.json");
    let state = from_graph::state(&request);
    let body = to_graph::body(&state);
    for key in ["displayName", "state"] {
        assert_eq!(body[key], request[key], "{key}");
    }
    let c = &body["conditions"];
    assert_eq!(
        c["applications"]["includeApplications"],
        request["conditions"]["applications"]["includeApplications"]
    );
    assert_eq!(
        c["clientAppTypes"].as_array().unwrap().len(),
        request["conditions"]["clientAppTypes"]
            .as_array()
            .unwrap()
            .len()
    );
    assert_eq!(
        body["grantControls"]["builtInControls"],
        request["grantControls"]["builtInControls"]
    );
}

#[test]
fn graph_noise_reads_as_the_users_form() {
    let config = hcl(with(
        with(
            baseline(),
            "/conditions/locations",
            json!({"included_locations": ["all"]}),
        ),
        "/conditions/users/included_guests_or_external_users",
        json!({"guest_or_external_user_types": ["serviceProvider", "internalGuest"]}),
    ));
    let mut graph = to_graph::body(&config);
    graph["id"] = json!("8bd2ae84-c9c4-4bd4-a9a0-9fb9e5d1b8b5");
    // What Graph does to it: keyword case, canonical flag order, defaults everywhere.
    graph["conditions"]["locations"]["includeLocations"] = json!(["All"]);
    graph["conditions"]["users"]["includeUsers"] = json!(["all"]);
    graph["conditions"]["users"]["excludeUsers"] =
        json!(["11111111-1111-1111-1111-111111111111".to_uppercase()]);
    graph["conditions"]["userRiskLevels"] = json!([]);
    graph["sessionControls"] = json!({"disableResilienceDefaults": null, "signInFrequency": null, "persistentBrowser": null});
    let mut state_config = config.clone();
    set(
        &mut state_config,
        "id",
        Value::string("8bd2ae84-c9c4-4bd4-a9a0-9fb9e5d1b8b5"),
    );
    let state = state_from_graph(&graph, &state_config);
    for key in ["conditions", "grant_controls", "session_controls"] {
        assert!(
            same(state.get(key), config.get(key)),
            "{key}: {:?}\nvs {:?}",
            state.get(key),
            config.get(key)
        );
    }
}

#[test]
fn real_drift_is_shown() {
    let config = hcl(baseline());
    let mut graph = to_graph::body(&config);
    graph["conditions"]["users"]["excludeUsers"] = json!([]);
    graph["grantControls"]["builtInControls"] = json!(["mfa", "compliantDevice"]);
    let state = state_from_graph(&graph, &config);
    // Null rather than `[]`, which only the `Value` tells apart.
    assert!(state
        .block("conditions")
        .block("users")
        .get("excluded_users")
        .is_null());
    let grant = PolicyState::of(&state).grant_controls.unwrap();
    assert_eq!(super::state::items(&grant.built_in_controls).len(), 2);
}

#[test]
fn session_only_policies_and_empty_grants_settle() {
    // azuread #1150: an empty grant block next to session controls.
    let mut j = baseline();
    j["grant_controls"] = json!({"operator": "AND", "built_in_controls": []});
    j["session_controls"] = json!({"sign_in_frequency": 12, "sign_in_frequency_period": "hours"});
    let config = hcl(j);
    let body = to_graph::body(&config);
    assert_eq!(
        body["grantControls"],
        Json::Null,
        "an empty grant is sent as null"
    );
    for graph_grant in [
        Json::Null,
        json!({"operator": "OR", "builtInControls": [], "termsOfUse": [], "customAuthenticationFactors": []}),
    ] {
        let mut graph = body.clone();
        graph["grantControls"] = graph_grant;
        graph["sessionControls"]["signInFrequency"]["authenticationType"] =
            json!("primaryAndSecondaryAuthentication");
        let state = state_from_graph(&graph, &config);
        assert!(
            same(state.get("grant_controls"), config.get("grant_controls")),
            "{:?}",
            state.get("grant_controls")
        );
        assert!(
            same(
                state.get("session_controls"),
                config.get("session_controls")
            ),
            "{:?}",
            state.get("session_controls")
        );
    }
}

#[test]
fn strength_ids_in_azuread_form_are_sent_as_guids_and_kept() {
    let config = hcl(with(
        baseline(),
        "/grant_controls",
        json!({"operator": "OR", "authentication_strength_policy_id": "/policies/authenticationStrengthPolicies/00000000-0000-0000-0000-000000000004"}),
    ));
    let mut graph = to_graph::body(&config);
    assert_eq!(
        graph["grantControls"]["authenticationStrength"],
        json!({"id": "00000000-0000-0000-0000-000000000004"})
    );
    graph["grantControls"]["authenticationStrength"] =
        shared("corpus/auth-strengths/007-graphdocs-v1-list-builtin-phishing-resistant-mfa.json");
    let state = PolicyState::of(&state_from_graph(&graph, &config));
    assert_eq!(
        state
            .grant_controls
            .unwrap()
            .authentication_strength_policy_id,
        Some(
            "/policies/authenticationStrengthPolicies/00000000-0000-0000-0000-000000000004".into()
        )
    );
}

#[test]
fn every_time_and_beta_only_controls() {
    let s = json!({"sign_in_frequency_interval": "everyTime", "secure_sign_in_session_enabled": true, "continuous_access_evaluation_mode": "strictLocation"});
    let config = hcl(with(baseline(), "/session_controls", s));
    let beta = to_graph::body(&config);
    assert_eq!(
        beta["sessionControls"]["signInFrequency"]["frequencyInterval"],
        "everyTime"
    );
    assert_eq!(
        beta["sessionControls"]["signInFrequency"]["value"],
        Json::Null
    );
    assert!(beta["sessionControls"]
        .get("applicationEnforcedRestrictions")
        .is_none());
    assert_eq!(
        beta["sessionControls"]["secureSignInSession"],
        json!({"isEnabled": true})
    );
    assert_eq!(
        beta["sessionControls"]["continuousAccessEvaluation"],
        json!({"mode": "strictLocation"})
    );
    assert_eq!(endpoint::choose(&config).0, Api::Beta);
}

#[test]
fn unmodeled_fields_are_named_at_any_depth() {
    let policy =
        shared("reference/graph-examples/ca-policy.get.beta-real.devicefilter-platforms.json");
    assert!(unmodeled::unmodeled(&policy).is_empty());
    let mut p = policy.clone();
    // A retired field Graph still has, and members Graph may add tomorrow, deep down.
    p["conditions"]["devices"]["includeDeviceStates"] = json!(["Compliant"]);
    p["conditions"]["devices"]["deviceFilter"]["scope"] = json!("tenant");
    p["conditions"]["users"]["includeGuestsOrExternalUsers"] = json!({
        "guestOrExternalUserTypes": "internalGuest",
        "externalTenants": {"@odata.type": "#x", "membershipKind": "all", "since": "2026"}
    });
    p["sessionControls"] =
        json!({"signInFrequency": {"isEnabled": true, "value": 1, "type": "days", "grace": 5}});
    let mut found = unmodeled::unmodeled(&p);
    found.sort();
    assert_eq!(
        found,
        [
            "conditions.devices.deviceFilter.scope",
            "conditions.devices.includeDeviceStates",
            "conditions.users.includeGuestsOrExternalUsers.externalTenants.since",
            "sessionControls.signInFrequency.grace",
        ],
        "{found:?}"
    );
    assert!(unmodeled::describe(&found).contains("includeDeviceStates (retired"));
    assert!(unmodeled::unmodeled(
        &json!({"id": "x", "conditions": {"deviceStates": null, "devices": {"includeDevices": []}}})
    )
    .is_empty());
}

/// The attributes Graph computes.
const COMPUTED: &[&str] = &[
    "id",
    "object_id",
    "template_id",
    "created_date_time",
    "modified_date_time",
    "graph_api_version",
    "graph_api_version_reason",
];

/// The resource's plan as the plugin layer runs it: with what the schema declares around it.
fn planned(prior: &Value, config: &Value, proposed: &Value) -> Planned {
    let req = PlanRequest {
        prior,
        config,
        proposed,
    };
    crate::plugin::plan::with_schema(&schema::schema().block, &req, |r| Ok::<_, ()>(plan(r)))
        .unwrap()
}

#[test]
fn plan_keeps_computed_values_unless_something_changed() {
    let config = hcl(baseline());
    let mut prior = config.clone();
    for (k, v) in [
        ("id", "p1"),
        ("object_id", "p1"),
        ("template_id", ""),
        ("created_date_time", "t0"),
        ("modified_date_time", "t1"),
    ] {
        set(&mut prior, k, Value::string(v));
    }
    endpoint::set(&mut prior);
    let mut proposed = config.clone();
    for k in COMPUTED {
        set(&mut proposed, k, prior.get(k).clone());
    }
    let p = planned(&prior, &config, &proposed);
    assert!(same(&p.state, &prior), "no change planned");
    let changed = with(baseline(), "/state", json!("disabled"));
    let mut proposed = hcl(changed.clone());
    for k in COMPUTED {
        set(&mut proposed, k, prior.get(k).clone());
    }
    let p = planned(&prior, &hcl(changed), &proposed);
    assert_eq!(p.state.get("modified_date_time"), &Value::Unknown);
    assert_eq!(p.state.get("id"), &Value::string("p1"));
    assert_eq!(p.state.get("graph_api_version"), &Value::string("v1.0"));
}

#[test]
fn updates_carry_unmodeled_portal_settings_over() {
    let current = json!({
        "id": "p",
        "conditions": {
            "deviceStates": {"includeStates": ["All"]},
            "applications": {"includeApplications": ["All"], "applicationFilter": {"mode": "include", "rule": "r", "scope": "x"}},
            "devices": {"deviceFilter": {"mode": "include", "rule": "r", "scope": "y"}}
        },
        "sessionControls": {"futureControl": {"isEnabled": true}}
    });
    let paths = unmodeled::unmodeled(&current);
    let config = with(
        baseline(),
        "/conditions/devices",
        json!({"filter": {"mode": "include", "rule": "r"}}),
    );
    let mut body = to_graph::body(&hcl(config));
    assert_eq!(body["sessionControls"], Json::Null);
    unmodeled::carry_over(&mut body, &current, &paths);
    assert_eq!(
        body["conditions"]["deviceStates"],
        json!({"includeStates": ["All"]})
    );
    assert_eq!(
        body["sessionControls"]["futureControl"],
        json!({"isEnabled": true})
    );
    // The configuration has a device filter, so its unmodeled member stays; it has no
    // application filter, so that one's goes with it.
    assert_eq!(body["conditions"]["devices"]["deviceFilter"]["scope"], "y");
    assert_eq!(
        body["conditions"]["applications"]["applicationFilter"],
        Json::Null
    );
}

#[test]
fn sign_in_frequency_defaults_without_a_frequency_mean_nothing() {
    // azuread #1235 habits: the defaults written next to app-enforced restrictions only.
    let config = hcl(with(
        baseline(),
        "/session_controls",
        json!({"application_enforced_restrictions_enabled": true, "sign_in_frequency_authentication_type": "primaryAndSecondaryAuthentication", "sign_in_frequency_interval": "timeBased"}),
    ));
    let body = to_graph::body(&config);
    assert!(body["sessionControls"].get("signInFrequency").is_none());
    let mut graph = body.clone();
    graph["id"] = json!("p");
    let state = state_from_graph(&graph, &config);
    assert!(
        same(
            state.get("session_controls"),
            config.get("session_controls")
        ),
        "{:?}",
        state.get("session_controls")
    );
}

#[test]
fn agent_and_global_secure_access_settings_map_both_ways_through_beta() {
    let config = hcl(json!({
        "display_name": "CA500-Agents",
        "state": "enabled",
        "conditions": {
            "client_app_types": [],
            "agent_id_risk_levels": ["high", "medium"],
            "applications": {"included_applications": ["AllAgentIdResources"], "network_access": true},
            "users": {"included_users": ["None"]},
            "client_applications": {
                "included_agent_id_service_principals": ["all"],
                "agent_id_service_principal_filter": {"mode": "include", "rule": "r"}
            }
        },
        "session_controls": {"global_secure_access_filtering_profile_id": "p1"}
    }));
    let body = to_graph::body(&config);
    let c = &body["conditions"];
    assert_eq!(c["agentIdRiskLevels"], "medium,high");
    assert_eq!(c["applications"]["networkAccess"], json!({}));
    assert!(c["applications"].get("globalSecureAccess").is_none());
    assert_eq!(
        c["clientApplications"]["includeAgentIdServicePrincipals"],
        json!(["All"])
    );
    assert!(c["clientApplications"]
        .get("excludeAgentIdServicePrincipals")
        .is_none());
    assert_eq!(
        body["sessionControls"]["globalSecureAccessFilteringProfile"],
        json!({"isEnabled": true, "profileId": "p1"})
    );
    let (api, why) = endpoint::choose(&config);
    assert_eq!(api, Api::Beta);
    assert!(why.contains("agent identity risk"), "{why}");
    assert!(why.contains("filtering profile"), "{why}");
    let mut echoed = body.clone();
    echoed["id"] = json!("p");
    let state = state_from_graph(&echoed, &config);
    for key in ["conditions", "session_controls"] {
        assert!(
            same(state.get(key), config.get(key)),
            "{key}: {:?}",
            state.get(key)
        );
    }
    // A policy without them is a v1.0 body, without even their names.
    let plain = to_graph::body(&hcl(baseline()));
    assert!(plain["conditions"]["applications"]
        .get("networkAccess")
        .is_none());
    assert!(plain["conditions"].get("agentIdRiskLevels").is_none());
    assert_eq!(endpoint::choose(&hcl(baseline())).0, Api::V1);
}
