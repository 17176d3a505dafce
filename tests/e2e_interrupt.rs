//! Ctrl-C in the middle of a large apply. Terraform asks the provider to stop and waits for it;
//! the provider finishes the creates Graph may already be carrying out instead of abandoning
//! them, so every object Graph holds afterwards is in the state. The next apply creates the
//! rest, without duplicates.

mod common;

use common::{fleet, terraform_binaries, Sim, Tf};
use entra_graph_sim::{FaultKind, ScriptedFault, SimOptions};
use std::os::unix::process::CommandExt;
use std::process::Stdio;
use std::time::{Duration, Instant};

const POLICIES: usize = 30;

#[test]
fn every_object_graph_created_before_ctrl_c_is_in_the_state() {
    for bin in terraform_binaries() {
        // Graph takes its time to answer a create it has already carried out, so many creates
        // are done but unanswered when the interrupt arrives.
        let sim = Sim::start_with(SimOptions {
            latency_ms: 300,
            ..SimOptions::default()
        });
        sim.sim().script_fault(
            ScriptedFault::new(FaultKind::Slow)
                .on_method("POST")
                .times(1000)
                .with_delay_ms(1500),
        );
        let tf = Tf::new(&bin, sim.provider_env());
        tf.config(&fleet::config("Interrupt", POLICIES));
        sim.sim().reset_stats();

        // Its own process group, which Ctrl-C in a terminal signals as a whole: Terraform 1.0's
        // outer process (panicwrap) ignores SIGINT sent to it alone, and the provider gets the
        // signal too, as it does from a terminal.
        let apply = tf
            .command(&["apply", "-auto-approve", "-no-color", "-input=false"])
            .process_group(0)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("terraform starts");
        let started = Instant::now();
        while sim.write_requests() < 12 {
            assert!(
                started.elapsed() < Duration::from_secs(120),
                "the apply never got going"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        let status = std::process::Command::new("kill")
            .args(["-INT", "--", &format!("-{}", apply.id())])
            .status()
            .unwrap();
        assert!(status.success());
        let out = apply.wait_with_output().unwrap();
        let text = format!(
            "{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert_ne!(out.status.code(), Some(0), "{text}");
        assert!(text.contains("Interrupt received"), "{text}");

        let in_graph = fleet::held_ids(&sim);
        let total = 4 + POLICIES;
        assert!(
            !in_graph.is_empty() && in_graph.len() < total,
            "the interrupt should land mid-apply: Graph holds {} of {total}\n{text}",
            in_graph.len()
        );
        assert_eq!(
            fleet::state_ids(&tf),
            in_graph,
            "state and Graph differ after Ctrl-C ({})\n{text}",
            bin.display()
        );

        tf.apply();
        let held = fleet::held(&sim);
        assert_eq!(held.values().sum::<usize>(), total, "{held:#?}");
        assert!(held.values().all(|&n| n == 1), "duplicates: {held:#?}");
        assert_eq!(fleet::state_ids(&tf), fleet::held_ids(&sim));
        tf.assert_clean_plan();
    }
}
