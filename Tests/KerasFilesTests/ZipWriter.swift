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
            // The fields a local header and a central directory entry share, from "version needed" on:
            // version 2.0, no flags, stored, no time or date, the CRC, both sizes, the name's length, no extra.
            func sharedFields(_ into: inout [UInt8]) {
                for value in [20, 0, 0, 0, 0] { le16(value, &into) }
                for value in [crc, UInt32(data.count), UInt32(data.count)] { le32(value, &into) }
                le16(nameBytes.count, &into)
                le16(0, &into)
            }
            le32(0x0403_4B50, &output)
            sharedFields(&output)
            output += nameBytes + data
            le32(0x0201_4B50, &central)
            le16(20, &central)  // version made by
            sharedFields(&central)
            for _ in 0..<3 { le16(0, &central) }  // comment length, disk number, internal attributes
            le32(0, &central)  // external attributes
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
