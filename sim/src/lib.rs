//! entra-graph-sim: a faithful fake of Microsoft Graph and the Entra token endpoint over HTTPS.
//!
//! Used in-process by the provider's tests (`Simulator::start`) and as a binary by the demo and
//! benchmarks. Everything is served from one HTTPS listener on 127.0.0.1:
//!
//! * `/v1.0/...`, `/beta/...`           Graph (see [`graph`]; one module per resource)
//! * `/{tenant}/oauth2/v2.0/token`      Entra token endpoint (secret, certificate, federated)
//! * `/_sim/msi/token`                  App Service style managed identity endpoint
//! * `/_sim/oidc/token`                 GitHub-Actions-like OIDC issuer for workload identity
//! * `/_sim/stats`, `/_sim/faults`, `/_sim/clients/..`  control endpoints for tests
//! * `/metadata/endpoints`              Azure cloud metadata (what `metadata_host` reads)
//!
//! The reference the behaviour follows is `shared/reference/graph-api.md` and its examples.

#![warn(missing_docs, unreachable_pub, clippy::unwrap_used)]

mod auth;
pub mod faults;
pub mod graph;
mod metadata;
mod seed;
mod server;
mod state;
mod stats;
mod store;
mod throttle;
mod time_fmt;
pub mod tls;
mod token_endpoint;

pub use faults::{FaultKind, ScriptedFault, OBSERVER_HEADER};

/// `Mutex::lock` that survives a poisoned lock: a handler or test that panicked while holding
/// one must not take every later request down with it.
pub(crate) trait Locked<T> {
    fn locked(&self) -> std::sync::MutexGuard<'_, T>;
}

impl<T> Locked<T> for std::sync::Mutex<T> {
    fn locked(&self) -> std::sync::MutexGuard<'_, T> {
        self.lock().unwrap_or_else(|p| p.into_inner())
    }
}

use serde::Serialize;
use std::path::PathBuf;
use std::sync::Arc;

/// Start-up options. `Default` gives a fast, well-behaved simulator (no latency, no faults,
/// no rate limit, no consistency lag, empty store, any free port).
#[derive(Debug, Clone, Default)]
pub struct SimOptions {
    /// TCP port on 127.0.0.1; 0 = any free port.
    pub port: u16,
    /// Artificial latency added to each (outer) Graph request.
    pub latency_ms: u64,
    /// Shared Conditional Access + named locations budget per tenant, requests per second.
    /// Beyond it: 429 without Retry-After (as real Graph does for these resources).
    pub ca_rate_limit: Option<f64>,
    /// Probability (0..1) of a fault on a Graph request, the kind picked uniformly among:
    /// 429 with and without Retry-After, 503, connection reset, for writes commit-then-reset
    /// (stored, but the client never sees the answer), and `slow` when `slow_fault_ms` is set.
    /// Inner `$batch` requests only get the status faults. Scripted faults
    /// ([`Simulator::script_fault`]) come first and do not count against this.
    pub fault_rate: f64,
    /// Enables the random `slow` fault: the request is carried out and its answer held back
    /// this long, so a client with a shorter timeout gives up on a request Graph did act on.
    /// 0 = off. Also the default delay of scripted `slow` rules.
    pub slow_fault_ms: u64,
    /// Freshly created objects answer 404 on GET for this long (eventual consistency).
    pub consistency_lag_ms: u64,
    /// Load objects from corpus-style folders (`auth-contexts/*.json`, `ca-policies/*.json`, ...).
    pub seed_dir: Option<PathBuf>,
    /// Runs Graph's clock faster, for tests: the consistency lag, slow answers and the rate
    /// limit's window are multiplied by this factor (0.1 = ten times faster). A provider started
    /// with the same `ENTRA_TIME_SCALE` scales its own waits to match. None = real time.
    pub time_scale: Option<f64>,
}

impl SimOptions {
    /// `ms` of Graph's time on this simulator's clock.
    pub fn scaled(&self, ms: u64) -> std::time::Duration {
        std::time::Duration::from_millis(ms).mul_f64(self.time_scale.unwrap_or(1.0))
    }
}

