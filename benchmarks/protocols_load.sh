#!/usr/bin/env bash
# /v2/models/{name}/infer beside /classify over HTTP, with the same real reviews: Open Inference Protocol requests
# with a BYTES input as JSON and as binary tensor data, against /classify {"text": ...}, one review per request,
# at CONNECTIONS (default 64) keep-alive connections. The three kinds alternate round after round in one run (this
# VM drifts), and the medians of requests/s and p99 are printed per kind.
#
#   bash benchmarks/protocols_load.sh DATA_DIR [SECONDS] [ROUNDS]        (default 10 s, 5 rounds)
#
# Starts .build/release/lstm-serve (or $LSTM_SERVE) on 127.0.0.1:18191 with the bundled model, stops it by PID.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
[ $# -ge 1 ] || { sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
data="$1"
seconds="${2:-10}"
rounds="${3:-5}"
connections="${CONNECTIONS:-64}"
binary="${LSTM_SERVE:-$root/.build/release/lstm-serve}"
port=18191
command -v wrk > /dev/null || { echo "protocols_load.sh: wrk is missing (apt-get install wrk)" >&2; exit 2; }
[ -x "$binary" ] || { echo "protocols_load.sh: no $binary (swift build -c release)" >&2; exit 2; }
if curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$port/healthz"; then
    echo "protocols_load.sh: port $port is taken" >&2
    exit 2
fi

work="$(mktemp -d)"
server_pid=""
cleanup() {
    [ -n "$server_pid" ] && { kill "$server_pid" 2> /dev/null || true; wait "$server_pid" 2> /dev/null || true; }
    rm -rf "$work"
}
trap cleanup EXIT
python3 "$here/make_protocol_bodies.py" --data "$data" --out-dir "$work" --count "${BODIES:-2048}"
"$binary" --host 127.0.0.1 --port "$port" --log-level warning > "$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 120); do
    curl -fs -o /dev/null --max-time 1 "http://127.0.0.1:$port/readyz" && break
    sleep 0.25
done
echo "machine: $(nproc) cores; $(uptime | sed 's/.*load average/load average/')"
echo "busiest: $(ps -eo pcpu,comm --sort=-pcpu | sed -n '2,4p' | tr -s ' ' | tr '\n' ';')"
wrk -t2 -c16 -d2s -s "$here/protocols.lua" "http://127.0.0.1:$port" -- "$work/classify.records" > /dev/null

kinds="classify v2-json v2-binary"
for round in $(seq 1 "$rounds"); do
    for kind in $kinds; do
        result="$(wrk -t2 -c"$connections" -d"${seconds}s" --latency -s "$here/protocols.lua" "http://127.0.0.1:$port" -- "$work/$kind.records" \
            | sed -n 's/^RESULT //p')"
        echo "$kind $result" >> "$work/results"
        echo "round $round $kind $result"
    done
done
python3 - "$work/results" "$connections" <<'PY'
import json, statistics, sys
rows = {}
for line in open(sys.argv[1]):
    kind, result = line.split(" ", 1)
    rows.setdefault(kind, []).append(json.loads(result))
base = statistics.median(r["requests_per_second"] for r in rows["classify"])
print(f"\nmedians over {len(rows['classify'])} alternating rounds, {sys.argv[2]} connections, one review per request:")
print(f"{'kind':<12}{'requests/s':>12}{'vs classify':>13}{'p50 ms':>9}{'p99 ms':>9}{'non-2xx':>9}{'errors':>8}")
for kind, results in rows.items():
    rps = statistics.median(r["requests_per_second"] for r in results)
    print(f"{kind:<12}{rps:>12.0f}{rps / base:>12.0%} {statistics.median(r['p50_ms'] for r in results):>8.2f}"
          f"{statistics.median(r['p99_ms'] for r in results):>9.2f}{sum(r['non2xx'] for r in results):>9}"
          f"{sum(r['socket_errors'] for r in results):>8}")
PY
