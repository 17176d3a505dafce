//! The `tfplugin6.Provider` gRPC service: decodes Terraform's values with our schemas, calls the
//! `Provider`/`Resource`/`DataSource` traits and encodes the answers, enforcing the plan and
//! apply rules Terraform checks (null plan on destroy, wholly known results, and so on).

use super::codec;
use super::diag::{AttrPath, Diagnostic, Diagnostics, Severity, Step};
use super::plan;
use super::proto::tfplugin6 as pb;
use super::resource::{Applied, DataSource, Function, MovedFrom, PlanRequest, Provider, Resource};
use super::schema::{Attribute, AttributeType, Block, Mode, Nesting, Schema};
use super::timeouts;
use super::value::Value;
use crate::deadline;
use crate::log;
use std::collections::HashMap;
use std::sync::Arc;
use tonic::{Request, Response, Status};

/// The `tfplugin6.Provider` service for one provider, with its types looked up by name once.
pub struct ProviderService<P: Provider> {
    provider: Arc<P>,
    resources: HashMap<&'static str, (Schema, Arc<dyn Resource>)>,
    data_sources: HashMap<&'static str, (Schema, Arc<dyn DataSource>)>,
    functions: HashMap<&'static str, Arc<dyn Function>>,
    provider_schema: Schema,
}

impl<P: Provider> ProviderService<P> {
    /// Asks `provider` for its schemas, types and functions, which stay fixed while serving.
    pub fn new(provider: Arc<P>) -> Self {
        let resources = provider
            .resources()
            .into_iter()
            .map(|r| (r.type_name(), (r.schema(), r)))
            .collect();
        let data_sources = provider
            .data_sources()
            .into_iter()
            .map(|d| (d.type_name(), (d.schema(), d)))
            .collect();
        let functions = provider
            .functions()
            .into_iter()
            .map(|f| (f.name(), f))
            .collect();
        let provider_schema = provider.schema();
        ProviderService {
            provider,
            resources,
            data_sources,
            functions,
            provider_schema,
        }
    }

    /// The gRPC server for this service, with tonic's 4 MiB message limits lifted: a large
    /// tenant's state is bigger than that.
    pub fn into_server(self) -> pb::provider_server::ProviderServer<Self> {
        pb::provider_server::ProviderServer::new(self)
            .max_decoding_message_size(usize::MAX)
            .max_encoding_message_size(usize::MAX)
    }

    fn resource(&self, name: &str) -> Result<&(Schema, Arc<dyn Resource>), Status> {
        self.resources
            .get(name)
            .ok_or_else(|| Status::not_found(format!("unknown resource type {name}")))
    }

    fn data_source(&self, name: &str) -> Result<&(Schema, Arc<dyn DataSource>), Status> {
        self.data_sources
            .get(name)
            .ok_or_else(|| Status::not_found(format!("unknown data source type {name}")))
    }

    fn capabilities() -> pb::ServerCapabilities {
        pb::ServerCapabilities {
            plan_destroy: true,
            get_provider_schema_optional: true,
            move_resource_state: true,
            ..Default::default()
        }
    }
}

// ---- value and diagnostic conversion ----------------------------------------------------

fn decode(block: &Block, dv: &Option<pb::DynamicValue>) -> Result<Value, Diagnostics> {
    let Some(dv) = dv else { return Ok(Value::Null) };
    let res = if !dv.msgpack.is_empty() {
        codec::decode_block(block, &dv.msgpack)
    } else if !dv.json.is_empty() {
        codec::decode_json_block(block, &dv.json)
    } else {
        return Ok(Value::Null);
    };
    res.map_err(|e| Diagnostics::error("Could not decode a value from Terraform", e.to_string()))
}

