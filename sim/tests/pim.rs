//! PIM role management policies for directory roles and role definitions, replaying the
//! reference examples (graph-api.md §6, §7, §11 item 7).

mod common;

use common::*;
use entra_graph_sim::{SimOptions, Simulator};
use reqwest::Method;
use serde_json::{json, Value};

const GA: &str = "62e90394-69f5-4237-9190-012177145e10";
const ASSIGNMENTS: &str = "/v1.0/policies/roleManagementPolicyAssignments";
const POLICIES: &str = "/v1.0/policies/roleManagementPolicies";
const DIR_ROLE_SCOPE: &str = "scopeId eq '/' and scopeType eq 'DirectoryRole'";

struct Ctx {
    sim: Simulator,
    client: reqwest::Client,
    token: String,
}

impl Ctx {
    async fn new() -> Ctx {
        Self::with(SimOptions::default()).await
    }

    async fn with(opts: SimOptions) -> Ctx {
        let (sim, client) = start(opts).await;
        let token = secret_token(&sim, &client).await;
        Ctx { sim, client, token }
    }

    async fn call(&self, method: Method, path: &str, body: Option<&Value>) -> (u16, Value) {
        let url = if path.starts_with("https://") {
            path.to_string()
        } else {
            graph_url(&self.sim, path)
        };
        let (s, _, b) = send(&self.client, method, &url, &self.token, body).await;
        (s, b.unwrap_or(Value::Null))
    }

    async fn get(&self, path: &str) -> (u16, Value) {
        self.call(Method::GET, path, None).await
    }

    async fn get_q(&self, path: &str, q: &[(&str, &str)]) -> (u16, Value) {
        self.get(&with_query(path, q)).await
    }

    async fn patch(&self, path: &str, body: &Value) -> (u16, Value) {
        self.call(Method::PATCH, path, Some(body)).await
    }

    fn tenant(&self) -> &str {
        &self.sim.info().tenant_id
    }

    fn rule_url(&self, role: &str, rule: &str) -> String {
        format!("{POLICIES}/{}/rules/{rule}", self.sim.pim_policy_id(role))
    }

    async fn patch_rule(&self, role: &str, body: &Value) -> (u16, Value) {
        let rule = body["id"].as_str().unwrap().to_string();
        self.patch(&self.rule_url(role, &rule), body).await
    }

    async fn create_auth_context(&self, id: &str) {
        let (s, _) = self
            .patch(
                &format!(
                    "/v1.0/identity/conditionalAccess/authenticationContextClassReferences/{id}"
                ),
                &json!({"displayName": format!("ctx {id}"), "isAvailable": true}),
            )
            .await;
        assert_eq!(s, 204);
    }
}

fn default_rules() -> Value {
    example("pim.rules.list.directoryrole.response.json")["value"].clone()
}

/// Built-in role template ids of graph-api.md §7, in table order.
fn builtin_role_ids() -> Vec<String> {
    let text = std::fs::read_to_string(shared("reference/graph-api.md")).unwrap();
    let section = text
        .split("## 7. Directory role definitions")
        .nth(1)
        .unwrap()
        .split("\n## ")
        .next()
        .unwrap();
    section
        .lines()
        .filter_map(|l| {
            let cells: Vec<&str> = l.split('|').map(str::trim).collect();
            let id = *cells.get(2)?;
            (id.len() == 36 && id.chars().filter(|c| *c == '-').count() == 4)
                .then(|| id.to_string())
        })
        .collect()
}

fn is_guid(s: &str) -> bool {
    uuid::Uuid::parse_str(s).is_ok()
}

/// `{prefix}_{tenant}_{guid}`
fn assert_policy_id(id: &str, prefix: &str, tenant: &str) {
    let rest = id
        .strip_prefix(&format!("{prefix}_{tenant}_"))
        .unwrap_or_else(|| panic!("policy id {id} is not {prefix}_{tenant}_<guid>"));
    assert!(is_guid(rest), "{id}");
}

/// What GET returns for a rule PATCH body: annotations of nested objects dropped, operations
/// lowercase.
fn as_stored(body: &Value) -> Value {
    /// Drops `@odata.type` below the top level, except on approvers (subject sets keep it).
    fn strip(v: &mut Value, top: bool) {
        match v {
            Value::Object(m) => {
                if !top {
                    m.remove("@odata.type");
                }
                for (k, x) in m.iter_mut() {
                    if k != "primaryApprovers" && k != "escalationApprovers" {
                        strip(x, false);
                    }
                }
            }
            Value::Array(a) => a.iter_mut().for_each(|x| strip(x, false)),
            _ => {}
        }
    }
    let mut v = body.clone();
    strip(&mut v, true);
    if let Some(ops) = v["target"]["operations"].as_array_mut() {
        for op in ops {
            *op = json!(op.as_str().unwrap().to_ascii_lowercase());
        }
    }
    v
}

