//! Graph JSON through every typed model and every pure Graph-to-state mapping the resources, data
//! sources, the what-if engine and the export use. Each `Kind` takes one Graph document (an
//! object, a list of them, or a wrapper like a tenant) and, where the code reads one, a prior
//! state or configuration.

use crate::codec::{check_outgoing_block, schemas};
use serde::de::DeserializeOwned;
use serde_json::Value as Json;
use std::sync::OnceLock;
use terraform_provider_entra::data_sources;
use terraform_provider_entra::export::{self, Tenant};
use terraform_provider_entra::graph::directory_roles::RoleDefinition;
use terraform_provider_entra::graph::models::{
    AuthenticationContext, AuthenticationStrengthPolicy, CombinationConfiguration, NamedLocation,
    PolicyReferences,
};
use terraform_provider_entra::graph::{retry, GraphError};
use terraform_provider_entra::plugin::codec::{encode_block, encode_type};
use terraform_provider_entra::plugin::resource::{MovedFrom, Provider};
use terraform_provider_entra::plugin::value::Value;
use terraform_provider_entra::provider::EntraProvider;
use terraform_provider_entra::resources::conditional_access_policy::{self as ca, from_graph};
use terraform_provider_entra::resources::create_once::same_content;
use terraform_provider_entra::resources::graph_errors::ToDiagnostics;
use terraform_provider_entra::resources::reconcile::fill_unknowns;
use terraform_provider_entra::resources::role_management_policy::{self as pim, rules};
use terraform_provider_entra::resources::{
    authentication_context, authentication_strength_policy as strength, named_location,
};
use terraform_provider_entra::whatif::{self, SignIn};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    AuthenticationContext,
    NamedLocation,
    AuthenticationStrength,
    PolicyReferences,
    ConditionalAccessPolicy,
    RoleManagementPolicy,
    RoleDefinition,
    GraphError,
    Tenant,
    WhatIf,
    MovedFromAzuread,
}

pub const KINDS: &[Kind] = &[
    Kind::AuthenticationContext,
    Kind::NamedLocation,
    Kind::AuthenticationStrength,
    Kind::PolicyReferences,
    Kind::ConditionalAccessPolicy,
    Kind::RoleManagementPolicy,
    Kind::RoleDefinition,
    Kind::GraphError,
    Kind::Tenant,
    Kind::WhatIf,
    Kind::MovedFromAzuread,
];

impl Kind {
    /// The schema whose values `prior` should fit, if this kind reads a prior state or a
    /// configuration.
    pub fn prior_schema(self) -> Option<&'static str> {
        Some(match self {
            Kind::AuthenticationContext => authentication_context::TYPE_NAME,
            Kind::NamedLocation => named_location::TYPE_NAME,
            Kind::AuthenticationStrength => strength::TYPE_NAME,
            Kind::ConditionalAccessPolicy => ca::TYPE_NAME,
            Kind::RoleManagementPolicy => pim::TYPE_NAME,
            Kind::WhatIf => "data.entra_conditional_access_what_if",
            _ => return None,
        })
    }
}

/// `ENTRA_FUZZ_STRICT_STATES=1`: a state built from Graph that does not encode under its
/// schema is a crash. Off by default: Graph answering with a type its documentation excludes
/// (a number where a string belongs) ends in an error diagnostic, which is acceptable.
fn strict() -> bool {
    static STRICT: OnceLock<bool> = OnceLock::new();
    *STRICT.get_or_init(|| std::env::var_os("ENTRA_FUZZ_STRICT_STATES").is_some_and(|v| v == "1"))
}

/// A state the provider would send Terraform: if it encodes under its schema, Terraform gets
/// its normalized form and what it sends back round-trips.
fn check_state(schema: &str, state: &Value) {
    let block = schemas().block(schema);
    if strict() {
        if let Err(e) = encode_block(block, state) {
            panic!("{schema}: a state from Graph does not encode: {e}\n{state:?}");
        }
    }
    check_outgoing_block(block, state);
}

fn typed<T: DeserializeOwned>(j: &Json) -> Option<T> {
    serde_json::from_value(j.clone()).ok()
}

/// The items of a Graph list: a `value` array, a bare array, or a single object.
fn items(j: &Json) -> Vec<&Json> {
    match j {
        Json::Array(a) => a.iter().collect(),
        Json::Object(m) => match m.get("value") {
            Some(Json::Array(a)) => a.iter().collect(),
            _ => vec![j],
        },
        _ => vec![],
    }
}

fn typed_items<T: DeserializeOwned>(j: &Json) -> Vec<T> {
    items(j).into_iter().filter_map(typed).collect()
}

pub fn provider() -> &'static EntraProvider {
    static PROVIDER: OnceLock<EntraProvider> = OnceLock::new();
    PROVIDER.get_or_init(EntraProvider::default)
}

