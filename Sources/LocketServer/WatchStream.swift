import LocketProtocol
import NIOConcurrencyHelpers
import NIOCore

/// One watcher's outgoing events: a bounded queue filled by the hub (from any
/// thread, in event order) and written to the connection on its event loop
/// while the socket accepts more. A watcher that stops reading is never
/// waited for: when its queue overflows it is sent nothing more and closed.
final class WatchStream: Sendable {
    /// Most events queued for one watcher.
    static let maxQueuedEvents = 4096
    /// Most bytes queued for one watcher.
    static let maxQueuedBytes = 1 << 20

    /// The hub's number for this watcher.
    let id: Int
    /// Only events of this namespace (nil: all); vault events go to everyone.
    let ns: String?
    /// Seconds ahead for `expiring` events (0: none).
    let expiringWithin: Int
    let channel: Channel

    private struct State {
        var queue = CircularBuffer<[UInt8]>()
        var bytes = 0
        /// The `watch` answer has been written: events may follow.
        var started = false
        /// A flush is scheduled, or waits for the socket to be writable again.
        var flushing = false
        var overflowed = false
    }

    private let state = NIOLockedValueBox(State())

    init(id: Int, ns: String?, expiringWithin: Int, channel: Channel) {
        self.id = id
        self.ns = ns
        self.expiringWithin = expiringWithin
        self.channel = channel
    }

    /// Whether `event` is for this watcher.
    func wants(_ event: WatchEvent) -> Bool {
        guard let ns, let eventNS = event.ns else { return true }
        return ns == eventNS
    }

    /// Queues one event line; never blocks. Called by the hub, in event order.
    func send(_ line: [UInt8]) {
        enum Action { case none, flush, close }
        let action = state.withLockedValue { state -> Action in
            guard !state.overflowed else { return .none }
            guard state.queue.count < Self.maxQueuedEvents, state.bytes + line.count <= Self.maxQueuedBytes else {
                state.overflowed = true
                state.queue.removeAll()
                state.bytes = 0
                return .close
            }
            state.queue.append(line)
            state.bytes += line.count
            guard state.started, !state.flushing else { return .none }
            state.flushing = true
            return .flush
        }
        switch action {
        case .none: break
        case .flush: channel.eventLoop.execute { self.flush() }
        // Never closed inline: the caller holds the hub's lock, and closing runs callbacks that take it.
        case .close: channel.eventLoop.execute { self.channel.close(promise: nil) }
        }
    }

    /// Called on the event loop once the `watch` answer is written.
    func start() {
        let go = state.withLockedValue { state -> Bool in
            state.started = true
            guard !state.flushing else { return false }
            state.flushing = true
            return true
        }
        if go { flush() }
    }

    /// On the event loop: writes queued events while the socket takes them.
    /// When it stops taking them, the flag stays set and `channelWritabilityChanged` resumes.
    func flush() {
        while channel.isActive, channel.isWritable {
            let batch = state.withLockedValue { state -> [[UInt8]] in
                var batch: [[UInt8]] = []
                while batch.count < 64, let line = state.queue.popFirst() {
                    state.bytes -= line.count
                    batch.append(line)
                }
                if batch.isEmpty { state.flushing = false }
                return batch
            }
            guard !batch.isEmpty else { return }
            for line in batch {
                var buffer = channel.allocator.buffer(capacity: line.count)
                buffer.writeBytes(line)
                channel.write(buffer, promise: nil)
            }
            channel.flush()
        }
    }
}

/// The tail of a watching connection's pipeline: resumes its stream when the
/// socket becomes writable again.
final class WatchWritabilityHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = Never

    let stream: WatchStream

    init(_ stream: WatchStream) {
        self.stream = stream
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { stream.flush() }
        context.fireChannelWritabilityChanged()
    }
}
