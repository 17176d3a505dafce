//! Mapping tests: HCL to Graph and back, against the reference examples and the corpus.

use super::test_support::{baseline, hcl, with};
use super::*;
use serde_json::json;

fn shared(path: &str) -> Json {
    let p = format!("{}/../shared/{path}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{p}: {e}")))
        .unwrap()
}

fn corpus_policies() -> Vec<(String, Json)> {
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
        let api = endpoint::choose(&state).0;
        let body = to_graph::body(&state, api);
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
    let body = to_graph::body(&state, Api::V1);
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
    let mut graph = to_graph::body(&config, Api::V1);
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
    let mut graph = to_graph::body(&config, Api::V1);
    graph["conditions"]["users"]["excludeUsers"] = json!([]);
    graph["grantControls"]["builtInControls"] = json!(["mfa", "compliantDevice"]);
    let state = state_from_graph(&graph, &config);
    assert!(state
        .block("conditions")
        .block("users")
        .get("excluded_users")
        .is_null());
    assert_eq!(
        state
            .block("grant_controls")
            .get("built_in_controls")
            .strs()
            .len(),
        2
    );
}

#[test]
fn session_only_policies_and_empty_grants_settle() {
    // azuread #1150: an empty grant block next to session controls.
    let mut j = baseline();
    j["grant_controls"] = json!({"operator": "AND", "built_in_controls": []});
    j["session_controls"] = json!({"sign_in_frequency": 12, "sign_in_frequency_period": "hours"});
    let config = hcl(j);
    let body = to_graph::body(&config, Api::V1);
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
    let mut graph = to_graph::body(&config, Api::V1);
    assert_eq!(
        graph["grantControls"]["authenticationStrength"],
        json!({"id": "00000000-0000-0000-0000-000000000004"})
    );
    graph["grantControls"]["authenticationStrength"] =
        shared("corpus/auth-strengths/007-graphdocs-v1-list-builtin-phishing-resistant-mfa.json");
    let state = state_from_graph(&graph, &config);
    assert_eq!(
        state
            .block("grant_controls")
            .get("authentication_strength_policy_id"),
        &Value::string(
            "/policies/authenticationStrengthPolicies/00000000-0000-0000-0000-000000000004"
        )
    );
}

#[test]
fn every_time_and_beta_only_controls() {
    let s = json!({"sign_in_frequency_interval": "everyTime", "secure_sign_in_session_enabled": true, "continuous_access_evaluation_mode": "strictLocation"});
    let config = hcl(with(baseline(), "/session_controls", s));
    let beta = to_graph::body(&config, Api::Beta);
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
    // Token protection is in v1.0 too; continuous access evaluation is not.
    let v1 = to_graph::body(&config, Api::V1);
    assert_eq!(
        v1["sessionControls"]["secureSignInSession"],
        json!({"isEnabled": true})
    );
    assert!(v1["sessionControls"]
        .get("continuousAccessEvaluation")
        .is_none());
    assert_eq!(
        beta["sessionControls"]["continuousAccessEvaluation"],
        json!({"mode": "strictLocation"})
    );
    assert_eq!(endpoint::choose(&config).0, Api::Beta);
}

#[test]
fn unmodeled_fields_are_named() {
    let policy =
        shared("reference/graph-examples/ca-policy.get.beta-real.devicefilter-platforms.json");
    let mut p = policy.clone();
    p["conditions"]["times"] = json!({"timeZone": "UTC"});
    p["sessionControls"] =
        json!({"globalSecureAccessFilteringProfile": {"profileId": "x", "isEnabled": true}});
    let found = from_graph::unmodeled(&p);
    assert!(found.contains(&"conditions.times".to_string()), "{found:?}");
    assert!(
        found.contains(&"sessionControls.globalSecureAccessFilteringProfile".to_string()),
        "{found:?}"
    );
    assert!(from_graph::unmodeled(
        &json!({"id": "x", "conditions": {"times": null, "deviceStates": null}})
    )
    .is_empty());
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
    from_graph::set_endpoint(&mut prior);
    let mut proposed = config.clone();
    for k in COMPUTED {
        set(&mut proposed, k, prior.get(k).clone());
    }
    let p = plan(&PlanRequest {
        prior: &prior,
        config: &config,
        proposed: &proposed,
    });
    assert!(same(&p.state, &prior), "no change planned");
    let changed = with(baseline(), "/state", json!("disabled"));
    let mut proposed = hcl(changed.clone());
    for k in COMPUTED {
        set(&mut proposed, k, prior.get(k).clone());
    }
    let p = plan(&PlanRequest {
        prior: &prior,
        config: &hcl(changed),
        proposed: &proposed,
    });
    assert_eq!(p.state.get("modified_date_time"), &Value::Unknown);
    assert_eq!(p.state.get("id"), &Value::string("p1"));
    assert_eq!(p.state.get("graph_api_version"), &Value::string("v1.0"));
}

#[test]
fn updates_carry_unmodeled_portal_settings_over() {
    let current = json!({
        "id": "p",
        "conditions": {"times": {"timeZone": "UTC"}, "applications": {"includeApplications": ["All"]}},
        "sessionControls": {"globalSecureAccessFilteringProfile": {"profileId": "x", "isEnabled": true}}
    });
    let paths = from_graph::unmodeled(&current);
    let mut body = to_graph::body(&hcl(baseline()), Api::Beta);
    assert_eq!(body["sessionControls"], Json::Null);
    from_graph::carry_over(&mut body, &current, &paths);
    assert_eq!(body["conditions"]["times"], json!({"timeZone": "UTC"}));
    assert_eq!(
        body["sessionControls"]["globalSecureAccessFilteringProfile"]["profileId"],
        "x"
    );
    assert_eq!(
        body["conditions"]["applications"]["includeApplications"],
        json!(["All"])
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
    let body = to_graph::body(&config, Api::V1);
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
