//! authenticationContextClassReference behaviour, replaying the reference examples.

mod common;

use common::*;
use entra_graph_sim::SimOptions;
use reqwest::Method;
use serde_json::{json, Value};

const COLL: &str = "/identity/conditionalAccess/authenticationContextClassReferences";

fn strip_context(mut v: Value) -> Value {
    v.as_object_mut().unwrap().remove("@odata.context");
    v
}

#[tokio::test]
async fn upsert_example_then_list_matches_reference_shape() {
    let (sim, client) = start(SimOptions::default()).await;
    let token = secret_token(&sim, &client).await;

    // The list example holds c1 "Contoso trusted locations"; create it through PATCH (upsert).
    let expected = example("authcontext.list.response.json");
    let c1 = expected["value"][0].clone();
    let mut body = c1.clone();
    body.as_object_mut().unwrap().remove("id");
    let (status, headers, resp) = send(
        &client,
        Method::PATCH,
        &graph_url(&sim, &format!("/v1.0{COLL}/c1")),
        &token,
        Some(&body),
    )
    .await;
    assert_eq!(status, 204);
    assert!(resp.is_none());
    assert!(headers.contains_key("request-id"));

    let (status, _, list) = send(
        &client,
        Method::GET,
        &graph_url(&sim, &format!("/v1.0{COLL}")),
        &token,
        None,
    )
    .await;
    assert_eq!(status, 200);
    let list = list.unwrap();
    assert_eq!(
        list["@odata.context"],
        format!(
            "{}/v1.0/$metadata#identity/conditionalAccess/authenticationContextClassReferences",
            sim.info().graph_endpoint
        )
    );
    assert_eq!(strip_context(list), strip_context(expected.clone()));

    // Then the upsert example (doc: PATCH .../c1) updates the same object in place.
    let upsert = example("authcontext.upsert.request.json");
    let (status, _, _) = send(
        &client,
        Method::PATCH,
        &graph_url(&sim, &format!("/v1.0{COLL}/c1")),
        &token,
        Some(&upsert),
    )
    .await;
    assert_eq!(status, 204);
    let (status, _, got) = send(
        &client,
        Method::GET,
        &graph_url(&sim, &format!("/beta{COLL}/c1")),
        &token,
        None,
    )
    .await;
    assert_eq!(status, 200);
    let got = got.unwrap();
    assert_eq!(
        got["@odata.context"],
        format!("{}/beta/$metadata#identity/conditionalAccess/authenticationContextClassReferences/$entity", sim.info().graph_endpoint)
    );
    let mut want = upsert.clone();
    want.as_object_mut()
        .unwrap()
        .insert("id".into(), json!("c1"));
    let got = strip_context(got);
    assert_eq!(got.as_object().unwrap().len(), 4);
    for (k, v) in want.as_object().unwrap() {
        assert_eq!(&got[k], v, "property {k}");
    }
}

