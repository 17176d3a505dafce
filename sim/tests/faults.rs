//! Fault injection: scripted rules (each kind, matching, counts, the `/_sim/faults` endpoints,
//! `$batch`) and the random `fault_rate` mix, seen through a real HTTPS client. For the faults
//! that strike after processing, the point is that the write happened although the client saw
//! a failure, so each such test checks the store afterwards.

mod common;

use common::*;
use entra_graph_sim::{FaultKind, ScriptedFault, SimOptions, OBSERVER_HEADER};
use reqwest::header::HeaderMap;
use reqwest::Method;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

const NL: &str = "/identity/conditionalAccess/namedLocations";
const ACR: &str = "/identity/conditionalAccess/authenticationContextClassReferences";
const CA: &str = "/identity/conditionalAccess/policies";

fn location(name: &str) -> Value {
    json!({
        "@odata.type": "#microsoft.graph.ipNamedLocation",
        "displayName": name,
        "ipRanges": [{"@odata.type": "#microsoft.graph.iPv4CidrRange", "cidrAddress": "10.1.0.0/16"}]
    })
}

/// Status, headers and raw body, or the transport error (reset, timeout): the malformed
/// answers are exactly what `common::send` refuses to parse.
async fn raw(
    client: &reqwest::Client,
    method: Method,
    url: &str,
    token: &str,
    body: Option<&Value>,
    timeout: Option<Duration>,
) -> Result<(u16, HeaderMap, Vec<u8>), reqwest::Error> {
    let mut rb = client.request(method, url).bearer_auth(token);
    if let Some(b) = body {
        rb = rb
            .header("content-type", "application/json")
            .body(serde_json::to_vec(b).unwrap());
    }
    if let Some(t) = timeout {
        rb = rb.timeout(t);
    }
    let resp = rb.send().await?;
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let bytes = resp.bytes().await?;
    Ok((status, headers, bytes.to_vec()))
}

fn content_type(h: &HeaderMap) -> &str {
    h.get("content-type")
        .map(|v| v.to_str().unwrap())
        .unwrap_or("")
}

impl Tenant {
    /// POST a named location on a fresh HTTP/1.1 connection, so a reset only kills its own.
    async fn post_location(
        &self,
        name: &str,
        timeout: Option<Duration>,
    ) -> Result<(u16, HeaderMap, Vec<u8>), reqwest::Error> {
        let client = client_for(&self.sim, true);
        raw(
            &client,
            Method::POST,
            &graph_url(&self.sim, &format!("/v1.0{NL}")),
            &self.token,
            Some(&location(name)),
            timeout,
        )
        .await
    }

    async fn get_raw(&self, path: &str) -> Result<(u16, HeaderMap, Vec<u8>), reqwest::Error> {
        let client = client_for(&self.sim, true);
        raw(
            &client,
            Method::GET,
            &graph_url(&self.sim, path),
            &self.token,
            None,
            None,
        )
        .await
    }

    /// How many named locations carry this display name.
    async fn locations_named(&self, name: &str) -> usize {
        let (s, b) = self.call(Method::GET, &format!("/v1.0{NL}"), None).await;
        assert_eq!(s, 200, "{b}");
        b["value"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|l| l["displayName"] == name)
            .count()
    }

    fn fault(&self, kind: FaultKind) {
        self.sim
            .script_fault(ScriptedFault::new(kind).on_method("POST").on_path(NL));
    }
}

// ---------------------------------------------------------------------------------------------
// Faults before processing: nothing is stored

