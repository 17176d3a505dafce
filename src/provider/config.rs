//! The provider block: its schema, and turning it (plus the `ARM_*` variables azuread users
//! already set) into sign-in settings and Graph/login hosts.

use super::sign_in::conflicting_credentials;
use crate::graph::cloud::Environment;
use crate::graph::credentials::{AuthSettings, OidcSource};
use crate::graph::ids::is_guid;
use crate::plugin::diag::{AttrPath, Diagnostics};
use crate::plugin::schema::{Attribute, Block, Mode, NestedBlock, Schema, Type};
use crate::plugin::value::Value;
use crate::resources::connection::{EmergencyAccess, Enforcement};
use base64::Engine;

/// (attribute, environment variables in priority order, description)
const STRINGS: &[(&str, &[&str], &str)] = &[
    (
        "tenant_id",
        &["ARM_TENANT_ID"],
        "The Entra tenant (directory) id.",
    ),
    (
        "client_id",
        &["ARM_CLIENT_ID"],
        "The application (client) id to sign in as.",
    ),
    (
        "client_secret",
        &["ARM_CLIENT_SECRET"],
        "A client secret of the application.",
    ),
    (
        "client_certificate_path",
        &["ARM_CLIENT_CERTIFICATE_PATH"],
        "Path to a PKCS#12 (.pfx) file with the application's certificate and RSA key.",
    ),
    (
        "client_certificate",
        &["ARM_CLIENT_CERTIFICATE"],
        "The PKCS#12 certificate bundle, base64-encoded, instead of a path.",
    ),
    (
        "client_certificate_password",
        &["ARM_CLIENT_CERTIFICATE_PASSWORD"],
        "Password of the PKCS#12 bundle.",
    ),
    (
        "oidc_token",
        &["ARM_OIDC_TOKEN"],
        "A federated ID token (workload identity federation).",
    ),
    (
        "oidc_token_file_path",
        &["ARM_OIDC_TOKEN_FILE_PATH"],
        "A file holding a federated ID token, read at each sign-in.",
    ),
    (
        "oidc_request_token",
        &[
            "ARM_OIDC_REQUEST_TOKEN",
            "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
            "SYSTEM_ACCESSTOKEN",
        ],
        "Bearer token for the OIDC token request URL (GitHub Actions sets it; in Azure Pipelines map `System.AccessToken` to `SYSTEM_ACCESSTOKEN`).",
    ),
    (
        "oidc_request_url",
        &[
            "ARM_OIDC_REQUEST_URL",
            "ACTIONS_ID_TOKEN_REQUEST_URL",
            "SYSTEM_OIDCREQUESTURI",
        ],
        "URL that hands out federated ID tokens (GitHub Actions and Azure Pipelines set it). In the provider block, honoured only for hosts listed in `ENTRA_ALLOWED_HOSTS`.",
    ),
    (
        "ado_pipeline_service_connection_id",
        &[
            "ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID",
            "ARM_OIDC_AZURE_SERVICE_CONNECTION_ID",
        ],
        "Azure Pipelines: id of the service connection whose workload identity federation signs in; the ID token is then requested the Azure DevOps way.",
    ),
    (
        "environment",
        &["ARM_ENVIRONMENT"],
        "Cloud: `global` (default), `usgovernment`, `usgovernmentl5` or `china`.",
    ),
    (
        "graph_endpoint",
        &["ENTRA_GRAPH_ENDPOINT"],
        "Override the Microsoft Graph root URL (private clouds, the simulator). HTTPS only. In the provider block, honoured only for Microsoft's cloud hosts and hosts listed in `ENTRA_ALLOWED_HOSTS`.",
    ),
    (
        "authority_host",
        &["ENTRA_AUTHORITY_HOST"],
        "Override the login host. HTTPS only. In the provider block, honoured only for Microsoft's cloud hosts and hosts listed in `ENTRA_ALLOWED_HOSTS`.",
    ),
];

