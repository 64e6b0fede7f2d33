/// Where one chunk is stored: its first element's coordinates, file address and stored (filtered) size.
struct HDF5ChunkLocation {
    let offsets: [Int]
    let address: UInt64
    let size: Int
    let filterMask: UInt32
}

extension HDF5File {
    /// Lists the stored chunks of a dataset from its chunk index.
    func chunkLocations(
        _ path: String, shape: [Int], chunk: [Int], chunkBytes: Int, index: HDF5DataLayout.ChunkIndex
    ) throws(CheckpointError) -> [HDF5ChunkLocation] {
        let grid = zip(shape, chunk).map { ($0 + $1 - 1) / $1 }
        let chunkCount = try Checked.elementCount(grid, limit: limits.maxStructures, what: "chunk count of '\(path)'")
        switch index {
        case .btreeV1(let root):
            return try btreeChunks(path, root: root, rank: shape.count)
        case .singleChunk(let address, let filteredSize, let mask):
            return [HDF5ChunkLocation(offsets: shape.map { _ in 0 }, address: address, size: filteredSize ?? chunkBytes, filterMask: mask)]
        case .implicit(let base):
            guard !isUndefined(base) else { return [] }
            return try (0..<chunkCount).map { (ordinal: Int) throws(CheckpointError) -> HDF5ChunkLocation in
                let byteOffset = try Checked.multiply(ordinal, chunkBytes, "implicit chunk offset of '\(path)'")
                return HDF5ChunkLocation(
                    offsets: Self.chunkOffsets(ordinal, grid: grid, chunk: chunk), address: base &+ UInt64(byteOffset), size: chunkBytes,
                    filterMask: 0)
            }
        case .fixedArray(let header):
            guard !isUndefined(header) else { return [] }
            return try fixedArrayChunks(path, header: header, grid: grid, chunk: chunk, chunkCount: chunkCount, chunkBytes: chunkBytes)
        case .unsupported(let type):
            let names = [4: "extensible array", 5: "version 2 B-tree"]
            throw .hdf5Unsupported("chunk index type \(type) (\(names[type] ?? "unknown")) of '\(path)'")
        }
    }

    /// Coordinates of the chunk with row-major number `ordinal` in the chunk grid.
    private static func chunkOffsets(_ ordinal: Int, grid: [Int], chunk: [Int]) -> [Int] {
        var rest = ordinal
        var offsets = [Int](repeating: 0, count: grid.count)
        for axis in stride(from: grid.count - 1, through: 0, by: -1) {
            offsets[axis] = (rest % grid[axis]) * chunk[axis]
            rest /= grid[axis]
        }
        return offsets
    }

    /// Version 1 B-tree of type 1 (spec §III.A.1): each key holds the chunk's stored size, filter mask and
    /// element offsets (one more than the rank; the last is the element-size dimension).
    private func btreeChunks(_ path: String, root: UInt64, rank: Int) throws(CheckpointError) -> [HDF5ChunkLocation] {
        guard !isUndefined(root) else { return [] }
        let keySize = 8 + 8 * (rank + 1)
        var result: [HDF5ChunkLocation] = []
        for entry in try btreeV1Leaves(root: root, nodeType: 1, keySize: keySize, context: "chunks of '\(path)'") {
            var key = try ByteReader(bytes, at: entry.keyStart, count: keySize, context: "chunk key of '\(path)'")
            let size = Int(try key.u32())
            let mask = try key.u32()
            var offsets: [Int] = []
            for _ in 0..<rank { offsets.append(try key.int(size: 8, what: "chunk offset")) }
            result.append(HDF5ChunkLocation(offsets: offsets, address: entry.child, size: size, filterMask: mask))
        }
        return result
    }

    /// Fixed array index (spec §III.H.3 "Fixed Array"): header "FAHD" → data block "FADB" of one entry per
    /// chunk in row-major grid order. Paged data blocks are not supported.
    private func fixedArrayChunks(
        _ path: String, header address: UInt64, grid: [Int], chunk: [Int], chunkCount: Int, chunkBytes: Int
    ) throws(CheckpointError) -> [HDF5ChunkLocation] {
        var header = try reader(at: address, context: "fixed array header of '\(path)'")
        try expectSignature(&header, "FAHD", address: address)
        let version = try header.u8()
        guard version == 0 else { throw .hdf5UnsupportedVersion(structure: "fixed array header", version: Int(version)) }
        let clientID = try header.u8()
        let entrySize = Int(try header.u8())
        let pageBits = Int(try header.u8())
        let entryCount = try readLength(&header, what: "fixed array entry count")
        let blockAddress = try readAddress(&header)
        guard entryCount == chunkCount else { throw .hdf5Corrupt("fixed array of '\(path)' has \(entryCount) entries for \(chunkCount) chunks") }
        guard pageBits >= 32 || entryCount <= 1 << pageBits else { throw .hdf5Unsupported("paged fixed array chunk index of '\(path)'") }
        let filtered = clientID == 1
        let sizeWidth = entrySize - offsetSize - 4
        guard filtered ? (1...8).contains(sizeWidth) : entrySize == offsetSize else {
            throw .hdf5Corrupt("fixed array entry size \(entrySize) of '\(path)'")
        }

        var block = try reader(at: blockAddress, context: "fixed array data block of '\(path)'")
        try expectSignature(&block, "FADB", address: blockAddress)
        try block.skip(2 + offsetSize)  // version, client ID, header address
        var result: [HDF5ChunkLocation] = []
        for ordinal in 0..<entryCount {
            let chunkAddress = try readAddress(&block)
            var size = chunkBytes
            var mask: UInt32 = 0
            if filtered {
                size = try block.int(size: sizeWidth, what: "filtered chunk size")
                mask = try block.u32()
            }
            result.append(
                HDF5ChunkLocation(
                    offsets: Self.chunkOffsets(ordinal, grid: grid, chunk: chunk), address: chunkAddress, size: size, filterMask: mask))
        }
        return result
    }
}
