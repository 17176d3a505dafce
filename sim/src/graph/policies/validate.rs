//! Semantic validation of a (schema-checked, normalised, for PATCH merged) policy, in the
//! order Graph reports problems (graph-api.md §2.4-2.8, §11.2). Texts Graph is known to use
//! are reproduced; the others are written in Graph's style and say what is wrong.

use super::strengths;
use crate::store::Store;
use serde_json::{Map, Value};

/// Microsoft Intune Enrollment: v1.0 allows everyTime sign-in frequency for it (§2.6).
pub(crate) const INTUNE_ENROLLMENT_APP: &str = "d4ebce55-015a-49b5-a083-c84d1797ae8c";
/// Graph caps Conditional Access policies per tenant (§2.1).
pub(crate) const MAX_POLICIES: usize = 195;

pub(crate) const GENERIC_MESSAGE: &str =
    "The server could not process the request because it is malformed or incorrect.";
pub(crate) const SCHEMA_1007: &str = "1007: Incoming ConditionalAccessPolicy object is null or does not match the schema of ConditionalAccessPolicy type. For examples, please see API documentation at https://docs.microsoft.com/en-us/graph/api/conditionalaccessroot-post-policies?view=graph-rest-1.0.";
pub(crate) const USER_ACTIONS_1012: &str = "1012: 'applications' condition cannot include both 'includeApplications' and 'includeUserActions'/'includeProtectionLevels'. Please remove one of the conditions.";
pub(crate) const PASSWORD_CHANGE_1032: &str =
    "1032: ConditionalActionPolicy validation failed due to InvalidPasswordResetControl.";

#[derive(Debug, PartialEq)]
pub(crate) enum Invalid {
    /// 400 BadRequest, generic top message, the text in `innerError.message`.
    Inner(&'static str),
    /// 400 BadRequest with this top-level message.
    Message(String),
    /// The service's 500 for `includeApplications: []` alone.
    InternalError,
}

fn msg(s: impl Into<String>) -> Invalid {
    Invalid::Message(s.into())
}

fn obj<'a>(m: &'a Map<String, Value>, k: &str) -> Option<&'a Map<String, Value>> {
    m.get(k).and_then(Value::as_object)
}

fn strs<'a>(m: Option<&'a Map<String, Value>>, k: &str) -> Vec<&'a str> {
    m.and_then(|m| m.get(k))
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

fn set(m: &Map<String, Value>, k: &str) -> bool {
    match m.get(k) {
        None | Some(Value::Null) => false,
        Some(Value::Array(a)) => !a.is_empty(),
        Some(Value::String(s)) => !s.is_empty(),
        Some(_) => true,
    }
}

/// A list of exactly this keyword, in any case (Graph compares keywords case-insensitively).
fn only(list: &[&str], keyword: &str) -> bool {
    matches!(list, [one] if one.eq_ignore_ascii_case(keyword))
}

/// Keywords Graph takes in place of an object id (graph-api.md §2.4, and the agent identity
/// keywords `AllAgentIdUsers`, `AllAgentIdResources` and `All` for agent service principals).
const USER_KEYWORDS: &[&str] = &["All", "None", "GuestsOrExternalUsers", "AllAgentIdUsers"];
const APPLICATION_KEYWORDS: &[&str] = &[
    "All",
    "None",
    "Office365",
    "MicrosoftAdminPortals",
    "AllAgentIdResources",
];
const SERVICE_PRINCIPAL_KEYWORDS: &[&str] = &["ServicePrincipalsInMyTenant"];
const AGENT_ID_KEYWORDS: &[&str] = &["All"];

