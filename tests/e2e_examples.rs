//! The examples under `examples/` run as written, so a broken example fails the suite.
//!
//! * `examples/resources/<type>/resource.tf`: applies against the simulator, plans clean,
//!   survives `terraform state rm` and the import command(s) of the `import.sh` next to it (a
//!   made-up GUID in the script is replaced by the object's real id), plans clean again and
//!   destroys. Every resource directory must hold both files. (Where a resource's documentation
//!   promises a one-time plan after import, that plan must apply without a Graph write.)
//! * `examples/data-sources/<type>/data-source.tf`: reads a tenant seeded with what the example
//!   looks up, and its outputs (and `check` blocks) show what the tenant holds; reading writes
//!   nothing.
//! * `examples/provider/provider.tf`: validates; its default block, which takes every setting
//!   from the `ARM_*` environment, signs in and reads.
//! * `examples/ci/**/*.yml`: parse as YAML (with PyYAML, when python3 has it), and every script
//!   in them passes `bash -n` (`node --check` for `actions/github-script`, when node is
//!   installed).
//!
//! Each Terraform example is also `terraform fmt` clean, as the CI examples demand of the
//! configurations they check. The directories are listed at run time: a new example is covered
//! without touching this file (a data source that needs objects in the tenant needs a seed
//! below). `examples/scenarios` and `examples/safety` are exercised by
//! e2e_conditional_access_policy.rs and e2e_what_if.rs.

mod common;

use common::{terraform_binaries, terraform_binaries_since, Sim, Tf, PROVIDER_HEADER};
use serde_json::{json, Value as Json};
use std::path::{Path, PathBuf};
use std::process::Command;

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples")
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The subdirectories of `examples/<kind>`, sorted by name; there must be some.
fn example_dirs(kind: &str) -> Vec<(String, PathBuf)> {
    let root = examples().join(kind);
    let mut dirs: Vec<(String, PathBuf)> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), p))
        .collect();
    dirs.sort();
    assert!(!dirs.is_empty(), "no examples in {}", root.display());
    dirs
}

/// Runs `check` on every example directory of `examples/<kind>`, all of them even when one
/// fails, then fails naming those that did (each one's panic is printed above).
fn each_example(kind: &str, check: impl Fn(&str, &Path)) {
    let failed: Vec<String> = example_dirs(kind)
        .into_iter()
        .filter(|(name, dir)| {
            eprintln!("== examples/{kind}/{name}");
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| check(name, dir))).is_err()
        })
        .map(|(name, _)| format!("examples/{kind}/{name}"))
        .collect();
    assert!(failed.is_empty(), "broken examples: {failed:?}");
}

/// Terraform 1.5 brought `check` blocks: an example with one runs only on binaries that have
/// them.
fn binaries_for(example: &str) -> Vec<PathBuf> {
    if example.contains("\ncheck \"") {
        terraform_binaries_since((1, 5))
    } else {
        terraform_binaries()
    }
}

/// A working directory holding the example verbatim as `main.tf`, with the provider
/// requirement and an empty `provider "entra" {}` in `provider.tf` unless the example has its
/// own. The example must be `terraform fmt` clean.
fn working_dir(bin: &Path, sim: &Sim, example: &str) -> Tf {
    let tf = Tf::new(bin, sim.provider_env());
    tf.raw_config(example);
    if !example.contains("required_providers") {
        std::fs::write(
            tf.dir.path().join("provider.tf"),
            format!("{PROVIDER_HEADER}\nprovider \"entra\" {{}}\n"),
        )
        .unwrap();
    }
    tf.ok(&["fmt", "-check", "-diff", "-no-color", "main.tf"]);
    tf
}

/// The quoted strings assigned to attributes whose name satisfies `wanted`, lists spanning
/// several lines included.
fn assigned_strings(hcl: &str, wanted: impl Fn(&str) -> bool) -> Vec<String> {
    let quoted = |s: &str| -> Vec<String> {
        s.split('"')
            .skip(1)
            .step_by(2)
            .map(str::to_string)
            .collect()
    };
    let mut out = Vec::new();
    let mut in_list = false;
    for line in hcl.lines() {
        let code = line.split('#').next().unwrap();
        if in_list {
            out.extend(quoted(code));
            in_list = !code.contains(']');
        } else if let Some((name, value)) = code.split_once('=') {
            if wanted(name.trim()) {
                out.extend(quoted(value));
                in_list = value.contains('[') && !value.contains(']');
            }
        }
    }
    out
}

