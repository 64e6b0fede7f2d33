// One LSTM time step over a batch: the hot loop of the forward pass.
//
// Two implementations of the same arithmetic: a portable one, and an AVX2/FMA one chosen at
// run time for layers whose gate width 4U is a multiple of 32. The AVX2 path keeps a 3-row ×
// 32-column block of gate accumulators in registers across the recurrent product (2 rows or 1
// for what is left), so each load of the recurrent kernel serves three rows, and evaluates
// sigmoid/tanh with a vectorised exp (range reduction by ln 2 and a polynomial, relative error
// about 2.5e-7). For the usual layer (σ gates, tanh elsewhere) it folds the activations into
// the state update so that 8 units take two divisions, not five (update_rows_usual), and, on
// tables that lstm_scale_tables prepared, takes each gate's exponential as a power of two
// straight from its pre-activation.

#include "lstm_kernel.h"

#include <math.h>
#include <string.h>

#define LSTM_LOG2E 1.44269504088896341f

#if defined(__x86_64__)
#include <immintrin.h>
#define LSTM_HAVE_X86 1
#endif

/// Prefetches the cache lines of one projection row. The Swift side allocates the table 64-byte
/// aligned, so for 4U·4 bytes a multiple of 64 (U a multiple of 4) these are exactly the row's
/// lines; otherwise the last partial line may be missed, which costs only a miss (rounding the
/// start down to a line boundary costs more than that miss).
static inline void lstm_prefetch_row(const LSTMLayer *layer, int32_t token) {
    const char *row = (const char *)(layer->projection + (int64_t)token * 4 * layer->units);
    for (int32_t offset = 0; offset < 16 * layer->units; offset += 64) lstm_prefetch_for_reading(row + offset);
}

// MARK: - Portable path

static float exp_approx(float x) {
    x = fminf(fmaxf(x, -87.0f), 88.0f);
    float n = nearbyintf(x * LSTM_LOG2E);
    float r = x - n * 0.693145751953125f - n * 1.42860682030941723212e-6f;
    float p = 1.0f / 720.0f;
    p = p * r + 1.0f / 120.0f;
    p = p * r + 1.0f / 24.0f;
    p = p * r + 1.0f / 6.0f;
    p = p * r + 0.5f;
    p = p * r + 1.0f;
    p = p * r + 1.0f;
    int32_t bits = ((int32_t)n + 127) << 23;
    float scale;
    memcpy(&scale, &bits, sizeof scale);
    return p * scale;
}

static void activate(LSTMActivation activation, float *values, int32_t count) {
    switch (activation.kind) {
    case LSTMActivationSigmoid:
        for (int32_t i = 0; i < count; i++) values[i] = 1.0f / (1.0f + exp_approx(-values[i]));
        break;
    case LSTMActivationTanh:
        for (int32_t i = 0; i < count; i++) values[i] = 1.0f - 2.0f / (1.0f + exp_approx(2.0f * values[i]));
        break;
    case LSTMActivationHardSigmoid:
        for (int32_t i = 0; i < count; i++) values[i] = fminf(fmaxf(activation.slope * values[i] + 0.5f, 0.0f), 1.0f);
        break;
    case LSTMActivationReLU:
        for (int32_t i = 0; i < count; i++) values[i] = fmaxf(values[i], 0.0f);
        break;
    default:
        break;
    }
}

static void step_portable(const LSTMLayer *layer, int32_t rows, const int32_t *tokens,
                          float *hidden, float *cell, float *gates) {
    const int32_t units = layer->units, width = 4 * units;
    for (int32_t row = 0; row < rows; row++) {
        float *restrict g = gates + (int64_t)row * width;
        float *restrict h = hidden + (int64_t)row * units;
        float *restrict c = cell + (int64_t)row * units;
        memcpy(g, layer->projection + (int64_t)tokens[row] * width, sizeof(float) * width);
        for (int32_t k = 0; k < units; k++) {
            const float hk = h[k];
            const float *restrict r = layer->recurrent + (int64_t)k * width;
            for (int32_t j = 0; j < width; j++) g[j] += hk * r[j];
        }
        activate(layer->recurrentActivation, g, 2 * units);
        activate(layer->activation, g + 2 * units, units);
        activate(layer->recurrentActivation, g + 3 * units, units);
        for (int32_t k = 0; k < units; k++) {
            c[k] = g[units + k] * c[k] + g[k] * g[2 * units + k];
            h[k] = c[k];
        }
        activate(layer->activation, h, units);
        for (int32_t k = 0; k < units; k++) h[k] *= g[3 * units + k];
    }
}

