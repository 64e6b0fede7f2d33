import Glibc

/// An element-wise activation function of the supported Keras family.
package enum Activation: Sendable, Equatable, CustomStringConvertible {
    case sigmoid
    case tanh
    /// Piecewise-linear sigmoid `clip(slope·x + 0.5, 0, 1)`: slope 1/6 in Keras 3, 0.2 in Keras 1 and 2.
    case hardSigmoid(slope: Float)
    case relu
    case linear

    /// Reads a Keras activation name; `legacySemantics` selects Keras 2's `hard_sigmoid` slope.
    init?(kerasName name: String, legacySemantics: Bool) {
        switch name {
        case "sigmoid": self = .sigmoid
        case "tanh": self = .tanh
        case "hard_sigmoid": self = .hardSigmoid(slope: legacySemantics ? 0.2 : 1.0 / 6.0)
        case "relu": self = .relu
        case "linear": self = .linear
        default: return nil
        }
    }

    package var description: String {
        switch self {
        case .sigmoid: return "sigmoid"
        case .tanh: return "tanh"
        case .hardSigmoid(let slope): return slope == 0.2 ? "hard_sigmoid (Keras 2: 0.2x + 0.5)" : "hard_sigmoid (Keras 3: x/6 + 0.5)"
        case .relu: return "relu"
        case .linear: return "linear"
        }
    }

    /// Applies the function in place to `count` values starting at `values`.
    @inline(__always)
    func apply(_ values: UnsafeMutablePointer<Float>, count: Int) {
        switch self {
        case .sigmoid:
            for index in 0..<count { values[index] = 1 / (1 + Glibc.exp(-values[index])) }
        case .tanh:
            for index in 0..<count { values[index] = Glibc.tanh(values[index]) }
        case .hardSigmoid(let slope):
            for index in 0..<count { values[index] = min(max(slope * values[index] + 0.5, 0), 1) }
        case .relu:
            for index in 0..<count { values[index] = max(values[index], 0) }
        case .linear:
            break
        }
    }

    /// The function of one value.
    func callAsFunction(_ value: Float) -> Float {
        var result = value
        apply(&result, count: 1)
        return result
    }
}
