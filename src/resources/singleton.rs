//! The generic resource for a Graph object that always exists and is only ever changed: a
//! directory role's PIM settings today, tenant-wide policies (the authentication methods
//! policy, say) next. Graph neither creates nor deletes such an object, so:
//!
//! - "create" takes it over: what Graph holds is recorded in private state, then the
//!   configuration is written; the record is kept even when that write fails;
//! - "destroy" writes the record back, so the object is left as Terraform found it;
//! - an import records it too, and its first refresh fills every setting in;
//! - a refresh never finds it gone: an object Graph cannot find is an error, not a plan to
//!   create it again.
//!
//! A type says what is special to it through `GraphSingleton`; `SingletonResource` implements
//! the plugin layer's `Resource` for it.

use crate::plugin::diag::Diagnostics;
use crate::plugin::resource::{Applied, Fetched, Imported, PlanRequest, Planned, Resource};
use crate::plugin::schema::Schema;
use crate::plugin::value::Value;
use crate::resources::connection::Connection;
use async_trait::async_trait;

/// What a write makes Graph hold.
pub enum Target<'a, R> {
    /// The planned state.
    Planned(&'a Value),
    /// What Graph held before Terraform took the object over.
    Restore(R),
}

/// What is special to one kind of singleton; `SingletonResource` does the rest.
#[async_trait]
pub trait GraphSingleton: Send + Sync + 'static {
    /// What Graph holds for one object now.
    type Current: Send + Sync;
    /// What Graph held before Terraform took the object over, as read back from private state.
    type Record: Send + Sync;
    /// The name written in HCL.
    const TYPE_NAME: &'static str;

    /// The attributes and blocks; plan behaviour is declared on them.
    fn schema(&self) -> Schema;
    /// Offline checks of a configuration, with attribute paths.
    fn validate(&self, config: &Value) -> Diagnostics;
    /// The type's own planning, inside what the schema declares. Pure.
    fn plan(&self, conn: &Connection, req: &PlanRequest<'_>) -> Result<Planned, Diagnostics>;
    /// Checks of a planned create or update that need Graph.
    async fn plan_checks(
        &self,
        _conn: &Connection,
        _prior: &Value,
        _planned: &Value,
    ) -> Diagnostics {
        Diagnostics::default()
    }

    /// Which object a state, plan or configuration is about.
    fn id(&self, state: &Value) -> String;
    /// What messages call object `id`: "PIM settings of role 62e90394-...".
    fn describe(&self, id: &str) -> String;
    /// What Graph holds for `id` now; an error when Graph has no such object.
    async fn current(&self, conn: &Connection, id: &str) -> Result<Self::Current, Diagnostics>;
    /// The state for what Graph holds, in `prior`'s form wherever the two are equivalent.
    fn state_from_graph(&self, id: &str, current: &Self::Current, prior: &Value) -> Value;
    /// What private state keeps of `current`, for a destroy to write back.
    fn record(&self, current: &Self::Current) -> Vec<u8>;
    /// The record in private state; `None` when there is none (or it cannot be read).
    fn recorded(&self, private: &[u8]) -> Option<Self::Record>;
    /// Makes Graph hold `target`, starting from `current`, and answers the state it then holds
    /// (`Applied::gone()` once a restore is done); on failure, the state Graph holds. `shape`
    /// is the state before the write, whose form the answer keeps.
    async fn converge(
        &self,
        conn: &Connection,
        id: &str,
        shape: &Value,
        current: Self::Current,
        target: Target<'_, Self::Record>,
    ) -> Applied;

    /// The object an import id names (a name may need Graph to resolve).
    async fn import_id(&self, conn: &Connection, id: &str) -> Result<String, Diagnostics>;
    /// The state an import starts from; its first refresh fills in every setting.
    fn adopted(&self, id: &str) -> Value;
}

/// The `Resource` for any `GraphSingleton`.
pub struct SingletonResource<T> {
    object: T,
    conn: Connection,
}

impl<T: GraphSingleton + Default> SingletonResource<T> {
    /// The resource, working through `conn` once the provider is configured.
    pub fn new(conn: Connection) -> Self {
        SingletonResource {
            object: T::default(),
            conn,
        }
    }
}

