#!/usr/bin/env bash
# Compares servers over HTTP by alternating them: each round starts each one in turn on loopback
# port 18181, runs load.sh against it, and stops it. On a VM whose speed drifts by tens of
# percent within minutes, only alternating runs compare fairly.
#
#   ROUNDS=5 CONNECTIONS=64 bash benchmarks/http_ab.sh DATA_DIR SECONDS NAME=SERVER...
#   bash benchmarks/http_ab.sh ../shared/data/imdb 5 old=/tmp/lstm-serve-old new=.build/release/lstm-serve echo=echo
#
# SERVER is an lstm-serve executable, optionally with options ("b32=.build/release/lstm-serve
# --max-batch-size 32"); it gets --host 127.0.0.1 --port 18181 --log-level warning. The word echo
# runs the Hummingbird echo (bash benchmarks/setup.sh builds it). Prints every run, then per
# server and connection count the medians of requests/s, p99, the server's CPU per request and the
# machine's idle cores (load.sh with SERVER_PID). Environment: ROUNDS (5), CONNECTIONS ("64").
#
# PROFILE="NAME=REGEX ..." also samples each server with `perf record` from 3 s into its run
# until 1 s before its end (one connection count, SECONDS at least 6), and prints each group's
# share of the server's samples: the symbols of `perf report --sort symbol` matching REGEX
# (grep -E), and the first group's share divided by the second's. On this VM a share, and its
# ratio to work that did not change (the step kernel), hold far stiller than requests/s, e.g.
#   PROFILE="tokenizer=Tokenizer|Vocabulary|WordTable step=step_avx2" ROUNDS=3 \
#     bash benchmarks/http_ab.sh DATA_DIR 14 before=BIN after=BIN
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [ $# -lt 3 ]; then
    sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
fi
data="$1"
seconds="$2"
shift 2
rounds="${ROUNDS:-5}"
connections="${CONNECTIONS:-64}"
profile="${PROFILE:-}"
if [ -n "$profile" ]; then
    command -v perf > /dev/null || { echo "http_ab.sh: PROFILE needs perf (apt-get install linux-perf)" >&2; exit 2; }
    [ "$(wc -w <<< "$connections")" -eq 1 ] && [ "$seconds" -ge 6 ] \
        || { echo "http_ab.sh: PROFILE needs one connection count and SECONDS of at least 6" >&2; exit 2; }
fi
echo_bin="$here/hummingbird_echo/.build/release/hummingbird-echo"
work="$(mktemp -d)"
pid=""
stop() {
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    fi
    pid=""
}
trap 'stop; rm -rf "$work"' EXIT INT TERM
# Whether something accepts connections on the port. A server left over from another run would
# otherwise answer every round while the ones started here fail to bind.
port_open() { (exec 3<> /dev/tcp/127.0.0.1/18181) 2> /dev/null; }

for round in $(seq 1 "$rounds"); do
    for spec in "$@"; do
        name="${spec%%=*}"
        read -r -a command <<< "${spec#*=}"
        if port_open; then
            echo "http_ab.sh: something already listens on 127.0.0.1:18181; stop it first" >&2
            exit 2
        fi
        if [ "${command[0]}" = echo ]; then
            [ -x "$echo_bin" ] || { echo "http_ab.sh: the echo is not built (bash benchmarks/setup.sh)" >&2; exit 2; }
            "$echo_bin" --host 127.0.0.1 --port 18181 > /dev/null 2>&1 &
        else
            "${command[@]}" --host 127.0.0.1 --port 18181 --log-level warning > /dev/null 2>&1 &
        fi
        pid=$!
        for _ in $(seq 200); do
            port_open && break
            kill -0 "$pid" 2> /dev/null || { echo "http_ab.sh: $name exited before it listened" >&2; exit 1; }
            sleep 0.05
        done
        port_open || { echo "http_ab.sh: $name did not listen within 10 s" >&2; exit 1; }
        SERVER_PID="$pid" CONNECTIONS="$connections" HEALTHZ_CONNECTIONS=0 WARMUP=1 RESULTS="$work/run.txt" \
            bash "$here/load.sh" http://127.0.0.1:18181 "$data" "$seconds" > "$work/load.log" 2>&1 &
        load=$!
        if [ -n "$profile" ]; then
            # The load run starts after load.sh's set-up and 1 s of warm-up: about 2 s in.
            sleep 5
            perf record -F 2000 -p "$pid" -o "$work/perf.data" -- sleep $((seconds - 4)) > /dev/null 2>&1
        fi
        wait "$load" || { cat "$work/load.log"; echo "http_ab.sh: load.sh failed for $name" >&2; exit 1; }
        kill -0 "$pid" 2> /dev/null || { echo "http_ab.sh: $name exited during its run" >&2; exit 1; }
        stop
        shares="{}"
        if [ -n "$profile" ]; then
            perf report -i "$work/perf.data" --no-children --sort symbol --stdio 2> /dev/null | grep '%' > "$work/report.txt"
            shares="{"
            for group in $profile; do
                share="$({ grep -E "${group#*=}" "$work/report.txt" || true; } | awk '{ s += $1 } END { printf "%.2f", s }')"
                shares="$shares\"${group%%=*}\": $share, "
            done
            shares="${shares%, }}"
        fi
        while read -r label c json; do
            json="$(python3 -c 'import json, sys; r = json.loads(sys.argv[1]); r["profile"] = json.loads(sys.argv[2]); print(json.dumps(r))' "$json" "$shares")"
            echo "$name $c $json" >> "$work/all.txt"
            echo "round $round  $name  c=$c  $(python3 -c 'import json, sys; r = json.loads(sys.argv[1]); print("%.0f req/s, p99 %.1f ms" % (r["requests_per_second"], r["p99_ms"]), " ".join("%s %.2f%%" % kv for kv in r["profile"].items()))' "$json")"
        done < "$work/run.txt"
    done
done

python3 - "$work/all.txt" <<'PY'
import json, statistics, sys
runs = {}
for line in open(sys.argv[1]):
    name, c, js = line.split(" ", 2)
    runs.setdefault((name, int(c)), []).append(json.loads(js))
print()
print(f"{'server':<12} {'conns':>5} {'req/s (median)':>15} {'p99 ms':>7} {'µs/request':>10} {'idle cores':>10}   runs (req/s)")
for (name, c), rs in runs.items():
    rps = [r["requests_per_second"] for r in rs]
    per = [r["cpu"]["server_cores"] * 1e6 / r["requests_per_second"] for r in rs if r.get("cpu") and r["requests_per_second"]]
    idle = [r["cpu"]["idle_cores"] for r in rs if r.get("cpu")]
    print(f"{name:<12} {c:>5} {statistics.median(rps):>15.0f} {statistics.median(r['p99_ms'] for r in rs):>7.1f} "
          f"{statistics.median(per) if per else float('nan'):>10.0f} {statistics.median(idle) if idle else float('nan'):>10.2f}"
          f"   {' '.join(f'{x:.0f}' for x in rps)}")
profiled = {key: [r["profile"] for r in rs] for key, rs in runs.items() if rs[0]["profile"]}
if profiled:
    print("\nshares of the server's perf samples (medians; ratio = first group / second):")
    for (name, c), shares in profiled.items():
        groups = list(shares[0])
        text = "  ".join(f"{g} {statistics.median(s[g] for s in shares):.2f}%" for g in groups)
        if len(groups) > 1:
            ratio = statistics.median(s[groups[0]] / s[groups[1]] if s[groups[1]] else float("nan") for s in shares)
            text += f"  ratio {ratio:.3f}"
        print(f"  {name:<12} {text}  ({len(shares)} runs)")
PY
