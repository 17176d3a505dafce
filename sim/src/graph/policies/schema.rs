//! The conditionalAccessPolicy type as a request body must match it (graph-api.md §2.2-2.6,
//! beta-only members from §10), and the normalisation every stored policy goes through. The
//! members and their versions are those of Microsoft's metadata
//! (`../shared/reference/graph-metadata/`, checked by `tests/metadata_properties.rs`).
//!
//! Anything that would not deserialize into the type (unknown property, wrong JSON type, bad
//! enum or flags member, a member the version's schema lacks) is Graph's `1007` schema error.
//! The check returns the body normalised: OData annotations dropped (`externalTenants` keeps
//! its derived `@odata.type`), enum members in their declared spelling, flags enums as one
//! comma-joined string in declaration order, `null` collections dropped (they read back as
//! `[]`), read-only properties dropped.

use serde_json::{Map, Value};

/// What a member's value must be; `null` is accepted for every type.
pub enum Ty {
    /// A string (`Edm.String`).
    Str,
    /// `true` or `false`.
    Bool,
    /// An integer that fits `Edm.Int32`.
    Int32,
    /// Enum members in declaration order; members after `unknownFutureValue` need
    /// `Prefer: include-unknown-enum-members`.
    Enum(&'static [&'static str]),
    /// Flags enum, serialized as one comma-joined string.
    Flags(&'static [&'static str]),
    /// An array of strings; `null` reads back as `[]`.
    StrList,
    /// An array of members of an enum (duplicates dropped); `null` reads back as `[]`.
    EnumList(&'static [&'static str]),
    /// A complex type with these members; any other member is unknown.
    Obj(&'static [Field]),
    /// conditionalAccessExternalTenants (abstract; derived type from `@odata.type` or
    /// `membershipKind`).
    ExternalTenants,
    /// Server-managed: accepted (clients echo GET bodies back) and ignored.
    ReadOnly,
    /// A member real beta answers carry that Microsoft's metadata extract lacks (see
    /// `SEEN_IN_BETA_EXPORTS`); its shape is not modelled: any JSON is kept.
    Seen,
}

/// Beta members Microsoft's metadata extract does not list (it was built without the beta CSDL
/// itself, see its README) but real beta GET answers carry: the shared corpus's tenant exports
/// (`../shared/corpus/ca-policies`, IntuneManagement exports of `GET beta/...`) hold `times` and
/// `partialEnablementStrategy` (null) in most files, `agents` and `agentContext` with values,
/// and `blockSensitiveActions` (null). Graph answering them means Graph has them, so beta
/// accepts them back; v1.0 does not. `tests/metadata_properties.rs` holds this list exact.
pub const SEEN_IN_BETA_EXPORTS: &[&str] = &[
    "partialEnablementStrategy",
    "conditions.times",
    "conditions.agents",
    "conditions.agentContext",
    "sessionControls.blockSensitiveActions",
];

/// The API versions whose schema has a member; on the other one it is an unknown property.
#[derive(Clone, Copy)]
pub(crate) enum Versions {
    Both,
    BetaOnly,
}

impl Versions {
    pub(crate) fn has(self, beta: bool) -> bool {
        match self {
            Versions::Both => true,
            Versions::BetaOnly => beta,
        }
    }
}

/// One member of a complex type.
pub struct Field {
    /// The property name, as Graph spells it (matched case-sensitively).
    pub name: &'static str,
    /// The JSON it takes.
    pub ty: Ty,
    pub(crate) versions: Versions,
}

const fn f(name: &'static str, ty: Ty) -> Field {
    Field {
        name,
        ty,
        versions: Versions::Both,
    }
}

const fn b(name: &'static str, ty: Ty) -> Field {
    Field {
        name,
        ty,
        versions: Versions::BetaOnly,
    }
}

/// A complex type without properties (`conditionalAccessGlobalSecureAccess`,
/// `conditionalAccessNetworkAccess`): `{}` or null; any member inside is unknown.
const NO_PROPERTIES: &[Field] = &[];

