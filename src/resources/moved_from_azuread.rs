//! Taking over resources from `hashicorp/azuread` with `moved` blocks (Terraform 1.8+,
//! OpenTofu 1.10+). Terraform hands us azuread's stored state as JSON, offline, without asking
//! azuread anything. We keep only the object's identity: the next refresh reads every setting
//! from Graph, exactly as after an import (and as proven on the corpus), so nothing depends on
//! how a given azuread version happened to store its attributes.

use crate::graph::ids::is_guid;
use crate::plugin::diag::Diagnostics;
use crate::plugin::resource::MovedFrom;

/// Whether the source is azuread: any registry host, the bare name older OpenTofu sends, or our
/// own address after `terraform state replace-provider` (the types still differ, so the move
/// still comes to us).
fn is_azuread(provider: &str) -> bool {
    let name = provider.trim_end_matches('/');
    name == "azuread" || name.ends_with("/hashicorp/azuread") || name.ends_with("/entra-iac/entra")
}

/// The object id of an azuread resource of `source_type` being moved, or `None` when the move
/// is not from that type. azuread 3.x stores `object_id` and a path-style `id`
/// (`/identity/conditionalAccess/policies/<guid>`); 2.x state (schema version 0) a bare GUID.
pub fn object_id(from: &MovedFrom<'_>, source_type: &str) -> Option<Result<String, Diagnostics>> {
    if from.type_name != source_type || !is_azuread(from.provider) {
        return None;
    }
    let text = |key: &str| from.state[key].as_str().filter(|s| !s.is_empty());
    let id = text("object_id").or_else(|| text("id").and_then(|id| id.rsplit('/').next()));
    Some(match id {
        Some(id) if is_guid(id) => Ok(id.to_lowercase()),
        _ => Err(Diagnostics::error(
            format!("The moved {source_type} has no object id"),
            format!(
                "Its stored state (schema version {}) holds neither object_id nor an id ending in a GUID, so it cannot be matched to a Graph object. Import it instead.",
                from.schema_version
            ),
        )),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const GUID: &str = "0fd4d7b4-1fa1-4c5b-9c2e-0c8d4f0f6b1a";

    fn moved<'a>(provider: &'a str, state: &'a serde_json::Value) -> MovedFrom<'a> {
        MovedFrom {
            provider,
            type_name: "azuread_named_location",
            schema_version: 1,
            state,
        }
    }

    #[test]
    fn the_id_comes_from_object_id_or_the_last_segment_of_id() {
        let v3 = json!({"id": format!("/identity/conditionalAccess/namedLocations/{GUID}"), "object_id": GUID});
        let v2 = json!({"id": GUID.to_uppercase()});
        let path_only = json!({"id": format!("/identity/conditionalAccess/namedLocations/{GUID}"), "object_id": ""});
        for state in [&v3, &v2, &path_only] {
            let got = object_id(
                &moved("registry.terraform.io/hashicorp/azuread", state),
                "azuread_named_location",
            );
            assert_eq!(got.unwrap().unwrap(), GUID, "{state}");
        }
    }

    #[test]
    fn every_form_of_azuread_address_is_accepted_and_nothing_else() {
        let state = json!({"object_id": GUID});
        for provider in [
            "registry.terraform.io/hashicorp/azuread",
            "registry.opentofu.org/hashicorp/azuread",
            "azuread",
            "registry.terraform.io/entra-iac/entra",
        ] {
            assert!(object_id(&moved(provider, &state), "azuread_named_location").is_some());
        }
        assert!(object_id(
            &moved("registry.terraform.io/someone/azuread-fork", &state),
            "azuread_named_location"
        )
        .is_none());
        assert!(object_id(
            &moved("azuread", &state),
            "azuread_conditional_access_policy"
        )
        .is_none());
    }

    #[test]
    fn a_state_without_an_object_id_is_refused_with_a_way_out() {
        let state = json!({"id": "not-a-guid"});
        let err = object_id(&moved("azuread", &state), "azuread_named_location")
            .unwrap()
            .unwrap_err();
        assert!(err.to_string().contains("Import it instead"), "{err}");
    }
}
