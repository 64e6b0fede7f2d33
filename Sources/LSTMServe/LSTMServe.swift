import ArgumentParser

/// `lstm-serve`: serves the IMDB sentiment LSTM over HTTP, and inspects, runs and evaluates checkpoints.
@main
struct LSTMServe: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lstm-serve",
        abstract: "An HTTP inference service for a Keras LSTM sentiment classifier.",
        discussion: """
            With no subcommand, lstm-serve serves (lstm-serve serve): 'lstm-serve serve --help' lists the server's options \
            (host, port, batching, limits, timeouts, logging), each also settable as an LSTM_SERVE_* environment variable.
            """,
        subcommands: [Serve.self, HealthCheck.self, Inspect.self, Predict.self, Evaluate.self, Tokenize.self, Bench.self],
        defaultSubcommand: Serve.self
    )
}
