//! authenticationContextClassReference (graph-api.md §3).
//!
//! * PATCH `{id}` is an upsert (creates if unused, else merges the given properties), 204.
//! * POST on the collection is beta's separate create: 201 + entity, 409 if the id exists.
//! * DELETE is refused while published (403) or referenced by a CA policy (400).
//! * ids are `c1`..`c99` (the sources disagree on c25 vs c99; c99 is current).

use super::{odata, GraphRequest, GraphResponse, Params, Route};
use crate::state::SimState;
use crate::store::Stored;
use crate::Locked;
use axum::http::{Method, StatusCode};
use serde_json::{json, Map, Value};

const COLLECTION: &str = "/identity/conditionalAccess/authenticationContextClassReferences";
const ITEM: &str = "/identity/conditionalAccess/authenticationContextClassReferences/{id}";
const FRAGMENT: &str = "identity/conditionalAccess/authenticationContextClassReferences";
const TYPE_NAME: &str = "microsoft.graph.authenticationContextClassReference";

pub(crate) fn routes() -> Vec<Route> {
    vec![
        Route::new(Method::GET, COLLECTION, list),
        Route::new(Method::POST, COLLECTION, create),
        Route::new(Method::GET, ITEM, get),
        Route::new(Method::PATCH, ITEM, upsert),
        Route::new(Method::DELETE, ITEM, delete),
    ]
}

/// `^c([1-9]|[1-9][0-9])$`
pub(crate) fn valid_id(id: &str) -> bool {
    let Some(n) = id.strip_prefix('c') else {
        return false;
    };
    !n.is_empty() && n.len() <= 2 && !n.starts_with('0') && n.bytes().all(|b| b.is_ascii_digit())
}

/// The entity as Graph returns it: all four properties, defaults filled.
pub(crate) fn render(id: &str, stored: &Map<String, Value>) -> Value {
    json!({
        "id": id,
        "displayName": stored.get("displayName").cloned().unwrap_or(Value::Null),
        "description": stored.get("description").cloned().unwrap_or(Value::Null),
        "isAvailable": stored.get("isAvailable").cloned().unwrap_or(Value::Bool(false)),
    })
}

/// Check a request body against the type; returns the writable properties it sets.
/// OData annotations (`@odata.type` etc.) are accepted and ignored.
pub(crate) fn validate_body(body: &Map<String, Value>) -> Result<Map<String, Value>, String> {
    let mut out = Map::new();
    for (k, v) in body {
        if k.starts_with('@') {
            continue;
        }
        match k.as_str() {
            "id" => {
                if !v.is_string() {
                    return Err(type_error(k, v, "Edm.String"));
                }
            }
            "displayName" | "description" => {
                if !(v.is_string() || v.is_null()) {
                    return Err(type_error(k, v, "Edm.String"));
                }
                out.insert(k.clone(), v.clone());
            }
            "isAvailable" => {
                if v.is_null() {
                    return Err("A null value was found for the property named 'isAvailable', which has the expected type 'Edm.Boolean[Nullable=False]'. The expected type 'Edm.Boolean[Nullable=False]' does not allow null values.".into());
                }
                if !v.is_boolean() {
                    return Err(type_error(k, v, "Edm.Boolean"));
                }
                out.insert(k.clone(), v.clone());
            }
            _ => {
                return Err(format!(
                    "The property '{k}' does not exist on type '{TYPE_NAME}'. Make sure to only use property names that are defined by the type or mark the type as open type."
                ))
            }
        }
    }
    Ok(out)
}

fn type_error(property: &str, v: &Value, edm: &str) -> String {
    match v {
        Value::Array(_) => format!("An unexpected 'StartArray' node was found when reading from the JSON reader for property '{property}'. A 'PrimitiveValue' node was expected."),
        Value::Object(_) => format!("An unexpected 'StartObject' node was found when reading from the JSON reader for property '{property}'. A 'PrimitiveValue' node was expected."),
        other => format!("Cannot convert the literal '{}' to the expected type '{edm}'.", other.to_string().trim_matches('"')),
    }
}

fn not_found(req: &GraphRequest, id: &str) -> GraphResponse {
    req.error(
        StatusCode::NOT_FOUND,
        "ResourceNotFound",
        &format!(
            "AuthenticationContextClassReference with id {id} does not exist in the directory."
        ),
    )
}

