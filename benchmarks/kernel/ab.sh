#!/usr/bin/env bash
# Times the working copy's LSTM step kernel (B) against the one at a git revision (A, default
# HEAD), interleaved in one process, for a few batch sizes. See ab_step.c.
#
#   bash benchmarks/kernel/ab.sh [REVISION] [ROWS...]      e.g. bash benchmarks/kernel/ab.sh HEAD~1 1 8 32 64
#
# CC picks the compiler (clang); A_CFLAGS and B_CFLAGS add flags to one side only, e.g.
# B_CFLAGS=-DEXPERIMENT=2.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
revision="${1:-HEAD}"
shift || true
rows=("$@")
[ ${#rows[@]} -gt 0 ] || rows=(1 8 32 64)
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
git -C "$root" show "$revision:Sources/CLSTMKernel/lstm_kernel.c" > "$work/a.c"
include="$root/Sources/CLSTMKernel/include"
cc="${CC:-clang}"
# shellcheck disable=SC2086  # A_CFLAGS and B_CFLAGS are lists of flags
# -falign-loops=64 as in Package.swift, for both sides: otherwise where a loop happens to land
# decides as much as the code in it.
"$cc" -O2 -falign-loops=64 ${A_CFLAGS:-} -c -I"$include" "$work/a.c" -o "$work/a.o"
"$cc" -O2 -falign-loops=64 ${B_CFLAGS:-} -c -I"$include" "$root/Sources/CLSTMKernel/lstm_kernel.c" -o "$work/b.o" \
    -Dlstm_step=lstm_step_b -Dlstm_uses_avx2=lstm_uses_avx2_b -Dlstm_prefetch=lstm_prefetch_b -Dlstm_step_portable=lstm_step_portable_b \
    -Dlstm_wants_scaled_tables=lstm_wants_scaled_tables_b -Dlstm_scale_tables=lstm_scale_tables_b
"$cc" -O2 -I"$include" "$root/benchmarks/kernel/ab_step.c" "$work/a.o" "$work/b.o" -o "$work/ab" -lm
echo "A = $revision, B = working copy"
for n in "${rows[@]}"; do "$work/ab" "$n"; done
