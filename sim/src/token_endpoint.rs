//! Entra token endpoint (`POST /{tenant}/oauth2/v2.0/token`, client credentials), the App
//! Service managed identity endpoint, the GitHub-like OIDC issuer, and certificate registration.
//!
//! Request shapes follow what azure_identity 1.0 sends (ClientSecretCredential,
//! ClientCertificateCredential, ClientAssertion/WorkloadIdentityCredential,
//! AppServiceManagedIdentityCredential); error shapes follow Entra's (`error`,
//! `error_description` with `AADSTSnnnn: ...\r\nTrace ID: ...`, `error_codes`, ...).

use crate::auth::{self, b64_any, Jwt, FEDERATED_AUDIENCE};
use crate::server::{header_str, RequestIds};
use crate::state::SimState;
use crate::time_fmt::{entra, now, unix_now};
use axum::body::Bytes;
use axum::extract::{Extension, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::Arc;

const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// An Entra OAuth error; `status` is 401 for `invalid_client`, else 400.
struct EntraError {
    error: &'static str,
    code: u32,
    text: String,
}

impl EntraError {
    fn new(error: &'static str, code: u32, text: impl Into<String>) -> Self {
        EntraError {
            error,
            code,
            text: text.into(),
        }
    }

    fn into_response(self, correlation_id: &str) -> Response {
        let trace_id = uuid::Uuid::new_v4().to_string();
        let ts = entra(now());
        let status = if self.error == "invalid_client" {
            StatusCode::UNAUTHORIZED
        } else {
            StatusCode::BAD_REQUEST
        };
        let body = json!({
            "error": self.error,
            "error_description": format!(
                "AADSTS{}: {}\r\nTrace ID: {trace_id}\r\nCorrelation ID: {correlation_id}\r\nTimestamp: {ts}",
                self.code, self.text
            ),
            "error_codes": [self.code],
            "timestamp": ts,
            "trace_id": trace_id,
            "correlation_id": correlation_id,
            "error_uri": format!("https://login.microsoftonline.com/error?code={}", self.code),
        });
        let mut resp = (status, axum::Json(body)).into_response();
        let h = resp.headers_mut();
        h.insert(
            "cache-control",
            HeaderValue::from_static("no-store, no-cache"),
        );
        h.insert("pragma", HeaderValue::from_static("no-cache"));
        resp
    }
}

fn correlation_id(headers: &HeaderMap, ids: &RequestIds) -> String {
    header_str(headers, "client-request-id")
        .map(str::to_string)
        .unwrap_or_else(|| ids.request_id.clone())
}

/// `POST /{tenant}/oauth2/v2.0/token`
pub(crate) async fn token(
    State(state): State<Arc<SimState>>,
    Path(tenant): Path<String>,
    Extension(ids): Extension<RequestIds>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let corr = correlation_id(&headers, &ids);
    match issue(&state, &tenant, &headers, &body) {
        Ok(token) => {
            let mut resp = axum::Json(json!({
                "token_type": "Bearer",
                "expires_in": auth::ACCESS_TOKEN_LIFETIME,
                "ext_expires_in": auth::ACCESS_TOKEN_LIFETIME,
                "access_token": token,
            }))
            .into_response();
            let h = resp.headers_mut();
            h.insert(
                "cache-control",
                HeaderValue::from_static("no-store, no-cache"),
            );
            h.insert("pragma", HeaderValue::from_static("no-cache"));
            resp
        }
        Err(e) => e.into_response(&corr),
    }
}

fn issue(
    state: &SimState,
    tenant: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<String, EntraError> {
    if !tenant.eq_ignore_ascii_case(&state.info.tenant_id) {
        return Err(EntraError::new(
            "invalid_request",
            90002,
            format!("Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant."),
        ));
    }
    let form: HashMap<String, String> = url::form_urlencoded::parse(body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let missing = |p: &str| {
        EntraError::new(
            "invalid_request",
            900144,
            format!("The request body must contain the following parameter: '{p}'."),
        )
    };
    let grant_type = form
        .get("grant_type")
        .ok_or_else(|| missing("grant_type"))?;
    if grant_type != "client_credentials" {
        return Err(EntraError::new(
            "unsupported_grant_type",
            70003,
            format!("The app requested an unsupported grant type '{grant_type}'."),
        ));
    }

    // HTTP Basic client authentication (RFC 6749 §2.3.1): form-urlencoded id and secret.
    let basic = header_str(headers, "authorization")
        .and_then(|h| {
            h.strip_prefix("Basic ")
                .or_else(|| h.strip_prefix("basic "))
        })
        .and_then(|b| STANDARD.decode(b.trim()).ok())
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| {
            let (id, secret) = s.split_once(':')?;
            let dec = |x: &str| {
                url::form_urlencoded::parse(format!("x={x}").as_bytes())
                    .next()
                    .map(|(_, v)| v.into_owned())
                    .unwrap_or_default()
            };
            Some((dec(id), dec(secret)))
        });
    let client_id = form
        .get("client_id")
        .cloned()
        .or_else(|| basic.as_ref().map(|(id, _)| id.clone()))
        .ok_or_else(|| missing("client_id"))?;
    if !state.client_known(&client_id) {
        return Err(EntraError::new(
            "unauthorized_client",
            700016,
            format!("Application with identifier '{client_id}' was not found in the directory '{tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant."),
        ));
    }
    let scope = form.get("scope").ok_or_else(|| missing("scope"))?;
    let expected_scope = format!("{}/.default", state.info.graph_endpoint);
    if scope.trim() != expected_scope {
        return Err(EntraError::new(
            "invalid_scope",
            70011,
            format!("The provided value for the input parameter 'scope' is not valid. The scope {scope} is not valid."),
        ));
    }

    let secret = form
        .get("client_secret")
        .cloned()
        .or_else(|| basic.map(|(_, s)| s));
    if let Some(secret) = secret {
        if client_id != state.info.client_id || secret != state.info.client_secret {
            return Err(EntraError::new(
                "invalid_client",
                7000215,
                format!("Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{client_id}'."),
            ));
        }
    } else if let Some(assertion) = form.get("client_assertion") {
        if form.get("client_assertion_type").map(String::as_str) != Some(JWT_BEARER) {
            return Err(EntraError::new(
                "invalid_request",
                90014,
                "The required field 'client_assertion_type' is missing or invalid in the credential. It must be 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'.",
            ));
        }
        verify_assertion(state, tenant, &client_id, assertion)?;
    } else {
        return Err(EntraError::new(
            "invalid_client",
            7000216,
            "'client_assertion', 'client_secret' or 'request' is required for the 'client_credentials' grant type.",
        ));
    }
    Ok(auth::mint_app_token(state, &client_id).0)
}

fn verify_assertion(
    state: &SimState,
    tenant: &str,
    client_id: &str,
    assertion: &str,
) -> Result<(), EntraError> {
    let bad = |code: u32, text: String| EntraError::new("invalid_client", code, text);
    let jwt = Jwt::parse(assertion)
        .map_err(|e| bad(50027, format!("JWT token is invalid or malformed. ({e})")))?;
    let now = unix_now();
    let check_time = |jwt: &Jwt| -> Result<(), EntraError> {
        let exp = jwt.claims.get("exp").and_then(Value::as_i64);
        let nbf = jwt.claims.get("nbf").and_then(Value::as_i64).unwrap_or(0);
        match exp {
            Some(exp) if exp > now && nbf <= now + 300 => Ok(()),
            _ => Err(bad(
                700024,
                format!("Client assertion is not within its valid time range. Current time: {}, assertion valid from {}, expiry time of assertion {}. Review the documentation at https://learn.microsoft.com/entra/identity-platform/certificate-credentials .",
                    now, nbf, exp.map(|e| e.to_string()).unwrap_or_else(|| "(none)".into())),
            )),
        }
    };

    // Federated tokens (GitHub's included) also carry x5t, so tell them apart by issuer.
    let federated = jwt.claim_str("iss") == Some(state.oidc_issuer().as_str());
    if let (false, Some(x5t)) = (federated, jwt.header.get("x5t").and_then(Value::as_str)) {
        // Certificate credential.
        let thumbprint = b64_any(x5t).unwrap_or_default();
        let hex: String = thumbprint.iter().map(|b| format!("{b:02X}")).collect();
        let cert = state.find_certificate(client_id, &thumbprint).ok_or_else(|| {
            bad(700027, format!("Client assertion failed signature validation. [Reason - The key was not found., Thumbprint of key used by client: '{hex}', Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '{client_id}'.]"))
        })?;
        jwt.verify_rs256(&cert.rsa_public_key).map_err(|_| {
            bad(700027, format!("Client assertion failed signature validation. [Reason - The provided signature value did not match the expected signature value., Thumbprint of key used by client: '{hex}', Found key 'Start=..., End=...']"))
        })?;
        let aud = jwt.claim_str("aud").unwrap_or("");
        let accepted = [
            state.token_endpoint_url(tenant),
            format!("{}/{}/oauth2/token", state.info.authority_host, tenant),
            format!("{}/{}/v2.0", state.info.authority_host, tenant),
        ];
        if !accepted.iter().any(|a| a.eq_ignore_ascii_case(aud)) {
            return Err(bad(
                700016,
                format!("Client assertion audience claim '{aud}' does not match the token endpoint '{}'.", accepted[0]),
            ));
        }
        if jwt.claim_str("iss") != Some(client_id) || jwt.claim_str("sub") != Some(client_id) {
            return Err(bad(
                700021,
                "Client assertion application identifier doesn't match 'client_id' parameter. Review the documentation at https://learn.microsoft.com/entra/identity-platform/certificate-credentials .".into(),
            ));
        }
        return check_time(&jwt);
    }

    // Federated credential: a token from the built-in OIDC issuer, signed with our key.
    let iss = jwt.claim_str("iss").unwrap_or("").to_string();
    if iss != state.oidc_issuer() {
        return Err(bad(
            700211,
            format!("No matching federated identity record found for presented assertion issuer '{iss}'. Please check your federated identity credential Subject, Audience and Issuer against the presented assertion."),
        ));
    }
    state
        .keys
        .verify(assertion)
        .map_err(|_| bad(50013, "Assertion failed signature validation.".into()))?;
    let aud_ok = match jwt.claims.get("aud") {
        Some(Value::String(a)) => a == FEDERATED_AUDIENCE,
        Some(Value::Array(a)) => a.iter().any(|x| x.as_str() == Some(FEDERATED_AUDIENCE)),
        _ => false,
    };
    if !aud_ok {
        return Err(bad(
            700212,
            format!("No matching federated identity record found for presented assertion audience '{}'. Please note that the matching is done using a case-sensitive comparison.", jwt.claims.get("aud").map(|a| a.to_string()).unwrap_or_default()),
        ));
    }
    if client_id != state.info.client_id {
        return Err(bad(
            70021,
            format!("No matching federated identity record found for presented assertion. Assertion Issuer: '{iss}'. Assertion Subject: '{}'.", jwt.claim_str("sub").unwrap_or("")),
        ));
    }
    check_time(&jwt)
}

/// `GET /_sim/msi/token?api-version=2019-08-01&resource=<graph>` with `X-IDENTITY-HEADER`, as
/// App Service's IDENTITY_ENDPOINT. Response shape is what azure_identity's MsiTokenResponse
/// parses: `expires_on` is a string of unix seconds.
pub(crate) async fn msi_token(
    State(state): State<Arc<SimState>>,
    Extension(ids): Extension<RequestIds>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let fail = |status: StatusCode, message: String| {
        (
            status,
            axum::Json(json!({"statusCode": status.as_u16(), "message": message, "correlationId": ids.request_id})),
        )
            .into_response()
    };
    if header_str(&headers, "x-identity-header") != Some(state.msi_identity_header.as_str()) {
        return fail(
            StatusCode::UNAUTHORIZED,
            "The X-IDENTITY-HEADER header is missing or does not match IDENTITY_HEADER.".into(),
        );
    }
    if !q.contains_key("api-version") {
        return fail(StatusCode::BAD_REQUEST, "api-version is required.".into());
    }
    let resource = q.get("resource").cloned().or_else(|| {
        q.get("scope")
            .map(|s| s.trim_end_matches("/.default").to_string())
    });
    let Some(resource) = resource else {
        return fail(StatusCode::BAD_REQUEST, "resource is required.".into());
    };
    if resource.trim_end_matches('/') != state.info.graph_endpoint {
        return fail(
            StatusCode::BAD_REQUEST,
            format!("AADSTS500011: The resource principal named {resource} was not found in the tenant."),
        );
    }
    if let Some(cid) = q.get("client_id") {
        if cid != &state.info.client_id {
            return fail(
                StatusCode::BAD_REQUEST,
                format!("Identity with client_id {cid} is not assigned to this resource."),
            );
        }
    }
    let (token, exp) = auth::mint_app_token(&state, &state.info.client_id);
    axum::Json(json!({
        "access_token": token,
        "expires_on": exp.to_string(),
        "resource": resource,
        "token_type": "Bearer",
        "client_id": state.info.client_id,
    }))
    .into_response()
}

/// `GET /_sim/oidc/token?audience=...` with `Authorization: Bearer <request token>`: the
/// simulator's stand-in for GitHub's ACTIONS_ID_TOKEN_REQUEST_URL. Returns `{"value": jwt}`.
pub(crate) async fn oidc_token(
    State(state): State<Arc<SimState>>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    if !presents_request_token(&state, &headers) {
        return (
            StatusCode::UNAUTHORIZED,
            axum::Json(json!({"message": "Bad credentials"})),
        )
            .into_response();
    }
    // Without `audience`, GitHub uses the repository owner's URL, which Entra then rejects.
    let audience = q
        .get("audience")
        .cloned()
        .unwrap_or_else(|| "https://github.com/example".to_string());
    axum::Json(json!({"value": auth::mint_federated_token(&state, &audience)})).into_response()
}

/// `POST /_sim/ado/oidctoken?api-version=7.1&serviceConnectionId=...` with `Authorization:
/// Bearer <request token>`: the stand-in for Azure DevOps' SYSTEM_OIDCREQUESTURI. Returns
/// `{"oidcToken": jwt}` with the audience Entra expects of federated credentials. Azure DevOps
/// answers a GET with 405 and a call without a service connection with 400; so does this.
pub(crate) async fn ado_oidc_token(
    State(state): State<Arc<SimState>>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    if !presents_request_token(&state, &headers) {
        return (
            StatusCode::UNAUTHORIZED,
            axum::Json(
                json!({"message": "TF400813: The user is not authorized to access this resource."}),
            ),
        )
            .into_response();
    }
    if !q.contains_key("api-version") || q.get("serviceConnectionId").is_none_or(|c| c.is_empty()) {
        return (
            StatusCode::BAD_REQUEST,
            axum::Json(json!({"message": "serviceConnectionId and api-version are required."})),
        )
            .into_response();
    }
    axum::Json(json!({"oidcToken": auth::mint_federated_token(&state, FEDERATED_AUDIENCE)}))
        .into_response()
}

/// Whether the CI system's request token (GitHub's ACTIONS_ID_TOKEN_REQUEST_TOKEN, Azure
/// DevOps' System.AccessToken) is the bearer.
fn presents_request_token(state: &SimState, headers: &HeaderMap) -> bool {
    let presented = header_str(headers, "authorization")
        .and_then(|h| h.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, t)| t.trim());
    presented == Some(state.oidc_request_token.as_str())
}

/// `POST /_sim/clients/{client_id}/certificates`, body = PEM certificate.
pub(crate) async fn register_certificate(
    State(state): State<Arc<SimState>>,
    Path(client_id): Path<String>,
    body: Bytes,
) -> Response {
    let pem = String::from_utf8_lossy(&body);
    match state.register_certificate(&client_id, &pem) {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => (
            StatusCode::BAD_REQUEST,
            axum::Json(json!({"error": {"code": "BadRequest", "message": e.to_string()}})),
        )
            .into_response(),
    }
}
