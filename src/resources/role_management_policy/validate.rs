//! Plan-time checks for PIM settings: what PIM would refuse, reported on the attribute to fix.

use super::rules::duration_seconds;
use super::state::{ActivationRules, ApprovalStage, NotificationRules, PolicyState};
use crate::graph::ids::is_guid;
use crate::plugin::diag::{AttrPath, Diagnostics};
use crate::plugin::value::{Number, Value};
use crate::resources::authentication_context::check_context_id;

const NOTIFICATION_LEVELS: &[&str] = &["All", "Critical", "None"];
const APPROVER_TYPES: &[&str] = &["singleUser", "groupMembers"];

fn at(blocks: &[(&str, usize)], attr: &str) -> AttrPath {
    let mut p = AttrPath::default();
    for (b, i) in blocks {
        p = p.attr(b).index(*i);
    }
    p.attr(attr)
}

fn check_activation(a: &ActivationRules, d: &mut Diagnostics) {
    let here = |attr: &str| at(&[("activation_rules", 0)], attr);
    if let Some(dur) = &a.maximum_duration {
        match duration_seconds(dur) {
            Some(s) if (1800..=86_400).contains(&s) => {}
            _ => d.push_attr_error(here("maximum_duration"), "Invalid activation duration", format!("{dur:?}: PIM activations last from PT30M to PT24H (ISO-8601, e.g. PT4H or PT1H30M).")),
        }
    }
    let context = a.required_context();
    if let Some(c) = context {
        if let Err(e) = check_context_id(c) {
            d.push_attr_error(
                here("required_conditional_access_authentication_context"),
                "Invalid authentication context id",
                e,
            );
        }
    }
    if context.is_some() && a.require_multifactor_authentication == Some(true) {
        d.push_attr_error(
            here("require_multifactor_authentication"),
            "MFA and an authentication context together",
            "PIM refuses both on activation (MfaAndAcrsConflict). The authentication context's Conditional Access policy can require MFA itself; set require_multifactor_authentication = false.",
        );
    }
    let usable = a
        .approval_stage
        .iter()
        .any(|s| !s.primary_approver.is_empty());
    if a.require_approval == Some(true) && !usable {
        d.push_attr_error(
            here("require_approval"),
            "Approval without approvers",
            "require_approval = true needs an approval_stage with at least one primary_approver; otherwise requests go to whoever holds the Privileged Role Administrator role.",
        );
    }
    for (i, stage) in a.approval_stage.iter().enumerate() {
        let stage_path = |attr: &str| at(&[("activation_rules", 0), ("approval_stage", i)], attr);
        for (attr, time, min, unit) in STAGE_TIMES {
            check_stage_time(time(stage), attr, *min, unit, stage_path(attr), d);
        }
        for (kind, approvers) in stage.approvers() {
            for (j, approver) in approvers.iter().enumerate() {
                let path = |attr: &str| {
                    at(
                        &[("activation_rules", 0), ("approval_stage", i), (kind, j)],
                        attr,
                    )
                };
                if let Some(t) = approver.r#type.as_deref() {
                    if !APPROVER_TYPES.contains(&t) {
                        d.push_attr_error(
                            path("type"),
                            "Unknown approver type",
                            format!("{t:?} is not one of: {}.", APPROVER_TYPES.join(", ")),
                        );
                    }
                }
                if let Some(id) = &approver.object_id {
                    if !is_guid(id) {
                        d.push_attr_error(
                            path("object_id"),
                            "Malformed id",
                            format!("{id:?} is not an object id (a GUID)."),
                        );
                    }
                }
            }
        }
    }
}

/// Reads one time of a stage.
type StageTime = fn(&ApprovalStage) -> Option<&Number>;

/// Stage times and their least value: Graph stores both as Int32, denies an unanswered request
/// after `approvalStageTimeOutInDays` (so at least one day; Microsoft's default is 1) and
/// escalates after `escalationTimeInMinutes` (0 = at once, Microsoft's default).
const STAGE_TIMES: &[(&str, StageTime, i64, &str)] = &[
    ("timeout_in_days", |s| s.timeout_in_days.as_ref(), 1, "days"),
    (
        "escalation_time_in_minutes",
        |s| s.escalation_time_in_minutes.as_ref(),
        0,
        "minutes",
    ),
];

