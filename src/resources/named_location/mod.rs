//! `entra_named_location`: a location that Conditional Access policies include or exclude: IP
//! ranges or countries (azuread's `azuread_named_location` HCL, `ip { ... }` or
//! `country { ... }`), or beta's service tags or private links (`service_tag { ... }`,
//! `private_link { ... }`).
//!
//! Graph tells the kinds apart by `@odata.type`, on the location and on each IP range; the
//! provider writes both, so users never see them. Only beta has the service tag and private
//! link kinds, so they are written through beta; every read goes through beta, which returns
//! every kind. A trusted location cannot be deleted, so destroy untrusts it first, but only
//! after checking that no policy still uses it. Beta's system compliant network location is
//! not managed: the data source reads it.

use crate::graph::ids::{is_guid, MFA_TRUSTED_IPS_ID};
use crate::graph::models::{NamedLocation, PolicyReferences};
use crate::graph::paths;
use crate::graph::GraphClient;
use crate::plugin::diag::{AttrPath, Diagnostics};
use crate::plugin::resource::{Fetched, PlanRequest, Planned};
use crate::plugin::schema::{Attribute, Block, Mode, NestedBlock, Schema, Type};
use crate::plugin::value::Value;
use crate::resources::connection::Connection;
use crate::resources::graph_errors::ToDiagnostics;
use crate::resources::graph_object::{Cx, Failed, GraphObject, GraphObjectResource, Written};
use crate::resources::reconcile::fill_unknowns;
use crate::resources::references::policies_using;
use crate::resources::tenant_objects::{Objects, TenantObjects};

mod convert;
mod kind;
mod ranges;
mod state;
mod validate;

use state::LocationState;

pub use convert::{blocks, from_graph, state_from_graph, to_graph};
use convert::{planned_kind, same_ranges, untrust_body, update_body};
pub use kind::{kind, Kind, MANAGED, WITH_BLOCKS};
use validate::block_path;
#[cfg(test)]
pub(crate) use validate::LOOKUP_METHODS;
pub use validate::{check_cidr, check_country, validate};

/// The name written in HCL (`Resource::type_name`).
pub const TYPE_NAME: &str = "entra_named_location";
/// Where Graph keeps the named locations.
pub const COLLECTION: &str = paths::NAMED_LOCATIONS;
const DEFAULT_LOOKUP: &str = "clientIpAddress";

/// One block per kind, exactly one of them written; `ip` and `country` in azuread's layout.
pub fn schema() -> Schema {
    let trusted = || {
        Attribute::new(
            "trusted",
            Type::Bool,
            Mode::OptionalComputed,
            "Mark the location as trusted. Default `false`.",
        )
        .default_value(Value::Bool(false))
    };
    let one_of = "Exactly one of `ip`, `country`, `service_tag` and `private_link`; changing kind replaces the location.";
    Schema {
        version: 0,
        block: Block {
            attributes: vec![
                Attribute::new("id", Type::String, Mode::Computed, "The object id (a GUID), as Conditional Access policies reference it."),
                Attribute::new("object_id", Type::String, Mode::Computed, "Same as `id`."),
                Attribute::new("display_name", Type::String, Mode::Required, "Name shown in the Conditional Access screens."),
            ],
            block_types: vec![
                NestedBlock::once("ip", vec![
                    Attribute::new("ip_ranges", Type::set(Type::String), Mode::Required, "IPv4 and IPv6 ranges in CIDR notation, prefixes longer than /8, at most 2000. An address range Graph holds from an older tool shows as `lower-upper`."),
                    trusted(),
                ], vec![], &format!("An IP ranges location. {one_of}")),
                NestedBlock::once("country", vec![
                    Attribute::new("countries_and_regions", Type::set(Type::String), Mode::Required, "ISO 3166-1 alpha-2 codes in upper case, e.g. `NL`."),
                    Attribute::new("include_unknown_countries_and_regions", Type::Bool, Mode::OptionalComputed, "Also match sign-ins whose country cannot be determined. Default `false`.").default_value(Value::Bool(false)),
                    Attribute::new("country_lookup_method", Type::String, Mode::OptionalComputed, "`clientIpAddress` (default) or `authenticatorAppGps` (not available in US Government clouds).").default_value(Value::string(DEFAULT_LOOKUP)),
                ], vec![], &format!("A countries and regions location. {one_of}")),
                NestedBlock::once("service_tag", vec![
                    Attribute::new("service_tags", Type::set(Type::String), Mode::Required, "Azure service tags, e.g. `AzureCloud` or `Storage.WestEurope`."),
                    trusted(),
                ], vec![], &format!("A service tags location (Graph beta). {one_of}")),
                NestedBlock::once("private_link", vec![
                    Attribute::new("private_link_resource_policy_ids", Type::set(Type::String), Mode::Required, "Ids of the private link resource policies whose traffic the location matches."),
                    trusted(),
                ], vec![], &format!("A private links location (Graph beta). {one_of}")),
                crate::plugin::timeouts::block(),
            ],
            description: "A named location (IP ranges, countries, service tags or private links) for Conditional Access.".into(),
        },
    }
}

