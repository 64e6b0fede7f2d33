import COpenSSL

/// What identifies a certificate in a log line or a test: subject, serial number, expiry and SHA-256 fingerprint.
package struct TLSCertificateSummary: Equatable, Sendable, CustomStringConvertible {
    /// The subject, in OpenSSL's one-line form (`/CN=example.com`).
    package let subject: String
    /// The serial number in upper-case hexadecimal.
    package let serial: String
    /// The end of the validity period, `YYYY-MM-DDTHH:MM:SSZ`.
    package let notAfter: String
    /// The SHA-256 fingerprint of the DER encoding, upper-case hexadecimal bytes joined by `:` (as `openssl x509 -fingerprint`).
    package let sha256: String

    package var description: String { "\(subject) serial \(serial) until \(notAfter) sha256 \(sha256)" }

    /// Reads the fields of `certificate` (an `X509 *`), which it does not take ownership of.
    init(_ certificate: OpaquePointer) {
        if let name = X509_NAME_oneline(X509_get_subject_name(certificate), nil, 0) {
            subject = String(cString: name)
            CRYPTO_free(name, nil, 0)
        } else {
            subject = "?"
        }
        var serialText = "?"
        if let number = ASN1_INTEGER_to_BN(X509_get_serialNumber(certificate), nil) {
            if let hex = BN_bn2hex(number) {
                serialText = String(cString: hex)
                CRYPTO_free(hex, nil, 0)
            }
            BN_free(number)
        }
        serial = serialText
        var time = tm()
        if let end = X509_get0_notAfter(certificate), ASN1_TIME_to_tm(end, &time) == 1 {
            func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
            notAfter =
                "\(time.tm_year + 1900)-\(two(time.tm_mon + 1))-\(two(time.tm_mday))T\(two(time.tm_hour)):\(two(time.tm_min)):\(two(time.tm_sec))Z"
        } else {
            notAfter = "?"
        }
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        if X509_digest(certificate, EVP_sha256(), &digest, &length) == 1 {
            let hexDigits = Array("0123456789ABCDEF".utf8)
            sha256 = digest.prefix(Int(length)).map { String(decoding: [hexDigits[Int($0 >> 4)], hexDigits[Int($0 & 15)]], as: UTF8.self) }
                .joined(separator: ":")
        } else {
            sha256 = "?"
        }
    }
}