#[tokio::test]
async fn status_faults_and_reset_store_nothing() {
    let t = Tenant::new().await;

    t.fault(FaultKind::Throttle);
    let (s, h, b) = t.post_location("throttled", None).await.unwrap();
    assert_eq!(s, 429);
    assert_eq!(h["retry-after"], "1");
    let b: Value = serde_json::from_slice(&b).unwrap();
    assert_eq!(assert_graph_error(&b), "TooManyRequests");

    t.fault(FaultKind::ThrottleNoRetryAfter);
    let (s, h, b) = t.post_location("throttled-ca", None).await.unwrap();
    assert_eq!(s, 429);
    assert!(!h.contains_key("retry-after"), "{h:?}");
    let b: Value = serde_json::from_slice(&b).unwrap();
    assert_eq!(assert_graph_error(&b), "TooManyRequests");

    t.fault(FaultKind::Unavailable);
    let (s, _, b) = t.post_location("unavailable", None).await.unwrap();
    assert_eq!(s, 503);
    let b: Value = serde_json::from_slice(&b).unwrap();
    assert_eq!(assert_graph_error(&b), "ServiceUnavailable");

    t.fault(FaultKind::Reset);
    assert!(t.post_location("reset", None).await.is_err());

    for name in ["throttled", "throttled-ca", "unavailable", "reset"] {
        assert_eq!(
            t.locations_named(name).await,
            0,
            "{name} must not be stored"
        );
    }
    let stats = t.sim.stats();
    assert_eq!(
        stats["faults"],
        json!({"reset": 1, "throttle": 1, "throttle_no_retry_after": 1, "unavailable": 1})
    );
    assert_eq!(stats["throttled"], 2);
    assert!(t.sim.scripted_faults().is_empty());
}

// ---------------------------------------------------------------------------------------------
// Faults after processing: the write happened

#[tokio::test]
async fn commit_then_reset_stores_the_write_once() {
    let t = Tenant::new().await;
    t.fault(FaultKind::CommitThenReset);
    let err = t.post_location("ambiguous", None).await.unwrap_err();
    assert!(!err.is_timeout(), "a reset, not a timeout: {err}");
    assert_eq!(t.locations_named("ambiguous").await, 1);
    assert_eq!(t.sim.named_location_ids().len(), 1);
    assert_eq!(t.sim.stats()["faults"], json!({"commit_then_reset": 1}));
}

#[tokio::test]
async fn slow_answer_outlasts_a_short_timeout_but_the_write_happens() {
    let t = Tenant::new().await;
    t.sim.script_fault(
        ScriptedFault::new(FaultKind::Slow)
            .on_method("POST")
            .on_path(NL)
            .with_delay_ms(3_000),
    );
    let started = Instant::now();
    let err = t
        .post_location("slow", Some(Duration::from_millis(300)))
        .await
        .unwrap_err();
    assert!(err.is_timeout(), "{err}");
    assert!(started.elapsed() < Duration::from_millis(2_500));
    assert_eq!(t.locations_named("slow").await, 1);

    // A patient client gets the real answer, late.
    t.sim.script_fault(
        ScriptedFault::new(FaultKind::Slow)
            .on_method("POST")
            .on_path(NL)
            .with_delay_ms(400),
    );
    let started = Instant::now();
    let (s, _, b) = t.post_location("slow-2", None).await.unwrap();
    assert!(started.elapsed() >= Duration::from_millis(400));
    assert_eq!(s, 201);
    let b: Value = serde_json::from_slice(&b).unwrap();
    assert_eq!(b["displayName"], "slow-2");
    assert_eq!(t.locations_named("slow-2").await, 1);
}

#[tokio::test]
async fn slow_rule_without_delay_uses_slow_fault_ms() {
    let t = Tenant::with(SimOptions {
        slow_fault_ms: 300,
        ..Default::default()
    })
    .await;
    t.fault(FaultKind::Slow);
    let started = Instant::now();
    let (s, _, _) = t.post_location("slow", None).await.unwrap();
    assert_eq!(s, 201);
    assert!(started.elapsed() >= Duration::from_millis(300));
}

#[tokio::test]
async fn html_gateway_page_after_the_write() {
    let t = Tenant::new().await;
    t.fault(FaultKind::Html);
    let (s, h, b) = t.post_location("behind-gateway", None).await.unwrap();
    assert_eq!(s, 502);
    assert!(content_type(&h).starts_with("text/html"), "{h:?}");
    let text = String::from_utf8(b).unwrap();
    assert!(
        text.contains("<html>") && text.contains("502 Bad Gateway"),
        "{text}"
    );
    assert!(serde_json::from_str::<Value>(&text).is_err());
    assert_eq!(t.locations_named("behind-gateway").await, 1);
}

