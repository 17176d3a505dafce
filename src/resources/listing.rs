//! One listing per provider process for reads. Terraform refreshes up to ten resources at a
//! time, each with its own ReadResource call; with Graph's one-request-per-second budget for
//! Conditional Access, one GET per object makes a large tenant's plan take minutes. Reads of one
//! type instead share a single listing, fetched by the first reader (the others wait for it) and
//! dropped by any write, so a read never sees what this process has since changed.

use serde_json::Value as Json;
use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use tokio::sync::Mutex;

/// Objects of one type by lower-cased id.
pub type ById = Arc<HashMap<String, Json>>;

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

    /// Forgets the listing after a write.
    pub async fn invalidate(&self) {
        *self.cached.lock().await = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[tokio::test]
    async fn concurrent_readers_share_one_load_until_invalidated() {
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
        listing.invalidate().await;
        read(listing.clone(), loads.clone()).await;
        assert_eq!(loads.load(Ordering::SeqCst), 2);
    }

    async fn futures_join(handles: Vec<tokio::task::JoinHandle<ById>>) -> Vec<ById> {
        let mut out = Vec::new();
        for h in handles {
            out.push(h.await.unwrap());
        }
        out
    }
}
