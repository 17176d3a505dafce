//! Plan-time checks: everything Graph would refuse that can be seen in the configuration alone
//! (graph-api.md section 2.8), each reported on the attribute to fix. Unknown values (known only
//! after other resources are applied) are skipped.

use super::to_graph::grant_is_effective;
use super::vocabulary::*;
use crate::graph::flags::split_flags;
use crate::graph::ids::is_guid;
use crate::plugin::diag::{AttrPath, Diagnostics};
use crate::plugin::value::Value;
use crate::resources::authentication_context::check_context_id;

/// `conditions.applications.included_applications` -> `conditions[0].applications[0].included_applications`.
pub(super) fn path(dotted: &str) -> AttrPath {
    let parts: Vec<&str> = dotted.split('.').collect();
    let mut p = AttrPath::default();
    for (i, name) in parts.iter().enumerate() {
        p = p.attr(name);
        if i + 1 < parts.len() {
            p = p.index(0);
        }
    }
    p
}

struct Check<'a> {
    policy: &'a Value,
    d: Diagnostics,
}

/// The value at a dotted path through single blocks (`conditions.locations.included_locations`).
pub(super) fn at<'a>(policy: &'a Value, dotted: &str) -> &'a Value {
    let mut parts: Vec<&str> = dotted.split('.').collect();
    let last = parts.pop().unwrap_or_default();
    parts.iter().fold(policy, |v, b| v.block(b)).get(last)
}

impl<'a> Check<'a> {
    fn at(&self, dotted: &str) -> &'a Value {
        at(self.policy, dotted)
    }

    fn block(&self, dotted: &str) -> &'a Value {
        dotted.split('.').fold(self.policy, |v, b| v.block(b))
    }

    fn error(&mut self, dotted: &str, summary: &str, detail: String) {
        self.d.push_attr_error(path(dotted), summary, detail);
    }

    fn one_of(&mut self, dotted: &str, allowed: &[&str]) {
        if let Some(v) = self.at(dotted).as_str() {
            if !allowed.contains(&v) {
                self.error(
                    dotted,
                    "Invalid value",
                    format!("{v:?} is not one of: {}.", allowed.join(", ")),
                );
            }
        }
    }

    fn each_one_of(&mut self, dotted: &str, allowed: &[&str]) {
        for v in self.at(dotted).strs() {
            if !allowed.contains(&v) {
                self.error(
                    dotted,
                    "Invalid value",
                    format!("{v:?} is not one of: {}.", allowed.join(", ")),
                );
            }
        }
    }

    /// Each element is a GUID, or one of the keywords (any case, as Graph accepts).
    fn ids(&mut self, dotted: &str, keywords: &[&str]) {
        for v in self.at(dotted).strs() {
            if !is_guid(v) && !keywords.iter().any(|k| k.eq_ignore_ascii_case(v)) {
                let also = if keywords.is_empty() {
                    String::new()
                } else {
                    format!(" or one of {}", keywords.join(", "))
                };
                self.error(
                    dotted,
                    "Malformed id",
                    format!("{v:?} is not an object id (a GUID){also}."),
                );
            }
        }
    }

    fn set(&self, dotted: &str) -> Vec<&'a str> {
        self.at(dotted).strs()
    }

    /// Whether a collection has (or may have, being unknown) any element: a reference such as
    /// `[azuread_group.x.object_id]` is unknown at plan time but certainly not empty.
    fn has_any(&self, dotted: &str) -> bool {
        let v = self.at(dotted);
        v.is_unknown() || !v.elements().is_empty()
    }
}

