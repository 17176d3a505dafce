# A custom authentication strength is imported by its GUID. The azuread provider's id form,
# /policies/authenticationStrengthPolicies/{id}, is accepted too. Built-in strengths cannot be
# imported: read them with the entra_authentication_strength_policy data source.
terraform import entra_authentication_strength_policy.admins dd055c42-4218-4281-8631-f090e171f5cd
