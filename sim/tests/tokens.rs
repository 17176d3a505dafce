//! Token endpoint, managed identity, OIDC issuer and Graph bearer checks.

mod common;

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use common::*;
use entra_graph_sim::{SimOptions, Simulator};
use reqwest::Method;
use serde_json::{json, Value};

const ACR: &str = "/v1.0/identity/conditionalAccess/authenticationContextClassReferences";

fn claims(jwt: &str) -> Value {
    let part = jwt.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
}

fn scope(sim: &Simulator) -> String {
    format!("{}/.default", sim.info().graph_endpoint)
}

async fn graph_status(sim: &Simulator, client: &reqwest::Client, token: &str) -> u16 {
    send(client, Method::GET, &graph_url(sim, ACR), token, None)
        .await
        .0
}

/// Assert Entra's error shape (keys of the reference example) and return (error, first code).
async fn entra_error(resp: reqwest::Response, status: u16) -> (String, i64) {
    assert_eq!(resp.status().as_u16(), status);
    let body: Value = resp.json().await.unwrap();
    let reference = example("oauth.token.error.json");
    for k in reference.as_object().unwrap().keys() {
        assert!(body.get(k).is_some(), "missing {k} in {body}");
    }
    let desc = body["error_description"].as_str().unwrap();
    assert!(desc.starts_with("AADSTS"), "{desc}");
    assert!(
        desc.contains("\r\nTrace ID: ")
            && desc.contains("\r\nCorrelation ID: ")
            && desc.contains("\r\nTimestamp: ")
    );
    let code = body["error_codes"][0].as_i64().unwrap();
    assert!(desc.starts_with(&format!("AADSTS{code}:")));
    (body["error"].as_str().unwrap().to_string(), code)
}

#[tokio::test]
async fn client_secret_form_and_basic() {
    let (sim, client) = start(SimOptions::default()).await;
    let info = sim.info().clone();
    let scope = scope(&sim);
    let resp = post_form(
        &client,
        &token_url(&sim),
        form(&[
            ("client_id", &info.client_id),
            ("client_secret", &info.client_secret),
            ("grant_type", "client_credentials"),
            ("scope", &scope),
        ]),
    )
    .await;
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.unwrap();
    for k in example("oauth.token.response.json")
        .as_object()
        .unwrap()
        .keys()
    {
        assert!(body.get(k).is_some(), "missing {k}");
    }
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 3599);
    assert_eq!(body["ext_expires_in"], 3599);
    let token = body["access_token"].as_str().unwrap();
    let c = claims(token);
    assert_eq!(c["aud"], info.graph_endpoint);
    assert_eq!(c["tid"], info.tenant_id);
    assert_eq!(c["appid"], info.client_id);
    assert!(c["roles"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r == "Policy.ReadWrite.ConditionalAccess"));
    assert!(c["exp"].as_i64().unwrap() - c["iat"].as_i64().unwrap() >= 3599);
    assert_eq!(graph_status(&sim, &client, token).await, 200);

    // HTTP Basic client authentication.
    let resp = client
        .post(token_url(&sim))
        .basic_auth(&info.client_id, Some(&info.client_secret))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form(&[
            ("grant_type", "client_credentials"),
            ("scope", &scope),
        ]))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(
        graph_status(&sim, &client, body["access_token"].as_str().unwrap()).await,
        200
    );
}

