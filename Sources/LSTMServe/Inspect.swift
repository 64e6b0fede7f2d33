import ArgumentParser
import FoundationEssentials
import KerasFiles
import SentimentModel

/// `lstm-serve inspect PATH`: what a checkpoint holds.
struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show a checkpoint's layers, shapes, parameter count and SHA-256.")

    @Argument(help: "Keras checkpoint (.keras or legacy .h5). Default: the bundled model.")
    var path: String?

    @Option(name: .long, help: "Input length when the checkpoint records none.")
    var maxLength: Int = 500

    func run() throws {
        let url = try path.map { URL(fileURLWithPath: $0) } ?? BundledModel.checkpointURL()
        let bundle: ModelBundle
        do {
            bundle = try ModelBundle.load(checkpoint: url, vocabulary: nil, defaultMaxLength: maxLength)
        } catch {
            throw CommandFailure("\(error)")
        }
        let a = bundle.classifier.architecture
        let names = a.layerNames
        let lstmParameters = 4 * a.units * (a.embeddingWidth + a.units + (a.lstmUsesBias ? 1 : 0))
        print("file:        \(url.path)")
        let format = bundle.format == .keras ? "Keras 3 native (.keras zip)" : "legacy HDF5 (.h5)"
        print("format:      \(format)\(bundle.kerasVersion.map { ", written by Keras \($0)" } ?? "")")
        print("sha256:      \(bundle.sha256)")
        print("layers:")
        print("  \(names[0]) Embedding  input_dim=\(a.vocabularySize) output_dim=\(a.embeddingWidth)  params=\(a.vocabularySize * a.embeddingWidth)")
        let activations = "activation=\(a.activation) recurrent_activation=\(a.recurrentActivation)"
        print("  \(names[1]) LSTM  units=\(a.units) \(activations) use_bias=\(a.lstmUsesBias)  params=\(lstmParameters)")
        let bias = a.lstmUsesBias ? "  bias [\(4 * a.units)]" : ""
        print("    kernel [\(a.embeddingWidth), \(4 * a.units)]  recurrent_kernel [\(a.units), \(4 * a.units)]\(bias)")
        print("  \(names[2]) Dense  units=1 activation=sigmoid use_bias=\(a.denseUsesBias)  params=\(a.units + (a.denseUsesBias ? 1 : 0))")
        print("parameters:  \(a.parameterCount)")
        print("kernel:      \(bundle.classifier.kernel) on this machine")
        let lengthSource = a.maxLengthSource == .checkpoint ? "recorded in the checkpoint" : "from --max-length"
        print("max length:  \(a.maxLength) (\(lengthSource), padding and truncation 'pre')")
    }
}
