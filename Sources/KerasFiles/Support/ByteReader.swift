/// A bounds-checked little-endian cursor over a byte array. Every read throws `CheckpointError.truncated`
/// instead of reading outside `[lowerBound, upperBound)`.
struct ByteReader: Sendable {
    let bytes: [UInt8]
    /// Reads may not go past this index.
    let upperBound: Int
    /// Current position (an index into `bytes`).
    private(set) var offset: Int
    /// Names the structure being read, for error messages.
    let context: String

    /// A reader over `bytes[start ..< start + count]` (or to the end when `count` is nil).
    init(_ bytes: [UInt8], at start: Int = 0, count: Int? = nil, context: String) throws(CheckpointError) {
        let end = count.map { start.addingReportingOverflow($0) }
        guard start >= 0, start <= bytes.count else { throw .truncated(context) }
        if let end {
            guard !end.overflow, let count, count >= 0, end.partialValue <= bytes.count else { throw .truncated(context) }
            upperBound = end.partialValue
        } else {
            upperBound = bytes.count
        }
        self.bytes = bytes
        self.offset = start
        self.context = context
    }

    var remaining: Int { upperBound - offset }
    var isAtEnd: Bool { offset >= upperBound }

    mutating func seek(to position: Int) throws(CheckpointError) {
        guard position >= 0, position <= upperBound else { throw .truncated(context) }
        offset = position
    }

    mutating func skip(_ count: Int) throws(CheckpointError) {
        guard count >= 0, count <= remaining else { throw .truncated(context) }
        offset += count
    }

    /// Skips forward to the next multiple of `alignment` measured from `origin`.
    mutating func align(to alignment: Int, from origin: Int) throws(CheckpointError) {
        let used = offset - origin
        let padding = (alignment - used % alignment) % alignment
        try skip(padding)
    }

    mutating func u8() throws(CheckpointError) -> UInt8 {
        guard remaining >= 1 else { throw .truncated(context) }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func u16() throws(CheckpointError) -> UInt16 { UInt16(truncatingIfNeeded: try uint(size: 2)) }
    mutating func u32() throws(CheckpointError) -> UInt32 { UInt32(truncatingIfNeeded: try uint(size: 4)) }
    mutating func u64() throws(CheckpointError) -> UInt64 { try uint(size: 8) }

    /// An unsigned little-endian integer of 1...8 bytes.
    mutating func uint(size: Int) throws(CheckpointError) -> UInt64 {
        guard size >= 0, size <= 8 else { throw .truncated(context) }
        guard remaining >= size else { throw .truncated(context) }
        var value: UInt64 = 0
        for index in 0..<size {
            value |= UInt64(bytes[offset + index]) << (8 * UInt64(index))
        }
        offset += size
        return value
    }

    /// A size or count that must fit in `Int` (fails as `tooLarge` otherwise).
    mutating func int(size: Int, what: String) throws(CheckpointError) -> Int {
        let value = try uint(size: size)
        guard value <= UInt64(Int.max) else { throw .tooLarge(what: what, size: value, limit: UInt64(Int.max)) }
        return Int(value)
    }

    mutating func read(_ count: Int) throws(CheckpointError) -> ArraySlice<UInt8> {
        guard count >= 0, count <= remaining else { throw .truncated(context) }
        defer { offset += count }
        return bytes[offset..<(offset + count)]
    }

    /// Reads `signature.count` bytes and checks they equal `signature`.
    mutating func expect(_ signature: [UInt8]) throws(CheckpointError) -> Bool {
        let start = offset
        let found = try read(signature.count)
        guard found.elementsEqual(signature) else {
            offset = start
            return false
        }
        return true
    }

    /// A NUL-terminated string starting at the current offset (the NUL is consumed).
    mutating func cString() throws(CheckpointError) -> String {
        var end = offset
        while end < upperBound, bytes[end] != 0 { end += 1 }
        guard end < upperBound else { throw .truncated(context) }
        defer { offset = end + 1 }
        return String(decoding: bytes[offset..<end], as: UTF8.self)
    }
}

/// Overflow-checked arithmetic on values read from files.
enum Checked {
    static func multiply(_ a: Int, _ b: Int, _ what: String) throws(CheckpointError) -> Int {
        let (value, overflow) = a.multipliedReportingOverflow(by: b)
        guard !overflow, a >= 0, b >= 0 else { throw .tooLarge(what: what, size: UInt64.max, limit: UInt64(Int.max)) }
        return value
    }

    static func add(_ a: Int, _ b: Int, _ what: String) throws(CheckpointError) -> Int {
        let (value, overflow) = a.addingReportingOverflow(b)
        guard !overflow else { throw .tooLarge(what: what, size: UInt64.max, limit: UInt64(Int.max)) }
        return value
    }

    /// The product of `dimensions`, refusing overflow and anything above `limit`.
    static func elementCount(_ dimensions: [Int], limit: Int, what: String) throws(CheckpointError) -> Int {
        var count = 1
        for dimension in dimensions {
            guard dimension >= 0 else { throw .hdf5Corrupt("\(what) has a negative dimension") }
            let (value, overflow) = count.multipliedReportingOverflow(by: dimension)
            guard !overflow else { throw .tooLarge(what: what, size: UInt64.max, limit: UInt64(limit)) }
            count = value
        }
        guard count <= limit else { throw .tooLarge(what: what, size: UInt64(count), limit: UInt64(limit)) }
        return count
    }
}
