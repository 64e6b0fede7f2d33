import Foundation
import Glibc

/// The real `lstm-serve` executable run as a child process, with its stdout and stderr merged into one pipe.
///
/// Every wait is bounded: output is read with `poll(2)` against a deadline, and exit is awaited with a timeout.
/// Threading: one instance belongs to one test thread.
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

    private let process = Process()
    private let pipe = Pipe()
    private var bytes: [UInt8] = []

    /// Everything the process has written so far (as far as it was read).
    var output: String { String(decoding: bytes, as: UTF8.self) }

    /// Whether the process is still running.
    var isRunning: Bool { process.isRunning }

    /// The exit status; valid once the process has exited.
    var exitStatus: Int32 { process.terminationStatus }

    /// Whether the process exited normally (rather than by a signal).
    var exitedNormally: Bool { process.terminationReason == .exit }

    /// Launches `executable` with `arguments`, with every `LSTM_SERVE_*` variable removed from its environment.
    init(executable: URL, arguments: [String]) throws {
        process.executableURL = executable
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("LSTM_SERVE_") }
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        try process.run()
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
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    /// Reads output until a line contains `text`, and returns that line.
    func waitForLine(containing text: String, timeout: Duration) throws -> String {
        try waitForLines(containing: text, count: 1, timeout: timeout)[0]
    }

    /// Reads output until `count` lines contain `text`, and returns them.
    @discardableResult
    func waitForLines(containing text: String, count: Int, timeout: Duration) throws -> [String] {
        let deadline = ContinuousClock.now + timeout
        while true {
            let lines = output.split(separator: "\n").filter { $0.contains(text) }
            if lines.count >= count { return lines.map(String.init) }
            guard ContinuousClock.now < deadline, readAvailable(until: deadline) else {
                throw Failure.outputNotSeen("\(count) × \(text)", output: output)
            }
        }
    }

    /// Sends `signal` to the process.
    func send(signal: Int32) {
        kill(process.processIdentifier, signal)
    }

    /// Waits for the process to exit, reading its output meanwhile; kills it and throws if it is still running at the deadline.
    func waitForExit(timeout: Duration) throws {
        let deadline = ContinuousClock.now + timeout
        // Polls another process's state, bounded by `deadline`; the pause only spaces the checks once its output has ended.
        while process.isRunning && ContinuousClock.now < deadline {
            if !readAvailable(until: min(deadline, ContinuousClock.now + .milliseconds(50))) { usleep(10_000) }
        }
        guard !process.isRunning else {
            kill(process.processIdentifier, SIGKILL)
            throw Failure.stillRunning(output: output)
        }
        process.waitUntilExit()
        while readAvailable(until: ContinuousClock.now) {}
    }

    /// Appends whatever output arrives before `deadline`; false at end-of-file or when nothing came.
    private func readAvailable(until deadline: ContinuousClock.Instant) -> Bool {
        let remaining = max(.zero, deadline - ContinuousClock.now)
        let milliseconds = Int32(clamping: remaining.components.seconds * 1_000 + remaining.components.attoseconds / 1_000_000_000_000_000)
        var descriptor = pollfd(fd: pipe.fileHandleForReading.fileDescriptor, events: Int16(POLLIN), revents: 0)
        guard poll(&descriptor, 1, milliseconds) > 0 else { return false }
        var chunk = [UInt8](repeating: 0, count: 8_192)
        let count = chunk.withUnsafeMutableBytes { read(descriptor.fd, $0.baseAddress, $0.count) }
        guard count > 0 else { return false }
        bytes += chunk[0..<count]
        return true
    }
}
