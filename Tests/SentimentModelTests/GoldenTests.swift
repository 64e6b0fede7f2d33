import CLSTMKernel
import Foundation
import KerasFiles
import TestSupport
import Testing

@testable import SentimentModel

/// The forward pass agrees with Keras `model.predict` (golden values from `training/make_golden.py`).
struct GoldenTests {
    static let tolerance: Float = 1e-5

    private func expectAgreement(_ classifier: LSTMClassifier, _ golden: Golden) throws {
        let scores = try classifier.predict(golden.cases.map(\.ids))
        var worst: Float = 0
        for (item, score) in zip(golden.cases, scores) {
            worst = max(worst, abs(score - item.keras_score))
            #expect(abs(score - item.keras_score) <= Self.tolerance, "\(item.name ?? "\(item.ids.count) ids"): \(score) vs Keras \(item.keras_score)")
        }
        #expect(worst <= Self.tolerance)
    }

    @Test func bundledKerasCheckpointAgreesWithKeras() throws {
        let bundle = BundledModel.bundle
        let architecture = bundle.classifier.architecture
        #expect(architecture.parameterCount == 328_353)
        #expect(architecture.vocabularySize == 10_000 && architecture.embeddingWidth == 32 && architecture.units == 32)
        #expect(architecture.maxLength == 500 && architecture.maxLengthSource == .checkpoint)
        #expect(architecture.activation == .tanh && architecture.recurrentActivation == .sigmoid)
        #expect(bundle.format == .keras)
        try expectAgreement(bundle.classifier, Fixtures.golden("imdb-lstm-golden.json"))
    }

    @Test func legacyHDF5CheckpointAgreesWithKeras() throws {
        let bundle = try ModelBundle.load(checkpoint: Fixtures.url("imdb-lstm.h5"), vocabulary: nil)
        #expect(bundle.format == .legacyHDF5)
        #expect(bundle.classifier.architecture.parameterCount == 328_353)
        try expectAgreement(bundle.classifier, Fixtures.golden("imdb-lstm-golden.json"))
    }

    @Test func checkpointWithOtherDimensionsAgreesWithKeras() throws {
        let bundle = try ModelBundle.load(checkpoint: Fixtures.url("alt-5000x16x48.keras"), vocabulary: nil)
        let architecture = bundle.classifier.architecture
        #expect(architecture.vocabularySize == 5_000 && architecture.embeddingWidth == 16 && architecture.units == 48)
        #expect(architecture.maxLength == 400 && architecture.maxLengthSource == .checkpoint)
        try expectAgreement(bundle.classifier, Fixtures.golden("alt-5000x16x48-golden.json"))
    }

