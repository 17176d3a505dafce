//! The `entra` provider: its configuration, the Graph connection it sets up and hands to every
//! resource (`resources::connection`), and the list of resources and data sources.

pub mod config;
mod sign_in;

/// The connection this provider sets up and hands to every resource and data source.
pub use crate::resources::connection::Connection;

use crate::data_sources;
use crate::functions;
use crate::graph::{credentials, http, GraphClient};
use crate::log;
use crate::plugin::diag::Diagnostics;
use crate::plugin::resource::{DataSource, Function, Provider, Resource};
use crate::plugin::schema::Schema;
use crate::plugin::value::Value;
use crate::resources;
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

/// The `entra` provider that `main` serves: unconfigured until Terraform sends its block.
pub struct EntraProvider {
    connection: Connection,
    /// Cancelled by StopProvider; every Graph request watches it.
    stop: CancellationToken,
}

impl Default for EntraProvider {
    fn default() -> Self {
        EntraProvider {
            connection: Connection::default(),
            stop: CancellationToken::new(),
        }
    }
}

impl EntraProvider {
    /// The Graph connection, set up once `configure` succeeded (the export command uses it).
    pub fn connection(&self) -> &Connection {
        &self.connection
    }

    /// A provider configured from the environment alone (`ARM_*`, `ENTRA_*`), as an empty
    /// provider block would be: how the `export` and `sweep` commands sign in.
    pub async fn from_environment() -> Result<EntraProvider, String> {
        let provider = EntraProvider::default();
        let configured = provider.configure(&Value::object::<&str>([])).await;
        if configured.has_errors() {
            return Err(configured.to_string());
        }
        Ok(provider)
    }
}

#[async_trait::async_trait]
impl Provider for EntraProvider {
    fn type_name(&self) -> &'static str {
        "entra"
    }

    fn schema(&self) -> Schema {
        config::schema()
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        config::validate(config)
    }

    async fn configure(&self, config: &Value) -> Diagnostics {
        // Unknown provider settings (derived from resources not yet created) cannot be used to
        // sign in; say so instead of guessing.
        if !config.is_wholly_known() {
            return Diagnostics::error(
                "Provider configuration depends on values not known yet",
                "Set the entra provider's attributes from values known at plan time.",
            );
        }
        let settings = match config::settings(config) {
            Ok(s) => s,
            Err(d) => return d,
        };
        // Blanked from every log line and Graph error, whatever a server echoes.
        for secret in settings.auth.secrets() {
            log::redact_also(secret);
        }
        let http = match http::build_client() {
            Ok(h) => h,
            Err(e) => return Diagnostics::error("Cannot set up HTTPS", e.to_string()),
        };
        let (credential, kind) = match credentials::build(&settings.auth, &http) {
            Ok(c) => c,
            Err(e) => return Diagnostics::error("Cannot sign in to Microsoft Entra ID", e),
        };
        log::info(
            "configured",
            &[
                ("graph_endpoint", &settings.graph_endpoint),
                ("credential", kind),
            ],
        );
        let renew = {
            let (auth, http) = (settings.auth.clone(), http.clone());
            Arc::new(move || credentials::build(&auth, &http).map(|(c, _)| c))
        };
        let client = GraphClient::new(
            http,
            &settings.graph_endpoint,
            &settings.auth.tenant_id,
            credential,
            self.stop.clone(),
        )
        .with_renewal(renew);
        self.connection.configure(client, settings.emergency_access);
        Diagnostics::default()
    }

    fn stop(&self) {
        self.stop.cancel();
    }

    fn resources(&self) -> Vec<Arc<dyn Resource>> {
        resources::all(&self.connection)
    }

    fn data_sources(&self) -> Vec<Arc<dyn DataSource>> {
        data_sources::all(&self.connection)
    }

    fn functions(&self) -> Vec<Arc<dyn Function>> {
        functions::all()
    }
}
