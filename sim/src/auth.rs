//! Tokens: RS256 JWTs signed with a key generated at start.
//!
//! The same key signs three kinds of token, told apart by `iss`/`aud` exactly as the real
//! services do:
//! * application access tokens (client credentials, managed identity): `roles`;
//! * delegated user tokens (fake Azure CLI): `scp`, `upn`;
//! * federated tokens from the built-in OIDC issuer (plays GitHub Actions), used as
//!   `client_assertion` for workload identity federation.

use crate::state::SimState;
use crate::time_fmt::unix_now;
use crate::Locked;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::{self, RsaKeyPair, UnparsedPublicKey};
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use serde_json::{json, Value};

pub(crate) const FEDERATED_AUDIENCE: &str = "api://AzureADTokenExchange";
/// Microsoft Graph's application id; real Graph accepts it as `aud` too.
pub(crate) const GRAPH_APP_ID: &str = "00000003-0000-0000-c000-000000000000";
/// Azure CLI's public client id (delegated tokens name it in `appid`).
pub(crate) const AZURE_CLI_APP_ID: &str = "04b07795-8ddb-461a-bbee-02f9e1bf7b46";
pub(crate) const ACCESS_TOKEN_LIFETIME: i64 = 3599;

/// Application permissions granted to the simulated app (graph-api.md §1).
pub(crate) const APP_ROLES: &[&str] = &[
    "Policy.Read.All",
    "Policy.ReadWrite.ConditionalAccess",
    "Application.Read.All",
    "RoleManagementPolicy.ReadWrite.Directory",
    "RoleManagement.ReadWrite.Directory",
    "Policy.ReadWrite.AuthenticationMethod",
];

pub(crate) struct Keys {
    key: RsaKeyPair,
    public_key: Vec<u8>,
    kid: String,
    rng: SystemRandom,
}

impl Keys {
    pub(crate) fn generate() -> anyhow::Result<Self> {
        let key = RsaKeyPair::generate(KeySize::Rsa2048)
            .map_err(|_| anyhow::anyhow!("RSA key generation failed"))?;
        let public_key = signature::KeyPair::public_key(&key).as_ref().to_vec();
        let kid = URL_SAFE_NO_PAD.encode(
            &aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, &public_key).as_ref()[..16],
        );
        Ok(Keys {
            key,
            public_key,
            kid,
            rng: SystemRandom::new(),
        })
    }

    pub(crate) fn sign(&self, claims: &Value) -> String {
        let header = json!({"typ": "JWT", "alg": "RS256", "kid": self.kid, "x5t": self.kid});
        sign_rs256(&self.key, &self.rng, &header, claims)
    }

    /// Verify a JWT signed by us; returns the claims.
    pub(crate) fn verify(&self, token: &str) -> Result<Value, String> {
        let jwt = Jwt::parse(token)?;
        jwt.verify_rs256(&self.public_key)?;
        Ok(jwt.claims)
    }
}

/// Sign a JWT with RS256 (also used by tests' helper code paths).
pub(crate) fn sign_rs256(
    key: &RsaKeyPair,
    rng: &SystemRandom,
    header: &Value,
    claims: &Value,
) -> String {
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let mut sig = vec![0u8; key.public_modulus_len()];
    key.sign(
        &signature::RSA_PKCS1_SHA256,
        rng,
        input.as_bytes(),
        &mut sig,
    )
    .expect("RSA signing with a valid key cannot fail");
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig))
}

/// Lenient base64url decoding: JWT parts are unpadded base64url, but some clients pad, and
/// `x5t` from azure_identity is *standard* base64.
pub(crate) fn b64_any(s: &str) -> Option<Vec<u8>> {
    let trimmed = s.trim_end_matches('=');
    URL_SAFE_NO_PAD
        .decode(trimmed)
        .ok()
        .or_else(|| STANDARD.decode(s).ok())
        .or_else(|| {
            base64::engine::general_purpose::STANDARD_NO_PAD
                .decode(trimmed)
                .ok()
        })
}

