//! Every way of signing in, end to end against the simulator's token endpoint: the provider
//! must obtain a token and read Graph with it, and never print a secret.

mod common;

use common::{terraform_binaries, Sim, Tf};
use serde_json::json;

const READ_C1: &str = r#"data "entra_authentication_context" "c1" { context_id = "c1" }"#;

/// Seeds c1 and returns the env common to every credential kind (hosts and CA, no secret).
fn base_env(sim: &Sim) -> Vec<(String, String)> {
    sim.graph(
        "PATCH",
        "/v1.0/identity/conditionalAccess/authenticationContextClassReferences/c1",
        Some(json!({"displayName": "Tier 0"})),
    );
    sim.provider_env()
        .into_iter()
        .filter(|(k, _)| k != "ARM_CLIENT_SECRET")
        .collect()
}

/// Plans a configuration that reads Graph and asserts it worked with these settings.
fn assert_reads_graph(sim: &Sim, env: Vec<(String, String)>, provider_block: &str) {
    for bin in terraform_binaries() {
        let tf = Tf::new(&bin, env.clone());
        tf.raw_config(&format!(
            "{}\n{provider_block}\n{READ_C1}\n",
            common::PROVIDER_HEADER
        ));
        sim.sim().reset_stats();
        let r = tf.plan_code(&[]);
        assert_eq!(
            r.code,
            0,
            "{} with {}:\n{}",
            provider_block,
            bin.display(),
            r.text()
        );
        let stats = sim.sim().stats();
        assert!(
            stats["requests"]
                ["GET /v1.0/identity/conditionalAccess/authenticationContextClassReferences/{id}"]
                .as_u64()
                >= Some(1),
            "{stats}"
        );
    }
}

fn with(mut env: Vec<(String, String)>, extra: &[(&str, &str)]) -> Vec<(String, String)> {
    env.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    env
}

#[test]
fn client_secret_from_environment_and_from_the_provider_block() {
    let sim = Sim::start();
    let secret = sim.info().client_secret.clone();
    assert_reads_graph(
        &sim,
        with(base_env(&sim), &[("ARM_CLIENT_SECRET", &secret)]),
        r#"provider "entra" {}"#,
    );
    assert_reads_graph(
        &sim,
        base_env(&sim),
        &format!("provider \"entra\" {{\n  client_secret = \"{secret}\"\n}}"),
    );
}

