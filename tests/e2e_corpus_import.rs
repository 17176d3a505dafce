//! The real-world policy corpus (`../shared/corpus/ca-policies/*.json`: tenant exports, POST
//! templates, Graph docs samples) through import, generated configuration and re-creation:
//!
//! 1. every policy is seeded into the simulator through Graph beta, as a client re-posting an
//!    export would: OData annotations and read-only members stripped, template placeholders
//!    such as `<ExclusionPermGroup>` replaced by made-up GUIDs (as the templates' deploy script
//!    does). The named locations and authentication contexts the policies name exist in both
//!    simulators, as in the tenants the policies come from. A policy the simulator refuses is
//!    noted with Graph's error and stored raw instead, so it still goes through the rest;
//! 2. Terraform (>= 1.5, for `-generate-config-out`) imports all of them with `import` blocks,
//!    writes their configuration, applies the imports, and must then plan clean;
//! 3. in a fresh simulator, the generated configuration alone (no import blocks) creates every
//!    policy anew, and each created policy must read back (GET beta) as the original did, up to
//!    Graph's own normalisation ([`normalise`]).
//!
//! Every policy gets its own verdict (the first stage it failed, with the first difference);
//! the test prints them all and fails listing the failures.
//!
//! The policies are split over a few Terraform working directories run side by side: the
//! provider paces Conditional Access writes to about one per second per process, so creating
//! all of them in one process would spend over a minute waiting on a simulator that has no
//! rate limit. Each directory goes through the same three stages.

mod common;

use common::corpus::{
    at, corpus_policies, post_body, post_policy, referenced_objects, without_placeholders, POLICIES,
};
use common::{terraform_binaries_since, terraform_version, Run, Sim, Tf};
use serde_json::{json, Value as Json};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const TYPE: &str = "entra_conditional_access_policy";
/// Working directories (provider processes) the policies are spread over.
const SHARDS: usize = 4;

/// Beta-only members that `entra_conditional_access_policy` does not model (graph-api.md §10),
/// as paths in the policy. A round trip through Terraform drops them, so they are left out of
/// the comparison; each policy's report says which of them it carried. (The beta members the
/// schema does model, `continuousAccessEvaluation` and `secureSignInSession`, are compared.)
const UNMODELLED: &[&str] = &[
    "partialEnablementStrategy",
    "conditions.times",
    "conditions.deviceStates",
    "conditions.agents",
    "conditions.agentIdRiskLevels",
    "conditions.agentContext",
    "conditions.clients",
    "conditions.applications.globalSecureAccess",
    "conditions.applications.networkAccess",
    "conditions.applications.includeProtectionLevels",
    "conditions.clientApplications.includeAgentIdServicePrincipals",
    "conditions.clientApplications.excludeAgentIdServicePrincipals",
    "conditions.clientApplications.agentIdServicePrincipalFilter",
    "conditions.devices.includeDevices",
    "conditions.devices.excludeDevices",
    "conditions.devices.includeDeviceStates",
    "conditions.devices.excludeDeviceStates",
    "sessionControls.globalSecureAccessFilteringProfile",
    "sessionControls.networkAccessSecurity",
    "sessionControls.blockSensitiveActions",
];

/// Flags enums: one comma-joined string whose member order Graph does not define.
const FLAGS: &[&str] = &[
    "guestOrExternalUserTypes",
    "transferMethods",
    "insiderRiskLevels",
    "agentIdRiskLevels",
];

