//! The generic Graph-object resource: what every managed type kept in a Graph collection does
//! the same way, written once. A type says what is special to it by implementing `GraphObject`
//! (its schema, mapping, writes and checks); `GraphObjectResource` implements the plugin
//! layer's `Resource` over it:
//!
//! - the Graph client, or a clear error before configuration, keeping the state it had;
//! - reads through the process's one listing of the type (`tenant_objects`), a GET by id when
//!   the listing lacks the object, and `eventual` deciding when a 404 means gone;
//! - create-once bookkeeping: an id a state holds is never taken by a lost create;
//! - Graph's per-tenant limit, counted across the plan (`limits`);
//! - after a failed write, the state Graph now holds, read again (`Failed`);
//! - a write's private state records when it happened (`eventual`); a 404 on delete is done;
//! - import and `moved` from azuread: a checked id, and the refresh reads the rest.
//!
//! Objects that always exist and are only ever changed (PIM settings) are `singleton`'s.

use crate::graph::{Api, GraphClient, GraphError};
use crate::plugin::diag::Diagnostics;
use crate::plugin::resource::{
    Applied, Fetched, Imported, MovedFrom, PlanRequest, Planned, Resource,
};
use crate::plugin::schema::Schema;
use crate::plugin::value::Value;
use crate::resources::connection::Connection;
use crate::resources::create_once::CreateOnce;
use crate::resources::eventual;
use crate::resources::graph_errors::ToDiagnostics;
use crate::resources::limits::Limit;
use crate::resources::moved_from_azuread;
use crate::resources::tenant_objects::{Objects, TenantObjects};
use async_trait::async_trait;
use serde::de::DeserializeOwned;
use serde_json::Value as Json;

/// What a write has to work with.
pub struct Cx<'a> {
    /// The connection: its safety settings and the tenant's shared listings.
    pub conn: &'a Connection,
    /// The configured Graph client.
    pub client: &'a GraphClient,
    /// The type's create-once bookkeeping, for POSTs to its collection or sub-collections.
    pub create_once: &'a CreateOnce,
}

impl Cx<'_> {
    /// DELETE `path`; a 404 means it is already gone, which is what was asked.
    pub async fn delete(&self, api: Api, path: &str) -> Result<(), GraphError> {
        match self.client.delete(api, path).await {
            Err(e) if !e.is_not_found() => Err(e),
            _ => Ok(()),
        }
    }
}

/// A write that succeeded: the state it left, and what the user and Terraform should keep.
pub struct Written {
    state: Value,
    warnings: Diagnostics,
    private: Option<Vec<u8>>,
}

impl Written {
    /// Graph now holds `state`.
    pub fn new(state: Value) -> Written {
        Written {
            state,
            warnings: Diagnostics::default(),
            private: None,
        }
    }

    /// Warnings the user should read although the write succeeded.
    pub fn with_warnings(mut self, warnings: Diagnostics) -> Written {
        self.warnings.extend(warnings);
        self
    }

    /// The private state to keep; without it, `eventual::seen_now()`.
    pub fn with_private(mut self, private: Vec<u8>) -> Written {
        self.private = Some(private);
        self
    }

    fn applied(self) -> Applied {
        Applied::ok(self.state)
            .with_warnings(self.warnings)
            .with_private(self.private.unwrap_or_else(eventual::seen_now))
    }
}

/// A write that failed, and what that leaves in Graph, so the saved state matches it.
pub enum Failed {
    /// Refused before anything was written: the state stays what it was (none for a create).
    Unwritten(Diagnostics),
    /// Graph is known to hold this (`None`: nothing) without reading it again.
    Holds(Option<Value>, Diagnostics),
    /// A write to object `id` failed: the state becomes what Graph now holds, read again and
    /// put in `shape`'s form (the state before the failed step; null for a create); if even
    /// that read fails, `shape` stays.
    Write {
        /// The object written.
        id: String,
        /// The state before the failed step.
        shape: Value,
        /// Why it failed.
        diags: Diagnostics,
    },
}

impl Failed {
    /// A write to `id` failed with `e` while `doing` ("update named location 0b5e...").
    pub fn write(id: &str, shape: &Value, e: GraphError, doing: &str) -> Failed {
        Failed::Write {
            id: id.to_string(),
            shape: shape.clone(),
            diags: e.to_diagnostics(doing),
        }
    }
}

