# Read the current PIM settings of the Global Administrator role, for example to check them in
# a pipeline or to show them to reviewers.
data "entra_directory_role" "global_admin" {
  display_name = "Global Administrator"
}

data "entra_role_management_policy" "global_admin" {
  role_definition_id = data.entra_directory_role.global_admin.template_id
}

locals {
  global_admin_activation = data.entra_role_management_policy.global_admin.activation_rules[0]
}

output "global_admin_activation" {
  value = {
    maximum_duration       = local.global_admin_activation.maximum_duration
    approval_required      = local.global_admin_activation.require_approval
    authentication_context = local.global_admin_activation.required_conditional_access_authentication_context
    mfa_required           = local.global_admin_activation.require_multifactor_authentication
  }
}

# Warn on every plan and apply if activating Global Administrator does not need approval.
check "global_admin_needs_approval" {
  assert {
    condition     = local.global_admin_activation.require_approval
    error_message = "Activating Global Administrator must require approval."
  }
}
