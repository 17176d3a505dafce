//! PIM for Microsoft Entra roles: role management policies and their assignments
//! (graph-api.md §6, §11 item 7).
//!
//! * Every role definition (built-in or custom) has exactly one policy with the 17 rules of
//!   [`rules`] and one policy assignment. Policy id `DirectoryRole_{tenantId}_{guid}`,
//!   assignment id `{policyId}_{roleDefinitionId}`. Queried with `scopeType eq 'Directory'`, the
//!   same objects are listed with prefix `Directory_` and scopeType `Directory` (§6.1); both id
//!   forms resolve on GET/PATCH.
//! * Lists need `$filter=scopeId eq '/' and scopeType eq 'DirectoryRole'` (or `'Directory'`);
//!   without it, or for an unknown scopeType, Graph's 400 `UnknownError` with the
//!   `MissingProvider` JSON message. `scopeType eq 'Group'` lists nothing (PIM for groups is not
//!   modelled). Further `eq` clauses (roleDefinitionId, policyId, id) narrow the list.
//! * `$expand=policy`, `policy($expand=rules)`, `policy($select=..;$expand=rules,effectiveRules)`,
//!   `*` on assignments; `rules` / `effectiveRules` / `*` on policies; `$select` at each level
//!   (expanded members are kept). With both `$select` and `$expand` on a list, a nextLink omits
//!   `$select` (page size is never reached in practice: ≤ ~130 roles, 17 rules).
//! * Rule PATCH (204) and policy PATCH `{"rules":[..]}` (200 + policy without rules) apply
//!   rules as [`validate`] describes; a policy PATCH is atomic (all rules or none) and applies
//!   its rules in body order, each checked against the result of the previous ones.
//! * Policies and assignments cannot be created or deleted: POST/DELETE (and PATCH of an
//!   assignment) answer 405.
//! * After a successful modification `lastModifiedDateTime` / `lastModifiedBy`
//!   (`{displayName: <caller's name, else "Terraform">, id: null}`) are set, and — always on, to
//!   model "PIM policy ids change after modification" (field-notes.md item 4) — the FIRST
//!   modification gives the policy a new guid: its id (and its assignment's id) change and the
//!   old ids answer 404 `ResourceNotFound` from then on. Later modifications keep the id.

mod rules;
mod validate;

use super::{odata, GraphRequest, GraphResponse, Params, Route};
use crate::state::SimState;
use crate::store::Store;
use crate::Locked;
use axum::http::{Method, StatusCode};
use serde_json::{json, Map, Value};
use std::path::Path;
use validate::RuleError;

const POLICIES: &str = "/policies/roleManagementPolicies";
const POLICY: &str = "/policies/roleManagementPolicies/{id}";
const RULES: &str = "/policies/roleManagementPolicies/{id}/rules";
const RULE: &str = "/policies/roleManagementPolicies/{id}/rules/{ruleId}";
const EFFECTIVE_RULES: &str = "/policies/roleManagementPolicies/{id}/effectiveRules";
const EFFECTIVE_RULE: &str = "/policies/roleManagementPolicies/{id}/effectiveRules/{ruleId}";
const ASSIGNMENTS: &str = "/policies/roleManagementPolicyAssignments";
const ASSIGNMENT: &str = "/policies/roleManagementPolicyAssignments/{id}";
const POLICIES_SET: &str = "policies/roleManagementPolicies";
const ASSIGNMENTS_SET: &str = "policies/roleManagementPolicyAssignments";
const POLICY_TYPE: &str = "microsoft.graph.unifiedRoleManagementPolicy";
const ASSIGNMENT_TYPE: &str = "microsoft.graph.unifiedRoleManagementPolicyAssignment";
const MISSING_PROVIDER: &str = r#"{"errorCode":"MissingProvider","message":"The provider is missing.","instanceAnnotations":[]}"#;
const MFA_ACRS_MESSAGE: &str = "The Mfa and Acrs policy settings cannot be enabled simultaneously.";