/// GPS lookup through Microsoft Authenticator is not offered in the US Government clouds.
fn gps_unsupported(graph_root: &str) -> bool {
    graph_root
        .trim_end_matches("/.default")
        .trim_end_matches('/')
        .ends_with(".microsoft.us")
}

/// The state an import of `loc` ends with (export writes configuration from it).
pub fn imported_state(loc: &NamedLocation) -> Value {
    state_from_graph(loc, &adopted(&loc.id))
}

fn set(v: &mut Value, key: &str, value: Value) {
    if let Value::Object(m) = v {
        m.insert(key.into(), value);
    }
}

/// Sets `key` in the single element of block `name`, when the block is there.
fn set_in_block(v: &mut Value, name: &str, key: &str, value: Value) {
    if let Value::Object(m) = v {
        if let Some(Value::List(items)) = m.get_mut(name) {
            if let Some(element) = items.first_mut() {
                set(element, key, value);
            }
        }
    }
}

/// An address range (`lower-upper`, see `ranges`) may stay while the ranges stay as Graph
/// holds them, but is never written: refused when the plan sends `ipRanges` (a create, or
/// changed ranges), with the CIDRs to write instead.
fn check_address_ranges(prior: &Value, planned: &Value) -> Result<(), Diagnostics> {
    let cidrs = LocationState::of(planned).ip.unwrap_or_default().ip_ranges;
    let entries: Vec<&str> = cidrs.iter().map(String::as_str).collect();
    let found = ranges::address_ranges(&entries);
    if found.is_empty() || same_ranges(prior, planned) {
        return Ok(());
    }
    let instead: Vec<String> = found.iter().map(|r| ranges::suggestion(r)).collect();
    Err(Diagnostics::attr_error(
        block_path("ip", "ip_ranges"),
        "Address ranges cannot be written",
        format!(
            "Graph named locations take CIDR ranges only. An address range (lower-upper) that Graph already holds can stay while the ranges stay as they are; to create or change the ranges, write it as CIDRs: {}.",
            instead.join("; ")
        ),
    ))
}

/// The planned state beyond what the schema declares (defaults for what the configuration leaves
/// out, so that a change made in the portal is put back; the ids): GPS lookup where the cloud
/// has it, address ranges, and replacement when the kind changes. `graph_root` is the
/// configured Graph endpoint, which tells whether GPS lookup is available.
pub fn plan(req: &PlanRequest<'_>, graph_root: Option<&str>) -> Result<Planned, Diagnostics> {
    let planned = req.proposed.clone();
    let creating = req.prior.is_null();
    let method = LocationState::of(&planned)
        .country
        .and_then(|c| c.country_lookup_method);
    if method.as_deref() == Some("authenticatorAppGps") && graph_root.is_some_and(gps_unsupported) {
        return Err(Diagnostics::attr_error(
            block_path("country", "country_lookup_method"),
            "GPS lookup is not available in this cloud",
            "Microsoft Authenticator GPS location is not supported in the US Government clouds. Use country_lookup_method = \"clientIpAddress\".",
        ));
    }
    check_address_ranges(req.prior, &planned)?;
    let requires_replace = match (planned_kind(req.prior), planned_kind(&planned)) {
        (Some(before), Some(after)) if !creating && before != after => MANAGED
            .iter()
            .filter_map(|k| k.block().map(AttrPath::root))
            .collect(),
        _ => vec![],
    };
    Ok(Planned {
        state: planned,
        requires_replace,
    })
}

/// The GUID in an import id: the GUID itself or azuread's `/identity/conditionalAccess/namedLocations/{id}`.
pub fn guid_of(id: &str) -> &str {
    id.strip_prefix(COLLECTION)
        .and_then(|rest| rest.strip_prefix('/'))
        .unwrap_or(id)
}

