import Foundation
import Glibc
import SentimentModel
import TestSupport
import Testing

extension EndToEnd {
    /// Item 5: the real `lstm-serve` binary as a child process: start, serve, stop on SIGTERM; fail fast on a bad model.
    @Suite("The lstm-serve executable", .enabled(if: ServerProcess.executableURL != nil, "lstm-serve is not built next to the test product"))
    struct ExecutableTests {
        @Test(arguments: ["inline", "batch"])
        func itServesOnAnEphemeralPortAndExitsCleanlyOnSIGTERM(scheduler: String) throws {
            let executable = try #require(ServerProcess.executableURL)
            let process = try ServerProcess(
                executable: executable,
                arguments: [
                    "--host", "127.0.0.1", "--port", "0", "--model", BundledModel.checkpointURL.path, "--vocab", BundledModel.vocabularyURL.path,
                    "--drain-timeout-s", "2", "--scheduler", scheduler,
                ])
            let serving = try process.waitForLine(containing: "serving", timeout: .seconds(30))
            let port = try #require(Self.port(in: serving), "no address=127.0.0.1:PORT in \(serving)")
            #expect(port > 0)
            #expect(serving.contains("scheduler=\(scheduler)"), "\(serving)")

            let client = try RawHTTPClient(port: port)
            let ready = try client.exchange(RawHTTPClient.request("GET", "/readyz"))
            #expect(ready.status == 200)
            let text = "A wonderful, moving film with brilliant acting."
            let classified = try client.exchange(HTTPFeatureTests.classifyText(text))
            #expect(classified.status == 200)
            #expect(classified.rawNumbers(for: "score").first == (try Fixtures.unbatchedScore(text)).description)
            #expect((classified.json["model"] as? [String: Any])?["sha256"] as? String == BundledModel.bundle.sha256)

            process.send(signal: SIGTERM)
            try process.waitForExit(timeout: .seconds(8))
            #expect(process.exitedNormally)
            #expect(process.exitStatus == 0, "output: \(process.output)")
            #expect(process.output.contains("shutdown complete"))
        }

        /// libdispatch reads the shutdown and reload signals from a signalfd, which sees a signal only when no thread
        /// takes it first: every thread must block them, though the process was started with none blocked.
        @Test func everyThreadBlocksTheSignalsTheServerWatches() throws {
            let (process, _) = try ServerProcess.serving(["--model", BundledModel.checkpointURL.path, "--vocab", BundledModel.vocabularyURL.path])
            let tasks = try FileManager.default.contentsOfDirectory(atPath: "/proc/\(process.pid)/task")
            #expect(tasks.count >= 3, "threads: \(tasks)")
            for task in tasks {
                let status = try String(contentsOfFile: "/proc/\(process.pid)/task/\(task)/status", encoding: .utf8)
                let line = try #require(status.split(separator: "\n").first { $0.hasPrefix("SigBlk:") }, "\(status)")
                let blocked = try #require(UInt64(line.dropFirst("SigBlk:".count).trimmingCharacters(in: .whitespaces), radix: 16))
                for signal in [SIGHUP, SIGINT, SIGTERM] {
                    #expect(blocked & (1 << UInt64(signal - 1)) != 0, "thread \(task) does not block signal \(signal): \(line)")
                }
            }
            process.send(signal: SIGTERM)
            try process.waitForExit(timeout: .seconds(8))
            #expect(process.exitStatus == 0, "output: \(process.output)")
        }

