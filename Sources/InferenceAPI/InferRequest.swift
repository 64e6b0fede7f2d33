/// The body of an Open Inference Protocol (KServe v2) `POST /v2/models/{name}/infer`, with the binary tensor data
/// extension: one input, the outputs asked for, and how to send each.
///
/// Inputs: `text` (`BYTES`, shape `[N]` or `[N, 1]`) or `tokens` (`INT32`/`INT64`, shape `[N, L]`, rows pre-padded
/// with 0 or not); their data inline as a JSON array (flat or nested, row-major) or, with `binary_data_size`, as
/// bytes after the JSON header (`Inference-Header-Content-Length` long): little-endian integers, and each `BYTES`
/// element a 4-byte little-endian length then its bytes. Unknown fields and parameters are ignored, as the
/// protocol's extensions add them; every other mistake is a 400 that says what is wrong.
struct InferRequest {
    /// The request's `id`, echoed in the response.
    var id: String?
    var input: Input
    /// The outputs asked for, in order; nil: the default (``OutputName/score`` only).
    var outputs: [RequestedOutput]?
    /// `parameters.binary_data_output`: send every output as binary data unless it says otherwise.
    var binaryDataOutput = false

    /// The one input tensor, decoded.
    enum Input {
        /// `text`: one review per element.
        case texts([String])
        /// `tokens`: one row of ids per sequence, leading zeros (padding) still in.
        case tokenRows([[Int]])
    }

    /// The outputs the model has.
    enum OutputName: String, CaseIterable {
        /// FP32 `[N, 1]`: P(positive).
        case score
        /// BYTES `[N, 1]`: the label of the score.
        case label
    }

    struct RequestedOutput: Equatable {
        var name: OutputName
        /// `parameters.binary_data`; nil: as ``InferRequest/binaryDataOutput`` says.
        var binaryData: Bool?
    }

    /// Each input's fields as sent, before they are checked against each other.
    struct RawInput {
        var name: String?
        var datatype: String?
        var shape: [Int]?
        var strings: [String] = []
        var integers: [Int] = []
        var hasData = false
        var binaryDataSize: Int?
    }

    /// Parses a body: `headerLength` is `Inference-Header-Content-Length` (nil: all of the body is JSON).
    static func parse(_ body: [UInt8], headerLength: String?) throws(ServiceError) -> InferRequest {
        var jsonEnd = body.count
        if let headerLength {
            guard let length = Int(headerLength), length >= 0, length <= body.count else {
                throw .badRequest("Inference-Header-Content-Length is \(headerLength), not a length within the body's \(body.count) bytes")
            }
            jsonEnd = length
        }
        guard jsonEnd > 0 else { throw .badRequest("the request body is empty; send an inference request JSON object") }
        var json = ClassifyRequestParser(Array(body[..<jsonEnd]))
        guard json.peek == UInt8(ascii: "{") else {
            try json.skipValue()
            try json.expectEnd()
            throw .badRequest("the inference request must be a JSON object with an inputs array")
        }
        var id: String?
        var inputs: [RawInput]?
        var outputs: [RequestedOutput]?
        var binaryDataOutput = false
        try json.container { json, key, _ throws(ServiceError) in
            switch key {
            case "id":
                guard json.peek == UInt8(ascii: "\"") else { return try json.mismatch("id", "a string") }
                id = try json.parseString()
            case "inputs": inputs = try parseInputs(&json)
            case "outputs": outputs = try parseOutputs(&json)
            case "parameters":
                try parameters(&json, "parameters") { json, name throws(ServiceError) in
                    if name == "binary_data_output" { binaryDataOutput = try parseBool(&json, "parameters.binary_data_output") }
                }
            default: try json.skipValue()
            }
        }
        try json.expectEnd()
        if let typeError = json.typeError { throw typeError }
        guard let inputs else { throw .badRequest("the inference request needs an inputs array") }
        guard inputs.count == 1 else {
            throw .badRequest("send exactly one input, text (BYTES) or tokens (INT32 or INT64); got \(inputs.count)")
        }
        var binary = body[jsonEnd...]
        let input = try decodeInput(inputs[0], binary: &binary, hasBinary: headerLength != nil)
        guard binary.isEmpty else {
            throw .badRequest("\(binary.count) bytes of binary data follow the JSON header that no input's binary_data_size accounts for")
        }
        return InferRequest(id: id, input: input, outputs: outputs, binaryDataOutput: binaryDataOutput)
    }

