/// A fractal heap (spec §III.G), the object store behind dense link and attribute storage. Only what h5py
/// produces for small groups is supported: unfiltered heaps whose root is a direct block or an indirect
/// block with direct children; managed and tiny objects. Anything else throws `hdf5Unsupported`.
struct HDF5FractalHeap {
    let address: UInt64
    let idLength: Int
    let checksummedBlocks: Bool
    let tableWidth: Int
    let startBlockSize: Int
    let maxDirectBlockSize: Int
    let offsetBytes: Int
    let lengthBytes: Int
    let rootAddress: UInt64
    let rootRows: Int

    init(at address: UInt64, file: HDF5File) throws(CheckpointError) {
        var reader = try file.reader(at: address, context: "fractal heap header")
        try file.expectSignature(&reader, "FRHP", address: address)
        let version = try reader.u8()
        guard version == 0 else { throw .hdf5UnsupportedVersion(structure: "fractal heap header", version: Int(version)) }
        idLength = Int(try reader.u16())
        let filterLength = Int(try reader.u16())
        guard filterLength == 0 else { throw .hdf5Unsupported("filtered fractal heap at \(address)") }
        checksummedBlocks = try reader.u8() & 0x02 != 0
        let maxManagedSize = UInt64(try reader.u32())
        try reader.skip(file.lengthSize + file.offsetSize + file.lengthSize + file.offsetSize)  // huge objects, free space
        try reader.skip(8 * file.lengthSize)  // managed/allocated space, iterator, object counts and sizes
        tableWidth = Int(try reader.u16())
        startBlockSize = try file.readLength(&reader, what: "fractal heap starting block size")
        maxDirectBlockSize = try file.readLength(&reader, what: "fractal heap maximum direct block size")
        let maxHeapBits = Int(try reader.u16())
        _ = try reader.u16()  // starting rows of the root indirect block
        rootAddress = try file.readAddress(&reader)
        rootRows = Int(try reader.u16())
        guard tableWidth > 0, tableWidth <= 65536, startBlockSize > 0, maxDirectBlockSize >= startBlockSize,
            startBlockSize.nonzeroBitCount == 1, maxDirectBlockSize.nonzeroBitCount == 1, (1...64).contains(maxHeapBits)
        else { throw .hdf5Corrupt("fractal heap at \(address) has an inconsistent doubling table") }
        self.address = address
        offsetBytes = (maxHeapBits + 7) / 8
        let directOffsetBytes = (maxDirectBlockSize.trailingZeroBitCount + 7) / 8
        lengthBytes = min(directOffsetBytes, HDF5File.encodedWidth(maxManagedSize))
    }

    /// Byte range in the file of the object with heap ID `id` (a byte range in the file as well).
    func object(id: Range<Int>, file: HDF5File) throws(CheckpointError) -> Range<Int> {
        var reader = try ByteReader(file.bytes, at: id.lowerBound, count: id.count, context: "fractal heap ID")
        let flags = try reader.u8()
        guard flags & 0xC0 == 0 else { throw .hdf5UnsupportedVersion(structure: "fractal heap ID", version: Int(flags >> 6)) }
        switch (flags >> 4) & 0x03 {
        case 0:
            let offset = try reader.int(size: offsetBytes, what: "heap object offset")
            let length = try reader.int(size: lengthBytes, what: "heap object length")
            return try managedObject(offset: offset, length: length, file: file)
        case 2:
            let length = Int(flags & 0x0F) + 1
            guard length <= reader.remaining else { throw .truncated("tiny fractal heap object") }
            return reader.offset..<(reader.offset + length)
        default:
            throw .hdf5Unsupported("huge fractal heap object in heap at \(address)")
        }
    }

    private func managedObject(offset: Int, length: Int, file: HDF5File) throws(CheckpointError) -> Range<Int> {
        let (blockAddress, blockOffset, blockSize) = try directBlock(containing: offset, file: file)
        var block = try file.reader(at: blockAddress, count: blockSize, context: "fractal heap direct block")
        try file.expectSignature(&block, "FHDB", address: blockAddress)
        let start = block.offset - 4
        let within = offset - blockOffset
        let header = 5 + file.offsetSize + offsetBytes + (checksummedBlocks ? 4 : 0)
        guard within >= header, length <= blockSize - within else {
            throw .hdf5Corrupt("fractal heap object at offset \(offset) (\(length) bytes) lies outside its direct block")
        }
        return (start + within)..<(start + within + length)
    }

