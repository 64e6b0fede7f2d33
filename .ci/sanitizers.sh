#!/usr/bin/env bash
# CI: the whole test suite under AddressSanitizer, with LeakSanitizer's check at every process exit and the C code (the
# LSTM kernel) under UndefinedBehaviorSanitizer, in a build directory of its own (.build-asan); then the ASan server
# under load (Tests/Integration/asan_load.py: wrk, malformed requests, resets mid-body, thousands of dropped
# connections, SIGTERM). A report fails the step even when no test did: every process, the test runner and each
# lstm-serve the tests start, writes its reports to .build-asan/reports/, which must stay empty. Nothing is suppressed.
# Runs as root with CI=true; installs wrk from Debian when missing. docs/fuzzing.md has what it found and its times.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v swift >/dev/null 2>&1 || export PATH="/opt/swift/usr/bin:$PATH"
if ! command -v wrk >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends wrk
fi

started=$SECONDS
flags=(--scratch-path .build-asan --sanitize=address -Xcc -fsanitize=undefined -Xcc -fno-sanitize-recover=undefined)
reports="$PWD/.build-asan/reports"
rm -rf "$reports"
mkdir -p "$reports"
# Bounded waits in the tests grow by this factor (Tests/TestSupport/TimeoutScale.swift): ASan runs 2-4x slower.
export LSTM_SERVE_TEST_TIMEOUT_SCALE="${LSTM_SERVE_TEST_TIMEOUT_SCALE:-4}"
export ASAN_OPTIONS="detect_leaks=1:halt_on_error=1:log_path=$reports/asan"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=$reports/ubsan"

# The linker's notes on sanitizer symbols it cannot export are noise; errors still show.
swift build --build-tests "${flags[@]}" 2>&1 | grep -v "Cannot export local symbol" || true
echo "sanitizer build took $((SECONDS - started)) s"
# No XCTest pass (there are no XCTest tests; XCTest's runner keeps its empty suite's objects to the end). The test of
# LeakSanitizer itself runs alone: its check covers the whole process, where other tests' state is in flight.
test_status=0
swift test --skip-build --disable-xctest "${flags[@]}" --skip aLiveTreeIsReachableForLeakSanitizer 2>&1 | tee .build-asan/test.log ||
    test_status=$?
swift test --skip-build --disable-xctest "${flags[@]}" --filter aLiveTreeIsReachableForLeakSanitizer 2>&1 | tee -a .build-asan/test.log ||
    test_status=$?
echo "sanitizer test suite took $((SECONDS - started)) s so far"

load_status=0
LSTM_SERVE="$(swift build "${flags[@]}" --show-bin-path)/lstm-serve" python3 Tests/Integration/asan_load.py || load_status=$?
echo "sanitizer step took $((SECONDS - started)) s"

if [ -n "$(ls -A "$reports")" ]; then
    for report in "$reports"/*; do
        echo "== $report"
        cat "$report"
    done
    echo "error: the sanitizers reported the problems above" >&2
    exit 1
fi
[ "$test_status" -eq 0 ] || exit "$test_status"
exit "$load_status"
