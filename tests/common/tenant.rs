//! The acceptance harness: a Graph tenant reached only through the provider's ordinary
//! settings, never through the simulator's own endpoints or API.
//!
//! With `ENTRA_ACCEPTANCE=1` the tenant is the one the environment names (`ARM_TENANT_ID`,
//! `ARM_CLIENT_ID`, `ARM_CLIENT_SECRET`, and `ENTRA_GRAPH_ENDPOINT` / `ENTRA_AUTHORITY_HOST` for
//! another cloud or a stand-in): a maintainer's development tenant, or the simulator binary that
//! `scripts/acceptance.sh` starts as a separate process. Without it, the harness starts that
//! binary itself, the same way, so that `cargo test` runs these tests anywhere.
//!
//! Every object a test creates carries the run's prefix (`tfacc-<random>-`) in its display
//! name; the tests destroy what they made, and whatever a failed test leaves is deleted by
//! `terraform-provider-entra sweep --prefix` when the tenant is dropped.

use super::Tf;
use serde_json::Value as Json;
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long a test-side read waits for Graph's replication (or its throttling) to let it see
/// what it expects. Real Graph usually takes seconds; this bounds a hung test.
const PATIENCE: Duration = Duration::from_secs(180);

/// The simulator binary's settings when it stands in for a tenant: Graph's real rate limit and
/// a replication lag, on a clock ten times faster (matched by the provider through
/// `ENTRA_TIME_SCALE`). Kept in step with scripts/acceptance.sh.
const SIM_ARGS: [&str; 6] = [
    "--ca-rate-limit",
    "1",
    "--consistency-lag-ms",
    "2000",
    "--time-scale",
    "0.1",
];

pub struct Tenant {
    rt: tokio::runtime::Runtime,
    http: reqwest::Client,
    /// The environment the provider gets, as a user's pipeline would set it.
    env: Vec<(String, String)>,
    graph_endpoint: String,
    token_url: String,
    client_id: String,
    client_secret: String,
    token: Mutex<Option<(String, Instant)>>,
    /// What every display name of this run starts with.
    pub prefix: String,
    /// Object ids of a user and a group of the tenant, for policies and PIM approvers.
    pub user_id: String,
    pub group_id: String,
    /// The simulator binary, when the harness started it.
    sim: Option<Child>,
}

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

impl Tenant {
    /// The tenant the environment names, or a simulator binary started for this test.
    pub fn from_environment() -> Tenant {
        if var("ENTRA_ACCEPTANCE").as_deref() == Some("1") {
            let env: Vec<(String, String)> = std::env::vars()
                .filter(|(k, _)| {
                    let provider = k.starts_with("ARM_") || k.starts_with("ENTRA_");
                    (provider && !k.starts_with("ENTRA_ACCEPTANCE")) || k == "SSL_CERT_FILE"
                })
                .collect();
            Tenant::new(env, None)
        } else {
            let (info, child) = start_simulator_binary();
            let text = |k: &str| info[k].as_str().unwrap().to_string();
            let env = vec![
                ("ARM_TENANT_ID".into(), text("tenant_id")),
                ("ARM_CLIENT_ID".into(), text("client_id")),
                ("ARM_CLIENT_SECRET".into(), text("client_secret")),
                ("ENTRA_GRAPH_ENDPOINT".into(), text("graph_endpoint")),
                ("ENTRA_AUTHORITY_HOST".into(), text("authority_host")),
                ("SSL_CERT_FILE".into(), text("ca_file")),
                ("ENTRA_TIME_SCALE".into(), SIM_ARGS[5].into()),
            ];
            Tenant::new(env, Some(child))
        }
    }

    fn new(env: Vec<(String, String)>, sim: Option<Child>) -> Tenant {
        let get = |k: &str| env.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
        let need = |k: &str| {
            get(k).unwrap_or_else(|| {
                panic!("ENTRA_ACCEPTANCE=1 needs {k}: the tests sign in for their own checks with a client secret (docs/testing.md)")
            })
        };
        let tenant_id = need("ARM_TENANT_ID");
        let graph_endpoint = get("ENTRA_GRAPH_ENDPOINT")
            .unwrap_or_else(|| "https://graph.microsoft.com".into())
            .trim_end_matches('/')
            .to_string();
        let authority = get("ENTRA_AUTHORITY_HOST")
            .unwrap_or_else(|| "https://login.microsoftonline.com".into())
            .trim_end_matches('/')
            .to_string();
        let mut builder = reqwest::Client::builder().timeout(Duration::from_secs(60));
        if let Some(file) = get("SSL_CERT_FILE") {
            let pem = std::fs::read(&file).unwrap_or_else(|e| panic!("SSL_CERT_FILE {file}: {e}"));
            builder = builder.tls_certs_merge(reqwest::Certificate::from_pem_bundle(&pem).unwrap());
        }
        let suffix = uuid_suffix();
        Tenant {
            rt: tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap(),
            http: builder.build().unwrap(),
            token_url: format!("{authority}/{tenant_id}/oauth2/v2.0/token"),
            client_id: need("ARM_CLIENT_ID"),
            client_secret: need("ARM_CLIENT_SECRET"),
            graph_endpoint,
            token: Mutex::new(None),
            prefix: format!("tfacc-{suffix}-"),
            user_id: var("ENTRA_ACCEPTANCE_USER_ID")
                .unwrap_or_else(|| "6b1f0e2a-3c4d-4e5f-8a9b-0c1d2e3f4a5b".into()),
            group_id: var("ENTRA_ACCEPTANCE_GROUP_ID")
                .unwrap_or_else(|| "2f6d0a3b-5d0e-4a55-9a3c-6f1f2c7d8e9f".into()),
            env,
            sim,
        }
    }