/// Id lists whose entries must each be a keyword or a GUID: (condition, lists, keywords, the
/// message before the offending entry). Named locations are not here: any entry that is not a
/// keyword or an existing location (a placeholder included) is already 1040 below.
///
/// The texts are not in graph-api.md and are unverified against the service. Two are quoted
/// in public reports: groups in KelvinTegelaar/CIPP#3614 (2025, "1054: Invalid group value:
/// sg_MFA_exclusion."), roles in microsoftgraph/microsoft-graph-docs-contrib#1302 (2023,
/// "1102: 'users' condition contains invalid role ids: All."); the others follow the latter,
/// without a number since theirs is unknown.
const ID_LISTS: &[(&str, [&str; 2], &[&str], &str)] = &[
    (
        "users",
        ["includeUsers", "excludeUsers"],
        USER_KEYWORDS,
        "'users' condition contains invalid user ids: ",
    ),
    (
        "users",
        ["includeGroups", "excludeGroups"],
        &[],
        "1054: Invalid group value: ",
    ),
    (
        "users",
        ["includeRoles", "excludeRoles"],
        &[],
        "1102: 'users' condition contains invalid role ids: ",
    ),
    (
        "applications",
        ["includeApplications", "excludeApplications"],
        APPLICATION_KEYWORDS,
        "'applications' condition contains invalid application ids: ",
    ),
    (
        "clientApplications",
        ["includeServicePrincipals", "excludeServicePrincipals"],
        SERVICE_PRINCIPAL_KEYWORDS,
        "'clientApplications' condition contains invalid service principal ids: ",
    ),
    (
        "clientApplications",
        [
            "includeAgentIdServicePrincipals",
            "excludeAgentIdServicePrincipals",
        ],
        AGENT_ID_KEYWORDS,
        "'clientApplications' condition contains invalid agent identity service principal ids: ",
    ),
];

/// Every entry of the id lists is a keyword (any case) or a GUID: a template placeholder
/// such as `<BreakGlassGroup>` is refused.
fn ids_are_guids_or_keywords(c: &Map<String, Value>) -> Result<(), Invalid> {
    for (condition, lists, keywords, message) in ID_LISTS {
        for list in lists {
            let bad = strs(obj(c, condition), list).into_iter().find(|v| {
                uuid::Uuid::try_parse(v).is_err()
                    && !keywords.iter().any(|k| k.eq_ignore_ascii_case(v))
            });
            if let Some(v) = bad {
                return Err(msg(format!("{message}{v}.")));
            }
        }
    }
    Ok(())
}

fn enabled(m: &Map<String, Value>, k: &str) -> bool {
    obj(m, k)
        .and_then(|o| o.get("isEnabled"))
        .and_then(Value::as_bool)
        .unwrap_or(false)
}