/// Raw bytes as a Graph response body for `kind`: parsed straight into the typed models (serde's
/// streaming path) and, as a JSON document, through everything `exercise` runs.
pub fn exercise_bytes(kind: Kind, bytes: &[u8]) {
    match kind {
        Kind::AuthenticationContext => {
            let _ = serde_json::from_slice::<AuthenticationContext>(bytes);
        }
        Kind::NamedLocation => {
            let _ = serde_json::from_slice::<NamedLocation>(bytes);
        }
        Kind::AuthenticationStrength => {
            let _ = serde_json::from_slice::<AuthenticationStrengthPolicy>(bytes);
            let _ = serde_json::from_slice::<Vec<CombinationConfiguration>>(bytes);
        }
        Kind::PolicyReferences => {
            let _ = serde_json::from_slice::<PolicyReferences>(bytes);
        }
        Kind::RoleDefinition => {
            let _ = serde_json::from_slice::<RoleDefinition>(bytes);
        }
        Kind::GraphError => {
            let e = GraphError::from_response("GET", "/v1.0/x", 400, None, bytes);
            let _ = e.to_diagnostics("read x");
            let _ = std::str::from_utf8(bytes).map(|s| retry::wait_for(Some(s), 0));
        }
        _ => {}
    }
    if let Ok(doc) = serde_json::from_slice::<Json>(bytes) {
        exercise(kind, &doc, &Value::Null);
    }
}

/// Runs everything that reads Graph's `doc` as `kind`. `prior` is the prior state (or, for the
/// what-if, the configuration); null when there is none.
pub fn exercise(kind: Kind, doc: &Json, prior: &Value) {
    match kind {
        Kind::AuthenticationContext => authentication_contexts(doc, prior),
        Kind::NamedLocation => named_locations(doc, prior),
        Kind::AuthenticationStrength => strengths(doc, prior),
        Kind::PolicyReferences => policy_references(doc),
        Kind::ConditionalAccessPolicy => conditional_access_policies(doc, prior),
        Kind::RoleManagementPolicy => role_management_policies(doc, prior),
        Kind::RoleDefinition => drop(typed_items::<RoleDefinition>(doc)),
        Kind::GraphError => graph_error(doc),
        Kind::Tenant => tenant(doc),
        Kind::WhatIf => what_if(doc, prior),
        Kind::MovedFromAzuread => moved_from_azuread(doc),
    }
}

/// The state an import of `doc` (its first item) ends with: a prior for another document.
pub fn state_of(kind: Kind, doc: &Json) -> Value {
    let Some(first) = items(doc).into_iter().next() else {
        return Value::Null;
    };
    match kind {
        Kind::AuthenticationContext => typed(first)
            .map(|c| authentication_context::from_graph(&c, &Value::Null))
            .unwrap_or(Value::Null),
        Kind::NamedLocation => typed(first)
            .map(|l| named_location::imported_state(&l))
            .unwrap_or(Value::Null),
        Kind::AuthenticationStrength => typed::<AuthenticationStrengthPolicy>(first)
            .map(|p| {
                let configs = p.combination_configurations.clone().unwrap_or_default();
                strength::imported_state(&p, &configs)
            })
            .unwrap_or(Value::Null),
        Kind::ConditionalAccessPolicy => ca::imported_state(first),
        Kind::RoleManagementPolicy => pim::imported_state(first)
            .map(|(_, s)| s)
            .unwrap_or(Value::Null),
        _ => Value::Null,
    }
}

fn first_name<T>(all: &[T], name: impl Fn(&T) -> Option<&String>) -> String {
    all.first().and_then(name).cloned().unwrap_or_default()
}

fn authentication_contexts(doc: &Json, prior: &Value) {
    let all: Vec<AuthenticationContext> = typed_items(doc);
    for ctx in &all {
        // It also serializes (the sim and tests write it): that must give it back.
        let again: AuthenticationContext =
            serde_json::from_value(serde_json::to_value(ctx).expect("serializing a context"))
                .expect("a serialized context deserializes");
        assert_eq!(&again, ctx);
        for p in [&Value::Null, prior] {
            let state = authentication_context::from_graph(ctx, p);
            check_state(authentication_context::TYPE_NAME, &state);
            let _ = authentication_context::to_graph(&state);
        }
        check_state(
            "data.entra_authentication_context",
            &authentication_context::from_graph(ctx, &Value::Null),
        );
    }
    let name = first_name(&all, |c| c.display_name.as_ref());
    let _ = data_sources::authentication_context::pick_by_name(all, &name);
}

/// What a create does with Graph's answer: the planned state (`prior` stands in for it) with
/// its unknowns filled from Graph's object, which is also compared with the body sent, as when
/// the answer was lost and the object is looked for.
fn created(schema: &str, planned: &Value, from_graph: &Value, body: &Json, held: &Json) {
    check_state(schema, &fill_unknowns(planned, from_graph));
    let _ = same_content(body, held);
}

