//! The resource's state (or configuration, or plan) as Rust types, one per block, so that a
//! misspelt attribute is a compile error rather than a silent null; a test holds their names to
//! the schema's. Sets of strings read as `Vec<String>` in Terraform's order; unknown values
//! read as `None` or are left out, so code that must tell unknown from null (the plan, the
//! rules an apply writes) reads the `Value` itself.

use crate::plugin::value::{Number, Value};
use crate::resources::typed_state::{block, blocks, flag, number, string, strings};

/// The whole state.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct PolicyState {
    pub(crate) id: Option<String>,
    pub(crate) role_definition_id: Option<String>,
    pub(crate) policy_id: Option<String>,
    pub(crate) activation_rules: Option<ActivationRules>,
    pub(crate) eligible_assignment_rules: Option<EligibleAssignmentRules>,
    pub(crate) active_assignment_rules: Option<ActiveAssignmentRules>,
    pub(crate) notification_rules: Option<NotificationRules>,
}

/// `activation_rules { ... }`.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct ActivationRules {
    pub(crate) maximum_duration: Option<String>,
    pub(crate) require_multifactor_authentication: Option<bool>,
    pub(crate) require_justification: Option<bool>,
    pub(crate) require_ticket_info: Option<bool>,
    pub(crate) required_conditional_access_authentication_context: Option<String>,
    pub(crate) require_approval: Option<bool>,
    pub(crate) approval_stage: Vec<ApprovalStage>,
}

/// `approval_stage { ... }`. The times stay numbers: validation refuses a fraction, which an
/// integer would hide.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct ApprovalStage {
    pub(crate) timeout_in_days: Option<Number>,
    pub(crate) approver_justification_required: Option<bool>,
    pub(crate) escalation_enabled: Option<bool>,
    pub(crate) escalation_time_in_minutes: Option<Number>,
    pub(crate) primary_approver: Vec<Approver>,
    pub(crate) escalation_approver: Vec<Approver>,
}

/// `primary_approver { ... }` or `escalation_approver { ... }`.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Approver {
    pub(crate) object_id: Option<String>,
    pub(crate) r#type: Option<String>,
}

/// `eligible_assignment_rules { ... }`.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct EligibleAssignmentRules {
    pub(crate) expiration_required: Option<bool>,
    pub(crate) expire_after: Option<String>,
    pub(crate) require_multifactor_authentication: Option<bool>,
    pub(crate) require_justification: Option<bool>,
}

/// `active_assignment_rules { ... }`: the eligible ones' attributes and ticket information.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct ActiveAssignmentRules {
    pub(crate) expiration_required: Option<bool>,
    pub(crate) expire_after: Option<String>,
    pub(crate) require_multifactor_authentication: Option<bool>,
    pub(crate) require_justification: Option<bool>,
    pub(crate) require_ticket_info: Option<bool>,
}

/// `notification_rules { ... }`.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct NotificationRules {
    pub(crate) eligible_assignments: Option<NotificationGroup>,
    pub(crate) active_assignments: Option<NotificationGroup>,
    pub(crate) eligible_activations: Option<NotificationGroup>,
}

/// One event's e-mails: `eligible_assignments { ... }` and its siblings.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct NotificationGroup {
    pub(crate) admin_notifications: Option<Recipients>,
    pub(crate) approver_notifications: Option<Recipients>,
    pub(crate) assignee_notifications: Option<Recipients>,
}

/// Who gets one event's e-mails: `admin_notifications { ... }` and its siblings.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Recipients {
    pub(crate) notification_level: Option<String>,
    pub(crate) default_recipients: Option<bool>,
    pub(crate) additional_recipients: Vec<String>,
}

impl PolicyState {
    pub(crate) fn of(v: &Value) -> PolicyState {
        PolicyState {
            id: string(v, "id"),
            role_definition_id: string(v, "role_definition_id"),
            policy_id: string(v, "policy_id"),
            activation_rules: block(v, "activation_rules", ActivationRules::of),
            eligible_assignment_rules: block(v, "eligible_assignment_rules", |b| {
                EligibleAssignmentRules {
                    expiration_required: flag(b, "expiration_required"),
                    expire_after: string(b, "expire_after"),
                    require_multifactor_authentication: flag(
                        b,
                        "require_multifactor_authentication",
                    ),
                    require_justification: flag(b, "require_justification"),
                }
            }),
            active_assignment_rules: block(v, "active_assignment_rules", |b| {
                ActiveAssignmentRules {
                    expiration_required: flag(b, "expiration_required"),
                    expire_after: string(b, "expire_after"),
                    require_multifactor_authentication: flag(
                        b,
                        "require_multifactor_authentication",
                    ),
                    require_justification: flag(b, "require_justification"),
                    require_ticket_info: flag(b, "require_ticket_info"),
                }
            }),
            notification_rules: block(v, "notification_rules", |b| NotificationRules {
                eligible_assignments: block(b, "eligible_assignments", NotificationGroup::of),
                active_assignments: block(b, "active_assignments", NotificationGroup::of),
                eligible_activations: block(b, "eligible_activations", NotificationGroup::of),
            }),
        }
    }
}

