import Glibc

/// A peer or local address decoded from `sockaddr_storage` (IPv4 or IPv6).
struct SocketAddress: CustomStringConvertible {
    /// The numeric host, for example `127.0.0.1` or `::1`; empty for other families.
    var host: String
    /// The port in host byte order.
    var port: Int
    /// Whether the address is IPv6.
    var isIPv6: Bool

    init(_ storage: sockaddr_storage) {
        var storage = storage
        switch Int32(storage.ss_family) {
        case AF_INET:
            let address = withUnsafeBytes(of: &storage) { $0.load(as: sockaddr_in.self) }
            host = withUnsafeBytes(of: address.sin_addr) { Self.numericHost(family: AF_INET, address: $0, length: Int(INET_ADDRSTRLEN)) }
            port = Int(UInt16(bigEndian: address.sin_port))
            isIPv6 = false
        case AF_INET6:
            let address = withUnsafeBytes(of: &storage) { $0.load(as: sockaddr_in6.self) }
            host = withUnsafeBytes(of: address.sin6_addr) { Self.numericHost(family: AF_INET6, address: $0, length: Int(INET6_ADDRSTRLEN)) }
            port = Int(UInt16(bigEndian: address.sin6_port))
            isIPv6 = true
        default:
            host = ""
            port = 0
            isIPv6 = false
        }
    }

    /// `host:port`, with brackets around IPv6 hosts; `unknown` when the family is not IP.
    var description: String {
        guard !host.isEmpty else { return "unknown" }
        return isIPv6 ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    private static func numericHost(family: Int32, address: UnsafeRawBufferPointer, length: Int) -> String {
        var text = [CChar](repeating: 0, count: length)
        guard inet_ntop(family, address.baseAddress, &text, socklen_t(length)) != nil else { return "" }
        return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
