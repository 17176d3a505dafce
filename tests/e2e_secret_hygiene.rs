//! Secret hygiene: with `TF_LOG=trace`, no client secret, certificate password or key, access
//! token, OIDC token or request token, managed identity header or client assertion may appear in
//! Terraform's log (which carries the provider's stderr), Terraform's output, the state or a plan
//! file. For every way of signing in, each case runs an apply that creates objects, a plan, an
//! apply Graph refuses, and a sign-in that fails, then greps every byte those runs left behind.

mod common;

use base64::engine::general_purpose::{STANDARD, URL_SAFE};
use base64::Engine;
use common::{in_parallel, terraform_binaries, terraform_version, Run, Sim, Tf, PROVIDER_HEADER};
use entra_graph_sim::{SimOptions, SimSecrets};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::Command;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    SecretEnv,
    SecretBlock,
    CertificateFile,
    CertificateInline,
    OidcToken,
    OidcTokenFile,
    OidcRequest,
    ManagedIdentity,
    AzureCli,
}

const KINDS: [Kind; 9] = [
    Kind::SecretEnv,
    Kind::SecretBlock,
    Kind::CertificateFile,
    Kind::CertificateInline,
    Kind::OidcToken,
    Kind::OidcTokenFile,
    Kind::OidcRequest,
    Kind::ManagedIdentity,
    Kind::AzureCli,
];

/// A distinctive made-up secret: a fixed prefix, so that a report says what leaked, and a random
/// tail, so that a match cannot be anything else.
fn distinctive(prefix: &str) -> String {
    format!("{prefix}-{}", uuid::Uuid::new_v4().simple())
}

/// The strings that must not appear, each with what it is.
#[derive(Default)]
struct Needles(Vec<(String, String)>);

impl Needles {
    fn add(&mut self, label: &str, value: &str) {
        assert!(value.len() >= 16, "{label} is too short to grep for");
        if !self.0.iter().any(|(_, v)| v == value) {
            self.0.push((label.to_string(), value.to_string()));
        }
    }

    /// The secret, its URL-encoded form (how it travels in the token request body) and the
    /// parts of its base64 encodings that do not depend on neighbouring bytes, at each of the
    /// three alignments, standard and URL-safe (HTTP Basic auth, say, encodes `id:secret`).
    fn add_with_encodings(&mut self, label: &str, secret: &str) {
        self.add(label, secret);
        let url: String = url::form_urlencoded::byte_serialize(secret.as_bytes()).collect();
        if url != secret {
            self.add(&format!("{label} (URL-encoded)"), &url);
            self.add(&format!("{label} (URL-encoded)"), &url.to_lowercase());
        }
        for (name, engine) in [("base64", STANDARD), ("base64url", URL_SAFE)] {
            for offset in 0..3 {
                let mut bytes = vec![0u8; offset];
                bytes.extend_from_slice(secret.as_bytes());
                let encoded = engine.encode(&bytes);
                let start = if offset > 0 { 4 } else { 0 };
                let end = bytes.len() / 3 * 4;
                self.add(
                    &format!("{label} ({name}, offset {offset})"),
                    &encoded[start..end],
                );
            }
        }
    }

    /// Every 40-character window of a long value (a PKCS#12 bundle, a key): logging any part
    /// of it is a leak.
    fn add_windows(&mut self, label: &str, value: &str) {
        let mut i = 0;
        while i + 40 <= value.len() {
            self.add(
                &format!("{label} (chars {i}..{})", i + 40),
                &value[i..i + 40],
            );
            i += 40;
        }
        if value.len() > 40 {
            self.add(
                &format!("{label} (last 40 chars)"),
                &value[value.len() - 40..],
            );
        }
    }

    /// A JWT, and its signature alone (a log that shows the token in pieces still leaks it).
    fn add_jwt(&mut self, label: &str, jwt: &str) {
        self.add(label, jwt);
        if let Some(sig) = jwt.rsplit('.').next() {
            self.add(&format!("{label} (signature)"), sig);
        }
    }
}

/// Every byte a case left behind that a reader of logs, output, state or plan could see.
#[derive(Default)]
struct Evidence(Vec<(String, String)>);

impl Evidence {
    fn run(&mut self, what: &str, r: &Run) {
        self.0.push((format!("stdout of {what}"), r.stdout.clone()));
        self.0.push((format!("stderr of {what}"), r.stderr.clone()));
    }

