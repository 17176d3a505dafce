# S4. Block security-info registration under risk (needs Entra ID P2 / ID Protection).
# Two policies: one for user risk, one for sign-in risk. A risky sign-in (e.g. through Tor) that
# opens the security-info page is then denied with error 53003, visible in the sign-in logs.

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

resource "entra_conditional_access_policy" "s4a_user_risk" {
  display_name = "CA210-Internals-IdentityProtection-RegisterSecurityInfo-UserRisk-Block"
  state        = "enabled"

  conditions {
    client_app_types = ["all"]
    user_risk_levels = ["low", "medium", "high"]

    applications {
      included_user_actions = ["urn:user:registersecurityinfo"]
    }

    users {
      included_users = ["All"]
      excluded_users = var.break_glass_account_ids
    }
  }

  grant_controls {
    operator          = "OR"
    built_in_controls = ["block"]
  }
}

resource "entra_conditional_access_policy" "s4b_sign_in_risk" {
  display_name = "CA211-Internals-IdentityProtection-RegisterSecurityInfo-SignInRisk-Block"
  state        = "enabled"

  conditions {
    client_app_types    = ["all"]
    sign_in_risk_levels = ["low", "medium", "high"]

    applications {
      included_user_actions = ["urn:user:registersecurityinfo"]
    }

    users {
      included_users = ["All"]
      excluded_users = var.break_glass_account_ids
    }
  }

  grant_controls {
    operator          = "OR"
    built_in_controls = ["block"]
  }
}
