//! HCL for one resource or data source, written from its state and schema the way a person
//! would write it: only what can be configured (computed-only attributes and unset values are
//! left out), attributes before blocks, `=` aligned as `terraform fmt` aligns it, and strings
//! that name another exported object written as references to it.

use crate::plugin::schema::{AttributeType, Block, Mode};
use crate::plugin::value::{Number, Value};

/// Turns a string at an attribute path (`conditions.locations.excluded_locations`) into an
/// expression (`entra_named_location.office.id`), or leaves it a literal.
pub type Refer<'a> = &'a dyn Fn(&str, &str) -> Option<String>;

const WIDTH: usize = 100;

/// `kind "type" "name" { ... }` with the body from `value`.
pub fn render(
    kind: &str,
    type_name: &str,
    name: &str,
    block: &Block,
    value: &Value,
    refer: Refer<'_>,
) -> String {
    let mut out = format!("{kind} \"{type_name}\" \"{name}\" {{\n");
    body(block, value, 1, "", refer, &mut out);
    out.push_str("}\n");
    out
}

/// A block body of plain attributes (an `import {}` or `data` lookup), aligned.
pub fn simple(kind: &str, labels: &[&str], attributes: &[(&str, String)]) -> String {
    let mut head = kind.to_string();
    for l in labels {
        head.push_str(&format!(" \"{l}\""));
    }
    let mut out = format!("{head} {{\n");
    let width = attributes.iter().map(|(n, _)| n.len()).max().unwrap_or(0);
    for (n, v) in attributes {
        out.push_str(&format!("  {n:width$} = {v}\n"));
    }
    out.push_str("}\n");
    out
}

fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_string()
    } else {
        format!("{prefix}.{name}")
    }
}

fn body(
    block: &Block,
    value: &Value,
    depth: usize,
    path: &str,
    refer: Refer<'_>,
    out: &mut String,
) {
    let pad = "  ".repeat(depth);
    // (name, rendered value); a multi-line value ends an alignment group, as in terraform fmt.
    let mut lines: Vec<(String, String)> = Vec::new();
    for a in &block.attributes {
        let v = value.get(&a.name);
        // A required attribute is written even when empty: Terraform needs it said.
        let empty_but_required = a.mode == Mode::Required && !v.is_null() && !v.is_unknown();
        if a.mode == Mode::Computed || !(worth_writing(v) || empty_but_required) {
            continue;
        }
        if let AttributeType::Plain(_) = a.ty {
            let rendered = expr(v, &join(path, &a.name), depth, refer);
            lines.push((a.name.clone(), rendered));
        }
    }
    let mut i = 0;
    while i < lines.len() {
        let mut j = i;
        while j < lines.len() && !lines[j].1.contains('\n') {
            j += 1;
        }
        let group = if j == i { i..i + 1 } else { i..j };
        let width = lines[group.clone()]
            .iter()
            .map(|(n, _)| n.len())
            .max()
            .unwrap_or(0);
        for (n, v) in &lines[group.clone()] {
            out.push_str(&format!("{pad}{n:width$} = {v}\n"));
        }
        i = group.end;
    }
    for nb in &block.block_types {
        for item in value.get(&nb.type_name).elements() {
            if item.is_null() {
                continue;
            }
            out.push_str(&format!("{pad}{} {{\n", nb.type_name));
            body(
                &nb.block,
                item,
                depth + 1,
                &join(path, &nb.type_name),
                refer,
                out,
            );
            out.push_str(&format!("{pad}}}\n"));
        }
    }
}

/// Unset, empty and unknown values are left out: Graph reads them back as unset.
fn worth_writing(v: &Value) -> bool {
    match v {
        Value::Null | Value::Unknown => false,
        Value::List(items) | Value::Set(items) => !items.is_empty(),
        Value::Map(m) => !m.is_empty(),
        _ => true,
    }
}

