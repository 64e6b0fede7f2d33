#!/usr/bin/env bash
# Builds and runs the libFuzzer targets (docs/fuzzing.md).
#
#   Tests/Fuzz/fuzz.sh build                   build the four fuzzers (release, -sanitize=fuzzer,address) in .build-fuzz
#   Tests/Fuzz/fuzz.sh run TARGET SECONDS [FLAG...]
#                                              fuzz TARGET for SECONDS, starting from its committed corpus; new inputs
#                                              go to .build-fuzz/corpus/TARGET, crashes to .build-fuzz/artifacts/TARGET
#   Tests/Fuzz/fuzz.sh merge TARGET            minimise the committed corpus plus what runs found into Tests/Fuzz/Corpus/TARGET
#                                              (new inputs over MERGE_MAX_BYTES bytes left out)
#   Tests/Fuzz/fuzz.sh replay [TARGET...]      run every committed corpus file through the normal (non-fuzzer) build
#
# TARGET is one of: http, classify-json, checkpoint, tokenizer. Extra FLAGs go to libFuzzer (-jobs, -seed, ...).
# A run stops at the first crash, hang (-timeout) or memory blow-up (-rss_limit_mb, -malloc_limit_mb) and exits
# non-zero; the input that caused it is in .build-fuzz/artifacts/TARGET.
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v swift >/dev/null 2>&1 || export PATH="/opt/swift/usr/bin:$PATH"

scratch=.build-fuzz
targets=(http classify-json checkpoint tokenizer)
fuzz_flags=(-c release --scratch-path "$scratch" -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING)

product() {
    case "$1" in
    http) echo FuzzHTTPParser ;;
    classify-json) echo FuzzClassifyJSON ;;
    checkpoint) echo FuzzCheckpoint ;;
    tokenizer) echo FuzzTokenizer ;;
    *)
        echo "error: unknown target '$1' (one of: ${targets[*]})" >&2
        exit 2
        ;;
    esac
}

# The largest input each target is fuzzed with: heads past the default limits, bodies of a few KB, the fixtures.
max_len() {
    case "$1" in
    http) echo 20000 ;;
    checkpoint) echo 65536 ;;
    *) echo 4096 ;;
    esac
}

build() {
    for target in "${targets[@]}"; do
        # The linker's notes on sanitizer symbols it cannot export are noise; errors still show.
        swift build "${fuzz_flags[@]}" --product "$(product "$target")" 2>&1 | grep -v "Cannot export local symbol" || true
        [ -x "$(swift build "${fuzz_flags[@]}" --show-bin-path)/$(product "$target")" ] || {
            echo "error: $(product "$target") did not build" >&2
            exit 1
        }
    done
}

run() {
    local target=$1 seconds=$2
    shift 2
    local bin corpus artifacts
    bin="$(swift build "${fuzz_flags[@]}" --show-bin-path)/$(product "$target")"
    [ -x "$bin" ] || build
    corpus="$scratch/corpus/$target"
    artifacts="$scratch/artifacts/$target"
    mkdir -p "$corpus" "$artifacts"
    # The first directory receives new inputs; the committed corpus is only read. Swift's backtracer is off:
    # libFuzzer reports the crash and writes the input.
    SWIFT_BACKTRACE=enable=no "$bin" "$corpus" Tests/Fuzz/Corpus/"$target" \
        -max_total_time="$seconds" -max_len="$(max_len "$target")" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=2048 \
        -artifact_prefix="$artifacts/" -print_final_stats=1 "$@"
}

# New inputs larger than MERGE_MAX_BYTES (default: no limit) stay out, to keep the committed corpus small.
merge() {
    local target=$1 bin merged found
    bin="$(swift build "${fuzz_flags[@]}" --show-bin-path)/$(product "$target")"
    merged="$scratch/merged/$target"
    found="$scratch/found/$target"
    rm -rf "$merged" "$found"
    mkdir -p "$merged" "$found" "$scratch/corpus/$target"
    find "$scratch/corpus/$target" -type f -size -"${MERGE_MAX_BYTES:-999999999}"c -exec cp {} "$found/" \;
    SWIFT_BACKTRACE=enable=no "$bin" -merge=1 -max_len="$(max_len "$target")" -timeout=10 -rss_limit_mb=2048 \
        "$merged" Tests/Fuzz/Corpus/"$target" "$found"
    rm -rf Tests/Fuzz/Corpus/"$target"
    cp -r "$merged" Tests/Fuzz/Corpus/"$target"
    echo "Tests/Fuzz/Corpus/$target: $(find Tests/Fuzz/Corpus/"$target" -type f | wc -l) files," \
        "$(find Tests/Fuzz/Corpus/"$target" -type f -exec cat {} + | wc -c) bytes"
}

replay() {
    local bin
    bin="$(swift build --show-bin-path)"
    for target in "$@"; do
        [ -x "$bin/$(product "$target")" ] || swift build --product "$(product "$target")"
        # The bundled model (4 MB, over the corpus budget and libFuzzer's input size) is replayed from Models/.
        if [ "$target" = checkpoint ]; then
            "$bin/$(product "$target")" Tests/Fuzz/Corpus/"$target" Models/imdb-lstm.keras
        else
            "$bin/$(product "$target")" Tests/Fuzz/Corpus/"$target"
        fi
    done
}

case "${1:-}" in
build) build ;;
run)
    [ $# -ge 3 ] || {
        echo "usage: $0 run TARGET SECONDS [LIBFUZZER_FLAG...]" >&2
        exit 2
    }
    shift
    run "$@"
    ;;
merge)
    [ $# -eq 2 ] || {
        echo "usage: $0 merge TARGET" >&2
        exit 2
    }
    merge "$2"
    ;;
replay)
    shift
    if [ $# -eq 0 ]; then set -- "${targets[@]}"; fi
    replay "$@"
    ;;
*)
    sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
