//! JSON batching.

mod common;

use common::*;
use entra_graph_sim::SimOptions;
use reqwest::Method;
use serde_json::{json, Value};

const ACR: &str = "/identity/conditionalAccess/authenticationContextClassReferences";

async fn batch(
    sim: &entra_graph_sim::Simulator,
    client: &reqwest::Client,
    token: &str,
    body: &Value,
) -> (u16, Value) {
    let (s, _, b) = send(
        client,
        Method::POST,
        &graph_url(sim, "/v1.0/$batch"),
        token,
        Some(body),
    )
    .await;
    (s, b.unwrap())
}

fn by_id<'a>(resp: &'a Value, id: &str) -> &'a Value {
    resp["responses"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id)
        .unwrap_or_else(|| panic!("no response {id}: {resp}"))
}

#[tokio::test]
async fn reference_batch_request_is_answered_per_item() {
    let (sim, client) = start(SimOptions::default()).await;
    let token = sim.mint_app_token();
    // The docs' example targets resources the simulator does not model; the batch itself must
    // still be accepted and every item answered with id/status/headers (like batch.response.json).
    let req = example("batch.request.json");
    let (s, b) = batch(&sim, &client, &token, &req).await;
    assert_eq!(s, 200);
    let reference = example("batch.response.json");
    let ref_item_keys: Vec<&String> = reference["responses"][0]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    assert_eq!(b["responses"].as_array().unwrap().len(), 5);
    for item in b["responses"].as_array().unwrap() {
        for k in &ref_item_keys {
            assert!(item.get(k.as_str()).is_some(), "missing {k} in {item}");
        }
        assert_eq!(item["status"], 400);
        assert_graph_error(&item["body"]);
    }
}

#[tokio::test]
async fn batch_crud_depends_on_and_counting() {
    let (sim, client) = start(SimOptions::default()).await;
    let token = sim.mint_app_token();
    sim.reset_stats();
    let req = json!({"requests": [
        {"id": "1", "method": "PATCH", "url": format!("{ACR}/c1"), "headers": {"Content-Type": "application/json"}, "body": {"displayName": "one"}},
        {"id": "2", "method": "GET", "url": format!("{}/c1", ACR.trim_start_matches('/')), "dependsOn": ["1"]},
        {"id": "3", "method": "GET", "url": format!("{ACR}/c9")},
        {"id": "4", "method": "GET", "url": format!("{ACR}/c1"), "dependsOn": ["3"]},
        {"id": "5", "method": "GET", "url": format!("{ACR}?$filter=id eq 'c1'")},
        {"id": "6", "method": "DELETE", "url": format!("{ACR}/c1"), "dependsOn": ["2"]}
    ]});
    let (s, b) = batch(&sim, &client, &token, &req).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(by_id(&b, "1")["status"], 204);
    assert!(by_id(&b, "1").get("body").is_none());
    assert_eq!(by_id(&b, "2")["status"], 200);
    assert_eq!(by_id(&b, "2")["body"]["displayName"], "one");
    assert!(by_id(&b, "2")["headers"]["Content-Type"]
        .as_str()
        .unwrap()
        .starts_with("application/json"));
    assert_eq!(by_id(&b, "3")["status"], 404);
    assert_eq!(by_id(&b, "4")["status"], 424);
    assert_graph_error(&by_id(&b, "4")["body"]);
    assert_eq!(by_id(&b, "5")["body"]["value"].as_array().unwrap().len(), 1);
    assert_eq!(by_id(&b, "6")["status"], 204);

    let stats = sim.stats();
    let item = "/v1.0/identity/conditionalAccess/authenticationContextClassReferences/{id}";
    assert_eq!(stats["requests"]["POST /v1.0/$batch"], 1);
    assert_eq!(stats["requests"][format!("PATCH {item}")], 1);
    assert_eq!(stats["requests"][format!("GET {item}")], 2, "{stats}"); // 4 was never run
    assert_eq!(stats["requests"][format!("DELETE {item}")], 1);
    assert_eq!(
        stats["requests"]
            ["GET /v1.0/identity/conditionalAccess/authenticationContextClassReferences"],
        1
    );
    assert_eq!(stats["total"], 6);
}

