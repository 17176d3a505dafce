//! A stored policy as GET returns it (graph-api.md §2.2-2.6, §11.1).
//!
//! * v1.0 returns exactly the v1.0 members (Microsoft's metadata: `templateId` is v1.0-only,
//!   `deletedDateTime` is on both versions), defaults filled: risk arrays `[]`;
//!   platforms/locations/devices/clientApplications `null` when unset;
//!   servicePrincipalRiskLevels/insiderRiskLevels/authenticationFlows absent when unset;
//!   applications with its 5 keys, users with its 8; grant arrays `[]`; grant/session `null`
//!   when unset, sessionControls with every key when set; description omitted when null;
//!   authenticationStrength expanded inline with its `@odata.context`.
//! * beta returns the same without `templateId`, plus the beta members real beta exports carry
//!   (null when unset; the property-less `globalSecureAccess` and `networkAccess` are `{}` when
//!   set; see `schema::SEEN_IN_BETA_EXPORTS` for those the metadata lacks), and any other
//!   stored member.
//! * A policy seeded from a real beta export (`verbatim`) reads back on beta exactly as the
//!   export was (that is what beta returned), with the strength expanded and annotations
//!   re-added; v1.0 renders it like any other policy.

use super::schema::{is_annotation, with_external_tenants_type};
use super::strengths;
use crate::store::{Store, Stored};
use serde_json::{json, Map, Value};

pub(crate) struct RenderCtx<'a> {
    pub(crate) beta: bool,
    pub(crate) store: &'a Store,
    /// `https://host/v1.0`
    pub(crate) base_url: String,
    /// `identity/conditionalAccess/policies` or the `policies/conditionalAccessPolicies` alias.
    pub(crate) entity_set: &'a str,
    /// The client sent `Prefer: include-unknown-enum-members`; without it, members declared
    /// after `unknownFutureValue` read as `unknownFutureValue`.
    pub(crate) unknown_members: bool,
}

pub(crate) fn render(id: &str, stored: &Stored, rc: &RenderCtx) -> Map<String, Value> {
    let mut out = render_all_members(id, stored, rc);
    if !rc.unknown_members {
        super::schema::mask_evolvable(&mut out, super::schema::POLICY);
        // The expanded strength is read like the strength itself.
        if let Some(Value::Array(combos)) = out
            .get_mut("grantControls")
            .and_then(|g| g.pointer_mut("/authenticationStrength/allowedCombinations"))
        {
            crate::graph::auth_strengths::mask_combinations(combos);
        }
    }
    out
}

fn render_all_members(id: &str, stored: &Stored, rc: &RenderCtx) -> Map<String, Value> {
    if stored.verbatim && rc.beta {
        return render_verbatim(id, &stored.value, rc);
    }
    let s = &stored.value;
    let mut out = Map::new();
    out.insert("id".into(), json!(id));
    if !rc.beta {
        out.insert("templateId".into(), get_or_null(s, "templateId"));
    }
    out.insert("displayName".into(), get_or_null(s, "displayName"));
    if let Some(d) = s.get("description").filter(|d| !d.is_null()) {
        out.insert("description".into(), d.clone());
    }
    out.insert("createdDateTime".into(), get_or_null(s, "createdDateTime"));
    out.insert(
        "modifiedDateTime".into(),
        get_or_null(s, "modifiedDateTime"),
    );
    out.insert("state".into(), get_or_null(s, "state"));
    out.insert("deletedDateTime".into(), get_or_null(s, "deletedDateTime"));
    if rc.beta {
        out.insert(
            "partialEnablementStrategy".into(),
            get_or_null(s, "partialEnablementStrategy"),
        );
    }
    out.insert(
        "sessionControls".into(),
        object_or_null(s.get("sessionControls"), |m| session_controls(m, rc.beta)),
    );
    out.insert(
        "conditions".into(),
        conditions(s.get("conditions").and_then(Value::as_object), rc.beta),
    );
    out.insert(
        "grantControls".into(),
        object_or_null(s.get("grantControls"), |m| grant_controls(id, m, rc, false)),
    );
    if rc.beta {
        extra(&mut out, s);
        // Beta's type has no templateId; a policy seeded from an export may store one.
        out.remove("templateId");
    }
    out
}

fn render_verbatim(id: &str, s: &Map<String, Value>, rc: &RenderCtx) -> Map<String, Value> {
    let mut out = Map::new();
    out.insert("id".into(), json!(id));
    for (k, v) in s {
        if k == "id" {
            continue;
        }
        let v = match (k.as_str(), v) {
            ("grantControls", Value::Object(g)) => Value::Object(verbatim_grant(id, g, rc)),
            _ => v.clone(),
        };
        out.insert(k.clone(), v);
    }
    out
}

fn verbatim_grant(id: &str, g: &Map<String, Value>, rc: &RenderCtx) -> Map<String, Value> {
    let mut out = Map::new();
    for (k, v) in g {
        if k == "authenticationStrength" {
            insert_strength(&mut out, id, v, rc, true);
        } else {
            out.insert(k.clone(), v.clone());
        }
    }
    out
}

