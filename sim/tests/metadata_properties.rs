//! Microsoft's own Graph metadata (`../shared/reference/graph-metadata/`) as the oracle for the
//! conditionalAccessPolicy request body: the walk goes from `conditionalAccessPolicy` down
//! through every complex type it reaches and, with real requests to the simulator, checks that
//!
//! * every property is accepted (POST and PATCH) on each version the metadata gives it, and
//!   refused with Graph's `1007` schema error on the other; read-only ones are accepted and
//!   ignored;
//! * a name the metadata does not have at that place is refused with `1007` on both versions:
//!   a made-up name, and every name the simulator's own schema has there but Graph lacks.
//!
//! Each property is added to a valid policy with a sample of its type built from the metadata
//! ([`Walk::sample`]), so a property Graph adds or retires changes what is checked without
//! editing this file.

mod common;

use common::{example, shared, Tenant};
use entra_graph_sim::graph::policies::schema::{self, Field, Ty};
use reqwest::Method;
use serde_json::{json, Map, Value};

const COLL: &str = "/identity/conditionalAccess/policies";
const VERSIONS: [&str; 2] = ["v1.0", "beta"];
/// A property name no Graph type has.
const MADE_UP: &str = "notInGraphMetadata";
/// The built-in "Multifactor authentication" strength.
const MFA_STRENGTH: &str = "00000000-0000-0000-0000-000000000002";

/// A valid policy on both versions, into which each property is added.
fn base_policy() -> Value {
    json!({
        "displayName": "metadata walk",
        "state": "enabled",
        "conditions": {
            "clientAppTypes": ["all"],
            "applications": {"includeApplications": ["All"]},
            "users": {"includeUsers": ["All"]}
        },
        // Not `mfa`: a policy cannot require both mfa and an authentication strength.
        "grantControls": {"operator": "OR", "builtInControls": ["compliantDevice"]},
        // An effective session control, so that any other one can be added on its own (a
        // sessionControls object with nothing enabled is refused).
        "sessionControls": {"persistentBrowser": {"isEnabled": true, "mode": "always"}}
    })
}

/// Values for properties whose generic sample breaks a semantic rule of the simulator (and
/// Graph), keyed by their path in the policy.
fn known_valid(path: &str) -> Option<Value> {
    match path {
        // A navigation property to an entity, written as a reference to an existing strength by
        // id; the strength's own properties are not the policy's, so the walk stops here.
        "grantControls.authenticationStrength" => Some(json!({"id": MFA_STRENGTH})),
        // A sign-in frequency with only one of its members (or only defaults) is refused as
        // ineffectual; the documented timeBased sample is valid, and each of its members the
        // walk adds goes into it.
        "sessionControls.signInFrequency" => {
            Some(json!({"isEnabled": true, "type": "hours", "value": 12}))
        }
        _ => None,
    }
}

/// A place in a policy: the keys from the policy down to it, each with the sample that stands
/// for its object when the base policy lacks it, and the versions that have every key.
#[derive(Clone)]
struct Place {
    chain: Vec<(String, Value)>,
    versions: Vec<String>,
}

impl Place {
    fn root() -> Place {
        Place {
            chain: Vec::new(),
            versions: VERSIONS.iter().map(|v| v.to_string()).collect(),
        }
    }

    fn path(&self) -> String {
        self.chain
            .iter()
            .map(|(k, _)| k.as_str())
            .collect::<Vec<_>>()
            .join(".")
    }

    fn child(&self, name: &str, sample: Value, versions: &[String]) -> Place {
        let mut chain = self.chain.clone();
        chain.push((name.to_string(), sample));
        Place {
            chain,
            versions: self
                .versions
                .iter()
                .filter(|v| versions.contains(v))
                .cloned()
                .collect(),
        }
    }

    /// The base policy with this place filled: objects on the way are taken from the base
    /// when it has them, else from their samples; a value the base already has is kept (it
    /// is valid and carries the name).
    fn body(&self) -> Value {
        let mut body = base_policy();
        let mut cur = &mut body;
        for (key, sample) in &self.chain {
            cur = cur
                .as_object_mut()
                .unwrap()
                .entry(key.clone())
                .or_insert_with(|| sample.clone());
        }
        body
    }
}

/// One property to check: where it is, and whether it is read-only.
struct Prop {
    place: Place,
    read_only: bool,
}

struct Walk {
    metadata: Value,
    props: Vec<Prop>,
    /// Every object the walk entered (the policy itself first), with its type.
    objects: Vec<(Place, String)>,
}

impl Walk {
    fn new() -> Walk {
        let text = std::fs::read_to_string(shared("reference/graph-metadata/graph-metadata.json"))
            .unwrap();
        let mut walk = Walk {
            metadata: serde_json::from_str(&text).unwrap(),
            props: Vec::new(),
            objects: Vec::new(),
        };
        walk.object(Place::root(), "conditionalAccessPolicy");
        walk
    }

    fn ty(&self, name: &str) -> &Value {
        &self.metadata["types"][name]
    }

