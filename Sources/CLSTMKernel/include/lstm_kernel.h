#ifndef LSTM_KERNEL_H
#define LSTM_KERNEL_H

#include <stdint.h>

/// Element-wise activation functions of the supported Keras family.
typedef enum {
    LSTMActivationSigmoid = 0,
    LSTMActivationTanh = 1,
    /// clip(slope * x + 0.5, 0, 1): slope 1/6 in Keras 3, 0.2 in Keras 2.
    LSTMActivationHardSigmoid = 2,
    LSTMActivationReLU = 3,
    LSTMActivationLinear = 4,
} LSTMActivationKind;

typedef struct {
    int32_t kind;  ///< an LSTMActivationKind
    float slope;   ///< hard sigmoid only
} LSTMActivation;

/// The read-only tables of one LSTM layer, laid out as Keras stores them.
typedef struct {
    int32_t units;              ///< U
    const float *projection;    ///< [vocabulary, 4U]: E[id]·W + b per id
    const float *recurrent;     ///< [U, 4U], gate columns i, f, c, o
    LSTMActivation activation;  ///< candidate and cell output (tanh)
    LSTMActivation recurrentActivation;  ///< i, f, o gates (sigmoid)
    /// A bound on |z| for every gate pre-activation z = P[token] + h·R of the usual layer (σ
    /// gates, tanh), whose h = σ(o)·tanh(C) never exceeds 1 in magnitude: max |P| + the largest
    /// column sum of |R|. Zero (or NaN) if not known. When it is at most
    /// LSTM_UNCLAMPED_GATE_BOUND, the AVX2 path skips the range clamp in the gates' exponentials.
    float gateBound;
    /// Nonzero once lstm_scale_tables has prepared `projection` and `recurrent` for the AVX2
    /// path's usual layer: such tables are for that path only (not for lstm_step_portable).
    int32_t tablesScaled;
} LSTMLayer;

/// The largest LSTMLayer.gateBound for which the AVX2 path skips the clamp in the gates'
/// exponentials: the candidate's argument is −2z·log2 e, which must stay within ±36 (see exp2_8),
/// with a margin far larger than the rounding of the sums behind z.
#define LSTM_UNCLAMPED_GATE_BOUND 12.0f

/// Advances the first `rows` rows of `hidden` and `cell` ([rows, U] each) by one token:
/// z = P[token] + h·R; i, f, o = σ(z); c̃ = act(z); C = f⊙C + i⊙c̃; h = o⊙act(C).
/// Precondition: every tokens[r] lies in [0, vocabulary) of `projection`'s rows. Nothing here
/// checks it (the look-up is projection + tokens[r]·4U); the Swift caller only accepts ids
/// checked against the table (TokenSequence). The same holds for lstm_step_portable and
/// lstm_prefetch.
/// `gates` is scratch of at least rows·4U floats. A row's result never depends on the other
/// rows or on `rows`, so a batched pass equals unbatched passes bit for bit.
/// Uses AVX2 and FMA when the processor has them and 4U is a multiple of 32.
void lstm_step(const LSTMLayer *layer, int32_t rows, const int32_t *tokens,
               float *hidden, float *cell, float *gates);

/// Whether lstm_step runs this layer on its AVX2 path as the usual LSTM (σ gates, tanh), which
/// is faster on tables lstm_scale_tables has prepared.
int lstm_wants_scaled_tables(const LSTMLayer *layer);

/// Prepares a layer's tables for the AVX2 path's usual layer, in place: multiplies the i, f and
/// o columns of `projection` ([vocabulary, 4U]) and `recurrent` ([U, 4U]) by −log2 e and the
/// candidate's by −2·log2 e, so that each gate pre-activation z comes out as the power of two
/// that the state update needs (e^(−z), or e^(−2z) for the candidate). Set the layer's
/// tablesScaled afterwards. Compute LSTMLayer.gateBound from the tables as they were.
void lstm_scale_tables(int32_t units, int64_t vocabulary, float *projection, float *recurrent);

/// lstm_step's portable implementation, whatever the processor (tests check it on AVX2 machines).
void lstm_step_portable(const LSTMLayer *layer, int32_t rows, const int32_t *tokens,
                        float *hidden, float *cell, float *gates);

/// Asks the processor to start loading the projection rows of `tokens[0..<rows]`: a hint that
/// lets the first rows of the next step arrive while this one computes. lstm_step itself
/// fetches each register block's successors ahead.
void lstm_prefetch(const LSTMLayer *layer, int32_t rows, const int32_t *tokens);

/// The most rows a step's first register block takes: the rows worth lstm_prefetch-ing a step
/// ahead.
#define LSTM_LEAD_ROWS 3

/// Asks the processor to start loading the cache line at `address` into all its caches, for a
/// read that will follow soon; a hint only, which never faults. Inline, so Swift callers pay no call.
static inline void lstm_prefetch_for_reading(const void *address) { __builtin_prefetch(address, 0, 3); }

/// Whether lstm_step takes its AVX2/FMA path for this layer on this processor.
int lstm_uses_avx2(const LSTMLayer *layer);

#endif
