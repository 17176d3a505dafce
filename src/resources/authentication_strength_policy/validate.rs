//! Plan-time checks: known methods, multifactor combinations, and configurations that fit them.

use super::state::StrengthState;
use super::{FIDO2, X509};
use crate::graph::ids::is_guid;
use crate::plugin::diag::{AttrPath, Diagnostics};
use crate::plugin::value::Value;

/// v1.0 `authenticationMethodModes`, in declaration order (the order Graph writes them in);
/// `qrCodePin` comes after `unknownFutureValue` (the provider sends the Prefer header for it).
pub(crate) const MODES: &[&str] = &[
    "password",
    "voice",
    "hardwareOath",
    "softwareOath",
    "sms",
    "fido2",
    "windowsHelloForBusiness",
    "microsoftAuthenticatorPush",
    "deviceBasedPush",
    "temporaryAccessPassOneTime",
    "temporaryAccessPassMultiUse",
    "email",
    "x509CertificateSingleFactor",
    "x509CertificateMultiFactor",
    "federatedSingleFactor",
    "federatedMultiFactor",
    "qrCodePin",
];
/// Modes a combination may hold alone: those that are multifactor on their own, and the
/// single factors Microsoft's authentication strength documentation lists as combinations
/// of their own (a custom strength may accept them, e.g. for a low-risk application).
const ALONE: &[&str] = &[
    "fido2",
    "windowsHelloForBusiness",
    "deviceBasedPush",
    "temporaryAccessPassOneTime",
    "temporaryAccessPassMultiUse",
    "x509CertificateMultiFactor",
    "federatedMultiFactor",
    "password",
    "sms",
    "federatedSingleFactor",
    "x509CertificateSingleFactor",
    "qrCodePin",
];
const X509_MODES: &[&str] = &["x509CertificateSingleFactor", "x509CertificateMultiFactor"];

fn members(combination: &str) -> Vec<&str> {
    combination.split(',').map(str::trim).collect()
}

/// Graph's form of a combination: members without spaces, in declaration order, so that
/// `"sms, password"` and `"password,sms"` compare equal.
pub fn normalize_combination(combination: &str) -> String {
    let mut m = members(combination);
    m.sort_by_key(|x| MODES.iter().position(|k| k == x).unwrap_or(MODES.len()));
    m.join(",")
}

/// A combination of known methods, each once; else what is wrong with it, for the diagnostic.
pub(crate) fn check_combination(combination: &str) -> Result<(), String> {
    let m = members(combination);
    if m.iter().any(|x| x.is_empty()) {
        return Err(format!(
            "{combination:?} has an empty method: write methods separated by commas, e.g. \"password,sms\"."
        ));
    }
    for x in &m {
        if !MODES.contains(x) {
            let hint = MODES
                .iter()
                .find(|k| k.eq_ignore_ascii_case(x))
                .map(|k| format!(" (did you mean {k:?}?)"))
                .unwrap_or_default();
            return Err(format!(
                "{combination:?}: {x:?} is not an authentication method{hint}. Known methods: {}.",
                MODES.join(", ")
            ));
        }
    }
    if (1..m.len()).any(|i| m[..i].contains(&m[i])) {
        return Err(format!("{combination:?} names a method twice."));
    }
    if m.len() == 1 && !ALONE.contains(&m[0]) {
        return Err(format!(
            "{combination:?} is no sign-in of its own: pair it with a first factor (e.g. \"password,{}\") or use a method that stands alone ({}).",
            m[0],
            ALONE.join(", ")
        ));
    }
    Ok(())
}

fn is_hex(s: &str) -> bool {
    !s.is_empty() && s.len().is_multiple_of(2) && s.chars().all(|c| c.is_ascii_hexdigit())
}

fn is_oid(s: &str) -> bool {
    let arcs: Vec<&str> = s.split('.').collect();
    arcs.len() >= 2
        && arcs
            .iter()
            .all(|a| !a.is_empty() && a.chars().all(|c| c.is_ascii_digit()))
}

