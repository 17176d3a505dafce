# S5. Sign in every time a privileged role is activated in PIM.
# Three objects wired together: an authentication context (c1), the PIM settings of
# Application Administrator requiring that context on activation, and a Conditional Access
# policy that answers the context with "sign-in frequency: every time".
# PIM refuses MFA together with an authentication context on activation; the policy behind the
# context is where MFA (or a stronger method) is demanded.

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

variable "pim_approvers_group_id" {
  description = "Object id of the group whose members approve activations."
  type        = string
  default     = "2f6d0a3b-5d0e-4a55-9a3c-6f1f2c7d8e9f"
}

resource "entra_authentication_context" "tier0" {
  context_id   = "c1"
  display_name = "Tier 0 Role Activation (Sign-in Everytime)"
  description  = "Privilege Role Activation Requires Sign-In Every Time"
  is_available = true
}

data "entra_directory_role" "app_admin" {
  display_name = "Application Administrator"
}

resource "entra_role_management_policy" "app_admin" {
  role_definition_id = data.entra_directory_role.app_admin.template_id

  activation_rules {
    maximum_duration                                   = "PT4H"
    require_justification                              = true
    require_ticket_info                                = false
    require_multifactor_authentication                 = false
    required_conditional_access_authentication_context = entra_authentication_context.tier0.context_id
    require_approval                                   = true

    approval_stage {
      primary_approver {
        object_id = var.pim_approvers_group_id
        type      = "groupMembers"
      }
    }
  }

  eligible_assignment_rules {
    expiration_required = true
    expire_after        = "P180D"
  }

  active_assignment_rules {
    expiration_required                = true
    expire_after                       = "P30D"
    require_multifactor_authentication = true
    require_justification              = true
  }

  notification_rules {
    eligible_activations {
      approver_notifications {
        notification_level    = "Critical"
        default_recipients    = true
        additional_recipients = ["secops@example.com"]
      }
    }
  }
}

resource "entra_conditional_access_policy" "tier0_every_time" {
  display_name = "CA100-Admins-IdentityProtection-AuthContextTier0-SignInEveryTime"
  state        = "enabled"

  conditions {
    client_app_types = ["all"]

    applications {
      included_authentication_context_class_references = [entra_authentication_context.tier0.context_id]
    }

    users {
      included_roles = [data.entra_directory_role.app_admin.template_id]
      excluded_users = var.break_glass_account_ids
    }
  }

  session_controls {
    sign_in_frequency_interval            = "everyTime"
    sign_in_frequency_authentication_type = "primaryAndSecondaryAuthentication"
  }
}
