//! Lockout protection, at plan time and before any write. The costliest Conditional Access
//! mistake is the enabled policy that locks every administrator out; Microsoft's guidance is to
//! exclude the emergency-access accounts from every policy and to roll out report-only first.
//!
//! What a policy does to a sign-in is the what-if engine's to say, not a list of special cases
//! here (the rule is written down in docs/guides/safety.md): the guard asks it about the
//! sign-ins that matter and judges by the answers.
//!
//! * Without `emergency_access`: a policy without any exclusion locks out when an ordinary
//!   administrator it targets, signing in interactively with a browser to the Azure portal,
//!   would be blocked from every platform and every place: inside each location the policy
//!   names, inside a trusted location, and elsewhere. "Block legacy authentication" blocks no
//!   browser; "block outside trusted locations" leaves the office. An answer that rests on an
//!   assumption (a device or application filter) only warns.
//! * With `emergency_access`: a policy must exclude the accounts when any sign-in they could
//!   make would meet it (any platform, place, client app, target and risk level), blocked or
//!   merely burdened.

use super::state::{items, PolicyState};
use super::validate::session_is_effective;
use crate::plugin::diag::{AttrPath, Diagnostics, Severity};
use crate::plugin::value::Value;
use crate::resources::connection::{EmergencyAccess, Enforcement};
use crate::whatif::{self, SignIn};
use serde_json::{json, Value as Json};
use std::net::{IpAddr, Ipv4Addr};

fn users_path(attr: &str) -> AttrPath {
    AttrPath::root("conditions")
        .index(0)
        .attr("users")
        .index(0)
        .attr(attr)
}

fn lower(v: &[String]) -> Vec<String> {
    v.iter().map(|s| s.to_lowercase()).collect()
}

fn push(d: &mut Diagnostics, severity: Severity, path: AttrPath, summary: String, detail: String) {
    match severity {
        Severity::Error => d.push_attr_error(path, summary, detail),
        Severity::Warning => d.push_attr_warning(path, summary, detail),
    }
}

/// The Azure portal: the application an administrator signs in to to undo a mistake.
const AZURE_PORTAL: &str = "c44b4083-3bb0-49c1-b47d-974e53cbdf3c";
/// Made-up ids for the people the guard imagines: no configuration names them.
const ADMINISTRATOR: &str = "0000a11c-e000-4000-8000-000000000001";
const PLATFORMS: &[Option<&str>] = &[
    None,
    Some("windows"),
    Some("macOS"),
    Some("linux"),
    Some("iOS"),
    Some("android"),
];
const CLIENT_APPS: &[Option<&str>] = &[
    None,
    Some("browser"),
    Some("mobileAppsAndDesktopClients"),
    Some("exchangeActiveSync"),
    Some("other"),
];

/// The places a sign-in can come from, as named locations for the what-if engine: one inside
/// each location the policy names (whatever its kind, an address range of its own), a trusted
/// one the policy does not name, and elsewhere. Returns the locations and one address per place.
fn places(policy: &Json) -> (Vec<Json>, Vec<IpAddr>) {
    let l = &policy["conditions"]["locations"];
    let named: Vec<&str> = ["includeLocations", "excludeLocations"]
        .iter()
        .flat_map(|k| l[*k].as_array().into_iter().flatten())
        .filter_map(Json::as_str)
        .filter(|id| !id.eq_ignore_ascii_case("All") && !id.eq_ignore_ascii_case("AllTrusted"))
        .collect();
    let mut locations = Vec::new();
    let mut addresses = Vec::new();
    for (i, id) in named.iter().enumerate() {
        let i = u8::try_from(i % 250).unwrap_or(0);
        locations.push(json!({"id": id, "isTrusted": false,
            "ipRanges": [{"cidrAddress": format!("10.{i}.0.0/16")}]}));
        addresses.push(IpAddr::V4(Ipv4Addr::new(10, i, 0, 1)));
    }
    locations.push(json!({"id": "trusted-office", "isTrusted": true,
        "ipRanges": [{"cidrAddress": "192.0.2.0/24"}]}));
    addresses.push(IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1)));
    addresses.push(IpAddr::V4(Ipv4Addr::new(198, 51, 100, 1)));
    (locations, addresses)
}