pub(crate) fn routes() -> Vec<Route> {
    vec![
        Route::new(Method::GET, ASSIGNMENTS, list_assignments),
        Route::new(Method::POST, ASSIGNMENTS, not_allowed),
        Route::new(Method::GET, ASSIGNMENT, get_assignment),
        Route::new(Method::PATCH, ASSIGNMENT, not_allowed),
        Route::new(Method::DELETE, ASSIGNMENT, not_allowed),
        Route::new(Method::GET, POLICIES, list_policies),
        Route::new(Method::POST, POLICIES, not_allowed),
        Route::new(Method::GET, POLICY, get_policy),
        Route::new(Method::PATCH, POLICY, patch_policy),
        Route::new(Method::DELETE, POLICY, not_allowed),
        Route::new(Method::GET, RULES, list_rules),
        Route::new(Method::GET, RULE, get_rule),
        Route::new(Method::PATCH, RULE, patch_rule),
        Route::new(Method::GET, EFFECTIVE_RULES, list_rules),
        Route::new(Method::GET, EFFECTIVE_RULE, get_rule),
    ]
}

// ------------------------------------------------------------------------------------------
// Store

/// One role's policy (and, implicitly, its assignment).
#[derive(Debug, Clone)]
pub(crate) struct PimPolicy {
    /// The last id segment; the id is `DirectoryRole_{tenant}_{guid}`.
    pub(crate) guid: String,
    pub(crate) role_definition_id: String,
    /// The 17 rules as GET returns them.
    pub(crate) rules: Vec<Value>,
    /// `(lastModifiedDateTime, lastModifiedBy)` once modified (or seeded with them).
    pub(crate) last_modified: Option<(Value, Value)>,
    /// The id already changed on a first modification.
    pub(crate) rotated: bool,
}

impl PimPolicy {
    fn new(role_definition_id: &str) -> Self {
        PimPolicy {
            guid: uuid::Uuid::new_v4().to_string(),
            role_definition_id: role_definition_id.to_string(),
            rules: rules::default_rules(),
            last_modified: None,
            rotated: false,
        }
    }
}

/// All directory-role policies. `Default` holds one per built-in role definition.
#[derive(Debug, Clone)]
pub(crate) struct PimStore {
    pub(crate) policies: Vec<PimPolicy>,
}

impl Default for PimStore {
    fn default() -> Self {
        PimStore {
            policies: super::role_definitions::BUILT_IN
                .iter()
                .map(|(_, id, _)| PimPolicy::new(id))
                .collect(),
        }
    }
}

impl PimStore {
    /// Give a (new) role definition its policy; no-op if it has one.
    pub(crate) fn add_role(&mut self, role_definition_id: &str) {
        if self.for_role(role_definition_id).is_none() {
            self.policies.push(PimPolicy::new(role_definition_id));
        }
    }

    pub(crate) fn for_role(&self, role_definition_id: &str) -> Option<&PimPolicy> {
        self.policies.iter().find(|p| {
            p.role_definition_id
                .eq_ignore_ascii_case(role_definition_id)
        })
    }
}

/// How a list/GET names the policies: `DirectoryRole` (default) or `Directory` (§6.1).
#[derive(Debug, Clone, Copy, PartialEq)]
enum View {
    DirectoryRole,
    Directory,
}

impl View {
    fn scope_type(self) -> &'static str {
        match self {
            View::DirectoryRole => "DirectoryRole",
            View::Directory => "Directory",
        }
    }
}

fn policy_id(tenant: &str, p: &PimPolicy, view: View) -> String {
    format!("{}_{}_{}", view.scope_type(), tenant, p.guid)
}

fn assignment_id(tenant: &str, p: &PimPolicy, view: View) -> String {
    format!("{}_{}", policy_id(tenant, p, view), p.role_definition_id)
}

fn find_by(
    store: &Store,
    id: &str,
    make: impl Fn(&PimPolicy, View) -> String,
) -> Option<(usize, View)> {
    store.pim.policies.iter().enumerate().find_map(|(i, p)| {
        [View::DirectoryRole, View::Directory]
            .into_iter()
            .find(|v| make(p, *v).eq_ignore_ascii_case(id))
            .map(|v| (i, v))
    })
}

fn find_policy(store: &Store, tenant: &str, id: &str) -> Option<(usize, View)> {
    find_by(store, id, |p, v| policy_id(tenant, p, v))
}

fn find_assignment(store: &Store, tenant: &str, id: &str) -> Option<(usize, View)> {
    find_by(store, id, |p, v| assignment_id(tenant, p, v))
}

// ------------------------------------------------------------------------------------------
// $expand / $select

/// One `$expand` item: `name` or `name($select=..;$expand=..)`.
#[derive(Debug, Clone, Default)]
struct Expand {
    name: String,
    select: Option<Vec<String>>,
    expand: Vec<Expand>,
}

