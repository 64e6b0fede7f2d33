import CLSTMKernel

/// One LSTM time step over a batch of rows, on the precomputed input projection.
///
/// Keras gate columns are ordered `i, f, c, o`:
/// `i, f, o = σ(z)`, `c̃ = act(z)`, `C = f ⊙ C + i ⊙ c̃`, `h = o ⊙ act(C)`,
/// where `z = P[token] + h·R` and `P[token] = E[token]·W + b` is a table row.
/// The step itself runs in C (`CLSTMKernel`), with AVX2/FMA where the processor has it.
///
/// The tables live in memory this object allocates once and never writes after `init`, so the
/// C description ``layer`` points into them for the kernel's whole life, and every step is a
/// plain call with no array access or reference counting on the way.
final class LSTMStepKernel: @unchecked Sendable {
    let units: Int
    /// Rows of the input projection: ids `0..<vocabularySize`.
    let vocabularySize: Int
    /// `[vocabularySize, 4·units]`: `E[id]·W + b` for every id, then `[units, 4·units]`: the recurrent kernel;
    /// for the AVX2 path's usual layer, each gate column scaled as `lstm_scale_tables` describes.
    private let tables: UnsafeMutableBufferPointer<Float>
    /// The kernel's description of this layer, pointing into `tables`.
    private let layer: LSTMLayer
    /// Whether every step takes the portable implementation, even where AVX2 is available.
    private let portableOnly: Bool
    /// A bound on the magnitude of every gate pre-activation (see `LSTMLayer.gateBound`); infinite
    /// if a table holds a value that is not finite.
    let gateBound: Float

    /// Which implementation of the step runs.
    enum Path: Sendable {
        /// AVX2/FMA where the processor has it, without the gates' range clamp where `gateBound` allows.
        case fastest
        /// The portable implementation, even where AVX2 is available.
        case portable
        /// As `fastest`, but as if no gate bound were known: the AVX2 path always clamps.
        case withoutGateBound
    }

    /// - Parameter path: `fastest` but in tests, which use the others to check those paths on any processor.
    init(architecture: ModelArchitecture, weights: LSTMWeights, path: Path) {
        let width = architecture.embeddingWidth
        let gates = 4 * architecture.units
        let vocabularySize = architecture.vocabularySize
        let recurrentCount = architecture.units * gates
        precondition(weights.recurrentKernel.count == recurrentCount, "recurrent kernel shape checked by the loader")
        // Cache-line aligned, so a projection row of 4U floats (U a multiple of 4) covers whole
        // lines and the kernel's prefetch of a row touches exactly its lines.
        let count = vocabularySize * gates + recurrentCount
        let raw = UnsafeMutableRawPointer.allocate(byteCount: count * MemoryLayout<Float>.stride, alignment: 64)
        tables = UnsafeMutableBufferPointer(start: raw.bindMemory(to: Float.self, capacity: count), count: count)
        tables.initialize(repeating: 0)
        let projection = tables.baseAddress!
        let recurrent = projection + vocabularySize * gates
        // P[id] = E[id]·W + b, one row per id: a [V, E] × [E, 4U] product done once at load.
        weights.embeddings.withUnsafeBufferPointer { embeddings in
            weights.kernel.withUnsafeBufferPointer { kernel in
                for id in 0..<vocabularySize {
                    let row = projection + id * gates
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
        _ = UnsafeMutableBufferPointer(start: recurrent, count: recurrentCount).update(fromContentsOf: weights.recurrentKernel)
        let gateBound = Self.gateBound(
            projection: UnsafeBufferPointer(start: projection, count: vocabularySize * gates),
            recurrent: UnsafeBufferPointer(start: recurrent, count: recurrentCount), gates: gates)
        self.units = architecture.units
        self.vocabularySize = vocabularySize
        self.gateBound = gateBound
        var layer = LSTMLayer(
            units: Int32(architecture.units), projection: projection, recurrent: recurrent,
            activation: architecture.activation.cValue, recurrentActivation: architecture.recurrentActivation.cValue,
            gateBound: path == .withoutGateBound ? 0 : gateBound, tablesScaled: 0)
        // The AVX2 path's usual layer takes its gates' exponentials as powers of two of scaled
        // pre-activations; the scaling is folded into the tables here, once.
        if path != .portable && lstm_wants_scaled_tables(&layer) != 0 {
            lstm_scale_tables(Int32(architecture.units), Int64(vocabularySize), projection, recurrent)
            layer.tablesScaled = 1
        }
        self.layer = layer
        self.portableOnly = path == .portable
    }

    /// max |P| + the largest column sum of |R|. With σ gates and tanh, the only layers whose AVX2
    /// step consults it, every hidden state (the padding states too) is `σ(o) ⊙ tanh(C)`, at most
    /// 1 in magnitude, so no gate pre-activation `P[id] + h·R` can exceed it. Infinite if any
    /// value is not finite.
    static func gateBound(projection: UnsafeBufferPointer<Float>, recurrent: UnsafeBufferPointer<Float>, gates: Int) -> Float {
        var largest: Float = 0
        for value in projection {
            guard value.isFinite else { return .infinity }
            largest = max(largest, abs(value))
        }
        var columnSums = [Float](repeating: 0, count: gates)
        for (index, value) in recurrent.enumerated() {
            guard value.isFinite else { return .infinity }
            columnSums[index % gates] += abs(value)
        }
        return largest + (columnSums.max() ?? 0)
    }

    deinit {
        UnsafeMutableRawPointer(tables.baseAddress!).deallocate()
    }

    /// Whether the AVX2/FMA path runs on this processor for this layer.
    var usesAVX2: Bool {
        !portableOnly && withUnsafePointer(to: layer) { lstm_uses_avx2($0) != 0 }
    }

    /// Advances the first `rows` rows of `hidden` and `cell` by one token each.
    ///
    /// `tokens[r]` is row *r*'s id, already checked to be inside the table; `gates` is scratch
    /// of at least `rows · 4·units` floats.
    @inline(__always)
    func step(
        rows: Int, tokens: UnsafeMutableBufferPointer<Int32>,
        hidden: UnsafeMutableBufferPointer<Float>, cell: UnsafeMutableBufferPointer<Float>, gates: UnsafeMutableBufferPointer<Float>
    ) {
        precondition(tokens.count >= rows && hidden.count >= rows * units && cell.count >= rows * units && gates.count >= rows * 4 * units)
        withUnsafePointer(to: layer) { layer in
            if portableOnly {
                lstm_step_portable(layer, Int32(rows), tokens.baseAddress, hidden.baseAddress, cell.baseAddress, gates.baseAddress)
            } else {
                lstm_step(layer, Int32(rows), tokens.baseAddress, hidden.baseAddress, cell.baseAddress, gates.baseAddress)
            }
        }
    }

    /// The most rows of a step's first register block: how many of the next step's rows a
    /// caller should `prefetch` ahead.
    static let leadRows = Int(LSTM_LEAD_ROWS)

    /// Hints that the projection rows of `tokens[0..<rows]` are needed soon (see `lstm_prefetch`).
    @inline(__always)
    func prefetch(rows: Int, tokens: UnsafeMutableBufferPointer<Int32>) {
        precondition(tokens.count >= rows)
        withUnsafePointer(to: layer) { lstm_prefetch($0, Int32(rows), tokens.baseAddress) }
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
