//! Mapping tests against the reference rules and the corpus.

use super::*;
use crate::resources::reconcile::same;

fn shared(path: &str) -> Json {
    let p = format!("{}/../shared/{path}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{p}: {e}")))
        .unwrap()
}

fn default_rules() -> Vec<Json> {
    shared("reference/graph-examples/pim.rules.list.directoryrole.response.json")["value"]
        .as_array()
        .unwrap()
        .clone()
}

fn block(pairs: Vec<(&str, Value)>) -> Value {
    Value::List(vec![Value::object(pairs)])
}

/// A configuration with every attribute and block of the schema set once, each string to its
/// own path (`activation_rules.maximum_duration`), so that a name read from the wrong block
/// reads the wrong string. Valid only in its shape: every string and number is a bad value.
pub(super) fn every_attribute_set() -> Value {
    fn filled(b: &crate::plugin::schema::Block, path: &str) -> Value {
        use crate::plugin::schema::{AttributeType, Type};
        use crate::plugin::value::Number;
        let at = |name: &str| format!("{path}.{name}").trim_start_matches('.').to_string();
        let attributes = b.attributes.iter().map(|a| {
            let v = match &a.ty {
                AttributeType::Plain(Type::String) => Value::string(at(&a.name)),
                AttributeType::Plain(Type::Bool) => Value::Bool(true),
                AttributeType::Plain(Type::Number) => Value::Number(Number::Int(-1)),
                AttributeType::Plain(Type::Set(_)) => Value::string_set([at(&a.name)]),
                other => panic!("{}: {other:?}", a.name),
            };
            (a.name.clone(), v)
        });
        let blocks = b
            .block_types
            .iter()
            .filter(|n| n.type_name != crate::plugin::timeouts::BLOCK)
            .map(|n| {
                let element = filled(&n.block, &at(&n.type_name));
                (n.type_name.clone(), Value::List(vec![element]))
            });
        Value::object(attributes.chain(blocks))
    }
    filled(&schema::schema().block, "")
}

/// The issue's example, as HCL would give it.
fn example() -> Value {
    Value::object([
        (
            "role_definition_id",
            Value::string("9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3"),
        ),
        (
            "activation_rules",
            block(vec![
                ("maximum_duration", Value::string("PT4H")),
                ("require_justification", Value::Bool(true)),
                ("require_ticket_info", Value::Bool(false)),
                ("require_multifactor_authentication", Value::Bool(false)),
                (
                    "required_conditional_access_authentication_context",
                    Value::string("c1"),
                ),
                ("require_approval", Value::Bool(true)),
                (
                    "approval_stage",
                    block(vec![(
                        "primary_approver",
                        Value::List(vec![Value::object([
                            (
                                "object_id",
                                Value::string("2f6d0a3b-5d0e-4a55-9a3c-6f1f2c7d8e9f"),
                            ),
                            ("type", Value::string("groupMembers")),
                        ])]),
                    )]),
                ),
            ]),
        ),
        (
            "eligible_assignment_rules",
            block(vec![
                ("expiration_required", Value::Bool(true)),
                ("expire_after", Value::string("P180D")),
            ]),
        ),
        (
            "active_assignment_rules",
            block(vec![
                ("expiration_required", Value::Bool(true)),
                ("expire_after", Value::string("P30D")),
                ("require_multifactor_authentication", Value::Bool(true)),
                ("require_justification", Value::Bool(true)),
            ]),
        ),
        (
            "notification_rules",
            block(vec![(
                "eligible_activations",
                block(vec![(
                    "approver_notifications",
                    block(vec![
                        ("notification_level", Value::string("Critical")),
                        ("default_recipients", Value::Bool(true)),
                        (
                            "additional_recipients",
                            Value::string_set(["secops@example.com"]),
                        ),
                    ]),
                )]),
            )]),
        ),
    ])
}