#[tokio::test]
async fn empty_body_keeps_status_and_json_content_type() {
    let t = Tenant::new().await;
    t.fault(FaultKind::EmptyBody);
    let (s, h, b) = t.post_location("empty", None).await.unwrap();
    assert_eq!(s, 201);
    assert!(content_type(&h).starts_with("application/json"), "{h:?}");
    assert!(b.is_empty(), "{}", String::from_utf8_lossy(&b));
    assert_eq!(t.locations_named("empty").await, 1);
}

#[tokio::test]
async fn truncated_json_is_unparseable_but_the_write_happened() {
    let t = Tenant::new().await;
    t.fault(FaultKind::TruncatedJson);
    let (s, h, b) = t.post_location("truncated", None).await.unwrap();
    assert_eq!(s, 201);
    assert!(content_type(&h).starts_with("application/json"), "{h:?}");
    assert!(!b.is_empty());
    assert!(b.starts_with(b"{"));
    assert!(serde_json::from_slice::<Value>(&b).is_err());
    assert_eq!(t.locations_named("truncated").await, 1);
}

#[tokio::test]
async fn extra_fields_at_top_level_and_nested() {
    let t = Tenant::new().await;
    t.fault(FaultKind::ExtraFields);
    let (s, _, b) = t.post_location("extended", None).await.unwrap();
    assert_eq!(s, 201);
    let b: Value = serde_json::from_slice(&b).unwrap();
    assert_eq!(b["displayName"], "extended");
    assert_eq!(b["futureSetting"], json!({"x": 1}));
    assert_eq!(b["ipRanges"][0]["futureSetting"], json!({"x": 1}));
    assert_eq!(b["ipRanges"][0]["cidrAddress"], "10.1.0.0/16");
    assert_eq!(t.locations_named("extended").await, 1);

    // Lists too: the envelope and each item.
    t.sim.script_fault(
        ScriptedFault::new(FaultKind::ExtraFields)
            .on_method("GET")
            .on_path(NL),
    );
    let (s, b) = t.call(Method::GET, &format!("/v1.0{NL}"), None).await;
    assert_eq!(s, 200);
    assert_eq!(b["futureSetting"], json!({"x": 1}));
    assert_eq!(b["value"][0]["futureSetting"], json!({"x": 1}));
    assert_eq!(b["value"][0]["displayName"], "extended");
    // Only once.
    let (_, b) = t.call(Method::GET, &format!("/v1.0{NL}"), None).await;
    assert!(b.get("futureSetting").is_none());
}

#[tokio::test]
async fn unknown_enum_replaces_state() {
    let t = Tenant::new().await;
    let id = t
        .sim
        .put_raw_policy(json!({"displayName": "CA001", "state": "enabled"}));
    t.sim.script_fault(
        ScriptedFault::new(FaultKind::UnknownEnum)
            .on_method("GET")
            .on_path(CA)
            .times(2),
    );
    let (s, b) = t.call(Method::GET, &format!("/v1.0{CA}/{id}"), None).await;
    assert_eq!(s, 200);
    assert_eq!(b["state"], "enabledForAllFuture");
    assert_eq!(b["displayName"], "CA001");
    let (s, b) = t.call(Method::GET, &format!("/beta{CA}"), None).await;
    assert_eq!(s, 200);
    assert_eq!(b["value"][0]["state"], "enabledForAllFuture");
    // The stored policy is untouched.
    let (_, b) = t.call(Method::GET, &format!("/v1.0{CA}/{id}"), None).await;
    assert_eq!(b["state"], "enabled");
}

// ---------------------------------------------------------------------------------------------
// Rules: counts, matching, order, control endpoints

