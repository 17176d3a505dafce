//! Which credential signs us in, built with `azure_identity`. Every credential that makes HTTP
//! requests itself shares our one `reqwest` client (so `SSL_CERT_FILE` applies to login too) and
//! takes its login host from `ClientOptions.cloud`, so national clouds and private endpoints work
//! the same way. The Azure CLI credential runs `az`, which uses its own cloud settings.
//!
//! Those requests go through [`SignInTransport`], which checks each answer before
//! `azure_identity` reads it: see there.

use super::http::{self, ReadError};
use crate::log;
use azure_core::cloud::{CloudConfiguration, CustomConfiguration};
use azure_core::credentials::{Secret, SecretBytes, TokenCredential};
use azure_core::error::ErrorKind;
use azure_core::http::headers::{HeaderName, HeaderValue, Headers};
use azure_core::http::{
    AsyncRawResponse, Body, ClientMethodOptions, ClientOptions, HttpClient, Request, Transport,
};
use azure_identity::{
    AzureCliCredential, AzureCliCredentialOptions, ClientAssertion, ClientAssertionCredential,
    ClientAssertionCredentialOptions, ClientCertificateCredential,
    ClientCertificateCredentialOptions, ClientSecretCredential, ClientSecretCredentialOptions,
    ManagedIdentityCredential, ManagedIdentityCredentialOptions, UserAssignedId,
};
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

/// Where a federated (OIDC) token comes from, in the order azuread users know.
#[derive(Clone)]
pub enum OidcSource {
    /// The token itself (`oidc_token`, `ARM_OIDC_TOKEN`).
    Token(String),
    /// A file holding the token, read anew for each token request (`oidc_token_file_path`).
    File(PathBuf),
    /// Ask a URL, with the request token as bearer: GitHub Actions' way (GET, answer `value`),
    /// or Azure Pipelines' when a service connection is named (POST, answer `oidcToken`).
    Request {
        /// Where to ask.
        url: String,
        /// The bearer token for asking.
        token: String,
        /// The Azure Pipelines service connection; `None` asks GitHub Actions' way.
        ado_service_connection_id: Option<String>,
    },
}

/// The sign-in settings after provider attributes and `ARM_*` variables are merged.
#[derive(Clone, Default)]
pub struct AuthSettings {
    /// The tenant signed in to.
    pub tenant_id: String,
    /// The app that signs in; for a managed identity, the user-assigned one (`None`:
    /// system-assigned).
    pub client_id: Option<String>,
    /// Set: sign in with this secret, unless OIDC or a certificate is set too.
    pub client_secret: Option<String>,
    /// PKCS#12 bytes.
    pub client_certificate: Option<Vec<u8>>,
    /// The PKCS#12 file's password, if it has one.
    pub client_certificate_password: Option<String>,
    /// Set: sign in with OIDC, the token from here (`use_oidc` with a token source).
    pub oidc: Option<OidcSource>,
    /// Sign in as the managed identity, when nothing more explicit is set.
    pub use_msi: bool,
    /// Sign in through `az`, the last resort.
    pub use_cli: bool,
    /// The login host of the cloud, `https://login.microsoftonline.com` say.
    pub authority_host: String,
}

impl AuthSettings {
    /// Every secret among the settings, for the log's redaction list.
    pub fn secrets(&self) -> Vec<&str> {
        let oidc = match &self.oidc {
            Some(OidcSource::Token(t)) => Some(t.as_str()),
            Some(OidcSource::Request { token, .. }) => Some(token.as_str()),
            _ => None,
        };
        [
            self.client_secret.as_deref(),
            self.client_certificate_password.as_deref(),
            oidc,
        ]
        .into_iter()
        .flatten()
        .collect()
    }
}

