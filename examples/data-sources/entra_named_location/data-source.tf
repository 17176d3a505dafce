# A location managed elsewhere, by its exact display name...
data "entra_named_location" "allowed_countries" {
  display_name = "ALLOWED COUNTRIES"
}

# ...or by id, including the keywords Conditional Access understands.
data "entra_named_location" "all_trusted" {
  id = "AllTrusted"
}

output "allowed_countries" {
  value = {
    id        = data.entra_named_location.allowed_countries.id
    countries = data.entra_named_location.allowed_countries.country[0].countries_and_regions
  }
}
