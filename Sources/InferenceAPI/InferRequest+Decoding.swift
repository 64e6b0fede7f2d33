extension InferRequest {
    /// The input's name, datatype, shape and data checked against each other; binary data taken from the front of
    /// `binary` (what follows the JSON header; `hasBinary`: the request declared a header length).
    static func decodeInput(_ input: RawInput, binary: inout ArraySlice<UInt8>, hasBinary: Bool) throws(ServiceError) -> Input {
        guard let name = input.name, let datatype = input.datatype, let shape = input.shape else {
            throw .badRequest("an input needs a name, a datatype and a shape")
        }
        var bytes: ArraySlice<UInt8>?
        if let size = input.binaryDataSize {
            guard hasBinary else {
                throw .badRequest("input \(name) has binary_data_size but the request has no Inference-Header-Content-Length header")
            }
            guard !input.hasData else { throw .badRequest("input \(name) has both data and binary_data_size; send one") }
            guard size >= 0, size <= binary.count else {
                throw .badRequest("input \(name) has binary_data_size \(size) but only \(binary.count) bytes of binary data follow the JSON")
            }
            bytes = binary.prefix(size)
            binary = binary.dropFirst(size)
        } else if !input.hasData {
            throw .badRequest("input \(name) has no data and no binary_data_size")
        }
        switch name {
        case "text":
            guard datatype == "BYTES" else { throw .badRequest("input text must be BYTES, not \(datatype)") }
            guard shape.count == 1 || (shape.count == 2 && shape[1] == 1) else {
                throw .badRequest("input text must have shape [N] or [N, 1], not \(shape)")
            }
            let texts = try bytes.map { bytes throws(ServiceError) in try byteElements(bytes, name: name) } ?? input.strings
            guard texts.count == shape[0], bytes != nil || input.integers.isEmpty else {
                throw .badRequest("input text has shape \(shape) but \(bytes == nil ? input.integers.count : texts.count) elements")
            }
            return .texts(texts)
        case "tokens":
            let width: Int
            switch datatype {
            case "INT64": width = 8
            case "INT32": width = 4
            default: throw .badRequest("input tokens must be INT32 or INT64, not \(datatype)")
            }
            // L > 0: rows are then at most as many as the ids sent, never a count taken from the shape alone.
            guard shape.count == 2, shape[1] > 0 else { throw .badRequest("input tokens must have shape [N, L] with L > 0, not \(shape)") }
            let (count, overflow) = shape[0].multipliedReportingOverflow(by: shape[1])
            let ids = bytes.map { integers($0, width: width) } ?? input.integers
            guard !overflow, ids.count == count, bytes.map({ $0.count == count * width }) ?? input.strings.isEmpty else {
                throw .badRequest(
                    "input tokens has shape \(shape) but \(bytes.map { "\($0.count) bytes of" } ?? "") \(datatype) data of another size")
            }
            let length = shape[1]
            return .tokenRows((0..<shape[0]).map { row in Array(ids[row * length..<(row + 1) * length]) })
        default:
            throw .badRequest("the model has no input '\(name)'; its inputs are text (BYTES) and tokens (INT32 or INT64)")
        }
    }

    /// BYTES elements: each a 4-byte little-endian length, then that many bytes of UTF-8.
    private static func byteElements(_ bytes: ArraySlice<UInt8>, name: String) throws(ServiceError) -> [String] {
        var elements: [String] = []
        var index = bytes.startIndex
        while index < bytes.endIndex {
            guard bytes.endIndex - index >= 4 else { throw .badRequest("input \(name)'s binary data ends inside an element's 4-byte length") }
            let length = Int(littleEndian(bytes[index..<index + 4]))
            index += 4
            guard bytes.endIndex - index >= length else {
                throw .badRequest("input \(name)'s binary data has an element of \(length) bytes but only \(bytes.endIndex - index) follow")
            }
            guard let text = String(validating: bytes[index..<index + length], as: UTF8.self) else {
                throw .badRequest("input \(name) element \(elements.count) is not UTF-8")
            }
            elements.append(text)
            index += length
        }
        return elements
    }

    /// Little-endian signed integers of `width` bytes (4 or 8); a trailing partial one is dropped (the caller has
    /// checked the size).
    private static func integers(_ bytes: ArraySlice<UInt8>, width: Int) -> [Int] {
        stride(from: bytes.startIndex, to: bytes.endIndex - width + 1, by: width).map { start in
            let value = littleEndian(bytes[start..<start + width])
            return width == 4 ? Int(Int32(truncatingIfNeeded: value)) : Int(Int64(bitPattern: value))
        }
    }

    private static func littleEndian(_ bytes: ArraySlice<UInt8>) -> UInt64 {
        bytes.reversed().reduce(0) { $0 << 8 | UInt64($1) }
    }
}
