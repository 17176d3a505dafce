use super::locations::cidr_contains;
use super::*;
use serde_json::json;

const BREAK_GLASS: &str = "6b1f0e2a-3c4d-4e5f-8a9b-0c1d2e3f4a5b";
const ALICE: &str = "11111111-1111-4111-8111-111111111111";
const GROUP: &str = "22222222-2222-4222-8222-222222222222";
const ROLE: &str = "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3";
const PARTNER: &str = "33333333-3333-4333-8333-333333333333";
const APP: &str = "44444444-4444-4444-8444-444444444444";
const SP: &str = "55555555-5555-4555-8555-555555555555";
const HQ: &str = "66666666-6666-4666-8666-666666666666";
const BRANCH: &str = "77777777-7777-4777-8777-777777777777";
const BENELUX: &str = "88888888-8888-4888-8888-888888888888";
const EXCHANGE: &str = "00000002-0000-0ff1-ce00-000000000000";
const AGENT: &str = "99999999-9999-4999-8999-999999999999";
const OTHER_AGENT: &str = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa";
const AGENT_USER: &str = "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb";
const REGISTER: &str = "urn:user:registersecurityinfo";
const ALL_GUEST_TYPES: &str = "internalGuest,b2bCollaborationGuest,b2bCollaborationMember,b2bDirectConnectUser,otherExternalUser,serviceProvider";

/// A policy as Graph returns it: every users/applications key present, unset ones empty.
fn policy(id: &str, state: &str, users: Json, apps: Json, extra: Json) -> Json {
    let mut users_full = json!({
        "includeUsers": [], "excludeUsers": [], "includeGroups": [], "excludeGroups": [],
        "includeRoles": [], "excludeRoles": [],
        "includeGuestsOrExternalUsers": null, "excludeGuestsOrExternalUsers": null,
    });
    merge(&mut users_full, users);
    let mut apps_full = json!({
        "includeApplications": [], "excludeApplications": [], "includeUserActions": [],
        "includeAuthenticationContextClassReferences": [], "applicationFilter": null,
    });
    merge(&mut apps_full, apps);
    let mut p = json!({
        "id": id,
        "displayName": format!("CA-{id}"),
        "state": state,
        "conditions": {
            "applications": apps_full, "users": users_full, "clientApplications": null,
            "clientAppTypes": ["all"], "platforms": null, "locations": null, "devices": null,
            "userRiskLevels": [], "signInRiskLevels": [],
        },
        "grantControls": {"operator": "OR", "builtInControls": ["mfa"], "customAuthenticationFactors": [], "termsOfUse": [], "authenticationStrength": null},
        "sessionControls": null,
    });
    merge(&mut p, extra);
    p
}

/// Shallow-merges `extra` into `into`, recursing into objects present on both sides.
fn merge(into: &mut Json, extra: Json) {
    let Json::Object(extra) = extra else { return };
    for (k, v) in extra {
        match (into.get_mut(&k), v) {
            (Some(t @ Json::Object(_)), v @ Json::Object(_)) => merge(t, v),
            (_, v) => {
                into[&k] = v;
            }
        }
    }
}

/// All users except break-glass, all apps, MFA.
fn all_users_mfa(id: &str, state: &str, extra: Json) -> Json {
    policy(
        id,
        state,
        json!({"includeUsers": ["All"], "excludeUsers": [BREAK_GLASS]}),
        json!({"includeApplications": ["All"]}),
        extra,
    )
}

fn block() -> Json {
    json!({"grantControls": {"builtInControls": ["block"]}})
}

fn named_locations() -> Vec<Json> {
    vec![
        json!({"@odata.type": "#microsoft.graph.ipNamedLocation", "id": HQ, "displayName": "HQ", "isTrusted": true,
               "ipRanges": [{"@odata.type": "#microsoft.graph.iPv4CidrRange", "cidrAddress": "203.0.113.0/24"},
                            {"@odata.type": "#microsoft.graph.iPv6CidrRange", "cidrAddress": "2001:db8::/48"}]}),
        json!({"@odata.type": "#microsoft.graph.ipNamedLocation", "id": BRANCH, "displayName": "Branch", "isTrusted": false,
               "ipRanges": [{"@odata.type": "#microsoft.graph.iPv4CidrRange", "cidrAddress": "198.51.100.0/24"}]}),
        json!({"@odata.type": "#microsoft.graph.countryNamedLocation", "id": BENELUX, "displayName": "Benelux",
               "countriesAndRegions": ["BE", "LU", "NL"], "includeUnknownCountriesAndRegions": true,
               "countryLookupMethod": "clientIpAddress"}),
    ]
}

fn user(id: &str) -> SignIn {
    SignIn {
        user_id: Some(id.into()),
        application_id: Some(APP.into()),
        ..SignIn::default()
    }
}

fn ip(s: &str) -> Option<IpAddr> {
    Some(s.parse().unwrap())
}

fn applies(p: &Json, s: &SignIn) -> bool {
    !evaluate(std::slice::from_ref(p), &named_locations(), s)
        .policies
        .is_empty()
}

