# Agent identities (Microsoft Entra Agent ID): a baseline for AI agents that sign in as
# themselves, and for their agent user accounts. Graph has these settings in beta only, so
# every policy here is written through beta (graph_api_version says so).
#
# CA500 blocks every agent identity but the approved ones (start in report-only and read the
# sign-in logs before enforcing), CA501 blocks agents that ID Protection rates high risk, and
# CA502 keeps agent user accounts to trusted locations.

terraform {
  required_providers {
    entra = { source = "entra-iac/entra" }
  }
}

provider "entra" {}

variable "approved_agent_ids" {
  description = "Object ids of the agent identities allowed to sign in."
  type        = list(string)
  default     = ["2f6e3c1a-9b4d-4c8e-a1f2-3d4e5f6a7b8c"]
}

resource "entra_conditional_access_policy" "ca500_block_unapproved_agents" {
  display_name = "CA500-Agents-AttackSurfaceReduction-AllAgentIdentities-AllResources-BLOCK"
  state        = "enabledForReportingButNotEnforced"

  conditions {
    client_app_types = ["all"]

    applications {
      included_applications = ["All"]
    }

    users {
      included_users = ["None"]
    }

    client_applications {
      included_agent_id_service_principals = ["All"]
      excluded_agent_id_service_principals = var.approved_agent_ids
    }
  }

  grant_controls {
    operator          = "OR"
    built_in_controls = ["block"]
  }
}

resource "entra_conditional_access_policy" "ca501_block_high_risk_agents" {
  display_name = "CA501-Agents-IdentityProtection-AllAgentIdentities-AllAgentResources-BLOCK-HighRisk"
  state        = "enabled"

  conditions {
    # Graph's own example of an agent policy has no client app types.
    client_app_types     = []
    agent_id_risk_levels = ["high"]

    applications {
      included_applications = ["AllAgentIdResources"]
    }

    users {
      included_users = ["None"]
    }

    client_applications {
      included_agent_id_service_principals = ["All"]
    }
  }

  grant_controls {
    operator          = "OR"
    built_in_controls = ["block"]
  }
}

resource "entra_conditional_access_policy" "ca502_agent_users_trusted_locations" {
  display_name = "CA502-AgentUsers-AttackSurfaceReduction-AllApps-BLOCK-UntrustedLocations"
  state        = "enabled"

  conditions {
    client_app_types = ["all"]

    applications {
      included_applications = ["All"]
    }

    users {
      included_users = ["AllAgentIdUsers"]
    }

    locations {
      included_locations = ["All"]
      excluded_locations = ["AllTrusted"]
    }
  }

  grant_controls {
    operator          = "OR"
    built_in_controls = ["block"]
  }
}
