//! `terraform-provider-entra export` on a tenant holding the whole corpus that fits one tenant:
//! its authentication contexts, named locations, authentication strengths and PIM settings (the
//! simulator's corpus seed), the locations and contexts the policies name, and every corpus
//! policy Graph accepts (templates' placeholders replaced, as their deploy scripts do). The
//! export then must plan as imports only, apply without a single write, and plan clean.

mod common;

use common::corpus::{
    corpus_policies, post_body, post_policy, referenced_objects, without_placeholders, CORPUS,
};
use common::{terraform_binaries_since, write_tenant_objects, Sim, Tf};
use entra_graph_sim::SimOptions;
use std::path::Path;
use std::process::Command;

/// The corpus folders the simulator seeds, plus the tenant objects the policies name that the
/// corpus itself lacks (as country locations and published contexts).
fn seeded_tenant() -> (Sim, tempfile::TempDir) {
    let seed = tempfile::tempdir().unwrap();
    for folder in [
        "auth-contexts",
        "named-locations",
        "auth-strengths",
        "pim-policies",
    ] {
        let from = Path::new(CORPUS).join(folder);
        let to = seed.path().join(folder);
        std::fs::create_dir_all(&to).unwrap();
        for entry in std::fs::read_dir(&from).unwrap() {
            let entry = entry.unwrap();
            std::os::unix::fs::symlink(entry.path(), to.join(entry.file_name())).unwrap();
        }
    }
    let (locations, contexts) = referenced_objects(&corpus_policies());
    let corpus_text = |folder: &str| -> String {
        std::fs::read_dir(Path::new(CORPUS).join(folder))
            .unwrap()
            .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
            .collect()
    };
    let (known_locations, known_contexts) =
        (corpus_text("named-locations"), corpus_text("auth-contexts"));
    let locations: Vec<String> = locations
        .into_iter()
        .filter(|id| !known_locations.contains(id.as_str()))
        .collect();
    let contexts: Vec<String> = contexts
        .into_iter()
        .filter(|id| !known_contexts.contains(&format!("\"{id}\"")))
        .collect();
    write_tenant_objects(seed.path(), &locations, &contexts);
    let sim = Sim::start_with(SimOptions {
        seed_dir: Some(seed.path().to_path_buf()),
        ..SimOptions::default()
    });
    (sim, seed)
}

fn export(sim: &Sim, out: &Path) -> std::process::Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_terraform-provider-entra"));
    cmd.args(["export", "--out"]).arg(out);
    for (k, v) in sim.provider_env() {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

#[test]
fn an_exported_tenant_plans_as_imports_applies_without_writes_and_plans_clean() {
    for bin in terraform_binaries_since((1, 5)) {
        let (sim, _seed) = seeded_tenant();
        let mut accepted = 0;
        for (_, policy) in corpus_policies() {
            let (status, _, _) = post_policy(&sim, &post_body(&without_placeholders(&policy)));
            accepted += usize::from(status == 201);
        }
        assert!(
            accepted >= 50,
            "only {accepted} corpus policies fit the tenant"
        );
        let tf = Tf::new(&bin, sim.provider_env());
        sim.sim().reset_stats();

        let out = export(&sim, tf.dir.path());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{stderr}");
        assert_eq!(sim.write_requests(), 0, "export only reads");
        // Progress per type, then the summary.
        for progress in [
            format!("export: read {accepted} Conditional Access policies"),
            "export: read 4 authentication strengths".to_string(),
            "export: read the PIM settings of".to_string(),
            format!("{accepted} Conditional Access policies, PIM settings of 1 directory roles"),
        ] {
            assert!(stderr.contains(&progress), "{progress:?} in {stderr}");
        }
        let file = |name: &str| std::fs::read_to_string(tf.dir.path().join(name)).unwrap();
        let policies = file("conditional_access_policies.tf");
        assert!(
            policies.contains("[entra_named_location."),
            "locations are references"
        );
        assert!(
            policies.contains("data.entra_authentication_strength_policy."),
            "built-in strengths through data sources"
        );
        assert!(
            policies.contains("data.entra_directory_role."),
            "roles through data sources"
        );
        assert!(file("data.tf").contains("data \"entra_directory_role\""));
        assert!(file("role_management_policies.tf").contains("entra_role_management_policy"));
        let imports = file("imports.tf").matches("import {").count();

        let fmt = tf.run(&["fmt", "-check", "-diff"]);
        assert_eq!(fmt.code, 0, "the export is formatted: {}", fmt.text());
        let plan = tf.plan_code(&[]);
        assert_eq!(plan.code, 2, "{}", plan.text());
        assert!(
            plan.stdout.contains(&format!(
                "Plan: {imports} to import, 0 to add, 0 to change, 0 to destroy"
            )),
            "{}",
            plan.stdout
        );
        sim.sim().reset_stats();
        tf.apply();
        assert_eq!(sim.write_requests(), 0, "{}", sim.sim().stats());
        tf.assert_clean_plan();
        let managed = tf
            .state_list()
            .iter()
            .filter(|a| !a.starts_with("data."))
            .count();
        assert_eq!(managed, imports);
    }
}

#[test]
fn export_refuses_to_overwrite_and_explains_its_arguments() {
    let sim = Sim::start();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("providers.tf"), "# mine\n").unwrap();
    let out = export(&sim, dir.path());
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("already exists"));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("providers.tf")).unwrap(),
        "# mine\n"
    );
    let bare = Command::new(env!("CARGO_BIN_EXE_terraform-provider-entra"))
        .arg("export")
        .output()
        .unwrap();
    assert_eq!(bare.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bare.stderr).contains("--out DIR is required"));
}
