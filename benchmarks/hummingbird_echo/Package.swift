// swift-tools-version:6.0
// A framework baseline for the lstm-serve benchmarks: Hummingbird answering the same routes with
// a fixed JSON body and no model. Built separately from lstm-serve:
//   swift build -c release --package-path benchmarks/hummingbird_echo
import PackageDescription

let package = Package(
    name: "HummingbirdEcho",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
    ],
    targets: [
        .executableTarget(
            name: "hummingbird-echo",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            path: "Sources/HummingbirdEcho"
        )
    ]
)
