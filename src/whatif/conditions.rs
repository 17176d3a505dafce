//! One verdict per condition of a policy. Graph writes an unset condition as absent, `null`, or
//! an empty list (graph-api.md 2.3); all three mean "not configured", which matches everything.

use super::locations;
use super::SignIn;
use crate::graph::flags::split_flags;
use serde_json::Value as Json;

/// A condition's answer, with what had to be assumed to give it, if anything.
#[derive(Debug, PartialEq)]
pub(crate) struct Verdict {
    pub matched: bool,
    pub caveat: Option<String>,
}

impl Verdict {
    /// An answer that needed no assumption.
    pub(crate) fn of(matched: bool) -> Verdict {
        Verdict {
            matched,
            caveat: None,
        }
    }

    /// An answer that rests on `caveat`, which the outcome then lists.
    pub(crate) fn assumed(matched: bool, caveat: impl Into<String>) -> Verdict {
        Verdict {
            matched,
            caveat: Some(caveat.into()),
        }
    }
}

/// Conditions this engine evaluates; any other non-empty key of `conditions` (beta `times`,
/// `deviceStates`, `agentContext`, future ones) is reported and assumed to match.
const KNOWN: &[&str] = &[
    "applications",
    "users",
    "clientApplications",
    "clientAppTypes",
    "platforms",
    "locations",
    "devices",
    "userRiskLevels",
    "signInRiskLevels",
    "servicePrincipalRiskLevels",
    "insiderRiskLevels",
    "authenticationFlows",
    "agentIdRiskLevels",
    "agents",
];

/// Microsoft's well-known app ids in the Office 365 app group. PARTIAL: Microsoft documents the
/// group as dozens of apps and changes it; these are the main ones. A sign-in to an app missing
/// here is not seen as part of `Office365`.
pub(crate) const OFFICE_365_APPS: &[&str] = &[
    "00000002-0000-0ff1-ce00-000000000000", // Office 365 Exchange Online
    "00000003-0000-0ff1-ce00-000000000000", // Office 365 SharePoint Online
    "00000004-0000-0ff1-ce00-000000000000", // Skype for Business Online
    "cc15fd57-2c6c-4117-a88c-83b1d56b4bbe", // Microsoft Teams Services
];

/// App ids in the `MicrosoftAdminPortals` group. PARTIAL, for the same reason.
pub(crate) const ADMIN_PORTAL_APPS: &[&str] = &[
    "c44b4083-3bb0-49c1-b47d-974e53cbdf3c", // Azure portal
];

/// The verdict of every condition of one policy, in a fixed order.
pub(crate) fn verdicts(c: &Json, named_locations: &[Json], s: &SignIn) -> Vec<Verdict> {
    let mut out = vec![
        identity(c, s),
        target(&c["applications"], s),
        locations::verdict(&c["locations"], named_locations, s),
        platforms(&c["platforms"], s.platform.as_deref()),
        client_app_types(&c["clientAppTypes"], s.client_app_type.as_deref()),
        risk(&c["signInRiskLevels"], s.sign_in_risk.as_deref()),
        risk(&c["userRiskLevels"], s.user_risk.as_deref()),
        risk(
            &c["servicePrincipalRiskLevels"],
            s.service_principal_risk.as_deref(),
        ),
        flag_levels(&c["insiderRiskLevels"], s.insider_risk.as_deref()),
        flag_levels(&c["agentIdRiskLevels"], s.agent_risk.as_deref()),
        devices(&c["devices"]),
        authentication_flows(&c["authenticationFlows"]),
    ];
    out.extend(unknown_conditions(c));
    out
}

/// The strings of a JSON list; nothing for null, absent or anything else.
pub fn strs(v: &Json) -> Vec<&str> {
    v.as_array()
        .map(|a| a.iter().filter_map(Json::as_str).collect())
        .unwrap_or_default()
}

/// Graph ids and keywords compare without regard to case.
fn has(list: &[&str], value: &str) -> bool {
    list.iter().any(|v| v.eq_ignore_ascii_case(value))
}