/// A stored state (JSON, written under schema `version`) in the current schema, msgpack-encoded.
/// A state from an older schema goes through the resource's own upgrade first; decoding with
/// the current schema then drops attributes a newer build no longer has. A state of the current
/// version is decoded from the bytes as stored, so no number is re-encoded on the way.
fn upgraded(
    res: &dyn Resource,
    schema: &Schema,
    version: i64,
    json: &[u8],
) -> Result<pb::DynamicValue, Diagnostics> {
    let unreadable = |e: &dyn std::fmt::Display| {
        Diagnostics::error("Could not read the stored state", e.to_string())
    };
    let v = if version < schema.version {
        let stored: serde_json::Value = serde_json::from_slice(json).map_err(|e| unreadable(&e))?;
        let current = res.upgrade_state(version, stored)?;
        let bytes = serde_json::to_vec(&current).map_err(|e| unreadable(&e))?;
        codec::decode_json_block(&schema.block, &bytes)
    } else {
        codec::decode_json_block(&schema.block, json)
    };
    encode(&schema.block, &v.map_err(|e| unreadable(&e))?)
}

fn encode(block: &Block, v: &Value) -> Result<pb::DynamicValue, Diagnostics> {
    codec::encode_block(block, v)
        .map(|msgpack| pb::DynamicValue {
            msgpack,
            json: vec![],
        })
        .map_err(|e| {
            Diagnostics::error(
                "Provider bug: could not encode a value for Terraform",
                e.to_string(),
            )
        })
}

fn path_to_pb(p: &AttrPath) -> pb::AttributePath {
    use pb::attribute_path::step::Selector;
    pb::AttributePath {
        steps: p
            .0
            .iter()
            .map(|s| pb::attribute_path::Step {
                selector: Some(match s {
                    Step::Attr(a) => Selector::AttributeName(a.clone()),
                    Step::Key(k) => Selector::ElementKeyString(k.clone()),
                    Step::Index(i) => Selector::ElementKeyInt(*i),
                }),
            })
            .collect(),
    }
}

fn diag_to_pb(d: &Diagnostic) -> pb::Diagnostic {
    let severity = match d.severity {
        Severity::Error => pb::diagnostic::Severity::Error,
        Severity::Warning => pb::diagnostic::Severity::Warning,
    };
    pb::Diagnostic {
        severity: severity as i32,
        // Whatever a server echoed into a message, no secret the provider knows leaves it.
        summary: log::redact(&d.summary).into_owned(),
        detail: log::redact(&d.detail).into_owned(),
        attribute: d.attribute.as_ref().map(path_to_pb),
    }
}

fn diags_to_pb(d: &Diagnostics) -> Vec<pb::Diagnostic> {
    d.0.iter().map(diag_to_pb).collect()
}

// ---- schema conversion -------------------------------------------------------------------

fn schema_to_pb(s: &Schema) -> pb::Schema {
    pb::Schema {
        version: s.version,
        block: Some(block_to_pb(&s.block)),
    }
}

fn block_to_pb(b: &Block) -> pb::schema::Block {
    pb::schema::Block {
        attributes: b.attributes.iter().map(attribute_to_pb).collect(),
        block_types: b
            .block_types
            .iter()
            .map(|nb| pb::schema::NestedBlock {
                type_name: nb.type_name.clone(),
                block: Some(block_to_pb(&nb.block)),
                nesting: block_nesting(nb.nesting) as i32,
                min_items: nb.min_items,
                max_items: nb.max_items,
            })
            .collect(),
        description: b.description.clone(),
        description_kind: pb::StringKind::Markdown as i32,
        ..Default::default()
    }
}

fn block_nesting(n: Nesting) -> pb::schema::nested_block::NestingMode {
    use pb::schema::nested_block::NestingMode as M;
    match n {
        Nesting::Single => M::Single,
        Nesting::Group => M::Group,
        Nesting::List => M::List,
        Nesting::Set => M::Set,
        Nesting::Map => M::Map,
    }
}