// MARK: - AVX2 + FMA path

#if LSTM_HAVE_X86
#define AVX2 __attribute__((target("avx2,fma")))

/// The largest |y| for which exp2_8_in_range's result stays a normal float (with room to spare).
#define LSTM_EXP2_LIMIT 36.0f

AVX2 static inline __m256 exp8(__m256 x) {
    x = _mm256_min_ps(_mm256_max_ps(x, _mm256_set1_ps(-87.0f)), _mm256_set1_ps(88.0f));
    __m256 n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(LSTM_LOG2E)), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693145751953125f), x);
    r = _mm256_fnmadd_ps(n, _mm256_set1_ps(1.42860682030941723212e-6f), r);
    __m256 p = _mm256_set1_ps(1.0f / 720.0f);
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 120.0f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 24.0f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 6.0f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(0.5f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
    __m256i bits = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
    return _mm256_mul_ps(p, _mm256_castsi256_ps(bits));
}

/// 1/d. A true division: on Zen 3 it is no slower here than the hardware estimate refined by a
/// Newton step (the division unit is otherwise idle in this kernel), and correctly rounded.
AVX2 static inline __m256 reciprocal8(__m256 d) {
    return _mm256_div_ps(_mm256_set1_ps(1.0f), d);
}

AVX2 static inline __m256 activate8(LSTMActivation activation, __m256 x) {
    const __m256 one = _mm256_set1_ps(1.0f);
    switch (activation.kind) {
    case LSTMActivationSigmoid:
        return reciprocal8(_mm256_add_ps(one, exp8(_mm256_sub_ps(_mm256_setzero_ps(), x))));
    case LSTMActivationTanh: {
        __m256 e = exp8(_mm256_add_ps(x, x));
        return _mm256_fnmadd_ps(_mm256_set1_ps(2.0f), reciprocal8(_mm256_add_ps(one, e)), one);
    }
    case LSTMActivationHardSigmoid: {
        __m256 y = _mm256_fmadd_ps(_mm256_set1_ps(activation.slope), x, _mm256_set1_ps(0.5f));
        return _mm256_min_ps(_mm256_max_ps(y, _mm256_setzero_ps()), one);
    }
    case LSTMActivationReLU:
        return _mm256_max_ps(x, _mm256_setzero_ps());
    default:
        return x;
    }
}

