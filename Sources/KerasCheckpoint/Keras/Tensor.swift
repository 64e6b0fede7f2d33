/// A float32 tensor, row-major (C order), as stored in the file.
public struct Tensor: Sendable, Equatable {
    public let shape: [Int]
    public let values: [Float]

    /// `values.count` should equal the product of `shape` (an empty shape is a scalar with one value).
    public init(shape: [Int], values: [Float]) {
        self.shape = shape
        self.values = values
    }
}
