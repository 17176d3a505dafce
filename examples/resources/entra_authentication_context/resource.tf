# The authentication context that PIM requires when a Tier 0 role is activated, and that a
# Conditional Access policy targets with "sign-in frequency: every time".
resource "entra_authentication_context" "tier0" {
  context_id   = "c1"
  display_name = "Tier 0 Role Activation (Sign-in Everytime)"
  description  = "Privilege Role Activation Requires Sign-In Every Time"
  is_available = true
}
