//! Data source `entra_conditional_access_what_if`: describe a sign-in, get back the Conditional
//! Access policies it would meet and what they demand, evaluated offline by `crate::whatif`
//! on the tenant's policies (beta, which lists every policy) and named locations (v1.0).

use crate::graph::ids::is_guid;
use crate::graph::paths::{CONDITIONAL_ACCESS_POLICIES, NAMED_LOCATIONS};
use crate::graph::Api;
use crate::plugin::diag::{AttrPath, Diagnostics};
use crate::plugin::resource::DataSource;
use crate::plugin::schema::{Attribute, Block, Mode, Schema, Type};
use crate::plugin::value::{Number, Value};
use crate::resources::authentication_context::check_context_id;
use crate::resources::conditional_access_policy::vocabulary::{
    INSIDER_RISK_LEVELS, RISK_LEVELS, USER_ACTIONS,
};
use crate::resources::connection::Connection;
use crate::resources::graph_errors::ToDiagnostics;
use crate::resources::listing::Listing;
use crate::resources::named_location::check_country;
use crate::whatif::{evaluate, Outcome, Requirement, Session, SignIn};
use serde_json::Value as Json;
use std::collections::BTreeMap;
use std::net::IpAddr;

/// What one sign-in can be: Graph's policy-side values without `none` and `all`, which describe
/// policies, not sign-ins; likewise `easSupported`, a grouping of Exchange ActiveSync clients.
const SIGN_IN_GUEST_TYPES: &[&str] = &[
    "internalGuest",
    "b2bCollaborationGuest",
    "b2bCollaborationMember",
    "b2bDirectConnectUser",
    "otherExternalUser",
    "serviceProvider",
];
const SIGN_IN_PLATFORMS: &[&str] = &[
    "android",
    "iOS",
    "windows",
    "windowsPhone",
    "macOS",
    "linux",
];
const SIGN_IN_CLIENT_APP_TYPES: &[&str] = &[
    "browser",
    "mobileAppsAndDesktopClients",
    "exchangeActiveSync",
    "other",
];
/// conditionalAccessAgentIdRiskLevels, plus `none`: an agent without detected risk.
const SIGN_IN_AGENT_RISK_LEVELS: &[&str] = &["low", "medium", "high", "none"];

/// Inputs a workload identity or agent identity sign-in cannot have.
const USER_ONLY: &[&str] = &[
    "user_id",
    "group_ids",
    "role_ids",
    "guest_type",
    "home_tenant_id",
    "user_action",
    "authentication_context",
    "sign_in_risk",
    "user_risk",
    "insider_risk",
    "agent_user",
];
const SERVICE_PRINCIPAL: &[&str] = &["service_principal_id", "service_principal_risk"];
const TARGETS: &[&str] = &["application_id", "user_action", "authentication_context"];

fn object(fields: &[(&str, Type)]) -> Type {
    Type::Object(
        fields
            .iter()
            .map(|(k, t)| (k.to_string(), t.clone()))
            .collect::<BTreeMap<_, _>>(),
    )
}

fn strings() -> Type {
    Type::list(Type::String)
}

fn policy_type() -> Type {
    object(&[
        ("id", Type::String),
        ("display_name", Type::String),
        ("state", Type::String),
        ("enforced", Type::Bool),
    ])
}

fn requirement_type() -> Type {
    object(&[
        ("policy_id", Type::String),
        ("operator", Type::String),
        ("built_in_controls", strings()),
        ("authentication_strength_id", Type::String),
        ("terms_of_use", strings()),
        ("custom_authentication_factors", strings()),
    ])
}

fn session_type() -> Type {
    object(&[
        ("sign_in_frequency_every_time", Type::Bool),
        ("sign_in_frequency_minutes", Type::Number),
        ("persistent_browser", Type::String),
        ("application_enforced_restrictions", Type::Bool),
        ("cloud_app_security", Type::String),
        ("continuous_access_evaluation", Type::String),
        ("secure_sign_in_session", Type::Bool),
    ])
}

