extension HDF5File {
    /// Collects every record of a version 2 B-tree (spec §III.A.2: header "BTHD", internal nodes "BTIN",
    /// leaves "BTLF") as byte ranges in the file, in key order. Node sizes and record counts are checked
    /// against the node size so a corrupt tree cannot make the walk read or loop without bound.
    func btreeV2Records(at address: UInt64, context: String) throws(CheckpointError) -> [Range<Int>] {
        var header = try reader(at: address, context: "v2 B-tree header of \(context)")
        try expectSignature(&header, "BTHD", address: address)
        let version = try header.u8()
        guard version == 0 else { throw .hdf5UnsupportedVersion(structure: "v2 B-tree header", version: Int(version)) }
        _ = try header.u8()  // record type
        let nodeSize = Int(try header.u32())
        let recordSize = Int(try header.u16())
        let depth = Int(try header.u16())
        try header.skip(2)  // split and merge percentages
        let root = try readAddress(&header)
        let rootCount = Int(try header.u16())
        guard recordSize > 0, nodeSize > 10, depth <= 64 else {
            throw .hdf5Corrupt("v2 B-tree of \(context) has node size \(nodeSize), record size \(recordSize), depth \(depth)")
        }
        if isUndefined(root) { return [] }

        // Widths of the per-child record counts in internal nodes (H5B2 "node info" table).
        let leafMaximum = (nodeSize - 10) / recordSize
        let countWidth = Self.encodedWidth(UInt64(leafMaximum))
        var cumulativeMaximum: [UInt64] = [UInt64(leafMaximum)]
        var cumulativeWidth: [Int] = [0]
        for level in 1..<(depth + 1) {
            let pointerSize = offsetSize + countWidth + cumulativeWidth[level - 1]
            let maximum = UInt64(max(0, (nodeSize - (10 + pointerSize)) / (recordSize + pointerSize)))
            let (product, overflow) = (maximum + 1).multipliedReportingOverflow(by: cumulativeMaximum[level - 1])
            let total = overflow ? UInt64.max : product &+ maximum
            cumulativeMaximum.append(total)
            cumulativeWidth.append(Self.encodedWidth(total))
        }

        var records: [Range<Int>] = []
        var visited: Set<UInt64> = []
        func visit(_ node: UInt64, level: Int, count: Int) throws(CheckpointError) {
            guard visited.insert(node).inserted else { throw .cyclicLinks("v2 B-tree node at \(node) of \(context) is reached twice") }
            let (recordBytes, overflow) = count.multipliedReportingOverflow(by: recordSize)
            guard visited.count <= limits.maxStructures, !overflow, recordBytes <= nodeSize else {
                throw .hdf5Corrupt("v2 B-tree node at \(node) of \(context) claims \(count) records")
            }
            var reader = try self.reader(at: node, count: nodeSize, context: "v2 B-tree node of \(context)")
            try expectSignature(&reader, level == 0 ? "BTLF" : "BTIN", address: node)
            try reader.skip(2)  // version, type
            let recordsStart = reader.offset
            try reader.skip(count * recordSize)
            if level == 0 {
                for index in 0..<count { records.append((recordsStart + index * recordSize)..<(recordsStart + (index + 1) * recordSize)) }
                return
            }
            var children: [(address: UInt64, count: Int)] = []
            for _ in 0...count {
                let child = try readAddress(&reader)
                let childCount = try reader.int(size: countWidth, what: "v2 B-tree child record count")
                if level > 1 { try reader.skip(cumulativeWidth[level - 1]) }
                children.append((child, childCount))
            }
            for (index, child) in children.enumerated() {
                try visit(child.address, level: level - 1, count: child.count)
                if index < count { records.append((recordsStart + index * recordSize)..<(recordsStart + (index + 1) * recordSize)) }
            }
        }
        try visit(root, level: depth, count: rootCount)
        return records
    }

    /// Bytes needed to encode `value` the way the HDF5 library sizes variable-width counts.
    static func encodedWidth(_ value: UInt64) -> Int {
        var bits = 0
        var rest = value
        while rest > 1 {
            rest >>= 1
            bits += 1
        }
        return bits / 8 + 1
    }
}