#[test]
fn include_then_exclude_users_groups_and_roles() {
    let p = all_users_mfa("p", ENABLED, json!({}));
    assert!(applies(&p, &user(ALICE)));
    assert!(!applies(&p, &user(BREAK_GLASS)), "excluded user");

    let by_group = policy(
        "g",
        ENABLED,
        json!({"includeGroups": [GROUP], "excludeRoles": [ROLE]}),
        json!({"includeApplications": ["All"]}),
        json!({}),
    );
    assert!(!applies(&by_group, &user(ALICE)), "not a member");
    let member = SignIn {
        group_ids: vec![GROUP.to_uppercase()],
        ..user(ALICE)
    };
    assert!(applies(&by_group, &member), "ids compare without case");
    let admin = SignIn {
        role_ids: vec![ROLE.into()],
        ..member.clone()
    };
    assert!(!applies(&by_group, &admin), "excluded by role");

    let nobody = policy(
        "n",
        ENABLED,
        json!({"includeUsers": ["None"]}),
        json!({"includeApplications": ["All"]}),
        json!({}),
    );
    assert!(!applies(&nobody, &user(ALICE)));
}

#[test]
fn guests_by_type_and_home_tenant() {
    let guests = |tenants: Json| {
        policy(
            "guests",
            ENABLED,
            json!({"includeGuestsOrExternalUsers": {"guestOrExternalUserTypes": "b2bCollaborationGuest,internalGuest", "externalTenants": tenants}}),
            json!({"includeApplications": ["All"]}),
            json!({}),
        )
    };
    let all = guests(
        json!({"@odata.type": "#microsoft.graph.conditionalAccessAllExternalTenants", "membershipKind": "all"}),
    );
    let partner_only = guests(
        json!({"@odata.type": "#microsoft.graph.conditionalAccessEnumeratedExternalTenants", "membershipKind": "enumerated", "members": [PARTNER]}),
    );
    let guest = |t: &str, home: Option<&str>| SignIn {
        guest_type: Some(t.into()),
        home_tenant_id: home.map(String::from),
        ..user(ALICE)
    };
    assert!(!applies(&all, &user(ALICE)), "members are not guests");
    assert!(applies(&all, &guest("b2bCollaborationGuest", None)));
    assert!(
        !applies(&all, &guest("b2bDirectConnectUser", None)),
        "type not listed"
    );
    assert!(applies(
        &partner_only,
        &guest("b2bCollaborationGuest", Some(PARTNER))
    ));
    assert!(!applies(
        &partner_only,
        &guest("b2bCollaborationGuest", Some(APP))
    ));
    assert!(
        !applies(&partner_only, &guest("b2bCollaborationGuest", None)),
        "unknown home tenant"
    );
    assert!(
        applies(&partner_only, &guest("internalGuest", None)),
        "internal guests have no external tenant"
    );

    // "All users" includes guests; the legacy keyword includes any guest type.
    let everyone = all_users_mfa("p", ENABLED, json!({}));
    assert!(applies(&everyone, &guest("otherExternalUser", None)));
    let legacy = policy(
        "l",
        ENABLED,
        json!({"includeUsers": ["GuestsOrExternalUsers"]}),
        json!({"includeApplications": ["All"]}),
        json!({}),
    );
    assert!(applies(&legacy, &guest("serviceProvider", None)));
    assert!(!applies(&legacy, &user(ALICE)));
    let no_guests = all_users_mfa(
        "ng",
        ENABLED,
        json!({"conditions": {"users": {"excludeGuestsOrExternalUsers": {"guestOrExternalUserTypes": ALL_GUEST_TYPES, "externalTenants": {"membershipKind": "all"}}}}}),
    );
    assert!(!applies(
        &no_guests,
        &guest("b2bCollaborationMember", Some(PARTNER))
    ));
    assert!(applies(&no_guests, &user(ALICE)));
}

#[test]
fn applications_keywords_ids_and_exclusions() {
    let apps = |include: Json, exclude: Json| {
        policy(
            "a",
            ENABLED,
            json!({"includeUsers": ["All"]}),
            json!({"includeApplications": include, "excludeApplications": exclude}),
            json!({}),
        )
    };
    let to = |app: &str| SignIn {
        application_id: Some(app.into()),
        ..user(ALICE)
    };
    assert!(applies(&apps(json!(["All"]), json!([])), &to(APP)));
    assert!(!applies(&apps(json!(["None"]), json!([])), &to(APP)));
    assert!(applies(&apps(json!([APP]), json!([])), &to(APP)));
    assert!(applies(
        &apps(json!(["Office365"]), json!([])),
        &to(EXCHANGE)
    ));
    assert!(!applies(&apps(json!(["Office365"]), json!([])), &to(APP)));
    assert!(!applies(
        &apps(json!(["All"]), json!(["Office365"])),
        &to(EXCHANGE)
    ));
    assert!(applies(
        &apps(json!(["MicrosoftAdminPortals"]), json!([])),
        &to("c44b4083-3bb0-49c1-b47d-974e53cbdf3c")
    ));
    assert!(!applies(&apps(json!(["All"]), json!([APP])), &to(APP)));
}

