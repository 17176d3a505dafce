//! Finding one directory role by template id or display name, with diagnostics that name the
//! attribute: shared by the `entra_directory_role` data source and the resources that accept a
//! role by name, so that a resource need not call into a data source.

use super::graph_errors::ToDiagnostics;
use crate::graph::directory_roles::{self, RoleDefinition};
use crate::graph::GraphClient;
use crate::plugin::diag::{AttrPath, Diagnostics};

/// Looks a role up by template id or by display name (exactly one must be given).
pub async fn find(
    client: &GraphClient,
    template_id: Option<&str>,
    display_name: Option<&str>,
) -> Result<RoleDefinition, Diagnostics> {
    let (property, key, shown) = match (template_id, display_name) {
        (Some(t), _) => ("templateId", "template_id", t.to_string()),
        (None, Some(n)) => ("displayName", "display_name", n.to_string()),
        (None, None) => {
            return Err(Diagnostics::error(
                "No role to look up",
                "Set template_id or display_name.",
            ))
        }
    };
    let found = directory_roles::with(client, property, &shown)
        .await
        .map_err(|e| e.to_diagnostics(&format!("look up directory role {shown}")))?;
    match found.len() {
        1 => Ok(found.into_iter().next().unwrap_or_else(|| unreachable!())),
        0 => Err(Diagnostics::attr_error(
            AttrPath::root(key),
            "Directory role not found",
            format!("No directory role has {key} {shown:?}."),
        )),
        n => Err(Diagnostics::attr_error(
            AttrPath::root(key),
            "Several directory roles match",
            format!("{n} roles match {shown:?}; use template_id."),
        )),
    }
}
