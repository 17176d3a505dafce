//! Graph replicates with a lag: an object created moments ago can be missing from listings and
//! answer 404 for a few seconds. A plan right after the apply must not take that for a
//! deletion (it would create the object a second time); the refresh asks again for a few
//! seconds instead, and the plan is clean.

mod common;

use common::{terraform_binaries, Sim, Tf};
use entra_graph_sim::SimOptions;

#[test]
fn a_plan_right_after_an_apply_does_not_lose_objects_graph_has_not_replicated_yet() {
    for bin in terraform_binaries() {
        let sim = Sim::start_with(SimOptions {
            consistency_lag_ms: 3000,
            ..SimOptions::default()
        });
        let tf = Tf::new(&bin, sim.provider_env());
        tf.config(
            r#"
resource "entra_named_location" "office" {
  display_name = "Office"
  ip {
    ip_ranges = ["203.0.113.0/24"]
  }
}

resource "entra_authentication_context" "tier0" {
  context_id   = "c3"
  display_name = "Tier 0"
  is_available = true
}

resource "entra_authentication_strength_policy" "keys" {
  display_name         = "Security keys"
  allowed_combinations = ["fido2"]
}
"#,
        );
        tf.apply();
        // Straight away, while Graph still answers 404 for all three.
        tf.assert_clean_plan();
        assert_eq!(
            sim.sim().named_location_ids().len(),
            1,
            "no second location"
        );
        assert_eq!(
            sim.sim().custom_auth_strength_ids().len(),
            1,
            "no second strength"
        );
        assert_eq!(tf.state_list().len(), 3);
    }
}