#[test]
fn user_actions_auth_contexts_and_apps_only_meet_their_own_policies() {
    let action = policy(
        "ua",
        ENABLED,
        json!({"includeUsers": ["All"]}),
        json!({"includeUserActions": [REGISTER]}),
        json!({}),
    );
    let context = policy(
        "ac",
        ENABLED,
        json!({"includeUsers": ["All"]}),
        json!({"includeAuthenticationContextClassReferences": ["c1"]}),
        json!({}),
    );
    let app = all_users_mfa("app", ENABLED, json!({}));
    let all = [action, context, app];
    let ids = |s: &SignIn| -> Vec<String> {
        evaluate(&all, &[], s)
            .policies
            .into_iter()
            .map(|m| m.id)
            .collect()
    };
    assert_eq!(ids(&user(ALICE)), ["app"]);
    let registering = SignIn {
        application_id: None,
        user_action: Some(REGISTER.into()),
        ..user(ALICE)
    };
    assert_eq!(ids(&registering), ["ua"]);
    let step_up = SignIn {
        application_id: None,
        authentication_context: Some("c1".into()),
        ..user(ALICE)
    };
    assert_eq!(ids(&step_up), ["ac"]);
    let c2 = SignIn {
        authentication_context: Some("c2".into()),
        ..step_up
    };
    assert!(ids(&c2).is_empty());
    let nothing = SignIn {
        application_id: None,
        ..user(ALICE)
    };
    assert!(
        ids(&nothing).is_empty(),
        "a sign-in to nothing meets no policy"
    );
}

#[test]
fn workload_identity_policies_apply_only_to_service_principals() {
    let workload = |include: Json, exclude: Json| {
        policy(
            "wl",
            ENABLED,
            json!({"includeUsers": ["None"]}),
            json!({"includeApplications": ["All"]}),
            json!({"conditions": {"clientApplications": {"includeServicePrincipals": include, "excludeServicePrincipals": exclude, "servicePrincipalFilter": null},
                                  "servicePrincipalRiskLevels": ["high"]}}),
        )
    };
    let sp = |risk: Option<&str>| SignIn {
        service_principal_id: Some(SP.into()),
        service_principal_risk: risk.map(String::from),
        application_id: Some(APP.into()),
        ..SignIn::default()
    };
    let mine = workload(json!(["ServicePrincipalsInMyTenant"]), json!([]));
    assert!(applies(&mine, &sp(Some("high"))));
    assert!(!applies(&mine, &sp(None)), "risk none");
    assert!(!applies(
        &workload(json!([SP]), json!([SP])),
        &sp(Some("high"))
    ));
    assert!(!applies(&mine, &user(ALICE)), "not for users");
    let for_users = all_users_mfa("u", ENABLED, json!({}));
    assert!(
        !applies(&for_users, &sp(Some("high"))),
        "user policies skip service principals"
    );
}

#[test]
fn locations_all_trusted_named_ip_and_countries() {
    let outside = |include: Json, exclude: Json| {
        all_users_mfa(
            "loc",
            ENABLED,
            json!({"conditions": {"locations": {"includeLocations": include, "excludeLocations": exclude}}}),
        )
    };
    let from = |addr: Option<&str>, country: Option<&str>| SignIn {
        ip_address: addr.map(|a| a.parse().unwrap()),
        country: country.map(String::from),
        ..user(ALICE)
    };
    let untrusted = outside(json!(["All"]), json!(["AllTrusted"]));
    assert!(
        !applies(&untrusted, &from(Some("203.0.113.7"), None)),
        "trusted IPv4"
    );
    assert!(
        !applies(&untrusted, &from(Some("2001:db8:0:1::5"), None)),
        "trusted IPv6"
    );
    assert!(
        applies(&untrusted, &from(Some("198.51.100.1"), None)),
        "untrusted named location"
    );
    assert!(
        applies(&untrusted, &from(None, None)),
        "no IP: outside every range"
    );

    let branch = outside(json!([BRANCH]), json!([]));
    assert!(applies(&branch, &from(Some("198.51.100.200"), None)));
    assert!(!applies(&branch, &from(Some("203.0.113.7"), None)));

    let benelux = outside(json!([BENELUX]), json!([]));
    assert!(applies(&benelux, &from(None, Some("nl"))));
    assert!(!applies(&benelux, &from(None, Some("FR"))));
    assert!(
        applies(&benelux, &from(None, None)),
        "unknown country included"
    );
    let not_benelux = outside(json!(["All"]), json!([BENELUX]));
    assert!(applies(&not_benelux, &from(None, Some("FR"))));
}

#[test]
fn unresolvable_locations_never_hold_the_sign_in_and_say_so() {
    let mfa_ips = all_users_mfa(
        "mfa",
        ENABLED,
        json!({"conditions": {"locations": {"includeLocations": ["All"], "excludeLocations": ["00000000-0000-0000-0000-000000000000"]}}}),
    );
    let out = evaluate(&[mfa_ips], &named_locations(), &user(ALICE));
    assert_eq!(out.policies.len(), 1);
    assert_eq!(out.caveats.len(), 1);
    assert!(
        out.caveats[0].contains("MFA trusted IPs"),
        "{:?}",
        out.caveats
    );

    let gone = all_users_mfa(
        "gone",
        ENABLED,
        json!({"conditions": {"locations": {"includeLocations": [APP], "excludeLocations": []}}}),
    );
    let out = evaluate(&[gone], &named_locations(), &user(ALICE));
    assert!(out.policies.is_empty());
    assert!(
        out.caveats[0].contains("not in the tenant"),
        "{:?}",
        out.caveats
    );
}