/// `conditionalAccessPolicyState`: a policy's `state`.
pub const STATES: &[&str] = &["enabled", "disabled", "enabledForReportingButNotEnforced"];
/// `conditionalAccessClientApp`: `conditions.clientAppTypes`.
pub const CLIENT_APP_TYPES: &[&str] = &[
    "all",
    "browser",
    "mobileAppsAndDesktopClients",
    "exchangeActiveSync",
    "easSupported",
    "other",
    "unknownFutureValue",
];
/// `conditionalAccessDevicePlatform`: `conditions.platforms` include and exclude lists.
pub const PLATFORMS: &[&str] = &[
    "android",
    "iOS",
    "windows",
    "windowsPhone",
    "macOS",
    "all",
    "unknownFutureValue",
    "linux",
];
/// `riskLevel`: the user, sign-in and service principal risk levels of `conditions`.
pub const RISK_LEVELS: &[&str] = &[
    "low",
    "medium",
    "high",
    "hidden",
    "none",
    "unknownFutureValue",
];
/// `conditionalAccessInsiderRiskLevels` (flags): `conditions.insiderRiskLevels`.
pub const INSIDER_RISK_LEVELS: &[&str] = &["minor", "moderate", "elevated", "unknownFutureValue"];
/// `conditionalAccessAgentIdRiskLevels` (flags, beta): `conditions.agentIdRiskLevels`.
pub const AGENT_RISK_LEVELS: &[&str] = &["low", "medium", "high", "unknownFutureValue"];
/// `conditionalAccessTransferMethods` (flags): `conditions.authenticationFlows.transferMethods`.
pub const TRANSFER_METHODS: &[&str] = &[
    "none",
    "deviceCodeFlow",
    "authenticationTransfer",
    "unknownFutureValue",
];
/// `conditionalAccessGuestOrExternalUserTypes` (flags): the kinds of guest a user condition covers.
pub const GUEST_TYPES: &[&str] = &[
    "none",
    "internalGuest",
    "b2bCollaborationGuest",
    "b2bCollaborationMember",
    "b2bDirectConnectUser",
    "otherExternalUser",
    "serviceProvider",
    "unknownFutureValue",
];
/// `conditionalAccessExternalTenantsMembershipKind`: `externalTenants.membershipKind`.
pub const MEMBERSHIP_KINDS: &[&str] = &["all", "enumerated", "unknownFutureValue"];
/// `filterMode`: whether an application, service principal or device filter includes or excludes.
pub const FILTER_MODES: &[&str] = &["include", "exclude"];
/// `conditionalAccessGrantControl`: `grantControls.builtInControls`.
pub const BUILT_IN_CONTROLS: &[&str] = &[
    "block",
    "mfa",
    "compliantDevice",
    "domainJoinedDevice",
    "approvedApplication",
    "compliantApplication",
    "passwordChange",
    "unknownFutureValue",
    "riskRemediation",
];
/// `cloudAppSecuritySessionControlType`: `sessionControls.cloudAppSecurity.cloudAppSecurityType`.
pub const CAS_TYPES: &[&str] = &[
    "mcasConfigured",
    "monitorOnly",
    "blockDownloads",
    "unknownFutureValue",
];
/// `persistentBrowserSessionMode`: `sessionControls.persistentBrowser.mode`.
pub const PERSISTENT_BROWSER_MODES: &[&str] = &["always", "never"];
/// `signinFrequencyType`: the unit of `sessionControls.signInFrequency.value`.
pub const SIF_TYPES: &[&str] = &["days", "hours"];
/// `signInFrequencyAuthenticationType`: `sessionControls.signInFrequency.authenticationType`.
pub const SIF_AUTH_TYPES: &[&str] = &[
    "primaryAndSecondaryAuthentication",
    "secondaryAuthentication",
    "unknownFutureValue",
];
/// `signInFrequencyInterval`: `sessionControls.signInFrequency.frequencyInterval`.
pub const SIF_INTERVALS: &[&str] = &["timeBased", "everyTime", "unknownFutureValue"];
/// `continuousAccessEvaluationMode` (beta): `sessionControls.continuousAccessEvaluation.mode`.
pub const CAE_MODES: &[&str] = &[
    "strictEnforcement",
    "disabled",
    "unknownFutureValue",
    "strictLocation",
];

