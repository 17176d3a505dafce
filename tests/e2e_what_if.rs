//! `entra_conditional_access_what_if` end to end: a tenant holding the scenario policies (S2, S3,
//! S4a enabled, S4b report-only) and a trusted office range, created as the portal would; sign-ins
//! described in HCL; outcomes read back with `terraform output -json`.

mod common;

use common::{terraform_binaries, terraform_binaries_since, Sim, Tf};
use serde_json::{json, Value};

const BREAK_GLASS: &str = "6b1f0e2a-3c4d-4e5f-8a9b-0c1d2e3f4a5b";
const ALICE: &str = "3f2b1c4d-5e6f-4a70-8b9c-0d1e2f3a4b5c";
const REGISTER: &str = "urn:user:registersecurityinfo";
const ALL_GUEST_TYPES: &str = "internalGuest,b2bCollaborationGuest,b2bCollaborationMember,b2bDirectConnectUser,otherExternalUser,serviceProvider";
const TRUSTED_IP: &str = "203.0.113.10";
const UNTRUSTED_IP: &str = "198.51.100.7";
const AGENT: &str = "0e6a7c1d-2b3f-4d5e-8f90-a1b2c3d4e5f6";
const VETTED_AGENT: &str = "1f7b8d2e-3c40-4e6f-9a01-b2c3d4e5f607";
const AGENT_USER: &str = "2a8c9e3f-4d51-4f70-8b12-c3d4e5f60718";
const GRAPH_APP: &str = "00000003-0000-0000-c000-000000000000";
/// The built-in "Passwordless MFA" authentication strength.
const PASSWORDLESS: &str = "00000000-0000-0000-0000-000000000003";

/// A registration policy as the portal writes it.
fn registration_policy(name: &str, state: &str, users: Value, extra: Value) -> Value {
    let mut p = json!({
        "displayName": name,
        "state": state,
        "conditions": {
            "applications": {"includeUserActions": [REGISTER]},
            "users": users,
            "clientAppTypes": ["all"],
        },
        "grantControls": {"operator": "OR", "builtInControls": ["block"]},
    });
    for (k, v) in extra.as_object().unwrap() {
        if k == "grantControls" {
            p[k] = v.clone();
        } else {
            p["conditions"][k] = v.clone();
        }
    }
    p
}

fn seed(sim: &Sim) {
    let (status, body) = sim.graph(
        "POST",
        "/v1.0/identity/conditionalAccess/namedLocations",
        Some(json!({
            "@odata.type": "#microsoft.graph.ipNamedLocation",
            "displayName": "HQ egress",
            "isTrusted": true,
            "ipRanges": [
                {"@odata.type": "#microsoft.graph.iPv4CidrRange", "cidrAddress": "203.0.113.0/24"},
                {"@odata.type": "#microsoft.graph.iPv6CidrRange", "cidrAddress": "2001:db8::/48"},
            ],
        })),
    );
    assert_eq!(status, 201, "{body}");
    let outside_trusted = json!({"includeLocations": ["All"], "excludeLocations": ["AllTrusted"]});
    let all_but_break_glass = json!({"includeUsers": ["All"], "excludeUsers": [BREAK_GLASS]});
    let policies = [
        registration_policy(
            "CA302-RegisterSecurityInfo-UntrustedLocations-Require-MFA",
            "enabled",
            json!({"includeUsers": ["All"], "excludeUsers": [BREAK_GLASS],
                   "excludeGuestsOrExternalUsers": {"guestOrExternalUserTypes": ALL_GUEST_TYPES,
                       "externalTenants": {"@odata.type": "#microsoft.graph.conditionalAccessAllExternalTenants", "membershipKind": "all"}}}),
            json!({"locations": outside_trusted, "grantControls": {"operator": "OR", "builtInControls": ["mfa"]}}),
        ),
        registration_policy(
            "CA401-Guests-RegisterSecurityInfo-UntrustedLocations-Block",
            "enabled",
            json!({"includeGuestsOrExternalUsers": {"guestOrExternalUserTypes": ALL_GUEST_TYPES,
                   "externalTenants": {"@odata.type": "#microsoft.graph.conditionalAccessAllExternalTenants", "membershipKind": "all"}}}),
            json!({"locations": outside_trusted}),
        ),
        registration_policy(
            "CA210-RegisterSecurityInfo-UserRisk-Block",
            "enabled",
            all_but_break_glass.clone(),
            json!({"userRiskLevels": ["low", "medium", "high"]}),
        ),
        registration_policy(
            "CA211-RegisterSecurityInfo-SignInRisk-Block",
            "enabledForReportingButNotEnforced",
            all_but_break_glass,
            json!({"signInRiskLevels": ["low", "medium", "high"]}),
        ),
    ];
    for p in policies {
        let (status, body) =
            sim.graph("POST", "/beta/identity/conditionalAccess/policies", Some(p));
        assert_eq!(status, 201, "{body}");
    }
}

