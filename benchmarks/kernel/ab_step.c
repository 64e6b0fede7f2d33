// A/B timing of two builds of the LSTM step kernel, interleaved in one process.
//
// This VM's speed drifts by ±30% from run to run, so comparing two binaries run one after the
// other says little about a 10% change. Here kernel A (`lstm_step`) and kernel B (`lstm_step_b`,
// the same source compiled with renamed symbols) take turns on the same random model and tokens,
// 40 rounds of 500 steps each; it prints both minimums and medians, how many rounds B won, and
// whether the two produced the same hidden state bit for bit (if not, the largest difference).
// Built and run by ab.sh.
//
// AB_ROUNDS=N changes the number of rounds; AB_BOUND=0 gives the layer no gate bound (so both
// kernels clamp); AB_TRACE=1 also prints A's time per row-step of every round, which shows how
// much this VM's speed drifts within one process.
#include "lstm_kernel.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void lstm_step_b(const LSTMLayer *layer, int32_t rows, const int32_t *tokens, float *hidden, float *cell, float *gates);
// Each side prepares its own copy of the tables, as LSTMStepKernel does, if its kernel has these
// functions; kernels from before lstm_scale_tables have not, and weak symbols are null there.
__attribute__((weak)) int lstm_wants_scaled_tables(const LSTMLayer *layer);
__attribute__((weak)) void lstm_scale_tables(int32_t units, int64_t vocabulary, float *projection, float *recurrent);
__attribute__((weak)) int lstm_wants_scaled_tables_b(const LSTMLayer *layer);
__attribute__((weak)) void lstm_scale_tables_b(int32_t units, int64_t vocabulary, float *projection, float *recurrent);

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static int compare(const void *a, const void *b) {
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static float uniform(void) { return (rand() / (float)RAND_MAX - 0.5f) * 0.5f; }

int main(int argc, char **argv) {
    const int units = 32, width = 4 * units, vocabulary = 10000, steps = 500;
    const int rounds = getenv("AB_ROUNDS") ? atoi(getenv("AB_ROUNDS")) : 40;
    const int trace = getenv("AB_TRACE") != NULL && atoi(getenv("AB_TRACE")) != 0;
    const int rows = argc > 1 ? atoi(argv[1]) : 32;
    if (rows < 1 || rounds < 1) return 2;
    // 64-byte aligned, as LSTMStepKernel allocates its tables.
    float *projection = aligned_alloc(64, sizeof(float) * vocabulary * width), *recurrent = aligned_alloc(64, sizeof(float) * units * width);
    srand(1);
    for (long i = 0; i < (long)vocabulary * width; i++) projection[i] = uniform();
    for (long i = 0; i < (long)units * width; i++) recurrent[i] = uniform();
    // The gate bound as LSTMStepKernel computes it: max |P| + the largest column sum of |R|
    // (AB_BOUND=0 leaves it unknown, so both kernels clamp).
    float largest = 0, columnSum = 0;
    for (long i = 0; i < (long)vocabulary * width; i++) largest = fmaxf(largest, fabsf(projection[i]));
    for (int j = 0; j < width; j++) {
        float sum = 0;
        for (int k = 0; k < units; k++) sum += fabsf(recurrent[k * width + j]);
        columnSum = fmaxf(columnSum, sum);
    }
    const int bound = getenv("AB_BOUND") == NULL || atoi(getenv("AB_BOUND")) != 0;
    LSTMLayer layers[2];
    for (int k = 0; k < 2; k++) {
        float *p = aligned_alloc(64, sizeof(float) * vocabulary * width), *r = aligned_alloc(64, sizeof(float) * units * width);
        memcpy(p, projection, sizeof(float) * vocabulary * width);
        memcpy(r, recurrent, sizeof(float) * units * width);
        layers[k] = (LSTMLayer){units, p, r, {LSTMActivationTanh, 0}, {LSTMActivationSigmoid, 0}, bound ? largest + columnSum : 0, 0};
        int (*wants)(const LSTMLayer *) = k ? lstm_wants_scaled_tables_b : lstm_wants_scaled_tables;
        void (*scale)(int32_t, int64_t, float *, float *) = k ? lstm_scale_tables_b : lstm_scale_tables;
        if (wants && scale && wants(&layers[k])) {
            scale(units, vocabulary, p, r);
            layers[k].tablesScaled = 1;
        }
    }
    float *h[2], *c[2], *gates = calloc((size_t)rows * width, sizeof(float));
    for (int k = 0; k < 2; k++) {
        h[k] = calloc((size_t)rows * units, sizeof(float));
        c[k] = calloc((size_t)rows * units, sizeof(float));
    }
    int32_t *tokens = malloc(sizeof(int32_t) * rows * steps);
    for (int i = 0; i < rows * steps; i++) tokens[i] = rand() % vocabulary;

    double best[2] = {1e9, 1e9};
    double *all[2] = {malloc(sizeof(double) * rounds), malloc(sizeof(double) * rounds)};
    int bWins = 0;
    for (int round = 0; round < rounds; round++) {
        double took[2];
        for (int k = 0; k < 2; k++) {
            const double start = now();
            for (int s = 0; s < steps; s++) (k ? lstm_step_b : lstm_step)(&layers[k], rows, tokens + s * rows, h[k], c[k], gates);
            took[k] = now() - start;
            all[k][round] = took[k];
            if (took[k] < best[k]) best[k] = took[k];
        }
        if (took[1] < took[0]) bWins++;
        if (trace) printf("%.0f%s", took[0] / steps / rows * 1e9, round + 1 < rounds ? " " : "\n");
    }
    const int same = memcmp(h[0], h[1], sizeof(float) * rows * units) == 0 && memcmp(c[0], c[1], sizeof(float) * rows * units) == 0;
    double median[2];
    for (int k = 0; k < 2; k++) {
        qsort(all[k], rounds, sizeof(double), compare);
        median[k] = all[k][rounds / 2];
    }
    float largestDifference = 0;
    for (int i = 0; i < rows * units; i++) largestDifference = fmaxf(largestDifference, fabsf(h[0][i] - h[1][i]));
    printf("rows %3d: A %.1f ns per row-step, B %.1f (minimum of %d rounds; medians %.1f and %.1f); B faster in %d/%d rounds; same results: %s\n",
           rows, best[0] / steps / rows * 1e9, best[1] / steps / rows * 1e9, rounds, median[0] / steps / rows * 1e9,
           median[1] / steps / rows * 1e9, bWins, rounds, same ? "yes" : "NO");
    if (!same) printf("          largest difference in the final hidden states: %.2e\n", largestDifference);
    return 0;
}
