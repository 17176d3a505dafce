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
cargo test --workspace "$@"
