//! Microsoft's own Graph metadata (`../shared/reference/graph-metadata/`) as the oracle for the
//! values our plan-time validation takes: every member of every enum of the managed types
//! must be accepted where we validate that enum, and an enum we do not validate must say why.
//! A member Graph adds (or our notes missed) then fails here, not in a user's plan.

use super::authentication_strength_policy as strength;
use super::conditional_access_policy::vocabulary as ca;
use super::named_location;
use serde_json::Value as Json;

/// Each enum of the metadata and the list that validates it.
fn validated_by(name: &str) -> Option<&'static [&'static str]> {
    Some(match name {
        "conditionalAccessPolicyState" => ca::STATES,
        "conditionalAccessClientApp" => ca::CLIENT_APP_TYPES,
        "conditionalAccessDevicePlatform" => ca::PLATFORMS,
        "riskLevel" => ca::RISK_LEVELS,
        "conditionalAccessInsiderRiskLevels" => ca::INSIDER_RISK_LEVELS,
        "conditionalAccessGuestOrExternalUserTypes" => ca::GUEST_TYPES,
        "conditionalAccessExternalTenantsMembershipKind" => ca::MEMBERSHIP_KINDS,
        "filterMode" => ca::FILTER_MODES,
        "conditionalAccessTransferMethods" => ca::TRANSFER_METHODS,
        "conditionalAccessGrantControl" => ca::BUILT_IN_CONTROLS,
        "cloudAppSecuritySessionControlType" => ca::CLOUD_APP_SECURITY,
        "persistentBrowserSessionMode" => ca::PERSISTENT_BROWSER,
        "signinFrequencyType" => ca::SIF_PERIODS,
        "signInFrequencyAuthenticationType" => ca::SIF_AUTH_TYPES,
        "signInFrequencyInterval" => ca::SIF_INTERVALS,
        "continuousAccessEvaluationMode" => ca::CAE_MODES,
        "countryLookupMethodType" => named_location::LOOKUP_METHODS,
        "authenticationMethodModes" => strength::MODES,
        _ => return None,
    })
}

/// Enums no configuration can set, each with the reason.
const NOT_VALIDATED: &[(&str, &str)] = &[
    ("authenticationStrengthPolicyType", "read-only: policyType"),
    (
        "authenticationStrengthRequirements",
        "read-only: requirementsSatisfied",
    ),
    (
        "whatIfAnalysisReasons",
        "Graph's what-if answer; ours is evaluated offline",
    ),
    (
        "unifiedRoleManagementPolicyRuleTargetOperations",
        "PIM rule targets are written back as read",
    ),
    (
        "approverInformationVisibility",
        "beta only; PIM settings are written through v1.0",
    ),
    (
        "compliantNetworkType",
        "beta's system compliant-network location: read, never written",
    ),
    (
        "conditionalAccessAgentIdRiskLevels",
        "agent identity conditions are not modelled yet (issue 17)",
    ),
];

fn metadata() -> Json {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/reference/graph-metadata/graph-metadata.json"
    );
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap()
}

#[test]
fn every_enum_member_graph_has_is_accepted_where_we_validate_it() {
    let mut refused = Vec::new();
    let mut unaccounted = Vec::new();
    for (name, e) in metadata()["enums"].as_object().unwrap() {
        let Some(list) = validated_by(name) else {
            if !NOT_VALIDATED.iter().any(|(n, _)| n == name) {
                unaccounted.push(name.clone());
            }
            continue;
        };
        for version in ["v1.0", "beta"] {
            for member in e[version].as_array().into_iter().flatten() {
                let member = member[0].as_str().unwrap();
                if member == "unknownFutureValue" {
                    continue;
                }
                if !list.contains(&member) {
                    refused.push(format!("{name}.{member} ({version})"));
                }
            }
        }
    }
    refused.dedup();
    assert!(
        refused.is_empty(),
        "members Graph has that we refuse: {refused:?}"
    );
    assert!(
        unaccounted.is_empty(),
        "enums neither validated nor listed with a reason: {unaccounted:?}"
    );
}

#[test]
fn every_enum_we_do_not_validate_is_in_the_metadata() {
    let enums = metadata()["enums"].as_object().unwrap().clone();
    for (name, _) in NOT_VALIDATED {
        assert!(enums.contains_key(*name), "{name} is not a Graph enum");
    }
}
