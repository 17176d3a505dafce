//! The resource's state (or configuration, or plan) as Rust types, one per block, so that a
//! misspelt attribute is a compile error rather than a silent null; a test holds their names to
//! the schema's. Sets of strings read as `Vec<String>` in Terraform's order; unknown values
//! read as `None` or are left out, so code that must tell unknown from null (which kind a plan
//! has) reads the `Value` itself. `to_value` writes a state back: every attribute present, a
//! block as a list of zero or one element, `None` as null and a set as a set (null reads as
//! empty, so an empty one is written: every set of the resource is required).

use crate::plugin::value::Value;
use crate::resources::typed_state::{
    block, block_value, flag_value, set_value, string, string_value, strings,
};

/// The whole state.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct LocationState {
    pub(crate) id: Option<String>,
    pub(crate) object_id: Option<String>,
    pub(crate) display_name: Option<String>,
    pub(crate) ip: Option<IpBlock>,
    pub(crate) country: Option<CountryBlock>,
    pub(crate) service_tag: Option<ServiceTagBlock>,
    pub(crate) private_link: Option<PrivateLinkBlock>,
}

/// `ip { ... }`.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct IpBlock {
    pub(crate) ip_ranges: Vec<String>,
    pub(crate) trusted: Option<bool>,
}

/// `country { ... }`.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct CountryBlock {
    pub(crate) countries_and_regions: Vec<String>,
    pub(crate) include_unknown_countries_and_regions: Option<bool>,
    pub(crate) country_lookup_method: Option<String>,
}

/// `service_tag { ... }`.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct ServiceTagBlock {
    pub(crate) service_tags: Vec<String>,
    pub(crate) trusted: Option<bool>,
}

/// `private_link { ... }`.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct PrivateLinkBlock {
    pub(crate) private_link_resource_policy_ids: Vec<String>,
    pub(crate) trusted: Option<bool>,
}

/// The data source's `compliant_network` element: beta's system compliant network location,
/// which the resource does not manage, so the state has no block for it.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct CompliantNetworkBlock {
    pub(crate) compliant_network_type: Option<String>,
    pub(crate) trusted: Option<bool>,
}

impl IpBlock {
    /// The block's element.
    pub(crate) fn to_value(&self) -> Value {
        Value::object([
            ("ip_ranges", set_value(&self.ip_ranges)),
            ("trusted", flag_value(self.trusted)),
        ])
    }
}

impl CountryBlock {
    /// The block's element.
    pub(crate) fn to_value(&self) -> Value {
        Value::object([
            (
                "countries_and_regions",
                set_value(&self.countries_and_regions),
            ),
            (
                "include_unknown_countries_and_regions",
                flag_value(self.include_unknown_countries_and_regions),
            ),
            (
                "country_lookup_method",
                string_value(&self.country_lookup_method),
            ),
        ])
    }
}

impl ServiceTagBlock {
    /// The block's element.
    pub(crate) fn to_value(&self) -> Value {
        Value::object([
            ("service_tags", set_value(&self.service_tags)),
            ("trusted", flag_value(self.trusted)),
        ])
    }
}

impl PrivateLinkBlock {
    /// The block's element.
    pub(crate) fn to_value(&self) -> Value {
        Value::object([
            (
                "private_link_resource_policy_ids",
                set_value(&self.private_link_resource_policy_ids),
            ),
            ("trusted", flag_value(self.trusted)),
        ])
    }
}

impl CompliantNetworkBlock {
    /// The data source's element.
    pub(crate) fn to_value(&self) -> Value {
        Value::object([
            (
                "compliant_network_type",
                string_value(&self.compliant_network_type),
            ),
            ("trusted", flag_value(self.trusted)),
        ])
    }
}