fn attribute_to_pb(a: &Attribute) -> pb::schema::Attribute {
    // A nested attribute must leave `type` empty: Terraform rejects (or, in 1.0.x, panics on)
    // an attribute that sets both.
    let (ty, nested_type) = match &a.ty {
        AttributeType::Plain(t) => (codec::type_json(t), None),
        AttributeType::Nested {
            nesting,
            attributes,
        } => {
            use pb::schema::object::NestingMode as M;
            let nesting = match nesting {
                Nesting::Single | Nesting::Group => M::Single,
                Nesting::List => M::List,
                Nesting::Set => M::Set,
                Nesting::Map => M::Map,
            };
            let object = pb::schema::Object {
                attributes: attributes.iter().map(attribute_to_pb).collect(),
                nesting: nesting as i32,
                ..Default::default()
            };
            (vec![], Some(object))
        }
    };
    pb::schema::Attribute {
        name: a.name.clone(),
        r#type: ty,
        nested_type,
        description: a.description.clone(),
        required: a.mode == Mode::Required,
        optional: matches!(a.mode, Mode::Optional | Mode::OptionalComputed),
        computed: matches!(a.mode, Mode::Computed | Mode::OptionalComputed),
        sensitive: a.sensitive,
        description_kind: pb::StringKind::Markdown as i32,
        ..Default::default()
    }
}

fn function_to_pb(f: &dyn Function) -> pb::Function {
    let sig = f.signature();
    pb::Function {
        parameters: sig
            .parameters
            .iter()
            .map(|(name, ty, desc)| pb::function::Parameter {
                name: name.to_string(),
                r#type: codec::type_json(ty),
                description: desc.to_string(),
                description_kind: pb::StringKind::Markdown as i32,
                // So that checks run at plan time too, when new objects' ids are still unknown.
                allow_unknown_values: true,
                allow_null_value: false,
            })
            .collect(),
        r#return: Some(pb::function::Return {
            r#type: codec::type_json(&sig.returns),
        }),
        summary: sig.summary.to_string(),
        description: sig.description.to_string(),
        description_kind: pb::StringKind::Markdown as i32,
        ..Default::default()
    }
}

fn function_error(text: String, argument: Option<usize>) -> pb::call_function::Response {
    pb::call_function::Response {
        result: None,
        error: Some(pb::FunctionError {
            text,
            function_argument: argument.map(|a| a as i64),
        }),
    }
}

fn applied_response(
    block: &Block,
    applied: Applied,
    private: Vec<u8>,
) -> pb::apply_resource_change::Response {
    let mut diags = applied.diags;
    let private = applied.private.unwrap_or(private);
    let new_state = match applied.state {
        // Terraform rejects unknowns in an applied state; a resource that returns one has a bug,
        // and the state must still be saved, so unknowns become null with an error.
        Some(v) if !v.is_wholly_known() => {
            diags.push_error(
                "Provider bug: unknown value after apply",
                "The provider returned a value that is still unknown after apply.",
            );
            None
        }
        Some(v) => match encode(block, &v) {
            Ok(dv) => Some(dv),
            Err(d) => {
                diags.extend(d);
                None
            }
        },
        None => None,
    };
    pb::apply_resource_change::Response {
        new_state,
        private,
        diagnostics: diags_to_pb(&diags),
        ..Default::default()
    }
}

#[tonic::async_trait]
impl<P: Provider> pb::provider_server::Provider for ProviderService<P> {
    async fn get_metadata(
        &self,
        _: Request<pb::get_metadata::Request>,
    ) -> Result<Response<pb::get_metadata::Response>, Status> {
        Ok(Response::new(pb::get_metadata::Response {
            server_capabilities: Some(Self::capabilities()),
            resources: self
                .resources
                .keys()
                .map(|n| pb::get_metadata::ResourceMetadata {
                    type_name: n.to_string(),
                })
                .collect(),
            data_sources: self
                .data_sources
                .keys()
                .map(|n| pb::get_metadata::DataSourceMetadata {
                    type_name: n.to_string(),
                })
                .collect(),
            functions: self
                .functions
                .keys()
                .map(|n| pb::get_metadata::FunctionMetadata {
                    name: n.to_string(),
                })
                .collect(),
            ..Default::default()
        }))
    }