/// Corpus entries that Graph itself refuses to create, so no provider can round-trip them:
/// each must fail, first, with the provider's plan-time message given here (file name prefix,
/// a piece of the message, why). Such a policy can reach Terraform at all only because the
/// simulator stores what it refuses raw. An entry that starts passing fails the test.
///
/// Graph answers `[]` or a missing clientAppTypes with `1064: 'clientAppTypes' condition does
/// not support []. If you want to target all client apps, use ['All']. ...`
/// (AlexFilipin/ConditionalAccess#3, Azure-Samples/azure-ad-conditional-access-apis#18),
/// except in a policy for agent identities or agent users: Graph's own beta samples of those
/// (096, 097) have none, and they import and plan like any other.
const INVALID_IN_GRAPH: &[(&str, &str, &str)] = &[
    (
        "102-",
        "No client app types",
        "2020 template with clientAppTypes [] (Graph: 1064)",
    ),
    (
        "103-",
        "No client app types",
        "2020 template with clientAppTypes [] (Graph: 1064) and the preview-era user action urn:microsoft:req1",
    ),
    (
        "108-",
        "No client app types",
        "2020 template with clientAppTypes [] (Graph: 1064)",
    ),
];

// ------------------------------------------------------------------------------------------------
// The corpus and Graph's JSON

/// Removes the member at a dotted path, if there.
fn remove_path(v: &mut Json, path: &str) {
    let (parent, key) = path.rsplit_once('.').unwrap_or(("", path));
    let parent = if parent.is_empty() {
        Some(v)
    } else {
        parent.split('.').try_fold(v, |v, k| v.get_mut(k))
    };
    if let Some(Json::Object(m)) = parent {
        m.remove(key);
    }
}

/// Null, `[]`, `{}` and `""` all mean "not set" in Graph's answers.
fn is_unset(v: &Json) -> bool {
    match v {
        Json::Null => true,
        Json::Array(a) => a.is_empty(),
        Json::Object(m) => m.is_empty(),
        Json::String(s) => s.is_empty(),
        _ => false,
    }
}

/// The unmodelled members a policy sets (see [`UNMODELLED`]).
fn unmodelled_members(policy: &Json) -> Vec<&'static str> {
    UNMODELLED
        .iter()
        .copied()
        .filter(|p| at(policy, p).is_some_and(|v| !is_unset(&prune(v.clone()))))
        .collect()
}

/// A policy as Graph means it, for comparing two reads of "the same" policy:
/// * annotations, read-only members and [`UNMODELLED`] members dropped;
/// * `authenticationStrength` reduced to its id (Graph expands the whole strength inline);
/// * flags enums with their members sorted, string collections sorted (the schema keeps them
///   as sets, and Graph gives their order no meaning);
/// * null, `[]`, `{}` and absent all the same (Graph answers each of them for "unset");
/// * object keys sorted.
fn normalise(policy: &Json) -> Json {
    let mut p = post_body(policy);
    for path in UNMODELLED {
        remove_path(&mut p, path);
    }
    let strength = "grantControls.authenticationStrength";
    if let Some(id) = at(&p, strength).and_then(|s| s.get("id")).cloned() {
        p["grantControls"]["authenticationStrength"] = id;
    }
    // With a single control AND and OR mean the same, and so does no operator (Graph's own
    // sample of an agent policy has none).
    let g = &mut p["grantControls"];
    let single = g["builtInControls"].as_array().map_or(0, Vec::len) <= 1
        && g["authenticationStrength"].is_null();
    if single && g.is_object() {
        g["operator"] = Json::Null;
    }
    prune(canonical(&p))
}

/// Sorted keys, sorted string collections, sorted flags members.
fn canonical(v: &Json) -> Json {
    match v {
        Json::Object(m) => {
            let sorted: BTreeMap<&String, &Json> = m.iter().collect();
            Json::Object(
                sorted
                    .into_iter()
                    .map(|(k, v)| {
                        let v = match v.as_str() {
                            Some(s) if FLAGS.contains(&k.as_str()) => {
                                let mut members: Vec<&str> = s.split(',').map(str::trim).collect();
                                members.sort();
                                Json::String(members.join(","))
                            }
                            _ => canonical(v),
                        };
                        (k.clone(), v)
                    })
                    .collect(),
            )
        }
        Json::Array(a) if a.iter().all(Json::is_string) => {
            let mut items = a.clone();
            items.sort_by(|x, y| x.as_str().cmp(&y.as_str()));
            Json::Array(items)
        }
        Json::Array(a) => Json::Array(a.iter().map(canonical).collect()),
        other => other.clone(),
    }
}

