//! namedLocation: ipNamedLocation, countryNamedLocation, and beta's system
//! compliantNetworkNamedLocation (graph-api.md §4, §10, §11 item 4).
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
//! * Country locations: `countriesAndRegions` = ISO 3166-1 alpha-2 codes, upper case, checked
//!   against the full list ([`COUNTRY_CODES`]); may be empty only with
//!   `includeUnknownCountriesAndRegions: true`. `countryLookupMethod` `clientIpAddress`
//!   (default) | `authenticatorAppGps`. `isTrusted` does not exist on the type (400).
//! * At most 195 named locations per tenant (the system location does not count).
//! * DELETE is refused (400) for a trusted IP location (PATCH `isTrusted: false` first) and for
//!   a location that a CA policy names in `conditions.locations` (the policy ids are listed).
//! * `00000000-0000-0000-0000-000000000000` ("Multifactor authentication trusted IPs") is not a
//!   named location (GET 404) but CA policies may use it, like `All` / `AllTrusted`
//!   ([`valid_policy_reference`]).
//! * The system `compliantNetworkNamedLocation` "All Compliant Network locations" exists in
//!   every simulated tenant but only beta knows its type: beta lists and GETs it, v1.0 neither.
//!   It cannot be created, changed or deleted.
//! * The per-tenant CA rate limit (shared with CA policies, no Retry-After) is applied by the
//!   pipeline (`throttle::CA_PREFIXES` has this path).

use super::{odata, GraphRequest, GraphResponse, Params, Route};
use crate::state::SimState;
use crate::store::{Store, Stored};
use axum::http::{Method, StatusCode};
use serde_json::{json, Map, Value};
use std::net::{Ipv4Addr, Ipv6Addr};

const COLLECTION: &str = "/identity/conditionalAccess/namedLocations";
const ITEM: &str = "/identity/conditionalAccess/namedLocations/{id}";
const FRAGMENT: &str = "identity/conditionalAccess/namedLocations";
const BASE_TYPE: &str = "microsoft.graph.namedLocation";

pub const IP_TYPE: &str = "#microsoft.graph.ipNamedLocation";
pub const COUNTRY_TYPE: &str = "#microsoft.graph.countryNamedLocation";
pub const COMPLIANT_NETWORK_TYPE: &str = "#microsoft.graph.compliantNetworkNamedLocation";
pub const IPV4_RANGE_TYPE: &str = "#microsoft.graph.iPv4CidrRange";
pub const IPV6_RANGE_TYPE: &str = "#microsoft.graph.iPv6CidrRange";

/// Graph caps named locations per tenant (graph-api.md §4).
pub const MAX_LOCATIONS: usize = 195;
/// Graph caps IP ranges per location (graph-api.md §4).
pub const MAX_IP_RANGES: usize = 2000;
/// Smallest prefix length accepted ("greater than /8").
pub const MIN_PREFIX: u8 = 9;

/// "Multifactor authentication trusted IPs": valid in CA policies, not a named location.
pub const MFA_TRUSTED_IPS: &str = "00000000-0000-0000-0000-000000000000";
/// Location keywords CA policies may use besides ids.
pub const KEYWORDS: &[&str] = &["All", "AllTrusted"];

/// The system "All Compliant Network locations" (id and timestamps from a real beta export,
/// graph-examples/namedlocation-compliantnetwork.get.beta-real.json).
pub const COMPLIANT_NETWORK_ID: &str = "3d46dbda-8382-466a-856d-eb00cbc6b910";

pub fn routes() -> Vec<Route> {
    vec![
        Route::new(Method::GET, COLLECTION, list),
        Route::new(Method::POST, COLLECTION, create),
        Route::new(Method::GET, ITEM, get),
        Route::new(Method::PATCH, ITEM, patch),
        Route::new(Method::DELETE, ITEM, delete),
    ]
}