fn named_locations(doc: &Json, prior: &Value) {
    let mut all = Vec::new();
    for held in items(doc) {
        let Some(loc) = typed::<NamedLocation>(held) else {
            continue;
        };
        let _ = named_location::kind(&loc);
        for state in [
            named_location::from_graph(&loc),
            named_location::imported_state(&loc),
            named_location::state_from_graph(&loc, prior),
        ] {
            check_state(named_location::TYPE_NAME, &state);
            let body = named_location::to_graph(&state);
            created(named_location::TYPE_NAME, prior, &state, &body, held);
        }
        check_state(
            "data.entra_named_location",
            &data_sources::named_location::from_graph(&loc),
        );
        all.push(loc);
    }
    let name = first_name(&all, |l| l.display_name.as_ref());
    if let Ok(state) = data_sources::named_location::pick_by_name(all, &name) {
        check_state("data.entra_named_location", &state);
    }
}

fn strengths(doc: &Json, prior: &Value) {
    let mut all = Vec::new();
    // Configurations come inline (`$expand`) or from their own listing.
    let listed: Vec<CombinationConfiguration> = typed_items(&doc["combinationConfigurations"]);
    for held in items(doc) {
        let Some(p) = typed::<AuthenticationStrengthPolicy>(held) else {
            continue;
        };
        let configs = p
            .combination_configurations
            .clone()
            .unwrap_or(listed.clone());
        for state in [
            strength::from_graph(&p, &configs),
            strength::imported_state(&p, &configs),
            strength::state_from_graph(&p, &configs, prior),
        ] {
            check_state(strength::TYPE_NAME, &state);
            let body = strength::create_body(&state);
            created(strength::TYPE_NAME, prior, &state, &body, held);
            for (_, body) in strength::configuration_bodies(&state) {
                for config in items(&held["combinationConfigurations"]) {
                    let _ = same_content(&body, config);
                }
            }
        }
        check_state(
            "data.entra_authentication_strength_policy",
            &data_sources::authentication_strength_policy::from_graph(&p),
        );
        all.push(p);
    }
    let name = first_name(&all, |p| p.display_name.as_ref());
    if let Ok(state) = data_sources::authentication_strength_policy::pick_by_name(all, &name) {
        check_state("data.entra_authentication_strength_policy", &state);
    }
}

fn policy_references(doc: &Json) {
    let all: Vec<PolicyReferences> = typed_items(doc);
    let ids: Vec<&str> = items(doc)
        .into_iter()
        .flat_map(|p| {
            [
                p["conditions"]["applications"]["includeAuthenticationContextClassReferences"][0]
                    .as_str(),
                p["conditions"]["locations"]["includeLocations"][0].as_str(),
                p["grantControls"]["authenticationStrength"]["id"].as_str(),
            ]
        })
        .flatten()
        .collect();
    for p in &all {
        let _ = p.label();
        for id in ids.iter().chain(&["c1", ""]) {
            let _ = p.uses_authentication_context(id);
            let _ = p.uses_named_location(id);
            let _ = p.uses_authentication_strength(id);
        }
    }
}

fn conditional_access_policies(doc: &Json, prior: &Value) {
    let policies = items(doc);
    for p in &policies {
        let _ = typed::<PolicyReferences>(p).map(|r| r.label());
        let read = from_graph::state(p);
        let imported = ca::imported_state(p);
        let reconciled = ca::state_from_graph(p, prior);
        for state in [&read, &imported, &reconciled] {
            check_state(ca::TYPE_NAME, state);
        }
        // A create of the state; then an update: the body written from the state, with what
        // the schema cannot express carried over from Graph's current policy.
        let sent = ca::as_graph(&reconciled);
        created(ca::TYPE_NAME, prior, &reconciled, &sent, p);
        let unmodeled = ca::unmodeled::unmodeled(p);
        let mut body = sent;
        ca::unmodeled::carry_over(&mut body, p, &unmodeled);
        // The what-if engine reads policies as Graph returns them and as we write them.
        let sign_in = SignIn {
            user_id: p["conditions"]["users"]["includeUsers"][0]
                .as_str()
                .map(str::to_string),
            application_id: Some("All".into()),
            ..SignIn::default()
        };
        let _ = whatif::evaluate(
            &[(*p).clone(), body, ca::as_graph(&imported)],
            &[],
            &sign_in,
        );
        // The what-if function, on the policy as its state: the answer must fit its type.
        let sign_in = Value::Map(
            [
                ("user_id".to_string(), Value::string("u")),
                ("application_id".to_string(), Value::string("All")),
            ]
            .into(),
        );
        call_function(
            "what_if",
            &[
                Value::List(vec![reconciled.clone(), imported.clone()]),
                sign_in,
            ],
        );
    }
}