/// Split at `sep` outside parentheses.
fn split_top(s: &str, sep: char) -> Vec<&str> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    for (i, c) in s.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            c if c == sep && depth == 0 => {
                out.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&s[start..]);
    out.into_iter()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect()
}

fn parse_select(s: &str) -> Vec<String> {
    s.split(',')
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
        .collect()
}

/// Parse `$expand` for an entity of `type_name` (assignment: `policy`; policy: `rules`,
/// `effectiveRules`; `*` = all of them), nested options included.
fn parse_expand(s: &str, type_name: &str) -> Result<Vec<Expand>, String> {
    let mut out = Vec::new();
    for item in split_top(s, ',') {
        let (name, opts) = match item.find('(') {
            Some(i) if item.ends_with(')') => (item[..i].trim(), &item[i + 1..item.len() - 1]),
            Some(_) => return Err(format!("Invalid $expand clause '{item}'.")),
            None => (item, ""),
        };
        let (canonical, inner_type): (Vec<&str>, &str) = match (type_name, name) {
            (ASSIGNMENT_TYPE, "*") => (vec!["policy"], POLICY_TYPE),
            (ASSIGNMENT_TYPE, n) if n.eq_ignore_ascii_case("policy") => {
                (vec!["policy"], POLICY_TYPE)
            }
            (POLICY_TYPE, "*") => (vec!["rules", "effectiveRules"], "rule"),
            (POLICY_TYPE, n) if n.eq_ignore_ascii_case("rules") => (vec!["rules"], "rule"),
            (POLICY_TYPE, n) if n.eq_ignore_ascii_case("effectiveRules") => {
                (vec!["effectiveRules"], "rule")
            }
            _ => {
                return Err(format!(
                    "Could not find a property named '{name}' on type '{type_name}'."
                ))
            }
        };
        let mut select = None;
        let mut expand = Vec::new();
        for opt in split_top(opts, ';') {
            let Some((k, v)) = opt.split_once('=') else {
                return Err(format!("Invalid $expand option '{opt}'."));
            };
            match k
                .trim()
                .trim_start_matches('$')
                .to_ascii_lowercase()
                .as_str()
            {
                "select" => select = Some(parse_select(v)),
                "expand" if inner_type != "rule" => expand = parse_expand(v, inner_type)?,
                _ => {
                    return Err(format!(
                        "The query option '{k}' is not supported inside $expand of '{name}'."
                    ))
                }
            }
        }
        for n in canonical {
            if !out.iter().any(|e: &Expand| e.name == n) {
                out.push(Expand {
                    name: n.to_string(),
                    select: select.clone(),
                    expand: expand.clone(),
                });
            }
        }
    }
    Ok(out)
}

/// Keep `select`ed members, `id`, annotations and expanded navigation properties.
fn select(
    mut m: Map<String, Value>,
    select: Option<&[String]>,
    expanded: &[Expand],
) -> Map<String, Value> {
    let Some(wanted) = select else {
        return m;
    };
    if wanted.iter().any(|w| w == "*") {
        return m;
    }
    m.retain(|k, _| {
        k == "id"
            || k.starts_with('@')
            || wanted.iter().any(|w| w.eq_ignore_ascii_case(k))
            || expanded.iter().any(|e| e.name == *k)
    });
    m
}

/// `(a,b,policy(rules()))` per OData's context URL rules; "" when nothing was selected/expanded.
fn context_suffix(sel: Option<&[String]>, expand: &[Expand], top: bool) -> String {
    let mut parts: Vec<String> = sel.map(|s| s.to_vec()).unwrap_or_default();
    for e in expand {
        parts.push(format!(
            "{}{}",
            e.name,
            context_suffix(e.select.as_deref(), &e.expand, false)
        ));
    }
    if top && parts.is_empty() {
        String::new()
    } else {
        format!("({})", parts.join(","))
    }
}

struct Query {
    select: Option<Vec<String>>,
    expand: Vec<Expand>,
}

fn query(req: &GraphRequest, type_name: &str) -> Result<Query, GraphResponse> {
    let expand = match req.q("$expand") {
        None => Vec::new(),
        Some(e) => parse_expand(e, type_name).map_err(|m| req.bad_request(&m))?,
    };
    Ok(Query {
        select: req.q("$select").map(parse_select),
        expand,
    })
}

// ------------------------------------------------------------------------------------------
// Rendering

