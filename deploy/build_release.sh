#!/usr/bin/env bash
# The binary the image ships, built the same way by the Dockerfile's build stage and by deploy/check_image.sh:
#
#   deploy/build_release.sh DEST_DIR   ->  DEST_DIR/lstm-serve, DEST_DIR/lstm-serve.debug
#
# The Swift runtime and Foundation are linked statically (--static-swift-stdlib), so the runtime image needs
# only C libraries (glibc, libstdc++, libgcc_s, zlib, OpenSSL). The shipped file is stripped of every symbol
# table; they go to lstm-serve.debug, which the binary names in its .gnu_debuglink section (with a CRC), so gdb,
# lldb, eu-stack and `eu-addr2line -e lstm-serve --debuginfo-path=DIR` symbolize a crash's addresses when the
# two files are side by side. The debug file is the build stage's only; `docker build --target debug-symbols`
# exports it.
set -euo pipefail
dest="${1:?usage: deploy/build_release.sh DEST_DIR}"
cd "$(dirname "$0")/.."

# SCRATCH_PATH: a build directory other than .build (deploy/check_image.sh keeps its own, so that switching
# --static-swift-stdlib on and off does not rebuild the release build of .build each time).
scratch=()
[ -z "${SCRATCH_PATH:-}" ] || scratch=(--scratch-path "$SCRATCH_PATH")
swift build -c release --static-swift-stdlib --product lstm-serve "${scratch[@]}"
built="$(swift build -c release --static-swift-stdlib --show-bin-path "${scratch[@]}")/lstm-serve"
mkdir -p "$dest"
objcopy --only-keep-debug "$built" "$dest/lstm-serve.debug"
objcopy --strip-all --add-gnu-debuglink="$dest/lstm-serve.debug" "$built" "$dest/lstm-serve"
