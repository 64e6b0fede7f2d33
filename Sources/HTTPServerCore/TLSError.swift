import COpenSSL

/// Why TLS could not be set up or used. Each description is one line that names the file and the reason, for a
/// start-up error or a failed reload.
package enum TLSError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The certificate or key file does not exist. `role` is `certificate` or `key`.
    case fileMissing(role: String, path: String)
    /// The file exists but cannot be read (permissions, a directory). `reason` is the system's word for it.
    case fileUnreadable(role: String, path: String, reason: String)
    /// The certificate file holds no usable PEM certificate (chain). `reason` is OpenSSL's.
    case invalidCertificate(path: String, reason: String)
    /// The key file holds no usable PEM private key (or an encrypted one). `reason` is OpenSSL's.
    case invalidKey(path: String, reason: String)
    /// The key is not the certificate's.
    case keyMismatch(keyPath: String, certificatePath: String)
    /// OpenSSL refused the server's policy or could not allocate (not expected; `reason` is OpenSSL's).
    case setupFailed(reason: String)
    /// A client-side handshake, read or write failed (``TLSClient``).
    case connectionFailed(reason: String)

    package var description: String {
        switch self {
        case .fileMissing(let role, let path): "TLS \(role) file \(path): no such file"
        case .fileUnreadable(let role, let path, let reason): "TLS \(role) file \(path): cannot read it (\(reason))"
        case .invalidCertificate(let path, let reason): "TLS certificate file \(path): no PEM certificate in it (\(reason))"
        case .invalidKey(let path, let reason): "TLS key file \(path): no unencrypted PEM private key in it (\(reason))"
        case .keyMismatch(let keyPath, let certificatePath): "TLS key file \(keyPath) does not match the certificate in \(certificatePath)"
        case .setupFailed(let reason): "TLS set-up failed: \(reason)"
        case .connectionFailed(let reason): "TLS connection failed: \(reason)"
        }
    }

    /// The reasons on this thread's OpenSSL error queue, oldest first, joined with `; ` (`unknown` if it is empty);
    /// the queue is left empty.
    static func openSSLReasons() -> String {
        var reasons: [String] = []
        while case let code = ERR_get_error(), code != 0 {
            if let reason = ERR_reason_error_string(code) {
                reasons.append(String(cString: reason))
            } else {
                reasons.append("error \(code)")
            }
        }
        return reasons.isEmpty ? "unknown" : reasons.joined(separator: "; ")
    }
}
