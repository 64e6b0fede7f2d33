import HTTP1
import Logging

extension Connection {
    /// Above this many unsent bytes the connection stops reading requests until the client catches up: 1 MiB.
    static let maxPendingWriteBytes = 1 << 20

    var pendingWriteBytes: Int { writeBuffer.count - writeOffset }

    /// Accepts a handler's response and writes every response that is now due, in request order.
    /// Duplicate or late calls (after close) are ignored.
    func deliver(_ response: HTTPResponse, sequence: UInt64) {
        guard phase == .open || phase == .closingAfterWrite,
            awaiting.contains(where: { $0.sequence == sequence }), earlyResponses[sequence] == nil
        else { return }
        earlyResponses[sequence] = response
        while let first = awaiting.first, let due = earlyResponses.removeValue(forKey: first.sequence) {
            awaiting.removeFirst()
            write(due, for: first)
        }
        if phase == .open {
            processInput()
        }
        updateTimer()
    }

    /// Encodes and queues one response; decides whether the connection stays open after it.
    private func write(_ response: HTTPResponse, for request: Awaiting) {
        var response = response
        response.headers.replaceOrAdd(name: RequestID.header, value: request.requestID)
        // Close after this response if the request asked for it, or if it is the last one owed while the client has
        // half-closed, or while the server drains (or has announced it will) and no further request has started.
        let stopping = draining || shutdownNotice.isAnnounced
        let keepAlive = request.keepAlive && !((peerClosed || (stopping && !requestInProgress)) && awaiting.isEmpty)
        let bytes = ResponseEncoder.encode(
            response, requestMethod: request.method, requestVersion: request.version, keepAlive: keepAlive, date: loop.httpDate())
        if !keepAlive {
            stopParsing = true
            phase = .closingAfterWrite
        }
        timer.responseWritten(at: clock.now())
        let level = configuration.accessLogLevel
        if logger.logLevel <= level {
            let milliseconds = request.startedAt.duration(to: .now).milliseconds
            var metadata: Logger.Metadata = [
                "duration_ms": "\((milliseconds * 1000).rounded() / 1000)", "connection": "\(id)", "remote": "\(remoteAddress)",
                "request_id": "\(request.requestID)", "method": "\(request.method?.rawValue ?? "-")", "path": "\(request.path)",
                "status": "\(response.status.code)",
            ]
            for (name, key) in accessLogHeaderKeys {
                if let value = response.headers[name] { metadata[key] = "\(value)" }
            }
            logger.log(level: level, "\(request.method?.rawValue ?? "-") \(request.path) \(response.status.code)", metadata: metadata)
        }
        enqueueWrite(bytes)
    }

    /// Sends `bytes` now if nothing is queued, keeping whatever the kernel did not take until the socket is writable.
    func enqueueWrite(_ bytes: [UInt8]) {
        guard phase != .closed && phase != .lingering else { return }
        guard pendingWriteBytes == 0 else {
            // Drop what was sent once it is at least half the buffer, so memory stays within twice what is unsent
            // (which `maxPendingWriteBytes` bounds) at a copying cost linear in the bytes written.
            if writeOffset >= writeBuffer.count / 2 {
                writeBuffer.removeFirst(writeOffset)
                writeOffset = 0
            }
            writeBuffer.append(contentsOf: bytes)
            return
        }
        writeBuffer = bytes
        writeOffset = 0
        timer.writeProgressed(at: clock.now())
        flush()
    }

    /// Writes as much of the queue as the socket takes; on EAGAIN waits until the socket is writable.
    func flush() {
        while pendingWriteBytes > 0 {
            let result = writeBuffer.withUnsafeBytes { bytes in
                let pending = UnsafeRawBufferPointer(rebasing: bytes[writeOffset...])
                return tls == nil ? socket.write(pending) : writeTLS(pending)
            }
            switch result {
            case .sent(let count):
                writeOffset += count
                timer.writeProgressed(at: clock.now())
            case .wouldBlock:
                updateInterest()
                return
            case .failed(let code):
                // EPIPE and ECONNRESET are a client that went away: not worth more than a debug line.
                logger.debug("write failed", metadata: ["connection": "\(id)", "errno": "\(code)"])
                close()
                return
            }
        }
        writeBuffer = []
        writeOffset = 0
        if phase == .closingAfterWrite && awaiting.isEmpty {
            beginLinger()
        } else if peerClosed && awaiting.isEmpty {
            close()
        } else {
            updateInterest()
        }
    }

    /// Tells the loop what the connection currently wants to hear about: reads while it takes requests (or drains
    /// input while lingering), writes while bytes wait for socket space.
    func updateInterest() {
        guard phase != .closed else { return }
        let wantsRead: Bool
        switch phase {
        case .open:
            wantsRead =
                !stopParsing && !peerClosed && awaiting.count < configuration.maxPipelinedRequests
                && pendingWriteBytes < Self.maxPendingWriteBytes
        case .lingering:
            wantsRead = !peerClosed
        case .closingAfterWrite, .closed:
            wantsRead = false
        case .handshaking:
            return  // the handshake sets what it waits for
        }
        var wanted: IOLoop.Interest = wantsRead ? .read : []
        if pendingWriteBytes > 0 || tlsReadWantsWrite { wanted.insert(.write) }
        watch(wanted)
        // Reading resumed with decrypted bytes already inside the session: epoll will not report them.
        if wantsRead, let tls, tls.hasBufferedInput { readBufferedTLSInput() }
    }

    /// Tells the loop to report `wanted` for the socket (if that changes anything), then updates the timer.
    func watch(_ wanted: IOLoop.Interest) {
        if wanted != interest {
            do {
                try loop.update(self, interest: wanted)
                interest = wanted
            } catch {
                logger.warning("cannot watch connection", metadata: ["connection": "\(id)", "error": "\(error)"])
                close()
                return
            }
        }
        updateTimer()
    }
}
