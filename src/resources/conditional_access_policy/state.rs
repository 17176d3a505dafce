//! The resource's state (or configuration, or plan) as Rust types, one per block, so that a
//! misspelt attribute is a compile error rather than a silent null; tests hold their names to
//! the schema's at every level. Sets of strings read as `Option<Vec<String>>` in Terraform's
//! order (their known strings), `None` when null: Terraform tells a null set from an empty one
//! (Graph's `[]` client app types of an agent policy, a configured `[]`), and `to_value` writes
//! back whichever it was; `items` reads either as a slice. A block written once reads as `Some`
//! when it is there, even when its contents are unknown; unknown values read as `None` or are
//! left out, so code that must tell unknown from null (validation, the plan, the lockout guard)
//! reads the `Value` itself. `to_value` writes a state: every attribute present, a block as a
//! list of zero or one element, `None` as null, a number as it is.

use crate::plugin::value::{Number, Value};
use crate::resources::typed_state::{
    block, block_value, flag, flag_value, number, set_or_null_value, string, string_value,
    strings_or_null,
};

/// The strings of a set attribute, none when it is null.
pub(crate) fn items(set: &Option<Vec<String>>) -> &[String] {
    set.as_deref().unwrap_or_default()
}

/// The whole state.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct PolicyState {
    pub(crate) id: Option<String>,
    pub(crate) object_id: Option<String>,
    pub(crate) display_name: Option<String>,
    pub(crate) description: Option<String>,
    pub(crate) state: Option<String>,
    pub(crate) template_id: Option<String>,
    pub(crate) created_date_time: Option<String>,
    pub(crate) modified_date_time: Option<String>,
    pub(crate) graph_api_version: Option<String>,
    pub(crate) graph_api_version_reason: Option<String>,
    pub(crate) conditions: Option<ConditionsBlock>,
    pub(crate) grant_controls: Option<GrantControlsBlock>,
    pub(crate) session_controls: Option<SessionControlsBlock>,
}

/// `conditions { ... }`.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct ConditionsBlock {
    pub(crate) client_app_types: Option<Vec<String>>,
    pub(crate) user_risk_levels: Option<Vec<String>>,
    pub(crate) sign_in_risk_levels: Option<Vec<String>>,
    pub(crate) service_principal_risk_levels: Option<Vec<String>>,
    pub(crate) insider_risk_levels: Option<String>,
    pub(crate) authentication_flow_transfer_methods: Option<Vec<String>>,
    pub(crate) agent_id_risk_levels: Option<Vec<String>>,
    pub(crate) applications: Option<ApplicationsBlock>,
    pub(crate) users: Option<UsersBlock>,
    pub(crate) client_applications: Option<ClientApplicationsBlock>,
    pub(crate) devices: Option<DevicesBlock>,
    pub(crate) locations: Option<LocationsBlock>,
    pub(crate) platforms: Option<PlatformsBlock>,
}

/// `conditions { applications { ... } }`.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct ApplicationsBlock {
    pub(crate) included_applications: Option<Vec<String>>,
    pub(crate) excluded_applications: Option<Vec<String>>,
    pub(crate) included_user_actions: Option<Vec<String>>,
    pub(crate) included_authentication_context_class_references: Option<Vec<String>>,
    pub(crate) global_secure_access: Option<bool>,
    pub(crate) network_access: Option<bool>,
    pub(crate) filter: Option<FilterBlock>,
}

/// `conditions { users { ... } }`.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct UsersBlock {
    pub(crate) included_users: Option<Vec<String>>,
    pub(crate) excluded_users: Option<Vec<String>>,
    pub(crate) included_groups: Option<Vec<String>>,
    pub(crate) excluded_groups: Option<Vec<String>>,
    pub(crate) included_roles: Option<Vec<String>>,
    pub(crate) excluded_roles: Option<Vec<String>>,
    pub(crate) included_guests_or_external_users: Option<GuestsBlock>,
    pub(crate) excluded_guests_or_external_users: Option<GuestsBlock>,
}

