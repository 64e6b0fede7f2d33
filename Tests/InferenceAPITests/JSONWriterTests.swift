import Foundation
import Testing

@testable import InferenceAPI

/// The response writer's strings, which carry client text back in error messages: whatever they
/// hold, Foundation's parser must read back the same string.
struct JSONWriterTests {
    @Test(arguments: [
        "", "label", "imdb-lstm", "déjà vu — 中文 😀", "q\"uote", "back\\slash", "new\nline", "\r\t", "\u{0}\u{1}\u{1F}",
        "DEL \u{7F} stays", "mixed \"a\\b\"\n😀", String(repeating: "x", count: 300) + "\"",
    ])
    func stringsReadBackUnchanged(text: String) throws {
        var writer = JSONWriter()
        writer.object { writer in
            writer.field(text, text)
            writer.key("list")
            writer.array { writer in writer.value(text) }
        }
        let object = try #require(try JSONSerialization.jsonObject(with: Data(writer.bytes)) as? [String: Any])
        #expect(object[text] as? String == text)
        #expect(object["list"] as? [String] == [text])
        #expect(object.count == (text == "list" ? 1 : 2))
    }

    @Test func aLineIsTheDocumentAndANewline() {
        var writer = JSONWriter()
        writer.object { $0.field("status", "ok") }
        #expect(String(decoding: writer.line(), as: UTF8.self) == "{\"status\":\"ok\"}\n")
    }

    @Test func escapesOnlyWhatJSONRequires() {
        var writer = JSONWriter()
        writer.value("a\"b\\c\nd\u{1}é")
        #expect(String(decoding: writer.bytes, as: UTF8.self) == #""a\"b\\c\nd\u0001é""#)
    }
}