/// The sign-in's description as optional arguments, the verdict as computed attributes (the
/// `what_if` function takes both from here).
pub fn schema() -> Schema {
    let input = |name: &str, ty: Type, description: &str| {
        Attribute::new(name, ty, Mode::Optional, description)
    };
    let output = |name: &str, ty: Type, description: &str| {
        Attribute::new(name, ty, Mode::Computed, description)
    };
    Schema {
        version: 0,
        block: Block {
            attributes: vec![
                input("user_id", Type::String, "Object id of the signing-in user."),
                input("group_ids", Type::set(Type::String), "Object ids of the groups the user is a member of (transitively)."),
                input("role_ids", Type::set(Type::String), "Template ids of the directory roles the user holds."),
                input("guest_type", Type::String, "For a guest or external user: `internalGuest`, `b2bCollaborationGuest`, `b2bCollaborationMember`, `b2bDirectConnectUser`, `otherExternalUser` or `serviceProvider`. Unset: a member."),
                input("home_tenant_id", Type::String, "The guest's home tenant id."),
                input("application_id", Type::String, "The app (client) id signed in to."),
                input("user_action", Type::String, "`urn:user:registersecurityinfo` or `urn:user:registerdevice`."),
                input("authentication_context", Type::String, "An authentication context id, `c1` to `c99`."),
                input("ip_address", Type::String, "The client's IPv4 or IPv6 address. Unset: in no named IP range."),
                input("country", Type::String, "ISO 3166-1 alpha-2 country code. Unset: country unknown."),
                input("platform", Type::String, "`android`, `iOS`, `windows`, `windowsPhone`, `macOS` or `linux`. Unset: unknown platform."),
                input("client_app_type", Type::String, "`browser`, `mobileAppsAndDesktopClients`, `exchangeActiveSync` or `other`. Unset: a modern-authentication client."),
                input("sign_in_risk", Type::String, "`low`, `medium`, `high`, `hidden` or `none` (default)."),
                input("user_risk", Type::String, "`low`, `medium`, `high`, `hidden` or `none` (default)."),
                input("insider_risk", Type::String, "`minor`, `moderate` or `elevated`."),
                input("service_principal_id", Type::String, "For a workload identity sign-in: the service principal's object id, instead of a user."),
                input("service_principal_risk", Type::String, "`low`, `medium`, `high` or `none` (default)."),
                input("agent_id", Type::String, "For an agent identity signing in as itself (Microsoft Entra Agent ID): its object id, instead of a user or a service principal."),
                input("agent_risk", Type::String, "The agent's risk, of the agent identity or the agent user: `low`, `medium`, `high` or `none` (default)."),
                input("agent_user", Type::Bool, "Whether the user is an agent user (an agent's user account). Default `false`."),
                output("policies", Type::list(policy_type()), "Enabled and report-only policies that apply: `id`, `display_name`, `state`, `enforced`."),
                output("blocked", Type::Bool, "Whether an enforced policy blocks the sign-in."),
                output("grant_requirements", Type::list(requirement_type()), "One per enforced policy with grant controls; all must be met."),
                output("session", session_type(), "The strictest session controls of the enforced policies."),
                output("caveats", strings(), "What could not be evaluated offline, and what was assumed."),
            ],
            block_types: vec![],
            description: "Evaluates a described sign-in against the tenant's Conditional Access policies, offline.".into(),
        },
    }
}

/// A known string input: `None` when null or unknown.
fn text<'a>(config: &'a Value, name: &str) -> Option<&'a str> {
    config.get(name).as_str()
}

fn check_one_of(config: &Value, name: &str, allowed: &[&str], diags: &mut Diagnostics) {
    if let Some(v) = text(config, name).filter(|v| !allowed.contains(v)) {
        diags.push_attr_error(
            AttrPath::root(name),
            format!("Invalid {name}"),
            format!("{v:?} is not one of: {}.", allowed.join(", ")),
        );
    }
}

