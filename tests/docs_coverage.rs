//! The registry documentation names everything a user can write or read: every attribute and
//! every nested block of every resource and data source, at every depth, appears in its page as
//! `` `name` ``, and every provider argument appears in `docs/index.md`. A field added to a schema
//! without documentation fails here, with the list of what is missing and where.

use std::path::{Path, PathBuf};
use terraform_provider_entra::plugin::schema::{AttributeType, Block, Schema};
use terraform_provider_entra::provider::{config, Connection};
use terraform_provider_entra::{data_sources, resources};

fn docs() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("docs")
}

fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_string()
    } else {
        format!("{prefix}.{name}")
    }
}

/// Every attribute, nested attribute and nested block under `block`, as (name, dotted path).
fn names(block: &Block, prefix: &str, out: &mut Vec<(String, String)>) {
    for a in &block.attributes {
        let path = join(prefix, &a.name);
        out.push((a.name.clone(), path.clone()));
        if let AttributeType::Nested { attributes, .. } = &a.ty {
            let nested = Block {
                attributes: attributes.clone(),
                ..Default::default()
            };
            names(&nested, &path, out);
        }
    }
    for nb in &block.block_types {
        let path = join(prefix, &nb.type_name);
        out.push((nb.type_name.clone(), path.clone()));
        names(&nb.block, &path, out);
    }
}

/// The paths whose name the page does not mention in backticks.
fn missing(page: &str, schema: &Schema) -> Vec<String> {
    let mut all = Vec::new();
    names(&schema.block, "", &mut all);
    all.into_iter()
        .filter(|(name, _)| !page.contains(&format!("`{name}`")))
        .map(|(_, path)| path)
        .collect()
}

/// Attributes the page's reference sections describe (`- `name` (Type...` lines under
/// `## Argument Reference` / `## Attributes Reference` and their subsections) that the schema
/// does not have at any depth: documentation of a field that was renamed or removed.
fn stale(page: &str, schema: &Schema) -> Vec<String> {
    let mut all = Vec::new();
    names(&schema.block, "", &mut all);
    let mut in_reference = false;
    let mut out = Vec::new();
    for line in page.lines() {
        if let Some(heading) = line.strip_prefix("## ") {
            in_reference = heading.contains("Reference") || heading.contains("Schema");
            continue;
        }
        let documented = line
            .strip_prefix("- `")
            .and_then(|rest| rest.split_once("` ("))
            .map(|(name, _)| name);
        if let (true, Some(name)) = (in_reference, documented) {
            if !all.iter().any(|(n, _)| n == name) {
                out.push(name.to_string());
            }
        }
    }
    out
}

/// Provider arguments docs/index.md describes (rows of the argument table, which name an
/// environment variable, and `- `name` (Type...` lines) that the provider schema lacks.
fn stale_arguments(page: &str, schema: &Schema) -> Vec<String> {
    let mut all = Vec::new();
    names(&schema.block, "", &mut all);
    page.lines()
        .filter_map(|line| {
            let line = line.trim_start();
            if let Some(rest) = line.strip_prefix("- `") {
                return rest.split_once("` (").map(|(n, _)| n);
            }
            let mut cells = line.strip_prefix("| `")?.split('|');
            let name = cells.next()?.trim().trim_end_matches('`');
            let env = cells.next()?;
            (env.contains("`ARM_") || env.contains("`ENTRA_")).then_some(name)
        })
        .filter(|name| !all.iter().any(|(n, _)| n == name))
        .map(str::to_string)
        .collect()
}

/// Checks one page; the problems found, if any, as one line each.
fn check_page(kind: &str, type_name: &str, schema: &Schema, dir: &str) -> Vec<String> {
    let Some(short) = type_name.strip_prefix("entra_") else {
        return vec![format!(
            "{kind} {type_name}: type name does not start with \"entra_\""
        )];
    };
    let file = docs().join(dir).join(format!("{short}.md"));
    let shown = format!("docs/{dir}/{short}.md");
    let page = match std::fs::read_to_string(&file) {
        Ok(p) => p,
        Err(e) => return vec![format!("{kind} {type_name}: cannot read {shown}: {e}")],
    };
    let mut problems = Vec::new();
    if !page.contains(type_name) {
        problems.push(format!(
            "{kind} {type_name}: {shown} never names the type itself"
        ));
    }
    let gaps = missing(&page, schema);
    if !gaps.is_empty() {
        problems.push(format!(
            "{kind} {type_name}: {shown} does not mention (as `name`): {}",
            gaps.join(", ")
        ));
    }
    let extra = stale(&page, schema);
    if !extra.is_empty() {
        problems.push(format!(
            "{kind} {type_name}: {shown} documents attributes the schema does not have: {}",
            extra.join(", ")
        ));
    }
    problems
}