    /// The direct block holding heap offset `offset`: its address, first heap offset and size.
    private func directBlock(containing offset: Int, file: HDF5File) throws(CheckpointError) -> (UInt64, Int, Int) {
        if rootRows == 0 {
            guard offset < startBlockSize else { throw .hdf5Corrupt("fractal heap offset \(offset) past the root direct block") }
            return (rootAddress, 0, startBlockSize)
        }
        // Doubling table (spec §III.G): rows 0 and 1 hold blocks of the starting size, each later row doubles.
        let maxDirectRows = maxDirectBlockSize.trailingZeroBitCount - startBlockSize.trailingZeroBitCount + 2
        var rowStart = 0
        var blockSize = startBlockSize
        for row in 0..<min(rootRows, maxDirectRows) {
            if row >= 2 { blockSize *= 2 }
            let rowSpan = try Checked.multiply(blockSize, tableWidth, "fractal heap row size")
            if offset < rowStart + rowSpan {
                let column = (offset - rowStart) / blockSize
                var reader = try file.reader(at: rootAddress, context: "fractal heap indirect block")
                try file.expectSignature(&reader, "FHIB", address: rootAddress)
                try reader.skip(1 + file.offsetSize + offsetBytes)
                try reader.skip((row * tableWidth + column) * file.offsetSize)
                let child = try file.readAddress(&reader)
                guard !file.isUndefined(child) else { throw .hdf5Corrupt("fractal heap offset \(offset) is in an unallocated block") }
                return (child, rowStart + column * blockSize, blockSize)
            }
            rowStart = try Checked.add(rowStart, rowSpan, "fractal heap row offset")
        }
        throw .hdf5Unsupported("fractal heap with nested indirect blocks (offset \(offset))")
    }
}

extension HDF5File {
    /// Link messages stored densely (link info message → fractal heap + v2 B-tree name index, type 5 records:
    /// 4-byte name hash then a 7-byte heap ID).
    func denseLinks(heapAddress: UInt64, nameIndexAddress: UInt64, path: String) throws(CheckpointError) -> [(name: String, link: HDF5Link)] {
        let heap = try HDF5FractalHeap(at: heapAddress, file: self)
        var result: [(name: String, link: HDF5Link)] = []
        for record in try btreeV2Records(at: nameIndexAddress, context: "links of '\(path)'") {
            guard record.count >= 4 + heap.idLength else { throw .hdf5Corrupt("link index record of '\(path)' is too short") }
            let id = (record.lowerBound + 4)..<(record.lowerBound + 4 + heap.idLength)
            let object = try heap.object(id: id, file: self)
            var reader = try ByteReader(bytes, at: object.lowerBound, count: object.count, context: "dense link in '\(path)'")
            result.append(try parseLinkMessage(&reader))
        }
        return result
    }

    /// Attribute messages stored densely (attribute info message → fractal heap + v2 B-tree name index, type 8
    /// records starting with the heap ID), as byte ranges of attribute message bodies.
    func denseAttributeMessages(_ header: HDF5ObjectHeader) throws(CheckpointError) -> [HDF5ObjectHeader.Message] {
        guard let info = header.first(HDF5ObjectHeader.MessageType.attributeInfo) else { return [] }
        // Attribute info message (spec §IV.A.2.v).
        var reader = try reader(for: info, context: "attribute info message")
        let version = try reader.u8()
        guard version == 0 else { throw .hdf5UnsupportedVersion(structure: "attribute info message", version: Int(version)) }
        let flags = try reader.u8()
        if flags & 0x01 != 0 { try reader.skip(2) }
        let heapAddress = try readAddress(&reader)
        let nameIndex = try readAddress(&reader)
        guard !isUndefined(heapAddress) else { return [] }
        let heap = try HDF5FractalHeap(at: heapAddress, file: self)
        var messages: [HDF5ObjectHeader.Message] = []
        for record in try btreeV2Records(at: nameIndex, context: "attributes at \(header.address)") {
            guard record.count >= heap.idLength + 1 else { throw .hdf5Corrupt("attribute index record is too short") }
            let object = try heap.object(id: record.lowerBound..<(record.lowerBound + heap.idLength), file: self)
            guard bytes[record.lowerBound + heap.idLength] & 0x02 == 0 else { throw .hdf5Unsupported("shared attribute message") }
            messages.append(
                HDF5ObjectHeader.Message(
                    type: HDF5ObjectHeader.MessageType.attribute, flags: 0, start: object.lowerBound, count: object.count))
        }
        return messages
    }
}
