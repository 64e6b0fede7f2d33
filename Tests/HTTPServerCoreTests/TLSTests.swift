import Foundation
import Glibc
import HTTP1
import Testing
import TestSupport

@testable import HTTPServerCore

/// The test-only CA, certificates and keys of `Tests/Fixtures/TLS` (made by its `regenerate.sh`).
private enum Fixture {
    static let directory: String = {
        var components = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false)
        components.removeLast(2)  // HTTPServerCoreTests/TLSTests.swift
        return components.joined(separator: "/") + "/Fixtures/TLS"
    }()
    static func path(_ name: String) -> String { "\(directory)/\(name)" }
    static let authority = path("ca.pem")
    static let certificate = path("server.pem")
    static let key = path("server.key")
}

/// TLS on a live server: start-up errors name the file and the reason; real handshakes (TLS 1.2 and 1.3, ALPN) carry
/// requests; plain HTTP and silent clients are closed; a reload changes new handshakes only.
@Suite("TLS")
struct TLSTests {
    /// A certificate and key pair that must not load, and the error it must give.
    struct BadFiles: CustomTestStringConvertible, Sendable {
        var name: String
        var certificate: String
        var key: String
        var expected: TLSError
        var testDescription: String { name }
    }

    static let badFiles: [BadFiles] = [
        BadFiles(
            name: "missing certificate", certificate: Fixture.path("absent.pem"), key: Fixture.key,
            expected: .fileMissing(role: "certificate", path: Fixture.path("absent.pem"))),
        BadFiles(
            name: "missing key", certificate: Fixture.certificate, key: Fixture.path("absent.key"),
            expected: .fileMissing(role: "key", path: Fixture.path("absent.key"))),
        BadFiles(
            name: "unreadable certificate (a directory)", certificate: Fixture.directory, key: Fixture.key,
            expected: .fileUnreadable(role: "certificate", path: Fixture.directory, reason: "not a regular file")),
        BadFiles(
            name: "key of another certificate", certificate: Fixture.certificate, key: Fixture.path("other.key"),
            expected: .keyMismatch(keyPath: Fixture.path("other.key"), certificatePath: Fixture.certificate)),
    ]

    @Test(arguments: badFiles)
    func startUp_RefusesBadFiles_NamingTheFileAndTheReason(_ bad: BadFiles) {
        #expect(throws: bad.expected) { try TLSCredentials(certificatePath: bad.certificate, keyPath: bad.key) }
        // One line that names the file at fault.
        let culprit = bad.name.contains("certificate") ? bad.certificate : bad.key
        #expect(bad.expected.description.contains(culprit))
        #expect(!bad.expected.description.contains("\n"))
    }

    @Test func startUp_RefusesFilesThatAreNotPEM_WithOpenSSLsReason() throws {
        let notACertificate = #expect(throws: TLSError.self) { try TLSCredentials(certificatePath: Fixture.key, keyPath: Fixture.key) }
        guard case .invalidCertificate(let path, let reason) = notACertificate else {
            Issue.record("expected invalidCertificate, got \(String(describing: notACertificate))")
            return
        }
        #expect(path == Fixture.key)
        #expect(!reason.isEmpty && reason != "unknown")
        let notAKey = #expect(throws: TLSError.self) { try TLSCredentials(certificatePath: Fixture.certificate, keyPath: Fixture.authority) }
        guard case .invalidKey(let keyPath, _) = notAKey else {
            Issue.record("expected invalidKey, got \(String(describing: notAKey))")
            return
        }
        #expect(keyPath == Fixture.authority)
    }

    @Test(arguments: [TLSClient.MaximumVersion.tls1_2, .tls1_3])
    func handshake_RoundTrip_CarriesRequests_WithALPNHTTP11(_ version: TLSClient.MaximumVersion) throws {
        var configuration = HTTPServer.Configuration(ioThreadCount: 1)
        configuration.tls = try TLSCredentials(certificatePath: Fixture.certificate, keyPath: Fixture.key)
        try withLiveServer(configuration, handler: StubHandler()) { server in
            let descriptor = try connectToLoopback(port: server.localPort, timeout: .seconds(5))
            defer { close(descriptor) }
            let client = try TLSClient(
                descriptor: descriptor, verification: .anchorsAndHost(path: Fixture.authority, host: "127.0.0.1"), maximumVersion: version)
            #expect(client.version == (version == .tls1_2 ? "TLSv1.2" : "TLSv1.3"))
            #expect(client.negotiatedProtocol == "http/1.1")
            #expect(client.peerCertificate == configuration.tls?.certificate)
            // Two requests on one connection: keep-alive works through the session; the second carries a body.
            try client.write(Array("GET /text HTTP/1.1\r\nHost: t\r\n\r\n".utf8))
            #expect(try readResponse(client).hasSuffix("\r\n\r\nhello"))
            let body = String(repeating: "x", count: 40_000)  // more than two TLS records
            try client.write(Array("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)".utf8))
            let echoed = try readResponse(client)
            #expect(echoed.hasPrefix("HTTP/1.1 200"))
            #expect(echoed.hasSuffix("\r\n\r\n" + body))
        }
    }

