//! Data source `entra_authentication_context`: look a context up by `context_id` or by
//! `display_name` (exactly one of them).

use crate::graph::models::AuthenticationContext;
use crate::graph::paths::AUTHENTICATION_CONTEXTS;
use crate::graph::Api;
use crate::plugin::diag::{AttrPath, Diagnostics};
use crate::plugin::resource::DataSource;
use crate::plugin::schema::{Attribute, Block, Mode, Schema, Type};
use crate::plugin::value::Value;
use crate::resources::authentication_context::{check_context_id, from_graph};
use crate::resources::connection::Connection;
use crate::resources::graph_errors::ToDiagnostics;

/// Look-up arguments `context_id` and `display_name`, and the context's attributes.
pub fn schema() -> Schema {
    Schema {
        version: 0,
        block: Block {
            attributes: vec![
                Attribute::new("id", Type::String, Mode::Computed, "Same as `context_id`."),
                Attribute::new(
                    "context_id",
                    Type::String,
                    Mode::OptionalComputed,
                    "The id (`c1`..`c99`) to look up.",
                ),
                Attribute::new(
                    "display_name",
                    Type::String,
                    Mode::OptionalComputed,
                    "The exact display name to look up.",
                ),
                Attribute::new("description", Type::String, Mode::Computed, "Description."),
                Attribute::new(
                    "is_available",
                    Type::Bool,
                    Mode::Computed,
                    "Whether it is published to apps.",
                ),
            ],
            block_types: vec![],
            description: "Reads an authentication context by id or display name.".into(),
        },
    }
}

/// Exactly one of `context_id` and `display_name`, and a well-formed id; no Graph call.
pub fn validate(config: &Value) -> Diagnostics {
    let id = config.get("context_id");
    let name = config.get("display_name");
    if id.is_unknown() || name.is_unknown() {
        return Diagnostics::default();
    }
    match (id.as_str(), name.as_str()) {
        (Some(_), Some(_)) | (None, None) => Diagnostics::attr_error(
            AttrPath::root("context_id"),
            "Set exactly one of context_id and display_name",
            "The authentication context is looked up either by its id or by its display name.",
        ),
        (Some(id), None) => match check_context_id(id) {
            Ok(()) => Diagnostics::default(),
            Err(e) => Diagnostics::attr_error(
                AttrPath::root("context_id"),
                "Invalid authentication context id",
                e,
            ),
        },
        (None, Some(_)) => Diagnostics::default(),
    }
}

/// The one context with this display name; none or several is an error naming what was found.
pub fn pick_by_name(
    all: Vec<AuthenticationContext>,
    name: &str,
) -> Result<AuthenticationContext, Diagnostics> {
    let mut found: Vec<_> = all
        .into_iter()
        .filter(|c| c.display_name.as_deref() == Some(name))
        .collect();
    match found.len() {
        1 => Ok(found.remove(0)),
        0 => Err(Diagnostics::attr_error(
            AttrPath::root("display_name"),
            "No authentication context has this name",
            format!("No authentication context is named {name:?}."),
        )),
        _ => Err(Diagnostics::attr_error(
            AttrPath::root("display_name"),
            "Several authentication contexts have this name",
            format!(
                "{name:?} matches {}; look it up by context_id instead.",
                found
                    .iter()
                    .map(|c| c.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )),
    }
}

/// `entra_authentication_context`.
pub struct AuthenticationContextDataSource {
    conn: Connection,
}

impl AuthenticationContextDataSource {
    /// The data source, reading through `conn` once the provider is configured.
    pub fn new(conn: Connection) -> Self {
        AuthenticationContextDataSource { conn }
    }
}

#[async_trait::async_trait]
impl DataSource for AuthenticationContextDataSource {
    fn type_name(&self) -> &'static str {
        "entra_authentication_context"
    }

    fn schema(&self) -> Schema {
        schema()
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        validate(config)
    }

    async fn read(&self, config: &Value) -> Result<Value, Diagnostics> {
        let client = self.conn.client()?;
        let found = if let Some(id) = config.get("context_id").as_str() {
            client
                .get_opt::<AuthenticationContext>(
                    Api::V1,
                    &format!("{AUTHENTICATION_CONTEXTS}/{id}"),
                )
                .await
                .map_err(|e| e.to_diagnostics(&format!("read authentication context {id}")))?
                .ok_or_else(|| {
                    Diagnostics::attr_error(
                        AttrPath::root("context_id"),
                        "Authentication context not found",
                        format!("The tenant has no authentication context {id}."),
                    )
                })?
        } else {
            let name = config.get("display_name").as_str().unwrap_or_default();
            let all = client
                .list(Api::V1, AUTHENTICATION_CONTEXTS)
                .await
                .map_err(|e| e.to_diagnostics("list authentication contexts"))?;
            pick_by_name(all, name)?
        };
        Ok(from_graph(&found, &Value::Null))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(id: &str, name: &str) -> AuthenticationContext {
        AuthenticationContext {
            id: id.into(),
            display_name: Some(name.into()),
            ..Default::default()
        }
    }

    #[test]
    fn exactly_one_lookup_key() {
        let both = Value::object([
            ("context_id", Value::string("c1")),
            ("display_name", Value::string("x")),
        ]);
        assert!(validate(&both).has_errors());
        let none = Value::object([("context_id", Value::Null), ("display_name", Value::Null)]);
        assert!(validate(&none).has_errors());
        let bad = Value::object([
            ("context_id", Value::string("c0")),
            ("display_name", Value::Null),
        ]);
        assert_eq!(
            validate(&bad).0[0].attribute,
            Some(AttrPath::root("context_id"))
        );
        let later = Value::object([
            ("context_id", Value::Unknown),
            ("display_name", Value::Null),
        ]);
        assert!(validate(&later).is_empty());
    }

    #[test]
    fn names_must_match_exactly_once() {
        let all = vec![
            ctx("c1", "Tier 0"),
            ctx("c2", "Tier 1"),
            ctx("c3", "Tier 1"),
        ];
        assert_eq!(pick_by_name(all.clone(), "Tier 0").unwrap().id, "c1");
        let err = pick_by_name(all.clone(), "Tier 1").unwrap_err();
        assert!(err.to_string().contains("c2, c3"));
        assert!(pick_by_name(all, "tier 0").is_err());
    }
}
