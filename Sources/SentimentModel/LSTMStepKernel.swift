/// One LSTM time step over a batch of rows, on the precomputed input projection.
///
/// Keras gate columns are ordered `i, f, c, o`:
/// `i, f, o = σ(z)`, `c̃ = act(z)`, `C = f ⊙ C + i ⊙ c̃`, `h = o ⊙ act(C)`,
/// where `z = P[token] + h·R` and `P[token] = E[token]·W + b` is a table row.
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

    /// Advances the first `rows` rows of `hidden` and `cell` by one token each.
    ///
    /// `tokens[r]` is row *r*'s id; `gates` is scratch of at least `rows · 4·units` floats.
    func step(rows: Int, tokens: [Int32], hidden: inout [Float], cell: inout [Float], gates: inout [Float]) {
        precondition(tokens.count >= rows && hidden.count >= rows * units && cell.count >= rows * units && gates.count >= rows * 4 * units)
        let units = self.units
        let width = 4 * units
        inputProjection.withUnsafeBufferPointer { projection in
            recurrentKernel.withUnsafeBufferPointer { recurrent in
                hidden.withUnsafeMutableBufferPointer { hidden in
                    cell.withUnsafeMutableBufferPointer { cell in
                        gates.withUnsafeMutableBufferPointer { gates in
                            for row in 0..<rows {
                                let g = gates.baseAddress! + row * width
                                let h = hidden.baseAddress! + row * units
                                let c = cell.baseAddress! + row * units
                                let input = projection.baseAddress! + Int(tokens[row]) * width
                                for column in 0..<width { g[column] = input[column] }
                                for k in 0..<units {
                                    let hk = h[k]
                                    let kernelRow = recurrent.baseAddress! + k * width
                                    for column in 0..<width { g[column] += hk * kernelRow[column] }
                                }
                                recurrentActivation.apply(g, count: 2 * units)  // i, f
                                activation.apply(g + 2 * units, count: units)  // c̃
                                recurrentActivation.apply(g + 3 * units, count: units)  // o
                                for k in 0..<units {
                                    c[k] = g[units + k] * c[k] + g[k] * g[2 * units + k]
                                    h[k] = c[k]
                                }
                                activation.apply(h, count: units)
                                for k in 0..<units { h[k] *= g[3 * units + k] }
                            }
                        }
                    }
                }
            }
        }
    }
}
