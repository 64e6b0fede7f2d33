/// A parsed JSON value (config.json, metadata.json, the legacy `model_config` attribute).
///
/// Not `indirect`: arrays and dictionaries already hold their elements out of line. An indirect enum boxes every
/// payload and keeps the case in the spare bits of the box's pointer, which LeakSanitizer does not take for a
/// pointer; so a tree still alive at an exit (SIGTERM while the model loads exits at once) was reported as leaked.
package enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// Parses UTF-8 JSON text (RFC 8259). Never traps: malformed input throws `invalidJSON`, nesting deeper
    /// than `maxDepth` throws `tooDeep`.
    package static func parse(_ bytes: [UInt8], maxDepth: Int = 128) throws(CheckpointError) -> JSONValue {
        var parser = JSONParser(bytes: bytes, maxDepth: maxDepth)
        return try parser.parseDocument()
    }

    package static func parse(_ text: String, maxDepth: Int = 128) throws(CheckpointError) -> JSONValue {
        try parse(Array(text.utf8), maxDepth: maxDepth)
    }

    package subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    package subscript(index: Int) -> JSONValue? {
        if case .array(let elements) = self, elements.indices.contains(index) { return elements[index] }
        return nil
    }

    package var string: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The number as an `Int` when it is integral and in range.
    package var int: Int? {
        guard case .number(let value) = self, value.rounded() == value,
            value >= -9_007_199_254_740_992, value <= 9_007_199_254_740_992
        else { return nil }
        return Int(value)
    }

    package var double: Double? {
        if case .number(let value) = self { return value }
        return nil
    }

    package var bool: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    package var array: [JSONValue]? {
        if case .array(let value) = self { return value }
        return nil
    }

    package var object: [String: JSONValue]? {
        if case .object(let value) = self { return value }
        return nil
    }

    package var isNull: Bool { self == .null }
}
