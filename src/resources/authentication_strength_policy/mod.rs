//! `entra_authentication_strength_policy`: a custom authentication strength, the set of method
//! combinations a Conditional Access grant can require. azuread's HCL, including its
//! `fido2_combination_configuration` and `x509_certificate_combination_configuration` blocks.
//!
//! Graph splits the object over three write paths: PATCH for name and description, the
//! `updateAllowedCombinations` action for combinations, and a sub-collection for combination
//! configurations. Built-in strengths cannot be changed, so they are only readable (data source).

use crate::graph::ids::is_guid;
use crate::graph::models::{
    AuthenticationStrengthPolicy, CombinationConfiguration, PolicyReferences,
};
use crate::graph::{Api, GraphClient, GraphError};
use crate::plugin::diag::Diagnostics;
use crate::plugin::resource::{
    Applied, Fetched, Imported, MovedFrom, PlanRequest, Planned, Resource,
};
use crate::plugin::schema::{Attribute, Block, Mode, NestedBlock, Schema, Type};
use crate::plugin::value::Value;
use crate::resources::conditional_access_policy::vocabulary::AUTH_STRENGTH_PATH;
use crate::resources::connection::Connection;
use crate::resources::create_once::CreateOnce;
use crate::resources::eventual;
use crate::resources::graph_errors::ToDiagnostics;
use crate::resources::limits::Limit;
use crate::resources::moved_from_azuread;
use crate::resources::reconcile::{fill_unknowns, reconcile, Rules};
use crate::resources::references::policies_using;
use serde_json::{json, Value as Json};

mod validate;

#[cfg(test)]
pub(crate) use validate::MODES;
pub use validate::{normalize_combination, validate};

/// The name written in HCL (`Resource::type_name`).
pub const TYPE_NAME: &str = "entra_authentication_strength_policy";
/// Where Graph keeps the strengths, built-in and custom.
pub const COLLECTION: &str = "/policies/authenticationStrengthPolicies";
/// The block that narrows the FIDO2 combination to some security keys.
pub const FIDO2: &str = "fido2_combination_configuration";
/// The block that narrows the certificate combinations to some issuers or policies.
pub const X509: &str = "x509_certificate_combination_configuration";
const FIDO2_TYPE: &str = "#microsoft.graph.fido2CombinationConfiguration";
const X509_TYPE: &str = "#microsoft.graph.x509CertificateCombinationConfiguration";
/// Multifactor authentication, Passwordless MFA, Phishing-resistant MFA: the same in every tenant.
pub const BUILT_IN_IDS: &[&str] = &[
    "00000000-0000-0000-0000-000000000002",
    "00000000-0000-0000-0000-000000000003",
    "00000000-0000-0000-0000-000000000004",
];

/// azuread's attributes, plus a block for each combination configuration.
pub fn schema() -> Schema {
    Schema {
        version: 0,
        block: Block {
            attributes: vec![
                Attribute::new("id", Type::String, Mode::Computed, "`/policies/authenticationStrengthPolicies/{object_id}`, azuread's id; `authentication_strength_policy_id` of a Conditional Access policy accepts it."),
                Attribute::new("object_id", Type::String, Mode::Computed, "The strength's GUID."),
                Attribute::new("display_name", Type::String, Mode::Required, "Name shown in the Conditional Access grant screen."),
                Attribute::new("description", Type::String, Mode::Optional, "What the strength is for."),
                Attribute::new("allowed_combinations", Type::set(Type::String), Mode::Required, "Method combinations that satisfy the strength, e.g. `fido2` or `password,sms`."),
            ],
            block_types: vec![
                NestedBlock::once(FIDO2, vec![
                    Attribute::new("allowed_aaguids", Type::set(Type::String), Mode::Required, "AAGUIDs of the FIDO2 security key models allowed."),
                    Attribute::new("id", Type::String, Mode::Computed, "The configuration's id in Graph."),
                ], vec![], "Restricts the `fido2` combination to some security key models."),
                NestedBlock::once(X509, vec![
                    Attribute::new("applies_to_combinations", Type::set(Type::String), Mode::Required, "`x509CertificateSingleFactor` and/or `x509CertificateMultiFactor`."),
                    Attribute::new("allowed_issuer_skis", Type::set(Type::String), Mode::Optional, "Subject key identifiers (hex) of the allowed certificate issuers."),
                    Attribute::new("allowed_policy_oids", Type::set(Type::String), Mode::Optional, "Allowed certificate policy OIDs."),
                    Attribute::new("id", Type::String, Mode::Computed, "The configuration's id in Graph."),
                ], vec![], "Restricts certificate-based authentication to some issuers or certificate policies."),
                crate::plugin::timeouts::block(),
            ],
            description: "A custom authentication strength for Conditional Access.".into(),
        },
    }
}

