//! Two ways of signing in written in one provider block. The provider uses exactly one
//! credential (see `graph::credentials::build` for the order), so the other would be silently
//! ignored: a secret next to `use_msi = true` signs in with the secret. Saying so names both.
//!
//! Only attributes written in the provider block count, never the `ARM_*` environment variables:
//! those are the machine's ambient settings, often exported for every job of a CI runner (an
//! `ARM_CLIENT_SECRET` for azurerm next to `ARM_USE_OIDC`), and refusing them would make
//! `terraform validate` pass on one machine and fail on another. Between a variable and an
//! attribute the documented selection order decides.

use crate::plugin::diag::{AttrPath, Diagnostics};
use crate::plugin::value::Value;

/// (attribute, the way of signing in it selects), in the order a conflict is reported: the
/// later of two attributes of different ways gets the error.
const CREDENTIALS: &[(&str, &str)] = &[
    ("client_secret", "a client secret"),
    ("client_certificate", "a client certificate"),
    ("client_certificate_path", "a client certificate"),
    ("use_oidc", "OIDC"),
    ("oidc_token", "OIDC"),
    ("oidc_token_file_path", "OIDC"),
    ("oidc_request_token", "OIDC"),
    ("use_msi", "a managed identity"),
];

/// A non-empty string or `true`. An unknown value (from a variable during `terraform
/// validate`) is not judged here; ConfigureProvider checks again once it is known.
fn written(config: &Value, name: &str) -> bool {
    match config.get(name) {
        Value::String(s) => !s.is_empty(),
        Value::Bool(b) => *b,
        _ => false,
    }
}

/// An error on each credential attribute written after one of another way of signing in.
pub(crate) fn conflicting_credentials(config: &Value) -> Diagnostics {
    let mut d = Diagnostics::default();
    let mut first: Option<(&str, &str)> = None;
    for &(name, way) in CREDENTIALS.iter().filter(|(n, _)| written(config, n)) {
        match first {
            None => first = Some((name, way)),
            Some((earlier, earlier_way)) if earlier_way != way => d.push_attr_error(
                AttrPath::root(name),
                "Conflicting credentials",
                format!("{earlier} and {name} are both set in the provider block, but the provider signs in one way only: with {earlier_way} or with {way}. Remove one of them."),
            ),
            Some(_) => {}
        }
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(pairs: &[(&str, Value)]) -> Value {
        Value::object(pairs.iter().map(|(k, v)| (*k, v.clone())))
    }

    fn refused(pairs: &[(&str, Value)]) -> Vec<(String, String)> {
        conflicting_credentials(&block(pairs))
            .0
            .into_iter()
            .map(|d| (d.attribute.unwrap().to_string(), d.detail))
            .collect()
    }

    #[test]
    fn the_second_way_of_signing_in_is_refused_naming_both() {
        let secret = ("client_secret", Value::string("s"));
        for (second, value) in [
            ("use_msi", Value::Bool(true)),
            ("oidc_token", Value::string("t")),
            ("client_certificate", Value::string("aGVsbG8=")),
        ] {
            let errors = refused(&[secret.clone(), (second, value)]);
            assert_eq!(errors.len(), 1, "{errors:?}");
            assert_eq!(errors[0].0, second);
            assert!(errors[0].1.starts_with("client_secret and "), "{errors:?}");
        }
    }

    #[test]
    fn one_way_with_its_own_settings_is_not_a_conflict() {
        assert!(refused(&[
            ("use_oidc", Value::Bool(true)),
            ("oidc_token", Value::string("t")),
            ("client_id", Value::string("c")),
        ])
        .is_empty());
        assert!(refused(&[
            ("client_secret", Value::string("s")),
            ("use_msi", Value::Bool(false)),
            ("use_cli", Value::Bool(true)),
            ("oidc_token", Value::string("")),
        ])
        .is_empty());
        // Known only at plan: judged by ConfigureProvider then.
        assert!(refused(&[
            ("client_secret", Value::Unknown),
            ("use_msi", Value::Bool(true)),
        ])
        .is_empty());
    }
}
