//! Graph's policy (as beta GET returns it) to Terraform state. Graph's three ways of saying
//! "nothing" (null, `[]`, absent) all become null here, flags strings become sets, and the
//! inline-expanded authentication strength becomes its id. `reconcile` then puts back the user's
//! form wherever it means the same. The state is built as a `PolicyState`, which names every
//! attribute; `to_value` writes it.

use super::endpoint;
use super::state::{
    ApplicationsBlock, ClientApplicationsBlock, ConditionsBlock, DevicesBlock,
    ExternalTenantsBlock, FilterBlock, GrantControlsBlock, GuestsBlock, LocationsBlock,
    PlatformsBlock, PolicyState, SessionControlsBlock, UsersBlock,
};
use super::vocabulary::AUTH_STRENGTH_PATH;
use crate::graph::flags::split_flags;
use crate::plugin::value::{Number, Value};
use serde_json::Value as Json;

fn text(j: &Json) -> Option<String> {
    match j.as_str() {
        Some(s) if !s.is_empty() => Some(s.to_string()),
        _ => None,
    }
}

/// The strings of an array, in its order.
fn strings(items: &[Json]) -> Vec<String> {
    items
        .iter()
        .filter_map(Json::as_str)
        .map(str::to_string)
        .collect()
}

fn set(j: &Json) -> Option<Vec<String>> {
    match j.as_array() {
        Some(items) if !items.is_empty() => Some(strings(items)),
        _ => None,
    }
}

fn flags(j: &Json) -> Option<Vec<String>> {
    match j.as_str().map(split_flags) {
        Some(items) if !items.is_empty() => Some(items),
        _ => None,
    }
}

fn has_items(j: &Json) -> bool {
    j.as_array().is_some_and(|a| !a.is_empty())
}

fn enabled(j: &Json) -> bool {
    j["isEnabled"].as_bool() == Some(true)
}

/// True when `on`, else absent (null).
fn only_true(on: bool) -> Option<bool> {
    on.then_some(true)
}

/// Graph's marker objects (`globalSecureAccess`, `networkAccess`: types without properties):
/// present means targeted.
fn marker(j: &Json) -> Option<bool> {
    only_true(j.is_object())
}

fn filter(j: &Json) -> Option<FilterBlock> {
    j.is_object().then(|| FilterBlock {
        mode: text(&j["mode"]),
        rule: text(&j["rule"]),
    })
}

fn guests(j: &Json) -> Option<GuestsBlock> {
    j.is_object().then(|| {
        let t = &j["externalTenants"];
        GuestsBlock {
            guest_or_external_user_types: flags(&j["guestOrExternalUserTypes"]),
            external_tenants: t.is_object().then(|| ExternalTenantsBlock {
                membership_kind: text(&t["membershipKind"]),
                members: set(&t["members"]),
            }),
        }
    })
}

fn conditions(c: &Json) -> ConditionsBlock {
    let a = &c["applications"];
    let applications = ApplicationsBlock {
        included_applications: set(&a["includeApplications"]),
        excluded_applications: set(&a["excludeApplications"]),
        included_user_actions: set(&a["includeUserActions"]),
        included_authentication_context_class_references: set(
            &a["includeAuthenticationContextClassReferences"]
        ),
        filter: filter(&a["applicationFilter"]),
        global_secure_access: marker(&a["globalSecureAccess"]),
        network_access: marker(&a["networkAccess"]),
    };
    let u = &c["users"];
    let users = UsersBlock {
        included_users: set(&u["includeUsers"]),
        excluded_users: set(&u["excludeUsers"]),
        included_groups: set(&u["includeGroups"]),
        excluded_groups: set(&u["excludeGroups"]),
        included_roles: set(&u["includeRoles"]),
        excluded_roles: set(&u["excludeRoles"]),
        included_guests_or_external_users: guests(&u["includeGuestsOrExternalUsers"]),
        excluded_guests_or_external_users: guests(&u["excludeGuestsOrExternalUsers"]),
    };
    let sp = &c["clientApplications"];
    let client_applications = sp.is_object().then(|| ClientApplicationsBlock {
        included_service_principals: set(&sp["includeServicePrincipals"]),
        excluded_service_principals: set(&sp["excludeServicePrincipals"]),
        filter: filter(&sp["servicePrincipalFilter"]),
        included_agent_id_service_principals: set(&sp["includeAgentIdServicePrincipals"]),
        excluded_agent_id_service_principals: set(&sp["excludeAgentIdServicePrincipals"]),
        agent_id_service_principal_filter: filter(&sp["agentIdServicePrincipalFilter"]),
    });
    // Graph may hold a condition as an object of empty lists: no condition, not a block
    // without its required include list (which no configuration could write).
    let l = &c["locations"];
    let locations =
        (has_items(&l["includeLocations"]) || has_items(&l["excludeLocations"])).then(|| {
            LocationsBlock {
                included_locations: set(&l["includeLocations"]),
                excluded_locations: set(&l["excludeLocations"]),
            }
        });
    let p = &c["platforms"];
    let platforms =
        (has_items(&p["includePlatforms"]) || has_items(&p["excludePlatforms"])).then(|| {
            PlatformsBlock {
                included_platforms: set(&p["includePlatforms"]),
                excluded_platforms: set(&p["excludePlatforms"]),
            }
        });
    let device_filter = &c["devices"]["deviceFilter"];
    let devices = device_filter.is_object().then(|| DevicesBlock {
        filter: filter(device_filter),
    });
    ConditionsBlock {
        // Required in the schema, so Graph's `[]` (agent policies) stays an empty set.
        client_app_types: c["clientAppTypes"].as_array().map(|items| strings(items)),
        agent_id_risk_levels: flags(&c["agentIdRiskLevels"]),
        user_risk_levels: set(&c["userRiskLevels"]),
        sign_in_risk_levels: set(&c["signInRiskLevels"]),
        service_principal_risk_levels: set(&c["servicePrincipalRiskLevels"]),
        insider_risk_levels: text(&c["insiderRiskLevels"]),
        authentication_flow_transfer_methods: flags(&c["authenticationFlows"]["transferMethods"]),
        applications: Some(applications),
        users: Some(users),
        client_applications,
        devices,
        locations,
        platforms,
    }
}

