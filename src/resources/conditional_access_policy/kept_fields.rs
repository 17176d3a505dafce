//! The unmodelled fields of a policy as this provider last wrote it, kept in its private state
//! so that an update need not read the policy before writing it. An update must carry those
//! fields over (a PATCH replaces `conditions` and `sessionControls` whole); reading them first
//! costs a request, a second of Graph's Conditional Access budget per changed policy.
//!
//! They are trusted only while Graph's modification time is the one they were kept at: the
//! refresh of the same plan puts Graph's current `modified_date_time` into the prior state, so
//! a policy changed since (in the portal, by another tool) is read again before the write.
//! Kept at create and update, never at refresh (a private state that changes on reads would
//! make every `plan -refresh-only` report a change); only the unmodelled fields, usually none,
//! so the state does not hold every policy twice.

use super::unmodeled::{at, unmodeled};
use crate::plugin::value::Value;
use crate::resources::private_state;
use serde_json::{Map, Value as Json};

const FIELDS: &str = "unmodeled_fields";
const AS_OF: &str = "unmodeled_fields_as_of";

/// `private` with the unmodelled fields of `policy`, as Graph holds it at modification time
/// `modified` (the state's `modified_date_time`).
pub(crate) fn keep(private: &[u8], policy: &Json, modified: &Value) -> Vec<u8> {
    let fields: Map<String, Json> = unmodeled(policy)
        .into_iter()
        .map(|path| {
            let value = at(policy, &path).clone();
            (path, value)
        })
        .collect();
    let private = private_state::with(private, AS_OF, &as_of(modified));
    private_state::with(&private, FIELDS, &Json::Object(fields).to_string())
}

/// A stand-in for the policy Graph holds, with only its unmodelled fields, when `private`
/// kept them at modification time `modified`.
pub(crate) fn kept(private: &[u8], modified: &Value) -> Option<Json> {
    if private_state::get(private, AS_OF)? != as_of(modified) {
        return None;
    }
    let fields: Map<String, Json> =
        serde_json::from_str(private_state::get(private, FIELDS)?).ok()?;
    let mut policy = Json::Object(Map::new());
    for (path, value) in fields {
        let mut target = &mut policy;
        for key in path.split('.') {
            if !target.is_object() {
                *target = Json::Object(Map::new());
            }
            target = &mut target[key];
        }
        *target = value;
    }
    Some(policy)
}

/// The modification time as kept: Graph's text, or `never` for a policy not modified since
/// it was created (Graph answers null then).
fn as_of(modified: &Value) -> String {
    modified.as_str().unwrap_or("never").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn policy() -> Json {
        json!({
            "id": "p1",
            "displayName": "Office hours",
            "conditions": {
                "users": {"includeUsers": ["All"]},
                "devices": {"excludeDeviceStates": ["domainJoined"]}
            },
            "grantControls": {"operator": "OR", "builtInControls": ["mfa"]}
        })
    }

    #[test]
    fn the_unmodelled_fields_come_back_while_graph_has_not_changed_the_policy() {
        let at_write = Value::string("2026-12-06T10:00:00Z");
        let private = keep(b"last_written_unix_ms=5", &policy(), &at_write);
        let text = String::from_utf8(private.clone()).unwrap();
        assert!(text.starts_with("last_written_unix_ms=5\n"), "{text}");
        assert!(
            !text.contains("Office hours"),
            "only unmodelled fields: {text}"
        );
        let stand_in = kept(&private, &at_write).unwrap();
        assert_eq!(
            stand_in,
            json!({"conditions": {"devices": {"excludeDeviceStates": ["domainJoined"]}}})
        );
        assert_eq!(unmodeled(&stand_in), unmodeled(&policy()));
        // Changed since (a later modification time), or kept by an older provider: read again.
        assert_eq!(kept(&private, &Value::string("2026-12-06T11:00:00Z")), None);
        assert_eq!(kept(b"last_written_unix_ms=5", &at_write), None);
    }

    #[test]
    fn a_policy_without_unmodelled_fields_keeps_an_empty_stand_in() {
        let mut plain = policy();
        plain["conditions"]
            .as_object_mut()
            .unwrap()
            .remove("devices");
        let private = keep(b"", &plain, &Value::Null);
        assert_eq!(kept(&private, &Value::Null), Some(json!({})));
        assert!(unmodeled(&kept(&private, &Value::Null).unwrap()).is_empty());
    }
}
