//! Lockout protection end to end: what a user sees at plan time, and that nothing is written.

mod common;

use common::{terraform_binaries, Sim, Tf, PROVIDER_HEADER};

const GLASS_1: &str = "6b1f0e2a-3c4d-4e5f-8a9b-0c1d2e3f4a5b";
const GLASS_2: &str = "7c2a1f3b-4d5e-4f60-9b0c-1d2e3f4a5b6c";

fn policy(state: &str, excluded: &[&str], controls: &str) -> String {
    let excluded = excluded
        .iter()
        .map(|e| format!("\"{e}\""))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        r#"
resource "entra_conditional_access_policy" "p" {{
  display_name = "CA001-Global-AllApps-{controls}"
  state        = "{state}"
  conditions {{
    client_app_types = ["all"]
    applications {{
      included_applications = ["All"]
    }}
    users {{
      included_users = ["All"]
      excluded_users = [{excluded}]
    }}
  }}
  grant_controls {{
    operator          = "OR"
    built_in_controls = ["{controls}"]
  }}
}}
"#
    )
}

fn provider(enforcement: &str) -> String {
    format!("provider \"entra\" {{\n  emergency_access {{\n    user_ids    = [\"{GLASS_1}\", \"{GLASS_2}\"]\n    enforcement = \"{enforcement}\"\n  }}\n}}\n")
}

fn writes(sim: &Sim) -> usize {
    sim.sim().stats()["requests"]
        .as_object()
        .unwrap()
        .keys()
        .filter(|k| !k.starts_with("GET"))
        .count()
}

#[test]
fn a_policy_missing_an_emergency_account_fails_the_plan_naming_it_and_writes_nothing() {
    for bin in terraform_binaries() {
        let sim = Sim::start();
        let tf = Tf::new(&bin, sim.provider_env());
        tf.raw_config(&format!(
            "{PROVIDER_HEADER}\n{}\n{}",
            provider("error"),
            policy("enabled", &[GLASS_1], "mfa")
        ));
        let r = tf.run(&["apply", "-auto-approve", "-no-color", "-input=false"]);
        assert_eq!(r.code, 1, "{}", r.text());
        let flat = r.flat();
        assert!(
            flat.contains(
                "\"CA001-Global-AllApps-mfa\" does not exclude the emergency-access accounts"
            ),
            "{flat}"
        );
        assert!(
            flat.contains(GLASS_2) && flat.contains("excluded_users"),
            "{flat}"
        );
        assert!(!flat.contains(&format!("apply to {GLASS_1}")), "{flat}");
        assert_eq!(writes(&sim), 0, "{}", sim.sim().stats());

        // Excluding both accounts passes; report-only would too.
        tf.raw_config(&format!(
            "{PROVIDER_HEADER}\n{}\n{}",
            provider("error"),
            policy("enabled", &[GLASS_1, GLASS_2], "mfa")
        ));
        tf.apply();
    }
}

#[test]
fn warn_enforcement_only_warns() {
    for bin in terraform_binaries() {
        let sim = Sim::start();
        let tf = Tf::new(&bin, sim.provider_env());
        tf.raw_config(&format!(
            "{PROVIDER_HEADER}\n{}\n{}",
            provider("warn"),
            policy("enabled", &[], "mfa")
        ));
        let r = tf.apply();
        let flat = r.flat();
        assert!(flat.contains("Warning: \"CA001-Global-AllApps-mfa\" does not exclude the emergency-access accounts"), "{flat}");
    }
}

#[test]
fn without_the_block_blocking_everyone_fails_and_enabled_blocks_warn_to_go_report_only() {
    for bin in terraform_binaries() {
        let sim = Sim::start();
        let tf = Tf::new(&bin, sim.provider_env());
        tf.config(&policy("enabled", &[], "block"));
        let r = tf.plan_code(&[]);
        assert_eq!(r.code, 1, "{}", r.text());
        let flat = r.flat();
        assert!(
            flat.contains("would block administrators from everywhere"),
            "{flat}"
        );
        assert!(flat.contains("excluded_users"), "{flat}");
        assert_eq!(writes(&sim), 0);

        tf.config(&policy("enabled", &[GLASS_1], "block"));
        let r = tf.apply();
        let flat = r.flat();
        assert!(flat.contains("is created enabled with block"), "{flat}");
        assert!(flat.contains("report-only"), "{flat}");
    }
}

/// The most widely deployed policy there is: it blocks no browser, so it locks nobody out and
/// must plan (issue 18); it still says that nobody is excluded.
#[test]
fn block_legacy_authentication_for_everyone_plans_and_applies() {
    for bin in terraform_binaries() {
        let sim = Sim::start();
        let tf = Tf::new(&bin, sim.provider_env());
        tf.config(
            &policy("enabled", &[], "block")
                .replace("[\"all\"]", "[\"exchangeActiveSync\", \"other\"]"),
        );
        let r = tf.apply();
        let flat = r.flat();
        assert!(!flat.contains("would block administrators"), "{flat}");
        assert!(
            flat.contains("applies to all users without any exclusion"),
            "{flat}"
        );
        tf.assert_clean_plan();
    }
}
