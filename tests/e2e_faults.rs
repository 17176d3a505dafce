//! Graph at its worst, ten times over: one request in five throttled (with and without
//! Retry-After), refused with 503, cut off before or after Graph acted on it, or answered
//! later than the provider waits (7 s against a 5 s request timeout); every new object invisible
//! for three seconds. The five
//! scenarios and forty more policies must apply every time, leave Graph holding exactly what a
//! calm run leaves (no duplicates, nothing missing, nothing outside the state), and plan clean.

mod common;

use common::{fleet, in_parallel, terraform_binaries, terraform_version, Sim, Tf};
use entra_graph_sim::SimOptions;
use std::collections::BTreeMap;

/// Runs on every Terraform version under test.
const RUNS: usize = 10;
const LAG_MS: u64 = 3000;
/// Graph's clock five times faster than real time, not the harness's ten: the 5 s request
/// timeout stays a whole second, longer than any answer but the slow faults' takes even with
/// a dozen Terraform runs on two cores.
const TIME_SCALE: f64 = 0.2;

const SCENARIOS: [&str; 5] = [
    "s1-reauth-register-security-info",
    "s2-register-security-info-trusted-locations-or-mfa",
    "s3-guests-register-from-trusted-locations-only",
    "s4-block-registration-under-risk",
    "s5-pim-activation-sign-in-every-time",
];

/// The configurations of one run: the scenarios, each in its own directory as users keep them,
/// and the fleet of forty policies.
fn configurations() -> Vec<String> {
    let mut configs: Vec<String> = SCENARIOS
        .iter()
        .map(|dir| {
            let path = format!(
                "{}/examples/scenarios/{dir}/main.tf",
                env!("CARGO_MANIFEST_DIR")
            );
            let hcl = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
            // S2 and S3 each declare the same "HQ egress" location. Created at the same moment
            // by two runs, the two are indistinguishable, and a run whose answer was lost could
            // take the other's (it warns when it sees such twins). Separate names keep each
            // run's objects its own.
            hcl.replace("\"HQ egress\"", &format!("\"HQ egress ({dir})\""))
        })
        .collect();
    configs.push(format!(
        "{}\nprovider \"entra\" {{}}\n{}",
        common::PROVIDER_HEADER,
        fleet::config("Fleet", 40)
    ));
    configs
}

/// Applies every configuration at once against `sim`; the working directories, or what failed.
fn apply_all(bin: &std::path::Path, env: &[(String, String)]) -> Result<Vec<Tf>, String> {
    let configs = configurations();
    let dirs: Vec<Tf> = configs
        .iter()
        .map(|c| {
            let tf = Tf::new(bin, env.to_vec());
            tf.raw_config(c);
            tf
        })
        .collect();
    let failures: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = dirs
            .iter()
            .map(|tf| {
                s.spawn(move || tf.run(&["apply", "-auto-approve", "-no-color", "-input=false"]))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap())
            .filter(|r| r.code != 0)
            .map(|r| r.text())
            .collect()
    });
    if failures.is_empty() {
        Ok(dirs)
    } else {
        Err(failures.join("\n-----\n"))
    }
}

fn faulty_graph() -> SimOptions {
    SimOptions {
        fault_rate: 0.2,
        consistency_lag_ms: LAG_MS,
        slow_fault_ms: 7000,
        time_scale: Some(TIME_SCALE),
        ..SimOptions::default()
    }
}

/// One run against a faulty Graph; what went wrong, if anything.
fn faulty_run(bin: &std::path::Path, expected: &BTreeMap<String, usize>) -> Result<String, String> {
    let sim = Sim::start_with(faulty_graph());
    let mut env = sim.provider_env();
    // Short enough that the slow answers time out, as they would against Graph's worst.
    env.push(("ENTRA_REQUEST_TIMEOUT".into(), "5".into()));
    let dirs = apply_all(bin, &env).map_err(|e| format!("an apply failed:\n{e}"))?;
    // Graph's listings show the last creates only once replication has caught up.
    std::thread::sleep(sim.scaled(LAG_MS + 100));
    let held = fleet::held(&sim);
    if &held != expected {
        return Err(format!(
            "Graph holds other objects than a calm run leaves:\n held: {held:#?}\n expected: {expected:#?}"
        ));
    }
    let mut in_state: Vec<String> = dirs.iter().flat_map(fleet::state_ids).collect();
    in_state.sort();
    if in_state != fleet::held_ids(&sim) {
        return Err(format!(
            "the states record other ids than Graph holds:\n state: {in_state:?}\n Graph: {:?}",
            fleet::held_ids(&sim)
        ));
    }
    for tf in &dirs {
        let r = tf.plan_code(&[]);
        if r.code != 0 {
            return Err(format!(
                "the plan after the apply is not clean:\n{}",
                r.text()
            ));
        }
    }
    Ok(sim.sim().stats()["faults"].to_string())
}

/// The soak on one Terraform: what went wrong, if anything.
fn soak(bin: &std::path::Path) -> Result<(), String> {
    let calm = Sim::start();
    let env = calm.provider_env();
    apply_all(bin, &env).map_err(|e| format!("a calm apply failed: {e}"))?;
    let expected = fleet::held(&calm);
    let count = |fleet: bool| -> usize {
        expected
            .iter()
            .filter(|(k, _)| k.contains(": Fleet") == fleet)
            .map(|(_, n)| n)
            .sum()
    };
    if count(true) != 4 + 40 || count(false) < 5 {
        return Err(format!("a calm run leaves other objects: {expected:#?}"));
    }

    let runs: Vec<usize> = (0..RUNS).collect();
    let started = std::time::Instant::now();
    let outcomes = in_parallel(&runs, 2, || (), |_, _| faulty_run(bin, &expected));
    let failed: Vec<String> = outcomes
        .iter()
        .enumerate()
        .filter_map(|(i, o)| o.as_ref().err().map(|e| format!("run {i}: {e}")))
        .collect();
    eprintln!(
        "fault runs with Terraform {}: {} of {} succeeded in {:.0?}; faults injected per run: {:#?}",
        terraform_version(bin),
        runs.len() - failed.len(),
        runs.len(),
        started.elapsed(),
        outcomes
            .iter()
            .filter_map(|o| o.as_ref().ok())
            .collect::<Vec<_>>()
    );
    if failed.is_empty() {
        Ok(())
    } else {
        Err(failed.join("\n=====\n"))
    }
}

/// Every Terraform's soak at once: the runs mostly wait on the faults, not on the machine.
#[test]
fn scenarios_and_forty_policies_apply_through_faults_ten_times_out_of_ten() {
    let bins = terraform_binaries();
    let outcomes: Vec<Result<(), String>> = std::thread::scope(|s| {
        let soaks: Vec<_> = bins.iter().map(|bin| s.spawn(|| soak(bin))).collect();
        soaks.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let failed: Vec<String> = bins
        .iter()
        .zip(outcomes)
        .filter_map(|(bin, o)| o.err().map(|e| format!("{}: {e}", terraform_version(bin))))
        .collect();
    assert!(failed.is_empty(), "{}", failed.join("\n#####\n"));
}
