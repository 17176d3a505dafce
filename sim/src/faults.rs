//! Fault injection: the random mix behind `fault_rate` and the scripted rules tests queue with
//! `Simulator::script_fault` or `POST /_sim/faults`.
//!
//! Real Graph fails in more ways than "transient error before anything happened": a write can
//! be committed while the client never sees the answer (reset, or a client timeout shorter than
//! Graph's response time), a gateway can answer with an HTML page, and a newer service version
//! can add properties or enum members. The provider must stay correct through all of them, so
//! the simulator can produce each one, at random or exactly when a test asks.
//!
//! Requests carrying [`OBSERVER_HEADER`] get no fault: they are a test looking at what Graph
//! holds, not the client under test.

use crate::graph::{GraphRequest, GraphResponse, ODATA_JSON};
use crate::state::SimState;
use crate::Locked;
use axum::http::{HeaderName, HeaderValue, Method, StatusCode};
use axum::response::Response;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::sync::Mutex;
use std::time::Duration;

/// How long a scripted `slow` fault without `delay_ms` holds the answer when `slow_fault_ms`
/// is off too: longer than any sane client timeout in a test, short enough not to hang a run.
pub const DEFAULT_SLOW_MS: u64 = 10_000;

/// One way a Graph request can go wrong. Serialized in snake_case (`"commit_then_reset"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    /// 429 with `Retry-After: 1`, before processing.
    Throttle,
    /// 429 without `Retry-After`, before processing: what the Conditional Access resources do.
    ThrottleNoRetryAfter,
    /// 503 Graph error, before processing.
    Unavailable,
    /// Connection reset, before processing: nothing happened.
    Reset,
    /// Processed (a write is stored), then the connection is reset: an ambiguous write.
    CommitThenReset,
    /// Processed, then the answer is held back (`delay_ms`, else `slow_fault_ms`).
    Slow,
    /// Processed, then a 502 `text/html` gateway error page instead of the answer.
    Html,
    /// Processed, the real status and JSON content type, an empty body.
    EmptyBody,
    /// Processed, the real status and content type, the body cut in half.
    TruncatedJson,
    /// Processed, the real answer with unknown properties (`futureSetting`) in every object.
    ExtraFields,
    /// Processed, the real answer with `state` set to an enum member the client cannot know.
    UnknownEnum,
}

impl FaultKind {
    /// The snake_case name, as in the JSON rules and the `faults` map of `/_sim/stats`.
    pub fn name(self) -> &'static str {
        match self {
            FaultKind::Throttle => "throttle",
            FaultKind::ThrottleNoRetryAfter => "throttle_no_retry_after",
            FaultKind::Unavailable => "unavailable",
            FaultKind::Reset => "reset",
            FaultKind::CommitThenReset => "commit_then_reset",
            FaultKind::Slow => "slow",
            FaultKind::Html => "html",
            FaultKind::EmptyBody => "empty_body",
            FaultKind::TruncatedJson => "truncated_json",
            FaultKind::ExtraFields => "extra_fields",
            FaultKind::UnknownEnum => "unknown_enum",
        }
    }

    /// Whether the request is still carried out: then a write sticks although the client
    /// saw a failure, which is what makes these faults dangerous.
    pub fn processes_request(self) -> bool {
        !matches!(
            self,
            FaultKind::Throttle
                | FaultKind::ThrottleNoRetryAfter
                | FaultKind::Unavailable
                | FaultKind::Reset
        )
    }

    /// Whether the fault can show inside a `$batch` response: an inner request has no
    /// connection to reset or delay, and its answer is a JSON item, not raw bytes.
    pub fn fits_batch_item(self) -> bool {
        matches!(
            self,
            FaultKind::Throttle
                | FaultKind::ThrottleNoRetryAfter
                | FaultKind::Unavailable
                | FaultKind::ExtraFields
                | FaultKind::UnknownEnum
        )
    }

    fn is_throttle(self) -> bool {
        matches!(self, FaultKind::Throttle | FaultKind::ThrottleNoRetryAfter)
    }
}

/// A deterministic fault for tests: the next `count` Graph requests matching `method` and
/// `path_prefix` get `kind`. Rules are consulted in the order they were added, before the
/// random `fault_rate` mix; only the first matching rule fires (and loses one count).
///
/// JSON: `{"method": "POST", "path_prefix": "/identity/conditionalAccess/namedLocations",
/// "kind": "commit_then_reset", "count": 1}`; only `kind` is required.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScriptedFault {
    /// HTTP method, case-insensitive; absent = any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// Case-insensitive prefix of the path after `/v1.0` or `/beta` (e.g.
    /// `/identity/conditionalAccess/policies`), so one rule covers both versions; absent = any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path_prefix: Option<String>,
    /// What goes wrong; the only required member.
    pub kind: FaultKind,
    /// How many matching requests it fires for; 1 when absent.
    #[serde(default = "one")]
    pub count: u32,
    /// `slow` only: how long to hold the answer; absent = `slow_fault_ms`, else
    /// [`DEFAULT_SLOW_MS`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delay_ms: Option<u64>,
}