fn item_path(id: &str) -> String {
    format!("{COLLECTION}/{id}")
}

/// Graph's limit per tenant (graph-api.md section 4); the system location does not count.
const MAX_LOCATIONS: usize = 195;

/// `entra_named_location`.
pub type NamedLocationResource = GraphObjectResource<NamedLocations>;

/// What is special to named locations (see `GraphObject`). Reads go through the connection's
/// one listing of locations: named locations share Conditional Access's one request per second.
#[derive(Default)]
pub struct NamedLocations;

/// Why the resource does not manage a location of this kind, if it does not.
fn unmanaged(loc: &NamedLocation) -> Option<Diagnostics> {
    let id = &loc.id;
    match kind(loc) {
        Kind::CompliantNetwork => Some(Diagnostics::error(
            format!("Named location {id} is the system compliant network location"),
            format!(
                "\"{}\" is made by Global Secure Access, one per tenant, and Graph neither creates nor deletes it on request, so entra_named_location does not manage it. Read it with the entra_named_location data source (id = \"{id}\") and use that data source's id in policies.",
                loc.display_name.as_deref().unwrap_or("All Compliant Network locations")
            ),
        )),
        Kind::Other => Some(Diagnostics::error(
            format!("Named location {id} is of a kind this provider does not manage"),
            format!(
                "Graph reports it as {}. entra_named_location manages IP ranges, countries, service tags and private links locations; read it with the entra_named_location data source instead.",
                loc.odata_type.as_deref().unwrap_or("an unknown type")
            ),
        )),
        _ => None,
    }
}

fn referenced_error(id: &str, name: &str, users: &[PolicyReferences]) -> Diagnostics {
    let names: Vec<String> = users.iter().map(PolicyReferences::label).collect();
    Diagnostics::error(
        format!("Named location \"{name}\" ({id}) is still used by Conditional Access"),
        format!(
            "Graph does not delete a named location that a policy includes or excludes. Remove {id} from these policies first: {}. Nothing was changed.",
            names.join(", ")
        ),
    )
}

