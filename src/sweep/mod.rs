//! `terraform-provider-entra sweep --prefix PREFIX [--dry-run]`: deletes what acceptance tests
//! left behind in a development tenant. This file is the pure part: given what Graph listed and
//! a prefix, which objects go, in what order, and the PATCH each needs before Graph accepts its
//! DELETE. `command` parses the arguments, signs in and sends the requests.

mod command;

pub use command::main;

use crate::graph::models::{
    AuthenticationContext, AuthenticationStrengthPolicy, NamedLocation, PolicyReferences,
};
use crate::graph::Api;
use crate::resources::{
    authentication_context, authentication_strength_policy as strength, conditional_access_policy,
    named_location,
};
use serde_json::{json, Value as Json};

/// A shorter prefix would match objects that are not test leftovers.
const MIN_PREFIX_CHARS: usize = 4;

/// A display-name prefix, checked to be specific enough to pick out test objects only.
#[derive(Clone, Debug, PartialEq)]
pub struct Prefix(String);

impl Prefix {
    /// The prefix, or why it would take more than test objects (too short, only whitespace).
    pub fn new(prefix: &str) -> Result<Prefix, String> {
        if prefix.chars().count() < MIN_PREFIX_CHARS {
            return Err(format!(
                "--prefix {prefix:?} is shorter than {MIN_PREFIX_CHARS} characters: it would match the tenant's own objects"
            ));
        }
        if prefix.trim().is_empty() {
            return Err(format!(
                "--prefix {prefix:?} is only whitespace: it would match the tenant's own objects"
            ));
        }
        Ok(Prefix(prefix.to_string()))
    }

    /// The prefix as given, for messages.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Case-sensitive, so that a test prefix never takes objects merely spelled alike with it.
    fn matches(&self, display_name: Option<&str>) -> bool {
        display_name.is_some_and(|n| n.starts_with(&self.0))
    }
}

/// What is swept, declared in the order of deletion.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Conditional Access policies, which use everything below.
    Policy,
    /// Custom authentication strengths.
    Strength,
    /// Named locations.
    Location,
    /// Authentication contexts.
    Context,
}

impl Kind {
    /// What the kind is called in messages.
    pub fn noun(self) -> &'static str {
        match self {
            Kind::Policy => "Conditional Access policy",
            Kind::Strength => "authentication strength",
            Kind::Location => "named location",
            Kind::Context => "authentication context",
        }
    }

    /// The Graph version and collection the provider's resource for this kind uses.
    pub fn collection(self) -> (Api, &'static str) {
        match self {
            // Beta, as the policy resource reads: it shows every policy.
            Kind::Policy => (Api::Beta, conditional_access_policy::COLLECTION),
            Kind::Strength => (Api::V1, strength::COLLECTION),
            // Beta, as the location resource reads: it shows the kinds only beta has.
            Kind::Location => (Api::Beta, named_location::COLLECTION),
            Kind::Context => (Api::V1, authentication_context::COLLECTION),
        }
    }
}

/// A PATCH without which Graph refuses the DELETE.
#[derive(Clone, Debug, PartialEq)]
pub struct Prepare {
    /// What it does, for messages: "untrust", "unpublish".
    pub doing: &'static str,
    /// The PATCH body.
    pub body: Json,
}

/// One object to delete.
#[derive(Clone, Debug, PartialEq)]
pub struct Deletion {
    /// Which collection it is in.
    pub kind: Kind,
    /// Its object id.
    pub id: String,
    /// Its display name, for messages.
    pub name: String,
    /// Sent before the DELETE, if Graph needs it.
    pub prepare: Option<Prepare>,
    /// Labels of policies outside the sweep that use the object. It is then left alone: Graph
    /// would refuse its DELETE, possibly after `prepare` had already changed it.
    pub used_by: Vec<String>,
}

impl Deletion {
    fn new(kind: Kind, id: &str, name: &Option<String>) -> Deletion {
        Deletion {
            kind,
            id: id.to_string(),
            name: name.clone().unwrap_or_default(),
            prepare: None,
            used_by: Vec::new(),
        }
    }

    /// The object's path, under its kind's collection.
    pub fn path(&self) -> String {
        format!("{}/{}", self.kind.collection().1, self.id)
    }
}

/// What Graph listed, each kind through its `Kind::collection`.
#[derive(Default)]
pub struct Listed {
    /// Conditional Access policies.
    pub policies: Vec<PolicyReferences>,
    /// Authentication strengths, built-in ones included.
    pub strengths: Vec<AuthenticationStrengthPolicy>,
    /// Named locations.
    pub locations: Vec<NamedLocation>,
    /// Authentication contexts.
    pub contexts: Vec<AuthenticationContext>,
}