    /// The provider's environment, plus the scenario variables that name tenant objects.
    pub fn provider_env(&self) -> Vec<(String, String)> {
        let mut env = self.env.clone();
        env.push((
            "TF_VAR_break_glass_account_ids".into(),
            format!("[\"{}\"]", self.user_id),
        ));
        env.push((
            "TF_VAR_pim_approvers_group_id".into(),
            self.group_id.clone(),
        ));
        env
    }

    /// A Terraform working directory on this tenant; after a failure, its drop destroys what
    /// its state holds.
    pub fn workspace(&self, bin: &Path) -> Workspace {
        Workspace {
            tf: Tf::new(bin, self.provider_env()),
            owns: true,
        }
    }

    /// A working directory that only takes over objects another one owns (by import): never
    /// destroyed, whatever happens.
    pub fn import_workspace(&self, bin: &Path) -> Workspace {
        Workspace {
            tf: Tf::new(bin, self.provider_env()),
            owns: false,
        }
    }

    /// `name` with this run's prefix.
    pub fn name(&self, name: &str) -> String {
        format!("{}{name}", self.prefix)
    }

    fn bearer(&self) -> String {
        let mut token = self.token.lock().unwrap();
        if let Some((t, at)) = token.as_ref() {
            if at.elapsed() < Duration::from_secs(30 * 60) {
                return t.clone();
            }
        }
        let form = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("client_id", &self.client_id)
            .append_pair("client_secret", &self.client_secret)
            .append_pair("grant_type", "client_credentials")
            .append_pair("scope", &format!("{}/.default", self.graph_endpoint))
            .finish();
        let answer: Json = self.rt.block_on(async {
            let resp = self
                .http
                .post(&self.token_url)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(form)
                .send()
                .await
                .expect("the token endpoint answers");
            let status = resp.status();
            let body: Json = resp.json().await.unwrap_or_default();
            // Only the error's code: the answer may echo what we sent.
            assert!(status.is_success(), "sign-in failed: {}", body["error"]);
            body
        });
        let t = answer["access_token"].as_str().unwrap().to_string();
        *token = Some((t.clone(), Instant::now()));
        t
    }

    /// One Graph request as an administrator's script would make it (every enum member shown):
    /// throttling, 5xx and broken connections are ridden out; any other answer is returned as
    /// it is.
    pub fn graph(&self, method: &str, path: &str, body: Option<&Json>) -> (u16, Json) {
        let url = format!("{}{path}", self.graph_endpoint);
        let started = Instant::now();
        let mut pause = Duration::from_millis(500);
        loop {
            let bearer = self.bearer();
            let sent = self.rt.block_on(async {
                let mut req = self
                    .http
                    .request(
                        reqwest::Method::from_bytes(method.as_bytes()).unwrap(),
                        &url,
                    )
                    .bearer_auth(bearer)
                    .header("prefer", "include-unknown-enum-members");
                if let Some(b) = body {
                    req = req.json(b);
                }
                let resp = req.send().await?;
                let status = resp.status().as_u16();
                let bytes = resp.bytes().await?;
                Ok::<_, reqwest::Error>((
                    status,
                    serde_json::from_slice(&bytes).unwrap_or_default(),
                ))
            });
            match sent {
                Ok((status, answer)) if status != 429 && status < 500 => return (status, answer),
                _ if started.elapsed() < PATIENCE => {
                    std::thread::sleep(pause);
                    pause = (pause * 2).min(Duration::from_secs(8));
                }
                Ok((status, answer)) => panic!("{method} {path}: still {status}: {answer}"),
                Err(e) => panic!("{method} {path}: {e}"),
            }
        }
    }

