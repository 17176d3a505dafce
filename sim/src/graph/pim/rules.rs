//! The 17 rules of a directory-role policy (graph-api.md §6.3): ids, derived types, targets and
//! Microsoft's defaults, exactly as `GET .../rules` returns them for a never-modified policy
//! (`pim.rules.list.directoryrole.response.json`: lowercase `all`, `claimValue` null, no
//! `targetObjects`).

use serde_json::{json, Value};

/// The derived type of a rule (`@odata.type` without `#microsoft.graph.`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RuleKind {
    Expiration,
    Enablement,
    Approval,
    AuthenticationContext,
    Notification,
}

impl RuleKind {
    pub(crate) fn type_name(self) -> &'static str {
        match self {
            RuleKind::Expiration => "unifiedRoleManagementPolicyExpirationRule",
            RuleKind::Enablement => "unifiedRoleManagementPolicyEnablementRule",
            RuleKind::Approval => "unifiedRoleManagementPolicyApprovalRule",
            RuleKind::AuthenticationContext => {
                "unifiedRoleManagementPolicyAuthenticationContextRule"
            }
            RuleKind::Notification => "unifiedRoleManagementPolicyNotificationRule",
        }
    }

    /// `#microsoft.graph.<type>`, as emitted.
    pub(crate) fn odata_type(self) -> String {
        format!("#microsoft.graph.{}", self.type_name())
    }

    /// Whether a request's `@odata.type` names this type (`#` optional, case-insensitive).
    pub(crate) fn matches_odata_type(self, t: &str) -> bool {
        let t = t.strip_prefix('#').unwrap_or(t);
        t.strip_prefix("microsoft.graph.")
            .or_else(|| t.strip_prefix("Microsoft.Graph."))
            .is_some_and(|n| n.eq_ignore_ascii_case(self.type_name()))
    }
}

/// One of the 17 rules: its identity (never changes) and the recipient type for notifications.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RuleSpec {
    pub(crate) id: &'static str,
    pub(crate) kind: RuleKind,
    pub(crate) caller: &'static str,
    pub(crate) level: &'static str,
    /// Notification rules only: `Admin` / `Requestor` / `Approver`.
    pub(crate) recipient: &'static str,
}

const fn spec(
    id: &'static str,
    kind: RuleKind,
    caller: &'static str,
    level: &'static str,
    recipient: &'static str,
) -> RuleSpec {
    RuleSpec {
        id,
        kind,
        caller,
        level,
        recipient,
    }
}

use RuleKind::*;

/// The 17 rules in the order Graph lists them.
#[rustfmt::skip]
pub(crate) const RULES: [RuleSpec; 17] = [
    spec("Expiration_Admin_Eligibility", Expiration, "Admin", "Eligibility", ""),
    spec("Enablement_Admin_Eligibility", Enablement, "Admin", "Eligibility", ""),
    spec("Notification_Admin_Admin_Eligibility", Notification, "Admin", "Eligibility", "Admin"),
    spec("Notification_Requestor_Admin_Eligibility", Notification, "Admin", "Eligibility", "Requestor"),
    spec("Notification_Approver_Admin_Eligibility", Notification, "Admin", "Eligibility", "Approver"),
    spec("Expiration_Admin_Assignment", Expiration, "Admin", "Assignment", ""),
    spec("Enablement_Admin_Assignment", Enablement, "Admin", "Assignment", ""),
    spec("Notification_Admin_Admin_Assignment", Notification, "Admin", "Assignment", "Admin"),
    spec("Notification_Requestor_Admin_Assignment", Notification, "Admin", "Assignment", "Requestor"),
    spec("Notification_Approver_Admin_Assignment", Notification, "Admin", "Assignment", "Approver"),
    spec("Expiration_EndUser_Assignment", Expiration, "EndUser", "Assignment", ""),
    spec("Enablement_EndUser_Assignment", Enablement, "EndUser", "Assignment", ""),
    spec("Approval_EndUser_Assignment", Approval, "EndUser", "Assignment", ""),
    spec("AuthenticationContext_EndUser_Assignment", AuthenticationContext, "EndUser", "Assignment", ""),
    spec("Notification_Admin_EndUser_Assignment", Notification, "EndUser", "Assignment", "Admin"),
    spec("Notification_Requestor_EndUser_Assignment", Notification, "EndUser", "Assignment", "Requestor"),
    spec("Notification_Approver_EndUser_Assignment", Notification, "EndUser", "Assignment", "Approver"),
];

