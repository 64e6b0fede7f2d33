import HTTP1
import Testing

@Suite("HTTP message values")
struct HTTPMessageTests {
    @Test func headers_LookUpCaseInsensitively_AndKeepDuplicates() {
        var headers: HTTPHeaders = ["Accept": "a", "X-Id": "1"]
        headers.add(name: "accept", value: "b")
        #expect(headers["ACCEPT"] == "a")
        #expect(headers.values("accept") == ["a", "b"])
        #expect(headers.contains("x-id"))
        #expect(headers["missing"] == nil)
        headers.replaceOrAdd(name: "Accept", value: "c")
        #expect(headers.values("Accept") == ["c"])
        headers.replaceOrAdd(name: "New", value: "n")
        headers.remove(name: "x-id")
        #expect(headers.map(\.name) == ["Accept", "New"])
        #expect(headers.count == 2)
    }

    @Test func headers_FindTokensInLists() {
        let headers: HTTPHeaders = ["Connection": "Upgrade, Keep-Alive"]
        #expect(headers.containsToken("keep-alive", in: "connection"))
        #expect(!headers.containsToken("close", in: "Connection"))
    }

    @Test(
        "keepAlive follows RFC 9112 §9.3",
        arguments: [
            (HTTPVersion.http1_1, nil, true),
            (.http1_1, "close", false),
            (.http1_1, "Keep-Alive, Close", false),
            (.http1_0, nil, false),
            (.http1_0, "keep-alive", true),
            (.http1_0, "Keep-Alive", true),
        ] as [(HTTPVersion, String?, Bool)]
    )
    func keepAlive(version: HTTPVersion, connection: String?, expected: Bool) {
        var head = HTTPRequestHead(method: .GET, target: "/", version: version)
        if let connection { head.headers.add(name: "Connection", value: connection) }
        #expect(head.keepAlive == expected)
    }

    @Test func pathAndQuery_AreSplitAtTheFirstQuestionMark() {
        let head = HTTPRequestHead(method: .GET, target: "/v1/models?x=1?y")
        #expect(head.path == "/v1/models")
        #expect(head.query == "x=1?y")
        #expect(HTTPRequestHead(method: .GET, target: "/a").query == nil)
    }

    @Test(
        "absolute-form targets route on their path and query (RFC 9112 §3.2.2)",
        arguments: [
            ("http://example.com/v1/models?x=1", "/v1/models", "x=1"),
            ("HTTP://example.com:8080/classify", "/classify", nil),
            ("http://example.com", "/", nil),
            ("http://example.com?x=1", "/", "x=1"),
            ("http://example.com/a?next=http://other/b", "/a", "next=http://other/b"),
            ("/a?next=http://other/b", "/a", "next=http://other/b"),
            ("*", "*", nil),
        ] as [(String, String, String?)]
    )
    func absoluteForm_PathAndQuery(target: String, path: String, query: String?) {
        let head = HTTPRequestHead(method: .GET, target: target)
        #expect(head.path == path)
        #expect(head.query == query)
    }

    @Test func status_HasStandardPhrases() {
        #expect(HTTPStatus(code: 413) == .contentTooLarge)
        #expect(HTTPStatus.requestHeaderFieldsTooLarge.reasonPhrase == "Request Header Fields Too Large")
        #expect(HTTPStatus(code: 799).reasonPhrase == "")
        #expect(HTTPStatus.noContent.forbidsContent && !HTTPStatus.ok.forbidsContent)
    }
}
