//! `entra_named_location` end to end: real Terraform, our provider, the simulator.

mod common;

use common::{terraform_binaries, Sim, Tf};
use serde_json::{json, Value as Json};

const PATH: &str = "/v1.0/identity/conditionalAccess/namedLocations";

/// azuread's HCL from the corpus (hcl/055), renamed to entra, plus an IPv6 range.
const VNET: &str = r#"
resource "entra_named_location" "vnet" {
  display_name = "AzureVnet-ip IP Named Location"
  ip {
    ip_ranges = [
      "1.1.1.1/32",
      "2.2.2.2/32",
      "2001:db8::/48",
    ]
    trusted = true
  }
}
"#;

const COUNTRIES: &str = r#"
resource "entra_named_location" "countries" {
  display_name = "Trusted Country"
  country {
    countries_and_regions = [
      "GB",
      "US",
    ]
    include_unknown_countries_and_regions = false
  }
}
"#;

fn id_of(tf: &Tf, address: &str) -> String {
    tf.attr(address, "id").as_str().unwrap().to_string()
}

fn get(sim: &Sim, id: &str) -> (u16, Json) {
    sim.graph("GET", &format!("{PATH}/{id}"), None)
}

#[test]
fn apply_plan_clean_drift_import_and_destroy_a_trusted_location() {
    for bin in terraform_binaries() {
        let sim = Sim::start();
        let tf = Tf::new(&bin, sim.provider_env());
        tf.config(&format!("{VNET}{COUNTRIES}"));
        tf.apply();
        let vnet = id_of(&tf, "entra_named_location.vnet");
        let countries = id_of(&tf, "entra_named_location.countries");
        assert_eq!(
            tf.attr("entra_named_location.vnet", "object_id"),
            json!(vnet)
        );

        let (status, body) = get(&sim, &vnet);
        assert_eq!(status, 200);
        assert_eq!(body["@odata.type"], "#microsoft.graph.ipNamedLocation");
        assert_eq!(body["isTrusted"], true);
        let v6 = body["ipRanges"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["cidrAddress"] == "2001:db8::/48")
            .expect("the IPv6 range");
        assert_eq!(v6["@odata.type"], "#microsoft.graph.iPv6CidrRange");
        let (_, body) = get(&sim, &countries);
        assert_eq!(body["countryLookupMethod"], "clientIpAddress");

        // Refreshing both locations takes one listing, not one request each.
        sim.sim().reset_stats();
        tf.assert_clean_plan();
        assert_eq!(sim.graph_requests(), 1, "{}", sim.sim().stats());

        // Someone adds a country in the portal: the scheduled drift check catches it.
        let (status, _) = sim.graph(
            "PATCH",
            &format!("{PATH}/{countries}"),
            Some(json!({"@odata.type": "#microsoft.graph.countryNamedLocation", "countriesAndRegions": ["GB", "US", "FR"]})),
        );
        assert_eq!(status, 204);
        let drift = tf.assert_drift();
        assert!(drift.stdout.contains("\"FR\""), "{}", drift.stdout);
        tf.apply();
        let (_, body) = get(&sim, &countries);
        assert_eq!(body["countriesAndRegions"].as_array().unwrap().len(), 2);
        tf.assert_clean_plan();

        // Import with azuread's id form, then the plan is clean.
        tf.ok(&["state", "rm", "entra_named_location.vnet"]);
        tf.ok(&[
            "import",
            "-no-color",
            "-input=false",
            "entra_named_location.vnet",
            &format!("/identity/conditionalAccess/namedLocations/{vnet}"),
        ]);
        assert_eq!(id_of(&tf, "entra_named_location.vnet"), vnet);
        tf.assert_clean_plan();

        // Destroy untrusts the trusted location, then deletes both.
        tf.destroy();
        assert_eq!(get(&sim, &vnet).0, 404);
        assert_eq!(get(&sim, &countries).0, 404);
        assert!(tf.state_list().is_empty());
    }
}