/// Drops unset members (see [`is_unset`]), innermost first, so an object of nulls goes too.
fn prune(v: Json) -> Json {
    match v {
        Json::Object(m) => Json::Object(
            m.into_iter()
                .map(|(k, v)| (k, prune(v)))
                .filter(|(_, v)| !is_unset(v))
                .collect(),
        ),
        Json::Array(a) => Json::Array(a.into_iter().map(prune).collect()),
        other => other,
    }
}

/// The first place where two normalised policies differ, as `path: original X, created Y`.
fn first_difference(original: &Json, created: &Json, path: &str) -> Option<String> {
    match (original, created) {
        (Json::Object(a), Json::Object(b)) => {
            let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
            keys.sort();
            keys.dedup();
            keys.into_iter().find_map(|k| {
                let child = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                let (x, y) = (
                    a.get(k).unwrap_or(&Json::Null),
                    b.get(k).unwrap_or(&Json::Null),
                );
                first_difference(x, y, &child)
            })
        }
        (a, b) if a == b => None,
        (a, b) => Some(format!("{path}: original {a}, created {b}")),
    }
}

// ------------------------------------------------------------------------------------------------
// Seeding

/// One corpus policy and what happened to it.
struct Case {
    file: String,
    address: String,
    /// Id in the first simulator.
    id: String,
    /// Graph's answer when it refused the POST (the policy was then stored raw).
    seed_refused: Option<String>,
    /// GET beta right after seeding: the corpus policy as Graph holds it.
    original: Json,
    /// Unmodelled members the policy sets (dropped from the comparison).
    unmodelled: Vec<&'static str>,
    /// Every stage it failed, in order; the first is its verdict.
    failures: Vec<String>,
}

/// Seeds the corpus policies into `sim` (see the module comment).
fn seed(sim: &Sim, policies: Vec<(String, Json)>) -> Vec<Case> {
    policies
        .into_iter()
        .map(|(file, policy)| {
            let number = file.split('-').next().unwrap().to_string();
            let body = post_body(&without_placeholders(&policy));
            let (status, answer, detail) = post_policy(sim, &body);
            let (id, seed_refused) = if status == 201 {
                (answer["id"].as_str().unwrap().to_string(), None)
            } else {
                let error = &answer["error"];
                let mut why = format!(
                    "{status} {}: {}",
                    error["code"].as_str().unwrap_or("?"),
                    error["message"].as_str().unwrap_or("?")
                );
                if let Some(inner) = error["innerError"]["message"].as_str() {
                    why.push_str(&format!(" ({inner})"));
                }
                if let Some(d) = detail {
                    why.push_str(&format!(" [schema: {d}]"));
                }
                (sim.sim().put_raw_policy(body), Some(why))
            };
            let (status, original) = sim.graph("GET", &format!("{POLICIES}/{id}"), None);
            assert_eq!(
                status, 200,
                "{file}: seeded policy not readable: {original}"
            );
            Case {
                address: format!("{TYPE}.p_{number}"),
                unmodelled: unmodelled_members(&original),
                file,
                id,
                seed_refused,
                original,
                failures: Vec::new(),
            }
        })
        .collect()
}

// ------------------------------------------------------------------------------------------------
// Terraform

/// The first Terraform that can generate configuration (>= 1.5), and its version line.
fn terraform_with_config_generation() -> (PathBuf, String) {
    let bin = terraform_binaries_since((1, 5)).remove(0);
    let version = terraform_version(&bin);
    (bin, version)
}