#[test]
fn client_certificate_from_a_file_and_inline() {
    use base64::Engine;
    let sim = Sim::start();
    let (pfx, cert_pem) = make_pkcs12("s3cret-pfx");
    sim.sim().register_certificate(&cert_pem).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.pfx");
    std::fs::write(&path, &pfx).unwrap();
    let env = with(
        base_env(&sim),
        &[
            ("ARM_CLIENT_CERTIFICATE_PATH", path.to_str().unwrap()),
            ("ARM_CLIENT_CERTIFICATE_PASSWORD", "s3cret-pfx"),
        ],
    );
    assert_reads_graph(&sim, env, r#"provider "entra" {}"#);
    let inline = base64::engine::general_purpose::STANDARD.encode(&pfx);
    assert_reads_graph(
        &sim,
        base_env(&sim),
        &format!("provider \"entra\" {{\n  client_certificate = \"{inline}\"\n  client_certificate_password = \"s3cret-pfx\"\n}}"),
    );
}

#[test]
fn oidc_token_token_file_and_request_url() {
    let sim = Sim::start();
    let token = sim.sim().mint_federated_token();
    assert_reads_graph(
        &sim,
        with(
            base_env(&sim),
            &[("ARM_USE_OIDC", "true"), ("ARM_OIDC_TOKEN", &token)],
        ),
        r#"provider "entra" {}"#,
    );

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("token");
    std::fs::write(&file, format!("{token}\n")).unwrap();
    assert_reads_graph(
        &sim,
        with(
            base_env(&sim),
            &[
                ("ARM_USE_OIDC", "true"),
                ("ARM_OIDC_TOKEN_FILE_PATH", file.to_str().unwrap()),
            ],
        ),
        r#"provider "entra" {}"#,
    );

    // GitHub Actions: the runner sets these two variables and the provider asks for a token.
    let url = format!("{}/_sim/oidc/token", sim.info().authority_host);
    let request_token = sim.sim().oidc_request_token().to_string();
    assert_reads_graph(
        &sim,
        with(
            base_env(&sim),
            &[
                ("ARM_USE_OIDC", "true"),
                ("ACTIONS_ID_TOKEN_REQUEST_URL", &url),
                ("ACTIONS_ID_TOKEN_REQUEST_TOKEN", &request_token),
            ],
        ),
        r#"provider "entra" {}"#,
    );
}

#[test]
fn azure_pipelines_service_connection() {
    let sim = Sim::start();
    // What an Azure Pipelines job has: SYSTEM_OIDCREQUESTURI from the agent, SYSTEM_ACCESSTOKEN
    // mapped from System.AccessToken, and the service connection's id.
    let url = format!("{}/_sim/ado/oidctoken", sim.info().authority_host);
    let request_token = sim.sim().oidc_request_token().to_string();
    let ado = [
        ("ARM_USE_OIDC", "true"),
        ("SYSTEM_OIDCREQUESTURI", url.as_str()),
        ("SYSTEM_ACCESSTOKEN", request_token.as_str()),
    ];
    assert_reads_graph(
        &sim,
        with(
            with(base_env(&sim), &ado),
            &[(
                "ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID",
                "6f7c6b8e-1a2b-4c3d-9e8f-0a1b2c3d4e5f",
            )],
        ),
        r#"provider "entra" {}"#,
    );
    assert_reads_graph(
        &sim,
        with(base_env(&sim), &ado),
        r#"provider "entra" { ado_pipeline_service_connection_id = "6f7c6b8e-1a2b-4c3d-9e8f-0a1b2c3d4e5f" }"#,
    );

    // Without the service connection the GitHub-style GET reaches Azure DevOps' endpoint,
    // which refuses it: the error says so instead of hanging or pretending.
    let bin = &terraform_binaries()[0];
    let tf = Tf::new(bin, with(base_env(&sim), &ado));
    tf.raw_config(&format!(
        "{}\nprovider \"entra\" {{}}\n{READ_C1}\n",
        common::PROVIDER_HEADER
    ));
    let r = tf.plan_code(&[]);
    assert_eq!(r.code, 1, "{}", r.text());
    assert!(
        r.text().contains("OIDC token request answered HTTP 405"),
        "{}",
        r.text()
    );
    assert!(!r.text().contains(&request_token), "{}", r.text());
}

#[test]
fn managed_identity_app_service_style() {
    let sim = Sim::start();
    let endpoint = format!("{}/_sim/msi/token", sim.info().authority_host);
    let header = sim.sim().msi_identity_header().to_string();
    let env: Vec<_> = base_env(&sim)
        .into_iter()
        .filter(|(k, _)| k != "ARM_CLIENT_ID")
        .collect();
    assert_reads_graph(
        &sim,
        with(
            env,
            &[
                ("ARM_USE_MSI", "true"),
                ("IDENTITY_ENDPOINT", &endpoint),
                ("IDENTITY_HEADER", &header),
            ],
        ),
        r#"provider "entra" {}"#,
    );
}

#[test]
fn azure_cli_account() {
    let sim = Sim::start();
    let (token, expires_on) = sim.sim().mint_user_token();
    let bin_dir = tempfile::tempdir().unwrap();
    let scope = format!("{}/.default", sim.info().graph_endpoint);
    // A stand-in for `az`: it answers `az account get-access-token` as Azure CLI 2.54+ does,
    // and fails if asked for any other scope.
    let script = format!(
        "#!/bin/sh\ncase \"$*\" in\n  *'get-access-token'*'--scope {scope}'*) ;;\n  *) echo \"unexpected: $*\" >&2; exit 1 ;;\nesac\ncat <<'JSON'\n{}\nJSON\n",
        json!({"accessToken": token, "expiresOn": "2099-01-01 00:00:00.000000", "expires_on": expires_on, "subscription": "00000000-0000-0000-0000-000000000000", "tenant": sim.info().tenant_id, "tokenType": "Bearer"})
    );
    let az = bin_dir.path().join("az");
    std::fs::write(&az, script).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&az, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = format!(
        "{}:{}",
        bin_dir.path().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let env: Vec<_> = base_env(&sim)
        .into_iter()
        .filter(|(k, _)| k != "ARM_CLIENT_ID")
        .collect();
    assert_reads_graph(
        &sim,
        with(env, &[("PATH", &path)]),
        r#"provider "entra" {}"#,
    );
}

#[test]
fn a_wrong_secret_fails_clearly_and_no_secret_reaches_the_logs() {
    let sim = Sim::start();
    let secret = sim.info().client_secret.clone();
    for bin in terraform_binaries() {
        let logs = tempfile::tempdir().unwrap();
        let log_path = logs.path().join("tf.log");
        // First a working run with full provider logging: neither the secret nor a token may
        // appear in the log.
        let env = with(
            base_env(&sim),
            &[
                ("ARM_CLIENT_SECRET", &secret),
                ("TF_LOG_PROVIDER", "TRACE"),
                ("TF_LOG_PATH", log_path.to_str().unwrap()),
            ],
        );
        let tf = Tf::new(&bin, env);
        tf.config(READ_C1);
        let r = tf.plan_code(&[]);
        assert_eq!(r.code, 0, "{}", r.text());
        let log = std::fs::read_to_string(&log_path).unwrap();
        assert!(
            log.contains("terraform-provider-entra"),
            "provider logs should be there"
        );
        assert!(
            !log.contains(&secret),
            "the client secret leaked into the log"
        );
        assert!(!log.contains("eyJ"), "a JWT leaked into the log");

        let wrong = "definitely-not-the-secret-123";
        let tf = Tf::new(&bin, with(base_env(&sim), &[("ARM_CLIENT_SECRET", wrong)]));
        tf.config(READ_C1);
        let r = tf.plan_code(&[]);
        assert_eq!(r.code, 1, "{}", r.text());
        assert!(r.stderr.contains("AADSTS7000215"), "{}", r.stderr);
        assert!(
            !r.text().contains(wrong),
            "the secret was echoed:\n{}",
            r.text()
        );
    }
}

/// A self-signed RSA certificate and its PKCS#12 bundle, as an app registration would have.
fn make_pkcs12(password: &str) -> (Vec<u8>, String) {
    use openssl::{
        asn1::Asn1Time, hash::MessageDigest, pkcs12::Pkcs12, pkey::PKey, rsa::Rsa, x509,
    };
    let key = PKey::from_rsa(Rsa::generate(2048).unwrap()).unwrap();
    let mut name = x509::X509NameBuilder::new().unwrap();
    name.append_entry_by_text("CN", "terraform-provider-entra test")
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
    (
        pfx.to_der().unwrap(),
        String::from_utf8(cert.to_pem().unwrap()).unwrap(),
    )
}