#[tokio::test]
async fn token_errors() {
    let (sim, client) = start(SimOptions::default()).await;
    let info = sim.info().clone();
    let scope = scope(&sim);

    let resp = post_form(
        &client,
        &token_url(&sim),
        form(&[
            ("client_id", &info.client_id),
            ("client_secret", "wrong"),
            ("grant_type", "client_credentials"),
            ("scope", &scope),
        ]),
    )
    .await;
    let (err, code) = entra_error(resp, 401).await;
    assert_eq!((err.as_str(), code), ("invalid_client", 7000215));

    let resp = post_form(
        &client,
        &token_url(&sim),
        form(&[
            ("client_id", &info.client_id),
            ("client_secret", &info.client_secret),
            ("grant_type", "client_credentials"),
            ("scope", "https://graph.microsoft.com/.default"),
        ]),
    )
    .await;
    let (err, code) = entra_error(resp, 400).await;
    assert_eq!((err.as_str(), code), ("invalid_scope", 70011));

    let other_tenant = format!(
        "{}/{}/oauth2/v2.0/token",
        info.authority_host,
        uuid::Uuid::new_v4()
    );
    let resp = post_form(
        &client,
        &other_tenant,
        form(&[
            ("client_id", &info.client_id),
            ("client_secret", &info.client_secret),
            ("grant_type", "client_credentials"),
            ("scope", &scope),
        ]),
    )
    .await;
    let (err, code) = entra_error(resp, 400).await;
    assert_eq!((err.as_str(), code), ("invalid_request", 90002));

    let resp = post_form(
        &client,
        &token_url(&sim),
        form(&[
            ("client_id", &uuid::Uuid::new_v4().to_string()),
            ("client_secret", "x"),
            ("grant_type", "client_credentials"),
            ("scope", &scope),
        ]),
    )
    .await;
    let (_, code) = entra_error(resp, 400).await;
    assert_eq!(code, 700016);

    let resp = post_form(
        &client,
        &token_url(&sim),
        form(&[
            ("client_id", &info.client_id),
            ("grant_type", "client_credentials"),
            ("scope", &scope),
        ]),
    )
    .await;
    let (err, code) = entra_error(resp, 401).await;
    assert_eq!((err.as_str(), code), ("invalid_client", 7000216));

    // Correlation id echoes client-request-id.
    let resp = client
        .post(token_url(&sim))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("client-request-id", "abcdef00-0000-0000-0000-000000000001")
        .body(form(&[
            ("client_id", &info.client_id),
            ("client_secret", "nope"),
            ("grant_type", "client_credentials"),
            ("scope", &scope),
        ]))
        .send()
        .await
        .unwrap();
    let body: Value = resp.json().await.unwrap();
    assert_eq!(
        body["correlation_id"],
        "abcdef00-0000-0000-0000-000000000001"
    );
}

/// A test certificate + RS256 signer, like a PFX handed to ClientCertificateCredential.
struct TestCert {
    pem: String,
    x5t: String,
    key: aws_lc_rs::rsa::KeyPair,
}

fn test_cert() -> TestCert {
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_RSA_SHA256).expect("RSA key via rcgen");
    let mut params = rcgen::CertificateParams::new(vec!["sim-client".to_string()]).unwrap();
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "sim-client");
    let cert = params.self_signed(&key).unwrap();
    let thumb = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA1_FOR_LEGACY_USE_ONLY, cert.der());
    TestCert {
        pem: cert.pem(),
        // azure_identity sends standard (not url-safe) base64 here.
        x5t: STANDARD.encode(thumb.as_ref()),
        key: aws_lc_rs::rsa::KeyPair::from_pkcs8(&key.serialize_der()).unwrap(),
    }
}

/// Builds the assertion exactly as azure_identity 1.0's ClientCertificateCredential does.
fn cert_assertion(cert: &TestCert, aud: &str, client_id: &str, exp_offset: i64) -> String {
    let header = format!(r#"{{"alg":"RS256","typ":"JWT","x5t":"{}"}}"#, cert.x5t);
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let payload = format!(
        r#"{{"aud":"{}","exp":{},"iss": "{}", "jti": "{}", "nbf": {}, "sub": "{}"}}"#,
        aud,
        now + exp_offset,
        client_id,
        uuid::Uuid::new_v4(),
        now,
        client_id
    );
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header),
        URL_SAFE_NO_PAD.encode(payload)
    );
    let mut sig = vec![0u8; cert.key.public_modulus_len()];
    cert.key
        .sign(
            &aws_lc_rs::signature::RSA_PKCS1_SHA256,
            &aws_lc_rs::rand::SystemRandom::new(),
            input.as_bytes(),
            &mut sig,
        )
        .unwrap();
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig))
}

async fn assertion_request(
    sim: &Simulator,
    client: &reqwest::Client,
    assertion: &str,
) -> reqwest::Response {
    let scope = scope(sim);
    post_form(
        client,
        &token_url(sim),
        form(&[
            ("client_id", &sim.info().client_id),
            ("scope", &scope),
            (
                "client_assertion_type",
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            ),
            ("client_assertion", assertion),
            ("grant_type", "client_credentials"),
        ]),
    )
    .await
}

