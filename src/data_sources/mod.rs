//! Data sources, one file per Terraform type.

pub mod authentication_context;

use crate::plugin::resource::DataSource;
use crate::provider::Connection;
use std::sync::Arc;

pub fn all(conn: &Connection) -> Vec<Arc<dyn DataSource>> {
    vec![Arc::new(
        authentication_context::AuthenticationContextDataSource::new(conn.clone()),
    )]
}