/// The combinations as Graph's request bodies carry them.
fn combinations_json(state: &Value) -> Vec<String> {
    state
        .get("allowed_combinations")
        .strs()
        .into_iter()
        .map(normalize_combination)
        .collect()
}

/// The POST body of a new strength.
pub fn create_body(state: &Value) -> Json {
    json!({
        "displayName": state.get("display_name").as_str(),
        "description": state.get("description").as_str(),
        "allowedCombinations": combinations_json(state),
    })
}

/// The combination configuration bodies a state asks for, by block name.
pub fn configuration_bodies(state: &Value) -> Vec<(&'static str, Json)> {
    let mut out = Vec::new();
    let fido2 = state.block(FIDO2);
    if !fido2.is_null() {
        out.push((
            FIDO2,
            json!({
                "@odata.type": FIDO2_TYPE,
                "allowedAAGUIDs": fido2.get("allowed_aaguids").strs(),
                "appliesToCombinations": ["fido2"],
            }),
        ));
    }
    let x509 = state.block(X509);
    if !x509.is_null() {
        out.push((
            X509,
            json!({
                "@odata.type": X509_TYPE,
                "allowedIssuerSkis": x509.get("allowed_issuer_skis").strs(),
                "allowedPolicyOIDs": x509.get("allowed_policy_oids").strs(),
                "appliesToCombinations": x509.get("applies_to_combinations").strs(),
            }),
        ));
    }
    out
}

/// Which block a configuration from Graph belongs to.
fn block_of(c: &CombinationConfiguration) -> Option<&'static str> {
    match c.odata_type.as_deref() {
        Some(t) if t.ends_with("fido2CombinationConfiguration") => Some(FIDO2),
        Some(t) if t.ends_with("x509CertificateCombinationConfiguration") => Some(X509),
        Some(_) => None,
        None if c.allowed_aaguids.is_some() => Some(FIDO2),
        None => Some(X509),
    }
}

/// A configuration's list; none or an empty one is unset, as a configuration that leaves the
/// attribute out has it.
fn strings(v: &Option<Vec<String>>) -> Value {
    match v {
        Some(items) if !items.is_empty() => {
            Value::string_set(items.iter().map(|s| s.trim().to_string()))
        }
        _ => Value::Null,
    }
}

/// The state for a strength and its configurations as Graph holds them.
pub fn from_graph(p: &AuthenticationStrengthPolicy, configs: &[CombinationConfiguration]) -> Value {
    let block = |name: &str| {
        // One block of each kind, as in azuread; a second one made in the portal is not shown.
        let items: Vec<Value> = configs
            .iter()
            .filter(|c| block_of(c) == Some(name))
            .take(1)
            .map(|c| {
                let applies = Value::string_set(
                    c.applies_to_combinations
                        .iter()
                        .map(|s| s.trim().to_string()),
                );
                if name == FIDO2 {
                    Value::object([
                        ("allowed_aaguids", strings(&c.allowed_aaguids)),
                        ("id", Value::string(&c.id)),
                    ])
                } else {
                    Value::object([
                        ("applies_to_combinations", applies),
                        ("allowed_issuer_skis", strings(&c.allowed_issuer_skis)),
                        ("allowed_policy_oids", strings(&c.allowed_policy_oids)),
                        ("id", Value::string(&c.id)),
                    ])
                }
            })
            .collect();
        Value::List(items)
    };
    Value::object([
        ("id", Value::string(format!("{AUTH_STRENGTH_PATH}{}", p.id))),
        ("object_id", Value::string(&p.id)),
        ("display_name", Value::opt_string(p.display_name.clone())),
        ("description", Value::opt_string(p.description.clone())),
        (
            "allowed_combinations",
            Value::string_set(p.allowed_combinations.iter().cloned()),
        ),
        (FIDO2, block(FIDO2)),
        (X509, block(X509)),
    ])
}

