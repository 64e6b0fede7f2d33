import Dispatch
import HTTP1
import Logging

extension Connection {
    /// What the connection's single timer is currently waiting for.
    enum TimeoutKind {
        case header, body, idle, writeStall, linger
    }

    /// The timeout that applies in the current state, or `nil` while a handler is working.
    var currentTimeout: (kind: TimeoutKind, deadline: DispatchTime)? {
        switch phase {
        case .closed:
            return nil
        case .lingering:
            return (.linger, lingerStartedAt + configuration.lingerTimeout.dispatchInterval)
        case .open, .closingAfterWrite:
            if pendingWriteBytes > 0 {
                return (.writeStall, lastWriteProgress + configuration.idleTimeout.dispatchInterval)
            }
            guard awaiting.isEmpty, phase == .open else { return nil }
            if parser.isIdle {
                if requestsStarted == 0 {
                    return (.header, openedAt + configuration.headerReadTimeout.dispatchInterval)
                }
                return (.idle, idleSince + configuration.idleTimeout.dispatchInterval)
            }
            if parser.isReadingHead {
                return (.header, requestStartedAt + configuration.headerReadTimeout.dispatchInterval)
            }
            let started = bodyStartedAt ?? .now()
            bodyStartedAt = started
            return (.body, started + configuration.bodyReadTimeout.dispatchInterval)
        }
    }

    /// Re-arms the one timer if the applicable deadline changed; idle connections cost no wake-ups.
    func updateTimer() {
        guard let timer else { return }
        if parser.isReadingHead { bodyStartedAt = nil }
        // Re-arming a dispatch timer costs a trip through libdispatch's manager thread, and every request moves the
        // idle deadline later. So re-arm only for an earlier deadline: when an armed timer fires, `timerFired`
        // re-reads the current deadline and arms again if it has not passed. No deadline: the armed one finds nothing.
        guard let deadline = currentTimeout?.deadline else { return }
        if let armedDeadline, armedDeadline <= deadline { return }
        armedDeadline = deadline
        timer.schedule(deadline: deadline, repeating: .never)
    }

    func timerFired() {
        armedDeadline = nil
        guard let (kind, deadline) = currentTimeout else { return }
        guard deadline <= .now() else {
            updateTimer()
            return
        }
        switch kind {
        case .header, .body:
            // RFC 9110 §15.5.9: 408 tells the client the server closed an unused or too slow connection.
            refuse(status: .requestTimeout, message: "Request not received in time.", reason: "\(kind) read timeout")
        case .idle, .writeStall, .linger:
            logger.trace("closing connection", metadata: ["connection": "\(id)", "reason": "\(kind) timeout"])
            close()
        }
    }

    /// Shuts down the write side and discards input until the client closes, so unread bytes cannot make the
    /// kernel reset the connection before the client has read the response (RFC 9112 §9.6).
    func beginLinger() {
        guard phase != .closed, phase != .lingering else { return }
        socket.shutdownWrite()
        phase = .lingering
        lingerStartedAt = .now()
        if peerClosed {
            close()
        } else {
            updateInterest()
        }
    }

    /// Stops taking new requests because the server is stopping; an idle connection closes at once.
    func beginDrain() {
        guard phase != .closed else { return }
        draining = true
        stopParsing = true
        if awaiting.isEmpty && pendingWriteBytes == 0 {
            // Nothing owed: an idle connection has no unread input to protect, so it closes at once.
            parser.bufferedByteCount == 0 || phase == .lingering ? close() : beginLinger()
        } else {
            updateInterest()
        }
    }

    /// Cancels every source; the descriptor is closed by the last cancel handler. Idempotent.
    func close() {
        guard phase != .closed else { return }
        phase = .closed
        earlyResponses = [:]
        writeBuffer = []
        for source in [readSource as (any DispatchSourceProtocol)?, writeSource, timer].compactMap({ $0 }) {
            source.cancel()
        }
        if readSuspended { readSource?.resume() }
        if writeSuspended { writeSource?.resume() }
        readSuspended = false
        writeSuspended = false
    }

    /// Counts down cancelled sources; closes the descriptor once no source can touch it.
    func sourceCancelled() {
        liveSources -= 1
        guard liveSources == 0 else { return }
        readSource = nil
        writeSource = nil
        timer = nil
        socket.close()
        onClose(id)
    }
}
