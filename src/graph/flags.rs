//! Graph's flags enums on the wire: one string of comma-separated members. Here rather than with
//! one resource because the resources write them and the what-if engine reads them.

/// Graph's flags string for a set of enum members: comma-joined, declaration order.
pub fn join_flags(values: &[&str], order: &[&str]) -> String {
    order
        .iter()
        .filter(|o| values.iter().any(|v| v.eq_ignore_ascii_case(o)))
        .copied()
        .collect::<Vec<_>>()
        .join(",")
}

/// The members of a Graph flags string (`"a, b"` or `"a,b"`).
pub fn split_flags(s: &str) -> Vec<String> {
    s.split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    // Two of Conditional Access's flags enums, as the resource declares them (tests may
    // reach across layers).
    use crate::resources::conditional_access_policy::vocabulary::{GUEST_TYPES, TRANSFER_METHODS};

    #[test]
    fn flags_join_in_declaration_order_whatever_the_input() {
        assert_eq!(
            join_flags(&["serviceProvider", "internalGuest"], GUEST_TYPES),
            "internalGuest,serviceProvider"
        );
        assert_eq!(
            join_flags(
                &["authenticationTransfer", "deviceCodeFlow"],
                TRANSFER_METHODS
            ),
            "deviceCodeFlow,authenticationTransfer"
        );
        assert_eq!(split_flags("minor, elevated"), vec!["minor", "elevated"]);
    }
}
