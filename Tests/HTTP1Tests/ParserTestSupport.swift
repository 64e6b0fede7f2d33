import HTTP1
import TestSupport
import Testing

/// How a test cuts the wire bytes into `append` calls.
enum Split: Sendable, CustomTestStringConvertible {
    /// Everything in one append.
    case whole
    /// One byte per append.
    case oneByOne
    /// Random cut points from a seeded generator.
    case random(seed: UInt64)

    static let all: [Split] = [.whole, .oneByOne, .random(seed: 1), .random(seed: 42), .random(seed: 0xDEAD_BEEF)]

    var testDescription: String {
        switch self {
        case .whole: "whole"
        case .oneByOne: "one by one"
        case .random(let seed): "random(\(seed))"
        }
    }

    func chunks(of bytes: [UInt8]) -> [[UInt8]] {
        switch self {
        case .whole:
            return [bytes]
        case .oneByOne:
            return bytes.map { [$0] }
        case .random(let seed):
            var generator = SplitMix64(seed: seed)
            var chunks: [[UInt8]] = []
            var start = 0
            while start < bytes.count {
                let length = Int.random(in: 1...17, using: &generator)
                let end = min(start + length, bytes.count)
                chunks.append(Array(bytes[start..<end]))
                start = end
            }
            return chunks
        }
    }
}

/// The outcome of feeding a whole wire message to a parser.
struct ParseOutcome {
    var events: [RequestParser.Event] = []
    var error: HTTPParseError?
    var leftover = 0

    var requests: [HTTPRequest] {
        events.compactMap { if case .request(let request) = $0 { request } else { nil } }
    }
}

/// Feeds `wire` to a fresh parser in the chunks `split` produces, draining events after each append.
func parse(_ wire: String, split: Split = .whole, limits: HTTPLimits = HTTPLimits()) -> ParseOutcome {
    parse(Array(wire.utf8), split: split, limits: limits)
}

func parse(_ wire: [UInt8], split: Split = .whole, limits: HTTPLimits = HTTPLimits()) -> ParseOutcome {
    var parser = RequestParser(limits: limits)
    var outcome = ParseOutcome()
    for chunk in split.chunks(of: wire) {
        chunk.withUnsafeBytes { parser.append($0) }
        do {
            while let event = try parser.next() { outcome.events.append(event) }
        } catch {
            outcome.error = error
            break
        }
    }
    outcome.leftover = parser.bufferedByteCount
    return outcome
}

/// Builds an expected request from readable parts.
func request(
    _ method: HTTPMethod,
    _ target: String,
    version: HTTPVersion = .http1_1,
    headers: [(String, String)] = [("Host", "example.com")],
    body: String = ""
) -> HTTPRequest {
    HTTPRequest(method: method, target: target, version: version, headers: HTTPHeaders(headers), body: Array(body.utf8))
}
