#!/usr/bin/env bash
# HTTPS beside plain HTTP, and the plain path before beside after, by alternating runs: each round starts each
# server in turn on loopback port 18182, runs load.sh against it (wrk, keep-alive, POST /classify with real IMDB
# reviews), and stops it. Prints every run, then per server the medians, and each https server's median as a
# share of the plain server's of the same binary.
#
#   ROUNDS=5 CONNECTIONS=64 bash benchmarks/tls_ab.sh DATA_DIR SECONDS NAME=[https:]SERVER...
#   bash benchmarks/tls_ab.sh ../shared/data/imdb 10 before=/tmp/lstm-serve-old plain=.build/release/lstm-serve \
#       https=https:.build/release/lstm-serve
#
# SERVER is an lstm-serve executable, optionally with options; it gets --host 127.0.0.1 --port 18182
# --log-level warning. With the https: prefix it also gets --tls-cert/--tls-key of the test certificate in
# Tests/Fixtures/TLS (EC P-256; TLS 1.3 with TLS_AES_128_GCM_SHA256 is what wrk negotiates) and is loaded over https
# (load.sh's curl probes trust the test CA through CURL_CA_BUNDLE; wrk does not verify). Environment: ROUNDS (5),
# CONNECTIONS ("64").
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [ $# -lt 3 ]; then
    sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
fi
data="$1"
seconds="$2"
shift 2
rounds="${ROUNDS:-5}"
connections="${CONNECTIONS:-64}"
fixtures="$here/../Tests/Fixtures/TLS"
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
port_open() { (exec 3<> /dev/tcp/127.0.0.1/18182) 2> /dev/null; }

for round in $(seq 1 "$rounds"); do
    for spec in "$@"; do
        name="${spec%%=*}"
        server="${spec#*=}"
        scheme=http
        tls=()
        if [ "${server#https:}" != "$server" ]; then
            server="${server#https:}"
            scheme=https
            tls=(--tls-cert "$fixtures/server.pem" --tls-key "$fixtures/server.key")
        fi
        read -r -a command <<< "$server"
        if port_open; then
            echo "tls_ab.sh: something already listens on 127.0.0.1:18182; stop it first" >&2
            exit 2
        fi
        "${command[@]}" "${tls[@]}" --host 127.0.0.1 --port 18182 --log-level warning > "$work/server.log" 2>&1 &
        pid=$!
        for _ in $(seq 200); do
            port_open && break
            kill -0 "$pid" 2> /dev/null || { cat "$work/server.log"; echo "tls_ab.sh: $name exited before it listened" >&2; exit 1; }
            sleep 0.05
        done
        port_open || { echo "tls_ab.sh: $name did not listen within 10 s" >&2; exit 1; }
        CURL_CA_BUNDLE="$fixtures/ca.pem" SERVER_PID="$pid" CONNECTIONS="$connections" HEALTHZ_CONNECTIONS=0 WARMUP=1 \
            RESULTS="$work/run.txt" bash "$here/load.sh" "$scheme://127.0.0.1:18182" "$data" "$seconds" > "$work/load.log" 2>&1 \
            || { cat "$work/load.log"; echo "tls_ab.sh: load.sh failed for $name" >&2; exit 1; }
        kill -0 "$pid" 2> /dev/null || { echo "tls_ab.sh: $name exited during its run" >&2; exit 1; }
        stop
        while read -r label c json; do
            echo "$name $scheme $c $json" >> "$work/all.txt"
            echo "round $round  $name ($scheme)  c=$c  $(python3 -c 'import json, sys; r = json.loads(sys.argv[1])
print("%.0f req/s, p50 %.2f ms, p99 %.1f ms, non-2xx %d, socket errors %d, server %.2f cores" % (r["requests_per_second"],
      r["p50_ms"], r["p99_ms"], r["non2xx"], sum(r["socket_errors"].values()), (r.get("cpu") or {}).get("server_cores", float("nan"))))' \
                "$json")"
        done < "$work/run.txt"
    done
done

python3 - "$work/all.txt" "$@" <<'PY'
import json, statistics, sys
runs, schemes = {}, {}
for line in open(sys.argv[1]):
    name, scheme, c, js = line.split(" ", 3)
    runs.setdefault((name, int(c)), []).append(json.loads(js))
    schemes[name] = scheme
binaries = {spec.split("=", 1)[0]: spec.split("=", 1)[1].removeprefix("https:") for spec in sys.argv[2:]}
print()
print(f"{'server':<10} {'scheme':<6} {'conns':>5} {'req/s (median)':>15} {'p50 ms':>7} {'p99 ms':>7} {'µs/request':>10}   runs (req/s)")
medians = {}
for (name, c), rs in runs.items():
    rps = [r["requests_per_second"] for r in rs]
    per = [r["cpu"]["server_cores"] * 1e6 / r["requests_per_second"] for r in rs if r.get("cpu") and r["requests_per_second"]]
    medians[(name, c)] = statistics.median(rps)
    print(f"{name:<10} {schemes[name]:<6} {c:>5} {statistics.median(rps):>15.0f} {statistics.median(r['p50_ms'] for r in rs):>7.2f} "
          f"{statistics.median(r['p99_ms'] for r in rs):>7.1f} {statistics.median(per) if per else float('nan'):>10.0f}"
          f"   {' '.join(f'{x:.0f}' for x in rps)}")
for (name, c), value in medians.items():
    if schemes[name] != "https":
        continue
    for (other, oc), plain in medians.items():
        if oc == c and schemes[other] == "http" and binaries.get(other) == binaries.get(name):
            print(f"{name} / {other} at {c} connections: {value / plain:.1%} of plain's requests/s")
PY