        @Test func outOfFileDescriptorsItAnswers503ThenRecovers() throws {
            let executable = try #require(ServerProcess.executableURL)
            // 64 descriptors: about 50 left for connections once the process has started.
            let process = try ServerProcess(
                executable: URL(fileURLWithPath: "/bin/sh"),
                arguments: [
                    "-c", "ulimit -n 64 && exec \"$0\" \"$@\"", executable.path, "--host", "127.0.0.1", "--port", "0",
                    "--model", BundledModel.checkpointURL.path, "--vocab", BundledModel.vocabularyURL.path,
                    // The batch delay window was a Dispatch timer, which needs a new descriptor.
                    "--scheduler", "batch", "--max-batch-delay-us", "100000",
                ])
            let serving = try process.waitForLine(containing: "serving", timeout: .seconds(30))
            let port = try #require(Self.port(in: serving), "no address=127.0.0.1:PORT in \(serving)")

            // Several rounds: the pause after a failed accept once needed a descriptor to end, and whether a round
            // reached it depended on timing.
            for round in 1...3 {
                var clients = try (0..<80).map { _ in try RawHTTPClient(port: port) }
                var statuses: [Int] = []
                for client in clients {
                    try client.send(RawHTTPClient.request("GET", "/healthz"))
                    statuses.append((try? client.readResponse().status) ?? 0)
                }
                #expect(statuses.allSatisfy { $0 == 200 || $0 == 503 }, "round \(round): \(statuses)")
                #expect(statuses.contains(503) && statuses.contains(200), "round \(round): \(statuses)")
                if round == 1 {
                    _ = try process.waitForLine(containing: "out of file descriptors", timeout: .seconds(5))
                }
                // Still out of descriptors: a classify request on an open connection is answered once its
                // delay window ends (it waited for the next request when the window needed a timerfd).
                if let index = statuses.firstIndex(of: 200) {
                    let started = ContinuousClock.now
                    let classified = try clients[index].exchange(
                        RawHTTPClient.request("POST", "/classify", headers: ["Content-Type: application/json"], body: #"{"tokens": [1, 14, 22]}"#))
                    #expect(classified.status == 200, "round \(round)")
                    #expect(ContinuousClock.now - started >= .milliseconds(90), "round \(round): answered before its delay window ended")
                }

                clients = []
                // Another process notices the closes and frees its descriptors: nothing tells this one when, so poll (bounded).
                let recovered = try poll(every: .milliseconds(20), for: .seconds(5)) {
                    let client = try RawHTTPClient(port: port, timeout: .seconds(1))
                    return (try? client.exchange(RawHTTPClient.request("GET", "/healthz")).status) == 200
                }
                #expect(recovered, "round \(round): no 200 from /healthz once the connections were closed")
                guard recovered else { break }
            }
            process.send(signal: SIGTERM)
            try process.waitForExit(timeout: .seconds(15))
            // Alive to the end: libdispatch once trapped here, making the main queue's eventfd with none left.
            #expect(process.exitedNormally && process.exitStatus == 0, "output: \(process.output.suffix(2_000))")
        }

        @Test func aSIGTERMWhileTheModelLoadsExitsCleanly() throws {
            let executable = try #require(ServerProcess.executableURL)
            let process = try ServerProcess(
                executable: executable,
                arguments: [
                    "--host", "127.0.0.1", "--port", "0", "--model", BundledModel.checkpointURL.path, "--vocab", BundledModel.vocabularyURL.path,
                ])
            _ = try process.waitForLine(containing: "loading the model", timeout: .seconds(30))
            process.send(signal: SIGTERM)
            try process.waitForExit(timeout: .seconds(15))
            // Loading or already serving, the signal is handled: never the default action, death by SIGTERM.
            #expect(process.exitedNormally, "output: \(process.output)")
            #expect(process.exitStatus == 0, "output: \(process.output)")
            #expect(process.output.contains("shutting down"), "output: \(process.output)")
        }

        @Test func aMissingModelExitsNonZeroWithAClearMessageBeforeBinding() throws {
            let executable = try #require(ServerProcess.executableURL)
            let process = try ServerProcess(
                executable: executable, arguments: ["--host", "127.0.0.1", "--port", "0", "--model", "/nonexistent.keras"])
            try process.waitForExit(timeout: .seconds(15))
            #expect(process.exitedNormally)
            #expect(process.exitStatus != 0)
            #expect(process.output.contains("Error") && process.output.contains("/nonexistent.keras"), "output: \(process.output)")
            #expect(!process.output.contains("listening") && !process.output.contains("serving"), "output: \(process.output)")
        }

        @Test func anUnknownSchedulerExitsNonZeroNamingTheChoices() throws {
            let executable = try #require(ServerProcess.executableURL)
            let process = try ServerProcess(
                executable: executable,
                arguments: ["--host", "127.0.0.1", "--port", "0", "--model", BundledModel.checkpointURL.path, "--scheduler", "fifo"])
            try process.waitForExit(timeout: .seconds(15))
            #expect(process.exitedNormally)
            #expect(process.exitStatus != 0)
            #expect(process.output.contains("--scheduler must be one of: inline, batch (got 'fifo')"), "output: \(process.output)")
            #expect(!process.output.contains("serving"), "output: \(process.output)")
        }

        /// The review-file tools say what is wrong with the `--data` path: a directory, or damaged gzip data.
        @Test func aReviewFileThatCannotBeReadIsNamedWithTheReason() throws {
            let executable = try #require(ServerProcess.executableURL)
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lstm-serve-reviews-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            // A gzip header, then a deflate block of the reserved type 3.
            let damaged = directory.appendingPathComponent("test.jsonl.gz")
            try Data([0x1F, 0x8B, 0x08, 0, 0, 0, 0, 0, 0, 0x03, 0x07, 0, 0, 0, 0]).write(to: damaged)
            for (path, reason) in [(directory.path, "is a directory"), (damaged.path, "damaged gzip data (invalid block type)")] {
                let process = try ServerProcess(
                    executable: executable, arguments: ["tokenize", "--vocab", BundledModel.vocabularyURL.path, "--data", path])
                try process.waitForExit(timeout: .seconds(15))
                #expect(process.exitedNormally && process.exitStatus != 0)
                #expect(process.output.contains("\(path) \(reason)") || process.output.contains("\(path): \(reason)"), "output: \(process.output)")
            }
        }

        /// The port from the `address=HOST:PORT` metadata of the startup log line.
        static func port(in line: String) -> Int? {
            guard let range = line.range(of: "address=") else { return nil }
            let address = line[range.upperBound...].prefix { !$0.isWhitespace }
            return address.split(separator: ":").last.flatMap { Int($0) }
        }
    }
}
