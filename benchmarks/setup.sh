#!/usr/bin/env bash
# Creates benchmarks/.venv with the pinned peers (requirements.txt) and, when run as root and wrk
# is missing, installs wrk from Debian's packages.
#   bash benchmarks/setup.sh            # from anywhere
#   PYTHON=python3.11 bash benchmarks/setup.sh
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
python="${PYTHON:-python3}"

if [ ! -x "$here/.venv/bin/python" ]; then
    "$python" -m venv "$here/.venv"
fi
"$here/.venv/bin/python" -m pip install --upgrade --quiet pip
"$here/.venv/bin/python" -m pip install --quiet -r "$here/requirements.txt"
"$here/.venv/bin/python" - <<'PY'
import importlib.metadata as md
for name in ["tensorflow-cpu", "keras", "numpy", "onnx", "onnxruntime", "fastapi", "uvicorn"]:
    print(f"{name}=={md.version(name)}")
PY

if ! command -v wrk >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk
    else
        echo "wrk is missing: install it (Debian: apt-get install wrk) to run load.sh" >&2
    fi
fi
command -v wrk >/dev/null 2>&1 && wrk --version 2>&1 | head -1 || true
echo "ready: $here/.venv"
