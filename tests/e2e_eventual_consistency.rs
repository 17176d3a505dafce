//! Graph replicates with a lag: an object created moments ago can be missing from listings and
//! answer 404 for seconds, now and then for much longer. A plan right after the apply must not
//! take that for a deletion (it would create the object a second time): the refresh asks again,
//! for up to two minutes when the provider saw the object in the last ten (its private state
//! says when), and then fails saying what to do rather than dropping it from the state. An
//! object deleted outside Terraform is still taken for gone once ten minutes have passed.

mod common;

use common::{terraform_binaries, Sim, Tf};
use entra_graph_sim::SimOptions;

const CONFIG: &str = r#"
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
"#;

/// Three seconds, Graph's usual lag, and twenty, longer than any fixed window the provider
/// used to wait.
#[test]
fn a_plan_right_after_an_apply_does_not_lose_objects_graph_has_not_replicated_yet() {
    for bin in terraform_binaries() {
        for lag_ms in [3000, 20_000] {
            let sim = Sim::start_with(SimOptions {
                consistency_lag_ms: lag_ms,
                ..SimOptions::default()
            });
            let tf = Tf::new(&bin, sim.provider_env());
            tf.config(CONFIG);
            tf.apply();
            // Straight away, while Graph still answers 404 for all three.
            tf.assert_clean_plan();
            assert_eq!(
                sim.sim().named_location_ids().len(),
                1,
                "no second location (lag {lag_ms} ms)"
            );
            assert_eq!(
                sim.sim().custom_auth_strength_ids().len(),
                1,
                "no second strength (lag {lag_ms} ms)"
            );
            assert_eq!(tf.state_list().len(), 3);
        }
    }
}

/// Deleted outside Terraform a moment after the apply: the plan cannot tell that from
/// replication, so it fails, says what to do and keeps the state; ten minutes after the
/// provider last saw it, the plan takes it for deleted and creates it again.
#[test]
fn an_object_deleted_right_after_it_was_seen_is_an_error_then_gone() {
    for bin in terraform_binaries() {
        // Fifty times faster: ten minutes are twelve seconds. The request timeout (2.4 s)
        // still outlasts any ordinary answer.
        let sim = Sim::start_with(SimOptions {
            time_scale: Some(0.02),
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
"#,
        );
        tf.apply();
        let applied = std::time::Instant::now();
        let id = tf.attr("entra_named_location.office", "id");
        let id = id.as_str().unwrap();
        let (status, body) = sim.graph(
            "DELETE",
            &format!("/v1.0/identity/conditionalAccess/namedLocations/{id}"),
            None,
        );
        assert_eq!(status, 204, "{body}");
        let r = tf.plan_code(&[]);
        let text = r.flat();
        assert_eq!(r.code, 1, "{text}");
        assert!(
            text.contains(&format!("Graph does not show named location {id}")),
            "{text}"
        );
        assert!(text.contains("terraform state rm"), "{text}");
        assert_eq!(tf.state_list(), ["entra_named_location.office"]);
        // Ten minutes of Graph's time since the apply.
        std::thread::sleep(sim.scaled(600_000).saturating_sub(applied.elapsed()));
        let r = tf.plan_code(&[]);
        assert_eq!(r.code, 2, "{}", r.text());
        assert!(r.text().contains("will be created"), "{}", r.text());
    }
}
