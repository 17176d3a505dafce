//! The schema: the block names of azuread's `azuread_group_role_management_policy`, keyed by a
//! directory role, with every one of the 17 PIM rules reachable. Settings are optional and, when
//! left out, show what Graph has (they are computed), so omitting something means "leave it".

use crate::plugin::schema::{Attribute, Block, Mode, NestedBlock, Schema, Type};

fn setting(name: &str, ty: Type, desc: &str) -> Attribute {
    Attribute::new(name, ty, Mode::OptionalComputed, desc)
}

fn flag(name: &str, desc: &str) -> Attribute {
    setting(name, Type::Bool, desc)
}

fn block(
    name: &str,
    max: i64,
    attributes: Vec<Attribute>,
    blocks: Vec<NestedBlock>,
    desc: &str,
) -> NestedBlock {
    NestedBlock::once(name, attributes, blocks, desc).at_most(max)
}

fn approver(name: &str, desc: &str) -> NestedBlock {
    block(
        name,
        0,
        vec![
            Attribute::new(
                "object_id",
                Type::String,
                Mode::Required,
                "Object id of the user or group.",
            ),
            Attribute::new(
                "type",
                Type::String,
                Mode::Required,
                "`singleUser` or `groupMembers`.",
            ),
        ],
        vec![],
        desc,
    )
}

fn activation_rules() -> NestedBlock {
    let stage = block(
        "approval_stage",
        2,
        vec![
            setting(
                "timeout_in_days",
                Type::Number,
                "Days before an unanswered request expires.",
            ),
            flag(
                "approver_justification_required",
                "Approvers must give a justification.",
            ),
            flag(
                "escalation_enabled",
                "Escalate to the escalation approvers.",
            ),
            setting(
                "escalation_time_in_minutes",
                Type::Number,
                "Minutes before escalation.",
            ),
        ],
        vec![
            approver(
                "primary_approver",
                "Who approves. `require_approval = true` needs at least one.",
            ),
            approver("escalation_approver", "Who approves after escalation."),
        ],
        "An approval stage; two stages approve in series.",
    );
    block(
        "activation_rules",
        1,
        vec![
            setting("maximum_duration", Type::String, "Longest activation, ISO-8601, `PT30M` to `PT24H` (rule `Expiration_EndUser_Assignment`)."),
            flag("require_multifactor_authentication", "MFA on activation (rule `Enablement_EndUser_Assignment`). Not together with an authentication context."),
            flag("require_justification", "Justification on activation (rule `Enablement_EndUser_Assignment`)."),
            flag("require_ticket_info", "Ticket information on activation (rule `Enablement_EndUser_Assignment`)."),
            setting("required_conditional_access_authentication_context", Type::String, "Authentication context id (`c1`..`c99`) required on activation; `\"\"` turns it off (rule `AuthenticationContext_EndUser_Assignment`)."),
            flag("require_approval", "Activation needs approval (rule `Approval_EndUser_Assignment`)."),
        ],
        vec![stage],
        "Activating an eligible assignment.",
    )
}

fn assignment_rules(
    name: &str,
    expiration_rule: &str,
    enablement_rule: &str,
    ticket: bool,
    desc: &str,
) -> NestedBlock {
    let mut attributes = vec![
        flag(
            "expiration_required",
            &format!("Assignments must expire (rule `{expiration_rule}`)."),
        ),
        setting(
            "expire_after",
            Type::String,
            &format!(
                "Longest assignment, ISO-8601 days, up to `P365D` (rule `{expiration_rule}`)."
            ),
        ),
        flag(
            "require_multifactor_authentication",
            &format!("MFA when assigning (rule `{enablement_rule}`)."),
        ),
        flag(
            "require_justification",
            &format!("Justification when assigning (rule `{enablement_rule}`)."),
        ),
    ];
    if ticket {
        attributes.push(flag(
            "require_ticket_info",
            &format!("Ticket information when assigning (rule `{enablement_rule}`)."),
        ));
    }
    block(name, 1, attributes, vec![], desc)
}

fn recipients(name: &str, who: &str) -> NestedBlock {
    block(
        name,
        1,
        vec![
            setting(
                "notification_level",
                Type::String,
                "`All`, `Critical` or `None`.",
            ),
            flag(
                "default_recipients",
                &format!("Notify the default recipients ({who})."),
            ),
            setting(
                "additional_recipients",
                Type::set(Type::String),
                "Further e-mail addresses.",
            ),
        ],
        vec![],
        &format!("E-mails to {who}."),
    )
}

fn notification_group(name: &str, desc: &str) -> NestedBlock {
    block(
        name,
        1,
        vec![],
        vec![
            recipients("admin_notifications", "administrators"),
            recipients("approver_notifications", "approvers"),
            recipients("assignee_notifications", "the assignee"),
        ],
        desc,
    )
}

/// The role it belongs to, and its rules as blocks in azuread's layout: activation, eligible and
/// active assignment, notifications.
pub fn schema() -> Schema {
    Schema {
        version: 0,
        block: Block {
            attributes: vec![
                Attribute::new("id", Type::String, Mode::Computed, "The role definition id."),
                Attribute::new("role_definition_id", Type::String, Mode::Required, "The directory role's template id (`data.entra_directory_role.x.template_id`). Changing it replaces the resource.").requires_replace(),
                Attribute::new("policy_id", Type::String, Mode::Computed, "The PIM policy's id. Graph may change it when the policy is modified.").unknown_on_change(),
            ],
            block_types: vec![
                activation_rules(),
                assignment_rules("eligible_assignment_rules", "Expiration_Admin_Eligibility", "Enablement_Admin_Eligibility", false, "Eligible assignments."),
                assignment_rules("active_assignment_rules", "Expiration_Admin_Assignment", "Enablement_Admin_Assignment", true, "Active assignments."),
                block(
                    "notification_rules",
                    1,
                    vec![],
                    vec![
                        notification_group("eligible_assignments", "When a member is made eligible."),
                        notification_group("active_assignments", "When a member is assigned as active."),
                        notification_group("eligible_activations", "When an eligible member activates the role."),
                    ],
                    "E-mail notifications (rules `Notification_*`).",
                ),
                crate::plugin::timeouts::block(),
            ],
            description: "PIM settings of an Entra directory role.".into(),
        },
    }
}
