//! The Graph client: authenticated JSON requests with retries, pacing, paging and `$batch`.

use super::budget;
use super::error::GraphError;
use super::http::{self, ReadError};
use super::retry::{self, Failure};
use crate::log;
use crate::time_scale;
use azure_core::credentials::TokenCredential;
use reqwest::Method;
use serde::de::DeserializeOwned;
use serde_json::Value as Json;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Mutex;
use tokio_util::sync::CancellationToken;

/// Which Graph version a request goes to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Api {
    /// `v1.0`, the stable API, wherever it has what is needed.
    V1,
    /// `beta`, for what v1.0 lacks or leaves out of its answers.
    Beta,
}

impl Api {
    fn segment(self) -> &'static str {
        match self {
            Api::V1 => "v1.0",
            Api::Beta => "beta",
        }
    }
}

/// How long one operation (all its retries included) may take before we give up.
const OPERATION_DEADLINE: Duration = Duration::from_secs(300);
/// Renew tokens this long before they expire.
const TOKEN_MARGIN: time::Duration = time::Duration::minutes(5);
/// The most pages one listing reads. Our collections hold at most a few hundred objects
/// (graph-api.md 9.2), a handful of pages; a server that keeps handing out new next links is
/// broken or hostile, and would otherwise be read forever.
pub const MAX_PAGES: usize = 1000;

/// The one way to Graph for one tenant: signs requests in, paces, retries, pages and batches them.
pub struct GraphClient {
    http: reqwest::Client,
    /// Graph root without a trailing slash, e.g. `https://graph.microsoft.com`.
    endpoint: String,
    tenant: String,
    credential: std::sync::Mutex<Arc<dyn TokenCredential>>,
    /// Builds a new credential after Graph refused a token that still looked valid (revoked,
    /// continuous access evaluation): the old one would hand out the same cached token.
    renew: Option<RenewCredential>,
    token: Mutex<Option<azure_core::credentials::AccessToken>>,
    cancel: CancellationToken,
    /// Graph's clock minus ours, from the `Date` header of Graph's latest answer (see
    /// `graph_time`); shared with the `unstoppable` sibling.
    clock: Arc<std::sync::Mutex<Option<time::Duration>>>,
}

/// Builds a fresh credential (see `with_renewal`); the error is shown as an authentication error.
pub type RenewCredential = Arc<dyn Fn() -> Result<Arc<dyn TokenCredential>, String> + Send + Sync>;

/// A successful answer: status and parsed JSON body (`Null` for 204).
#[derive(Debug)]
pub struct Answer {
    /// The HTTP status: a 2xx, but for a `$batch` item, which carries its own.
    pub status: u16,
    /// The parsed body.
    pub body: Json,
}

impl GraphClient {
    /// A client for `tenant` at the Graph root `endpoint`, signing in with `credential`; cancelling
    /// `cancel` (Terraform's Stop) ends every request under way.
    pub fn new(
        http: reqwest::Client,
        endpoint: &str,
        tenant: &str,
        credential: Arc<dyn TokenCredential>,
        cancel: CancellationToken,
    ) -> GraphClient {
        GraphClient {
            http,
            endpoint: endpoint.trim_end_matches('/').to_string(),
            tenant: tenant.to_string(),
            credential: std::sync::Mutex::new(credential),
            renew: None,
            token: Mutex::new(None),
            cancel,
            clock: Arc::default(),
        }
    }

    /// The same client, deaf to Stop, for the few reads that must finish once a write began
    /// (the search for the object a create whose answer was lost made), like the write itself.
    /// Deadlines still bound it.
    pub async fn unstoppable(&self) -> GraphClient {
        let credential = self
            .credential
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        GraphClient {
            http: self.http.clone(),
            endpoint: self.endpoint.clone(),
            tenant: self.tenant.clone(),
            credential: std::sync::Mutex::new(credential),
            renew: self.renew.clone(),
            token: Mutex::new(self.token.lock().await.clone()),
            cancel: CancellationToken::new(),
            clock: self.clock.clone(),
        }
    }

    /// `ours` (a reading of our clock) on Graph's clock, never later than Graph's clock then
    /// showed: the latest answer's `Date` (cut to the second, written before the answer
    /// reached us) against our clock when it arrived. `None` before any answer had a `Date`.
    pub fn graph_time(&self, ours: time::OffsetDateTime) -> Option<time::OffsetDateTime> {
        let offset = *self.clock.lock().unwrap_or_else(|e| e.into_inner());
        offset.map(|o| ours + o)
    }