#[test]
fn cidr_ranges_ipv4_and_ipv6() {
    let ip = |s: &str| s.parse::<IpAddr>().unwrap();
    assert!(
        cidr_contains("12.34.221.11/22", ip("12.34.220.1")),
        "host bits ignored"
    );
    assert!(!cidr_contains("12.34.221.11/22", ip("12.34.224.1")));
    assert!(cidr_contains("10.0.0.1/32", ip("10.0.0.1")));
    assert!(cidr_contains("0.0.0.0/0", ip("8.8.8.8")));
    assert!(cidr_contains(
        "2001:0:9d38:90d6:0:0:0:0/63",
        ip("2001:0:9d38:90d7::1")
    ));
    assert!(!cidr_contains(
        "2001:0:9d38:90d6:0:0:0:0/63",
        ip("2001:0:9d38:90d8::1")
    ));
    assert!(cidr_contains("::/0", ip("::1")));
    assert!(
        !cidr_contains("203.0.113.0/24", ip("2001:db8::1")),
        "families differ"
    );
    assert!(!cidr_contains("203.0.113.0", ip("203.0.113.0")), "not CIDR");
    assert!(!cidr_contains("203.0.113.0/33", ip("203.0.113.0")));
}

#[test]
fn platforms_client_apps_and_risk() {
    let with = |conditions: Json| all_users_mfa("c", ENABLED, json!({"conditions": conditions}));
    let on = |f: fn(&mut SignIn)| {
        let mut s = user(ALICE);
        f(&mut s);
        s
    };
    let any_but_ios =
        with(json!({"platforms": {"includePlatforms": ["all"], "excludePlatforms": ["iOS"]}}));
    assert!(
        applies(&any_but_ios, &user(ALICE)),
        "any device includes unknown platforms"
    );
    assert!(!applies(
        &any_but_ios,
        &on(|s| s.platform = Some("iOS".into()))
    ));
    let android =
        with(json!({"platforms": {"includePlatforms": ["android"], "excludePlatforms": []}}));
    assert!(!applies(&android, &user(ALICE)), "unknown platform");
    assert!(applies(
        &android,
        &on(|s| s.platform = Some("android".into()))
    ));

    let legacy = with(json!({"clientAppTypes": ["exchangeActiveSync", "other"]}));
    assert!(
        !applies(&legacy, &user(ALICE)),
        "unspecified client is modern"
    );
    assert!(applies(
        &legacy,
        &on(|s| s.client_app_type = Some("other".into()))
    ));
    let browser = with(json!({"clientAppTypes": ["browser"]}));
    assert!(applies(&browser, &user(ALICE)));

    let risky = with(json!({"signInRiskLevels": ["medium", "high"], "userRiskLevels": []}));
    assert!(!applies(&risky, &user(ALICE)), "no risk is none");
    assert!(applies(
        &risky,
        &on(|s| s.sign_in_risk = Some("high".into()))
    ));
    let no_risk = with(json!({"userRiskLevels": ["none"]}));
    assert!(applies(&no_risk, &user(ALICE)));
    assert!(!applies(
        &no_risk,
        &on(|s| s.user_risk = Some("low".into()))
    ));
    let insider = with(json!({"insiderRiskLevels": "moderate,elevated"}));
    assert!(!applies(&insider, &user(ALICE)));
    assert!(applies(
        &insider,
        &on(|s| s.insider_risk = Some("elevated".into()))
    ));
    assert!(!applies(
        &insider,
        &on(|s| s.insider_risk = Some("minor".into()))
    ));
}

#[test]
fn device_filters_are_assumed_to_apply_with_a_caveat_that_only_matters_when_it_decides() {
    let filtered = all_users_mfa(
        "dev",
        ENABLED,
        json!({"conditions": {"devices": {"deviceFilter": {"mode": "exclude", "rule": "device.isCompliant -eq True"}}}}),
    );
    let out = evaluate(std::slice::from_ref(&filtered), &[], &user(ALICE));
    assert_eq!(out.policies.len(), 1);
    assert_eq!(out.grant_requirements.len(), 1);
    assert_eq!(out.caveats.len(), 1);
    assert!(
        out.caveats[0]
            .starts_with("CA-dev (dev): device filter (exclude `device.isCompliant -eq True`)"),
        "{:?}",
        out.caveats
    );
    // The break-glass account is excluded anyway: the filter decides nothing, no caveat.
    let out = evaluate(&[filtered], &[], &user(BREAK_GLASS));
    assert!(out.policies.is_empty() && out.caveats.is_empty(), "{out:?}");
}

