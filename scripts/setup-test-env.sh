#!/usr/bin/env bash
# Installs the system tools the integration tests use and builds the real test images (cached).
# Needs root for apt-get and for the image build (debootstrap/chroot); without root it only reports.
set -euo pipefail
cd "$(dirname "$0")/.."

# tool -> Debian package
declare -A PKG=(
  [git]=git [rpm]=rpm [rpmbuild]=rpm [db5.3_load]=db-util [zstd]=zstd
  [skopeo]=skopeo [umoci]=umoci [docker-registry]=docker-registry [htpasswd]=apache2-utils
  [openssl]=openssl [debootstrap]=debootstrap [jq]=jq [curl]=curl [chromium]=chromium [go]=golang-go
)
missing=()
for tool in "${!PKG[@]}"; do command -v "$tool" >/dev/null 2>&1 || missing+=("${PKG[$tool]}"); done
# PostgreSQL (server tests start a private cluster): Debian keeps its binaries off the PATH.
compgen -G '/usr/lib/postgresql/*/bin/pg_ctl' >/dev/null || missing+=(postgresql)
if ((${#missing[@]})); then
  mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
  if [[ $EUID -eq 0 ]]; then
    echo "setup: installing ${missing[*]}" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "setup: not root, cannot install ${missing[*]}; the tests that need them will skip" >&2
  fi
fi

# Real test images: built once into a cache outside the clone and reused.
IMAGES_CACHE=${BULWARK_TEST_IMAGES:-/var/tmp/bulwark-images}
# The same script again with Debian's language packages in debian12-node, into its own cache so the
# standard images stay as they are (the script's key includes APT_PKGS, so this is cached too).
LANG_IMAGES_CACHE=${BULWARK_TEST_LANG_IMAGES:-/var/tmp/bulwark-images-lang}
LANG_APT_PKGS="python3-requests ruby-rack liblog4j2-java node-cookie node-path-to-regexp"   # keep in sync with src/test-support/images.ts
if [[ -x ../shared/images/build-images.sh ]]; then
  if [[ $EUID -eq 0 ]]; then
    ../shared/images/build-images.sh "$IMAGES_CACHE" build >&2
    APT_PKGS="$LANG_APT_PKGS" ../shared/images/build-images.sh "$LANG_IMAGES_CACHE" build >&2
  else
    echo "setup: not root, cannot build test images into $IMAGES_CACHE and $LANG_IMAGES_CACHE; real-image tests will skip" >&2
  fi
else
  echo "setup: ../shared/images/build-images.sh not found; real-image tests will skip" >&2
fi