fn vocabulary(c: &mut Check) {
    c.one_of("state", STATES);
    c.each_one_of("conditions.client_app_types", CLIENT_APP_TYPES);
    c.each_one_of("conditions.platforms.included_platforms", PLATFORMS);
    c.each_one_of("conditions.platforms.excluded_platforms", PLATFORMS);
    c.each_one_of("conditions.user_risk_levels", RISK_LEVELS);
    c.each_one_of("conditions.sign_in_risk_levels", RISK_LEVELS);
    c.each_one_of("conditions.agent_id_risk_levels", AGENT_RISK_LEVELS);
    c.each_one_of("conditions.service_principal_risk_levels", RISK_LEVELS);
    if let Some(levels) = c.at("conditions.insider_risk_levels").as_str() {
        for l in split_flags(levels) {
            if !INSIDER_RISK_LEVELS.contains(&l.as_str()) {
                c.error(
                    "conditions.insider_risk_levels",
                    "Invalid value",
                    format!("{l:?} is not one of: {}.", INSIDER_RISK_LEVELS.join(", ")),
                );
            }
        }
    }
    c.each_one_of(
        "conditions.authentication_flow_transfer_methods",
        TRANSFER_METHODS,
    );
    c.each_one_of(
        "conditions.applications.included_user_actions",
        USER_ACTIONS,
    );
    for g in [
        "included_guests_or_external_users",
        "excluded_guests_or_external_users",
    ] {
        c.each_one_of(
            &format!("conditions.users.{g}.guest_or_external_user_types"),
            GUEST_TYPES,
        );
        c.one_of(
            &format!("conditions.users.{g}.external_tenants.membership_kind"),
            MEMBERSHIP_KINDS,
        );
    }
    for f in FILTERS {
        c.one_of(&format!("{f}.mode"), FILTER_MODES);
    }
    c.one_of("grant_controls.operator", OPERATORS);
    c.each_one_of("grant_controls.built_in_controls", BUILT_IN_CONTROLS);
    c.one_of(
        "session_controls.cloud_app_security_policy",
        CLOUD_APP_SECURITY,
    );
    c.one_of(
        "session_controls.persistent_browser_mode",
        PERSISTENT_BROWSER,
    );
    c.one_of("session_controls.sign_in_frequency_period", SIF_PERIODS);
    c.one_of(
        "session_controls.sign_in_frequency_authentication_type",
        SIF_AUTH_TYPES,
    );
    c.one_of("session_controls.sign_in_frequency_interval", SIF_INTERVALS);
    c.one_of(
        "session_controls.continuous_access_evaluation_mode",
        CAE_MODES,
    );
}

const FILTERS: &[&str] = &[
    "conditions.applications.filter",
    "conditions.client_applications.filter",
    "conditions.client_applications.agent_id_service_principal_filter",
    "conditions.devices.filter",
];

/// A blank rule selects nothing, so the filter's include or exclude would silently do nothing
/// (and what Graph answers to it is undocumented): it is never what was meant.
fn filter_rules(c: &mut Check) {
    for f in FILTERS {
        let rule = format!("{f}.rule");
        if c.at(&rule).as_str().is_some_and(|r| r.trim().is_empty()) {
            c.error(
                &rule,
                "Empty filter rule",
                "The filter's rule is empty: write a rule (for example device.isCompliant -eq True) or remove the filter block.".into(),
            );
        }
    }
}

fn identifiers(c: &mut Check) {
    c.ids("conditions.users.included_users", USER_KEYWORDS);
    c.ids("conditions.users.excluded_users", USER_KEYWORDS);
    for a in [
        "included_groups",
        "excluded_groups",
        "included_roles",
        "excluded_roles",
    ] {
        c.ids(&format!("conditions.users.{a}"), &[]);
    }
    c.ids(
        "conditions.applications.included_applications",
        APPLICATION_KEYWORDS,
    );
    c.ids(
        "conditions.applications.excluded_applications",
        APPLICATION_KEYWORDS,
    );
    c.ids("conditions.locations.included_locations", LOCATION_KEYWORDS);
    c.ids("conditions.locations.excluded_locations", LOCATION_KEYWORDS);
    c.ids(
        "conditions.client_applications.included_service_principals",
        SERVICE_PRINCIPAL_KEYWORDS,
    );
    c.ids(
        "conditions.client_applications.excluded_service_principals",
        &[],
    );
    c.ids(
        "conditions.client_applications.included_agent_id_service_principals",
        &["All"],
    );
    c.ids(
        "conditions.client_applications.excluded_agent_id_service_principals",
        &[],
    );
    for g in [
        "included_guests_or_external_users",
        "excluded_guests_or_external_users",
    ] {
        c.ids(
            &format!("conditions.users.{g}.external_tenants.members"),
            &[],
        );
    }
    c.ids("grant_controls.terms_of_use", &[]);
    for ctx in c.set("conditions.applications.included_authentication_context_class_references") {
        if let Err(e) = check_context_id(ctx) {
            c.error(
                "conditions.applications.included_authentication_context_class_references",
                "Invalid authentication context id",
                e,
            );
        }
    }
    if let Some(id) = c
        .at("grant_controls.authentication_strength_policy_id")
        .as_str()
    {
        if !is_guid(strength_guid(id)) {
            c.error("grant_controls.authentication_strength_policy_id", "Malformed id", format!("{id:?} is neither an authentication strength id (a GUID) nor {AUTH_STRENGTH_PATH}{{id}}."));
        }
    }
}

