import Glibc

/// Wall-clock instants as the API and the logs write them.
package enum Timestamp {
    /// RFC 3339 in UTC with milliseconds, e.g. `2026-12-06T07:31:05.123Z`.
    package static func rfc3339(_ secondsSince1970: Double) -> String {
        var seconds = time_t(secondsSince1970.rounded(.down))
        let milliseconds = Int((secondsSince1970 - Double(seconds)) * 1_000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let date = "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))"
        let time = "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))"
        let fraction = String(milliseconds + 1_000).dropFirst()
        return "\(date)T\(time).\(fraction)Z"
    }

    /// The wall-clock time now, in seconds since 1970.
    package static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}
