//! Data source `entra_role_management_policy`: a directory role's current PIM settings, in the
//! resource's shape, every block filled.

use crate::graph::ids::is_guid;
use crate::plugin::diag::{AttrPath, Diagnostics};
use crate::plugin::resource::DataSource;
use crate::plugin::schema::{Mode, Schema};
use crate::plugin::value::Value;
use crate::resources::connection::Connection;
use crate::resources::graph_errors::ToDiagnostics;
use crate::resources::role_management_policy::{fetch_policy, rules, schema as resource_schema};

/// The resource's schema with every setting read-only.
pub fn schema() -> Schema {
    fn computed(block: &mut crate::plugin::schema::Block) {
        for a in &mut block.attributes {
            if a.name != "role_definition_id" {
                a.mode = Mode::Computed;
            }
        }
        for nb in &mut block.block_types {
            computed(&mut nb.block);
        }
    }
    let mut s = resource_schema::schema();
    // A read has no operations to time.
    s.block
        .block_types
        .retain(|b| b.type_name != crate::plugin::timeouts::BLOCK);
    computed(&mut s.block);
    s.block.description = "The current PIM settings of a directory role.".into();
    s
}

/// `entra_role_management_policy`.
pub struct RoleManagementPolicyDataSource {
    conn: Connection,
}

impl RoleManagementPolicyDataSource {
    /// The data source, reading through `conn` once the provider is configured.
    pub fn new(conn: Connection) -> Self {
        RoleManagementPolicyDataSource { conn }
    }
}

#[async_trait::async_trait]
impl DataSource for RoleManagementPolicyDataSource {
    fn type_name(&self) -> &'static str {
        "entra_role_management_policy"
    }

    fn schema(&self) -> Schema {
        schema()
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        match config.get("role_definition_id").as_str() {
            Some(id) if !is_guid(id) => Diagnostics::attr_error(
                AttrPath::root("role_definition_id"),
                "Malformed role id",
                format!("{id:?} is not a role template id (a GUID)."),
            ),
            _ => Diagnostics::default(),
        }
    }

    async fn read(&self, config: &Value) -> Result<Value, Diagnostics> {
        let client = self.conn.client()?;
        let role = config
            .get("role_definition_id")
            .as_str()
            .unwrap_or_default()
            .to_string();
        let policy = fetch_policy(client, &role)
            .await
            .map_err(|e| e.to_diagnostics(&format!("read the PIM policy of role {role}")))?
            .ok_or_else(|| {
                Diagnostics::attr_error(
                    AttrPath::root("role_definition_id"),
                    "No PIM policy for this role",
                    format!("Graph has no role management policy for role {role}."),
                )
            })?;
        let mut fields = vec![
            ("id".to_string(), Value::string(&role)),
            ("role_definition_id".to_string(), Value::string(&role)),
            ("policy_id".to_string(), Value::string(&policy.policy_id)),
        ];
        fields.extend(rules::state_blocks(&policy.rules, &Value::Null));
        Ok(Value::Object(fields.into_iter().collect()))
    }
}
