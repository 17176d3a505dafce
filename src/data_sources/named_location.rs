//! Data source `entra_named_location`: a named location by `id` or `display_name`, of any kind
//! (read through beta, which alone returns the service tag, private link and system compliant
//! network locations), including the locations Conditional Access knows without Graph listing
//! them: the keywords `All` and `AllTrusted`, and the legacy "Multifactor authentication
//! trusted IPs" (the all-zero GUID).

use crate::data_sources::lookup::{self, Lookup, LookupDataSource};
use crate::graph::ids::{is_guid, MFA_TRUSTED_IPS_ID};
use crate::graph::models::NamedLocation;
use crate::graph::Api;
use crate::plugin::diag::Diagnostics;
use crate::plugin::schema::{Attribute, Block, Mode, Schema, Type};
use crate::plugin::value::Value;
use crate::resources::named_location::{blocks, guid_of, kind, COLLECTION, WITH_BLOCKS};
use std::collections::BTreeMap;

/// Locations that policies may reference but `GET /namedLocations` does not return:
/// (id, display name).
pub const SYSTEM_LOCATIONS: &[(&str, &str)] = &[
    ("All", "All locations"),
    ("AllTrusted", "All trusted locations"),
    (MFA_TRUSTED_IPS_ID, "Multifactor authentication trusted IPs"),
];

/// Look-up arguments `id` and `display_name`, and every kind's attributes (those of other kinds
/// stay empty).
pub fn schema() -> Schema {
    let object = |fields: &[(&str, Type)]| {
        Type::list(Type::Object(
            fields
                .iter()
                .map(|(k, t)| (k.to_string(), t.clone()))
                .collect::<BTreeMap<_, _>>(),
        ))
    };
    Schema {
        version: 0,
        block: Block {
            attributes: vec![
                Attribute::new("id", Type::String, Mode::OptionalComputed, "The location to look up: its GUID (or azuread's `/identity/conditionalAccess/namedLocations/{id}`), `All`, `AllTrusted`, or `00000000-0000-0000-0000-000000000000`. Always the GUID or keyword once read."),
                Attribute::new("display_name", Type::String, Mode::OptionalComputed, "The exact display name to look up."),
                Attribute::new("kind", Type::String, Mode::Computed, "Graph's type of the location, e.g. `ipNamedLocation` or `compliantNetworkNamedLocation`; null for `All`, `AllTrusted` and the MFA trusted IPs."),
                Attribute::new("ip", object(&[("ip_ranges", Type::set(Type::String)), ("trusted", Type::Bool)]), Mode::Computed, "One element with `ip_ranges` and `trusted` for an IP location; empty otherwise."),
                Attribute::new("country", object(&[("countries_and_regions", Type::set(Type::String)), ("include_unknown_countries_and_regions", Type::Bool), ("country_lookup_method", Type::String)]), Mode::Computed, "One element with `countries_and_regions`, `include_unknown_countries_and_regions` and `country_lookup_method` for a country location; empty otherwise."),
                Attribute::new("service_tag", object(&[("service_tags", Type::set(Type::String)), ("trusted", Type::Bool)]), Mode::Computed, "One element with `service_tags` and `trusted` for a service tag location; empty otherwise."),
                Attribute::new("private_link", object(&[("private_link_resource_policy_ids", Type::set(Type::String)), ("trusted", Type::Bool)]), Mode::Computed, "One element with `private_link_resource_policy_ids` and `trusted` for a private link location; empty otherwise."),
                Attribute::new("compliant_network", object(&[("compliant_network_type", Type::String), ("trusted", Type::Bool)]), Mode::Computed, "One element with `compliant_network_type` and `trusted` for the system compliant network location; empty otherwise."),
            ],
            block_types: vec![],
            description: "Reads a named location of any kind by id or display name, including `All`, `AllTrusted` and the MFA trusted IPs.".into(),
        },
    }
}

/// The system location an id or a display name stands for, if any.
fn system_location(id: Option<&str>, name: Option<&str>) -> Option<(&'static str, &'static str)> {
    SYSTEM_LOCATIONS
        .iter()
        .copied()
        .find(|(i, n)| id.is_some_and(|id| id.eq_ignore_ascii_case(i)) || name == Some(*n))
}

