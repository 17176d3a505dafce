//! Acceptance tests: the five scenarios, every resource's registry example and the export round
//! trip, each through its whole life (apply, clean plan, Graph holds it, drift made in Graph
//! and caught, apply puts it back, import into a second workspace plans clean, destroy leaves
//! nothing), against any Graph tenant. They reach the tenant only as a user would: through the
//! provider's ordinary settings and Graph's public API; never the simulator's own endpoints.
//! `scripts/acceptance.sh` runs them against the simulator binary started as a separate
//! process, or, with `ENTRA_ACCEPTANCE=1`, against a development tenant (docs/testing.md).
//! They run one at a time: tests share the tenant's rate limit and PIM roles.

mod common;

use common::tenant::{Tenant, Workspace};
use common::{terraform_binaries, terraform_binaries_since, Tf};
use serde_json::{json, Value as Json};
use std::path::Path;

/// Object ids the examples and scenarios use for a user and groups of their made-up tenant;
/// the tests put the tenant's own in their place.
const EXAMPLE_USER: &str = "6b1f0e2a-3c4d-4e5f-8a9b-0c1d2e3f4a5b";
const EXAMPLE_GROUPS: [&str; 2] = [
    "5d3f2a1b-8c7e-4f6a-9b0d-1e2f3a4b5c6d",
    "2f6d0a3b-5d0e-4a55-9a3c-6f1f2c7d8e9f",
];

