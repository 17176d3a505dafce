//! End-to-end harness: the real `terraform` CLI, our provider binary through `dev_overrides`,
//! and the Graph simulator running in this test process.
//!
//! Which Terraform binaries run is set by `ENTRA_TEST_TERRAFORM` (a `:`-separated list of paths
//! or names); by default `terraform` from PATH. A binary that cannot be run fails the test: the
//! end-to-end suite never skips.

#![allow(dead_code)] // each test file uses a different part of the harness

pub mod corpus;
pub mod fleet;
pub mod tenant;

use entra_graph_sim::{SimInfo, SimOptions, SimSecrets, Simulator};
use serde_json::Value as Json;
use std::path::{Path, PathBuf};
use std::process::Command;

pub const PROVIDER_HEADER: &str = r#"
terraform {
  required_providers {
    entra = { source = "entra-iac/entra" }
  }
}
"#;

/// The Terraform binaries to test with, each checked to run.
pub fn terraform_binaries() -> Vec<PathBuf> {
    let list = std::env::var("ENTRA_TEST_TERRAFORM").unwrap_or_else(|_| "terraform".into());
    list.split(':')
        .filter(|s| !s.is_empty())
        .map(|s| {
            let bin = PathBuf::from(s);
            let out = Command::new(&bin)
                .arg("version")
                .env("CHECKPOINT_DISABLE", "1")
                .output();
            match out {
                Ok(o) if o.status.success() => bin,
                Ok(o) => panic!(
                    "{} version failed: {}",
                    bin.display(),
                    String::from_utf8_lossy(&o.stderr)
                ),
                Err(e) => panic!(
                    "cannot run Terraform binary {}: {e} (set ENTRA_TEST_TERRAFORM)",
                    bin.display()
                ),
            }
        })
        .collect()
}

/// The binaries under test at `min` (major, minor) or later, for features older Terraform
/// lacks (check blocks 1.5, provider functions 1.8). At least one must qualify: the test then
/// runs on every binary that can, and never silently on none.
pub fn terraform_binaries_since(min: (u32, u32)) -> Vec<PathBuf> {
    let found: Vec<PathBuf> = terraform_binaries()
        .into_iter()
        .filter(|bin| {
            let out = Command::new(bin)
                .args(["version", "-json"])
                .env("CHECKPOINT_DISABLE", "1")
                .output()
                .unwrap();
            let v: Json = serde_json::from_slice(&out.stdout).unwrap_or_default();
            let version = v["terraform_version"]
                .as_str()
                .unwrap_or("0.0.0")
                .to_string();
            let mut parts = version.split('.').map(|p| p.parse::<u32>().unwrap_or(0));
            (parts.next().unwrap_or(0), parts.next().unwrap_or(0)) >= min
        })
        .collect();
    assert!(
        !found.is_empty(),
        "this test needs Terraform >= {}.{} among ENTRA_TEST_TERRAFORM",
        min.0,
        min.1
    );
    found
}

/// Writes into a simulator seed directory the objects a configuration refers to: named
/// locations (country locations) and published authentication contexts, with these ids.
pub fn write_tenant_objects(seed: &Path, named_locations: &[String], auth_contexts: &[String]) {
    let write = |folder: &str, id: &str, object: Json| {
        let dir = seed.join(folder);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(format!("{id}.json")), object.to_string()).unwrap();
    };
    for id in named_locations {
        let location = serde_json::json!({
            "@odata.type": "#microsoft.graph.countryNamedLocation",
            "id": id,
            "displayName": format!("Seeded location {id}"),
            "countriesAndRegions": ["NL"],
        });
        write("named-locations", id, location);
    }
    for id in auth_contexts {
        let context = serde_json::json!({
            "id": id,
            "displayName": format!("Seeded context {id}"),
            "isAvailable": true,
        });
        write("auth-contexts", id, context);
    }
}