fn render_rules(p: &PimPolicy, sel: Option<&[String]>) -> Value {
    Value::Array(
        p.rules
            .iter()
            .map(|r| Value::Object(select(r.as_object().cloned().unwrap_or_default(), sel, &[])))
            .collect(),
    )
}

fn render_policy(
    tenant: &str,
    p: &PimPolicy,
    view: View,
    sel: Option<&[String]>,
    expand: &[Expand],
) -> Map<String, Value> {
    let (modified, by) = p
        .last_modified
        .clone()
        .unwrap_or((Value::Null, json!({"displayName": null, "id": null})));
    let mut m = json!({
        "id": policy_id(tenant, p, view),
        "displayName": "DirectoryRole",
        "description": "DirectoryRole",
        "isOrganizationDefault": false,
        "scopeId": "/",
        "scopeType": view.scope_type(),
        "lastModifiedDateTime": modified,
        "lastModifiedBy": by,
    })
    .as_object()
    .cloned()
    .unwrap_or_default();
    for e in expand {
        m.insert(e.name.clone(), render_rules(p, e.select.as_deref()));
    }
    select(m, sel, expand)
}

fn render_assignment(
    tenant: &str,
    p: &PimPolicy,
    view: View,
    sel: Option<&[String]>,
    expand: &[Expand],
) -> Map<String, Value> {
    let mut m = json!({
        "id": assignment_id(tenant, p, view),
        "policyId": policy_id(tenant, p, view),
        "scopeId": "/",
        "scopeType": view.scope_type(),
        "roleDefinitionId": p.role_definition_id,
    })
    .as_object()
    .cloned()
    .unwrap_or_default();
    for e in expand {
        let policy = render_policy(tenant, p, view, e.select.as_deref(), &e.expand);
        m.insert(e.name.clone(), Value::Object(policy));
    }
    select(m, sel, expand)
}

fn entity(
    state: &SimState,
    req: &GraphRequest,
    fragment: String,
    m: Map<String, Value>,
) -> GraphResponse {
    let mut body = Map::new();
    body.insert(
        "@odata.context".into(),
        json!(req.context_url(state, &fragment)),
    );
    body.extend(m);
    GraphResponse::json(StatusCode::OK, Value::Object(body))
}

/// `odata::collection` (paging, `$count`) without its own `$select` pass, which would drop
/// expanded members: items arrive already selected.
fn collection(
    state: &SimState,
    req: &GraphRequest,
    fragment: &str,
    items: Vec<Value>,
) -> GraphResponse {
    if req.q("$select").is_none() {
        return odata::collection(state, req, fragment, items);
    }
    let shadow = GraphRequest {
        method: req.method.clone(),
        version: req.version.clone(),
        path: req.path.clone(),
        query: req
            .query
            .iter()
            .filter(|(k, _)| !k.trim_start_matches('$').eq_ignore_ascii_case("select"))
            .cloned()
            .collect(),
        headers: req.headers.clone(),
        body: req.body.clone(),
        ids: req.ids.clone(),
        principal: req.principal.clone(),
        inner: req.inner,
    };
    odata::collection(state, &shadow, fragment, items)
}

// ------------------------------------------------------------------------------------------
// Errors

fn missing_provider(req: &GraphRequest) -> GraphResponse {
    req.error(StatusCode::BAD_REQUEST, "UnknownError", MISSING_PROVIDER)
}

fn not_found(req: &GraphRequest, what: &str, id: &str) -> GraphResponse {
    req.error(
        StatusCode::NOT_FOUND,
        "ResourceNotFound",
        &format!("The {what} '{id}' was not found."),
    )
}

fn not_allowed(_: &SimState, req: &GraphRequest, _: &Params) -> GraphResponse {
    req.error(
        StatusCode::METHOD_NOT_ALLOWED,
        "Request_BadRequest",
        "Specified HTTP method is not allowed for the request target. Role management policies and policy assignments cannot be created or deleted: every role has exactly one policy; update its rules instead.",
    )
}

fn rule_error(req: &GraphRequest, e: RuleError) -> GraphResponse {
    match e {
        // microsoft-graph-docs#15910: mismatched @odata.type -> 500 with an empty code.
        RuleError::TypeMismatch => req.error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "",
            "An error has occurred.",
        ),
        RuleError::Bad(m) => req.bad_request(&m),
        RuleError::MfaAndAcrsConflict => req.error(
            StatusCode::BAD_REQUEST,
            "MfaAndAcrsConflict",
            MFA_ACRS_MESSAGE,
        ),
    }
}

