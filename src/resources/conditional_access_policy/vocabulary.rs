//! Graph's enumerations and keywords for Conditional Access (graph-api.md sections 2.2-2.6, 8).
//! Flags enums are listed in declaration order, the order Graph writes them in.

/// conditionalAccessPolicyState: a policy's `state`.
pub const STATES: &[&str] = &["enabled", "disabled", "enabledForReportingButNotEnforced"];
/// conditionalAccessClientApp: the `client_app_types` condition.
pub const CLIENT_APP_TYPES: &[&str] = &[
    "all",
    "browser",
    "mobileAppsAndDesktopClients",
    "exchangeActiveSync",
    "easSupported",
    "other",
];
/// conditionalAccessDevicePlatform: the platforms condition, include and exclude.
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
/// conditionalAccessInsiderRiskLevels, a flags enum.
pub const INSIDER_RISK_LEVELS: &[&str] = &["minor", "moderate", "elevated"];
/// conditionalAccessGuestOrExternalUserTypes, a flags enum: which guests and external users a
/// policy covers.
pub const GUEST_TYPES: &[&str] = &[
    "none",
    "internalGuest",
    "b2bCollaborationGuest",
    "b2bCollaborationMember",
    "b2bDirectConnectUser",
    "otherExternalUser",
    "serviceProvider",
];
/// conditionalAccessExternalTenantsMembershipKind: every external tenant, or those listed.
pub const MEMBERSHIP_KINDS: &[&str] = &["all", "enumerated"];
/// filterMode: whether a device or application filter picks what it matches or leaves it out.
pub const FILTER_MODES: &[&str] = &["include", "exclude"];
/// conditionalAccessTransferMethods, a flags enum: the authentication flows condition.
pub const TRANSFER_METHODS: &[&str] = &["none", "deviceCodeFlow", "authenticationTransfer"];
/// How a policy's grant controls combine: all of them, or one.
pub const OPERATORS: &[&str] = &["AND", "OR"];
/// conditionalAccessGrantControl: the grant controls Microsoft defines.
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
/// cloudAppSecuritySessionControlType: what Defender for Cloud Apps does with the session.
pub const CLOUD_APP_SECURITY: &[&str] = &["mcasConfigured", "monitorOnly", "blockDownloads"];
/// persistentBrowserSessionMode: whether the browser session outlives the browser.
pub const PERSISTENT_BROWSER: &[&str] = &["always", "never"];
/// signinFrequencyType: the unit of a time-based sign-in frequency.
pub const SIF_PERIODS: &[&str] = &["hours", "days"];
/// signInFrequencyAuthenticationType: what the sign-in frequency asks for again.
pub const SIF_AUTH_TYPES: &[&str] = &[
    "primaryAndSecondaryAuthentication",
    "secondaryAuthentication",
];
/// signInFrequencyInterval: after a period, or at every sign-in.
pub const SIF_INTERVALS: &[&str] = &["timeBased", "everyTime"];
/// continuousAccessEvaluationMode (beta only).
pub const CAE_MODES: &[&str] = &["strictEnforcement", "disabled", "strictLocation"];
/// The user actions a policy can target instead of applications.
pub const USER_ACTIONS: &[&str] = &["urn:user:registersecurityinfo", "urn:user:registerdevice"];

/// `AllAgentId*` target agent identities (beta; real tenants already export them).
pub const USER_KEYWORDS: &[&str] = &["All", "None", "GuestsOrExternalUsers", "AllAgentIdUsers"];
/// What the applications condition accepts besides app ids; `AllAgentIdResources` is beta's.
pub const APPLICATION_KEYWORDS: &[&str] = &[
    "All",
    "None",
    "Office365",
    "MicrosoftAdminPortals",
    "AllAgentIdResources",
];
/// What the locations condition accepts besides named location ids.
pub const LOCATION_KEYWORDS: &[&str] = &["All", "AllTrusted"];
/// What the client applications condition accepts besides service principal ids.
pub const SERVICE_PRINCIPAL_KEYWORDS: &[&str] = &["ServicePrincipalsInMyTenant"];

/// The Microsoft Intune Enrollment app: v1.0 allows sign-in every time for it.
pub const INTUNE_ENROLLMENT_APP: &str = "d4ebce55-015a-49b5-a083-c84d1797ae8c";
/// How azuread writes an authentication strength id: this, then the GUID. Either form is accepted.
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
