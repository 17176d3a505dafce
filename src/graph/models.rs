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
    #[serde(default)]
    pub grant_controls: Option<serde_json::Value>,
}

impl PolicyReferences {
    pub fn uses_authentication_context(&self, context_id: &str) -> bool {
        self.conditions.as_ref().is_some_and(|c| {
            c["applications"]["includeAuthenticationContextClassReferences"]
                .as_array()
                .is_some_and(|ids| ids.iter().any(|i| i.as_str() == Some(context_id)))
        })
    }

    /// Whether the policy includes or excludes the named location `location_id`.
    pub fn uses_named_location(&self, location_id: &str) -> bool {
        self.conditions.as_ref().is_some_and(|c| {
            ["includeLocations", "excludeLocations"].iter().any(|k| {
                c["locations"][k].as_array().is_some_and(|ids| {
                    ids.iter().any(|i| {
                        i.as_str()
                            .is_some_and(|i| i.eq_ignore_ascii_case(location_id))
                    })
                })
            })
        })
    }

    /// Whether the policy's grant requires the authentication strength `strength_id` (a GUID).
    pub fn uses_authentication_strength(&self, strength_id: &str) -> bool {
        self.grant_controls.as_ref().is_some_and(|g| {
            g["authenticationStrength"]["id"]
                .as_str()
                .is_some_and(|i| i.eq_ignore_ascii_case(strength_id))
        })
    }

    /// `"name" (id)`, how errors and warnings name a policy.
    pub fn label(&self) -> String {
        format!(
            "\"{}\" ({})",
            self.display_name.as_deref().unwrap_or("unnamed"),
            self.id
        )
    }
}

/// `namedLocation` (graph-api.md section 4), told apart by `@odata.type`: `ipNamedLocation`,
/// `countryNamedLocation`, and beta's `privateLinkNamedLocation`, `serviceTagNamedLocation` and
/// system `compliantNetworkNamedLocation` (section 10). Each kind fills only its own fields.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NamedLocation {
    #[serde(rename = "@odata.type", default)]
    pub odata_type: Option<String>,
    pub id: String,
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub is_trusted: Option<bool>,
    #[serde(default)]
    pub ip_ranges: Option<Vec<IpRange>>,
    #[serde(default)]
    pub countries_and_regions: Option<Vec<String>>,
    #[serde(default)]
    pub include_unknown_countries_and_regions: Option<bool>,
    #[serde(default)]
    pub country_lookup_method: Option<String>,
    #[serde(default)]
    pub private_link_resource_policy_ids: Option<Vec<String>>,
    #[serde(default)]
    pub service_tags: Option<Vec<String>>,
    #[serde(default)]
    pub compliant_network_type: Option<String>,
}

/// One `ipRanges` item: `iPv4CidrRange` / `iPv6CidrRange` (`cidrAddress`), or the address range
/// `iPv4Range` / `iPv6Range` (`lowerAddress`, `upperAddress`) that older tools wrote and Graph
/// still returns, although named locations take CIDR ranges only.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IpRange {
    #[serde(rename = "@odata.type", default)]
    pub odata_type: Option<String>,
    #[serde(default)]
    pub cidr_address: Option<String>,
    #[serde(default)]
    pub lower_address: Option<String>,
    #[serde(default)]
    pub upper_address: Option<String>,
}

/// `authenticationStrengthPolicy` (graph-api.md section 5).
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthenticationStrengthPolicy {
    pub id: String,
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub policy_type: Option<String>,
    #[serde(default)]
    pub allowed_combinations: Vec<String>,
    /// `None` when Graph did not expand the relationship inline.
    #[serde(default)]
    pub combination_configurations: Option<Vec<CombinationConfiguration>>,
}

/// A `fido2CombinationConfiguration` or `x509CertificateCombinationConfiguration`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CombinationConfiguration {
    #[serde(rename = "@odata.type", default)]
    pub odata_type: Option<String>,
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub applies_to_combinations: Vec<String>,
    #[serde(rename = "allowedAAGUIDs", default)]
    pub allowed_aaguids: Option<Vec<String>>,
    #[serde(default)]
    pub allowed_issuer_skis: Option<Vec<String>>,
    #[serde(rename = "allowedPolicyOIDs", default)]
    pub allowed_policy_oids: Option<Vec<String>>,
}