fn is_guid(s: &str) -> bool {
    s.len() == 36
        && s.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_hexdigit(),
        })
}

fn is_context_id(s: &str) -> bool {
    s.strip_prefix('c')
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// A simulator holding what a resource example refers to by literal id but does not create:
/// Graph refuses a policy naming a location or an authentication context the tenant lacks.
/// Group and user ids are not checked by Graph and need nothing.
fn sim_for_resource_example(example: &str) -> Sim {
    let locations: Vec<String> = assigned_strings(example, |n| n.ends_with("_locations"))
        .into_iter()
        .filter(|s| is_guid(s))
        .collect();
    let created = assigned_strings(example, |n| n == "context_id");
    let contexts: Vec<String> = assigned_strings(example, |n| n.contains("authentication_context"))
        .into_iter()
        .filter(|s| is_context_id(s) && !created.contains(s))
        .collect();
    Sim::start_with_tenant_objects(&locations, &contexts)
}

/// A resource's values in the state.
fn state_values(tf: &Tf, address: &str) -> Json {
    let show: Json = serde_json::from_str(&tf.ok(&["show", "-json"]).stdout).unwrap();
    show["values"]["root_module"]["resources"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|r| r["address"] == address)
        .map(|r| r["values"].clone())
        .unwrap_or_else(|| panic!("{address} is not in the state"))
}

/// The `terraform import <address> <id>` commands of an import.sh, unquoted.
fn import_commands(script: &str) -> Vec<(String, String)> {
    script
        .lines()
        .filter_map(|l| l.trim().strip_prefix("terraform import "))
        .map(|rest| {
            let (address, id) = rest.trim().split_once(' ').expect("address and id");
            let id = id.trim();
            let id = id
                .strip_prefix('"')
                .and_then(|i| i.strip_suffix('"'))
                .or_else(|| id.strip_prefix('\'').and_then(|i| i.strip_suffix('\'')))
                .unwrap_or(id);
            (address.to_string(), id.to_string())
        })
        .collect()
}

/// Resources whose documentation (its Import section) says the first plan after an import may
/// show blocks the configuration leaves out as removed: applying that plan writes nothing to
/// Graph, and the plans after it are clean.
const ONE_TIME_PLAN_AFTER_IMPORT: &[&str] = &["entra_role_management_policy"];

#[test]
fn every_resource_example_applies_plans_clean_imports_and_destroys() {
    let dirs = example_dirs("resources");
    let missing: Vec<String> = dirs
        .iter()
        .flat_map(|(name, dir)| {
            ["resource.tf", "import.sh"]
                .into_iter()
                .filter(|f| !dir.join(f).is_file())
                .map(move |f| format!("examples/resources/{name}/{f}"))
        })
        .collect();
    assert!(missing.is_empty(), "missing example files: {missing:?}");

    each_example("resources", |name, dir| {
        let example = read(&dir.join("resource.tf"));
        let imports = import_commands(&read(&dir.join("import.sh")));
        assert!(
            !imports.is_empty(),
            "examples/resources/{name}/import.sh has no `terraform import` command"
        );
        for bin in binaries_for(&example) {
            let sim = sim_for_resource_example(&example);
            let tf = working_dir(&bin, &sim, &example);
            tf.apply();
            tf.assert_clean_plan();

            for (address, script_id) in &imports {
                let values = state_values(&tf, address);
                let id = values["id"].as_str().expect("an id").to_string();
                // A GUID the state does not hold is the script's placeholder for the object's
                // id (the last segment of a path-form id); anything else (a context id, a
                // role's name or template id) names the object the example made, as written.
                let import_id = if is_guid(script_id) && !values.to_string().contains(script_id) {
                    let real = id.rsplit('/').next().unwrap().to_string();
                    assert!(
                        is_guid(&real),
                        "{address}: id {id} has no GUID to import by"
                    );
                    real
                } else {
                    script_id.clone()
                };
                tf.ok(&["state", "rm", "-no-color", address]);
                tf.ok(&["import", "-no-color", "-input=false", address, &import_id]);
                assert_eq!(
                    state_values(&tf, address)["id"],
                    json!(id),
                    "import {address} {import_id}"
                );
                if ONE_TIME_PLAN_AFTER_IMPORT.contains(&name) {
                    sim.sim().reset_stats();
                    tf.apply();
                    assert_eq!(sim.write_requests(), 0, "{}", sim.sim().stats());
                }
                tf.assert_clean_plan();
            }

            tf.destroy();
            assert!(tf.state_list().is_empty(), "{:?}", tf.state_list());
        }
    });
}

const REGISTER: &str = "urn:user:registersecurityinfo";

/// What the what-if example evaluates against: a trusted office range, MFA to register security
/// info from anywhere else (enforced), and a report-only block for one group outside the
/// Netherlands.
fn seed_what_if(sim: &Sim, example: &str) {
    let (status, body) = sim.graph(
        "POST",
        "/v1.0/identity/conditionalAccess/namedLocations",
        Some(json!({
            "@odata.type": "#microsoft.graph.ipNamedLocation",
            "displayName": "Office egress IPs",
            "isTrusted": true,
            "ipRanges": [{"@odata.type": "#microsoft.graph.iPv4CidrRange", "cidrAddress": "203.0.113.0/24"}],
        })),
    );
    assert_eq!(status, 201, "{body}");
    let (status, body) = sim.graph(
        "POST",
        "/v1.0/identity/conditionalAccess/namedLocations",
        Some(json!({
            "@odata.type": "#microsoft.graph.countryNamedLocation",
            "displayName": "Netherlands",
            "countriesAndRegions": ["NL"],
        })),
    );
    assert_eq!(status, 201, "{body}");
    let netherlands = body["id"].as_str().unwrap().to_string();
    let group = assigned_strings(example, |n| n == "group_ids")[0].clone();
    let policies = [
        json!({
            "displayName": "CA302-RegisterSecurityInfo-UntrustedLocations-Require-MFA",
            "state": "enabled",
            "conditions": {
                "applications": {"includeUserActions": [REGISTER]},
                "users": {"includeUsers": ["All"]},
                "locations": {"includeLocations": ["All"], "excludeLocations": ["AllTrusted"]},
                "clientAppTypes": ["all"],
            },
            "grantControls": {"operator": "OR", "builtInControls": ["mfa"]},
        }),
        json!({
            "displayName": "CA303-RegisterSecurityInfo-OutsideNL-Block",
            "state": "enabledForReportingButNotEnforced",
            "conditions": {
                "applications": {"includeUserActions": [REGISTER]},
                "users": {"includeGroups": [group]},
                "locations": {"includeLocations": ["All"], "excludeLocations": [netherlands]},
                "clientAppTypes": ["all"],
            },
            "grantControls": {"operator": "OR", "builtInControls": ["block"]},
        }),
    ];
    for p in policies {
        let (status, body) =
            sim.graph("POST", "/beta/identity/conditionalAccess/policies", Some(p));
        assert_eq!(status, 201, "{body}");
    }
}

/// Seeds what a data-source example reads; returns the outputs expected after apply (`Null`:
/// checked by the caller).
fn seed_data_source_example(name: &str, sim: &Sim, example: &str) -> Json {
    match name {
        "entra_authentication_context" => {
            let (status, body) = sim.graph(
                "PATCH",
                "/v1.0/identity/conditionalAccess/authenticationContextClassReferences/c1",
                Some(json!({
                    "displayName": "Tier 0 Role Activation (Sign-in Everytime)",
                    "description": "Privilege Role Activation Requires Sign-In Every Time",
                    "isAvailable": true,
                })),
            );
            assert_eq!(status, 204, "{body}");
            json!({"tier0_context": {
                "id": "c1",
                "display_name": "Tier 0 Role Activation (Sign-in Everytime)",
                "published": true,
            }})
        }
        "entra_authentication_strength_policy" => json!({
            "phishing_resistant_strength_id":
                "/policies/authenticationStrengthPolicies/00000000-0000-0000-0000-000000000004",
        }),
        "entra_conditional_access_what_if" => {
            seed_what_if(sim, example);
            Json::Null
        }
        "entra_directory_role" => json!({"app_admin_role": {
            "template_id": "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3",
            "built_in": true,
            "enabled": true,
        }}),
        "entra_named_location" => {
            let (status, body) = sim.graph(
                "POST",
                "/v1.0/identity/conditionalAccess/namedLocations",
                Some(json!({
                    "@odata.type": "#microsoft.graph.countryNamedLocation",
                    "displayName": "ALLOWED COUNTRIES",
                    "countriesAndRegions": ["BE", "LU", "NL"],
                })),
            );
            assert_eq!(status, 201, "{body}");
            json!({
                "allowed_countries": {
                    "id": body["id"],
                    "countries": ["BE", "LU", "NL"],
                },
                // Every simulated tenant has the system location (a real beta export's id).
                "compliant_network": {
                    "id": "3d46dbda-8382-466a-856d-eb00cbc6b910",
                    "kind": "compliantNetworkNamedLocation",
                },
            })
        }
        // Checked by the caller, before and after approval is required.
        "entra_role_management_policy" => Json::Null,
        // A new example: it must at least apply against an empty tenant.
        _ => Json::Null,
    }
}

fn outputs(tf: &Tf) -> Json {
    let out = tf.outputs();
    Json::Object(
        out.as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v["value"].clone()))
            .collect(),
    )
}