impl ActivationRules {
    fn of(b: &Value) -> ActivationRules {
        ActivationRules {
            maximum_duration: string(b, "maximum_duration"),
            require_multifactor_authentication: flag(b, "require_multifactor_authentication"),
            require_justification: flag(b, "require_justification"),
            require_ticket_info: flag(b, "require_ticket_info"),
            required_conditional_access_authentication_context: string(
                b,
                "required_conditional_access_authentication_context",
            ),
            require_approval: flag(b, "require_approval"),
            approval_stage: blocks(b, "approval_stage", |s| ApprovalStage {
                timeout_in_days: number(s, "timeout_in_days"),
                approver_justification_required: flag(s, "approver_justification_required"),
                escalation_enabled: flag(s, "escalation_enabled"),
                escalation_time_in_minutes: number(s, "escalation_time_in_minutes"),
                primary_approver: blocks(s, "primary_approver", Approver::of),
                escalation_approver: blocks(s, "escalation_approver", Approver::of),
            }),
        }
    }

    /// The authentication context activation requires: `""` is none.
    pub(crate) fn required_context(&self) -> Option<&str> {
        self.required_conditional_access_authentication_context
            .as_deref()
            .filter(|c| !c.is_empty())
    }
}

impl ApprovalStage {
    /// Both kinds of approver, with their block names (for diagnostics' paths).
    pub(crate) fn approvers(&self) -> [(&'static str, &[Approver]); 2] {
        [
            ("primary_approver", &self.primary_approver),
            ("escalation_approver", &self.escalation_approver),
        ]
    }
}

impl Approver {
    pub(crate) fn of(v: &Value) -> Approver {
        Approver {
            object_id: string(v, "object_id"),
            r#type: string(v, "type"),
        }
    }
}

impl NotificationRules {
    /// The events configured, with their block names (for diagnostics' paths), in the
    /// schema's order.
    pub(crate) fn groups(&self) -> impl Iterator<Item = (&'static str, &NotificationGroup)> {
        [
            ("eligible_assignments", &self.eligible_assignments),
            ("active_assignments", &self.active_assignments),
            ("eligible_activations", &self.eligible_activations),
        ]
        .into_iter()
        .filter_map(|(name, g)| Some((name, g.as_ref()?)))
    }
}

impl NotificationGroup {
    fn of(b: &Value) -> NotificationGroup {
        NotificationGroup {
            admin_notifications: block(b, "admin_notifications", Recipients::of),
            approver_notifications: block(b, "approver_notifications", Recipients::of),
            assignee_notifications: block(b, "assignee_notifications", Recipients::of),
        }
    }

