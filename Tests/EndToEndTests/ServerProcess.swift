import Dispatch
import Foundation
import Glibc
import Locking
import TestSupport

/// The real `lstm-serve` executable run as a child process, with its stdout and stderr merged into one pipe.
///
/// A thread of its own reads the output as it comes, so the process never blocks on a full pipe while the test is
/// busy elsewhere (a server under load writes an access line per request). Every wait is bounded.
/// Threading: one instance belongs to one test thread; the reader thread only appends to ``OutputBuffer``.
final class ServerProcess {
    /// Why a wait ended without what it waited for.
    enum Failure: Error, CustomStringConvertible {
        case outputNotSeen(String, output: String)
        case stillRunning(output: String)

        var description: String {
            switch self {
            case .outputNotSeen(let text, let output): "\(text.debugDescription) not seen in the output: \(output)"
            case .stillRunning(let output): "the process did not exit in time; output: \(output)"
            }
        }
    }

    /// The binary `LSTM_SERVE_TEST_EXECUTABLE` names (used even if missing, so the tests fail rather
    /// than skip), else `lstm-serve` built next to the test product (`.build/<triple>/debug/`), or `nil`.
    /// CI runs the executable tests on the release build too: optimisation once changed how the server handled SIGTERM.
    static let executableURL: URL? = {
        if let path = ProcessInfo.processInfo.environment["LSTM_SERVE_TEST_EXECUTABLE"], !path.isEmpty {
            return URL(fileURLWithPath: path)
        }
        var directories: [URL] = []
        if let executable = Bundle.main.executableURL { directories.append(executable.deletingLastPathComponent()) }
        directories.append(URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent())
        directories.append(Bundle.main.bundleURL.deletingLastPathComponent())
        return directories.map { $0.appendingPathComponent("lstm-serve") }.first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }()

    /// The process's output so far, appended by the reader thread.
    private final class OutputBuffer: Sendable {
        let received = Lock<(bytes: [UInt8], ended: Bool)>(([], false))
        /// Signalled after each chunk and at end-of-file.
        let arrived = DispatchSemaphore(value: 0)
    }

    /// The child, started with `posix_spawn`, not Foundation's `Process`: that keeps a weak reference to every process
    /// it ran, whose side table LeakSanitizer reports at exit (32 bytes, in any program that runs one), and the
    /// sanitizer CI step fails on any report.
    let pid: pid_t
    /// The child's wait status, once it has been reaped.
    private var waitStatus: Int32?
    private let buffer = OutputBuffer()

    /// Everything the process has written so far.
    var output: String { String(decoding: buffer.received.withLock { $0.bytes }, as: UTF8.self) }

    /// Whether the process is still running; reaps it once it has exited.
    var isRunning: Bool {
        guard waitStatus == nil else { return false }
        var status: Int32 = 0
        guard waitpid(pid, &status, WNOHANG) == pid else { return true }
        waitStatus = status
        return false
    }

    /// The exit status; valid once the process has exited.
    var exitStatus: Int32 { ((waitStatus ?? 0) >> 8) & 0xFF }

    /// Whether the process exited normally (rather than by a signal).
    var exitedNormally: Bool { waitStatus.map { $0 & 0x7F == 0 } ?? false }

