//! What the look-up data sources share: an object found by its id attribute or by
//! `display_name` (exactly one of them), with a GET by id or one listing filtered by the exact
//! name. Each type says what it reads and how it shows it by implementing [`Lookup`], and
//! overrides a hook only for what is special to it (objects Graph does not list, path-form
//! ids, a hint); `LookupDataSource` is the data source over it.

use crate::graph::Api;
use crate::plugin::diag::{AttrPath, Diagnostics};
use crate::plugin::resource::DataSource;
use crate::plugin::schema::Schema;
use crate::plugin::value::Value;
use crate::resources::connection::Connection;
use crate::resources::graph_errors::ToDiagnostics;
use serde::de::DeserializeOwned;
use std::marker::PhantomData;

/// The argument every look-up takes besides its id attribute.
const NAME: &str = "display_name";

/// One Graph object type looked up by id or by display name.
pub trait Lookup: Send + Sync + 'static {
    /// Graph's object, as the GET and the listing return it.
    type Model: DeserializeOwned + Send;
    /// The name used in HCL.
    const TYPE_NAME: &'static str;
    /// The object in messages, e.g. "named location".
    const NOUN: &'static str;
    /// The plural of `NOUN`.
    const PLURAL: &'static str;
    /// The id attribute, the other look-up argument.
    const ID: &'static str;
    /// The Graph version both requests go to.
    const API: Api;
    /// The collection listed; an object is `{COLLECTION}/{id}`.
    const COLLECTION: &'static str;
    /// Appended to the error when no object has the name, e.g. the names of built-ins.
    const NAME_HINT: Option<&'static str> = None;

    /// The look-up arguments and the object's attributes.
    fn schema() -> Schema;
    /// Whether a configured id can name an object; the error is the diagnostic's detail.
    fn check_id(id: &str) -> Result<(), String>;
    /// The object's id.
    fn id(model: &Self::Model) -> &str;
    /// The object's display name.
    fn name(model: &Self::Model) -> Option<&str>;
    /// The data source's value for an object Graph returned.
    fn state(model: &Self::Model) -> Value;

    /// The id Graph knows for a configured id, where other forms (paths) are accepted.
    fn graph_id(id: &str) -> &str {
        id
    }
    /// The value of an object Graph does not list, named by this id: read without a request,
    /// and a valid id whatever `check_id` says.
    fn unlisted_by_id(_id: &str) -> Option<Value> {
        None
    }
    /// The value of an object Graph does not list, named by this display name, for when no
    /// listed object has it.
    fn unlisted_by_name(_name: &str) -> Option<Value> {
        None
    }
}

/// Exactly one of the id and `display_name`, and an id that can name an object; no Graph call.
pub fn validate<L: Lookup>(config: &Value) -> Diagnostics {
    let id = config.get(L::ID);
    let name = config.get(NAME);
    if id.is_unknown() || name.is_unknown() {
        return Diagnostics::default();
    }
    match (id.as_str(), name.as_str()) {
        (Some(_), Some(_)) | (None, None) => Diagnostics::attr_error(
            AttrPath::root(L::ID),
            format!("Set exactly one of {} and {NAME}", L::ID),
            format!(
                "The {} is looked up either by its id or by its display name.",
                L::NOUN
            ),
        ),
        (Some(id), None) if L::unlisted_by_id(id).is_none() => match L::check_id(id) {
            Ok(()) => Diagnostics::default(),
            Err(e) => {
                Diagnostics::attr_error(AttrPath::root(L::ID), format!("Invalid {} id", L::NOUN), e)
            }
        },
        _ => Diagnostics::default(),
    }
}

/// The one object of `all` with this display name; none or several is an error naming what
/// was found.
pub fn pick_by_name<L: Lookup>(all: Vec<L::Model>, name: &str) -> Result<L::Model, Diagnostics> {
    one_named::<L>(all, name)?.ok_or_else(|| none_named::<L>(name))
}

/// The value for this display name: the one object of `all` with it, else an unlisted object
/// with it (so a listed object's name always wins).
pub fn state_by_name<L: Lookup>(all: Vec<L::Model>, name: &str) -> Result<Value, Diagnostics> {
    match one_named::<L>(all, name)? {
        Some(found) => Ok(L::state(&found)),
        None => L::unlisted_by_name(name).ok_or_else(|| none_named::<L>(name)),
    }
}

