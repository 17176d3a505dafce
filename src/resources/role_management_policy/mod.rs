//! `entra_role_management_policy`: the PIM settings of one Entra directory role.
//!
//! PIM policies cannot be created or deleted, so "create" adopts the role's policy and records
//! its 17 rules in private state, and "destroy" writes exactly those rules back. Writes PATCH
//! only the rules that differ, full bodies, in an order PIM accepts.

mod convert;
pub mod rules;
pub mod schema;
mod state;

use state::PolicyState;
mod validate;

use convert::state_from;
pub use convert::{imported_state, plan};

use crate::graph::ids::is_guid;
use crate::graph::{Api, GraphClient, GraphError};
use crate::log;
use crate::plugin::diag::{AttrPath, Diagnostics};
use crate::plugin::resource::{Applied, PlanRequest, Planned};
use crate::plugin::schema::Schema;
use crate::plugin::value::Value;
use crate::resources::connection::Connection;
use crate::resources::directory_roles;
use crate::resources::graph_errors::ToDiagnostics;
use crate::resources::listing::Listing;
use crate::resources::reconcile::fill_unknowns;
use crate::resources::singleton::{GraphSingleton, SingletonResource, Target};
use serde_json::{json, Value as Json};

pub use validate::validate;

/// The name written in HCL (`Resource::type_name`).
pub const TYPE_NAME: &str = "entra_role_management_policy";
const ASSIGNMENTS: &str = "/policies/roleManagementPolicyAssignments";
const DIRECTORY_ROLES: &str = "scopeId eq '/' and scopeType eq 'DirectoryRole'";

/// A role's policy as Graph has it now.
#[derive(Clone, Debug)]
pub struct RolePolicy {
    /// The PIM policy's id, which the rules are written under.
    pub policy_id: String,
    /// Every rule of the policy, as Graph returns them.
    pub rules: Vec<Json>,
}

fn policy_of(assignment: &Json) -> Option<(String, RolePolicy)> {
    let role = assignment["roleDefinitionId"].as_str()?.to_lowercase();
    let policy = &assignment["policy"];
    let rules = policy["rules"].as_array()?.clone();
    Some((
        role,
        RolePolicy {
            policy_id: policy["id"].as_str()?.to_string(),
            rules,
        },
    ))
}

/// The policy of one role, fresh from Graph.
pub async fn fetch_policy(
    client: &GraphClient,
    role: &str,
) -> Result<Option<RolePolicy>, GraphError> {
    let path = format!("{ASSIGNMENTS}?$filter={DIRECTORY_ROLES} and roleDefinitionId eq '{role}'&$expand=policy($expand=rules)");
    let found: Vec<Json> = client.list(Api::V1, &path).await?;
    Ok(found.iter().filter_map(policy_of).map(|(_, p)| p).next())
}

/// The listing of every directory role's policy assignment, policies and rules expanded.
pub fn all_roles_path() -> String {
    format!("{ASSIGNMENTS}?$filter={DIRECTORY_ROLES}&$expand=policy($expand=rules)")
}

/// The authentication context a role's rules require on activation, if any.
fn required_context(rules: &[Json]) -> Option<String> {
    rules
        .iter()
        .find(|r| r["id"] == "AuthenticationContext_EndUser_Assignment" && r["isEnabled"] == true)
        .and_then(|r| r["claimValue"].as_str())
        .filter(|c| !c.is_empty())
        .map(str::to_string)
}

