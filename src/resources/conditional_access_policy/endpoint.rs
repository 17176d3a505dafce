//! Which Graph endpoint a policy is written through. v1.0 whenever the policy fits it, because
//! a policy written through beta can end up in a shape v1.0 tools no longer read; beta only for
//! what v1.0 cannot express. Reading always goes through beta, which shows every policy and
//! every field.

use super::state::{items, ConditionsBlock, PolicyState};
use super::vocabulary::INTUNE_ENROLLMENT_APP;
use super::{to_graph, unmodeled};
use crate::graph::Api;
use crate::plugin::value::Value;

/// v1.0 documents sign-in frequency "every time" only for risky users, risky sign-ins and
/// Intune enrollment (graph-api.md section 2.6).
fn every_time_fits_v1(c: Option<&ConditionsBlock>) -> bool {
    c.is_some_and(|c| {
        !items(&c.user_risk_levels).is_empty()
            || !items(&c.sign_in_risk_levels).is_empty()
            || c.applications.as_ref().is_some_and(|a| {
                items(&a.included_applications)
                    .iter()
                    .any(|a| a.eq_ignore_ascii_case(INTUNE_ENROLLMENT_APP))
            })
    })
}

/// The policy's Graph properties that only beta has (Microsoft's metadata: the test below
/// holds this list to it), each with the setting that writes it. Properties the schema does not
/// write (the retired device states) are here too: an update carries them over through beta.
pub(crate) const BETA_ONLY: &[(&str, &str)] = &[
    (
        "conditions.agentIdRiskLevels",
        "agent identity risk (conditions.agent_id_risk_levels)",
    ),
    (
        "conditions.applications.globalSecureAccess",
        "Global Secure Access (conditions.applications.global_secure_access)",
    ),
    (
        "conditions.applications.networkAccess",
        "the Global Secure Access traffic profile (conditions.applications.network_access)",
    ),
    (
        "conditions.clientApplications.includeAgentIdServicePrincipals",
        "agent identities (conditions.client_applications.included_agent_id_service_principals)",
    ),
    (
        "conditions.clientApplications.excludeAgentIdServicePrincipals",
        "agent identities (conditions.client_applications.excluded_agent_id_service_principals)",
    ),
    (
        "conditions.clientApplications.agentIdServicePrincipalFilter",
        "agent identities (conditions.client_applications.agent_id_service_principal_filter)",
    ),
    ("conditions.deviceStates", "the retired device states"),
    ("conditions.devices.includeDevices", "the retired device list"),
    ("conditions.devices.excludeDevices", "the retired device list"),
    ("conditions.devices.includeDeviceStates", "the retired device states"),
    ("conditions.devices.excludeDeviceStates", "the retired device states"),
    (
        "sessionControls.continuousAccessEvaluation",
        "continuous access evaluation (session_controls.continuous_access_evaluation_mode)",
    ),
    (
        "sessionControls.globalSecureAccessFilteringProfile",
        "a Global Secure Access filtering profile (session_controls.global_secure_access_filtering_profile_id)",
    ),
];

/// The endpoint and, for beta, the settings that need it.
pub(crate) fn choose(policy: &Value) -> (Api, String) {
    let body = to_graph::body(policy);
    let p = PolicyState::of(policy);
    let every_time = p
        .session_controls
        .as_ref()
        .and_then(|s| s.sign_in_frequency_interval.as_deref())
        == Some("everyTime");
    let mut needs = Vec::new();
    if every_time && !every_time_fits_v1(p.conditions.as_ref()) {
        needs.push("sign-in frequency every time outside risk-based and Intune enrollment policies (session_controls.sign_in_frequency_interval)");
    }
    for (path, what) in BETA_ONLY {
        if !unmodeled::at(&body, path).is_null() && !needs.contains(what) {
            needs.push(what);
        }
    }
    if needs.is_empty() {
        (Api::V1, "The policy fits Graph v1.0.".into())
    } else {
        (Api::Beta, format!("Needs beta for: {}.", needs.join("; ")))
    }
}

/// Fills `graph_api_version` and its reason in a state or plan from the policy's settings.
pub(crate) fn set(v: &mut Value) {
    let (api, reason) = choose(v);
    if let Value::Object(m) = v {
        m.insert("graph_api_version".into(), Value::string(name(api)));
        m.insert("graph_api_version_reason".into(), Value::string(reason));
    }
}

/// The endpoint as `graph_api_version` shows it.
pub(crate) fn name(api: Api) -> &'static str {
    match api {
        Api::V1 => "v1.0",
        Api::Beta => "beta",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(session: Value, user_risk: &[&str], apps: &[&str]) -> Value {
        Value::object([
            (
                "conditions",
                Value::List(vec![Value::object([
                    (
                        "user_risk_levels",
                        Value::string_set(user_risk.iter().copied()),
                    ),
                    ("sign_in_risk_levels", Value::Null),
                    (
                        "applications",
                        Value::List(vec![Value::object([(
                            "included_applications",
                            Value::string_set(apps.iter().copied()),
                        )])]),
                    ),
                ])]),
            ),
            ("session_controls", Value::List(vec![session])),
        ])
    }

    fn every_time() -> Value {
        Value::object([("sign_in_frequency_interval", Value::string("everyTime"))])
    }

    #[test]
    fn every_time_for_a_user_action_needs_beta() {
        let (api, why) = choose(&policy(every_time(), &[], &[]));
        assert_eq!(api, Api::Beta);
        assert!(why.contains("every time"), "{why}");
    }

    #[test]
    fn every_time_for_risky_users_or_intune_enrollment_fits_v1() {
        assert_eq!(
            choose(&policy(every_time(), &["high"], &["All"])).0,
            Api::V1
        );
        assert_eq!(
            choose(&policy(every_time(), &[], &[INTUNE_ENROLLMENT_APP])).0,
            Api::V1
        );
    }

    /// Token protection (secureSignInSession) is in v1.0 since mid-2025 (graph-metadata);
    /// continuous access evaluation is still beta only.
    #[test]
    fn token_protection_fits_v1_and_cae_needs_beta() {
        let tp = Value::object([("secure_sign_in_session_enabled", Value::Bool(true))]);
        assert_eq!(choose(&policy(tp, &[], &["All"])).0, Api::V1);
        let cae = Value::object([(
            "continuous_access_evaluation_mode",
            Value::string("strictLocation"),
        )]);
        let (api, why) = choose(&policy(cae, &[], &["All"]));
        assert_eq!(api, Api::Beta);
        assert!(why.contains("continuous access evaluation"));
        let plain = Value::object([("persistent_browser_mode", Value::string("never"))]);
        assert_eq!(choose(&policy(plain, &[], &["All"])).0, Api::V1);
    }
}