fn report(problems: Vec<String>) {
    assert!(
        problems.is_empty(),
        "documentation gaps:\n  {}",
        problems.join("\n  ")
    );
}

#[test]
fn every_resource_page_documents_every_attribute_and_block() {
    let all = resources::all(&Connection::default());
    assert!(!all.is_empty(), "the provider lists no resources");
    let problems = all
        .iter()
        .flat_map(|r| check_page("resource", r.type_name(), &r.schema(), "resources"))
        .collect();
    report(problems);
}

#[test]
fn every_data_source_page_documents_every_attribute_and_block() {
    let all = data_sources::all(&Connection::default());
    assert!(!all.is_empty(), "the provider lists no data sources");
    let problems = all
        .iter()
        .flat_map(|d| check_page("data source", d.type_name(), &d.schema(), "data-sources"))
        .collect();
    report(problems);
}

#[test]
fn the_index_documents_every_provider_argument() {
    let file = docs().join("index.md");
    let page =
        std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("cannot read docs/index.md: {e}"));
    let gaps = missing(&page, &config::schema());
    let extra = stale_arguments(&page, &config::schema());
    let mut problems = Vec::new();
    if !gaps.is_empty() {
        problems.push(format!(
            "provider: docs/index.md does not mention (as `name`): {}",
            gaps.join(", ")
        ));
    }
    if !extra.is_empty() {
        problems.push(format!(
            "provider: docs/index.md documents arguments the schema does not have: {}",
            extra.join(", ")
        ));
    }
    report(problems);
}

#[test]
fn the_index_lists_every_resource_and_data_source() {
    let page = std::fs::read_to_string(docs().join("index.md"))
        .unwrap_or_else(|e| panic!("cannot read docs/index.md: {e}"));
    let conn = Connection::default();
    let types: Vec<&str> = resources::all(&conn)
        .iter()
        .map(|r| r.type_name())
        .chain(data_sources::all(&conn).iter().map(|d| d.type_name()))
        .collect();
    let gaps: Vec<&str> = types
        .into_iter()
        .filter(|t| !page.contains(&format!("`{t}`")))
        .collect();
    report(if gaps.is_empty() {
        vec![]
    } else {
        vec![format!(
            "provider: docs/index.md does not list: {}",
            gaps.join(", ")
        )]
    });
}

/// The checker itself: nested blocks and nested attributes are found at every depth.
#[test]
fn a_documented_attribute_the_schema_lacks_is_caught() {
    let schema = resources::named_location::schema();
    let page = "## Argument Reference\n\n- `display_name` (String, Required) x\n- `trusted_ip_ranges` (Set of String) y\n\n## Behaviour\n\n- `not_checked` (here) z\n";
    assert_eq!(stale(page, &schema), vec!["trusted_ip_ranges"]);
    let index = "| `tenant_id` | `ARM_TENANT_ID` | | x |\n| `use_magic` | `ARM_USE_MAGIC` | | y |\n- `emergency_access` (Block) z\n";
    assert_eq!(stale_arguments(index, &config::schema()), vec!["use_magic"]);
}

#[test]
fn the_checker_walks_every_depth() {
    use terraform_provider_entra::plugin::schema::{Attribute, Mode, NestedBlock, Nesting, Type};
    let inner = Block {
        attributes: vec![Attribute::new(
            "deep_attr",
            Type::String,
            Mode::Optional,
            "",
        )],
        ..Default::default()
    };
    let mut nested_attr = Attribute::new("obj", Type::String, Mode::Optional, "");
    nested_attr.ty = AttributeType::Nested {
        nesting: Nesting::Single,
        attributes: vec![Attribute::new("leaf", Type::Bool, Mode::Optional, "")],
    };
    let schema = Schema {
        version: 0,
        block: Block {
            attributes: vec![nested_attr],
            block_types: vec![NestedBlock {
                type_name: "outer".into(),
                block: Block {
                    block_types: vec![NestedBlock {
                        type_name: "middle".into(),
                        block: inner,
                        nesting: Nesting::List,
                        min_items: 0,
                        max_items: 1,
                    }],
                    ..Default::default()
                },
                nesting: Nesting::List,
                min_items: 0,
                max_items: 1,
            }],
            description: String::new(),
        },
    };
    assert_eq!(
        missing("`obj` `outer` and middle, deep_attr", &schema),
        vec!["obj.leaf", "outer.middle", "outer.middle.deep_attr"]
    );
    assert!(missing("`obj` `leaf` `outer` `middle` `deep_attr`", &schema).is_empty());
}
