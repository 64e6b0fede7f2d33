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
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        // System libraries (Debian: zlib1g-dev, libssl-dev).
        .systemLibrary(name: "CZlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "COpenSSL", providers: [.apt(["libssl-dev"])]),
        // epoll, eventfd and thread names (Linux headers only, nothing to link).
        .systemLibrary(name: "CLinux"),

        // The LSTM time step in C: AVX2/FMA intrinsics chosen at run time, portable code elsewhere.
        // Its loops start on 64-byte boundaries, so that no edit can leave the recurrent product's
        // 90-byte inner loop across three cache lines instead of two (docs/performance.md).
        // ab.sh compiles both of its sides with this flag too.
        .target(name: "CLSTMKernel", cSettings: [.unsafeFlags(["-falign-loops=64"])]),

        // Keras file formats: zip, HDF5, config.json. Knows nothing of LSTMs or HTTP.
        // A pthread-backed lock that ThreadSanitizer sees (Synchronization.Mutex's slow path it cannot).
        .target(name: "Locking", swiftSettings: sharedSettings),

        .target(name: "KerasFiles", dependencies: ["CZlib"], swiftSettings: sharedSettings),
        // Tokenizer, vocabulary and the LSTM classifier. Knows nothing of HTTP.
        .target(
            name: "SentimentModel", dependencies: ["KerasFiles", "COpenSSL", "CLSTMKernel", "CLinux"], swiftSettings: sharedSettings),
        // HTTP/1.1 messages, the incremental request parser and the response encoder. No sockets.
        // zlib for content codings (gzip and deflate bodies).
        .target(name: "HTTP1", dependencies: ["CZlib"], swiftSettings: sharedSettings),
        // Sockets, connections, TLS (libssl), epoll I/O threads and the accept loop. Knows nothing of JSON or models.
        .target(
            name: "HTTPServerCore",
            dependencies: [
                "HTTP1", "CLinux", "COpenSSL", "Locking", .product(name: "Logging", package: "swift-log"),
                .product(name: "HeapModule", package: "swift-collections"),
            ],
            swiftSettings: sharedSettings
        ),
        // Sharing forward passes in whole batches: on the I/O threads that read the requests, or on a
        // worker queue driven by a pure state machine. Its API stays `public` (the others are
        // `package`): InlineBatcher's code is @inlinable, so the service gets it specialized.
        .target(name: "Batching", dependencies: ["Locking"], swiftSettings: sharedSettings),
        // Routes, JSON API and the glue from HTTP requests to batched inference. Records its metrics through
        // swift-metrics' API (CoreMetrics), into whatever factory it is given; Telemetry for their descriptions.
        .target(
            name: "InferenceAPI",
            dependencies: ["HTTP1", "Batching", "SentimentModel", "Telemetry", .product(name: "CoreMetrics", package: "swift-metrics")],
            // Compiled in as bytes, so the binary needs no file or Foundation Bundle at run time: the playground page
            // at GET / and the OpenAPI document at GET /openapi.json.
            resources: [.embedInCode("Playground/playground.html"), .embedInCode("openapi.json")],
            swiftSettings: sharedSettings
        ),
        // The Prometheus side of the metrics: a swift-metrics factory that gives each metric its help text and
        // buckets, the process metrics read from /proc at scrape time, and the text exposition. Knows nothing
        // of HTTP or models.
        .target(
            name: "Telemetry",
            dependencies: [
                "Locking", .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: sharedSettings
        ),
        .executableTarget(
            name: "LSTMServe",
            dependencies: [
                "HTTPServerCore", "InferenceAPI", "SentimentModel", "KerasFiles", "CZlib", "Locking", "Telemetry",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: sharedSettings
        ),

        // Fuzz targets (docs/fuzzing.md): each checks one input of any bytes. Built normally they replay files through
        // that check (CI replays the committed corpora in Tests/Fuzz/Corpus); Tests/Fuzz/fuzz.sh builds them with
        // -D FUZZING and -sanitize=fuzzer,address as libFuzzer fuzzers. Not shipped, so they live under Tests/Fuzz.
        .systemLibrary(name: "CLibFuzzer", path: "Tests/Fuzz/CLibFuzzer"),
        .target(name: "FuzzSupport", dependencies: ["CLibFuzzer"], path: "Tests/Fuzz/FuzzSupport", swiftSettings: sharedSettings),
        .executableTarget(
            name: "FuzzHTTPParser", dependencies: ["FuzzSupport", "HTTP1"], path: "Tests/Fuzz/FuzzHTTPParser", swiftSettings: sharedSettings),
        .executableTarget(
            name: "FuzzClassifyJSON", dependencies: ["FuzzSupport", "InferenceAPI"], path: "Tests/Fuzz/FuzzClassifyJSON",
            swiftSettings: sharedSettings),
        .executableTarget(
            name: "FuzzCheckpoint", dependencies: ["FuzzSupport", "KerasFiles", "CZlib"], path: "Tests/Fuzz/FuzzCheckpoint",
            swiftSettings: sharedSettings),
        .executableTarget(
            name: "FuzzTokenizer", dependencies: ["FuzzSupport", "SentimentModel"], path: "Tests/Fuzz/FuzzTokenizer", swiftSettings: sharedSettings),

        // Helpers shared by the test targets: the bundled model, a live-server harness, in-process and socket
        // test clients, a raw-socket HTTP client, a quiet logger, a seeded generator, zlib compression. Not shipped.
        .target(
            name: "TestSupport",
            dependencies: ["HTTP1", "HTTPServerCore", "SentimentModel", "CZlib", .product(name: "Logging", package: "swift-log")],
            path: "Tests/TestSupport",
            swiftSettings: sharedSettings
        ),
        .testTarget(
            name: "KerasFilesTests", dependencies: ["KerasFiles", "TestSupport"], resources: [.copy("Fixtures")], swiftSettings: sharedSettings),
        .testTarget(
            name: "SentimentModelTests", dependencies: ["SentimentModel", "KerasFiles", "Locking", "TestSupport"], resources: [.copy("Fixtures")],
            swiftSettings: sharedSettings),
        .testTarget(name: "HTTP1Tests", dependencies: ["HTTP1", "TestSupport"], swiftSettings: sharedSettings),
        .testTarget(
            name: "HTTPServerCoreTests",
            dependencies: ["HTTPServerCore", "HTTP1", "Locking", "TestSupport", .product(name: "Logging", package: "swift-log")],
            swiftSettings: sharedSettings),
        .testTarget(
            name: "TelemetryTests", dependencies: ["Telemetry", "TestSupport", .product(name: "CoreMetrics", package: "swift-metrics")],
            swiftSettings: sharedSettings),
        .testTarget(name: "BatchingTests", dependencies: ["Batching", "Locking"], swiftSettings: sharedSettings),
        .testTarget(
            name: "InferenceAPITests",
            dependencies: ["InferenceAPI", "Batching", "HTTP1", "SentimentModel", "Locking", "Telemetry", "TestSupport"],
            swiftSettings: sharedSettings
        ),
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                "HTTPServerCore", "HTTP1", "InferenceAPI", "SentimentModel", "Batching", "Locking", "TestSupport",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: sharedSettings
        ),
    ]
)
