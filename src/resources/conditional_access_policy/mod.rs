//! `entra_conditional_access_policy`: azuread's HCL, every Graph field, v1.0 or beta chosen per
//! policy, reads through beta, and no perpetual diffs.

pub(crate) mod endpoint;
pub mod from_graph;
mod kept_fields;
mod lockout;
mod named_objects;
pub mod schema;
mod state;
#[cfg(test)]
mod test_support;
mod to_graph;
pub mod unmodeled;
mod validate;
pub mod vocabulary;

use crate::graph::flags::split_flags;
use crate::graph::ids::is_guid;
use crate::graph::paths;
use crate::graph::{Api, GraphClient};
use crate::plugin::diag::Diagnostics;
use crate::plugin::resource::{Fetched, PlanRequest, Planned};
use crate::plugin::schema::{Block, Schema};
use crate::plugin::value::Value;
use crate::resources::connection::Connection;
use crate::resources::eventual;
use crate::resources::graph_errors::ToDiagnostics;
use crate::resources::graph_object::{Cx, Failed, GraphObject, GraphObjectResource, Written};
use crate::resources::reconcile::{self, fill_unknowns, is_empty_block, reconcile, Rules};
use crate::resources::tenant_objects::{Objects, TenantObjects};
use serde_json::Value as Json;
use vocabulary::strength_guid;

use state::{items, PolicyState};

pub use validate::validate;

/// A policy from the configuration or state in Graph's shape (as written through beta), with
/// its id and name: what the what-if engine evaluates.
pub fn as_graph(policy: &Value) -> Json {
    let mut body = to_graph::body(policy);
    let typed = PolicyState::of(policy);
    body["id"] = serde_json::json!(typed.id.or(typed.display_name));
    body
}

/// The name written in HCL (`Resource::type_name`).
pub const TYPE_NAME: &str = "entra_conditional_access_policy";
/// Where Graph keeps the policies.
pub const COLLECTION: &str = paths::CONDITIONAL_ACCESS_POLICIES;
/// Graph's limit per tenant (graph-api.md section 2.1).
const MAX_POLICIES: usize = 195;

/// Equivalences Graph's normalisation needs (see `reconcile`).
struct PolicyRules {
    /// Reading right after `terraform import`: there is no configured form to keep yet, so
    /// Graph's defaults are shown as they are (as `-generate-config-out` then writes them).
    importing: bool,
}

impl Rules for PolicyRules {
    fn case_insensitive(&self, path: &str) -> bool {
        const IDS: &[&str] = &[
            "_users",
            "_groups",
            "_roles",
            "_applications",
            "_locations",
            "_service_principals",
            ".members",
            "terms_of_use",
        ];
        IDS.iter().any(|s| path.ends_with(s))
    }

    fn equivalent(&self, path: &str, new: &Value, prior: &Value) -> Option<bool> {
        let text = |v: &Value| v.as_str().map(str::to_string);
        match path {
            "grant_controls.authentication_strength_policy_id" => Some(
                text(new).map(|s| strength_guid(&s).to_lowercase())
                    == text(prior).map(|s| strength_guid(&s).to_lowercase()),
            ),
            "conditions.insider_risk_levels" => {
                let flags = |v: &Value| {
                    let mut f: Vec<String> = v.as_str().map(split_flags).unwrap_or_default();
                    f.sort();
                    f
                };
                Some(flags(new) == flags(prior))
            }
            // Without a sign-in frequency in effect Graph has no such setting, and the defaults
            // that azuread users often write anyway (azuread #1235) mean nothing either.
            "session_controls.sign_in_frequency_authentication_type" if new.is_null() => {
                Some(prior.is_null() || prior.as_str() == Some("primaryAndSecondaryAuthentication"))
            }
            "session_controls.sign_in_frequency_interval" if new.is_null() => {
                Some(prior.is_null() || prior.as_str() == Some("timeBased"))
            }
            // Graph fills in its defaults; leaving them out of the configuration means the same.
            "session_controls.sign_in_frequency_authentication_type"
                if prior.is_null() && !self.importing =>
            {
                Some(new.is_null() || new.as_str() == Some("primaryAndSecondaryAuthentication"))
            }
            "session_controls.sign_in_frequency_interval" if prior.is_null() && !self.importing => {
                Some(new.is_null() || new.as_str() == Some("timeBased"))
            }
            _ => None,
        }
    }

