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
