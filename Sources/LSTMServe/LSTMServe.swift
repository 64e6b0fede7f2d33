import ArgumentParser

/// `lstm-serve`: serves the IMDB sentiment LSTM over HTTP, and inspects, runs and evaluates checkpoints.
@main
struct LSTMServe: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lstm-serve",
        abstract: "An HTTP inference service for a Keras LSTM sentiment classifier.",
        subcommands: [Serve.self, HealthCheck.self, Inspect.self, Predict.self, Evaluate.self, Tokenize.self, Bench.self],
        defaultSubcommand: Serve.self
    )
}