#[tokio::test]
async fn certificate_assertion() {
    let (sim, client) = start(SimOptions::default()).await;
    let cert = test_cert();
    let client_id = sim.info().client_id.clone();
    let aud = token_url(&sim);

    // Not registered yet: key not found.
    let resp =
        assertion_request(&sim, &client, &cert_assertion(&cert, &aud, &client_id, 300)).await;
    let (err, code) = entra_error(resp, 401).await;
    assert_eq!((err.as_str(), code), ("invalid_client", 700027));

    // Register through the control endpoint.
    let resp = client
        .post(format!(
            "{}/_sim/clients/{client_id}/certificates",
            sim.info().authority_host
        ))
        .body(cert.pem.clone())
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_success());
    let resp =
        assertion_request(&sim, &client, &cert_assertion(&cert, &aud, &client_id, 300)).await;
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(
        graph_status(&sim, &client, body["access_token"].as_str().unwrap()).await,
        200
    );

    // Expired, wrong audience, wrong issuer, tampered signature.
    let resp =
        assertion_request(&sim, &client, &cert_assertion(&cert, &aud, &client_id, -10)).await;
    assert_eq!(entra_error(resp, 401).await.1, 700024);
    let resp = assertion_request(
        &sim,
        &client,
        &cert_assertion(
            &cert,
            "https://login.microsoftonline.com/x/oauth2/v2.0/token",
            &client_id,
            300,
        ),
    )
    .await;
    entra_error(resp, 401).await;
    let resp = assertion_request(
        &sim,
        &client,
        &cert_assertion(&cert, &aud, "someone-else", 300),
    )
    .await;
    assert_eq!(entra_error(resp, 401).await.1, 700021);
    let other = test_cert();
    let mut forged = cert_assertion(&other, &aud, &client_id, 300);
    // Keep the registered cert's x5t but the other key's signature.
    let parts: Vec<&str> = forged.split('.').collect();
    let good = cert_assertion(&cert, &aud, &client_id, 300);
    let good_parts: Vec<&str> = good.split('.').collect();
    forged = format!("{}.{}.{}", good_parts[0], good_parts[1], parts[2]);
    let resp = assertion_request(&sim, &client, &forged).await;
    assert_eq!(entra_error(resp, 401).await.1, 700027);

    // Library registration works too.
    let cert2 = test_cert();
    sim.register_certificate(&cert2.pem).unwrap();
    let resp = assertion_request(
        &sim,
        &client,
        &cert_assertion(&cert2, &aud, &client_id, 300),
    )
    .await;
    assert_eq!(resp.status(), 200);
}

#[tokio::test]
async fn federated_assertion() {
    let (sim, client) = start(SimOptions::default()).await;
    // Through the GitHub-like issuer, exactly as ACTIONS_ID_TOKEN_REQUEST_URL is used.
    let oidc_url = format!(
        "{}/_sim/oidc/token?audience=api://AzureADTokenExchange",
        sim.info().authority_host
    );
    let resp = client
        .get(&oidc_url)
        .bearer_auth("wrong")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    let resp = client
        .get(&oidc_url)
        .bearer_auth(sim.oidc_request_token())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let v: Value = resp.json().await.unwrap();
    let jwt = v["value"].as_str().unwrap().to_string();
    assert_eq!(claims(&jwt)["aud"], "api://AzureADTokenExchange");
    let resp = assertion_request(&sim, &client, &jwt).await;
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(
        graph_status(&sim, &client, body["access_token"].as_str().unwrap()).await,
        200
    );

    // Minted directly.
    let resp = assertion_request(&sim, &client, &sim.mint_federated_token()).await;
    assert_eq!(resp.status(), 200);

    // Wrong audience (GitHub's default when none is asked for) is refused.
    let resp = client
        .get(format!("{}/_sim/oidc/token", sim.info().authority_host))
        .bearer_auth(sim.oidc_request_token())
        .send()
        .await
        .unwrap();
    let v: Value = resp.json().await.unwrap();
    let resp = assertion_request(&sim, &client, v["value"].as_str().unwrap()).await;
    assert_eq!(entra_error(resp, 401).await.1, 700212);

    // A federated token is not a Graph access token.
    let (s, _, b) = send(
        &client,
        Method::GET,
        &graph_url(&sim, ACR),
        &sim.mint_federated_token(),
        None,
    )
    .await;
    assert_eq!(s, 401);
    assert_eq!(
        assert_graph_error(&b.unwrap()),
        "InvalidAuthenticationToken"
    );
}

