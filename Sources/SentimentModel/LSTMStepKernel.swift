import CLSTMKernel

/// One LSTM time step over a batch of rows, on the precomputed input projection.
///
/// Keras gate columns are ordered `i, f, c, o`:
/// `i, f, o = σ(z)`, `c̃ = act(z)`, `C = f ⊙ C + i ⊙ c̃`, `h = o ⊙ act(C)`,
/// where `z = P[token] + h·R` and `P[token] = E[token]·W + b` is a table row.
/// The step itself runs in C (`CLSTMKernel`), with AVX2/FMA where the processor has it.
struct LSTMStepKernel: Sendable {
    let units: Int
    let activation: Activation
    let recurrentActivation: Activation
    /// `[vocabularySize, 4·units]`: `E[id]·W + b` for every id.
    let inputProjection: [Float]
    /// `[units, 4·units]`.
    let recurrentKernel: [Float]

    init(architecture: ModelArchitecture, weights: LSTMWeights) {
        let width = architecture.embeddingWidth
        let gates = 4 * architecture.units
        // P[id] = E[id]·W + b, one row per id: a [V, E] × [E, 4U] product done once at load.
        var projection = [Float](repeating: 0, count: architecture.vocabularySize * gates)
        projection.withUnsafeMutableBufferPointer { projection in
            weights.embeddings.withUnsafeBufferPointer { embeddings in
                weights.kernel.withUnsafeBufferPointer { kernel in
                    for id in 0..<architecture.vocabularySize {
                        let row = projection.baseAddress! + id * gates
                        if !weights.bias.isEmpty {
                            for column in 0..<gates { row[column] = weights.bias[column] }
                        }
                        for k in 0..<width {
                            let value = embeddings[id * width + k]
                            let kernelRow = kernel.baseAddress! + k * gates
                            for column in 0..<gates { row[column] += value * kernelRow[column] }
                        }
                    }
                }
            }
        }
        self.units = architecture.units
        self.activation = architecture.activation
        self.recurrentActivation = architecture.recurrentActivation
        self.inputProjection = projection
        self.recurrentKernel = weights.recurrentKernel
    }

    /// Whether the AVX2/FMA path runs on this processor for this layer.
    var usesAVX2: Bool {
        withLayer { lstm_uses_avx2($0) != 0 }
    }

    /// Advances the first `rows` rows of `hidden` and `cell` by one token each.
    ///
    /// `tokens[r]` is row *r*'s id, already checked to be inside the table; `gates` is scratch
    /// of at least `rows · 4·units` floats.
    func step(rows: Int, tokens: [Int32], hidden: inout [Float], cell: inout [Float], gates: inout [Float]) {
        withLayer { layer in
            tokens.withUnsafeBufferPointer { tokens in
                hidden.withUnsafeMutableBufferPointer { hidden in
                    cell.withUnsafeMutableBufferPointer { cell in
                        gates.withUnsafeMutableBufferPointer { gates in
                            Self.step(layer, rows: rows, tokens: UnsafeMutableBufferPointer(mutating: tokens), hidden: hidden, cell: cell, gates: gates)
                        }
                    }
                }
            }
        }
    }

    /// The same step on buffers the caller holds open for a whole pass (see ``withLayer(_:)``).
    @inline(__always)
    static func step(
        _ layer: UnsafePointer<LSTMLayer>, rows: Int, tokens: UnsafeMutableBufferPointer<Int32>,
        hidden: UnsafeMutableBufferPointer<Float>, cell: UnsafeMutableBufferPointer<Float>, gates: UnsafeMutableBufferPointer<Float>
    ) {
        let units = Int(layer.pointee.units)
        precondition(tokens.count >= rows && hidden.count >= rows * units && cell.count >= rows * units && gates.count >= rows * 4 * units)
        lstm_step(layer, Int32(rows), tokens.baseAddress, hidden.baseAddress, cell.baseAddress, gates.baseAddress)
    }

    /// Hints that the projection rows of `tokens[0..<rows]` are needed soon (see `lstm_prefetch`).
    @inline(__always)
    static func prefetch(_ layer: UnsafePointer<LSTMLayer>, rows: Int, tokens: UnsafeMutableBufferPointer<Int32>) {
        precondition(tokens.count >= rows)
        lstm_prefetch(layer, Int32(rows), tokens.baseAddress)
    }

    /// Calls `body` with the kernel's C description, valid only inside `body`.
    func withLayer<T>(_ body: (UnsafePointer<LSTMLayer>) -> T) -> T {
        inputProjection.withUnsafeBufferPointer { projection in
            recurrentKernel.withUnsafeBufferPointer { recurrent in
                var layer = LSTMLayer(
                    units: Int32(units), projection: projection.baseAddress, recurrent: recurrent.baseAddress,
                    activation: activation.cValue, recurrentActivation: recurrentActivation.cValue)
                return body(&layer)
            }
        }
    }
}

extension Activation {
    /// The kernel's description of this function.
    var cValue: LSTMActivation {
        switch self {
        case .sigmoid: return LSTMActivation(kind: Int32(LSTMActivationSigmoid.rawValue), slope: 0)
        case .tanh: return LSTMActivation(kind: Int32(LSTMActivationTanh.rawValue), slope: 0)
        case .hardSigmoid(let slope): return LSTMActivation(kind: Int32(LSTMActivationHardSigmoid.rawValue), slope: slope)
        case .relu: return LSTMActivation(kind: Int32(LSTMActivationReLU.rawValue), slope: 0)
        case .linear: return LSTMActivation(kind: Int32(LSTMActivationLinear.rawValue), slope: 0)
        }
    }
}
