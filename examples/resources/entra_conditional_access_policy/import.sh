# A Conditional Access policy is imported by its object id. The azuread provider's id form,
# /identity/conditionalAccess/policies/{id}, is accepted too.
terraform import entra_conditional_access_policy.require_mfa 8bd2ae84-c9c4-4bd4-a9a0-9fb9e5d1b8b5
