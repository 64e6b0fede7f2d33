// Whether this VM is in a slow phase, and what a slow phase slows. Every ~0.1 s it times:
// - loops of 12 and of 8 independent FMA chains (no memory traffic; 8 chains of 4-cycle FMAs
//   are just enough to keep both pipes busy, 12 leave slack);
// - the step kernel at 8 rows with random tokens (projection rows from all over the 5 MB table);
// - with one token (everything in L1): the whole step, its recurrent product alone, and its
//   activations and state update alone.
// It prints one line per sample, then the medians over the fast samples and over the slow ones
// (a step more than 25% above the fastest tenth).
//
//   clang -O2 -falign-loops=64 -ISources/CLSTMKernel/include benchmarks/kernel/phases.c -o /tmp/phases -lm && /tmp/phases 20
//
// It includes the kernel's source, to time the kernel's two halves on their own.
#include "../../Sources/CLSTMKernel/lstm_kernel.c"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static float uniform(void) { return (rand() / (float)RAND_MAX - 0.5f) * 0.5f; }

static int compare(const void *a, const void *b) {
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/// Nanoseconds per 8-wide FMA over `chains` (8 or 12) independent accumulators.
AVX2 __attribute__((noinline)) static double fmaTime(int chains) {
    __m256 a[12];
    for (int i = 0; i < 12; i++) a[i] = _mm256_set1_ps(1.0f + i * 1e-3f);
    const __m256 x = _mm256_set1_ps(0.999999f), y = _mm256_set1_ps(1e-7f);
    const long n = 200000;
    const double start = now();
    if (chains == 12) {
        for (long i = 0; i < n; i++) {
            for (int j = 0; j < 12; j++) a[j] = _mm256_fmadd_ps(a[j], x, y);
        }
    } else {
        for (long i = 0; i < n; i++) {
            for (int j = 0; j < 8; j++) a[j] = _mm256_fmadd_ps(a[j], x, y);
        }
    }
    const double took = now() - start;
    float sum = 0;
    for (int j = 0; j < 12; j++) sum += _mm256_cvtss_f32(a[j]);
    if (sum == 42) puts("");  // keeps the loops
    return took / (n * chains) * 1e9;
}

enum { units = 32, width = 4 * units, vocabulary = 10000, steps = 200, rows = 8, measures = 7 };
static const char *names[measures] = {"FMA 12 chains", "FMA 8 chains", "step, random tokens", "step, one token",
                                      "product, one token", "update, one token", "(ns per FMA or per row)"};

int main(int argc, char **argv) {
    const int seconds = argc > 1 ? atoi(argv[1]) : 20;
    float *projection = aligned_alloc(64, sizeof(float) * vocabulary * width), *recurrent = aligned_alloc(64, sizeof(float) * units * width);
    srand(1);
    for (long i = 0; i < (long)vocabulary * width; i++) projection[i] = uniform();
    for (long i = 0; i < (long)units * width; i++) recurrent[i] = uniform();
    LSTMLayer layer = {units, projection, recurrent, {LSTMActivationTanh, 0}, {LSTMActivationSigmoid, 0}, 0, 0};
    // Prepared as LSTMStepKernel prepares them, so the step takes the usual layer's path.
    if (lstm_wants_scaled_tables(&layer)) {
        lstm_scale_tables(units, vocabulary, projection, recurrent);
        layer.tablesScaled = 1;
    }
    float *h = calloc(rows * units, sizeof(float)), *c = calloc(rows * units, sizeof(float));
    float *gates = calloc(rows * width, sizeof(float)), *saved = malloc(sizeof(float) * rows * width);
    for (int i = 0; i < rows * width; i++) saved[i] = uniform() * 4;
    int32_t *random = malloc(sizeof(int32_t) * rows * steps), *same = malloc(sizeof(int32_t) * rows * steps);
    for (int i = 0; i < rows * steps; i++) {
        random[i] = rand() % vocabulary;
        same[i] = 7;
    }
    int capacity = 1024, count = 0;
    double *samples = malloc(sizeof(double) * capacity * 6);
    printf("seconds  FMA12 FMA8 (ns per FMA)  step random, step one, product, update (ns per row, best of 3)\n");
    const double start = now();
    while (now() - start < seconds) {
        double best[4] = {1e9, 1e9, 1e9, 1e9};
        for (int round = 0; round < 3; round++) {
            double took[4];
            for (int k = 0; k < 4; k++) {
                const double begin = now();
                for (int s = 0; s < steps; s++) {
                    if (k == 0) lstm_step(&layer, rows, random + s * rows, h, c, gates);
                    if (k == 1) lstm_step(&layer, rows, same + s * rows, h, c, gates);
                    if (k == 2) gates_rows(&layer, rows, same, h, gates);
                    if (k == 3) {
                        memcpy(gates, saved, sizeof(float) * rows * width);
                        update_rows_usual(units, rows, gates, h, c, 0);
                    }
                }
                took[k] = (now() - begin) / steps / rows * 1e9;
            }
            for (int k = 0; k < 4; k++) best[k] = took[k] < best[k] ? took[k] : best[k];
            // Keep the state in range whatever the made-up gates did to it.
            for (int i = 0; i < rows * units; i++) {
                if (!(h[i] > -1 && h[i] < 1)) h[i] = 0;
                if (!(c[i] > -8 && c[i] < 8)) c[i] = 0;
            }
        }
        if (count == capacity) samples = realloc(samples, sizeof(double) * (capacity *= 2) * 6);
        double *sample = samples + count++ * 6;
        sample[0] = fmaTime(12);
        sample[1] = fmaTime(8);
        for (int k = 0; k < 4; k++) sample[2 + k] = best[k];
        printf("%7.2f  %5.3f %5.3f  %5.0f %5.0f %5.0f %5.0f\n", now() - start, sample[0], sample[1], sample[2], sample[3], sample[4], sample[5]);
    }
    // A sample is slow if its one-token step is more than 25% above the fastest tenth's.
    double *column = malloc(sizeof(double) * count);
    for (int i = 0; i < count; i++) column[i] = samples[i * 6 + 3];
    qsort(column, count, sizeof(double), compare);
    const double threshold = column[count / 10] * 1.25;
    for (int slow = 0; slow < 2; slow++) {
        int n = 0;
        for (int i = 0; i < count; i++) n += (samples[i * 6 + 3] > threshold) == slow;
        printf("%s samples: %d of %d\n", slow ? "slow" : "fast", n, count);
        if (n == 0) continue;
        for (int m = 0; m < 6; m++) {
            int j = 0;
            for (int i = 0; i < count; i++) {
                if ((samples[i * 6 + 3] > threshold) == slow) column[j++] = samples[i * 6 + m];
            }
            qsort(column, n, sizeof(double), compare);
            printf("  %-20s median %.3f\n", names[m], column[n / 2]);
        }
    }
    return 0;
}