/// Every sign-in of `who` from every platform and place, with each client app type in
/// `clients`, to each target in `targets`.
fn sign_ins(
    who: &SignIn,
    addresses: &[IpAddr],
    clients: &[Option<&str>],
    targets: &[SignIn],
) -> Vec<SignIn> {
    let mut out = Vec::new();
    for platform in PLATFORMS {
        for ip in addresses {
            for client in clients {
                for target in targets {
                    out.push(SignIn {
                        platform: platform.map(str::to_string),
                        ip_address: Some(*ip),
                        client_app_type: client.map(str::to_string),
                        application_id: target.application_id.clone(),
                        user_action: target.user_action.clone(),
                        authentication_context: target.authentication_context.clone(),
                        sign_in_risk: target.sign_in_risk.clone(),
                        user_risk: target.user_risk.clone(),
                        ..who.clone()
                    });
                }
            }
        }
    }
    out
}

/// The strings of a Graph list, owned (the sign-ins the guard imagines keep them).
fn strings(j: &Json) -> Vec<String> {
    whatif::strs(j).into_iter().map(str::to_string).collect()
}

fn app(id: &str) -> SignIn {
    SignIn {
        application_id: Some(id.to_string()),
        ..SignIn::default()
    }
}

/// Whether a policy without any exclusion blocks an ordinary administrator it targets from
/// everywhere; `Some(caveats)` when it does, the caveats saying what the answer assumed.
fn blocks_an_administrator_everywhere(policy: &Json) -> Option<Vec<String>> {
    let u = &policy["conditions"]["users"];
    let admin = SignIn {
        user_id: Some(ADMINISTRATOR.into()),
        group_ids: strings(&u["includeGroups"]),
        role_ids: strings(&u["includeRoles"]),
        ..SignIn::default()
    };
    let (locations, addresses) = places(policy);
    let mut caveats = Vec::new();
    for s in sign_ins(&admin, &addresses, &[Some("browser")], &[app(AZURE_PORTAL)]) {
        let outcome = whatif::evaluate(std::slice::from_ref(policy), &locations, &s);
        if !outcome.blocked {
            return None;
        }
        caveats.extend(outcome.caveats);
    }
    caveats.sort();
    caveats.dedup();
    Some(caveats)
}

/// Whether any sign-in `account` could make would meet the policy. Worst case for what the
/// configuration cannot show: the account holds every role and is in every group the policy
/// includes, and signs in at every risk level.
fn could_apply_to(policy: &Json, account: &str, groups: &[String]) -> bool {
    let u = &policy["conditions"]["users"];
    let a = &policy["conditions"]["applications"];
    let mut group_ids = groups.to_vec();
    group_ids.extend(strings(&u["includeGroups"]));
    let who = SignIn {
        user_id: Some(account.to_string()),
        group_ids,
        role_ids: strings(&u["includeRoles"]),
        ..SignIn::default()
    };
    let mut targets = vec![app(AZURE_PORTAL)];
    targets.extend(strings(&a["includeApplications"]).iter().map(|id| app(id)));
    targets.extend(
        strings(&a["includeUserActions"])
            .into_iter()
            .map(|action| SignIn {
                user_action: Some(action),
                ..SignIn::default()
            }),
    );
    targets.extend(
        strings(&a["includeAuthenticationContextClassReferences"])
            .into_iter()
            .map(|c| SignIn {
                authentication_context: Some(c),
                ..SignIn::default()
            }),
    );
    let risky: Vec<SignIn> = targets
        .iter()
        .flat_map(|t| {
            [None, Some("high")].map(|risk| SignIn {
                sign_in_risk: risk.map(str::to_string),
                user_risk: risk.map(str::to_string),
                ..t.clone()
            })
        })
        .collect();
    let (locations, addresses) = places(policy);
    sign_ins(&who, &addresses, CLIENT_APPS, &risky)
        .iter()
        .any(|s| {
            !whatif::evaluate(std::slice::from_ref(policy), &locations, s)
                .policies
                .is_empty()
        })
}

