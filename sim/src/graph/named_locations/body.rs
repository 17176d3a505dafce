//! Write bodies of named locations (POST, PATCH and seed files): the derived type, each
//! property's type, and Graph's rules on ranges, countries and the beta kinds' collections.

use super::{
    canonical_type, Kind, COMPLIANT_NETWORK_TYPE, COUNTRY_TYPE, IPV4_ADDRESS_RANGE_TYPE,
    IPV4_RANGE_TYPE, IPV6_ADDRESS_RANGE_TYPE, IPV6_RANGE_TYPE, IP_TYPE, MAX_IP_RANGES, MIN_PREFIX,
    PRIVATE_LINK_TYPE, SERVICE_TAG_TYPE,
};
use serde_json::{json, Map, Value};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

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

/// `countryLookupMethodType`: how a country location tells where a sign-in comes from.
pub const COUNTRY_LOOKUP_METHODS: &[&str] = &["clientIpAddress", "authenticatorAppGps"];

/// Who writes a body. The API of each version knows its own types; a seed file stands for what
/// a tenant already holds, including ranges older tools wrote that the API no longer takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Writer {
    V1,
    Beta,
    Seed,
}

impl Writer {
    fn knows(self, kind: Kind) -> bool {
        self != Writer::V1 || !kind.beta_only()
    }
}

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

