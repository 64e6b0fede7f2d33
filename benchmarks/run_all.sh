#!/usr/bin/env bash
# Every benchmark, one after another, on loopback; servers it starts are stopped by their PIDs.
#
#   bash benchmarks/run_all.sh DATA_DIR [SECONDS] [REVIEWS]     # default 10 s per load run, 4096 reviews
#
# 1. peers.py (model throughput; with lstm-serve when LSTM_SERVE is executable)
# 2. load.sh on lstm-serve (LSTM_SERVE, default .build/release/lstm-serve, port 18181)
# 3. load.sh on the FastAPI peer, padded then trimmed (port 18182)
# 4. load.sh on the Hummingbird echo, when built (port 18183)
# Output goes to the terminal and to benchmarks/results/<UTC time>/. Needs bash benchmarks/setup.sh.
# ONLY="peers lstm-serve fastapi-padded fastapi-trimmed hummingbird" picks steps.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(dirname "$here")"
data="${1:?usage: run_all.sh DATA_DIR [SECONDS] [REVIEWS]}"
seconds="${2:-10}"
reviews="${3:-4096}"
only="${ONLY:-peers lstm-serve fastapi-padded fastapi-trimmed hummingbird}"
lstm_serve="${LSTM_SERVE:-$repo/.build/release/lstm-serve}"
echo_bin="$here/hummingbird_echo/.build/release/hummingbird-echo"
out="$here/results/$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$out"

pid=""
stop() {
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
        kill -9 "$pid" 2>/dev/null || true
    fi
    pid=""
}
trap stop EXIT INT TERM

state() { echo "# $(date -u +%FT%TZ) $(uptime | sed 's/^ *//')"; ps -eo pcpu,comm --sort=-pcpu | sed -n '2,4p' | sed 's/^/#   /'; }
want() { case " $only " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }

{
    echo "# commit $(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$repo" diff --quiet 2>/dev/null || echo ' (+ local changes)')"
    echo "# $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores"
} | tee "$out/machine.txt"

if want peers; then
    state | tee "$out/peers.txt"
    args=()
    [ -x "$lstm_serve" ] && args=(--lstm-serve "$lstm_serve")
    "$here/.venv/bin/python" "$here/peers.py" --data "$data" --model "$repo/Models/imdb-lstm.keras" \
        --reviews "$reviews" --json-out "$out/peers.json" "${args[@]}" 2>&1 | grep -v '^JSON ' | tee -a "$out/peers.txt"
fi

serve_and_load() { # name port command...
    local name="$1" port="$2"; shift 2
    want "$name" || return 0
    "$@" > "$out/$name.server.log" 2>&1 &
    pid=$!
    for _ in $(seq 1 240); do
        curl -fs -o /dev/null --max-time 1 "http://127.0.0.1:$port/healthz" && break
        kill -0 "$pid" 2>/dev/null || { echo "$name exited; see $out/$name.server.log" >&2; pid=""; return 0; }
        sleep 0.5
    done
    echo; echo "## $name"; state | tee "$out/load-$name.txt"
    SERVER_PID="$pid" bash "$here/load.sh" "http://127.0.0.1:$port" "$data" "$seconds" 2>&1 | grep -v '^JSON ' | tee -a "$out/load-$name.txt" || true
    stop
}

if [ -x "$lstm_serve" ]; then
    serve_and_load lstm-serve 18181 "$lstm_serve" --host 127.0.0.1 --port 18181 \
        --model "$repo/Models/imdb-lstm.keras" --log-level warning
else
    echo "lstm-serve: no $lstm_serve (swift build -c release, or LSTM_SERVE=...)" >&2
fi
serve_and_load fastapi-padded 18182 bash "$here/run_fastapi_peer.sh" 18182 padded
serve_and_load fastapi-trimmed 18182 bash "$here/run_fastapi_peer.sh" 18182 trimmed
if [ -x "$echo_bin" ]; then
    serve_and_load hummingbird 18183 "$echo_bin" --host 127.0.0.1 --port 18183
else
    echo "hummingbird echo: not built (swift build -c release --package-path benchmarks/hummingbird_echo)" >&2
fi
echo; echo "results: $out"
