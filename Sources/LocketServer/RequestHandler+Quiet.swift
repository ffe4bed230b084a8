import NIOCore

/// The connection's one quiet timer: armed for the window `QuietClock` says,
/// re-armed for the time left when it fires early, and telling the handler
/// (`quietFor`) when the connection has been quiet for a whole window.
extension RequestHandler {
    func restartQuiet(context: ChannelHandlerContext) {
        cancelQuiet()
        quiet.touch(at: context.eventLoop.now)
        armQuiet(context: context, in: quiet.window)
    }

    func armQuiet(context: ChannelHandlerContext, in delay: TimeAmount) {
        quietTimer = context.eventLoop.assumeIsolated().scheduleTask(in: delay) {
            self.quietTimerFired(context: context)
        }
    }

    func cancelQuiet() {
        quietTimer?.cancel()
        quietTimer = nil
    }

    func quietTimerFired(context: ChannelHandlerContext) {
        quietTimer = nil
        guard context.channel.isActive, !removed else { return }
        switch quiet.fired(at: context.eventLoop.now) {
        case .wait(let left):
            armQuiet(context: context, in: left)
        case .quiet(let event, let next):
            // Armed again first: the handler may close, or wait for a request in flight.
            armQuiet(context: context, in: next)
            quietFor(event, context: context)
        }
    }
}