fn normalized_set(v: &Value) -> Vec<String> {
    let mut s: Vec<String> = v.strs().into_iter().map(normalize_combination).collect();
    s.sort();
    s.dedup();
    s
}

struct StrengthRules;

impl Rules for StrengthRules {
    fn case_insensitive(&self, path: &str) -> bool {
        path.ends_with("allowed_aaguids") || path.ends_with("allowed_issuer_skis")
    }

    fn equivalent(&self, path: &str, new: &Value, prior: &Value) -> Option<bool> {
        if path == "allowed_combinations" || path.ends_with("applies_to_combinations") {
            return Some(normalized_set(new) == normalized_set(prior));
        }
        // No list and an empty one are the same to Graph: keep the form the user wrote.
        let lists = [
            "allowed_aaguids",
            "allowed_issuer_skis",
            "allowed_policy_oids",
        ];
        let empty = |v: &Value| !v.is_unknown() && v.elements().is_empty();
        (lists.iter().any(|l| path.ends_with(l)) && empty(new) && empty(prior)).then_some(true)
    }
}

/// The state for Graph's strength and its configurations, in the user's form (`prior`) wherever
/// the two are equivalent.
pub fn state_from_graph(
    p: &AuthenticationStrengthPolicy,
    configs: &[CombinationConfiguration],
    prior: &Value,
) -> Value {
    reconcile(
        &StrengthRules,
        &schema().block,
        "",
        &from_graph(p, configs),
        prior,
    )
}

/// The state an import of `p` ends with (export writes configuration from it).
pub fn imported_state(
    p: &AuthenticationStrengthPolicy,
    configs: &[CombinationConfiguration],
) -> Value {
    state_from_graph(p, configs, &adopted(&p.id))
}

fn set(v: &mut Value, key: &str, value: Value) {
    if let Value::Object(m) = v {
        m.insert(key.into(), value);
    }
}

/// The configuration id the prior state has for block `name`, if any.
fn prior_config_id<'a>(prior: &'a Value, name: &str) -> Option<&'a str> {
    prior.block(name).get("id").as_str()
}

/// The configuration, with each configuration block keeping its Graph id while it stays (unknown
/// for a new one).
pub fn plan(req: &PlanRequest<'_>) -> Planned {
    let mut planned = req.proposed.clone();
    // A configuration keeps its id while its block stays (it is updated in place).
    for name in [FIDO2, X509] {
        let id = prior_config_id(req.prior, name)
            .map(Value::string)
            .unwrap_or(Value::Unknown);
        if let Value::Object(m) = &mut planned {
            if let Some(Value::List(items)) = m.get_mut(name) {
                if let Some(element) = items.first_mut() {
                    set(element, "id", id);
                }
            }
        }
    }
    Planned {
        state: planned,
        requires_replace: vec![],
    }
}

/// Combinations the prior state allows and the planned one no longer does (Graph's form).
pub fn removed_combinations(prior: &Value, planned: &Value) -> Vec<String> {
    let after = planned.get("allowed_combinations");
    if prior.is_null() || !after.is_wholly_known() {
        return vec![];
    }
    let after = normalized_set(after);
    normalized_set(prior.get("allowed_combinations"))
        .into_iter()
        .filter(|c| !after.contains(c))
        .collect()
}

