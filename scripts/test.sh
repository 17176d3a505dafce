#!/usr/bin/env bash
# The whole test suite: unit and property tests, the simulator's own tests, and the end-to-end
# tests, which drive real Terraform against the simulator with every supported Terraform:
# the `terraform` on PATH (1.11.x here) and 1.0.3, the oldest we support (installed on demand).
# A missing Terraform fails the suite; nothing is skipped.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
current="$(command -v terraform || true)"
if [ -z "$current" ]; then
  echo "terraform is not on PATH: the end-to-end tests need it (see README)" >&2
  exit 1
fi
oldest="$("$root/scripts/install-terraform-1.0.3.sh")"
export ENTRA_TEST_TERRAFORM="${ENTRA_TEST_TERRAFORM:-$current:$oldest}"
export CHECKPOINT_DISABLE=1
echo "end-to-end tests use: ${ENTRA_TEST_TERRAFORM//:/ and }" >&2
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
set +e
cargo test --workspace "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
# cargo prints one "test result" line per test binary, the last often a doc-test run with no
# tests; end with the suite's totals so that a reader (or CI) sees what really ran.
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($i ~ /^passed/) p += $(i-1); if ($i ~ /^failed/) f += $(i-1) } }
     END { printf "%d passed, %d failed\n", p, f }' "$log"
exit "$status"