    fn empty_block(&self, path: &str, block: &Block, v: &Value) -> bool {
        match path {
            // An operator alone requires nothing; Graph turns such a grant into null or `OR`.
            "grant_controls" => !to_graph::grant_is_effective(v),
            // "All external tenants" is what Graph answers when none were listed.
            p if p.ends_with("external_tenants") => {
                v.get("membership_kind").as_str().is_none_or(|k| k == "all")
                    && reconcile::is_blank(v.get("members"))
            }
            _ => is_empty_block(self, path, block, v),
        }
    }
}

/// The state for Graph's policy, in the user's form wherever it is equivalent.
pub fn state_from_graph(policy: &Json, prior: &Value) -> Value {
    let schema = schema::schema();
    // Every real state has a display name (it is required); an import's first read has none.
    let rules = PolicyRules {
        importing: PolicyState::of(prior).display_name.is_none(),
    };
    let mut v = reconcile(&rules, &schema.block, "", &from_graph::state(policy), prior);
    keep_operator_when_moot(&mut v, prior);
    v
}

/// The state an import of `policy` ends with (export writes configuration from it).
pub fn imported_state(policy: &Json) -> Value {
    state_from_graph(policy, &adopted(policy["id"].as_str().unwrap_or_default()))
}

/// Comment lines for `export`: what Graph holds for `policy` that the schema cannot write, with
/// its value, so that a reader of the generated configuration knows it is there.
pub fn unmodeled_notes(policy: &Json) -> Vec<String> {
    let paths = unmodeled::unmodeled(policy);
    if paths.is_empty() {
        return vec![];
    }
    let mut notes =
        vec!["Graph holds settings this provider does not manage (updates keep them):".into()];
    for path in paths {
        let value = unmodeled::at(policy, &path);
        notes.push(format!("  {} = {value}", unmodeled::describe(&[path])));
    }
    notes
}

/// With at most one control AND and OR mean the same, and Graph may store either.
fn keep_operator_when_moot(v: &mut Value, prior: &Value) {
    let grant = PolicyState::of(v).grant_controls.unwrap_or_default();
    let controls = items(&grant.built_in_controls).len()
        + usize::from(grant.authentication_strength_policy_id.is_some())
        + items(&grant.terms_of_use).len()
        + items(&grant.custom_authentication_factors).len();
    let prior_op = PolicyState::of(prior)
        .grant_controls
        .and_then(|g| g.operator);
    let Some(prior_op) = prior_op.filter(|_| controls <= 1) else {
        return;
    };
    if let Value::Object(top) = v {
        if let Some(Value::List(items)) = top.get_mut("grant_controls") {
            if let Some(Value::Object(g)) = items.first_mut() {
                g.insert("operator".into(), Value::string(prior_op));
            }
        }
    }
}

fn set(v: &mut Value, key: &str, value: Value) {
    if let Value::Object(m) = v {
        m.insert(key.into(), value);
    }
}

/// The configuration as Terraform merged it, plus the Graph endpoint the policy will be written
/// through (unknown until the configuration is).
pub fn plan(req: &PlanRequest<'_>) -> Planned {
    let mut planned = req.proposed.clone();
    if req.config.is_wholly_known() {
        endpoint::set(&mut planned);
    } else {
        set(&mut planned, "graph_api_version", Value::Unknown);
        set(&mut planned, "graph_api_version_reason", Value::Unknown);
    }
    Planned {
        state: planned,
        requires_replace: vec![],
    }
}

/// `entra_conditional_access_policy`.
pub type ConditionalAccessPolicyResource = GraphObjectResource<ConditionalAccessPolicies>;

/// What is special to Conditional Access policies (see `GraphObject`).
#[derive(Default)]
pub struct ConditionalAccessPolicies;