/// The plan-time warning when removed combinations change what policies using the strength accept.
pub fn weakening_warning(
    name: &str,
    removed: &[String],
    users: &[PolicyReferences],
) -> Diagnostics {
    let mut d = Diagnostics::default();
    if removed.is_empty() || users.is_empty() {
        return d;
    }
    d.push_warning(
        format!("Changing authentication strength \"{name}\" affects {} Conditional Access polic{}", users.len(), if users.len() == 1 { "y" } else { "ies" }),
        format!(
            "This plan removes {} from the allowed combinations. Users who can only sign in with {} will no longer satisfy these policies: {}.",
            removed.join("; "),
            if removed.len() == 1 { "it" } else { "them" },
            users.iter().map(PolicyReferences::label).collect::<Vec<_>>().join(", ")
        ),
    );
    d
}

/// The GUID in an id given as a GUID or as `/policies/authenticationStrengthPolicies/{id}`.
pub fn guid_of(id: &str) -> &str {
    id.strip_prefix(AUTH_STRENGTH_PATH).unwrap_or(id)
}

/// The error for a built-in strength met in a read or an import: Microsoft owns it, and the data
/// source is the way to refer to it.
pub fn built_in_error(id: &str) -> Diagnostics {
    Diagnostics::error(
        "Built-in authentication strengths cannot be managed",
        format!("{id} is a built-in authentication strength: Microsoft maintains it and Graph refuses changes to it. Refer to it with the entra_authentication_strength_policy data source (by display_name or id) instead of a resource."),
    )
}

fn item_path(guid: &str) -> String {
    format!("{COLLECTION}/{guid}")
}

fn configs_path(guid: &str) -> String {
    format!("{COLLECTION}/{guid}/combinationConfigurations")
}

/// The strength and its configurations: inline when Graph expands them, else from the
/// sub-collection. `None` when the strength does not exist.
pub async fn fetch(
    client: &GraphClient,
    guid: &str,
) -> Result<Option<(AuthenticationStrengthPolicy, Vec<CombinationConfiguration>)>, GraphError> {
    let Some(mut p) = client
        .get_opt::<AuthenticationStrengthPolicy>(Api::V1, &item_path(guid))
        .await?
    else {
        return Ok(None);
    };
    let configs = match p.combination_configurations.take() {
        Some(c) => c,
        None => client.list(Api::V1, &configs_path(guid)).await?,
    };
    Ok(Some((p, configs)))
}

/// `entra_authentication_strength_policy`.
pub struct AuthenticationStrengthPolicyResource {
    /// Reads go through the connection's one listing of strengths.
    conn: Connection,
    create_once: CreateOnce,
    /// Graph's 15 custom strengths, counted across the plan.
    limit: Limit,
}

/// Graph's limit of custom strengths per tenant (graph-api.md section 5).
const MAX_CUSTOM: usize = 15;

impl AuthenticationStrengthPolicyResource {
    /// The resource, working through `conn` once the provider is configured.
    pub fn new(conn: Connection) -> Self {
        AuthenticationStrengthPolicyResource {
            conn,
            create_once: CreateOnce::default(),
            limit: Limit::new(MAX_CUSTOM, "custom authentication strengths"),
        }
    }

    /// Graph's limit of custom strengths, for a create, counted across the plan.
    async fn limit_check(&self, planned: &Value) -> Diagnostics {
        let Ok(client) = self.conn.client() else {
            return Diagnostics::default();
        };
        let strengths = &self.conn.objects().strengths;
        match strengths.all(client).await {
            Ok(all) => {
                // Built-ins do not count; strengths this process made may not be listed yet.
                let custom = all.values().filter(|s| s["policyType"] == "custom").count()
                    + strengths.made_beyond(&all);
                let name = planned.get("display_name").as_str().unwrap_or_default();
                self.limit.plan_create(name, custom)
            }
            // The limit is then Graph's to enforce at apply.
            Err(_) => Diagnostics::default(),
        }
    }

