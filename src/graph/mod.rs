//! Microsoft Graph client: credentials through `azure_identity`, one shared `reqwest` client
//! for login and Graph, retries, a per-tenant rate budget, paging, `$batch`, typed models and
//! Graph errors as users need to read them. It knows nothing of Terraform: the resources turn
//! its errors into diagnostics (`resources::graph_errors`).

pub mod budget;
pub mod client;
pub mod cloud;
pub mod credentials;
pub mod directory_roles;
pub mod error;
pub mod flags;
pub mod http;
pub mod ids;
pub mod models;
pub mod paths;
pub mod query;
pub mod retry;

pub use client::{Api, GraphClient};
pub use error::GraphError;