#[test]
fn attribute_filters_on_apps_and_unknown_conditions_are_assumed_to_match() {
    let app_filter = policy(
        "af",
        ENABLED,
        json!({"includeUsers": ["All"]}),
        json!({"includeApplications": [], "applicationFilter": {"mode": "include", "rule": "CustomSecurityAttribute.Tier -eq \"0\""}}),
        json!({}),
    );
    let out = evaluate(&[app_filter], &[], &user(ALICE));
    assert_eq!(out.policies.len(), 1);
    assert!(out.caveats[0].contains("application filter"));

    let times = all_users_mfa(
        "t",
        ENABLED,
        json!({"conditions": {"times": {"includedRanges": ["Weekdays"]}}}),
    );
    let out = evaluate(&[times], &[], &user(ALICE));
    assert_eq!(out.policies.len(), 1);
    assert!(out.caveats[0].contains("`times`"), "{:?}", out.caveats);
}

#[test]
fn authentication_flow_policies_do_not_apply_to_an_ordinary_sign_in() {
    let device_code = all_users_mfa(
        "dc",
        ENABLED,
        json!({"conditions": {"authenticationFlows": {"transferMethods": "deviceCodeFlow"}}}),
    );
    let out = evaluate(&[device_code], &[], &user(ALICE));
    assert!(out.policies.is_empty());
    assert!(out.caveats[0].contains("deviceCodeFlow"));
}

#[test]
fn report_only_is_listed_not_enforced_and_disabled_is_ignored() {
    let policies = [
        all_users_mfa("b", REPORT_ONLY, block()),
        all_users_mfa("a", "disabled", block()),
        all_users_mfa("c", ENABLED, json!({})),
    ];
    let out = evaluate(&policies, &[], &user(ALICE));
    let listed: Vec<_> = out
        .policies
        .iter()
        .map(|m| (m.id.as_str(), m.enforced))
        .collect();
    assert_eq!(listed, [("b", false), ("c", true)]);
    assert!(!out.blocked);
    assert_eq!(out.grant_requirements.len(), 1);
    assert_eq!(out.grant_requirements[0].policy_id, "c");
}

#[test]
fn block_wins_and_grants_combine_per_policy() {
    let strength = json!({"grantControls": {"operator": "OR", "builtInControls": [], "authenticationStrength": {"id": "00000000-0000-0000-0000-000000000004", "displayName": "Phishing-resistant MFA"}}});
    let device = json!({"grantControls": {"operator": "AND", "builtInControls": ["compliantDevice", "approvedApplication"], "termsOfUse": ["tou"]}});
    let session_only = json!({"grantControls": null, "sessionControls": {"persistentBrowser": {"isEnabled": true, "mode": "never"}}});
    let policies = vec![
        all_users_mfa("mfa", ENABLED, json!({})),
        all_users_mfa("strength", ENABLED, strength),
        all_users_mfa("device", ENABLED, device),
        all_users_mfa("session", ENABLED, session_only),
    ];
    let out = evaluate(&policies, &[], &user(ALICE));
    assert!(!out.blocked);
    let reqs = &out.grant_requirements;
    assert_eq!(reqs.len(), 3, "{reqs:?}");
    assert_eq!(reqs[0].built_in_controls, ["mfa"]);
    assert_eq!(
        reqs[1].authentication_strength_id.as_deref(),
        Some("00000000-0000-0000-0000-000000000004")
    );
    assert_eq!(reqs[2].operator, "AND");
    assert_eq!(reqs[2].terms_of_use, ["tou"]);
    assert_eq!(out.session.persistent_browser.as_deref(), Some("never"));

    let mut with_block = policies;
    with_block.push(all_users_mfa("block", ENABLED, block()));
    let out = evaluate(&with_block, &[], &user(ALICE));
    assert!(out.blocked);
    assert!(out.grant_requirements.is_empty());
    assert_eq!(out.session, Session::default());
    assert_eq!(out.policies.len(), 5);
}

#[test]
fn the_strictest_session_controls_win() {
    let session = |c: Json| all_users_mfa("s", ENABLED, json!({"sessionControls": c}));
    let sif = |value: u64, unit: &str| json!({"signInFrequency": {"isEnabled": true, "value": value, "type": unit, "authenticationType": "primaryAndSecondaryAuthentication", "frequencyInterval": "timeBased"}});
    let policies = [
        session(sif(1, "days")),
        session(sif(12, "hours")),
        session(
            json!({"persistentBrowser": {"isEnabled": true, "mode": "always"}, "cloudAppSecurity": {"isEnabled": true, "cloudAppSecurityType": "monitorOnly"}}),
        ),
        session(
            json!({"persistentBrowser": {"isEnabled": true, "mode": "never"}, "cloudAppSecurity": {"isEnabled": true, "cloudAppSecurityType": "blockDownloads"}}),
        ),
        session(
            json!({"continuousAccessEvaluation": {"mode": "disabled"}, "applicationEnforcedRestrictions": {"isEnabled": false}}),
        ),
        session(
            json!({"continuousAccessEvaluation": {"mode": "strictEnforcement"}, "secureSignInSession": {"isEnabled": true}}),
        ),
    ];
    let s = evaluate(&policies, &[], &user(ALICE)).session;
    assert_eq!(s.sign_in_frequency_minutes, Some(720));
    assert!(!s.sign_in_frequency_every_time);
    assert_eq!(s.persistent_browser.as_deref(), Some("never"));
    assert_eq!(s.cloud_app_security.as_deref(), Some("blockDownloads"));
    assert_eq!(
        s.continuous_access_evaluation.as_deref(),
        Some("strictEnforcement")
    );
    assert!(!s.application_enforced_restrictions, "disabled explicitly");
    assert!(s.secure_sign_in_session);

    let every_time = session(
        json!({"signInFrequency": {"isEnabled": true, "value": null, "type": null, "frequencyInterval": "everyTime"}}),
    );
    let s = evaluate(&[every_time], &[], &user(ALICE)).session;
    assert!(s.sign_in_frequency_every_time);
    assert_eq!(s.sign_in_frequency_minutes, None);
}