    /// Launches `executable` with `arguments`, with every `LSTM_SERVE_*` variable removed from its environment.
    init(executable: URL, arguments: [String]) throws {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0, fcntl(ends[0], F_SETFD, FD_CLOEXEC) == 0, fcntl(ends[1], F_SETFD, FD_CLOEXEC) == 0 else {
            throw Failure.outputNotSeen("a pipe (errno \(errno))", output: "")
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, ends[1], 1)
        posix_spawn_file_actions_adddup2(&actions, ends[1], 2)
        let environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("LSTM_SERVE_") }.map { "\($0.key)=\($0.value)" }
        let argv = ([executable.path] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup($0) } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        // As a process manager starts it: no signal blocked, SIGTERM, SIGINT and SIGHUP at their default actions,
        // whatever the test runner's own threads block.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for number in [SIGTERM, SIGINT, SIGHUP, SIGPIPE] { sigaddset(&defaults, number) }
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var child: pid_t = 0
        let spawned = posix_spawn(&child, executable.path, &actions, &attributes, argv, envp)
        // Only the child writes now; closing the parent's end lets the reader see end-of-file when the child exits.
        close(ends[1])
        guard spawned == 0 else {
            close(ends[0])
            throw Failure.outputNotSeen("\(executable.path) started (posix_spawn: \(String(cString: strerror(spawned))))", output: "")
        }
        pid = child
        let descriptor = ends[0]
        let buffer = self.buffer
        Thread {
            var chunk = [UInt8](repeating: 0, count: 8_192)
            while true {
                let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
                if count < 0 && errno == EINTR { continue }
                buffer.received.withLock { received in
                    if count > 0 { received.bytes += chunk[0..<count] } else { received.ended = true }
                }
                buffer.arrived.signal()
                if count <= 0 {
                    close(descriptor)
                    return
                }
            }
        }.start()
    }

    /// Starts the tested `lstm-serve` on `127.0.0.1` and an ephemeral port with `arguments` added, and waits until it
    /// logs that it is serving; returns it with its port.
    static func serving(_ arguments: [String], timeout: Duration = .seconds(30)) throws -> (process: ServerProcess, port: Int) {
        guard let executable = executableURL else { throw Failure.outputNotSeen("an lstm-serve executable", output: "") }
        let process = try ServerProcess(executable: executable, arguments: ["--host", "127.0.0.1", "--port", "0"] + arguments)
        let line = try process.waitForLine(containing: "serving", timeout: timeout)
        guard let range = line.range(of: "address=127.0.0.1:"), let port = Int(line[range.upperBound...].prefix { $0.isNumber }) else {
            throw Failure.outputNotSeen("address=127.0.0.1:PORT", output: line)
        }
        return (process, port)
    }

    deinit {
        if isRunning {
            kill(pid, SIGKILL)
            waitpid(pid, nil, 0)
        }
    }

    /// Reads output until a line contains `text`, and returns that line.
    func waitForLine(containing text: String, timeout: Duration) throws -> String {
        try waitForLines(containing: text, count: 1, timeout: timeout)[0]
    }

    /// Reads output until `count` lines contain `text`, and returns them.
    @discardableResult
    func waitForLines(containing text: String, count: Int, timeout: Duration) throws -> [String] {
        let (seconds, attoseconds) = timeout.scaled.components
        let deadline = DispatchTime.now() + .nanoseconds(Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000))
        while true {
            let lines = output.split(separator: "\n").filter { $0.contains(text) }
            if lines.count >= count { return lines.map(String.init) }
            guard !buffer.received.withLock({ $0.ended }), buffer.arrived.wait(timeout: deadline) == .success else {
                throw Failure.outputNotSeen("\(count) × \(text)", output: output)
            }
        }
    }

    /// Sends `signal` to the process.
    func send(signal: Int32) {
        kill(pid, signal)
    }

    /// Waits for the process to exit, reading its output meanwhile; kills it and throws if it is still running at the deadline.
    func waitForExit(timeout: Duration) throws {
        let deadline = ContinuousClock.now + timeout.scaled
        // Polls another process's state, bounded by `deadline`; output arriving, or 20 ms, spaces the checks.
        while isRunning && ContinuousClock.now < deadline {
            _ = buffer.arrived.wait(timeout: .now() + .milliseconds(20))
        }
        guard !isRunning else {
            kill(pid, SIGKILL)
            waitpid(pid, nil, 0)
            waitStatus = SIGKILL
            throw Failure.stillRunning(output: output)
        }
        // The reader reaches end-of-file once the child's end of the pipe is closed: all the output is in.
        let drained = DispatchTime.now() + 5
        while !buffer.received.withLock({ $0.ended }), buffer.arrived.wait(timeout: drained) == .success {}
    }
}