const SECRETS: &[&str] = &[
    "client_secret",
    "client_certificate",
    "client_certificate_password",
    "oidc_token",
    "oidc_request_token",
];

/// (attribute, environment variable, default, description)
const BOOLS: &[(&str, &str, bool, &str)] = &[
    (
        "use_oidc",
        "ARM_USE_OIDC",
        false,
        "Sign in with a federated (OIDC) token.",
    ),
    (
        "use_msi",
        "ARM_USE_MSI",
        false,
        "Sign in with a managed identity.",
    ),
    (
        "use_cli",
        "ARM_USE_CLI",
        true,
        "Sign in with the Azure CLI's account when nothing else is set.",
    ),
];

/// The `provider "entra"` block: the sign-in settings as azuread spells them, the cloud and its
/// hosts (each also read from an environment variable), and the emergency-access guard.
pub fn schema() -> Schema {
    let mut attributes: Vec<Attribute> = STRINGS
        .iter()
        .map(|(name, envs, desc)| {
            let a = Attribute::new(
                name,
                Type::String,
                Mode::Optional,
                &format!("{desc} Environment: `{}`.", envs.join("`, `")),
            );
            if SECRETS.contains(name) {
                a.sensitive()
            } else {
                a
            }
        })
        .collect();
    attributes.extend(BOOLS.iter().map(|(name, env, default, desc)| {
        Attribute::new(
            name,
            Type::Bool,
            Mode::Optional,
            &format!("{desc} Environment: `{env}`; default `{default}`."),
        )
    }));
    Schema {
        version: 0,
        block: Block {
            attributes,
            block_types: vec![emergency_access_block()],
            description: "Manage Microsoft Entra ID sign-in security as code.".into(),
        },
    }
}

/// Reads a string setting: the attribute when set, else the first non-empty variable.
fn string(config: &Value, name: &str) -> Option<String> {
    if let Some(s) = config.get(name).as_str() {
        return Some(s.to_string()).filter(|s| !s.is_empty());
    }
    let envs = STRINGS
        .iter()
        .find(|(n, _, _)| *n == name)
        .map(|(_, e, _)| *e)
        .unwrap_or(&[]);
    envs.iter()
        .find_map(|e| std::env::var(e).ok().filter(|v| !v.is_empty()))
}

fn boolean(config: &Value, name: &str) -> Result<bool, String> {
    if let Some(b) = config.get(name).as_bool() {
        return Ok(b);
    }
    let (_, env, default, _) = BOOLS
        .iter()
        .find(|(n, ..)| *n == name)
        .expect("known bool setting");
    match std::env::var(env).ok().filter(|v| !v.is_empty()) {
        None => Ok(*default),
        Some(v) => match v.to_ascii_lowercase().as_str() {
            "1" | "true" => Ok(true),
            "0" | "false" => Ok(false),
            _ => Err(format!("{env} must be true or false, not {v:?}")),
        },
    }
}

/// Everything the provider needs to connect.
pub struct Settings {
    /// Graph's root: the cloud's, unless `graph_endpoint` names another.
    pub graph_endpoint: String,
    /// How to sign in.
    pub auth: AuthSettings,
    /// The accounts no policy may lock out, if the block names them.
    pub emergency_access: Option<EmergencyAccess>,
}

fn emergency_access_block() -> NestedBlock {
    NestedBlock::once(
        "emergency_access",
        vec![
            Attribute::new("user_ids", Type::set(Type::String), Mode::Required, "Object ids of the emergency-access (break-glass) accounts."),
            Attribute::new("group_ids", Type::set(Type::String), Mode::Optional, "Object ids of groups holding them; excluding such a group counts as excluding its accounts."),
            Attribute::new("enforcement", Type::String, Mode::Optional, "`error` (default): a plan that would enable a policy covering an account without excluding it fails. `warn`: it warns."),
        ],
        vec![],
        "Lockout protection: every enabled Conditional Access policy that could apply to these accounts must exclude them.",
    )
}

