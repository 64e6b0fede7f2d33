import Dispatch
import Glibc
import HTTP1
import HTTPServerCore
import TestSupport
import Testing

@Suite("HTTPServer: lifecycle and connection limits", .serialized)
struct LifecycleTests {
    @Test func start_Twice_IsAnIllegalTransition() throws {
        try withServer { server, port in
            #expect(port > 0)
            #expect(server.isRunning)
            #expect(throws: HTTPServerError.self) { try server.start() }
        }
    }

    @Test func stop_BeforeStart_CompletesAtOnce() {
        let server = HTTPServer(handler: StubHandler(), logger: quietLogger)
        #expect(server.stopAndWait(drainTimeout: .seconds(1)))
        #expect(throws: HTTPServerError.self) { try server.start() }
    }

    @Test func maxConnections_RejectsTheExtraConnection() throws {
        var configuration = HTTPServer.Configuration()
        configuration.maxConnections = 2
        try withServer(configuration) { _, port in
            let clients = try (0..<2).map { _ in try RawHTTPClient(port: port) }
            for client in clients {
                try client.send("GET /text HTTP/1.1\r\nHost: t\r\n\r\n")
                #expect(try client.readResponse().status == 200)
            }
            let extra = try RawHTTPClient(port: port)
            let response = try extra.readResponse()
            #expect(response.status == 503 && response.header("Connection") == "close")
            #expect(extra.isClosedByServer())
        }
    }

    /// What `lstm_serve_http_connections_open` reads at a scrape: accepted and not yet closed.
    @Test func openConnectionCount_FollowsConnectionsOpeningAndClosing() throws {
        try withServer { server, port in
            #expect(server.openConnectionCount == 0)
            let clients = try (0..<2).map { _ in try RawHTTPClient(port: port) }
            for client in clients {
                try client.send("GET /text HTTP/1.1\r\nHost: t\r\n\r\n")
                #expect(try client.readResponse().status == 200)
            }
            #expect(server.openConnectionCount == 2)
            clients[0].reset()
            #expect(poll(for: .seconds(5)) { server.openConnectionCount == 1 }, "the reset connection was still counted after 5 s")
        }
    }

