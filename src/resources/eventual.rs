//! Graph is eventually consistent: an object created moments ago, by the apply before this
//! plan, can answer 404 for a few seconds. A refresh that took that 404 at its word would drop
//! the object from state and plan to create it again: a duplicate. So a refresh that finds
//! nothing asks again, for up to about eight seconds, before calling the object gone. Objects
//! deleted outside Terraform are still found gone, a few seconds later.

use crate::graph::time_scale;
use crate::plugin::diag::Diagnostics;
use std::future::Future;
use std::time::Duration;

const PAUSES_MS: [u64; 4] = [500, 1000, 2000, 4000];

/// `get` answered again until it finds the object or the pauses run out.
pub async fn unless_briefly_missing<T, F, Fut>(mut get: F) -> Result<Option<T>, Diagnostics>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Option<T>, Diagnostics>>,
{
    for pause in PAUSES_MS {
        if let Some(found) = get().await? {
            return Ok(Some(found));
        }
        tokio::time::sleep(time_scale::scaled(Duration::from_millis(pause))).await;
    }
    get().await
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    #[tokio::test(start_paused = true)]
    async fn an_object_that_appears_within_the_pauses_is_found() {
        let calls = AtomicU32::new(0);
        let started = tokio::time::Instant::now();
        let found = unless_briefly_missing(|| async {
            let n = calls.fetch_add(1, Ordering::SeqCst);
            Ok::<_, Diagnostics>((n == 2).then_some("policy"))
        })
        .await
        .unwrap();
        assert_eq!(found, Some("policy"));
        assert_eq!(started.elapsed(), Duration::from_millis(1500));
    }

    #[tokio::test(start_paused = true)]
    async fn a_deleted_object_is_gone_after_five_asks() {
        let calls = AtomicU32::new(0);
        let found = unless_briefly_missing(|| async {
            calls.fetch_add(1, Ordering::SeqCst);
            Ok::<Option<()>, Diagnostics>(None)
        })
        .await
        .unwrap();
        assert_eq!(found, None);
        assert_eq!(calls.load(Ordering::SeqCst), 5);
    }

    #[tokio::test(start_paused = true)]
    async fn an_error_is_not_retried_here() {
        let calls = AtomicU32::new(0);
        let got = unless_briefly_missing(|| async {
            calls.fetch_add(1, Ordering::SeqCst);
            Err::<Option<()>, _>(Diagnostics::error("Graph is down", ""))
        })
        .await;
        assert!(got.is_err());
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }
}
