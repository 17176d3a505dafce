//! Ctrl-C in the middle of a large apply. Terraform asks the provider to stop and waits for it;
//! the provider finishes the creates Graph may already be carrying out instead of abandoning
//! them, so every object Graph holds afterwards is in the state. The next apply creates the
//! rest, without duplicates. So does the search for the object a create whose answer was lost
//! made: Ctrl-C while Graph is still replicating it does not orphan it. A Terraform killed outright (SIGKILL) cannot ask: the provider
//! notices that its parent is gone and exits by itself.

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

/// A create whose answer is lost, then Ctrl-C while the provider is still looking for the
/// object (Graph lists it only after half a minute): the search goes on, and the object is in
/// the state.
#[test]
fn ctrl_c_during_the_search_after_a_lost_create_keeps_the_object() {
    const LAG_MS: u64 = 30_000;
    for bin in terraform_binaries() {
        let sim = Sim::start_with(SimOptions {
            consistency_lag_ms: LAG_MS,
            time_scale: Some(1.0 / 3.0),
            ..SimOptions::default()
        });
        sim.sim().script_fault(
            ScriptedFault::new(FaultKind::CommitThenReset)
                .on_method("POST")
                .on_path("/identity/conditionalAccess/namedLocations"),
        );
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
        let apply = tf
            .command(&["apply", "-auto-approve", "-no-color", "-input=false"])
            .process_group(0)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("terraform starts");
        let started = Instant::now();
        while sim.sim().named_location_ids().is_empty() {
            assert!(
                started.elapsed() < Duration::from_secs(120),
                "no create arrived"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        // The answer is lost at once; the search has begun.
        std::thread::sleep(sim.scaled(3000));
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
        assert!(text.contains("Interrupt received"), "{text}");
        let held = sim.sim().named_location_ids();
        assert_eq!(held.len(), 1, "{text}");
        assert_eq!(
            tf.state_list(),
            ["entra_named_location.office"],
            "the object Graph made is not in the state\n{text}"
        );
        assert_eq!(
            tf.attr("entra_named_location.office", "id"),
            held[0].as_str()
        );
    }
}

/// The processes below `pid`, children before grandchildren, from /proc.
fn descendants(pid: u32) -> Vec<u32> {
    let parent_of = |p: u32| -> Option<u32> {
        let stat = std::fs::read_to_string(format!("/proc/{p}/stat")).ok()?;
        // pid (comm) state ppid ...: comm may hold spaces, so read after its closing paren.
        stat.rsplit_once(')')?
            .1
            .split_whitespace()
            .nth(1)?
            .parse()
            .ok()
    };
    let all: Vec<u32> = std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
        .collect();
    let mut found = vec![pid];
    let mut i = 0;
    while i < found.len() {
        let p = found[i];
        found.extend(all.iter().filter(|c| parent_of(**c) == Some(p)));
        i += 1;
    }
    found.remove(0);
    found
}

fn is_provider(pid: u32) -> bool {
    std::fs::read(format!("/proc/{pid}/cmdline"))
        .is_ok_and(|c| String::from_utf8_lossy(&c).contains("terraform-provider-entra"))
}

fn alive(pid: u32) -> bool {
    // A killed process stays a zombie until reaped; it no longer runs.
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|s| {
        s.rsplit_once(')')
            .is_some_and(|(_, rest)| !rest.trim_start().starts_with('Z'))
    })
}

#[test]
fn the_provider_exits_when_terraform_is_killed() {
    for bin in terraform_binaries() {
        // A create Graph holds for a minute keeps the provider busy when Terraform dies.
        let sim = Sim::start_with(SimOptions {
            time_scale: Some(1.0),
            ..SimOptions::default()
        });
        sim.sim().script_fault(
            ScriptedFault::new(FaultKind::Slow)
                .on_method("POST")
                .with_delay_ms(60_000),
        );
        let tf = Tf::new(&bin, sim.provider_env());
        tf.config(&fleet::config("Killed", 1));
        sim.sim().reset_stats();
        let mut apply = tf
            .command(&["apply", "-auto-approve", "-no-color", "-input=false"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("terraform starts");
        let started = Instant::now();
        while sim.write_requests() < 1 {
            assert!(
                started.elapsed() < Duration::from_secs(120),
                "no create was sent"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        let below = descendants(apply.id());
        let providers: Vec<u32> = below.iter().copied().filter(|p| is_provider(*p)).collect();
        assert_eq!(
            providers.len(),
            1,
            "one provider under Terraform: {below:?}"
        );
        // Terraform (and Terraform 1.0's inner process) die; the provider is not signalled.
        for p in
            std::iter::once(apply.id()).chain(below.iter().copied().filter(|p| !is_provider(*p)))
        {
            let _ = std::process::Command::new("kill")
                .args(["-KILL", &p.to_string()])
                .status();
        }
        let _ = apply.wait();
        let provider = providers[0];
        let killed = Instant::now();
        while alive(provider) && killed.elapsed() < Duration::from_secs(30) {
            std::thread::sleep(Duration::from_millis(100));
        }
        assert!(
            !alive(provider),
            "the provider ({provider}) still runs {:?} after Terraform was killed",
            killed.elapsed()
        );
    }
}