    fn note_date(&self, resp: &reqwest::Response) {
        let received = time::OffsetDateTime::now_utc();
        let date = resp
            .headers()
            .get(reqwest::header::DATE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                time::OffsetDateTime::parse(v, &time::format_description::well_known::Rfc2822).ok()
            });
        if let Some(date) = date {
            *self.clock.lock().unwrap_or_else(|e| e.into_inner()) = Some(date - received);
        }
    }

    /// How to get a new credential when Graph refuses a token (see `renew`).
    pub fn with_renewal(mut self, renew: RenewCredential) -> GraphClient {
        self.renew = Some(renew);
        self
    }

    /// Forgets the token Graph refused, and the credential that cached it.
    async fn renew_token(&self) -> Result<(), GraphError> {
        let mut cached = self.token.lock().await;
        *cached = None;
        if let Some(renew) = &self.renew {
            let fresh = renew().map_err(GraphError::Auth)?;
            *self.credential.lock().unwrap_or_else(|e| e.into_inner()) = fresh;
        }
        Ok(())
    }

    /// The OAuth scope tokens are asked for: everything the app was granted on this Graph.
    pub fn scope(&self) -> String {
        format!("{}/.default", self.endpoint)
    }

    /// A valid bearer token, from cache while it has more than five minutes left.
    async fn bearer(&self) -> Result<String, GraphError> {
        let mut cached = self.token.lock().await;
        let fresh = |t: &azure_core::credentials::AccessToken| {
            t.expires_on > time::OffsetDateTime::now_utc() + TOKEN_MARGIN
        };
        if let Some(t) = cached.as_ref().filter(|t| fresh(t)) {
            return Ok(t.token.secret().to_string());
        }
        let scope = self.scope();
        let scopes = [scope.as_str()];
        let credential = self
            .credential
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        let token = tokio::select! {
            t = credential.get_token(&scopes, None) => t,
            _ = self.cancel.cancelled() => return Err(GraphError::Cancelled),
        }
        .map_err(|e| sign_in_failed(&e))?;
        let secret = token.token.secret().to_string();
        log::redact_also(&secret);
        // Every request would fail to build with it, each retried until the deadline.
        if reqwest::header::HeaderValue::from_str(&secret).is_err() {
            return Err(GraphError::Auth(
                "the access token cannot be sent in an HTTP header (it holds a line break or another control character)".into(),
            ));
        }
        *cached = Some(token);
        Ok(secret)
    }

    /// Sends one request, retrying as `retry` allows until the operation deadline.
    pub async fn send(
        &self,
        method: Method,
        api: Api,
        path: &str,
        body: Option<&Json>,
    ) -> Result<Answer, GraphError> {
        let url = format!("{}/{}{}", self.endpoint, api.segment(), path);
        self.send_url(method, &url, body).await
    }

    async fn send_url(
        &self,
        method: Method,
        url: &str,
        body: Option<&Json>,
    ) -> Result<Answer, GraphError> {
        let shown = url.strip_prefix(&self.endpoint).unwrap_or(url).to_string();
        // Retries stop at the request's own deadline or the operation's (a resource's
        // `timeouts`), whichever comes first.
        let own = tokio::time::Instant::now() + time_scale::scaled(OPERATION_DEADLINE);
        let deadline = crate::deadline::current().map_or(own, |d| d.min(own));
        let budget = budget::is_ca_family(
            shown
                .trim_start_matches("/v1.0")
                .trim_start_matches("/beta"),
        )
        .then(|| budget::for_tenant(&self.endpoint, &self.tenant));
        let mut attempt = 0u32;
        let mut renewed = false;
        let mut malformed_before = false;
        loop {
            if self.cancel.is_cancelled() {
                return Err(GraphError::Cancelled);
            }
            if crate::deadline::current().is_some_and(|d| tokio::time::Instant::now() >= d) {
                return Err(GraphError::Transport {
                    method: method.to_string(),
                    path: shown,
                    message: "the time the resource's timeouts allow for this operation ran out"
                        .into(),
                });
            }
            // The token first: a slot taken before a slow token fetch would be spent late,
            // and the next request would then arrive too close behind it.
            let bearer = self.bearer().await?;
            if let Some(b) = &budget {
                tokio::select! {
                    _ = b.acquire() => {}
                    _ = self.cancel.cancelled() => return Err(GraphError::Cancelled),
                }
            }
            let mut req = self
                .http
                .request(method.clone(), url)
                .bearer_auth(bearer)
                .header("client-request-id", uuid::Uuid::new_v4().to_string())
                // Evolvable enums: without this Graph hides (and refuses) members added after
                // `unknownFutureValue`, such as CAE's `strictLocation`.
                .header("Prefer", "include-unknown-enum-members")
                .header("Accept", "application/json");
            if let Some(b) = body {
                req = req.json(b);
            }
            // A create is never abandoned half way: Graph may act on it while we no longer
            // listen, and the object would then exist outside the state. Terraform waits for a
            // stopping provider, so the answer still reaches the state.
            let sent = if retry::is_idempotent(&method) {
                tokio::select! {
                    r = req.send() => r,
                    _ = self.cancel.cancelled() => return Err(GraphError::Cancelled),
                }
            } else {
                req.send().await
            };
            let (failure, retry_after, error) = match sent {
                Ok(resp) => {
                    // A redirect is never followed (see `http`), nor is it worth another try.
                    if let Some(m) = http::redirect_refused(&resp) {
                        return Err(GraphError::Transport {
                            method: method.to_string(),
                            path: shown,
                            message: format!("Microsoft Graph {m}"),
                        });
                    }
                    self.note_date(&resp);
                    let status = resp.status().as_u16();
                    let retry_after = resp
                        .headers()
                        .get("retry-after")
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_string);
                    let request_id = resp
                        .headers()
                        .get("request-id")
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_string);
                    let bytes = match http::read_capped(resp).await {
                        Ok(b) => b,
                        // The same request would be answered the same way.
                        Err(ReadError::TooLarge) => {
                            return Err(no_answer(&method, &shown, ReadError::TooLarge.to_string()))
                        }
                        Err(ReadError::Broken(e)) => {
                            let err = no_answer(&method, &shown, e);
                            if self.may_retry(&method, Failure::Interrupted, attempt, deadline) {
                                self.pause(None, attempt).await?;
                                attempt += 1;
                                continue;
                            }
                            return Err(err);
                        }
                    };
                    if (200..300).contains(&status) {
                        let body = match decode(&method, status, &bytes) {
                            Ok(body) => body,
                            // An answer cut short on the way is worth one more try; the same
                            // again is what Graph sends, and retrying will not change it.
                            Err(message) if retry::is_idempotent(&method) && !malformed_before => {
                                log::warn(
                                    "unreadable answer from Graph; asking again",
                                    &[("path", &shown), ("error", &message)],
                                );
                                malformed_before = true;
                                self.pause(None, attempt).await?;
                                attempt += 1;
                                continue;
                            }
                            Err(message) => return Err(no_answer(&method, &shown, message)),
                        };
                        log::debug(
                            "graph request",
                            &[
                                ("method", method.as_str()),
                                ("path", &shown),
                                ("status", &status.to_string()),
                            ],
                        );
                        return Ok(Answer { status, body });
                    }
                    let err = GraphError::from_response(
                        method.as_str(),
                        &shown,
                        status,
                        request_id,
                        &bytes,
                    );
                    (Failure::Status(status), retry_after, err)
                }
                // A request that cannot even be built never will be: no retry.
                Err(e) if e.is_builder() => {
                    return Err(transport(&method, &shown, &e));
                }
                Err(e) if e.is_connect() => {
                    (Failure::Connect, None, transport(&method, &shown, &e))
                }
                Err(e) => (
                    Failure::Interrupted,
                    None,
                    no_answer(&method, &shown, e.to_string()),
                ),
            };
            // A refused token (revoked, or expired early by Graph's clock): one new token and
            // the same request again. Graph acted on nothing, so this is safe for any method.
            if failure == Failure::Status(401) && !renewed {
                renewed = true;
                log::warn(
                    "Graph refused the access token; getting a new one",
                    &[("path", &shown)],
                );
                self.renew_token().await?;
                continue;
            }
            if let (Some(b), Failure::Status(429)) = (&budget, failure) {
                b.throttled().await;
            }
            if !self.may_retry(&method, failure, attempt, deadline) {
                return Err(error);
            }
            log::warn(
                "retrying Graph request",
                &[
                    ("method", method.as_str()),
                    ("path", &shown),
                    ("failure", &format!("{failure:?}")),
                    ("attempt", &(attempt + 1).to_string()),
                ],
            );
            self.pause(retry_after.as_deref(), attempt).await?;
            attempt += 1;
        }
    }

    fn may_retry(
        &self,
        method: &Method,
        failure: Failure,
        attempt: u32,
        deadline: tokio::time::Instant,
    ) -> bool {
        retry::should_retry(method, failure)
            && attempt < 12
            && tokio::time::Instant::now() + retry::backoff(attempt) / 2 < deadline
    }

    async fn pause(&self, retry_after: Option<&str>, attempt: u32) -> Result<(), GraphError> {
        tokio::select! {
            _ = tokio::time::sleep(retry::wait_for(retry_after, attempt)) => Ok(()),
            _ = self.cancel.cancelled() => Err(GraphError::Cancelled),
        }
    }

    /// GET one object, parsed as `T`; a 404 is an error (see `get_opt`).
    pub async fn get<T: DeserializeOwned>(&self, api: Api, path: &str) -> Result<T, GraphError> {
        let answer = self.send(Method::GET, api, path, None).await?;
        parse(&Method::GET, api, path, answer.body)
    }

    /// GET that maps 404 to `None`.
    pub async fn get_opt<T: DeserializeOwned>(
        &self,
        api: Api,
        path: &str,
    ) -> Result<Option<T>, GraphError> {
        match self.get(api, path).await {
            Ok(v) => Ok(Some(v)),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Every item of a collection, following `@odata.nextLink` verbatim. A next link that points
    /// anywhere but our Graph endpoint is refused, so the bearer token never leaves it; so is
    /// one to a page already read (a loop), and reading stops with an error after `MAX_PAGES`.
    pub async fn list<T: DeserializeOwned>(
        &self,
        api: Api,
        path: &str,
    ) -> Result<Vec<T>, GraphError> {
        let mut items = Vec::new();
        let mut url = format!("{}/{}{}", self.endpoint, api.segment(), path);
        let mut read = std::collections::HashSet::new();
        let refuse = |message: String| GraphError::Transport {
            method: "GET".into(),
            path: path.into(),
            message,
        };
        loop {
            if read.len() == MAX_PAGES {
                return Err(refuse(format!("Graph still had more after {MAX_PAGES} pages; a collection this provider reads is never that long, so the paging is broken")));
            }
            if !read.insert(url.clone()) {
                return Err(refuse(
                    "Graph's next link leads back to a page already read; the paging loops".into(),
                ));
            }
            let answer = self.send_url(Method::GET, &url, None).await?;
            let mut body = answer.body;
            if let Json::Array(values) = body["value"].take() {
                for v in values {
                    items.push(parse(&Method::GET, api, path, v)?);
                }
            }
            match body["@odata.nextLink"].as_str() {
                Some(next) if next.starts_with(&format!("{}/", self.endpoint)) => {
                    url = next.to_string()
                }
                Some(next) => {
                    return Err(refuse(format!(
                        "refusing to follow a next link to another host: {next}"
                    )))
                }
                None => return Ok(items),
            }
        }
    }

    /// PATCH `body` onto an object; Graph's answer carries nothing we use.
    pub async fn patch(&self, api: Api, path: &str, body: &Json) -> Result<(), GraphError> {
        self.send(Method::PATCH, api, path, Some(body))
            .await
            .map(|_| ())
    }

    /// POST `body`, typically a create: the object Graph answers with, parsed as `T`.
    pub async fn post<T: DeserializeOwned>(
        &self,
        api: Api,
        path: &str,
        body: &Json,
    ) -> Result<T, GraphError> {
        let answer = self.send(Method::POST, api, path, Some(body)).await?;
        // A success without the created object: it exists, but we cannot tell which it is.
        if !answer.body.is_object() {
            return Err(no_answer(
                &Method::POST,
                &format!("/{}{path}", api.segment()),
                format!("HTTP {} answer carries no object", answer.status),
            ));
        }
        parse(&Method::POST, api, path, answer.body)
    }

    /// DELETE an object; a 404 is an error, for the caller to judge.
    pub async fn delete(&self, api: Api, path: &str) -> Result<(), GraphError> {
        self.send(Method::DELETE, api, path, None).await.map(|_| ())
    }

    /// Runs requests through `$batch`, 20 to a call. Each item's own status is returned in input
    /// order; items that come back 429 are sent again after a pause.
    pub async fn batch(
        &self,
        api: Api,
        requests: &[BatchRequest],
    ) -> Result<Vec<Answer>, GraphError> {
        let mut answers: Vec<Option<Answer>> = (0..requests.len()).map(|_| None).collect();
        let mut pending: Vec<usize> = (0..requests.len()).collect();
        let mut attempt = 0;
        while !pending.is_empty() {
            let mut throttled = Vec::new();
            for chunk in pending.chunks(20) {
                let body = serde_json::json!({
                    "requests": chunk.iter().map(|&i| requests[i].to_json(i)).collect::<Vec<_>>()
                });
                let answer = self.send(Method::POST, api, "/$batch", Some(&body)).await?;
                for item in answer.body["responses"].as_array().into_iter().flatten() {
                    let Some(i) = item["id"].as_str().and_then(|s| s.parse::<usize>().ok()) else {
                        continue;
                    };
                    let status = item["status"].as_u64().unwrap_or(0) as u16;
                    if status == 429 && attempt < 8 {
                        throttled.push(i);
                    } else {
                        answers[i] = Some(Answer {
                            status,
                            body: item["body"].clone(),
                        });
                    }
                }
            }
            if !throttled.is_empty() {
                self.pause(None, attempt).await?;
                attempt += 1;
            }
            pending = throttled;
        }
        answers
            .into_iter()
            .enumerate()
            .map(|(i, a)| {
                a.ok_or_else(|| GraphError::Transport {
                    method: "POST".into(),
                    path: "/$batch".into(),
                    message: format!("no answer for request {} ({})", i, requests[i].url),
                })
            })
            .collect()
    }
}

/// The credential's error and its root cause: azure_core's retry policy reports a failure it
/// will not retry (a redirect, an unusable token answer) in words of its own, the cause only
/// as its source.
fn sign_in_failed(e: &azure_core::Error) -> GraphError {
    let mut root: &dyn std::error::Error = e;
    while let Some(next) = root.source() {
        root = next;
    }
    let (text, cause) = (e.to_string(), root.to_string());
    if text.contains(&cause) {
        GraphError::Auth(text)
    } else {
        GraphError::Auth(format!("{text}\n{cause}"))
    }
}

/// One request inside a `$batch` call. Only reads are batched, so there are no bodies.
#[derive(Clone, Debug)]
pub struct BatchRequest {
    /// The path and query below the version segment, `/identity/...?$select=id`.
    pub url: String,
}

impl BatchRequest {
    fn to_json(&self, id: usize) -> Json {
        serde_json::json!({"id": id.to_string(), "method": "GET", "url": self.url})
    }
}

fn transport(method: &Method, path: &str, e: &reqwest::Error) -> GraphError {
    // reqwest errors name the URL but never carry our headers, so no token can leak here.
    GraphError::Transport {
        method: method.to_string(),
        path: path.to_string(),
        message: e.to_string(),
    }
}

/// The JSON of a 2xx answer; `Null` for the empty answers of writes (204). A read always has a
/// body, so an empty one is broken.
fn decode(method: &Method, status: u16, bytes: &[u8]) -> Result<Json, String> {
    if bytes.is_empty() {
        return if method == Method::GET {
            Err(format!("HTTP {status} answer to a read is empty"))
        } else {
            Ok(Json::Null)
        };
    }
    serde_json::from_slice(bytes).map_err(|e| format!("HTTP {status} answer is not JSON: {e}"))
}

/// `message` may quote a reqwest error: those name the URL, never our headers.
fn no_answer(method: &Method, path: &str, message: String) -> GraphError {
    GraphError::NoAnswer {
        method: method.to_string(),
        path: path.to_string(),
        message,
    }
}

/// The typed answer; a shape we cannot read is an error, never a default. For a POST the
/// object was created all the same, so that is a lost answer, not a refusal.
fn parse<T: DeserializeOwned>(
    method: &Method,
    api: Api,
    path: &str,
    body: Json,
) -> Result<T, GraphError> {
    serde_json::from_value(body).map_err(|e| {
        let path = format!("/{}{path}", api.segment());
        let message = format!("unexpected response shape: {e}");
        if retry::is_idempotent(method) {
            GraphError::Transport {
                method: method.to_string(),
                path,
                message,
            }
        } else {
            no_answer(method, &path, message)
        }
    })
}
