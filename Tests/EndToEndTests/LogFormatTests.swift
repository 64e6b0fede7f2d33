import Foundation
import Glibc
import TestSupport
import Testing

extension EndToEnd {
    /// `--log-format json`: every line the executable writes is one JSON object, and the access line of a request
    /// carries its id, method, path, status, duration and batch size.
    @Suite("JSON logs", .enabled(if: ServerProcess.executableURL != nil, "lstm-serve is not built next to the test product"))
    struct LogFormatTests {
        @Test func everyLineIsAnObject_AndTheAccessLineNamesTheRequest() throws {
            let executable = try #require(ServerProcess.executableURL)
            let process = try ServerProcess(
                executable: executable, arguments: ["--host", "127.0.0.1", "--port", "0", "--log-format", "json", "--drain-timeout-s", "1"])
            let serving = try process.waitForLine(containing: #""message":"serving""#, timeout: .seconds(30))
            let address = try #require(Self.object(serving)?["address"] as? String)
            let port = try #require(Int(address.split(separator: ":").last ?? ""))
            let client = try RawHTTPClient(port: port)
            let body = #"{"text":"good"}"#
            try client.send(
                "POST /classify HTTP/1.1\r\nHost: e2e\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n"
                    + "X-Request-Id: trace-42\r\n\r\n\(body)")
            let response = try client.readResponse()
            #expect(response.status == 200 && response.header("X-Request-Id") == "trace-42")
            process.send(signal: SIGTERM)
            try process.waitForExit(timeout: .seconds(10))

            let lines = process.output.split(separator: "\n").map(String.init)
            let objects = lines.compactMap(Self.object)
            #expect(objects.count == lines.count, "lines that are not JSON objects: \(lines.filter { Self.object($0) == nil })")
            #expect(objects.allSatisfy { $0["time"] is String && $0["level"] is String && $0["message"] is String })
            let access = try #require(objects.first { $0["request_id"] as? String == "trace-42" }, "no access line for trace-42")
            #expect(access["method"] as? String == "POST" && access["path"] as? String == "/classify")
            #expect(access["status"] as? String == "200" && access["batch_size"] as? String == "1")
            #expect(Double(access["duration_ms"] as? String ?? "") != nil)
        }

        static func object(_ line: String) -> [String: Any]? {
            (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
        }
    }
}