/// The shape `to_graph::body` writes: no id, absent optional keys, session keys only when set.
#[test]
fn request_bodies_evaluate_like_graph_answers() {
    let body = json!({
        "displayName": "CA302", "description": null, "state": "enabled",
        "conditions": {
            "applications": {"includeApplications": [], "excludeApplications": [], "includeUserActions": [REGISTER], "includeAuthenticationContextClassReferences": [], "applicationFilter": null},
            "users": {"includeUsers": ["All"], "excludeUsers": [BREAK_GLASS], "includeGroups": [], "excludeGroups": [], "includeRoles": [], "excludeRoles": [],
                      "includeGuestsOrExternalUsers": null,
                      "excludeGuestsOrExternalUsers": {"guestOrExternalUserTypes": ALL_GUEST_TYPES, "externalTenants": {"@odata.type": "#microsoft.graph.conditionalAccessAllExternalTenants", "membershipKind": "all"}}},
            "clientApplications": null, "clientAppTypes": ["all"], "platforms": null,
            "locations": {"includeLocations": ["All"], "excludeLocations": ["AllTrusted"]},
            "devices": null, "userRiskLevels": [], "signInRiskLevels": [],
        },
        "grantControls": {"operator": "OR", "builtInControls": ["mfa"], "customAuthenticationFactors": [], "termsOfUse": []},
        "sessionControls": null,
    });
    let registering = |addr: &str| SignIn {
        user_action: Some(REGISTER.into()),
        ip_address: ip(addr),
        ..SignIn::default()
    };
    let out = evaluate(
        std::slice::from_ref(&body),
        &named_locations(),
        &registering("192.0.2.1"),
    );
    assert_eq!(out.policies[0].display_name, "CA302");
    assert_eq!(out.grant_requirements[0].built_in_controls, ["mfa"]);
    let out = evaluate(&[body], &named_locations(), &registering("203.0.113.9"));
    assert!(out.policies.is_empty());
}

/// A policy for agent identities as Graph returns it: users `None`, the agent lists in
/// `clientApplications` beside empty service principal lists.
fn agent_policy(id: &str, agents: Json, extra: Json) -> Json {
    let mut p = policy(
        id,
        ENABLED,
        json!({"includeUsers": ["None"]}),
        json!({"includeApplications": ["All"]}),
        json!({"conditions": {"clientApplications": {"includeServicePrincipals": [], "excludeServicePrincipals": [], "servicePrincipalFilter": null}}}),
    );
    merge(
        &mut p,
        json!({"conditions": {"clientApplications": agents}}),
    );
    merge(&mut p, extra);
    p
}

fn agent(id: &str, risk: Option<&str>) -> SignIn {
    SignIn {
        agent_id: Some(id.into()),
        agent_risk: risk.map(String::from),
        application_id: Some(APP.into()),
        ..SignIn::default()
    }
}

fn agent_user(risk: Option<&str>) -> SignIn {
    SignIn {
        agent_user: true,
        agent_risk: risk.map(String::from),
        ..user(AGENT_USER)
    }
}

#[test]
fn agent_identity_policies_include_all_or_the_agent_then_exclude() {
    let by_id = agent_policy(
        "a",
        json!({"includeAgentIdServicePrincipals": [AGENT]}),
        json!({}),
    );
    assert!(applies(&by_id, &agent(&AGENT.to_uppercase(), None)));
    assert!(!applies(&by_id, &agent(OTHER_AGENT, None)));
    let all_but_one = agent_policy(
        "b",
        json!({"includeAgentIdServicePrincipals": ["All"], "excludeAgentIdServicePrincipals": [AGENT]}),
        json!({}),
    );
    assert!(applies(&all_but_one, &agent(OTHER_AGENT, None)));
    assert!(!applies(&all_but_one, &agent(AGENT, None)), "excluded");
}