const GLOBAL_ADMIN: &str = "62e90394-69f5-4237-9190-012177145e10";
const APPROVAL_FAILED: &str = "Activating Global Administrator must require approval.";

/// The PIM example's `check` warns while activating Global Administrator needs no approval
/// (Microsoft's default) and holds once an administrator requires it in the portal.
fn role_management_policy_example(sim: &Sim, tf: &Tf) {
    let r = tf.apply();
    assert!(r.flat().contains(APPROVAL_FAILED), "{}", r.text());
    let expected = |approval: bool| {
        json!({"global_admin_activation": {
            "maximum_duration": "PT8H",
            "approval_required": approval,
            "authentication_context": "",
            "mfa_required": true,
        }})
    };
    assert_eq!(outputs(tf), expected(false));

    let mut approval = sim
        .sim()
        .pim_rules(GLOBAL_ADMIN)
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "Approval_EndUser_Assignment")
        .cloned()
        .unwrap();
    approval["setting"]["isApprovalRequired"] = json!(true);
    approval["setting"]["approvalStages"][0]["primaryApprovers"] = json!([{
        "@odata.type": "#microsoft.graph.groupMembers",
        "groupId": "2f6d0a3b-5d0e-4a55-9a3c-6f1f2c7d8e9f",
        "description": "PIM approvers",
    }]);
    let (status, body) = sim.graph(
        "PATCH",
        &format!(
            "/v1.0/policies/roleManagementPolicies/{}/rules/Approval_EndUser_Assignment",
            sim.sim().pim_policy_id(GLOBAL_ADMIN)
        ),
        Some(approval),
    );
    assert_eq!(status, 204, "{body}");
    let r = tf.apply();
    assert!(!r.flat().contains(APPROVAL_FAILED), "{}", r.text());
    assert_eq!(outputs(tf), expected(true));
}

