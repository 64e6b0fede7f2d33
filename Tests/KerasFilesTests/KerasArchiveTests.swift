import Testing

@testable import KerasFiles

/// `.keras` archives rebuilt with altered entries (the zip layer stays valid, so the Keras layer is tested).
@Suite struct KerasArchiveTests {
    @Test func rewrittenArchiveStillLoads() throws {
        let bytes = try ZipWriter.rewrite("lstm.keras") { _ in }
        let checkpoint = try KerasCheckpoint.load(bytes: bytes)
        #expect(checkpoint.layers.count == 4)
    }

    @Test func metadataIsOptional() throws {
        let bytes = try ZipWriter.rewrite("lstm.keras") { $0.removeAll { $0.name == "metadata.json" } }
        #expect(try KerasCheckpoint.load(bytes: bytes).kerasVersion == nil)
    }

    @Test func missingWeightsFile() throws {
        let bytes = try ZipWriter.rewrite("lstm.keras") { $0.removeAll { $0.name == "model.weights.h5" } }
        #expect(caughtError { try KerasCheckpoint.load(bytes: bytes) } == .zipMissingEntry("model.weights.h5"))
    }

    @Test func missingLayerGroupIsMissingWeights() throws {
        let bytes = try ZipWriter.rewrite("lstm.keras") { entries in
            for index in entries.indices where entries[index].name == "model.weights.h5" {
                entries[index].data = entries[index].data.replacing(Array("lstm\0".utf8), with: Array("lstX\0".utf8))
            }
        }
        #expect(caughtError { try KerasCheckpoint.load(bytes: bytes) } == .missingWeights(layer: "lstm"))
    }

    @Test(arguments: [
        (
            #"{"class_name": "Foo", "config": {"layers": []}}"#,
            CheckpointError.unsupported("model class 'Foo' (only Sequential and Functional models)")
        ),
        (#"{"config": {}}"#, CheckpointError.invalidConfig("model config has no class_name")),
        (#"{"class_name": "Sequential", "config": {}}"#, CheckpointError.invalidConfig("model config has no layer list")),
        (
            #"{"class_name": "Sequential", "config": {"layers": [{"class_name": "Dense"}]}}"#,
            CheckpointError.invalidConfig("layer 0 has no class_name or config")
        ),
        (#"{"class_name": "Sequential""#, CheckpointError.invalidJSON("unterminated object at byte 27")),
    ])
    func badConfigs(_ config: String, _ expected: CheckpointError) throws {
        let bytes = try ZipWriter.rewrite("lstm.keras") { entries in
            for index in entries.indices where entries[index].name == "config.json" { entries[index].data = Array(config.utf8) }
        }
        #expect(caughtError { try KerasCheckpoint.load(bytes: bytes) } == expected)
    }

    @Test func weightsFileThatIsNotHDF5() throws {
        let bytes = try ZipWriter.rewrite("lstm.keras") { entries in
            for index in entries.indices where entries[index].name == "model.weights.h5" { entries[index].data = Array("nope".utf8) }
        }
        #expect(caughtError { try KerasCheckpoint.load(bytes: bytes) } == .notAKerasFile("no HDF5 superblock signature"))
    }
}
