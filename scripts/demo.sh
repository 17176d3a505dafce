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
# Each scenario is its own configuration, exactly as in examples/scenarios/.
apply_dir() { # name, source dir
  mkdir -p "$work/$1" && cp "$2"/*.tf "$work/$1/"
  (cd "$work/$1" && "$terraform" apply -auto-approve -input=false -no-color -compact-warnings | grep -E '^(Apply complete|Outputs:|graph_api_version|[a-z_]+\.[a-z0-9_]+: Creation complete)')
}
plan_code() { # name, extra flags...
  local dir="$1"; shift
  set +e
  (cd "$work/$dir" && "$terraform" plan -detailed-exitcode -input=false -no-color -compact-warnings "$@" >"$work/$dir.plan.txt")
  local code=$?
  set -e
  echo "$code"
}

step "terraform apply: the scenarios S1-S5 (Conditional Access, authentication context c1, PIM)"
for s in "$root"/examples/scenarios/s*/; do
  name="$(basename "$s")"
  echo "-- $name"
  apply_dir "$name" "$s"
done

step "Second plan of every configuration: must be clean (exit code 0)"
for dir in $(cd "$root/examples/scenarios" && ls -d s*/ | tr -d /); do
  code="$(plan_code "$dir")"
  printf '%-60s exit %s\n' "$dir" "$code"
  [ "$code" -eq 0 ] || { cat "$work/$dir.plan.txt"; echo "unexpected plan exit code $code" >&2; exit 1; }
done

token="$(curl -sS --cacert "$SSL_CERT_FILE" "$ENTRA_AUTHORITY_HOST/$ARM_TENANT_ID/oauth2/v2.0/token" \
  --data-urlencode grant_type=client_credentials --data-urlencode "client_id=$ARM_CLIENT_ID" \
  --data-urlencode "client_secret=$ARM_CLIENT_SECRET" --data-urlencode "scope=$ENTRA_GRAPH_ENDPOINT/.default" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')"
graph() { curl -sS --cacert "$SSL_CERT_FILE" -H "Authorization: Bearer $token" -H 'Content-Type: application/json' "$@"; }

step "In the portal, an administrator unpublishes c1 (S5) and switches the S2 policy from report-only to off"
graph -X PATCH -d '{"displayName":"Tier 0 (edited in portal)","isAvailable":false}' \
  "$ENTRA_GRAPH_ENDPOINT/v1.0/identity/conditionalAccess/authenticationContextClassReferences/c1"
s2_id="$(cd "$work/s2-register-security-info-trusted-locations-or-mfa" && "$terraform" show -json |
  python3 -c 'import json,sys; print(next(r["values"]["id"] for r in json.load(sys.stdin)["values"]["root_module"]["resources"] if r["address"] == "entra_conditional_access_policy.s2"))')"
graph -X PATCH -d '{"state":"disabled"}' "$ENTRA_GRAPH_ENDPOINT/beta/identity/conditionalAccess/policies/$s2_id"
echo "done"

step "Scheduled drift check: terraform plan -refresh-only -detailed-exitcode (exit 2 = drift)"
drifted=0
for dir in $(cd "$root/examples/scenarios" && ls -d s*/ | tr -d /); do
  code="$(plan_code "$dir" -refresh-only)"
  printf '%-60s exit %s\n' "$dir" "$code"
  if [ "$code" -eq 2 ]; then
    drifted=$((drifted + 1))
    grep -E '^\s+[~+-] ' "$work/$dir.plan.txt" | sed 's/^/    /'
  fi
done
if [ "$drifted" -eq 2 ]; then
  step "Drift detected in exactly the two changed configurations: the pipeline would alert here"
else
  echo "expected drift in 2 configurations, found $drifted" >&2
  exit 1
fi
