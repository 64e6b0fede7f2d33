/// An object header (spec §IV.A): the list of header messages describing one group or dataset, gathered
/// from the first chunk and all continuation blocks.
struct HDF5ObjectHeader: Sendable {
    /// One header message: its type (spec §IV.A.2) and where its body lies in the file.
    struct Message: Sendable {
        let type: UInt16
        let flags: UInt8
        let start: Int
        let count: Int
    }

    enum MessageType {
        static let dataspace: UInt16 = 0x01
        static let linkInfo: UInt16 = 0x02
        static let datatype: UInt16 = 0x03
        static let link: UInt16 = 0x06
        static let dataLayout: UInt16 = 0x08
        static let filterPipeline: UInt16 = 0x0B
        static let attribute: UInt16 = 0x0C
        static let continuation: UInt16 = 0x10
        static let symbolTable: UInt16 = 0x11
        static let attributeInfo: UInt16 = 0x15
    }

    let address: UInt64
    let messages: [Message]

    func first(_ type: UInt16) -> Message? { messages.first { $0.type == type } }
    func all(_ type: UInt16) -> [Message] { messages.filter { $0.type == type } }

    var isGroup: Bool { first(MessageType.symbolTable) != nil || first(MessageType.linkInfo) != nil || first(MessageType.link) != nil }
    var isDataset: Bool { first(MessageType.dataLayout) != nil }
}

extension HDF5File {
    /// A reader over one message's body.
    func reader(for message: HDF5ObjectHeader.Message, context: String) throws(CheckpointError) -> ByteReader {
        try ByteReader(bytes, at: message.start, count: message.count, context: context)
    }

    /// Parses the object header at `address`, following continuation messages (each block visited once).
    func objectHeader(at address: UInt64) throws(CheckpointError) -> HDF5ObjectHeader {
        var reader = try reader(at: address, context: "object header")
        var messages: [HDF5ObjectHeader.Message] = []
        var pending: [(address: UInt64, length: Int)] = []
        var visited: Set<UInt64> = [address]
        let isVersion2: Bool
        var hasCreationOrder = false

        if try reader.expect(Array("OHDR".utf8)) {
            // Version 2 object header prefix (spec §IV.A.1.b).
            isVersion2 = true
            let version = try reader.u8()
            guard version == 2 else { throw .hdf5UnsupportedVersion(structure: "object header", version: Int(version)) }
            let flags = try reader.u8()
            hasCreationOrder = flags & 0x04 != 0
            if flags & 0x20 != 0 { try reader.skip(16) }  // access, modification, change, birth times
            if flags & 0x10 != 0 { try reader.skip(4) }  // max compact / min dense attribute counts
            let chunkSize = try reader.int(size: 1 << Int(flags & 0x03), what: "object header chunk size")
            let start = reader.offset
            try reader.skip(chunkSize)
            try parseMessagesV2(start: start, count: chunkSize, creationOrder: hasCreationOrder, into: &messages, pending: &pending)
        } else {
            // Version 1 object header prefix (spec §IV.A.1.a), padded to 8 bytes before the messages.
            isVersion2 = false
            let version = try reader.u8()
            guard version == 1 else { throw .hdf5UnsupportedVersion(structure: "object header", version: Int(version)) }
            try reader.skip(1 + 2 + 4)  // reserved, message count, reference count
            let size = Int(try reader.u32())
            try reader.skip(4)
            try parseMessagesV1(start: reader.offset, count: size, into: &messages, pending: &pending)
        }

        while let block = pending.popLast() {
            guard visited.insert(block.address).inserted else {
                throw .cyclicLinks("object header continuation at address \(block.address) is referenced twice")
            }
            guard visited.count <= limits.maxStructures else {
                throw .tooLarge(what: "object header continuation count", size: UInt64(visited.count), limit: UInt64(limits.maxStructures))
            }
            var blockReader = try self.reader(at: block.address, count: block.length, context: "object header continuation")
            if isVersion2 {
                try expectSignature(&blockReader, "OCHK", address: block.address)
                guard block.length >= 8 else { throw .hdf5Corrupt("continuation block at \(block.address) is too short") }
                try parseMessagesV2(
                    start: blockReader.offset, count: block.length - 8, creationOrder: hasCreationOrder, into: &messages, pending: &pending)
            } else {
                try parseMessagesV1(start: blockReader.offset, count: block.length, into: &messages, pending: &pending)
            }
            guard messages.count <= limits.maxStructures else {
                throw .tooLarge(what: "object header message count", size: UInt64(messages.count), limit: UInt64(limits.maxStructures))
            }
        }
        return HDF5ObjectHeader(address: address, messages: messages)
    }

    /// Version 1 messages: type (2), size (2), flags (1), reserved (3), body padded to 8 bytes.
    private func parseMessagesV1(
        start: Int, count: Int, into messages: inout [HDF5ObjectHeader.Message], pending: inout [(address: UInt64, length: Int)]
    ) throws(CheckpointError) {
        var reader = try ByteReader(bytes, at: start, count: count, context: "object header messages")
        while reader.remaining >= 8 {
            let type = try reader.u16()
            let size = Int(try reader.u16())
            let flags = try reader.u8()
            try reader.skip(3)
            let body = reader.offset
            try reader.skip(size)
            try append(type: type, flags: flags, start: body, count: size, to: &messages, pending: &pending)
        }
    }

    /// Version 2 messages: type (1), size (2), flags (1), optional creation order (2), unpadded body.
    private func parseMessagesV2(
        start: Int, count: Int, creationOrder: Bool, into messages: inout [HDF5ObjectHeader.Message],
        pending: inout [(address: UInt64, length: Int)]
    ) throws(CheckpointError) {
        var reader = try ByteReader(bytes, at: start, count: count, context: "object header messages")
        let headerSize = creationOrder ? 6 : 4
        while reader.remaining >= headerSize {
            let type = UInt16(try reader.u8())
            let size = Int(try reader.u16())
            let flags = try reader.u8()
            if creationOrder { try reader.skip(2) }
            let body = reader.offset
            try reader.skip(size)
            try append(type: type, flags: flags, start: body, count: size, to: &messages, pending: &pending)
        }
    }

    private func append(
        type: UInt16, flags: UInt8, start: Int, count: Int, to messages: inout [HDF5ObjectHeader.Message],
        pending: inout [(address: UInt64, length: Int)]
    ) throws(CheckpointError) {
        let message = HDF5ObjectHeader.Message(type: type, flags: flags, start: start, count: count)
        if type == HDF5ObjectHeader.MessageType.continuation {
            // Object header continuation message (spec §IV.A.2.q): offset and length of the next block.
            var reader = try reader(for: message, context: "continuation message")
            let address = try readAddress(&reader)
            let length = try readLength(&reader, what: "continuation block length")
            pending.insert((address, length), at: 0)
        } else if type != 0 {
            messages.append(message)
        }
    }
}
