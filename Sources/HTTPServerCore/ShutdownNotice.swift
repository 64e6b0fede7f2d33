import Synchronization

/// Whether the server has announced that it will stop: from then on every response says `Connection: close`, so
/// kept-alive clients move to a new connection (behind a balancer, to another server) one response at a time,
/// while the server still serves, instead of finding their idle connection closed under them when it stops.
final class ShutdownNotice: Sendable {
    private let announced = Atomic<Bool>(false)

    var isAnnounced: Bool { announced.load(ordering: .relaxed) }

    func announce() {
        announced.store(true, ordering: .relaxed)
    }
}
