//! Configuration to Graph's request body. Absent blocks become `null` (Graph only clears an
//! object when sent `null`), empty collections are sent as `[]`, flags enums as Graph's
//! comma-joined strings, keywords in Graph's spelling. Beta-only properties are sent only when
//! set, so a policy without them is a valid v1.0 body (`endpoint` picks the version from it).

use super::vocabulary::*;
use crate::graph::flags::{join_flags, split_flags};
use crate::plugin::value::Value;
use serde_json::{json, Map, Value as Json};

fn list(v: &Value) -> Json {
    json!(v.strs())
}

fn keyword_list(v: &Value, keywords: &[&'static str]) -> Json {
    json!(v
        .strs()
        .iter()
        .map(|s| canonical_keyword(s, keywords))
        .collect::<Vec<_>>())
}

/// Inserts a beta-only property only when it says something (v1.0 refuses even its name).
fn beta_only(out: &mut Map<String, Json>, key: &str, value: Json) {
    let empty = value.is_null() || value.as_array().is_some_and(Vec::is_empty);
    if !empty {
        out.insert(key.into(), value);
    }
}

/// Graph's marker objects (types without properties): `{}` targets, absent does not.
fn marker(v: &Value) -> Json {
    if v.as_bool() == Some(true) {
        json!({})
    } else {
        Json::Null
    }
}

fn filter(block: &Value) -> Json {
    if block.is_null() {
        return Json::Null;
    }
    json!({"mode": block.get("mode").as_str(), "rule": block.get("rule").as_str()})
}

fn guests(block: &Value) -> Json {
    if block.is_null() {
        return Json::Null;
    }
    let types = join_flags(
        &block.get("guest_or_external_user_types").strs(),
        GUEST_TYPES,
    );
    let tenants = block.block("external_tenants");
    let tenants = if tenants.is_null() || tenants.get("membership_kind").as_str() == Some("all") {
        json!({"@odata.type": "#microsoft.graph.conditionalAccessAllExternalTenants", "membershipKind": "all"})
    } else {
        json!({
            "@odata.type": "#microsoft.graph.conditionalAccessEnumeratedExternalTenants",
            "membershipKind": "enumerated",
            "members": list(tenants.get("members")),
        })
    };
    json!({"guestOrExternalUserTypes": types, "externalTenants": tenants})
}

fn client_applications(sp: &Value) -> Json {
    let mut out = Map::new();
    out.insert(
        "includeServicePrincipals".into(),
        keyword_list(
            sp.get("included_service_principals"),
            SERVICE_PRINCIPAL_KEYWORDS,
        ),
    );
    out.insert(
        "excludeServicePrincipals".into(),
        list(sp.get("excluded_service_principals")),
    );
    out.insert("servicePrincipalFilter".into(), filter(sp.block("filter")));
    beta_only(
        &mut out,
        "includeAgentIdServicePrincipals",
        keyword_list(sp.get("included_agent_id_service_principals"), &["All"]),
    );
    beta_only(
        &mut out,
        "excludeAgentIdServicePrincipals",
        list(sp.get("excluded_agent_id_service_principals")),
    );
    beta_only(
        &mut out,
        "agentIdServicePrincipalFilter",
        filter(sp.block("agent_id_service_principal_filter")),
    );
    Json::Object(out)
}

fn conditions(c: &Value) -> Json {
    let apps = c.block("applications");
    let users = c.block("users");
    let mut out = Map::new();
    let mut applications = json!({
        "includeApplications": keyword_list(apps.get("included_applications"), APPLICATION_KEYWORDS),
        "excludeApplications": keyword_list(apps.get("excluded_applications"), APPLICATION_KEYWORDS),
        "includeUserActions": list(apps.get("included_user_actions")),
        "includeAuthenticationContextClassReferences": list(apps.get("included_authentication_context_class_references")),
        "applicationFilter": filter(apps.block("filter")),
    });
    if let Json::Object(a) = &mut applications {
        beta_only(
            a,
            "globalSecureAccess",
            marker(apps.get("global_secure_access")),
        );
        beta_only(a, "networkAccess", marker(apps.get("network_access")));
    }
    out.insert("applications".into(), applications);
    out.insert(
        "users".into(),
        json!({
            "includeUsers": keyword_list(users.get("included_users"), USER_KEYWORDS),
            "excludeUsers": keyword_list(users.get("excluded_users"), USER_KEYWORDS),
            "includeGroups": list(users.get("included_groups")),
            "excludeGroups": list(users.get("excluded_groups")),
            "includeRoles": list(users.get("included_roles")),
            "excludeRoles": list(users.get("excluded_roles")),
            "includeGuestsOrExternalUsers": guests(users.block("included_guests_or_external_users")),
            "excludeGuestsOrExternalUsers": guests(users.block("excluded_guests_or_external_users")),
        }),
    );
    let sp = c.block("client_applications");
    out.insert(
        "clientApplications".into(),
        if sp.is_null() {
            Json::Null
        } else {
            client_applications(sp)
        },
    );
    out.insert("clientAppTypes".into(), list(c.get("client_app_types")));
    let platforms = c.block("platforms");
    out.insert(
        "platforms".into(),
        if platforms.is_null() {
            Json::Null
        } else {
            json!({"includePlatforms": list(platforms.get("included_platforms")), "excludePlatforms": list(platforms.get("excluded_platforms"))})
        },
    );
    let locations = c.block("locations");
    out.insert(
        "locations".into(),
        if locations.is_null() {
            Json::Null
        } else {
            json!({
                "includeLocations": keyword_list(locations.get("included_locations"), LOCATION_KEYWORDS),
                "excludeLocations": keyword_list(locations.get("excluded_locations"), LOCATION_KEYWORDS),
            })
        },
    );
    let device_filter = c.block("devices").block("filter");
    out.insert(
        "devices".into(),
        if device_filter.is_null() {
            Json::Null
        } else {
            json!({"deviceFilter": filter(device_filter)})
        },
    );
    out.insert("userRiskLevels".into(), list(c.get("user_risk_levels")));
    out.insert(
        "signInRiskLevels".into(),
        list(c.get("sign_in_risk_levels")),
    );
    // Graph leaves these out when unset; sending them only when set keeps requests minimal.
    let sp_risk = c.get("service_principal_risk_levels").strs();
    if !sp_risk.is_empty() {
        out.insert("servicePrincipalRiskLevels".into(), json!(sp_risk));
    }
    if let Some(levels) = c
        .get("insider_risk_levels")
        .as_str()
        .filter(|s| !s.is_empty())
    {
        let levels = split_flags(levels);
        let levels: Vec<&str> = levels.iter().map(String::as_str).collect();
        out.insert(
            "insiderRiskLevels".into(),
            json!(join_flags(&levels, INSIDER_RISK_LEVELS)),
        );
    }
    let agent_risk = c.get("agent_id_risk_levels").strs();
    if !agent_risk.is_empty() {
        out.insert(
            "agentIdRiskLevels".into(),
            json!(join_flags(&agent_risk, AGENT_RISK_LEVELS)),
        );
    }
    let methods = c.get("authentication_flow_transfer_methods").strs();
    if !methods.is_empty() {
        out.insert(
            "authenticationFlows".into(),
            json!({"transferMethods": join_flags(&methods, TRANSFER_METHODS)}),
        );
    }
    Json::Object(out)
}

/// Whether a grant block requires anything at all (an operator alone does not). Unknown values
/// count as effective: they may be.
pub(crate) fn grant_is_effective(g: &Value) -> bool {
    let controls = [
        "built_in_controls",
        "authentication_strength_policy_id",
        "terms_of_use",
        "custom_authentication_factors",
    ];
    !g.is_null()
        && (controls.iter().any(|c| g.get(c).is_unknown())
            || !g.get("built_in_controls").strs().is_empty()
            || g.get("authentication_strength_policy_id")
                .as_str()
                .is_some_and(|s| !s.is_empty())
            || !g.get("terms_of_use").strs().is_empty()
            || !g.get("custom_authentication_factors").strs().is_empty())
}

fn grant_controls(g: &Value) -> Json {
    if !grant_is_effective(g) {
        return Json::Null;
    }
    let mut out = Map::new();
    out.insert("operator".into(), json!(g.get("operator").as_str()));
    out.insert("builtInControls".into(), list(g.get("built_in_controls")));
    out.insert(
        "customAuthenticationFactors".into(),
        list(g.get("custom_authentication_factors")),
    );
    out.insert("termsOfUse".into(), list(g.get("terms_of_use")));
    if let Some(id) = g
        .get("authentication_strength_policy_id")
        .as_str()
        .filter(|s| !s.is_empty())
    {
        out.insert(
            "authenticationStrength".into(),
            json!({"id": strength_guid(id)}),
        );
    }
    Json::Object(out)
}

fn is_true(v: &Value) -> bool {
    v.as_bool() == Some(true)
}

/// The sessionControls object, or `null` when nothing in it has an effect: Graph rejects an
/// ineffectual object and only clears existing controls when sent `null`.
fn session_controls(s: &Value) -> Json {
    if s.is_null() {
        return Json::Null;
    }
    let mut out = Map::new();
    if is_true(s.get("application_enforced_restrictions_enabled")) {
        out.insert(
            "applicationEnforcedRestrictions".into(),
            json!({"isEnabled": true}),
        );
    }
    if let Some(t) = s.get("cloud_app_security_policy").as_str() {
        out.insert(
            "cloudAppSecurity".into(),
            json!({"isEnabled": true, "cloudAppSecurityType": t}),
        );
    }
    if is_true(s.get("disable_resilience_defaults")) {
        out.insert("disableResilienceDefaults".into(), json!(true));
    }
    if let Some(mode) = s.get("persistent_browser_mode").as_str() {
        out.insert(
            "persistentBrowser".into(),
            json!({"isEnabled": true, "mode": mode}),
        );
    }
    let auth_type = s
        .get("sign_in_frequency_authentication_type")
        .as_str()
        .unwrap_or("primaryAndSecondaryAuthentication");
    if s.get("sign_in_frequency_interval").as_str() == Some("everyTime") {
        out.insert(
            "signInFrequency".into(),
            json!({"isEnabled": true, "value": null, "type": null, "authenticationType": auth_type, "frequencyInterval": "everyTime"}),
        );
    } else if let Value::Number(n) = s.get("sign_in_frequency") {
        out.insert(
            "signInFrequency".into(),
            json!({"isEnabled": true, "value": n.as_i64(), "type": s.get("sign_in_frequency_period").as_str(), "authenticationType": auth_type, "frequencyInterval": "timeBased"}),
        );
    }
    if let Some(mode) = s.get("continuous_access_evaluation_mode").as_str() {
        out.insert("continuousAccessEvaluation".into(), json!({"mode": mode}));
    }
    if let Some(profile) = s.get("global_secure_access_filtering_profile_id").as_str() {
        out.insert(
            "globalSecureAccessFilteringProfile".into(),
            json!({"isEnabled": true, "profileId": profile}),
        );
    }
    if is_true(s.get("secure_sign_in_session_enabled")) {
        out.insert("secureSignInSession".into(), json!({"isEnabled": true}));
    }
    if out.is_empty() {
        Json::Null
    } else {
        Json::Object(out)
    }
}

/// The body for POST and PATCH. PATCH replaces each top-level object whole, so every write
/// carries the complete policy.
pub(crate) fn body(policy: &Value) -> Json {
    json!({
        "displayName": policy.get("display_name").as_str(),
        "description": policy.get("description").as_str(),
        "state": policy.get("state").as_str(),
        "conditions": conditions(policy.block("conditions")),
        "grantControls": grant_controls(policy.block("grant_controls")),
        "sessionControls": session_controls(policy.block("session_controls")),
    })
}
