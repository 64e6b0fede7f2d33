#!/usr/bin/env bash
# schemathesis 4 against lstm-serve's own /openapi.json, with two models served: every operation is fuzzed (the
# coverage, fuzzing and stateful phases) for a time budget, and must answer with no 5xx, a status the document lists
# for it, and a body, content type and headers that match the document.
#
#   bash Tests/Integration/schemathesis_check.sh [LSTM_SERVE_BINARY]     (SCHEMATHESIS=.venv-ci/bin/schemathesis)
#
# Checks: all of schemathesis's but positive_data_acceptance, which expects every schema-valid body to succeed: a
# schema cannot say "ids below this model's vocabulary size" or "a shape that matches the data", which the service
# answers with 400/404/422. Path names and versions are drawn mostly from the served ones (schemathesis.toml).
# One worker: with several, the generator's ast.parse calls race in CPython 3.11 ("AST constructor recursion depth
# mismatch"), an error of the tool, not of the server. The server runs on a loopback port picked here and is
# stopped by process id on exit; its log is printed on failure.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
binary="${1:-$root/.build/release/lstm-serve}"
schemathesis="${SCHEMATHESIS:-$root/.venv-ci/bin/schemathesis}"
seconds="${SCHEMATHESIS_SECONDS:-90}"
[ -x "$binary" ] || { echo "schemathesis_check.sh: no executable at $binary" >&2; exit 2; }
[ -x "$schemathesis" ] || { echo "schemathesis_check.sh: no schemathesis at $schemathesis" >&2; exit 2; }

work="$(mktemp -d)"
server_pid=""
cleanup() {
    if [ -n "$server_pid" ]; then
        kill "$server_pid" 2> /dev/null || true
        wait "$server_pid" 2> /dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
"$binary" --host 127.0.0.1 --port "$port" --log-level warning \
    --model "imdb=$root/Models/imdb-lstm.keras" --model "small=$root/Tests/SentimentModelTests/Fixtures/alt-5000x16x48.keras" \
    > "$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 300); do
    curl -fsS "http://127.0.0.1:$port/readyz" > /dev/null 2>&1 && break
    kill -0 "$server_pid" 2> /dev/null || { cat "$work/server.log"; echo "schemathesis_check.sh: lstm-serve exited" >&2; exit 1; }
    sleep 0.1
done
curl -fsS "http://127.0.0.1:$port/readyz" > /dev/null || { cat "$work/server.log"; echo "schemathesis_check.sh: not ready in 30 s" >&2; exit 1; }

status=0
"$schemathesis" --config-file "$root/Tests/Integration/schemathesis.toml" run "http://127.0.0.1:$port/openapi.json" \
    --exclude-checks positive_data_acceptance --max-time "$seconds" --workers 1 --seed 20 || status=$?
if ! kill -0 "$server_pid" 2> /dev/null; then
    cat "$work/server.log"
    echo "schemathesis_check.sh: lstm-serve died during the run" >&2
    exit 1
fi
if [ "$status" -ne 0 ]; then
    tail -50 "$work/server.log"
    echo "schemathesis_check.sh: schemathesis found failures (exit $status)" >&2
    exit "$status"
fi
echo "schemathesis_check.sh: no failure in ${seconds} s of generated requests"
