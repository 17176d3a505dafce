//! PIM's 17 rules (graph-api.md section 6.3) and the resource's attributes, both ways. Each
//! attribute lives in exactly one rule; `LEAVES` says where, so reading and writing cannot drift
//! apart. Writes start from the rule as Graph has it and change only the configured fields, so
//! every PATCH carries the full rule body (a partial body breaks a role's other rules).
//!
//! The tables name the state's attributes, and a test holds them to the schema. Through them the
//! state is read as a `Value` rather than as the typed state: one table serves both directions,
//! and a write must see what the plan leaves unknown (Graph's value stays), down to a set of
//! e-mails with one unknown element.

use super::state::Approver;
use crate::plugin::value::{Number, Value};
use serde_json::{json, Value as Json};

/// How an attribute is stored in its rule.
#[derive(Clone, Copy)]
enum Kind {
    /// A property of the rule, as it is.
    Field(&'static str),
    /// Membership of a value in the enablement rule's `enabledRules`.
    Enabled(&'static str),
    /// The authentication context rule: `""` when off, else the context id.
    Claim,
    /// A property of the approval rule's `setting`.
    Approval(&'static str),
}

/// The blocks `LEAVES` fill, in the schema's order.
const LEAF_BLOCKS: [&str; 3] = [
    ACTIVATION,
    "eligible_assignment_rules",
    "active_assignment_rules",
];
/// The leaf block that also holds the approval stages.
const ACTIVATION: &str = "activation_rules";
/// The approval stages' block (`STAGE_FIELDS`, `APPROVERS`).
const STAGES: &str = "approval_stage";
/// The block of `GROUPS`, the last of the state.
const NOTIFICATIONS: &str = "notification_rules";

/// (block path, attribute, rule id, kind)
const LEAVES: &[(&str, &str, &str, Kind)] = &[
    (
        "activation_rules",
        "maximum_duration",
        "Expiration_EndUser_Assignment",
        Kind::Field("maximumDuration"),
    ),
    (
        "activation_rules",
        "require_multifactor_authentication",
        "Enablement_EndUser_Assignment",
        Kind::Enabled("MultiFactorAuthentication"),
    ),
    (
        "activation_rules",
        "require_justification",
        "Enablement_EndUser_Assignment",
        Kind::Enabled("Justification"),
    ),
    (
        "activation_rules",
        "require_ticket_info",
        "Enablement_EndUser_Assignment",
        Kind::Enabled("Ticketing"),
    ),
    (
        "activation_rules",
        "required_conditional_access_authentication_context",
        "AuthenticationContext_EndUser_Assignment",
        Kind::Claim,
    ),
    (
        "activation_rules",
        "require_approval",
        "Approval_EndUser_Assignment",
        Kind::Approval("isApprovalRequired"),
    ),
    (
        "eligible_assignment_rules",
        "expiration_required",
        "Expiration_Admin_Eligibility",
        Kind::Field("isExpirationRequired"),
    ),
    (
        "eligible_assignment_rules",
        "expire_after",
        "Expiration_Admin_Eligibility",
        Kind::Field("maximumDuration"),
    ),
    (
        "eligible_assignment_rules",
        "require_multifactor_authentication",
        "Enablement_Admin_Eligibility",
        Kind::Enabled("MultiFactorAuthentication"),
    ),
    (
        "eligible_assignment_rules",
        "require_justification",
        "Enablement_Admin_Eligibility",
        Kind::Enabled("Justification"),
    ),
    (
        "active_assignment_rules",
        "expiration_required",
        "Expiration_Admin_Assignment",
        Kind::Field("isExpirationRequired"),
    ),
    (
        "active_assignment_rules",
        "expire_after",
        "Expiration_Admin_Assignment",
        Kind::Field("maximumDuration"),
    ),
    (
        "active_assignment_rules",
        "require_multifactor_authentication",
        "Enablement_Admin_Assignment",
        Kind::Enabled("MultiFactorAuthentication"),
    ),
    (
        "active_assignment_rules",
        "require_justification",
        "Enablement_Admin_Assignment",
        Kind::Enabled("Justification"),
    ),
    (
        "active_assignment_rules",
        "require_ticket_info",
        "Enablement_Admin_Assignment",
        Kind::Enabled("Ticketing"),
    ),
];

/// Notification blocks: (group block, rule id suffix) x (recipient block, recipient type).
const GROUPS: &[(&str, &str)] = &[
    ("eligible_assignments", "Admin_Eligibility"),
    ("active_assignments", "Admin_Assignment"),
    ("eligible_activations", "EndUser_Assignment"),
];
const RECIPIENTS: &[(&str, &str)] = &[
    ("admin_notifications", "Admin"),
    ("approver_notifications", "Approver"),
    ("assignee_notifications", "Requestor"),
];
const NOTIFICATION_FIELDS: &[(&str, &str)] = &[
    ("notification_level", "notificationLevel"),
    ("default_recipients", "isDefaultRecipientsEnabled"),
    ("additional_recipients", "notificationRecipients"),
];
/// `enabledRules` in the order Graph writes them.
const ENABLEMENT_ORDER: &[&str] = &["MultiFactorAuthentication", "Justification", "Ticketing"];
const STAGE_FIELDS: &[(&str, &str)] = &[
    ("timeout_in_days", "approvalStageTimeOutInDays"),
    (
        "approver_justification_required",
        "isApproverJustificationRequired",
    ),
    ("escalation_enabled", "isEscalationEnabled"),
    ("escalation_time_in_minutes", "escalationTimeInMinutes"),
];
/// A stage's approver blocks and Graph's lists of them.
const APPROVERS: &[(&str, &str)] = &[
    ("primary_approver", "primaryApprovers"),
    ("escalation_approver", "escalationApprovers"),
];

/// The rule properties (Graph's paths, over every rule type) these tables read and write:
/// what Microsoft's metadata is checked against (`graph_metadata.rs`).
pub fn graph_properties() -> Vec<String> {
    let mut out: Vec<String> = LEAVES
        .iter()
        .flat_map(|(_, _, _, kind)| match kind {
            Kind::Field(k) => vec![k.to_string()],
            Kind::Enabled(_) => vec!["enabledRules".into()],
            Kind::Claim => vec!["isEnabled".into(), "claimValue".into()],
            Kind::Approval(k) => vec![format!("setting.{k}")],
        })
        .collect();
    out.extend(NOTIFICATION_FIELDS.iter().map(|(_, k)| k.to_string()));
    // The stages are written whole, and the approval mode follows from their number.
    out.push("setting.approvalMode".into());
    for (_, k) in STAGE_FIELDS {
        out.push(format!("setting.approvalStages.{k}"));
    }
    for (_, approvers) in APPROVERS {
        for id in ["userId", "groupId"] {
            out.push(format!("setting.approvalStages.{approvers}.{id}"));
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Rule properties the resource leaves as Graph has them, each with the reason.
pub const NOT_MODELED: &[(&str, &str)] = &[
    (
        "target",
        "who and what a rule applies to is fixed by its id; written back as read",
    ),
    (
        "notificationType",
        "Email is the only notification type Graph has",
    ),
    (
        "recipientType",
        "part of which notification rule it is (Admin, Approver, Requestor)",
    ),
    (
        "setting.isApprovalRequiredForExtension",
        "extension requests do not exist for directory roles; written back as read",
    ),
    (
        "setting.isRequestorJustificationRequired",
        "the enablement rule's justification is the setting PIM enforces; written back as read",
    ),
    (
        "setting.approvalStages.primaryApprovers.description",
        "approvers of directory roles are users or groups (singleUser, groupMembers); a description is only shown",
    ),
    (
        "setting.approvalStages.escalationApprovers.description",
        "approvers of directory roles are users or groups; a description is only shown",
    ),
    (
        "setting.approvalStages.primaryApprovers.id",
        "beta's spelling of userId/groupId, read as such; PIM settings are written through v1.0",
    ),
    (
        "setting.approvalStages.escalationApprovers.id",
        "beta's spelling of userId/groupId, read as such; PIM settings are written through v1.0",
    ),
];

/// Subject set kinds that directory role approvals cannot use (they exist for access packages
/// and PIM for groups): Graph's other subjectSet members, not modeled for that reason.
pub const OTHER_SUBJECT_SETS: &[&str] = &[
    "membershipRule",
    "connectedOrganizationId",
    "managerLevel",
    "servicePrincipalId",
    "groups",
    "rule",
];

/// The rule with the id `id` (`Expiration_EndUser_Assignment` say), if the policy has it.
pub fn find<'a>(rules: &'a [Json], id: &str) -> Option<&'a Json> {
    rules.iter().find(|r| r["id"] == id)
}

fn json_to_value(j: &Json) -> Value {
    match j {
        Json::Bool(b) => Value::Bool(*b),
        Json::String(s) => Value::string(s),
        Json::Number(n) => n
            .as_i64()
            .map(|i| Value::Number(Number::Int(i)))
            .unwrap_or(Value::Null),
        Json::Array(a) => Value::string_set(a.iter().filter_map(Json::as_str)),
        _ => Value::Null,
    }
}

fn value_to_json(v: &Value) -> Json {
    match v {
        Value::Bool(b) => json!(b),
        Value::String(s) => json!(s),
        Value::Number(n) => json!(n.as_i64()),
        Value::List(_) | Value::Set(_) => json!(v.strs()),
        _ => Json::Null,
    }
}

fn read_leaf(rule: &Json, kind: Kind) -> Value {
    match kind {
        Kind::Field(key) => json_to_value(&rule[key]),
        Kind::Enabled(name) => Value::Bool(
            rule["enabledRules"]
                .as_array()
                .is_some_and(|a| a.iter().any(|x| x == name)),
        ),
        Kind::Claim => match (rule["isEnabled"].as_bool(), rule["claimValue"].as_str()) {
            (Some(true), Some(c)) => Value::string(c),
            _ => Value::string(""),
        },
        Kind::Approval(key) => json_to_value(&rule["setting"][key]),
    }
}

fn write_leaf(rule: &mut Json, kind: Kind, v: &Value) {
    match kind {
        Kind::Field(key) => rule[key] = value_to_json(v),
        Kind::Enabled(name) => {
            let mut on: Vec<String> = rule["enabledRules"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect();
            on.retain(|x| x != name);
            if v.as_bool() == Some(true) {
                on.push(name.to_string());
            }
            on.sort_by_key(|x| {
                ENABLEMENT_ORDER
                    .iter()
                    .position(|o| o == x)
                    .unwrap_or(usize::MAX)
            });
            rule["enabledRules"] = json!(on);
        }
        Kind::Claim => match v.as_str() {
            Some(c) if !c.is_empty() => {
                rule["isEnabled"] = json!(true);
                rule["claimValue"] = json!(c);
            }
            // Already off stays as it is: Graph writes "off" as a null or an empty claim.
            _ if rule["isEnabled"] != json!(true) => {}
            _ => {
                rule["isEnabled"] = json!(false);
                rule["claimValue"] = Json::Null;
            }
        },
        Kind::Approval(key) => rule["setting"][key] = value_to_json(v),
    }
}

fn notification_id(suffix: &str, who: &str) -> String {
    format!("Notification_{who}_{suffix}")
}

fn approver_from_json(j: &Json) -> Value {
    let ty = j["@odata.type"]
        .as_str()
        .unwrap_or_default()
        .trim_start_matches("#microsoft.graph.");
    let id = j["userId"]
        .as_str()
        .or(j["groupId"].as_str())
        .or(j["id"].as_str())
        .unwrap_or_default();
    Value::object([
        ("object_id", Value::string(id)),
        ("type", Value::string(ty)),
    ])
}

fn approver_to_json(a: Approver) -> Json {
    let id = a.object_id.unwrap_or_default();
    match a.r#type.as_deref() {
        Some("groupMembers") => {
            json!({"@odata.type": "#microsoft.graph.groupMembers", "groupId": id})
        }
        _ => json!({"@odata.type": "#microsoft.graph.singleUser", "userId": id}),
    }
}

fn stage_from_json(s: &Json) -> Value {
    let mut fields: Vec<(&str, Value)> = STAGE_FIELDS
        .iter()
        .map(|(a, k)| (*a, json_to_value(&s[*k])))
        .collect();
    for (name, key) in APPROVERS {
        fields.push((
            name,
            Value::List(
                s[key]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(approver_from_json)
                    .collect(),
            ),
        ));
    }
    Value::object(fields)
}

/// The block values for what Graph has. `shape` (the prior or planned state) says which blocks
/// to fill; right after import (or for the data source) every block is filled.
pub fn state_blocks(rules: &[Json], shape: &Value) -> Vec<(String, Value)> {
    let present = |b: &str| !shape.get(b).elements().is_empty();
    // An imported state has no policy id yet (its first read fills it); a configuration that
    // manages no block at all has one, and must keep having no blocks. A create's plan has an
    // unknown one, which is no import: the typed state would read both as `None`.
    let everything = shape.get("policy_id").is_null()
        && !LEAF_BLOCKS.into_iter().any(present)
        && !present(NOTIFICATIONS);
    let wanted = |b: &str| everything || present(b);
    let mut out = Vec::new();
    for block in LEAF_BLOCKS {
        if !wanted(block) {
            out.push((block.to_string(), Value::List(vec![])));
            continue;
        }
        let mut fields: Vec<(String, Value)> = LEAVES
            .iter()
            .filter(|(b, ..)| *b == block)
            .map(|(_, a, rule, kind)| {
                (
                    a.to_string(),
                    find(rules, rule)
                        .map(|r| read_leaf(r, *kind))
                        .unwrap_or(Value::Null),
                )
            })
            .collect();
        if block == ACTIVATION {
            let setting = &find(rules, "Approval_EndUser_Assignment")
                .cloned()
                .unwrap_or(Json::Null)["setting"];
            let configured = !shape.block(block).get(STAGES).elements().is_empty();
            let required = setting["isApprovalRequired"].as_bool() == Some(true);
            let stages = if configured || (everything && required) {
                setting["approvalStages"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(stage_from_json)
                    .collect()
            } else {
                vec![]
            };
            fields.push((STAGES.into(), Value::List(stages)));
        }
        out.push((
            block.to_string(),
            Value::List(vec![Value::Object(fields.into_iter().collect())]),
        ));
    }
    let shape_notes = shape.block(NOTIFICATIONS);
    let notes = if wanted(NOTIFICATIONS) {
        let groups = GROUPS.iter().map(|(group, suffix)| {
            let present = everything || !shape_notes.get(group).elements().is_empty();
            let recips = RECIPIENTS.iter().map(|(name, who)| {
                let present = present
                    && (everything || !shape_notes.block(group).get(name).elements().is_empty());
                let rule = find(rules, &notification_id(suffix, who));
                let v = rule.filter(|_| present).map(|r| {
                    Value::object(
                        NOTIFICATION_FIELDS
                            .iter()
                            .map(|(a, k)| (*a, json_to_value(&r[*k]))),
                    )
                });
                (name.to_string(), Value::List(v.into_iter().collect()))
            });
            let v = present.then(|| Value::Object(recips.collect()));
            (group.to_string(), Value::List(v.into_iter().collect()))
        });
        vec![Value::Object(groups.collect())]
    } else {
        vec![]
    };
    out.push((NOTIFICATIONS.into(), Value::List(notes)));
    out
}

/// The rules as they should be for `planned`: Graph's rules with every known configured value
/// written in. Unknown and null values leave Graph's value.
pub fn desired(rules: &[Json], planned: &Value) -> Vec<Json> {
    let mut out: Vec<Json> = rules.to_vec();
    let rule_mut = |out: &mut Vec<Json>, id: &str| out.iter().position(|r| r["id"] == id);
    for (block, attr, rule, kind) in LEAVES {
        let v = planned.block(block).get(attr);
        if v.is_null() || !v.is_wholly_known() {
            continue;
        }
        if let Some(i) = rule_mut(&mut out, rule) {
            write_leaf(&mut out[i], *kind, v);
        }
    }
    let stages = planned.block(ACTIVATION).get(STAGES).elements();
    if !stages.is_empty() {
        if let Some(i) = rule_mut(&mut out, "Approval_EndUser_Assignment") {
            let setting = &mut out[i]["setting"];
            let current = setting["approvalStages"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            let new: Vec<Json> = stages
                .iter()
                .enumerate()
                .map(|(n, st)| {
                    let mut s = current
                        .get(n)
                        .cloned()
                        .unwrap_or_else(|| current.first().cloned().unwrap_or_else(|| json!({})));
                    for (a, k) in STAGE_FIELDS {
                        let v = st.get(a);
                        if !v.is_null() && v.is_wholly_known() {
                            s[*k] = value_to_json(v);
                        }
                    }
                    for (name, key) in APPROVERS {
                        s[*key] = json!(st
                            .get(name)
                            .elements()
                            .iter()
                            .map(Approver::of)
                            .map(approver_to_json)
                            .collect::<Vec<_>>());
                    }
                    s
                })
                .collect();
            setting["approvalMode"] = json!(if new.len() > 1 {
                "Serial"
            } else {
                "SingleStage"
            });
            setting["approvalStages"] = json!(new);
        }
    }
    let notes = planned.block(NOTIFICATIONS);
    for (group, suffix) in GROUPS {
        for (name, who) in RECIPIENTS {
            let r = notes.block(group).block(name);
            if r.is_null() {
                continue;
            }
            let Some(i) = rule_mut(&mut out, &notification_id(suffix, who)) else {
                continue;
            };
            for (a, k) in NOTIFICATION_FIELDS {
                let v = r.get(a);
                if !v.is_null() && v.is_wholly_known() {
                    out[i][*k] = value_to_json(v);
                }
            }
        }
    }
    out
}

/// A rule as sent in a PATCH: the full rule, without OData annotations Graph adds on reads.
pub fn body(rule: &Json) -> Json {
    match rule {
        Json::Object(m) => Json::Object(
            m.iter()
                .filter(|(k, _)| !k.contains("@odata.") || *k == "@odata.type")
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        ),
        other => other.clone(),
    }
}

fn mfa_on(rule: &Json) -> bool {
    rule["enabledRules"]
        .as_array()
        .is_some_and(|a| a.iter().any(|x| x == "MultiFactorAuthentication"))
}

/// The rules that differ from Graph's, in a safe order: PIM refuses MFA and an authentication
/// context together, so whatever is being switched off goes first and whatever is being
/// switched on goes last.
pub fn changes(current: &[Json], desired: &[Json]) -> Vec<Json> {
    let mut changed: Vec<(u8, Json)> = desired
        .iter()
        .filter_map(|d| {
            let c = find(current, d["id"].as_str().unwrap_or_default())?;
            (c != d).then(|| {
                let order = match d["id"].as_str() {
                    Some("Enablement_EndUser_Assignment") if mfa_on(c) && !mfa_on(d) => 0,
                    Some("AuthenticationContext_EndUser_Assignment")
                        if d["isEnabled"] != json!(true) =>
                    {
                        0
                    }
                    Some("AuthenticationContext_EndUser_Assignment") => 2,
                    Some("Enablement_EndUser_Assignment") if !mfa_on(c) && mfa_on(d) => 3,
                    _ => 1,
                };
                (order, d.clone())
            })
        })
        .collect();
    changed.sort_by_key(|(o, _)| *o);
    changed.into_iter().map(|(_, r)| r).collect()
}

/// Seconds in an ISO-8601 duration of days, hours and minutes (`P180D`, `PT4H`, `PT1H30M`).
pub fn duration_seconds(d: &str) -> Option<u64> {
    let rest = d.strip_prefix('P')?;
    let (days, time) = match rest.split_once('T') {
        Some((days, time)) => (days, time),
        None => (rest, ""),
    };
    let mut total = 0u64;
    let mut parse = |part: &str, units: &[(char, u64)]| -> Option<()> {
        let mut num = String::new();
        for ch in part.chars() {
            if ch.is_ascii_digit() {
                num.push(ch);
            } else {
                let (_, secs) = units.iter().find(|(u, _)| *u == ch)?;
                // Checked: a typo of twenty digits is an invalid duration, not an overflow.
                total = total.checked_add(num.parse::<u64>().ok()?.checked_mul(*secs)?)?;
                num.clear();
            }
        }
        num.is_empty().then_some(())
    };
    parse(days, &[('D', 86_400), ('W', 604_800)])?;
    parse(time, &[('H', 3_600), ('M', 60), ('S', 1)])?;
    (d.len() > 1 && d != "PT").then_some(total)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plugin::schema::Block;
    use crate::plugin::timeouts;

    fn attributes(block: &Block) -> Vec<&str> {
        block.attributes.iter().map(|a| a.name.as_str()).collect()
    }

    fn names(table: &[(&'static str, &str)]) -> Vec<&'static str> {
        table.iter().map(|(name, _)| *name).collect()
    }

    /// The tables name every attribute and block of the schema once, where the schema has it: a
    /// misspelt name would read and write nothing.
    #[test]
    fn the_tables_are_the_schema() {
        let schema = super::super::schema::schema().block;
        let blocks: Vec<&str> = schema
            .block_types
            .iter()
            .map(|b| b.type_name.as_str())
            .collect();
        assert_eq!(
            blocks,
            [&LEAF_BLOCKS[..], &[NOTIFICATIONS, timeouts::BLOCK]].concat()
        );
        for block in LEAF_BLOCKS {
            let leaves: Vec<&str> = LEAVES
                .iter()
                .filter(|(b, ..)| *b == block)
                .map(|(_, a, ..)| *a)
                .collect();
            assert_eq!(leaves, attributes(schema.nested(block)), "{block}");
        }
        assert!(LEAVES.iter().all(|(b, ..)| LEAF_BLOCKS.contains(b)));
        let activation = schema.nested(ACTIVATION);
        let nested_blocks: Vec<&str> = activation
            .block_types
            .iter()
            .map(|b| b.type_name.as_str())
            .collect();
        assert_eq!(nested_blocks, [STAGES]);
        let stage = activation.nested(STAGES);
        assert_eq!(names(STAGE_FIELDS), attributes(stage));
        assert_eq!(names(APPROVERS), stage.state_names()[STAGE_FIELDS.len()..]);
        let notes = schema.nested(NOTIFICATIONS);
        assert_eq!(names(GROUPS), notes.state_names());
        for (group, _) in GROUPS {
            let g = notes.nested(group);
            assert_eq!(names(RECIPIENTS), g.state_names(), "{group}");
            for (who, _) in RECIPIENTS {
                assert_eq!(
                    names(NOTIFICATION_FIELDS),
                    g.nested(who).state_names(),
                    "{group}.{who}"
                );
            }
        }
    }

    /// An approver read from Graph carries the names the state reads back.
    #[test]
    fn approvers_read_back() {
        let read = approver_from_json(
            &json!({"@odata.type": "#microsoft.graph.groupMembers", "groupId": "g"}),
        );
        let a = Approver::of(&read);
        assert_eq!(
            (a.object_id.as_deref(), a.r#type.as_deref()),
            (Some("g"), Some("groupMembers"))
        );
        assert_eq!(
            approver_to_json(a),
            json!({"@odata.type": "#microsoft.graph.groupMembers", "groupId": "g"})
        );
    }
}
