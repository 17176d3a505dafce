//! The real-world HCL corpus (`../shared/corpus/hcl/*.tf`, written for hashicorp/azuread) against
//! `entra_conditional_access_policy`: every `azuread_conditional_access_policy` resource, renamed,
//! must pass `terraform validate`, apply against the simulator and plan clean afterwards.
//!
//! The corpus files are modules cut out of real repositories: they reference groups, users,
//! named locations and variables defined elsewhere (or not at all). The test turns each file into
//! a self-contained configuration with plain string processing, without changing anything that
//! Terraform itself evaluates:
//!
//! * only the top-level `resource "azuread_conditional_access_policy"` blocks are kept (other
//!   resources, data sources, providers, modules and comments between blocks are dropped);
//! * the type is renamed to `entra_conditional_access_policy`;
//! * references to other azuread resources and data sources become literals
//!   ([`reference_literal`]), e.g. `azuread_group.x[0].object_id` -> a made-up GUID;
//! * every `var.NAME` the kept blocks use is declared with a default that makes the policy
//!   exist and be valid ([`VARIABLE_DEFAULTS`]);
//! * `count`, conditionals, `concat`, `null` and `lifecycle` stay as they are;
//! * the named locations the policies end up naming exist in the simulator's tenant (seeded
//!   with those ids), since Graph refuses a policy naming an unknown location.
//!
//! One Terraform configuration per corpus file (so one failure does not hide another), run by a
//! few worker threads against one simulator per Terraform binary; failures are collected and the
//! test fails at the end listing every failing file, the step and Terraform's own words.

mod common;

use common::{in_parallel, made_up_guid, terraform_binaries, terraform_version, Run, Sim, Tf};
use std::path::{Path, PathBuf};

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus");
const AZUREAD_TYPE: &str = "azuread_conditional_access_policy";
const ENTRA_TYPE: &str = "entra_conditional_access_policy";
/// Corpus files run side by side. Each `terraform` run starts its own provider process, which
/// paces its Conditional Access requests (about 1/s); the simulator itself has no rate limit.
const WORKERS: usize = 4;

/// `data.azuread_service_principal.intune.client_id`: 057-msft-zt-file-data.tf looks up the
/// Microsoft Intune Enrollment app by this client id, so the data source evaluates to it.
const INTUNE_ENROLLMENT_APP_ID: &str = "d4ebce55-015a-49b5-a083-c84d1797ae8c";

/// Corpus resources that real Graph refuses, so no provider can apply them: each must instead
/// fail `terraform validate` with the provider's plan-time message (the file name prefix, and a
/// piece of the message). One that starts passing fails the test, so this list stays true.
///
/// * 054 (Microsoft's own Zero Trust sample) has `included_groups = ["All"]`: Graph accepts
///   `All` only in includeUsers, and answers `1102: 'users' condition contains invalid role
///   ids: All.` for roles (microsoftgraph/microsoft-graph-docs#20750); azuread documents that
///   `All` is not accepted for role or group conditions (hashicorp/terraform-provider-azuread#686,
///   #689).
const EXPECTED_REJECTIONS: &[(&str, &str)] = &[("054-", "\"All\" is not an object id")];

// ------------------------------------------------------------------------------------------------
// Reading the corpus

/// The corpus's `.tf` files, sorted. A missing corpus is a failure, never a skip.
fn corpus_files() -> Vec<PathBuf> {
    let dir = Path::new(CORPUS).join("hcl");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("the HCL corpus must be at {}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "tf"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no .tf files in {}", dir.display());
    files
}

// ------------------------------------------------------------------------------------------------
// A minimal HCL lexer: enough to find top-level blocks

