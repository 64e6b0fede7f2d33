#!/usr/bin/env bash
# Compares where servers spend their time under load, alternating them round by round: each
# round starts each lstm-serve build in turn on loopback port 18181, loads it with load.sh (64
# connections), samples it with `perf record` for 5 s in the middle of the run, and stops it.
# Prints, per run and as medians per server, each symbol group's share of the server's samples
# and the first group's share divided by the second's. A share of one profile is steadier than a
# time on this VM, whose speed drifts by tens of percent within minutes, and the ratio to work
# that did not change (the step kernel) is steadier still.
#
#   ROUNDS=3 bash benchmarks/profile_ab.sh DATA_DIR NAME=SERVER...
#   bash benchmarks/profile_ab.sh ../shared/data/imdb old=/tmp/lstm-serve-old new=.build/release/lstm-serve
#
# SERVER is an lstm-serve executable, optionally with options; it gets --host 127.0.0.1 --port
# 18181 --log-level warning. Environment: ROUNDS (3), LOAD_SECONDS (14), SYMBOL_GROUPS
# ("tokenizer=Tokenizer|Vocabulary|WordTable step=step_avx2": NAME=REGEX pairs, matched with
# grep -E against `perf report --sort symbol` lines). Needs perf (Debian: linux-perf) and wrk.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [ $# -lt 2 ]; then
    sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
fi
data="$1"
shift
rounds="${ROUNDS:-3}"
seconds="${LOAD_SECONDS:-14}"
groups="${SYMBOL_GROUPS:-tokenizer=Tokenizer|Vocabulary|WordTable step=step_avx2}"
command -v perf > /dev/null || { echo "profile_ab.sh: perf is missing (apt-get install linux-perf)" >&2; exit 2; }
work="$(mktemp -d)"
pid=""
stop() {
    if [ -n "$pid" ] && kill -0 "$pid" 2> /dev/null; then
        kill "$pid" 2> /dev/null || true
        wait "$pid" 2> /dev/null || true
    fi
    pid=""
}
trap 'stop; rm -rf "$work"' EXIT INT TERM
port_open() { (exec 3<> /dev/tcp/127.0.0.1/18181) 2> /dev/null; }

for round in $(seq 1 "$rounds"); do
    for spec in "$@"; do
        name="${spec%%=*}"
        command="${spec#*=}"
        if port_open; then
            echo "profile_ab.sh: something already listens on 127.0.0.1:18181; stop it first" >&2
            exit 1
        fi
        # shellcheck disable=SC2086  # SERVER may carry options
        $command --host 127.0.0.1 --port 18181 --log-level warning > "$work/server.log" 2>&1 &
        pid=$!
        for _ in $(seq 1 100); do port_open && break; sleep 0.1; done
        CONNECTIONS=64 HEALTHZ_CONNECTIONS=0 WARMUP=1 bash "$here/load.sh" http://127.0.0.1:18181 "$data" "$seconds" > "$work/load.txt" 2>&1 &
        load=$!
        sleep $((seconds / 2 - 1))
        perf record -F 2000 -p "$pid" -o "$work/perf.data" -- sleep 5 > /dev/null 2>&1
        wait "$load" || { cat "$work/load.txt"; echo "profile_ab.sh: load.sh failed" >&2; exit 1; }
        kill -0 "$pid" 2> /dev/null || { cat "$work/server.log"; echo "profile_ab.sh: $name exited during its run" >&2; exit 1; }
        stop
        perf report -i "$work/perf.data" --no-children --sort symbol --stdio 2> /dev/null | grep '%' > "$work/report.txt"
        line="round $round $name"
        for group in $groups; do
            share="$(grep -E "${group#*=}" "$work/report.txt" | awk '{ s += $1 } END { printf "%.2f", s }')"
            line="$line ${group%%=*}=$share"
        done
        echo "$line requests_per_second=$(awk '$1 == "classify" { print $3 }' "$work/load.txt" | tail -1)" | tee -a "$work/lines.txt"
    done
done

python3 - "$work/lines.txt" "$@" << 'EOF'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
names = [spec.split("=", 1)[0] for spec in sys.argv[2:]]
print("\nmedians (% of the server's samples; ratio = first group / second):")
for name in names:
    runs = [dict(field.split("=") for field in row[3:]) for row in rows if row[2] == name]
    keys = [key for key in runs[0] if key != "requests_per_second"]
    medians = {key: statistics.median(float(run[key]) for run in runs) for key in keys}
    ratio = statistics.median(float(run[keys[0]]) / float(run[keys[1]]) for run in runs) if len(keys) > 1 else float("nan")
    print(f"  {name}: " + "  ".join(f"{key} {value:.2f}%" for key, value in medians.items()) + f"  ratio {ratio:.3f}  ({len(runs)} runs)")
EOF
