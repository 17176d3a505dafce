//! Conditional Access policies: CRUD on v1.0 and beta, rendering defaults, validation,
//! normalisation, seeding from the corpus, rate limit. Replays the reference examples.

mod common;

use common::*;
use entra_graph_sim::{SimOptions, Simulator};
use reqwest::{Client, Method};
use serde_json::{json, Value};

const COLL: &str = "/identity/conditionalAccess/policies";
const ALIAS: &str = "/policies/conditionalAccessPolicies";

struct T {
    sim: Simulator,
    client: Client,
    token: String,
}

impl T {
    async fn new() -> T {
        Self::with(SimOptions::default()).await
    }

    async fn with(opts: SimOptions) -> T {
        let (sim, client) = start(opts).await;
        let token = sim.mint_app_token();
        T { sim, client, token }
    }

    async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> (u16, reqwest::header::HeaderMap, Option<Value>) {
        send(
            &self.client,
            method,
            &graph_url(&self.sim, path),
            &self.token,
            body,
        )
        .await
    }

    async fn post(&self, version: &str, body: &Value) -> (u16, Value) {
        let (s, _, b) = self
            .call(Method::POST, &format!("/{version}{COLL}"), Some(body))
            .await;
        (s, b.unwrap_or(Value::Null))
    }

    /// POST that must succeed; returns the id.
    async fn create(&self, version: &str, body: &Value) -> String {
        let (s, b) = self.post(version, body).await;
        assert_eq!(s, 201, "create failed: {b}");
        b["id"].as_str().unwrap().to_string()
    }

    async fn patch(&self, version: &str, id: &str, body: &Value) -> (u16, Value) {
        let (s, _, b) = self
            .call(Method::PATCH, &format!("/{version}{COLL}/{id}"), Some(body))
            .await;
        (s, b.unwrap_or(Value::Null))
    }

    async fn get(&self, version: &str, id: &str) -> Value {
        let (s, _, b) = self
            .call(Method::GET, &format!("/{version}{COLL}/{id}"), None)
            .await;
        assert_eq!(s, 200, "GET {id}: {b:?}");
        b.unwrap()
    }
}

/// A valid v1.0 policy (MFA for all users on all apps).
fn minimal() -> Value {
    json!({
        "displayName": "Require MFA",
        "state": "enabled",
        "conditions": {
            "clientAppTypes": ["all"],
            "applications": {"includeApplications": ["All"]},
            "users": {"includeUsers": ["All"]}
        },
        "grantControls": {"operator": "OR", "builtInControls": ["mfa"]}
    })
}

/// `minimal()` with `patch` merged in at JSON-pointer-like paths ("conditions.platforms").
fn with(mut base: Value, sets: &[(&str, Value)]) -> Value {
    for (path, v) in sets {
        let mut cur = &mut base;
        let parts: Vec<&str> = path.split('.').collect();
        for p in &parts[..parts.len() - 1] {
            cur = cur
                .as_object_mut()
                .unwrap()
                .entry(p.to_string())
                .or_insert_with(|| json!({}));
        }
        let last = parts[parts.len() - 1];
        if v == &json!("<remove>") {
            cur.as_object_mut().unwrap().remove(last);
        } else {
            cur[last] = v.clone();
        }
    }
    base
}

fn strip_annotations(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(k, _)| !k.starts_with('@') && !k.contains("@odata."))
                .map(|(k, v)| (k.clone(), strip_annotations(v)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(strip_annotations).collect()),
        other => other.clone(),
    }
}

fn without(v: &Value, keys: &[&str]) -> Value {
    let mut m = v.as_object().unwrap().clone();
    for k in keys {
        m.remove(*k);
    }
    Value::Object(m)
}

fn is_graph_timestamp(s: &str) -> bool {
    // 2025-01-27T07:20:59.2720129Z
    s.len() == 28
        && s.ends_with('Z')
        && s.as_bytes()[19] == b'.'
        && s[20..27].bytes().all(|b| b.is_ascii_digit())
}

/// 400 BadRequest with the 1007 text in the top-level message (error.ca-1007-schema.json).
fn assert_1007(status: u16, body: &Value) {
    assert_eq!(status, 400, "{body}");
    assert_eq!(assert_graph_error(body), "BadRequest");
    let real = example("error.ca-1007-schema.json");
    assert_eq!(body["error"]["message"], real["error"]["message"], "{body}");
}

/// 400 BadRequest, generic top message, numbered text in innerError.message.
fn assert_inner(status: u16, body: &Value, example_name: &str) {
    assert_eq!(status, 400, "{body}");
    let real = example(example_name);
    assert_eq!(body["error"]["code"], "BadRequest");
    assert_eq!(body["error"]["message"], real["error"]["message"]);
    assert_eq!(
        body["error"]["innerError"]["message"],
        real["error"]["innerError"]["message"]
    );
    for k in ["date", "request-id", "client-request-id"] {
        assert!(body["error"]["innerError"][k].is_string(), "{body}");
    }
}