/// The directory roles (definition ids) whose PIM activation requires authentication context
/// `context`: one listing of every role's rules, corrected by what this process wrote since
/// (Graph's listing may not show a write of moments ago yet).
pub async fn roles_requiring_context(
    conn: &Connection,
    client: &GraphClient,
    context: &str,
) -> Result<Vec<String>, GraphError> {
    let assignments: Vec<Json> = client.list(Api::V1, &all_roles_path()).await?;
    let written = conn
        .objects()
        .pim_contexts
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone();
    let requires = |c: &Option<String>| {
        c.as_deref()
            .is_some_and(|c| c.eq_ignore_ascii_case(context))
    };
    let mut roles: Vec<String> = assignments
        .iter()
        .filter_map(|a| {
            let role = a["roleDefinitionId"].as_str()?.to_lowercase();
            let listed = required_context(a["policy"]["rules"].as_array()?);
            let now = written.get(&role).cloned().unwrap_or(listed);
            requires(&now).then_some(role)
        })
        .collect();
    for (role, c) in &written {
        if requires(c) && !roles.contains(role) {
            roles.push(role.clone());
        }
    }
    Ok(roles)
}

/// `entra_role_management_policy`.
pub type RoleManagementPolicyResource = SingletonResource<RolePolicies>;

/// What is special to the PIM settings of directory roles (see `GraphSingleton`).
#[derive(Default)]
pub struct RolePolicies {
    /// All roles' policies, listed once per provider process for reads.
    listing: Listing,
}

/// The authentication context activation requires must exist, as a policy's must: Graph would
/// refuse the rule only at apply, after other rules were written.
async fn context_exists(conn: &Connection, prior: &Value, planned: &Value) -> Diagnostics {
    let attr = "required_conditional_access_authentication_context";
    let context = |v: &Value| {
        PolicyState::of(v)
            .activation_rules
            .and_then(|a| a.required_context().map(str::to_string))
    };
    let Some(wanted) = context(planned) else {
        return Diagnostics::default();
    };
    if context(prior).is_some_and(|c| c.eq_ignore_ascii_case(&wanted)) {
        return Diagnostics::default();
    }
    let Ok(client) = conn.client() else {
        return Diagnostics::default();
    };
    match conn.objects().contexts.missing(client, &[&wanted]).await {
        Some(missing) if !missing.is_empty() => Diagnostics::attr_error(
            AttrPath::root("activation_rules").index(0).attr(attr),
            format!("Authentication context {wanted} does not exist"),
            format!("Role activation cannot require {wanted}: the tenant has no such authentication context. Create it (entra_authentication_context) or name one that exists."),
        ),
        _ => Diagnostics::default(),
    }
}

async fn fresh(conn: &Connection, role: &str) -> Result<RolePolicy, Diagnostics> {
    fetch(conn, role)
        .await?
        .ok_or_else(|| no_policy(role, None))
}

async fn fetch(conn: &Connection, role: &str) -> Result<Option<RolePolicy>, Diagnostics> {
    let client = conn.client()?;
    fetch_policy(client, role)
        .await
        .map_err(|e| e.to_diagnostics(&format!("read the PIM policy of role {role}")))
}

impl RolePolicies {
    /// The role's policy from the listing of every role's policy (one request serves them all),
    /// or on its own when the listing lacks it; `None` when Graph has none.
    async fn lookup(
        &self,
        conn: &Connection,
        role: &str,
    ) -> Result<Option<RolePolicy>, Diagnostics> {
        let client = conn.client()?;
        let path = all_roles_path();
        let listing = self
            .listing
            .get(|| async {
                // Keyed by role: the listing holds one assignment per directory role.
                let all: Vec<Json> = client.list(Api::V1, &path).await?;
                Ok::<_, GraphError>(
                    all.into_iter()
                        .map(|a| json!({"id": a["roleDefinitionId"], "assignment": a}))
                        .collect(),
                )
            })
            .await
            .map_err(|e| e.to_diagnostics("list the PIM policies of directory roles"))?;
        match listing
            .get(&role.to_lowercase())
            .and_then(|e| policy_of(&e["assignment"]))
        {
            Some((_, p)) => Ok(Some(p)),
            None => fetch(conn, role).await,
        }
    }

