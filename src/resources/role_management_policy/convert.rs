//! The pure mapping of a role's PIM settings between Terraform's state and Graph's rules: the
//! state for what Graph holds (in the user's form where equivalent) and the plan.

use super::state::PolicyState;
use super::{policy_of, rules, schema, RolePolicy};
use crate::plugin::resource::{PlanRequest, Planned};
use crate::plugin::value::Value;
use crate::resources::reconcile::{reconcile, unknown_where_unset, Rules};
use serde_json::Value as Json;

struct PimRules;

impl Rules for PimRules {
    fn case_insensitive(&self, path: &str) -> bool {
        path.ends_with("additional_recipients") || path.ends_with("object_id")
    }

    fn equivalent(&self, path: &str, new: &Value, prior: &Value) -> Option<bool> {
        // Settings are computed: the state must hold Graph's value where the prior had none,
        // or Terraform would plan them as unknown on every run.
        if prior.is_null() {
            return Some(new.is_null());
        }
        if path.ends_with("maximum_duration") || path.ends_with("expire_after") {
            let secs = |v: &Value| v.as_str().and_then(rules::duration_seconds);
            return Some(secs(new).is_some() && secs(new) == secs(prior));
        }
        None
    }
}

/// The state for what Graph holds: the blocks `shape` has (all of them right after import),
/// in the prior's form where equivalent.
pub(super) fn state_from(role: &str, policy: &RolePolicy, prior: &Value) -> Value {
    let mut fields: Vec<(String, Value)> = vec![
        ("id".into(), Value::string(role)),
        ("role_definition_id".into(), Value::string(role)),
        ("policy_id".into(), Value::string(&policy.policy_id)),
    ];
    fields.extend(rules::state_blocks(&policy.rules, prior));
    let new = Value::Object(fields.into_iter().collect());
    let mut out = reconcile(&PimRules, &schema::schema().block, "", &new, prior);
    // The role id in the configuration's case; Graph may answer in another.
    let configured = PolicyState::of(prior).role_definition_id;
    if let (Value::Object(m), Some(r)) = (&mut out, configured) {
        if r.eq_ignore_ascii_case(role) {
            m.insert("role_definition_id".into(), Value::string(&r));
            m.insert("id".into(), Value::string(r));
        }
    }
    out
}

/// The state an import of `assignment` (a role's policy assignment with the policy and its
/// rules expanded) ends with: every block filled. Export writes configuration from it.
pub fn imported_state(assignment: &Json) -> Option<(String, Value)> {
    let (role, policy) = policy_of(assignment)?;
    let shape = Value::object([
        ("id", Value::string(&role)),
        ("role_definition_id", Value::string(&role)),
    ]);
    let state = state_from(&role, &policy, &shape);
    Some((role, state))
}

/// The configuration with what the user left unset unknown (Graph keeps its value), MFA off where
/// an authentication context replaces it, and the role as id.
pub fn plan(req: &PlanRequest<'_>) -> Planned {
    let mut planned = req.proposed.clone();
    unknown_where_unset(&schema::schema().block, req.config, &mut planned);
    // PIM has MFA on activation by default and refuses it next to an authentication context:
    // asking for a context without a word about MFA means MFA off. Read from the `Value`, not
    // the typed state: a context still unknown is asked for, and an MFA setting still unknown
    // is a word about MFA.
    let activation = req.config.block("activation_rules");
    let context = activation.get("required_conditional_access_authentication_context");
    let wants_context = context.is_unknown() || context.as_str().is_some_and(|c| !c.is_empty());
    if wants_context
        && activation
            .get("require_multifactor_authentication")
            .is_null()
    {
        if let Value::Object(m) = &mut planned {
            if let Some(Value::List(items)) = m.get_mut("activation_rules") {
                if let Some(Value::Object(a)) = items.first_mut() {
                    a.insert(
                        "require_multifactor_authentication".into(),
                        Value::Bool(false),
                    );
                }
            }
        }
    }
    // The id is the role's, known at plan time even for a create (the schema declares the
    // rest: replacement on another role, a new policy id whenever the rules change); unknown
    // while the role is, so copied as a `Value`.
    if let Value::Object(m) = &mut planned {
        m.insert("id".into(), req.config.get("role_definition_id").clone());
    }
    Planned {
        state: planned,
        requires_replace: vec![],
    }
}
