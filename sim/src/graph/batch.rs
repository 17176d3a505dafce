//! JSON batching (graph-api.md §9.3): `POST /{version}/$batch`.
//!
//! Inner requests re-enter [`super::process`] with the outer request's Authorization, so they
//! are authenticated, counted, throttled and fault-injected individually, like real Graph.
//! They run in array order; `dependsOn` may only name earlier requests, and a request whose
//! dependency failed gets 424.

use super::{odata, process, GraphRequest, GraphResponse, Outcome, Params, Route};
use crate::server::RequestIds;
use crate::state::SimState;
use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use serde_json::{json, Map, Value};
use std::collections::HashMap;

pub(crate) const MAX_REQUESTS: usize = 20;

pub(crate) fn routes() -> Vec<Route> {
    vec![Route::new(Method::POST, "/$batch", batch)]
}

struct Item {
    id: String,
    method: Method,
    url: String,
    headers: Map<String, Value>,
    body: Option<Value>,
    depends_on: Vec<String>,
}

fn invalid(req: &GraphRequest) -> GraphResponse {
    req.bad_request("Invalid batch payload format.")
}

fn parse_items(req: &GraphRequest) -> Result<Vec<Item>, GraphResponse> {
    let body = req.json_object()?.ok_or_else(|| invalid(req))?;
    let requests = body
        .get("requests")
        .and_then(Value::as_array)
        .ok_or_else(|| invalid(req))?;
    if requests.is_empty() {
        return Err(invalid(req));
    }
    if requests.len() > MAX_REQUESTS {
        return Err(req.bad_request(&format!(
            "Invalid batch payload format. The number of requests in a batch ({}) exceeds the maximum of {MAX_REQUESTS}.",
            requests.len()
        )));
    }
    let mut items: Vec<Item> = Vec::new();
    for r in requests {
        let r = r.as_object().ok_or_else(|| invalid(req))?;
        let id = r
            .get("id")
            .and_then(Value::as_str)
            .ok_or_else(|| invalid(req))?;
        let method = r
            .get("method")
            .and_then(Value::as_str)
            .and_then(|m| Method::from_bytes(m.to_ascii_uppercase().as_bytes()).ok())
            .ok_or_else(|| invalid(req))?;
        let url = r
            .get("url")
            .and_then(Value::as_str)
            .ok_or_else(|| invalid(req))?;
        let headers = match r.get("headers") {
            None | Some(Value::Null) => Map::new(),
            Some(Value::Object(m)) => m.clone(),
            Some(_) => return Err(invalid(req)),
        };
        let body = r.get("body").filter(|b| !b.is_null()).cloned();
        if body.is_some()
            && !headers
                .keys()
                .any(|k| k.eq_ignore_ascii_case("content-type"))
        {
            return Err(req.bad_request(&format!(
                "Write request id : {id} does not contain Content-Type header or body."
            )));
        }
        let depends_on = match r.get("dependsOn") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(a)) => a
                .iter()
                .map(|d| d.as_str().map(str::to_string).ok_or_else(|| invalid(req)))
                .collect::<Result<_, _>>()?,
            Some(_) => return Err(invalid(req)),
        };
        if items.iter().any(|i| i.id == id) {
            return Err(req.bad_request(&format!("Batch request contains duplicate Id: '{id}'.")));
        }
        for d in &depends_on {
            if !items.iter().any(|i| &i.id == d) {
                return Err(req.bad_request(&format!(
                    "Request id '{id}' depends on request id '{d}', which does not precede it in the batch."
                )));
            }
        }
        items.push(Item {
            id: id.to_string(),
            method,
            url: url.to_string(),
            headers,
            body,
            depends_on,
        });
    }
    Ok(items)
}

