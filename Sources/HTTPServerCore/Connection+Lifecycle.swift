import HTTP1
import Logging

extension Connection {
    /// What the connection waits for, as far as its timeouts go.
    var waitingFor: ConnectionTimer.Wait {
        switch phase {
        case .closed:
            return .nothing
        case .handshaking:
            return .handshake
        case .lingering:
            return .linger
        case .open, .closingAfterWrite:
            if pendingWriteBytes > 0 { return .write }
            guard awaiting.isEmpty, phase == .open else { return .nothing }  // a handler works, or the last response is written
            if parser.isIdle { return .nextRequest }
            return parser.isReadingHead ? .head : .body
        }
    }

    /// Arms a loop timer if the applicable deadline is earlier than the armed one; idle connections cost no wake-ups.
    func updateTimer() {
        guard phase != .closed else { return }
        if case .arm(let deadline) = timer.update(waitingFor, now: clock.now()) {
            loop.schedule(self, at: deadline)
        }
    }

    /// Called by the loop when a timer of this connection comes due; carries out what ``ConnectionTimer`` decides.
    func timerFired(deadline: UInt64) {
        switch timer.timerFired(deadline: deadline, waitingFor: waitingFor, now: clock.now()) {
        case .none:
            return
        case .arm(let next):
            loop.schedule(self, at: next)
        case .refuse(let refusal):
            refuse(refusal)
        case .close(let kind):
            logger.trace("closing connection", metadata: ["connection": "\(id)", "reason": "\(kind) timeout"])
            close()
        }
    }

    /// Shuts down the write side and discards input until the client closes, so unread bytes cannot make the
    /// kernel reset the connection before the client has read the response (RFC 9112 §9.6).
    func beginLinger() {
        guard phase != .closed, phase != .lingering else { return }
        tls?.shutdown()
        socket.shutdownWrite()
        phase = .lingering
        timer.lingerStarted(at: clock.now())
        if peerClosed {
            close()
        } else {
            updateInterest()
        }
    }

    /// Stops taking new requests because the server is stopping. A request that has started to arrive is still
    /// read to its end and answered, and requests already buffered behind it too; the last response carries
    /// `Connection: close`. A connection with nothing started and nothing owed closes at once.
    func beginDrain() {
        guard phase != .closed else { return }
        draining = true
        if phase == .lingering {
            close()
        } else if awaiting.isEmpty && pendingWriteBytes == 0 && !requestInProgress {
            close()
        } else {
            processInput()
        }
    }

    /// Whether bytes of a request that has not been dispatched yet have arrived: its head or body is being read.
    var requestInProgress: Bool { !parser.isIdle }

    /// Deregisters from the loop and closes the descriptor. Idempotent.
    func close() {
        guard phase != .closed else { return }
        phase = .closed
        earlyResponses = [:]
        writeBuffer = []
        writeOffset = 0
        timer.closed()
        loop.deregister(self)
        socket.close()
        onClose(id)
    }
}