// ------------------------------------------------------------------------------------------
// Filter

enum Scope {
    Directory(View, Vec<odata::EqClause>),
    /// A valid provider with nothing in it (PIM for groups, another scopeId).
    Empty,
}

fn scope(req: &GraphRequest, properties: &[&str], type_name: &str) -> Result<Scope, GraphResponse> {
    let Some(f) = req.q("$filter") else {
        return Err(missing_provider(req));
    };
    let clauses = odata::parse_filter(f, properties, type_name).map_err(|m| req.bad_request(&m))?;
    let value = |name: &str| {
        clauses
            .iter()
            .find(|c| c.property == name)
            .map(|c| c.value.as_str().unwrap_or_default().to_string())
    };
    let (Some(scope_id), Some(scope_type)) = (value("scopeId"), value("scopeType")) else {
        return Err(missing_provider(req));
    };
    let view = if scope_type.eq_ignore_ascii_case("DirectoryRole") {
        View::DirectoryRole
    } else if scope_type.eq_ignore_ascii_case("Directory") {
        View::Directory
    } else if scope_type.eq_ignore_ascii_case("Group") {
        return Ok(Scope::Empty);
    } else {
        return Err(missing_provider(req));
    };
    if scope_id != "/" {
        return Ok(Scope::Empty);
    }
    Ok(Scope::Directory(view, clauses))
}

// ------------------------------------------------------------------------------------------
// Handlers

/// How a policy is shown in one of the two collections (as a policy or as its assignment).
type Render = fn(&str, &PimPolicy, View, Option<&[String]>, &[Expand]) -> Map<String, Value>;

/// The policies or the assignments: both collections hold one entry per role and need the same
/// scope filter, so they differ only in how an entry is rendered.
fn list_scoped(
    state: &SimState,
    req: &GraphRequest,
    filterable: &[&str],
    type_name: &str,
    set: &str,
    render: Render,
) -> GraphResponse {
    let tenant = &state.info.tenant_id;
    let scope = match scope(req, filterable, type_name) {
        Ok(s) => s,
        Err(e) => return e,
    };
    let q = match query(req, type_name) {
        Ok(q) => q,
        Err(e) => return e,
    };
    let items = match scope {
        Scope::Empty => Vec::new(),
        Scope::Directory(view, clauses) => {
            let store = state.store.locked();
            store
                .pim
                .policies
                .iter()
                .filter(|p| {
                    let full = Value::Object(render(tenant, p, view, None, &[]));
                    odata::matches_filter(&full, &clauses)
                })
                .map(|p| Value::Object(render(tenant, p, view, q.select.as_deref(), &q.expand)))
                .collect()
        }
    };
    let fragment = format!(
        "{set}{}",
        context_suffix(q.select.as_deref(), &q.expand, true)
    );
    collection(state, req, &fragment, items)
}

fn list_assignments(state: &SimState, req: &GraphRequest, _: &Params) -> GraphResponse {
    let filterable = ["scopeId", "scopeType", "roleDefinitionId", "policyId", "id"];
    list_scoped(
        state,
        req,
        &filterable,
        ASSIGNMENT_TYPE,
        ASSIGNMENTS_SET,
        render_assignment,
    )
}

fn get_assignment(state: &SimState, req: &GraphRequest, p: &Params) -> GraphResponse {
    let tenant = &state.info.tenant_id;
    let id = p.get("id");
    let q = match query(req, ASSIGNMENT_TYPE) {
        Ok(q) => q,
        Err(e) => return e,
    };
    let m = {
        let store = state.store.locked();
        find_assignment(&store, tenant, id).map(|(i, view)| {
            render_assignment(
                tenant,
                &store.pim.policies[i],
                view,
                q.select.as_deref(),
                &q.expand,
            )
        })
    };
    match m {
        Some(m) => {
            let fragment = format!(
                "{ASSIGNMENTS_SET}{}/$entity",
                context_suffix(q.select.as_deref(), &q.expand, true)
            );
            entity(state, req, fragment, m)
        }
        None => not_found(req, "role management policy assignment", id),
    }
}

fn list_policies(state: &SimState, req: &GraphRequest, _: &Params) -> GraphResponse {
    let filterable = ["scopeId", "scopeType", "id"];
    list_scoped(
        state,
        req,
        &filterable,
        POLICY_TYPE,
        POLICIES_SET,
        render_policy,
    )
}

