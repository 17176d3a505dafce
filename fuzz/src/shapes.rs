//! Graph-shaped JSON from fuzzer bytes: a realistic document for the kind (as Graph returns it,
//! written here from graph-api.md and the examples), then a few mutations at random places
//! (replace, delete, insert, graft a part of another document, change a string or number to one
//! the code compares with). Random bytes rarely make a policy the mapping code gets far into;
//! these documents do, and the mutations make them wrong in the ways Graph could be.

use crate::graph::Kind;
use crate::words::{KEYS, STRINGS};
use arbitrary::{Result, Unstructured};
use serde_json::{json, Map, Value as Json};

const GUID: &str = "0fd4d7b4-1fa1-4c5b-9c2e-0c8d4f0f6b1a";
const ROLE: &str = "62e90394-69f5-4237-9190-012177145e10";

fn ca_policy_full() -> Json {
    json!({
        "@odata.type": "#microsoft.graph.conditionalAccessPolicy",
        "id": GUID,
        "templateId": null,
        "displayName": "CA001: Require MFA for admins",
        "description": "",
        "createdDateTime": "2025-01-27T07:20:59.2720129Z",
        "modifiedDateTime": null,
        "state": "enabled",
        "deletedDateTime": null,
        "conditions": {
            "userRiskLevels": ["high"],
            "signInRiskLevels": [],
            "servicePrincipalRiskLevels": [],
            "insiderRiskLevels": "minor,elevated",
            "clientAppTypes": ["browser", "mobileAppsAndDesktopClients"],
            "times": null,
            "deviceStates": null,
            "applications": {
                "includeApplications": ["All"],
                "excludeApplications": ["00000002-0000-0ff1-ce00-000000000000"],
                "includeUserActions": [],
                "includeAuthenticationContextClassReferences": ["c1"],
                "applicationFilter": {"mode": "exclude", "rule": "CustomSecurityAttribute.x -eq \"y\""}
            },
            "users": {
                "includeUsers": ["All"],
                "excludeUsers": ["u1"],
                "includeGroups": [],
                "excludeGroups": ["g1"],
                "includeRoles": [ROLE],
                "excludeRoles": [],
                "includeGuestsOrExternalUsers": {
                    "guestOrExternalUserTypes": "internalGuest,b2bCollaborationGuest",
                    "externalTenants": {
                        "@odata.type": "#microsoft.graph.conditionalAccessEnumeratedExternalTenants",
                        "membershipKind": "enumerated",
                        "members": ["t1"]
                    }
                },
                "excludeGuestsOrExternalUsers": null
            },
            "clientApplications": null,
            "platforms": {"includePlatforms": ["all"], "excludePlatforms": ["iOS"]},
            "locations": {"includeLocations": ["All"], "excludeLocations": ["AllTrusted", GUID]},
            "devices": {"deviceFilter": {"mode": "include", "rule": "device.isCompliant -eq True"}},
            "authenticationFlows": {"transferMethods": "deviceCodeFlow"}
        },
        "grantControls": {
            "operator": "OR",
            "builtInControls": ["mfa", "compliantDevice"],
            "customAuthenticationFactors": [],
            "termsOfUse": ["tou1"],
            "authenticationStrength": {
                "id": "00000000-0000-0000-0000-000000000004",
                "displayName": "Phishing-resistant MFA",
                "allowedCombinations": ["fido2"]
            }
        },
        "sessionControls": {
            "disableResilienceDefaults": true,
            "applicationEnforcedRestrictions": {"isEnabled": true},
            "cloudAppSecurity": {"isEnabled": true, "cloudAppSecurityType": "blockDownloads"},
            "persistentBrowser": {"isEnabled": true, "mode": "never"},
            "signInFrequency": {
                "isEnabled": true,
                "value": 4,
                "type": "hours",
                "authenticationType": "primaryAndSecondaryAuthentication",
                "frequencyInterval": "timeBased"
            },
            "continuousAccessEvaluation": {"mode": "strictLocation"},
            "secureSignInSession": {"isEnabled": true}
        }
    })
}