/// The object of `all` with this name, if any; several is an error listing their ids, since
/// only the id tells them apart.
fn one_named<L: Lookup>(all: Vec<L::Model>, name: &str) -> Result<Option<L::Model>, Diagnostics> {
    let mut found: Vec<_> = all
        .into_iter()
        .filter(|m| L::name(m) == Some(name))
        .collect();
    if found.len() > 1 {
        let ids: Vec<&str> = found.iter().map(L::id).collect();
        return Err(Diagnostics::attr_error(
            AttrPath::root(NAME),
            format!("Several {} have this name", L::PLURAL),
            format!(
                "{name:?} matches {}; look it up by {} instead.",
                ids.join(", "),
                L::ID
            ),
        ));
    }
    Ok(found.pop())
}

/// The error for a name no object has.
fn none_named<L: Lookup>(name: &str) -> Diagnostics {
    let mut detail = format!("No {} is named {name:?}.", L::NOUN);
    if let Some(hint) = L::NAME_HINT {
        detail = format!("{detail} {hint}");
    }
    Diagnostics::attr_error(
        AttrPath::root(NAME),
        format!("No {} has this name", L::NOUN),
        detail,
    )
}

/// A look-up data source, reading through its connection once the provider is configured.
pub struct LookupDataSource<L> {
    conn: Connection,
    lookup: PhantomData<L>,
}

impl<L: Lookup> LookupDataSource<L> {
    /// The data source, reading through `conn` once the provider is configured.
    pub fn new(conn: Connection) -> Self {
        LookupDataSource {
            conn,
            lookup: PhantomData,
        }
    }
}

#[async_trait::async_trait]
impl<L: Lookup> DataSource for LookupDataSource<L> {
    fn type_name(&self) -> &'static str {
        L::TYPE_NAME
    }

    fn schema(&self) -> Schema {
        L::schema()
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        validate::<L>(config)
    }

    async fn read(&self, config: &Value) -> Result<Value, Diagnostics> {
        if let Some(id) = config.get(L::ID).as_str() {
            // Known without Graph, so read even before the provider is configured.
            if let Some(unlisted) = L::unlisted_by_id(id) {
                return Ok(unlisted);
            }
            let id = L::graph_id(id);
            let found: L::Model = self
                .conn
                .client()?
                .get_opt(L::API, &format!("{}/{id}", L::COLLECTION))
                .await
                .map_err(|e| e.to_diagnostics(&format!("read {} {id}", L::NOUN)))?
                .ok_or_else(|| {
                    Diagnostics::attr_error(
                        AttrPath::root(L::ID),
                        format!("{} not found", capitalized(L::NOUN)),
                        format!("The tenant has no {} {id}.", L::NOUN),
                    )
                })?;
            return Ok(L::state(&found));
        }
        let name = config.get(NAME).as_str().unwrap_or_default();
        let all = self
            .conn
            .client()?
            .list(L::API, L::COLLECTION)
            .await
            .map_err(|e| e.to_diagnostics(&format!("list {}", L::PLURAL)))?;
        state_by_name::<L>(all, name)
    }
}

