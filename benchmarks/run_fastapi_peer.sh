#!/usr/bin/env bash
# Starts the FastAPI + uvicorn + ONNX Runtime peer (fastapi_peer/app.py) in the foreground.
#
#   bash benchmarks/run_fastapi_peer.sh [PORT] [padded|trimmed]     # default 18182 padded
#
# Builds the ONNX graphs from MODEL (default Models/imdb-lstm.keras) into benchmarks/.cache/
# when missing or older than the checkpoint. Binds 127.0.0.1 only (HOST to change). Needs
# benchmarks/.venv (bash benchmarks/setup.sh). Stop it with Ctrl-C or kill PID.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(dirname "$here")"
port="${1:-18182}"
mode="${2:-padded}"
model="${MODEL:-$repo/Models/imdb-lstm.keras}"
vocab="${VOCAB:-${model%.*}-vocab.txt}"
py="$here/.venv/bin/python"
[ -x "$py" ] || { echo "run_fastapi_peer.sh: run bash benchmarks/setup.sh first" >&2; exit 2; }
prefix="$here/.cache/$(basename "${model%.*}")"
if [ ! -f "$prefix-$mode.onnx" ] || [ "$model" -nt "$prefix-$mode.onnx" ]; then
    TF_CPP_MIN_LOG_LEVEL=2 "$py" "$here/onnx_lstm.py" --model "$model" --out "$prefix"
fi
exec "$py" "$here/fastapi_peer/app.py" --onnx-prefix "$prefix" --vocab "$vocab" --mode "$mode" \
    --host "${HOST:-127.0.0.1}" --port "$port"
