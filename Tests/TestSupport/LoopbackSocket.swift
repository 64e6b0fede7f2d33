import Glibc

/// Opens a blocking TCP connection to `127.0.0.1:port` whose every `recv` and `send` gives up
/// after `timeout` (`SO_RCVTIMEO`/`SO_SNDTIMEO`), so no test can hang on a silent server.
/// The caller owns and closes the descriptor. Throws the `errno` of a failed `connect`.
public func connectToLoopback(port: Int, timeout: Duration) throws(LoopbackConnectError) -> Int32 {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard descriptor >= 0 else { throw LoopbackConnectError(errno: errno) }
    let (seconds, attoseconds) = timeout.scaled.components
    var interval = timeval(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
    setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &interval, socklen_t(MemoryLayout<timeval>.size))
    setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &interval, socklen_t(MemoryLayout<timeval>.size))
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = UInt16(port).bigEndian
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let result = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard result == 0 else {
        let code = errno
        close(descriptor)
        throw LoopbackConnectError(errno: code)
    }
    return descriptor
}

/// `connect` to the loopback address failed with this `errno`.
public struct LoopbackConnectError: Error, Equatable, Sendable {
    public let errno: Int32
}
