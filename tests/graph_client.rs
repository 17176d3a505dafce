//! The Graph client against the simulator: paging, `$batch`, retries through injected faults,
//! cancellation by StopProvider's token, and error details.

use entra_graph_sim::{FaultKind, ScriptedFault, SimOptions, Simulator};
use serde_json::{json, Value as Json};
use std::sync::Arc;
use std::time::{Duration, Instant};
use terraform_provider_entra::graph::client::BatchRequest;
use terraform_provider_entra::graph::credentials::{self, AuthSettings};
use terraform_provider_entra::graph::{http, Api, GraphClient, GraphError};
use tokio_util::sync::CancellationToken;

const CONTEXTS: &str = "/identity/conditionalAccess/authenticationContextClassReferences";

fn client(sim: &Simulator, cancel: CancellationToken) -> GraphClient {
    let info = sim.info();
    let http =
        http::client_trusting(Some(sim.ca_pem().as_bytes()), Duration::from_secs(120)).unwrap();
    let settings = AuthSettings {
        tenant_id: info.tenant_id.clone(),
        client_id: Some(info.client_id.clone()),
        client_secret: Some(info.client_secret.clone()),
        authority_host: info.authority_host.clone(),
        ..Default::default()
    };
    let (cred, kind) = credentials::build(&settings, &http).unwrap();
    assert_eq!(kind, "client_secret");
    let renew = {
        let http = http.clone();
        Arc::new(move || credentials::build(&settings, &http).map(|(c, _)| c))
    };
    GraphClient::new(http, &info.graph_endpoint, &info.tenant_id, cred, cancel).with_renewal(renew)
}