impl LocationState {
    pub(crate) fn of(v: &Value) -> LocationState {
        LocationState {
            id: string(v, "id"),
            object_id: string(v, "object_id"),
            display_name: string(v, "display_name"),
            ip: block(v, "ip", |b| IpBlock {
                ip_ranges: strings(b, "ip_ranges"),
                trusted: b.get("trusted").as_bool(),
            }),
            country: block(v, "country", |b| CountryBlock {
                countries_and_regions: strings(b, "countries_and_regions"),
                include_unknown_countries_and_regions: b
                    .get("include_unknown_countries_and_regions")
                    .as_bool(),
                country_lookup_method: string(b, "country_lookup_method"),
            }),
            service_tag: block(v, "service_tag", |b| ServiceTagBlock {
                service_tags: strings(b, "service_tags"),
                trusted: b.get("trusted").as_bool(),
            }),
            private_link: block(v, "private_link", |b| PrivateLinkBlock {
                private_link_resource_policy_ids: strings(b, "private_link_resource_policy_ids"),
                trusted: b.get("trusted").as_bool(),
            }),
        }
    }

    /// The `Value` Terraform stores, every attribute present.
    pub(crate) fn to_value(&self) -> Value {
        Value::object([
            ("id", string_value(&self.id)),
            ("object_id", string_value(&self.object_id)),
            ("display_name", string_value(&self.display_name)),
            ("ip", block_value(&self.ip, IpBlock::to_value)),
            (
                "country",
                block_value(&self.country, CountryBlock::to_value),
            ),
            (
                "service_tag",
                block_value(&self.service_tag, ServiceTagBlock::to_value),
            ),
            (
                "private_link",
                block_value(&self.private_link, PrivateLinkBlock::to_value),
            ),
        ])
    }