pub(crate) const ALL_EXTERNAL_TENANTS: &str =
    "#microsoft.graph.conditionalAccessAllExternalTenants";
pub(crate) const ENUMERATED_EXTERNAL_TENANTS: &str =
    "#microsoft.graph.conditionalAccessEnumeratedExternalTenants";

const FILTER: &[Field] = &[f("mode", Ty::Enum(FILTER_MODES)), f("rule", Ty::Str)];

const APPLICATIONS: &[Field] = &[
    f("includeApplications", Ty::StrList),
    f("excludeApplications", Ty::StrList),
    f("includeUserActions", Ty::StrList),
    f("includeAuthenticationContextClassReferences", Ty::StrList),
    f("applicationFilter", Ty::Obj(FILTER)),
    b("globalSecureAccess", Ty::Obj(NO_PROPERTIES)),
    b("networkAccess", Ty::Obj(NO_PROPERTIES)),
];

const GUESTS: &[Field] = &[
    f("guestOrExternalUserTypes", Ty::Flags(GUEST_TYPES)),
    f("externalTenants", Ty::ExternalTenants),
];

const USERS: &[Field] = &[
    f("includeUsers", Ty::StrList),
    f("excludeUsers", Ty::StrList),
    f("includeGroups", Ty::StrList),
    f("excludeGroups", Ty::StrList),
    f("includeRoles", Ty::StrList),
    f("excludeRoles", Ty::StrList),
    f("includeGuestsOrExternalUsers", Ty::Obj(GUESTS)),
    f("excludeGuestsOrExternalUsers", Ty::Obj(GUESTS)),
];

const CLIENT_APPLICATIONS: &[Field] = &[
    f("includeServicePrincipals", Ty::StrList),
    f("excludeServicePrincipals", Ty::StrList),
    f("servicePrincipalFilter", Ty::Obj(FILTER)),
    b("includeAgentIdServicePrincipals", Ty::StrList),
    b("excludeAgentIdServicePrincipals", Ty::StrList),
    b("agentIdServicePrincipalFilter", Ty::Obj(FILTER)),
];

const PLATFORMS_OBJ: &[Field] = &[
    f("includePlatforms", Ty::EnumList(PLATFORMS)),
    f("excludePlatforms", Ty::EnumList(PLATFORMS)),
];

const LOCATIONS: &[Field] = &[
    f("includeLocations", Ty::StrList),
    f("excludeLocations", Ty::StrList),
];

const DEVICES: &[Field] = &[
    f("deviceFilter", Ty::Obj(FILTER)),
    b("includeDevices", Ty::StrList),
    b("excludeDevices", Ty::StrList),
    b("includeDeviceStates", Ty::StrList),
    b("excludeDeviceStates", Ty::StrList),
];

const DEVICE_STATES: &[Field] = &[
    f("includeStates", Ty::StrList),
    f("excludeStates", Ty::StrList),
];

const AUTH_FLOWS: &[Field] = &[f("transferMethods", Ty::Flags(TRANSFER_METHODS))];

pub(crate) const CONDITIONS: &[Field] = &[
    f("applications", Ty::Obj(APPLICATIONS)),
    f("users", Ty::Obj(USERS)),
    f("clientApplications", Ty::Obj(CLIENT_APPLICATIONS)),
    f("clientAppTypes", Ty::EnumList(CLIENT_APP_TYPES)),
    f("platforms", Ty::Obj(PLATFORMS_OBJ)),
    f("locations", Ty::Obj(LOCATIONS)),
    f("devices", Ty::Obj(DEVICES)),
    f("userRiskLevels", Ty::EnumList(RISK_LEVELS)),
    f("signInRiskLevels", Ty::EnumList(RISK_LEVELS)),
    f("servicePrincipalRiskLevels", Ty::EnumList(RISK_LEVELS)),
    f("insiderRiskLevels", Ty::Flags(INSIDER_RISK_LEVELS)),
    f("authenticationFlows", Ty::Obj(AUTH_FLOWS)),
    b("deviceStates", Ty::Obj(DEVICE_STATES)),
    b("agentIdRiskLevels", Ty::Flags(AGENT_RISK_LEVELS)),
    b("times", Ty::Seen),
    b("agents", Ty::Seen),
    b("agentContext", Ty::Seen),
];

