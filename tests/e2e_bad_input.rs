//! A catalogue of invalid configurations, run through real Terraform against the simulator:
//! every one must be refused by `terraform validate` or, failing that, `terraform plan`, with a
//! diagnostic that points at the attribute to fix and says what is wrong, without a panic, and
//! without a single write request reaching Graph.
//!
//! Each case is run with `terraform validate`; only when validate passes does `terraform plan`
//! run (the checks that need the provider's configuration or a Graph read). One line per case is
//! printed (`cargo test --test e2e_bad_input -- --nocapture` shows them), and the test fails at
//! the end listing every case that did not behave, so one run shows all problems.
//!
//! How a case is matched: among the `Error:` diagnostics Terraform prints, one must quote a
//! source line (the `NN: ...` line under `on main.tf line NN, in ...:`) that contains
//! `expect_path`, and its summary or detail must contain `expect_message`. Terraform turns the
//! provider's attribute path into that source line, the same way in 1.0 and 1.11: the attribute
//! when it is written, else the innermost block written (`users {`). A path to a top-level
//! block (`country`, `session_controls`, `fido2_combination_configuration[0]`) is shown as the
//! resource's first line by both versions; those cases expect that line.

mod common;

use common::{in_parallel, terraform_binaries, terraform_version, Run, Sim, Tf, PROVIDER_HEADER};
use std::time::{Duration, Instant};

/// Cases run concurrently, each worker with its own simulator and working directory (the
/// machine has two cores; validate and plan are mostly process start-up).
const WORKERS: usize = 2;

/// An authentication context the simulated tenant already has.
const EXISTING_CONTEXT: &str = "c7";

/// Which command must refuse the configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Step {
    Validate,
    Plan,
}
use Step::{Plan, Validate};

