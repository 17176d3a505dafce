//! Typed Graph entities. Optional fields are `Option` because Graph omits or nulls them.

use serde::{Deserialize, Serialize};

/// `authenticationContextClassReference` (graph-api.md section 3).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthenticationContext {
    pub id: String,
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub is_available: Option<bool>,
}

/// Just enough of a Conditional Access policy to tell which authentication contexts it uses.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PolicyReferences {
    pub id: String,
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub conditions: Option<serde_json::Value>,
}

impl PolicyReferences {
    pub fn uses_authentication_context(&self, context_id: &str) -> bool {
        self.conditions.as_ref().is_some_and(|c| {
            c["applications"]["includeAuthenticationContextClassReferences"]
                .as_array()
                .is_some_and(|ids| ids.iter().any(|i| i.as_str() == Some(context_id)))
        })
    }
}
