//! Test shorthand: a policy written as JSON in HCL's shape, where every JSON object below the
//! top is a block (written once), arrays are sets of strings, and missing keys are null.

use crate::plugin::value::{Number, Value};
use serde_json::Value as Json;

fn convert(j: &Json, top: bool) -> Value {
    match j {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Bool(*b),
        Json::Number(n) => Value::Number(Number::Int(n.as_i64().unwrap())),
        Json::String(s) => Value::string(s),
        Json::Array(a) => Value::Set(a.iter().map(|x| convert(x, false)).collect()),
        Json::Object(m) => {
            let obj = Value::Object(
                m.iter()
                    .map(|(k, v)| (k.clone(), convert(v, false)))
                    .collect(),
            );
            if top {
                obj
            } else {
                Value::List(vec![obj])
            }
        }
    }
}

pub(crate) fn hcl(j: Json) -> Value {
    convert(&j, true)
}

/// A valid baseline: all users but break-glass, all apps, MFA.
pub(crate) fn baseline() -> Json {
    serde_json::json!({
        "display_name": "CA001-Global-BaseProtection-AllApps-AnyPlatform-MFA",
        "state": "enabled",
        "conditions": {
            "client_app_types": ["all"],
            "applications": {"included_applications": ["All"]},
            "users": {"included_users": ["All"], "excluded_users": ["11111111-1111-1111-1111-111111111111"]}
        },
        "grant_controls": {"operator": "OR", "built_in_controls": ["mfa"]}
    })
}

/// `baseline()` with `pointer` (a JSON pointer) set to `value`.
pub(crate) fn with(mut j: Json, pointer: &str, value: Json) -> Json {
    let (parent, key) = pointer.rsplit_once('/').unwrap();
    let mut target = &mut j;
    for part in parent.split('/').filter(|p| !p.is_empty()) {
        if target.get(part).is_none() {
            target[part] = serde_json::json!({});
        }
        target = &mut target[part];
    }
    target[key] = value;
    j
}
