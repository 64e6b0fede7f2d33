extension InferenceService {
    /// `GET /openapi.json`: the OpenAPI 3.1 document of every route, kept beside the code (`openapi.json`) and
    /// compiled in, so the binary needs no resource files.
    static let openAPIDocument: [UInt8] = PackageResources.openapi_json
}
