//! Creates an object once, even when Graph's answer is lost.
//!
//! A POST whose answer never arrives (connection reset or timeout after sending, a gateway's
//! 5xx, a success without the object) may still have created the object. Sending it again
//! blindly would make a second policy with the same name, the first one living on outside the
//! state. So after such a failure we look for the object first, for as long as Graph may still
//! be replicating it (`SEARCH_FOR`, a minute), and even after Ctrl-C, like the POST itself. A
//! candidate has the display name and content we sent, was created no earlier than we sent
//! (by Graph's clock, from its `Date` header, within `CLOCK_SKEW`), and is no object this
//! process knows from a state or took for another create: another writer's object made just
//! before ours never qualifies. One candidate: it goes into the state, with a warning saying
//! so. Several (another writer created the same object at the same time): an error naming
//! them, never a guess. None within the minute: Graph did not act, and the POST is sent again.

use crate::graph::{Api, GraphClient, GraphError};
use crate::log;
use crate::plugin::diag::Diagnostics;
use crate::resources::eventual;
use serde_json::Value as Json;
use std::collections::HashSet;
use std::sync::Mutex;
use std::time::Duration;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// How long the search for the object of a lost create goes on: Graph usually lists a new
/// object within seconds, and has been seen to take half a minute.
const SEARCH_FOR: Duration = Duration::from_secs(60);
/// How often one create is sent when each attempt loses its answer and finds nothing. Each
/// loss is rare; five in a row means Graph is down, not unlucky.
const MAX_SENDS: u32 = 5;
/// How far Graph's servers' clocks (`createdDateTime`) may be behind the `Date` of its answers.
const CLOCK_SKEW: time::Duration = time::Duration::seconds(1);
/// Slack around our own clock when Graph's answers carried no `Date`.
const LOCAL_CLOCK_SLACK: time::Duration = time::Duration::minutes(5);

/// The object Graph holds after a create, and what the user should know about how we got it.
pub struct Created {
    /// The object as Graph answered the POST, or as the search found it.
    pub object: Json,
    /// Set when the object was found rather than answered, to tell the user so.
    pub warnings: Diagnostics,
}

/// Per resource type: the ids this process knows, from the states it read or wrote and from
/// its own creates, none of which a lost create may take.
#[derive(Default)]
pub struct CreateOnce {
    known: Mutex<HashSet<String>>,
}

impl CreateOnce {
    /// POSTs `body` to `collection`; `what` names the object in messages ("named location
    /// \"Office\"").
    pub async fn post(
        &self,
        client: &GraphClient,
        api: Api,
        collection: &str,
        body: &Json,
        what: &str,
    ) -> Result<Created, GraphError> {
        let mut sends = 0;
        loop {
            let sent_at = OffsetDateTime::now_utc();
            sends += 1;
            let lost = match client.post::<Json>(api, collection, body).await {
                Ok(object) => {
                    if let Some(id) = object["id"].as_str() {
                        self.saw(id);
                    }
                    return Ok(Created {
                        object,
                        warnings: Diagnostics::default(),
                    });
                }
                Err(e) if e.may_have_acted() => e,
                Err(e) => return Err(e),
            };
            log::warn(
                "the answer to a create was lost; looking for the object before sending again",
                &[("object", what), ("error", &lost.to_string())],
            );
            // Graph may be carrying the create out: the search is not given up on Stop either.
            let searcher = client.unstoppable().await;
            if let Some(object) = self.find(&searcher, api, collection, body, sent_at).await? {
                let warnings = adoption_warning(what, &object, &lost);
                return Ok(Created { object, warnings });
            }
            if sends >= MAX_SENDS {
                return Err(lost);
            }
            log::warn(
                "Graph did not create the object; sending the create again",
                &[("object", what)],
            );
        }
    }

    /// Notes an object id a state holds: no lost create of this process will take it.
    pub fn saw(&self, id: &str) {
        let mut known = self.known.lock().unwrap_or_else(|e| e.into_inner());
        known.insert(id.to_lowercase());
    }