/// What a client needs to talk to the simulator. The binary prints exactly this as JSON.
#[derive(Debug, Serialize, Clone)]
pub struct SimInfo {
    /// Graph's base URL (`https://127.0.0.1:{port}`), without `/v1.0`; also the tokens' audience.
    pub graph_endpoint: String,
    /// Entra login host (this same server): token endpoint `{host}/{tenant}/oauth2/v2.0/token`.
    pub authority_host: String,
    /// Path of the PEM file of the CA that signed the server certificate.
    pub ca_file: String,
    /// The simulated tenant's id (a GUID).
    pub tenant_id: String,
    /// Application (client) id of the simulated app registration, the one `client_secret` is for.
    pub client_id: String,
    /// The secret the token endpoint accepts for `client_id` (Entra's current secret format).
    pub client_secret: String,
}

/// Fixed values for the secrets the simulator otherwise generates, so a process that starts
/// the binary can know them (`--oidc-request-token`, `--msi-identity-header`).
#[derive(Debug, Clone, Default)]
pub struct SimSecrets {
    /// Bearer token `/_sim/oidc/token` requires (GitHub's ACTIONS_ID_TOKEN_REQUEST_TOKEN).
    pub oidc_request_token: Option<String>,
    /// Value `/_sim/msi/token` requires in `X-IDENTITY-HEADER` (App Service's IDENTITY_HEADER).
    pub msi_identity_header: Option<String>,
}

/// A running simulator. Dropping it (or `shutdown`) stops the server and removes the CA file.
pub struct Simulator {
    state: Arc<state::SimState>,
    server: Option<server::ServerHandle>,
    ca_dir: PathBuf,
}

impl Simulator {
    /// Starts serving on 127.0.0.1 with fresh keys, certificates and secrets.
    pub async fn start(opts: SimOptions) -> anyhow::Result<Simulator> {
        Self::start_with_secrets(opts, SimSecrets::default()).await
    }

    /// Like `start`, with chosen instead of random OIDC request token / MSI header.
    pub async fn start_with_secrets(
        opts: SimOptions,
        secrets: SimSecrets,
    ) -> anyhow::Result<Simulator> {
        let (state, server, ca_dir) = server::start(opts, secrets).await?;
        Ok(Simulator {
            state,
            server: Some(server),
            ca_dir,
        })
    }

    /// The start-up fields (same as the binary's JSON line).
    pub fn info(&self) -> &SimInfo {
        &self.state.info
    }

    /// PEM of the CA that signed the server certificate.
    pub fn ca_pem(&self) -> &str {
        &self.state.ca_pem
    }

    /// Same document as `GET /_sim/stats`.
    pub fn stats(&self) -> serde_json::Value {
        self.state.stats.to_json()
    }

    /// Zero the counters (same as `POST /_sim/stats/reset`).
    pub fn reset_stats(&self) {
        self.state.stats.reset()
    }

    /// Queue a deterministic fault (same as `POST /_sim/faults`). Rules fire in the order
    /// queued, before the random `fault_rate` mix.
    pub fn script_fault(&self, rule: ScriptedFault) {
        self.state.faults.push(rule)
    }

    /// Drop every pending scripted fault (same as `DELETE /_sim/faults`).
    pub fn clear_faults(&self) {
        self.state.faults.clear()
    }

    /// The scripted faults still pending, with their remaining counts (`GET /_sim/faults`).
    pub fn scripted_faults(&self) -> Vec<ScriptedFault> {
        self.state.faults.pending()
    }

    /// Register a certificate (PEM) for the printed client id, so that a certificate assertion
    /// signed with its private key is accepted by the token endpoint.
    pub fn register_certificate(&self, pem: &str) -> anyhow::Result<()> {
        self.state
            .register_certificate(&self.state.info.client_id, pem)
    }

    /// The bearer token the built-in OIDC issuer (`/_sim/oidc/token`) requires, playing
    /// GitHub's ACTIONS_ID_TOKEN_REQUEST_TOKEN.
    pub fn oidc_request_token(&self) -> &str {
        &self.state.oidc_request_token
    }

