//! What enforced policies demand: block, grant requirements, and the strictest session controls
//! (graph-api.md 2.5 and 2.6). Microsoft: "block access" overrides every other setting; when
//! several policies apply, all their grant controls must be satisfied; for session controls the
//! most restrictive one applies (e.g. the shortest sign-in frequency).

use super::conditions::strs;
use super::{Requirement, Session};
use serde_json::Value as Json;

/// Whether the policy's grant is a block, which no other control can satisfy.
pub(crate) fn blocks(policy: &Json) -> bool {
    strs(&policy["grantControls"]["builtInControls"]).contains(&"block")
}

/// The policy's grant controls as one requirement, or `None` when it has none (session only).
pub(crate) fn requirement(policy: &Json) -> Option<Requirement> {
    let g = &policy["grantControls"];
    let owned =
        |key: &str| -> Vec<String> { strs(&g[key]).into_iter().map(String::from).collect() };
    let req = Requirement {
        policy_id: policy["id"].as_str().unwrap_or_default().to_string(),
        operator: g["operator"].as_str().unwrap_or("OR").to_string(),
        built_in_controls: owned("builtInControls"),
        // GET returns the whole strength inline; our request bodies hold only its id.
        authentication_strength_id: g["authenticationStrength"]["id"].as_str().map(String::from),
        terms_of_use: owned("termsOfUse"),
        custom_authentication_factors: owned("customAuthenticationFactors"),
    };
    let empty = req.built_in_controls.is_empty()
        && req.authentication_strength_id.is_none()
        && req.terms_of_use.is_empty()
        && req.custom_authentication_factors.is_empty();
    (!empty).then_some(req)
}

/// A session control object is on when present and not explicitly disabled.
fn on(control: &Json) -> bool {
    control.is_object() && control["isEnabled"] != Json::Bool(false)
}

/// The stricter of two values by rank in `order` (strictest first); unknown values rank last.
fn stricter(current: Option<String>, new: Option<&str>, order: &[&str]) -> Option<String> {
    let rank = |v: &str| order.iter().position(|o| *o == v).unwrap_or(order.len());
    match (current, new) {
        (Some(c), Some(n)) if rank(n) < rank(&c) => Some(n.to_string()),
        (None, Some(n)) => Some(n.to_string()),
        (c, _) => c,
    }
}

fn sign_in_frequency_minutes(sif: &Json) -> Option<u64> {
    let value = sif["value"].as_u64()?;
    let per_unit = match sif["type"].as_str()? {
        "hours" => 60,
        "days" => 24 * 60,
        _ => return None,
    };
    Some(value * per_unit)
}

/// The strictest of each session control across `policies` (the rules are on `Session`).
pub(crate) fn strictest_session(policies: &[&Json]) -> Session {
    let mut s = Session::default();
    for p in policies {
        let c = &p["sessionControls"];
        let sif = &c["signInFrequency"];
        if on(sif) {
            if sif["frequencyInterval"] == "everyTime" {
                s.sign_in_frequency_every_time = true;
            } else if let Some(m) = sign_in_frequency_minutes(sif) {
                s.sign_in_frequency_minutes =
                    Some(s.sign_in_frequency_minutes.map_or(m, |x| x.min(m)));
            }
        }
        if on(&c["persistentBrowser"]) {
            let mode = c["persistentBrowser"]["mode"].as_str();
            s.persistent_browser = stricter(s.persistent_browser, mode, &["never", "always"]);
        }
        s.application_enforced_restrictions |= on(&c["applicationEnforcedRestrictions"]);
        if on(&c["cloudAppSecurity"]) {
            let kind = c["cloudAppSecurity"]["cloudAppSecurityType"].as_str();
            let order = ["blockDownloads", "mcasConfigured", "monitorOnly"];
            s.cloud_app_security = stricter(s.cloud_app_security, kind, &order);
        }
        // Decision: CAE modes ranked by how much they tighten (strict location enforcement,
        // then strict enforcement, then disabled); Microsoft does not document a merge order.
        if let Some(mode) = c["continuousAccessEvaluation"]["mode"].as_str() {
            let order = ["strictLocation", "strictEnforcement", "disabled"];
            s.continuous_access_evaluation =
                stricter(s.continuous_access_evaluation, Some(mode), &order);
        }
        s.secure_sign_in_session |= on(&c["secureSignInSession"]);
    }
    s
}
