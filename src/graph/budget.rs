//! A per-tenant request budget for the Conditional Access family. Graph allows one request per
//! second per tenant for CA policies and named locations, counted across every app, and its 429
//! carries no Retry-After; pacing ourselves avoids provoking those 429s in the first place.
//!
//! The budget is shared by every provider process on the machine that talks to the same tenant
//! in the same cloud: Terraform runs up to ten resources of one process in parallel, starts a
//! new process for every phase, and teams run several root modules side by side (Terragrunt's
//! run-all, parallel CI jobs on one runner). Each slot is claimed under a lock on one small file
//! per tenant and cloud, in a directory only this user can use; the file holds the next free
//! slot as Unix milliseconds. A crashed process leaves nothing stuck: the lock goes with the
//! process, and the slots it claimed simply pass. Processes on different machines cannot see
//! each other; for them Graph's 429 stays the only coordination (docs/performance.md).

use super::paths;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;
use tokio::time::Instant;

/// Paces the requests of one tenant so that they stay under Graph's limit.
pub struct Budget {
    /// The gap between two requests at exactly the limit.
    gap: Duration,
    slots: tokio::sync::Mutex<Slots>,
    /// The file every process of this tenant claims its slots in, if any.
    shared: Option<PathBuf>,
}

struct Slots {
    next_free: Instant,
    /// The gap this process keeps: the limit's plus a margin, widened by each 429 it sees.
    interval: Duration,
}

/// How far ahead a claimed slot may lie. Ten processes with ten requests each in flight queue
/// a hundred slots; a clock that jumped back must not stall every later run for longer.
const MAX_AHEAD: Duration = Duration::from_secs(300);

impl Budget {
    /// Slots 3% wider than the limit: requests paced exactly at it arrive early whenever one
    /// travels faster than the one before, and Graph answers those with 429. Each 429 that
    /// still comes widens the slots by a tenth (up to twice the limit's gap): how Graph counts
    /// cannot be seen from here, and a 429 costs far more than a wider slot.
    fn new(rps: f64, shared: Option<PathBuf>) -> Budget {
        let gap = crate::time_scale::scaled(Duration::from_secs_f64(1.0 / rps));
        Budget {
            gap,
            slots: tokio::sync::Mutex::new(Slots {
                next_free: Instant::now(),
                interval: gap.mul_f64(1.03),
            }),
            shared,
        }
    }

    /// A budget of `rps` requests per second for this process alone.
    pub fn per_second(rps: f64) -> Budget {
        Budget::new(rps, None)
    }

    /// A budget whose slots are claimed in `file`, shared with every process that uses it.
    fn shared(rps: f64, file: PathBuf) -> Budget {
        Budget::new(rps, Some(file))
    }

    /// Widens the slots after a 429 on a budgeted request.
    pub async fn throttled(&self) {
        let mut slots = self.slots.lock().await;
        slots.interval = slots.interval.mul_f64(1.1).min(self.gap * 2);
    }

    /// Waits for this caller's slot. Slots are handed out in order, one interval apart, across
    /// this process and, through the shared file, every other on the machine.
    pub async fn acquire(&self) {
        let slot = {
            let mut slots = self.slots.lock().await;
            let now = Instant::now();
            let mut slot = slots.next_free.max(now);
            if let Some(file) = &self.shared {
                // Best effort: without the file this process still paces itself, and the 429
                // path covers the rest.
                if let Ok(claimed) = claim(file, slot - now, slots.interval) {
                    slot = now + claimed;
                }
            }
            slots.next_free = slot + slots.interval;
            slot
        };
        tokio::time::sleep_until(slot).await;
    }
}

/// Claims the first slot at least `earliest` from now in `file`, under its lock, and records
/// the next free one. Returns how far from now the claimed slot is.
fn claim(
    file: &std::path::Path,
    earliest: Duration,
    interval: Duration,
) -> std::io::Result<Duration> {
    use std::io::{Read, Seek, Write};
    let mut f = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(file)?;
    f.lock()?;
    let mut text = String::new();
    f.read_to_string(&mut text)?;
    let now = unix_ms();
    let ahead = text
        .trim()
        .parse::<u128>()
        .ok()
        .and_then(|next| next.checked_sub(now))
        .map(|ms| Duration::from_millis(u64::try_from(ms).unwrap_or(u64::MAX)))
        .unwrap_or_default()
        .min(crate::time_scale::scaled(MAX_AHEAD));
    let slot = ahead.max(earliest);
    let next = now + (slot + interval).as_millis();
    f.set_len(0)?;
    f.rewind()?;
    f.write_all(next.to_string().as_bytes())?;
    // The lock goes with the file handle.
    Ok(slot)
}