/// A parsed (not yet verified) compact JWS.
pub(crate) struct Jwt {
    pub(crate) header: Value,
    pub(crate) claims: Value,
    signing_input: String,
    signature: Vec<u8>,
}

impl Jwt {
    pub(crate) fn parse(token: &str) -> Result<Jwt, String> {
        let parts: Vec<&str> = token.split('.').collect();
        if parts.len() != 3 {
            return Err("JWT is not well formed, there are no dots (.).".into());
        }
        let header: Value = b64_any(parts[0])
            .and_then(|b| serde_json::from_slice(&b).ok())
            .ok_or("JWT header is not valid base64url JSON")?;
        let claims: Value = b64_any(parts[1])
            .and_then(|b| serde_json::from_slice(&b).ok())
            .ok_or("JWT payload is not valid base64url JSON")?;
        let signature = b64_any(parts[2]).ok_or("JWT signature is not valid base64url")?;
        if !header.is_object() || !claims.is_object() {
            return Err("JWT header and payload must be JSON objects".into());
        }
        Ok(Jwt {
            header,
            claims,
            signing_input: format!("{}.{}", parts[0], parts[1]),
            signature,
        })
    }

    /// `rsa_public_key` is a PKCS#1 RSAPublicKey DER.
    pub(crate) fn verify_rs256(&self, rsa_public_key: &[u8]) -> Result<(), String> {
        if self.header.get("alg").and_then(Value::as_str) != Some("RS256") {
            return Err("unsupported JWT alg (RS256 required)".into());
        }
        UnparsedPublicKey::new(&signature::RSA_PKCS1_2048_8192_SHA256, rsa_public_key)
            .verify(self.signing_input.as_bytes(), &self.signature)
            .map_err(|_| "signature validation failed".to_string())
    }

    pub(crate) fn claim_str(&self, name: &str) -> Option<&str> {
        self.claims.get(name).and_then(Value::as_str)
    }
}

fn base_claims(state: &SimState, now: i64, exp: i64) -> serde_json::Map<String, Value> {
    let uti = crate::state::random_token(22);
    state.tokens.locked().issued.push(uti.clone());
    let v = json!({
        "aud": state.info.graph_endpoint,
        "iss": state.token_issuer(),
        "iat": now,
        "nbf": now,
        "exp": exp,
        "tid": state.info.tenant_id,
        "uti": uti,
        "ver": "2.0",
        "xms_tcdt": now - 86_400 * 365,
    });
    match v {
        Value::Object(m) => m,
        _ => unreachable!(),
    }
}

/// Application token for `client_id` (client credentials / managed identity).
pub(crate) fn mint_app_token(state: &SimState, client_id: &str) -> (String, i64) {
    let now = unix_now();
    let exp = now + ACCESS_TOKEN_LIFETIME;
    let mut c = base_claims(state, now, exp);
    let oid = if client_id == state.info.client_id {
        state.sp_object_id.clone()
    } else {
        // Stable per client id, so repeated tokens name the same principal.
        let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, client_id.as_bytes());
        let mut bytes = [0u8; 16];
        bytes.copy_from_slice(&digest.as_ref()[..16]);
        uuid::Builder::from_random_bytes(bytes)
            .into_uuid()
            .to_string()
    };
    c.insert("appid".into(), json!(client_id));
    c.insert("azp".into(), json!(client_id));
    c.insert("appidacr".into(), json!("1"));
    c.insert("idp".into(), json!(state.token_issuer()));
    c.insert("idtyp".into(), json!("app"));
    c.insert("oid".into(), json!(oid));
    c.insert("sub".into(), json!(oid));
    c.insert("roles".into(), json!(APP_ROLES));
    (sign_recorded(state, &Value::Object(c)), exp)
}