/// What is special to one Graph object type; `GraphObjectResource` does the rest.
#[async_trait]
pub trait GraphObject: Send + Sync + 'static {
    /// Graph's object as the type reads it.
    type Model: DeserializeOwned + Send + Sync;
    /// The name written in HCL.
    const TYPE_NAME: &'static str;
    /// One object in messages: "named location".
    const NOUN: &'static str;
    /// The azuread resource whose state a `moved` block may hand over, by object id.
    const AZUREAD_TYPE: Option<&'static str> = None;
    /// Graph's per-tenant limit of such objects and their plural in messages, if it has one.
    const LIMIT: Option<(usize, &'static str)> = None;

    /// The attributes and blocks; plan behaviour is declared on them.
    fn schema(&self) -> Schema;
    /// Offline checks of a configuration, with attribute paths.
    fn validate(&self, config: &Value) -> Diagnostics;
    /// The type's own planning, inside what the schema declares. Pure.
    fn plan(&self, conn: &Connection, req: &PlanRequest<'_>) -> Result<Planned, Diagnostics>;
    /// Checks of a planned create or update that need Graph (the limit is counted apart).
    async fn plan_checks(
        &self,
        _conn: &Connection,
        _prior: &Value,
        _planned: &Value,
    ) -> Diagnostics {
        Diagnostics::default()
    }
    /// Checks of a planned destroy that need Graph.
    async fn destroy_checks(&self, _conn: &Connection, _prior: &Value) -> Diagnostics {
        Diagnostics::default()
    }
    /// How many objects count against `LIMIT` now; `None` leaves the limit to Graph.
    async fn count(&self, _conn: &Connection, _client: &GraphClient) -> Option<usize> {
        None
    }

    /// The Graph id of the object a state holds.
    fn id(&self, state: &Value) -> String;
    /// The listing reads share.
    fn listing<'a>(&self, objects: &'a TenantObjects) -> &'a Objects;
    /// The object from its entry in the listing; `None` has it read by id.
    fn listed(&self, entry: &Json) -> Option<Self::Model> {
        serde_json::from_value(entry.clone()).ok()
    }
    /// One object by id; `None` when Graph has none. By default a GET from the listing's
    /// collection, through the listing's API.
    async fn fetch(
        &self,
        objects: &TenantObjects,
        client: &GraphClient,
        id: &str,
    ) -> Result<Option<Self::Model>, GraphError> {
        self.listing(objects).get(client, id).await
    }
    /// The state for Graph's object, in `prior`'s form wherever the two are equivalent.
    fn state_from_graph(&self, model: &Self::Model, prior: &Value) -> Value;
    /// A refresh's result for an object Graph holds: by default its state. A type refuses
    /// objects it does not manage, warns, or fills in what the listing leaves out here.
    async fn refreshed(
        &self,
        _conn: &Connection,
        model: &Self::Model,
        prior: &Value,
    ) -> Result<Fetched, Diagnostics> {
        Ok(Some(self.state_from_graph(model, prior)).into())
    }

    /// Creates the object `planned` describes.
    async fn create(&self, cx: &Cx<'_>, planned: &Value) -> Result<Written, Failed>;
    /// Changes object `id` from `prior` to `planned`; `private` is what the last write kept.
    async fn update(
        &self,
        cx: &Cx<'_>,
        id: &str,
        prior: &Value,
        planned: &Value,
        private: &[u8],
    ) -> Result<Written, Failed>;
    /// Deletes object `id`; warnings to show on success.
    async fn delete(&self, cx: &Cx<'_>, id: &str, prior: &Value) -> Result<Diagnostics, Failed>;

    /// The Graph id an import id names, or why it cannot be imported.
    fn import_id(&self, id: &str) -> Result<String, Diagnostics>;
    /// The state of an existing object a configuration takes over (import, `moved`): its id;
    /// the next refresh reads the rest.
    fn adopted(&self, id: &str) -> Value;
}

/// The `Resource` for any `GraphObject`.
pub struct GraphObjectResource<T> {
    object: T,
    conn: Connection,
    create_once: CreateOnce,
    limit: Option<Limit>,
}

impl<T: GraphObject + Default> GraphObjectResource<T> {
    /// The resource, working through `conn` once the provider is configured.
    pub fn new(conn: Connection) -> Self {
        GraphObjectResource {
            object: T::default(),
            conn,
            create_once: CreateOnce::default(),
            limit: T::LIMIT.map(|(max, plural)| Limit::new(max, plural)),
        }
    }
}

impl<T: GraphObject> GraphObjectResource<T> {
    fn cx<'a>(&'a self, client: &'a GraphClient) -> Cx<'a> {
        Cx {
            conn: &self.conn,
            client,
            create_once: &self.create_once,
        }
    }

    async fn fetch(&self, client: &GraphClient, id: &str) -> Result<Option<T::Model>, Diagnostics> {
        self.object
            .fetch(self.conn.objects(), client, id)
            .await
            .map_err(|e| e.to_diagnostics(&format!("read {} {id}", T::NOUN)))
    }

    /// The state to save after a failed write.
    async fn settle(&self, client: &GraphClient, failed: Failed, prior: &Value) -> Applied {
        match failed {
            Failed::Unwritten(diags) => {
                Applied::failed((!prior.is_null()).then(|| prior.clone()), diags)
            }
            Failed::Holds(state, diags) => Applied::failed(state, diags),
            Failed::Write { id, shape, diags } => {
                let reread = self.fetch(client, &id).await;
                Applied::after_failed_write(
                    reread.map(|found| found.map(|m| self.object.state_from_graph(&m, &shape))),
                    &shape,
                    diags,
                )
            }
        }
    }

    fn display_name(state: &Value) -> String {
        state
            .get("display_name")
            .as_str()
            .unwrap_or_default()
            .to_string()
    }
}

#[async_trait]
impl<T: GraphObject> Resource for GraphObjectResource<T> {
    fn type_name(&self) -> &'static str {
        T::TYPE_NAME
    }

    fn schema(&self) -> Schema {
        self.object.schema()
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        self.object.validate(config)
    }

    fn plan(&self, req: &PlanRequest<'_>) -> Result<Planned, Diagnostics> {
        // A lost create of this process must not take an object a state holds.
        if !req.prior.is_null() {
            self.create_once.saw(&self.object.id(req.prior));
        }
        self.object.plan(&self.conn, req)
    }

    async fn plan_checks(&self, prior: &Value, planned: &Value) -> Diagnostics {
        let mut d = self.object.plan_checks(&self.conn, prior, planned).await;
        if let (Some(limit), true, Ok(client)) = (&self.limit, prior.is_null(), self.conn.client())
        {
            if let Some(existing) = self.object.count(&self.conn, client).await {
                d.extend(limit.plan_create(&Self::display_name(planned), existing));
            }
        }
        d
    }

    async fn destroy_checks(&self, prior: &Value) -> Diagnostics {
        self.object.destroy_checks(&self.conn, prior).await
    }

    async fn create(&self, planned: &Value) -> Applied {
        let client = match self.conn.client() {
            Ok(c) => c,
            Err(d) => return Applied::failed(None, d),
        };
        let created = self.object.create(&self.cx(client), planned).await;
        if let Some(limit) = &self.limit {
            limit.done(&Self::display_name(planned));
        }
        match created {
            Ok(written) => written.applied(),
            Err(failed) => self.settle(client, failed, &Value::Null).await,
        }
    }

    async fn read(&self, state: &Value, private: &[u8]) -> Result<Fetched, Diagnostics> {
        let id = self.object.id(state);
        self.create_once.saw(&id);
        let client = self.conn.client()?;
        let all = self.object.listing(self.conn.objects()).all(client).await?;
        // Not in the listing (or not readable from it): ask for the one object.
        let listed = all
            .get(&id.to_lowercase())
            .and_then(|entry| self.object.listed(entry));
        let found = match listed {
            Some(m) => Some(m),
            None => {
                let what = format!("{} {id}", T::NOUN);
                eventual::unless_replicating(private, &what, || self.fetch(client, &id)).await?
            }
        };
        match found {
            Some(model) => self.object.refreshed(&self.conn, &model, state).await,
            None => Ok(Fetched::from(None)),
        }
    }

    async fn update(&self, prior: &Value, planned: &Value, private: &[u8]) -> Applied {
        let id = self.object.id(prior);
        self.object.listing(self.conn.objects()).forget(&id).await;
        let client = match self.conn.client() {
            Ok(c) => c,
            Err(d) => return Applied::failed(Some(prior.clone()), d),
        };
        match self
            .object
            .update(&self.cx(client), &id, prior, planned, private)
            .await
        {
            Ok(written) => written.applied(),
            Err(failed) => self.settle(client, failed, prior).await,
        }
    }

    async fn delete(&self, prior: &Value, _private: &[u8]) -> Applied {
        let id = self.object.id(prior);
        self.object.listing(self.conn.objects()).forget(&id).await;
        let client = match self.conn.client() {
            Ok(c) => c,
            Err(d) => return Applied::failed(Some(prior.clone()), d),
        };
        match self.object.delete(&self.cx(client), &id, prior).await {
            Ok(warnings) => Applied::gone().with_warnings(warnings),
            Err(failed) => self.settle(client, failed, prior).await,
        }
    }

    async fn import(&self, id: &str) -> Result<Imported, Diagnostics> {
        let id = self.object.import_id(id)?;
        Ok(self.object.adopted(&id).into())
    }

    fn move_from(&self, from: &MovedFrom<'_>) -> Option<Result<Value, Diagnostics>> {
        let source = T::AZUREAD_TYPE?;
        moved_from_azuread::object_id(from, source).map(|id| id.map(|id| self.object.adopted(&id)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plugin::schema::Block;

    /// A type with nothing special, to see what the generic resource does on its own.
    #[derive(Default)]
    struct Things;

    #[async_trait]
    impl GraphObject for Things {
        type Model = Json;
        const TYPE_NAME: &'static str = "test_thing";
        const NOUN: &'static str = "thing";
        const AZUREAD_TYPE: Option<&'static str> = Some("azuread_thing");
        const LIMIT: Option<(usize, &'static str)> = Some((1, "things"));

        fn schema(&self) -> Schema {
            Schema {
                version: 0,
                block: Block::default(),
            }
        }
        fn validate(&self, _: &Value) -> Diagnostics {
            Diagnostics::default()
        }
        fn plan(&self, _: &Connection, req: &PlanRequest<'_>) -> Result<Planned, Diagnostics> {
            Ok(Planned {
                state: req.proposed.clone(),
                requires_replace: vec![],
            })
        }
        fn id(&self, state: &Value) -> String {
            state.get("id").as_str().unwrap_or_default().to_string()
        }
        fn listing<'a>(&self, objects: &'a TenantObjects) -> &'a Objects {
            &objects.contexts
        }
        fn state_from_graph(&self, model: &Json, _: &Value) -> Value {
            Value::object([(
                "id",
                Value::opt_string(model["id"].as_str().map(str::to_string)),
            )])
        }
        async fn create(&self, _: &Cx<'_>, _: &Value) -> Result<Written, Failed> {
            unreachable!("nothing here reaches Graph")
        }
        async fn update(
            &self,
            _: &Cx<'_>,
            _: &str,
            _: &Value,
            _: &Value,
            _: &[u8],
        ) -> Result<Written, Failed> {
            unreachable!("nothing here reaches Graph")
        }
        async fn delete(&self, _: &Cx<'_>, _: &str, _: &Value) -> Result<Diagnostics, Failed> {
            unreachable!("nothing here reaches Graph")
        }
        fn import_id(&self, id: &str) -> Result<String, Diagnostics> {
            id.strip_prefix("thing-")
                .map(str::to_string)
                .ok_or_else(|| Diagnostics::error("Invalid import id", id))
        }
        fn adopted(&self, id: &str) -> Value {
            Value::object([("id", Value::string(id))])
        }
    }

    fn thing(id: &str) -> Value {
        Value::object([("id", Value::string(id))])
    }

    #[tokio::test]
    async fn before_configuration_every_write_fails_and_keeps_what_it_had() {
        let r = GraphObjectResource::<Things>::new(Connection::default());
        let created = r.create(&thing("a")).await;
        assert!(created.diags.has_errors());
        assert_eq!(created.state, None, "a failed create leaves nothing");
        let updated = r.update(&thing("a"), &thing("b"), &[]).await;
        assert_eq!(updated.state, Some(thing("a")), "the prior state stays");
        let deleted = r.delete(&thing("a"), &[]).await;
        assert_eq!(deleted.state, Some(thing("a")));
        assert!(deleted
            .diags
            .to_string()
            .contains("Provider not configured"));
        assert!(r.read(&thing("a"), &[]).await.is_err());
        // Graph-dependent checks are left to Graph, and the limit is not counted blind.
        assert!(r.plan_checks(&Value::Null, &thing("a")).await.is_empty());
    }

    #[tokio::test]
    async fn import_and_moved_take_the_type_s_id_and_adopted_state() {
        let r = GraphObjectResource::<Things>::new(Connection::default());
        assert_eq!(r.import("thing-7").await.unwrap().state, thing("7"));
        assert!(r.import("7").await.is_err());
        let azuread = serde_json::json!({"object_id": "0B5E0A4C-1D2E-4F30-8A1B-2C3D4E5F6071"});
        let from = |type_name| MovedFrom {
            provider: "registry.terraform.io/hashicorp/azuread",
            type_name,
            schema_version: 0,
            state: &azuread,
        };
        let moved = r.move_from(&from("azuread_thing")).unwrap().unwrap();
        assert_eq!(moved, thing("0b5e0a4c-1d2e-4f30-8a1b-2c3d4e5f6071"));
        assert!(r.move_from(&from("azuread_other")).is_none());
    }

    #[test]
    fn a_write_succeeds_with_the_time_of_writing_unless_the_type_keeps_more() {
        let plain = Written::new(thing("a")).applied();
        assert_eq!(plain.state, Some(thing("a")));
        let private = plain.private.unwrap_or_default();
        assert!(String::from_utf8_lossy(&private).starts_with("last_written_unix_ms="));
        let kept = Written::new(thing("a"))
            .with_private(b"k=v".to_vec())
            .applied();
        assert_eq!(kept.private.as_deref(), Some(&b"k=v"[..]));
    }
}
