import NIOCore

/// What a connection's quiet clock tells its handler.
enum QuietEvent: Sendable, Equatable {
    /// Nothing happened on the connection for the idle timeout.
    case idle
    /// The connection was asked to quiesce, and nothing happened for the drain's quiet window since.
    case drained
}

/// How long a connection has been quiet (no complete request line read, no
/// answer written): `.idle` after `idleTimeout`; once a drain has begun,
/// `.drained` after `drainQuiet`. It repeats the event for every further window
/// the connection stays quiet; the handler decides what to do (close, or wait
/// while a request is in flight).
///
/// Only complete lines count, so a client sending a line one byte a second is
/// quiet. Like NIO's `IdleStateHandler` it keeps one timer and, when that fires
/// early, re-arms it for the time left rather than rescheduling on every read
/// and write. It is not `IdleStateHandler` itself because that one measures
/// time with `NIODeadline.now()`, the real clock, while its timers run on the
/// event loop's clock: on an `EmbeddedEventLoop`, `advanceTime` fires its timer
/// but it never finds the connection idle. `RequestHandler` passes
/// `eventLoop.now` for both, so these rules are tested without sleeping; and it
/// is a value inside that handler rather than a handler of its own, which saves
/// every request two pipeline hops.
struct QuietClock: Sendable {
    let idleTimeout: TimeAmount
    let drainQuiet: TimeAmount
    private(set) var draining = false
    private var lastActivity = NIODeadline.uptimeNanoseconds(0)

    /// What to do when the timer fires.
    enum Fired: Equatable {
        /// Not quiet long enough yet: arm the timer again for this long.
        case wait(TimeAmount)
        /// Quiet for a whole window: tell the handler, and arm the timer for the next window.
        case quiet(QuietEvent, next: TimeAmount)
    }

    init(idleTimeout: TimeAmount, drainQuiet: TimeAmount) {
        self.idleTimeout = idleTimeout
        self.drainQuiet = drainQuiet
    }

    /// The quiet time that ends the current window.
    var window: TimeAmount { draining ? drainQuiet : idleTimeout }

    /// A complete line was read or an answer written.
    mutating func touch(at now: NIODeadline) {
        lastActivity = now
    }

    /// A drain began: whether it is new (then the window restarts at `now`, so
    /// bytes the client sent before the stop and still unread are answered, not
    /// cut off by a close).
    mutating func startDrain(at now: NIODeadline) -> Bool {
        guard !draining else { return false }
        draining = true
        lastActivity = now
        return true
    }

    /// The timer fired at `now`.
    mutating func fired(at now: NIODeadline) -> Fired {
        let quiet = now - lastActivity
        guard quiet >= window else { return .wait(window - quiet) }
        lastActivity = now
        return .quiet(draining ? .drained : .idle, next: window)
    }
}