fn ca_policy_workload() -> Json {
    json!({
        "id": "11111111-1fa1-4c5b-9c2e-0c8d4f0f6b1a",
        "displayName": "Block risky service principals",
        "state": "enabledForReportingButNotEnforced",
        "conditions": {
            "applications": {"includeApplications": ["All"]},
            "users": {"includeUsers": ["None"]},
            "clientApplications": {
                "includeServicePrincipals": ["ServicePrincipalsInMyTenant"],
                "excludeServicePrincipals": ["sp1"],
                "servicePrincipalFilter": {"mode": "include", "rule": "x"}
            },
            "servicePrincipalRiskLevels": ["high"],
            "locations": {"includeLocations": [GUID], "excludeLocations": []}
        },
        "grantControls": {"operator": "AND", "builtInControls": ["block"]},
        "sessionControls": {
            "signInFrequency": {"isEnabled": true, "frequencyInterval": "everyTime", "authenticationType": "secondaryAuthentication"}
        }
    })
}

fn ca_policy_user_action() -> Json {
    json!({
        "id": "22222222-1fa1-4c5b-9c2e-0c8d4f0f6b1a",
        "displayName": "Register security info from trusted locations",
        "state": "enabled",
        "conditions": {
            "applications": {"includeUserActions": ["urn:user:registersecurityinfo"]},
            "users": {"includeUsers": ["GuestsOrExternalUsers"], "excludeRoles": [ROLE]},
            "locations": {"includeLocations": ["All"], "excludeLocations": ["AllTrusted"]}
        },
        "grantControls": {"operator": "OR", "builtInControls": ["mfa"]},
        "sessionControls": null
    })
}

fn ip_location() -> Json {
    json!({
        "@odata.type": "#microsoft.graph.ipNamedLocation",
        "id": GUID,
        "displayName": "HQ",
        "createdDateTime": "2024-01-01T00:00:00Z",
        "isTrusted": true,
        "ipRanges": [
            {"@odata.type": "#microsoft.graph.iPv4CidrRange", "cidrAddress": "10.0.0.0/8"},
            {"@odata.type": "#microsoft.graph.iPv6CidrRange", "cidrAddress": "2001:db8::/48"}
        ]
    })
}

fn country_location() -> Json {
    json!({
        "@odata.type": "#microsoft.graph.countryNamedLocation",
        "id": "33333333-1fa1-4c5b-9c2e-0c8d4f0f6b1a",
        "displayName": "Benelux",
        "countriesAndRegions": ["NL", "BE", "LU"],
        "includeUnknownCountriesAndRegions": false,
        "countryLookupMethod": "clientIpAddress"
    })
}

fn other_location() -> Json {
    json!({
        "@odata.type": "#microsoft.graph.compliantNetworkNamedLocation",
        "id": "44444444-1fa1-4c5b-9c2e-0c8d4f0f6b1a",
        "displayName": "Compliant network",
        "compliantNetworkType": "allTenantCompliantNetworks"
    })
}

fn context() -> Json {
    json!({"id": "c1", "displayName": "Sensitive apps", "description": "Step-up", "isAvailable": true})
}

fn custom_strength() -> Json {
    json!({
        "id": GUID,
        "displayName": "FIDO2 or certificate",
        "description": null,
        "policyType": "custom",
        "requirementsSatisfied": "mfa",
        "allowedCombinations": ["fido2", "x509CertificateMultiFactor", "password,sms"],
        "combinationConfigurations": [
            {
                "@odata.type": "#microsoft.graph.fido2CombinationConfiguration",
                "id": "cfg1",
                "appliesToCombinations": ["fido2"],
                "allowedAAGUIDs": ["cb69481e-8ff7-4039-93ec-0a2729a154a8"]
            },
            {
                "@odata.type": "#microsoft.graph.x509CertificateCombinationConfiguration",
                "id": "cfg2",
                "appliesToCombinations": ["x509CertificateMultiFactor"],
                "allowedIssuerSkis": ["9A4248C6AC8C2931AB2A86537818E92E7B6C97B6"],
                "allowedPolicyOIDs": ["1.2.3.4"]
            }
        ]
    })
}

