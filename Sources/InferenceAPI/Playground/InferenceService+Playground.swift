import HTTP1

extension InferenceService {
    /// `GET /` and `HEAD /`: the playground page (``PlaygroundPage``).
    func playground(_ request: HTTPRequest) throws(ServiceError) -> HTTPResponse {
        let allowed: [HTTPMethod] = [.GET, .HEAD]
        guard allowed.contains(request.method) else { throw .methodNotAllowed(request.method, allowed: allowed) }
        return PlaygroundPage.response
    }
}