/// Gate pre-activations for `count` (1 or 2) rows, 32 columns at a time, accumulators in registers.
AVX2 static inline void gates_block(const LSTMLayer *layer, int32_t count, const int32_t *tokens,
                                    const float *h0, const float *h1, float *g0, float *g1) {
    const int32_t units = layer->units, width = 4 * units;
    const float *in0 = layer->projection + (int64_t)tokens[0] * width;
    const float *in1 = count > 1 ? layer->projection + (int64_t)tokens[1] * width : in0;
    for (int32_t column = 0; column < width; column += 32) {
        __m256 a0 = _mm256_loadu_ps(in0 + column), a1 = _mm256_loadu_ps(in0 + column + 8);
        __m256 a2 = _mm256_loadu_ps(in0 + column + 16), a3 = _mm256_loadu_ps(in0 + column + 24);
        __m256 b0 = _mm256_loadu_ps(in1 + column), b1 = _mm256_loadu_ps(in1 + column + 8);
        __m256 b2 = _mm256_loadu_ps(in1 + column + 16), b3 = _mm256_loadu_ps(in1 + column + 24);
        const float *r = layer->recurrent + column;
        for (int32_t k = 0; k < units; k++, r += width) {
            const __m256 r0 = _mm256_loadu_ps(r), r1 = _mm256_loadu_ps(r + 8);
            const __m256 r2 = _mm256_loadu_ps(r + 16), r3 = _mm256_loadu_ps(r + 24);
            const __m256 x = _mm256_broadcast_ss(h0 + k);
            a0 = _mm256_fmadd_ps(x, r0, a0);
            a1 = _mm256_fmadd_ps(x, r1, a1);
            a2 = _mm256_fmadd_ps(x, r2, a2);
            a3 = _mm256_fmadd_ps(x, r3, a3);
            const __m256 y = _mm256_broadcast_ss(h1 + k);
            b0 = _mm256_fmadd_ps(y, r0, b0);
            b1 = _mm256_fmadd_ps(y, r1, b1);
            b2 = _mm256_fmadd_ps(y, r2, b2);
            b3 = _mm256_fmadd_ps(y, r3, b3);
        }
        _mm256_storeu_ps(g0 + column, a0);
        _mm256_storeu_ps(g0 + column + 8, a1);
        _mm256_storeu_ps(g0 + column + 16, a2);
        _mm256_storeu_ps(g0 + column + 24, a3);
        if (count > 1) {
            _mm256_storeu_ps(g1 + column, b0);
            _mm256_storeu_ps(g1 + column + 8, b1);
            _mm256_storeu_ps(g1 + column + 16, b2);
            _mm256_storeu_ps(g1 + column + 24, b3);
        }
    }
}

