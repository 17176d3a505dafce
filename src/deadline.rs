//! The time limit of the Terraform operation under way (a resource's `timeouts` block), for
//! every Graph request, retry and wait made on its behalf. Neutral ground between the plugin
//! layer, which sets it from the configuration, and the Graph client, which honours it: neither
//! knows the other.

use std::future::Future;
use std::time::Duration;
use tokio::time::Instant;

tokio::task_local! {
    static DEADLINE: Instant;
}

/// Runs `f` with `limit` (from now) as the operation's time limit; without one, as it is. The
/// limit runs on the provider's clock, which tests may speed up (`time_scale`).
pub async fn within<F: Future>(limit: Option<Duration>, f: F) -> F::Output {
    match limit {
        Some(l) => {
            let l = crate::time_scale::scaled(l);
            DEADLINE.scope(Instant::now() + l, f).await
        }
        None => f.await,
    }
}

/// The operation's time limit, if it has one.
pub fn current() -> Option<Instant> {
    DEADLINE.try_with(|d| *d).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_limit_holds_inside_the_operation_only() {
        assert!(current().is_none());
        let inside = within(Some(Duration::from_secs(60)), async { current() }).await;
        let left = inside.unwrap() - Instant::now();
        assert!(left <= Duration::from_secs(60) && left > Duration::from_secs(50));
        assert!(within(None, async { current() }).await.is_none());
        assert!(current().is_none());
    }
}
