//! Data source `entra_authentication_strength_policy`: a built-in or custom authentication
//! strength by `id` or `display_name`, for `authentication_strength_policy_id` in policies.

use crate::data_sources::lookup::{self, Lookup, LookupDataSource};
use crate::graph::ids::is_guid;
use crate::graph::models::AuthenticationStrengthPolicy;
use crate::graph::Api;
use crate::plugin::diag::Diagnostics;
use crate::plugin::schema::{Attribute, Block, Mode, Schema, Type};
use crate::plugin::value::Value;
use crate::resources::authentication_strength_policy::{guid_of, COLLECTION};
use crate::resources::conditional_access_policy::vocabulary::AUTH_STRENGTH_PATH;

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
    lookup::state_by_name::<AuthenticationStrengths>(all, name)
}

/// `entra_authentication_strength_policy`.
pub type AuthenticationStrengthPolicyDataSource = LookupDataSource<AuthenticationStrengths>;

/// How an authentication strength is looked up: by `id`, a GUID or the path form policies take.
pub struct AuthenticationStrengths;

impl Lookup for AuthenticationStrengths {
    type Model = AuthenticationStrengthPolicy;
    const TYPE_NAME: &'static str = "entra_authentication_strength_policy";
    const NOUN: &'static str = "authentication strength";
    const PLURAL: &'static str = "authentication strengths";
    const ID: &'static str = "id";
    const API: Api = Api::V1;
    const COLLECTION: &'static str = COLLECTION;
    // The built-ins are the ones looked up most, so a near miss is most likely one of them.
    const NAME_HINT: Option<&'static str> = Some("The built-in ones are \"Multifactor authentication\", \"Passwordless MFA\" and \"Phishing-resistant MFA\".");

    fn schema() -> Schema {
        schema()
    }

    fn check_id(id: &str) -> Result<(), String> {
        is_guid(guid_of(id))
            .then_some(())
            .ok_or_else(|| format!("{id:?} is neither a GUID nor {AUTH_STRENGTH_PATH}{{guid}}."))
    }

    fn id(p: &AuthenticationStrengthPolicy) -> &str {
        &p.id
    }

    fn name(p: &AuthenticationStrengthPolicy) -> Option<&str> {
        p.display_name.as_deref()
    }

    fn state(p: &AuthenticationStrengthPolicy) -> Value {
        from_graph(p)
    }

    fn graph_id(id: &str) -> &str {
        guid_of(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plugin::diag::AttrPath;

    fn validate(config: &Value) -> Diagnostics {
        lookup::validate::<AuthenticationStrengths>(config)
    }

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
