import Foundation
import HTTP1
import TestSupport
import Testing

@testable import InferenceAPI

/// How the service words the refusals made in front of it (content codings, named limits): one vocabulary.
struct RefusalRenderingTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let refusal: HTTPRefusal
        let status: Int
        let code: String
        let message: String
        let reason: String
        var testDescription: String { "\(refusal)" }
    }

    static let cases: [Case] = [
        Case(
            refusal: .unsupportedContentEncoding("br"), status: 415, code: "unsupported_encoding",
            message: "Content-Encoding br is not supported; send one of: gzip, deflate, identity.", reason: "unsupported_encoding"),
        Case(
            refusal: .invalidCompressedBody("the compressed data ends early"), status: 400, code: "invalid_request",
            message: "The request body does not decode as its Content-Encoding says: the compressed data ends early.", reason: "malformed"),
        Case(
            refusal: .limitExceeded(.decodedBodyBytes(4096)), status: 413, code: "payload_too_large",
            message: "Request body larger than the limit of 4096 bytes once decompressed.", reason: "body_too_large"),
        Case(
            refusal: .limitExceeded(.bodyBytes(4096)), status: 413, code: "payload_too_large",
            message: "Request body larger than the limit of 4096 bytes.", reason: "body_too_large"),
        Case(
            refusal: .limitExceeded(.headerBytes(16384)), status: 431, code: "headers_too_large",
            message: "Request header section larger than the limit of 16384 bytes.", reason: "headers_too_large"),
        Case(
            refusal: .limitExceeded(.headTimeout(.milliseconds(1500))), status: 408, code: "request_timeout",
            message: "Request head not received within the limit of 1500 ms.", reason: "head_timeout"),
        Case(
            refusal: .limitExceeded(.bodyTimeout(.seconds(30))), status: 408, code: "request_timeout",
            message: "Request body not received within the limit of 30 s.", reason: "body_timeout"),
    ]

    @Test(arguments: cases)
    func aRefusal_IsAnAPIError_CountedUnderItsReason(expected: Case) throws {
        let service = ServiceMetricsTests.service()
        let response = service.response(for: expected.refusal)
        #expect(response.status.code == expected.status)
        try service.test(.inProcess) { client in
            let samples = try ServiceMetricsTests.scrape(client)
            #expect(samples["lstm_serve_http_rejected_requests_total", ["reason": expected.reason]] == 1)
        }
        let body = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]
        let error = try #require(body?["error"] as? [String: Any])
        #expect(error["code"] as? String == expected.code)
        #expect(error["message"] as? String == expected.message)
    }

    @Test func a415ForAContentCoding_SaysWhichCodingsAreAccepted() {
        let response = ServiceMetricsTests.service().response(for: .unsupportedContentEncoding("br"))
        #expect(response.headers["Accept-Encoding"] == "gzip, deflate, identity")
    }
}