fn get_policy(state: &SimState, req: &GraphRequest, p: &Params) -> GraphResponse {
    let tenant = &state.info.tenant_id;
    let id = p.get("id");
    let q = match query(req, POLICY_TYPE) {
        Ok(q) => q,
        Err(e) => return e,
    };
    let m = {
        let store = state.store.locked();
        find_policy(&store, tenant, id).map(|(i, view)| {
            render_policy(
                tenant,
                &store.pim.policies[i],
                view,
                q.select.as_deref(),
                &q.expand,
            )
        })
    };
    match m {
        Some(m) => {
            let fragment = format!(
                "{POLICIES_SET}{}/$entity",
                context_suffix(q.select.as_deref(), &q.expand, true)
            );
            entity(state, req, fragment, m)
        }
        None => not_found(req, "role management policy", id),
    }
}

/// `rules` or `effectiveRules`, from the request path.
fn rules_segment(req: &GraphRequest) -> &'static str {
    if req.path.to_ascii_lowercase().contains("/effectiverules") {
        "effectiveRules"
    } else {
        "rules"
    }
}

fn list_rules(state: &SimState, req: &GraphRequest, p: &Params) -> GraphResponse {
    let tenant = &state.info.tenant_id;
    let id = p.get("id");
    let rules = {
        let store = state.store.locked();
        find_policy(&store, tenant, id).map(|(i, _)| store.pim.policies[i].rules.clone())
    };
    let Some(rules) = rules else {
        return not_found(req, "role management policy", id);
    };
    let rules = match req.q("$filter") {
        None => rules,
        Some(f) => match odata::parse_filter(
            f,
            &["id"],
            "microsoft.graph.unifiedRoleManagementPolicyRule",
        ) {
            Ok(clauses) => rules
                .into_iter()
                .filter(|r| odata::matches_filter(r, &clauses))
                .collect(),
            Err(m) => return req.bad_request(&m),
        },
    };
    let fragment = format!("{POLICIES_SET}('{id}')/{}", rules_segment(req));
    odata::collection(state, req, &fragment, rules)
}

fn get_rule(state: &SimState, req: &GraphRequest, p: &Params) -> GraphResponse {
    let tenant = &state.info.tenant_id;
    let (id, rule_id) = (p.get("id"), p.get("ruleId"));
    let found = {
        let store = state.store.locked();
        find_policy(&store, tenant, id).map(|(i, _)| {
            store.pim.policies[i]
                .rules
                .iter()
                .find(|r| {
                    r["id"]
                        .as_str()
                        .is_some_and(|s| s.eq_ignore_ascii_case(rule_id))
                })
                .cloned()
        })
    };
    match found {
        None => not_found(req, "role management policy", id),
        Some(None) => not_found(req, "role management policy rule", rule_id),
        Some(Some(rule)) => {
            let rule = odata::apply_select(req, rule);
            let fragment = format!("{POLICIES_SET}('{id}')/{}/$entity", rules_segment(req));
            entity(
                state,
                req,
                fragment,
                rule.as_object().cloned().unwrap_or_default(),
            )
        }
    }
}

