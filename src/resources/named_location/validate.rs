//! Plan-time checks: CIDR syntax and Entra's prefix and count limits, ISO country codes,
//! service tag names and private link policy ids, exactly one kind of location.

use super::kind::MANAGED;
use super::ranges;
use crate::plugin::diag::{AttrPath, Diagnostics};
use crate::plugin::value::Value;
use std::net::IpAddr;

pub(crate) const LOOKUP_METHODS: &[&str] = &["clientIpAddress", "authenticatorAppGps"];
/// Entra's limit per location (graph-api.md section 4).
const MAX_RANGES: usize = 2000;

/// ISO 3166-1 alpha-2: the officially assigned codes.
pub(super) const COUNTRIES: &[&str] = &[
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

/// Parses one range and applies Entra's rules: CIDR notation, prefix longer than /8.
pub fn check_cidr(s: &str) -> Result<(IpAddr, u8), String> {
    let Some((addr, prefix)) = s.split_once('/') else {
        return Err(format!(
            "{s:?} is not in CIDR notation: add the prefix length, e.g. \"{s}/32\" for one IPv4 address or \"/128\" for one IPv6 address."
        ));
    };
    let addr: IpAddr = addr
        .parse()
        .map_err(|_| format!("{s:?}: {addr:?} is not an IPv4 or IPv6 address."))?;
    let max = if addr.is_ipv4() { 32 } else { 128 };
    let prefix: u8 = prefix
        .parse()
        .ok()
        .filter(|p| *p <= max && !prefix.starts_with('+'))
        .ok_or_else(|| format!("{s:?}: the prefix length must be a number from 9 to {max}."))?;
    if prefix <= 8 {
        return Err(format!(
            "{s:?}: Entra accepts only prefixes longer than /8 (from /9 to /{max})."
        ));
    }
    Ok((addr, prefix))
}

/// An upper-case, officially assigned ISO 3166-1 alpha-2 code.
pub fn check_country(code: &str) -> Result<(), String> {
    if COUNTRIES.contains(&code) {
        Ok(())
    } else if COUNTRIES.contains(&code.to_ascii_uppercase().as_str()) {
        Err(format!(
            "{code:?}: write country codes in upper case, \"{}\".",
            code.to_ascii_uppercase()
        ))
    } else {
        Err(format!(
            "{code:?} is not an ISO 3166-1 alpha-2 country code (two upper-case letters, e.g. \"NL\")."
        ))
    }
}

/// A service tag name: letters and digits, parts joined by dots (`Storage.WestEurope`). Graph
/// documents no rule, so this only keeps out what no Azure service tag has.
fn check_service_tag(tag: &str) -> Result<(), String> {
    let part_ok = |p: &str| {
        !p.is_empty()
            && p.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    };
    if tag.split('.').all(part_ok) {
        Ok(())
    } else {
        Err(format!(
            "{tag:?} is not a service tag: Azure service tags are names like \"AzureCloud\" or \"Storage.WestEurope\"."
        ))
    }
}

/// A private link resource policy id. Graph documents neither its form nor a rule, so this only
/// refuses what cannot be an id.
fn check_policy_id(id: &str) -> Result<(), String> {
    if id.is_empty() || id.chars().any(char::is_whitespace) {
        Err(format!(
            "{id:?} is not a private link resource policy id: an id is not empty and has no spaces."
        ))
    } else {
        Ok(())
    }
}

pub(super) fn block_path(block: &str, attr: &str) -> AttrPath {
    AttrPath::root(block).index(0).attr(attr)
}

/// The kind blocks a configuration has: exactly one, or an error.
fn check_one_kind(config: &Value, d: &mut Diagnostics) {
    let names = MANAGED.map(|k| k.block().unwrap_or_default());
    if names.iter().any(|b| config.get(b).is_unknown()) {
        return;
    }
    let present: Vec<&str> = names
        .into_iter()
        .filter(|b| !config.get(b).elements().is_empty())
        .collect();
    match present[..] {
        [_] => {}
        [] => d.push_error(
            "A named location needs a kind block",
            "A named location needs an ip, country, service_tag or private_link block: add `ip { ip_ranges = [...] }`, `country { countries_and_regions = [...] }`, `service_tag { service_tags = [...] }` or `private_link { private_link_resource_policy_ids = [...] }`.",
        ),
        [first, second, ..] => d.push_attr_error(
            AttrPath::root(second),
            format!("Both {first} and {second} blocks"),
            "A named location is one kind: IP ranges, countries, service tags or private links. Keep one of the blocks.",
        ),
    }
}

/// The strings of `block.attr` when the block is there and they are known: at least one, each
/// passing `check`.
fn check_strings(
    config: &Value,
    (block, attr): (&str, &str),
    none: &str,
    invalid: &str,
    check: fn(&str) -> Result<(), String>,
    d: &mut Diagnostics,
) {
    let values = config.block(block).get(attr);
    if config.block(block).is_null() || !values.is_wholly_known() {
        return;
    }
    let path = block_path(block, attr);
    if values.strs().is_empty() {
        d.push_attr_error(
            path.clone(),
            none,
            format!("Give at least one value in {attr}."),
        );
    }
    for v in values.strs() {
        if let Err(e) = check(v) {
            d.push_attr_error(path.clone(), invalid, e);
        }
    }
}

/// One `ip_ranges` entry: a CIDR range, or an address range as the state shows one
/// (`lower-upper`, see `ranges`), which the plan then allows only where it changes nothing.
fn check_ip_range(r: &str) -> Result<(), String> {
    match ranges::parse(r) {
        Some(range) => range.map(|_| ()),
        None => check_cidr(r).map(|_| ()),
    }
}

/// Offline checks of a configuration, each with its attribute: a name, one kind's block, ranges and
/// country codes Graph takes.
pub fn validate(config: &Value) -> Diagnostics {
    let mut d = Diagnostics::default();
    if config
        .get("display_name")
        .as_str()
        .is_some_and(|n| n.trim().is_empty())
    {
        d.push_attr_error(
            AttrPath::root("display_name"),
            "Empty display name",
            "Give the named location a name administrators will recognise.",
        );
    }
    check_one_kind(config, &mut d);
    let ranges = config.block("ip").get("ip_ranges");
    if ranges.is_wholly_known() && !config.block("ip").is_null() {
        let path = block_path("ip", "ip_ranges");
        let all = ranges.strs();
        if all.is_empty() {
            d.push_attr_error(
                path.clone(),
                "No IP ranges",
                "An IP location needs at least one range.",
            );
        }
        if all.len() > MAX_RANGES {
            d.push_attr_error(
                path.clone(),
                "Too many IP ranges",
                format!(
                    "Entra allows at most {MAX_RANGES} ranges per named location; this one has {}. Split them over several locations.",
                    all.len()
                ),
            );
        }
        for r in all {
            if let Err(e) = check_ip_range(r) {
                d.push_attr_error(path.clone(), "Invalid IP range", e);
            }
        }
    }
    check_strings(
        config,
        ("service_tag", "service_tags"),
        "No service tags",
        "Invalid service tag",
        check_service_tag,
        &mut d,
    );
    check_strings(
        config,
        ("private_link", "private_link_resource_policy_ids"),
        "No private link resource policies",
        "Invalid private link resource policy id",
        check_policy_id,
        &mut d,
    );
    let c = config.block("country");
    let codes = c.get("countries_and_regions");
    if codes.is_wholly_known() && !c.is_null() {
        let path = block_path("country", "countries_and_regions");
        if codes.strs().is_empty()
            && c.get("include_unknown_countries_and_regions").as_bool() != Some(true)
        {
            d.push_attr_error(
                path.clone(),
                "No countries",
                "List at least one country or region, or set include_unknown_countries_and_regions = true.",
            );
        }
        for code in codes.strs() {
            if let Err(e) = check_country(code) {
                d.push_attr_error(path.clone(), "Invalid country code", e);
            }
        }
    }
    if let Some(m) = c.get("country_lookup_method").as_str() {
        if !LOOKUP_METHODS.contains(&m) {
            d.push_attr_error(
                block_path("country", "country_lookup_method"),
                "Unknown country lookup method",
                format!("{m:?}: use one of {}.", LOOKUP_METHODS.join(", ")),
            );
        }
    }
    d
}
