import HTTP1

/// The timeouts of one connection as a pure state machine: events bring the time in, actions come out.
///
/// A connection has one loop timer at a time, for the timeout that applies to what it waits for (``Wait``):
/// - header (``HTTPServer/Configuration/headerReadTimeout``): while nothing of the first request has arrived, from
///   the connection opening; once part of a head is buffered, from its first byte (bytes that arrived behind a
///   pipelined request count from that request's dispatch). Expiry refuses with 408.
/// - body (``HTTPServer/Configuration/bodyReadTimeout``): from the first time the connection waits for it, that is
///   when its head is complete and no earlier response is owed. Expiry refuses with 408.
/// - idle (``HTTPServer/Configuration/idleTimeout``): between requests, from the last response written. Expiry closes.
/// - write stall (also `idleTimeout`): while response bytes wait for the client, from the last write that made
///   progress. Expiry closes.
/// - linger (``HTTPServer/Configuration/lingerTimeout``): after the write side is shut down. Expiry closes.
///
/// - handshake (``HTTPServer/Configuration/tlsHandshakeTimeout``), TLS only: from the connection opening until its
///   handshake completes. Expiry closes (no HTTP can be spoken yet). The first request's header timeout still
///   counts from the opening, so the handshake and the first head together stay within it too.
///
/// While a handler works on a request and nothing waits to be written, no timeout runs.
///
/// The loop's timer heap cannot move an entry, so ``update(_:now:)`` asks for a timer only when the deadline moves
/// earlier than the armed one; when the armed one fires after the deadline moved later, ``timerFired(deadline:waitingFor:now:)``
/// asks for a timer at the new deadline.
///
/// It reads no clock and touches no socket: instants are nanoseconds of the loop's ``LoopClock``, passed in. The
/// `now` arguments are autoclosures, read only when a decision needs the time.
///
/// Threading: a value owned by one connection, used on its loop's thread.
struct ConnectionTimer {
    /// What the connection waits for, as far as its timeouts go; ``Connection`` derives it from its own state.
    enum Wait: Equatable, Sendable {
        /// Closed, or a handler works on a request and nothing waits to be written: no timeout.
        case nothing
        /// Nothing buffered between requests: the header timeout before the first request, the idle timeout after.
        case nextRequest
        /// Part of a request head is buffered.
        case head
        /// A complete head is buffered and its body is not.
        case body
        /// Response bytes wait for the client to read them.
        case write
        /// The write side is shut down; input is discarded until the client closes.
        case linger
        /// TLS: the handshake is under way.
        case handshake
    }

    /// The kinds of timeout.
    enum Kind: Equatable, Sendable {
        case header, body, idle, writeStall, linger, handshake
    }

    /// What ``update(_:now:)`` asks the connection to do.
    enum UpdateAction: Equatable, Sendable {
        /// Arm a loop timer at `deadline`; timers armed before it are ignored when they fire.
        case arm(deadline: UInt64)
        /// Nothing: the armed timer comes first, or no timeout applies.
        case none
    }

    /// What ``timerFired(deadline:waitingFor:now:)`` asks the connection to do.
    enum TimerFiredAction: Equatable, Sendable {
        /// Answer with this refusal (`headTimeout` or `bodyTimeout`, both 408), then close.
        case refuse(HTTPRefusal)
        /// Close silently: an idle connection, a client that stopped reading, or the end of lingering.
        case close(Kind)
        /// The deadline moved later since the timer was armed: arm a loop timer at `deadline`.
        case arm(deadline: UInt64)
        /// Nothing: a timer since replaced by an earlier one, or no timeout applies any more.
        case none
    }

    /// The timeouts in nanoseconds.
    struct Timeouts: Equatable, Sendable {
        /// ``HTTPServer/Configuration/headerReadTimeout``.
        var header: UInt64
        /// ``HTTPServer/Configuration/bodyReadTimeout``.
        var body: UInt64
        /// ``HTTPServer/Configuration/idleTimeout``, also the write-stall timeout.
        var idle: UInt64
        /// ``HTTPServer/Configuration/lingerTimeout``.
        var linger: UInt64
        /// ``HTTPServer/Configuration/tlsHandshakeTimeout``.
        var handshake: UInt64

        /// Timeouts with the given values in nanoseconds; the handshake's defaults to the header timeout.
        init(header: UInt64, body: UInt64, idle: UInt64, linger: UInt64, handshake: UInt64? = nil) {
            self.header = header
            self.body = body
            self.idle = idle
            self.linger = linger
            self.handshake = handshake ?? header
        }

