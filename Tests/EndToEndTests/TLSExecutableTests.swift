import Foundation
import Glibc
import SentimentModel
import TestSupport
import Testing

extension EndToEnd {
    /// `serve --tls-cert/--tls-key` on the real binary: a bad key stops it before it binds, with one line naming the file
    /// and the reason; a TLS server answers `healthcheck --tls-cert` and refuses the plain health check.
    @Suite(
        "The lstm-serve executable with TLS", .enabled(if: ServerProcess.executableURL != nil, "lstm-serve is not built next to the test product"))
    struct TLSExecutableTests {
        /// `Tests/Fixtures/TLS`, the test-only CA, certificates and keys.
        static let fixtures: String = {
            var components = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false)
            components.removeLast(2)  // EndToEndTests/TLSExecutableTests.swift
            return components.joined(separator: "/") + "/Fixtures/TLS"
        }()

        @Test(arguments: [
            ("other.key", "does not match the certificate"), ("absent.key", "no such file"), ("ca.pem", "no unencrypted PEM private key"),
        ])
        func aBadKeyExitsNonZeroWithOneLineNamingItBeforeBinding(key: String, reason: String) throws {
            let executable = try #require(ServerProcess.executableURL)
            let keyPath = "\(Self.fixtures)/\(key)"
            let process = try ServerProcess(
                executable: executable,
                arguments: ["--host", "127.0.0.1", "--port", "0", "--tls-cert", "\(Self.fixtures)/server.pem", "--tls-key", keyPath])
            try process.waitForExit(timeout: .seconds(15))
            #expect(process.exitedNormally && process.exitStatus != 0, "output: \(process.output)")
            let errors = process.output.split(separator: "\n").filter { $0.hasPrefix("Error:") }
            #expect(errors.count == 1, "output: \(process.output)")
            #expect(errors.first.map { $0.contains(keyPath) && $0.contains(reason) } == true, "output: \(process.output)")
            #expect(!process.output.contains("listening"), "output: \(process.output)")
        }

        @Test func theHealthCheckFollowsTheTLSSettings() throws {
            let executable = try #require(ServerProcess.executableURL)
            let (server, port) = try ServerProcess.serving([
                "--model", BundledModel.checkpointURL.path, "--tls-cert", "\(Self.fixtures)/server.pem", "--tls-key", "\(Self.fixtures)/server.key",
            ])
            let overTLS = try ServerProcess(
                executable: executable,
                arguments: ["healthcheck", "--host", "127.0.0.1", "--port", "\(port)", "--tls-cert", "\(Self.fixtures)/server.pem"])
            try overTLS.waitForExit(timeout: .seconds(15))
            #expect(overTLS.exitedNormally && overTLS.exitStatus == 0, "output: \(overTLS.output)")
            #expect(overTLS.output.contains("(TLS): 200"), "output: \(overTLS.output)")
            let plain = try ServerProcess(executable: executable, arguments: ["healthcheck", "--host", "127.0.0.1", "--port", "\(port)"])
            try plain.waitForExit(timeout: .seconds(15))
            #expect(plain.exitedNormally && plain.exitStatus == 1, "output: \(plain.output)")
            withExtendedLifetime(server) {}  // its deinit kills it
        }
    }
}
