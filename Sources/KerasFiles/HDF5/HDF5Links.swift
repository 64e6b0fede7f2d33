/// Where a group member points.
package enum HDF5Link: Sendable, Equatable {
    /// A hard link: the address of the target's object header.
    case hard(UInt64)
    /// A soft link: a path, absolute or relative to the group holding the link.
    case soft(String)
    /// A link into another file (never followed).
    case external(String)
}

extension HDF5File {
    /// The links of the group whose object header is `header`, sorted by name.
    func links(of header: HDF5ObjectHeader, path: String) throws(CheckpointError) -> [(name: String, link: HDF5Link)] {
        var result: [(name: String, link: HDF5Link)] = []
        if let symbolTable = header.first(HDF5ObjectHeader.MessageType.symbolTable) {
            result = try symbolTableLinks(symbolTable, path: path)
        } else {
            if let info = header.first(HDF5ObjectHeader.MessageType.linkInfo) {
                // Link info message (spec §IV.A.2.c): a defined fractal heap address means dense storage.
                var reader = try reader(for: info, context: "link info message")
                let version = try reader.u8()
                guard version == 0 else { throw .hdf5UnsupportedVersion(structure: "link info message", version: Int(version)) }
                let flags = try reader.u8()
                if flags & 0x01 != 0 { try reader.skip(8) }
                let heapAddress = try readAddress(&reader)
                let nameIndexAddress = try readAddress(&reader)
                if !isUndefined(heapAddress) {
                    result = try denseLinks(heapAddress: heapAddress, nameIndexAddress: nameIndexAddress, path: path)
                }
            }
            for message in header.all(HDF5ObjectHeader.MessageType.link) {
                var reader = try reader(for: message, context: "link message in '\(path)'")
                result.append(try parseLinkMessage(&reader))
            }
        }
        guard result.count <= limits.maxStructures else {
            throw .tooLarge(what: "links in group '\(path)'", size: UInt64(result.count), limit: UInt64(limits.maxStructures))
        }
        return result.sorted { $0.name < $1.name }
    }

    /// Link message body (spec §IV.A.2.g), also the record format of dense link storage.
    func parseLinkMessage(_ reader: inout ByteReader) throws(CheckpointError) -> (name: String, link: HDF5Link) {
        let version = try reader.u8()
        guard version == 1 else { throw .hdf5UnsupportedVersion(structure: "link message", version: Int(version)) }
        let flags = try reader.u8()
        let linkType = flags & 0x08 != 0 ? try reader.u8() : 0
        if flags & 0x04 != 0 { try reader.skip(8) }  // creation order
        if flags & 0x10 != 0 { try reader.skip(1) }  // name character set
        let nameLength = try reader.int(size: 1 << Int(flags & 0x03), what: "link name length")
        let name = String(decoding: try reader.read(nameLength), as: UTF8.self)
        switch linkType {
        case 0:
            return (name, .hard(try readAddress(&reader)))
        case 1:
            let length = Int(try reader.u16())
            return (name, .soft(String(decoding: try reader.read(length), as: UTF8.self)))
        case 64:
            let length = Int(try reader.u16())
            let value = try reader.read(length).map { $0 == 0 ? UInt8(ascii: ":") : $0 }
            return (name, .external(String(decoding: value.dropFirst(), as: UTF8.self)))
        default:
            throw .hdf5Unsupported("link type \(linkType) for '\(name)'")
        }
    }

    /// Members of an old-style group: symbol table message (spec §IV.A.2.r) → v1 B-tree of type 0
    /// (spec §III.A.1) → symbol table nodes (§III.B), names in the local heap (§III.D).
    private func symbolTableLinks(
        _ message: HDF5ObjectHeader.Message, path: String
    ) throws(CheckpointError) -> [(name: String, link: HDF5Link)] {
        var reader = try reader(for: message, context: "symbol table message in '\(path)'")
        let btreeAddress = try readAddress(&reader)
        let heapAddress = try readAddress(&reader)

        var heapReader = try self.reader(at: heapAddress, context: "local heap of '\(path)'")
        try expectSignature(&heapReader, "HEAP", address: heapAddress)
        let heapVersion = try heapReader.u8()
        guard heapVersion == 0 else { throw .hdf5UnsupportedVersion(structure: "local heap", version: Int(heapVersion)) }
        try heapReader.skip(3)
        let dataSize = try readLength(&heapReader, what: "local heap size")
        _ = try readLength(&heapReader, what: "local heap free list offset")
        let dataAddress = try readAddress(&heapReader)
        let heap = try self.reader(at: dataAddress, count: dataSize, context: "local heap data of '\(path)'")

        func heapString(_ offset: UInt64) throws(CheckpointError) -> String {
            var copy = heap
            guard offset < UInt64(dataSize) else { throw .hdf5Corrupt("name offset \(offset) outside the local heap of '\(path)'") }
            try copy.seek(to: copy.offset + Int(offset))
            return try copy.cString()
        }

        var result: [(name: String, link: HDF5Link)] = []
        for nodeAddress in try btreeV1Leaves(root: btreeAddress, nodeType: 0, keySize: lengthSize, context: "group '\(path)'").map(\.child) {
            var node = try self.reader(at: nodeAddress, context: "symbol table node of '\(path)'")
            try expectSignature(&node, "SNOD", address: nodeAddress)
            let version = try node.u8()
            guard version == 1 else { throw .hdf5UnsupportedVersion(structure: "symbol table node", version: Int(version)) }
            try node.skip(1)
            let count = Int(try node.u16())
            guard count <= 2 * groupLeafK || superblockVersion >= 2 else {
                throw .hdf5Corrupt("symbol table node at \(nodeAddress) of '\(path)' claims \(count) entries (at most \(2 * groupLeafK))")
            }
            for _ in 0..<count {
                // Symbol table entry (spec §III.C).
                let nameOffset = try readAddress(&node)
                let objectAddress = try readAddress(&node)
                let cacheType = try node.u32()
                try node.skip(4)
                var scratch = try ByteReader(bytes, at: node.offset, count: 16, context: "symbol table entry scratch pad")
                try node.skip(16)
                let name = try heapString(nameOffset)
                if cacheType == 2 {
                    let valueOffset = UInt64(try scratch.u32())
                    result.append((name, .soft(try heapString(valueOffset))))
                } else {
                    result.append((name, .hard(objectAddress)))
                }
            }
            guard result.count <= limits.maxStructures else {
                throw .tooLarge(what: "links in group '\(path)'", size: UInt64(result.count), limit: UInt64(limits.maxStructures))
            }
        }
        return result
    }
}
