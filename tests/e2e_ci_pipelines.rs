//! The pipelines of `examples/ci` (drift check, pull request plan, GitHub's apply) run here as
//! their CI systems run them: every step's script unmodified, in order, under the step conditions,
//! with the environment the runner gives it, signed in through the pipeline's OIDC exchange (no
//! secret in the job), with the Terraform version the pipeline pins, against the simulator. Each
//! case (no drift, drift, drift undone, a check that cannot sign in; a changed, an unformatted and
//! an invalid pull request, one from a fork or run by hand; an approved, an empty and a stale
//! apply) must end as the pipeline's comments promise.
//!
//! Only the edges are stood in for, since nothing here reaches the internet: checkout empties what
//! earlier runs left, setup-terraform and the never-run service connection task are skipped,
//! artifacts are copied between jobs, Terraform is provided, `terraform init` is answered by a
//! wrapper (the provider comes from dev_overrides, and init must not run with them), `gh` is a fake
//! that records its calls, `actions/github-script` runs its script with node against a fake GitHub
//! API, and Azure DevOps' pull request threads API is a small python3 server. The GitHub Actions
//! expressions and Azure Pipelines conditions and macros the files use are evaluated by the small
//! runners below, which fail on any form they do not know.

mod common;

use common::{terraform_binaries, terraform_version, Sim, Tf};
use serde_json::{json, Value as Json};
use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

const CONFIG: &str = r#"
resource "entra_authentication_context" "tier0" {
  context_id   = "c9"
  display_name = "Tier 0 admin actions"
  is_available = true
}

resource "entra_named_location" "hq" {
  display_name = "HQ egress"
  ip {
    ip_ranges = ["203.0.113.0/24"]
    trusted   = true
  }
}
"#;
const CONTEXT: &str = "/v1.0/identity/conditionalAccess/authenticationContextClassReferences/c9";
/// Where the pipelines expect the configuration (`TF_DIR`).
const TF_DIR: &str = "infra/entra";

