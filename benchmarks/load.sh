#!/usr/bin/env bash
# HTTP load on a classify service over loopback, with wrk and real IMDB test reviews.
#
#   bash benchmarks/load.sh URL DATA_DIR [SECONDS]
#   bash benchmarks/load.sh http://127.0.0.1:18181 /path/to/imdb 10
#
# URL must be a loopback address (127.0.0.0/8, localhost or [::1]). For each of
# CONNECTIONS (default "1 16 64 256") it runs `wrk --latency` for SECONDS (default 10) posting
# {"text": review} bodies to /classify (wrk threads: 1 for 1 connection, else WRK_THREADS=2), then
# one GET /healthz run at 64 connections, and prints per run and in a final table: requests/s,
# p50, p99, non-2xx responses, socket errors and the mean X-Batch-Size header.
#
# Environment: CONNECTIONS, WRK_THREADS (2), BODIES (2048 distinct reviews), WARMUP (2 s at 16
# connections first; 0 to skip), HEALTHZ_CONNECTIONS (64; 0 to skip), RESULTS (file for the RESULT lines),
# SERVER_PID (the server's process id: each run then also prints the server's CPU, in cores and
# in µs per request, and the cores left idle machine-wide; and its peak and current resident
# memory are printed at the end).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [ $# -lt 2 ]; then
    sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
fi
url="${1%/}"
data="$2"
seconds="${3:-10}"
connections="${CONNECTIONS:-1 16 64 256}"
wrk_threads="${WRK_THREADS:-2}"
bodies_count="${BODIES:-2048}"
warmup="${WARMUP:-2}"
healthz_connections="${HEALTHZ_CONNECTIONS:-64}"

host="$(printf '%s' "$url" | sed -E 's#^[a-z]+://##; s#/.*$##; s#:[0-9]+$##')"
case "$host" in
    127.*|localhost|"[::1]") ;;
    *) echo "load.sh: refusing $url: only loopback targets (127.0.0.0/8, localhost, [::1])" >&2; exit 2 ;;
