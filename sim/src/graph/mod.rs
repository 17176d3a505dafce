//! Microsoft Graph: request pipeline and route table.
//!
//! Every Graph request, whether it arrives over HTTP or inside a `$batch`, goes through
//! [`process`]: count it in stats -> pick a fault (scripted, then random; see [`crate::faults`])
//! and, if it strikes before processing, answer with it -> check the bearer token -> apply the
//! Conditional Access rate limit -> dispatch to the resource module's handler -> spoil the
//! answer if the fault strikes after processing (the request has then had its effect).
//! Handlers are plain synchronous functions over the shared store, so `$batch` can re-enter the
//! pipeline for its inner requests.
//!
//! Adding a resource = adding a module with `pub fn routes() -> Vec<Route>` and listing it in
//! [`all_routes`]. Templates are written once (e.g. `/identity/conditionalAccess/policies/{id}`)
//! and serve both `/v1.0` and `/beta`; `req.version` tells them apart when behaviour differs.

pub(crate) mod auth_contexts;
pub mod auth_strengths;
pub(crate) mod batch;
pub mod named_locations;
pub(crate) mod odata;
pub(crate) mod pim;
pub mod policies;
pub(crate) mod role_definitions;

use crate::auth::Principal;
use crate::faults::FaultKind;
use crate::server::{header_str, ConnKill, RequestIds};
use crate::state::SimState;
use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Map, Value};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

/// Graph's JSON content type at the default `odata.metadata=minimal`.
pub(crate) const ODATA_JSON: &str =
    "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8";

pub(crate) type Handler = fn(&SimState, &GraphRequest, &Params) -> GraphResponse;

/// One Graph operation: method + path template (relative to `/v1.0` or `/beta`).
pub(crate) struct Route {
    pub(crate) method: Method,
    pub(crate) template: &'static str,
    pub(crate) handler: Handler,
}

impl Route {
    pub(crate) fn new(method: Method, template: &'static str, handler: Handler) -> Self {
        Route {
            method,
            template,
            handler,
        }
    }
}

/// Every resource module's routes.
fn all_routes() -> &'static [Route] {
    static ROUTES: OnceLock<Vec<Route>> = OnceLock::new();
    ROUTES.get_or_init(|| {
        let mut r = Vec::new();
        r.extend(batch::routes());
        r.extend(auth_contexts::routes());
        r.extend(policies::routes());
        r.extend(named_locations::routes());
        r.extend(auth_strengths::routes());
        r.extend(role_definitions::routes());
        r.extend(pim::routes());
        r
    })
}

