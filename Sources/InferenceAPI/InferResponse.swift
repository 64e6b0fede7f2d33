import HTTP1

/// An Open Inference Protocol `$inference_response`: the outputs asked for, each as JSON data or, with the binary
/// tensor data extension, as bytes after the JSON (`Inference-Header-Content-Length` gives the JSON's length).
///
/// A text with no word the vocabulary knows has no label (`/classify` says `null`): its `label` element is the empty
/// string, as a BYTES tensor has no null element.
struct InferResponse {
    let modelName: String
    let version: LoadedModel
    let id: String?
    let outputs: [InferRequest.RequestedOutput]
    let binaryDataOutput: Bool
    let scored: ScoredBatch

    var response: HTTPResponse {
        let results = scored.results
        var binary: [UInt8] = []
        var writer = JSONWriter(capacity: 128 + 16 * results.count)
        writer.object { writer in
            writer.field("model_name", modelName)
            writer.field("model_version", String(version.version))
            if let id { writer.field("id", id) }
            writer.key("parameters")
            writer.object { $0.field("sha256", version.model.sha256) }
            writer.key("outputs")
            writer.array { writer in
                for output in outputs {
                    writer.object { writer in
                        writer.field("name", output.name.rawValue)
                        writer.field("datatype", output.name == .score ? "FP32" : "BYTES")
                        writer.key("shape")
                        writer.array { writer in
                            writer.value(results.count)
                            writer.value(1)
                        }
                        if output.binaryData ?? binaryDataOutput {
                            let start = binary.count
                            Self.appendBinary(output.name, results, to: &binary)
                            writer.key("parameters")
                            writer.object { $0.field("binary_data_size", binary.count - start) }
                        } else {
                            writer.key("data")
                            writer.array { writer in
                                for result in results {
                                    if output.name == .score { writer.value(result.score) } else { writer.value(result.label ?? "") }
                                }
                            }
                        }
                    }
                }
            }
        }
        // The JSON ends with a newline as every body does; with binary outputs the newline is inside the header length.
        var body = writer.line()
        let jsonLength = body.count
        var headers = HTTPHeaders()
        headers.reserveCapacity(4)
        if binary.isEmpty {
            headers.add(name: "Content-Type", value: "application/json")
        } else {
            body += binary
            headers.add(name: "Content-Type", value: "application/octet-stream")
            headers.add(name: "Inference-Header-Content-Length", value: String(jsonLength))
        }
        headers.add(name: "X-Batch-Size", value: String(scored.batchSize))
        return HTTPResponse(status: .ok, headers: headers, body: body)
    }

    /// FP32 scores as 4 little-endian bytes each; labels as BYTES elements (4-byte little-endian length, then UTF-8).
    private static func appendBinary(_ name: InferRequest.OutputName, _ results: [ClassifyResult], to bytes: inout [UInt8]) {
        func append(_ value: UInt32) {
            withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
        }
        for result in results {
            switch name {
            case .score: append(result.score.bitPattern)
            case .label:
                let utf8 = Array((result.label ?? "").utf8)
                append(UInt32(utf8.count))
                bytes += utf8
            }
        }
    }
}