/// Splits HCL into its top-level blocks (`resource "t" "n" { ... }`, `provider "p" { ... }`, ...),
/// each from its first keyword to its closing brace. Braces are counted only outside string
/// literals (with `\` escapes) and comments (`#`, `//`, `/* */`), so `"\\d{5}"` in a string or a
/// commented-out block does not throw the count off. Heredocs and quotes nested inside `${...}`
/// do not occur in the corpus and are not handled; unbalanced input panics rather than guessing.
fn top_level_blocks(src: &str) -> Vec<&str> {
    let bytes = src.as_bytes();
    let mut blocks = Vec::new();
    let mut depth = 0usize;
    let mut start: Option<usize> = None;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                // Skip the string literal, honouring backslash escapes.
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                assert!(i < bytes.len(), "unterminated string literal");
            }
            b'#' => i = skip_to_line_end(bytes, i),
            b'/' if bytes.get(i + 1) == Some(&b'/') => i = skip_to_line_end(bytes, i),
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                let end = src[i + 2..].find("*/").expect("unterminated /* comment");
                i += 2 + end + 1;
            }
            b'{' => depth += 1,
            b'}' => {
                depth = depth.checked_sub(1).expect("unbalanced '}'");
                if depth == 0 {
                    blocks.push(&src[start.take().expect("block start")..=i]);
                }
            }
            c if depth == 0 && start.is_none() && !c.is_ascii_whitespace() => start = Some(i),
            _ => {}
        }
        i += 1;
    }
    assert_eq!(depth, 0, "unbalanced '{{'");
    blocks
}

/// Index of the newline ending the comment that starts at `i` (or the end of input).
fn skip_to_line_end(bytes: &[u8], i: usize) -> usize {
    bytes[i..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(bytes.len(), |p| i + p)
}

/// The labels of a block header, e.g. `["resource", "azuread_group", "x"]`.
fn header_labels(block: &str) -> Vec<String> {
    let header = &block[..block.find('{').unwrap_or(block.len())];
    header
        .split_whitespace()
        .map(|w| w.trim_matches('"').to_string())
        .collect()
}

// ------------------------------------------------------------------------------------------------
// Turning a corpus file into a self-contained configuration

/// The literal standing for a reference to another azuread object, or why there is none.
/// `kind` is e.g. `data.azuread_user`, `attribute` the last traversal step (`object_id`).
fn reference_literal(reference: &str, kind: &str, attribute: &str) -> Result<String, String> {
    let guid = || format!("\"{}\"", made_up_guid(reference));
    match (kind, attribute) {
        // Groups and named locations: azuread 2.x `.id` and `.object_id` are both bare GUIDs.
        ("azuread_group" | "azuread_named_location", "id" | "object_id") => Ok(guid()),
        ("data.azuread_user", "object_id" | "id") => Ok(guid()),
        // A list of users' object ids.
        ("data.azuread_users", "object_ids") => Ok(format!(
            "[\"{}\", \"{}\"]",
            made_up_guid(&format!("{reference}#1")),
            made_up_guid(&format!("{reference}#2"))
        )),
        ("data.azuread_service_principal", "client_id") if reference.contains(".intune.") => {
            Ok(format!("\"{INTUNE_ENROLLMENT_APP_ID}\""))
        }
        _ => Err(format!(
            "no literal for the reference {reference} (extend reference_literal)"
        )),
    }
}

/// Is `b` part of an HCL identifier or traversal (so a match inside `xazuread_...` or
/// `data.azuread_...` is not a match for `azuread_...`)?
fn ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.'
}

/// Length of the traversal starting at `text[0]`: identifiers, `.attr` steps and `[...]` indexes,
/// e.g. `azuread_group.CA-Persona-Groups["Internals"].id`.
fn traversal_len(text: &str) -> usize {
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if ident_byte(b[i]) {
            i += 1;
        } else if b[i] == b'[' {
            match text[i..].find(']') {
                Some(end) => i += end + 1,
                None => break,
            }
        } else {
            break;
        }
    }
    // A trailing `.` is punctuation, not part of the traversal.
    text[..i].trim_end_matches('.').len()
}

/// Replaces every reference to an azuread resource or data source in `block` by a literal;
/// the GUIDs standing for named locations are added to `locations` (they must exist in Graph).
fn replace_references(block: &str, locations: &mut Vec<String>) -> Result<String, String> {
    let mut out = String::with_capacity(block.len());
    let mut rest = block;
    loop {
        // The next `azuread_...` or `data.azuread_...` that starts a traversal (is not the
        // tail of a longer identifier), as the offset of its first character.
        let bytes = rest.as_bytes();
        let found = rest
            .match_indices("azuread_")
            .map(|(at, _)| {
                if rest[..at].ends_with("data.") {
                    at - 5
                } else {
                    at
                }
            })
            .find(|&start| start == 0 || !ident_byte(bytes[start - 1]));
        let Some(start) = found else {
            out.push_str(rest);
            return Ok(out);
        };
        let len = traversal_len(&rest[start..]);
        let reference = &rest[start..start + len];
        let steps: Vec<&str> = reference.split('.').collect();
        let kind = if reference.starts_with("data.") {
            format!("data.{}", steps[1])
        } else {
            steps[0].to_string()
        };
        let attribute = steps.last().copied().unwrap_or_default();
        let literal = reference_literal(reference, &kind, attribute)?;
        if kind == "azuread_named_location" {
            locations.push(literal.trim_matches('"').to_string());
        }
        out.push_str(&rest[..start]);
        out.push_str(&literal);
        rest = &rest[start + len..];
    }
}

