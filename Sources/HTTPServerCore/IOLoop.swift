import CLinux
import Glibc
import HTTP1
import HeapModule
import Locking
import Synchronization

/// One I/O thread: an epoll set of connections (and, on the server's first loop, the listener), their timers, and
/// the tasks other threads hand it.
///
/// The thread waits in `epoll_wait` (level-triggered) and calls the ready connection itself, so a request is read,
/// parsed, answered and written without leaving the thread. Dispatch read sources, which this replaces, hand every
/// event on Linux from libdispatch's manager thread to a worker thread: under load those hops (context switches and
/// the manager thread) were about a fifth of the server's CPU time.
///
/// Threading: ``execute(_:)`` and ``shutdown()`` may be called from any thread; everything else runs on the loop's
/// thread. Connections on one loop run one at a time, so they share the read buffer (each read is consumed by the
/// parser before the next one) and the cached `Date` value.
///
/// Timers are a heap in memory and `epoll_wait`'s timeout: they need no descriptor, so they still fire when the
/// process has run out of them (libdispatch opens a timerfd for its timers, and cannot then). Their deadlines are
/// nanoseconds of ``clock``, which tests replace to drive time; they step the loop with ``runRound(waitMilliseconds:)``.
final class IOLoop: @unchecked Sendable {  // mutable state is confined to the loop thread, `incoming` to its mutex
    /// The readiness a connection wants to hear about. Errors and hang-ups are always reported.
    struct Interest: OptionSet, Sendable {
        let rawValue: UInt32
        static let read = Interest(rawValue: EPOLLIN.rawValue)
        static let write = Interest(rawValue: EPOLLOUT.rawValue)
    }

    /// A connection's armed deadline. A connection re-arms by pushing an earlier one; entries it no longer wants
    /// stay in the heap and are ignored when they come due (see ``Connection/timerFired(deadline:)``).
    private struct TimerEntry: Comparable {
        var deadline: UInt64  // nanoseconds of `clock`
        var token: UInt64

        static func < (lhs: TimerEntry, rhs: TimerEntry) -> Bool {
            (lhs.deadline, lhs.token) < (rhs.deadline, rhs.token)
        }
    }

    /// Tasks from other threads, and whether the loop has ended (then nothing would run them).
    private struct Incoming {
        var tasks: [@Sendable () -> Void] = []
        var ended = false
    }

    /// A task to run at a deadline (rare: the drain timeout, a pause in accepting).
    private struct TimedTask {
        var deadline: UInt64  // nanoseconds of `clock`
        var task: () -> Void
    }

    /// The epoll token of the wake-up descriptor; connection ids start at 1.
    private static let wakeupToken: UInt64 = 0
    /// The epoll token of the listener.
    private static let acceptorToken = UInt64.max
    /// Most events taken per `epoll_wait`.
    private static let eventCapacity = 256

    let label: String
    /// The time source of the loop's timers and its connections' timeouts.
    let clock: LoopClock
    /// Called on the loop thread at the end of every round: once the events of one `epoll_wait` and the tasks and
    /// timers due after them are handled, before the next wait (``HTTP1/HTTPHandler/roundEnded()``); again
    /// while the tasks it caused run, since they can release pipelined requests.
    private let roundEnded: () -> Void
    /// Scratch buffer for `recv`, shared by the loop's connections.
    let readBuffer: UnsafeMutableRawBufferPointer
    /// What one `epoll_wait` reports.
    private let events: UnsafeMutableBufferPointer<epoll_event>
    private let epoll: Int32
    /// An eventfd that wakes `epoll_wait` when another thread queues a task.
    private let wakeup: Int32
    private let incoming = Lock(Incoming())
    /// The loop thread's `pthread_t` while it runs, else 0; lets ``execute(_:)`` skip the mutex and the wake-up.
    private let loopThread = Atomic<UInt>(0)

    // Loop-thread state.
    private var tasks: [@Sendable () -> Void] = []
    private var spareTasks: [@Sendable () -> Void] = []
    private var connections: [UInt64: Connection] = [:]
    private var acceptor: Acceptor?
    private var timers = Heap<TimerEntry>()
    private var timedTasks: [TimedTask] = []
    private var running = true
    private var cachedSecond = Int.min
    private var cachedDate = ""

    /// Creates the epoll set and the wake-up descriptor; the thread starts with ``start()``.
    /// - Parameter clock: the time source of timers and timeouts. Default: ``LoopClock/monotonic``.
    init(label: String, readBufferSize: Int, clock: LoopClock = .monotonic, roundEnded: @escaping () -> Void) throws(SocketError) {
        self.label = label
        self.clock = clock
        self.roundEnded = roundEnded
        epoll = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard epoll >= 0 else { throw .makeFailed("epoll_create1") }
        wakeup = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        guard wakeup >= 0 else {
            let error = SocketError.makeFailed("eventfd")
            Glibc.close(epoll)
            throw error
        }
        readBuffer = .allocate(byteCount: max(readBufferSize, 1024), alignment: 16)
        events = .allocate(capacity: Self.eventCapacity)
        try control(EPOLL_CTL_ADD, wakeup, events: EPOLLIN.rawValue, token: Self.wakeupToken)
    }