/// ISO 3166-1 alpha-2, all 249 officially assigned codes.
pub const COUNTRY_CODES: &[&str] = &[
    "AD", "AE", "AF", "AG", "AI", "AL", "AM", "AO", "AQ", "AR", "AS", "AT", "AU", "AW", "AX", "AZ",
    "BA", "BB", "BD", "BE", "BF", "BG", "BH", "BI", "BJ", "BL", "BM", "BN", "BO", "BQ", "BR", "BS",
    "BT", "BV", "BW", "BY", "BZ", "CA", "CC", "CD", "CF", "CG", "CH", "CI", "CK", "CL", "CM", "CN",
    "CO", "CR", "CU", "CV", "CW", "CX", "CY", "CZ", "DE", "DJ", "DK", "DM", "DO", "DZ", "EC", "EE",
    "EG", "EH", "ER", "ES", "ET", "FI", "FJ", "FK", "FM", "FO", "FR", "GA", "GB", "GD", "GE", "GF",
    "GG", "GH", "GI", "GL", "GM", "GN", "GP", "GQ", "GR", "GS", "GT", "GU", "GW", "GY", "HK", "HM",
    "HN", "HR", "HT", "HU", "ID", "IE", "IL", "IM", "IN", "IO", "IQ", "IR", "IS", "IT", "JE", "JM",
    "JO", "JP", "KE", "KG", "KH", "KI", "KM", "KN", "KP", "KR", "KW", "KY", "KZ", "LA", "LB", "LC",
    "LI", "LK", "LR", "LS", "LT", "LU", "LV", "LY", "MA", "MC", "MD", "ME", "MF", "MG", "MH", "MK",
    "ML", "MM", "MN", "MO", "MP", "MQ", "MR", "MS", "MT", "MU", "MV", "MW", "MX", "MY", "MZ", "NA",
    "NC", "NE", "NF", "NG", "NI", "NL", "NO", "NP", "NR", "NU", "NZ", "OM", "PA", "PE", "PF", "PG",
    "PH", "PK", "PL", "PM", "PN", "PR", "PS", "PT", "PW", "PY", "QA", "RE", "RO", "RS", "RU", "RW",
    "SA", "SB", "SC", "SD", "SE", "SG", "SH", "SI", "SJ", "SK", "SL", "SM", "SN", "SO", "SR", "SS",
    "ST", "SV", "SX", "SY", "SZ", "TC", "TD", "TF", "TG", "TH", "TJ", "TK", "TL", "TM", "TN", "TO",
    "TR", "TT", "TV", "TW", "TZ", "UA", "UG", "UM", "US", "UY", "UZ", "VA", "VC", "VE", "VG", "VI",
    "VN", "VU", "WF", "WS", "YE", "YT", "ZA", "ZM", "ZW",
];

pub const COUNTRY_LOOKUP_METHODS: &[&str] = &["clientIpAddress", "authenticatorAppGps"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Ip,
    Country,
}

