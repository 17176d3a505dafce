//! conditionalAccessPolicy (graph-api.md §2, §10, §11 items 1-3 and 8).
//!
//! * `GET` collection (`$filter` on displayName/state `eq`, `$top` paging, `$select`), `GET {id}`,
//!   `POST` (201 + the entity as GET returns it), `PATCH {id}` (204; top-level merge: given
//!   members replace the stored ones wholesale, omitted ones are kept, `null` clears; bumps
//!   modifiedDateTime), `DELETE {id}` (204, then 404). `/policies/conditionalAccessPolicies` is
//!   the same entity set.
//! * The store keeps the union of the v1.0 and beta members; /v1.0 hides beta-only members on
//!   GET and rejects them on writes (1007). Beta DELETE soft-deletes in real Graph (restorable
//!   for 30 days from deletedItems); here both versions delete outright.
//! * Writes are schema-checked ([`schema`]), then validated ([`validate`]); GET fills defaults
//!   ([`render`]). The per-tenant CA rate limit (no Retry-After) is applied by the pipeline.

pub(crate) mod render;
pub mod schema;
pub(crate) mod strengths;
pub(crate) mod validate;

use super::{odata, GraphRequest, GraphResponse, Params, Route};
use crate::state::SimState;
use crate::store::{Store, Stored};
use crate::Locked;
use axum::http::{Method, StatusCode};
use render::RenderCtx;
use serde_json::{json, Map, Value};
use validate::Invalid;

const COLLECTION: &str = "/identity/conditionalAccess/policies";
const ITEM: &str = "/identity/conditionalAccess/policies/{id}";
const ALIAS_COLLECTION: &str = "/policies/conditionalAccessPolicies";
const ALIAS_ITEM: &str = "/policies/conditionalAccessPolicies/{id}";
const ENTITY_SET: &str = "identity/conditionalAccess/policies";
const ALIAS_ENTITY_SET: &str = "policies/conditionalAccessPolicies";
const TYPE_NAME: &str = "microsoft.graph.conditionalAccessPolicy";

pub(crate) fn routes() -> Vec<Route> {
    let mut r = Vec::new();
    for (coll, item) in [(COLLECTION, ITEM), (ALIAS_COLLECTION, ALIAS_ITEM)] {
        r.push(Route::new(Method::GET, coll, list));
        r.push(Route::new(Method::POST, coll, create));
        r.push(Route::new(Method::GET, item, get));
        r.push(Route::new(Method::PATCH, item, patch));
        r.push(Route::new(Method::DELETE, item, delete));
    }
    r
}

fn is_beta(req: &GraphRequest) -> bool {
    req.version.eq_ignore_ascii_case("beta")
}

fn entity_set(req: &GraphRequest) -> &'static str {
    let p = req.path.trim_start_matches('/');
    if p.len() >= 8 && p[..8].eq_ignore_ascii_case("policies") {
        ALIAS_ENTITY_SET
    } else {
        ENTITY_SET
    }
}

fn render_ctx<'a>(state: &SimState, req: &'a GraphRequest, store: &'a Store) -> RenderCtx<'a> {
    RenderCtx {
        beta: is_beta(req),
        store,
        base_url: req.base_url(state),
        entity_set: entity_set(req),
        unknown_members: req.prefers_unknown_members(),
    }
}

/// Store a policy without validation (seeds, `Simulator::put_raw_policy`): annotations dropped,
/// flags enums canonical; the id is the object's `id` or a new GUID. `verbatim` = a real beta
/// export, read back on beta exactly as given.
pub(crate) fn store_raw(store: &mut Store, json: Value, verbatim: bool) -> String {
    let mut map = schema::normalise_loose(json);
    let id = match map.remove("id") {
        Some(Value::String(id)) => id,
        _ => uuid::Uuid::new_v4().to_string(),
    };
    let mut stored = Stored::seeded(map);
    stored.verbatim = verbatim;
    store.ca_policies.insert(id.clone(), stored);
    id
}

fn not_found(req: &GraphRequest, id: &str) -> GraphResponse {
    req.error(
        StatusCode::NOT_FOUND,
        "ResourceNotFound",
        &format!("ConditionalAccessPolicy with id {id} does not exist in the directory."),
    )
}

fn schema_error(req: &GraphRequest, detail: &str) -> GraphResponse {
    // Graph only says 1007; the header tells a test author what did not match.
    let detail: String = detail
        .chars()
        .map(|c| {
            if c.is_ascii() && !c.is_ascii_control() {
                c
            } else {
                '?'
            }
        })
        .collect();
    req.bad_request(validate::SCHEMA_1007)
        .with_header("x-sim-schema-detail", detail)
}

fn invalid(req: &GraphRequest, why: Invalid) -> GraphResponse {
    match why {
        Invalid::Message(m) => req.bad_request(&m),
        Invalid::Inner(text) => {
            let mut resp = req.bad_request(validate::GENERIC_MESSAGE);
            if let Some(inner) = resp
                .body
                .as_mut()
                .and_then(|b| b.pointer_mut("/error/innerError"))
                .and_then(Value::as_object_mut)
            {
                let mut with_message = Map::new();
                with_message.insert("message".into(), json!(text));
                with_message.extend(std::mem::take(inner));
                *inner = with_message;
            }
            resp
        }
        // Observed body: code "Internal Server Error", message with the request id as Error ID
        // (microsoftgraph/microsoft-graph-docs#6197).
        Invalid::InternalError => req.error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Internal Server Error",
            &format!(
                "There was an internal server error while processing the request. Error ID: {}",
                req.ids.request_id
            ),
        ),
    }
}

