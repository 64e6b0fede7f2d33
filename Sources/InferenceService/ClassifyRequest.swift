import Foundation

/// The body of `POST /classify`: exactly one of four shapes.
///
/// - `{"text": "…"}` — one review;
/// - `{"texts": ["…", …]}` — a batch of reviews;
/// - `{"tokens": [1, 14, 22, …]}` — one review as model ids (start id included, unpadded);
/// - `{"tokens": [[…], […]]}` — a batch of id sequences.
enum ClassifyRequest: Equatable {
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

    /// Parses a request body, with a message that says what is wrong with a bad one.
    static func parse(_ body: [UInt8]) throws(ServiceError) -> ClassifyRequest {
        guard !body.isEmpty else { throw .badRequest("the request body is empty; send a JSON object such as {\"text\": \"…\"}") }
        do {
            return try JSONDecoder().decode(Shape.self, from: Data(body)).request
        } catch let error as ServiceError {
            throw error
        } catch let DecodingError.dataCorrupted(context) where context.codingPath.isEmpty {
            throw .badRequest("the body is not valid JSON")
        } catch let DecodingError.typeMismatch(_, context) where context.codingPath.isEmpty {
            throw .badRequest("the body must be a JSON object with one of the fields text, texts or tokens")
        } catch let DecodingError.typeMismatch(type, context), let DecodingError.valueNotFound(type, context) {
            let field = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined()
            throw .badRequest("field \(field) has the wrong type (expected \(Self.name(of: type)))")
        } catch let DecodingError.dataCorrupted(context) {
            let field = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined()
            throw .badRequest("field \(field) is malformed")
        } catch {
            throw .badRequest("the body is not a valid classify request")
        }
    }

    private static func name(of type: Any.Type) -> String {
        switch type {
        case is String.Type: return "a string"
        case is Int.Type: return "an integer"
        default: return "\(type)".lowercased()
        }
    }

    /// The decodable form: checks the field set, then the field's type.
    private struct Shape: Decodable {
        let request: ClassifyRequest

        private struct Key: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: Key.self)
            let keys = container.allKeys.map(\.stringValue)
            let known = ["text", "texts", "tokens"]
            if let unknown = keys.first(where: { !known.contains($0) }) {
                throw ServiceError.badRequest("unknown field '\(unknown)'; use exactly one of text, texts or tokens")
            }
            guard keys.count == 1, let key = keys.first else {
                throw ServiceError.badRequest(keys.isEmpty
                    ? "the body needs one of the fields text, texts or tokens"
                    : "use exactly one of text, texts or tokens, not \(keys.sorted().joined(separator: " and "))")
            }
            let codingKey = Key(stringValue: key)
            switch key {
            case "text":
                request = .text(try container.decode(String.self, forKey: codingKey))
            case "texts":
                request = .texts(try container.decode([String].self, forKey: codingKey))
            default:
                if let single = try? container.decode([Int].self, forKey: codingKey) {
                    request = .tokens(single)
                } else if let batch = try? container.decode([[Int]].self, forKey: codingKey) {
                    request = .tokenBatch(batch)
                } else {
                    throw ServiceError.badRequest("field tokens must be an array of integer ids or an array of such arrays")
                }
            }
        }
    }
}
