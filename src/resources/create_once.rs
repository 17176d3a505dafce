//! Creates an object once, even when Graph's answer is lost.
//!
//! A POST whose answer never arrives (connection reset or timeout after sending, a gateway's
//! 5xx, a success without the object) may still have created the object. Sending it again
//! blindly would make a second policy with the same name, the first one living on outside the
//! state. So after such a failure we look for the object first: same display name, created
//! between just before we sent and now, holding what we sent, and not already taken by another
//! create of this process. Found: it goes into the state, with a warning saying so. Not found
//! once Graph's replication has had time to show it: Graph did not act, and the POST is sent
//! again.

use crate::graph::{time_scale, Api, GraphClient, GraphError};
use crate::plugin::diag::Diagnostics;
use crate::plugin::log;
use serde_json::Value as Json;
use std::collections::HashSet;
use std::time::Duration;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use tokio::sync::Mutex;

/// Pauses between searches for an object whose create lost its answer: together longer than
/// Graph usually takes to show a new object in its listings.
const SEARCH_PAUSES_MS: [u64; 5] = [0, 1000, 2000, 4000, 8000];
/// How often one create is sent when each attempt loses its answer and finds nothing. Each
/// loss is rare; five in a row means Graph is down, not unlucky.
const MAX_SENDS: u32 = 5;
/// Slack around our own clock when comparing with Graph's `createdDateTime`.
const CLOCK_SLACK: time::Duration = time::Duration::minutes(5);

/// The object Graph holds after a create, and what the user should know about how we got it.
pub struct Created {
    pub object: Json,
    pub warnings: Diagnostics,
}

/// Per resource type: the ids this process has created, so that two creates of identical
/// objects whose answers were both lost do not take the same one.
#[derive(Default)]
pub struct CreateOnce {
    claimed: Mutex<HashSet<String>>,
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
                    self.claim(&object).await;
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
            if let Some((object, twins)) = self.find(client, api, collection, body, sent_at).await?
            {
                let warnings = adoption_warning(what, &object, &twins, &lost);
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

    async fn claim(&self, object: &Json) {
        if let Some(id) = object["id"].as_str() {
            self.claimed.lock().await.insert(id.to_lowercase());
        }
    }

    /// The object a lost create made, if Graph shows one, claimed for this create.
    async fn find(
        &self,
        client: &GraphClient,
        api: Api,
        collection: &str,
        body: &Json,
        sent_at: OffsetDateTime,
    ) -> Result<Option<(Json, Vec<String>)>, GraphError> {
        for pause in SEARCH_PAUSES_MS {
            tokio::time::sleep(time_scale::scaled(Duration::from_millis(pause))).await;
            let listed = client.list::<Json>(api, collection).await?;
            let now = OffsetDateTime::now_utc();
            let mut claimed = self.claimed.lock().await;
            let mut found: Vec<Json> = listed
                .into_iter()
                .filter(|o| {
                    let id = o["id"].as_str().unwrap_or_default().to_lowercase();
                    !id.is_empty() && !claimed.contains(&id)
                })
                .filter(|o| created_between(o, sent_at, now) && same_content(body, o))
                .collect();
            found.sort_by_key(|o| {
                o["createdDateTime"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string()
            });
            if let Some(object) = found.first() {
                claimed.insert(object["id"].as_str().unwrap_or_default().to_lowercase());
                let twins = found[1..]
                    .iter()
                    .filter_map(|o| o["id"].as_str().map(str::to_string))
                    .collect();
                return Ok(Some((object.clone(), twins)));
            }
        }
        Ok(None)
    }
}

/// `twins`: other objects that match as well, which another writer (a second Terraform run
/// declaring the same object) created meanwhile; the earliest is taken, and the user told.
fn adoption_warning(what: &str, object: &Json, twins: &[String], lost: &GraphError) -> Diagnostics {
    let mut detail = format!(
        "The answer to creating it did not arrive ({lost}). Graph had created it all the same: object {} (created {}) has this display name and the configured settings, so it is now in the state instead of a second copy being created.",
        object["id"].as_str().unwrap_or("?"),
        object["createdDateTime"].as_str().unwrap_or("at an unknown time"),
    );
    if !twins.is_empty() {
        detail.push_str(&format!(
            " Other objects with the same name and settings were created at the same time ({}): if another Terraform configuration declares this object too, check which of them each state holds.",
            twins.join(", ")
        ));
    }
    let mut d = Diagnostics::default();
    d.push_warning(
        format!("Took over the {what} that a create with a lost answer made"),
        detail,
    );
    d
}

/// Whether Graph says the object was created after we sent the create (allowing for clock
/// differences). An object without a creation time passes: name and content still decide.
fn created_between(object: &Json, sent_at: OffsetDateTime, now: OffsetDateTime) -> bool {
    match object["createdDateTime"]
        .as_str()
        .and_then(|t| OffsetDateTime::parse(t, &Rfc3339).ok())
    {
        Some(t) => t >= sent_at - CLOCK_SLACK && t <= now + CLOCK_SLACK,
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
        let sent_at = OffsetDateTime::parse("2026-11-23T10:00:00Z", &Rfc3339).unwrap();
        let now = sent_at + time::Duration::seconds(20);
        let at = |t: &str| json!({"createdDateTime": t});
        assert!(created_between(
            &at("2026-11-23T10:00:05.123Z"),
            sent_at,
            now
        ));
        assert!(
            created_between(&at("2026-11-23T09:57:00Z"), sent_at, now),
            "clock slack"
        );
        assert!(!created_between(&at("2026-11-23T09:00:00Z"), sent_at, now));
        assert!(!created_between(&at("2026-11-23T11:00:00Z"), sent_at, now));
        assert!(created_between(&json!({}), sent_at, now));
        assert!(!created_between(&at("yesterday"), sent_at, now));
    }
}