#[test]
fn agent_filters_are_assumed_to_apply_with_a_caveat() {
    // Microsoft's documented example (../shared/corpus/ca-policies/096-*), all apps but Office 365.
    let unapproved = agent_policy(
        "f",
        json!({"agentIdServicePrincipalFilter": {"mode": "include", "rule": "CustomSecurityAttribute.ConditionalAccess_isApproved -contains \"False\""}}),
        json!({"conditions": {"applications": {"excludeApplications": ["Office365"]}}}),
    );
    let out = evaluate(std::slice::from_ref(&unapproved), &[], &agent(AGENT, None));
    assert_eq!(out.policies.len(), 1);
    assert_eq!(out.caveats.len(), 1, "{:?}", out.caveats);
    assert!(
        out.caveats[0].contains("agent identity filter (custom security attributes)")
            && out.caveats[0].contains("assumed to include"),
        "{:?}",
        out.caveats
    );
    let to_exchange = SignIn {
        application_id: Some(EXCHANGE.into()),
        ..agent(AGENT, None)
    };
    let out = evaluate(&[unapproved], &[], &to_exchange);
    assert!(out.policies.is_empty() && out.caveats.is_empty(), "{out:?}");

    let all_but_approved = agent_policy(
        "x",
        json!({"includeAgentIdServicePrincipals": ["All"], "agentIdServicePrincipalFilter": {"mode": "exclude", "rule": "CustomSecurityAttribute.ConditionalAccess_isApproved -contains \"True\""}}),
        json!({}),
    );
    let out = evaluate(&[all_but_approved], &[], &agent(AGENT, None));
    assert_eq!(out.policies.len(), 1);
    assert!(
        out.caveats[0].contains("assumed not to exclude"),
        "{:?}",
        out.caveats
    );
}

#[test]
fn agent_risk_levels_match_the_agents_risk() {
    let risky = agent_policy(
        "r",
        json!({"includeAgentIdServicePrincipals": ["All"]}),
        json!({"conditions": {"agentIdRiskLevels": "medium,high"}}),
    );
    assert!(applies(&risky, &agent(AGENT, Some("high"))));
    assert!(applies(&risky, &agent(AGENT, Some("medium"))));
    assert!(!applies(&risky, &agent(AGENT, Some("low"))));
    assert!(!applies(&risky, &agent(AGENT, Some("none"))));
    assert!(!applies(&risky, &agent(AGENT, None)), "no risk is none");
    let out = evaluate(&[risky], &[], &agent(AGENT, Some("high")));
    assert!(out.caveats.is_empty(), "evaluated, not reported: {out:?}");

    // A user policy with an agent risk condition: a human has no agent risk.
    let users_with_agent_risk = all_users_mfa(
        "u",
        ENABLED,
        json!({"conditions": {"agentIdRiskLevels": "high"}}),
    );
    assert!(!applies(&users_with_agent_risk, &user(ALICE)));
    assert!(applies(&users_with_agent_risk, &agent_user(Some("high"))));
}

#[test]
fn agents_users_and_workload_identities_meet_only_their_own_policies() {
    let for_agents = agent_policy(
        "ag",
        json!({"includeAgentIdServicePrincipals": ["All"]}),
        json!({}),
    );
    let for_users = all_users_mfa("us", ENABLED, json!({}));
    let for_workloads = policy(
        "wl",
        ENABLED,
        json!({"includeUsers": ["None"]}),
        json!({"includeApplications": ["All"]}),
        json!({"conditions": {"clientApplications": {"includeServicePrincipals": ["ServicePrincipalsInMyTenant"], "excludeServicePrincipals": []}}}),
    );
    let all = [for_agents, for_users, for_workloads];
    let ids = |s: &SignIn| -> Vec<String> {
        evaluate(&all, &[], s)
            .policies
            .into_iter()
            .map(|m| m.id)
            .collect()
    };
    let workload = SignIn {
        service_principal_id: Some(SP.into()),
        application_id: Some(APP.into()),
        ..SignIn::default()
    };
    assert_eq!(ids(&agent(AGENT, None)), ["ag"]);
    assert_eq!(ids(&user(ALICE)), ["us"]);
    assert_eq!(ids(&agent_user(None)), ["us"], "an agent user is a user");
    assert_eq!(ids(&workload), ["wl"]);
}

#[test]
fn all_agent_id_resources_is_every_application_for_agents_only() {
    let agents = agent_policy(
        "ar",
        json!({"includeAgentIdServicePrincipals": ["All"]}),
        json!({"conditions": {"applications": {"includeApplications": ["AllAgentIdResources"]}}}),
    );
    assert!(applies(&agents, &agent(AGENT, None)));
    assert!(applies(
        &agents,
        &SignIn {
            application_id: Some(EXCHANGE.into()),
            ..agent(AGENT, None)
        }
    ));
    let everyone = policy(
        "ev",
        ENABLED,
        json!({"includeUsers": ["All"]}),
        json!({"includeApplications": ["AllAgentIdResources"]}),
        json!({}),
    );
    assert!(!applies(&everyone, &user(ALICE)), "not an agent");
    assert!(
        applies(&everyone, &agent_user(None)),
        "an agent's user account"
    );
    let excluded = policy(
        "ex",
        ENABLED,
        json!({"includeUsers": ["All"]}),
        json!({"includeApplications": ["AllAgentIdResources"], "excludeApplications": [APP]}),
        json!({}),
    );
    assert!(!applies(&excluded, &agent_user(None)));
}