/// Delegated token for the fake signed-in admin (what `az account get-access-token` returns).
pub(crate) fn mint_user_token(state: &SimState) -> (String, i64) {
    let now = unix_now();
    let exp = now + ACCESS_TOKEN_LIFETIME;
    let mut c = base_claims(state, now, exp);
    c.insert("appid".into(), json!(AZURE_CLI_APP_ID));
    c.insert("azp".into(), json!(AZURE_CLI_APP_ID));
    c.insert("appidacr".into(), json!("0"));
    c.insert("idtyp".into(), json!("user"));
    c.insert("oid".into(), json!(state.user_object_id));
    c.insert("sub".into(), json!(crate::state::random_token(43)));
    c.insert("upn".into(), json!("admin@simtenant.onmicrosoft.com"));
    c.insert(
        "unique_name".into(),
        json!("admin@simtenant.onmicrosoft.com"),
    );
    c.insert("name".into(), json!("Sim Admin"));
    c.insert("amr".into(), json!(["pwd", "mfa"]));
    c.insert(
        "scp".into(),
        json!("Application.Read.All Policy.Read.All Policy.ReadWrite.ConditionalAccess Policy.ReadWrite.AuthenticationMethod RoleManagement.ReadWrite.Directory RoleManagementPolicy.ReadWrite.Directory"),
    );
    // Global Administrator role template id.
    c.insert(
        "wids".into(),
        json!(["62e90394-69f5-4237-9190-012177145e10"]),
    );
    (sign_recorded(state, &Value::Object(c)), exp)
}

/// Federated token from the built-in OIDC issuer, shaped like a GitHub Actions ID token.
pub(crate) fn mint_federated_token(state: &SimState, audience: &str) -> String {
    let now = unix_now();
    let claims = json!({
        "jti": uuid::Uuid::new_v4().to_string(),
        "sub": "repo:example/entra-config:ref:refs/heads/main",
        "aud": audience,
        "ref": "refs/heads/main",
        "repository": "example/entra-config",
        "repository_owner": "example",
        "event_name": "push",
        "workflow": "terraform",
        "iss": state.oidc_issuer(),
        "iat": now,
        "nbf": now - 5,
        "exp": now + 600,
    });
    sign_recorded(state, &claims)
}

/// Signs a token and remembers it (see `IssuedTokens::signed`).
fn sign_recorded(state: &SimState, claims: &Value) -> String {
    let token = state.keys.sign(claims);
    state.tokens.locked().signed.push(token.clone());
    token
}

/// The principal a valid Graph access token names.
#[derive(Debug, Clone)]
pub(crate) struct Principal {
    pub(crate) tenant_id: String,
    pub(crate) claims: Value,
}

/// Validate a bearer token presented to Graph: our signature, not expired, issued by us,
/// audience = the Graph endpoint (as `https://graph.microsoft.com` is for real Graph).
/// The error string is the Graph error message.
pub(crate) fn validate_graph_token(state: &SimState, token: &str) -> Result<Principal, String> {
    let claims = state
        .keys
        .verify(token)
        .map_err(|e| format!("Access token validation failure. {e}"))?;
    let now = unix_now();
    let exp = claims.get("exp").and_then(Value::as_i64).unwrap_or(0);
    if exp <= now {
        return Err("Lifetime validation failed, the token is expired.".into());
    }
    if let Some(nbf) = claims.get("nbf").and_then(Value::as_i64) {
        if nbf > now + 300 {
            return Err("Lifetime validation failed, the token is not yet valid.".into());
        }
    }
    let uti = claims.get("uti").and_then(Value::as_str).unwrap_or("");
    if state.tokens.locked().revoked.contains(uti) {
        // Graph's continuous access evaluation answer for a token revoked before it expired.
        return Err("Continuous access evaluation resulted in challenge with result: InteractionRequired and code: TokenIssuedBeforeRevocationTimestamp".into());
    }
    let aud = claims.get("aud").and_then(Value::as_str).unwrap_or("");
    let graph = state.info.graph_endpoint.as_str();
    if aud != graph && aud.trim_end_matches('/') != graph && aud != GRAPH_APP_ID {
        return Err("Access token validation failure. Invalid audience.".into());
    }
    if claims.get("iss").and_then(Value::as_str) != Some(state.token_issuer().as_str()) {
        return Err("Access token validation failure. Invalid issuer.".into());
    }
    let tenant_id = claims
        .get("tid")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    Ok(Principal { tenant_id, claims })
}