/// What the policy applies to, who, and what it enforces.
fn structure(c: &mut Check) {
    let apps = c.has_any("conditions.applications.included_applications");
    let actions = c.has_any("conditions.applications.included_user_actions");
    let contexts =
        c.has_any("conditions.applications.included_authentication_context_class_references");
    let app_filter = !c.block("conditions.applications.filter").is_null();
    if apps && actions {
        c.error("conditions.applications.included_user_actions", "Applications and user actions together", "A policy targets either applications or user actions, not both (Graph error 1012). Split it into two policies.".into());
    }
    if contexts && (apps || actions) {
        c.error("conditions.applications.included_authentication_context_class_references", "Authentication contexts with applications or user actions", "A policy targets applications, user actions or authentication contexts: one of them. Split it into separate policies.".into());
    }
    if !apps && !actions && !contexts && !app_filter && !c.policy.get("conditions").is_unknown() {
        c.error("conditions.applications.included_applications", "The policy targets nothing", "Set included_applications (use [\"None\"] for a policy that applies to no application), included_user_actions or included_authentication_context_class_references. Graph answers an empty target with an internal server error.".into());
    }
    let has_users = ["included_users", "included_groups", "included_roles"]
        .iter()
        .any(|a| c.has_any(&format!("conditions.users.{a}")))
        || !c
            .block("conditions.users.included_guests_or_external_users")
            .is_null();
    let agents = targets_agents(c);
    if !has_users
        && !c.has_any("conditions.client_applications.included_service_principals")
        && !agents
        && !c.policy.get("conditions").is_unknown()
    {
        c.error("conditions.users.included_users", "The policy applies to nobody", "Include users, groups, roles or guests (included_users = [\"None\"] with client_applications for workload or agent identities).".into());
    }
    // Graph keeps `[]` for a policy on agent identities (its documented example reads back so).
    if !c.has_any("conditions.client_app_types")
        && !agents
        && !c.policy.get("conditions").is_unknown()
    {
        c.error(
            "conditions.client_app_types",
            "No client app types",
            "Set client_app_types, e.g. [\"all\"] (an empty list only in a policy for agent identities or agent users).".into(),
        );
    }
    let grant = c.block("grant_controls");
    let session = c.block("session_controls");
    let later = c.policy.get("grant_controls").is_unknown()
        || c.policy.get("session_controls").is_unknown();
    if !grant_is_effective(grant) && !session_is_effective(session) && !later {
        let at = if session.is_null() {
            "grant_controls"
        } else {
            "session_controls"
        };
        c.error(at, "The policy enforces nothing", "Set grant_controls with at least one control, or session_controls with a setting that has an effect: Graph rejects a policy without either.".into());
    }
}

/// Whether the policy targets agent identities (by id, `All`, or a filter) or agent users.
fn targets_agents(c: &Check) -> bool {
    c.set("conditions.users.included_users")
        .iter()
        .any(|u| u.eq_ignore_ascii_case("AllAgentIdUsers"))
        || c.has_any("conditions.client_applications.included_agent_id_service_principals")
        || !c
            .block("conditions.client_applications.agent_id_service_principal_filter")
            .is_null()
}

/// Whether a session block has any setting with an effect (unknown values count: they may).
pub(crate) fn session_is_effective(s: &Value) -> bool {
    let on = |a: &str| s.get(a).as_bool() == Some(true) || s.get(a).is_unknown();
    let set = |a: &str| !s.get(a).is_null();
    on("application_enforced_restrictions_enabled")
        || on("disable_resilience_defaults")
        || on("secure_sign_in_session_enabled")
        || set("cloud_app_security_policy")
        || set("persistent_browser_mode")
        || set("continuous_access_evaluation_mode")
        || set("global_secure_access_filtering_profile_id")
        || set("sign_in_frequency")
        || s.get("sign_in_frequency_interval").as_str() == Some("everyTime")
}