#[tokio::test]
async fn upsert_semantics_defaults_merge_and_validation() {
    let (sim, client) = start(SimOptions::default()).await;
    let token = sim.mint_app_token();
    let url = |id: &str| graph_url(&sim, &format!("/v1.0{COLL}/{id}"));

    // Empty body creates with defaults.
    let resp = client
        .patch(url("c7"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204);
    let (_, _, got) = send(&client, Method::GET, &url("c7"), &token, None).await;
    assert_eq!(
        strip_context(got.unwrap()),
        json!({"id": "c7", "displayName": null, "description": null, "isAvailable": false})
    );

    // Merge: only given properties change; explicit null clears a string.
    send(
        &client,
        Method::PATCH,
        &url("c7"),
        &token,
        Some(&json!({"displayName": "A", "description": "d"})),
    )
    .await;
    send(
        &client,
        Method::PATCH,
        &url("c7"),
        &token,
        Some(&json!({"isAvailable": true})),
    )
    .await;
    let (_, _, got) = send(&client, Method::GET, &url("c7"), &token, None).await;
    assert_eq!(
        strip_context(got.unwrap()),
        json!({"id": "c7", "displayName": "A", "description": "d", "isAvailable": true})
    );
    send(
        &client,
        Method::PATCH,
        &url("c7"),
        &token,
        Some(&json!({"description": null})),
    )
    .await;
    let (_, _, got) = send(&client, Method::GET, &url("c7"), &token, None).await;
    assert_eq!(got.unwrap()["description"], Value::Null);

    // @odata.type annotation is fine.
    let (s, _, _) = send(&client, Method::PATCH, &url("c7"), &token, Some(&json!({"@odata.type": "#microsoft.graph.authenticationContextClassReference", "displayName": "B"}))).await;
    assert_eq!(s, 204);

    // Invalid ids, unknown property, wrong types -> 400 envelope.
    for id in ["c0", "c100", "C1", "c01", "x1", "c"] {
        let (s, _, b) = send(&client, Method::PATCH, &url(id), &token, Some(&json!({}))).await;
        assert_eq!(s, 400, "id {id}");
        assert_eq!(assert_graph_error(&b.unwrap()), "BadRequest");
    }
    for id in ["c1", "c9", "c10", "c99"] {
        let (s, _, _) = send(&client, Method::PATCH, &url(id), &token, Some(&json!({}))).await;
        assert_eq!(s, 204, "id {id}");
    }
    for bad in [
        json!({"foo": 1}),
        json!({"isAvailable": "yes"}),
        json!({"isAvailable": null}),
        json!({"displayName": 5}),
        json!({"description": ["x"]}),
        json!({"id": "c8"}),
    ] {
        let (s, _, b) = send(&client, Method::PATCH, &url("c7"), &token, Some(&bad)).await;
        assert_eq!(s, 400, "body {bad}");
        assert_eq!(assert_graph_error(&b.unwrap()), "BadRequest");
    }
    // Malformed JSON.
    let resp = client
        .patch(url("c7"))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
}

#[tokio::test]
async fn get_404_shape_and_post_create_conflict() {
    let (sim, client) = start(SimOptions::default()).await;
    let token = sim.mint_app_token();
    let resp = client
        .get(graph_url(&sim, &format!("/v1.0{COLL}/c5")))
        .bearer_auth(&token)
        .header("client-request-id", "11111111-2222-3333-4444-555555555555")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 404);
    assert_eq!(
        resp.headers()["client-request-id"],
        "11111111-2222-3333-4444-555555555555"
    );
    let rid = resp.headers()["request-id"].to_str().unwrap().to_string();
    let body: Value = resp.json().await.unwrap();
    assert_eq!(assert_graph_error(&body), "ResourceNotFound");
    assert_eq!(
        body["error"]["innerError"]["client-request-id"],
        "11111111-2222-3333-4444-555555555555"
    );
    assert_eq!(body["error"]["innerError"]["request-id"], rid.as_str());
    let date = body["error"]["innerError"]["date"].as_str().unwrap();
    assert_eq!(date.len(), "2025-02-13T10:17:06".len());

    // beta POST create.
    let create = json!({"id": "c5", "displayName": "Five", "isAvailable": false});
    let (s, h, b) = send(
        &client,
        Method::POST,
        &graph_url(&sim, &format!("/beta{COLL}")),
        &token,
        Some(&create),
    )
    .await;
    assert_eq!(s, 201);
    assert!(h.contains_key("location"));
    let b = b.unwrap();
    assert_eq!(
        strip_context(b),
        json!({"id": "c5", "displayName": "Five", "description": null, "isAvailable": false})
    );
    let (s, _, b) = send(
        &client,
        Method::POST,
        &graph_url(&sim, &format!("/beta{COLL}")),
        &token,
        Some(&create),
    )
    .await;
    assert_eq!(s, 409);
    assert_graph_error(&b.unwrap());
    let (s, _, _) = send(
        &client,
        Method::POST,
        &graph_url(&sim, &format!("/beta{COLL}")),
        &token,
        Some(&json!({"displayName": "no id"})),
    )
    .await;
    assert_eq!(s, 400);
}

#[tokio::test]
async fn delete_refused_when_published_or_referenced() {
    let (sim, client) = start(SimOptions::default()).await;
    let token = sim.mint_app_token();
    let url = |id: &str| graph_url(&sim, &format!("/v1.0{COLL}/{id}"));

    send(
        &client,
        Method::PATCH,
        &url("c2"),
        &token,
        Some(&json!({"displayName": "two", "isAvailable": true})),
    )
    .await;
    let (s, _, b) = send(&client, Method::DELETE, &url("c2"), &token, None).await;
    assert_eq!(s, 403);
    assert_graph_error(&b.unwrap());

    send(
        &client,
        Method::PATCH,
        &url("c2"),
        &token,
        Some(&json!({"isAvailable": false})),
    )
    .await;
    let policy_id = sim.put_raw_policy(json!({
        "displayName": "uses c2",
        "state": "enabled",
        "conditions": {"applications": {"includeApplications": [], "includeAuthenticationContextClassReferences": ["c2"]}}
    }));
    let (s, _, b) = send(&client, Method::DELETE, &url("c2"), &token, None).await;
    assert_eq!(s, 400);
    let b = b.unwrap();
    assert_eq!(assert_graph_error(&b), "BadRequest");
    assert!(b["error"]["message"].as_str().unwrap().contains(&policy_id));

    // Unreferenced and unpublished -> 204, then 404.
    send(&client, Method::PATCH, &url("c3"), &token, Some(&json!({}))).await;
    let (s, _, b) = send(&client, Method::DELETE, &url("c3"), &token, None).await;
    assert_eq!(s, 204);
    assert!(b.is_none());
    let (s, _, _) = send(&client, Method::DELETE, &url("c3"), &token, None).await;
    assert_eq!(s, 404);
    let (s, _, _) = send(&client, Method::GET, &url("c3"), &token, None).await;
    assert_eq!(s, 404);
}

