import ArgumentParser
import Glibc

/// `LSTM_SERVE_*` environment variables: the fallback for each unset command-line option.
enum Environment {
    /// The value of `LSTM_SERVE_<NAME>`, parsed; a value that does not parse is an error, not ignored.
    static func value<T: LosslessStringConvertible>(_ name: String, as type: T.Type = T.self) throws -> T? {
        let key = "LSTM_SERVE_" + name
        guard let text = getenv(key).map({ String(cString: $0) }), !text.isEmpty else { return nil }
        guard let value = T(text) else { throw ValidationError("\(key)=\(text) is not a valid \(T.self)") }
        return value
    }

    /// The option if given, else the environment variable, else the default.
    static func resolve<T: LosslessStringConvertible>(_ option: T?, _ name: String, default fallback: T) throws -> T {
        if let option { return option }
        return try value(name) ?? fallback
    }
}

extension Duration {
    /// The duration in whole milliseconds, for options given in milliseconds.
    var wholeMilliseconds: Int {
        Int(components.seconds) * 1_000 + Int(components.attoseconds / 1_000_000_000_000_000)
    }
}
