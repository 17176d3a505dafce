//! conditionalAccessPolicy (graph-api.md section 2): reading. Policies are stored as the JSON
//! Graph returns; writing them through the API is later work, for now tests seed them with
//! `Simulator::put_raw_policy`.

use super::{odata, GraphRequest, GraphResponse, Params, Route};
use crate::state::SimState;
use axum::http::{Method, StatusCode};
use serde_json::{json, Map, Value};

const COLLECTION: &str = "/identity/conditionalAccess/policies";
const ITEM: &str = "/identity/conditionalAccess/policies/{id}";
const FRAGMENT: &str = "identity/conditionalAccess/policies";

pub fn routes() -> Vec<Route> {
    vec![
        Route::new(Method::GET, COLLECTION, list),
        Route::new(Method::GET, ITEM, get),
    ]
}

fn render(id: &str, stored: &Map<String, Value>) -> Value {
    let mut v = stored.clone();
    v.insert("id".into(), json!(id));
    Value::Object(v)
}

fn list(state: &SimState, req: &GraphRequest, _: &Params) -> GraphResponse {
    let items: Vec<Value> = {
        let store = state.store.lock().unwrap();
        store
            .ca_policies
            .iter()
            .filter(|(_, s)| s.visible(state.consistency_lag()))
            .map(|(id, s)| render(id, &s.value))
            .collect()
    };
    odata::collection(state, req, FRAGMENT, items)
}

fn get(state: &SimState, req: &GraphRequest, p: &Params) -> GraphResponse {
    let id = p.get("id");
    let entity = {
        let store = state.store.lock().unwrap();
        store
            .ca_policies
            .get(id)
            .filter(|s| s.visible(state.consistency_lag()))
            .map(|s| render(id, &s.value))
    };
    match entity {
        Some(Value::Object(m)) => {
            let mut body = Map::new();
            body.insert(
                "@odata.context".into(),
                json!(req.context_url(state, &format!("{FRAGMENT}/$entity"))),
            );
            body.extend(m);
            GraphResponse::json(StatusCode::OK, Value::Object(body))
        }
        _ => req.error(
            StatusCode::NOT_FOUND,
            "ResourceNotFound",
            &format!("ConditionalAccessPolicy with id {id} does not exist in the directory."),
        ),
    }
}
