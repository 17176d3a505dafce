//! Data sources, one file per Terraform type.

pub mod authentication_context;
pub mod authentication_strength_policy;
pub mod conditional_access_what_if;
pub mod directory_role;
pub mod lookup;
pub mod named_location;
pub mod role_management_policy;

use crate::plugin::resource::DataSource;
use crate::resources::connection::Connection;
use std::sync::Arc;

/// Every data source type the provider offers, each reading through `conn`.
pub fn all(conn: &Connection) -> Vec<Arc<dyn DataSource>> {
    vec![
        Arc::new(authentication_context::AuthenticationContextDataSource::new(conn.clone())),
        Arc::new(named_location::NamedLocationDataSource::new(conn.clone())),
        Arc::new(
            authentication_strength_policy::AuthenticationStrengthPolicyDataSource::new(
                conn.clone(),
            ),
        ),
        Arc::new(directory_role::DirectoryRoleDataSource::new(conn.clone())),
        Arc::new(conditional_access_what_if::ConditionalAccessWhatIfDataSource::new(conn.clone())),
        Arc::new(role_management_policy::RoleManagementPolicyDataSource::new(
            conn.clone(),
        )),
    ]
}
