//! Graph is eventually consistent: an object created moments ago can answer 404 for seconds,
//! and now and then for much longer. A refresh that took that 404 at its word would drop the
//! object from state and plan to create it again: a duplicate. No fixed wait outlasts every
//! lag, so "gone" depends on when the provider last wrote the object, which its private state
//! records (at create and update; not at refresh: a private state that changed on every read
//! would make every `plan -refresh-only` report a change, and the drift check exists for that):
//!
//! - written within the last `RECENT` (10 minutes): a 404 is asked again, with backoff, for up
//!   to `WAIT_AT_MOST` (2 minutes); still missing, the refresh fails and says what to do, and
//!   the object stays in the state;
//! - written longer ago, or never by this provider (imported, or written by an older
//!   provider): asked again for about eight seconds, then gone, so objects deleted outside
//!   Terraform are still detected.

use super::private_state;
use crate::plugin::diag::Diagnostics;
use crate::time_scale;
use std::future::Future;
use std::time::Duration;

/// How long after the provider last saw an object a 404 may still be replication.
pub const RECENT: Duration = Duration::from_secs(600);
/// How long a refresh waits for a recently seen object before failing.
pub const WAIT_AT_MOST: Duration = Duration::from_secs(120);
/// The pauses for an object not seen recently.
const BRIEF_PAUSES_MS: [u64; 4] = [500, 1000, 2000, 4000];
/// Backoff pauses double from half a second up to this.
const LONGEST_PAUSE: Duration = Duration::from_secs(15);
const LAST_SEEN: &str = "last_written_unix_ms";

/// Private state saying the provider wrote the object now (see `private_state` for its form).
pub fn seen_now() -> Vec<u8> {
    format!("{LAST_SEEN}={}", private_state::now_unix_ms()).into_bytes()
}

/// How long ago the provider last saw the object, if its private state says.
fn seen_ago(private: &[u8]) -> Option<Duration> {
    let seen: i64 = private_state::get(private, LAST_SEEN)?.parse().ok()?;
    // A time ahead of our clock (set back since) counts as now.
    Some(Duration::from_millis(
        private_state::now_unix_ms().saturating_sub(seen).max(0) as u64,
    ))
}

/// Pauses doubling from half a second to 15 seconds, adding up to `total`, on the test clock.
pub fn backoff(total: Duration) -> Vec<Duration> {
    let mut pauses = Vec::new();
    let (mut next, mut sum) = (Duration::from_millis(500), Duration::ZERO);
    while sum < total {
        let pause = next.min(total - sum);
        pauses.push(time_scale::scaled(pause));
        sum += pause;
        next = (next * 2).min(LONGEST_PAUSE);
    }
    pauses
}

/// The object `get` reads (`None`: gone), asked again while Graph may still be replicating it;
/// `private` is what Terraform keeps with it, `what` names it in the error ("named location
/// 0b5e...").
pub async fn unless_replicating<T, F, Fut>(
    private: &[u8],
    what: &str,
    mut get: F,
) -> Result<Option<T>, Diagnostics>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Option<T>, Diagnostics>>,
{
    let recently = seen_ago(private).filter(|ago| *ago < time_scale::scaled(RECENT));
    let pauses = match recently {
        Some(_) => backoff(WAIT_AT_MOST),
        None => BRIEF_PAUSES_MS
            .map(|ms| time_scale::scaled(Duration::from_millis(ms)))
            .to_vec(),
    };
    for pause in pauses {
        if let Some(found) = get().await? {
            return Ok(Some(found));
        }
        tokio::time::sleep(pause).await;
    }
    match (get().await?, recently) {
        (Some(found), _) => Ok(Some(found)),
        (None, None) => Ok(None),
        (None, Some(ago)) => Err(still_missing(what, ago)),
    }
}

