import Foundation
import FuzzSupport
import InferenceAPI

// The `/classify` body reader against Foundation's JSONSerialization (docs/fuzzing.md).
//
// The check, on any bytes: `ClassifyRequest.parse` never traps; it calls the bytes valid JSON exactly
// when JSONSerialization does, but for the differences allowed below; and a request it accepts holds the
// values JSONSerialization reads from the same bytes.
//
// Allowed differences, each by design of the reader (ClassifyRequestParser's comment):
// - JSONSerialization accepts a trailing comma in an array or object; RFC 8259 and the reader do not. The check
//   removes the comma the reader names and checks the rest;
// - nesting deeper than `ClassifyRequestParser.maxDepth` (8) is refused before it is read to the end;
// - JSONSerialization also reads UTF-16 and UTF-32 (guessed from zero bytes); the reader reads UTF-8 only;
// - a number whose Double overflows (`1e400`) is JSON (RFC 8259 §6 puts no limit on range); where JSONSerialization
//   refuses it, the reader reads it as a number that is not an id;
// - duplicate keys: valid JSON for both; the reader refuses them after reading (a 400 that is not
//   "invalid JSON"), where JSONSerialization keeps one, so their values are not compared;
// - ids: the reader takes a number as an id only when its decimal value is an exact integer in Int's range;
//   JSONSerialization rounds through Double past 2^53, so values are compared only where it is exact.
// - a raw U+FEFF that starts a string or directly follows an escape sequence: the reader keeps it (RFC 8259 §7:
//   it is a character of the string); JSONSerialization drops it (it decodes each run of raw bytes between escapes
//   on its own, and takes a U+FEFF at the start of one for a byte order mark). So strings agree when they are
//   equal, or equal once every U+FEFF is taken out and JSONSerialization's has fewer. Found by the long run.

/// What the reader made of the bytes.
enum Reading {
    case request(ClassifyRequest)
    /// Valid JSON, refused as a classify request.
    case refused(String)
    case invalidJSON(String)
    case tooDeep
}

func read(_ bytes: [UInt8]) -> Reading {
    do {
        return .request(try ClassifyRequest.parse(bytes))
    } catch {
        if error.message.hasPrefix("the body is not valid JSON") || error.message.hasPrefix("the request body is empty") {
            return .invalidJSON(error.message)
        }
        if error.message.hasPrefix("the body nests arrays and objects") { return .tooDeep }
        precondition(error.code == "invalid_request", "a classify body refused with \(error.code): \(error.message)")
        return .refused(error.message)
    }
}

func check(_ bytes: [UInt8]) {
    let reading = read(bytes)
    let foundation = try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
    switch reading {
    case .tooDeep:
        return
    case .invalidJSON(let message):
        guard let foundation else { return }
        if bytes.prefix(4).contains(0) { return }  // UTF-16 or UTF-32
        if var withoutCommas = removingTrailingComma(bytes, message) {
            // Every trailing comma the reader names goes before the one comparison: checking after each (both
            // parsers again) made an input with 171 of them take 0.37 s a run in the fuzzer build (0.12 s this way).
            while case .invalidJSON(let next) = read(withoutCommas), let fewer = removingTrailingComma(withoutCommas, next) {
                withoutCommas = fewer
            }
            return check(withoutCommas)
        }
        fatalError("the reader refused JSON that JSONSerialization reads as \(foundation): \(message)\n input: \(bytes)")
    case .refused(let message):
        guard foundation == nil else { return }
        guard !hasHugeNumber(bytes) else { return }
        fatalError("the reader read JSON that JSONSerialization refuses (then: \(message))\n input: \(bytes)")
    case .request(let request):
        guard let foundation else {
            guard !hasHugeNumber(bytes) else { return }
            fatalError("the reader read \(request) from JSON that JSONSerialization refuses\n input: \(bytes)")
        }
        compare(request, foundation, bytes)
    }
}

/// The bytes without the trailing comma the reader's message points past, if it names one.
func removingTrailingComma(_ bytes: [UInt8], _ message: String) -> [UInt8]? {
    guard message.contains("trailing comma at byte "), let offset = message.split(separator: " ").last.flatMap({ Int($0) }) else { return nil }
    guard let comma = bytes[..<offset].lastIndex(where: { ![0x20, 0x0A, 0x0D, 0x09].contains($0) }), bytes[comma] == UInt8(ascii: ",") else {
        fatalError("no trailing comma before byte \(offset)\n input: \(bytes)")
    }
    var without = bytes
    without.remove(at: comma)
    return without
}

/// Whether the bytes hold a number token with an exponent of three or more digits, which Double may not hold.
func hasHugeNumber(_ bytes: [UInt8]) -> Bool {
    var digits = 0
    var inExponent = false
    for byte in bytes {
        if byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
            (inExponent, digits) = (true, 0)
        } else if inExponent, byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
            digits += 1
            if digits >= 3 { return true }
        } else if inExponent, byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-"), digits == 0 {
            continue
        } else {
            inExponent = false
        }
    }
    return false
}

/// Checks that the request holds what JSONSerialization read.
func compare(_ request: ClassifyRequest, _ foundation: Any, _ bytes: [UInt8]) {
    guard let object = foundation as? [String: Any], object.count == 1, let (key, value) = object.first else {
        fatalError("the reader read \(request), JSONSerialization \(foundation)\n input: \(bytes)")
    }
    let agrees: Bool
    switch request {
    case .text(let text): agrees = key == "text" && sameString(text, value)
    case .texts(let texts):
        let strings = value as? [Any]
        agrees = key == "texts" && strings?.count == texts.count && zip(texts, strings ?? []).allSatisfy { sameString($0, $1) }
    case .tokens(let ids): agrees = key == "tokens" && sameIDs(ids, value)
    case .tokenBatch(let batch):
        let rows = value as? [Any] ?? []
        agrees = key == "tokens" && rows.count == batch.count && zip(batch, rows).allSatisfy { sameIDs($0, $1) }
    }
    precondition(agrees, "the reader read \(request), JSONSerialization \(foundation)\n input: \(bytes)")
}

/// Whether `value` is the string the reader read, or that string less some U+FEFF, which JSONSerialization drops.
func sameString(_ text: String, _ value: Any) -> Bool {
    guard let string = value as? String else { return false }
    if string == text { return true }
    let byteOrderMark: Unicode.Scalar = "\u{FEFF}"
    func withoutMarks(_ string: String) -> String.UnicodeScalarView { string.unicodeScalars.filter { $0 != byteOrderMark } }
    func marks(_ string: String) -> Int { string.unicodeScalars.count(where: { $0 == byteOrderMark }) }
    return withoutMarks(string).elementsEqual(withoutMarks(text)) && marks(string) < marks(text)
}

/// Whether `value` is an array of numbers equal to `ids`, where JSONSerialization's numbers are exact.
func sameIDs(_ ids: [Int], _ value: Any) -> Bool {
    guard let numbers = value as? [Any], numbers.count == ids.count else { return false }
    return zip(ids, numbers).allSatisfy { id, number in
        guard let number = number as? NSNumber else { return false }
        if ["d", "f"].contains(String(cString: number.objCType)) {
            let double = number.doubleValue
            // Past 2^53 a Double may not hold the decimal the reader read exactly.
            return abs(double) > 9_007_199_254_740_992 || double == Double(id)
        }
        return number.int64Value == Int64(id)
    }
}

FuzzMain.run(check)