impl Kind {
    fn odata_type(self) -> &'static str {
        match self {
            Kind::Ip => IP_TYPE,
            Kind::Country => COUNTRY_TYPE,
        }
    }

    fn type_name(self) -> &'static str {
        self.odata_type().trim_start_matches('#')
    }

    fn of(stored: &Map<String, Value>) -> Option<Kind> {
        match stored.get("@odata.type").and_then(Value::as_str) {
            Some(IP_TYPE) => Some(Kind::Ip),
            Some(COUNTRY_TYPE) => Some(Kind::Country),
            _ => None,
        }
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

/// A named location with this id exists in the tenant (including the system one).
pub fn exists(store: &Store, id: &str) -> bool {
    is_system(id) || stored_id(store, id).is_some()
}

/// What `conditions.locations.include/excludeLocations` may contain: `All`, `AllTrusted`,
/// the MFA trusted IPs id, or an existing named location.
pub fn valid_policy_reference(store: &Store, id: &str) -> bool {
    KEYWORDS.iter().any(|k| k.eq_ignore_ascii_case(id))
        || id.eq_ignore_ascii_case(MFA_TRUSTED_IPS)
        || exists(store, id)
}

/// Ids of CA policies whose `conditions.locations` include or exclude location `id`.
pub fn policies_referencing(store: &Store, id: &str) -> Vec<String> {
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
pub fn ids(store: &Store) -> Vec<String> {
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
pub fn render(id: &str, s: &Map<String, Value>, beta: bool) -> Value {
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
// Validation

fn unknown_property(k: &str, type_name: &str) -> String {
    format!(
        "The property '{k}' does not exist on type '{type_name}'. Make sure to only use property names that are defined by the type or mark the type as open type."
    )
}

fn type_error(property: &str, v: &Value, edm: &str) -> String {
    match v {
        Value::Null => format!("A null value was found for the property named '{property}', which has the expected type '{edm}[Nullable=False]'. The expected type '{edm}[Nullable=False]' does not allow null values."),
        Value::Array(_) => format!("An unexpected 'StartArray' node was found when reading from the JSON reader for property '{property}'. A 'PrimitiveValue' node was expected."),
        Value::Object(_) => format!("An unexpected 'StartObject' node was found when reading from the JSON reader for property '{property}'. A 'PrimitiveValue' node was expected."),
        other => format!("Cannot convert the literal '{}' to the expected type '{edm}'.", other.to_string().trim_matches('"')),
    }
}

/// The `@odata.type` of a write body, required.
fn body_kind(body: &Map<String, Value>) -> Result<Kind, String> {
    let Some(t) = body.get("@odata.type") else {
        return Err(format!(
            "The '@odata.type' property is required to create or update a named location: '{IP_TYPE}' or '{COUNTRY_TYPE}'."
        ));
    };
    let t = t.as_str().unwrap_or_default();
    match canonical_type(t, &[IP_TYPE, COUNTRY_TYPE, COMPLIANT_NETWORK_TYPE]) {
        Some(IP_TYPE) => Ok(Kind::Ip),
        Some(COUNTRY_TYPE) => Ok(Kind::Country),
        Some(_) => Err(format!(
            "Named locations of type '{COMPLIANT_NETWORK_TYPE}' are managed by the system and cannot be created or updated."
        )),
        None => Err(format!(
            "Invalid '@odata.type' '{t}' for a named location: expected '{IP_TYPE}' or '{COUNTRY_TYPE}'."
        )),
    }
}

/// One `ipRanges` element: `@odata.type` required; the type is re-derived from the address.
pub fn check_ip_range(v: &Value) -> Result<Value, String> {
    let Value::Object(r) = v else {
        return Err(
            "Each element of 'ipRanges' must be an object with '@odata.type' and 'cidrAddress'."
                .into(),
        );
    };
    let Some(t) = r.get("@odata.type") else {
        return Err(format!(
            "The '@odata.type' property is required on each element of 'ipRanges': '{IPV4_RANGE_TYPE}' or '{IPV6_RANGE_TYPE}'."
        ));
    };
    let t = t.as_str().unwrap_or_default();
    if canonical_type(t, &[IPV4_RANGE_TYPE, IPV6_RANGE_TYPE]).is_none() {
        return Err(format!(
            "Invalid '@odata.type' '{t}' in 'ipRanges': expected '{IPV4_RANGE_TYPE}' or '{IPV6_RANGE_TYPE}'."
        ));
    }
    for k in r.keys() {
        if !k.contains('@') && k != "cidrAddress" {
            return Err(unknown_property(k, "microsoft.graph.ipRange"));
        }
    }
    let cidr = match r.get("cidrAddress") {
        Some(Value::String(s)) => s,
        None => {
            return Err(
                "The 'cidrAddress' property is required on each element of 'ipRanges'.".into(),
            )
        }
        Some(other) => return Err(type_error("cidrAddress", other, "Edm.String")),
    };
    let derived = cidr_type(cidr)?;
    Ok(json!({"@odata.type": derived, "cidrAddress": cidr}))
}

/// The range type for a CIDR (`a.b.c.d/n` or `ipv6/n`), or why it is not acceptable.
pub fn cidr_type(cidr: &str) -> Result<&'static str, String> {
    let Some((addr, prefix)) = cidr.split_once('/') else {
        return Err(format!(
            "'{cidr}' is not a valid CIDR address: the prefix length is missing. Use CIDR notation, for example 203.0.113.0/24 or 2001:db8::/48."
        ));
    };
    let (kind, max) = if addr.parse::<Ipv4Addr>().is_ok() {
        (IPV4_RANGE_TYPE, 32u8)
    } else if addr.parse::<Ipv6Addr>().is_ok() {
        (IPV6_RANGE_TYPE, 128u8)
    } else {
        return Err(format!(
            "'{cidr}' is not a valid CIDR address: '{addr}' is not an IPv4 or IPv6 address."
        ));
    };
    let n = match prefix.parse::<u8>() {
        Ok(n) if prefix.bytes().all(|b| b.is_ascii_digit()) && n <= max => n,
        _ => {
            return Err(format!(
                "'{cidr}' is not a valid CIDR address: the prefix length must be a number from 0 to {max}."
            ))
        }
    };
    if n < MIN_PREFIX {
        return Err(format!(
            "'{cidr}' is not allowed: only CIDR masks greater than /8 are allowed."
        ));
    }
    Ok(kind)
}

/// Check a POST/PATCH body against `kind`; returns the writable properties it sets
/// (normalised: range types derived).
fn check_props(body: &Map<String, Value>, kind: Kind) -> Result<Map<String, Value>, String> {
    let mut out = Map::new();
    for (k, v) in body {
        if k.contains('@') {
            continue;
        }
        match (k.as_str(), kind) {
            // Read-only: ignored, as Graph does for echoed GET bodies.
            ("id" | "createdDateTime" | "modifiedDateTime" | "deletedDateTime", _) => {}
            ("displayName", _) => match v {
                Value::String(s) if !s.trim().is_empty() => {
                    out.insert(k.clone(), v.clone());
                }
                Value::String(_) => {
                    return Err("The 'displayName' property cannot be empty.".into());
                }
                other => return Err(type_error(k, other, "Edm.String")),
            },
            ("isTrusted", Kind::Ip) | ("includeUnknownCountriesAndRegions", Kind::Country) => {
                if !v.is_boolean() {
                    return Err(type_error(k, v, "Edm.Boolean"));
                }
                out.insert(k.clone(), v.clone());
            }
            ("ipRanges", Kind::Ip) => {
                let Value::Array(items) = v else {
                    return Err(format!(
                        "The 'ipRanges' property must be a collection of '{IPV4_RANGE_TYPE}' / '{IPV6_RANGE_TYPE}' objects."
                    ));
                };
                if items.is_empty() {
                    return Err("The 'ipRanges' property must contain at least one IP range.".into());
                }
                if items.len() > MAX_IP_RANGES {
                    return Err(format!(
                        "A named location can contain at most {MAX_IP_RANGES} IP ranges; {} were given.",
                        items.len()
                    ));
                }
                let ranges = items
                    .iter()
                    .map(check_ip_range)
                    .collect::<Result<Vec<_>, _>>()?;
                out.insert(k.clone(), Value::Array(ranges));
            }
            ("countriesAndRegions", Kind::Country) => {
                let Value::Array(items) = v else {
                    return Err(
                        "The 'countriesAndRegions' property must be a collection of ISO 3166-1 alpha-2 country codes."
                            .into(),
                    );
                };
                for c in items {
                    match c.as_str() {
                        Some(code) if COUNTRY_CODES.contains(&code) => {}
                        _ => {
                            return Err(format!(
                                "'{}' is not a valid country or region code. Use ISO 3166-1 alpha-2 codes in upper case, for example 'US' or 'GB'.",
                                c.as_str().map(str::to_string).unwrap_or_else(|| c.to_string())
                            ))
                        }
                    }
                }
                out.insert(k.clone(), v.clone());
            }
            ("countryLookupMethod", Kind::Country) => match v.as_str() {
                Some(m) if COUNTRY_LOOKUP_METHODS.contains(&m) => {
                    out.insert(k.clone(), v.clone());
                }
                _ => {
                    return Err(format!(
                        "Invalid value '{}' for 'countryLookupMethod'. Allowed values are 'clientIpAddress' and 'authenticatorAppGps'.",
                        v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string())
                    ))
                }
            },
            _ => return Err(unknown_property(k, kind.type_name())),
        }
    }
    Ok(out)
}

/// Rules on the whole (created or merged) location.
fn check_entity(m: &Map<String, Value>, kind: Kind) -> Result<(), String> {
    if !m.get("displayName").is_some_and(Value::is_string) {
        return Err("The 'displayName' property is required.".into());
    }
    match kind {
        Kind::Ip => {
            if !m.get("ipRanges").is_some_and(Value::is_array) {
                return Err(format!(
                    "The 'ipRanges' property is required for '{IP_TYPE}'."
                ));
            }
        }
        Kind::Country => {
            let Some(list) = m.get("countriesAndRegions").and_then(Value::as_array) else {
                return Err(format!(
                    "The 'countriesAndRegions' property is required for '{COUNTRY_TYPE}'."
                ));
            };
            let unknown = m.get("includeUnknownCountriesAndRegions") == Some(&Value::Bool(true));
            if list.is_empty() && !unknown {
                return Err("A country named location must contain at least one country or region, or set 'includeUnknownCountriesAndRegions' to true.".into());
            }
        }
    }
    Ok(())
}

/// A full new location from a POST body (or a seed file): type, properties, defaults.
/// Timestamps are not set here.
pub fn new_location(body: &Map<String, Value>) -> Result<Map<String, Value>, String> {
    let kind = body_kind(body)?;
    let props = check_props(body, kind)?;
    let mut m = Map::new();
    m.insert("@odata.type".into(), json!(kind.odata_type()));
    m.extend(props);
    check_entity(&m, kind)?;
    match kind {
        Kind::Ip => {
            m.entry("isTrusted").or_insert(json!(false));
        }
        Kind::Country => {
            m.entry("includeUnknownCountriesAndRegions")
                .or_insert(json!(false));
            m.entry("countryLookupMethod")
                .or_insert(json!("clientIpAddress"));
        }
    }
    Ok(m)
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
        let store = state.store.lock().unwrap();
        items.extend(
            store
                .named_locations
                .iter()
                .filter(|(_, s)| s.visible(state.consistency_lag()))
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
        let store = state.store.lock().unwrap();
        stored_id(&store, id).and_then(|k| {
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
    let mut loc = match new_location(&body) {
        Ok(l) => l,
        Err(m) => return req.bad_request(&m),
    };
    let mut store = state.store.lock().unwrap();
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
    let mut store = state.store.lock().unwrap();
    let Some(key) = stored_id(&store, id) else {
        return not_found(req, id);
    };
    let existing = &store.named_locations.get(&key).unwrap().value;
    let Some(kind) = Kind::of(existing) else {
        return req.bad_request("This named location cannot be updated.");
    };
    let given = match body_kind(&body) {
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
    let props = match check_props(&body, kind) {
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
    let mut store = state.store.lock().unwrap();
    let Some(key) = stored_id(&store, id) else {
        return not_found(req, id);
    };
    let existing = &store.named_locations.get(&key).unwrap().value;
    if Kind::of(existing) == Some(Kind::Ip) && existing.get("isTrusted") == Some(&Value::Bool(true))
    {
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
/// later file with the same id replaces the earlier one. Returns whether it was loaded.
pub fn seed(store: &mut Store, obj: &Map<String, Value>) -> Result<bool, String> {
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
    let mut loc = new_location(obj)?;
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
