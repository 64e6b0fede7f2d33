import Foundation
import Glibc
import SentimentModel
import TestSupport
import Testing

extension EndToEnd {
    /// Issue 19 points 5 and 6, issue 21 point 4, as `lstm-serve` wires them: compressed bodies, limits named in
    /// refusals, and the open-file limit raised for `--max-connections`. Named to match CI's `ExecutableTests` filter, so
    /// it runs on the release binary too.
    @Suite(
        "lstm-serve: codings, named limits, descriptors",
        .enabled(if: ServerProcess.executableURL != nil, "lstm-serve is not built next to the test product"))
    struct CodingExecutableTests {
        static let model = ["--model", BundledModel.checkpointURL.path, "--vocab", BundledModel.vocabularyURL.path]

        @Test func aGzipBodyIsServed_AndLimitRefusalsNameTheirLimits() throws {
            let (process, port) = try ServerProcess.serving(Self.model + ["--max-body-bytes", "2048", "--header-timeout-ms", "300"])
            let json = Array(#"{"text": "A wonderful, moving film."}"#.utf8)
            let gzipped = try RawHTTPClient(port: port).sent(ContentCodingTests.classify(compress(json, .gzip), headers: ["Content-Encoding: gzip"]))
                .readResponse()
            #expect(gzipped.status == 200, "\(gzipped.text)")

            let zeros = compress([UInt8](repeating: UInt8(ascii: " "), count: 1 << 20), .gzip)
            #expect(zeros.count < 2048)
            let bomb = try RawHTTPClient(port: port).sent(ContentCodingTests.classify(zeros, headers: ["Content-Encoding: gzip"])).readResponse()
            #expect(bomb.status == 413)
            #expect(bomb.text.contains("limit of 2048 bytes once decompressed"), "\(bomb.text)")

            let large = try RawHTTPClient(port: port).exchange(RawHTTPClient.classify(String(repeating: " ", count: 3000) + "{}"))
            #expect(large.status == 413)
            #expect(large.text.contains("Request body larger than the limit of 2048 bytes."), "\(large.text)")

            let slow = try RawHTTPClient(port: port)
            try slow.send("GET /healthz HTTP/1.1\r\nHo")
            let timedOut = try slow.readResponse()
            #expect(timedOut.status == 408)
            #expect(timedOut.text.contains("within the limit of 300 ms"), "\(timedOut.text)")

            process.send(signal: SIGTERM)
            try process.waitForExit(timeout: .seconds(15))
        }

        @Test func theOpenFileLimitIsRaisedFor_MaxConnections_AndTheLogSaysFromWhatToWhat() throws {
            let executable = try #require(ServerProcess.executableURL)
            var limit = rlimit()
            getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
            try #require(limit.rlim_max >= 2_000, "the hard limit \(limit.rlim_max) leaves nothing to raise to")
            let process = try ServerProcess(
                executable: URL(fileURLWithPath: "/bin/sh"),
                arguments: [
                    "-c", "ulimit -Sn 512 && exec \"$0\" \"$@\"", executable.path, "--host", "127.0.0.1", "--port", "0",
                    "--max-connections", "1500",
                ] + Self.model)
            let line = try process.waitForLine(containing: "open-file limit", timeout: .seconds(30))
            #expect(line.contains("raised the open-file limit from 512 to \(limit.rlim_max == .max ? 1756 : Int(limit.rlim_max))"), "\(line)")
            _ = try process.waitForLine(containing: "serving", timeout: .seconds(30))
            process.send(signal: SIGTERM)
            try process.waitForExit(timeout: .seconds(15))
        }
    }
}
