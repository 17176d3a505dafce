//! `entra_authentication_context`: an authentication context class reference (`c1`..`c99`),
//! the tag that Conditional Access policies and PIM activation rules require by id.
//!
//! Graph creates these with an upsert (PATCH to the id), so creating blindly would silently
//! take over a context someone already uses; we check first and point to `terraform import`.

use crate::graph::directory_roles;
use crate::graph::models::{AuthenticationContext, PolicyReferences};
use crate::graph::{paths, Api};
use crate::plugin::diag::{AttrPath, Diagnostics};
use crate::plugin::resource::{PlanRequest, Planned};
use crate::plugin::schema::{Attribute, Block, Mode, Schema, Type};
use crate::plugin::value::Value;
use crate::resources::connection::Connection;
use crate::resources::graph_errors::ToDiagnostics;
use crate::resources::graph_object::{Cx, Failed, GraphObject, GraphObjectResource, Written};
use crate::resources::references::policies_using;
use crate::resources::role_management_policy;
use crate::resources::tenant_objects::{Objects, TenantObjects};
use serde_json::json;

/// The name written in HCL (`Resource::type_name`).
pub const TYPE_NAME: &str = "entra_authentication_context";
/// Where Graph keeps the contexts.
pub const COLLECTION: &str = paths::AUTHENTICATION_CONTEXTS;

/// The id is the user's to choose, unlike most objects': required, and a new one replaces the
/// context.
pub fn schema() -> Schema {
    Schema {
        version: 0,
        block: Block {
            attributes: vec![
                Attribute::new("id", Type::String, Mode::Computed, "Same as `context_id`."),
                Attribute::new("context_id", Type::String, Mode::Required, "The context id, `c1` to `c99`, as it appears in the `acrs` token claim. Changing it replaces the context.").requires_replace(),
                Attribute::new("display_name", Type::String, Mode::Required, "Name shown to administrators in the Conditional Access and PIM screens."),
                Attribute::new("description", Type::String, Mode::Optional, "What the context protects."),
                Attribute::new("is_available", Type::Bool, Mode::OptionalComputed, "Published to apps (\"Publish to apps\" in the portal), so applications and PIM can require it. Default `false`.").default_value(Value::Bool(false)),
            ],
            block_types: vec![crate::plugin::timeouts::block()],
            description: "An authentication context: a named step-up requirement (`c1`..`c99`) that Conditional Access policies target and PIM role activation can demand.".into(),
        },
    }
}

/// The resource's state (or configuration, or plan) as a Rust type, so that a misspelt
/// attribute is a compile error rather than a silent null; `the_state_type_is_the_schema`
/// holds its names to the schema's. Unknown values read as `None`: code that must tell unknown
/// from null (the plan) reads the `Value` itself.
#[derive(Debug, Default, PartialEq)]
pub struct ContextState {
    /// The Graph id, the same as `context_id`.
    pub id: Option<String>,
    /// `c1` to `c99`.
    pub context_id: Option<String>,
    /// The name administrators see.
    pub display_name: Option<String>,
    /// What the context protects.
    pub description: Option<String>,
    /// Published to apps.
    pub is_available: Option<bool>,
}

impl ContextState {
    /// The attribute names, in the schema's order.
    pub const NAMES: [&'static str; 5] = [
        "id",
        "context_id",
        "display_name",
        "description",
        "is_available",
    ];

    /// Reads a state, configuration or plan.
    pub fn of(v: &Value) -> ContextState {
        let string = |name: &str| v.get(name).as_str().map(str::to_string);
        ContextState {
            id: string("id"),
            context_id: string("context_id"),
            display_name: string("display_name"),
            description: string("description"),
            is_available: v.get("is_available").as_bool(),
        }
    }

    /// The `Value` Terraform stores, every attribute present.
    pub fn to_value(&self) -> Value {
        Value::object([
            ("id", Value::opt_string(self.id.clone())),
            ("context_id", Value::opt_string(self.context_id.clone())),
            ("display_name", Value::opt_string(self.display_name.clone())),
            ("description", Value::opt_string(self.description.clone())),
            (
                "is_available",
                self.is_available.map_or(Value::Null, Value::Bool),
            ),
        ])
    }

