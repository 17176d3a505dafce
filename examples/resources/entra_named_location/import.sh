# A named location is imported by its object id. The azuread provider's id form,
# /identity/conditionalAccess/namedLocations/{id}, is accepted too.
terraform import entra_named_location.offices 06e4ff15-ca6b-4843-9c34-3fdd1ce8f739
