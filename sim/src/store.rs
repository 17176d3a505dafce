//! In-memory object store shared by all Graph resource modules.
//!
//! Objects are kept as raw JSON (what Graph would return, minus `@odata.context`) because the
//! simulator's job is to echo shapes faithfully, not to model them in Rust types. Each resource
//! gets a [`Collection`] field here; later resources add theirs.

use serde_json::{Map, Value};
use std::time::{Duration, Instant};

/// One stored entity.
#[derive(Debug, Clone)]
pub(crate) struct Stored {
    pub(crate) value: Map<String, Value>,
    /// When it was created through the API; `None` for seeded objects (always visible).
    pub(crate) created: Option<Instant>,
    /// Seeded from a real export: resource modules may read it back exactly as stored
    /// (CA policies on beta) instead of filling defaults.
    pub(crate) verbatim: bool,
}

impl Stored {
    pub(crate) fn seeded(value: Map<String, Value>) -> Self {
        Stored {
            value,
            created: None,
            verbatim: false,
        }
    }

    pub(crate) fn created_now(value: Map<String, Value>) -> Self {
        Stored {
            value,
            created: Some(Instant::now()),
            verbatim: false,
        }
    }

    /// Eventual consistency: a freshly created object is not yet readable by id.
    pub(crate) fn visible(&self, lag: Duration) -> bool {
        match self.created {
            None => true,
            Some(t) => t.elapsed() >= lag,
        }
    }
}

/// Insertion-ordered collection keyed by id. Collections here are tiny (Graph caps CA policies
/// and named locations at 195, auth contexts at 99), so a Vec is simplest and keeps list order
/// stable the way Graph's does.
#[derive(Debug, Default, Clone)]
pub(crate) struct Collection {
    items: Vec<(String, Stored)>,
}

impl Collection {
    pub(crate) fn get(&self, id: &str) -> Option<&Stored> {
        self.items.iter().find(|(k, _)| k == id).map(|(_, v)| v)
    }

    pub(crate) fn get_mut(&mut self, id: &str) -> Option<&mut Stored> {
        self.items.iter_mut().find(|(k, _)| k == id).map(|(_, v)| v)
    }

    pub(crate) fn contains(&self, id: &str) -> bool {
        self.get(id).is_some()
    }

    /// Insert or replace (keeping the original position on replace).
    pub(crate) fn insert(&mut self, id: String, item: Stored) {
        match self.get_mut(&id) {
            Some(slot) => *slot = item,
            None => self.items.push((id, item)),
        }
    }

    pub(crate) fn remove(&mut self, id: &str) -> Option<Stored> {
        let pos = self.items.iter().position(|(k, _)| k == id)?;
        Some(self.items.remove(pos).1)
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = (&String, &Stored)> {
        self.items.iter().map(|(k, v)| (k, v))
    }

    pub(crate) fn len(&self) -> usize {
        self.items.len()
    }
}

/// Everything the simulated tenant holds.
#[derive(Debug, Default)]
pub(crate) struct Store {
    pub(crate) auth_contexts: Collection,
    /// Conditional Access policies: the union of v1.0 and beta members, normalised, without
    /// `id` (the collection key) and without OData annotations except `externalTenants`'
    /// `@odata.type` (see graph::policies).
    pub(crate) ca_policies: Collection,
    /// Named locations (ip / country), `@odata.type` included, without `id` (the key); the
    /// system compliant-network location is not stored (see graph::named_locations).
    pub(crate) named_locations: Collection,
    /// Custom authentication strength policies, inline `combinationConfigurations`; the three
    /// built-ins live in code (see graph::auth_strengths, graph::policies::strengths).
    pub(crate) auth_strengths: Collection,
    /// Directory role definitions (built-ins from the start; see graph::role_definitions).
    pub(crate) role_definitions: crate::graph::role_definitions::RoleDefinitions,
    /// One PIM policy per role definition (see graph::pim).
    pub(crate) pim: crate::graph::pim::PimStore,
}

impl Store {
    /// Store a CA policy without validation (annotations dropped, flags enums canonical);
    /// returns its id (the object's `id`, else a new GUID). GET fills defaults for it.
    pub(crate) fn put_raw_policy(&mut self, json: Value) -> String {
        crate::graph::policies::store_raw(self, json, false)
    }

    /// Ids of CA policies whose `conditions.applications.includeAuthenticationContextClassReferences`
    /// mention `acr_id`.
    pub(crate) fn policies_referencing_auth_context(&self, acr_id: &str) -> Vec<String> {
        self.ca_policies
            .iter()
            .filter(|(_, p)| {
                p.value
                    .get("conditions")
                    .and_then(|c| c.get("applications"))
                    .and_then(|a| a.get("includeAuthenticationContextClassReferences"))
                    .and_then(Value::as_array)
                    .is_some_and(|refs| refs.iter().any(|r| r.as_str() == Some(acr_id)))
            })
            .map(|(id, _)| id.clone())
            .collect()
    }
}