    /// After a failed write, what Graph now holds, so the saved state matches it.
    async fn state_after_failure(&self, guid: &str, prior: &Value, diags: Diagnostics) -> Applied {
        let reread = match self.conn.client() {
            Ok(c) => fetch(c, guid)
                .await
                .map_err(|e| e.to_diagnostics(&format!("read authentication strength {guid}"))),
            Err(d) => Err(d),
        };
        Applied::after_failed_write(
            reread.map(|found| found.map(|(p, c)| state_from_graph(&p, &c, prior))),
            prior,
            diags,
        )
    }

    /// Deletes the configurations the planned state drops, then writes the ones it has: the
    /// second step runs after combinations change, since a configuration needs its combination.
    async fn remove_configurations(
        &self,
        client: &GraphClient,
        guid: &str,
        prior: &Value,
        planned: &Value,
    ) -> Result<(), GraphError> {
        for name in [FIDO2, X509] {
            if let (Some(id), true) = (prior_config_id(prior, name), planned.block(name).is_null())
            {
                match client
                    .delete(Api::V1, &format!("{}/{id}", configs_path(guid)))
                    .await
                {
                    Err(e) if !e.is_not_found() => return Err(e),
                    _ => {}
                }
            }
        }
        Ok(())
    }

    /// Creates or updates the planned configurations; the ids Graph has for them, by block.
    /// A configuration whose create lost its answer and was found is reported in `warnings`.
    async fn write_configurations(
        &self,
        client: &GraphClient,
        guid: &str,
        prior: &Value,
        planned: &Value,
        warnings: &mut Diagnostics,
    ) -> Result<Value, GraphError> {
        let mut ids = Vec::new();
        for (name, body) in configuration_bodies(planned) {
            let id = match prior_config_id(prior, name) {
                Some(id) => {
                    if prior.get(name) != planned.get(name) {
                        client
                            .patch(Api::V1, &format!("{}/{id}", configs_path(guid)), &body)
                            .await?;
                    }
                    id.to_string()
                }
                None => {
                    let what = format!("{name} configuration of authentication strength {guid}");
                    let created = self
                        .create_once
                        .post(client, Api::V1, &configs_path(guid), &body, &what)
                        .await?;
                    warnings.extend(created.warnings);
                    created.object["id"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string()
                }
            };
            ids.push((
                name,
                Value::List(vec![Value::object([("id", Value::string(id))])]),
            ));
        }
        Ok(Value::object(ids))
    }
}

#[async_trait::async_trait]
impl Resource for AuthenticationStrengthPolicyResource {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        schema()
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        validate(config)
    }

    fn plan(&self, req: &PlanRequest<'_>) -> Result<Planned, Diagnostics> {
        // A lost create of this process must not take an object a state holds.
        if let Some(id) = req.prior.get("id").as_str() {
            self.create_once.saw(guid_of(id));
        }
        Ok(plan(req))
    }

    async fn plan_checks(&self, prior: &Value, planned: &Value) -> Diagnostics {
        if prior.is_null() {
            return self.limit_check(planned).await;
        }
        let removed = removed_combinations(prior, planned);
        if removed.is_empty() {
            return Diagnostics::default();
        }
        let guid = prior.get("object_id").as_str().unwrap_or_default();
        let name = prior.get("display_name").as_str().unwrap_or(guid);
        match policies_using(&self.conn, |p| p.uses_authentication_strength(guid))
            .await
            .map_err(|e| {
                e.to_diagnostics(&format!(
                    "check which policies use authentication strength {guid}"
                ))
            }) {
            Ok(users) => weakening_warning(name, &removed, &users),
            Err(d) => {
                // The check is advice: if it cannot run, say so and let the plan go on.
                let mut w = Diagnostics::default();
                w.push_warning(
                    "Could not check which policies use this authentication strength",
                    d.to_string(),
                );
                w
            }
        }
    }