    async fn get_provider_schema(
        &self,
        _: Request<pb::get_provider_schema::Request>,
    ) -> Result<Response<pb::get_provider_schema::Response>, Status> {
        Ok(Response::new(pb::get_provider_schema::Response {
            provider: Some(schema_to_pb(&self.provider_schema)),
            resource_schemas: self
                .resources
                .iter()
                .map(|(n, (s, _))| (n.to_string(), schema_to_pb(s)))
                .collect(),
            data_source_schemas: self
                .data_sources
                .iter()
                .map(|(n, (s, _))| (n.to_string(), schema_to_pb(s)))
                .collect(),
            functions: self
                .functions
                .iter()
                .map(|(n, f)| (n.to_string(), function_to_pb(f.as_ref())))
                .collect(),
            server_capabilities: Some(Self::capabilities()),
            ..Default::default()
        }))
    }

    async fn get_functions(
        &self,
        _: Request<pb::get_functions::Request>,
    ) -> Result<Response<pb::get_functions::Response>, Status> {
        Ok(Response::new(pb::get_functions::Response {
            functions: self
                .functions
                .iter()
                .map(|(n, f)| (n.to_string(), function_to_pb(f.as_ref())))
                .collect(),
            ..Default::default()
        }))
    }

    async fn call_function(
        &self,
        req: Request<pb::call_function::Request>,
    ) -> Result<Response<pb::call_function::Response>, Status> {
        let req = req.into_inner();
        let Some(f) = self.functions.get(req.name.as_str()) else {
            return Ok(Response::new(function_error(
                format!("unknown function {}", req.name),
                None,
            )));
        };
        let sig = f.signature();
        // Terraform checks the count against the schema, but a client that does not must get
        // an error, not a function reading past the arguments it was given.
        if let Some(text) = arity_error(&req.name, &sig, req.arguments.len()) {
            return Ok(Response::new(function_error(text, None)));
        }
        let mut args = Vec::new();
        for (i, ((name, ty, _), dv)) in sig.parameters.iter().zip(&req.arguments).enumerate() {
            match codec::decode_type(ty, &dv.msgpack) {
                Ok(v) => args.push(v),
                Err(e) => {
                    return Ok(Response::new(function_error(
                        format!("argument {name}: {e}"),
                        Some(i),
                    )))
                }
            }
        }
        let out = match f.call(&args) {
            Ok(v) => match codec::encode_type(&sig.returns, &v) {
                Ok(msgpack) => pb::call_function::Response {
                    result: Some(pb::DynamicValue {
                        msgpack,
                        json: vec![],
                    }),
                    error: None,
                },
                Err(e) => function_error(
                    format!("provider bug: could not encode the result: {e}"),
                    None,
                ),
            },
            Err(e) => function_error(e.text, e.argument),
        };
        Ok(Response::new(out))
    }

    async fn get_resource_identity_schemas(
        &self,
        _: Request<pb::get_resource_identity_schemas::Request>,
    ) -> Result<Response<pb::get_resource_identity_schemas::Response>, Status> {
        // We offer no resource identities (yet); an empty answer is valid for every client.
        Ok(Response::new(Default::default()))
    }

    async fn validate_provider_config(
        &self,
        req: Request<pb::validate_provider_config::Request>,
    ) -> Result<Response<pb::validate_provider_config::Response>, Status> {
        let req = req.into_inner();
        let diags = match decode(&self.provider_schema.block, &req.config) {
            Ok(config) => self.provider.validate(&config),
            Err(d) => d,
        };
        Ok(Response::new(pb::validate_provider_config::Response {
            diagnostics: diags_to_pb(&diags),
        }))
    }