    /// Own and inherited properties of a type.
    fn properties(&self, name: &str) -> Vec<(String, Value)> {
        let t = self.ty(name);
        let mut out: Vec<(String, Value)> = match t["base"].as_str() {
            Some(base) if self.ty(base).is_object() => self.properties(base),
            _ => Vec::new(),
        };
        for (k, p) in t["properties"].as_object().unwrap() {
            out.push((k.clone(), p.clone()));
        }
        out
    }

    /// The concrete types derived from an abstract one, in metadata order.
    fn derived(&self, name: &str) -> Vec<String> {
        self.metadata["types"]
            .as_object()
            .unwrap()
            .iter()
            .filter(|(_, t)| t["base"] == name && t["abstract"] != true)
            .map(|(k, _)| k.clone())
            .collect()
    }

    /// An object of a complex type: empty, or for an abstract type its first concrete type.
    fn object_sample(&self, name: &str) -> Value {
        if self.ty(name)["abstract"] == true {
            let first = self.derived(name).into_iter().next().unwrap();
            json!({"@odata.type": format!("#microsoft.graph.{first}")})
        } else {
            json!({})
        }
    }

    /// A valid value of a property's type.
    fn sample(&self, path: &str, p: &Value) -> Value {
        if let Some(v) = known_valid(path) {
            return v;
        }
        let ty = p["type"].as_str().unwrap();
        let collection = p["collection"] == true;
        let one = match ty {
            // String collections hold ids and keywords with rules of their own (a GUID must
            // name an existing object in some of them); `[]` is a valid value of each.
            "Edm.String" if collection => return json!([]),
            "Edm.String" => json!("sample"),
            "Edm.Boolean" => json!(true),
            "Edm.Int32" => json!(1),
            "Edm.DateTimeOffset" => json!("2024-01-01T00:00:00Z"),
            _ if self.metadata["enums"][ty].is_object() => {
                let e = &self.metadata["enums"][ty];
                let members = e["v1.0"].as_array().or(e["beta"].as_array()).unwrap();
                // Never evolvable: those come after unknownFutureValue.
                members[0][0].clone()
            }
            _ if self.ty(ty)["kind"] == "complex" => self.object_sample(ty),
            _ => panic!("{path}: no sample for type {ty}; add it to known_valid"),
        };
        if collection {
            json!([one])
        } else {
            one
        }
    }

    /// Record the properties of an object of type `name` at `place`, and go into the complex
    /// ones (each concrete type of an abstract one).
    fn object(&mut self, place: Place, name: &str) {
        self.objects.push((place.clone(), name.to_string()));
        for (prop, p) in self.properties(name) {
            let path = match place.path().as_str() {
                "" => prop.clone(),
                parent => format!("{parent}.{prop}"),
            };
            let versions: Vec<String> = serde_json::from_value(p["versions"].clone()).unwrap();
            let child = place.child(&prop, self.sample(&path, &p), &versions);
            self.props.push(Prop {
                place: child.clone(),
                read_only: p["read_only"] == true,
            });
            // Entities (authenticationStrength) are referenced, not walked.
            let ty = p["type"].as_str().unwrap();
            if self.ty(ty)["kind"] != "complex" {
                continue;
            }
            if self.ty(ty)["abstract"] == true {
                self.object(child.clone(), ty);
                for d in self.derived(ty) {
                    let typed = json!({"@odata.type": format!("#microsoft.graph.{d}")});
                    let mut at = child.clone();
                    at.chain.last_mut().unwrap().1 = typed;
                    self.own_properties(at, &d);
                }
            } else {
                self.object(child, ty);
            }
        }
    }

    /// A concrete type of an abstract one adds only its own properties (the inherited ones
    /// were walked with the abstract type).
    fn own_properties(&mut self, place: Place, name: &str) {
        self.objects.push((place.clone(), name.to_string()));
        let own: Vec<(String, Value)> = self.ty(name)["properties"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, p)| (k.clone(), p.clone()))
            .collect();
        for (prop, p) in own {
            let path = format!("{}.{prop}", place.path());
            let versions: Vec<String> = serde_json::from_value(p["versions"].clone()).unwrap();
            self.props.push(Prop {
                place: place.child(&prop, self.sample(&path, &p), &versions),
                read_only: p["read_only"] == true,
            });
        }
    }

    /// Names the metadata gives the type.
    fn names(&self, name: &str) -> Vec<String> {
        self.properties(name).into_iter().map(|(k, _)| k).collect()
    }
}

/// The simulator's schema for the object at `place`, when it models it as a plain object.
fn sim_fields(place: &Place) -> Option<&'static [Field]> {
    let mut fields: &'static [Field] = schema::POLICY;
    for (key, _) in &place.chain {
        match &fields.iter().find(|f| f.name == key)?.ty {
            Ty::Obj(inner) => fields = inner,
            _ => return None,
        }
    }
    Some(fields)
}

fn is_1007(status: u16, body: &Value) -> bool {
    let real = example("error.ca-1007-schema.json");
    status == 400 && body["error"]["message"] == real["error"]["message"]
}

