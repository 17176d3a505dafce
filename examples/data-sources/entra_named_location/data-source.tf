# A location managed elsewhere, by its exact display name...
data "entra_named_location" "allowed_countries" {
  display_name = "ALLOWED COUNTRIES"
}

# ...or by id, including the keywords Conditional Access understands.
data "entra_named_location" "all_trusted" {
  id = "AllTrusted"
}

# The system location that Global Secure Access makes once its signaling for Conditional
# Access is on (a beta kind: the data source reads every kind). Use its id in a policy's
# included_locations or excluded_locations.
data "entra_named_location" "compliant_network" {
  display_name = "All Compliant Network locations"
}

output "allowed_countries" {
  value = {
    id        = data.entra_named_location.allowed_countries.id
    countries = data.entra_named_location.allowed_countries.country[0].countries_and_regions
  }
}

output "compliant_network" {
  value = {
    id   = data.entra_named_location.compliant_network.id
    kind = data.entra_named_location.compliant_network.kind
  }
}
