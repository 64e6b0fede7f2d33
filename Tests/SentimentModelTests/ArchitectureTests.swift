import Foundation
import KerasFiles
import TestSupport
import Testing

@testable import SentimentModel

/// Architectures outside `Embedding → LSTM → Dense(1, sigmoid)` are refused at load, naming the layer and setting.
struct ArchitectureTests {
    /// A tiny valid checkpoint: Embedding(7, 2) → LSTM(3) → Dense(1, sigmoid), all weights 0.1.
    static func layers(embedding: [String: JSONValue] = [:], lstm: [String: JSONValue] = [:], dense: [String: JSONValue] = [:]) -> [LayerRecord] {
        func config(_ base: [String: JSONValue], _ overrides: [String: JSONValue]) -> JSONValue {
            .object(base.merging(overrides) { $1 })
        }
        func tensor(_ shape: [Int]) -> Tensor { Tensor(shape: shape, values: Array(repeating: 0.1, count: shape.reduce(1, *))) }
        let units = lstm["units"]?.int ?? 3
        return [
            LayerRecord(className: "InputLayer", name: "input", config: .object(["batch_shape": .array([.null, .number(10)])]), weights: []),
            LayerRecord(
                className: "Embedding", name: "embedding",
                config: config(["input_dim": .number(7), "output_dim": .number(2), "mask_zero": .bool(false)], embedding), weights: [tensor([7, 2])]),
            LayerRecord(
                className: "LSTM", name: "lstm",
                config: config(
                    [
                        "units": .number(Double(units)), "activation": .string("tanh"), "recurrent_activation": .string("sigmoid"),
                        "use_bias": .bool(true),
                    ], lstm),
                weights: [tensor([2, 4 * units]), tensor([units, 4 * units]), tensor([4 * units])]),
            LayerRecord(
                className: "Dense", name: "dense",
                config: config(["units": .number(1), "activation": .string("sigmoid"), "use_bias": .bool(true)], dense),
                weights: [tensor([units, 1]), tensor([1])]),
        ]
    }

    static func checkpoint(_ layers: [LayerRecord], className: String = "Sequential") throws -> KerasCheckpoint {
        try KerasCheckpoint(format: .keras, modelClassName: className, layers: layers, inputBatchShape: [nil, 10], kerasVersion: "3.15.1")
    }

    @Test func theTinyReferenceLoads() throws {
        let classifier = try LSTMClassifier(checkpoint: Self.checkpoint(Self.layers()))
        #expect(classifier.architecture.maxLength == 10)
        #expect(classifier.architecture.parameterCount == 7 * 2 + 4 * 3 * (2 + 3 + 1) + 3 + 1)
        #expect(try classifier.predict([[1, 2, 3]]).count == 1)
    }

    @Test(arguments: [
        ("mask_zero", ArchitectureTests.layers(embedding: ["mask_zero": .bool(true)]), "embedding", "mask_zero"),
        ("return_sequences", ArchitectureTests.layers(lstm: ["return_sequences": .bool(true)]), "lstm", "return_sequences"),
        ("go_backwards", ArchitectureTests.layers(lstm: ["go_backwards": .bool(true)]), "lstm", "go_backwards"),
        ("stateful", ArchitectureTests.layers(lstm: ["stateful": .bool(true)]), "lstm", "stateful"),
        ("dense activation", ArchitectureTests.layers(dense: ["activation": .string("softmax")]), "dense", "activation"),
    ])
    func refusedSettingsNameTheLayerAndSetting(_ name: String, layers: [LayerRecord], layer: String, setting: String) throws {
        do {
            _ = try LSTMClassifier(checkpoint: Self.checkpoint(layers))
            Issue.record("\(name) was accepted")
        } catch let ModelError.unsupportedSetting(actualLayer, actualSetting, _) {
            #expect(actualLayer == layer && actualSetting == setting)
        }
    }

    @Test(arguments: [Float.nan, .infinity, -.infinity])
    func nonFiniteWeightsAreRefusedNamingTheTensor(_ value: Float) throws {
        var layers = Self.layers()
        let lstm = layers[2]
        var values = lstm.weights[1].values
        values[5] = value
        let recurrent = Tensor(shape: lstm.weights[1].shape, values: values)
        layers[2] = LayerRecord(
            className: lstm.className, name: lstm.name, config: lstm.config, weights: [lstm.weights[0], recurrent, lstm.weights[2]])
        #expect(throws: ModelError.nonFiniteWeight(layer: "lstm", weight: "recurrent_kernel", index: 5)) {
            try LSTMClassifier(checkpoint: Self.checkpoint(layers))
        }
    }

    @Test func unknownActivationIsRefused() throws {
        #expect(throws: ModelError.unsupportedActivation(layer: "lstm", name: "swish")) {
            try LSTMClassifier(checkpoint: Self.checkpoint(Self.layers(lstm: ["recurrent_activation": .string("swish")])))
        }
    }

    @Test func functionalModelsAreRefused() throws {
        #expect(throws: ModelError.self) { try LSTMClassifier(checkpoint: Self.checkpoint(Self.layers(), className: "Functional")) }
    }

    @Test func extraOrMissingLayersAreRefused() throws {
        let withoutDense = Array(Self.layers().dropLast())
        #expect(throws: ModelError.self) { try LSTMClassifier(checkpoint: Self.checkpoint(withoutDense)) }
        var withDropout = Self.layers()
        withDropout.insert(LayerRecord(className: "Dropout", name: "dropout", config: .object(["rate": .number(0.5)]), weights: []), at: 2)
        #expect(throws: Never.self) { try LSTMClassifier(checkpoint: Self.checkpoint(withDropout)) }
    }

    /// Real files from the checkpoint reader's fixtures: a GRU and a stacked LSTM load as files but are not servable.
    @Test(arguments: ["gru.keras", "stacked.keras", "functional.keras"])
    func otherArchitecturesFromKerasAreRefusedWithTheirLayerNamed(file: String) throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("KerasFilesTests/Fixtures/\(file)")
        do {
            _ = try ModelBundle.load(checkpoint: url, vocabulary: nil)
            Issue.record("\(file) was accepted")
        } catch let ModelError.unsupportedArchitecture(detail) {
            #expect(!detail.isEmpty)
        }
    }

    @Test func damagedFilesFailWithACheckpointError() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("arch-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let bytes = try Data(contentsOf: BundledModel.checkpointURL)
        let truncated = directory.appendingPathComponent("truncated.keras")
        try bytes.prefix(bytes.count / 2).write(to: truncated)
        #expect { try ModelBundle.load(checkpoint: truncated, vocabulary: nil) } throws: { error in
            if case ModelError.invalidCheckpoint = error { return true }
            return false
        }
        #expect(throws: ModelError.self) { try ModelBundle.load(checkpoint: directory.appendingPathComponent("missing.keras"), vocabulary: nil) }
    }
}
