//! PIM role settings when writing them fails. The rules of a role go to Graph in one PATCH,
//! which Graph applies all or none; what matters is that the state then says what Graph holds.
//! A write whose answer is lost although Graph took it counts as done (a failure would taint
//! the resource, and replacing it would put the old, weaker settings back for a while). A write
//! Graph refused leaves the state at Graph's settings, and the next apply converges.

mod common;

use common::{terraform_binaries, Sim, Tf};
use entra_graph_sim::{FaultKind, ScriptedFault};
use serde_json::Value;

const ROLES: [&str; 3] = [
    "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3",
    "729827e3-9c14-49f7-bb1b-9608f156bbb8",
    "194ae4cb-b126-40b2-bd5b-6091b380977d",
];

/// The client retries a throttled write this many times before giving up.
const THROTTLED_UNTIL_GIVING_UP: u32 = 13;

fn config(duration: &str) -> String {
    ROLES
        .iter()
        .enumerate()
        .map(|(i, r)| {
            format!(
                r#"
resource "entra_role_management_policy" "r{i}" {{
  role_definition_id = "{r}"
  activation_rules {{
    maximum_duration      = "{duration}"
    require_justification = true
  }}
}}
"#
            )
        })
        .collect()
}

fn fail_writes_of(sim: &Sim, role: &str, kind: FaultKind, times: u32) {
    let policy = sim.sim().pim_policy_id(role);
    sim.sim().script_fault(
        ScriptedFault::new(kind)
            .on_method("PATCH")
            .on_path(&format!("/policies/roleManagementPolicies/{policy}"))
            .times(times),
    );
}

fn max_duration(sim: &Sim, role: &str) -> Value {
    let rules = sim.sim().pim_rules(role);
    rules
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "Expiration_EndUser_Assignment")
        .map(|r| r["maximumDuration"].clone())
        .unwrap()
}

fn assert_no_panic(text: &str) {
    assert!(!text.contains("panic"), "{text}");
    assert!(!text.contains("plugin crashed"), "{text}");
}

/// The state says what Graph holds: a refresh finds nothing to record.
fn assert_state_is_graph(tf: &Tf, what: &str) {
    let r = tf.plan_code(&["-refresh-only"]);
    assert_eq!(r.code, 0, "{what}: state and Graph differ\n{}", r.text());
}

#[test]
fn a_pim_write_whose_answer_fails_counts_when_graph_holds_it() {
    for bin in terraform_binaries() {
        let sim = Sim::start();
        let tf = Tf::new(&bin, sim.provider_env());
        tf.config(&config("PT2H"));
        // A role's first write moves its policy to a new id, so the write sent again after a
        // lost answer finds nothing (404), and the provider reads the policy afresh: Graph
        // holds the rules, done. The connection reset also cuts the other roles' writes short.
        fail_writes_of(&sim, ROLES[1], FaultKind::TruncatedJson, 2);
        fail_writes_of(&sim, ROLES[2], FaultKind::CommitThenReset, 1);
        let r = tf.apply();
        assert_no_panic(&r.flat());
        for role in ROLES {
            assert_eq!(max_duration(&sim, role), "PT2H", "{role}");
        }
        assert_state_is_graph(&tf, "after the lost answers of first writes");
        tf.assert_clean_plan();
        sim.sim().clear_faults();

        // Later writes keep the id: the answer to the second role's write is cut short twice
        // (the client asks once more), the third role's connection drops after Graph took it.
        // One write at a time: a reset that also cut the second role's write short (they share
        // a connection) would turn its lost answer into a plain retry, and the test into a race.
        tf.config(&config("PT3H"));
        fail_writes_of(&sim, ROLES[1], FaultKind::TruncatedJson, 2);
        fail_writes_of(&sim, ROLES[2], FaultKind::CommitThenReset, 1);
        let r = tf.ok(&[
            "apply",
            "-auto-approve",
            "-no-color",
            "-input=false",
            "-parallelism=1",
        ]);
        let text = r.flat();
        assert!(
            text.contains("were written although the answer failed"),
            "{text}"
        );
        assert_no_panic(&text);
        for role in ROLES {
            assert_eq!(max_duration(&sim, role), "PT3H", "{role}");
        }
        assert!(sim.sim().scripted_faults().is_empty());
        assert_state_is_graph(&tf, "after the lost answers");
        // Not tainted: nothing to replace.
        tf.assert_clean_plan();
    }
}

#[test]
fn a_pim_write_graph_refuses_leaves_state_as_graph_holds_and_converges() {
    for bin in terraform_binaries() {
        let sim = Sim::start();
        let tf = Tf::new(&bin, sim.provider_env());
        tf.config(&config("PT2H"));
        tf.apply();
        let before = max_duration(&sim, ROLES[1]);

        // An update of all three, the second role's throttled until the client gives up.
        tf.config(&config("PT3H"));
        fail_writes_of(
            &sim,
            ROLES[1],
            FaultKind::Throttle,
            THROTTLED_UNTIL_GIVING_UP,
        );
        let r = tf.run(&["apply", "-auto-approve", "-no-color", "-input=false"]);
        let text = r.text();
        assert_ne!(r.code, 0, "{text}");
        assert!(text.contains(ROLES[1]), "the error names the role: {text}");
        assert_no_panic(&text);
        assert_eq!(max_duration(&sim, ROLES[0]), "PT3H");
        assert_eq!(
            max_duration(&sim, ROLES[1]),
            before,
            "refused, so unchanged"
        );
        assert_eq!(max_duration(&sim, ROLES[2]), "PT3H");
        assert_state_is_graph(&tf, "after the refused write");
        // The next apply writes only what is missing.
        let plan = tf.plan_code(&[]);
        assert_eq!(plan.code, 2, "{}", plan.text());
        assert!(
            plan.text().contains("1 to change"),
            "only the refused role: {}",
            plan.text()
        );
        tf.apply();
        assert_eq!(max_duration(&sim, ROLES[1]), "PT3H");
        tf.assert_clean_plan();

        // The same for a first apply: the refused role is not left half-managed either.
        let fresh = Tf::new(&bin, sim.provider_env());
        fresh.config(&config("PT5H"));
        fail_writes_of(
            &sim,
            ROLES[0],
            FaultKind::Throttle,
            THROTTLED_UNTIL_GIVING_UP,
        );
        let r = fresh.run(&["apply", "-auto-approve", "-no-color", "-input=false"]);
        assert_ne!(r.code, 0, "{}", r.text());
        assert_eq!(
            max_duration(&sim, ROLES[0]),
            "PT3H",
            "refused, so unchanged"
        );
        assert_state_is_graph(&fresh, "after the refused first write");
        fresh.apply();
        for role in ROLES {
            assert_eq!(max_duration(&sim, role), "PT5H", "{role}");
        }
        fresh.assert_clean_plan();
    }
}