/// The configuration of a case.
enum Hcl {
    /// Resource and data blocks, after the default (empty) provider block.
    Body(&'static str),
    /// [`POLICY`] with text replacements: the case's one mistake. Each `(from, to)` replaces the
    /// first `from`; the `# conditions`, `# applications`, `# users`, `# grant` and `# session`
    /// comments are the places to insert into.
    Policy(&'static [(&'static str, &'static str)]),
    /// Everything after the `terraform { required_providers ... }` header: the provider block is
    /// under test.
    WithProvider(&'static str),
}

struct Case {
    name: &'static str,
    hcl: Hcl,
    fails_at: Step,
    /// A fragment of the source line Terraform quotes for the diagnostic.
    expect_path: &'static str,
    /// A distinctive fragment of the diagnostic's summary or detail.
    expect_message: &'static str,
}

/// A valid policy, report-only, excluding a break-glass account (6b1f0e2a-...) so that lockout
/// protection stays quiet.
const POLICY: &str = r#"
resource "entra_conditional_access_policy" "t" {
  display_name = "CA-bad-input"
  state = "enabledForReportingButNotEnforced"
  conditions {
    client_app_types = ["all"]
    # conditions
    applications {
      included_applications = ["All"]
      # applications
    }
    users {
      included_users = ["All"]
      excluded_users = ["6b1f0e2a-3c4d-4e5f-8a9b-0c1d2e3f4a5b"]
      # users
    }
  }
  grant_controls {
    operator = "OR"
    built_in_controls = ["mfa"]
    # grant
  }
  # session
}
"#;

/// A valid named location: Terraform validates and configures the provider block only when the
/// configuration uses the provider, and a named location needs no Graph request at plan.
macro_rules! office_location {
    () => {
        r#"
resource "entra_named_location" "office" {
  display_name = "Office"
  ip {
    ip_ranges = ["10.1.0.0/16"]
  }
}
"#
    };
}

/// A provider block with these settings, and a resource that uses the provider.
macro_rules! provider {
    ($settings:literal) => {
        Hcl::WithProvider(concat!(
            "provider \"entra\" {\n",
            $settings,
            "\n}\n",
            office_location!()
        ))
    };
}

/// A PIM policy requiring approval, with one stage that has this setting and one primary
/// approver of this type.
macro_rules! approval_stage {
    ($setting:literal, $approver_type:literal) => {
        Hcl::Body(concat!(
            r#"
resource "entra_role_management_policy" "t" {
  role_definition_id = "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3"
  activation_rules {
    require_approval = true
    approval_stage {
      "#,
            $setting,
            r#"
      primary_approver {
        object_id = "6b1f0e2a-3c4d-4e5f-8a9b-0c1d2e3f4a5b"
        type      = ""#,
            $approver_type,
            r#""
      }
    }
  }
}
"#
        ))
    };
}

const CASES: &[Case] = &[
    // ---- entra_conditional_access_policy: enumerations ----
    Case {
        name: "ca_state_not_an_enum",
        hcl: Hcl::Policy(&[(
            "state = \"enabledForReportingButNotEnforced\"",
            "state = \"on\"",
        )]),
        fails_at: Validate,
        expect_path: "state",
        expect_message: "\"on\" is not one of: enabled, disabled, enabledForReportingButNotEnforced",
    },
    Case {
        name: "ca_state_wrong_case",
        hcl: Hcl::Policy(&[(
            "state = \"enabledForReportingButNotEnforced\"",
            "state = \"Enabled\"",
        )]),
        fails_at: Validate,
        expect_path: "state",
        expect_message: "\"Enabled\" is not one of",
    },
    Case {
        name: "ca_client_app_type_unknown",
        hcl: Hcl::Policy(&[(
            "client_app_types = [\"all\"]",
            "client_app_types = [\"desktop\"]",
        )]),
        fails_at: Validate,
        expect_path: "client_app_types",
        expect_message: "\"desktop\" is not one of: all, browser",
    },
    Case {
        name: "ca_client_app_types_empty",
        hcl: Hcl::Policy(&[("client_app_types = [\"all\"]", "client_app_types = []")]),
        fails_at: Validate,
        expect_path: "client_app_types",
        expect_message: "Set client_app_types, e.g. [\"all\"]",
    },
    Case {
        name: "ca_platform_wrong_case",
        hcl: Hcl::Policy(&[(
            "# conditions",
            "platforms {\n      included_platforms = [\"ios\"]\n    }",
        )]),
        fails_at: Validate,
        expect_path: "included_platforms",
        expect_message: "\"ios\" is not one of: android, iOS",
    },
    Case {
        name: "ca_excluded_platform_unknown",
        hcl: Hcl::Policy(&[(
            "# conditions",
            "platforms {\n      included_platforms = [\"all\"]\n      excluded_platforms = [\"chromeOS\"]\n    }",
        )]),
        fails_at: Validate,
        expect_path: "excluded_platforms",
        expect_message: "\"chromeOS\" is not one of",
    },
    Case {
        name: "ca_user_risk_unknown",
        hcl: Hcl::Policy(&[("# conditions", "user_risk_levels = [\"severe\"]")]),
        fails_at: Validate,
        expect_path: "user_risk_levels",
        expect_message: "\"severe\" is not one of: low, medium, high, hidden, none",
    },
    Case {
        name: "ca_sign_in_risk_wrong_case",
        hcl: Hcl::Policy(&[("# conditions", "sign_in_risk_levels = [\"High\"]")]),
        fails_at: Validate,
        expect_path: "sign_in_risk_levels",
        expect_message: "\"High\" is not one of: low, medium, high",
    },
    Case {
        name: "ca_service_principal_risk_unknown",
        hcl: Hcl::Policy(&[("# conditions", "service_principal_risk_levels = [\"extreme\"]")]),
        fails_at: Validate,
        expect_path: "service_principal_risk_levels",
        expect_message: "\"extreme\" is not one of: low, medium, high, hidden, none",
    },
    Case {
        name: "ca_insider_risk_unknown",
        hcl: Hcl::Policy(&[("# conditions", "insider_risk_levels = \"minor,huge\"")]),
        fails_at: Validate,
        expect_path: "insider_risk_levels",
        expect_message: "\"huge\" is not one of: minor, moderate, elevated",
    },
    Case {
        name: "ca_transfer_method_unknown",
        hcl: Hcl::Policy(&[(
            "# conditions",
            "authentication_flow_transfer_methods = [\"qrCode\"]",
        )]),
        fails_at: Validate,
        expect_path: "authentication_flow_transfer_methods",
        expect_message: "\"qrCode\" is not one of: none, deviceCodeFlow, authenticationTransfer",
    },
    Case {
        name: "ca_user_action_unknown",
        hcl: Hcl::Policy(&[(
            "included_applications = [\"All\"]",
            "included_user_actions = [\"urn:user:registerapp\"]",
        )]),
        fails_at: Validate,
        expect_path: "included_user_actions",
        expect_message: "\"urn:user:registerapp\" is not one of: urn:user:registersecurityinfo",
    },
    Case {
        name: "ca_guest_type_unknown",
        hcl: Hcl::Policy(&[(
            "# users",
            "included_guests_or_external_users {\n        guest_or_external_user_types = [\"partner\"]\n      }",
        )]),
        fails_at: Validate,
        expect_path: "guest_or_external_user_types",
        expect_message: "\"partner\" is not one of: none, internalGuest",
    },
    Case {
        name: "ca_membership_kind_unknown",
        hcl: Hcl::Policy(&[(
            "# users",
            "excluded_guests_or_external_users {\n        guest_or_external_user_types = [\"b2bCollaborationGuest\"]\n        external_tenants {\n          membership_kind = \"some\"\n        }\n      }",
        )]),
        fails_at: Validate,
        expect_path: "membership_kind",
        expect_message: "\"some\" is not one of: all, enumerated",
    },
    Case {
        name: "ca_application_filter_mode_unknown",
        hcl: Hcl::Policy(&[(
            "# applications",
            "filter {\n        mode = \"keep\"\n        rule = \"CustomSecurityAttribute.Tier -eq \\\"0\\\"\"\n      }",
        )]),
        fails_at: Validate,
        expect_path: "mode",
        expect_message: "\"keep\" is not one of: include, exclude",
    },
    Case {
        name: "ca_device_filter_mode_unknown",
        hcl: Hcl::Policy(&[(
            "# conditions",
            "devices {\n      filter {\n        mode = \"only\"\n        rule = \"device.isCompliant -eq True\"\n      }\n    }",
        )]),
        fails_at: Validate,
        expect_path: "mode",
        expect_message: "\"only\" is not one of: include, exclude",
    },
    Case {
        name: "ca_operator_unknown",
        hcl: Hcl::Policy(&[("operator = \"OR\"", "operator = \"XOR\"")]),
        fails_at: Validate,
        expect_path: "operator",
        expect_message: "\"XOR\" is not one of: AND, OR",
    },
    Case {
        name: "ca_built_in_control_unknown",
        hcl: Hcl::Policy(&[(
            "built_in_controls = [\"mfa\"]",
            "built_in_controls = [\"requireMfa\"]",
        )]),
        fails_at: Validate,
        expect_path: "built_in_controls",
        expect_message: "\"requireMfa\" is not one of: block, mfa",
    },
    Case {
        name: "ca_cloud_app_security_unknown",
        hcl: Hcl::Policy(&[(
            "# session",
            "session_controls {\n    cloud_app_security_policy = \"blockEverything\"\n  }",
        )]),
        fails_at: Validate,
        expect_path: "cloud_app_security_policy",
        expect_message: "\"blockEverything\" is not one of: mcasConfigured, monitorOnly, blockDownloads",
    },
    Case {
        name: "ca_persistent_browser_unknown",
        hcl: Hcl::Policy(&[(
            "# session",
            "session_controls {\n    persistent_browser_mode = \"sometimes\"\n  }",
        )]),
        fails_at: Validate,
        expect_path: "persistent_browser_mode",
        expect_message: "\"sometimes\" is not one of: always, never",
    },
    Case {
        name: "ca_frequency_period_in_weeks",
        hcl: Hcl::Policy(&[(
            "# session",
            "session_controls {\n    sign_in_frequency = 2\n    sign_in_frequency_period = \"weeks\"\n  }",
        )]),
        fails_at: Validate,
        expect_path: "sign_in_frequency_period",
        expect_message: "\"weeks\" is not one of: hours, days",
    },
    Case {
        name: "ca_frequency_authentication_type_unknown",
        hcl: Hcl::Policy(&[(
            "# session",
            "session_controls {\n    sign_in_frequency = 2\n    sign_in_frequency_period = \"hours\"\n    sign_in_frequency_authentication_type = \"tertiary\"\n  }",
        )]),
        fails_at: Validate,
        expect_path: "sign_in_frequency_authentication_type",
        expect_message: "\"tertiary\" is not one of: primaryAndSecondaryAuthentication",
    },
    Case {
        name: "ca_frequency_interval_unknown",
        hcl: Hcl::Policy(&[(
            "# session",
            "session_controls {\n    sign_in_frequency_interval = \"always\"\n  }",
        )]),
        fails_at: Validate,
        expect_path: "sign_in_frequency_interval",
        expect_message: "\"always\" is not one of: timeBased, everyTime",
    },
    Case {
        name: "ca_continuous_access_evaluation_unknown",
        hcl: Hcl::Policy(&[(
            "# session",
            "session_controls {\n    continuous_access_evaluation_mode = \"strict\"\n  }",
        )]),
        fails_at: Validate,
        expect_path: "continuous_access_evaluation_mode",
        expect_message: "\"strict\" is not one of: strictEnforcement, disabled, strictLocation",
    },
    // ---- entra_conditional_access_policy: malformed ids ----
    Case {
        name: "ca_included_user_is_a_upn",
        hcl: Hcl::Policy(&[(
            "included_users = [\"All\"]",
            "included_users = [\"alice@contoso.com\"]",
        )]),
        fails_at: Validate,
        expect_path: "included_users",
        expect_message: "\"alice@contoso.com\" is not an object id (a GUID) or one of All, None",
    },
    Case {
        name: "ca_excluded_user_is_a_name",
        hcl: Hcl::Policy(&[(
            "excluded_users = [\"6b1f0e2a-3c4d-4e5f-8a9b-0c1d2e3f4a5b\"]",
            "excluded_users = [\"breakglass\"]",
        )]),
        fails_at: Validate,
        expect_path: "excluded_users",
        expect_message: "\"breakglass\" is not an object id (a GUID)",
    },
    Case {
        name: "ca_included_group_is_a_name",
        hcl: Hcl::Policy(&[("# users", "included_groups = [\"sg-all-staff\"]")]),
        fails_at: Validate,
        expect_path: "included_groups",
        expect_message: "\"sg-all-staff\" is not an object id (a GUID)",
    },
    Case {
        name: "ca_included_role_is_a_name",
        hcl: Hcl::Policy(&[("# users", "included_roles = [\"Global Administrator\"]")]),
        fails_at: Validate,
        expect_path: "included_roles",
        expect_message: "\"Global Administrator\" is not an object id (a GUID)",
    },
    Case {
        name: "ca_included_application_is_a_name",
        hcl: Hcl::Policy(&[(
            "included_applications = [\"All\"]",
            "included_applications = [\"Outlook\"]",
        )]),
        fails_at: Validate,
        expect_path: "included_applications",
        expect_message: "\"Outlook\" is not an object id (a GUID) or one of All, None, Office365",
    },
    Case {
        name: "ca_excluded_application_keyword_typo",
        hcl: Hcl::Policy(&[("# applications", "excluded_applications = [\"AllApps\"]")]),
        fails_at: Validate,
        expect_path: "excluded_applications",
        expect_message: "\"AllApps\" is not an object id",
    },
    Case {
        name: "ca_included_location_is_a_name",
        hcl: Hcl::Policy(&[(
            "# conditions",
            "locations {\n      included_locations = [\"Office\"]\n    }",
        )]),
        fails_at: Validate,
        expect_path: "included_locations",
        expect_message: "\"Office\" is not an object id (a GUID) or one of All, AllTrusted",
    },
    Case {
        name: "ca_excluded_location_keyword_typo",
        hcl: Hcl::Policy(&[(
            "# conditions",
            "locations {\n      included_locations = [\"All\"]\n      excluded_locations = [\"All trusted\"]\n    }",
        )]),
        fails_at: Validate,
        expect_path: "excluded_locations",
        expect_message: "\"All trusted\" is not an object id",
    },
    Case {
        name: "ca_excluded_service_principal_is_a_name",
        hcl: Hcl::Policy(&[(
            "# conditions",
            "client_applications {\n      included_service_principals = [\"ServicePrincipalsInMyTenant\"]\n      excluded_service_principals = [\"my-app\"]\n    }",
        )]),
        fails_at: Validate,
        expect_path: "excluded_service_principals",
        expect_message: "\"my-app\" is not an object id (a GUID)",
    },
    Case {
        name: "ca_included_service_principal_keyword_wrong",
        hcl: Hcl::Policy(&[(
            "# conditions",
            "client_applications {\n      included_service_principals = [\"All\"]\n    }",
        )]),
        fails_at: Validate,
        expect_path: "included_service_principals",
        expect_message: "\"All\" is not an object id (a GUID) or one of ServicePrincipalsInMyTenant",
    },
    Case {
        name: "ca_external_tenant_is_a_domain",
        hcl: Hcl::Policy(&[(
            "# users",
            "excluded_guests_or_external_users {\n        guest_or_external_user_types = [\"b2bCollaborationGuest\"]\n        external_tenants {\n          membership_kind = \"enumerated\"\n          members = [\"contoso.com\"]\n        }\n      }",
        )]),
        fails_at: Validate,
        expect_path: "members",
        expect_message: "\"contoso.com\" is not an object id (a GUID)",
    },
    Case {
        name: "ca_terms_of_use_is_a_name",
        hcl: Hcl::Policy(&[("# grant", "terms_of_use = [\"tou-2024\"]")]),
        fails_at: Validate,
        expect_path: "terms_of_use",
        expect_message: "\"tou-2024\" is not an object id (a GUID)",
    },
    Case {
        name: "ca_context_c0",
        hcl: Hcl::Policy(&[(
            "included_applications = [\"All\"]",
            "included_authentication_context_class_references = [\"c0\"]",
        )]),
        fails_at: Validate,
        expect_path: "included_authentication_context_class_references",
        expect_message: "\"c0\" is not an authentication context id: use c1 to c99",
    },
    Case {
        name: "ca_context_upper_case",
        hcl: Hcl::Policy(&[(
            "included_applications = [\"All\"]",
            "included_authentication_context_class_references = [\"C1\"]",
        )]),
        fails_at: Validate,
        expect_path: "included_authentication_context_class_references",
        expect_message: "(lower-case c, no leading zero)",
    },
    Case {
        name: "ca_strength_id_is_a_name",
        hcl: Hcl::Policy(&[(
            "built_in_controls = [\"mfa\"]",
            "authentication_strength_policy_id = \"phishing-resistant\"",
        )]),
        fails_at: Validate,
        expect_path: "authentication_strength_policy_id",
        expect_message: "\"phishing-resistant\" is neither an authentication strength id (a GUID)",
    },
    Case {
        name: "ca_strength_path_without_guid",
        hcl: Hcl::Policy(&[(
            "built_in_controls = [\"mfa\"]",
            "authentication_strength_policy_id = \"/policies/authenticationStrengthPolicies/not-a-guid\"",
        )]),
        fails_at: Validate,
        expect_path: "authentication_strength_policy_id",
        expect_message: "nor /policies/authenticationStrengthPolicies/{id}",
    },
    // ---- entra_conditional_access_policy: impossible combinations ----
    Case {
        name: "ca_applications_and_user_actions",
        hcl: Hcl::Policy(&[(
            "# applications",
            "included_user_actions = [\"urn:user:registersecurityinfo\"]",
        )]),
        fails_at: Validate,
        expect_path: "included_user_actions",
        expect_message: "not both (Graph error 1012)",
    },
    Case {
        name: "ca_contexts_and_applications",
        hcl: Hcl::Policy(&[(
            "# applications",
            "included_authentication_context_class_references = [\"c1\"]",
        )]),
        fails_at: Validate,
        expect_path: "included_authentication_context_class_references",
        expect_message: "Authentication contexts with applications or user actions",
    },
    Case {
        name: "ca_targets_nothing",
        hcl: Hcl::Policy(&[(
            "included_applications = [\"All\"]",
            "excluded_applications = [\"Office365\"]",
        )]),
        fails_at: Validate,
        expect_path: "applications {",
        expect_message: "The policy targets nothing",
    },
    Case {
        name: "ca_applies_to_nobody",
        hcl: Hcl::Policy(&[("included_users = [\"All\"]", "")]),
        fails_at: Validate,
        expect_path: "users {",
        expect_message: "The policy applies to nobody",
    },
    Case {
        name: "ca_grant_with_operator_only",
        hcl: Hcl::Policy(&[("built_in_controls = [\"mfa\"]", "")]),
        fails_at: Validate,
        // The path is the top-level grant_controls block: Terraform shows the resource.
        expect_path: "resource \"entra_conditional_access_policy\" \"t\"",
        expect_message: "The policy enforces nothing",
    },
    Case {
        name: "ca_session_without_effect",
        hcl: Hcl::Policy(&[
            ("built_in_controls = [\"mfa\"]", ""),
            (
                "# session",
                "session_controls {\n    sign_in_frequency_authentication_type = \"primaryAndSecondaryAuthentication\"\n  }",
            ),
        ]),
        fails_at: Validate,
        expect_path: "resource \"entra_conditional_access_policy\" \"t\"",
        expect_message: "session_controls with a setting that has an effect",
    },
    Case {
        name: "ca_mfa_and_strength",
        hcl: Hcl::Policy(&[(
            "# grant",
            "authentication_strength_policy_id = \"00000000-0000-0000-0000-000000000004\"",
        )]),
        fails_at: Validate,
        expect_path: "authentication_strength_policy_id",
        expect_message: "mfa and an authentication strength together",
    },
    Case {
        name: "ca_block_with_mfa",
        hcl: Hcl::Policy(&[(
            "built_in_controls = [\"mfa\"]",
            "built_in_controls = [\"block\", \"mfa\"]",
        )]),
        fails_at: Validate,
        expect_path: "built_in_controls",
        expect_message: "block denies access outright",
    },
    Case {
        name: "ca_block_with_terms_of_use",
        hcl: Hcl::Policy(&[
            ("operator = \"OR\"", "operator = \"AND\""),
            ("built_in_controls = [\"mfa\"]", "built_in_controls = [\"block\"]"),
            (
                "# grant",
                "terms_of_use = [\"6b1f0e2a-3c4d-4e5f-8a9b-0c1d2e3f4a5b\"]",
            ),
        ]),
        fails_at: Validate,
        expect_path: "built_in_controls",
        expect_message: "it cannot be combined with other grant controls",
    },
    Case {
        name: "ca_password_change_with_or",
        hcl: Hcl::Policy(&[
            ("# conditions", "user_risk_levels = [\"high\"]"),
            (
                "built_in_controls = [\"mfa\"]",
                "built_in_controls = [\"passwordChange\", \"mfa\"]",
            ),
        ]),
        fails_at: Validate,
        expect_path: "built_in_controls",
        expect_message: "with operator = \"AND\" (Graph error 1032",
    },
    Case {
        name: "ca_risk_remediation_without_strength",
        hcl: Hcl::Policy(&[
            ("# conditions", "user_risk_levels = [\"high\"]"),
            ("operator = \"OR\"", "operator = \"AND\""),
            (
                "built_in_controls = [\"mfa\"]",
                "built_in_controls = [\"riskRemediation\"]",
            ),
        ]),
        fails_at: Validate,
        expect_path: "built_in_controls",
        expect_message: "riskRemediation must be combined with an authentication strength",
    },
    Case {
        name: "ca_risk_remediation_with_password_change",
        hcl: Hcl::Policy(&[
            ("# conditions", "user_risk_levels = [\"high\"]"),
            ("operator = \"OR\"", "operator = \"AND\""),
            (
                "built_in_controls = [\"mfa\"]",
                "built_in_controls = [\"riskRemediation\", \"passwordChange\", \"mfa\"]",
            ),
        ]),
        fails_at: Validate,
        expect_path: "built_in_controls",
        expect_message: "riskRemediation and passwordChange must be used in separate policies",
    },
    Case {
        name: "ca_password_change_alone",
        hcl: Hcl::Policy(&[
            ("# conditions", "user_risk_levels = [\"high\"]"),
            ("operator = \"OR\"", "operator = \"AND\""),
            (
                "built_in_controls = [\"mfa\"]",
                "built_in_controls = [\"passwordChange\"]",
            ),
        ]),
        fails_at: Validate,
        expect_path: "built_in_controls",
        expect_message: "passwordChange must be combined with mfa or an authentication strength",
    },
    Case {
        name: "ca_password_change_without_user_risk",
        hcl: Hcl::Policy(&[
            ("operator = \"OR\"", "operator = \"AND\""),
            (
                "built_in_controls = [\"mfa\"]",
                "built_in_controls = [\"passwordChange\", \"mfa\"]",
            ),
        ]),
        fails_at: Validate,
        expect_path: "conditions {",
        expect_message: "must target user_risk_levels",
    },
    Case {
        name: "ca_password_change_with_locations",
        hcl: Hcl::Policy(&[
            (
                "# conditions",
                "user_risk_levels = [\"high\"]\n    locations {\n      included_locations = [\"All\"]\n    }",
            ),
            ("operator = \"OR\"", "operator = \"AND\""),
            (
                "built_in_controls = [\"mfa\"]",
                "built_in_controls = [\"passwordChange\", \"mfa\"]",
            ),
        ]),
        fails_at: Validate,
        expect_path: "locations {",
        expect_message: "only users, applications and user risk may be set with passwordChange",
    },
    Case {
        name: "ca_password_change_with_excluded_application",
        hcl: Hcl::Policy(&[
            ("# conditions", "user_risk_levels = [\"high\"]"),
            ("# applications", "excluded_applications = [\"Office365\"]"),
            ("operator = \"OR\"", "operator = \"AND\""),
            (
                "built_in_controls = [\"mfa\"]",
                "built_in_controls = [\"passwordChange\", \"mfa\"]",
            ),
        ]),
        fails_at: Validate,
        expect_path: "included_applications",
        expect_message: "must target All applications without exclusions",
    },
    Case {
        name: "ca_password_change_with_sign_in_risk",
        hcl: Hcl::Policy(&[
            (
                "# conditions",
                "user_risk_levels = [\"high\"]\n    sign_in_risk_levels = [\"high\"]",
            ),
            ("operator = \"OR\"", "operator = \"AND\""),
            (
                "built_in_controls = [\"mfa\"]",
                "built_in_controls = [\"passwordChange\", \"mfa\"]",
            ),
        ]),
        fails_at: Validate,
        expect_path: "sign_in_risk_levels",
        expect_message: "passwordChange allows no other conditions",
    },
    Case {
        name: "ca_register_device_with_compliant_device",
        hcl: Hcl::Policy(&[
            (
                "included_applications = [\"All\"]",
                "included_user_actions = [\"urn:user:registerdevice\"]",
            ),
            (
                "built_in_controls = [\"mfa\"]",
                "built_in_controls = [\"mfa\", \"compliantDevice\"]",
            ),
        ]),
        fails_at: Validate,
        expect_path: "built_in_controls",
        expect_message: "accepts only mfa or an authentication strength",
    },
    Case {
        name: "ca_register_device_with_device_filter",
        hcl: Hcl::Policy(&[
            (
                "included_applications = [\"All\"]",
                "included_user_actions = [\"urn:user:registerdevice\"]",
            ),
            (
                "# conditions",
                "devices {\n      filter {\n        mode = \"exclude\"\n        rule = \"device.isCompliant -eq True\"\n      }\n    }",
            ),
        ]),
        fails_at: Validate,
        expect_path: "devices {",
        expect_message: "cannot use a device filter",
    },
    Case {
        name: "ca_members_with_membership_all",
        hcl: Hcl::Policy(&[(
            "# users",
            "excluded_guests_or_external_users {\n        guest_or_external_user_types = [\"b2bCollaborationGuest\"]\n        external_tenants {\n          membership_kind = \"all\"\n          members = [\"6b1f0e2a-3c4d-4e5f-8a9b-0c1d2e3f4a5b\"]\n        }\n      }",
        )]),
        fails_at: Validate,
        expect_path: "members",
        expect_message: "List members only with membership_kind = \"enumerated\"",
    },
    Case {
        name: "ca_enumerated_without_members",
        hcl: Hcl::Policy(&[(
            "# users",
            "excluded_guests_or_external_users {\n        guest_or_external_user_types = [\"b2bCollaborationGuest\"]\n        external_tenants {\n          membership_kind = \"enumerated\"\n        }\n      }",
        )]),
        fails_at: Validate,
        expect_path: "external_tenants {",
        expect_message: "needs the tenant ids in members",
    },
    Case {
        name: "ca_blank_display_name",
        hcl: Hcl::Policy(&[(
            "display_name = \"CA-bad-input\"",
            "display_name = \"   \"",
        )]),
        fails_at: Validate,
        expect_path: "display_name",
        expect_message: "Empty display name",
    },
    Case {
        name: "ca_application_filter_empty_rule",
        hcl: Hcl::Policy(&[(
            "# applications",
            "filter {\n        mode = \"include\"\n        rule = \"\"\n      }",
        )]),
        fails_at: Validate,
        expect_path: "rule = \"\"",
        expect_message: "The filter's rule is empty",
    },
    // ---- entra_conditional_access_policy: session controls out of range ----
    Case {
        name: "ca_secondary_authentication_without_frequency",
        hcl: Hcl::Policy(&[(
            "# session",
            "session_controls {\n    persistent_browser_mode = \"never\"\n    sign_in_frequency_authentication_type = \"secondaryAuthentication\"\n  }",
        )]),
        fails_at: Validate,
        expect_path: "sign_in_frequency_authentication_type",
        expect_message: "secondaryAuthentication only has an effect with sign_in_frequency",
    },
    Case {
        name: "ca_every_time_with_frequency",
        hcl: Hcl::Policy(&[(
            "# session",
            "session_controls {\n    sign_in_frequency_interval = \"everyTime\"\n    sign_in_frequency = 1\n    sign_in_frequency_period = \"hours\"\n  }",
        )]),
        fails_at: Validate,
        expect_path: "sign_in_frequency = 1",
        expect_message: "leave sign_in_frequency and sign_in_frequency_period unset",
    },
    Case {
        name: "ca_every_time_with_period_only",
        hcl: Hcl::Policy(&[(
            "# session",
            "session_controls {\n    sign_in_frequency_interval = \"everyTime\"\n    sign_in_frequency_period = \"hours\"\n  }",
        )]),
        fails_at: Validate,
        expect_path: "sign_in_frequency_period",
        expect_message: "leave sign_in_frequency and sign_in_frequency_period unset",
    },
    Case {
        name: "ca_every_time_with_app_restrictions",
        hcl: Hcl::Policy(&[(
            "# session",
            "session_controls {\n    sign_in_frequency_interval = \"everyTime\"\n    application_enforced_restrictions_enabled = true\n  }",
        )]),
        fails_at: Validate,
        expect_path: "application_enforced_restrictions_enabled",
        expect_message: "Graph rejects application_enforced_restrictions_enabled together with sign_in_frequency_interval = \"everyTime\"",
    },
    Case {
        name: "ca_every_time_without_resilience_defaults",
        hcl: Hcl::Policy(&[(
            "# session",
            "session_controls {\n    sign_in_frequency_interval = \"everyTime\"\n    disable_resilience_defaults = true\n  }",
        )]),
        fails_at: Validate,
        expect_path: "disable_resilience_defaults",
        expect_message: "Not allowed with sign-in every time",
    },
    Case {
        name: "ca_frequency_30_hours",
        hcl: Hcl::Policy(&[(
            "# session",
            "session_controls {\n    sign_in_frequency = 30\n    sign_in_frequency_period = \"hours\"\n  }",
        )]),
        fails_at: Validate,
        expect_path: "sign_in_frequency = 30",
        expect_message: "must be a whole number from 1 to 23",
    },
    Case {
        name: "ca_frequency_0_days",
        hcl: Hcl::Policy(&[(
            "# session",
            "session_controls {\n    sign_in_frequency = 0\n    sign_in_frequency_period = \"days\"\n  }",
        )]),
        fails_at: Validate,
        expect_path: "sign_in_frequency = 0",
        expect_message: "must be a whole number from 1 to 365",
    },
    Case {
        name: "ca_frequency_400_days",
        hcl: Hcl::Policy(&[(
            "# session",
            "session_controls {\n    sign_in_frequency = 400\n    sign_in_frequency_period = \"days\"\n  }",
        )]),
        fails_at: Validate,
        expect_path: "sign_in_frequency = 400",
        expect_message: "Sign-in frequency out of range",
    },
    Case {
        name: "ca_frequency_fractional",
        hcl: Hcl::Policy(&[(
            "# session",
            "session_controls {\n    sign_in_frequency = 1.5\n    sign_in_frequency_period = \"hours\"\n  }",
        )]),
        fails_at: Validate,
        expect_path: "sign_in_frequency = 1.5",
        expect_message: "must be a whole number",
    },
    Case {
        name: "ca_frequency_negative",
        hcl: Hcl::Policy(&[(
            "# session",
            "session_controls {\n    sign_in_frequency = -4\n    sign_in_frequency_period = \"hours\"\n  }",
        )]),
        fails_at: Validate,
        expect_path: "sign_in_frequency = -4",
        expect_message: "must be a whole number from 1 to 23",
    },
    Case {
        name: "ca_frequency_without_period",
        hcl: Hcl::Policy(&[(
            "# session",
            "session_controls {\n    sign_in_frequency = 4\n  }",
        )]),
        fails_at: Validate,
        expect_path: "session_controls {",
        expect_message: "Set sign_in_frequency_period (\"hours\" or \"days\") with sign_in_frequency",
    },
    Case {
        name: "ca_period_without_frequency",
        hcl: Hcl::Policy(&[(
            "# session",
            "session_controls {\n    persistent_browser_mode = \"never\"\n    sign_in_frequency_period = \"days\"\n  }",
        )]),
        fails_at: Validate,
        expect_path: "session_controls {",
        expect_message: "Set sign_in_frequency with sign_in_frequency_period",
    },
    // ---- entra_conditional_access_policy: schema (Terraform's own checks) ----
    Case {
        name: "ca_frequency_not_a_number",
        hcl: Hcl::Policy(&[(
            "# session",
            "session_controls {\n    sign_in_frequency = \"four\"\n    sign_in_frequency_period = \"hours\"\n  }",
        )]),
        fails_at: Validate,
        expect_path: "sign_in_frequency",
        expect_message: "a number is required",
    },
    Case {
        name: "ca_argument_typo",
        hcl: Hcl::Policy(&[(
            "included_users = [\"All\"]",
            "include_users = [\"All\"]",
        )]),
        fails_at: Validate,
        expect_path: "include_users",
        expect_message: "Did you mean \"included_users\"?",
    },
    Case {
        name: "ca_two_conditions_blocks",
        hcl: Hcl::Policy(&[(
            "  grant_controls {",
            "  conditions {\n    client_app_types = [\"all\"]\n    applications {\n      included_applications = [\"All\"]\n    }\n    users {\n      included_users = [\"All\"]\n    }\n  }\n  grant_controls {",
        )]),
        fails_at: Validate,
        expect_path: "conditions {",
        expect_message: "No more than 1 \"conditions\" blocks are allowed",
    },
    Case {
        name: "ca_without_conditions",
        hcl: Hcl::Body(
            r#"
resource "entra_conditional_access_policy" "t" {
  display_name = "CA-bad-input"
  state        = "disabled"
  grant_controls {
    operator          = "OR"
    built_in_controls = ["mfa"]
  }
}
"#,
        ),
        fails_at: Validate,
        expect_path: "resource \"entra_conditional_access_policy\" \"t\"",
        expect_message: "At least 1 \"conditions\" blocks are required",
    },
    // ---- entra_conditional_access_policy: plan-time ----
    Case {
        name: "ca_enabled_block_for_everyone",
        hcl: Hcl::Policy(&[
            (
                "state = \"enabledForReportingButNotEnforced\"",
                "state = \"enabled\"",
            ),
            (
                "excluded_users = [\"6b1f0e2a-3c4d-4e5f-8a9b-0c1d2e3f4a5b\"]",
                "",
            ),
            ("built_in_controls = [\"mfa\"]", "built_in_controls = [\"block\"]"),
        ]),
        fails_at: Plan,
        expect_path: "users {",
        expect_message: "would block administrators from everywhere",
    },
    // ---- entra_named_location ----
    Case {
        name: "nl_ip_without_prefix",
        hcl: Hcl::Body(
            r#"
resource "entra_named_location" "t" {
  display_name = "Office"
  ip {
    ip_ranges = ["192.168.1.1"]
  }
}
"#,
        ),
        fails_at: Validate,
        expect_path: "ip_ranges",
        expect_message: "\"192.168.1.1\" is not in CIDR notation: add the prefix length, e.g. \"192.168.1.1/32\"",
    },
    Case {
        name: "nl_prefix_8",
        hcl: Hcl::Body(
            r#"
resource "entra_named_location" "t" {
  display_name = "Office"
  ip {
    ip_ranges = ["10.0.0.0/8"]
  }
}
"#,
        ),
        fails_at: Validate,
        expect_path: "ip_ranges",
        expect_message: "Entra accepts only prefixes longer than /8 (from /9 to /32)",
    },
    Case {
        name: "nl_prefix_33",
        hcl: Hcl::Body(
            r#"
resource "entra_named_location" "t" {
  display_name = "Office"
  ip {
    ip_ranges = ["10.0.0.0/33"]
  }
}
"#,
        ),
        fails_at: Validate,
        expect_path: "ip_ranges",
        expect_message: "the prefix length must be a number from 9 to 32",
    },
    Case {
        name: "nl_octet_256",
        hcl: Hcl::Body(
            r#"
resource "entra_named_location" "t" {
  display_name = "Office"
  ip {
    ip_ranges = ["10.0.0.256/24"]
  }
}
"#,
        ),
        fails_at: Validate,
        expect_path: "ip_ranges",
        expect_message: "\"10.0.0.256\" is not an IPv4 or IPv6 address",
    },
    Case {
        name: "nl_ipv6_prefix_129",
        hcl: Hcl::Body(
            r#"
resource "entra_named_location" "t" {
  display_name = "Office"
  ip {
    ip_ranges = ["2001:db8::/129"]
  }
}
"#,
        ),
        fails_at: Validate,
        expect_path: "ip_ranges",
        expect_message: "the prefix length must be a number from 9 to 128",
    },
    Case {
        name: "nl_signed_prefix",
        hcl: Hcl::Body(
            r#"
resource "entra_named_location" "t" {
  display_name = "Office"
  ip {
    ip_ranges = ["10.1.0.0/+24"]
  }
}
"#,
        ),
        fails_at: Validate,
        expect_path: "ip_ranges",
        expect_message: "\"10.1.0.0/+24\": the prefix length must be a number",
    },
    Case {
        name: "nl_hostname_range",
        hcl: Hcl::Body(
            r#"
resource "entra_named_location" "t" {
  display_name = "Office"
  ip {
    ip_ranges = ["office.contoso.com/32"]
  }
}
"#,
        ),
        fails_at: Validate,
        expect_path: "ip_ranges",
        expect_message: "\"office.contoso.com\" is not an IPv4 or IPv6 address",
    },
    Case {
        name: "nl_no_ranges",
        hcl: Hcl::Body(
            r#"
resource "entra_named_location" "t" {
  display_name = "Office"
  ip {
    ip_ranges = []
  }
}
"#,
        ),
        fails_at: Validate,
        expect_path: "ip_ranges",
        expect_message: "An IP location needs at least one range",
    },
    Case {
        name: "nl_2008_ranges",
        hcl: Hcl::Body(
            r#"
resource "entra_named_location" "t" {
  display_name = "Office"
  ip {
    ip_ranges = [for p in setproduct(range(8), range(251)) : "10.${p[0]}.${p[1]}.0/24"]
  }
}
"#,
        ),
        fails_at: Validate,
        expect_path: "ip_ranges",
        expect_message: "Entra allows at most 2000 ranges per named location; this one has 2008",
    },
    Case {
        name: "nl_ip_and_country",
        hcl: Hcl::Body(
            r#"
resource "entra_named_location" "t" {
  display_name = "Both"
  ip {
    ip_ranges = ["10.1.0.0/16"]
  }
  country {
    countries_and_regions = ["NL"]
  }
}
"#,
        ),
        fails_at: Validate,
        // The path is the top-level country block: Terraform shows the resource.
        expect_path: "resource \"entra_named_location\" \"t\"",
        expect_message: "A named location is one kind: IP ranges, countries, service tags or private links",
    },
    Case {
        name: "nl_neither_ip_nor_country",
        hcl: Hcl::Body(
            r#"
resource "entra_named_location" "t" {
  display_name = "Neither"
}
"#,
        ),
        fails_at: Validate,
        expect_path: "resource \"entra_named_location\" \"t\"",
        expect_message: "A named location needs an ip, country, service_tag or private_link block",
    },
    Case {
        name: "nl_service_tag_with_space",
        hcl: Hcl::Body(
            r#"
resource "entra_named_location" "t" {
  display_name = "Azure"
  service_tag {
    service_tags = ["Azure Cloud"]
  }
}
"#,
        ),
        fails_at: Validate,
        expect_path: "service_tags",
        expect_message: "\"Azure Cloud\" is not a service tag",
    },
    Case {
        name: "nl_private_link_without_ids",
        hcl: Hcl::Body(
            r#"
resource "entra_named_location" "t" {
  display_name = "Links"
  private_link {
    private_link_resource_policy_ids = []
  }
}
"#,
        ),
        fails_at: Validate,
        expect_path: "private_link_resource_policy_ids",
        expect_message: "Give at least one value in private_link_resource_policy_ids",
    },
    Case {
        name: "nl_new_address_range",
        hcl: Hcl::Body(
            r#"
resource "entra_named_location" "t" {
  display_name = "Office"
  ip {
    ip_ranges = ["198.51.100.10-198.51.100.20"]
  }
}
"#,
        ),
        fails_at: Plan,
        expect_path: "ip_ranges",
        expect_message: "Graph named locations take CIDR ranges only",
    },
    Case {
        name: "nl_country_lower_case",
        hcl: Hcl::Body(
            r#"
resource "entra_named_location" "t" {
  display_name = "Countries"
  country {
    countries_and_regions = ["nl"]
  }
}
"#,
        ),
        fails_at: Validate,
        expect_path: "countries_and_regions",
        expect_message: "\"nl\": write country codes in upper case, \"NL\"",
    },
    Case {
        name: "nl_country_uk",
        hcl: Hcl::Body(
            r#"
resource "entra_named_location" "t" {
  display_name = "Countries"
  country {
    countries_and_regions = ["UK"]
  }
}
"#,
        ),
        fails_at: Validate,
        expect_path: "countries_and_regions",
        expect_message: "\"UK\" is not an ISO 3166-1 alpha-2 country code",
    },
    Case {
        name: "nl_country_alpha_3",
        hcl: Hcl::Body(
            r#"
resource "entra_named_location" "t" {
  display_name = "Countries"
  country {
    countries_and_regions = ["NLD"]
  }
}
"#,
        ),
        fails_at: Validate,
        expect_path: "countries_and_regions",
        expect_message: "\"NLD\" is not an ISO 3166-1 alpha-2 country code",
    },
    Case {
        name: "nl_no_countries",
        hcl: Hcl::Body(
            r#"
resource "entra_named_location" "t" {
  display_name = "Countries"
  country {
    countries_and_regions = []
  }
}
"#,
        ),
        fails_at: Validate,
        expect_path: "countries_and_regions",
        expect_message: "or set include_unknown_countries_and_regions = true",
    },
    Case {
        name: "nl_lookup_method_unknown",
        hcl: Hcl::Body(
            r#"
resource "entra_named_location" "t" {
  display_name = "Countries"
  country {
    countries_and_regions = ["NL"]
    country_lookup_method = "gps"
  }
}
"#,
        ),
        fails_at: Validate,
        expect_path: "country_lookup_method",
        expect_message: "\"gps\": use one of clientIpAddress, authenticatorAppGps",
    },
    Case {
        name: "nl_blank_display_name",
        hcl: Hcl::Body(
            r#"
resource "entra_named_location" "t" {
  display_name = ""
  ip {
    ip_ranges = ["10.1.0.0/16"]
  }
}
"#,
        ),
        fails_at: Validate,
        expect_path: "display_name",
        expect_message: "Give the named location a name",
    },
    Case {
        name: "nl_trusted_not_a_bool",
        hcl: Hcl::Body(
            r#"
resource "entra_named_location" "t" {
  display_name = "Office"
  ip {
    ip_ranges = ["10.1.0.0/16"]
    trusted   = "yes"
  }
}
"#,
        ),
        fails_at: Validate,
        expect_path: "trusted",
        expect_message: "a bool is required",
    },
    Case {
        // Named locations make no Graph request at plan, so the US Government endpoint is
        // never contacted.
        name: "nl_gps_lookup_in_us_government",
        hcl: Hcl::WithProvider(
            r#"
provider "entra" {
  graph_endpoint = "https://graph.microsoft.us"
}

resource "entra_named_location" "t" {
  display_name = "Countries"
  country {
    countries_and_regions = ["NL"]
    country_lookup_method = "authenticatorAppGps"
  }
}
"#,
        ),
        fails_at: Plan,
        expect_path: "country_lookup_method",
        expect_message: "not supported in the US Government clouds",
    },
    // ---- entra_authentication_strength_policy ----
    Case {
        name: "strength_unknown_method",
        hcl: Hcl::Body(
            r#"
resource "entra_authentication_strength_policy" "t" {
  display_name         = "Strong"
  allowed_combinations = ["passkey"]
}
"#,
        ),
        fails_at: Validate,
        expect_path: "allowed_combinations",
        expect_message: "\"passkey\" is not an authentication method. Known methods: password",
    },
    Case {
        name: "strength_method_wrong_case",
        hcl: Hcl::Body(
            r#"
resource "entra_authentication_strength_policy" "t" {
  display_name         = "Strong"
  allowed_combinations = ["Fido2"]
}
"#,
        ),
        fails_at: Validate,
        expect_path: "allowed_combinations",
        expect_message: "(did you mean \"fido2\"?)",
    },
    Case {
        name: "strength_second_factor_alone",
        hcl: Hcl::Body(
            r#"
resource "entra_authentication_strength_policy" "t" {
  display_name         = "Strong"
  allowed_combinations = ["voice"]
}
"#,
        ),
        fails_at: Validate,
        expect_path: "allowed_combinations",
        expect_message: "\"voice\" is no sign-in of its own",
    },
    Case {
        name: "strength_method_twice",
        hcl: Hcl::Body(
            r#"
resource "entra_authentication_strength_policy" "t" {
  display_name         = "Strong"
  allowed_combinations = ["password,password"]
}
"#,
        ),
        fails_at: Validate,
        expect_path: "allowed_combinations",
        expect_message: "\"password,password\" names a method twice",
    },
    Case {
        name: "strength_empty_method",
        hcl: Hcl::Body(
            r#"
resource "entra_authentication_strength_policy" "t" {
  display_name         = "Strong"
  allowed_combinations = ["password,"]
}
"#,
        ),
        fails_at: Validate,
        expect_path: "allowed_combinations",
        expect_message: "has an empty method",
    },
    Case {
        name: "strength_same_combination_twice",
        hcl: Hcl::Body(
            r#"
resource "entra_authentication_strength_policy" "t" {
  display_name         = "Strong"
  allowed_combinations = ["password,sms", "sms, password"]
}
"#,
        ),
        fails_at: Validate,
        expect_path: "allowed_combinations",
        expect_message: "is listed twice (in another spelling)",
    },
    Case {
        name: "strength_no_combinations",
        hcl: Hcl::Body(
            r#"
resource "entra_authentication_strength_policy" "t" {
  display_name         = "Strong"
  allowed_combinations = []
}
"#,
        ),
        fails_at: Validate,
        expect_path: "allowed_combinations",
        expect_message: "needs at least one method combination",
    },
    Case {
        name: "strength_fido2_configuration_without_fido2",
        hcl: Hcl::Body(
            r#"
resource "entra_authentication_strength_policy" "t" {
  display_name         = "Strong"
  allowed_combinations = ["windowsHelloForBusiness"]
  fido2_combination_configuration {
    allowed_aaguids = ["6b1f0e2a-3c4d-4e5f-8a9b-0c1d2e3f4a5b"]
  }
}
"#,
        ),
        fails_at: Validate,
        // The path is the top-level block: Terraform shows the resource.
        expect_path: "resource \"entra_authentication_strength_policy\" \"t\"",
        expect_message: "add it to allowed_combinations or remove this block",
    },
    Case {
        name: "strength_aaguid_not_a_guid",
        hcl: Hcl::Body(
            r#"
resource "entra_authentication_strength_policy" "t" {
  display_name         = "Strong"
  allowed_combinations = ["fido2"]
  fido2_combination_configuration {
    allowed_aaguids = ["yubikey-5"]
  }
}
"#,
        ),
        fails_at: Validate,
        expect_path: "allowed_aaguids",
        expect_message: "\"yubikey-5\" is not an AAGUID (a GUID)",
    },
    Case {
        name: "strength_no_aaguids",
        hcl: Hcl::Body(
            r#"
resource "entra_authentication_strength_policy" "t" {
  display_name         = "Strong"
  allowed_combinations = ["fido2"]
  fido2_combination_configuration {
    allowed_aaguids = []
  }
}
"#,
        ),
        fails_at: Validate,
        expect_path: "allowed_aaguids",
        expect_message: "or remove the block to allow every FIDO2 key",
    },
    Case {
        name: "strength_x509_applies_to_fido2",
        hcl: Hcl::Body(
            r#"
resource "entra_authentication_strength_policy" "t" {
  display_name         = "Strong"
  allowed_combinations = ["fido2"]
  x509_certificate_combination_configuration {
    applies_to_combinations = ["fido2"]
    allowed_policy_oids     = ["1.2.3.4"]
  }
}
"#,
        ),
        fails_at: Validate,
        expect_path: "applies_to_combinations",
        expect_message: "\"fido2\": use x509CertificateSingleFactor or x509CertificateMultiFactor",
    },
    Case {
        name: "strength_x509_method_not_allowed",
        hcl: Hcl::Body(
            r#"
resource "entra_authentication_strength_policy" "t" {
  display_name         = "Strong"
  allowed_combinations = ["fido2"]
  x509_certificate_combination_configuration {
    applies_to_combinations = ["x509CertificateMultiFactor"]
    allowed_policy_oids     = ["1.2.3.4"]
  }
}
"#,
        ),
        fails_at: Validate,
        expect_path: "applies_to_combinations",
        expect_message: "No allowed combination uses x509CertificateMultiFactor",
    },
    Case {
        name: "strength_x509_restricts_nothing",
        hcl: Hcl::Body(
            r#"
resource "entra_authentication_strength_policy" "t" {
  display_name         = "Strong"
  allowed_combinations = ["x509CertificateMultiFactor"]
  x509_certificate_combination_configuration {
    applies_to_combinations = ["x509CertificateMultiFactor"]
  }
}
"#,
        ),
        fails_at: Validate,
        expect_path: "resource \"entra_authentication_strength_policy\" \"t\"",
        expect_message: "Set allowed_issuer_skis, allowed_policy_oids or both, or remove the block",
    },
    Case {
        name: "strength_issuer_ski_not_hex",
        hcl: Hcl::Body(
            r#"
resource "entra_authentication_strength_policy" "t" {
  display_name         = "Strong"
  allowed_combinations = ["x509CertificateMultiFactor"]
  x509_certificate_combination_configuration {
    applies_to_combinations = ["x509CertificateMultiFactor"]
    allowed_issuer_skis     = ["not-hex"]
  }
}
"#,
        ),
        fails_at: Validate,
        expect_path: "allowed_issuer_skis",
        expect_message: "\"not-hex\" is not a hexadecimal key identifier",
    },
    Case {
        name: "strength_policy_oid_not_dotted",
        hcl: Hcl::Body(
            r#"
resource "entra_authentication_strength_policy" "t" {
  display_name         = "Strong"
  allowed_combinations = ["x509CertificateMultiFactor"]
  x509_certificate_combination_configuration {
    applies_to_combinations = ["x509CertificateMultiFactor"]
    allowed_policy_oids     = ["1.2.x"]
  }
}
"#,
        ),
        fails_at: Validate,
        expect_path: "allowed_policy_oids",
        expect_message: "\"1.2.x\" is not an object identifier in dotted form",
    },
    Case {
        name: "strength_blank_display_name",
        hcl: Hcl::Body(
            r#"
resource "entra_authentication_strength_policy" "t" {
  display_name         = " "
  allowed_combinations = ["fido2"]
}
"#,
        ),
        fails_at: Validate,
        expect_path: "display_name",
        expect_message: "Give the authentication strength a name",
    },
    // ---- entra_role_management_policy ----
    Case {
        name: "pim_role_is_a_name",
        hcl: Hcl::Body(
            r#"
resource "entra_role_management_policy" "t" {
  role_definition_id = "Global Administrator"
}
"#,
        ),
        fails_at: Validate,
        expect_path: "role_definition_id",
        expect_message: "use data.entra_directory_role.x.template_id",
    },
    Case {
        name: "pim_activation_25_hours",
        hcl: Hcl::Body(
            r#"
resource "entra_role_management_policy" "t" {
  role_definition_id = "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3"
  activation_rules {
    maximum_duration = "PT25H"
  }
}
"#,
        ),
        fails_at: Validate,
        expect_path: "maximum_duration",
        expect_message: "\"PT25H\": PIM activations last from PT30M to PT24H",
    },
    Case {
        name: "pim_activation_10_minutes",
        hcl: Hcl::Body(
            r#"
resource "entra_role_management_policy" "t" {
  role_definition_id = "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3"
  activation_rules {
    maximum_duration = "PT10M"
  }
}
"#,
        ),
        fails_at: Validate,
        expect_path: "maximum_duration",
        expect_message: "\"PT10M\": PIM activations last from PT30M to PT24H",
    },
    Case {
        name: "pim_activation_in_words",
        hcl: Hcl::Body(
            r#"
resource "entra_role_management_policy" "t" {
  role_definition_id = "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3"
  activation_rules {
    maximum_duration = "4 hours"
  }
}
"#,
        ),
        fails_at: Validate,
        expect_path: "maximum_duration",
        expect_message: "(ISO-8601, e.g. PT4H or PT1H30M)",
    },
    Case {
        name: "pim_activation_u64_max_seconds",
        hcl: Hcl::Body(
            r#"
resource "entra_role_management_policy" "t" {
  role_definition_id = "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3"
  activation_rules {
    maximum_duration = "PT18446744073709551615S"
  }
}
"#,
        ),
        fails_at: Validate,
        expect_path: "maximum_duration",
        expect_message: "Invalid activation duration",
    },
    Case {
        name: "pim_context_c0",
        hcl: Hcl::Body(
            r#"
resource "entra_role_management_policy" "t" {
  role_definition_id = "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3"
  activation_rules {
    required_conditional_access_authentication_context = "c0"
  }
}
"#,
        ),
        fails_at: Validate,
        expect_path: "required_conditional_access_authentication_context",
        expect_message: "\"c0\" is not an authentication context id: use c1 to c99",
    },
    Case {
        name: "pim_context_with_mfa",
        hcl: Hcl::Body(
            r#"
resource "entra_role_management_policy" "t" {
  role_definition_id = "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3"
  activation_rules {
    required_conditional_access_authentication_context = "c1"
    require_multifactor_authentication                 = true
  }
}
"#,
        ),
        fails_at: Validate,
        expect_path: "require_multifactor_authentication",
        expect_message: "PIM refuses both on activation (MfaAndAcrsConflict)",
    },
    Case {
        name: "pim_approval_without_approvers",
        hcl: Hcl::Body(
            r#"
resource "entra_role_management_policy" "t" {
  role_definition_id = "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3"
  activation_rules {
    require_approval = true
  }
}
"#,
        ),
        fails_at: Validate,
        expect_path: "require_approval",
        expect_message: "needs an approval_stage with at least one primary_approver",
    },
    Case {
        name: "pim_approver_type_unknown",
        hcl: approval_stage!("", "user"),
        fails_at: Validate,
        expect_path: "type",
        expect_message: "\"user\" is not one of: singleUser, groupMembers",
    },
    Case {
        name: "pim_approver_not_a_guid",
        hcl: approval_stage!(
            "escalation_approver {\n        object_id = \"pim-approvers\"\n        type      = \"groupMembers\"\n      }",
            "singleUser"
        ),
        fails_at: Validate,
        expect_path: "object_id = \"pim-approvers\"",
        expect_message: "\"pim-approvers\" is not an object id (a GUID)",
    },
    Case {
        name: "pim_three_approval_stages",
        hcl: Hcl::Body(
            r#"
resource "entra_role_management_policy" "t" {
  role_definition_id = "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3"
  activation_rules {
    require_approval = true
    approval_stage {
      primary_approver {
        object_id = "6b1f0e2a-3c4d-4e5f-8a9b-0c1d2e3f4a5b"
        type      = "singleUser"
      }
    }
    approval_stage {
      primary_approver {
        object_id = "6b1f0e2a-3c4d-4e5f-8a9b-0c1d2e3f4a5b"
        type      = "singleUser"
      }
    }
    approval_stage {
      primary_approver {
        object_id = "6b1f0e2a-3c4d-4e5f-8a9b-0c1d2e3f4a5b"
        type      = "singleUser"
      }
    }
  }
}
"#,
        ),
        fails_at: Validate,
        expect_path: "approval_stage {",
        expect_message: "No more than 2 \"approval_stage\" blocks are allowed",
    },
    Case {
        name: "pim_approval_timeout_zero",
        hcl: approval_stage!("timeout_in_days = 0", "singleUser"),
        fails_at: Validate,
        expect_path: "timeout_in_days",
        expect_message: "timeout_in_days must be a whole number of days from 1",
    },
    Case {
        name: "pim_escalation_negative",
        hcl: approval_stage!("escalation_time_in_minutes = -5", "singleUser"),
        fails_at: Validate,
        expect_path: "escalation_time_in_minutes",
        expect_message: "escalation_time_in_minutes must be a whole number of minutes from 0",
    },
    Case {
        name: "pim_eligible_expiry_in_years",
        hcl: Hcl::Body(
            r#"
resource "entra_role_management_policy" "t" {
  role_definition_id = "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3"
  eligible_assignment_rules {
    expire_after = "P1Y"
  }
}
"#,
        ),
        fails_at: Validate,
        expect_path: "expire_after",
        expect_message: "PIM does not take years or months",
    },
    Case {
        name: "pim_eligible_expiry_400_days",
        hcl: Hcl::Body(
            r#"
resource "entra_role_management_policy" "t" {
  role_definition_id = "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3"
  eligible_assignment_rules {
    expire_after = "P400D"
  }
}
"#,
        ),
        fails_at: Validate,
        expect_path: "expire_after",
        expect_message: "\"P400D\": use days, P1D to P365D",
    },
    Case {
        name: "pim_active_expiry_in_hours",
        hcl: Hcl::Body(
            r#"
resource "entra_role_management_policy" "t" {
  role_definition_id = "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3"
  active_assignment_rules {
    expire_after = "PT12H"
  }
}
"#,
        ),
        fails_at: Validate,
        expect_path: "expire_after",
        expect_message: "\"PT12H\": use days, P1D to P365D",
    },
    Case {
        name: "pim_notification_level_unknown",
        hcl: Hcl::Body(
            r#"
resource "entra_role_management_policy" "t" {
  role_definition_id = "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3"
  notification_rules {
    eligible_activations {
      admin_notifications {
        notification_level = "Everything"
      }
    }
  }
}
"#,
        ),
        fails_at: Validate,
        expect_path: "notification_level",
        expect_message: "\"Everything\" is not one of: All, Critical, None",
    },
    Case {
        name: "pim_recipient_not_an_address",
        hcl: Hcl::Body(
            r#"
resource "entra_role_management_policy" "t" {
  role_definition_id = "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3"
  notification_rules {
    active_assignments {
      approver_notifications {
        additional_recipients = ["security-team"]
      }
    }
  }
}
"#,
        ),
        fails_at: Validate,
        expect_path: "additional_recipients",
        expect_message: "\"security-team\" is not an e-mail address",
    },
    Case {
        name: "pim_ticket_on_eligible_assignments",
        hcl: Hcl::Body(
            r#"
resource "entra_role_management_policy" "t" {
  role_definition_id = "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3"
  eligible_assignment_rules {
    require_ticket_info = true
  }
}
"#,
        ),
        fails_at: Validate,
        expect_path: "require_ticket_info",
        expect_message: "An argument named \"require_ticket_info\" is not expected here",
    },
    // ---- entra_authentication_context ----
    Case {
        name: "context_c0",
        hcl: Hcl::Body(
            r#"
resource "entra_authentication_context" "t" {
  context_id   = "c0"
  display_name = "Tier 0"
}
"#,
        ),
        fails_at: Validate,
        expect_path: "context_id",
        expect_message: "\"c0\" is not an authentication context id: use c1 to c99",
    },
    Case {
        name: "context_upper_case",
        hcl: Hcl::Body(
            r#"
resource "entra_authentication_context" "t" {
  context_id   = "C1"
  display_name = "Tier 0"
}
"#,
        ),
        fails_at: Validate,
        expect_path: "context_id",
        expect_message: "\"C1\" is not an authentication context id",
    },
    Case {
        name: "context_c100",
        hcl: Hcl::Body(
            r#"
resource "entra_authentication_context" "t" {
  context_id   = "c100"
  display_name = "Tier 0"
}
"#,
        ),
        fails_at: Validate,
        expect_path: "context_id",
        expect_message: "\"c100\" is not an authentication context id",
    },
    Case {
        name: "context_leading_zero",
        hcl: Hcl::Body(
            r#"
resource "entra_authentication_context" "t" {
  context_id   = "c01"
  display_name = "Tier 0"
}
"#,
        ),
        fails_at: Validate,
        expect_path: "context_id",
        expect_message: "(lower-case c, no leading zero)",
    },
    Case {
        name: "context_empty_id",
        hcl: Hcl::Body(
            r#"
resource "entra_authentication_context" "t" {
  context_id   = ""
  display_name = "Tier 0"
}
"#,
        ),
        fails_at: Validate,
        expect_path: "context_id",
        expect_message: "\"\" is not an authentication context id",
    },
    Case {
        name: "context_blank_display_name",
        hcl: Hcl::Body(
            r#"
resource "entra_authentication_context" "t" {
  context_id   = "c5"
  display_name = " "
}
"#,
        ),
        fails_at: Validate,
        expect_path: "display_name",
        expect_message: "Give the authentication context a name",
    },
    Case {
        name: "context_is_available_not_a_bool",
        hcl: Hcl::Body(
            r#"
resource "entra_authentication_context" "t" {
  context_id   = "c5"
  display_name = "Tier 0"
  is_available = "published"
}
"#,
        ),
        fails_at: Validate,
        expect_path: "is_available",
        expect_message: "a bool is required",
    },
    Case {
        // The simulated tenant has c7 (EXISTING_CONTEXT): Graph's upsert would take it over.
        name: "context_already_in_tenant",
        hcl: Hcl::Body(
            r#"
resource "entra_authentication_context" "t" {
  context_id   = "c7"
  display_name = "Tier 0"
}
"#,
        ),
        fails_at: Plan,
        expect_path: "context_id",
        expect_message: "Graph would silently overwrite it. To manage it with Terraform, import it",
    },
    Case {
        name: "pim_activation_duration_overflow",
        hcl: Hcl::Body(
            r#"
resource "entra_role_management_policy" "t" {
  role_definition_id = "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3"
  activation_rules {
maximum_duration = "PT99999999999999999H"
  }
}
"#,
        ),
        fails_at: Validate,
        expect_path: "maximum_duration",
        expect_message: "PIM activations last from PT30M to PT24H",
    },
    Case {
        name: "pim_expiry_overflow",
        hcl: Hcl::Body(
            r#"
resource "entra_role_management_policy" "t" {
  role_definition_id = "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3"
  active_assignment_rules {
expire_after = "P99999999999999999D"
  }
}
"#,
        ),
        fails_at: Validate,
        expect_path: "expire_after",
        expect_message: "use days, P1D to P365D",
    },
    // ---- the provider block ----
    Case {
        name: "provider_http_graph_endpoint",
        hcl: provider!("  graph_endpoint = \"http://graph.microsoft.com\""),
        fails_at: Validate,
        expect_path: "graph_endpoint",
        expect_message: "must use https: tokens are never sent in clear text",
    },
    Case {
        name: "provider_http_authority_host",
        hcl: provider!("  authority_host = \"http://login.microsoftonline.com\""),
        fails_at: Validate,
        expect_path: "authority_host",
        expect_message: "must use https: tokens are never sent in clear text",
    },
    Case {
        name: "provider_graph_endpoint_without_scheme",
        hcl: provider!("  graph_endpoint = \"graph.microsoft.com\""),
        fails_at: Validate,
        expect_path: "graph_endpoint",
        expect_message: "\"graph.microsoft.com\" is not a URL",
    },
    Case {
        name: "provider_graph_endpoint_without_host",
        hcl: provider!("  graph_endpoint = \"https://\""),
        fails_at: Validate,
        expect_path: "graph_endpoint",
        expect_message: "\"https://\" is not a URL: empty host",
    },
    Case {
        name: "provider_environment_unknown",
        hcl: provider!("  environment = \"mars\""),
        fails_at: Validate,
        expect_path: "environment",
        expect_message: "\"mars\" is not one of: global, usgovernment, usgovernmentl5, china",
    },
    Case {
        name: "provider_environment_germany_retired",
        hcl: provider!("  environment = \"germany\""),
        fails_at: Validate,
        expect_path: "environment",
        expect_message: "Unknown cloud environment",
    },
    Case {
        name: "provider_enforcement_unknown",
        hcl: provider!(
            "  emergency_access {\n    user_ids    = [\"6b1f0e2a-3c4d-4e5f-8a9b-0c1d2e3f4a5b\"]\n    enforcement = \"block\"\n  }"
        ),
        fails_at: Validate,
        expect_path: "enforcement",
        expect_message: "\"block\" is not one of: error, warn",
    },
    Case {
        name: "provider_emergency_user_is_a_upn",
        hcl: provider!("  emergency_access {\n    user_ids = [\"breakglass@contoso.com\"]\n  }"),
        fails_at: Validate,
        expect_path: "user_ids",
        expect_message: "\"breakglass@contoso.com\" is not an object id (a GUID)",
    },
    Case {
        name: "provider_emergency_group_is_a_name",
        hcl: provider!(
            "  emergency_access {\n    user_ids  = [\"6b1f0e2a-3c4d-4e5f-8a9b-0c1d2e3f4a5b\"]\n    group_ids = [\"sg-breakglass\"]\n  }"
        ),
        fails_at: Validate,
        expect_path: "group_ids",
        expect_message: "\"sg-breakglass\" is not an object id (a GUID)",
    },
    Case {
        name: "provider_two_emergency_access_blocks",
        hcl: provider!(
            "  emergency_access {\n    user_ids = [\"6b1f0e2a-3c4d-4e5f-8a9b-0c1d2e3f4a5b\"]\n  }\n  emergency_access {\n    user_ids = [\"6b1f0e2a-3c4d-4e5f-8a9b-0c1d2e3f4a5b\"]\n  }"
        ),
        fails_at: Validate,
        expect_path: "emergency_access {",
        expect_message: "No more than 1 \"emergency_access\" blocks are allowed",
    },
    Case {
        name: "provider_azurerm_argument",
        hcl: provider!("  subscription_id = \"00000000-0000-0000-0000-000000000000\""),
        fails_at: Validate,
        expect_path: "subscription_id",
        expect_message: "An argument named \"subscription_id\" is not expected here",
    },
    Case {
        name: "provider_use_msi_not_a_bool",
        hcl: provider!("  use_msi = \"maybe\""),
        fails_at: Validate,
        expect_path: "use_msi",
        expect_message: "a bool is required",
    },
    Case {
        name: "provider_secret_and_managed_identity",
        hcl: provider!("  client_secret = \"s3cret\"\n  use_msi       = true"),
        fails_at: Validate,
        expect_path: "use_msi",
        expect_message: "client_secret and use_msi are both set",
    },
    Case {
        name: "provider_secret_and_oidc_token",
        hcl: provider!("  client_secret = \"s3cret\"\n  oidc_token    = \"eyJhbGciOiJSUzI1NiJ9.e30.c2ln\""),
        fails_at: Validate,
        expect_path: "oidc_token",
        expect_message: "client_secret and oidc_token are both set",
    },
    Case {
        name: "provider_secret_and_certificate",
        hcl: provider!("  client_secret      = \"s3cret\"\n  client_certificate = \"aGVsbG8gd29ybGQ=\""),
        fails_at: Validate,
        expect_path: "client_certificate",
        expect_message: "client_secret and client_certificate are both set",
    },
    Case {
        name: "provider_tenant_id_path",
        hcl: provider!("  tenant_id = \"not a tenant\""),
        fails_at: Plan,
        expect_path: "tenant_id",
        expect_message: "invalid tenant ID",
    },
    Case {
        name: "provider_use_oidc_without_token_path",
        hcl: provider!("  use_oidc = true"),
        fails_at: Plan,
        expect_path: "use_oidc",
        expect_message: "use_oidc is set but no OIDC token was given",
    },
    Case {
        name: "provider_certificate_not_base64",
        hcl: provider!("  client_certificate = \"%%%not base64%%%\""),
        fails_at: Plan,
        expect_path: "client_certificate",
        expect_message: "not valid base64",
    },
    Case {
        name: "provider_certificate_path_missing",
        hcl: provider!("  client_certificate_path = \"/nonexistent/entra/cert.pfx\""),
        fails_at: Plan,
        expect_path: "client_certificate_path",
        expect_message: "cannot read /nonexistent/entra/cert.pfx",
    },
    Case {
        name: "provider_emergency_account_not_excluded",
        hcl: Hcl::WithProvider(
            r#"
provider "entra" {
  emergency_access {
    user_ids = ["6b1f0e2a-3c4d-4e5f-8a9b-0c1d2e3f4a5b"]
  }
}

resource "entra_conditional_access_policy" "t" {
  display_name = "CA001-AllUsers-MFA"
  state        = "enabled"
  conditions {
    client_app_types = ["all"]
    applications {
      included_applications = ["All"]
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
        ),
        fails_at: Plan,
        expect_path: "users {",
        expect_message: "\"CA001-AllUsers-MFA\" does not exclude the emergency-access accounts",
    },
    // ---- data sources ----
    Case {
        name: "data_context_both_keys",
        hcl: Hcl::Body(
            r#"
data "entra_authentication_context" "t" {
  context_id   = "c1"
  display_name = "Tier 0"
}
"#,
        ),
        fails_at: Validate,
        expect_path: "context_id",
        expect_message: "Set exactly one of context_id and display_name",
    },
    Case {
        name: "data_context_no_key",
        hcl: Hcl::Body("\ndata \"entra_authentication_context\" \"t\" {\n}\n"),
        fails_at: Validate,
        expect_path: "data \"entra_authentication_context\" \"t\"",
        expect_message: "Set exactly one of context_id and display_name",
    },
    Case {
        name: "data_context_id_is_a_name",
        hcl: Hcl::Body(
            r#"
data "entra_authentication_context" "t" {
  context_id = "tier0"
}
"#,
        ),
        fails_at: Validate,
        expect_path: "context_id",
        expect_message: "\"tier0\" is not an authentication context id",
    },
    Case {
        name: "data_context_not_in_tenant",
        hcl: Hcl::Body(
            r#"
data "entra_authentication_context" "t" {
  context_id = "c42"
}
"#,
        ),
        fails_at: Plan,
        expect_path: "context_id",
        expect_message: "The tenant has no authentication context c42",
    },
    Case {
        name: "data_location_id_is_a_name",
        hcl: Hcl::Body(
            r#"
data "entra_named_location" "t" {
  id = "Office"
}
"#,
        ),
        fails_at: Validate,
        expect_path: "id",
        expect_message: "\"Office\" is neither a GUID",
    },
    Case {
        name: "data_location_both_keys",
        hcl: Hcl::Body(
            r#"
data "entra_named_location" "t" {
  id           = "6b1f0e2a-3c4d-4e5f-8a9b-0c1d2e3f4a5b"
  display_name = "Office"
}
"#,
        ),
        fails_at: Validate,
        expect_path: "id",
        expect_message: "Set exactly one of id and display_name",
    },
    Case {
        name: "data_location_name_not_in_tenant",
        hcl: Hcl::Body(
            r#"
data "entra_named_location" "t" {
  display_name = "No such place"
}
"#,
        ),
        fails_at: Plan,
        expect_path: "display_name",
        expect_message: "No named location is named \"No such place\"",
    },
    Case {
        name: "data_strength_id_is_a_name",
        hcl: Hcl::Body(
            r#"
data "entra_authentication_strength_policy" "t" {
  id = "phishing-resistant"
}
"#,
        ),
        fails_at: Validate,
        expect_path: "id",
        expect_message: "\"phishing-resistant\" is neither a GUID nor /policies/authenticationStrengthPolicies/{guid}",
    },
    Case {
        name: "data_strength_no_key",
        hcl: Hcl::Body("\ndata \"entra_authentication_strength_policy\" \"t\" {\n}\n"),
        fails_at: Validate,
        expect_path: "data \"entra_authentication_strength_policy\" \"t\"",
        expect_message: "Set exactly one of id and display_name",
    },
    Case {
        name: "data_role_template_is_a_name",
        hcl: Hcl::Body(
            r#"
data "entra_directory_role" "t" {
  template_id = "Global Administrator"
}
"#,
        ),
        fails_at: Validate,
        expect_path: "template_id",
        expect_message: "\"Global Administrator\" is not a GUID",
    },
    Case {
        name: "data_role_both_keys",
        hcl: Hcl::Body(
            r#"
data "entra_directory_role" "t" {
  template_id  = "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3"
  display_name = "Application Administrator"
}
"#,
        ),
        fails_at: Validate,
        expect_path: "display_name",
        expect_message: "Set exactly one of template_id and display_name",
    },
    Case {
        name: "data_role_name_not_in_tenant",
        hcl: Hcl::Body(
            r#"
data "entra_directory_role" "t" {
  display_name = "Chief Wizard"
}
"#,
        ),
        fails_at: Plan,
        expect_path: "display_name",
        expect_message: "No directory role has display_name \"Chief Wizard\"",
    },
    Case {
        name: "data_pim_role_not_a_guid",
        hcl: Hcl::Body(
            r#"
data "entra_role_management_policy" "t" {
  role_definition_id = "GA"
}
"#,
        ),
        fails_at: Validate,
        expect_path: "role_definition_id",
        expect_message: "\"GA\" is not a role template id (a GUID)",
    },
    Case {
        name: "data_what_if_ip_with_prefix",
        hcl: Hcl::Body(
            r#"
data "entra_conditional_access_what_if" "t" {
  user_id        = "6b1f0e2a-3c4d-4e5f-8a9b-0c1d2e3f4a5b"
  application_id = "00000003-0000-0ff1-ce00-000000000000"
  ip_address     = "10.0.0.0/24"
}
"#,
        ),
        fails_at: Validate,
        expect_path: "ip_address",
        expect_message: "\"10.0.0.0/24\" is not an IPv4 or IPv6 address (no prefix length)",
    },
    Case {
        name: "data_what_if_country_lower_case",
        hcl: Hcl::Body(
            r#"
data "entra_conditional_access_what_if" "t" {
  user_id        = "6b1f0e2a-3c4d-4e5f-8a9b-0c1d2e3f4a5b"
  application_id = "00000003-0000-0ff1-ce00-000000000000"
  country        = "nl"
}
"#,
        ),
        fails_at: Validate,
        expect_path: "country",
        expect_message: "\"nl\": write country codes in upper case, \"NL\"",
    },
    Case {
        name: "data_what_if_country_not_assigned",
        hcl: Hcl::Body(
            r#"
data "entra_conditional_access_what_if" "t" {
  user_id        = "6b1f0e2a-3c4d-4e5f-8a9b-0c1d2e3f4a5b"
  application_id = "00000003-0000-0ff1-ce00-000000000000"
  country        = "XX"
}
"#,
        ),
        fails_at: Validate,
        expect_path: "country",
        expect_message: "\"XX\" is not an ISO 3166-1 alpha-2",
    },
    Case {
        name: "data_what_if_platform_wrong_case",
        hcl: Hcl::Body(
            r#"
data "entra_conditional_access_what_if" "t" {
  user_id        = "6b1f0e2a-3c4d-4e5f-8a9b-0c1d2e3f4a5b"
  application_id = "00000003-0000-0ff1-ce00-000000000000"
  platform       = "ios"
}
"#,
        ),
        fails_at: Validate,
        expect_path: "platform",
        expect_message: "\"ios\" is not one of: android, iOS",
    },
    Case {
        name: "data_what_if_no_target",
        hcl: Hcl::Body(
            r#"
data "entra_conditional_access_what_if" "t" {
  user_id = "6b1f0e2a-3c4d-4e5f-8a9b-0c1d2e3f4a5b"
}
"#,
        ),
        fails_at: Validate,
        expect_path: "data \"entra_conditional_access_what_if\" \"t\"",
        expect_message: "Set exactly one of application_id, user_action and authentication_context",
    },
    Case {
        name: "data_what_if_user_and_service_principal",
        hcl: Hcl::Body(
            r#"
data "entra_conditional_access_what_if" "t" {
  service_principal_id = "6b1f0e2a-3c4d-4e5f-8a9b-0c1d2e3f4a5b"
  user_id              = "7c2a1f3b-4d5e-4f60-9b0c-1d2e3f4a5b6c"
  application_id       = "00000003-0000-0ff1-ce00-000000000000"
}
"#,
        ),
        fails_at: Validate,
        expect_path: "user_id",
        expect_message: "user_id does not apply to a service principal",
    },
    Case {
        name: "data_what_if_service_principal_risk_alone",
        hcl: Hcl::Body(
            r#"
data "entra_conditional_access_what_if" "t" {
  user_id                = "6b1f0e2a-3c4d-4e5f-8a9b-0c1d2e3f4a5b"
  application_id         = "00000003-0000-0ff1-ce00-000000000000"
  service_principal_risk = "high"
}
"#,
        ),
        fails_at: Validate,
        expect_path: "service_principal_risk",
        expect_message: "service_principal_risk needs service_principal_id",
    },
    Case {
        name: "data_what_if_user_not_a_guid",
        hcl: Hcl::Body(
            r#"
data "entra_conditional_access_what_if" "t" {
  user_id        = "alice"
  application_id = "00000003-0000-0ff1-ce00-000000000000"
}
"#,
        ),
        fails_at: Validate,
        expect_path: "user_id",
        expect_message: "\"alice\" is not a GUID",
    },
    Case {
        name: "data_what_if_context_c100",
        hcl: Hcl::Body(
            r#"
data "entra_conditional_access_what_if" "t" {
  user_id                = "6b1f0e2a-3c4d-4e5f-8a9b-0c1d2e3f4a5b"
  authentication_context = "c100"
}
"#,
        ),
        fails_at: Validate,
        expect_path: "authentication_context",
        expect_message: "\"c100\" is not an authentication context id",
    },
    Case {
        name: "provider_http_oidc_request_url",
        hcl: provider!(
            "  use_oidc           = true\n  oidc_request_token = \"t\"\n  oidc_request_url   = \"http://127.0.0.1:9/token\""
        ),
        fails_at: Validate,
        expect_path: "oidc_request_url",
        expect_message: "https",
    },
    Case {
        name: "pim_role_not_in_tenant",
        hcl: Hcl::Body(
            r#"
resource "entra_role_management_policy" "t" {
  role_definition_id = "11111111-2222-4333-8444-555555555555"
  activation_rules {
    maximum_duration = "PT4H"
  }
}
"#,
        ),
        fails_at: Plan,
        expect_path: "role_definition_id",
        expect_message: "No PIM policy for role",
    },
    Case {
        name: "ca_context_not_in_tenant",
        hcl: Hcl::Policy(&[(
            "included_applications = [\"All\"]",
            "included_authentication_context_class_references = [\"c55\"]",
        )]),
        fails_at: Plan,
        expect_path: "included_authentication_context_class_references",
        expect_message: "c55",
    },
    Case {
        name: "ca_location_not_in_tenant",
        hcl: Hcl::Policy(&[(
            "# conditions",
            "locations {\n      included_locations = [\"11111111-2222-4333-8444-555555555555\"]\n    }",
        )]),
        fails_at: Plan,
        expect_path: "included_locations",
        expect_message: "11111111-2222-4333-8444-555555555555",
    },
    Case {
        name: "ca_strength_not_in_tenant",
        hcl: Hcl::Policy(&[(
            "built_in_controls = [\"mfa\"]",
            "authentication_strength_policy_id = \"11111111-2222-4333-8444-555555555555\"",
        )]),
        fails_at: Plan,
        expect_path: "authentication_strength_policy_id",
        expect_message: "11111111-2222-4333-8444-555555555555",
    },
    Case {
        name: "ca_agent_risk_level_unknown",
        hcl: Hcl::Policy(&[(
            "# conditions",
            "agent_id_risk_levels = [\"severe\"]",
        )]),
        fails_at: Validate,
        expect_path: "agent_id_risk_levels",
        expect_message: "\"severe\" is not one of: low, medium, high",
    },
    Case {
        name: "ca_agent_id_placeholder",
        hcl: Hcl::Policy(&[(
            "# conditions",
            "client_applications {\n      included_agent_id_service_principals = [\"<ApprovedAgents>\"]\n    }",
        )]),
        fails_at: Validate,
        expect_path: "included_agent_id_service_principals",
        expect_message: "<ApprovedAgents>",
    },
    Case {
        name: "ca_no_client_app_types_for_users",
        hcl: Hcl::Policy(&[("client_app_types = [\"all\"]", "client_app_types = []")]),
        fails_at: Validate,
        expect_path: "client_app_types",
        expect_message: "an empty list only in a policy for agent identities or agent users",
    },
    Case {
        name: "ca_timeouts_not_a_duration",
        hcl: Hcl::Policy(&[(
            "# session",
            "timeouts {\n    create = \"10 minutes\"\n  }",
        )]),
        fails_at: Validate,
        expect_path: "create",
        expect_message: "\"10 minutes\" is not a duration",
    },
    Case {
        name: "pim_requires_a_context_the_tenant_lacks",
        hcl: Hcl::Body(
            r#"
resource "entra_role_management_policy" "t" {
  role_definition_id = "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3"
  activation_rules {
    require_multifactor_authentication                 = false
    required_conditional_access_authentication_context = "c77"
  }
}
"#,
        ),
        fails_at: Plan,
        expect_path: "required_conditional_access_authentication_context",
        expect_message: "Authentication context c77 does not exist",
    },
];

impl Hcl {
    /// The whole `main.tf`.
    fn render(&self) -> String {
        let provider = "provider \"entra\" {}\n";
        match self {
            Hcl::Body(body) => format!("{PROVIDER_HEADER}\n{provider}{body}"),
            Hcl::WithProvider(text) => format!("{PROVIDER_HEADER}\n{text}"),
            Hcl::Policy(edits) => {
                let mut policy = POLICY.to_string();
                for (from, to) in *edits {
                    assert!(
                        policy.contains(from),
                        "catalogue bug: {from:?} is not in the policy:\n{policy}"
                    );
                    policy = policy.replacen(from, to, 1);
                }
                format!("{PROVIDER_HEADER}\n{provider}{policy}")
            }
        }
    }
}

/// One `Error:` diagnostic as Terraform prints it with `-no-color`.
#[derive(Debug)]
struct Diagnostic {
    /// The quoted configuration lines (`  12:     state = "on"`), without their numbers.
    source: Vec<String>,
    /// Summary, context and detail, whitespace collapsed (undoing Terraform's wrapping).
    text: String,
}

fn errors(output: &str) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    let mut current: Option<(Vec<String>, Vec<String>)> = None;
    for line in output.lines() {
        if line.starts_with("Error: ") || line.starts_with("Warning: ") {
            if let Some((source, text)) = current.take() {
                found.push((source, text));
            }
            if let Some(summary) = line.strip_prefix("Error: ") {
                current = Some((Vec::new(), vec![summary.to_string()]));
            }
            continue;
        }
        let Some((source, text)) = current.as_mut() else {
            continue;
        };
        let quoted = line
            .trim_start()
            .split_once(':')
            .filter(|(n, _)| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()));
        match quoted {
            Some((_, code)) => source.push(code.trim().to_string()),
            None => text.push(line.to_string()),
        }
    }
    found.extend(current);
    found
        .into_iter()
        .map(|(source, text)| Diagnostic {
            source,
            text: text
                .join(" ")
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" "),
        })
        .collect()
}

/// What running a case did.
struct Outcome {
    /// The command that failed, if any.
    failed_at: Option<Step>,
    /// Everything Terraform printed, validate and plan.
    output: String,
    writes: u64,
    took: Duration,
}

fn run_case(tf: &Tf, sim: &Sim, case: &Case) -> Outcome {
    sim.sim().reset_stats();
    let started = Instant::now();
    tf.raw_config(&case.hcl.render());
    let validate = tf.run(&["validate", "-no-color"]);
    let mut output = validate.text();
    let failed_at = if validate.code != 0 {
        Some(Validate)
    } else {
        let plan: Run = tf.run(&["plan", "-no-color", "-input=false"]);
        output.push('\n');
        output.push_str(&plan.text());
        (plan.code != 0).then_some(Plan)
    };
    Outcome {
        failed_at,
        output,
        writes: sim.write_requests(),
        took: started.elapsed(),
    }
}

/// Everything wrong with an outcome, one short line each; empty when the case behaved.
fn problems(case: &Case, outcome: &Outcome) -> Vec<String> {
    let mut wrong = Vec::new();
    for crash in ["panic", "The plugin encountered an error", "plugin crashed"] {
        if outcome.output.contains(crash) {
            wrong.push(format!("the output contains {crash:?}"));
        }
    }
    if outcome.writes != 0 {
        wrong.push(format!("{} write requests reached Graph", outcome.writes));
    }
    match outcome.failed_at {
        None => wrong.push("accepted: validate and plan both succeeded".into()),
        Some(step) if step != case.fails_at => wrong.push(format!(
            "refused by {step:?}, expected by {:?}",
            case.fails_at
        )),
        Some(_) => {}
    }
    let matching = errors(&outcome.output).iter().any(|d| {
        d.text.contains(case.expect_message)
            && d.source.iter().any(|s| s.contains(case.expect_path))
    });
    if outcome.failed_at.is_some() && !matching {
        wrong.push(format!(
            "no error quotes {:?} with {:?}",
            case.expect_path, case.expect_message
        ));
    }
    wrong
}

/// The errors Terraform printed, one line each: `[quoted source] summary and detail`.
fn seen_errors(outcome: &Outcome) -> Vec<String> {
    errors(&outcome.output)
        .iter()
        .map(|d| format!("[{}] {}", d.source.join(" / "), d.text))
        .collect()
}

/// Runs every case with [`WORKERS`] threads, each with its own simulator (so that the write
/// count of a case is its own) and working directory; results in the cases' order.
fn run_all<'a>(bin: &std::path::Path, cases: &[&'a Case]) -> Vec<(&'a Case, Outcome)> {
    let setup = || {
        let sim = Sim::start_with_tenant_objects(&[], &[EXISTING_CONTEXT.to_string()]);
        let tf = Tf::new(bin, sim.provider_env());
        (sim, tf)
    };
    in_parallel(cases, WORKERS, setup, |(sim, tf), case| {
        (*case, run_case(tf, sim, case))
    })
}

#[test]
fn every_bad_input_is_refused_with_its_attribute_and_a_message_and_nothing_is_written() {
    let mut failures = Vec::new();
    for bin in terraform_binaries() {
        let version = terraform_version(&bin);
        let started = Instant::now();
        let all: Vec<&Case> = CASES.iter().collect();
        let outcomes = run_all(&bin, &all);
        let mut writes = 0;
        for (case, outcome) in &outcomes {
            writes += outcome.writes;
            let wrong = problems(case, outcome);
            let took = outcome.took.as_secs_f32();
            if wrong.is_empty() {
                println!(
                    "[{version}] ok   {} ({:?}, {took:.1}s)",
                    case.name, case.fails_at
                );
            } else {
                println!("[{version}] FAIL {}: {}", case.name, wrong.join("; "));
                failures.push(format!(
                    "[{version}] {}:\n  - {}\nerrors printed:\n  {}\nmain.tf:{}",
                    case.name,
                    wrong.join("\n  - "),
                    seen_errors(outcome).join("\n  "),
                    case.hcl.render()
                ));
            }
        }
        println!(
            "[{version}] {} cases in {:.0}s, {writes} write requests",
            CASES.len(),
            started.elapsed().as_secs_f32()
        );
    }
    assert!(
        failures.is_empty(),
        "{} bad inputs did not behave:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

/// The catalogue keeps its breadth, and its names are unique (they identify a case in output).
#[test]
fn the_catalogue_covers_every_resource_data_source_and_the_provider() {
    let count = |prefix: &str| CASES.iter().filter(|c| c.name.starts_with(prefix)).count();
    for (prefix, at_least) in [
        ("ca_", 35),
        ("nl_", 8),
        ("strength_", 6),
        ("pim_", 8),
        ("context_", 4),
        ("provider_", 6),
        ("data_", 3),
    ] {
        assert!(
            count(prefix) >= at_least,
            "{prefix}: {} cases, want at least {at_least}",
            count(prefix)
        );
    }
    assert!(CASES.len() >= 60);
    let mut names: Vec<&str> = CASES.iter().map(|c| c.name).collect();
    names.sort_unstable();
    let before = names.len();
    names.dedup();
    assert_eq!(names.len(), before, "duplicate case names");
    for case in CASES {
        // Every edit of the baseline policy applies.
        let _ = case.hcl.render();
        assert!(!case.expect_path.is_empty() && !case.expect_message.is_empty());
    }
}

/// The matcher itself: the path and the message must be in the same error, and a warning or
/// another error does not count. The output is Terraform 1.11's, verbatim.
#[test]
fn the_matcher_needs_the_path_and_the_message_in_one_error() {
    let output = r#"
Planning failed. Terraform encountered an error while generating this plan.

Warning: "CA-bad-input" is created enabled with block

  with entra_conditional_access_policy.t,
  on main.tf line 9, in resource "entra_conditional_access_policy" "t":
   9:   state = "enabled"

Roll blocking policies out as report-only first.

Error: Invalid value

  with entra_conditional_access_policy.t,
  on main.tf line 12, in resource "entra_conditional_access_policy" "t":
  12:     client_app_types = ["desktop"]

"desktop" is not one of: all, browser, mobileAppsAndDesktopClients,
exchangeActiveSync, easSupported, other.

Error: Malformed id

  with entra_conditional_access_policy.t,
  on main.tf line 17, in resource "entra_conditional_access_policy" "t":
  17:       excluded_groups = ["breakglass"]

"breakglass" is not an object id (a GUID).
"#;
    let found = errors(output);
    assert_eq!(found.len(), 2, "{found:#?}");
    assert_eq!(found[0].source, vec!["client_app_types = [\"desktop\"]"]);
    assert!(
        found[0]
            .text
            .contains("mobileAppsAndDesktopClients, exchangeActiveSync"),
        "wrapping is undone: {}",
        found[0].text
    );
    let case = |path, message| Case {
        name: "matcher",
        hcl: Hcl::Body(""),
        fails_at: Plan,
        expect_path: path,
        expect_message: message,
    };
    let outcome = Outcome {
        failed_at: Some(Plan),
        output: output.to_string(),
        writes: 0,
        took: Duration::ZERO,
    };
    let ok = case("excluded_groups", "\"breakglass\" is not an object id");
    assert!(problems(&ok, &outcome).is_empty());
    // Path of one error, message of the other.
    let crossed = case("client_app_types", "\"breakglass\" is not an object id");
    assert_eq!(problems(&crossed, &outcome).len(), 1);
    // Only a warning quotes `state`.
    let warning = case("state", "report-only");
    assert_eq!(problems(&warning, &outcome).len(), 1);
    // Refused by the wrong command, or with a write, is wrong too.
    let at_validate = Case {
        fails_at: Validate,
        ..ok
    };
    assert_eq!(problems(&at_validate, &outcome).len(), 1);
    let wrote = Outcome {
        writes: 1,
        ..outcome
    };
    assert_eq!(
        problems(&case("excluded_groups", "breakglass"), &wrote).len(),
        1
    );
}