/// The data source's value for a location Graph returned.
pub fn from_graph(loc: &NamedLocation) -> Value {
    let type_name = kind(loc).type_name().map(str::to_string).or_else(|| {
        loc.odata_type
            .as_deref()
            .map(|t| t.rsplit('.').next().unwrap_or(t).to_string())
    });
    let mut pairs = vec![
        ("id", Value::string(&loc.id)),
        ("display_name", Value::opt_string(loc.display_name.clone())),
        ("kind", Value::opt_string(type_name)),
    ];
    pairs.extend(blocks(loc, &WITH_BLOCKS));
    Value::object(pairs)
}

fn system_state((id, name): (&str, &str)) -> Value {
    let mut pairs = vec![
        ("id", Value::string(id)),
        ("display_name", Value::string(name)),
        ("kind", Value::Null),
    ];
    pairs.extend(WITH_BLOCKS.map(|k| (k.block().unwrap_or_default(), Value::List(vec![]))));
    Value::object(pairs)
}

/// The one location with this display name. A system location's name (e.g. "All trusted
/// locations") finds it only when no real location has that name.
pub fn pick_by_name(all: Vec<NamedLocation>, name: &str) -> Result<Value, Diagnostics> {
    lookup::state_by_name::<NamedLocations>(all, name)
}

/// `entra_named_location`.
pub type NamedLocationDataSource = LookupDataSource<NamedLocations>;

/// How a named location is looked up: by `id`, through beta, with the system locations known
/// without Graph.
pub struct NamedLocations;

impl Lookup for NamedLocations {
    type Model = NamedLocation;
    const TYPE_NAME: &'static str = "entra_named_location";
    const NOUN: &'static str = "named location";
    const PLURAL: &'static str = "named locations";
    const ID: &'static str = "id";
    const API: Api = Api::Beta;
    const COLLECTION: &'static str = COLLECTION;

    fn schema() -> Schema {
        schema()
    }

    fn check_id(id: &str) -> Result<(), String> {
        is_guid(guid_of(id)).then_some(()).ok_or_else(|| {
            format!("{id:?} is neither a GUID, {COLLECTION}/{{id}}, All nor AllTrusted.")
        })
    }

    fn id(loc: &NamedLocation) -> &str {
        &loc.id
    }

    fn name(loc: &NamedLocation) -> Option<&str> {
        loc.display_name.as_deref()
    }

    fn state(loc: &NamedLocation) -> Value {
        from_graph(loc)
    }

    fn graph_id(id: &str) -> &str {
        guid_of(id)
    }

    fn unlisted_by_id(id: &str) -> Option<Value> {
        system_location(Some(id), None).map(system_state)
    }

