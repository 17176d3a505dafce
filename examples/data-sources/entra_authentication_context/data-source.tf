# Look up a context by its id...
data "entra_authentication_context" "tier0" {
  context_id = "c1"
}

# ...or by its exact display name (case-sensitive; must match exactly one context).
data "entra_authentication_context" "tier0_by_name" {
  display_name = "Tier 0 Role Activation (Sign-in Everytime)"
}

output "tier0_context" {
  value = {
    id           = data.entra_authentication_context.tier0.id
    display_name = data.entra_authentication_context.tier0.display_name
    published    = data.entra_authentication_context.tier0.is_available
  }
}
