//! `entra_authentication_context` end to end: real Terraform, our provider, the simulator.

mod common;

use common::{terraform_binaries, Sim, Tf};
use serde_json::json;

const PATH: &str = "/v1.0/identity/conditionalAccess/authenticationContextClassReferences";

fn tier0(id: &str, name: &str) -> String {
    format!(
        r#"
resource "entra_authentication_context" "tier0" {{
  context_id   = "{id}"
  display_name = "{name}"
  description  = "Privilege Role Activation Requires Sign-In Every Time"
  is_available = true
}}
"#
    )
}

#[test]
fn apply_plan_clean_drift_and_destroy() {
    for bin in terraform_binaries() {
        let sim = Sim::start();
        let tf = Tf::new(&bin, sim.provider_env());
        tf.config(&tier0("c1", "Tier 0 Role Activation (Sign-in Everytime)"));
        tf.apply();

        let (status, body) = sim.graph("GET", &format!("{PATH}/c1"), None);
        assert_eq!(status, 200);
        assert_eq!(
            body["displayName"],
            "Tier 0 Role Activation (Sign-in Everytime)"
        );
        assert_eq!(
            body["description"],
            "Privilege Role Activation Requires Sign-In Every Time"
        );
        assert_eq!(body["isAvailable"], true);

        tf.assert_clean_plan();

        // Someone renames it and unpublishes it in the portal: the drift check catches it.
        let (status, _) = sim.graph(
            "PATCH",
            &format!("{PATH}/c1"),
            Some(json!({"displayName": "renamed", "isAvailable": false})),
        );
        assert_eq!(status, 204);
        let drift = tf.assert_drift();
        assert!(drift.stdout.contains("renamed"), "{}", drift.stdout);

        // A normal apply puts it back, and the plan settles.
        tf.apply();
        let (_, body) = sim.graph("GET", &format!("{PATH}/c1"), None);
        assert_eq!(
            body["displayName"],
            "Tier 0 Role Activation (Sign-in Everytime)"
        );
        assert_eq!(body["isAvailable"], true);
        tf.assert_clean_plan();

        // Destroy unpublishes, then deletes.
        tf.destroy();
        let (status, _) = sim.graph("GET", &format!("{PATH}/c1"), None);
        assert_eq!(status, 404);
        assert!(tf.state_list().is_empty());
    }
}

#[test]
fn import_of_a_context_made_in_the_portal_plans_clean() {
    for bin in terraform_binaries() {
        let sim = Sim::start();
        let (status, _) = sim.graph(
            "PATCH",
            &format!("{PATH}/c5"),
            Some(json!({"displayName": "Portal made", "description": "by hand", "isAvailable": true})),
        );
        assert_eq!(status, 204);
        let tf = Tf::new(&bin, sim.provider_env());
        tf.config(
            r#"
resource "entra_authentication_context" "imported" {
  context_id   = "c5"
  display_name = "Portal made"
  description  = "by hand"
  is_available = true
}
"#,
        );
        tf.ok(&[
            "import",
            "-no-color",
            "-input=false",
            "entra_authentication_context.imported",
            "c5",
        ]);
        tf.assert_clean_plan();
        let show = tf.ok(&[
            "state",
            "show",
            "-no-color",
            "entra_authentication_context.imported",
        ]);
        assert!(show.stdout.contains("Portal made"), "{}", show.stdout);
    }
}

#[test]
fn invalid_context_id_fails_at_plan_with_its_path_and_no_graph_call() {
    for bin in terraform_binaries() {
        let sim = Sim::start();
        let tf = Tf::new(&bin, sim.provider_env());
        tf.config(&tier0("c100", "x"));
        sim.sim().reset_stats();
        let r = tf.plan_code(&[]);
        assert_eq!(r.code, 1, "{}", r.text());
        assert!(
            r.stderr.contains("Invalid authentication context id"),
            "{}",
            r.stderr
        );
        assert!(r.stderr.contains("context_id"), "{}", r.stderr);
        assert!(r.flat().contains("use c1 to c99"), "{}", r.stderr);
        assert_eq!(sim.graph_requests(), 0, "{}", sim.sim().stats());
    }
}

