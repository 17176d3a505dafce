//! Provider, resource and data source schemas in Terraform's terms, independent of the generated
//! protobuf types (the gRPC layer converts them). The codec reads the same structures to know
//! which attributes an object must carry.

use super::value::Value;
use std::collections::BTreeMap;

/// A cty type, as used for attributes.
#[derive(Clone, Debug, PartialEq)]
pub enum Type {
    /// Text (ids and enum values too).
    String,
    /// Any number, integer or not (a `Number` in values).
    Number,
    /// True or false.
    Bool,
    /// An ordered sequence of one element type.
    List(Box<Type>),
    /// An unordered collection of one element type, without duplicates.
    Set(Box<Type>),
    /// String keys to values of one element type.
    Map(Box<Type>),
    /// A fixed set of named attributes, each with its own type.
    Object(BTreeMap<String, Type>),
}

impl Type {
    /// A list of `t`, without writing the `Box`.
    pub fn list(t: Type) -> Type {
        Type::List(Box::new(t))
    }
    /// A set of `t`, without writing the `Box`.
    pub fn set(t: Type) -> Type {
        Type::Set(Box::new(t))
    }
    /// A map of `t`, without writing the `Box`.
    pub fn map(t: Type) -> Type {
        Type::Map(Box::new(t))
    }
}

/// How often a nested block (or nested attribute) may be written, and how its values are collected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Nesting {
    /// At most once; null when absent.
    Single,
    /// At most once; when absent, an object of null attributes instead of null.
    Group,
    /// Any number of times, in order.
    List,
    /// Any number of times, order and duplicates ignored.
    Set,
    /// Any number of times, each with a label (`name "key" { ... }`).
    Map,
}

/// How an attribute may be set. Terraform rejects any other combination.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// The user must set it.
    Required,
    /// The user may set it; null otherwise.
    Optional,
    /// Optional, and the provider fills it in when the user does not.
    OptionalComputed,
    /// Only the provider sets it: read-only in the configuration.
    Computed,
}

/// What an attribute holds: a value of one type, or nested attributes.
#[derive(Clone, Debug, PartialEq)]
pub enum AttributeType {
    /// A value of one type, which the codec checks Terraform's values against.
    Plain(Type),
    /// A nested attribute (`name = { ... }`); only for protocol-level tests here: our resources
    /// use blocks so that Terraform 1.0.x keeps working.
    Nested {
        /// How often the nested object may occur.
        nesting: Nesting,
        /// The nested object's attributes.
        attributes: Vec<Attribute>,
    },
}

/// One attribute of a block, as Terraform checks the configuration against it.
#[derive(Clone, Debug, PartialEq)]
pub struct Attribute {
    /// The name written in HCL.
    pub name: String,
    /// What it holds.
    pub ty: AttributeType,
    /// Who may set it: the user, the provider or both.
    pub mode: Mode,
    /// Markdown, for the docs and editors' hover text.
    pub description: String,
    /// Terraform hides the value in plans and output.
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
    /// A plain attribute, not sensitive and with no plan rules; the builders below add them.
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

    /// Hides the value in Terraform's plans and output.
    pub fn sensitive(mut self) -> Attribute {
        self.sensitive = true;
        self
    }

    /// The value planned when the configuration leaves the attribute unset.
    pub fn default_value(mut self, value: Value) -> Attribute {
        self.plan.default = Some(value);
        self
    }

    /// A new value replaces the object instead of updating it.
    pub fn requires_replace(mut self) -> Attribute {
        self.plan.requires_replace = true;
        self
    }

    /// Unknown in any plan that changes the object (a modification time, say).
    pub fn unknown_on_change(mut self) -> Attribute {
        self.plan.unknown_on_change = true;
        self
    }
}

/// A block inside a block (`conditions { ... }`), with how often it may be written.
#[derive(Clone, Debug, PartialEq)]
pub struct NestedBlock {
    /// The block's name in HCL.
    pub type_name: String,
    /// What may be written inside it.
    pub block: Block,
    /// How its occurrences are collected.
    pub nesting: Nesting,
    /// How often it must be written at least (1: required).
    pub min_items: i64,
    /// How often it may be written at most (0: any number).
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

/// The attributes and nested blocks of an object: a resource's top level or a nested block.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Block {
    /// The attributes written `name = value`.
    pub attributes: Vec<Attribute>,
    /// The blocks written `name { ... }`.
    pub block_types: Vec<NestedBlock>,
    /// Markdown, for the docs and editors' hover text.
    pub description: String,
}

impl Block {
    /// The names a resource's own state type must carry: its attributes and blocks, in order,
    /// without the time limits the plugin layer keeps (tests hold typed states to these).
    #[cfg(test)]
    pub(crate) fn state_names(&self) -> Vec<&str> {
        let attributes = self.attributes.iter().map(|a| a.name.as_str());
        let blocks = self.block_types.iter().map(|b| b.type_name.as_str());
        attributes
            .chain(blocks)
            .filter(|n| *n != super::timeouts::BLOCK)
            .collect()
    }

    /// The nested block `name`; a test walking a schema by name stops here if it has none.
    #[cfg(test)]
    pub(crate) fn nested(&self, name: &str) -> &Block {
        &self
            .block_types
            .iter()
            .find(|b| b.type_name == name)
            .unwrap_or_else(|| panic!("no block {name}"))
            .block
    }

    /// Every block's `state_names`, comma-joined, by its path (`activation_rules.approval_stage`;
    /// the top level is ""), depth first: what a typed state's types must carry, level by level.
    #[cfg(test)]
    pub(crate) fn state_names_by_path(&self) -> Vec<(String, String)> {
        fn walk(block: &Block, path: &str, out: &mut Vec<(String, String)>) {
            out.push((path.to_string(), block.state_names().join(",")));
            for b in &block.block_types {
                if b.type_name != super::timeouts::BLOCK {
                    let inner = format!("{path}.{}", b.type_name);
                    walk(&b.block, inner.trim_start_matches('.'), out);
                }
            }
        }
        let mut out = Vec::new();
        walk(self, "", &mut out);
        out
    }
}

/// A provider's, resource's or data source's schema.
#[derive(Clone, Debug, PartialEq)]
pub struct Schema {
    /// The state layout's version: a state written under an older one is upgraded first.
    pub version: i64,
    /// The top-level attributes and blocks.
    pub block: Block,
}
