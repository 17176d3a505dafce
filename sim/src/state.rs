//! The simulator's shared state: identity (tenant, client, keys), store, counters, throttle.
//! One `Arc<SimState>` is handed to every handler.

use crate::auth::Keys;
use crate::faults::FaultScript;
use crate::stats::Stats;
use crate::store::Store;
use crate::throttle::Throttle;
use crate::Locked;
use crate::{SimInfo, SimOptions};
use anyhow::{anyhow, Context};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

/// A certificate registered for a client: its SHA-1 thumbprint (what the assertion's `x5t`
/// names) and the RSA public key (PKCS#1 `RSAPublicKey` DER) to verify RS256 with.
#[derive(Debug, Clone)]
pub(crate) struct RegisteredCert {
    pub(crate) thumbprint_sha1: Vec<u8>,
    pub(crate) rsa_public_key: Vec<u8>,
}

pub(crate) struct SimState {
    pub(crate) info: SimInfo,
    pub(crate) opts: SimOptions,
    pub(crate) ca_pem: String,
    pub(crate) keys: Keys,
    pub(crate) store: Mutex<Store>,
    pub(crate) stats: Stats,
    /// Scripted fault rules (tests), consulted before the random `fault_rate` mix.
    pub(crate) faults: FaultScript,
    pub(crate) throttle: Throttle,
    pub(crate) client_certs: Mutex<HashMap<String, Vec<RegisteredCert>>>,
    pub(crate) oidc_request_token: String,
    pub(crate) msi_identity_header: String,
    /// Object id of the service principal behind the printed client id (token `oid`).
    pub(crate) sp_object_id: String,
    /// Object id of the fake signed-in admin user (delegated tokens).
    pub(crate) user_object_id: String,
    /// Token ids (`uti`) issued so far, and those revoked (continuous access evaluation).
    pub(crate) tokens: Mutex<IssuedTokens>,
}

#[derive(Default)]
pub(crate) struct IssuedTokens {
    pub(crate) issued: Vec<String>,
    pub(crate) revoked: std::collections::HashSet<String>,
    /// Every JWT signed so far (access, delegated and federated tokens), whole, so that tests
    /// can look for them where they must not appear (logs, state, diagnostics).
    pub(crate) signed: Vec<String>,
}

impl SimState {
    pub(crate) fn consistency_lag(&self) -> Duration {
        self.opts.scaled(self.opts.consistency_lag_ms)
    }

    pub(crate) fn token_endpoint_url(&self, tenant: &str) -> String {
        format!("{}/{}/oauth2/v2.0/token", self.info.authority_host, tenant)
    }

    /// Issuer of the access tokens we mint (v2-style, hosted by the simulator).
    pub(crate) fn token_issuer(&self) -> String {
        format!("{}/{}/v2.0", self.info.authority_host, self.info.tenant_id)
    }

    /// Issuer of federated tokens from the built-in OIDC provider (plays GitHub Actions).
    pub(crate) fn oidc_issuer(&self) -> String {
        format!("{}/_sim/oidc", self.info.authority_host)
    }

    /// A client is known if it is the printed one or has registered certificates.
    pub(crate) fn client_known(&self, client_id: &str) -> bool {
        client_id == self.info.client_id || self.client_certs.locked().contains_key(client_id)
    }

    pub(crate) fn register_certificate(&self, client_id: &str, pem: &str) -> anyhow::Result<()> {
        let (_, pem) = x509_parser::pem::parse_x509_pem(pem.as_bytes())
            .map_err(|e| anyhow!("not a PEM certificate: {e}"))?;
        let cert = pem
            .parse_x509()
            .map_err(|e| anyhow!("not an X.509 certificate: {e}"))?;
        let spki = cert.public_key();
        // The SPKI bit string of an RSA key is the PKCS#1 RSAPublicKey, which is what
        // aws-lc-rs' RSA_PKCS1_2048_8192_SHA256 verifier takes.
        if spki.algorithm.algorithm != x509_parser::oid_registry::OID_PKCS1_RSAENCRYPTION {
            return Err(anyhow!(
                "only RSA certificates are supported (Entra certificate credentials are RSA)"
            ));
        }
        let thumbprint =
            aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA1_FOR_LEGACY_USE_ONLY, &pem.contents);
        let entry = RegisteredCert {
            thumbprint_sha1: thumbprint.as_ref().to_vec(),
            rsa_public_key: spki.subject_public_key.data.to_vec(),
        };
        let mut certs = self.client_certs.locked();
        let list = certs.entry(client_id.to_string()).or_default();
        list.retain(|c| c.thumbprint_sha1 != entry.thumbprint_sha1);
        list.push(entry);
        Ok(())
    }

    pub(crate) fn find_certificate(
        &self,
        client_id: &str,
        thumbprint: &[u8],
    ) -> Option<RegisteredCert> {
        self.client_certs
            .locked()
            .get(client_id)?
            .iter()
            .find(|c| c.thumbprint_sha1 == thumbprint)
            .cloned()
    }
}

/// A plausible Entra client secret (`xyz8Q~` + 34 chars, the current format).
pub(crate) fn generate_client_secret() -> String {
    use rand::Rng;
    const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    const TAIL: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.~-";
    let mut rng = rand::rng();
    let mut s = String::new();
    for _ in 0..3 {
        s.push(ALNUM[rng.random_range(0..ALNUM.len())] as char);
    }
    s.push_str("8Q~");
    for _ in 0..34 {
        s.push(TAIL[rng.random_range(0..TAIL.len())] as char);
    }
    s
}

pub(crate) fn random_token(len: usize) -> String {
    use rand::Rng;
    const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::rng();
    (0..len)
        .map(|_| ALNUM[rng.random_range(0..ALNUM.len())] as char)
        .collect()
}

pub(crate) fn context_dir() -> anyhow::Result<std::path::PathBuf> {
    let dir = std::env::temp_dir().join(format!(
        "entra-graph-sim-{}-{}",
        std::process::id(),
        uuid::Uuid::new_v4().simple()
    ));
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    Ok(dir)
}
