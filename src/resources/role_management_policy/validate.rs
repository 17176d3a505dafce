//! Plan-time checks for PIM settings: what PIM would refuse, reported on the attribute to fix.

use super::rules::duration_seconds;
use crate::plugin::diag::{AttrPath, Diagnostics};
use crate::plugin::value::Value;
use crate::resources::authentication_context::check_context_id;
use crate::resources::conditional_access_policy::vocabulary::is_guid;

const NOTIFICATION_LEVELS: &[&str] = &["All", "Critical", "None"];
const APPROVER_TYPES: &[&str] = &["singleUser", "groupMembers"];

fn at(blocks: &[(&str, usize)], attr: &str) -> AttrPath {
    let mut p = AttrPath::default();
    for (b, i) in blocks {
        p = p.attr(b).index(*i);
    }
    p.attr(attr)
}

fn check_activation(a: &Value, d: &mut Diagnostics) {
    let here = |attr: &str| at(&[("activation_rules", 0)], attr);
    if let Some(dur) = a.get("maximum_duration").as_str() {
        match duration_seconds(dur) {
            Some(s) if (1800..=86_400).contains(&s) => {}
            _ => d.push_attr_error(here("maximum_duration"), "Invalid activation duration", format!("{dur:?}: PIM activations last from PT30M to PT24H (ISO-8601, e.g. PT4H or PT1H30M).")),
        }
    }
    let context = a
        .get("required_conditional_access_authentication_context")
        .as_str()
        .filter(|c| !c.is_empty());
    if let Some(c) = context {
        if let Err(e) = check_context_id(c) {
            d.push_attr_error(
                here("required_conditional_access_authentication_context"),
                "Invalid authentication context id",
                e,
            );
        }
    }
    if context.is_some() && a.get("require_multifactor_authentication").as_bool() == Some(true) {
        d.push_attr_error(
            here("require_multifactor_authentication"),
            "MFA and an authentication context together",
            "PIM refuses both on activation (MfaAndAcrsConflict). The authentication context's Conditional Access policy can require MFA itself; set require_multifactor_authentication = false.",
        );
    }
    let stages = a.get("approval_stage").elements();
    let usable = stages
        .iter()
        .any(|s| !s.get("primary_approver").elements().is_empty());
    if a.get("require_approval").as_bool() == Some(true) && !usable {
        d.push_attr_error(
            here("require_approval"),
            "Approval without approvers",
            "require_approval = true needs an approval_stage with at least one primary_approver; otherwise requests go to whoever holds the Privileged Role Administrator role.",
        );
    }
    for (i, stage) in stages.iter().enumerate() {
        for kind in ["primary_approver", "escalation_approver"] {
            for (j, approver) in stage.get(kind).elements().iter().enumerate() {
                let path = |attr: &str| {
                    at(
                        &[("activation_rules", 0), ("approval_stage", i), (kind, j)],
                        attr,
                    )
                };
                if let Some(t) = approver.get("type").as_str() {
                    if !APPROVER_TYPES.contains(&t) {
                        d.push_attr_error(
                            path("type"),
                            "Unknown approver type",
                            format!("{t:?} is not one of: {}.", APPROVER_TYPES.join(", ")),
                        );
                    }
                }
                if let Some(id) = approver.get("object_id").as_str() {
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

fn check_assignment(block: &str, a: &Value, d: &mut Diagnostics) {
    if let Some(dur) = a.get("expire_after").as_str() {
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

fn check_notifications(n: &Value, d: &mut Diagnostics) {
    for group in [
        "eligible_assignments",
        "active_assignments",
        "eligible_activations",
    ] {
        for who in [
            "admin_notifications",
            "approver_notifications",
            "assignee_notifications",
        ] {
            let r = n.block(group).block(who);
            let path = |attr: &str| at(&[("notification_rules", 0), (group, 0), (who, 0)], attr);
            if let Some(level) = r.get("notification_level").as_str() {
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
            for mail in r.get("additional_recipients").strs() {
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

pub fn validate(config: &Value) -> Diagnostics {
    let mut d = Diagnostics::default();
    if let Some(id) = config.get("role_definition_id").as_str() {
        if !is_guid(id) {
            d.push_attr_error(AttrPath::root("role_definition_id"), "Malformed role id", format!("{id:?} is not a role template id (a GUID); use data.entra_directory_role.x.template_id."));
        }
    }
    check_activation(config.block("activation_rules"), &mut d);
    check_assignment(
        "eligible_assignment_rules",
        config.block("eligible_assignment_rules"),
        &mut d,
    );
    check_assignment(
        "active_assignment_rules",
        config.block("active_assignment_rules"),
        &mut d,
    );
    check_notifications(config.block("notification_rules"), &mut d);
    d
}
