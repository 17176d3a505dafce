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
use crate::resources::reconcile::fill_unknowns;
use crate::resources::references::policies_using;
use serde_json::{json, Value as Json};

mod convert;
mod validate;

use convert::{adopted, combinations_json, normalized_set, prior_config_id, set};
pub use convert::{
    configuration_bodies, create_body, from_graph, imported_state, plan, removed_combinations,
    state_from_graph, weakening_warning,
};

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

#[cfg(test)]
mod tests;
