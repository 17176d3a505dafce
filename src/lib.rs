//! terraform-provider-entra: Microsoft Entra ID sign-in security as code.
//!
//! `plugin` speaks Terraform's plugin protocol and knows nothing of Entra; `graph` talks to
//! Microsoft Graph; `provider`, `resources` and `data_sources` map Terraform values to Graph.

pub mod command_line;
pub mod data_sources;
pub mod deadline;
pub mod export;
pub mod functions;
pub mod graph;
pub mod plugin;
pub mod provider;
pub mod resources;
pub mod sweep;
pub mod whatif;