pub(crate) const ENABLEMENT_END_USER: &str = "Enablement_EndUser_Assignment";
pub(crate) const AUTH_CONTEXT_END_USER: &str = "AuthenticationContext_EndUser_Assignment";
pub(crate) const EXPIRATION_END_USER: &str = "Expiration_EndUser_Assignment";

/// The spec of a rule id (case-insensitive, as Graph keys are).
pub(crate) fn find(id: &str) -> Option<&'static RuleSpec> {
    RULES.iter().find(|r| r.id.eq_ignore_ascii_case(id))
}

/// The target as stored/emitted.
pub(crate) fn target(
    spec: &RuleSpec,
    operations: Vec<Value>,
    inheritable: Value,
    enforced: Value,
) -> Value {
    json!({
        "caller": spec.caller,
        "operations": operations,
        "level": spec.level,
        "inheritableSettings": inheritable,
        "enforcedSettings": enforced,
    })
}

fn default_target(spec: &RuleSpec) -> Value {
    target(spec, vec![json!("all")], json!([]), json!([]))
}

/// The default approval `setting` (single stage, approval not required).
pub(crate) fn default_approval_setting() -> Value {
    json!({
        "isApprovalRequired": false,
        "isApprovalRequiredForExtension": false,
        "isRequestorJustificationRequired": true,
        "approvalMode": "SingleStage",
        "approvalStages": [{
            "approvalStageTimeOutInDays": 1,
            "isApproverJustificationRequired": true,
            "escalationTimeInMinutes": 0,
            "isEscalationEnabled": false,
            "primaryApprovers": [],
            "escalationApprovers": []
        }]
    })
}

/// Microsoft's default for one rule (directory roles).
pub(crate) fn default_rule(spec: &RuleSpec) -> Value {
    let t = spec.kind.odata_type();
    let target = default_target(spec);
    match spec.kind {
        Expiration => {
            let (required, max) = match spec.id {
                "Expiration_Admin_Eligibility" => (false, "P365D"),
                "Expiration_Admin_Assignment" => (false, "P180D"),
                _ => (true, "PT8H"),
            };
            json!({"@odata.type": t, "id": spec.id, "isExpirationRequired": required,
                   "maximumDuration": max, "target": target})
        }
        Enablement => {
            let enabled: &[&str] = match spec.id {
                "Enablement_Admin_Eligibility" => &[],
                "Enablement_Admin_Assignment" => &["Justification"],
                _ => &["MultiFactorAuthentication", "Justification"],
            };
            json!({"@odata.type": t, "id": spec.id, "enabledRules": enabled, "target": target})
        }
        Approval => json!({"@odata.type": t, "id": spec.id, "target": target,
                           "setting": default_approval_setting()}),
        AuthenticationContext => json!({"@odata.type": t, "id": spec.id, "isEnabled": false,
                                        "claimValue": null, "target": target}),
        Notification => json!({"@odata.type": t, "id": spec.id, "notificationType": "Email",
                               "recipientType": spec.recipient, "notificationLevel": "All",
                               "isDefaultRecipientsEnabled": true, "notificationRecipients": [],
                               "target": target}),
    }
}

/// All 17 defaults, in Graph's order.
pub(crate) fn default_rules() -> Vec<Value> {
    RULES.iter().map(default_rule).collect()
}