fn check_guids(config: &Value, name: &str, diags: &mut Diagnostics) {
    let value = config.get(name);
    let values = match value.as_str() {
        Some(s) => vec![s],
        None => value.strs(),
    };
    for v in values.into_iter().filter(|v| !is_guid(v)) {
        diags.push_attr_error(
            AttrPath::root(name),
            format!("Invalid {name}"),
            format!("{v:?} is not a GUID."),
        );
    }
}

fn check_formats(config: &Value, diags: &mut Diagnostics) {
    let enums: [(&str, &[&str]); 9] = [
        ("guest_type", SIGN_IN_GUEST_TYPES),
        ("user_action", USER_ACTIONS),
        ("platform", SIGN_IN_PLATFORMS),
        ("client_app_type", SIGN_IN_CLIENT_APP_TYPES),
        ("sign_in_risk", RISK_LEVELS),
        ("user_risk", RISK_LEVELS),
        ("insider_risk", INSIDER_RISK_LEVELS),
        ("service_principal_risk", RISK_LEVELS),
        ("agent_risk", SIGN_IN_AGENT_RISK_LEVELS),
    ];
    for (name, allowed) in enums {
        check_one_of(config, name, allowed, diags);
    }
    for name in [
        "user_id",
        "group_ids",
        "role_ids",
        "home_tenant_id",
        "application_id",
        "service_principal_id",
        "agent_id",
    ] {
        check_guids(config, name, diags);
    }
    if let Some(Err(e)) = text(config, "authentication_context").map(check_context_id) {
        diags.push_attr_error(
            AttrPath::root("authentication_context"),
            "Invalid authentication_context",
            e,
        );
    }
    if let Some(ip) = text(config, "ip_address").filter(|ip| ip.parse::<IpAddr>().is_err()) {
        diags.push_attr_error(
            AttrPath::root("ip_address"),
            "Invalid ip_address",
            format!("{ip:?} is not an IPv4 or IPv6 address (no prefix length)."),
        );
    }
    // The named location's check: a code no country location can hold would match none.
    if let Some(Err(e)) = text(config, "country").map(check_country) {
        diags.push_attr_error(AttrPath::root("country"), "Invalid country", e);
    }
}

/// Null, empty sets and `false` (`agent_user`'s default) count as not given.
fn is_set(v: &Value) -> bool {
    match v {
        Value::Null | Value::Bool(false) => false,
        Value::Set(items) | Value::List(items) => !items.is_empty(),
        _ => true,
    }
}

/// Exactly one target; a service principal or an agent identity signs in to an application,
/// without user inputs, and not as the other. Skipped while a value involved is unknown.
fn check_shape(config: &Value, diags: &mut Diagnostics) {
    let involved = TARGETS
        .iter()
        .chain(USER_ONLY)
        .chain(SERVICE_PRINCIPAL)
        .chain(&["agent_id", "agent_risk"]);
    if involved.clone().any(|n| config.get(n).is_unknown()) {
        return;
    }
    let set = |n: &str| is_set(config.get(n));
    if TARGETS.iter().filter(|n| set(n)).count() != 1 {
        diags.push_attr_error(
            AttrPath::root("application_id"),
            "Set exactly one of application_id, user_action and authentication_context",
            "A sign-in targets one application, one user action or one authentication context.",
        );
    }
    if set("agent_id") {
        for name in USER_ONLY.iter().chain(SERVICE_PRINCIPAL).filter(|n| set(n)) {
            diags.push_attr_error(
                AttrPath::root(name),
                format!("{name} does not apply to an agent identity"),
                "With agent_id the sign-in is an agent identity's own: it has no user or service principal inputs and targets an application_id.",
            );
        }
    } else if set("service_principal_id") {
        for name in USER_ONLY.iter().filter(|n| set(n)) {
            diags.push_attr_error(
                AttrPath::root(name),
                format!("{name} does not apply to a service principal"),
                "With service_principal_id the sign-in is a workload identity's: it has no user inputs and targets an application_id.",
            );
        }
    } else if set("service_principal_risk") {
        diags.push_attr_error(
            AttrPath::root("service_principal_risk"),
            "service_principal_risk needs service_principal_id",
            "Service principal risk describes a workload identity sign-in; set service_principal_id too.",
        );
    }
    // Agent risk is of an agent identity or of an agent user: ID Protection rates both, and
    // real "block risky agent users" policies (CA504 in ../shared/corpus/ca-policies) use
    // `agentIdRiskLevels`.
    if set("agent_risk") && !set("agent_id") && !set("agent_user") {
        diags.push_attr_error(
            AttrPath::root("agent_risk"),
            "agent_risk needs agent_id or agent_user",
            "Agent risk describes an agent's sign-in; set agent_id (an agent identity) or agent_user = true (an agent's user account) too.",
        );
    }
}

