//! One listing per provider process for reads. Terraform refreshes up to ten resources at a
//! time, each with its own ReadResource call; with Graph's one-request-per-second budget for
//! Conditional Access, one GET per object makes a large tenant's plan take minutes. Reads of one
//! type instead share a single listing, fetched by the first reader (the others wait for it).
//! Writes keep it true instead of dropping it: an object this process creates is added as Graph
//! answered it, one it changes or deletes is forgotten (a read then fetches it by id), so a read
//! never sees what this process has since changed, and an apply of many objects lists once.

use serde_json::Value as Json;
use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use tokio::sync::Mutex;

/// Objects of one type by lower-cased id.
pub type ById = Arc<HashMap<String, Json>>;

/// The shared listing of one type, fetched on first use.
#[derive(Default)]
pub struct Listing {
    cached: Mutex<Option<ById>>,
}

impl Listing {
    /// The listing, loading it with `load` if this process has none (or dropped it).
    pub async fn get<E, F>(&self, load: impl FnOnce() -> F) -> Result<ById, E>
    where
        F: Future<Output = Result<Vec<Json>, E>>,
    {
        let mut cached = self.cached.lock().await;
        if let Some(list) = cached.as_ref() {
            return Ok(list.clone());
        }
        let items = load().await?;
        let by_id: HashMap<String, Json> = items
            .into_iter()
            .filter_map(|item| Some((item["id"].as_str()?.to_lowercase(), item)))
            .collect();
        let list = Arc::new(by_id);
        *cached = Some(list.clone());
        Ok(list)
    }

    /// Records an object this process has just created, as Graph answered the create.
    pub async fn put(&self, item: &Json) {
        let mut cached = self.cached.lock().await;
        if let (Some(list), Some(id)) = (cached.as_mut(), item["id"].as_str()) {
            Arc::make_mut(list).insert(id.to_lowercase(), item.clone());
        }
    }

    /// Drops an object this process is changing or deleting: the listing no longer knows what
    /// Graph holds for it.
    pub async fn forget(&self, id: &str) {
        if let Some(list) = self.cached.lock().await.as_mut() {
            Arc::make_mut(list).remove(&id.to_lowercase());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[tokio::test]
    async fn concurrent_readers_share_one_load() {
        let listing = Arc::new(Listing::default());
        let loads = Arc::new(AtomicUsize::new(0));
        let read = |listing: Arc<Listing>, loads: Arc<AtomicUsize>| async move {
            listing
                .get(|| async {
                    loads.fetch_add(1, Ordering::SeqCst);
                    tokio::task::yield_now().await;
                    Ok::<_, ()>(vec![serde_json::json!({"id": "A1"})])
                })
                .await
                .unwrap()
        };
        let results = futures_join(
            (0..10)
                .map(|_| tokio::spawn(read(listing.clone(), loads.clone())))
                .collect(),
        )
        .await;
        assert!(results.iter().all(|r| r.contains_key("a1")));
        assert_eq!(loads.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn writes_keep_the_listing_true_without_loading_it_again() {
        let listing = Listing::default();
        let load = || async { Ok::<_, ()>(vec![serde_json::json!({"id": "A1", "v": 1})]) };
        let never = || async { Err::<Vec<Json>, _>("the listing was loaded twice") };
        // Before anything is loaded, writes have nothing to keep true.
        listing.put(&serde_json::json!({"id": "Z9"})).await;
        listing.get(load).await.unwrap();
        listing.put(&serde_json::json!({"id": "B2", "v": 2})).await;
        let after_create = listing.get(never).await.unwrap();
        assert_eq!(after_create["b2"]["v"], 2);
        assert!(!after_create.contains_key("z9"));
        listing.forget("a1").await;
        let after_change = listing.get(never).await.unwrap();
        assert!(
            !after_change.contains_key("a1"),
            "a changed object is read by id"
        );
        assert_eq!(after_change.len(), 1);
        assert_eq!(after_create.len(), 2, "earlier readers keep their snapshot");
    }

    async fn futures_join(handles: Vec<tokio::task::JoinHandle<ById>>) -> Vec<ById> {
        let mut out = Vec::new();
        for h in handles {
            out.push(h.await.unwrap());
        }
        out
    }
}