    /// Writes the rules of `desired` that differ from Graph's in one PATCH of the policy, in an
    /// order PIM accepts (Graph applies them in order, all or none), and returns what Graph then
    /// holds. Graph may have moved the policy to a new id since it was read: a 404 re-reads it
    /// once.
    async fn write(
        &self,
        conn: &Connection,
        role: &str,
        current: RolePolicy,
        desired: &(dyn Fn(&RolePolicy) -> Vec<Json> + Sync),
    ) -> Result<RolePolicy, Diagnostics> {
        let client = conn.client()?;
        self.listing.forget(role).await;
        let mut current = current;
        let mut reread = false;
        loop {
            let changes = rules::changes(&current.rules, &desired(&current));
            if changes.is_empty() {
                return Ok(current);
            }
            let body = json!({"rules": changes.iter().map(rules::body).collect::<Vec<_>>()});
            let path = format!("/policies/roleManagementPolicies/{}", current.policy_id);
            match client
                .send(reqwest::Method::PATCH, Api::V1, &path, Some(&body))
                .await
            {
                Ok(answer) => {
                    let mut after = current;
                    if let Some(id) = answer.body["id"].as_str() {
                        after.policy_id = id.to_string();
                    }
                    for rule in changes {
                        let id = rule["id"].as_str().unwrap_or_default();
                        if let Some(slot) = after.rules.iter_mut().find(|r| r["id"] == id) {
                            *slot = rule;
                        }
                    }
                    return Ok(after);
                }
                Err(e) if e.is_not_found() && !reread => {
                    reread = true;
                    current = fresh(conn, role).await?;
                }
                Err(e) => {
                    return Err(e.to_diagnostics(&format!("update the PIM rules of role {role}")))
                }
            }
        }
    }
}

/// The warning for a write whose answer failed although Graph took it, quoting the failure.
/// Graph has no PIM policy for the role: the id is no directory role (or a custom role).
fn no_policy(role: &str, at: Option<AttrPath>) -> Diagnostics {
    let summary = format!("No PIM policy for role {role}");
    let detail = "Graph has no role management policy for this directory role: check role_definition_id (a role template id; the entra_directory_role data source finds it by name).";
    match at {
        Some(path) => Diagnostics::attr_error(path, summary, detail),
        None => Diagnostics::error(summary, detail),
    }
}

fn landed_anyway(role: &str, failure: &Diagnostics) -> Diagnostics {
    let what: Vec<String> = failure
        .0
        .iter()
        .map(|d| format!("{}: {}", d.summary, d.detail))
        .collect();
    let mut w = Diagnostics::default();
    w.push_warning(
        format!("The PIM rules of role {role} were written although the answer failed"),
        format!(
            "Writing the rules did not get a good answer ({}), but reading the policy again shows Graph holds the configured settings, so the apply counts as done.",
            what.join("; ")
        ),
    );
    w
}

#[async_trait::async_trait]
impl GraphSingleton for RolePolicies {
    type Current = RolePolicy;
    type Record = Vec<Json>;
    const TYPE_NAME: &'static str = TYPE_NAME;

    fn schema(&self) -> Schema {
        schema::schema()
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        validate(config)
    }

    fn plan(&self, _conn: &Connection, req: &PlanRequest<'_>) -> Result<Planned, Diagnostics> {
        Ok(plan(req))
    }

    /// A new role id must be a directory role with a PIM policy, or the apply would fail with
    /// nothing to write. Answered by the listing the refresh loaded, so it costs no request
    /// unless the id is wrong. A Graph failure leaves the check to the apply.
    async fn plan_checks(&self, conn: &Connection, prior: &Value, planned: &Value) -> Diagnostics {
        let Some(role) = PolicyState::of(planned).role_definition_id else {
            return Diagnostics::default();
        };
        let role = role.as_str();
        let unchanged = PolicyState::of(prior)
            .role_definition_id
            .is_some_and(|p| p.eq_ignore_ascii_case(role));
        if unchanged {
            return Diagnostics::default();
        }
        let mut d = match self.lookup(conn, role).await {
            Ok(None) => no_policy(role, Some(AttrPath::root("role_definition_id"))),
            _ => Diagnostics::default(),
        };
        d.extend(context_exists(conn, prior, planned).await);
        d
    }

