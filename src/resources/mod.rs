//! Managed resources, one module per Terraform type, and what they share with each other and
//! with the data sources: reconciliation, the connection to the tenant, Graph errors as
//! diagnostics, directory role look-ups.

pub mod authentication_context;
pub mod authentication_strength_policy;
pub mod conditional_access_policy;
pub mod connection;
pub mod create_once;
pub mod directory_roles;
pub mod eventual;
pub mod graph_errors;
#[cfg(test)]
mod graph_metadata;
pub mod graph_object;
pub mod limits;
pub mod listing;
pub mod moved_from_azuread;
pub mod named_location;
pub mod private_state;
pub mod reconcile;
pub mod references;
pub mod role_management_policy;
pub mod singleton;
pub mod tenant_objects;
pub(crate) mod typed_state;

use crate::plugin::resource::Resource;
use connection::Connection;
use std::sync::Arc;

/// Every managed resource type the provider offers, each working through `conn`.
pub fn all(conn: &Connection) -> Vec<Arc<dyn Resource>> {
    vec![
        Arc::new(authentication_context::AuthenticationContextResource::new(
            conn.clone(),
        )),
        Arc::new(conditional_access_policy::ConditionalAccessPolicyResource::new(conn.clone())),
        Arc::new(role_management_policy::RoleManagementPolicyResource::new(
            conn.clone(),
        )),
        Arc::new(named_location::NamedLocationResource::new(conn.clone())),
        Arc::new(
            authentication_strength_policy::AuthenticationStrengthPolicyResource::new(conn.clone()),
        ),
    ]
}
