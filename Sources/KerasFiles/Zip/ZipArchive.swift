/// A read-only zip archive (PKWARE APPNOTE 6.3.x), parsed from its central directory.
///
/// Supports stored (method 0) and deflated (method 8) entries, verifies CRC-32 on extraction and honours the
/// data-descriptor flag (general purpose bit 3) by taking sizes from the central directory. Zip64, encrypted
/// and multi-disk archives are refused with `unsupportedZipFeature`.
package struct ZipArchive: Sendable {
    /// One central-directory record (APPNOTE §4.3.12).
    package struct Entry: Sendable, Equatable {
        package let name: String
        /// 0 = stored, 8 = deflate.
        package let method: UInt16
        package let crc32: UInt32
        package let compressedSize: Int
        package let uncompressedSize: Int
        /// General purpose bit flag; bit 3 means sizes/CRC follow the data in a data descriptor.
        package let flags: UInt16
        let localHeaderOffset: Int

        package var hasDataDescriptor: Bool { flags & 0x0008 != 0 }
    }

    /// Entries in central-directory order.
    package let entries: [Entry]
    private let bytes: [UInt8]
    private let limits: CheckpointLimits

    /// True when `bytes` start with a local file header signature ("PK\u{3}\u{4}").
    package static func hasSignature(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 4 && bytes[0] == 0x50 && bytes[1] == 0x4B && bytes[2] == 0x03 && bytes[3] == 0x04
    }

    package init(bytes: [UInt8], limits: CheckpointLimits = .init()) throws(CheckpointError) {
        guard bytes.count <= limits.maxFileBytes else {
            throw .tooLarge(what: "zip archive", size: UInt64(bytes.count), limit: UInt64(limits.maxFileBytes))
        }
        self.bytes = bytes
        self.limits = limits
        let end = try Self.findEndOfCentralDirectory(bytes)
        self.entries = try Self.readCentralDirectory(bytes, end: end, limits: limits)
    }

    package var names: [String] { entries.map(\.name) }

    package func entry(named name: String) -> Entry? { entries.first { $0.name == name } }

    /// The uncompressed, CRC-checked contents of the entry called `name`.
    package func data(for name: String) throws(CheckpointError) -> [UInt8] {
        guard let entry = entry(named: name) else { throw .zipMissingEntry(name) }
        return try data(for: entry)
    }

    package func data(for entry: Entry) throws(CheckpointError) -> [UInt8] {
        // Local file header, APPNOTE §4.3.7. Sizes are taken from the central directory (they may be zero
        // here when bit 3 is set).
        var reader = try ByteReader(bytes, at: entry.localHeaderOffset, context: "local header of '\(entry.name)'")
        guard try reader.u32() == 0x0403_4B50 else { throw .zipCorrupt("local header of '\(entry.name)' has a bad signature") }
        try reader.skip(22)
        let nameLength = Int(try reader.u16())
        let extraLength = Int(try reader.u16())
        try reader.skip(nameLength + extraLength)
        let stored = try reader.read(entry.compressedSize)

        let data: [UInt8]
        switch entry.method {
        case 0:
            guard entry.compressedSize == entry.uncompressedSize else {
                throw .zipCorrupt("stored entry '\(entry.name)' has different compressed and uncompressed sizes")
            }
            data = Array(stored)
        case 8:
            data = try Inflate.decompress(stored, raw: true, maxOutput: entry.uncompressedSize, context: "zip entry '\(entry.name)'")
            guard data.count == entry.uncompressedSize else {
                throw .zipCorrupt("entry '\(entry.name)' inflates to \(data.count) bytes, header says \(entry.uncompressedSize)")
            }
        default:
            throw .unsupportedZipCompression(entry: entry.name, method: entry.method)
        }
        let actual = Inflate.crc32(data[...])
        guard actual == entry.crc32 else { throw .zipCRCMismatch(entry: entry.name, expected: entry.crc32, actual: actual) }
        return data
    }

    /// Finds the end of central directory record (APPNOTE §4.3.16), scanning back over a comment of up to
    /// 65,535 bytes.
    private static func findEndOfCentralDirectory(_ bytes: [UInt8]) throws(CheckpointError) -> Int {
        guard bytes.count >= 22 else { throw .truncated("zip end of central directory") }
        let lowest = max(0, bytes.count - 22 - 0xFFFF)
        var position = bytes.count - 22
        while position >= lowest {
            if bytes[position] == 0x50, bytes[position + 1] == 0x4B, bytes[position + 2] == 0x05, bytes[position + 3] == 0x06 {
                let commentLength = Int(bytes[position + 20]) | Int(bytes[position + 21]) << 8
                if position + 22 + commentLength == bytes.count { return position }
            }
            position -= 1
        }
        throw .zipCorrupt("no end of central directory record")
    }

    private static func readCentralDirectory(
        _ bytes: [UInt8], end: Int, limits: CheckpointLimits
    ) throws(CheckpointError) -> [Entry] {
        // Zip64 end of central directory locator (APPNOTE §4.3.15) sits just before the EOCD record.
        if end >= 20, bytes[end - 20] == 0x50, bytes[end - 19] == 0x4B, bytes[end - 18] == 0x06, bytes[end - 17] == 0x07 {
            throw .unsupportedZipFeature("zip64 archive")
        }
        var eocd = try ByteReader(bytes, at: end + 4, context: "zip end of central directory")
        let disk = try eocd.u16()
        let directoryDisk = try eocd.u16()
        let entriesOnDisk = try eocd.u16()
        let entryCount = try eocd.u16()
        let directorySize = try eocd.u32()
        let directoryOffset = try eocd.u32()
        guard disk == 0, directoryDisk == 0, entriesOnDisk == entryCount else {
            throw .unsupportedZipFeature("multi-disk archive")
        }
        if entryCount == 0xFFFF || directorySize == 0xFFFF_FFFF || directoryOffset == 0xFFFF_FFFF {
            throw .unsupportedZipFeature("zip64 archive")
        }
        guard Int(entryCount) <= limits.maxZipEntries else {
            throw .tooLarge(what: "zip entry count", size: UInt64(entryCount), limit: UInt64(limits.maxZipEntries))
        }
        guard Int(directoryOffset) + Int(directorySize) <= end else {
            throw .zipCorrupt("central directory (offset \(directoryOffset), size \(directorySize)) overlaps its end record")
        }

        var reader = try ByteReader(bytes, at: Int(directoryOffset), count: Int(directorySize), context: "zip central directory")
        var entries: [Entry] = []
        var seen: Set<String> = []
        for _ in 0..<entryCount {
            // Central directory file header, APPNOTE §4.3.12.
            guard try reader.u32() == 0x0201_4B50 else { throw .zipCorrupt("central directory header has a bad signature") }
            try reader.skip(4)  // version made by, version needed
            let flags = try reader.u16()
            let method = try reader.u16()
            try reader.skip(4)  // time, date
            let crc = try reader.u32()
            let compressed = try reader.u32()
            let uncompressed = try reader.u32()
            let nameLength = Int(try reader.u16())
            let extraLength = Int(try reader.u16())
            let commentLength = Int(try reader.u16())
            let diskStart = try reader.u16()
            try reader.skip(6)  // internal and external attributes
            let localOffset = try reader.u32()
            let name = String(decoding: try reader.read(nameLength), as: UTF8.self)
            try reader.skip(extraLength + commentLength)

            if flags & 0x0001 != 0 || flags & 0x0040 != 0 { throw .unsupportedZipFeature("encrypted entry '\(name)'") }
            if compressed == 0xFFFF_FFFF || uncompressed == 0xFFFF_FFFF || localOffset == 0xFFFF_FFFF {
                throw .unsupportedZipFeature("zip64 entry '\(name)'")
            }
            guard diskStart == 0 else { throw .unsupportedZipFeature("multi-disk entry '\(name)'") }
            guard Int(uncompressed) <= limits.maxEntryBytes else {
                throw .tooLarge(what: "zip entry '\(name)'", size: UInt64(uncompressed), limit: UInt64(limits.maxEntryBytes))
            }
            guard Int(localOffset) + Int(compressed) <= Int(directoryOffset) else {
                throw .zipCorrupt("entry '\(name)' data extends past the central directory")
            }
            guard seen.insert(name).inserted else { throw .zipCorrupt("duplicate entry '\(name)'") }
            entries.append(
                Entry(
                    name: name, method: method, crc32: crc, compressedSize: Int(compressed), uncompressedSize: Int(uncompressed),
                    flags: flags, localHeaderOffset: Int(localOffset)))
        }
        return entries
    }
}
