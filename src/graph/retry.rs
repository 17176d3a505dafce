//! When a failed Graph request may be sent again, and how long to wait first.
//!
//! How each verb is treated:
//! - GET, PATCH, PUT, DELETE are idempotent here (PATCH sets properties to given values), so
//!   they are retried on 429, 408, 5xx, timeouts and broken connections.
//! - POST creates something: it is retried only when Graph certainly did not act on it, that is
//!   on 429 (throttled requests are rejected before processing) and when the connection could not
//!   be opened at all. A 5xx, a timeout or a reset after sending is ambiguous: the object may
//!   exist, so the error goes back to the resource, which decides (by reading) what happened.
//! - Never retried, whatever the verb: what would fail the same way again. A redirect (never
//!   followed, see `http`), an answer over `http::MAX_ANSWER_BYTES`, a request that cannot be
//!   built (a token with a line break in it is refused when it arrives). The client decides
//!   those before asking here.
//!
//! Everything retried is bounded twice: at most 12 attempts, and none started past the
//! operation's deadline (300 s, or the resource's `timeouts` when shorter).

use crate::time_scale;
use reqwest::Method;
use std::time::Duration;

/// How a request failed, as far as retrying cares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failure {
    /// An HTTP status came back.
    Status(u16),
    /// The connection could not be established: the request never left.
    Connect,
    /// Timed out or the connection broke after the request may have been sent.
    Interrupted,
}

/// Whether sending the request twice does no more than sending it once: all but POST.
pub fn is_idempotent(method: &Method) -> bool {
    method != Method::POST
}

/// Whether a request that failed so may be sent again (the rules are at the top of this file).
pub fn should_retry(method: &Method, failure: Failure) -> bool {
    match failure {
        Failure::Status(429) | Failure::Connect => true,
        Failure::Status(408) | Failure::Interrupted => is_idempotent(method),
        Failure::Status(s) if s >= 500 => is_idempotent(method),
        Failure::Status(_) => false,
    }
}

/// Exponential backoff with full jitter: 1 s, 2 s, 4 s ... capped at 32 s, each scaled by a
/// random factor in [0.5, 1.0) so that parallel resources do not retry in lock step.
pub fn backoff(attempt: u32) -> Duration {
    let base = time_scale::scaled(Duration::from_secs(1u64 << attempt.min(5)));
    base.mul_f64(0.5 + rand::random::<f64>() / 2.0)
}

/// The wait for a 429 or 503: Graph's `Retry-After` seconds when given, else our backoff.
pub fn wait_for(retry_after: Option<&str>, attempt: u32) -> Duration {
    retry_after
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(|s| time_scale::scaled(Duration::from_secs(s.min(300))))
        .unwrap_or_else(|| backoff(attempt))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn post_is_retried_only_when_graph_did_not_act() {
        assert!(should_retry(&Method::POST, Failure::Status(429)));
        assert!(should_retry(&Method::POST, Failure::Connect));
        assert!(!should_retry(&Method::POST, Failure::Status(503)));
        assert!(!should_retry(&Method::POST, Failure::Interrupted));
        assert!(!should_retry(&Method::POST, Failure::Status(408)));
    }

    #[test]
    fn idempotent_verbs_are_retried_on_transient_failures() {
        for m in [Method::GET, Method::PATCH, Method::DELETE, Method::PUT] {
            for f in [
                Failure::Status(429),
                Failure::Status(408),
                Failure::Status(500),
                Failure::Status(503),
                Failure::Connect,
                Failure::Interrupted,
            ] {
                assert!(should_retry(&m, f), "{m} {f:?}");
            }
            for s in [400, 401, 403, 404, 409] {
                assert!(!should_retry(&m, Failure::Status(s)), "{m} {s}");
            }
        }
    }

    #[test]
    fn retry_after_wins_over_backoff() {
        assert_eq!(wait_for(Some("7"), 0), Duration::from_secs(7));
        let d = wait_for(None, 3);
        assert!(
            d >= Duration::from_secs(4) && d < Duration::from_secs(8),
            "{d:?}"
        );
        assert!(backoff(40) < Duration::from_secs(32));
    }
}