/// Values of the `{name}` segments of the matched template.
#[derive(Debug, Default)]
pub(crate) struct Params(Vec<(&'static str, String)>);

impl Params {
    pub(crate) fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }
}

enum RouteMatch {
    Found(&'static Route, Params),
    /// Path exists but not for this method.
    WrongMethod(&'static str),
    NotFound,
}

fn match_template(template: &'static str, path: &str) -> Option<Params> {
    let mut t = template.trim_start_matches('/').split('/');
    let mut p = path
        .trim_start_matches('/')
        .trim_end_matches('/')
        .split('/');
    let mut params = Vec::new();
    loop {
        match (t.next(), p.next()) {
            (None, None) => return Some(Params(params)),
            (Some(ts), Some(ps)) => {
                if let Some(name) = ts.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                    if ps.is_empty() {
                        return None;
                    }
                    params.push((name, odata::percent_decode(ps)));
                } else if !ts.eq_ignore_ascii_case(&odata::percent_decode(ps)) {
                    // Graph path segments are case-insensitive.
                    return None;
                }
            }
            _ => return None,
        }
    }
}

fn find_route(method: &Method, path: &str) -> RouteMatch {
    let mut wrong_method = None;
    for route in all_routes() {
        if let Some(params) = match_template(route.template, path) {
            if route.method == *method {
                return RouteMatch::Found(route, params);
            }
            wrong_method.get_or_insert(route.template);
        }
    }
    match wrong_method {
        Some(t) => RouteMatch::WrongMethod(t),
        None => RouteMatch::NotFound,
    }
}

/// A Graph request as the resource handlers see it (HTTP or `$batch` inner).
pub(crate) struct GraphRequest {
    pub(crate) method: Method,
    /// `v1.0` or `beta`.
    pub(crate) version: String,
    /// Path after the version, starting with `/`, not decoded, no query.
    pub(crate) path: String,
    /// Decoded query pairs, in order.
    pub(crate) query: Vec<(String, String)>,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
    pub(crate) ids: RequestIds,
    /// Set by the pipeline once the bearer token checked out.
    pub(crate) principal: Option<Principal>,
    /// Inside a `$batch` (no connection to reset, no extra latency).
    pub(crate) inner: bool,
}

impl GraphRequest {
    /// Whether the client asked for enum members declared after `unknownFutureValue`
    /// (`Prefer: include-unknown-enum-members`): only then may it send them, and only then
    /// does Graph answer with them instead of `unknownFutureValue`.
    pub(crate) fn prefers_unknown_members(&self) -> bool {
        self.headers
            .get_all("prefer")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .any(|v| {
                v.to_ascii_lowercase()
                    .contains("include-unknown-enum-members")
            })
    }

    /// A query option, e.g. `q("$top")`; option names are case-insensitive and the `$` is
    /// optional, as in Graph.
    pub(crate) fn q(&self, name: &str) -> Option<&str> {
        let bare = name.trim_start_matches('$');
        self.query
            .iter()
            .find(|(k, _)| k.trim_start_matches('$').eq_ignore_ascii_case(bare))
            .map(|(_, v)| v.as_str())
    }

    pub(crate) fn error(&self, status: StatusCode, code: &str, message: &str) -> GraphResponse {
        GraphResponse::error_with_ids(status, code, message, &self.ids)
    }

    pub(crate) fn bad_request(&self, message: &str) -> GraphResponse {
        self.error(StatusCode::BAD_REQUEST, "BadRequest", message)
    }

    /// `https://host/v1.0`
    pub(crate) fn base_url(&self, state: &SimState) -> String {
        format!("{}/{}", state.info.graph_endpoint, self.version)
    }

    /// `https://host/v1.0/$metadata#<fragment>`
    pub(crate) fn context_url(&self, state: &SimState, fragment: &str) -> String {
        format!("{}/$metadata#{}", self.base_url(state), fragment)
    }

    /// The body as a JSON object; an empty body is `Ok(None)`.
    pub(crate) fn json_object(&self) -> Result<Option<Map<String, Value>>, GraphResponse> {
        if self.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(None);
        }
        match serde_json::from_slice::<Value>(&self.body) {
            Ok(Value::Object(m)) => Ok(Some(m)),
            Ok(_) => Err(self.bad_request(
                "Invalid request body: a JSON object was expected.",
            )),
            Err(e) => Err(self.bad_request(&format!(
                "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format. ({e})"
            ))),
        }
    }
}

/// A Graph response before it becomes HTTP (or a `$batch` item).
#[derive(Debug, Clone)]
pub(crate) struct GraphResponse {
    pub(crate) status: StatusCode,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Option<Value>,
}

impl GraphResponse {
    pub(crate) fn json(status: StatusCode, body: Value) -> Self {
        GraphResponse {
            status,
            headers: Vec::new(),
            body: Some(body),
        }
    }

    pub(crate) fn no_content() -> Self {
        GraphResponse {
            status: StatusCode::NO_CONTENT,
            headers: Vec::new(),
            body: None,
        }
    }

    pub(crate) fn with_header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_string(), value.into()));
        self
    }

    /// The Graph error envelope (graph-api.md §9.1).
    pub(crate) fn error_with_ids(
        status: StatusCode,
        code: &str,
        message: &str,
        ids: &RequestIds,
    ) -> Self {
        GraphResponse::json(
            status,
            json!({"error": {
                "code": code,
                "message": message,
                "innerError": {
                    "date": crate::time_fmt::inner_error_date(crate::time_fmt::now()),
                    "request-id": ids.request_id,
                    "client-request-id": ids.client_request_id,
                }
            }}),
        )
    }

    /// Headers Graph puts on every response, plus the handler's own.
    pub(crate) fn all_headers(&self) -> Vec<(String, String)> {
        let mut h = vec![
            ("Cache-Control".to_string(), "no-cache".to_string()),
            (
                "Strict-Transport-Security".to_string(),
                "max-age=31536000".to_string(),
            ),
        ];
        if self.body.is_some() {
            h.push(("Content-Type".to_string(), ODATA_JSON.to_string()));
            h.push(("OData-Version".to_string(), "4.0".to_string()));
        }
        h.extend(self.headers.iter().cloned());
        h
    }
}

