# What would happen if a member registered security information from a network outside the
# office? Evaluated offline against the tenant's policies and named locations.
data "entra_conditional_access_what_if" "register_from_home" {
  user_id     = "3f2b1c4d-5e6f-4a70-8b9c-0d1e2f3a4b5c"
  group_ids   = ["0d3b2a4c-5e6f-4a71-8c9d-2e3f4a5b6c7d"]
  user_action = "urn:user:registersecurityinfo"
  ip_address  = "198.51.100.7"
  country     = "NL"
  platform    = "windows"
}

output "register_from_home" {
  value = {
    blocked  = data.entra_conditional_access_what_if.register_from_home.blocked
    policies = [for p in data.entra_conditional_access_what_if.register_from_home.policies : "${p.display_name} (${p.enforced ? "on" : "report-only"})"]
    requires = data.entra_conditional_access_what_if.register_from_home.grant_requirements
    caveats  = data.entra_conditional_access_what_if.register_from_home.caveats
  }
}
