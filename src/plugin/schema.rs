//! Provider, resource and data source schemas in Terraform's terms, independent of the generated
//! protobuf types (the gRPC layer converts them). The codec reads the same structures to know
//! which attributes an object must carry.

use super::value::Value;
use std::collections::BTreeMap;

/// A cty type, as used for attributes.
#[derive(Clone, Debug, PartialEq)]
pub enum Type {
    String,
    Number,
    Bool,
    List(Box<Type>),
    Set(Box<Type>),
    Map(Box<Type>),
    Object(BTreeMap<String, Type>),
}

impl Type {
    pub fn list(t: Type) -> Type {
        Type::List(Box::new(t))
    }
    pub fn set(t: Type) -> Type {
        Type::Set(Box::new(t))
    }
    pub fn map(t: Type) -> Type {
        Type::Map(Box::new(t))
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Nesting {
    Single,
    Group,
    List,
    Set,
    Map,
}

/// How an attribute may be set. Terraform rejects any other combination.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Required,
    Optional,
    /// Optional, and the provider fills it in when the user does not.
    OptionalComputed,
    Computed,
}

#[derive(Clone, Debug, PartialEq)]
pub enum AttributeType {
    Plain(Type),
    /// A nested attribute (`name = { ... }`); only for protocol-level tests here: our resources
    /// use blocks so that Terraform 1.0.x keeps working.
    Nested {
        nesting: Nesting,
        attributes: Vec<Attribute>,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct Attribute {
    pub name: String,
    pub ty: AttributeType,
    pub mode: Mode,
    pub description: String,
    pub sensitive: bool,
    /// How the attribute plans (`plan.rs` applies it); not part of Terraform's schema.
    pub plan: PlanRules,
}

/// An attribute's plan behaviour, declared with the schema instead of written in each
/// resource's `plan`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PlanRules {
    /// The value when the configuration leaves the (optional and computed) attribute unset.
    pub default: Option<Value>,
    /// A new value replaces the object.
    pub requires_replace: bool,
    /// A computed value Graph changes whenever anything the user writes changes (a
    /// modification time): unknown in such a plan.
    pub unknown_on_change: bool,
}

impl Attribute {
    pub fn new(name: &str, ty: Type, mode: Mode, description: &str) -> Attribute {
        Attribute {
            name: name.to_string(),
            ty: AttributeType::Plain(ty),
            mode,
            description: description.to_string(),
            sensitive: false,
            plan: PlanRules::default(),
        }
    }

    pub fn sensitive(mut self) -> Attribute {
        self.sensitive = true;
        self
    }

    pub fn default_value(mut self, value: Value) -> Attribute {
        self.plan.default = Some(value);
        self
    }

    pub fn requires_replace(mut self) -> Attribute {
        self.plan.requires_replace = true;
        self
    }

    pub fn unknown_on_change(mut self) -> Attribute {
        self.plan.unknown_on_change = true;
        self
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct NestedBlock {
    pub type_name: String,
    pub block: Block,
    pub nesting: Nesting,
    pub min_items: i64,
    pub max_items: i64,
}

impl NestedBlock {
    /// A block written at most once (`name { ... }`), like azuread's `MaxItems: 1` lists: list
    /// nesting rather than single, which Terraform 1.0.x handles.
    pub fn once(
        name: &str,
        attributes: Vec<Attribute>,
        block_types: Vec<NestedBlock>,
        description: &str,
    ) -> NestedBlock {
        NestedBlock {
            type_name: name.into(),
            block: Block {
                attributes,
                block_types,
                description: description.into(),
            },
            nesting: Nesting::List,
            min_items: 0,
            max_items: 1,
        }
    }

    /// The block must be written.
    pub fn required(mut self) -> NestedBlock {
        self.min_items = 1;
        self
    }

    /// Up to `max` times instead of once (0: any number).
    pub fn at_most(mut self, max: i64) -> NestedBlock {
        self.max_items = max;
        self
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Block {
    pub attributes: Vec<Attribute>,
    pub block_types: Vec<NestedBlock>,
    pub description: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Schema {
    pub version: i64,
    pub block: Block,
}