#[test]
fn the_example_changes_exactly_the_rules_it_names_in_a_safe_order() {
    let current = default_rules();
    let desired = rules::desired(&current, &example());
    let changes = rules::changes(&current, &desired);
    let changed: Vec<&str> = changes.iter().map(|r| r["id"].as_str().unwrap()).collect();
    // MFA goes off before the authentication context goes on.
    let mfa_off = changed
        .iter()
        .position(|r| *r == "Enablement_EndUser_Assignment")
        .unwrap();
    let acrs_on = changed
        .iter()
        .position(|r| *r == "AuthenticationContext_EndUser_Assignment")
        .unwrap();
    assert!(mfa_off < acrs_on, "{changed:?}");
    for untouched in [
        "Notification_Admin_Admin_Eligibility",
        "Enablement_Admin_Eligibility",
    ] {
        assert!(!changed.contains(&untouched), "{changed:?}");
    }
    let get = |id: &str| desired.iter().find(|r| r["id"] == id).unwrap().clone();
    assert_eq!(
        get("Expiration_EndUser_Assignment")["maximumDuration"],
        "PT4H"
    );
    assert_eq!(
        get("Enablement_EndUser_Assignment")["enabledRules"],
        json!(["Justification"])
    );
    assert_eq!(
        get("AuthenticationContext_EndUser_Assignment")["claimValue"],
        "c1"
    );
    assert_eq!(
        get("AuthenticationContext_EndUser_Assignment")["isEnabled"],
        true
    );
    let approval = get("Approval_EndUser_Assignment");
    assert_eq!(approval["setting"]["isApprovalRequired"], true);
    assert_eq!(
        approval["setting"]["approvalStages"][0]["primaryApprovers"][0]["groupId"],
        "2f6d0a3b-5d0e-4a55-9a3c-6f1f2c7d8e9f"
    );
    assert_eq!(
        approval["setting"]["approvalStages"][0]["approvalStageTimeOutInDays"], 1,
        "unset stage fields keep Graph's value"
    );
    assert_eq!(
        get("Enablement_Admin_Assignment")["enabledRules"],
        json!(["MultiFactorAuthentication", "Justification"])
    );
    assert_eq!(
        get("Notification_Approver_EndUser_Assignment")["notificationLevel"],
        "Critical"
    );
    assert_eq!(
        get("Notification_Approver_EndUser_Assignment")["notificationRecipients"],
        json!(["secops@example.com"])
    );
    // Full bodies: every rule keeps its type and target.
    for r in &desired {
        assert!(
            r["@odata.type"].is_string() && r["target"].is_object(),
            "{r}"
        );
    }
}

#[test]
fn reading_back_what_was_written_gives_the_configuration() {
    let desired = rules::desired(&default_rules(), &example());
    let policy = RolePolicy {
        policy_id: "p".into(),
        rules: desired,
    };
    let state = state_from("9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3", &policy, &example());
    for b in [
        "activation_rules",
        "eligible_assignment_rules",
        "active_assignment_rules",
        "notification_rules",
    ] {
        let cfg = example().block(b).clone();
        let got = state.block(b).clone();
        // Configured leaves must match; unconfigured ones show Graph's values.
        if let Value::Object(m) = &cfg {
            for (k, v) in m.iter().filter(|(k, _)| *k != "approval_stage") {
                assert!(
                    same(got.get(k), v) || !v.is_wholly_known(),
                    "{b}.{k}: {:?} vs {:?}",
                    got.get(k),
                    v
                );
            }
        }
    }
    assert_eq!(
        state
            .block("eligible_assignment_rules")
            .get("require_justification"),
        &Value::Bool(false),
        "Graph's default shown"
    );
}

#[test]
fn switching_from_auth_context_to_mfa_turns_the_context_off_first() {
    let with_context = rules::desired(&default_rules(), &example());
    let to_mfa = Value::object([(
        "activation_rules",
        block(vec![
            ("require_multifactor_authentication", Value::Bool(true)),
            (
                "required_conditional_access_authentication_context",
                Value::string(""),
            ),
        ]),
    )]);
    let desired = rules::desired(&with_context, &to_mfa);
    let order: Vec<String> = rules::changes(&with_context, &desired)
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        order,
        vec![
            "AuthenticationContext_EndUser_Assignment",
            "Enablement_EndUser_Assignment"
        ]
    );
}

#[test]
fn destroy_restores_the_snapshot_exactly() {
    let before = RolePolicy {
        policy_id: "p".into(),
        rules: default_rules(),
    };
    let bytes = RolePolicies::default().record(&before);
    let restored = RolePolicies::default().recorded(&bytes).unwrap();
    let changed = rules::desired(&default_rules(), &example());
    let back: Vec<Json> = changed
        .iter()
        .map(|r| {
            rules::find(&restored, r["id"].as_str().unwrap())
                .cloned()
                .unwrap()
        })
        .collect();
    assert_eq!(back, default_rules());
    assert!(rules::changes(&default_rules(), &back).is_empty());
}

#[test]
fn durations() {
    assert_eq!(rules::duration_seconds("PT4H"), Some(4 * 3600));
    assert_eq!(rules::duration_seconds("PT1H45M"), Some(6300));
    assert_eq!(rules::duration_seconds("P180D"), Some(180 * 86_400));
    assert_eq!(
        rules::duration_seconds("PT99999999999999999H"),
        None,
        "overflow is invalid"
    );
    assert_eq!(rules::duration_seconds("P99999999999999999D"), None);
    assert_eq!(rules::duration_seconds("P1Y"), None);
    assert_eq!(rules::duration_seconds("PT"), None);
    assert_eq!(rules::duration_seconds("4h"), None);
}

