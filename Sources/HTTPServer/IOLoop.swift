import Dispatch
import Glibc
import HTTP1

/// One serial I/O queue plus the scratch state its connections share: a read buffer and a cached `Date` value.
///
/// Threading: `readBuffer` and the date cache are touched only on `queue`; connections on the queue run one at a time,
/// so they can share the buffer (each read is consumed by the parser before the next one).
final class IOLoop: @unchecked Sendable {  // mutable state is confined to `queue`
    let queue: DispatchQueue
    /// Scratch buffer for `recv`, `readBufferSize` bytes.
    let readBuffer: UnsafeMutableRawBufferPointer
    private var cachedSecond = Int.min
    private var cachedDate = ""

    init(label: String, readBufferSize: Int) {
        queue = DispatchQueue(label: label)
        readBuffer = .allocate(byteCount: max(readBufferSize, 1024), alignment: 16)
    }

    deinit {
        readBuffer.deallocate()
    }

    /// The current time as an IMF-fixdate, formatted at most once per second per queue.
    func httpDate() -> String {
        let now = Int(time(nil))
        if now != cachedSecond {
            cachedSecond = now
            cachedDate = HTTPDate.format(unixSeconds: now)
        }
        return cachedDate
    }
}

extension Duration {
    /// The duration in whole nanoseconds, saturating instead of trapping.
    var clampedNanoseconds: Int {
        let (seconds, attoseconds) = components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? Int.min : Int.max }
        let (total, overflow2) = Int(scaled).addingReportingOverflow(Int(attoseconds / 1_000_000_000))
        return overflow2 ? Int.max : total
    }

    /// The duration as a dispatch interval, for deadlines on dispatch timers.
    var dispatchInterval: DispatchTimeInterval {
        .nanoseconds(max(0, clampedNanoseconds))
    }

    /// The duration in milliseconds, for logs.
    var milliseconds: Double {
        Double(components.seconds) * 1000 + Double(components.attoseconds) / 1e15
    }
}
