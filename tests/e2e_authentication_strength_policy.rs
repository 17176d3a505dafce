//! `entra_authentication_strength_policy` end to end: real Terraform, our provider, the simulator.

mod common;

use common::{terraform_binaries, Sim, Tf};
use serde_json::{json, Value as Json};

const PATH: &str = "/v1.0/policies/authenticationStrengthPolicies";
const ADDRESS: &str = "entra_authentication_strength_policy.admins";

fn strength(combinations: &str) -> String {
    format!(
        r#"
resource "entra_authentication_strength_policy" "admins" {{
  display_name         = "Admins: phishing-resistant or OTP"
  description          = "For privileged roles"
  allowed_combinations = [{combinations}]

  fido2_combination_configuration {{
    allowed_aaguids = ["486c3b50-889c-480a-abc5-c04ef7c873e0", "C042882F-A621-40C8-94D3-9CDE3A826FED"]
  }}
}}
"#
    )
}

const COMBINATIONS: &str = r#""fido2", "windowsHelloForBusiness", "password, sms""#;

fn guid_of(tf: &Tf) -> String {
    tf.attr(ADDRESS, "object_id").as_str().unwrap().to_string()
}

fn get(sim: &Sim, guid: &str) -> (u16, Json) {
    sim.graph("GET", &format!("{PATH}/{guid}"), None)
}

