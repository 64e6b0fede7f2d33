/// An ordered list of header fields that keeps duplicates and the order they arrived in (RFC 9110 §5).
///
/// Lookups compare names ASCII case-insensitively; values are stored as received, already trimmed of
/// surrounding whitespace by the parser.
package struct HTTPHeaders: Sendable, Equatable, Sequence, ExpressibleByDictionaryLiteral, CustomStringConvertible {
    /// One header field line.
    package typealias Element = (name: String, value: String)

    private var fields: [Element]

    /// Creates headers from name/value pairs, keeping their order and duplicates.
    package init(_ fields: [(String, String)] = []) {
        self.fields = fields.map { (name: $0.0, value: $0.1) }
    }

    /// Creates headers from a literal such as `["Content-Type": "text/plain"]`; duplicate names are kept.
    package init(dictionaryLiteral elements: (String, String)...) {
        self.init(elements)
    }

    /// The number of field lines, counting duplicates.
    package var count: Int { fields.count }

    /// Whether there are no field lines.
    package var isEmpty: Bool { fields.isEmpty }

    /// The value of the first field named `name` (case-insensitive), or `nil`.
    package subscript(name: String) -> String? {
        fields.first { ASCII.equalsIgnoringCase($0.name, name) }?.value
    }

    /// Every value of the fields named `name` (case-insensitive), in order.
    package func values(_ name: String) -> [String] {
        fields.filter { ASCII.equalsIgnoringCase($0.name, name) }.map(\.value)
    }

    /// Whether a field named `name` is present (case-insensitive).
    package func contains(_ name: String) -> Bool {
        fields.contains { ASCII.equalsIgnoringCase($0.name, name) }
    }

    /// Whether any field named `name` lists `token` in its comma-separated value, for example `Connection: close`.
    package func containsToken(_ token: String, in name: String) -> Bool {
        values(name).contains { value in
            value.split(separator: ",").contains { ASCII.equalsIgnoringCase(ASCII.trimmingWhitespace($0), token) }
        }
    }

    /// Makes room for `capacity` fields in all, so adding that many allocates once.
    package mutating func reserveCapacity(_ capacity: Int) {
        fields.reserveCapacity(capacity)
    }

    /// Appends a field, keeping any existing fields with the same name.
    package mutating func add(name: String, value: String) {
        fields.append((name: name, value: value))
    }

    /// Replaces the first field named `name` and removes the others, or appends the field if there is none.
    package mutating func replaceOrAdd(name: String, value: String) {
        guard let index = fields.firstIndex(where: { ASCII.equalsIgnoringCase($0.name, name) }) else {
            add(name: name, value: value)
            return
        }
        fields[index].value = value
        var position = fields.index(after: index)
        while position < fields.endIndex {
            if ASCII.equalsIgnoringCase(fields[position].name, name) {
                fields.remove(at: position)
            } else {
                position += 1
            }
        }
    }

    /// Removes every field named `name` (case-insensitive).
    package mutating func remove(name: String) {
        fields.removeAll { ASCII.equalsIgnoringCase($0.name, name) }
    }

    package func makeIterator() -> IndexingIterator<[Element]> {
        fields.makeIterator()
    }

    package static func == (lhs: HTTPHeaders, rhs: HTTPHeaders) -> Bool {
        lhs.fields.count == rhs.fields.count && zip(lhs.fields, rhs.fields).allSatisfy { $0.name == $1.name && $0.value == $1.value }
    }

    package var description: String {
        "[" + fields.map { "\($0.name): \($0.value)" }.joined(separator: ", ") + "]"
    }
}
