//! A tenant's worth of configuration for the reliability tests: named locations, authentication
//! contexts, a custom strength and many Conditional Access policies that refer to them, and the
//! means to compare what Graph then holds with what the state says.

use super::{Sim, Tf};
use serde_json::Value as Json;
use std::collections::BTreeMap;

pub const GLASS: &str = "6b1f0e2a-3c4d-4e5f-8a9b-0c1d2e3f4a5b";

/// The collections a fleet writes to, as an administrator would list them.
pub const COLLECTIONS: [&str; 4] = [
    "/beta/identity/conditionalAccess/policies",
    "/v1.0/identity/conditionalAccess/namedLocations",
    "/v1.0/identity/conditionalAccess/authenticationContextClassReferences",
    "/v1.0/policies/authenticationStrengthPolicies",
];

/// `policies` Conditional Access policies in five shapes, plus the objects they refer to.
/// `tag` goes into every display name so that fleets in one tenant do not collide.
pub fn config(tag: &str, policies: usize) -> String {
    let mut hcl = format!(
        r#"
resource "entra_named_location" "office" {{
  display_name = "{tag} office"
  ip {{
    ip_ranges = ["203.0.113.0/24", "2001:db8:{tag_hex}::/48"]
    trusted   = true
  }}
}}

resource "entra_named_location" "blocked" {{
  display_name = "{tag} blocked countries"
  country {{
    countries_and_regions                 = ["KP", "IR"]
    include_unknown_countries_and_regions = true
  }}
}}

resource "entra_authentication_context" "sensitive" {{
  context_id   = "c{context}"
  display_name = "{tag} sensitive actions"
  is_available = true
}}

resource "entra_authentication_strength_policy" "admins" {{
  display_name         = "{tag} admins"
  description          = "Phishing-resistant or OTP"
  allowed_combinations = ["fido2", "windowsHelloForBusiness", "password,hardwareOath"]
}}
"#,
        tag_hex = tag_hex(tag),
        context = 10 + tag_hex(tag) % 80,
    );
    for i in 0..policies {
        hcl.push_str(&policy(tag, i));
    }
    hcl
}

/// A number from the tag, for values that must differ between fleets in one tenant.
fn tag_hex(tag: &str) -> u32 {
    tag.bytes()
        .fold(7u32, |h, b| h.wrapping_mul(31).wrapping_add(b as u32))
        % 0xfff
}

fn policy(tag: &str, i: usize) -> String {
    let (conditions, grant) = match i % 5 {
        0 => (
            r#"client_app_types = ["exchangeActiveSync", "other"]
    applications { included_applications = ["All"] }"#
                .to_string(),
            r#"built_in_controls = ["block"]"#.to_string(),
        ),
        1 => (
            r#"client_app_types = ["all"]
    applications { included_applications = ["All"] }
    locations {
      included_locations = ["All"]
      excluded_locations = [entra_named_location.office.id]
    }"#
            .to_string(),
            r#"built_in_controls = ["mfa"]"#.to_string(),
        ),
        2 => (
            r#"client_app_types = ["browser", "mobileAppsAndDesktopClients"]
    applications { included_applications = ["All"] }"#
                .to_string(),
            r#"authentication_strength_policy_id = entra_authentication_strength_policy.admins.id"#
                .to_string(),
        ),
        3 => (
            r#"client_app_types = ["all"]
    applications {
      included_authentication_context_class_references = [entra_authentication_context.sensitive.context_id]
    }"#
            .to_string(),
            r#"built_in_controls = ["mfa", "compliantDevice"]"#.to_string(),
        ),
        _ => (
            r#"client_app_types = ["all"]
    applications { included_applications = ["All"] }
    locations { included_locations = [entra_named_location.blocked.id] }"#
                .to_string(),
            r#"built_in_controls = ["block"]"#.to_string(),
        ),
    };
    let state = ["enabledForReportingButNotEnforced", "disabled"][i % 2];
    format!(
        r#"
resource "entra_conditional_access_policy" "p{i:03}" {{
  display_name = "{tag} CA{i:03}"
  state        = "{state}"
  conditions {{
    {conditions}
    users {{
      included_users = ["All"]
      excluded_users = ["{GLASS}"]
    }}
  }}
  grant_controls {{
    operator = "OR"
    {grant}
  }}
}}
"#
    )
}

/// What Graph holds, as `collection: display name -> count`, built-in strengths left out.
pub fn held(sim: &Sim) -> BTreeMap<String, usize> {
    let mut names = BTreeMap::new();
    for (collection, item) in objects(sim) {
        let name = item["displayName"].as_str().unwrap_or_default();
        *names.entry(format!("{collection}: {name}")).or_insert(0) += 1;
    }
    names
}

/// The ids of every object Graph holds (lower case), built-in strengths left out.
pub fn held_ids(sim: &Sim) -> Vec<String> {
    let mut ids: Vec<String> = objects(sim)
        .into_iter()
        .map(|(_, item)| item["id"].as_str().unwrap_or_default().to_lowercase())
        .collect();
    ids.sort();
    ids
}

fn objects(sim: &Sim) -> Vec<(&'static str, Json)> {
    let mut out = Vec::new();
    for collection in COLLECTIONS {
        let (status, body) = sim.graph("GET", collection, None);
        assert_eq!(status, 200, "{collection}: {body}");
        for item in body["value"].as_array().cloned().unwrap_or_default() {
            if item["policyType"] == "builtIn" {
                continue;
            }
            out.push((collection, item));
        }
    }
    out
}

/// The Graph ids the state records (lower case): object ids, and context ids for contexts.
pub fn state_ids(tf: &Tf) -> Vec<String> {
    let show: Json = serde_json::from_str(&tf.ok(&["show", "-json"]).stdout).unwrap();
    let mut ids: Vec<String> = show["values"]["root_module"]["resources"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .filter(|r| r["mode"] == "managed")
        .filter_map(|r| {
            let v = &r["values"];
            v["object_id"]
                .as_str()
                .or(v["context_id"].as_str())
                .map(str::to_lowercase)
        })
        .collect();
    ids.sort();
    ids
}
