// Whether this VM is in a slow phase, and of what kind: every ~0.1 s it times an FMA-only loop
// (no memory traffic, like fma_peak.c) and the step kernel at 8 rows, once with random tokens
// (projection rows from all over the 5 MB table) and once with one token (everything in L1).
//
//   clang -O2 -ISources/CLSTMKernel/include benchmarks/kernel/phases.c Sources/CLSTMKernel/lstm_kernel.c \
//       -o /tmp/phases -lm && /tmp/phases 30
//
// On the development VM, over 20 s (1,748 samples), the step with one token took 131 ns per row
// at the median and more than 170 ns in 39% of the samples, for a tenth of a second to a few
// seconds at a time, with random tokens slowed alike; the FMA loop kept 6.26 G/s at the median
// of those same samples. The slow phases are not memory, and not the FMA units.
#include "lstm_kernel.h"

#include <immintrin.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static float uniform(void) { return (rand() / (float)RAND_MAX - 0.5f) * 0.5f; }

/// Billions of 8-wide FMAs per second over 12 independent accumulators.
__attribute__((target("avx2,fma"))) static double fmaRate(void) {
    __m256 a[12];
    for (int i = 0; i < 12; i++) a[i] = _mm256_set1_ps(1.0f + i * 1e-3f);
    const __m256 x = _mm256_set1_ps(0.999999f), y = _mm256_set1_ps(1e-7f);
    const long n = 2000000;
    const double start = now();
    for (long i = 0; i < n; i++) {
        for (int j = 0; j < 12; j++) a[j] = _mm256_fmadd_ps(a[j], x, y);
    }
    const double took = now() - start;
    float sum = 0;
    for (int j = 0; j < 12; j++) sum += _mm256_cvtss_f32(a[j]);
    if (sum == 42) puts("");  // keeps the loop
    return n * 12 / took / 1e9;
}

int main(int argc, char **argv) {
    const int units = 32, width = 4 * units, vocabulary = 10000, steps = 500, rows = 8;
    const int seconds = argc > 1 ? atoi(argv[1]) : 30;
    float *projection = aligned_alloc(64, sizeof(float) * vocabulary * width), *recurrent = aligned_alloc(64, sizeof(float) * units * width);
    srand(1);
    for (long i = 0; i < (long)vocabulary * width; i++) projection[i] = uniform();
    for (long i = 0; i < (long)units * width; i++) recurrent[i] = uniform();
    const LSTMLayer layer = {units, projection, recurrent, {LSTMActivationTanh, 0}, {LSTMActivationSigmoid, 0}, 0};
    float *h = calloc((size_t)rows * units, sizeof(float)), *c = calloc((size_t)rows * units, sizeof(float));
    float *gates = calloc((size_t)rows * width, sizeof(float));
    int32_t *random = malloc(sizeof(int32_t) * rows * steps), *same = malloc(sizeof(int32_t) * rows * steps);
    for (int i = 0; i < rows * steps; i++) {
        random[i] = rand() % vocabulary;
        same[i] = 7;
    }
    printf("seconds  FMA G/s  step ns/row: random tokens, one token (best of 5)\n");
    const double start = now();
    while (now() - start < seconds) {
        const double rate = fmaRate();
        double best[2] = {1e9, 1e9};
        for (int round = 0; round < 5; round++) {
            for (int k = 0; k < 2; k++) {
                const double begin = now();
                for (int s = 0; s < steps; s++) lstm_step(&layer, rows, (k ? same : random) + s * rows, h, c, gates);
                const double took = now() - begin;
                if (took < best[k]) best[k] = took;
            }
        }
        printf("%7.2f  %7.2f  %5.0f %5.0f\n", now() - start, rate, best[0] / steps / rows * 1e9, best[1] / steps / rows * 1e9);
    }
    return 0;
}
