import Testing

@testable import KerasFiles

@Suite struct ZipArchiveTests {
    @Test(arguments: ["plain.zip", "descriptor.zip"])
    func readsEntries(_ file: String) throws {
        let archive = try ZipArchive(bytes: try Fixtures.bytes(file))
        let expected = try #require(try Fixtures.expected()["zip"]?[file]?.array)
        #expect(archive.names == expected.compactMap { $0["name"]?.string })
        for item in expected {
            let name = try #require(item["name"]?.string)
            let entry = try #require(archive.entry(named: name))
            #expect(Int(entry.method) == item["method"]?.int)
            #expect(Int(entry.crc32) == item["crc"]?.int)
            #expect(entry.hasDataDescriptor == item["dataDescriptor"]?.bool)
            let data = try archive.data(for: name)
            #expect(data.count == item["size"]?.int)
            #expect(data.map { String(format2: $0) }.joined() == item["hex"]?.string)
        }
    }

    @Test func flippedByteFailsCRC() throws {
        var bytes = try Fixtures.bytes("plain.zip")
        let range = try #require(bytes.firstRange(of: "hello, stored entry"))
        bytes[range.lowerBound] ^= 0x01
        let error = caughtError { try ZipArchive(bytes: bytes).data(for: "stored.txt") }
        guard case .zipCRCMismatch(let entry, _, _)? = error else {
            Issue.record("expected a CRC mismatch, got \(String(describing: error))")
            return
        }
        #expect(entry == "stored.txt")
        #expect(error?.description.contains("stored.txt") == true)
    }

    @Test func corruptDeflateStreamIsReported() throws {
        var bytes = try Fixtures.bytes("plain.zip")
        let archive = try ZipArchive(bytes: bytes)
        let entry = try #require(archive.entry(named: "deflated.txt"))
        let dataStart = entry.localHeaderOffset + 30 + "deflated.txt".utf8.count
        for offset in 0..<entry.compressedSize { bytes[dataStart + offset] = 0xFF }
        #expect(throws: CheckpointError.self) { try ZipArchive(bytes: bytes).data(for: "deflated.txt") }
    }

    @Test func missingEntry() throws {
        let archive = try ZipArchive(bytes: try Fixtures.bytes("plain.zip"))
        #expect(caughtError { try archive.data(for: "nope.txt") } == .zipMissingEntry("nope.txt"))
    }

    @Test func unsupportedCompressionMethod() throws {
        var bytes = try Fixtures.bytes("plain.zip")
        let archive = try ZipArchive(bytes: bytes)
        // Patch the method field (offset 10) of the first central directory header to 12 (bzip2).
        let central = try #require(centralDirectoryOffset(bytes))
        bytes[central + 10] = 12
        #expect(archive.entries.first?.method == 0)
        #expect(caughtError { try ZipArchive(bytes: bytes).data(for: "stored.txt") } == .unsupportedZipCompression(entry: "stored.txt", method: 12))
    }

    @Test func encryptedAndMultiDiskAreRefused() throws {
        let original = try Fixtures.bytes("plain.zip")
        let central = try #require(centralDirectoryOffset(original))
        var encrypted = original
        encrypted[central + 8] |= 0x01
        #expect(caughtError { try ZipArchive(bytes: encrypted) } == .unsupportedZipFeature("encrypted entry 'stored.txt'"))
        var multiDisk = original
        multiDisk[multiDisk.count - 22 + 4] = 1
        #expect(caughtError { try ZipArchive(bytes: multiDisk) } == .unsupportedZipFeature("multi-disk archive"))
        var zip64 = original
        for i in 0..<4 { zip64[zip64.count - 22 + 16 + i] = 0xFF }
        #expect(caughtError { try ZipArchive(bytes: zip64) } == .unsupportedZipFeature("zip64 archive"))
    }

    @Test func truncationAtEveryOffsetThrows() throws {
        let bytes = try Fixtures.bytes("plain.zip")
        for length in 0..<bytes.count {
            let prefix = Array(bytes[..<length])
            #expect(throws: CheckpointError.self) {
                let archive = try ZipArchive(bytes: prefix)
                for entry in archive.entries { _ = try archive.data(for: entry) }
            }
        }
    }

    private func centralDirectoryOffset(_ bytes: [UInt8]) -> Int? {
        let eocd = bytes.count - 22
        guard eocd >= 0 else { return nil }
        return Int(bytes[eocd + 16]) | Int(bytes[eocd + 17]) << 8 | Int(bytes[eocd + 18]) << 16 | Int(bytes[eocd + 19]) << 24
    }
}

extension String {
    init(format2 byte: UInt8) {
        let digits = String(byte, radix: 16)
        self = digits.count == 1 ? "0" + digits : digits
    }
}
