//! Terraform names for exported objects, from their display names: lower case, words joined by
//! `_`, at most 64 characters, unique within a type (`_2`, `_3`, ... in the order objects are
//! named, which the caller keeps stable).

use std::collections::HashSet;

const MAX: usize = 64;

/// The names already given within one type.
#[derive(Default)]
pub(crate) struct Names {
    taken: HashSet<String>,
}

impl Names {
    /// A new name for `display`; `kind` stands in when the display name has no letters or
    /// digits, and leads a name that would otherwise start with a digit.
    pub(crate) fn take(&mut self, display: &str, kind: &str) -> String {
        let mut base = slug(display);
        if base.is_empty() {
            base = kind.to_string();
        } else if base.starts_with(|c: char| c.is_ascii_digit()) {
            base = format!("{kind}_{base}");
        }
        base.truncate(MAX);
        let base = base.trim_end_matches('_').to_string();
        let mut name = base.clone();
        let mut n = 2;
        while !self.taken.insert(name.clone()) {
            name = format!("{base}_{n}");
            n += 1;
        }
        name
    }
}

fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('_') {
            out.push('_');
        }
    }
    out.trim_end_matches('_').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_become_stable_unique_terraform_names() {
        let mut n = Names::default();
        assert_eq!(
            n.take(
                "CA301-Internals-BaseProtection-AnyApp-AnyPlatform-MFA",
                "policy"
            ),
            "ca301_internals_baseprotection_anyapp_anyplatform_mfa"
        );
        assert_eq!(n.take("Block legacy auth", "policy"), "block_legacy_auth");
        assert_eq!(
            n.take("Block: legacy auth!", "policy"),
            "block_legacy_auth_2"
        );
        assert_eq!(n.take("Block legacy auth", "policy"), "block_legacy_auth_3");
        assert_eq!(n.take("001 — Admins", "policy"), "policy_001_admins");
        assert_eq!(n.take("日本", "policy"), "policy");
        assert_eq!(n.take("", "policy"), "policy_2");
        let long = n.take(&"x".repeat(100), "policy");
        assert_eq!(long.len(), 64);
    }
}
