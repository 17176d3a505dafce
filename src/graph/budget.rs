//! A per-tenant request budget for the Conditional Access family. Graph allows one request per
//! second per tenant for CA policies and named locations, counted across every app, and its 429
//! carries no Retry-After; pacing ourselves avoids provoking those 429s in the first place.
//! The budget is process-wide because Terraform runs up to ten resources of one provider
//! process in parallel, and it is handed from process to process through a small file per
//! tenant, because Terraform starts a new provider process for every phase (a plan right after
//! an apply would otherwise open with a request Graph counts against the previous one).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;
use tokio::time::Instant;

pub struct Budget {
    /// The gap between two requests at exactly the limit.
    gap: Duration,
    slots: tokio::sync::Mutex<Slots>,
    /// Where the next free slot is recorded for the next provider process, if anywhere.
    handoff: Option<PathBuf>,
}

struct Slots {
    next_free: Instant,
    /// The gap this process keeps: the limit's plus a margin, widened by each 429 it sees.
    interval: Duration,
}

impl Budget {
    /// Slots 3% wider than the limit: requests paced exactly at it arrive early whenever one
    /// travels faster than the one before, and Graph answers those with 429. Each 429 that
    /// still comes widens the slots by a tenth (up to twice the limit's gap): how Graph counts
    /// cannot be seen from here, and a 429 costs far more than a wider slot.
    fn new(rps: f64, start: Instant, handoff: Option<PathBuf>) -> Budget {
        let gap = super::time_scale::scaled(Duration::from_secs_f64(1.0 / rps));
        Budget {
            gap,
            slots: tokio::sync::Mutex::new(Slots {
                next_free: start,
                interval: gap.mul_f64(1.03),
            }),
            handoff,
        }
    }

    pub fn per_second(rps: f64) -> Budget {
        Budget::new(rps, Instant::now(), None)
    }

    /// A budget that starts where the last process using `file` left off, and records its own.
    fn handed_off(rps: f64, file: PathBuf) -> Budget {
        let start = std::fs::read_to_string(&file)
            .ok()
            .and_then(|t| t.trim().parse::<u128>().ok())
            .and_then(|next_ms| next_ms.checked_sub(unix_ms()))
            .map(|wait_ms| {
                // At most ten seconds of Graph's time: a clock that jumped must not stall us.
                let wait = Duration::from_millis(u64::try_from(wait_ms).unwrap_or(u64::MAX));
                Instant::now() + wait.min(super::time_scale::scaled(Duration::from_secs(10)))
            })
            .unwrap_or_else(Instant::now);
        Budget::new(rps, start, Some(file))
    }

    /// Widens the slots after a 429 on a budgeted request.
    pub async fn throttled(&self) {
        let mut slots = self.slots.lock().await;
        slots.interval = slots.interval.mul_f64(1.1).min(self.gap * 2);
    }

    /// Waits for this caller's slot. Slots are handed out in order, one interval apart.
    pub async fn acquire(&self) {
        let slot = {
            let mut slots = self.slots.lock().await;
            let now = Instant::now();
            let slot = slots.next_free.max(now);
            slots.next_free = slot + slots.interval;
            if let Some(file) = &self.handoff {
                // Best effort: losing the hand-off only risks one early request.
                let next_ms =
                    unix_ms() + slots.next_free.saturating_duration_since(now).as_millis();
                let _ = std::fs::write(file, next_ms.to_string());
            }
            slot
        };
        tokio::time::sleep_until(slot).await;
    }
}

fn unix_ms() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or(0)
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
        .or_insert_with(|| {
            let safe: String = tenant
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
                .collect();
            let file =
                std::env::temp_dir().join(format!("terraform-provider-entra-ca-budget-{safe}"));
            Arc::new(Budget::handed_off(1.0, file))
        })
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
        // The first slot is immediate, the next four are 515 ms apart (500 ms plus the margin).
        assert_eq!(start.elapsed().as_millis(), 2060);
    }

    #[tokio::test(start_paused = true)]
    async fn a_429_widens_the_slots_up_to_twice_the_limit() {
        let b = Budget::per_second(1.0);
        b.throttled().await;
        assert_eq!(b.slots.lock().await.interval.as_millis(), 1133);
        for _ in 0..20 {
            b.throttled().await;
        }
        assert_eq!(b.slots.lock().await.interval.as_millis(), 2000);
    }

    #[tokio::test]
    async fn the_next_process_starts_where_the_last_left_off() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("budget");
        let first = Budget::handed_off(1.0, file.clone());
        first.acquire().await;
        let recorded: u128 = std::fs::read_to_string(&file).unwrap().parse().unwrap();
        assert!(
            recorded > unix_ms() + 900,
            "the next slot is about a second away"
        );
        let second = Budget::handed_off(1.0, file);
        let start = second.slots.lock().await.next_free;
        assert!(
            start > Instant::now() + Duration::from_millis(800),
            "the new process waits for it"
        );
    }

    #[test]
    fn tenants_share_one_budget_case_insensitively() {
        assert!(Arc::ptr_eq(&for_tenant("ABC"), &for_tenant("abc")));
        assert!(!Arc::ptr_eq(&for_tenant("abc"), &for_tenant("def")));
    }
}