    /// The context's id: `id`, or for a state an older provider wrote, `context_id`.
    fn graph_id(&self) -> String {
        self.id
            .clone()
            .or_else(|| self.context_id.clone())
            .unwrap_or_default()
    }
}

/// Graph accepts `c1` through `c99` (graph-api.md section 3).
pub fn check_context_id(id: &str) -> Result<(), String> {
    let digits = id.strip_prefix('c').unwrap_or("");
    let ok = !digits.is_empty()
        && digits.len() <= 2
        && !digits.starts_with('0')
        && digits.chars().all(|c| c.is_ascii_digit());
    if ok {
        Ok(())
    } else {
        Err(format!("{id:?} is not an authentication context id: use c1 to c99 (lower-case c, no leading zero)."))
    }
}

/// Offline checks of a configuration: a well-formed `context_id`, a display name that is not blank.
pub fn validate(config: &Value) -> Diagnostics {
    let config = ContextState::of(config);
    let mut d = Diagnostics::default();
    if let Some(id) = &config.context_id {
        if let Err(e) = check_context_id(id) {
            d.push_attr_error(
                AttrPath::root("context_id"),
                "Invalid authentication context id",
                e,
            );
        }
    }
    if config
        .display_name
        .as_deref()
        .is_some_and(|n| n.trim().is_empty())
    {
        d.push_attr_error(
            AttrPath::root("display_name"),
            "Empty display name",
            "Give the authentication context a name administrators will recognise.",
        );
    }
    d
}

/// The PATCH body for a planned state.
pub fn to_graph(state: &Value) -> serde_json::Value {
    let state = ContextState::of(state);
    json!({
        "displayName": state.display_name,
        "description": state.description,
        "isAvailable": state.is_available.unwrap_or(false),
    })
}

/// The state for what Graph holds. An empty description and no description are the same to
/// Graph, so the form the user had (`prior`) is kept when the two are equivalent.
pub fn from_graph(ctx: &AuthenticationContext, prior: &Value) -> Value {
    let description = match (
        ctx.description.as_deref(),
        ContextState::of(prior).description,
    ) {
        (None | Some(""), Some(p)) if p.is_empty() => Some(String::new()),
        (None | Some(""), _) => None,
        (Some(d), _) => Some(d.to_string()),
    };
    ContextState {
        id: Some(ctx.id.clone()),
        context_id: Some(ctx.id.clone()),
        display_name: ctx.display_name.clone(),
        description,
        is_available: Some(ctx.is_available.unwrap_or(false)),
    }
    .to_value()
}

/// The id is the context id, known at plan time even for a create (the schema declares the
/// rest: the publish flag's default, replacement on a new context id).
pub fn plan(req: &PlanRequest<'_>) -> Planned {
    let mut planned = req.proposed.clone();
    if let Value::Object(m) = &mut planned {
        m.insert("id".into(), req.config.get("context_id").clone());
    }
    Planned {
        state: planned,
        requires_replace: vec![],
    }
}

fn item_path(id: &str) -> String {
    format!("{COLLECTION}/{id}")
}

/// `entra_authentication_context`.
pub type AuthenticationContextResource = GraphObjectResource<AuthenticationContexts>;

/// What is special to authentication contexts (see `GraphObject`).
#[derive(Default)]
pub struct AuthenticationContexts;

impl AuthenticationContexts {
    /// The directory roles whose PIM activation requires context `id`, by name where known.
    async fn roles_requiring(
        conn: &Connection,
        id: &str,
    ) -> Result<Vec<String>, crate::graph::GraphError> {
        let client = match conn.client() {
            Ok(c) => c,
            Err(_) => return Ok(vec![]),
        };
        let roles = role_management_policy::roles_requiring_context(conn, client, id).await?;
        if roles.is_empty() {
            return Ok(roles);
        }
        let Ok(all) = directory_roles::all(client).await else {
            return Ok(roles);
        };
        Ok(roles
            .iter()
            .map(|r| {
                all.iter()
                    .find(|d| d.id.eq_ignore_ascii_case(r) || d.template_id.eq_ignore_ascii_case(r))
                    .and_then(|d| d.display_name.clone())
                    .map_or(r.clone(), |n| format!("{n} ({r})"))
            })
            .collect())
    }