#[tokio::test]
async fn assignments_list_matches_reference_shape() {
    let c = Ctx::new().await;
    let expected = example("pim.policyAssignments.list.response.json");
    let (s, b) = c
        .get_q(
            ASSIGNMENTS,
            &[("$filter", "scopeId eq '/' and scopeType eq 'Directory'")],
        )
        .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(
        b["@odata.context"],
        format!(
            "{}/v1.0/$metadata#policies/roleManagementPolicyAssignments",
            c.sim.info().graph_endpoint
        )
    );
    let items = b["value"].as_array().unwrap();
    assert_eq!(items.len(), builtin_role_ids().len());
    let keys = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    for item in items {
        assert_eq!(keys(item), keys(&expected["value"][0]));
        assert_eq!(item["scopeId"], "/");
        assert_eq!(item["scopeType"], "Directory");
        let policy_id = item["policyId"].as_str().unwrap();
        assert_policy_id(policy_id, "Directory", c.tenant());
        assert_eq!(
            item["id"],
            format!("{policy_id}_{}", item["roleDefinitionId"].as_str().unwrap())
        );
    }
    let ga = items
        .iter()
        .find(|i| i["roleDefinitionId"] == GA)
        .expect("Global Administrator listed");
    // The DirectoryRole_ form names the same policy.
    let (s, b) = c
        .get_q(
            ASSIGNMENTS,
            &[(
                "$filter",
                &format!("{DIR_ROLE_SCOPE} and roleDefinitionId eq '{GA}'"),
            )],
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(b["value"].as_array().unwrap().len(), 1);
    let dr = &b["value"][0];
    assert_eq!(dr["scopeType"], "DirectoryRole");
    assert_eq!(
        dr["policyId"]
            .as_str()
            .unwrap()
            .strip_prefix("DirectoryRole_"),
        ga["policyId"].as_str().unwrap().strip_prefix("Directory_")
    );
    assert_eq!(dr["policyId"], c.sim.pim_policy_id(GA));
    // Both id forms resolve by id.
    for id in [dr["id"].as_str().unwrap(), ga["id"].as_str().unwrap()] {
        let (s, b) = c.get(&format!("{ASSIGNMENTS}/{id}")).await;
        assert_eq!(s, 200, "{b}");
        assert_eq!(b["id"], id);
        assert_eq!(b["roleDefinitionId"], GA);
    }
}

#[tokio::test]
async fn assignments_expand_policy_rules_matches_reference() {
    let c = Ctx::new().await;
    let mut expected = example("pim.policyAssignments.expand-policy-rules.response.json");
    let (s, mut b) = c
        .get_q(
            ASSIGNMENTS,
            &[
                (
                    "$filter",
                    &format!("{DIR_ROLE_SCOPE} and roleDefinitionId eq '{GA}'"),
                ),
                ("$expand", "policy($expand=rules)"),
            ],
        )
        .await;
    assert_eq!(s, 200, "{b}");
    // Tenant-specific ids and host aside, the response equals the reference.
    let item = &b["value"][0];
    let policy_id = c.sim.pim_policy_id(GA);
    assert_eq!(item["policyId"], policy_id);
    assert_eq!(item["policy"]["id"], policy_id);
    assert_eq!(item["id"], format!("{policy_id}_{GA}"));
    for v in [&mut b, &mut expected] {
        let item = &mut v["value"][0];
        item["id"] = json!("X");
        item["policyId"] = json!("X");
        item["policy"]["id"] = json!("X");
        v["@odata.context"] = json!(v["@odata.context"]
            .as_str()
            .unwrap()
            .split("$metadata")
            .nth(1)
            .unwrap());
    }
    assert_eq!(b, expected);

    // $expand=policy alone: the policy without rules; $select keeps the expanded member.
    let (s, b) = c
        .get_q(
            ASSIGNMENTS,
            &[
                (
                    "$filter",
                    &format!("{DIR_ROLE_SCOPE} and roleDefinitionId eq '{GA}'"),
                ),
                ("$expand", "policy"),
                ("$select", "roleDefinitionId"),
            ],
        )
        .await;
    assert_eq!(s, 200, "{b}");
    let item = &b["value"][0];
    assert!(b["@odata.context"]
        .as_str()
        .unwrap()
        .ends_with("#policies/roleManagementPolicyAssignments(roleDefinitionId,policy())"));
    let mut keys: Vec<_> = item.as_object().unwrap().keys().cloned().collect();
    keys.sort();
    assert_eq!(keys, ["id", "policy", "roleDefinitionId"]);
    assert!(item["policy"].get("rules").is_none());
    assert_eq!(
        item["policy"]["lastModifiedBy"],
        json!({"displayName": null, "id": null})
    );

    // Nested $select inside the expanded policy.
    let (s, b) = c
        .get_q(
            &format!("{ASSIGNMENTS}/{policy_id}_{GA}"),
            &[(
                "$expand",
                "policy($select=id,lastModifiedDateTime;$expand=rules($select=id))",
            )],
        )
        .await;
    assert_eq!(s, 200, "{b}");
    let mut keys: Vec<_> = b["policy"].as_object().unwrap().keys().cloned().collect();
    keys.sort();
    assert_eq!(keys, ["id", "lastModifiedDateTime", "rules"]);
    assert_eq!(b["policy"]["rules"].as_array().unwrap().len(), 17);
    assert_eq!(
        b["policy"]["rules"][0],
        json!({"@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyExpirationRule", "id": "Expiration_Admin_Eligibility"})
    );

    // Unknown navigation property.
    let (s, b) = c
        .get_q(
            ASSIGNMENTS,
            &[("$filter", DIR_ROLE_SCOPE), ("$expand", "roleDefinition")],
        )
        .await;
    assert_eq!(s, 400);
    assert_eq!(assert_graph_error(&b), "BadRequest");
}

#[tokio::test]
async fn rules_list_defaults_equal_reference() {
    let c = Ctx::new().await;
    let policy_id = c.sim.pim_policy_id(GA);
    let (s, b) = c.get(&format!("{POLICIES}/{policy_id}/rules")).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(
        b["@odata.context"],
        format!(
            "{}/v1.0/$metadata#policies/roleManagementPolicies('{policy_id}')/rules",
            c.sim.info().graph_endpoint
        )
    );
    assert_eq!(b["value"], default_rules());
    assert_eq!(c.sim.pim_rules(GA), default_rules());

    // One rule by id; $filter on id.
    let (s, b) = c
        .get(&format!(
            "{POLICIES}/{policy_id}/rules/Approval_EndUser_Assignment"
        ))
        .await;
    assert_eq!(s, 200);
    let mut rule = b.clone();
    rule.as_object_mut().unwrap().remove("@odata.context");
    assert_eq!(rule, default_rules()[12]);
    let (s, b) = c
        .get_q(
            &format!("{POLICIES}/{policy_id}/rules"),
            &[("$filter", "id eq 'Expiration_EndUser_Assignment'")],
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(b["value"], json!([default_rules()[10]]));
    let (s, b) = c
        .get(&format!("{POLICIES}/{policy_id}/rules/NoSuchRule"))
        .await;
    assert_eq!(s, 404);
    assert_eq!(assert_graph_error(&b), "ResourceNotFound");

    // The policy, with rules and effectiveRules (corpus pim-policies/001 shape).
    let (s, b) = c
        .get_q(
            &format!("{POLICIES}/{policy_id}"),
            &[("$expand", "rules,effectiveRules")],
        )
        .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["rules"], default_rules());
    assert_eq!(b["effectiveRules"], default_rules());
    let corpus: Value = serde_json::from_str(
        &std::fs::read_to_string(shared(
            "corpus/pim-policies/001-graphdocs-v1-get-directoryrole-policy-expand-rules-effectiverules.json",
        ))
        .unwrap(),
    )
    .unwrap();
    let mut got = b.clone();
    got.as_object_mut().unwrap().remove("@odata.context");
    got["id"] = corpus["id"].clone();
    assert_eq!(got, corpus);
    // Policies list with the scope filter, rules expanded.
    let (s, b) = c
        .get_q(
            POLICIES,
            &[("$filter", DIR_ROLE_SCOPE), ("$expand", "rules")],
        )
        .await;
    assert_eq!(s, 200);
    let list = b["value"].as_array().unwrap();
    assert_eq!(list.len(), builtin_role_ids().len());
    assert!(list.iter().all(|p| p["rules"] == default_rules()));
    assert!(b["@odata.context"]
        .as_str()
        .unwrap()
        .ends_with("#policies/roleManagementPolicies(rules())"));
}

#[tokio::test]
async fn every_rule_patch_example_is_accepted_and_reflected() {
    let c = Ctx::new().await;
    c.create_auth_context("c1").await;
    let dir = shared("reference/graph-examples");
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("pim.rule.patch.") && n.ends_with(".request.json"))
        .collect();
    files.sort();
    assert_eq!(files.len(), 6, "{files:?}");
    let roles = builtin_role_ids();
    // One role per example: the examples are independent (enablement-enduser turns MFA on,
    // which would conflict with authcontext-enduser on the same policy).
    for (name, role) in files.iter().zip(&roles) {
        let body = example(name);
        let old_id = c.sim.pim_policy_id(role);
        let (s, b) = c.patch_rule(role, &body).await;
        assert_eq!(s, 204, "{name}: {b}");
        assert_eq!(b, Value::Null, "{name}: 204 has no body");
        let new_id = c.sim.pim_policy_id(role);
        assert_ne!(
            old_id, new_id,
            "{name}: the policy id changes on first modification"
        );
        let rule_id = body["id"].as_str().unwrap();
        let (s, got) = c.get(&c.rule_url(role, rule_id)).await;
        assert_eq!(s, 200);
        let mut got = got;
        got.as_object_mut().unwrap().remove("@odata.context");
        assert_eq!(got, as_stored(&body), "{name}");
        // The other 16 rules are untouched.
        let rules = c.sim.pim_rules(role);
        for (i, r) in rules.as_array().unwrap().iter().enumerate() {
            if r["id"] != rule_id {
                assert_eq!(r, &default_rules()[i], "{name}");
            }
        }
    }
    // The corpus bodies (pim-rules/) are the same kind of request.
    for (i, f) in ["pim-rules"]
        .iter()
        .flat_map(|d| std::fs::read_dir(shared(&format!("corpus/{d}"))).unwrap())
        .enumerate()
    {
        let path = f.unwrap().path();
        let body: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let role = &roles[10 + i];
        let (s, b) = c.patch_rule(role, &body).await;
        assert_eq!(s, 204, "{}: {b}", path.display());
        let rule = c
            .sim
            .pim_rules(role)
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == body["id"])
            .cloned()
            .unwrap();
        assert_eq!(rule, as_stored(&body), "{}", path.display());
    }
}