/// 400 BadRequest whose message mentions `needle`.
fn assert_bad_request(status: u16, body: &Value, needle: &str) {
    assert_eq!(status, 400, "{body}");
    assert_eq!(assert_graph_error(body), "BadRequest");
    let m = body["error"]["message"].as_str().unwrap();
    assert!(
        m.contains(needle),
        "message {m:?} should mention {needle:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// Reading (the original read-only test) and the reference examples

#[tokio::test]
async fn stored_policies_are_listed_and_read_by_id() {
    let t = T::new().await;
    let id = t
        .sim
        .put_raw_policy(json!({"displayName": "CA001", "state": "enabled"}));
    for version in ["v1.0", "beta"] {
        let (s, _, list) = t
            .call(Method::GET, &format!("/{version}{COLL}"), None)
            .await;
        assert_eq!(s, 200);
        let list = list.unwrap();
        assert_eq!(list["value"][0]["id"], id.as_str());
        assert_eq!(list["value"][0]["displayName"], "CA001");
        assert!(list["@odata.context"]
            .as_str()
            .unwrap()
            .ends_with("identity/conditionalAccess/policies"));
        let one = t.get(version, &id).await;
        assert_eq!(one["state"], "enabled");
        let (s, _, b) = t
            .call(
                Method::GET,
                &format!("/{version}{COLL}/00000000-0000-0000-0000-000000000001"),
                None,
            )
            .await;
        assert_eq!(s, 404);
        assert_eq!(assert_graph_error(&b.unwrap()), "ResourceNotFound");
    }
}

#[tokio::test]
async fn create_example_matches_reference_response() {
    let t = T::new().await;
    let request = example("ca-policy.create.request.json");
    let (s, h, resp) = t
        .call(Method::POST, &format!("/v1.0{COLL}"), Some(&request))
        .await;
    assert_eq!(s, 201);
    let resp = resp.unwrap();
    let id = resp["id"].as_str().unwrap();
    uuid::Uuid::parse_str(id).expect("id is a GUID");
    assert_eq!(
        resp["@odata.context"],
        format!(
            "{}/v1.0/$metadata#identity/conditionalAccess/policies/$entity",
            t.sim.info().graph_endpoint
        )
    );
    assert!(is_graph_timestamp(
        resp["createdDateTime"].as_str().unwrap()
    ));
    assert_eq!(resp["modifiedDateTime"], Value::Null);
    assert!(h["location"].to_str().unwrap().ends_with(id));

    // The 2019 doc response plus what the current service adds (see its source note).
    let expected = with(
        example("ca-policy.create.response.json"),
        &[
            ("templateId", Value::Null),
            ("deletedDateTime", Value::Null),
            ("conditions.userRiskLevels", json!([])),
            ("conditions.devices", Value::Null),
            ("conditions.clientApplications", Value::Null),
            (
                "conditions.applications.includeAuthenticationContextClassReferences",
                json!([]),
            ),
            ("conditions.applications.applicationFilter", Value::Null),
            ("conditions.users.includeGuestsOrExternalUsers", Value::Null),
            ("conditions.users.excludeGuestsOrExternalUsers", Value::Null),
            ("grantControls.authenticationStrength", Value::Null),
        ],
    );
    let volatile = [
        "@odata.context",
        "id",
        "createdDateTime",
        "modifiedDateTime",
    ];
    assert_eq!(without(&resp, &volatile), without(&expected, &volatile));
    // GET returns what POST returned.
    assert_eq!(t.get("v1.0", id).await, resp);
}

#[tokio::test]
async fn v1_get_matches_synthesized_example_with_inline_strength() {
    let t = T::new().await;
    let real = example("ca-policy.get.v1-synthesized.json");
    // Post it back (as a client echoing a GET would): read-only members are ignored.
    let id = t.create("v1.0", &real).await;
    let got = t.get("v1.0", &id).await;
    // The example was synthesized without deletedDateTime, which Microsoft's metadata gives
    // v1.0 too.
    let volatile = [
        "id",
        "createdDateTime",
        "modifiedDateTime",
        "templateId",
        "deletedDateTime",
    ];
    assert_eq!(
        without(&strip_annotations(&got), &volatile),
        without(&strip_annotations(&real), &volatile)
    );
    assert_eq!(got["templateId"], Value::Null);
    assert_eq!(got["deletedDateTime"], Value::Null);
    let base = format!(
        "{}/v1.0/$metadata#identity/conditionalAccess/policies('{id}')",
        t.sim.info().graph_endpoint
    );
    assert_eq!(
        got["grantControls"]["authenticationStrength@odata.context"],
        format!("{base}/grantControls/authenticationStrength/$entity")
    );
    assert_eq!(
        got["grantControls"]["authenticationStrength"]["combinationConfigurations@odata.context"],
        format!("{base}/grantControls/authenticationStrength/combinationConfigurations")
    );
    // The three built-ins expand to the real tenant objects (corpus/auth-strengths).
    for (sid, file) in [
        (
            "00000000-0000-0000-0000-000000000002",
            "001-embedded-multifactor-authentication-17combos.json",
        ),
        (
            "00000000-0000-0000-0000-000000000004",
            "002-embedded-phishing-resistant-mfa-3combos.json",
        ),
    ] {
        let body = with(
            minimal(),
            &[(
                "grantControls",
                json!({"operator": "OR", "authenticationStrength": {"id": sid}}),
            )],
        );
        let id = t.create("beta", &body).await;
        let got = t.get("beta", &id).await;
        let text = std::fs::read_to_string(shared("corpus/auth-strengths").join(file)).unwrap();
        let want: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            strip_annotations(&got["grantControls"]["authenticationStrength"]),
            want
        );
    }
    let body = with(
        minimal(),
        &[(
            "grantControls",
            json!({"operator": "OR", "authenticationStrength": {"id": "00000000-0000-0000-0000-000000000003"}}),
        )],
    );
    let id = t.create("v1.0", &body).await;
    let s = &t.get("v1.0", &id).await["grantControls"]["authenticationStrength"];
    assert_eq!(s["displayName"], "Passwordless MFA");
    assert_eq!(s["createdDateTime"], "2021-12-01T08:00:00Z");
    assert_eq!(s["allowedCombinations"].as_array().unwrap().len(), 4);
}

#[tokio::test]
async fn list_shape_filter_and_paging() {
    let t = T::new().await;
    let reference = example("ca-policy.list.response.json");
    let item = &reference["value"][0];
    let id = t.create("v1.0", item).await;
    for n in 1..=4 {
        t.create(
            "v1.0",
            &with(
                minimal(),
                &[
                    ("displayName", json!(format!("P{n}"))),
                    ("state", json!("disabled")),
                ],
            ),
        )
        .await;
    }
    let (s, _, list) = t.call(Method::GET, &format!("/v1.0{COLL}"), None).await;
    assert_eq!(s, 200);
    let list = list.unwrap();
    assert_eq!(
        list["@odata.context"],
        format!(
            "{}/v1.0/$metadata#identity/conditionalAccess/policies",
            t.sim.info().graph_endpoint
        )
    );
    assert_eq!(list["value"].as_array().unwrap().len(), 5);
    let first = &list["value"][0];
    assert_eq!(first["id"], id.as_str());
    let expected = with(
        item.clone(),
        &[
            ("templateId", Value::Null),
            ("deletedDateTime", Value::Null),
            ("conditions.userRiskLevels", json!([])),
            ("conditions.devices", Value::Null),
            ("conditions.clientApplications", Value::Null),
            (
                "conditions.applications.includeAuthenticationContextClassReferences",
                json!([]),
            ),
            ("conditions.applications.applicationFilter", Value::Null),
            ("conditions.users.includeGuestsOrExternalUsers", Value::Null),
            ("conditions.users.excludeGuestsOrExternalUsers", Value::Null),
            ("grantControls.authenticationStrength", Value::Null),
        ],
    );
    let volatile = ["id", "createdDateTime", "modifiedDateTime"];
    assert_eq!(without(first, &volatile), without(&expected, &volatile));

    let url = graph_url(&t.sim, &format!("/v1.0{COLL}"));
    for (filter, count) in [
        ("displayName eq 'SimplePolicy1'", 1),
        ("state eq 'disabled'", 5),
        ("state eq 'enabled'", 0),
        ("displayName eq 'P2' and state eq 'disabled'", 1),
    ] {
        let (s, _, b) = send(
            &t.client,
            Method::GET,
            &with_query(&url, &[("$filter", filter)]),
            &t.token,
            None,
        )
        .await;
        assert_eq!(s, 200);
        assert_eq!(
            b.unwrap()["value"].as_array().unwrap().len(),
            count,
            "{filter}"
        );
    }
    // $top paging via nextLink.
    let mut next = Some(with_query(&url, &[("$top", "2")]));
    let mut seen = 0;
    while let Some(u) = next {
        let (s, _, b) = send(&t.client, Method::GET, &u, &t.token, None).await;
        assert_eq!(s, 200);
        let b = b.unwrap();
        seen += b["value"].as_array().unwrap().len();
        next = b["@odata.nextLink"].as_str().map(str::to_string);
    }
    assert_eq!(seen, 5);
}

// ---------------------------------------------------------------------------------------------
// GET defaults, v1.0 vs beta

#[tokio::test]
async fn get_fills_defaults_absent_null_and_empty() {
    let t = T::new().await;
    let id = t.create("v1.0", &minimal()).await;
    for version in ["v1.0", "beta"] {
        let p = t.get(version, &id).await;
        let c = &p["conditions"];
        for k in [
            "servicePrincipalRiskLevels",
            "insiderRiskLevels",
            "authenticationFlows",
        ] {
            assert!(c.get(k).is_none(), "{version}: {k} must be absent");
        }
        for k in ["platforms", "locations", "devices", "clientApplications"] {
            assert!(
                c[k].is_null() && c.get(k).is_some(),
                "{version}: {k} must be null"
            );
        }
        for k in ["userRiskLevels", "signInRiskLevels"] {
            assert_eq!(c[k], json!([]), "{version}: {k}");
        }
        let apps = c["applications"].as_object().unwrap();
        let users = c["users"].as_object().unwrap();
        // Beta adds the property-less globalSecureAccess and networkAccess.
        let app_keys = if version == "beta" { 7 } else { 5 };
        assert_eq!(apps.len(), app_keys, "{version}: {apps:?}");
        assert_eq!(users.len(), 8, "{version}: {users:?}");
        assert_eq!(c["applications"]["applicationFilter"], Value::Null);
        assert_eq!(c["users"]["includeGuestsOrExternalUsers"], Value::Null);
        assert!(p.get("description").is_none());
        assert_eq!(p["sessionControls"], Value::Null);
        assert!(p.get("deletedDateTime").is_some_and(Value::is_null));
        let g = &p["grantControls"];
        assert_eq!(g["customAuthenticationFactors"], json!([]));
        assert_eq!(g["termsOfUse"], json!([]));
        assert_eq!(g["authenticationStrength"], Value::Null);
    }
    // v1.0 carries no beta-only members.
    let v1 = t.get("v1.0", &id).await;
    assert!(v1["conditions"].get("deviceStates").is_none());
    let beta = t.get("beta", &id).await;
    assert_eq!(beta["conditions"]["deviceStates"], Value::Null);

    // Session-only policy: grantControls null; sessionControls has every key.
    let body = with(
        minimal(),
        &[
            ("grantControls", Value::Null),
            ("description", json!("session only")),
            (
                "sessionControls",
                json!({"persistentBrowser": {"isEnabled": true, "mode": "never"}}),
            ),
        ],
    );
    let id = t.create("v1.0", &body).await;
    let v1 = t.get("v1.0", &id).await;
    assert_eq!(v1["grantControls"], Value::Null);
    assert_eq!(v1["description"], "session only");
    let sc = v1["sessionControls"].as_object().unwrap();
    let mut keys: Vec<&str> = sc.keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "applicationEnforcedRestrictions",
            "cloudAppSecurity",
            "disableResilienceDefaults",
            "persistentBrowser",
            "secureSignInSession",
            "signInFrequency"
        ]
    );
    assert_eq!(
        sc["persistentBrowser"],
        json!({"mode": "never", "isEnabled": true})
    );
    assert_eq!(sc["signInFrequency"], Value::Null);
    let beta = t.get("beta", &id).await;
    for k in ["continuousAccessEvaluation", "secureSignInSession"] {
        assert!(
            beta["sessionControls"].get(k).is_some_and(Value::is_null),
            "beta {k}"
        );
    }
}

