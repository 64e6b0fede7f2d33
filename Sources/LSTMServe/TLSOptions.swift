import ArgumentParser
import HTTPServerCore
import Logging

/// `serve`'s TLS options: with both files the server speaks only TLS (1.2 and 1.3) on its port.
struct TLSOptions: ParsableArguments {
    @Option(
        name: .customLong("tls-cert"),
        help: "PEM certificate, then any intermediates; with --tls-key the port speaks only TLS. Default: none. [LSTM_SERVE_TLS_CERT]")
    var certificate: String?
    @Option(name: .customLong("tls-key"), help: "PEM private key of --tls-cert (unencrypted). Default: none. [LSTM_SERVE_TLS_KEY]")
    var key: String?

    /// The certificate path: `--tls-cert`, else `LSTM_SERVE_TLS_CERT`, else `nil`. The health check reads it too.
    static func certificatePath(_ option: String?) throws -> String? {
        let path = try Environment.resolve(option, "TLS_CERT", default: "")
        return path.isEmpty ? nil : path
    }

    /// The loaded certificate and key, or `nil` for plain HTTP; a missing, unreadable or mismatched file is a
    /// ``CommandFailure`` naming it and the reason, before the port is bound.
    func load() throws -> TLSCredentials? {
        let certificatePath = try Self.certificatePath(certificate)
        let keyPath = try Environment.resolve(key, "TLS_KEY", default: "")
        switch (certificatePath, keyPath.isEmpty) {
        case (nil, true):
            return nil
        case (nil, false):
            throw ValidationError("--tls-key needs --tls-cert (or LSTM_SERVE_TLS_CERT)")
        case (.some, true):
            throw ValidationError("--tls-cert needs --tls-key (or LSTM_SERVE_TLS_KEY)")
        case (.some(let certificatePath), false):
            do {
                return try TLSCredentials(certificatePath: certificatePath, keyPath: keyPath)
            } catch {
                throw CommandFailure(error.description)
            }
        }
    }
}

extension TLSCredentials {
    /// Reads the certificate and key again (on SIGHUP): new handshakes use them, connections already open keep
    /// theirs. Files that do not load leave the current certificate in service, and the log says why.
    func reload(reason: String, logger: Logger) {
        let previous = certificate
        do {
            let loaded = try reload()
            logger.info(
                "reloaded the TLS certificate",
                metadata: ["reason": "\(reason)", "certificate": "\(loaded)", "changed": "\(loaded.sha256 != previous.sha256)"])
        } catch {
            logger.error(
                "TLS reload failed; still serving the previous certificate",
                metadata: ["reason": "\(reason)", "error": "\(error)", "certificate": "\(previous)"])
        }
    }
}