fn emergency_access(config: &Value) -> Result<Option<EmergencyAccess>, Diagnostics> {
    let b = config.block("emergency_access");
    if b.is_null() {
        return Ok(None);
    }
    let at = |name: &str| AttrPath::root("emergency_access").index(0).attr(name);
    let enforcement = match b.get("enforcement").as_str() {
        None | Some("error") => Enforcement::Error,
        Some("warn") => Enforcement::Warn,
        Some(other) => {
            return Err(Diagnostics::attr_error(
                at("enforcement"),
                "Invalid enforcement",
                format!("{other:?} is not one of: error, warn."),
            ))
        }
    };
    let ids = |name: &str| -> Result<Vec<String>, Diagnostics> {
        b.get(name)
            .strs()
            .iter()
            .map(|id| {
                if is_guid(id) {
                    Ok(id.to_lowercase())
                } else {
                    Err(Diagnostics::attr_error(
                        at(name),
                        "Malformed id",
                        format!("{id:?} is not an object id (a GUID)."),
                    ))
                }
            })
            .collect()
    };
    Ok(Some(EmergencyAccess {
        user_ids: ids("user_ids")?,
        group_ids: ids("group_ids")?,
        enforcement,
    }))
}

/// Static checks for ValidateProviderConfig: only attributes that are known can be checked.
pub fn validate(config: &Value) -> Diagnostics {
    let mut d = Diagnostics::default();
    if config.block("emergency_access").is_wholly_known() {
        if let Err(e) = emergency_access(config) {
            d.extend(e);
        }
    }
    if let Some(env) = config.get("environment").as_str() {
        if Environment::parse(env).is_none() {
            d.push_attr_error(
                AttrPath::root("environment"),
                "Unknown cloud environment",
                format!("{env:?} is not one of: {}.", Environment::NAMES.join(", ")),
            );
        }
    }
    for name in ["graph_endpoint", "authority_host", "oidc_request_url"] {
        if let Some(url) = config.get(name).as_str() {
            if let Err(e) = https_url(url) {
                d.push_attr_error(AttrPath::root(name), format!("Invalid {name}"), e);
            }
        }
    }
    d.extend(conflicting_credentials(config));
    d
}

/// azure_identity's own rule for a tenant (letters, digits, `.` and `-`), checked here so that
/// the error names tenant_id: the credential's error cannot.
fn check_tenant_id(tenant: &str) -> Result<(), String> {
    if tenant
        .chars()
        .all(|c| c.is_alphanumeric() || c == '.' || c == '-')
    {
        Ok(())
    } else {
        Err(format!("invalid tenant ID {tenant:?}: use the tenant's id (a GUID) or one of its domain names, e.g. contoso.onmicrosoft.com."))
    }
}

/// Hosts, beyond Microsoft's own, that a URL written in the provider block may name.
const ALLOWED_HOSTS_VARIABLE: &str = "ENTRA_ALLOWED_HOSTS";

/// A URL setting that decides where a secret or token goes (the login host, Graph, the OIDC
/// request URL). From the environment it is taken as given: the machine's owner set it. From the
/// provider block only when it names one of Microsoft's cloud hosts or a host the environment
/// lists in `ENTRA_ALLOWED_HOSTS`: otherwise a plan of an unreviewed change to the configuration
/// would send the pipeline's credentials wherever that change says.
fn endpoint(config: &Value, name: &str) -> Result<Option<String>, String> {
    let Some(url) = string(config, name) else {
        return Ok(None);
    };
    let url = https_url(&url)?;
    let written = config.get(name).as_str().is_some_and(|s| !s.is_empty());
    if written && !allowed_in_configuration(&url) {
        let host = url::Url::parse(&url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_string))
            .unwrap_or_default();
        let env = STRINGS
            .iter()
            .find(|(n, ..)| *n == name)
            .map_or("", |(_, e, _)| e[0]);
        return Err(format!(
            "{url:?} names {host}, which is not one of Microsoft's cloud hosts. In the provider block an endpoint is honoured only for those and for hosts the environment lists in {ALLOWED_HOSTS_VARIABLE}, so that a change to the configuration (an unreviewed pull request, say) cannot send credentials or tokens to a host of its choosing. Set {env} in the environment instead, or add {host} to {ALLOWED_HOSTS_VARIABLE}."
        ));
    }
    Ok(Some(url))
}