        /// The timeouts of `configuration`; negative durations count as zero.
        init(_ configuration: HTTPServer.Configuration) {
            self.init(
                header: configuration.headerReadTimeout.nonNegativeNanoseconds, body: configuration.bodyReadTimeout.nonNegativeNanoseconds,
                idle: configuration.idleTimeout.nonNegativeNanoseconds, linger: configuration.lingerTimeout.nonNegativeNanoseconds,
                handshake: configuration.tlsHandshakeTimeout.nonNegativeNanoseconds)
        }
    }

    let timeouts: Timeouts
    /// The deadline of the loop timer armed last, until it fires; `nil` if none is armed.
    private(set) var armedDeadline: UInt64?
    private let openedAt: UInt64
    /// Whether a request has been handed to the handler: from then on, a connection between requests is idle.
    private var dispatchedAny = false
    private var requestStartedAt: UInt64
    private var bodyStartedAt: UInt64?
    private var idleSince: UInt64
    private var lastWriteProgress: UInt64
    private var lingerStartedAt: UInt64

    /// Event: the connection opened at `now`.
    init(timeouts: Timeouts, openedAt now: UInt64) {
        self.timeouts = timeouts
        openedAt = now
        requestStartedAt = now
        idleSince = now
        lastWriteProgress = now
        lingerStartedAt = now
    }

    // MARK: - Events

    /// Event: the first bytes of a request arrived while nothing was buffered.
    mutating func requestStarted(at now: UInt64) {
        requestStartedAt = now
    }

    /// Event: a complete request went to the handler; bytes of a pipelined successor already buffered count from `now`,
    /// and the next body's clock has not started.
    mutating func requestDispatched(at now: UInt64) {
        dispatchedAny = true
        requestStartedAt = now
        bodyStartedAt = nil
    }

    /// Event: a response was queued for writing; the idle clock starts again.
    mutating func responseWritten(at now: UInt64) {
        idleSince = now
    }

    /// Event: bytes were queued on an empty write buffer, or the socket took some.
    mutating func writeProgressed(at now: UInt64) {
        lastWriteProgress = now
    }

    /// Event: the write side was shut down.
    mutating func lingerStarted(at now: UInt64) {
        lingerStartedAt = now
    }

    /// Event: the connection closed; the armed timer is forgotten.
    mutating func closed() {
        armedDeadline = nil
    }

    // MARK: - Decisions

    /// Event: what the connection waits for may have changed. Asks for a loop timer if the deadline that now applies
    /// is earlier than the armed one (or none is armed).
    mutating func update(_ wait: Wait, now: @autoclosure () -> UInt64) -> UpdateAction {
        guard let (_, deadline) = deadline(for: wait, now: now) else { return .none }
        if let armedDeadline, armedDeadline <= deadline { return .none }
        armedDeadline = deadline
        return .arm(deadline: deadline)
    }

    /// Event: the loop timer armed for `deadline` fired. Decides from what the connection waits for now.
    mutating func timerFired(deadline: UInt64, waitingFor wait: Wait, now: @autoclosure () -> UInt64) -> TimerFiredAction {
        guard armedDeadline == deadline else { return .none }
        armedDeadline = nil
        let now = now()
        guard let (kind, current) = self.deadline(for: wait, now: { now }) else { return .none }
        guard current <= now else {
            armedDeadline = current
            return .arm(deadline: current)
        }
        switch kind {
        case .header: return .refuse(.headTimeout)
        case .body: return .refuse(.bodyTimeout)
        case .idle, .writeStall, .linger, .handshake: return .close(kind)
        }
    }

    /// The timeout that applies to `wait` and its deadline, or `nil` if none does. Waiting for a body starts its clock.
    private mutating func deadline(for wait: Wait, now: () -> UInt64) -> (kind: Kind, deadline: UInt64)? {
        switch wait {
        case .nothing:
            return nil
        case .linger:
            return (.linger, Self.adding(lingerStartedAt, timeouts.linger))
        case .handshake:
            return (.handshake, Self.adding(openedAt, timeouts.handshake))
        case .write:
            return (.writeStall, Self.adding(lastWriteProgress, timeouts.idle))
        case .nextRequest:
            guard dispatchedAny else { return (.header, Self.adding(openedAt, timeouts.header)) }
            return (.idle, Self.adding(idleSince, timeouts.idle))
        case .head:
            // The first request's head counts from the connection's opening, so that a client
            // trickling its first bytes cannot stretch the limit; later ones from their first byte.
            return (.header, Self.adding(dispatchedAny ? requestStartedAt : openedAt, timeouts.header))
        case .body:
            let started = bodyStartedAt ?? now()
            bodyStartedAt = started
            return (.body, Self.adding(started, timeouts.body))
        }
    }

    /// `instant + timeout`, saturating at the end of time.
    private static func adding(_ instant: UInt64, _ timeout: UInt64) -> UInt64 {
        let (sum, overflow) = instant.addingReportingOverflow(timeout)
        return overflow ? .max : sum
    }
}
