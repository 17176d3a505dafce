//! Named locations (ip / country / beta's system compliant-network location): CRUD on v1.0 and
//! beta, replaying the reference examples, validation rules and limits, delete guards, the
//! CA policy "Invalid Location" check, seeding and the shared CA rate limit.

mod common;

use common::*;
use entra_graph_sim::SimOptions;
use reqwest::Method;
use serde_json::{json, Value};

const COLL: &str = "/identity/conditionalAccess/namedLocations";
const CA: &str = "/identity/conditionalAccess/policies";
const SYSTEM_ID: &str = "3d46dbda-8382-466a-856d-eb00cbc6b910";
const MFA_TRUSTED_IPS: &str = "00000000-0000-0000-0000-000000000000";

impl Tenant {
    async fn post(&self, body: &Value) -> (u16, Value) {
        self.call(Method::POST, &format!("/v1.0{COLL}"), Some(body))
            .await
    }

    async fn create(&self, body: &Value) -> String {
        let (s, b) = self.post(body).await;
        assert_eq!(s, 201, "create failed: {b}");
        b["id"].as_str().unwrap().to_string()
    }

    async fn get(&self, version: &str, id: &str) -> (u16, Value) {
        self.call(Method::GET, &format!("/{version}{COLL}/{id}"), None)
            .await
    }

    async fn patch(&self, id: &str, body: &Value) -> (u16, Value) {
        self.call(Method::PATCH, &format!("/v1.0{COLL}/{id}"), Some(body))
            .await
    }

    async fn delete(&self, id: &str) -> (u16, Value) {
        self.call(Method::DELETE, &format!("/v1.0{COLL}/{id}"), None)
            .await
    }

    async fn list(&self, version: &str) -> Vec<Value> {
        let (s, b) = self
            .call(Method::GET, &format!("/{version}{COLL}"), None)
            .await;
        assert_eq!(s, 200, "{b}");
        b["value"].as_array().unwrap().clone()
    }
}

fn ip(name: &str, cidrs: &[&str]) -> Value {
    let ranges: Vec<Value> = cidrs
        .iter()
        .map(|c| json!({"@odata.type": "#microsoft.graph.iPv4CidrRange", "cidrAddress": c}))
        .collect();
    json!({"@odata.type": "#microsoft.graph.ipNamedLocation", "displayName": name, "ipRanges": ranges})
}

fn country(name: &str, codes: &[&str]) -> Value {
    json!({"@odata.type": "#microsoft.graph.countryNamedLocation", "displayName": name, "countriesAndRegions": codes})
}

fn policy_with_locations(include: &[&str], exclude: &[&str]) -> Value {
    json!({
        "displayName": "Block outside locations",
        "state": "enabled",
        "conditions": {
            "clientAppTypes": ["all"],
            "applications": {"includeApplications": ["All"]},
            "users": {"includeUsers": ["All"]},
            "locations": {"includeLocations": include, "excludeLocations": exclude}
        },
        "grantControls": {"operator": "OR", "builtInControls": ["block"]}
    })
}

/// What a minimal-metadata GET carries of a full-metadata export: drop `@odata.context`,
/// `@odata.id`, `@odata.editLink`, `x@odata.type` annotations and `#action` links; keep the
/// polymorphic `@odata.type`.
fn minimal_metadata(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(k, _)| {
                    k.as_str() == "@odata.type"
                        || !(k.starts_with('@') || k.contains("@odata.") || k.starts_with('#'))
                })
                .map(|(k, v)| (k.clone(), minimal_metadata(v)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(minimal_metadata).collect()),
        other => other.clone(),
    }
}

fn without(v: &Value, keys: &[&str]) -> Value {
    let mut m = v.as_object().unwrap().clone();
    for k in keys {
        m.shift_remove(*k);
    }
    Value::Object(m)
}

fn keys(v: &Value) -> Vec<String> {
    v.as_object().unwrap().keys().cloned().collect()
}

fn is_graph_timestamp(s: &str) -> bool {
    s.len() == 28 && s.ends_with('Z') && s.as_bytes()[19] == b'.'
}

