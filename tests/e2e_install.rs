//! Installed like any provider: `terraform init` without dev_overrides, from the release
//! folder `scripts/release.sh` writes used as a filesystem mirror and, served over HTTPS, as a
//! network mirror, and from the implied local mirror `scripts/install.sh` fills. Lock files,
//! `terraform providers lock`, plan and apply against the simulator, and a changed zip refused.
//! `terraform init` has no internet here: only the mirrors.
//!
//! The release folder is made once per build of the provider, from the debug binary cargo
//! built for the tests (`release.sh --binary`, never a release build), signed with a key the
//! test makes, and shared by this binary's tests (each runs in its own process under nextest)
//! through a lock file in cargo's target tmp directory.

mod common;

use common::{terraform_binaries, Sim, Tf};
use serde_json::Value as Json;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};

const VERSION: &str = env!("CARGO_PKG_VERSION");
const NAME: &str = "terraform-provider-entra";
const ADDR: &str = "registry.terraform.io/entra-iac/entra";

fn binary() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_terraform-provider-entra"))
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The release folder for the provider binary under test, and the public key that signed it.
struct Release {
    out: PathBuf,
    public_key: PathBuf,
}

impl Release {
    fn mirror(&self) -> PathBuf {
        self.out.join(ADDR)
    }

    fn zip_name(platform: &str) -> String {
        format!("{NAME}_{VERSION}_{platform}.zip")
    }

    /// `VERSION.json` of the network mirror index.
    fn version_index(&self) -> Json {
        read_json(&self.mirror().join(format!("{VERSION}.json")))
    }

    /// The platforms the release holds, as `-platform=` flags.
    fn platform_flags(&self) -> Vec<String> {
        let index = self.version_index();
        let archives = index["archives"].as_object().unwrap();
        archives.keys().map(|p| format!("-platform={p}")).collect()
    }

    /// The `h1:` and `zh:` hashes the index gives for linux_amd64.
    fn hashes(&self) -> Vec<String> {
        self.version_index()["archives"]["linux_amd64"]["hashes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h.as_str().unwrap().to_string())
            .collect()
    }
}

fn read_json(path: &Path) -> Json {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn run(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{cmd:?} failed:\n{text}");
    text
}

/// GnuPG, which signs and checks the release. A fresh CI image may lack it: it is installed
/// through apt when this runs as root, as `.ci/run` installs the suite's other tools.
fn ensure_gpg() {
    let ok = || Command::new("gpg").arg("--version").output().is_ok();
    if !ok()
        && Command::new("id")
            .arg("-u")
            .output()
            .map(|o| o.stdout == b"0\n")
            .unwrap_or(false)
    {
        let _ = Command::new("sh")
            .args([
                "-c",
                "apt-get update -qq && apt-get install -y -qq gnupg >/dev/null",
            ])
            .status();
    }
    assert!(
        ok(),
        "gpg is missing and could not be installed: install GnuPG (apt-get install gnupg) to \
         test the release signature"
    );
}

/// A GnuPG home of its own in a short temporary path (the agent's socket lives there, and
/// socket paths are short), whose agent is stopped when it goes.
struct GpgHome(tempfile::TempDir);

impl GpgHome {
    fn new() -> GpgHome {
        GpgHome(
            tempfile::Builder::new()
                .prefix("gpg")
                .tempdir_in("/tmp")
                .unwrap(),
        )
    }

    fn gpg(&self) -> Command {
        let mut cmd = Command::new("gpg");
        cmd.env("GNUPGHOME", self.0.path())
            .args(["--batch", "--quiet"]);
        cmd
    }
}

impl Drop for GpgHome {
    fn drop(&mut self) {
        let _ = Command::new("gpgconf")
            .args(["--kill", "gpg-agent"])
            .env("GNUPGHOME", self.0.path())
            .status();
    }
}

/// The release folder of this build, made by the first test that needs it.
fn release() -> Release {
    let meta = std::fs::metadata(binary()).unwrap();
    let stamp = meta
        .modified()
        .unwrap()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let base = Path::new(env!("CARGO_TARGET_TMPDIR")).join("e2e_install");
    std::fs::create_dir_all(&base).unwrap();
    let dir = base.join(format!("release-{}-{stamp}", meta.len()));
    let release = Release {
        out: dir.join("out"),
        public_key: dir.join("signing-key.asc"),
    };
    let lock = std::fs::File::create(base.join("lock")).unwrap();
    lock.lock().unwrap();
    if dir.join("done").exists() {
        return release;
    }
    // Older builds' folders go: only this build's is ever used.
    for entry in std::fs::read_dir(&base).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            std::fs::remove_dir_all(&path).unwrap();
        }
    }
    std::fs::create_dir_all(&dir).unwrap();

