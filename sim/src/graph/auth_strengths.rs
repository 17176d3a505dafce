//! authenticationStrengthPolicy and its combinationConfigurations (graph-api.md §5, §11 item 6).
//!
//! Served at `/policies/authenticationStrengthPolicies` and the alias
//! `/identity/conditionalAccess/authenticationStrength/policies`, on v1.0 and beta:
//!
//! * `GET` collection = the three built-ins ([`strengths::built_in`], ids `...0002/3/4`) then the
//!   custom ones; `$filter` on policyType / displayName / id `eq`. Every item carries
//!   `combinationConfigurations` inline with its `@odata.context`.
//! * `POST` creates a custom strength: 201, `policyType: custom`, `requirementsSatisfied: mfa`,
//!   `allowedCombinations` required and validated ([`normalise_combinations`]). At most 15 custom
//!   strengths per tenant.
//! * `PATCH {id}`: 204, only `displayName` / `description`; `allowedCombinations` -> 400 (use the
//!   action); built-ins -> 400.
//! * `POST {id}/updateAllowedCombinations`: 200 + `updateAllowedCombinationsResult` with the
//!   previous and current combinations, the CA policies referencing the strength
//!   (`grantControls.authenticationStrength.id`) and, when the combinations changed while such
//!   references exist, Graph's `additionalInformation` warning.
//! * `DELETE {id}`: 204; built-ins and strengths referenced by a CA policy -> 400 (the latter
//!   names the policies).
//! * `GET {id}/usage`: `authenticationStrengthUsage` `{mfa: [policies], none: [policies]}`; every
//!   strength satisfies `mfa`, so referencing policies are listed under `mfa`.
//! * `{id}/combinationConfigurations[/{configId}]`: GET list/item, POST (201; `@odata.type`
//!   `fido2CombinationConfiguration` or `x509CertificateCombinationConfiguration` required),
//!   PATCH (204), DELETE (204); writes on custom strengths only.
//!
//! Combination rules (the service's list of valid combinations is not captured, graph-api.md §5
//! marks single-factor-only combinations [U]): a combination is one string of modes joined by
//! commas; `"password, sms"` is accepted and stored as `"password,sms"`, modes in enum declaration
//! order (how Graph emits flags). Valid: one mode that stands alone (windowsHelloForBusiness,
//! fido2, x509CertificateMultiFactor, deviceBasedPush, temporaryAccessPassOneTime/MultiUse,
//! federatedMultiFactor, qrCodePin, and the single factors Microsoft's authentication strength
//! documentation lists as combinations: password, sms, federatedSingleFactor,
//! x509CertificateSingleFactor), `password` + a second factor (voice, hardwareOath,
//! softwareOath, sms, microsoftAuthenticatorPush, email, x509CertificateSingleFactor,
//! x509CertificateMultiFactor), or `federatedSingleFactor` + voice/hardwareOath/softwareOath/sms/
//! microsoftAuthenticatorPush: the shapes of the built-ins' combinations. A second factor alone
//! (`voice`) is 400. Repeated combinations are dropped. `qrCodePin`
//! is declared after `unknownFutureValue`, so it needs `Prefer: include-unknown-enum-members`.

use super::policies::{render as ca_render, strengths};
use super::{odata, GraphRequest, GraphResponse, Params, Route};
use crate::state::SimState;
use crate::store::{Store, Stored};
use crate::Locked;
use axum::http::{Method, StatusCode};
use serde_json::{json, Map, Value};

const TYPE_NAME: &str = "microsoft.graph.authenticationStrengthPolicy";
const ENTITY_SET: &str = "policies/authenticationStrengthPolicies";
const ALIAS_ENTITY_SET: &str = "identity/conditionalAccess/authenticationStrength/policies";

/// Graph caps custom authentication strengths per tenant (graph-api.md §5).
pub(crate) const MAX_CUSTOM: usize = 15;

pub(crate) const BUILT_IN_IDS: &[&str] = &[
    strengths::MFA,
    strengths::PASSWORDLESS_MFA,
    strengths::PHISHING_RESISTANT_MFA,
];

pub(crate) const FIDO2_CONFIG_TYPE: &str = "#microsoft.graph.fido2CombinationConfiguration";
pub(crate) const X509_CONFIG_TYPE: &str =
    "#microsoft.graph.x509CertificateCombinationConfiguration";

/// authenticationMethodModes in declaration order (v1.0 + beta's evolvable `qrCodePin`).
pub const MODES: &[&str] = &[
    "password",
    "voice",
    "hardwareOath",
    "softwareOath",
    "sms",
    "fido2",
    "windowsHelloForBusiness",
    "microsoftAuthenticatorPush",
    "deviceBasedPush",
    "temporaryAccessPassOneTime",
    "temporaryAccessPassMultiUse",
    "email",
    "x509CertificateSingleFactor",
    "x509CertificateMultiFactor",
    "federatedSingleFactor",
    "federatedMultiFactor",
    "unknownFutureValue",
    "qrCodePin",
];