#[tokio::test]
async fn managed_identity_app_service() {
    let (sim, client) = start(SimOptions::default()).await;
    let base = format!("{}/_sim/msi/token", sim.info().authority_host);
    let resource = sim.info().graph_endpoint.clone();
    // What azure_identity's ImdsManagedIdentityCredential sends for App Service.
    let resp = client
        .get(with_query(
            &base,
            &[
                ("api-version", "2019-08-01"),
                ("resource", resource.as_str()),
            ],
        ))
        .header("metadata", "true")
        .header("X-IDENTITY-HEADER", sim.msi_identity_header())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["resource"], resource.as_str());
    let exp: i64 = body["expires_on"]
        .as_str()
        .expect("expires_on is a string")
        .parse()
        .unwrap();
    assert!(exp > time::OffsetDateTime::now_utc().unix_timestamp());
    assert_eq!(
        graph_status(&sim, &client, body["access_token"].as_str().unwrap()).await,
        200
    );

    let resp = client
        .get(with_query(
            &base,
            &[
                ("api-version", "2019-08-01"),
                ("resource", resource.as_str()),
            ],
        ))
        .header("X-IDENTITY-HEADER", "wrong")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    let resp = client
        .get(with_query(
            &base,
            &[
                ("api-version", "2019-08-01"),
                ("resource", "https://management.azure.com"),
            ],
        ))
        .header("X-IDENTITY-HEADER", sim.msi_identity_header())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
}

#[tokio::test]
async fn user_token_and_bad_tokens() {
    let (sim, client) = start(SimOptions::default()).await;
    let (token, exp) = sim.mint_user_token();
    assert!(exp > time::OffsetDateTime::now_utc().unix_timestamp() + 3000);
    let c = claims(&token);
    assert!(c["scp"]
        .as_str()
        .unwrap()
        .contains("Policy.ReadWrite.ConditionalAccess"));
    assert!(c["upn"].is_string());
    assert!(c.get("roles").is_none());
    assert_eq!(graph_status(&sim, &client, &token).await, 200);

    // No token.
    let resp = client.get(graph_url(&sim, ACR)).send().await.unwrap();
    assert_eq!(resp.status(), 401);
    assert!(resp.headers().contains_key("request-id"));
    assert!(resp.headers().contains_key("client-request-id"));
    let b: Value = resp.json().await.unwrap();
    assert_eq!(assert_graph_error(&b), "InvalidAuthenticationToken");
    // Garbage and tampered tokens.
    let (s, _, b) = send(
        &client,
        Method::GET,
        &graph_url(&sim, ACR),
        "not-a-jwt",
        None,
    )
    .await;
    assert_eq!(s, 401);
    assert_eq!(
        assert_graph_error(&b.unwrap()),
        "InvalidAuthenticationToken"
    );
    let mut parts: Vec<String> = token.split('.').map(str::to_string).collect();
    let mut forged = claims(&token);
    forged["roles"] = json!(["Directory.ReadWrite.All"]);
    parts[1] = URL_SAFE_NO_PAD.encode(forged.to_string());
    let (s, _, _) = send(
        &client,
        Method::GET,
        &graph_url(&sim, ACR),
        &parts.join("."),
        None,
    )
    .await;
    assert_eq!(s, 401);
    // A token from another simulator instance (different key, different audience).
    let (other, _) = start(SimOptions::default()).await;
    let (s, _, _) = send(
        &client,
        Method::GET,
        &graph_url(&sim, ACR),
        &other.mint_app_token(),
        None,
    )
    .await;
    assert_eq!(s, 401);
}