fn one() -> u32 {
    1
}

impl ScriptedFault {
    /// Fires once, on any Graph request.
    pub fn new(kind: FaultKind) -> Self {
        ScriptedFault {
            method: None,
            path_prefix: None,
            kind,
            count: 1,
            delay_ms: None,
        }
    }

    /// Only requests with this HTTP method (case-insensitive).
    pub fn on_method(mut self, method: &str) -> Self {
        self.method = Some(method.to_string());
        self
    }

    /// Only requests whose path after `/v1.0` or `/beta` starts with `prefix`.
    pub fn on_path(mut self, prefix: &str) -> Self {
        self.path_prefix = Some(prefix.to_string());
        self
    }

    /// Fires for the next `count` matching requests instead of one.
    pub fn times(mut self, count: u32) -> Self {
        self.count = count;
        self
    }

    /// `slow` only: holds the answer back `ms` milliseconds of Graph's time.
    pub fn with_delay_ms(mut self, ms: u64) -> Self {
        self.delay_ms = Some(ms);
        self
    }

    fn matches(&self, req: &GraphRequest) -> bool {
        if req.inner && !self.kind.fits_batch_item() {
            // Left for the next outer request rather than silently downgraded.
            return false;
        }
        if let Some(m) = &self.method {
            if !m.eq_ignore_ascii_case(req.method.as_str()) {
                return false;
            }
        }
        if let Some(p) = &self.path_prefix {
            let path = req.path.as_bytes();
            if path.len() < p.len() || !path[..p.len()].eq_ignore_ascii_case(p.as_bytes()) {
                return false;
            }
        }
        true
    }
}

/// The queue of scripted rules; exhausted rules are dropped so `GET /_sim/faults` shows what
/// is still pending.
#[derive(Default)]
pub(crate) struct FaultScript {
    rules: Mutex<Vec<ScriptedFault>>,
}

impl FaultScript {
    pub(crate) fn push(&self, rule: ScriptedFault) {
        if rule.count > 0 {
            self.rules.locked().push(rule);
        }
    }

    pub(crate) fn clear(&self) {
        self.rules.locked().clear();
    }

    pub(crate) fn pending(&self) -> Vec<ScriptedFault> {
        self.rules.locked().clone()
    }

    fn fire(&self, req: &GraphRequest) -> Option<ScriptedFault> {
        let mut rules = self.rules.locked();
        let i = rules.iter().position(|r| r.count > 0 && r.matches(req))?;
        let fired = rules[i].clone();
        rules[i].count -= 1;
        if rules[i].count == 0 {
            rules.remove(i);
        }
        Some(fired)
    }
}

/// A fault chosen for one request.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Injected {
    pub(crate) kind: FaultKind,
    /// `Slow` only.
    pub(crate) delay: Duration,
}

/// Marks a request from a test checking Graph's contents, which faults meant for the client
/// under test must not disturb.
pub const OBSERVER_HEADER: &str = "x-sim-observer";

/// The fault for this request, if any: scripted rules first, then the random mix. Counted in
/// stats here, so every caller sees the same numbers.
pub(crate) fn pick(state: &SimState, req: &GraphRequest) -> Option<Injected> {
    if req.headers.contains_key(OBSERVER_HEADER) {
        return None;
    }
    let injected = match state.faults.fire(req) {
        Some(rule) => Injected {
            kind: rule.kind,
            delay: state
                .opts
                .scaled(rule.delay_ms.unwrap_or(if state.opts.slow_fault_ms > 0 {
                    state.opts.slow_fault_ms
                } else {
                    DEFAULT_SLOW_MS
                })),
        },
        None => Injected {
            kind: random_kind(state, req)?,
            delay: state.opts.scaled(state.opts.slow_fault_ms),
        },
    };
    state.stats.count_fault(injected.kind.name());
    if injected.kind.is_throttle() {
        state.stats.count_throttled();
    }
    Some(injected)
}

/// The kinds `fault_rate` picks from, uniformly. Writes add the ambiguous commit-then-reset
/// (a read that is reset after processing is no different from a plain reset); `slow` only
/// when `slow_fault_ms` says how slow. Malformed answers stay out: they are not transient,
/// a client cannot ride them out by retrying, so they are for scripted tests only.
fn random_kind(state: &SimState, req: &GraphRequest) -> Option<FaultKind> {
    use rand::Rng;
    let rate = state.opts.fault_rate;
    if rate <= 0.0 {
        return None;
    }
    let mut rng = rand::rng();
    if rng.random::<f64>() >= rate {
        return None;
    }
    let mut kinds = vec![
        FaultKind::Throttle,
        FaultKind::ThrottleNoRetryAfter,
        FaultKind::Unavailable,
    ];
    if !req.inner {
        kinds.push(FaultKind::Reset);
        if is_write(&req.method) {
            kinds.push(FaultKind::CommitThenReset);
        }
        if state.opts.slow_fault_ms > 0 {
            kinds.push(FaultKind::Slow);
        }
    }
    Some(kinds[rng.random_range(0..kinds.len())])
}