/// One data source and an output of the same name per sign-in, all registering security info.
fn config(sign_ins: &[(&str, &str)]) -> String {
    sign_ins
        .iter()
        .map(|(name, attrs)| {
            format!(
                "data \"entra_conditional_access_what_if\" \"{name}\" {{\n  user_action = \"{REGISTER}\"\n{attrs}\n}}\n\
                 output \"{name}\" {{\n  value = data.entra_conditional_access_what_if.{name}\n}}\n"
            )
        })
        .collect()
}

fn names(outcome: &Value) -> Vec<(String, bool)> {
    outcome["policies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let name = p["display_name"].as_str().unwrap();
            (
                name.split('-').next().unwrap().to_string(),
                p["enforced"].as_bool().unwrap(),
            )
        })
        .collect()
}

#[test]
fn scenario_policies_decide_registration_sign_ins() {
    let sign_ins = [
        ("break_glass", format!("  user_id = \"{BREAK_GLASS}\"\n  ip_address = \"{UNTRUSTED_IP}\"\n  user_risk = \"high\"")),
        ("guest_untrusted", format!("  guest_type = \"b2bCollaborationGuest\"\n  ip_address = \"{UNTRUSTED_IP}\"")),
        ("guest_trusted_v6", "  guest_type = \"b2bCollaborationGuest\"\n  ip_address = \"2001:db8:0:7::1\"".to_string()),
        ("member_trusted", format!("  user_id = \"{ALICE}\"\n  ip_address = \"{TRUSTED_IP}\"")),
        ("member_untrusted", format!("  user_id = \"{ALICE}\"\n  ip_address = \"{UNTRUSTED_IP}\"\n  country = \"NL\"")),
        ("risky_sign_in", format!("  user_id = \"{ALICE}\"\n  ip_address = \"{TRUSTED_IP}\"\n  sign_in_risk = \"high\"")),
        ("risky_user", format!("  user_id = \"{ALICE}\"\n  ip_address = \"{TRUSTED_IP}\"\n  user_risk = \"high\"")),
    ];
    let pairs: Vec<(&str, &str)> = sign_ins.iter().map(|(n, a)| (*n, a.as_str())).collect();
    for bin in terraform_binaries() {
        let sim = Sim::start();
        seed(&sim);
        let tf = Tf::new(&bin, sim.provider_env());
        tf.config(&config(&pairs));
        tf.apply();
        let out = tf.outputs();
        let outcome = |name: &str| out[name]["value"].clone();

        let bg = outcome("break_glass");
        assert_eq!(bg["blocked"], false, "{bg}");
        assert_eq!(bg["policies"], json!([]), "{bg}");

        let guest = outcome("guest_untrusted");
        assert_eq!(guest["blocked"], true, "{guest}");
        assert_eq!(names(&guest), [("CA401".to_string(), true)]);
        assert_eq!(guest["grant_requirements"], json!([]));
        assert_eq!(outcome("guest_trusted_v6")["blocked"], false);

        let trusted = outcome("member_trusted");
        assert_eq!(
            trusted["policies"],
            json!([]),
            "S2 does not apply: {trusted}"
        );
        assert_eq!(trusted["grant_requirements"], json!([]));

        let untrusted = outcome("member_untrusted");
        assert_eq!(untrusted["blocked"], false);
        assert_eq!(names(&untrusted), [("CA302".to_string(), true)]);
        let reqs = untrusted["grant_requirements"].as_array().unwrap();
        assert_eq!(reqs.len(), 1, "{untrusted}");
        assert_eq!(reqs[0]["built_in_controls"], json!(["mfa"]));
        assert_eq!(reqs[0]["operator"], "OR");
        assert_eq!(reqs[0]["policy_id"], untrusted["policies"][0]["id"]);
        assert_eq!(untrusted["session"]["sign_in_frequency_every_time"], false);
        assert_eq!(untrusted["caveats"], json!([]));

        let report_only = outcome("risky_sign_in");
        assert_eq!(names(&report_only), [("CA211".to_string(), false)]);
        assert_eq!(
            report_only["blocked"], false,
            "report-only enforces nothing"
        );

        let risky = outcome("risky_user");
        assert_eq!(risky["blocked"], true, "{risky}");
        assert_eq!(names(&risky), [("CA210".to_string(), true)]);
    }
}

