//! Directory role definitions, built-in and custom: the Graph queries the `entra_directory_role`
//! data source, the resources that accept a role by name, and export all make.

use super::query::eq_filter;
use super::{Api, GraphClient, GraphError};
use serde::Deserialize;

const DEFINITIONS: &str = "/roleManagement/directory/roleDefinitions";

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoleDefinition {
    pub id: String,
    #[serde(default)]
    pub template_id: String,
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub is_built_in: Option<bool>,
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