/// Beta-only members: (path in a POST body, value).
fn beta_only_members() -> Vec<(&'static str, Value)> {
    vec![
        (
            "conditions.deviceStates",
            json!({"includeStates": ["All"], "excludeStates": ["Compliant"]}),
        ),
        ("conditions.agentIdRiskLevels", json!("high")),
        (
            "conditions.clientApplications",
            json!({"includeServicePrincipals": [], "includeAgentIdServicePrincipals": ["All"]}),
        ),
        ("conditions.applications.globalSecureAccess", json!({})),
        ("conditions.applications.networkAccess", json!({})),
        ("conditions.devices", json!({"includeDevices": ["All"]})),
        (
            "sessionControls",
            json!({"continuousAccessEvaluation": {"mode": "strictEnforcement"}}),
        ),
        (
            "sessionControls",
            json!({"globalSecureAccessFilteringProfile": {"profileId": "p1", "isEnabled": true}}),
        ),
    ]
}

#[tokio::test]
async fn v1_hides_beta_members_and_rejects_them_with_1007_while_beta_accepts() {
    let t = T::new().await;
    let id_v1 = t.create("v1.0", &minimal()).await;
    for (path, value) in beta_only_members() {
        let body = with(minimal(), &[(path, value.clone())]);
        let (s, b) = t.post("v1.0", &body).await;
        assert_1007(s, &b);
        let patch = with(json!({}), &[(path, value.clone())]);
        let patch = if path.starts_with("conditions.") {
            with(
                json!({"conditions": minimal()["conditions"].clone()}),
                &[(path, value.clone())],
            )
        } else {
            patch
        };
        let (s, b) = t.patch("v1.0", &id_v1, &patch).await;
        assert_1007(s, &b);

        let id = t.create("beta", &body).await;
        let beta = t.get("beta", &id).await;
        let v1 = t.get("v1.0", &id).await;
        let parts: Vec<&str> = path.split('.').collect();
        let leaf = *parts.last().unwrap();
        let (in_beta, in_v1) = match parts.as_slice() {
            ["sessionControls"] => {
                let k = value.as_object().unwrap().keys().next().unwrap().clone();
                (
                    beta["sessionControls"].get(&k).cloned(),
                    v1["sessionControls"].get(&k).cloned(),
                )
            }
            [top] => (beta.get(*top).cloned(), v1.get(*top).cloned()),
            ["conditions", "clientApplications"] => (
                beta["conditions"]["clientApplications"]
                    .get("includeAgentIdServicePrincipals")
                    .cloned(),
                v1["conditions"]["clientApplications"]
                    .get("includeAgentIdServicePrincipals")
                    .cloned(),
            ),
            ["conditions", "devices"] => (
                beta["conditions"]["devices"].get("includeDevices").cloned(),
                v1["conditions"]["devices"].get("includeDevices").cloned(),
            ),
            ["conditions", k] => (
                beta["conditions"].get(*k).cloned(),
                v1["conditions"].get(*k).cloned(),
            ),
            ["conditions", "applications", k] => (
                beta["conditions"]["applications"].get(*k).cloned(),
                v1["conditions"]["applications"].get(*k).cloned(),
            ),
            _ => unreachable!(),
        };
        assert!(in_beta.is_some(), "beta must return {path}/{leaf}");
        assert!(in_v1.is_none(), "v1.0 must hide {path}/{leaf}");
    }
    // Prefer-gated evolvable members (after unknownFutureValue).
    let body = with(
        minimal(),
        &[(
            "sessionControls",
            json!({"continuousAccessEvaluation": {"mode": "strictLocation"}}),
        )],
    );
    let (s, b) = t.post("beta", &body).await;
    assert_1007(s, &b);
    let (s, _, b) = t.sim_call_with_prefer(&format!("/beta{COLL}"), &body).await;
    assert_eq!(s, 201, "{b:?}");
    // Read back, the member shows only to a client that asks for it, as Graph does.
    let path = format!("/beta{COLL}/{}", b["id"].as_str().unwrap());
    let mode = |v: &Value| v["sessionControls"]["continuousAccessEvaluation"]["mode"].clone();
    assert_eq!(mode(&b), json!("strictLocation"), "the create's own answer");
    assert_eq!(
        mode(&t.get("beta", b["id"].as_str().unwrap()).await),
        json!("unknownFutureValue")
    );
    assert_eq!(
        mode(&t.get_with_prefer(&path).await),
        json!("strictLocation")
    );
}

#[tokio::test]
async fn template_id_shows_on_v1_only_and_deleted_date_time_on_both() {
    let t = T::new().await;
    let template = "76c03f19-ea37-4656-a772-a183b4ddb81d";
    let seeded = t
        .sim
        .put_raw_policy(with(minimal(), &[("templateId", json!(template))]));
    for version in ["v1.0", "beta"] {
        let (s, _, list) = t
            .call(Method::GET, &format!("/{version}{COLL}"), None)
            .await;
        assert_eq!(s, 200);
        let listed = list.unwrap()["value"][0].clone();
        let (s, created) = t.post(version, &minimal()).await;
        assert_eq!(s, 201, "{created}");
        for p in [&t.get(version, &seeded).await, &listed, &created] {
            assert!(
                p.get("deletedDateTime").is_some_and(Value::is_null),
                "{version}: {p}"
            );
            // conditionalAccessPolicy.templateId is v1.0-only in Microsoft's metadata.
            assert_eq!(p.get("templateId").is_some(), version == "v1.0", "{p}");
        }
        if version == "v1.0" {
            assert_eq!(listed["templateId"], template);
            assert_eq!(created["templateId"], Value::Null);
        }
    }
}