/// Defaults for the variables the corpus's policies use: the value makes the policy exist
/// (`count` = 1) and be valid, taking the branch of a conditional that carries more content.
/// Patterns are exact names or `*suffix`; the first match wins. `GUIDS` = two made-up GUIDs
/// (derived from the variable's name).
///
/// | variable                          | type         | default                         | why |
/// |-----------------------------------|--------------|---------------------------------|-----|
/// | reporting_only_for_all_policies   | bool         | true                            | every `state` becomes report-only |
/// | emergency_access_upn              | string       | "breakglass@example.com"        | non-null: `excluded_users` gets the user's (literal) id |
/// | supported_device_platforms        | list(string) | the five platforms of 092       | `excluded_platforms` (074) |
/// | trusted_locations                 | list(string) | ["192.0.2.0/24"]                | only tested against null in `count` |
/// | *_create                          | bool         | true                            | `count` = 1 |
/// | *_state                           | string       | "enabledForReportingButNotEnforced" | the other branch of `state` |
/// | *_enable_for_browser              | bool         | true                            | adds `browser` (074) |
/// | *_exclude_intune_enrollment       | bool         | true                            | the non-null `excluded_applications` (068) |
/// | *_sign_in_frequency_in_days       | number       | 7                               | `sign_in_frequency` with period `days` |
/// | *_upns                            | list(string) | two example.com UPNs            | only tested against null in `count` |
/// | *_ids                             | list(string) | GUIDS                           | application, location, terms-of-use, group, role ids |
const VARIABLE_DEFAULTS: &[(&str, &str, &str)] = &[
    ("reporting_only_for_all_policies", "bool", "true"),
    (
        "emergency_access_upn",
        "string",
        "\"breakglass@example.com\"",
    ),
    (
        "supported_device_platforms",
        "list(string)",
        "[\"android\", \"iOS\", \"linux\", \"macOS\", \"windows\"]",
    ),
    ("trusted_locations", "list(string)", "[\"192.0.2.0/24\"]"),
    ("*_create", "bool", "true"),
    ("*_state", "string", "\"enabledForReportingButNotEnforced\""),
    ("*_enable_for_browser", "bool", "true"),
    ("*_exclude_intune_enrollment", "bool", "true"),
    ("*_sign_in_frequency_in_days", "number", "7"),
    (
        "*_upns",
        "list(string)",
        "[\"svc-backup@example.com\", \"svc-erp@example.com\"]",
    ),
    ("*_ids", "list(string)", "GUIDS"),
];

/// The `variable` block declaring `name` with its default from [`VARIABLE_DEFAULTS`].
fn variable_block(name: &str) -> Result<String, String> {
    let (_, ty, default) = VARIABLE_DEFAULTS
        .iter()
        .find(|(pattern, _, _)| match pattern.strip_prefix('*') {
            Some(suffix) => name.ends_with(suffix),
            None => name == *pattern,
        })
        .ok_or_else(|| format!("no default for var.{name} (extend VARIABLE_DEFAULTS)"))?;
    let default = if *default == "GUIDS" {
        let [a, b] = variable_guids(name);
        format!("[\"{a}\", \"{b}\"]")
    } else {
        default.to_string()
    };
    Ok(format!(
        "variable \"{name}\" {{\n  type    = {ty}\n  default = {default}\n}}\n"
    ))
}

/// The made-up GUIDs of an id-list variable's default.
fn variable_guids(name: &str) -> [String; 2] {
    [1, 2].map(|n| made_up_guid(&format!("var.{name}#{n}")))
}

/// Names of the variables (`var.NAME`) used in `text`, sorted and without duplicates.
fn variables_used(text: &str) -> Vec<String> {
    let mut names: Vec<String> = text
        .match_indices("var.")
        .filter(|(at, _)| *at == 0 || !ident_byte(text.as_bytes()[at - 1]))
        .map(|(at, _)| {
            let name = &text[at + 4..];
            let len = name
                .bytes()
                .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_' || *b == b'-')
                .count();
            name[..len].to_string()
        })
        .collect();
    names.sort();
    names.dedup();
    names
}

