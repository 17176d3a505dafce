//! Data source `entra_authentication_strength_policy`: a built-in or custom authentication
//! strength by `id` or `display_name`, for `authentication_strength_policy_id` in policies.

use crate::graph::ids::is_guid;
use crate::graph::models::AuthenticationStrengthPolicy;
use crate::graph::Api;
use crate::plugin::diag::{AttrPath, Diagnostics};
use crate::plugin::resource::DataSource;
use crate::plugin::schema::{Attribute, Block, Mode, Schema, Type};
use crate::plugin::value::Value;
use crate::resources::authentication_strength_policy::{guid_of, COLLECTION};
use crate::resources::conditional_access_policy::vocabulary::AUTH_STRENGTH_PATH;
use crate::resources::connection::Connection;
use crate::resources::graph_errors::ToDiagnostics;

/// Look-up arguments `id` and `display_name`, and the strength's attributes.
pub fn schema() -> Schema {
    Schema {
        version: 0,
        block: Block {
            attributes: vec![
                Attribute::new("id", Type::String, Mode::OptionalComputed, "The strength to look up, as a GUID or `/policies/authenticationStrengthPolicies/{guid}`. Once read, always the path form, which `authentication_strength_policy_id` accepts."),
                Attribute::new("display_name", Type::String, Mode::OptionalComputed, "The exact display name to look up, e.g. `Phishing-resistant MFA`."),
                Attribute::new("object_id", Type::String, Mode::Computed, "The strength's GUID."),
                Attribute::new("description", Type::String, Mode::Computed, "Description."),
                Attribute::new("policy_type", Type::String, Mode::Computed, "`builtIn` or `custom`."),
                Attribute::new("allowed_combinations", Type::set(Type::String), Mode::Computed, "Method combinations that satisfy the strength, as Graph writes them (`password,sms`)."),
            ],
            block_types: vec![],
            description: "Reads an authentication strength (built-in or custom) by id or display name.".into(),
        },
    }
}

/// Exactly one of `id` and `display_name`, and a well-formed id; no Graph call.
pub fn validate(config: &Value) -> Diagnostics {
    let id = config.get("id");
    let name = config.get("display_name");
    if id.is_unknown() || name.is_unknown() {
        return Diagnostics::default();
    }
    match (id.as_str(), name.as_str()) {
        (Some(_), Some(_)) | (None, None) => Diagnostics::attr_error(
            AttrPath::root("id"),
            "Set exactly one of id and display_name",
            "The authentication strength is looked up either by its id or by its display name.",
        ),
        (Some(id), None) if !is_guid(guid_of(id)) => Diagnostics::attr_error(
            AttrPath::root("id"),
            "Invalid authentication strength id",
            format!("{id:?} is neither a GUID nor {AUTH_STRENGTH_PATH}{{guid}}."),
        ),
        _ => Diagnostics::default(),
    }
}

/// The data source's value for a strength Graph returned; `id` in the form policies take.
pub fn from_graph(p: &AuthenticationStrengthPolicy) -> Value {
    Value::object([
        ("id", Value::string(format!("{AUTH_STRENGTH_PATH}{}", p.id))),
        ("display_name", Value::opt_string(p.display_name.clone())),
        ("object_id", Value::string(&p.id)),
        ("description", Value::opt_string(p.description.clone())),
        ("policy_type", Value::opt_string(p.policy_type.clone())),
        (
            "allowed_combinations",
            Value::string_set(p.allowed_combinations.iter().cloned()),
        ),
    ])
}

/// The one strength with this display name; none or several is an error naming what was found.
pub fn pick_by_name(
    all: Vec<AuthenticationStrengthPolicy>,
    name: &str,
) -> Result<Value, Diagnostics> {
    let mut found: Vec<_> = all
        .into_iter()
        .filter(|p| p.display_name.as_deref() == Some(name))
        .collect();
    match found.len() {
        1 => Ok(from_graph(&found.remove(0))),
        0 => Err(Diagnostics::attr_error(
            AttrPath::root("display_name"),
            "No authentication strength has this name",
            format!("No authentication strength is named {name:?}. The built-in ones are \"Multifactor authentication\", \"Passwordless MFA\" and \"Phishing-resistant MFA\"."),
        )),
        _ => Err(Diagnostics::attr_error(
            AttrPath::root("display_name"),
            "Several authentication strengths have this name",
            format!(
                "{name:?} matches {}; look it up by id instead.",
                found.iter().map(|p| p.id.as_str()).collect::<Vec<_>>().join(", ")
            ),
        )),
    }
}

