@testable import KerasFiles

/// Builds small stored (uncompressed) zip archives for tests that need a valid container around altered entries.
enum ZipWriter {
    static func archive(_ entries: [(name: String, data: [UInt8])]) -> [UInt8] {
        var output: [UInt8] = []
        var central: [UInt8] = []
        func le16(_ value: Int, _ into: inout [UInt8]) { into += [UInt8(value & 0xFF), UInt8(value >> 8 & 0xFF)] }
        func le32(_ value: UInt32, _ into: inout [UInt8]) { into += (0..<4).map { UInt8(truncatingIfNeeded: value >> (8 * UInt32($0))) } }
        for (name, data) in entries {
            let crc = Inflate.crc32(data[...])
            let offset = UInt32(output.count)
            let nameBytes = Array(name.utf8)
            le32(0x0403_4B50, &output)
            le16(20, &output)
            le16(0, &output)
            le16(0, &output)
            le16(0, &output)
            le16(0, &output)
            le32(crc, &output)
            le32(UInt32(data.count), &output)
            le32(UInt32(data.count), &output)
            le16(nameBytes.count, &output)
            le16(0, &output)
            output += nameBytes + data
            le32(0x0201_4B50, &central)
            le16(20, &central)
            le16(20, &central)
            le16(0, &central)
            le16(0, &central)
            le16(0, &central)
            le16(0, &central)
            le32(crc, &central)
            le32(UInt32(data.count), &central)
            le32(UInt32(data.count), &central)
            le16(nameBytes.count, &central)
            le16(0, &central)
            le16(0, &central)
            le16(0, &central)
            le16(0, &central)
            le32(0, &central)
            le32(offset, &central)
            central += nameBytes
        }
        let centralOffset = UInt32(output.count)
        output += central
        le32(0x0605_4B50, &output)
        le16(0, &output)
        le16(0, &output)
        le16(entries.count, &output)
        le16(entries.count, &output)
        le32(UInt32(central.count), &output)
        le32(centralOffset, &output)
        le16(0, &output)
        return output
    }

    /// The entries of a fixture archive, with `transform` applied.
    static func rewrite(_ fixture: String, _ transform: (inout [(name: String, data: [UInt8])]) -> Void) throws -> [UInt8] {
        let archive = try ZipArchive(bytes: try Fixtures.bytes(fixture))
        var entries = try archive.entries.map { (name: $0.name, data: try archive.data(for: $0)) }
        transform(&entries)
        return Self.archive(entries)
    }
}

extension Array where Element == UInt8 {
    /// Replaces every occurrence of `pattern` with `replacement` (same length).
    func replacing(_ pattern: [UInt8], with replacement: [UInt8]) -> [UInt8] {
        precondition(pattern.count == replacement.count)
        var result = self
        var index = 0
        while index + pattern.count <= result.count {
            if result[index..<(index + pattern.count)].elementsEqual(pattern) {
                result.replaceSubrange(index..<(index + pattern.count), with: replacement)
                index += pattern.count
            } else {
                index += 1
            }
        }
        return result
    }
}