/// Does the resource block use the `count` meta-argument (so its address ends in `[0]`)?
fn has_count(block: &str) -> bool {
    block.lines().any(|l| {
        l.trim_start()
            .strip_prefix("count")
            .is_some_and(|r| r.trim_start().starts_with('='))
    })
}

/// One corpus file with Conditional Access policies, as a configuration for our provider.
struct Case {
    file: String,
    /// State addresses the configuration must create, e.g. `entra_conditional_access_policy.cau004[0]`.
    addresses: Vec<String>,
    /// The configuration body, or why the file could not be turned into one.
    config: Result<String, String>,
    /// Named location ids the configuration uses (seeded into the simulator's tenant).
    locations: Vec<String>,
}

/// `None` for files without a Conditional Access policy.
fn case_for(path: &Path) -> Option<Case> {
    let text = std::fs::read_to_string(path).unwrap();
    let file = path.file_name().unwrap().to_string_lossy().into_owned();
    let policies: Vec<&str> = top_level_blocks(&text)
        .into_iter()
        .filter(|b| {
            let labels = header_labels(b);
            labels.len() == 3 && labels[0] == "resource" && labels[1] == AZUREAD_TYPE
        })
        .collect();
    if policies.is_empty() {
        return None;
    }
    let addresses = policies
        .iter()
        .map(|b| {
            let name = &header_labels(b)[2];
            let index = if has_count(b) { "[0]" } else { "" };
            format!("{ENTRA_TYPE}.{name}{index}")
        })
        .collect();
    let mut locations = Vec::new();
    let config = (|| {
        let mut body = String::new();
        for block in &policies {
            // Only the header's type label is renamed; the body never names the type.
            let renamed = block.replacen(
                &format!("\"{AZUREAD_TYPE}\""),
                &format!("\"{ENTRA_TYPE}\""),
                1,
            );
            body.push_str(&replace_references(&renamed, &mut locations)?);
            body.push_str("\n\n");
        }
        let mut vars = String::new();
        for name in variables_used(&body) {
            vars.push_str(&variable_block(&name)?);
            if name.ends_with("_location_ids") {
                locations.extend(variable_guids(&name));
            }
        }
        Ok(format!("{vars}\n{body}"))
    })();
    Some(Case {
        file,
        addresses,
        config,
        locations,
    })
}

// ------------------------------------------------------------------------------------------------
// Running Terraform

/// The part of Terraform's output that says what went wrong: the diagnostics, or the planned
/// changes, at most 60 lines.
fn excerpt(r: &Run) -> String {
    let text = r.text();
    let lines: Vec<&str> = text.lines().collect();
    let from = lines
        .iter()
        .position(|l| l.contains("Error:"))
        .or_else(|| lines.iter().position(|l| l.trim_start().starts_with("# ")))
        .unwrap_or(0);
    let to = lines.len().min(from + 60);
    lines[from..to].join("\n")
}

/// validate -> apply -> every policy is in the state -> clean plan.
fn run_case(bin: &Path, sim: &Sim, case: &Case) -> Result<(), String> {
    let config = case
        .config
        .as_ref()
        .map_err(|e| format!("transform: {e}"))?;
    let tf = Tf::new(bin, sim.provider_env());
    tf.config(config);
    let step = |name: &str, args: &[&str], want: i32| {
        let r = tf.run(args);
        if r.code == want {
            Ok(r)
        } else {
            Err(format!("{name} exited {}:\n{}", r.code, excerpt(&r)))
        }
    };
    step("validate", &["validate", "-no-color"], 0)?;
    step(
        "apply",
        &["apply", "-auto-approve", "-no-color", "-input=false"],
        0,
    )?;
    let mut in_state = tf.state_list();
    in_state.sort();
    let mut expected = case.addresses.clone();
    expected.sort();
    if in_state != expected {
        return Err(format!(
            "state holds {in_state:?}, expected {expected:?} (a count evaluated to 0?)"
        ));
    }
    step(
        "second plan",
        &["plan", "-detailed-exitcode", "-no-color", "-input=false"],
        0,
    )?;
    Ok(())
}