    ensure_gpg();
    let home = GpgHome::new();
    run(home.gpg().args([
        "--passphrase",
        "",
        "--quick-gen-key",
        "entra e2e release <e2e@invalid>",
        "rsa2048",
        "sign",
        "1d",
    ]));
    let listing = run(home.gpg().args(["--with-colons", "--list-secret-keys"]));
    let fingerprint = listing
        .lines()
        .find_map(|l| l.strip_prefix("fpr:"))
        .and_then(|l| l.split(':').nth(8))
        .unwrap()
        .to_string();
    run(Command::new(root().join("scripts/release.sh"))
        .arg("--binary")
        .arg(format!("linux_amd64={}", binary().display()))
        .arg(VERSION)
        .arg(&release.out)
        .env("GNUPGHOME", home.0.path())
        .env("ENTRA_RELEASE_GPG_KEY_ID", &fingerprint));
    let public = run(home.gpg().args(["--armor", "--export", &fingerprint]));
    std::fs::write(&release.public_key, public).unwrap();
    std::fs::write(dir.join("done"), "").unwrap();
    release
}

fn sha256_hex(bytes: &[u8]) -> String {
    openssl::sha::sha256(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A working directory whose CLI configuration installs from `installation` (a
/// `provider_installation` block, or nothing for the implied local mirror): no dev_overrides.
fn workdir(bin: &Path, env: Vec<(String, String)>, installation: &str) -> Tf {
    let tf = Tf::new(bin, env);
    std::fs::write(tf.dir.path().join("cli.tfrc"), installation).unwrap();
    tf
}

fn filesystem_mirror(path: &Path) -> String {
    format!(
        "provider_installation {{\n  filesystem_mirror {{\n    path    = \"{}\"\n    include = [\"{ADDR}\"]\n  }}\n}}\n",
        path.display()
    )
}

const CONTEXT: &str = r#"
resource "entra_authentication_context" "tier0" {
  context_id   = "c1"
  display_name = "Tier 0 Role Activation"
  is_available = true
}
"#;

/// The provider's hashes in the working directory's lock file.
fn locked_hashes(tf: &Tf) -> Vec<String> {
    let lock = std::fs::read_to_string(tf.dir.path().join(".terraform.lock.hcl")).unwrap();
    let start = lock
        .find(&format!("provider \"{ADDR}\""))
        .unwrap_or_else(|| panic!("no {ADDR} in the lock file:\n{lock}"));
    let block = &lock[start..];
    let block = &block[..block.find("\n}").unwrap()];
    assert!(
        block
            .lines()
            .any(|l| l.trim().starts_with("version") && l.contains(&format!("\"{VERSION}\""))),
        "{block}"
    );
    block
        .lines()
        .map(|l| l.trim().trim_end_matches(',').trim_matches('"'))
        .filter(|l| l.starts_with("h1:") || l.starts_with("zh:"))
        .map(str::to_string)
        .collect()
}

/// A lock file as a registry install writes it: the version and both hashes of the package.
fn write_lock(tf: &Tf, hashes: &[String]) {
    let list: String = hashes.iter().map(|h| format!("    \"{h}\",\n")).collect();
    std::fs::write(
        tf.dir.path().join(".terraform.lock.hcl"),
        format!(
            "provider \"{ADDR}\" {{\n  version     = \"{VERSION}\"\n  constraints = \"{VERSION}\"\n  hashes = [\n{list}  ]\n}}\n"
        ),
    )
    .unwrap();
}

/// The same configuration everywhere: the provider pinned to this version, one context.
fn configure(tf: &Tf) {
    tf.raw_config(&format!(
        "terraform {{\n  required_providers {{\n    entra = {{\n      source  = \"entra-iac/entra\"\n      version = \"{VERSION}\"\n    }}\n  }}\n}}\n\nprovider \"entra\" {{}}\n{CONTEXT}"
    ));
}

/// init, providers lock for every platform the mirror holds, a plan and an apply against the
/// simulator, then a clean plan; the lock file ends with the release's hashes.
fn install_lock_apply(tf: &Tf, sim: &Sim, lock_source: &str, release: &Release) {
    configure(tf);
    let init = tf.ok(&["init", "-no-color", "-input=false"]);
    assert!(
        init.stdout
            .contains(&format!("Installed entra-iac/entra v{VERSION}")),
        "{}",
        init.text()
    );
    let hashes = release.hashes();
    let h1 = hashes.iter().find(|h| h.starts_with("h1:")).unwrap();
    assert!(
        locked_hashes(tf).contains(h1),
        "init locked {:?}, the release's h1 is {h1}",
        locked_hashes(tf)
    );

    let mut lock = vec!["providers", "lock", "-no-color", lock_source];
    let flags = release.platform_flags();
    lock.extend(flags.iter().map(String::as_str));
    tf.ok(&lock);
    assert!(locked_hashes(tf).contains(h1), "{:?}", locked_hashes(tf));

    // The lock file a registry install leaves (h1: and zh:) is accepted as it stands.
    write_lock(tf, &hashes);
    std::fs::remove_dir_all(tf.dir.path().join(".terraform")).unwrap();
    tf.ok(&["init", "-no-color", "-input=false"]);
    let locked = locked_hashes(tf);
    for h in &hashes {
        assert!(locked.contains(h), "{h} left the lock file: {locked:?}");
    }

    let plan = tf.plan_code(&[]);
    assert_eq!(plan.code, 2, "{}", plan.text());
    tf.apply();
    let (status, body) = sim.graph(
        "GET",
        "/v1.0/identity/conditionalAccess/authenticationContextClassReferences/c1",
        None,
    );
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["displayName"], "Tier 0 Role Activation");
    tf.assert_clean_plan();
}

#[test]
fn release_folder_is_what_the_registries_expect() {
    let release = release();
    let zip = Release::zip_name("linux_amd64");
    let sums = format!("{NAME}_{VERSION}_SHA256SUMS");
    let manifest = format!("{NAME}_{VERSION}_manifest.json");
    let mut names: Vec<String> = std::fs::read_dir(&release.out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let mut expected = vec![
        zip.clone(),
        sums.clone(),
        format!("{sums}.sig"),
        manifest.clone(),
        "registry.terraform.io".to_string(),
    ];
    expected.sort();
    assert_eq!(names, expected);

    assert_eq!(
        read_json(&release.out.join(&manifest)),
        serde_json::json!({"version": 1, "metadata": {"protocol_versions": ["6.0"]}})
    );

    // SHA256SUMS: every zip and the manifest, in sha256sum's format.
    let text = std::fs::read_to_string(release.out.join(&sums)).unwrap();
    let mut listed = Vec::new();
    for line in text.lines() {
        let (hash, file) = line.split_once("  ").unwrap();
        assert_eq!(
            hash,
            sha256_hex(&std::fs::read(release.out.join(file)).unwrap())
        );
        listed.push(file.to_string());
    }
    assert_eq!(listed, [zip.clone(), manifest]);

    // The detached signature checks against the public key alone.
    let check = GpgHome::new();
    run(check.gpg().arg("--import").arg(&release.public_key));
    let verified = run(check
        .gpg()
        .arg("--verify")
        .arg(release.out.join(format!("{sums}.sig")))
        .arg(release.out.join(&sums)));
    assert!(verified.contains("Good signature"), "{verified}");

    // The zip holds the binary alone, executable, under the name Terraform runs.
    let listing = run(Command::new("python3").args([
        "-c",
        "import sys, zipfile\nfor i in zipfile.ZipFile(sys.argv[1]).infolist(): print(i.filename, oct(i.external_attr >> 16))",
    ]).arg(release.out.join(&zip)));
    assert_eq!(listing.trim(), format!("{NAME}_v{VERSION} 0o100755"));

    // The network mirror index: this version, the zip beside it, its h1: and zh: hashes.
    assert_eq!(
        read_json(&release.mirror().join("index.json")),
        serde_json::json!({"versions": {VERSION: {}}})
    );
    let zip_bytes = std::fs::read(release.out.join(&zip)).unwrap();
    assert_eq!(
        std::fs::read(release.mirror().join(&zip)).unwrap(),
        zip_bytes
    );
    let archive = &release.version_index()["archives"]["linux_amd64"];
    assert_eq!(archive["url"], zip.as_str());
    let hashes = release.hashes();
    assert_eq!(hashes.len(), 2, "{hashes:?}");
    assert!(hashes[0].starts_with("h1:"), "{hashes:?}");
    assert_eq!(hashes[1], format!("zh:{}", sha256_hex(&zip_bytes)));
}

#[test]
fn init_from_the_filesystem_mirror_locks_plans_and_applies() {
    let release = release();
    for bin in terraform_binaries() {
        let sim = Sim::start();
        let tf = workdir(&bin, sim.provider_env(), &filesystem_mirror(&release.out));
        let source = format!("-fs-mirror={}", release.out.display());
        install_lock_apply(&tf, &sim, &source, &release);
    }
}

#[test]
fn init_from_the_network_mirror_locks_plans_and_applies() {
    let release = release();
    let server = StaticHttps::serve(release.out.clone());
    for bin in terraform_binaries() {
        let sim = Sim::start();
        // Terraform checks the mirror's certificate and the provider the simulator's, both
        // through SSL_CERT_FILE: one bundle of both CAs.
        let bundle = tempfile::NamedTempFile::new().unwrap();
        let sim_ca = std::fs::read_to_string(&sim.info().ca_file).unwrap();
        std::fs::write(bundle.path(), format!("{sim_ca}\n{}", server.ca_pem)).unwrap();
        let mut env = sim.provider_env();
        env.retain(|(k, _)| k != "SSL_CERT_FILE");
        env.push(("SSL_CERT_FILE".into(), bundle.path().display().to_string()));
        let installation = format!(
            "provider_installation {{\n  network_mirror {{\n    url = \"{}\"\n  }}\n}}\n",
            server.url
        );
        let tf = workdir(&bin, env, &installation);
        server.requests.lock().unwrap().clear();
        install_lock_apply(&tf, &sim, &format!("-net-mirror={}", server.url), &release);
        let served = server.requests.lock().unwrap().clone();
        for path in [
            format!("/{ADDR}/index.json"),
            format!("/{ADDR}/{VERSION}.json"),
            format!("/{ADDR}/{}", Release::zip_name("linux_amd64")),
        ] {
            assert!(served.contains(&path), "{path} never asked for: {served:?}");
        }
    }
}

#[test]
fn init_refuses_a_changed_zip() {
    let release = release();
    for bin in terraform_binaries() {
        let sim = Sim::start();
        // A mirror of its own, whose zip is then rebuilt around a binary one byte longer.
        let mirror = tempfile::tempdir().unwrap();
        let package_dir = mirror.path().join(ADDR);
        std::fs::create_dir_all(&package_dir).unwrap();
        let zip = Release::zip_name("linux_amd64");
        std::fs::copy(release.mirror().join(&zip), package_dir.join(&zip)).unwrap();
        let tf = workdir(&bin, sim.provider_env(), &filesystem_mirror(mirror.path()));
        configure(&tf);
        tf.ok(&["init", "-no-color", "-input=false"]);
        // The lock file a registry install leaves: both hashes of the released zip.
        write_lock(&tf, &release.hashes());

        run(Command::new("python3")
            .args([
                "-c",
                "import sys, zipfile\n\
                 p = sys.argv[1]\n\
                 z = zipfile.ZipFile(p)\n\
                 info = z.infolist()[0]\n\
                 data = z.read(info) + b'\\0'\n\
                 z.close()\n\
                 with zipfile.ZipFile(p, 'w') as out: out.writestr(info, data)",
            ])
            .arg(package_dir.join(&zip)));
        std::fs::remove_dir_all(tf.dir.path().join(".terraform")).unwrap();
        let refused = tf.run(&["init", "-no-color", "-input=false"]);
        assert_ne!(refused.code, 0, "{}", refused.text());
        let text = refused.flat();
        assert!(
            text.contains("doesn't match any of the checksums previously recorded in the dependency lock file"),
            "{}",
            refused.text()
        );
    }
}

#[test]
fn install_script_fills_the_implied_local_mirror() {
    for bin in terraform_binaries() {
        let sim = Sim::start();
        // A HOME of its own: the implied local mirror is ~/.terraform.d/plugins, and the
        // CLI configuration has no provider_installation block, so Terraform looks there.
        let home = tempfile::tempdir().unwrap();
        let plugins = home.path().join(".terraform.d/plugins");
        run(Command::new(root().join("scripts/install.sh"))
            .arg("--plugins-dir")
            .arg(&plugins)
            .arg("--binary")
            .arg(binary()));
        let installed = plugins
            .join(ADDR)
            .join(VERSION)
            .join("linux_amd64")
            .join(format!("{NAME}_v{VERSION}"));
        assert!(installed.is_file(), "{} missing", installed.display());

        let mut env = sim.provider_env();
        env.push(("HOME".into(), home.path().display().to_string()));
        let tf = workdir(&bin, env, "");
        configure(&tf);
        tf.ok(&["init", "-no-color", "-input=false"]);
        assert!(locked_hashes(&tf).iter().any(|h| h.starts_with("h1:")));
        tf.apply();
        tf.assert_clean_plan();
    }
}

/// A static HTTPS file server for the network mirror: HTTP/1.1, one request per connection,
/// with a CA of its own (the simulator's certificate generator).
struct StaticHttps {
    url: String,
    ca_pem: String,
    requests: Arc<Mutex<Vec<String>>>,
    _runtime: tokio::runtime::Runtime,
}

impl StaticHttps {
    fn serve(root: PathBuf) -> StaticHttps {
        let tls = entra_graph_sim::tls::generate().unwrap();
        let mut config = (*tls.server_config).clone();
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let url = format!(
            "https://127.0.0.1:{}/",
            listener.local_addr().unwrap().port()
        );
        let requests = Arc::new(Mutex::new(Vec::new()));
        let seen = requests.clone();
        runtime.spawn(async move {
            loop {
                let Ok((tcp, _)) = listener.accept().await else {
                    continue;
                };
                let (acceptor, root, seen) = (acceptor.clone(), root.clone(), seen.clone());
                tokio::spawn(async move {
                    let Ok(stream) = acceptor.accept(tcp).await else {
                        return;
                    };
                    let _ = answer(stream, &root, &seen).await;
                });
            }
        });
        StaticHttps {
            url,
            ca_pem: tls.ca_pem,
            requests,
            _runtime: runtime,
        }
    }
}

/// Reads one request and answers it with the file at its path under `root`, or 404.
async fn answer<S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin>(
    mut stream: S,
    root: &Path,
    seen: &Mutex<Vec<String>>,
) -> std::io::Result<()> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut head = Vec::new();
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = stream.read(&mut buf).await?;
        if n == 0 || head.len() > 16 * 1024 {
            return Ok(());
        }
        head.extend_from_slice(&buf[..n]);
    }
    let head = String::from_utf8_lossy(&head);
    let path = head.split_whitespace().nth(1).unwrap_or("/").to_string();
    seen.lock().unwrap().push(path.clone());
    let file = (!path.contains(".."))
        .then(|| root.join(path.trim_start_matches('/')))
        .filter(|f| f.is_file());
    let (status, body, kind) = match file {
        Some(f) => {
            let kind = if path.ends_with(".json") {
                "application/json"
            } else {
                "application/zip"
            };
            ("200 OK", std::fs::read(f)?, kind)
        }
        None => ("404 Not Found", b"not found".to_vec(), "text/plain"),
    };
    let header = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(header.as_bytes()).await?;
    stream.write_all(&body).await?;
    stream.shutdown().await
}
