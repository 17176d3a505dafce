//! Moving from azuread with `moved` blocks (Terraform 1.8+): state written in azuread 3.x's shape
//! (and 2.x's, schema version 0) becomes ours without a single write to the tenant, the next
//! plan is clean, and the moved resources are managed from then on.
//!
//! Terraform needs the source provider installed (the state names it) but never configures it
//! or asks it anything beyond its schema, so the tests stand in our own binary under azuread's
//! name; a real migration has the azuread binary from its earlier `terraform init`.

mod common;

use common::{terraform_binaries_since, Sim, Tf};
use serde_json::{json, Value as Json};
use std::path::Path;

const LOCATIONS: &str = "/v1.0/identity/conditionalAccess/namedLocations";
const STRENGTHS: &str = "/v1.0/policies/authenticationStrengthPolicies";
const POLICIES: &str = "/v1.0/identity/conditionalAccess/policies";
const GLASS: &str = "5b3e2f61-0c1a-4d2b-9e7f-8a6b4c3d2e1f";

/// Adds a dev override that serves our binary as `hashicorp/azuread`.
fn stand_in_azuread(tf: &Tf) {
    let ours = Path::new(env!("CARGO_BIN_EXE_terraform-provider-entra"));
    let dir = tf.dir.path().join("azuread");
    std::fs::create_dir(&dir).unwrap();
    std::os::unix::fs::symlink(ours, dir.join("terraform-provider-azuread")).unwrap();
    let cli = format!(
        "provider_installation {{\n  dev_overrides {{\n    \"registry.terraform.io/entra-iac/entra\" = \"{}\"\n    \"registry.terraform.io/hashicorp/azuread\" = \"{}\"\n  }}\n  direct {{}}\n}}\n",
        ours.parent().unwrap().display(),
        dir.display()
    );
    std::fs::write(tf.dir.path().join("cli.tfrc"), cli).unwrap();
}

fn azuread_resource(ty: &str, name: &str, version: u32, attributes: Json) -> Json {
    json!({
        "mode": "managed",
        "type": ty,
        "name": name,
        "provider": "provider[\"registry.terraform.io/hashicorp/azuread\"]",
        "instances": [{
            "schema_version": version,
            "attributes": attributes,
            "sensitive_attributes": [],
            // SDKv2's timeouts record, as azuread writes it.
            "private": "eyJlMmJmYjczMC1lY2FhLTExZTYtOGY4OC0zNDM2M2JjN2M0YzAiOnsiY3JlYXRlIjozMDAwMDAwMDAwMDB9LCJzY2hlbWFfdmVyc2lvbiI6IjEifQ=="
        }]
    })
}

fn write_state(tf: &Tf, resources: Vec<Json>) {
    let state = json!({
        "version": 4,
        "terraform_version": "1.9.8",
        "serial": 7,
        "lineage": "0d7c9a4e-4f1e-6b7a-2c3d-9e8f7a6b5c4d",
        "outputs": {},
        "resources": resources,
        "check_results": null
    });
    std::fs::write(
        tf.dir.path().join("terraform.tfstate"),
        serde_json::to_vec_pretty(&state).unwrap(),
    )
    .unwrap();
}

fn created_id(sim: &Sim, path: &str, body: Json) -> String {
    let (status, created) = sim.graph("POST", path, Some(body));
    assert_eq!(status, 201, "{created}");
    created["id"].as_str().unwrap().to_string()
}

