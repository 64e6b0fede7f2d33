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

    /// Arms a loop timer if the applicable deadline is earlier than the armed one; idle connections cost no wake-ups.
    func updateTimer() {
        guard phase != .closed else { return }
        if parser.isReadingHead { bodyStartedAt = nil }
        // Every request moves the idle deadline later, and the loop's timers cannot move. So arm only for an earlier
        // deadline: when an armed timer fires, `timerFired` re-reads the current deadline and arms again if it has
        // not passed. No deadline: the armed one finds nothing.
        guard let deadline = currentTimeout?.deadline else { return }
        if let armedDeadline, armedDeadline <= deadline { return }
        armedDeadline = deadline
        loop.schedule(self, at: deadline)
    }

    /// Called by the loop when a timer of this connection comes due; timers it has since replaced are ignored.
    func timerFired(deadline: UInt64) {
        guard armedDeadline?.uptimeNanoseconds == deadline else { return }
        armedDeadline = nil
        guard let (kind, deadline) = currentTimeout else { return }
        guard deadline <= .now() else {
            updateTimer()
            return
        }
        switch kind {
        case .header:
            refuse(.headTimeout)
        case .body:
            refuse(.bodyTimeout)
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

    /// Deregisters from the loop and closes the descriptor. Idempotent.
    func close() {
        guard phase != .closed else { return }
        phase = .closed
        earlyResponses = [:]
        writeBuffer = []
        writeOffset = 0
        armedDeadline = nil
        loop.deregister(self)
        socket.close()
        onClose(id)
    }
}
