import LocketProtocol
import NIOCore
import Synchronization

/// Asks a connection to finish what it has read, answer it, and close.
struct QuiesceEvent {}

/// One client connection: dispatches request lines, writes the answers in
/// request order (pipelining), and applies backpressure. Requests wait in a
/// local queue (bounded by what one read delivers) while the connection has
/// `maxInFlight` unanswered requests or the client is not reading its
/// answers; reads from the socket stop until that clears. So a client that
/// never reads cannot grow the daemon's memory without bound.
final class ConnectionHandler: ChannelDuplexHandler {
    typealias InboundIn = InboundFrame
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let dispatcher: any RequestServing
    private let maxLineBytes: Int
    /// Who connected, read once at accept.
    private let caller: CallerIdentity
    private let maxInFlight: Int
    private let idleTimeout: TimeAmount
    /// The daemon-wide cap on buffered bytes (answers held here count against it).
    private let budget: BufferBudget?
    /// Bytes of answers made and not yet written out, counted against `budget`.
    private var answerBytes = 0
    /// The handler is gone: nothing more is counted against `budget`.
    private var released = false
    /// Why the `nil` in `queued` was refused: a line over the limit, or full buffers.
    private var lineRefusal = ProtocolError(.tooLarge, "")

    /// Requests read (and parsed) but not dispatched yet; `nil` stands for a refused line (`lineRefusal`).
    private var queued = CircularBuffer<ParsedLine?>()
    /// Dispatched requests in order; nil until answered.
    private var answers = CircularBuffer<[UInt8]?>()
    /// Unanswered dispatched requests by ordering class, for per-connection program order.
    private var running = RunningCounts()
    /// Sequence number of `answers.first`.
    private var firstSequence = 0
    private var readPending = false
    /// No more requests: answer what is in flight, then close.
    private var closing = false
    /// The daemon is stopping: keep reading what the client already sent and
    /// answer it (`unavailable`), and close once it has gone quiet.
    private var draining = false
    private var lastInput = NIODeadline.now()
    /// A `watch` was dispatched: no further request is read (later lines are
    /// ignored); once its answer is written the connection streams events, or
    /// closes when the watch was refused.
    private var watchRequested = false
    /// Last request read or answer written, for the idle timeout.
    private var lastActivity = NIODeadline.now()
    /// The one idle timer; it re-arms itself for the time left rather than being
    /// rescheduled on every read and write.
    private var idleTask: Scheduled<Void>?
    /// Completes when the last answer written so far has reached the socket:
    /// closing before that would drop answers still queued in the channel.
    private var lastWrite: EventLoopFuture<Void>?
    private var closeRequested = false
    /// `process` is dispatching: an answer that completes inline is only stored,
    /// and written (with the others) when the dispatch loop ends.
    private var dispatching = false
    /// Inside a read burst (between the first `channelRead` of a socket read and
    /// its `channelReadComplete`): answers are written but flushed once, at the
    /// end of the burst, so a pipelined batch leaves in one `writev` (one wake-up
    /// of the client) rather than one `write` per answer.
    private var inReadBurst = false
    /// Answers were written and not flushed yet.
    private var flushPending = false

    init(dispatcher: any RequestServing, caller: CallerIdentity, maxInFlight: Int, idleTimeout: TimeAmount, maxLineBytes: Int,
         budget: BufferBudget? = nil) {
        self.budget = budget
        self.maxLineBytes = maxLineBytes
        self.dispatcher = dispatcher
        self.caller = caller
        self.maxInFlight = max(1, maxInFlight)
        self.idleTimeout = idleTimeout
    }