/// Gate pre-activations for three rows, 32 columns at a time: twelve accumulators, the most
/// that leave room in the 16 vector registers for three of a k's four kernel vectors and a
/// broadcast of h. The fourth kernel vector is read by each row's FMA as a memory operand
/// instead. Per k that is 18 instructions for 12 FMAs, where gates_block takes 14 for 8. This
/// VM's slow phases take issue slots from dense code, and there fewer instructions per FMA
/// help (docs/performance.md).
///
/// The inner loop is assembly because it needs exactly those 16 registers: written with
/// intrinsics, clang schedules a broadcast early and spills an accumulator on every k. Each
/// column still starts from the projection and adds the products for k = 0, 1, … in order, with
/// the same FMAs, so a row gets the same bits here as in gates_block or gates_row. The loop runs
/// `units` ≥ 1 times: it is reached only through the column loop, which needs 4U ≥ 32.
AVX2 static inline void gates_triple(const LSTMLayer *layer, const int32_t *tokens, const float *h0,
                                     float *g0) {
    const int32_t units = layer->units, width = 4 * units;
    const float *in0 = layer->projection + (int64_t)tokens[0] * width;
    const float *in1 = layer->projection + (int64_t)tokens[1] * width;
    const float *in2 = layer->projection + (int64_t)tokens[2] * width;
    // The three rows' hidden states are consecutive, U floats apart (their gates 4U).
    const int64_t hiddenStride = (int64_t)units * (int64_t)sizeof(float);
    const int64_t kernelStride = (int64_t)width * (int64_t)sizeof(float);
    for (int32_t column = 0; column < width; column += 32) {
        __m256 a0 = _mm256_loadu_ps(in0 + column), a1 = _mm256_loadu_ps(in0 + column + 8);
        __m256 a2 = _mm256_loadu_ps(in0 + column + 16), a3 = _mm256_loadu_ps(in0 + column + 24);
        __m256 b0 = _mm256_loadu_ps(in1 + column), b1 = _mm256_loadu_ps(in1 + column + 8);
        __m256 b2 = _mm256_loadu_ps(in1 + column + 16), b3 = _mm256_loadu_ps(in1 + column + 24);
        __m256 c0 = _mm256_loadu_ps(in2 + column), c1 = _mm256_loadu_ps(in2 + column + 8);
        __m256 c2 = _mm256_loadu_ps(in2 + column + 16), c3 = _mm256_loadu_ps(in2 + column + 24);
        const float *r = layer->recurrent + column, *h = h0;
        int64_t remaining = units;
        __m256 r0, r1, r2, x;
        __asm__(
            ".p2align 6\n"
            "1:\n\t"
            "vmovups (%[r]), %[r0]\n\t"
            "vmovups 32(%[r]), %[r1]\n\t"
            "vmovups 64(%[r]), %[r2]\n\t"
            // Row 0: h0[k] times the k-th kernel row.
            "vbroadcastss (%[h]), %[x]\n\t"
            "vfmadd231ps %[r0], %[x], %[a0]\n\t"
            "vfmadd231ps %[r1], %[x], %[a1]\n\t"
            "vfmadd231ps %[r2], %[x], %[a2]\n\t"
            "vfmadd231ps 96(%[r]), %[x], %[a3]\n\t"
            // Row 1.
            "vbroadcastss (%[h],%[hs]), %[x]\n\t"
            "vfmadd231ps %[r0], %[x], %[b0]\n\t"
            "vfmadd231ps %[r1], %[x], %[b1]\n\t"
            "vfmadd231ps %[r2], %[x], %[b2]\n\t"
            "vfmadd231ps 96(%[r]), %[x], %[b3]\n\t"
            // Row 2.
            "vbroadcastss (%[h],%[hs2]), %[x]\n\t"
            "vfmadd231ps %[r0], %[x], %[c0]\n\t"
            "vfmadd231ps %[r1], %[x], %[c1]\n\t"
            "vfmadd231ps %[r2], %[x], %[c2]\n\t"
            "vfmadd231ps 96(%[r]), %[x], %[c3]\n\t"
            "add $4, %[h]\n\t"
            "add %[ks], %[r]\n\t"
            "dec %[remaining]\n\t"
            "jnz 1b\n\t"
            : [a0] "+x"(a0), [a1] "+x"(a1), [a2] "+x"(a2), [a3] "+x"(a3),
              [b0] "+x"(b0), [b1] "+x"(b1), [b2] "+x"(b2), [b3] "+x"(b3),
              [c0] "+x"(c0), [c1] "+x"(c1), [c2] "+x"(c2), [c3] "+x"(c3),
              [r0] "=&x"(r0), [r1] "=&x"(r1), [r2] "=&x"(r2), [x] "=&x"(x),
              [r] "+r"(r), [h] "+r"(h), [remaining] "+r"(remaining)
            : [hs] "r"(hiddenStride), [hs2] "r"(2 * hiddenStride), [ks] "r"(kernelStride)
            : "memory", "cc");
        (void)r0, (void)r1, (void)r2, (void)x;
        float *g1 = g0 + width, *g2 = g1 + width;
        _mm256_storeu_ps(g0 + column, a0);
        _mm256_storeu_ps(g0 + column + 8, a1);
        _mm256_storeu_ps(g0 + column + 16, a2);
        _mm256_storeu_ps(g0 + column + 24, a3);
        _mm256_storeu_ps(g1 + column, b0);
        _mm256_storeu_ps(g1 + column + 8, b1);
        _mm256_storeu_ps(g1 + column + 16, b2);
        _mm256_storeu_ps(g1 + column + 24, b3);
        _mm256_storeu_ps(g2 + column, c0);
        _mm256_storeu_ps(g2 + column + 8, c1);
        _mm256_storeu_ps(g2 + column + 16, c2);
        _mm256_storeu_ps(g2 + column + 24, c3);
    }
}

