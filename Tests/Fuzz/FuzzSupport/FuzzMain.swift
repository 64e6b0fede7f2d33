internal import CLibFuzzer
internal import Glibc

/// The `main` of every fuzz target: one check of one input, run by libFuzzer or over a corpus.
///
/// A check takes any bytes and traps when the code under test misbehaves (a failed invariant, or two
/// parsers that disagree); returning means the input passed. Built with `-D FUZZING` and
/// `-sanitize=fuzzer,address` (Tests/Fuzz/fuzz.sh), the target hands its check to libFuzzer's driver,
/// which takes libFuzzer's usual flags and corpus directories. Built normally, it is a replay: each
/// argument is a file or a directory of files, and every file goes through the check once. CI runs
/// the replay on the committed corpora, so they stay passing without a fuzzer build.
package enum FuzzMain {
    /// Runs `check` as this process's fuzz target; does not return.
    package static func run(_ check: @escaping ([UInt8]) -> Void) -> Never {
        FuzzCheck.current = check
        #if FUZZING
            var argc = CommandLine.argc
            var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
            exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzzOne(data, size) })
        #else
            exit(Replay.run(arguments: Array(CommandLine.arguments.dropFirst())))
        #endif
    }
}

/// The check this process runs; set once by ``FuzzMain/run(_:)`` before any input arrives.
enum FuzzCheck {
    nonisolated(unsafe) static var current: ([UInt8]) -> Void = { _ in }
}

#if FUZZING
    /// libFuzzer's callback. Also exported under its conventional name, because `-sanitize=fuzzer` links
    /// libFuzzer's own `main`, which refers to it (SwiftPM's `main` alias wins, and calls the driver above).
    @_cdecl("LLVMFuzzerTestOneInput")
    func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
        FuzzCheck.current(size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size)))
        return 0
    }
#endif