    func channelActive(context: ChannelHandlerContext) {
        lastActivity = .now()
        armIdleTimer(context: context, in: idleTimeout)
        context.fireChannelActive()
        // Accepted while the daemon stops, or asked to quiesce before it was active:
        // answer what the client sends (`unavailable`) and close once it is quiet.
        if draining || dispatcher.isShuttingDown {
            beginDraining(context: context)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        released = true
        budget?.add(-answerBytes)
        answerBytes = 0
    }

    func channelInactive(context: ChannelHandlerContext) {
        idleTask?.cancel()
        idleTask = nil
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !closing, !watchRequested else { return }
        inReadBurst = true
        lastInput = .now()
        lastActivity = lastInput
        switch unwrapInboundIn(data) {
        case .line(let line): queued.append(dispatcher.parse(line))
        case .tooLong:
            let limit = maxLineBytes
            lineRefusal = ProtocolError(.tooLarge, "request line is over \(limit) bytes; closing the connection")
            queued.append(nil)
        case .overBudget:
            let cap = budget?.cap ?? 0
            lineRefusal = ProtocolError(.unavailable, "locketd's buffers are full (over \(cap) bytes across connections) and this request line is long; closing the connection, retry later")
            queued.append(nil)
        }
        process(context: context)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        inReadBurst = false
        flushIfPending(context: context)
        context.fireChannelReadComplete()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is QuiesceEvent {
            // Already draining since it became active: its checks are running.
            if !draining { beginDraining(context: context) }
            return
        }
        if (event as? ChannelEvent) == .inputClosed {
            // The client finished sending (half-close), or the daemon is stopping.
            // The decoder may have delivered its last lines without a read-complete.
            inReadBurst = false
            closing = true
            process(context: context)
            closeIfDone(context: context)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            process(context: context)
            resumeReading(context: context)
        }
        context.fireChannelWritabilityChanged()
    }

    func read(context: ChannelHandlerContext) {
        if mustPause(context: context) {
            readPending = true
        } else {
            context.read()
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }

    // MARK: - Flow

    private func mustPause(context: ChannelHandlerContext) -> Bool {
        closing || !queued.isEmpty || answers.count >= maxInFlight || !context.channel.isWritable
    }

    private func resumeReading(context: ChannelHandlerContext) {
        if readPending && !mustPause(context: context) {
            readPending = false
            context.read()
        }
    }

    /// Whether the next queued request may start now without breaking program order.
    private func mayStart(_ ordering: Ordering) -> Bool {
        guard running.exclusive == 0 else { return false }
        switch ordering {
        case .read: return running.writes == 0
        case .write: return running.reads == 0
        case .exclusive: return running.reads == 0 && running.writes == 0
        }
    }

    /// Dispatches queued requests while there is room and program order allows,
    /// and writes the answers that are ready. Requests answered inline (on the
    /// loop) free their room once written, so it goes round again while that
    /// lets more start.
    private func process(context: ChannelHandlerContext) {
        guard !dispatching else { return }
        while true {
            dispatching = true
            dispatchQueued(context: context)
            dispatching = false
            let written = firstSequence
            writeReady(context: context)
            if firstSequence == written || queued.isEmpty { return }
        }
    }

    private func dispatchQueued(context: ChannelHandlerContext) {
        while let next = queued.first, answers.count < maxInFlight, context.channel.isWritable {
            guard let parsed = next else {
                // A line over the limit (or shed for full buffers): answer it after everything before it, then close.
                queued.removeAll()
                store(Response.failure(id: nil, lineRefusal).bytes)
                closing = true
                break
            }
            if let budget, budget.isFull, case .request = parsed {
                // Over the memory cap: a short refusal now rather than an answer of any size.
                queued.removeFirst()
                store(budget.fullAnswer(id: parsed.idJSON))
                continue
            }
            let ordering = parsed.ordering
            guard mayStart(ordering) else { break }
            queued.removeFirst()
            if parsed.isWatch {
                watchRequested = true
                queued.removeAll()
            }
            // Most requests are answered right here, without a future.
            let served = dispatcher.serve(parsed, caller: caller, channel: context.channel)
            guard case .later(let answer) = served else {
                if case .now(let bytes) = served { store(bytes) }
                continue
            }
            running.add(ordering, 1)
            let sequence = firstSequence + answers.count
            answers.append(nil)
            let loop = context.eventLoop
            answer.hop(to: loop).assumeIsolated().whenComplete { result in
                let bytes: [UInt8]
                switch result {
                case .success(let answer): bytes = answer
                case .failure(let error):
                    bytes = Response.failure(id: nil, ProtocolError(.internal, "request failed: \(error)")).bytes
                }
                self.running.add(ordering, -1)
                self.answered(sequence, bytes, context: context)
            }
        }
    }

    /// Appends an answer made right away, counting it against the budget.
    private func store(_ bytes: [UInt8]) {
        count(bytes.count)
        answers.append(bytes)
    }

    private func count(_ bytes: Int) {
        guard let budget, !released else { return }
        answerBytes += bytes
        budget.add(bytes)
    }

    private func answered(_ sequence: Int, _ bytes: [UInt8], context: ChannelHandlerContext) {
        let index = sequence - firstSequence
        guard index >= 0, index < answers.count, !released else { return }
        count(bytes.count)
        answers[answers.index(answers.startIndex, offsetBy: index)] = bytes
        // Answered inline (on the loop, during `process`): the loop goes on and writes it.
        if dispatching { return }
        writeReady(context: context)
        process(context: context)
        resumeReading(context: context)
    }

    /// Writes the answers at the head that are ready, in order.
    private func writeReady(context: ChannelHandlerContext) {
        var wrote = false
        while let first = answers.first, let bytes = first {
            answers.removeFirst()
            firstSequence += 1
            var buffer = context.channel.allocator.buffer(capacity: bytes.count)
            buffer.writeBytes(bytes)
            let written = context.eventLoop.makePromise(of: Void.self)
            context.write(wrapOutboundOut(buffer), promise: written)
            lastWrite = written.futureResult
            if budget != nil {
                let size = bytes.count
                written.futureResult.assumeIsolated().whenComplete { _ in self.count(-size) }
            }
            wrote = true
        }
        if wrote {
            flushPending = true
            if !inReadBurst { flushIfPending(context: context) }
            lastActivity = .now()
        }
        if watchRequested, answers.isEmpty, !closing {
            // The watch's answer is out: stream events, or close if it was refused.
            closing = !dispatcher.startWatch(on: context.channel)
            if !closing { idleTask?.cancel() }
        }
        closeIfDone(context: context)
    }

    private func flushIfPending(context: ChannelHandlerContext) {
        guard flushPending else { return }
        flushPending = false
        context.flush()
    }

    /// The quiet window starts no earlier than the drain: bytes the client sent
    /// before the stop may still sit unread in the socket (a loop that was not
    /// scheduled for a while since `init`), and closing over them would reset the
    /// connection instead of answering them.
    private func beginDraining(context: ChannelHandlerContext) {
        draining = true
        lastInput = max(lastInput, .now())
        checkDrained(context: context)
    }

    /// While draining: close when nothing is queued or unanswered and the client
    /// has sent nothing for a moment (bytes it sent before the stop still arrive).
    private func checkDrained(context: ChannelHandlerContext) {
        guard context.channel.isActive else { return }
        if answers.isEmpty && queued.isEmpty && NIODeadline.now() - lastInput >= .milliseconds(100) {
            closeAfterWrites(context: context)
            return
        }
        context.eventLoop.assumeIsolated().scheduleTask(in: .milliseconds(25)) {
            self.checkDrained(context: context)
        }
    }

    private func closeIfDone(context: ChannelHandlerContext) {
        if closing && answers.isEmpty && queued.isEmpty && context.channel.isActive {
            closeAfterWrites(context: context)
        }
    }

    /// Closes once every answer written has left (a close fails writes still
    /// pending in the channel, which would cut the last answers short).
    private func closeAfterWrites(context: ChannelHandlerContext) {
        guard !closeRequested else { return }
        closeRequested = true
        flushIfPending(context: context)
        closeWhenWritten(context: context)
    }

    /// Closes when the last write completes, or, if more answers were written
    /// meanwhile (while draining), when the newest of them does.
    private func closeWhenWritten(context: ChannelHandlerContext) {
        guard let pending = lastWrite else {
            context.close(promise: nil)
            return
        }
        pending.assumeIsolated().whenComplete { _ in
            if self.lastWrite === pending {
                context.close(promise: nil)
            } else {
                self.closeWhenWritten(context: context)
            }
        }
    }

    /// A connection with no complete request (and nothing in flight) for `idleTimeout` is closed,
    /// so a client dribbling one byte a second cannot hold a slot forever. Reads and
    /// writes only move `lastActivity`; the timer, when it fires early, re-arms for the rest.
    private func armIdleTimer(context: ChannelHandlerContext, in delay: TimeAmount) {
        idleTask = context.eventLoop.assumeIsolated().scheduleTask(in: delay) {
            self.idleTimerFired(context: context)
        }
    }

    private func idleTimerFired(context: ChannelHandlerContext) {
        idleTask = nil
        guard !watchRequested, context.channel.isActive else { return }
        let idle = NIODeadline.now() - lastActivity
        if idle < idleTimeout {
            armIdleTimer(context: context, in: idleTimeout - idle)
        } else if answers.isEmpty {
            context.close(promise: nil)
        } else {
            // A request is still being served: that is not idleness.
            lastActivity = .now()
            armIdleTimer(context: context, in: idleTimeout)
        }
    }
}

/// Unanswered requests of one connection by ordering class (three counters, not
/// a dictionary: this is on every request's path).
struct RunningCounts {
    var reads = 0
    var writes = 0
    var exclusive = 0

    mutating func add(_ ordering: Ordering, _ delta: Int) {
        switch ordering {
        case .read: reads += delta
        case .write: writes += delta
        case .exclusive: exclusive += delta
        }
    }
}

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