    fn file(&mut self, path: &Path) {
        let bytes = std::fs::read(path).unwrap_or_default();
        self.0.push((
            path.display().to_string(),
            String::from_utf8_lossy(&bytes).into_owned(),
        ));
    }

    /// Every file of a Terraform working directory but the configuration we wrote (which holds
    /// the secrets a provider block sets, by design). Plan files are zip archives, compressed:
    /// each entry is read, but for the snapshot of that same configuration (`tfconfig/`).
    fn working_dir(&mut self, dir: &Path) {
        for entry in walk(dir) {
            let name = entry.file_name().unwrap().to_string_lossy().into_owned();
            if name == "main.tf" || name == "cli.tfrc" {
                continue;
            }
            if name.ends_with(".tfplan") {
                self.plan_file(&entry);
            } else {
                self.file(&entry);
            }
        }
    }

    fn plan_file(&mut self, plan: &Path) {
        let list = Command::new("unzip")
            .arg("-Z1")
            .arg(plan)
            .output()
            .expect("unzip runs (plan files are zip archives)");
        assert!(list.status.success(), "unzip -Z1 {}", plan.display());
        let entries: Vec<String> = String::from_utf8_lossy(&list.stdout)
            .lines()
            .map(str::to_string)
            .collect();
        assert!(
            entries.iter().any(|e| e == "tfplan"),
            "{} holds no tfplan: {entries:?}",
            plan.display()
        );
        for entry in entries {
            if entry.starts_with("tfconfig/") || entry.ends_with('/') {
                continue;
            }
            let out = Command::new("unzip")
                .arg("-p")
                .arg(plan)
                .arg(&entry)
                .output()
                .unwrap();
            assert!(out.status.success(), "unzip -p {} {entry}", plan.display());
            self.0.push((
                format!("{} entry {entry}", plan.display()),
                String::from_utf8_lossy(&out.stdout).into_owned(),
            ));
        }
    }

    fn bytes(&self) -> usize {
        self.0.iter().map(|(_, t)| t.len()).sum()
    }

    /// Where each needle occurs, with some context (the needle itself replaced by its label).
    fn leaks(&self, needles: &Needles) -> Vec<String> {
        let mut found = Vec::new();
        for (label, value) in &needles.0 {
            for (place, text) in &self.0 {
                if let Some(at) = text.find(value.as_str()) {
                    found.push(format!(
                        "{label} in {place}: …{}…",
                        context(text, at, value.len(), label)
                    ));
                }
            }
        }
        // A JWT (access token, federated token, client assertion) starts with the base64 of
        // `{"`, whatever its claims.
        for (place, text) in &self.0 {
            if let Some(at) = text.find("eyJ") {
                found.push(format!(
                    "a JWT (\"eyJ\") in {place}: …{}…",
                    context(text, at, 3, "eyJ")
                ));
            }
        }
        found
    }
}

