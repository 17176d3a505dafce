//! The resource's state (or configuration, or plan) as Rust types, one per block, so that a
//! misspelt attribute is a compile error rather than a silent null; a test holds their names to
//! the schema's. Sets of strings read as `Option<Vec<String>>` in Terraform's order, `None` when
//! null: Terraform tells a null set from an empty one, and `to_value` writes back whichever it
//! was. Unknown values read as `None` too, so code that must tell unknown from null or empty
//! (validation, the weakening check, the plan) reads the `Value` itself.

use super::{FIDO2, X509};
use crate::plugin::value::Value;
use crate::resources::typed_state::{
    block, block_value, set_or_null_value, string, string_value, strings_or_null,
};

/// The whole state.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct StrengthState {
    pub(crate) id: Option<String>,
    pub(crate) object_id: Option<String>,
    pub(crate) display_name: Option<String>,
    pub(crate) description: Option<String>,
    pub(crate) allowed_combinations: Option<Vec<String>>,
    pub(crate) fido2_combination_configuration: Option<Fido2Block>,
    pub(crate) x509_certificate_combination_configuration: Option<X509Block>,
}

/// `fido2_combination_configuration { ... }`.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Fido2Block {
    pub(crate) allowed_aaguids: Option<Vec<String>>,
    pub(crate) id: Option<String>,
}

/// `x509_certificate_combination_configuration { ... }`.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct X509Block {
    pub(crate) applies_to_combinations: Option<Vec<String>>,
    pub(crate) allowed_issuer_skis: Option<Vec<String>>,
    pub(crate) allowed_policy_oids: Option<Vec<String>>,
    pub(crate) id: Option<String>,
}

impl StrengthState {
    pub(crate) fn of(v: &Value) -> StrengthState {
        StrengthState {
            id: string(v, "id"),
            object_id: string(v, "object_id"),
            display_name: string(v, "display_name"),
            description: string(v, "description"),
            allowed_combinations: strings_or_null(v, "allowed_combinations"),
            fido2_combination_configuration: block(v, FIDO2, |b| Fido2Block {
                allowed_aaguids: strings_or_null(b, "allowed_aaguids"),
                id: string(b, "id"),
            }),
            x509_certificate_combination_configuration: block(v, X509, |b| X509Block {
                applies_to_combinations: strings_or_null(b, "applies_to_combinations"),
                allowed_issuer_skis: strings_or_null(b, "allowed_issuer_skis"),
                allowed_policy_oids: strings_or_null(b, "allowed_policy_oids"),
                id: string(b, "id"),
            }),
        }
    }

    /// The `Value` Terraform stores, every attribute present.
    pub(crate) fn to_value(&self) -> Value {
        Value::object([
            ("id", string_value(&self.id)),
            ("object_id", string_value(&self.object_id)),
            ("display_name", string_value(&self.display_name)),
            ("description", string_value(&self.description)),
            (
                "allowed_combinations",
                set_or_null_value(&self.allowed_combinations),
            ),
            (
                FIDO2,
                block_value(&self.fido2_combination_configuration, |b| {
                    Value::object([
                        ("allowed_aaguids", set_or_null_value(&b.allowed_aaguids)),
                        ("id", string_value(&b.id)),
                    ])
                }),
            ),
            (
                X509,
                block_value(&self.x509_certificate_combination_configuration, |b| {
                    Value::object([
                        (
                            "applies_to_combinations",
                            set_or_null_value(&b.applies_to_combinations),
                        ),
                        (
                            "allowed_issuer_skis",
                            set_or_null_value(&b.allowed_issuer_skis),
                        ),
                        (
                            "allowed_policy_oids",
                            set_or_null_value(&b.allowed_policy_oids),
                        ),
                        ("id", string_value(&b.id)),
                    ])
                }),
            ),
        ])
    }

    /// The Graph id of the configuration block `name` (`FIDO2` or `X509`), when it has one.
    pub(crate) fn config_id(&self, name: &str) -> Option<&str> {
        match name {
            FIDO2 => self.fido2_combination_configuration.as_ref()?.id.as_deref(),
            X509 => self
                .x509_certificate_combination_configuration
                .as_ref()?
                .id
                .as_deref(),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The names the types read and write (`every_name_is_read` sets each one) are the schema's.
    #[test]
    fn the_state_types_are_the_schema() {
        let schema = super::super::schema().block;
        assert_eq!(
            schema.state_names().join(","),
            "id,object_id,display_name,description,allowed_combinations,\
             fido2_combination_configuration,x509_certificate_combination_configuration"
        );
        let nested = |name: &str| schema.nested(name).state_names().join(",");
        assert_eq!(nested(FIDO2), "allowed_aaguids,id");
        assert_eq!(
            nested(X509),
            "applies_to_combinations,allowed_issuer_skis,allowed_policy_oids,id"
        );
    }

    #[test]
    fn every_name_is_read() {
        let block = |pairs: Vec<(&str, Value)>| Value::List(vec![Value::object(pairs)]);
        let v = Value::object([
            (
                "id",
                Value::string("/policies/authenticationStrengthPolicies/g"),
            ),
            ("object_id", Value::string("g")),
            ("display_name", Value::string("n")),
            ("description", Value::string("d")),
            ("allowed_combinations", Value::string_set(["fido2"])),
            (
                FIDO2,
                block(vec![
                    ("allowed_aaguids", Value::string_set(["a"])),
                    ("id", Value::string("f")),
                ]),
            ),
            (
                X509,
                block(vec![
                    (
                        "applies_to_combinations",
                        Value::string_set(["x509CertificateMultiFactor"]),
                    ),
                    ("allowed_issuer_skis", Value::string_set(["9A"])),
                    ("allowed_policy_oids", Value::string_set(["1.2"])),
                    ("id", Value::string("x")),
                ]),
            ),
        ]);
        let s = StrengthState::of(&v);
        assert_eq!(
            s.id.as_deref(),
            Some("/policies/authenticationStrengthPolicies/g")
        );
        assert_eq!(s.object_id.as_deref(), Some("g"));
        assert_eq!(s.display_name.as_deref(), Some("n"));
        assert_eq!(s.description.as_deref(), Some("d"));
        assert_eq!(s.allowed_combinations, Some(vec!["fido2".to_string()]));
        assert_eq!(s.config_id(FIDO2), Some("f"));
        assert_eq!(s.config_id(X509), Some("x"));
        let f = s.fido2_combination_configuration.as_ref().unwrap();
        assert_eq!(f.allowed_aaguids, Some(vec!["a".to_string()]));
        let x = s
            .x509_certificate_combination_configuration
            .as_ref()
            .unwrap();
        assert_eq!(
            x.applies_to_combinations,
            Some(vec!["x509CertificateMultiFactor".to_string()])
        );
        assert_eq!(x.allowed_issuer_skis, Some(vec!["9A".to_string()]));
        assert_eq!(x.allowed_policy_oids, Some(vec!["1.2".to_string()]));
        // Written back under the same names.
        assert_eq!(s.to_value(), v);

        assert_eq!(StrengthState::of(&Value::Null), StrengthState::default());
        // A null set and an empty one stay apart both ways: Terraform tells them apart.
        let empty = Value::object([(
            "allowed_combinations",
            Value::string_set(Vec::<String>::new()),
        )]);
        let empty = StrengthState::of(&empty);
        assert_eq!(empty.allowed_combinations, Some(vec![]));
        assert_eq!(
            empty.to_value().get("allowed_combinations"),
            &Value::Set(vec![])
        );
        assert!(StrengthState::default()
            .to_value()
            .get("allowed_combinations")
            .is_null());
    }
}
