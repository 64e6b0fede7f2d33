import CoreMetrics
import Glibc
import Locking

/// The standard process metrics of Prometheus's client libraries (`process_…`), read from `/proc/self` and the
/// C library at each scrape rather than kept up to date: nothing on the request path pays for them.
package enum ProcessMetrics {
    /// Their names and help texts, as the Go client writes them.
    package static let descriptions: [MetricDescription] = [
        MetricDescription("process_cpu_seconds_total", help: "Total user and system CPU time spent in seconds."),
        MetricDescription("process_resident_memory_bytes", help: "Resident memory size in bytes."),
        MetricDescription("process_virtual_memory_bytes", help: "Virtual memory size in bytes."),
        MetricDescription("process_open_fds", help: "Number of open file descriptors."),
        MetricDescription("process_max_fds", help: "Maximum number of open file descriptors."),
        MetricDescription("process_start_time_seconds", help: "Start time of the process since unix epoch in seconds."),
    ]

    /// Makes the process metrics through `exporter`'s factory and updates them before each exposition.
    package static func register(in exporter: MetricsExporter) {
        let factory = exporter.factory
        let cpu = FloatingPointCounter(label: "process_cpu_seconds_total", dimensions: [], factory: factory)
        let resident = Gauge(label: "process_resident_memory_bytes", dimensions: [], factory: factory)
        let virtual = Gauge(label: "process_virtual_memory_bytes", dimensions: [], factory: factory)
        let openFDs = Gauge(label: "process_open_fds", dimensions: [], factory: factory)
        let maxFDs = Gauge(label: "process_max_fds", dimensions: [], factory: factory)
        let startTime = Gauge(label: "process_start_time_seconds", dimensions: [], factory: factory)
        if let start = ProcessStatistics.startTimeSeconds() { startTime.record(start) }
        // The counter only adds, so each scrape adds the CPU time used since the previous one.
        let counted = Lock(0.0)
        exporter.addCollector {
            let seconds = ProcessStatistics.cpuSeconds()
            let added = counted.withLock { counted in
                defer { counted = max(counted, seconds) }
                return max(0, seconds - counted)
            }
            cpu.increment(by: added)
            if let (size, rss) = ProcessStatistics.memoryBytes() {
                virtual.record(size)
                resident.record(rss)
            }
            if let count = ProcessStatistics.openDescriptors() { openFDs.record(count) }
            if let limit = ProcessStatistics.descriptorLimit() { maxFDs.record(limit) }
        }
    }
}

/// Readings of this process's resources from the kernel.
enum ProcessStatistics {
    /// User plus system CPU time so far, in seconds.
    static func cpuSeconds() -> Double {
        var usage = rusage()
        guard getrusage(RUSAGE_SELF.rawValue, &usage) == 0 else { return 0 }
        let user = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
        let system = Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
        return user + system
    }

    /// Virtual and resident size in bytes, from `/proc/self/statm` (sizes in pages).
    static func memoryBytes() -> (virtual: Int, resident: Int)? {
        guard let text = read("/proc/self/statm") else { return nil }
        let fields = text.split(separator: " ")
        guard fields.count >= 2, let size = Int(fields[0]), let resident = Int(fields[1]) else { return nil }
        let page = sysconf(Int32(_SC_PAGESIZE))
        return (size * page, resident * page)
    }

    /// Descriptors open now: the entries of `/proc/self/fd` but the one reading it. Nil when none is left to read it.
    static func openDescriptors() -> Int? {
        guard let directory = opendir("/proc/self/fd") else { return nil }
        defer { closedir(directory) }
        var count = 0
        while let entry = readdir(directory) {
            if UInt8(bitPattern: entry.pointee.d_name.0) != UInt8(ascii: ".") { count += 1 }
        }
        return count - 1
    }

    /// The soft limit on open descriptors (`ulimit -n`).
    static func descriptorLimit() -> Int? {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return nil }
        return limit.rlim_cur == rlim_t.max ? nil : Int(limit.rlim_cur)  // RLIM_INFINITY: all ones
    }

    /// When the process started, in seconds since 1970: its start in clock ticks after boot (`/proc/self/stat`,
    /// field 22) plus the boot time (`btime` in `/proc/stat`).
    static func startTimeSeconds() -> Double? {
        guard let stat = read("/proc/self/stat"), let system = read("/proc/stat") else { return nil }
        // The command name (field 2) is in parentheses and may hold spaces; count fields after its last `)`.
        guard let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // fields[0] is field 3 (state), so field 22 is fields[19].
        guard fields.count > 19, let ticks = Double(fields[19]) else { return nil }
        guard let line = system.split(separator: "\n").first(where: { $0.hasPrefix("btime ") }),
            let boot = Double(line.dropFirst("btime ".count))
        else { return nil }
        return boot + ticks / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// A small file's text; `/proc` files report a size of 0, so this reads until the end.
    static func read(_ path: String) -> String? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4_096)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            guard count > 0 else { break }
            bytes += chunk[..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