/// `included_guests_or_external_users { ... }` and `excluded_guests_or_external_users { ... }`.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct GuestsBlock {
    pub(crate) guest_or_external_user_types: Option<Vec<String>>,
    pub(crate) external_tenants: Option<ExternalTenantsBlock>,
}

/// `external_tenants { ... }`, inside a guests block.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct ExternalTenantsBlock {
    pub(crate) membership_kind: Option<String>,
    pub(crate) members: Option<Vec<String>>,
}

/// `conditions { client_applications { ... } }`.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct ClientApplicationsBlock {
    pub(crate) included_service_principals: Option<Vec<String>>,
    pub(crate) excluded_service_principals: Option<Vec<String>>,
    pub(crate) included_agent_id_service_principals: Option<Vec<String>>,
    pub(crate) excluded_agent_id_service_principals: Option<Vec<String>>,
    pub(crate) filter: Option<FilterBlock>,
    pub(crate) agent_id_service_principal_filter: Option<FilterBlock>,
}

/// `conditions { devices { ... } }`.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct DevicesBlock {
    pub(crate) filter: Option<FilterBlock>,
}

/// `conditions { locations { ... } }`.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct LocationsBlock {
    pub(crate) included_locations: Option<Vec<String>>,
    pub(crate) excluded_locations: Option<Vec<String>>,
}

/// `conditions { platforms { ... } }`.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct PlatformsBlock {
    pub(crate) included_platforms: Option<Vec<String>>,
    pub(crate) excluded_platforms: Option<Vec<String>>,
}

/// The filter blocks of applications, service principals, agent identities and devices.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct FilterBlock {
    pub(crate) mode: Option<String>,
    pub(crate) rule: Option<String>,
}

/// `grant_controls { ... }`.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct GrantControlsBlock {
    pub(crate) operator: Option<String>,
    pub(crate) built_in_controls: Option<Vec<String>>,
    pub(crate) authentication_strength_policy_id: Option<String>,
    pub(crate) terms_of_use: Option<Vec<String>>,
    pub(crate) custom_authentication_factors: Option<Vec<String>>,
}

/// `session_controls { ... }`.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct SessionControlsBlock {
    pub(crate) application_enforced_restrictions_enabled: Option<bool>,
    pub(crate) cloud_app_security_policy: Option<String>,
    pub(crate) disable_resilience_defaults: Option<bool>,
    pub(crate) persistent_browser_mode: Option<String>,
    /// In the form it arrived in: a fraction is sent as Graph's `null`, not left out.
    pub(crate) sign_in_frequency: Option<Number>,
    pub(crate) sign_in_frequency_period: Option<String>,
    pub(crate) sign_in_frequency_authentication_type: Option<String>,
    pub(crate) sign_in_frequency_interval: Option<String>,
    pub(crate) continuous_access_evaluation_mode: Option<String>,
    pub(crate) secure_sign_in_session_enabled: Option<bool>,
    pub(crate) global_secure_access_filtering_profile_id: Option<String>,
}

impl PolicyState {
    pub(crate) fn of(v: &Value) -> PolicyState {
        PolicyState {
            id: string(v, "id"),
            object_id: string(v, "object_id"),
            display_name: string(v, "display_name"),
            description: string(v, "description"),
            state: string(v, "state"),
            template_id: string(v, "template_id"),
            created_date_time: string(v, "created_date_time"),
            modified_date_time: string(v, "modified_date_time"),
            graph_api_version: string(v, "graph_api_version"),
            graph_api_version_reason: string(v, "graph_api_version_reason"),
            conditions: block(v, "conditions", ConditionsBlock::of),
            grant_controls: block(v, "grant_controls", GrantControlsBlock::of),
            session_controls: block(v, "session_controls", SessionControlsBlock::of),
        }
    }
}

