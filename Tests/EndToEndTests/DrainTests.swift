import Foundation
import Glibc
import TestSupport
import Testing

extension EndToEnd {
    /// SIGTERM with a drain delay, on the real executable: readiness turns 503 at once on a kept-alive connection, the
    /// server keeps serving new and kept-alive connections for the delay, then finishes what it holds and exits 0.
    @Suite("Draining on SIGTERM", .enabled(if: ServerProcess.executableURL != nil, "lstm-serve is not built next to the test product"))
    struct DrainTests {
        @Test func readinessFailsAtOnce_ServingGoesOnForTheDelay_ThenTheLastAnswerSaysClose() throws {
            let executable = try #require(ServerProcess.executableURL)
            let process = try ServerProcess(
                executable: executable,
                arguments: [
                    "--host", "127.0.0.1", "--port", "0", "--model", BundledModel.checkpointURL.path, "--vocab", BundledModel.vocabularyURL.path,
                    "--drain-delay-s", "2", "--drain-timeout-s", "5",
                ])
            let serving = try process.waitForLine(containing: "serving", timeout: .seconds(30))
            let port = try #require(ExecutableTests.port(in: serving), "no address=127.0.0.1:PORT in \(serving)")
            let keptAlive = try RawHTTPClient(port: port)
            #expect(try keptAlive.exchange(RawHTTPClient.request("GET", "/readyz")).status == 200)

            process.send(signal: SIGTERM)
            _ = try process.waitForLine(containing: "shutting down", timeout: .seconds(5))
            let notReady = try keptAlive.exchange(RawHTTPClient.request("GET", "/readyz"))
            #expect(notReady.status == 503 && notReady.errorCode == "not_ready")
            #expect(notReady.header("Connection") == nil, "a kept-alive connection stays open during the delay")
            let fresh = try RawHTTPClient(port: port)
            #expect(try fresh.exchange(HTTPFeatureTests.classifyText("A fine film.")).status == 200, "new connections are served during the delay")
            #expect(try keptAlive.exchange(HTTPFeatureTests.classifyText("A dull film.")).status == 200)

            // A request part-way in when the server stops accepting is still answered, with Connection: close.
            let body = #"{"text": "Slow to arrive, but worth it."}"#
            try keptAlive.send("POST /classify HTTP/1.1\r\nHost: e2e\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n")
            _ = try process.waitForLine(containing: "no longer accepting", timeout: .seconds(5))
            try keptAlive.send(body)
            let last = try keptAlive.readResponse()
            #expect(last.status == 200 && last.header("Connection") == "close")
            #expect(keptAlive.isClosedByServer())

            try process.waitForExit(timeout: .seconds(10))
            #expect(process.exitedNormally && process.exitStatus == 0, "output: \(process.output)")
            #expect(process.output.contains("shutdown complete"))
        }
    }
}