fn built_in_strength() -> Json {
    json!({
        "id": "00000000-0000-0000-0000-000000000002",
        "displayName": "Multifactor authentication",
        "policyType": "builtIn",
        "allowedCombinations": ["windowsHelloForBusiness", "fido2", "password,sms"]
    })
}

fn rule_target(caller: &str, level: &str) -> Json {
    json!({"caller": caller, "operations": ["all"], "level": level, "inheritableSettings": [], "enforcedSettings": []})
}

/// A directory role's policy assignment with its 17 rules, as `$expand=policy($expand=rules)`
/// returns them.
fn pim_assignment() -> Json {
    let mut rules = Vec::new();
    for (suffix, caller, level) in [
        ("Admin_Eligibility", "Admin", "Eligibility"),
        ("Admin_Assignment", "Admin", "Assignment"),
        ("EndUser_Assignment", "EndUser", "Assignment"),
    ] {
        rules.push(json!({
            "@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyExpirationRule",
            "id": format!("Expiration_{suffix}"),
            "isExpirationRequired": suffix != "EndUser_Assignment",
            "maximumDuration": if suffix == "EndUser_Assignment" { "PT8H" } else { "P365D" },
            "target": rule_target(caller, level),
        }));
        rules.push(json!({
            "@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyEnablementRule",
            "id": format!("Enablement_{suffix}"),
            "enabledRules": if suffix == "EndUser_Assignment" { json!(["MultiFactorAuthentication", "Justification"]) } else { json!([]) },
            "target": rule_target(caller, level),
        }));
        for who in ["Admin", "Requestor", "Approver"] {
            rules.push(json!({
                "@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyNotificationRule",
                "id": format!("Notification_{who}_{suffix}"),
                "notificationType": "Email",
                "recipientType": who,
                "notificationLevel": "All",
                "isDefaultRecipientsEnabled": true,
                "notificationRecipients": ["a@example.com"],
                "target": rule_target(caller, level),
            }));
        }
    }
    rules.push(json!({
        "@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyApprovalRule",
        "id": "Approval_EndUser_Assignment",
        "setting": {
            "isApprovalRequired": true,
            "isApprovalRequiredForExtension": false,
            "isRequestorJustificationRequired": true,
            "approvalMode": "SingleStage",
            "approvalStages": [{
                "approvalStageTimeOutInDays": 1,
                "isApproverJustificationRequired": true,
                "escalationTimeInMinutes": 0,
                "isEscalationEnabled": false,
                "primaryApprovers": [
                    {"@odata.type": "#microsoft.graph.singleUser", "isBackup": false, "userId": "u1"},
                    {"@odata.type": "#microsoft.graph.groupMembers", "isBackup": false, "groupId": "g1"}
                ],
                "escalationApprovers": []
            }]
        },
        "target": rule_target("EndUser", "Assignment"),
    }));
    rules.push(json!({
        "@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyAuthenticationContextRule",
        "id": "AuthenticationContext_EndUser_Assignment",
        "isEnabled": false,
        "claimValue": "",
        "target": rule_target("EndUser", "Assignment"),
    }));
    json!({
        "id": format!("DirectoryRole_t_p_{ROLE}"),
        "policyId": "DirectoryRole_t_p",
        "scopeId": "/",
        "scopeType": "DirectoryRole",
        "roleDefinitionId": ROLE,
        "policy": {"id": "DirectoryRole_t_p", "displayName": "DirectoryRole", "rules": rules}
    })
}

fn role_definition() -> Json {
    json!({
        "id": ROLE,
        "templateId": ROLE,
        "displayName": "Global Administrator",
        "description": "Can manage all aspects of Microsoft Entra ID.",
        "isBuiltIn": true,
        "isEnabled": true
    })
}