#[tokio::test]
async fn property_less_types_read_back_null_when_unset_and_empty_when_set_on_beta() {
    let t = T::new().await;
    let unset = t.create("beta", &minimal()).await;
    let gsa = "#microsoft.graph.conditionalAccessGlobalSecureAccess";
    let set = t
        .create(
            "beta",
            &with(
                minimal(),
                &[
                    (
                        "conditions.applications.globalSecureAccess",
                        json!({"@odata.type": gsa}),
                    ),
                    ("conditions.applications.networkAccess", json!({})),
                ],
            ),
        )
        .await;
    for (id, want) in [(&unset, Value::Null), (&set, json!({}))] {
        let beta = t.get("beta", id).await;
        let v1 = t.get("v1.0", id).await;
        for k in ["globalSecureAccess", "networkAccess"] {
            let apps = &beta["conditions"]["applications"];
            assert!(apps.get(k).is_some(), "beta {k}: {apps}");
            assert_eq!(apps[k], want, "beta {k}");
            assert!(
                v1["conditions"]["applications"].get(k).is_none(),
                "v1.0 {k}"
            );
        }
    }
    // The types have no properties: anything inside is unknown.
    let body = with(
        minimal(),
        &[(
            "conditions.applications.networkAccess",
            json!({"isEnabled": true}),
        )],
    );
    let (s, b) = t.post("beta", &body).await;
    assert_1007(s, &b);
}

#[tokio::test]
async fn ids_that_are_neither_guid_nor_keyword_are_refused() {
    let t = T::new().await;
    let placeholder = "<BreakGlassGroup>";
    let cases = [
        (
            "conditions.users.includeGroups",
            "1054: Invalid group value: ",
        ),
        (
            "conditions.users.excludeGroups",
            "1054: Invalid group value: ",
        ),
        (
            "conditions.users.includeRoles",
            "1102: 'users' condition contains invalid role ids: ",
        ),
        (
            "conditions.users.excludeRoles",
            "1102: 'users' condition contains invalid role ids: ",
        ),
        ("conditions.users.includeUsers", "invalid user ids: "),
        ("conditions.users.excludeUsers", "invalid user ids: "),
        (
            "conditions.applications.includeApplications",
            "invalid application ids: ",
        ),
        (
            "conditions.applications.excludeApplications",
            "invalid application ids: ",
        ),
        (
            "conditions.clientApplications.includeServicePrincipals",
            "invalid service principal ids: ",
        ),
        (
            "conditions.clientApplications.excludeServicePrincipals",
            "invalid service principal ids: ",
        ),
    ];
    let guid = "5e2d1d3c-5b7a-4c37-9e5b-3f0f6a1d2c4b";
    for (version, (path, text)) in ["v1.0", "beta"]
        .into_iter()
        .flat_map(|v| cases.iter().map(move |c| (v, c)))
    {
        let body = with(minimal(), &[(path, json!([guid, placeholder]))]);
        let (s, b) = t.post(version, &body).await;
        assert_bad_request(s, &b, &format!("{text}{placeholder}."));
    }
    for path in [
        "conditions.clientApplications.includeAgentIdServicePrincipals",
        "conditions.clientApplications.excludeAgentIdServicePrincipals",
    ] {
        let (s, b) = t
            .post("beta", &with(minimal(), &[(path, json!([placeholder]))]))
            .await;
        assert_bad_request(s, &b, "invalid agent identity service principal ids: ");
    }
    // Graph's own answer for a keyword where there is none (docs-contrib#1302).
    let (s, b) = t
        .post(
            "v1.0",
            &with(
                minimal(),
                &[("conditions.users.includeRoles", json!(["All"]))],
            ),
        )
        .await;
    assert_bad_request(
        s,
        &b,
        "1102: 'users' condition contains invalid role ids: All.",
    );
    // A placeholder location is not an existing named location either.
    let (s, b) = t
        .post(
            "v1.0",
            &with(
                minimal(),
                &[(
                    "conditions.locations.includeLocations",
                    json!([placeholder]),
                )],
            ),
        )
        .await;
    assert_bad_request(s, &b, "1040: Invalid Location");
}

#[tokio::test]
async fn id_keywords_are_taken_in_any_case_and_guids_in_either_case() {
    let t = T::new().await;
    let guid = "5E2D1D3C-5B7A-4C37-9E5B-3F0F6A1D2C4B";
    let v1 = with(
        minimal(),
        &[
            (
                "conditions.users",
                json!({
                    "includeUsers": ["all"],
                    "excludeUsers": ["GUESTSOREXTERNALUSERS", guid],
                    "includeGroups": [guid],
                    "excludeRoles": [guid.to_ascii_lowercase()]
                }),
            ),
            (
                "conditions.applications",
                json!({"includeApplications": ["office365"], "excludeApplications": ["microsoftAdminPortals", guid]}),
            ),
            (
                "conditions.clientApplications",
                json!({"includeServicePrincipals": ["servicePrincipalsInMyTenant"], "excludeServicePrincipals": [guid]}),
            ),
            (
                "conditions.locations",
                json!({"includeLocations": ["all"], "excludeLocations": ["alltrusted"]}),
            ),
        ],
    );
    t.create("v1.0", &v1).await;
    let beta = with(
        minimal(),
        &[
            (
                "conditions.users",
                json!({"includeUsers": ["allAgentIdUsers"], "excludeUsers": ["none"]}),
            ),
            (
                "conditions.applications",
                json!({"includeApplications": ["allagentidresources"]}),
            ),
            (
                "conditions.clientApplications",
                json!({"includeAgentIdServicePrincipals": ["all"], "excludeAgentIdServicePrincipals": [guid]}),
            ),
        ],
    );
    t.create("beta", &beta).await;
    // The passwordChange rule's "All applications" is the same keyword in any case.
    t.create(
        "v1.0",
        &with(
            password_change_policy(),
            &[(
                "conditions.applications.includeApplications",
                json!(["all"]),
            )],
        ),
    )
    .await;
}

impl T {
    async fn get_with_prefer(&self, path: &str) -> Value {
        let resp = self
            .client
            .get(graph_url(&self.sim, path))
            .bearer_auth(&self.token)
            .header("prefer", "include-unknown-enum-members")
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        resp.json().await.unwrap()
    }

    async fn sim_call_with_prefer(&self, path: &str, body: &Value) -> (u16, (), Value) {
        let resp = self
            .client
            .post(graph_url(&self.sim, path))
            .bearer_auth(&self.token)
            .header("prefer", "include-unknown-enum-members")
            .json(body)
            .send()
            .await
            .unwrap();
        let s = resp.status().as_u16();
        (s, (), resp.json().await.unwrap())
    }
}

// ---------------------------------------------------------------------------------------------
// Validation, one rule per test