    /// A federated (workload identity) token from the built-in OIDC issuer, audience
    /// `api://AzureADTokenExchange`, usable as `client_assertion` for the printed client id.
    pub fn mint_federated_token(&self) -> String {
        auth::mint_federated_token(&self.state, auth::FEDERATED_AUDIENCE)
    }

    /// The secret the managed identity endpoint expects in `X-IDENTITY-HEADER`
    /// (what App Service puts in IDENTITY_HEADER).
    pub fn msi_identity_header(&self) -> &str {
        &self.state.msi_identity_header
    }

    /// A delegated user token (`scp`, `upn`), as the fake Azure CLI would hand out.
    /// Returns the JWT and its expiry as unix seconds.
    pub fn mint_user_token(&self) -> (String, i64) {
        auth::mint_user_token(&self.state)
    }

    /// An application (client credentials) access token for the printed client id, as the
    /// token endpoint would issue; handy for tests that do not exercise the token flow.
    pub fn mint_app_token(&self) -> String {
        auth::mint_app_token(&self.state, &self.state.info.client_id).0
    }

    /// Every token the simulator has signed so far, whole: access tokens from the token and
    /// managed identity endpoints (and `mint_app_token`), delegated tokens (`mint_user_token`)
    /// and federated tokens from the OIDC issuer. For tests that check no token leaks.
    pub fn signed_tokens(&self) -> Vec<String> {
        self.state.tokens.locked().signed.clone()
    }

    /// Revokes every access token issued so far, as a password reset or a continuous access
    /// evaluation event does: Graph answers 401 to them, new tokens work.
    pub fn revoke_issued_tokens(&self) {
        let mut tokens = self.state.tokens.locked();
        let issued = std::mem::take(&mut tokens.issued);
        tokens.revoked.extend(issued);
    }

    /// Store a raw Conditional Access policy JSON (no validation; OData annotations dropped,
    /// flags enums canonical) and return its id (the `id` field if present, else a new GUID).
    /// GET fills defaults for it like for an API-created policy. Used for reference checks,
    /// e.g. deleting an authentication context that a policy uses.
    pub fn put_raw_policy(&self, json: serde_json::Value) -> String {
        self.state.store.locked().put_raw_policy(json)
    }

    /// Ids of the named locations in the tenant (API-created and seeded, insertion order), without
    /// the system compliant-network location every tenant has on beta.
    pub fn named_location_ids(&self) -> Vec<String> {
        graph::named_locations::ids(&self.state.store.locked())
    }

    /// Ids of the custom authentication strength policies (API-created and seeded); the three
    /// built-ins are not included.
    pub fn custom_auth_strength_ids(&self) -> Vec<String> {
        graph::auth_strengths::custom_ids(&self.state.store.locked())
    }

    /// Add a custom directory role definition (isBuiltIn false, templateId = id) with its PIM
    /// policy and assignment; returns its id.
    pub fn add_custom_role(&self, display_name: &str) -> String {
        let mut store = self.state.store.locked();
        graph::role_definitions::add_custom_role(&mut store, display_name)
    }

    /// The current 17 PIM rules of a role (as `GET .../rules` lists them); `Null` if no such role.
    pub fn pim_rules(&self, role_template_id: &str) -> serde_json::Value {
        graph::pim::rules_for(&self.state, role_template_id)
    }

    /// The current PIM policy id (`DirectoryRole_{tenant}_{guid}`) of a role. It changes on the
    /// policy's first modification. Panics for an unknown role.
    pub fn pim_policy_id(&self, role_template_id: &str) -> String {
        graph::pim::policy_id_for(&self.state, role_template_id)
            .unwrap_or_else(|| panic!("no role definition {role_template_id}"))
    }

    /// Stops the server (accept loop and open connections), then removes the CA file.
    pub async fn shutdown(mut self) {
        if let Some(server) = self.server.take() {
            server.stop().await;
        }
        // Drop removes the CA directory.
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        if let Some(server) = self.server.take() {
            server.abort();
        }
        let _ = std::fs::remove_dir_all(&self.ca_dir);
    }
}