#[test]
fn apply_plan_clean_drift_import_and_destroy() {
    for bin in terraform_binaries() {
        let sim = Sim::start();
        let tf = Tf::new(&bin, sim.provider_env());
        tf.config(&strength(COMBINATIONS));
        tf.apply();
        let guid = guid_of(&tf);
        assert_eq!(
            tf.attr(ADDRESS, "id"),
            json!(format!("/policies/authenticationStrengthPolicies/{guid}"))
        );

        let (status, body) = get(&sim, &guid);
        assert_eq!(status, 200);
        assert_eq!(body["policyType"], "custom");
        let mut combos: Vec<&str> = body["allowedCombinations"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(Json::as_str)
            .collect();
        combos.sort();
        assert_eq!(combos, ["fido2", "password,sms", "windowsHelloForBusiness"]);
        let configs = body["combinationConfigurations"].as_array().unwrap();
        assert_eq!(configs.len(), 1, "{body}");
        assert_eq!(configs[0]["allowedAAGUIDs"].as_array().unwrap().len(), 2);

        // "password, sms" and upper-case AAGUIDs are kept as written: no diff.
        tf.assert_clean_plan();

        // Someone removes Windows Hello in the portal: the drift check catches it.
        let (status, _) = sim.graph(
            "POST",
            &format!("{PATH}/{guid}/updateAllowedCombinations"),
            Some(json!({"allowedCombinations": ["fido2", "password,sms"]})),
        );
        assert_eq!(status, 200);
        let drift = tf.assert_drift();
        assert!(
            drift.stdout.contains("windowsHelloForBusiness"),
            "{}",
            drift.stdout
        );
        tf.apply();
        let (_, body) = get(&sim, &guid);
        assert_eq!(body["allowedCombinations"].as_array().unwrap().len(), 3);
        tf.assert_clean_plan();

        // A name change goes through PATCH and leaves the rest alone.
        tf.config(&strength(COMBINATIONS).replace("For privileged roles", "Tier 0"));
        tf.apply();
        let (_, body) = get(&sim, &guid);
        assert_eq!(body["description"], "Tier 0");
        tf.assert_clean_plan();

        // Import by GUID. Right after an import the provider has only Graph's spelling
        // ("password,sms"); with the configuration in that spelling the plan is clean.
        tf.ok(&["state", "rm", ADDRESS]);
        tf.ok(&["import", "-no-color", "-input=false", ADDRESS, &guid]);
        let graph_form = r#""fido2", "windowsHelloForBusiness", "password,sms""#;
        tf.config(&strength(graph_form).replace("For privileged roles", "Tier 0"));
        tf.assert_clean_plan();

        // Another spelling after an import is a one-time plan that changes nothing in Graph.
        tf.ok(&["state", "rm", ADDRESS]);
        tf.ok(&["import", "-no-color", "-input=false", ADDRESS, &guid]);
        tf.config(&strength(COMBINATIONS).replace("For privileged roles", "Tier 0"));
        let plan = tf.plan_code(&[]);
        assert_eq!(plan.code, 2, "{}", plan.text());
        assert!(
            plan.stdout.contains("+ \"password, sms\""),
            "{}",
            plan.stdout
        );
        sim.sim().reset_stats();
        tf.apply();
        let writes: Vec<String> = sim.sim().stats()["requests"]
            .as_object()
            .unwrap()
            .keys()
            .filter(|k| !k.starts_with("GET "))
            .cloned()
            .collect();
        assert!(writes.is_empty(), "{writes:?}");
        tf.assert_clean_plan();

        tf.destroy();
        assert_eq!(get(&sim, &guid).0, 404);
        assert!(tf.state_list().is_empty());
    }
}

#[test]
fn plan_warns_about_policies_and_destroy_is_refused_while_one_uses_the_strength() {
    for bin in terraform_binaries() {
        let sim = Sim::start();
        let tf = Tf::new(&bin, sim.provider_env());
        tf.config(&strength(COMBINATIONS));
        tf.apply();
        let guid = guid_of(&tf);
        let policy_id = sim.sim().put_raw_policy(json!({
            "displayName": "CA004-Admins-RequireStrongAuth",
            "state": "enabled",
            "conditions": {
                "applications": {"includeApplications": ["All"]},
                "users": {"includeRoles": ["62e90394-69f5-4237-9190-012177145e10"]},
                "clientAppTypes": ["all"]
            },
            "grantControls": {"operator": "OR", "authenticationStrength": {"id": guid}}
        }));

        // Removing a combination: the plan names the policy that requires the strength.
        tf.config(&strength(r#""fido2", "password, sms""#));
        let plan = tf.plan_code(&[]);
        assert_eq!(plan.code, 2, "{}", plan.text());
        let text = plan.flat();
        assert!(
            text.contains("Warning: Changing authentication strength \"Admins: phishing-resistant or OTP\" affects 1 Conditional Access policy"),
            "{text}"
        );
        assert!(text.contains("CA004-Admins-RequireStrongAuth"), "{text}");
        assert!(text.contains(&policy_id), "{text}");
        assert!(text.contains("windowsHelloForBusiness"), "{text}");

        // Adding one is not a weakening: no warning.
        tf.config(&strength(&format!(
            r#"{COMBINATIONS}, "password,softwareOath""#
        )));
        let plan = tf.plan_code(&[]);
        assert_eq!(plan.code, 2, "{}", plan.text());
        assert!(
            !plan.flat().contains("CA004-Admins-RequireStrongAuth"),
            "{}",
            plan.text()
        );

        // Destroy is refused, naming the policy, and nothing changes.
        tf.config(&strength(COMBINATIONS));
        let r = tf.run(&["destroy", "-auto-approve", "-no-color", "-input=false"]);
        assert_eq!(r.code, 1, "{}", r.text());
        let text = r.flat();
        assert!(text.contains("CA004-Admins-RequireStrongAuth"), "{text}");
        assert!(text.contains(&policy_id), "{text}");
        assert_eq!(get(&sim, &guid).0, 200);
        assert_eq!(tf.state_list(), vec![ADDRESS.to_string()]);
        tf.assert_clean_plan();
    }
}

#[test]
fn data_source_reads_built_ins_by_name_and_custom_strengths_by_id() {
    for bin in terraform_binaries() {
        let sim = Sim::start();
        let tf = Tf::new(&bin, sim.provider_env());
        tf.config(&format!(
            r#"{}
data "entra_authentication_strength_policy" "phishing_resistant" {{
  display_name = "Phishing-resistant MFA"
}}
data "entra_authentication_strength_policy" "mfa" {{
  id = "00000000-0000-0000-0000-000000000002"
}}
data "entra_authentication_strength_policy" "custom" {{
  id = entra_authentication_strength_policy.admins.id
}}
output "pr_id" {{ value = data.entra_authentication_strength_policy.phishing_resistant.id }}
output "pr_type" {{ value = data.entra_authentication_strength_policy.phishing_resistant.policy_type }}
output "pr_combinations" {{ value = data.entra_authentication_strength_policy.phishing_resistant.allowed_combinations }}
output "mfa_name" {{ value = data.entra_authentication_strength_policy.mfa.display_name }}
output "custom_name" {{ value = data.entra_authentication_strength_policy.custom.display_name }}
output "custom_type" {{ value = data.entra_authentication_strength_policy.custom.policy_type }}
"#,
            strength(COMBINATIONS)
        ));
        tf.apply();
        let out = tf.outputs();
        assert_eq!(
            out["pr_id"]["value"],
            "/policies/authenticationStrengthPolicies/00000000-0000-0000-0000-000000000004"
        );
        assert_eq!(out["pr_type"]["value"], "builtIn");
        assert_eq!(out["pr_combinations"]["value"].as_array().unwrap().len(), 3);
        assert_eq!(out["mfa_name"]["value"], "Multifactor authentication");
        assert_eq!(
            out["custom_name"]["value"],
            "Admins: phishing-resistant or OTP"
        );
        assert_eq!(out["custom_type"]["value"], "custom");
    }
}

#[test]
fn importing_a_built_in_strength_points_to_the_data_source() {
    for bin in terraform_binaries() {
        let sim = Sim::start();
        let tf = Tf::new(&bin, sim.provider_env());
        tf.config(&strength(r#""fido2""#));
        let r = tf.run(&[
            "import",
            "-no-color",
            "-input=false",
            ADDRESS,
            "/policies/authenticationStrengthPolicies/00000000-0000-0000-0000-000000000004",
        ]);
        assert_eq!(r.code, 1, "{}", r.text());
        let text = r.flat();
        assert!(
            text.contains("Built-in authentication strengths cannot be managed"),
            "{text}"
        );
        assert!(
            text.contains("entra_authentication_strength_policy data source"),
            "{text}"
        );
        assert!(tf.state_list().is_empty());
    }
}

#[test]
fn a_second_factor_alone_fails_at_plan_with_its_path_and_no_graph_call() {
    for bin in terraform_binaries() {
        let sim = Sim::start();
        let tf = Tf::new(&bin, sim.provider_env());
        tf.config(&strength(r#""fido2", "voice""#));
        sim.sim().reset_stats();
        let r = tf.plan_code(&[]);
        assert_eq!(r.code, 1, "{}", r.text());
        let text = r.flat();
        assert!(text.contains("Invalid method combination"), "{text}");
        assert!(text.contains("allowed_combinations"), "{text}");
        assert!(text.contains("is no sign-in of its own"), "{text}");
        assert_eq!(sim.graph_requests(), 0, "{}", sim.sim().stats());
    }
}

/// Single factors Microsoft lists as combinations of their own (azuread's acceptance test
/// creates `["password"]`), and the QR code with PIN Graph added after unknownFutureValue.
#[test]
fn single_factor_and_qr_code_combinations_apply_and_plan_clean() {
    for bin in terraform_binaries() {
        let sim = Sim::start();
        let tf = Tf::new(&bin, sim.provider_env());
        tf.config(
            r#"
resource "entra_authentication_strength_policy" "single" {
  display_name         = "Low-risk apps: one factor"
  allowed_combinations = ["password", "sms", "federatedSingleFactor", "x509CertificateSingleFactor", "qrCodePin"]
}
"#,
        );
        tf.apply();
        tf.assert_clean_plan();
        let id = tf.attr("entra_authentication_strength_policy.single", "id");
        let guid = id.as_str().unwrap().rsplit('/').next().unwrap();
        let (status, body) = get(&sim, guid);
        assert_eq!(status, 200, "{body}");
        let mut held: Vec<&str> = body["allowedCombinations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap())
            .collect();
        held.sort_unstable();
        assert_eq!(
            held,
            [
                "federatedSingleFactor",
                "password",
                "qrCodePin",
                "sms",
                "x509CertificateSingleFactor"
            ]
        );
        tf.destroy();
    }
}

/// Sixteen new custom strengths in one configuration: Graph allows fifteen, so the plan fails
/// before anything is written (issue 18: the apply failed at the sixteenth).
#[test]
fn more_custom_strengths_than_graph_allows_fail_at_plan() {
    for bin in terraform_binaries() {
        let sim = Sim::start();
        let config: String = (0..16)
            .map(|i| {
                format!(
                    "resource \"entra_authentication_strength_policy\" \"s{i}\" {{\n  display_name         = \"Strength {i}\"\n  allowed_combinations = [\"fido2\"]\n}}\n"
                )
            })
            .collect();
        let tf = Tf::new(&bin, sim.provider_env());
        tf.config(&config);
        sim.sim().reset_stats();
        let r = tf.plan_code(&[]);
        assert_eq!(r.code, 1, "{}", r.text());
        let flat = r.flat();
        assert!(
            flat.contains("no room for all the custom authentication strengths this plan creates"),
            "{flat}"
        );
        assert!(flat.contains("and 15 more"), "{flat}");
        assert_eq!(sim.write_requests(), 0, "nothing written");
    }
}
