//! Unit tests: validation, corpus files mapped both ways, reconciliation and planning.
use super::validate::{check_country, COUNTRIES};
use super::*;

fn corpus(name: &str) -> Json {
    let path = format!(
        "{}/../shared/corpus/named-locations/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn ip_config(ranges: &[&str], trusted: Value) -> Value {
    Value::object([
        ("id", Value::Null),
        ("object_id", Value::Null),
        ("display_name", Value::string("Office")),
        (
            "ip",
            Value::List(vec![Value::object([
                ("ip_ranges", Value::string_set(ranges.iter().copied())),
                ("trusted", trusted),
            ])]),
        ),
        ("country", Value::List(vec![])),
    ])
}

fn country_config(codes: &[&str], lookup: Value) -> Value {
    Value::object([
        ("id", Value::Null),
        ("object_id", Value::Null),
        ("display_name", Value::string("Countries")),
        ("ip", Value::List(vec![])),
        (
            "country",
            Value::List(vec![Value::object([
                (
                    "countries_and_regions",
                    Value::string_set(codes.iter().copied()),
                ),
                ("include_unknown_countries_and_regions", Value::Null),
                ("country_lookup_method", lookup),
            ])]),
        ),
    ])
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
    assert!(validate(&both).to_string().contains("Both ip and country"));
    let mut neither = ip_config(&[], Value::Null);
    set(&mut neither, "ip", Value::List(vec![]));
    assert!(validate(&neither)
        .to_string()
        .contains("needs an ip or a country"));

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
    assert_eq!(kind(&compliant), Kind::Other);
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
        "@odata.type": IP_TYPE, "id": "x", "displayName": "Office", "isTrusted": false,
        "ipRanges": [{"cidrAddress": "1.2.3.4/32"}, {"cidrAddress": "2001:0:9d38:90d6::/63"}]
    }))
    .unwrap();
    let mut expected = prior.clone();
    set(&mut expected, "id", Value::string("x"));
    set(&mut expected, "object_id", Value::string("x"));
    assert_eq!(state_from_graph(&graph, &prior), expected);

    let changed: NamedLocation = serde_json::from_value(json!({
        "@odata.type": IP_TYPE, "id": "x", "displayName": "Office", "isTrusted": true,
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
    let p = plan(
        &PlanRequest {
            prior: &Value::Null,
            config: &config,
            proposed: &config,
        },
        None,
    )
    .unwrap();
    assert_eq!(p.state.get("id"), &Value::Unknown);
    assert_eq!(p.state.block("ip").get("trusted"), &Value::Bool(false));
    assert!(p.requires_replace.is_empty());

    let config = country_config(&["NL"], Value::Null);
    let p = plan(
        &PlanRequest {
            prior: &Value::Null,
            config: &config,
            proposed: &config,
        },
        None,
    )
    .unwrap();
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
    let p = plan(
        &PlanRequest {
            prior: &prior,
            config: &config,
            proposed: &config,
        },
        None,
    )
    .unwrap();
    assert_eq!(
        p.requires_replace,
        vec![AttrPath::root("ip"), AttrPath::root("country")]
    );
    assert_eq!(p.state.get("id"), &Value::string("g"));

    let same = ip_config(&["1.2.3.4/32"], Value::Null);
    let p = plan(
        &PlanRequest {
            prior: &prior,
            config: &same,
            proposed: &prior,
        },
        None,
    )
    .unwrap();
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