/// `p` is the whole policy after normalisation (and the PATCH merge).
pub(crate) fn validate(p: &Map<String, Value>, beta: bool, store: &Store) -> Result<(), Invalid> {
    // state
    if !p.get("state").is_some_and(Value::is_string) {
        return Err(msg(
            "The 'state' property is required: one of 'enabled', 'disabled', 'enabledForReportingButNotEnforced'.",
        ));
    }
    // displayName
    if p.get("displayName")
        .and_then(Value::as_str)
        .is_none_or(|s| s.trim().is_empty())
    {
        return Err(msg(
            "The 'displayName' property is required and cannot be empty.",
        ));
    }
    // conditions.applications
    let Some(c) = obj(p, "conditions") else {
        return Err(msg(
            "The 'conditions' property is required and must contain an 'applications' condition.",
        ));
    };
    let Some(apps) = obj(c, "applications") else {
        return Err(msg("The 'conditions.applications' condition is required."));
    };
    // users or clientApplications
    let users = obj(c, "users");
    let client_apps = obj(c, "clientApplications");
    if users.is_none() && client_apps.is_none() {
        return Err(msg(
            "The 'conditions.users' or the 'conditions.clientApplications' condition is required.",
        ));
    }
    // clientAppTypes: required, but Graph's documented examples of policies for agent
    // identities and agent users (beta) read back without them.
    let client_app_types = strs(Some(c), "clientAppTypes");
    let for_agents = client_apps.is_some_and(|ca| {
        !strs(Some(ca), "includeAgentIdServicePrincipals").is_empty()
            || obj(ca, "agentIdServicePrincipalFilter").is_some()
    }) || strs(users, "includeUsers")
        .iter()
        .any(|u| u.eq_ignore_ascii_case("AllAgentIdUsers"));
    if client_app_types.is_empty() && !for_agents {
        return Err(msg(
            "The 'conditions.clientAppTypes' condition must contain at least one value.",
        ));
    }
    // grant or session controls
    let grant = obj(p, "grantControls");
    let session = obj(p, "sessionControls");
    if grant.is_none() && session.is_none() {
        return Err(msg(
            "A policy must contain 'grantControls' or 'sessionControls' (or both); they cannot both be null.",
        ));
    }

    // 1012
    let include_apps = strs(Some(apps), "includeApplications");
    let user_actions = strs(Some(apps), "includeUserActions");
    let acrs = strs(Some(apps), "includeAuthenticationContextClassReferences");
    if !include_apps.is_empty() && !user_actions.is_empty() {
        return Err(Invalid::Inner(USER_ACTIONS_1012));
    }
    // includeApplications [] with nothing else targeted: the service fails with a 500
    // (hashicorp/terraform-provider-azuread#925).
    if include_apps.is_empty()
        && user_actions.is_empty()
        && acrs.is_empty()
        && !set(apps, "applicationFilter")
    {
        return Err(Invalid::InternalError);
    }

    let empty = Map::new();
    let g = grant.unwrap_or(&empty);
    let controls = strs(grant, "builtInControls");
    let has = |c: &str| controls.contains(&c);
    let strength_id = obj(g, "authenticationStrength")
        .and_then(|s| s.get("id"))
        .and_then(Value::as_str);

    // 1032 passwordChange
    if has("passwordChange") && !password_change_ok(c, apps, g, &controls, strength_id) {
        return Err(Invalid::Inner(PASSWORD_CHANGE_1032));
    }
    // riskRemediation: with an authentication strength under AND, never with passwordChange
    // (conditionalAccessGrantControls; the error text is not captured [U]).
    if has("riskRemediation") {
        let and = g.get("operator").and_then(Value::as_str) == Some("AND");
        if has("passwordChange") || strength_id.is_none() || !and {
            return Err(msg(
                "The 'riskRemediation' grant control must be combined with an authentication strength using the 'AND' operator, and cannot be combined with 'passwordChange'.",
            ));
        }
    }
    // mfa + authenticationStrength
    if has("mfa") && strength_id.is_some() {
        return Err(msg(
            "The 'mfa' built-in control and 'authenticationStrength' cannot be used together in the same policy. Use one of them.",
        ));
    }
    // block is exclusive
    if has("block") && (controls.len() > 1 || strength_id.is_some()) {
        return Err(msg(
            "The 'block' grant control cannot be combined with other built-in controls or an authentication strength.",
        ));
    }
    if let Some(op) = grant
        .and_then(|g| g.get("operator"))
        .and_then(Value::as_str)
    {
        if op != "AND" && op != "OR" {
            return Err(msg(format!(
                "Invalid grant controls operator '{op}'. Allowed values are 'AND' and 'OR'."
            )));
        }
    }

    if let Some(sc) = session {
        session_rules(sc, c, &include_apps, beta)?;
    }

    // references
    ids_are_guids_or_keywords(c)?;
    for acr in &acrs {
        if !store.auth_contexts.contains(acr) {
            return Err(msg(format!(
                "Authentication context '{acr}' referenced in 'includeAuthenticationContextClassReferences' does not exist in the tenant."
            )));
        }
    }
    if let Some(sid) = strength_id {
        if strengths::lookup(store, sid).is_none() {
            return Err(msg(format!(
                "Authentication strength policy with id '{sid}' does not exist in the tenant."
            )));
        }
    } else if obj(g, "authenticationStrength").is_some() {
        return Err(msg("'grantControls.authenticationStrength' must carry the 'id' of an authentication strength policy."));
    }
    // Named locations: `All`, `AllTrusted`, the MFA trusted IPs id or an existing location
    // (graph-api.md §2.8 "Invalid Location"; a 2025 response quoted in KelvinTegelaar/CIPP#4655
    // reads "1040: NamedLocation with id {id} does not exist in the directory.").
    let locations = obj(c, "locations");
    for key in ["includeLocations", "excludeLocations"] {
        for loc in strs(locations, key) {
            if !crate::graph::named_locations::valid_policy_reference(store, loc) {
                return Err(msg(format!(
                    "1040: Invalid Location. NamedLocation with id {loc} referenced in 'conditions.locations.{key}' does not exist in the directory."
                )));
            }
        }
    }
    Ok(())
}