fn grant_controls(g: &Json) -> Option<GrantControlsBlock> {
    g.is_object().then(|| GrantControlsBlock {
        // Graph's own sample of an agent policy has no operator; the schema requires one,
        // and with a single control (all such samples have one) AND and OR are the same.
        operator: Some(text(&g["operator"]).unwrap_or_else(|| "OR".into())),
        built_in_controls: set(&g["builtInControls"]),
        // In the form `entra_authentication_strength_policy` and its data source export
        // (azuread's), so that configurations referencing them plan clean after import.
        authentication_strength_policy_id: match g["authenticationStrength"]["id"].as_str() {
            Some(id) if !id.is_empty() => Some(format!("{AUTH_STRENGTH_PATH}{id}")),
            _ => None,
        },
        terms_of_use: set(&g["termsOfUse"]),
        custom_authentication_factors: set(&g["customAuthenticationFactors"]),
    })
}

fn session_controls(s: &Json) -> Option<SessionControlsBlock> {
    if !s.is_object() {
        return None;
    }
    let sif = &s["signInFrequency"];
    let sif_on = enabled(sif);
    let every_time = sif["frequencyInterval"].as_str() == Some("everyTime");
    let on = |j: &Json| only_true(enabled(j));
    let fields = SessionControlsBlock {
        application_enforced_restrictions_enabled: on(&s["applicationEnforcedRestrictions"]),
        cloud_app_security_policy: if enabled(&s["cloudAppSecurity"]) {
            text(&s["cloudAppSecurity"]["cloudAppSecurityType"])
        } else {
            None
        },
        disable_resilience_defaults: only_true(
            s["disableResilienceDefaults"].as_bool() == Some(true),
        ),
        persistent_browser_mode: if enabled(&s["persistentBrowser"]) {
            text(&s["persistentBrowser"]["mode"])
        } else {
            None
        },
        sign_in_frequency: match sif["value"].as_i64() {
            Some(n) if sif_on && !every_time => Some(Number::Int(n)),
            _ => None,
        },
        sign_in_frequency_period: if sif_on && !every_time {
            text(&sif["type"])
        } else {
            None
        },
        sign_in_frequency_authentication_type: if sif_on {
            text(&sif["authenticationType"])
        } else {
            None
        },
        sign_in_frequency_interval: if sif_on {
            text(&sif["frequencyInterval"])
        } else {
            None
        },
        continuous_access_evaluation_mode: text(&s["continuousAccessEvaluation"]["mode"]),
        secure_sign_in_session_enabled: on(&s["secureSignInSession"]),
        global_secure_access_filtering_profile_id: if enabled(
            &s["globalSecureAccessFilteringProfile"],
        ) {
            text(&s["globalSecureAccessFilteringProfile"]["profileId"])
        } else {
            None
        },
    };
    // A block with nothing set is no block: every field is optional, so empty is the default.
    (fields != SessionControlsBlock::default()).then_some(fields)
}

/// The state for a Graph policy, before the user's form is restored.
pub fn state(p: &Json) -> Value {
    let mut state = PolicyState {
        id: text(&p["id"]),
        object_id: text(&p["id"]),
        display_name: text(&p["displayName"]),
        description: text(&p["description"]),
        state: text(&p["state"]),
        template_id: text(&p["templateId"]),
        created_date_time: text(&p["createdDateTime"]),
        modified_date_time: text(&p["modifiedDateTime"]),
        graph_api_version: None,
        graph_api_version_reason: None,
        conditions: Some(conditions(&p["conditions"])),
        grant_controls: grant_controls(&p["grantControls"]),
        session_controls: session_controls(&p["sessionControls"]),
    };
    let (api, reason) = endpoint::choose(&state.to_value());
    state.graph_api_version = Some(endpoint::name(api).into());
    state.graph_api_version_reason = Some(reason);
    state.to_value()
}
