package import SentimentModel

/// What the API needs of a model: the seam between the routes and a classifier.
///
/// The service holds its model through this protocol only, so its tests run on a stub, and a model
/// can be replaced (reload) or several served without touching the HTTP code. Inputs cross it as
/// ``SentimentModel/TokenSequence``, which can only be built by checking the ids.
///
/// Threading: every requirement may be called from any thread, concurrently.
package protocol ServedModel: Sendable {
    /// The name clients address the model by.
    var name: String { get }
    /// Lower-case hexadecimal SHA-256 of the model's file, which each response reports.
    var sha256: String { get }
    /// Ids of the embedding table: token ids must be in `0..<vocabularySize`.
    var vocabularySize: Int { get }
    /// The longest input read; a longer sequence keeps its last `maxLength` ids.
    var maxLength: Int { get }
    /// What `GET /v1/models` says of the model beyond its name and checksum.
    var details: ModelDetails { get }

    /// Whether ``encode(_:)`` works: the model has a vocabulary.
    var acceptsText: Bool { get }

    /// The label of a score: by default ``details``' label 1 (positive) when P(positive) is at least 0.5, else
    /// label 0. Called once per result, so a model whose ``details`` cost something to build answers it directly.
    func label(for score: Float) -> String

    /// The ids of a text, or `nil` if the model has no vocabulary (then only ids are accepted).
    func encode(_ text: String) -> TokenSequence?

    /// P(positive) for each sequence, in order; batched equals unbatched.
    func predict(_ batch: [TokenSequence]) -> [Float]

    /// How many of a text's words the model knows, from the ids ``encode(_:)`` gave it. By default
    /// in `keras.datasets.imdb` conventions: the start id, then one id per word, the out-of-vocabulary
    /// id for each unknown one.
    func wordCounts(of encoded: TokenSequence) -> WordCounts

    /// A text's score explained word by word, or nil if the model cannot (the default). Its score is
    /// the one ``predict(_:)`` gives ``encode(_:)``'s ids.
    func explain(_ text: String) -> Explanation?
}

extension ServedModel {
    package func label(for score: Float) -> String {
        details.labels[score >= 0.5 ? 1 : 0]
    }

    package func wordCounts(of encoded: TokenSequence) -> WordCounts {
        WordCounts(encodedText: encoded.ids)
    }

    package func explain(_ text: String) -> Explanation? {
        nil
    }
}

/// The facts about a model that the info routes report.
package struct ModelDetails: Sendable, Equatable {
    /// The file format, e.g. `keras` or `legacy_hdf5`.
    package var format: String
    /// The Keras version that wrote the file, when it says.
    package var kerasVersion: String?
    /// Architecture figures: parameters, vocabulary size, embedding width, units, maximum length.
    package var parameters: Int
    package var embeddingWidth: Int
    package var units: Int
    /// The activation names of the LSTM cell.
    package var activation: String
    package var recurrentActivation: String
    /// Labels by class index: 0 negative, 1 positive.
    package var labels: [String]
    /// The checkpoint file and the vocabulary file, if any.
    package var source: String
    package var vocabulary: String?
    /// Which LSTM step kernel runs: `avx2+fma` or `portable`.
    package var kernel: String

    package init(
        format: String, kerasVersion: String? = nil, parameters: Int, embeddingWidth: Int, units: Int, activation: String = "tanh",
        recurrentActivation: String = "sigmoid", labels: [String] = ["negative", "positive"], source: String, vocabulary: String? = nil,
        kernel: String
    ) {
        self.format = format
        self.kerasVersion = kerasVersion
        self.parameters = parameters
        self.embeddingWidth = embeddingWidth
        self.units = units
        self.activation = activation
        self.recurrentActivation = recurrentActivation
        self.labels = labels
        self.source = source
        self.vocabulary = vocabulary
        self.kernel = kernel
    }
}
