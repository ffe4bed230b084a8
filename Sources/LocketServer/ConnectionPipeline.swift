import NIOCore

/// The handlers of one admitted connection, each with one job, in pipeline order:
///
/// 1. `LineFrameDecoder` frames request lines (with the line cap and the memory budget);
/// 2. `RequestHandler` serves the lines in program order, writes the answers
///    (flushed once per read burst: `ReadBurst`), applies backpressure, and
///    ends the connection (when idle or drained: `QuietClock`).
///
/// Two handlers only: every handler is a hop for every request, read and
/// write. A `watch` is a pipeline change: once its answer is written, both
/// leave and the connection belongs to its event stream (`handOffToWatch`).
enum ConnectionPipeline {
    /// The limits of one connection.
    struct Limits: Sendable {
        /// Most requests in flight (answers unwritten); past it the connection is not read.
        var maxInFlight: Int
        /// A connection with no complete request line and no answer for this long is closed.
        var idleTimeout: TimeAmount
        /// Longest request line, bytes.
        var maxLineBytes: Int
        /// While draining, a connection with nothing pending that has been quiet this long is closed.
        var drainQuiet: TimeAmount = .milliseconds(100)

        init(maxInFlight: Int, idleTimeout: TimeAmount, maxLineBytes: Int, drainQuiet: TimeAmount = .milliseconds(100)) {
            self.maxInFlight = maxInFlight
            self.idleTimeout = idleTimeout
            self.maxLineBytes = maxLineBytes
            self.drainQuiet = drainQuiet
        }

        init(_ configuration: ServerConfiguration) {
            self.init(maxInFlight: configuration.maxInFlightPerConnection, idleTimeout: configuration.idleTimeout,
                      maxLineBytes: configuration.limits.maxLineBytes)
        }
    }

    /// The handlers' names, to take them out again at the watch hand-off.
    enum Name {
        static let decoder = "locket.decoder"
        static let requests = "locket.requests"
    }

    /// Adds the request handlers of a connection from `caller` to `pipeline`.
    static func install(on pipeline: ChannelPipeline.SynchronousOperations, serving: any RequestServing,
                        caller: CallerIdentity, limits: Limits, budget: BufferBudget?) throws {
        try pipeline.addHandler(ByteToMessageHandler(LineFrameDecoder(maxLineBytes: limits.maxLineBytes, budget: budget)),
                                name: Name.decoder)
        try pipeline.addHandler(RequestHandler(serving: serving, caller: caller, limits: limits, budget: budget),
                                name: Name.requests)
    }

    /// After a `watch`'s answer has been written and its stream started: the
    /// request handlers leave (no more requests, no idle timeout) and
    /// `WatchInputHandler` takes the connection's input.
    static func handOffToWatch(_ pipeline: ChannelPipeline.SynchronousOperations) {
        try? pipeline.addHandler(WatchInputHandler(), position: .first)
        for name in [Name.requests, Name.decoder] {
            pipeline.removeHandler(name: name, promise: nil)
        }
    }
}

/// The input side of a watching connection. The client has nothing more to
/// ask: what it sends is discarded. Its half-close, or a drain, ends the stream.
final class WatchInputHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    func handlerAdded(context: ChannelHandlerContext) {
        // The request handler may have held back a read; input is taken freely from now on.
        if context.channel.isActive { context.read() }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        // Discarded.
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if (event as? ChannelEvent) == .inputClosed || event is ChannelShouldQuiesceEvent {
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }
}