fn is_write(method: &Method) -> bool {
    *method == Method::POST || *method == Method::PATCH || *method == Method::DELETE
}

/// The answer of a fault that strikes before processing (`processes_request` false).
pub(crate) fn before_processing(kind: FaultKind, req: &GraphRequest) -> GraphResponse {
    match kind {
        FaultKind::Throttle => throttled(
            req,
            "Too many requests. Please retry after the time indicated in Retry-After.",
        )
        .with_header("Retry-After", "1"),
        FaultKind::ThrottleNoRetryAfter => throttled(req, "Too many requests."),
        _ => req.error(
            StatusCode::SERVICE_UNAVAILABLE,
            "ServiceUnavailable",
            "The service is temporarily unavailable. Please retry.",
        ),
    }
}

fn throttled(req: &GraphRequest, message: &str) -> GraphResponse {
    req.error(StatusCode::TOO_MANY_REQUESTS, "TooManyRequests", message)
}

/// What an Azure gateway in front of Graph answers when the backend fails mid-request.
const GATEWAY_HTML: &str = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>Microsoft-Azure-Application-Gateway/v2</center>\r\n</body>\r\n</html>\r\n";

/// A 502 `text/html` page from the gateway ([`FaultKind::Html`]).
pub(crate) fn html_gateway_error() -> Response {
    raw(
        StatusCode::BAD_GATEWAY,
        vec![("Content-Type".into(), "text/html".into())],
        GATEWAY_HTML.as_bytes().to_vec(),
    )
}

/// The real status, the JSON content type a client would trust, no body.
pub(crate) fn empty_body(resp: &GraphResponse) -> Response {
    let mut headers: Vec<(String, String)> = resp
        .all_headers()
        .into_iter()
        .filter(|(k, _)| !k.eq_ignore_ascii_case("content-type"))
        .collect();
    headers.push(("Content-Type".into(), ODATA_JSON.into()));
    raw(resp.status, headers, Vec::new())
}

/// The real status and headers, the first half of the JSON body (as if the stream broke but
/// the framing did not).
pub(crate) fn truncated_json(resp: &GraphResponse) -> Response {
    let mut body = resp
        .body
        .as_ref()
        .map(|b| serde_json::to_vec(b).unwrap_or_default())
        .unwrap_or_default();
    body.truncate(body.len() / 2);
    raw(resp.status, resp.all_headers(), body)
}

/// Adds `"futureSetting": {"x": 1}` to every object of the answer, top level and nested
/// (inside arrays too), as a newer Graph version would.
pub(crate) fn add_extra_fields(resp: &mut GraphResponse) {
    if let Some(body) = resp.body.as_mut() {
        add_future_setting(body);
    }
}

fn add_future_setting(v: &mut Value) {
    match v {
        Value::Object(m) => {
            // Children first, so the added objects are not themselves extended.
            for child in m.values_mut() {
                add_future_setting(child);
            }
            m.insert("futureSetting".into(), json!({"x": 1}));
        }
        Value::Array(items) => items.iter_mut().for_each(add_future_setting),
        _ => {}
    }
}

/// The enum member a client built against today's schema cannot know (Graph's evolvable enums
/// grow past `unknownFutureValue`).
pub const UNKNOWN_STATE: &str = "enabledForAllFuture";

/// Sets a string `state` to [`UNKNOWN_STATE`], at the top level and in each item of a
/// collection's `value`, so single GETs and list reads both see it.
pub(crate) fn unknown_enum(resp: &mut GraphResponse) {
    let Some(Value::Object(top)) = resp.body.as_mut() else {
        return;
    };
    let set = |m: &mut serde_json::Map<String, Value>| {
        if let Some(s @ Value::String(_)) = m.get_mut("state") {
            *s = Value::String(UNKNOWN_STATE.into());
        }
    };
    set(top);
    if let Some(Value::Array(items)) = top.get_mut("value") {
        for item in items {
            if let Value::Object(m) = item {
                set(m);
            }
        }
    }
}

fn raw(status: StatusCode, headers: Vec<(String, String)>, body: Vec<u8>) -> Response {
    let mut resp = Response::new(axum::body::Body::from(body));
    *resp.status_mut() = status;
    for (k, v) in headers {
        if let (Ok(k), Ok(v)) = (HeaderName::try_from(k), HeaderValue::from_str(&v)) {
            resp.headers_mut().append(k, v);
        }
    }
    resp
}
