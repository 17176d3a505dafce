//! Creates whose answer is lost. Graph carries out the POST, then the answer never arrives
//! intact: the connection drops, a gateway sends an HTML 502, the body is empty or cut short,
//! or the answer comes later than the provider waits. The provider must not create a second
//! object: it finds the one Graph made (same display name, created since the send, same
//! settings) and puts it in the state with a warning. When Graph did not act (the connection
//! dropped before it), the create is sent again, and still only one object exists.
//!
//! Graph here shows new objects in its listings only after three seconds, as the real one
//! often does, so the search has to outlast replication.

mod common;

use common::{in_parallel, terraform_binaries, Sim, Tf};
use entra_graph_sim::{FaultKind, ScriptedFault, SimOptions};

/// The three resources created with a POST whose answer carries the new id.
#[derive(Clone, Copy, Debug)]
enum Target {
    Policy,
    Location,
    Strength,
}

const TARGETS: [Target; 3] = [Target::Policy, Target::Location, Target::Strength];

/// Lost after Graph acted (adopted with a warning), and lost before it (sent again).
const AFTER_GRAPH_ACTED: [FaultKind; 5] = [
    FaultKind::CommitThenReset,
    FaultKind::Html,
    FaultKind::EmptyBody,
    FaultKind::TruncatedJson,
    FaultKind::Slow,
];

impl Target {
    fn collection(self) -> &'static str {
        match self {
            Target::Policy => "/identity/conditionalAccess/policies",
            Target::Location => "/identity/conditionalAccess/namedLocations",
            Target::Strength => "/policies/authenticationStrengthPolicies",
        }
    }

    fn listing(self) -> String {
        match self {
            Target::Policy => format!("/beta{}", self.collection()),
            _ => format!("/v1.0{}", self.collection()),
        }
    }

    fn address(self) -> &'static str {
        match self {
            Target::Policy => "entra_conditional_access_policy.this",
            Target::Location => "entra_named_location.this",
            Target::Strength => "entra_authentication_strength_policy.this",
        }
    }

    fn config(self, name: &str) -> String {
        match self {
            Target::Policy => format!(
                r#"
resource "entra_conditional_access_policy" "this" {{
  display_name = "{name}"
  state        = "enabledForReportingButNotEnforced"
  conditions {{
    client_app_types = ["all"]
    applications {{
      included_applications = ["All"]
    }}
    users {{
      included_users = ["All"]
    }}
  }}
  grant_controls {{
    operator          = "OR"
    built_in_controls = ["mfa"]
  }}
}}
"#
            ),
            Target::Location => format!(
                r#"
resource "entra_named_location" "this" {{
  display_name = "{name}"
  ip {{
    ip_ranges = ["198.51.100.0/24"]
    trusted   = true
  }}
}}
"#
            ),
            Target::Strength => format!(
                r#"
resource "entra_authentication_strength_policy" "this" {{
  display_name         = "{name}"
  allowed_combinations = ["fido2", "windowsHelloForBusiness"]
}}
"#
            ),
        }
    }
}

const LAG_MS: u64 = 3000;
/// The provider's request timeout, in seconds of Graph's time.
const TIMEOUT_S: u64 = 3;

/// New objects invisible for three seconds. The clock runs three times faster than real time,
/// not the harness's ten: the request timeout stays a whole second, which no ordinary answer
/// takes even on a busy machine, so the only lost answers are the scripted ones.
fn lagging_graph() -> SimOptions {
    SimOptions {
        consistency_lag_ms: LAG_MS,
        time_scale: Some(1.0 / 3.0),
        ..SimOptions::default()
    }
}

/// The ids of the objects named `name` that Graph holds, once replication has caught up.
fn held_named(sim: &Sim, target: Target, name: &str) -> Vec<String> {
    std::thread::sleep(sim.scaled(LAG_MS + 100));
    let (status, body) = sim.graph("GET", &target.listing(), None);
    assert_eq!(status, 200, "{body}");
    body["value"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["displayName"] == name)
        .map(|o| o["id"].as_str().unwrap().to_string())
        .collect()
}

/// One lost create: the apply succeeds, Graph holds one object, the state has its id, and the
/// next plan is clean. `adopted`: whether the provider must say it took the object over.
fn lost_create(sim: &Sim, tf: &Tf, target: Target, fault: FaultKind, name: &str, adopted: bool) {
    sim.sim().script_fault(
        ScriptedFault::new(fault)
            .on_method("POST")
            .on_path(target.collection())
            .with_delay_ms(2 * TIMEOUT_S * 1000),
    );
    tf.config(&target.config(name));
    let r = tf.apply();
    let text = r.flat();
    let what = format!("{target:?} with {fault:?}");
    assert_eq!(
        text.contains("a create with a lost answer made"),
        adopted,
        "{what}: adoption warning expected: {adopted}\n{text}"
    );
    if adopted {
        assert!(text.contains("Warning"), "{what}: {text}");
    }
    let held = held_named(sim, target, name);
    assert_eq!(held.len(), 1, "{what}: Graph holds {held:?}\n{text}");
    // A strength's id is its Graph path, as in azuread; the GUID ends it.
    let id = tf.attr(target.address(), "id");
    assert_eq!(
        id.as_str().unwrap().rsplit('/').next().unwrap(),
        held[0],
        "{what}: the state holds another id than Graph"
    );
    tf.assert_clean_plan();
}

#[test]
fn a_create_whose_answer_is_lost_is_adopted_not_repeated() {
    for bin in terraform_binaries() {
        let sim = Sim::start_with(lagging_graph());
        // Half as long as the slow answers take.
        let mut env = sim.provider_env();
        env.push(("ENTRA_REQUEST_TIMEOUT".into(), TIMEOUT_S.to_string()));
        let cases: Vec<(Target, FaultKind)> = TARGETS
            .iter()
            .flat_map(|&t| AFTER_GRAPH_ACTED.iter().map(move |&f| (t, f)))
            .collect();
        // One at a time: each rule fires on the next POST to its collection.
        for (target, fault) in cases {
            let tf = Tf::new(&bin, env.clone());
            let name = format!("Lost answer {target:?} {}", fault.name());
            lost_create(&sim, &tf, target, fault, &name, true);
        }
        assert!(sim.sim().scripted_faults().is_empty());
    }
}

#[test]
fn a_create_graph_never_received_is_sent_again_once() {
    for bin in terraform_binaries() {
        let sim = Sim::start_with(lagging_graph());
        let env = sim.provider_env();
        in_parallel(
            &TARGETS,
            3,
            || (),
            |_, &target| {
                let tf = Tf::new(&bin, env.clone());
                let name = format!("Never received {target:?}");
                lost_create(&sim, &tf, target, FaultKind::Reset, &name, false);
                // Two POSTs: the one cut off before Graph saw it, and the one sent again.
                let stats = sim.sim().stats();
                let creates: u64 = stats["requests"]
                    .as_object()
                    .unwrap()
                    .iter()
                    .filter(|(k, _)| k.starts_with("POST ") && k.ends_with(target.collection()))
                    .map(|(_, n)| n.as_u64().unwrap())
                    .sum();
                assert_eq!(creates, 2, "{target:?}: {stats:#}");
            },
        );
    }
}