#[tokio::test]
async fn schema_mismatches_are_1007() {
    let t = T::new().await;
    let cases = [
        with(minimal(), &[("bogus", json!(1))]),
        with(minimal(), &[("conditions.bogus", json!([]))]),
        with(
            minimal(),
            &[("conditions.users.includeUsers", json!("All"))],
        ),
        with(minimal(), &[("displayName", json!(5))]),
        with(
            minimal(),
            &[("conditions.clientAppTypes", json!(["all", "fax"]))],
        ),
        with(
            minimal(),
            &[("grantControls.builtInControls", json!(["mfa", "pray"]))],
        ),
        with(
            minimal(),
            &[(
                "conditions.platforms",
                json!({"includePlatforms": ["amiga"]}),
            )],
        ),
        with(
            minimal(),
            &[(
                "conditions.users.includeGuestsOrExternalUsers",
                json!({"guestOrExternalUserTypes": "internalGuest,alien"}),
            )],
        ),
        with(
            minimal(),
            &[(
                "sessionControls",
                json!({"signInFrequency": {"isEnabled": true, "value": "12", "type": "hours"}}),
            )],
        ),
        with(minimal(), &[("state", json!("on"))]),
        json!([1, 2]),
    ];
    for body in &cases {
        let (s, b) = t.post("v1.0", body).await;
        assert_1007(s, &b);
    }
    let (s, _, b) = t.call(Method::POST, &format!("/v1.0{COLL}"), None).await;
    assert_1007(s, &b.unwrap());
}

#[tokio::test]
async fn state_is_required() {
    let t = T::new().await;
    let (s, b) = t
        .post("v1.0", &with(minimal(), &[("state", json!("<remove>"))]))
        .await;
    assert_bad_request(s, &b, "'state'");
}

#[tokio::test]
async fn display_name_is_required() {
    let t = T::new().await;
    let (s, b) = t
        .post(
            "v1.0",
            &with(minimal(), &[("displayName", json!("<remove>"))]),
        )
        .await;
    assert_bad_request(s, &b, "'displayName'");
}

#[tokio::test]
async fn applications_condition_is_required() {
    let t = T::new().await;
    let (s, b) = t
        .post(
            "v1.0",
            &with(minimal(), &[("conditions.applications", json!("<remove>"))]),
        )
        .await;
    assert_bad_request(s, &b, "applications");
}

#[tokio::test]
async fn users_or_client_applications_required() {
    let t = T::new().await;
    let (s, b) = t
        .post(
            "v1.0",
            &with(minimal(), &[("conditions.users", json!("<remove>"))]),
        )
        .await;
    assert_bad_request(s, &b, "clientApplications");
    // Workload identity policy: clientApplications instead of users.
    let body = with(
        minimal(),
        &[
            ("conditions.users", json!("<remove>")),
            (
                "conditions.clientApplications",
                json!({"includeServicePrincipals": ["ServicePrincipalsInMyTenant"]}),
            ),
            ("grantControls.builtInControls", json!(["block"])),
        ],
    );
    t.create("v1.0", &body).await;
}

#[tokio::test]
async fn client_app_types_must_not_be_empty() {
    let t = T::new().await;
    for v in [json!([]), json!("<remove>")] {
        let (s, b) = t
            .post(
                "v1.0",
                &with(minimal(), &[("conditions.clientAppTypes", v)]),
            )
            .await;
        assert_bad_request(s, &b, "clientAppTypes");
    }
}

#[tokio::test]
async fn grant_or_session_controls_required() {
    let t = T::new().await;
    let (s, b) = t
        .post("v1.0", &with(minimal(), &[("grantControls", Value::Null)]))
        .await;
    assert_bad_request(s, &b, "grantControls");
}

#[tokio::test]
async fn applications_and_user_actions_together_are_1012() {
    let t = T::new().await;
    let body = with(
        minimal(),
        &[(
            "conditions.applications.includeUserActions",
            json!(["urn:user:registersecurityinfo"]),
        )],
    );
    let (s, b) = t.post("v1.0", &body).await;
    assert_inner(s, &b, "error.ca-1012-useractions.json");
    // User action alone, with includeApplications [], is fine.
    let ok = with(
        body,
        &[("conditions.applications.includeApplications", json!([]))],
    );
    let id = t.create("v1.0", &ok).await;
    assert_eq!(
        t.get("v1.0", &id).await["conditions"]["applications"]["includeApplications"],
        json!([])
    );
}

#[tokio::test]
async fn empty_include_applications_alone_is_a_500() {
    let t = T::new().await;
    let (s, _, b) = t
        .call(
            Method::POST,
            &format!("/v1.0{COLL}"),
            Some(&with(
                minimal(),
                &[("conditions.applications.includeApplications", json!([]))],
            )),
        )
        .await;
    assert_eq!(s, 500);
    let b = b.unwrap();
    assert_eq!(assert_graph_error(&b), "Internal Server Error");
    let m = b["error"]["message"].as_str().unwrap();
    let prefix = "There was an internal server error while processing the request. Error ID: ";
    assert!(m.starts_with(prefix), "{m}");
    uuid::Uuid::parse_str(&m[prefix.len()..]).expect("Error ID is a GUID");
    // ["None"] is the documented way to target nothing.
    t.create(
        "v1.0",
        &with(
            minimal(),
            &[(
                "conditions.applications.includeApplications",
                json!(["None"]),
            )],
        ),
    )
    .await;
}

fn password_change_policy() -> Value {
    with(
        minimal(),
        &[
            ("conditions.userRiskLevels", json!(["high"])),
            (
                "grantControls",
                json!({"operator": "AND", "builtInControls": ["mfa", "passwordChange"]}),
            ),
        ],
    )
}

#[tokio::test]
async fn password_change_rules_are_1032() {
    let t = T::new().await;
    t.create("v1.0", &password_change_policy()).await;
    // The current v1.0 docs sample: passwordChange with the MFA authentication strength.
    t.create(
        "v1.0",
        &with(
            password_change_policy(),
            &[("grantControls", json!({"operator": "AND", "builtInControls": ["passwordChange"], "authenticationStrength": {"id": "00000000-0000-0000-0000-000000000002"}}))],
        ),
    )
    .await;
    let bad = [
        ("grantControls.operator", json!("OR")),
        ("grantControls.builtInControls", json!(["passwordChange"])),
        (
            "grantControls.builtInControls",
            json!(["mfa", "passwordChange", "compliantDevice"]),
        ),
        ("conditions.userRiskLevels", json!([])),
        (
            "conditions.applications.includeApplications",
            json!(["00000002-0000-0ff1-ce00-000000000000"]),
        ),
        (
            "conditions.applications.excludeApplications",
            json!(["00000002-0000-0ff1-ce00-000000000000"]),
        ),
        ("conditions.signInRiskLevels", json!(["high"])),
        ("conditions.platforms", json!({"includePlatforms": ["all"]})),
        ("conditions.locations", json!({"includeLocations": ["All"]})),
        ("conditions.clientAppTypes", json!(["browser"])),
    ];
    for (path, v) in bad {
        let (s, b) = t
            .post("v1.0", &with(password_change_policy(), &[(path, v)]))
            .await;
        assert_inner(s, &b, "error.ca-1032-passwordchange.json");
    }
}

#[tokio::test]
async fn mfa_and_authentication_strength_are_exclusive() {
    let t = T::new().await;
    let body = with(
        minimal(),
        &[(
            "grantControls.authenticationStrength",
            json!({"id": "00000000-0000-0000-0000-000000000002"}),
        )],
    );
    let (s, b) = t.post("v1.0", &body).await;
    assert_bad_request(s, &b, "authenticationStrength");
}

