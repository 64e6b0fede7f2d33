import Batching
import Foundation
import HTTP1
import Telemetry
import Testing

@testable import InferenceAPI

/// The OpenAPI document `GET /openapi.json` serves against what the service serves: every route's paths are in it and
/// every path in it is a route, and every status a battery of requests provokes on an operation is documented there
/// (and every status documented is provoked, or is one of the server's own refusals).
struct OpenAPIDocumentTests {
    static var document: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(InferenceService.openAPIDocument))) as? [String: Any] ?? [:]
    }
    static var paths: [String: [String: Any]] { document["paths"] as? [String: [String: Any]] ?? [:] }

    /// The document's paths of each route: a switch, so a new route does not compile until it is placed here.
    static func documentedPaths(_ route: Route) -> [String] {
        switch route {
        case .classify: ["/classify"]
        case .playground: ["/"]
        case .healthz: ["/healthz"]
        case .readyz: ["/readyz"]
        case .metrics: ["/metrics"]
        case .openAPI: ["/openapi.json"]
        case .models: ["/v1/models"]
        case .model: ["/v1/models/{name}", "/v1/models/{name}/versions/{version}"]
        case .tfPredict: ["/v1/models/{name}:predict", "/v1/models/{name}/versions/{version}:predict"]
        case .v2Server: ["/v2"]
        case .v2Live: ["/v2/health/live"]
        case .v2Ready: ["/v2/health/ready"]
        case .v2Model: ["/v2/models/{name}", "/v2/models/{name}/versions/{version}"]
        case .v2ModelReady: ["/v2/models/{name}/ready", "/v2/models/{name}/versions/{version}/ready"]
        case .v2Infer: ["/v2/models/{name}/infer", "/v2/models/{name}/versions/{version}/infer"]
        case .other: []
        }
    }

    static func concrete(_ template: String, name: String = "stub", version: String = "1") -> String {
        template.replacingOccurrences(of: "{name}", with: name).replacingOccurrences(of: "{version}", with: version)
    }

    @Test func theServedDocumentIsOpenAPI31() throws {
        let response = try exchange(InferenceService(model: StubModel()), .GET, "/openapi.json")
        #expect(response.status == .ok && response.headers["Content-Type"] == "application/json")
        #expect(response.body == InferenceService.openAPIDocument)
        #expect(Self.document["openapi"] as? String == "3.1.0")
    }

    @Test func everyRouteIsDocumentedAndEveryDocumentedPathIsARoute() {
        let routed = Route.allCases.flatMap { route in Self.documentedPaths(route).map { ($0, route) } }
        #expect(Set(routed.map(\.0)) == Set(Self.paths.keys))
        for (template, route) in routed {
            let path = RoutedPath(Self.concrete(template))
            #expect(path.route == route && path.model == (template.contains("{name}") ? "stub" : nil), "\(template) is not routed to \(route)")
            #expect(path.version == (template.contains("{version}") ? "1" : nil), "\(template)")
        }
    }

    /// One request of the battery: the documented path and method it exercises, and what to send.
    struct Probe: CustomStringConvertible {
        var template: String
        var method: HTTPMethod
        var json: String? = nil
        var headers: HTTPHeaders = [:]
        var body: [UInt8]? = nil
        var name = "stub"
        var version = "1"
        var service = Which.plain

        enum Which { case plain, draining, noMetrics, tinyQueue, batchTimeout }
        var description: String { "\(method) \(template) (\(service))" }
    }

    static let texts = #"{"inputs": [{"name": "text", "shape": [2], "datatype": "BYTES", "data": ["a b", "c"]}]}"#
    static var probes: [Probe] {
        var probes: [Probe] = []
        let bodies: [String: (ok: String, bad: String, unprocessable: String?)] = [
            "/classify": (#"{"texts": ["a b", "c"]}"#, #"{"txt": 1}"#, #"{"tokens": [1, 100]}"#),
            "infer": (texts, #"{"inputs": 5}"#, nil),
            "predict": (#"{"instances": [[1, 2], [1, 3]]}"#, #"{"instances": 5}"#, nil),
        ]
        for (template, methods) in paths {
            for method in [HTTPMethod.GET, .POST, .DELETE] {
                let documented = methods[method.rawValue.lowercased()] != nil
                probes.append(Probe(template: template, method: method, json: method == .POST ? "{}" : nil))
                guard documented else { continue }
                if template.contains("{name}") {
                    probes.append(Probe(template: template, method: method, json: method == .POST ? "{}" : nil, name: "nope"))
                }
                if template.contains("{version}") {
                    probes.append(Probe(template: template, method: method, json: method == .POST ? "{}" : nil, version: "9"))
                }
                let key =
                    template == "/classify" ? "/classify" : template.hasSuffix("infer") ? "infer" : template.hasSuffix(":predict") ? "predict" : nil
                if let key, let body = bodies[key] {
                    for json in [body.ok, body.bad] + (body.unprocessable.map { [$0] } ?? []) {
                        probes.append(Probe(template: template, method: .POST, json: json))
                    }
                    probes.append(Probe(template: template, method: .POST, json: body.ok, service: .tinyQueue))
                    probes.append(Probe(template: template, method: .POST, json: body.ok, service: .batchTimeout))
                }
            }
        }
        probes.append(Probe(template: "/classify", method: .POST, headers: ["Content-Type": "text/plain"], body: Array("{}".utf8)))
        probes.append(Probe(template: "/classify", method: .POST, json: #"{"text": "a", "model": "nope"}"#))
        probes.append(Probe(template: "/readyz", method: .GET, service: .draining))
        probes.append(Probe(template: "/v2/health/ready", method: .GET, service: .draining))
        probes.append(Probe(template: "/metrics", method: .GET, service: .noMetrics))
        return probes
    }

    /// The statuses the server itself answers (its refusals, content codings included), which no in-process request
    /// provokes.
    static let refusals: Set<Int> = [400, 408, 413, 415, 431]

    @Test func everyStatusTheServiceAnswersIsDocumented() throws {
        let exporter = MetricsExporter(descriptions: InferenceService.metricDescriptions)
        let plain = InferenceService(model: StubModel(), metrics: exporter.factory, exposition: { exporter.exposition() })
        let draining = InferenceService(model: StubModel(), metrics: exporter.factory, exposition: { exporter.exposition() })
        draining.beginDraining()
        let noMetrics = InferenceService(model: StubModel())
        let tinyQueue = InferenceService(model: StubModel(), configuration: ServiceConfiguration(batching: BatchingConfiguration(maxQueueSize: 1)))
        // A whole batch waits 200 ms to fill, far beyond the 1 ms request timeout: the items expire first.
        let batchTimeout = InferenceService(
            model: StubModel(),
            configuration: ServiceConfiguration(
                batching: BatchingConfiguration(scheduling: .batch, maxBatchDelayMicroseconds: 200_000), requestTimeoutMilliseconds: 1))
        var seen: [String: Set<Int>] = [:]
        for probe in Self.probes {
            let service =
                switch probe.service {
                case .plain: plain
                case .draining: draining
                case .noMetrics: noMetrics
                case .tinyQueue: tinyQueue
                case .batchTimeout: batchTimeout
                }
            var headers = probe.headers
            if probe.json != nil { headers.add(name: "Content-Type", value: "application/json") }
            let target = Self.concrete(probe.template, name: probe.name, version: probe.version)
            let response = try exchange(service, probe.method, target, headers: headers, body: probe.body ?? Array((probe.json ?? "").utf8))
            let status = response.status.code
            let operation = Self.paths[probe.template]?[probe.method.rawValue.lowercased()] as? [String: Any]
            guard let operation else {
                #expect(status == 405, "\(probe) is not documented but answered \(status)")
                let allowed = response.headers["Allow"]?.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? []
                let documented = Set(Self.paths[probe.template]?.keys.map { $0 } ?? [])
                #expect(Set(allowed).subtracting(["head"]) == documented, "\(probe): Allow \(allowed) is not the documented \(documented)")
                continue
            }
            let responses = operation["responses"] as? [String: Any] ?? [:]
            #expect(responses[String(status)] != nil, "\(probe) answered \(status), which the document does not list")
            seen["\(probe.method.rawValue.lowercased()) \(probe.template)", default: []].insert(status)
        }
        for (template, methods) in Self.paths {
            for (method, operation) in methods {
                let documented = Set(((operation as? [String: Any])?["responses"] as? [String: Any] ?? [:]).keys.compactMap { Int($0) })
                let provoked = seen["\(method) \(template)"] ?? []
                let unexplained = documented.subtracting(provoked).subtracting(Self.refusals)
                #expect(unexplained.isEmpty, "\(method) \(template) documents \(unexplained.sorted()) that no probe provoked")
            }
        }
    }
}