    /// The object a lost create made, if Graph shows exactly one, taken for this create.
    async fn find(
        &self,
        client: &GraphClient,
        api: Api,
        collection: &str,
        body: &Json,
        sent_at: OffsetDateTime,
    ) -> Result<Option<Json>, GraphError> {
        let pauses = std::iter::once(Duration::ZERO).chain(eventual::backoff(SEARCH_FOR));
        for pause in pauses {
            tokio::time::sleep(pause).await;
            let listed = client.list::<Json>(api, collection).await?;
            // After the listing, whose `Date` is the latest.
            let since = match client.graph_time(sent_at) {
                Some(t) => t - CLOCK_SKEW,
                None => sent_at - LOCAL_CLOCK_SLACK,
            };
            let mut known = self.known.lock().unwrap_or_else(|e| e.into_inner());
            let found: Vec<Json> = listed
                .into_iter()
                .filter(|o| {
                    let id = o["id"].as_str().unwrap_or_default().to_lowercase();
                    !id.is_empty() && !known.contains(&id)
                })
                .filter(|o| created_since(o, since) && same_content(body, o))
                .collect();
            match found.as_slice() {
                [] => continue,
                [object] => {
                    known.insert(object["id"].as_str().unwrap_or_default().to_lowercase());
                    return Ok(Some(object.clone()));
                }
                several => return Err(several_candidates(collection, several)),
            }
        }
        Ok(None)
    }
}

fn adoption_warning(what: &str, object: &Json, lost: &GraphError) -> Diagnostics {
    let detail = format!(
        "The answer to creating it did not arrive ({lost}). Graph had created it all the same: object {} (created {}, after the create was sent) has this display name and the configured settings, so it is now in the state instead of a second copy being created.",
        object["id"].as_str().unwrap_or("?"),
        object["createdDateTime"].as_str().unwrap_or("at an unknown time"),
    );
    let mut d = Diagnostics::default();
    d.push_warning(
        format!("Took over the {what} that a create with a lost answer made"),
        detail,
    );
    d
}

/// Another writer (a second Terraform run declaring the same object, a person in the portal)
/// created the same object at the same time: which one is ours cannot be told.
fn several_candidates(collection: &str, found: &[Json]) -> GraphError {
    let ids: Vec<String> = found
        .iter()
        .map(|o| {
            format!(
                "{} (created {})",
                o["id"].as_str().unwrap_or("?"),
                o["createdDateTime"]
                    .as_str()
                    .unwrap_or("at an unknown time")
            )
        })
        .collect();
    GraphError::NoAnswer {
        method: "POST".into(),
        path: collection.into(),
        message: format!(
            "its answer was lost, and since it was sent Graph has come to hold {} objects with this display name and these settings: {}. Which of them this create made cannot be told, so none was put in the state. If another Terraform configuration or a person creates the same object, decide which object this configuration manages: import it (terraform import <address> <id>) and delete the others that nothing manages.",
            found.len(),
            ids.join(", ")
        ),
    }
}

/// Whether Graph says the object was created at `since` or later. An object without a
/// creation time passes (a strength's combination configurations have none, and live under
/// the strength this apply just created): name and content still decide.
fn created_since(object: &Json, since: OffsetDateTime) -> bool {
    match object["createdDateTime"]
        .as_str()
        .and_then(|t| OffsetDateTime::parse(t, &Rfc3339).ok())
    {
        Some(t) => t >= since,
        None => object["createdDateTime"].is_null(),
    }
}

/// Whether `held` (what Graph shows) carries everything `sent` (a create body) set: strings
/// compared without case (Graph rewrites enum and GUID case), lists as sets. What was left
/// empty is not compared: Graph fills its own defaults there, and a missed match would cost a
/// duplicate, while a false one needs an identical object created by someone else meanwhile.
pub fn same_content(sent: &Json, held: &Json) -> bool {
    match sent {
        _ if is_empty(sent) => true,
        Json::Object(fields) => fields
            .iter()
            .all(|(key, value)| same_content(value, held.get(key).unwrap_or(&Json::Null))),
        Json::Array(items) => match held.as_array() {
            Some(held_items) if held_items.len() == items.len() => {
                let mut unused: Vec<&Json> = held_items.iter().collect();
                items.iter().all(
                    |item| match unused.iter().position(|h| same_content(item, h)) {
                        Some(i) => {
                            unused.swap_remove(i);
                            true
                        }
                        None => false,
                    },
                )
            }
            _ => false,
        },
        Json::String(s) => held.as_str().is_some_and(|h| h.eq_ignore_ascii_case(s)),
        Json::Number(n) => held.as_f64().is_some() && held.as_f64() == n.as_f64(),
        Json::Bool(b) => held.as_bool() == Some(*b),
        Json::Null => unreachable!("null is empty"),
    }
}