/// The directory for the budget files: this user's alone. Under the system's temporary
/// directory, made with mode 0700, and refused unless it is a real directory nobody else may
/// enter: a file another user planted there could stall our requests or speed them up. (One
/// another user made with mode 0700 cannot be written to, and the budget then stays
/// in-process.)
fn budget_dir() -> Option<PathBuf> {
    let dir = std::env::temp_dir().join(format!("terraform-provider-entra-{}", user_tag()));
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
        let _ = std::fs::DirBuilder::new().mode(0o700).create(&dir);
        let meta = std::fs::symlink_metadata(&dir).ok()?;
        let own = meta.is_dir()
            && !meta.file_type().is_symlink()
            && meta.permissions().mode() & 0o077 == 0;
        own.then_some(dir)
    }
    #[cfg(not(unix))]
    {
        std::fs::create_dir_all(&dir).ok()?;
        Some(dir)
    }
}

/// A name part for the user, so that users of one machine never share a directory.
fn user_tag() -> String {
    std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .unwrap_or_else(|_| "user".into())
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
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
        paths::CONDITIONAL_ACCESS_POLICIES,
        paths::NAMED_LOCATIONS,
        "/policies/conditionalAccessPolicies",
    ]
    .iter()
    .any(|p| path.starts_with(p))
}

/// The budget for a tenant in a cloud (its Graph host), about one request per second, shared
/// by every provider process of this user on the machine.
pub fn for_tenant(cloud: &str, tenant: &str) -> Arc<Budget> {
    static BUDGETS: OnceLock<Mutex<HashMap<String, Arc<Budget>>>> = OnceLock::new();
    let key = format!("{cloud}-{tenant}").to_ascii_lowercase();
    // A panic while the lock was held cannot have left the map half-changed (an entry is
    // inserted whole or not at all), so a poisoned lock is taken over rather than passed on.
    let mut map = BUDGETS
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    map.entry(key.clone())
        .or_insert_with(|| {
            let safe: String = key
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || c == '-' {
                        c
                    } else {
                        '_'
                    }
                })
                .collect();
            Arc::new(match budget_dir() {
                Some(dir) => Budget::shared(1.0, dir.join(format!("ca-budget-{safe}"))),
                None => Budget::per_second(1.0),
            })
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

    /// Two budgets on one file stand for two processes: together they keep one request per
    /// interval, whoever asks.
    #[tokio::test]
    async fn processes_sharing_the_file_share_the_slots() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("budget");
        let (a, b) = (
            Budget::shared(20.0, file.clone()),
            Budget::shared(20.0, file.clone()),
        );
        let start = Instant::now();
        for _ in 0..3 {
            a.acquire().await;
            b.acquire().await;
        }
        // Six slots 51.5 ms apart: the last one 257 ms after the first, not 103 ms as two
        // processes pacing themselves alone would make it.
        assert!(
            start.elapsed() >= Duration::from_millis(250),
            "{:?}",
            start.elapsed()
        );
        let recorded: u128 = std::fs::read_to_string(&file).unwrap().parse().unwrap();
        assert!(recorded > unix_ms(), "the next free slot lies ahead");
    }

    #[test]
    fn a_slot_far_ahead_from_a_jumped_clock_is_capped() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("budget");
        std::fs::write(&file, (unix_ms() + 3_600_000).to_string()).unwrap();
        let slot = claim(&file, Duration::ZERO, Duration::from_secs(1)).unwrap();
        assert!(slot <= crate::time_scale::scaled(MAX_AHEAD));
        // Garbage in the file is no slot at all.
        std::fs::write(&file, "not a time").unwrap();
        assert_eq!(
            claim(&file, Duration::ZERO, Duration::from_secs(1)).unwrap(),
            Duration::ZERO
        );
    }

    #[cfg(unix)]
    #[test]
    fn the_directory_is_this_users_alone() {
        use std::os::unix::fs::PermissionsExt;
        let dir = budget_dir().expect("a budget directory");
        let mode = std::fs::metadata(&dir).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700);
    }

    #[test]
    fn tenants_share_one_budget_case_insensitively() {
        let cloud = "graph.microsoft.com";
        assert!(Arc::ptr_eq(
            &for_tenant(cloud, "ABC"),
            &for_tenant(cloud, "abc")
        ));
        assert!(!Arc::ptr_eq(
            &for_tenant(cloud, "abc"),
            &for_tenant(cloud, "def")
        ));
        assert!(!Arc::ptr_eq(
            &for_tenant(cloud, "abc"),
            &for_tenant("graph.microsoft.us", "abc")
        ));
    }
}