    async fn create(&self, planned: &Value) -> Applied {
        let client = match self.conn.client() {
            Ok(c) => c,
            Err(d) => return Applied::failed(None, d),
        };
        let name = planned.get("display_name").as_str().unwrap_or_default();
        let what = format!("authentication strength \"{name}\"");
        let posted = self
            .create_once
            .post(client, Api::V1, COLLECTION, &create_body(planned), &what)
            .await;
        self.limit.done(name);
        let (created, mut warnings) = match posted {
            Ok(c) => (c.object, c.warnings),
            Err(e) => return Applied::failed(None, e.to_diagnostics(&format!("create {what}"))),
        };
        let created: AuthenticationStrengthPolicy = match serde_json::from_value(created.clone()) {
            Ok(p) => p,
            Err(e) => {
                // It exists: keep its id so the next refresh reads it rather than losing it.
                let id = created["id"].as_str().unwrap_or_default();
                return Applied::failed(
                    (!id.is_empty()).then(|| adopted(id)),
                    Diagnostics::error(
                        format!("Could not read Graph's answer to creating {what}"),
                        format!(
                            "Graph created it as {id} but its answer has an unexpected shape: {e}"
                        ),
                    ),
                );
            }
        };
        // Not added to the shared listing: Graph's answer lacks the configurations written next.
        self.conn.objects().strengths.will_make(&created.id);
        match self
            .write_configurations(client, &created.id, &Value::Null, planned, &mut warnings)
            .await
        {
            Ok(ids) => {
                let mut graph = from_graph(&created, &[]);
                for name in [FIDO2, X509] {
                    if !ids.get(name).is_null() {
                        set(&mut graph, name, ids.get(name).clone());
                    }
                }
                Applied::ok(fill_unknowns(planned, &graph))
                    .with_warnings(warnings)
                    .with_private(eventual::seen_now())
            }
            Err(e) => {
                let d = e.to_diagnostics(&format!("configure authentication strength \"{name}\""));
                self.state_after_failure(&created.id, &Value::Null, d).await
            }
        }
    }

    async fn read(&self, state: &Value, private: &[u8]) -> Result<Fetched, Diagnostics> {
        let guid = guid_of(state.get("id").as_str().unwrap_or_default()).to_string();
        self.create_once.saw(&guid);
        let client = self.conn.client()?;
        let all = self.conn.objects().strengths.all(client).await?;
        // The listing carries each strength's configurations inline when Graph includes them;
        // otherwise (or when the listing lacks the strength) read it on its own.
        let listed = all.get(&guid.to_lowercase()).and_then(|j| {
            let mut p: AuthenticationStrengthPolicy = serde_json::from_value(j.clone()).ok()?;
            let configs = p.combination_configurations.take()?;
            Some((p, configs))
        });
        let found = match listed {
            Some(hit) => Some(hit),
            None => {
                let what = format!("authentication strength {guid}");
                eventual::unless_replicating(private, &what, || async {
                    fetch(client, &guid).await.map_err(|e| {
                        e.to_diagnostics(&format!("read authentication strength {guid}"))
                    })
                })
                .await?
            }
        };
        let Some((p, configs)) = found else {
            return Ok(Fetched::from(None));
        };
        if p.policy_type.as_deref() == Some("builtIn") {
            return Err(built_in_error(&guid));
        }
        Ok(Fetched {
            state: Some(state_from_graph(&p, &configs, state)),
            warnings: Diagnostics::default(),
        })
    }