fn is_empty(v: &Json) -> bool {
    match v {
        Json::Null => true,
        Json::Array(a) => a.is_empty(),
        Json::Object(o) => o.values().all(is_empty),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn graph_defaults_case_and_order_still_match() {
        let sent = json!({
            "displayName": "CA001 Block legacy auth",
            "state": "enabledForReportingButNotEnforced",
            "conditions": {
                "clientAppTypes": ["exchangeActiveSync", "other"],
                "users": {"includeUsers": ["All"], "excludeGroups": []},
                "locations": null
            },
            "grantControls": {"operator": "OR", "builtInControls": ["block"]}
        });
        let held = json!({
            "id": "0b5e4b8c-0000-4000-8000-000000000001",
            "displayName": "CA001 Block legacy auth",
            "state": "enabledForReportingButNotEnforced",
            "createdDateTime": "2026-11-23T10:00:00Z",
            "conditions": {
                "clientAppTypes": ["other", "exchangeActiveSync"],
                "users": {"includeUsers": ["all"], "excludeUsers": [], "excludeGroups": []},
                "applications": {"includeApplications": []}
            },
            "grantControls": {"operator": "OR", "builtInControls": ["block"], "customAuthenticationFactors": []},
            "sessionControls": null
        });
        assert!(same_content(&sent, &held));
    }

    #[test]
    fn a_different_setting_or_name_does_not_match() {
        let sent = json!({"displayName": "Office", "ipRanges": [{"cidrAddress": "10.0.0.0/8"}], "isTrusted": true});
        let same = json!({"displayName": "Office", "ipRanges": [{"@odata.type": "#microsoft.graph.iPv4CidrRange", "cidrAddress": "10.0.0.0/8"}], "isTrusted": true});
        assert!(same_content(&sent, &same));
        for held in [
            json!({"displayName": "Office 2", "ipRanges": [{"cidrAddress": "10.0.0.0/8"}], "isTrusted": true}),
            json!({"displayName": "Office", "ipRanges": [{"cidrAddress": "10.0.0.0/16"}], "isTrusted": true}),
            json!({"displayName": "Office", "ipRanges": [{"cidrAddress": "10.0.0.0/8"}], "isTrusted": false}),
            json!({"displayName": "Office", "ipRanges": [{"cidrAddress": "10.0.0.0/8"}, {"cidrAddress": "10.1.0.0/16"}], "isTrusted": true}),
            json!({"displayName": "Office", "isTrusted": true}),
        ] {
            assert!(!same_content(&sent, &held), "{held}");
        }
    }

    #[test]
    fn what_was_left_empty_is_graphs_to_fill() {
        let sent = json!({"displayName": "X", "countryLookupMethod": null, "conditions": {"excludeUsers": []}});
        assert!(same_content(&sent, &json!({"displayName": "X"})));
        assert!(same_content(
            &sent,
            &json!({"displayName": "X", "countryLookupMethod": "clientIpAddress"})
        ));
    }

    #[test]
    fn repeated_list_members_are_matched_one_to_one() {
        let sent = json!({"c": ["a", "a"]});
        assert!(same_content(&sent, &json!({"c": ["A", "a"]})));
        assert!(!same_content(&sent, &json!({"c": ["a", "b"]})));
    }

    #[test]
    fn only_objects_created_since_the_send_are_candidates() {
        let since = OffsetDateTime::parse("2026-11-23T10:00:00Z", &Rfc3339).unwrap();
        let at = |t: &str| json!({"createdDateTime": t});
        assert!(created_since(&at("2026-11-23T10:00:05.123Z"), since));
        assert!(created_since(&at("2026-11-23T10:00:00Z"), since));
        assert!(!created_since(&at("2026-11-23T09:59:59.9Z"), since));
        assert!(created_since(&json!({}), since));
        assert!(!created_since(&at("yesterday"), since));
    }
}
