# Require multifactor authentication for every user in every cloud app, except the
# emergency-access (break-glass) accounts. Rolled out report-only: check the sign-in logs
# (report-only results), then set state = "enabled".
resource "entra_conditional_access_policy" "require_mfa" {
  display_name = "CA001-Global-BaseProtection-AllApps-AnyPlatform-RequireMFA"
  description  = "MFA for all users and apps. Break-glass accounts are excluded."
  state        = "enabledForReportingButNotEnforced"

  conditions {
    client_app_types = ["all"]

    applications {
      included_applications = ["All"]
    }

    users {
      included_users  = ["All"]
      excluded_groups = ["5d3f2a1b-8c7e-4f6a-9b0d-1e2f3a4b5c6d"] # Break-glass accounts
    }
  }

  grant_controls {
    operator          = "OR"
    built_in_controls = ["mfa"]
  }
}
