//! namedLocation: ipNamedLocation, countryNamedLocation, beta's privateLinkNamedLocation and
//! serviceTagNamedLocation, and beta's system compliantNetworkNamedLocation (graph-api.md §4,
//! §10, §11 item 4; graph-metadata.json).
//!
//! * `GET` collection (polymorphic items with `@odata.type`; `$filter` on displayName/id `eq`,
//!   `$top` paging, `$select`), `GET {id}` (404 `ResourceNotFound` "NamedLocation with id {id}
//!   does not exist in the directory."), `POST` (201 + entity), `PATCH {id}` (204, merge: given
//!   properties replace the stored ones, `ipRanges` as a whole), `DELETE {id}` (204).
//! * `@odata.type` of the derived type is required on POST and PATCH (PATCH cannot change it),
//!   and on every `ipRanges` element. The element type is re-derived from the address: azuread
//!   sends `iPv4CidrRange` for IPv6 CIDRs and reads back `iPv6CidrRange`. `cidrAddress` is
//!   echoed verbatim (host bits may be set, as in the docs sample).
//! * CIDR rules: `address/prefix` required; "only CIDR masks greater than /8 are allowed" [E], so
//!   the simulator accepts IPv4 /9../32 and IPv6 /9../128 (a third-party summary says /8 is
//!   allowed; we follow Microsoft's "greater than"). Private ranges are accepted (only an older
//!   Entra page forbids them). At most 2000 ranges per location, at least one.
//! * Address ranges (`iPv4Range` / `iPv6Range`, `lowerAddress` + `upperAddress`): older tools
//!   left them in tenants and Graph returns them as stored, but writes take CIDR ranges only;
//!   only a seed file can hold them (`body::check_ip_range`).
//! * Country locations: `countriesAndRegions` = ISO 3166-1 alpha-2 codes, upper case, checked
//!   against the full list ([`COUNTRY_CODES`]); may be empty only with
//!   `includeUnknownCountriesAndRegions: true`. `countryLookupMethod` `clientIpAddress`
//!   (default) | `authenticatorAppGps`. `isTrusted` does not exist on the type (400).
//! * Private link (`privateLinkResourcePolicyIds`) and service tag (`serviceTags`) locations,
//!   each with `isTrusted`: beta only. Their documentation is a stub (no descriptions, no rules)
//!   and the metadata's property types are inferred; they are created like the other kinds,
//!   through the polymorphic collection, and their string collection needs at least one value
//!   [U]. How v1.0 treats them is not documented: as for the compliant network location, v1.0
//!   neither lists nor finds them (404), and a v1.0 body naming their type gets OData's
//!   "could not be resolved by the model" 400 [U].
//! * At most 195 named locations per tenant (the system location does not count).
//! * DELETE is refused (400) for a trusted location (PATCH `isTrusted: false` first; documented
//!   for IP locations, assumed for the other kinds with `isTrusted` [U]) and for a location that
//!   a CA policy names in `conditions.locations` (the policy ids are listed).
//! * `00000000-0000-0000-0000-000000000000` ("Multifactor authentication trusted IPs") is not a
//!   named location (GET 404) but CA policies may use it, like `All` / `AllTrusted`
//!   ([`valid_policy_reference`]).
//! * The system `compliantNetworkNamedLocation` "All Compliant Network locations" exists in
//!   every simulated tenant but only beta knows its type: beta lists and GETs it, v1.0 neither.
//!   It cannot be created, changed or deleted.
//! * The per-tenant CA rate limit (shared with CA policies, no Retry-After) is applied by the
//!   pipeline (`throttle::CA_PREFIXES` has this path).

mod body;

use super::{odata, GraphRequest, GraphResponse, Params, Route};
use crate::state::SimState;
use crate::store::{Store, Stored};
use crate::Locked;
use axum::http::{Method, StatusCode};
use body::{body_kind, check_entity, check_props, new_location, Writer};
pub use body::{COUNTRY_CODES, COUNTRY_LOOKUP_METHODS};
use serde_json::{json, Map, Value};

const COLLECTION: &str = "/identity/conditionalAccess/namedLocations";
const ITEM: &str = "/identity/conditionalAccess/namedLocations/{id}";
const FRAGMENT: &str = "identity/conditionalAccess/namedLocations";
const BASE_TYPE: &str = "microsoft.graph.namedLocation";