impl ConditionsBlock {
    fn of(v: &Value) -> ConditionsBlock {
        ConditionsBlock {
            client_app_types: strings_or_null(v, "client_app_types"),
            user_risk_levels: strings_or_null(v, "user_risk_levels"),
            sign_in_risk_levels: strings_or_null(v, "sign_in_risk_levels"),
            service_principal_risk_levels: strings_or_null(v, "service_principal_risk_levels"),
            insider_risk_levels: string(v, "insider_risk_levels"),
            authentication_flow_transfer_methods: strings_or_null(
                v,
                "authentication_flow_transfer_methods",
            ),
            agent_id_risk_levels: strings_or_null(v, "agent_id_risk_levels"),
            applications: block(v, "applications", |b| ApplicationsBlock {
                included_applications: strings_or_null(b, "included_applications"),
                excluded_applications: strings_or_null(b, "excluded_applications"),
                included_user_actions: strings_or_null(b, "included_user_actions"),
                included_authentication_context_class_references: strings_or_null(
                    b,
                    "included_authentication_context_class_references",
                ),
                global_secure_access: flag(b, "global_secure_access"),
                network_access: flag(b, "network_access"),
                filter: block(b, "filter", FilterBlock::of),
            }),
            users: block(v, "users", |b| UsersBlock {
                included_users: strings_or_null(b, "included_users"),
                excluded_users: strings_or_null(b, "excluded_users"),
                included_groups: strings_or_null(b, "included_groups"),
                excluded_groups: strings_or_null(b, "excluded_groups"),
                included_roles: strings_or_null(b, "included_roles"),
                excluded_roles: strings_or_null(b, "excluded_roles"),
                included_guests_or_external_users: block(
                    b,
                    "included_guests_or_external_users",
                    GuestsBlock::of,
                ),
                excluded_guests_or_external_users: block(
                    b,
                    "excluded_guests_or_external_users",
                    GuestsBlock::of,
                ),
            }),
            client_applications: block(v, "client_applications", |b| ClientApplicationsBlock {
                included_service_principals: strings_or_null(b, "included_service_principals"),
                excluded_service_principals: strings_or_null(b, "excluded_service_principals"),
                included_agent_id_service_principals: strings_or_null(
                    b,
                    "included_agent_id_service_principals",
                ),
                excluded_agent_id_service_principals: strings_or_null(
                    b,
                    "excluded_agent_id_service_principals",
                ),
                filter: block(b, "filter", FilterBlock::of),
                agent_id_service_principal_filter: block(
                    b,
                    "agent_id_service_principal_filter",
                    FilterBlock::of,
                ),
            }),
            devices: block(v, "devices", |b| DevicesBlock {
                filter: block(b, "filter", FilterBlock::of),
            }),
            locations: block(v, "locations", |b| LocationsBlock {
                included_locations: strings_or_null(b, "included_locations"),
                excluded_locations: strings_or_null(b, "excluded_locations"),
            }),
            platforms: block(v, "platforms", |b| PlatformsBlock {
                included_platforms: strings_or_null(b, "included_platforms"),
                excluded_platforms: strings_or_null(b, "excluded_platforms"),
            }),
        }
    }
}

impl GuestsBlock {
    fn of(v: &Value) -> GuestsBlock {
        GuestsBlock {
            guest_or_external_user_types: strings_or_null(v, "guest_or_external_user_types"),
            external_tenants: block(v, "external_tenants", |b| ExternalTenantsBlock {
                membership_kind: string(b, "membership_kind"),
                members: strings_or_null(b, "members"),
            }),
        }
    }
}

impl FilterBlock {
    fn of(v: &Value) -> FilterBlock {
        FilterBlock {
            mode: string(v, "mode"),
            rule: string(v, "rule"),
        }
    }
}