/// The what-if example's sign-in, from outside the office and from the Netherlands: the
/// enforced MFA policy applies, the report-only block for the group outside the Netherlands
/// does not.
fn what_if_example(tf: &Tf) {
    tf.apply();
    let out = &outputs(tf)["register_from_home"];
    assert_eq!(out["blocked"], false, "{out}");
    assert_eq!(
        out["policies"],
        json!(["CA302-RegisterSecurityInfo-UntrustedLocations-Require-MFA (on)"]),
        "{out}"
    );
    let requires = out["requires"].as_array().unwrap();
    assert_eq!(requires.len(), 1, "{out}");
    assert_eq!(requires[0]["built_in_controls"], json!(["mfa"]), "{out}");
    assert_eq!(out["caveats"], json!([]), "{out}");
}

#[test]
fn every_data_source_example_reads_what_the_tenant_holds() {
    each_example("data-sources", |name, dir| {
        let path = dir.join("data-source.tf");
        assert!(path.is_file(), "missing {}", path.display());
        let example = read(&path);
        for bin in binaries_for(&example) {
            let sim = Sim::start();
            let expected = seed_data_source_example(name, &sim, &example);
            let tf = working_dir(&bin, &sim, &example);
            match name {
                "entra_role_management_policy" => role_management_policy_example(&sim, &tf),
                "entra_conditional_access_what_if" => what_if_example(&tf),
                _ => {
                    tf.apply();
                    if !expected.is_null() {
                        assert_eq!(outputs(&tf), expected, "examples/data-sources/{name}");
                    }
                }
            }
            // Reading changes nothing in the tenant.
            sim.sim().reset_stats();
            tf.assert_clean_plan();
            assert_eq!(sim.write_requests(), 0, "{}", sim.sim().stats());
        }
    });
}