#[tokio::test]
async fn block_is_exclusive() {
    let t = T::new().await;
    t.create(
        "v1.0",
        &with(
            minimal(),
            &[("grantControls.builtInControls", json!(["block"]))],
        ),
    )
    .await;
    let (s, b) = t
        .post(
            "v1.0",
            &with(
                minimal(),
                &[("grantControls.builtInControls", json!(["block", "mfa"]))],
            ),
        )
        .await;
    assert_bad_request(s, &b, "'block'");
    let (s, b) = t
        .post(
            "v1.0",
            &with(
                minimal(),
                &[
                    ("grantControls.builtInControls", json!(["block"])),
                    (
                        "grantControls.authenticationStrength",
                        json!({"id": "00000000-0000-0000-0000-000000000004"}),
                    ),
                ],
            ),
        )
        .await;
    assert_bad_request(s, &b, "'block'");
}

fn every_time(extra: &[(&str, Value)]) -> Value {
    let mut sets = vec![
        ("conditions.userRiskLevels", json!(["high"])),
        (
            "sessionControls",
            json!({"signInFrequency": {"isEnabled": true, "frequencyInterval": "everyTime", "authenticationType": "primaryAndSecondaryAuthentication"}}),
        ),
    ];
    sets.extend(extra.iter().map(|(k, v)| (*k, v.clone())));
    with(minimal(), &sets)
}

#[tokio::test]
async fn every_time_needs_null_value_type_and_null_aer_drd() {
    let t = T::new().await;
    let id = t.create("v1.0", &every_time(&[])).await;
    let sif = &t.get("v1.0", &id).await["sessionControls"]["signInFrequency"];
    assert_eq!(
        sif,
        &json!({"value": null, "type": null, "authenticationType": "primaryAndSecondaryAuthentication", "frequencyInterval": "everyTime", "isEnabled": true})
    );
    for (path, v, needle) in [
        ("sessionControls.signInFrequency.value", json!(1), "'value'"),
        (
            "sessionControls.signInFrequency.type",
            json!("hours"),
            "'type'",
        ),
        (
            "sessionControls.applicationEnforcedRestrictions",
            json!({"isEnabled": false}),
            "applicationEnforcedRestrictions",
        ),
        (
            "sessionControls.disableResilienceDefaults",
            json!(false),
            "disableResilienceDefaults",
        ),
    ] {
        let (s, b) = t.post("v1.0", &every_time(&[(path, v)])).await;
        assert_bad_request(s, &b, needle);
    }
}

#[tokio::test]
async fn every_time_on_v1_only_for_risk_or_intune_enrollment() {
    let t = T::new().await;
    let no_risk = every_time(&[("conditions.userRiskLevels", json!([]))]);
    let (s, b) = t.post("v1.0", &no_risk).await;
    assert_bad_request(s, &b, "only supported in the beta endpoint");
    t.create("beta", &no_risk).await;
    t.create(
        "v1.0",
        &every_time(&[
            ("conditions.userRiskLevels", json!([])),
            ("conditions.signInRiskLevels", json!(["high", "medium"])),
        ]),
    )
    .await;
    t.create(
        "v1.0",
        &every_time(&[
            ("conditions.userRiskLevels", json!([])),
            (
                "conditions.applications.includeApplications",
                json!(["d4ebce55-015a-49b5-a083-c84d1797ae8c"]),
            ),
        ]),
    )
    .await;
}

#[tokio::test]
async fn ineffectual_session_controls_are_rejected() {
    let t = T::new().await;
    for sc in [
        json!({}),
        json!({"persistentBrowser": {"isEnabled": false, "mode": "always"}, "disableResilienceDefaults": false}),
        json!({"applicationEnforcedRestrictions": {"isEnabled": false}, "cloudAppSecurity": null}),
    ] {
        let (s, b) = t
            .post("v1.0", &with(minimal(), &[("sessionControls", sc)]))
            .await;
        assert_bad_request(s, &b, "ineffectual");
    }
}

#[tokio::test]
async fn sign_in_frequency_with_default_values_is_rejected() {
    let t = T::new().await;
    let body = with(
        minimal(),
        &[(
            "sessionControls",
            json!({"persistentBrowser": {"isEnabled": true, "mode": "never"}, "signInFrequency": {"isEnabled": false, "value": null, "type": null, "frequencyInterval": "timeBased"}}),
        )],
    );
    let (s, b) = t.post("v1.0", &body).await;
    assert_bad_request(s, &b, "signInFrequency");
    let ok = with(
        body,
        &[(
            "sessionControls.signInFrequency",
            json!({"isEnabled": true, "value": 12, "type": "hours"}),
        )],
    );
    t.create("v1.0", &ok).await;
}

#[tokio::test]
async fn referenced_auth_context_must_exist_and_guards_its_delete() {
    let t = T::new().await;
    let body = with(
        minimal(),
        &[
            ("conditions.applications.includeApplications", json!([])),
            (
                "conditions.applications.includeAuthenticationContextClassReferences",
                json!(["c1"]),
            ),
        ],
    );
    let (s, b) = t.post("v1.0", &body).await;
    assert_bad_request(s, &b, "'c1'");
    let acr = "/v1.0/identity/conditionalAccess/authenticationContextClassReferences/c1";
    let (s, _, _) = t
        .call(Method::PATCH, acr, Some(&json!({"displayName": "step-up"})))
        .await;
    assert_eq!(s, 204);
    let id = t.create("v1.0", &body).await;
    let (s, _, b) = t.call(Method::DELETE, acr, None).await;
    assert_eq!(s, 400);
    assert!(b.unwrap()["error"]["message"]
        .as_str()
        .unwrap()
        .contains(&id));
    let (s, _, _) = t
        .call(Method::DELETE, &format!("/v1.0{COLL}/{id}"), None)
        .await;
    assert_eq!(s, 204);
    let (s, _, _) = t.call(Method::DELETE, acr, None).await;
    assert_eq!(s, 204);
}

#[tokio::test]
async fn authentication_strength_must_exist() {
    let t = T::new().await;
    let body = with(
        minimal(),
        &[(
            "grantControls",
            json!({"operator": "OR", "authenticationStrength": {"id": "11111111-2222-3333-4444-555555555555"}}),
        )],
    );
    let (s, b) = t.post("v1.0", &body).await;
    assert_bad_request(s, &b, "11111111-2222-3333-4444-555555555555");
}

#[tokio::test]
async fn at_most_195_policies() {
    let t = T::new().await;
    for n in 0..194 {
        t.sim
            .put_raw_policy(json!({"displayName": format!("raw {n}"), "state": "disabled"}));
    }
    t.create("v1.0", &minimal()).await;
    let (s, b) = t.post("v1.0", &minimal()).await;
    assert_bad_request(s, &b, "195");
}

// ---------------------------------------------------------------------------------------------
// Normalisation

#[tokio::test]
async fn flags_enums_are_canonical() {
    let t = T::new().await;
    let body = with(
        minimal(),
        &[
            (
                "conditions.users.includeGuestsOrExternalUsers",
                json!({"guestOrExternalUserTypes": "serviceProvider, internalGuest,b2bCollaborationGuest , otherExternalUser", "externalTenants": {"membershipKind": "all"}}),
            ),
            (
                "conditions.authenticationFlows",
                json!({"transferMethods": "authenticationTransfer, deviceCodeFlow"}),
            ),
            ("conditions.insiderRiskLevels", json!("elevated, minor")),
            (
                "conditions.clientAppTypes",
                json!(["Browser", "mobileAppsAndDesktopClients"]),
            ),
        ],
    );
    let id = t.create("v1.0", &body).await;
    for version in ["v1.0", "beta"] {
        let c = &t.get(version, &id).await["conditions"];
        assert_eq!(
            c["users"]["includeGuestsOrExternalUsers"]["guestOrExternalUserTypes"],
            "internalGuest,b2bCollaborationGuest,otherExternalUser,serviceProvider"
        );
        assert_eq!(
            c["authenticationFlows"],
            json!({"transferMethods": "deviceCodeFlow,authenticationTransfer"})
        );
        assert_eq!(c["insiderRiskLevels"], "minor,elevated");
        assert_eq!(
            c["clientAppTypes"],
            json!(["browser", "mobileAppsAndDesktopClients"])
        );
    }
}

