//! Unit tests: validation, corpus files mapped both ways, reconciliation and planning, the
//! beta kinds, address ranges, and the metadata's named location types.
use super::convert::same_ranges;
use super::validate::{check_country, COUNTRIES};
use super::*;
use crate::graph::Api;
use crate::plugin::resource::Resource;
use serde_json::{json, Value as Json};

fn corpus(name: &str) -> Json {
    let path = format!(
        "{}/../shared/corpus/named-locations/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// A configuration with one kind block holding `element`, the other blocks empty.
fn config_with(name: &str, block: &str, element: Value) -> Value {
    let mut v = Value::object([
        ("id", Value::Null),
        ("object_id", Value::Null),
        ("display_name", Value::string(name)),
    ]);
    for k in MANAGED {
        let b = k.block().unwrap();
        let items = if b == block {
            vec![element.clone()]
        } else {
            vec![]
        };
        set(&mut v, b, Value::List(items));
    }
    v
}

fn ip_config(ranges: &[&str], trusted: Value) -> Value {
    config_with(
        "Office",
        "ip",
        Value::object([
            ("ip_ranges", Value::string_set(ranges.iter().copied())),
            ("trusted", trusted),
        ]),
    )
}

fn country_config(codes: &[&str], lookup: Value) -> Value {
    config_with(
        "Countries",
        "country",
        Value::object([
            (
                "countries_and_regions",
                Value::string_set(codes.iter().copied()),
            ),
            ("include_unknown_countries_and_regions", Value::Null),
            ("country_lookup_method", lookup),
        ]),
    )
}

fn service_tag_config(tags: &[&str], trusted: Value) -> Value {
    config_with(
        "Azure",
        "service_tag",
        Value::object([
            ("service_tags", Value::string_set(tags.iter().copied())),
            ("trusted", trusted),
        ]),
    )
}

fn private_link_config(ids: &[&str]) -> Value {
    config_with(
        "Private links",
        "private_link",
        Value::object([
            (
                "private_link_resource_policy_ids",
                Value::string_set(ids.iter().copied()),
            ),
            ("trusted", Value::Null),
        ]),
    )
}

fn plan_of(prior: &Value, config: &Value) -> Result<Planned, Diagnostics> {
    plan_in(prior, config, &proposal(prior, config), None)
}

/// Terraform's proposal: the configuration, with the prior's ids (computed, not configured).
fn proposal(prior: &Value, config: &Value) -> Value {
    let mut proposed = config.clone();
    for key in ["id", "object_id"] {
        set(&mut proposed, key, prior.get(key).clone());
    }
    proposed
}

/// The resource's plan as the plugin layer runs it: with what the schema declares around it.
fn plan_in(
    prior: &Value,
    config: &Value,
    proposed: &Value,
    graph_root: Option<&str>,
) -> Result<Planned, Diagnostics> {
    let req = PlanRequest {
        prior,
        config,
        proposed,
    };
    crate::plugin::plan::with_schema(&schema().block, &req, |r| plan(r, graph_root))
}

fn location(v: Json) -> NamedLocation {
    serde_json::from_value(v).unwrap()
}

/// The value with `key` inside block `name` replaced.
fn with(mut v: Value, name: &str, key: &str, value: Value) -> Value {
    set_in_block(&mut v, name, key, value);
    v
}

#[test]
fn cidr_rules_follow_entra() {
    for ok in [
        "6.5.4.3/32",
        "12.34.221.11/22",
        "10.0.0.0/9",
        "2001:db8::1/128",
        "2001:0:9d38:90d6:0:0:0:0/63",
        "64:ff9b::/96",
    ] {
        assert!(check_cidr(ok).is_ok(), "{ok}");
    }
    for bad in [
        "1.2.3.4",
        "10.0.0.0/8",
        "10.0.0.0/0",
        "1.2.3.4/33",
        "::/8",
        "2001:db8::/129",
        "1.2.3/24",
        "host/24",
        "1.2.3.4/+24",
        "1.2.3.4/",
    ] {
        assert!(check_cidr(bad).is_err(), "{bad}");
    }
    assert!(check_cidr("1.2.3.4").unwrap_err().contains("CIDR notation"));
    assert!(check_cidr("10.0.0.0/8")
        .unwrap_err()
        .contains("longer than /8"));
}

#[test]
fn country_codes_are_iso_alpha2_upper_case() {
    assert_eq!(COUNTRIES.len(), 249);
    assert!(COUNTRIES.windows(2).all(|w| w[0] < w[1]));
    for ok in ["NL", "KP", "US", "AX"] {
        assert!(check_country(ok).is_ok(), "{ok}");
    }
    assert!(check_country("nl").unwrap_err().contains("upper case"));
    for bad in ["UK", "XX", "NLD", "", "N"] {
        assert!(check_country(bad).is_err(), "{bad}");
    }
}

#[test]
fn validation_names_each_problem_with_its_path() {
    let d = validate(&ip_config(
        &["1.2.3.4", "10.0.0.0/8", "1.2.3.0/24"],
        Value::Null,
    ));
    assert_eq!(d.0.len(), 2, "{d}");
    assert!(d
        .0
        .iter()
        .all(|x| x.attribute == Some(block_path("ip", "ip_ranges"))));

    let d = validate(&country_config(&["NL", "uk"], Value::string("gps")));
    assert_eq!(d.0.len(), 2, "{d}");
    assert_eq!(
        d.0[1].attribute,
        Some(block_path("country", "country_lookup_method"))
    );

    let many: Vec<String> = (0..2001)
        .map(|i| format!("10.{}.{}.0/24", i / 256, i % 256))
        .collect();
    let refs: Vec<&str> = many.iter().map(String::as_str).collect();
    let d = validate(&ip_config(&refs, Value::Null));
    assert!(d.to_string().contains("at most 2000"), "{d}");

    let mut both = ip_config(&["1.2.3.4/32"], Value::Null);
    set(
        &mut both,
        "country",
        country_config(&["NL"], Value::Null).get("country").clone(),
    );
    let d = validate(&both);
    assert!(d.to_string().contains("Both ip and country"), "{d}");
    assert_eq!(d.0[0].attribute, Some(AttrPath::root("country")));
    let mut neither = ip_config(&[], Value::Null);
    set(&mut neither, "ip", Value::List(vec![]));
    assert!(validate(&neither)
        .to_string()
        .contains("needs an ip, country, service_tag or private_link block"));

    let unknown = with(
        ip_config(&[], Value::Null),
        "ip",
        "ip_ranges",
        Value::Unknown,
    );
    assert!(validate(&unknown).is_empty());
    let mut dynamic = ip_config(&[], Value::Null);
    set(&mut dynamic, "ip", Value::Unknown);
    assert!(validate(&dynamic).is_empty());
    assert!(validate(&country_config(
        &["NL"],
        Value::string("authenticatorAppGps")
    ))
    .is_empty());
}

#[test]
fn ip_corpus_maps_both_ways_with_types_derived_from_addresses() {
    let request = corpus("007-graphdocs-beta-post-ip-request-body.json");
    let response: NamedLocation =
        serde_json::from_value(corpus("008-graphdocs-beta-post-ip-response.json")).unwrap();
    let state = from_graph(&response);
    assert_eq!(
        state.get("id"),
        &Value::string("0854951d-5fc0-4eb1-b392-9b2c9d7949c2")
    );
    assert_eq!(state.block("ip").get("trusted"), &Value::Bool(false));
    assert!(state.block("country").is_null());
    let mut body = to_graph(&state);
    let mut expected = request;
    for b in [&mut body, &mut expected] {
        b["ipRanges"]
            .as_array_mut()
            .unwrap()
            .sort_by_key(|r| r["cidrAddress"].to_string());
    }
    assert_eq!(body, expected);

    let trusted: NamedLocation = serde_json::from_value(corpus(
        "006-graphdocs-v1-list-trusted-ipv6-named-location.json",
    ))
    .unwrap();
    let state = from_graph(&trusted);
    assert_eq!(state.block("ip").get("trusted"), &Value::Bool(true));
    assert!(to_graph(&state)["ipRanges"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["@odata.type"] == "#microsoft.graph.iPv6CidrRange"));
    assert!(validate(&state).is_empty(), "{}", validate(&state));
    let v4: NamedLocation =
        serde_json::from_value(corpus("004-graphdocs-v1-list-ipv4-named-location.json")).unwrap();
    assert!(validate(&from_graph(&v4)).is_empty());
}

#[test]
fn country_corpus_maps_both_ways_with_graph_defaults() {
    let request = corpus("009-graphdocs-beta-post-country-request-body.json");
    let response: NamedLocation =
        serde_json::from_value(corpus("010-graphdocs-beta-post-country-response.json")).unwrap();
    let state = from_graph(&response);
    let c = state.block("country");
    assert_eq!(
        c.get("include_unknown_countries_and_regions"),
        &Value::Bool(true)
    );
    assert_eq!(
        c.get("country_lookup_method"),
        &Value::string("clientIpAddress")
    );
    let mut body = to_graph(&state);
    assert_eq!(body["countryLookupMethod"], "clientIpAddress");
    body.as_object_mut().unwrap().remove("countryLookupMethod");
    let mut expected = request;
    for b in [&mut body, &mut expected] {
        b["countriesAndRegions"]
            .as_array_mut()
            .unwrap()
            .sort_by_key(|c| c.to_string());
    }
    assert_eq!(body, expected);
    for f in [
        "001-j0eyv-allowed-countries-service-accounts.json",
        "002-j0eyv-allowed-countries.json",
        "005-graphdocs-v1-list-country-named-location.json",
    ] {
        let loc: NamedLocation = serde_json::from_value(corpus(f)).unwrap();
        assert_eq!(kind(&loc), Kind::Country, "{f}");
        assert!(validate(&from_graph(&loc)).is_empty(), "{f}");
    }
    let compliant: NamedLocation =
        serde_json::from_value(corpus("003-j0eyv-all-compliant-network-locations.json")).unwrap();
    assert_eq!(kind(&compliant), Kind::CompliantNetwork);
}

#[test]
fn equivalent_forms_keep_the_users_spelling() {
    let prior = with(
        ip_config(
            &["2001:0:9d38:90d6:0:0:0:0/63", "1.2.3.4/32"],
            Value::Bool(false),
        ),
        "ip",
        "ip_ranges",
        Value::string_set(["2001:0:9d38:90d6:0:0:0:0/63", "1.2.3.4/32"]),
    );
    let graph: NamedLocation = serde_json::from_value(json!({
        "@odata.type": "#microsoft.graph.ipNamedLocation", "id": "x", "displayName": "Office", "isTrusted": false,
        "ipRanges": [{"cidrAddress": "1.2.3.4/32"}, {"cidrAddress": "2001:0:9d38:90d6::/63"}]
    }))
    .unwrap();
    let mut expected = prior.clone();
    set(&mut expected, "id", Value::string("x"));
    set(&mut expected, "object_id", Value::string("x"));
    assert_eq!(state_from_graph(&graph, &prior), expected);

    let changed: NamedLocation = serde_json::from_value(json!({
        "@odata.type": "#microsoft.graph.ipNamedLocation", "id": "x", "displayName": "Office", "isTrusted": true,
        "ipRanges": [{"cidrAddress": "1.2.3.4/32"}]
    }))
    .unwrap();
    let s = state_from_graph(&changed, &prior);
    assert_eq!(s.block("ip").get("trusted"), &Value::Bool(true));
    assert_eq!(
        s.block("ip").get("ip_ranges"),
        &Value::string_set(["1.2.3.4/32"])
    );
}

#[test]
fn plan_fills_defaults_ids_and_replaces_on_kind_change() {
    let config = ip_config(&["1.2.3.4/32"], Value::Null);
    let p = plan_in(&Value::Null, &config, &config, None).unwrap();
    assert_eq!(p.state.get("id"), &Value::Unknown);
    assert_eq!(p.state.block("ip").get("trusted"), &Value::Bool(false));
    assert!(p.requires_replace.is_empty());

    let config = country_config(&["NL"], Value::Null);
    let p = plan_in(&Value::Null, &config, &config, None).unwrap();
    let c = p.state.block("country");
    assert_eq!(
        c.get("include_unknown_countries_and_regions"),
        &Value::Bool(false)
    );
    assert_eq!(
        c.get("country_lookup_method"),
        &Value::string("clientIpAddress")
    );

    let mut prior = with(
        ip_config(&["1.2.3.4/32"], Value::Bool(true)),
        "ip",
        "trusted",
        Value::Bool(true),
    );
    set(&mut prior, "id", Value::string("g"));
    let p = plan_in(&prior, &config, &proposal(&prior, &config), None).unwrap();
    assert_eq!(
        p.requires_replace,
        ["ip", "country", "service_tag", "private_link"].map(AttrPath::root)
    );
    assert_eq!(p.state.get("id"), &Value::string("g"));

    let same = ip_config(&["1.2.3.4/32"], Value::Null);
    let p = plan_in(&prior, &same, &prior, None).unwrap();
    assert!(p.requires_replace.is_empty());
    assert_eq!(
        p.state.block("ip").get("trusted"),
        &Value::Bool(false),
        "an unset trusted goes back to false"
    );
}

#[test]
fn gps_lookup_is_refused_in_us_government_clouds() {
    let config = country_config(&["US"], Value::string("authenticatorAppGps"));
    let req = PlanRequest {
        prior: &Value::Null,
        config: &config,
        proposed: &config,
    };
    for root in [
        "https://graph.microsoft.us/.default",
        "https://dod-graph.microsoft.us/.default",
    ] {
        let err = plan(&req, Some(root)).unwrap_err();
        assert_eq!(
            err.0[0].attribute,
            Some(block_path("country", "country_lookup_method"))
        );
    }
    for root in [
        None,
        Some("https://graph.microsoft.com/.default"),
        Some("https://microsoftgraph.chinacloudapi.cn/.default"),
    ] {
        assert!(plan(&req, root).is_ok());
    }
}

#[test]
fn import_ids() {
    assert_eq!(
        guid_of("/identity/conditionalAccess/namedLocations/06e4ff15-ca6b-4843-9c34-3fdd1ce8f739"),
        "06e4ff15-ca6b-4843-9c34-3fdd1ce8f739"
    );
    assert_eq!(
        guid_of("06e4ff15-ca6b-4843-9c34-3fdd1ce8f739"),
        "06e4ff15-ca6b-4843-9c34-3fdd1ce8f739"
    );
    let r = NamedLocationResource::new(Connection::default());
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    assert!(rt
        .block_on(r.import(
            "/identity/conditionalAccess/namedLocations/06e4ff15-ca6b-4843-9c34-3fdd1ce8f739"
        ))
        .is_ok());
    assert!(rt.block_on(r.import("nope")).is_err());
    let err = rt.block_on(r.import(MFA_TRUSTED_IPS_ID)).err().unwrap();
    assert!(err.to_string().contains("data source"));
}

#[test]
fn service_tag_and_private_link_locations_map_both_ways_through_beta() {
    let config = service_tag_config(&["AzureCloud.WestEurope", "Storage"], Value::Null);
    assert!(validate(&config).is_empty(), "{}", validate(&config));
    let p = plan_of(&Value::Null, &config).unwrap();
    assert_eq!(
        p.state.block("service_tag").get("trusted"),
        &Value::Bool(false)
    );
    let mut body = to_graph(&p.state);
    body["serviceTags"]
        .as_array_mut()
        .unwrap()
        .sort_by_key(|t| t.to_string());
    assert_eq!(
        body,
        json!({"@odata.type": "#microsoft.graph.serviceTagNamedLocation", "displayName": "Azure",
            "isTrusted": false, "serviceTags": ["AzureCloud.WestEurope", "Storage"]})
    );
    assert_eq!(planned_kind(&p.state).unwrap().api(), Api::Beta);

    let link = location(json!({
        "@odata.type": "#microsoft.graph.privateLinkNamedLocation", "id": "p", "displayName": "Links",
        "privateLinkResourcePolicyIds": ["/subscriptions/s/providers/microsoft.aadiam/privateLinkForAzureAd/pl"],
        "isTrusted": true, "deletedDateTime": null
    }));
    let state = from_graph(&link);
    let b = state.block("private_link");
    assert_eq!(b.get("trusted"), &Value::Bool(true));
    assert_eq!(
        b.get("private_link_resource_policy_ids").strs(),
        ["/subscriptions/s/providers/microsoft.aadiam/privateLinkForAzureAd/pl"]
    );
    assert!(state.get("ip").elements().is_empty());
    assert_eq!(
        to_graph(&state)["privateLinkResourcePolicyIds"],
        json!(link.private_link_resource_policy_ids)
    );
    assert_eq!(
        untrust_body(Kind::PrivateLink),
        json!({"@odata.type": "#microsoft.graph.privateLinkNamedLocation", "isTrusted": false})
    );
    // IP and country locations are still written through v1.0.
    assert_eq!(Kind::Ip.api(), Api::V1);
    assert_eq!(Kind::Country.api(), Api::V1);
}

#[test]
fn service_tags_and_private_link_ids_are_checked_with_their_paths() {
    let d = validate(&service_tag_config(
        &["AzureCloud", "Azure Cloud", "Sql..East"],
        Value::Null,
    ));
    assert_eq!(d.0.len(), 2, "{d}");
    assert!(d
        .0
        .iter()
        .all(|x| x.attribute == Some(block_path("service_tag", "service_tags"))));
    assert!(
        d.to_string()
            .contains("\"Azure Cloud\" is not a service tag"),
        "{d}"
    );
    let d = validate(&service_tag_config(&[], Value::Null));
    assert!(d.to_string().contains("No service tags"), "{d}");
    let d = validate(&private_link_config(&["ok", "has space", ""]));
    assert_eq!(d.0.len(), 2, "{d}");
    assert_eq!(
        d.0[0].attribute,
        Some(block_path(
            "private_link",
            "private_link_resource_policy_ids"
        ))
    );
    let d = validate(&private_link_config(&[]));
    assert!(
        d.to_string().contains("No private link resource policies"),
        "{d}"
    );

    let mut two = service_tag_config(&["AzureCloud"], Value::Null);
    set(
        &mut two,
        "private_link",
        private_link_config(&["x"]).get("private_link").clone(),
    );
    let d = validate(&two);
    assert!(
        d.to_string().contains("Both service_tag and private_link"),
        "{d}"
    );
    assert_eq!(d.0[0].attribute, Some(AttrPath::root("private_link")));
}

#[test]
fn the_compliant_network_location_is_refused_with_a_pointer_to_the_data_source() {
    let compliant: NamedLocation =
        serde_json::from_value(corpus("003-j0eyv-all-compliant-network-locations.json")).unwrap();
    let err = unmanaged(&compliant).unwrap().to_string();
    assert!(err.contains("system compliant network location"), "{err}");
    assert!(err.contains("entra_named_location data source"), "{err}");
    assert!(err.contains(&compliant.id), "{err}");
    let future =
        location(json!({"@odata.type": "#microsoft.graph.futureNamedLocation", "id": "f"}));
    assert!(unmanaged(&future)
        .unwrap()
        .to_string()
        .contains("#microsoft.graph.futureNamedLocation"));
    for k in MANAGED {
        let loc = NamedLocation {
            odata_type: Some(k.odata_type()),
            ..Default::default()
        };
        assert_eq!(kind(&loc), k);
        assert!(unmanaged(&loc).is_none());
    }
}

/// An IP location as Graph returns one that an older tool wrote: address ranges beside a CIDR.
fn legacy_location() -> NamedLocation {
    location(json!({
        "@odata.type": "#microsoft.graph.ipNamedLocation", "id": "l", "displayName": "Legacy office",
        "isTrusted": false,
        "ipRanges": [
            {"@odata.type": "#microsoft.graph.iPv4Range", "lowerAddress": "198.51.100.10", "upperAddress": "198.51.100.20"},
            {"@odata.type": "#microsoft.graph.iPv6Range", "lowerAddress": "2001:db8::", "upperAddress": "2001:db8::ff"},
            {"@odata.type": "#microsoft.graph.iPv4CidrRange", "cidrAddress": "203.0.113.0/24"}
        ]
    }))
}

#[test]
fn address_ranges_read_as_lower_upper_and_convert_to_cidrs() {
    let state = imported_state(&legacy_location());
    let shown = state.block("ip").get("ip_ranges").strs();
    assert_eq!(
        shown,
        [
            "198.51.100.10-198.51.100.20",
            "2001:db8::-2001:db8::ff",
            "203.0.113.0/24"
        ]
    );
    assert!(validate(&state).is_empty(), "{}", validate(&state));

    let cidrs = |l: &str, u: &str| ranges::as_cidrs(l.parse().unwrap(), u.parse().unwrap());
    assert_eq!(
        cidrs("198.51.100.10", "198.51.100.20"),
        [
            "198.51.100.10/31",
            "198.51.100.12/30",
            "198.51.100.16/30",
            "198.51.100.20/32"
        ]
    );
    assert_eq!(cidrs("2001:db8::", "2001:db8::ff"), ["2001:db8::/120"]);
    assert_eq!(cidrs("10.0.0.7", "10.0.0.7"), ["10.0.0.7/32"]);
    // Never wider than Entra's /9.
    let all = cidrs("0.0.0.0", "255.255.255.255");
    assert_eq!(all.len(), 512);
    assert_eq!(all[1], "0.128.0.0/9");

    for bad in ["10.0.0.9-10.0.0.1", "10.0.0.1-2001:db8::1", "10.0.0.1-x"] {
        let d = validate(&ip_config(&[bad], Value::Null));
        assert_eq!(d.0.len(), 1, "{bad}: {d}");
    }

    let warning = ranges::warning(&legacy_location());
    assert!(!warning.has_errors());
    let text = warning.to_string();
    assert!(text.contains("Legacy office"), "{text}");
    assert!(text.contains("CIDR ranges only"), "{text}");
    assert!(
        text.contains("198.51.100.10-198.51.100.20 as 198.51.100.10/31, 198.51.100.12/30"),
        "{text}"
    );
    assert!(ranges::warning(&from_corpus_ip()).is_empty());
}

fn from_corpus_ip() -> NamedLocation {
    serde_json::from_value(corpus("004-graphdocs-v1-list-ipv4-named-location.json")).unwrap()
}

#[test]
fn address_ranges_stay_while_the_ranges_stay_and_are_never_written() {
    let prior = imported_state(&legacy_location());
    let mut config = prior.clone();
    set(&mut config, "display_name", Value::string("Renamed"));
    // Kept as Graph holds them: the plan goes through and the update leaves ipRanges out.
    let p = plan_of(&prior, &config).unwrap();
    assert!(same_ranges(&prior, &p.state));
    let body = update_body(&prior, &p.state);
    assert_eq!(body["displayName"], "Renamed");
    assert!(body.get("ipRanges").is_none(), "{body}");

    // Changed ranges that keep an address range must give it as CIDRs.
    let changed = with(
        config.clone(),
        "ip",
        "ip_ranges",
        Value::string_set([
            "198.51.100.10-198.51.100.20",
            "2001:db8::/120",
            "192.0.2.0/24",
        ]),
    );
    let err = plan_of(&prior, &changed).unwrap_err();
    assert_eq!(err.0[0].attribute, Some(block_path("ip", "ip_ranges")));
    let text = err.to_string();
    assert!(text.contains("CIDR ranges only"), "{text}");
    assert!(text.contains("198.51.100.20/32"), "{text}");
    // So must a new location.
    assert!(plan_of(
        &Value::Null,
        &ip_config(&["10.0.0.1-10.0.0.2"], Value::Null)
    )
    .is_err());

    // Written as CIDRs, the ranges go to Graph whole.
    let converted = with(
        config,
        "ip",
        "ip_ranges",
        Value::string_set(["198.51.100.10/31", "2001:db8::/120", "203.0.113.0/24"]),
    );
    let p = plan_of(&prior, &converted).unwrap();
    let body = update_body(&prior, &p.state);
    assert_eq!(body["ipRanges"].as_array().unwrap().len(), 3);
}

/// Each Graph property of the named location types and the attribute that holds it.
const MAPPED: &[(&str, &str)] = &[
    ("ipNamedLocation.ipRanges", "ip.ip_ranges"),
    ("ipNamedLocation.isTrusted", "ip.trusted"),
    (
        "countryNamedLocation.countriesAndRegions",
        "country.countries_and_regions",
    ),
    (
        "countryNamedLocation.includeUnknownCountriesAndRegions",
        "country.include_unknown_countries_and_regions",
    ),
    (
        "countryNamedLocation.countryLookupMethod",
        "country.country_lookup_method",
    ),
    (
        "serviceTagNamedLocation.serviceTags",
        "service_tag.service_tags",
    ),
    ("serviceTagNamedLocation.isTrusted", "service_tag.trusted"),
    (
        "privateLinkNamedLocation.privateLinkResourcePolicyIds",
        "private_link.private_link_resource_policy_ids",
    ),
    ("privateLinkNamedLocation.isTrusted", "private_link.trusted"),
    (
        "compliantNetworkNamedLocation.compliantNetworkType",
        "compliant_network.compliant_network_type",
    ),
    (
        "compliantNetworkNamedLocation.isTrusted",
        "compliant_network.trusted",
    ),
];

/// Microsoft's metadata as the oracle: every type derived from namedLocation is a known kind,
/// each of its properties has an attribute (the resource's, or the data source's for the
/// system kind), and the write body of each managed kind names exactly those properties.
#[test]
fn every_named_location_type_and_property_of_the_metadata_is_mapped() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/reference/graph-metadata/graph-metadata.json"
    );
    let meta: Json = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let data_source = crate::data_sources::named_location::schema();
    let types = meta["types"].as_object().unwrap();
    let derived: Vec<&String> = types
        .iter()
        .filter(|(_, t)| t["base"] == "namedLocation")
        .map(|(n, _)| n)
        .collect();
    assert_eq!(derived.len(), WITH_BLOCKS.len(), "{derived:?}");
    for name in derived {
        let k = kind(&NamedLocation {
            odata_type: Some(format!("#microsoft.graph.{name}")),
            ..Default::default()
        });
        assert!(WITH_BLOCKS.contains(&k), "{name} is not a known kind");
        let props: Vec<&String> = types[name]["properties"]
            .as_object()
            .unwrap()
            .keys()
            .collect();
        for prop in &props {
            let graph = format!("{name}.{prop}");
            let (_, attr) = MAPPED
                .iter()
                .find(|(g, _)| *g == graph)
                .unwrap_or_else(|| panic!("{graph} is not mapped"));
            let (block, leaf) = attr.split_once('.').unwrap();
            assert_eq!(Some(block), k.block(), "{graph}");
            let has =
                |attrs: &[crate::plugin::schema::Attribute]| attrs.iter().any(|a| a.name == block);
            assert!(
                has(&data_source.block.attributes),
                "data source lacks {attr}"
            );
            if MANAGED.contains(&k) {
                let nb = schema()
                    .block
                    .block_types
                    .into_iter()
                    .find(|b| b.type_name == block)
                    .unwrap();
                assert!(
                    nb.block.attributes.iter().any(|a| a.name == leaf),
                    "resource lacks {attr}"
                );
            }
        }
        if MANAGED.contains(&k) {
            let mut expected: Vec<&str> = props.iter().map(|p| p.as_str()).collect();
            expected.extend(["@odata.type", "displayName"]);
            expected.sort();
            let state = config_with("x", k.block().unwrap(), Value::object::<&str>([]));
            let body = to_graph(&state);
            let mut sent: Vec<&str> = body
                .as_object()
                .unwrap()
                .keys()
                .map(String::as_str)
                .collect();
            sent.sort();
            assert_eq!(sent, expected, "{name}");
        }
    }
}