/// Modes that satisfy MFA on their own.
const ALONE: &[&str] = &[
    "password",
    "sms",
    "windowsHelloForBusiness",
    "fido2",
    "x509CertificateSingleFactor",
    "x509CertificateMultiFactor",
    "deviceBasedPush",
    "temporaryAccessPassOneTime",
    "temporaryAccessPassMultiUse",
    "federatedSingleFactor",
    "federatedMultiFactor",
    "qrCodePin",
];
const WITH_PASSWORD: &[&str] = &[
    "voice",
    "hardwareOath",
    "softwareOath",
    "sms",
    "microsoftAuthenticatorPush",
    "email",
    "x509CertificateSingleFactor",
    "x509CertificateMultiFactor",
];
const WITH_FEDERATED: &[&str] = &[
    "voice",
    "hardwareOath",
    "softwareOath",
    "sms",
    "microsoftAuthenticatorPush",
];

pub(crate) fn routes() -> Vec<Route> {
    let mut r = Vec::new();
    for p in [PATHS, ALIAS_PATHS] {
        r.push(Route::new(Method::GET, p.collection, list));
        r.push(Route::new(Method::POST, p.collection, create));
        r.push(Route::new(Method::GET, p.item, get));
        r.push(Route::new(Method::PATCH, p.item, patch));
        r.push(Route::new(Method::DELETE, p.item, delete));
        for a in p.update {
            r.push(Route::new(Method::POST, a, update_allowed_combinations));
        }
        for u in p.usage {
            r.push(Route::new(Method::GET, u, usage));
        }
        r.push(Route::new(Method::GET, p.configs, list_configs));
        r.push(Route::new(Method::POST, p.configs, create_config));
        r.push(Route::new(Method::GET, p.config, get_config));
        r.push(Route::new(Method::PATCH, p.config, patch_config));
        r.push(Route::new(Method::DELETE, p.config, delete_config));
    }
    r
}

