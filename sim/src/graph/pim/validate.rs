//! Rule PATCH semantics and validation (graph-api.md §6.4).
//!
//! A rule PATCH replaces the rule's type-specific members: the body is read as a full rule.
//! Design choice (the real service's handling of partial bodies is undocumented): a member the
//! body omits is reset to Microsoft's default for that rule (what a never-modified policy
//! returns), as a PATCH that carries the full entity would do; `target` is the exception: an
//! omitted target, or omitted members of it, keep their current values (Microsoft365DSC sends
//! `target` with only `@odata.type`, which the service accepts). The provider always sends
//! full rule bodies, so this only matters for hand-written requests.
//!
//! Identity members (`id`, the derived type, `target.caller`/`level`, a notification rule's
//! `recipientType`) cannot change; values that differ are rejected.

use super::rules::{self, RuleKind, RuleSpec};
use serde_json::{Map, Value};

/// Why a rule update was refused.
#[derive(Debug, PartialEq)]
pub(crate) enum RuleError {
    /// `@odata.type` missing or not the rule's derived type: the service's 500 with empty code.
    TypeMismatch,
    /// 400 BadRequest with this message.
    Bad(String),
    /// 400 `MfaAndAcrsConflict`.
    MfaAndAcrsConflict,
}

fn bad(m: impl Into<String>) -> RuleError {
    RuleError::Bad(m.into())
}

pub(crate) const ENABLEMENT_VALUES: [&str; 3] =
    ["MultiFactorAuthentication", "Justification", "Ticketing"];
const OPERATIONS: [&str; 8] = [
    "all",
    "activate",
    "deactivate",
    "assign",
    "update",
    "remove",
    "extend",
    "renew",
];
const NOTIFICATION_LEVELS: [&str; 3] = ["None", "Critical", "All"];
const APPROVAL_MODES: [&str; 4] = ["SingleStage", "Serial", "Parallel", "NoApproval"];
/// Activation (Expiration_EndUser_Assignment) is at most 24 hours (portal 1-24 h).
pub(crate) const MAX_ACTIVATION_SECONDS: u64 = 24 * 3600;
/// Eligible / active assignment expiry: at most one year (portal choices up to P365D).
pub(crate) const MAX_ASSIGNMENT_SECONDS: u64 = 365 * 86_400;

/// Parse the ISO-8601 durations PIM takes: `PnD`, `PTnH`, `PTnM`, `PTnS` and combinations
/// (`P1DT2H`, `PT1H45M`). Years, months and weeks are refused (EasyPIM: Graph may not accept
/// `P1Y`). Returns seconds.
pub(crate) fn parse_duration(s: &str) -> Result<u64, String> {
    let err = || {
        format!("'{s}' is not a valid ISO 8601 duration. Use days and/or hours and minutes, e.g. 'P90D', 'PT8H' or 'PT1H30M' (years, months and weeks are not supported).")
    };
    let rest = s.strip_prefix('P').ok_or_else(err)?;
    if rest.is_empty() {
        return Err(err());
    }
    let (date, time) = match rest.split_once('T') {
        Some((d, t)) if !t.is_empty() => (d, Some(t)),
        Some(_) => return Err(err()),
        None => (rest, None),
    };
    let mut total: u64 = 0;
    let mut parse_part = |part: &str, units: &[(char, u64)]| -> Result<(), String> {
        let mut num = String::new();
        let mut next_unit = 0;
        for c in part.chars() {
            if c.is_ascii_digit() {
                num.push(c);
                continue;
            }
            let pos = units[next_unit..]
                .iter()
                .position(|(u, _)| *u == c)
                .ok_or_else(err)?;
            if num.is_empty() {
                return Err(err());
            }
            let n: u64 = num.parse().map_err(|_| err())?;
            total = total.saturating_add(n.saturating_mul(units[next_unit + pos].1));
            next_unit += pos + 1;
            num.clear();
        }
        if num.is_empty() {
            Ok(())
        } else {
            Err(err())
        }
    };
    parse_part(date, &[('D', 86_400)])?;
    if let Some(t) = time {
        parse_part(t, &[('H', 3600), ('M', 60), ('S', 1)])?;
    }
    Ok(total)
}

