import Glibc
import TestSupport

/// A response as the test client read it off the wire.
struct TestResponse {
    var status: Int
    var headers: [(name: String, value: String)]
    var body: [UInt8]

    func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    var text: String { String(decoding: body, as: UTF8.self) }
}

enum TestClientError: Error {
    case connectFailed(Int32)
    case timedOut
    case closedEarly
    case malformed(String)
}

/// A tiny blocking HTTP client over a raw loopback socket; every read is bounded by `SO_RCVTIMEO`.
final class TestClient {
    private let descriptor: Int32
    private var buffer: [UInt8] = []

    init(port: Int, timeoutSeconds: Int = 5) throws {
        do {
            descriptor = try connectToLoopback(port: port, timeout: .seconds(timeoutSeconds))
        } catch {
            throw TestClientError.connectFailed(error.errno)
        }
    }

    deinit {
        close(descriptor)
    }

    func send(_ text: String) {
        send(Array(text.utf8))
    }

    func send(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { return }
            offset += sent
        }
    }

    /// Reads more bytes; returns false on end-of-file or reset.
    private func fill() throws -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65_536)
        let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
        if count > 0 {
            buffer += chunk[0..<count]
            return true
        }
        if count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { throw TestClientError.timedOut }
        return false
    }

    /// Reads one response; `bodyless` for answers to HEAD. Interim 1xx responses are returned like any other.
    func readResponse(bodyless: Bool = false) throws -> TestResponse {
        var headEnd: Int?
        while true {
            headEnd = buffer.indices.dropLast(3).first { buffer[$0] == 13 && buffer[$0 + 1] == 10 && buffer[$0 + 2] == 13 && buffer[$0 + 3] == 10 }
            if headEnd != nil { break }
            guard try fill() else { throw TestClientError.closedEarly }
        }
        guard let headEnd else { throw TestClientError.malformed("no head") }
        let lines = String(decoding: buffer[0..<headEnd], as: UTF8.self).split(separator: "\r\n", omittingEmptySubsequences: false).map(String.init)
        let statusParts = lines[0].split(separator: " ", maxSplits: 2)
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else { throw TestClientError.malformed(lines[0]) }
        let headers = lines.dropFirst().compactMap { line -> (name: String, value: String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: " "))
        }
        buffer.removeFirst(headEnd + 4)
        var response = TestResponse(status: status, headers: headers, body: [])
        let length = bodyless || status < 200 || status == 204 ? 0 : Int(response.header("Content-Length") ?? "0") ?? 0
        while buffer.count < length {
            guard try fill() else { throw TestClientError.closedEarly }
        }
        response.body = Array(buffer[0..<length])
        buffer.removeFirst(length)
        return response
    }

    /// Whether the server closed the connection (end-of-file or reset) with no further bytes, within the timeout.
    func isClosedByServer() -> Bool {
        guard buffer.isEmpty else { return false }
        var byte: UInt8 = 0
        let count = recv(descriptor, &byte, 1, 0)
        return count == 0 || (count < 0 && errno == ECONNRESET)
    }
}

extension String {
    fileprivate func trimmingCharacters(in set: Character) -> String {
        String(drop { $0 == set }.reversed().drop { $0 == set }.reversed())
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in set: Character) -> String {
        String(self).trimmingCharacters(in: set)
    }
}