/// Gate pre-activations for one row, 64 columns at a time: the same eight accumulators as two
/// rows of gates_block, so half the FMAs of a pair with a dummy second row. Each column still
/// starts from the projection and adds the products for k = 0, 1, … in order, so a row gets the
/// same bits alone as in a pair. Needs 4U to be a multiple of 64.
AVX2 static inline void gates_row(const LSTMLayer *layer, int32_t token, const float *h, float *g) {
    const int32_t units = layer->units, width = 4 * units;
    const float *in = layer->projection + (int64_t)token * width;
    for (int32_t column = 0; column < width; column += 64) {
        __m256 a0 = _mm256_loadu_ps(in + column), a1 = _mm256_loadu_ps(in + column + 8);
        __m256 a2 = _mm256_loadu_ps(in + column + 16), a3 = _mm256_loadu_ps(in + column + 24);
        __m256 a4 = _mm256_loadu_ps(in + column + 32), a5 = _mm256_loadu_ps(in + column + 40);
        __m256 a6 = _mm256_loadu_ps(in + column + 48), a7 = _mm256_loadu_ps(in + column + 56);
        const float *r = layer->recurrent + column;
        for (int32_t k = 0; k < units; k++, r += width) {
            const __m256 x = _mm256_broadcast_ss(h + k);
            a0 = _mm256_fmadd_ps(x, _mm256_loadu_ps(r), a0);
            a1 = _mm256_fmadd_ps(x, _mm256_loadu_ps(r + 8), a1);
            a2 = _mm256_fmadd_ps(x, _mm256_loadu_ps(r + 16), a2);
            a3 = _mm256_fmadd_ps(x, _mm256_loadu_ps(r + 24), a3);
            a4 = _mm256_fmadd_ps(x, _mm256_loadu_ps(r + 32), a4);
            a5 = _mm256_fmadd_ps(x, _mm256_loadu_ps(r + 40), a5);
            a6 = _mm256_fmadd_ps(x, _mm256_loadu_ps(r + 48), a6);
            a7 = _mm256_fmadd_ps(x, _mm256_loadu_ps(r + 56), a7);
        }
        _mm256_storeu_ps(g + column, a0);
        _mm256_storeu_ps(g + column + 8, a1);
        _mm256_storeu_ps(g + column + 16, a2);
        _mm256_storeu_ps(g + column + 24, a3);
        _mm256_storeu_ps(g + column + 32, a4);
        _mm256_storeu_ps(g + column + 40, a5);
        _mm256_storeu_ps(g + column + 48, a6);
        _mm256_storeu_ps(g + column + 56, a7);
    }
}

/// Activations and the state update for one row whose gate pre-activations are in `g`.
AVX2 static inline void update_row(const LSTMLayer *layer, float *g, float *h, float *c) {
    const int32_t units = layer->units;
    for (int32_t k = 0; k < units; k += 8) {
        const __m256 i = activate8(layer->recurrentActivation, _mm256_loadu_ps(g + k));
        const __m256 f = activate8(layer->recurrentActivation, _mm256_loadu_ps(g + units + k));
        const __m256 candidate = activate8(layer->activation, _mm256_loadu_ps(g + 2 * units + k));
        const __m256 o = activate8(layer->recurrentActivation, _mm256_loadu_ps(g + 3 * units + k));
        const __m256 state = _mm256_fmadd_ps(f, _mm256_loadu_ps(c + k), _mm256_mul_ps(i, candidate));
        _mm256_storeu_ps(c + k, state);
        _mm256_storeu_ps(h + k, _mm256_mul_ps(o, activate8(layer->activation, state)));
    }
}

