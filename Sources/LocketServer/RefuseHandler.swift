import LocketProtocol
import NIOCore
import Synchronization

/// Writes one error line as soon as the connection is active, then ends it
/// without a reset. Used for a peer with another uid (`forbidden`) and past the
/// connection cap (`unavailable`).
///
/// After the line the daemon shuts down its sending side (the client reads the
/// line, then end of file) and discards what the client sends until the client
/// closes or `linger` passes. Closing at once would make a client that connects
/// and writes its first request before reading fail that write (`EPIPE`, or a
/// reset) and never see why it was refused.
final class RefuseHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// How long a refused connection is kept half-open for the client to read the line and close.
    static let linger = TimeAmount.seconds(2)
    /// At most this many refused connections linger at once; past it one is closed
    /// right after its line, so a flood of refused connections cannot hold descriptors.
    static let maxLingering = 64
    private static let lingering = Atomic<Int>(0)

    private let line: [UInt8]
    private var refused = false
    private var counted = false

    init(_ error: ProtocolError) {
        line = Response.failure(id: nil, error).bytes
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { refuse(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        refuse(context: context)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if counted {
            counted = false
            Self.lingering.subtract(1, ordering: .relaxed)
        }
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        // Nothing from this peer is read.
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        // The client closed its side: nothing more to wait for.
        if (event as? ChannelEvent) == .inputClosed { context.close(promise: nil) }
    }

    private func refuse(context: ChannelHandlerContext) {
        guard !refused else { return }
        refused = true
        var buffer = context.channel.allocator.buffer(capacity: line.count)
        buffer.writeBytes(line)
        let loop = context.eventLoop.assumeIsolated()
        context.writeAndFlush(wrapOutboundOut(buffer)).assumeIsolated().whenComplete { _ in
            guard context.channel.isActive else { return }
            guard Self.lingering.wrappingAdd(1, ordering: .relaxed).newValue <= Self.maxLingering else {
                Self.lingering.subtract(1, ordering: .relaxed)
                context.close(promise: nil)
                return
            }
            self.counted = true
            context.close(mode: .output, promise: nil)
            loop.scheduleTask(in: Self.linger) { context.close(promise: nil) }
        }
    }
}
