//! Directory role definitions (graph-api.md §7): `GET /roleManagement/directory/roleDefinitions`
//! (`$filter` eq on displayName / templateId / isBuiltIn / isEnabled / id, `$select`, `$top`)
//! and `GET .../roleDefinitions/{id}`.
//!
//! The built-in roles of §7's table are always present, in the table's order, with
//! `id == templateId`. Custom roles exist only through `Simulator::add_custom_role` (creating
//! them over the API is not modelled); their `templateId` equals their id too, as in Graph.
//! Every role definition gets a PIM policy (see [`super::pim`]).

use super::{odata, GraphRequest, GraphResponse, Params, Route};
use crate::state::SimState;
use crate::store::Store;
use crate::Locked;
use axum::http::{Method, StatusCode};
use serde_json::{json, Map, Value};

const COLLECTION: &str = "/roleManagement/directory/roleDefinitions";
const ITEM: &str = "/roleManagement/directory/roleDefinitions/{id}";
const ENTITY_SET: &str = "roleManagement/directory/roleDefinitions";
const TYPE_NAME: &str = "microsoft.graph.unifiedRoleDefinition";

/// (display name, template id, description) of the built-in roles, in §7's order.
#[rustfmt::skip]
pub(crate) const BUILT_IN: [(&str, &str, &str); 31] = [
    ("Global Administrator", "62e90394-69f5-4237-9190-012177145e10", "Can manage all aspects of Microsoft Entra ID and Microsoft services that use Microsoft Entra identities."),
    ("Privileged Role Administrator", "e8611ab8-c189-46e8-94e1-60213ab1f814", "Can manage role assignments in Microsoft Entra ID, and all aspects of Privileged Identity Management."),
    ("Application Administrator", "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3", "Can create and manage all aspects of app registrations and enterprise apps."),
    ("Conditional Access Administrator", "b1be1c3e-b65d-4f19-8427-f6fa0d97feb9", "Can manage Conditional Access capabilities."),
    ("Security Administrator", "194ae4cb-b126-40b2-bd5b-6091b380977d", "Can read security information and reports, and manage configuration in Microsoft Entra ID and Office 365."),
    ("User Administrator", "fe930be7-5e62-47db-91af-98c3a49a38b1", "Can manage all aspects of users and groups, including resetting passwords for limited admins."),
    ("Authentication Administrator", "c4e39bd9-1100-46d3-8c65-fb160da0071f", "Can access to view, set and reset authentication method information for any non-admin user."),
    ("Privileged Authentication Administrator", "7be44c8a-adaf-4e2a-84d6-ab2649e08a13", "Can access to view, set and reset authentication method information for any user (admin or non-admin)."),
    ("Helpdesk Administrator", "729827e3-9c14-49f7-bb1b-9608f156bbb8", "Can reset passwords for non-administrators and Helpdesk Administrators."),
    ("Exchange Administrator", "29232cdf-9323-42fd-ade2-1d097af3e4de", "Can manage all aspects of the Exchange product."),
    ("SharePoint Administrator", "f28a1f50-f6e7-4571-818b-6a12f2af6b6c", "Can manage all aspects of the SharePoint service."),
    ("Reports Reader", "4a5d8f65-41da-4de4-8968-e035b65339cf", "Can read sign-in and audit reports."),
    ("Global Reader", "f2ef992c-3afb-46b9-b7cf-a126ee74c451", "Can read everything that a Global Administrator can, but not update anything."),
    ("Security Reader", "5d6b6bb7-de71-4623-b4af-96380a352509", "Can read security information and reports in Microsoft Entra ID and Office 365."),
    ("Cloud Application Administrator", "158c047a-c907-4556-b7ef-446551a6b5f7", "Can create and manage all aspects of app registrations and enterprise apps except App Proxy."),
    ("Intune Administrator", "3a2c62db-5318-420d-8d74-23affee5d9d5", "Can manage all aspects of the Intune product."),
    ("Billing Administrator", "b0f54661-2d74-4c50-afa3-1ec803f12efe", "Can perform common billing related tasks like updating payment information."),
    ("Teams Administrator", "69091246-20e8-4a56-aa4d-066075b2a7a8", "Can manage the Microsoft Teams service."),
    ("Application Developer", "cf1c38e5-3621-4004-a7cb-879624dced7c", "Can create application registrations independent of the 'Users can register applications' setting."),
    ("Authentication Policy Administrator", "0526716b-113d-4c15-b2c8-68e3c22b9f80", "Can create and manage the authentication methods policy, tenant-wide MFA settings, password protection policy, and verifiable credentials."),
    ("Directory Readers", "88d8e3e3-8f55-4a1e-953a-9b9898b8876b", "Can read basic directory information. Commonly used to grant directory read access to applications and guests."),
    ("Directory Writers", "9360feb5-f418-4baa-8175-e2a00bac4301", "Can read and write basic directory information. For granting access to applications, not intended for users."),
    ("Groups Administrator", "fdd7a751-b60b-444a-984c-02652fe8fa1c", "Can create and manage groups and group settings like naming and expiration policies, and view group activity and audit reports."),
    ("Password Administrator", "966707d0-3269-4727-9be2-8c3a10f19b9d", "Can reset passwords for non-administrators and Password Administrators."),
    ("Hybrid Identity Administrator", "8ac3fc64-6eca-42ea-9e69-59f4c7b60eb2", "Can manage cloud provisioning, Microsoft Entra Connect, pass-through authentication, password hash synchronization, seamless single sign-on and federation settings."),
    ("Security Operator", "5f2222b1-57c3-48ba-8ad5-d4759f1fde6f", "Creates and manages security events."),
    ("Compliance Administrator", "17315797-102d-40b4-93e0-432062caca18", "Can read and manage compliance configuration and reports in Microsoft Entra ID and Microsoft 365."),
    ("Identity Governance Administrator", "45d8d3c5-c802-45c6-b32a-1d70b5e1e86e", "Manage access using Microsoft Entra ID for identity governance scenarios."),
    ("License Administrator", "4d6ac14f-3453-41d0-bef9-a3e0c569773a", "Can manage product licenses on users and groups."),
    ("Attribute Definition Reader", "1d336d2c-4ae8-42ef-9711-b3604ce3fc2c", "Read custom security attribute definitions."),
    ("Directory Synchronization Accounts", "d29b2b05-8046-44ba-8758-1e26182fcf32", "Only used by Microsoft Entra Connect service."),
];