#[async_trait]
impl<T: GraphSingleton> Resource for SingletonResource<T> {
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
        self.object.plan(&self.conn, req)
    }

    async fn plan_checks(&self, prior: &Value, planned: &Value) -> Diagnostics {
        self.object.plan_checks(&self.conn, prior, planned).await
    }

    async fn create(&self, planned: &Value) -> Applied {
        let id = self.object.id(planned);
        let before = match self.object.current(&self.conn, &id).await {
            Ok(c) => c,
            Err(d) => return Applied::failed(None, d),
        };
        let record = self.object.record(&before);
        // Recorded even when the write fails: a destroy must still restore it.
        self.object
            .converge(&self.conn, &id, planned, before, Target::Planned(planned))
            .await
            .with_private(record)
    }

    async fn read(&self, state: &Value, _private: &[u8]) -> Result<Fetched, Diagnostics> {
        let id = self.object.id(state);
        let current = self.object.current(&self.conn, &id).await?;
        Ok(Some(self.object.state_from_graph(&id, &current, state)).into())
    }

    async fn update(&self, prior: &Value, planned: &Value, _private: &[u8]) -> Applied {
        let id = self.object.id(planned);
        let current = match self.object.current(&self.conn, &id).await {
            Ok(c) => c,
            Err(d) => return Applied::failed(Some(prior.clone()), d),
        };
        self.object
            .converge(&self.conn, &id, prior, current, Target::Planned(planned))
            .await
    }

    async fn delete(&self, prior: &Value, private: &[u8]) -> Applied {
        let id = self.object.id(prior);
        let Some(original) = self.object.recorded(private) else {
            let mut d = Diagnostics::default();
            d.push_warning(
                format!("{} left as they are", self.object.describe(&id)),
                "No record of the settings before Terraform managed them was found, so nothing was restored.",
            );
            return Applied::failed(None, d);
        };
        let current = match self.object.current(&self.conn, &id).await {
            Ok(c) => c,
            Err(d) => return Applied::failed(Some(prior.clone()), d),
        };
        self.object
            .converge(&self.conn, &id, prior, current, Target::Restore(original))
            .await
    }

    async fn import(&self, id: &str) -> Result<Imported, Diagnostics> {
        let id = self.object.import_id(&self.conn, id).await?;
        let current = self.object.current(&self.conn, &id).await?;
        Ok(Imported {
            state: self.object.adopted(&id),
            private: self.object.record(&current),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plugin::schema::Block;
    use std::sync::Mutex;

    /// A setting that always exists: `value` in Graph, recorded as its bytes.
    #[derive(Default)]
    struct Setting {
        graph: Mutex<String>,
    }

    #[async_trait]
    impl GraphSingleton for Setting {
        type Current = String;
        type Record = String;
        const TYPE_NAME: &'static str = "test_setting";

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
        fn id(&self, _: &Value) -> String {
            "the".into()
        }
        fn describe(&self, id: &str) -> String {
            format!("{id} setting")
        }
        async fn current(&self, _: &Connection, _: &str) -> Result<String, Diagnostics> {
            Ok(self.graph.lock().unwrap().clone())
        }
        fn state_from_graph(&self, _: &str, current: &String, _: &Value) -> Value {
            setting(current)
        }
        fn record(&self, current: &String) -> Vec<u8> {
            current.clone().into_bytes()
        }
        fn recorded(&self, private: &[u8]) -> Option<String> {
            (!private.is_empty()).then(|| String::from_utf8_lossy(private).into_owned())
        }
        async fn converge(
            &self,
            _: &Connection,
            _: &str,
            _: &Value,
            _: String,
            target: Target<'_, String>,
        ) -> Applied {
            let mut graph = self.graph.lock().unwrap();
            match target {
                Target::Planned(p) => {
                    *graph = p.get("value").as_str().unwrap_or_default().to_string();
                    Applied::ok(p.clone())
                }
                Target::Restore(original) => {
                    *graph = original;
                    Applied::gone()
                }
            }
        }
        async fn import_id(&self, _: &Connection, id: &str) -> Result<String, Diagnostics> {
            Ok(id.to_string())
        }
        fn adopted(&self, _: &str) -> Value {
            Value::object([("value", Value::Null)])
        }
    }

    fn setting(value: &str) -> Value {
        Value::object([("value", Value::string(value))])
    }

    fn resource(graph: &str) -> SingletonResource<Setting> {
        let r = SingletonResource::<Setting>::new(Connection::default());
        *r.object.graph.lock().unwrap() = graph.to_string();
        r
    }

    #[tokio::test]
    async fn create_records_what_graph_held_and_destroy_puts_it_back() {
        let r = resource("before");
        let created = r.create(&setting("managed")).await;
        assert_eq!(created.state, Some(setting("managed")));
        let record = created.private.unwrap();
        assert_eq!(record, b"before");
        assert_eq!(
            r.read(&setting("managed"), &record).await.unwrap().state,
            Some(setting("managed"))
        );
        let destroyed = r.delete(&setting("managed"), &record).await;
        assert_eq!(destroyed.state, None);
        assert_eq!(*r.object.graph.lock().unwrap(), "before");
    }

    #[tokio::test]
    async fn destroy_without_a_record_changes_nothing_and_says_so() {
        let r = resource("someone else's");
        let destroyed = r.delete(&setting("managed"), &[]).await;
        assert_eq!(destroyed.state, None, "Terraform forgets it");
        assert!(!destroyed.diags.has_errors());
        assert!(destroyed
            .diags
            .to_string()
            .contains("the setting left as they are"));
        assert_eq!(*r.object.graph.lock().unwrap(), "someone else's");
    }

    #[tokio::test]
    async fn an_import_records_what_graph_holds() {
        let r = resource("imported");
        let imported = r.import("the").await.unwrap();
        assert_eq!(imported.private, b"imported");
        assert_eq!(imported.state, Value::object([("value", Value::Null)]));
    }
}
