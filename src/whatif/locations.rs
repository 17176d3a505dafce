//! The locations condition: `All`, `AllTrusted`, named IP locations (CIDR, IPv4 and IPv6) and
//! country locations (graph-api.md section 4).

use super::conditions::{strs, Verdict};
use super::SignIn;
use crate::graph::ids::MFA_TRUSTED_IPS_ID;
use serde_json::Value as Json;
use std::net::IpAddr;

/// Include then exclude. A location id that cannot be resolved offline counts as not holding the
/// sign-in, and the verdict carries a caveat naming it.
pub(crate) fn verdict(cond: &Json, named: &[Json], s: &SignIn) -> Verdict {
    let include = strs(&cond["includeLocations"]);
    if include.is_empty() {
        return Verdict::of(true);
    }
    let exclude = strs(&cond["excludeLocations"]);
    let holds = |id: &&str| contains(id, named, s);
    let matched = include.iter().any(holds) && !exclude.iter().any(holds);
    let unresolved: Vec<String> = include
        .iter()
        .chain(&exclude)
        .filter_map(|id| unresolved(id, named))
        .collect();
    if unresolved.is_empty() {
        Verdict::of(matched)
    } else {
        Verdict::assumed(matched, unresolved.join("; "))
    }
}

/// Why an id cannot be judged offline, if it cannot.
fn unresolved(id: &str, named: &[Json]) -> Option<String> {
    if id == MFA_TRUSTED_IPS_ID {
        // Graph does not return this system location (404 on GET): its ranges live in the
        // legacy MFA service settings.
        return Some(format!(
            "location {id} (MFA trusted IPs) cannot be read through Graph; treated as not containing the sign-in"
        ));
    }
    let keyword = id.eq_ignore_ascii_case("All") || id.eq_ignore_ascii_case("AllTrusted");
    (!keyword && find(id, named).is_none()).then(|| {
        format!("named location {id} is not in the tenant; treated as not containing the sign-in")
    })
}

fn find<'a>(id: &str, named: &'a [Json]) -> Option<&'a Json> {
    named
        .iter()
        .find(|l| l["id"].as_str().is_some_and(|x| x.eq_ignore_ascii_case(id)))
}

/// Whether the location `id` holds the sign-in. `AllTrusted` is every trusted IP location;
/// Microsoft also counts the MFA trusted IPs in it, which Graph does not expose (see above).
fn contains(id: &str, named: &[Json], s: &SignIn) -> bool {
    if id.eq_ignore_ascii_case("All") {
        return true;
    }
    if id.eq_ignore_ascii_case("AllTrusted") {
        return named
            .iter()
            .any(|l| l["isTrusted"] == Json::Bool(true) && ip_location_holds(l, s.ip_address));
    }
    find(id, named).is_some_and(|l| {
        if l.get("countriesAndRegions").is_some() {
            country_location_holds(l, s.country.as_deref())
        } else {
            ip_location_holds(l, s.ip_address)
        }
    })
}

fn ip_location_holds(location: &Json, ip: Option<IpAddr>) -> bool {
    let Some(ip) = ip else {
        return false;
    };
    location["ipRanges"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r["cidrAddress"].as_str())
        .any(|cidr| cidr_contains(cidr, ip))
}

/// An unknown country matches only locations that include unknown countries and regions.
fn country_location_holds(location: &Json, country: Option<&str>) -> bool {
    match country {
        Some(c) => strs(&location["countriesAndRegions"])
            .iter()
            .any(|x| x.eq_ignore_ascii_case(c)),
        None => location["includeUnknownCountriesAndRegions"] == Json::Bool(true),
    }
}

/// Whether `cidr` (e.g. `203.0.113.0/24`, `2001:db8::/48`) contains `ip`. Host bits in the
/// range are ignored, as Graph accepts them. An address of the other family never matches.
pub(crate) fn cidr_contains(cidr: &str, ip: IpAddr) -> bool {
    let Some((net, prefix)) = cidr.trim().split_once('/') else {
        return false;
    };
    let (Ok(net), Ok(prefix)) = (net.parse::<IpAddr>(), prefix.parse::<u32>()) else {
        return false;
    };
    match (net, ip) {
        (IpAddr::V4(n), IpAddr::V4(a)) => {
            same_prefix(u32::from(n).into(), u32::from(a).into(), 32, prefix)
        }
        (IpAddr::V6(n), IpAddr::V6(a)) => same_prefix(u128::from(n), u128::from(a), 128, prefix),
        _ => false,
    }
}

/// Whether the first `prefix` of `bits` bits of `a` and `b` agree.
fn same_prefix(a: u128, b: u128, bits: u32, prefix: u32) -> bool {
    if prefix > bits {
        return false;
    }
    let shift = bits - prefix;
    shift >= 128 || (a >> shift) == (b >> shift)
}
