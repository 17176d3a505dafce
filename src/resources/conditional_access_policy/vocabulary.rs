//! Graph's enumerations and keywords for Conditional Access (graph-api.md sections 2.2-2.6, 8).
//! Flags enums are listed in declaration order, the order Graph writes them in.

pub const STATES: &[&str] = &["enabled", "disabled", "enabledForReportingButNotEnforced"];
pub const CLIENT_APP_TYPES: &[&str] = &[
    "all",
    "browser",
    "mobileAppsAndDesktopClients",
    "exchangeActiveSync",
    "easSupported",
    "other",
];
pub const PLATFORMS: &[&str] = &[
    "android",
    "iOS",
    "windows",
    "windowsPhone",
    "macOS",
    "linux",
    "all",
];
/// Graph's riskLevel: user, sign-in and service principal risk alike (graph-metadata).
pub const RISK_LEVELS: &[&str] = &["low", "medium", "high", "hidden", "none"];
/// conditionalAccessAgentIdRiskLevels, a flags enum (beta).
pub const AGENT_RISK_LEVELS: &[&str] = &["low", "medium", "high"];
pub const INSIDER_RISK_LEVELS: &[&str] = &["minor", "moderate", "elevated"];
pub const GUEST_TYPES: &[&str] = &[
    "none",
    "internalGuest",
    "b2bCollaborationGuest",
    "b2bCollaborationMember",
    "b2bDirectConnectUser",
    "otherExternalUser",
    "serviceProvider",
];
pub const MEMBERSHIP_KINDS: &[&str] = &["all", "enumerated"];
pub const FILTER_MODES: &[&str] = &["include", "exclude"];
pub const TRANSFER_METHODS: &[&str] = &["none", "deviceCodeFlow", "authenticationTransfer"];
pub const OPERATORS: &[&str] = &["AND", "OR"];
pub const BUILT_IN_CONTROLS: &[&str] = &[
    "block",
    "mfa",
    "compliantDevice",
    "domainJoinedDevice",
    "approvedApplication",
    "compliantApplication",
    "passwordChange",
    // Evolvable (after unknownFutureValue): the provider sends the Prefer header Graph needs.
    "riskRemediation",
];
pub const CLOUD_APP_SECURITY: &[&str] = &["mcasConfigured", "monitorOnly", "blockDownloads"];
pub const PERSISTENT_BROWSER: &[&str] = &["always", "never"];
pub const SIF_PERIODS: &[&str] = &["hours", "days"];
pub const SIF_AUTH_TYPES: &[&str] = &[
    "primaryAndSecondaryAuthentication",
    "secondaryAuthentication",
];
pub const SIF_INTERVALS: &[&str] = &["timeBased", "everyTime"];
pub const CAE_MODES: &[&str] = &["strictEnforcement", "disabled", "strictLocation"];
pub const USER_ACTIONS: &[&str] = &["urn:user:registersecurityinfo", "urn:user:registerdevice"];

/// `AllAgentId*` target agent identities (beta; real tenants already export them).
pub const USER_KEYWORDS: &[&str] = &["All", "None", "GuestsOrExternalUsers", "AllAgentIdUsers"];
pub const APPLICATION_KEYWORDS: &[&str] = &[
    "All",
    "None",
    "Office365",
    "MicrosoftAdminPortals",
    "AllAgentIdResources",
];
pub const LOCATION_KEYWORDS: &[&str] = &["All", "AllTrusted"];
pub const SERVICE_PRINCIPAL_KEYWORDS: &[&str] = &["ServicePrincipalsInMyTenant"];

/// The Microsoft Intune Enrollment app: v1.0 allows sign-in every time for it.
pub const INTUNE_ENROLLMENT_APP: &str = "d4ebce55-015a-49b5-a083-c84d1797ae8c";
pub const AUTH_STRENGTH_PATH: &str = "/policies/authenticationStrengthPolicies/";

/// The canonical spelling of a keyword (`all` -> `All`), or the value unchanged.
pub fn canonical_keyword<'a>(value: &'a str, keywords: &[&'static str]) -> &'a str {
    keywords
        .iter()
        .find(|k| k.eq_ignore_ascii_case(value))
        .copied()
        .unwrap_or(value)
}

/// The GUID of an authentication strength given as a GUID or as azuread's path form.
pub fn strength_guid(s: &str) -> &str {
    s.strip_prefix(AUTH_STRENGTH_PATH).unwrap_or(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_and_strength_guids() {
        assert_eq!(canonical_keyword("all", LOCATION_KEYWORDS), "All");
        assert_eq!(
            canonical_keyword("alltrusted", LOCATION_KEYWORDS),
            "AllTrusted"
        );
        assert_eq!(canonical_keyword("c1", LOCATION_KEYWORDS), "c1");
        assert_eq!(
            strength_guid(
                "/policies/authenticationStrengthPolicies/00000000-0000-0000-0000-000000000004"
            ),
            "00000000-0000-0000-0000-000000000004"
        );
    }
}