#[test]
fn create_refuses_to_take_over_an_existing_context_at_plan() {
    for bin in terraform_binaries() {
        let sim = Sim::start();
        sim.graph(
            "PATCH",
            &format!("{PATH}/c7"),
            Some(json!({"displayName": "Someone else's"})),
        );
        sim.sim().reset_stats();
        let tf = Tf::new(&bin, sim.provider_env());
        tf.config(&tier0("c7", "Mine"));
        let r = tf.run(&["plan", "-no-color", "-input=false"]);
        assert_eq!(r.code, 1, "{}", r.text());
        assert_eq!(sim.write_requests(), 0, "{}", sim.sim().stats());
        assert!(
            r.flat().contains("context_id"),
            "the attribute path: {}",
            r.stderr
        );
        assert!(r.flat().contains("already exists"), "{}", r.stderr);
        assert!(
            r.flat().contains("terraform import <resource address> c7"),
            "{}",
            r.stderr
        );
        let (_, body) = sim.graph("GET", &format!("{PATH}/c7"), None);
        assert_eq!(
            body["displayName"], "Someone else's",
            "the existing context must be untouched"
        );
        assert!(tf.state_list().is_empty());
    }
}

#[test]
fn changing_the_id_replaces_the_context() {
    for bin in terraform_binaries() {
        let sim = Sim::start();
        let tf = Tf::new(&bin, sim.provider_env());
        tf.config(&tier0("c12", "Tier 0"));
        tf.apply();
        tf.config(&tier0("c13", "Tier 0"));
        let plan = tf.plan_code(&[]);
        assert_eq!(plan.code, 2, "{}", plan.text());
        assert!(plan.stdout.contains("must be replaced"), "{}", plan.stdout);
        tf.apply();
        assert_eq!(sim.graph("GET", &format!("{PATH}/c12"), None).0, 404);
        assert_eq!(sim.graph("GET", &format!("{PATH}/c13"), None).0, 200);
        tf.assert_clean_plan();
    }
}

#[test]
fn destroy_is_refused_while_a_policy_uses_the_context_and_nothing_changes() {
    for bin in terraform_binaries() {
        let sim = Sim::start();
        let tf = Tf::new(&bin, sim.provider_env());
        tf.config(&tier0("c9", "Tier 0"));
        tf.apply();
        let policy_id = sim.sim().put_raw_policy(json!({
            "displayName": "CA900-Admins-SignInEveryTime",
            "state": "enabled",
            "conditions": {
                "applications": {"includeApplications": [], "includeAuthenticationContextClassReferences": ["c9"]},
                "users": {"includeUsers": ["All"]},
                "clientAppTypes": ["all"]
            }
        }));
        let r = tf.run(&["destroy", "-auto-approve", "-no-color", "-input=false"]);
        assert_eq!(r.code, 1, "{}", r.text());
        assert!(
            r.flat().contains("CA900-Admins-SignInEveryTime"),
            "{}",
            r.stderr
        );
        assert!(r.flat().contains(&policy_id), "{}", r.stderr);
        // Nothing changed: still published, still in state, plan still clean.
        let (_, body) = sim.graph("GET", &format!("{PATH}/c9"), None);
        assert_eq!(body["isAvailable"], true);
        assert_eq!(
            tf.state_list(),
            vec!["entra_authentication_context.tier0".to_string()]
        );
        tf.assert_clean_plan();
    }
}

#[test]
fn data_source_finds_a_context_by_id_and_by_name() {
    for bin in terraform_binaries() {
        let sim = Sim::start();
        sim.graph(
            "PATCH",
            &format!("{PATH}/c11"),
            Some(json!({"displayName": "Tier 1", "description": "d", "isAvailable": true})),
        );
        let tf = Tf::new(&bin, sim.provider_env());
        tf.config(
            r#"
data "entra_authentication_context" "by_id" { context_id = "c11" }
data "entra_authentication_context" "by_name" { display_name = "Tier 1" }
output "name" { value = data.entra_authentication_context.by_id.display_name }
output "id" { value = data.entra_authentication_context.by_name.context_id }
output "published" { value = data.entra_authentication_context.by_name.is_available }
"#,
        );
        tf.apply();
        let out = tf.outputs();
        assert_eq!(out["name"]["value"], "Tier 1");
        assert_eq!(out["id"]["value"], "c11");
        assert_eq!(out["published"]["value"], true);

        tf.config(r#"data "entra_authentication_context" "missing" { display_name = "nope" }"#);
        let r = tf.plan_code(&[]);
        assert_eq!(r.code, 1);
        assert!(
            r.flat()
                .contains("No authentication context is named \"nope\""),
            "{}",
            r.stderr
        );
    }
}