/// The template a policy was made from. Only v1.0's type has `templateId` (beta, which reads
/// show every other setting through, need not return it), and it never changes: asked once,
/// on the first read after an import, and kept from then on. It is informational and must not
/// fail the read, so a failed question leaves it null.
async fn template_id(conn: &Connection, id: &str) -> Value {
    let Ok(client) = conn.client() else {
        return Value::Null;
    };
    let path = format!("{COLLECTION}/{id}?$select=id,templateId");
    match client.get_opt::<Json>(Api::V1, &path).await {
        Ok(Some(p)) => p["templateId"]
            .as_str()
            .filter(|t| !t.is_empty())
            .map_or(Value::Null, Value::string),
        _ => Value::Null,
    }
}

fn endpoint_of(planned: &Value) -> Api {
    endpoint::choose(planned).0
}

#[async_trait::async_trait]
impl GraphObject for ConditionalAccessPolicies {
    type Model = Json;
    const TYPE_NAME: &'static str = TYPE_NAME;
    const NOUN: &'static str = "Conditional Access policy";
    const AZUREAD_TYPE: Option<&'static str> = Some("azuread_conditional_access_policy");
    const LIMIT: Option<(usize, &'static str)> =
        Some((MAX_POLICIES, "Conditional Access policies"));

    fn schema(&self) -> Schema {
        schema::schema()
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        validate(config)
    }

    fn plan(&self, conn: &Connection, req: &PlanRequest<'_>) -> Result<Planned, Diagnostics> {
        let planned = plan(req);
        let lockout = lockout::check(&planned.state, req.prior.is_null(), conn.emergency_access());
        if lockout.has_errors() {
            return Err(lockout);
        }
        Ok(planned)
    }

    /// The lockout warnings (its errors already stopped the plan), and the contexts, locations
    /// and strength the plan adds exist.
    async fn plan_checks(&self, conn: &Connection, prior: &Value, planned: &Value) -> Diagnostics {
        let mut d = lockout::check(planned, prior.is_null(), conn.emergency_access());
        d.extend(named_objects::check(conn, prior, planned).await);
        d
    }

    async fn count(&self, conn: &Connection, client: &GraphClient) -> Option<usize> {
        conn.objects()
            .policies
            .all(client)
            .await
            .ok()
            .map(|all| all.len())
    }

    fn id(&self, state: &Value) -> String {
        PolicyState::of(state).id.unwrap_or_default()
    }

    fn listing<'a>(&self, objects: &'a TenantObjects) -> &'a Objects {
        &objects.policies
    }

    fn state_from_graph(&self, policy: &Json, prior: &Value) -> Value {
        state_from_graph(policy, prior)
    }

    async fn refreshed(
        &self,
        conn: &Connection,
        policy: &Json,
        state: &Value,
    ) -> Result<Fetched, Diagnostics> {
        let prior = PolicyState::of(state);
        let id = prior.id.as_deref().unwrap_or_default();
        let mut warnings = Diagnostics::default();
        let unmodeled = unmodeled::unmodeled(policy);
        if !unmodeled.is_empty() {
            warnings.push_warning(
                format!("Conditional Access policy {id} has settings this provider does not manage"),
                format!(
                    "Graph returns {} for \"{}\". Updates keep these settings as they are, but Terraform cannot show or revert changes made to them.",
                    unmodeled::describe(&unmodeled),
                    prior.display_name.as_deref().unwrap_or(id)
                ),
            );
        }
        let mut read = state_from_graph(policy, state);
        // Real beta answers may carry templateId, though Microsoft's metadata gives it to v1.0
        // only: taken from the answer when there, else asked of v1.0 once.
        if PolicyState::of(&read).template_id.is_none() {
            let template_id = if prior.created_date_time.is_none() {
                template_id(conn, id).await
            } else {
                Value::opt_string(prior.template_id.clone())
            };
            set(&mut read, "template_id", template_id);
        }
        Ok(Fetched {
            state: Some(read),
            warnings,
        })
    }

    async fn create(&self, cx: &Cx<'_>, planned: &Value) -> Result<Written, Failed> {
        let api = endpoint_of(planned);
        let name = PolicyState::of(planned).display_name.unwrap_or_default();
        let what = format!("Conditional Access policy \"{name}\"");
        let created = cx
            .create_once
            .post(cx.client, api, COLLECTION, &to_graph::body(planned), &what)
            .await
            .map_err(|e| Failed::Unwritten(e.to_diagnostics(&format!("create {what}"))))?;
        // Counted by the next create's check of Graph's policy limit.
        cx.conn.objects().policies.created(&created.object).await;
        let state = fill_unknowns(planned, &from_graph::state(&created.object));
        let private = kept_fields::keep(
            &eventual::seen_now(),
            &created.object,
            state.get("modified_date_time"),
        );
        Ok(Written::new(state)
            .with_warnings(created.warnings)
            .with_private(private))
    }

    /// The unmodelled fields the last write left are kept in private state, and trusted while
    /// Graph has not changed the policy since; otherwise the policy is read first.
    async fn update(
        &self,
        cx: &Cx<'_>,
        id: &str,
        prior: &Value,
        planned: &Value,
        private: &[u8],
    ) -> Result<Written, Failed> {
        let kept = kept_fields::kept(private, prior.get("modified_date_time"));
        let current =
            match kept {
                Some(fields) => fields,
                None => match self.fetch(cx.conn.objects(), cx.client, id).await {
                    Ok(Some(p)) => p,
                    Ok(None) => return Err(Failed::Holds(
                        None,
                        Diagnostics::error(
                            format!("Conditional Access policy {id} no longer exists"),
                            "It was deleted outside Terraform; the next plan will create it again.",
                        ),
                    )),
                    Err(e) => {
                        let doing = format!("read Conditional Access policy {id}");
                        return Err(Failed::Unwritten(e.to_diagnostics(&doing)));
                    }
                },
            };
        // Settings this schema does not model are written back as they are, which needs beta;
        // so does leaving a beta-only setting, which v1.0 might not clear.
        let unmodeled = unmodeled::unmodeled(&current);
        let api = if unmodeled.is_empty()
            && endpoint_of(planned) == Api::V1
            && endpoint_of(prior) == Api::V1
        {
            Api::V1
        } else {
            Api::Beta
        };
        let mut body = to_graph::body(planned);
        unmodeled::carry_over(&mut body, &current, &unmodeled);
        let path = format!("{COLLECTION}/{id}");
        if let Err(e) = cx.client.patch(api, &path, &body).await {
            let doing = format!("update Conditional Access policy {id}");
            return Err(Failed::write(id, prior, e, &doing));
        }
        // PATCH answers 204; the new modification time comes from a read.
        let (after, private) = match self.fetch(cx.conn.objects(), cx.client, id).await {
            Ok(Some(p)) => {
                cx.conn.objects().policies.changed(&p).await;
                let after = from_graph::state(&p);
                let private =
                    kept_fields::keep(&eventual::seen_now(), &p, after.get("modified_date_time"));
                (after, private)
            }
            _ => (Value::Null, eventual::seen_now()),
        };
        Ok(Written::new(fill_unknowns(planned, &after)).with_private(private))
    }

    /// Through beta, where a deleted policy stays restorable for 30 days.
    async fn delete(&self, cx: &Cx<'_>, id: &str, _prior: &Value) -> Result<Diagnostics, Failed> {
        cx.delete(Api::Beta, &format!("{COLLECTION}/{id}"))
            .await
            .map(|()| Diagnostics::default())
            .map_err(|e| {
                Failed::Unwritten(
                    e.to_diagnostics(&format!("delete Conditional Access policy {id}")),
                )
            })
    }

    /// Accepts the policy's object id, or azuread's `/identity/conditionalAccess/policies/{id}`.
    fn import_id(&self, id: &str) -> Result<String, Diagnostics> {
        let guid = id
            .strip_prefix(COLLECTION)
            .and_then(|rest| rest.strip_prefix('/'))
            .unwrap_or(id);
        if !is_guid(guid) {
            return Err(Diagnostics::error(
                "Invalid import id",
                format!("{id:?} is not a Conditional Access policy id: use its object id (a GUID), or {COLLECTION}/{{id}}."),
            ));
        }
        Ok(guid.to_string())
    }

    fn adopted(&self, guid: &str) -> Value {
        adopted(guid)
    }
}

/// The state of an existing policy this configuration takes over (import, `moved`): its id,
/// the next refresh reads the rest.
fn adopted(guid: &str) -> Value {
    Value::object([
        ("id", Value::string(guid)),
        ("object_id", Value::string(guid)),
    ])
}

#[cfg(test)]
mod tests;
