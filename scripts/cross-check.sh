#!/usr/bin/env bash
# Checks a linux_arm64 provider binary built on an x86-64 machine (scripts/release.sh
# --platforms linux_arm64) by running it under qemu-user: `export --help`, then the real
# `terraform` applies, plans (must be clean) and destroys examples/scenarios/s1 against the
# Graph simulator, with Terraform starting the Arm binary through a wrapper in a dev_overrides
# folder. The provider signs in with a client certificate (a PKCS#12 file), so the statically
# linked OpenSSL of the `vendored-openssl` feature is exercised too, not only rustls.
#
#   scripts/cross-check.sh [--sim PATH] [BINARY]
#
# BINARY   default target/aarch64-unknown-linux-gnu/release/terraform-provider-entra
# --sim    an entra-graph-sim binary already built; default: cargo builds target/debug's
# Needs qemu-user and an arm64 glibc (apt-get install qemu-user libc6-arm64-cross), file,
# openssl, curl, python3 and terraform on PATH. Optional: nothing else runs it.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
sim=""
while [ "$#" -gt 0 ]; do
  case "$1" in
    --sim) sim="$2"; shift 2 ;;
    -h|--help) awk 'NR > 1 && !/^#/ {exit} NR > 1' "$0"; exit 0 ;;
    -*) echo "unknown option $1" >&2; exit 2 ;;
    *) break ;;
  esac
done
binary="$(realpath "${1:-$root/target/aarch64-unknown-linux-gnu/release/terraform-provider-entra}")"
terraform="${TERRAFORM:-terraform}"
export CHECKPOINT_DISABLE=1

# qemu-aarch64 with Debian's arm64 glibc as the loader's root (-L); the binary is dynamically
# linked against glibc like any linux_arm64 provider.
sysroot=/usr/aarch64-linux-gnu
command -v qemu-aarch64 >/dev/null || { echo "qemu-aarch64 is missing: apt-get install qemu-user" >&2; exit 1; }
[ -e "$sysroot/lib/ld-linux-aarch64.so.1" ] || { echo "no arm64 glibc in $sysroot: apt-get install libc6-arm64-cross" >&2; exit 1; }
for tool in file openssl curl python3 "$terraform"; do
  command -v "$tool" >/dev/null || { echo "$tool is missing" >&2; exit 1; }
done
file "$binary"
qemu=(qemu-aarch64 -L "$sysroot")

echo "== export --help under qemu"
"${qemu[@]}" "$binary" export --help | sed -n 1p

if [ -z "$sim" ]; then
  cargo build --quiet --manifest-path "$root/Cargo.toml" -p entra-graph-sim --bin entra-graph-sim
  sim="$root/target/debug/entra-graph-sim"
fi
work="$(mktemp -d)"
"$sim" >"$work/sim.json" 2>"$work/sim.log" &
sim_pid=$!
trap 'kill "$sim_pid" 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 100); do [ -s "$work/sim.json" ] && break; sleep 0.1; done
[ -s "$work/sim.json" ] || { cat "$work/sim.log" >&2; echo "the simulator did not start" >&2; exit 1; }
field() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" "$work/sim.json" "$1"; }
export SSL_CERT_FILE="$(field ca_file)"
export ENTRA_GRAPH_ENDPOINT="$(field graph_endpoint)"
export ENTRA_AUTHORITY_HOST="$(field authority_host)"
export ARM_TENANT_ID="$(field tenant_id)" ARM_CLIENT_ID="$(field client_id)"

# An app registration's certificate credential: self-signed RSA, registered with the simulator.
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=cross-check" \
  -keyout "$work/app.key" -out "$work/app.pem" 2>/dev/null
openssl pkcs12 -export -inkey "$work/app.key" -in "$work/app.pem" -passout pass:cross-check \
  -out "$work/app.pfx"
curl -sSf --cacert "$SSL_CERT_FILE" --data-binary @"$work/app.pem" \
  "$ENTRA_AUTHORITY_HOST/_sim/clients/$ARM_CLIENT_ID/certificates"
export ARM_CLIENT_CERTIFICATE_PATH="$work/app.pfx" ARM_CLIENT_CERTIFICATE_PASSWORD=cross-check

# Terraform starts dev_overrides' terraform-provider-entra with the plugin handshake in its
# environment and stdio; the wrapper hands both to the Arm binary and counts the starts.
mkdir "$work/plugins" "$work/tf"
cat >"$work/plugins/terraform-provider-entra" <<SH
#!/bin/sh
echo started >>"$work/starts"
exec $(printf '%q ' "${qemu[@]}" "$binary")"\$@"
SH
chmod +x "$work/plugins/terraform-provider-entra"
cat >"$work/cli.tfrc" <<CFG
provider_installation {
  dev_overrides {
    "registry.terraform.io/entra-iac/entra" = "$work/plugins"
  }
  direct {}
}
CFG
export TF_CLI_CONFIG_FILE="$work/cli.tfrc"
cp "$root"/examples/scenarios/s1-reauth-register-security-info/*.tf "$work/tf/"
cd "$work/tf"
# terraform ARGS...: the output in $work/tf.txt, shown whole if the command fails.
tf() {
  "$terraform" "$@" -input=false -no-color -compact-warnings >"$work/tf.txt" 2>&1 ||
    { local code=$?; cat "$work/tf.txt" >&2; return "$code"; }
}

echo "== terraform apply"
tf apply -auto-approve
grep -E '^(entra_|Apply complete|graph_api_version)' "$work/tf.txt"
echo "== terraform plan -detailed-exitcode (0 = clean)"
code=0
tf plan -detailed-exitcode || code=$?
echo "exit $code"
[ "$code" -eq 0 ]
echo "== terraform destroy"
tf destroy -auto-approve
grep -E '^(entra_|Destroy complete)' "$work/tf.txt"
echo "== the Arm binary was started $(wc -l <"$work/starts") times, under ${qemu[*]}"