#[test]
fn moved_blocks_take_over_azuread_state_without_writing_to_the_tenant() {
    for bin in terraform_binaries_since((1, 8)) {
        let sim = Sim::start();
        let office = created_id(
            &sim,
            LOCATIONS,
            json!({"@odata.type": "#microsoft.graph.ipNamedLocation", "displayName": "Head office",
                   "isTrusted": true, "ipRanges": [{"@odata.type": "#microsoft.graph.iPv4CidrRange", "cidrAddress": "203.0.113.0/24"}]}),
        );
        let strength = created_id(
            &sim,
            STRENGTHS,
            json!({"displayName": "Admins", "allowedCombinations": ["fido2", "windowsHelloForBusiness"]}),
        );
        let policy = created_id(
            &sim,
            POLICIES,
            json!({
                "displayName": "CA001: Require phishing-resistant MFA for admins",
                "state": "enabledForReportingButNotEnforced",
                "conditions": {
                    "clientAppTypes": ["all"],
                    "applications": {"includeApplications": ["All"]},
                    "users": {"includeRoles": ["62e90394-69f5-4237-9190-012177145e10"], "excludeUsers": [GLASS]},
                    "locations": {"includeLocations": ["All"], "excludeLocations": [office]}
                },
                "grantControls": {"operator": "OR", "authenticationStrength": {"id": strength}}
            }),
        );

        let tf = Tf::new(&bin, sim.provider_env());
        stand_in_azuread(&tf);
        // azuread 3.x state (schema version 1, path-style ids, SDKv2's zero values), except the
        // location, which comes from azuread 2.x (schema version 0, bare id, no object_id).
        write_state(
            &tf,
            vec![
                azuread_resource(
                    "azuread_named_location",
                    "office",
                    0,
                    json!({"id": office, "display_name": "Head office", "country": [],
                           "ip": [{"ip_ranges": ["203.0.113.0/24"], "trusted": true}], "timeouts": null}),
                ),
                azuread_resource(
                    "azuread_authentication_strength_policy",
                    "admins",
                    1,
                    json!({"id": format!("/policies/authenticationStrengthPolicies/{strength}"), "display_name": "Admins",
                           "description": "", "allowed_combinations": ["fido2", "windowsHelloForBusiness"], "timeouts": null}),
                ),
                azuread_resource(
                    "azuread_conditional_access_policy",
                    "admins",
                    1,
                    json!({
                        "id": format!("/identity/conditionalAccess/policies/{policy}"), "object_id": policy,
                        "display_name": "CA001: Require phishing-resistant MFA for admins",
                        "state": "enabledForReportingButNotEnforced",
                        "conditions": [{
                            "client_app_types": ["all"], "insider_risk_levels": "",
                            "service_principal_risk_levels": null, "sign_in_risk_levels": null, "user_risk_levels": null,
                            "applications": [{"included_applications": ["All"], "excluded_applications": null, "included_user_actions": null, "filter": []}],
                            "users": [{"included_roles": ["62e90394-69f5-4237-9190-012177145e10"], "excluded_users": [GLASS],
                                       "included_users": null, "excluded_roles": null, "included_groups": null, "excluded_groups": null,
                                       "included_guests_or_external_users": [], "excluded_guests_or_external_users": []}],
                            "locations": [{"included_locations": ["All"], "excluded_locations": [office]}],
                            "client_applications": [], "devices": [], "platforms": []
                        }],
                        "grant_controls": [{"operator": "OR", "built_in_controls": null, "custom_authentication_factors": null, "terms_of_use": null,
                                            "authentication_strength_policy_id": format!("/policies/authenticationStrengthPolicies/{strength}")}],
                        "session_controls": [],
                        "timeouts": null
                    }),
                ),
            ],
        );
        tf.config(&format!(
            r#"
moved {{
  from = azuread_named_location.office
  to   = entra_named_location.office
}}
moved {{
  from = azuread_authentication_strength_policy.admins
  to   = entra_authentication_strength_policy.admins
}}
moved {{
  from = azuread_conditional_access_policy.admins
  to   = entra_conditional_access_policy.admins
}}

resource "entra_named_location" "office" {{
  display_name = "Head office"
  ip {{
    ip_ranges = ["203.0.113.0/24"]
    trusted   = true
  }}
}}

resource "entra_authentication_strength_policy" "admins" {{
  display_name         = "Admins"
  allowed_combinations = ["fido2", "windowsHelloForBusiness"]
}}

resource "entra_conditional_access_policy" "admins" {{
  display_name = "CA001: Require phishing-resistant MFA for admins"
  state        = "enabledForReportingButNotEnforced"
  conditions {{
    client_app_types = ["all"]
    applications {{
      included_applications = ["All"]
    }}
    users {{
      included_roles = ["62e90394-69f5-4237-9190-012177145e10"]
      excluded_users = ["{GLASS}"]
    }}
    locations {{
      included_locations = ["All"]
      excluded_locations = [entra_named_location.office.id]
    }}
  }}
  grant_controls {{
    operator                          = "OR"
    authentication_strength_policy_id = entra_authentication_strength_policy.admins.id
  }}
}}
"#
        ));
        sim.sim().reset_stats();

        let plan = tf.run(&["plan", "-no-color", "-input=false"]);
        assert_eq!(plan.code, 0, "{}", plan.text());
        for (from, to) in [
            (
                "azuread_named_location.office",
                "entra_named_location.office",
            ),
            (
                "azuread_authentication_strength_policy.admins",
                "entra_authentication_strength_policy.admins",
            ),
            (
                "azuread_conditional_access_policy.admins",
                "entra_conditional_access_policy.admins",
            ),
        ] {
            assert!(
                plan.stdout.contains(&format!("# {from} has moved to {to}")),
                "{}",
                plan.stdout
            );
        }
        assert!(
            plan.stdout.contains("0 to add, 0 to change, 0 to destroy"),
            "{}",
            plan.stdout
        );

        let apply = tf.apply();
        assert!(
            apply.stdout.contains("0 added, 0 changed, 0 destroyed"),
            "{}",
            apply.stdout
        );
        assert_eq!(sim.write_requests(), 0, "{}", sim.sim().stats());
        assert_eq!(
            tf.state_list(),
            vec![
                "entra_authentication_strength_policy.admins",
                "entra_conditional_access_policy.admins",
                "entra_named_location.office",
            ]
        );
        assert_eq!(
            tf.attr("entra_conditional_access_policy.admins", "id"),
            json!(policy)
        );
        tf.assert_clean_plan();

        // Managed from here on: a change goes to the same Graph object.
        let main = std::fs::read_to_string(tf.dir.path().join("main.tf")).unwrap();
        std::fs::write(
            tf.dir.path().join("main.tf"),
            main.replace("\"Head office\"", "\"Head office (Dublin)\""),
        )
        .unwrap();
        tf.apply();
        let (_, location) = sim.graph("GET", &format!("{LOCATIONS}/{office}"), None);
        assert_eq!(location["displayName"], "Head office (Dublin)");
        tf.assert_clean_plan();
    }
}

