//! Lockout protection, at plan time and before any write. The costliest Conditional Access
//! mistake is the enabled policy that locks every administrator out; Microsoft's guidance is to
//! exclude the emergency-access accounts from every policy and to roll out report-only first.

use super::to_graph::grant_is_effective;
use super::validate::session_is_effective;
use crate::plugin::diag::{AttrPath, Diagnostics, Severity};
use crate::plugin::value::Value;
use crate::provider::{EmergencyAccess, Enforcement};

fn users_path(attr: &str) -> AttrPath {
    AttrPath::root("conditions")
        .index(0)
        .attr("users")
        .index(0)
        .attr(attr)
}

fn lower(v: &Value) -> Vec<String> {
    v.strs().iter().map(|s| s.to_lowercase()).collect()
}

fn push(d: &mut Diagnostics, severity: Severity, path: AttrPath, summary: String, detail: String) {
    match severity {
        Severity::Error => d.push_attr_error(path, summary, detail),
        Severity::Warning => d.push_attr_warning(path, summary, detail),
    }
}

/// The lockout diagnostics for a planned policy. `creating` is true when the policy does not
/// exist yet. Nothing is judged while the values involved are unknown.
pub fn check(policy: &Value, creating: bool, guard: Option<&EmergencyAccess>) -> Diagnostics {
    let mut d = Diagnostics::default();
    let users = policy.block("conditions").block("users");
    let name = policy.get("display_name").as_str().unwrap_or("this policy");
    if policy.get("state").as_str() != Some("enabled") || !users.is_wholly_known() {
        return d;
    }
    let included = lower(users.get("included_users"));
    let all_users = included.iter().any(|u| u == "all");
    let blocks = policy
        .block("grant_controls")
        .get("built_in_controls")
        .strs()
        .contains(&"block");
    let restricts = grant_is_effective(policy.block("grant_controls"))
        || session_is_effective(policy.block("session_controls"));
    match guard {
        Some(g) => {
            // Whether the policy's users could include an emergency account: all users, any
            // group or role (membership is not visible at plan time), guests, or the account itself.
            let broad = all_users
                || !users.get("included_groups").elements().is_empty()
                || !users.get("included_roles").elements().is_empty()
                || !users.block("included_guests_or_external_users").is_null();
            let excluded = lower(users.get("excluded_users"));
            let excluded_groups = lower(users.get("excluded_groups"));
            let via_group = g.group_ids.iter().any(|id| excluded_groups.contains(id));
            let missing: Vec<&String> = g
                .user_ids
                .iter()
                .filter(|id| {
                    (broad || included.contains(id)) && !via_group && !excluded.contains(id)
                })
                .collect();
            if !missing.is_empty() {
                let severity = if g.enforcement == Enforcement::Error {
                    Severity::Error
                } else {
                    Severity::Warning
                };
                push(
                    &mut d,
                    severity,
                    users_path("excluded_users"),
                    format!("\"{name}\" does not exclude the emergency-access accounts"),
                    format!(
                        "Once enabled, this policy could apply to {}, which the provider's emergency_access block names. Add them to excluded_users{} so that a mistake cannot lock every administrator out.",
                        missing.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", "),
                        if g.group_ids.is_empty() { String::new() } else { format!(" (or exclude the group {})", g.group_ids.join(" / ")) }
                    ),
                );
            }
        }
        None => {
            let all_apps = policy
                .block("conditions")
                .block("applications")
                .get("included_applications")
                .strs()
                .iter()
                .any(|a| a.eq_ignore_ascii_case("All"));
            let no_exclusion = ["excluded_users", "excluded_groups", "excluded_roles"]
                .iter()
                .all(|a| users.get(a).elements().is_empty())
                && users.block("excluded_guests_or_external_users").is_null();
            if all_users && no_exclusion && blocks && all_apps {
                d.push_attr_error(
                    users_path("excluded_users"),
                    format!("\"{name}\" would block every user from every application"),
                    "Enabled, this policy blocks everyone, administrators included, with nobody to undo it. Exclude your emergency-access accounts (and name them in the provider's emergency_access block), or set state = \"enabledForReportingButNotEnforced\" first.",
                );
            } else if all_users && no_exclusion && restricts {
                d.push_attr_warning(
                    users_path("excluded_users"),
                    format!("\"{name}\" applies to all users without any exclusion"),
                    "Microsoft recommends excluding the emergency-access accounts from every policy; name them in the provider's emergency_access block to have every policy checked.",
                );
            }
        }
    }
    if creating && blocks {
        d.push_attr_warning(
            AttrPath::root("state"),
            format!("\"{name}\" is created enabled with block"),
            "Roll blocking policies out as report-only (state = \"enabledForReportingButNotEnforced\") first and check the sign-in logs before enforcing them.",
        );
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::conditional_access_policy::test_support::{baseline, hcl, with};
    use serde_json::json;

    const GLASS: &str = "11111111-1111-1111-1111-111111111111";
    const OTHER: &str = "22222222-2222-2222-2222-222222222222";
    const GROUP: &str = "33333333-3333-3333-3333-333333333333";

    fn guard(users: &[&str], groups: &[&str], enforcement: Enforcement) -> EmergencyAccess {
        EmergencyAccess {
            user_ids: users.iter().map(|s| s.to_string()).collect(),
            group_ids: groups.iter().map(|s| s.to_string()).collect(),
            enforcement,
        }
    }

    fn summaries(d: &Diagnostics) -> Vec<(Severity, String)> {
        d.0.iter()
            .map(|x| (x.severity, x.summary.clone()))
            .collect()
    }

    #[test]
    fn every_listed_account_must_be_excluded_by_an_enabled_policy() {
        // baseline() excludes GLASS only.
        let d = check(
            &hcl(baseline()),
            false,
            Some(&guard(&[GLASS, OTHER], &[], Enforcement::Error)),
        );
        assert_eq!(d.0.len(), 1);
        assert_eq!(d.0[0].severity, Severity::Error);
        assert!(
            d.0[0].detail.contains(OTHER) && !d.0[0].detail.contains(GLASS),
            "{}",
            d.0[0].detail
        );
        assert_eq!(
            d.0[0].attribute.as_ref().unwrap().to_string(),
            "conditions[0].users[0].excluded_users"
        );
        assert!(check(
            &hcl(baseline()),
            false,
            Some(&guard(&[GLASS], &[], Enforcement::Error))
        )
        .is_empty());
    }

    #[test]
    fn a_listed_group_covers_its_accounts_and_warn_only_warns() {
        let p = hcl(with(
            baseline(),
            "/conditions/users/excluded_groups",
            json!([GROUP.to_uppercase()]),
        ));
        assert!(check(
            &p,
            false,
            Some(&guard(&[OTHER], &[GROUP], Enforcement::Error))
        )
        .is_empty());
        let d = check(
            &hcl(baseline()),
            false,
            Some(&guard(&[OTHER], &[], Enforcement::Warn)),
        );
        assert_eq!(summaries(&d)[0].0, Severity::Warning);
    }

    #[test]
    fn report_only_and_narrow_policies_are_not_judged() {
        let g = guard(&[OTHER], &[], Enforcement::Error);
        assert!(check(
            &hcl(with(
                baseline(),
                "/state",
                json!("enabledForReportingButNotEnforced")
            )),
            false,
            Some(&g)
        )
        .is_empty());
        let narrow = with(
            baseline(),
            "/conditions/users",
            json!({"included_users": ["44444444-4444-4444-4444-444444444444"]}),
        );
        assert!(check(&hcl(narrow), false, Some(&g)).is_empty());
        let roles = with(
            baseline(),
            "/conditions/users",
            json!({"included_roles": ["62e90394-69f5-4237-9190-012177145e10"]}),
        );
        assert_eq!(
            check(&hcl(roles), false, Some(&g)).0.len(),
            1,
            "a role may hold the account"
        );
    }

    #[test]
    fn without_the_block_blocking_everyone_is_an_error_and_no_exclusion_a_warning() {
        let block_all = with(
            with(
                baseline(),
                "/grant_controls/built_in_controls",
                json!(["block"]),
            ),
            "/conditions/users",
            json!({"included_users": ["All"]}),
        );
        let d = check(&hcl(block_all.clone()), false, None);
        assert_eq!(summaries(&d), vec![(Severity::Error, "\"CA001-Global-BaseProtection-AllApps-AnyPlatform-MFA\" would block every user from every application".to_string())]);
        let mfa_all = with(
            baseline(),
            "/conditions/users",
            json!({"included_users": ["All"]}),
        );
        assert_eq!(
            summaries(&check(&hcl(mfa_all), false, None))[0].0,
            Severity::Warning
        );
        assert!(
            check(&hcl(baseline()), false, None).is_empty(),
            "an exclusion is enough without the block"
        );
    }

    #[test]
    fn creating_an_enabled_blocking_policy_warns_to_go_report_only_first() {
        let block = with(
            baseline(),
            "/grant_controls/built_in_controls",
            json!(["block"]),
        );
        let d = check(&hcl(block.clone()), true, None);
        assert!(
            d.0.iter()
                .any(|x| x.severity == Severity::Warning && x.detail.contains("report-only")),
            "{d}"
        );
        assert!(check(&hcl(block), false, None).is_empty(), "only on create");
    }
}