/// The request body, checked against the type and normalised.
fn checked_body(req: &GraphRequest) -> Result<Map<String, Value>, GraphResponse> {
    let body = match serde_json::from_slice::<Value>(&req.body) {
        Ok(Value::Object(m)) => m,
        Ok(_) => return Err(schema_error(req, "the body is not a JSON object")),
        Err(e) => return Err(schema_error(req, &format!("the body is not JSON: {e}"))),
    };
    let ctx = schema::Ctx {
        beta: is_beta(req),
        unknown_members: req.prefers_unknown_members(),
    };
    schema::check_policy(&body, &ctx).map_err(|d| schema_error(req, &d))
}

fn entity_response(
    state: &SimState,
    req: &GraphRequest,
    status: StatusCode,
    entity: Map<String, Value>,
) -> GraphResponse {
    let mut body = Map::new();
    body.insert(
        "@odata.context".into(),
        json!(req.context_url(state, &format!("{}/$entity", entity_set(req)))),
    );
    if let Value::Object(m) = odata::apply_select(req, Value::Object(entity)) {
        body.extend(m);
    }
    GraphResponse::json(status, Value::Object(body))
}

fn list(state: &SimState, req: &GraphRequest, _: &Params) -> GraphResponse {
    let items: Vec<Value> = {
        let store = state.store.locked();
        let rc = render_ctx(state, req, &store);
        store
            .ca_policies
            .iter()
            .filter(|(_, s)| s.visible(state.consistency_lag()))
            .map(|(id, s)| Value::Object(render::render(id, s, &rc)))
            .collect()
    };
    let items = match req.q("$filter") {
        None => items,
        Some(f) => match odata::parse_filter(f, &["displayName", "state", "id"], TYPE_NAME) {
            Ok(clauses) => items
                .into_iter()
                .filter(|i| odata::matches_filter(i, &clauses))
                .collect(),
            Err(m) => return req.bad_request(&m),
        },
    };
    odata::collection(state, req, entity_set(req), items)
}

fn get(state: &SimState, req: &GraphRequest, p: &Params) -> GraphResponse {
    let id = p.get("id");
    let entity = {
        let store = state.store.locked();
        let rc = render_ctx(state, req, &store);
        store
            .ca_policies
            .get(id)
            .filter(|s| s.visible(state.consistency_lag()))
            .map(|s| render::render(id, s, &rc))
    };
    match entity {
        Some(e) => entity_response(state, req, StatusCode::OK, e),
        None => not_found(req, id),
    }
}

fn create(state: &SimState, req: &GraphRequest, _: &Params) -> GraphResponse {
    let mut policy = match checked_body(req) {
        Ok(p) => p,
        Err(e) => return e,
    };
    let mut store = state.store.locked();
    if let Err(why) = validate::validate(&policy, is_beta(req), &store) {
        return invalid(req, why);
    }
    if store.ca_policies.len() >= validate::MAX_POLICIES {
        return req.bad_request(&format!(
            "The tenant already has the maximum of {} Conditional Access policies. Delete a policy before creating another one.",
            validate::MAX_POLICIES
        ));
    }
    let id = uuid::Uuid::new_v4().to_string();
    policy.insert(
        "createdDateTime".into(),
        json!(crate::time_fmt::graph(crate::time_fmt::now())),
    );
    policy.insert("modifiedDateTime".into(), Value::Null);
    policy.insert("templateId".into(), Value::Null);
    let stored = Stored::created_now(policy);
    let entity = render::render(&id, &stored, &render_ctx(state, req, &store));
    store.ca_policies.insert(id.clone(), stored);
    drop(store);
    let location = format!("{}/{}/{}", req.base_url(state), entity_set(req), id);
    entity_response(state, req, StatusCode::CREATED, entity).with_header("Location", location)
}

fn patch(state: &SimState, req: &GraphRequest, p: &Params) -> GraphResponse {
    let id = p.get("id");
    let mut store = state.store.locked();
    let Some(existing) = store.ca_policies.get(id) else {
        return not_found(req, id);
    };
    let mut merged = existing.value.clone();
    let changes = match checked_body(req) {
        Ok(c) => c,
        Err(e) => return e,
    };
    // Top-level merge: conditions/grantControls/sessionControls replaced as whole objects.
    merged.extend(changes);
    if let Err(why) = validate::validate(&merged, is_beta(req), &store) {
        return invalid(req, why);
    }
    merged.insert(
        "modifiedDateTime".into(),
        json!(crate::time_fmt::graph(crate::time_fmt::now())),
    );
    if let Some(slot) = store.ca_policies.get_mut(id) {
        slot.value = merged;
        // Written through the API now: GET fills defaults like for any other policy.
        slot.verbatim = false;
    }
    GraphResponse::no_content()
}

fn delete(state: &SimState, req: &GraphRequest, p: &Params) -> GraphResponse {
    let id = p.get("id");
    // Real beta soft-deletes (deletedItems, 30-day restore); the simulator deletes on both.
    match state.store.locked().ca_policies.remove(id) {
        Some(_) => GraphResponse::no_content(),
        None => not_found(req, id),
    }
}
