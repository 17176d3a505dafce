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

/// What a resource's `plan` answers for a create or an update.
#[derive(Debug)]
pub struct Planned {
    /// The new state as far as it is known before the apply; unknown where Graph decides.
    pub state: Value,
    /// The changed attributes that Graph cannot update in place, so Terraform plans a replacement.
    pub requires_replace: Vec<AttrPath>,
}

/// The result of an apply step. `state` is what Graph now holds as far as we know: `None`
/// when nothing exists (failed create, finished delete). Errors with `Some` state make
/// Terraform save that state, so a half-done apply is never lost.
#[derive(Debug)]
pub struct Applied {
    /// What Terraform saves; `None` removes the object from the state.
    pub state: Option<Value>,
    /// Errors fail the apply (the state is saved all the same); warnings are only shown.
    pub diags: Diagnostics,
    /// New private state for Terraform to keep with the object; `None` keeps what it had.
    pub private: Option<Vec<u8>>,
}

impl Applied {
    /// A write that succeeded and left `state`.
    pub fn ok(state: Value) -> Applied {
        Applied {
            state: Some(state),
            diags: Diagnostics::default(),
            private: None,
        }
    }

    /// A delete that succeeded: nothing left to keep.
    pub fn gone() -> Applied {
        Applied {
            state: None,
            diags: Diagnostics::default(),
            private: None,
        }
    }

    /// A write that failed with `diags`, leaving `state` behind (`None`: nothing exists).
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

    /// Replaces the private state Terraform keeps with the object.
    pub fn with_private(mut self, private: Vec<u8>) -> Applied {
        self.private = Some(private);
        self
    }
}

/// An imported object: its minimal state and the private state to keep with it.
#[derive(Debug)]
pub struct Imported {
    /// The state Terraform's following read starts from.
    pub state: Value,
    /// Empty when the resource keeps nothing of its own.
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
    /// The source's resource type, `azuread_conditional_access_policy` say.
    pub type_name: &'a str,
    /// The schema version the source's state was written with.
    pub schema_version: i64,
    /// The source's state, the JSON as stored.
    pub state: &'a serde_json::Value,
}

/// What a refresh found: the object (`None` when it is gone) and any warnings to show.
pub struct Fetched {
    /// `None` when the object is gone, so Terraform plans to create it again.
    pub state: Option<Value>,
    /// Shown after the refresh, which still succeeds.
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

/// A managed resource type (`entra_...`): what the plugin layer calls for each of Terraform's
/// resource RPCs.
#[async_trait]
pub trait Resource: Send + Sync {
    /// The name used in HCL, `entra_named_location` say.
    fn type_name(&self) -> &'static str;
    /// The attributes and blocks Terraform checks the configuration and the state against.
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

    /// Creates the object `planned` describes; on failure the state Graph now holds, if any.
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

    /// A state stored under an older `version` of the schema, as the JSON Terraform kept,
    /// rewritten into the current schema's shape (attributes renamed, split, re-encoded).
    /// Only a type whose `Schema::version` went up needs it; by default the stored JSON is
    /// read as it is, which drops attributes the schema no longer has.
    fn upgrade_state(
        &self,
        _version: i64,
        state: serde_json::Value,
    ) -> Result<serde_json::Value, Diagnostics> {
        Ok(state)
    }

    /// The state for a resource moved to this type, computed offline; like an import's, the
    /// next refresh reads the rest. `None` when this type cannot take over that source.
    fn move_from(&self, _from: &MovedFrom<'_>) -> Option<Result<Value, Diagnostics>> {
        None
    }
}

/// A data source type: read-only, no state of its own between runs.
#[async_trait]
pub trait DataSource: Send + Sync {
    /// The name used in HCL, `entra_directory_role` say.
    fn type_name(&self) -> &'static str;
    /// The arguments it takes and the attributes it exports.
    fn schema(&self) -> Schema;
    /// Static checks on the configuration (which may contain unknowns); no Graph calls.
    fn validate(&self, config: &Value) -> Diagnostics;
    /// The configuration with every exported attribute filled in.
    async fn read(&self, config: &Value) -> Result<Value, Diagnostics>;
}

/// What the plugin layer serves: the provider block and every type and function it offers.
#[async_trait]
pub trait Provider: Send + Sync + 'static {
    /// The registry type name, `entra`.
    fn type_name(&self) -> &'static str;
    /// The schema of the `provider` block.
    fn schema(&self) -> Schema;
    /// Static checks on the provider block (which may contain unknowns); nothing is signed in.
    fn validate(&self, config: &Value) -> Diagnostics;
    /// Takes the provider block every later operation runs with; errors stop Terraform there.
    async fn configure(&self, config: &Value) -> Diagnostics;
    /// Terraform asked us to stop: cancel in-flight remote work and return soon.
    fn stop(&self);
    /// Every managed resource type, asked once when the service is built.
    fn resources(&self) -> Vec<std::sync::Arc<dyn Resource>>;
    /// Every data source type, asked once when the service is built.
    fn data_sources(&self) -> Vec<std::sync::Arc<dyn DataSource>>;
    /// Every provider-defined function, asked once when the service is built.
    fn functions(&self) -> Vec<std::sync::Arc<dyn Function>>;
}

/// A provider-defined function (`provider::entra::NAME(...)`, Terraform 1.8 and later).
pub struct Signature {
    /// Name, type and description of each parameter, in call order.
    pub parameters: Vec<(&'static str, Type, &'static str)>,
    /// The type of the result.
    pub returns: Type,
    /// One line on what it does; `description` says the rest.
    pub summary: &'static str,
    /// What it does and how, in Markdown.
    pub description: &'static str,
}

/// An error from a function call, optionally blaming one argument (0-based).
#[derive(Debug)]
pub struct FunctionError {
    /// What Terraform shows the user.
    pub text: String,
    /// The argument at fault, so Terraform points at it; `None` for the call as a whole.
    pub argument: Option<usize>,
}

/// A provider-defined function: pure, called at plan and apply with values from the configuration.
pub trait Function: Send + Sync {
    /// The name after `provider::entra::`.
    fn name(&self) -> &'static str;
    /// Its parameters and result, which Terraform checks calls against.
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
