/// A float32 tensor, row-major (C order), as stored in the file.
package struct Tensor: Sendable, Equatable {
    package let shape: [Int]
    package let values: [Float]

    /// `values.count` should equal the product of `shape` (an empty shape is a scalar with one value).
    package init(shape: [Int], values: [Float]) {
        self.shape = shape
        self.values = values
    }
}
