import LocketSync

/// The parts of the daemon that have a life (open files, threads, timers, the
/// listener), started one after the other and stopped in exactly the reverse
/// order, each once, like a stack of `defer`s.
///
/// `start` runs a part's start and, once it succeeded, remembers its stop with
/// what the start made (the open vault, the bound listener), so a part is
/// stopped only if it started, and by the code beside its start. `stopAll`
/// pops them: last started, first stopped. A start that fails leaves the parts
/// before it started, for the owner to stop with `stopAll`.
final class ServiceStack: Sendable {
    /// One step of the stack's life, in the order it happened.
    enum Event: Sendable, Equatable, CustomStringConvertible {
        case started(String)
        case stopped(String)

        var description: String {
            switch self {
            case .started(let name): "started \(name)"
            case .stopped(let name): "stopped \(name)"
            }
        }
    }

    private struct Running: Sendable {
        let name: String
        let stop: @Sendable () -> Void
    }

    private let running = Locked<[Running]>([])
    private let history = Locked<[Event]>([])
    private let observe: @Sendable (Event) -> Void

    /// `observe` sees every event as it happens (the daemon logs them).
    init(observe: @escaping @Sendable (Event) -> Void = { _ in }) {
        self.observe = observe
    }

    /// Starts the part called `name`: returns what `start` made, and keeps
    /// `stop` (given that) for `stopAll`. Nothing is kept when `start` throws.
    @discardableResult
    func start<Made: Sendable, Failure: Error>(
        _ name: String,
        _ start: () throws(Failure) -> Made,
        stop: @escaping @Sendable (Made) -> Void
    ) throws(Failure) -> Made {
        let made = try start()
        running.withLock { $0.append(Running(name: name, stop: { stop(made) })) }
        record(.started(name))
        return made
    }

    /// Stops every part started, the last started first, each once. A second
    /// call (or one racing the first) finds nothing left to stop.
    func stopAll() {
        let parts = running.withLock { parts in
            defer { parts = [] }
            return parts
        }
        for part in parts.reversed() {
            part.stop()
            record(.stopped(part.name))
        }
    }

    /// The names of the parts running now, in the order they started.
    var runningNames: [String] { running.withLock { $0.map(\.name) } }

    /// Everything started and stopped so far, in order.
    var events: [Event] { history.withLock { $0 } }

    private func record(_ event: Event) {
        history.withLock { $0.append(event) }
        observe(event)
    }
}