#[tokio::test]
async fn policy_patch_example_returns_policy_without_rules() {
    let c = Ctx::new().await;
    let old_id = c.sim.pim_policy_id(GA);
    let body = example("pim.policy.patch.request.json");
    let expected = example("pim.policy.patch.response.json");
    let (s, b) = c.patch(&format!("{POLICIES}/{old_id}"), &body).await;
    assert_eq!(s, 200, "{b}");
    let keys = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(&b), keys(&expected));
    assert_eq!(
        b["@odata.context"],
        format!(
            "{}/v1.0/$metadata#policies/roleManagementPolicies/$entity",
            c.sim.info().graph_endpoint
        )
    );
    let new_id = c.sim.pim_policy_id(GA);
    assert_ne!(new_id, old_id);
    assert_eq!(b["id"], new_id);
    assert_policy_id(&new_id, "DirectoryRole", c.tenant());
    for k in [
        "displayName",
        "description",
        "isOrganizationDefault",
        "scopeId",
        "scopeType",
    ] {
        assert_eq!(b[k], expected[k], "{k}");
    }
    let stamp = b["lastModifiedDateTime"].as_str().unwrap();
    assert!(
        stamp.ends_with('Z') && stamp.len() == "2023-10-01T19:27:32.663Z".len(),
        "{stamp}"
    );
    assert_eq!(b["lastModifiedBy"]["id"], Value::Null);
    assert_eq!(b["lastModifiedBy"]["displayName"], "Terraform");

    // Each rule of the body is applied.
    let rules = c.sim.pim_rules(GA);
    for sent in body["rules"].as_array().unwrap() {
        let got = rules
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == sent["id"])
            .unwrap();
        assert_eq!(got, &as_stored(sent));
    }
    // claimValue "" as sent (the doc example), not null.
    assert_eq!(rules[13]["claimValue"], "");

    // The old id is gone.
    let (s, b) = c.get(&format!("{POLICIES}/{old_id}")).await;
    assert_eq!(s, 404);
    assert_eq!(assert_graph_error(&b), "ResourceNotFound");
    let (s, b) = c.get(&format!("{POLICIES}/{new_id}")).await;
    assert_eq!(s, 200);
    assert_eq!(b["lastModifiedDateTime"], stamp);

    // A delegated caller's name is recorded.
    let (user_token, _) = c.sim.mint_user_token();
    let (s, _, b) = send(
        &c.client,
        Method::PATCH,
        &graph_url(&c.sim, &format!("{POLICIES}/{new_id}")),
        &user_token,
        Some(&json!({"rules": []})),
    )
    .await;
    assert_eq!(s, 200);
    let b = b.unwrap();
    assert_eq!(b["id"], new_id, "later modifications keep the id");
    assert_eq!(
        b["lastModifiedBy"],
        json!({"displayName": "Sim Admin", "id": null})
    );

    // A bad rule in the batch: nothing is applied.
    let bad = json!({"rules": [
        {"@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyExpirationRule",
         "id": "Expiration_Admin_Assignment", "isExpirationRequired": true, "maximumDuration": "P30D"},
        {"@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyExpirationRule",
         "id": "Expiration_EndUser_Assignment", "isExpirationRequired": true, "maximumDuration": "P1Y"}
    ]});
    let before = c.sim.pim_rules(GA);
    let (s, b) = c.patch(&format!("{POLICIES}/{new_id}"), &bad).await;
    assert_eq!(s, 400, "{b}");
    assert_eq!(c.sim.pim_rules(GA), before);
    // Unknown rule id and non-rules members.
    let (s, _) = c
        .patch(
            &format!("{POLICIES}/{new_id}"),
            &json!({"rules": [{"id": "Nope"}]}),
        )
        .await;
    assert_eq!(s, 400);
    let (s, _) = c
        .patch(&format!("{POLICIES}/{new_id}"), &json!({"foo": 1}))
        .await;
    assert_eq!(s, 400);
}