    @Test func maxConnections_SlotIsFreed_WhenAClientResetsWhileItsHandlerWorks() throws {
        var configuration = HTTPServer.Configuration()
        configuration.maxConnections = 1
        let handler = GatedHandler(StubHandler(), holding: "/hold")
        try withServer(configuration, handler: handler) { _, port in
            // `Connection: close` stops reading, so only the reset itself (a hang-up) tells the server.
            let first = try RawHTTPClient(port: port)
            try first.send("GET /hold HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
            try #require(handler.waitUntilReceived(), "the held request never reached the handler")
            first.reset()
            // Nothing tells a client when the server has seen the reset, so poll (bounded) for the freed slot.
            let freed = try poll(every: .milliseconds(20), for: .seconds(5)) {
                let second = try RawHTTPClient(port: port)
                try second.send("GET /text HTTP/1.1\r\nHost: t\r\n\r\n")
                return (try? second.readResponse().status) == 200
            }
            #expect(freed, "the reset connection still held the only slot after 5 s")
            handler.release()  // The held request's answer now has no connection to go to.
        }
    }

    @Test func stop_DrainsAnInFlightRequest_ThenCloses() throws {
        var configuration = HTTPServer.Configuration()
        configuration.host = "127.0.0.1"
        configuration.port = 0
        // One I/O thread: the drain reaches both connections, in the order `stop` queued it, before the release's response.
        configuration.ioThreadCount = 1
        let handler = GatedHandler(StubHandler(), holding: "/hold")
        let server = HTTPServer(configuration: configuration, handler: handler, logger: quietLogger)
        try server.start()
        let port = server.localPort
        let busy = try RawHTTPClient(port: port)
        let idle = try RawHTTPClient(port: port)
        try idle.send("GET /text HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(try idle.readResponse().status == 200)
        try #require(handler.waitUntilReceived(), "the idle connection's request never reached the handler")
        try busy.send("GET /hold HTTP/1.1\r\nHost: t\r\n\r\n")
        try #require(handler.waitUntilReceived(), "the held request never reached the handler")

        let stopped = DispatchSemaphore(value: 0)
        server.stop(drainTimeout: .seconds(5)) { stopped.signal() }
        #expect(idle.isClosedByServer())
        handler.release()
        let response = try busy.readResponse()
        #expect(response.status == 200 && response.text == "/hold")
        #expect(response.header("Connection") == "close")
        #expect(busy.isClosedByServer())
        #expect(stopped.wait(timeout: .now() + 5) == .success, "the server did not report itself stopped")
        #expect(throws: RawHTTPClientError.self) { try RawHTTPClient(port: port) }
    }

    @Test func stop_EndsTheIOThreads() throws {
        var configuration = HTTPServer.Configuration()
        configuration.host = "127.0.0.1"
        configuration.port = 0
        configuration.ioThreadCount = 3
        let server = HTTPServer(configuration: configuration, handler: StubHandler(), logger: quietLogger)
        try server.start()
        let port = server.localPort
        let client = try RawHTTPClient(port: port)
        try client.send("GET /text HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(try client.readResponse().status == 200)
        #expect(ioThreads(port: port).count == 3)

        #expect(server.stopAndWait(drainTimeout: .seconds(1)))
        // A loop thread exits right after the task that stops it, and nothing signals its exit: poll (bounded).
        #expect(poll(for: .seconds(5)) { ioThreads(port: port).isEmpty }, "I/O threads still running: \(ioThreads(port: port))")
    }

    @Test func droppingARunningServer_ClosesItsConnectionsListenerAndThreads() throws {
        var configuration = HTTPServer.Configuration()
        configuration.host = "127.0.0.1"
        configuration.port = 0
        var server: HTTPServer? = HTTPServer(configuration: configuration, handler: StubHandler(), logger: quietLogger)
        try server?.start()
        let port = server?.localPort ?? 0
        let client = try RawHTTPClient(port: port)
        #expect(try client.exchange("GET /text HTTP/1.1\r\nHost: t\r\n\r\n").status == 200)

        server = nil
        #expect(client.isClosedByServer())
        // The listener closes and the threads exit as the server winds down, which nothing signals: poll (bounded).
        #expect(poll(for: .seconds(5)) { (try? RawHTTPClient(port: port)) == nil }, "the listener still accepts")
        #expect(poll(for: .seconds(5)) { ioThreads(port: port).isEmpty }, "I/O threads still running: \(ioThreads(port: port))")
    }

    @Test func stop_ForceClosesAfterTheDrainTimeout() throws {
        var configuration = HTTPServer.Configuration()
        configuration.host = "127.0.0.1"
        configuration.port = 0
        let handler = GatedHandler(StubHandler(), holding: "/hold")
        let server = HTTPServer(configuration: configuration, handler: handler, logger: quietLogger)
        try server.start()
        let client = try RawHTTPClient(port: server.localPort)
        try client.send("GET /hold HTTP/1.1\r\nHost: t\r\n\r\n")
        try #require(handler.waitUntilReceived(), "the held request never reached the handler")
        let clock = ContinuousClock()
        let start = clock.now
        #expect(server.stopAndWait(drainTimeout: .milliseconds(200)), "the server did not report itself stopped")
        #expect(start.duration(to: clock.now) < .seconds(2))
        #expect(client.isClosedByServer())
        handler.release()  // Never answered in time: the request was still held when the drain ended.
    }
}

/// The server's I/O threads, by the names it gives them (`http<port>-io<index>`).
private func ioThreads(port: Int) -> [String] {
    threadNames().filter { $0.hasPrefix("http\(port)-io") }
}

/// The names of this process's threads, from `/proc/self/task/*/comm`.
private func threadNames() -> [String] {
    guard let directory = opendir("/proc/self/task") else { return [] }
    defer { closedir(directory) }
    var names: [String] = []
    while let entry = readdir(directory) {
        let task = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        guard task.first?.isNumber == true, let file = fopen("/proc/self/task/\(task)/comm", "r") else { continue }
        defer { fclose(file) }
        var line = [CChar](repeating: 0, count: 64)
        if fgets(&line, Int32(line.count), file) != nil {
            names.append(String(decoding: line.prefix { $0 != 0 && $0 != 10 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
    }
    return names
}
