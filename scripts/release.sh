#!/usr/bin/env bash
# Release artefacts as the Terraform and OpenTofu registries expect them, plus a provider mirror.
#
#   scripts/release.sh [--platforms LIST] [--binary [OS_ARCH=]PATH]... VERSION OUTDIR
#
# OUTDIR receives, for each platform built:
#   terraform-provider-entra_VERSION_OS_ARCH.zip      (holds terraform-provider-entra_vVERSION[.exe])
#   terraform-provider-entra_VERSION_manifest.json    ({"version":1,"metadata":{"protocol_versions":["6.0"]}})
#   terraform-provider-entra_VERSION_SHA256SUMS       (the zips and the manifest)
#   terraform-provider-entra_VERSION_SHA256SUMS.sig   (detached binary GPG signature)
# and a mirror of the same zips under registry.terraform.io/entra-iac/entra/, with the network
# mirror protocol's index.json and VERSION.json beside them: the folder works as a
# `filesystem_mirror` (packed layout; Terraform ignores the JSON files there) and, served over
# HTTPS, as a `network_mirror`. Only the top-level files go to a GitHub release.
#
# --platforms  comma-separated OS_ARCH list, or `local` for every platform this machine
#              builds (on Linux x86-64: linux_amd64,linux_arm64,windows_amd64); default
#              linux_amd64. A full release comes from .github/workflows/release.yml, which
#              builds each platform on a runner of its kind. Cross builds from Linux: linux_arm64 through cargo-zigbuild
#              (pip install ziglang cargo-zigbuild); windows_amd64 as x86_64-pc-windows-gnu with
#              mingw-w64 and nasm (apt-get install gcc-mingw-w64-x86-64 nasm); darwin_* not at
#              all (no macOS SDK). The script runs `rustup target add`, installs nothing else.
#              Every build turns on the crate's vendored-openssl feature (see below).
# --binary     package an existing binary instead of building (OS_ARCH defaults to
#              linux_amd64): the release workflow after its per-platform builds, and the tests
#              with the debug build, which must not start a release build.
# Signing: ENTRA_RELEASE_GPG_KEY_ID selects the key in the usual GnuPG home (GNUPGHOME), with
# ENTRA_RELEASE_GPG_PASSPHRASE if it has one. Without a key id the script makes a throwaway key
# in a temporary GnuPG home, says so, and deletes it: such a signature checks nothing and is
# for trying the layout only.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
name=terraform-provider-entra
host=registry.terraform.io/entra-iac/entra

platforms=""
binaries=()
while [ "$#" -gt 0 ]; do
  case "$1" in
    --platforms) platforms="$2"; shift 2 ;;
    --platforms=*) platforms="${1#*=}"; shift ;;
    --binary) binaries+=("$2"); shift 2 ;;
    --binary=*) binaries+=("${1#*=}"); shift ;;
    -h|--help) awk 'NR > 1 && !/^#/ {exit} NR > 1' "$0"; exit 0 ;;
    -*) echo "unknown option $1" >&2; exit 2 ;;
    *) break ;;
  esac
done
if [ "$#" -ne 2 ]; then
  echo "usage: $0 [--platforms LIST] [--binary [OS_ARCH=]PATH]... VERSION OUTDIR" >&2
  exit 2
fi
version="$1"
outdir="$2"

# One version everywhere: the artefact names carry the crate's version, which is also the one
# the binary reports (its Graph user agent), so a tag that disagrees with Cargo.toml stops here.
crate_version="$(sed -n '/^\[package\]/,/^\[/s/^version *= *"\(.*\)"/\1/p' "$root/Cargo.toml")"
if [ "$version" != "$crate_version" ]; then
  echo "VERSION $version is not the crate version $crate_version (Cargo.toml)" >&2
  exit 1
fi

# The Rust target for each registry platform. Windows: msvc on Windows (the workflow's
# runner), the GNU target elsewhere (mingw-w64 links it without a Microsoft SDK; the registry
# only needs a working .exe).
rust_target() {
  case "$1" in
    linux_amd64) echo x86_64-unknown-linux-gnu ;;
    linux_arm64) echo aarch64-unknown-linux-gnu ;;
    windows_amd64)
      case "$host_target" in
        *-windows-*) echo x86_64-pc-windows-msvc ;;
        *) echo x86_64-pc-windows-gnu ;;
      esac ;;
    darwin_amd64) echo x86_64-apple-darwin ;;
    darwin_arm64) echo aarch64-apple-darwin ;;
    *) echo "unsupported platform $1" >&2; return 1 ;;
  esac
}

