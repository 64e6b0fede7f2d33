#!/usr/bin/env bash
# Checks lstm-serve's /metrics with Prometheus's own tools: `promtool check metrics` must find no problem
# in a real scrape, and a Prometheus server scraping the service every second must return the request
# counter, the request-duration histogram and the batch-size histogram through its query API.
#
#   bash Tests/Integration/check_prometheus.sh [LSTM_SERVE_BINARY]
#
# Without an argument it builds the release binary. Needs prometheus and promtool (Debian: apt-get
# install prometheus), curl and python3. Both servers run on loopback ports picked here, with a
# temporary TSDB, and are stopped by process id on exit. Every wait is bounded; a failure says what
# was missing and prints the servers' logs.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
binary="${1:-}"
if [ -z "$binary" ]; then
    (cd "$root" && swift build -c release --product lstm-serve)
    binary="$(cd "$root" && swift build -c release --show-bin-path)/lstm-serve"
fi
for tool in prometheus promtool curl python3; do
    command -v "$tool" > /dev/null || { echo "check_prometheus.sh: $tool is missing (apt-get install prometheus curl)" >&2; exit 2; }
done
[ -x "$binary" ] || { echo "check_prometheus.sh: no executable at $binary" >&2; exit 2; }

work="$(mktemp -d)"
service_pid=""
prometheus_pid=""
cleanup() {
    for pid in $prometheus_pid $service_pid; do
        kill "$pid" 2> /dev/null || true
        wait "$pid" 2> /dev/null || true
    done
    rm -rf "$work"
}
trap cleanup EXIT INT TERM
fail() {
    echo "check_prometheus.sh: FAILED: $*" >&2
    for log in "$work/service.log" "$work/prometheus.log"; do
        [ -s "$log" ] && { echo "--- $(basename "$log") (last 20 lines)" >&2; tail -n 20 "$log" >&2; }
    done
    exit 1
}
# A port free on loopback now (another process could take it before it is bound; unlikely on a test machine).
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
# Waits up to $1 seconds for the command after it to succeed.
wait_for() {
    local seconds="$1"
    shift
    for _ in $(seq $((seconds * 10))); do
        "$@" > /dev/null 2>&1 && return 0
        sleep 0.1
    done
    return 1
}

# 1. The service, with a small body limit so that one request is refused (413) and counted under its reason.
port="$(free_port)"
base="http://127.0.0.1:$port"
"$binary" --host 127.0.0.1 --port "$port" --max-body-bytes 4096 --log-level warning > "$work/service.log" 2>&1 &
service_pid=$!
wait_for 60 curl -sf "$base/healthz" || fail "lstm-serve did not answer $base/healthz within 60 s"
echo "lstm-serve $binary listening on $base (pid $service_pid)"