pub(crate) const IP_TYPE: &str = "#microsoft.graph.ipNamedLocation";
pub(crate) const COUNTRY_TYPE: &str = "#microsoft.graph.countryNamedLocation";
pub(crate) const PRIVATE_LINK_TYPE: &str = "#microsoft.graph.privateLinkNamedLocation";
pub(crate) const SERVICE_TAG_TYPE: &str = "#microsoft.graph.serviceTagNamedLocation";
pub(crate) const COMPLIANT_NETWORK_TYPE: &str = "#microsoft.graph.compliantNetworkNamedLocation";
pub(crate) const IPV4_RANGE_TYPE: &str = "#microsoft.graph.iPv4CidrRange";
pub(crate) const IPV6_RANGE_TYPE: &str = "#microsoft.graph.iPv6CidrRange";
pub(crate) const IPV4_ADDRESS_RANGE_TYPE: &str = "#microsoft.graph.iPv4Range";
pub(crate) const IPV6_ADDRESS_RANGE_TYPE: &str = "#microsoft.graph.iPv6Range";

/// Graph caps named locations per tenant (graph-api.md §4).
pub(crate) const MAX_LOCATIONS: usize = 195;
/// Graph caps IP ranges per location (graph-api.md §4).
pub(crate) const MAX_IP_RANGES: usize = 2000;
/// Smallest prefix length accepted ("greater than /8").
pub(crate) const MIN_PREFIX: u8 = 9;

/// "Multifactor authentication trusted IPs": valid in CA policies, not a named location.
pub(crate) const MFA_TRUSTED_IPS: &str = "00000000-0000-0000-0000-000000000000";
/// Location keywords CA policies may use besides ids.
pub(crate) const KEYWORDS: &[&str] = &["All", "AllTrusted"];

/// The system "All Compliant Network locations" (id and timestamps from a real beta export,
/// graph-examples/namedlocation-compliantnetwork.get.beta-real.json).
pub(crate) const COMPLIANT_NETWORK_ID: &str = "3d46dbda-8382-466a-856d-eb00cbc6b910";

pub(crate) fn routes() -> Vec<Route> {
    vec![
        Route::new(Method::GET, COLLECTION, list),
        Route::new(Method::POST, COLLECTION, create),
        Route::new(Method::GET, ITEM, get),
        Route::new(Method::PATCH, ITEM, patch),
        Route::new(Method::DELETE, ITEM, delete),
    ]
}

/// The kinds a tenant stores (the system compliant network location is not stored).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Ip,
    Country,
    PrivateLink,
    ServiceTag,
}

impl Kind {
    const ALL: [Kind; 4] = [Kind::Ip, Kind::Country, Kind::PrivateLink, Kind::ServiceTag];

    fn odata_type(self) -> &'static str {
        match self {
            Kind::Ip => IP_TYPE,
            Kind::Country => COUNTRY_TYPE,
            Kind::PrivateLink => PRIVATE_LINK_TYPE,
            Kind::ServiceTag => SERVICE_TAG_TYPE,
        }
    }

    fn type_name(self) -> &'static str {
        self.odata_type().trim_start_matches('#')
    }

    fn of(stored: &Map<String, Value>) -> Option<Kind> {
        let t = stored.get("@odata.type").and_then(Value::as_str)?;
        Kind::ALL.into_iter().find(|k| k.odata_type() == t)
    }

    /// Only beta's metadata has the type.
    fn beta_only(self) -> bool {
        matches!(self, Kind::PrivateLink | Kind::ServiceTag)
    }

    /// The type has `isTrusted` (country locations do not).
    fn has_trust(self) -> bool {
        self != Kind::Country
    }

    /// The string collection a beta kind holds.
    fn collection(self) -> Option<&'static str> {
        match self {
            Kind::PrivateLink => Some("privateLinkResourcePolicyIds"),
            Kind::ServiceTag => Some("serviceTags"),
            Kind::Ip | Kind::Country => None,
        }
    }
}

/// Whether a request of this version sees a stored location: v1.0 does not know beta's types.
fn visible_to(req: &GraphRequest, stored: &Map<String, Value>) -> bool {
    is_beta(req) || !Kind::of(stored).is_some_and(Kind::beta_only)
}

fn writer(req: &GraphRequest) -> Writer {
    if is_beta(req) {
        Writer::Beta
    } else {
        Writer::V1
    }
}

fn is_beta(req: &GraphRequest) -> bool {
    req.version.eq_ignore_ascii_case("beta")
}

