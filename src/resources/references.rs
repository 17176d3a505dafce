//! Which Conditional Access policies rely on an object. Deleting something a policy uses is
//! refused by Graph (or, for a strength, silently changes what the policy enforces), so the
//! resources ask first and name the policies. Read through beta, which shows every policy.

use crate::graph::models::PolicyReferences;
use crate::graph::{paths, Api, GraphError};
use crate::resources::connection::Connection;

/// Every policy for which `uses` holds, so that a delete can be refused naming them.
pub async fn policies_using(
    conn: &Connection,
    uses: impl Fn(&PolicyReferences) -> bool,
) -> Result<Vec<PolicyReferences>, GraphError> {
    let client = conn.client().map_err(|d| GraphError::Auth(d.to_string()))?;
    let policies: Vec<PolicyReferences> = client
        .list(Api::Beta, paths::CONDITIONAL_ACCESS_POLICIES)
        .await?;
    Ok(policies.into_iter().filter(|p| uses(p)).collect())
}
