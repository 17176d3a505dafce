//! Data source `entra_directory_role`: a directory role definition, built-in or custom, by
//! `display_name` or `template_id`.

use crate::graph::ids::is_guid;
use crate::plugin::diag::{AttrPath, Diagnostics};
use crate::plugin::resource::DataSource;
use crate::plugin::schema::{Attribute, Block, Mode, Schema, Type};
use crate::plugin::value::Value;
use crate::resources::connection::Connection;
use crate::resources::directory_roles::find;

/// Look-up arguments `display_name` and `template_id`, and the role's attributes.
pub fn schema() -> Schema {
    Schema {
        version: 0,
        block: Block {
            attributes: vec![
                Attribute::new("id", Type::String, Mode::Computed, "The role definition id."),
                Attribute::new("template_id", Type::String, Mode::OptionalComputed, "The role template id (equal to the id for built-in roles); what `role_definition_id` takes."),
                Attribute::new("display_name", Type::String, Mode::OptionalComputed, "The role's name, e.g. `Application Administrator`."),
                Attribute::new("description", Type::String, Mode::Computed, "What the role can do."),
                Attribute::new("is_built_in", Type::Bool, Mode::Computed, "Whether Microsoft defines the role."),
                Attribute::new("is_enabled", Type::Bool, Mode::Computed, "Whether the role can be assigned."),
            ],
            block_types: vec![],
            description: "A directory role definition, built-in or custom.".into(),
        },
    }
}

/// Exactly one of `display_name` and `template_id`, and a GUID for the latter; no Graph call.
pub fn validate(config: &Value) -> Diagnostics {
    let (t, n) = (config.get("template_id"), config.get("display_name"));
    if t.is_unknown() || n.is_unknown() {
        return Diagnostics::default();
    }
    match (t.as_str(), n.as_str()) {
        (Some(_), Some(_)) | (None, None) => Diagnostics::attr_error(
            AttrPath::root("display_name"),
            "Set exactly one of template_id and display_name",
            "A directory role is looked up by its template id or by its display name.",
        ),
        (Some(id), None) if !is_guid(id) => Diagnostics::attr_error(
            AttrPath::root("template_id"),
            "Malformed template id",
            format!("{id:?} is not a GUID."),
        ),
        _ => Diagnostics::default(),
    }
}

/// `entra_directory_role`.
pub struct DirectoryRoleDataSource {
    conn: Connection,
}

impl DirectoryRoleDataSource {
    /// The data source, reading through `conn` once the provider is configured.
    pub fn new(conn: Connection) -> Self {
        DirectoryRoleDataSource { conn }
    }
}

#[async_trait::async_trait]
impl DataSource for DirectoryRoleDataSource {
    fn type_name(&self) -> &'static str {
        "entra_directory_role"
    }

    fn schema(&self) -> Schema {
        schema()
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        validate(config)
    }

    async fn read(&self, config: &Value) -> Result<Value, Diagnostics> {
        let client = self.conn.client()?;
        let r = find(
            client,
            config.get("template_id").as_str(),
            config.get("display_name").as_str(),
        )
        .await?;
        let template = if r.template_id.is_empty() {
            r.id.clone()
        } else {
            r.template_id.clone()
        };
        Ok(Value::object([
            ("id", Value::string(&r.id)),
            ("template_id", Value::string(template)),
            ("display_name", Value::opt_string(r.display_name)),
            ("description", Value::opt_string(r.description)),
            ("is_built_in", Value::Bool(r.is_built_in.unwrap_or(false))),
            ("is_enabled", Value::Bool(r.is_enabled.unwrap_or(true))),
        ]))
    }
}
