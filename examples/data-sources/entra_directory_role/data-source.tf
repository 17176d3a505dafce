# Look up a directory role by its display name...
data "entra_directory_role" "app_admin" {
  display_name = "Application Administrator"
}

# ...or by its role template id (the same in every tenant for built-in roles).
data "entra_directory_role" "global_admin" {
  template_id = "62e90394-69f5-4237-9190-012177145e10"
}

output "app_admin_role" {
  value = {
    template_id = data.entra_directory_role.app_admin.template_id
    built_in    = data.entra_directory_role.app_admin.is_built_in
    enabled     = data.entra_directory_role.app_admin.is_enabled
  }
}
