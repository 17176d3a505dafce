//! `entra_conditional_access_policy` end to end on the scenarios in examples/scenarios: apply,
//! clean second plan, portal-style drift caught by the refresh-only check, import, destroy.

mod common;

use common::{terraform_binaries, Sim, Tf};
use serde_json::{json, Value};

const POLICIES: &str = "/beta/identity/conditionalAccess/policies";

fn scenario(dir: &str) -> String {
    let path = format!(
        "{}/examples/scenarios/{dir}/main.tf",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The policies Graph holds, by display name.
fn policies(sim: &Sim) -> Vec<Value> {
    let (status, body) = sim.graph("GET", POLICIES, None);
    assert_eq!(status, 200, "{body}");
    body["value"].as_array().unwrap().clone()
}

fn by_name(sim: &Sim, name: &str) -> Value {
    policies(sim)
        .into_iter()
        .find(|p| p["displayName"] == name)
        .unwrap_or_else(|| panic!("no policy {name}"))
}

/// The scenario's lifecycle; `check` inspects what Graph holds after the first apply.
fn lifecycle(dir: &str, resources: &[&str], check: impl Fn(&Sim)) {
    for bin in terraform_binaries() {
        let sim = Sim::start();
        let tf = Tf::new(&bin, sim.provider_env());
        tf.raw_config(&scenario(dir));
        tf.apply();
        check(&sim);
        tf.assert_clean_plan();

        // An administrator switches the first policy off in the portal.
        let first = tf.ok(&["state", "show", "-no-color", resources[0]]).stdout;
        let id = first
            .lines()
            .find_map(|l| {
                l.trim().strip_prefix("id ").map(|r| {
                    r.trim_start_matches([' ', '='])
                        .trim_matches('"')
                        .to_string()
                })
            })
            .expect("id in state");
        let (status, _) = sim.graph(
            "PATCH",
            &format!("{POLICIES}/{id}"),
            Some(json!({"state": "disabled"})),
        );
        assert_eq!(status, 204);
        let drift = tf.assert_drift();
        assert!(drift.stdout.contains("\"disabled\""), "{}", drift.stdout);
        tf.apply();
        tf.assert_clean_plan();

        // The same configuration imported into an empty state plans clean.
        let imported = Tf::new(&bin, sim.provider_env());
        imported.raw_config(&scenario(dir));
        for address in resources {
            let show = tf.ok(&["state", "show", "-no-color", address]).stdout;
            let id = show
                .lines()
                .find_map(|l| {
                    l.trim().strip_prefix("id ").map(|r| {
                        r.trim_start_matches([' ', '='])
                            .trim_matches('"')
                            .to_string()
                    })
                })
                .unwrap();
            imported.ok(&["import", "-no-color", "-input=false", address, &id]);
        }
        // Import records no outputs; Terraform 1.0 counts a new output as a change, so record
        // them (refresh-only changes nothing remote) before checking that the plan is clean.
        imported.ok(&[
            "apply",
            "-refresh-only",
            "-auto-approve",
            "-no-color",
            "-input=false",
        ]);
        imported.assert_clean_plan();

        tf.destroy();
        assert!(policies(&sim).is_empty(), "destroy leaves nothing");
        let (_, locations) = sim.graph(
            "GET",
            "/v1.0/identity/conditionalAccess/namedLocations",
            None,
        );
        assert_eq!(
            locations["value"],
            json!([]),
            "trusted locations are untrusted and deleted"
        );
    }
}

#[test]
fn s1_reauthentication_every_time_goes_through_beta() {
    lifecycle(
        "s1-reauth-register-security-info",
        &["entra_conditional_access_policy.s1"],
        |sim| {
            let p = by_name(
                sim,
                "CA301-Internals-BaseProtection-CombinedRegistration-Require-ReAuthentication",
            );
            assert_eq!(
                p["conditions"]["applications"]["includeUserActions"],
                json!(["urn:user:registersecurityinfo"])
            );
            let sif = &p["sessionControls"]["signInFrequency"];
            assert_eq!(sif["frequencyInterval"], "everyTime");
            assert_eq!(sif["value"], Value::Null);
            assert_eq!(p["grantControls"], Value::Null);
            let stats = sim.sim().stats();
            assert_eq!(
                stats["requests"]["POST /beta/identity/conditionalAccess/policies"], 1,
                "{stats}"
            );
        },
    );
}

#[test]
fn s2_mfa_outside_trusted_locations_report_only() {
    lifecycle(
        "s2-register-security-info-trusted-locations-or-mfa",
        &[
            "entra_conditional_access_policy.s2",
            "entra_conditional_access_policy.s2_strength",
            "entra_named_location.hq",
        ],
        |sim| {
            let p = by_name(sim, "CA302-Internals-BaseProtection-RegisterSecurityInfo-UntrustedLocations-Require-MFA");
            assert_eq!(p["state"], "enabledForReportingButNotEnforced");
            assert_eq!(
                p["conditions"]["locations"]["excludeLocations"],
                json!(["AllTrusted"])
            );
            let guests = &p["conditions"]["users"]["excludeGuestsOrExternalUsers"];
            assert_eq!(
            guests["guestOrExternalUserTypes"],
            "internalGuest,b2bCollaborationGuest,b2bCollaborationMember,b2bDirectConnectUser,otherExternalUser,serviceProvider"
        );
            assert_eq!(guests["externalTenants"]["membershipKind"], "all");
            let stats = sim.sim().stats();
            assert_eq!(
                stats["requests"]["POST /v1.0/identity/conditionalAccess/policies"], 2,
                "fits v1.0: {stats}"
            );
            let variant = by_name(sim, "CA303-Internals-BaseProtection-RegisterSecurityInfo-OutsideHQ-Require-PhishingResistantMFA");
            assert_eq!(
                variant["grantControls"]["authenticationStrength"]["id"],
                "00000000-0000-0000-0000-000000000004"
            );
            let (_, locations) = sim.graph(
                "GET",
                "/v1.0/identity/conditionalAccess/namedLocations",
                None,
            );
            let hq = &locations["value"][0];
            assert_eq!(hq["isTrusted"], true);
            assert_eq!(
                variant["conditions"]["locations"]["excludeLocations"],
                json!([hq["id"]])
            );
        },
    );
}

#[test]
fn s3_guests_blocked_outside_trusted_locations() {
    lifecycle(
        "s3-guests-register-from-trusted-locations-only",
        &[
            "entra_conditional_access_policy.s3",
            "entra_named_location.hq",
        ],
        |sim| {
            let p = by_name(
                sim,
                "CA401-Guests-AttackSurfaceReduction-RegisterSecurityInfo-UntrustedLocations-Block",
            );
            assert_eq!(p["grantControls"]["builtInControls"], json!(["block"]));
            assert!(p["conditions"]["users"]["includeGuestsOrExternalUsers"].is_object());
        },
    );
}

#[test]
fn s4_block_registration_under_user_and_sign_in_risk() {
    lifecycle(
        "s4-block-registration-under-risk",
        &[
            "entra_conditional_access_policy.s4a_user_risk",
            "entra_conditional_access_policy.s4b_sign_in_risk",
        ],
        |sim| {
            let a = by_name(
                sim,
                "CA210-Internals-IdentityProtection-RegisterSecurityInfo-UserRisk-Block",
            );
            assert_eq!(
                a["conditions"]["userRiskLevels"].as_array().unwrap().len(),
                3
            );
            let b = by_name(
                sim,
                "CA211-Internals-IdentityProtection-RegisterSecurityInfo-SignInRisk-Block",
            );
            assert_eq!(
                b["conditions"]["signInRiskLevels"]
                    .as_array()
                    .unwrap()
                    .len(),
                3
            );
        },
    );
}

#[test]
fn agent_identities_baseline_goes_through_beta() {
    lifecycle(
        "agent-identities",
        &[
            "entra_conditional_access_policy.ca500_block_unapproved_agents",
            "entra_conditional_access_policy.ca501_block_high_risk_agents",
            "entra_conditional_access_policy.ca502_agent_users_trusted_locations",
        ],
        |sim| {
            let p = by_name(
                sim,
                "CA500-Agents-AttackSurfaceReduction-AllAgentIdentities-AllResources-BLOCK",
            );
            let apps = &p["conditions"]["clientApplications"];
            assert_eq!(
                apps["includeAgentIdServicePrincipals"],
                json!(["All"]),
                "{p}"
            );
            assert_eq!(
                apps["excludeAgentIdServicePrincipals"],
                json!(["2f6e3c1a-9b4d-4c8e-a1f2-3d4e5f6a7b8c"])
            );
            let p = by_name(
                sim,
                "CA501-Agents-IdentityProtection-AllAgentIdentities-AllAgentResources-BLOCK-HighRisk",
            );
            assert_eq!(p["conditions"]["agentIdRiskLevels"], "high", "{p}");
            assert_eq!(p["conditions"]["clientAppTypes"], json!([]), "{p}");
            let p = by_name(
                sim,
                "CA502-AgentUsers-AttackSurfaceReduction-AllApps-BLOCK-UntrustedLocations",
            );
            assert_eq!(
                p["conditions"]["users"]["includeUsers"],
                json!(["AllAgentIdUsers"])
            );
        },
    );
}

#[test]
fn global_secure_access_filtering_goes_through_beta() {
    lifecycle(
        "global-secure-access",
        &[
            "entra_conditional_access_policy.ca600_web_content_filtering",
            "entra_conditional_access_policy.ca601_compliant_network_only",
        ],
        |sim| {
            let p = by_name(
                sim,
                "CA600-Internals-InternetAccess-AllApps-AnyPlatform-WebContentFiltering",
            );
            assert_eq!(
                p["sessionControls"]["globalSecureAccessFilteringProfile"],
                json!({"isEnabled": true, "profileId": "1d7c2f4e-8a3b-4c5d-9e6f-0a1b2c3d4e5f"}),
                "{p}"
            );
            // The system location, found by the data source through beta.
            let (_, locations) = sim.graph(
                "GET",
                "/beta/identity/conditionalAccess/namedLocations",
                None,
            );
            let compliant = locations["value"]
                .as_array()
                .unwrap()
                .iter()
                .find(|l| l["displayName"] == "All Compliant Network locations")
                .expect("the simulator's system location");
            let p = by_name(
                sim,
                "CA601-Internals-AttackSurfaceReduction-AllApps-AnyPlatform-BLOCK-OutsideCompliantNetwork",
            );
            assert_eq!(
                p["conditions"]["locations"]["excludeLocations"],
                json!([compliant["id"]]),
                "{p}"
            );
        },
    );
}

#[test]
fn a_graph_rule_broken_in_hcl_fails_at_plan_with_its_path_and_no_graph_call() {
    for bin in terraform_binaries() {
        let sim = Sim::start();
        let tf = Tf::new(&bin, sim.provider_env());
        tf.config(
            r#"
resource "entra_conditional_access_policy" "bad" {
  display_name = "CA999-Both"
  state        = "enabled"
  conditions {
    client_app_types = ["all"]
    applications {
      included_applications = ["All"]
      included_user_actions = ["urn:user:registersecurityinfo"]
    }
    users {
      included_users = ["All"]
    }
  }
  grant_controls {
    operator          = "OR"
    built_in_controls = ["mfa"]
  }
}
"#,
        );
        sim.sim().reset_stats();
        let r = tf.plan_code(&[]);
        assert_eq!(r.code, 1, "{}", r.text());
        let flat = r.flat();
        assert!(
            flat.contains("Applications and user actions together"),
            "{flat}"
        );
        assert!(flat.contains("1012"), "{flat}");
        assert!(flat.contains("included_user_actions"), "{flat}");
        assert_eq!(sim.graph_requests(), 0, "{}", sim.sim().stats());
    }
}

const OFFICE_HOURS: &str = r#"
resource "entra_conditional_access_policy" "p" {
  display_name = "CA050-Compliant-Devices"
  state        = "enabled"
  conditions {
    client_app_types = ["all"]
    applications {
      included_applications = ["All"]
    }
    users {
      included_users = ["All"]
    }
    devices {
      filter {
        mode = "exclude"
        rule = "device.isCompliant -eq True"
      }
    }
  }
  grant_controls {
    operator          = "OR"
    built_in_controls = [GRANTS]
  }
}
"#;

#[test]
fn fields_graph_has_but_the_schema_does_not_model_are_named_in_a_warning_and_kept() {
    for bin in terraform_binaries() {
        let sim = Sim::start();
        let tf = Tf::new(&bin, sim.provider_env());
        tf.config(&OFFICE_HOURS.replace("GRANTS", "\"mfa\""));
        tf.apply();
        let id = tf.attr("entra_conditional_access_policy.p", "id");
        let id = id.as_str().unwrap();
        // In the portal (beta, as the portal writes), an administrator sets the retired device
        // states two levels down, which the schema does not model.
        let (_, mut p) = sim.graph("GET", &format!("{POLICIES}/{id}"), None);
        p["conditions"]["devices"]["excludeDeviceStates"] = json!(["domainJoined"]);
        let (status, body) = sim.graph(
            "PATCH",
            &format!("{POLICIES}/{id}"),
            Some(json!({"conditions": p["conditions"]})),
        );
        assert_eq!(status, 204, "{body}");
        let plan = tf.plan_code(&[]);
        assert_eq!(
            plan.code,
            0,
            "nothing Terraform can change: {}",
            plan.text()
        );
        let flat = plan.flat();
        assert!(
            flat.contains("has settings this provider does not manage"),
            "{flat}"
        );
        assert!(
            flat.contains("conditions.devices.excludeDeviceStates"),
            "{flat}"
        );
        // An update keeps the portal-only setting instead of wiping it. The policy changed
        // in the portal since Terraform wrote it, so the apply reads it before writing.
        tf.config(&OFFICE_HOURS.replace("GRANTS", "\"mfa\", \"compliantDevice\""));
        let changes = |tf: &Tf| {
            tf.ok(&["plan", "-out=tfplan", "-no-color", "-input=false"]);
            sim.sim().reset_stats();
            tf.ok(&["apply", "-no-color", "-input=false", "tfplan"]);
            let stats = sim.sim().stats();
            assert_eq!(
                stats["requests"]["PATCH /beta/identity/conditionalAccess/policies/{id}"], 1,
                "{stats}"
            );
            stats["total"].as_u64().unwrap()
        };
        // Graph holds the new grant controls and still the portal-only setting.
        let holds = |grants: Value| {
            let (_, p) = sim.graph("GET", &format!("{POLICIES}/{id}"), None);
            assert_eq!(p["grantControls"]["builtInControls"], grants, "{p}");
            assert_eq!(
                p["conditions"]["devices"]["excludeDeviceStates"],
                json!(["domainJoined"]),
                "{p}"
            );
        };
        assert_eq!(changes(&tf), 3, "read, write, read the modification time");
        holds(json!(["compliantDevice", "mfa"]));
        // Unchanged since Terraform's write: the private state kept the unmodelled fields,
        // and the next change writes without reading first, still keeping them.
        tf.config(&OFFICE_HOURS.replace("GRANTS", "\"compliantDevice\""));
        assert_eq!(changes(&tf), 2, "write, read the modification time");
        holds(json!(["compliantDevice"]));
        let private = private_states(&tf);
        assert!(
            private.iter().all(|p| !p.contains("compliantDevice")),
            "the private state holds the unmodelled fields only: {private:?}"
        );
        tf.assert_clean_plan();
        tf.destroy();
    }
}

#[test]
fn refreshing_many_policies_lists_them_once() {
    for bin in terraform_binaries() {
        let sim = Sim::start();
        let tf = Tf::new(&bin, sim.provider_env());
        let config: String = (0..6)
            .map(|i| {
                format!(
                    r#"
resource "entra_conditional_access_policy" "p{i}" {{
  display_name = "CA{i:03}-Many"
  state        = "enabledForReportingButNotEnforced"
  conditions {{
    client_app_types = ["all"]
    applications {{
      included_applications = ["All"]
    }}
    users {{
      included_users = ["All"]
    }}
  }}
  grant_controls {{
    operator          = "OR"
    built_in_controls = ["mfa"]
  }}
}}
"#
                )
            })
            .collect();
        tf.config(&config);
        tf.apply();
        sim.sim().reset_stats();
        tf.assert_clean_plan();
        let stats = sim.sim().stats();
        assert_eq!(stats["total"], 1, "one listing for six policies: {stats}");
    }
}

#[test]
fn creates_beyond_graphs_195_policies_are_refused_at_plan_counted_across_the_plan() {
    for bin in terraform_binaries() {
        let sim = Sim::start();
        for i in 0..190 {
            sim.sim().put_raw_policy(
                json!({"displayName": format!("Existing {i}"), "state": "disabled"}),
            );
        }
        // Ten new policies: five fit, so the plan must count them together (issue 18: the
        // apply created five and failed five).
        let config: String = (0..10)
            .map(|i| {
                format!(
                    r#"
resource "entra_conditional_access_policy" "p{i}" {{
  display_name = "CA9{i:02}-New"
  state        = "disabled"
  conditions {{
    client_app_types = ["all"]
    applications {{
      included_applications = ["All"]
    }}
    users {{
      included_users = ["None"]
    }}
  }}
  grant_controls {{
    operator          = "OR"
    built_in_controls = ["mfa"]
  }}
}}
"#
                )
            })
            .collect();
        let tf = Tf::new(&bin, sim.provider_env());
        tf.config(&config);
        sim.sim().reset_stats();
        let r = tf.plan_code(&[]);
        assert_eq!(r.code, 1, "{}", r.text());
        let flat = r.flat();
        assert!(
            flat.contains("no room for all the Conditional Access policies this plan creates"),
            "{flat}"
        );
        assert!(flat.contains("It holds 190"), "{flat}");
        assert_eq!(sim.write_requests(), 0, "nothing written");
    }
}

/// "Require risk remediation" (Graph's evolvable riskRemediation grant control, after
/// unknownFutureValue) with token protection: both written through v1.0, applied, read back and
/// planned clean; riskRemediation without an authentication strength fails at plan.
#[test]
fn risk_remediation_and_token_protection_go_through_v1() {
    for bin in terraform_binaries() {
        let sim = Sim::start();
        let tf = Tf::new(&bin, sim.provider_env());
        let policy = |grant: &str| {
            format!(
                r#"
resource "entra_authentication_strength_policy" "phishing_resistant" {{
  display_name         = "Phishing-resistant"
  allowed_combinations = ["fido2", "windowsHelloForBusiness"]
}}

resource "entra_conditional_access_policy" "remediate" {{
  display_name = "Remediate risky users"
  state        = "enabledForReportingButNotEnforced"
  conditions {{
    client_app_types = ["all"]
    user_risk_levels = ["high"]
    applications {{
      included_applications = ["All"]
    }}
    users {{
      included_users = ["All"]
    }}
  }}
  grant_controls {{
    {grant}
  }}
  session_controls {{
    secure_sign_in_session_enabled = true
  }}
}}
"#
            )
        };
        tf.config(&policy(
            r#"operator          = "OR"
    built_in_controls = ["riskRemediation"]"#,
        ));
        sim.sim().reset_stats();
        let r = tf.plan_code(&[]);
        assert_eq!(r.code, 1, "{}", r.text());
        assert!(
            r.flat()
                .contains("riskRemediation needs an authentication strength with AND"),
            "{}",
            r.text()
        );
        assert_eq!(sim.graph_requests(), 0, "{}", sim.sim().stats());

        tf.config(&policy(
            r#"operator                          = "AND"
    built_in_controls                 = ["riskRemediation"]
    authentication_strength_policy_id = entra_authentication_strength_policy.phishing_resistant.id"#,
        ));
        tf.apply();
        assert_eq!(
            tf.attr(
                "entra_conditional_access_policy.remediate",
                "graph_api_version"
            ),
            json!("v1.0")
        );
        let held = by_name(&sim, "Remediate risky users");
        assert_eq!(
            held["grantControls"]["builtInControls"],
            json!(["riskRemediation"])
        );
        assert_eq!(
            held["sessionControls"]["secureSignInSession"]["isEnabled"],
            json!(true)
        );
        tf.assert_clean_plan();
        tf.destroy();
    }
}

/// The private state Terraform keeps with each resource instance, decoded.
fn private_states(tf: &Tf) -> Vec<String> {
    use base64::Engine;
    let text = std::fs::read_to_string(tf.dir.path().join("terraform.tfstate")).unwrap();
    let state: Value = serde_json::from_str(&text).unwrap();
    state["resources"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["instances"].as_array().unwrap().iter())
        .filter_map(|i| i["private"].as_str())
        .map(|p| {
            let bytes = base64::engine::general_purpose::STANDARD.decode(p).unwrap();
            String::from_utf8_lossy(&bytes).into_owned()
        })
        .collect()
}
