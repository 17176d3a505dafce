//! Typed Graph entities. Optional fields are `Option` because Graph omits or nulls them.

use serde::{Deserialize, Serialize};

/// `authenticationContextClassReference` (graph-api.md section 3).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthenticationContext {
    /// `c1` to `c99`, the value of the `acrs` claim apps ask for.
    pub id: String,
    /// The name admins see.
    #[serde(default)]
    pub display_name: Option<String>,
    /// What the context is for, shown to admins.
    #[serde(default)]
    pub description: Option<String>,
    /// Published: apps can request the context only when true.
    #[serde(default)]
    pub is_available: Option<bool>,
}

/// Just enough of a Conditional Access policy to tell which authentication contexts it uses.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PolicyReferences {
    /// The policy's object id.
    pub id: String,
    /// The policy's name, for messages.
    #[serde(default)]
    pub display_name: Option<String>,
    /// Graph's `conditions`, raw: only a few paths are read.
    #[serde(default)]
    pub conditions: Option<serde_json::Value>,
    /// Graph's `grantControls`, raw: only a few paths are read.
    #[serde(default)]
    pub grant_controls: Option<serde_json::Value>,
}

impl PolicyReferences {
    /// Whether the policy targets the authentication context `context_id` (`c1` to `c99`).
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
    /// Which kind of location, `#microsoft.graph.ipNamedLocation` say.
    #[serde(rename = "@odata.type", default)]
    pub odata_type: Option<String>,
    /// The location's object id.
    pub id: String,
    /// The name admins see.
    #[serde(default)]
    pub display_name: Option<String>,
    /// Whether policies count the location as trusted (`AllTrusted`).
    #[serde(default)]
    pub is_trusted: Option<bool>,
    /// IP locations: the ranges.
    #[serde(default)]
    pub ip_ranges: Option<Vec<IpRange>>,
    /// Country locations: ISO 3166 two-letter codes.
    #[serde(default)]
    pub countries_and_regions: Option<Vec<String>>,
    /// Country locations: whether addresses that map to no country match too.
    #[serde(default)]
    pub include_unknown_countries_and_regions: Option<bool>,
    /// Country locations: by the client's IP address or by the Authenticator app's GPS.
    #[serde(default)]
    pub country_lookup_method: Option<String>,
    /// Private link locations (beta): the private link policies.
    #[serde(default)]
    pub private_link_resource_policy_ids: Option<Vec<String>>,
    /// Service tag locations (beta): the Azure service tags.
    #[serde(default)]
    pub service_tags: Option<Vec<String>>,
    /// The system compliant network location: which networks count.
    #[serde(default)]
    pub compliant_network_type: Option<String>,
}

/// One `ipRanges` item: `iPv4CidrRange` / `iPv6CidrRange` (`cidrAddress`), or the address range
/// `iPv4Range` / `iPv6Range` (`lowerAddress`, `upperAddress`) that older tools wrote and Graph
/// still returns, although named locations take CIDR ranges only.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IpRange {
    /// Which of the four forms the item is.
    #[serde(rename = "@odata.type", default)]
    pub odata_type: Option<String>,
    /// CIDR forms: `192.0.2.0/24` or `2001:db8::/32`.
    #[serde(default)]
    pub cidr_address: Option<String>,
    /// Address range forms: the first address.
    #[serde(default)]
    pub lower_address: Option<String>,
    /// Address range forms: the last address.
    #[serde(default)]
    pub upper_address: Option<String>,
}

/// `authenticationStrengthPolicy` (graph-api.md section 5).
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthenticationStrengthPolicy {
    /// The policy's GUID; a built-in one has the same in every tenant.
    pub id: String,
    /// The name admins see.
    #[serde(default)]
    pub display_name: Option<String>,
    /// What the strength is for.
    #[serde(default)]
    pub description: Option<String>,
    /// `builtIn` (read-only) or `custom`.
    #[serde(default)]
    pub policy_type: Option<String>,
    /// The method combinations that satisfy the strength, `password,microsoftAuthenticatorPush`
    /// say.
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
    /// Which of the two kinds it is.
    #[serde(rename = "@odata.type", default)]
    pub odata_type: Option<String>,
    /// Graph's id for the configuration, needed to update or delete it.
    #[serde(default)]
    pub id: String,
    /// The combinations it narrows (`fido2`, `x509CertificateMultiFactor`, ...).
    #[serde(default)]
    pub applies_to_combinations: Vec<String>,
    /// FIDO2: the authenticator models (AAGUIDs) allowed.
    #[serde(rename = "allowedAAGUIDs", default)]
    pub allowed_aaguids: Option<Vec<String>>,
    /// Certificates: the issuers allowed, by subject key identifier.
    #[serde(default)]
    pub allowed_issuer_skis: Option<Vec<String>>,
    /// Certificates: the certificate policy OIDs allowed.
    #[serde(rename = "allowedPolicyOIDs", default)]
    pub allowed_policy_oids: Option<Vec<String>>,
}