# What `--platforms local` means on this host: every platform it can build (macOS needs the
# macOS SDK, so only a Mac builds it).
local_platforms() {
  case "$host_target" in
    x86_64-unknown-linux-gnu) echo linux_amd64,linux_arm64,windows_amd64 ;;
    aarch64-unknown-linux-gnu) echo linux_arm64 ;;
    *-apple-darwin) echo darwin_amd64,darwin_arm64 ;;
    x86_64-pc-windows-msvc) echo windows_amd64 ;;
    *) echo "no release platform for the host $host_target" >&2; return 1 ;;
  esac
}

# platform=path pairs to package, from --binary or from builds.
packages=()
if [ "${#binaries[@]}" -gt 0 ]; then
  [ -z "$platforms" ] || { echo "--platforms and --binary exclude each other" >&2; exit 2; }
  for b in "${binaries[@]}"; do
    case "$b" in
      *=*) packages+=("$b") ;;
      *) packages+=("linux_amd64=$b") ;;
    esac
  done
else
  host_target="$(rustc -vV | sed -n 's/^host: //p')"
  [ "$platforms" != local ] || platforms="$(local_platforms)"
  for p in $(echo "${platforms:-linux_amd64}" | tr ',' ' '); do
    target="$(rust_target "$p")"
    build=build
    if [ "$target" != "$host_target" ]; then
      # A cross build needs the Rust target, and a linker and C compiler (aws-lc, OpenSSL)
      # for it: checked here, so that a missing one is named before a long build.
      case "$p:$host_target" in
        linux_*:*-linux-*)
          # zig is the linker and C compiler, with its own glibc headers: no sysroot needed.
          command -v cargo-zigbuild >/dev/null || {
            echo "cross-building $p needs cargo-zigbuild: pip install ziglang cargo-zigbuild" >&2
            exit 1
          }
          build=zigbuild ;;
        windows_*:*-linux-*)
          command -v x86_64-w64-mingw32-gcc >/dev/null || {
            echo "cross-building $p needs mingw-w64: apt-get install gcc-mingw-w64-x86-64" >&2
            exit 1
          }
          # aws-lc's x86-64 assembly for Windows is NASM's; or its prebuilt objects.
          command -v nasm >/dev/null || [ -n "${AWS_LC_SYS_PREBUILT_NASM:-}" ] || {
            echo "cross-building $p needs nasm (apt-get install nasm), or AWS_LC_SYS_PREBUILT_NASM=1" >&2
            exit 1
          } ;;
        darwin_*:*-linux-*)
          echo "$p cannot be built on Linux: linking needs the macOS SDK's frameworks" >&2
          echo "(Security, CoreFoundation); the release workflow builds it on macOS" >&2
          exit 1 ;;
      esac
      rustup target add "$target" >&2
    fi
    # vendored-openssl: OpenSSL (azure_identity's certificate sign-in) built from source and
    # linked statically, so a cross build needs no OpenSSL for its target and no release
    # binary needs a libssl of one version where it runs.
    cargo "$build" --manifest-path "$root/Cargo.toml" --release --locked --target "$target" \
      --bin "$name" --features vendored-openssl >&2
    exe=""
    [[ "$p" == windows_* ]] && exe=.exe
    packages+=("$p=$root/target/$target/release/$name$exe")
  done
fi

mkdir -p "$outdir"
outdir="$(cd "$outdir" && pwd)"
mirror="$outdir/$host"
mkdir -p "$mirror"

# Zips and mirror indexes in Python (no zip tool needed): fixed timestamps, so the same binary
# always gives the same zip and the same zh: hash, and the h1: hash Terraform records in lock
# files (Go's dirhash "h1" over the zip's files).
python3 - "$version" "$outdir" "$mirror" "${packages[@]}" <<'PY'
import base64, hashlib, json, os, shutil, sys, zipfile

version, outdir, mirror, pairs = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
name = "terraform-provider-entra"

