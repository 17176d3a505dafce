//! Graph's per-tenant limits (195 Conditional Access policies, 195 named locations, 15 custom
//! authentication strengths: graph-api.md sections 2.1, 4 and 5), counted across the whole
//! plan. Terraform plans every resource of a configuration in one provider process, so the
//! creates planned so far count against the limit together with what the tenant holds: the plan
//! fails before anything is written, instead of an apply that creates some and fails the rest.

use crate::plugin::diag::Diagnostics;
use std::collections::HashSet;
use std::sync::Mutex;

/// One of Graph's per-tenant limits, shared by every plan of the type in this process.
pub struct Limit {
    max: usize,
    /// "Conditional Access policies", for messages.
    plural: &'static str,
    /// Display names of the creates this process has planned and not yet made. Terraform may
    /// plan one resource more than once in a process; by name, it counts once. (Two new objects
    /// of the same name in one configuration then count as one: Graph allows duplicate names,
    /// configurations rarely have them.)
    planned: Mutex<HashSet<String>>,
}

impl Limit {
    /// A limit of `max` objects; `plural` names them in messages.
    pub fn new(max: usize, plural: &'static str) -> Limit {
        Limit {
            max,
            plural,
            planned: Mutex::new(HashSet::new()),
        }
    }

    fn planned(&self) -> std::sync::MutexGuard<'_, HashSet<String>> {
        self.planned.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Counts the planned create of `name` and checks it against the limit, given the number
    /// the tenant holds now (including what this process has created).
    pub fn plan_create(&self, name: &str, existing: usize) -> Diagnostics {
        let mut planned = self.planned();
        planned.insert(name.to_string());
        let total = existing + planned.len();
        let mut d = Diagnostics::default();
        if total > self.max {
            let others = planned.len() - 1;
            d.push_error(
                format!("The tenant has no room for all the {} this plan creates", self.plural),
                format!(
                    "It holds {existing} and Graph allows {}; this plan creates \"{name}\"{}. Remove or merge {} before adding more, or create fewer in this configuration.",
                    self.max,
                    if others == 0 { String::new() } else { format!(" and {others} more") },
                    self.plural
                ),
            );
        }
        d
    }

    /// The planned create of `name` is done (made or failed): the tenant's own count has it
    /// from now on, or it never came to be.
    pub fn done(&self, name: &str) {
        self.planned().remove(name);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn creates_planned_together_count_against_the_limit() {
        let limit = Limit::new(5, "things");
        assert!(limit.plan_create("a", 3).is_empty());
        assert!(limit.plan_create("b", 3).is_empty());
        assert!(
            limit.plan_create("b", 3).is_empty(),
            "planned twice, counted once"
        );
        let d = limit.plan_create("c", 3);
        assert!(d.has_errors());
        assert!(d.to_string().contains("\"c\" and 2 more"), "{d}");
        // Once a create is made the tenant's count has it.
        limit.done("a");
        assert!(limit.plan_create("d", 4).has_errors(), "4 + b, c, d");
        limit.done("c");
        assert!(limit.plan_create("d", 3).is_empty(), "3 + b, d");
    }
}
