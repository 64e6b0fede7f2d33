import Glibc
package import HTTP1
package import Logging

extension HTTPServer {
    /// Settings for an ``HTTPServer``; every field has a documented default.
    package struct Configuration: Sendable {
        /// Address to bind, resolved with getaddrinfo (numeric IPv4/IPv6 or a host name). Default: `"0.0.0.0"`.
        package var host: String
        /// TCP port to bind; `0` picks an ephemeral port, readable afterwards from ``HTTPServer/localPort``. Default: 8080.
        package var port: Int
        /// Length of the kernel's queue of connections not yet accepted (`listen(2)` backlog). Default: 256.
        package var backlog: Int
        /// Request size limits; exceeding them answers 413 or 431 and closes. Default: `HTTPLimits()` (see its fields).
        package var limits: HTTPLimits
        /// Time allowed to receive a complete request head: from the connection opening for the first request, from the
        /// request's first byte for later ones. On expiry the server answers 408 and closes. Default: 10 seconds.
        package var headerReadTimeout: Duration
        /// Time allowed to receive a request body once its head is complete. On expiry 408 and close. Default: 30 seconds.
        package var bodyReadTimeout: Duration
        /// How long a keep-alive connection may sit idle between requests before it is closed silently. Default: 60 seconds.
        package var idleTimeout: Duration
        /// Maximum simultaneous connections. A connection accepted above it gets a `503` with `Connection: close`
        /// (best effort, one non-blocking write) and is closed at once. Default: 1024.
        package var maxConnections: Int
        /// Bytes read from a socket per read call, in one buffer shared by the connections of an I/O thread. Default: 65,536 (64 KiB).
        package var readBufferSize: Int
        /// Requests of one connection that may await their responses at once (pipelining); beyond it the server stops
        /// reading that connection until responses are written. Default: 16.
        package var maxPipelinedRequests: Int
        /// After answering and half-closing a connection, how long unread input is drained before the socket is closed
        /// (avoids a TCP reset that could destroy the response). Default: 2 seconds.
        package var lingerTimeout: Duration
        /// Number of I/O threads (epoll loops); connections are assigned round-robin. Default: the number of active processors.
        package var ioThreadCount: Int
        /// Level of the one access-log line written per response (method, path, status, milliseconds). Default: `.info`.
        package var accessLogLevel: Logger.Level
        /// Response headers copied into the access-log line's metadata, e.g. `X-Batch-Size`. Default: none.
        package var accessLogHeaders: [String]
        /// TLS certificate and key: when set, every connection is TLS (1.2 or 1.3) and plain HTTP is refused. Its
        /// ``TLSCredentials/reload()`` changes the certificate of new handshakes. Default: `nil`, plain HTTP.
        package var tls: TLSCredentials? = nil
        /// Time allowed for a TLS handshake, from the connection opening; on expiry the connection is closed. The first
        /// request's head must also arrive within ``headerReadTimeout`` of the opening. Default: 10 seconds.
        package var tlsHandshakeTimeout: Duration = .seconds(10)

        /// Each of ``accessLogHeaders`` with the metadata key it is logged under: lower case, without an `X-` prefix,
        /// `-` as `_` (`X-Batch-Size` is `batch_size`), the way the access line's other fields are named.
        var accessLogHeaderKeys: [(name: String, key: String)] {
            accessLogHeaders.map { name in
                var key = name.lowercased()
                if key.hasPrefix("x-") { key.removeFirst(2) }
                return (name, key.replacing("-", with: "_"))
            }
        }

        /// Creates a configuration; every argument defaults to the documented value.
        package init(
            host: String = "0.0.0.0",
            port: Int = 8080,
            backlog: Int = 256,
            limits: HTTPLimits = HTTPLimits(),
            headerReadTimeout: Duration = .seconds(10),
            bodyReadTimeout: Duration = .seconds(30),
            idleTimeout: Duration = .seconds(60),
            maxConnections: Int = 1024,
            readBufferSize: Int = 64 * 1024,
            maxPipelinedRequests: Int = 16,
            lingerTimeout: Duration = .seconds(2),
            ioThreadCount: Int = Configuration.activeProcessorCount,
            accessLogLevel: Logger.Level = .info,
            accessLogHeaders: [String] = []
        ) {
            self.host = host
            self.port = port
            self.backlog = backlog
            self.limits = limits
            self.headerReadTimeout = headerReadTimeout
            self.bodyReadTimeout = bodyReadTimeout
            self.idleTimeout = idleTimeout
            self.maxConnections = maxConnections
            self.readBufferSize = readBufferSize
            self.maxPipelinedRequests = maxPipelinedRequests
            self.lingerTimeout = lingerTimeout
            self.ioThreadCount = ioThreadCount
            self.accessLogLevel = accessLogLevel
            self.accessLogHeaders = accessLogHeaders
        }

        /// The number of active processors, at least 1.
        package static var activeProcessorCount: Int {
            max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        }
    }
}
