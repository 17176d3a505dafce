//! Cross-cutting Graph behaviour: stats, throttling, faults, latency, HTTP versions, metadata.

mod common;

use common::*;
use entra_graph_sim::SimOptions;
use reqwest::Method;
use serde_json::Value;
use std::time::{Duration, Instant};

const ACR: &str = "/v1.0/identity/conditionalAccess/authenticationContextClassReferences";

#[tokio::test]
async fn stats_count_graph_only_and_reset() {
    let (sim, client) = start(SimOptions::default()).await;
    let token = secret_token(&sim, &client).await; // token requests do not count
    assert_eq!(sim.stats()["total"], 0);
    send(&client, Method::GET, &graph_url(&sim, ACR), &token, None).await;
    send(
        &client,
        Method::PATCH,
        &graph_url(&sim, &format!("{ACR}/c3")),
        &token,
        Some(&serde_json::json!({})),
    )
    .await;
    send(
        &client,
        Method::PATCH,
        &graph_url(&sim, &format!("{ACR}/c4")),
        &token,
        Some(&serde_json::json!({})),
    )
    .await;
    send(
        &client,
        Method::GET,
        &graph_url(
            &sim,
            "/beta/identity/conditionalAccess/authenticationContextClassReferences/c4",
        ),
        &token,
        None,
    )
    .await;
    client
        .get(format!(
            "{}/metadata/endpoints?api-version=2022-09-01",
            sim.info().authority_host
        ))
        .send()
        .await
        .unwrap();

    let stats: Value = client
        .get(format!("{}/_sim/stats", sim.info().authority_host))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(stats, sim.stats());
    assert_eq!(stats["total"], 4);
    assert_eq!(
        stats["requests"]
            ["GET /v1.0/identity/conditionalAccess/authenticationContextClassReferences"],
        1
    );
    assert_eq!(
        stats["requests"]
            ["PATCH /v1.0/identity/conditionalAccess/authenticationContextClassReferences/{id}"],
        2
    );
    assert_eq!(
        stats["requests"]
            ["GET /beta/identity/conditionalAccess/authenticationContextClassReferences/{id}"],
        1
    );

    let resp = client
        .post(format!("{}/_sim/stats/reset", sim.info().authority_host))
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_success());
    assert_eq!(sim.stats()["total"], 0);
    send(&client, Method::GET, &graph_url(&sim, ACR), &token, None).await;
    assert_eq!(sim.stats()["total"], 1);
    sim.reset_stats();
    assert_eq!(sim.stats()["total"], 0);
    assert_eq!(sim.stats()["requests"], serde_json::json!({}));
}

#[tokio::test]
async fn ca_rate_limit_429_without_retry_after() {
    let (sim, client) = start(SimOptions {
        ca_rate_limit: Some(1.0),
        ..Default::default()
    })
    .await;
    let token = sim.mint_app_token();
    let mut throttled = 0;
    for path in [
        "/v1.0/identity/conditionalAccess/namedLocations",
        "/v1.0/identity/conditionalAccess/policies",
        "/beta/identity/conditionalAccess/namedLocations",
        "/v1.0/identity/conditionalAccess/policies/x",
    ] {
        let (s, h, b) = send(&client, Method::GET, &graph_url(&sim, path), &token, None).await;
        if s == 429 {
            throttled += 1;
            assert!(
                !h.contains_key("retry-after"),
                "CA 429 must not carry Retry-After"
            );
            assert_eq!(assert_graph_error(&b.unwrap()), "TooManyRequests");
        }
    }
    assert!(throttled >= 3, "shared budget of 1 req/s: {throttled}");
    assert_eq!(
        sim.stats()["throttled"],
        throttled,
        "stats count the 429s sent"
    );
    // Auth contexts are not in the CA budget.
    for _ in 0..5 {
        let (s, _, _) = send(&client, Method::GET, &graph_url(&sim, ACR), &token, None).await;
        assert_eq!(s, 200);
    }
    // Budget refills.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let (s, _, _) = send(
        &client,
        Method::GET,
        &graph_url(&sim, "/v1.0/identity/conditionalAccess/policies"),
        &token,
        None,
    )
    .await;
    assert_ne!(s, 429);
}

#[tokio::test]
async fn fault_injection() {
    let (sim, _) = start(SimOptions {
        fault_rate: 1.0,
        ..Default::default()
    })
    .await;
    let token = sim.mint_app_token();
    let (mut s429, mut s503, mut resets) = (0, 0, 0);
    for _ in 0..30 {
        // Fresh HTTP/1.1 client each time so a reset only kills its own connection.
        let client = client_for(&sim, true);
        match client
            .get(graph_url(&sim, ACR))
            .bearer_auth(&token)
            .send()
            .await
        {
            Ok(resp) => match resp.status().as_u16() {
                429 => {
                    // The mix has both: generic 429 + Retry-After: 1 and the CA-style 429
                    // without it (faults.rs tests tell them apart).
                    if let Some(ra) = resp.headers().get("retry-after") {
                        assert_eq!(ra, "1");
                    }
                    s429 += 1;
                }
                503 => s503 += 1,
                other => panic!("unexpected {other} with fault_rate 1"),
            },
            Err(_) => resets += 1,
        }
    }
    assert!(
        s429 > 0 && s503 > 0 && resets > 0,
        "429={s429} 503={s503} resets={resets}"
    );
    // Token endpoint is not subject to faults.
    let client = client_for(&sim, true);
    secret_token(&sim, &client).await;
}