#[async_trait::async_trait]
impl GraphObject for NamedLocations {
    type Model = NamedLocation;
    const TYPE_NAME: &'static str = TYPE_NAME;
    const NOUN: &'static str = "named location";
    const AZUREAD_TYPE: Option<&'static str> = Some("azuread_named_location");
    const LIMIT: Option<(usize, &'static str)> = Some((MAX_LOCATIONS, "named locations"));

    fn schema(&self) -> Schema {
        schema()
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        validate(config)
    }

    fn plan(&self, conn: &Connection, req: &PlanRequest<'_>) -> Result<Planned, Diagnostics> {
        let root = conn.client().ok().map(|c| c.scope());
        plan(req, root.as_deref())
    }

    /// The locations that count against Graph's limit: the kinds this resource manages.
    async fn count(&self, conn: &Connection, client: &GraphClient) -> Option<usize> {
        let all = conn.objects().locations.all(client).await.ok()?;
        let managed = all
            .values()
            .filter(|l| {
                serde_json::from_value::<NamedLocation>((*l).clone())
                    .is_ok_and(|l| MANAGED.contains(&kind(&l)))
            })
            .count();
        Some(managed)
    }

    fn id(&self, state: &Value) -> String {
        LocationState::of(state).id.unwrap_or_default()
    }

    fn listing<'a>(&self, objects: &'a TenantObjects) -> &'a Objects {
        &objects.locations
    }

    fn state_from_graph(&self, loc: &NamedLocation, prior: &Value) -> Value {
        state_from_graph(loc, prior)
    }

    async fn refreshed(
        &self,
        _conn: &Connection,
        loc: &NamedLocation,
        prior: &Value,
    ) -> Result<Fetched, Diagnostics> {
        if let Some(refusal) = unmanaged(loc) {
            return Err(refusal);
        }
        Ok(Fetched {
            state: Some(state_from_graph(loc, prior)),
            warnings: ranges::warning(loc),
        })
    }

    async fn create(&self, cx: &Cx<'_>, planned: &Value) -> Result<Written, Failed> {
        let name = LocationState::of(planned).display_name.unwrap_or_default();
        let what = format!("named location \"{name}\"");
        let api = planned_kind(planned).unwrap_or(Kind::Other).api();
        let created = cx
            .create_once
            .post(cx.client, api, COLLECTION, &to_graph(planned), &what)
            .await
            .map_err(|e| Failed::Unwritten(e.to_diagnostics(&format!("create {what}"))))?;
        cx.conn.objects().locations.created(&created.object).await;
        match serde_json::from_value::<NamedLocation>(created.object.clone()) {
            Ok(loc) => Ok(Written::new(fill_unknowns(planned, &from_graph(&loc)))
                .with_warnings(created.warnings)),
            Err(e) => {
                // It exists: keep its id so the next refresh reads it rather than losing it.
                let id = created.object["id"].as_str().unwrap_or_default();
                Err(Failed::Holds(
                    (!id.is_empty()).then(|| adopted(id)),
                    Diagnostics::error(
                        format!("Could not read Graph's answer to creating {what}"),
                        format!(
                            "Graph created it as {id} but its answer has an unexpected shape: {e}"
                        ),
                    ),
                ))
            }
        }
    }

    async fn update(
        &self,
        cx: &Cx<'_>,
        id: &str,
        prior: &Value,
        planned: &Value,
        _private: &[u8],
    ) -> Result<Written, Failed> {
        let api = planned_kind(planned).unwrap_or(Kind::Other).api();
        match cx
            .client
            .patch(api, &item_path(id), &update_body(prior, planned))
            .await
        {
            Ok(()) => Ok(Written::new(planned.clone())),
            Err(e) => Err(Failed::write(
                id,
                prior,
                e,
                &format!("update named location {id}"),
            )),
        }
    }

    async fn delete(&self, cx: &Cx<'_>, id: &str, prior: &Value) -> Result<Diagnostics, Failed> {
        let typed = LocationState::of(prior);
        let name = typed.display_name.clone().unwrap_or_default();
        // Graph's behaviour when a policy still uses the location is not documented (the portal
        // refuses), and a trusted location must be untrusted before it can be deleted: check for
        // policies first, so that a refused destroy changes nothing.
        match policies_using(cx.conn, |p| p.uses_named_location(id)).await {
            Ok(users) if !users.is_empty() => {
                return Err(Failed::Unwritten(referenced_error(id, &name, &users)))
            }
            Ok(_) => {}
            Err(e) => {
                let doing = format!("check which policies use {id}");
                return Err(Failed::Unwritten(e.to_diagnostics(&doing)));
            }
        }
        let kind = planned_kind(prior).unwrap_or(Kind::Other);
        let block = kind.block().unwrap_or_default();
        let mut state = prior.clone();
        if typed.trusted() == Some(true) {
            set_in_block(&mut state, block, "trusted", Value::Bool(false));
            match cx
                .client
                .patch(kind.api(), &item_path(id), &untrust_body(kind))
                .await
            {
                Ok(()) => {}
                Err(e) if e.is_not_found() => return Ok(Diagnostics::default()),
                Err(e) => {
                    return Err(Failed::write(
                        id,
                        prior,
                        e,
                        &format!("untrust named location {id}"),
                    ))
                }
            }
        }
        cx.delete(kind.api(), &item_path(id))
            .await
            .map(|()| Diagnostics::default())
            .map_err(|e| Failed::write(id, &state, e, &format!("delete named location {id}")))
    }

    fn import_id(&self, id: &str) -> Result<String, Diagnostics> {
        let guid = guid_of(id);
        if guid == MFA_TRUSTED_IPS_ID {
            return Err(Diagnostics::error(
                "The MFA trusted IPs location cannot be managed",
                format!("{MFA_TRUSTED_IPS_ID} is the system location \"Multifactor authentication trusted IPs\", configured in the legacy MFA service settings, not through Graph. Refer to it with the entra_named_location data source (id = \"{MFA_TRUSTED_IPS_ID}\")."),
            ));
        }
        if !is_guid(guid) {
            return Err(Diagnostics::error(
                "Invalid import id",
                format!("{id:?} is not a named location id: use its object id (a GUID), or {COLLECTION}/{{id}}."),
            ));
        }
        Ok(guid.to_string())
    }

    fn adopted(&self, id: &str) -> Value {
        adopted(id)
    }
}

/// The state of an existing location this configuration takes over (import, `moved`): its
/// id, the next refresh reads the rest.
fn adopted(guid: &str) -> Value {
    LocationState {
        id: Some(guid.to_string()),
        object_id: Some(guid.to_string()),
        ..LocationState::default()
    }
    .to_value()
}

#[cfg(test)]
mod tests;
