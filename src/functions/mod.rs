//! Provider-defined functions (`provider::entra::NAME(...)`, Terraform 1.8 and later).

pub mod what_if;

use crate::plugin::resource::Function;
use std::sync::Arc;

pub fn all() -> Vec<Arc<dyn Function>> {
    vec![Arc::new(what_if::WhatIf)]
}