#[test]
fn validation_rules_point_at_their_attribute() {
    let mut v = example();
    let set = |v: &mut Value, b: &str, k: &str, x: Value| {
        if let Value::Object(m) = v {
            if let Some(Value::List(l)) = m.get_mut(b) {
                if let Value::Object(bm) = &mut l[0] {
                    bm.insert(k.into(), x);
                }
            }
        }
    };
    assert!(validate(&v).is_empty(), "{}", validate(&v));
    set(
        &mut v,
        "activation_rules",
        "require_multifactor_authentication",
        Value::Bool(true),
    );
    set(
        &mut v,
        "activation_rules",
        "maximum_duration",
        Value::string("PT25H"),
    );
    set(
        &mut v,
        "active_assignment_rules",
        "expire_after",
        Value::string("P1Y"),
    );
    let d = validate(&v);
    let paths: Vec<String> =
        d.0.iter()
            .map(|x| x.attribute.as_ref().unwrap().to_string())
            .collect();
    assert!(
        paths.contains(&"activation_rules[0].require_multifactor_authentication".to_string()),
        "{paths:?}"
    );
    assert!(
        paths.contains(&"activation_rules[0].maximum_duration".to_string()),
        "{paths:?}"
    );
    assert!(
        paths.contains(&"active_assignment_rules[0].expire_after".to_string()),
        "{paths:?}"
    );
    let mut no_approvers = example();
    set(
        &mut no_approvers,
        "activation_rules",
        "approval_stage",
        Value::List(vec![]),
    );
    assert!(validate(&no_approvers)
        .0
        .iter()
        .any(|x| x.summary == "Approval without approvers"));
}

/// Validation's paths are hand-written: each must name an attribute where the schema has it.
#[test]
fn every_check_points_into_the_schema() {
    use crate::plugin::diag::Step;
    let schema = schema::schema().block;
    let d = validate(&every_attribute_set());
    for x in &d.0 {
        let path = x.attribute.as_ref().unwrap();
        let names: Vec<&str> = path
            .0
            .iter()
            .filter_map(|s| match s {
                Step::Attr(a) => Some(a.as_str()),
                _ => None,
            })
            .collect();
        let (attr, blocks) = names.split_last().unwrap();
        let mut b = &schema;
        for name in blocks {
            let nested = b.block_types.iter().find(|n| n.type_name == *name);
            b = &nested.unwrap_or_else(|| panic!("{path}")).block;
        }
        assert!(b.attributes.iter().any(|a| a.name == *attr), "{path}");
    }
    // Every check but approval without approvers (its own test) fails once per attribute.
    assert_eq!(d.0.len(), 30, "{d}");
}

#[test]
fn every_corpus_pim_policy_reads_into_all_blocks() {
    let dir = format!(
        "{}/../shared/corpus/pim-policies",
        env!("CARGO_MANIFEST_DIR")
    );
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let policy: Json =
            serde_json::from_str(&std::fs::read_to_string(entry.unwrap().path()).unwrap()).unwrap();
        let rules_json = policy["rules"]
            .as_array()
            .or(policy["effectiveRules"].as_array())
            .cloned()
            .unwrap_or_default();
        if rules_json.is_empty() {
            continue;
        }
        let rp = RolePolicy {
            policy_id: "p".into(),
            rules: rules_json.clone(),
        };
        let state = state_from("r", &rp, &Value::Null);
        for b in [
            "activation_rules",
            "eligible_assignment_rules",
            "active_assignment_rules",
            "notification_rules",
        ] {
            assert_eq!(state.get(b).elements().len(), 1, "{b}");
        }
        // Writing the state back changes nothing.
        let changes = rules::changes(&rules_json, &rules::desired(&rules_json, &state));
        assert!(changes.is_empty(), "{:#}", json!(changes));
        n += 1;
    }
    assert!(n > 0);
}

#[test]
fn a_configuration_without_blocks_keeps_none_but_an_import_gets_all() {
    let rp = RolePolicy {
        policy_id: "p".into(),
        rules: default_rules(),
    };
    let managed = Value::object([
        ("role_definition_id", Value::string("r")),
        ("policy_id", Value::string("p")),
    ]);
    let state = state_from("r", &rp, &managed);
    for b in [
        "activation_rules",
        "eligible_assignment_rules",
        "active_assignment_rules",
        "notification_rules",
    ] {
        assert!(state.get(b).elements().is_empty(), "{b}");
    }
    let imported = Value::object([("role_definition_id", Value::string("r"))]);
    let state = state_from("r", &rp, &imported);
    assert_eq!(state.get("notification_rules").elements().len(), 1);
}

#[test]
fn asking_for_a_context_without_mentioning_mfa_plans_mfa_off() {
    let config = Value::object([
        ("role_definition_id", Value::string(APP)),
        (
            "activation_rules",
            block(vec![(
                "required_conditional_access_authentication_context",
                Value::string("c1"),
            )]),
        ),
    ]);
    let planned = plan(&PlanRequest {
        prior: &Value::Null,
        config: &config,
        proposed: &config,
    });
    assert_eq!(
        planned
            .state
            .block("activation_rules")
            .get("require_multifactor_authentication"),
        &Value::Bool(false)
    );
    assert_eq!(
        planned
            .state
            .block("activation_rules")
            .get("maximum_duration"),
        &Value::Unknown
    );
}

const APP: &str = "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3";
