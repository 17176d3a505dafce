# A role's PIM settings are imported by the role's display name...
terraform import entra_role_management_policy.app_admin "Application Administrator"

# ...or by its role template id.
terraform import entra_role_management_policy.app_admin 9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3
