//! The schema: azuread's `azuread_conditional_access_policy` block layout and names (so azuread
//! HCL works after renaming the type), then every Graph field azuread lacks, in the same style.
//! String collections whose order Graph does not keep are sets.

use crate::plugin::schema::{Attribute, Block, Mode, NestedBlock, Schema, Type};

fn string(name: &str, mode: Mode, desc: &str) -> Attribute {
    Attribute::new(name, Type::String, mode, desc)
}

fn strings(name: &str, desc: &str) -> Attribute {
    Attribute::new(name, Type::set(Type::String), Mode::Optional, desc)
}

fn boolean(name: &str, desc: &str) -> Attribute {
    Attribute::new(name, Type::Bool, Mode::Optional, desc)
}

/// A block written once (`name { ... }`), as azuread's `MaxItems: 1` lists are.
fn single(
    name: &str,
    required: bool,
    attributes: Vec<Attribute>,
    blocks: Vec<NestedBlock>,
    desc: &str,
) -> NestedBlock {
    let block = NestedBlock::once(name, attributes, blocks, desc);
    if required {
        block.required()
    } else {
        block
    }
}

fn filter(desc: &str) -> NestedBlock {
    named_filter("filter", desc)
}

fn named_filter(name: &str, desc: &str) -> NestedBlock {
    single(
        name,
        false,
        vec![
            string("mode", Mode::Required, "`include` or `exclude`."),
            string(
                "rule",
                Mode::Required,
                "The filter rule, e.g. `device.isCompliant -eq True`.",
            ),
        ],
        vec![],
        desc,
    )
}

fn guests(name: &str, desc: &str) -> NestedBlock {
    single(
        name,
        false,
        vec![Attribute::new(
            "guest_or_external_user_types",
            Type::set(Type::String),
            Mode::Required,
            "Any of `internalGuest`, `b2bCollaborationGuest`, `b2bCollaborationMember`, `b2bDirectConnectUser`, `otherExternalUser`, `serviceProvider` (order does not matter).",
        )],
        vec![single(
            "external_tenants",
            false,
            vec![
                string("membership_kind", Mode::Required, "`all` or `enumerated`."),
                strings("members", "Tenant ids, with `membership_kind = \"enumerated\"`."),
            ],
            vec![],
            "Which external tenants; all of them when omitted.",
        )],
        desc,
    )
}

fn conditions() -> NestedBlock {
    let applications = single(
        "applications",
        true,
        vec![
            strings(
                "included_applications",
                "Application ids, or `All`, `None`, `Office365`, `MicrosoftAdminPortals`.",
            ),
            strings(
                "excluded_applications",
                "Application ids, or `Office365`, `MicrosoftAdminPortals`.",
            ),
            strings(
                "included_user_actions",
                "`urn:user:registersecurityinfo` and/or `urn:user:registerdevice`.",
            ),
            strings(
                "included_authentication_context_class_references",
                "Authentication context ids (`c1`..`c99`) the policy applies to.",
            ),
            boolean(
                "global_secure_access",
                "Target Global Secure Access traffic (Graph's `globalSecureAccess`, beta). Microsoft deprecated it for Global Secure Access applications in `included_applications`; kept so existing policies round-trip.",
            ),
            boolean(
                "network_access",
                "Target the Global Secure Access traffic profile (Graph's `networkAccess`, beta).",
            ),
        ],
        vec![filter(
            "Filter on custom security attributes of applications.",
        )],
        "Which cloud apps, user actions or authentication contexts the policy applies to.",
    );
    let users = single(
        "users",
        true,
        vec![
            strings("included_users", "User object ids, or `All`, `None`, `GuestsOrExternalUsers`."),
            strings("excluded_users", "User object ids, or `GuestsOrExternalUsers`. Exclude your emergency-access accounts."),
            strings("included_groups", "Group object ids."),
            strings("excluded_groups", "Group object ids."),
            strings("included_roles", "Directory role template ids."),
            strings("excluded_roles", "Directory role template ids."),
        ],
        vec![
            guests("included_guests_or_external_users", "Guest and external user types to include."),
            guests("excluded_guests_or_external_users", "Guest and external user types to exclude."),
        ],
        "Which users the policy applies to.",
    );
    let client_applications = single(
        "client_applications",
        false,
        vec![
            strings(
                "included_service_principals",
                "Service principal object ids, or `ServicePrincipalsInMyTenant`.",
            ),
            strings(
                "excluded_service_principals",
                "Service principal object ids.",
            ),
            strings(
                "included_agent_id_service_principals",
                "Agent identity object ids, or `All` (beta).",
            ),
            strings(
                "excluded_agent_id_service_principals",
                "Agent identity object ids (beta).",
            ),
        ],
        vec![
            filter("Filter on custom security attributes of service principals."),
            named_filter(
                "agent_id_service_principal_filter",
                "Filter on custom security attributes of agent identities (beta).",
            ),
        ],
        "Workload identities (service principals) and agent identities the policy applies to.",
    );
    let locations = single(
        "locations",
        false,
        vec![
            Attribute::new(
                "included_locations",
                Type::set(Type::String),
                Mode::Required,
                "Named location ids, or `All`, `AllTrusted`.",
            ),
            strings("excluded_locations", "Named location ids, or `AllTrusted`."),
        ],
        vec![],
        "Network locations.",
    );
    let platforms = single(
        "platforms",
        false,
        vec![
            Attribute::new(
                "included_platforms",
                Type::set(Type::String),
                Mode::Required,
                "`all`, `android`, `iOS`, `windows`, `windowsPhone`, `macOS`, `linux`.",
            ),
            strings("excluded_platforms", "Platforms to exclude."),
        ],
        vec![],
        "Device platforms.",
    );
    let devices = single(
        "devices",
        false,
        vec![],
        vec![filter("Filter on device properties.")],
        "Devices.",
    );
    single(
        "conditions",
        true,
        vec![
            Attribute::new("client_app_types", Type::set(Type::String), Mode::Required, "`all`, `browser`, `mobileAppsAndDesktopClients`, `exchangeActiveSync`, `easSupported`, `other`; empty (`[]`) only in a policy for agent identities or agent users."),
            strings("user_risk_levels", "`low`, `medium`, `high`, `hidden`, `none`."),
            strings("sign_in_risk_levels", "`low`, `medium`, `high`, `hidden`, `none`."),
            strings("service_principal_risk_levels", "`low`, `medium`, `high`, `none`."),
            string("insider_risk_levels", Mode::Optional, "`minor`, `moderate`, `elevated`, comma-separated as in Graph (order does not matter)."),
            strings("authentication_flow_transfer_methods", "`deviceCodeFlow`, `authenticationTransfer`."),
            strings("agent_id_risk_levels", "Agent identity risk: `low`, `medium`, `high` (beta)."),
        ],
        vec![applications, users, client_applications, devices, locations, platforms],
        "The conditions under which the policy applies.",
    )
}