fn has_any(list: &[&str], values: &[String]) -> bool {
    values.iter().any(|v| has(list, v))
}

/// True when a condition holds something: not null, not an empty list, string or object.
fn configured(v: &Json) -> bool {
    match v {
        Json::Null => false,
        Json::Array(a) => !a.is_empty(),
        Json::String(s) => !s.is_empty(),
        Json::Object(o) => o.iter().any(|(k, v)| !k.contains('@') && configured(v)),
        _ => true,
    }
}

/// A user, a workload identity or an agent identity, each meeting only the policies for its
/// kind. Microsoft: policies for users do not apply to service principals or agent identities;
/// workload identity policies apply only to service principals ("Conditional Access for workload
/// identities"), agent identity policies only to agent identities ("Conditional Access for
/// agents"). Service principals and agents read only their own lists of `clientApplications`, so
/// neither meets the other's policies.
fn identity(c: &Json, s: &SignIn) -> Verdict {
    let clients = &c["clientApplications"];
    if let Some(agent) = s.agent_id.as_deref() {
        return agent_identity(clients, agent);
    }
    if let Some(sp) = s.service_principal_id.as_deref() {
        return service_principal(clients, sp);
    }
    if configured(clients) {
        return Verdict::of(false);
    }
    users(c, s)
}

/// Include then exclude, each over users, groups, roles and guest types, and for an agent user
/// over `AllAgentIdUsers` and the beta `agents` condition: real tenants export "All agent users"
/// policies both ways. Decision: `agents` is missing from Microsoft's metadata, so its lists
/// (`includeAgentUsers`, `excludeAgentUsers`: `All` or ids, as exported) read like
/// `includeUsers`, and its `agentFilter` like the other attribute filters.
fn users(c: &Json, s: &SignIn) -> Verdict {
    let (u, agents) = (&c["users"], &c["agents"]);
    let user_listed = |list: &[&str]| s.user_id.as_deref().is_some_and(|id| has(list, id));
    let side = |users: &str, groups: &str, roles: &str, guests: &str, agent_users: &str| {
        let listed = strs(&u[users]);
        let agent_users = strs(&agents[agent_users]);
        // Decision: `All` covers agent users too. Once created an agent user is a user account
        // like any other, and Microsoft's documentation does not say "All users" leaves them
        // out; including them is also the worst case for a "never blocked" check.
        has(&listed, "All")
            || (s.guest_type.is_some() && has(&listed, "GuestsOrExternalUsers"))
            || (s.agent_user
                && (has(&listed, "AllAgentIdUsers")
                    || has(&agent_users, "All")
                    || user_listed(&agent_users)))
            || user_listed(&listed)
            || has_any(&strs(&u[groups]), &s.group_ids)
            || has_any(&strs(&u[roles]), &s.role_ids)
            || guests_match(&u[guests], s)
    };
    let included = side(
        "includeUsers",
        "includeGroups",
        "includeRoles",
        "includeGuestsOrExternalUsers",
        "includeAgentUsers",
    );
    let excluded = side(
        "excludeUsers",
        "excludeGroups",
        "excludeRoles",
        "excludeGuestsOrExternalUsers",
        "excludeAgentUsers",
    );
    // The agent filter selects among agent users only.
    let no_filter = Json::Null;
    let filter = if s.agent_user {
        &agents["agentFilter"]
    } else {
        &no_filter
    };
    with_filter(
        included,
        excluded,
        filter,
        "agent user filter (custom security attributes)",
    )
}

