import Glibc
import Logging

/// The process's open-file limit (`RLIMIT_NOFILE`), raised at start-up for `--max-connections`.
///
/// Each connection is a descriptor; so are the listener, each I/O thread's epoll and eventfd, the signal and
/// timer descriptors, the model files while they load, and stdio. Many systems start processes with a soft limit of
/// 1,024 (systemd, Docker and most shells) and a hard limit far above it: a server told to hold 5,000 connections
/// would otherwise answer 503 from about the thousandth, however high `--max-connections` is.
enum FileDescriptorLimit {
    /// Descriptors the process holds besides its connections, with room to spare: a listener, two per I/O thread,
    /// about ten for signals, timers and stdio, the model files during a reload, and connections above the
    /// maximum, which are accepted to be answered 503.
    static let headroom = 256

    /// `RLIM_INFINITY`, which Swift does not import from Glibc's macro (`(rlim_t) -1`).
    private static let unlimited = rlim_t.max

    /// Raises the soft limit to the hard one if it is below `maxConnections` plus ``headroom``, and logs one line
    /// saying from what to what, or why it did not.
    static func raise(for maxConnections: Int, logger: Logger) {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else {
            logger.warning("cannot read the open-file limit (RLIMIT_NOFILE)", metadata: ["errno": "\(errno)"])
            return
        }
        let needed = rlim_t(maxConnections) + rlim_t(headroom)
        let soft = limit.rlim_cur
        let hard = limit.rlim_max
        let metadata: Logger.Metadata = ["max_connections": "\(maxConnections)", "needed": "\(needed)"]
        guard soft < needed else {
            logger.info("open-file limit \(text(soft)) suffices for --max-connections", metadata: metadata)
            return
        }
        guard hard > soft else {
            logger.warning(
                """
                the open-file limit \(text(soft)) is its hard limit, below what --max-connections needs; connections \
                beyond about \(Int(soft) - headroom) will be answered 503
                """,
                metadata: metadata)
            return
        }
        // The kernel refuses RLIM_INFINITY for RLIMIT_NOFILE (it caps at fs.nr_open): ask for what is needed then.
        let target = hard == unlimited ? needed : hard
        var raised = limit
        raised.rlim_cur = target
        guard setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 else {
            logger.warning(
                """
                cannot raise the open-file limit from \(text(soft)) to \(text(target)); connections beyond about \
                \(Int(soft) - headroom) will be answered 503
                """,
                metadata: metadata.merging(["errno": "\(errno)"]) { $1 })
            return
        }
        if target < needed {
            logger.warning(
                """
                raised the open-file limit from \(text(soft)) to its hard limit \(text(target)), below what --max-connections \
                needs; connections beyond about \(Int(target) - headroom) will be answered 503
                """,
                metadata: metadata)
        } else {
            logger.info("raised the open-file limit from \(text(soft)) to \(text(target))", metadata: metadata)
        }
    }

    private static func text(_ value: rlim_t) -> String {
        value == unlimited ? "unlimited" : "\(value)"
    }
}
