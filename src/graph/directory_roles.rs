//! Directory role definitions, built-in and custom: the Graph queries the `entra_directory_role`
//! data source, the resources that accept a role by name, and export all make.

use super::query::eq_filter;
use super::{Api, GraphClient, GraphError};
use serde::Deserialize;

const DEFINITIONS: &str = "/roleManagement/directory/roleDefinitions";

/// A directory role as Graph defines it; only the properties the provider reads.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoleDefinition {
    /// The definition's own id.
    pub id: String,
    /// The id Conditional Access and PIM name the role by, the same in every tenant for a built-in
    /// role.
    #[serde(default)]
    pub template_id: String,
    /// The name the admin center shows, `Global Administrator` say.
    #[serde(default)]
    pub display_name: Option<String>,
    /// What the role may do, in Microsoft's words.
    #[serde(default)]
    pub description: Option<String>,
    /// Whether Microsoft defines it, as opposed to the tenant.
    #[serde(default)]
    pub is_built_in: Option<bool>,
    /// Whether the role can be assigned.
    #[serde(default)]
    pub is_enabled: Option<bool>,
}

/// Every role definition of the tenant, built-in and custom.
pub async fn all(client: &GraphClient) -> Result<Vec<RoleDefinition>, GraphError> {
    client.list(Api::V1, DEFINITIONS).await
}

/// The role definitions whose `property` (`templateId`, `displayName`) equals `value`.
pub async fn with(
    client: &GraphClient,
    property: &str,
    value: &str,
) -> Result<Vec<RoleDefinition>, GraphError> {
    let filter = eq_filter(property, value);
    client
        .list(Api::V1, &format!("{DEFINITIONS}?$filter={filter}"))
        .await
}