def h1(path):
    with zipfile.ZipFile(path) as z:
        lines = "".join(
            "%s  %s\n" % (hashlib.sha256(z.read(n)).hexdigest(), n) for n in sorted(z.namelist())
        )
    return "h1:" + base64.b64encode(hashlib.sha256(lines.encode()).digest()).decode()

def zh(path):
    with open(path, "rb") as f:
        return "zh:" + hashlib.sha256(f.read()).hexdigest()

version_file = os.path.join(mirror, version + ".json")
archives = {}
if os.path.exists(version_file):
    archives = json.load(open(version_file)).get("archives", {})
for pair in pairs:
    platform, binary = pair.split("=", 1)
    member = "%s_v%s%s" % (name, version, ".exe" if platform.startswith("windows_") else "")
    zip_name = "%s_%s_%s.zip" % (name, version, platform)
    info = zipfile.ZipInfo(member, date_time=(2020, 1, 1, 0, 0, 0))
    info.create_system = 3  # Unix, so that the mode below is kept when Terraform unpacks
    info.external_attr = 0o100755 << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    with open(binary, "rb") as f:
        data = f.read()
    target = os.path.join(outdir, zip_name)
    with zipfile.ZipFile(target, "w") as z:
        z.writestr(info, data, compresslevel=6)
    shutil.copyfile(target, os.path.join(mirror, zip_name))
    archives[platform] = {"url": zip_name, "hashes": [h1(target), zh(target)]}
    print("packaged %s (%s)" % (zip_name, binary), file=sys.stderr)

# The network mirror protocol: index.json lists the versions, VERSION.json each platform's
# archive (URL relative to VERSION.json) and its hashes. Other versions already in OUTDIR stay.
index_file = os.path.join(mirror, "index.json")
versions = json.load(open(index_file)).get("versions", {}) if os.path.exists(index_file) else {}
versions[version] = {}
json.dump({"versions": versions}, open(index_file, "w"), indent=2)
json.dump({"archives": dict(sorted(archives.items()))}, open(version_file, "w"), indent=2)
PY

manifest="${name}_${version}_manifest.json"
printf '{"version":1,"metadata":{"protocol_versions":["6.0"]}}\n' >"$outdir/$manifest"

# SHA256SUMS covers every zip of this version in OUTDIR and the manifest, in sha256sum's
# format, as the registry reads it (macOS has shasum instead).
sums="${name}_${version}_SHA256SUMS"
sha256() { if command -v sha256sum >/dev/null; then sha256sum "$@"; else shasum -a 256 "$@"; fi; }
(cd "$outdir" && sha256 "${name}_${version}"_*.zip "$manifest" >"$sums")

# GnuPG: present on most machines; CI images that lack it get it from apt when allowed.
if ! command -v gpg >/dev/null; then
  if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
    apt-get update -qq && apt-get install -y -qq gnupg >/dev/null
  else
    echo "gpg is missing: install GnuPG to sign the release" >&2
    exit 1
  fi
fi
key="${ENTRA_RELEASE_GPG_KEY_ID:-}"
throwaway=""
if [ -z "$key" ]; then
  # The registries accept RSA and DSA keys only, hence rsa.
  throwaway="$(mktemp -d)"
  export GNUPGHOME="$throwaway"
  gpg --batch --quiet --passphrase '' --quick-gen-key \
    "terraform-provider-entra throwaway <throwaway@invalid>" rsa3072 sign 1d 2>/dev/null
  key="$(gpg --batch --with-colons --list-secret-keys | awk -F: '/^fpr:/ {print $10; exit}')"
  echo "ENTRA_RELEASE_GPG_KEY_ID is not set: signed with a throwaway key ($key), deleted now;" \
    "set it to sign with the key the registry knows" >&2
fi
sign=(gpg --batch --yes --local-user "$key" --detach-sign --output "$outdir/$sums.sig")
if [ -n "${ENTRA_RELEASE_GPG_PASSPHRASE:-}" ]; then
  printf '%s' "$ENTRA_RELEASE_GPG_PASSPHRASE" |
    "${sign[@]}" --pinentry-mode loopback --passphrase-fd 0 "$outdir/$sums"
else
  "${sign[@]}" "$outdir/$sums"
fi
if [ -n "$throwaway" ]; then
  gpgconf --kill gpg-agent 2>/dev/null || true
  rm -rf "$throwaway"
fi
echo "release $version in $outdir" >&2