#[test]
fn a_location_a_policy_uses_is_not_destroyed_and_nothing_changes() {
    for bin in terraform_binaries() {
        let sim = Sim::start();
        let tf = Tf::new(&bin, sim.provider_env());
        tf.config(VNET);
        tf.apply();
        let vnet = id_of(&tf, "entra_named_location.vnet");
        let policy_id = sim.sim().put_raw_policy(json!({
            "displayName": "CA900-WorkloadIdentities-BlockUntrustedLocations",
            "state": "enabled",
            "conditions": {
                "applications": {"includeApplications": ["All"]},
                "users": {"includeUsers": ["All"]},
                "locations": {"includeLocations": ["All"], "excludeLocations": [vnet]},
                "clientAppTypes": ["all"]
            },
            "grantControls": {"operator": "OR", "builtInControls": ["block"]}
        }));
        let r = tf.run(&["destroy", "-auto-approve", "-no-color", "-input=false"]);
        assert_eq!(r.code, 1, "{}", r.text());
        let text = r.flat();
        assert!(
            text.contains("CA900-WorkloadIdentities-BlockUntrustedLocations"),
            "{text}"
        );
        assert!(text.contains(&policy_id), "{text}");
        // Still trusted (not untrusted before the refusal), still in state, plan still clean.
        let (status, body) = get(&sim, &vnet);
        assert_eq!(status, 200);
        assert_eq!(body["isTrusted"], true);
        assert_eq!(
            tf.state_list(),
            vec!["entra_named_location.vnet".to_string()]
        );
        tf.assert_clean_plan();
    }
}

#[test]
fn switching_from_ip_to_country_replaces_the_location() {
    for bin in terraform_binaries() {
        let sim = Sim::start();
        let tf = Tf::new(&bin, sim.provider_env());
        tf.config(
            r#"
resource "entra_named_location" "office" {
  display_name = "Office"
  ip { ip_ranges = ["12.34.221.11/22"] }
}
"#,
        );
        tf.apply();
        let before = id_of(&tf, "entra_named_location.office");
        tf.config(
            r#"
resource "entra_named_location" "office" {
  display_name = "Office"
  country {
    countries_and_regions = ["NL"]
    country_lookup_method = "authenticatorAppGps"
  }
}
"#,
        );
        let plan = tf.plan_code(&[]);
        assert_eq!(plan.code, 2, "{}", plan.text());
        assert!(plan.stdout.contains("must be replaced"), "{}", plan.stdout);
        tf.apply();
        let after = id_of(&tf, "entra_named_location.office");
        assert_ne!(before, after);
        assert_eq!(get(&sim, &before).0, 404);
        let (_, body) = get(&sim, &after);
        assert_eq!(body["countryLookupMethod"], "authenticatorAppGps");
        tf.assert_clean_plan();
    }
}

#[test]
fn data_source_by_name_by_id_and_the_system_locations() {
    for bin in terraform_binaries() {
        let sim = Sim::start();
        let (status, created) = sim.graph(
            "POST",
            PATH,
            Some(json!({
                "@odata.type": "#microsoft.graph.countryNamedLocation",
                "displayName": "ALLOWED COUNTRIES",
                "countriesAndRegions": ["BE", "LU", "NL"],
                "includeUnknownCountriesAndRegions": false
            })),
        );
        assert_eq!(status, 201, "{created}");
        let id = created["id"].as_str().unwrap();
        let tf = Tf::new(&bin, sim.provider_env());
        tf.config(&format!(
            r#"
data "entra_named_location" "by_name" {{ display_name = "ALLOWED COUNTRIES" }}
data "entra_named_location" "by_id" {{ id = "/identity/conditionalAccess/namedLocations/{id}" }}
data "entra_named_location" "all" {{ id = "All" }}
data "entra_named_location" "trusted" {{ display_name = "All trusted locations" }}
data "entra_named_location" "mfa" {{ id = "00000000-0000-0000-0000-000000000000" }}
output "id" {{ value = data.entra_named_location.by_name.id }}
output "countries" {{ value = data.entra_named_location.by_name.country[0].countries_and_regions }}
output "ip_blocks" {{ value = length(data.entra_named_location.by_name.ip) }}
output "name" {{ value = data.entra_named_location.by_id.display_name }}
output "by_id" {{ value = data.entra_named_location.by_id.id }}
output "all" {{ value = data.entra_named_location.all.display_name }}
output "trusted" {{ value = data.entra_named_location.trusted.id }}
output "mfa" {{ value = data.entra_named_location.mfa.display_name }}
"#
        ));
        tf.apply();
        let out = tf.outputs();
        assert_eq!(out["id"]["value"], id);
        assert_eq!(out["countries"]["value"], json!(["BE", "LU", "NL"]));
        assert_eq!(out["ip_blocks"]["value"], 0);
        assert_eq!(out["name"]["value"], "ALLOWED COUNTRIES");
        assert_eq!(out["by_id"]["value"], id);
        assert_eq!(out["all"]["value"], "All locations");
        assert_eq!(out["trusted"]["value"], "AllTrusted");
        assert_eq!(
            out["mfa"]["value"],
            "Multifactor authentication trusted IPs"
        );
    }
}