fn graph_errors() -> Vec<Json> {
    vec![
        json!({"error": {
            "code": "BadRequest",
            "message": "1012: Incorrect user actions.",
            "innerError": {"message": "1012: Incorrect user actions.", "date": "2025-01-01T00:00:00", "request-id": "rid", "client-request-id": "crid"}
        }}),
        json!({"error": {
            "code": "UnknownError",
            "message": "{\"errorCode\":\"MissingProvider\",\"message\":\"The provider is missing.\"}",
            "innerError": {"request-id": "rid"}
        }, "status": 400, "requestId": "r2", "retryAfter": "7"}),
    ]
}

/// The realistic documents for `kind`.
fn templates(kind: Kind) -> Vec<Json> {
    let policies = || {
        vec![
            ca_policy_full(),
            ca_policy_workload(),
            ca_policy_user_action(),
        ]
    };
    match kind {
        Kind::AuthenticationContext => vec![context(), json!({"value": [context(), {"id": "c2"}]})],
        Kind::NamedLocation => vec![
            ip_location(),
            country_location(),
            other_location(),
            json!({"value": [ip_location(), country_location()]}),
        ],
        Kind::AuthenticationStrength => vec![
            custom_strength(),
            built_in_strength(),
            json!({"value": [custom_strength(), built_in_strength()]}),
        ],
        Kind::PolicyReferences | Kind::ConditionalAccessPolicy => {
            let mut t = policies();
            t.push(json!({"value": policies()}));
            t
        }
        Kind::RoleManagementPolicy => vec![pim_assignment(), json!({"value": [pim_assignment()]})],
        Kind::RoleDefinition => vec![role_definition(), json!({"value": [role_definition()]})],
        Kind::GraphError => graph_errors(),
        Kind::Tenant => vec![json!({
            "policies": policies(),
            "contexts": [context()],
            "locations": [ip_location(), country_location(), other_location()],
            "strengths": [custom_strength(), built_in_strength()],
            "rolePolicies": [pim_assignment()],
            "roles": [role_definition()]
        })],
        Kind::WhatIf => vec![json!({
            "policies": policies(),
            "namedLocations": [ip_location(), country_location()]
        })],
        Kind::MovedFromAzuread => vec![
            json!({
                "provider": "registry.terraform.io/hashicorp/azuread",
                "type": "azuread_conditional_access_policy",
                "schemaVersion": 0,
                "state": {"id": format!("/identity/conditionalAccess/policies/{GUID}"), "object_id": GUID}
            }),
            json!({"provider": "azuread", "state": {"id": GUID}}),
        ],
    }
}

/// A document for `kind`: a template, changed a few times.
pub fn gen_doc(u: &mut Unstructured, kind: Kind) -> Result<Json> {
    let templates = templates(kind);
    let mut doc = u.choose(&templates)?.clone();
    let changes = u.int_in_range(0..=8)?;
    for _ in 0..changes {
        mutate(u, &mut doc, kind)?;
    }
    Ok(doc)
}

/// A node somewhere in `doc`: each step goes on into a child with probability 3/4.
fn pick<'a>(u: &mut Unstructured, mut node: &'a mut Json) -> Result<&'a mut Json> {
    loop {
        let n = match &*node {
            Json::Object(m) => m.len(),
            Json::Array(a) => a.len(),
            _ => 0,
        };
        if n == 0 || u.ratio(1, 4)? {
            return Ok(node);
        }
        let i = u.choose_index(n)?;
        node = match node {
            Json::Object(m) => m.values_mut().nth(i).expect("index in range"),
            Json::Array(a) => &mut a[i],
            _ => unreachable!(),
        };
    }
}

/// Any node of any template: a realistic part in the wrong place.
fn graft(u: &mut Unstructured, kind: Kind) -> Result<Json> {
    let kind = if u.ratio(1, 2)? {
        kind
    } else {
        *u.choose(crate::graph::KINDS)?
    };
    let mut templates = templates(kind);
    let i = u.choose_index(templates.len())?;
    Ok(pick(u, &mut templates[i])?.clone())
}

