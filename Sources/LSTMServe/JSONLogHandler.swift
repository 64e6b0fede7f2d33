import Glibc
import InferenceAPI
import Logging

/// `--log-format json`: one JSON object a line on standard error, for log collectors.
///
/// Each line holds `time` (RFC 3339, UTC, milliseconds), `level`, `message`, `logger` (the label) and `source` (the
/// module), then every metadata key as a field of its own: an access line's `request_id`, `method`, `path`,
/// `status`, `duration_ms` and `batch_size`, for example. Values are strings, as swift-log's metadata holds them; a
/// key that collides with a fixed field is written as `meta_<key>`.
struct JSONLogHandler: LogHandler {
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]
    let label: String
    private let output: @Sendable ([UInt8]) -> Void

    init(label: String, output: @escaping @Sendable ([UInt8]) -> Void = JSONLogHandler.writeToStandardError) {
        self.label = label
        self.output = output
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = event.metadata.map { metadata.merging($0) { _, new in new } } ?? metadata
        var writer = JSONWriter()
        writer.object { writer in
            writer.field("time", Timestamp.rfc3339(Timestamp.now()))
            writer.field("level", event.level.rawValue)
            writer.field("message", event.message.description)
            writer.field("logger", label)
            writer.field("source", event.source)
            if let error = event.error { writer.field("error", "\(error)") }
            for key in merged.keys.sorted() {
                guard let value = merged[key] else { continue }
                writer.field(Self.fixedFields.contains(key) ? "meta_" + key : key, "\(value)")
            }
        }
        output(writer.line())
    }

    private static let fixedFields: Set<String> = ["time", "level", "message", "logger", "source", "error"]

    /// One `write(2)` per line where the kernel takes it whole, so lines from several threads do not interleave in
    /// a pipe (up to PIPE_BUF bytes each).
    static let writeToStandardError: @Sendable ([UInt8]) -> Void = { line in
        line.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = Glibc.write(STDERR_FILENO, bytes.baseAddress! + offset, bytes.count - offset)
                if written <= 0 { return }
                offset += written
            }
        }
    }
}