#[test]
fn the_provider_example_validates_and_its_default_block_signs_in_from_the_environment() {
    let example = read(&examples().join("provider/provider.tf"));
    for bin in terraform_binaries() {
        let sim = Sim::start();
        let tf = working_dir(&bin, &sim, &example);
        tf.ok(&["validate", "-no-color"]);
        // The other blocks name a tenant, a certificate file or a token endpoint that is not
        // the simulator's; the default one takes everything from ARM_* and the harness's
        // environment, as its comment says, so a read through it works.
        std::fs::write(
            tf.dir.path().join("probe.tf"),
            r#"
data "entra_directory_role" "probe" {
  display_name = "Global Administrator"
}

output "probe" {
  value = data.entra_directory_role.probe.template_id
}
"#,
        )
        .unwrap();
        tf.apply();
        assert_eq!(outputs(&tf)["probe"], GLOBAL_ADMIN);
    }
}

/// A script in a CI example: where it is, the YAML key holding it, its text, and the text of
/// the step (list item) it belongs to.
#[derive(Debug)]
struct Script {
    file: String,
    line: usize,
    key: String,
    body: String,
    step: String,
}

const SCRIPT_KEYS: [&str; 6] = [
    "run",
    "bash",
    "script",
    "inlineScript",
    "powershell",
    "pwsh",
];

fn indent(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

/// The lines of the list item that holds a key at `column` on line `at`: from the nearest `- `
/// line left of the key to the next line as shallow.
fn step_of(lines: &[&str], at: usize, column: usize) -> String {
    let start = (0..=at)
        .rev()
        .find(|&i| lines[i].trim_start().starts_with("- ") && indent(lines[i]) < column)
        .unwrap_or(0);
    let depth = indent(lines[start]);
    let end = (start + 1..lines.len())
        .find(|&i| !lines[i].trim().is_empty() && indent(lines[i]) <= depth)
        .unwrap_or(lines.len());
    lines[start..end].join("\n")
}

/// The scripts of a CI file, read from its text: the block scalars (`key: |`) and one-line
/// plain values of SCRIPT_KEYS, as a YAML parser gives them.
fn scripts(file: &str, text: &str) -> Vec<Script> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let at = i;
        let line = lines[at];
        i += 1;
        let item = line.trim_start();
        let item = item.strip_prefix("- ").unwrap_or(item);
        let column = line.len() - item.len();
        let Some((key, value)) = item.split_once(':') else {
            continue;
        };
        if !SCRIPT_KEYS.contains(&key) {
            continue;
        }
        let value = value.split(" #").next().unwrap().trim();
        let body = match value {
            "|" | "|-" => {
                let block: Vec<&str> = lines[i..]
                    .iter()
                    .take_while(|l| l.trim().is_empty() || indent(l) > column)
                    .copied()
                    .collect();
                let depth = block
                    .iter()
                    .find(|l| !l.trim().is_empty())
                    .map_or(0, |l| indent(l));
                let mut body: String = block
                    .iter()
                    .map(|l| format!("{}\n", l.get(depth..).unwrap_or("")))
                    .collect();
                // Clip (`|`) keeps one final newline, strip (`|-`) none.
                body.truncate(body.trim_end_matches('\n').len());
                if value == "|" {
                    body.push('\n');
                }
                i += block.len();
                body
            }
            // `run:` holding a mapping (`defaults: run: working-directory: ...`).
            "" => continue,
            v if v.starts_with(['"', '\'', '>', '[', '{']) => {
                panic!("{file}:{i}: teach this test to read this kind of `{key}` value")
            }
            v => v.to_string(),
        };
        out.push(Script {
            file: file.to_string(),
            line: at + 1,
            key: key.to_string(),
            body,
            step: step_of(&lines, at, column),
        });
    }
    out
}

/// The same scripts as `scripts` finds, from PyYAML, with the `on:` key and the like.
/// Parsing fails the test for a file that is not valid YAML.
fn yaml_scripts(files: &[(String, PathBuf)]) -> Vec<(String, String, String)> {
    let has_yaml = Command::new("python3")
        .args(["-c", "import yaml"])
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        has_yaml,
        "the CI examples are checked with PyYAML: install python3-yaml (.ci/run does)"
    );
    const WALK: &str = r#"
import json, sys, yaml
keys = set(sys.argv[1].split(","))
found = []
def walk(name, node):
    if isinstance(node, dict):
        for k, v in node.items():
            if k in keys and isinstance(v, str):
                found.append([name, k, v])
            else:
                walk(name, v)
    elif isinstance(node, list):
        for v in node:
            walk(name, v)
for name, path in zip(sys.argv[2::2], sys.argv[3::2]):
    with open(path) as f:
        try:
            docs = list(yaml.safe_load_all(f))
        except yaml.YAMLError as e:
            sys.exit(f"{name}: not valid YAML: {e}")
    if len(docs) != 1 or not isinstance(docs[0], dict):
        sys.exit(f"{name}: expected one YAML mapping")
    walk(name, docs[0])