#[tokio::test]
async fn mismatched_odata_type_is_500_with_empty_code() {
    let c = Ctx::new().await;
    let old_id = c.sim.pim_policy_id(GA);
    let expected = example("error.pim-bad-rule-body-500.json");
    let mut body = example("pim.rule.patch.expiration-enduser.request.json");
    body["@odata.type"] = json!("#microsoft.graph.unifiedRoleManagementPolicyApprovalRule");
    let (s, b) = c.patch_rule(GA, &body).await;
    assert_eq!(s, 500);
    assert_graph_error(&b);
    assert_eq!(b["error"]["code"], expected["error"]["code"]);
    assert_eq!(b["error"]["message"], expected["error"]["message"]);
    // Missing @odata.type is the same failure.
    body.as_object_mut().unwrap().remove("@odata.type");
    let (s, b) = c.patch_rule(GA, &body).await;
    assert_eq!(s, 500, "{b}");
    assert_eq!(b["error"]["code"], "");
    // Also inside a policy PATCH.
    let (s, _) = c
        .patch(&format!("{POLICIES}/{old_id}"), &json!({"rules": [body]}))
        .await;
    assert_eq!(s, 500);
    // Without '#' it is accepted.
    body["@odata.type"] = json!("microsoft.graph.unifiedRoleManagementPolicyExpirationRule");
    assert_eq!(
        c.sim.pim_policy_id(GA),
        old_id,
        "failed writes do not modify"
    );
    assert_eq!(c.sim.pim_rules(GA), default_rules());
    let (s, b) = c.patch_rule(GA, &body).await;
    assert_eq!(s, 204, "{b}");
}

