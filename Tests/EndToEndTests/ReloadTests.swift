import Foundation
import Glibc
import Locking
import SentimentModel
import TestSupport
import Testing

extension EndToEnd {
    /// Reloading under load, on the real executable: 20 SIGHUPs alternating two checkpoints behind one path while
    /// clients keep posting. No request fails, and every score is the one the model its `model.sha256` names gives
    /// alone. Then a damaged file: the old model goes on serving and the failure is logged.
    @Suite("Reloading the model", .enabled(if: ServerProcess.executableURL != nil, "lstm-serve is not built next to the test product"))
    struct ReloadTests {
        /// Token sequences both models accept (ids below the smaller vocabulary, 5,000).
        static let sequences: [[Int32]] = (0..<12).map { (row: Int) -> [Int32] in
            let ids = (0..<(20 + 37 * row)).map { (position: Int) -> Int32 in Int32(4 + (position * 131 + row * 17) % 4_990) }
            return [Vocabulary.startID] + ids
        }

        /// What each client saw.
        struct Tally: Sendable {
            var answered = 0
            var failures: [String] = []
            var shas: Set<String> = []
        }

        @Test func twentyReloadsUnderLoad_LoseNothing_AndEveryScoreIsItsModels() throws {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lstm-serve-reload-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let served = directory.appendingPathComponent("model.keras")
            let checkpoints = [BundledModel.checkpointURL, Fixtures.alternativeCheckpointURL]
            // The score of every sequence under each model, computed alone: what every answer must equal.
            var scores: [String: [String]] = [:]
            for url in checkpoints {
                let bundle = try ModelBundle.load(checkpoint: url, vocabulary: nil)
                scores[bundle.sha256] = try Self.sequences.map { try bundle.classifier.predict([$0])[0].description }
            }
            let expected = scores
            try FileManager.default.copyItem(at: checkpoints[0], to: served)
            let (process, port) = try ServerProcess.serving(["--model", served.path, "--drain-timeout-s", "2"])

            let stop = Lock(false)
            let tallies = Lock<[Tally]>([])
            let finished = DispatchSemaphore(value: 0)
            let clients = 4
            for client in 0..<clients {
                Thread {
                    var tally = Tally()
                    defer {
                        tallies.withLock { $0.append(tally) }
                        finished.signal()
                    }
                    guard let connection = try? RawHTTPClient(port: port, timeout: .seconds(10)) else {
                        return tally.failures.append("client \(client) could not connect")
                    }
                    var index = client
                    while !stop.withLock({ $0 }) {
                        let ids = Self.sequences[index % Self.sequences.count]
                        let body = #"{"tokens": [\#(ids.map(String.init).joined(separator: ","))]}"#
                        do {
                            let response = try connection.exchange(RawHTTPClient.classify(body))
                            let sha = (response.json["model"] as? [String: Any])?["sha256"] as? String ?? "?"
                            let score = response.rawNumbers(for: "score").first
                            if response.status != 200 || expected[sha]?[index % Self.sequences.count] != score {
                                tally.failures.append("status \(response.status), sha \(sha), score \(score ?? "none")")
                            }
                            tally.shas.insert(sha)
                            tally.answered += 1
                        } catch {
                            tally.failures.append("client \(client): \(error)")
                            return
                        }
                        index += clients
                    }
                }.start()
            }

            for reload in 1...20 {
                // Replace the file whole (write a copy, then rename over it), as a deployment would.
                let next = directory.appendingPathComponent("next.keras")
                try? FileManager.default.removeItem(at: next)
                try FileManager.default.copyItem(at: checkpoints[reload % 2], to: next)
                #expect(rename(next.path, served.path) == 0)
                process.send(signal: SIGHUP)
                try process.waitForLines(containing: "reloaded the model", count: reload, timeout: .seconds(20))
            }
            stop.withLock { $0 = true }
            for _ in 0..<clients {
                try #require(finished.wait(timeout: .now() + 20) == .success, "a client did not finish")
            }
            let all = tallies.withLock { $0 }
            #expect(all.flatMap(\.failures).isEmpty, "\(all.flatMap(\.failures).prefix(5))")
            #expect(all.map(\.answered).reduce(0, +) > 100, "too little load to mean anything: \(all.map(\.answered))")
            #expect(all.reduce(into: Set<String>()) { $0.formUnion($1.shas) } == Set(expected.keys), "answers came from both models")

            // A damaged file: the reload fails, is logged, and the last good model (the bundled one) goes on serving.
            try Data("not a checkpoint".utf8).write(to: served)
            process.send(signal: SIGHUP)
            let failure = try process.waitForLine(containing: "reload failed", timeout: .seconds(20))
            #expect(failure.contains("failed_reloads=1"), "\(failure)")
            let client = try RawHTTPClient(port: port)
            let after = try client.exchange(RawHTTPClient.classify(#"{"tokens": [1, 5, 7]}"#))
            #expect(after.status == 200)
            let sha = (after.json["model"] as? [String: Any])?["sha256"] as? String
            #expect(sha == BundledModel.bundle.sha256, "the 20th reload left the bundled model in service")

            // The reloads are counted by outcome, and the model info names the version in service.
            let metrics = PrometheusSamples(try client.exchange(RawHTTPClient.request("GET", "/metrics")).body)
            #expect(metrics["lstm_serve_model_reloads_total", ["outcome": "success"]] == 20, "\(metrics)")
            #expect(metrics["lstm_serve_model_reloads_total", ["outcome": "failure"]] == 1)
            let info = metrics.values.filter { $0.key.hasPrefix("lstm_serve_model_info{") }
            #expect(info.count == 1 && info.values.first == 1, "\(info)")
            #expect(info.keys.first?.hasSuffix(#"sha256="\#(BundledModel.bundle.sha256)",version="21"}"#) == true, "\(info)")

            process.send(signal: SIGTERM)
            try process.waitForExit(timeout: .seconds(10))
            #expect(process.exitStatus == 0, "output: \(process.output)")
        }
    }
}