#[test]
fn invalid_ranges_and_countries_fail_at_plan_with_paths_and_no_graph_call() {
    for bin in terraform_binaries() {
        let sim = Sim::start();
        let tf = Tf::new(&bin, sim.provider_env());
        tf.config(
            r#"
resource "entra_named_location" "bad_ip" {
  display_name = "Too wide"
  ip { ip_ranges = ["10.0.0.0/8", "192.168.1.1"] }
}
resource "entra_named_location" "bad_country" {
  display_name = "Nowhere"
  country { countries_and_regions = ["UK"] }
}
"#,
        );
        sim.sim().reset_stats();
        let r = tf.plan_code(&[]);
        assert_eq!(r.code, 1, "{}", r.text());
        let text = r.flat();
        assert!(text.contains("Invalid IP range"), "{text}");
        assert!(text.contains("ip_ranges"), "{text}");
        assert!(text.contains("longer than /8"), "{text}");
        assert!(text.contains("not in CIDR notation"), "{text}");
        assert!(text.contains("Invalid country code"), "{text}");
        assert!(text.contains("countries_and_regions"), "{text}");
        assert_eq!(sim.graph_requests(), 0, "{}", sim.sim().stats());
    }
}

const BETA_PATH: &str = "/beta/identity/conditionalAccess/namedLocations";

fn get_beta(sim: &Sim, id: &str) -> (u16, Json) {
    sim.graph("GET", &format!("{BETA_PATH}/{id}"), None)
}

/// Beta's service tag and private link kinds, which only beta knows.
const BETA_KINDS: &str = r#"
resource "entra_named_location" "azure" {
  display_name = "Azure West Europe"
  service_tag {
    service_tags = ["AzureCloud.WestEurope", "Storage.WestEurope"]
    trusted      = true
  }
}

resource "entra_named_location" "links" {
  display_name = "Private links"
  private_link {
    private_link_resource_policy_ids = ["/subscriptions/0b7a1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d/resourceGroups/identity/providers/microsoft.aadiam/privateLinkForAzureAd/contoso"]
  }
}
"#;

#[test]
fn service_tag_and_private_link_locations_live_through_beta() {
    for bin in terraform_binaries() {
        let sim = Sim::start();
        let tf = Tf::new(&bin, sim.provider_env());
        tf.config(BETA_KINDS);
        sim.sim().reset_stats();
        tf.apply();
        let stats = sim.sim().stats();
        assert_eq!(
            stats["requests"]["POST /beta/identity/conditionalAccess/namedLocations"], 2,
            "{stats}"
        );
        let azure = id_of(&tf, "entra_named_location.azure");
        let links = id_of(&tf, "entra_named_location.links");
        let (status, body) = get_beta(&sim, &azure);
        assert_eq!(status, 200);
        assert_eq!(
            body["@odata.type"],
            "#microsoft.graph.serviceTagNamedLocation"
        );
        assert_eq!(body["isTrusted"], true);
        assert_eq!(get(&sim, &azure).0, 404, "v1.0 does not know the kind");
        let (_, body) = get_beta(&sim, &links);
        assert_eq!(body["isTrusted"], false);

        // Both refresh from one listing.
        sim.sim().reset_stats();
        tf.assert_clean_plan();
        assert_eq!(sim.graph_requests(), 1, "{}", sim.sim().stats());

        // A tag added in the portal is drift, and the next apply takes it out again.
        let (status, _) = sim.graph(
            "PATCH",
            &format!("{BETA_PATH}/{azure}"),
            Some(
                json!({"@odata.type": "#microsoft.graph.serviceTagNamedLocation",
                "serviceTags": ["AzureCloud.WestEurope", "Storage.WestEurope", "Sql.WestEurope"]}),
            ),
        );
        assert_eq!(status, 204);
        let drift = tf.assert_drift();
        assert!(drift.stdout.contains("Sql.WestEurope"), "{}", drift.stdout);
        tf.apply();
        let (_, body) = get_beta(&sim, &azure);
        assert_eq!(body["serviceTags"].as_array().unwrap().len(), 2);
        tf.assert_clean_plan();

        tf.ok(&["state", "rm", "entra_named_location.azure"]);
        tf.ok(&[
            "import",
            "-no-color",
            "-input=false",
            "entra_named_location.azure",
            &azure,
        ]);
        tf.assert_clean_plan();

        // Destroy untrusts the trusted one, then deletes both.
        tf.destroy();
        assert_eq!(get_beta(&sim, &azure).0, 404);
        assert_eq!(get_beta(&sim, &links).0, 404);
        assert!(tf.state_list().is_empty());
    }
}