    async fn validate_resource_config(
        &self,
        req: Request<pb::validate_resource_config::Request>,
    ) -> Result<Response<pb::validate_resource_config::Response>, Status> {
        let req = req.into_inner();
        let (schema, res) = self.resource(&req.type_name)?;
        let diags = match decode(&schema.block, &req.config) {
            Ok(config) => {
                let mut d = res.validate(&config);
                if timeouts::offered(&schema.block) {
                    d.extend(timeouts::validate(&config));
                }
                d
            }
            Err(d) => d,
        };
        Ok(Response::new(pb::validate_resource_config::Response {
            diagnostics: diags_to_pb(&diags),
        }))
    }

    async fn validate_data_resource_config(
        &self,
        req: Request<pb::validate_data_resource_config::Request>,
    ) -> Result<Response<pb::validate_data_resource_config::Response>, Status> {
        let req = req.into_inner();
        let (schema, ds) = self.data_source(&req.type_name)?;
        let diags = match decode(&schema.block, &req.config) {
            Ok(config) => ds.validate(&config),
            Err(d) => d,
        };
        Ok(Response::new(pb::validate_data_resource_config::Response {
            diagnostics: diags_to_pb(&diags),
        }))
    }

    async fn upgrade_resource_state(
        &self,
        req: Request<pb::upgrade_resource_state::Request>,
    ) -> Result<Response<pb::upgrade_resource_state::Response>, Status> {
        let req = req.into_inner();
        let (schema, res) = self.resource(&req.type_name)?;
        let json = req.raw_state.map(|r| r.json).unwrap_or_default();
        let result = upgraded(res.as_ref(), schema, req.version, &json);
        let (upgraded_state, diags) = match result {
            Ok(dv) => (Some(dv), Diagnostics::default()),
            Err(d) => (None, d),
        };
        Ok(Response::new(pb::upgrade_resource_state::Response {
            upgraded_state,
            diagnostics: diags_to_pb(&diags),
        }))
    }

    async fn configure_provider(
        &self,
        req: Request<pb::configure_provider::Request>,
    ) -> Result<Response<pb::configure_provider::Response>, Status> {
        let req = req.into_inner();
        let diags = match decode(&self.provider_schema.block, &req.config) {
            Ok(config) => self.provider.configure(&config).await,
            Err(d) => d,
        };
        Ok(Response::new(pb::configure_provider::Response {
            diagnostics: diags_to_pb(&diags),
        }))
    }

    async fn read_resource(
        &self,
        req: Request<pb::read_resource::Request>,
    ) -> Result<Response<pb::read_resource::Response>, Status> {
        let req = req.into_inner();
        let (schema, res) = self.resource(&req.type_name)?;
        let mut out = pb::read_resource::Response {
            private: req.private.clone(),
            ..Default::default()
        };
        let result = match decode(&schema.block, &req.current_state) {
            Ok(state) => {
                let limit = timeouts::limit(&state, "read");
                deadline::within(limit, res.read(&state, &req.private))
                    .await
                    .map(|mut fetched| {
                        if let Some(new) = fetched.state.as_mut() {
                            if timeouts::offered(&schema.block) {
                                timeouts::carry(new, &state);
                            }
                        }
                        fetched
                    })
            }
            Err(d) => Err(d),
        };
        match result {
            // On an error Terraform keeps the prior state, so we must not answer "gone".
            Err(d) => {
                out.new_state = req.current_state;
                out.diagnostics = diags_to_pb(&d);
            }
            Ok(fetched) => {
                out.diagnostics = diags_to_pb(&fetched.warnings);
                match fetched.state.map(|v| encode(&schema.block, &v)) {
                    None => out.new_state = None,
                    Some(Ok(dv)) => out.new_state = Some(dv),
                    Some(Err(d)) => {
                        out.new_state = req.current_state;
                        out.diagnostics.extend(diags_to_pb(&d));
                    }
                }
            }
        }
        Ok(Response::new(out))
    }