#[tokio::test]
async fn lists_require_the_scope_filter() {
    let c = Ctx::new().await;
    let expected = example("error.pim-unknownerror-missingprovider.json");
    for coll in [ASSIGNMENTS, POLICIES] {
        for q in [
            vec![],
            vec![("$filter", "scopeId eq '/'")],
            vec![("$filter", "scopeType eq 'DirectoryRole'")],
            vec![(
                "$filter",
                "scopeId eq '/subscriptions/x' and scopeType eq 'azurerbac'",
            )],
            vec![("$expand", "policy")],
        ] {
            let (s, b) = c.get_q(coll, &q).await;
            assert_eq!(s, 400, "{coll} {q:?}: {b}");
            assert_eq!(assert_graph_error(&b), "UnknownError");
            assert_eq!(b["error"]["message"], expected["error"]["message"]);
            let inner: Value =
                serde_json::from_str(b["error"]["message"].as_str().unwrap()).unwrap();
            assert_eq!(inner["errorCode"], "MissingProvider");
        }
        // PIM for groups is a valid provider with nothing in it here.
        let (s, b) = c
            .get_q(
                coll,
                &[(
                    "$filter",
                    "scopeId eq '7e526275-97a8-4dc6-932a-4db521cccf96' and scopeType eq 'Group'",
                )],
            )
            .await;
        assert_eq!(s, 200, "{b}");
        assert_eq!(b["value"], json!([]));
        // The filter, any case of the keyword.
        let (s, b) = c
            .get_q(
                coll,
                &[("$filter", "scopeId eq '/' and scopeType eq 'directoryrole'")],
            )
            .await;
        assert_eq!(s, 200);
        assert_eq!(
            b["value"].as_array().unwrap().len(),
            builtin_role_ids().len()
        );
    }
    // Unknown filter property.
    let (s, b) = c
        .get_q(
            ASSIGNMENTS,
            &[(
                "$filter",
                "scopeId eq '/' and scopeType eq 'DirectoryRole' and foo eq 'x'",
            )],
        )
        .await;
    assert_eq!(s, 400);
    assert_eq!(assert_graph_error(&b), "BadRequest");
    // Paging.
    let (s, b) = c
        .get_q(ASSIGNMENTS, &[("$filter", DIR_ROLE_SCOPE), ("$top", "20")])
        .await;
    assert_eq!(s, 200);
    assert_eq!(b["value"].as_array().unwrap().len(), 20);
    let (s, b2) = c.get(b["@odata.nextLink"].as_str().unwrap()).await;
    assert_eq!(s, 200);
    assert_eq!(
        b2["value"].as_array().unwrap().len(),
        builtin_role_ids().len() - 20
    );
}

#[tokio::test]
async fn mfa_and_auth_context_conflict_is_asymmetric() {
    let c = Ctx::new().await;
    let expected = example("error.pim-mfa-acrs-conflict.json");
    c.create_auth_context("c1").await;
    let acrs_on = example("pim.rule.patch.authcontext-enduser.request.json");
    let mfa_on = example("pim.rule.patch.enablement-enduser.request.json");
    assert!(mfa_on["enabledRules"]
        .as_array()
        .unwrap()
        .contains(&json!("MultiFactorAuthentication")));

    // Default: MFA on. Enabling the authentication context is accepted.
    let (s, b) = c.patch_rule(GA, &acrs_on).await;
    assert_eq!(s, 204, "{b}");
    let rules = c.sim.pim_rules(GA);
    assert_eq!(rules[13]["isEnabled"], true);
    assert_eq!(rules[13]["claimValue"], "c1");
    assert_eq!(
        rules[11]["enabledRules"],
        json!(["MultiFactorAuthentication", "Justification"])
    );

    // Writing MFA while the authentication context is on is refused.
    let (s, b) = c.patch_rule(GA, &mfa_on).await;
    assert_eq!(s, 400);
    assert_graph_error(&b);
    assert_eq!(b["error"]["code"], expected["error"]["code"]);
    assert_eq!(b["error"]["message"], expected["error"]["message"]);
    // Without MFA it goes through; turning the context off then allows MFA again.
    let mut no_mfa = mfa_on.clone();
    no_mfa["enabledRules"] = json!(["Justification"]);
    let (s, _) = c.patch_rule(GA, &no_mfa).await;
    assert_eq!(s, 204);
    let mut acrs_off = acrs_on.clone();
    acrs_off["isEnabled"] = json!(false);
    let (s, _) = c.patch_rule(GA, &acrs_off).await;
    assert_eq!(s, 204);
    let (s, _) = c.patch_rule(GA, &mfa_on).await;
    assert_eq!(s, 204);

    // In one policy PATCH the order matters the same way.
    let id = c.sim.pim_policy_id(GA);
    let (s, b) = c
        .patch(
            &format!("{POLICIES}/{id}"),
            &json!({"rules": [acrs_on, mfa_on]}),
        )
        .await;
    assert_eq!(s, 400);
    assert_eq!(b["error"]["code"], "MfaAndAcrsConflict");
    let (s, _) = c
        .patch(
            &format!("{POLICIES}/{id}"),
            &json!({"rules": [mfa_on, acrs_on]}),
        )
        .await;
    assert_eq!(s, 200);

    // An authentication context that does not exist.
    let mut missing = acrs_on.clone();
    missing["claimValue"] = json!("c42");
    let role = "e8611ab8-c189-46e8-94e1-60213ab1f814";
    let (s, b) = c.patch_rule(role, &missing).await;
    assert_eq!(s, 400);
    assert_eq!(assert_graph_error(&b), "BadRequest");
    assert!(b["error"]["message"].as_str().unwrap().contains("c42"));
    missing["claimValue"] = Value::Null;
    let (s, _) = c.patch_rule(role, &missing).await;
    assert_eq!(s, 400, "isEnabled needs a claimValue");
}

