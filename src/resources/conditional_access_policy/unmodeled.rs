//! What Graph returns that the schema does not model, at any depth: named in a plan warning
//! (Terraform cannot show drift there), carried over by updates (which replace `conditions`
//! and `sessionControls` whole) and written as a comment by `export`.

use serde_json::Value as Json;

/// Every Graph property the schema models, by its full path. A path that others extend is an
/// object the schema models member by member; any other is modeled whole. The metadata test
/// (`graph_metadata.rs`) holds this list and `NOT_MODELED` to Microsoft's type definitions.
pub const MODELED: &[&str] = &[
    "id",
    "templateId",
    "displayName",
    "description",
    "createdDateTime",
    "modifiedDateTime",
    "deletedDateTime",
    "state",
    "conditions.applications.includeApplications",
    "conditions.applications.excludeApplications",
    "conditions.applications.includeUserActions",
    "conditions.applications.includeAuthenticationContextClassReferences",
    "conditions.applications.applicationFilter.mode",
    "conditions.applications.applicationFilter.rule",
    "conditions.applications.globalSecureAccess",
    "conditions.applications.networkAccess",
    "conditions.users.includeUsers",
    "conditions.users.excludeUsers",
    "conditions.users.includeGroups",
    "conditions.users.excludeGroups",
    "conditions.users.includeRoles",
    "conditions.users.excludeRoles",
    "conditions.users.includeGuestsOrExternalUsers.guestOrExternalUserTypes",
    "conditions.users.includeGuestsOrExternalUsers.externalTenants.membershipKind",
    "conditions.users.includeGuestsOrExternalUsers.externalTenants.members",
    "conditions.users.excludeGuestsOrExternalUsers.guestOrExternalUserTypes",
    "conditions.users.excludeGuestsOrExternalUsers.externalTenants.membershipKind",
    "conditions.users.excludeGuestsOrExternalUsers.externalTenants.members",
    "conditions.clientApplications.includeServicePrincipals",
    "conditions.clientApplications.excludeServicePrincipals",
    "conditions.clientApplications.servicePrincipalFilter.mode",
    "conditions.clientApplications.servicePrincipalFilter.rule",
    "conditions.clientApplications.includeAgentIdServicePrincipals",
    "conditions.clientApplications.excludeAgentIdServicePrincipals",
    "conditions.clientApplications.agentIdServicePrincipalFilter.mode",
    "conditions.clientApplications.agentIdServicePrincipalFilter.rule",
    "conditions.clientAppTypes",
    "conditions.platforms.includePlatforms",
    "conditions.platforms.excludePlatforms",
    "conditions.locations.includeLocations",
    "conditions.locations.excludeLocations",
    "conditions.devices.deviceFilter.mode",
    "conditions.devices.deviceFilter.rule",
    "conditions.userRiskLevels",
    "conditions.signInRiskLevels",
    "conditions.servicePrincipalRiskLevels",
    "conditions.insiderRiskLevels",
    "conditions.agentIdRiskLevels",
    "conditions.authenticationFlows.transferMethods",
    "grantControls.operator",
    "grantControls.builtInControls",
    "grantControls.customAuthenticationFactors",
    "grantControls.termsOfUse",
    // Modeled by its id; the rest is the strength's own (read-only) expansion.
    "grantControls.authenticationStrength",
    "sessionControls.applicationEnforcedRestrictions.isEnabled",
    "sessionControls.cloudAppSecurity.isEnabled",
    "sessionControls.cloudAppSecurity.cloudAppSecurityType",
    "sessionControls.disableResilienceDefaults",
    "sessionControls.persistentBrowser.isEnabled",
    "sessionControls.persistentBrowser.mode",
    "sessionControls.signInFrequency.isEnabled",
    "sessionControls.signInFrequency.type",
    "sessionControls.signInFrequency.value",
    "sessionControls.signInFrequency.authenticationType",
    "sessionControls.signInFrequency.frequencyInterval",
    "sessionControls.continuousAccessEvaluation.mode",
    "sessionControls.secureSignInSession.isEnabled",
    "sessionControls.globalSecureAccessFilteringProfile.isEnabled",
    "sessionControls.globalSecureAccessFilteringProfile.profileId",
];