/// The objects whose display name starts with `prefix`, in the order they can be deleted:
/// policies first, because they refer to the other kinds and Graph will not delete what a
/// policy still uses. Built-in authentication strengths are never included.
pub fn plan(listed: &Listed, prefix: &Prefix) -> Vec<Deletion> {
    let (swept, kept): (Vec<&PolicyReferences>, Vec<&PolicyReferences>) = listed
        .policies
        .iter()
        .partition(|p| prefix.matches(p.display_name.as_deref()));
    let used_by = |uses: &dyn Fn(&PolicyReferences) -> bool| -> Vec<String> {
        kept.iter().filter(|p| uses(p)).map(|p| p.label()).collect()
    };
    let mut plan: Vec<Deletion> = swept
        .iter()
        .map(|p| Deletion::new(Kind::Policy, &p.id, &p.display_name))
        .collect();
    for s in &listed.strengths {
        if s.policy_type.as_deref() == Some("custom") && prefix.matches(s.display_name.as_deref()) {
            plan.push(Deletion {
                used_by: used_by(&|p| p.uses_authentication_strength(&s.id)),
                ..Deletion::new(Kind::Strength, &s.id, &s.display_name)
            });
        }
    }
    for l in &listed.locations {
        // The system compliant network location is Graph's, whatever it is called.
        let managed = named_location::MANAGED.contains(&named_location::kind(l));
        if managed && prefix.matches(l.display_name.as_deref()) {
            // Graph refuses to delete a trusted location, and a named location PATCH must name
            // its derived type.
            let untrust = (l.is_trusted == Some(true)).then(|| Prepare {
                doing: "untrust",
                body: json!({"@odata.type": l.odata_type.as_deref().unwrap_or("#microsoft.graph.ipNamedLocation"), "isTrusted": false}),
            });
            plan.push(Deletion {
                prepare: untrust,
                used_by: used_by(&|p| p.uses_named_location(&l.id)),
                ..Deletion::new(Kind::Location, &l.id, &l.display_name)
            });
        }
    }
    for c in &listed.contexts {
        if prefix.matches(c.display_name.as_deref()) {
            // Graph refuses (403) to delete a published context.
            let unpublish = (c.is_available == Some(true)).then(|| Prepare {
                doing: "unpublish",
                body: json!({"isAvailable": false}),
            });
            plan.push(Deletion {
                prepare: unpublish,
                used_by: used_by(&|p| p.uses_authentication_context(&c.id)),
                ..Deletion::new(Kind::Context, &c.id, &c.display_name)
            });
        }
    }
    plan
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from<T: serde::de::DeserializeOwned>(v: Json) -> T {
        serde_json::from_value(v).unwrap()
    }

    fn prefix(p: &str) -> Prefix {
        Prefix::new(p).unwrap()
    }

    fn names(plan: &[Deletion]) -> Vec<&str> {
        plan.iter().map(|d| d.name.as_str()).collect()
    }

    /// One object of each kind named `name`, and a policy that uses the other three.
    fn tenant(name: &str) -> Listed {
        Listed {
            policies: vec![from(json!({
                "id": format!("pol-{name}"), "displayName": name,
                "conditions": {
                    "applications": {"includeAuthenticationContextClassReferences": ["c7"]},
                    "locations": {"includeLocations": ["loc-1"]},
                },
                "grantControls": {"authenticationStrength": {"id": "str-1"}},
            }))],
            strengths: vec![from(
                json!({"id": "str-1", "displayName": name, "policyType": "custom"}),
            )],
            locations: vec![from(json!({
                "@odata.type": "#microsoft.graph.ipNamedLocation", "id": "loc-1",
                "displayName": name, "isTrusted": false,
            }))],
            contexts: vec![from(
                json!({"id": "c7", "displayName": name, "isAvailable": false}),
            )],
        }
    }

    #[test]
    fn prefix_too_short_or_blank_is_refused() {
        for p in ["", "tf", "tf-", "    ", "\t \n "] {
            let e = Prefix::new(p).unwrap_err();
            assert!(
                e.contains("would match the tenant's own objects"),
                "{p:?}: {e}"
            );
        }
        assert!(Prefix::new("    ").unwrap_err().contains("whitespace"));
        assert!(Prefix::new("tf").unwrap_err().contains("shorter than 4"));
        // Characters, not bytes: four non-ASCII letters are long enough.
        assert!(Prefix::new("ÄÖÜß").is_ok());
        assert!(Prefix::new("tfa-").is_ok());
    }

    #[test]
    fn prefix_matches_case_sensitively_at_the_start_only() {
        let mut listed = Listed::default();
        for (i, name) in ["tfacc-one", "TFACC-two", "x tfacc-three", "tfacc", "tfacc-"]
            .iter()
            .enumerate()
        {
            listed
                .locations
                .push(from(json!({"@odata.type": "#microsoft.graph.ipNamedLocation", "id": format!("l{i}"), "displayName": name})));
        }
        listed.locations.push(from(
            json!({"@odata.type": "#microsoft.graph.ipNamedLocation", "id": "unnamed"}),
        ));
        // Graph's own system location is never swept, whatever its name.
        listed.locations.push(from(json!({"@odata.type": "#microsoft.graph.compliantNetworkNamedLocation", "id": "cn", "displayName": "tfacc-compliant", "isTrusted": true})));
        assert_eq!(
            names(&plan(&listed, &prefix("tfacc-"))),
            ["tfacc-one", "tfacc-"]
        );
    }

    #[test]
    fn built_in_strengths_are_never_selected() {
        let listed = Listed {
            strengths: vec![
                from(
                    json!({"id": strength::BUILT_IN_IDS[0], "displayName": "Multifactor authentication", "policyType": "builtIn"}),
                ),
                from(
                    json!({"id": "s1", "displayName": "Multifactor custom", "policyType": "custom"}),
                ),
                from(json!({"id": "s2", "displayName": "Multifactor untyped"})),
            ],
            ..Listed::default()
        };
        let plan = plan(&listed, &prefix("Multifactor"));
        assert_eq!(names(&plan), ["Multifactor custom"]);
        assert_eq!(plan[0].path(), format!("{}/s1", strength::COLLECTION));
    }

    #[test]
    fn policies_go_first_then_strengths_locations_contexts() {
        let plan = plan(&tenant("tfacc-a"), &prefix("tfacc-"));
        let kinds: Vec<Kind> = plan.iter().map(|d| d.kind).collect();
        assert_eq!(
            kinds,
            [Kind::Policy, Kind::Strength, Kind::Location, Kind::Context]
        );
        // The policy that uses the others is swept too, so nothing is held back.
        assert!(plan.iter().all(|d| d.used_by.is_empty()));
        assert_eq!(
            plan[0].path(),
            "/identity/conditionalAccess/policies/pol-tfacc-a"
        );
        assert_eq!(Kind::Policy.collection().0, Api::Beta);
    }

    #[test]
    fn objects_used_by_a_policy_outside_the_sweep_are_held_back() {
        let mut listed = tenant("tfacc-a");
        listed.policies[0].display_name = Some("Contoso: require MFA".into());
        let plan = plan(&listed, &prefix("tfacc-"));
        assert_eq!(plan.len(), 3, "the policy does not match");
        for d in &plan {
            assert_eq!(
                d.used_by,
                ["\"Contoso: require MFA\" (pol-tfacc-a)"],
                "{d:?}"
            );
        }
    }

    #[test]
    fn a_trusted_location_is_untrusted_first() {
        let mut listed = tenant("tfacc-a");
        listed.locations.push(from(json!({
            "@odata.type": "#microsoft.graph.ipNamedLocation", "id": "loc-2",
            "displayName": "tfacc-trusted", "isTrusted": true,
            "ipRanges": [{"@odata.type": "#microsoft.graph.iPv4CidrRange", "cidrAddress": "203.0.113.0/24"}],
        })));
        let plan = plan(&listed, &prefix("tfacc-"));
        let trusted = plan.iter().find(|d| d.id == "loc-2").unwrap();
        let untrust = trusted.prepare.as_ref().unwrap();
        assert_eq!(untrust.doing, "untrust");
        assert_eq!(
            untrust.body,
            json!({"@odata.type": "#microsoft.graph.ipNamedLocation", "isTrusted": false})
        );
        let untrusted = plan.iter().find(|d| d.id == "loc-1").unwrap();
        assert_eq!(untrusted.prepare, None);
    }

    #[test]
    fn a_published_context_is_unpublished_first() {
        let mut listed = tenant("tfacc-a");
        listed.contexts.push(from(
            json!({"id": "c8", "displayName": "tfacc-published", "isAvailable": true}),
        ));
        let plan = plan(&listed, &prefix("tfacc-"));
        let published = plan.iter().find(|d| d.id == "c8").unwrap();
        assert_eq!(
            published.prepare,
            Some(Prepare {
                doing: "unpublish",
                body: json!({"isAvailable": false})
            })
        );
        assert_eq!(
            published.path(),
            "/identity/conditionalAccess/authenticationContextClassReferences/c8"
        );
        assert_eq!(plan.iter().find(|d| d.id == "c7").unwrap().prepare, None);
    }
}
