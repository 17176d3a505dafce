//! Authentication strength policies as CA policies see them: `grantControls.authenticationStrength`
//! references one by id and GET returns it expanded inline (graph-api.md §2.5, §5).
//!
//! The three built-ins are fixed here; custom ones live in the store (graph::auth_strengths).
//! [`lookup`] is the single place a CA policy resolves a strength id, built-in or custom.

use crate::store::Store;
use serde_json::{json, Value};

pub(crate) const MFA: &str = "00000000-0000-0000-0000-000000000002";
pub(crate) const PASSWORDLESS_MFA: &str = "00000000-0000-0000-0000-000000000003";
pub(crate) const PHISHING_RESISTANT_MFA: &str = "00000000-0000-0000-0000-000000000004";

/// Real tenants (2025-26) show 08:00; the docs' 00:00 is older (graph-api.md §12).
const BUILT_IN_TIME: &str = "2021-12-01T08:00:00Z";

/// A built-in strength as real tenants return it (names, descriptions and the 17/4/3
/// combinations from real exports, see corpus/auth-strengths).
pub(crate) fn built_in(id: &str) -> Option<Value> {
    let (name, description, combos): (&str, &str, &[&str]) = match id {
        MFA => (
            "Multifactor authentication",
            "Combinations of methods that satisfy strong authentication, such as a password + SMS",
            &[
                "windowsHelloForBusiness",
                "fido2",
                "x509CertificateMultiFactor",
                "deviceBasedPush",
                "temporaryAccessPassOneTime",
                "temporaryAccessPassMultiUse",
                "password,microsoftAuthenticatorPush",
                "password,softwareOath",
                "password,hardwareOath",
                "password,sms",
                "password,voice",
                "federatedMultiFactor",
                "microsoftAuthenticatorPush,federatedSingleFactor",
                "softwareOath,federatedSingleFactor",
                "hardwareOath,federatedSingleFactor",
                "sms,federatedSingleFactor",
                "voice,federatedSingleFactor",
            ],
        ),
        PASSWORDLESS_MFA => (
            "Passwordless MFA",
            "Passwordless methods that satisfy strong authentication, such as Passwordless sign-in with the Microsoft Authenticator",
            &[
                "windowsHelloForBusiness",
                "fido2",
                "x509CertificateMultiFactor",
                "deviceBasedPush",
            ],
        ),
        PHISHING_RESISTANT_MFA => (
            "Phishing-resistant MFA",
            "Phishing-resistant, Passwordless methods for the strongest authentication, such as a FIDO2 security key",
            &["windowsHelloForBusiness", "fido2", "x509CertificateMultiFactor"],
        ),
        _ => return None,
    };
    Some(json!({
        "id": id,
        "createdDateTime": BUILT_IN_TIME,
        "modifiedDateTime": BUILT_IN_TIME,
        "displayName": name,
        "description": description,
        "policyType": "builtIn",
        "requirementsSatisfied": "mfa",
        "allowedCombinations": combos,
        "combinationConfigurations": [],
    }))
}

/// The strength policy with this id, as Graph would return it, if it exists in the tenant.
/// Ids compare case-insensitively (GUIDs).
pub(crate) fn lookup(store: &Store, id: &str) -> Option<Value> {
    built_in(&id.to_ascii_lowercase()).or_else(|| crate::graph::auth_strengths::custom(store, id))
}