impl GrantControlsBlock {
    /// Reads the block's element (`Value::block("grant_controls")`).
    pub(crate) fn of(v: &Value) -> GrantControlsBlock {
        GrantControlsBlock {
            operator: string(v, "operator"),
            built_in_controls: strings_or_null(v, "built_in_controls"),
            authentication_strength_policy_id: string(v, "authentication_strength_policy_id"),
            terms_of_use: strings_or_null(v, "terms_of_use"),
            custom_authentication_factors: strings_or_null(v, "custom_authentication_factors"),
        }
    }

    /// Whether the block requires anything of a known value (an operator alone does not).
    pub(crate) fn requires_something(&self) -> bool {
        !items(&self.built_in_controls).is_empty()
            || self
                .authentication_strength_policy_id
                .as_deref()
                .is_some_and(|s| !s.is_empty())
            || !items(&self.terms_of_use).is_empty()
            || !items(&self.custom_authentication_factors).is_empty()
    }
}

impl SessionControlsBlock {
    fn of(v: &Value) -> SessionControlsBlock {
        SessionControlsBlock {
            application_enforced_restrictions_enabled: flag(
                v,
                "application_enforced_restrictions_enabled",
            ),
            cloud_app_security_policy: string(v, "cloud_app_security_policy"),
            disable_resilience_defaults: flag(v, "disable_resilience_defaults"),
            persistent_browser_mode: string(v, "persistent_browser_mode"),
            sign_in_frequency: number(v, "sign_in_frequency"),
            sign_in_frequency_period: string(v, "sign_in_frequency_period"),
            sign_in_frequency_authentication_type: string(
                v,
                "sign_in_frequency_authentication_type",
            ),
            sign_in_frequency_interval: string(v, "sign_in_frequency_interval"),
            continuous_access_evaluation_mode: string(v, "continuous_access_evaluation_mode"),
            secure_sign_in_session_enabled: flag(v, "secure_sign_in_session_enabled"),
            global_secure_access_filtering_profile_id: string(
                v,
                "global_secure_access_filtering_profile_id",
            ),
        }
    }
}

impl PolicyState {
    /// The `Value` Terraform stores, every attribute present.
    pub(crate) fn to_value(&self) -> Value {
        Value::object([
            ("id", string_value(&self.id)),
            ("object_id", string_value(&self.object_id)),
            ("display_name", string_value(&self.display_name)),
            ("description", string_value(&self.description)),
            ("state", string_value(&self.state)),
            ("template_id", string_value(&self.template_id)),
            ("created_date_time", string_value(&self.created_date_time)),
            ("modified_date_time", string_value(&self.modified_date_time)),
            ("graph_api_version", string_value(&self.graph_api_version)),
            (
                "graph_api_version_reason",
                string_value(&self.graph_api_version_reason),
            ),
            (
                "conditions",
                block_value(&self.conditions, ConditionsBlock::to_value),
            ),
            (
                "grant_controls",
                block_value(&self.grant_controls, GrantControlsBlock::to_value),
            ),
            (
                "session_controls",
                block_value(&self.session_controls, SessionControlsBlock::to_value),
            ),
        ])
    }
}

impl ConditionsBlock {
    /// The block's element.
    pub(crate) fn to_value(&self) -> Value {
        Value::object([
            (
                "client_app_types",
                set_or_null_value(&self.client_app_types),
            ),
            (
                "user_risk_levels",
                set_or_null_value(&self.user_risk_levels),
            ),
            (
                "sign_in_risk_levels",
                set_or_null_value(&self.sign_in_risk_levels),
            ),
            (
                "service_principal_risk_levels",
                set_or_null_value(&self.service_principal_risk_levels),
            ),
            (
                "insider_risk_levels",
                string_value(&self.insider_risk_levels),
            ),
            (
                "authentication_flow_transfer_methods",
                set_or_null_value(&self.authentication_flow_transfer_methods),
            ),
            (
                "agent_id_risk_levels",
                set_or_null_value(&self.agent_id_risk_levels),
            ),
            (
                "applications",
                block_value(&self.applications, ApplicationsBlock::to_value),
            ),
            ("users", block_value(&self.users, UsersBlock::to_value)),
            (
                "client_applications",
                block_value(&self.client_applications, ClientApplicationsBlock::to_value),
            ),
            (
                "devices",
                block_value(&self.devices, DevicesBlock::to_value),
            ),
            (
                "locations",
                block_value(&self.locations, LocationsBlock::to_value),
            ),
            (
                "platforms",
                block_value(&self.platforms, PlatformsBlock::to_value),
            ),
        ])
    }
}