fn type_error(property: &str, expected: &str) -> RuleError {
    bad(format!(
        "Invalid value for property '{property}': expected {expected}."
    ))
}

fn unknown_property(property: &str, type_name: &str) -> RuleError {
    bad(format!("The property '{property}' does not exist on type 'microsoft.graph.{type_name}'. Make sure to only use property names that are defined by the type."))
}

/// Members of `body` other than OData annotations.
fn members(body: &Map<String, Value>) -> impl Iterator<Item = (&String, &Value)> {
    body.iter().filter(|(k, _)| !k.starts_with('@'))
}

fn boolean(v: &Value, property: &str) -> Result<Value, RuleError> {
    if v.is_boolean() {
        Ok(v.clone())
    } else {
        Err(type_error(property, "true or false"))
    }
}

fn string_list(v: &Value, property: &str) -> Result<Vec<String>, RuleError> {
    match v {
        Value::Null => Ok(Vec::new()),
        Value::Array(a) => a
            .iter()
            .map(|x| {
                x.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| type_error(property, "an array of strings"))
            })
            .collect(),
        _ => Err(type_error(property, "an array of strings")),
    }
}

/// `target`: caller/level must be the rule's own; operations any case, stored lowercase.
fn apply_target(spec: &RuleSpec, current: &Value, given: &Value) -> Result<Value, RuleError> {
    let Value::Object(t) = given else {
        return Err(type_error(
            "target",
            "a unifiedRoleManagementPolicyRuleTarget object",
        ));
    };
    if let Some(ty) = t.get("@odata.type").and_then(Value::as_str) {
        let bare = ty.trim_start_matches('#');
        if !bare.eq_ignore_ascii_case("microsoft.graph.unifiedRoleManagementPolicyRuleTarget") {
            return Err(bad(format!(
                "Invalid @odata.type '{ty}' for 'target': expected 'microsoft.graph.unifiedRoleManagementPolicyRuleTarget'."
            )));
        }
    }
    let mut out = current.as_object().cloned().unwrap_or_default();
    for (k, v) in members(t) {
        match k.as_str() {
            "caller" | "level" => {
                let expected = if k == "caller" {
                    spec.caller
                } else {
                    spec.level
                };
                match v.as_str() {
                    Some(s) if s.eq_ignore_ascii_case(expected) => {}
                    _ => {
                        return Err(bad(format!(
                            "The target {k} of rule '{}' is '{expected}' and cannot be changed.",
                            spec.id
                        )))
                    }
                }
            }
            "operations" => {
                let ops = string_list(v, "target.operations")?;
                if ops.is_empty() {
                    return Err(bad("target.operations cannot be empty."));
                }
                let mut lowered = Vec::new();
                for op in ops {
                    let l = op.to_ascii_lowercase();
                    if !OPERATIONS.contains(&l.as_str()) {
                        return Err(bad(format!(
                            "'{op}' is not a valid target operation. Valid values: {}.",
                            OPERATIONS.join(", ")
                        )));
                    }
                    lowered.push(Value::String(l));
                }
                out.insert("operations".into(), Value::Array(lowered));
            }
            "inheritableSettings" | "enforcedSettings" => {
                let list = string_list(v, &format!("target.{k}"))?;
                out.insert(k.clone(), Value::from(list));
            }
            // Read-only in effect for directory roles; accepted and not echoed.
            "targetObjects" => {}
            _ => return Err(unknown_property(k, "unifiedRoleManagementPolicyRuleTarget")),
        }
    }
    let ops = out.get("operations").cloned().unwrap_or_default();
    let ops = ops.as_array().cloned().unwrap_or_default();
    Ok(rules::target(
        spec,
        ops,
        out.get("inheritableSettings")
            .cloned()
            .unwrap_or(Value::Array(vec![])),
        out.get("enforcedSettings")
            .cloned()
            .unwrap_or(Value::Array(vec![])),
    ))
}

