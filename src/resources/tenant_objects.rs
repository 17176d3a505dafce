//! The tenant's Conditional Access policies, authentication contexts, named locations and
//! authentication strengths: one listing of each per provider process, shared by the resource
//! of that type (for its reads) and by the Conditional Access policy, whose plan checks that
//! every id it names exists.
//! Graph would otherwise refuse the policy only at apply, after other objects were written.
//!
//! Named locations are listed through beta: v1.0 leaves out the kinds only beta has (service
//! tags, private links, the system compliant network location), which policies may still name.
//!
//! Ids this process has planned to create or has created count as existing: a context made in
//! the same run has its configured id at plan time, before it exists, and a location just made
//! may not show in a listing taken afterwards (Graph is eventually consistent).

use crate::graph::{Api, GraphClient, GraphError};
use crate::plugin::diag::Diagnostics;
use crate::resources::graph_errors::ToDiagnostics;
use crate::resources::listing::{ById, Listing};
use crate::resources::{
    authentication_context, authentication_strength_policy, conditional_access_policy,
    named_location,
};
use serde::de::DeserializeOwned;
use serde_json::Value as Json;
use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

/// What policies may name, per type, and the policies themselves, for this process.
pub struct TenantObjects {
    /// Conditional Access policies, through beta (which shows every setting).
    pub policies: Objects,
    /// Authentication contexts, which policies name by `c1` to `c99`.
    pub contexts: Objects,
    /// Named locations of every kind (hence beta).
    pub locations: Objects,
    /// Authentication strengths, built-in and custom.
    pub strengths: Objects,
    /// The authentication context each role's PIM activation requires (`None`: none) as this
    /// process last wrote it: newer than a listing Graph may not have replicated yet.
    pub pim_contexts: Mutex<HashMap<String, Option<String>>>,
}

impl Default for TenantObjects {
    fn default() -> Self {
        TenantObjects {
            policies: Objects::new(
                Api::Beta,
                conditional_access_policy::COLLECTION,
                "Conditional Access policies",
            ),
            contexts: Objects::new(
                Api::V1,
                authentication_context::COLLECTION,
                "authentication contexts",
            ),
            locations: Objects::new(Api::Beta, named_location::COLLECTION, "named locations"),
            strengths: Objects::new(
                Api::V1,
                authentication_strength_policy::COLLECTION,
                "authentication strengths",
            ),
            pim_contexts: Mutex::default(),
        }
    }
}

/// The objects of one type: Graph's listing, kept true by this process's writes, and the ids
/// this process made or plans to make.
pub struct Objects {
    api: Api,
    collection: &'static str,
    plural: &'static str,
    listing: Listing,
    made: Mutex<HashSet<String>>,
}

impl Objects {
    fn new(api: Api, collection: &'static str, plural: &'static str) -> Objects {
        Objects {
            api,
            collection,
            plural,
            listing: Listing::default(),
            made: Mutex::default(),
        }
    }

    /// Every object of the type, listed once per process.
    pub async fn all(&self, client: &GraphClient) -> Result<ById, Diagnostics> {
        self.listing
            .get(|| client.list::<Json>(self.api, self.collection))
            .await
            .map_err(|e| e.to_diagnostics(&format!("list {}", self.plural)))
    }

    /// One object by id, through the listing's API (`None`: Graph has none): for a read the
    /// listing cannot answer, and to see what a failed write left.
    pub async fn get<T: DeserializeOwned>(
        &self,
        client: &GraphClient,
        id: &str,
    ) -> Result<Option<T>, GraphError> {
        client
            .get_opt(self.api, &format!("{}/{id}", self.collection))
            .await
    }

    /// Records an object this process has just created, as Graph answered the create.
    pub async fn created(&self, item: &Json) {
        if let Some(id) = item["id"].as_str() {
            self.will_make(id);
        }
        self.listing.put(item).await;
    }

    /// Records what Graph answered for an object this process has just changed.
    pub async fn changed(&self, item: &Json) {
        self.listing.put(item).await;
    }

    /// Records an id a planned create will give an object (known ahead only for contexts).
    pub fn will_make(&self, id: &str) {
        self.made
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(id.to_lowercase());
    }

    /// How many objects this process has made that `all` (a listing) does not show yet.
    pub fn made_beyond(&self, all: &ById) -> usize {
        self.made
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .filter(|id| !all.contains_key(*id))
            .count()
    }

    /// Drops an object this process is changing or deleting from the listing.
    pub async fn forget(&self, id: &str) {
        self.listing.forget(id).await;
    }

    /// Which of `ids` the tenant lacks (compared without case). `None` when Graph could not be
    /// asked: the check is then left to Graph at apply rather than blocking the plan.
    pub async fn missing<'a>(&self, client: &GraphClient, ids: &[&'a str]) -> Option<Vec<&'a str>> {
        if ids.is_empty() {
            return Some(vec![]);
        }
        let all = self.all(client).await.ok()?;
        let made = self.made.lock().unwrap_or_else(|p| p.into_inner());
        Some(
            ids.iter()
                .copied()
                .filter(|id| {
                    let id = id.to_lowercase();
                    !all.contains_key(&id) && !made.contains(&id)
                })
                .collect(),
        )
    }
}