/// `Terraform v1.11.4` for a binary: the first line of `terraform version`.
pub fn terraform_version(bin: &Path) -> String {
    let out = Command::new(bin)
        .arg("version")
        .env("CHECKPOINT_DISABLE", "1")
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .next()
        .unwrap_or_default()
        .to_string()
}

/// Runs `f` on every item with `workers` threads, each with its own `setup()` (a simulator and
/// working directory, say); results in the items' order.
pub fn in_parallel<I: Sync, S, T: Send>(
    items: &[I],
    workers: usize,
    setup: impl Fn() -> S + Sync,
    f: impl Fn(&S, &I) -> T + Sync,
) -> Vec<T> {
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| {
                let own = setup();
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    let Some(item) = items.get(i) else { break };
                    let r = f(&own, item);
                    results.lock().unwrap().push((i, r));
                }
            });
        }
    });
    let mut results = results.into_inner().unwrap();
    results.sort_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, r)| r).collect()
}

/// Graph's clock in the end-to-end tests, unless a test sets its own: ten times faster than
/// real time. The provider gets the same factor (`ENTRA_TIME_SCALE`), so its rate budget,
/// retries and replication waits keep their proportions to the simulator's (docs/testing.md).
pub const TIME_SCALE: f64 = 0.1;

/// The simulator on its own runtime, so tests can block on `terraform` while it serves.
pub struct Sim {
    rt: tokio::runtime::Runtime,
    sim: Option<Simulator>,
    http: reqwest::Client,
    /// The simulator's time scale, handed to the provider so that its waits match.
    time_scale: f64,
}

impl Sim {
    pub fn start() -> Sim {
        Sim::start_with(SimOptions::default())
    }

    pub fn start_with(opts: SimOptions) -> Sim {
        Sim::start_with_secrets(opts, SimSecrets::default())
    }

    /// Like `start_with`, with chosen OIDC request token and managed identity header.
    pub fn start_with_secrets(mut opts: SimOptions, secrets: SimSecrets) -> Sim {
        let time_scale = *opts.time_scale.get_or_insert(TIME_SCALE);
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let sim = rt
            .block_on(Simulator::start_with_secrets(opts, secrets))
            .expect("simulator starts");
        let ca = reqwest::Certificate::from_pem(sim.ca_pem().as_bytes()).unwrap();
        let http = reqwest::Client::builder()
            .tls_certs_only([ca])
            .build()
            .unwrap();
        Sim {
            rt,
            sim: Some(sim),
            http,
            time_scale,
        }
    }

    /// A simulator whose tenant already holds the objects a configuration refers to, with these
    /// ids: named locations (country locations) and published authentication contexts. Graph
    /// refuses policies that name a location or context the tenant lacks, and the ids of named
    /// locations cannot be chosen through the API, so they are seeded.
    pub fn start_with_tenant_objects(named_locations: &[String], auth_contexts: &[String]) -> Sim {
        let seed = tempfile::tempdir().unwrap();
        write_tenant_objects(seed.path(), named_locations, auth_contexts);
        Sim::start_with(SimOptions {
            seed_dir: Some(seed.path().to_path_buf()),
            ..SimOptions::default()
        })
    }

    pub fn sim(&self) -> &Simulator {
        self.sim.as_ref().unwrap()
    }

    pub fn info(&self) -> &SimInfo {
        self.sim().info()
    }

    /// `ms` of Graph's time (a consistency lag, say) on this simulator's clock.
    pub fn scaled(&self, ms: u64) -> std::time::Duration {
        std::time::Duration::from_millis(ms).mul_f64(self.time_scale)
    }

    pub fn block_on<F: std::future::Future>(&self, f: F) -> F::Output {
        self.rt.block_on(f)
    }