json.dump(found, sys.stdout)
"#;
    let mut cmd = Command::new("python3");
    cmd.args(["-c", WALK, &SCRIPT_KEYS.join(",")]);
    for (name, path) in files {
        cmd.arg(name).arg(path);
    }
    let out = cmd.output().expect("python3 runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Whether `checker args... <file>` accepts `source`, written to a temporary file.
fn check_syntax(checker: &str, args: &[&str], ext: &str, source: &str) -> Result<(), String> {
    let file = tempfile::Builder::new().suffix(ext).tempfile().unwrap();
    std::fs::write(file.path(), source).unwrap();
    let out = Command::new(checker)
        .args(args)
        .arg(file.path())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {checker}: {e}"));
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

fn bash_ok(source: &str) -> Result<(), String> {
    check_syntax("bash", &["-n"], ".sh", source)
}

/// github-script runs its script as the body of an async function.
fn js_ok(source: &str) -> Result<(), String> {
    let wrapped = format!("(async function () {{\n{source}\n}})();\n");
    check_syntax("node", &["--check"], ".js", &wrapped)
}

#[test]
fn every_ci_example_is_valid_yaml_and_its_scripts_are_valid_bash_or_javascript() {
    let mut files: Vec<(String, PathBuf)> = Vec::new();
    for (name, dir) in example_dirs("ci") {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "yml" || e == "yaml") {
                let file = path.file_name().unwrap().to_string_lossy().into_owned();
                files.push((format!("examples/ci/{name}/{file}"), path));
            }
        }
    }
    files.sort();
    assert!(!files.is_empty(), "no CI examples");

    // The checkers notice breakage at all.
    assert!(bash_ok("echo ok\n").is_ok());
    assert!(bash_ok("if true; then\n  echo\n").is_err());
    let node = Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        node,
        "github-script steps are checked with node: install nodejs (.ci/run does)"
    );
    assert!(js_ok("const a = await Promise.resolve(1);").is_ok());
    assert!(js_ok("const a = {;").is_err());

    let mut found = Vec::new();
    for (name, path) in &files {
        let text = read(path);
        let mine = scripts(name, &text);
        assert!(!mine.is_empty(), "{name}: no scripts found");
        found.extend(mine);
    }

    // The text reading above agrees with a YAML parser, script for script.
    {
        let mut parsed = yaml_scripts(&files);
        let mut from_text: Vec<(String, String, String)> = found
            .iter()
            .map(|s| (s.file.clone(), s.key.clone(), s.body.clone()))
            .collect();
        parsed.sort();
        from_text.sort();
        assert_eq!(
            from_text, parsed,
            "the scripts as read from text and from YAML"
        );
    }

    let mut broken = Vec::new();
    for s in &found {
        let step = &s.step;
        let github = s.file.contains("github-actions");
        // GitHub substitutes ${{ expressions }} before the shell sees the script.
        let body = {
            let mut b = s.body.clone();
            while let Some(start) = b.find("${{") {
                let end = b[start..].find("}}").map_or(b.len(), |e| start + e + 2);
                b.replace_range(start..end, "EXPRESSION");
            }
            b
        };
        let result = match s.key.as_str() {
            "script" if github => {
                assert!(
                    step.contains("uses: actions/github-script"),
                    "{}:{}: `script` outside actions/github-script",
                    s.file,
                    s.line
                );
                js_ok(&body)
            }
            "inlineScript" => {
                assert!(
                    step.contains("scriptType: bash"),
                    "{}:{}: only bash inline scripts are checked",
                    s.file,
                    s.line
                );
                bash_ok(&body)
            }
            "run" | "bash" | "script" => {
                assert!(
                    !step.contains("shell:") || step.contains("shell: bash"),
                    "{}:{}: only bash steps are checked",
                    s.file,
                    s.line
                );
                bash_ok(&body)
            }
            other => panic!("{}:{}: no checker for `{other}`", s.file, s.line),
        };
        if let Err(e) = result {
            broken.push(format!("{}:{} ({}): {e}", s.file, s.line, s.key));
        }
    }
    assert!(
        broken.is_empty(),
        "scripts that do not parse:\n{}",
        broken.join("\n")
    );
    eprintln!(
        "{} scripts in {} CI files checked",
        found.len(),
        files.len()
    );
}