#[test]
fn a_move_from_a_type_we_do_not_take_over_fails_the_plan_and_says_what_to_do() {
    for bin in terraform_binaries_since((1, 8)) {
        let sim = Sim::start();
        let tf = Tf::new(&bin, sim.provider_env());
        stand_in_azuread(&tf);
        write_state(
            &tf,
            vec![azuread_resource(
                "azuread_group",
                "admins",
                1,
                json!({"id": "/groups/0fd4d7b4-1fa1-4c5b-9c2e-0c8d4f0f6b1a", "object_id": "0fd4d7b4-1fa1-4c5b-9c2e-0c8d4f0f6b1a", "display_name": "Admins"}),
            )],
        );
        tf.config(
            r#"
moved {
  from = azuread_group.admins
  to   = entra_named_location.admins
}

resource "entra_named_location" "admins" {
  display_name = "Admins"
  ip {
    ip_ranges = ["203.0.113.0/24"]
  }
}
"#,
        );
        sim.sim().reset_stats();
        let plan = tf.run(&["plan", "-no-color", "-input=false"]);
        assert_eq!(plan.code, 1, "{}", plan.text());
        assert!(
            plan.flat()
                .contains("entra_named_location cannot take over azuread_group"),
            "{}",
            plan.text()
        );
        assert!(plan.flat().contains("removed block and an import block"));
        assert_eq!(sim.write_requests(), 0, "{}", sim.sim().stats());
    }
}