/// Offline checks of a configuration, each with its attribute: a name, combinations Graph knows
/// (once each), well-formed configuration blocks.
pub fn validate(config: &Value) -> Diagnostics {
    let state = StrengthState::of(config);
    let mut d = Diagnostics::default();
    if state
        .display_name
        .as_deref()
        .is_some_and(|n| n.trim().is_empty())
    {
        d.push_attr_error(
            AttrPath::root("display_name"),
            "Empty display name",
            "Give the authentication strength a name administrators will recognise.",
        );
    }
    // A set that must not be empty (these combinations, the AAGUIDs, the certificate issuers
    // and policies) is read as a value: one unknown until apply is not an empty one, where the
    // typed state reads both as `None`.
    let combos = config.get("allowed_combinations");
    let known = combos.is_wholly_known();
    if known && combos.elements().is_empty() {
        d.push_attr_error(
            AttrPath::root("allowed_combinations"),
            "No allowed combinations",
            "An authentication strength needs at least one method combination.",
        );
    }
    let mut seen: Vec<String> = Vec::new();
    for c in combos.strs() {
        if let Err(e) = check_combination(c) {
            d.push_attr_error(
                AttrPath::root("allowed_combinations"),
                "Invalid method combination",
                e,
            );
        } else if seen.contains(&normalize_combination(c)) {
            d.push_attr_error(
                AttrPath::root("allowed_combinations"),
                "Duplicate method combination",
                format!("{c:?} is listed twice (in another spelling)."),
            );
        } else {
            seen.push(normalize_combination(c));
        }
    }
    // Whether some allowed combination uses `mode`; only decidable when all are known.
    let offers = |mode: &str| !known || seen.iter().any(|c| members(c).contains(&mode));
    let fido2 = config.block(FIDO2);
    if !fido2.is_null() {
        let path = AttrPath::root(FIDO2).index(0).attr("allowed_aaguids");
        let aaguids = fido2.get("allowed_aaguids");
        if aaguids.is_wholly_known() && aaguids.elements().is_empty() {
            d.push_attr_error(path.clone(), "No AAGUIDs", "List at least one security key AAGUID, or remove the block to allow every FIDO2 key.");
        }
        for a in aaguids.strs().into_iter().filter(|a| !is_guid(a)) {
            d.push_attr_error(
                path.clone(),
                "Invalid AAGUID",
                format!("{a:?} is not an AAGUID (a GUID)."),
            );
        }
        if !offers("fido2") {
            d.push_attr_error(AttrPath::root(FIDO2), "FIDO2 is not an allowed combination", "A FIDO2 configuration applies to the \"fido2\" combination: add it to allowed_combinations or remove this block.");
        }
    }
    if let Some(x509) = &state.x509_certificate_combination_configuration {
        let applies = AttrPath::root(X509)
            .index(0)
            .attr("applies_to_combinations");
        for m in x509.applies_to_combinations.iter().flatten() {
            let m = m.as_str();
            if !X509_MODES.contains(&m) {
                d.push_attr_error(
                    applies.clone(),
                    "Not a certificate method",
                    format!("{m:?}: use {}.", X509_MODES.join(" or ")),
                );
            } else if !offers(m) {
                d.push_attr_error(
                    applies.clone(),
                    "Certificate method not allowed",
                    format!(
                        "No allowed combination uses {m}: add one (e.g. \"{}\") or remove it here.",
                        if m == "x509CertificateMultiFactor" {
                            m.to_string()
                        } else {
                            format!("{m},sms")
                        }
                    ),
                );
            }
        }
        let values = config.block(X509);
        let (skis, oids) = (
            values.get("allowed_issuer_skis"),
            values.get("allowed_policy_oids"),
        );
        if skis.is_wholly_known()
            && oids.is_wholly_known()
            && skis.elements().is_empty()
            && oids.elements().is_empty()
        {
            d.push_attr_error(
                AttrPath::root(X509).index(0),
                "Nothing restricted",
                "Set allowed_issuer_skis, allowed_policy_oids or both, or remove the block.",
            );
        }
        for s in skis.strs().into_iter().filter(|s| !is_hex(s)) {
            d.push_attr_error(AttrPath::root(X509).index(0).attr("allowed_issuer_skis"), "Invalid subject key identifier", format!("{s:?} is not a hexadecimal key identifier, e.g. \"9A4248C6AC8C2931AB2A86537818E92E7B6C97B6\"."));
        }
        for o in oids.strs().into_iter().filter(|o| !is_oid(o)) {
            d.push_attr_error(
                AttrPath::root(X509).index(0).attr("allowed_policy_oids"),
                "Invalid OID",
                format!("{o:?} is not an object identifier in dotted form, e.g. \"1.2.3.4\"."),
            );
        }
    }
    d
}