/// Whether a URL's host is one of the named clouds' or listed in `ENTRA_ALLOWED_HOSTS`
/// (comma- or space-separated, each `host` for any port or `host:port` for one).
fn allowed_in_configuration(url: &str) -> bool {
    let host_port = |u: &str| {
        let u = url::Url::parse(u).ok()?;
        Some((
            u.host_str()?.to_ascii_lowercase(),
            u.port_or_known_default()?,
        ))
    };
    let Some((host, port)) = host_port(url) else {
        return false;
    };
    let microsoft = Environment::NAMES
        .iter()
        .filter_map(|n| Environment::parse(n))
        .flat_map(|e| [e.graph_endpoint(), e.authority_host()])
        .any(|u| host_port(u) == Some((host.clone(), port)));
    let listed = std::env::var(ALLOWED_HOSTS_VARIABLE).unwrap_or_default();
    microsoft
        || listed
            .split([',', ' '])
            .map(|e| e.trim().to_ascii_lowercase())
            .any(|e| e == host || e == format!("{host}:{port}"))
}

fn https_url(s: &str) -> Result<String, String> {
    let url = url::Url::parse(s).map_err(|e| format!("{s:?} is not a URL: {e}"))?;
    if url.scheme() != "https" {
        return Err(format!(
            "{s:?} must use https: tokens are never sent in clear text"
        ));
    }
    Ok(s.trim_end_matches('/').to_string())
}

