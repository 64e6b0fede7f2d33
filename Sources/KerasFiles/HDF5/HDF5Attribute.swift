/// An attribute attached to a group or dataset (attribute message, spec §IV.A.2.m).
package struct HDF5Attribute: Sendable, Equatable {
    package enum Value: Sendable, Equatable {
        case strings([String])
        case integers([Int64])
        case floats([Double])
    }

    package let name: String
    /// Dimensions of the attribute's dataspace; `[]` for a scalar.
    package let shape: [Int]
    package let value: Value

    /// String values (fixed-length or variable-length), flattened in row-major order.
    package var strings: [String]? {
        if case .strings(let values) = value { return values }
        return nil
    }

    package var integers: [Int64]? {
        if case .integers(let values) = value { return values }
        return nil
    }

    package var floats: [Double]? {
        if case .floats(let values) = value { return values }
        return nil
    }

    /// The single string of a scalar (or one-element) string attribute.
    package var string: String? { strings?.count == 1 ? strings?.first : nil }
}

extension HDF5File {
    /// The attributes of the object at `path`, in header order.
    package func attributes(of path: String) throws(CheckpointError) -> [HDF5Attribute] {
        let header = try header(at: path)
        var result: [HDF5Attribute] = []
        for message in try attributeMessages(header) {
            result.append(try parseAttribute(message, path: path))
        }
        return result
    }

    /// The attribute called `name` on the object at `path`.
    package func attribute(_ name: String, of path: String) throws(CheckpointError) -> HDF5Attribute {
        let header = try header(at: path)
        for message in try attributeMessages(header) where try attributeName(message) == name {
            return try parseAttribute(message, path: path)
        }
        throw .hdf5NotFound("\(path) attribute '\(name)'")
    }

    /// The attribute called `name`, or nil when absent.
    package func attributeIfPresent(_ name: String, of path: String) throws(CheckpointError) -> HDF5Attribute? {
        do {
            return try attribute(name, of: path)
        } catch .hdf5NotFound {
            return nil
        }
    }

    /// Attribute message bodies: those in the object header, then those in dense storage.
    private func attributeMessages(_ header: HDF5ObjectHeader) throws(CheckpointError) -> [HDF5ObjectHeader.Message] {
        header.all(HDF5ObjectHeader.MessageType.attribute) + (try denseAttributeMessages(header))
    }

    private func attributeName(_ message: HDF5ObjectHeader.Message) throws(CheckpointError) -> String {
        var reader = try reader(for: message, context: "attribute message")
        let version = try reader.u8()
        try reader.skip(1)
        let nameSize = Int(try reader.u16())
        try reader.skip(4 + (version == 3 ? 1 : 0))
        return Self.trimmedName(try reader.read(nameSize))
    }

    private static func trimmedName(_ raw: ArraySlice<UInt8>) -> String {
        String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
    }

