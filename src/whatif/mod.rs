//! An offline Conditional Access "what if": which policies a described sign-in would meet, and
//! what they would demand of it. Pure: it reads policies and named locations in Graph's JSON
//! shape (as `GET /identity/conditionalAccess/policies` and `/namedLocations` return them, or as
//! our own request bodies write them) and does no I/O.
//!
//! The semantics follow Microsoft's documentation of Conditional Access ("Building a Conditional
//! Access policy", "Users and groups", "Target resources", "Network / locations", "Device
//! platforms", "Client apps", "Grant" and "Session" controls, "Report-only mode"):
//! a policy applies when every condition it configures matches; within a condition the include
//! side is read first and the exclude side wins over it; disabled policies are not evaluated;
//! report-only policies are evaluated and listed but enforce nothing; a block wins over every
//! other control; all grant requirements of all applying policies must be met; the strictest
//! session control wins.
//!
//! Agents (Microsoft Entra Agent ID, "Conditional Access for agents") follow the same rules: an
//! agent identity signing in with its own token meets only the policies that target agent
//! identities, and an agent user (an agent's user account) signs in as a user.
//!
//! Some conditions depend on facts a description of a sign-in does not carry (device
//! attributes, custom security attributes of applications, the legacy MFA trusted IPs). The
//! engine does not guess silently: it makes a documented assumption and says so in
//! `Outcome::caveats`. See `conditions` for each decision.

mod conditions;
pub use conditions::strs;
mod controls;
mod locations;
#[cfg(test)]
mod tests;

use serde_json::Value as Json;
use std::net::IpAddr;

/// The `state` of a policy that is enforced.
pub const ENABLED: &str = "enabled";
/// The `state` of a policy that is evaluated and logged but enforces nothing.
pub const REPORT_ONLY: &str = "enabledForReportingButNotEnforced";

/// The sign-in to evaluate. `None` means "not known" except where a field documents otherwise.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SignIn {
    /// The signing-in user's object id.
    pub user_id: Option<String>,
    /// The groups the user is a member of, transitively, by object id.
    pub group_ids: Vec<String>,
    /// Directory role template ids the user holds (active, not merely eligible).
    pub role_ids: Vec<String>,
    /// One of internalGuest, b2bCollaborationGuest, b2bCollaborationMember,
    /// b2bDirectConnectUser, otherExternalUser, serviceProvider; `None` is a member.
    pub guest_type: Option<String>,
    /// A guest's home tenant, for policies that name external tenants.
    pub home_tenant_id: Option<String>,
    /// The app (client) id signed in to.
    pub application_id: Option<String>,
    /// `urn:user:registersecurityinfo` or `urn:user:registerdevice`, instead of an app.
    pub user_action: Option<String>,
    /// The authentication context the app asks for (`c1` to `c99`), instead of an app.
    pub authentication_context: Option<String>,
    /// `None`: the sign-in comes from no named IP range.
    pub ip_address: Option<IpAddr>,
    /// ISO 3166-1 alpha-2; `None`: the country could not be determined.
    pub country: Option<String>,
    /// `None`: an unknown platform.
    pub platform: Option<String>,
    /// `None`: a modern-authentication client (browser or mobile/desktop app).
    pub client_app_type: Option<String>,
    /// Risk levels; `None` is `none` (no risk detected).
    pub sign_in_risk: Option<String>,
    /// The user's risk level; `None` is `none`.
    pub user_risk: Option<String>,
    /// `None`: no insider risk level.
    pub insider_risk: Option<String>,
    /// Set for a workload identity (service principal) sign-in instead of a user's.
    pub service_principal_id: Option<String>,
    /// The workload identity's risk level; `None` is `none`.
    pub service_principal_risk: Option<String>,
    /// Set for an agent identity (Microsoft Entra Agent ID) signing in as itself, with its own
    /// token, instead of a user or a workload identity.
    pub agent_id: Option<String>,
    /// The agent's risk (ID Protection for agents), of the agent identity or of the agent user;
    /// `None` is `none`.
    pub agent_risk: Option<String>,
    /// The signing-in user is an agent user (the user account of an agent).
    pub agent_user: bool,
}

/// A policy that applies to the sign-in.
#[derive(Clone, Debug, PartialEq)]
pub struct Matched {
    /// The policy's object id.
    pub id: String,
    /// Its name, for the reader.
    pub display_name: String,
    /// `enabled` or `enabledForReportingButNotEnforced`.
    pub state: String,
    /// `state == enabled`; report-only policies are listed with `false`.
    pub enforced: bool,
}

