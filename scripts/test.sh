#!/usr/bin/env bash
# The whole test suite: unit and property tests, the simulator's own tests, the end-to-end
# tests, which drive real Terraform against the simulator with every supported Terraform (the
# `terraform` on PATH, 1.11.x here, and 1.0.3, the oldest we support, installed on demand), and
# the acceptance tests against the simulator binary started as if it were a real tenant
# (scripts/acceptance.sh). cargo-nextest runs the tests side by side (.config/nextest.toml);
# the suite ends with each test binary's wall time. A missing Terraform fails the suite;
# nothing is skipped.
#   scripts/test.sh [NEXTEST_ARGS...]   (a part of it: -E 'binary(e2e_named_location)')
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
current="$(command -v terraform || true)"
if [ -z "$current" ]; then
  echo "terraform is not on PATH: the end-to-end tests need it (see README)" >&2
  exit 1
fi
if ! command -v cargo-nextest >/dev/null; then
  cargo install cargo-nextest --locked
fi
oldest="$("$root/scripts/install-terraform-1.0.3.sh")"
export ENTRA_TEST_TERRAFORM="${ENTRA_TEST_TERRAFORM:-$current:$oldest}"
export CHECKPOINT_DISABLE=1
echo "end-to-end tests use: ${ENTRA_TEST_TERRAFORM//:/ and }" >&2
reports="$root/target/nextest"
rm -f "$reports"/default/junit.xml "$reports"/acceptance/junit.xml
set +e
if [ "$#" -eq 0 ]; then
  # One build for both runs below, before either starts.
  cargo build --workspace --tests --bins
  # The acceptance tests against a tenant of their own (one at a time, mostly waiting on the
  # rate limit) beside every other test target, named one by one (a filter would count the
  # acceptance tests as skipped there).
  acceptance_log="$(mktemp)"
  ./scripts/acceptance.sh >"$acceptance_log" 2>&1 &
  acceptance_pid=$!
  targets=(--lib --bins)
  for f in tests/*.rs sim/tests/*.rs; do
    name="$(basename "$f" .rs)"
    [ "$name" != acceptance ] && targets+=(--test "$name")
  done
  cargo nextest run --workspace "${targets[@]}"
  suite=$?
  wait "$acceptance_pid"
  acceptance=$?
  cat "$acceptance_log"
  rm -f "$acceptance_log"
else
  # A chosen part of the suite (acceptance tests included start their own simulator binary).
  cargo nextest run --workspace "$@"
  suite=$?
  acceptance=0
fi
set -e
junit=()
for f in "$reports"/default/junit.xml "$reports"/acceptance/junit.xml; do
  [ -f "$f" ] && junit+=("$f")
done
if [ "${#junit[@]}" -gt 0 ]; then
  echo
  python3 "$root/scripts/test-times.py" "${junit[@]}"
fi
[ "$suite" -eq 0 ] && [ "$acceptance" -eq 0 ]