    @Test func plainHTTP_OnTheTLSPort_IsClosedWithoutAnHTTPAnswer() throws {
        var configuration = HTTPServer.Configuration(ioThreadCount: 1)
        configuration.tls = try TLSCredentials(certificatePath: Fixture.certificate, keyPath: Fixture.key)
        try withLiveServer(configuration, handler: StubHandler()) { server in
            let descriptor = try connectToLoopback(port: server.localPort, timeout: .seconds(5))
            defer { close(descriptor) }
            let request = Array("GET /text HTTP/1.1\r\nHost: t\r\n\r\n".utf8)
            #expect(request.withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } == request.count)
            let (received, ending) = readUntilClosed(descriptor)
            #expect(ending == .closed, "the server must close the connection, not leave it open")
            #expect(!received.starts(with: Array("HTTP/".utf8)))
            // The server still serves TLS.
            let next = try connectToLoopback(port: server.localPort, timeout: .seconds(5))
            defer { close(next) }
            let client = try TLSClient(descriptor: next, verification: .anchors(path: Fixture.authority))
            try client.write(Array("GET /text HTTP/1.1\r\nHost: t\r\n\r\n".utf8))
            #expect(try readResponse(client).hasSuffix("hello"))
        }
    }

    @Test func silentClient_IsClosed_AfterTheHandshakeTimeout() throws {
        var configuration = HTTPServer.Configuration(ioThreadCount: 1)
        configuration.tls = try TLSCredentials(certificatePath: Fixture.certificate, keyPath: Fixture.key)
        configuration.tlsHandshakeTimeout = .milliseconds(200)
        try withLiveServer(configuration, handler: StubHandler()) { server in
            // The socket's 5 s receive timeout bounds the wait; the server must close long before.
            let descriptor = try connectToLoopback(port: server.localPort, timeout: .seconds(5))
            defer { close(descriptor) }
            let started = ContinuousClock.now
            let (received, ending) = readUntilClosed(descriptor)
            #expect(ending == .closed)
            #expect(received.isEmpty)
            #expect(started.duration(to: .now) >= .milliseconds(200))
        }
    }

    @Test func reload_ChangesNewHandshakes_KeepsOpenConnections_AndKeepsTheOldOnBadFiles() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let certificatePath = "\(directory)/cert.pem"
        let keyPath = "\(directory)/key.pem"
        try copy(Fixture.certificate, to: certificatePath)
        try copy(Fixture.key, to: keyPath)
        let credentials = try TLSCredentials(certificatePath: certificatePath, keyPath: keyPath)
        let original = credentials.certificate
        var configuration = HTTPServer.Configuration(ioThreadCount: 1)
        configuration.tls = credentials
        try withLiveServer(configuration, handler: StubHandler()) { server in
            let before = try connectToLoopback(port: server.localPort, timeout: .seconds(5))
            defer { close(before) }
            let kept = try TLSClient(descriptor: before, verification: .anchors(path: Fixture.authority))
            #expect(kept.peerCertificate == original)

            // A bad file: the reload fails, and the old certificate stays.
            try write("not a certificate", to: certificatePath)
            #expect(throws: TLSError.self) { try credentials.reload() }
            #expect(credentials.certificate == original)
            #expect(try handshakeCertificate(port: server.localPort) == original)

            try copy(Fixture.path("renewed.pem"), to: certificatePath)
            try copy(Fixture.path("renewed.key"), to: keyPath)
            let renewed = try credentials.reload()
            #expect(renewed != original)
            #expect(renewed.subject.contains("renewed"))
            #expect(try handshakeCertificate(port: server.localPort) == renewed)

            // The connection opened before both reloads still works, with its certificate.
            try kept.write(Array("GET /text HTTP/1.1\r\nHost: t\r\n\r\n".utf8))
            #expect(try readResponse(kept).hasSuffix("hello"))
            #expect(kept.peerCertificate == original)
        }
    }
}

// MARK: - Helpers

/// How reading a socket ended.
private enum Ending: Equatable {
    case closed
    case timedOut
}

/// Reads raw bytes until the peer closes (end-of-file or reset) or the socket's receive timeout passes.
private func readUntilClosed(_ descriptor: Int32) -> ([UInt8], Ending) {
    var received: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
        let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
        if count > 0 {
            received += buffer[0..<count]
            continue
        }
        if count == 0 || errno == ECONNRESET { return (received, .closed) }
        return (received, .timedOut)
    }
}

/// One response of known length (`Content-Length`) read through `client`, as text.
private func readResponse(_ client: TLSClient) throws -> String {
    var bytes: [UInt8] = []
    while true {
        let text = String(decoding: bytes, as: UTF8.self)
        if let headEnd = text.range(of: "\r\n\r\n") {
            let head = text[..<headEnd.lowerBound].lowercased()
            let length =
                head.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
                .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
            if text.utf8.count - text.utf8.distance(from: text.startIndex, to: headEnd.upperBound) >= length { return text }
        }
        let chunk = try client.read()
        if chunk.isEmpty { return text }
        bytes += chunk
    }
}

/// The certificate a new handshake on `port` presents.
private func handshakeCertificate(port: Int) throws -> TLSCertificateSummary? {
    let descriptor = try connectToLoopback(port: port, timeout: .seconds(5))
    defer { close(descriptor) }
    return try TLSClient(descriptor: descriptor, verification: .anchors(path: Fixture.authority)).peerCertificate
}

private func temporaryDirectory() throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("lstm-serve-tls-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

private func write(_ text: String, to path: String) throws {
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
}

private func copy(_ source: String, to destination: String) throws {
    try Data(contentsOf: URL(fileURLWithPath: source)).write(to: URL(fileURLWithPath: destination))
}
