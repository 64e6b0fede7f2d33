import Foundation
import HTTP1
import TestSupport
import Testing

@testable import InferenceAPI

/// The hand-written `POST /classify` body parser: valid shapes, strict rejections, agreement with Foundation, robustness.
struct ClassifyRequestTests {
    static func parse(_ json: String) throws(ServiceError) -> ClassifyRequest { try ClassifyRequest.parse(Array(json.utf8)) }

    // MARK: Valid bodies

    @Test(
        arguments: [
            (#"{"text": "a wonderful film"}"#, ClassifyRequest.text("a wonderful film")),
            (#"{"text":""}"#, .text("")),
            (#"{"text": "q\"b\\s\/ \b\f\n\r\t end"}"#, .text("q\"b\\s/ \u{8}\u{C}\n\r\t end")),
            (#"{"text": "\u0041\u00e9\u00E9\u4e2d\u0000"}"#, .text("Aéé中\u{0}")),
            (#"{"text": "\ud83d\ude00 \uD83C\uDFAC"}"#, .text("😀 🎬")),
            (#"{"text": "raw UTF-8: déjà vu — 中文 😀"}"#, .text("raw UTF-8: déjà vu — 中文 😀")),
            (#"{"text": "DEL \#u{7F} is not a control character"}"#, .text("DEL \u{7F} is not a control character")),
            (#"{"te\u0078t": "escaped key"}"#, .text("escaped key")),
            (" \t\r\n{ \t\r\n\"text\" \t\r\n: \t\r\n\"ws\" \t\r\n} \t\r\n", .text("ws")),
            ("\u{FEFF}{\"text\": \"after a byte order mark\"}", .text("after a byte order mark")),
            // Inside a string U+FEFF is a character like any other (RFC 8259 §7), first or not; Foundation's
            // JSONSerialization drops one that starts a string or follows an escape (the long fuzz run found that).
            (
                "{\"texts\": [\"\u{FEFF}(\", \"a\u{FEFF}b\", \"\u{FEFF}\", \"a\\n\u{FEFF}x\", \"\\\"\u{FEFF}\u{FEFF}\"]}",
                .texts(["\u{FEFF}(", "a\u{FEFF}b", "\u{FEFF}", "a\n\u{FEFF}x", "\"\u{FEFF}\u{FEFF}"])
            ),
            (#"{"texts": ["great film", "awful \"film\"", "\ud83d\ude00"]}"#, .texts(["great film", "awful \"film\"", "😀"])),
            (#"{"texts":[]}"#, .texts([])),
            (" {\n  \"texts\" : [ \"a\" ,\n \"b\" ]\n} ", .texts(["a", "b"])),
            (#"{"tokens": [1, 14, 22]}"#, .tokens([1, 14, 22])),
            (#"{"tokens": []}"#, .tokens([])),
            (#"{"tokens": [-3, 0, -0, 9223372036854775807, -9223372036854775808]}"#, .tokens([-3, 0, 0, .max, .min])),
            // Decision: a number with an exact integer value is an id, as with JSONDecoder.
            (
                #"{"tokens": [1e2, 100.0, 1E+2, 10000e-2, 0.5e1, 0e999, 1.000e3, 9223372036854775807.000]}"#,
                .tokens([100, 100, 100, 100, 5, 0, 1000, .max])
            ),
            (#"{"tokens": [[1, 14], [1, 22, 3]]}"#, .tokenBatch([[1, 14], [1, 22, 3]])),
            (#"{"tokens": [[]]}"#, .tokenBatch([[]])),
            (#"{"tokens": [[1], []]}"#, .tokenBatch([[1], []])),
            ("{ \"tokens\" :\n[ [ 1 ,2 ] ,[ 3 ] ]\r\n}", .tokenBatch([[1, 2], [3]])),
        ] as [(String, ClassifyRequest)])
    func parsesValidBodies(json: String, expected: ClassifyRequest) throws {
        #expect(try Self.parse(json) == expected)
    }

    // MARK: Invalid bodies

    @Test(
        arguments: [
            // Not JSON, or not strict RFC 8259 JSON.
            ("not json", "not valid JSON"), ("   ", "not valid JSON"), ("{", "not valid JSON"), (#"{"text": "a"}}"#, "after the JSON value"),
            (#"{"text": "a"} x"#, "after the JSON value"), (#"{"text": "a"}{}"#, "after the JSON value"),
            (#"{"text": "a",}"#, "trailing comma"), (#"{"tokens": [1, 2,]}"#, "trailing comma"), (#"{"tokens": [[1],]}"#, "trailing comma"),
            (#"{"tokens": [1,,2]}"#, "not valid JSON"), (#"{"tokens": [,1]}"#, "not valid JSON"), (#"{,"text": "a"}"#, "field name"),
            (#"{"tokens": [01]}"#, "leading zero"), (#"{"tokens": [-01]}"#, "leading zero"), (#"{"tokens": [00]}"#, "leading zero"),
            (#"{"tokens": [1.]}"#, "after '.'"), (#"{"tokens": [.5]}"#, "not valid JSON"), (#"{"tokens": [1e]}"#, "exponent"),
            (#"{"tokens": [1e+]}"#, "exponent"), (#"{"tokens": [-]}"#, "digit"), (#"{"tokens": [+1]}"#, "not valid JSON"),
            (#"{"tokens": [0x10]}"#, "not valid JSON"), (#"{"tokens": [NaN]}"#, "not valid JSON"), (#"{"tokens": [Infinity]}"#, "not valid JSON"),
            (#"{"text": tru}"#, "expected true"), (#"{"text": True}"#, "not valid JSON"), (#"{"text": nul}"#, "expected null"),
            (#"{'text': 'a'}"#, "field name"), (#"{text: "a"}"#, "field name"), (#"{"text" "a"}"#, "':'"), (#"{"text": "a" "b"}"#, "','"),
            (#"["a" "b"]"#, "','"), (#"{"text": "unterminated}"#, "unterminated"), ("{\"text\": \"tab\there\"}", "control character"),
            ("{\"text\": \"new\nline\"}", "control character"), ("{\"text\": \"nul\u{0}\"}", "control character"),
            ("{\"text\": \"\\\"quoted\\\" then\ttab\"}", "control character"), (#"{"text": "escaped \" unterminated}"#, "unterminated"),
            (#"{"text": "\x"}"#, "invalid escape"), (#"{"text": "\U0041"}"#, "invalid escape"), (#"{"text": "\'"}"#, "invalid escape"),
            (#"{"text": "\u12"}"#, "4 hex digits"), (#"{"text": "\u12g4"}"#, "4 hex digits"), (#"{"text": "\u"}"#, "4 hex digits"),
            (#"{"text": "\ud83d"}"#, "surrogate"), (#"{"text": "\ud83d x"}"#, "surrogate"), (#"{"text": "\ude00"}"#, "surrogate"),
            (#"{"text": "\ude00\ud83d"}"#, "surrogate"), (#"{"text": "\ud83d\ud83d"}"#, "surrogate"), (#"{"text": "\ud83d\n"}"#, "surrogate"),
            // Structure and field set.
            ("[1, 2]", "must be a JSON object"), (#""text""#, "must be a JSON object"), ("5", "must be a JSON object"),
            ("null", "must be a JSON object"),
            ("[1, 2", "not valid JSON"), ("{}", "needs one of the fields"), (#"{"txt": "a"}"#, "unknown field 'txt'"),
            (#"{"Text": "a"}"#, "unknown field 'Text'"), (#"{"text": 5, "txt": [}"#, "not valid JSON"),
            (#"{"text": "a", "extra": null}"#, "unknown field 'extra'"),
            (#"{"text": "a", "texts": ["b"]}"#, "not text and texts"),
            (#"{"text": "a", "tokens": "b", "texts": 1}"#, "not text and texts and tokens"),
            (#"{"text": "a", "text": "b"}"#, "field text appears more than once"),
            (#"{"tokens": [1], "tokens": [2]}"#, "field tokens appears more than once"),
            // Types, naming the field and what was expected.
            (#"{"text": 5}"#, "field text has the wrong type (expected a string, got a number)"),
            (#"{"text": null}"#, "field text has the wrong type (expected a string, got null)"),
            (#"{"text": ["a"]}"#, "field text has the wrong type (expected a string, got an array)"),
            (#"{"texts": "one"}"#, "field texts has the wrong type (expected an array of strings, got a string)"),
            (#"{"texts": ["a", 1]}"#, "field texts[1] has the wrong type (expected a string, got a number)"),
            (#"{"texts": ["a", {"b": 1}]}"#, "field texts[1] has the wrong type (expected a string, got an object)"),
            (#"{"tokens": "1 2"}"#, "field tokens has the wrong type (expected an array of integer ids"),
            (#"{"tokens": [1.5]}"#, "field tokens[0] has the wrong type (expected an integer id or an array of ids, got 1.5"),
            (#"{"tokens": [1, 2.5]}"#, "field tokens[1] has the wrong type (expected an integer id, got 2.5"),
            (#"{"tokens": [1e-1]}"#, "field tokens[0] has the wrong type"),
            (#"{"tokens": [1.000000000000000000001]}"#, "field tokens[0] has the wrong type"),
            (#"{"tokens": [9223372036854775808]}"#, "not an integer in the 64-bit range"), (#"{"tokens": [-9223372036854775809]}"#, "64-bit range"),
            (#"{"tokens": [1e19]}"#, "64-bit range"), (#"{"tokens": [1e999999999999]}"#, "64-bit range"), (#"{"tokens": [true]}"#, "got a boolean"),
            (#"{"tokens": [1, [2]]}"#, "field tokens[1] has the wrong type (expected an integer id, got an array)"),
            (#"{"tokens": [[1], 2]}"#, "field tokens[1] has the wrong type (expected an array of integer ids, got a number)"),
            (#"{"tokens": [[1], [2, "3"]]}"#, "field tokens[1][1] has the wrong type (expected an integer id, got a string)"),
            (#"{"tokens": [[1], [[2]]]}"#, "field tokens[1][0] has the wrong type"), (#"{"tokens": [null]}"#, "got null"),
            // A type error does not hide invalid JSON later in the body.
            (#"{"text": 5, "texts": [1,]}"#, "trailing comma"), (#"{"tokens": [1.5, 01]}"#, "leading zero"),
            // Depth: the API needs 3 levels; deeper than 8 is refused without deep recursion.
            (#"{"tokens": [[[[[[[[1]]]]]]]]}"#, "more than 8 levels deep"),
            (#"{"txt": "# + String(repeating: "[", count: 10_000), "more than 8 levels deep"),
            (String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000), "more than 8 levels deep"),
            (#"{"txt": [[[[[[[1]]]]]]]}"#, "unknown field 'txt'"),  // 8 levels are still read
        ] as [(String, String)])
    func rejectsInvalidBodies(json: String, message: String) {
        expectBadRequest(Array(json.utf8), message)
    }

    @Test(
        arguments: [
            ([], "empty"),
            (Array(#"{"text": "ab"#.utf8) + [0xC3, 0x28] + Array(#""}"#.utf8), "invalid UTF-8"),  // bad continuation
            (Array(#"{"text": ""#.utf8) + [0xC0, 0xAF] + Array(#""}"#.utf8), "invalid UTF-8"),  // overlong '/'
            (Array(#"{"text": ""#.utf8) + [0xED, 0xA0, 0x80] + Array(#""}"#.utf8), "invalid UTF-8"),  // encoded surrogate
            (Array(#"{"text": ""#.utf8) + [0xF4, 0x90, 0x80, 0x80] + Array(#""}"#.utf8), "invalid UTF-8"),  // above U+10FFFF
            (Array(#"{"text": ""#.utf8) + [0xF0, 0x9F, 0x98] + Array(#""}"#.utf8), "invalid UTF-8"),  // truncated emoji
            (Array(#"{"text": "a\n"#.utf8) + [0xFF] + Array(#""}"#.utf8), "invalid UTF-8"),  // after an escape
            (Array(#"{"te"#.utf8) + [0x80] + Array(#"xt": "a"}"#.utf8), "invalid UTF-8"),  // in a key
            (Array(#"{"text":"a"}"#.utf16).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }, "not valid JSON"),  // UTF-16 is not accepted
            ([0xFE, 0xFF] + Array(#"{"text":"a"}"#.utf16).flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }, "not valid JSON"),
        ] as [([UInt8], String)])
    func rejectsInvalidBytes(body: [UInt8], message: String) {
        expectBadRequest(body, message)
    }

    private func expectBadRequest(_ body: [UInt8], _ message: String, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            let request = try ClassifyRequest.parse(body)
            Issue.record("parsed as \(request)", sourceLocation: sourceLocation)
        } catch {
            #expect(error.status == .badRequest && error.code == "invalid_request", sourceLocation: sourceLocation)
            #expect(error.message.contains(message), "\(error.message)", sourceLocation: sourceLocation)
        }
    }

    // MARK: Against Foundation

    /// ~200 random valid bodies, with escapes, raw UTF-8, astral characters and odd whitespace: same result as JSONDecoder.
    @Test func agreesWithJSONDecoderOnRandomValidBodies() throws {
        var random = SplitMix64(seed: 0x5EED_CAFE)
        for round in 0..<200 {
            let (json, expected) = Self.randomBody(&random)
            let body = Array(json.utf8)
            let reference: ClassifyRequest
            switch expected {
            case .text: reference = .text(try JSONDecoder().decode(TextBody.self, from: Data(body)).text)
            case .texts: reference = .texts(try JSONDecoder().decode(TextsBody.self, from: Data(body)).texts)
            case .tokens: reference = .tokens(try JSONDecoder().decode(TokensBody.self, from: Data(body)).tokens)
            case .tokenBatch: reference = .tokenBatch(try JSONDecoder().decode(TokenBatchBody.self, from: Data(body)).tokens)
            }
            #expect(reference == expected, "round \(round): \(json)")
            #expect(try ClassifyRequest.parse(body) == reference, "round \(round): \(json)")
        }
    }

    /// A few thousand random mutations of valid bodies: the parser returns or throws a 400, never traps; whatever
    /// it accepts, Foundation accepts too (it is the stricter of the two) and reads the same way.
    @Test func survivesMutatedBodies() throws {
        var random = SplitMix64(seed: 42)
        let alphabet = Array(#"{}[]":,\ u0123456789-+.eEtruefalsn"#.utf8) + [0x00, 0x1F, 0x80, 0xC3, 0xED, 0xF0, 0xFF, 0x09, 0x0A]
        var accepted = 0
        for _ in 0..<4_000 {
            var body = Array(Self.randomBody(&random).0.utf8)
            for _ in 0...random.next(below: 3) {
                let at = random.next(below: body.count + 1)
                switch random.next(below: 5) {
                case 0 where at < body.count: body[at] = alphabet[random.next(below: alphabet.count)]
                case 1 where at < body.count: body.remove(at: at)
                case 2: body.insert(alphabet[random.next(below: alphabet.count)], at: at)
                case 3: body.removeSubrange(at...)
                default: body.insert(contentsOf: body[at...].prefix(random.next(below: 12)), at: at)
                }
            }
            do {
                let request = try ClassifyRequest.parse(body)
                accepted += 1
                let object = try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])
                if case .text(let text) = request { #expect(object["text"] as? String == text) }
                if case .texts(let texts) = request { #expect(object["texts"] as? [String] == texts) }
            } catch let error as ServiceError {
                #expect(error.status == .badRequest && error.code == "invalid_request")
            }
        }
        #expect(accepted > 100)  // the mutations are not all fatal, so the success paths are fuzzed too
    }

    private struct TextBody: Decodable { let text: String }
    private struct TextsBody: Decodable { let texts: [String] }
    private struct TokensBody: Decodable { let tokens: [Int] }
    private struct TokenBatchBody: Decodable { let tokens: [[Int]] }

    /// A random valid body and the request it encodes.
    static func randomBody(_ random: inout SplitMix64) -> (String, ClassifyRequest) {
        func space() -> String { (0..<random.next(below: 3)).map { _ in [" ", "\t", "\n", "\r"][random.next(below: 4)] }.joined() }
        func string() -> (String, String) {
            let pool: [Character] = [
                "a", "Z", " ", "'", "\"", "\\", "/", "\n", "\t", "\u{1}", "\u{1F}", "\u{7F}", "é", "ß", "—", "中", "\u{FFFD}", "😀", "🎬", "\u{10FFFF}",
            ]
            var value = ""
            var json = "\""
            for _ in 0..<random.next(below: 24) {
                let character = pool[random.next(below: pool.count)]
                value.append(character)
                let scalar = character.unicodeScalars.first?.value ?? 0
                let escaped: [String: String] = ["\"": #"\""#, "\\": #"\\"#, "\n": #"\n"#, "\t": #"\t"#, "/": #"\/"#]
                if let short = escaped[String(character)], random.next(below: 2) == 0 {
                    json += short
                } else if scalar < 0x20 || character == "\"" || character == "\\" || random.next(below: 4) == 0 {
                    json += character.utf16.map { String(format: random.next(below: 2) == 0 ? "\\u%04x" : "\\u%04X", $0) }.joined()
                } else {
                    json.append(character)
                }
            }
            return (value, json + "\"")
        }
        func ids() -> ([Int], String) {
            let values = (0..<random.next(below: 12)).map { _ -> Int in
                switch random.next(below: 6) {
                case 0: return [Int.max, Int.min, 0, -1][random.next(below: 4)]
                case 1: return Int(truncatingIfNeeded: random.next())
                default: return random.next(below: 10_000)
                }
            }
            let texts = values.map { value -> String in
                guard value != 0, value.magnitude < 1 << 50, random.next(below: 5) == 0 else { return String(value) }
                return ["\(value).0", "\(value)e0", "\(value)0e-1", "\(value)E+0"][random.next(below: 4)]
            }
            return (values, "[" + space() + texts.joined(separator: space() + "," + space()) + space() + "]")
        }
        func wrap(_ key: String, _ value: String) -> String {
            space() + "{" + space() + "\"\(key)\"" + space() + ":" + space() + value + space() + "}" + space()
        }
        switch random.next(below: 4) {
        case 0:
            let (value, json) = string()
            return (wrap("text", json), .text(value))
        case 1:
            let items = (0..<random.next(below: 5)).map { _ in string() }
            return (wrap("texts", "[" + items.map(\.1).joined(separator: "," + space()) + "]"), .texts(items.map(\.0)))
        case 2:
            let (values, json) = ids()
            return (wrap("tokens", json), .tokens(values))
        default:
            let rows = (0..<1 + random.next(below: 4)).map { _ in ids() }
            return (wrap("tokens", "[" + rows.map(\.1).joined(separator: "," + space()) + "]"), .tokenBatch(rows.map(\.0)))
        }
    }
}
