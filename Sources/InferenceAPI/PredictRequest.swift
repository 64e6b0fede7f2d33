/// The body of TF Serving's `POST /v1/models/{name}[/versions/{v}]:predict`, as a Keras user sends it.
///
/// - row format: `{"instances": [item, …]}`, each item one sequence of ids (padded to the model's length with
///   leading 0s, as `pad_sequences` does, or not), a text, or an object with one named input holding either;
/// - columnar format: `{"inputs": [item, …]}`, or `{"inputs": {"name": [item, …]}}` with one named input.
///
/// `signature_name` may be given and must be `serving_default`, the only signature. Answered as
/// `{"predictions": [[p], …]}` (rows) or `{"outputs": [[p], …]}` (columns).
struct PredictRequest {
    /// One sequence to score.
    enum Item {
        case text(String)
        /// Ids, leading padding zeros still in.
        case ids([Int])
    }

    var items: [Item]
    /// Whether the request used the columnar format (answered with `outputs`, not `predictions`).
    var isColumnar: Bool

    static func parse(_ body: [UInt8]) throws(ServiceError) -> PredictRequest {
        guard !body.isEmpty else { throw .badRequest("the request body is empty; send {\"instances\": [...]} or {\"inputs\": [...]}") }
        var json = ClassifyRequestParser(body)
        guard json.peek == UInt8(ascii: "{") else {
            try json.skipValue()
            try json.expectEnd()
            throw .badRequest("the body must be a JSON object with instances or inputs")
        }
        var rows: [Item]?
        var columns: [Item]?
        var signature: String?
        var unknown: String?
        try json.container { json, key, _ throws(ServiceError) in
            switch key {
            case "instances": rows = try items(&json, "instances", namedItems: true)
            case "inputs":
                if json.peek == UInt8(ascii: "{") {
                    var count = 0
                    try json.container { json, name, _ throws(ServiceError) in
                        count += 1
                        columns = try items(&json, "inputs.\(name)", namedItems: false)
                    }
                    if count != 1 { throw .badRequest("inputs names \(count) inputs; the model has one") }
                } else {
                    columns = try items(&json, "inputs", namedItems: false)
                }
            case "signature_name":
                guard json.peek == UInt8(ascii: "\"") else { return try json.mismatch("signature_name", "a string") }
                signature = try json.parseString()
            default:
                unknown = unknown ?? key
                try json.skipValue()
            }
        }
        try json.expectEnd()
        if let unknown { throw .badRequest("unknown field '\(unknown)'; send instances or inputs, and optionally signature_name") }
        if let typeError = json.typeError { throw typeError }
        if let signature, signature != "serving_default" {
            throw .badRequest("the model has no signature '\(signature)'; its only signature is serving_default")
        }
        switch (rows, columns) {
        case (let rows?, nil): return PredictRequest(items: rows, isColumnar: false)
        case (nil, let columns?): return PredictRequest(items: columns, isColumnar: true)
        case (nil, nil): throw .badRequest("the body needs instances (row format) or inputs (columnar format)")
        default: throw .badRequest("send instances or inputs, not both")
        }
    }

    /// An array of items; in the row format an item may also be `{"name": item}`.
    private static func items(_ json: inout ClassifyRequestParser, _ field: String, namedItems: Bool) throws(ServiceError) -> [Item]? {
        guard json.peek == UInt8(ascii: "[") else {
            try json.mismatch(field, "an array of id sequences or texts")
            return nil
        }
        var items: [Item] = []
        try json.container { json, _, i throws(ServiceError) in
            if namedItems, json.peek == UInt8(ascii: "{") {
                var count = 0
                try json.container { json, _, _ throws(ServiceError) in
                    count += 1
                    if let item = try item(&json, "\(field)[\(i)]") { items.append(item) }
                }
                if count != 1 { throw .badRequest("\(field)[\(i)] names \(count) inputs; the model has one") }
            } else if let item = try item(&json, "\(field)[\(i)]") {
                items.append(item)
            }
        }
        return items
    }

    /// `[ids…]` or `"text"`.
    private static func item(_ json: inout ClassifyRequestParser, _ field: String) throws(ServiceError) -> Item? {
        switch json.peek {
        case UInt8(ascii: "\""): return .text(try json.parseString())
        case UInt8(ascii: "["):
            var ids: [Int] = []
            try json.container { json, _, j throws(ServiceError) in
                if let id = try json.parseID("\(field)[\(j)]", "an integer id") { ids.append(id) }
            }
            return .ids(ids)
        default:
            try json.mismatch(field, "an array of integer ids or a text")
            return nil
        }
    }
}