/// A `conditionalAccessGuestsOrExternalUsers` object: the sign-in's guest type is one of its
/// flags, and its home tenant is among the external tenants. Decision: internal guests live in
/// this tenant, so the external-tenant list does not restrict them.
fn guests_match(g: &Json, s: &SignIn) -> bool {
    let Some(guest_type) = s.guest_type.as_deref() else {
        return false;
    };
    let types = split_flags(g["guestOrExternalUserTypes"].as_str().unwrap_or_default());
    if !types.iter().any(|t| t.eq_ignore_ascii_case(guest_type)) {
        return false;
    }
    let tenants = &g["externalTenants"];
    guest_type == "internalGuest"
        || tenants["membershipKind"].as_str() != Some("enumerated")
        || s.home_tenant_id
            .as_deref()
            .is_some_and(|t| has(&strs(&tenants["members"]), t))
}

fn service_principal(apps: &Json, sp: &str) -> Verdict {
    let included = strs(&apps["includeServicePrincipals"]);
    // The what-if covers single-tenant service principals, all of them "in my tenant".
    let included = has(&included, "ServicePrincipalsInMyTenant") || has(&included, sp);
    let excluded = has(&strs(&apps["excludeServicePrincipals"]), sp);
    with_filter(
        included,
        excluded,
        &apps["servicePrincipalFilter"],
        "service principal filter (custom security attributes)",
    )
}

/// An agent identity signing in as itself: `All` or its object id, minus exclusions, with the
/// filter on its custom security attributes decided as `with_filter` does.
fn agent_identity(clients: &Json, agent: &str) -> Verdict {
    let included = strs(&clients["includeAgentIdServicePrincipals"]);
    let included = has(&included, "All") || has(&included, agent);
    let excluded = has(&strs(&clients["excludeAgentIdServicePrincipals"]), agent);
    with_filter(
        included,
        excluded,
        &clients["agentIdServicePrincipalFilter"],
        "agent identity filter (custom security attributes)",
    )
}

/// What the sign-in targets: an application, a user action or an authentication context. Each
/// matches only its own list, so an app sign-in never meets a user-action policy (whose
/// `includeApplications` is empty) and the other way round.
fn target(apps: &Json, s: &SignIn) -> Verdict {
    if let Some(app) = s.application_id.as_deref() {
        let listed = strs(&apps["includeApplications"]);
        // Decision: `AllAgentIdResources` ("all agent resources") matches every application when
        // an agent signs in, as its agent identity or its agent user. A policy does not say which
        // applications count as agent resources, and real tenants write this keyword for agent
        // policies on all resources (CA502 and CA505 in ../shared/corpus/ca-policies). Other
        // sign-ins do not meet it: the keyword is about what agents access.
        let agent_resources =
            (s.agent_id.is_some() || s.agent_user) && has(&listed, "AllAgentIdResources");
        let included = app_listed(&listed, app) || has(&listed, "All") || agent_resources;
        let excluded = app_listed(&strs(&apps["excludeApplications"]), app);
        return with_filter(
            included,
            excluded,
            &apps["applicationFilter"],
            "application filter (custom security attributes)",
        );
    }
    if let Some(action) = s.user_action.as_deref() {
        return Verdict::of(has(&strs(&apps["includeUserActions"]), action));
    }
    if let Some(context) = s.authentication_context.as_deref() {
        let contexts = strs(&apps["includeAuthenticationContextClassReferences"]);
        return Verdict::of(has(&contexts, context));
    }
    // Nothing targeted: no policy can apply.
    Verdict::of(false)
}

/// The app id itself, or a group keyword whose (partial) member list has it.
fn app_listed(list: &[&str], app: &str) -> bool {
    has(list, app)
        || (has(list, "Office365") && has(OFFICE_365_APPS, app))
        || (has(list, "MicrosoftAdminPortals") && has(ADMIN_PORTAL_APPS, app))
}

/// Include/exclude lists plus an optional filter on custom security attributes, which this
/// engine cannot read. Decision: assume the filter goes the way that makes the policy apply
/// (an `include` filter includes, an `exclude` filter does not exclude), the worst case for a
/// safety check, and say so.
fn with_filter(included: bool, excluded: bool, filter: &Json, what: &str) -> Verdict {
    let rule = filter["rule"].as_str().unwrap_or_default();
    match filter["mode"].as_str() {
        _ if excluded => Verdict::of(false),
        Some("include") if !included => Verdict::assumed(
            true,
            format!("{what} `{rule}` not evaluated offline; assumed to include the sign-in"),
        ),
        Some("exclude") if included => Verdict::assumed(
            true,
            format!("{what} `{rule}` not evaluated offline; assumed not to exclude the sign-in"),
        ),
        _ => Verdict::of(included),
    }
}