/// Each input's format, and one possible sign-in: exactly one target, no user inputs for a workload
/// or agent identity; no Graph call.
pub fn validate(config: &Value) -> Diagnostics {
    let mut diags = Diagnostics::default();
    check_formats(config, &mut diags);
    check_shape(config, &mut diags);
    diags
}

fn owned(config: &Value, name: &str) -> Option<String> {
    text(config, name).map(String::from)
}

/// The sign-in a validated configuration describes.
pub fn sign_in(config: &Value) -> SignIn {
    let all = |name: &str| {
        config
            .get(name)
            .strs()
            .into_iter()
            .map(String::from)
            .collect()
    };
    SignIn {
        user_id: owned(config, "user_id"),
        group_ids: all("group_ids"),
        role_ids: all("role_ids"),
        guest_type: owned(config, "guest_type"),
        home_tenant_id: owned(config, "home_tenant_id"),
        application_id: owned(config, "application_id"),
        user_action: owned(config, "user_action"),
        authentication_context: owned(config, "authentication_context"),
        ip_address: text(config, "ip_address").and_then(|ip| ip.parse().ok()),
        country: owned(config, "country"),
        platform: owned(config, "platform"),
        client_app_type: owned(config, "client_app_type"),
        sign_in_risk: owned(config, "sign_in_risk"),
        user_risk: owned(config, "user_risk"),
        insider_risk: owned(config, "insider_risk"),
        service_principal_id: owned(config, "service_principal_id"),
        service_principal_risk: owned(config, "service_principal_risk"),
        agent_id: owned(config, "agent_id"),
        agent_risk: owned(config, "agent_risk"),
        agent_user: config.get("agent_user").as_bool() == Some(true),
    }
}

fn list(items: &[String]) -> Value {
    Value::List(items.iter().cloned().map(Value::String).collect())
}

fn requirement(r: &Requirement) -> Value {
    Value::object([
        ("policy_id", Value::string(&r.policy_id)),
        ("operator", Value::string(&r.operator)),
        ("built_in_controls", list(&r.built_in_controls)),
        (
            "authentication_strength_id",
            Value::opt_string(r.authentication_strength_id.as_deref()),
        ),
        ("terms_of_use", list(&r.terms_of_use)),
        (
            "custom_authentication_factors",
            list(&r.custom_authentication_factors),
        ),
    ])
}

fn session(s: &Session) -> Value {
    let minutes = s
        .sign_in_frequency_minutes
        .map(|m| Value::Number(Number::Int(m as i64)))
        .unwrap_or(Value::Null);
    Value::object([
        (
            "sign_in_frequency_every_time",
            Value::Bool(s.sign_in_frequency_every_time),
        ),
        ("sign_in_frequency_minutes", minutes),
        (
            "persistent_browser",
            Value::opt_string(s.persistent_browser.as_deref()),
        ),
        (
            "application_enforced_restrictions",
            Value::Bool(s.application_enforced_restrictions),
        ),
        (
            "cloud_app_security",
            Value::opt_string(s.cloud_app_security.as_deref()),
        ),
        (
            "continuous_access_evaluation",
            Value::opt_string(s.continuous_access_evaluation.as_deref()),
        ),
        (
            "secure_sign_in_session",
            Value::Bool(s.secure_sign_in_session),
        ),
    ])
}

