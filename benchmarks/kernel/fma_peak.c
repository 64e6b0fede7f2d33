// The most 8-wide FMAs one core retires per second: 12 independent accumulators, no memory
// traffic. The LSTM step needs 4U·U/8 of them per row (512 for 32 units), so this bounds how
// fast its recurrent product can be on this machine.
//
//   clang -O2 benchmarks/kernel/fma_peak.c -o /tmp/fma_peak && /tmp/fma_peak
#include <immintrin.h>
#include <stdio.h>
#include <time.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

__attribute__((target("avx2,fma"))) int main(void) {
    __m256 a[12];
    for (int i = 0; i < 12; i++) a[i] = _mm256_set1_ps(1.0f + i * 1e-3f);
    const __m256 x = _mm256_set1_ps(0.999999f), y = _mm256_set1_ps(1e-7f);
    const long n = 100000000;
    for (int round = 0; round < 6; round++) {
        const double start = now();
        for (long i = 0; i < n; i++) {
            for (int k = 0; k < 12; k++) a[k] = _mm256_fmadd_ps(a[k], x, y);
            // Keep every accumulator live in a register each iteration.
            __asm__ volatile("" : "+x"(a[0]), "+x"(a[1]), "+x"(a[2]), "+x"(a[3]), "+x"(a[4]), "+x"(a[5]),
                             "+x"(a[6]), "+x"(a[7]), "+x"(a[8]), "+x"(a[9]), "+x"(a[10]), "+x"(a[11]));
        }
        printf("%.2f G 8-wide FMAs/s\n", 12.0 * n / (now() - start) / 1e9);
    }
    __m256 sum = a[0];
    for (int i = 1; i < 12; i++) sum = _mm256_add_ps(sum, a[i]);
    float out[8];
    _mm256_storeu_ps(out, sum);
    printf("(checksum %g)\n", out[0]);
    return 0;
}
