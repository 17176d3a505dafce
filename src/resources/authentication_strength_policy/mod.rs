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
use crate::plugin::resource::{Fetched, PlanRequest, Planned};
use crate::plugin::schema::{Attribute, Block, Mode, NestedBlock, Schema, Type};
use crate::plugin::value::Value;
use crate::resources::conditional_access_policy::vocabulary::AUTH_STRENGTH_PATH;
use crate::resources::connection::Connection;
use crate::resources::graph_errors::ToDiagnostics;
use crate::resources::graph_object::{Cx, Failed, GraphObject, GraphObjectResource, Written};
use crate::resources::reconcile::fill_unknowns;
use crate::resources::references::policies_using;
use crate::resources::tenant_objects::{Objects, TenantObjects};
use serde_json::{json, Value as Json};

mod convert;
mod state;
mod validate;

use state::StrengthState;

use convert::{adopted, combinations_json, normalized, prior_config_id, set};
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

/// Graph's limit of custom strengths per tenant (graph-api.md section 5).
const MAX_CUSTOM: usize = 15;

/// `entra_authentication_strength_policy`.
pub type AuthenticationStrengthPolicyResource = GraphObjectResource<AuthenticationStrengths>;

/// What is special to custom authentication strengths (see `GraphObject`).
#[derive(Default)]
pub struct AuthenticationStrengths;

/// Deletes the configurations the planned state drops, then writes the ones it has: the
/// second step runs after combinations change, since a configuration needs its combination.
async fn remove_configurations(
    cx: &Cx<'_>,
    guid: &str,
    prior: &Value,
    planned: &Value,
) -> Result<(), GraphError> {
    for name in [FIDO2, X509] {
        if let (Some(id), true) = (prior_config_id(prior, name), planned.block(name).is_null()) {
            cx.delete(Api::V1, &format!("{}/{id}", configs_path(guid)))
                .await?;
        }
    }
    Ok(())
}