/// The configuration with the outcome filled in.
pub fn state(config: &Value, outcome: &Outcome) -> Value {
    let Value::Object(mut fields) = config.clone() else {
        return config.clone();
    };
    let policies = outcome.policies.iter().map(|m| {
        Value::object([
            ("id", Value::string(&m.id)),
            ("display_name", Value::string(&m.display_name)),
            ("state", Value::string(&m.state)),
            ("enforced", Value::Bool(m.enforced)),
        ])
    });
    fields.insert("policies".into(), Value::List(policies.collect()));
    fields.insert("blocked".into(), Value::Bool(outcome.blocked));
    fields.insert(
        "grant_requirements".into(),
        Value::List(outcome.grant_requirements.iter().map(requirement).collect()),
    );
    fields.insert("session".into(), session(&outcome.session));
    fields.insert("caveats".into(), list(&outcome.caveats));
    Value::Object(fields)
}

/// `entra_conditional_access_what_if`.
pub struct ConditionalAccessWhatIfDataSource {
    conn: Connection,
    policies: Listing,
    locations: Listing,
}

impl ConditionalAccessWhatIfDataSource {
    /// The data source, reading through `conn` once the provider is configured.
    pub fn new(conn: Connection) -> Self {
        ConditionalAccessWhatIfDataSource {
            conn,
            policies: Listing::default(),
            locations: Listing::default(),
        }
    }
}