fn message(b: &Value) -> String {
    b["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

async fn assert_400(t: &Tenant, body: &Value, needle: &str) {
    let (s, b) = t.post(body).await;
    assert_eq!(s, 400, "{body} -> {b}");
    assert_eq!(assert_graph_error(&b), "BadRequest");
    assert!(message(&b).contains(needle), "{needle:?} not in {b}");
}

// ---------------------------------------------------------------------------------------------
// Examples

#[tokio::test]
async fn create_examples_replay_with_reference_shape() {
    let t = Tenant::new().await;
    for (req_name, resp_name) in [
        (
            "namedlocation-ip.create.request.json",
            "namedlocation-ip.create.response.json",
        ),
        (
            "namedlocation-country.create.request.json",
            "namedlocation-country.create.response.json",
        ),
    ] {
        let request = example(req_name);
        let expected = example(resp_name);
        let (s, h, got) = send(
            &t.client,
            Method::POST,
            &graph_url(&t.sim, &format!("/v1.0{COLL}")),
            &t.token,
            Some(&request),
        )
        .await;
        let got = got.unwrap();
        assert_eq!(s, 201, "{got}");
        let id = got["id"].as_str().unwrap().to_string();
        uuid::Uuid::parse_str(&id).unwrap();
        assert!(h["location"].to_str().unwrap().ends_with(&id));
        assert_eq!(
            got["@odata.context"],
            format!(
                "{}/v1.0/$metadata#identity/conditionalAccess/namedLocations/$entity",
                t.sim.info().graph_endpoint
            )
        );
        let created = got["createdDateTime"].as_str().unwrap();
        assert!(is_graph_timestamp(created), "{created}");
        assert_eq!(got["modifiedDateTime"], got["createdDateTime"]);

        // Same members in the same order as the docs' response (the 2019 country sample predates
        // countryLookupMethod, which the service now returns with its default).
        let mut want = without(
            &expected,
            &[
                "@odata.context",
                "id",
                "createdDateTime",
                "modifiedDateTime",
            ],
        );
        if req_name.contains("country") {
            want["countryLookupMethod"] = json!("clientIpAddress");
        }
        let got_cmp = without(
            &got,
            &[
                "@odata.context",
                "id",
                "createdDateTime",
                "modifiedDateTime",
            ],
        );
        assert_eq!(got_cmp, want, "{resp_name}");
        let mut want_keys = keys(&expected);
        if req_name.contains("country") {
            want_keys.push("countryLookupMethod".into());
        }
        assert_eq!(keys(&got), want_keys, "member order of {resp_name}");

        // GET returns the same entity.
        let (s, again) = t.get("v1.0", &id).await;
        assert_eq!(s, 200);
        assert_eq!(again, got);
    }
}

#[tokio::test]
async fn patch_example_merges_and_bumps_modified() {
    let t = Tenant::new().await;
    let id = t
        .create(&example("namedlocation-ip.create.request.json"))
        .await;
    let (_, before) = t.get("v1.0", &id).await;
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let patch = example("namedlocation-ip.patch.request.json");
    let (s, b) = t.patch(&id, &patch).await;
    assert_eq!(s, 204, "{b}");
    assert_eq!(b, Value::Null);
    let (_, after) = t.get("v1.0", &id).await;
    assert_eq!(after["displayName"], patch["displayName"]);
    assert_eq!(after["ipRanges"], patch["ipRanges"]);
    assert_eq!(after["isTrusted"], false);
    assert_eq!(after["createdDateTime"], before["createdDateTime"]);
    assert_ne!(after["modifiedDateTime"], before["modifiedDateTime"]);

    // Omitted members are kept (merge); only @odata.type + isTrusted.
    let (s, _) = t
        .patch(
            &id,
            &json!({"@odata.type": "#microsoft.graph.ipNamedLocation", "isTrusted": true}),
        )
        .await;
    assert_eq!(s, 204);
    let (_, after2) = t.get("v1.0", &id).await;
    assert_eq!(after2["isTrusted"], true);
    assert_eq!(after2["ipRanges"], patch["ipRanges"]);
    assert_eq!(after2["displayName"], patch["displayName"]);
}

#[tokio::test]
async fn beta_get_of_a_country_location_matches_the_real_export() {
    let t = Tenant::new().await;
    let real = example("namedlocation-country.get.beta-real.json");
    let body = json!({
        "@odata.type": real["@odata.type"],
        "displayName": real["displayName"],
        "countriesAndRegions": real["countriesAndRegions"],
        "includeUnknownCountriesAndRegions": real["includeUnknownCountriesAndRegions"],
        "countryLookupMethod": real["countryLookupMethod"],
    });
    let id = t.create(&body).await;
    let (s, got) = t.get("beta", &id).await;
    assert_eq!(s, 200);
    let volatile = ["id", "createdDateTime", "modifiedDateTime"];
    assert_eq!(
        without(&minimal_metadata(&got), &volatile),
        without(&minimal_metadata(&real), &volatile)
    );
    assert_eq!(
        keys(&minimal_metadata(&got)),
        keys(&minimal_metadata(&real))
    );
    // v1.0 has no deletedDateTime.
    let (_, v1) = t.get("v1.0", &id).await;
    assert!(v1.get("deletedDateTime").is_none());
}

#[tokio::test]
async fn system_compliant_network_location_is_beta_only_and_read_only() {
    let t = Tenant::new().await;
    let real = minimal_metadata(&example(
        "namedlocation-compliantnetwork.get.beta-real.json",
    ));
    let beta = t.list("beta").await;
    let listed: Vec<&Value> = beta.iter().filter(|l| l["id"] == SYSTEM_ID).collect();
    assert_eq!(listed.len(), 1);
    assert_eq!(*listed[0], real);
    assert!(t.list("v1.0").await.is_empty());
    let (s, got) = t.get("beta", SYSTEM_ID).await;
    assert_eq!(s, 200);
    assert_eq!(without(&got, &["@odata.context"]), real);
    let (s, _) = t.get("v1.0", SYSTEM_ID).await;
    assert_eq!(s, 404);
    for (method, body) in [
        (
            Method::PATCH,
            Some(
                json!({"@odata.type": "#microsoft.graph.compliantNetworkNamedLocation", "displayName": "x"}),
            ),
        ),
        (Method::DELETE, None),
    ] {
        let (s, b) = t
            .call(method, &format!("/beta{COLL}/{SYSTEM_ID}"), body.as_ref())
            .await;
        assert_eq!(s, 400, "{b}");
        assert!(message(&b).contains("managed by the system"), "{b}");
    }
    // It cannot be created either.
    assert_400(
        &t,
        &json!({"@odata.type": "#microsoft.graph.compliantNetworkNamedLocation", "displayName": "x"}),
        "managed by the system",
    )
    .await;
    // It is a named location CA policies may reference.
    let (s, b) = t
        .call(
            Method::POST,
            &format!("/beta{CA}"),
            Some(&policy_with_locations(&["All"], &[SYSTEM_ID])),
        )
        .await;
    assert_eq!(s, 201, "{b}");
}

#[tokio::test]
async fn unknown_and_mfa_trusted_ips_ids_are_not_found_like_graph() {
    let t = Tenant::new().await;
    let real = example("error.namedlocation-notfound.json");
    for version in ["v1.0", "beta"] {
        let (s, b) = t.get(version, MFA_TRUSTED_IPS).await;
        assert_eq!(s, 404);
        assert_eq!(assert_graph_error(&b), "ResourceNotFound");
        assert_eq!(b["error"]["message"], real["error"]["message"]);
    }
    let other = "5a1f9c1e-0000-4000-8000-000000000001";
    for (method, body) in [
        (Method::GET, None),
        (Method::PATCH, Some(country("x", &["NL"]))),
        (Method::DELETE, None),
    ] {
        let (s, b) = t
            .call(method, &format!("/v1.0{COLL}/{other}"), body.as_ref())
            .await;
        assert_eq!(s, 404);
        assert_eq!(
            b["error"]["message"],
            format!("NamedLocation with id {other} does not exist in the directory.")
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Validation

#[tokio::test]
async fn odata_type_is_required_on_writes_and_ip_ranges() {
    let t = Tenant::new().await;
    let mut no_type = ip("x", &["10.0.0.0/16"]);
    no_type.as_object_mut().unwrap().remove("@odata.type");
    assert_400(&t, &no_type, "@odata.type").await;
    assert_400(
        &t,
        &json!({"@odata.type": "#microsoft.graph.namedLocation", "displayName": "x"}),
        "@odata.type",
    )
    .await;
    assert_400(
        &t,
        &json!({"@odata.type": "#microsoft.graph.ipNamedLocation", "displayName": "x", "ipRanges": [{"cidrAddress": "10.0.0.0/16"}]}),
        "@odata.type",
    )
    .await;
    assert_400(
        &t,
        &json!({"@odata.type": "#microsoft.graph.ipNamedLocation", "displayName": "x", "ipRanges": [{"@odata.type": "#microsoft.graph.ipRange", "cidrAddress": "10.0.0.0/16"}]}),
        "@odata.type",
    )
    .await;

    let id = t.create(&ip("x", &["10.0.0.0/16"])).await;
    let (s, b) = t.patch(&id, &json!({"displayName": "y"})).await;
    assert_eq!(s, 400, "{b}");
    assert!(message(&b).contains("@odata.type"));
    // The type cannot change.
    let (s, b) = t.patch(&id, &country("y", &["NL"])).await;
    assert_eq!(s, 400, "{b}");
    assert!(message(&b).contains("cannot be changed"), "{b}");
    // Required members.
    assert_400(
        &t,
        &json!({"@odata.type": "#microsoft.graph.ipNamedLocation", "displayName": "x"}),
        "ipRanges",
    )
    .await;
    assert_400(
        &t,
        &json!({"@odata.type": "#microsoft.graph.ipNamedLocation", "ipRanges": []}),
        "ipRanges",
    )
    .await;
    assert_400(
        &t,
        &json!({"@odata.type": "#microsoft.graph.countryNamedLocation", "displayName": "x"}),
        "countriesAndRegions",
    )
    .await;
    let mut no_name = country("x", &["NL"]);
    no_name.as_object_mut().unwrap().remove("displayName");
    assert_400(&t, &no_name, "displayName").await;
    // Unknown members.
    let mut extra = ip("x", &["10.0.0.0/16"]);
    extra["trusted"] = json!(true);
    assert_400(&t, &extra, "'trusted' does not exist").await;
}

#[tokio::test]
async fn range_type_is_derived_from_the_address_and_cidr_echoed_verbatim() {
    let t = Tenant::new().await;
    // azuread sends iPv4CidrRange for every range (its test uses 64:ff9b::/96).
    let id = t
        .create(&ip("mixed", &["64:ff9b::/96", "12.34.221.11/22"]))
        .await;
    let (_, got) = t.get("v1.0", &id).await;
    assert_eq!(
        got["ipRanges"],
        json!([
            {"@odata.type": "#microsoft.graph.iPv6CidrRange", "cidrAddress": "64:ff9b::/96"},
            {"@odata.type": "#microsoft.graph.iPv4CidrRange", "cidrAddress": "12.34.221.11/22"}
        ])
    );
    // And the other way round.
    let body = json!({"@odata.type": "#microsoft.graph.ipNamedLocation", "displayName": "v4",
        "ipRanges": [{"@odata.type": "#microsoft.graph.iPv6CidrRange", "cidrAddress": "198.51.100.0/24"}]});
    let id = t.create(&body).await;
    let (_, got) = t.get("v1.0", &id).await;
    assert_eq!(
        got["ipRanges"][0]["@odata.type"],
        "#microsoft.graph.iPv4CidrRange"
    );
    assert_eq!(got["isTrusted"], false, "isTrusted defaults to false");
}

#[tokio::test]
async fn cidr_syntax_prefix_and_range_count_limits() {
    let t = Tenant::new().await;
    for ok in [
        "10.0.0.0/9",
        "203.0.113.7/32",
        "2001:db8::1/128",
        "2001:db8::/9",
        "192.168.1.0/24",
    ] {
        let (s, b) = t.post(&ip("ok", &[ok])).await;
        assert_eq!(s, 201, "{ok}: {b}");
    }
    for (bad, needle) in [
        ("10.0.0.0", "prefix length is missing"),
        ("10.0.0.0/8", "greater than /8"),
        ("10.0.0.0/0", "greater than /8"),
        ("2001:db8::/8", "greater than /8"),
        ("10.0.0.0/33", "from 0 to 32"),
        ("2001:db8::/129", "from 0 to 128"),
        ("10.0.0.0/x", "prefix length"),
        ("10.0.0.256/24", "not an IPv4 or IPv6 address"),
        ("contoso.com/24", "not an IPv4 or IPv6 address"),
        ("", "prefix length is missing"),
    ] {
        assert_400(&t, &ip("bad", &[bad]), needle).await;
    }
    assert_400(&t, &ip("empty", &[]), "at least one").await;
    let many: Vec<String> = (0..2001)
        .map(|i| format!("10.{}.{}.0/24", i / 256, i % 256))
        .collect();
    let refs: Vec<&str> = many.iter().map(String::as_str).collect();
    let (s, b) = t.post(&ip("2000", &refs[..2000])).await;
    assert_eq!(s, 201, "{b}");
    assert_eq!(b["ipRanges"].as_array().unwrap().len(), 2000);
    assert_400(&t, &ip("2001", &refs), "at most 2000").await;
    // PATCH applies the same rules.
    let id = b["id"].as_str().unwrap().to_string();
    let (s, b) = t.patch(&id, &ip("x", &["10.0.0.0/8"])).await;
    assert_eq!(s, 400, "{b}");
}

#[tokio::test]
async fn country_codes_lookup_method_and_is_trusted() {
    let t = Tenant::new().await;
    let (s, b) = t
        .post(&country(
            "everywhere",
            &["US", "GB", "AX", "SS", "BQ", "NL"],
        ))
        .await;
    assert_eq!(s, 201, "{b}");
    assert_eq!(b["includeUnknownCountriesAndRegions"], false);
    assert_eq!(b["countryLookupMethod"], "clientIpAddress");
    for bad in ["UK", "XX", "us", "EU", "USA", ""] {
        assert_400(&t, &country("bad", &[bad]), "not a valid country").await;
    }
    // Empty only together with unknown countries.
    assert_400(&t, &country("none", &[]), "at least one country").await;
    let mut unknown_only = country("unknown", &[]);
    unknown_only["includeUnknownCountriesAndRegions"] = json!(true);
    let (s, b) = t.post(&unknown_only).await;
    assert_eq!(s, 201, "{b}");

    // GPS lookup.
    let mut gps = country("gps", &["BE"]);
    gps["countryLookupMethod"] = json!("authenticatorAppGps");
    let (s, b) = t.post(&gps).await;
    assert_eq!(s, 201, "{b}");
    assert_eq!(b["countryLookupMethod"], "authenticatorAppGps");
    let id = b["id"].as_str().unwrap().to_string();
    let (_, got) = t.get("beta", &id).await;
    assert_eq!(got["countryLookupMethod"], "authenticatorAppGps");
    let (s, _) = t
        .patch(
            &id,
            &json!({"@odata.type": "#microsoft.graph.countryNamedLocation", "countryLookupMethod": "clientIpAddress"}),
        )
        .await;
    assert_eq!(s, 204);
    let (_, got) = t.get("v1.0", &id).await;
    assert_eq!(got["countryLookupMethod"], "clientIpAddress");
    assert_eq!(got["countriesAndRegions"], json!(["BE"]));
    for bad in [json!(""), json!("gps"), json!(null), json!(1)] {
        let mut body = country("bad", &["BE"]);
        body["countryLookupMethod"] = bad;
        assert_400(&t, &body, "countryLookupMethod").await;
    }
    // isTrusted does not exist on country locations.
    let mut trusted = country("trusted", &["BE"]);
    trusted["isTrusted"] = json!(true);
    assert_400(&t, &trusted, "'isTrusted' does not exist").await;
    let (s, b) = t
        .patch(
            &id,
            &json!({"@odata.type": "#microsoft.graph.countryNamedLocation", "isTrusted": false}),
        )
        .await;
    assert_eq!(s, 400, "{b}");
}

#[tokio::test]
async fn at_most_195_named_locations() {
    let t = Tenant::new().await;
    for i in 0..195 {
        t.create(&country(&format!("c{i}"), &["NL"])).await;
    }
    assert_eq!(t.sim.named_location_ids().len(), 195);
    assert_400(&t, &country("one too many", &["NL"]), "maximum of 195").await;
    // Deleting one frees a slot.
    let first = t.sim.named_location_ids()[0].clone();
    assert_eq!(t.delete(&first).await.0, 204);
    t.create(&ip("again", &["10.0.0.0/16"])).await;
    // The system location is not counted, and beta lists all of them (paged).
    let (s, b) = t
        .call(
            Method::GET,
            &format!("/beta{COLL}?$top=999&$count=true"),
            None,
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(b["value"].as_array().unwrap().len(), 196);
}

// ---------------------------------------------------------------------------------------------
// Delete guards

#[tokio::test]
async fn trusted_ip_location_cannot_be_deleted_until_untrusted() {
    let t = Tenant::new().await;
    let mut body = ip("office", &["203.0.113.0/24"]);
    body["isTrusted"] = json!(true);
    let id = t.create(&body).await;
    let (s, b) = t.delete(&id).await;
    assert_eq!(s, 400);
    assert_eq!(assert_graph_error(&b), "BadRequest");
    assert!(message(&b).contains("trusted"), "{b}");
    assert!(message(&b).contains("isTrusted set to false"), "{b}");
    assert_eq!(t.get("v1.0", &id).await.0, 200);
    let (s, _) = t
        .patch(
            &id,
            &json!({"@odata.type": "#microsoft.graph.ipNamedLocation", "isTrusted": false}),
        )
        .await;
    assert_eq!(s, 204);
    assert_eq!(t.delete(&id).await.0, 204);
    assert_eq!(t.get("v1.0", &id).await.0, 404);
    assert_eq!(t.delete(&id).await.0, 404);
}

#[tokio::test]
async fn referenced_location_cannot_be_deleted_and_the_error_names_the_policies() {
    let t = Tenant::new().await;
    let a = t.create(&country("a", &["NL"])).await;
    let b = t.create(&ip("b", &["10.1.0.0/16"])).await;
    // One policy through the API (include), one stored raw (exclude, upper-case id).
    let (s, p1) = t
        .call(
            Method::POST,
            &format!("/v1.0{CA}"),
            Some(&policy_with_locations(&[&a], &[])),
        )
        .await;
    assert_eq!(s, 201, "{p1}");
    let p1 = p1["id"].as_str().unwrap().to_string();
    let p2 = t.sim.put_raw_policy(json!({
        "displayName": "raw", "state": "disabled",
        "conditions": {"locations": {"includeLocations": ["All"], "excludeLocations": [a.to_uppercase()]}}
    }));
    let (s, err) = t.delete(&a).await;
    assert_eq!(s, 400);
    assert_eq!(assert_graph_error(&err), "BadRequest");
    let m = message(&err);
    assert!(m.contains(&p1) && m.contains(&p2), "{m}");
    // b is not referenced.
    assert_eq!(t.delete(&b).await.0, 204);
    // Once the policies let go, the delete works.
    for p in [&p1, &p2] {
        let (s, _) = t
            .call(Method::DELETE, &format!("/v1.0{CA}/{p}"), None)
            .await;
        assert_eq!(s, 204);
    }
    assert_eq!(t.delete(&a).await.0, 204);
}

// ---------------------------------------------------------------------------------------------
// Beta's private link and service tag locations

fn service_tag(name: &str, tags: &[&str]) -> Value {
    json!({"@odata.type": "#microsoft.graph.serviceTagNamedLocation", "displayName": name, "serviceTags": tags})
}

impl Tenant {
    async fn beta(&self, method: Method, path: &str, body: Option<&Value>) -> (u16, Value) {
        self.call(method, &format!("/beta{COLL}{path}"), body).await
    }
}

#[tokio::test]
async fn service_tag_and_private_link_locations_live_in_beta_only() {
    let t = Tenant::new().await;
    let (s, created) = t
        .beta(
            Method::POST,
            "",
            Some(&service_tag("Azure", &["AzureCloud.WestEurope"])),
        )
        .await;
    assert_eq!(s, 201, "{created}");
    let id = created["id"].as_str().unwrap().to_string();
    assert_eq!(
        keys(&without(&created, &["@odata.context"])),
        [
            "@odata.type",
            "id",
            "displayName",
            "modifiedDateTime",
            "createdDateTime",
            "deletedDateTime",
            "serviceTags",
            "isTrusted"
        ]
    );
    assert_eq!(created["isTrusted"], false, "isTrusted defaults to false");
    let (s, got) = t.get("beta", &id).await;
    assert_eq!(s, 200);
    assert_eq!(got, created);
    assert!(t.list("beta").await.iter().any(|l| l["id"] == id.as_str()));

    // v1.0 does not know the type: not listed, not found, not writable.
    assert!(t.list("v1.0").await.is_empty());
    assert_eq!(t.get("v1.0", &id).await.0, 404);
    assert_eq!(t.patch(&id, &service_tag("x", &["Storage"])).await.0, 404);
    assert_eq!(t.delete(&id).await.0, 404);
    assert_400(
        &t,
        &service_tag("v1", &["AzureCloud"]),
        "could not be resolved by the model",
    )
    .await;

    // PATCH merges; a trusted location is untrusted before it can go.
    let (s, b) = t
        .beta(
            Method::PATCH,
            &format!("/{id}"),
            Some(&json!({"@odata.type": "#microsoft.graph.serviceTagNamedLocation", "isTrusted": true})),
        )
        .await;
    assert_eq!(s, 204, "{b}");
    let (_, got) = t.get("beta", &id).await;
    assert_eq!(got["serviceTags"], json!(["AzureCloud.WestEurope"]));
    let (s, b) = t.beta(Method::DELETE, &format!("/{id}"), None).await;
    assert_eq!(s, 400, "{b}");
    assert!(message(&b).contains("trusted"), "{b}");

    // A CA policy may name it, through either version.
    let (s, b) = t
        .call(
            Method::POST,
            &format!("/v1.0{CA}"),
            Some(&policy_with_locations(&[&id], &[])),
        )
        .await;
    assert_eq!(s, 201, "{b}");

    let link = json!({"@odata.type": "#microsoft.graph.privateLinkNamedLocation", "displayName": "Link",
        "privateLinkResourcePolicyIds": ["/subscriptions/x/resourceGroups/rg/providers/microsoft.aadiam/privateLinkForAzureAd/pl"]});
    let (s, created) = t.beta(Method::POST, "", Some(&link)).await;
    assert_eq!(s, 201, "{created}");
    assert_eq!(
        created["privateLinkResourcePolicyIds"],
        link["privateLinkResourcePolicyIds"]
    );
}

#[tokio::test]
async fn beta_kinds_check_their_collections() {
    let t = Tenant::new().await;
    for (body, needle) in [
        (service_tag("none", &[]), "at least one"),
        (service_tag("blank", &[" "]), "cannot contain empty"),
        (
            json!({"@odata.type": "#microsoft.graph.serviceTagNamedLocation", "displayName": "x"}),
            "'serviceTags' property is required",
        ),
        (
            json!({"@odata.type": "#microsoft.graph.serviceTagNamedLocation", "displayName": "x", "serviceTags": "AzureCloud"}),
            "collection of strings",
        ),
        (
            json!({"@odata.type": "#microsoft.graph.privateLinkNamedLocation", "displayName": "x", "serviceTags": ["AzureCloud"]}),
            "'serviceTags' does not exist",
        ),
        (
            json!({"@odata.type": "#microsoft.graph.privateLinkNamedLocation", "displayName": "x", "privateLinkResourcePolicyIds": [1]}),
            "Edm.String",
        ),
    ] {
        let (s, b) = t.beta(Method::POST, "", Some(&body)).await;
        assert_eq!(s, 400, "{body} -> {b}");
        assert!(message(&b).contains(needle), "{needle:?} not in {b}");
    }
}

// ---------------------------------------------------------------------------------------------
// Address ranges older tools left behind

/// A seed folder holding one IP location with an address range of each family beside a CIDR.
fn seed_with_address_ranges(id: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("sim-seed-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(dir.join("named-locations")).unwrap();
    let location = json!({
        "@odata.type": "#microsoft.graph.ipNamedLocation",
        "id": id,
        "displayName": "Legacy office",
        "isTrusted": false,
        "ipRanges": [
            {"@odata.type": "#microsoft.graph.iPv4Range", "lowerAddress": "198.51.100.10", "upperAddress": "198.51.100.20"},
            {"@odata.type": "#microsoft.graph.iPv6Range", "lowerAddress": "2001:db8::1", "upperAddress": "2001:db8::ff"},
            {"@odata.type": "#microsoft.graph.iPv4CidrRange", "cidrAddress": "203.0.113.0/24"}
        ]
    });
    std::fs::write(
        dir.join("named-locations/legacy.json"),
        location.to_string(),
    )
    .unwrap();
    dir
}

#[tokio::test]
async fn address_ranges_are_returned_as_stored_but_never_written() {
    let id = "7c2f0a51-6f0e-4b7e-9a3c-2d8e1f4b5a60";
    let dir = seed_with_address_ranges(id);
    let t = Tenant::with(SimOptions {
        seed_dir: Some(dir.clone()),
        ..Default::default()
    })
    .await;
    std::fs::remove_dir_all(dir).unwrap();
    for version in ["v1.0", "beta"] {
        let (s, got) = t.get(version, id).await;
        assert_eq!(s, 200, "{got}");
        assert_eq!(
            got["ipRanges"][0],
            json!({"@odata.type": "#microsoft.graph.iPv4Range", "lowerAddress": "198.51.100.10", "upperAddress": "198.51.100.20"})
        );
        assert_eq!(
            got["ipRanges"][1]["@odata.type"],
            "#microsoft.graph.iPv6Range"
        );
    }
    // A PATCH that leaves ipRanges out keeps them.
    let (s, b) = t
        .patch(
            id,
            &json!({"@odata.type": "#microsoft.graph.ipNamedLocation", "displayName": "Renamed"}),
        )
        .await;
    assert_eq!(s, 204, "{b}");
    let (_, got) = t.get("v1.0", id).await;
    assert_eq!(got["ipRanges"].as_array().unwrap().len(), 3);
    // Writing one is refused, on create and on update.
    let with_range = json!({"@odata.type": "#microsoft.graph.ipNamedLocation", "displayName": "x",
        "ipRanges": [{"@odata.type": "#microsoft.graph.iPv4Range", "lowerAddress": "10.0.0.1", "upperAddress": "10.0.0.9"}]});
    assert_400(&t, &with_range, "CIDR ranges only").await;
    let (s, b) = t.patch(id, &with_range).await;
    assert_eq!(s, 400, "{b}");
    assert!(message(&b).contains("CIDR ranges only"), "{b}");
}

// ---------------------------------------------------------------------------------------------
// CA policies referencing locations

#[tokio::test]
async fn ca_policy_with_unknown_location_is_invalid_location() {
    let t = Tenant::new().await;
    let missing = "6d7b4c1a-1111-4222-8333-944455556666";
    for (include, exclude) in [
        (vec![missing], vec![]),
        (vec!["All"], vec![missing]),
        (vec!["AllTrusted", missing], vec![]),
    ] {
        for version in ["v1.0", "beta"] {
            let (s, b) = t
                .call(
                    Method::POST,
                    &format!("/{version}{CA}"),
                    Some(&policy_with_locations(&include, &exclude)),
                )
                .await;
            assert_eq!(s, 400, "{b}");
            assert_eq!(assert_graph_error(&b), "BadRequest");
            let m = message(&b);
            assert!(m.contains("Invalid Location") && m.contains(missing), "{m}");
        }
    }
    // Keywords, the MFA trusted IPs id and existing locations are fine.
    let loc = t.create(&country("allowed", &["NL", "BE"])).await;
    let (s, b) = t
        .call(
            Method::POST,
            &format!("/v1.0{CA}"),
            Some(&policy_with_locations(
                &["All"],
                &["AllTrusted", MFA_TRUSTED_IPS, &loc.to_uppercase()],
            )),
        )
        .await;
    assert_eq!(s, 201, "{b}");
    let pid = b["id"].as_str().unwrap().to_string();
    // PATCH is checked too.
    let mut conditions = policy_with_locations(&[missing], &[])["conditions"].clone();
    let (s, b) = t
        .call(
            Method::PATCH,
            &format!("/v1.0{CA}/{pid}"),
            Some(&json!({"conditions": conditions.clone()})),
        )
        .await;
    assert_eq!(s, 400, "{b}");
    assert!(message(&b).contains("Invalid Location"));
    conditions["locations"]["includeLocations"] = json!([loc]);
    let (s, b) = t
        .call(
            Method::PATCH,
            &format!("/v1.0{CA}/{pid}"),
            Some(&json!({"conditions": conditions})),
        )
        .await;
    assert_eq!(s, 204, "{b}");
    // Raw policies are stored without validation.
    let raw = t.sim.put_raw_policy(json!({
        "displayName": "raw", "state": "disabled",
        "conditions": {"locations": {"includeLocations": [missing]}}
    }));
    let (s, _) = t.call(Method::GET, &format!("/v1.0{CA}/{raw}"), None).await;
    assert_eq!(s, 200);
}

// ---------------------------------------------------------------------------------------------
// Query options, seeding, rate limit

#[tokio::test]
async fn list_filter_and_paging() {
    let t = Tenant::new().await;
    for i in 0..5 {
        t.create(&country(&format!("loc {i}"), &["NL"])).await;
    }
    let (s, b) = t
        .call(
            Method::GET,
            &format!("/v1.0{COLL}?$filter=displayName%20eq%20'loc%203'"),
            None,
        )
        .await;
    assert_eq!(s, 200);
    let v = b["value"].as_array().unwrap();
    assert_eq!(v.len(), 1);
    assert_eq!(v[0]["displayName"], "loc 3");
    assert_eq!(v[0]["@odata.type"], "#microsoft.graph.countryNamedLocation");
    assert_eq!(
        b["@odata.context"],
        format!(
            "{}/v1.0/$metadata#identity/conditionalAccess/namedLocations",
            t.sim.info().graph_endpoint
        )
    );
    let (s, b) = t
        .call(
            Method::GET,
            &format!("/v1.0{COLL}?$filter=isTrusted%20eq%20true"),
            None,
        )
        .await;
    assert_eq!(s, 400, "{b}");
    let (s, b) = t
        .call(Method::GET, &format!("/v1.0{COLL}?$top=2"), None)
        .await;
    assert_eq!(s, 200);
    assert_eq!(b["value"].as_array().unwrap().len(), 2);
    let next = b["@odata.nextLink"].as_str().unwrap().to_string();
    let (s, _, b2) = send(&t.client, Method::GET, &next, &t.token, None).await;
    assert_eq!(s, 200);
    assert_eq!(b2.unwrap()["value"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn seeded_corpus_locations_read_back_as_in_the_files() {
    let t = Tenant::with(SimOptions {
        seed_dir: Some(shared("corpus")),
        ..Default::default()
    })
    .await;
    let dir = shared("corpus/named-locations");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    let mut expected_ids = Vec::new();
    for f in &files {
        let file: Value = serde_json::from_str(&std::fs::read_to_string(f).unwrap()).unwrap();
        let Some(id) = file["id"].as_str() else {
            continue; // request body: skipped
        };
        let (s, got) = t.get("beta", id).await;
        assert_eq!(s, 200, "{}", f.display());
        let mut want = file.clone();
        if want["@odata.type"] == "#microsoft.graph.countryNamedLocation"
            && want.get("countryLookupMethod").is_none()
        {
            want["countryLookupMethod"] = json!("clientIpAddress");
        }
        if want["@odata.type"] == "#microsoft.graph.compliantNetworkNamedLocation" {
            // The system location every tenant has; the file is that same object.
            assert_eq!(id, SYSTEM_ID);
        } else {
            expected_ids.push(id.to_string());
        }
        want["deletedDateTime"] = Value::Null;
        let got = without(&got, &["@odata.context"]);
        let mut got_sorted: Vec<_> = got.as_object().unwrap().iter().collect();
        let mut want_sorted: Vec<_> = want.as_object().unwrap().iter().collect();
        got_sorted.sort_by_key(|(k, _)| k.as_str());
        want_sorted.sort_by_key(|(k, _)| k.as_str());
        assert_eq!(got_sorted, want_sorted, "{}", f.display());
    }
    assert_eq!(t.sim.named_location_ids(), expected_ids);
    assert_eq!(t.list("v1.0").await.len(), expected_ids.len());
    assert_eq!(t.list("beta").await.len(), expected_ids.len() + 1);
}

#[tokio::test]
async fn named_locations_share_the_ca_rate_limit_without_retry_after() {
    for paths in [
        [format!("/v1.0{COLL}"), format!("/v1.0{CA}")],
        [format!("/beta{CA}"), format!("/beta{COLL}")],
    ] {
        let t = Tenant::with(SimOptions {
            ca_rate_limit: Some(1.0),
            ..Default::default()
        })
        .await;
        // First request of the second takes the budget; the next one, on the other entity set,
        // is throttled.
        let (s, _, _) = send(
            &t.client,
            Method::GET,
            &graph_url(&t.sim, &paths[0]),
            &t.token,
            None,
        )
        .await;
        assert_eq!(s, 200);
        let (s, h, b) = send(
            &t.client,
            Method::GET,
            &graph_url(&t.sim, &paths[1]),
            &t.token,
            None,
        )
        .await;
        assert_eq!(s, 429, "{paths:?}");
        assert!(!h.contains_key("retry-after"));
        assert_eq!(assert_graph_error(&b.unwrap()), "TooManyRequests");
        // Writes and item paths share it too.
        let (s, _) = t.post(&country("x", &["NL"])).await;
        assert_eq!(s, 429);
        let (s, _) = t.get("v1.0", MFA_TRUSTED_IPS).await;
        assert_eq!(s, 429);
        // Authentication strengths are not in the CA budget.
        let (s, _) = t
            .call(
                Method::GET,
                "/v1.0/policies/authenticationStrengthPolicies",
                None,
            )
            .await;
        assert_eq!(s, 200);
        tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
        let (s, _) = t.post(&country("x", &["NL"])).await;
        assert_eq!(s, 201);
    }
}
