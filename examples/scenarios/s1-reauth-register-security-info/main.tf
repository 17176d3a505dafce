# S1. Re-authenticate every time someone registers security information.
# An attacker with a phished session who adds their own authenticator keeps access after a
# password reset; asking for a fresh sign-in at registration time closes that.
# Sign-in frequency "every time" for a user action exists only in Graph beta: the provider
# writes this policy through beta by itself (see graph_api_version_reason).

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

resource "entra_conditional_access_policy" "s1" {
  display_name = "CA301-Internals-BaseProtection-CombinedRegistration-Require-ReAuthentication"
  state        = "enabled"

  conditions {
    client_app_types = ["all"]

    applications {
      included_user_actions = ["urn:user:registersecurityinfo"]
    }

    users {
      included_roles = ["9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3"] # Application Administrator
      excluded_users = var.break_glass_account_ids
    }
  }

  session_controls {
    sign_in_frequency_interval            = "everyTime"
    sign_in_frequency_authentication_type = "primaryAndSecondaryAuthentication"
  }
}

output "graph_api_version" {
  value = entra_conditional_access_policy.s1.graph_api_version
}