    async fn plan_resource_change(
        &self,
        req: Request<pb::plan_resource_change::Request>,
    ) -> Result<Response<pb::plan_resource_change::Response>, Status> {
        let req = req.into_inner();
        let (schema, res) = self.resource(&req.type_name)?;
        let mut out = pb::plan_resource_change::Response {
            planned_private: req.prior_private.clone(),
            ..Default::default()
        };
        let decoded = (|| {
            Ok::<_, Diagnostics>((
                decode(&schema.block, &req.prior_state)?,
                decode(&schema.block, &req.config)?,
                decode(&schema.block, &req.proposed_new_state)?,
            ))
        })();
        let (prior, config, proposed) = match decoded {
            Ok(v) => v,
            Err(d) => {
                out.diagnostics = diags_to_pb(&d);
                return Ok(Response::new(out));
            }
        };
        // A destroy plan must be null: only whether it may go ahead is to decide.
        if proposed.is_null() {
            if !prior.is_null() {
                out.diagnostics = diags_to_pb(&res.destroy_checks(&prior).await);
            }
            return Ok(Response::new(out));
        }
        // The resource plans as if the timeouts were unchanged (they change nothing remote);
        // the plan then carries them as configured.
        let with_timeouts = timeouts::offered(&schema.block);
        let mut seen = proposed.clone();
        if with_timeouts && !prior.is_null() {
            timeouts::carry(&mut seen, &prior);
        }
        let request = PlanRequest {
            prior: &prior,
            config: &config,
            proposed: &seen,
        };
        let planned =
            plan::with_schema(&schema.block, &request, |req| res.plan(req)).map(|mut p| {
                if with_timeouts {
                    timeouts::carry(&mut p.state, &proposed);
                }
                p
            });
        let planned = match planned {
            Ok(p) => p,
            Err(d) => {
                out.diagnostics = diags_to_pb(&d);
                return Ok(Response::new(out));
            }
        };
        match encode(&schema.block, &planned.state) {
            Ok(state) => {
                out.planned_state = Some(state);
                out.requires_replace = planned.requires_replace.iter().map(path_to_pb).collect();
                out.diagnostics = diags_to_pb(&res.plan_checks(&prior, &planned.state).await);
            }
            Err(d) => out.diagnostics = diags_to_pb(&d),
        }
        Ok(Response::new(out))
    }

    async fn apply_resource_change(
        &self,
        req: Request<pb::apply_resource_change::Request>,
    ) -> Result<Response<pb::apply_resource_change::Response>, Status> {
        let req = req.into_inner();
        let (schema, res) = self.resource(&req.type_name)?;
        let private = req.planned_private.clone();
        let decoded = (|| {
            Ok::<_, Diagnostics>((
                decode(&schema.block, &req.prior_state)?,
                decode(&schema.block, &req.planned_state)?,
            ))
        })();
        let (prior, planned) = match decoded {
            Ok(v) => v,
            Err(d) => {
                return Ok(Response::new(applied_response(
                    &schema.block,
                    Applied::failed(None, d),
                    private,
                )))
            }
        };
        let with_timeouts = timeouts::offered(&schema.block);
        let mut applied = if planned.is_null() {
            log::info("deleting", &[("type", res.type_name())]);
            let limit = timeouts::limit(&prior, "delete");
            deadline::within(limit, res.delete(&prior, &req.planned_private)).await
        } else if prior.is_null() {
            log::info("creating", &[("type", res.type_name())]);
            let limit = timeouts::limit(&planned, "create");
            deadline::within(limit, res.create(&planned)).await
        } else if with_timeouts && timeouts::only_difference(&prior, &planned) {
            // Only the time limits changed: nothing to write.
            Applied::ok(planned.clone())
        } else {
            log::info("updating", &[("type", res.type_name())]);
            let limit = timeouts::limit(&planned, "update");
            deadline::within(limit, res.update(&prior, &planned, &req.planned_private)).await
        };
        if with_timeouts && !planned.is_null() {
            if let Some(state) = applied.state.as_mut() {
                timeouts::carry(state, &planned);
            }
        }
        Ok(Response::new(applied_response(
            &schema.block,
            applied,
            private,
        )))
    }

