internal import Foundation
internal import Glibc

/// The replay build's driver: every file named, or in a directory named, through the check once.
enum Replay {
    /// The path of the input being checked, as a C string a signal handler may write.
    nonisolated(unsafe) private static var currentPath: UnsafeMutablePointer<CChar>?

    /// Returns the exit status: 0 when every input passed (a failing check traps instead), 2 for a bad argument.
    static func run(arguments: [String]) -> CInt {
        guard !arguments.isEmpty else {
            FileHandle.standardError.write(Data("usage: \(CommandLine.arguments[0]) FILE_OR_DIRECTORY...\n".utf8))
            return 2
        }
        var files: [String] = []
        for argument in arguments {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: argument, isDirectory: &isDirectory) else {
                FileHandle.standardError.write(Data("error: no such file or directory: \(argument)\n".utf8))
                return 2
            }
            if isDirectory.boolValue {
                let names = (try? FileManager.default.contentsOfDirectory(atPath: argument)) ?? []
                files += names.sorted().filter { !$0.hasPrefix(".") }.map { "\(argument)/\($0)" }
            } else {
                files.append(argument)
            }
        }
        reportPathOnCrash()
        let started = ContinuousClock.now
        var bytes = 0
        for file in files {
            guard let data = FileManager.default.contents(atPath: file) else {
                FileHandle.standardError.write(Data("error: cannot read \(file)\n".utf8))
                return 2
            }
            free(currentPath)
            currentPath = strdup(file)
            bytes += data.count
            FuzzCheck.current([UInt8](data))
        }
        let elapsed = ContinuousClock.now - started
        let name = CommandLine.arguments[0].split(separator: "/").last ?? ""
        print("replayed \(files.count) inputs (\(bytes) bytes) through \(name): all passed in \(elapsed)")
        return 0
    }

    /// Names the input on standard error when a check traps or faults, then dies of the same signal.
    private static func reportPathOnCrash() {
        for signal in [SIGILL, SIGTRAP, SIGABRT, SIGSEGV, SIGBUS, SIGFPE] {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { signal in
                let prefix = "\nfuzz replay: crashed on input "
                _ = prefix.withCString { write(2, $0, strlen($0)) }
                if let path = Replay.currentPath { _ = write(2, path, strlen(path)) }
                _ = write(2, "\n", 1)
                Glibc.signal(signal, SIG_DFL)
                raise(signal)
            }
            sigaction(signal, &action, nil)
        }
    }
}
