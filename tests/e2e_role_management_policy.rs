//! Scenario S5 end to end: authentication context, PIM activation requiring it, and a
//! Conditional Access policy answering it with sign-in every time.

mod common;

use common::{terraform_binaries, terraform_version, Sim, Tf};
use serde_json::{json, Value};

const APP_ADMIN: &str = "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3";
const ADDRESS: &str = "entra_role_management_policy.app_admin";

fn scenario() -> String {
    let path = format!(
        "{}/examples/scenarios/s5-pim-activation-sign-in-every-time/main.tf",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn rule(rules: &Value, id: &str) -> Value {
    rules
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id)
        .cloned()
        .unwrap_or_else(|| panic!("no rule {id}"))
}

#[test]
fn s5_pim_activation_requires_the_context_and_destroy_restores_the_rules() {
    for bin in terraform_binaries() {
        let sim = Sim::start();
        let before = sim.sim().pim_rules(APP_ADMIN);
        let tf = Tf::new(&bin, sim.provider_env());
        tf.raw_config(&scenario());
        tf.apply();

        let rules = sim.sim().pim_rules(APP_ADMIN);
        let acrs = rule(&rules, "AuthenticationContext_EndUser_Assignment");
        assert_eq!(acrs["isEnabled"], true);
        assert_eq!(acrs["claimValue"], "c1");
        let enablement = rule(&rules, "Enablement_EndUser_Assignment");
        assert!(
            !enablement["enabledRules"]
                .as_array()
                .unwrap()
                .contains(&json!("MultiFactorAuthentication")),
            "{enablement}"
        );
        assert_eq!(
            rule(&rules, "Expiration_EndUser_Assignment")["maximumDuration"],
            "PT4H"
        );
        assert_eq!(
            rule(&rules, "Approval_EndUser_Assignment")["setting"]["isApprovalRequired"],
            true
        );
        // Rules the configuration does not name are untouched.
        assert_eq!(
            rule(&rules, "Notification_Admin_Admin_Eligibility"),
            rule(&before, "Notification_Admin_Admin_Eligibility")
        );

        let (_, policies) = sim.graph("GET", "/beta/identity/conditionalAccess/policies", None);
        let ca = &policies["value"][0];
        assert_eq!(
            ca["conditions"]["applications"]["includeAuthenticationContextClassReferences"],
            json!(["c1"])
        );
        assert_eq!(
            ca["sessionControls"]["signInFrequency"]["frequencyInterval"],
            "everyTime"
        );

        tf.assert_clean_plan();

        // In the portal someone allows 8-hour activations: the drift check sees it.
        let policy_id = tf.attr(ADDRESS, "policy_id");
        let mut expiration = rule(
            &sim.sim().pim_rules(APP_ADMIN),
            "Expiration_EndUser_Assignment",
        );
        expiration["maximumDuration"] = json!("PT8H");
        let (status, body) = sim.graph(
            "PATCH",
            &format!(
                "/v1.0/policies/roleManagementPolicies/{}/rules/Expiration_EndUser_Assignment",
                policy_id.as_str().unwrap()
            ),
            Some(expiration),
        );
        assert_eq!(status, 204, "{body}");
        let drift = tf.assert_drift();
        assert!(drift.stdout.contains("PT8H"), "{}", drift.stdout);
        tf.apply();
        assert_eq!(
            rule(
                &sim.sim().pim_rules(APP_ADMIN),
                "Expiration_EndUser_Assignment"
            )["maximumDuration"],
            "PT4H"
        );
        tf.assert_clean_plan();

        // Destroy puts back exactly the rules the role had before Terraform touched it.
        tf.destroy();
        let after = sim.sim().pim_rules(APP_ADMIN);
        for r in before.as_array().unwrap() {
            let id = r["id"].as_str().unwrap();
            assert_eq!(rule(&after, id), *r, "{id} not restored");
        }
    }
}

/// Import records every rule of the role. A configuration that manages fewer blocks plans
/// their removal once; applying that changes nothing in Graph (an omitted block leaves its
/// rules as they are), and from then on the plan is clean.
#[test]
fn import_by_display_name_is_harmless_and_converges() {
    for bin in terraform_binaries() {
        let sim = Sim::start();
        let tf = Tf::new(&bin, sim.provider_env());
        tf.config(&format!(
            r#"
resource "entra_role_management_policy" "app_admin" {{
  role_definition_id = "{APP_ADMIN}"
  activation_rules {{
    maximum_duration = "PT8H"
  }}
}}
data "entra_role_management_policy" "current" {{
  role_definition_id = "{APP_ADMIN}"
}}
output "max" {{ value = data.entra_role_management_policy.current.activation_rules[0].maximum_duration }}
output "mfa" {{ value = data.entra_role_management_policy.current.activation_rules[0].require_multifactor_authentication }}
"#
        ));
        let before = sim.sim().pim_rules(APP_ADMIN);
        tf.ok(&[
            "import",
            "-no-color",
            "-input=false",
            ADDRESS,
            "Application Administrator",
        ]);
        sim.sim().reset_stats();
        tf.apply();
        let writes: Vec<String> = sim.sim().stats()["requests"]
            .as_object()
            .unwrap()
            .keys()
            .filter(|k| !k.starts_with("GET"))
            .cloned()
            .collect();
        assert!(
            writes.is_empty(),
            "import and its first apply must not write: {writes:?}"
        );
        assert_eq!(sim.sim().pim_rules(APP_ADMIN), before);
        tf.assert_clean_plan();
        let out = tf.outputs();
        assert_eq!(out["max"]["value"], "PT8H");
        assert_eq!(out["mfa"]["value"], true);
    }
}

#[test]
fn mfa_with_an_authentication_context_fails_at_plan_without_graph_calls() {
    for bin in terraform_binaries() {
        let sim = Sim::start();
        let tf = Tf::new(&bin, sim.provider_env());
        tf.config(&format!(
            r#"
resource "entra_role_management_policy" "app_admin" {{
  role_definition_id = "{APP_ADMIN}"
  activation_rules {{
    require_multifactor_authentication                 = true
    required_conditional_access_authentication_context = "c1"
    maximum_duration                                   = "P2D"
  }}
}}
"#
        ));
        sim.sim().reset_stats();
        let r = tf.plan_code(&[]);
        assert_eq!(r.code, 1, "{}", r.text());
        let flat = r.flat();
        assert!(
            flat.contains("MFA and an authentication context together"),
            "{flat}"
        );
        assert!(flat.contains("PT30M to PT24H"), "{flat}");
        assert_eq!(sim.graph_requests(), 0, "{}", sim.sim().stats());
    }
}

#[test]
fn many_roles_are_written_with_one_request_each_and_refreshed_with_one_listing() {
    let roles = [
        APP_ADMIN,
        "729827e3-9c14-49f7-bb1b-9608f156bbb8",
        "194ae4cb-b126-40b2-bd5b-6091b380977d",
        "fe930be7-5e62-47db-91af-98c3a49a38b1",
    ];
    for bin in terraform_binaries() {
        let sim = Sim::start();
        let tf = Tf::new(&bin, sim.provider_env());
        let config: String = roles
            .iter()
            .enumerate()
            .map(|(i, r)| {
                format!("resource \"entra_role_management_policy\" \"r{i}\" {{\n  role_definition_id = \"{r}\"\n  activation_rules {{\n    maximum_duration = \"PT2H\"\n  }}\n}}\n")
            })
            .collect();
        tf.config(&config);
        tf.apply();
        let stats = sim.sim().stats();
        assert_eq!(
            stats["requests"]["PATCH /v1.0/policies/roleManagementPolicies/{id}"],
            roles.len(),
            "one write per role: {stats}"
        );
        // One listing for all of them in the apply, and one in the plan before it, which
        // checks that every role exists before anything is written.
        assert_eq!(
            stats["total"],
            roles.len() + 2,
            "and one listing for all of them: {stats}"
        );
        sim.sim().reset_stats();
        tf.assert_clean_plan();
        let stats = sim.sim().stats();
        assert_eq!(
            stats["requests"]["GET /v1.0/policies/roleManagementPolicyAssignments"],
            1,
            "one listing for {} roles: {stats}",
            roles.len()
        );
        assert_eq!(stats["total"], 1, "{stats}");
    }
}

/// Role names are values in the lookup's $filter, never part of the query: a quote, `&`, `#`,
/// `+` or `%` in a name finds exactly that role, and `Global+Reader` is not Global Reader.
#[test]
fn role_names_with_odata_and_url_characters_find_exactly_that_role() {
    let names = [
        "R&D Reader",
        "Tier #1 Operator",
        "O'Brien's Helpdesk",
        "Ops + Security",
        "100% Auditor",
    ];
    for bin in terraform_binaries() {
        let sim = Sim::start();
        let ids: Vec<String> = names.iter().map(|n| sim.sim().add_custom_role(n)).collect();
        let tf = Tf::new(&bin, sim.provider_env());
        let lookups: String = names
            .iter()
            .enumerate()
            .map(|(i, n)| {
                let hcl = n.replace('"', "\\\"");
                format!(
                    "data \"entra_directory_role\" \"r{i}\" {{\n  display_name = \"{hcl}\"\n}}\noutput \"r{i}\" {{ value = data.entra_directory_role.r{i}.id }}\n"
                )
            })
            .collect();
        tf.config(&lookups);
        tf.apply();
        let out = tf.outputs();
        for (i, id) in ids.iter().enumerate() {
            assert_eq!(out[format!("r{i}")]["value"], json!(id), "{}", names[i]);
        }

        tf.config(
            r#"
data "entra_directory_role" "plus" {
  display_name = "Global+Reader"
}
"#,
        );
        let r = tf.plan_code(&[]);
        assert_eq!(r.code, 1, "{}", r.text());
        assert!(
            r.flat().contains("Directory role not found"),
            "{}",
            r.text()
        );
    }
}

const CONTEXT_C9: &str = r#"
resource "entra_authentication_context" "c9" {
  context_id   = "c9"
  display_name = "Tier 0 activation"
  is_available = true
}
"#;

/// PIM settings whose activation requires `context` (an HCL expression).
fn pim_requiring(context: &str) -> String {
    format!(
        r#"
resource "entra_role_management_policy" "app_admin" {{
  role_definition_id = "{APP_ADMIN}"
  activation_rules {{
    require_multifactor_authentication                 = false
    required_conditional_access_authentication_context = {context}
  }}
}}
"#
    )
}

/// Issue 18: a PIM rule that requires a context the tenant lacks fails at plan, like a policy's
/// reference; destroying a context a role's activation still requires warns at plan and at
/// apply, naming the role.
#[test]
fn the_required_context_must_exist_and_its_destroy_names_the_roles_requiring_it() {
    for bin in terraform_binaries() {
        let sim = Sim::start();
        let tf = Tf::new(&bin, sim.provider_env());
        tf.config(&pim_requiring("\"c55\""));
        let r = tf.plan_code(&[]);
        assert_eq!(r.code, 1, "{}", r.text());
        let flat = r.flat();
        assert!(
            flat.contains("Authentication context c55 does not exist"),
            "{flat}"
        );
        assert!(
            flat.contains("required_conditional_access_authentication_context"),
            "{flat}"
        );
        assert_eq!(sim.write_requests(), 0);

        tf.config(&format!(
            "{CONTEXT_C9}{}",
            pim_requiring("entra_authentication_context.c9.context_id")
        ));
        tf.apply();
        // The context leaves the configuration; the rule keeps naming it: the plan warns.
        tf.config(&pim_requiring("\"c9\""));
        let r = tf.plan_code(&[]);
        assert_eq!(r.code, 2, "{}", r.text());
        // Terraform before 1.3 plans a destroy without asking the provider.
        if !terraform_version(&bin).contains(" v1.0.") {
            assert!(
                r.flat()
                    .contains("Authentication context c9 is required by PIM"),
                "{}",
                r.flat()
            );
        }
        // The apply deletes it all the same (whether Graph would refuse is not documented) and
        // names the roles that now require a context that is gone.
        let r = tf.apply();
        let flat = r.flat();
        assert!(
            flat.contains("Authentication context c9 is still required by PIM"),
            "{flat}"
        );
        assert!(flat.contains("Application Administrator"), "{flat}");
        assert!(!tf
            .state_list()
            .contains(&"entra_authentication_context.c9".to_string()));
        tf.config(&pim_requiring("\"\""));
        tf.apply();
        tf.destroy();
    }
}
