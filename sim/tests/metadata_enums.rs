//! Microsoft's own Graph metadata (`../shared/reference/graph-metadata/`) as the oracle for the
//! simulator's enums: every member Graph has is known here, in the same place relative to
//! `unknownFutureValue` (members after it need `Prefer: include-unknown-enum-members`), so the
//! fake cannot refuse what Graph accepts nor accept without the header what Graph refuses.

mod common;

use common::shared;
use entra_graph_sim::graph::{auth_strengths, named_locations, policies::schema};
use serde_json::Value;

/// The simulator's list for each enum of the metadata it validates.
fn list(name: &str) -> Option<&'static [&'static str]> {
    Some(match name {
        "conditionalAccessPolicyState" => schema::STATES,
        "conditionalAccessClientApp" => schema::CLIENT_APP_TYPES,
        "conditionalAccessDevicePlatform" => schema::PLATFORMS,
        "riskLevel" => schema::RISK_LEVELS,
        "conditionalAccessInsiderRiskLevels" => schema::INSIDER_RISK_LEVELS,
        "conditionalAccessAgentIdRiskLevels" => schema::AGENT_RISK_LEVELS,
        "conditionalAccessGuestOrExternalUserTypes" => schema::GUEST_TYPES,
        "conditionalAccessExternalTenantsMembershipKind" => schema::MEMBERSHIP_KINDS,
        "filterMode" => schema::FILTER_MODES,
        "conditionalAccessTransferMethods" => schema::TRANSFER_METHODS,
        "conditionalAccessGrantControl" => schema::BUILT_IN_CONTROLS,
        "cloudAppSecuritySessionControlType" => schema::CAS_TYPES,
        "persistentBrowserSessionMode" => schema::PERSISTENT_BROWSER_MODES,
        "signinFrequencyType" => schema::SIF_TYPES,
        "signInFrequencyAuthenticationType" => schema::SIF_AUTH_TYPES,
        "signInFrequencyInterval" => schema::SIF_INTERVALS,
        "continuousAccessEvaluationMode" => schema::CAE_MODES,
        "countryLookupMethodType" => named_locations::COUNTRY_LOOKUP_METHODS,
        "authenticationMethodModes" => auth_strengths::MODES,
        _ => return None,
    })
}

fn evolvable(list: &[&str], member: &str) -> Option<bool> {
    let at = list.iter().position(|m| *m == member)?;
    Some(
        list.iter()
            .position(|m| *m == "unknownFutureValue")
            .is_some_and(|u| at > u),
    )
}

#[test]
fn every_member_graph_has_is_known_with_its_place_after_unknown_future_value() {
    let text =
        std::fs::read_to_string(shared("reference/graph-metadata/graph-metadata.json")).unwrap();
    let metadata: Value = serde_json::from_str(&text).unwrap();
    let mut wrong = Vec::new();
    let mut checked = 0;
    for (name, e) in metadata["enums"].as_object().unwrap() {
        if let Some(list) = list(name) {
            for version in ["v1.0", "beta"] {
                let members: Vec<&str> = e[version]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|m| m[0].as_str().unwrap())
                    .collect();
                for m in &members {
                    // An enum without unknownFutureValue (filterMode) has no evolvable members.
                    let graph = evolvable(&members, m).unwrap();
                    match evolvable(list, m) {
                        None if *m == "unknownFutureValue" && !list.contains(m) => {}
                        None => wrong.push(format!("{name}.{m} ({version}) is unknown")),
                        Some(sim) if sim != graph => wrong.push(format!(
                            "{name}.{m} ({version}): evolvable in Graph {graph}, here {sim}"
                        )),
                        Some(_) => checked += 1,
                    }
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
    assert!(checked > 100, "only {checked} members checked");
}
