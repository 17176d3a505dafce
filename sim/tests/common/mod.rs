//! Shared test helpers: start a simulator, a reqwest client that trusts its CA, reference files.
#![allow(dead_code)]

use entra_graph_sim::{SimOptions, Simulator};
use serde_json::Value;
use std::path::PathBuf;

pub async fn start(opts: SimOptions) -> (Simulator, reqwest::Client) {
    let sim = Simulator::start(opts).await.expect("simulator starts");
    let client = client_for(&sim, false);
    (sim, client)
}

pub fn client_for(sim: &Simulator, http1_only: bool) -> reqwest::Client {
    let ca = reqwest::Certificate::from_pem(sim.ca_pem().as_bytes()).expect("CA PEM parses");
    let mut b = reqwest::Client::builder().tls_certs_only([ca]);
    if http1_only {
        b = b.http1_only();
    }
    b.build().expect("client builds")
}

/// `<workspace>/../shared/<sub>`; panics (never skips) when missing.
pub fn shared(sub: &str) -> PathBuf {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared")
        .join(sub);
    assert!(p.exists(), "missing shared file {}", p.display());
    p
}

pub fn example(name: &str) -> Value {
    let p = shared("reference/graph-examples").join(name);
    let text =
        std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("reading {}: {e}", p.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("parsing {}: {e}", p.display()))
}

pub fn graph_url(sim: &Simulator, path: &str) -> String {
    format!("{}{}", sim.info().graph_endpoint, path)
}

pub fn token_url(sim: &Simulator) -> String {
    format!(
        "{}/{}/oauth2/v2.0/token",
        sim.info().authority_host,
        sim.info().tenant_id
    )
}

pub fn form(pairs: &[(&str, &str)]) -> String {
    let mut s = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        s.append_pair(k, v);
    }
    s.finish()
}

pub async fn post_form(client: &reqwest::Client, url: &str, body: String) -> reqwest::Response {
    client
        .post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .expect("token request sent")
}

/// An app token obtained the way the provider does: client secret against the token endpoint.
pub async fn secret_token(sim: &Simulator, client: &reqwest::Client) -> String {
    let scope = format!("{}/.default", sim.info().graph_endpoint);
    let resp = post_form(
        client,
        &token_url(sim),
        form(&[
            ("client_id", &sim.info().client_id),
            ("client_secret", &sim.info().client_secret),
            ("grant_type", "client_credentials"),
            ("scope", &scope),
        ]),
    )
    .await;
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.unwrap();
    body["access_token"].as_str().unwrap().to_string()
}

pub async fn send(
    client: &reqwest::Client,
    method: reqwest::Method,
    url: &str,
    token: &str,
    body: Option<&Value>,
) -> (u16, reqwest::header::HeaderMap, Option<Value>) {
    let mut rb = client.request(method, url).bearer_auth(token);
    if let Some(b) = body {
        rb = rb
            .header("content-type", "application/json")
            .body(serde_json::to_vec(b).unwrap());
    }
    let resp = rb.send().await.expect("request sent");
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let bytes = resp.bytes().await.unwrap();
    let body =
        if bytes.is_empty() {
            None
        } else {
            Some(serde_json::from_slice(&bytes).unwrap_or_else(|e| {
                panic!("non-JSON body ({e}): {}", String::from_utf8_lossy(&bytes))
            }))
        };
    (status, headers, body)
}

/// Assert the Graph error envelope shape and return the code.
pub fn assert_graph_error(body: &Value) -> String {
    let err = &body["error"];
    assert!(err["code"].is_string(), "error.code missing: {body}");
    assert!(err["message"].is_string(), "error.message missing: {body}");
    let inner = &err["innerError"];
    for k in ["date", "request-id", "client-request-id"] {
        assert!(inner[k].is_string(), "innerError.{k} missing: {body}");
    }
    // Same keys as the real example.
    let real = example("error.namedlocation-notfound.json");
    let keys = |v: &Value| {
        let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        k.sort();
        k
    };
    assert_eq!(keys(err), keys(&real["error"]));
    assert_eq!(keys(inner), keys(&real["error"]["innerError"]));
    err["code"].as_str().unwrap().to_string()
}

/// `url?k=v&...` (reqwest's `query` feature is not enabled in this workspace).
pub fn with_query(url: &str, pairs: &[(&str, &str)]) -> String {
    format!("{url}?{}", form(pairs))
}

/// A simulator and a client holding an app token, for tests that make many Graph calls.
pub struct Tenant {
    pub sim: Simulator,
    pub client: reqwest::Client,
    pub token: String,
}

impl Tenant {
    pub async fn new() -> Tenant {
        Self::with(SimOptions::default()).await
    }

    pub async fn with(opts: SimOptions) -> Tenant {
        let (sim, client) = start(opts).await;
        let token = sim.mint_app_token();
        Tenant { sim, client, token }
    }

    /// Status and JSON body (null when there is none).
    pub async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
    ) -> (u16, Value) {
        let (s, _, b) = send(
            &self.client,
            method,
            &graph_url(&self.sim, path),
            &self.token,
            body,
        )
        .await;
        (s, b.unwrap_or(Value::Null))
    }
}