    /// Asks until the answer satisfies `done` (Graph replicates writes with a lag); the last
    /// answer either way.
    pub fn graph_until(&self, path: &str, done: impl Fn(u16, &Json) -> bool) -> (u16, Json) {
        let started = Instant::now();
        loop {
            let (status, body) = self.graph("GET", path, None);
            if done(status, &body) || started.elapsed() > PATIENCE {
                return (status, body);
            }
            std::thread::sleep(Duration::from_secs(1));
        }
    }

    /// A context id (`c1`..`c99`) no authentication context of the tenant has.
    pub fn free_context_id(&self) -> String {
        let (status, body) = self.graph(
            "GET",
            "/v1.0/identity/conditionalAccess/authenticationContextClassReferences",
            None,
        );
        assert_eq!(status, 200, "{body}");
        let taken: Vec<&str> = body["value"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|c| c["id"].as_str())
            .collect();
        (1..=99)
            .rev()
            .map(|n| format!("c{n}"))
            .find(|id| !taken.contains(&id.as_str()))
            .expect("a free authentication context id")
    }

    /// Display names starting with the prefix, per collection: what a test left behind.
    pub fn leftovers(&self) -> Vec<String> {
        let collections = [
            "/beta/identity/conditionalAccess/policies",
            "/v1.0/identity/conditionalAccess/namedLocations",
            "/v1.0/policies/authenticationStrengthPolicies",
            "/v1.0/identity/conditionalAccess/authenticationContextClassReferences",
        ];
        collections
            .iter()
            .flat_map(|c| {
                let (status, body) = self.graph("GET", c, None);
                assert_eq!(status, 200, "{c}: {body}");
                body["value"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default()
                    .into_iter()
                    .filter_map(|o| o["displayName"].as_str().map(str::to_string))
                    .filter(|n| n.starts_with(&self.prefix))
                    .map(move |n| format!("{c}: {n}"))
            })
            .collect()
    }

    /// Waits until Graph lists nothing of this run: every test ends with it, so a destroy
    /// that leaves something behind fails the test.
    pub fn assert_nothing_left(&self) {
        let started = Instant::now();
        loop {
            let left = self.leftovers();
            if left.is_empty() {
                return;
            }
            assert!(
                started.elapsed() < PATIENCE,
                "left in the tenant after destroy: {left:#?}"
            );
            std::thread::sleep(Duration::from_secs(2));
        }
    }

    /// `terraform-provider-entra sweep --prefix` with this run's prefix: exit code and stderr.
    pub fn sweep(&self) -> (i32, String) {
        self.provider_command(&["sweep", "--prefix", &self.prefix])
    }

    /// The provider binary's own command (`export`, `sweep`) signed in to this tenant, as a
    /// person runs it: exit code and stderr.
    pub fn provider_command(&self, args: &[&str]) -> (i32, String) {
        let out = Command::new(provider_binary())
            .args(args)
            .env_clear()
            .envs(std::env::vars().filter(|(k, _)| k == "PATH" || k == "HOME"))
            .envs(self.env.iter().cloned())
            .output()
            .expect("the provider binary runs");
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }
}

impl Drop for Tenant {
    fn drop(&mut self) {
        // After a failure, whatever the test made and could not destroy goes here.
        if std::thread::panicking() {
            let (code, text) = self.sweep();
            eprintln!("sweep after the failure (exit {code}):\n{text}");
        }
        if let Some(mut child) = self.sim.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// A Terraform working directory on the tenant; dropped after a failure, it destroys what its
/// state holds, so that a failed test cleans up as a passing one does.
pub struct Workspace {
    pub tf: Tf,
    /// Whether the objects in its state are its own to destroy.
    owns: bool,
}

impl std::ops::Deref for Workspace {
    type Target = Tf;
    fn deref(&self) -> &Tf {
        &self.tf
    }
}

impl Drop for Workspace {
    fn drop(&mut self) {
        let state = self.tf.dir.path().join("terraform.tfstate");
        if self.owns && std::thread::panicking() && state.exists() {
            let r = self
                .tf
                .run(&["destroy", "-auto-approve", "-no-color", "-input=false"]);
            eprintln!("destroy after the failure: exit {}", r.code);
        }
    }
}

pub fn provider_binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_terraform-provider-entra"))
}

/// The simulator binary beside the provider's (cargo builds the workspace's binaries into one
/// folder), started as scripts/acceptance.sh starts it; its connection details.
fn start_simulator_binary() -> (Json, Child) {
    let bin = provider_binary().parent().unwrap().join("entra-graph-sim");
    let mut child = Command::new(&bin)
        .args(SIM_ARGS)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "{}: {e} (build it: cargo build -p entra-graph-sim)",
                bin.display()
            )
        });
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    (
        serde_json::from_str(&line).expect("the simulator prints its details"),
        child,
    )
}

/// Eight hex digits that no other run is likely to have.
fn uuid_suffix() -> String {
    uuid::Uuid::new_v4().simple().to_string()[..8].to_string()
}