async fn seed(c: &GraphClient, n: usize) {
    for i in 1..=n {
        c.patch(
            Api::V1,
            &format!("{CONTEXTS}/c{i}"),
            &json!({"displayName": format!("ctx {i}")}),
        )
        .await
        .unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_follows_next_links_until_the_end() {
    let sim = Simulator::start(SimOptions::default()).await.unwrap();
    let c = client(&sim, CancellationToken::new());
    seed(&c, 23).await;
    sim.reset_stats();
    let all: Vec<Json> = c
        .list(Api::V1, &format!("{CONTEXTS}?$top=5"))
        .await
        .unwrap();
    assert_eq!(all.len(), 23);
    let mut ids: Vec<_> = all
        .iter()
        .map(|v| v["id"].as_str().unwrap().to_string())
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 23, "no duplicates across pages");
    assert_eq!(
        sim.stats()["total"],
        5,
        "five pages of at most five: {}",
        sim.stats()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batch_answers_every_request_in_input_order() {
    let sim = Simulator::start(SimOptions::default()).await.unwrap();
    let c = client(&sim, CancellationToken::new());
    seed(&c, 25).await;
    let requests: Vec<BatchRequest> = (1..=26)
        .map(|i| BatchRequest {
            url: format!("{CONTEXTS}/c{i}"),
        })
        .collect();
    sim.reset_stats();
    let answers = c.batch(Api::V1, &requests).await.unwrap();
    assert_eq!(answers.len(), 26);
    for (i, a) in answers.iter().take(25).enumerate() {
        assert_eq!(a.status, 200);
        assert_eq!(a.body["id"], format!("c{}", i + 1));
    }
    assert_eq!(answers[25].status, 404, "c26 does not exist");
    assert_eq!(
        sim.stats()["requests"]["POST /v1.0/$batch"],
        2,
        "20 + 6: {}",
        sim.stats()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idempotent_requests_ride_out_transient_faults() {
    let sim = Simulator::start(SimOptions {
        fault_rate: 0.2,
        ..Default::default()
    })
    .await
    .unwrap();
    let c = client(&sim, CancellationToken::new());
    // Writes are PATCH (idempotent upserts) and reads are GET: every one must get through.
    seed(&c, 6).await;
    for i in 1..=6 {
        let v: Json = c.get(Api::V1, &format!("{CONTEXTS}/c{i}")).await.unwrap();
        assert_eq!(v["displayName"], format!("ctx {i}"));
    }
    let total = sim.stats()["total"].as_u64().unwrap();
    assert!(total >= 12, "{}", sim.stats());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_answered_unreadably_is_asked_once_more_then_reported() {
    let sim = Simulator::start(SimOptions::default()).await.unwrap();
    let c = client(&sim, CancellationToken::new());
    seed(&c, 1).await;
    let path = format!("{CONTEXTS}/c1");
    for kind in [
        FaultKind::TruncatedJson,
        FaultKind::EmptyBody,
        FaultKind::Html,
    ] {
        sim.script_fault(ScriptedFault::new(kind).on_method("GET"));
        let v: Json = c.get(Api::V1, &path).await.unwrap();
        assert_eq!(v["displayName"], "ctx 1", "{kind:?}");
    }
    for kind in [FaultKind::TruncatedJson, FaultKind::EmptyBody] {
        sim.script_fault(ScriptedFault::new(kind).on_method("GET").times(2));
        let e = c.get::<Json>(Api::V1, &path).await.unwrap_err();
        assert!(matches!(e, GraphError::NoAnswer { .. }), "{kind:?}: {e:?}");
        assert!(e.to_string().contains(&path), "{e}");
        assert!(sim.scripted_faults().is_empty(), "asked exactly twice");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stop_cancels_in_flight_requests_promptly() {
    let sim = Simulator::start(SimOptions {
        latency_ms: 10_000,
        ..Default::default()
    })
    .await
    .unwrap();
    let cancel = CancellationToken::new();
    let c = Arc::new(client(&sim, cancel.clone()));
    let started = Instant::now();
    let task = tokio::spawn({
        let c = c.clone();
        async move { c.get::<Json>(Api::V1, &format!("{CONTEXTS}/c1")).await }
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    cancel.cancel();
    let result = task.await.unwrap();
    assert_eq!(result.unwrap_err(), GraphError::Cancelled);
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_carry_status_code_and_request_id() {
    let sim = Simulator::start(SimOptions::default()).await.unwrap();
    let c = client(&sim, CancellationToken::new());
    let err = c
        .get::<Json>(Api::V1, &format!("{CONTEXTS}/c42"))
        .await
        .unwrap_err();
    assert!(err.is_not_found());
    let text = err.to_string();
    assert!(text.contains("HTTP 404"), "{text}");
    assert!(text.contains("request-id: "), "{text}");
    assert_eq!(
        c.get_opt::<Json>(Api::V1, &format!("{CONTEXTS}/c42"))
            .await
            .unwrap(),
        None
    );
    let bad = c
        .patch(
            Api::V1,
            &format!("{CONTEXTS}/c100"),
            &json!({"displayName": "x"}),
        )
        .await
        .unwrap_err();
    assert_eq!(bad.status(), Some(400), "{bad}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_token_is_replaced_once_and_the_request_sent_again() {
    let sim = Simulator::start(SimOptions::default()).await.unwrap();
    let c = client(&sim, CancellationToken::new());
    seed(&c, 1).await;
    sim.revoke_issued_tokens();
    sim.reset_stats();
    // A write, so the retry is seen to be safe: Graph refused it before acting.
    c.patch(
        Api::V1,
        &format!("{CONTEXTS}/c1"),
        &json!({"displayName": "renamed"}),
    )
    .await
    .unwrap();
    let stats = sim.stats();
    assert_eq!(
        stats["requests"]
            ["PATCH /v1.0/identity/conditionalAccess/authenticationContextClassReferences/{id}"],
        2,
        "the refused request and its retry with a new token: {stats}"
    );
    let got: Json = c.get(Api::V1, &format!("{CONTEXTS}/c1")).await.unwrap();
    assert_eq!(got["displayName"], "renamed");

    // A token Graph keeps refusing is reported, not retried forever.
    sim.revoke_issued_tokens();
    let always_revoked = GraphClient::new(
        http::client_trusting(Some(sim.ca_pem().as_bytes()), Duration::from_secs(120)).unwrap(),
        &sim.info().graph_endpoint,
        &sim.info().tenant_id,
        Arc::new(Revoked(sim.mint_app_token())),
        CancellationToken::new(),
    );
    sim.revoke_issued_tokens();
    let err = always_revoked
        .get::<Json>(Api::V1, CONTEXTS)
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(401), "{err}");
    assert!(
        err.to_string()
            .contains("TokenIssuedBeforeRevocationTimestamp"),
        "{err}"
    );
}

/// A credential that always hands out the same (revoked) token.
#[derive(Debug)]
struct Revoked(String);

#[async_trait::async_trait]
impl azure_core::credentials::TokenCredential for Revoked {
    async fn get_token(
        &self,
        _: &[&str],
        _: Option<azure_core::credentials::TokenRequestOptions<'_>>,
    ) -> azure_core::Result<azure_core::credentials::AccessToken> {
        Ok(azure_core::credentials::AccessToken::new(
            azure_core::credentials::Secret::new(self.0.clone()),
            time::OffsetDateTime::now_utc() + time::Duration::hours(1),
        ))
    }
}
