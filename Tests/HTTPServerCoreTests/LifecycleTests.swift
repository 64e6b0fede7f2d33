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

    @Test func maxConnections_SlotIsFreed_WhenAClientResetsWhileItsHandlerWorks() throws {
        var configuration = HTTPServer.Configuration()
        configuration.maxConnections = 1
        try withServer(configuration) { _, port in
            // `Connection: close` stops reading, so only the reset itself (a hang-up) tells the server.
            let first = try RawHTTPClient(port: port)
            try first.send("GET /delay?ms=3000 HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
            usleep(50_000)
            first.reset()
            var status = 0
            for _ in 0..<20 where status != 200 {
                usleep(50_000)
                let second = try RawHTTPClient(port: port)
                try second.send("GET /text HTTP/1.1\r\nHost: t\r\n\r\n")
                status = (try? second.readResponse().status) ?? 0
            }
            #expect(status == 200, "the reset connection still held the only slot after a second")
        }
    }

    @Test func stop_DrainsAnInFlightRequest_ThenCloses() throws {
        var configuration = HTTPServer.Configuration()
        configuration.host = "127.0.0.1"
        configuration.port = 0
        let server = HTTPServer(configuration: configuration, handler: StubHandler(), logger: quietLogger)
        try server.start()
        let port = server.localPort
        let busy = try RawHTTPClient(port: port)
        let idle = try RawHTTPClient(port: port)
        try idle.send("GET /text HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(try idle.readResponse().status == 200)
        try busy.send("GET /delay?ms=300 HTTP/1.1\r\nHost: t\r\n\r\n")
        usleep(50_000)

        let stopped = DispatchSemaphore(value: 0)
        server.stop(drainTimeout: .seconds(5)) { stopped.signal() }
        #expect(idle.isClosedByServer())
        let response = try busy.readResponse()
        #expect(response.status == 200 && response.text == "/delay?ms=300")
        #expect(response.header("Connection") == "close")
        #expect(busy.isClosedByServer())
        #expect(stopped.wait(timeout: .now() + 5) == .success)
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
        // A loop thread exits right after the task that stops it, so allow it a moment.
        var remaining = ioThreads(port: port)
        for _ in 0..<100 where !remaining.isEmpty {
            usleep(10_000)
            remaining = ioThreads(port: port)
        }
        #expect(remaining.isEmpty)
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
        var listening = true
        var threads = [""]
        for _ in 0..<100 where listening || !threads.isEmpty {
            listening = (try? RawHTTPClient(port: port)) != nil
            threads = ioThreads(port: port)
            if listening || !threads.isEmpty { usleep(10_000) }
        }
        #expect(!listening)
        #expect(threads.isEmpty)
    }

    @Test func stop_ForceClosesAfterTheDrainTimeout() throws {
        var configuration = HTTPServer.Configuration()
        configuration.host = "127.0.0.1"
        configuration.port = 0
        let server = HTTPServer(configuration: configuration, handler: StubHandler(), logger: quietLogger)
        try server.start()
        let client = try RawHTTPClient(port: server.localPort)
        try client.send("GET /delay?ms=3000 HTTP/1.1\r\nHost: t\r\n\r\n")
        usleep(50_000)
        let clock = ContinuousClock()
        let start = clock.now
        #expect(server.stopAndWait(drainTimeout: .milliseconds(200)))
        #expect(start.duration(to: clock.now) < .seconds(2))
        #expect(client.isClosedByServer())
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
