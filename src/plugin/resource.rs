//! What a provider implements. The gRPC layer (`server.rs`) decodes Terraform's values with the
//! schemas given here, calls these traits, and encodes the answers; implementors only see
//! `Value`s and return `Diagnostics`.

use super::diag::{AttrPath, Diagnostics};
use super::schema::{Schema, Type};
use super::value::Value;
use async_trait::async_trait;

/// What PlanResourceChange gives a resource for a create or an update (never for a destroy).
pub struct PlanRequest<'a> {
    /// Null on create.
    pub prior: &'a Value,
    /// The configuration; may contain unknowns.
    pub config: &'a Value,
    /// Terraform's merge of config and prior state.
    pub proposed: &'a Value,
}

#[derive(Debug)]
pub struct Planned {
    pub state: Value,
    pub requires_replace: Vec<AttrPath>,
}

/// The result of an apply step. `state` is what Graph now holds as far as we know: `None`
/// when nothing exists (failed create, finished delete). Errors with `Some` state make
/// Terraform save that state, so a half-done apply is never lost.
#[derive(Debug)]
pub struct Applied {
    pub state: Option<Value>,
    pub diags: Diagnostics,
    /// New private state for Terraform to keep with the object; `None` keeps what it had.
    pub private: Option<Vec<u8>>,
}

impl Applied {
    pub fn ok(state: Value) -> Applied {
        Applied {
            state: Some(state),
            diags: Diagnostics::default(),
            private: None,
        }
    }

    pub fn gone() -> Applied {
        Applied {
            state: None,
            diags: Diagnostics::default(),
            private: None,
        }
    }

    pub fn failed(state: Option<Value>, diags: Diagnostics) -> Applied {
        Applied {
            state,
            diags,
            private: None,
        }
    }

    /// A write failed with `diags`; `reread` is what the object now holds, read again (`None`:
    /// it does not exist), so the saved state matches it. When even that read failed, the prior
    /// state stays (none for a create).
    pub fn after_failed_write(
        reread: Result<Option<Value>, Diagnostics>,
        prior: &Value,
        mut diags: Diagnostics,
    ) -> Applied {
        match reread {
            Ok(found) => Applied::failed(found, diags),
            Err(d) => {
                diags.extend(d);
                Applied::failed((!prior.is_null()).then(|| prior.clone()), diags)
            }
        }
    }

    /// Adds warnings the user should read although the write succeeded.
    pub fn with_warnings(mut self, warnings: Diagnostics) -> Applied {
        self.diags.extend(warnings);
        self
    }

    pub fn with_private(mut self, private: Vec<u8>) -> Applied {
        self.private = Some(private);
        self
    }
}

/// An imported object: its minimal state and the private state to keep with it.
#[derive(Debug)]
pub struct Imported {
    pub state: Value,
    pub private: Vec<u8>,
}

impl From<Value> for Imported {
    fn from(state: Value) -> Imported {
        Imported {
            state,
            private: Vec::new(),
        }
    }
}

/// A resource of another type, or of another provider, that a `moved` block hands to this
/// type (MoveResourceState). It arrives offline: the provider is not configured.
pub struct MovedFrom<'a> {
    /// As Terraform sends it (`registry.terraform.io/hashicorp/azuread`); OpenTofu before 1.11.12
    /// sends the bare name (`azuread`).
    pub provider: &'a str,
    pub type_name: &'a str,
    pub schema_version: i64,
    /// The source's state, the JSON as stored.
    pub state: &'a serde_json::Value,
}

/// What a refresh found: the object (`None` when it is gone) and any warnings to show.
pub struct Fetched {
    pub state: Option<Value>,
    pub warnings: Diagnostics,
}

impl From<Option<Value>> for Fetched {
    fn from(state: Option<Value>) -> Fetched {
        Fetched {
            state,
            warnings: Diagnostics::default(),
        }
    }
}

#[async_trait]
pub trait Resource: Send + Sync {
    fn type_name(&self) -> &'static str;
    fn schema(&self) -> Schema;

    /// Static checks on the configuration (which may contain unknowns). No Graph calls:
    /// this also runs in a process that was never configured.
    fn validate(&self, config: &Value) -> Diagnostics;