/// The lockout diagnostics for a planned policy. `creating` is true when the policy does not
/// exist yet. Nothing is judged while the values involved are unknown.
pub(crate) fn check(
    policy: &Value,
    creating: bool,
    guard: Option<&EmergencyAccess>,
) -> Diagnostics {
    let mut d = Diagnostics::default();
    let p = PolicyState::of(policy);
    let name = p.display_name.as_deref().unwrap_or("this policy");
    // The typed state reads unknown as unset, so whether these blocks are known is the `Value`'s
    // to say; past this, they are.
    if p.state.as_deref() != Some("enabled")
        || !policy.get("conditions").is_wholly_known()
        || !policy.get("grant_controls").is_wholly_known()
    {
        return d;
    }
    let graph = super::as_graph(policy);
    let users = p.conditions.and_then(|c| c.users).unwrap_or_default();
    let grant = p.grant_controls.unwrap_or_default();
    let blocks = items(&grant.built_in_controls).iter().any(|c| c == "block");
    match guard {
        Some(g) => {
            let excluded = lower(items(&users.excluded_users));
            let missing: Vec<&String> = g
                .user_ids
                .iter()
                .filter(|id| !excluded.contains(&id.to_lowercase()))
                .filter(|id| could_apply_to(&graph, id, &g.group_ids))
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
            let no_exclusion = items(&users.excluded_users).is_empty()
                && items(&users.excluded_groups).is_empty()
                && items(&users.excluded_roles).is_empty()
                && users.excluded_guests_or_external_users.is_none();
            let all_users = lower(items(&users.included_users))
                .iter()
                .any(|u| u == "all");
            let locked_out = no_exclusion
                .then(|| blocks_an_administrator_everywhere(&graph))
                .flatten();
            match locked_out {
                Some(caveats) if caveats.is_empty() => d.push_attr_error(
                    users_path("excluded_users"),
                    format!("\"{name}\" would block administrators from everywhere"),
                    "Enabled, this policy blocks the administrators it targets from every platform and location, with nobody excluded to undo it. Exclude your emergency-access accounts (and name them in the provider's emergency_access block), or set state = \"enabledForReportingButNotEnforced\" first.",
                ),
                Some(caveats) => d.push_attr_warning(
                    users_path("excluded_users"),
                    format!("\"{name}\" may block administrators from everywhere"),
                    format!("Enabled, this policy blocks the administrators it targets from every platform and location, as far as the plan can tell; what it cannot tell: {}. Nobody is excluded to undo a mistake: exclude your emergency-access accounts.", caveats.join("; ")),
                ),
                None if all_users
                    && no_exclusion
                    && (grant.requires_something()
                        // The check above leaves these possibly unknown: only the `Value` tells.
                        || session_is_effective(policy.block("session_controls"))) =>
                {
                    d.push_attr_warning(
                        users_path("excluded_users"),
                        format!("\"{name}\" applies to all users without any exclusion"),
                        "Microsoft recommends excluding the emergency-access accounts from every policy; name them in the provider's emergency_access block to have every policy checked.",
                    )
                }
                None => {}
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
        assert_eq!(summaries(&d), vec![(Severity::Error, "\"CA001-Global-BaseProtection-AllApps-AnyPlatform-MFA\" would block administrators from everywhere".to_string())]);
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

    /// All users, nobody excluded, block, plus `extra` conditions.
    fn block_all_with(extra: &[(&str, serde_json::Value)]) -> Value {
        let mut j = with(
            with(
                baseline(),
                "/grant_controls/built_in_controls",
                json!(["block"]),
            ),
            "/conditions/users",
            json!({"included_users": ["All"]}),
        );
        for (pointer, value) in extra {
            j = with(j, pointer, value.clone());
        }
        hcl(j)
    }

    fn errors(d: &Diagnostics) -> Vec<String> {
        d.0.iter()
            .filter(|x| x.severity == Severity::Error)
            .map(|x| x.summary.clone())
            .collect()
    }

    /// The guard asks the what-if engine: a block that leaves browsers, a trusted location or
    /// some platform alone locks nobody out (issue 18's false positives).
    #[test]
    fn blocks_that_leave_administrators_a_way_in_are_no_lockout() {
        let legacy = block_all_with(&[(
            "/conditions/client_app_types",
            json!(["exchangeActiveSync", "other"]),
        )]);
        assert_eq!(errors(&check(&legacy, false, None)), Vec::<String>::new());
        let untrusted = block_all_with(&[(
            "/conditions/locations",
            json!({"included_locations": ["All"], "excluded_locations": ["AllTrusted"]}),
        )]);
        assert_eq!(
            errors(&check(&untrusted, false, None)),
            Vec::<String>::new()
        );
        let countries = block_all_with(&[(
            "/conditions/locations",
            json!({"included_locations": ["5f2c1e0a-0000-4000-8000-000000000001"]}),
        )]);
        assert_eq!(
            errors(&check(&countries, false, None)),
            Vec::<String>::new()
        );
        let one_platform = block_all_with(&[(
            "/conditions/platforms",
            json!({"included_platforms": ["android"]}),
        )]);
        assert_eq!(
            errors(&check(&one_platform, false, None)),
            Vec::<String>::new()
        );
        let risky = block_all_with(&[("/conditions/sign_in_risk_levels", json!(["high"]))]);
        assert_eq!(errors(&check(&risky, false, None)), Vec::<String>::new());
        let action = block_all_with(&[(
            "/conditions/applications",
            json!({"included_user_actions": ["urn:user:registersecurityinfo"]}),
        )]);
        assert_eq!(errors(&check(&action, false, None)), Vec::<String>::new());
        // Every such policy still says that nobody is excluded.
        assert!(!check(&legacy, false, None).is_empty());
    }

    #[test]
    fn a_block_of_every_administrator_role_from_everywhere_is_a_lockout() {
        let admins = block_all_with(&[(
            "/conditions/users",
            json!({"included_roles": ["62e90394-69f5-4237-9190-012177145e10"]}),
        )]);
        assert_eq!(
            errors(&check(&admins, false, None)),
            ["\"CA001-Global-BaseProtection-AllApps-AnyPlatform-MFA\" would block administrators from everywhere"]
        );
        // All platforms listed, or every location but one the policy names, is still everywhere.
        let everywhere = block_all_with(&[
            (
                "/conditions/platforms",
                json!({"included_platforms": ["all"]}),
            ),
            (
                "/conditions/locations",
                json!({"included_locations": ["All"]}),
            ),
        ]);
        assert_eq!(errors(&check(&everywhere, false, None)).len(), 1);
        // A device filter may leave some devices a way in: a warning, not an error.
        let filtered = block_all_with(&[(
            "/conditions/devices",
            json!({"filter": {"mode": "exclude", "rule": "device.isCompliant -eq True"}}),
        )]);
        let d = check(&filtered, false, None);
        assert_eq!(errors(&d), Vec::<String>::new());
        assert!(
            d.0.iter()
                .any(|x| x.summary.contains("may block administrators")),
            "{d}"
        );
    }

    #[test]
    fn the_accounts_need_excluding_only_from_policies_that_could_meet_them() {
        let g = guard(&[OTHER], &[], Enforcement::Error);
        let guests = with(
            baseline(),
            "/conditions/users",
            json!({"included_guests_or_external_users": {"guest_or_external_user_types": ["b2bCollaborationGuest"]}}),
        );
        assert!(
            check(&hcl(guests), false, Some(&g)).is_empty(),
            "a member is no guest"
        );
        let legacy = with(
            baseline(),
            "/conditions/client_app_types",
            json!(["exchangeActiveSync", "other"]),
        );
        assert_eq!(
            check(&hcl(legacy), false, Some(&g)).0.len(),
            1,
            "the accounts could use a legacy client"
        );
        let registration = with(
            baseline(),
            "/conditions/applications",
            json!({"included_user_actions": ["urn:user:registersecurityinfo"]}),
        );
        assert_eq!(check(&hcl(registration), false, Some(&g)).0.len(), 1);
    }
}