/// Chooses and builds the credential. The order: OIDC when asked for, then a certificate, then a
/// secret, then managed identity, then the Azure CLI, so that the most explicit setting wins.
/// Returns the credential and a name for logs.
pub fn build(
    s: &AuthSettings,
    http: &reqwest::Client,
) -> Result<(Arc<dyn TokenCredential>, &'static str), String> {
    let options = client_options(http, &s.authority_host);
    let need_client_id = |what: &str| {
        s.client_id.clone().ok_or_else(|| {
            format!("client_id (or ARM_CLIENT_ID) is required to sign in with {what}")
        })
    };
    let fail = |what: &str, e: azure_core::Error| format!("cannot set up {what} sign-in: {e}");
    if let Some(source) = &s.oidc {
        let assertion = FederatedToken {
            source: source.clone(),
            http: http.clone(),
        };
        let cred = ClientAssertionCredential::new(
            s.tenant_id.clone(),
            need_client_id("OIDC")?,
            assertion,
            Some(ClientAssertionCredentialOptions {
                client_options: options,
            }),
        )
        .map_err(|e| fail("OIDC", e))?;
        return Ok((cred, "oidc"));
    }
    if let Some(cert) = &s.client_certificate {
        let cred = ClientCertificateCredential::new(
            s.tenant_id.clone(),
            need_client_id("a client certificate")?,
            SecretBytes::new(cert.clone()),
            Some(ClientCertificateCredentialOptions {
                client_options: options,
                password: s.client_certificate_password.clone().map(Secret::new),
            }),
        )
        .map_err(|e| fail("client certificate", e))?;
        return Ok((cred, "client_certificate"));
    }
    if let Some(secret) = &s.client_secret {
        let cred = ClientSecretCredential::new(
            &s.tenant_id,
            need_client_id("a client secret")?,
            Secret::new(secret.clone()),
            Some(ClientSecretCredentialOptions {
                client_options: options,
            }),
        )
        .map_err(|e| fail("client secret", e))?;
        return Ok((cred, "client_secret"));
    }
    if s.use_msi {
        let cred = ManagedIdentityCredential::new(Some(ManagedIdentityCredentialOptions {
            user_assigned_id: s.client_id.clone().map(UserAssignedId::ClientId),
            client_options: options,
        }))
        .map_err(|e| fail("managed identity", e))?;
        return Ok((cred, "managed_identity"));
    }
    if s.use_cli {
        let cred = AzureCliCredential::new(Some(AzureCliCredentialOptions {
            tenant_id: Some(s.tenant_id.clone()).filter(|t| !t.is_empty()),
            ..Default::default()
        }))
        .map_err(|e| fail("Azure CLI", e))?;
        return Ok((cred, "azure_cli"));
    }
    Err("no way to sign in is configured: set client_secret, a client certificate, use_oidc, use_msi or use_cli".into())
}

fn client_options(http: &reqwest::Client, authority_host: &str) -> ClientOptions {
    let mut cloud = CustomConfiguration::default();
    cloud.authority_host = authority_host.to_string();
    ClientOptions {
        transport: Some(Transport::new(Arc::new(SignInTransport(http.clone())))),
        cloud: Some(Arc::new(CloudConfiguration::Custom(cloud))),
        ..Default::default()
    }
}

/// Entra issues tokens for at most a day. A longer `expires_in` is clamped to that: a value
/// near 2^53 or a negative one overflows the date arithmetic inside `azure_identity`, which
/// panics and takes the provider down. A token that claims too long a life is refused by Graph
/// in time anyway, and the client then asks for a new one.
const MAX_TOKEN_LIFETIME_SECS: i64 = 24 * 60 * 60;

/// The HTTP transport of every credential that signs in over HTTP: our shared client (so no
/// redirect is followed, see `http`), with each answer checked before `azure_identity` reads
/// it: no larger than `http::MAX_ANSWER_BYTES`, token lifetimes clamped, and a token that could
/// never be sent in a header (a CR or LF in it) refused at once rather than retried at every
/// Graph request. The secrets in each request are registered for redaction first, so that an
/// error answer echoing them is blanked wherever it is shown.
#[derive(Debug)]
struct SignInTransport(reqwest::Client);

