//! Conditional Access throttling: real Graph allows 1 request/second/tenant across CA policies
//! and named locations (any app, any method) and answers 429 WITHOUT Retry-After beyond it
//! (graph-api.md §9.4). We model it as a token bucket per tenant.

use crate::Locked;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

/// Path prefixes (after `/v1.0` or `/beta`) that share the CA budget.
pub(crate) const CA_PREFIXES: &[&str] = &[
    "/identity/conditionalAccess/policies",
    "/identity/conditionalAccess/namedLocations",
    // Same entity set as /identity/conditionalAccess/policies.
    "/policies/conditionalAccessPolicies",
];

pub(crate) fn is_ca_path(path: &str) -> bool {
    CA_PREFIXES.iter().any(|p| {
        path.len() >= p.len()
            && path[..p.len()].eq_ignore_ascii_case(p)
            && matches!(path.as_bytes().get(p.len()), None | Some(b'/') | Some(b'('))
    })
}

pub(crate) struct Throttle {
    rate: Option<f64>,
    /// The simulator's time scale: a second of Graph's time lasts this many real seconds.
    scale: f64,
    buckets: Mutex<HashMap<String, Bucket>>,
}

struct Bucket {
    tokens: f64,
    last: Instant,
}

impl Throttle {
    pub(crate) fn new(rate: Option<f64>, scale: f64) -> Self {
        Throttle {
            rate: rate.filter(|r| *r > 0.0),
            scale,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Take one request from the tenant's budget; false = throttled.
    pub(crate) fn try_acquire(&self, tenant: &str) -> bool {
        let Some(rate) = self.rate else { return true };
        // Burst of one second's worth (at least one request), like a per-second window.
        let capacity = rate.max(1.0);
        let now = Instant::now();
        let mut buckets = self.buckets.locked();
        let b = buckets.entry(tenant.to_string()).or_insert(Bucket {
            tokens: capacity,
            last: now,
        });
        let elapsed = now.duration_since(b.last).as_secs_f64() / self.scale;
        b.tokens = (b.tokens + elapsed * rate).min(capacity);
        b.last = now;
        if b.tokens >= 1.0 {
            b.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}