    fn referenced_error(id: &str, users: &[PolicyReferences]) -> Diagnostics {
        let names: Vec<String> = users
            .iter()
            .map(|p| {
                format!(
                    "\"{}\" ({})",
                    p.display_name.as_deref().unwrap_or("unnamed"),
                    p.id
                )
            })
            .collect();
        Diagnostics::error(
            format!("Authentication context {id} is still used by Conditional Access"),
            format!("Graph refuses to delete an authentication context that a policy targets. Remove {id} from these policies first: {}.", names.join(", ")),
        )
    }
}

#[async_trait::async_trait]
impl GraphObject for AuthenticationContexts {
    type Model = AuthenticationContext;
    const TYPE_NAME: &'static str = TYPE_NAME;
    const NOUN: &'static str = "authentication context";

    fn schema(&self) -> Schema {
        schema()
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        validate(config)
    }

    fn plan(&self, _conn: &Connection, req: &PlanRequest<'_>) -> Result<Planned, Diagnostics> {
        Ok(plan(req))
    }

    /// A new context id must be free: Graph creates contexts with an upsert, which would
    /// silently take over one that someone else made. Checked against the shared listing, which
    /// this process keeps true as it creates contexts, so an apply of many lists only once.
    async fn plan_checks(&self, conn: &Connection, prior: &Value, planned: &Value) -> Diagnostics {
        let Some(id) = ContextState::of(planned).context_id else {
            return Diagnostics::default();
        };
        let id = id.as_str();
        if ContextState::of(prior)
            .id
            .is_some_and(|p| p.eq_ignore_ascii_case(id))
        {
            return Diagnostics::default();
        }
        let Ok(client) = conn.client() else {
            return Diagnostics::default();
        };
        let all = match conn.objects().contexts.all(client).await {
            Ok(all) => all,
            Err(d) => return d,
        };
        match all.get(&id.to_lowercase()) {
            None => {
                // Policies planned after this one may name it: it will exist by then.
                conn.objects().contexts.will_make(id);
                Diagnostics::default()
            }
            Some(existing) => Diagnostics::attr_error(
                AttrPath::root("context_id"),
                format!("Authentication context {id} already exists"),
                format!("The tenant already has {id} (\"{}\"). Graph would silently overwrite it. To manage it with Terraform, import it: terraform import <resource address> {id}", existing["displayName"].as_str().unwrap_or_default()),
            ),
        }
    }

    /// A plan that destroys a context PIM activation still requires warns, naming the roles.
    /// Only a warning: the same plan may change or destroy those PIM settings, Terraform may
    /// plan them after this context, and whether Graph refuses such a delete is not documented.
    async fn destroy_checks(&self, conn: &Connection, prior: &Value) -> Diagnostics {
        let id = ContextState::of(prior).id.unwrap_or_default();
        let mut d = Diagnostics::default();
        match Self::roles_requiring(conn, &id).await {
            Ok(roles) if !roles.is_empty() => d.push_warning(
                format!("Authentication context {id} is required by PIM"),
                format!("Activating these directory roles requires {id}: {}. Unless this plan changes their activation_rules.required_conditional_access_authentication_context (entra_role_management_policy) first, their activation will name a context that no longer exists.", roles.join(", ")),
            ),
            Ok(_) => {}
            Err(e) => d.push_warning(
                format!("Could not check whether PIM requires authentication context {id}"),
                e.to_string(),
            ),
        }
        d
    }

    fn id(&self, state: &Value) -> String {
        ContextState::of(state).graph_id()
    }

