import Foundation
import TestSupport
import Testing

@testable import KerasFiles

/// Damaged inputs built from the valid fixtures: each must throw a clear error, never crash.
@Suite struct CorruptionTests {
    /// Small limits so mutated sizes cannot make a test allocate much.
    static let tight = CheckpointLimits(maxEntryBytes: 1 << 20, maxTensorElements: 100_000, maxStructures: 2_000)

    @Test func flippedByteInConfigFailsCRC() throws {
        var bytes = try Fixtures.bytes("lstm.keras")
        let range = try #require(bytes.firstRange(of: "\"class_name\": \"Sequential\""))
        bytes[range.lowerBound + 3] ^= 0x20
        guard case .zipCRCMismatch(let entry, _, _)? = caughtError({ try KerasCheckpoint.load(bytes: bytes) }) else {
            Issue.record("expected a CRC mismatch")
            return
        }
        #expect(entry == "config.json")
    }

    @Test(arguments: ["config.json", "model.weights.h5"])
    func renamedEntryIsMissing(_ entry: String) throws {
        var bytes = try Fixtures.bytes("lstm.keras")
        // Rename the entry in the local header and the central directory (same length, last letter → "X").
        var searchFrom = 0
        while let range = Array(bytes[searchFrom...]).firstRange(of: entry) {
            bytes[searchFrom + range.upperBound - 1] = UInt8(ascii: "X")
            searchFrom += range.upperBound
        }
        #expect(caughtError { try KerasCheckpoint.load(bytes: bytes) } == .zipMissingEntry(entry))
    }

    @Test func wrongTensorShapeVersusConfig() throws {
        var bytes = try Fixtures.bytes("lstm.keras")
        let range = try #require(bytes.firstRange(of: "\"units\": 5"))
        bytes[range.upperBound - 1] = UInt8(ascii: "6")
        // Keep the CRC consistent so the shape check (not the zip layer) is what fails.
        let archive = try ZipArchive(bytes: try Fixtures.bytes("lstm.keras"))
        let entry = try #require(archive.entry(named: "config.json"))
        var patchedConfig = try archive.data(for: "config.json")
        let configRange = try #require(patchedConfig.firstRange(of: "\"units\": 5"))
        patchedConfig[configRange.upperBound - 1] = UInt8(ascii: "6")
        let crc = Inflate.crc32(patchedConfig[...])
        for (offset, base) in [(14, entry.localHeaderOffset), (16, centralHeader(bytes, for: "config.json"))] {
            for i in 0..<4 { bytes[base + offset + i] = UInt8(truncatingIfNeeded: crc >> (8 * UInt32(i))) }
        }
        #expect(
            caughtError { try KerasCheckpoint.load(bytes: bytes) }
                == .shapeMismatch(layer: "lstm", weight: "kernel", expected: [6, 24], actual: [6, 20]))
    }

    @Test func legacyFileWithMissingWeightDataset() throws {
        var bytes = try Fixtures.bytes("keras2_lstm.h5")
        // weight_names lists "dense_1/bias:0"; rename the listed name so the lookup fails.
        let range = try #require(bytes.firstRange(of: "dense_1/bias:0"))
        bytes[range.upperBound - 1] = UInt8(ascii: "9")
        guard case .missingWeights? = caughtError({ try KerasCheckpoint.load(bytes: bytes) }) else {
            Issue.record("expected missingWeights")
            return
        }
    }

    @Test(arguments: ["lstm.keras", "lstm.h5", "keras2_lstm.h5"])
    func truncationThrows(_ name: String) throws {
        let bytes = try Fixtures.bytes(name)
        for length in stride(from: 0, to: bytes.count, by: 7) {
            let prefix = Array(bytes[..<length])
            #expect(throws: CheckpointError.self, "length \(length)") { try KerasCheckpoint.load(bytes: prefix, limits: Self.tight) }
        }
    }

    @Test(arguments: ["v0.h5", "latest.h5"])
    func truncatedHDF5DatasetsThrowOrRead(_ name: String) throws {
        let bytes = try Fixtures.bytes(name)
        for length in stride(from: 0, to: bytes.count, by: 61) {
            let prefix = Array(bytes[..<length])
            _ = caughtError {
                let file = try HDF5File(bytes: prefix, limits: Self.tight)
                for path in ["chunked", "deflate", "compact", "nested/soft/deep", "many_chunks"] { _ = try file.readTensor(path) }
                return try file.attributes(of: "/")
            }
        }
    }

    /// Same length, but everything from `offset` on is zeroed: every structure after that point reads as
    /// zeros, which exercises far more parsing paths than truncation (caught early by the superblock's EOF).
    @Test(arguments: ["lstm.h5", "v0.h5", "latest.h5"])
    func zeroedTailNeverCrashes(_ name: String) throws {
        let bytes = try Fixtures.bytes(name)
        var failures = 0
        for offset in stride(from: 0, to: bytes.count, by: 97) {
            let damaged = Array(bytes[..<offset]) + [UInt8](repeating: 0, count: bytes.count - offset)
            let error = caughtError {
                let file = try HDF5File(bytes: damaged, limits: Self.tight)
                for path in try file.walk() where try file.kind(of: path) == .dataset { _ = try file.readTensor(path) }
                return try file.attributes(of: "/")
            }
            if error != nil { failures += 1 }
        }
        #expect(failures > bytes.count / 97 / 2, "most zeroed tails should be detected")
    }

    @Test func innerWeightsFileTruncated() throws {
        // Rebuild a .keras whose model.weights.h5 is cut short but whose zip is valid: only the HDF5 layer fails.
        let archive = try ZipArchive(bytes: try Fixtures.bytes("lstm.keras"))
        let weights = try archive.data(for: "model.weights.h5")
        let half = Array(weights[..<(weights.count / 2)])
        guard case .truncated? = caughtError({ try HDF5File(bytes: half).readTensor("layers/embedding/vars/0") }) else {
            Issue.record("expected truncated")
            return
        }
    }

    private func centralHeader(_ bytes: [UInt8], for name: String) -> Int {
        let eocd = bytes.count - 22
        var position = Int(bytes[eocd + 16]) | Int(bytes[eocd + 17]) << 8 | Int(bytes[eocd + 18]) << 16 | Int(bytes[eocd + 19]) << 24
        while position + 46 < bytes.count {
            let nameLength = Int(bytes[position + 28]) | Int(bytes[position + 29]) << 8
            let extra = Int(bytes[position + 30]) | Int(bytes[position + 31]) << 8
            let comment = Int(bytes[position + 32]) | Int(bytes[position + 33]) << 8
            if bytes[(position + 46)..<(position + 46 + nameLength)].elementsEqual(name.utf8) { return position }
            position += 46 + nameLength + extra + comment
        }
        return 0
    }
}