    deinit {
        Glibc.close(wakeup)
        Glibc.close(epoll)
        readBuffer.deallocate()
        events.deallocate()
    }

    /// Starts the loop's thread, which runs until ``shutdown()``.
    func start() throws(SocketError) {
        let retained = Unmanaged.passRetained(self)
        var thread = pthread_t()
        let result = pthread_create(
            &thread, nil,
            { context in
                let loop = Unmanaged<IOLoop>.fromOpaque(context!).takeRetainedValue()
                loop.run()
                return nil
            }, retained.toOpaque())
        guard result == 0 else {
            retained.release()
            throw SocketError(operation: "pthread_create", errno: result)
        }
        _ = pthread_setname_np(thread, String(label.prefix(15)))  // Linux limits names to 15 bytes
        pthread_detach(thread)
    }

    /// Stops the thread after the tasks queued before this call. Connections still registered are closed; tasks
    /// queued later are dropped.
    func shutdown() {
        execute { self.running = false }
    }

    /// Runs `task` on the loop thread: after the current event when called there, else as soon as the loop wakes.
    func execute(_ task: @escaping @Sendable () -> Void) {
        if pthread_equal(loopThread.load(ordering: .relaxed), pthread_self()) != 0 {
            tasks.append(task)
            return
        }
        let wasEmpty = incoming.withLock { incoming in
            guard !incoming.ended else { return false }
            defer { incoming.tasks.append(task) }
            return incoming.tasks.isEmpty
        }
        if wasEmpty {
            // A full counter (EAGAIN) is already a pending wake-up.
            var one: UInt64 = 1
            _ = Glibc.write(wakeup, &one, MemoryLayout<UInt64>.size)
        }
    }

    /// Runs `task` on the loop thread once `delay` has passed, unless the loop has ended by then.
    func execute(after delay: Duration, _ task: @escaping @Sendable () -> Void) {
        execute {
            let (deadline, overflow) = self.clock.now().addingReportingOverflow(delay.nonNegativeNanoseconds)
            self.timedTasks.append(TimedTask(deadline: overflow ? .max : deadline, task: task))
        }
    }

    // MARK: - Loop-thread API for the listener

    /// Starts watching `acceptor`'s listener for connections. Call on the loop thread, or before ``start()``.
    func register(_ acceptor: Acceptor) throws(SocketError) {
        try control(EPOLL_CTL_ADD, acceptor.listener.fileDescriptor, events: EPOLLIN.rawValue, token: Self.acceptorToken)
        self.acceptor = acceptor
    }

    /// Stops or restarts reporting the listener's connections; it stays registered, so the loop still closes it
    /// when it ends. (A listening socket reports no errors or hang-ups, so with no interest it is silent.)
    func setAccepting(_ accepting: Bool) throws(SocketError) {
        guard let acceptor else { return }
        try control(EPOLL_CTL_MOD, acceptor.listener.fileDescriptor, events: accepting ? EPOLLIN.rawValue : 0, token: Self.acceptorToken)
    }

    /// Stops watching `acceptor`'s listener. Call before closing it.
    func deregister(_ acceptor: Acceptor) {
        guard self.acceptor === acceptor else { return }
        _ = epoll_ctl(epoll, EPOLL_CTL_DEL, acceptor.listener.fileDescriptor, nil)
        self.acceptor = nil
    }

    // MARK: - Loop-thread API for connections

    /// Starts watching `connection`'s socket for `interest`. Fails only if the kernel refuses (e.g. out of memory).
    func register(_ connection: Connection, interest: Interest) throws(SocketError) {
        try control(EPOLL_CTL_ADD, connection.socket.fileDescriptor, events: interest.rawValue, token: connection.id)
        connections[connection.id] = connection
    }

    /// Changes what `connection` is watched for.
    func update(_ connection: Connection, interest: Interest) throws(SocketError) {
        try control(EPOLL_CTL_MOD, connection.socket.fileDescriptor, events: interest.rawValue, token: connection.id)
    }

    /// Stops watching `connection`; events already taken for it are dropped. Call before closing its descriptor.
    func deregister(_ connection: Connection) {
        _ = epoll_ctl(epoll, EPOLL_CTL_DEL, connection.socket.fileDescriptor, nil)
        connections[connection.id] = nil
    }

    /// Calls `connection.timerFired(deadline:)` once `deadline` has passed (if it is still registered then).
    func schedule(_ connection: Connection, at deadline: UInt64) {
        timers.insert(TimerEntry(deadline: deadline, token: connection.id))
        if timers.count > 4 * connections.count + 1024 {
            // Entries of closed connections and replaced deadlines wait for their time; with many connections
            // opening and closing they pile up, so keep only the armed ones.
            timers = Heap(timers.unordered.filter { connections[$0.token]?.timer.armedDeadline == $0.deadline })
        }
    }