fn list(state: &SimState, req: &GraphRequest, _: &Params) -> GraphResponse {
    let items: Vec<Value> = {
        let store = state.store.locked();
        store
            .auth_contexts
            .iter()
            .map(|(id, s)| render(id, &s.value))
            .collect()
    };
    let items = match req.q("$filter") {
        None => items,
        Some(f) => match odata::parse_filter(f, &["id", "isAvailable", "displayName"], TYPE_NAME) {
            Ok(clauses) => items
                .into_iter()
                .filter(|i| odata::matches_filter(i, &clauses))
                .collect(),
            Err(m) => return req.bad_request(&m),
        },
    };
    odata::collection(state, req, FRAGMENT, items)
}

fn entity_response(
    state: &SimState,
    req: &GraphRequest,
    status: StatusCode,
    entity: Value,
) -> GraphResponse {
    let mut body = Map::new();
    body.insert(
        "@odata.context".into(),
        json!(req.context_url(state, &format!("{FRAGMENT}/$entity"))),
    );
    if let Value::Object(m) = odata::apply_select(req, entity) {
        body.extend(m);
    }
    GraphResponse::json(status, Value::Object(body))
}

fn get(state: &SimState, req: &GraphRequest, p: &Params) -> GraphResponse {
    let id = p.get("id");
    let store = state.store.locked();
    match store.auth_contexts.get(id) {
        Some(s) if s.visible(state.consistency_lag()) => {
            let entity = render(id, &s.value);
            drop(store);
            entity_response(state, req, StatusCode::OK, entity)
        }
        _ => not_found(req, id),
    }
}

fn upsert(state: &SimState, req: &GraphRequest, p: &Params) -> GraphResponse {
    let id = p.get("id");
    if !valid_id(id) {
        return req.bad_request(&format!(
            "Invalid id '{id}' for {TYPE_NAME}. Allowed values are c1 through c99."
        ));
    }
    let body = match req.json_object() {
        Ok(b) => b.unwrap_or_default(),
        Err(e) => return e,
    };
    if let Some(body_id) = body.get("id").and_then(Value::as_str) {
        if body_id != id {
            return req.bad_request(&format!(
                "The id '{body_id}' in the request body does not match the id '{id}' in the request URL."
            ));
        }
    }
    let props = match validate_body(&body) {
        Ok(p) => p,
        Err(m) => return req.bad_request(&m),
    };
    let mut store = state.store.locked();
    match store.auth_contexts.get_mut(id) {
        Some(existing) => existing.value.extend(props),
        None => store
            .auth_contexts
            .insert(id.to_string(), Stored::created_now(props)),
    }
    GraphResponse::no_content()
}

fn create(state: &SimState, req: &GraphRequest, _: &Params) -> GraphResponse {
    let body = match req.json_object() {
        Ok(Some(b)) => b,
        Ok(None) => return req.bad_request("Empty Payload. JSON content expected."),
        Err(e) => return e,
    };
    let Some(id) = body.get("id").and_then(Value::as_str).map(str::to_string) else {
        return req.bad_request(
            "The 'id' property is required to create an authenticationContextClassReference.",
        );
    };
    if !valid_id(&id) {
        return req.bad_request(&format!(
            "Invalid id '{id}' for {TYPE_NAME}. Allowed values are c1 through c99."
        ));
    }
    let props = match validate_body(&body) {
        Ok(p) => p,
        Err(m) => return req.bad_request(&m),
    };
    let mut store = state.store.locked();
    if store.auth_contexts.contains(&id) {
        return req.error(
            StatusCode::CONFLICT,
            "Conflict",
            &format!("An authenticationContextClassReference with id '{id}' already exists."),
        );
    }
    let entity = render(&id, &props);
    store
        .auth_contexts
        .insert(id.clone(), Stored::created_now(props));
    drop(store);
    let location = format!("{}{}/{}", req.base_url(state), COLLECTION, id);
    entity_response(state, req, StatusCode::CREATED, entity).with_header("Location", location)
}

fn delete(state: &SimState, req: &GraphRequest, p: &Params) -> GraphResponse {
    let id = p.get("id");
    let mut store = state.store.locked();
    let Some(existing) = store.auth_contexts.get(id) else {
        return not_found(req, id);
    };
    if existing.value.get("isAvailable") == Some(&Value::Bool(true)) {
        return req.error(
            StatusCode::FORBIDDEN,
            "Forbidden",
            &format!("Authentication context '{id}' is published (isAvailable is true) and cannot be deleted. Set isAvailable to false first."),
        );
    }
    let users = store.policies_referencing_auth_context(id);
    if !users.is_empty() {
        return req.bad_request(&format!(
            "Authentication context '{id}' is used by Conditional Access policies ({}) and cannot be deleted.",
            users.join(", ")
        ));
    }
    store.auth_contexts.remove(id);
    GraphResponse::no_content()
}