    fn listing<'a>(&self, objects: &'a TenantObjects) -> &'a Objects {
        &objects.contexts
    }

    fn state_from_graph(&self, ctx: &AuthenticationContext, prior: &Value) -> Value {
        from_graph(ctx, prior)
    }

    async fn create(&self, cx: &Cx<'_>, planned: &Value) -> Result<Written, Failed> {
        let id = ContextState::of(planned).context_id.unwrap_or_default();
        let body = to_graph(planned);
        if let Err(e) = cx.client.patch(Api::V1, &item_path(&id), &body).await {
            let doing = format!("create authentication context {id}");
            return Err(Failed::write(&id, &Value::Null, e, &doing));
        }
        let mut created = body;
        created["id"] = json!(id);
        cx.conn.objects().contexts.created(&created).await;
        Ok(Written::new(planned.clone()))
    }

    async fn update(
        &self,
        cx: &Cx<'_>,
        id: &str,
        prior: &Value,
        planned: &Value,
        _private: &[u8],
    ) -> Result<Written, Failed> {
        match cx
            .client
            .patch(Api::V1, &item_path(id), &to_graph(planned))
            .await
        {
            Ok(()) => Ok(Written::new(planned.clone())),
            Err(e) => {
                let doing = format!("update authentication context {id}");
                Err(Failed::write(id, prior, e, &doing))
            }
        }
    }

    async fn delete(&self, cx: &Cx<'_>, id: &str, prior: &Value) -> Result<Diagnostics, Failed> {
        // Whether Graph refuses to delete a context PIM requires is not documented, and a
        // role's settings restored by a destroy (to what they were at import) may require it
        // again: the delete goes ahead, and says which roles' activation now names a context
        // that is gone.
        let mut notes = Diagnostics::default();
        if let Ok(roles) = Self::roles_requiring(cx.conn, id).await {
            if !roles.is_empty() {
                notes.push_warning(
                    format!("Authentication context {id} is still required by PIM"),
                    format!("Activating these directory roles requires {id}: {}. With the context gone, check their activation_rules.required_conditional_access_authentication_context (entra_role_management_policy) or the PIM settings in the portal.", roles.join(", ")),
                );
            }
        }
        let mut state = prior.clone();
        // Graph refuses to delete a published context (403), so unpublish first; but check for
        // policies that use it before changing anything, so a refused destroy changes nothing.
        if ContextState::of(prior).is_available == Some(true) {
            match policies_using(cx.conn, |p| p.uses_authentication_context(id)).await {
                Ok(users) if !users.is_empty() => {
                    return Err(Failed::Unwritten(Self::referenced_error(id, &users)))
                }
                Ok(_) => {}
                Err(e) => {
                    let doing = format!("check which policies use {id}");
                    return Err(Failed::Unwritten(e.to_diagnostics(&doing)));
                }
            }
            if let Err(e) = cx
                .client
                .patch(Api::V1, &item_path(id), &json!({"isAvailable": false}))
                .await
            {
                let doing = format!("unpublish authentication context {id}");
                return Err(Failed::write(id, prior, e, &doing));
            }
            if let Value::Object(m) = &mut state {
                m.insert("is_available".into(), Value::Bool(false));
            }
        }
        match cx.delete(Api::V1, &item_path(id)).await {
            Ok(()) => Ok(notes),
            Err(e) if e.status() == Some(400) => {
                let diags =
                    match policies_using(cx.conn, |p| p.uses_authentication_context(id)).await {
                        Ok(users) if !users.is_empty() => Self::referenced_error(id, &users),
                        _ => e.to_diagnostics(&format!("delete authentication context {id}")),
                    };
                Err(Failed::Holds(Some(state), diags))
            }
            Err(e) => {
                let doing = format!("delete authentication context {id}");
                Err(Failed::write(id, &state, e, &doing))
            }
        }
    }

    fn import_id(&self, id: &str) -> Result<String, Diagnostics> {
        check_context_id(id).map_err(|e| Diagnostics::error("Invalid import id", e))?;
        Ok(id.to_string())
    }

    fn adopted(&self, id: &str) -> Value {
        ContextState {
            id: Some(id.to_string()),
            context_id: Some(id.to_string()),
            ..ContextState::default()
        }
        .to_value()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(id: &str, name: &str, desc: Value, avail: Value) -> Value {
        Value::object([
            ("id", Value::string(id)),
            ("context_id", Value::string(id)),
            ("display_name", Value::string(name)),
            ("description", desc),
            ("is_available", avail),
        ])
    }

    #[test]
    fn context_ids_c1_to_c99_only() {
        for ok in ["c1", "c9", "c10", "c25", "c99"] {
            assert!(check_context_id(ok).is_ok(), "{ok}");
        }
        for bad in ["c0", "c100", "c01", "C1", "c", "1", "c1a", "", " c1"] {
            assert!(check_context_id(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn validation_points_at_the_attribute_and_tolerates_unknowns() {
        let mut cfg = state("c100", "x", Value::Null, Value::Null);
        let d = validate(&cfg);
        assert_eq!(d.0.len(), 1);
        assert_eq!(d.0[0].attribute, Some(AttrPath::root("context_id")));
        if let Value::Object(m) = &mut cfg {
            m.insert("context_id".into(), Value::Unknown);
        }
        assert!(validate(&cfg).is_empty());
    }

    #[test]
    fn graph_mapping_round_trips_the_reference_example() {
        let body: AuthenticationContext = serde_json::from_str(
            &std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus/auth-contexts/001-graphdocs-v1-list-c1-contoso-trusted-locations.json")).unwrap(),
        )
        .unwrap();
        let v = from_graph(&body, &Value::Null);
        assert_eq!(
            v,
            state(
                "c1",
                "Contoso trusted locations",
                Value::string("Access is only allowed from trusted locations"),
                Value::Bool(true)
            )
        );
        assert_eq!(
            to_graph(&v),
            json!({"displayName":"Contoso trusted locations","description":"Access is only allowed from trusted locations","isAvailable":true})
        );
    }

    #[test]
    fn empty_and_missing_descriptions_keep_the_users_form() {
        let g = AuthenticationContext {
            id: "c2".into(),
            display_name: Some("n".into()),
            description: None,
            is_available: None,
        };
        let prior = state("c2", "n", Value::string(""), Value::Bool(false));
        assert_eq!(
            from_graph(&g, &prior).get("description"),
            &Value::string("")
        );
        assert_eq!(
            from_graph(&g, &Value::Null).get("description"),
            &Value::Null
        );
        assert_eq!(
            from_graph(&g, &Value::Null).get("is_available"),
            &Value::Bool(false)
        );
    }

    /// The resource's plan as the plugin layer runs it: with what the schema declares around it.
    fn planned(req: &PlanRequest<'_>) -> Planned {
        crate::plugin::plan::with_schema(&schema().block, req, |r| Ok::<_, ()>(plan(r))).unwrap()
    }

    #[test]
    fn the_state_type_is_the_schema() {
        assert_eq!(schema().block.state_names(), ContextState::NAMES);
        let full = ContextState {
            id: Some("c1".into()),
            context_id: Some("c1".into()),
            display_name: Some("n".into()),
            description: Some("d".into()),
            is_available: Some(true),
        };
        let Value::Object(m) = full.to_value() else {
            panic!("an object")
        };
        assert_eq!(
            m.keys().collect::<Vec<_>>().len(),
            ContextState::NAMES.len()
        );
        assert!(ContextState::NAMES.iter().all(|n| m.contains_key(*n)));
        assert_eq!(ContextState::of(&full.to_value()), full, "a round trip");
    }

    #[test]
    fn plan_defaults_publish_flag_and_replaces_on_new_id() {
        let config = state("c3", "n", Value::Null, Value::Null);
        let mut proposed = config.clone();
        if let Value::Object(m) = &mut proposed {
            m.insert("id".into(), Value::Null);
        }
        let p = planned(&PlanRequest {
            prior: &Value::Null,
            config: &config,
            proposed: &proposed,
        });
        assert_eq!(p.state.get("is_available"), &Value::Bool(false));
        assert_eq!(p.state.get("id"), &Value::string("c3"));
        assert!(p.requires_replace.is_empty());

        let prior = state("c2", "n", Value::Null, Value::Bool(true));
        let p = planned(&PlanRequest {
            prior: &prior,
            config: &config,
            proposed: &config,
        });
        assert_eq!(p.requires_replace, vec![AttrPath::root("context_id")]);
        assert_eq!(p.state.get("id"), &Value::string("c3"));

        let mut unknown = config.clone();
        if let Value::Object(m) = &mut unknown {
            m.insert("context_id".into(), Value::Unknown);
        }
        let p = planned(&PlanRequest {
            prior: &Value::Null,
            config: &unknown,
            proposed: &unknown,
        });
        assert_eq!(p.state.get("id"), &Value::Unknown);
    }
}
