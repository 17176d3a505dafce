//! Managed resources, one file per Terraform type.

pub mod authentication_context;

use crate::plugin::resource::Resource;
use crate::provider::Connection;
use std::sync::Arc;

pub fn all(conn: &Connection) -> Vec<Arc<dyn Resource>> {
    vec![Arc::new(
        authentication_context::AuthenticationContextResource::new(conn.clone()),
    )]
}
