//! The Graph connection every resource and data source holds, with the provider-level safety
//! settings. It lives beside the resources, which read it, so that the provider, which fills it
//! in at ConfigureProvider, depends on them and never the reverse.

use super::tenant_objects::TenantObjects;
use crate::graph::GraphClient;
use crate::plugin::diag::Diagnostics;
use std::sync::{Arc, OnceLock};

/// What ConfigureProvider sets up, once per process: the Graph client and the provider-level
/// safety settings. Resources hold a clone; a resource used before configuration (which
/// Terraform never does for CRUD) gets a clear error.
#[derive(Clone, Default)]
pub struct Connection(Arc<Configured>);

#[derive(Default)]
struct Configured {
    client: OnceLock<GraphClient>,
    emergency_access: OnceLock<Option<EmergencyAccess>>,
    objects: TenantObjects,
}

impl Connection {
    /// Fills the connection in from the provider block; the first configuration stays.
    pub fn configure(&self, client: GraphClient, emergency_access: Option<EmergencyAccess>) {
        let _ = self.0.client.set(client);
        let _ = self.0.emergency_access.set(emergency_access);
    }

    /// The Graph client; an error diagnostic before configuration.
    pub fn client(&self) -> Result<&GraphClient, Diagnostics> {
        self.0.client.get().ok_or_else(|| {
            Diagnostics::error(
                "Provider not configured",
                "The entra provider was used before it was configured; this is a bug.",
            )
        })
    }

    /// The emergency-access accounts every Conditional Access policy must exclude, if the
    /// provider block names them.
    pub fn emergency_access(&self) -> Option<&EmergencyAccess> {
        self.0.emergency_access.get().and_then(Option::as_ref)
    }

    /// The contexts, locations and strengths policies refer to, listed once per process.
    pub fn objects(&self) -> &TenantObjects {
        &self.0.objects
    }
}

/// What a plan that would lock the emergency-access accounts out gets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Enforcement {
    /// It fails (the default).
    Error,
    /// It warns and goes on.
    Warn,
}

/// The break-glass accounts every enabled Conditional Access policy must exclude.
#[derive(Clone, Debug, PartialEq)]
pub struct EmergencyAccess {
    /// The accounts, by object id.
    pub user_ids: Vec<String>,
    /// Groups holding them, by object id; excluding such a group counts as excluding them.
    pub group_ids: Vec<String>,
    /// Whether a policy that fails to exclude them is refused or only warned about.
    pub enforcement: Enforcement,
}