/// Agent identity policies and a risk remediation policy, posted through beta as the portal
/// would write them.
fn seed_agents(sim: &Sim) {
    let agents = |name: &str, state: &str, clients: Value, extra: Value| {
        let mut p = json!({
            "displayName": name,
            "state": state,
            "conditions": {
                "applications": {"includeApplications": ["All"]},
                "users": {"includeUsers": ["None"]},
                "clientApplications": clients,
                "clientAppTypes": ["all"],
            },
            "grantControls": {"operator": "OR", "builtInControls": ["block"]},
        });
        for (k, v) in extra.as_object().unwrap() {
            p["conditions"][k] = v.clone();
        }
        p
    };
    let policies = [
        agents(
            "CA501-Agents-AnyResource-BLOCK-RiskyAgents",
            "enabled",
            json!({"includeAgentIdServicePrincipals": ["All"], "excludeAgentIdServicePrincipals": [VETTED_AGENT]}),
            json!({"agentIdRiskLevels": "medium,high"}),
        ),
        agents(
            "CA502-Agents-AgentResources-BLOCK",
            "enabledForReportingButNotEnforced",
            json!({"includeAgentIdServicePrincipals": [AGENT]}),
            json!({"applications": {"includeApplications": ["AllAgentIdResources"]}}),
        ),
        json!({
            "displayName": "CA203-AllApps-UserRisk-RiskRemediation",
            "state": "enabled",
            "conditions": {
                "applications": {"includeApplications": ["All"]},
                "users": {"includeUsers": ["All"], "excludeUsers": [BREAK_GLASS]},
                "userRiskLevels": ["high"],
                "clientAppTypes": ["all"],
            },
            "grantControls": {"operator": "AND", "builtInControls": ["riskRemediation"],
                              "authenticationStrength": {"id": PASSWORDLESS}},
        }),
    ];
    for p in policies {
        let (status, body) =
            sim.graph("POST", "/beta/identity/conditionalAccess/policies", Some(p));
        assert_eq!(status, 201, "{body}");
    }
}