impl IntoResponse for GraphResponse {
    fn into_response(self) -> Response {
        let body = match &self.body {
            Some(v) => axum::body::Body::from(serde_json::to_vec(v).unwrap_or_default()),
            None => axum::body::Body::empty(),
        };
        let mut resp = Response::new(body);
        *resp.status_mut() = self.status;
        for (k, v) in self.all_headers() {
            if let (Ok(k), Ok(v)) = (HeaderName::try_from(k), HeaderValue::from_str(&v)) {
                resp.headers_mut().append(k, v);
            }
        }
        resp
    }
}

pub(crate) enum Outcome {
    Respond(GraphResponse),
    /// Fault injection asked to drop the TCP connection (before or after processing).
    ResetConnection,
    /// Fault injection: the request was processed, the answer goes out this much later.
    Delayed(GraphResponse, Duration),
    /// Fault injection: a malformed answer that is no Graph response (HTML, broken JSON).
    Raw(Response),
}

/// The pipeline every Graph request goes through (see module docs).
pub(crate) fn process(state: &SimState, mut req: GraphRequest) -> Outcome {
    let found = find_route(&req.method, &req.path);
    let template: &str = match &found {
        RouteMatch::Found(r, _) => r.template,
        RouteMatch::WrongMethod(t) => t,
        RouteMatch::NotFound => &req.path,
    };
    state
        .stats
        .count(format!("{} /{}{}", req.method, req.version, template));

    let fault = crate::faults::pick(state, &req);
    if let Some(f) = fault {
        if !f.kind.processes_request() {
            return match f.kind {
                FaultKind::Reset => Outcome::ResetConnection,
                kind => Outcome::Respond(crate::faults::before_processing(kind, &req)),
            };
        }
    }

    let resp = handle(state, &mut req, found);
    let Some(f) = fault else {
        return Outcome::Respond(resp);
    };
    // The request has had its effect; only the client's view of it is spoiled.
    match f.kind {
        FaultKind::CommitThenReset => Outcome::ResetConnection,
        FaultKind::Slow => Outcome::Delayed(resp, f.delay),
        FaultKind::Html => Outcome::Raw(crate::faults::html_gateway_error()),
        FaultKind::EmptyBody => Outcome::Raw(crate::faults::empty_body(&resp)),
        FaultKind::TruncatedJson => Outcome::Raw(crate::faults::truncated_json(&resp)),
        FaultKind::ExtraFields => {
            let mut resp = resp;
            crate::faults::add_extra_fields(&mut resp);
            Outcome::Respond(resp)
        }
        FaultKind::UnknownEnum => {
            let mut resp = resp;
            crate::faults::unknown_enum(&mut resp);
            Outcome::Respond(resp)
        }
        // Not processing kinds: returned above.
        _ => Outcome::Respond(resp),
    }
}

