/// A request path resolved to its route template and, on the per-model routes, the model and version it names.
///
/// The paths: `/v1/models/{name}[/versions/{v}]` (info, with TF Serving's status), the same with `:predict` (TF
/// Serving), and `/v2/models/{name}[/versions/{v}][/ready|/infer]` (Open Inference Protocol). Names and versions are
/// compared as sent, not percent-decoded: served names are limited to letters, digits, `.`, `_` and `-`.
struct RoutedPath {
    let route: Route
    /// The model name in the path, on a per-model route.
    let model: Substring?
    /// The version in the path, when it has `/versions/{v}`.
    let version: Substring?

    private init(_ route: Route, model: Substring? = nil, version: Substring? = nil) {
        self.route = route
        self.model = model
        self.version = version
    }

    init(_ path: String) {
        switch path {
        case "/classify": self.init(.classify)
        case "/": self.init(.playground)
        case "/healthz": self.init(.healthz)
        case "/readyz": self.init(.readyz)
        case "/metrics": self.init(.metrics)
        case "/v1/models": self.init(.models)
        case "/openapi.json": self.init(.openAPI)
        case "/v2": self.init(.v2Server)
        case "/v2/health/live": self.init(.v2Live)
        case "/v2/health/ready": self.init(.v2Ready)
        case _ where path.hasPrefix("/v2/models/"): self = Self.openInference(path.dropFirst("/v2/models/".count))
        case _ where path.hasPrefix("/v1/models/"): self = Self.tfServing(path.dropFirst("/v1/models/".count))
        default: self.init(.other)
        }
    }

    /// `{name}[/versions/{v}][/ready|/infer]`. A path under `/v2/models/` that names no model this way still takes
    /// its route (by its ending), with no model: it is that route's 404, in its protocol's error shape.
    private static func openInference(_ rest: Substring) -> RoutedPath {
        var rest = rest
        var route = Route.v2Model
        for (suffix, suffixRoute) in [("/ready", Route.v2ModelReady), ("/infer", .v2Infer)] where rest.hasSuffix(suffix) {
            rest = rest.dropLast(suffix.count)
            route = suffixRoute
        }
        let (name, version) = nameAndVersion(rest.split(separator: "/", omittingEmptySubsequences: false)) ?? (nil, nil)
        return RoutedPath(route, model: name, version: version)
    }

    /// `{name}[/versions/{v}][:predict]`, likewise.
    private static func tfServing(_ rest: Substring) -> RoutedPath {
        var rest = rest
        var route = Route.model
        if rest.hasSuffix(":predict") {
            rest = rest.dropLast(":predict".count)
            route = .tfPredict
        }
        let (name, version) = nameAndVersion(rest.split(separator: "/", omittingEmptySubsequences: false)) ?? (nil, nil)
        return RoutedPath(route, model: name, version: version)
    }

    /// `[name]` or `[name, "versions", v]`, neither empty.
    private static func nameAndVersion(_ parts: [Substring]) -> (Substring?, Substring?)? {
        switch parts.count {
        case 1 where !parts[0].isEmpty: (parts[0], nil)
        case 3 where !parts[0].isEmpty && parts[1] == "versions" && !parts[2].isEmpty: (parts[0], parts[2])
        default: nil
        }
    }
}