#[tokio::test]
async fn count_fires_exactly_n_times() {
    let t = Tenant::new().await;
    t.sim.script_fault(
        ScriptedFault::new(FaultKind::Throttle)
            .on_path(ACR)
            .times(3),
    );
    for left in [2, 1, 0] {
        let (s, _) = t.call(Method::GET, &format!("/v1.0{ACR}"), None).await;
        assert_eq!(s, 429);
        let pending = t.sim.scripted_faults();
        if left == 0 {
            assert!(pending.is_empty(), "{pending:?}");
        } else {
            assert_eq!(pending[0].count, left);
        }
    }
    for _ in 0..3 {
        let (s, _) = t.call(Method::GET, &format!("/v1.0{ACR}"), None).await;
        assert_eq!(s, 200);
    }
    assert_eq!(t.sim.stats()["faults"], json!({"throttle": 3}));
    assert_eq!(t.sim.stats()["throttled"], 3);
    t.sim.reset_stats();
    assert_eq!(t.sim.stats()["faults"], json!({}));
}

#[tokio::test]
async fn rules_match_method_and_path_prefix_in_order() {
    let t = Tenant::new().await;
    let (s, b) = t
        .call(Method::POST, &format!("/v1.0{NL}"), Some(&location("a")))
        .await;
    assert_eq!(s, 201);
    let id = b["id"].as_str().unwrap().to_string();

    // Method and prefix both must match; the prefix is case-insensitive and version-free.
    t.sim.script_fault(
        ScriptedFault::new(FaultKind::Unavailable)
            .on_method("patch")
            .on_path("/IDENTITY/conditionalAccess/namedLocations"),
    );
    let (s, _) = t.call(Method::GET, &format!("/v1.0{NL}/{id}"), None).await;
    assert_eq!(s, 200, "GET is not PATCH");
    let (s, _) = t
        .call(
            Method::PATCH,
            &format!("/v1.0{ACR}/c1"),
            Some(&json!({"displayName": "c1"})),
        )
        .await;
    assert_eq!(s, 204, "other path");
    let patch = json!({"@odata.type": "#microsoft.graph.ipNamedLocation", "displayName": "b"});
    let (s, _) = t
        .call(Method::PATCH, &format!("/beta{NL}/{id}"), Some(&patch))
        .await;
    assert_eq!(s, 503, "beta path matches too");
    let (s, _) = t
        .call(Method::PATCH, &format!("/v1.0{NL}/{id}"), Some(&patch))
        .await;
    assert_eq!(s, 204, "fired once");

    // First matching rule wins; a rule with count 0 is ignored.
    t.sim
        .script_fault(ScriptedFault::new(FaultKind::Html).times(0));
    t.sim
        .script_fault(ScriptedFault::new(FaultKind::ThrottleNoRetryAfter).on_method("GET"));
    t.sim
        .script_fault(ScriptedFault::new(FaultKind::Unavailable));
    assert_eq!(t.sim.scripted_faults().len(), 2);
    let path = format!("/v1.0{ACR}");
    assert_eq!(t.call(Method::GET, &path, None).await.0, 429);
    assert_eq!(t.call(Method::GET, &path, None).await.0, 503);
    assert_eq!(t.call(Method::GET, &path, None).await.0, 200);

    t.sim
        .script_fault(ScriptedFault::new(FaultKind::Unavailable).times(5));
    t.sim.clear_faults();
    assert_eq!(t.call(Method::GET, &path, None).await.0, 200);
}

#[tokio::test]
async fn connection_faults_skip_batch_inner_requests() {
    let t = Tenant::new().await;
    t.sim.script_fault(
        ScriptedFault::new(FaultKind::Reset)
            .on_method("GET")
            .on_path(ACR),
    );
    t.sim.script_fault(
        ScriptedFault::new(FaultKind::ThrottleNoRetryAfter)
            .on_method("GET")
            .on_path(ACR),
    );
    let batch = json!({"requests": [
        {"id": "1", "method": "GET", "url": ACR},
        {"id": "2", "method": "GET", "url": ACR},
    ]});
    let (s, b) = t.call(Method::POST, "/v1.0/$batch", Some(&batch)).await;
    assert_eq!(s, 200, "{b}");
    let responses = b["responses"].as_array().unwrap();
    let status = |id: &str| {
        responses.iter().find(|r| r["id"] == id).unwrap()["status"]
            .as_u64()
            .unwrap()
    };
    // The reset rule cannot apply inside a batch; the throttle rule behind it does.
    assert_eq!(status("1"), 429);
    let item = responses.iter().find(|r| r["id"] == "1").unwrap();
    assert!(item["headers"]
        .as_object()
        .unwrap()
        .keys()
        .all(|k| !k.eq_ignore_ascii_case("retry-after")));
    assert_eq!(status("2"), 200);
    let pending = t.sim.scripted_faults();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].kind, FaultKind::Reset);
    // It fires on the next plain request.
    assert!(t.get_raw(&format!("/v1.0{ACR}")).await.is_err());
    assert!(t.sim.scripted_faults().is_empty());
}

