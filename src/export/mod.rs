//! `terraform-provider-entra export --out DIR`: a tenant's sign-in security as Terraform
//! configuration. It reads every Conditional Access policy, authentication context, named
//! location, custom authentication strength and every directory role whose PIM settings were
//! ever changed, and writes one readable file per type, with `import {}` blocks (Terraform
//! 1.5+) in their own file and a `providers.tf`. The HCL is the state an import would end with,
//! so the first plan shows only imports; ids of exported objects become references, built-in
//! strengths and roles data sources.

mod command;
pub mod hcl;
mod names;

pub use command::main;

use crate::graph::directory_roles::{self, RoleDefinition};
use crate::graph::models::{
    AuthenticationContext, AuthenticationStrengthPolicy, CombinationConfiguration, NamedLocation,
};
use crate::graph::{paths, Api, GraphClient, GraphError};
use crate::plugin::value::Value;
use crate::resources::{
    authentication_context, authentication_strength_policy as strength, conditional_access_policy,
    named_location, role_management_policy,
};
use names::Names;
use serde_json::Value as Json;
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// What Graph holds, as read for an export.
#[derive(Default)]
pub struct Tenant {
    /// Conditional Access policies as beta returns them, every setting included.
    pub policies: Vec<Json>,
    /// Authentication contexts.
    pub contexts: Vec<AuthenticationContext>,
    /// Named locations of every kind, through beta.
    pub locations: Vec<NamedLocation>,
    /// Every strength (built-in ones too, for references), with its configurations.
    pub strengths: Vec<(AuthenticationStrengthPolicy, Vec<CombinationConfiguration>)>,
    /// Role policy assignments with the policy and its rules expanded.
    pub role_policies: Vec<Json>,
    /// Directory role definitions, so that roles are referred to by data source instead of by id.
    pub roles: Vec<RoleDefinition>,
}

/// Reads the tenant, reporting each type's count through `progress`.
pub async fn read(client: &GraphClient, progress: &dyn Fn(&str)) -> Result<Tenant, GraphError> {
    let mut t = Tenant {
        contexts: client.list(Api::V1, paths::AUTHENTICATION_CONTEXTS).await?,
        ..Tenant::default()
    };
    progress(&format!(
        "read {} authentication contexts",
        t.contexts.len()
    ));
    // Through beta, which alone shows service tag, private link and compliant network ones.
    t.locations = client.list(Api::Beta, named_location::COLLECTION).await?;
    progress(&format!("read {} named locations", t.locations.len()));
    let strengths: Vec<AuthenticationStrengthPolicy> =
        client.list(Api::V1, strength::COLLECTION).await?;
    for mut s in strengths {
        let configs = match s.combination_configurations.take() {
            Some(c) => c,
            None if s.policy_type.as_deref() == Some("builtIn") => Vec::new(),
            None => {
                client
                    .list(
                        Api::V1,
                        &format!(
                            "{}/{}/combinationConfigurations",
                            strength::COLLECTION,
                            s.id
                        ),
                    )
                    .await?
            }
        };
        t.strengths.push((s, configs));
    }
    progress(&format!(
        "read {} authentication strengths",
        t.strengths.len()
    ));
    t.policies = client
        .list(Api::Beta, paths::CONDITIONAL_ACCESS_POLICIES)
        .await?;
    progress(&format!(
        "read {} Conditional Access policies",
        t.policies.len()
    ));
    t.role_policies = client
        .list(Api::V1, &role_management_policy::all_roles_path())
        .await?;
    t.roles = directory_roles::all(client).await?;
    progress(&format!(
        "read the PIM settings of {} directory roles",
        t.role_policies.len()
    ));
    Ok(t)
}

/// The files of the export, by name, and a summary of what they hold.
pub struct Export {
    /// Each file's HCL, by file name (`named_locations.tf`).
    pub files: BTreeMap<&'static str, String>,
    /// One count per type (`3 authentication contexts`), for the closing message.
    pub summary: Vec<String>,
}

