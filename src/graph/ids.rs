//! Object ids as Graph writes them, and the well-known ones. Here rather than with one
//! resource because the data sources, the provider block and the what-if engine check them too.

/// The system location "Multifactor authentication trusted IPs": usable in policies, not readable.
pub const MFA_TRUSTED_IPS_ID: &str = "00000000-0000-0000-0000-000000000000";

/// Whether `s` has a GUID's shape (8-4-4-4-12 hex digits, either case), as every object id
/// does: a malformed id is refused at plan instead of by Graph.
pub fn is_guid(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    let lens = [8, 4, 4, 4, 12];
    parts.len() == 5
        && parts
            .iter()
            .zip(lens)
            .all(|(p, n)| p.len() == n && p.chars().all(|c| c.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guids() {
        assert!(is_guid("d4ebce55-015a-49b5-a083-c84d1797ae8c"));
        assert!(is_guid("D4EBCE55-015A-49B5-A083-C84D1797AE8C"));
        assert!(!is_guid("d4ebce55-015a-49b5-a083-c84d1797ae8"));
        assert!(!is_guid("not-a-guid"));
    }
}