    /// Whether the location is trusted, in whichever block it has.
    pub(crate) fn trusted(&self) -> Option<bool> {
        self.ip
            .as_ref()
            .and_then(|b| b.trusted)
            .or(self.service_tag.as_ref().and_then(|b| b.trusted))
            .or(self.private_link.as_ref().and_then(|b| b.trusted))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The names the types read (`every_name_is_read` sets each one) are the schema's.
    #[test]
    fn the_state_types_are_the_schema() {
        let schema = super::super::schema().block;
        assert_eq!(
            schema.state_names().join(","),
            "id,object_id,display_name,ip,country,service_tag,private_link"
        );
        let nested = |name: &str| schema.nested(name).state_names().join(",");
        assert_eq!(nested("ip"), "ip_ranges,trusted");
        assert_eq!(
            nested("country"),
            "countries_and_regions,include_unknown_countries_and_regions,country_lookup_method"
        );
        assert_eq!(nested("service_tag"), "service_tags,trusted");
        assert_eq!(
            nested("private_link"),
            "private_link_resource_policy_ids,trusted"
        );
    }

    #[test]
    fn every_name_is_read() {
        let block = |pairs: Vec<(&str, Value)>| Value::List(vec![Value::object(pairs)]);
        let v = Value::object([
            ("id", Value::string("g")),
            ("object_id", Value::string("g")),
            ("display_name", Value::string("n")),
            (
                "ip",
                block(vec![
                    ("ip_ranges", Value::string_set(["1.2.3.4/32"])),
                    ("trusted", Value::Bool(true)),
                ]),
            ),
            (
                "country",
                block(vec![
                    ("countries_and_regions", Value::string_set(["NL"])),
                    ("include_unknown_countries_and_regions", Value::Bool(true)),
                    ("country_lookup_method", Value::string("clientIpAddress")),
                ]),
            ),
            (
                "service_tag",
                block(vec![
                    ("service_tags", Value::string_set(["AzureCloud"])),
                    ("trusted", Value::Bool(false)),
                ]),
            ),
            (
                "private_link",
                block(vec![
                    ("private_link_resource_policy_ids", Value::string_set(["p"])),
                    ("trusted", Value::Bool(false)),
                ]),
            ),
        ]);
        // Written back under the same names, as the same `Value`.
        assert_eq!(LocationState::of(&v).to_value(), v);
        let s = LocationState::of(&v);
        assert_eq!(s.display_name.as_deref(), Some("n"));
        assert_eq!(s.ip.as_ref().unwrap().ip_ranges, ["1.2.3.4/32"]);
        assert_eq!(s.trusted(), Some(true));
        let c = s.country.unwrap();
        assert_eq!(c.countries_and_regions, ["NL"]);
        assert_eq!(c.include_unknown_countries_and_regions, Some(true));
        assert_eq!(c.country_lookup_method.as_deref(), Some("clientIpAddress"));
        assert_eq!(s.service_tag.unwrap().service_tags, ["AzureCloud"]);
        assert_eq!(
            s.private_link.unwrap().private_link_resource_policy_ids,
            ["p"]
        );
        assert_eq!(LocationState::of(&Value::Null), LocationState::default());

        // A state of each kind: its block filled, the others empty lists.
        let kinds = ["ip", "country", "service_tag", "private_link"];
        for kind in kinds {
            let mut one = v.clone();
            if let Value::Object(m) = &mut one {
                for other in kinds.iter().filter(|k| **k != kind) {
                    m.insert(other.to_string(), Value::List(vec![]));
                }
            }
            let s = LocationState::of(&one);
            assert_eq!(s.to_value(), one, "{kind}");
            assert_eq!(LocationState::of(&s.to_value()), s, "{kind}");
        }
    }

    /// Every attribute is written, absent ones as null and absent blocks as empty lists.
    #[test]
    fn every_name_is_written() {
        let empty = Value::List(vec![]);
        assert_eq!(
            LocationState::default().to_value(),
            Value::object([
                ("id", Value::Null),
                ("object_id", Value::Null),
                ("display_name", Value::Null),
                ("ip", empty.clone()),
                ("country", empty.clone()),
                ("service_tag", empty.clone()),
                ("private_link", empty),
            ])
        );
        let s = LocationState {
            country: Some(CountryBlock::default()),
            ..LocationState::default()
        };
        assert_eq!(
            s.to_value().block("country"),
            &Value::object([
                ("countries_and_regions", Value::Set(vec![])),
                ("include_unknown_countries_and_regions", Value::Null),
                ("country_lookup_method", Value::Null),
            ])
        );
    }

    /// The data source's elements, which `convert::blocks` writes with these types, have the
    /// names its schema gives them.
    #[test]
    fn the_data_sources_elements_are_its_schema() {
        use crate::plugin::schema::{AttributeType, Type};
        let schema = crate::data_sources::named_location::schema().block;
        let names = |v: Value| match v {
            Value::Object(m) => m.into_keys().collect::<Vec<_>>(),
            other => panic!("{other:?}"),
        };
        for (block, written) in [
            ("ip", IpBlock::default().to_value()),
            ("country", CountryBlock::default().to_value()),
            ("service_tag", ServiceTagBlock::default().to_value()),
            ("private_link", PrivateLinkBlock::default().to_value()),
            (
                "compliant_network",
                CompliantNetworkBlock::default().to_value(),
            ),
        ] {
            let attr = schema.attributes.iter().find(|a| a.name == block).unwrap();
            let AttributeType::Plain(Type::List(element)) = &attr.ty else {
                panic!("{block}: {:?}", attr.ty)
            };
            let Type::Object(fields) = element.as_ref() else {
                panic!("{block}: {element:?}")
            };
            assert_eq!(
                names(written),
                fields.keys().cloned().collect::<Vec<_>>(),
                "{block}"
            );
        }
        let b = CompliantNetworkBlock {
            compliant_network_type: Some("allCompliantNetworkTraffic".into()),
            trusted: Some(true),
        };
        assert_eq!(
            b.to_value(),
            Value::object([
                (
                    "compliant_network_type",
                    Value::string("allCompliantNetworkTraffic")
                ),
                ("trusted", Value::Bool(true)),
            ])
        );
    }
}
