//! Graph's named location and the resource's state, both ways: the write bodies for a planned
//! state, the block each kind fills, and the state in the user's form where the two agree.

use super::kind::{kind, Kind, MANAGED};
use super::state::{
    CompliantNetworkBlock, CountryBlock, IpBlock, LocationState, PrivateLinkBlock, ServiceTagBlock,
};
use super::{check_cidr, ranges, schema, DEFAULT_LOOKUP};
use crate::graph::models::NamedLocation;
use crate::plugin::value::Value;
use crate::resources::reconcile::{reconcile, Rules};
use serde_json::{json, Map, Value as Json};
use std::net::IpAddr;

/// The `@odata.type` of one range, derived from its address (Graph requires it on each item).
fn range_type(cidr: &str) -> &'static str {
    match check_cidr(cidr) {
        Ok((IpAddr::V6(_), _)) => "#microsoft.graph.iPv6CidrRange",
        _ => "#microsoft.graph.iPv4CidrRange",
    }
}

/// Which kind a configuration or state has; `None` while its blocks are unknown.
pub(crate) fn planned_kind(v: &Value) -> Option<Kind> {
    let names = MANAGED.map(|k| k.block().unwrap_or_default());
    if names.iter().any(|b| v.get(b).is_unknown()) {
        return None;
    }
    Some(
        MANAGED
            .into_iter()
            .find(|k| !v.get(k.block().unwrap_or_default()).elements().is_empty())
            .unwrap_or(Kind::Other),
    )
}

/// The POST or PATCH body for a planned state. Graph requires the derived `@odata.type`.
pub fn to_graph(state: &Value) -> Json {
    let kind = planned_kind(state).unwrap_or(Kind::Other);
    let state = LocationState::of(state);
    let trusted = json!(state.trusted().unwrap_or(false));
    let mut body = Map::new();
    body.insert("@odata.type".into(), json!(kind.odata_type()));
    body.insert("displayName".into(), json!(state.display_name));
    let fields = match kind {
        Kind::Ip => {
            let ranges: Vec<Json> = state
                .ip
                .unwrap_or_default()
                .ip_ranges
                .iter()
                .map(|r| json!({"@odata.type": range_type(r), "cidrAddress": r}))
                .collect();
            vec![("isTrusted", trusted), ("ipRanges", json!(ranges))]
        }
        Kind::Country => {
            let b = state.country.unwrap_or_default();
            vec![
                ("countriesAndRegions", json!(b.countries_and_regions)),
                (
                    "includeUnknownCountriesAndRegions",
                    json!(b.include_unknown_countries_and_regions.unwrap_or(false)),
                ),
                (
                    "countryLookupMethod",
                    json!(b.country_lookup_method.as_deref().unwrap_or(DEFAULT_LOOKUP)),
                ),
            ]
        }
        Kind::PrivateLink => vec![
            ("isTrusted", trusted),
            (
                "privateLinkResourcePolicyIds",
                json!(
                    state
                        .private_link
                        .unwrap_or_default()
                        .private_link_resource_policy_ids
                ),
            ),
        ],
        Kind::ServiceTag => vec![
            ("isTrusted", trusted),
            (
                "serviceTags",
                json!(state.service_tag.unwrap_or_default().service_tags),
            ),
        ],
        Kind::CompliantNetwork | Kind::Other => vec![],
    };
    body.extend(fields.into_iter().map(|(k, v)| (k.to_string(), v)));
    Json::Object(body)
}

/// The PATCH body of an update. `ipRanges` goes only when the ranges change: Graph replaces
/// the whole collection, and the address ranges it may hold cannot be written back (`ranges`).
pub(crate) fn update_body(prior: &Value, planned: &Value) -> Json {
    let mut body = to_graph(planned);
    if same_ranges(prior, planned) {
        if let Json::Object(m) = &mut body {
            m.remove("ipRanges");
        }
    }
    body
}

/// The PATCH body that untrusts a location before its delete: nothing else changes.
pub(crate) fn untrust_body(kind: Kind) -> Json {
    json!({"@odata.type": kind.odata_type(), "isTrusted": false})
}

