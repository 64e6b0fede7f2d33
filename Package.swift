// swift-tools-version:6.1
import PackageDescription

/// Settings every Swift target shares: Swift 6 language mode plus the upcoming features we opt into.
let sharedSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "lstm-serve",
    products: [
        .executable(name: "lstm-serve", targets: ["LSTMServe"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
    ],
    targets: [
        // System libraries (Debian: zlib1g-dev, libssl-dev).
        .systemLibrary(name: "CZlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "COpenSSL", providers: [.apt(["libssl-dev"])]),
        // epoll, eventfd and thread names (Linux headers only, nothing to link).
        .systemLibrary(name: "CLinux"),

        // The LSTM time step in C: AVX2/FMA intrinsics chosen at run time, portable code elsewhere.
        // Its loops start on 64-byte boundaries, so that no edit can leave the recurrent product's
        // 90-byte inner loop across three cache lines instead of two, as one did: aligned, the
        // same code's step was faster in 68-75 of 100 rounds at 1, 8 and 64 rows. ab.sh compiles
        // both of its sides with this flag too.
        .target(name: "CLSTMKernel", cSettings: [.unsafeFlags(["-falign-loops=64"])]),

        // Lock<State>: Mutex's withLock over a pthread mutex, whose locking ThreadSanitizer sees.
        .target(name: "Locking", swiftSettings: sharedSettings),
        // Keras file formats: zip, HDF5, config.json. Knows nothing of LSTMs or HTTP.
        .target(name: "KerasCheckpoint", dependencies: ["CZlib"], swiftSettings: sharedSettings),
        // Tokenizer, vocabulary and the LSTM classifier. Knows nothing of HTTP.
        .target(
            name: "SentimentModel", dependencies: ["KerasCheckpoint", "COpenSSL", "CLSTMKernel", "CLinux"], swiftSettings: sharedSettings),
        // HTTP/1.1 messages, the incremental request parser and the response encoder. No sockets.
        .target(name: "HTTP1", swiftSettings: sharedSettings),
        // Sockets, connections, epoll I/O threads and the accept loop. Knows nothing of JSON or models.
        .target(
            name: "HTTPServer",
            dependencies: [
                "HTTP1", "CLinux", "Locking", .product(name: "Logging", package: "swift-log"),
                .product(name: "HeapModule", package: "swift-collections"),
            ],
            swiftSettings: sharedSettings
        ),
        // Sharing forward passes: whole batches (a pure state machine and the queue that carries out
        // its actions) or step-level batching over any model batch that advances in steps.
        .target(name: "Batching", dependencies: ["Locking"], swiftSettings: sharedSettings),
        // Routes, JSON API and the glue from HTTP requests to batched inference.
        .target(
            name: "InferenceService",
            dependencies: ["HTTP1", "Batching", "SentimentModel"],
            swiftSettings: sharedSettings
        ),
        .executableTarget(
            name: "LSTMServe",
            dependencies: [
                "HTTPServer", "InferenceService", "SentimentModel", "KerasCheckpoint", "CZlib", "Locking",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: sharedSettings
        ),

        // Helpers shared by the test targets (a seeded generator, a raw-socket HTTP client); not shipped.
        .target(name: "TestSupport", path: "Tests/TestSupport", swiftSettings: sharedSettings),
        .testTarget(name: "KerasCheckpointTests", dependencies: ["KerasCheckpoint", "TestSupport"], resources: [.copy("Fixtures")], swiftSettings: sharedSettings),
        .testTarget(name: "SentimentModelTests", dependencies: ["SentimentModel", "KerasCheckpoint", "Locking", "TestSupport"], resources: [.copy("Fixtures")], swiftSettings: sharedSettings),
        .testTarget(name: "HTTP1Tests", dependencies: ["HTTP1", "TestSupport"], swiftSettings: sharedSettings),
        .testTarget(
            name: "HTTPServerTests",
            dependencies: ["HTTPServer", "HTTP1", "Locking", "TestSupport", .product(name: "Logging", package: "swift-log")],
            swiftSettings: sharedSettings),
        .testTarget(name: "BatchingTests", dependencies: ["Batching", "Locking"], swiftSettings: sharedSettings),
        .testTarget(
            name: "InferenceServiceTests",
            dependencies: ["InferenceService", "Batching", "HTTP1", "SentimentModel", "Locking", "TestSupport"],
            swiftSettings: sharedSettings
        ),
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                "HTTPServer", "HTTP1", "InferenceService", "SentimentModel", "Batching", "Locking", "TestSupport",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: sharedSettings
        ),
    ]
)
