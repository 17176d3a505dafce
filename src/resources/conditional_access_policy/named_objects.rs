//! A policy names authentication contexts, named locations and an authentication strength by
//! id, and Graph refuses the whole policy at apply when the tenant lacks one, after other
//! objects of the same apply may have been written. So the plan checks them against the
//! connection's listings (which the refresh has usually loaded already). Only ids the plan adds
//! are checked: an unchanged policy costs no request, and one whose location was deleted
//! outside Terraform is left to its refresh and Graph.

use super::validate::{at, path};
use super::vocabulary::{canonical_keyword, strength_guid, LOCATION_KEYWORDS};
use crate::plugin::diag::Diagnostics;
use crate::plugin::value::Value;
use crate::resources::connection::Connection;
use crate::resources::tenant_objects::Objects;

/// The legacy "Multifactor authentication trusted IPs" location: valid in policies although no
/// named location has its id (graph-api.md, special location ids).
const MFA_TRUSTED_IPS: &str = "00000000-0000-0000-0000-000000000000";

/// Which of the tenant's object types an attribute names.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Kind {
    Context,
    Location,
    Strength,
}

const NAMED: &[(&str, Kind)] = &[
    (
        "conditions.applications.included_authentication_context_class_references",
        Kind::Context,
    ),
    ("conditions.locations.included_locations", Kind::Location),
    ("conditions.locations.excluded_locations", Kind::Location),
    (
        "grant_controls.authentication_strength_policy_id",
        Kind::Strength,
    ),
];

/// The known ids at an attribute, as Graph's ids (keywords and the trusted-IPs location left
/// out, strength paths reduced to the id).
fn ids<'a>(policy: &'a Value, dotted: &str, kind: Kind) -> Vec<&'a str> {
    let v = at(policy, dotted);
    let all = match v.as_str() {
        Some(s) => vec![s],
        None => v.strs(),
    };
    all.into_iter()
        .filter(|id| match kind {
            Kind::Location => {
                !LOCATION_KEYWORDS.contains(&canonical_keyword(id, LOCATION_KEYWORDS))
                    && *id != MFA_TRUSTED_IPS
            }
            _ => true,
        })
        .map(|id| match kind {
            Kind::Strength => strength_guid(id),
            _ => id,
        })
        .collect()
}

/// Per attribute, the ids `planned` names that `prior` (null on create) did not.
pub(crate) fn added<'a>(
    prior: &Value,
    planned: &'a Value,
) -> Vec<(&'static str, Kind, Vec<&'a str>)> {
    NAMED
        .iter()
        .filter_map(|(dotted, kind)| {
            let before = ids(prior, dotted, *kind);
            let new: Vec<&str> = ids(planned, dotted, *kind)
                .into_iter()
                .filter(|id| !before.iter().any(|b| b.eq_ignore_ascii_case(id)))
                .collect();
            (!new.is_empty()).then_some((*dotted, *kind, new))
        })
        .collect()
}

/// Errors for the added ids the tenant lacks. A listing Graph does not answer skips its check:
/// Graph still refuses the policy at apply, before writing it.
pub(crate) async fn check(conn: &Connection, prior: &Value, planned: &Value) -> Diagnostics {
    let mut d = Diagnostics::default();
    let Ok(client) = conn.client() else {
        return d;
    };
    for (dotted, kind, ids) in added(prior, planned) {
        let objects: &Objects = match kind {
            Kind::Context => &conn.objects().contexts,
            Kind::Location => &conn.objects().locations,
            Kind::Strength => &conn.objects().strengths,
        };
        for id in objects.missing(client, &ids).await.unwrap_or_default() {
            let (summary, detail) = missing_text(kind, id);
            d.push_attr_error(path(dotted), summary, detail);
        }
    }
    d
}

fn missing_text(kind: Kind, id: &str) -> (String, String) {
    match kind {
        Kind::Context => (
            format!("Authentication context {id} does not exist"),
            format!("The tenant has no authentication context {id}, and Graph refuses a policy that targets one it lacks. Create it with an entra_authentication_context resource and use that resource's context_id here, so that Terraform creates the context first."),
        ),
        Kind::Location => (
            format!("Named location {id} does not exist"),
            "The tenant has no named location with this id, and Graph refuses the policy (1040 Invalid Location). Use the id attribute of an entra_named_location resource or data source rather than a copied id; \"All\" and \"AllTrusted\" are the keywords.".to_string(),
        ),
        Kind::Strength => (
            format!("Authentication strength {id} does not exist"),
            "The tenant has no authentication strength with this id, and Graph refuses the policy. The built-in ones are 00000000-0000-0000-0000-000000000002 (multifactor), ...0003 (passwordless) and ...0004 (phishing-resistant); for a custom one use the id attribute of an entra_authentication_strength_policy resource or data source.".to_string(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(apps: Value, locations: Value, strength: Value) -> Value {
        let block = |v: Value| Value::List(vec![v]);
        Value::object([
            (
                "conditions",
                block(Value::object([
                    (
                        "applications",
                        block(Value::object([(
                            "included_authentication_context_class_references",
                            apps,
                        )])),
                    ),
                    ("locations", block(locations)),
                ])),
            ),
            (
                "grant_controls",
                block(Value::object([(
                    "authentication_strength_policy_id",
                    strength,
                )])),
            ),
        ])
    }

    #[test]
    fn a_create_checks_every_named_id_but_keywords_and_the_trusted_ips_location() {
        let p = policy(
            Value::string_set(["c1", "c2"]),
            Value::object([
                (
                    "included_locations",
                    Value::string_set(["all", "AllTrusted", MFA_TRUSTED_IPS, "L1"]),
                ),
                ("excluded_locations", Value::string_set(["L2"])),
            ]),
            Value::string("/policies/authenticationStrengthPolicies/S1"),
        );
        let added = added(&Value::Null, &p);
        let kinds: Vec<(Kind, Vec<&str>)> = added.into_iter().map(|(_, k, ids)| (k, ids)).collect();
        assert_eq!(
            kinds,
            vec![
                (Kind::Context, vec!["c1", "c2"]),
                (Kind::Location, vec!["L1"]),
                (Kind::Location, vec!["L2"]),
                (Kind::Strength, vec!["S1"]),
            ]
        );
    }

    #[test]
    fn an_update_checks_only_the_ids_it_adds_and_unknowns_wait_for_apply() {
        let prior = policy(
            Value::string_set(["c1"]),
            Value::object([("included_locations", Value::string_set(["L1"]))]),
            Value::string("S1"),
        );
        let planned = policy(
            Value::Set(vec![
                Value::string("C1"),
                Value::string("c3"),
                Value::Unknown,
            ]),
            Value::object([("included_locations", Value::string_set(["l1"]))]),
            Value::Unknown,
        );
        let added = added(&prior, &planned);
        assert_eq!(added.len(), 1);
        assert_eq!(
            added[0],
            (
                "conditions.applications.included_authentication_context_class_references",
                Kind::Context,
                vec!["c3"]
            )
        );
        assert!(super::added(&prior, &prior).is_empty());
    }
}
