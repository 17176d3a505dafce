//! Azure cloud metadata (`GET /metadata/endpoints?api-version=...`), what the azuread provider's
//! `metadata_host` and `az cloud register` read to find the login endpoint and Graph.
//!
//! Shape per go-azure-sdk's metadata client: `api-version=2022-09-01` returns ONE cloud object;
//! the older `2019-05-01` returns an array of clouds (go-azure-sdk falls back to it and picks by
//! name). We answer the same way.

use crate::state::SimState;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::Arc;

pub(crate) const CLOUD_NAME: &str = "EntraGraphSim";

pub(crate) fn cloud_document(state: &SimState) -> Value {
    let base = &state.info.authority_host;
    let graph = &state.info.graph_endpoint;
    json!({
        "portal": format!("{base}/_sim/portal"),
        "authentication": {
            "loginEndpoint": state.info.authority_host,
            "audiences": [format!("{base}/_sim/arm/"), format!("{base}/_sim/arm")],
            "tenant": "common",
            "identityProvider": "AAD"
        },
        "media": format!("{base}/_sim/media/"),
        "graphAudience": format!("{graph}/"),
        "graph": format!("{graph}/"),
        "name": CLOUD_NAME,
        "suffixes": {
            "azureDataLakeStoreFileSystem": "azuredatalakestore.sim.invalid",
            "acrLoginServer": "azurecr.sim.invalid",
            "sqlServerHostname": "database.sim.invalid",
            "azureDataLakeAnalyticsCatalogAndJob": "azuredatalakeanalytics.sim.invalid",
            "keyVaultDns": "vault.sim.invalid",
            "storage": "core.sim.invalid",
            "azureFrontDoorEndpointSuffix": "azurefd.sim.invalid",
            "storageSyncEndpointSuffix": "afs.sim.invalid",
            "mhsmDns": "managedhsm.sim.invalid",
            "mysqlServerEndpoint": "mysql.database.sim.invalid",
            "postgresqlServerEndpoint": "postgres.database.sim.invalid",
            "mariadbServerEndpoint": "mariadb.database.sim.invalid",
            "synapseAnalytics": "dev.azuresynapse.sim.invalid",
            "attestationEndpoint": "attest.sim.invalid"
        },
        "batch": format!("{base}/_sim/batch/"),
        "resourceManager": format!("{base}/_sim/arm/"),
        "vmImageAliasDoc": format!("{base}/_sim/aliases.json"),
        "activeDirectoryDataLake": format!("{base}/_sim/datalake/"),
        "sqlManagement": format!("{base}/_sim/sql/"),
        "microsoftGraphResourceId": format!("{graph}/"),
        "appInsightsResourceId": format!("{base}/_sim/appinsights"),
        "appInsightsTelemetryChannelResourceId": format!("{base}/_sim/appinsights/v2/track"),
        "attestationResourceId": format!("{base}/_sim/attest"),
        "synapseAnalyticsResourceId": format!("{base}/_sim/synapse"),
        "logAnalyticsResourceId": format!("{base}/_sim/loganalytics"),
        "ossrDbmsResourceId": format!("{base}/_sim/ossrdbms"),
        "gallery": format!("{base}/_sim/gallery/")
    })
}

pub(crate) async fn endpoints(
    State(state): State<Arc<SimState>>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let doc = cloud_document(&state);
    match q.get("api-version").map(String::as_str) {
        Some("2022-09-01") => axum::Json(doc).into_response(),
        _ => axum::Json(json!([doc])).into_response(),
    }
}