    /// The planned new state for a create or update. Pure.
    fn plan(&self, req: &PlanRequest<'_>) -> Result<Planned, Diagnostics>;

    /// Checks of a planned create or update that need Graph to decide (PlanResourceChange runs
    /// in a configured provider), e.g. which policies a change affects or a tenant limit. Errors
    /// refuse the plan, before anything is written. `prior` is null on create.
    async fn plan_checks(&self, _prior: &Value, _planned: &Value) -> Diagnostics {
        Diagnostics::default()
    }

    /// Checks of a planned destroy that need Graph to decide, e.g. whether something outside
    /// this resource still needs the object. Errors refuse the plan.
    async fn destroy_checks(&self, _prior: &Value) -> Diagnostics {
        Diagnostics::default()
    }

    async fn create(&self, planned: &Value) -> Applied;
    /// A `Fetched` without state means the object is gone. `private` is what the resource
    /// stored with the object (empty if nothing).
    async fn read(&self, state: &Value, private: &[u8]) -> Result<Fetched, Diagnostics>;
    /// `private` is what the resource stored with the object; what the apply returns as
    /// private state (or, if none, `private` itself) is what Terraform keeps.
    async fn update(&self, prior: &Value, planned: &Value, private: &[u8]) -> Applied;
    /// `Applied::gone()` on success; on failure the state that now matches Graph. `private` is
    /// what the resource stored with the object (empty if nothing).
    async fn delete(&self, prior: &Value, private: &[u8]) -> Applied;
    /// A minimal state for the import id; Terraform reads the rest through `read`.
    async fn import(&self, id: &str) -> Result<Imported, Diagnostics>;

    /// The state for a resource moved to this type, computed offline; like an import's, the
    /// next refresh reads the rest. `None` when this type cannot take over that source.
    fn move_from(&self, _from: &MovedFrom<'_>) -> Option<Result<Value, Diagnostics>> {
        None
    }
}

#[async_trait]
pub trait DataSource: Send + Sync {
    fn type_name(&self) -> &'static str;
    fn schema(&self) -> Schema;
    fn validate(&self, config: &Value) -> Diagnostics;
    async fn read(&self, config: &Value) -> Result<Value, Diagnostics>;
}

#[async_trait]
pub trait Provider: Send + Sync + 'static {
    /// The registry type name, `entra`.
    fn type_name(&self) -> &'static str;
    fn schema(&self) -> Schema;
    fn validate(&self, config: &Value) -> Diagnostics;
    async fn configure(&self, config: &Value) -> Diagnostics;
    /// Terraform asked us to stop: cancel in-flight remote work and return soon.
    fn stop(&self);
    fn resources(&self) -> Vec<std::sync::Arc<dyn Resource>>;
    fn data_sources(&self) -> Vec<std::sync::Arc<dyn DataSource>>;
    fn functions(&self) -> Vec<std::sync::Arc<dyn Function>>;
}

/// A provider-defined function (`provider::entra::NAME(...)`, Terraform 1.8 and later).
pub struct Signature {
    pub parameters: Vec<(&'static str, Type, &'static str)>,
    pub returns: Type,
    pub summary: &'static str,
    pub description: &'static str,
}

/// An error from a function call, optionally blaming one argument (0-based).
#[derive(Debug)]
pub struct FunctionError {
    pub text: String,
    pub argument: Option<usize>,
}

pub trait Function: Send + Sync {
    fn name(&self) -> &'static str;
    fn signature(&self) -> Signature;
    /// Arguments arrive decoded with the declared parameter types, never null, but possibly
    /// (partly) unknown at plan time; an unknown result is allowed then.
    fn call(&self, args: &[Value]) -> Result<Value, FunctionError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_write_saves_what_graph_holds_or_else_the_prior_state() {
        let prior = Value::string("before");
        let failed = || Diagnostics::error("write failed", "");
        let held = Applied::after_failed_write(Ok(Some(Value::string("now"))), &prior, failed());
        assert_eq!(held.state, Some(Value::string("now")));
        assert!(held.diags.has_errors());
        let gone = Applied::after_failed_write(Ok(None), &prior, failed());
        assert_eq!(gone.state, None, "deleted meanwhile: nothing to save");
        let unread = Applied::after_failed_write(
            Err(Diagnostics::error("read failed", "")),
            &prior,
            failed(),
        );
        assert_eq!(unread.state, Some(prior.clone()));
        assert_eq!(unread.diags.0.len(), 2, "both errors are shown");
        let create = Applied::after_failed_write(Err(failed()), &Value::Null, failed());
        assert_eq!(create.state, None, "a failed create has no prior state");
    }
}