    /// The current time as an IMF-fixdate, formatted at most once per second per loop.
    func httpDate() -> String {
        let now = Int(time(nil))
        if now != cachedSecond {
            cachedSecond = now
            cachedDate = HTTPDate.format(unixSeconds: now)
        }
        return cachedDate
    }

    /// Adds (`EPOLL_CTL_ADD`) or changes (`EPOLL_CTL_MOD`) what `descriptor` is watched for, reported with `token`.
    private func control(_ operation: Int32, _ descriptor: Int32, events: UInt32, token: UInt64) throws(SocketError) {
        var event = epoll_event(events: events, data: epoll_data_t(u64: token))
        guard epoll_ctl(epoll, operation, descriptor, &event) == 0 else { throw .makeFailed("epoll_ctl") }
    }

    // MARK: - The loop

    private func run() {
        loopThread.store(pthread_self(), ordering: .relaxed)
        defer { loopThread.store(0, ordering: .relaxed) }
        while running {
            runRound(waitMilliseconds: waitMilliseconds())
        }
        // Stopped with connections left (the server was dropped without `stop`): close them rather than leave
        // clients waiting, then refuse further tasks, so none keeps a connection (and through it, this loop) alive.
        acceptor?.close()
        for connection in Array(connections.values) { connection.close() }
        runTasks()
        let dropped = incoming.withLock { incoming in
            incoming.ended = true
            defer { incoming.tasks = [] }
            return incoming.tasks
        }
        _ = consume dropped  // released outside the lock
        timers = Heap()
        timedTasks = []
    }

    /// One round of the loop: waits in `epoll_wait` up to `timeout` milliseconds (-1: until something happens),
    /// handles what it reports, runs the tasks and due timers, then ends the round. The loop's thread runs rounds
    /// until ``shutdown()``; a test with no thread calls it to step the loop. Returns whether `epoll_wait` reported
    /// anything.
    @discardableResult
    func runRound(waitMilliseconds timeout: Int32) -> Bool {
        let count = epoll_wait(epoll, events.baseAddress, Int32(events.count), timeout)
        if count < 0 {
            // Only EINTR can happen to a valid epoll descriptor and buffer.
            precondition(errno == EINTR, "epoll_wait failed: errno \(errno)")
            return false
        }
        for event in events[0..<Int(count)] {
            let token = event.data.u64
            if token == Self.wakeupToken {
                var value: UInt64 = 0
                _ = Glibc.read(wakeup, &value, MemoryLayout<UInt64>.size)
            } else if token == Self.acceptorToken {
                acceptor?.acceptPending()
                runTasks()
            } else if let connection = connections[token] {
                connection.handle(events: event.events)
                runTasks()
            }
        }
        let handedOver = incoming.withLock { incoming in
            defer { incoming.tasks.removeAll(keepingCapacity: true) }
            return incoming.tasks
        }
        tasks.append(contentsOf: handedOver)
        runTasks()
        fireTimers()
        // Work the handler gathered from this round's requests (a batched forward pass) runs now, and what it
        // answers is written before the loop sleeps. Writing answers can release pipelined requests that waited
        // behind them in a connection's buffer; those make another round at once, as no socket event may come.
        repeat {
            roundEnded()
        } while runTasks()
        return count > 0
    }

    /// Runs queued tasks, including those they queue; returns whether there were any.
    @discardableResult
    private func runTasks() -> Bool {
        let ranAny = !tasks.isEmpty
        while !tasks.isEmpty {
            swap(&tasks, &spareTasks)
            for task in spareTasks { task() }
            spareTasks.removeAll(keepingCapacity: true)
        }
        return ranAny
    }

    /// Fires every timer that is due: connections' in deadline order, then timed tasks.
    private func fireTimers() {
        let now = clock.now()
        while let next = timers.min, next.deadline <= now {
            timers.removeMin()
            connections[next.token]?.timerFired(deadline: next.deadline)
            runTasks()
        }
        if timedTasks.contains(where: { $0.deadline <= now }) {
            let due = timedTasks.filter { $0.deadline <= now }
            timedTasks.removeAll { $0.deadline <= now }
            for timed in due { timed.task() }
            runTasks()
        }
    }

    /// How long `epoll_wait` may sleep: until the earliest timer (rounded up to whole milliseconds), or forever.
    private func waitMilliseconds() -> Int32 {
        let earliest = min(timers.min?.deadline ?? .max, timedTasks.lazy.map { $0.deadline }.min() ?? .max)
        guard earliest != .max else { return -1 }
        let now = clock.now()
        guard earliest > now else { return 0 }
        return Int32(clamping: (earliest - now + 999_999) / 1_000_000)
    }
}
