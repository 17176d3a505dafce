//! Reading Conditional Access policies on v1.0 and beta.

mod common;

use common::{graph_url, start};
use entra_graph_sim::SimOptions;
use serde_json::{json, Value};

#[tokio::test]
async fn stored_policies_are_listed_and_read_by_id() {
    let (sim, client) = start(SimOptions::default()).await;
    let id = sim.put_raw_policy(json!({"displayName": "CA001", "state": "enabled"}));
    let token = sim.mint_app_token();
    for version in ["v1.0", "beta"] {
        let list: Value = client
            .get(graph_url(
                &sim,
                &format!("/{version}/identity/conditionalAccess/policies"),
            ))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(list["value"][0]["id"], id.as_str());
        assert_eq!(list["value"][0]["displayName"], "CA001");
        assert!(list["@odata.context"]
            .as_str()
            .unwrap()
            .ends_with("identity/conditionalAccess/policies"));

        let one = client
            .get(graph_url(
                &sim,
                &format!("/{version}/identity/conditionalAccess/policies/{id}"),
            ))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(one.status(), 200);
        let one: Value = one.json().await.unwrap();
        assert_eq!(one["state"], "enabled");

        let missing = client
            .get(graph_url(&sim, &format!("/{version}/identity/conditionalAccess/policies/00000000-0000-0000-0000-000000000001")))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(missing.status(), 404);
        let body: Value = missing.json().await.unwrap();
        assert_eq!(body["error"]["code"], "ResourceNotFound");
    }
}
