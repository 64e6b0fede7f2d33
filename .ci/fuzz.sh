#!/usr/bin/env bash
# CI: the fuzz targets (docs/fuzzing.md). First every committed corpus file through each target's check in the
# normal debug build (the replay: fast, deterministic, and what keeps a fixed finding fixed); then each libFuzzer
# target built with -sanitize=fuzzer,address and run for FUZZ_SECONDS (default 30) from its committed corpus. A
# crash, hang, leak or memory blow-up fails the step, with the input in .build-fuzz/artifacts/TARGET/.
# Runs as root with CI=true after `swift build`; needs nothing beyond the Swift toolchain (libFuzzer ships with it).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v swift >/dev/null 2>&1 || export PATH="/opt/swift/usr/bin:$PATH"

started=$SECONDS
Tests/Fuzz/fuzz.sh replay
echo "fuzz corpus replay took $((SECONDS - started)) s"

Tests/Fuzz/fuzz.sh build
echo "fuzzer build took $((SECONDS - started)) s so far"
for target in http classify-json checkpoint tokenizer; do
    log=".build-fuzz/ci-$target.log"
    if ! Tests/Fuzz/fuzz.sh run "$target" "${FUZZ_SECONDS:-30}" >"$log" 2>&1; then
        tail -n 60 "$log"
        echo "error: the $target fuzzer failed; the input is in .build-fuzz/artifacts/$target/" >&2
        exit 1
    fi
    grep -E '^#[0-9]+.*DONE|stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)' "$log" | sed "s/^/$target: /"
done
echo "fuzz step took $((SECONDS - started)) s"