#[test]
fn every_corpus_policy_validates_applies_and_plans_clean() {
    let cases: Vec<Case> = corpus_files().iter().filter_map(|f| case_for(f)).collect();
    let total: usize = cases.iter().map(|c| c.addresses.len()).sum();
    assert!(total > 0, "no {AZUREAD_TYPE} in the corpus");

    let mut failures = Vec::new();
    for bin in terraform_binaries() {
        let version = terraform_version(&bin);
        // The named locations the policies name exist, as in the tenants the corpus was written for.
        let mut locations: Vec<String> = cases.iter().flat_map(|c| c.locations.clone()).collect();
        locations.sort();
        locations.dedup();
        let sim = Sim::start_with_tenant_objects(&locations, &[]);
        let started = std::time::Instant::now();
        let outcomes = in_parallel(&cases, WORKERS, || (), |_, case| run_case(&bin, &sim, case));
        let (mut passed, mut rejected) = (0, 0);
        for (case, outcome) in cases.iter().zip(outcomes) {
            let expected = EXPECTED_REJECTIONS
                .iter()
                .find(|(prefix, _)| case.file.starts_with(prefix));
            match (outcome, expected) {
                (Ok(()), None) => passed += case.addresses.len(),
                (Err(why), Some((_, message)))
                    if why.starts_with("validate") && why.contains(message) =>
                {
                    rejected += case.addresses.len();
                }
                (Ok(()), Some((_, message))) => failures.push(format!(
                    "[{version}] {}: expected `terraform validate` to fail with {message:?}, it passed",
                    case.file
                )),
                (Err(why), _) => failures.push(format!("[{version}] {}: {why}", case.file)),
            }
        }
        // Every applied policy reached Graph (the simulator), not just the state.
        let (status, list) = sim.graph("GET", "/beta/identity/conditionalAccess/policies", None);
        assert_eq!(status, 200, "{list}");
        let in_graph = list["value"].as_array().map_or(0, Vec::len);
        assert!(
            in_graph >= passed,
            "[{version}] {passed} policies applied but Graph holds {in_graph}"
        );
        println!(
            "corpus HCL: {passed} of {total} resources passed, {rejected} rejected at validate \
             as Graph would ({version}, {} files, {:.0?})",
            cases.len(),
            started.elapsed()
        );
    }
    assert!(
        failures.is_empty(),
        "{} corpus file run(s) failed:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

// ------------------------------------------------------------------------------------------------
// The string processing itself, on small inputs

#[test]
fn block_splitter_ignores_braces_in_strings_and_comments() {
    let src = r#"
# a comment with a brace {
resource "a" "b" {
  rule = "x \"{5}\" y" // }
  /* } */
  inner { k = 1 }
}
provider "p" {}
"#;
    let blocks = top_level_blocks(src);
    assert_eq!(blocks.len(), 2, "{blocks:?}");
    assert!(blocks[0].starts_with("resource \"a\" \"b\" {"));
    assert!(blocks[0].ends_with("inner { k = 1 }\n}"));
    assert_eq!(header_labels(blocks[1]), ["provider", "p"]);
}

#[test]
fn references_become_literals_and_variables_get_defaults() {
    let block = r#"x = [azuread_group.CA-Persona-Groups["Internals"].id, azuread_group.g[0].object_id]
y = data.azuread_users.u[0].object_ids
z = [data.azuread_service_principal.intune.client_id]
w = var.emergency_access_upn != null ? [data.azuread_user.e[0].object_id] : null"#;
    let mut locations = Vec::new();
    let out = replace_references(block, &mut locations).unwrap();
    assert!(locations.is_empty());
    assert!(!out.contains("azuread_"), "{out}");
    assert!(out.contains(&format!(
        "\"{}\"",
        made_up_guid("azuread_group.CA-Persona-Groups[\"Internals\"].id")
    )));
    assert!(out.contains(&format!("[\"{INTUNE_ENROLLMENT_APP_ID}\"]")));
    assert!(out.contains("y = [\""), "{out}");
    assert_eq!(variables_used(&out), ["emergency_access_upn"]);
    assert!(variable_block("cau004_included_application_ids")
        .unwrap()
        .contains("list(string)"));
    assert!(variable_block("something_else").is_err());
    let g = made_up_guid("k");
    assert_eq!(g.len(), 36);
    assert_eq!(&g[14..15], "4");
}