#[test]
fn bad_service_tags_and_private_links_fail_at_plan_with_paths_and_no_graph_call() {
    for bin in terraform_binaries() {
        let sim = Sim::start();
        let tf = Tf::new(&bin, sim.provider_env());
        tf.config(
            r#"
resource "entra_named_location" "tags" {
  display_name = "Tags"
  service_tag { service_tags = ["Azure Cloud"] }
}
resource "entra_named_location" "links" {
  display_name = "Links"
  private_link { private_link_resource_policy_ids = [] }
}
resource "entra_named_location" "both" {
  display_name = "Both"
  ip { ip_ranges = ["203.0.113.0/24"] }
  service_tag { service_tags = ["AzureCloud"] }
}
"#,
        );
        sim.sim().reset_stats();
        let r = tf.plan_code(&[]);
        assert_eq!(r.code, 1, "{}", r.text());
        let text = r.flat();
        for needle in [
            "Invalid service tag",
            "\"Azure Cloud\" is not a service tag",
            "service_tags",
            "No private link resource policies",
            "private_link_resource_policy_ids",
            "Both ip and service_tag blocks",
        ] {
            assert!(text.contains(needle), "{needle}: {text}");
        }
        assert_eq!(sim.graph_requests(), 0, "{}", sim.sim().stats());
    }
}

/// The system location every tenant with Global Secure Access signaling has (the simulator's
/// id, from a real beta export).
const COMPLIANT_NETWORK_ID: &str = "3d46dbda-8382-466a-856d-eb00cbc6b910";

#[test]
fn the_compliant_network_location_is_read_and_referenced_but_not_imported() {
    for bin in terraform_binaries() {
        let sim = Sim::start();
        let tf = Tf::new(&bin, sim.provider_env());

        // Importing it into the resource is refused, pointing at the data source.
        tf.config(
            r#"
resource "entra_named_location" "compliant" {
  display_name = "All Compliant Network locations"
  service_tag { service_tags = ["AzureCloud"] }
}
"#,
        );
        let r = tf.run(&[
            "import",
            "-no-color",
            "-input=false",
            "entra_named_location.compliant",
            COMPLIANT_NETWORK_ID,
        ]);
        assert_eq!(r.code, 1, "{}", r.text());
        let text = r.flat();
        assert!(text.contains("system compliant network location"), "{text}");
        assert!(text.contains("entra_named_location data source"), "{text}");
        assert!(tf.state_list().is_empty());

        tf.config(
            r#"
data "entra_named_location" "compliant" {
  display_name = "All Compliant Network locations"
}

resource "entra_conditional_access_policy" "gsa" {
  display_name = "CA610-AllUsers-Office365-CompliantNetwork-RequireMFA"
  state        = "enabledForReportingButNotEnforced"

  conditions {
    client_app_types = ["all"]

    applications {
      included_applications = ["Office365"]
    }

    users {
      included_users = ["All"]
    }

    locations {
      included_locations = [data.entra_named_location.compliant.id]
    }
  }

  grant_controls {
    operator          = "OR"
    built_in_controls = ["mfa"]
  }
}

output "kind" { value = data.entra_named_location.compliant.kind }
output "type" { value = data.entra_named_location.compliant.compliant_network[0].compliant_network_type }
output "trusted" { value = data.entra_named_location.compliant.compliant_network[0].trusted }
"#,
        );
        tf.apply();
        let out = tf.outputs();
        assert_eq!(out["kind"]["value"], "compliantNetworkNamedLocation");
        assert_eq!(out["type"]["value"], "allTenantCompliantNetworks");
        assert_eq!(out["trusted"]["value"], true);
        let policy = tf.attr("entra_conditional_access_policy.gsa", "id");
        let (status, body) = sim.graph(
            "GET",
            &format!(
                "/beta/identity/conditionalAccess/policies/{}",
                policy.as_str().unwrap()
            ),
            None,
        );
        assert_eq!(status, 200, "{body}");
        assert_eq!(
            body["conditions"]["locations"]["includeLocations"],
            json!([COMPLIANT_NETWORK_ID])
        );
        tf.assert_clean_plan();
    }
}