#[test]
fn agent_policies_decide_agent_sign_ins_and_nothing_else() {
    let sign_ins = [
        (
            "risky_agent",
            format!("agent_id = \"{AGENT}\"\n  agent_risk = \"high\""),
        ),
        ("calm_agent", format!("agent_id = \"{AGENT}\"")),
        (
            "vetted_agent",
            format!("agent_id = \"{VETTED_AGENT}\"\n  agent_risk = \"high\""),
        ),
        (
            "risky_agent_user",
            format!("user_id = \"{AGENT_USER}\"\n  agent_user = true\n  agent_risk = \"high\""),
        ),
        (
            "risky_user",
            format!("user_id = \"{ALICE}\"\n  user_risk = \"high\""),
        ),
    ];
    let config: String = sign_ins
        .iter()
        .map(|(name, attrs)| {
            format!(
                "data \"entra_conditional_access_what_if\" \"{name}\" {{\n  application_id = \"{GRAPH_APP}\"\n  {attrs}\n}}\n\
                 output \"{name}\" {{\n  value = data.entra_conditional_access_what_if.{name}\n}}\n"
            )
        })
        .collect();
    for bin in terraform_binaries() {
        let sim = Sim::start();
        seed_agents(&sim);
        let tf = Tf::new(&bin, sim.provider_env());
        tf.config(&config);
        tf.apply();
        let out = tf.outputs();
        let outcome = |name: &str| out[name]["value"].clone();

        let risky = outcome("risky_agent");
        assert_eq!(risky["blocked"], true, "{risky}");
        assert_eq!(
            names(&risky),
            [("CA501".to_string(), true), ("CA502".to_string(), false)]
        );
        assert_eq!(
            risky["caveats"],
            json!([]),
            "agent conditions are evaluated"
        );

        let calm = outcome("calm_agent");
        assert_eq!(calm["blocked"], false, "{calm}");
        assert_eq!(names(&calm), [("CA502".to_string(), false)]);

        let vetted = outcome("vetted_agent");
        assert_eq!(vetted["policies"], json!([]), "excluded: {vetted}");

        let agent_user = outcome("risky_agent_user");
        assert_eq!(
            agent_user["policies"],
            json!([]),
            "agent identity policies skip agent users: {agent_user}"
        );

        let user = outcome("risky_user");
        assert_eq!(names(&user), [("CA203".to_string(), true)]);
        let reqs = user["grant_requirements"].as_array().unwrap();
        assert_eq!(reqs.len(), 1, "{user}");
        assert_eq!(reqs[0]["built_in_controls"], json!(["riskRemediation"]));
        assert_eq!(reqs[0]["operator"], "AND");
        assert_eq!(reqs[0]["authentication_strength_id"], PASSWORDLESS);
    }
}

#[test]
fn an_impossible_sign_in_fails_at_plan_without_calling_graph() {
    for bin in terraform_binaries() {
        let sim = Sim::start();
        let tf = Tf::new(&bin, sim.provider_env());
        tf.config(&format!(
            r#"
data "entra_conditional_access_what_if" "bad" {{
  user_id        = "{ALICE}"
  user_action    = "{REGISTER}"
  application_id = "00000002-0000-0ff1-ce00-000000000000"
  ip_address     = "10.0.0.0/8"
}}

data "entra_conditional_access_what_if" "bad_agent" {{
  agent_id       = "{AGENT}"
  user_id        = "{ALICE}"
  agent_risk     = "hidden"
  application_id = "{GRAPH_APP}"
}}
"#
        ));
        sim.sim().reset_stats();
        let r = tf.plan_code(&[]);
        assert_eq!(r.code, 1, "{}", r.text());
        let flat = r.flat();
        assert!(flat.contains("Set exactly one of application_id"), "{flat}");
        assert!(flat.contains("Invalid ip_address"), "{flat}");
        assert!(
            flat.contains("user_id does not apply to an agent identity"),
            "{flat}"
        );
        assert!(flat.contains("Invalid agent_risk"), "{flat}");
        assert_eq!(sim.graph_requests(), 0, "{}", sim.sim().stats());
    }
}

/// The safety checks in examples/safety against the seeded tenant: S1 and S5 have no policy
/// here and S4b is report-only, so exactly those checks warn; the plan still succeeds.
#[test]
fn the_safety_example_warns_about_exactly_the_missing_protections() {
    let path = format!("{}/examples/safety/main.tf", env!("CARGO_MANIFEST_DIR"));
    let safety = std::fs::read_to_string(&path).unwrap();
    // check blocks need Terraform 1.5 or later.
    for bin in terraform_binaries_since((1, 5)) {
        let sim = Sim::start();
        seed(&sim);
        let tf = Tf::new(&bin, sim.provider_env());
        tf.raw_config(&safety);
        let r = tf.plan_code(&[]);
        // 2: Terraform plans to read check-scoped data sources again during apply.
        assert!(r.code == 0 || r.code == 2, "{}", r.text());
        let flat = r.flat();
        for warned in ["(S1)", "(S4b)", "(S5)"] {
            assert!(flat.contains(warned), "{warned} should warn: {flat}");
        }
        for held in [
            "(S2)",
            "(S3)",
            "(S4a)",
            "emergency-access account would be blocked",
        ] {
            assert!(!flat.contains(held), "{held} should hold: {flat}");
        }
    }
}