/// References by the value they replace, per kind.
#[derive(Default)]
struct Refs {
    contexts: HashMap<String, String>,
    locations: HashMap<String, String>,
    strengths: HashMap<String, String>,
    /// Built-in strengths, roles and system locations are looked up by data sources, written
    /// only when used.
    built_in_strengths: HashMap<String, (String, String)>,
    system_locations: HashMap<String, (String, String)>,
    roles: HashMap<String, (String, String)>,
    used_data: RefCell<BTreeSet<(&'static str, String, String)>>,
}

impl Refs {
    fn refer(&self, path: &str, s: &str) -> Option<String> {
        let key = s.to_lowercase();
        let last = path.rsplit('.').next().unwrap_or(path);
        match last {
            "included_authentication_context_class_references"
            | "required_conditional_access_authentication_context" => {
                self.contexts.get(&key).cloned()
            }
            "included_locations" | "excluded_locations" => {
                self.locations.get(&key).cloned().or_else(|| {
                    let (name, display) = self.system_locations.get(&key)?;
                    self.use_data("entra_named_location", name, display);
                    Some(format!("data.entra_named_location.{name}.id"))
                })
            }
            "authentication_strength_policy_id" => {
                let guid = strength::guid_of(s).to_lowercase();
                self.strengths.get(&guid).cloned().or_else(|| {
                    let (name, display) = self.built_in_strengths.get(&guid)?;
                    self.use_data("entra_authentication_strength_policy", name, display);
                    Some(format!(
                        "data.entra_authentication_strength_policy.{name}.id"
                    ))
                })
            }
            "included_roles" | "excluded_roles" | "role_definition_id" => {
                let (name, display) = self.roles.get(&key)?;
                self.use_data("entra_directory_role", name, display);
                Some(format!("data.entra_directory_role.{name}.template_id"))
            }
            _ => None,
        }
    }

    fn use_data(&self, ty: &'static str, name: &str, display: &str) {
        self.used_data
            .borrow_mut()
            .insert((ty, name.to_string(), display.to_string()));
    }
}

/// Objects in a stable order (display name, then id), so names stay the same run after run.
fn sorted<T>(items: &[T], key: impl Fn(&T) -> (String, String)) -> Vec<&T> {
    let mut v: Vec<&T> = items.iter().collect();
    v.sort_by_key(|i| {
        let (name, id) = key(i);
        (name.to_lowercase(), id)
    });
    v
}

/// Terraform names for `items` (already in a stable order), from `display`, unique in a type.
fn named<'t, T>(
    items: Vec<&'t T>,
    display: impl Fn(&T) -> String,
    kind: &str,
) -> Vec<(&'t T, String)> {
    let mut names = Names::default();
    items
        .into_iter()
        .map(|item| {
            let name = names.take(&display(item), kind);
            (item, name)
        })
        .collect()
}

/// A file of resource blocks, one per `(name, state, id, notes)`, and their `import {}`
/// blocks. Notes are written as comments above the block.
fn resources(
    type_name: &str,
    block: &crate::plugin::schema::Block,
    objects: impl IntoIterator<Item = (String, Value, String, Vec<String>)>,
    refer: hcl::Refer<'_>,
    imports: &mut String,
) -> String {
    let mut text = String::new();
    for (name, state, id, notes) in objects {
        for note in notes {
            text.push_str(&format!("# {note}\n"));
        }
        text.push_str(&hcl::render(
            "resource", type_name, &name, block, &state, refer,
        ));
        text.push('\n');
        let to = format!("{type_name}.{name}");
        imports.push_str(&hcl::simple(
            "import",
            &[],
            &[("to", to), ("id", hcl::quote(&id))],
        ));
    }
    text
}