#[test]
fn agent_users_by_keyword_by_agents_condition_and_all_users() {
    // Microsoft's documented example (../shared/corpus/ca-policies/097-*).
    let keyword = policy(
        "k",
        ENABLED,
        json!({"includeUsers": ["AllAgentIdUsers"]}),
        json!({"includeApplications": ["All"]}),
        json!({}),
    );
    assert!(applies(&keyword, &agent_user(None)));
    assert!(!applies(&keyword, &user(ALICE)), "a human user");
    assert!(!applies(&keyword, &agent(AGENT, None)), "an agent identity");

    let humans_only = all_users_mfa(
        "h",
        ENABLED,
        json!({"conditions": {"users": {"excludeUsers": [BREAK_GLASS, "AllAgentIdUsers"]}}}),
    );
    assert!(applies(&humans_only, &user(ALICE)));
    assert!(!applies(&humans_only, &agent_user(None)));
    assert!(
        applies(&all_users_mfa("all", ENABLED, json!({})), &agent_user(None)),
        "All users covers agent users"
    );

    // The beta `agents` condition, as real tenants export "All agent users" policies.
    let agents = |agents: Json| {
        policy(
            "c",
            ENABLED,
            json!({"includeUsers": ["None"]}),
            json!({"includeApplications": ["All"]}),
            json!({"conditions": {"agents": agents, "agentIdRiskLevels": "medium,high"}}),
        )
    };
    let risky =
        agents(json!({"includeAgentUsers": ["All"], "excludeAgentUsers": [], "agentFilter": null}));
    assert!(applies(&risky, &agent_user(Some("high"))));
    assert!(!applies(&risky, &agent_user(None)), "no agent risk");
    let human = SignIn {
        agent_risk: Some("high".into()),
        ..user(ALICE)
    };
    assert!(!applies(&risky, &human), "not an agent user");
    assert!(!applies(&risky, &agent(AGENT, Some("high"))), "not a user");
    let but_one = agents(json!({"includeAgentUsers": ["All"], "excludeAgentUsers": [AGENT_USER]}));
    assert!(!applies(&but_one, &agent_user(Some("high"))));
    let filtered = agents(
        json!({"includeAgentUsers": [], "agentFilter": {"mode": "include", "rule": "CustomSecurityAttribute.Tier -eq \"1\""}}),
    );
    let out = evaluate(&[filtered], &[], &agent_user(Some("high")));
    assert_eq!(out.policies.len(), 1);
    assert!(
        out.caveats[0].contains("agent user filter"),
        "{:?}",
        out.caveats
    );
}

/// The agent policies of ../shared/corpus/ca-policies, as real tenants and Microsoft's
/// documentation write them.
#[test]
fn the_corpus_agent_policies_decide_agent_sign_ins() {
    let dir = format!(
        "{}/../shared/corpus/ca-policies",
        env!("CARGO_MANIFEST_DIR")
    );
    let mut policies: Vec<Json> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().contains("agent"))
        .map(|p| serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap())
        .collect();
    assert_eq!(policies.len(), 7);
    for p in &mut policies {
        // Report-only or enabled alike: which policies apply is what matters here.
        p["state"] = json!(ENABLED);
    }
    // Each applying policy by its display name's first part ("CA501"), and the caveats.
    let outcome = |s: &SignIn| -> (Vec<String>, Vec<String>) {
        let out = evaluate(&policies, &[], s);
        let names = out
            .policies
            .iter()
            .map(|m| m.display_name.split('-').next().unwrap().to_string());
        (names.collect(), out.caveats)
    };

    let (applied, caveats) = outcome(&agent(AGENT, Some("high")));
    assert_eq!(
        applied,
        ["Block all unapproved agents", "CA501", "CA502"],
        "{caveats:?}"
    );
    assert_eq!(caveats.len(), 1, "{caveats:?}");
    assert!(caveats[0].contains("agent identity filter"), "{caveats:?}");

    let (applied, caveats) = outcome(&agent_user(Some("medium")));
    assert_eq!(
        applied,
        [
            "Block all agent users from accessing resources",
            "CA503",
            "CA504",
            "CA505"
        ],
        "{caveats:?}"
    );
    assert!(
        caveats.iter().any(|c| c.contains("`agentContext`")),
        "{caveats:?}"
    );
    assert!(
        caveats.iter().any(|c| c.contains("not in the tenant")),
        "{caveats:?}"
    );

    let (applied, caveats) = outcome(&user(ALICE));
    assert!(
        applied.is_empty() && caveats.is_empty(),
        "{applied:?} {caveats:?}"
    );
}

#[test]
fn risk_remediation_is_carried_like_any_built_in_control() {
    let remediate = all_users_mfa(
        "rr",
        ENABLED,
        json!({
            "conditions": {"userRiskLevels": ["high"]},
            "grantControls": {"operator": "AND", "builtInControls": ["riskRemediation"],
                              "authenticationStrength": {"id": "00000000-0000-0000-0000-000000000002"}},
        }),
    );
    let risky = SignIn {
        user_risk: Some("high".into()),
        ..user(ALICE)
    };
    let out = evaluate(&[remediate], &[], &risky);
    assert!(!out.blocked);
    assert!(out.caveats.is_empty(), "{:?}", out.caveats);
    assert_eq!(
        out.grant_requirements,
        [Requirement {
            policy_id: "rr".into(),
            operator: "AND".into(),
            built_in_controls: vec!["riskRemediation".into()],
            authentication_strength_id: Some("00000000-0000-0000-0000-000000000002".into()),
            terms_of_use: vec![],
            custom_authentication_factors: vec![],
        }]
    );
}
