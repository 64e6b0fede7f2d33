internal import CZlib

/// Request-body decompression and response compression with zlib, for ``ContentCodingHandler``.
///
/// Threading: every call uses its own zlib stream; safe from any thread.
package enum ZlibCodec {
    /// Why a compressed body could not be decoded.
    package enum DecodingError: Error, Hashable, Sendable {
        /// The decoded body would exceed the limit; decoding stopped after `limit + 1` bytes.
        case tooLarge(limit: Int)
        /// Not data of the declared coding: a bad header or block, a checksum mismatch, an end missing, or bytes after it.
        case corrupt(String)
    }

    /// Deflate expands at most 1032:1 (a 258-byte match per 2 bits), so no valid input decodes to more than this many
    /// bytes per input byte. The output buffer is sized by it, so a small body never reserves the whole limit.
    static let maximumExpansion = 1032

    /// Decodes `input`, which has the content coding `coding`, into at most `limit` bytes.
    ///
    /// Streaming: zlib writes straight into one buffer of `min(limit + 1, input.count × 1032 + 64)` bytes that are
    /// never zero-filled, so only the pages decoding reaches become resident, and decoding stops as soon as the output
    /// passes `limit`: a body that inflates to gigabytes costs at most `limit + 1` bytes and the time to make them.
    /// `gzip` accepts concatenated members (RFC 1952 §2.2); `deflate` accepts zlib-wrapped or raw deflate data.
    /// An empty input is an empty body whatever the coding.
    package static func decode(_ input: [UInt8], coding: ContentCoding, limit: Int) throws(DecodingError) -> [UInt8] {
        guard !input.isEmpty else { return [] }
        // Saturating: a limit of Int.max (a configuration, not an attack) must not trap.
        let limit = max(0, min(limit, Int.max - 1))
        let (bound, overflow) = input.count.multipliedReportingOverflow(by: maximumExpansion)
        let capacity = overflow || bound > Int.max - 64 ? limit + 1 : min(limit + 1, bound + 64)
        let windowBits: Int32 =
            switch coding {
            case .gzip: 15 + 16
            case .deflate: hasZlibHeader(input) ? 15 : -15
            }
        var failure: DecodingError?
        let output = [UInt8](unsafeUninitializedCapacity: capacity) { buffer, initializedCount in
            do throws(DecodingError) {
                initializedCount = try inflate(input, windowBits: windowBits, concatenated: coding == .gzip, into: buffer, limit: limit)
            } catch {
                failure = error
                initializedCount = 0
            }
        }
        if let failure { throw failure }
        return output
    }

    /// Whether `bytes` start with a zlib header (RFC 1950 §2.2): method 8 (deflate), a window of at most 32 KiB, and a
    /// check value making the first two bytes a multiple of 31. Raw deflate data practically never does: its first
    /// block would have to be a stored one whose ignored padding bits happen to pass the check.
    static func hasZlibHeader(_ bytes: [UInt8]) -> Bool {
        guard bytes.count >= 2 else { return false }
        let cmf = bytes[0]
        let flg = bytes[1]
        return cmf & 0x0F == 8 && cmf >> 4 <= 7 && (UInt16(cmf) << 8 | UInt16(flg)) % 31 == 0
    }

    /// Inflates all of `input` into `output`, returning the bytes written; throws once they would exceed `limit`.
    private static func inflate(
        _ input: [UInt8], windowBits: Int32, concatenated: Bool, into output: UnsafeMutableBufferPointer<UInt8>, limit: Int
    ) throws(DecodingError) -> Int {
        var stream = z_stream()
        guard inflateInit2_(&stream, windowBits, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw .corrupt("zlib could not start")
        }
        defer { inflateEnd(&stream) }
        return try input.withUnsafeBufferPointer { (inputBuffer) throws(DecodingError) -> Int in
            guard let inputBase = inputBuffer.baseAddress, let outputBase = output.baseAddress else { return 0 }
            var consumed = 0
            var produced = 0
            while true {
                // avail_in and avail_out are 32-bit: feed at most 1 GiB of each per call.
                let inputChunk = min(inputBuffer.count - consumed, 1 << 30)
                let outputChunk = min(output.count - produced, 1 << 30)
                stream.next_in = UnsafeMutablePointer(mutating: inputBase + consumed)
                stream.avail_in = UInt32(inputChunk)
                stream.next_out = outputBase + produced
                stream.avail_out = UInt32(outputChunk)
                let status = CZlib.inflate(&stream, Z_NO_FLUSH)
                consumed += inputChunk - Int(stream.avail_in)
                produced += outputChunk - Int(stream.avail_out)
                if produced > limit { throw .tooLarge(limit: limit) }
                switch status {
                case Z_STREAM_END:
                    guard consumed < inputBuffer.count else { return produced }
                    // RFC 1952 §2.2: a gzip file is a series of members; anything else after the end is not ours to ignore.
                    guard concatenated else { throw .corrupt("bytes follow the end of the compressed data") }
                    guard inflateReset(&stream) == Z_OK else { throw .corrupt("zlib could not restart") }
                case Z_OK:
                    continue
                case Z_BUF_ERROR where consumed == inputBuffer.count:
                    throw .corrupt("the compressed data ends early")
                case Z_BUF_ERROR:
                    // Output full below the limit: more than deflate can expand to, which valid data cannot do.
                    throw .corrupt("the compressed data expands beyond what deflate can produce")
                case Z_NEED_DICT:
                    throw .corrupt("the compressed data needs a preset dictionary")
                case Z_MEM_ERROR:
                    throw .corrupt("out of memory while decompressing")
                default:
                    let reason = stream.msg.map { String(cString: $0) } ?? "zlib error \(status)"
                    throw .corrupt("the compressed data is invalid (\(reason))")
                }
            }
        }
    }

    /// Compresses `bytes` as one gzip member at `level` (1 fastest … 9 smallest), or `nil` if zlib fails.
    package static func gzip(_ bytes: [UInt8], level: Int32) -> [UInt8]? {
        var stream = z_stream()
        // windowBits 15 + 16: a gzip header and trailer; memLevel 8 is zlib's default.
        guard deflateInit2_(&stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK
        else { return nil }
        defer { deflateEnd(&stream) }
        guard bytes.count < 1 << 30 else { return nil }
        // deflateBound covers the zlib wrapper; the gzip one is 12 bytes longer (zlib's own compressBound adds them too).
        let capacity = Int(deflateBound(&stream, UInt(bytes.count))) + 12
        var succeeded = false
        let output = [UInt8](unsafeUninitializedCapacity: capacity) { buffer, initializedCount in
            initializedCount = 0
            bytes.withUnsafeBufferPointer { input in
                stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
                stream.avail_in = UInt32(input.count)
                stream.next_out = buffer.baseAddress
                stream.avail_out = UInt32(capacity)
                succeeded = deflate(&stream, Z_FINISH) == Z_STREAM_END
                initializedCount = succeeded ? capacity - Int(stream.avail_out) : 0
            }
        }
        return succeeded ? output : nil
    }
}