/// One role definition (built-in or custom).
#[derive(Debug, Clone)]
pub(crate) struct RoleDefinition {
    /// Also the template id.
    pub(crate) id: String,
    pub(crate) display_name: String,
    pub(crate) description: Option<String>,
    pub(crate) built_in: bool,
}

/// The tenant's role definitions, built-ins first. `Default` holds the built-ins.
#[derive(Debug, Clone)]
pub(crate) struct RoleDefinitions {
    pub(crate) items: Vec<RoleDefinition>,
}

impl Default for RoleDefinitions {
    fn default() -> Self {
        RoleDefinitions {
            items: BUILT_IN
                .iter()
                .map(|(name, id, description)| RoleDefinition {
                    id: id.to_string(),
                    display_name: name.to_string(),
                    description: Some(description.to_string()),
                    built_in: true,
                })
                .collect(),
        }
    }
}

impl RoleDefinitions {
    pub(crate) fn get(&self, id: &str) -> Option<&RoleDefinition> {
        self.items.iter().find(|r| r.id.eq_ignore_ascii_case(id))
    }
}

/// Add a custom role definition (and its PIM policy); returns its id (= templateId).
pub(crate) fn add_custom_role(store: &mut Store, display_name: &str) -> String {
    let id = uuid::Uuid::new_v4().to_string();
    store.role_definitions.items.push(RoleDefinition {
        id: id.clone(),
        display_name: display_name.to_string(),
        description: None,
        built_in: false,
    });
    store.pim.add_role(&id);
    id
}

pub(crate) fn routes() -> Vec<Route> {
    vec![
        Route::new(Method::GET, COLLECTION, list),
        Route::new(Method::GET, ITEM, get),
    ]
}

/// The entity as Graph returns it (key order of the reference example).
pub(crate) fn render(r: &RoleDefinition) -> Value {
    json!({
        "id": r.id,
        "description": r.description,
        "displayName": r.display_name,
        "isBuiltIn": r.built_in,
        "isEnabled": true,
        "resourceScopes": ["/"],
        "templateId": r.id,
        "version": if r.built_in { json!("1") } else { Value::Null },
        "rolePermissions": [],
        "inheritsPermissionsFrom": [],
    })
}

fn list(state: &SimState, req: &GraphRequest, _: &Params) -> GraphResponse {
    let items: Vec<Value> = {
        let store = state.store.locked();
        store.role_definitions.items.iter().map(render).collect()
    };
    let items = match req.q("$filter") {
        None => items,
        Some(f) => match odata::parse_filter(
            f,
            &["id", "displayName", "templateId", "isBuiltIn", "isEnabled"],
            TYPE_NAME,
        ) {
            Ok(clauses) => items
                .into_iter()
                .filter(|i| odata::matches_filter(i, &clauses))
                .collect(),
            Err(m) => return req.bad_request(&m),
        },
    };
    odata::collection(state, req, ENTITY_SET, items)
}

fn get(state: &SimState, req: &GraphRequest, p: &Params) -> GraphResponse {
    let id = p.get("id");
    let entity = {
        let store = state.store.locked();
        store.role_definitions.get(id).map(render)
    };
    let Some(entity) = entity else {
        return req.error(
            StatusCode::NOT_FOUND,
            "Request_ResourceNotFound",
            &format!("Resource '{id}' does not exist or one of its queried reference-property objects are not present."),
        );
    };
    let mut body = Map::new();
    body.insert(
        "@odata.context".into(),
        json!(req.context_url(state, &format!("{ENTITY_SET}/$entity"))),
    );
    if let Value::Object(m) = odata::apply_select(req, entity) {
        body.extend(m);
    }
    GraphResponse::json(StatusCode::OK, Value::Object(body))
}
