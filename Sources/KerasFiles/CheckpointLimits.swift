/// Upper bounds applied while reading untrusted checkpoint files. Every size read from a file is checked
/// against these (and against the bytes actually present) before anything is allocated.
package struct CheckpointLimits: Sendable, Equatable {
    /// Largest file accepted, in bytes. Default 512 MiB.
    package var maxFileBytes: Int
    /// Largest uncompressed size of one zip entry, in bytes. Default 512 MiB.
    package var maxEntryBytes: Int
    /// Most entries in a zip central directory. Default 10,000.
    package var maxZipEntries: Int
    /// Deepest nesting of HDF5 groups, soft-link hops and JSON containers followed. Default 64.
    package var maxDepth: Int
    /// Most elements in one tensor or attribute (element count, not bytes). Default 2^25 = 33,554,432
    /// (128 MiB of float32).
    package var maxTensorElements: Int
    /// Most HDF5 structures (B-tree nodes, header continuation blocks, symbol-table nodes, chunks) visited
    /// while reading one object. Default 1,000,000.
    package var maxStructures: Int
    /// Largest JSON text parsed (config.json, model_config), in bytes. Default 64 MiB.
    package var maxJSONBytes: Int

    package init(
        maxFileBytes: Int = 512 << 20,
        maxEntryBytes: Int = 512 << 20,
        maxZipEntries: Int = 10_000,
        maxDepth: Int = 64,
        maxTensorElements: Int = 1 << 25,
        maxStructures: Int = 1_000_000,
        maxJSONBytes: Int = 64 << 20
    ) {
        self.maxFileBytes = maxFileBytes
        self.maxEntryBytes = maxEntryBytes
        self.maxZipEntries = maxZipEntries
        self.maxDepth = maxDepth
        self.maxTensorElements = maxTensorElements
        self.maxStructures = maxStructures
        self.maxJSONBytes = maxJSONBytes
    }
}