/// The typed state for what Graph holds: the block of its kind (if the resource has one)
/// filled, the others absent.
fn typed(loc: &NamedLocation) -> LocationState {
    let own = kind(loc);
    let trusted = Some(loc.is_trusted.unwrap_or(false));
    let strings = |v: &Option<Vec<String>>| v.iter().flatten().cloned().collect();
    LocationState {
        id: Some(loc.id.clone()),
        object_id: Some(loc.id.clone()),
        display_name: loc.display_name.clone(),
        ip: (own == Kind::Ip).then(|| IpBlock {
            ip_ranges: loc.ip_ranges.iter().flatten().map(ranges::render).collect(),
            trusted,
        }),
        country: (own == Kind::Country).then(|| CountryBlock {
            countries_and_regions: strings(&loc.countries_and_regions),
            include_unknown_countries_and_regions: Some(
                loc.include_unknown_countries_and_regions.unwrap_or(false),
            ),
            country_lookup_method: Some(
                loc.country_lookup_method
                    .as_deref()
                    .filter(|m| !m.is_empty())
                    .unwrap_or(DEFAULT_LOOKUP)
                    .to_string(),
            ),
        }),
        service_tag: (own == Kind::ServiceTag).then(|| ServiceTagBlock {
            service_tags: strings(&loc.service_tags),
            trusted,
        }),
        private_link: (own == Kind::PrivateLink).then(|| PrivateLinkBlock {
            private_link_resource_policy_ids: strings(&loc.private_link_resource_policy_ids),
            trusted,
        }),
    }
}

/// The element of the block `loc`'s kind fills; `None` for a kind without one.
fn element(loc: &NamedLocation) -> Option<Value> {
    let state = typed(loc);
    match kind(loc) {
        Kind::Ip => state.ip.as_ref().map(IpBlock::to_value),
        Kind::Country => state.country.as_ref().map(CountryBlock::to_value),
        Kind::ServiceTag => state.service_tag.as_ref().map(ServiceTagBlock::to_value),
        Kind::PrivateLink => state.private_link.as_ref().map(PrivateLinkBlock::to_value),
        Kind::CompliantNetwork => Some(
            CompliantNetworkBlock {
                compliant_network_type: loc.compliant_network_type.clone(),
                trusted: Some(loc.is_trusted.unwrap_or(false)),
            }
            .to_value(),
        ),
        Kind::Other => None,
    }
}

/// The blocks of `kinds` for a location (each a list of zero or one element): its own kind's
/// block holds its element, the others are empty.
pub fn blocks(loc: &NamedLocation, kinds: &[Kind]) -> Vec<(&'static str, Value)> {
    let own = kind(loc);
    kinds
        .iter()
        .map(|k| {
            let items = if *k == own { element(loc) } else { None };
            (
                k.block().unwrap_or_default(),
                Value::List(items.into_iter().collect()),
            )
        })
        .collect()
}

/// The state for what Graph holds, without regard to any configuration.
pub fn from_graph(loc: &NamedLocation) -> Value {
    typed(loc).to_value()
}

/// A CIDR range in comparable form: `2001:0:9d38::/63` and `2001:0:9d38:0:0:0:0:0/63` are the
/// same range, so whichever form the user wrote is kept.
fn canonical_range(s: &str) -> String {
    match check_cidr(s) {
        Ok((addr, prefix)) => format!("{addr}/{prefix}"),
        Err(_) => s.to_string(),
    }
}

/// Ranges in comparable form, sorted and without duplicates.
fn range_set<'a>(ranges: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut r: Vec<String> = ranges.into_iter().map(canonical_range).collect();
    r.sort();
    r.dedup();
    r
}

fn same_range_set(a: &Value, b: &Value) -> bool {
    range_set(a.strs()) == range_set(b.strs())
}

/// Whether two states (or a state and a plan) hold the same IP ranges.
pub(crate) fn same_ranges(a: &Value, b: &Value) -> bool {
    let ranges = |v: &Value| LocationState::of(v).ip.unwrap_or_default().ip_ranges;
    range_set(ranges(a).iter().map(String::as_str))
        == range_set(ranges(b).iter().map(String::as_str))
}

struct LocationRules;

impl Rules for LocationRules {
    fn case_insensitive(&self, path: &str) -> bool {
        path == "country.countries_and_regions"
    }

    fn equivalent(&self, path: &str, new: &Value, prior: &Value) -> Option<bool> {
        (path == "ip.ip_ranges").then(|| same_range_set(new, prior))
    }
}

/// The state for Graph's location, in the user's form wherever the two are equivalent.
pub fn state_from_graph(loc: &NamedLocation, prior: &Value) -> Value {
    reconcile(&LocationRules, &schema().block, "", &from_graph(loc), prior)
}
