# S2. Secure security-info registration: outside trusted locations, require MFA.
# Everyone but guests and the emergency-access accounts. Temporary Access Pass satisfies MFA, so
# new users can still register. Rolled out report-only first; switch `state` to "enabled" later.
# Variant: replace built_in_controls with
#   authentication_strength_policy_id = "00000000-0000-0000-0000-000000000004" # Phishing-resistant MFA
# (never both: Graph refuses mfa together with an authentication strength).

terraform {
  required_providers {
    entra = { source = "entra-iac/entra" }
  }
}

provider "entra" {}

variable "break_glass_account_ids" {
  description = "Object ids of the emergency-access accounts, excluded from every policy."
  type        = list(string)
  default     = ["6b1f0e2a-3c4d-4e5f-8a9b-0c1d2e3f4a5b"]
}

resource "entra_conditional_access_policy" "s2" {
  display_name = "CA302-Internals-BaseProtection-RegisterSecurityInfo-UntrustedLocations-Require-MFA"
  state        = "enabledForReportingButNotEnforced"

  conditions {
    client_app_types = ["all"]

    applications {
      included_user_actions = ["urn:user:registersecurityinfo"]
    }

    users {
      included_users = ["All"]
      excluded_users = var.break_glass_account_ids

      excluded_guests_or_external_users {
        guest_or_external_user_types = ["internalGuest", "b2bCollaborationGuest", "b2bCollaborationMember", "b2bDirectConnectUser", "otherExternalUser", "serviceProvider"]
        external_tenants {
          membership_kind = "all"
        }
      }
    }

    locations {
      included_locations = ["All"]
      excluded_locations = ["AllTrusted"]
    }
  }

  grant_controls {
    operator          = "OR"
    built_in_controls = ["mfa"]
  }
}
