import NIOCore

/// What `QuietTimer` tells the handler after it.
enum QuietEvent: Sendable, Equatable {
    /// Nothing happened on the connection for the idle timeout.
    case idle
    /// The connection was asked to quiesce, and nothing happened for the drain's quiet window since.
    case drained
}

/// Measures how long a connection has been quiet (no complete request line
/// read, no answer written) and tells the next handler: `.idle` after
/// `idleTimeout`; once a `ChannelShouldQuiesceEvent` has passed, `.drained`
/// after `drainQuiet`. It repeats the event for every further window the
/// connection stays quiet; the next handler decides what to do (close, or
/// wait while a request is in flight).
///
/// Placed after the line decoder, so a client sending a line one byte a second
/// is quiet: only complete lines count. Like NIO's `IdleStateHandler` it keeps
/// one timer and, when that fires early, re-arms it for the time left rather
/// than rescheduling on every read and write. It is not `IdleStateHandler`
/// itself because that one measures time with `NIODeadline.now()`, the real
/// clock, while its timers run on the event loop's clock: on an
/// `EmbeddedEventLoop`, `advanceTime` fires its timer but it never finds the
/// connection idle. This handler reads `eventLoop.now` for both, so its rules
/// are tested without sleeping.
final class QuietTimer: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny
    typealias InboundOut = NIOAny
    typealias OutboundIn = NIOAny
    typealias OutboundOut = NIOAny

    private let idleTimeout: TimeAmount
    private let drainQuiet: TimeAmount
    private var draining = false
    private var lastActivity = NIODeadline.uptimeNanoseconds(0)
    private var timer: Scheduled<Void>?

    init(idleTimeout: TimeAmount, drainQuiet: TimeAmount) {
        self.idleTimeout = idleTimeout
        self.drainQuiet = drainQuiet
    }

    /// The quiet time that ends the current window.
    private var window: TimeAmount { draining ? drainQuiet : idleTimeout }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { restart(context: context) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        cancel()
    }

    func channelActive(context: ChannelHandlerContext) {
        restart(context: context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        cancel()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        lastActivity = context.eventLoop.now
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        lastActivity = context.eventLoop.now
        context.write(data, promise: promise)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ChannelShouldQuiesceEvent, !draining {
            // The quiet window starts no earlier than the drain: bytes the client sent
            // before the stop may still sit unread in the socket (a loop that was busy),
            // and closing over them would reset the connection instead of answering them.
            draining = true
            if context.channel.isActive { restart(context: context) }
        }
        context.fireUserInboundEventTriggered(event)
    }

    private func restart(context: ChannelHandlerContext) {
        cancel()
        lastActivity = context.eventLoop.now
        arm(context: context, in: window)
    }

    private func arm(context: ChannelHandlerContext, in delay: TimeAmount) {
        timer = context.eventLoop.assumeIsolated().scheduleTask(in: delay) {
            self.fired(context: context)
        }
    }

    private func cancel() {
        timer?.cancel()
        timer = nil
    }

    private func fired(context: ChannelHandlerContext) {
        timer = nil
        guard context.channel.isActive else { return }
        let quiet = context.eventLoop.now - lastActivity
        guard quiet >= window else {
            arm(context: context, in: window - quiet)
            return
        }
        // Armed again first: the next handler may close, or wait for a request in flight.
        lastActivity = context.eventLoop.now
        arm(context: context, in: window)
        context.fireUserInboundEventTriggered(draining ? QuietEvent.drained : QuietEvent.idle)
    }
}