#[async_trait::async_trait]
impl HttpClient for SignInTransport {
    async fn execute_request(&self, request: &Request) -> azure_core::Result<AsyncRawResponse> {
        let fail = |m: String| azure_core::Error::with_message(ErrorKind::Credential, m);
        let Body::Bytes(body) = request.body() else {
            return Err(fail("a sign-in request with a streamed body".into()));
        };
        for (field, value) in url::form_urlencoded::parse(body) {
            if field == "client_secret" || field == "client_assertion" {
                log::redact_also(&value);
            }
        }
        let method = reqwest::Method::from_bytes(request.method().as_str().as_bytes())
            .map_err(|e| fail(e.to_string()))?;
        let mut req = self.0.request(method, request.url().clone());
        for (name, value) in request.headers().iter() {
            req = req.header(name.as_str(), value.as_str());
        }
        // Network failures keep the kinds azure_core's retry policy retries; a request that
        // cannot be built gets one it does not.
        let resp = req.body(body.clone()).send().await.map_err(|e| {
            let kind = if e.is_builder() {
                ErrorKind::Other
            } else if e.is_connect() {
                ErrorKind::Connection
            } else {
                ErrorKind::Io
            };
            azure_core::Error::with_error(kind, e, "sign-in request failed")
        })?;
        let host = request.url().origin().ascii_serialization();
        if let Some(m) = http::redirect_refused(&resp) {
            return Err(fail(format!("the login host {host} {m}")));
        }
        let status = resp.status().as_u16();
        let headers: Headers = resp
            .headers()
            .iter()
            .filter_map(|(k, v)| {
                let v = v.to_str().ok()?;
                Some((
                    HeaderName::from(k.as_str().to_owned()),
                    HeaderValue::from(v.to_owned()),
                ))
            })
            .collect::<std::collections::HashMap<_, _>>()
            .into();
        let body = match http::read_capped(resp).await {
            Ok(b) => b,
            Err(ReadError::TooLarge) => {
                return Err(fail(format!(
                    "the login host {host}: {}",
                    ReadError::TooLarge
                )))
            }
            Err(ReadError::Broken(m)) => {
                return Err(azure_core::Error::with_message(ErrorKind::Io, m))
            }
        };
        let body =
            checked_token_answer(body).map_err(|m| fail(format!("the login host {host} {m}")))?;
        Ok(AsyncRawResponse::from_bytes(status.into(), headers, body))
    }
}

/// A token answer `azure_identity` can read without harm: lifetimes clamped to a day, and an
/// error for an access token that is not a valid header value.
fn checked_token_answer(body: Vec<u8>) -> Result<Vec<u8>, String> {
    let Ok(serde_json::Value::Object(mut answer)) = serde_json::from_slice(&body) else {
        return Ok(body);
    };
    if let Some(token) = answer.get("access_token").and_then(|t| t.as_str()) {
        if reqwest::header::HeaderValue::from_str(token).is_err() {
            return Err("answered an access token that cannot be sent in an HTTP header (it holds a line break or another control character); refusing it".into());
        }
    }
    let mut clamped = false;
    for field in ["expires_in", "ext_expires_in"] {
        if let Some(n) = answer.get(field).and_then(|n| n.as_i64()) {
            if !(0..=MAX_TOKEN_LIFETIME_SECS).contains(&n) {
                answer.insert(field.into(), n.clamp(0, MAX_TOKEN_LIFETIME_SECS).into());
                clamped = true;
            }
        }
    }
    if !clamped {
        return Ok(body);
    }
    log::warn(
        "the login host answered a token lifetime beyond a day or below zero; clamped",
        &[],
    );
    Ok(serde_json::to_vec(&answer).expect("a JSON object serializes"))
}

/// Supplies the federated token for each token request; files and request URLs are read anew
/// every time because CI systems rotate these tokens.
struct FederatedToken {
    source: OidcSource,
    http: reqwest::Client,
}