fn grant_rules(c: &mut Check) {
    let controls = c.set("grant_controls.built_in_controls");
    let strength = c
        .at("grant_controls.authentication_strength_policy_id")
        .as_str()
        .is_some();
    let terms = !c.set("grant_controls.terms_of_use").is_empty();
    if controls.contains(&"mfa") && strength {
        c.error("grant_controls.authentication_strength_policy_id", "mfa and an authentication strength together", "Require either multifactor authentication (built_in_controls = [\"mfa\"]) or an authentication strength, not both: Graph refuses the combination.".into());
    }
    if controls.contains(&"block") && (controls.len() > 1 || strength || terms) {
        c.error(
            "grant_controls.built_in_controls",
            "block with other controls",
            "block denies access outright; it cannot be combined with other grant controls.".into(),
        );
    }
    if controls.contains(&"passwordChange") {
        password_change(c, &controls);
    }
    if controls.contains(&"riskRemediation") {
        risk_remediation(c, &controls);
    }
    if c.set("conditions.applications.included_user_actions")
        .contains(&"urn:user:registerdevice")
    {
        let other: Vec<&&str> = controls.iter().filter(|x| **x != "mfa").collect();
        if !other.is_empty() || terms {
            c.error("grant_controls.built_in_controls", "Register or join devices allows only MFA", "The urn:user:registerdevice user action accepts only mfa or an authentication strength as grant controls.".into());
        }
        if !c.block("conditions.devices").is_null() {
            c.error(
                "conditions.devices",
                "No device filter with registerdevice",
                "The urn:user:registerdevice user action cannot use a device filter.".into(),
            );
        }
    }
}

// What passwordChange and riskRemediation need of the grant. Unknown values (a strength's id
// from a reference) may satisfy a rule: only what is known to break one is refused at plan.

fn may_have_strength(c: &Check) -> bool {
    let strength = c.at("grant_controls.authentication_strength_policy_id");
    strength.is_unknown() || strength.as_str().is_some_and(|s| !s.is_empty())
}

fn may_be_and(c: &Check) -> bool {
    let operator = c.at("grant_controls.operator");
    operator.is_unknown() || operator.as_str() == Some("AND")
}

/// Graph's rules for requiring a password change (error 1032).
fn password_change(c: &mut Check, controls: &[&str]) {
    let why = |s: &str| format!("{s} (Graph error 1032, InvalidPasswordResetControl).");
    // An authentication strength is the other way to ask for MFA (mfa and a strength exclude
    // each other), and Microsoft's own CA008 template pairs passwordChange with one.
    if !may_be_and(c) || !(controls.contains(&"mfa") || may_have_strength(c)) {
        c.error(
            "grant_controls.built_in_controls",
            "passwordChange needs MFA with AND",
            why("passwordChange must be combined with mfa or an authentication strength, with operator = \"AND\""),
        );
    }
    if !c.has_any("conditions.user_risk_levels") {
        c.error(
            "conditions.user_risk_levels",
            "passwordChange needs user risk",
            why("a policy that requires a password change must target user_risk_levels"),
        );
    }
    let apps = c.set("conditions.applications.included_applications");
    let apps_unknown = c
        .at("conditions.applications.included_applications")
        .is_unknown()
        || c.at("conditions.applications.excluded_applications")
            .is_unknown();
    let all_apps = apps.len() == 1
        && apps[0].eq_ignore_ascii_case("All")
        && c.set("conditions.applications.excluded_applications")
            .is_empty();
    if !apps_unknown && !all_apps {
        c.error("conditions.applications.included_applications", "passwordChange needs all applications", why("a policy that requires a password change must target All applications without exclusions"));
    }
    for other in ["locations", "platforms", "devices", "client_applications"] {
        if !c.block(&format!("conditions.{other}")).is_null() {
            c.error(
                &format!("conditions.{other}"),
                "passwordChange allows no other conditions",
                why("only users, applications and user risk may be set with passwordChange"),
            );
        }
    }
    for other in [
        "sign_in_risk_levels",
        "service_principal_risk_levels",
        "authentication_flow_transfer_methods",
    ] {
        if !c.set(&format!("conditions.{other}")).is_empty() {
            c.error(
                &format!("conditions.{other}"),
                "passwordChange allows no other conditions",
                why("only users, applications and user risk may be set with passwordChange"),
            );
        }
    }
}

/// Graph's rules for requiring risk remediation (conditionalAccessGrantControls: it goes
/// with an authentication strength under `AND`, and never with passwordChange).
fn risk_remediation(c: &mut Check, controls: &[&str]) {
    if controls.contains(&"passwordChange") {
        c.error(
            "grant_controls.built_in_controls",
            "riskRemediation with passwordChange",
            "riskRemediation and passwordChange must be used in separate policies.".into(),
        );
    }
    if !may_be_and(c) || !may_have_strength(c) {
        c.error(
            "grant_controls.built_in_controls",
            "riskRemediation needs an authentication strength with AND",
            "riskRemediation must be combined with an authentication strength (authentication_strength_policy_id), with operator = \"AND\".".into(),
        );
    }
}