    private static func parseInputs(_ json: inout ClassifyRequestParser) throws(ServiceError) -> [RawInput]? {
        guard json.peek == UInt8(ascii: "[") else {
            try json.mismatch("inputs", "an array of input tensors")
            return nil
        }
        var inputs: [RawInput] = []
        try json.container { json, _, i throws(ServiceError) in
            guard json.peek == UInt8(ascii: "{") else { return try json.mismatch("inputs[\(i)]", "an object") }
            var input = RawInput()
            try json.container { json, key, _ throws(ServiceError) in
                switch key {
                case "name":
                    guard json.peek == UInt8(ascii: "\"") else { return try json.mismatch("inputs[\(i)].name", "a string") }
                    input.name = try json.parseString()
                case "datatype":
                    guard json.peek == UInt8(ascii: "\"") else { return try json.mismatch("inputs[\(i)].datatype", "a string") }
                    input.datatype = try json.parseString()
                case "shape": input.shape = try parseShape(&json, "inputs[\(i)].shape")
                case "data":
                    input.hasData = true
                    try flatten(&json, "inputs[\(i)].data", into: &input)
                case "parameters":
                    try parameters(&json, "inputs[\(i)].parameters") { json, name throws(ServiceError) in
                        if name == "binary_data_size" {
                            input.binaryDataSize = try json.parseID("inputs[\(i)].parameters.binary_data_size", "a byte count")
                        }
                    }
                default: try json.skipValue()
                }
            }
            inputs.append(input)
        }
        return inputs
    }

    /// A shape: non-negative integers.
    private static func parseShape(_ json: inout ClassifyRequestParser, _ field: String) throws(ServiceError) -> [Int]? {
        guard json.peek == UInt8(ascii: "[") else {
            try json.mismatch(field, "an array of dimensions")
            return nil
        }
        var shape: [Int] = []
        try json.container { json, _, i throws(ServiceError) in
            if let dimension = try json.parseID("\(field)[\(i)]", "a dimension") { shape.append(dimension) }
        }
        guard shape.allSatisfy({ $0 >= 0 }) else { throw .badRequest("\(field) has a negative dimension") }
        return shape
    }

    /// Tensor data, flat or nested, row-major: strings or integers, whichever the first element is.
    private static func flatten(_ json: inout ClassifyRequestParser, _ field: String, into input: inout RawInput) throws(ServiceError) {
        switch json.peek {
        case UInt8(ascii: "["):
            try json.container { json, _, _ throws(ServiceError) in try flatten(&json, field, into: &input) }
        case UInt8(ascii: "\""):
            guard input.integers.isEmpty else { return try json.mismatch(field, "elements of one type") }
            input.strings.append(try json.parseString())
        default:
            guard input.strings.isEmpty else { return try json.mismatch(field, "elements of one type") }
            if let value = try json.parseID(field + " elements", "strings or integers") { input.integers.append(value) }
        }
    }

    private static func parseOutputs(_ json: inout ClassifyRequestParser) throws(ServiceError) -> [RequestedOutput]? {
        guard json.peek == UInt8(ascii: "[") else {
            try json.mismatch("outputs", "an array of requested outputs")
            return nil
        }
        var outputs: [RequestedOutput] = []
        var problem: ServiceError?
        try json.container { json, _, i throws(ServiceError) in
            guard json.peek == UInt8(ascii: "{") else { return try json.mismatch("outputs[\(i)]", "an object") }
            var name: String?
            var binaryData: Bool?
            try json.container { json, key, _ throws(ServiceError) in
                switch key {
                case "name":
                    guard json.peek == UInt8(ascii: "\"") else { return try json.mismatch("outputs[\(i)].name", "a string") }
                    name = try json.parseString()
                case "parameters":
                    try parameters(&json, "outputs[\(i)].parameters") { json, parameter throws(ServiceError) in
                        if parameter == "binary_data" { binaryData = try parseBool(&json, "outputs[\(i)].parameters.binary_data") }
                    }
                default: try json.skipValue()
                }
            }
            guard let name, let output = OutputName(rawValue: name) else {
                let known = OutputName.allCases.map(\.rawValue).joined(separator: ", ")
                problem = problem ?? .badRequest("outputs[\(i)] names \(name.map { "'\($0)'" } ?? "no output"); the model's outputs are \(known)")
                return
            }
            // Each output at most once: every one asked for is written whole, so repeats would multiply the answer's
            // size by a count the client picks (60,000 names fit in a 1 MiB body).
            guard !outputs.contains(where: { $0.name == output }) else {
                problem = problem ?? .badRequest("outputs[\(i)] asks for '\(name)' again; ask for each output once")
                return
            }
            outputs.append(RequestedOutput(name: output, binaryData: binaryData))
        }
        if let problem { throw problem }
        return outputs
    }

    /// An object of parameters: calls `each` at every value with its name; `each` must consume the value it reads,
    /// and the others are skipped.
    private static func parameters(
        _ json: inout ClassifyRequestParser, _ field: String, _ each: (inout ClassifyRequestParser, String) throws(ServiceError) -> Void
    ) throws(ServiceError) {
        guard json.peek == UInt8(ascii: "{") else { return try json.mismatch(field, "an object") }
        try json.container { json, key, _ throws(ServiceError) in
            switch key {
            case "binary_data_output", "binary_data_size", "binary_data": try each(&json, key)
            default: try json.skipValue()
            }
        }
    }

    private static func parseBool(_ json: inout ClassifyRequestParser, _ field: String) throws(ServiceError) -> Bool {
        switch json.peek {
        case UInt8(ascii: "t"):
            try json.skipValue()
            return true
        case UInt8(ascii: "f"):
            try json.skipValue()
            return false
        default:
            try json.mismatch(field, "a boolean")
            return false
        }
    }
}
