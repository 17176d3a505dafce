//! Request counters behind `GET /_sim/stats`. Only Graph requests count (outer `$batch` and each
//! inner request, each under its route template), so tests and benchmarks can assert how many
//! calls the provider made.

use crate::Locked;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

#[derive(Default)]
pub(crate) struct Stats {
    inner: Mutex<BTreeMap<String, u64>>,
    /// 429 answers sent (rate limit and injected faults): a client that paces itself sees none.
    throttled: AtomicU64,
    /// Injected faults by kind (scripted and random), so a test can tell which failures its
    /// client actually went through.
    faults: Mutex<BTreeMap<&'static str, u64>>,
}

impl Stats {
    /// `key` is `"METHOD /v1.0/path/template"`.
    pub(crate) fn count(&self, key: String) {
        *self.inner.locked().entry(key).or_insert(0) += 1;
    }

    pub(crate) fn count_throttled(&self) {
        self.throttled.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn count_fault(&self, kind: &'static str) {
        *self.faults.locked().entry(kind).or_insert(0) += 1;
    }

    pub(crate) fn reset(&self) {
        self.inner.locked().clear();
        self.throttled.store(0, Ordering::Relaxed);
        self.faults.locked().clear();
    }

    pub(crate) fn to_json(&self) -> Value {
        let map = self.inner.locked();
        let total: u64 = map.values().sum();
        let requests: Map<String, Value> = map.iter().map(|(k, v)| (k.clone(), json!(v))).collect();
        let throttled = self.throttled.load(Ordering::Relaxed);
        let faults: Map<String, Value> = self
            .faults
            .locked()
            .iter()
            .map(|(k, v)| (k.to_string(), json!(v)))
            .collect();
        json!({ "total": total, "requests": requests, "throttled": throttled, "faults": faults })
    }
}
