#!/usr/bin/env bash
# CI step for the serving protocols (issue 20), on the release binary with two models side by side
# (imdb=Models/imdb-lstm.keras, small=Tests/SentimentModelTests/Fixtures/alt-5000x16x48.keras), against real
# clients: Triton's tritonclient[http] (KServe v2, binary and JSON tensors), TF Serving's :predict shapes,
# both models under concurrent load on every route, and schemathesis 4 fuzzing the served /openapi.json.
# Runs as root with CI=true on a fresh clone after `swift build`; builds the release binary if missing.
# curl from apt; Python packages into .venv-ci from Tests/Integration/requirements.txt (exact pins).
set -euo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS

command -v swift > /dev/null 2>&1 || export PATH="/opt/swift/usr/bin:$PATH"
missing=()
command -v curl > /dev/null 2>&1 || missing+=(curl)
python3 -c 'import venv, ensurepip' > /dev/null 2>&1 || missing+=(python3-venv)
if [ ${#missing[@]} -gt 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
[ -x .venv-ci/bin/python ] || python3 -m venv .venv-ci
.venv-ci/bin/pip install -q --disable-pip-version-check -r Tests/Integration/requirements.txt

swift build -c release --product lstm-serve
export LSTM_SERVE="$(swift build -c release --show-bin-path)/lstm-serve"

.venv-ci/bin/python -u Tests/Integration/tritonclient_check.py
.venv-ci/bin/python -u Tests/Integration/tfserving_check.py
.venv-ci/bin/python -u Tests/Integration/two_models_load.py
SCHEMATHESIS=.venv-ci/bin/schemathesis bash Tests/Integration/schemathesis_check.sh "$LSTM_SERVE"
echo "protocols.sh took $((SECONDS - started)) s"