    /// The recipients configured, with their block names (for diagnostics' paths), in the
    /// schema's order.
    pub(crate) fn recipients(&self) -> impl Iterator<Item = (&'static str, &Recipients)> {
        [
            ("admin_notifications", &self.admin_notifications),
            ("approver_notifications", &self.approver_notifications),
            ("assignee_notifications", &self.assignee_notifications),
        ]
        .into_iter()
        .filter_map(|(name, r)| Some((name, r.as_ref()?)))
    }
}

impl Recipients {
    fn of(b: &Value) -> Recipients {
        Recipients {
            notification_level: string(b, "notification_level"),
            default_recipients: flag(b, "default_recipients"),
            additional_recipients: strings(b, "additional_recipients"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::every_attribute_set;
    use super::*;

    /// The names the types read (`every_name_is_read` sets each one) are the schema's, block by
    /// block: each line is one type's fields.
    #[test]
    fn the_state_types_are_the_schema() {
        let approver = "object_id,type";
        let group = "admin_notifications,approver_notifications,assignee_notifications";
        let recipients = "notification_level,default_recipients,additional_recipients";
        let mut expected: Vec<(String, String)> = [
            ("", "id,role_definition_id,policy_id,activation_rules,eligible_assignment_rules,active_assignment_rules,notification_rules"),
            ("activation_rules", "maximum_duration,require_multifactor_authentication,require_justification,require_ticket_info,required_conditional_access_authentication_context,require_approval,approval_stage"),
            ("activation_rules.approval_stage", "timeout_in_days,approver_justification_required,escalation_enabled,escalation_time_in_minutes,primary_approver,escalation_approver"),
            ("activation_rules.approval_stage.primary_approver", approver),
            ("activation_rules.approval_stage.escalation_approver", approver),
            ("eligible_assignment_rules", "expiration_required,expire_after,require_multifactor_authentication,require_justification"),
            ("active_assignment_rules", "expiration_required,expire_after,require_multifactor_authentication,require_justification,require_ticket_info"),
            ("notification_rules", "eligible_assignments,active_assignments,eligible_activations"),
        ]
        .map(|(path, names)| (path.to_string(), names.to_string()))
        .into();
        for g in [
            "eligible_assignments",
            "active_assignments",
            "eligible_activations",
        ] {
            expected.push((format!("notification_rules.{g}"), group.into()));
            for r in group.split(',') {
                expected.push((format!("notification_rules.{g}.{r}"), recipients.into()));
            }
        }
        let got = super::super::schema::schema().block.state_names_by_path();
        assert_eq!(got, expected);
    }

    #[test]
    fn every_name_is_read() {
        let s = |path: &str| Some(path.to_string());
        let approver = |p: &str| Approver {
            object_id: s(&format!("{p}.object_id")),
            r#type: s(&format!("{p}.type")),
        };
        let recipients = |p: &str| Recipients {
            notification_level: s(&format!("{p}.notification_level")),
            default_recipients: Some(true),
            additional_recipients: vec![format!("{p}.additional_recipients")],
        };
        let group = |p: &str| NotificationGroup {
            admin_notifications: Some(recipients(&format!("{p}.admin_notifications"))),
            approver_notifications: Some(recipients(&format!("{p}.approver_notifications"))),
            assignee_notifications: Some(recipients(&format!("{p}.assignee_notifications"))),
        };
        let minus_one = Some(Number::Int(-1));
        let expected = PolicyState {
            id: s("id"),
            role_definition_id: s("role_definition_id"),
            policy_id: s("policy_id"),
            activation_rules: Some(ActivationRules {
                maximum_duration: s("activation_rules.maximum_duration"),
                require_multifactor_authentication: Some(true),
                require_justification: Some(true),
                require_ticket_info: Some(true),
                required_conditional_access_authentication_context: s(
                    "activation_rules.required_conditional_access_authentication_context",
                ),
                require_approval: Some(true),
                approval_stage: vec![ApprovalStage {
                    timeout_in_days: minus_one.clone(),
                    approver_justification_required: Some(true),
                    escalation_enabled: Some(true),
                    escalation_time_in_minutes: minus_one.clone(),
                    primary_approver: vec![approver(
                        "activation_rules.approval_stage.primary_approver",
                    )],
                    escalation_approver: vec![approver(
                        "activation_rules.approval_stage.escalation_approver",
                    )],
                }],
            }),
            eligible_assignment_rules: Some(EligibleAssignmentRules {
                expiration_required: Some(true),
                expire_after: s("eligible_assignment_rules.expire_after"),
                require_multifactor_authentication: Some(true),
                require_justification: Some(true),
            }),
            active_assignment_rules: Some(ActiveAssignmentRules {
                expiration_required: Some(true),
                expire_after: s("active_assignment_rules.expire_after"),
                require_multifactor_authentication: Some(true),
                require_justification: Some(true),
                require_ticket_info: Some(true),
            }),
            notification_rules: Some(NotificationRules {
                eligible_assignments: Some(group("notification_rules.eligible_assignments")),
                active_assignments: Some(group("notification_rules.active_assignments")),
                eligible_activations: Some(group("notification_rules.eligible_activations")),
            }),
        };
        assert_eq!(PolicyState::of(&every_attribute_set()), expected);
        assert_eq!(PolicyState::of(&Value::Null), PolicyState::default());
    }

    /// The block names the accessors give for diagnostics are where their blocks are.
    #[test]
    fn the_accessors_name_their_blocks() {
        let state = PolicyState::of(&every_attribute_set());
        let activation = state.activation_rules.unwrap();
        assert_eq!(
            activation.required_context(),
            Some("activation_rules.required_conditional_access_authentication_context")
        );
        let stage = &activation.approval_stage[0];
        for (kind, approvers) in stage.approvers() {
            assert_eq!(
                approvers[0].object_id,
                Some(format!("activation_rules.approval_stage.{kind}.object_id"))
            );
        }
        let mut seen = 0;
        for (group, g) in state.notification_rules.as_ref().unwrap().groups() {
            for (who, r) in g.recipients() {
                assert_eq!(
                    r.notification_level,
                    Some(format!(
                        "notification_rules.{group}.{who}.notification_level"
                    ))
                );
                seen += 1;
            }
        }
        assert_eq!(seen, 9);
    }
}
