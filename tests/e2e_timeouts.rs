//! `timeouts` blocks as azuread spells them, on every resource: accepted (also through
//! `dynamic "timeouts"`, as azuread modules carry them), kept in the state without a diff, a
//! change of them alone applied without a Graph write, a malformed duration refused at plan,
//! and honoured: Graph that keeps failing stops being retried when the time is up.

mod common;

use common::{terraform_binaries, Sim, Tf};
use entra_graph_sim::{FaultKind, ScriptedFault};

const TIMEOUTS: &str = r#"
  timeouts {
    create = "CREATE"
    read   = "5m"
    update = "5m"
    delete = "5m"
  }
"#;

/// One of each resource, every one with `timeouts` (the policy's through `dynamic`).
fn config(create: &str) -> String {
    let t = TIMEOUTS.replace("CREATE", create);
    format!(
        r#"
variable "timeouts" {{
  type    = map(string)
  default = {{ create = "{create}", delete = "5m" }}
}}

resource "entra_authentication_context" "c" {{
  context_id   = "c3"
  display_name = "Timeouts"
{t}}}

resource "entra_named_location" "l" {{
  display_name = "Timeouts office"
  ip {{
    ip_ranges = ["203.0.113.0/24"]
  }}
{t}}}

resource "entra_authentication_strength_policy" "s" {{
  display_name         = "Timeouts strength"
  allowed_combinations = ["fido2"]
{t}}}

resource "entra_role_management_policy" "r" {{
  role_definition_id = "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3"
  activation_rules {{
    maximum_duration = "PT2H"
  }}
{t}}}

resource "entra_conditional_access_policy" "p" {{
  display_name = "CA990-Timeouts"
  state        = "disabled"
  conditions {{
    client_app_types = ["all"]
    applications {{
      included_applications = ["All"]
    }}
    users {{
      included_users = ["None"]
    }}
  }}
  grant_controls {{
    operator          = "OR"
    built_in_controls = ["mfa"]
  }}
  dynamic "timeouts" {{
    for_each = [var.timeouts]
    content {{
      create = timeouts.value.create
      delete = timeouts.value.delete
    }}
  }}
}}
"#
    )
}

#[test]
fn timeouts_are_accepted_everywhere_kept_and_changed_without_a_write() {
    for bin in terraform_binaries() {
        let sim = Sim::start();
        let tf = Tf::new(&bin, sim.provider_env());
        tf.config(&config("10m"));
        tf.apply();
        tf.assert_clean_plan();
        sim.sim().reset_stats();
        tf.config(&config("20m"));
        tf.apply();
        assert_eq!(sim.write_requests(), 0, "{}", sim.sim().stats());
        tf.assert_clean_plan();
        tf.destroy();
    }
}

#[test]
fn a_malformed_duration_fails_at_plan_on_its_attribute() {
    for bin in terraform_binaries() {
        let sim = Sim::start();
        let tf = Tf::new(&bin, sim.provider_env());
        tf.config(&config("10 minutes"));
        let r = tf.plan_code(&[]);
        assert_eq!(r.code, 1, "{}", r.text());
        let flat = r.flat();
        assert!(flat.contains("Invalid duration"), "{flat}");
        assert!(flat.contains("\"10 minutes\" is not a duration"), "{flat}");
        assert_eq!(sim.graph_requests(), 0);
    }
}

/// Graph answers 503 to every create. Without a limit the provider sends it five times, over
/// many seconds of backoff; with `create = "1s"` it stops asking once the second is up.
#[test]
fn a_create_stops_retrying_when_its_timeout_is_up() {
    for bin in terraform_binaries() {
        let sim = Sim::start();
        let path = "/identity/conditionalAccess/namedLocations";
        sim.sim().script_fault(
            ScriptedFault::new(FaultKind::Unavailable)
                .on_method("POST")
                .on_path(path)
                .times(1000),
        );
        let tf = Tf::new(&bin, sim.provider_env());
        tf.config(&format!(
            "resource \"entra_named_location\" \"l\" {{\n  display_name = \"Slow office\"\n  ip {{\n    ip_ranges = [\"203.0.113.0/24\"]\n  }}\n{}}}\n",
            TIMEOUTS.replace("CREATE", "1s")
        ));
        let r = tf.run(&["apply", "-auto-approve", "-no-color", "-input=false"]);
        assert_eq!(r.code, 1, "{}", r.text());
        let posts = sim.sim().stats()["requests"][format!("POST /v1.0{path}")]
            .as_u64()
            .unwrap_or(0);
        assert!(
            (1..=2).contains(&posts),
            "{posts} creates sent: the limit ends the retries (five without it)"
        );
        assert!(tf.state_list().is_empty(), "nothing was created");
    }
}
