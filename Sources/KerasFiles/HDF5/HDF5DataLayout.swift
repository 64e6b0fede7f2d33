/// Where a dataset's raw data lives: data layout message versions 3 and 4 (spec §IV.A.2.i).
enum HDF5DataLayout: Sendable {
    /// How chunk addresses are found (layout version 4 adds the non-B-tree indexes).
    enum ChunkIndex: Sendable {
        case btreeV1(UInt64)
        case singleChunk(address: UInt64, filteredSize: Int?, filterMask: UInt32)
        case implicit(UInt64)
        case fixedArray(UInt64)
        case unsupported(Int)
    }

    case compact(start: Int, count: Int)
    case contiguous(address: UInt64, size: Int)
    /// `chunk` excludes the trailing element-size dimension.
    case chunked(chunk: [Int], index: ChunkIndex)

    static func parse(_ reader: inout ByteReader, file: HDF5File, dataset: String) throws(CheckpointError) -> HDF5DataLayout {
        let version = try reader.u8()
        guard version == 3 || version == 4 else { throw .hdf5UnsupportedVersion(structure: "data layout message", version: Int(version)) }
        let layoutClass = try reader.u8()
        switch layoutClass {
        case 0:
            let size = Int(try reader.u16())
            let start = reader.offset
            try reader.skip(size)
            return .compact(start: start, count: size)
        case 1:
            let address = try file.readAddress(&reader)
            return .contiguous(address: address, size: try file.readLength(&reader, what: "contiguous data size of '\(dataset)'"))
        case 2 where version == 3:
            let dimensionality = Int(try reader.u8())
            let address = try file.readAddress(&reader)
            var dimensions: [Int] = []
            for _ in 0..<dimensionality { dimensions.append(Int(try reader.u32())) }
            return .chunked(chunk: try chunkDimensions(dimensions, dataset: dataset), index: .btreeV1(address))
        case 2:
            let flags = try reader.u8()
            let dimensionality = Int(try reader.u8())
            let encodedLength = Int(try reader.u8())
            guard (1...8).contains(encodedLength) else { throw .hdf5Corrupt("chunk dimension width \(encodedLength) in '\(dataset)'") }
            var dimensions: [Int] = []
            for _ in 0..<dimensionality { dimensions.append(try reader.int(size: encodedLength, what: "chunk dimension")) }
            let chunk = try chunkDimensions(dimensions, dataset: dataset)
            let indexType = Int(try reader.u8())
            switch indexType {
            case 1:
                var filteredSize: Int?
                var mask: UInt32 = 0
                if flags & 0x02 != 0 {
                    filteredSize = try file.readLength(&reader, what: "filtered chunk size")
                    mask = try reader.u32()
                }
                return .chunked(
                    chunk: chunk, index: .singleChunk(address: try file.readAddress(&reader), filteredSize: filteredSize, filterMask: mask))
            case 2:
                return .chunked(chunk: chunk, index: .implicit(try file.readAddress(&reader)))
            case 3:
                try reader.skip(1)  // page bits
                return .chunked(chunk: chunk, index: .fixedArray(try file.readAddress(&reader)))
            default:
                return .chunked(chunk: chunk, index: .unsupported(indexType))
            }
        default:
            throw .hdf5Unsupported("data layout class \(layoutClass) of '\(dataset)'")
        }
    }

    /// Drops the trailing element-size dimension and checks the rest are positive.
    private static func chunkDimensions(_ dimensions: [Int], dataset: String) throws(CheckpointError) -> [Int] {
        guard dimensions.count >= 2, dimensions.allSatisfy({ $0 > 0 }) else {
            throw .hdf5Corrupt("chunk dimensions \(dimensions) of '\(dataset)'")
        }
        return Array(dimensions.dropLast())
    }
}

/// One filter of a filter pipeline message (spec §IV.A.2.l).
struct HDF5Filter: Sendable {
    static let deflate: UInt16 = 1
    static let shuffle: UInt16 = 2
    static let fletcher32: UInt16 = 3

    let id: UInt16
    let clientData: [UInt32]

    static func parsePipeline(_ reader: inout ByteReader) throws(CheckpointError) -> [HDF5Filter] {
        let version = try reader.u8()
        guard version == 1 || version == 2 else { throw .hdf5UnsupportedVersion(structure: "filter pipeline message", version: Int(version)) }
        let count = Int(try reader.u8())
        if version == 1 { try reader.skip(6) }
        var filters: [HDF5Filter] = []
        for _ in 0..<count {
            let id = try reader.u16()
            let nameLength = version == 1 || id >= 256 ? Int(try reader.u16()) : 0
            _ = try reader.u16()  // flags (bit 0: optional)
            let valueCount = Int(try reader.u16())
            try reader.skip(nameLength)  // version 1 names are already padded to 8 bytes
            var values: [UInt32] = []
            for _ in 0..<valueCount { values.append(try reader.u32()) }
            if version == 1, valueCount % 2 == 1 { try reader.skip(4) }
            filters.append(HDF5Filter(id: id, clientData: values))
        }
        return filters
    }

    /// Undoes `filters` (in reverse order, skipping those whose bit is set in `mask`) on one chunk.
    static func decode(
        _ input: ArraySlice<UInt8>, filters: [HDF5Filter], mask: UInt32, expectedSize: Int, elementSize: Int, dataset: String
    ) throws(CheckpointError) -> ArraySlice<UInt8> {
        var data = input
        for (position, filter) in filters.enumerated().reversed() {
            if position < 32, mask & (1 << UInt32(position)) != 0 { continue }
            switch filter.id {
            case deflate:
                data = try Inflate.decompress(data, raw: false, maxOutput: expectedSize + 4, context: "chunk of '\(dataset)'")[...]
            case shuffle:
                data = unshuffle(data, elementSize: Int(filter.clientData.first ?? UInt32(elementSize)))
            case fletcher32:
                guard data.count >= 4 else { throw .hdf5Corrupt("Fletcher-32 chunk of '\(dataset)' is shorter than its checksum") }
                data = data.dropLast(4)
            default:
                throw .hdf5UnsupportedFilter(id: filter.id, dataset: dataset)
            }
        }
        guard data.count == expectedSize else {
            throw .hdf5Corrupt("chunk of '\(dataset)' decodes to \(data.count) bytes, expected \(expectedSize)")
        }
        return data
    }

    /// The shuffle filter stores byte 0 of every element, then byte 1, ...; trailing bytes are left as is.
    private static func unshuffle(_ data: ArraySlice<UInt8>, elementSize: Int) -> ArraySlice<UInt8> {
        guard elementSize > 1, data.count >= elementSize else { return data }
        let count = data.count / elementSize
        var output = Array(data)
        let base = data.startIndex
        for byte in 0..<elementSize {
            for element in 0..<count {
                output[element * elementSize + byte] = data[base + byte * count + element]
            }
        }
        return output[...]
    }
}