#[tokio::test]
async fn latency_http_versions_and_headers() {
    let (sim, client) = start(SimOptions {
        latency_ms: 150,
        ..Default::default()
    })
    .await;
    let token = sim.mint_app_token();
    let t = Instant::now();
    let resp = client
        .get(graph_url(&sim, ACR))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert!(t.elapsed() >= Duration::from_millis(150));
    assert_eq!(resp.version(), reqwest::Version::HTTP_2);
    assert!(resp.headers().contains_key("request-id"));
    assert!(resp.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/json"));

    let h1 = client_for(&sim, true);
    let resp = h1
        .get(graph_url(&sim, ACR))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.version(), reqwest::Version::HTTP_11);
    assert_eq!(resp.status(), 200);
    // Keep-alive: a second request on the same client works.
    let resp = h1
        .get(graph_url(&sim, ACR))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);

    // Unknown segment and wrong method.
    let (s, _, b) = send(
        &client,
        Method::GET,
        &graph_url(&sim, "/v1.0/nothingHere"),
        &token,
        None,
    )
    .await;
    assert_eq!(s, 400);
    assert_graph_error(&b.unwrap());
    let (s, _, _) = send(&client, Method::PUT, &graph_url(&sim, ACR), &token, None).await;
    assert_eq!(s, 405);
}

#[tokio::test]
async fn cloud_metadata() {
    let (sim, client) = start(SimOptions::default()).await;
    let base = &sim.info().authority_host;
    let doc: Value = client
        .get(format!("{base}/metadata/endpoints?api-version=2022-09-01"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        doc["authentication"]["loginEndpoint"],
        sim.info().authority_host.as_str()
    );
    assert_eq!(
        doc["microsoftGraphResourceId"],
        format!("{}/", sim.info().graph_endpoint)
    );
    assert!(doc["name"].is_string());
    assert!(doc["authentication"]["audiences"].is_array());
    let older: Value = client
        .get(format!("{base}/metadata/endpoints?api-version=2019-05-01"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(older.as_array().unwrap().len(), 1);
    assert_eq!(older[0], doc);
}

#[tokio::test]
async fn ca_file_written_and_removed() {
    let (sim, _) = start(SimOptions::default()).await;
    let path = std::path::PathBuf::from(&sim.info().ca_file);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), sim.ca_pem());
    assert!(sim.info().graph_endpoint.starts_with("https://127.0.0.1:"));
    sim.shutdown().await;
    assert!(!path.exists());
}

/// `time_scale` runs Graph's clock faster for tests: the replication lag, the rate limit's
/// window and slow answers all shrink by the same factor, so their proportions stay Graph's.
#[tokio::test]
async fn time_scale_shrinks_lag_rate_window_and_slow_answers_alike() {
    let (sim, client) = start(SimOptions {
        consistency_lag_ms: 3000,
        ca_rate_limit: Some(1.0),
        slow_fault_ms: 4000,
        time_scale: Some(0.1),
        ..Default::default()
    })
    .await;
    let token = sim.mint_app_token();
    let url = graph_url(&sim, &format!("{ACR}/c5"));
    let body = serde_json::json!({"displayName": "scaled"});
    let (s, _, _) = send(&client, Method::PATCH, &url, &token, Some(&body)).await;
    assert_eq!(s, 204);
    // Three seconds of lag are 300 ms here: still hidden at once, visible after 400 ms.
    assert_eq!(send(&client, Method::GET, &url, &token, None).await.0, 404);
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(send(&client, Method::GET, &url, &token, None).await.0, 200);

    // One request a second is one per 100 ms: a second request at once is refused, one after
    // 150 ms is not.
    let locations = graph_url(&sim, "/v1.0/identity/conditionalAccess/namedLocations");
    assert_eq!(
        send(&client, Method::GET, &locations, &token, None).await.0,
        200
    );
    assert_eq!(
        send(&client, Method::GET, &locations, &token, None).await.0,
        429
    );
    tokio::time::sleep(Duration::from_millis(150)).await;
    assert_eq!(
        send(&client, Method::GET, &locations, &token, None).await.0,
        200
    );

    // A slow answer of four seconds takes 400 ms.
    sim.script_fault(entra_graph_sim::ScriptedFault::new(
        entra_graph_sim::FaultKind::Slow,
    ));
    let started = Instant::now();
    assert_eq!(send(&client, Method::GET, &url, &token, None).await.0, 200);
    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(400) && took < Duration::from_secs(4),
        "{took:?}"
    );
}
