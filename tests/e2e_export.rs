//! `terraform-provider-entra export` on a tenant holding the whole corpus that fits one tenant:
//! its authentication contexts, named locations, authentication strengths and PIM settings (the
//! simulator's corpus seed), the locations and contexts the policies name, and every corpus
//! policy Graph accepts (templates' placeholders replaced, as their deploy scripts do), plus the
//! policies of the Graph reference examples the simulator is tested against. The export then
//! must plan as imports only, apply without a single write, and plan clean; and Terraform's own
//! `-generate-config-out` for the same import blocks must describe every object the same way.

mod common;

use common::corpus::{
    corpus_policies, post_body, post_policy, referenced_objects, without_placeholders, CORPUS,
};
use common::{terraform_binaries_since, write_tenant_objects, Sim, Tf};
use entra_graph_sim::SimOptions;
use serde_json::Value as Json;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

const EXAMPLES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/reference/graph-examples"
);

/// The Conditional Access policies of the Graph reference examples (create bodies and real
/// beta exports), which the simulator's own tests replay.
fn example_policies() -> Vec<(String, Json)> {
    let mut out: Vec<(String, Json)> = std::fs::read_dir(EXAMPLES)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            name.starts_with("ca-policy.") && name.ends_with(".json")
        })
        .map(|p| {
            let json = serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
            (p.file_name().unwrap().to_string_lossy().into_owned(), json)
        })
        .filter(|(_, json): &(String, Json)| json.get("conditions").is_some())
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    assert!(out.len() >= 5, "the reference examples hold policies");
    out
}

/// Every policy the tenant is meant to hold: the corpus's and the reference examples'.
fn all_policies() -> Vec<(String, Json)> {
    let mut all = corpus_policies();
    all.extend(example_policies());
    all
}

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
    let (locations, contexts) = referenced_objects(&all_policies());
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
        for (_, policy) in all_policies() {
            let (status, _, _) = post_policy(&sim, &post_body(&without_placeholders(&policy)));
            accepted += usize::from(status == 201);
        }
        assert!(
            accepted >= 55,
            "only {accepted} corpus and example policies fit the tenant"
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
        generated_config_agrees_with_the_export(&tf, &sim);
        eprintln!(
            "export round trip: {accepted} of {} policies held by Graph, {imports} objects imported \
             with no write, generate-config agrees on all of them",
            all_policies().len()
        );
    }
}

/// The resources of a workspace's state by address, as `terraform show -json` gives them.
fn resources(tf: &Tf) -> BTreeMap<String, Json> {
    let show: Json = serde_json::from_str(&tf.ok(&["show", "-json"]).stdout).unwrap();
    show["values"]["root_module"]["resources"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["mode"] == "managed")
        .map(|r| {
            (
                r["address"].as_str().unwrap().to_string(),
                r["values"].clone(),
            )
        })
        .collect()
}

/// Terraform's `-generate-config-out`, fed the export's own import blocks (so the same
/// addresses), must write configuration our validation accepts and describe each object as the
/// export does: both imports give identical state, and each workspace plans clean with the
/// other generator's configuration.
fn generated_config_agrees_with_the_export(exported: &Tf, sim: &Sim) {
    let generated = Tf::new(&exported.bin, sim.provider_env());
    for file in ["providers.tf", "imports.tf"] {
        std::fs::copy(
            exported.dir.path().join(file),
            generated.dir.path().join(file),
        )
        .unwrap();
    }
    let plan = generated.plan_code(&["-generate-config-out=generated.tf"]);
    assert_eq!(plan.code, 2, "{}", plan.text());
    assert!(!plan.text().contains("Error"), "{}", plan.text());
    sim.sim().reset_stats();
    generated.apply();
    assert_eq!(sim.write_requests(), 0, "{}", sim.sim().stats());
    generated.assert_clean_plan();

    // Import, export and generate-config agree object by object.
    let (from_export, from_generated) = (resources(exported), resources(&generated));
    assert_eq!(
        from_export.keys().collect::<Vec<_>>(),
        from_generated.keys().collect::<Vec<_>>()
    );
    for (address, values) in &from_export {
        assert_eq!(
            values, &from_generated[address],
            "{address}: the export's state and the generated config's state differ"
        );
    }

    // Each generator's configuration plans clean over the other's imports.
    let (export_files, generated_files) =
        (take_configuration(exported), take_configuration(&generated));
    put_configuration(exported, &generated_files);
    exported.assert_clean_plan();
    put_configuration(&generated, &export_files);
    generated.assert_clean_plan();
}

/// Removes a workspace's configuration but its provider and import blocks, returning it.
fn take_configuration(tf: &Tf) -> Vec<(std::ffi::OsString, String)> {
    let mut files = Vec::new();
    for path in std::fs::read_dir(tf.dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
    {
        let name = path.file_name().unwrap().to_os_string();
        if path.extension().is_some_and(|e| e == "tf")
            && name != "providers.tf"
            && name != "imports.tf"
        {
            files.push((name, std::fs::read_to_string(&path).unwrap()));
            std::fs::remove_file(&path).unwrap();
        }
    }
    files
}

fn put_configuration(tf: &Tf, files: &[(std::ffi::OsString, String)]) {
    for (name, text) in files {
        std::fs::write(tf.dir.path().join(name), text).unwrap();
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