/// The errors in Terraform's (no-color) output, each with the resource address it names
/// (`with ADDR,` or `in resource "TYPE" "NAME"`), or `None` when it names none.
fn errors_by_address(r: &Run) -> Vec<(Option<String>, String)> {
    let text = r.text();
    let mut errors = Vec::new();
    let mut current: Option<Vec<&str>> = None;
    for line in text.lines().chain(std::iter::once("Warning: (end)")) {
        let stripped = line.trim_start_matches(['│', '╷', '╵', ' ']);
        if stripped.starts_with("Error: ") || stripped.starts_with("Warning: ") {
            if let Some(lines) = current.take() {
                errors.push(lines);
            }
            if stripped.starts_with("Error: ") {
                current = Some(Vec::new());
            }
        }
        if let Some(lines) = current.as_mut() {
            lines.push(stripped);
        }
    }
    errors
        .into_iter()
        .map(|lines| {
            let address = lines.iter().find_map(|l| {
                if let Some(rest) = l.strip_prefix("with ") {
                    return Some(rest.trim_end_matches(',').to_string());
                }
                let rest = l.split(&format!("in resource \"{TYPE}\" \"")).nth(1)?;
                Some(format!("{TYPE}.{}", rest.split('"').next()?))
            });
            let text = lines
                .iter()
                .filter(|l| !l.trim().is_empty())
                .take(12)
                .copied()
                .collect::<Vec<_>>()
                .join(" / ");
            (address, text)
        })
        .collect()
}

/// The non-no-op changes of a saved plan, by address: actions and the first changed attribute.
fn planned_changes(tf: &Tf, plan_file: &str) -> BTreeMap<String, String> {
    let show: Json = serde_json::from_str(&tf.ok(&["show", "-json", plan_file]).stdout).unwrap();
    let mut changes = BTreeMap::new();
    for rc in show["resource_changes"].as_array().into_iter().flatten() {
        let actions = &rc["change"]["actions"];
        if *actions == json!(["no-op"]) {
            continue;
        }
        let before = prune(rc["change"]["before"].clone());
        let after = prune(rc["change"]["after"].clone());
        let what = first_difference(&before, &after, "")
            .unwrap_or_else(|| "no attribute differs".into())
            .replace("original", "state")
            .replace("created", "plan");
        changes.insert(
            rc["address"].as_str().unwrap_or("?").to_string(),
            format!("{actions}: {what}"),
        );
    }
    changes
}

/// A run's errors pinned on the cases they name; an error naming no resource goes to every
/// case still in the running (no failure yet).
fn record_errors(cases: &mut [&mut Case], stage: &str, r: &Run) {
    let errors = errors_by_address(r);
    let running: Vec<bool> = cases.iter().map(|c| c.failures.is_empty()).collect();
    if errors.is_empty() {
        let lines: Vec<&str> = r.stderr.lines().collect();
        let tail = lines[lines.len().saturating_sub(8)..].join(" / ");
        errors_for_all(
            cases,
            &running,
            &format!("{stage}: exited {} ({tail})", r.code),
        );
    }
    for (address, text) in errors {
        let message = format!("{stage}: {text}");
        match address {
            Some(a) => cases
                .iter_mut()
                .filter(|c| c.address == a)
                .for_each(|c| c.failures.push(message.clone())),
            None => errors_for_all(cases, &running, &message),
        }
    }
}

fn errors_for_all(cases: &mut [&mut Case], running: &[bool], message: &str) {
    for (c, _) in cases.iter_mut().zip(running).filter(|(_, r)| **r) {
        c.failures.push(message.to_string());
    }
}

/// Stage 2 for one shard: import blocks -> generated configuration -> apply -> clean plan.
/// Returns the generated configuration. Cases whose import fails are left out of it (and the
/// plan is retried without them, so one bad policy does not stop the others).
fn import_shard(bin: &Path, env: Vec<(String, String)>, cases: &mut [&mut Case]) -> String {
    let tf = Tf::new(bin, env);
    let mut retries = 0;
    loop {
        let blocks: String = cases
            .iter()
            .filter(|c| c.failures.is_empty())
            .map(|c| format!("import {{\n  to = {}\n  id = \"{}\"\n}}\n", c.address, c.id))
            .collect();
        tf.config(&blocks);
        let _ = std::fs::remove_file(tf.dir.path().join("generated.tf"));
        let r = tf.run(&[
            "plan",
            "-generate-config-out=generated.tf",
            "-out=import.tfplan",
            "-no-color",
            "-input=false",
        ]);
        if r.code == 0 {
            break;
        }
        let before = cases.iter().filter(|c| c.failures.is_empty()).count();
        record_errors(cases, "import plan", &r);
        let after = cases.iter().filter(|c| c.failures.is_empty()).count();
        retries += 1;
        if after == 0 || after == before || retries > 3 {
            return String::new();
        }
    }
    let generated = std::fs::read_to_string(tf.dir.path().join("generated.tf")).unwrap();
    // The generated configuration must describe each policy as imported: no change but the import.
    let changes = planned_changes(&tf, "import.tfplan");
    for c in cases.iter_mut() {
        if let Some(what) = changes.get(&c.address) {
            c.failures
                .push(format!("import plan changes more than the import: {what}"));
        }
    }
    let r = tf.run(&[
        "apply",
        "-auto-approve",
        "-no-color",
        "-input=false",
        "import.tfplan",
    ]);
    if r.code != 0 {
        record_errors(cases, "import apply", &r);
        return generated;
    }
    check_clean_plan(&tf, cases, "plan after import");
    generated
}