impl ApplicationsBlock {
    /// The block's element.
    pub(crate) fn to_value(&self) -> Value {
        Value::object([
            (
                "included_applications",
                set_or_null_value(&self.included_applications),
            ),
            (
                "excluded_applications",
                set_or_null_value(&self.excluded_applications),
            ),
            (
                "included_user_actions",
                set_or_null_value(&self.included_user_actions),
            ),
            (
                "included_authentication_context_class_references",
                set_or_null_value(&self.included_authentication_context_class_references),
            ),
            (
                "global_secure_access",
                flag_value(self.global_secure_access),
            ),
            ("network_access", flag_value(self.network_access)),
            ("filter", block_value(&self.filter, FilterBlock::to_value)),
        ])
    }
}

impl UsersBlock {
    /// The block's element.
    pub(crate) fn to_value(&self) -> Value {
        Value::object([
            ("included_users", set_or_null_value(&self.included_users)),
            ("excluded_users", set_or_null_value(&self.excluded_users)),
            ("included_groups", set_or_null_value(&self.included_groups)),
            ("excluded_groups", set_or_null_value(&self.excluded_groups)),
            ("included_roles", set_or_null_value(&self.included_roles)),
            ("excluded_roles", set_or_null_value(&self.excluded_roles)),
            (
                "included_guests_or_external_users",
                block_value(
                    &self.included_guests_or_external_users,
                    GuestsBlock::to_value,
                ),
            ),
            (
                "excluded_guests_or_external_users",
                block_value(
                    &self.excluded_guests_or_external_users,
                    GuestsBlock::to_value,
                ),
            ),
        ])
    }
}

impl GuestsBlock {
    /// The block's element.
    pub(crate) fn to_value(&self) -> Value {
        Value::object([
            (
                "guest_or_external_user_types",
                set_or_null_value(&self.guest_or_external_user_types),
            ),
            (
                "external_tenants",
                block_value(&self.external_tenants, ExternalTenantsBlock::to_value),
            ),
        ])
    }
}

impl ExternalTenantsBlock {
    /// The block's element.
    pub(crate) fn to_value(&self) -> Value {
        Value::object([
            ("membership_kind", string_value(&self.membership_kind)),
            ("members", set_or_null_value(&self.members)),
        ])
    }
}

impl ClientApplicationsBlock {
    /// The block's element.
    pub(crate) fn to_value(&self) -> Value {
        Value::object([
            (
                "included_service_principals",
                set_or_null_value(&self.included_service_principals),
            ),
            (
                "excluded_service_principals",
                set_or_null_value(&self.excluded_service_principals),
            ),
            (
                "included_agent_id_service_principals",
                set_or_null_value(&self.included_agent_id_service_principals),
            ),
            (
                "excluded_agent_id_service_principals",
                set_or_null_value(&self.excluded_agent_id_service_principals),
            ),
            ("filter", block_value(&self.filter, FilterBlock::to_value)),
            (
                "agent_id_service_principal_filter",
                block_value(
                    &self.agent_id_service_principal_filter,
                    FilterBlock::to_value,
                ),
            ),
        ])
    }
}

impl DevicesBlock {
    /// The block's element.
    pub(crate) fn to_value(&self) -> Value {
        Value::object([("filter", block_value(&self.filter, FilterBlock::to_value))])
    }
}

impl LocationsBlock {
    /// The block's element.
    pub(crate) fn to_value(&self) -> Value {
        Value::object([
            (
                "included_locations",
                set_or_null_value(&self.included_locations),
            ),
            (
                "excluded_locations",
                set_or_null_value(&self.excluded_locations),
            ),
        ])
    }
}

