//! Authentication strength policies: the built-ins as real tenants return them, custom CRUD,
//! combination validation, updateAllowedCombinations, usage, combinationConfigurations, CA
//! policy references, limits and seeding. Replays the reference examples.

mod common;

use common::*;
use entra_graph_sim::SimOptions;
use reqwest::Method;
use serde_json::{json, Value};

const COLL: &str = "/policies/authenticationStrengthPolicies";
const ALIAS: &str = "/identity/conditionalAccess/authenticationStrength/policies";
const CA: &str = "/identity/conditionalAccess/policies";
const MFA: &str = "00000000-0000-0000-0000-000000000002";
const PASSWORDLESS: &str = "00000000-0000-0000-0000-000000000003";
const PHISHING_RESISTANT: &str = "00000000-0000-0000-0000-000000000004";

impl Tenant {
    async fn post(&self, body: &Value) -> (u16, Value) {
        self.call(Method::POST, &format!("/v1.0{COLL}"), Some(body))
            .await
    }

    async fn create(&self, name: &str, combos: &[&str]) -> String {
        let (s, b) = self
            .post(&json!({"displayName": name, "allowedCombinations": combos}))
            .await;
        assert_eq!(s, 201, "create failed: {b}");
        b["id"].as_str().unwrap().to_string()
    }

    async fn get(&self, id: &str) -> (u16, Value) {
        self.call(Method::GET, &format!("/v1.0{COLL}/{id}"), None)
            .await
    }

    async fn update_combos(&self, id: &str, combos: &[&str]) -> (u16, Value) {
        self.call(
            Method::POST,
            &format!("/v1.0{COLL}/{id}/updateAllowedCombinations"),
            Some(&json!({ "allowedCombinations": combos })),
        )
        .await
    }

    /// A CA policy requiring strength `sid`; returns its id.
    async fn policy_requiring(&self, sid: &str) -> String {
        let (s, b) = self
            .call(
                Method::POST,
                &format!("/v1.0{CA}"),
                Some(&json!({
                    "displayName": "Strong auth",
                    "state": "enabled",
                    "conditions": {
                        "clientAppTypes": ["all"],
                        "applications": {"includeApplications": ["All"]},
                        "users": {"includeUsers": ["All"]}
                    },
                    "grantControls": {"operator": "OR", "authenticationStrength": {"id": sid}}
                })),
            )
            .await;
        assert_eq!(s, 201, "{b}");
        b["id"].as_str().unwrap().to_string()
    }
}

fn without(v: &Value, keys: &[&str]) -> Value {
    let mut m = v.as_object().unwrap().clone();
    for k in keys {
        m.shift_remove(*k);
    }
    Value::Object(m)
}

fn keys(v: &Value) -> Vec<String> {
    v.as_object().unwrap().keys().cloned().collect()
}