fn example(path: &str) -> String {
    let path = format!("{}/examples/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// A configuration written for any tenant, made this run's own: the run's prefix before every
/// display name a resource sets (not those a data source looks up), a context id the tenant
/// has free, and the tenant's user and group in place of the made-up ones.
fn adapt(tenant: &Tenant, hcl: &str) -> String {
    let mut in_resource = false;
    let mut context: Option<String> = None;
    let mut out = String::new();
    for line in hcl.lines() {
        if !line.starts_with(' ') && !line.starts_with('}') && !line.trim().is_empty() {
            in_resource = line.starts_with("resource ");
        }
        let key = line.trim_start();
        let line = if in_resource && key.starts_with("display_name") {
            line.replacen("= \"", &format!("= \"{}", tenant.prefix), 1)
        } else if key.starts_with("context_id") && key.contains("= \"c") {
            let id = context.get_or_insert_with(|| tenant.free_context_id());
            let (head, _) = line.split_once('"').unwrap();
            format!("{head}\"{id}\"")
        } else {
            line.to_string()
        };
        out.push_str(&line);
        out.push('\n');
    }
    let mut out = out.replace(EXAMPLE_USER, &tenant.user_id);
    for group in EXAMPLE_GROUPS {
        out = out.replace(group, &tenant.group_id);
    }
    out
}

/// A managed resource of the state: its address, type and attributes.
struct Managed {
    address: String,
    kind: String,
    values: Json,
}

impl Managed {
    fn attr(&self, name: &str) -> String {
        let v = self.values[name].as_str().unwrap_or_default();
        // Some ids are Graph paths (azuread's form); the object's id ends them.
        v.rsplit('/').next().unwrap().to_string()
    }

    /// Where Graph holds the object (for PIM settings: the rule the drift changes).
    fn graph_path(&self) -> String {
        match self.kind.as_str() {
            "entra_conditional_access_policy" => {
                format!(
                    "/beta/identity/conditionalAccess/policies/{}",
                    self.attr("id")
                )
            }
            "entra_named_location" => format!(
                "/v1.0/identity/conditionalAccess/namedLocations/{}",
                self.attr("id")
            ),
            "entra_authentication_strength_policy" => format!(
                "/v1.0/policies/authenticationStrengthPolicies/{}",
                self.attr("id")
            ),
            "entra_authentication_context" => format!(
                "/v1.0/identity/conditionalAccess/authenticationContextClassReferences/{}",
                self.attr("id")
            ),
            "entra_role_management_policy" => format!(
                "/v1.0/policies/roleManagementPolicies/{}/rules/Expiration_EndUser_Assignment",
                self.attr("policy_id")
            ),
            other => panic!("no Graph path known for {other}"),
        }
    }

    fn import_id(&self) -> String {
        match self.kind.as_str() {
            "entra_role_management_policy" => self.attr("role_definition_id"),
            _ => self.attr("id"),
        }
    }

    fn is_pim(&self) -> bool {
        self.kind == "entra_role_management_policy"
    }
}

fn managed(tf: &Tf) -> Vec<Managed> {
    let show: Json = serde_json::from_str(&tf.ok(&["show", "-json"]).stdout).unwrap();
    show["values"]["root_module"]["resources"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|r| r["mode"] == "managed")
        .map(|r| Managed {
            address: r["address"].as_str().unwrap().to_string(),
            kind: r["type"].as_str().unwrap().to_string(),
            values: r["values"].clone(),
        })
        .collect()
}

/// What an administrator changes in the portal: an activation length for PIM settings, the
/// display name for everything else.
fn change_in_graph(tenant: &Tenant, object: &Managed) {
    let path = object.graph_path();
    let (status, now) = tenant.graph_until(&path, |s, _| s == 200);
    assert_eq!(status, 200, "{path}: {now}");
    // The property changed and its new value.
    let (key, value) = if object.is_pim() {
        let shorter = if now["maximumDuration"] == "PT1H" {
            "PT2H"
        } else {
            "PT1H"
        };
        ("maximumDuration", json!(shorter))
    } else {
        let name = format!(
            "{} (changed in the portal)",
            now["displayName"].as_str().unwrap()
        );
        ("displayName", json!(name))
    };
    let patch = if object.is_pim() {
        // A rule is written whole.
        let mut rule = now.clone();
        rule[key] = value.clone();
        rule
    } else {
        let mut patch = json!({ key: value });
        if let Some(kind) = now.get("@odata.type") {
            // Named locations: Graph wants the type with every change.
            patch["@odata.type"] = kind.clone();
        }
        patch
    };
    let changed = |b: &Json| b[key] == value;
    let (status, body) = tenant.graph("PATCH", &path, Some(&patch));
    assert!(
        status == 204 || status == 200,
        "PATCH {path}: {status} {body}"
    );
    let (_, seen) = tenant.graph_until(&path, |s, b| s == 200 && changed(b));
    assert!(changed(&seen), "{path} does not show the change: {seen}");
}

/// What Graph holds of the objects and of the roles' PIM settings, to see that nothing wrote.
fn snapshot(tenant: &Tenant, objects: &[Managed], roles: &[(String, Json)]) -> Vec<Json> {
    let objects = objects
        .iter()
        .filter(|o| !o.is_pim())
        .map(|o| tenant.graph("GET", &o.graph_path(), None).1);
    let roles = roles.iter().map(|(role, _)| pim_rules(tenant, role));
    objects.chain(roles).collect()
}

/// The PIM rules of a directory role, in a stable order.
fn pim_rules(tenant: &Tenant, role_id: &str) -> Json {
    let path = format!(
        "/v1.0/policies/roleManagementPolicyAssignments?$filter=scopeId%20eq%20'/'%20and%20scopeType%20eq%20'DirectoryRole'%20and%20roleDefinitionId%20eq%20'{role_id}'&$expand=policy($expand=rules)"
    );
    let (status, body) = tenant.graph("GET", &path, None);
    assert_eq!(status, 200, "{path}: {body}");
    let mut rules = body["value"][0]["policy"]["rules"].clone();
    if let Some(list) = rules.as_array_mut() {
        list.sort_by_key(|r| r["id"].as_str().unwrap_or_default().to_string());
    }
    rules
}

/// The configuration's whole life on the tenant with one Terraform; `hcl` is already adapted.
fn whole_life(tenant: &Tenant, bin: &Path, hcl: &str) {
    let ws = tenant.workspace(bin);
    ws.tf.raw_config(hcl);
    // PIM settings are never created or deleted, only changed and put back: what the roles
    // hold before the apply is what they must hold after the destroy.
    let roles: Vec<(String, Json)> = pim_roles(&ws)
        .into_iter()
        .map(|role| {
            let rules = pim_rules(tenant, &role);
            (role, rules)
        })
        .collect();

    ws.apply();
    ws.assert_clean_plan();
    let objects = managed(&ws);
    assert!(!objects.is_empty(), "the configuration manages nothing");
    for o in &objects {
        let (status, body) = tenant.graph_until(&o.graph_path(), |s, _| s == 200);
        assert_eq!(status, 200, "{} is not in Graph: {body}", o.address);
        if let Some(name) = body["displayName"].as_str() {
            assert!(name.starts_with(&tenant.prefix), "{}: {name}", o.address);
        }
    }

    // Changed in the portal: the drift check names every object, the apply puts it back.
    for o in &objects {
        change_in_graph(tenant, o);
    }
    let drift = ws.assert_drift();
    for o in &objects {
        assert!(
            drift.stdout.contains(&o.address),
            "drift of {} not reported:\n{}",
            o.address,
            drift.stdout
        );
    }
    ws.apply();
    ws.assert_clean_plan();
    for o in objects.iter().filter(|o| !o.is_pim()) {
        let (_, body) = tenant.graph("GET", &o.graph_path(), None);
        let name = body["displayName"].as_str().unwrap_or_default();
        assert!(
            !name.ends_with("(changed in the portal)"),
            "{}: {name}",
            o.address
        );
    }

    // The same configuration in a second workspace takes the objects over by import alone:
    // its first plan changes nothing but PIM blocks the configuration leaves out (documented),
    // applying that writes nothing, and the plan after it is clean.
    let other = tenant.import_workspace(bin);
    other.tf.raw_config(hcl);
    for o in &objects {
        other.ok(&[
            "import",
            "-no-color",
            "-input=false",
            &o.address,
            &o.import_id(),
        ]);
    }
    assert_no_resource_changes(&other, ONE_TIME_PLAN_AFTER_IMPORT);
    let held = snapshot(tenant, &objects, &roles);
    other.apply();
    assert_eq!(
        snapshot(tenant, &objects, &roles),
        held,
        "the apply after the imports changed Graph"
    );
    other.assert_clean_plan();
    drop(other);

    ws.destroy();
    for o in objects.iter().filter(|o| !o.is_pim()) {
        let (status, body) = tenant.graph_until(&o.graph_path(), |s, _| s == 404);
        assert_eq!(status, 404, "{} is still in Graph: {body}", o.address);
    }
    for (role, before) in &roles {
        assert_eq!(
            &pim_rules(tenant, role),
            before,
            "the destroy did not put back the PIM settings of role {role}"
        );
    }
    tenant.assert_nothing_left();
}

/// Resources whose documentation says the first plan after an import may show blocks the
/// configuration leaves out as removed, and that applying it writes nothing to Graph.
const ONE_TIME_PLAN_AFTER_IMPORT: &[&str] = &["entra_role_management_policy"];

/// A plan that changes no resource but those of the `except` types. Outputs may still be new
/// to a state made by imports.
fn assert_no_resource_changes(tf: &Tf, except: &[&str]) {
    tf.ok(&["plan", "-out=imported.tfplan", "-input=false", "-no-color"]);
    let plan: Json =
        serde_json::from_str(&tf.ok(&["show", "-json", "imported.tfplan"]).stdout).unwrap();
    for change in plan["resource_changes"]
        .as_array()
        .cloned()
        .unwrap_or_default()
    {
        let actions = &change["change"]["actions"];
        let excepted = except.iter().any(|t| change["type"] == *t) && *actions == json!(["update"]);
        assert!(
            excepted || *actions == json!(["no-op"]) || *actions == json!(["read"]),
            "after the imports, {} plans {actions}: {}",
            change["address"],
            tf.ok(&["show", "-no-color", "imported.tfplan"]).stdout
        );
    }
}

/// The roles whose PIM settings a configuration manages: those its directory role data
/// sources find (every example and scenario names its role that way).
fn pim_roles(ws: &Workspace) -> Vec<String> {
    let text = std::fs::read_to_string(ws.tf.dir.path().join("main.tf")).unwrap();
    if !text.contains("resource \"entra_role_management_policy\"") {
        return Vec::new();
    }
    // Read the data sources once, without writing anything: a refresh-only plan of an empty
    // state applies nothing and stores what they read.
    ws.ok(&[
        "apply",
        "-refresh-only",
        "-auto-approve",
        "-no-color",
        "-input=false",
    ]);
    let show: Json = serde_json::from_str(&ws.ok(&["show", "-json"]).stdout).unwrap();
    let roles: Vec<String> = show["values"]["root_module"]["resources"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .filter(|r| r["type"] == "entra_directory_role")
        .filter_map(|r| r["values"]["template_id"].as_str().map(str::to_string))
        .collect();
    assert!(!roles.is_empty(), "PIM settings of which role?\n{text}");
    roles
}

/// Registry examples are resource blocks alone; the provider's blocks go before them.
fn with_provider(examples: &[&str]) -> String {
    let mut hcl = format!("{}\nprovider \"entra\" {{}}\n", common::PROVIDER_HEADER);
    for path in examples {
        hcl.push_str(&example(path));
    }
    hcl
}

fn run_example(path: &str) {
    let tenant = Tenant::from_environment();
    for bin in terraform_binaries() {
        whole_life(&tenant, &bin, &adapt(&tenant, &with_provider(&[path])));
    }
}

/// A scenario is a whole root module, as users keep it.
fn run_scenario(dir: &str) {
    let tenant = Tenant::from_environment();
    for bin in terraform_binaries() {
        let hcl = example(&format!("scenarios/{dir}/main.tf"));
        whole_life(&tenant, &bin, &adapt(&tenant, &hcl));
    }
}

#[test]
fn scenario_s1_reauth_register_security_info() {
    run_scenario("s1-reauth-register-security-info");
}

#[test]
fn scenario_s2_register_security_info_trusted_locations_or_mfa() {
    run_scenario("s2-register-security-info-trusted-locations-or-mfa");
}

#[test]
fn scenario_s3_guests_register_from_trusted_locations_only() {
    run_scenario("s3-guests-register-from-trusted-locations-only");
}

#[test]
fn scenario_s4_block_registration_under_risk() {
    run_scenario("s4-block-registration-under-risk");
}

#[test]
fn scenario_s5_pim_activation_sign_in_every_time() {
    run_scenario("s5-pim-activation-sign-in-every-time");
}

#[test]
fn resource_conditional_access_policy() {
    run_example("resources/entra_conditional_access_policy/resource.tf");
}

#[test]
fn resource_named_location() {
    run_example("resources/entra_named_location/resource.tf");
}

#[test]
fn resource_authentication_context() {
    run_example("resources/entra_authentication_context/resource.tf");
}

#[test]
fn resource_authentication_strength_policy() {
    run_example("resources/entra_authentication_strength_policy/resource.tf");
}

#[test]
fn resource_role_management_policy() {
    run_example("resources/entra_role_management_policy/resource.tf");
}

/// The tenant exported holds this run's objects among its own: the export plans as imports
/// alone, applies without a write (imports change nothing in Graph) and then plans clean. The
/// exported workspace is never destroyed: it holds the tenant's own objects too.
#[test]
fn export_round_trip() {
    let tenant = Tenant::from_environment();
    for bin in terraform_binaries_since((1, 5)) {
        let ws = tenant.workspace(&bin);
        ws.tf.raw_config(&adapt(
            &tenant,
            &with_provider(&[
                "resources/entra_named_location/resource.tf",
                "resources/entra_authentication_context/resource.tf",
                "resources/entra_authentication_strength_policy/resource.tf",
                "resources/entra_conditional_access_policy/resource.tf",
            ]),
        ));
        ws.apply();
        let ours: Vec<String> = managed(&ws)
            .iter()
            .map(|o| o.values["display_name"].as_str().unwrap().to_string())
            .collect();

        // The export lists the tenant, and Graph lists new objects only after replicating
        // them: wait until each collection shows what the apply made, as a user would.
        for object in managed(&ws) {
            let collection = match object.kind.as_str() {
                "entra_named_location" => "/beta/identity/conditionalAccess/namedLocations",
                "entra_authentication_context" => {
                    "/v1.0/identity/conditionalAccess/authenticationContextClassReferences"
                }
                "entra_authentication_strength_policy" => {
                    "/v1.0/policies/authenticationStrengthPolicies"
                }
                _ => "/beta/identity/conditionalAccess/policies",
            };
            let name = object.values["display_name"].clone();
            tenant.graph_until(collection, |status, body| {
                status == 200
                    && body["value"]
                        .as_array()
                        .is_some_and(|all| all.iter().any(|o| o["displayName"] == name))
            });
        }
        let exported = tenant.import_workspace(&bin);
        let dir = exported.tf.dir.path().to_str().unwrap().to_string();
        let (code, text) = tenant.provider_command(&["export", "--out", &dir]);
        assert_eq!(code, 0, "export failed:\n{text}");
        let hcl: String = std::fs::read_dir(&dir)
            .unwrap()
            .map(|f| f.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "tf"))
            .map(|p| std::fs::read_to_string(p).unwrap())
            .collect();
        for name in &ours {
            assert!(
                hcl.contains(&format!("\"{name}\"")),
                "{name} is not exported"
            );
        }
        let plan = exported.plan_code(&[]);
        assert_eq!(plan.code, 2, "{}", plan.text());
        assert!(
            plan.stdout
                .contains("to import, 0 to add, 0 to change, 0 to destroy"),
            "the export must plan as imports alone:\n{}",
            plan.stdout
        );
        exported.apply();
        exported.assert_clean_plan();
        drop(exported);

        ws.destroy();
        tenant.assert_nothing_left();
    }
}
