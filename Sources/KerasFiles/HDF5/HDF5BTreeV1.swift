extension HDF5File {
    /// One leaf-level entry of a version 1 B-tree: the key before the child and the child's address.
    struct BTreeV1Entry {
        /// Byte position of the key that precedes `child` (for chunk trees: size, filter mask, offsets).
        let keyStart: Int
        let child: UInt64
    }

    /// Walks a version 1 B-tree (spec §III.A.1; type 0 = group nodes, type 1 = raw data chunks) and returns
    /// its leaf entries in key order. Levels must decrease by one per step and every node is visited once,
    /// so self-referencing or cyclic trees throw instead of looping.
    func btreeV1Leaves(root: UInt64, nodeType: UInt8, keySize: Int, context: String) throws(CheckpointError) -> [BTreeV1Entry] {
        var visited: Set<UInt64> = []
        var leaves: [BTreeV1Entry] = []
        try visitBTreeV1Node(
            root, nodeType: nodeType, keySize: keySize, expectedLevel: nil, context: context, visited: &visited, leaves: &leaves)
        return leaves
    }

    private func visitBTreeV1Node(
        _ address: UInt64, nodeType: UInt8, keySize: Int, expectedLevel: Int?, context: String,
        visited: inout Set<UInt64>, leaves: inout [BTreeV1Entry]
    ) throws(CheckpointError) {
        guard visited.insert(address).inserted else { throw .cyclicLinks("B-tree node at address \(address) of \(context) is reached twice") }
        guard visited.count <= limits.maxStructures else {
            throw .tooLarge(what: "B-tree node count of \(context)", size: UInt64(visited.count), limit: UInt64(limits.maxStructures))
        }
        var reader = try reader(at: address, context: "B-tree node of \(context)")
        try expectSignature(&reader, "TREE", address: address)
        let type = try reader.u8()
        guard type == nodeType else { throw .hdf5Corrupt("B-tree node at \(address) of \(context) has type \(type), expected \(nodeType)") }
        let level = Int(try reader.u8())
        if let expectedLevel, level != expectedLevel {
            throw .hdf5Corrupt("B-tree node at \(address) of \(context) has level \(level), expected \(expectedLevel)")
        }
        let entries = Int(try reader.u16())
        try reader.skip(2 * offsetSize)  // left and right siblings
        var children: [BTreeV1Entry] = []
        for _ in 0..<entries {
            let keyStart = reader.offset
            try reader.skip(keySize)
            children.append(BTreeV1Entry(keyStart: keyStart, child: try readAddress(&reader)))
        }
        try reader.skip(keySize)  // final key
        if level == 0 {
            leaves.append(contentsOf: children)
            guard leaves.count <= limits.maxStructures else {
                throw .tooLarge(what: "B-tree entries of \(context)", size: UInt64(leaves.count), limit: UInt64(limits.maxStructures))
            }
        } else {
            for child in children {
                try visitBTreeV1Node(
                    child.child, nodeType: nodeType, keySize: keySize, expectedLevel: level - 1, context: context,
                    visited: &visited, leaves: &leaves)
            }
        }
    }
}
