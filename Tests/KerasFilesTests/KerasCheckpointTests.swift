import Testing

@testable import KerasFiles

@Suite struct KerasCheckpointTests {
    static let files = [
        "lstm.keras", "lstm.h5", "lstm_nobias.keras", "lstm_nobias.h5", "gru.keras", "stacked.keras", "functional.keras", "keras2_lstm.h5",
    ]

    @Test(arguments: files)
    func layersAndWeightsMatchKeras(_ name: String) throws {
        let checkpoint = try KerasCheckpoint.load(contentsOf: try Fixtures.url(name))
        let expected = try #require(try Fixtures.expected()["keras"]?[name])
        #expect(checkpoint.format == (name.hasSuffix(".keras") ? .keras : .legacyHDF5))
        #expect(checkpoint.modelClassName == expected["modelClassName"]?.string)
        #expect(checkpoint.kerasVersion == expected["kerasVersion"]?.string)
        #expect(checkpoint.inputBatchShape == [nil, 12])

        let weighted = checkpoint.layers.filter { $0.className != "InputLayer" }
        let expectedLayers = try #require(expected["layers"]?.array).filter { $0["className"]?.string != "InputLayer" }
        #expect(weighted.count == expectedLayers.count)
        for (layer, want) in zip(weighted, expectedLayers) {
            #expect(layer.className == want["className"]?.string)
            #expect(layer.name == want["name"]?.string)
            for (key, value) in want["config"]?.object ?? [:] {
                #expect(layer.config[key] == value, "\(name) \(layer.name).\(key)")
            }
            let weights = try #require(want["weights"]?.array)
            #expect(layer.weights.count == weights.count, "\(name) \(layer.name)")
            for (tensor, w) in zip(layer.weights, weights) {
                #expect(tensor.shape == Fixtures.ints(w["shape"]), "\(name) \(layer.name)")
                #expect(tensor.values == Fixtures.floats(w["values"]), "\(name) \(layer.name)")
            }
        }
    }

    @Test func nativeFileListsInputLayer() throws {
        let checkpoint = try KerasCheckpoint.load(bytes: try Fixtures.bytes("lstm.keras"))
        #expect(checkpoint.layers.map(\.className) == ["InputLayer", "Embedding", "LSTM", "Dense"])
        #expect(checkpoint.layers[0].weights.isEmpty)
        #expect(checkpoint.layers[2].config["units"]?.int == 5)
    }

    @Test func noBiasVariant() throws {
        let checkpoint = try KerasCheckpoint.load(bytes: try Fixtures.bytes("lstm_nobias.keras"))
        let lstm = try #require(checkpoint.layers.first { $0.className == "LSTM" })
        #expect(lstm.weights.map(\.shape) == [[6, 20], [5, 20]])
        #expect(lstm.config["recurrent_activation"]?.string == "hard_sigmoid")
        #expect(lstm.config["use_bias"]?.bool == false)
    }

    @Test func stackedLSTMsMapToNumberedGroups() throws {
        let checkpoint = try KerasCheckpoint.load(bytes: try Fixtures.bytes("stacked.keras"))
        let lstms = checkpoint.layers.filter { $0.className == "LSTM" }
        #expect(lstms.map { $0.weights.map(\.shape) } == [[[4, 12], [3, 12], [12]], [[3, 8], [2, 8], [8]]])
    }

    @Test func garbageIsNotAKerasFile() {
        #expect(caughtError { try KerasCheckpoint.load(bytes: Array("hello".utf8)) } == .notAKerasFile("neither a zip archive nor an HDF5 file"))
        #expect(caughtError { try KerasCheckpoint.load(bytes: []) } == .notAKerasFile("neither a zip archive nor an HDF5 file"))
    }

    @Test func plainHDF5WithoutConfigIsNotAKerasFile() throws {
        #expect(
            caughtError { try KerasCheckpoint.load(bytes: try Fixtures.bytes("v0.h5")) }
                == .notAKerasFile("HDF5 file has no model_config attribute (a weights-only file?)"))
    }

    @Test func missingFileIsAnIOError() throws {
        let url = try Fixtures.url("does-not-exist.keras")
        guard case .io? = caughtError({ try KerasCheckpoint.load(contentsOf: url) }) else {
            Issue.record("expected an io error")
            return
        }
    }

    @Test func fileSizeLimit() throws {
        let limits = CheckpointLimits(maxFileBytes: 1000)
        #expect(
            caughtError { try KerasCheckpoint.load(bytes: try Fixtures.bytes("lstm.keras"), limits: limits) }
                == .tooLarge(what: "checkpoint", size: UInt64(try Fixtures.bytes("lstm.keras").count), limit: 1000))
    }

    @Test func errorDescriptionsAreOneLine() {
        let errors: [CheckpointError] = [
            .truncated("zip central directory"), .zipCRCMismatch(entry: "config.json", expected: 1, actual: 2),
            .shapeMismatch(layer: "lstm", weight: "kernel", expected: [8, 16], actual: [8, 12]), .cyclicLinks("/a/loop"),
        ]
        for error in errors {
            #expect(!error.description.isEmpty)
            #expect(!error.description.contains("\n"))
        }
        #expect(
            CheckpointError.zipCRCMismatch(entry: "config.json", expected: 1, actual: 0xABCDEF).description
                == "zip entry 'config.json' fails its CRC-32 check (expected 0x00000001, got 0x00abcdef)")
    }
}
