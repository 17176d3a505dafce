//! The layering of ARCHITECTURE.md, enforced: every `crate::` path in a source file (tests
//! aside) must point at a module its layer may use. One crate builds faster and reads easier
//! than six; this test is what keeps its arrows from turning around.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// What each top-level module may import from the crate. Modules not listed (the binary's
/// root, `lib.rs`) may import anything.
const ALLOWED: &[(&str, &[&str])] = &[
    ("log", &[]),
    ("time_scale", &[]),
    ("deadline", &["time_scale"]),
    ("plugin", &["log", "deadline"]),
    ("graph", &["log", "deadline", "time_scale"]),
    ("whatif", &["graph"]),
    (
        "resources",
        &["plugin", "graph", "whatif", "log", "deadline", "time_scale"],
    ),
    (
        "data_sources",
        &["plugin", "graph", "whatif", "resources", "log", "deadline"],
    ),
    // The what-if function takes the what-if data source's inputs.
    (
        "functions",
        &[
            "plugin",
            "graph",
            "whatif",
            "resources",
            "data_sources",
            "log",
        ],
    ),
    (
        "provider",
        &[
            "plugin",
            "graph",
            "resources",
            "data_sources",
            "functions",
            "log",
            "deadline",
        ],
    ),
    ("command_line", &["graph", "provider", "log"]),
    (
        "export",
        &[
            "graph",
            "resources",
            "data_sources",
            "provider",
            "command_line",
            "plugin",
            "log",
        ],
    ),
    (
        "sweep",
        &[
            "graph",
            "resources",
            "provider",
            "command_line",
            "plugin",
            "log",
        ],
    ),
];

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The file's code without its unit tests (`tests.rs` files, and what follows
/// `#[cfg(test)]` at the end of a file): tests may reach across layers to check them.
fn code(path: &Path) -> Option<String> {
    let name = path.file_name()?.to_string_lossy();
    if name == "tests.rs" || name.ends_with("_tests.rs") || name == "test_support.rs" {
        return None;
    }
    let text = std::fs::read_to_string(path).ok()?;
    Some(match text.find("#[cfg(test)]\nmod tests") {
        Some(i) => text[..i].to_string(),
        None => text,
    })
}

/// The top-level modules a piece of code names through `crate::`, grouped imports included
/// (`use crate::{graph::Api, plugin::value::Value}`).
fn imported(code: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let ident = |s: &str| -> String {
        s.trim_start()
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect()
    };
    for (i, _) in code.match_indices("crate::") {
        let rest = &code[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 1;
            let mut item_start = true;
            for (j, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    ',' if depth == 1 => item_start = true,
                    c if item_start && !c.is_whitespace() => {
                        item_start = false;
                        found.insert(ident(&group[j..]));
                    }
                    _ => {}
                }
            }
        } else {
            found.insert(ident(rest));
        }
    }
    found.retain(|m| !m.is_empty());
    found
}

#[test]
fn every_arrow_points_down() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    files.sort();
    let mut wrong = Vec::new();
    for file in &files {
        let relative = file.strip_prefix(&src).unwrap();
        let layer = relative
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_string();
        let Some((_, allowed)) = ALLOWED.iter().find(|(m, _)| *m == layer) else {
            continue;
        };
        let Some(code) = code(file) else { continue };
        for module in imported(&code) {
            if module != layer && !allowed.contains(&module.as_str()) {
                wrong.push(format!("src/{}: {layer} uses {module}", relative.display()));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "arrows pointing the wrong way (ARCHITECTURE.md):\n{}",
        wrong.join("\n")
    );
}

#[test]
fn every_top_level_module_has_a_place_in_the_layering() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let lib = std::fs::read_to_string(src.join("lib.rs")).unwrap();
    for line in lib.lines() {
        if let Some(module) = line.trim().strip_prefix("pub mod ") {
            let module = module.trim_end_matches(';');
            assert!(
                ALLOWED.iter().any(|(m, _)| *m == module),
                "src/{module} is in no layer of tests/architecture.rs"
            );
        }
    }
}

#[test]
fn grouped_and_nested_imports_are_all_seen() {
    let found = imported(
        "use crate::{graph::{Api, models}, plugin::value::Value};\nfn f() { crate::log::info(); }",
    );
    let found: Vec<&str> = found.iter().map(String::as_str).collect();
    assert_eq!(found, ["graph", "log", "plugin"]);
}