/// Calls a provider function as the server does; a result must encode under its return type.
pub fn call_function(name: &str, args: &[Value]) {
    let Some(f) = provider()
        .functions()
        .into_iter()
        .find(|f| f.name() == name)
    else {
        panic!("no function {name}");
    };
    let signature = f.signature();
    assert_eq!(
        args.len(),
        signature.parameters.len(),
        "{name}: argument count"
    );
    if let Ok(result) = f.call(args) {
        if let Err(e) = encode_type(&signature.returns, &result) {
            panic!("{name}: the result does not fit the return type: {e}\n{result:?}");
        }
    }
}

fn role_management_policies(doc: &Json, prior: &Value) {
    for assignment in items(doc) {
        if let Some((_, state)) = pim::imported_state(assignment) {
            check_state(pim::TYPE_NAME, &state);
        }
        let Some(policy_rules) = assignment["policy"]["rules"].as_array() else {
            continue;
        };
        // The data source: every block, whatever the prior.
        let mut fields = vec![
            ("id".to_string(), Value::string("r")),
            ("role_definition_id".to_string(), Value::string("r")),
            ("policy_id".to_string(), Value::string("p")),
        ];
        fields.extend(rules::state_blocks(policy_rules, &Value::Null));
        check_state(
            "data.entra_role_management_policy",
            &Value::Object(fields.into_iter().collect()),
        );
        // A refresh shaped by the prior state, and an update towards it.
        let _ = rules::state_blocks(policy_rules, prior);
        let desired = rules::desired(policy_rules, prior);
        for rule in rules::changes(policy_rules, &desired) {
            let _ = rules::body(&rule);
        }
        for rule in policy_rules {
            if let Some(d) = rule["maximumDuration"].as_str() {
                let _ = rules::duration_seconds(d);
            }
        }
    }
}

fn graph_error(doc: &Json) {
    let body = serde_json::to_vec(doc).expect("serializing JSON");
    let status = doc["status"].as_u64().unwrap_or(400) as u16;
    let request_id = doc["requestId"].as_str().map(str::to_string);
    let e = GraphError::from_response("PATCH", "/beta/x", status, request_id, &body);
    let _ = e.to_string();
    let _ = e.is_not_found();
    if let Some(after) = doc["retryAfter"].as_str() {
        let _ = retry::wait_for(Some(after), 3);
    }
}

/// A tenant as the export reads it: `{"policies": [...], "contexts": [...], ...}`.
fn tenant_from(doc: &Json) -> Tenant {
    let json_items = |key: &str| items(&doc[key]).into_iter().cloned().collect();
    Tenant {
        policies: json_items("policies"),
        contexts: typed_items(&doc["contexts"]),
        locations: typed_items(&doc["locations"]),
        strengths: typed_items::<AuthenticationStrengthPolicy>(&doc["strengths"])
            .into_iter()
            .map(|mut s| {
                let configs = s.combination_configurations.take().unwrap_or_default();
                (s, configs)
            })
            .collect(),
        role_policies: json_items("rolePolicies"),
        roles: typed_items(&doc["roles"]),
    }
}

fn tenant(doc: &Json) {
    let out = export::generate(&tenant_from(doc));
    drop((out.files, out.summary));
}

/// Policies and named locations as the what-if data source and function read them, with the
/// data source's configuration as `config`.
fn what_if(doc: &Json, config: &Value) {
    let policies: Vec<Json> = items(&doc["policies"]).into_iter().cloned().collect();
    let locations: Vec<Json> = items(&doc["namedLocations"]).into_iter().cloned().collect();
    let sign_in = data_sources::conditional_access_what_if::sign_in(config);
    let outcome = whatif::evaluate(&policies, &locations, &sign_in);
    let state = data_sources::conditional_access_what_if::state(config, &outcome);
    check_state("data.entra_conditional_access_what_if", &state);
}

/// azuread's stored state handed over by a `moved` block, to every resource type.
fn moved_from_azuread(doc: &Json) {
    let provider_name = doc["provider"]
        .as_str()
        .unwrap_or("registry.terraform.io/hashicorp/azuread");
    let types: Vec<&str> = match doc["type"].as_str() {
        Some(t) => vec![t],
        None => vec![
            "azuread_conditional_access_policy",
            "azuread_named_location",
            "azuread_authentication_strength_policy",
        ],
    };
    let state = &doc["state"];
    for r in provider().resources() {
        for type_name in &types {
            let from = MovedFrom {
                provider: provider_name,
                type_name,
                schema_version: doc["schemaVersion"].as_i64().unwrap_or(0),
                state,
            };
            if let Some(Ok(moved)) = r.move_from(&from) {
                check_state(r.type_name(), &moved);
            }
        }
    }
}