#[derive(Clone, Copy)]
struct Paths {
    collection: &'static str,
    item: &'static str,
    update: [&'static str; 2],
    usage: [&'static str; 2],
    configs: &'static str,
    config: &'static str,
}

const PATHS: Paths = Paths {
    collection: "/policies/authenticationStrengthPolicies",
    item: "/policies/authenticationStrengthPolicies/{id}",
    update: [
        "/policies/authenticationStrengthPolicies/{id}/updateAllowedCombinations",
        "/policies/authenticationStrengthPolicies/{id}/microsoft.graph.updateAllowedCombinations",
    ],
    usage: [
        "/policies/authenticationStrengthPolicies/{id}/usage",
        "/policies/authenticationStrengthPolicies/{id}/microsoft.graph.usage",
    ],
    configs: "/policies/authenticationStrengthPolicies/{id}/combinationConfigurations",
    config: "/policies/authenticationStrengthPolicies/{id}/combinationConfigurations/{configId}",
};

const ALIAS_PATHS: Paths = Paths {
    collection: "/identity/conditionalAccess/authenticationStrength/policies",
    item: "/identity/conditionalAccess/authenticationStrength/policies/{id}",
    update: [
        "/identity/conditionalAccess/authenticationStrength/policies/{id}/updateAllowedCombinations",
        "/identity/conditionalAccess/authenticationStrength/policies/{id}/microsoft.graph.updateAllowedCombinations",
    ],
    usage: [
        "/identity/conditionalAccess/authenticationStrength/policies/{id}/usage",
        "/identity/conditionalAccess/authenticationStrength/policies/{id}/microsoft.graph.usage",
    ],
    configs: "/identity/conditionalAccess/authenticationStrength/policies/{id}/combinationConfigurations",
    config: "/identity/conditionalAccess/authenticationStrength/policies/{id}/combinationConfigurations/{configId}",
};

fn entity_set(req: &GraphRequest) -> &'static str {
    let p = req.path.trim_start_matches('/');
    if p.len() >= 8 && p[..8].eq_ignore_ascii_case("identity") {
        ALIAS_ENTITY_SET
    } else {
        ENTITY_SET
    }
}

fn is_built_in(id: &str) -> bool {
    BUILT_IN_IDS.iter().any(|b| b.eq_ignore_ascii_case(id))
}

// ---------------------------------------------------------------------------------------------
// Combinations

/// One combination, canonical (`"password, sms"` -> `"password,sms"`, modes in declaration
/// order), or why it is not valid.
pub(crate) fn normalise_combination(raw: &str, unknown_members: bool) -> Result<String, String> {
    let mut idx = Vec::new();
    for part in raw.split(',') {
        let part = part.trim();
        if part.is_empty() {
            return Err(format!(
                "'{raw}' is not a valid authentication method combination: empty mode."
            ));
        }
        let Some(i) = MODES.iter().position(|m| m.eq_ignore_ascii_case(part)) else {
            return Err(format!(
                "'{part}' in combination '{raw}' is not a valid authenticationMethodModes value."
            ));
        };
        if MODES[i] == "unknownFutureValue" || (MODES[i] == "qrCodePin" && !unknown_members) {
            return Err(format!(
                "'{part}' in combination '{raw}' is not a valid authenticationMethodModes value."
            ));
        }
        if idx.contains(&i) {
            return Err(format!(
                "'{raw}' is not a valid authentication method combination: '{}' appears twice.",
                MODES[i]
            ));
        }
        idx.push(i);
    }
    idx.sort_unstable();
    let modes: Vec<&str> = idx.iter().map(|i| MODES[*i]).collect();
    let ok = match modes.as_slice() {
        [m] => ALONE.contains(m),
        ["password", second] => WITH_PASSWORD.contains(second),
        [second, "federatedSingleFactor"] => WITH_FEDERATED.contains(second),
        _ => false,
    };
    if !ok {
        let canonical = modes.join(",");
        return Err(match modes.as_slice() {
            [m] => format!(
                "The combination '{canonical}' is not valid: '{m}' is a second factor and is no sign-in method on its own. Combine it with a first factor, for example 'password,{m}'."
            ),
            _ => format!(
                "The combination '{canonical}' is not a supported authentication method combination."
            ),
        });
    }
    Ok(modes.join(","))
}

/// `allowedCombinations` of a write: a non-empty array of valid combinations, canonical,
/// repeated ones dropped.
pub(crate) fn normalise_combinations(
    v: &Value,
    unknown_members: bool,
) -> Result<Vec<String>, String> {
    let Some(items) = v.as_array() else {
        return Err("The 'allowedCombinations' property must be a collection of authentication method combinations.".into());
    };
    if items.is_empty() {
        return Err(
            "The 'allowedCombinations' property must contain at least one combination.".into(),
        );
    }
    let mut out: Vec<String> = Vec::new();
    for item in items {
        let Some(s) = item.as_str() else {
            return Err(format!(
                "Invalid value {item} in 'allowedCombinations': a string of authentication method modes was expected."
            ));
        };
        let c = normalise_combination(s, unknown_members)?;
        if !out.contains(&c) {
            out.push(c);
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// Rendering, lookup, references

/// Combinations as a client without `Prefer: include-unknown-enum-members` reads them: a mode
/// declared after `unknownFutureValue` (qrCodePin) reads as `unknownFutureValue`. Wherever a
/// strength's combinations are answered: the strength itself, a CA policy's expanded strength,
/// the updateAllowedCombinations result.
pub(crate) fn mask_combinations(combos: &mut [Value]) {
    for c in combos {
        if let Some(s) = c.as_str() {
            *c = json!(super::policies::schema::masked_flags(MODES, s));
        }
    }
}

/// Combinations as `req`'s client reads them ([`mask_combinations`]).
fn combinations_shown(combos: &[String], req: &GraphRequest) -> Value {
    let mut out: Vec<Value> = combos.iter().map(|c| json!(c)).collect();
    if !req.prefers_unknown_members() {
        mask_combinations(&mut out);
    }
    Value::Array(out)
}

/// A strength as `req`'s client reads it ([`mask_combinations`]).
fn shown(mut entity: Value, req: &GraphRequest) -> Value {
    if req.prefers_unknown_members() {
        return entity;
    }
    if let Some(Value::Array(combos)) = entity.get_mut("allowedCombinations") {
        mask_combinations(combos);
    }
    entity
}

/// A custom strength as Graph returns it (without OData annotations).
fn render_custom(id: &str, s: &Map<String, Value>) -> Value {
    let get = |k: &str| s.get(k).cloned().unwrap_or(Value::Null);
    json!({
        "id": id,
        "createdDateTime": get("createdDateTime"),
        "modifiedDateTime": get("modifiedDateTime"),
        "displayName": get("displayName"),
        "description": get("description"),
        "policyType": "custom",
        "requirementsSatisfied": s.get("requirementsSatisfied").cloned().unwrap_or(json!("mfa")),
        "allowedCombinations": s.get("allowedCombinations").cloned().unwrap_or(json!([])),
        "combinationConfigurations": s.get("combinationConfigurations").cloned().unwrap_or(json!([])),
    })
}

fn custom_key(store: &Store, id: &str) -> Option<String> {
    store
        .auth_strengths
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(id))
        .map(|(k, _)| k.clone())
}

/// The custom strength with this id (case-insensitive), rendered; used by
/// [`strengths::lookup`] so CA policies can reference and expand custom strengths.
pub(crate) fn custom(store: &Store, id: &str) -> Option<Value> {
    let key = custom_key(store, id)?;
    store
        .auth_strengths
        .get(&key)
        .map(|s| render_custom(&key, &s.value))
}

/// Ids of the custom strengths in the store.
pub(crate) fn custom_ids(store: &Store) -> Vec<String> {
    store
        .auth_strengths
        .iter()
        .map(|(k, _)| k.clone())
        .collect()
}

/// Ids of CA policies whose `grantControls.authenticationStrength.id` is `id`.
pub(crate) fn policies_referencing(store: &Store, id: &str) -> Vec<String> {
    store
        .ca_policies
        .iter()
        .filter(|(_, p)| {
            p.value
                .get("grantControls")
                .and_then(|g| g.get("authenticationStrength"))
                .and_then(|s| s.get("id"))
                .and_then(Value::as_str)
                .is_some_and(|s| s.eq_ignore_ascii_case(id))
        })
        .map(|(id, _)| id.clone())
        .collect()
}

fn configs_context(state: &SimState, req: &GraphRequest, id: &str) -> String {
    req.context_url(
        state,
        &format!("{}('{id}')/combinationConfigurations", entity_set(req)),
    )
}

/// The strength for a response: `combinationConfigurations@odata.context` before
/// `combinationConfigurations`, `$select` applied.
fn api_entity(state: &SimState, req: &GraphRequest, v: Value) -> Value {
    let Value::Object(m) = v else { return v };
    let id = m
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let mut out = Map::new();
    for (k, v) in m {
        if k == "combinationConfigurations" {
            out.insert(
                "combinationConfigurations@odata.context".into(),
                json!(configs_context(state, req, &id)),
            );
        }
        out.insert(k, v);
    }
    odata::apply_select(req, Value::Object(out))
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
        json!(req.context_url(state, &format!("{}/$entity", entity_set(req)))),
    );
    if let Value::Object(m) = api_entity(state, req, entity) {
        body.extend(m);
    }
    GraphResponse::json(status, Value::Object(body))
}

fn not_found(req: &GraphRequest, id: &str) -> GraphResponse {
    req.error(
        StatusCode::NOT_FOUND,
        "ResourceNotFound",
        &format!("AuthenticationStrengthPolicy with id {id} does not exist in the directory."),
    )
}

fn built_in_refusal(req: &GraphRequest, id: &str, what: &str) -> GraphResponse {
    req.bad_request(&format!(
        "Authentication strength policy {id} is a built-in policy; built-in authentication strength policies cannot be {what}."
    ))
}

fn now() -> Value {
    json!(crate::time_fmt::graph(crate::time_fmt::now()))
}

fn body(req: &GraphRequest) -> Result<Map<String, Value>, GraphResponse> {
    match req.json_object() {
        Ok(Some(b)) => Ok(b),
        Ok(None) => Err(req.bad_request("Empty Payload. JSON content expected.")),
        Err(e) => Err(e),
    }
}

fn unknown_property(k: &str, type_name: &str) -> String {
    format!(
        "The property '{k}' does not exist on type '{type_name}'. Make sure to only use property names that are defined by the type or mark the type as open type."
    )
}

/// `displayName` / `description` of a write.
fn check_text(k: &str, v: &Value) -> Result<(), String> {
    match (k, v) {
        ("displayName", Value::String(s)) if s.trim().is_empty() => {
            Err("The 'displayName' property cannot be empty.".into())
        }
        ("displayName", Value::String(_)) | ("description", Value::String(_) | Value::Null) => {
            Ok(())
        }
        _ => Err(format!(
            "Invalid value {v} for '{k}': a string was expected."
        )),
    }
}

// ---------------------------------------------------------------------------------------------
// Strength handlers

fn list(state: &SimState, req: &GraphRequest, _: &Params) -> GraphResponse {
    let mut items: Vec<Value> = BUILT_IN_IDS
        .iter()
        .filter_map(|id| strengths::built_in(id))
        .collect();
    {
        let store = state.store.locked();
        items.extend(
            store
                .auth_strengths
                .iter()
                .filter(|(_, s)| s.visible(state.consistency_lag()))
                .map(|(id, s)| render_custom(id, &s.value)),
        );
    }
    let items: Vec<Value> = items.into_iter().map(|i| shown(i, req)).collect();
    let items = match req.q("$filter") {
        None => items,
        Some(f) => match odata::parse_filter(f, &["policyType", "displayName", "id"], TYPE_NAME) {
            Ok(clauses) => items
                .into_iter()
                .filter(|i| odata::matches_filter(i, &clauses))
                .collect(),
            Err(m) => return req.bad_request(&m),
        },
    };
    // `apply_select` in `collection` runs again on the annotated items; it keeps annotations.
    let items = items
        .into_iter()
        .map(|i| api_entity(state, req, i))
        .collect();
    odata::collection(state, req, entity_set(req), items)
}

fn get(state: &SimState, req: &GraphRequest, p: &Params) -> GraphResponse {
    let id = p.get("id");
    let found = if is_built_in(id) {
        strengths::built_in(&id.to_ascii_lowercase())
    } else {
        let store = state.store.locked();
        custom_key(&store, id).and_then(|k| {
            store
                .auth_strengths
                .get(&k)
                .filter(|s| s.visible(state.consistency_lag()))
                .map(|s| render_custom(&k, &s.value))
        })
    }
    .map(|found| shown(found, req));
    match found {
        Some(v) => entity_response(state, req, StatusCode::OK, v),
        None => not_found(req, id),
    }
}

/// A new custom strength from a POST body (or a seed file). Timestamps are not set here.
fn new_strength(
    b: &Map<String, Value>,
    unknown_members: bool,
) -> Result<Map<String, Value>, String> {
    let mut m = Map::new();
    let mut combos = None;
    let mut configs = Vec::new();
    for (k, v) in b {
        if k.contains('@') {
            continue;
        }
        match k.as_str() {
            // Read-only: ignored.
            "id"
            | "createdDateTime"
            | "modifiedDateTime"
            | "policyType"
            | "requirementsSatisfied" => {}
            "displayName" | "description" => {
                check_text(k, v)?;
                m.insert(k.clone(), v.clone());
            }
            "allowedCombinations" => combos = Some(normalise_combinations(v, unknown_members)?),
            "combinationConfigurations" => match v {
                Value::Array(items) => configs = items.clone(),
                Value::Null => {}
                _ => {
                    return Err(
                        "The 'combinationConfigurations' property must be a collection.".into(),
                    )
                }
            },
            _ => return Err(unknown_property(k, TYPE_NAME)),
        }
    }
    if !m.get("displayName").is_some_and(Value::is_string) {
        return Err("The 'displayName' property is required.".into());
    }
    let Some(combos) = combos else {
        return Err("The 'allowedCombinations' property is required.".into());
    };
    m.entry("description").or_insert(Value::Null);
    m.insert("policyType".into(), json!("custom"));
    m.insert("requirementsSatisfied".into(), json!("mfa"));
    m.insert("allowedCombinations".into(), json!(combos));
    let mut stored_configs: Vec<Value> = Vec::new();
    for c in configs {
        let Value::Object(c) = c else {
            return Err("Each combination configuration must be an object.".into());
        };
        let config = new_config(&c, &combos, &stored_configs, None)?;
        stored_configs.push(Value::Object(config));
    }
    m.insert("combinationConfigurations".into(), json!(stored_configs));
    Ok(m)
}

fn create(state: &SimState, req: &GraphRequest, _: &Params) -> GraphResponse {
    let b = match body(req) {
        Ok(b) => b,
        Err(e) => return e,
    };
    if let Some(t) = b.get("@odata.type").and_then(Value::as_str) {
        if !t
            .trim_start_matches('#')
            .trim_start_matches("microsoft.graph.")
            .eq_ignore_ascii_case("authenticationStrengthPolicy")
        {
            return req.bad_request(&format!(
                "Invalid '@odata.type' '{t}': expected '#{TYPE_NAME}'."
            ));
        }
    }
    let mut m = match new_strength(&b, req.prefers_unknown_members()) {
        Ok(m) => m,
        Err(msg) => return req.bad_request(&msg),
    };
    let mut store = state.store.locked();
    if store.auth_strengths.len() >= MAX_CUSTOM {
        return req.bad_request(&format!(
            "The tenant already has the maximum of {MAX_CUSTOM} custom authentication strength policies. Delete one before creating another."
        ));
    }
    let t = now();
    m.insert("createdDateTime".into(), t.clone());
    m.insert("modifiedDateTime".into(), t);
    let id = uuid::Uuid::new_v4().to_string();
    let entity = shown(render_custom(&id, &m), req);
    store
        .auth_strengths
        .insert(id.clone(), Stored::created_now(m));
    drop(store);
    let location = format!("{}/{}/{}", req.base_url(state), entity_set(req), id);
    entity_response(state, req, StatusCode::CREATED, entity).with_header("Location", location)
}

fn patch(state: &SimState, req: &GraphRequest, p: &Params) -> GraphResponse {
    let id = p.get("id");
    if is_built_in(id) {
        return built_in_refusal(req, id, "updated");
    }
    let b = match body(req) {
        Ok(b) => b,
        Err(e) => return e,
    };
    let mut changes = Map::new();
    for (k, v) in &b {
        if k.contains('@') {
            continue;
        }
        match k.as_str() {
            "id" | "createdDateTime" | "modifiedDateTime" | "policyType"
            | "requirementsSatisfied" => {}
            "displayName" | "description" => {
                if let Err(m) = check_text(k, v) {
                    return req.bad_request(&m);
                }
                changes.insert(k.clone(), v.clone());
            }
            "allowedCombinations" => {
                return req.bad_request(
                    "The 'allowedCombinations' property cannot be updated with PATCH. Use the updateAllowedCombinations action.",
                )
            }
            "combinationConfigurations" => {
                return req.bad_request(
                    "The 'combinationConfigurations' cannot be updated with PATCH on the policy. Use the combinationConfigurations collection.",
                )
            }
            _ => return req.bad_request(&unknown_property(k, TYPE_NAME)),
        }
    }
    let mut store = state.store.locked();
    let Some(key) = custom_key(&store, id) else {
        return not_found(req, id);
    };
    if let Some(slot) = store.auth_strengths.get_mut(&key) {
        slot.value.extend(changes);
        slot.value.insert("modifiedDateTime".into(), now());
    }
    GraphResponse::no_content()
}

fn delete(state: &SimState, req: &GraphRequest, p: &Params) -> GraphResponse {
    let id = p.get("id");
    if is_built_in(id) {
        return built_in_refusal(req, id, "deleted");
    }
    let mut store = state.store.locked();
    let Some(key) = custom_key(&store, id) else {
        return not_found(req, id);
    };
    let users = policies_referencing(&store, &key);
    if !users.is_empty() {
        return req.bad_request(&format!(
            "Authentication strength policy {key} is used by Conditional Access policies ({}) and cannot be deleted. Remove it from those policies first.",
            users.join(", ")
        ));
    }
    store.auth_strengths.remove(&key);
    GraphResponse::no_content()
}

fn update_allowed_combinations(state: &SimState, req: &GraphRequest, p: &Params) -> GraphResponse {
    let id = p.get("id");
    if is_built_in(id) {
        return built_in_refusal(req, id, "updated");
    }
    let b = match body(req) {
        Ok(b) => b,
        Err(e) => return e,
    };
    for k in b.keys() {
        if k != "allowedCombinations" && !k.contains('@') {
            return req.bad_request(&format!(
                "The parameter '{k}' in the request payload is not a valid parameter for the operation 'updateAllowedCombinations'."
            ));
        }
    }
    let Some(v) = b.get("allowedCombinations") else {
        return req.bad_request("The 'allowedCombinations' parameter is required.");
    };
    let current = match normalise_combinations(v, req.prefers_unknown_members()) {
        Ok(c) => c,
        Err(m) => return req.bad_request(&m),
    };
    let mut store = state.store.locked();
    let Some(key) = custom_key(&store, id) else {
        return not_found(req, id);
    };
    let refs = policies_referencing(&store, &key);
    let Some(slot) = store.auth_strengths.get_mut(&key) else {
        return not_found(req, id);
    };
    let previous: Vec<String> = slot
        .value
        .get("allowedCombinations")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    let name = slot
        .value
        .get("displayName")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    slot.value
        .insert("allowedCombinations".into(), json!(current));
    slot.value.insert("modifiedDateTime".into(), now());
    drop(store);
    let changed = previous.iter().any(|c| !current.contains(c))
        || current.iter().any(|c| !previous.contains(c));
    // Graph's text (authenticationstrengthpolicy-updateallowedcombinations.md), which the docs
    // show for a change that removed a combination while CA policies reference the strength.
    let info = if changed && !refs.is_empty() {
        json!(format!(
            "You have lowered the security of the {name} authentication strength by adding a lower security combination. This Authentication Strength is referenced by one or more Conditional Access policies. Review conditionalAccessReferences to understand which Conditional Access policies were impacted by this change. To reverse your changes back, use updateAllowedCombinations action with the previousCombinations values."
        ))
    } else {
        Value::Null
    };
    GraphResponse::json(
        StatusCode::OK,
        json!({
            "@odata.context": req.context_url(state, "microsoft.graph.updateAllowedCombinationsResult"),
            "@odata.type": "#microsoft.graph.updateAllowedCombinationsResult",
            "previousCombinations": combinations_shown(&previous, req),
            "currentCombinations": combinations_shown(&current, req),
            "conditionalAccessReferences": refs,
            "additionalInformation": info,
        }),
    )
}

fn usage(state: &SimState, req: &GraphRequest, p: &Params) -> GraphResponse {
    let id = p.get("id");
    let store = state.store.locked();
    let exists = is_built_in(id) || custom_key(&store, id).is_some();
    if !exists {
        drop(store);
        return not_found(req, id);
    }
    let rc = ca_render::RenderCtx {
        beta: req.version.eq_ignore_ascii_case("beta"),
        store: &store,
        base_url: req.base_url(state),
        entity_set: "identity/conditionalAccess/policies",
        unknown_members: req.prefers_unknown_members(),
    };
    let policies: Vec<Value> = policies_referencing(&store, id)
        .iter()
        .filter_map(|pid| {
            store
                .ca_policies
                .get(pid)
                .map(|s| Value::Object(ca_render::render(pid, s, &rc)))
        })
        .collect();
    drop(store);
    GraphResponse::json(
        StatusCode::OK,
        json!({
            "@odata.context": req.context_url(state, "microsoft.graph.authenticationStrengthUsage"),
            "mfa": policies,
            "none": [],
        }),
    )
}

// ---------------------------------------------------------------------------------------------
// combinationConfigurations

/// Check a configuration write. `policy_combos` are the strength's allowedCombinations, `others`
/// its other configurations, `existing` the configuration being PATCHed. Returns the stored form
/// (`@odata.type`, `id`, type properties, `appliesToCombinations`).
fn new_config(
    b: &Map<String, Value>,
    policy_combos: &[String],
    others: &[Value],
    existing: Option<&Map<String, Value>>,
) -> Result<Map<String, Value>, String> {
    let given_type = b.get("@odata.type").map(|t| t.as_str().unwrap_or_default());
    let ty = match (given_type, existing) {
        (None, None) => {
            return Err(format!(
                "The '@odata.type' property is required: '{FIDO2_CONFIG_TYPE}' or '{X509_CONFIG_TYPE}'."
            ))
        }
        (None, Some(e)) => e
            .get("@odata.type")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
        (Some(t), _) => {
            let bare = t.trim_start_matches('#');
            let Some(ty) = [FIDO2_CONFIG_TYPE, X509_CONFIG_TYPE]
                .into_iter()
                .find(|k| k.trim_start_matches('#').eq_ignore_ascii_case(bare))
            else {
                return Err(format!(
                    "Invalid '@odata.type' '{t}': expected '{FIDO2_CONFIG_TYPE}' or '{X509_CONFIG_TYPE}'."
                ));
            };
            if let Some(e) = existing {
                if e.get("@odata.type").and_then(Value::as_str) != Some(ty) {
                    return Err("The type of a combination configuration cannot be changed.".into());
                }
            }
            ty.to_string()
        }
    };
    let fido2 = ty == FIDO2_CONFIG_TYPE;
    let type_name = ty.trim_start_matches('#').to_string();
    let mut out = Map::new();
    out.insert("@odata.type".into(), json!(ty));
    let id = existing
        .and_then(|e| e.get("id").cloned())
        .unwrap_or_else(|| json!(uuid::Uuid::new_v4().to_string()));
    out.insert("id".into(), id.clone());
    let list_fields: &[&str] = if fido2 {
        &["allowedAAGUIDs"]
    } else {
        &["allowedIssuerSkis", "allowedPolicyOIDs"]
    };
    for f in list_fields {
        let v = b
            .get(*f)
            .or_else(|| existing.and_then(|e| e.get(*f)))
            .cloned()
            .unwrap_or(json!([]));
        let Some(items) = v.as_array() else {
            return Err(format!(
                "The '{f}' property must be a collection of strings."
            ));
        };
        for item in items {
            let Some(s) = item.as_str() else {
                return Err(format!(
                    "Invalid value {item} in '{f}': a string was expected."
                ));
            };
            let ok = match *f {
                "allowedAAGUIDs" => uuid::Uuid::parse_str(s).is_ok(),
                "allowedPolicyOIDs" => {
                    s.split('.').count() >= 2
                        && s.split('.')
                            .all(|p| !p.is_empty() && p.bytes().all(|c| c.is_ascii_digit()))
                }
                _ => !s.trim().is_empty(),
            };
            if !ok {
                return Err(format!("'{s}' is not a valid value for '{f}'."));
            }
        }
        out.insert((*f).into(), v);
    }
    let applies = match b
        .get("appliesToCombinations")
        .or_else(|| existing.and_then(|e| e.get("appliesToCombinations")))
    {
        None => return Err("The 'appliesToCombinations' property is required.".into()),
        Some(v) => normalise_combinations(v, true)?,
    };
    for c in &applies {
        let fits = if fido2 {
            c == "fido2"
        } else {
            c.contains("x509Certificate")
        };
        if !fits {
            return Err(format!(
                "The combination '{c}' cannot be configured with '{type_name}'."
            ));
        }
        if !policy_combos.contains(c) {
            return Err(format!(
                "The combination '{c}' is not in the allowedCombinations of this authentication strength policy."
            ));
        }
        let taken = others.iter().any(|o| {
            o.get("id") != Some(&id)
                && o.get("appliesToCombinations")
                    .and_then(Value::as_array)
                    .is_some_and(|a| a.iter().any(|x| x.as_str() == Some(c)))
        });
        if taken {
            return Err(format!(
                "The combination '{c}' already has a combination configuration in this authentication strength policy."
            ));
        }
    }
    out.insert("appliesToCombinations".into(), json!(applies));
    for k in b.keys() {
        let known = k.contains('@')
            || k == "id"
            || k == "appliesToCombinations"
            || list_fields.contains(&k.as_str());
        if !known {
            return Err(unknown_property(k, &type_name));
        }
    }
    Ok(out)
}

fn configs_of(s: &Stored) -> Vec<Value> {
    s.value
        .get("combinationConfigurations")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

fn combos_of(s: &Stored) -> Vec<String> {
    s.value
        .get("allowedCombinations")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

fn config_not_found(req: &GraphRequest, id: &str) -> GraphResponse {
    req.error(
        StatusCode::NOT_FOUND,
        "ResourceNotFound",
        &format!(
            "AuthenticationCombinationConfiguration with id {id} does not exist in the directory."
        ),
    )
}

fn list_configs(state: &SimState, req: &GraphRequest, p: &Params) -> GraphResponse {
    let id = p.get("id");
    let configs = if is_built_in(id) {
        Vec::new()
    } else {
        let store = state.store.locked();
        match custom_key(&store, id).and_then(|k| store.auth_strengths.get(&k).map(configs_of)) {
            Some(c) => c,
            None => return not_found(req, id),
        }
    };
    odata::collection(
        state,
        req,
        &format!("{}('{id}')/combinationConfigurations", entity_set(req)),
        configs,
    )
}

fn get_config(state: &SimState, req: &GraphRequest, p: &Params) -> GraphResponse {
    let (id, cid) = (p.get("id"), p.get("configId"));
    if is_built_in(id) {
        return config_not_found(req, cid);
    }
    let store = state.store.locked();
    let Some(s) = custom_key(&store, id).and_then(|k| store.auth_strengths.get(&k)) else {
        return not_found(req, id);
    };
    let Some(c) = configs_of(s)
        .into_iter()
        .find(|c| c.get("id").and_then(Value::as_str) == Some(cid))
    else {
        return config_not_found(req, cid);
    };
    drop(store);
    config_response(state, req, id, StatusCode::OK, c)
}

fn config_response(
    state: &SimState,
    req: &GraphRequest,
    id: &str,
    status: StatusCode,
    c: Value,
) -> GraphResponse {
    let mut body = Map::new();
    body.insert(
        "@odata.context".into(),
        json!(req.context_url(
            state,
            &format!(
                "{}('{id}')/combinationConfigurations/$entity",
                entity_set(req)
            )
        )),
    );
    if let Value::Object(m) = odata::apply_select(req, c) {
        body.extend(m);
    }
    GraphResponse::json(status, Value::Object(body))
}

fn create_config(state: &SimState, req: &GraphRequest, p: &Params) -> GraphResponse {
    let id = p.get("id");
    if is_built_in(id) {
        return req.bad_request(&format!(
            "Authentication strength policy {id} is a built-in policy; combination configurations can only be added to custom authentication strength policies."
        ));
    }
    let b = match body(req) {
        Ok(b) => b,
        Err(e) => return e,
    };
    let mut store = state.store.locked();
    let Some(key) = custom_key(&store, id) else {
        return not_found(req, id);
    };
    let Some(slot) = store.auth_strengths.get_mut(&key) else {
        return not_found(req, id);
    };
    let mut configs = configs_of(slot);
    let config = match new_config(&b, &combos_of(slot), &configs, None) {
        Ok(c) => Value::Object(c),
        Err(m) => return req.bad_request(&m),
    };
    configs.push(config.clone());
    slot.value
        .insert("combinationConfigurations".into(), json!(configs));
    slot.value.insert("modifiedDateTime".into(), now());
    drop(store);
    config_response(state, req, &key, StatusCode::CREATED, config)
}

fn patch_config(state: &SimState, req: &GraphRequest, p: &Params) -> GraphResponse {
    let (id, cid) = (p.get("id"), p.get("configId"));
    if is_built_in(id) {
        return built_in_refusal(req, id, "updated");
    }
    let b = match body(req) {
        Ok(b) => b,
        Err(e) => return e,
    };
    let mut store = state.store.locked();
    let Some(key) = custom_key(&store, id) else {
        return not_found(req, id);
    };
    let Some(slot) = store.auth_strengths.get_mut(&key) else {
        return not_found(req, id);
    };
    let mut configs = configs_of(slot);
    let Some(pos) = configs
        .iter()
        .position(|c| c.get("id").and_then(Value::as_str) == Some(cid))
    else {
        return config_not_found(req, cid);
    };
    let existing = configs[pos].as_object().cloned().unwrap_or_default();
    let updated = match new_config(&b, &combos_of(slot), &configs, Some(&existing)) {
        Ok(c) => c,
        Err(m) => return req.bad_request(&m),
    };
    configs[pos] = Value::Object(updated);
    slot.value
        .insert("combinationConfigurations".into(), json!(configs));
    slot.value.insert("modifiedDateTime".into(), now());
    GraphResponse::no_content()
}

fn delete_config(state: &SimState, req: &GraphRequest, p: &Params) -> GraphResponse {
    let (id, cid) = (p.get("id"), p.get("configId"));
    if is_built_in(id) {
        return built_in_refusal(req, id, "updated");
    }
    let mut store = state.store.locked();
    let Some(key) = custom_key(&store, id) else {
        return not_found(req, id);
    };
    let Some(slot) = store.auth_strengths.get_mut(&key) else {
        return not_found(req, id);
    };
    let mut configs = configs_of(slot);
    let before = configs.len();
    configs.retain(|c| c.get("id").and_then(Value::as_str) != Some(cid));
    if configs.len() == before {
        return config_not_found(req, cid);
    }
    slot.value
        .insert("combinationConfigurations".into(), json!(configs));
    slot.value.insert("modifiedDateTime".into(), now());
    GraphResponse::no_content()
}

// ---------------------------------------------------------------------------------------------
// Seeding

/// Load one corpus object (`--seed DIR/auth-strengths/*.json`) as a custom strength. Skipped
/// (returns false): built-in ids (the built-ins are fixed in code; the corpus holds doc-era and
/// older variants of them), objects without `id` (request bodies; the corpus pairs them with
/// their responses) and objects without `allowedCombinations` (e.g. a combination
/// configuration response). Ids, timestamps and configurations are kept; combinations are
/// normalised (`"password, sms"` -> `"password,sms"`).
pub(crate) fn seed(store: &mut Store, obj: &Map<String, Value>) -> Result<bool, String> {
    let Some(id) = obj.get("id").and_then(Value::as_str) else {
        return Ok(false);
    };
    if is_built_in(id) || !obj.contains_key("allowedCombinations") {
        return Ok(false);
    }
    let mut m = new_strength(obj, true)?;
    if let Some(Value::Array(configs)) = obj.get("combinationConfigurations") {
        // Keep the configurations' own ids.
        if let Some(Value::Array(stored)) = m.get_mut("combinationConfigurations") {
            for (s, c) in stored.iter_mut().zip(configs) {
                if let (Some(cid), Some(so)) = (c.get("id"), s.as_object_mut()) {
                    so.insert("id".into(), cid.clone());
                }
            }
        }
    }
    for k in ["createdDateTime", "modifiedDateTime"] {
        let v = obj
            .get(k)
            .filter(|v| v.is_string())
            .cloned()
            .unwrap_or_else(now);
        m.insert(k.into(), v);
    }
    let key = custom_key(store, id).unwrap_or_else(|| id.to_string());
    store.auth_strengths.insert(key, Stored::seeded(m));
    Ok(true)
}
