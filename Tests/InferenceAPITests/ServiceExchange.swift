import Dispatch
import Foundation
import HTTP1
import Locking
import Testing

@testable import InferenceAPI

/// One request handed to a service in-process as an I/O thread hands it (`handle`, then `roundEnded`), with a byte
/// body, for the protocol tests whose bodies are binary. Inline scheduling answers within `roundEnded`; the batch
/// scheduler from its worker, waited for up to 10 s.
func exchange(
    _ service: InferenceService, _ method: HTTPMethod, _ target: String, headers: HTTPHeaders = [:], body: [UInt8] = [],
    sourceLocation: SourceLocation = #_sourceLocation
) throws -> HTTPResponse {
    let answer = Lock<HTTPResponse?>(nil)
    let answered = DispatchSemaphore(value: 0)
    let request = HTTPRequest(method: method, target: target, headers: headers, body: body)
    service.handle(request, context: RequestContext(remoteAddress: "test", connectionID: 1, receivedAt: .now)) { response in
        answer.withLock { $0 = response }
        answered.signal()
    }
    service.roundEnded()
    _ = answered.wait(timeout: .now() + 10)
    return try #require(answer.withLock { $0 }, "no answer to \(method) \(target) within 10 s", sourceLocation: sourceLocation)
}

/// `exchange` with a JSON body given as text.
func exchange(_ service: InferenceService, _ method: HTTPMethod, _ target: String, json: String) throws -> HTTPResponse {
    try exchange(service, method, target, headers: ["Content-Type": "application/json"], body: Array(json.utf8))
}

extension HTTPResponse {
    /// The body (or, with `Inference-Header-Content-Length`, its JSON part) as a JSON object; empty if it is not one.
    var object: [String: Any] {
        let length = headers["Inference-Header-Content-Length"].flatMap(Int.init) ?? body.count
        return (try? JSONSerialization.jsonObject(with: Data(body.prefix(length)))) as? [String: Any] ?? [:]
    }

    /// The protocol-shaped error message (`{"error": "…"}`), if the body is one.
    var plainError: String? { object["error"] as? String }
}

/// Binary tensor data as the extension lays it out: little-endian values, BYTES elements length-prefixed.
enum BinaryTensor {
    static func bytes(_ texts: [String]) -> [UInt8] {
        texts.flatMap { text in littleEndian(UInt32(text.utf8.count)) + Array(text.utf8) }
    }

    static func int64(_ values: [Int64]) -> [UInt8] { values.flatMap { littleEndian(UInt64(bitPattern: $0)) } }

    static func int32(_ values: [Int32]) -> [UInt8] { values.flatMap { littleEndian(UInt32(bitPattern: $0)) } }

    static func littleEndian<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        withUnsafeBytes(of: value.littleEndian) { Array($0) }
    }

    /// FP32 values read back from little-endian bytes.
    static func floats(_ bytes: ArraySlice<UInt8>) -> [Float] {
        stride(from: bytes.startIndex, to: bytes.endIndex, by: 4).map { start in
            Float(bitPattern: bytes[start..<start + 4].reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) })
        }
    }

    /// A body of `json` then `binary`, with the header that gives the JSON's length.
    static func request(_ json: String, _ binary: [UInt8]) -> (headers: HTTPHeaders, body: [UInt8]) {
        let header = Array(json.utf8)
        return (["Content-Type": "application/octet-stream", "Inference-Header-Content-Length": String(header.count)], header + binary)
    }
}
