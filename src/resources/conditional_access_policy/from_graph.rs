//! Graph's policy (as beta GET returns it) to Terraform state. Graph's three ways of saying
//! "nothing" (null, `[]`, absent) all become null here, flags strings become sets, and the
//! inline-expanded authentication strength becomes its id. `reconcile` then puts back the user's
//! form wherever it means the same.

use super::endpoint;
use super::vocabulary::AUTH_STRENGTH_PATH;
use crate::graph::flags::split_flags;
use crate::plugin::value::{Number, Value};
use serde_json::Value as Json;

fn text(j: &Json) -> Value {
    match j.as_str() {
        Some(s) if !s.is_empty() => Value::string(s),
        _ => Value::Null,
    }
}

fn set(j: &Json) -> Value {
    match j.as_array() {
        Some(items) if !items.is_empty() => {
            Value::string_set(items.iter().filter_map(Json::as_str))
        }
        _ => Value::Null,
    }
}

fn flags(j: &Json) -> Value {
    match j.as_str().map(split_flags) {
        Some(items) if !items.is_empty() => Value::string_set(items),
        _ => Value::Null,
    }
}

fn has_items(j: &Json) -> bool {
    j.as_array().is_some_and(|a| !a.is_empty())
}

fn block(fields: Option<Value>) -> Value {
    Value::List(fields.into_iter().collect())
}

fn enabled(j: &Json) -> bool {
    j["isEnabled"].as_bool() == Some(true)
}

/// Graph's marker objects (`globalSecureAccess`, `networkAccess`: types without properties):
/// present means targeted.
fn marker(j: &Json) -> Value {
    if j.is_object() {
        Value::Bool(true)
    } else {
        Value::Null
    }
}

fn filter(j: &Json) -> Value {
    block(
        j.is_object()
            .then(|| Value::object([("mode", text(&j["mode"])), ("rule", text(&j["rule"]))])),
    )
}

fn guests(j: &Json) -> Value {
    block(j.is_object().then(|| {
        let t = &j["externalTenants"];
        let tenants = block(t.is_object().then(|| {
            Value::object([
                ("membership_kind", text(&t["membershipKind"])),
                ("members", set(&t["members"])),
            ])
        }));
        Value::object([
            (
                "guest_or_external_user_types",
                flags(&j["guestOrExternalUserTypes"]),
            ),
            ("external_tenants", tenants),
        ])
    }))
}

fn conditions(c: &Json) -> Value {
    let a = &c["applications"];
    let applications = Value::object([
        ("included_applications", set(&a["includeApplications"])),
        ("excluded_applications", set(&a["excludeApplications"])),
        ("included_user_actions", set(&a["includeUserActions"])),
        (
            "included_authentication_context_class_references",
            set(&a["includeAuthenticationContextClassReferences"]),
        ),
        ("filter", filter(&a["applicationFilter"])),
        ("global_secure_access", marker(&a["globalSecureAccess"])),
        ("network_access", marker(&a["networkAccess"])),
    ]);
    let u = &c["users"];
    let users = Value::object([
        ("included_users", set(&u["includeUsers"])),
        ("excluded_users", set(&u["excludeUsers"])),
        ("included_groups", set(&u["includeGroups"])),
        ("excluded_groups", set(&u["excludeGroups"])),
        ("included_roles", set(&u["includeRoles"])),
        ("excluded_roles", set(&u["excludeRoles"])),
        (
            "included_guests_or_external_users",
            guests(&u["includeGuestsOrExternalUsers"]),
        ),
        (
            "excluded_guests_or_external_users",
            guests(&u["excludeGuestsOrExternalUsers"]),
        ),
    ]);
    let sp = &c["clientApplications"];
    let client_applications = block(sp.is_object().then(|| {
        Value::object([
            (
                "included_service_principals",
                set(&sp["includeServicePrincipals"]),
            ),
            (
                "excluded_service_principals",
                set(&sp["excludeServicePrincipals"]),
            ),
            ("filter", filter(&sp["servicePrincipalFilter"])),
            (
                "included_agent_id_service_principals",
                set(&sp["includeAgentIdServicePrincipals"]),
            ),
            (
                "excluded_agent_id_service_principals",
                set(&sp["excludeAgentIdServicePrincipals"]),
            ),
            (
                "agent_id_service_principal_filter",
                filter(&sp["agentIdServicePrincipalFilter"]),
            ),
        ])
    }));
    // Graph may hold a condition as an object of empty lists: no condition, not a block
    // without its required include list (which no configuration could write).
    let l = &c["locations"];
    let locations = block(
        (has_items(&l["includeLocations"]) || has_items(&l["excludeLocations"])).then(|| {
            Value::object([
                ("included_locations", set(&l["includeLocations"])),
                ("excluded_locations", set(&l["excludeLocations"])),
            ])
        }),
    );
    let p = &c["platforms"];
    let platforms = block(
        (has_items(&p["includePlatforms"]) || has_items(&p["excludePlatforms"])).then(|| {
            Value::object([
                ("included_platforms", set(&p["includePlatforms"])),
                ("excluded_platforms", set(&p["excludePlatforms"])),
            ])
        }),
    );
    let device_filter = &c["devices"]["deviceFilter"];
    let devices = block(
        device_filter
            .is_object()
            .then(|| Value::object([("filter", filter(device_filter))])),
    );
    Value::object([
        // Required in the schema, so Graph's `[]` (agent policies) stays an empty set.
        (
            "client_app_types",
            match c["clientAppTypes"].as_array() {
                Some(items) => Value::string_set(items.iter().filter_map(Json::as_str)),
                None => Value::Null,
            },
        ),
        ("agent_id_risk_levels", flags(&c["agentIdRiskLevels"])),
        ("user_risk_levels", set(&c["userRiskLevels"])),
        ("sign_in_risk_levels", set(&c["signInRiskLevels"])),
        (
            "service_principal_risk_levels",
            set(&c["servicePrincipalRiskLevels"]),
        ),
        ("insider_risk_levels", text(&c["insiderRiskLevels"])),
        (
            "authentication_flow_transfer_methods",
            flags(&c["authenticationFlows"]["transferMethods"]),
        ),
        ("applications", Value::List(vec![applications])),
        ("users", Value::List(vec![users])),
        ("client_applications", client_applications),
        ("devices", devices),
        ("locations", locations),
        ("platforms", platforms),
    ])
}

