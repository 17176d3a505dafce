//! `provider::entra::what_if` in real Terraform (functions need Terraform 1.8 or later): checks
//! that assert, at plan time, what a sign-in would meet.

mod common;

use common::{terraform_binaries_since, Sim, Tf};
use std::path::PathBuf;

const GLASS: &str = "6b1f0e2a-3c4d-4e5f-8a9b-0c1d2e3f4a5b";
const ALICE: &str = "8d4c3b5d-6f70-4b82-9dae-3f405a6b7c8e";

/// Provider functions need Terraform 1.8 or later.
fn with_functions() -> Vec<PathBuf> {
    terraform_binaries_since((1, 8))
}

fn config(assert_blocked_alice: bool) -> String {
    format!(
        r#"
resource "entra_conditional_access_policy" "block_legacy" {{
  display_name = "CA002-Global-BlockLegacyAuthentication"
  state        = "enabled"
  conditions {{
    client_app_types = ["exchangeActiveSync", "other"]
    applications {{
      included_applications = ["All"]
    }}
    users {{
      included_users = ["All"]
      excluded_users = ["{GLASS}"]
    }}
  }}
  grant_controls {{
    operator          = "OR"
    built_in_controls = ["block"]
  }}
}}

locals {{
  glass_legacy = provider::entra::what_if([entra_conditional_access_policy.block_legacy], {{
    user_id         = "{GLASS}"
    application_id  = "00000002-0000-0ff1-ce00-000000000000"
    client_app_type = "exchangeActiveSync"
  }})
  alice_legacy = provider::entra::what_if([entra_conditional_access_policy.block_legacy], {{
    user_id         = "{ALICE}"
    application_id  = "00000002-0000-0ff1-ce00-000000000000"
    client_app_type = "exchangeActiveSync"
  }})
}}

check "break_glass_is_never_blocked" {{
  assert {{
    condition     = !local.glass_legacy.blocked
    error_message = "The emergency-access account would be blocked."
  }}
}}

check "legacy_authentication_is_blocked" {{
  assert {{
    condition     = local.alice_legacy.blocked == {assert_blocked_alice}
    error_message = "Alice's legacy sign-in is not handled as expected."
  }}
}}

output "alice_blocked" {{
  value = local.alice_legacy.blocked
}}

output "glass_policies" {{
  value = length(local.glass_legacy.policies)
}}
"#
    )
}

#[test]
fn checks_evaluate_policies_from_configuration_before_apply() {
    for bin in with_functions() {
        let sim = Sim::start();
        let tf = Tf::new(&bin, sim.provider_env());
        tf.config(&config(true));
        let plan = tf.plan_code(&[]);
        assert_eq!(plan.code, 2, "{}", plan.text());
        let flat = plan.flat();
        assert!(!flat.contains("Check block assertion failed"), "{flat}");
        assert!(
            flat.contains("alice_blocked = true"),
            "evaluated at plan time, before the policy exists: {flat}"
        );
        tf.apply();
        let out = tf.outputs();
        assert_eq!(out["alice_blocked"]["value"], true);
        assert_eq!(
            out["glass_policies"]["value"], 0,
            "the excluded account matches no policy"
        );

        // A check that fails shows at plan time.
        tf.config(&config(false));
        let plan = tf.plan_code(&[]);
        let flat = plan.flat();
        assert!(flat.contains("Check block assertion failed"), "{flat}");
        assert!(
            flat.contains("Alice's legacy sign-in is not handled as expected."),
            "{flat}"
        );
    }
}

#[test]
fn a_bad_sign_in_names_the_argument() {
    for bin in with_functions() {
        let sim = Sim::start();
        let tf = Tf::new(&bin, sim.provider_env());
        tf.config(r#"output "x" { value = provider::entra::what_if([], { user = "nobody" }) }"#);
        let r = tf.plan_code(&[]);
        assert_eq!(r.code, 1, "{}", r.text());
        let flat = r.flat();
        assert!(flat.contains("sign_in has no key \"user\""), "{flat}");
    }
}

/// An agent identity policy from the configuration, at plan time: it meets the agent's own
/// sign-in and not an agent user's; `agent_user` reaches the function as `"true"`.
#[test]
fn agent_sign_ins_meet_the_agent_policies_of_the_configuration() {
    const AGENT: &str = "0e6a7c1d-2b3f-4d5e-8f90-a1b2c3d4e5f6";
    const GRAPH_APP: &str = "00000003-0000-0000-c000-000000000000";
    for bin in with_functions() {
        let sim = Sim::start();
        let tf = Tf::new(&bin, sim.provider_env());
        tf.config(&format!(
            r#"
resource "entra_conditional_access_policy" "risky_agents" {{
  display_name = "CA501-Agents-BlockRiskyAgents"
  state        = "enabled"
  conditions {{
    client_app_types     = ["all"]
    agent_id_risk_levels = ["medium", "high"]
    applications {{
      included_applications = ["All"]
    }}
    users {{
      included_users = ["None"]
    }}
    client_applications {{
      included_agent_id_service_principals = ["All"]
    }}
  }}
  grant_controls {{
    operator          = "OR"
    built_in_controls = ["block"]
  }}
}}

locals {{
  policies = [entra_conditional_access_policy.risky_agents]
  agent = provider::entra::what_if(local.policies, {{
    agent_id       = "{AGENT}"
    agent_risk     = "high"
    application_id = "{GRAPH_APP}"
  }})
  agent_user = provider::entra::what_if(local.policies, {{
    user_id        = "{ALICE}"
    agent_user     = true
    agent_risk     = "high"
    application_id = "{GRAPH_APP}"
  }})
}}

output "agent_blocked" {{
  value = local.agent.blocked
}}

output "agent_user_policies" {{
  value = length(local.agent_user.policies)
}}
"#
        ));
        let plan = tf.plan_code(&[]);
        assert_eq!(plan.code, 2, "{}", plan.text());
        let flat = plan.flat();
        assert!(flat.contains("agent_blocked = true"), "{flat}");
        assert!(flat.contains("agent_user_policies = 0"), "{flat}");
    }
}