/// POSTs `body` and PATCHes its members that differ from the base policy into `patch_id`;
/// notes in `wrong` an answer other than the metadata's (`accepted`, else 1007). A policy the
/// POST created is deleted again (Graph caps policies per tenant) and returned.
async fn check(
    t: &Tenant,
    wrong: &mut Vec<String>,
    what: &str,
    version: &str,
    body: &Value,
    accepted: bool,
    patch_id: &str,
) -> Option<Value> {
    let (s, created) = t
        .call(Method::POST, &format!("/{version}{COLL}"), Some(body))
        .await;
    let top = body.as_object().unwrap();
    let mut patch = Map::new();
    for (k, v) in top {
        if !base_policy().get(k).is_some_and(|b| b == v) {
            patch.insert(k.clone(), v.clone());
        }
    }
    let (ps, pb) = t
        .call(
            Method::PATCH,
            &format!("/{version}{COLL}/{patch_id}"),
            Some(&Value::Object(patch)),
        )
        .await;
    let ok = if accepted {
        s == 201 && ps == 204
    } else {
        is_1007(s, &created) && is_1007(ps, &pb)
    };
    if !ok {
        wrong.push(format!(
            "{what} on {version}: expected {}, got POST {s} {created}, PATCH {ps} {pb}",
            if accepted { "acceptance" } else { "1007" }
        ));
    }
    if s == 201 {
        let id = created["id"].as_str().unwrap();
        t.call(Method::DELETE, &format!("/{version}{COLL}/{id}"), None)
            .await;
        return Some(created);
    }
    None
}

/// One valid policy per version, for the walk's PATCHes.
async fn patch_targets(t: &Tenant) -> Vec<String> {
    let mut ids = Vec::new();
    for version in VERSIONS {
        let (s, b) = t
            .call(
                Method::POST,
                &format!("/{version}{COLL}"),
                Some(&base_policy()),
            )
            .await;
        assert_eq!(s, 201, "the base policy is valid on {version}: {b}");
        ids.push(b["id"].as_str().unwrap().to_string());
    }
    ids
}

fn value_at<'a>(v: &'a Value, place: &Place) -> &'a Value {
    place.chain.iter().fold(v, |v, (k, _)| &v[k])
}

#[tokio::test]
async fn every_property_is_accepted_exactly_on_the_versions_graph_has_it() {
    let walk = Walk::new();
    let t = Tenant::new().await;
    let targets = patch_targets(&t).await;
    let mut wrong = Vec::new();
    for prop in &walk.props {
        let path = prop.place.path();
        let body = prop.place.body();
        for (version, target) in VERSIONS.iter().zip(&targets) {
            // Real beta exports echo templateId, which only v1.0's type has; clients send such
            // exports back, so a read-only member is accepted (and ignored) on both versions.
            let accepted = prop.place.versions.iter().any(|v| v == version) || prop.read_only;
            let created = check(&t, &mut wrong, &path, version, &body, accepted, target).await;
            // Read-only: the sample is ignored, the service's own value is shown.
            if let (true, Some(created)) = (prop.read_only, created) {
                let sample = &prop.place.chain.last().unwrap().1;
                if value_at(&created, &prop.place) == sample {
                    wrong.push(format!("{path} on {version}: read-only, but stored"));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
    assert!(
        walk.props.len() > 60,
        "only {} properties",
        walk.props.len()
    );
}

#[tokio::test]
async fn a_name_graph_does_not_have_is_1007_on_both_versions_but_what_beta_answers() {
    let walk = Walk::new();
    let t = Tenant::new().await;
    let targets = patch_targets(&t).await;
    let mut wrong = Vec::new();
    let mut probed = 0;
    let mut seen_checked = 0;
    for (place, ty) in &walk.objects {
        let graph_names = walk.names(ty);
        // A made-up name, and each name the simulator knows here that Graph does not.
        let mut names = vec![MADE_UP.to_string()];
        for f in sim_fields(place).unwrap_or_default() {
            if !graph_names.iter().any(|n| n == f.name) {
                names.push(f.name.to_string());
            }
        }
        for name in names {
            // null is a valid value of every type: only the name is on trial.
            let probe = place.child(&name, Value::Null, &[]);
            let what = probe.path();
            let body = probe.body();
            // Real beta answers carry these (see the list): beta takes them back, v1.0 not.
            let seen = schema::SEEN_IN_BETA_EXPORTS.contains(&what.as_str());
            seen_checked += usize::from(seen);
            for (version, target) in VERSIONS.iter().zip(&targets) {
                let accepted = seen && *version == "beta";
                check(&t, &mut wrong, &what, version, &body, accepted, target).await;
                probed += 1;
            }
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
    assert!(probed > 40, "only {probed} probes");
    assert_eq!(
        seen_checked,
        schema::SEEN_IN_BETA_EXPORTS.len(),
        "every name seen only in beta exports is one Graph's metadata lacks"
    );
}
