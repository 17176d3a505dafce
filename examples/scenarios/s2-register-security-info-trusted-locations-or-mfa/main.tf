# S2. Secure security-info registration: outside trusted locations, require MFA.
# Everyone but guests and the emergency-access accounts. Temporary Access Pass satisfies MFA, so
# new users can still register. Rolled out report-only first; switch `state` to "enabled" later.
# "Trusted" is the office's egress range below. The variant (s2_strength) asks for an
# authentication strength instead of MFA; never both, Graph refuses mfa together with a strength.

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

resource "entra_named_location" "hq" {
  display_name = "HQ egress"

  ip {
    ip_ranges = ["203.0.113.0/24", "2001:db8::/48"]
    trusted   = true
  }
}

data "entra_authentication_strength_policy" "phishing_resistant" {
  display_name = "Phishing-resistant MFA"
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

resource "entra_conditional_access_policy" "s2_strength" {
  display_name = "CA303-Internals-BaseProtection-RegisterSecurityInfo-OutsideHQ-Require-PhishingResistantMFA"
  state        = "enabledForReportingButNotEnforced"

  conditions {
    client_app_types = ["all"]

    applications {
      included_user_actions = ["urn:user:registersecurityinfo"]
    }

    users {
      included_users = ["All"]
      excluded_users = var.break_glass_account_ids
    }

    locations {
      included_locations = ["All"]
      excluded_locations = [entra_named_location.hq.id]
    }
  }

  grant_controls {
    operator                          = "OR"
    authentication_strength_policy_id = data.entra_authentication_strength_policy.phishing_resistant.id
  }
}