fn batch(state: &SimState, req: &GraphRequest, _: &Params) -> GraphResponse {
    let items = match parse_items(req) {
        Ok(i) => i,
        Err(e) => return e,
    };
    let mut statuses: HashMap<String, StatusCode> = HashMap::new();
    let mut responses = Vec::new();
    for item in items {
        let failed_dep = item
            .depends_on
            .iter()
            .any(|d| !statuses.get(d).is_some_and(|s| s.is_success()));
        let resp = if failed_dep {
            inner_ids_error(
                req,
                StatusCode::FAILED_DEPENDENCY,
                "FailedDependency",
                "Request failed due to a failed dependent request.",
            )
        } else {
            run_inner(state, req, &item)
        };
        statuses.insert(item.id.clone(), resp.status);
        let headers: Map<String, Value> = resp
            .all_headers()
            .into_iter()
            .map(|(k, v)| (k, Value::String(v)))
            .collect();
        let mut out = Map::new();
        out.insert("id".into(), json!(item.id));
        out.insert("status".into(), json!(resp.status.as_u16()));
        out.insert("headers".into(), Value::Object(headers));
        if let Some(b) = resp.body {
            out.insert("body".into(), b);
        }
        responses.push(Value::Object(out));
    }
    GraphResponse::json(StatusCode::OK, json!({ "responses": responses }))
}

fn inner_ids_error(req: &GraphRequest, status: StatusCode, code: &str, msg: &str) -> GraphResponse {
    let ids = RequestIds {
        request_id: uuid::Uuid::new_v4().to_string(),
        client_request_id: req.ids.client_request_id.clone(),
    };
    GraphResponse::error_with_ids(status, code, msg, &ids)
}

fn run_inner(state: &SimState, outer: &GraphRequest, item: &Item) -> GraphResponse {
    let url = item.url.trim();
    if url.starts_with("http://") || url.starts_with("https://") {
        return inner_ids_error(
            outer,
            StatusCode::BAD_REQUEST,
            "BadRequest",
            "Invalid request URL: batch requests must use URLs relative to the batch endpoint.",
        );
    }
    let relative = url.trim_start_matches('/');
    let (path, query) = match relative.split_once('?') {
        Some((p, q)) => (p, q),
        None => (relative, ""),
    };
    let path = format!("/{path}");
    if odata::percent_decode(&path).eq_ignore_ascii_case("/$batch") {
        return inner_ids_error(
            outer,
            StatusCode::BAD_REQUEST,
            "BadRequest",
            "Nested batch requests are not supported.",
        );
    }

    let mut headers = HeaderMap::new();
    for (k, v) in &item.headers {
        let v = match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        if let (Ok(k), Ok(v)) = (HeaderName::try_from(k.as_str()), HeaderValue::from_str(&v)) {
            headers.insert(k, v);
        }
    }
    // Inner requests run as the caller of the batch.
    if let Some(auth) = outer.headers.get("authorization") {
        headers.insert("authorization", auth.clone());
    }
    // A Prefer on the batch (include-unknown-enum-members) holds for each request in it, on
    // top of the request's own.
    for prefer in outer.headers.get_all("prefer") {
        headers.append("prefer", prefer.clone());
    }
    let body = match &item.body {
        None => Bytes::new(),
        Some(Value::String(s)) => Bytes::from(s.clone()),
        Some(v) => Bytes::from(serde_json::to_vec(v).unwrap_or_default()),
    };
    let client_request_id = headers
        .get("client-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .unwrap_or_else(|| outer.ids.client_request_id.clone());
    let inner = GraphRequest {
        method: item.method.clone(),
        version: outer.version.clone(),
        path,
        query: odata::parse_query(query),
        headers,
        body,
        ids: RequestIds {
            request_id: uuid::Uuid::new_v4().to_string(),
            client_request_id,
        },
        principal: None,
        inner: true,
    };
    match process(state, inner) {
        Outcome::Respond(r) => r,
        // Not produced for inner requests (faults.rs keeps them to batch-item kinds); answer
        // like a transient failure if it ever is.
        Outcome::ResetConnection | Outcome::Delayed(..) | Outcome::Raw(_) => inner_ids_error(
            outer,
            StatusCode::SERVICE_UNAVAILABLE,
            "ServiceUnavailable",
            "The service is temporarily unavailable. Please retry.",
        ),
    }
}
