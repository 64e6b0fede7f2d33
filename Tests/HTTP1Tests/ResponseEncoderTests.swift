import HTTP1
import Testing

private let date = "Sun, 06 Nov 1994 08:49:37 GMT"

private func wire(_ text: String) -> [UInt8] { Array(text.utf8) }

@Suite("ResponseEncoder")
struct ResponseEncoderTests {
    @Test func ok_WithBody_KeepAlive() {
        let response = HTTPResponse(status: .ok, contentType: "application/json", body: wire("{}"))
        let bytes = ResponseEncoder.encode(response, requestMethod: .GET, keepAlive: true, date: date)
        #expect(bytes == wire("HTTP/1.1 200 OK\r\nDate: \(date)\r\nContent-Length: 2\r\nContent-Type: application/json\r\n\r\n{}"))
    }

    @Test func close_AddsConnectionClose() {
        let bytes = ResponseEncoder.encode(HTTPResponse(status: .notFound), requestMethod: .GET, keepAlive: false, date: date)
        #expect(bytes == wire("HTTP/1.1 404 Not Found\r\nDate: \(date)\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"))
    }

    @Test func http10KeptAlive_AddsConnectionKeepAlive() {
        let bytes = ResponseEncoder.encode(
            HTTPResponse(text: "hi"), requestMethod: .GET, requestVersion: .http1_0, keepAlive: true, date: date)
        #expect(
            bytes
                == wire(
                    "HTTP/1.1 200 OK\r\nDate: \(date)\r\nContent-Length: 2\r\nConnection: keep-alive\r\n"
                        + "Content-Type: text/plain; charset=utf-8\r\n\r\nhi"))
    }

    @Test func head_HasContentLength_ButNoBody() {
        let bytes = ResponseEncoder.encode(HTTPResponse(body: wire("hello")), requestMethod: .HEAD, keepAlive: true, date: date)
        #expect(bytes == wire("HTTP/1.1 200 OK\r\nDate: \(date)\r\nContent-Length: 5\r\n\r\n"))
    }

    @Test func head_KeepsDeclaredLength_WhenBodyIsEmpty() {
        let response = HTTPResponse(headers: ["Content-Length": "42"])
        let bytes = ResponseEncoder.encode(response, requestMethod: .HEAD, keepAlive: true, date: date)
        #expect(bytes == wire("HTTP/1.1 200 OK\r\nDate: \(date)\r\nContent-Length: 42\r\n\r\n"))
    }

    @Test func noContent_HasNeitherLengthNorBody() {
        let bytes = ResponseEncoder.encode(HTTPResponse(status: .noContent, body: wire("x")), requestMethod: .DELETE, keepAlive: true, date: date)
        #expect(bytes == wire("HTTP/1.1 204 No Content\r\nDate: \(date)\r\n\r\n"))
    }

    @Test func framingHeaders_FromHandler_AreReplaced() {
        let response = HTTPResponse(
            headers: ["Content-Length": "999", "transfer-encoding": "chunked", "Connection": "upgrade", "Date": "x", "X-A": "1"],
            body: wire("ab"))
        let bytes = ResponseEncoder.encode(response, requestMethod: nil, keepAlive: false, date: date)
        #expect(bytes == wire("HTTP/1.1 200 OK\r\nDate: \(date)\r\nContent-Length: 2\r\nConnection: close\r\nX-A: 1\r\n\r\nab"))
    }

    @Test func headerInjection_IsNeutralised() {
        let response = HTTPResponse(headers: ["X-A": "v\r\nSet-Cookie: evil", "Bad Name": "v"])
        let bytes = ResponseEncoder.encode(response, requestMethod: .GET, keepAlive: true, date: date)
        #expect(bytes == wire("HTTP/1.1 200 OK\r\nDate: \(date)\r\nContent-Length: 0\r\nX-A: v  Set-Cookie: evil\r\n\r\n"))
    }

    @Test func duplicateHeaders_AreWrittenInOrder() {
        let response = HTTPResponse(status: .badRequest, headers: HTTPHeaders([("Vary", "a"), ("Vary", "b")]))
        let bytes = ResponseEncoder.encode(response, requestMethod: .POST, keepAlive: true, date: date)
        #expect(bytes == wire("HTTP/1.1 400 Bad Request\r\nDate: \(date)\r\nContent-Length: 0\r\nVary: a\r\nVary: b\r\n\r\n"))
    }

    @Test func continueResponse_IsExact() {
        #expect(ResponseEncoder.continueResponse == wire("HTTP/1.1 100 Continue\r\n\r\n"))
    }
}