fn context(text: &str, at: usize, len: usize, label: &str) -> String {
    let floor = |mut i: usize| {
        while !text.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    let start = floor(at.saturating_sub(120));
    let end = floor((at + len + 120).min(text.len()));
    format!(
        "{}<{label}>{}",
        &text[start..at],
        &text[floor(at + len)..end]
    )
    .replace('\n', "⏎")
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}

/// One simulator per worker thread, with distinctive OIDC request token and MSI header.
struct Worker {
    sim: Sim,
}

fn start_worker() -> Worker {
    let sim = Sim::start_with_secrets(
        SimOptions::default(),
        SimSecrets {
            oidc_request_token: Some(distinctive("oidc-request-token")),
            msi_identity_header: Some(distinctive("msi-identity-header")),
        },
    );
    Worker { sim }
}

/// Hosts and CA, tenant and client id: everything but a credential.
fn base_env(sim: &Sim) -> Vec<(String, String)> {
    sim.provider_env()
        .into_iter()
        .filter(|(k, _)| k != "ARM_CLIENT_SECRET")
        .collect()
}

fn with(mut env: Vec<(String, String)>, extra: &[(&str, &str)]) -> Vec<(String, String)> {
    env.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    env
}

fn without_client_id(env: Vec<(String, String)>) -> Vec<(String, String)> {
    env.into_iter()
        .filter(|(k, _)| k != "ARM_CLIENT_ID")
        .collect()
}

/// How one kind of credential is set up: once rightly, once wrongly.
struct Login {
    env: Vec<(String, String)>,
    block: String,
    wrong_env: Vec<(String, String)>,
    wrong_block: String,
    /// The credential the provider logs it built (`configured … credential=…`).
    credential: &'static str,
    /// What the failed sign-in must say.
    wrong_says: &'static str,
    /// Input files (PKCS#12, token file, fake `az`), outside the working directories.
    _inputs: tempfile::TempDir,
}

fn login(kind: Kind, sim: &Sim, needles: &mut Needles) -> Login {
    let inputs = tempfile::tempdir().unwrap();
    let base = base_env(sim);
    let secret = sim.info().client_secret.clone();
    let empty = String::new();
    match kind {
        Kind::SecretEnv | Kind::SecretBlock => {
            let wrong = distinctive("wrong-client-secret");
            needles.add_with_encodings("the wrong client secret", &wrong);
            let (env, block, wrong_env, wrong_block) = if kind == Kind::SecretEnv {
                (
                    with(base.clone(), &[("ARM_CLIENT_SECRET", &secret)]),
                    empty.clone(),
                    with(base, &[("ARM_CLIENT_SECRET", &wrong)]),
                    empty,
                )
            } else {
                (
                    base.clone(),
                    format!("client_secret = \"{secret}\""),
                    base,
                    format!("client_secret = \"{wrong}\""),
                )
            };
            Login {
                env,
                block,
                wrong_env,
                wrong_block,
                credential: "client_secret",
                wrong_says: "AADSTS7000215",
                _inputs: inputs,
            }
        }
        Kind::CertificateFile | Kind::CertificateInline => {
            let password = distinctive("pfx-password");
            let wrong = distinctive("wrong-pfx-password");
            let bundle = make_pkcs12(&password);
            sim.sim().register_certificate(&bundle.cert_pem).unwrap();
            let inline = STANDARD.encode(&bundle.pfx);
            needles.add_with_encodings("the certificate password", &password);
            needles.add_with_encodings("the wrong certificate password", &wrong);
            needles.add("the PKCS#12 bundle (base64)", &inline);
            needles.add_windows("the PKCS#12 bundle (base64)", &inline);
            for (label, pem) in [
                ("the private key (PKCS#8 PEM)", &bundle.key_pkcs8_pem),
                ("the private key (PKCS#1 PEM)", &bundle.key_pkcs1_pem),
            ] {
                let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
                needles.add_windows(label, &body);
            }
            if kind == Kind::CertificateFile {
                let path = inputs.path().join("app.pfx");
                std::fs::write(&path, &bundle.pfx).unwrap();
                let path = path.to_str().unwrap();
                Login {
                    env: with(
                        base.clone(),
                        &[
                            ("ARM_CLIENT_CERTIFICATE_PATH", path),
                            ("ARM_CLIENT_CERTIFICATE_PASSWORD", &password),
                        ],
                    ),
                    block: empty.clone(),
                    wrong_env: with(
                        base,
                        &[
                            ("ARM_CLIENT_CERTIFICATE_PATH", path),
                            ("ARM_CLIENT_CERTIFICATE_PASSWORD", &wrong),
                        ],
                    ),
                    wrong_block: empty,
                    credential: "client_certificate",
                    wrong_says: "client certificate",
                    _inputs: inputs,
                }
            } else {
                Login {
                    env: base.clone(),
                    block: format!(
                        "client_certificate = \"{inline}\"\n  client_certificate_password = \"{password}\""
                    ),
                    wrong_env: base,
                    wrong_block: format!(
                        "client_certificate = \"{inline}\"\n  client_certificate_password = \"{wrong}\""
                    ),
                    credential: "client_certificate",
                    wrong_says: "client certificate",
                    _inputs: inputs,
                }
            }
        }
        Kind::OidcToken | Kind::OidcTokenFile => {
            let token = sim.sim().mint_federated_token();
            let forged = forge(&token);
            needles.add_jwt("the OIDC token", &token);
            needles.add_jwt("the forged OIDC token", &forged);
            if kind == Kind::OidcToken {
                Login {
                    env: base.clone(),
                    block: format!("use_oidc = true\n  oidc_token = \"{token}\""),
                    wrong_env: base,
                    wrong_block: format!("use_oidc = true\n  oidc_token = \"{forged}\""),
                    credential: "oidc",
                    wrong_says: "AADSTS50013",
                    _inputs: inputs,
                }
            } else {
                let good = inputs.path().join("token");
                std::fs::write(&good, format!("{token}\n")).unwrap();
                let bad = inputs.path().join("forged");
                std::fs::write(&bad, format!("{forged}\n")).unwrap();
                let file_env = |path: &Path| {
                    with(
                        base.clone(),
                        &[
                            ("ARM_USE_OIDC", "true"),
                            ("ARM_OIDC_TOKEN_FILE_PATH", path.to_str().unwrap()),
                        ],
                    )
                };
                Login {
                    env: file_env(&good),
                    block: empty.clone(),
                    wrong_env: file_env(&bad),
                    wrong_block: empty,
                    credential: "oidc",
                    wrong_says: "AADSTS50013",
                    _inputs: inputs,
                }
            }
        }
        Kind::OidcRequest => {
            let url = format!("{}/_sim/oidc/token", sim.info().authority_host);
            let wrong = distinctive("wrong-oidc-request-token");
            needles.add_with_encodings("the wrong OIDC request token", &wrong);
            let request_env = |token: &str| {
                with(
                    base.clone(),
                    &[
                        ("ARM_USE_OIDC", "true"),
                        ("ACTIONS_ID_TOKEN_REQUEST_URL", &url),
                        ("ACTIONS_ID_TOKEN_REQUEST_TOKEN", token),
                    ],
                )
            };
            Login {
                env: request_env(sim.sim().oidc_request_token()),
                block: empty.clone(),
                wrong_env: request_env(&wrong),
                wrong_block: empty,
                credential: "oidc",
                wrong_says: "HTTP 401",
                _inputs: inputs,
            }
        }
        Kind::ManagedIdentity => {
            let endpoint = format!("{}/_sim/msi/token", sim.info().authority_host);
            let wrong = distinctive("wrong-msi-identity-header");
            needles.add_with_encodings("the wrong MSI identity header", &wrong);
            let msi_env = |header: &str| {
                with(
                    without_client_id(base.clone()),
                    &[
                        ("ARM_USE_MSI", "true"),
                        ("IDENTITY_ENDPOINT", &endpoint),
                        ("IDENTITY_HEADER", header),
                    ],
                )
            };
            Login {
                env: msi_env(sim.sim().msi_identity_header()),
                block: empty.clone(),
                wrong_env: msi_env(&wrong),
                wrong_block: empty,
                credential: "managed_identity",
                wrong_says: "401",
                _inputs: inputs,
            }
        }
        Kind::AzureCli => {
            // A stand-in for `az account get-access-token` (Azure CLI 2.54+), handing out a
            // delegated token the simulator signed (so `signed_tokens` knows it). The failed
            // sign-in revokes it: Graph refuses it, and `az` has no other.
            let (token, expires_on) = sim.sim().mint_user_token();
            let scope = format!("{}/.default", sim.info().graph_endpoint);
            let script = format!(
                "#!/bin/sh\ncase \"$*\" in\n  *'get-access-token'*'--scope {scope}'*) ;;\n  *) echo \"unexpected: $*\" >&2; exit 1 ;;\nesac\ncat <<'JSON'\n{}\nJSON\n",
                json!({"accessToken": token, "expiresOn": "2099-01-01 00:00:00.000000", "expires_on": expires_on, "subscription": "00000000-0000-0000-0000-000000000000", "tenant": sim.info().tenant_id, "tokenType": "Bearer"})
            );
            let az = inputs.path().join("az");
            std::fs::write(&az, script).unwrap();
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&az, std::fs::Permissions::from_mode(0o755)).unwrap();
            let path = format!(
                "{}:{}",
                inputs.path().display(),
                std::env::var("PATH").unwrap_or_default()
            );
            let env = with(without_client_id(base), &[("PATH", &path)]);
            Login {
                env: env.clone(),
                block: empty.clone(),
                wrong_env: env,
                wrong_block: empty,
                credential: "azure_cli",
                wrong_says: "TokenIssuedBeforeRevocationTimestamp",
                _inputs: inputs,
            }
        }
    }
}