#[test]
fn rule_json_shape() {
    let rule = ScriptedFault::new(FaultKind::CommitThenReset)
        .on_method("POST")
        .on_path(CA)
        .times(2);
    assert_eq!(
        serde_json::to_value(&rule).unwrap(),
        json!({"method": "POST", "path_prefix": CA, "kind": "commit_then_reset", "count": 2})
    );
    let minimal: ScriptedFault = serde_json::from_value(json!({"kind": "truncated_json"})).unwrap();
    assert_eq!(minimal, ScriptedFault::new(FaultKind::TruncatedJson));
    let slow: ScriptedFault =
        serde_json::from_value(json!({"kind": "slow", "delay_ms": 250})).unwrap();
    assert_eq!(slow.delay_ms, Some(250));
    assert!(serde_json::from_value::<ScriptedFault>(json!({"kind": "nope"})).is_err());
    assert!(
        serde_json::from_value::<ScriptedFault>(json!({"kind": "html", "pathPrefix": "/x"}))
            .is_err(),
        "typos in field names are refused, not ignored"
    );
}

#[tokio::test]
async fn control_endpoints_script_list_and_clear() {
    let t = Tenant::new().await;
    let url = format!("{}/_sim/faults", t.sim.info().authority_host);
    let post = |body: Value| {
        let client = t.client.clone();
        let url = url.clone();
        async move {
            let resp = client.post(&url).json(&body).send().await.unwrap();
            let s = resp.status().as_u16();
            (s, resp.text().await.unwrap())
        }
    };
    let list = || {
        let client = t.client.clone();
        let url = url.clone();
        async move {
            let v: Value = client.get(&url).send().await.unwrap().json().await.unwrap();
            v
        }
    };

    let (s, _) =
        post(json!({"method": "POST", "path_prefix": NL, "kind": "commit_then_reset"})).await;
    assert_eq!(s, 204);
    let (s, _) = post(json!([
        {"kind": "throttle", "count": 2, "path_prefix": ACR},
        {"kind": "slow", "delay_ms": 100, "method": "GET", "path_prefix": CA}
    ]))
    .await;
    assert_eq!(s, 204);
    assert_eq!(
        list().await,
        json!([
            {"method": "POST", "path_prefix": NL, "kind": "commit_then_reset", "count": 1},
            {"path_prefix": ACR, "kind": "throttle", "count": 2},
            {"method": "GET", "path_prefix": CA, "kind": "slow", "count": 1, "delay_ms": 100}
        ])
    );
    assert_eq!(t.sim.scripted_faults().len(), 3);

    // Bad rules are refused with the reason, and a bad array adds nothing.
    let (s, text) = post(json!({"kind": "explode"})).await;
    assert_eq!(s, 400);
    assert!(text.contains("explode"), "{text}");
    let (s, _) = post(json!([{"kind": "html"}, {"kind": "html", "count": -1}])).await;
    assert_eq!(s, 400);
    let (s, _) = post(json!("html")).await;
    assert_eq!(s, 400);
    assert_eq!(list().await.as_array().unwrap().len(), 3);

    // The scripted rule works over HTTP like in-process.
    assert!(t.post_location("via-http", None).await.is_err());
    assert_eq!(t.locations_named("via-http").await, 1);

    let resp = t.client.delete(&url).send().await.unwrap();
    assert_eq!(resp.status(), 204);
    assert_eq!(list().await, json!([]));
    assert_eq!(
        t.call(Method::GET, &format!("/v1.0{ACR}"), None).await.0,
        200
    );
}