/// Creates or updates the planned configurations; the ids Graph has for them, by block.
/// A configuration whose create lost its answer and was found is reported in `warnings`.
async fn write_configurations(
    cx: &Cx<'_>,
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
                    cx.client
                        .patch(Api::V1, &format!("{}/{id}", configs_path(guid)), &body)
                        .await?;
                }
                id
            }
            None => {
                let what = format!("{name} configuration of authentication strength {guid}");
                let created = cx
                    .create_once
                    .post(cx.client, Api::V1, &configs_path(guid), &body, &what)
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

#[async_trait::async_trait]
impl GraphObject for AuthenticationStrengths {
    type Model = (AuthenticationStrengthPolicy, Vec<CombinationConfiguration>);
    const TYPE_NAME: &'static str = TYPE_NAME;
    const NOUN: &'static str = "authentication strength";
    const AZUREAD_TYPE: Option<&'static str> = Some("azuread_authentication_strength_policy");
    const LIMIT: Option<(usize, &'static str)> =
        Some((MAX_CUSTOM, "custom authentication strengths"));

    fn schema(&self) -> Schema {
        schema()
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        validate(config)
    }

    fn plan(&self, _conn: &Connection, req: &PlanRequest<'_>) -> Result<Planned, Diagnostics> {
        Ok(plan(req))
    }

    /// A change that removes combinations warns, naming the policies that use the strength.
    async fn plan_checks(&self, conn: &Connection, prior: &Value, planned: &Value) -> Diagnostics {
        let removed = removed_combinations(prior, planned);
        if removed.is_empty() {
            return Diagnostics::default();
        }
        let prior = StrengthState::of(prior);
        let guid = prior.object_id.as_deref().unwrap_or_default();
        let name = prior.display_name.as_deref().unwrap_or(guid);
        match policies_using(conn, |p| p.uses_authentication_strength(guid))
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

    /// Built-ins do not count; strengths this process made may not be listed yet.
    async fn count(&self, conn: &Connection, client: &GraphClient) -> Option<usize> {
        let strengths = &conn.objects().strengths;
        let all = strengths.all(client).await.ok()?;
        Some(
            all.values().filter(|s| s["policyType"] == "custom").count()
                + strengths.made_beyond(&all),
        )
    }

    fn id(&self, state: &Value) -> String {
        guid_of(&StrengthState::of(state).id.unwrap_or_default()).to_string()
    }

    fn listing<'a>(&self, objects: &'a TenantObjects) -> &'a Objects {
        &objects.strengths
    }

    /// The listing carries each strength's configurations inline when Graph includes them;
    /// otherwise the strength is read on its own.
    fn listed(&self, entry: &Json) -> Option<Self::Model> {
        let mut p: AuthenticationStrengthPolicy = serde_json::from_value(entry.clone()).ok()?;
        let configs = p.combination_configurations.take()?;
        Some((p, configs))
    }

    async fn fetch(
        &self,
        _objects: &TenantObjects,
        client: &GraphClient,
        guid: &str,
    ) -> Result<Option<Self::Model>, GraphError> {
        fetch(client, guid).await
    }

    fn state_from_graph(&self, (p, configs): &Self::Model, prior: &Value) -> Value {
        state_from_graph(p, configs, prior)
    }

    async fn refreshed(
        &self,
        _conn: &Connection,
        (p, configs): &Self::Model,
        prior: &Value,
    ) -> Result<Fetched, Diagnostics> {
        if p.policy_type.as_deref() == Some("builtIn") {
            return Err(built_in_error(&p.id));
        }
        Ok(Some(state_from_graph(p, configs, prior)).into())
    }

    async fn create(&self, cx: &Cx<'_>, planned: &Value) -> Result<Written, Failed> {
        let name = StrengthState::of(planned).display_name.unwrap_or_default();
        let what = format!("authentication strength \"{name}\"");
        let posted = cx
            .create_once
            .post(cx.client, Api::V1, COLLECTION, &create_body(planned), &what)
            .await
            .map_err(|e| Failed::Unwritten(e.to_diagnostics(&format!("create {what}"))))?;
        let (created, mut warnings) = (posted.object, posted.warnings);
        let created: AuthenticationStrengthPolicy = match serde_json::from_value(created.clone()) {
            Ok(p) => p,
            Err(e) => {
                // It exists: keep its id so the next refresh reads it rather than losing it.
                let id = created["id"].as_str().unwrap_or_default();
                return Err(Failed::Holds(
                    (!id.is_empty()).then(|| adopted(id)),
                    Diagnostics::error(
                        format!("Could not read Graph's answer to creating {what}"),
                        format!(
                            "Graph created it as {id} but its answer has an unexpected shape: {e}"
                        ),
                    ),
                ));
            }
        };
        // Not added to the shared listing: Graph's answer lacks the configurations written next.
        cx.conn.objects().strengths.will_make(&created.id);
        match write_configurations(cx, &created.id, &Value::Null, planned, &mut warnings).await {
            Ok(ids) => {
                let mut graph = from_graph(&created, &[]);
                for name in [FIDO2, X509] {
                    if !ids.get(name).is_null() {
                        set(&mut graph, name, ids.get(name).clone());
                    }
                }
                Ok(Written::new(fill_unknowns(planned, &graph)).with_warnings(warnings))
            }
            Err(e) => {
                let doing = format!("configure authentication strength \"{name}\"");
                Err(Failed::write(&created.id, &Value::Null, e, &doing))
            }
        }
    }

    async fn update(
        &self,
        cx: &Cx<'_>,
        guid: &str,
        prior: &Value,
        planned: &Value,
        _private: &[u8],
    ) -> Result<Written, Failed> {
        let (before, after) = (StrengthState::of(prior), StrengthState::of(planned));
        let mut warnings = Diagnostics::default();
        let steps = async {
            if (&before.display_name, &before.description)
                != (&after.display_name, &after.description)
            {
                let body =
                    json!({"displayName": after.display_name, "description": after.description});
                cx.client.patch(Api::V1, &item_path(guid), &body).await?;
            }
            remove_configurations(cx, guid, prior, planned).await?;
            let combinations =
                |s: &StrengthState| normalized(s.allowed_combinations.clone().unwrap_or_default());
            if combinations(&before) != combinations(&after) {
                cx.client
                    .post::<Json>(
                        Api::V1,
                        &format!("{}/updateAllowedCombinations", item_path(guid)),
                        &json!({"allowedCombinations": combinations_json(planned)}),
                    )
                    .await?;
            }
            write_configurations(cx, guid, prior, planned, &mut warnings).await
        };
        match steps.await {
            Ok(ids) => Ok(Written::new(fill_unknowns(planned, &ids)).with_warnings(warnings)),
            Err(e) => {
                let doing = format!("update authentication strength {guid}");
                Err(Failed::write(guid, prior, e, &doing))
            }
        }
    }

    async fn delete(&self, cx: &Cx<'_>, guid: &str, prior: &Value) -> Result<Diagnostics, Failed> {
        let name = StrengthState::of(prior).display_name.unwrap_or_default();
        // A policy that requires a deleted strength could no longer be satisfied, and Graph's
        // behaviour there is not documented: check first, so a refused destroy changes nothing.
        match policies_using(cx.conn, |p| p.uses_authentication_strength(guid)).await.map_err(|e| e.to_diagnostics(&format!("check which policies use authentication strength {guid}"))) {
            Ok(users) if !users.is_empty() => {
                return Err(Failed::Unwritten(Diagnostics::error(
                    format!("Authentication strength \"{name}\" ({guid}) is still used by Conditional Access"),
                    format!("Remove it from the grant controls of these policies first: {}. Nothing was changed.", users.iter().map(PolicyReferences::label).collect::<Vec<_>>().join(", ")),
                )))
            }
            Ok(_) => {}
            Err(d) => return Err(Failed::Unwritten(d)),
        }
        cx.delete(Api::V1, &item_path(guid))
            .await
            .map(|()| Diagnostics::default())
            .map_err(|e| {
                Failed::write(
                    guid,
                    prior,
                    e,
                    &format!("delete authentication strength {guid}"),
                )
            })
    }

    /// Accepts the GUID or azuread's `/policies/authenticationStrengthPolicies/{id}`.
    fn import_id(&self, id: &str) -> Result<String, Diagnostics> {
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
        Ok(guid.to_string())
    }

    fn adopted(&self, guid: &str) -> Value {
        adopted(guid)
    }
}

#[cfg(test)]
mod tests;
