import Foundation
import Testing

@testable import KerasFiles

/// Whole-file reads with a size limit, as checkpoints and vocabularies are read.
@Suite struct FileContentsTests {
    @Test func aFileIsReadWhole() throws {
        let path = try Fixtures.url("lstm.keras").path
        #expect(try FileContents.read(path, maxBytes: .max) == (try Fixtures.bytes("lstm.keras")))
    }

    @Test func aFileOverTheLimitIsRefusedWithItsSize() throws {
        let path = try Fixtures.url("lstm.keras").path
        let size = try Fixtures.bytes("lstm.keras").count
        #expect(throws: FileContents.Failure.tooLarge(size: size)) { try FileContents.read(path, maxBytes: size - 1) }
        #expect(try FileContents.read(path, maxBytes: size).count == size)
    }

    @Test func aMissingFileOrADirectoryGivesTheSystemsReason() throws {
        let missing = try Fixtures.url("does-not-exist.keras").path
        #expect(throws: FileContents.Failure.unreadable(reason: "No such file or directory")) {
            try FileContents.read(missing, maxBytes: .max)
        }
        let directory = try Fixtures.url("").path
        #expect(throws: FileContents.Failure.unreadable(reason: "Is a directory")) { try FileContents.read(directory, maxBytes: .max) }
    }

    @Test func aCheckpointFileOverItsLimitIsNamedInTheError() throws {
        let url = try Fixtures.url("lstm.keras")
        let size = UInt64(try Fixtures.bytes("lstm.keras").count)
        #expect(
            caughtError { try KerasCheckpoint.readFile(url, limits: CheckpointLimits(maxFileBytes: 1000)) }
                == .tooLarge(what: "checkpoint file lstm.keras", size: size, limit: 1000))
    }
}
