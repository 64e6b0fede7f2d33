internal import CZlib

/// zlib-backed decompression and checksums.
enum Inflate {
    /// Inflates `input` (raw deflate when `raw`, as in zip; zlib-wrapped otherwise, as in HDF5's deflate
    /// filter). The output may not exceed `maxOutput` bytes; the buffer is never larger than `maxOutput + 1`
    /// nor than what the input could inflate to.
    static func decompress(
        _ input: ArraySlice<UInt8>, raw: Bool, maxOutput: Int, context: String
    ) throws(CheckpointError) -> [UInt8] {
        guard maxOutput >= 0, maxOutput < Int(UInt32.max) - 1, input.count < Int(UInt32.max) else {
            throw .tooLarge(what: "deflate stream in \(context)", size: UInt64(max(maxOutput, input.count)), limit: UInt64(UInt32.max))
        }
        guard !input.isEmpty else { throw .inflateFailed("\(context): empty deflate stream") }
        // Deflate expands at most ~1032:1, so never allocate more than the input could possibly produce.
        let (possible, overflow) = input.count.multipliedReportingOverflow(by: 1032)
        let capacity = overflow ? maxOutput : min(maxOutput, possible + 1024)
        var output = [UInt8](repeating: 0, count: capacity + 1)
        var stream = z_stream()
        let initStatus = inflateInit2_(&stream, raw ? -15 : 15, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard initStatus == Z_OK else { throw .inflateFailed("\(context): zlib init failed (\(initStatus))") }
        defer { inflateEnd(&stream) }

        let outputCapacity = output.count
        let (status, produced): (Int32, Int) = input.withUnsafeBufferPointer { inputBuffer in
            output.withUnsafeMutableBufferPointer { outputBuffer in
                stream.next_in = inputBuffer.baseAddress.map { UnsafeMutablePointer(mutating: $0) }
                stream.avail_in = UInt32(inputBuffer.count)
                stream.next_out = outputBuffer.baseAddress
                stream.avail_out = UInt32(outputCapacity)
                let status = inflate(&stream, Z_FINISH)
                return (status, outputCapacity - Int(stream.avail_out))
            }
        }
        guard produced <= min(maxOutput, capacity) else {
            throw .inflateFailed("\(context): inflates to more than the expected \(maxOutput) bytes")
        }
        switch status {
        case Z_STREAM_END:
            output.removeLast(output.count - produced)
            return output
        case Z_BUF_ERROR, Z_OK:
            throw .inflateFailed("\(context): deflate stream ends early")
        default:
            throw .inflateFailed("\(context): zlib error \(status)")
        }
    }

    /// CRC-32 (ISO 3309, as used by zip) of `bytes`.
    static func crc32(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        var crc: UInt = 0
        bytes.withUnsafeBufferPointer { buffer in
            var base = buffer.baseAddress
            var left = buffer.count
            while left > 0, let pointer = base {
                let chunk = min(left, Int(UInt32.max >> 1))
                crc = CZlib.crc32(crc, pointer, UInt32(chunk))
                base = pointer + chunk
                left -= chunk
            }
        }
        return UInt32(truncatingIfNeeded: crc)
    }
}