/// Properties Graph has that the schema leaves out on purpose, each with the reason.
pub const NOT_MODELED: &[(&str, &str)] = &[
    (
        "conditions.deviceStates",
        "retired by Microsoft for the device filter (conditions.devices.filter); read-only in practice, carried over",
    ),
    (
        "conditions.devices.includeDevices",
        "retired by Microsoft for the device filter; carried over",
    ),
    (
        "conditions.devices.excludeDevices",
        "retired by Microsoft for the device filter; carried over",
    ),
    (
        "conditions.devices.includeDeviceStates",
        "retired by Microsoft for the device filter; carried over",
    ),
    (
        "conditions.devices.excludeDeviceStates",
        "retired by Microsoft for the device filter; carried over",
    ),
];

fn says_something(j: &Json) -> bool {
    match j {
        Json::Null => false,
        Json::Array(a) => !a.is_empty(),
        Json::Object(o) => o.iter().any(|(k, v)| !k.contains('@') && says_something(v)),
        Json::String(s) => !s.is_empty(),
        Json::Bool(b) => *b,
        Json::Number(_) => true,
    }
}

/// The value at a dotted Graph path (`conditions.devices.deviceFilter`), null when absent.
pub fn at<'a>(json: &'a Json, dotted: &str) -> &'a Json {
    dotted.split('.').fold(json, |j, k| &j[k])
}

fn join(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_string()
    } else {
        format!("{parent}.{key}")
    }
}

/// Whether the schema models the object at `path` member by member.
fn modeled_object(path: &str) -> bool {
    let prefix = format!("{path}.");
    MODELED.iter().any(|m| m.starts_with(&prefix))
}

fn walk(object: &Json, parent: &str, found: &mut Vec<String>) {
    let Json::Object(members) = object else {
        return;
    };
    for (key, value) in members {
        if key.contains('@') || key.starts_with('#') {
            continue;
        }
        let path = join(parent, key);
        if modeled_object(&path) {
            walk(value, &path, found);
        } else if !MODELED.contains(&path.as_str()) && says_something(value) {
            found.push(path);
        }
    }
}

/// Full paths (Graph names) of the fields that carry a value this schema does not model.
pub fn unmodeled(policy: &Json) -> Vec<String> {
    let mut found = Vec::new();
    walk(policy, "", &mut found);
    found
}

/// The paths for a message, each with the reason it is not modeled where there is one.
pub fn describe(paths: &[String]) -> String {
    paths
        .iter()
        .map(|p| match NOT_MODELED.iter().find(|(n, _)| n == p) {
            Some((_, why)) => format!("{p} ({why})"),
            None => p.clone(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Copies the unmodeled fields of `current` into a request body, so that an update does not
/// wipe settings made in the portal that this schema cannot express. Top-level properties need
/// nothing (PATCH keeps omitted ones). `conditions`, `grantControls` and `sessionControls` are
/// made when missing; a deeper field goes only into an object the body still has: when the
/// configuration removed the object (a filter, say), its unmodeled members go with it.
pub fn carry_over(body: &mut Json, current: &Json, paths: &[String]) {
    for path in paths {
        let parts: Vec<&str> = path.split('.').collect();
        let Some((last, parents)) = parts.split_last() else {
            continue;
        };
        let Some((top, deeper)) = parents.split_first() else {
            continue;
        };
        let value = at(current, path).clone();
        if !body[*top].is_object() {
            body[*top] = Json::Object(Default::default());
        }
        let mut target = Some(&mut body[*top]);
        for p in deeper {
            target = target.and_then(|t| t.get_mut(*p)).filter(|t| t.is_object());
        }
        let Some(target) = target else {
            continue;
        };
        target[*last] = value;
    }
}
