//! The kinds of named location, which Graph tells apart by `@odata.type`, and the block of the
//! resource and the data source that each one fills.

use crate::graph::models::NamedLocation;
use crate::graph::Api;

/// A named location's kind: which block it fills and which endpoint can read it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// IPv4 and IPv6 ranges (`ipNamedLocation`).
    Ip,
    /// Countries and regions (`countryNamedLocation`).
    Country,
    /// Beta only.
    PrivateLink,
    /// Beta only.
    ServiceTag,
    /// Beta only: the system "All Compliant Network locations", which Global Secure Access makes
    /// (one per tenant) and Graph neither creates nor deletes on request.
    CompliantNetwork,
    /// A type this provider does not know yet.
    Other,
}

/// Each known kind with its Graph type and its block.
const KNOWN: [(Kind, &str, &str); 5] = [
    (Kind::Ip, "ipNamedLocation", "ip"),
    (Kind::Country, "countryNamedLocation", "country"),
    (Kind::ServiceTag, "serviceTagNamedLocation", "service_tag"),
    (
        Kind::PrivateLink,
        "privateLinkNamedLocation",
        "private_link",
    ),
    (
        Kind::CompliantNetwork,
        "compliantNetworkNamedLocation",
        "compliant_network",
    ),
];

/// The kinds the resource manages, in the order of its blocks.
pub const MANAGED: [Kind; 4] = [Kind::Ip, Kind::Country, Kind::ServiceTag, Kind::PrivateLink];
/// Every kind with a block, in the order of the data source's blocks.
pub const WITH_BLOCKS: [Kind; 5] = [
    Kind::Ip,
    Kind::Country,
    Kind::ServiceTag,
    Kind::PrivateLink,
    Kind::CompliantNetwork,
];

impl Kind {
    fn known(self) -> Option<(Kind, &'static str, &'static str)> {
        KNOWN.into_iter().find(|(k, _, _)| *k == self)
    }

    /// Graph's type name without namespace, e.g. `ipNamedLocation`.
    pub fn type_name(self) -> Option<&'static str> {
        self.known().map(|(_, t, _)| t)
    }

    /// The `@odata.type` Graph requires on writes.
    pub fn odata_type(self) -> String {
        format!("#microsoft.graph.{}", self.type_name().unwrap_or_default())
    }

    /// The block of the resource and the data source that shows this kind.
    pub fn block(self) -> Option<&'static str> {
        self.known().map(|(_, _, b)| b)
    }

    /// The Graph version to write (and read one object) through: only beta has the newer kinds.
    pub fn api(self) -> Api {
        match self {
            Kind::Ip | Kind::Country => Api::V1,
            _ => Api::Beta,
        }
    }
}

/// The kind from `@odata.type`, or from the fields when Graph left the type out.
pub fn kind(loc: &NamedLocation) -> Kind {
    match loc.odata_type.as_deref() {
        Some(t) => KNOWN
            .into_iter()
            .find(|(_, name, _)| t.ends_with(&format!(".{name}")))
            .map_or(Kind::Other, |(k, _, _)| k),
        None if loc.ip_ranges.is_some() => Kind::Ip,
        None if loc.countries_and_regions.is_some() => Kind::Country,
        None if loc.private_link_resource_policy_ids.is_some() => Kind::PrivateLink,
        None if loc.service_tags.is_some() => Kind::ServiceTag,
        None if loc.compliant_network_type.is_some() => Kind::CompliantNetwork,
        None => Kind::Other,
    }
}
