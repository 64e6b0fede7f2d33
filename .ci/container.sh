#!/usr/bin/env bash
# CI: the container image without a Docker engine (deploy/check_image.sh): the binary built as the Dockerfile's
# build stage builds it (stripped at most 25 MB), every library it needs present in the runtime stage's Debian 13
# packages, and the binary run in a root made of those packages as the image runs it. Runs as root with CI=true
# after `swift build`; builds its own static release binary in .build-image. Needs a Debian mirror.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
for tool in readelf:binutils objcopy:binutils dpkg-deb:dpkg apt-get:apt python3:python3; do
    command -v "${tool%%:*}" >/dev/null 2>&1 || missing+=("${tool#*:}")
done
[ -r /usr/share/keyrings/debian-archive-keyring.gpg ] || missing+=(debian-archive-keyring)
if [ ${#missing[@]} -gt 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
command -v swift >/dev/null 2>&1 || export PATH="/opt/swift/usr/bin:$PATH"

started=$SECONDS
bash deploy/check_image.sh
echo "container check took $((SECONDS - started)) s"
