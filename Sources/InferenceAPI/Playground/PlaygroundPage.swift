import HTTP1
import SentimentModel

/// The playground page served at `GET /`: `playground.html`, compiled into the binary by SwiftPM's
/// `embedInCode`, so it needs no file at run time and works offline.
///
/// Its `Content-Security-Policy` lets the page load nothing but itself and talk only to its origin. The inline
/// `<style>` and `<script>` are allowed by the SHA-256 of their text, not by `'unsafe-inline'`: a hash fits a page
/// that never changes while the process runs (a nonce must be new in every response, and so needs the page
/// rewritten per request), and unlike `'unsafe-inline'` it refuses any script or style a future edit might let
/// through from the text a person types. The hashes are computed here from the embedded bytes, so the policy
/// cannot drift from the page.
enum PlaygroundPage {
    /// The page's bytes.
    static let html: [UInt8] = PackageResources.playground_html

    /// `default-src 'none'`, then each thing the page needs: its own inline style and script, `fetch` to its own
    /// origin, and the empty `data:` favicon that keeps the browser from asking for `/favicon.ico`.
    static let contentSecurityPolicy: String = {
        let scripts = hashes(ofElements: "script", in: html).joined(separator: " ")
        let styles = hashes(ofElements: "style", in: html).joined(separator: " ")
        return "default-src 'none'; script-src \(scripts); style-src \(styles); connect-src 'self'; img-src data:; "
            + "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    }()

    /// The response to `GET /` (and `HEAD /`, whose body the encoder leaves out), built once.
    static let response: HTTPResponse = {
        var response = HTTPResponse(status: .ok, contentType: "text/html; charset=utf-8", body: html)
        response.headers.add(name: "Content-Security-Policy", value: contentSecurityPolicy)
        response.headers.add(name: "X-Content-Type-Options", value: "nosniff")
        response.headers.add(name: "Referrer-Policy", value: "no-referrer")
        // The page changes with the binary: revalidate rather than keep an old one.
        response.headers.add(name: "Cache-Control", value: "no-cache")
        return response
    }()

    /// CSP source expressions (`'sha256-<base64>'`) for the text of every `<name>…</name>` element of `page`,
    /// outside comments. The page writes these tags without attributes, so the search is for the literal tags.
    /// Bytes, not Foundation's string search: the module does without Foundation.
    static func hashes(ofElements name: String, in page: [UInt8]) -> [String] {
        let (open, close) = (Array("<\(name)>".utf8), Array("</\(name)>".utf8))
        let (commentOpen, commentClose) = (Array("<!--".utf8), Array("-->".utf8))
        var hashes: [String] = []
        var rest = page[...]
        while let tag = rest.firstRange(of: open) {
            if let comment = rest.firstRange(of: commentOpen), comment.lowerBound < tag.lowerBound {
                guard let end = rest[comment.upperBound...].firstRange(of: commentClose) else { break }
                rest = rest[end.upperBound...]
                continue
            }
            guard let end = rest[tag.upperBound...].firstRange(of: close) else { break }
            hashes.append("'sha256-\(base64(ofHex: SHA256.hexDigest(of: Array(rest[tag.upperBound..<end.lowerBound]))))'")
            rest = rest[end.upperBound...]
        }
        return hashes
    }

    /// The base64 (RFC 4648 §4, padded) of the bytes a lower-case hexadecimal string spells.
    static func base64(ofHex hex: String) -> String {
        let digits = hex.utf8.map { $0 <= UInt8(ascii: "9") ? $0 - UInt8(ascii: "0") : $0 - UInt8(ascii: "a") + 10 }
        let bytes = stride(from: 0, to: digits.count - 1, by: 2).map { digits[$0] << 4 | digits[$0 + 1] }
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var output: [UInt8] = []
        for start in stride(from: 0, to: bytes.count, by: 3) {
            let group = bytes[start..<min(start + 3, bytes.count)]
            let value = group.enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (16 - 8 * UInt32($1.offset)) }
            for index in 0..<4 {
                output.append(index <= group.count ? alphabet[Int(value >> (18 - 6 * UInt32(index)) & 0x3F)] : UInt8(ascii: "="))
            }
        }
        return String(decoding: output, as: UTF8.self)
    }
}
