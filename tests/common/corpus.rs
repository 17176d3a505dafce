//! The real-world corpus (`../shared/corpus`) as tests load it: policies as Graph would take
//! them (annotations, read-only members and template placeholders gone) and the tenant
//! objects they name.

use super::{made_up_guid, Sim};
use serde_json::Value as Json;
use std::path::{Path, PathBuf};

pub const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus");
pub const POLICIES: &str = "/beta/identity/conditionalAccess/policies";

/// Read-only members of conditionalAccessPolicy: never sent, never compared.
pub const READ_ONLY: &[&str] = &[
    "id",
    "createdDateTime",
    "modifiedDateTime",
    "deletedDateTime",
    "templateId",
];

/// `(file name, policy)` for every corpus policy, sorted. A missing corpus fails the test.
pub fn corpus_policies() -> Vec<(String, Json)> {
    let dir = Path::new(CORPUS).join("ca-policies");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("the policy corpus must be at {}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no .json files in {}", dir.display());
    files
        .iter()
        .map(|p| {
            let text = std::fs::read_to_string(p).unwrap();
            let json = serde_json::from_str(&text)
                .unwrap_or_else(|e| panic!("{}: not JSON: {e}", p.display()));
            (p.file_name().unwrap().to_string_lossy().into_owned(), json)
        })
        .collect()
}

/// Is this key an OData annotation (`@odata.context`, `x@odata.type`) or an action
/// (`#microsoft.graph.restore`)? Such keys are metadata, not policy.
pub fn is_annotation(key: &str) -> bool {
    key.starts_with("@odata.") || key.contains("@odata.") || key.starts_with("#microsoft.graph.")
}

/// The JSON without annotations, at every depth.
pub fn without_annotations(v: &Json) -> Json {
    match v {
        Json::Object(m) => Json::Object(
            m.iter()
                .filter(|(k, _)| !is_annotation(k))
                .map(|(k, v)| (k.clone(), without_annotations(v)))
                .collect(),
        ),
        Json::Array(a) => Json::Array(a.iter().map(without_annotations).collect()),
        other => other.clone(),
    }
}

/// Template placeholders (a whole string value `<Name>`, e.g. `<ExclusionPermGroup>` in an id
/// list) replaced by a made-up GUID per name, as the templates' deploy script substitutes the
/// tenant's ids. Graph refuses such strings as object ids.
pub fn without_placeholders(v: &Json) -> Json {
    match v {
        Json::String(s) if s.len() > 2 && s.starts_with('<') && s.ends_with('>') => {
            Json::String(made_up_guid(s))
        }
        Json::Object(m) => Json::Object(
            m.iter()
                .map(|(k, v)| (k.clone(), without_placeholders(v)))
                .collect(),
        ),
        Json::Array(a) => Json::Array(a.iter().map(without_placeholders).collect()),
        other => other.clone(),
    }
}

/// The directory objects the policies name, which must exist for Graph to accept them:
/// named locations (GUIDs in `conditions.locations`; `All`, `AllTrusted` and the MFA trusted
/// IPs id `00000000-...` are not objects) and authentication contexts (`c1`..`c99`).
pub fn referenced_objects(policies: &[(String, Json)]) -> (Vec<String>, Vec<String>) {
    let strings = |path: &str| -> Vec<String> {
        let mut ids: Vec<String> = policies
            .iter()
            .filter_map(|(_, p)| at(p, path))
            .filter_map(Json::as_array)
            .flatten()
            .filter_map(Json::as_str)
            .map(str::to_string)
            .collect();
        ids.sort();
        ids.dedup();
        ids
    };
    let mut locations = strings("conditions.locations.includeLocations");
    locations.extend(strings("conditions.locations.excludeLocations"));
    locations.retain(|id| id.len() == 36 && id != "00000000-0000-0000-0000-000000000000");
    locations.sort();
    locations.dedup();
    let contexts = strings("conditions.applications.includeAuthenticationContextClassReferences");
    (locations, contexts)
}

/// A POST through Graph beta, asking for evolvable enum members as the exports were read
/// (`strictLocation` needs it), returning the simulator's `x-sim-schema-detail` header, which
/// says what a `1007` schema error is about (Graph itself only says 1007).
pub fn post_policy(sim: &Sim, body: &Json) -> (u16, Json, Option<String>) {
    let ca = reqwest::Certificate::from_pem(sim.sim().ca_pem().as_bytes()).unwrap();
    let http = reqwest::Client::builder()
        .tls_certs_only([ca])
        .build()
        .unwrap();
    let url = format!("{}{POLICIES}", sim.info().graph_endpoint);
    let token = sim.sim().mint_app_token();
    sim.block_on(async {
        let resp = http
            .post(url)
            .bearer_auth(token)
            .header("Prefer", "include-unknown-enum-members")
            .json(body)
            .send()
            .await
            .unwrap();
        let status = resp.status().as_u16();
        let detail = resp
            .headers()
            .get("x-sim-schema-detail")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let json = resp.json().await.unwrap_or(Json::Null);
        (status, json, detail)
    })
}

/// The body to POST for a corpus policy: no annotations, no read-only members.
pub fn post_body(policy: &Json) -> Json {
    let mut body = without_annotations(policy);
    if let Some(m) = body.as_object_mut() {
        for key in READ_ONLY {
            m.remove(*key);
        }
    }
    body
}

/// The value at a dotted path, if any.
pub fn at<'a>(v: &'a Json, path: &str) -> Option<&'a Json> {
    path.split('.').try_fold(v, |v, k| v.get(k))
}
