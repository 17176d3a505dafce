//! Graph collection paths written in more than one place (the resources, the data sources,
//! export, and the rate budget that recognises them), so that each is spelled once.

pub const CONDITIONAL_ACCESS_POLICIES: &str = "/identity/conditionalAccess/policies";
pub const NAMED_LOCATIONS: &str = "/identity/conditionalAccess/namedLocations";
pub const AUTHENTICATION_CONTEXTS: &str =
    "/identity/conditionalAccess/authenticationContextClassReferences";