    fn id(&self, state: &Value) -> String {
        PolicyState::of(state)
            .role_definition_id
            .unwrap_or_default()
    }

    fn describe(&self, role: &str) -> String {
        format!("PIM settings of role {role}")
    }

    async fn current(&self, conn: &Connection, role: &str) -> Result<RolePolicy, Diagnostics> {
        self.lookup(conn, role)
            .await?
            .ok_or_else(|| no_policy(role, None))
    }

    fn state_from_graph(&self, role: &str, policy: &RolePolicy, prior: &Value) -> Value {
        state_from(role, policy, prior)
    }

    /// The rules as they were before Terraform changed anything.
    fn record(&self, policy: &RolePolicy) -> Vec<u8> {
        serde_json::to_vec(&json!({"version": 1, "rules": policy.rules})).unwrap_or_default()
    }

    fn recorded(&self, private: &[u8]) -> Option<Vec<Json>> {
        let v: Json = serde_json::from_slice(private).ok()?;
        v["rules"].as_array().cloned()
    }

    /// Applies the target and returns the state Graph then holds; on failure that state too.
    async fn converge(
        &self,
        conn: &Connection,
        role: &str,
        shape: &Value,
        current: RolePolicy,
        target: Target<'_, Vec<Json>>,
    ) -> Applied {
        let planned = match &target {
            Target::Planned(p) => Some(*p),
            Target::Restore(_) => None,
        };
        let desired = |current: &RolePolicy| match &target {
            Target::Planned(p) => rules::desired(&current.rules, p),
            Target::Restore(original) => current
                .rules
                .iter()
                .map(|r| {
                    rules::find(original, r["id"].as_str().unwrap_or_default())
                        .cloned()
                        .unwrap_or_else(|| r.clone())
                })
                .collect(),
        };
        let done = |after: &RolePolicy| match planned {
            Some(p) => Applied::ok(fill_unknowns(p, &state_from(role, after, shape))),
            None => Applied::gone(),
        };
        match self.write(conn, role, current, &desired).await {
            Ok(after) => {
                conn.objects()
                    .pim_contexts
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .insert(role.to_lowercase(), required_context(&after.rules));
                done(&after)
            }
            // All or nothing, but a failure in transit leaves open whether it landed: ask.
            Err(mut d) => match fresh(conn, role).await {
                // It landed: reporting a failure would have Terraform taint the resource and
                // replace it, putting the role's old, weaker settings back for a while.
                Ok(now) if rules::changes(&now.rules, &desired(&now)).is_empty() => {
                    log::warn(
                        "the PIM write failed but Graph holds the rules",
                        &[("role", role)],
                    );
                    done(&now).with_warnings(landed_anyway(role, &d))
                }
                Ok(now) => Applied::failed(Some(state_from(role, &now, shape)), d),
                Err(e) => {
                    d.extend(e);
                    // If Graph cannot even be read, the best guess of what it holds is the
                    // known shape.
                    Applied::failed(shape.is_wholly_known().then(|| shape.clone()), d)
                }
            },
        }
    }

    /// By role template id, or by the role's display name.
    async fn import_id(&self, conn: &Connection, id: &str) -> Result<String, Diagnostics> {
        if is_guid(id) {
            return Ok(id.to_lowercase());
        }
        let client = conn.client()?;
        Ok(directory_roles::find(client, None, Some(id))
            .await?
            .template_id)
    }

    /// No policy id: the first read sees an import and fills every block.
    fn adopted(&self, role: &str) -> Value {
        Value::object([
            ("id", Value::string(role)),
            ("role_definition_id", Value::string(role)),
        ])
    }
}

#[cfg(test)]
mod tests;