#[tokio::test]
async fn external_tenants_odata_type_is_derived() {
    let t = T::new().await;
    let guests = |tenants: Value| {
        with(
            minimal(),
            &[(
                "conditions.users.excludeGuestsOrExternalUsers",
                json!({"guestOrExternalUserTypes": "b2bDirectConnectUser", "externalTenants": tenants}),
            )],
        )
    };
    let cases = [
        (
            json!({"membershipKind": "all"}),
            json!({"@odata.type": "#microsoft.graph.conditionalAccessAllExternalTenants", "membershipKind": "all"}),
        ),
        (
            json!({"membershipKind": "enumerated", "members": ["b1e9b4a4-2d3e-4f7e-9c4a-0a1b2c3d4e5f"]}),
            json!({"@odata.type": "#microsoft.graph.conditionalAccessEnumeratedExternalTenants", "membershipKind": "enumerated", "members": ["b1e9b4a4-2d3e-4f7e-9c4a-0a1b2c3d4e5f"]}),
        ),
        (
            json!({"@odata.type": "#microsoft.graph.conditionalAccessAllExternalTenants"}),
            json!({"@odata.type": "#microsoft.graph.conditionalAccessAllExternalTenants", "membershipKind": "all"}),
        ),
    ];
    for (sent, want) in cases {
        let id = t.create("v1.0", &guests(sent)).await;
        let got = t.get("v1.0", &id).await;
        assert_eq!(
            got["conditions"]["users"]["excludeGuestsOrExternalUsers"]["externalTenants"],
            want
        );
    }
    for bad in [
        json!({"membershipKind": "all", "members": ["x"]}),
        json!({"@odata.type": "#microsoft.graph.conditionalAccessEnumeratedExternalTenants", "membershipKind": "all"}),
        json!({"@odata.type": "#microsoft.graph.nope"}),
    ] {
        let (s, b) = t.post("v1.0", &guests(bad)).await;
        assert_1007(s, &b);
    }
}

// ---------------------------------------------------------------------------------------------
// PATCH / DELETE / alias

#[tokio::test]
async fn patch_example_replaces_conditions_wholesale() {
    let t = T::new().await;
    let id = t
        .create("v1.0", &example("ca-policy.create.request.json"))
        .await;
    let before = t.get("v1.0", &id).await;
    // The doc sample sends only conditions.signInRiskLevels. Nested objects are replaced
    // wholesale, so the policy would lose its applications/users: rejected, nothing changes.
    let doc_patch = example("ca-policy.patch.request.json");
    let (s, b) = t.patch("v1.0", &id, &doc_patch).await;
    assert_bad_request(s, &b, "applications");
    assert_eq!(t.get("v1.0", &id).await, before);
    // What clients send: the full conditions object with the change.
    let mut conditions = example("ca-policy.create.request.json")["conditions"].clone();
    conditions["signInRiskLevels"] = doc_patch["conditions"]["signInRiskLevels"].clone();
    let (s, b) = t
        .patch("v1.0", &id, &json!({"conditions": conditions}))
        .await;
    assert_eq!(s, 204, "{b}");
    assert_eq!(b, Value::Null);
    let after = t.get("v1.0", &id).await;
    assert_eq!(
        after["conditions"]["signInRiskLevels"],
        json!(["high", "medium", "low"])
    );
    assert_eq!(
        after["conditions"]["locations"],
        before["conditions"]["locations"]
    );
    assert_eq!(after["grantControls"], before["grantControls"]);
    assert_eq!(after["displayName"], before["displayName"]);
    // A conditions object without locations drops them (replace, not deep merge).
    let mut no_loc = conditions.clone();
    no_loc.as_object_mut().unwrap().remove("locations");
    let (s, _) = t.patch("v1.0", &id, &json!({"conditions": no_loc})).await;
    assert_eq!(s, 204);
    assert_eq!(
        t.get("v1.0", &id).await["conditions"]["locations"],
        Value::Null
    );
}

#[tokio::test]
async fn patch_merges_top_level_null_clears_and_bumps_modified() {
    let t = T::new().await;
    let id = t.create("v1.0", &minimal()).await;
    let created = t.get("v1.0", &id).await;
    assert_eq!(created["modifiedDateTime"], Value::Null);

    let (s, _) = t
        .patch(
            "v1.0",
            &id,
            &json!({"description": "d", "sessionControls": {"signInFrequency": {"isEnabled": true, "value": 4, "type": "hours"}}}),
        )
        .await;
    assert_eq!(s, 204);
    let p = t.get("v1.0", &id).await;
    assert_eq!(p["description"], "d");
    assert_eq!(p["sessionControls"]["signInFrequency"]["value"], 4);
    assert_eq!(p["displayName"], "Require MFA");
    assert_eq!(p["grantControls"], created["grantControls"]);
    assert_eq!(p["createdDateTime"], created["createdDateTime"]);
    let m1 = p["modifiedDateTime"].as_str().unwrap().to_string();
    assert!(is_graph_timestamp(&m1), "{m1}");

    // grantControls replaced as a whole; explicit null clears description/sessionControls.
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let (s, _) = t
        .patch(
            "v1.0",
            &id,
            &json!({"description": null, "sessionControls": null, "grantControls": {"operator": "AND", "builtInControls": ["compliantDevice"]}}),
        )
        .await;
    assert_eq!(s, 204);
    let p = t.get("v1.0", &id).await;
    assert!(p.get("description").is_none());
    assert_eq!(p["sessionControls"], Value::Null);
    assert_eq!(
        p["grantControls"],
        json!({"operator": "AND", "builtInControls": ["compliantDevice"], "customAuthenticationFactors": [], "termsOfUse": [], "authenticationStrength": null})
    );
    assert!(p["modifiedDateTime"].as_str().unwrap() > m1.as_str());

    // Clearing both controls is rejected and changes nothing.
    let (s, b) = t.patch("v1.0", &id, &json!({"grantControls": null})).await;
    assert_bad_request(s, &b, "grantControls");
    assert_eq!(t.get("v1.0", &id).await, p);
    // Unknown id.
    let (s, b) = t
        .patch(
            "v1.0",
            "00000000-0000-0000-0000-0000000000ff",
            &json!({"state": "disabled"}),
        )
        .await;
    assert_eq!(s, 404);
    assert_eq!(assert_graph_error(&b), "ResourceNotFound");
}