/// A seed folder with one IP location as an older tool left it: an address range of each
/// family beside a CIDR range.
fn seed_address_ranges(id: &str) -> tempfile::TempDir {
    let seed = tempfile::tempdir().unwrap();
    let dir = seed.path().join("named-locations");
    std::fs::create_dir_all(&dir).unwrap();
    let location = json!({
        "@odata.type": "#microsoft.graph.ipNamedLocation",
        "id": id,
        "displayName": "Legacy office",
        "isTrusted": false,
        "ipRanges": [
            {"@odata.type": "#microsoft.graph.iPv4Range", "lowerAddress": "198.51.100.10", "upperAddress": "198.51.100.20"},
            {"@odata.type": "#microsoft.graph.iPv6Range", "lowerAddress": "2001:db8::", "upperAddress": "2001:db8::ff"},
            {"@odata.type": "#microsoft.graph.iPv4CidrRange", "cidrAddress": "203.0.113.0/24"}
        ]
    });
    std::fs::write(dir.join("legacy.json"), location.to_string()).unwrap();
    seed
}

fn legacy_config(name: &str, ranges: &[&str]) -> String {
    let ranges: Vec<String> = ranges.iter().map(|r| format!("\"{r}\"")).collect();
    format!(
        r#"
resource "entra_named_location" "legacy" {{
  display_name = "{name}"
  ip {{
    ip_ranges = [{}]
  }}
}}

# Read after the resource's changes, so that the output shows what they left.
data "entra_named_location" "legacy" {{
  id = entra_named_location.legacy.id
}}

output "ranges" {{ value = data.entra_named_location.legacy.ip[0].ip_ranges }}
"#,
        ranges.join(", ")
    )
}

const LEGACY_ID: &str = "7c2f0a51-6f0e-4b7e-9a3c-2d8e1f4b5a60";
const LEGACY_RANGES: [&str; 3] = [
    "198.51.100.10-198.51.100.20",
    "2001:db8::-2001:db8::ff",
    "203.0.113.0/24",
];