/// Approvers (subjectSet): v1.0 `userId` / `groupId`; the beta-style `id` is tolerated.
fn approvers(v: &Value, property: &str) -> Result<Value, RuleError> {
    let list = match v {
        Value::Null => return Ok(Value::Array(vec![])),
        Value::Array(a) => a,
        _ => return Err(type_error(property, "an array of subject sets")),
    };
    let mut out = Vec::new();
    for a in list {
        let Value::Object(a) = a else {
            return Err(type_error(property, "an array of subject sets"));
        };
        let ty = a.get("@odata.type").and_then(Value::as_str).unwrap_or("");
        let bare = ty.trim_start_matches('#');
        let (canonical, key) = if bare.eq_ignore_ascii_case("microsoft.graph.singleUser") {
            ("#microsoft.graph.singleUser", "userId")
        } else if bare.eq_ignore_ascii_case("microsoft.graph.groupMembers") {
            ("#microsoft.graph.groupMembers", "groupId")
        } else {
            return Err(bad(format!(
                "Invalid approver type '{ty}' in {property}: expected '#microsoft.graph.singleUser' (userId) or '#microsoft.graph.groupMembers' (groupId)."
            )));
        };
        let id = a
            .get(key)
            .or_else(|| a.get("id"))
            .and_then(Value::as_str)
            .filter(|s| uuid::Uuid::parse_str(s).is_ok());
        let Some(id) = id else {
            return Err(bad(format!(
                "An approver of type '{canonical}' in {property} needs '{key}' set to an object id (GUID)."
            )));
        };
        let mut m = Map::new();
        m.insert("@odata.type".into(), Value::from(canonical));
        m.insert(key.into(), Value::from(id));
        out.push(Value::Object(m));
    }
    Ok(Value::Array(out))
}

fn approval_stage(given: &Value, default: &Map<String, Value>) -> Result<Value, RuleError> {
    let Value::Object(g) = given else {
        return Err(type_error(
            "approvalStages",
            "an array of unifiedApprovalStage objects",
        ));
    };
    let mut out = default.clone();
    for (k, v) in members(g) {
        match k.as_str() {
            "isApproverJustificationRequired" | "isEscalationEnabled" => {
                out.insert(k.clone(), boolean(v, k)?);
            }
            "approvalStageTimeOutInDays" | "escalationTimeInMinutes" => {
                let min = if k == "approvalStageTimeOutInDays" {
                    1
                } else {
                    0
                };
                match v.as_i64() {
                    Some(n) if n >= min => {
                        out.insert(k.clone(), Value::from(n));
                    }
                    _ => return Err(type_error(k, &format!("an integer >= {min}"))),
                }
            }
            "primaryApprovers" | "escalationApprovers" => {
                out.insert(k.clone(), approvers(v, k)?);
            }
            _ => return Err(unknown_property(k, "unifiedApprovalStage")),
        }
    }
    Ok(Value::Object(out))
}

fn approval_setting(given: &Value) -> Result<Value, RuleError> {
    let Value::Object(g) = given else {
        return Err(bad(
            "The approval rule needs 'setting' (an approvalSettings object).",
        ));
    };
    let default = rules::default_approval_setting();
    let mut out = default.as_object().cloned().unwrap_or_default();
    let default_stage = default["approvalStages"][0]
        .as_object()
        .cloned()
        .unwrap_or_default();
    for (k, v) in members(g) {
        match k.as_str() {
            "isApprovalRequired"
            | "isApprovalRequiredForExtension"
            | "isRequestorJustificationRequired" => {
                out.insert(k.clone(), boolean(v, k)?);
            }
            "approvalMode" => match v
                .as_str()
                .and_then(|s| APPROVAL_MODES.iter().find(|m| m.eq_ignore_ascii_case(s)))
            {
                Some(m) => {
                    out.insert(k.clone(), Value::from(*m));
                }
                None => {
                    return Err(bad(format!(
                        "Invalid approvalMode {v}. Valid values: {}.",
                        APPROVAL_MODES.join(", ")
                    )))
                }
            },
            "approvalStages" => {
                let stages = match v {
                    Value::Null => Vec::new(),
                    Value::Array(a) => a
                        .iter()
                        .map(|s| approval_stage(s, &default_stage))
                        .collect::<Result<_, _>>()?,
                    _ => return Err(type_error(k, "an array of unifiedApprovalStage objects")),
                };
                out.insert(k.clone(), Value::Array(stages));
            }
            _ => return Err(unknown_property(k, "approvalSettings")),
        }
    }
    let stages = out["approvalStages"].as_array().map_or(0, Vec::len);
    if out["isApprovalRequired"] == Value::Bool(true) && stages == 0 {
        return Err(bad(
            "approvalStages must contain a stage when isApprovalRequired is true.",
        ));
    }
    if out["approvalMode"] == "SingleStage" && stages > 1 {
        return Err(bad(
            "approvalMode 'SingleStage' allows exactly one approval stage.",
        ));
    }
    Ok(Value::Object(out))
}