#[tokio::test]
async fn list_filter_and_paging() {
    let (sim, client) = start(SimOptions::default()).await;
    let token = sim.mint_app_token();
    for n in 1..=7 {
        let body = json!({"displayName": format!("ctx {n}"), "isAvailable": n % 2 == 0});
        send(
            &client,
            Method::PATCH,
            &graph_url(&sim, &format!("/v1.0{COLL}/c{n}")),
            &token,
            Some(&body),
        )
        .await;
    }
    let list_url = graph_url(&sim, &format!("/v1.0{COLL}"));

    let resp = client
        .get(with_query(&list_url, &[("$filter", "id eq 'c3'")]))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    let b: Value = resp.json().await.unwrap();
    assert_eq!(b["value"].as_array().unwrap().len(), 1);
    assert_eq!(b["value"][0]["id"], "c3");

    let resp = client
        .get(with_query(&list_url, &[("$filter", "isAvailable eq true")]))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    let b: Value = resp.json().await.unwrap();
    let ids: Vec<&str> = b["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["c2", "c4", "c6"]);

    let resp = client
        .get(with_query(
            &list_url,
            &[("$filter", "isAvailable eq false and id eq 'c5'")],
        ))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    let b: Value = resp.json().await.unwrap();
    assert_eq!(b["value"][0]["id"], "c5");

    let resp = client
        .get(with_query(&list_url, &[("$filter", "bogus eq 1")]))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);

    // $top paging: follow nextLink verbatim.
    let mut next = Some(format!("{list_url}?$top=3"));
    let mut seen = Vec::new();
    let mut pages = 0;
    while let Some(url) = next {
        let b: Value = client
            .get(&url)
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        pages += 1;
        for v in b["value"].as_array().unwrap() {
            seen.push(v["id"].as_str().unwrap().to_string());
        }
        next = b["@odata.nextLink"].as_str().map(str::to_string);
        if let Some(n) = &next {
            assert!(n.starts_with(&list_url) && n.contains("$skiptoken="), "{n}");
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(seen, ["c1", "c2", "c3", "c4", "c5", "c6", "c7"]);

    let resp = client
        .get(format!("{list_url}?$skiptoken=garbage"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
}

#[tokio::test]
async fn consistency_lag_404_then_200() {
    let (sim, client) = start(SimOptions {
        consistency_lag_ms: 400,
        ..Default::default()
    })
    .await;
    let token = sim.mint_app_token();
    let url = graph_url(&sim, &format!("/v1.0{COLL}/c4"));
    let (s, _, _) = send(
        &client,
        Method::PATCH,
        &url,
        &token,
        Some(&json!({"displayName": "lag"})),
    )
    .await;
    assert_eq!(s, 204);
    let (s, _, b) = send(&client, Method::GET, &url, &token, None).await;
    assert_eq!(s, 404);
    assert_graph_error(&b.unwrap());
    tokio::time::sleep(std::time::Duration::from_millis(450)).await;
    let (s, _, b) = send(&client, Method::GET, &url, &token, None).await;
    assert_eq!(s, 200);
    assert_eq!(b.unwrap()["displayName"], "lag");
}

#[tokio::test]
async fn seed_from_corpus() {
    let corpus = shared("corpus");
    assert!(corpus.join("auth-contexts").is_dir());
    let (sim, client) = start(SimOptions {
        seed_dir: Some(corpus.clone()),
        ..Default::default()
    })
    .await;
    let token = sim.mint_app_token();
    let (s, _, b) = send(
        &client,
        Method::GET,
        &graph_url(&sim, &format!("/v1.0{COLL}")),
        &token,
        None,
    )
    .await;
    assert_eq!(s, 200);
    let values = b.unwrap()["value"].as_array().unwrap().clone();
    // Every corpus object is present (objects without an id got a free cN).
    let mut files: Vec<_> = std::fs::read_dir(corpus.join("auth-contexts"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(!files.is_empty());
    for f in files {
        let obj: Value = serde_json::from_str(&std::fs::read_to_string(&f).unwrap()).unwrap();
        let found = values.iter().any(|v| {
            obj.as_object()
                .unwrap()
                .iter()
                .all(|(k, want)| &v[k] == want)
        });
        assert!(found, "{} not seeded: {values:?}", f.display());
    }
    // Seeded objects are readable right away and through GET by id.
    let (s, _, b) = send(
        &client,
        Method::GET,
        &graph_url(&sim, &format!("/v1.0{COLL}/c1")),
        &token,
        None,
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(b.unwrap()["displayName"], "Contoso trusted locations");
}