    async fn import_resource_state(
        &self,
        req: Request<pb::import_resource_state::Request>,
    ) -> Result<Response<pb::import_resource_state::Response>, Status> {
        let req = req.into_inner();
        let (schema, res) = self.resource(&req.type_name)?;
        let result = res
            .import(&req.id)
            .await
            .and_then(|i| Ok((encode(&schema.block, &i.state)?, i.private)));
        let mut out = pb::import_resource_state::Response::default();
        match result {
            Ok((state, private)) => {
                out.imported_resources
                    .push(pb::import_resource_state::ImportedResource {
                        type_name: req.type_name.clone(),
                        state: Some(state),
                        private,
                        ..Default::default()
                    })
            }
            Err(d) => out.diagnostics = diags_to_pb(&d),
        }
        Ok(Response::new(out))
    }

    async fn move_resource_state(
        &self,
        req: Request<pb::move_resource_state::Request>,
    ) -> Result<Response<pb::move_resource_state::Response>, Status> {
        let req = req.into_inner();
        let (schema, res) = self.resource(&req.target_type_name)?;
        // Only the JSON form is sent; `source_identity` is ignored (its message type changed
        // between protocol 6.9 and 6.10).
        let json = req.source_state.map(|r| r.json).unwrap_or_default();
        let result = serde_json::from_slice::<serde_json::Value>(&json)
            .map_err(|e| Diagnostics::error("Could not read the moved resource's state", e.to_string()))
            .and_then(|state| {
                let from = MovedFrom {
                    provider: &req.source_provider_address,
                    type_name: &req.source_type_name,
                    schema_version: req.source_schema_version,
                    state: &state,
                };
                res.move_from(&from).unwrap_or_else(|| {
                    Err(Diagnostics::error(
                        format!("{} cannot take over {}", req.target_type_name, req.source_type_name),
                        format!(
                            "A moved block can hand {} only resources it knows how to read; {} of provider {} is not one of them. Use a removed block and an import block instead.",
                            req.target_type_name, req.source_type_name, req.source_provider_address
                        ),
                    ))
                })
            })
            .and_then(|v| encode(&schema.block, &v));
        let mut out = pb::move_resource_state::Response::default();
        match result {
            Ok(state) => out.target_state = Some(state),
            Err(d) => out.diagnostics = diags_to_pb(&d),
        }
        Ok(Response::new(out))
    }

    async fn read_data_source(
        &self,
        req: Request<pb::read_data_source::Request>,
    ) -> Result<Response<pb::read_data_source::Response>, Status> {
        let req = req.into_inner();
        let (schema, ds) = self.data_source(&req.type_name)?;
        let result = match decode(&schema.block, &req.config) {
            Ok(config) => ds.read(&config).await,
            Err(d) => Err(d),
        };
        let mut out = pb::read_data_source::Response::default();
        match result.and_then(|v| encode(&schema.block, &v)) {
            Ok(state) => out.state = Some(state),
            Err(d) => out.diagnostics = diags_to_pb(&d),
        }
        Ok(Response::new(out))
    }

    async fn stop_provider(
        &self,
        _: Request<pb::stop_provider::Request>,
    ) -> Result<Response<pb::stop_provider::Response>, Status> {
        log::info("stop requested: cancelling in-flight Graph requests", &[]);
        self.provider.stop();
        Ok(Response::new(pb::stop_provider::Response::default()))
    }
}

/// Why a call with `given` arguments cannot be made, if it cannot (no function is variadic).
fn arity_error(name: &str, sig: &super::resource::Signature, given: usize) -> Option<String> {
    let want = sig.parameters.len();
    (given != want).then(|| format!("{name} takes {want} arguments, not {given}"))
}