/// Merges attributes and environment into settings; errors name the attribute to fix.
pub fn settings(config: &Value) -> Result<Settings, Diagnostics> {
    let attr_err = |name: &str, msg: String| {
        Diagnostics::attr_error(
            AttrPath::root(name),
            format!("Invalid provider setting {name}"),
            msg,
        )
    };
    // Attributes known only now (from variables) were not judged by ValidateProviderConfig.
    let conflicts = conflicting_credentials(config);
    if conflicts.has_errors() {
        return Err(conflicts);
    }
    let env_name = string(config, "environment").unwrap_or_else(|| "global".into());
    let env = Environment::parse(&env_name).ok_or_else(|| {
        attr_err(
            "environment",
            format!(
                "{env_name:?} is not one of: {}.",
                Environment::NAMES.join(", ")
            ),
        )
    })?;
    let graph_endpoint = endpoint(config, "graph_endpoint")
        .map_err(|e| attr_err("graph_endpoint", e))?
        .unwrap_or_else(|| env.graph_endpoint().into());
    let authority_host = endpoint(config, "authority_host")
        .map_err(|e| attr_err("authority_host", e))?
        .unwrap_or_else(|| env.authority_host().into());
    let oidc_request_url =
        endpoint(config, "oidc_request_url").map_err(|e| attr_err("oidc_request_url", e))?;
    let tenant_id = string(config, "tenant_id");
    if let Some(Err(e)) = tenant_id.as_deref().map(check_tenant_id) {
        return Err(attr_err("tenant_id", e));
    }
    let bool_of = |n: &str| boolean(config, n).map_err(|e| attr_err(n, e));
    let (use_oidc, use_msi, use_cli) = (
        bool_of("use_oidc")?,
        bool_of("use_msi")?,
        bool_of("use_cli")?,
    );
    let client_certificate = match (
        string(config, "client_certificate"),
        string(config, "client_certificate_path"),
    ) {
        (Some(b64), _) => Some(
            base64::engine::general_purpose::STANDARD
                .decode(b64.trim())
                .map_err(|e| attr_err("client_certificate", format!("not valid base64: {e}")))?,
        ),
        (None, Some(path)) => Some(std::fs::read(&path).map_err(|e| {
            attr_err(
                "client_certificate_path",
                format!("cannot read {path}: {e}"),
            )
        })?),
        (None, None) => None,
    };
    let oidc = match (
        string(config, "oidc_token"),
        string(config, "oidc_token_file_path"),
        string(config, "oidc_request_token"),
        oidc_request_url,
    ) {
        (Some(t), _, _, _) => Some(OidcSource::Token(t)),
        (None, Some(p), _, _) => Some(OidcSource::File(p.into())),
        // The request token travels to this URL: HTTPS only, from the environment too.
        (None, None, Some(token), Some(url)) => Some(OidcSource::Request {
            url,
            token,
            ado_service_connection_id: string(config, "ado_pipeline_service_connection_id"),
        }),
        _ => None,
    };
    // OIDC asked for never falls through to another way of signing in.
    let oidc = match (use_oidc, oidc) {
        (false, _) => None,
        (true, Some(source)) => Some(source),
        (true, None) => return Err(attr_err("use_oidc", "use_oidc is set but no OIDC token was given: set oidc_token, oidc_token_file_path, or oidc_request_token with oidc_request_url".into())),
    };
    // The Azure CLI knows its own tenant; every other way of signing in needs ours.
    let needs_tenant = use_oidc
        || use_msi
        || client_certificate.is_some()
        || string(config, "client_secret").is_some();
    if needs_tenant && tenant_id.is_none() {
        return Err(attr_err(
            "tenant_id",
            "tenant_id (or ARM_TENANT_ID) is required to sign in".into(),
        ));
    }
    Ok(Settings {
        emergency_access: emergency_access(config)?,
        graph_endpoint,
        auth: AuthSettings {
            tenant_id: tenant_id.unwrap_or_default(),
            client_id: string(config, "client_id"),
            client_secret: string(config, "client_secret"),
            client_certificate,
            client_certificate_password: string(config, "client_certificate_password"),
            oidc,
            use_msi,
            use_cli,
            authority_host,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(pairs: &[(&str, Value)]) -> Value {
        let mut v: std::collections::BTreeMap<String, Value> = schema()
            .block
            .attributes
            .iter()
            .map(|a| (a.name.clone(), Value::Null))
            .collect();
        for (k, val) in pairs {
            v.insert(k.to_string(), val.clone());
        }
        Value::Object(v)
    }

    #[test]
    fn secrets_are_sensitive() {
        let s = schema();
        for name in SECRETS {
            let a = s.block.attributes.iter().find(|a| a.name == *name).unwrap();
            assert!(a.sensitive, "{name}");
        }
    }

    #[test]
    fn environment_picks_hosts_and_overrides_win() {
        let s = settings(&config(&[
            ("environment", Value::string("china")),
            ("tenant_id", Value::string("t")),
            ("client_id", Value::string("c")),
            ("client_secret", Value::string("s")),
        ]))
        .unwrap();
        assert_eq!(s.graph_endpoint, "https://microsoftgraph.chinacloudapi.cn");
        assert_eq!(s.auth.authority_host, "https://login.chinacloudapi.cn");
        let s = settings(&config(&[
            (
                "graph_endpoint",
                Value::string("https://graph.microsoft.us/"),
            ),
            (
                "authority_host",
                Value::string("https://login.microsoftonline.us"),
            ),
            ("tenant_id", Value::string("t")),
            ("client_secret", Value::string("s")),
        ]))
        .unwrap();
        assert_eq!(s.graph_endpoint, "https://graph.microsoft.us");
        assert_eq!(s.auth.authority_host, "https://login.microsoftonline.us");
    }

    #[test]
    fn endpoints_in_configuration_need_a_microsoft_host_or_the_environments_list() {
        // The list is read from the environment: set it only for hosts no other test uses.
        std::env::set_var(ALLOWED_HOSTS_VARIABLE, "listed.example, 127.0.0.7:8443");
        for allowed in [
            "https://login.chinacloudapi.cn",
            "https://listed.example:9443",
            "https://127.0.0.7:8443",
        ] {
            assert!(allowed_in_configuration(allowed), "{allowed}");
        }
        for refused in [
            "https://login.microsoftonline.com.evil.example",
            "https://evil.example",
            "https://127.0.0.7:8444",
            "https://login.microsoftonline.com:8443",
        ] {
            assert!(!allowed_in_configuration(refused), "{refused}");
        }
        let err = settings(&config(&[
            ("authority_host", Value::string("https://evil.example")),
            ("tenant_id", Value::string("t")),
            ("client_secret", Value::string("s")),
        ]))
        .err()
        .unwrap();
        assert_eq!(err.0[0].attribute, Some(AttrPath::root("authority_host")));
        let text = err.to_string();
        assert!(
            text.contains("ENTRA_ALLOWED_HOSTS") && text.contains("ENTRA_AUTHORITY_HOST"),
            "{text}"
        );
    }

    #[test]
    fn plain_http_endpoints_are_refused_with_the_attribute_path() {
        let d = validate(&config(&[(
            "graph_endpoint",
            Value::string("http://graph.example"),
        )]));
        assert!(d.has_errors());
        assert_eq!(d.0[0].attribute, Some(AttrPath::root("graph_endpoint")));
        let d = validate(&config(&[("environment", Value::string("mars"))]));
        assert_eq!(d.0[0].attribute, Some(AttrPath::root("environment")));
        assert!(validate(&config(&[("environment", Value::Unknown)])).is_empty());
    }

    #[test]
    fn sign_in_errors_name_the_attribute_to_fix() {
        let at = |pairs: &[(&str, Value)]| {
            let err = settings(&config(pairs)).err().unwrap();
            (
                err.0[0].attribute.clone().unwrap().to_string(),
                err.to_string(),
            )
        };
        let (path, text) = at(&[
            ("tenant_id", Value::string("not a tenant")),
            ("client_secret", Value::string("s")),
        ]);
        assert_eq!(path, "tenant_id");
        assert!(
            text.contains("invalid tenant ID \"not a tenant\""),
            "{text}"
        );
        let (path, text) = at(&[
            ("tenant_id", Value::string("contoso.onmicrosoft.com")),
            ("use_oidc", Value::Bool(true)),
        ]);
        assert_eq!(path, "use_oidc");
        assert!(text.contains("no OIDC token was given"), "{text}");
        // Conflicts known only at configure (from variables) are refused there too.
        let (path, _) = at(&[
            ("tenant_id", Value::string("t")),
            ("client_secret", Value::string("s")),
            ("use_msi", Value::Bool(true)),
        ]);
        assert_eq!(path, "use_msi");
        let d = validate(&config(&[
            ("client_secret", Value::string("s")),
            ("oidc_token", Value::string("t")),
        ]));
        assert_eq!(d.0[0].attribute, Some(AttrPath::root("oidc_token")));
    }

    #[test]
    fn client_certificate_must_be_base64() {
        let err = settings(&config(&[
            ("tenant_id", Value::string("t")),
            ("client_certificate", Value::string("%%%")),
        ]))
        .err()
        .unwrap();
        assert_eq!(
            err.0[0].attribute,
            Some(AttrPath::root("client_certificate"))
        );
        assert!(
            !err.to_string().contains("%%%"),
            "the secret must not be echoed"
        );
    }
}
