//! Data source `entra_authentication_context`: look a context up by `context_id` or by
//! `display_name` (exactly one of them).

use crate::data_sources::lookup::{self, Lookup, LookupDataSource};
use crate::graph::models::AuthenticationContext;
use crate::graph::paths::AUTHENTICATION_CONTEXTS;
use crate::graph::Api;
use crate::plugin::diag::Diagnostics;
use crate::plugin::schema::{Attribute, Block, Mode, Schema, Type};
use crate::plugin::value::Value;
use crate::resources::authentication_context::{check_context_id, from_graph};

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

/// The one context with this display name; none or several is an error naming what was found.
pub fn pick_by_name(
    all: Vec<AuthenticationContext>,
    name: &str,
) -> Result<AuthenticationContext, Diagnostics> {
    lookup::pick_by_name::<AuthenticationContexts>(all, name)
}

/// `entra_authentication_context`.
pub type AuthenticationContextDataSource = LookupDataSource<AuthenticationContexts>;

/// How an authentication context is looked up: by `context_id`, through v1.0.
pub struct AuthenticationContexts;

impl Lookup for AuthenticationContexts {
    type Model = AuthenticationContext;
    const TYPE_NAME: &'static str = "entra_authentication_context";
    const NOUN: &'static str = "authentication context";
    const PLURAL: &'static str = "authentication contexts";
    const ID: &'static str = "context_id";
    const API: Api = Api::V1;
    const COLLECTION: &'static str = AUTHENTICATION_CONTEXTS;

    fn schema() -> Schema {
        schema()
    }

    fn check_id(id: &str) -> Result<(), String> {
        check_context_id(id)
    }

    fn id(ctx: &AuthenticationContext) -> &str {
        &ctx.id
    }

    fn name(ctx: &AuthenticationContext) -> Option<&str> {
        ctx.display_name.as_deref()
    }

    fn state(ctx: &AuthenticationContext) -> Value {
        from_graph(ctx, &Value::Null)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plugin::diag::AttrPath;

    fn validate(config: &Value) -> Diagnostics {
        lookup::validate::<AuthenticationContexts>(config)
    }

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