/// The types a writer may name, for messages.
fn expected_types(writer: Writer) -> String {
    let beta = [PRIVATE_LINK_TYPE, SERVICE_TAG_TYPE];
    let mut all = vec![IP_TYPE, COUNTRY_TYPE];
    if writer != Writer::V1 {
        all.extend(beta);
    }
    all.iter()
        .map(|t| format!("'{t}'"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The `@odata.type` of a write body, required.
pub(crate) fn body_kind(body: &Map<String, Value>, writer: Writer) -> Result<Kind, String> {
    let Some(t) = body.get("@odata.type") else {
        return Err(format!(
            "The '@odata.type' property is required to create or update a named location: one of {}.",
            expected_types(writer)
        ));
    };
    let t = t.as_str().unwrap_or_default();
    if canonical_type(t, &[COMPLIANT_NETWORK_TYPE]).is_some() {
        return Err(format!(
            "Named locations of type '{COMPLIANT_NETWORK_TYPE}' are managed by the system and cannot be created or updated."
        ));
    }
    match Kind::ALL
        .into_iter()
        .find(|k| canonical_type(t, &[k.odata_type()]).is_some())
    {
        Some(k) if writer.knows(k) => Ok(k),
        // v1.0's model lacks the beta types: OData's deserializer refuses the name itself.
        Some(k) => Err(format!(
            "A type named '{}' could not be resolved by the model. When a model is available, each type name must resolve to a valid type.",
            k.type_name()
        )),
        None => Err(format!(
            "Invalid '@odata.type' '{t}' for a named location: expected one of {}.",
            expected_types(writer)
        )),
    }
}

/// One `ipRanges` element: `@odata.type` required; a CIDR range's type is re-derived from its
/// address. Address ranges (`lowerAddress`/`upperAddress`) exist in the metadata, and older
/// tools left them in tenants, but named locations take CIDR ranges only (graph-metadata's
/// scope note on `iPv4Range`): only a seed may hold them. Graph's exact refusal is not known.
pub(crate) fn check_ip_range(v: &Value, writer: Writer) -> Result<Value, String> {
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
    let address_ranges = [IPV4_ADDRESS_RANGE_TYPE, IPV6_ADDRESS_RANGE_TYPE];
    if let Some(t) = canonical_type(t, &address_ranges) {
        if writer != Writer::Seed {
            return Err(format!(
                "Named locations take CIDR ranges only: '{t}' is not accepted in 'ipRanges'. Use '{IPV4_RANGE_TYPE}' or '{IPV6_RANGE_TYPE}' with 'cidrAddress'."
            ));
        }
        return address_range(t, r);
    }
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

/// A seeded `iPv4Range` / `iPv6Range`: two addresses of the type's family, lower first.
fn address_range(t: &str, r: &Map<String, Value>) -> Result<Value, String> {
    let address = |k: &str| -> Result<IpAddr, String> {
        let s = r.get(k).and_then(Value::as_str).unwrap_or_default();
        let a: IpAddr = s
            .parse()
            .map_err(|_| format!("'{s}' in '{k}' is not an IP address."))?;
        if a.is_ipv4() != (t == IPV4_ADDRESS_RANGE_TYPE) {
            return Err(format!("'{s}' in '{k}' does not fit '{t}'."));
        }
        Ok(a)
    };
    let (lower, upper) = (address("lowerAddress")?, address("upperAddress")?);
    if lower > upper {
        return Err(format!("'{lower}' is above '{upper}' in '{t}'."));
    }
    Ok(
        json!({"@odata.type": t, "lowerAddress": r["lowerAddress"], "upperAddress": r["upperAddress"]}),
    )
}

/// The range type for a CIDR (`a.b.c.d/n` or `ipv6/n`), or why it is not acceptable.
pub(crate) fn cidr_type(cidr: &str) -> Result<&'static str, String> {
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

/// `privateLinkResourcePolicyIds` / `serviceTags`: strings, none empty, at least one. Graph
/// documents neither the values nor the rules (the types are inferred from Microsoft's beta
/// type list); at least one mirrors `ipRanges` and `countriesAndRegions`.
fn check_strings(k: &str, v: &Value) -> Result<(), String> {
    let Value::Array(items) = v else {
        return Err(format!(
            "The '{k}' property must be a collection of strings."
        ));
    };
    if items.is_empty() {
        return Err(format!(
            "The '{k}' property must contain at least one value."
        ));
    }
    for item in items {
        match item.as_str() {
            Some(s) if !s.trim().is_empty() => {}
            Some(_) => return Err(format!("The '{k}' property cannot contain empty values.")),
            None => return Err(type_error(k, item, "Edm.String")),
        }
    }
    Ok(())
}

/// Check a POST/PATCH body against `kind`; returns the writable properties it sets
/// (normalised: range types derived).
pub(crate) fn check_props(
    body: &Map<String, Value>,
    kind: Kind,
    writer: Writer,
) -> Result<Map<String, Value>, String> {
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
            ("isTrusted", _) if kind.has_trust() => {
                if !v.is_boolean() {
                    return Err(type_error(k, v, "Edm.Boolean"));
                }
                out.insert(k.clone(), v.clone());
            }
            ("includeUnknownCountriesAndRegions", Kind::Country) => {
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
                    .map(|r| check_ip_range(r, writer))
                    .collect::<Result<Vec<_>, _>>()?;
                out.insert(k.clone(), Value::Array(ranges));
            }
            (_, _) if kind.collection() == Some(k.as_str()) => {
                check_strings(k, v)?;
                out.insert(k.clone(), v.clone());
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
pub(crate) fn check_entity(m: &Map<String, Value>, kind: Kind) -> Result<(), String> {
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
        Kind::PrivateLink | Kind::ServiceTag => {
            let k = kind.collection().unwrap_or_default();
            if !m.get(k).is_some_and(Value::is_array) {
                return Err(format!(
                    "The '{k}' property is required for '{}'.",
                    kind.odata_type()
                ));
            }
        }
    }
    Ok(())
}

/// A full new location from a POST body (or a seed file): type, properties, defaults.
/// Timestamps are not set here.
pub(crate) fn new_location(
    body: &Map<String, Value>,
    writer: Writer,
) -> Result<Map<String, Value>, String> {
    let kind = body_kind(body, writer)?;
    let props = check_props(body, kind, writer)?;
    let mut m = Map::new();
    m.insert("@odata.type".into(), json!(kind.odata_type()));
    m.extend(props);
    check_entity(&m, kind)?;
    if kind.has_trust() {
        m.entry("isTrusted").or_insert(json!(false));
    }
    if kind == Kind::Country {
        m.entry("includeUnknownCountriesAndRegions")
            .or_insert(json!(false));
        m.entry("countryLookupMethod")
            .or_insert(json!("clientIpAddress"));
    }
    Ok(m)
}
