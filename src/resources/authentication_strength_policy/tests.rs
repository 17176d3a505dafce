//! Unit tests: combinations, validation, corpus files mapped both ways, reconciliation, planning.

use super::validate::check_combination;
use super::*;
use crate::plugin::diag::AttrPath;
use crate::plugin::resource::Resource;

fn corpus(name: &str) -> AuthenticationStrengthPolicy {
    let path = format!(
        "{}/../shared/corpus/auth-strengths/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn config(combos: &[&str]) -> Value {
    Value::object([
        ("id", Value::Null),
        ("object_id", Value::Null),
        (
            "display_name",
            Value::string("Contoso authentication level"),
        ),
        ("description", Value::Null),
        (
            "allowed_combinations",
            Value::string_set(combos.iter().copied()),
        ),
        (FIDO2, Value::List(vec![])),
        (X509, Value::List(vec![])),
    ])
}

fn with(mut v: Value, key: &str, value: Value) -> Value {
    set(&mut v, key, value);
    v
}

fn fido2(aaguids: &[&str], id: Value) -> Value {
    Value::List(vec![Value::object([
        (
            "allowed_aaguids",
            Value::string_set(aaguids.iter().copied()),
        ),
        ("id", id),
    ])])
}

#[test]
fn combinations_normalise_to_graphs_form() {
    assert_eq!(normalize_combination("password, sms"), "password,sms");
    assert_eq!(normalize_combination("sms,password"), "password,sms");
    assert_eq!(normalize_combination("fido2"), "fido2");
    assert_eq!(
        normalize_combination(" federatedSingleFactor , voice"),
        "voice,federatedSingleFactor"
    );
}

#[test]
fn combinations_must_be_known_and_multifactor() {
    for ok in [
        "fido2",
        "password,sms",
        "password, hardwareOath",
        "temporaryAccessPassOneTime",
        "sms,federatedSingleFactor",
        "x509CertificateMultiFactor",
        // Single factors Microsoft lists as combinations of their own.
        "password",
        "sms",
        "federatedSingleFactor",
        "x509CertificateSingleFactor",
        "qrCodePin",
    ] {
        assert!(check_combination(ok).is_ok(), "{ok}");
    }
    for second_only in [
        "voice",
        "email",
        "softwareOath",
        "microsoftAuthenticatorPush",
    ] {
        assert!(
            check_combination(second_only)
                .unwrap_err()
                .contains("no sign-in of its own"),
            "{second_only}"
        );
    }
    assert!(check_combination("password,Sms")
        .unwrap_err()
        .contains("did you mean \"sms\""));
    assert!(check_combination("password,")
        .unwrap_err()
        .contains("empty method"));
    assert!(check_combination("password,password")
        .unwrap_err()
        .contains("twice"));
}

#[test]
fn every_built_in_combination_is_valid() {
    for f in [
        "001-embedded-multifactor-authentication-17combos.json",
        "004-embedded-multifactor-authentication-19combos.json",
        "006-graphdocs-v1-list-builtin-passwordless-mfa.json",
        "007-graphdocs-v1-list-builtin-phishing-resistant-mfa.json",
    ] {
        let p = corpus(f);
        assert!(BUILT_IN_IDS.contains(&p.id.as_str()), "{f}");
        for c in &p.allowed_combinations {
            assert!(check_combination(c).is_ok(), "{f}: {c}");
        }
    }
}

#[test]
fn validation_points_at_attributes() {
    let d = validate(&config(&["voice", "password,sms", "sms, password"]));
    assert_eq!(d.0.len(), 2, "{d}");
    assert!(d
        .0
        .iter()
        .all(|x| x.attribute == Some(AttrPath::root("allowed_combinations"))));
    assert!(d.to_string().contains("listed twice"));
    assert!(validate(&config(&[])).to_string().contains("at least one"));
    assert!(validate(&with(
        config(&["fido2"]),
        "allowed_combinations",
        Value::Unknown
    ))
    .is_empty());

    let bad_key = with(
        config(&["password,sms"]),
        FIDO2,
        fido2(&["nope"], Value::Null),
    );
    let d = validate(&bad_key);
    assert_eq!(d.0.len(), 2, "{d}");
    assert_eq!(
        d.0[0].attribute,
        Some(AttrPath::root(FIDO2).index(0).attr("allowed_aaguids"))
    );
    assert_eq!(d.0[1].attribute, Some(AttrPath::root(FIDO2)));
    let unknown_combos = with(bad_key, "allowed_combinations", Value::Unknown);
    assert_eq!(
        validate(&unknown_combos).0.len(),
        1,
        "fido2 may be among the unknown combinations"
    );

    let x509 = |applies: &[&str], skis: &[&str], oids: Value| {
        Value::List(vec![Value::object([
            (
                "applies_to_combinations",
                Value::string_set(applies.iter().copied()),
            ),
            (
                "allowed_issuer_skis",
                Value::string_set(skis.iter().copied()),
            ),
            ("allowed_policy_oids", oids),
            ("id", Value::Null),
        ])])
    };
    let good = with(
        config(&["x509CertificateMultiFactor"]),
        X509,
        x509(
            &["x509CertificateMultiFactor"],
            &["9A4248C6AC8C2931AB2A86537818E92E7B6C97B6"],
            Value::string_set(["1.2.3.4"]),
        ),
    );
    assert!(validate(&good).is_empty(), "{}", validate(&good));
    let bad = with(
        config(&["x509CertificateMultiFactor"]),
        X509,
        x509(
            &["x509CertificateSingleFactor", "fido2"],
            &["XYZ"],
            Value::string_set(["1..2"]),
        ),
    );
    let text = validate(&bad).to_string();
    for expected in [
        "Certificate method not allowed",
        "Not a certificate method",
        "Invalid subject key identifier",
        "Invalid OID",
    ] {
        assert!(text.contains(expected), "{expected}: {text}");
    }
    let empty = with(
        config(&["x509CertificateMultiFactor"]),
        X509,
        x509(&["x509CertificateMultiFactor"], &[], Value::Null),
    );
    assert!(validate(&empty).to_string().contains("Nothing restricted"));
}

#[test]
fn custom_corpus_maps_both_ways() {
    let created = corpus("009-graphdocs-v1-post-custom-response.json");
    let state = from_graph(&created, &[]);
    assert_eq!(
        state.get("id"),
        &Value::string(
            "/policies/authenticationStrengthPolicies/dd055c42-4218-4281-8631-f090e171f5cd"
        )
    );
    assert_eq!(
        state.get("object_id"),
        &Value::string("dd055c42-4218-4281-8631-f090e171f5cd")
    );
    assert!(validate(&state).is_empty(), "{}", validate(&state));
    let request: Json = serde_json::from_str(
        &std::fs::read_to_string(format!(
            "{}/../shared/corpus/auth-strengths/008-graphdocs-v1-post-custom-request-body.json",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap(),
    )
    .unwrap();
    let body = create_body(&state);
    assert_eq!(body["displayName"], request["displayName"]);
    assert_eq!(body["description"], request["description"]);
    let mut sent: Vec<String> = body["allowedCombinations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_string())
        .collect();
    let mut documented: Vec<String> = request["allowedCombinations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| normalize_combination(c.as_str().unwrap()))
        .collect();
    sent.sort();
    documented.sort();
    assert_eq!(sent, documented);
    assert!(configuration_bodies(&state).is_empty());
}

#[test]
fn fido2_configuration_corpus_maps_both_ways() {
    let cfg: CombinationConfiguration = serde_json::from_str(
        &std::fs::read_to_string(format!("{}/../shared/corpus/auth-strengths/010-graphdocs-v1-combinationconfiguration-fido2-response.json", env!("CARGO_MANIFEST_DIR"))).unwrap(),
    )
    .unwrap();
    let mut p = corpus("009-graphdocs-v1-post-custom-response.json");
    p.allowed_combinations.push("fido2".into());
    let state = from_graph(&p, std::slice::from_ref(&cfg));
    let block = state.block(FIDO2);
    assert_eq!(
        block.get("id"),
        &Value::string("96cb1a17-e45e-4b4f-8b4b-4a9490d63d66")
    );
    assert_eq!(block.get("allowed_aaguids").strs().len(), 3);
    assert!(state.block(X509).is_null());
    assert!(validate(&state).is_empty(), "{}", validate(&state));
    let bodies = configuration_bodies(&state);
    assert_eq!(bodies.len(), 1);
    assert_eq!(bodies[0].0, FIDO2);
    assert_eq!(bodies[0].1["@odata.type"], FIDO2_TYPE);
    assert_eq!(bodies[0].1["appliesToCombinations"], json!(["fido2"]));
    let mut aaguids: Vec<&str> = bodies[0].1["allowedAAGUIDs"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Json::as_str)
        .collect();
    aaguids.sort();
    let mut documented = cfg.allowed_aaguids.clone().unwrap();
    documented.sort();
    assert_eq!(aaguids, documented);
}

#[test]
fn equivalent_spellings_keep_the_users_form() {
    let mut prior = with(
        config(&["password, sms", "fido2"]),
        "id",
        Value::string("/policies/authenticationStrengthPolicies/g"),
    );
    set(&mut prior, "object_id", Value::string("g"));
    set(
        &mut prior,
        FIDO2,
        fido2(
            &["486C3B50-889C-480A-ABC5-C04EF7C873E0"],
            Value::string("c"),
        ),
    );
    let graph = AuthenticationStrengthPolicy {
        id: "g".into(),
        display_name: Some("Contoso authentication level".into()),
        description: Some(String::new()),
        policy_type: Some("custom".into()),
        allowed_combinations: vec!["fido2".into(), "password,sms".into()],
        combination_configurations: None,
    };
    let cfg = CombinationConfiguration {
        odata_type: Some(FIDO2_TYPE.into()),
        id: "c".into(),
        applies_to_combinations: vec!["fido2".into()],
        allowed_aaguids: Some(vec!["486c3b50-889c-480a-abc5-c04ef7c873e0".into()]),
        ..Default::default()
    };
    assert_eq!(
        state_from_graph(&graph, std::slice::from_ref(&cfg), &prior),
        prior
    );

    let mut weaker = graph.clone();
    weaker.allowed_combinations = vec!["fido2".into()];
    let s = state_from_graph(&weaker, &[], &prior);
    assert_eq!(s.get("allowed_combinations"), &Value::string_set(["fido2"]));
    assert!(
        s.block(FIDO2).is_null(),
        "a configuration deleted in the portal is drift"
    );
}

/// The resource's plan as the plugin layer runs it: with what the schema declares around it.
fn planned(prior: &Value, config: &Value, proposed: &Value) -> Planned {
    let req = PlanRequest {
        prior,
        config,
        proposed,
    };
    crate::plugin::plan::with_schema(&schema().block, &req, |r| Ok::<_, ()>(plan(r))).unwrap()
}

#[test]
fn plan_keeps_ids_and_configuration_ids() {
    let cfg = with(
        config(&["fido2"]),
        FIDO2,
        fido2(&["486c3b50-889c-480a-abc5-c04ef7c873e0"], Value::Null),
    );
    let p = planned(&Value::Null, &cfg, &cfg);
    assert_eq!(p.state.get("id"), &Value::Unknown);
    assert_eq!(p.state.block(FIDO2).get("id"), &Value::Unknown);

    let mut prior = with(
        cfg.clone(),
        "id",
        Value::string("/policies/authenticationStrengthPolicies/g"),
    );
    set(&mut prior, "object_id", Value::string("g"));
    set(
        &mut prior,
        FIDO2,
        fido2(
            &["486c3b50-889c-480a-abc5-c04ef7c873e0"],
            Value::string("c"),
        ),
    );
    let changed = with(
        cfg,
        FIDO2,
        fido2(&["c042882f-a621-40c8-94d3-9cde3a826fed"], Value::Null),
    );
    // Terraform proposes the prior's computed ids with the new configuration.
    let mut proposed = changed.clone();
    for key in ["id", "object_id"] {
        set(&mut proposed, key, prior.get(key).clone());
    }
    let p = planned(&prior, &changed, &proposed);
    assert_eq!(p.state.get("object_id"), &Value::string("g"));
    assert_eq!(p.state.block(FIDO2).get("id"), &Value::string("c"));
    assert!(p.requires_replace.is_empty());
}

#[test]
fn removed_combinations_and_their_warning() {
    let prior = config(&["password, sms", "fido2", "windowsHelloForBusiness"]);
    let planned = config(&["password,sms", "fido2"]);
    assert_eq!(
        removed_combinations(&prior, &planned),
        vec!["windowsHelloForBusiness"]
    );
    assert!(removed_combinations(&Value::Null, &planned).is_empty());
    assert!(removed_combinations(
        &prior,
        &with(planned.clone(), "allowed_combinations", Value::Unknown)
    )
    .is_empty());
    assert!(
        removed_combinations(&planned, &prior).is_empty(),
        "adding is not weakening"
    );

    let users = vec![PolicyReferences {
        id: "p1".into(),
        display_name: Some("CA001-Admins-PhishingResistant".into()),
        ..Default::default()
    }];
    let w = weakening_warning("Admins", &["windowsHelloForBusiness".into()], &users);
    assert!(!w.has_errors());
    assert_eq!(w.0.len(), 1);
    assert!(
        w.0[0]
            .detail
            .contains("\"CA001-Admins-PhishingResistant\" (p1)"),
        "{w}"
    );
    assert!(weakening_warning("Admins", &["x".into()], &[]).is_empty());
}

#[test]
fn ids_and_built_ins() {
    assert_eq!(
        guid_of("/policies/authenticationStrengthPolicies/dd055c42-4218-4281-8631-f090e171f5cd"),
        "dd055c42-4218-4281-8631-f090e171f5cd"
    );
    let r = AuthenticationStrengthPolicyResource::new(Connection::default());
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let imported = rt
        .block_on(r.import("dd055c42-4218-4281-8631-f090e171f5cd"))
        .ok()
        .unwrap();
    assert_eq!(
        imported.state.get("id"),
        &Value::string(
            "/policies/authenticationStrengthPolicies/dd055c42-4218-4281-8631-f090e171f5cd"
        )
    );
    for built_in in [
        "00000000-0000-0000-0000-000000000004",
        "/policies/authenticationStrengthPolicies/00000000-0000-0000-0000-000000000002",
    ] {
        let err = rt.block_on(r.import(built_in)).err().unwrap();
        assert!(
            err.to_string()
                .contains("entra_authentication_strength_policy data source"),
            "{err}"
        );
    }
    assert!(rt.block_on(r.import("phishing-resistant")).is_err());
}
