import HTTP1
import Testing

@testable import HTTPServerCore

private let second: UInt64 = 1_000_000_000
/// Header 10 s, body 30 s, idle 60 s, linger 2 s: the configuration's defaults.
private let timeouts = ConnectionTimer.Timeouts(header: 10 * second, body: 30 * second, idle: 60 * second, linger: 2 * second)
/// When the connection under test opened.
private let opened = 1000 * second

/// The connection timeouts' state machine driven with plain instants: no clock, no socket.
@Suite("ConnectionTimer")
struct ConnectionTimerTests {
    /// A connection at the moment one kind of timeout starts to apply, with the deadline it must fire at.
    struct Scenario: CustomTestStringConvertible, Sendable {
        var name: String
        var wait: ConnectionTimer.Wait
        var deadline: UInt64
        var expected: ConnectionTimer.TimerFiredAction
        /// The events that lead there, from a timer opened at `opened`.
        var prepare: @Sendable (inout ConnectionTimer) -> Void

        var testDescription: String { name }
    }

    static let scenarios: [Scenario] = [
        Scenario(
            name: "header of the first request, from opening", wait: .nextRequest, deadline: opened + 10 * second,
            expected: .refuse(.headTimeout)
        ) { _ in },
        Scenario(
            name: "header of a later request, from its first byte", wait: .head, deadline: opened + 107 * second,
            expected: .refuse(.headTimeout)
        ) { timer in
            timer.requestDispatched(at: opened + 1 * second)
            timer.responseWritten(at: opened + 2 * second)
            timer.requestStarted(at: opened + 97 * second)
        },
        Scenario(
            name: "body, from when the connection first waits for it", wait: .body, deadline: opened + 39 * second,
            expected: .refuse(.bodyTimeout)
        ) { timer in
            timer.requestStarted(at: opened + 1 * second)
        },
        Scenario(
            name: "idle, from the last response", wait: .nextRequest, deadline: opened + 64 * second,
            expected: .close(.idle)
        ) { timer in
            timer.requestDispatched(at: opened + 1 * second)
            timer.responseWritten(at: opened + 4 * second)
        },
        Scenario(
            name: "write stall, from the last progress", wait: .write, deadline: opened + 67 * second,
            expected: .close(.writeStall)
        ) { timer in
            timer.writeProgressed(at: opened + 3 * second)
            timer.writeProgressed(at: opened + 7 * second)
        },
        Scenario(
            name: "linger, from the half-close", wait: .linger, deadline: opened + 10 * second,
            expected: .close(.linger)
        ) { timer in
            timer.lingerStarted(at: opened + 8 * second)
        },
        Scenario(
            name: "TLS handshake, from opening (defaults to the header timeout)", wait: .handshake, deadline: opened + 10 * second,
            expected: .close(.handshake)
        ) { _ in },
    ]

    @Test(arguments: scenarios)
    func timeout_FiresAtItsDeadline_NotOneNanosecondBefore(_ scenario: Scenario) {
        var timer = ConnectionTimer(timeouts: timeouts, openedAt: opened)
        scenario.prepare(&timer)
        #expect(timer.update(scenario.wait, now: opened + 9 * second) == .arm(deadline: scenario.deadline))
        // A timer that fires early (the loop rounds its wait) is armed again for the same deadline.
        let early = timer.timerFired(deadline: scenario.deadline, waitingFor: scenario.wait, now: scenario.deadline - 1)
        #expect(early == .arm(deadline: scenario.deadline))
        #expect(timer.timerFired(deadline: scenario.deadline, waitingFor: scenario.wait, now: scenario.deadline) == scenario.expected)
        #expect(timer.armedDeadline == nil)
    }

    @Test func firstRequest_HeaderCountsFromOpening_WhileNothingArrives() {
        var timer = ConnectionTimer(timeouts: timeouts, openedAt: opened)
        #expect(timer.update(.nextRequest, now: opened + 9 * second) == .arm(deadline: opened + 10 * second))
    }

    /// Today's rule, stated here so a change is deliberate: once bytes of the first request are buffered, its head
    /// counts from the first byte, as every later request's does, not from the connection opening.
    /// A client trickling its first request's head cannot stretch the header timeout past the
    /// connection's opening plus the limit.
    @Test func firstRequest_OnceBytesArrive_HeaderStillCountsFromTheOpening() {
        var timer = ConnectionTimer(timeouts: timeouts, openedAt: opened)
        #expect(timer.update(.nextRequest, now: opened) == .arm(deadline: opened + 10 * second))
        timer.requestStarted(at: opened + 4 * second)
        #expect(timer.update(.head, now: opened + 4 * second) == .none)
        let fired = timer.timerFired(deadline: opened + 10 * second, waitingFor: .head, now: opened + 10 * second)
        #expect(fired == .refuse(.headTimeout))
    }

    @Test func laterRequest_HeaderCountsFromItsFirstByte_NotFromTheLastResponse() {
        var timer = ConnectionTimer(timeouts: timeouts, openedAt: opened)
        timer.requestDispatched(at: opened)
        timer.responseWritten(at: opened)
        #expect(timer.update(.nextRequest, now: opened) == .arm(deadline: opened + 60 * second))
        timer.requestStarted(at: opened + 55 * second)
        #expect(timer.update(.head, now: opened + 55 * second) == .none)  // the idle timer comes first
        let fired = timer.timerFired(deadline: opened + 60 * second, waitingFor: .head, now: opened + 60 * second)
        #expect(fired == .arm(deadline: opened + 65 * second))
    }