fn expr(v: &Value, path: &str, depth: usize, refer: Refer<'_>) -> String {
    match v {
        Value::String(s) => refer(path, s).unwrap_or_else(|| quote(s)),
        Value::Bool(b) => b.to_string(),
        Value::Number(Number::Int(i)) => i.to_string(),
        Value::Number(Number::Float(f)) => f.to_string(),
        Value::Number(Number::Text(t)) => t.clone(),
        Value::List(items) | Value::Set(items) => {
            let parts: Vec<String> = items
                .iter()
                .map(|i| expr(i, path, depth + 1, refer))
                .collect();
            let one_line = format!("[{}]", parts.join(", "));
            if one_line.len() + depth * 2 + path.len() < WIDTH && !one_line.contains('\n') {
                return one_line;
            }
            let pad = "  ".repeat(depth + 1);
            let mut s = "[\n".to_string();
            for p in parts {
                s.push_str(&format!("{pad}{p},\n"));
            }
            s.push_str(&format!("{}]", "  ".repeat(depth)));
            s
        }
        Value::Map(m) | Value::Object(m) => {
            let pad = "  ".repeat(depth + 1);
            let width = m.keys().map(|k| quote(k).len()).max().unwrap_or(0);
            let mut s = "{\n".to_string();
            for (k, v) in m {
                s.push_str(&format!(
                    "{pad}{:width$} = {}\n",
                    quote(k),
                    expr(v, path, depth + 1, refer)
                ));
            }
            s.push_str(&format!("{}}}", "  ".repeat(depth)));
            s
        }
        Value::Null | Value::Unknown => "null".into(),
    }
}

/// A quoted HCL string: escapes, and template sequences kept literal.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '$' | '%' if chars.peek() == Some(&'{') => {
                out.push(c);
                out.push(c);
            }
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plugin::schema::{Attribute, NestedBlock, Type};

    fn schema() -> Block {
        Block {
            attributes: vec![
                Attribute::new("id", Type::String, Mode::Computed, ""),
                Attribute::new("display_name", Type::String, Mode::Required, ""),
                Attribute::new("state", Type::String, Mode::Optional, ""),
                Attribute::new("note", Type::String, Mode::Optional, ""),
            ],
            block_types: vec![NestedBlock::once(
                "locations",
                vec![
                    Attribute::new(
                        "included_locations",
                        Type::set(Type::String),
                        Mode::Optional,
                        "",
                    ),
                    Attribute::new(
                        "excluded_locations",
                        Type::set(Type::String),
                        Mode::Optional,
                        "",
                    ),
                ],
                vec![],
                "",
            )],
            ..Default::default()
        }
    }

    #[test]
    fn writes_what_can_be_configured_aligned_with_references() {
        let v = Value::object([
            ("id", Value::string("0000")),
            ("display_name", Value::string("CA001: \"Admins\" ${var}")),
            ("state", Value::string("enabled")),
            ("note", Value::Null),
            (
                "locations",
                Value::List(vec![Value::object([
                    ("included_locations", Value::string_set(["All"])),
                    ("excluded_locations", Value::string_set(["guid-1"])),
                ])]),
            ),
        ]);
        let refer = |path: &str, s: &str| {
            (path == "locations.excluded_locations" && s == "guid-1")
                .then(|| "entra_named_location.office.id".to_string())
        };
        let hcl = render("resource", "entra_x", "admins", &schema(), &v, &refer);
        assert_eq!(
            hcl,
            "resource \"entra_x\" \"admins\" {\n  display_name = \"CA001: \\\"Admins\\\" $${var}\"\n  state        = \"enabled\"\n  locations {\n    included_locations = [\"All\"]\n    excluded_locations = [entra_named_location.office.id]\n  }\n}\n"
        );
    }

    #[test]
    fn long_lists_go_one_item_per_line() {
        let many: Vec<String> = (0..12)
            .map(|i| format!("00000000-0000-0000-0000-00000000000{i}"))
            .collect();
        let v = Value::object([
            ("display_name", Value::string("x")),
            (
                "locations",
                Value::List(vec![Value::object([(
                    "included_locations",
                    Value::string_set(many),
                )])]),
            ),
        ]);
        let hcl = render("resource", "entra_x", "x", &schema(), &v, &|_, _| None);
        assert!(
            hcl.contains(
                "included_locations = [\n      \"00000000-0000-0000-0000-000000000000\",\n"
            ),
            "{hcl}"
        );
        assert!(hcl.contains("\",\n    ]\n  }\n"), "{hcl}");
    }

    #[test]
    fn quoting_keeps_every_character() {
        assert_eq!(quote("a\\b\n%{x} $y"), "\"a\\\\b\\n%%{x} $y\"");
        assert_eq!(quote("tab\there"), "\"tab\\there\"");
    }

    #[test]
    fn simple_blocks_align() {
        let s = simple(
            "import",
            &[],
            &[("to", "entra_x.a".into()), ("id", quote("1"))],
        );
        assert_eq!(s, "import {\n  to = entra_x.a\n  id = \"1\"\n}\n");
    }
}