/// Apply rule bodies in order onto a copy of `current`; the new rule list or the first error.
fn apply_all(
    store: &Store,
    current: &[Value],
    bodies: &[(&'static rules::RuleSpec, &Map<String, Value>)],
) -> Result<Vec<Value>, RuleError> {
    let exists = |c: &str| store.auth_contexts.contains(c);
    let mut out = current.to_vec();
    for (spec, body) in bodies {
        let Some(pos) = out.iter().position(|r| r["id"] == spec.id) else {
            continue;
        };
        let updated = validate::apply_rule(spec, &out[pos], body, &exists)?;
        validate::check_cross_rules(&out, &updated)?;
        out[pos] = updated;
    }
    Ok(out)
}

/// Record a modification: timestamps, and a new id on the first one (see module docs).
fn mark_modified(p: &mut PimPolicy, req: &GraphRequest) {
    let claims = req.principal.as_ref().map(|p| &p.claims);
    let name = claims
        .and_then(|c| c.get("app_displayname").or_else(|| c.get("name")))
        .and_then(Value::as_str)
        .unwrap_or("Terraform");
    let now = crate::time_fmt::now();
    let stamp = now
        .format(time::macros::format_description!(
            "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
        ))
        .unwrap_or_default();
    p.last_modified = Some((json!(stamp), json!({"displayName": name, "id": null})));
    if !p.rotated {
        p.guid = uuid::Uuid::new_v4().to_string();
        p.rotated = true;
    }
}

fn patch_rule(state: &SimState, req: &GraphRequest, p: &Params) -> GraphResponse {
    let tenant = &state.info.tenant_id;
    let (id, rule_id) = (p.get("id"), p.get("ruleId"));
    let body = match req.json_object() {
        Ok(Some(b)) => b,
        Ok(None) => return req.bad_request("Empty Payload. JSON content expected."),
        Err(e) => return e,
    };
    let mut store = state.store.locked();
    let Some((i, _)) = find_policy(&store, tenant, id) else {
        return not_found(req, "role management policy", id);
    };
    let Some(spec) = rules::find(rule_id) else {
        return not_found(req, "role management policy rule", rule_id);
    };
    let current = store.pim.policies[i].rules.clone();
    match apply_all(&store, &current, &[(spec, &body)]) {
        Ok(new_rules) => {
            let policy = &mut store.pim.policies[i];
            policy.rules = new_rules;
            mark_modified(policy, req);
            GraphResponse::no_content()
        }
        Err(e) => rule_error(req, e),
    }
}

/// Read-only policy members a PATCH body may echo back; ignored.
const POLICY_READ_ONLY: [&str; 8] = [
    "id",
    "displayName",
    "description",
    "isOrganizationDefault",
    "scopeId",
    "scopeType",
    "lastModifiedDateTime",
    "lastModifiedBy",
];

fn patch_policy(state: &SimState, req: &GraphRequest, p: &Params) -> GraphResponse {
    let tenant = &state.info.tenant_id;
    let id = p.get("id");
    let body = match req.json_object() {
        Ok(Some(b)) => b,
        Ok(None) => return req.bad_request("Empty Payload. JSON content expected."),
        Err(e) => return e,
    };
    for k in body.keys() {
        if !(k.starts_with('@') || k == "rules" || POLICY_READ_ONLY.contains(&k.as_str())) {
            return req.bad_request(&format!(
                "The property '{k}' does not exist on type '{POLICY_TYPE}' or cannot be updated. Only 'rules' can be updated."
            ));
        }
    }
    let mut store = state.store.locked();
    let Some((i, view)) = find_policy(&store, tenant, id) else {
        return not_found(req, "role management policy", id);
    };
    let given: &[Value] = match body.get("rules") {
        None | Some(Value::Null) => &[],
        Some(Value::Array(a)) => a,
        Some(_) => {
            return req.bad_request(
                "'rules' must be an array of unifiedRoleManagementPolicyRule objects.",
            )
        }
    };
    let mut bodies = Vec::new();
    for r in given {
        let Some(r) = r.as_object() else {
            return req.bad_request(
                "'rules' must be an array of unifiedRoleManagementPolicyRule objects.",
            );
        };
        let Some(rule_id) = r.get("id").and_then(Value::as_str) else {
            return req.bad_request("Every rule in 'rules' needs its 'id'.");
        };
        let Some(spec) = rules::find(rule_id) else {
            return req.bad_request(&format!(
                "The rule '{rule_id}' does not exist in role management policy '{id}'."
            ));
        };
        bodies.push((spec, r));
    }
    let current = store.pim.policies[i].rules.clone();
    let new_rules = match apply_all(&store, &current, &bodies) {
        Ok(r) => r,
        Err(e) => return rule_error(req, e),
    };
    let policy = &mut store.pim.policies[i];
    policy.rules = new_rules;
    mark_modified(policy, req);
    let m = render_policy(tenant, policy, view, None, &[]);
    drop(store);
    entity(state, req, format!("{POLICIES_SET}/$entity"), m)
}

// ------------------------------------------------------------------------------------------
// Test helpers (`Simulator::pim_rules`, `pim_policy_id`) and seeding

/// The role's 17 current rules (`Value::Null` for an unknown role).
pub(crate) fn rules_for(state: &SimState, role_definition_id: &str) -> Value {
    let store = state.store.locked();
    store
        .pim
        .for_role(role_definition_id)
        .map(|p| Value::Array(p.rules.clone()))
        .unwrap_or(Value::Null)
}

/// The role's current policy id (`DirectoryRole_...`), if the role exists.
pub(crate) fn policy_id_for(state: &SimState, role_definition_id: &str) -> Option<String> {
    let store = state.store.locked();
    store
        .pim
        .for_role(role_definition_id)
        .map(|p| policy_id(&state.info.tenant_id, p, View::DirectoryRole))
}

/// `a-b-c` from `A B c`, for matching file names against role names.
fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').to_string()
}

/// The role a seed object (or its file name) names: `roleDefinitionId` / `templateId` /
/// `roleDisplayName` / `roleName` members, else the longest role display name whose slug
/// appears in the file name (`...-global-administrator-policy.json`).
fn seed_role(store: &Store, file_stem: &str, obj: &Map<String, Value>) -> Option<String> {
    let roles = &store.role_definitions;
    for k in ["roleDefinitionId", "templateId"] {
        if let Some(r) = obj
            .get(k)
            .and_then(Value::as_str)
            .and_then(|id| roles.get(id))
        {
            return Some(r.id.clone());
        }
    }
    for k in ["roleDisplayName", "roleName"] {
        if let Some(name) = obj.get(k).and_then(Value::as_str) {
            if let Some(r) = roles
                .items
                .iter()
                .find(|r| r.display_name.eq_ignore_ascii_case(name))
            {
                return Some(r.id.clone());
            }
        }
    }
    let stem = format!("-{}-", slug(file_stem));
    roles
        .items
        .iter()
        .filter(|r| stem.contains(&format!("-{}-", slug(&r.display_name))))
        .max_by_key(|r| r.display_name.len())
        .map(|r| r.id.clone())
}

/// `pim-policies/*.json`: a policy (or an assignment with an expanded `policy`) whose file or
/// members name a directory role gets its rules applied to that role's policy, as a policy
/// PATCH would (keeping the policy id; lastModified* copied when the file has them). Files that
/// name no role, are not directory-role policies, or whose rules do not validate are skipped and
/// counted in one stderr line.
pub(crate) fn load_seed(dir: &Path, store: &mut Store) -> anyhow::Result<()> {
    if !dir.is_dir() {
        return Ok(());
    }
    let mut files: Vec<_> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    let (mut applied, mut skipped) = (0usize, Vec::new());
    for f in files {
        let name = f
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let stem = f
            .file_stem()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let text = std::fs::read_to_string(&f)?;
        let Ok(Value::Object(mut obj)) = serde_json::from_str::<Value>(&text) else {
            skipped.push(format!("{name} (not a JSON object)"));
            continue;
        };
        let role = seed_role(store, &stem, &obj);
        if let Some(Value::Object(policy)) = obj.remove("policy") {
            obj.extend(policy);
        }
        let scope_ok = obj
            .get("scopeType")
            .and_then(Value::as_str)
            .is_none_or(|s| {
                s.eq_ignore_ascii_case("DirectoryRole") || s.eq_ignore_ascii_case("Directory")
            });
        let (Some(role), true, Some(Value::Array(given))) = (role, scope_ok, obj.get("rules"))
        else {
            skipped.push(format!("{name} (names no directory role)"));
            continue;
        };
        let mut bodies = Vec::new();
        for r in given {
            let spec = r.get("id").and_then(Value::as_str).and_then(rules::find);
            if let (Some(spec), Some(body)) = (spec, r.as_object()) {
                bodies.push((spec, body));
            }
        }
        store.pim.add_role(&role);
        let Some(i) = store
            .pim
            .policies
            .iter()
            .position(|p| p.role_definition_id == role)
        else {
            continue;
        };
        let current = store.pim.policies[i].rules.clone();
        match apply_all(store, &current, &bodies) {
            Ok(new_rules) => {
                let policy = &mut store.pim.policies[i];
                policy.rules = new_rules;
                if let Some(t) = obj.get("lastModifiedDateTime").filter(|v| v.is_string()) {
                    let by = obj
                        .get("lastModifiedBy")
                        .cloned()
                        .unwrap_or(json!({"displayName": null, "id": null}));
                    policy.last_modified = Some((t.clone(), by));
                }
                applied += 1;
            }
            Err(e) => skipped.push(format!("{name} (rules rejected: {e:?})")),
        }
    }
    eprintln!(
        "entra-graph-sim: pim-policies: applied {applied} file(s); skipped {}{}{}",
        skipped.len(),
        if skipped.is_empty() { "" } else { ": " },
        skipped.join(", ")
    );
    Ok(())
}