    @Test func pipelinedRequest_HeaderCountsFromThePredecessorsDispatch() {
        var timer = ConnectionTimer(timeouts: timeouts, openedAt: opened)
        timer.requestStarted(at: opened + 1 * second)
        timer.requestDispatched(at: opened + 3 * second)  // the successor's bytes were already buffered
        #expect(timer.update(.head, now: opened + 3 * second) == .arm(deadline: opened + 13 * second))
    }

    @Test func body_ClockStartsTheFirstTimeTheConnectionWaitsForIt_AndReadsTheTimeOnlyThen() {
        var timer = ConnectionTimer(timeouts: timeouts, openedAt: opened)
        var reads = 0
        func time(_ instant: UInt64) -> UInt64 {
            reads += 1
            return instant
        }
        timer.requestStarted(at: opened)
        #expect(timer.update(.body, now: time(opened + 2 * second)) == .arm(deadline: opened + 32 * second))
        #expect(timer.update(.body, now: time(opened + 5 * second)) == .none)
        #expect(timer.update(.write, now: time(opened + 6 * second)) == .none)
        #expect(timer.update(.nothing, now: time(opened + 7 * second)) == .none)
        #expect(reads == 1)
        #expect(timer.timerFired(deadline: opened + 32 * second, waitingFor: .body, now: opened + 32 * second) == .refuse(.bodyTimeout))
    }

    @Test func body_ClockStartsAgainForTheNextRequest() {
        var timer = ConnectionTimer(timeouts: timeouts, openedAt: opened)
        _ = timer.update(.body, now: opened)
        timer.requestDispatched(at: opened + 1 * second)
        timer.responseWritten(at: opened + 2 * second)
        _ = timer.update(.nextRequest, now: opened + 2 * second)
        let fired = timer.timerFired(deadline: opened + 30 * second, waitingFor: .body, now: opened + 40 * second)
        #expect(fired == .arm(deadline: opened + 70 * second))
    }

    @Test func noTimeout_WhileAHandlerWorks() {
        var timer = ConnectionTimer(timeouts: timeouts, openedAt: opened)
        #expect(timer.update(.nextRequest, now: opened) == .arm(deadline: opened + 10 * second))
        timer.requestStarted(at: opened + 1 * second)
        timer.requestDispatched(at: opened + 2 * second)
        #expect(timer.update(.nothing, now: opened + 2 * second) == .none)
        #expect(timer.timerFired(deadline: opened + 10 * second, waitingFor: .nothing, now: .max - 1) == .none)
        #expect(timer.armedDeadline == nil)
        // The response, hours later: the idle clock starts from it, and a timer is armed again.
        timer.responseWritten(at: opened + 7200 * second)
        #expect(timer.update(.nextRequest, now: opened + 7200 * second) == .arm(deadline: opened + 7260 * second))
    }

    @Test func timers_AreArmedOnlyForEarlierDeadlines() {
        var timer = ConnectionTimer(timeouts: timeouts, openedAt: opened)
        timer.requestDispatched(at: opened)
        timer.responseWritten(at: opened)
        #expect(timer.update(.nextRequest, now: opened) == .arm(deadline: opened + 60 * second))
        timer.requestStarted(at: opened + 10 * second)
        #expect(timer.update(.head, now: opened + 10 * second) == .arm(deadline: opened + 20 * second))
        #expect(timer.update(.head, now: opened + 11 * second) == .none)
        timer.writeProgressed(at: opened + 12 * second)
        #expect(timer.update(.write, now: opened + 12 * second) == .none)  // 72 s: the 20 s timer comes first
        #expect(timer.armedDeadline == opened + 20 * second)
    }

    @Test func replacedTimer_IsIgnored_EvenWhenDue() {
        var timer = ConnectionTimer(timeouts: timeouts, openedAt: opened)
        timer.requestDispatched(at: opened)
        timer.responseWritten(at: opened)
        _ = timer.update(.nextRequest, now: opened)
        timer.requestStarted(at: opened + 1 * second)
        _ = timer.update(.head, now: opened + 1 * second)
        #expect(timer.timerFired(deadline: opened + 60 * second, waitingFor: .head, now: opened + 60 * second) == .none)
        #expect(timer.armedDeadline == opened + 11 * second)
    }

    @Test func closing_ForgetsTheArmedTimer() {
        var timer = ConnectionTimer(timeouts: timeouts, openedAt: opened)
        _ = timer.update(.nextRequest, now: opened)
        timer.closed()
        #expect(timer.armedDeadline == nil)
        #expect(timer.timerFired(deadline: opened + 10 * second, waitingFor: .nothing, now: opened + 10 * second) == .none)
    }

    @Test func deadlines_SaturateAtTheEndOfTime() {
        let endless = ConnectionTimer.Timeouts(header: .max, body: .max, idle: .max, linger: .max)
        var timer = ConnectionTimer(timeouts: endless, openedAt: opened)
        #expect(timer.update(.nextRequest, now: opened) == .arm(deadline: .max))
    }

    @Test func timeouts_ComeFromTheConfiguration_NegativeAsZero() {
        var configuration = HTTPServer.Configuration()
        configuration.headerReadTimeout = .milliseconds(1500)
        configuration.bodyReadTimeout = .nanoseconds(7)
        configuration.idleTimeout = .seconds(-1)
        configuration.lingerTimeout = .seconds(2)
        configuration.tlsHandshakeTimeout = .milliseconds(-5)
        let expected = ConnectionTimer.Timeouts(header: 1_500_000_000, body: 7, idle: 0, linger: 2 * second, handshake: 0)
        #expect(ConnectionTimer.Timeouts(configuration) == expected)
        #expect(ConnectionTimer.Timeouts(HTTPServer.Configuration()) == timeouts)
    }
}
