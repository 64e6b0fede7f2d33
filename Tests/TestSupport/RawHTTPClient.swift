import Foundation
import Glibc

/// A blocking HTTP/1.1 client over one raw loopback TCP connection, for writing exact request bytes.
///
/// Every `recv` and `send` is bounded by `SO_RCVTIMEO`/`SO_SNDTIMEO`, so no test can hang on a silent server.
/// Responses are framed by `Content-Length` (our server never sends chunked responses).
/// Threading: one client belongs to one thread; it is not shared.
public final class RawHTTPClient {
    private let descriptor: Int32
    private var buffer: [UInt8] = []
    /// Interim (1xx) responses skipped by ``readResponse(bodyless:skipInterim:)``, in arrival order.
    public private(set) var interimResponses: [RawResponse] = []

    /// Connects to `127.0.0.1:port`; each later read or write gives up after `timeout`.
    public init(port: Int, timeout: Duration = .seconds(5)) throws {
        do {
            descriptor = try connectToLoopback(port: port, timeout: timeout)
        } catch {
            throw RawHTTPClientError.connectFailed(errno: error.errno)
        }
    }

    deinit {
        if !isReset { close(descriptor) }
    }

    private var isReset = false

    /// Aborts the connection: closes with `SO_LINGER` 0, so the server gets a TCP reset instead of end-of-file.
    /// The client is unusable afterwards.
    public func reset() {
        guard !isReset else { return }
        isReset = true
        var abort = linger(l_onoff: 1, l_linger: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_LINGER, &abort, socklen_t(MemoryLayout<linger>.size))
        close(descriptor)
    }

    /// Writes all of `text` as UTF-8.
    public func send(_ text: String) throws {
        try send(Array(text.utf8))
    }

    /// Writes all of `bytes`.
    public func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { throw RawHTTPClientError.sendFailed(errno: errno) }
            offset += sent
        }
    }

    /// Sends one request and reads its final response.
    public func exchange(_ request: String, bodyless: Bool = false) throws -> RawResponse {
        try send(request)
        return try readResponse(bodyless: bodyless)
    }

    /// Reads one response.
    /// - Parameters:
    ///   - bodyless: the response answers a HEAD request, so `Content-Length` describes a body that is not sent.
    ///   - skipInterim: read past `1xx` responses (recording them in ``interimResponses``) to the final one;
    ///     `false` returns an interim response itself.
    public func readResponse(bodyless: Bool = false, skipInterim: Bool = true) throws -> RawResponse {
        while true {
            let response = try readOneResponse(bodyless: bodyless)
            guard skipInterim, (100..<200).contains(response.status) else { return response }
            interimResponses.append(response)
        }
    }

    /// Whether the server closes the connection (end-of-file or reset) without sending anything more, within the timeout.
    public func isClosedByServer() -> Bool {
        guard buffer.isEmpty else { return false }
        var byte: UInt8 = 0
        let count = recv(descriptor, &byte, 1, 0)
        return count == 0 || (count < 0 && errno == ECONNRESET)
    }

    private func readOneResponse(bodyless: Bool) throws -> RawResponse {
        var searchFrom = 0
        var headEnd: Int?
        while headEnd == nil {
            headEnd = Self.headTerminator(in: buffer, from: searchFrom)
            if headEnd == nil {
                searchFrom = max(0, buffer.count - 3)
                try fill()
            }
        }
        guard let headEnd else { throw RawHTTPClientError.malformed("") }
        let lines = String(decoding: buffer[0..<headEnd], as: UTF8.self).components(separatedBy: "\r\n")
        let parts = lines[0].split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let status = Int(parts[1]) else {
            throw RawHTTPClientError.malformed(lines[0])
        }
        let headers = try lines.dropFirst().map { line -> (name: String, value: String) in
            guard let colon = line.firstIndex(of: ":") else { throw RawHTTPClientError.malformed(line) }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        buffer.removeFirst(headEnd + 4)
        var response = RawResponse(status: status, statusLine: lines[0], headers: headers, body: [])
        let hasBody = !bodyless && status >= 200 && status != 204 && status != 304
        let length = hasBody ? Int(response.header("Content-Length") ?? "0") ?? 0 : 0
        while buffer.count < length {
            try fill()
        }
        response.body = Array(buffer[0..<length])
        buffer.removeFirst(length)
        return response
    }

    /// Index of the `\r\n\r\n` that ends a head, searching from `start`.
    private static func headTerminator(in bytes: [UInt8], from start: Int) -> Int? {
        guard bytes.count >= 4 else { return nil }
        return (start...(bytes.count - 4)).first { bytes[$0] == 13 && bytes[$0 + 1] == 10 && bytes[$0 + 2] == 13 && bytes[$0 + 3] == 10 }
    }

    /// Appends the next bytes from the socket; throws on timeout or end-of-file.
    private func fill() throws {
        var chunk = [UInt8](repeating: 0, count: 65_536)
        let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
        if count > 0 {
            buffer += chunk[0..<count]
            return
        }
        let partial = String(decoding: buffer.prefix(300), as: UTF8.self)
        if count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { throw RawHTTPClientError.timedOut(partial: partial) }
        throw RawHTTPClientError.closedEarly(partial: partial)
    }
}
