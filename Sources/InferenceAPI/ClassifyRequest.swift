/// The input of a `POST /classify` body: exactly one of four shapes.
///
/// - `{"text": "…"}` — one review;
/// - `{"texts": ["…", …]}` — a batch of reviews;
/// - `{"tokens": [1, 14, 22, …]}` — one review as model ids (start id included, unpadded);
/// - `{"tokens": [[…], […]]}` — a batch of id sequences.
///
/// The body may also hold the ``ClassifyOptions``: `"model"` and `"explain"`.
package enum ClassifyRequest: Equatable {
    case text(String)
    case texts([String])
    case tokens([Int])
    case tokenBatch([[Int]])

    /// Whether the response holds a `results` array rather than one result.
    var isBatch: Bool {
        switch self {
        case .text, .tokens: return false
        case .texts, .tokenBatch: return true
        }
    }

    /// The texts of a text request, nil for token ids.
    var texts: [String]? {
        switch self {
        case .text(let text): return [text]
        case .texts(let texts): return texts
        case .tokens, .tokenBatch: return nil
        }
    }

    /// Parses a request body, with a message that says what is wrong with a bad one.
    ///
    /// The JSON is read strictly (RFC 8259) by `ClassifyRequestParser`, in one pass. Errors come in this order:
    /// invalid JSON (thrown at once), top level not an object, then the field set (an unknown field, a duplicate
    /// field, none or several of text/texts/tokens), then the type of the one field. A type error is only recorded
    /// by the parser so that the rest of the body is still checked for the errors that come first.
    package static func parse(_ body: [UInt8]) throws(ServiceError) -> ClassifyRequest {
        var options = ClassifyOptions()
        return try parse(body, options: &options)
    }

    /// Parses a request body and the options it sets beside its input.
    static func parse(_ body: [UInt8], options: inout ClassifyOptions) throws(ServiceError) -> ClassifyRequest {
        guard !body.isEmpty else { throw .badRequest("the request body is empty; send a JSON object such as {\"text\": \"…\"}") }
        var json = ClassifyRequestParser(body)
        guard json.peek == UInt8(ascii: "{") else {
            try json.skipValue()
            try json.expectEnd()
            throw .badRequest("the body must be a JSON object with one of the fields text, texts or tokens")
        }
        var keys: [String] = []
        var unknown: String?
        var duplicate: String?
        var request: ClassifyRequest?
        try json.container { json, key, _ throws(ServiceError) in
            guard !keys.contains(key) else {
                duplicate = duplicate ?? key
                return try json.skipValue()
            }
            keys.append(key)
            switch key {
            case "text": request = try text(&json)
            case "texts": request = try texts(&json)
            case "tokens": request = try tokens(&json)
            case "explain": options.explain = try json.parseBool("explain") ?? false
            case "model":
                guard json.peek == UInt8(ascii: "\"") else { return try json.mismatch("model", "a model name") }
                options.model = try json.parseString()
            default:
                unknown = unknown ?? key
                try json.skipValue()
            }
        }
        try json.expectEnd()
        if let unknown {
            throw .badRequest("unknown field '\(unknown)'; use exactly one of text, texts or tokens, and optionally model and explain")
        }
        if let duplicate { throw .badRequest("field \(duplicate) appears more than once; send it exactly once") }
        let inputs = keys.filter { $0 != "explain" && $0 != "model" }
        guard inputs.count == 1 else {
            throw .badRequest(
                inputs.isEmpty
                    ? "the body needs one of the fields text, texts or tokens"
                    : "use exactly one of text, texts or tokens, not \(inputs.sorted().joined(separator: " and "))")
        }
        if let typeError = json.typeError { throw typeError }
        guard let request else { throw .badRequest("the body is not a valid classify request") }
        return request
    }

    private static func text(_ json: inout ClassifyRequestParser) throws(ServiceError) -> ClassifyRequest? {
        guard json.peek == UInt8(ascii: "\"") else {
            try json.mismatch("text", "a string")
            return nil
        }
        return .text(try json.parseString())
    }

    private static func texts(_ json: inout ClassifyRequestParser) throws(ServiceError) -> ClassifyRequest? {
        guard json.peek == UInt8(ascii: "[") else {
            try json.mismatch("texts", "an array of strings")
            return nil
        }
        var texts: [String] = []
        var ok = true
        try json.container { json, _, i throws(ServiceError) in
            if !ok { return try json.skipValue() }
            guard json.peek == UInt8(ascii: "\"") else {
                ok = false
                return try json.mismatch("texts[\(i)]", "a string")
            }
            texts.append(try json.parseString())
        }
        return ok ? .texts(texts) : nil
    }

    /// `[1, 14, 22]` or `[[1, 14], [1, 22]]`: the first element decides which.
    private static func tokens(_ json: inout ClassifyRequestParser) throws(ServiceError) -> ClassifyRequest? {
        guard json.peek == UInt8(ascii: "[") else {
            try json.mismatch("tokens", "an array of integer ids or an array of such arrays")
            return nil
        }
        var single: [Int] = []
        var batch: [[Int]] = []
        var isBatch: Bool?
        var ok = true
        try json.container { json, _, i throws(ServiceError) in
            if !ok { return try json.skipValue() }
            let batched = isBatch ?? (json.peek == UInt8(ascii: "["))
            isBatch = batched
            if !batched {
                let id = try json.parseID("tokens[\(i)]", i == 0 ? "an integer id or an array of ids" : "an integer id")
                if let id { single.append(id) } else { ok = false }
            } else if json.peek == UInt8(ascii: "[") {
                var ids: [Int] = []
                try json.container { json, _, j throws(ServiceError) in
                    if !ok { return try json.skipValue() }
                    if let id = try json.parseID("tokens[\(i)][\(j)]", "an integer id") { ids.append(id) } else { ok = false }
                }
                batch.append(ids)
            } else {
                ok = false
                try json.mismatch("tokens[\(i)]", "an array of integer ids")
            }
        }
        guard ok else { return nil }
        return isBatch == true ? .tokenBatch(batch) : .tokens(single)
    }
}

/// What a `POST /classify` body may ask for beside its input.
struct ClassifyOptions: Equatable {
    /// `"explain": true`: each text's result explains its score word by word. Default: false.
    var explain = false
    /// `"model": "name"`: the served model to classify with. Default: nil, the first.
    var model: String?
}