/// `#microsoft.graph.X` / `microsoft.graph.X`, case-insensitive, to the canonical `#...` form
/// among `known`.
fn canonical_type(given: &str, known: &[&'static str]) -> Option<&'static str> {
    let bare = given.trim_start_matches('#');
    known
        .iter()
        .find(|k| k.trim_start_matches('#').eq_ignore_ascii_case(bare))
        .copied()
}

// ---------------------------------------------------------------------------------------------
// The system location, ids, references

fn compliant_network() -> Map<String, Value> {
    match json!({
        "@odata.type": COMPLIANT_NETWORK_TYPE,
        "displayName": "All Compliant Network locations",
        "modifiedDateTime": "2026-06-11T09:02:44.607658Z",
        "createdDateTime": "2024-05-24T09:26:15.7805598Z",
        "compliantNetworkType": "allTenantCompliantNetworks",
        "isTrusted": true,
    }) {
        Value::Object(m) => m,
        _ => unreachable!(),
    }
}

fn is_system(id: &str) -> bool {
    id.eq_ignore_ascii_case(COMPLIANT_NETWORK_ID)
}

/// The stored id matching `id` (GUIDs compare case-insensitively).
fn stored_id(store: &Store, id: &str) -> Option<String> {
    store
        .named_locations
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(id))
        .map(|(k, _)| k.clone())
}

/// The stored id matching `id` among the locations this request's version sees.
fn key_for(store: &Store, req: &GraphRequest, id: &str) -> Option<String> {
    stored_id(store, id).filter(|k| {
        store
            .named_locations
            .get(k)
            .is_some_and(|s| visible_to(req, &s.value))
    })
}

/// A named location with this id exists in the tenant (including the system one).
pub(crate) fn exists(store: &Store, id: &str) -> bool {
    is_system(id) || stored_id(store, id).is_some()
}

/// What `conditions.locations.include/excludeLocations` may contain: `All`, `AllTrusted`,
/// the MFA trusted IPs id, or an existing named location.
pub(crate) fn valid_policy_reference(store: &Store, id: &str) -> bool {
    KEYWORDS.iter().any(|k| k.eq_ignore_ascii_case(id))
        || id.eq_ignore_ascii_case(MFA_TRUSTED_IPS)
        || exists(store, id)
}

/// Ids of CA policies whose `conditions.locations` include or exclude location `id`.
pub(crate) fn policies_referencing(store: &Store, id: &str) -> Vec<String> {
    store
        .ca_policies
        .iter()
        .filter(|(_, p)| {
            let loc = p.value.get("conditions").and_then(|c| c.get("locations"));
            ["includeLocations", "excludeLocations"].iter().any(|k| {
                loc.and_then(|l| l.get(*k))
                    .and_then(Value::as_array)
                    .is_some_and(|a| {
                        a.iter()
                            .any(|v| v.as_str().is_some_and(|s| s.eq_ignore_ascii_case(id)))
                    })
            })
        })
        .map(|(id, _)| id.clone())
        .collect()
}

/// Ids of the named locations in the store (API-created and seeded; not the system one).
pub(crate) fn ids(store: &Store) -> Vec<String> {
    store
        .named_locations
        .iter()
        .map(|(k, _)| k.clone())
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Rendering

/// The entity as Graph returns it at minimal metadata, defaults filled. Beta adds
/// `deletedDateTime` (soft delete).
pub(crate) fn render(id: &str, s: &Map<String, Value>, beta: bool) -> Value {
    let get = |k: &str| s.get(k).cloned().unwrap_or(Value::Null);
    let mut out = Map::new();
    out.insert("@odata.type".into(), get("@odata.type"));
    out.insert("id".into(), json!(id));
    out.insert("displayName".into(), get("displayName"));
    out.insert("modifiedDateTime".into(), get("modifiedDateTime"));
    out.insert("createdDateTime".into(), get("createdDateTime"));
    if beta {
        out.insert("deletedDateTime".into(), Value::Null);
    }
    match s.get("@odata.type").and_then(Value::as_str) {
        Some(IP_TYPE) => {
            out.insert(
                "isTrusted".into(),
                s.get("isTrusted").cloned().unwrap_or(json!(false)),
            );
            out.insert(
                "ipRanges".into(),
                s.get("ipRanges").cloned().unwrap_or(json!([])),
            );
        }
        Some(COUNTRY_TYPE) => {
            out.insert(
                "countriesAndRegions".into(),
                s.get("countriesAndRegions").cloned().unwrap_or(json!([])),
            );
            out.insert(
                "includeUnknownCountriesAndRegions".into(),
                s.get("includeUnknownCountriesAndRegions")
                    .cloned()
                    .unwrap_or(json!(false)),
            );
            out.insert(
                "countryLookupMethod".into(),
                s.get("countryLookupMethod")
                    .cloned()
                    .unwrap_or(json!("clientIpAddress")),
            );
        }
        // The order of the beta types' documented JSON representation.
        Some(PRIVATE_LINK_TYPE | SERVICE_TAG_TYPE) => {
            for k in ["privateLinkResourcePolicyIds", "serviceTags"] {
                if let Some(v) = s.get(k) {
                    out.insert(k.into(), v.clone());
                }
            }
            out.insert(
                "isTrusted".into(),
                s.get("isTrusted").cloned().unwrap_or(json!(false)),
            );
        }
        _ => {
            for (k, v) in s {
                if !out.contains_key(k) {
                    out.insert(k.clone(), v.clone());
                }
            }
        }
    }
    Value::Object(out)
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

fn not_found(req: &GraphRequest, id: &str) -> GraphResponse {
    req.error(
        StatusCode::NOT_FOUND,
        "ResourceNotFound",
        &format!("NamedLocation with id {id} does not exist in the directory."),
    )
}

// ---------------------------------------------------------------------------------------------
// Handlers

fn list(state: &SimState, req: &GraphRequest, _: &Params) -> GraphResponse {
    let beta = is_beta(req);
    let mut items = Vec::new();
    if beta {
        items.push(render(COMPLIANT_NETWORK_ID, &compliant_network(), true));
    }
    {
        let store = state.store.locked();
        items.extend(
            store
                .named_locations
                .iter()
                .filter(|(_, s)| s.visible(state.consistency_lag()) && visible_to(req, &s.value))
                .map(|(id, s)| render(id, &s.value, beta)),
        );
    }
    let items = match req.q("$filter") {
        None => items,
        Some(f) => match odata::parse_filter(f, &["displayName", "id"], BASE_TYPE) {
            Ok(clauses) => items
                .into_iter()
                .filter(|i| odata::matches_filter(i, &clauses))
                .collect(),
            Err(m) => return req.bad_request(&m),
        },
    };
    odata::collection(state, req, FRAGMENT, items)
}

fn get(state: &SimState, req: &GraphRequest, p: &Params) -> GraphResponse {
    let id = p.get("id");
    let beta = is_beta(req);
    if is_system(id) {
        return if beta {
            entity_response(
                state,
                req,
                StatusCode::OK,
                render(COMPLIANT_NETWORK_ID, &compliant_network(), true),
            )
        } else {
            not_found(req, id)
        };
    }
    let entity = {
        let store = state.store.locked();
        key_for(&store, req, id).and_then(|k| {
            store
                .named_locations
                .get(&k)
                .filter(|s| s.visible(state.consistency_lag()))
                .map(|s| render(&k, &s.value, beta))
        })
    };
    match entity {
        Some(e) => entity_response(state, req, StatusCode::OK, e),
        None => not_found(req, id),
    }
}

fn create(state: &SimState, req: &GraphRequest, _: &Params) -> GraphResponse {
    let body = match req.json_object() {
        Ok(Some(b)) => b,
        Ok(None) => return req.bad_request("Empty Payload. JSON content expected."),
        Err(e) => return e,
    };
    let mut loc = match new_location(&body, writer(req)) {
        Ok(l) => l,
        Err(m) => return req.bad_request(&m),
    };
    let mut store = state.store.locked();
    if store.named_locations.len() >= MAX_LOCATIONS {
        return req.bad_request(&format!(
            "The tenant already has the maximum of {MAX_LOCATIONS} named locations. Delete a named location before creating another one."
        ));
    }
    let now = json!(crate::time_fmt::graph(crate::time_fmt::now()));
    // Graph lists modifiedDateTime before createdDateTime; both equal on create.
    loc.insert("modifiedDateTime".into(), now.clone());
    loc.insert("createdDateTime".into(), now);
    let id = uuid::Uuid::new_v4().to_string();
    let entity = render(&id, &loc, is_beta(req));
    store
        .named_locations
        .insert(id.clone(), Stored::created_now(loc));
    drop(store);
    let location = format!("{}{}/{}", req.base_url(state), COLLECTION, id);
    entity_response(state, req, StatusCode::CREATED, entity).with_header("Location", location)
}

fn system_refusal(req: &GraphRequest, what: &str) -> GraphResponse {
    req.bad_request(&format!(
        "The named location '{COMPLIANT_NETWORK_ID}' (All Compliant Network locations) is managed by the system and cannot be {what}."
    ))
}

fn patch(state: &SimState, req: &GraphRequest, p: &Params) -> GraphResponse {
    let id = p.get("id");
    if is_system(id) {
        return if is_beta(req) {
            system_refusal(req, "updated")
        } else {
            not_found(req, id)
        };
    }
    let body = match req.json_object() {
        Ok(Some(b)) => b,
        Ok(None) => return req.bad_request("Empty Payload. JSON content expected."),
        Err(e) => return e,
    };
    let mut store = state.store.locked();
    let Some(key) = key_for(&store, req, id) else {
        return not_found(req, id);
    };
    let Some(existing) = store.named_locations.get(&key).map(|s| &s.value) else {
        return not_found(req, id);
    };
    let Some(kind) = Kind::of(existing) else {
        return req.bad_request("This named location cannot be updated.");
    };
    let given = match body_kind(&body, writer(req)) {
        Ok(k) => k,
        Err(m) => return req.bad_request(&m),
    };
    if given != kind {
        return req.bad_request(&format!(
            "The '@odata.type' '{}' does not match the type of named location {key} ('{}'); the type of a named location cannot be changed.",
            given.odata_type(),
            kind.odata_type()
        ));
    }
    let props = match check_props(&body, kind, writer(req)) {
        Ok(p) => p,
        Err(m) => return req.bad_request(&m),
    };
    let mut merged = existing.clone();
    merged.extend(props);
    if let Err(m) = check_entity(&merged, kind) {
        return req.bad_request(&m);
    }
    merged.insert(
        "modifiedDateTime".into(),
        json!(crate::time_fmt::graph(crate::time_fmt::now())),
    );
    if let Some(slot) = store.named_locations.get_mut(&key) {
        slot.value = merged;
    }
    GraphResponse::no_content()
}

fn delete(state: &SimState, req: &GraphRequest, p: &Params) -> GraphResponse {
    let id = p.get("id");
    if is_system(id) {
        return if is_beta(req) {
            system_refusal(req, "deleted")
        } else {
            not_found(req, id)
        };
    }
    let mut store = state.store.locked();
    let Some(key) = key_for(&store, req, id) else {
        return not_found(req, id);
    };
    let Some(existing) = store.named_locations.get(&key).map(|s| &s.value) else {
        return not_found(req, id);
    };
    if existing.get("isTrusted") == Some(&Value::Bool(true)) {
        return req.bad_request(&format!(
            "Named location {key} is marked as trusted and cannot be deleted. Update it with isTrusted set to false first, then delete it."
        ));
    }
    let users = policies_referencing(&store, &key);
    if !users.is_empty() {
        return req.bad_request(&format!(
            "Named location {key} is used by Conditional Access policies ({}) and cannot be deleted. Remove it from those policies first.",
            users.join(", ")
        ));
    }
    store.named_locations.remove(&key);
    GraphResponse::no_content()
}

// ---------------------------------------------------------------------------------------------
// Seeding

/// Load one corpus object (`--seed DIR/named-locations/*.json`). Only full entities are loaded:
/// an object without `id` is a request body (the corpus pairs each with its response, which
/// is loaded), and `compliantNetworkNamedLocation` objects are skipped because every tenant
/// already has the system one. Ids and timestamps are kept (missing timestamps = now); a
/// later file with the same id replaces the earlier one. A seed may hold the address ranges
/// the API no longer takes, as tenants that older tools wrote to do. Returns whether it was
/// loaded.
pub(crate) fn seed(store: &mut Store, obj: &Map<String, Value>) -> Result<bool, String> {
    let Some(id) = obj.get("id").and_then(Value::as_str) else {
        return Ok(false);
    };
    if obj
        .get("@odata.type")
        .and_then(Value::as_str)
        .and_then(|t| canonical_type(t, &[COMPLIANT_NETWORK_TYPE]))
        .is_some()
    {
        return Ok(false);
    }
    let mut loc = new_location(obj, Writer::Seed)?;
    let now = json!(crate::time_fmt::graph(crate::time_fmt::now()));
    for k in ["modifiedDateTime", "createdDateTime"] {
        let v = obj
            .get(k)
            .filter(|v| v.is_string())
            .cloned()
            .unwrap_or_else(|| now.clone());
        loc.insert(k.into(), v);
    }
    let key = stored_id(store, id).unwrap_or_else(|| id.to_string());
    store.named_locations.insert(key, Stored::seeded(loc));
    Ok(true)
}