fn session_rules(c: &mut Check) {
    let s = c.block("session_controls");
    if s.is_null() {
        return;
    }
    let value = s.get("sign_in_frequency");
    let period = s.get("sign_in_frequency_period");
    if s.get("sign_in_frequency_authentication_type").as_str() == Some("secondaryAuthentication")
        && value.is_null()
        && s.get("sign_in_frequency_interval").as_str() != Some("everyTime")
    {
        c.error("session_controls.sign_in_frequency_authentication_type", "Authentication type without a sign-in frequency", "secondaryAuthentication only has an effect with sign_in_frequency or sign_in_frequency_interval = \"everyTime\".".into());
    }
    if s.get("sign_in_frequency_interval").as_str() == Some("everyTime") {
        // On the attribute that is written: a path to an absent one makes Terraform point at
        // the whole `session_controls` block.
        let written = if !value.is_null() {
            Some("session_controls.sign_in_frequency")
        } else if !period.is_null() {
            Some("session_controls.sign_in_frequency_period")
        } else {
            None
        };
        if let Some(attr) = written {
            c.error(attr, "Every time takes no frequency", "With sign_in_frequency_interval = \"everyTime\", leave sign_in_frequency and sign_in_frequency_period unset.".into());
        }
        for a in [
            "application_enforced_restrictions_enabled",
            "disable_resilience_defaults",
        ] {
            if s.get(a).as_bool() == Some(true) {
                c.error(&format!("session_controls.{a}"), "Not allowed with sign-in every time", format!("Graph rejects {a} together with sign_in_frequency_interval = \"everyTime\"."));
            }
        }
        return;
    }
    match (value, period.as_str()) {
        (Value::Number(n), Some(p)) => {
            let max = if p == "hours" { 23 } else { 365 };
            if !n.as_i64().is_some_and(|n| (1..=max).contains(&n)) {
                c.error("session_controls.sign_in_frequency", "Sign-in frequency out of range", format!("With sign_in_frequency_period = \"{p}\" the frequency must be a whole number from 1 to {max}."));
            }
        }
        (Value::Number(_), None) if !period.is_unknown() => {
            c.error(
                "session_controls.sign_in_frequency_period",
                "Missing sign-in frequency period",
                "Set sign_in_frequency_period (\"hours\" or \"days\") with sign_in_frequency."
                    .into(),
            );
        }
        (Value::Null, Some(_)) => {
            c.error(
                "session_controls.sign_in_frequency",
                "Missing sign-in frequency",
                "Set sign_in_frequency with sign_in_frequency_period.".into(),
            );
        }
        _ => {}
    }
}

fn external_tenants(c: &mut Check) {
    for g in [
        "included_guests_or_external_users",
        "excluded_guests_or_external_users",
    ] {
        let t = c.block(&format!("conditions.users.{g}.external_tenants"));
        let kind = t.get("membership_kind").as_str();
        let members = t.get("members").strs();
        let at = format!("conditions.users.{g}.external_tenants.members");
        if kind == Some("all") && !members.is_empty() {
            c.error(
                &at,
                "Members with membership_kind all",
                "List members only with membership_kind = \"enumerated\".".into(),
            );
        }
        if kind == Some("enumerated") && members.is_empty() && !t.get("members").is_unknown() {
            c.error(
                &at,
                "No members",
                "membership_kind = \"enumerated\" needs the tenant ids in members.".into(),
            );
        }
    }
}

/// Every rule Graph enforces that can be checked offline, each error with its attribute path, so
/// that nothing Graph would refuse reaches it.
pub fn validate(policy: &Value) -> Diagnostics {
    let mut c = Check {
        policy,
        d: Diagnostics::default(),
    };
    if c.at("display_name")
        .as_str()
        .is_some_and(|n| n.trim().is_empty())
    {
        c.error(
            "display_name",
            "Empty display name",
            "Name the policy; the display name is how administrators find it.".into(),
        );
    }
    vocabulary(&mut c);
    filter_rules(&mut c);
    identifiers(&mut c);
    structure(&mut c);
    grant_rules(&mut c);
    session_rules(&mut c);
    external_tenants(&mut c);
    c.d
}

#[cfg(test)]
#[path = "validate_tests.rs"]
mod tests;