#[tokio::test]
async fn rule_values_are_validated() {
    let c = Ctx::new().await;
    let base = example("pim.rule.patch.expiration-enduser.request.json");
    let admin = example("pim.rule.patch.expiration-admin-eligibility.request.json");
    let with = |b: &Value, k: &str, v: Value| {
        let mut b = b.clone();
        b[k] = v;
        b
    };
    for (body, ok) in [
        (with(&base, "maximumDuration", json!("PT24H")), true),
        (with(&base, "maximumDuration", json!("P1D")), true),
        (with(&base, "maximumDuration", json!("PT30M")), true),
        (with(&base, "maximumDuration", json!("PT25H")), false),
        (with(&base, "maximumDuration", json!("P2D")), false),
        (with(&base, "maximumDuration", json!("PT0H")), false),
        (with(&base, "maximumDuration", json!("8 hours")), false),
        (with(&base, "maximumDuration", json!(8)), false),
        (with(&base, "maximumDuration", Value::Null), false),
        (with(&admin, "maximumDuration", json!("P365D")), true),
        (with(&admin, "maximumDuration", json!("P15D")), true),
        (with(&admin, "maximumDuration", json!("P1Y")), false),
        (with(&admin, "maximumDuration", json!("P6M")), false),
        (with(&admin, "maximumDuration", json!("P2W")), false),
        (with(&admin, "maximumDuration", json!("P366D")), false),
        (
            with(
                &with(&admin, "isExpirationRequired", json!(false)),
                "maximumDuration",
                Value::Null,
            ),
            true,
        ),
        (with(&admin, "isExpirationRequired", json!("yes")), false),
        (with(&admin, "unknownMember", json!(1)), false),
    ] {
        let (s, b) = c.patch_rule(GA, &body).await;
        if ok {
            assert_eq!(s, 204, "{body}: {b}");
        } else {
            assert_eq!(s, 400, "{body}: {b}");
            assert_eq!(assert_graph_error(&b), "BadRequest");
        }
    }
    // isExpirationRequired true requires maximumDuration (omitted = reset to default is not
    // null for the activation rule, so use an explicit null on the admin rule).
    let mut no_max = admin.clone();
    no_max["maximumDuration"] = Value::Null;
    let (s, b) = c.patch_rule(GA, &no_max).await;
    assert_eq!(s, 400, "{b}");
    assert!(b["error"]["message"]
        .as_str()
        .unwrap()
        .contains("maximumDuration"));

    // Enablement values are case-sensitive.
    let en = example("pim.rule.patch.enablement-enduser.request.json");
    let (s, _) = c
        .patch_rule(GA, &with(&en, "enabledRules", json!(["justification"])))
        .await;
    assert_eq!(s, 400);
    let (s, _) = c
        .patch_rule(
            GA,
            &with(&en, "enabledRules", json!(["Justification", "Ticketing"])),
        )
        .await;
    assert_eq!(s, 204);

    // Notification level / recipient type / recipients.
    let n = example("pim.rule.patch.notification.request.json");
    for (body, ok) in [
        (with(&n, "notificationLevel", json!("None")), true),
        (with(&n, "notificationLevel", json!("Some")), false),
        (with(&n, "recipientType", json!("Approver")), false),
        (with(&n, "notificationType", json!("Sms")), false),
        (
            with(&n, "notificationRecipients", json!(["not-an-email"])),
            false,
        ),
    ] {
        let (s, b) = c.patch_rule(GA, &body).await;
        assert_eq!(s, if ok { 204 } else { 400 }, "{body}: {b}");
    }

    // Approvers: userId / groupId, `id` tolerated; other types refused.
    let a = example("pim.rule.patch.approval-enduser.request.json");
    let mut tolerant = a.clone();
    tolerant["setting"]["approvalStages"][0]["primaryApprovers"] = json!([
        {"@odata.type": "#microsoft.graph.singleUser", "isBackup": false,
         "id": "10a08e2e-3ea2-4ce0-80cb-d5fdd4b05ea6", "description": null}
    ]);
    let (s, b) = c.patch_rule(GA, &tolerant).await;
    assert_eq!(s, 204, "{b}");
    assert_eq!(
        c.sim.pim_rules(GA)[12]["setting"]["approvalStages"][0]["primaryApprovers"],
        json!([{"@odata.type": "#microsoft.graph.singleUser", "userId": "10a08e2e-3ea2-4ce0-80cb-d5fdd4b05ea6"}])
    );
    let mut other = a.clone();
    other["setting"]["approvalStages"][0]["primaryApprovers"] =
        json!([{"@odata.type": "#microsoft.graph.requestorManager", "managerLevel": 1}]);
    let (s, _) = c.patch_rule(GA, &other).await;
    assert_eq!(s, 400);
    let mut no_user = a.clone();
    no_user["setting"]["approvalStages"][0]["primaryApprovers"] =
        json!([{"@odata.type": "#microsoft.graph.singleUser"}]);
    let (s, _) = c.patch_rule(GA, &no_user).await;
    assert_eq!(s, 400);

    // Target: operations any case (stored lowercase); caller/level cannot change.
    let mut t = base.clone();
    t["target"]["operations"] = json!(["ALL"]);
    let (s, _) = c.patch_rule(GA, &t).await;
    assert_eq!(s, 204);
    assert_eq!(
        c.sim.pim_rules(GA)[10]["target"]["operations"],
        json!(["all"])
    );
    t["target"]["caller"] = json!("Admin");
    let (s, _) = c.patch_rule(GA, &t).await;
    assert_eq!(s, 400);
    // A target with only its type (Microsoft365DSC) keeps the current target.
    let mut minimal = base.clone();
    minimal["target"] =
        json!({"@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyRuleTarget"});
    let (s, _) = c.patch_rule(GA, &minimal).await;
    assert_eq!(s, 204);
    assert_eq!(
        c.sim.pim_rules(GA)[10]["target"],
        default_rules()[10]["target"]
    );
    // Body id must be the URL's rule.
    let (s, _) = c
        .patch(&c.rule_url(GA, "Expiration_Admin_Eligibility"), &base)
        .await;
    assert_eq!(s, 400);
}

