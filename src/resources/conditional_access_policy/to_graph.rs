//! Configuration to Graph's request body. Absent blocks become `null` (Graph only clears an
//! object when sent `null`), empty collections are sent as `[]`, flags enums as Graph's
//! comma-joined strings, keywords in Graph's spelling. Beta-only properties are sent only when
//! set, so a policy without them is a valid v1.0 body (`endpoint` picks the version from it).

use super::state::{
    items, ClientApplicationsBlock, ConditionsBlock, FilterBlock, GrantControlsBlock, GuestsBlock,
    PolicyState, SessionControlsBlock,
};
use super::vocabulary::*;
use crate::graph::flags::{join_flags, split_flags};
use crate::plugin::value::Value;
use serde_json::{json, Map, Value as Json};

fn keyword_list(v: &[String], keywords: &[&'static str]) -> Json {
    json!(v
        .iter()
        .map(|s| canonical_keyword(s, keywords))
        .collect::<Vec<_>>())
}

/// Graph's flags enums as one string, in Graph's order.
fn flags(v: &[String], order: &[&str]) -> String {
    join_flags(&v.iter().map(String::as_str).collect::<Vec<_>>(), order)
}

/// Inserts a beta-only property only when it says something (v1.0 refuses even its name).
fn beta_only(out: &mut Map<String, Json>, key: &str, value: Json) {
    let empty = value.is_null() || value.as_array().is_some_and(Vec::is_empty);
    if !empty {
        out.insert(key.into(), value);
    }
}

/// Graph's marker objects (types without properties): `{}` targets, absent does not.
fn marker(on: Option<bool>) -> Json {
    if on == Some(true) {
        json!({})
    } else {
        Json::Null
    }
}

fn filter(block: Option<&FilterBlock>) -> Json {
    match block {
        Some(f) => json!({"mode": f.mode, "rule": f.rule}),
        None => Json::Null,
    }
}

fn guests(block: Option<&GuestsBlock>) -> Json {
    let Some(g) = block else {
        return Json::Null;
    };
    let types = flags(items(&g.guest_or_external_user_types), GUEST_TYPES);
    let tenants = match &g.external_tenants {
        Some(t) if t.membership_kind.as_deref() != Some("all") => json!({
            "@odata.type": "#microsoft.graph.conditionalAccessEnumeratedExternalTenants",
            "membershipKind": "enumerated",
            "members": items(&t.members),
        }),
        _ => {
            json!({"@odata.type": "#microsoft.graph.conditionalAccessAllExternalTenants", "membershipKind": "all"})
        }
    };
    json!({"guestOrExternalUserTypes": types, "externalTenants": tenants})
}

fn client_applications(sp: &ClientApplicationsBlock) -> Json {
    let mut out = Map::new();
    out.insert(
        "includeServicePrincipals".into(),
        keyword_list(
            items(&sp.included_service_principals),
            SERVICE_PRINCIPAL_KEYWORDS,
        ),
    );
    out.insert(
        "excludeServicePrincipals".into(),
        json!(items(&sp.excluded_service_principals)),
    );
    out.insert("servicePrincipalFilter".into(), filter(sp.filter.as_ref()));
    beta_only(
        &mut out,
        "includeAgentIdServicePrincipals",
        keyword_list(items(&sp.included_agent_id_service_principals), &["All"]),
    );
    beta_only(
        &mut out,
        "excludeAgentIdServicePrincipals",
        json!(items(&sp.excluded_agent_id_service_principals)),
    );
    beta_only(
        &mut out,
        "agentIdServicePrincipalFilter",
        filter(sp.agent_id_service_principal_filter.as_ref()),
    );
    Json::Object(out)
}

fn conditions(c: ConditionsBlock) -> Json {
    // Both blocks are required; a configuration without them, which validation refuses,
    // reads as empty ones.
    let apps = c.applications.unwrap_or_default();
    let users = c.users.unwrap_or_default();
    let mut out = Map::new();
    let mut applications = json!({
        "includeApplications": keyword_list(items(&apps.included_applications), APPLICATION_KEYWORDS),
        "excludeApplications": keyword_list(items(&apps.excluded_applications), APPLICATION_KEYWORDS),
        "includeUserActions": items(&apps.included_user_actions),
        "includeAuthenticationContextClassReferences": items(&apps.included_authentication_context_class_references),
        "applicationFilter": filter(apps.filter.as_ref()),
    });
    if let Json::Object(a) = &mut applications {
        beta_only(a, "globalSecureAccess", marker(apps.global_secure_access));
        beta_only(a, "networkAccess", marker(apps.network_access));
    }
    out.insert("applications".into(), applications);
    out.insert(
        "users".into(),
        json!({
            "includeUsers": keyword_list(items(&users.included_users), USER_KEYWORDS),
            "excludeUsers": keyword_list(items(&users.excluded_users), USER_KEYWORDS),
            "includeGroups": items(&users.included_groups),
            "excludeGroups": items(&users.excluded_groups),
            "includeRoles": items(&users.included_roles),
            "excludeRoles": items(&users.excluded_roles),
            "includeGuestsOrExternalUsers": guests(users.included_guests_or_external_users.as_ref()),
            "excludeGuestsOrExternalUsers": guests(users.excluded_guests_or_external_users.as_ref()),
        }),
    );
    out.insert(
        "clientApplications".into(),
        c.client_applications
            .as_ref()
            .map_or(Json::Null, client_applications),
    );
    out.insert("clientAppTypes".into(), json!(items(&c.client_app_types)));
    out.insert(
        "platforms".into(),
        c.platforms.map_or(Json::Null, |p| {
            json!({"includePlatforms": items(&p.included_platforms), "excludePlatforms": items(&p.excluded_platforms)})
        }),
    );
    out.insert(
        "locations".into(),
        c.locations.map_or(Json::Null, |l| {
            json!({
                "includeLocations": keyword_list(items(&l.included_locations), LOCATION_KEYWORDS),
                "excludeLocations": keyword_list(items(&l.excluded_locations), LOCATION_KEYWORDS),
            })
        }),
    );
    out.insert(
        "devices".into(),
        match c.devices.and_then(|d| d.filter) {
            Some(f) => json!({"deviceFilter": filter(Some(&f))}),
            None => Json::Null,
        },
    );
    out.insert("userRiskLevels".into(), json!(items(&c.user_risk_levels)));
    out.insert(
        "signInRiskLevels".into(),
        json!(items(&c.sign_in_risk_levels)),
    );
    // Graph leaves these out when unset; sending them only when set keeps requests minimal.
    if !items(&c.service_principal_risk_levels).is_empty() {
        out.insert(
            "servicePrincipalRiskLevels".into(),
            json!(items(&c.service_principal_risk_levels)),
        );
    }
    if let Some(levels) = c.insider_risk_levels.as_deref().filter(|s| !s.is_empty()) {
        out.insert(
            "insiderRiskLevels".into(),
            json!(flags(&split_flags(levels), INSIDER_RISK_LEVELS)),
        );
    }
    if !items(&c.agent_id_risk_levels).is_empty() {
        out.insert(
            "agentIdRiskLevels".into(),
            json!(flags(items(&c.agent_id_risk_levels), AGENT_RISK_LEVELS)),
        );
    }
    if !items(&c.authentication_flow_transfer_methods).is_empty() {
        out.insert(
            "authenticationFlows".into(),
            json!({"transferMethods": flags(items(&c.authentication_flow_transfer_methods), TRANSFER_METHODS)}),
        );
    }
    Json::Object(out)
}

/// Whether a grant block requires anything at all (an operator alone does not). Unknown values
/// count as effective: they may be. It reads the `Value` because validation and the plan ask
/// before the configuration is known, and the typed state reads an unknown control as unset.
pub(crate) fn grant_is_effective(g: &Value) -> bool {
    let controls = [
        "built_in_controls",
        "authentication_strength_policy_id",
        "terms_of_use",
        "custom_authentication_factors",
    ];
    !g.is_null()
        && (controls.iter().any(|c| g.get(c).is_unknown())
            || GrantControlsBlock::of(g).requires_something())
}

/// The grantControls object of a block `grant_is_effective` found effective.
fn grant_controls(g: &GrantControlsBlock) -> Json {
    let mut out = Map::new();
    out.insert("operator".into(), json!(g.operator));
    out.insert("builtInControls".into(), json!(items(&g.built_in_controls)));
    out.insert(
        "customAuthenticationFactors".into(),
        json!(items(&g.custom_authentication_factors)),
    );
    out.insert("termsOfUse".into(), json!(items(&g.terms_of_use)));
    if let Some(id) = g
        .authentication_strength_policy_id
        .as_deref()
        .filter(|s| !s.is_empty())
    {
        out.insert(
            "authenticationStrength".into(),
            json!({"id": strength_guid(id)}),
        );
    }
    Json::Object(out)
}

/// The sessionControls object, or `null` when nothing in it has an effect: Graph rejects an
/// ineffectual object and only clears existing controls when sent `null`.
fn session_controls(s: Option<&SessionControlsBlock>) -> Json {
    let Some(s) = s else {
        return Json::Null;
    };
    let mut out = Map::new();
    if s.application_enforced_restrictions_enabled == Some(true) {
        out.insert(
            "applicationEnforcedRestrictions".into(),
            json!({"isEnabled": true}),
        );
    }
    if let Some(t) = &s.cloud_app_security_policy {
        out.insert(
            "cloudAppSecurity".into(),
            json!({"isEnabled": true, "cloudAppSecurityType": t}),
        );
    }
    if s.disable_resilience_defaults == Some(true) {
        out.insert("disableResilienceDefaults".into(), json!(true));
    }
    if let Some(mode) = &s.persistent_browser_mode {
        out.insert(
            "persistentBrowser".into(),
            json!({"isEnabled": true, "mode": mode}),
        );
    }
    let auth_type = s
        .sign_in_frequency_authentication_type
        .as_deref()
        .unwrap_or("primaryAndSecondaryAuthentication");
    if s.sign_in_frequency_interval.as_deref() == Some("everyTime") {
        out.insert(
            "signInFrequency".into(),
            json!({"isEnabled": true, "value": null, "type": null, "authenticationType": auth_type, "frequencyInterval": "everyTime"}),
        );
    } else if let Some(n) = &s.sign_in_frequency {
        out.insert(
            "signInFrequency".into(),
            json!({"isEnabled": true, "value": n.as_i64(), "type": s.sign_in_frequency_period, "authenticationType": auth_type, "frequencyInterval": "timeBased"}),
        );
    }
    if let Some(mode) = &s.continuous_access_evaluation_mode {
        out.insert("continuousAccessEvaluation".into(), json!({"mode": mode}));
    }
    if let Some(profile) = &s.global_secure_access_filtering_profile_id {
        out.insert(
            "globalSecureAccessFilteringProfile".into(),
            json!({"isEnabled": true, "profileId": profile}),
        );
    }
    if s.secure_sign_in_session_enabled == Some(true) {
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
    let p = PolicyState::of(policy);
    // Whether the grant block takes effect may rest on unknown controls, which only the `Value`
    // shows.
    let grant = match &p.grant_controls {
        Some(g) if grant_is_effective(policy.block("grant_controls")) => grant_controls(g),
        _ => Json::Null,
    };
    json!({
        "displayName": p.display_name,
        "description": p.description,
        "state": p.state,
        "conditions": conditions(p.conditions.unwrap_or_default()),
        "grantControls": grant,
        "sessionControls": session_controls(p.session_controls.as_ref()),
    })
}
