//! Graph collection paths written in more than one place (the resources, the data sources,
//! export, and the rate budget that recognises them), so that each is spelled once.

/// Conditional Access policies.
pub const CONDITIONAL_ACCESS_POLICIES: &str = "/identity/conditionalAccess/policies";
/// Named locations (IP ranges and countries).
pub const NAMED_LOCATIONS: &str = "/identity/conditionalAccess/namedLocations";
/// Authentication contexts, which Graph calls class references.
pub const AUTHENTICATION_CONTEXTS: &str =
    "/identity/conditionalAccess/authenticationContextClassReferences";