    async fn update(&self, prior: &Value, planned: &Value, _private: &[u8]) -> Applied {
        let guid = prior
            .get("object_id")
            .as_str()
            .unwrap_or_default()
            .to_string();
        self.conn.objects().strengths.forget(&guid).await;
        let client = match self.conn.client() {
            Ok(c) => c,
            Err(d) => return Applied::failed(Some(prior.clone()), d),
        };
        let named = |v: &Value| (v.get("display_name").clone(), v.get("description").clone());
        let mut warnings = Diagnostics::default();
        let steps = async {
            if named(prior) != named(planned) {
                let body = json!({"displayName": planned.get("display_name").as_str(), "description": planned.get("description").as_str()});
                client.patch(Api::V1, &item_path(&guid), &body).await?;
            }
            self.remove_configurations(client, &guid, prior, planned)
                .await?;
            if normalized_set(prior.get("allowed_combinations"))
                != normalized_set(planned.get("allowed_combinations"))
            {
                client
                    .post::<Json>(
                        Api::V1,
                        &format!("{}/updateAllowedCombinations", item_path(&guid)),
                        &json!({"allowedCombinations": combinations_json(planned)}),
                    )
                    .await?;
            }
            self.write_configurations(client, &guid, prior, planned, &mut warnings)
                .await
        };
        let written = steps.await;
        match written {
            Ok(ids) => Applied::ok(fill_unknowns(planned, &ids))
                .with_warnings(warnings)
                .with_private(eventual::seen_now()),
            Err(e) => {
                let d = e.to_diagnostics(&format!("update authentication strength {guid}"));
                self.state_after_failure(&guid, prior, d).await
            }
        }
    }

    async fn delete(&self, prior: &Value, _private: &[u8]) -> Applied {
        let guid = prior
            .get("object_id")
            .as_str()
            .unwrap_or_default()
            .to_string();
        self.conn.objects().strengths.forget(&guid).await;
        let name = prior
            .get("display_name")
            .as_str()
            .unwrap_or_default()
            .to_string();
        let client = match self.conn.client() {
            Ok(c) => c,
            Err(d) => return Applied::failed(Some(prior.clone()), d),
        };
        // A policy that requires a deleted strength could no longer be satisfied, and Graph's
        // behaviour there is not documented: check first, so a refused destroy changes nothing.
        match policies_using(&self.conn, |p| p.uses_authentication_strength(&guid)).await.map_err(|e| e.to_diagnostics(&format!("check which policies use authentication strength {guid}"))) {
            Ok(users) if !users.is_empty() => {
                return Applied::failed(Some(prior.clone()), Diagnostics::error(
                    format!("Authentication strength \"{name}\" ({guid}) is still used by Conditional Access"),
                    format!("Remove it from the grant controls of these policies first: {}. Nothing was changed.", users.iter().map(PolicyReferences::label).collect::<Vec<_>>().join(", ")),
                ))
            }
            Ok(_) => {}
            Err(d) => return Applied::failed(Some(prior.clone()), d),
        }
        match client.delete(Api::V1, &item_path(&guid)).await {
            Ok(()) => Applied::gone(),
            Err(e) if e.is_not_found() => Applied::gone(),
            Err(e) => {
                let d = e.to_diagnostics(&format!("delete authentication strength {guid}"));
                self.state_after_failure(&guid, prior, d).await
            }
        }
    }

    /// Accepts the GUID or azuread's `/policies/authenticationStrengthPolicies/{id}`.
    async fn import(&self, id: &str) -> Result<Imported, Diagnostics> {
        let guid = guid_of(id);
        if BUILT_IN_IDS.contains(&guid) {
            return Err(built_in_error(guid));
        }
        if !is_guid(guid) {
            return Err(Diagnostics::error(
                "Invalid import id",
                format!("{id:?} is not an authentication strength id: use its GUID, or {AUTH_STRENGTH_PATH}{{id}}."),
            ));
        }
        Ok(adopted(guid).into())
    }

    fn move_from(&self, from: &MovedFrom<'_>) -> Option<Result<Value, Diagnostics>> {
        moved_from_azuread::object_id(from, "azuread_authentication_strength_policy")
            .map(|id| id.map(|id| adopted(&id)))
    }
}

/// The state of an existing strength this configuration takes over (import, `moved`): its id,
/// the next refresh reads the rest.
fn adopted(guid: &str) -> Value {
    Value::object([
        ("id", Value::string(format!("{AUTH_STRENGTH_PATH}{guid}"))),
        ("object_id", Value::string(guid)),
        ("display_name", Value::Null),
        ("description", Value::Null),
        ("allowed_combinations", Value::Null),
        (FIDO2, Value::List(vec![])),
        (X509, Value::List(vec![])),
    ])
}

#[cfg(test)]
mod tests;