    /// The portable step kernel, which processors without AVX2/FMA run, forced on this one.
    @Test(arguments: [
        ("imdb-lstm.keras", BundledModel.checkpointURL, "imdb-lstm-golden.json"),
        ("alt-5000x16x48.keras", Fixtures.url("alt-5000x16x48.keras"), "alt-5000x16x48-golden.json"),
        ("keras2-hard-sigmoid.h5", Fixtures.url("keras2-hard-sigmoid.h5"), "keras2-hard-sigmoid-golden.json"),
    ])
    func portableKernelAgreesWithKeras(_ name: String, checkpoint: URL, golden: String) throws {
        let (architecture, weights) = try Self.interpret(checkpoint)
        let portable = LSTMClassifier(architecture: architecture, weights: weights, stepPath: .portable)
        #expect(portable.kernel == "portable")
        let cases = try Fixtures.golden(golden)
        try expectAgreement(portable, cases)
        // Batched equals unbatched on this path too, through the two-thread split.
        let sequences = cases.cases.map(\.ids)
        let batched = try portable.predict(sequences)
        for (sequence, score) in zip(sequences.prefix(20), batched) { #expect(try portable.predict([sequence]) == [score]) }
    }

    /// Layers other than σ gates with tanh, such as Keras 2's hard sigmoid, take the AVX2 path's
    /// per-row update. The Keras 2 fixture's 6 units are too few for the AVX2 path, so this runs
    /// the 48-unit model's weights with hard-sigmoid gates on both paths: the portable one agrees
    /// with Keras 2 (``portableKernelAgreesWithKeras(_:checkpoint:golden:)``).
    @Test func otherActivationsAgreeOnBothPaths() throws {
        var (architecture, weights) = try Self.interpret(Fixtures.url("alt-5000x16x48.keras"))
        architecture.recurrentActivation = .hardSigmoid(slope: 0.2)
        let fastest = LSTMClassifier(architecture: architecture, weights: weights, stepPath: .fastest)
        let portable = LSTMClassifier(architecture: architecture, weights: weights, stepPath: .portable)
        let sequences = try Fixtures.golden("alt-5000x16x48-golden.json").cases.map(\.ids)
        let scores = try fastest.predict(sequences)
        for (score, reference) in zip(scores, try portable.predict(sequences)) {
            #expect(abs(score - reference) <= Self.tolerance, "\(score) vs portable \(reference)")
        }
        for (sequence, score) in zip(sequences.prefix(20), scores) { #expect(try fastest.predict([sequence]) == [score]) }
    }

    /// The bundled model's gates are provably within range, so its AVX2 steps skip the clamp;
    /// that must not change a single bit of any score. The clamped path, which models with larger
    /// weights take, is checked against Keras here too.
    @Test func skippingTheGateClampChangesNoScore() throws {
        let (architecture, weights) = try Self.interpret(BundledModel.checkpointURL)
        let fastest = LSTMClassifier(architecture: architecture, weights: weights, stepPath: .fastest)
        let clamped = LSTMClassifier(architecture: architecture, weights: weights, stepPath: .withoutGateBound)
        #expect(fastest.engine.cell.gateBound > 0 && fastest.engine.cell.gateBound <= LSTM_UNCLAMPED_GATE_BOUND)
        let golden = try Fixtures.golden("imdb-lstm-golden.json")
        try expectAgreement(clamped, golden)
        let sequences = golden.cases.map(\.ids)
        #expect(try fastest.predict(sequences) == clamped.predict(sequences))
    }

    /// Weights too large for the bound keep the clamp: gate pre-activations here reach the
    /// hundreds, where the exponential without its clamp overflows its exponent bits.
    @Test func largeRecurrentWeightsKeepTheClamp() throws {
        var (architecture, weights) = try Self.interpret(BundledModel.checkpointURL)
        weights.recurrentKernel = weights.recurrentKernel.map { $0 * 40 }
        let fastest = LSTMClassifier(architecture: architecture, weights: weights, stepPath: .fastest)
        let clamped = LSTMClassifier(architecture: architecture, weights: weights, stepPath: .withoutGateBound)
        #expect(fastest.engine.cell.gateBound > LSTM_UNCLAMPED_GATE_BOUND)
        let sequences = try Fixtures.golden("imdb-lstm-golden.json").cases.map(\.ids)
        let scores = try fastest.predict(sequences)
        #expect(scores.allSatisfy { $0 >= 0 && $0 <= 1 })
        #expect(try scores == clamped.predict(sequences))
    }

    @Test func gateBoundIsTheLargestProjectionPlusTheLargestRecurrentColumnSum() {
        let projection: [Float] = [0.5, -3, 1, 2]  // two ids, two gate columns
        let recurrent: [Float] = [1, -2, -1.5, 0.25]  // two units: column sums 2.5 and 2.25
        let bound = projection.withUnsafeBufferPointer { p in
            recurrent.withUnsafeBufferPointer { r in LSTMStepKernel.gateBound(projection: p, recurrent: r, gates: 2) }
        }
        #expect(bound == 5.5)
        let notFinite = projection.withUnsafeBufferPointer { p in
            [Float.nan, 1].withUnsafeBufferPointer { r in LSTMStepKernel.gateBound(projection: p, recurrent: r, gates: 2) }
        }
        #expect(notFinite == .infinity)
    }

    private static func interpret(_ checkpoint: URL) throws -> (ModelArchitecture, LSTMWeights) {
        let file = try KerasCheckpoint.load(bytes: KerasCheckpoint.readFile(checkpoint))
        return try CheckpointInterpreter(checkpoint: file, defaultMaxLength: 500).interpret()
    }

    @Test func keras2FileWithHardSigmoidAgreesWithKeras2() throws {
        let bundle = try ModelBundle.load(checkpoint: Fixtures.url("keras2-hard-sigmoid.h5"), vocabulary: nil, defaultMaxLength: 500)
        let architecture = bundle.classifier.architecture
        #expect(architecture.recurrentActivation == .hardSigmoid(slope: 0.2))
        #expect(architecture.maxLengthSource == .option)
        try expectAgreement(bundle.classifier, Fixtures.golden("keras2-hard-sigmoid-golden.json"))
    }
}
