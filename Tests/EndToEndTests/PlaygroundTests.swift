import Foundation
import SentimentModel
import TestSupport
import Testing

extension EndToEnd {
    /// The playground page at `GET /`: served from the binary with headers that keep it to its own origin, and naming
    /// no other. (Tests/Integration/playground_check.py drives it in a real browser.)
    @Suite("Playground page")
    struct PlaygroundTests {
        @Test(arguments: TestTransport.allCases)
        func getSlashServesTheSelfContainedPageWithAStrictPolicy(_ transport: TestTransport) throws {
            let response = try EndToEnd.service().test(transport) { try $0.execute("GET", "/") }
            #expect(response.status == 200)
            #expect(response.header("Content-Type") == "text/html; charset=utf-8")
            #expect(response.header("X-Content-Type-Options") == "nosniff")
            let page = response.text
            #expect(page.hasPrefix("<!doctype html>"))
            let policy = try #require(response.header("Content-Security-Policy"))
            let directives = Dictionary(
                policy.split(separator: ";").map { directive in
                    let words = directive.split(separator: " ")
                    return (String(words[0]), words.dropFirst().map(String.init))
                }, uniquingKeysWith: { first, _ in first })
            #expect(directives["default-src"] == ["'none'"])
            #expect(directives["connect-src"] == ["'self'"])
            #expect(directives["frame-ancestors"] == ["'none'"])
            #expect(!policy.contains("unsafe-inline") && !policy.contains("unsafe-eval") && !policy.contains("http"), "\(policy)")
            // The inline script and style are allowed by their hashes: the ones of the page's text, or the browser
            // would refuse to run them.
            #expect(directives["script-src"] == [try Self.hashSource(of: "script", in: page)])
            #expect(directives["style-src"] == [try Self.hashSource(of: "style", in: page)])
        }

        @Test func thePageNamesNoOtherOrigin() throws {
            let page = try EndToEnd.service().test(.inProcess) { try $0.execute("GET", "/") }.text
            #expect(!page.contains("http://") && !page.contains("https://"))
            #expect(!page.contains("@import"))
            // Every reference the markup makes is to this origin or inline: no src, href or action leaves it.
            let references = try NSRegularExpression(pattern: #"\b(src|href|action|srcset)\s*=\s*["']?([^"' >]*)"#, options: [.caseInsensitive])
            let matches = references.matches(in: page, range: NSRange(page.startIndex..., in: page))
            let values = matches.compactMap { Range($0.range(at: 2), in: page).map { String(page[$0]) } }
            #expect(values.allSatisfy { $0.hasPrefix("data:") || ($0.hasPrefix("/") && !$0.hasPrefix("//")) }, "\(values)")
            let cssURLs = try NSRegularExpression(pattern: #"(?<![A-Za-z])url\("#)
            #expect(cssURLs.numberOfMatches(in: page, range: NSRange(page.startIndex..., in: page)) == 0)
            // Scripts fetch only paths of this server.
            let fetches = try NSRegularExpression(pattern: #"fetch\(\s*"([^"]*)""#)
            let paths = fetches.matches(in: page, range: NSRange(page.startIndex..., in: page)).compactMap {
                Range($0.range(at: 1), in: page).map { String(page[$0]) }
            }
            #expect(Set(paths) == ["/v1/models", "/classify"], "\(paths)")
        }

        @Test func headSlashHasTheHeadersAndNoBody() throws {
            try LiveServer.run { server in
                let get = try server.exchange(RawHTTPClient.request("GET", "/"))
                let head = try server.exchange(RawHTTPClient.request("HEAD", "/"), bodyless: true)
                #expect(head.status == 200)
                #expect(head.body.isEmpty)
                #expect(head.header("Content-Length") == String(get.body.count))
                for name in ["Content-Type", "Content-Security-Policy", "X-Content-Type-Options"] {
                    #expect(head.header(name) == get.header(name), "\(name)")
                }
            }
        }

        @Test(arguments: TestTransport.allCases)
        func postSlashIs405AllowingGetAndHead(_ transport: TestTransport) throws {
            let response = try EndToEnd.service().test(transport) { try $0.execute("POST", "/", body: "") }
            #expect(response.status == 405)
            #expect(response.header("Allow") == "GET, HEAD")
            #expect(response.errorCode == "method_not_allowed")
        }

        /// `'sha256-<base64>'` of the text of the page's last `<name>` element (the page's comment names the tags too).
        static func hashSource(of name: String, in page: String) throws -> String {
            let open = try #require(page.range(of: "<\(name)>", options: .backwards), "no <\(name)>")
            let close = try #require(page[open.upperBound...].range(of: "</\(name)>"), "no </\(name)>")
            let hex = SHA256.hexDigest(of: Array(page[open.upperBound..<close.lowerBound].utf8))
            let digest = stride(from: 0, to: hex.count, by: 2).map { offset in
                UInt8(hex.dropFirst(offset).prefix(2), radix: 16)!
            }
            return "'sha256-\(Data(digest).base64EncodedString())'"
        }
    }
}