impl PlatformsBlock {
    /// The block's element.
    pub(crate) fn to_value(&self) -> Value {
        Value::object([
            (
                "included_platforms",
                set_or_null_value(&self.included_platforms),
            ),
            (
                "excluded_platforms",
                set_or_null_value(&self.excluded_platforms),
            ),
        ])
    }
}

impl FilterBlock {
    /// The block's element.
    pub(crate) fn to_value(&self) -> Value {
        Value::object([
            ("mode", string_value(&self.mode)),
            ("rule", string_value(&self.rule)),
        ])
    }
}

impl GrantControlsBlock {
    /// The block's element.
    pub(crate) fn to_value(&self) -> Value {
        Value::object([
            ("operator", string_value(&self.operator)),
            (
                "built_in_controls",
                set_or_null_value(&self.built_in_controls),
            ),
            (
                "authentication_strength_policy_id",
                string_value(&self.authentication_strength_policy_id),
            ),
            ("terms_of_use", set_or_null_value(&self.terms_of_use)),
            (
                "custom_authentication_factors",
                set_or_null_value(&self.custom_authentication_factors),
            ),
        ])
    }
}

impl SessionControlsBlock {
    /// The block's element.
    pub(crate) fn to_value(&self) -> Value {
        Value::object([
            (
                "application_enforced_restrictions_enabled",
                flag_value(self.application_enforced_restrictions_enabled),
            ),
            (
                "cloud_app_security_policy",
                string_value(&self.cloud_app_security_policy),
            ),
            (
                "disable_resilience_defaults",
                flag_value(self.disable_resilience_defaults),
            ),
            (
                "persistent_browser_mode",
                string_value(&self.persistent_browser_mode),
            ),
            (
                "sign_in_frequency",
                self.sign_in_frequency
                    .clone()
                    .map_or(Value::Null, Value::Number),
            ),
            (
                "sign_in_frequency_period",
                string_value(&self.sign_in_frequency_period),
            ),
            (
                "sign_in_frequency_authentication_type",
                string_value(&self.sign_in_frequency_authentication_type),
            ),
            (
                "sign_in_frequency_interval",
                string_value(&self.sign_in_frequency_interval),
            ),
            (
                "continuous_access_evaluation_mode",
                string_value(&self.continuous_access_evaluation_mode),
            ),
            (
                "secure_sign_in_session_enabled",
                flag_value(self.secure_sign_in_session_enabled),
            ),
            (
                "global_secure_access_filtering_profile_id",
                string_value(&self.global_secure_access_filtering_profile_id),
            ),
        ])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plugin::schema::{AttributeType, Block, Type};

    /// A state type's field names as listed, which must be all of its fields: the pattern has no
    /// `..`, so a field added, removed or renamed without the list is a compile error.
    macro_rules! fields {
        ($t:ident { $($f:ident),* $(,)? }) => {{
            let _exhaustive = |s: $t| {
                let $t { $($f: _),* } = s;
            };
            vec![$(stringify!($f)),*]
        }};
    }

    /// The names each block's type carries are the schema's, in order, at every level.
    #[test]
    fn the_state_types_are_the_schema() {
        let filter = || fields!(FilterBlock { mode, rule });
        let guests = || {
            fields!(GuestsBlock {
                guest_or_external_user_types,
                external_tenants,
            })
        };
        let tenants = || {
            fields!(ExternalTenantsBlock {
                membership_kind,
                members
            })
        };
        let types = [
            (
                "",
                fields!(PolicyState {
                    id,
                    object_id,
                    display_name,
                    description,
                    state,
                    template_id,
                    created_date_time,
                    modified_date_time,
                    graph_api_version,
                    graph_api_version_reason,
                    conditions,
                    grant_controls,
                    session_controls,
                }),
            ),
            (
                "conditions",
                fields!(ConditionsBlock {
                    client_app_types,
                    user_risk_levels,
                    sign_in_risk_levels,
                    service_principal_risk_levels,
                    insider_risk_levels,
                    authentication_flow_transfer_methods,
                    agent_id_risk_levels,
                    applications,
                    users,
                    client_applications,
                    devices,
                    locations,
                    platforms,
                }),
            ),
            (
                "conditions.applications",
                fields!(ApplicationsBlock {
                    included_applications,
                    excluded_applications,
                    included_user_actions,
                    included_authentication_context_class_references,
                    global_secure_access,
                    network_access,
                    filter,
                }),
            ),
            ("conditions.applications.filter", filter()),
            (
                "conditions.users",
                fields!(UsersBlock {
                    included_users,
                    excluded_users,
                    included_groups,
                    excluded_groups,
                    included_roles,
                    excluded_roles,
                    included_guests_or_external_users,
                    excluded_guests_or_external_users,
                }),
            ),
            (
                "conditions.users.included_guests_or_external_users",
                guests(),
            ),
            (
                "conditions.users.included_guests_or_external_users.external_tenants",
                tenants(),
            ),
            (
                "conditions.users.excluded_guests_or_external_users",
                guests(),
            ),
            (
                "conditions.users.excluded_guests_or_external_users.external_tenants",
                tenants(),
            ),
            (
                "conditions.client_applications",
                fields!(ClientApplicationsBlock {
                    included_service_principals,
                    excluded_service_principals,
                    included_agent_id_service_principals,
                    excluded_agent_id_service_principals,
                    filter,
                    agent_id_service_principal_filter,
                }),
            ),
            ("conditions.client_applications.filter", filter()),
            (
                "conditions.client_applications.agent_id_service_principal_filter",
                filter(),
            ),
            ("conditions.devices", fields!(DevicesBlock { filter })),
            ("conditions.devices.filter", filter()),
            (
                "conditions.locations",
                fields!(LocationsBlock {
                    included_locations,
                    excluded_locations,
                }),
            ),
            (
                "conditions.platforms",
                fields!(PlatformsBlock {
                    included_platforms,
                    excluded_platforms,
                }),
            ),
            (
                "grant_controls",
                fields!(GrantControlsBlock {
                    operator,
                    built_in_controls,
                    authentication_strength_policy_id,
                    terms_of_use,
                    custom_authentication_factors,
                }),
            ),
            (
                "session_controls",
                fields!(SessionControlsBlock {
                    application_enforced_restrictions_enabled,
                    cloud_app_security_policy,
                    disable_resilience_defaults,
                    persistent_browser_mode,
                    sign_in_frequency,
                    sign_in_frequency_period,
                    sign_in_frequency_authentication_type,
                    sign_in_frequency_interval,
                    continuous_access_evaluation_mode,
                    secure_sign_in_session_enabled,
                    global_secure_access_filtering_profile_id,
                }),
            ),
        ];
        let types: Vec<(String, String)> = types
            .into_iter()
            .map(|(path, names)| (path.into(), names.join(",")))
            .collect();
        assert_eq!(
            types,
            super::super::schema::schema().block.state_names_by_path()
        );
    }

    /// A value for every attribute and block of `block`: each string and set of strings holds
    /// its own name, so that the test below sees which field read what.
    fn full(block: &Block) -> Value {
        let attributes = block.attributes.iter().map(|a| {
            let value = match &a.ty {
                AttributeType::Plain(Type::String) => Value::string(&a.name),
                AttributeType::Plain(Type::Set(_)) => Value::string_set([&a.name]),
                AttributeType::Plain(Type::Bool) => Value::Bool(true),
                AttributeType::Plain(Type::Number) => Value::Number(Number::Int(1)),
                other => panic!("{}: no state type reads {other:?}", a.name),
            };
            (a.name.clone(), value)
        });
        let blocks = block
            .block_types
            .iter()
            .map(|b| (b.type_name.clone(), Value::List(vec![full(&b.block)])));
        Value::object(attributes.chain(blocks))
    }

    /// Every name is read, each into its own field, from a value setting all of them.
    #[test]
    fn every_name_is_read() {
        let schema = super::super::schema::schema().block;
        let state = PolicyState::of(&full(&schema));
        let shown = format!("{state:?}");
        assert!(!shown.contains("None") && !shown.contains("[]"), "{shown}");
        fn attributes(block: &Block, out: &mut Vec<String>) {
            out.extend(block.attributes.iter().map(|a| a.name.clone()));
            for b in &block.block_types {
                if b.type_name != crate::plugin::timeouts::BLOCK {
                    attributes(&b.block, out);
                }
            }
        }
        let mut names = Vec::new();
        attributes(&schema, &mut names);
        for name in names {
            let read = [
                format!("{name}: Some(\"{name}\")"),
                format!("{name}: Some([\"{name}\"])"),
                format!("{name}: Some(true)"),
                format!("{name}: Some(Int(1))"),
            ];
            assert!(read.iter().any(|r| shown.contains(r)), "{name}: {shown}");
        }
        assert_eq!(PolicyState::of(&Value::Null), PolicyState::default());
    }

    /// Every name is written back under its own name: the fully populated state round-trips.
    #[test]
    fn every_name_is_written() {
        let schema = super::super::schema::schema().block;
        let mut v = full(&schema);
        // The time limits are the framework's, not the policy's: no state type has them.
        if let Value::Object(m) = &mut v {
            m.remove(crate::plugin::timeouts::BLOCK);
        }
        assert_eq!(PolicyState::of(&v).to_value(), v);
        // Absent attributes are null, absent blocks empty lists, and sets keep null apart from
        // empty.
        let empty = PolicyState {
            conditions: Some(ConditionsBlock {
                client_app_types: Some(vec![]),
                ..ConditionsBlock::default()
            }),
            ..PolicyState::default()
        };
        let written = empty.to_value();
        assert_eq!(PolicyState::of(&written), empty);
        let Value::Object(top) = &written else {
            panic!("{written:?}")
        };
        assert_eq!(top.keys().map(String::as_str).collect::<Vec<_>>(), {
            let mut names = schema.state_names();
            names.sort_unstable();
            names
        });
        assert!(top
            .iter()
            .all(|(k, v)| k == "conditions" || v.is_null() || *v == Value::List(vec![])));
        let c = written.block("conditions");
        assert_eq!(c.get("client_app_types"), &Value::Set(vec![]));
        assert_eq!(c.get("user_risk_levels"), &Value::Null);
        assert_eq!(c.get("applications"), &Value::List(vec![]));
    }

    /// The state read from every corpus policy and Graph example is written back as it was.
    #[test]
    fn corpus_states_round_trip() {
        use super::super::tests::{corpus_policies, shared};
        use super::super::{from_graph, state_from_graph};
        let mut policies: Vec<serde_json::Value> =
            corpus_policies().into_iter().map(|(_, p)| p).collect();
        for example in [
            "ca-policy.create.response.json",
            "ca-policy.get.beta-real.authflows.json",
            "ca-policy.get.beta-real.authstrength-builtin.json",
            "ca-policy.get.beta-real.devicefilter-platforms.json",
            "ca-policy.get.beta-real.guests-all-tenants.json",
            "ca-policy.get.beta-real.signinfreq-everytime.json",
            "ca-policy.get.beta-real.useraction-registerdevice.json",
            "ca-policy.get.v1-synthesized.json",
        ] {
            policies.push(shared(&format!("reference/graph-examples/{example}")));
        }
        assert!(policies.len() >= 48, "only {} policies", policies.len());
        for p in &policies {
            // As read, and as read again over itself (what a refresh writes).
            let read = from_graph::state(p);
            for v in [state_from_graph(p, &read), read] {
                assert_eq!(PolicyState::of(&v).to_value(), v, "{}", p["id"]);
            }
        }
    }
}
