#!/usr/bin/env bash
# The acceptance tests (tests/acceptance.rs): the scenarios, every resource and the export round
# trip through their whole life, against a tenant reached only through the provider's ordinary
# settings. With ENTRA_ACCEPTANCE=1 and ARM_TENANT_ID, ARM_CLIENT_ID, ARM_CLIENT_SECRET set, the
# tenant is yours (docs/testing.md says what it needs and costs). Otherwise this starts the
# Graph simulator binary as a separate process and points the same variables at it, as if it
# were a real tenant: Graph's rate limit and a replication lag, on a clock ten times faster.
#   scripts/acceptance.sh [NEXTEST_ARGS...]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
export CHECKPOINT_DISABLE=1
if [ -z "${ENTRA_TEST_TERRAFORM:-}" ]; then
  ENTRA_TEST_TERRAFORM="$(command -v terraform):$("$root/scripts/install-terraform-1.0.3.sh")"
  export ENTRA_TEST_TERRAFORM
fi
if [ "${ENTRA_ACCEPTANCE:-}" != 1 ]; then
  cargo build --quiet -p entra-graph-sim --bin entra-graph-sim
  info="$(mktemp)"
  "${CARGO_TARGET_DIR:-$root/target}/debug/entra-graph-sim" \
    --ca-rate-limit 1 --consistency-lag-ms 2000 --time-scale 0.1 >"$info" &
  sim=$!
  trap 'kill "$sim" 2>/dev/null; wait "$sim" 2>/dev/null; rm -f "$info"' EXIT
  for _ in $(seq 100); do [ -s "$info" ] && break; sleep 0.1; done
  field() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$info" "$1"; }
  export ENTRA_ACCEPTANCE=1 ENTRA_TIME_SCALE=0.1
  ARM_TENANT_ID="$(field tenant_id)" ARM_CLIENT_ID="$(field client_id)"
  ARM_CLIENT_SECRET="$(field client_secret)" ENTRA_GRAPH_ENDPOINT="$(field graph_endpoint)"
  ENTRA_AUTHORITY_HOST="$(field authority_host)" SSL_CERT_FILE="$(field ca_file)"
  export ARM_TENANT_ID ARM_CLIENT_ID ARM_CLIENT_SECRET ENTRA_GRAPH_ENDPOINT ENTRA_AUTHORITY_HOST SSL_CERT_FILE
  echo "acceptance tests against the simulator binary at $ENTRA_GRAPH_ENDPOINT" >&2
else
  echo "acceptance tests against tenant ${ARM_TENANT_ID:-?} at ${ENTRA_GRAPH_ENDPOINT:-https://graph.microsoft.com}" >&2
fi
# One test at a time: they share the tenant's rate limit and the PIM settings of its roles.
cargo nextest run --profile acceptance --test acceptance "$@"