fn corpus(name: &str) -> Value {
    let p = shared("corpus/auth-strengths").join(name);
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

fn message(b: &Value) -> String {
    b["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

fn despace(v: &Value) -> Value {
    match v {
        Value::String(s) => json!(s.replace(", ", ",")),
        Value::Array(a) => Value::Array(a.iter().map(despace).collect()),
        other => other.clone(),
    }
}

fn is_graph_timestamp(s: &str) -> bool {
    s.len() == 28 && s.ends_with('Z') && s.as_bytes()[19] == b'.'
}

// ---------------------------------------------------------------------------------------------
// Built-ins

#[tokio::test]
async fn list_holds_the_three_built_ins_as_real_tenants_return_them() {
    let t = Tenant::new().await;
    let base = t.sim.info().graph_endpoint.clone();
    let (s, list) = t.call(Method::GET, &format!("/v1.0{COLL}"), None).await;
    assert_eq!(s, 200);
    assert_eq!(
        list["@odata.context"],
        format!("{base}/v1.0/$metadata#policies/authenticationStrengthPolicies")
    );
    let items = list["value"].as_array().unwrap();
    assert_eq!(items.len(), 3);

    // Real tenant data (corpus) for 0002 and 0004; 0003 has only the docs' copy, whose
    // timestamps are the older 00:00 (graph-api.md §12).
    let mut passwordless = corpus("006-graphdocs-v1-list-builtin-passwordless-mfa.json");
    passwordless["createdDateTime"] = json!("2021-12-01T08:00:00Z");
    passwordless["modifiedDateTime"] = json!("2021-12-01T08:00:00Z");
    let real = [
        corpus("001-embedded-multifactor-authentication-17combos.json"),
        passwordless,
        corpus("002-embedded-phishing-resistant-mfa-3combos.json"),
    ];
    let doc = example("authstrength.list.response.json");
    for (i, (got, want)) in items.iter().zip(&real).enumerate() {
        let id = want["id"].as_str().unwrap();
        assert_eq!(
            got["combinationConfigurations@odata.context"],
            format!("{base}/v1.0/$metadata#policies/authenticationStrengthPolicies('{id}')/combinationConfigurations")
        );
        assert_eq!(
            &without(got, &["combinationConfigurations@odata.context"]),
            want,
            "{id}"
        );
        // Same members, same order as the docs' list response.
        let doc_item = &doc["value"][i];
        assert_eq!(keys(got), keys(doc_item), "{id}");
        assert_eq!(got["id"], doc_item["id"]);
        assert_eq!(got["policyType"], "builtIn");
        assert_eq!(got["requirementsSatisfied"], "mfa");
    }
    assert_eq!(
        items[0]["allowedCombinations"].as_array().unwrap().len(),
        17
    );
    // The documented disagreements with the docs' sample, and nothing else.
    let doc_combos: Vec<&Value> = doc["value"][0]["allowedCombinations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| {
            *c != "password,x509CertificateSingleFactor"
                && *c != "password,x509CertificateMultiFactor"
        })
        .collect();
    let got_combos: Vec<&Value> = items[0]["allowedCombinations"]
        .as_array()
        .unwrap()
        .iter()
        .collect();
    assert_eq!(got_combos, doc_combos);
    assert_eq!(items[1]["displayName"], doc["value"][1]["displayName"]);
    assert_eq!(items[1]["description"], doc["value"][1]["description"]);
    assert_eq!(items[2]["displayName"], "Phishing-resistant MFA");

    // The alias serves the same, with its own contexts; beta too.
    let (s, alias) = t.call(Method::GET, &format!("/beta{ALIAS}"), None).await;
    assert_eq!(s, 200);
    assert_eq!(
        alias["@odata.context"],
        format!("{base}/beta/$metadata#identity/conditionalAccess/authenticationStrength/policies")
    );
    for (a, b) in alias["value"].as_array().unwrap().iter().zip(items) {
        let drop = ["combinationConfigurations@odata.context"];
        assert_eq!(without(a, &drop), without(b, &drop));
    }

    // GET by id, case-insensitive; unknown id 404.
    for id in [MFA, PASSWORDLESS, PHISHING_RESISTANT] {
        let (s, b) = t.get(id).await;
        assert_eq!(s, 200);
        assert_eq!(
            b["@odata.context"],
            format!("{base}/v1.0/$metadata#policies/authenticationStrengthPolicies/$entity")
        );
        assert_eq!(b["id"], id);
    }
    let (s, b) = t.get("00000000-0000-0000-0000-000000000001").await;
    assert_eq!(s, 404);
    assert_eq!(assert_graph_error(&b), "ResourceNotFound");
}

#[tokio::test]
async fn built_ins_cannot_be_changed_or_deleted() {
    let t = Tenant::new().await;
    for id in [MFA, PASSWORDLESS, PHISHING_RESISTANT] {
        for (method, path, body) in [
            (
                Method::PATCH,
                format!("/v1.0{COLL}/{id}"),
                Some(json!({"displayName": "mine"})),
            ),
            (Method::DELETE, format!("/v1.0{COLL}/{id}"), None),
            (
                Method::POST,
                format!("/v1.0{COLL}/{id}/updateAllowedCombinations"),
                Some(json!({"allowedCombinations": ["fido2"]})),
            ),
            (
                Method::POST,
                format!("/v1.0{COLL}/{id}/combinationConfigurations"),
                Some(example(
                    "authstrength.combinationConfiguration.create.request.json",
                )),
            ),
        ] {
            let (s, b) = t.call(method.clone(), &path, body.as_ref()).await;
            assert_eq!(s, 400, "{method} {path}: {b}");
            assert_eq!(assert_graph_error(&b), "BadRequest");
            assert!(message(&b).contains("built-in"), "{b}");
        }
    }
    let (_, b) = t.get(MFA).await;
    assert_eq!(b["displayName"], "Multifactor authentication");
}

// ---------------------------------------------------------------------------------------------
// Custom strengths

#[tokio::test]
async fn create_example_replays_with_normalised_combinations() {
    let t = Tenant::new().await;
    let base = t.sim.info().graph_endpoint.clone();
    let request = example("authstrength.create.request.json");
    let expected = example("authstrength.create.response.json");
    let (s, h, got) = send(
        &t.client,
        Method::POST,
        &graph_url(&t.sim, &format!("/v1.0{COLL}")),
        &t.token,
        Some(&request),
    )
    .await;
    let got = got.unwrap();
    assert_eq!(s, 201, "{got}");
    let id = got["id"].as_str().unwrap().to_string();
    uuid::Uuid::parse_str(&id).unwrap();
    assert!(h["location"].to_str().unwrap().ends_with(&id));
    assert_eq!(
        got["@odata.context"],
        format!("{base}/v1.0/$metadata#policies/authenticationStrengthPolicies/$entity")
    );
    assert_eq!(
        got["combinationConfigurations@odata.context"],
        format!("{base}/v1.0/$metadata#policies/authenticationStrengthPolicies('{id}')/combinationConfigurations")
    );
    let created = got["createdDateTime"].as_str().unwrap();
    assert!(is_graph_timestamp(created), "{created}");
    assert_eq!(got["modifiedDateTime"], got["createdDateTime"]);
    // The docs' response, with the doc artefacts corrected: no `@odata.type`
    // ("authenticationStrengthPolicy" in the sample) and combinations without the space.
    let volatile = [
        "@odata.context",
        "@odata.type",
        "combinationConfigurations@odata.context",
        "id",
        "createdDateTime",
        "modifiedDateTime",
    ];
    let mut want = without(&expected, &volatile);
    want["allowedCombinations"] = despace(&want["allowedCombinations"]);
    assert_eq!(without(&got, &volatile), want);
    assert_eq!(
        got["allowedCombinations"],
        json!(["password,hardwareOath", "password,sms"])
    );

    // Listed after the built-ins; GET returns it.
    let (_, list) = t.call(Method::GET, &format!("/v1.0{COLL}"), None).await;
    let items = list["value"].as_array().unwrap();
    assert_eq!(items.len(), 4);
    assert_eq!(items[3]["id"], id.as_str());
    let (s, again) = t.get(&id).await;
    assert_eq!(s, 200);
    assert_eq!(again, got);
    assert_eq!(t.sim.custom_auth_strength_ids(), vec![id]);
}

#[tokio::test]
async fn combinations_are_validated_and_normalised() {
    let t = Tenant::new().await;
    let (s, b) = t
        .post(&json!({"displayName": "n", "allowedCombinations": [
            "sms, password", "fido2", "password,sms", "federatedSingleFactor, microsoftAuthenticatorPush",
            "password,x509CertificateSingleFactor", "temporaryAccessPassOneTime"
        ]}))
        .await;
    assert_eq!(s, 201, "{b}");
    // Modes in declaration order, no space, repeated combinations dropped.
    assert_eq!(
        b["allowedCombinations"],
        json!([
            "password,sms",
            "fido2",
            "microsoftAuthenticatorPush,federatedSingleFactor",
            "password,x509CertificateSingleFactor",
            "temporaryAccessPassOneTime"
        ])
    );
    assert_eq!(b["policyType"], "custom");
    assert_eq!(b["requirementsSatisfied"], "mfa");
    assert_eq!(b["description"], Value::Null);
    assert_eq!(b["combinationConfigurations"], json!([]));

    for (combos, needle) in [
        (json!(["voice"]), "second factor"),
        (json!(["email"]), "second factor"),
        (json!(["fido2", "softwareOath"]), "second factor"),
        (json!(["password,fido2"]), "not a supported"),
        (json!(["sms,voice"]), "not a supported"),
        (json!(["password,sms,voice"]), "not a supported"),
        (json!(["password,password"]), "twice"),
        (json!(["password,"]), "empty mode"),
        (json!(["passkey"]), "not a valid authenticationMethodModes"),
        (
            json!(["unknownFutureValue"]),
            "not a valid authenticationMethodModes",
        ),
        (
            json!(["qrCodePin"]),
            "not a valid authenticationMethodModes",
        ),
        (json!([]), "at least one"),
        (json!("fido2"), "collection"),
        (json!([1]), "string"),
    ] {
        let (s, b) = t
            .post(&json!({"displayName": "bad", "allowedCombinations": combos}))
            .await;
        assert_eq!(s, 400, "{combos}: {b}");
        assert_eq!(assert_graph_error(&b), "BadRequest");
        assert!(
            message(&b).contains(needle),
            "{combos}: {needle:?} not in {b}"
        );
    }
    // Required members; unknown members.
    let (s, b) = t.post(&json!({"displayName": "x"})).await;
    assert_eq!(s, 400);
    assert!(message(&b).contains("allowedCombinations"));
    let (s, b) = t.post(&json!({"allowedCombinations": ["fido2"]})).await;
    assert_eq!(s, 400);
    assert!(message(&b).contains("displayName"));
    let (s, b) = t
        .post(&json!({"displayName": "x", "allowedCombinations": ["fido2"], "strength": 1}))
        .await;
    assert_eq!(s, 400);
    assert!(message(&b).contains("'strength' does not exist"));

    // qrCodePin is an evolvable member: accepted with the Prefer header.
    let resp = t
        .client
        .post(graph_url(&t.sim, &format!("/beta{COLL}")))
        .bearer_auth(&t.token)
        .header("Prefer", "include-unknown-enum-members")
        .json(&json!({"displayName": "qr", "allowedCombinations": ["qrCodePin"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
}

#[tokio::test]
async fn patch_changes_only_name_and_description() {
    let t = Tenant::new().await;
    let id = t.create("Before", &["fido2"]).await;
    let (_, before) = t.get(&id).await;
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let patch = example("authstrength.patch.request.json");
    let (s, b) = t
        .call(Method::PATCH, &format!("/v1.0{COLL}/{id}"), Some(&patch))
        .await;
    assert_eq!(s, 204, "{b}");
    let (_, after) = t.get(&id).await;
    assert_eq!(after["displayName"], patch["displayName"]);
    assert_eq!(after["description"], patch["description"]);
    assert_eq!(after["allowedCombinations"], json!(["fido2"]));
    assert_eq!(after["createdDateTime"], before["createdDateTime"]);
    assert_ne!(after["modifiedDateTime"], before["modifiedDateTime"]);

    for (body, needle) in [
        (
            json!({"allowedCombinations": ["password,sms"]}),
            "updateAllowedCombinations",
        ),
        (json!({"displayName": ""}), "cannot be empty"),
        (json!({"displayName": null}), "string"),
        (json!({"colour": "red"}), "'colour' does not exist"),
    ] {
        let (s, b) = t
            .call(Method::PATCH, &format!("/v1.0{COLL}/{id}"), Some(&body))
            .await;
        assert_eq!(s, 400, "{body}: {b}");
        assert!(message(&b).contains(needle), "{b}");
    }
    // Through the alias, description can be cleared.
    let (s, _) = t
        .call(
            Method::PATCH,
            &format!("/beta{ALIAS}/{id}"),
            Some(&json!({"description": null})),
        )
        .await;
    assert_eq!(s, 204);
    assert_eq!(t.get(&id).await.1["description"], Value::Null);
    let (s, _) = t
        .call(
            Method::PATCH,
            &format!("/v1.0{COLL}/0b1c0000-0000-4000-8000-000000000000"),
            Some(&json!({"displayName": "x"})),
        )
        .await;
    assert_eq!(s, 404);
}

#[tokio::test]
async fn update_allowed_combinations_example_replays_with_references() {
    let t = Tenant::new().await;
    let id = t
        .create("My Custom Strength", &["fido2", "password, voice"])
        .await;
    let pid = t.policy_requiring(&id).await;
    let request = example("authstrength.updateAllowedCombinations.request.json");
    let expected = example("authstrength.updateAllowedCombinations.response.json");
    let (s, got) = t
        .call(
            Method::POST,
            &format!("/v1.0{COLL}/{id}/updateAllowedCombinations"),
            Some(&request),
        )
        .await;
    assert_eq!(s, 200, "{got}");
    let mut want = expected.clone();
    want["previousCombinations"] = despace(&want["previousCombinations"]);
    want["currentCombinations"] = despace(&want["currentCombinations"]);
    want["conditionalAccessReferences"] = json!([pid]);
    assert_eq!(without(&got, &["@odata.context"]), want);
    assert_eq!(
        t.get(&id).await.1["allowedCombinations"],
        json!(["password,voice"])
    );

    // Unchanged combinations: no warning.
    let (_, got) = t.update_combos(&id, &["password,voice"]).await;
    assert_eq!(got["additionalInformation"], Value::Null);
    assert_eq!(got["conditionalAccessReferences"], json!([pid]));
    // Adding a weaker combination while referenced: warning as well.
    let (_, got) = t
        .update_combos(&id, &["password,voice", "password,sms"])
        .await;
    assert!(got["additionalInformation"].is_string(), "{got}");
    // Not referenced: no warning, no references.
    let other = t
        .create("Unused", &["fido2", "windowsHelloForBusiness"])
        .await;
    let (s, got) = t.update_combos(&other, &["fido2"]).await;
    assert_eq!(s, 200);
    assert_eq!(
        got["previousCombinations"],
        json!(["fido2", "windowsHelloForBusiness"])
    );
    assert_eq!(got["currentCombinations"], json!(["fido2"]));
    assert_eq!(got["conditionalAccessReferences"], json!([]));
    assert_eq!(got["additionalInformation"], Value::Null);

    // Invalid requests.
    for body in [
        json!({}),
        json!({"allowedCombinations": []}),
        json!({"allowedCombinations": ["voice"]}),
        json!({"allowedCombinations": ["fido2"], "displayName": "x"}),
    ] {
        let (s, b) = t
            .call(
                Method::POST,
                &format!("/v1.0{COLL}/{other}/updateAllowedCombinations"),
                Some(&body),
            )
            .await;
        assert_eq!(s, 400, "{body}: {b}");
    }
    let (s, _) = t
        .update_combos("0b1c0000-0000-4000-8000-000000000000", &["fido2"])
        .await;
    assert_eq!(s, 404);
    // The qualified action name works through the alias too.
    let (s, _) = t
        .call(
            Method::POST,
            &format!("/beta{ALIAS}/{other}/microsoft.graph.updateAllowedCombinations"),
            Some(&json!({"allowedCombinations": ["fido2"]})),
        )
        .await;
    assert_eq!(s, 200);
}

#[tokio::test]
async fn ca_policies_reference_custom_strengths_inline() {
    let t = Tenant::new().await;
    let base = t.sim.info().graph_endpoint.clone();
    let id = t.create("Keys only", &["fido2"]).await;
    let pid = t.policy_requiring(&id.to_uppercase()).await;
    let (s, p) = t.call(Method::GET, &format!("/v1.0{CA}/{pid}"), None).await;
    assert_eq!(s, 200);
    let g = &p["grantControls"];
    assert_eq!(
        g["authenticationStrength@odata.context"],
        format!("{base}/v1.0/$metadata#identity/conditionalAccess/policies('{pid}')/grantControls/authenticationStrength/$entity")
    );
    let (_, own) = t.get(&id).await;
    let strip = ["@odata.context", "combinationConfigurations@odata.context"];
    assert_eq!(
        without(&g["authenticationStrength"], &strip),
        without(&own, &strip)
    );
    // Renaming the strength shows in the policy.
    t.call(
        Method::PATCH,
        &format!("/v1.0{COLL}/{id}"),
        Some(&json!({"displayName": "FIDO2 keys"})),
    )
    .await;
    let (_, p) = t.call(Method::GET, &format!("/beta{CA}/{pid}"), None).await;
    assert_eq!(
        p["grantControls"]["authenticationStrength"]["displayName"],
        "FIDO2 keys"
    );
    // An unknown strength is still refused.
    let (s, _) = t
        .call(
            Method::POST,
            &format!("/v1.0{CA}"),
            Some(&json!({
                "displayName": "x", "state": "enabled",
                "conditions": {"clientAppTypes": ["all"], "applications": {"includeApplications": ["All"]}, "users": {"includeUsers": ["All"]}},
                "grantControls": {"operator": "OR", "authenticationStrength": {"id": "0b1c0000-0000-4000-8000-000000000000"}}
            })),
        )
        .await;
    assert_eq!(s, 400);
}

#[tokio::test]
async fn delete_is_refused_while_referenced_and_usage_lists_the_policies() {
    let t = Tenant::new().await;
    let id = t.create("Referenced", &["fido2"]).await;
    let p1 = t.policy_requiring(&id).await;
    let p2 = t.sim.put_raw_policy(json!({
        "displayName": "raw", "state": "disabled",
        "grantControls": {"operator": "OR", "authenticationStrength": {"id": id}}
    }));
    let (s, b) = t
        .call(Method::DELETE, &format!("/v1.0{COLL}/{id}"), None)
        .await;
    assert_eq!(s, 400);
    assert_eq!(assert_graph_error(&b), "BadRequest");
    let m = message(&b);
    assert!(m.contains(&p1) && m.contains(&p2), "{m}");

    // usage: {mfa: [policies], none: []}.
    let (s, u) = t
        .call(Method::GET, &format!("/v1.0{COLL}/{id}/usage"), None)
        .await;
    assert_eq!(s, 200, "{u}");
    let mfa: Vec<&str> = u["mfa"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert_eq!(mfa, vec![p1.as_str(), p2.as_str()]);
    assert_eq!(u["mfa"][0]["displayName"], "Strong auth");
    assert_eq!(u["none"], json!([]));
    // Built-ins have usage too; unknown ids 404.
    let builtin_user = t.policy_requiring(PHISHING_RESISTANT).await;
    let (s, u) = t
        .call(
            Method::GET,
            &format!("/beta{ALIAS}/{PHISHING_RESISTANT}/microsoft.graph.usage"),
            None,
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(u["mfa"][0]["id"], builtin_user.as_str());
    let (s, _) = t
        .call(
            Method::GET,
            &format!("/v1.0{COLL}/0b1c0000-0000-4000-8000-000000000000/usage"),
            None,
        )
        .await;
    assert_eq!(s, 404);

    for p in [&p1, &p2] {
        t.call(Method::DELETE, &format!("/v1.0{CA}/{p}"), None)
            .await;
    }
    let (s, _) = t
        .call(Method::DELETE, &format!("/v1.0{COLL}/{id}"), None)
        .await;
    assert_eq!(s, 204);
    assert_eq!(t.get(&id).await.0, 404);
    let (s, _) = t
        .call(Method::DELETE, &format!("/v1.0{COLL}/{id}"), None)
        .await;
    assert_eq!(s, 404);
}

#[tokio::test]
async fn combination_configurations_crud() {
    let t = Tenant::new().await;
    let base = t.sim.info().graph_endpoint.clone();
    let id = t
        .create(
            "Keys",
            &[
                "fido2",
                "x509CertificateMultiFactor",
                "password,x509CertificateSingleFactor",
                "password,sms",
            ],
        )
        .await;
    let configs = format!("/v1.0{COLL}/{id}/combinationConfigurations");

    // The docs' example.
    let request = example("authstrength.combinationConfiguration.create.request.json");
    let expected = example("authstrength.combinationConfiguration.create.response.json");
    let (s, got) = t.call(Method::POST, &configs, Some(&request)).await;
    assert_eq!(s, 201, "{got}");
    assert_eq!(
        got["@odata.context"],
        format!("{base}/v1.0/$metadata#policies/authenticationStrengthPolicies('{id}')/combinationConfigurations/$entity")
    );
    let cid = got["id"].as_str().unwrap().to_string();
    uuid::Uuid::parse_str(&cid).unwrap();
    assert_eq!(
        without(&got, &["@odata.context", "id"]),
        without(&expected, &["id"])
    );
    assert_eq!(keys(&without(&got, &["@odata.context"])), keys(&expected));

    // Listed, readable, and inline in the strength.
    let (s, list) = t.call(Method::GET, &configs, None).await;
    assert_eq!(s, 200);
    assert_eq!(
        list["@odata.context"],
        format!("{base}/v1.0/$metadata#policies/authenticationStrengthPolicies('{id}')/combinationConfigurations")
    );
    assert_eq!(list["value"], json!([without(&got, &["@odata.context"])]));
    let (s, one) = t.call(Method::GET, &format!("{configs}/{cid}"), None).await;
    assert_eq!(s, 200);
    assert_eq!(one, got);
    assert_eq!(
        t.get(&id).await.1["combinationConfigurations"],
        list["value"]
    );

    // x509 configuration.
    let (s, x) = t
        .call(
            Method::POST,
            &configs,
            Some(&json!({
                "@odata.type": "#microsoft.graph.x509CertificateCombinationConfiguration",
                "allowedIssuerSkis": ["9A4248C6AC8C2931AB2A86537818E92E7B6C97B6"],
                "allowedPolicyOIDs": ["1.2.3.4"],
                "appliesToCombinations": ["x509CertificateMultiFactor", "x509CertificateSingleFactor, password"]
            })),
        )
        .await;
    assert_eq!(s, 201, "{x}");
    assert_eq!(
        x["appliesToCombinations"],
        json!([
            "x509CertificateMultiFactor",
            "password,x509CertificateSingleFactor"
        ])
    );
    assert_eq!(
        x["@odata.type"],
        "#microsoft.graph.x509CertificateCombinationConfiguration"
    );
    let xid = x["id"].as_str().unwrap().to_string();

    // Errors.
    for (body, needle) in [
        (
            json!({"allowedAAGUIDs": [], "appliesToCombinations": ["fido2"]}),
            "@odata.type",
        ),
        (
            json!({"@odata.type": "#microsoft.graph.fido2CombinationConfiguration", "allowedAAGUIDs": ["not-a-guid"], "appliesToCombinations": ["fido2"]}),
            "not a valid value for 'allowedAAGUIDs'",
        ),
        (
            json!({"@odata.type": "#microsoft.graph.fido2CombinationConfiguration", "appliesToCombinations": ["password,sms"]}),
            "cannot be configured",
        ),
        (
            json!({"@odata.type": "#microsoft.graph.fido2CombinationConfiguration", "appliesToCombinations": ["fido2"]}),
            "already has a combination configuration",
        ),
        (
            json!({"@odata.type": "#microsoft.graph.x509CertificateCombinationConfiguration", "appliesToCombinations": ["password,x509CertificateMultiFactor"]}),
            "not in the allowedCombinations",
        ),
        (
            json!({"@odata.type": "#microsoft.graph.x509CertificateCombinationConfiguration", "allowedPolicyOIDs": ["abc"], "appliesToCombinations": ["x509CertificateMultiFactor"]}),
            "allowedPolicyOIDs",
        ),
        (
            json!({"@odata.type": "#microsoft.graph.fido2CombinationConfiguration"}),
            "appliesToCombinations",
        ),
    ] {
        let (s, b) = t.call(Method::POST, &configs, Some(&body)).await;
        assert_eq!(s, 400, "{body}: {b}");
        assert!(message(&b).contains(needle), "{needle:?} not in {b}");
    }

    // PATCH merges; the type cannot change.
    let (s, b) = t
        .call(
            Method::PATCH,
            &format!("{configs}/{cid}"),
            Some(&json!({"allowedAAGUIDs": ["cb69481e-8ff7-4039-93ec-0a2729a154a8"]})),
        )
        .await;
    assert_eq!(s, 204, "{b}");
    let (_, one) = t.call(Method::GET, &format!("{configs}/{cid}"), None).await;
    assert_eq!(
        one["allowedAAGUIDs"],
        json!(["cb69481e-8ff7-4039-93ec-0a2729a154a8"])
    );
    assert_eq!(one["appliesToCombinations"], json!(["fido2"]));
    let (s, _) = t
        .call(
            Method::PATCH,
            &format!("{configs}/{cid}"),
            Some(
                &json!({"@odata.type": "#microsoft.graph.x509CertificateCombinationConfiguration"}),
            ),
        )
        .await;
    assert_eq!(s, 400);

    // DELETE.
    let (s, _) = t
        .call(Method::DELETE, &format!("{configs}/{xid}"), None)
        .await;
    assert_eq!(s, 204);
    let (s, b) = t.call(Method::GET, &format!("{configs}/{xid}"), None).await;
    assert_eq!(s, 404);
    assert_eq!(assert_graph_error(&b), "ResourceNotFound");
    let (s, list) = t.call(Method::GET, &configs, None).await;
    assert_eq!(s, 200);
    assert_eq!(list["value"].as_array().unwrap().len(), 1);
    // Built-ins list none.
    let (s, list) = t
        .call(
            Method::GET,
            &format!("/v1.0{COLL}/{MFA}/combinationConfigurations"),
            None,
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(list["value"], json!([]));
}

#[tokio::test]
async fn at_most_15_custom_strengths_and_filters() {
    let t = Tenant::new().await;
    for i in 0..15 {
        t.create(&format!("custom {i}"), &["fido2"]).await;
    }
    let (s, b) = t
        .post(&json!({"displayName": "16th", "allowedCombinations": ["fido2"]}))
        .await;
    assert_eq!(s, 400);
    assert!(message(&b).contains("maximum of 15"), "{b}");

    let count = |filter: &'static str| {
        let t = &t;
        async move {
            let url = with_query(
                &graph_url(&t.sim, &format!("/v1.0{COLL}")),
                &[("$filter", filter)],
            );
            let (s, _, b) = send(&t.client, Method::GET, &url, &t.token, None).await;
            assert_eq!(s, 200, "{filter}");
            b.unwrap()["value"].as_array().unwrap().len()
        }
    };
    assert_eq!(count("policyType eq 'builtIn'").await, 3);
    assert_eq!(count("policyType eq 'custom'").await, 15);
    assert_eq!(count("displayName eq 'custom 7'").await, 1);
    assert_eq!(
        count("displayName eq 'Passwordless MFA' and policyType eq 'builtIn'").await,
        1
    );
    let url = with_query(
        &graph_url(&t.sim, &format!("/v1.0{COLL}")),
        &[("$filter", "requirementsSatisfied eq 'mfa'")],
    );
    let (s, _, _) = send(&t.client, Method::GET, &url, &t.token, None).await;
    assert_eq!(s, 400);
}

#[tokio::test]
async fn seeded_corpus_custom_strength_is_loaded_and_built_ins_stay_real() {
    let t = Tenant::with(SimOptions {
        seed_dir: Some(shared("corpus")),
        ..Default::default()
    })
    .await;
    let file = corpus("009-graphdocs-v1-post-custom-response.json");
    let id = file["id"].as_str().unwrap();
    assert_eq!(t.sim.custom_auth_strength_ids(), vec![id.to_string()]);
    let (s, got) = t.get(id).await;
    assert_eq!(s, 200);
    let mut want = without(&file, &["@odata.type"]);
    want["allowedCombinations"] = despace(&want["allowedCombinations"]);
    assert_eq!(
        without(
            &got,
            &["@odata.context", "combinationConfigurations@odata.context"]
        ),
        want
    );
    // Built-ins are not replaced by the corpus' doc-era copies.
    let (_, mfa) = t.get(MFA).await;
    assert_eq!(mfa["allowedCombinations"].as_array().unwrap().len(), 17);
    assert_eq!(mfa["createdDateTime"], "2021-12-01T08:00:00Z");
    let (_, list) = t.call(Method::GET, &format!("/v1.0{COLL}"), None).await;
    assert_eq!(list["value"].as_array().unwrap().len(), 4);
}

/// A request carrying `Prefer: include-unknown-enum-members`.
async fn call_with_prefer(t: &Tenant, method: Method, path: &str, body: Option<&Value>) -> Value {
    let mut rb = t
        .client
        .request(method, graph_url(&t.sim, path))
        .bearer_auth(&t.token)
        .header("Prefer", "include-unknown-enum-members");
    if let Some(b) = body {
        rb = rb.json(b);
    }
    let resp = rb.send().await.unwrap();
    assert!(resp.status().is_success(), "{path}: {}", resp.status());
    resp.json().await.unwrap()
}

/// qrCodePin (after unknownFutureValue in authenticationMethodModes) reads as
/// unknownFutureValue without the Prefer header wherever a strength's combinations are shown:
/// a policy's expanded strength (GET, list, usage) and the updateAllowedCombinations answer.
#[tokio::test]
async fn evolvable_modes_are_masked_in_policies_and_update_allowed_combinations() {
    let t = Tenant::new().await;
    let created = call_with_prefer(
        &t,
        Method::POST,
        &format!("/v1.0{COLL}"),
        Some(&json!({"displayName": "qr", "allowedCombinations": ["qrCodePin", "fido2"]})),
    )
    .await;
    let sid = created["id"].as_str().unwrap().to_string();
    let pid = t.policy_requiring(&sid).await;
    let combos =
        |p: &Value| p["grantControls"]["authenticationStrength"]["allowedCombinations"].clone();
    let masked = json!(["unknownFutureValue", "fido2"]);

    let (s, policy) = t.call(Method::GET, &format!("/v1.0{CA}/{pid}"), None).await;
    assert_eq!(s, 200);
    assert_eq!(combos(&policy), masked);
    let (_, list) = t.call(Method::GET, &format!("/beta{CA}"), None).await;
    assert_eq!(combos(&list["value"][0]), masked);
    let (_, usage) = t
        .call(Method::GET, &format!("/v1.0{COLL}/{sid}/usage"), None)
        .await;
    assert_eq!(combos(&usage["mfa"][0]), masked);
    let asked = call_with_prefer(&t, Method::GET, &format!("/v1.0{CA}/{pid}"), None).await;
    assert_eq!(combos(&asked), json!(["qrCodePin", "fido2"]));

    let (s, b) = t.update_combos(&sid, &["fido2"]).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["previousCombinations"], masked);
    let b = call_with_prefer(
        &t,
        Method::POST,
        &format!("/v1.0{COLL}/{sid}/updateAllowedCombinations"),
        Some(&json!({"allowedCombinations": ["qrCodePin"]})),
    )
    .await;
    assert_eq!(b["currentCombinations"], json!(["qrCodePin"]));
    let (_, b) = t.update_combos(&sid, &["fido2"]).await;
    assert_eq!(b["previousCombinations"], json!(["unknownFutureValue"]));
}