// ---------------------------------------------------------------------------------------------
// The random mix

#[tokio::test]
async fn random_mix_has_every_kind_and_commit_then_reset_writes() {
    const SLOW_MS: u64 = 150;
    let t = Tenant::with(SimOptions {
        fault_rate: 1.0,
        slow_fault_ms: SLOW_MS,
        ..Default::default()
    })
    .await;
    let mut seen: BTreeMap<&str, u64> = BTreeMap::new();
    // Names of POSTs the client saw fail on the connection (reset or commit-then-reset), and
    // of POSTs answered (late) with 201.
    let mut lost = Vec::new();
    let mut slow_created = Vec::new();
    let mut refused = Vec::new();
    for i in 0..200 {
        let write = i % 2 == 0;
        let name = format!("mix-{i}");
        let started = Instant::now();
        let result = if write {
            t.post_location(&name, None).await
        } else {
            t.get_raw(&format!("/v1.0{ACR}")).await
        };
        let kind = match result {
            Err(e) => {
                assert!(!e.is_timeout(), "{e}");
                if write {
                    lost.push(name);
                }
                "connection"
            }
            Ok((429, h, _)) => {
                if write {
                    refused.push(name);
                }
                match h.get("retry-after") {
                    Some(v) => {
                        assert_eq!(v, "1");
                        "throttle"
                    }
                    None => "throttle_no_retry_after",
                }
            }
            Ok((503, _, _)) => {
                if write {
                    refused.push(name);
                }
                "unavailable"
            }
            Ok((s @ (200 | 201), _, b)) => {
                // Every request faults, so a success can only be a slow one.
                assert!(started.elapsed() >= Duration::from_millis(SLOW_MS));
                assert!(serde_json::from_slice::<Value>(&b).is_ok(), "real answer");
                if write {
                    assert_eq!(s, 201);
                    slow_created.push(name);
                }
                "slow"
            }
            Ok((s, h, b)) => panic!(
                "unexpected {s} {h:?} {} with fault_rate 1",
                String::from_utf8_lossy(&b)
            ),
        };
        *seen.entry(kind).or_default() += 1;
    }

    let stats = t.sim.stats();
    let faults = stats["faults"].as_object().unwrap();
    let f = |k: &str| faults.get(k).and_then(Value::as_u64).unwrap_or(0);
    assert_eq!(
        faults.values().map(|v| v.as_u64().unwrap()).sum::<u64>(),
        200,
        "every request faulted once: {stats}"
    );
    let allowed = [
        "throttle",
        "throttle_no_retry_after",
        "unavailable",
        "reset",
        "commit_then_reset",
        "slow",
    ];
    for (k, v) in faults {
        assert!(allowed.contains(&k.as_str()), "unexpected kind {k}");
        assert!(v.as_u64().unwrap() > 0);
    }
    for k in allowed {
        assert!(f(k) > 0, "{k} never injected: {stats}");
    }
    let saw = |k: &str| seen.get(k).copied().unwrap_or(0);
    assert_eq!(saw("throttle"), f("throttle"));
    assert_eq!(saw("throttle_no_retry_after"), f("throttle_no_retry_after"));
    assert_eq!(saw("unavailable"), f("unavailable"));
    assert_eq!(saw("slow"), f("slow"));
    assert_eq!(saw("connection"), f("reset") + f("commit_then_reset"));
    assert_eq!(
        stats["throttled"],
        f("throttle") + f("throttle_no_retry_after")
    );

    // Read the tenant back through the faults: an extra_fields rule wins over the random mix
    // and still carries the real list.
    t.sim.script_fault(
        ScriptedFault::new(FaultKind::ExtraFields)
            .on_method("GET")
            .on_path(NL),
    );
    let (s, list) = t.call(Method::GET, &format!("/v1.0{NL}"), None).await;
    assert_eq!(s, 200, "{list}");
    let stored: Vec<String> = list["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["displayName"].as_str().unwrap().to_string())
        .collect();
    let count = |n: &String| stored.iter().filter(|s| *s == n).count();
    for n in &slow_created {
        assert_eq!(count(n), 1, "slow POST {n} stored once");
    }
    for n in &refused {
        assert_eq!(count(n), 0, "refused POST {n} not stored");
    }
    // Lost POSTs: the commit-then-reset ones were stored (once), the plain resets were not.
    let committed = lost.iter().filter(|n| count(n) == 1).count() as u64;
    assert!(lost.iter().all(|n| count(n) <= 1));
    assert!(committed > 0, "no ambiguous write stored: {stats}");
    assert_eq!(committed, f("commit_then_reset"), "only writes get it");
    assert_eq!(
        stored.len(),
        slow_created.len() + committed as usize,
        "nothing else was stored"
    );
}

#[tokio::test]
async fn random_mix_inside_batch_is_status_only() {
    let t = Tenant::with(SimOptions {
        fault_rate: 0.5,
        slow_fault_ms: 2_000,
        ..Default::default()
    })
    .await;
    let requests: Vec<Value> = (0..20)
        .map(|i| {
            json!({"id": i.to_string(), "method": "PATCH", "url": format!("{ACR}/c{}", i + 1),
                        "headers": {"content-type": "application/json"},
                        "body": {"displayName": format!("c{}", i + 1)}})
        })
        .collect();
    let batch = json!({ "requests": requests });
    let mut checked = 0;
    for _ in 0..60 {
        let client = client_for(&t.sim, true);
        let Ok((200, _, b)) = raw(
            &client,
            Method::POST,
            &graph_url(&t.sim, "/v1.0/$batch"),
            &t.token,
            Some(&batch),
            // Gives up on an outer request that drew `slow` (inner ones cannot).
            Some(Duration::from_millis(1_000)),
        )
        .await
        else {
            continue;
        };
        let b: Value = serde_json::from_slice(&b).unwrap();
        for r in b["responses"].as_array().unwrap() {
            let s = r["status"].as_u64().unwrap();
            assert!([204, 429, 503].contains(&s), "inner status {s}: {r}");
        }
        checked += 1;
        if checked == 3 {
            break;
        }
    }
    assert!(checked > 0, "no batch got through");
    let stats = t.sim.stats();
    let faults = stats["faults"].as_object().unwrap();
    for k in faults.keys() {
        assert!(
            [
                "throttle",
                "throttle_no_retry_after",
                "unavailable",
                "reset",
                "commit_then_reset",
                "slow"
            ]
            .contains(&k.as_str()),
            "{k}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// The binary

#[test]
fn binary_documents_and_parses_the_fault_options() {
    let bin = env!("CARGO_BIN_EXE_entra-graph-sim");
    // Flags are parsed in order: a valid --slow-fault-ms before --help is accepted.
    let out = std::process::Command::new(bin)
        .args(["--slow-fault-ms", "50", "--help"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    for needle in [
        "--slow-fault-ms",
        "/_sim/faults",
        "commit_then_reset",
        "truncated_json",
    ] {
        assert!(help.contains(needle), "help lacks {needle}");
    }
    let out = std::process::Command::new(bin)
        .args(["--slow-fault-ms", "soon"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[tokio::test]
async fn the_observer_header_is_never_faulted() {
    let t = Tenant::with(SimOptions {
        fault_rate: 1.0,
        ..Default::default()
    })
    .await;
    t.sim
        .script_fault(ScriptedFault::new(FaultKind::Reset).times(5));
    let client = client_for(&t.sim, true);
    for _ in 0..20 {
        let resp = client
            .get(graph_url(&t.sim, &format!("/v1.0{NL}")))
            .bearer_auth(&t.token)
            .header(OBSERVER_HEADER, "1")
            .send()
            .await
            .expect("no connection fault for the observer");
        assert_eq!(resp.status().as_u16(), 200);
    }
    // The scripted rule still waits for the client under test.
    assert_eq!(t.sim.scripted_faults()[0].count, 5);
    assert!(t.get_raw(&format!("/v1.0{NL}")).await.is_err());
}