/// authenticationStrengthPolicy as a write reference: only `id` matters; the rest of the
/// expanded object a client may echo back is ignored.
const STRENGTH_REF: &[Field] = &[
    f("id", Ty::Str),
    f("displayName", Ty::ReadOnly),
    f("description", Ty::ReadOnly),
    f("policyType", Ty::ReadOnly),
    f("requirementsSatisfied", Ty::ReadOnly),
    f("allowedCombinations", Ty::ReadOnly),
    f("createdDateTime", Ty::ReadOnly),
    f("modifiedDateTime", Ty::ReadOnly),
    f("combinationConfigurations", Ty::ReadOnly),
];

pub(crate) const GRANT_CONTROLS: &[Field] = &[
    f("operator", Ty::Str),
    f("builtInControls", Ty::EnumList(BUILT_IN_CONTROLS)),
    f("customAuthenticationFactors", Ty::StrList),
    f("termsOfUse", Ty::StrList),
    f("authenticationStrength", Ty::Obj(STRENGTH_REF)),
];

const IS_ENABLED: &[Field] = &[f("isEnabled", Ty::Bool)];
const CLOUD_APP_SECURITY: &[Field] = &[
    f("isEnabled", Ty::Bool),
    f("cloudAppSecurityType", Ty::Enum(CAS_TYPES)),
];
const PERSISTENT_BROWSER: &[Field] = &[
    f("isEnabled", Ty::Bool),
    f("mode", Ty::Enum(PERSISTENT_BROWSER_MODES)),
];
const SIGN_IN_FREQUENCY: &[Field] = &[
    f("isEnabled", Ty::Bool),
    f("type", Ty::Enum(SIF_TYPES)),
    f("value", Ty::Int32),
    f("authenticationType", Ty::Enum(SIF_AUTH_TYPES)),
    f("frequencyInterval", Ty::Enum(SIF_INTERVALS)),
];
const CAE: &[Field] = &[f("mode", Ty::Enum(CAE_MODES))];
const GSA_PROFILE: &[Field] = &[f("profileId", Ty::Str), f("isEnabled", Ty::Bool)];

pub(crate) const SESSION_CONTROLS: &[Field] = &[
    f("applicationEnforcedRestrictions", Ty::Obj(IS_ENABLED)),
    f("cloudAppSecurity", Ty::Obj(CLOUD_APP_SECURITY)),
    f("disableResilienceDefaults", Ty::Bool),
    f("persistentBrowser", Ty::Obj(PERSISTENT_BROWSER)),
    f("signInFrequency", Ty::Obj(SIGN_IN_FREQUENCY)),
    b("continuousAccessEvaluation", Ty::Obj(CAE)),
    f("secureSignInSession", Ty::Obj(IS_ENABLED)),
    b("globalSecureAccessFilteringProfile", Ty::Obj(GSA_PROFILE)),
    b("blockSensitiveActions", Ty::Seen),
];

/// The `conditionalAccessPolicy` type: the members a request body may carry, nested types
/// included.
pub const POLICY: &[Field] = &[
    f("id", Ty::ReadOnly),
    f("displayName", Ty::Str),
    f("description", Ty::Str),
    f("state", Ty::Enum(STATES)),
    f("createdDateTime", Ty::ReadOnly),
    f("modifiedDateTime", Ty::ReadOnly),
    // Only v1.0 has it (metadata), but real beta exports carry it, and clients echo them.
    f("templateId", Ty::ReadOnly),
    f("conditions", Ty::Obj(CONDITIONS)),
    f("grantControls", Ty::Obj(GRANT_CONTROLS)),
    f("sessionControls", Ty::Obj(SESSION_CONTROLS)),
    f("deletedDateTime", Ty::ReadOnly),
    b("partialEnablementStrategy", Ty::Seen),
];

/// Is this key an OData annotation (`@odata.type`, `x@odata.context`, ...)?
pub(crate) fn is_annotation(key: &str) -> bool {
    key.starts_with('@') || key.contains("@odata.")
}

