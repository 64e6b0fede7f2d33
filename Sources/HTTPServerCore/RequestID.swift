/// `X-Request-Id`: the id that ties a request's response to its log line, kept from the client when it is a
/// reasonable one, else made here.
enum RequestID {
    /// The header's name.
    static let header = "X-Request-Id"
    /// The longest client id kept; a longer one is replaced, not cut, so two ids never collide by truncation.
    static let maxLength = 128

    /// A random prefix for this process's ids, so that ids from replicas behind one balancer do not collide.
    static let processPrefix: String = {
        var generator = SystemRandomNumberGenerator()
        let value = generator.next() as UInt64
        let hex = String(value, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }()

    /// The client's id if it is 1 to ``maxLength`` characters of letters, digits and `-._:/+=`, as trace ids and
    /// UUIDs are; anything else (a log injection attempt, say) is dropped and replaced.
    static func accepted(_ value: String?) -> String? {
        guard let value, !value.isEmpty, value.utf8.count <= maxLength else { return nil }
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                continue
            case UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: ":"), UInt8(ascii: "/"), UInt8(ascii: "+"),
                UInt8(ascii: "="):
                continue
            default:
                return nil
            }
        }
        return value
    }

    /// A new id, unique within the process and very likely across processes: `<process prefix>-<connection>-<request>`,
    /// the numbers in hexadecimal. No system call per request.
    static func make(connection: UInt64, sequence: UInt64) -> String {
        "\(processPrefix)-\(String(connection, radix: 16))-\(String(sequence, radix: 16))"
    }
}
