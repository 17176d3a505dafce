# Safety checks for the scenarios in examples/scenarios, written as Terraform `check` blocks.
# Every plan and apply evaluates them against the tenant's Conditional Access policies as they
# are now (offline, with entra_conditional_access_what_if) and warns when one fails; a failed
# check never stops an apply. `check` blocks need Terraform >= 1.5.
#
# Put these next to the policies they guard, or run them on a schedule in a read-only
# pipeline: `terraform plan` then reports any check that no longer holds.

terraform {
  required_version = ">= 1.5"
  required_providers {
    entra = { source = "entra-iac/entra" }
  }
}

provider "entra" {}

variable "break_glass_account_ids" {
  description = "Object ids of the emergency-access accounts."
  type        = list(string)
  default     = ["6b1f0e2a-3c4d-4e5f-8a9b-0c1d2e3f4a5b"]
}

variable "sample_member_id" {
  description = "An ordinary member account to evaluate sign-ins for."
  type        = string
  default     = "3f2b1c4d-5e6f-4a70-8b9c-0d1e2f3a4b5c"
}

variable "untrusted_ip" {
  description = "An address outside every trusted named location."
  type        = string
  default     = "198.51.100.7"
}

locals {
  register = "urn:user:registersecurityinfo"
  # Application Administrator, the role S1 and S5 protect.
  application_administrator = "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3"
}

# S1: an Application Administrator registering security information signs in again, every time.
check "s1_registration_reauthenticates_every_time" {
  data "entra_conditional_access_what_if" "admin_registers" {
    user_id     = var.sample_member_id
    role_ids    = [local.application_administrator]
    user_action = local.register
    ip_address  = var.untrusted_ip
  }

  assert {
    condition     = data.entra_conditional_access_what_if.admin_registers.session.sign_in_frequency_every_time
    error_message = "Registering security information does not force a fresh sign-in (S1)."
  }
}

# S2: registering security information from an untrusted network requires MFA (or an
# authentication strength). While the S2 policy is still report-only this check warns: that is
# the reminder to switch it on.
check "s2_untrusted_registration_requires_mfa" {
  data "entra_conditional_access_what_if" "member_registers_outside" {
    user_id     = var.sample_member_id
    user_action = local.register
    ip_address  = var.untrusted_ip
  }

  assert {
    condition = anytrue([
      for r in data.entra_conditional_access_what_if.member_registers_outside.grant_requirements :
      contains(r.built_in_controls, "mfa") || r.authentication_strength_id != null
    ])
    error_message = "Registering security information from an untrusted network does not require MFA (S2)."
  }
}

# S3: a guest cannot register security information from outside the trusted locations.
check "s3_guests_blocked_outside_trusted_locations" {
  data "entra_conditional_access_what_if" "guest_registers_outside" {
    guest_type  = "b2bCollaborationGuest"
    user_action = local.register
    ip_address  = var.untrusted_ip
  }

  assert {
    condition     = data.entra_conditional_access_what_if.guest_registers_outside.blocked
    error_message = "A guest can register security information from an untrusted network (S3)."
  }
}

# S4: registration under high user risk, or high sign-in risk, is blocked.
check "s4a_registration_blocked_under_user_risk" {
  data "entra_conditional_access_what_if" "risky_user" {
    user_id     = var.sample_member_id
    user_action = local.register
    user_risk   = "high"
  }

  assert {
    condition     = data.entra_conditional_access_what_if.risky_user.blocked
    error_message = "Registering security information under high user risk is not blocked (S4a)."
  }
}

check "s4b_registration_blocked_under_sign_in_risk" {
  data "entra_conditional_access_what_if" "risky_sign_in" {
    user_id      = var.sample_member_id
    user_action  = local.register
    sign_in_risk = "high"
  }

  assert {
    condition     = data.entra_conditional_access_what_if.risky_sign_in.blocked
    error_message = "Registering security information under high sign-in risk is not blocked (S4b)."
  }
}

# Across all scenarios: an emergency-access account is never blocked, even from an untrusted
# network under high risk. Data blocks inside `check` cannot use for_each, so this one sits
# outside (an error reading it then fails the plan instead of warning).
data "entra_conditional_access_what_if" "break_glass" {
  for_each = toset(var.break_glass_account_ids)

  user_id      = each.value
  user_action  = local.register
  ip_address   = var.untrusted_ip
  user_risk    = "high"
  sign_in_risk = "high"
}

check "break_glass_never_blocked" {
  assert {
    condition     = alltrue([for o in data.entra_conditional_access_what_if.break_glass : !o.blocked])
    error_message = "An emergency-access account would be blocked: exclude it from every blocking policy."
  }
}

# S5: activating a privileged role in PIM (authentication context c1) asks for a fresh sign-in.
check "s5_role_activation_signs_in_every_time" {
  data "entra_conditional_access_what_if" "activation" {
    user_id                = var.sample_member_id
    role_ids               = [local.application_administrator]
    authentication_context = "c1"
  }

  assert {
    condition     = data.entra_conditional_access_what_if.activation.session.sign_in_frequency_every_time
    error_message = "Activating Application Administrator does not force a fresh sign-in (S5)."
  }
}