pub(crate) struct Ctx {
    pub(crate) beta: bool,
    /// `Prefer: include-unknown-enum-members` was sent.
    pub(crate) unknown_members: bool,
}

/// Why a body does not match the schema (for the `x-sim-schema-detail` header; Graph itself
/// only says 1007).
pub(crate) type SchemaError = String;

/// Check a top-level policy body (POST, or the properties of a PATCH) and normalise it.
pub(crate) fn check_policy(
    body: &Map<String, Value>,
    ctx: &Ctx,
) -> Result<Map<String, Value>, SchemaError> {
    check_object(body, POLICY, ctx, "")
}

fn check_object(
    body: &Map<String, Value>,
    fields: &'static [Field],
    ctx: &Ctx,
    path: &str,
) -> Result<Map<String, Value>, SchemaError> {
    let mut out = Map::new();
    for (k, v) in body {
        if is_annotation(k) {
            continue;
        }
        let here = if path.is_empty() {
            k.clone()
        } else {
            format!("{path}.{k}")
        };
        let Some(field) = fields.iter().find(|f| f.name == k) else {
            return Err(format!("unknown property '{here}'"));
        };
        if !field.versions.has(ctx.beta) {
            let other = if ctx.beta { "v1.0" } else { "beta" };
            return Err(format!(
                "property '{here}' exists only in the {other} schema"
            ));
        }
        if let Some(nv) = check_value(v, &field.ty, ctx, &here)? {
            out.insert(k.clone(), nv);
        }
    }
    Ok(out)
}

/// `Ok(None)` = drop the member (read-only, or a null collection).
fn check_value(v: &Value, ty: &Ty, ctx: &Ctx, path: &str) -> Result<Option<Value>, SchemaError> {
    let wrong = |what: &str| Err(format!("'{path}' must be {what}, got {v}"));
    match ty {
        Ty::ReadOnly => Ok(None),
        Ty::Seen => Ok(Some(v.clone())),
        _ if v.is_null() => match ty {
            Ty::StrList | Ty::EnumList(_) => Ok(None),
            _ => Ok(Some(Value::Null)),
        },
        Ty::Str => match v {
            Value::String(_) => Ok(Some(v.clone())),
            _ => wrong("a string"),
        },
        Ty::Bool => match v {
            Value::Bool(_) => Ok(Some(v.clone())),
            _ => wrong("a boolean"),
        },
        Ty::Int32 => match v.as_i64() {
            Some(n) if i32::try_from(n).is_ok() => Ok(Some(v.clone())),
            _ => wrong("an Int32"),
        },
        Ty::Enum(members) => match v {
            Value::String(s) => Ok(Some(Value::String(enum_member(s, members, ctx, path)?))),
            _ => wrong("a string enum member"),
        },
        Ty::Flags(members) => match v {
            Value::String(s) => parse_flags(s, members, ctx)
                .map(|s| Some(Value::String(s)))
                .ok_or_else(|| format!("'{path}' has an invalid flags value '{s}'")),
            _ => wrong("a flags enum string"),
        },
        Ty::StrList => match v {
            Value::Array(items) if items.iter().all(Value::is_string) => Ok(Some(v.clone())),
            _ => wrong("an array of strings"),
        },
        Ty::EnumList(members) => match v {
            Value::Array(items) => {
                let mut out = Vec::new();
                for item in items {
                    let Value::String(s) = item else {
                        return wrong("an array of enum members");
                    };
                    let m = enum_member(s, members, ctx, path)?;
                    if !out.iter().any(|o: &Value| o == &Value::String(m.clone())) {
                        out.push(Value::String(m));
                    }
                }
                Ok(Some(Value::Array(out)))
            }
            _ => wrong("an array of enum members"),
        },
        Ty::Obj(fields) => match v {
            Value::Object(m) => Ok(Some(Value::Object(check_object(m, fields, ctx, path)?))),
            _ => wrong("an object"),
        },
        Ty::ExternalTenants => match v {
            Value::Object(m) => check_external_tenants(m, ctx, path).map(Some),
            _ => wrong("an object"),
        },
    }
}