esac
command -v wrk >/dev/null || { echo "load.sh: wrk is missing (bash benchmarks/setup.sh, or apt-get install wrk)" >&2; exit 2; }
[ -f "$data/test.jsonl.gz" ] || { echo "load.sh: no $data/test.jsonl.gz" >&2; exit 2; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
bodies="$work/bodies.jsonl"
python3 "$here/make_bodies.py" --data "$data" --out "$bodies" --count "$bodies_count"

# The service must answer before the clock starts (at most 60 s).
for _ in $(seq 1 120); do
    if curl -fs -o /dev/null --max-time 2 "$url/healthz"; then break; fi
    sleep 0.5
done
curl -fsS -o /dev/null --max-time 2 "$url/healthz" || { echo "load.sh: $url/healthz does not answer" >&2; exit 1; }
probe="$(head -1 "$bodies" | curl -sS --max-time 30 -D "$work/probe.h" -H 'Content-Type: application/json' --data-binary @- "$url/classify")"
echo "target: $url   probe: $(head -1 "$work/probe.h" | tr -d '\r')  ${probe:0:160}"
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores; $(uptime | sed 's/.*load average/load average/')"
echo "wrk: $(wrk --version 2>&1 | head -1 | cut -c1-60)"

results="${RESULTS:-$work/results.txt}"
: > "$results"

# CPU clock ticks: the server's user + system time, and the whole machine's idle time.
server_ticks() { awk '{print $14 + $15}' "/proc/$SERVER_PID/stat" 2>/dev/null || echo 0; }
idle_ticks() { awk '/^cpu / {print $5}' /proc/stat; }
measure_cpu() { [ -n "${SERVER_PID:-}" ] && [ -r "/proc/$SERVER_PID/stat" ]; }

run() { # label threads connections seconds wrk-script-args...
    local label="$1" t="$2" c="$3" s="$4"; shift 4
    local out cpu0=0 idle0=0 start
    if measure_cpu; then cpu0="$(server_ticks)"; idle0="$(idle_ticks)"; fi
    start="$(date +%s.%N)"
    out="$(timeout $((s + 60)) wrk -t"$t" -c"$c" -d"${s}s" --timeout 10s --latency \
        -s "$here/classify.lua" "$url" -- "$@" 2>&1)" || { echo "$out"; echo "load.sh: wrk failed" >&2; return 1; }
    local line cpu="null"
    if measure_cpu; then
        # server cores, idle cores (machine-wide) and wall seconds over the wrk run
        cpu="$(python3 -c "import sys; t = $(getconf CLK_TCK); w = $(date +%s.%N) - $start
print('{\"server_cores\": %.3f, \"idle_cores\": %.3f, \"wall_seconds\": %.3f}' % (($(server_ticks) - $cpu0) / t / w, ($(idle_ticks) - $idle0) / t / w, w))")"
    fi
    line="$(printf '%s\n' "$out" | grep '^RESULT ' | tail -1 | sed 's/^RESULT //')"
    [ -n "$line" ] || { echo "$out"; echo "load.sh: no RESULT line from wrk" >&2; return 1; }
    line="$(python3 -c 'import json, sys; r = json.loads(sys.argv[1]); r["cpu"] = json.loads(sys.argv[2]); print(json.dumps(r))' "$line" "$cpu")"
    echo "$label $c $line" >> "$results"
    python3 - "$label" "$c" "$line" <<'PY'
import json, sys
label, c, r = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
e = r["socket_errors"]
errs = sum(e.values())
b = "-" if r["mean_batch_size"] is None else f"{r['mean_batch_size']:.2f}"
cpu = ""
if r["cpu"]:
    per = r["cpu"]["server_cores"] * 1e6 / r["requests_per_second"] if r["requests_per_second"] else 0
    cpu = f"  server {r['cpu']['server_cores']:.2f} cores ({per:.0f} µs/request), idle {r['cpu']['idle_cores']:.2f} cores"
print(f"{label:<9} c={c:<4} {r['requests_per_second']:>9.1f} req/s  p50 {r['p50_ms']:>8.2f} ms  "
      f"p99 {r['p99_ms']:>8.2f} ms  non-2xx {r['non2xx']}  socket errors {errs}  mean X-Batch-Size {b}{cpu}",
      flush=True)
PY
}

if [ "$warmup" != 0 ]; then
    run warmup 2 16 "$warmup" "$bodies" > /dev/null
    sed -i '/^warmup /d' "$results"
fi
for c in $connections; do
    t="$wrk_threads"; [ "$c" -lt "$t" ] && t="$c"
    run classify "$t" "$c" "$seconds" "$bodies"
done
if [ "$healthz_connections" != 0 ]; then run healthz "$wrk_threads" "$healthz_connections" "$seconds" --get /healthz; fi

echo
python3 - "$results" "$url" "$seconds" <<'PY'
import json, sys
path, url, seconds = sys.argv[1:4]
rows = []
for line in open(path):
    label, c, js = line.split(" ", 2)
    rows.append((label, int(c), json.loads(js)))
print(f"summary: {url}, {seconds} s per run")
print(f"{'route':<9} {'conns':>5} {'req/s':>10} {'p50 ms':>9} {'p99 ms':>9} {'non-2xx':>8} {'sock err':>8} {'batch':>6} {'µs/req':>7} {'idle':>5}")
for label, c, r in rows:
    b = "-" if r["mean_batch_size"] is None else f"{r['mean_batch_size']:.2f}"
    cpu = r.get("cpu")
    per = f"{cpu['server_cores'] * 1e6 / r['requests_per_second']:.0f}" if cpu and r["requests_per_second"] else "-"
    idle = f"{cpu['idle_cores']:.2f}" if cpu else "-"
    print(f"{label:<9} {c:>5} {r['requests_per_second']:>10.1f} {r['p50_ms']:>9.2f} {r['p99_ms']:>9.2f} "
          f"{r['non2xx']:>8} {sum(r['socket_errors'].values()):>8} {b:>6} {per:>7} {idle:>5}")
print("JSON " + json.dumps([{"route": l, "connections": c, **r} for l, c, r in rows]))
PY
if [ -n "${SERVER_PID:-}" ] && [ -r "/proc/$SERVER_PID/status" ]; then
    echo "server memory (pid $SERVER_PID): peak $(awk '/^VmHWM/ {print $2, $3}' "/proc/$SERVER_PID/status"), now $(awk '/^VmRSS/ {print $2, $3}' "/proc/$SERVER_PID/status") resident"
fi
