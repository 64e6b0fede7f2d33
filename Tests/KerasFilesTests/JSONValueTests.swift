import Testing

@testable import KerasFiles

@Suite struct JSONValueTests {
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