/// Authenticate, apply the CA rate limit, dispatch.
fn handle(state: &SimState, req: &mut GraphRequest, found: RouteMatch) -> GraphResponse {
    let principal = match authenticate(state, req) {
        Ok(p) => p,
        Err(resp) => return resp,
    };

    // CA + named locations share one per-tenant budget; Graph sends no Retry-After here.
    if crate::throttle::is_ca_path(&req.path) && !state.throttle.try_acquire(&principal.tenant_id) {
        state.stats.count_throttled();
        return req.error(
            StatusCode::TOO_MANY_REQUESTS,
            "TooManyRequests",
            "Too many requests. The Conditional Access request rate limit for this tenant was exceeded.",
        );
    }
    req.principal = Some(principal);

    match found {
        RouteMatch::Found(route, params) => (route.handler)(state, req, &params),
        RouteMatch::WrongMethod(_) => req.error(
            StatusCode::METHOD_NOT_ALLOWED,
            "Request_BadRequest",
            "Specified HTTP method is not allowed for the request target.",
        ),
        RouteMatch::NotFound => {
            let segment = req
                .path
                .trim_start_matches('/')
                .split('/')
                .next_back()
                .unwrap_or_default()
                .to_string();
            req.bad_request(&format!("Resource not found for the segment '{segment}'."))
        }
    }
}

fn authenticate(state: &SimState, req: &GraphRequest) -> Result<Principal, GraphResponse> {
    let unauthorized = |message: &str| {
        req.error(
            StatusCode::UNAUTHORIZED,
            "InvalidAuthenticationToken",
            message,
        )
        .with_header(
            "WWW-Authenticate",
            format!(
                "Bearer realm=\"\", authorization_uri=\"{}/common/oauth2/authorize\", client_id=\"{}\"",
                state.info.authority_host,
                crate::auth::GRAPH_APP_ID
            ),
        )
    };
    let Some(value) = header_str(&req.headers, "authorization") else {
        return Err(unauthorized("Access token is empty."));
    };
    let token = match value.split_once(' ') {
        Some((scheme, t)) if scheme.eq_ignore_ascii_case("bearer") && !t.trim().is_empty() => {
            t.trim()
        }
        _ => return Err(unauthorized("Access token is empty.")),
    };
    crate::auth::validate_graph_token(state, token).map_err(|m| unauthorized(&m))
}

/// axum entry point for `/v1.0/*` and `/beta/*`.
pub(crate) async fn entry(State(state): State<Arc<SimState>>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let ids = parts
        .extensions
        .get::<RequestIds>()
        .cloned()
        .unwrap_or_else(|| RequestIds {
            request_id: uuid::Uuid::new_v4().to_string(),
            client_request_id: uuid::Uuid::new_v4().to_string(),
        });
    let kill = parts.extensions.get::<ConnKill>().cloned();
    let body = match axum::body::to_bytes(body, 16 * 1024 * 1024).await {
        Ok(b) => b,
        Err(_) => {
            return GraphResponse::error_with_ids(
                StatusCode::PAYLOAD_TOO_LARGE,
                "RequestEntityTooLarge",
                "The request body is too large.",
                &ids,
            )
            .into_response()
        }
    };
    let full = parts.uri.path();
    let (version, path) = match full.trim_start_matches('/').split_once('/') {
        Some((v, rest)) => (v.to_string(), format!("/{rest}")),
        None => (full.trim_start_matches('/').to_string(), "/".to_string()),
    };
    let req = GraphRequest {
        method: parts.method,
        version,
        path,
        query: odata::parse_query(parts.uri.query().unwrap_or("")),
        headers: parts.headers,
        body,
        ids,
        principal: None,
        inner: false,
    };
    if state.opts.latency_ms > 0 {
        tokio::time::sleep(Duration::from_millis(state.opts.latency_ms)).await;
    }
    match process(&state, req) {
        Outcome::Respond(r) => r.into_response(),
        Outcome::Delayed(r, delay) => {
            // A client that gives up first drops this future; the write has happened anyway.
            tokio::time::sleep(delay).await;
            r.into_response()
        }
        Outcome::Raw(r) => r,
        Outcome::ResetConnection => {
            if let Some(kill) = kill {
                kill.kill();
                // The connection task drops us when it tears the socket down. Bounded wait:
                // with HTTP/2 the stream task may outlive the connection briefly.
                tokio::time::sleep(Duration::from_secs(5)).await;
            }
            StatusCode::SERVICE_UNAVAILABLE.into_response()
        }
    }
}
