import NIOCore

/// Holds the flushes asked for during a read burst (from the first request line
/// of a socket read to its `channelReadComplete`) and flushes once at its end,
/// so the answers to a pipelined batch leave in one `writev` (one wake-up of
/// the client) rather than one `write` each. A flush outside a burst (an
/// answer made off the loop) passes at once.
///
/// Placed after the line decoder: the decoder delivers a read's lines and then
/// its read-complete. At end of input it may deliver its last lines without a
/// read-complete, so the `inputClosed` event ends the burst too.
final class FlushCoalescer: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny
    typealias InboundOut = NIOAny
    typealias OutboundIn = NIOAny
    typealias OutboundOut = NIOAny

    private var inBurst = false
    private var flushPending = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        inBurst = true
        context.fireChannelRead(data)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        endBurst(context: context)
        context.fireChannelReadComplete()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if (event as? ChannelEvent) == .inputClosed { endBurst(context: context) }
        context.fireUserInboundEventTriggered(event)
    }

    func flush(context: ChannelHandlerContext) {
        if inBurst {
            flushPending = true
        } else {
            context.flush()
        }
    }

    /// Leaving the pipeline (a `watch` taking the connection over) in the middle of a burst: what it held goes out now.
    func removeHandler(context: ChannelHandlerContext, removalToken: ChannelHandlerContext.RemovalToken) {
        inBurst = false
        flushIfPending(context: context)
        context.leavePipeline(removalToken: removalToken)
    }

    private func endBurst(context: ChannelHandlerContext) {
        inBurst = false
        flushIfPending(context: context)
    }

    private func flushIfPending(context: ChannelHandlerContext) {
        guard flushPending else { return }
        flushPending = false
        context.flush()
    }
}
