import Foundation
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
        let text = String(decoding: html, as: UTF8.self)
        let scripts = hashes(ofElements: "script", in: text).joined(separator: " ")
        let styles = hashes(ofElements: "style", in: text).joined(separator: " ")
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

    /// CSP source expressions (`'sha256-<base64>'`) for the text of every `<name>…</name>` element in `text`,
    /// outside comments. The page writes these tags without attributes, so the search is for the literal tags.
    static func hashes(ofElements name: String, in text: String) -> [String] {
        var hashes: [String] = []
        var rest = text[...]
        while let open = rest.range(of: "<\(name)>") {
            if let comment = rest.range(of: "<!--"), comment.lowerBound < open.lowerBound {
                guard let end = rest[comment.upperBound...].range(of: "-->") else { break }
                rest = rest[end.upperBound...]
                continue
            }
            guard let close = rest[open.upperBound...].range(of: "</\(name)>") else { break }
            let hex = SHA256.hexDigest(of: Array(rest[open.upperBound..<close.lowerBound].utf8))
            hashes.append("'sha256-\(Data(bytes(ofHex: hex)).base64EncodedString())'")
            rest = rest[close.upperBound...]
        }
        return hashes
    }

    private static func bytes(ofHex hex: String) -> [UInt8] {
        let digits = Array(hex.utf8)
        return stride(from: 0, to: digits.count - 1, by: 2).compactMap { UInt8(String(decoding: digits[$0...$0 + 1], as: UTF8.self), radix: 16) }
    }
}