fn get_or_null(m: &Map<String, Value>, k: &str) -> Value {
    m.get(k).cloned().unwrap_or(Value::Null)
}

fn get_or(m: &Map<String, Value>, k: &str, default: Value) -> Value {
    match m.get(k) {
        None | Some(Value::Null) => default,
        Some(v) => v.clone(),
    }
}

fn object_or_null(v: Option<&Value>, f: impl FnOnce(&Map<String, Value>) -> Value) -> Value {
    match v {
        Some(Value::Object(m)) => f(m),
        _ => Value::Null,
    }
}

/// Beta: keep stored members the renderer did not place.
fn extra(out: &mut Map<String, Value>, stored: &Map<String, Value>) {
    for (k, v) in stored {
        if k != "id" && !is_annotation(k) && !out.contains_key(k) {
            out.insert(k.clone(), v.clone());
        }
    }
}

/// Object with the listed keys (stored value, or the default when absent/null), then on beta
/// the other stored members.
fn fill(m: &Map<String, Value>, keys: &[(&str, Value)], beta: bool) -> Value {
    let mut out = Map::new();
    for (k, default) in keys {
        out.insert((*k).into(), get_or(m, k, default.clone()));
    }
    if beta {
        extra(&mut out, m);
    }
    Value::Object(out)
}

fn list(m: &Map<String, Value>, k: &str) -> Value {
    get_or(m, k, json!([]))
}

fn filled_object(m: &Map<String, Value>, k: &str, keys: &[(&str, Value)], beta: bool) -> Value {
    object_or_null(m.get(k), |o| fill(o, keys, beta))
}

fn conditions(c: Option<&Map<String, Value>>, beta: bool) -> Value {
    let empty = Map::new();
    let c = c.unwrap_or(&empty);
    let mut out = Map::new();
    out.insert("userRiskLevels".into(), list(c, "userRiskLevels"));
    out.insert("signInRiskLevels".into(), list(c, "signInRiskLevels"));
    out.insert("clientAppTypes".into(), list(c, "clientAppTypes"));
    // Absent (not null, not []) when unset, as in every real export.
    if let Some(v) = c
        .get("servicePrincipalRiskLevels")
        .filter(|v| v.as_array().is_some_and(|a| !a.is_empty()))
    {
        out.insert("servicePrincipalRiskLevels".into(), v.clone());
    }
    if let Some(v) = c.get("insiderRiskLevels").filter(|v| v.is_string()) {
        out.insert("insiderRiskLevels".into(), v.clone());
    }
    let pair = |a: &'static str, b: &'static str| [(a, json!([])), (b, json!([]))];
    out.insert(
        "platforms".into(),
        filled_object(
            c,
            "platforms",
            &pair("includePlatforms", "excludePlatforms"),
            beta,
        ),
    );
    out.insert(
        "locations".into(),
        filled_object(
            c,
            "locations",
            &pair("includeLocations", "excludeLocations"),
            beta,
        ),
    );
    if beta {
        out.insert("times".into(), get_or_null(c, "times"));
        out.insert(
            "deviceStates".into(),
            filled_object(
                c,
                "deviceStates",
                &pair("includeStates", "excludeStates"),
                beta,
            ),
        );
    }
    let mut device_keys = vec![("deviceFilter", Value::Null)];
    if beta {
        device_keys.splice(
            0..0,
            [
                ("includeDeviceStates", json!([])),
                ("excludeDeviceStates", json!([])),
                ("includeDevices", json!([])),
                ("excludeDevices", json!([])),
            ],
        );
    }
    out.insert(
        "devices".into(),
        filled_object(c, "devices", &device_keys, beta),
    );
    out.insert(
        "clientApplications".into(),
        filled_object(
            c,
            "clientApplications",
            &[
                ("includeServicePrincipals", json!([])),
                ("excludeServicePrincipals", json!([])),
                ("servicePrincipalFilter", Value::Null),
            ],
            beta,
        ),
    );
    if beta {
        out.insert("agents".into(), get_or_null(c, "agents"));
    }
    let empty_apps = Map::new();
    let apps = c
        .get("applications")
        .and_then(Value::as_object)
        .unwrap_or(&empty_apps);
    let mut app_keys = vec![
        ("includeApplications", json!([])),
        ("excludeApplications", json!([])),
        ("includeUserActions", json!([])),
        ("includeAuthenticationContextClassReferences", json!([])),
        ("applicationFilter", Value::Null),
    ];
    if beta {
        // In this order in Graph's beta samples (graphdocs-beta-evaluate-* in the corpus).
        app_keys.extend([
            ("networkAccess", Value::Null),
            ("globalSecureAccess", Value::Null),
        ]);
    }
    out.insert("applications".into(), fill(apps, &app_keys, beta));
    let empty_users = Map::new();
    let users = c
        .get("users")
        .and_then(Value::as_object)
        .unwrap_or(&empty_users);
    out.insert("users".into(), render_users(users, beta));
    if let Some(Value::Object(af)) = c.get("authenticationFlows") {
        out.insert(
            "authenticationFlows".into(),
            fill(af, &[("transferMethods", Value::Null)], beta),
        );
    }
    if beta {
        extra(&mut out, c);
    }
    Value::Object(out)
}