/// The same token with one character of its signature changed: well formed, wrongly signed.
fn forge(jwt: &str) -> String {
    let sig_start = jwt.rfind('.').unwrap() + 1;
    let at = sig_start + (jwt.len() - sig_start) / 2;
    let c = if &jwt[at..=at] == "A" { "B" } else { "A" };
    format!("{}{c}{}", &jwt[..at], &jwt[at + 1..])
}

fn config(block: &str, body: &str) -> String {
    format!("{PROVIDER_HEADER}\nprovider \"entra\" {{\n  {block}\n}}\n{body}")
}

fn created(n: usize) -> String {
    format!(
        r#"
resource "entra_named_location" "hygiene" {{
  display_name = "Hygiene {n}"
  country {{
    countries_and_regions = ["NL"]
  }}
}}

resource "entra_authentication_context" "hygiene" {{
  context_id   = "c{n}"
  display_name = "Hygiene {n}"
  is_available = true
}}
"#
    )
}

/// A report-only policy on a named location that exists at plan but is gone at apply: Graph
/// refuses the POST (1040), which the provider cannot know beforehand.
fn refused_policy(n: usize, location: &str) -> String {
    format!(
        r#"
resource "entra_conditional_access_policy" "refused" {{
  display_name = "Hygiene refused {n}"
  state        = "enabledForReportingButNotEnforced"
  conditions {{
    client_app_types = ["all"]
    applications {{
      included_applications = ["All"]
    }}
    users {{
      included_users = ["All"]
      excluded_users = ["6b1f0e2a-3c4d-4e5f-8a9b-0c1d2e3f4a5b"]
    }}
    locations {{
      included_locations = ["{location}"]
    }}
  }}
  grant_controls {{
    operator          = "OR"
    built_in_controls = ["mfa"]
  }}
}}
"#
    )
}