fn grant_controls() -> NestedBlock {
    single(
        "grant_controls",
        false,
        vec![
            string("operator", Mode::Required, "`AND` or `OR`."),
            strings("built_in_controls", "`block`, `mfa`, `compliantDevice`, `domainJoinedDevice`, `approvedApplication`, `compliantApplication`, `passwordChange`, `riskRemediation` (with an authentication strength and `AND`, not with `passwordChange`)."),
            string("authentication_strength_policy_id", Mode::Optional, "Authentication strength id, as a GUID or azuread's `/policies/authenticationStrengthPolicies/{id}`."),
            strings("terms_of_use", "Terms of use agreement ids."),
            strings("custom_authentication_factors", "Custom authentication factors."),
        ],
        vec![],
        "What a user must satisfy to get access.",
    )
}

fn session_controls() -> NestedBlock {
    single(
        "session_controls",
        false,
        vec![
            boolean("application_enforced_restrictions_enabled", "Use app enforced restrictions (Exchange Online, SharePoint Online)."),
            string("cloud_app_security_policy", Mode::Optional, "Conditional Access App Control: `mcasConfigured`, `monitorOnly` or `blockDownloads`."),
            boolean("disable_resilience_defaults", "Disable resilience defaults."),
            string("persistent_browser_mode", Mode::Optional, "`always` or `never`."),
            Attribute::new("sign_in_frequency", Type::Number, Mode::Optional, "Sign-in frequency value, with `sign_in_frequency_period`."),
            string("sign_in_frequency_period", Mode::Optional, "`hours` (1-23) or `days` (1-365)."),
            string("sign_in_frequency_authentication_type", Mode::Optional, "`primaryAndSecondaryAuthentication` (Graph's default) or `secondaryAuthentication`."),
            string("sign_in_frequency_interval", Mode::Optional, "`timeBased` (Graph's default) or `everyTime`: sign in every time, without `sign_in_frequency`."),
            string("continuous_access_evaluation_mode", Mode::Optional, "Continuous access evaluation: `strictEnforcement`, `disabled` or `strictLocation` (beta)."),
            boolean("secure_sign_in_session_enabled", "Token protection: require token-bound sessions."),
            string("global_secure_access_filtering_profile_id", Mode::Optional, "Global Secure Access web filtering profile to enforce (beta)."),
        ],
        vec![],
        "Session restrictions.",
    )
}

/// azuread's attributes and blocks, plus what this provider adds (the endpoint used, newer
/// conditions and controls).
pub fn schema() -> Schema {
    Schema {
        version: 0,
        block: Block {
            attributes: vec![
                string("id", Mode::Computed, "The policy's object id."),
                string(
                    "object_id",
                    Mode::Computed,
                    "The policy's object id (as in azuread).",
                ),
                string(
                    "display_name",
                    Mode::Required,
                    "Name, e.g. `CA001-Global-BaseProtection-AllApps-AnyPlatform-MFA`.",
                ),
                string("description", Mode::Optional, "Description."),
                string(
                    "state",
                    Mode::Required,
                    "`enabled`, `disabled` or `enabledForReportingButNotEnforced` (report-only).",
                ),
                string(
                    "template_id",
                    Mode::Computed,
                    "The Microsoft template the policy was created from, if any.",
                ),
                string(
                    "created_date_time",
                    Mode::Computed,
                    "When the policy was created.",
                ),
                // Graph sets it on create and moves it with every change.
                string(
                    "modified_date_time",
                    Mode::Computed,
                    "When the policy was last changed.",
                )
                .unknown_on_change(),
                string(
                    "graph_api_version",
                    Mode::Computed,
                    "`v1.0` or `beta`: the Graph endpoint this policy is written through.",
                ),
                string(
                    "graph_api_version_reason",
                    Mode::Computed,
                    "Why the policy needs that endpoint.",
                ),
            ],
            block_types: vec![
                conditions(),
                grant_controls(),
                session_controls(),
                crate::plugin::timeouts::block(),
            ],
            description: "A Conditional Access policy.".into(),
        },
    }
}
