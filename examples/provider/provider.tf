terraform {
  required_providers {
    entra = {
      source = "entra-iac/entra"
    }
  }
}

# Client secret: keep the secret out of the configuration and let the provider read
# the same variables the azuread provider uses.
#
#   export ARM_TENANT_ID="00000000-0000-0000-0000-000000000000"
#   export ARM_CLIENT_ID="11111111-1111-1111-1111-111111111111"
#   export ARM_CLIENT_SECRET="..."
provider "entra" {}

# OIDC (workload identity federation) in GitHub Actions. Give the job
# `permissions: id-token: write`; GitHub then sets ACTIONS_ID_TOKEN_REQUEST_URL and
# ACTIONS_ID_TOKEN_REQUEST_TOKEN, which the provider uses to fetch the federated token.
# No secret is stored anywhere.
provider "entra" {
  alias     = "github_actions"
  use_oidc  = true
  tenant_id = "00000000-0000-0000-0000-000000000000"
  client_id = "11111111-1111-1111-1111-111111111111"
}

# Client certificate: a PKCS#12 (.pfx) file holding the certificate and its RSA key.
# Supply the password via ARM_CLIENT_CERTIFICATE_PASSWORD rather than in the file.
provider "entra" {
  alias                   = "certificate"
  tenant_id               = "00000000-0000-0000-0000-000000000000"
  client_id               = "11111111-1111-1111-1111-111111111111"
  client_certificate_path = "/secure/entra-terraform.pfx"
}

# Managed identity, for runners hosted in Azure. client_id picks a user-assigned
# identity; leave it out to use the system-assigned identity.
provider "entra" {
  alias     = "managed_identity"
  use_msi   = true
  tenant_id = "00000000-0000-0000-0000-000000000000"
  client_id = "22222222-2222-2222-2222-222222222222"
}

# Azure CLI: the account from `az login` is used when no other credential is set
# (use_cli defaults to true). tenant_id is optional here.
provider "entra" {
  alias   = "azure_cli"
  use_cli = true
}

# A national cloud: US Government (GCC High). The Graph and login hosts follow the
# environment; the credential settings work as above.
provider "entra" {
  alias       = "usgov"
  environment = "usgovernment"
  use_oidc    = true
  tenant_id   = "00000000-0000-0000-0000-000000000000"
  client_id   = "11111111-1111-1111-1111-111111111111"
}
