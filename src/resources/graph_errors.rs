//! Graph errors as Terraform diagnostics. The Graph client knows nothing of Terraform, so the
//! conversion lives here, on the side that reports to Terraform: `use` the trait and call
//! `.to_diagnostics(...)` on any `GraphError`.

use crate::graph::GraphError;
use crate::plugin::diag::Diagnostics;

/// Turns an error into what Terraform shows, saying what the provider was doing.
pub trait ToDiagnostics {
    /// A diagnostic whose summary says what we were doing and whose detail is this error.
    fn to_diagnostics(&self, doing: &str) -> Diagnostics;
}

impl ToDiagnostics for GraphError {
    fn to_diagnostics(&self, doing: &str) -> Diagnostics {
        Diagnostics::error(format!("Could not {doing}"), self.to_string())
    }
}
