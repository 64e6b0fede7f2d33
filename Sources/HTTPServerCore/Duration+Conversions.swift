extension Duration {
    /// The duration in whole nanoseconds, saturating instead of trapping.
    var clampedNanoseconds: Int {
        let (seconds, attoseconds) = components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? Int.min : Int.max }
        let (total, overflow2) = Int(scaled).addingReportingOverflow(Int(attoseconds / 1_000_000_000))
        return overflow2 ? Int.max : total
    }

    /// The duration in whole nanoseconds, negative ones as zero, for ``LoopClock`` deadlines.
    var nonNegativeNanoseconds: UInt64 {
        UInt64(max(0, clampedNanoseconds))
    }

    /// The duration in milliseconds, for logs.
    var milliseconds: Double {
        Double(components.seconds) * 1000 + Double(components.attoseconds) / 1e15
    }
}
