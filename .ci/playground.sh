#!/usr/bin/env bash
# The playground page at GET / in a real browser: Debian's chromium and chromium-driver (apt), Selenium (pinned in
# Tests/Integration/requirements.txt, into .venv-ci), against the release binary on a free loopback port. Screenshots
# go to .build/playground/. Runs as root with CI=true after `swift build`; offline once the packages are installed.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS

missing=()
for package in chromium chromium-driver; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
[ -x .venv-ci/bin/python ] || python3 -m venv .venv-ci
.venv-ci/bin/pip install -q --disable-pip-version-check -r Tests/Integration/requirements.txt

command -v swift >/dev/null 2>&1 || export PATH="/opt/swift/usr/bin:$PATH"
swift build -c release --product lstm-serve
LSTM_SERVE="$(swift build -c release --show-bin-path)/lstm-serve" \
    .venv-ci/bin/python Tests/Integration/playground_check.py --screenshots .build/playground
echo "playground step took $((SECONDS - started)) s"