fn enum_member(
    s: &str,
    members: &'static [&'static str],
    ctx: &Ctx,
    path: &str,
) -> Result<String, SchemaError> {
    let Some(pos) = members
        .iter()
        .position(|m| m.eq_ignore_ascii_case(s.trim()))
    else {
        return Err(format!("'{path}': '{s}' is not a member of the enum"));
    };
    if !ctx.unknown_members && is_evolvable_member(members, pos) {
        return Err(format!(
            "'{path}': '{s}' requires the header 'Prefer: include-unknown-enum-members'"
        ));
    }
    Ok(members[pos].to_string())
}

/// What a client without `Prefer: include-unknown-enum-members` reads: every enum member
/// declared after `unknownFutureValue` replaced by `unknownFutureValue` (once per flags value
/// or list), at any depth of an object of this type.
pub(crate) fn mask_evolvable(object: &mut Map<String, Value>, fields: &[Field]) {
    for field in fields {
        let Some(v) = object.get_mut(field.name) else {
            continue;
        };
        match (&field.ty, v) {
            (Ty::Obj(inner), Value::Object(m)) => mask_evolvable(m, inner),
            (Ty::Enum(members), Value::String(s)) => {
                let shown = masked(members, s).to_string();
                *s = shown;
            }
            (Ty::Flags(members), Value::String(s)) => {
                let shown = masked_flags(members, s);
                *s = shown;
            }
            (Ty::EnumList(members), Value::Array(items)) => {
                let mut out: Vec<Value> = Vec::new();
                for item in items.iter() {
                    let m = json_masked(members, item);
                    if !out.contains(&m) {
                        out.push(m);
                    }
                }
                *items = out;
            }
            _ => {}
        }
    }
}

fn masked<'a>(members: &[&str], member: &'a str) -> &'a str {
    match members.iter().position(|m| *m == member) {
        Some(pos) if is_evolvable_member(members, pos) => "unknownFutureValue",
        _ => member,
    }
}

/// A flags value (`"linux,android"`) as a client without the Prefer header reads it.
pub(crate) fn masked_flags(members: &[&str], flags: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for p in flags.split(',').map(|p| masked(members, p.trim())) {
        if !parts.contains(&p) {
            parts.push(p);
        }
    }
    parts.join(",")
}

fn json_masked(members: &[&str], item: &Value) -> Value {
    match item.as_str() {
        Some(s) => Value::String(masked(members, s).to_string()),
        None => item.clone(),
    }
}

/// Declared after `unknownFutureValue`.
fn is_evolvable_member(members: &[&str], pos: usize) -> bool {
    members
        .iter()
        .position(|m| *m == "unknownFutureValue")
        .is_some_and(|u| pos > u)
}

/// `"b2bCollaborationGuest, internalGuest"` -> `"internalGuest,b2bCollaborationGuest"`.
/// `None` when a member is unknown or the string is empty.
pub(crate) fn parse_flags(s: &str, members: &'static [&'static str], ctx: &Ctx) -> Option<String> {
    let mut seen = vec![false; members.len()];
    let mut any = false;
    for part in s.split(',') {
        let part = part.trim();
        let pos = members.iter().position(|m| m.eq_ignore_ascii_case(part))?;
        if !ctx.unknown_members && is_evolvable_member(members, pos) {
            return None;
        }
        seen[pos] = true;
        any = true;
    }
    if !any {
        return None;
    }
    Some(
        members
            .iter()
            .zip(seen)
            .filter(|(_, s)| *s)
            .map(|(m, _)| *m)
            .collect::<Vec<_>>()
            .join(","),
    )
}

