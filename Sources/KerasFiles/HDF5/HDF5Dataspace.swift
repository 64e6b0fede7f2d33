/// A dataspace message (spec §IV.A.2.b): the dimensions of a dataset or attribute.
struct HDF5Dataspace: Sendable, Equatable {
    /// Current dimensions; empty for a scalar.
    let dimensions: [Int]
    /// A null dataspace holds no elements at all.
    let isNull: Bool

    static func parse(_ reader: inout ByteReader, file: HDF5File) throws(CheckpointError) -> HDF5Dataspace {
        let version = try reader.u8()
        let rank = Int(try reader.u8())
        let flags = try reader.u8()
        var isNull = false
        switch version {
        case 1:
            try reader.skip(5)  // reserved
        case 2:
            isNull = try reader.u8() == 2  // 0 scalar, 1 simple, 2 null
        default:
            throw .hdf5UnsupportedVersion(structure: "dataspace message", version: Int(version))
        }
        guard rank <= 32 else { throw .hdf5Corrupt("dataspace rank \(rank) exceeds HDF5's maximum of 32") }
        var dimensions: [Int] = []
        for _ in 0..<rank {
            dimensions.append(try file.readLength(&reader, what: "dataspace dimension"))
        }
        _ = flags  // maximum dimensions and permutation indices follow; not needed
        return HDF5Dataspace(dimensions: dimensions, isNull: isNull)
    }

    /// Number of elements, refusing overflow and counts above `limit`.
    func elementCount(limit: Int, what: String) throws(CheckpointError) -> Int {
        isNull ? 0 : try Checked.elementCount(dimensions, limit: limit, what: what)
    }
}
