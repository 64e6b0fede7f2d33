// hummingbird-echo: the "framework's model-less JSON echo" baseline.
//
//   POST /classify  {"text": "..."}  -> decodes the body as JSON (so the JSON work is counted),
//                                       answers a fixed result, header X-Batch-Size: 1
//   GET  /healthz                    -> {"status":"ok"}
//
// Usage: hummingbird-echo [--host 127.0.0.1] [--port 18183]
import HTTPTypes
import Hummingbird
import Logging

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

struct ClassifyRequest: Decodable {
    let text: String
}

var host = "127.0.0.1"
var port = 18183
var arguments = CommandLine.arguments.dropFirst().makeIterator()
while let argument = arguments.next() {
    switch argument {
    case "--host": host = arguments.next() ?? host
    case "--port": port = arguments.next().flatMap { Int($0) } ?? port
    default:
        print("usage: hummingbird-echo [--host HOST] [--port PORT]")
        exit(2)
    }
}

let classifyBody = #"{"label":"positive","score":0.5,"tokens":1,"truncated":false,"model":{"name":"echo","sha256":"none"}}"#
let healthBody = #"{"status":"ok"}"#

func jsonResponse(_ body: String, batchSize: Bool = false) -> Response {
    var headers: HTTPFields = [.contentType: "application/json"]
    if batchSize, let name = HTTPField.Name("X-Batch-Size") { headers[name] = "1" }
    return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
}

let router = Router()
router.post("classify") { request, context -> Response in
    _ = try await request.decode(as: ClassifyRequest.self, context: context)
    return jsonResponse(classifyBody, batchSize: true)
}
router.get("healthz") { _, _ -> Response in
    jsonResponse(healthBody)
}

var logger = Logger(label: "hummingbird-echo")
logger.logLevel = .warning
let app = Application(
    router: router,
    configuration: .init(address: .hostname(host, port: port), serverName: "hummingbird-echo"),
    logger: logger
)
// write(2) rather than print: stdout is block-buffered when redirected, and the line must show now
let banner = "hummingbird-echo listening on \(host):\(port)\n"
_ = banner.withCString { write(1, $0, strlen($0)) }
try await app.runService()