#[tokio::test]
async fn batch_limits_and_malformed() {
    let (sim, client) = start(SimOptions::default()).await;
    let token = sim.mint_app_token();
    let get = |id: usize| json!({"id": id.to_string(), "method": "GET", "url": ACR});

    let twenty: Vec<Value> = (1..=20).map(get).collect();
    let (s, b) = batch(&sim, &client, &token, &json!({"requests": twenty})).await;
    assert_eq!(s, 200);
    assert_eq!(b["responses"].as_array().unwrap().len(), 20);

    let twenty_one: Vec<Value> = (1..=21).map(get).collect();
    let (s, b) = batch(&sim, &client, &token, &json!({"requests": twenty_one})).await;
    assert_eq!(s, 400);
    assert_eq!(assert_graph_error(&b), "BadRequest");

    for bad in [
        json!({"requests": [get(1), get(1)]}),
        json!({"requests": [{"id": "1", "method": "PATCH", "url": format!("{ACR}/c1"), "body": {}}]}),
        json!({"requests": [{"id": "1", "method": "GET", "url": ACR, "dependsOn": ["7"]}]}),
        json!({"requests": []}),
        json!({"nope": 1}),
        json!({"requests": [{"id": "1", "url": ACR}]}),
    ] {
        let (s, b) = batch(&sim, &client, &token, &bad).await;
        assert_eq!(s, 400, "{bad}");
        assert_graph_error(&b);
    }

    // Absolute URLs and nested batches fail per item.
    let (s, b) = batch(&sim, &client, &token, &json!({"requests": [
        {"id": "a", "method": "GET", "url": format!("{}/v1.0{ACR}", sim.info().graph_endpoint)},
        {"id": "b", "method": "POST", "url": "/$batch", "headers": {"content-type": "application/json"}, "body": {"requests": []}}
    ]})).await;
    assert_eq!(s, 200);
    assert_eq!(by_id(&b, "a")["status"], 400);
    assert_eq!(by_id(&b, "b")["status"], 400);

    // The outer request is authenticated like any other.
    let (s, _, _) = send(
        &client,
        Method::POST,
        &graph_url(&sim, "/beta/$batch"),
        "bad",
        Some(&json!({"requests": [get(1)]})),
    )
    .await;
    assert_eq!(s, 401);
    let (s, _) = batch(&sim, &client, &token, &json!({"requests": [get(1)]})).await;
    assert_eq!(s, 200);
}

/// `Prefer: include-unknown-enum-members` reaches a sub-request from its own `headers` or from
/// the `$batch` request itself, so evolvable enum members (here the platform `linux`, declared
/// after `unknownFutureValue`) are written and read as in a direct request.
#[tokio::test]
async fn prefer_reaches_sub_requests_from_their_headers_or_the_batch() {
    const CA: &str = "/identity/conditionalAccess/policies";
    const PREFER: &str = "include-unknown-enum-members";
    let (sim, client) = start(SimOptions::default()).await;
    let token = sim.mint_app_token();
    let policy = json!({
        "displayName": "Linux",
        "state": "enabled",
        "conditions": {
            "clientAppTypes": ["all"],
            "applications": {"includeApplications": ["All"]},
            "users": {"includeUsers": ["All"]},
            "platforms": {"includePlatforms": ["linux"]}
        },
        "grantControls": {"operator": "OR", "builtInControls": ["mfa"]}
    });
    let platforms = |r: &Value| r["body"]["conditions"]["platforms"]["includePlatforms"].clone();
    let writes = json!({"requests": [
        {"id": "plain", "method": "POST", "url": CA, "headers": {"Content-Type": "application/json"}, "body": policy},
        {"id": "asked", "method": "POST", "url": CA, "headers": {"Content-Type": "application/json", "Prefer": PREFER}, "body": policy}
    ]});
    let (s, b) = batch(&sim, &client, &token, &writes).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(by_id(&b, "plain")["status"], 400, "{b}");
    let asked = by_id(&b, "asked");
    assert_eq!(asked["status"], 201, "{b}");
    assert_eq!(platforms(asked), json!(["linux"]));

    let item = format!("{CA}/{}", asked["body"]["id"].as_str().unwrap());
    let reads = json!({"requests": [
        {"id": "own", "method": "GET", "url": item, "headers": {"Prefer": PREFER}},
        {"id": "none", "method": "GET", "url": item}
    ]});
    let (s, b) = batch(&sim, &client, &token, &reads).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(platforms(by_id(&b, "own")), json!(["linux"]));
    assert_eq!(platforms(by_id(&b, "none")), json!(["unknownFutureValue"]));
    // The header on the $batch request applies to every sub-request.
    let resp = client
        .post(graph_url(&sim, "/v1.0/$batch"))
        .bearer_auth(&token)
        .header("Prefer", PREFER)
        .json(&reads)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let b: Value = resp.json().await.unwrap();
    assert_eq!(platforms(by_id(&b, "none")), json!(["linux"]));
}