/// `plan -detailed-exitcode` must be 0; otherwise each changed case gets the change.
fn check_clean_plan(tf: &Tf, cases: &mut [&mut Case], stage: &str) {
    let r = tf.plan_code(&["-out=check.tfplan"]);
    match r.code {
        0 => {}
        2 => {
            let changes = planned_changes(tf, "check.tfplan");
            for c in cases.iter_mut() {
                if let Some(what) = changes.get(&c.address) {
                    c.failures.push(format!("{stage} not clean: {what}"));
                }
            }
        }
        _ => record_errors(cases, stage, &r),
    }
}

/// Stage 3 for one shard: the generated configuration creates the policies in a fresh
/// simulator; returns the created ids by address.
fn create_shard(
    bin: &Path,
    env: Vec<(String, String)>,
    generated: &str,
    cases: &mut [&mut Case],
) -> BTreeMap<String, String> {
    if generated.is_empty() {
        return BTreeMap::new();
    }
    let tf = Tf::new(bin, env);
    tf.config(generated);
    let r = tf.run(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    if r.code != 0 {
        record_errors(cases, "create from generated HCL", &r);
    }
    let show: Json = serde_json::from_str(&tf.ok(&["show", "-json"]).stdout).unwrap();
    let ids = show["values"]["root_module"]["resources"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| {
            Some((
                r["address"].as_str()?.to_string(),
                r["values"]["id"].as_str()?.to_string(),
            ))
        })
        .collect();
    check_clean_plan(&tf, cases, "plan after create");
    ids
}

/// Runs `f(shard index, shard)` on each of the [`SHARDS`] shards of `cases` in its own thread;
/// results in shard order. The split is the same on every call.
fn per_shard<T: Send>(
    cases: &mut [Case],
    f: impl Fn(usize, &mut [&mut Case]) -> T + Sync,
) -> Vec<T> {
    let size = cases.len().div_ceil(SHARDS);
    std::thread::scope(|s| {
        let handles: Vec<_> = cases
            .chunks_mut(size)
            .enumerate()
            .map(|(i, chunk)| {
                let f = &f;
                s.spawn(move || {
                    let mut refs: Vec<&mut Case> = chunk.iter_mut().collect();
                    f(i, &mut refs)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    })
}

#[test]
fn every_corpus_policy_imports_generates_config_and_round_trips() {
    let (bin, version) = terraform_with_config_generation();
    let started = std::time::Instant::now();

    // 1. Seed.
    let policies = corpus_policies();
    let (locations, contexts) = referenced_objects(&policies);
    let sim = Sim::start_with_tenant_objects(&locations, &contexts);
    let mut cases = seed(&sim, policies);

    // 2. Import and generate configuration, shard by shard.
    let env = sim.provider_env();
    let generated = per_shard(&mut cases, |_, shard| {
        import_shard(&bin, env.clone(), shard)
    });

    // 3. Create afresh from the generated configuration, and compare with the originals.
    let fresh = Sim::start_with_tenant_objects(&locations, &contexts);
    let env = fresh.provider_env();
    let ids: BTreeMap<String, String> = per_shard(&mut cases, |i, shard| {
        create_shard(&bin, env.clone(), &generated[i], shard)
    })
    .into_iter()
    .flatten()
    .collect();
    for case in &mut cases {
        let Some(id) = ids.get(&case.address) else {
            if case.failures.is_empty() {
                case.failures
                    .push("create from generated HCL: not in the state".into());
            }
            continue;
        };
        let (status, created) = fresh.graph("GET", &format!("{POLICIES}/{id}"), None);
        assert_eq!(status, 200, "{}: created policy not readable", case.address);
        if let Some(diff) = first_difference(&normalise(&case.original), &normalise(&created), "") {
            case.failures.push(format!("round trip: {diff}"));
        }
    }

    // Report.
    let total = cases.len();
    let (mut passed, mut invalid, mut failures) = (0, 0, Vec::new());
    for c in &cases {
        let expected = INVALID_IN_GRAPH
            .iter()
            .find(|(prefix, _, _)| c.file.starts_with(prefix));
        let verdict = match (c.failures.first(), expected) {
            (None, None) => {
                passed += 1;
                "pass".to_string()
            }
            (Some(first), Some((_, message, why))) if first.contains(message) => {
                invalid += 1;
                format!("refused as Graph would ({why}): {first}")
            }
            (None, Some((_, message, why))) => {
                failures.push(format!(
                    "{} ({}): expected to fail with {message:?} ({why}), it passed",
                    c.address, c.file
                ));
                "FAIL: passed although Graph refuses it".to_string()
            }
            (Some(first), _) => {
                failures.push(format!(
                    "{} ({}):\n  {}",
                    c.address,
                    c.file,
                    c.failures.join("\n  ")
                ));
                match c.failures.len() {
                    1 => format!("FAIL {first}"),
                    n => format!("FAIL {first} (+{} more)", n - 1),
                }
            }
        };
        println!("{} {}: {verdict}", c.address, c.file);
        if let Some(why) = &c.seed_refused {
            println!("    note: the simulator refused its POST, stored raw: {why}");
        }
        if !c.unmodelled.is_empty() {
            println!(
                "    note: unmodelled, not compared: {}",
                c.unmodelled.join(", ")
            );
        }
    }
    println!(
        "corpus import: {passed} of {total} policies round-trip, {invalid} refused as Graph \
         would ({version}, {:.0?})",
        started.elapsed()
    );
    assert!(
        failures.is_empty(),
        "{} of {total} corpus policies do not round-trip:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

// ------------------------------------------------------------------------------------------------
// The comparison itself, on small inputs

#[test]
fn normalisation_ignores_what_graph_does_not_mean() {
    let a = json!({
        "id": "x", "createdDateTime": "t", "@odata.context": "c",
        "state": "enabled",
        "conditions": {
            "users": {"includeUsers": ["b", "a"], "excludeUsers": [],
                      "includeGuestsOrExternalUsers": {"guestOrExternalUserTypes": "b2bCollaborationGuest,internalGuest"}},
            "platforms": null, "times": {"x": 1}
        },
        "grantControls": {"authenticationStrength@odata.context": "c",
                          "authenticationStrength": {"id": "s", "displayName": "MFA"}},
        "sessionControls": {"signInFrequency": null}
    });
    let b = json!({
        "grantControls": {"authenticationStrength": {"id": "s"}},
        "conditions": {"users": {"includeUsers": ["a", "b"],
                                  "includeGuestsOrExternalUsers": {"guestOrExternalUserTypes": "internalGuest,b2bCollaborationGuest"}}},
        "state": "enabled"
    });
    assert_eq!(first_difference(&normalise(&a), &normalise(&b), ""), None);
    let c = json!({"state": "disabled"});
    assert_eq!(
        first_difference(&normalise(&json!({"state": "enabled"})), &normalise(&c), ""),
        Some("state: original \"enabled\", created \"disabled\"".into())
    );
    assert_eq!(unmodelled_members(&a), ["conditions.times"]);
}
