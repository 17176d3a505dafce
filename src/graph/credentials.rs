//! Which credential signs us in, built with `azure_identity`. Every credential that makes HTTP
//! requests itself shares our one `reqwest` client (so `SSL_CERT_FILE` applies to login too) and
//! takes its login host from `ClientOptions.cloud`, so national clouds and private endpoints work
//! the same way. The Azure CLI credential runs `az`, which uses its own cloud settings.

use azure_core::cloud::{CloudConfiguration, CustomConfiguration};
use azure_core::credentials::{Secret, SecretBytes, TokenCredential};
use azure_core::http::{ClientMethodOptions, ClientOptions, Transport};
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
    Token(String),
    File(PathBuf),
    /// Ask a URL, with the request token as bearer: GitHub Actions' way (GET, answer `value`),
    /// or Azure Pipelines' when a service connection is named (POST, answer `oidcToken`).
    Request {
        url: String,
        token: String,
        ado_service_connection_id: Option<String>,
    },
}

/// The sign-in settings after provider attributes and `ARM_*` variables are merged.
#[derive(Clone, Default)]
pub struct AuthSettings {
    pub tenant_id: String,
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    /// PKCS#12 bytes.
    pub client_certificate: Option<Vec<u8>>,
    pub client_certificate_password: Option<String>,
    /// Set: sign in with OIDC, the token from here (`use_oidc` with a token source).
    pub oidc: Option<OidcSource>,
    pub use_msi: bool,
    pub use_cli: bool,
    pub authority_host: String,
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
        transport: Some(Transport::new(Arc::new(http.clone()))),
        cloud: Some(Arc::new(CloudConfiguration::Custom(cloud))),
        ..Default::default()
    }
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
                let status = resp.status();
                let body: serde_json::Value = resp.json().await.map_err(|e| {
                    err(format!(
                        "OIDC token request answered HTTP {status}, not JSON: {e}"
                    ))
                })?;
                body[field].as_str().map(str::to_string).ok_or_else(|| {
                    err(format!(
                        "OIDC token request answered HTTP {status} without a token"
                    ))
                })
            }
        }
    }
}
