#!/usr/bin/env bash
# Runs every fuzz target in fuzz/ (see README, "Fuzzing") in turn for SECONDS each (default 60),
# one process at a time, starting from the committed seeds and the corpus earlier runs grew.
# Fails if any target crashes; crashing inputs land in fuzz/artifacts/<target>/.
#   scripts/fuzz.sh [SECONDS_PER_TARGET]
set -euo pipefail
seconds="${1:-60}"
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root/fuzz"
if ! command -v cargo-fuzz >/dev/null; then
  cargo install cargo-fuzz --locked
fi
# cargo-fuzz builds with -Zsanitizer=address. Stable rustc ships the sanitizer runtime but only
# takes -Z flags with RUSTC_BOOTSTRAP=1, which lets CI fuzz on the stable toolchain it has.
export RUSTC_BOOTSTRAP=1
# Build every target first, so that each run's time goes to fuzzing.
cargo fuzz build
logs="$(mktemp -d)"
trap 'rm -rf "$logs"' EXIT
failed=()
summary=()
for target in $(cargo fuzz list); do
  mkdir -p "corpus/$target"
  dirs=("corpus/$target")
  if [ -d "seeds/$target" ]; then
    dirs+=("seeds/$target")
  fi
  echo "== $target: ${seconds}s" >&2
  # -timeout: an input that takes this long is a hang, reported like a crash.
  set +e
  cargo fuzz run "$target" "${dirs[@]}" -- \
    -max_total_time="$seconds" -timeout=30 -print_final_stats=1 2>&1 | tee "$logs/$target" |
    grep -E '^#[0-9]+[[:space:]]+(INITED|DONE)|panicked|ERROR|SUMMARY' >&2
  status="${PIPESTATUS[0]}"
  set -e
  if [ "$status" -ne 0 ]; then
    failed+=("$target")
    tail -n 40 "$logs/$target" >&2
  fi
  # libFuzzer's last status line: "#EXECS\tDONE cov: C ft: F corp: UNITS/SIZE ...".
  done_line="$(grep -E '^#[0-9]+[[:space:]]+DONE' "$logs/$target" | tail -n 1 || true)"
  execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$logs/$target")"
  corpus="$(sed -n 's/.* corp: \([0-9]*\/[^ ]*\).*/\1/p' <<<"$done_line")"
  cov="$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$done_line")"
  summary+=("$(printf '%-18s %10s execs  corpus %-12s cov %s' "$target" "${execs:-?}" \
    "${corpus:-?}" "${cov:-?}")")
done
printf '%s\n' "${summary[@]}"
if [ "${#failed[@]}" -gt 0 ]; then
  echo "crashed: ${failed[*]} (inputs in fuzz/artifacts/)" >&2
  exit 1
fi
