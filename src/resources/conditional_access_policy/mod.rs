//! `entra_conditional_access_policy`: azuread's HCL, every Graph field, v1.0 or beta chosen per
//! policy, reads through beta, and no perpetual diffs.

pub(crate) mod endpoint;
pub mod from_graph;
mod kept_fields;
mod lockout;
mod named_objects;
pub mod schema;
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
use crate::plugin::resource::{
    Applied, Fetched, Imported, MovedFrom, PlanRequest, Planned, Resource,
};
use crate::plugin::schema::{Block, Schema};
use crate::plugin::value::Value;
use crate::resources::connection::Connection;
use crate::resources::create_once::CreateOnce;
use crate::resources::eventual;
use crate::resources::graph_errors::ToDiagnostics;
use crate::resources::limits::Limit;
use crate::resources::listing::{ById, Listing};
use crate::resources::moved_from_azuread;
use crate::resources::reconcile::{self, fill_unknowns, is_empty_block, reconcile, Rules};
use serde_json::Value as Json;
use vocabulary::strength_guid;

pub use validate::validate;

/// A policy from the configuration or state in Graph's shape (as written through beta), with
/// its id and name: what the what-if engine evaluates.
pub fn as_graph(policy: &Value) -> Json {
    let mut body = to_graph::body(policy);
    body["id"] = serde_json::json!(policy
        .get("id")
        .as_str()
        .or(policy.get("display_name").as_str()));
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
        importing: prior.get("display_name").is_null(),
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
    let grant = v.block("grant_controls");
    let controls = grant.get("built_in_controls").strs().len()
        + usize::from(
            grant
                .get("authentication_strength_policy_id")
                .as_str()
                .is_some(),
        )
        + grant.get("terms_of_use").strs().len()
        + grant.get("custom_authentication_factors").strs().len();
    let prior_op = prior.block("grant_controls").get("operator").clone();
    if controls > 1 || prior_op.is_null() {
        return;
    }
    if let Value::Object(top) = v {
        if let Some(Value::List(items)) = top.get_mut("grant_controls") {
            if let Some(Value::Object(g)) = items.first_mut() {
                g.insert("operator".into(), prior_op);
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
        from_graph::set_endpoint(&mut planned);
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
pub struct ConditionalAccessPolicyResource {
    conn: Connection,
    /// Every policy, listed once per provider process for reads.
    listing: Listing,
    create_once: CreateOnce,
    /// Graph's 195 policies, counted across the plan.
    limit: Limit,
}

impl ConditionalAccessPolicyResource {
    /// The resource, working through `conn` once the provider is configured.
    pub fn new(conn: Connection) -> Self {
        ConditionalAccessPolicyResource {
            conn,
            listing: Listing::default(),
            create_once: CreateOnce::default(),
            limit: Limit::new(MAX_POLICIES, "Conditional Access policies"),
        }
    }

    /// Every policy, through beta (which shows every setting), listed once per process.
    async fn all(&self, client: &GraphClient) -> Result<ById, Diagnostics> {
        self.listing
            .get(|| client.list::<Json>(Api::Beta, COLLECTION))
            .await
            .map_err(|e| e.to_diagnostics("list Conditional Access policies"))
    }

    /// A policy for a refresh: from the shared listing, or by id when the listing does not have
    /// it (created after the listing was taken, or not yet visible in it). `private`: what
    /// Terraform keeps with it.
    async fn fetch_for_read(&self, id: &str, private: &[u8]) -> Result<Option<Json>, Diagnostics> {
        let all = self.all(self.conn.client()?).await?;
        match all.get(&id.to_lowercase()) {
            Some(p) => Ok(Some(p.clone())),
            None => {
                let what = format!("Conditional Access policy {id}");
                eventual::unless_replicating(private, &what, || self.fetch(id)).await
            }
        }
    }

    async fn fetch(&self, id: &str) -> Result<Option<Json>, Diagnostics> {
        let client = self.conn.client()?;
        client
            .get_opt(Api::Beta, &format!("{COLLECTION}/{id}"))
            .await
            .map_err(|e| e.to_diagnostics(&format!("read Conditional Access policy {id}")))
    }

    /// The template a policy was made from. Only v1.0's type has `templateId` (beta, which
    /// reads show every other setting through, need not return it), and it never changes:
    /// asked once, on the first read after an import, and kept from then on. It
    /// is informational and must not fail the read, so a failed question leaves it null.
    async fn template_id(&self, id: &str) -> Value {
        let Ok(client) = self.conn.client() else {
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

    /// An update's write. `kept`: the unmodelled fields the last write left, while Graph has
    /// not changed the policy since; without them the policy is read first.
    async fn write_update(&self, prior: &Value, planned: &Value, kept: Option<Json>) -> Applied {
        let id = prior.get("id").as_str().unwrap_or_default().to_string();
        self.listing.forget(&id).await;
        let client = match self.conn.client() {
            Ok(c) => c,
            Err(d) => return Applied::failed(Some(prior.clone()), d),
        };
        let current = match kept {
            Some(fields) => Ok(Some(fields)),
            None => self.fetch(&id).await,
        };
        let current = match current {
            Ok(Some(p)) => p,
            Ok(None) => {
                return Applied::failed(
                    None,
                    Diagnostics::error(
                        format!("Conditional Access policy {id} no longer exists"),
                        "It was deleted outside Terraform; the next plan will create it again.",
                    ),
                );
            }
            Err(d) => return Applied::failed(Some(prior.clone()), d),
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
        if let Err(e) = client.patch(api, &path, &body).await {
            let d = e.to_diagnostics(&format!("update Conditional Access policy {id}"));
            return self.state_after_failure(&id, prior, d).await;
        }
        // PATCH answers 204; the new modification time comes from a read.
        let (after, private) = match self.fetch(&id).await {
            Ok(Some(p)) => {
                self.listing.put(&p).await;
                let after = from_graph::state(&p);
                let private =
                    kept_fields::keep(&eventual::seen_now(), &p, after.get("modified_date_time"));
                (after, private)
            }
            _ => (Value::Null, eventual::seen_now()),
        };
        Applied::ok(fill_unknowns(planned, &after)).with_private(private)
    }

    /// After a failed write, what Graph now holds, so that the saved state matches it.
    async fn state_after_failure(&self, id: &str, prior: &Value, diags: Diagnostics) -> Applied {
        let reread = self.fetch(id).await;
        Applied::after_failed_write(
            reread.map(|found| found.map(|p| state_from_graph(&p, prior))),
            prior,
            diags,
        )
    }
}

fn endpoint_of(planned: &Value) -> Api {
    endpoint::choose(planned).0
}

#[async_trait::async_trait]
impl Resource for ConditionalAccessPolicyResource {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        schema::schema()
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        validate(config)
    }

    fn plan(&self, req: &PlanRequest<'_>) -> Result<Planned, Diagnostics> {
        // A lost create of this process must not take an object a state holds.
        if let Some(id) = req.prior.get("id").as_str() {
            self.create_once.saw(id);
        }
        let planned = plan(req);
        let lockout = lockout::check(
            &planned.state,
            req.prior.is_null(),
            self.conn.emergency_access(),
        );
        if lockout.has_errors() {
            return Err(lockout);
        }
        Ok(planned)
    }

    /// The lockout warnings (its errors already stopped the plan), the contexts, locations and
    /// strength the plan adds exist, and Graph's limit of 195 policies per tenant for a create.
    async fn plan_checks(&self, prior: &Value, planned: &Value) -> Diagnostics {
        let mut d = lockout::check(planned, prior.is_null(), self.conn.emergency_access());
        d.extend(named_objects::check(&self.conn, prior, planned).await);
        if prior.is_null() {
            let existing = match self.conn.client() {
                Ok(client) => self.all(client).await.map(|all| all.len()),
                Err(_) => return d,
            };
            if let Ok(n) = existing {
                let name = planned.get("display_name").as_str().unwrap_or_default();
                d.extend(self.limit.plan_create(name, n));
            }
        }
        d
    }

    async fn create(&self, planned: &Value) -> Applied {
        let client = match self.conn.client() {
            Ok(c) => c,
            Err(d) => return Applied::failed(None, d),
        };
        let api = endpoint_of(planned);
        let name = planned
            .get("display_name")
            .as_str()
            .unwrap_or_default()
            .to_string();
        let what = format!("Conditional Access policy \"{name}\"");
        let result = self
            .create_once
            .post(client, api, COLLECTION, &to_graph::body(planned), &what)
            .await;
        self.limit.done(&name);
        match result {
            Ok(created) => {
                // Counted by the next create's check of Graph's policy limit.
                self.listing.put(&created.object).await;
                let state = fill_unknowns(planned, &from_graph::state(&created.object));
                let private = kept_fields::keep(
                    &eventual::seen_now(),
                    &created.object,
                    state.get("modified_date_time"),
                );
                Applied::ok(state)
                    .with_warnings(created.warnings)
                    .with_private(private)
            }
            Err(e) => Applied::failed(
                None,
                e.to_diagnostics(&format!("create Conditional Access policy \"{name}\"")),
            ),
        }
    }

    async fn read(&self, state: &Value, private: &[u8]) -> Result<Fetched, Diagnostics> {
        let id = state.get("id").as_str().unwrap_or_default().to_string();
        self.create_once.saw(&id);
        let Some(policy) = self.fetch_for_read(&id, private).await? else {
            return Ok(Fetched::from(None));
        };
        let mut warnings = Diagnostics::default();
        let unmodeled = unmodeled::unmodeled(&policy);
        if !unmodeled.is_empty() {
            warnings.push_warning(
                format!("Conditional Access policy {id} has settings this provider does not manage"),
                format!(
                    "Graph returns {} for \"{}\". Updates keep these settings as they are, but Terraform cannot show or revert changes made to them.",
                    unmodeled::describe(&unmodeled),
                    state.get("display_name").as_str().unwrap_or(&id)
                ),
            );
        }
        let mut read = state_from_graph(&policy, state);
        // Real beta answers may carry templateId, though Microsoft's metadata gives it to v1.0
        // only: taken from the answer when there, else asked of v1.0 once.
        if read.get("template_id").is_null() {
            let template_id = if state.get("created_date_time").is_null() {
                self.template_id(&id).await
            } else {
                state.get("template_id").clone()
            };
            set(&mut read, "template_id", template_id);
        }
        Ok(Fetched {
            state: Some(read),
            warnings,
        })
    }

    async fn update(&self, prior: &Value, planned: &Value, private: &[u8]) -> Applied {
        let kept = kept_fields::kept(private, prior.get("modified_date_time"));
        self.write_update(prior, planned, kept).await
    }

    async fn delete(&self, prior: &Value, _private: &[u8]) -> Applied {
        let id = prior.get("id").as_str().unwrap_or_default().to_string();
        self.listing.forget(&id).await;
        let client = match self.conn.client() {
            Ok(c) => c,
            Err(d) => return Applied::failed(Some(prior.clone()), d),
        };
        // Through beta, where a deleted policy stays restorable for 30 days.
        match client
            .delete(Api::Beta, &format!("{COLLECTION}/{id}"))
            .await
        {
            Ok(()) => Applied::gone(),
            Err(e) if e.is_not_found() => Applied::gone(),
            Err(e) => Applied::failed(
                Some(prior.clone()),
                e.to_diagnostics(&format!("delete Conditional Access policy {id}")),
            ),
        }
    }

    /// Accepts the policy's object id, or azuread's `/identity/conditionalAccess/policies/{id}`.
    async fn import(&self, id: &str) -> Result<Imported, Diagnostics> {
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
        Ok(adopted(guid).into())
    }

    fn move_from(&self, from: &MovedFrom<'_>) -> Option<Result<Value, Diagnostics>> {
        moved_from_azuread::object_id(from, "azuread_conditional_access_policy")
            .map(|id| id.map(|id| adopted(&id)))
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
