#!/usr/bin/env bash
# CI: TLS on the release binary with real peers (Tests/Integration/tls_check.py): curl --cacert, Python's ssl
# (TLS 1.2 and 1.3 accepted, 1.0 and 1.1 refused), openssl s_client, plain HTTP and a silent client closed, a SIGHUP
# certificate reload under a kept-alive connection, the TLS health check, and testssl.sh with no HIGH or CRITICAL
# finding. Runs as root with CI=true on a fresh clone; installs curl, openssl and testssl.sh from Debian when missing.
# Took 140 s on the 2-core VM at a load average of about 15, 131 s of it testssl (plus the release build when
# .ci/run has not made it yet: put this after that build).
set -euo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS

missing=()
command -v curl > /dev/null 2>&1 || missing+=(curl)
command -v openssl > /dev/null 2>&1 || missing+=(openssl)
command -v testssl > /dev/null 2>&1 || missing+=(testssl.sh)
if [ ${#missing[@]} -gt 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

command -v swift > /dev/null 2>&1 || export PATH="/opt/swift/usr/bin:$PATH"
swift build -c release --product lstm-serve
LSTM_SERVE="$(swift build -c release --show-bin-path)/lstm-serve" python3 Tests/Integration/tls_check.py
echo "TLS step took $((SECONDS - started)) s"