/// One enforced policy's grant controls: its own list joined by `operator` (AND: all, OR: one).
#[derive(Clone, Debug, PartialEq)]
pub struct Requirement {
    /// The policy that makes the demand.
    pub policy_id: String,
    /// `AND` or `OR`, as the policy's grant controls say.
    pub operator: String,
    /// `mfa`, `compliantDevice` and the like.
    pub built_in_controls: Vec<String>,
    /// The authentication strength required, if any.
    pub authentication_strength_id: Option<String>,
    /// Terms of use the user must accept, by id.
    pub terms_of_use: Vec<String>,
    /// Custom controls (external providers), by id.
    pub custom_authentication_factors: Vec<String>,
}

/// The strictest session controls of the enforced policies that apply.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Session {
    /// Some policy asks for a fresh sign-in every time.
    pub sign_in_frequency_every_time: bool,
    /// The shortest time-based sign-in frequency, in minutes.
    pub sign_in_frequency_minutes: Option<u64>,
    /// `never` wins over `always`.
    pub persistent_browser: Option<String>,
    /// Some policy hands restrictions to the app (SharePoint, Exchange).
    pub application_enforced_restrictions: bool,
    /// `blockDownloads` over `mcasConfigured` over `monitorOnly`.
    pub cloud_app_security: Option<String>,
    /// `strictLocation` over `strictEnforcement` over `disabled`.
    pub continuous_access_evaluation: Option<String>,
    /// Some policy requires token protection (a device-bound session).
    pub secure_sign_in_session: bool,
}

/// What the policies make of the sign-in.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Outcome {
    /// Every enabled or report-only policy that applies, by display name.
    pub policies: Vec<Matched>,
    /// An enforced policy blocks the sign-in; nothing else then matters.
    pub blocked: bool,
    /// One per enforced policy with grant controls; every one must be met. Empty when blocked:
    /// nothing satisfies a block.
    pub grant_requirements: Vec<Requirement>,
    /// Default (nothing) when blocked.
    pub session: Session,
    /// What could not be evaluated offline and what was assumed instead, per policy.
    pub caveats: Vec<String>,
}

/// Evaluates `sign_in` against `policies`, resolving location ids in `named_locations`.
pub fn evaluate(policies: &[Json], named_locations: &[Json], sign_in: &SignIn) -> Outcome {
    let mut outcome = Outcome::default();
    let mut enforced = Vec::new();
    for policy in policies {
        let state = policy["state"].as_str().unwrap_or_default();
        // Disabled policies (and states this engine does not know) are not evaluated.
        if state != ENABLED && state != REPORT_ONLY {
            continue;
        }
        let verdicts = conditions::verdicts(&policy["conditions"], named_locations, sign_in);
        outcome
            .caveats
            .extend(caveats_that_matter(policy, &verdicts));
        if verdicts.iter().all(|v| v.matched) {
            outcome.policies.push(matched(policy, state));
            if state == ENABLED {
                enforced.push(policy);
            }
        }
    }
    outcome
        .policies
        .sort_by(|a, b| (&a.display_name, &a.id).cmp(&(&b.display_name, &b.id)));
    outcome.blocked = enforced.iter().any(|p| controls::blocks(p));
    if !outcome.blocked {
        outcome.grant_requirements = enforced
            .iter()
            .filter_map(|p| controls::requirement(p))
            .collect();
        outcome.session = controls::strictest_session(&enforced);
    }
    outcome
}

fn matched(policy: &Json, state: &str) -> Matched {
    Matched {
        id: policy["id"].as_str().unwrap_or_default().to_string(),
        display_name: policy["displayName"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
        state: state.to_string(),
        enforced: state == ENABLED,
    }
}

/// A policy's caveats, when the result for it rests on them: a condition that plainly does not
/// match decides the policy whatever was assumed elsewhere, and then its caveats are noise.
fn caveats_that_matter(policy: &Json, verdicts: &[conditions::Verdict]) -> Vec<String> {
    if verdicts.iter().any(|v| !v.matched && v.caveat.is_none()) {
        return Vec::new();
    }
    let name = policy["displayName"].as_str().unwrap_or_default();
    let id = policy["id"].as_str().unwrap_or_default();
    verdicts
        .iter()
        .filter_map(|v| v.caveat.as_ref())
        .map(|c| format!("{name} ({id}): {c}"))
        .collect()
}