/// 2^y for |y| ≤ LSTM_EXP2_LIMIT: the usual layer's one transcendental (see update_rows_usual).
///
/// Its arguments come already multiplied by log2 e (lstm_scale_tables folds that into the
/// weights), so the range reduction takes additions only: n = round(y) from adding 1.5·2^23,
/// whose float sum keeps n in its low mantissa bits, and r = y − n, exact, |r| ≤ 1/2. 2^r is
/// e^(r·ln 2) by a degree-5 minimax polynomial for e^s on |s| ≤ ln2/2 with its coefficients
/// scaled by powers of ln 2 (the whole function stays within 1.8e-7 of 2^y on [−36, 36], in
/// steps of 1e-5), and 2^n is added straight into the exponent bits, which stay normal for
/// |n| ≤ 36. Beyond that they overflow: callers clamp y (exp2_8) unless y is known to be in
/// range. Five FMAs, where e^x took seven: multiplying by log2 e and by ln 2 in the range
/// reduction is no longer needed.
AVX2 static inline __m256 exp2_8_in_range(__m256 y) {
    const __m256 shifter = _mm256_set1_ps(12582912.0f);
    const __m256 t = _mm256_add_ps(y, shifter);
    const __m256 r = _mm256_sub_ps(y, _mm256_sub_ps(t, shifter));
    // The coefficients of e^s (8.297619410e-3, 4.191562906e-2, 1.666757613e-1, 4.999889135e-1,
    // 9.999997020e-1, 1.000000119) times ln2^5, ln2^4, …, 1, for e^(r·ln 2), in Horner form.
    __m256 p = _mm256_set1_ps(1.327641491e-03f);
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(9.675598366e-03f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(5.550713740e-02f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(2.402211804e-01f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(6.931469740e-01f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.000000119e+00f));
    const __m256i scale = _mm256_slli_epi32(_mm256_castps_si256(t), 23);
    return _mm256_castsi256_ps(_mm256_add_epi32(_mm256_castps_si256(p), scale));
}

/// 2^y for y clamped to ±LSTM_EXP2_LIMIT.
AVX2 static inline __m256 exp2_8(__m256 y) {
    return exp2_8_in_range(_mm256_min_ps(_mm256_max_ps(y, _mm256_set1_ps(-LSTM_EXP2_LIMIT)), _mm256_set1_ps(LSTM_EXP2_LIMIT)));
}

/// e^(−z) for each gate pre-activation z of one row (e^(−2z) for the candidate), in place in
/// `g`, which holds them on scaled tables as y = −z·log2 e (−2z·log2 e): 2^y.
/// `bounded`: every z is known to be within ±LSTM_UNCLAMPED_GATE_BOUND, so every y is within
/// ±LSTM_EXP2_LIMIT and the clamp, two instructions, can go; the results are the same either
/// way, since the clamp changes nothing in range. It is a constant at each call, so each caller
/// gets its own loop: one loop for all four gates, without the clamp where it cannot bind, is
/// fewer instructions per exponential on the FMA pipes that bound this code.
AVX2 static inline void usual_exponentials(int32_t units, float *g, int bounded) {
    for (int32_t k = 0; k < 4 * units; k += 8) {
        const __m256 y = _mm256_loadu_ps(g + k);
        _mm256_storeu_ps(g + k, bounded ? exp2_8_in_range(y) : exp2_8(y));
    }
}

/// The new cell state of one row of the usual layer, from its gates' exponentials in `g`.
AVX2 static inline void usual_cell(int32_t units, const float *g, float *c) {
    const __m256 one = _mm256_set1_ps(1.0f);
    for (int32_t k = 0; k < units; k += 8) {
        const __m256 a = _mm256_add_ps(one, _mm256_loadu_ps(g + k));
        const __m256 f = _mm256_add_ps(one, _mm256_loadu_ps(g + units + k));
        const __m256 candidate = _mm256_loadu_ps(g + 2 * units + k);
        const __m256 b = _mm256_add_ps(one, candidate), numerator = _mm256_sub_ps(one, candidate);
        const __m256 ab = _mm256_mul_ps(a, b);
        const __m256 kept = _mm256_fmadd_ps(_mm256_loadu_ps(c + k), ab, _mm256_mul_ps(numerator, f));
        _mm256_storeu_ps(c + k, _mm256_div_ps(kept, _mm256_mul_ps(f, ab)));
    }
}

/// The new hidden state of one row of the usual layer, from its new cell state and its output
/// gate's exponential.
AVX2 static inline void usual_hidden(int32_t units, const float *g, float *h, const float *c) {
    const __m256 one = _mm256_set1_ps(1.0f);
    for (int32_t k = 0; k < units; k += 8) {
        const __m256 state = _mm256_loadu_ps(c + k);
        const __m256 e = exp2_8(_mm256_mul_ps(state, _mm256_set1_ps(-2.0f * LSTM_LOG2E)));
        const __m256 o = _mm256_add_ps(one, _mm256_loadu_ps(g + 3 * units + k));
        _mm256_storeu_ps(h + k, _mm256_div_ps(_mm256_sub_ps(one, e), _mm256_mul_ps(o, _mm256_add_ps(one, e))));
    }
}

/// The usual layer (σ gates, tanh candidate and output) for `rows` rows whose gate
/// pre-activations are in `gates`, with two divisions per 8 units where separate activations
/// take five.
///
/// With E = e^(−x): σ(x) = 1/(1 + E) and tanh(x) = (1 − E₂)/(1 + E₂) for E₂ = e^(−2x), so
///     C′ = σ(f)·C + σ(i)·tanh(c̃) = (C·A·B + (1 − E₂c)·F) / (F·A·B)
///     h  = σ(o)·tanh(C′)        = (1 − E₂C′) / ((1 + Eo)·(1 + E₂C′))
/// where A = 1 + Ei, F = 1 + Ef, B = 1 + E₂c. exp2_8's clamp at ±36 (z or 2z at ±24.95) keeps
/// F·A·B below 4e32 (σ and tanh move by less than 3e-11). The forget gate scales that error by
/// |C|, and C·A·B overflows past |C| ≈ 6e16; |C| grows by less than 1 per step, so it stays
/// below maxLength.
/// The division unit and the two FMA pipes are what bound this code on Zen 3 (llvm-mca), so
/// dividing less and a cheaper exp are what speed up the whole step. Taking the exponentials as powers of two of pre-scaled gates (lstm_scale_tables) then saved
/// two of their seven FMAs each.
///
/// Three passes over all the rows, each of independent iterations: the gates' exponentials,
/// the new cell states, then the new hidden states. Within one row, each 8 units' chain from
/// gates to C′ to e^(−2C′) to h takes about 75 cycles of latency; pass by pass, no iteration
/// waits for the one before, so the processor need not look across rows to overlap them (row
/// by row it must, and does so less well).
AVX2 static inline void update_rows_usual(int32_t units, int32_t rows, float *gates, float *hidden, float *cell, int bounded) {
    const int32_t width = 4 * units;
    for (int32_t row = 0; row < rows; row++) usual_exponentials(units, gates + (int64_t)row * width, bounded);
    for (int32_t row = 0; row < rows; row++) usual_cell(units, gates + (int64_t)row * width, cell + (int64_t)row * units);
    for (int32_t row = 0; row < rows; row++) {
        usual_hidden(units, gates + (int64_t)row * width, hidden + (int64_t)row * units, cell + (int64_t)row * units);
    }
}

/// How many rows the next register block of the product takes, of the `left` rows still to do:
/// three while that leaves no single row (alone, a row takes gates_row, whose every kernel
/// load serves only it: about 1.7 times a row's share of a block), else two or one.
static inline int32_t block_rows(int32_t left) {
    return left == 2 || left == 4 ? 2 : left >= 3 ? 3 : left;
}

/// Gate pre-activations for `rows` rows, in register blocks of three rows where it can
/// (block_rows).
AVX2 static inline void gates_rows(const LSTMLayer *layer, int32_t rows, const int32_t *tokens, const float *hidden,
                                   float *gates) {
    const int32_t units = layer->units, width = 4 * units;
    for (int32_t row = 0, count = block_rows(rows); row < rows; row += count, count = block_rows(rows - row)) {
        // The next block's projection rows are scattered over a table larger than L2: ask for
        // them now, so they arrive while this block computes (a quarter of the step time on real
        // reviews).
        const int32_t next = row + count, end = next + block_rows(rows - next);
        for (int32_t ahead = next; ahead < rows && ahead < end; ahead++) lstm_prefetch_row(layer, tokens[ahead]);
        const float *h0 = hidden + (int64_t)row * units;
        float *g0 = gates + (int64_t)row * width;
        if (count == 3) {
            gates_triple(layer, tokens + row, h0, g0);
        } else if (count == 1 && width % 64 == 0) {
            gates_row(layer, tokens[row], h0, g0);
        } else {
            gates_block(layer, count, tokens + row, h0, count > 1 ? h0 + units : h0, g0, g0 + width);
        }
    }
}

// Cache-line aligned, so that code added elsewhere in this file cannot shift its loops across
// more cache lines than they need (adding lstm_step_portable once did, and slowed them).
AVX2 __attribute__((aligned(64))) static void step_avx2(const LSTMLayer *layer, int32_t rows, const int32_t *tokens,
                                                        float *hidden, float *cell, float *gates) {
    const int32_t units = layer->units, width = 4 * units;
    // Every row's gates first, then every row's activations: evaluated 8 units at a time right
    // after their product, the usual layer's activations formed a dependency chain (gates → C →
    // tanh C) of about 130 cycles that the processor could not overlap; as separate passes of
    // independent iterations they run at the arithmetic's own pace.
    gates_rows(layer, rows, tokens, hidden, gates);
    // Only layers of σ gates and tanh get scaled tables (lstm_wants_scaled_tables); any other
    // layer, or a usual one on tables as Keras stores them, takes update_row.
    if (layer->tablesScaled) {
        // The comparison is false for a NaN bound, which then takes the clamped loops.
        if (layer->gateBound > 0 && layer->gateBound <= LSTM_UNCLAMPED_GATE_BOUND) {
            update_rows_usual(units, rows, gates, hidden, cell, 1);
        } else {
            update_rows_usual(units, rows, gates, hidden, cell, 0);
        }
        return;
    }
    for (int32_t row = 0; row < rows; row++) {
        update_row(layer, gates + (int64_t)row * width, hidden + (int64_t)row * units, cell + (int64_t)row * units);
    }
}

static int cpu_has_avx2_fma(void) {
    // The processor model is filled in by the runtime's constructor before main.
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}
#endif

// MARK: - Entry points

int lstm_uses_avx2(const LSTMLayer *layer) {
#if LSTM_HAVE_X86
    return cpu_has_avx2_fma() && (4 * layer->units) % 32 == 0;
#else
    (void)layer;
    return 0;
#endif
}

int lstm_wants_scaled_tables(const LSTMLayer *layer) {
    return lstm_uses_avx2(layer) && layer->recurrentActivation.kind == LSTMActivationSigmoid
        && layer->activation.kind == LSTMActivationTanh;
}

void lstm_scale_tables(int32_t units, int64_t vocabulary, float *projection, float *recurrent) {
    const int32_t width = 4 * units;
    for (int64_t row = 0; row < vocabulary + units; row++) {
        float *values = row < vocabulary ? projection + row * width : recurrent + (row - vocabulary) * width;
        for (int32_t column = 0; column < width; column++) {
            values[column] *= column >= 2 * units && column < 3 * units ? -2.0f * LSTM_LOG2E : -LSTM_LOG2E;
        }
    }
}

void lstm_step(const LSTMLayer *layer, int32_t rows, const int32_t *tokens,
               float *hidden, float *cell, float *gates) {
#if LSTM_HAVE_X86
    if (lstm_uses_avx2(layer)) {
        step_avx2(layer, rows, tokens, hidden, cell, gates);
        return;
    }
#endif
    step_portable(layer, rows, tokens, hidden, cell, gates);
}

void lstm_prefetch(const LSTMLayer *layer, int32_t rows, const int32_t *tokens) {
    for (int32_t row = 0; row < rows; row++) lstm_prefetch_row(layer, tokens[row]);
}

void lstm_step_portable(const LSTMLayer *layer, int32_t rows, const int32_t *tokens,
                        float *hidden, float *cell, float *gates) {
    step_portable(layer, rows, tokens, hidden, cell, gates);
}
