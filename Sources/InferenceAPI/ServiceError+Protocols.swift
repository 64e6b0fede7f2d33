import HTTP1

extension ServiceError {
    /// 404 for a model name no model is served under.
    static func modelNotFound(_ name: String) -> ServiceError {
        ServiceError(status: .notFound, code: "not_found", message: "no model named '\(name)' is served")
    }

    /// The response for this error on `route`: the Open Inference Protocol and TF Serving routes answer in their
    /// protocols' shape, `{"error": "message"}` (what their clients read), every other route in the API's
    /// `{"error": {"code", "message"}}`. Status and headers are the same either way.
    func response(for route: Route) -> HTTPResponse {
        guard route.hasPlainErrors else { return response }
        var writer = JSONWriter()
        writer.object { $0.field("error", message) }
        var response = HTTPResponse(status: status, contentType: "application/json", body: writer.line())
        for (name, value) in headers { response.headers.add(name: name, value: value) }
        return response
    }
}
