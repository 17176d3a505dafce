//! The binary prints exactly one JSON line and serves until killed.

mod common;

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};

struct KillOnDrop(Option<std::process::Child>);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        if let Some(c) = self.0.as_mut() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

#[tokio::test]
async fn prints_one_json_line_and_serves() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_entra-graph-sim"))
        .args([
            "--port",
            "0",
            "--seed",
            common::shared("corpus").to_str().unwrap(),
            "--oidc-request-token",
            "gh-request-token",
        ])
        .stdout(Stdio::piped())
        .spawn()
        .expect("binary starts");
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    // Kill the server even if an assertion below fails, so no process outlives the test.
    let mut child = KillOnDrop(Some(child));
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    let info: serde_json::Value =
        serde_json::from_str(line.trim_end()).expect("first line is JSON");
    let mut keys: Vec<&str> = info
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "authority_host",
            "ca_file",
            "client_id",
            "client_secret",
            "graph_endpoint",
            "tenant_id"
        ]
    );
    assert!(info["graph_endpoint"]
        .as_str()
        .unwrap()
        .starts_with("https://127.0.0.1:"));

    // It serves: get a token with the printed secret and read the seeded contexts.
    let ca = std::fs::read(info["ca_file"].as_str().unwrap()).unwrap();
    let client = reqwest::Client::builder()
        .tls_certs_only([reqwest::Certificate::from_pem(&ca).unwrap()])
        .build()
        .unwrap();
    let g = info["graph_endpoint"].as_str().unwrap();
    let body = common::form(&[
        ("client_id", info["client_id"].as_str().unwrap()),
        ("client_secret", info["client_secret"].as_str().unwrap()),
        ("grant_type", "client_credentials"),
        ("scope", &format!("{g}/.default")),
    ]);
    let url = format!(
        "{}/{}/oauth2/v2.0/token",
        info["authority_host"].as_str().unwrap(),
        info["tenant_id"].as_str().unwrap()
    );
    let tok: serde_json::Value = common::post_form(&client, &url, body)
        .await
        .json()
        .await
        .unwrap();
    let list: serde_json::Value = client
        .get(format!(
            "{g}/v1.0/identity/conditionalAccess/authenticationContextClassReferences"
        ))
        .bearer_auth(tok["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(!list["value"].as_array().unwrap().is_empty());

    // The OIDC issuer accepts the request token chosen on the command line.
    let resp = client
        .get(format!(
            "{}/_sim/oidc/token?audience=api://AzureADTokenExchange",
            info["authority_host"].as_str().unwrap()
        ))
        .bearer_auth("gh-request-token")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);

    // SIGTERM: the binary shuts down and removes its CA file.
    let mut inner = child.0.take().unwrap();
    let ca_file = std::path::PathBuf::from(info["ca_file"].as_str().unwrap());
    let term = Command::new("kill")
        .args(["-TERM", &inner.id().to_string()])
        .status()
        .is_ok_and(|s| s.success());
    if !term {
        inner.kill().unwrap();
    }
    let status = inner.wait().unwrap();
    if term {
        assert!(status.success(), "clean exit on SIGTERM: {status:?}");
        assert!(!ca_file.exists(), "CA file removed on SIGTERM");
    }
    // Nothing else was printed.
    let mut rest = String::new();
    stdout.read_to_string(&mut rest).unwrap();
    assert_eq!(rest, "");
}

#[test]
fn help_and_bad_args() {
    let out = Command::new(env!("CARGO_BIN_EXE_entra-graph-sim"))
        .arg("--help")
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("--ca-rate-limit"));
    let out = Command::new(env!("CARGO_BIN_EXE_entra-graph-sim"))
        .arg("--bogus")
        .output()
        .unwrap();
    assert!(!out.status.success());
}