fn mutate(u: &mut Unstructured, doc: &mut Json, kind: Kind) -> Result<()> {
    let op = u.int_in_range(0..=9)?;
    let grafted = if op == 9 { Some(graft(u, kind)?) } else { None };
    let node = pick(u, doc)?;
    match (op, node) {
        (0, node) => *node = gen_value(u, 2)?,
        (1, Json::Object(m)) if !m.is_empty() => {
            let i = u.choose_index(m.len())?;
            let key = m.keys().nth(i).cloned().expect("index in range");
            m.shift_remove(&key);
        }
        (2, Json::Object(m)) => {
            m.insert(u.choose(KEYS)?.to_string(), gen_value(u, 2)?);
        }
        (3, Json::Array(a)) => match a.first().cloned() {
            Some(first) if u.ratio(1, 2)? => a.push(first),
            _ => a.push(gen_value(u, 1)?),
        },
        (4, Json::String(s)) => *s = gen_string(u)?,
        (5, node @ (Json::Number(_) | Json::Bool(_) | Json::Null)) => *node = gen_scalar(u)?,
        (6, Json::Array(a)) => a.clear(),
        (6, Json::Object(m)) => m.clear(),
        (7, node) => *node = Json::Null,
        (8, node @ Json::String(_)) => {
            // The same text in another case, padded, or as a list of it.
            let s = node.as_str().unwrap_or_default().to_string();
            *node = match u.int_in_range(0..=3)? {
                0 => Json::String(s.to_uppercase()),
                1 => Json::String(format!(" {s} ")),
                2 => Json::String(format!("{s},{s}")),
                _ => json!([s]),
            };
        }
        (9, node) => *node = grafted.expect("grafted for op 9"),
        // The operation does not fit this node: replace it instead.
        (_, node) => *node = gen_value(u, 1)?,
    }
    Ok(())
}

fn gen_string(u: &mut Unstructured) -> Result<String> {
    Ok(match u.int_in_range(0..=5)? {
        0 => u.arbitrary()?,
        1 => u.choose(KEYS)?.to_string(),
        _ => u.choose(STRINGS)?.to_string(),
    })
}

fn gen_scalar(u: &mut Unstructured) -> Result<Json> {
    Ok(match u.int_in_range(0..=9)? {
        0 => Json::Null,
        1 => Json::Bool(u.arbitrary()?),
        2 => json!(u.int_in_range(-2..=30)?),
        3 => json!(u64::MAX),
        4 => json!(i64::MIN),
        5 => json!(u.arbitrary::<i64>()?),
        6 => json!(u.arbitrary::<u64>()?),
        7 => serde_json::Number::from_f64(u.arbitrary()?).map_or(Json::Null, Json::Number),
        8 => json!(0.5),
        _ => json!(1e300),
    })
}

/// Any JSON, its strings and keys mostly words the code looks for.
fn gen_value(u: &mut Unstructured, depth: u32) -> Result<Json> {
    let max = if depth == 0 { 2 } else { 4 };
    Ok(match u.int_in_range(0..=max)? {
        0 => gen_scalar(u)?,
        1 | 2 => Json::String(gen_string(u)?),
        3 => {
            let n = u.int_in_range(0..=3)?;
            Json::Array(
                (0..n)
                    .map(|_| gen_value(u, depth - 1))
                    .collect::<Result<_>>()?,
            )
        }
        _ => {
            let n = u.int_in_range(0..=3)?;
            let mut m = Map::new();
            for _ in 0..n {
                let key = if u.ratio(7, 8)? {
                    u.choose(KEYS)?.to_string()
                } else {
                    u.arbitrary()?
                };
                m.insert(key, gen_value(u, depth - 1)?);
            }
            Json::Object(m)
        }
    })
}