    fn unlisted_by_name(name: &str) -> Option<Value> {
        system_location(None, Some(name)).map(system_state)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plugin::diag::AttrPath;

    fn validate(config: &Value) -> Diagnostics {
        lookup::validate::<NamedLocations>(config)
    }

    fn loc(id: &str, name: &str) -> NamedLocation {
        NamedLocation {
            odata_type: Some("#microsoft.graph.countryNamedLocation".into()),
            id: id.into(),
            display_name: Some(name.into()),
            countries_and_regions: Some(vec!["NL".into()]),
            ..Default::default()
        }
    }

    fn config(id: Value, name: Value) -> Value {
        Value::object([("id", id), ("display_name", name)])
    }

    #[test]
    fn exactly_one_valid_lookup_key() {
        assert!(validate(&config(Value::string("All"), Value::string("x"))).has_errors());
        assert!(validate(&config(Value::Null, Value::Null)).has_errors());
        for ok in [
            "All",
            "alltrusted",
            MFA_TRUSTED_IPS_ID,
            "1cc7e30b-f894-43a2-9da6-30aa7c085dda",
            "/identity/conditionalAccess/namedLocations/1cc7e30b-f894-43a2-9da6-30aa7c085dda",
        ] {
            assert!(
                validate(&config(Value::string(ok), Value::Null)).is_empty(),
                "{ok}"
            );
        }
        let d = validate(&config(Value::string("Office"), Value::Null));
        assert_eq!(d.0[0].attribute, Some(AttrPath::root("id")));
        assert!(validate(&config(Value::Unknown, Value::Null)).is_empty());
    }

    #[test]
    fn names_match_exactly_once_and_system_names_come_last() {
        let all = vec![loc("a", "EU"), loc("b", "Blocked"), loc("c", "Blocked")];
        let eu = pick_by_name(all.clone(), "EU").unwrap();
        assert_eq!(eu.get("id"), &Value::string("a"));
        assert_eq!(eu.get("country").elements().len(), 1);
        assert!(eu.get("ip").elements().is_empty());
        assert!(pick_by_name(all.clone(), "Blocked")
            .unwrap_err()
            .to_string()
            .contains("b, c"));
        assert!(pick_by_name(all.clone(), "eu").is_err());
        let trusted = pick_by_name(all.clone(), "All trusted locations").unwrap();
        assert_eq!(trusted.get("id"), &Value::string("AllTrusted"));
        let mine = vec![loc("d", "All trusted locations")];
        assert_eq!(
            pick_by_name(mine, "All trusted locations")
                .unwrap()
                .get("id"),
            &Value::string("d")
        );
    }

    #[test]
    fn every_kind_shows_its_type_and_fills_its_own_block() {
        let compliant: NamedLocation = serde_json::from_value(serde_json::json!({
            "@odata.type": "#microsoft.graph.compliantNetworkNamedLocation",
            "id": "3d46dbda-8382-466a-856d-eb00cbc6b910",
            "displayName": "All Compliant Network locations",
            "compliantNetworkType": "allTenantCompliantNetworks",
            "isTrusted": true
        }))
        .unwrap();
        let v = pick_by_name(
            vec![compliant, loc("a", "EU")],
            "All Compliant Network locations",
        )
        .unwrap();
        assert_eq!(
            v.get("kind"),
            &Value::string("compliantNetworkNamedLocation")
        );
        let c = v.get("compliant_network").elements()[0].clone();
        assert_eq!(
            c.get("compliant_network_type"),
            &Value::string("allTenantCompliantNetworks")
        );
        assert_eq!(c.get("trusted"), &Value::Bool(true));
        for other in ["ip", "country", "service_tag", "private_link"] {
            assert!(v.get(other).elements().is_empty(), "{other}");
        }
        let tags: NamedLocation = serde_json::from_value(serde_json::json!({
            "@odata.type": "#microsoft.graph.serviceTagNamedLocation", "id": "t",
            "displayName": "Azure", "serviceTags": ["AzureCloud"], "isTrusted": false
        }))
        .unwrap();
        let v = from_graph(&tags);
        assert_eq!(v.get("kind"), &Value::string("serviceTagNamedLocation"));
        assert_eq!(
            v.get("service_tag").elements()[0].get("service_tags"),
            &Value::string_set(["AzureCloud"])
        );
        // A kind this provider does not know yet still reads, with Graph's type name.
        let future: NamedLocation = serde_json::from_value(serde_json::json!({
            "@odata.type": "#microsoft.graph.futureNamedLocation", "id": "f", "displayName": "F"
        }))
        .unwrap();
        assert_eq!(
            from_graph(&future).get("kind"),
            &Value::string("futureNamedLocation")
        );
    }

    #[test]
    fn system_locations_have_names_and_no_blocks() {
        let v = system_state(system_location(Some("all"), None).unwrap());
        assert_eq!(v.get("id"), &Value::string("All"));
        assert_eq!(v.get("display_name"), &Value::string("All locations"));
        assert_eq!(v.get("ip"), &Value::List(vec![]));
        assert_eq!(v.get("compliant_network"), &Value::List(vec![]));
        assert_eq!(v.get("kind"), &Value::Null);
        let mfa = system_state(system_location(Some(MFA_TRUSTED_IPS_ID), None).unwrap());
        assert_eq!(
            mfa.get("display_name"),
            &Value::string("Multifactor authentication trusted IPs")
        );
    }
}
