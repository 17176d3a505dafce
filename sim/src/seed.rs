//! Seeding from corpus-style folders (e.g. ../shared/corpus): one folder per resource, one
//! JSON object per file (or a Graph list response with `value`). Seeded objects are visible
//! immediately (no consistency lag). Later work adds a loader per resource folder.
//!
//! `ca-policies/`: real beta GET exports, stored without validation (some are beta-only shapes)
//! keeping their ids, templateId and timestamps; OData annotations are dropped. A beta GET
//! returns such a policy as the export was; objects without `id`, or whose id an earlier file
//! already used, get a new GUID.
//!
//! `auth-contexts/`: an object without `id` (e.g. a PATCH request body) gets the lowest unused
//! `cN`; a file with an id already seeded is merged into it, like a PATCH upsert.
//!
//! `named-locations/`, `auth-strengths/`: only full entities (with `id`) are loaded, validated
//! like a POST and keeping ids and timestamps; request bodies without `id` are skipped (the
//! corpus pairs each with its response), as are the system compliant-network location and the
//! built-in strengths, which the simulator always has (see each module's `seed`).
//!
//! `pim-policies/`: a file whose members or file name name a directory role has its rules
//! applied to that role's policy; others are skipped and counted on stderr (graph::pim).

use crate::graph::{auth_contexts, auth_strengths, named_locations, policies};
use crate::store::{Store, Stored};
use anyhow::{anyhow, Context};
use serde_json::Value;
use std::path::Path;

pub(crate) fn load(dir: &Path, store: &mut Store) -> anyhow::Result<()> {
    if !dir.is_dir() {
        return Err(anyhow!("seed directory {} does not exist", dir.display()));
    }
    load_auth_contexts(&dir.join("auth-contexts"), store)?;
    load_with(&dir.join("named-locations"), store, named_locations::seed)?;
    load_with(&dir.join("auth-strengths"), store, auth_strengths::seed)?;
    load_ca_policies(&dir.join("ca-policies"), store)?;
    crate::graph::pim::load_seed(&dir.join("pim-policies"), store)?;
    Ok(())
}

/// JSON objects from `*.json` files in `dir`, in file-name order; missing folder = none.
fn objects(dir: &Path) -> anyhow::Result<Vec<(String, serde_json::Map<String, Value>)>> {
    let mut out = Vec::new();
    if !dir.is_dir() {
        return Ok(out);
    }
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    for f in files {
        let text =
            std::fs::read_to_string(&f).with_context(|| format!("reading {}", f.display()))?;
        let v: Value =
            serde_json::from_str(&text).with_context(|| format!("parsing {}", f.display()))?;
        let name = f.display().to_string();
        match v {
            Value::Object(mut m) => {
                if let Some(Value::Array(items)) = m.remove("value") {
                    for item in items {
                        if let Value::Object(o) = item {
                            out.push((name.clone(), o));
                        }
                    }
                } else {
                    out.push((name, m));
                }
            }
            Value::Array(items) => {
                for item in items {
                    if let Value::Object(o) = item {
                        out.push((name.clone(), o));
                    }
                }
            }
            _ => return Err(anyhow!("{name}: expected a JSON object")),
        }
    }
    Ok(out)
}

/// Load each object of `dir` with a resource module's `seed` (which may skip objects).
fn load_with(
    dir: &Path,
    store: &mut Store,
    seed: fn(&mut Store, &serde_json::Map<String, Value>) -> Result<bool, String>,
) -> anyhow::Result<()> {
    for (file, obj) in objects(dir)? {
        seed(store, &obj).map_err(|m| anyhow!("{file}: {m}"))?;
    }
    Ok(())
}

fn load_auth_contexts(dir: &Path, store: &mut Store) -> anyhow::Result<()> {
    for (file, obj) in objects(dir)? {
        let props = auth_contexts::validate_body(&obj).map_err(|m| anyhow!("{file}: {m}"))?;
        let id = match obj.get("id").and_then(Value::as_str) {
            Some(id) if auth_contexts::valid_id(id) => id.to_string(),
            Some(id) => return Err(anyhow!("{file}: invalid authentication context id '{id}'")),
            None => (1..=99)
                .map(|n| format!("c{n}"))
                .find(|id| !store.auth_contexts.contains(id))
                .ok_or_else(|| anyhow!("{file}: no free authentication context id"))?,
        };
        match store.auth_contexts.get_mut(&id) {
            Some(existing) => existing.value.extend(props),
            None => store.auth_contexts.insert(id, Stored::seeded(props)),
        }
    }
    Ok(())
}

fn load_ca_policies(dir: &Path, store: &mut Store) -> anyhow::Result<()> {
    for (file, obj) in objects(dir)? {
        if !obj.get("conditions").is_some_and(Value::is_object) {
            return Err(anyhow!(
                "{file}: not a conditionalAccessPolicy (no conditions object)"
            ));
        }
        let mut obj = obj;
        // The corpus holds some policies twice (two commits / doc versions of one policy): the
        // first file keeps the id, later ones are loaded as separate policies with a new id.
        if let Some(Value::String(id)) = obj.get("id") {
            if store.ca_policies.contains(id) {
                obj.remove("id");
            }
        }
        policies::store_raw(store, Value::Object(obj), true);
    }
    Ok(())
}