/// Microsoft: "Any device" (`all`) includes unknown and unsupported platforms; naming specific
/// platforms does not. So an unknown platform matches only `all`.
fn platforms(p: &Json, platform: Option<&str>) -> Verdict {
    let included = strs(&p["includePlatforms"]);
    if included.is_empty() {
        return Verdict::of(true);
    }
    let listed = |list: &[&str]| has(list, "all") || platform.is_some_and(|x| has(list, x));
    Verdict::of(listed(&included) && !listed(&strs(&p["excludePlatforms"])))
}

/// `all` matches every client. Decision: an unspecified client is a modern-authentication one,
/// a browser or a mobile/desktop app, so that policies for legacy clients (Exchange ActiveSync,
/// "other") do not appear in every evaluation.
fn client_app_types(types: &Json, client: Option<&str>) -> Verdict {
    let types = strs(types);
    let matched = match client {
        _ if types.is_empty() || has(&types, "all") => true,
        Some(c) => has(&types, c),
        None => has(&types, "browser") || has(&types, "mobileAppsAndDesktopClients"),
    };
    Verdict::of(matched)
}

/// A risk level list; a sign-in without a level has risk `none`.
fn risk(levels: &Json, level: Option<&str>) -> Verdict {
    let levels = strs(levels);
    Verdict::of(levels.is_empty() || has(&levels, level.unwrap_or("none")))
}

/// Insider and agent risk are flags strings (`"minor,elevated"`, `"medium,high"`) of levels above
/// none: a sign-in without a level, or at `none`, never matches.
fn flag_levels(levels: &Json, level: Option<&str>) -> Verdict {
    let levels = split_flags(levels.as_str().unwrap_or_default());
    let matched = levels.is_empty()
        || level.is_some_and(|l| levels.iter().any(|x| x.eq_ignore_ascii_case(l)));
    Verdict::of(matched)
}

/// Device filters (and beta device lists) need the device's attributes. Decision: like other
/// attribute filters, assume the policy applies, and say so.
fn devices(d: &Json) -> Verdict {
    if !configured(d) {
        return Verdict::of(true);
    }
    let filter = &d["deviceFilter"];
    let what = match (filter["mode"].as_str(), filter["rule"].as_str()) {
        (Some(mode), Some(rule)) => format!("device filter ({mode} `{rule}`)"),
        _ => "device condition".to_string(),
    };
    Verdict::assumed(
        true,
        format!("{what} not evaluated offline; assumed to apply"),
    )
}

/// Device code flow and authentication transfer are kinds of sign-in a description here cannot
/// express. Decision: the evaluated sign-in is an ordinary one, so these policies do not apply;
/// otherwise Microsoft's recommended "block device code flow" policy would block every sign-in.
fn authentication_flows(f: &Json) -> Verdict {
    let methods = split_flags(f["transferMethods"].as_str().unwrap_or_default());
    if methods.iter().all(|m| m == "none") {
        return Verdict::of(true);
    }
    Verdict::assumed(
        false,
        format!(
            "authentication flows ({}) not evaluated; the sign-in is taken to use neither",
            methods.join(", ")
        ),
    )
}

fn unknown_conditions(c: &Json) -> Vec<Verdict> {
    let Some(all) = c.as_object() else {
        return Vec::new();
    };
    all.iter()
        .filter(|(k, v)| !k.contains('@') && !KNOWN.contains(&k.as_str()) && configured(v))
        .map(|(k, _)| {
            Verdict::assumed(
                true,
                format!("condition `{k}` not evaluated offline; assumed to match"),
            )
        })
        .collect()
}
