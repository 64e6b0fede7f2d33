internal import CZlib

/// The three wire formats of compressed request bodies, made with zlib's deflate independently of the server's code.
package enum CompressionFormat: String, Sendable, CaseIterable, CustomStringConvertible {
    /// RFC 1952: a gzip member (`Content-Encoding: gzip`).
    case gzip
    /// RFC 1950: zlib-wrapped deflate (`Content-Encoding: deflate` as RFC 9110 defines it).
    case zlib
    /// RFC 1951: raw deflate data (`Content-Encoding: deflate` as many clients send it).
    case rawDeflate

    /// The `Content-Encoding` value a client sends for this format.
    package var contentEncoding: String { self == .gzip ? "gzip" : "deflate" }

    package var description: String { rawValue }

    /// zlib's windowBits for the format.
    var windowBits: Int32 {
        switch self {
        case .gzip: 15 + 16
        case .zlib: 15
        case .rawDeflate: -15
        }
    }
}

/// `bytes` compressed in `format` at `level` with zlib's deflate.
package func compress(_ bytes: [UInt8], _ format: CompressionFormat, level: Int32 = 6) -> [UInt8] {
    var stream = z_stream()
    let initialised = deflateInit2_(
        &stream, level, Z_DEFLATED, format.windowBits, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
    precondition(initialised == Z_OK, "deflateInit2 failed: \(initialised)")
    defer { deflateEnd(&stream) }
    var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, UInt(bytes.count))) + 64)
    let produced = bytes.withUnsafeBufferPointer { input in
        output.withUnsafeMutableBufferPointer { buffer in
            stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
            stream.avail_in = UInt32(input.count)
            stream.next_out = buffer.baseAddress
            stream.avail_out = UInt32(buffer.count)
            let status = deflate(&stream, Z_FINISH)
            precondition(status == Z_STREAM_END, "deflate did not finish: \(status)")
            return buffer.count - Int(stream.avail_out)
        }
    }
    return Array(output.prefix(produced))
}

/// `bytes` decompressed from one gzip member, with zlib's inflate; `nil` if they are not one.
package func gunzip(_ bytes: [UInt8], maxOutput: Int = 64 << 20) -> [UInt8]? {
    var stream = z_stream()
    guard inflateInit2_(&stream, 15 + 16, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else { return nil }
    defer { inflateEnd(&stream) }
    var output = [UInt8](repeating: 0, count: maxOutput)
    let result: Int? = bytes.withUnsafeBufferPointer { input in
        output.withUnsafeMutableBufferPointer { buffer in
            stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
            stream.avail_in = UInt32(input.count)
            stream.next_out = buffer.baseAddress
            stream.avail_out = UInt32(buffer.count)
            guard inflate(&stream, Z_FINISH) == Z_STREAM_END, stream.avail_in == 0 else { return nil }
            return buffer.count - Int(stream.avail_out)
        }
    }
    return result.map { Array(output.prefix($0)) }
}