    /// A Graph call as an administrator in the portal would make it (its own app token, every
    /// enum member shown). It is the test looking, so the simulator's faults leave it alone.
    pub fn graph(&self, method: &str, path: &str, body: Option<Json>) -> (u16, Json) {
        let url = format!("{}{}", self.info().graph_endpoint, path);
        let token = self.sim().mint_app_token();
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        self.rt.block_on(async {
            let mut req = self
                .http
                .request(method, url)
                .bearer_auth(token)
                .header("prefer", "include-unknown-enum-members")
                .header(entra_graph_sim::OBSERVER_HEADER, "1");
            if let Some(b) = body {
                req = req.json(&b);
            }
            let resp = req.send().await.expect("graph call");
            let status = resp.status().as_u16();
            let bytes = resp.bytes().await.unwrap();
            (status, serde_json::from_slice(&bytes).unwrap_or(Json::Null))
        })
    }

    /// Graph requests counted since the last reset, in total.
    pub fn graph_requests(&self) -> u64 {
        self.sim().stats()["total"].as_u64().unwrap()
    }

    /// Write requests (anything but GET) counted since the last reset.
    pub fn write_requests(&self) -> u64 {
        let stats = self.sim().stats();
        stats["requests"]
            .as_object()
            .unwrap()
            .iter()
            .filter(|(k, _)| !k.starts_with("GET"))
            .map(|(_, n)| n.as_u64().unwrap())
            .sum()
    }

    /// Environment for the provider: our simulator's hosts, CA and client secret.
    pub fn provider_env(&self) -> Vec<(String, String)> {
        let i = self.info();
        vec![
            ("SSL_CERT_FILE".into(), i.ca_file.clone()),
            ("ENTRA_GRAPH_ENDPOINT".into(), i.graph_endpoint.clone()),
            ("ENTRA_AUTHORITY_HOST".into(), i.authority_host.clone()),
            ("ARM_TENANT_ID".into(), i.tenant_id.clone()),
            ("ARM_CLIENT_ID".into(), i.client_id.clone()),
            ("ARM_CLIENT_SECRET".into(), i.client_secret.clone()),
            ("ENTRA_TIME_SCALE".into(), self.time_scale.to_string()),
        ]
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        if let Some(sim) = self.sim.take() {
            self.rt.block_on(sim.shutdown());
        }
    }
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn text(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }

    /// stdout and stderr with Terraform's line wrapping and box drawing undone, for matching
    /// messages that span lines.
    pub fn flat(&self) -> String {
        self.text()
            .replace('│', " ")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// A Terraform working directory wired to our provider binary.
pub struct Tf {
    pub bin: PathBuf,
    pub dir: tempfile::TempDir,
    env: Vec<(String, String)>,
}

impl Tf {
    pub fn new(bin: &Path, env: Vec<(String, String)>) -> Tf {
        let dir = tempfile::tempdir().unwrap();
        let provider_dir = Path::new(env!("CARGO_BIN_EXE_terraform-provider-entra"))
            .parent()
            .unwrap();
        let cli = format!(
            "provider_installation {{\n  dev_overrides {{\n    \"registry.terraform.io/entra-iac/entra\" = \"{}\"\n  }}\n  direct {{}}\n}}\n",
            provider_dir.display()
        );
        std::fs::write(dir.path().join("cli.tfrc"), cli).unwrap();
        Tf {
            bin: bin.to_path_buf(),
            dir,
            env,
        }
    }

    /// Replaces the configuration (`main.tf`) with the provider header plus `body`.
    pub fn config(&self, body: &str) {
        std::fs::write(
            self.dir.path().join("main.tf"),
            format!("{PROVIDER_HEADER}\nprovider \"entra\" {{}}\n{body}"),
        )
        .unwrap();
    }

    /// Replaces the whole configuration, provider block included.
    pub fn raw_config(&self, text: &str) {
        std::fs::write(self.dir.path().join("main.tf"), text).unwrap();
    }

    pub fn run(&self, args: &[&str]) -> Run {
        let out = self.command(args).output().expect("terraform runs");
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// `terraform` with these arguments in this directory, not started yet.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(&self.bin);
        cmd.args(args).current_dir(self.dir.path());
        // A clean environment for the provider: no stray credentials from the machine running
        // the tests, no log noise.
        for (k, _) in std::env::vars() {
            if k.starts_with("ARM_")
                || k.starts_with("TF_")
                || k.starts_with("ENTRA_")
                || k.starts_with("ACTIONS_ID_TOKEN")
                || k == "IDENTITY_ENDPOINT"
                || k == "IDENTITY_HEADER"
            {
                cmd.env_remove(k);
            }
        }
        cmd.env("TF_CLI_CONFIG_FILE", self.dir.path().join("cli.tfrc"))
            .env("CHECKPOINT_DISABLE", "1")
            .env("TF_IN_AUTOMATION", "1");
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        cmd
    }

    /// Runs and insists on success.
    pub fn ok(&self, args: &[&str]) -> Run {
        let r = self.run(args);
        assert_eq!(
            r.code,
            0,
            "terraform {} failed ({}):\n{}",
            args.join(" "),
            self.bin.display(),
            r.text()
        );
        r
    }

    pub fn apply(&self) -> Run {
        self.ok(&["apply", "-auto-approve", "-no-color", "-input=false"])
    }

    pub fn destroy(&self) -> Run {
        self.ok(&["destroy", "-auto-approve", "-no-color", "-input=false"])
    }

    /// `terraform plan -detailed-exitcode` (0 clean, 2 changes), plus extra flags.
    pub fn plan_code(&self, extra: &[&str]) -> Run {
        let mut args = vec!["plan", "-detailed-exitcode", "-no-color", "-input=false"];
        args.extend_from_slice(extra);
        self.run(&args)
    }

    pub fn assert_clean_plan(&self) {
        let r = self.plan_code(&[]);
        assert_eq!(
            r.code,
            0,
            "expected a clean plan with {}:\n{}",
            self.bin.display(),
            r.text()
        );
    }

    pub fn assert_drift(&self) -> Run {
        let r = self.plan_code(&["-refresh-only"]);
        assert_eq!(
            r.code,
            2,
            "expected drift (exit 2) with {}:\n{}",
            self.bin.display(),
            r.text()
        );
        r
    }

    pub fn state_list(&self) -> Vec<String> {
        let r = self.run(&["state", "list"]);
        r.stdout
            .lines()
            .map(str::to_string)
            .filter(|l| !l.is_empty())
            .collect()
    }

    /// An attribute of a resource in the state, by address (`terraform show -json`).
    pub fn attr(&self, address: &str, name: &str) -> Json {
        let show: Json = serde_json::from_str(&self.ok(&["show", "-json"]).stdout).unwrap();
        let resources = show["values"]["root_module"]["resources"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        resources
            .iter()
            .find(|r| r["address"] == address)
            .map(|r| r["values"][name].clone())
            .unwrap_or_else(|| panic!("{address} is not in the state"))
    }

    pub fn outputs(&self) -> Json {
        serde_json::from_str(&self.ok(&["output", "-json"]).stdout).unwrap()
    }
}

/// A made-up but stable GUID for a fixture: the same key gives the same GUID in every run and
/// every test (e.g. one group id per corpus placeholder). Two FNV-1a hashes, each mixed with
/// splitmix64's finaliser so that similar keys give dissimilar GUIDs, shaped as a v4 GUID.
pub fn made_up_guid(key: &str) -> String {
    let hash = |basis: u64| {
        let h = key.bytes().fold(basis, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
        });
        let h = (h ^ (h >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        let h = (h ^ (h >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        h ^ (h >> 31)
    };
    let n = u128::from(hash(0xcbf2_9ce4_8422_2325)) << 64 | u128::from(hash(0x8422_2325_cbf2_9ce4));
    // Version 4 in the third group, RFC 4122 variant in the fourth.
    let n = (n & !(0xf << 76) & !(0x3 << 62)) | (0x4 << 76) | (0x2 << 62);
    let h = format!("{n:032x}");
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}
