import ArgumentParser
import Glibc
import HTTPServerCore

/// `lstm-serve healthcheck`: asks a running server's `/healthz` (or `--path`) over loopback and
/// exits 0 on a 2xx answer, 1 otherwise, so a container's health check needs no curl.
///
/// It reads the same `LSTM_SERVE_HOST`, `LSTM_SERVE_PORT` and `LSTM_SERVE_TLS_CERT` as `serve`, so a
/// check baked into an image follows whatever `-e` the container was started with. A wildcard bind
/// address (`0.0.0.0`, `::`) is checked on the matching loopback address.
///
/// With a TLS certificate it speaks TLS and verifies the server's chain against that file (its
/// certificates are the trust anchors), without a host-name check: it connects by address, often
/// loopback, which a certificate rarely names, and a server presenting the configured certificate
/// (or one issued by a CA in that file) is the one meant. An expired certificate fails the check.
struct HealthCheck: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "healthcheck",
        abstract: "Check a running server: exit 0 if GET --path answers 2xx within --timeout-ms, else 1.")

    @Option(help: "The server's address. Default: LSTM_SERVE_HOST, else \(Serve.Defaults.http.host) (wildcards mean loopback).")
    var host: String?
    @Option(help: "The server's port. Default: LSTM_SERVE_PORT, else \(Serve.Defaults.http.port).")
    var port: Int?
    @Option(
        name: .customLong("tls-cert"),
        help: "The server's PEM certificate (chain): speak TLS and trust it. Default: LSTM_SERVE_TLS_CERT, else plain HTTP.")
    var tlsCertificate: String?
    @Option(help: "The path to ask (/readyz also says whether the server takes traffic).")
    var path: String = "/healthz"
    @Option(help: "Milliseconds to wait for the answer.")
    var timeoutMs: Int = 2_000

    func run() throws {
        let bound = try Environment.resolve(host, "HOST", default: Serve.Defaults.http.host)
        let port = try Environment.resolve(self.port, "PORT", default: Serve.Defaults.http.port)
        let target = Self.connectableHost(bound)
        let certificate = try TLSOptions.certificatePath(tlsCertificate)
        guard path.hasPrefix("/"), !path.contains(where: { $0.isWhitespace }) else {
            throw ValidationError("--path must start with / and hold no spaces")
        }
        guard timeoutMs > 0 else { throw ValidationError("--timeout-ms must be positive") }
        do {
            let status = try Self.statusCode(
                host: target, port: port, path: path, timeout: .milliseconds(timeoutMs), trusting: certificate)
            print("GET \(path) on \(target):\(port)\(certificate == nil ? "" : " (TLS)"): \(status)")
            guard (200..<300).contains(status) else { throw ExitCode.failure }
        } catch let failure as HealthCheckFailure {
            print("GET \(path) on \(target):\(port): \(failure.reason)")
            throw ExitCode.failure
        }
    }

    /// The address to connect to for a bind address: wildcards become loopback.
    static func connectableHost(_ bound: String) -> String {
        switch bound {
        case "", "0.0.0.0": "127.0.0.1"
        case "::", "[::]": "::1"
        default: bound
        }
    }

    /// Sends one `GET` and returns the status code of the answer's status line; over TLS when `certificate` (a PEM
    /// file to trust) is given.
    static func statusCode(host: String, port: Int, path: String, timeout: Duration, trusting certificate: String? = nil) throws -> Int {
        let descriptor = try connect(host: host, port: port, timeout: timeout)
        defer { close(descriptor) }
        let hostHeader = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        let request = Array("GET \(path) HTTP/1.1\r\nHost: \(hostHeader)\r\nConnection: close\r\n\r\n".utf8)
        var head: [UInt8] = []
        if let certificate {
            do {
                let client = try TLSClient(descriptor: descriptor, verification: .anchors(path: certificate))
                try client.write(request)
                while !head.contains(UInt8(ascii: "\n")) && head.count < 4_096 {
                    let bytes = try client.read(limit: 512)
                    if bytes.isEmpty { break }
                    head += bytes
                }
            } catch {
                throw HealthCheckFailure(reason: error.description)
            }
        } else {
            var sent = 0
            while sent < request.count {
                let count = request[sent...].withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                guard count > 0 else { throw HealthCheckFailure(reason: "send failed: \(String(cString: strerror(errno)))") }
                sent += count
            }
            // The status line is in the first bytes: "HTTP/1.1 200 OK".
            var buffer = [UInt8](repeating: 0, count: 512)
            while !head.contains(UInt8(ascii: "\n")) && head.count < 4_096 {
                let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
                if count == 0 { break }
                guard count > 0 else { throw HealthCheckFailure(reason: "no answer: \(String(cString: strerror(errno)))") }
                head += buffer[0..<count]
            }
        }
        let line = String(decoding: head.prefix { $0 != UInt8(ascii: "\r") && $0 != UInt8(ascii: "\n") }, as: UTF8.self)
        let parts = line.split(separator: " ")
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let status = Int(parts[1]) else {
            throw HealthCheckFailure(reason: "not an HTTP answer: \(line.prefix(80).debugDescription)")
        }
        return status
    }

    /// A blocking TCP connection whose connect, sends and receives give up after `timeout`.
    private static func connect(host: String, port: Int, timeout: Duration) throws -> Int32 {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        let resolved = getaddrinfo(host, String(port), &hints, &list)
        guard resolved == 0, let first = list else {
            throw HealthCheckFailure(reason: "cannot resolve \(host): \(String(cString: gai_strerror(resolved)))")
        }
        defer { freeaddrinfo(list) }
        let descriptor = socket(first.pointee.ai_family, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw HealthCheckFailure(reason: "socket failed: \(String(cString: strerror(errno)))") }
        let (seconds, attoseconds) = timeout.components
        var interval = timeval(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
        // On Linux SO_SNDTIMEO also bounds a blocking connect.
        setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &interval, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &interval, socklen_t(MemoryLayout<timeval>.size))
        guard Glibc.connect(descriptor, first.pointee.ai_addr, first.pointee.ai_addrlen) == 0 else {
            let reason = String(cString: strerror(errno))
            close(descriptor)
            throw HealthCheckFailure(reason: "cannot connect: \(reason)")
        }
        return descriptor
    }
}

/// Why the check got no status: printed, then the command exits 1.
private struct HealthCheckFailure: Error {
    let reason: String
}