fn grant_controls(g: &Json) -> Value {
    block(g.is_object().then(|| {
        Value::object([
            // Graph's own sample of an agent policy has no operator; the schema requires one,
            // and with a single control (all such samples have one) AND and OR are the same.
            (
                "operator",
                match text(&g["operator"]) {
                    Value::Null => Value::string("OR"),
                    op => op,
                },
            ),
            ("built_in_controls", set(&g["builtInControls"])),
            // In the form `entra_authentication_strength_policy` and its data source export
            // (azuread's), so that configurations referencing them plan clean after import.
            (
                "authentication_strength_policy_id",
                match g["authenticationStrength"]["id"].as_str() {
                    Some(id) if !id.is_empty() => {
                        Value::string(format!("{AUTH_STRENGTH_PATH}{id}"))
                    }
                    _ => Value::Null,
                },
            ),
            ("terms_of_use", set(&g["termsOfUse"])),
            (
                "custom_authentication_factors",
                set(&g["customAuthenticationFactors"]),
            ),
        ])
    }))
}

fn session_controls(s: &Json) -> Value {
    if !s.is_object() {
        return Value::List(vec![]);
    }
    let sif = &s["signInFrequency"];
    let sif_on = enabled(sif);
    let every_time = sif["frequencyInterval"].as_str() == Some("everyTime");
    let on = |j: &Json| {
        if enabled(j) {
            Value::Bool(true)
        } else {
            Value::Null
        }
    };
    let fields = Value::object([
        (
            "application_enforced_restrictions_enabled",
            on(&s["applicationEnforcedRestrictions"]),
        ),
        (
            "cloud_app_security_policy",
            if enabled(&s["cloudAppSecurity"]) {
                text(&s["cloudAppSecurity"]["cloudAppSecurityType"])
            } else {
                Value::Null
            },
        ),
        (
            "disable_resilience_defaults",
            if s["disableResilienceDefaults"].as_bool() == Some(true) {
                Value::Bool(true)
            } else {
                Value::Null
            },
        ),
        (
            "persistent_browser_mode",
            if enabled(&s["persistentBrowser"]) {
                text(&s["persistentBrowser"]["mode"])
            } else {
                Value::Null
            },
        ),
        (
            "sign_in_frequency",
            match sif["value"].as_i64() {
                Some(n) if sif_on && !every_time => Value::Number(Number::Int(n)),
                _ => Value::Null,
            },
        ),
        (
            "sign_in_frequency_period",
            if sif_on && !every_time {
                text(&sif["type"])
            } else {
                Value::Null
            },
        ),
        (
            "sign_in_frequency_authentication_type",
            if sif_on {
                text(&sif["authenticationType"])
            } else {
                Value::Null
            },
        ),
        (
            "sign_in_frequency_interval",
            if sif_on {
                text(&sif["frequencyInterval"])
            } else {
                Value::Null
            },
        ),
        (
            "continuous_access_evaluation_mode",
            text(&s["continuousAccessEvaluation"]["mode"]),
        ),
        (
            "secure_sign_in_session_enabled",
            on(&s["secureSignInSession"]),
        ),
        (
            "global_secure_access_filtering_profile_id",
            if enabled(&s["globalSecureAccessFilteringProfile"]) {
                text(&s["globalSecureAccessFilteringProfile"]["profileId"])
            } else {
                Value::Null
            },
        ),
    ]);
    let any = matches!(&fields, Value::Object(m) if m.values().any(|v| !v.is_null()));
    Value::List(if any { vec![fields] } else { vec![] })
}

/// The state for a Graph policy, before the user's form is restored.
pub fn state(p: &Json) -> Value {
    let mut v = Value::object([
        ("id", text(&p["id"])),
        ("object_id", text(&p["id"])),
        ("display_name", text(&p["displayName"])),
        ("description", text(&p["description"])),
        ("state", text(&p["state"])),
        ("template_id", text(&p["templateId"])),
        ("created_date_time", text(&p["createdDateTime"])),
        ("modified_date_time", text(&p["modifiedDateTime"])),
        (
            "conditions",
            Value::List(vec![conditions(&p["conditions"])]),
        ),
        ("grant_controls", grant_controls(&p["grantControls"])),
        ("session_controls", session_controls(&p["sessionControls"])),
    ]);
    set_endpoint(&mut v);
    v
}

/// Fills `graph_api_version` and its reason from the policy's settings.
pub fn set_endpoint(v: &mut Value) {
    let (api, reason) = endpoint::choose(v);
    if let Value::Object(m) = v {
        m.insert(
            "graph_api_version".into(),
            Value::string(endpoint::name(api)),
        );
        m.insert("graph_api_version_reason".into(), Value::string(reason));
    }
}
