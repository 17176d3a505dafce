//! Graph answers the provider did not expect: properties added by a newer Graph, enum members
//! it cannot know, HTML gateway pages, empty bodies and JSON cut short. Each gives either the
//! right result or a diagnostic naming what failed; never a panic, never a state that says
//! something Graph does not hold.

mod common;

use common::{terraform_binaries, Sim, Tf};
use entra_graph_sim::{FaultKind, ScriptedFault};

const CONFIG: &str = r#"
resource "entra_conditional_access_policy" "mfa" {
  display_name = "Unexpected answers: MFA"
  state        = "enabled"
  conditions {
    client_app_types = ["all"]
    applications {
      included_applications = ["All"]
    }
    users {
      included_users = ["All"]
    }
  }
  grant_controls {
    operator          = "OR"
    built_in_controls = ["mfa"]
  }
}

resource "entra_named_location" "office" {
  display_name = "Unexpected answers: office"
  ip {
    ip_ranges = ["198.51.100.0/24"]
    trusted   = true
  }
}

resource "entra_authentication_strength_policy" "keys" {
  display_name         = "Unexpected answers: keys"
  allowed_combinations = ["fido2", "windowsHelloForBusiness"]
}
"#;

const READS: [&str; 3] = [
    "/identity/conditionalAccess/policies",
    "/identity/conditionalAccess/namedLocations",
    "/policies/authenticationStrengthPolicies",
];

fn on_reads(sim: &Sim, kind: FaultKind, times: u32) {
    for path in READS {
        sim.sim().script_fault(
            ScriptedFault::new(kind)
                .on_method("GET")
                .on_path(path)
                .times(times),
        );
    }
}

fn assert_no_panic(text: &str) {
    for sign in ["panic", "plugin crashed", "Plugin did not respond"] {
        assert!(!text.contains(sign), "{sign}: {text}");
    }
}

#[test]
fn unexpected_answers_give_the_right_result_or_a_diagnostic() {
    for bin in terraform_binaries() {
        let sim = Sim::start();
        let tf = Tf::new(&bin, sim.provider_env());
        tf.config(CONFIG);
        tf.apply();

        // A newer Graph's extra properties, everywhere: nothing changes.
        on_reads(&sim, FaultKind::ExtraFields, 100);
        tf.assert_clean_plan();
        sim.sim().clear_faults();

        // A read cut short, empty or answered by a gateway once: asked again, nothing changes.
        for kind in [
            FaultKind::TruncatedJson,
            FaultKind::EmptyBody,
            FaultKind::Html,
        ] {
            on_reads(&sim, kind, 1);
            tf.assert_clean_plan();
            assert!(sim.sim().scripted_faults().is_empty(), "{kind:?}");
        }

        // The same twice in a row: the refresh fails, saying which read and why.
        for (kind, why) in [
            (FaultKind::TruncatedJson, "is not JSON"),
            (FaultKind::EmptyBody, "is empty"),
        ] {
            on_reads(&sim, kind, 2);
            let r = tf.plan_code(&[]);
            let text = r.flat();
            assert_eq!(r.code, 1, "{kind:?}: {text}");
            assert_no_panic(&text);
            assert!(text.contains(why), "{kind:?}: {text}");
            assert!(
                text.contains("/identity/conditionalAccess/"),
                "{kind:?}: {text}"
            );
            sim.sim().clear_faults();
            // Nothing was recorded from the broken answers.
            tf.assert_clean_plan();
        }

        // A state Graph added after this provider was built is shown as it is, not hidden.
        sim.sim().script_fault(
            ScriptedFault::new(FaultKind::UnknownEnum)
                .on_method("GET")
                .on_path(READS[0])
                .times(100),
        );
        let r = tf.plan_code(&[]);
        let text = r.flat();
        assert_no_panic(&text);
        assert_ne!(
            r.code, 0,
            "the unknown state must not pass as enabled: {text}"
        );
        assert!(text.contains("enabledForAllFuture"), "{text}");
        sim.sim().clear_faults();
        tf.assert_clean_plan();

        // Updates answered by a gateway page after Graph took them: sent again, done.
        tf.config(&CONFIG.replace("Unexpected answers:", "Unexpected answers, renamed:"));
        for path in READS {
            sim.sim().script_fault(
                ScriptedFault::new(FaultKind::Html)
                    .on_method("PATCH")
                    .on_path(path),
            );
        }
        let r = tf.apply();
        assert_no_panic(&r.flat());
        assert!(sim.sim().scripted_faults().is_empty());
        tf.assert_clean_plan();
        let (_, locations) = sim.graph("GET", &format!("/v1.0{}", READS[1]), None);
        assert!(
            locations["value"]
                .as_array()
                .unwrap()
                .iter()
                .any(|l| l["displayName"] == "Unexpected answers, renamed: office"),
            "{locations}"
        );
    }
}