# 2. Traffic: single texts and batches (200), an empty token list (422), an unknown path (404), a body over
# the limit (413, refused by the server).
classify() { curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' --data-binary "$1" "$base/classify"; }
send_traffic() {
    for i in $(seq 1 "$1"); do
        [ "$(classify "{\"text\": \"a film I liked $i times\"}")" = 200 ] || fail "POST /classify (one text) did not answer 200"
        [ "$(classify '{"texts": ["great acting", "a dull plot", "fine"]}')" = 200 ] || fail "POST /classify (three texts) did not answer 200"
    done
}
send_traffic 20
[ "$(classify '{"tokens": []}')" = 422 ] || fail "an empty token list did not answer 422"
[ "$(curl -s -o /dev/null -w '%{http_code}' "$base/no/such/path")" = 404 ] || fail "an unknown path did not answer 404"
big="$(python3 -c 'print("{\"text\": \"" + "word " * 2000 + "\"}")')"
[ "$(classify "$big")" = 413 ] || fail "a body over --max-body-bytes did not answer 413"

# 3. promtool on a real scrape: no output, exit 0.
curl -sf -D "$work/headers.txt" "$base/metrics" -o "$work/metrics.txt" || fail "GET /metrics failed"
grep -qi '^content-type: text/plain; version=0.0.4' "$work/headers.txt" || fail "GET /metrics has Content-Type $(grep -i content-type "$work/headers.txt")"
lint_status=0
promtool check metrics < "$work/metrics.txt" > "$work/promtool.txt" 2>&1 || lint_status=$?
if [ "$lint_status" -ne 0 ] || [ -s "$work/promtool.txt" ]; then
    cat "$work/promtool.txt" >&2
    fail "promtool check metrics reported the problems above (exit $lint_status)"
fi
echo "promtool check metrics: no problem in $(grep -vc '^#' "$work/metrics.txt") samples of $(grep -c '^# TYPE' "$work/metrics.txt") metrics"
for series in 'lstm_serve_http_requests_total{route="/classify",status="422"} 1' \
    'lstm_serve_http_requests_total{route="other",status="404"} 1' \
    'lstm_serve_http_rejected_requests_total{reason="body_too_large"} 1'; do
    grep -qF "$series" "$work/metrics.txt" || fail "the scrape lacks the sample: $series"
done

# 4. Prometheus scraping the service every second, with a config promtool accepts.
prometheus_port="$(free_port)"
cat > "$work/prometheus.yml" << YAML
global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: lstm-serve
    static_configs:
      - targets: ["127.0.0.1:$port"]
YAML
promtool check config "$work/prometheus.yml" > "$work/promtool-config.txt" 2>&1 || { cat "$work/promtool-config.txt" >&2; fail "promtool check config"; }
prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/tsdb" \
    --web.listen-address="127.0.0.1:$prometheus_port" --log.level=warn > "$work/prometheus.log" 2>&1 &
prometheus_pid=$!
api="http://127.0.0.1:$prometheus_port/api/v1/query"
wait_for 60 curl -sf "http://127.0.0.1:$prometheus_port/-/ready" || fail "Prometheus was not ready within 60 s"
echo "prometheus listening on 127.0.0.1:$prometheus_port (pid $prometheus_pid), scraping $base/metrics every 1 s"
send_traffic 10

# 5. The series, read back through the query API. Each query must return one sample at least `minimum`
# (checked by python3 on the JSON), within 30 s of scrapes.
query_value() {
    curl -sf -G --data-urlencode "query=$1" "$api" | python3 -c '
import json, sys
reply = json.load(sys.stdin)
result = reply["data"]["result"] if reply.get("status") == "success" else []
if len(result) != 1:
    sys.exit(1)
print(result[0]["value"][1])'
}
at_least() {
    local value
    value="$(query_value "$1")" || return 1
    python3 -c 'import sys; v = float(sys.argv[1]); sys.exit(0 if v == v and v >= float(sys.argv[2]) else 1)' "$value" "$2" || return 1
    echo "$value"
}
check() {
    local name="$1" query="$2" minimum="$3" value=""
    for _ in $(seq 60); do
        value="$(at_least "$query" "$minimum")" && { echo "ok  $name: $query = $value"; return 0; }
        sleep 0.5
    done
    fail "Prometheus did not return $name ($query >= $minimum) within 30 s; last answer: $(curl -s -G --data-urlencode "query=$query" "$api")"
}
check "the target is up" 'up{job="lstm-serve"}' 1
check "the request counter" 'lstm_serve_http_requests_total{job="lstm-serve",route="/classify",status="200"}' 60
check "the request-duration histogram" 'lstm_serve_http_request_duration_seconds_count{job="lstm-serve",route="/classify"}' 60
check "the request-duration p99 (seconds)" \
    'histogram_quantile(0.99, sum by (le) (lstm_serve_http_request_duration_seconds_bucket{job="lstm-serve",route="/classify"}))' 0
check "the batch-size histogram" 'lstm_serve_batch_size_count{job="lstm-serve"}' 60
check "the mean batch size" 'lstm_serve_batch_size_sum{job="lstm-serve"} / lstm_serve_batch_size_count{job="lstm-serve"}' 1
check "the process metrics" 'process_resident_memory_bytes{job="lstm-serve"}' 1000000
echo "check_prometheus.sh: promtool and Prometheus read lstm-serve's metrics"