fn still_missing(what: &str, ago: Duration) -> Diagnostics {
    // In Graph's time: the test clock runs faster.
    let seconds = |d: Duration| (d.as_secs_f64() / time_scale::factor()).round();
    Diagnostics::error(
        format!("Graph does not show {what}"),
        format!(
            "Graph answers 404 for it, although this provider saw it {} seconds ago; asked again for {} minutes, it still does. Graph may still be replicating it: run Terraform again in a few minutes. If it was deleted outside Terraform, remove it from the state (terraform state rm <its address>), or wait: once {} minutes have passed since it was last seen, the next plan takes it as deleted and plans to create it again. The state was left as it was.",
            seconds(ago),
            WAIT_AT_MOST.as_secs() / 60,
            RECENT.as_secs() / 60,
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    fn seen_ago_ms(ms: i64) -> Vec<u8> {
        format!("{LAST_SEEN}={}", private_state::now_unix_ms() - ms).into_bytes()
    }

    #[tokio::test(start_paused = true)]
    async fn an_object_that_appears_within_the_pauses_is_found() {
        let calls = AtomicU32::new(0);
        let started = tokio::time::Instant::now();
        let found = unless_replicating(&[], "x", || async {
            let n = calls.fetch_add(1, Ordering::SeqCst);
            Ok::<_, Diagnostics>((n == 2).then_some("policy"))
        })
        .await
        .unwrap();
        assert_eq!(found, Some("policy"));
        assert_eq!(started.elapsed(), Duration::from_millis(1500));
    }

    #[tokio::test(start_paused = true)]
    async fn an_object_not_seen_recently_is_gone_after_five_asks() {
        for private in [Vec::new(), b"junk".to_vec(), seen_ago_ms(11 * 60 * 1000)] {
            let calls = AtomicU32::new(0);
            let found = unless_replicating(&private, "x", || async {
                calls.fetch_add(1, Ordering::SeqCst);
                Ok::<Option<()>, Diagnostics>(None)
            })
            .await
            .unwrap();
            assert_eq!(found, None);
            assert_eq!(calls.load(Ordering::SeqCst), 5);
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_recently_seen_object_is_waited_for_up_to_two_minutes() {
        let started = tokio::time::Instant::now();
        let found = unless_replicating(&seen_ago_ms(5000), "x", || async {
            Ok::<_, Diagnostics>((started.elapsed() >= Duration::from_secs(50)).then_some(1))
        })
        .await
        .unwrap();
        assert_eq!(found, Some(1));
        assert!(started.elapsed() < Duration::from_secs(70));
    }

    #[tokio::test(start_paused = true)]
    async fn a_recently_seen_object_still_missing_is_an_error_not_gone() {
        let started = tokio::time::Instant::now();
        let got = unless_replicating(&seen_now(), "named location n1", || async {
            Ok::<Option<()>, Diagnostics>(None)
        })
        .await;
        assert_eq!(started.elapsed(), WAIT_AT_MOST);
        let text = got.unwrap_err().to_string();
        assert!(
            text.contains("Graph does not show named location n1"),
            "{text}"
        );
        assert!(text.contains("terraform state rm"), "{text}");
    }

    #[test]
    fn backoff_doubles_to_fifteen_seconds_and_adds_up() {
        let pauses = backoff(Duration::from_secs(60));
        assert_eq!(
            pauses[..6]
                .iter()
                .map(Duration::as_millis)
                .collect::<Vec<_>>(),
            [500, 1000, 2000, 4000, 8000, 15000]
        );
        assert_eq!(pauses.iter().sum::<Duration>(), Duration::from_secs(60));
    }

    #[tokio::test(start_paused = true)]
    async fn an_error_is_not_retried_here() {
        let calls = AtomicU32::new(0);
        let got = unless_replicating(&seen_now(), "x", || async {
            calls.fetch_add(1, Ordering::SeqCst);
            Err::<Option<()>, _>(Diagnostics::error("Graph is down", ""))
        })
        .await;
        assert!(got.is_err());
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }
}
