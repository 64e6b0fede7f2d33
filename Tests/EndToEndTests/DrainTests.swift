import Foundation
import Glibc
import TestSupport
import Testing

extension EndToEnd {
    /// SIGTERM with a drain delay, on the real executable: readiness turns 503 at once on a kept-alive connection, the
    /// server keeps serving new connections for the delay (each answer closing its connection), then finishes what has
    /// started and exits 0.
    @Suite("Draining on SIGTERM", .enabled(if: ServerProcess.executableURL != nil, "lstm-serve is not built next to the test product"))
    struct DrainTests {
        @Test func readinessFailsAtOnce_ServingGoesOnForTheDelay_ThenWhatStartedIsFinished() throws {
            let (process, port) = try ServerProcess.serving([
                "--model", BundledModel.checkpointURL.path, "--vocab", BundledModel.vocabularyURL.path, "--drain-delay-s", "2",
                "--drain-timeout-s", "5",
            ])
            let keptAlive = try RawHTTPClient(port: port)
            #expect(try keptAlive.exchange(RawHTTPClient.request("GET", "/readyz")).status == 200)

            process.send(signal: SIGTERM)
            _ = try process.waitForLine(containing: "shutting down", timeout: .seconds(5))
            // Readiness fails at once on the kept-alive connection, whose answer now ends it: every response during
            // the delay says Connection: close, so clients move on while the server still serves.
            let notReady = try keptAlive.exchange(RawHTTPClient.request("GET", "/readyz"))
            #expect(notReady.status == 503 && notReady.errorCode == "not_ready")
            #expect(notReady.header("Connection") == "close")
            #expect(keptAlive.isClosedByServer())
            let fresh = try RawHTTPClient(port: port)
            let served = try fresh.exchange(HTTPFeatureTests.classifyText("A fine film."))
            #expect(served.status == 200 && served.header("Connection") == "close", "new connections are served during the delay")

            // A request part-way in when the server stops accepting is still answered, with Connection: close.
            let slow = try RawHTTPClient(port: port)
            let body = #"{"text": "Slow to arrive, but worth it."}"#
            try slow.send("POST /classify HTTP/1.1\r\nHost: e2e\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n")
            _ = try process.waitForLine(containing: "no longer accepting", timeout: .seconds(5))
            try slow.send(body)
            let last = try slow.readResponse()
            #expect(last.status == 200 && last.header("Connection") == "close")
            #expect(slow.isClosedByServer())

            try process.waitForExit(timeout: .seconds(10))
            #expect(process.exitedNormally && process.exitStatus == 0, "output: \(process.output)")
            #expect(process.output.contains("shutdown complete"))
        }
    }
}