/// `noun` starting a sentence.
fn capitalized(noun: &str) -> String {
    let mut chars = noun.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plugin::schema::Block;

    #[derive(Debug, serde::Deserialize)]
    struct Thing {
        id: String,
        name: Option<String>,
    }

    /// A type with every hook: ids start with `t`, and `builtin` ("Built-in") is not listed.
    struct Things;

    impl Lookup for Things {
        type Model = Thing;
        const TYPE_NAME: &'static str = "entra_thing";
        const NOUN: &'static str = "thing";
        const PLURAL: &'static str = "things";
        const ID: &'static str = "thing_id";
        const API: Api = Api::V1;
        const COLLECTION: &'static str = "/things";
        const NAME_HINT: Option<&'static str> = Some("Try \"Built-in\".");

        fn schema() -> Schema {
            Schema {
                version: 0,
                block: Block::default(),
            }
        }
        fn check_id(id: &str) -> Result<(), String> {
            if id.starts_with('t') {
                Ok(())
            } else {
                Err(format!("{id:?} does not start with t."))
            }
        }
        fn id(model: &Thing) -> &str {
            &model.id
        }
        fn name(model: &Thing) -> Option<&str> {
            model.name.as_deref()
        }
        fn state(model: &Thing) -> Value {
            Value::object([("thing_id", Value::string(&model.id))])
        }
        fn unlisted_by_id(id: &str) -> Option<Value> {
            (id == "builtin").then(builtin)
        }
        fn unlisted_by_name(name: &str) -> Option<Value> {
            (name == "Built-in").then(builtin)
        }
    }

    fn builtin() -> Value {
        Value::object([("thing_id", Value::string("builtin"))])
    }

    fn thing(id: &str, name: &str) -> Thing {
        Thing {
            id: id.into(),
            name: Some(name.into()),
        }
    }

    fn config(id: Value, name: Value) -> Value {
        Value::object([("thing_id", id), ("display_name", name)])
    }

    fn only(d: Diagnostics) -> (String, String, Option<AttrPath>) {
        assert_eq!(d.0.len(), 1, "{d}");
        let d = d.0.into_iter().next().expect("one diagnostic");
        (d.summary, d.detail, d.attribute)
    }

    #[test]
    fn exactly_one_lookup_key_and_a_well_formed_id() {
        let exactly_one = (
            "Set exactly one of thing_id and display_name".to_string(),
            "The thing is looked up either by its id or by its display name.".to_string(),
            Some(AttrPath::root("thing_id")),
        );
        let both = config(Value::string("t1"), Value::string("x"));
        assert_eq!(only(validate::<Things>(&both)), exactly_one);
        assert_eq!(
            only(validate::<Things>(&config(Value::Null, Value::Null))),
            exactly_one
        );
        assert_eq!(
            only(validate::<Things>(&config(
                Value::string("x1"),
                Value::Null
            ))),
            (
                "Invalid thing id".to_string(),
                "\"x1\" does not start with t.".to_string(),
                Some(AttrPath::root("thing_id"))
            )
        );
        for ok in [
            config(Value::string("t1"), Value::Null),
            config(Value::string("builtin"), Value::Null),
            config(Value::Null, Value::string("x")),
            // Known at apply only: checked then.
            config(Value::Unknown, Value::Null),
            config(Value::string("x1"), Value::Unknown),
        ] {
            assert!(validate::<Things>(&ok).is_empty(), "{ok:?}");
        }
    }

    #[test]
    fn a_name_matches_exactly_one_object() {
        let all = || vec![thing("t1", "A"), thing("t2", "B"), thing("t3", "B")];
        assert_eq!(pick_by_name::<Things>(all(), "A").unwrap().id, "t1");
        assert_eq!(
            state_by_name::<Things>(all(), "A").unwrap(),
            Things::state(&thing("t1", "A"))
        );
        let several = (
            "Several things have this name".to_string(),
            "\"B\" matches t2, t3; look it up by thing_id instead.".to_string(),
            Some(AttrPath::root("display_name")),
        );
        assert_eq!(
            only(pick_by_name::<Things>(all(), "B").unwrap_err()),
            several
        );
        assert_eq!(
            only(state_by_name::<Things>(all(), "B").unwrap_err()),
            several
        );
        let none = (
            "No thing has this name".to_string(),
            "No thing is named \"a\". Try \"Built-in\".".to_string(),
            Some(AttrPath::root("display_name")),
        );
        assert_eq!(only(pick_by_name::<Things>(all(), "a").unwrap_err()), none);
        assert_eq!(only(state_by_name::<Things>(all(), "a").unwrap_err()), none);
    }

    #[test]
    fn an_unlisted_name_finds_its_object_only_when_no_listed_one_has_it() {
        assert_eq!(
            state_by_name::<Things>(vec![], "Built-in").unwrap(),
            builtin()
        );
        let mine = vec![thing("t9", "Built-in")];
        assert_eq!(
            state_by_name::<Things>(mine, "Built-in").unwrap(),
            Things::state(&thing("t9", "Built-in"))
        );
        // The model itself exists only for listed objects.
        assert!(pick_by_name::<Things>(vec![], "Built-in").is_err());
    }

    #[test]
    fn an_unlisted_id_reads_without_graph() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        // Never configured: any Graph request would fail.
        let data = LookupDataSource::<Things>::new(Connection::default());
        let read = |id: &str| rt.block_on(data.read(&config(Value::string(id), Value::Null)));
        assert_eq!(read("builtin").unwrap(), builtin());
        assert_eq!(
            read("t1").unwrap_err().0[0].summary,
            "Provider not configured"
        );
    }

    #[test]
    fn nouns_start_sentences_capitalized() {
        assert_eq!(capitalized("named location"), "Named location");
        assert_eq!(capitalized(""), "");
    }
}