#[tokio::test]
async fn delete_then_404_and_alias_is_the_same_entity_set() {
    let t = T::new().await;
    let (s, _, b) = t
        .call(Method::POST, &format!("/beta{ALIAS}"), Some(&minimal()))
        .await;
    assert_eq!(s, 201);
    let b = b.unwrap();
    let id = b["id"].as_str().unwrap().to_string();
    assert_eq!(
        b["@odata.context"],
        format!(
            "{}/beta/$metadata#policies/conditionalAccessPolicies/$entity",
            t.sim.info().graph_endpoint
        )
    );
    let main = t.get("beta", &id).await;
    let (s, _, alias) = t
        .call(Method::GET, &format!("/beta{ALIAS}/{id}"), None)
        .await;
    assert_eq!(s, 200);
    assert_eq!(
        without(&alias.unwrap(), &["@odata.context"]),
        without(&main, &["@odata.context"])
    );
    let (s, _, list) = t.call(Method::GET, &format!("/v1.0{ALIAS}"), None).await;
    assert_eq!(s, 200);
    assert_eq!(list.unwrap()["value"][0]["id"], id.as_str());
    let (s, _, _) = t
        .call(
            Method::PATCH,
            &format!("/v1.0{ALIAS}/{id}"),
            Some(&json!({"state": "disabled"})),
        )
        .await;
    assert_eq!(s, 204);
    assert_eq!(t.get("v1.0", &id).await["state"], "disabled");

    for version in ["v1.0", "beta"] {
        let id = t.create(version, &minimal()).await;
        let (s, _, b) = t
            .call(Method::DELETE, &format!("/{version}{COLL}/{id}"), None)
            .await;
        assert_eq!(s, 204);
        assert!(b.is_none());
        let (s, _, _) = t
            .call(Method::GET, &format!("/{version}{COLL}/{id}"), None)
            .await;
        assert_eq!(s, 404);
        let (s, _, b) = t
            .call(Method::DELETE, &format!("/{version}{COLL}/{id}"), None)
            .await;
        assert_eq!(s, 404);
        assert_eq!(assert_graph_error(&b.unwrap()), "ResourceNotFound");
    }
    let (s, _, _) = t
        .call(Method::DELETE, &format!("/v1.0{ALIAS}/{id}"), None)
        .await;
    assert_eq!(s, 204);
    let (s, _, _) = t
        .call(Method::GET, &format!("/v1.0{COLL}/{id}"), None)
        .await;
    assert_eq!(s, 404);
}

// ---------------------------------------------------------------------------------------------
// Seeding, rate limit

#[tokio::test]
async fn seeded_corpus_reads_back_through_beta_as_exported() {
    let dir = shared("corpus/ca-policies");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    assert_eq!(files.len(), 71, "corpus size changed");
    let t = T::with(SimOptions {
        seed_dir: Some(shared("corpus")),
        ..Default::default()
    })
    .await;
    // Exported by tools that ask for every enum member (strictLocation, riskRemediation...).
    let list = t.get_with_prefer(&format!("/beta{COLL}?$top=999")).await;
    let listed = list["value"].as_array().unwrap();
    assert_eq!(listed.len(), files.len(), "every file loads");

    let mut compared = 0;
    let mut seen_ids = std::collections::HashSet::new();
    for (f, listed_item) in files.iter().zip(listed) {
        let file: Value = serde_json::from_str(&std::fs::read_to_string(f).unwrap()).unwrap();
        let want = strip_annotations(&file);
        // Files load in name order, so the list (insertion order) lines up with them. A file
        // keeps its id unless an earlier file already used it (the corpus has 5 such pairs).
        let id = listed_item["id"].as_str().unwrap().to_string();
        let keeps_id = match file["id"].as_str() {
            Some(fid) if seen_ids.insert(fid.to_string()) => {
                assert_eq!(id, fid, "{}", f.display());
                true
            }
            _ => false,
        };
        let got = t.get_with_prefer(&format!("/beta{COLL}/{id}")).await;
        let mut got = strip_annotations(&got);
        if !keeps_id {
            uuid::Uuid::parse_str(&id).expect("new id is a GUID");
            got["id"] = file.get("id").cloned().unwrap_or(Value::Null);
            if file.get("id").is_none() {
                got.as_object_mut().unwrap().remove("id");
            }
        }
        // A strength given by id only comes back expanded.
        let file_strength = &want["grantControls"]["authenticationStrength"];
        if file_strength.as_object().is_some_and(|s| s.len() == 1) {
            let g = &mut got["grantControls"]["authenticationStrength"];
            assert_eq!(g["id"], file_strength["id"]);
            assert!(g["displayName"].is_string(), "expanded: {g}");
            *g = file_strength.clone();
        }
        assert_eq!(got, want, "{}", f.display());
        // v1.0 renders the same policy in its own shape, without beta members.
        let v1 = t.get("v1.0", &id).await;
        assert!(v1.get("templateId").is_some() && v1["conditions"].get("deviceStates").is_none());
        assert_eq!(
            v1["conditions"]["applications"].as_object().unwrap().len(),
            5
        );
        compared += 1;
    }
    assert_eq!(compared, 71);

    // Seeded auth contexts are still loaded, and PATCH works on a seeded policy.
    let (s, _, _) = t
        .call(
            Method::GET,
            "/v1.0/identity/conditionalAccess/authenticationContextClassReferences",
            None,
        )
        .await;
    assert_eq!(s, 200);
    let (s, b) = t
        .patch(
            "beta",
            "d2cebefb-fc77-4986-8890-4fe511825ee7",
            &json!({"state": "disabled"}),
        )
        .await;
    assert_eq!(s, 204, "{b}");
    let p = t.get("beta", "d2cebefb-fc77-4986-8890-4fe511825ee7").await;
    assert_eq!(p["state"], "disabled");
    assert_eq!(p["createdDateTime"], "2025-01-27T07:20:59.2720129Z");
    assert_ne!(p["modifiedDateTime"], "2026-06-08T18:17:31.7432682Z");
    // Rendered like any policy now: the export's templateId shows on v1.0 only.
    assert!(p.get("templateId").is_none(), "{p}");
    let v1 = t.get("v1.0", "d2cebefb-fc77-4986-8890-4fe511825ee7").await;
    assert_eq!(v1["templateId"], "76c03f19-ea37-4656-a772-a183b4ddb81d");
}

#[tokio::test]
async fn ca_rate_limit_applies_to_policies_and_alias_without_retry_after() {
    for path in [format!("/v1.0{COLL}"), format!("/beta{ALIAS}")] {
        let t = T::with(SimOptions {
            ca_rate_limit: Some(1.0),
            ..Default::default()
        })
        .await;
        let mut throttled = 0;
        for _ in 0..3 {
            let (s, h, b) = t.call(Method::GET, &path, None).await;
            if s == 429 {
                throttled += 1;
                assert!(
                    !h.contains_key("retry-after"),
                    "CA 429 must not carry Retry-After"
                );
                assert_eq!(assert_graph_error(&b.unwrap()), "TooManyRequests");
            } else {
                assert_eq!(s, 200);
            }
        }
        assert!(throttled >= 2, "{path}: {throttled}");
        // Writes share the same budget.
        let (s, _, _) = t.call(Method::POST, &path, Some(&minimal())).await;
        assert_eq!(s, 429);
    }
}

/// Client app types are required, but a policy for agent identities may have none: Graph's
/// documented example of one reads back with `clientAppTypes: []`.
#[tokio::test]
async fn only_a_policy_for_agent_identities_may_have_no_client_app_types() {
    let t = T::new().await;
    let agents = with(
        minimal(),
        &[
            ("conditions.clientAppTypes", json!([])),
            ("conditions.users.includeUsers", json!(["None"])),
            (
                "conditions.clientApplications",
                json!({"includeAgentIdServicePrincipals": ["All"]}),
            ),
            ("grantControls.builtInControls", json!(["block"])),
        ],
    );
    let id = t.create("beta", &agents).await;
    assert_eq!(
        t.get("beta", &id).await["conditions"]["clientAppTypes"],
        json!([])
    );
    let users = with(minimal(), &[("conditions.clientAppTypes", json!([]))]);
    let (s, b) = t.post("beta", &users).await;
    assert_bad_request(s, &b, "clientAppTypes");
}