/// The rule after applying `body` to `current` (see module docs). `auth_context_exists` checks
/// a claimValue against the tenant's authentication contexts. Cross-rule checks (MFA vs
/// authentication context) are the caller's: [`check_cross_rules`].
pub(crate) fn apply_rule(
    spec: &RuleSpec,
    current: &Value,
    body: &Map<String, Value>,
    auth_context_exists: &dyn Fn(&str) -> bool,
) -> Result<Value, RuleError> {
    match body.get("@odata.type").and_then(Value::as_str) {
        Some(t) if spec.kind.matches_odata_type(t) => {}
        _ => return Err(RuleError::TypeMismatch),
    }
    if let Some(id) = body.get("id") {
        if !id.as_str().is_some_and(|s| s.eq_ignore_ascii_case(spec.id)) {
            return Err(bad(format!(
                "The id {id} in the request body does not match the rule '{}'.",
                spec.id
            )));
        }
    }
    let mut rule = rules::default_rule(spec)
        .as_object()
        .cloned()
        .unwrap_or_default();
    rule.insert(
        "target".into(),
        current.get("target").cloned().unwrap_or(Value::Null),
    );
    let type_name = spec.kind.type_name();
    for (k, v) in members(body) {
        let k = k.as_str();
        match (spec.kind, k) {
            (_, "id") => {}
            (_, "target") => {
                let t = apply_target(spec, &rule["target"], v)?;
                rule.insert("target".into(), t);
            }
            (RuleKind::Expiration, "isExpirationRequired") => {
                rule.insert(k.into(), boolean(v, k)?);
            }
            (RuleKind::Expiration, "maximumDuration") => match v {
                Value::Null => {
                    rule.insert(k.into(), Value::Null);
                }
                Value::String(s) => {
                    let seconds = parse_duration(s).map_err(bad)?;
                    if seconds == 0 {
                        return Err(bad("maximumDuration must be longer than zero."));
                    }
                    let (max, max_text) = if spec.id == rules::EXPIRATION_END_USER {
                        (MAX_ACTIVATION_SECONDS, "PT24H (activation)")
                    } else {
                        (MAX_ASSIGNMENT_SECONDS, "P365D")
                    };
                    if seconds > max {
                        return Err(bad(format!(
                            "maximumDuration '{s}' of rule '{}' exceeds the maximum of {max_text}.",
                            spec.id
                        )));
                    }
                    rule.insert(k.into(), v.clone());
                }
                _ => return Err(type_error(k, "an ISO 8601 duration string")),
            },
            (RuleKind::Enablement, "enabledRules") => {
                let list = string_list(v, k)?;
                for item in &list {
                    if !ENABLEMENT_VALUES.contains(&item.as_str()) {
                        return Err(bad(format!(
                            "'{item}' is not a valid value for enabledRules. Valid values (case-sensitive): {}.",
                            ENABLEMENT_VALUES.join(", ")
                        )));
                    }
                }
                rule.insert(k.into(), Value::from(list));
            }
            (RuleKind::Approval, "setting") => {
                rule.insert(k.into(), approval_setting(v)?);
            }
            (RuleKind::AuthenticationContext, "isEnabled") => {
                rule.insert(k.into(), boolean(v, k)?);
            }
            (RuleKind::AuthenticationContext, "claimValue") => {
                if !(v.is_string() || v.is_null()) {
                    return Err(type_error(k, "a string"));
                }
                rule.insert(k.into(), v.clone());
            }
            (RuleKind::Notification, "notificationType") => {
                if v.as_str() != Some("Email") {
                    return Err(bad(format!(
                        "Invalid notificationType {v}: the only supported value is 'Email'."
                    )));
                }
            }
            (RuleKind::Notification, "recipientType") => {
                if !v
                    .as_str()
                    .is_some_and(|s| s.eq_ignore_ascii_case(spec.recipient))
                {
                    return Err(bad(format!(
                        "The recipientType of rule '{}' is '{}' and cannot be changed.",
                        spec.id, spec.recipient
                    )));
                }
            }
            (RuleKind::Notification, "notificationLevel") => {
                match v.as_str().and_then(|s| {
                    NOTIFICATION_LEVELS
                        .iter()
                        .find(|l| l.eq_ignore_ascii_case(s))
                }) {
                    Some(l) => {
                        rule.insert(k.into(), Value::from(*l));
                    }
                    None => {
                        return Err(bad(format!(
                            "Invalid notificationLevel {v}. Valid values: None, Critical, All."
                        )))
                    }
                }
            }
            (RuleKind::Notification, "isDefaultRecipientsEnabled") => {
                rule.insert(k.into(), boolean(v, k)?);
            }
            (RuleKind::Notification, "notificationRecipients") => {
                let list = string_list(v, k)?;
                for r in &list {
                    let ok = r
                        .split_once('@')
                        .is_some_and(|(l, d)| !l.is_empty() && d.contains('.') && !r.contains(' '));
                    if !ok {
                        return Err(bad(format!(
                            "'{r}' in notificationRecipients is not a valid email address."
                        )));
                    }
                }
                rule.insert(k.into(), Value::from(list));
            }
            _ => return Err(unknown_property(k, type_name)),
        }
    }
    // Type-level constraints on the resulting rule.
    let required = rule.get("isExpirationRequired") == Some(&Value::Bool(true));
    if spec.kind == RuleKind::Expiration && required && rule["maximumDuration"].is_null() {
        return Err(bad(
            "maximumDuration is required when isExpirationRequired is true.",
        ));
    }
    let enabled = rule.get("isEnabled") == Some(&Value::Bool(true));
    if spec.kind == RuleKind::AuthenticationContext && enabled {
        match rule["claimValue"].as_str() {
            Some(c) if !c.is_empty() => {
                if !auth_context_exists(c) {
                    return Err(bad(format!(
                        "The authentication context '{c}' (claimValue) does not exist in this tenant. Create it under identity/conditionalAccess/authenticationContextClassReferences first."
                    )));
                }
            }
            _ => {
                return Err(bad(
                    "claimValue (an authentication context id such as 'c1') is required when isEnabled is true.",
                ))
            }
        }
    }
    Ok(Value::Object(rule))
}