    private func parseAttribute(_ message: HDF5ObjectHeader.Message, path: String) throws(CheckpointError) -> HDF5Attribute {
        var reader = try reader(for: message, context: "attribute message on '\(path)'")
        let version = try reader.u8()
        guard (1...3).contains(version) else { throw .hdf5UnsupportedVersion(structure: "attribute message", version: Int(version)) }
        let flags = try reader.u8()
        guard flags & 0x03 == 0 else { throw .hdf5Unsupported("shared datatype or dataspace in an attribute of '\(path)'") }
        let nameSize = Int(try reader.u16())
        let datatypeSize = Int(try reader.u16())
        let dataspaceSize = Int(try reader.u16())
        if version == 3 { try reader.skip(1) }  // name character set
        let padding = version == 1 ? 8 : 1
        func padded(_ size: Int) -> Int { (size + padding - 1) / padding * padding }

        let name = Self.trimmedName(try reader.read(nameSize))
        try reader.skip(padded(nameSize) - nameSize)
        var datatypeReader = try ByteReader(bytes, at: reader.offset, count: datatypeSize, context: "datatype of attribute '\(name)'")
        let datatype = try HDF5Datatype.parse(&datatypeReader, file: self)
        try reader.skip(padded(datatypeSize))
        var dataspaceReader = try ByteReader(bytes, at: reader.offset, count: dataspaceSize, context: "dataspace of attribute '\(name)'")
        let dataspace = try HDF5Dataspace.parse(&dataspaceReader, file: self)
        try reader.skip(padded(dataspaceSize))

        let count = try dataspace.elementCount(limit: limits.maxTensorElements, what: "attribute '\(name)' of '\(path)'")
        let byteCount = try Checked.multiply(count, datatype.size, "attribute '\(name)' size")
        let raw = try reader.read(byteCount)
        let context = "attribute '\(name)' of '\(path)'"
        let value: HDF5Attribute.Value
        switch datatype.kind {
        case .float: value = .floats(try datatype.doubles(raw, context: context))
        case .integer: value = .integers(try datatype.integers(raw, context: context))
        case .fixedString(let padding): value = .strings(Self.fixedStrings(raw, size: datatype.size, padding: padding))
        case .variableString: value = .strings(try variableStrings(raw, count: count, context: context))
        case .other(let typeClass): throw .hdf5UnsupportedDatatype("\(context) has datatype class \(typeClass)")
        }
        return HDF5Attribute(name: name, shape: dataspace.isNull ? [0] : dataspace.dimensions, value: value)
    }

    static func fixedStrings(_ raw: ArraySlice<UInt8>, size: Int, padding: UInt8) -> [String] {
        var result: [String] = []
        var index = raw.startIndex
        while index + size <= raw.endIndex {
            var element = raw[index..<(index + size)]
            if padding == 2 {
                while let last = element.last, last == 0x20 { element.removeLast() }
            } else {
                element = element.prefix { $0 != 0 }
            }
            result.append(String(decoding: element, as: UTF8.self))
            index += size
        }
        return result
    }

    /// Variable-length strings: each element is a byte length, a global heap collection address and an object
    /// index (spec §IV.A.2.d class 9, §III.E global heap).
    private func variableStrings(_ raw: ArraySlice<UInt8>, count: Int, context: String) throws(CheckpointError) -> [String] {
        var reader = try ByteReader(Array(raw), context: context)
        var result: [String] = []
        var collections: [UInt64: [UInt32: ArraySlice<UInt8>]] = [:]
        for _ in 0..<count {
            let length = Int(try reader.u32())
            let collection = try readAddress(&reader)
            let index = try reader.u32()
            if length == 0 {
                result.append("")
                continue
            }
            if collections[collection] == nil { collections[collection] = try globalHeapCollection(at: collection) }
            guard let object = collections[collection]?[index], object.count >= length else {
                throw .hdf5Corrupt("\(context): global heap object \(index) at \(collection) is missing or short")
            }
            result.append(String(decoding: object.prefix(length), as: UTF8.self))
        }
        return result
    }

    /// All objects of the global heap collection at `address` (spec §III.E), by index.
    private func globalHeapCollection(at address: UInt64) throws(CheckpointError) -> [UInt32: ArraySlice<UInt8>] {
        var header = try reader(at: address, context: "global heap collection")
        try expectSignature(&header, "GCOL", address: address)
        let version = try header.u8()
        guard version == 1 else { throw .hdf5UnsupportedVersion(structure: "global heap", version: Int(version)) }
        try header.skip(3)
        let size = try readLength(&header, what: "global heap collection size")
        var reader = try self.reader(at: address, count: size, context: "global heap collection")
        try reader.skip(8 + lengthSize)
        var objects: [UInt32: ArraySlice<UInt8>] = [:]
        while reader.remaining >= 8 + lengthSize {
            let index = try reader.u16()
            try reader.skip(2 + 4)  // reference count, reserved
            let objectSize = try readLength(&reader, what: "global heap object size")
            if index == 0 { break }  // free space runs to the end of the collection
            objects[UInt32(index)] = try reader.read(objectSize)
            try reader.skip(min(reader.remaining, (8 - objectSize % 8) % 8))
        }
        return objects
    }
}
