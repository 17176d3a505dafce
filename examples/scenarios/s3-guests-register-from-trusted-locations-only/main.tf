# S3. Guests may register security information only from trusted locations (here: the office's
# egress range, a trusted named location).
# Report-only first; switch `state` to "enabled" after checking the sign-in logs.

terraform {
  required_providers {
    entra = { source = "entra-iac/entra" }
  }
}

provider "entra" {}

resource "entra_named_location" "hq" {
  display_name = "HQ egress"

  ip {
    ip_ranges = ["203.0.113.0/24", "2001:db8::/48"]
    trusted   = true
  }
}

resource "entra_conditional_access_policy" "s3" {
  display_name = "CA401-Guests-AttackSurfaceReduction-RegisterSecurityInfo-UntrustedLocations-Block"
  state        = "enabledForReportingButNotEnforced"

  conditions {
    client_app_types = ["all"]

    applications {
      included_user_actions = ["urn:user:registersecurityinfo"]
    }

    users {
      included_guests_or_external_users {
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
    built_in_controls = ["block"]
  }
}