fn rule<'a>(rules: &'a [Value], id: &str) -> Option<&'a Value> {
    rules.iter().find(|r| r["id"] == id)
}

/// MFA and authentication context exclusivity, asymmetric as observed (§6.4): writing
/// `Enablement_EndUser_Assignment` with `MultiFactorAuthentication` while the
/// authentication-context rule is enabled is refused; enabling the authentication-context rule
/// while MFA is on is accepted (both then stay on). `updated` is the rule just written, `rules`
/// the policy's rules before it is stored.
pub(crate) fn check_cross_rules(rules: &[Value], updated: &Value) -> Result<(), RuleError> {
    if updated["id"] != rules::ENABLEMENT_END_USER {
        return Ok(());
    }
    let mfa = updated["enabledRules"]
        .as_array()
        .is_some_and(|a| a.iter().any(|v| v == "MultiFactorAuthentication"));
    let acrs = rule(rules, rules::AUTH_CONTEXT_END_USER)
        .is_some_and(|r| r["isEnabled"] == Value::Bool(true));
    if mfa && acrs {
        return Err(RuleError::MfaAndAcrsConflict);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::parse_duration;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("PT8H"), Ok(8 * 3600));
        assert_eq!(parse_duration("PT1H45M"), Ok(3600 + 45 * 60));
        assert_eq!(parse_duration("P365D"), Ok(365 * 86_400));
        assert_eq!(parse_duration("P1DT2H"), Ok(86_400 + 7200));
        assert_eq!(parse_duration("PT30M"), Ok(1800));
        for bad in [
            "P1Y", "P6M", "P2W", "PT", "P", "8H", "PT1M1H", "PTH", "P1.5D", "pt8h", "",
        ] {
            assert!(parse_duration(bad).is_err(), "{bad} accepted");
        }
    }
}
