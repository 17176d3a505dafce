#!/usr/bin/env bash
# Installs a local build of the provider where Terraform and OpenTofu look without being told:
# the implied local mirror, unpacked layout,
#   ~/.terraform.d/plugins/registry.terraform.io/entra-iac/entra/VERSION/OS_ARCH/terraform-provider-entra_vVERSION
# after which `terraform init` finds entra-iac/entra there (no dev_overrides, lock files as
# usual), provided the CLI configuration has no provider_installation block of its own.
#
#   scripts/install.sh [--plugins-dir DIR] [--binary PATH]
#
# --plugins-dir  another plugins directory (the tests use one in a temporary HOME; on Windows
#                Terraform's is %APPDATA%/terraform.d/plugins)
# --binary       install this binary instead of building one with `cargo build --release`
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
name=terraform-provider-entra
plugins_dir="$HOME/.terraform.d/plugins"
binary=""
while [ "$#" -gt 0 ]; do
  case "$1" in
    --plugins-dir) plugins_dir="$2"; shift 2 ;;
    --plugins-dir=*) plugins_dir="${1#*=}"; shift ;;
    --binary) binary="$2"; shift 2 ;;
    --binary=*) binary="${1#*=}"; shift ;;
    -h|--help) awk 'NR > 1 && !/^#/ {exit} NR > 1' "$0"; exit 0 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done

# The directory name carries the version Terraform will lock, so it must be the crate's.
version="$(sed -n '/^\[package\]/,/^\[/s/^version *= *"\(.*\)"/\1/p' "$root/Cargo.toml")"
if [ -z "$binary" ]; then
  cargo build --manifest-path "$root/Cargo.toml" --release --locked --bin "$name" >&2
  binary="$root/target/release/$name"
fi

# Terraform's platform names (GOOS_GOARCH), not uname's.
case "$(uname -s)" in
  Linux) os=linux ;;
  Darwin) os=darwin ;;
  *) echo "unsupported OS $(uname -s): copy the binary by hand (see README)" >&2; exit 1 ;;
esac
case "$(uname -m)" in
  x86_64|amd64) arch=amd64 ;;
  aarch64|arm64) arch=arm64 ;;
  *) echo "unsupported CPU $(uname -m)" >&2; exit 1 ;;
esac

dest="$plugins_dir/registry.terraform.io/entra-iac/entra/$version/${os}_$arch"
mkdir -p "$dest"
# Copy to a temporary name and rename, so a Terraform running meanwhile never sees half a file.
cp "$binary" "$dest/.${name}_v$version.tmp"
chmod 755 "$dest/.${name}_v$version.tmp"
mv -f "$dest/.${name}_v$version.tmp" "$dest/${name}_v$version"
echo "installed $name $version in $dest" >&2
