import Glibc
import Testing

@testable import KerasFiles

/// LeakSanitizer's leak check, in a process that has one (built with `--sanitize=address`); nil otherwise.
private let leakCheck: (@convention(c) () -> CInt)? = dlsym(nil, "__lsan_do_recoverable_leak_check").map {
    unsafeBitCast($0, to: (@convention(c) () -> CInt).self)
}

@Suite struct JSONValueTests {
    /// A SIGTERM while the model loads exits the process with the config's tree alive; LeakSanitizer's check at that exit
    /// must find it reachable. As an `indirect enum` it was not: the case tag in its boxes' pointers hid them. The check
    /// covers the whole process, so .ci/sanitizers.sh runs this test alone.
    @Test(.enabled(if: leakCheck != nil, "needs LeakSanitizer: swift test --sanitize=address"))
    func aLiveTreeIsReachableForLeakSanitizer() throws {
        let tree = try JSONValue.parse(
            #"{"layers": [{"class_name": "LSTM", "config": {"units": 32, "use_bias": true, "dropout": 0.0}}], "n": [null, false]}"#)
        let leaks = withExtendedLifetime(tree) { leakCheck?() ?? 0 }
        #expect(leaks == 0, "LeakSanitizer reported the live tree (or another leak) as leaked; its report is on standard error")
    }

    @Test func parsesNestedValues() throws {
        let value = try JSONValue.parse(#"{"a": [1, 2.5, -3e2, true, null, "x\u00e9\n"], "b": {"c": NaN}}"#)
        #expect(value["a"]?[0]?.int == 1)
        #expect(value["a"]?[1]?.double == 2.5)
        #expect(value["a"]?[2]?.double == -300)
        #expect(value["a"]?[3]?.bool == true)
        #expect(value["a"]?[4] == .null)
        #expect(value["a"]?[5]?.string == "xé\n")
        #expect(value["b"]?["c"]?.double?.isNaN == true)
        #expect(value["missing"] == nil)
        #expect(value["a"]?[99] == nil)
    }

    @Test func surrogatePairs() throws {
        #expect(try JSONValue.parse(#""\ud83d\ude00""#).string == "😀")
    }

    @Test(arguments: ["", "{", "[1,", #"{"a" 1}"#, "tru", "01", "1.", "\"abc", "[1] x", "{\"a\":}", "\"\\q\"", "-", "+1", "\"\u{01}\""])
    func rejectsMalformed(_ text: String) {
        #expect(throws: CheckpointError.self) { try JSONValue.parse(text) }
    }

    @Test func refusesDeepNesting() {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(caughtError { try JSONValue.parse(deep, maxDepth: 64) } == .tooDeep("JSON nesting exceeds 64 levels"))
    }
}