/// Deterministic mini-fuzz: random byte mutations must make `load` return or throw, never crash or hang.
@Suite struct MutationFuzzTests {
    /// Mutations per fixture; raise with CHECKPOINT_FUZZ_ROUNDS for a longer local run.
    static let rounds = ProcessInfo.processInfo.environment["CHECKPOINT_FUZZ_ROUNDS"].flatMap(Int.init) ?? 400

    @Test(arguments: ["lstm.keras", "lstm.h5", "keras2_lstm.h5", "latest.h5", "v0.h5"])
    func randomMutationsNeverCrash(_ name: String) throws {
        let original = try Fixtures.bytes(name)
        var random = SplitMix64(seed: 0x5EED_0000 &+ UInt64(name.utf8.count))
        // Mutate the stored weights file directly for .keras, since most zip mutations only trip the CRC.
        let target = name.hasSuffix(".keras") ? try ZipArchive(bytes: original).data(for: "model.weights.h5") : original
        for _ in 0..<Self.rounds {
            var bytes = target
            for _ in 0..<Int.random(in: 1...4, using: &random) {
                let index = Int.random(in: 0..<bytes.count, using: &random)
                switch Int.random(in: 0..<3, using: &random) {
                case 0: bytes[index] = UInt8.random(in: 0...255, using: &random)
                case 1: bytes[index] ^= 1 << UInt8.random(in: 0..<8, using: &random)
                default: bytes[index] = [0x00, 0xFF, 0x7F, 0x80][Int.random(in: 0..<4, using: &random)]
                }
            }
            _ = caughtError {
                let file = try HDF5File(bytes: bytes, limits: CorruptionTests.tight)
                let paths = try file.walk()
                for path in paths.prefix(40) {
                    _ = try? file.attributes(of: path)
                    if (try? file.kind(of: path)) == .dataset { _ = try? file.readTensor(path) }
                }
                return paths
            }
            if !name.hasSuffix(".keras") { _ = caughtError { try KerasCheckpoint.load(bytes: bytes, limits: CorruptionTests.tight) } }
        }
    }

    @Test(arguments: ["plain.zip", "descriptor.zip"])
    func randomZipMutationsNeverCrash(_ name: String) throws {
        let original = try Fixtures.bytes(name)
        var random = SplitMix64(seed: 0xC0FF_EE00 &+ UInt64(name.utf8.count))
        for _ in 0..<1000 {
            var bytes = original
            for _ in 0..<Int.random(in: 1...3, using: &random) {
                bytes[Int.random(in: 0..<bytes.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
            }
            _ = caughtError {
                let archive = try ZipArchive(bytes: bytes, limits: CorruptionTests.tight)
                return try archive.entries.map { try archive.data(for: $0) }
            }
        }
    }
}