/// Refuses what Graph would refuse at apply: a fraction, or a value outside `min..=i32::MAX`.
fn check_stage_time(
    n: Option<&Number>,
    attr: &str,
    min: i64,
    unit: &str,
    path: AttrPath,
    d: &mut Diagnostics,
) {
    let Some(n) = n else {
        return;
    };
    let max = i64::from(i32::MAX);
    if !n.as_i64().is_some_and(|v| (min..=max).contains(&v)) {
        d.push_attr_error(
            path,
            "Approval stage time out of range",
            format!("{attr} must be a whole number of {unit} from {min} to {max}."),
        );
    }
}

fn check_assignment(block: &str, expire_after: Option<&str>, d: &mut Diagnostics) {
    if let Some(dur) = expire_after {
        let days_only = dur
            .strip_prefix('P')
            .and_then(|d| d.strip_suffix('D'))
            .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()));
        let ok = days_only
            && duration_seconds(dur).is_some_and(|s| (86_400..=365 * 86_400).contains(&s));
        if !ok {
            d.push_attr_error(at(&[(block, 0)], "expire_after"), "Invalid assignment expiry", format!("{dur:?}: use days, P1D to P365D (e.g. P15D, P30D, P90D, P180D, P365D); PIM does not take years or months."));
        }
    }
}

fn check_notifications(n: &NotificationRules, d: &mut Diagnostics) {
    for (group, g) in n.groups() {
        for (who, r) in g.recipients() {
            let path = |attr: &str| at(&[("notification_rules", 0), (group, 0), (who, 0)], attr);
            if let Some(level) = r.notification_level.as_deref() {
                if !NOTIFICATION_LEVELS.contains(&level) {
                    d.push_attr_error(
                        path("notification_level"),
                        "Invalid notification level",
                        format!(
                            "{level:?} is not one of: {}.",
                            NOTIFICATION_LEVELS.join(", ")
                        ),
                    );
                }
            }
            for mail in &r.additional_recipients {
                let ok = mail
                    .split_once('@')
                    .is_some_and(|(user, host)| !user.is_empty() && host.contains('.'));
                if !ok {
                    d.push_attr_error(
                        path("additional_recipients"),
                        "Not an e-mail address",
                        format!("{mail:?} is not an e-mail address."),
                    );
                }
            }
        }
    }
}

/// Offline checks of a configuration, each with its attribute: a role template id, and settings PIM
/// takes. Unknown values read as absent, so they pass until they are known.
pub fn validate(config: &Value) -> Diagnostics {
    let config = PolicyState::of(config);
    let mut d = Diagnostics::default();
    if let Some(id) = &config.role_definition_id {
        if !is_guid(id) {
            d.push_attr_error(AttrPath::root("role_definition_id"), "Malformed role id", format!("{id:?} is not a role template id (a GUID); use data.entra_directory_role.x.template_id."));
        }
    }
    if let Some(a) = &config.activation_rules {
        check_activation(a, &mut d);
    }
    if let Some(a) = &config.eligible_assignment_rules {
        check_assignment(
            "eligible_assignment_rules",
            a.expire_after.as_deref(),
            &mut d,
        );
    }
    if let Some(a) = &config.active_assignment_rules {
        check_assignment("active_assignment_rules", a.expire_after.as_deref(), &mut d);
    }
    if let Some(n) = &config.notification_rules {
        check_notifications(n, &mut d);
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_stage(attr: &str, n: Number) -> Value {
        let stage = Value::object([(attr, Value::Number(n))]);
        let activation = Value::object([("approval_stage", Value::List(vec![stage]))]);
        Value::object([("activation_rules", Value::List(vec![activation]))])
    }

    fn refused(attr: &str, n: Number) -> Vec<String> {
        validate(&with_stage(attr, n))
            .0
            .iter()
            .filter(|x| x.summary == "Approval stage time out of range")
            .map(|x| x.attribute.as_ref().unwrap().to_string())
            .collect()
    }

    #[test]
    fn stage_times_outside_what_graph_stores_point_at_their_attribute() {
        let timeout = "activation_rules[0].approval_stage[0].timeout_in_days";
        let escalation = "activation_rules[0].approval_stage[0].escalation_time_in_minutes";
        assert_eq!(refused("timeout_in_days", Number::Int(0)), [timeout]);
        assert_eq!(refused("timeout_in_days", Number::Float(1.5)), [timeout]);
        assert_eq!(refused("timeout_in_days", Number::Int(1 << 31)), [timeout]);
        assert!(refused("timeout_in_days", Number::Int(1)).is_empty());
        assert_eq!(
            refused("escalation_time_in_minutes", Number::Int(-5)),
            [escalation]
        );
        assert!(refused("escalation_time_in_minutes", Number::Int(0)).is_empty());
        assert!(refused("escalation_time_in_minutes", Number::Float(120.0)).is_empty());
    }
}