/// Every gRPC service a provider process serves: the provider itself and go-plugin's
/// controller, stdio and broker. (The health service is added by `serve`.)
pub fn routes<P: Provider>(
    provider: Arc<P>,
    shutdown: tokio_util::sync::CancellationToken,
) -> tonic::service::Routes {
    use super::goplugin::{Broker, Controller, Stdio};
    use super::proto::goplugin as gp;
    tonic::service::Routes::new(ProviderService::new(provider).into_server())
        .add_service(gp::grpc_controller_server::GrpcControllerServer::new(
            Controller {
                shutdown: shutdown.clone(),
            },
        ))
        .add_service(gp::grpc_stdio_server::GrpcStdioServer::new(Stdio {
            shutdown: shutdown.clone(),
        }))
        .add_service(gp::grpc_broker_server::GrpcBrokerServer::new(Broker {
            shutdown,
        }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plugin::resource::{Fetched, Imported, Planned, Signature};
    use crate::plugin::schema::Type;

    #[test]
    fn a_call_with_too_few_or_too_many_arguments_is_an_error() {
        let sig = Signature {
            parameters: vec![
                ("policies", Type::String, ""),
                ("sign_in", Type::String, ""),
            ],
            returns: Type::String,
            summary: "",
            description: "",
        };
        assert_eq!(arity_error("what_if", &sig, 2), None);
        assert_eq!(
            arity_error("what_if", &sig, 1).as_deref(),
            Some("what_if takes 2 arguments, not 1")
        );
        assert!(arity_error("what_if", &sig, 3).is_some());
        assert!(arity_error("what_if", &sig, 0).is_some());
    }

    /// A type whose schema went from version 0 (`name`) to 1 (`display_name`).
    struct Renamed;

    #[async_trait::async_trait]
    impl Resource for Renamed {
        fn type_name(&self) -> &'static str {
            "test_renamed"
        }
        fn schema(&self) -> Schema {
            Schema {
                version: 1,
                block: Block {
                    attributes: vec![Attribute::new(
                        "display_name",
                        Type::String,
                        Mode::Required,
                        "",
                    )],
                    block_types: vec![],
                    description: String::new(),
                },
            }
        }
        fn validate(&self, _: &Value) -> Diagnostics {
            Diagnostics::default()
        }
        fn plan(&self, _: &PlanRequest<'_>) -> Result<Planned, Diagnostics> {
            Err(Diagnostics::default())
        }
        async fn create(&self, _: &Value) -> Applied {
            Applied::gone()
        }
        async fn read(&self, _: &Value, _: &[u8]) -> Result<Fetched, Diagnostics> {
            Ok(None.into())
        }
        async fn update(&self, _: &Value, _: &Value, _: &[u8]) -> Applied {
            Applied::gone()
        }
        async fn delete(&self, _: &Value, _: &[u8]) -> Applied {
            Applied::gone()
        }
        async fn import(&self, _: &str) -> Result<Imported, Diagnostics> {
            Err(Diagnostics::default())
        }
        fn upgrade_state(
            &self,
            version: i64,
            mut state: serde_json::Value,
        ) -> Result<serde_json::Value, Diagnostics> {
            assert_eq!(version, 0);
            let name = state["name"].take();
            Ok(serde_json::json!({ "display_name": name }))
        }
    }

    #[test]
    fn an_older_state_goes_through_the_types_upgrade_and_a_current_one_as_stored() {
        let schema = Renamed.schema();
        let decoded = |dv: pb::DynamicValue| decode(&schema.block, &Some(dv)).unwrap();
        let old = upgraded(&Renamed, &schema, 0, br#"{"name":"Block legacy"}"#).unwrap();
        assert_eq!(
            decoded(old).get("display_name").as_str(),
            Some("Block legacy")
        );
        // The current version is not the type's to touch (its upgrade asserts version 0), and an
        // attribute the schema no longer has is dropped.
        let now = upgraded(&Renamed, &schema, 1, br#"{"display_name":"x","gone":1}"#).unwrap();
        assert_eq!(
            decoded(now),
            Value::object([("display_name", Value::string("x"))])
        );
        let broken = upgraded(&Renamed, &schema, 0, b"{").unwrap_err();
        assert!(broken
            .to_string()
            .contains("Could not read the stored state"));
    }
}