fn assert_code(r: &Run, code: i32, what: &str) {
    assert_eq!(r.code, code, "{what}:\n{}", r.text());
}

/// The log of a run that used the provider: Terraform's RPC traces and the provider's own lines.
fn assert_rich_log(log: &str, what: &str, rpcs: &[&str]) {
    assert!(
        log.contains("[TRACE]"),
        "{what}: the log has no TRACE lines"
    );
    assert!(
        log.contains("provider.terraform-provider-entra"),
        "{what}: the log has no line from the provider"
    );
    for rpc in rpcs {
        assert!(log.contains(rpc), "{what}: the log does not show {rpc}");
    }
}

/// One credential kind with one Terraform: the four runs, then the grep. Returns a summary line.
fn case(w: &Worker, bin: &Path, kind: Kind, n: usize) -> String {
    let sim = &w.sim;
    let what = format!("{kind:?} with {}", terraform_version(bin));
    let mut needles = Needles::default();
    needles.add_with_encodings("the client secret", &sim.info().client_secret);
    needles.add_with_encodings("the OIDC request token", sim.sim().oidc_request_token());
    needles.add_with_encodings("the MSI identity header", sim.sim().msi_identity_header());
    let login = login(kind, sim, &mut needles);
    let tokens_before = sim.sim().signed_tokens().len();
    let logs = tempfile::tempdir().unwrap();
    let log_env = |env: &[(String, String)], name: &str| {
        with(
            env.to_vec(),
            &[
                ("TF_LOG", "trace"),
                ("TF_LOG_PATH", logs.path().join(name).to_str().unwrap()),
            ],
        )
    };
    let mut evidence = Evidence::default();

    // 1. An apply that creates a named location and an authentication context.
    let tf = Tf::new(bin, log_env(&login.env, "main.log"));
    tf.raw_config(&config(&login.block, &created(n)));
    let r = tf.run(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    assert_code(&r, 0, &format!("{what}: apply"));
    evidence.run("apply", &r);
    let (status, _) = sim.graph(
        "GET",
        &format!("/v1.0/identity/conditionalAccess/authenticationContextClassReferences/c{n}"),
        None,
    );
    assert_eq!(status, 200, "{what}: the apply created nothing");
    let log = std::fs::read_to_string(logs.path().join("main.log")).unwrap();
    assert_rich_log(
        &log,
        &format!("{what}: apply"),
        &["ConfigureProvider", "ApplyResourceChange"],
    );
    // The provider's own debug lines (its stderr) reach the log, Graph calls included.
    assert!(
        log.contains("provider.terraform-provider-entra: graph request"),
        "{what}: the provider's Graph requests are not in the log"
    );
    // The credential under test is the one the provider signed in with.
    let configured = format!("credential={}", login.credential);
    assert!(
        log.contains(&configured),
        "{what}: the log does not say {configured}"
    );
    if kind != Kind::AzureCli {
        assert!(
            sim.sim().signed_tokens().len() > tokens_before,
            "{what}: the simulator issued no token"
        );
    }

    // 2. A plan, saved.
    let r = tf.plan_code(&["-out=clean.tfplan"]);
    assert_code(&r, 0, &format!("{what}: plan"));
    evidence.run("plan", &r);

    // 3. An apply Graph refuses: the policy's location is deleted between plan and apply.
    let (status, location) = sim.graph(
        "POST",
        "/v1.0/identity/conditionalAccess/namedLocations",
        Some(json!({
            "@odata.type": "#microsoft.graph.countryNamedLocation",
            "displayName": format!("Gone {n}"),
            "countriesAndRegions": ["FR"],
        })),
    );
    assert_eq!(status, 201, "{location}");
    let gone = location["id"].as_str().unwrap().to_string();
    tf.raw_config(&config(
        &login.block,
        &format!("{}{}", created(n), refused_policy(n, &gone)),
    ));
    let r = tf.plan_code(&["-out=refused.tfplan"]);
    assert_code(&r, 2, &format!("{what}: plan of the policy"));
    evidence.run("plan of the policy", &r);
    let (status, _) = sim.graph(
        "DELETE",
        &format!("/v1.0/identity/conditionalAccess/namedLocations/{gone}"),
        None,
    );
    assert_eq!(status, 204);
    let r = tf.run(&["apply", "-no-color", "-input=false", "refused.tfplan"]);
    assert_code(&r, 1, &format!("{what}: apply of the refused policy"));
    assert!(
        r.flat().contains("1040") && r.flat().contains(&gone),
        "{what}: expected Graph's refusal:\n{}",
        r.text()
    );
    evidence.run("refused apply", &r);

    // 4. A sign-in that fails: wrong secret, wrong password, forged token, wrong request token
    // or identity header, revoked CLI token.
    if kind == Kind::AzureCli {
        sim.sim().revoke_issued_tokens();
    }
    let failing = Tf::new(bin, log_env(&login.wrong_env, "failed-sign-in.log"));
    failing.raw_config(&config(
        &login.wrong_block,
        &format!(
            "data \"entra_authentication_context\" \"probe\" {{\n  context_id = \"c{n}\"\n}}\n"
        ),
    ));
    let r = failing.plan_code(&[]);
    assert_code(&r, 1, &format!("{what}: plan with a wrong credential"));
    assert!(
        r.flat().contains(login.wrong_says),
        "{what}: the failed sign-in should say {}:\n{}",
        login.wrong_says,
        r.text()
    );
    evidence.run("failed sign-in", &r);
    let failed_log = std::fs::read_to_string(logs.path().join("failed-sign-in.log")).unwrap();
    assert_rich_log(
        &failed_log,
        &format!("{what}: failed sign-in"),
        &["ConfigureProvider"],
    );

    // Every token the simulator signed so far, the ones this case's provider got included.
    for (i, token) in sim.sim().signed_tokens().iter().enumerate() {
        needles.add_jwt(&format!("token #{i} the simulator signed"), token);
    }
    evidence.file(&logs.path().join("main.log"));
    evidence.file(&logs.path().join("failed-sign-in.log"));
    evidence.working_dir(tf.dir.path());
    evidence.working_dir(failing.dir.path());
    assert!(
        evidence
            .0
            .iter()
            .any(|(p, _)| p.ends_with("terraform.tfstate")),
        "{what}: no state file"
    );
    let leaks = evidence.leaks(&needles);
    assert!(
        leaks.is_empty(),
        "{what}: {} leak(s):\n{}",
        leaks.len(),
        leaks.join("\n")
    );
    format!(
        "{what}: {} needles, {} places, {} KiB, no leak",
        needles.0.len(),
        evidence.0.len(),
        evidence.bytes() / 1024
    )
}

#[test]
fn no_secret_or_token_reaches_logs_output_state_or_plan_files() {
    let items: Vec<(PathBuf, Kind)> = terraform_binaries()
        .into_iter()
        .flat_map(|bin| KINDS.iter().map(move |k| (bin.clone(), *k)))
        .collect();
    // Authentication context ids run from c1 to c99: one per case.
    assert!(items.len() < 100);
    let numbered: Vec<(usize, PathBuf, Kind)> = items
        .into_iter()
        .enumerate()
        .map(|(i, (bin, kind))| (i + 1, bin, kind))
        .collect();
    let results = in_parallel(&numbered, 2, start_worker, |w, (n, bin, kind)| {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| case(w, bin, *kind, *n))).map_err(
            |e| {
                e.downcast_ref::<String>()
                    .cloned()
                    .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_else(|| "panic".into())
            },
        )
    });
    let mut failures = Vec::new();
    for r in results {
        match r {
            Ok(summary) => eprintln!("{summary}"),
            Err(e) => failures.push(e),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The grep itself: a secret is found in each form it could take, a JWT by its signature alone,
/// and clean text passes.
#[test]
fn the_grep_finds_a_secret_in_any_of_its_forms() {
    let secret = "xyz8Q~abc.DEF-ghi_JKL~mnoPQRstuVWXyz0123456";
    let jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLW9mLWEtdG9rZW4tZm9yLWEtdGVzdA";
    let mut needles = Needles::default();
    needles.add_with_encodings("the secret", secret);
    needles.add_jwt("the token", jwt);
    let url: String = url::form_urlencoded::byte_serialize(secret.as_bytes()).collect();
    let sig = jwt.rsplit('.').next().unwrap();
    let texts = [
        format!("client_secret: {secret}"),
        format!("grant_type=client_credentials&client_secret={url}&scope=x"),
        format!("client_secret={}", url.to_lowercase()),
        format!(
            "Authorization: Basic {}",
            STANDARD.encode(format!("client-id:{secret}"))
        ),
        format!("x={}", URL_SAFE.encode(format!("ab{secret}cd"))),
        format!("signature {sig} only"),
        format!("bearer {}", &jwt[..10]),
    ];
    for text in texts {
        let evidence = Evidence(vec![("text".into(), text.clone())]);
        assert!(!evidence.leaks(&needles).is_empty(), "not found in {text}");
    }
    let clean = Evidence(vec![("text".into(), "client_secret: (sensitive)".into())]);
    assert_eq!(clean.leaks(&needles), Vec::<String>::new());
}

struct Bundle {
    pfx: Vec<u8>,
    cert_pem: String,
    key_pkcs8_pem: String,
    key_pkcs1_pem: String,
}

/// A self-signed RSA certificate and its PKCS#12 bundle, as an app registration would have.
fn make_pkcs12(password: &str) -> Bundle {
    use openssl::{
        asn1::Asn1Time, hash::MessageDigest, pkcs12::Pkcs12, pkey::PKey, rsa::Rsa, x509,
    };
    let rsa = Rsa::generate(2048).unwrap();
    let key_pkcs1_pem = String::from_utf8(rsa.private_key_to_pem().unwrap()).unwrap();
    let key = PKey::from_rsa(rsa).unwrap();
    let key_pkcs8_pem = String::from_utf8(key.private_key_to_pem_pkcs8().unwrap()).unwrap();
    let mut name = x509::X509NameBuilder::new().unwrap();
    name.append_entry_by_text("CN", "terraform-provider-entra secret hygiene")
        .unwrap();
    let name = name.build();
    let mut b = x509::X509Builder::new().unwrap();
    b.set_version(2).unwrap();
    b.set_subject_name(&name).unwrap();
    b.set_issuer_name(&name).unwrap();
    b.set_pubkey(&key).unwrap();
    b.set_not_before(&Asn1Time::days_from_now(0).unwrap())
        .unwrap();
    b.set_not_after(&Asn1Time::days_from_now(30).unwrap())
        .unwrap();
    b.sign(&key, MessageDigest::sha256()).unwrap();
    let cert = b.build();
    let pfx = Pkcs12::builder()
        .name("app")
        .pkey(&key)
        .cert(&cert)
        .build2(password)
        .unwrap();
    Bundle {
        pfx: pfx.to_der().unwrap(),
        cert_pem: String::from_utf8(cert.to_pem().unwrap()).unwrap(),
        key_pkcs8_pem,
        key_pkcs1_pem,
    }
}