impl fmt::Debug for FederatedToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("FederatedToken")
    }
}

#[async_trait::async_trait]
impl ClientAssertion for FederatedToken {
    async fn secret(&self, _: Option<ClientMethodOptions<'_>>) -> azure_core::Result<String> {
        let err = |m: String| {
            azure_core::Error::with_message(azure_core::error::ErrorKind::Credential, m)
        };
        match &self.source {
            OidcSource::Token(t) => Ok(t.clone()),
            OidcSource::File(p) => std::fs::read_to_string(p)
                .map(|t| t.trim().to_string())
                .map_err(|e| err(format!("cannot read OIDC token file {}: {e}", p.display()))),
            OidcSource::Request {
                url,
                token,
                ado_service_connection_id,
            } => {
                let mut url = url::Url::parse(url)
                    .map_err(|e| err(format!("oidc_request_url is not a URL: {e}")))?;
                let (request, field) = match ado_service_connection_id {
                    // Azure DevOps' OIDC endpoint (SYSTEM_OIDCREQUESTURI) takes a POST naming
                    // the service connection; without the redirect header it would answer a
                    // sign-in page instead of 401 when the access token is not accepted.
                    Some(connection) => {
                        url.query_pairs_mut()
                            .append_pair("api-version", "7.1")
                            .append_pair("serviceConnectionId", connection);
                        let request = self
                            .http
                            .post(url)
                            .header("X-TFS-FedAuthRedirect", "Suppress")
                            .header("Content-Length", "0");
                        (request, "oidcToken")
                    }
                    None => {
                        if !url.query_pairs().any(|(k, _)| k == "audience") {
                            url.query_pairs_mut()
                                .append_pair("audience", "api://AzureADTokenExchange");
                        }
                        (self.http.get(url), "value")
                    }
                };
                let resp = request
                    .bearer_auth(token)
                    .header("Accept", "application/json")
                    .send()
                    .await
                    .map_err(|e| err(format!("OIDC token request failed: {e}")))?;
                if let Some(m) = http::redirect_refused(&resp) {
                    return Err(err(format!("OIDC token request {m}")));
                }
                let status = resp.status();
                let bytes = http::read_capped(resp)
                    .await
                    .map_err(|e| err(format!("OIDC token request failed: {e}")))?;
                let body: serde_json::Value = serde_json::from_slice(&bytes).map_err(|e| {
                    err(format!(
                        "OIDC token request answered HTTP {status}, not JSON: {e}"
                    ))
                })?;
                let token = body[field].as_str().ok_or_else(|| {
                    err(format!(
                        "OIDC token request answered HTTP {status} without a token"
                    ))
                })?;
                log::redact_also(token);
                Ok(token.to_string())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_lifetimes_are_clamped_to_a_day() {
        let answer = br#"{"token_type":"Bearer","expires_in":9007199254740991,"ext_expires_in":-5,"access_token":"a.b.c"}"#;
        let fixed: serde_json::Value =
            serde_json::from_slice(&checked_token_answer(answer.to_vec()).unwrap()).unwrap();
        assert_eq!(fixed["expires_in"], MAX_TOKEN_LIFETIME_SECS);
        assert_eq!(fixed["ext_expires_in"], 0);
        assert_eq!(fixed["access_token"], "a.b.c");
        let calm = br#"{"expires_in":3599,"access_token":"a.b.c"}"#.to_vec();
        assert_eq!(checked_token_answer(calm.clone()).unwrap(), calm);
        let not_json = b"<html>".to_vec();
        assert_eq!(checked_token_answer(not_json.clone()).unwrap(), not_json);
    }

    #[test]
    fn a_token_with_a_line_break_is_refused() {
        let e = checked_token_answer(
            br#"{"expires_in":3599,"access_token":"a.b\r\nX-Evil: 1"}"#.to_vec(),
        )
        .unwrap_err();
        assert!(e.contains("cannot be sent in an HTTP header"), "{e}");
    }
}