/// `entra_authentication_strength_policy`.
pub struct AuthenticationStrengthPolicyDataSource {
    conn: Connection,
}

impl AuthenticationStrengthPolicyDataSource {
    /// The data source, reading through `conn` once the provider is configured.
    pub fn new(conn: Connection) -> Self {
        AuthenticationStrengthPolicyDataSource { conn }
    }
}

#[async_trait::async_trait]
impl DataSource for AuthenticationStrengthPolicyDataSource {
    fn type_name(&self) -> &'static str {
        "entra_authentication_strength_policy"
    }

    fn schema(&self) -> Schema {
        schema()
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        validate(config)
    }

    async fn read(&self, config: &Value) -> Result<Value, Diagnostics> {
        let client = self.conn.client()?;
        if let Some(id) = config.get("id").as_str() {
            let guid = guid_of(id);
            let found: AuthenticationStrengthPolicy = client
                .get_opt(Api::V1, &format!("{COLLECTION}/{guid}"))
                .await
                .map_err(|e| e.to_diagnostics(&format!("read authentication strength {guid}")))?
                .ok_or_else(|| {
                    Diagnostics::attr_error(
                        AttrPath::root("id"),
                        "Authentication strength not found",
                        format!("The tenant has no authentication strength {guid}."),
                    )
                })?;
            return Ok(from_graph(&found));
        }
        let name = config.get("display_name").as_str().unwrap_or_default();
        let all = client
            .list(Api::V1, COLLECTION)
            .await
            .map_err(|e| e.to_diagnostics("list authentication strengths"))?;
        pick_by_name(all, name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn corpus(name: &str) -> AuthenticationStrengthPolicy {
        let path = format!(
            "{}/../shared/corpus/auth-strengths/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    #[test]
    fn exactly_one_valid_lookup_key() {
        let both = Value::object([
            ("id", Value::string("00000000-0000-0000-0000-000000000004")),
            ("display_name", Value::string("x")),
        ]);
        assert!(validate(&both).has_errors());
        assert!(validate(&Value::object([
            ("id", Value::Null),
            ("display_name", Value::Null)
        ]))
        .has_errors());
        let bad = Value::object([
            ("id", Value::string("phishing-resistant")),
            ("display_name", Value::Null),
        ]);
        assert_eq!(validate(&bad).0[0].attribute, Some(AttrPath::root("id")));
        let path = Value::object([
            (
                "id",
                Value::string(
                    "/policies/authenticationStrengthPolicies/00000000-0000-0000-0000-000000000004",
                ),
            ),
            ("display_name", Value::Null),
        ]);
        assert!(validate(&path).is_empty());
    }

    #[test]
    fn built_ins_by_name_with_the_path_id() {
        let all = vec![
            corpus("001-embedded-multifactor-authentication-17combos.json"),
            corpus("002-embedded-phishing-resistant-mfa-3combos.json"),
            corpus("009-graphdocs-v1-post-custom-response.json"),
        ];
        let v = pick_by_name(all.clone(), "Phishing-resistant MFA").unwrap();
        assert_eq!(
            v.get("id"),
            &Value::string(
                "/policies/authenticationStrengthPolicies/00000000-0000-0000-0000-000000000004"
            )
        );
        assert_eq!(
            v.get("object_id"),
            &Value::string("00000000-0000-0000-0000-000000000004")
        );
        assert_eq!(v.get("policy_type"), &Value::string("builtIn"));
        assert_eq!(v.get("allowed_combinations").strs().len(), 3);
        let custom = pick_by_name(all.clone(), "Contoso authentication level").unwrap();
        assert_eq!(custom.get("policy_type"), &Value::string("custom"));
        let err = pick_by_name(all, "Phishing resistant MFA").unwrap_err();
        assert!(err.to_string().contains("Phishing-resistant MFA"));
    }
}