fn ci_file(path: &str) -> Json {
    let file = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples/ci")
        .join(path);
    let out = Command::new("python3")
        .args([
            "-c",
            "import json, sys, yaml; json.dump(yaml.safe_load(open(sys.argv[1])), sys.stdout)",
        ])
        .arg(&file)
        .output()
        .expect("python3 with PyYAML runs (.ci/run installs python3-yaml)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The binary itself: the wrapper named `terraform` must not find itself.
fn on_path(bin: &Path) -> PathBuf {
    if bin.components().count() > 1 {
        return bin.to_path_buf();
    }
    std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
        .map(|dir| dir.join(bin))
        .find(|p| p.is_file())
        .unwrap_or_else(|| panic!("{} is not on PATH", bin.display()))
}

fn executable(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// A machine for one pipeline run: the workspace holding the applied configuration at
/// `TF_DIR`, a tools directory with the `terraform` wrapper and the fake `gh`, and the record of
/// `gh` calls.
struct Machine {
    root: tempfile::TempDir,
    tools: PathBuf,
}

impl Machine {
    fn new(tf: &Tf) -> Machine {
        let root = tempfile::tempdir().unwrap();
        let workspace = root.path().join("workspace");
        std::fs::create_dir_all(workspace.join(TF_DIR).parent().unwrap()).unwrap();
        std::os::unix::fs::symlink(tf.dir.path(), workspace.join(TF_DIR)).unwrap();
        let tools = root.path().join("tools");
        std::fs::create_dir_all(&tools).unwrap();
        executable(
            &tools.join("terraform"),
            &format!(
                "#!/bin/sh\n# init would install the provider, which dev_overrides provides.\nif [ \"$1\" = init ]; then echo 'terraform init: skipped (dev_overrides)'; exit 0; fi\nexec '{}' \"$@\"\n",
                on_path(&tf.bin).display()
            ),
        );
        executable(
            &tools.join("gh"),
            "#!/bin/sh\n# Records each call (with the body file's text) and answers `issue list` with the open\n# drift issue's number, if the test opened one.\nprintf 'gh %s\\n' \"$*\" >> \"$FAKE_GH_CALLS\"\nprev=\nfor a in \"$@\"; do\n  [ \"$prev\" = --body-file ] && { cat \"$a\"; echo; } >> \"$FAKE_GH_CALLS\"\n  prev=$a\ndone\nif [ \"$1 $2\" = 'issue list' ] && [ -f \"$FAKE_GH_OPEN_ISSUE\" ]; then cat \"$FAKE_GH_OPEN_ISSUE\"; fi\nexit 0\n",
        );
        // The checkout is a git repository with the pull request's commit.
        for args in [
            &["init", "-q"][..],
            &[
                "-c",
                "user.name=ci",
                "-c",
                "user.email=ci@example.invalid",
                "commit",
                "-q",
                "--allow-empty",
                "-m",
                "pull request",
            ],
        ] {
            let ok = Command::new("git")
                .args(args)
                .current_dir(&workspace)
                .env("GIT_CONFIG_NOSYSTEM", "1")
                .status()
                .is_ok_and(|s| s.success());
            assert!(ok, "git {args:?}");
        }
        let machine = Machine { root, tools };
        std::fs::write(
            machine.github_state_file(),
            json!({"comments": [], "calls": []}).to_string(),
        )
        .unwrap();
        machine
    }

    /// A fresh checkout, as each run on a hosted runner gets: what earlier runs wrote next to
    /// the configuration (plan files, logs, reports) is gone. The state stays: it stands for the
    /// remote backend.
    fn checkout(&self) {
        let dir = self.workspace().join(TF_DIR);
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let kept = name.ends_with(".tf")
                || name == "cli.tfrc"
                || name.starts_with("terraform.tfstate");
            if !kept && path.is_file() {
                std::fs::remove_file(&path).unwrap();
            }
        }
    }

    /// The Azure Pipelines agent's directories (tool cache, temp).
    fn agent(&self) -> PathBuf {
        self.root.path().join("agent")
    }

    /// Where an uploaded artifact is kept between jobs.
    fn artifact(&self, name: &str) -> PathBuf {
        self.root.path().join("artifacts").join(name)
    }

    fn github_state_file(&self) -> String {
        self.root
            .path()
            .join("github.json")
            .to_str()
            .unwrap()
            .into()
    }

    /// The pull request's comments and the API calls made, as the fake GitHub recorded them.
    fn github(&self) -> Json {
        serde_json::from_str(&std::fs::read_to_string(self.github_state_file()).unwrap()).unwrap()
    }

    fn workspace(&self) -> PathBuf {
        self.root.path().join("workspace")
    }

    fn open_issue(&self, number: Option<u32>) {
        let file = self.root.path().join("open-issue");
        match number {
            Some(n) => std::fs::write(file, format!("{n}\n")).unwrap(),
            None => {
                let _ = std::fs::remove_file(file);
            }
        }
    }

    fn gh_calls(&self) -> String {
        std::fs::read_to_string(self.root.path().join("gh-calls")).unwrap_or_default()
    }

    /// What every step's process starts with: a clean environment, as on a hosted runner,
    /// plus what reaches the simulator instead of Microsoft (its hosts and CA), never the
    /// client secret.
    fn base_env(&self, sim: &Sim, tf: &Tf) -> BTreeMap<String, String> {
        let i = sim.info();
        let home = self.root.path().join("home");
        std::fs::create_dir_all(&home).unwrap();
        let path = format!("{}:/usr/local/bin:/usr/bin:/bin", self.tools.display());
        BTreeMap::from(
            [
                ("PATH", path.as_str()),
                ("HOME", home.to_str().unwrap()),
                ("SSL_CERT_FILE", &i.ca_file),
                ("ENTRA_GRAPH_ENDPOINT", &i.graph_endpoint),
                ("ENTRA_AUTHORITY_HOST", &i.authority_host),
                (
                    "TF_CLI_CONFIG_FILE",
                    tf.dir.path().join("cli.tfrc").to_str().unwrap(),
                ),
                ("CHECKPOINT_DISABLE", "1"),
                (
                    "FAKE_GH_CALLS",
                    self.root.path().join("gh-calls").to_str().unwrap(),
                ),
                (
                    "FAKE_GH_OPEN_ISSUE",
                    self.root.path().join("open-issue").to_str().unwrap(),
                ),
            ]
            .map(|(k, v)| (k.to_string(), v.to_string())),
        )
    }
}

/// One step as it ran: its name, exit code, and what it printed.
#[derive(Debug)]
struct Step {
    name: String,
    code: i32,
    output: String,
}

#[derive(Debug)]
struct JobRun {
    /// The steps that ran; skipped ones are left out.
    steps: Vec<Step>,
    /// The run summary (GitHub's step summary, Azure's uploaded summary).
    summary: String,
    succeeded: bool,
    /// The job's outputs (GitHub's `jobs.<id>.outputs`).
    outputs: BTreeMap<String, String>,
}

impl JobRun {
    fn new() -> JobRun {
        JobRun {
            steps: vec![],
            summary: String::new(),
            succeeded: true,
            outputs: BTreeMap::new(),
        }
    }

    fn ran(&self, name: &str) -> Option<&Step> {
        self.steps.iter().find(|s| s.name == name)
    }

    fn output(&self) -> String {
        self.steps
            .iter()
            .map(|s| format!("--- {} (exit {})\n{}", s.name, s.code, s.output))
            .collect()
    }
}

fn run_script(
    interpreter: &[&str],
    script: &str,
    dir: &Path,
    env: &BTreeMap<String, String>,
) -> (i32, String) {
    let file = tempfile::Builder::new().suffix(".sh").tempfile().unwrap();
    std::fs::write(file.path(), script).unwrap();
    let out = Command::new(interpreter[0])
        .args(&interpreter[1..])
        .arg(file.path())
        .current_dir(dir)
        .env_clear()
        .envs(env)
        .output()
        .expect("bash runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

// ---------------------------------------------------------------------------------------------
// GitHub Actions

/// What a GitHub Actions expression can refer to in these workflows.
struct GithubContext<'a> {
    vars: &'a BTreeMap<&'static str, String>,
    env: &'a BTreeMap<String, String>,
    outputs: &'a BTreeMap<String, BTreeMap<String, String>>,
    /// `success`, `failure` or `skipped` per step id, before `continue-on-error`.
    outcomes: &'a BTreeMap<String, String>,
    trigger: &'a Trigger,
}

/// What started a run: the repository a pull request comes from (`owner/name`), and the
/// outputs of the jobs the job needs.
#[derive(Default)]
struct Trigger {
    head_repo: String,
    needs: BTreeMap<String, BTreeMap<String, String>>,
}

impl Trigger {
    fn pull_request_from(head_repo: &str) -> Trigger {
        Trigger {
            head_repo: head_repo.to_string(),
            ..Trigger::default()
        }
    }
}

impl GithubContext<'_> {
    fn value(&self, expr: &str) -> String {
        let expr = expr.trim();
        if let Some(lit) = expr.strip_prefix('\'').and_then(|e| e.strip_suffix('\'')) {
            return lit.to_string();
        }
        let parts: Vec<&str> = expr.split('.').collect();
        match parts.as_slice() {
            ["vars", name] => self.vars.get(name).cloned().unwrap_or_default(),
            ["env", name] => self.env.get(*name).cloned().unwrap_or_default(),
            ["github", "token"] => "fake-github-token".into(),
            ["github", "repository"] => REPOSITORY.into(),
            ["github", "event", "pull_request", "head", "repo", "full_name"] => {
                self.trigger.head_repo.clone()
            }
            ["needs", job, "outputs", key] => self
                .trigger
                .needs
                .get(*job)
                .and_then(|o| o.get(*key))
                .cloned()
                .unwrap_or_default(),
            ["steps", id, "outcome"] => self.outcomes.get(*id).cloned().unwrap_or_default(),
            ["steps", id, "outputs", key] => self
                .outputs
                .get(*id)
                .and_then(|o| o.get(*key))
                .cloned()
                .unwrap_or_default(),
            _ => panic!("the test's runner does not know the expression `{expr}`"),
        }
    }

    /// `${{ ... }}` replaced by its value.
    fn interpolate(&self, text: &str) -> String {
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find("${{") {
            out.push_str(&rest[..start]);
            let end = rest[start..].find("}}").expect("closed expression") + start;
            out.push_str(&self.value(&rest[start + 3..end]));
            rest = &rest[end + 2..];
        }
        out.push_str(rest);
        out
    }

    /// A step's `if:`: conjunctions of status functions and (in)equalities, as used here.
    /// Without a status function GitHub adds `success()`.
    fn condition(&self, expr: Option<&str>, failed: bool) -> bool {
        let expr = expr.unwrap_or("success()");
        assert!(
            !expr.contains("||") && !expr.contains("${{"),
            "the test's runner does not know the condition `{expr}`"
        );
        let terms: Vec<&str> = expr.split("&&").map(str::trim).collect();
        let has_status = terms.iter().any(|t| t.ends_with("()"));
        let mut ok = has_status || !failed;
        for term in terms {
            ok &= match term {
                "always()" => true,
                "success()" => !failed,
                "failure()" => failed,
                t => {
                    if let Some((a, b)) = t.split_once("!=") {
                        self.value(a) != self.value(b)
                    } else if let Some((a, b)) = t.split_once("==") {
                        self.value(a) == self.value(b)
                    } else {
                        panic!("the test's runner does not know the condition `{t}`")
                    }
                }
            };
        }
        ok
    }
}

fn strings(v: &Json) -> BTreeMap<String, String> {
    v.as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| {
                    let s = match v {
                        Json::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    (k.clone(), s)
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The stand-in for `actions/github-script`: the script as the body of an async function, with
/// `github` answering the issue comment calls from the machine's record of comments, and the
/// run's `context`.
const GITHUB_SCRIPT: &str = r#"
const fs = require('fs');
const file = process.env.FAKE_GITHUB_STATE;
const state = JSON.parse(fs.readFileSync(file, 'utf8'));
const save = () => fs.writeFileSync(file, JSON.stringify(state, null, 1));
const github = {
  paginate: async (method, params) => (await method(params)).data,
  rest: { issues: {
    listComments: async (p) => { state.calls.push(['listComments', p]); return { data: state.comments }; },
    createComment: async (p) => {
      state.calls.push(['createComment', p]);
      state.comments.push({ id: 900 + state.comments.length, user: { type: 'Bot' }, body: p.body });
      return { data: {} };
    },
    updateComment: async (p) => {
      state.calls.push(['updateComment', p]);
      state.comments.find((c) => c.id === p.comment_id).body = p.body;
      return { data: {} };
    },
  } },
};
const context = JSON.parse(process.env.FAKE_GITHUB_CONTEXT);
(async function () {
SCRIPT
})().then(save, (e) => { save(); console.error(e); process.exit(1); });
"#;

const REPOSITORY: &str = "example-org/entra-config";

const SHA: &str = "0123456789abcdef0123456789abcdef01234567";

/// Runs one job of a workflow as the GitHub runner would, `id-token: write` included.
fn run_github_job(
    workflow: &Json,
    job: &str,
    machine: &Machine,
    mut base: BTreeMap<String, String>,
    vars: &BTreeMap<&'static str, String>,
    oidc: (&str, &str),
    trigger: &Trigger,
) -> JobRun {
    let job = &workflow["jobs"][job];
    let no_env = BTreeMap::new();
    let no_outputs = BTreeMap::new();
    let no_outcomes = BTreeMap::new();
    let plain = GithubContext {
        vars,
        env: &no_env,
        outputs: &no_outputs,
        outcomes: &no_outcomes,
        trigger,
    };
    let mut run = JobRun::new();
    if !plain.condition(job["if"].as_str(), false) {
        return run;
    }
    let mut env: BTreeMap<String, String> = strings(&workflow["env"]);
    env.extend(strings(&job["env"]));
    for v in env.values_mut() {
        *v = plain.interpolate(v);
    }
    base.extend([
        ("GITHUB_ACTIONS".to_string(), "true".to_string()),
        ("GITHUB_SERVER_URL".into(), "https://github.com".into()),
        ("GITHUB_REPOSITORY".into(), REPOSITORY.into()),
        ("GITHUB_RUN_ID".into(), "4242".into()),
        ("GITHUB_SHA".into(), SHA.into()),
        ("ACTIONS_ID_TOKEN_REQUEST_URL".into(), oidc.0.into()),
        ("ACTIONS_ID_TOKEN_REQUEST_TOKEN".into(), oidc.1.into()),
        (
            "FAKE_GITHUB_CONTEXT".into(),
            json!({
                "serverUrl": "https://github.com",
                "repo": {"owner": "example-org", "repo": "entra-config"},
                "runId": 4242,
                "sha": SHA,
                "issue": {"number": 12},
            })
            .to_string(),
        ),
    ]);
    let default_dir = job["defaults"]["run"]["working-directory"]
        .as_str()
        .unwrap_or(".");
    let mut outputs: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    let mut outcomes: BTreeMap<String, String> = BTreeMap::new();
    for (n, step) in job["steps"].as_array().unwrap().iter().enumerate() {
        let ctx = GithubContext {
            vars,
            env: &env,
            outputs: &outputs,
            outcomes: &outcomes,
            trigger,
        };
        let id = step["id"].as_str().map(str::to_string);
        if !ctx.condition(step["if"].as_str(), !run.succeeded) {
            if let Some(id) = id {
                outcomes.insert(id, "skipped".into());
            }
            continue;
        }
        let action = step["uses"].as_str().unwrap_or_default();
        if action.starts_with("actions/checkout@") {
            machine.checkout();
            continue;
        }
        if action.starts_with("hashicorp/setup-terraform@") {
            continue;
        }
        // Artifacts pass files between jobs, which run on different machines.
        if action.starts_with("actions/upload-artifact@") {
            let from = machine
                .workspace()
                .join(step["with"]["path"].as_str().unwrap());
            let to = machine.artifact(step["with"]["name"].as_str().unwrap());
            std::fs::create_dir_all(&to).unwrap();
            std::fs::copy(&from, to.join(from.file_name().unwrap())).unwrap();
            continue;
        }
        if action.starts_with("actions/download-artifact@") {
            let from = machine.artifact(step["with"]["name"].as_str().unwrap());
            let to = machine
                .workspace()
                .join(step["with"]["path"].as_str().unwrap());
            for entry in std::fs::read_dir(from).expect("the artifact was uploaded") {
                let file = entry.unwrap().path();
                std::fs::copy(&file, to.join(file.file_name().unwrap())).unwrap();
            }
            continue;
        }
        assert!(
            action.is_empty() || action.starts_with("actions/github-script@"),
            "the test's runner cannot stand in for {action}"
        );
        let name = step["name"]
            .as_str()
            .map_or(format!("step {n}"), str::to_string);
        let mut step_env = base.clone();
        step_env.extend(env.clone());
        for (k, v) in strings(&step["env"]) {
            step_env.insert(k, ctx.interpolate(&v));
        }
        let files = tempfile::tempdir().unwrap();
        let (output_file, summary_file) = (files.path().join("out"), files.path().join("summary"));
        std::fs::write(&output_file, "").unwrap();
        std::fs::write(&summary_file, "").unwrap();
        step_env.insert("GITHUB_OUTPUT".into(), output_file.to_str().unwrap().into());
        step_env.insert(
            "GITHUB_STEP_SUMMARY".into(),
            summary_file.to_str().unwrap().into(),
        );
        let (code, output) = if action.is_empty() {
            let script = step["run"].as_str().expect("a run step");
            let dir = machine
                .workspace()
                .join(step["working-directory"].as_str().unwrap_or(default_dir));
            // GitHub's default shell on Linux.
            run_script(&["bash", "-e"], &ctx.interpolate(script), &dir, &step_env)
        } else {
            let script = step["with"]["script"].as_str().expect("a script");
            let harness = GITHUB_SCRIPT.replace("SCRIPT", &ctx.interpolate(script));
            step_env.insert("FAKE_GITHUB_STATE".into(), machine.github_state_file());
            // Actions run in the workspace, not in `defaults.run.working-directory`.
            run_script(&["node"], &harness, &machine.workspace(), &step_env)
        };
        if let Some(id) = id {
            let written = std::fs::read_to_string(&output_file).unwrap();
            let map = outputs.entry(id.clone()).or_default();
            for line in written.lines() {
                if let Some((k, v)) = line.split_once('=') {
                    map.insert(k.to_string(), v.to_string());
                }
            }
            let outcome = if code == 0 { "success" } else { "failure" };
            outcomes.insert(id, outcome.into());
        }
        run.summary
            .push_str(&std::fs::read_to_string(&summary_file).unwrap());
        run.succeeded &= code == 0 || step["continue-on-error"] == json!(true);
        run.steps.push(Step { name, code, output });
    }
    let ctx = GithubContext {
        vars,
        env: &env,
        outputs: &outputs,
        outcomes: &outcomes,
        trigger,
    };
    run.outputs = strings(&job["outputs"])
        .into_iter()
        .map(|(k, v)| (k, ctx.interpolate(&v)))
        .collect();
    run
}

// ---------------------------------------------------------------------------------------------
// Azure Pipelines

/// Replaces `$(Name)` macros with the pipeline's variables; a macro it does not define is left
/// as Azure leaves it.
fn macros(text: &str, variables: &BTreeMap<String, String>) -> String {
    let mut out = text.to_string();
    for (k, v) in variables {
        out = out.replace(&format!("$({k})"), v);
    }
    out
}

/// A step condition in Azure Pipelines' expression syntax, as far as these pipelines use it:
/// `and`, `or`, `not`, `eq`, `ne` (case-insensitive), the status functions, `variables['X']`,
/// string literals, `true` and `false`.
struct AzureCondition<'a> {
    text: &'a str,
    at: usize,
    variables: &'a BTreeMap<String, String>,
    failed: bool,
}

impl<'a> AzureCondition<'a> {
    fn new(text: &'a str, variables: &'a BTreeMap<String, String>, failed: bool) -> Self {
        AzureCondition {
            text,
            at: 0,
            variables,
            failed,
        }
    }

    fn truthy(mut self) -> bool {
        let v = self.value();
        assert_eq!(self.at, self.text.len(), "trailing text in `{}`", self.text);
        !v.is_empty() && v != "false"
    }

    fn rest(&self) -> &'a str {
        &self.text[self.at..]
    }

    fn skip_spaces(&mut self) {
        self.at = self.text.len() - self.rest().trim_start().len();
    }

    fn eat(&mut self, token: &str) -> bool {
        self.skip_spaces();
        let found = self.rest().starts_with(token);
        if found {
            self.at += token.len();
        }
        found
    }

    /// The value of the expression at the cursor, as a string (`true`/`false` for booleans).
    fn value(&mut self) -> String {
        if self.eat("'") {
            let end = self.rest().find('\'').expect("closed string");
            let s = self.rest()[..end].to_string();
            self.at += end + 1;
            return s;
        }
        if self.eat("variables['") {
            let end = self.rest().find("']").expect("closed variable");
            let name = &self.rest()[..end];
            self.at += end + 2;
            return self.variables.get(name).cloned().unwrap_or_default();
        }
        let name: String = self
            .rest()
            .chars()
            .take_while(char::is_ascii_alphabetic)
            .collect();
        self.at += name.len();
        let mut args = Vec::new();
        if self.eat("(") && !self.eat(")") {
            loop {
                args.push(self.value());
                if self.eat(")") {
                    break;
                }
                assert!(self.eat(","), "`,` expected in `{}`", self.text);
            }
        }
        let truth = |v: &String| !v.is_empty() && v != "false";
        let b = match (name.as_str(), args.as_slice()) {
            ("true", []) | ("always", []) => true,
            ("false", []) => false,
            ("succeeded", []) => !self.failed,
            ("failed", []) => self.failed,
            ("and", a) => a.iter().all(truth),
            ("or", a) => a.iter().any(truth),
            ("not", [a]) => !truth(a),
            ("eq", [a, b]) => a.eq_ignore_ascii_case(b),
            ("ne", [a, b]) => !a.eq_ignore_ascii_case(b),
            _ => panic!(
                "the test's runner does not know `{name}` in `{}`",
                self.text
            ),
        };
        b.to_string()
    }
}

/// Runs a single-job pipeline's steps as an Azure Pipelines agent would: variables as macros
/// and as environment variables, `##vso` logging commands honoured.
fn run_azure_pipeline(
    pipeline: &Json,
    machine: &Machine,
    mut base: BTreeMap<String, String>,
    variables: BTreeMap<String, String>,
    oidc_request_uri: &str,
) -> (JobRun, Vec<String>) {
    let mut variables = variables;
    for (k, v) in strings(&pipeline["variables"]) {
        variables.entry(k).or_insert(v);
    }
    // Variables reach scripts as environment variables too (`TF_DIR`, `AGENT_TEMPDIRECTORY`).
    for (k, v) in &variables {
        if k != "System.AccessToken" {
            base.insert(k.replace('.', "_").to_uppercase(), v.clone());
        }
    }
    base.insert("SYSTEM_OIDCREQUESTURI".into(), oidc_request_uri.into());
    base.insert("TF_BUILD".into(), "True".into());
    let mut run = JobRun::new();
    let mut errors = Vec::new();
    let mut prepend: Vec<String> = Vec::new();
    for (n, step) in pipeline["steps"].as_array().unwrap().iter().enumerate() {
        let condition = match &step["condition"] {
            Json::Null => "succeeded()".to_string(),
            Json::Bool(b) => b.to_string(),
            c => c.as_str().expect("a condition").to_string(),
        };
        if !AzureCondition::new(&condition, &variables, !run.succeeded).truthy() {
            continue;
        }
        if step.get("checkout").is_some() {
            machine.checkout();
            continue;
        }
        assert!(
            step.get("task").is_none(),
            "the test's runner cannot run task {}",
            step["task"]
        );
        let script = step["bash"].as_str().expect("a bash step");
        let name = step["displayName"]
            .as_str()
            .map_or(format!("step {n}"), |d| macros(d, &variables));
        let mut env = base.clone();
        if !prepend.is_empty() {
            let path = format!("{}:{}", prepend.join(":"), env["PATH"]);
            env.insert("PATH".into(), path);
        }
        for (k, v) in strings(&step["env"]) {
            env.insert(k, macros(&v, &variables));
        }
        let dir = machine.workspace().join(macros(
            step["workingDirectory"].as_str().unwrap_or("."),
            &variables,
        ));
        // The agent runs a bash step's script with `bash --noprofile --norc`.
        let (code, output) = run_script(
            &["bash", "--noprofile", "--norc"],
            &macros(script, &variables),
            &dir,
            &env,
        );
        for line in output.lines() {
            if let Some(path) = line.strip_prefix("##vso[task.prependpath]") {
                prepend.insert(0, path.to_string());
            } else if let Some(file) = line.strip_prefix("##vso[task.uploadsummary]") {
                run.summary
                    .push_str(&std::fs::read_to_string(file).unwrap());
            } else if let Some(e) = line.strip_prefix("##vso[task.logissue type=error]") {
                errors.push(e.to_string());
            } else if let Some(set) = line.strip_prefix("##vso[task.setvariable variable=") {
                let (name, value) = set.split_once(']').expect("##vso[...]value");
                base.insert(name.replace('.', "_").to_uppercase(), value.to_string());
                variables.insert(name.to_string(), value.to_string());
            }
        }
        run.succeeded &= code == 0;
        run.steps.push(Step { name, code, output });
    }
    (run, errors)
}

// ---------------------------------------------------------------------------------------------

/// The Terraform version the pipelines pin (both drift pipelines pin the same) and its binary
/// among those under test.
fn pinned_terraform() -> (String, PathBuf) {
    let pinned = ci_file("azure-devops/drift-pipeline.yml")["variables"]["TF_VERSION"]
        .as_str()
        .unwrap()
        .to_string();
    let github = ci_file("github-actions/drift.yml");
    let setup = github["jobs"]["drift"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find_map(|s| s["with"]["terraform_version"].as_str())
        .unwrap()
        .to_string();
    assert_eq!(
        pinned, setup,
        "the two drift pipelines pin different versions"
    );
    let bin = terraform_binaries()
        .into_iter()
        .find(|b| terraform_version(b).contains(&pinned))
        .unwrap_or_else(|| panic!("the pipelines pin Terraform {pinned}, which is not under test"));
    (pinned, bin)
}

/// The tenant as the administrator's apply left it, and the machine to check it from.
fn applied(sim: &Sim, terraform: &Path) -> (Tf, Machine) {
    let tf = Tf::new(terraform, sim.provider_env());
    tf.config(CONFIG);
    tf.apply();
    let machine = Machine::new(&tf);
    (tf, machine)
}

fn rename_context(sim: &Sim, name: &str) {
    let (status, body) = sim.graph("PATCH", CONTEXT, Some(json!({ "displayName": name })));
    assert!(status < 300, "{status} {body}");
}

fn assert_contains_all(text: &str, expected: &[&str]) {
    for e in expected {
        assert!(text.contains(e), "{e:?} not in:\n{text}");
    }
}

/// The report of a run after the portal rename: what drifted, how, and the new value.
fn assert_drift_report(summary: &str) {
    assert_contains_all(
        summary,
        &[
            "**Drift detected**",
            "| update | `entra_authentication_context.tier0` |",
            "Renamed in the portal",
        ],
    );
}

/// The tenant as the administrator's apply left it, and a GitHub repository whose workflows
/// sign in to it through OIDC with the repository variables they read.
struct GithubRepo {
    sim: Sim,
    tf: Tf,
    machine: Machine,
    vars: BTreeMap<&'static str, String>,
    oidc: (String, String),
}

impl GithubRepo {
    fn new() -> GithubRepo {
        let sim = Sim::start();
        let (tf, machine) = applied(&sim, &pinned_terraform().1);
        let i = sim.info();
        let vars = BTreeMap::from([
            ("AZURE_TENANT_ID", i.tenant_id.clone()),
            ("AZURE_CLIENT_ID", i.client_id.clone()),
        ]);
        let oidc = (
            format!("{}/_sim/oidc/token", i.authority_host),
            sim.sim().oidc_request_token().to_string(),
        );
        GithubRepo {
            sim,
            tf,
            machine,
            vars,
            oidc,
        }
    }

    /// A run of the job, which must not show the OIDC request token anywhere.
    fn run(
        &self,
        workflow: &Json,
        job: &str,
        vars: &BTreeMap<&'static str, String>,
        trigger: &Trigger,
    ) -> JobRun {
        let base = self.machine.base_env(&self.sim, &self.tf);
        let oidc = (self.oidc.0.as_str(), self.oidc.1.as_str());
        let run = run_github_job(workflow, job, &self.machine, base, vars, oidc, trigger);
        let token = &self.oidc.1;
        assert!(!run.output().contains(token) && !run.summary.contains(token));
        assert!(!self.machine.github().to_string().contains(token));
        run
    }
}

#[test]
fn the_github_drift_workflow_reports_no_drift_drift_and_a_failed_check() {
    let repo = GithubRepo::new();
    let (sim, machine, vars) = (&repo.sim, &repo.machine, &repo.vars);
    let workflow = ci_file("github-actions/drift.yml");
    let run = |vars: &BTreeMap<&'static str, String>| {
        repo.run(&workflow, "drift", vars, &Trigger::default())
    };
    let code = |run: &JobRun| run.ran("Refresh-only plan").map(|s| s.output.clone());

    // No drift: the job passes, and there is no drift issue to close.
    let clean = run(vars);
    assert!(clean.succeeded, "{}", clean.output());
    assert!(
        clean
            .summary
            .contains("No drift: every object in the state matches the tenant."),
        "{}",
        clean.summary
    );
    assert!(
        code(&clean).unwrap().contains("No changes."),
        "{}",
        clean.output()
    );
    assert_eq!(
        machine.gh_calls(),
        "gh issue list --label drift --state open --limit 1 --json number --jq .[0].number // empty\n"
    );

    // Someone renames the context in the portal: the job fails, the summary names what drifted
    // and shows the change, and a drift issue is opened with the same report.
    rename_context(sim, "Renamed in the portal");
    let drift = run(vars);
    assert!(!drift.succeeded, "{}", drift.output());
    let result = drift.ran("Result").expect("the result step runs");
    assert_ne!(result.code, 0);
    assert!(
        result.output.contains(
            "::error title=Drift detected::Objects in infra/entra changed outside Terraform"
        ),
        "{}",
        result.output
    );
    assert_drift_report(&drift.summary);
    assert!(
        !drift.summary.contains("entra_named_location.hq`"),
        "{}",
        drift.summary
    );
    let calls = machine.gh_calls();
    assert!(calls.contains("gh label create drift"), "{calls}");
    assert!(calls.contains("gh issue create --title Entra drift detected in infra/entra --label drift --body-file issue.md"), "{calls}");
    assert!(
        calls.contains("| update | `entra_authentication_context.tier0` |"),
        "{calls}"
    );

    // The next run with the issue still open comments on it instead of opening another.
    machine.open_issue(Some(17));
    std::fs::remove_file(machine.root.path().join("gh-calls")).unwrap();
    let again = run(vars);
    assert!(!again.succeeded);
    let calls = machine.gh_calls();
    assert!(
        calls.contains("gh issue comment 17 --body-file issue.md"),
        "{calls}"
    );
    assert!(!calls.contains("gh issue create"), "{calls}");

    // Drift undone: the job passes and closes the issue.
    rename_context(sim, "Tier 0 admin actions");
    std::fs::remove_file(machine.root.path().join("gh-calls")).unwrap();
    let undone = run(vars);
    assert!(undone.succeeded, "{}", undone.output());
    assert!(machine.gh_calls().contains("gh issue close 17 --comment No drift in run https://github.com/example-org/entra-config/actions/runs/4242."), "{}", machine.gh_calls());
    machine.open_issue(None);

    // A federated credential for another application: the check itself fails (exit 1), the
    // job fails saying so, and no drift issue is touched.
    std::fs::remove_file(machine.root.path().join("gh-calls")).unwrap();
    let mut wrong = vars.clone();
    wrong.insert(
        "AZURE_CLIENT_ID",
        "99999999-9999-4999-8999-999999999999".into(),
    );
    let failed = run(&wrong);
    assert!(!failed.succeeded);
    assert!(
        failed
            .summary
            .contains("**The plan failed** (exit 1): drift could not be checked."),
        "{}",
        failed.summary
    );
    let result = failed.ran("Result").expect("the result step runs");
    assert!(
        result
            .output
            .contains("::error title=Drift check failed::terraform plan exited with 1"),
        "{}",
        result.output
    );
    assert_eq!(machine.gh_calls(), "");
}

#[test]
fn the_github_plan_workflow_comments_the_plan_once_and_keeps_the_comment_current() {
    let repo = GithubRepo::new();
    let (sim, tf, machine) = (&repo.sim, &repo.tf, &repo.machine);
    let workflow = ci_file("github-actions/plan.yml");
    let run = |head_repo: &str| {
        repo.run(
            &workflow,
            "plan",
            &repo.vars,
            &Trigger::pull_request_from(head_repo),
        )
    };
    let comments = || machine.github()["comments"].as_array().unwrap().clone();

    // The pull request renames the context: the plan shows the change in a new comment, and
    // nothing is written to the tenant.
    tf.config(&CONFIG.replace("Tier 0 admin actions", "Tier 0 administration"));
    sim.sim().reset_stats();
    let changed = run(REPOSITORY);
    assert!(changed.succeeded, "{}", changed.output());
    assert_eq!(sim.write_requests(), 0, "{}", sim.sim().stats());
    let first = comments();
    assert_eq!(first.len(), 1, "{first:?}");
    assert_contains_all(
        first[0]["body"].as_str().unwrap(),
        &[
            "<!-- entra-terraform-plan:infra/entra -->",
            "| fmt | ✅ success |",
            "| validate | ✅ success |",
            "| plan | 📝 changes |",
            "**Plan: 0 to add, 1 to change, 0 to destroy.**",
            "<summary>Show plan</summary>",
            "\"Tier 0 admin actions\" -> \"Tier 0 administration\"",
            "*Commit 0123456, [workflow run](https://github.com/example-org/entra-config/actions/runs/4242).*",
        ],
    );

    // The next push undoes the rename but is not formatted: the same comment now says so, and
    // the job fails.
    tf.config(&CONFIG.replace("context_id   = ", "context_id = "));
    let unformatted = run(REPOSITORY);
    assert!(!unformatted.succeeded, "{}", unformatted.output());
    let second = comments();
    assert_eq!(second.len(), 1, "updated, not posted again: {second:?}");
    assert_contains_all(
        second[0]["body"].as_str().unwrap(),
        &[
            "| fmt | ❌ failure |",
            "<summary>terraform fmt -check</summary>",
            "| plan | ✅ no changes |",
        ],
    );
    let calls = machine.github()["calls"].clone();
    assert_eq!(
        calls.as_array().unwrap().last().unwrap()[0],
        "updateComment"
    );
    let last = unformatted.steps.last().unwrap();
    assert_eq!(last.name, "Fail on fmt, validate or plan errors");
    assert_contains_all(&last.output, &["::error title=terraform fmt::"]);

    // An invalid configuration: no plan; the comment shows why.
    tf.config(&CONFIG.replace(
        "is_available = true",
        "is_available = true\n  colour       = \"red\"",
    ));
    let invalid = run(REPOSITORY);
    assert!(!invalid.succeeded);
    assert!(invalid.ran("terraform plan").is_none());
    assert_contains_all(
        comments()[0]["body"].as_str().unwrap(),
        &[
            "| validate | ❌ failure |",
            "| plan | ⏭️ not run |",
            "Unsupported argument",
        ],
    );
    assert_contains_all(
        &invalid.steps.last().unwrap().output,
        &["::error title=terraform validate::"],
    );

    // A pull request from a fork gets no OIDC token: the job does not run.
    assert!(run("someone/entra-config-fork").steps.is_empty());
    assert_eq!(comments().len(), 1);
}

fn context_name(sim: &Sim) -> String {
    let (status, body) = sim.graph("GET", CONTEXT, None);
    assert_eq!(status, 200, "{body}");
    body["displayName"].as_str().unwrap().to_string()
}

#[test]
fn the_github_apply_workflow_applies_exactly_the_plan_it_showed() {
    let repo = GithubRepo::new();
    let (sim, tf) = (&repo.sim, &repo.tf);
    let workflow = ci_file("github-actions/apply.yml");
    let plan_job = || repo.run(&workflow, "plan", &repo.vars, &Trigger::default());
    // The apply job, once the environment's reviewers approved (only GitHub can ask them).
    let apply_job = |plan: &JobRun| {
        let trigger = Trigger {
            needs: BTreeMap::from([("plan".to_string(), plan.outputs.clone())]),
            ..Trigger::default()
        };
        repo.run(&workflow, "apply", &repo.vars, &trigger)
    };

    // A merged rename: the plan job shows it and keeps the plan, changing nothing; the apply
    // job applies that plan.
    tf.config(&CONFIG.replace("Tier 0 admin actions", "Tier 0 administration"));
    let plan = plan_job();
    assert!(plan.succeeded, "{}", plan.output());
    assert_eq!(plan.outputs["changes"], "1");
    assert_contains_all(
        &plan.summary,
        &[
            "## Plan for `infra/entra` at 0123456",
            "Approve the `production` deployment to apply exactly this plan.",
            "\"Tier 0 admin actions\" -> \"Tier 0 administration\"",
        ],
    );
    assert_eq!(context_name(sim), "Tier 0 admin actions");
    let apply = apply_job(&plan);
    assert!(apply.succeeded, "{}", apply.output());
    let applied = &apply.ran("terraform apply").unwrap().output;
    assert!(
        applied.contains("Apply complete! Resources: 0 added, 1 changed, 0 destroyed."),
        "{applied}"
    );
    assert_eq!(context_name(sim), "Tier 0 administration");
    tf.assert_clean_plan();

    // Nothing to apply: the plan job says so and keeps no plan; the apply job does not run.
    let plan = plan_job();
    assert!(plan.succeeded, "{}", plan.output());
    assert_eq!(plan.outputs["changes"], "0");
    assert!(
        plan.summary.contains("No changes: nothing to apply."),
        "{}",
        plan.summary
    );
    assert!(apply_job(&plan).steps.is_empty());

    // Another apply ran between the plan and its approval: Terraform refuses the stale plan,
    // and the tenant keeps what the other apply wrote.
    tf.config(&CONFIG.replace("Tier 0 admin actions", "Tier 0 reviewed"));
    let plan = plan_job();
    assert_eq!(plan.outputs["changes"], "1");
    tf.config(&CONFIG.replace("Tier 0 admin actions", "Tier 0 hotfix"));
    tf.apply();
    let apply = apply_job(&plan);
    assert!(!apply.succeeded);
    let refused = &apply.ran("terraform apply").unwrap().output;
    assert!(refused.contains("Saved plan is stale"), "{refused}");
    assert_eq!(context_name(sim), "Tier 0 hotfix");
}

/// The tenant as the administrator's apply left it, and an Azure Pipelines agent whose service
/// connection signs in to it through OIDC. The agent's tool cache already holds the pinned
/// Terraform (the install step looks there first; it cannot download here).
struct AzureAgent {
    sim: Sim,
    tf: Tf,
    machine: Machine,
    request_token: String,
}

impl AzureAgent {
    fn new() -> AzureAgent {
        let sim = Sim::start();
        let (pinned, terraform) = pinned_terraform();
        let (tf, machine) = applied(&sim, &terraform);
        let cached = machine.agent().join("tools/terraform").join(pinned);
        std::fs::create_dir_all(&cached).unwrap();
        std::fs::copy(machine.tools.join("terraform"), cached.join("terraform")).unwrap();
        std::fs::create_dir_all(machine.agent().join("temp")).unwrap();
        let request_token = sim.sim().oidc_request_token().to_string();
        AzureAgent {
            sim,
            tf,
            machine,
            request_token,
        }
    }

    /// A run of the pipeline with the service connection's application `client_id` and these
    /// further variables; the request token must not show anywhere.
    fn run(
        &self,
        pipeline: &Json,
        client_id: &str,
        more: &[(&str, &str)],
    ) -> (JobRun, Vec<String>) {
        let i = self.sim.info();
        let agent = self.machine.agent();
        let mut variables: BTreeMap<String, String> = [
            ("TENANT_ID", i.tenant_id.as_str()),
            ("CLIENT_ID", client_id),
            (
                "Agent.ToolsDirectory",
                agent.join("tools").to_str().unwrap(),
            ),
            ("Agent.TempDirectory", agent.join("temp").to_str().unwrap()),
            ("System.AccessToken", self.request_token.as_str()),
        ]
        .iter()
        .chain(more)
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        variables
            .entry("Build.Reason".into())
            .or_insert("Schedule".into());
        // Without the wrapper in tools: the pipeline must find Terraform through its own step.
        let mut base = self.machine.base_env(&self.sim, &self.tf);
        base.insert("PATH".into(), "/usr/bin:/bin".into());
        // TF_DIR is linked into the checkout from elsewhere; git finds the checkout through this.
        let git = self.machine.workspace().join(".git");
        base.insert("GIT_DIR".into(), git.to_str().unwrap().into());
        let oidc_uri = format!("{}/_sim/ado/oidctoken", i.authority_host);
        let (run, errors) = run_azure_pipeline(pipeline, &self.machine, base, variables, &oidc_uri);
        let token = &self.request_token;
        assert!(!run.output().contains(token) && !run.summary.contains(token));
        (run, errors)
    }
}

#[test]
fn the_azure_drift_pipeline_reports_no_drift_drift_and_a_failed_check() {
    let agent = AzureAgent::new();
    let pipeline = ci_file("azure-devops/drift-pipeline.yml");
    let (sim, i) = (&agent.sim, agent.sim.info());
    let run = |client_id: &str| agent.run(&pipeline, client_id, &[]);

    let (clean, errors) = run(&i.client_id);
    assert!(clean.succeeded, "{}", clean.output());
    assert!(errors.is_empty(), "{errors:?}");
    assert!(
        clean
            .summary
            .contains("No drift: every object in the state matches the tenant."),
        "{}",
        clean.summary
    );

    rename_context(sim, "Renamed in the portal");
    let (drift, errors) = run(&i.client_id);
    assert!(!drift.succeeded, "{}", drift.output());
    assert_eq!(
        errors,
        [
            "Drift: entra_authentication_context.tier0 (update)",
            "Objects in infra/entra changed outside Terraform: see the drift report on the run summary."
        ]
    );
    assert_drift_report(&drift.summary);

    rename_context(sim, "Tier 0 admin actions");
    let (failed, errors) = run("99999999-9999-4999-8999-999999999999");
    assert!(!failed.succeeded);
    assert_eq!(
        errors,
        ["terraform plan exited with 1: drift could not be checked."]
    );
    assert!(
        failed.summary.contains("**The plan failed** (exit 1)"),
        "{}",
        failed.summary
    );
}

/// Azure DevOps' pull request threads API, as far as the plan pipeline uses it, in a python3
/// process: it lists, creates and edits threads, insists on the job's access token, and records
/// the threads and requests in a file.
struct FakeAzureDevOps {
    child: std::process::Child,
    state: tempfile::NamedTempFile,
    collection_uri: String,
}

const FAKE_AZURE_DEVOPS: &str = r#"
import json, re, sys
from http.server import ThreadingHTTPServer, BaseHTTPRequestHandler
state_file, token = sys.argv[1], sys.argv[2]
state = {"threads": [], "requests": []}
THREADS = r"/org/proj/_apis/git/repositories/repo/pullRequests/12/threads(?:/(\d+)/comments/(\d+))?"

def save():
    with open(state_file, "w") as f:
        json.dump(state, f)

class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def reply(self, code, body):
        save()
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def answer(self, method):
        path, _, query = self.path.partition("?")
        state["requests"].append(method + " " + path)
        if self.headers.get("Authorization") != "Bearer " + token:
            return self.reply(401, {"message": "TF400813: the user is not authorized"})
        if "api-version=7.1" not in query:
            return self.reply(400, {"message": "api-version is required"})
        size = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(size)) if size else None
        m = re.fullmatch(THREADS, path)
        if not m:
            return self.reply(404, {"message": "no such resource: " + path})
        if method == "GET" and not m.group(1):
            return self.reply(200, {"value": state["threads"], "count": len(state["threads"])})
        if method == "POST" and not m.group(1):
            comments = [dict(c, id=i + 1) for i, c in enumerate(body["comments"])]
            thread = {"id": len(state["threads"]) + 1, "status": body["status"], "isDeleted": False, "comments": comments}
            state["threads"].append(thread)
            return self.reply(200, thread)
        if method == "PATCH" and m.group(1):
            thread = next(t for t in state["threads"] if t["id"] == int(m.group(1)))
            comment = next(c for c in thread["comments"] if c["id"] == int(m.group(2)))
            comment["content"] = body["content"]
            return self.reply(200, comment)
        return self.reply(405, {"message": "method not allowed"})

    def do_GET(self):
        self.answer("GET")

    def do_POST(self):
        self.answer("POST")

    def do_PATCH(self):
        self.answer("PATCH")

server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
save()
print(server.server_address[1], flush=True)
server.serve_forever()
"#;

impl FakeAzureDevOps {
    fn start(token: &str) -> FakeAzureDevOps {
        use std::io::BufRead;
        let state = tempfile::NamedTempFile::new().unwrap();
        let mut child = Command::new("python3")
            .args(["-c", FAKE_AZURE_DEVOPS])
            .arg(state.path())
            .arg(token)
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("python3 runs");
        let mut port = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut port)
            .unwrap();
        let port: u16 = port.trim().parse().expect("the fake prints its port");
        FakeAzureDevOps {
            child,
            state,
            collection_uri: format!("http://127.0.0.1:{port}/org/"),
        }
    }

    /// `threads` and `requests` as recorded.
    fn state(&self) -> Json {
        serde_json::from_str(&std::fs::read_to_string(self.state.path()).unwrap()).unwrap()
    }

    /// The first comment of each thread.
    fn comments(&self) -> Vec<String> {
        let state = self.state();
        state["threads"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["comments"][0]["content"].as_str().unwrap().to_string())
            .collect()
    }
}

impl Drop for FakeAzureDevOps {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn the_azure_plan_pipeline_posts_the_plan_once_and_keeps_it_current() {
    let agent = AzureAgent::new();
    let ado = FakeAzureDevOps::start(&agent.request_token);
    let pipeline = ci_file("azure-devops/plan-pipeline.yml");
    let (sim, tf) = (&agent.sim, &agent.tf);
    let run = |reason: &str| {
        let pull_request = [
            ("Build.Reason", reason),
            ("System.CollectionUri", ado.collection_uri.as_str()),
            ("System.TeamProjectId", "proj"),
            ("Build.Repository.ID", "repo"),
            ("System.PullRequest.PullRequestId", "12"),
            ("Build.BuildId", "77"),
            ("Build.BuildNumber", "20261123.1"),
        ];
        agent.run(&pipeline, &sim.info().client_id, &pull_request)
    };

    // The pull request renames the context: one thread with the plan, closed (informational),
    // and nothing written to the tenant.
    tf.config(&CONFIG.replace("Tier 0 admin actions", "Tier 0 administration"));
    sim.sim().reset_stats();
    let (changed, errors) = run("PullRequest");
    assert!(changed.succeeded, "{}", changed.output());
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(sim.write_requests(), 0, "{}", sim.sim().stats());
    assert_eq!(ado.state()["threads"][0]["status"], 4);
    let comments = ado.comments();
    assert_eq!(comments.len(), 1);
    assert_contains_all(
        &comments[0],
        &[
            "<!-- entra-terraform-plan:infra/entra -->",
            "| fmt | succeeded |",
            "| validate | succeeded |",
            "| plan | changes |",
            "**Plan: 0 to add, 1 to change, 0 to destroy.**",
            "\"Tier 0 admin actions\" -> \"Tier 0 administration\"",
            &format!(
                "[build 20261123.1]({}proj/_build/results?buildId=77)",
                ado.collection_uri
            ),
        ],
    );

    // The next push undoes the rename but is not formatted: the same thread is edited, and the
    // run fails saying why.
    tf.config(&CONFIG.replace("context_id   = ", "context_id = "));
    let (unformatted, errors) = run("PullRequest");
    assert!(!unformatted.succeeded);
    assert_eq!(
        errors,
        ["terraform fmt -check failed: run 'terraform fmt -recursive' and push again."]
    );
    let comments = ado.comments();
    assert_eq!(comments.len(), 1, "edited, not posted again");
    assert_contains_all(&comments[0], &["| fmt | failed |", "| plan | no changes |"]);
    let requests = ado.state()["requests"].to_string();
    assert!(
        requests.contains(
            "PATCH /org/proj/_apis/git/repositories/repo/pullRequests/12/threads/1/comments/1"
        ),
        "{requests}"
    );

    // An invalid configuration: no plan; the thread shows why.
    tf.config(&CONFIG.replace(
        "is_available = true",
        "is_available = true\n  colour       = \"red\"",
    ));
    let (invalid, errors) = run("PullRequest");
    assert!(!invalid.succeeded);
    assert!(invalid.ran("terraform plan").is_none());
    assert_eq!(
        errors,
        [
            "terraform init -backend=false or validate failed.",
            "terraform plan failed (exit not run)."
        ]
    );
    assert_contains_all(
        &ado.comments()[0],
        &[
            "| validate | failed |",
            "| plan | not run |",
            "Unsupported argument",
        ],
    );

    // Run by hand rather than for a pull request: nothing is posted.
    tf.config(CONFIG);
    let before = ado.state()["requests"].as_array().unwrap().len();
    let (manual, errors) = run("Manual");
    assert!(manual.succeeded, "{}", manual.output());
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(ado.state()["requests"].as_array().unwrap().len(), before);
}
