//! A per-tenant request budget for the Conditional Access family. Graph allows one request per
//! second per tenant for CA policies and named locations, counted across every app, and its 429
//! carries no Retry-After; pacing ourselves avoids provoking those 429s in the first place.
//! The budget is process-wide because Terraform runs up to ten resources of one provider
//! process in parallel.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;
use tokio::time::Instant;

pub struct Budget {
    interval: Duration,
    next_free: tokio::sync::Mutex<Instant>,
}

impl Budget {
    pub fn per_second(rps: f64) -> Budget {
        Budget {
            interval: Duration::from_secs_f64(1.0 / rps),
            next_free: tokio::sync::Mutex::new(Instant::now()),
        }
    }

    /// Waits for this caller's slot. Slots are handed out in order, one interval apart.
    pub async fn acquire(&self) {
        let slot = {
            let mut next = self.next_free.lock().await;
            let now = Instant::now();
            let slot = (*next).max(now);
            *next = slot + self.interval;
            slot
        };
        tokio::time::sleep_until(slot).await;
    }
}

/// Whether a Graph path belongs to the rate-limited Conditional Access family.
pub fn is_ca_family(path: &str) -> bool {
    let path = path.split('?').next().unwrap_or(path);
    [
        "/identity/conditionalAccess/policies",
        "/identity/conditionalAccess/namedLocations",
        "/policies/conditionalAccessPolicies",
    ]
    .iter()
    .any(|p| path.starts_with(p))
}

/// The shared budget for a tenant (about one request per second).
pub fn for_tenant(tenant: &str) -> Arc<Budget> {
    static BUDGETS: OnceLock<Mutex<HashMap<String, Arc<Budget>>>> = OnceLock::new();
    let mut map = BUDGETS.get_or_init(Default::default).lock().unwrap();
    map.entry(tenant.to_ascii_lowercase())
        .or_insert_with(|| Arc::new(Budget::per_second(1.0)))
        .clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_ca_policies_and_named_locations_are_budgeted() {
        assert!(is_ca_family("/identity/conditionalAccess/policies/abc"));
        assert!(is_ca_family(
            "/identity/conditionalAccess/namedLocations?$top=5"
        ));
        assert!(!is_ca_family(
            "/identity/conditionalAccess/authenticationContextClassReferences/c1"
        ));
        assert!(!is_ca_family("/policies/roleManagementPolicies"));
    }

    #[tokio::test(start_paused = true)]
    async fn slots_are_one_interval_apart() {
        let b = Budget::per_second(2.0);
        let start = Instant::now();
        for _ in 0..5 {
            b.acquire().await;
        }
        // The first slot is immediate, the next four are 500 ms apart.
        assert_eq!(start.elapsed(), Duration::from_millis(2000));
    }

    #[test]
    fn tenants_share_one_budget_case_insensitively() {
        assert!(Arc::ptr_eq(&for_tenant("ABC"), &for_tenant("abc")));
        assert!(!Arc::ptr_eq(&for_tenant("abc"), &for_tenant("def")));
    }
}