fn check_external_tenants(
    m: &Map<String, Value>,
    ctx: &Ctx,
    path: &str,
) -> Result<Value, SchemaError> {
    let declared = match m.get("@odata.type") {
        None | Some(Value::Null) => None,
        Some(Value::String(t)) => {
            let bare = t.trim_start_matches('#');
            if bare.eq_ignore_ascii_case(&ALL_EXTERNAL_TENANTS[1..]) {
                Some("all")
            } else if bare.eq_ignore_ascii_case(&ENUMERATED_EXTERNAL_TENANTS[1..]) {
                Some("enumerated")
            } else {
                return Err(format!("'{path}': unknown @odata.type '{t}'"));
            }
        }
        Some(other) => {
            return Err(format!(
                "'{path}.@odata.type' must be a string, got {other}"
            ))
        }
    };
    const FIELDS: &[Field] = &[
        f("membershipKind", Ty::Enum(MEMBERSHIP_KINDS)),
        f("members", Ty::StrList),
    ];
    let mut out = check_object(m, FIELDS, ctx, path)?;
    let kind = out
        .get("membershipKind")
        .and_then(Value::as_str)
        .map(str::to_string);
    let kind = match (declared, kind.as_deref()) {
        (Some(d), Some(k)) if d != k => {
            return Err(format!(
                "'{path}': membershipKind '{k}' does not match the @odata.type"
            ))
        }
        (Some(d), _) => d.to_string(),
        (None, Some(k)) => k.to_string(),
        (None, None) => {
            return Err(format!(
                "'{path}': neither @odata.type nor membershipKind is given"
            ))
        }
    };
    if kind != "enumerated"
        && out
            .get("members")
            .is_some_and(|m| m != &Value::Array(vec![]))
    {
        return Err(format!(
            "'{path}': members is only allowed with membershipKind 'enumerated'"
        ));
    }
    out.insert("membershipKind".into(), Value::String(kind));
    Ok(Value::Object(with_external_tenants_type(out)))
}

/// Put the derived `@odata.type` first and drop `members` unless enumerated.
pub(crate) fn with_external_tenants_type(mut m: Map<String, Value>) -> Map<String, Value> {
    m.remove("@odata.type");
    let kind = m
        .get("membershipKind")
        .and_then(Value::as_str)
        .unwrap_or("");
    let ty = if kind.eq_ignore_ascii_case("enumerated") {
        ENUMERATED_EXTERNAL_TENANTS
    } else {
        m.remove("members");
        ALL_EXTERNAL_TENANTS
    };
    let mut out = Map::new();
    out.insert("@odata.type".into(), Value::String(ty.into()));
    out.extend(m);
    out
}

/// Drop every OData annotation, at any depth.
pub(crate) fn strip_annotations(v: Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.into_iter()
                .filter(|(k, _)| !is_annotation(k))
                .map(|(k, v)| (k, strip_annotations(v)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.into_iter().map(strip_annotations).collect()),
        other => other,
    }
}

/// Normalisation without validation (seeds, `put_raw_policy`): annotations dropped, flags
/// enums canonical where they parse, `externalTenants` typed. Everything else is kept as given.
pub(crate) fn normalise_loose(v: Value) -> Map<String, Value> {
    let mut m = match strip_annotations(v) {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    let lenient = Ctx {
        beta: true,
        unknown_members: true,
    };
    if let Some(Value::Object(c)) = m.get_mut("conditions") {
        canonical_flags(c, "insiderRiskLevels", INSIDER_RISK_LEVELS, &lenient);
        canonical_flags(c, "agentIdRiskLevels", AGENT_RISK_LEVELS, &lenient);
        if let Some(Value::Object(af)) = c.get_mut("authenticationFlows") {
            canonical_flags(af, "transferMethods", TRANSFER_METHODS, &lenient);
        }
        if let Some(Value::Object(u)) = c.get_mut("users") {
            for key in [
                "includeGuestsOrExternalUsers",
                "excludeGuestsOrExternalUsers",
            ] {
                if let Some(Value::Object(g)) = u.get_mut(key) {
                    canonical_flags(g, "guestOrExternalUserTypes", GUEST_TYPES, &lenient);
                    if let Some(Value::Object(t)) = g.get_mut("externalTenants") {
                        *t = with_external_tenants_type(std::mem::take(t));
                    }
                }
            }
        }
    }
    m
}

fn canonical_flags(
    m: &mut Map<String, Value>,
    key: &str,
    members: &'static [&'static str],
    ctx: &Ctx,
) {
    if let Some(Value::String(s)) = m.get(key) {
        if let Some(c) = parse_flags(s, members, ctx) {
            m.insert(key.into(), Value::String(c));
        }
    }
}