fn render_users(u: &Map<String, Value>, beta: bool) -> Value {
    let mut out = Map::new();
    for k in [
        "includeUsers",
        "excludeUsers",
        "includeGroups",
        "excludeGroups",
        "includeRoles",
        "excludeRoles",
    ] {
        out.insert(k.into(), list(u, k));
    }
    for k in [
        "includeGuestsOrExternalUsers",
        "excludeGuestsOrExternalUsers",
    ] {
        let g = object_or_null(u.get(k), |g| {
            let mut o = Map::new();
            o.insert(
                "guestOrExternalUserTypes".into(),
                get_or_null(g, "guestOrExternalUserTypes"),
            );
            o.insert(
                "externalTenants".into(),
                object_or_null(g.get("externalTenants"), |t| {
                    Value::Object(with_external_tenants_type(t.clone()))
                }),
            );
            if beta {
                extra(&mut o, g);
            }
            Value::Object(o)
        });
        out.insert(k.into(), g);
    }
    if beta {
        extra(&mut out, u);
    }
    Value::Object(out)
}

fn grant_controls(id: &str, g: &Map<String, Value>, rc: &RenderCtx, verbatim: bool) -> Value {
    let mut out = Map::new();
    out.insert("operator".into(), get_or_null(g, "operator"));
    for k in [
        "builtInControls",
        "customAuthenticationFactors",
        "termsOfUse",
    ] {
        out.insert(k.into(), list(g, k));
    }
    insert_strength(
        &mut out,
        id,
        g.get("authenticationStrength").unwrap_or(&Value::Null),
        rc,
        verbatim,
    );
    if rc.beta {
        extra(&mut out, g);
    }
    Value::Object(out)
}

/// `authenticationStrength@odata.context` + the expanded strength, or `null`.
fn insert_strength(
    out: &mut Map<String, Value>,
    policy_id: &str,
    stored: &Value,
    rc: &RenderCtx,
    verbatim: bool,
) {
    let Value::Object(s) = stored else {
        out.insert("authenticationStrength".into(), Value::Null);
        return;
    };
    let sid = s.get("id").and_then(Value::as_str).unwrap_or("");
    // A seeded export carries the strength as the tenant had it then; keep that snapshot.
    let snapshot = verbatim && s.keys().any(|k| k != "id");
    let mut expanded = match (snapshot, strengths::lookup(rc.store, sid)) {
        (false, Some(Value::Object(found))) => found,
        _ => s.clone(),
    };
    let nav = format!(
        "{}/$metadata#{}('{}')/grantControls/authenticationStrength",
        rc.base_url, rc.entity_set, policy_id
    );
    if expanded.contains_key("combinationConfigurations") {
        expanded.insert(
            "combinationConfigurations@odata.context".into(),
            json!(format!("{nav}/combinationConfigurations")),
        );
    }
    out.insert(
        "authenticationStrength@odata.context".into(),
        json!(format!("{nav}/$entity")),
    );
    out.insert("authenticationStrength".into(), Value::Object(expanded));
}

fn session_controls(sc: &Map<String, Value>, beta: bool) -> Value {
    let mut out = Map::new();
    out.insert(
        "disableResilienceDefaults".into(),
        get_or_null(sc, "disableResilienceDefaults"),
    );
    out.insert(
        "applicationEnforcedRestrictions".into(),
        filled_object(
            sc,
            "applicationEnforcedRestrictions",
            &[("isEnabled", json!(false))],
            beta,
        ),
    );
    out.insert(
        "cloudAppSecurity".into(),
        filled_object(
            sc,
            "cloudAppSecurity",
            &[
                ("cloudAppSecurityType", Value::Null),
                ("isEnabled", json!(false)),
            ],
            beta,
        ),
    );
    out.insert(
        "persistentBrowser".into(),
        filled_object(
            sc,
            "persistentBrowser",
            &[("mode", Value::Null), ("isEnabled", json!(false))],
            beta,
        ),
    );
    out.insert(
        "signInFrequency".into(),
        filled_object(
            sc,
            "signInFrequency",
            &[
                ("value", Value::Null),
                ("type", Value::Null),
                (
                    "authenticationType",
                    json!("primaryAndSecondaryAuthentication"),
                ),
                ("frequencyInterval", json!("timeBased")),
                ("isEnabled", json!(false)),
            ],
            beta,
        ),
    );
    // Token protection is in v1.0 too since mid-2025 (graph-metadata).
    out.insert(
        "secureSignInSession".into(),
        filled_object(
            sc,
            "secureSignInSession",
            &[("isEnabled", json!(false))],
            beta,
        ),
    );
    if beta {
        out.insert(
            "continuousAccessEvaluation".into(),
            get_or_null(sc, "continuousAccessEvaluation"),
        );
        extra(&mut out, sc);
    }
    Value::Object(out)
}