#[async_trait::async_trait]
impl DataSource for ConditionalAccessWhatIfDataSource {
    fn type_name(&self) -> &'static str {
        "entra_conditional_access_what_if"
    }

    fn schema(&self) -> Schema {
        schema()
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        validate(config)
    }

    async fn read(&self, config: &Value) -> Result<Value, Diagnostics> {
        let client = self.conn.client()?;
        // Every what-if in a configuration evaluates the same tenant: list it once.
        let policies = self
            .policies
            .get(|| client.list::<Json>(Api::Beta, CONDITIONAL_ACCESS_POLICIES))
            .await
            .map_err(|e| e.to_diagnostics("list Conditional Access policies"))?;
        let locations = self
            .locations
            // Beta: policies may name the kinds only beta shows.
            .get(|| client.list::<Json>(Api::Beta, NAMED_LOCATIONS))
            .await
            .map_err(|e| e.to_diagnostics("list named locations"))?;
        // The listing is keyed by id; a stable order keeps the outputs from moving between runs.
        let sorted = |m: &std::collections::HashMap<String, Json>| {
            let mut v: Vec<(&String, &Json)> = m.iter().collect();
            v.sort_by_key(|(id, j)| {
                (
                    j["displayName"].as_str().unwrap_or_default().to_string(),
                    (*id).clone(),
                )
            });
            v.into_iter().map(|(_, j)| j.clone()).collect::<Vec<Json>>()
        };
        let (policies, locations) = (sorted(&policies), sorted(&locations));
        let outcome = evaluate(&policies, &locations, &sign_in(config));
        Ok(state(config, &outcome))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(pairs: &[(&str, Value)]) -> Value {
        let mut fields: BTreeMap<String, Value> = schema()
            .block
            .attributes
            .iter()
            .map(|a| (a.name.clone(), Value::Null))
            .collect();
        for (k, v) in pairs {
            fields.insert(k.to_string(), v.clone());
        }
        Value::Object(fields)
    }

    fn errors_on(diags: &Diagnostics) -> Vec<String> {
        diags
            .0
            .iter()
            .filter_map(|d| d.attribute.as_ref().map(|a| a.to_string()))
            .collect()
    }

    const GUID: &str = "6b1f0e2a-3c4d-4e5f-8a9b-0c1d2e3f4a5b";

    #[test]
    fn a_plain_user_sign_in_is_valid() {
        let c = config(&[
            ("user_id", Value::string(GUID)),
            ("group_ids", Value::string_set([GUID])),
            (
                "user_action",
                Value::string("urn:user:registersecurityinfo"),
            ),
            ("ip_address", Value::string("2001:db8::1")),
            ("country", Value::string("NL")),
            ("guest_type", Value::string("b2bCollaborationGuest")),
            ("user_risk", Value::string("high")),
        ]);
        assert!(validate(&c).is_empty(), "{}", validate(&c));
        let s = sign_in(&c);
        assert_eq!(s.group_ids, [GUID]);
        assert_eq!(s.ip_address, Some("2001:db8::1".parse().unwrap()));
    }

    #[test]
    fn formats_are_checked_per_attribute() {
        let c = config(&[
            ("user_id", Value::string("bob")),
            ("role_ids", Value::string_set([GUID, "admin"])),
            ("application_id", Value::string(GUID)),
            ("ip_address", Value::string("10.0.0.0/8")),
            ("country", Value::string("nl")),
            ("platform", Value::string("all")),
            ("guest_type", Value::string("none")),
            ("client_app_type", Value::string("easSupported")),
            ("sign_in_risk", Value::string("severe")),
        ]);
        let mut errs = errors_on(&validate(&c));
        errs.sort();
        assert_eq!(
            errs,
            [
                "client_app_type",
                "country",
                "guest_type",
                "ip_address",
                "platform",
                "role_ids",
                "sign_in_risk",
                "user_id"
            ]
        );
        let unassigned = config(&[
            ("application_id", Value::string(GUID)),
            ("country", Value::string("XX")),
        ]);
        assert_eq!(errors_on(&validate(&unassigned)), ["country"]);
        let bad_context = config(&[("authentication_context", Value::string("c0"))]);
        assert_eq!(
            errors_on(&validate(&bad_context)),
            ["authentication_context"]
        );
    }

    #[test]
    fn exactly_one_target_and_no_user_inputs_for_a_service_principal() {
        let none = config(&[]);
        assert_eq!(errors_on(&validate(&none)), ["application_id"]);
        let two = config(&[
            ("application_id", Value::string(GUID)),
            ("user_action", Value::string("urn:user:registerdevice")),
        ]);
        assert_eq!(errors_on(&validate(&two)), ["application_id"]);
        let sp = config(&[
            ("service_principal_id", Value::string(GUID)),
            ("application_id", Value::string(GUID)),
            ("user_id", Value::string(GUID)),
            ("service_principal_risk", Value::string("high")),
        ]);
        assert_eq!(errors_on(&validate(&sp)), ["user_id"]);
        let risk_alone = config(&[
            ("application_id", Value::string(GUID)),
            ("service_principal_risk", Value::string("high")),
        ]);
        assert_eq!(
            errors_on(&validate(&risk_alone)),
            ["service_principal_risk"]
        );
        let later = config(&[("application_id", Value::Unknown)]);
        assert!(validate(&later).is_empty(), "unknown until apply");
    }

    #[test]
    fn an_agent_identity_signs_in_alone_to_an_application() {
        let agent = config(&[
            ("agent_id", Value::string(GUID)),
            ("agent_risk", Value::string("high")),
            ("application_id", Value::string(GUID)),
            ("ip_address", Value::string("203.0.113.7")),
        ]);
        assert!(validate(&agent).is_empty(), "{}", validate(&agent));
        let s = sign_in(&agent);
        assert_eq!(s.agent_id.as_deref(), Some(GUID));
        assert_eq!(s.agent_risk.as_deref(), Some("high"));
        assert!(!s.agent_user);

        let mixed = config(&[
            ("agent_id", Value::string(GUID)),
            ("application_id", Value::string(GUID)),
            ("user_id", Value::string(GUID)),
            ("agent_user", Value::Bool(true)),
            ("service_principal_id", Value::string(GUID)),
            ("service_principal_risk", Value::string("low")),
        ]);
        let mut errs = errors_on(&validate(&mixed));
        errs.sort();
        assert_eq!(
            errs,
            [
                "agent_user",
                "service_principal_id",
                "service_principal_risk",
                "user_id"
            ]
        );
        let to_an_action = config(&[
            ("agent_id", Value::string(GUID)),
            ("user_action", Value::string("urn:user:registerdevice")),
        ]);
        assert_eq!(errors_on(&validate(&to_an_action)), ["user_action"]);

        let formats = config(&[
            ("agent_id", Value::string("copilot")),
            ("agent_risk", Value::string("hidden")),
            ("application_id", Value::string(GUID)),
        ]);
        let mut errs = errors_on(&validate(&formats));
        errs.sort();
        assert_eq!(errs, ["agent_id", "agent_risk"]);
        let later = config(&[
            ("agent_id", Value::Unknown),
            ("application_id", Value::string(GUID)),
            ("user_id", Value::string(GUID)),
        ]);
        assert!(validate(&later).is_empty(), "unknown until apply");
    }

    #[test]
    fn agent_risk_belongs_to_an_agent_identity_or_an_agent_user() {
        let agent_user = config(&[
            ("user_id", Value::string(GUID)),
            ("agent_user", Value::Bool(true)),
            ("agent_risk", Value::string("medium")),
            ("application_id", Value::string(GUID)),
        ]);
        assert!(
            validate(&agent_user).is_empty(),
            "{}",
            validate(&agent_user)
        );
        let s = sign_in(&agent_user);
        assert!(s.agent_user);
        assert_eq!(s.agent_risk.as_deref(), Some("medium"));

        let human = config(&[
            ("user_id", Value::string(GUID)),
            ("agent_user", Value::Bool(false)),
            ("agent_risk", Value::string("medium")),
            ("application_id", Value::string(GUID)),
        ]);
        assert_eq!(errors_on(&validate(&human)), ["agent_risk"]);
        let workload = config(&[
            ("service_principal_id", Value::string(GUID)),
            ("agent_risk", Value::string("high")),
            ("application_id", Value::string(GUID)),
        ]);
        assert_eq!(errors_on(&validate(&workload)), ["agent_risk"]);
        let workload_user = config(&[
            ("service_principal_id", Value::string(GUID)),
            ("agent_user", Value::Bool(true)),
            ("application_id", Value::string(GUID)),
        ]);
        assert_eq!(errors_on(&validate(&workload_user)), ["agent_user"]);
    }

    #[test]
    fn the_outcome_fills_every_computed_attribute() {
        let c = config(&[("application_id", Value::string(GUID))]);
        let outcome = Outcome {
            policies: vec![crate::whatif::Matched {
                id: "p".into(),
                display_name: "CA1".into(),
                state: "enabled".into(),
                enforced: true,
            }],
            grant_requirements: vec![Requirement {
                policy_id: "p".into(),
                operator: "AND".into(),
                built_in_controls: vec!["riskRemediation".into()],
                authentication_strength_id: Some("00000000-0000-0000-0000-000000000002".into()),
                terms_of_use: vec![],
                custom_authentication_factors: vec![],
            }],
            session: Session {
                sign_in_frequency_minutes: Some(60),
                ..Session::default()
            },
            ..Outcome::default()
        };
        let s = state(&c, &outcome);
        assert_eq!(s.get("application_id").as_str(), Some(GUID));
        assert_eq!(
            s.get("policies").elements()[0].get("enforced").as_bool(),
            Some(true)
        );
        assert_eq!(s.get("blocked").as_bool(), Some(false));
        assert_eq!(
            s.get("grant_requirements").elements()[0].get("built_in_controls"),
            &Value::List(vec![Value::string("riskRemediation")])
        );
        assert_eq!(
            s.get("session").get("sign_in_frequency_minutes"),
            &Value::Number(Number::Int(60))
        );
        assert!(s.get("persistent_browser").is_null());
        assert_eq!(s.get("caveats"), &Value::List(vec![]));
    }
}