#[tokio::test]
async fn policy_id_changes_on_first_modification_only() {
    let c = Ctx::new().await;
    let old = c.sim.pim_policy_id(GA);
    let old_assignment = format!("{old}_{GA}");
    let (s, _) = c.get(&format!("{ASSIGNMENTS}/{old_assignment}")).await;
    assert_eq!(s, 200);
    let body = example("pim.rule.patch.expiration-admin-eligibility.request.json");
    let (s, _) = c
        .patch(
            &format!("{POLICIES}/{old}/rules/Expiration_Admin_Eligibility"),
            &body,
        )
        .await;
    assert_eq!(s, 204);
    let new = c.sim.pim_policy_id(GA);
    assert_ne!(new, old);
    assert_policy_id(&new, "DirectoryRole", c.tenant());
    for path in [
        format!("{POLICIES}/{old}"),
        format!("{POLICIES}/{old}/rules"),
        format!("{POLICIES}/{old}/rules/Expiration_Admin_Eligibility"),
        format!("{ASSIGNMENTS}/{old_assignment}"),
        format!(
            "{POLICIES}/{}",
            old.replacen("DirectoryRole_", "Directory_", 1)
        ),
    ] {
        let (s, b) = c.get(&path).await;
        assert_eq!(s, 404, "{path}");
        assert_eq!(assert_graph_error(&b), "ResourceNotFound");
    }
    let (s, b) = c
        .patch(
            &format!("{POLICIES}/{old}/rules/Expiration_Admin_Eligibility"),
            &body,
        )
        .await;
    assert_eq!(s, 404, "{b}");
    // The assignment now points at the new policy.
    let (s, b) = c
        .get_q(
            ASSIGNMENTS,
            &[
                (
                    "$filter",
                    &format!("{DIR_ROLE_SCOPE} and roleDefinitionId eq '{GA}'"),
                ),
                ("$expand", "policy"),
            ],
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(b["value"][0]["policyId"], new);
    assert_eq!(b["value"][0]["id"], format!("{new}_{GA}"));
    assert!(b["value"][0]["policy"]["lastModifiedDateTime"].is_string());
    // A second modification keeps the id; other roles are unaffected.
    let (s, _) = c
        .patch(
            &format!("{POLICIES}/{new}/rules/Expiration_Admin_Eligibility"),
            &body,
        )
        .await;
    assert_eq!(s, 204);
    assert_eq!(c.sim.pim_policy_id(GA), new);
    let other = "e8611ab8-c189-46e8-94e1-60213ab1f814";
    let (s, b) = c
        .get(&format!("{POLICIES}/{}", c.sim.pim_policy_id(other)))
        .await;
    assert_eq!(s, 200);
    assert_eq!(b["lastModifiedDateTime"], Value::Null);
}

#[tokio::test]
async fn role_definitions_list_filter_and_get() {
    let c = Ctx::new().await;
    let ids = builtin_role_ids();
    assert_eq!(ids.len(), 31);
    let coll = "/v1.0/roleManagement/directory/roleDefinitions";
    let (s, b) = c.get(coll).await;
    assert_eq!(s, 200);
    assert_eq!(
        b["@odata.context"],
        format!(
            "{}/v1.0/$metadata#roleManagement/directory/roleDefinitions",
            c.sim.info().graph_endpoint
        )
    );
    let list = b["value"].as_array().unwrap();
    let got: Vec<&str> = list.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(got, ids);
    let reference = example("roledefinitions.list.response.json");
    let helpdesk = list
        .iter()
        .find(|r| r["displayName"] == "Helpdesk Administrator")
        .unwrap();
    for k in reference["value"][0].as_object().unwrap().keys() {
        assert!(helpdesk.get(k).is_some(), "missing {k}");
    }
    for k in [
        "id",
        "displayName",
        "description",
        "isBuiltIn",
        "isEnabled",
        "templateId",
        "version",
    ] {
        assert_eq!(helpdesk[k], reference["value"][0][k], "{k}");
    }
    for r in list {
        assert_eq!(r["id"], r["templateId"]);
        assert_eq!(r["isBuiltIn"], true);
        assert_eq!(r["resourceScopes"], json!(["/"]));
        assert!(r["description"].as_str().is_some_and(|d| !d.is_empty()));
    }

    let (s, b) = c
        .get_q(
            coll,
            &[("$filter", "displayName eq 'Global Administrator'")],
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(b["value"].as_array().unwrap().len(), 1);
    assert_eq!(b["value"][0]["id"], GA);
    let (s, b) = c
        .get_q(
            coll,
            &[
                ("$filter", &format!("templateId eq '{GA}'")),
                ("$select", "displayName"),
            ],
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(
        b["value"],
        json!([{"id": GA, "displayName": "Global Administrator"}])
    );
    let (s, b) = c.get_q(coll, &[("$filter", "isBuiltIn eq true")]).await;
    assert_eq!(s, 200);
    assert_eq!(b["value"].as_array().unwrap().len(), 31);

    let (s, b) = c.get(&format!("{coll}/{GA}")).await;
    assert_eq!(s, 200);
    assert_eq!(b["displayName"], "Global Administrator");
    assert!(b["@odata.context"]
        .as_str()
        .unwrap()
        .ends_with("#roleManagement/directory/roleDefinitions/$entity"));
    let (s, b) = c
        .get(&format!("{coll}/00000000-0000-0000-0000-000000000001"))
        .await;
    assert_eq!(s, 404);
    assert_eq!(assert_graph_error(&b), "Request_ResourceNotFound");

    // A custom role: listed after the built-ins, templateId = id, with its own PIM policy.
    let custom = c.sim.add_custom_role("Tier 0 Helpdesk");
    let (s, b) = c.get_q(coll, &[("$filter", "isBuiltIn eq false")]).await;
    assert_eq!(s, 200);
    assert_eq!(b["value"].as_array().unwrap().len(), 1);
    let r = &b["value"][0];
    assert_eq!(r["id"], custom);
    assert_eq!(r["templateId"], custom);
    assert_eq!(r["displayName"], "Tier 0 Helpdesk");
    let (s, b) = c
        .get_q(
            ASSIGNMENTS,
            &[
                (
                    "$filter",
                    &format!("{DIR_ROLE_SCOPE} and roleDefinitionId eq '{custom}'"),
                ),
                ("$expand", "policy($expand=rules)"),
            ],
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(b["value"].as_array().unwrap().len(), 1);
    assert_eq!(b["value"][0]["policy"]["rules"], default_rules());
    assert_eq!(c.sim.pim_rules(&custom), default_rules());
    assert_eq!(
        c.sim.pim_rules("00000000-0000-0000-0000-000000000001"),
        Value::Null
    );
}

#[tokio::test]
async fn policies_and_assignments_cannot_be_created_or_deleted() {
    let c = Ctx::new().await;
    let id = c.sim.pim_policy_id(GA);
    let body = json!({"displayName": "x", "scopeId": "/", "scopeType": "DirectoryRole"});
    for (m, path) in [
        (Method::POST, POLICIES.to_string()),
        (Method::POST, ASSIGNMENTS.to_string()),
        (Method::DELETE, format!("{POLICIES}/{id}")),
        (Method::DELETE, format!("{ASSIGNMENTS}/{id}_{GA}")),
        (Method::PATCH, format!("{ASSIGNMENTS}/{id}_{GA}")),
    ] {
        let b = (m != Method::DELETE).then_some(&body);
        let (s, resp) = c.call(m.clone(), &path, b).await;
        assert_eq!(s, 405, "{m} {path}");
        assert_graph_error(&resp);
    }
    let (s, _) = c.get(&format!("{POLICIES}/{id}")).await;
    assert_eq!(s, 200);
    assert_eq!(c.sim.pim_policy_id(GA), id);
}

#[tokio::test]
async fn all_builtin_roles_with_expanded_rules_in_one_call() {
    let c = Ctx::new().await;
    c.sim.reset_stats();
    let (s, b) = c
        .get_q(
            ASSIGNMENTS,
            &[
                ("$filter", DIR_ROLE_SCOPE),
                ("$expand", "policy($expand=rules)"),
            ],
        )
        .await;
    assert_eq!(s, 200, "{b}");
    assert!(b.get("@odata.nextLink").is_none());
    let items = b["value"].as_array().unwrap();
    let roles: Vec<&str> = items
        .iter()
        .map(|i| i["roleDefinitionId"].as_str().unwrap())
        .collect();
    assert_eq!(roles, builtin_role_ids());
    let mut policy_ids = std::collections::HashSet::new();
    for i in items {
        assert_eq!(i["policy"]["rules"], default_rules());
        assert_eq!(i["policy"]["id"], i["policyId"]);
        assert_policy_id(i["policyId"].as_str().unwrap(), "DirectoryRole", c.tenant());
        assert!(policy_ids.insert(i["policyId"].as_str().unwrap().to_string()));
    }
    let stats = c.sim.stats();
    assert_eq!(
        stats["requests"]["GET /v1.0/policies/roleManagementPolicyAssignments"], 1,
        "{stats}"
    );
    assert_eq!(stats["total"], 1);
    // Item templates count too.
    let id = c.sim.pim_policy_id(GA);
    c.get(&format!(
        "{POLICIES}/{id}/rules/Approval_EndUser_Assignment"
    ))
    .await;
    assert_eq!(
        c.sim.stats()["requests"]["GET /v1.0/policies/roleManagementPolicies/{id}/rules/{ruleId}"],
        1
    );
}

#[tokio::test]
async fn seed_applies_corpus_policies_that_name_a_role() {
    let c = Ctx::with(SimOptions {
        seed_dir: Some(shared("corpus")),
        ..Default::default()
    })
    .await;
    // 002 is the Global Administrator policy (named in its file name).
    let file: Value = serde_json::from_str(
        &std::fs::read_to_string(shared(
            "corpus/pim-policies/002-graphdocs-beta-assignment-list-global-administrator-policy.json",
        ))
        .unwrap(),
    )
    .unwrap();
    let rules = c.sim.pim_rules(GA);
    for sent in file["rules"].as_array().unwrap() {
        let got = rules
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == sent["id"])
            .unwrap();
        assert_eq!(got, &as_stored(sent), "{}", sent["id"]);
    }
    // Graph's order is kept regardless of the file's order.
    let ids: Vec<&Value> = rules.as_array().unwrap().iter().map(|r| &r["id"]).collect();
    let default_ids: Vec<Value> = default_rules()
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].clone())
        .collect();
    assert_eq!(ids, default_ids.iter().collect::<Vec<_>>());
    let (s, b) = c
        .get(&format!("{POLICIES}/{}", c.sim.pim_policy_id(GA)))
        .await;
    assert_eq!(s, 200);
    assert_eq!(b["lastModifiedDateTime"], file["lastModifiedDateTime"]);
    assert_eq!(b["lastModifiedBy"], file["lastModifiedBy"]);
    // The others (no role named, PIM for groups, a template) leave every other role default.
    for role in builtin_role_ids().iter().filter(|r| *r != GA) {
        assert_eq!(c.sim.pim_rules(role), default_rules(), "{role}");
    }
}