#[test]
fn a_location_with_address_ranges_reads_imports_and_converts_to_cidrs() {
    for bin in terraform_binaries() {
        let seed = seed_address_ranges(LEGACY_ID);
        let sim = Sim::start_with(entra_graph_sim::SimOptions {
            seed_dir: Some(seed.path().to_path_buf()),
            ..Default::default()
        });
        let tf = Tf::new(&bin, sim.provider_env());

        // Imported as Graph holds it: the address ranges show as lower-upper, with a warning.
        tf.config(&legacy_config("Legacy office", &LEGACY_RANGES));
        let r = tf.ok(&[
            "import",
            "-no-color",
            "-input=false",
            "entra_named_location.legacy",
            LEGACY_ID,
        ]);
        assert!(r.flat().contains("holds address ranges"), "{}", r.text());
        let mut shown = tf.attr("entra_named_location.legacy", "ip")[0]["ip_ranges"].clone();
        shown.as_array_mut().unwrap().sort_by_key(|r| r.to_string());
        assert_eq!(shown, json!(LEGACY_RANGES));
        // The first apply only reads the data source: Graph is not written to.
        sim.sim().reset_stats();
        tf.apply();
        assert_eq!(sim.write_requests(), 0, "{}", sim.sim().stats());
        let mut read = tf.outputs()["ranges"]["value"].clone();
        read.as_array_mut().unwrap().sort_by_key(|r| r.to_string());
        assert_eq!(
            read,
            json!(LEGACY_RANGES),
            "the data source shows them alike"
        );
        let plan = tf.plan_code(&[]);
        assert_eq!(plan.code, 0, "{}", plan.text());
        assert!(plan.flat().contains("CIDR ranges only"), "{}", plan.text());

        // Kept as they are, a rename leaves Graph's ranges untouched.
        tf.config(&legacy_config("Legacy office (old tool)", &LEGACY_RANGES));
        tf.apply();
        let (_, body) = get(&sim, LEGACY_ID);
        assert_eq!(body["displayName"], "Legacy office (old tool)");
        assert_eq!(
            body["ipRanges"][0]["@odata.type"],
            "#microsoft.graph.iPv4Range"
        );
        tf.assert_clean_plan();

        // Changing the ranges while keeping an address range is refused at plan, with the CIDRs.
        tf.config(&legacy_config(
            "Legacy office (old tool)",
            &["198.51.100.10-198.51.100.20", "192.0.2.0/24"],
        ));
        sim.sim().reset_stats();
        let r = tf.plan_code(&[]);
        assert_eq!(r.code, 1, "{}", r.text());
        let text = r.flat();
        assert!(text.contains("Address ranges cannot be written"), "{text}");
        assert!(text.contains("ip_ranges"), "{text}");
        assert!(
            text.contains("198.51.100.10/31, 198.51.100.12/30, 198.51.100.16/30, 198.51.100.20/32"),
            "{text}"
        );
        assert_eq!(sim.write_requests(), 0, "{}", sim.sim().stats());

        // Written as CIDRs, Graph holds CIDR ranges only, and the warning is gone.
        tf.config(&legacy_config(
            "Legacy office (old tool)",
            &[
                "198.51.100.10/31",
                "198.51.100.12/30",
                "198.51.100.16/30",
                "198.51.100.20/32",
                "2001:db8::/120",
                "203.0.113.0/24",
            ],
        ));
        tf.apply();
        let (_, body) = get(&sim, LEGACY_ID);
        let types: Vec<&str> = body["ipRanges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["@odata.type"].as_str().unwrap())
            .collect();
        assert!(types.iter().all(|t| t.ends_with("CidrRange")), "{types:?}");
        let r = tf.plan_code(&[]);
        assert_eq!(r.code, 0, "{}", r.text());
        assert!(!r.flat().contains("holds address ranges"), "{}", r.text());
    }
}

/// Graph allows 195 named locations. With 190 in the tenant, ten new ones fail at plan (they
/// are counted together, not one by one against today's tenant), five apply, and one more after
/// them fails at plan: nothing is ever half applied.
#[test]
fn creates_beyond_graphs_195_named_locations_are_refused_at_plan_counted_across_the_plan() {
    let existing: Vec<String> = (0..190)
        .map(|i| common::made_up_guid(&format!("existing location {i}")))
        .collect();
    for bin in terraform_binaries() {
        let sim = Sim::start_with_tenant_objects(&existing, &[]);
        let locations = |n: usize| -> String {
            (0..n)
                .map(|i| {
                    format!(
                        "resource \"entra_named_location\" \"l{i}\" {{\n  display_name = \"New location {i}\"\n  country {{\n    countries_and_regions = [\"NL\"]\n  }}\n}}\n"
                    )
                })
                .collect()
        };
        let tf = Tf::new(&bin, sim.provider_env());
        tf.config(&locations(10));
        sim.sim().reset_stats();
        let r = tf.plan_code(&[]);
        assert_eq!(r.code, 1, "{}", r.text());
        let flat = r.flat();
        assert!(
            flat.contains("no room for all the named locations this plan creates"),
            "{flat}"
        );
        assert!(flat.contains("It holds 190"), "{flat}");
        assert_eq!(sim.write_requests(), 0, "nothing written");

        tf.config(&locations(5));
        tf.apply();
        let new = sim
            .sim()
            .named_location_ids()
            .iter()
            .filter(|id| !existing.contains(id))
            .filter(|id| {
                get(&sim, id).1["displayName"]
                    .as_str()
                    .unwrap_or("")
                    .starts_with("New location")
            })
            .count();
        assert_eq!(new, 5);
        tf.config(&locations(6));
        sim.sim().reset_stats();
        let r = tf.plan_code(&[]);
        assert_eq!(r.code, 1, "{}", r.text());
        assert!(r.flat().contains("It holds 195"), "{}", r.flat());
        assert_eq!(sim.write_requests(), 0, "nothing written");
        // `terraform destroy` plans the configuration before destroying (its refresh), so the
        // same error stops it; without that refresh it destroys (docs/guides/safety.md).
        let r = tf.run(&["destroy", "-auto-approve", "-no-color"]);
        assert_eq!(r.code, 1, "{}", r.text());
        assert!(r.flat().contains("It holds 195"), "{}", r.flat());
        tf.ok(&["destroy", "-auto-approve", "-no-color", "-refresh=false"]);
        assert_eq!(
            sim.sim().named_location_ids().len(),
            190,
            "the seeded ones remain"
        );
    }
}
