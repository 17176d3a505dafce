//! Microsoft Graph client: credentials through `azure_identity`, one shared `reqwest` client
//! for login and Graph, retries, a per-tenant rate budget, paging, `$batch`, typed models and
//! Graph errors turned into diagnostics.

pub mod budget;
pub mod client;
pub mod cloud;
pub mod credentials;
pub mod error;
pub mod http;
pub mod models;
pub mod query;
pub mod retry;
pub mod time_scale;

pub use client::{Api, GraphClient};
pub use error::GraphError;