/// graph-api.md §2.5: with `mfa` (or an MFA authentication strength, as in the current v1.0
/// docs sample) under AND; userRiskLevels set; All applications without exclusions; no other
/// condition than users, applications and userRiskLevels.
fn password_change_ok(
    c: &Map<String, Value>,
    apps: &Map<String, Value>,
    g: &Map<String, Value>,
    controls: &[&str],
    strength_id: Option<&str>,
) -> bool {
    let operator_and = g.get("operator").and_then(Value::as_str) == Some("AND");
    let only_mfa_and_pc = controls
        .iter()
        .all(|c| *c == "mfa" || *c == "passwordChange");
    let with_mfa = controls.contains(&"mfa") || strength_id.is_some();
    let apps_ok = only(&strs(Some(apps), "includeApplications"), "All")
        && !set(apps, "excludeApplications")
        && !set(apps, "includeUserActions")
        && !set(apps, "includeAuthenticationContextClassReferences")
        && !set(apps, "applicationFilter");
    let risk_ok = set(c, "userRiskLevels");
    let client_app_types = strs(Some(c), "clientAppTypes");
    let others_unset = client_app_types == ["all"]
        && c.iter().all(|(k, v)| {
            matches!(
                k.as_str(),
                "users" | "applications" | "userRiskLevels" | "clientAppTypes"
            ) || match v {
                Value::Null => true,
                Value::Array(a) => a.is_empty(),
                _ => false,
            }
        });
    operator_and && only_mfa_and_pc && with_mfa && apps_ok && risk_ok && others_unset
}

fn session_rules(
    sc: &Map<String, Value>,
    c: &Map<String, Value>,
    include_apps: &[&str],
    beta: bool,
) -> Result<(), Invalid> {
    let sif = obj(sc, "signInFrequency");
    let every_time =
        sif.filter(|s| s.get("frequencyInterval").and_then(Value::as_str) == Some("everyTime"));
    if let Some(s) = every_time {
        if set(s, "value") || set(s, "type") {
            return Err(msg(
                "Sign-in frequency with frequencyInterval 'everyTime' cannot have a 'value' or 'type'; both must be null.",
            ));
        }
        if sc
            .get("applicationEnforcedRestrictions")
            .is_some_and(|v| !v.is_null())
            || sc
                .get("disableResilienceDefaults")
                .is_some_and(|v| !v.is_null())
        {
            return Err(msg(
                "Sign-in frequency with frequencyInterval 'everyTime' requires 'applicationEnforcedRestrictions' and 'disableResilienceDefaults' to be null.",
            ));
        }
        let v1_scenario = set(c, "userRiskLevels")
            || set(c, "signInRiskLevels")
            || include_apps
                .iter()
                .any(|a| a.eq_ignore_ascii_case(INTUNE_ENROLLMENT_APP));
        if !beta && !v1_scenario {
            return Err(msg(
                "Sign-in frequency 'everyTime' is supported on v1.0 only for policies targeting user risk, sign-in risk or Microsoft Intune Enrollment. For other applications, authentication contexts and user actions it is only supported in the beta endpoint; use https://graph.microsoft.com/beta.",
            ));
        }
    }
    let effective = sc.get("disableResilienceDefaults") == Some(&Value::Bool(true))
        || enabled(sc, "applicationEnforcedRestrictions")
        || enabled(sc, "cloudAppSecurity")
        || enabled(sc, "persistentBrowser")
        || enabled(sc, "signInFrequency")
        || enabled(sc, "secureSignInSession")
        || enabled(sc, "globalSecureAccessFilteringProfile")
        || set(sc, "continuousAccessEvaluation");
    if !effective {
        return Err(msg(
            "The 'sessionControls' object is ineffectual: every session control is disabled or null. Send 'sessionControls': null to remove session controls.",
        ));
    }
    if let Some(s) = sif {
        let default_values = !s.get("isEnabled").and_then(Value::as_bool).unwrap_or(false)
            && s.get("value").and_then(Value::as_i64).unwrap_or(0) == 0
            && !set(s, "type")
            && matches!(
                s.get("frequencyInterval").and_then(Value::as_str),
                None | Some("timeBased")
            )
            && matches!(
                s.get("authenticationType").and_then(Value::as_str),
                None | Some("primaryAndSecondaryAuthentication")
            );
        if default_values {
            return Err(msg(
                "The 'signInFrequency' session control has only default values (not enabled, no value or type). Remove it or set it to null.",
            ));
        }
    }
    Ok(())
}
