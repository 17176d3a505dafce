# An authentication context is imported by its id (c1 to c99).
terraform import entra_authentication_context.tier0 c1
