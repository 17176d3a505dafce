//! terraform-provider-entra: Microsoft Entra ID sign-in security as code.
//!
//! `plugin` speaks Terraform's plugin protocol and knows nothing of Entra; `graph` talks to
//! Microsoft Graph; `provider`, `resources` and `data_sources` map Terraform values to Graph.
//! `log`, `deadline` and `time_scale` are leaves both `plugin` and `graph` use, so that neither
//! depends on the other (ARCHITECTURE.md).

// The library's public items are documented, no `pub` is wider than what reaches it, and it
// never unwraps outside its unit tests (clippy.toml). Here rather than in Cargo.toml's
// `[lints]`, which would hold the integration tests under tests/ to the same.
#![warn(missing_docs, unreachable_pub, clippy::unwrap_used)]

pub mod command_line;
pub mod data_sources;
pub mod deadline;
pub mod export;
pub mod functions;
pub mod graph;
pub mod log;
pub mod plugin;
pub mod provider;
pub mod resources;
pub mod sweep;
pub mod time_scale;
pub mod whatif;
