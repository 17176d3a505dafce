#!/usr/bin/env bash
# The demo: builds the provider and the Graph simulator, starts the simulator, applies the
# examples with real Terraform, shows a clean second plan, changes an object the way an
# administrator would in the portal, and shows the scheduled drift check catching it.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
terraform="${TERRAFORM:-terraform}"
command -v "$terraform" >/dev/null || { echo "terraform is not on PATH" >&2; exit 1; }
export CHECKPOINT_DISABLE=1

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "Building the provider and the simulator"
cargo build --quiet --workspace --bins --manifest-path "$root/Cargo.toml"

work="$(mktemp -d)"
"$root/target/debug/entra-graph-sim" >"$work/sim.json" 2>"$work/sim.log" &
sim_pid=$!
trap 'kill "$sim_pid" 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 100); do [ -s "$work/sim.json" ] && break; sleep 0.1; done
field() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" "$work/sim.json" "$1"; }

step "Simulator running (the same contract the real tenant has: HTTPS, OAuth, Graph v1.0/beta)"
cat "$work/sim.json"
export SSL_CERT_FILE="$(field ca_file)"
export ENTRA_GRAPH_ENDPOINT="$(field graph_endpoint)"
export ENTRA_AUTHORITY_HOST="$(field authority_host)"
export ARM_TENANT_ID="$(field tenant_id)" ARM_CLIENT_ID="$(field client_id)" ARM_CLIENT_SECRET="$(field client_secret)"

cat >"$work/cli.tfrc" <<CFG
provider_installation {
  dev_overrides {
    "registry.terraform.io/entra-iac/entra" = "$root/target/debug"
  }
  direct {}
}
CFG
export TF_CLI_CONFIG_FILE="$work/cli.tfrc"
mkdir -p "$work/tf"
cat >"$work/tf/providers.tf" <<'HCL'
terraform {
  required_providers {
    entra = { source = "entra-iac/entra" }
  }
}

provider "entra" {}
HCL
cp "$root/examples/resources/entra_authentication_context/resource.tf" "$work/tf/authentication_context.tf"
cd "$work/tf"

step "terraform apply"
"$terraform" apply -auto-approve -input=false -no-color

step "Second plan: must be clean (exit code 0)"
set +e
"$terraform" plan -detailed-exitcode -input=false -no-color >"$work/plan.txt"
code=$?
set -e
tail -n 3 "$work/plan.txt"
[ "$code" -eq 0 ] || { echo "unexpected plan exit code $code" >&2; exit 1; }

step "An administrator renames the context and unpublishes it in the portal"
token="$(curl -sS --cacert "$SSL_CERT_FILE" "$ENTRA_AUTHORITY_HOST/$ARM_TENANT_ID/oauth2/v2.0/token" \
  --data-urlencode grant_type=client_credentials --data-urlencode "client_id=$ARM_CLIENT_ID" \
  --data-urlencode "client_secret=$ARM_CLIENT_SECRET" --data-urlencode "scope=$ENTRA_GRAPH_ENDPOINT/.default" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')"
curl -sS --cacert "$SSL_CERT_FILE" -X PATCH -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
  -d '{"displayName":"Tier 0 (edited in portal)","isAvailable":false}' \
  "$ENTRA_GRAPH_ENDPOINT/v1.0/identity/conditionalAccess/authenticationContextClassReferences/c1"
echo "PATCH c1 done"

step "Scheduled drift check: terraform plan -refresh-only -detailed-exitcode (exit 2 = drift)"
set +e
"$terraform" plan -refresh-only -detailed-exitcode -input=false -no-color
code=$?
set -e
if [ "$code" -eq 2 ]; then
  step "Drift detected (exit code 2): the pipeline would alert here"
else
  echo "expected exit code 2, got $code" >&2
  exit 1
fi