/// Writes the configuration for `tenant`. Pure: everything it needs was read before.
pub fn generate(tenant: &Tenant) -> Export {
    let mut refs = Refs::default();
    let mut files: BTreeMap<&'static str, String> = BTreeMap::new();
    let mut imports = String::new();
    let mut summary = Vec::new();
    let display = |d: &Option<String>| d.clone().unwrap_or_default();

    // Names first: a policy written before a location must already know the location's name.
    let contexts = named(
        sorted(&tenant.contexts, |c| (c.id.clone(), c.id.clone())),
        |c| format!("{} {}", c.id, display(&c.display_name)),
        "context",
    );
    for (c, n) in &contexts {
        refs.contexts.insert(
            c.id.to_lowercase(),
            format!("entra_authentication_context.{n}.context_id"),
        );
    }
    let (locations, skipped_locations): (Vec<&NamedLocation>, Vec<&NamedLocation>) = tenant
        .locations
        .iter()
        .partition(|l| named_location::MANAGED.contains(&named_location::kind(l)));
    // The system compliant network location is read by the data source, not managed.
    let (system_locations, skipped_locations): (Vec<&NamedLocation>, Vec<&NamedLocation>) =
        skipped_locations
            .into_iter()
            .partition(|l| named_location::kind(l) == named_location::Kind::CompliantNetwork);
    for (l, name) in named(
        sorted(&system_locations, |l| {
            (display(&l.display_name), l.id.clone())
        })
        .into_iter()
        .copied()
        .collect(),
        |l| display(&l.display_name),
        "location",
    ) {
        refs.system_locations
            .insert(l.id.to_lowercase(), (name, display(&l.display_name)));
    }
    let locations = named(
        sorted(&locations, |l| (display(&l.display_name), l.id.clone()))
            .into_iter()
            .copied()
            .collect(),
        |l| display(&l.display_name),
        "location",
    );
    for (l, n) in &locations {
        refs.locations
            .insert(l.id.to_lowercase(), format!("entra_named_location.{n}.id"));
    }
    let (built_in, custom): (Vec<_>, Vec<_>) = tenant
        .strengths
        .iter()
        .partition(|(s, _)| s.policy_type.as_deref() == Some("builtIn"));
    let by_name = |(s, _): &&(AuthenticationStrengthPolicy, Vec<CombinationConfiguration>)| {
        (display(&s.display_name), s.id.clone())
    };
    for ((s, _), name) in named(
        sorted(&built_in, by_name),
        |(s, _)| display(&s.display_name),
        "strength",
    ) {
        refs.built_in_strengths
            .insert(s.id.to_lowercase(), (name, display(&s.display_name)));
    }
    let custom = named(
        sorted(&custom, by_name).into_iter().copied().collect(),
        |(s, _)| display(&s.display_name),
        "strength",
    );
    for ((s, _), n) in &custom {
        refs.strengths.insert(
            s.id.to_lowercase(),
            format!("entra_authentication_strength_policy.{n}.id"),
        );
    }
    let roles = sorted(&tenant.roles, |r| {
        (display(&r.display_name), r.template_id.clone())
    });
    for (r, name) in named(roles, |r| display(&r.display_name), "role") {
        refs.roles.insert(
            r.template_id.to_lowercase(),
            (name, display(&r.display_name)),
        );
    }
    let refer = |path: &str, s: &str| refs.refer(path, s);

    let text = resources(
        "entra_authentication_context",
        &authentication_context::schema().block,
        contexts.iter().map(|(c, n)| {
            (
                n.clone(),
                authentication_context::from_graph(c, &Value::Null),
                c.id.clone(),
                vec![],
            )
        }),
        &refer,
        &mut imports,
    );
    summary.push(format!("{} authentication contexts", contexts.len()));
    files.insert("authentication_contexts.tf", text);

    let text = resources(
        "entra_named_location",
        &named_location::schema().block,
        locations.iter().map(|(l, n)| {
            (
                n.clone(),
                named_location::imported_state(l),
                l.id.clone(),
                vec![],
            )
        }),
        &refer,
        &mut imports,
    );
    summary.push(format!(
        "{} named locations{}",
        locations.len(),
        if skipped_locations.is_empty() {
            String::new()
        } else {
            format!(
                " ({} of another kind left out: {})",
                skipped_locations.len(),
                skipped_locations
                    .iter()
                    .map(|l| l.display_name.clone().unwrap_or_else(|| l.id.clone()))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
    ));
    files.insert("named_locations.tf", text);

    let text = resources(
        "entra_authentication_strength_policy",
        &strength::schema().block,
        custom.iter().map(|((s, configs), n)| {
            (
                n.clone(),
                strength::imported_state(s, configs),
                s.id.clone(),
                vec![],
            )
        }),
        &refer,
        &mut imports,
    );
    summary.push(format!("{} custom authentication strengths", custom.len()));
    files.insert("authentication_strengths.tf", text);

    let text_of = |p: &Json, key: &str| p[key].as_str().unwrap_or_default().to_string();
    let policies = named(
        sorted(&tenant.policies, |p| {
            (text_of(p, "displayName"), text_of(p, "id"))
        }),
        |p| text_of(p, "displayName"),
        "policy",
    );
    let text = resources(
        "entra_conditional_access_policy",
        &conditional_access_policy::schema::schema().block,
        policies.iter().map(|(p, n)| {
            (
                n.clone(),
                conditional_access_policy::imported_state(p),
                text_of(p, "id"),
                conditional_access_policy::unmodeled_notes(p),
            )
        }),
        &refer,
        &mut imports,
    );
    summary.push(format!("{} Conditional Access policies", policies.len()));
    files.insert("conditional_access_policies.tf", text);

    // Only roles whose settings were ever changed: Graph stamps lastModifiedDateTime on the
    // first change, and an untouched policy is Microsoft's defaults.
    let role_name = |id: &str| {
        refs.roles
            .get(id)
            .map(|(n, _)| n.clone())
            .unwrap_or_else(|| id.to_string())
    };
    let mut changed: Vec<(String, Value)> = tenant
        .role_policies
        .iter()
        .filter(|a| !a["policy"]["lastModifiedDateTime"].is_null())
        .filter_map(role_management_policy::imported_state)
        .collect();
    changed.sort_by_key(|(role, _)| role_name(role));
    let pim = named(
        changed.iter().collect(),
        |(role, _)| role_name(role),
        "role",
    );
    let text = resources(
        "entra_role_management_policy",
        &role_management_policy::schema::schema().block,
        pim.iter()
            .map(|((role, state), n)| (n.clone(), state.clone(), role.clone(), vec![])),
        &refer,
        &mut imports,
    );
    summary.push(format!(
        "PIM settings of {} directory roles (the {} others have Microsoft's defaults)",
        pim.len(),
        tenant.role_policies.len() - pim.len()
    ));
    files.insert("role_management_policies.tf", text);

    let mut text = String::new();
    for (ty, name, display) in refs.used_data.borrow().iter() {
        text.push_str(&hcl::simple(
            "data",
            &[ty, name],
            &[("display_name", hcl::quote(display))],
        ));
        text.push('\n');
    }
    files.insert("data.tf", text);
    files.insert("imports.tf", imports.replace("}\nimport", "}\n\nimport"));
    files.insert("providers.tf", PROVIDERS.to_string());
    files.retain(|_, text| !text.trim().is_empty());
    Export { files, summary }
}

const PROVIDERS: &str = r#"terraform {
  # import blocks (imports.tf) need Terraform 1.5 or later.
  required_version = ">= 1.5.0"
  required_providers {
    entra = {
      source = "entra-iac/entra"
    }
  }
}

# Signs in as the export did: ARM_TENANT_ID, ARM_CLIENT_ID and a credential (ARM_USE_OIDC,
# ARM_CLIENT_CERTIFICATE_PATH, ARM_CLIENT_SECRET, ARM_USE_MSI or the Azure CLI).
provider "entra" {}
"#;

#[cfg(test)]
mod tests;
