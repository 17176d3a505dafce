//! Provider-defined functions (`provider::entra::NAME(...)`, Terraform 1.8 and later).

pub mod what_if;

use crate::plugin::resource::Function;
use std::sync::Arc;

/// Every function the provider offers; they need no connection, being pure.
pub fn all() -> Vec<Arc<dyn Function>> {
    vec![Arc::new(what_if::WhatIf)]
}
