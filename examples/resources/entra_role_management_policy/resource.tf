# PIM settings of the Application Administrator role. Activation lasts at most four hours and
# needs a justification, the approval of the PIM approvers group, and the Tier 0 authentication
# context (whose Conditional Access policy asks for a fresh sign-in). Eligible assignments
# expire after 180 days, active assignments after 30 days.
data "entra_directory_role" "app_admin" {
  display_name = "Application Administrator"
}

resource "entra_authentication_context" "tier0" {
  context_id   = "c1"
  display_name = "Tier 0 Role Activation (Sign-in Everytime)"
  is_available = true
}

resource "entra_role_management_policy" "app_admin" {
  role_definition_id = data.entra_directory_role.app_admin.template_id

  activation_rules {
    maximum_duration      = "PT4H"
    require_justification = true
    require_ticket_info   = false
    # PIM refuses MFA together with an authentication context, and MFA is on by default:
    # turn it off here and let the context's Conditional Access policy require it.
    require_multifactor_authentication                 = false
    required_conditional_access_authentication_context = entra_authentication_context.tier0.context_id
    require_approval                                   = true

    approval_stage {
      timeout_in_days                 = 1
      approver_justification_required = true

      primary_approver {
        object_id = "2f6d0a3b-5d0e-4a55-9a3c-6f1f2c7d8e9f" # PIM approvers group
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
      admin_notifications {
        notification_level    = "All"
        default_recipients    = true
        additional_recipients = ["secops@example.com"]
      }
    }
  }
}
