# Global Secure Access (Microsoft Entra Internet Access) with Conditional Access. CA600 enforces
# web content filtering: the filtering profile (made in the Global Secure Access admin center)
# applies to every member's sign-in to any application; guests are left out. Graph has the
# session control in beta only, so that policy is written through beta. CA601 (report-only
# first) blocks sign-ins from outside the compliant network.

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

variable "filtering_profile_id" {
  description = "Id of the Global Secure Access filtering profile to enforce."
  type        = string
  default     = "1d7c2f4e-8a3b-4c5d-9e6f-0a1b2c3d4e5f"
}

resource "entra_conditional_access_policy" "ca600_web_content_filtering" {
  display_name = "CA600-Internals-InternetAccess-AllApps-AnyPlatform-WebContentFiltering"
  state        = "enabled"

  conditions {
    client_app_types = ["all"]

    applications {
      included_applications = ["All"]
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
  }

  session_controls {
    global_secure_access_filtering_profile_id = var.filtering_profile_id
  }
}

# Microsoft Entra Internet Access makes one system location per tenant, "All Compliant Network
# locations": sign-ins through Global Secure Access from a compliant network. It cannot be
# created or managed, only read.
data "entra_named_location" "compliant_network" {
  display_name = "All Compliant Network locations"
}

resource "entra_conditional_access_policy" "ca601_compliant_network_only" {
  display_name = "CA601-Internals-AttackSurfaceReduction-AllApps-AnyPlatform-BLOCK-OutsideCompliantNetwork"
  state        = "enabledForReportingButNotEnforced"

  conditions {
    client_app_types = ["all"]

    applications {
      included_applications = ["All"]
    }

    users {
      included_users = ["All"]
      excluded_users = var.break_glass_account_ids
    }

    locations {
      included_locations = ["All"]
      excluded_locations = [data.entra_named_location.compliant_network.id]
    }
  }

  grant_controls {
    operator          = "OR"
    built_in_controls = ["block"]
  }
}
